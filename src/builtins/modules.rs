//! The built-in modules: `time`, `collections`, `heapq`, `queue`, `math`, `random`, `types`,
//! `sys`, `gc`, and those written in tinyasync whole (`prelude.rs`).
//! There are no others: programs cannot import files, so they cannot reach the file system.

use super::{arity, check_kw, kwarg, native, Kw};
use crate::ast::CmpOp;
use crate::interp::*;
use crate::names::sym;
use crate::span::Symbol;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

fn module(name: &str, items: Vec<(&str, Value)>) -> Value {
    let mut attrs = new_symmap();
    for (k, v) in items {
        attrs.insert(Symbol::intern(k), v);
    }
    attrs.insert(sym::NAME, Value::str(name));
    Value::Module(Rc::new(ModuleObj { name: Symbol::intern(name), attrs: RefCell::new(attrs) }))
}

/// The modules `make_module` makes, in alphabetical order (diagnostics list them).
/// (`sys` and `__future__` are there too, and not named: no one looks for them.)
pub const MODULES: &[&str] = &[
    "abc",
    "bisect",
    "collections",
    "contextlib",
    "copy",
    "dataclasses",
    "functools",
    "gc",
    "heapq",
    "itertools",
    "math",
    "operator",
    "queue",
    "random",
    "string",
    "time",
    "types",
    "typing",
];

pub fn make_module(it: &mut Interp, name: &str) -> Option<Value> {
    let m = native_module(it, name)?;
    // (A prelude is part of tinyasync: it runs without error; the module test checks.)
    let _ = super::prelude::install(it, name, &m);
    Some(m)
}

/// The natively written part of module `name`.
fn native_module(it: &mut Interp, name: &str) -> Option<Value> {
    let t = it.t.clone();
    Some(match name {
        "time" => module(
            "time",
            vec![
                ("time", native("time", time_now)),
                ("time_ns", native("time_ns", time_now_ns)),
                ("monotonic_ns", native("monotonic_ns", time_now_ns)),
                ("perf_counter_ns", native("perf_counter_ns", time_now_ns)),
                ("monotonic", native("monotonic", time_now)),
                ("perf_counter", native("perf_counter", time_now)),
                ("sleep", native("sleep", time_sleep)),
            ],
        ),
        // `from __future__ import annotations` (and the older features): tinyasync behaves
        // so already (annotations are never evaluated), so each name only has to be there.
        // (CPython's values are `_Feature` objects describing the feature's releases; here
        // each is True.)
        "__future__" => module(
            "__future__",
            crate::names::FUTURE_FEATURES.iter().map(|&f| (f, Value::Bool(true))).collect(),
        ),
        "collections" => module("collections", vec![("deque", Value::Class(t.deque.clone()))]),
        "gc" => module(
            "gc",
            vec![
                ("collect", native("collect", gc_collect)),
                ("enable", native("enable", gc_enable)),
                ("disable", native("disable", gc_disable)),
                ("isenabled", native("isenabled", gc_isenabled)),
            ],
        ),
        "heapq" => module(
            "heapq",
            vec![
                ("heappush", native("heappush", heappush)),
                ("heappop", native("heappop", heappop)),
                ("heapify", native("heapify", heapify)),
                ("heapreplace", native("heapreplace", heapreplace)),
                ("heappushpop", native("heappushpop", heappushpop)),
            ],
        ),
        "queue" => module("queue", vec![]),
        // Written in tinyasync whole (`itertools.ta`, `functools.ta`, `dataclasses.ta`, `abc.ta`,
        // `bisect.ta`, `operator.ta`, `string.ta`, `typing.ta`, `contextlib.ta`, `copy.ta`).
        "itertools" => module("itertools", vec![]),
        "functools" => module("functools", vec![]),
        "dataclasses" => module("dataclasses", vec![]),
        "abc" => module("abc", vec![]),
        "bisect" => module("bisect", vec![]),
        "operator" => module("operator", vec![]),
        "string" => module("string", vec![]),
        "typing" => module("typing", vec![]),
        "contextlib" => module("contextlib", vec![]),
        "copy" => module("copy", vec![]),
        "math" => math_module(),
        "random" => {
            let items = super::random::module_items(it);
            module("random", items)
        }
        "types" => module(
            "types",
            vec![
                ("GeneratorType", Value::Class(t.generator.clone())),
                ("CoroutineType", Value::Class(t.coroutine.clone())),
                ("AsyncGeneratorType", Value::Class(t.async_generator.clone())),
                ("FunctionType", Value::Class(t.function.clone())),
                ("LambdaType", Value::Class(t.function.clone())),
                ("MethodType", Value::Class(t.method.clone())),
                ("BuiltinFunctionType", Value::Class(t.builtin_function.clone())),
                ("BuiltinMethodType", Value::Class(t.builtin_function.clone())),
                ("ModuleType", Value::Class(t.module.clone())),
                ("SimpleNamespace", Value::Class(t.namespace.clone())),
                ("UnionType", Value::Class(t.union_type.clone())),
                // A generator function made awaitable: tinyasync's `await` takes a generator
                // as it is (see README), so, as CPython does for generator functions, the
                // decorator gives the function back, marked so that its generators may
                // `yield from` a coroutine (CO_ITERABLE_COROUTINE).
                (
                    "coroutine",
                    native("coroutine", |it, _, a, _| {
                        super::arity("coroutine", a, 1, 1)?;
                        match &a[0] {
                            Value::Func(f) if f.code.flavor == crate::code::Flavor::Generator => {
                                f.code.iterable_coroutine.set(true);
                                Ok(a[0].clone())
                            }
                            f if super::is_callable(it, f) => Ok(f.clone()),
                            _ => Err(type_error("types.coroutine() expects a callable")),
                        }
                    }),
                ),
            ],
        ),
        // What programs print with and how they stop: nothing of CPython's `sys` that reaches
        // the file system or the interpreter's insides.
        "sys" => {
            let argv = if it.opts.argv.is_empty() { vec![String::new()] } else { it.opts.argv.clone() };
            module(
                "sys",
                vec![
                    ("argv", Value::list(argv.into_iter().map(Value::string).collect())),
                    ("stdout", Value::Native(Rc::new(Native::Stream { err: false }))),
                    ("stderr", Value::Native(Rc::new(Native::Stream { err: true }))),
                    ("exit", native("exit", sys_exit)),
                    ("getrecursionlimit", native("getrecursionlimit", sys_getrecursionlimit)),
                    (
                        "get_int_max_str_digits",
                        native("get_int_max_str_digits", |_, _, a, _| {
                            arity("get_int_max_str_digits", a, 0, 0)?;
                            Ok(Value::Int(super::format::int_max_str_digits() as i64))
                        }),
                    ),
                    (
                        "set_int_max_str_digits",
                        native("set_int_max_str_digits", |it, _, a, k| {
                            let n = match (a.first().cloned(), kwarg(k, Symbol::intern("maxdigits"))) {
                                (Some(v), _) | (None, Some(v)) => it.index_of(&v)?,
                                (None, None) => return Err(type_error(
                                    "set_int_max_str_digits() missing required argument 'maxdigits' (pos 1)",
                                )),
                            };
                            if n != 0 && !(640..).contains(&n) {
                                return Err(value_error("maxdigits must be 0 or larger than 640"));
                            }
                            super::format::INT_MAX_STR_DIGITS.with(|c| c.set(n as usize));
                            Ok(Value::None)
                        }),
                    ),
                    ("maxsize", Value::Int(i64::MAX)),
                    ("byteorder", Value::str(if cfg!(target_endian = "little") { "little" } else { "big" })),
                    (
                        "version_info",
                        Value::tuple(vec![
                            Value::Int(3),
                            Value::Int(11),
                            Value::Int(0),
                            Value::str("final"),
                            Value::Int(0),
                        ]),
                    ),
                    ("platform", Value::str("tinyasync")),
                ],
            )
        }
        _ => return None,
    })
}

/// `sys.exit(code=None)`: raises `SystemExit(code)`, which ends the program quietly. The
/// built-ins `exit` and `quit` are the same (the REPL puts its own, which show how to leave).
pub(crate) fn sys_exit(it: &mut Interp, _t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("exit", a, 0, 1)?;
    Err(raise_value(new_exception(&it.t.system_exit, a.to_vec())))
}

/// `sys.getrecursionlimit()`: the depth at which calls raise `RecursionError`.
fn sys_getrecursionlimit(it: &mut Interp, _t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("getrecursionlimit", a, 0, 0)?;
    Ok(Value::Int(it.opts.max_depth as i64))
}

// ----- gc -----

/// `gc.collect()`: a collection now (`crate::gc`); the finalizers of the garbage run before it
/// returns, and a second collection frees what they finalized, as CPython's one call does.
/// Returns the number of containers found unreachable (CPython counts its objects differently:
/// an instance's `__dict__` is one more there).
fn gc_collect(it: &mut Interp, _t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("collect", a, 0, 1)?;
    Ok(Value::Int(it.collect_cycles()? as i64))
}

fn gc_enable(_it: &mut Interp, _t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("enable", a, 0, 0)?;
    crate::gc::set_enabled(true);
    Ok(Value::None)
}

fn gc_disable(_it: &mut Interp, _t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("disable", a, 0, 0)?;
    crate::gc::set_enabled(false);
    Ok(Value::None)
}

fn gc_isenabled(_it: &mut Interp, _t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("isenabled", a, 0, 0)?;
    Ok(Value::Bool(crate::gc::enabled()))
}

// ----- time -----

fn time_now(it: &mut Interp, _t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("time", a, 0, 0)?;
    Ok(Value::Float(it.now()))
}

/// `time.time_ns()`: the clock (virtual or real, as `time.time()`) in whole nanoseconds.
fn time_now_ns(it: &mut Interp, _t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("time_ns", a, 0, 0)?;
    Ok(Value::Int((it.now() * 1e9).round() as i64))
}

fn time_sleep(it: &mut Interp, _t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("sleep", a, 1, 1)?;
    let secs = match crate::interp::ops::to_f64(&a[0]) {
        Some(s) if matches!(a[0], Value::Int(_) | Value::Float(_) | Value::Bool(_)) => s,
        _ => {
            return Err(type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                it.type_name(&a[0])
            )))
        }
    };
    if secs.is_nan() {
        return Err(value_error("Invalid value NaN (not a number)"));
    }
    if secs < 0.0 {
        return Err(value_error("sleep length must be non-negative"));
    }
    if !secs.is_finite() {
        return Err(overflow_error("sleep length is too large"));
    }
    it.sleep_clock(secs)?;
    Ok(Value::None)
}

// ----- collections.deque and queue.Queue -----

pub fn make_deque(it: &mut Interp, a: &[Value], k: Kw) -> R<Value> {
    check_kw("deque", k, &[sym::ITERABLE, sym::MAXLEN])?;
    arity("deque", a, 0, 2)?;
    let maxlen = match a.get(1).cloned().or_else(|| kwarg(k, sym::MAXLEN)) {
        None | Some(Value::None) => None,
        Some(v) => {
            // An int, as CPython asks (`__index__` is not taken here: "an integer is required").
            if let Value::Instance(_) = v {
                return Err(type_error("an integer is required"));
            }
            let n = it.index_of(&v)?;
            if n < 0 {
                return Err(value_error("maxlen must be non-negative"));
            }
            Some(n as usize)
        }
    };
    let mut items = std::collections::VecDeque::new();
    if let Some(src) = a.first().cloned().or_else(|| kwarg(k, sym::ITERABLE)) {
        for x in it.collect(&src)? {
            items.push_back(x);
            if maxlen.is_some_and(|m| items.len() > m) {
                items.pop_front();
            }
        }
    }
    Ok(Value::deque(items, maxlen))
}

// ----- heapq (CPython's sift algorithm, so heaps have the same layout) -----

fn heap_list(it: &Interp, v: &Value) -> R<Rc<RefCell<Vec<Value>>>> {
    match v {
        Value::List(l) => Ok(l.clone()),
        _ => Err(type_error(format!("heap argument must be a list, not {}", it.type_name(v)))),
    }
}

fn lt(it: &mut Interp, a: &Value, b: &Value) -> R<bool> {
    it.order(CmpOp::Lt, a, b)
}

fn siftdown(it: &mut Interp, heap: &mut [Value], start: usize, mut pos: usize) -> R<()> {
    let newitem = heap[pos].clone();
    while pos > start {
        let parentpos = (pos - 1) >> 1;
        let parent = heap[parentpos].clone();
        if lt(it, &newitem, &parent)? {
            heap[pos] = parent;
            pos = parentpos;
            continue;
        }
        break;
    }
    heap[pos] = newitem;
    Ok(())
}

fn siftup(it: &mut Interp, heap: &mut [Value], mut pos: usize) -> R<()> {
    let endpos = heap.len();
    let startpos = pos;
    let newitem = heap[pos].clone();
    let mut childpos = 2 * pos + 1;
    while childpos < endpos {
        let rightpos = childpos + 1;
        if rightpos < endpos && !lt(it, &heap[childpos].clone(), &heap[rightpos].clone())? {
            childpos = rightpos;
        }
        heap[pos] = heap[childpos].clone();
        pos = childpos;
        childpos = 2 * pos + 1;
    }
    heap[pos] = newitem;
    siftdown(it, heap, startpos, pos)
}

/// Runs `f` on a copy of the list and writes it back, so user `__lt__` may look at the list.
fn with_heap<T>(it: &mut Interp, v: &Value, f: impl FnOnce(&mut Interp, &mut Vec<Value>) -> R<T>) -> R<T> {
    let l = heap_list(it, v)?;
    let mut heap = l.borrow().clone();
    let r = f(it, &mut heap);
    *l.borrow_mut() = heap;
    r
}

fn heappush(it: &mut Interp, _t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("heappush", a, 2, 2)?;
    with_heap(it, &a[0], |it, h| {
        h.push(a[1].clone());
        let n = h.len() - 1;
        siftdown(it, h, 0, n)
    })?;
    Ok(Value::None)
}

fn heappop(it: &mut Interp, _t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("heappop", a, 1, 1)?;
    with_heap(it, &a[0], |it, h| {
        let Some(last) = h.pop() else { return Err(index_error("index out of range")) };
        if h.is_empty() {
            return Ok(last);
        }
        let ret = std::mem::replace(&mut h[0], last);
        siftup(it, h, 0)?;
        Ok(ret)
    })
}

fn heapreplace(it: &mut Interp, _t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("heapreplace", a, 2, 2)?;
    with_heap(it, &a[0], |it, h| {
        if h.is_empty() {
            return Err(index_error("index out of range"));
        }
        let ret = std::mem::replace(&mut h[0], a[1].clone());
        siftup(it, h, 0)?;
        Ok(ret)
    })
}

fn heappushpop(it: &mut Interp, _t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("heappushpop", a, 2, 2)?;
    with_heap(it, &a[0], |it, h| {
        let mut item = a[1].clone();
        if !h.is_empty() && lt(it, &h[0].clone(), &item)? {
            item = std::mem::replace(&mut h[0], item);
            siftup(it, h, 0)?;
        }
        Ok(item)
    })
}

fn heapify(it: &mut Interp, _t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("heapify", a, 1, 1)?;
    with_heap(it, &a[0], |it, h| {
        for i in (0..h.len() / 2).rev() {
            siftup(it, h, i)?;
        }
        Ok(())
    })?;
    Ok(Value::None)
}

// ----- math -----

fn num(it: &Interp, v: &Value) -> R<f64> {
    match crate::interp::ops::to_f64(v) {
        // An int past the largest float is not infinity.
        Some(f) if f.is_infinite() && matches!(v, Value::BigInt(_)) => {
            Err(overflow_error("int too large to convert to float"))
        }
        Some(f) => Ok(f),
        None => Err(type_error(format!("must be real number, not {}", it.type_name(v)))),
    }
}

macro_rules! math1 {
    ($name:literal, $f:expr) => {
        native($name, |it, _t, a, _k| {
            arity($name, a, 1, 1)?;
            let x = num(it, &a[0])?;
            let f: fn(f64) -> R<Value> = $f;
            f(x)
        })
    };
}

/// A `math` function of two floats giving a float (`pow`, `atan2`, `copysign`).
macro_rules! math2 {
    ($name:literal, $f:expr) => {
        native($name, |it, _t, a, _k| {
            arity($name, a, 2, 2)?;
            let f: fn(f64, f64) -> f64 = $f;
            Ok(Value::Float(f(num(it, &a[0])?, num(it, &a[1])?)))
        })
    };
}

/// A math function's result as CPython's `math_1` checks it: infinity from a finite argument
/// is OverflowError, NaN from a number is a domain error.
fn ranged(x: f64, v: f64) -> R<Value> {
    if v.is_nan() && !x.is_nan() {
        Err(value_error("math domain error"))
    } else if v.is_infinite() && x.is_finite() {
        Err(overflow_error("math range error"))
    } else {
        Ok(Value::Float(v))
    }
}

/// `f(x)` for asinh and acosh, as ln(2|x|) (signed) where `x * x` would overflow.
fn big_arc(x: f64, f: fn(f64) -> f64) -> f64 {
    if x.abs() > 1e150 && x.is_finite() {
        (x.abs().ln() + std::f64::consts::LN_2).copysign(x)
    } else {
        f(x)
    }
}

/// A result, or the domain error; NaN in gives NaN out (`domain(x.is_nan() || ..)`).
fn domain(ok: bool, v: f64) -> R<Value> {
    if ok && v.is_nan() {
        return Ok(Value::Float(v));
    }
    if ok && !v.is_nan() {
        Ok(Value::Float(v))
    } else {
        Err(value_error("math domain error"))
    }
}

/// `math.comb(n, k)` and `math.perm(n, k=None)`.
fn comb_perm(it: &mut Interp, a: &[Value], name: &str) -> R<Value> {
    arity(name, a, if name == "perm" { 1 } else { 2 }, 2)?;
    let n = it.big_index_of(&a[0])?;
    let k = match a.get(1) {
        Some(Value::None) | None => n.clone(),
        Some(k) => it.big_index_of(k)?,
    };
    use num_bigint::Sign::Minus;
    if n.sign() == Minus {
        return Err(value_error("n must be a non-negative integer"));
    }
    if k.sign() == Minus {
        return Err(value_error("k must be a non-negative integer"));
    }
    if k > n {
        return Ok(Value::Int(0));
    }
    let k = num_traits::ToPrimitive::to_u64(&k).ok_or_else(|| overflow_error("k is too large"))?;
    let k = if name == "comb" { k.min(num_traits::ToPrimitive::to_u64(&(&n - k)).unwrap_or(k)) } else { k };
    if k > 100_000 {
        return Err(overflow_error(format!("{}() result would be too large", name)));
    }
    let mut r = num_bigint::BigInt::from(1);
    for i in 0..k {
        r *= &n - i;
        if name == "comb" {
            r /= i + 1;
        }
        // Big factors take long: the limits (--timeout, Ctrl-C, memory) are checked as it goes.
        if i % 1024 == 1023 {
            it.check_limits(it.current_span.unwrap_or_default())?;
        }
    }
    Ok(Value::from_bigint(r))
}

/// The correctly rounded sum of `fsum`'s partials (the last step of CPython's `math_fsum`).
fn fsum_round(partials: &[f64]) -> f64 {
    let mut n = partials.len();
    if n == 0 {
        return 0.0;
    }
    n -= 1;
    let mut hi = partials[n];
    let mut lo = 0.0;
    while n > 0 {
        let x = hi;
        n -= 1;
        let y = partials[n];
        hi = x + y;
        let yr = hi - x;
        lo = y - yr;
        if lo != 0.0 {
            break;
        }
    }
    if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        let yr = x - hi;
        if y == yr {
            hi = x;
        }
    }
    hi
}

fn math_module() -> Value {
    module(
        "math",
        vec![
            ("pi", Value::Float(std::f64::consts::PI)),
            ("e", Value::Float(std::f64::consts::E)),
            ("tau", Value::Float(std::f64::consts::TAU)),
            ("inf", Value::Float(f64::INFINITY)),
            ("nan", Value::Float(f64::NAN)),
            ("sqrt", math1!("sqrt", |x| domain(x.is_nan() || x >= 0.0, x.sqrt()))),
            ("exp", math1!("exp", |x| ranged(x, x.exp()))),
            ("exp2", math1!("exp2", |x| ranged(x, x.exp2()))),
            ("expm1", math1!("expm1", |x| ranged(x, x.exp_m1()))),
            ("log1p", math1!("log1p", |x| domain(x.is_nan() || x > -1.0, x.ln_1p()))),
            ("sinh", math1!("sinh", |x| ranged(x, x.sinh()))),
            ("cosh", math1!("cosh", |x| ranged(x, x.cosh()))),
            ("tanh", math1!("tanh", |x| Ok(Value::Float(x.tanh())))),
            // (For large arguments through ln(2x): the plain formulas overflow past 1e154.)
            ("asinh", math1!("asinh", |x| Ok(Value::Float(big_arc(x, f64::asinh))))),
            ("acosh", math1!("acosh", |x| domain(x.is_nan() || x >= 1.0, big_arc(x, f64::acosh)))),
            ("atanh", math1!("atanh", |x| domain(x.is_nan() || (x > -1.0 && x < 1.0), x.atanh()))),
            ("sin", math1!("sin", |x| Ok(Value::Float(x.sin())))),
            ("cos", math1!("cos", |x| Ok(Value::Float(x.cos())))),
            ("tan", math1!("tan", |x| Ok(Value::Float(x.tan())))),
            ("asin", math1!("asin", |x| domain(x.is_nan() || (-1.0..=1.0).contains(&x), x.asin()))),
            ("acos", math1!("acos", |x| domain(x.is_nan() || (-1.0..=1.0).contains(&x), x.acos()))),
            ("atan", math1!("atan", |x| Ok(Value::Float(x.atan())))),
            ("fabs", math1!("fabs", |x| Ok(Value::Float(x.abs())))),
            ("log2", math1!("log2", |x| domain(x.is_nan() || x > 0.0, x.log2()))),
            ("log10", math1!("log10", |x| domain(x.is_nan() || x > 0.0, x.log10()))),
            ("radians", math1!("radians", |x| Ok(Value::Float(x.to_radians())))),
            ("degrees", math1!("degrees", |x| Ok(Value::Float(x.to_degrees())))),
            ("isnan", math1!("isnan", |x| Ok(Value::Bool(x.is_nan())))),
            ("isinf", math1!("isinf", |x| Ok(Value::Bool(x.is_infinite())))),
            ("isfinite", math1!("isfinite", |x| Ok(Value::Bool(x.is_finite())))),
            ("floor", native("floor", |it, _t, a, _k| int_round(it, a, "floor", f64::floor))),
            ("ceil", native("ceil", |it, _t, a, _k| int_round(it, a, "ceil", f64::ceil))),
            ("trunc", native("trunc", |it, _t, a, _k| int_round(it, a, "trunc", f64::trunc))),
            (
                "log",
                native("log", |it, _t, a, _k| {
                    arity("log", a, 1, 2)?;
                    let x = num(it, &a[0])?;
                    if x <= 0.0 {
                        return Err(value_error("math domain error"));
                    }
                    match a.get(1) {
                        None => Ok(Value::Float(x.ln())),
                        Some(b) => {
                            let b = num(it, b)?;
                            domain(b > 0.0 && b != 1.0, x.ln() / b.ln())
                        }
                    }
                }),
            ),
            (
                "pow",
                native("pow", |it, _t, a, _k| {
                    arity("pow", a, 2, 2)?;
                    let (x, y) = (num(it, &a[0])?, num(it, &a[1])?);
                    let v = x.powf(y);
                    if x == 0.0 && y < 0.0 && y.is_finite() {
                        return Err(value_error("math domain error"));
                    }
                    if v.is_nan() && !x.is_nan() && !y.is_nan() {
                        return Err(value_error("math domain error"));
                    }
                    if v.is_infinite() && x.is_finite() && y.is_finite() {
                        return Err(overflow_error("math range error"));
                    }
                    Ok(Value::Float(v))
                }),
            ),
            (
                "fmod",
                native("fmod", |it, _t, a, _k| {
                    arity("fmod", a, 2, 2)?;
                    let (x, y) = (num(it, &a[0])?, num(it, &a[1])?);
                    if (y == 0.0 || x.is_infinite()) && !x.is_nan() && !y.is_nan() {
                        return Err(value_error("math domain error"));
                    }
                    // (An infinite divisor leaves a finite x as it is, as C's fmod does.)
                    Ok(Value::Float(if y.is_infinite() && x.is_finite() { x } else { x % y }))
                }),
            ),
            ("copysign", math2!("copysign", f64::copysign)),
            ("atan2", math2!("atan2", f64::atan2)),
            (
                "hypot",
                native("hypot", |it, _t, a, _k| {
                    let mut s = 0.0;
                    for x in a {
                        let v = num(it, x)?;
                        s += v * v;
                    }
                    Ok(Value::Float(s.sqrt()))
                }),
            ),
            (
                "gcd",
                native("gcd", |it, _t, a, _k| {
                    let mut g = num_bigint::BigInt::from(0);
                    for x in a {
                        g = num_integer::Integer::gcd(&g, &it.big_index_of(x)?);
                    }
                    Ok(Value::from_bigint(g))
                }),
            ),
            ("comb", native("comb", |it, _t, a, _k| comb_perm(it, a, "comb"))),
            ("perm", native("perm", |it, _t, a, _k| comb_perm(it, a, "perm"))),
            (
                "isqrt",
                native("isqrt", |it, _t, a, _k| {
                    arity("isqrt", a, 1, 1)?;
                    let n = it.big_index_of(&a[0])?;
                    if n.sign() == num_bigint::Sign::Minus {
                        return Err(value_error("isqrt() argument must be nonnegative"));
                    }
                    Ok(Value::from_bigint(num_integer::Roots::sqrt(&n)))
                }),
            ),
            (
                "lcm",
                native("lcm", |it, _t, a, _k| {
                    let mut l = num_bigint::BigInt::from(1);
                    for x in a {
                        let v = it.big_index_of(x)?;
                        l = num_integer::Integer::lcm(&l, &v);
                    }
                    Ok(Value::from_bigint(l))
                }),
            ),
            (
                "prod",
                native("prod", |it, _t, a, k| {
                    arity("prod", a, 1, 1)?;
                    check_kw("prod", k, &[Symbol::intern("start")])?;
                    let mut r = kwarg(k, Symbol::intern("start")).unwrap_or(Value::Int(1));
                    for x in it.collect(&a[0])? {
                        r = it.binop(crate::ast::BinOp::Mul, &r, &x)?;
                    }
                    Ok(r)
                }),
            ),
            (
                "fsum",
                native("fsum", |it, _t, a, _k| {
                    arity("fsum", a, 1, 1)?;
                    // Shewchuk's exact partial sums, as CPython's fsum: correctly rounded.
                    // Infinities and NaNs are summed apart, as CPython does; a finite sum that
                    // overflows is an OverflowError.
                    let mut partials: Vec<f64> = Vec::new();
                    let (mut special, mut inf_sum) = (0.0f64, 0.0f64);
                    for v in it.collect(&a[0])? {
                        let mut x = num(it, &v)?;
                        let xsave = x;
                        if !x.is_finite() {
                            if x.is_infinite() {
                                inf_sum += x;
                            }
                            special += x;
                            partials.clear();
                            continue;
                        }
                        let mut kept = 0;
                        for i in 0..partials.len() {
                            let mut y = partials[i];
                            if x.abs() < y.abs() {
                                std::mem::swap(&mut x, &mut y);
                            }
                            let hi = x + y;
                            let lo = y - (hi - x);
                            if lo != 0.0 {
                                partials[kept] = lo;
                                kept += 1;
                            }
                            x = hi;
                        }
                        partials.truncate(kept);
                        if !x.is_finite() && xsave.is_finite() {
                            return Err(overflow_error("intermediate overflow in fsum"));
                        }
                        partials.push(x);
                    }
                    if special != 0.0 || special.is_nan() {
                        if inf_sum.is_nan() {
                            return Err(value_error("-inf + inf in fsum"));
                        }
                        return Ok(Value::Float(special));
                    }
                    Ok(Value::Float(fsum_round(&partials)))
                }),
            ),
            ("copysign", math2!("copysign", f64::copysign)),
            (
                "modf",
                native("modf", |it, _t, a, _k| {
                    arity("modf", a, 1, 1)?;
                    let x = num(it, &a[0])?;
                    if x.is_infinite() {
                        return Ok(Value::tuple(vec![Value::Float(0.0f64.copysign(x)), Value::Float(x)]));
                    }
                    let i = x.trunc();
                    Ok(Value::tuple(vec![Value::Float((x - i).copysign(x)), Value::Float(i)]))
                }),
            ),
            (
                "frexp",
                native("frexp", |it, _t, a, _k| {
                    arity("frexp", a, 1, 1)?;
                    let (m, e) = crate::interp::compare::frexp(num(it, &a[0])?);
                    Ok(Value::tuple(vec![Value::Float(m), Value::Int(e)]))
                }),
            ),
            (
                "dist",
                native("dist", |it, _t, a, _k| {
                    arity("dist", a, 2, 2)?;
                    let (p, q) = (it.collect(&a[0])?, it.collect(&a[1])?);
                    if p.len() != q.len() {
                        return Err(value_error("both points must have the same number of dimensions"));
                    }
                    let mut s = 0.0;
                    for (x, y) in p.iter().zip(&q) {
                        let d = num(it, x)? - num(it, y)?;
                        s += d * d;
                    }
                    Ok(Value::Float(s.sqrt()))
                }),
            ),
            (
                "factorial",
                native("factorial", |it, _t, a, _k| {
                    arity("factorial", a, 1, 1)?;
                    let n = it.index_of(&a[0])?;
                    if n < 0 {
                        return Err(value_error("factorial() not defined for negative values"));
                    }
                    if n > 20_000 {
                        return Err(overflow_error("factorial() argument too large"));
                    }
                    let mut r = num_bigint::BigInt::from(1);
                    for i in 2..=n {
                        r *= i;
                    }
                    Ok(Value::from_bigint(r))
                }),
            ),
            (
                "isclose",
                native("isclose", |it, _t, a, k| {
                    arity("isclose", a, 2, 2)?;
                    let (x, y) = (num(it, &a[0])?, num(it, &a[1])?);
                    let rel = match kwarg(k, Symbol::intern("rel_tol")) {
                        Some(v) => num(it, &v)?,
                        None => 1e-9,
                    };
                    let abs = match kwarg(k, Symbol::intern("abs_tol")) {
                        Some(v) => num(it, &v)?,
                        None => 0.0,
                    };
                    if x == y {
                        return Ok(Value::Bool(true));
                    }
                    if x.is_infinite() || y.is_infinite() {
                        return Ok(Value::Bool(false));
                    }
                    let d = (x - y).abs();
                    Ok(Value::Bool(d <= (rel * y.abs()).max(rel * x.abs()) || d <= abs))
                }),
            ),
        ],
    )
}

fn int_round(it: &mut Interp, a: &[Value], name: &str, f: fn(f64) -> f64) -> R<Value> {
    arity(name, a, 1, 1)?;
    match &a[0] {
        Value::Int(_) | Value::BigInt(_) => Ok(a[0].clone()),
        Value::Bool(b) => Ok(Value::Int(*b as i64)),
        v => {
            let x = num(it, v)?;
            if x.is_nan() {
                return Err(value_error("cannot convert float NaN to integer"));
            }
            if x.is_infinite() {
                return Err(overflow_error("cannot convert float infinity to integer"));
            }
            Ok(super::float_to_int(f(x)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `MODULES` lists what diagnostics name as importable: each one must import.
    #[test]
    fn every_listed_module_exists() {
        let mut it = Interp::new(Default::default(), crate::interp::Output::Capture(Vec::new()));
        for name in MODULES {
            assert!(make_module(&mut it, name).is_some(), "{name}");
        }
        // The preludes ran (a failure there would leave only the native names).
        for (module, names) in [
            ("collections", &["deque", "defaultdict", "Counter", "OrderedDict", "namedtuple"][..]),
            ("heapq", &["heappush", "nlargest", "nsmallest", "merge"]),
            ("queue", &["Queue", "LifoQueue", "PriorityQueue", "SimpleQueue", "Empty", "Full"]),
            ("itertools", &["count", "chain", "islice", "groupby", "product", "zip_longest"]),
            ("functools", &["partial", "reduce", "wraps", "lru_cache", "cache", "cmp_to_key"]),
        ] {
            let Some(Value::Module(m)) = make_module(&mut it, module) else { panic!("{module}") };
            for name in names {
                assert!(m.attrs.borrow().contains_key(&Symbol::intern(name)), "{module}.{name}");
            }
        }
        assert!(MODULES.windows(2).all(|w| w[0] < w[1]), "MODULES is sorted");
    }
}
