//! The `random` module: CPython's algorithms over CPython's generator (`mersenne.rs`), so a
//! seeded program draws the same numbers as under python3. The module's functions are the
//! methods of one hidden `Random` instance, as in CPython; `random.Random(seed)` makes more.

use super::{arity, check_kw, kwarg, native_bound, Kw};
use crate::interp::*;
use crate::mersenne::Mersenne;
use crate::names::sym;
use crate::span::Symbol;
use crate::value::*;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};
use std::cell::RefCell;
use std::rc::Rc;

type M = (&'static str, NativeFn);

/// The methods of a `Random` object, also the `random` module's functions.
const METHODS: &[M] = &[
    ("seed", rnd_seed),
    ("random", rnd_random),
    ("getrandbits", rnd_getrandbits),
    ("randrange", rnd_randrange),
    ("randint", rnd_randint),
    ("choice", rnd_choice),
    ("choices", rnd_choices),
    ("shuffle", rnd_shuffle),
    ("sample", rnd_sample),
    ("uniform", rnd_uniform),
    ("triangular", rnd_triangular),
    ("gauss", rnd_gauss),
    ("normalvariate", rnd_normalvariate),
    ("expovariate", rnd_expovariate),
    ("getstate", rnd_getstate),
    ("setstate", rnd_setstate),
];

/// The `random` module's attributes: `Random`, and the hidden instance's bound methods.
pub fn module_items(it: &mut Interp) -> Vec<(&'static str, Value)> {
    let inst = new_random(&Value::None, it);
    let mut items: Vec<(&'static str, Value)> = vec![("Random", Value::Class(it.t.random.clone()))];
    for &(name, f) in METHODS {
        items.push((name, native_bound(name, inst.clone(), f)));
    }
    items
}

/// `Random(seed)`.
pub fn construct(it: &mut Interp, args: &[Value], kw: Kw) -> R<Value> {
    check_kw("Random", kw, &[])?;
    arity("Random", args, 0, 1)?;
    let seed = args.first().cloned().unwrap_or(Value::None);
    let key = seed_key(it, &seed)?;
    Ok(Value::Native(Rc::new(Native::Random(RefCell::new(Mersenne::from_key(&key))))))
}

fn new_random(seed: &Value, it: &mut Interp) -> Value {
    let key = seed_key(it, seed).unwrap_or_else(|_| os_key());
    Value::Native(Rc::new(Native::Random(RefCell::new(Mersenne::from_key(&key)))))
}

/// The method `name` of a `Random` object.
pub fn method(name: Symbol) -> Option<M> {
    METHODS.iter().copied().find(|(n, _)| *n == name.as_str())
}

/// The words CPython seeds with: those of `abs(n)` for an int (the hash of a float; a str
/// with its SHA-512 digest), 624 words from the OS for None.
fn seed_key(it: &mut Interp, seed: &Value) -> R<Vec<u32>> {
    let n: BigInt = match seed {
        Value::None => return Ok(os_key()),
        Value::Int(i) => BigInt::from(*i),
        Value::Bool(b) => BigInt::from(*b as i64),
        Value::BigInt(b) => (**b).clone(),
        Value::Float(_) => BigInt::from(it.hash(seed)? as i64),
        // CPython's version 2 seeding: the text's UTF-8 bytes followed by their SHA-512
        // digest, read as one big-endian number.
        Value::Str(s) => {
            use sha2::Digest;
            let mut bytes = s.s.as_bytes().to_vec();
            bytes.extend_from_slice(&sha2::Sha512::digest(s.s.as_bytes()));
            BigInt::from_bytes_be(num_bigint::Sign::Plus, &bytes)
        }
        other => {
            return Err(type_error(format!(
                "The only supported seed types are: None,\nint, float, str, bytes, and bytearray. (got '{}')",
                it.type_name(other)
            )))
        }
    };
    let words = n.abs().to_u32_digits().1;
    Ok(if words.is_empty() { vec![0] } else { words })
}

/// 624 words from the OS (`/dev/urandom`), or from the clock where there is none.
fn os_key() -> Vec<u32> {
    use std::io::Read;
    let mut buf = [0u8; 624 * 4];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut buf));
    if read.is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(1);
        return vec![t as u32, (t >> 32) as u32, std::process::id()];
    }
    buf.chunks(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// The generator behind `this` (a `Random` object).
fn gen(this: &Value) -> R<&RefCell<Mersenne>> {
    match this {
        Value::Native(n) => match &**n {
            Native::Random(m) => Ok(m),
            _ => Err(type_error("descriptor requires a 'Random' object")),
        },
        _ => Err(type_error("descriptor requires a 'Random' object")),
    }
}

fn random(this: &Value) -> R<f64> {
    Ok(gen(this)?.borrow_mut().random())
}

/// A random int in [0, n) for n > 0, as CPython's `_randbelow_with_getrandbits` draws it.
fn below(this: &Value, n: &BigInt) -> R<BigInt> {
    let k = n.bits();
    let m = gen(this)?;
    loop {
        let r = BigInt::from_slice(num_bigint::Sign::Plus, &m.borrow_mut().bits(k));
        if &r < n {
            return Ok(r);
        }
    }
}

fn below_usize(this: &Value, n: usize) -> R<usize> {
    Ok(below(this, &BigInt::from(n))?.to_usize().unwrap_or(0))
}

fn num(it: &Interp, v: &Value) -> R<f64> {
    crate::interp::ops::to_f64(v)
        .ok_or_else(|| type_error(format!("must be real number, not {}", it.type_name(v))))
}

fn rnd_seed(it: &mut Interp, this: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("seed", a, 0, 1)?;
    let key = seed_key(it, a.first().unwrap_or(&Value::None))?;
    gen(this)?.borrow_mut().seed_key(&key);
    Ok(Value::None)
}

fn rnd_random(_it: &mut Interp, this: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("random", a, 0, 0)?;
    Ok(Value::Float(random(this)?))
}

fn rnd_getrandbits(it: &mut Interp, this: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("getrandbits", a, 1, 1)?;
    let k = it.index_of(&a[0])?;
    if k < 0 {
        return Err(value_error("number of bits must be non-negative"));
    }
    if k > 64 * 1024 * 1024 {
        return Err(overflow_error("integer result too large"));
    }
    let words = gen(this)?.borrow_mut().bits(k as u64);
    Ok(Value::from_bigint(BigInt::from_slice(num_bigint::Sign::Plus, &words)))
}

/// An argument of `randrange` as CPython 3.11 takes it: an int by `__index__`, else (a
/// deprecated form there) `int(v)` when that equals `v` (`randrange(10.0)`), a ValueError
/// naming the argument when it does not (`randrange(2.5)`).
fn range_arg(it: &mut Interp, v: &Value, which: &str) -> R<BigInt> {
    match it.big_index_of(v) {
        Ok(n) => Ok(n),
        Err(Fault::Exc(x)) if matches!(&x.value, Value::Instance(i) if i.class.is_subclass(&it.t.type_error)) =>
        {
            let int = it.t.int.clone();
            let n = super::constructors::construct(it, &int, std::slice::from_ref(v), &[])?;
            if !it.eq(&n, v)? {
                return Err(value_error(format!("non-integer {} for randrange()", which)));
            }
            it.big_index_of(&n)
        }
        Err(e) => Err(e),
    }
}

fn rnd_randrange(it: &mut Interp, this: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("randrange", a, 1, 3)?;
    let start = range_arg(it, &a[0], "arg 1")?;
    let Some(stop) = a.get(1) else {
        if start.is_positive() {
            return Ok(Value::from_bigint(below(this, &start)?));
        }
        return Err(value_error("empty range for randrange()"));
    };
    let stop = range_arg(it, stop, "stop")?;
    let width = &stop - &start;
    let step = match a.get(2) {
        Some(s) => range_arg(it, s, "step")?,
        None => BigInt::from(1),
    };
    if step == BigInt::from(1) {
        if width.is_positive() {
            return Ok(Value::from_bigint(start + below(this, &width)?));
        }
        return Err(value_error(format!("empty range for randrange() ({}, {}, {})", start, stop, width)));
    }
    let one = BigInt::from(1);
    let n = if step.is_positive() {
        (&width + &step - &one).div_floor_big(&step)
    } else if step.is_negative() {
        (&width + &step + &one).div_floor_big(&step)
    } else {
        return Err(value_error("zero step for randrange()"));
    };
    if !n.is_positive() {
        return Err(value_error("empty range for randrange()"));
    }
    Ok(Value::from_bigint(start + step * below(this, &n)?))
}

trait DivFloor {
    fn div_floor_big(&self, d: &BigInt) -> BigInt;
}
impl DivFloor for BigInt {
    fn div_floor_big(&self, d: &BigInt) -> BigInt {
        num_integer::Integer::div_floor(self, d)
    }
}

fn rnd_randint(it: &mut Interp, this: &Value, a: &[Value], k: Kw) -> R<Value> {
    arity("randint", a, 2, 2)?;
    // `b + 1`, as CPython's `randint` computes it (an object with `__index__` and no `+`
    // fails there too).
    let b = it.binop(crate::ast::BinOp::Add, &a[1], &Value::Int(1))?;
    rnd_randrange(it, this, &[a[0].clone(), b], k)
}

fn rnd_choice(it: &mut Interp, this: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("choice", a, 1, 1)?;
    let n = super::len_of(it, &a[0])?;
    if n == 0 {
        return Err(index_error("Cannot choose from an empty sequence"));
    }
    let i = below_usize(this, n)?;
    it.getitem(&a[0], &Value::Int(i as i64))
}

fn rnd_shuffle(it: &mut Interp, this: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("shuffle", a, 1, 1)?;
    let Value::List(l) = &a[0] else {
        return Err(type_error(format!("'{}' object does not support item assignment", it.type_name(&a[0]))));
    };
    let n = l.borrow().len();
    for i in (1..n).rev() {
        let j = below_usize(this, i + 1)?;
        let mut items = l.borrow_mut();
        if i < items.len() && j < items.len() {
            items.swap(i, j);
        }
    }
    Ok(Value::None)
}

fn rnd_sample(it: &mut Interp, this: &Value, a: &[Value], kw: Kw) -> R<Value> {
    check_kw("sample", kw, &[sym::K])?;
    let k = match (a.get(1).cloned(), kwarg(kw, sym::K)) {
        (Some(k), None) | (None, Some(k)) => it.index_of(&k)?,
        (Some(_), Some(_)) => return Err(type_error("sample() got multiple values for argument 'k'")),
        (None, None) => {
            return Err(type_error("Random.sample() missing 1 required positional argument: 'k'"))
        }
    };
    arity("sample", a, 1, 2)?;
    let population = &a[0];
    if matches!(population, Value::Set(_) | Value::Dict(_)) {
        return Err(type_error("Population must be a sequence.  For dicts or sets, use sorted(d)."));
    }
    let n = super::len_of(it, population)?;
    if k < 0 || k as usize > n {
        return Err(value_error("Sample larger than population or is negative"));
    }
    let k = k as usize;
    let mut result = Vec::with_capacity(k);
    let mut setsize = 21usize;
    if k > 5 {
        let e = ((k * 3) as f64).ln() / 4f64.ln();
        setsize += 4usize.pow(e.ceil() as u32);
    }
    if n <= setsize {
        let mut pool = it.collect(population)?;
        for i in 0..k {
            let j = below_usize(this, n - i)?;
            result.push(pool[j].clone());
            pool[j] = pool[n - i - 1].clone();
        }
    } else {
        let mut selected = std::collections::HashSet::new();
        for _ in 0..k {
            let mut j = below_usize(this, n)?;
            while selected.contains(&j) {
                j = below_usize(this, n)?;
            }
            selected.insert(j);
            result.push(it.getitem(population, &Value::Int(j as i64))?);
        }
    }
    Ok(Value::list(result))
}

fn rnd_choices(it: &mut Interp, this: &Value, a: &[Value], kw: Kw) -> R<Value> {
    check_kw("choices", kw, &[sym::WEIGHTS, sym::CUM_WEIGHTS, sym::K])?;
    arity("choices", a, 1, 2)?;
    let population = it.collect(&a[0])?;
    let n = population.len();
    let k = match kwarg(kw, sym::K) {
        Some(k) => it.index_of(&k)?.max(0) as usize,
        None => 1,
    };
    let weights = a.get(1).cloned().or_else(|| kwarg(kw, sym::WEIGHTS)).filter(|w| !w.is_none());
    let cum = kwarg(kw, sym::CUM_WEIGHTS).filter(|w| !w.is_none());
    let cum: Vec<f64> = match (weights, cum) {
        (None, None) => {
            if n == 0 {
                return Err(index_error("list index out of range"));
            }
            let nf = n as f64;
            let mut out = Vec::with_capacity(k);
            for _ in 0..k {
                out.push(population[(random(this)? * nf).floor() as usize].clone());
            }
            return Ok(Value::list(out));
        }
        (Some(_), Some(_)) => return Err(type_error("Cannot specify both weights and cumulative weights")),
        (Some(w), None) => {
            let mut acc = 0.0;
            let mut cum = Vec::new();
            for x in it.collect(&w)? {
                acc += num(it, &x)?;
                cum.push(acc);
            }
            cum
        }
        (None, Some(c)) => {
            let mut cum = Vec::new();
            for x in it.collect(&c)? {
                cum.push(num(it, &x)?);
            }
            cum
        }
    };
    if cum.len() != n {
        return Err(value_error("The number of weights does not match the population"));
    }
    let total = cum.last().copied().unwrap_or(0.0);
    if total <= 0.0 {
        return Err(value_error("Total of weights must be greater than zero"));
    }
    if !total.is_finite() {
        return Err(value_error("Total of weights must be finite"));
    }
    let hi = n - 1;
    let mut out = Vec::with_capacity(k);
    for _ in 0..k {
        let x = random(this)? * total;
        // bisect_right(cum, x, 0, hi)
        let (mut lo, mut h) = (0usize, hi);
        while lo < h {
            let mid = (lo + h) / 2;
            if x < cum[mid] {
                h = mid;
            } else {
                lo = mid + 1;
            }
        }
        out.push(population[lo].clone());
    }
    Ok(Value::list(out))
}

fn rnd_uniform(it: &mut Interp, this: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("uniform", a, 2, 2)?;
    let (lo, hi) = (num(it, &a[0])?, num(it, &a[1])?);
    Ok(Value::Float(lo + (hi - lo) * random(this)?))
}

fn rnd_triangular(it: &mut Interp, this: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("triangular", a, 0, 3)?;
    let mut low = a.first().map(|v| num(it, v)).transpose()?.unwrap_or(0.0);
    let mut high = a.get(1).map(|v| num(it, v)).transpose()?.unwrap_or(1.0);
    let mut u = random(this)?;
    let mut c = match a.get(2) {
        None | Some(Value::None) => 0.5,
        Some(m) => {
            if high == low {
                return Ok(Value::Float(low));
            }
            (num(it, m)? - low) / (high - low)
        }
    };
    if u > c {
        u = 1.0 - u;
        c = 1.0 - c;
        std::mem::swap(&mut low, &mut high);
    }
    Ok(Value::Float(low + (high - low) * (u * c).sqrt()))
}

fn rnd_gauss(it: &mut Interp, this: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("gauss", a, 0, 2)?;
    let mu = a.first().map(|v| num(it, v)).transpose()?.unwrap_or(0.0);
    let sigma = a.get(1).map(|v| num(it, v)).transpose()?.unwrap_or(1.0);
    let m = gen(this)?;
    let cached = m.borrow_mut().gauss_next.take();
    let z = match cached {
        Some(z) => z,
        None => {
            let x2pi = random(this)? * std::f64::consts::TAU;
            let g2rad = (-2.0 * (1.0 - random(this)?).ln()).sqrt();
            m.borrow_mut().gauss_next = Some(x2pi.sin() * g2rad);
            x2pi.cos() * g2rad
        }
    };
    Ok(Value::Float(mu + z * sigma))
}

fn rnd_normalvariate(it: &mut Interp, this: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("normalvariate", a, 0, 2)?;
    let mu = a.first().map(|v| num(it, v)).transpose()?.unwrap_or(0.0);
    let sigma = a.get(1).map(|v| num(it, v)).transpose()?.unwrap_or(1.0);
    let magic = 4.0 * (-0.5f64).exp() / 2f64.sqrt();
    loop {
        let u1 = random(this)?;
        let u2 = 1.0 - random(this)?;
        let z = magic * (u1 - 0.5) / u2;
        if z * z / 4.0 <= -u2.ln() {
            return Ok(Value::Float(mu + z * sigma));
        }
    }
}

fn rnd_expovariate(it: &mut Interp, this: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("expovariate", a, 1, 1)?;
    let lambd = num(it, &a[0])?;
    if lambd == 0.0 {
        return Err(zero_division("float division by zero"));
    }
    Ok(Value::Float(-(1.0 - random(this)?).ln() / lambd))
}

/// `getstate()`: CPython's shape, `(3, (624 words and the position), gauss_next)`.
fn rnd_getstate(_it: &mut Interp, this: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("getstate", a, 0, 0)?;
    let m = gen(this)?.borrow();
    let (words, index) = m.state();
    let mut items: Vec<Value> = words.iter().map(|w| Value::Int(*w as i64)).collect();
    items.push(Value::Int(index as i64));
    let gauss = m.gauss_next.map_or(Value::None, Value::Float);
    Ok(Value::tuple(vec![Value::Int(3), Value::tuple(items), gauss]))
}

/// `setstate(state)`: a state `getstate` gave.
fn rnd_setstate(it: &mut Interp, this: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("setstate", a, 1, 1)?;
    let bad = || value_error("state vector is the wrong size");
    let Value::Tuple(t) = &a[0] else { return Err(type_error("state vector must be a tuple")) };
    let (Some(Value::Tuple(words)), Some(gauss)) = (t.get(1), t.get(2)) else { return Err(bad()) };
    if words.len() != 625 {
        return Err(bad());
    }
    let mut mt = Vec::with_capacity(624);
    for w in &words[..624] {
        mt.push(u32::try_from(it.index_of(w)?).map_err(|_| bad())?);
    }
    let index = usize::try_from(it.index_of(&words[624])?)
        .ok()
        .filter(|i| *i <= 624)
        .ok_or_else(|| value_error("invalid state"))?;
    let gauss = match gauss {
        Value::None => None,
        g => Some(num(it, g)?),
    };
    let mut m = gen(this)?.borrow_mut();
    m.set_state(&mt, index);
    m.gauss_next = gauss;
    Ok(Value::None)
}
