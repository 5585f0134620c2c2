//! The ready queue's ring: a `VecDeque` cut down to what the scheduler uses, so that its two
//! hot operations are inlined where they are called. `VecDeque::push_back` and `pop_front`
//! stayed out of line in the release build (their growth path makes them too big for the
//! inliner), and a task switch made inside the VM's loop calls both: about 46 instructions
//! of a switch of some 630 went to the calls (callgrind, `sched_yield.ta`).
//!
//! Safe code only: the slots are `Option`s (an `Entry` has a niche, so a slot is no bigger
//! than the entry), the room a power of two indexed through a mask.

/// A first-in, first-out queue on a growable ring of slots.
pub struct Ring<T> {
    /// `None` outside `head..head + len` (modulo the room); the room is 0 or a power of two.
    slots: Vec<Option<T>>,
    head: usize,
    len: usize,
}

impl<T> Default for Ring<T> {
    fn default() -> Self {
        Ring { slots: Vec::new(), head: 0, len: 0 }
    }
}

impl<T> Ring<T> {
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slot `i` places after the head.
    #[inline(always)]
    fn at(&self, i: usize) -> usize {
        (self.head + i) & (self.slots.len().wrapping_sub(1))
    }

    #[inline(always)]
    pub fn push_back(&mut self, v: T) {
        if self.len == self.slots.len() {
            self.grow();
        }
        let at = self.at(self.len);
        if let Some(slot) = self.slots.get_mut(at) {
            // The slot past the last entry is empty: forgetting what it held forgets `None`
            // (no call to the drop glue on every push).
            std::mem::forget(slot.replace(v));
            self.len += 1;
        }
    }

    #[inline(always)]
    pub fn pop_front(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let v = self.slots.get_mut(self.head)?.take();
        self.head = self.at(1);
        self.len -= 1;
        v
    }

    /// Takes the front entry when `f` makes something of it, returning both (the slot looked
    /// up once, for the look and the take).
    #[inline(always)]
    pub fn pop_front_with<R>(&mut self, f: impl FnOnce(&T) -> Option<R>) -> Option<(T, R)> {
        if self.len == 0 {
            return None;
        }
        let slot = self.slots.get_mut(self.head)?;
        let r = f(slot.as_ref()?)?;
        let v = slot.take()?;
        self.head = self.at(1);
        self.len -= 1;
        Some((v, r))
    }

    /// Twice the room (at least 8), the entries moved to the start in order.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let room = (self.slots.len() * 2).max(8);
        let mut slots: Vec<Option<T>> = Vec::with_capacity(room);
        for i in 0..self.len {
            let at = self.at(i);
            slots.push(self.slots[at].take());
        }
        slots.resize_with(room, || None);
        self.slots = slots;
        self.head = 0;
    }

    /// The entries, front first.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        (0..self.len).filter_map(move |i| self.slots[self.at(i)].as_ref())
    }

    /// Keeps the entries `keep` says to keep, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let n = self.len;
        let mut kept = 0;
        for i in 0..n {
            let from = self.at(i);
            let Some(v) = self.slots[from].take() else { continue };
            if keep(&v) {
                let to = self.at(kept);
                self.slots[to] = Some(v);
                kept += 1;
            }
        }
        self.len = kept;
    }
}

#[cfg(test)]
mod tests {
    use super::Ring;
    use std::collections::VecDeque;

    /// The ring against `VecDeque` on a long mixed run of pushes, pops (plain, and taken only
    /// when the front entry passes a test) and retains that wraps around and grows many times.
    #[test]
    fn the_ring_keeps_the_order_a_vecdeque_keeps() {
        let mut ring = Ring::default();
        let mut model = VecDeque::new();
        let mut x: u64 = 12345;
        for i in 0..20_000u32 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            match (x >> 33) % 7 {
                0..=2 => {
                    ring.push_back(i);
                    model.push_back(i);
                }
                3 | 4 => assert_eq!(ring.pop_front(), model.pop_front()),
                // Taken only when even (and then the value and what was made of it).
                5 => {
                    let want = model.front().copied().filter(|v| v % 2 == 0);
                    let got = ring.pop_front_with(|v| (v % 2 == 0).then_some(v * 10));
                    assert_eq!(got, want.map(|v| (v, v * 10)));
                    if want.is_some() {
                        model.pop_front();
                    }
                }
                _ => {
                    let m = (x >> 40) as u32 % 5 + 2;
                    ring.retain(|v| v % m != 0);
                    model.retain(|v| v % m != 0);
                }
            }
            assert_eq!(ring.len(), model.len());
            assert_eq!(ring.iter().next(), model.front());
            assert_eq!(ring.is_empty(), model.is_empty());
        }
        assert!(ring.iter().eq(model.iter()));
    }
}
