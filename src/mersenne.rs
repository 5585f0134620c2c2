//! The Mersenne Twister (MT19937, Matsumoto and Nishimura's reference algorithm), seeded the
//! way CPython's `_random` module seeds it, so that `random.seed(42); random.random()` gives
//! CPython's numbers. The state of one `random.Random`; its methods are in
//! `builtins/random.rs`.

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER: u32 = 0x8000_0000;
const LOWER: u32 = 0x7fff_ffff;

#[derive(Clone)]
pub struct Mersenne {
    mt: Box<[u32; N]>,
    index: usize,
    /// `gauss()` makes two numbers at a time; the second waits here.
    pub gauss_next: Option<f64>,
}

impl Mersenne {
    /// A generator seeded with `key` (CPython's `init_by_array`).
    pub fn from_key(key: &[u32]) -> Mersenne {
        let mut m = Mersenne { mt: Box::new([0; N]), index: N, gauss_next: None };
        m.seed_key(key);
        m
    }

    fn init_genrand(&mut self, s: u32) {
        self.mt[0] = s;
        for i in 1..N {
            let prev = self.mt[i - 1];
            self.mt[i] = 1_812_433_253u32.wrapping_mul(prev ^ (prev >> 30)).wrapping_add(i as u32);
        }
        self.index = N;
    }

    /// Seeds with an array of 32-bit words (`init_by_array`); clears the cached gauss value.
    pub fn seed_key(&mut self, key: &[u32]) {
        let key: &[u32] = if key.is_empty() { &[0] } else { key };
        self.init_genrand(19_650_218);
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let prev = self.mt[i - 1];
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                self.mt[0] = self.mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = self.mt[i - 1];
            self.mt[i] =
                (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                self.mt[0] = self.mt[N - 1];
                i = 1;
            }
        }
        self.mt[0] = 0x8000_0000;
        self.index = N;
        self.gauss_next = None;
    }

    fn twist(&mut self) {
        let mag = |y: u32| if y & 1 == 1 { MATRIX_A } else { 0 };
        for k in 0..N {
            let y = (self.mt[k] & UPPER) | (self.mt[(k + 1) % N] & LOWER);
            self.mt[k] = self.mt[(k + M) % N] ^ (y >> 1) ^ mag(y);
        }
        self.index = 0;
    }

    /// The 624 words and the position in them (`getstate`).
    pub fn state(&self) -> (&[u32], usize) {
        (&self.mt[..], self.index)
    }

    /// Restores what `state` gave (`words` has 624 entries, `index` is at most 624).
    pub fn set_state(&mut self, words: &[u32], index: usize) {
        for (d, s) in self.mt.iter_mut().zip(words) {
            *d = *s;
        }
        self.index = index.min(N);
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// A float in [0, 1) with 53 random bits (`random.random()`).
    pub fn random(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `k` random bits as little-endian 32-bit words (`getrandbits`): the last word holds the
    /// top bits, taken from the high end of its draw.
    pub fn bits(&mut self, k: u64) -> Vec<u32> {
        let mut words = Vec::with_capacity(k.div_ceil(32) as usize);
        let mut left = k;
        while left > 0 {
            let r = self.next_u32();
            words.push(if left < 32 { r >> (32 - left) } else { r });
            left = left.saturating_sub(32);
        }
        words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference implementation's published output for init_by_array({0x123, 0x234,
    /// 0x345, 0x456}): its first outputs are 1067595299 955945823 477289528.
    #[test]
    fn matches_the_reference_output() {
        let mut m = Mersenne::from_key(&[0x123, 0x234, 0x345, 0x456]);
        assert_eq!([m.next_u32(), m.next_u32(), m.next_u32()], [1_067_595_299, 955_945_823, 477_289_528]);
    }
}
