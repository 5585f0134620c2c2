//! Methods of the built-in types: str, list, tuple, dict, set, generators and coroutines,
//! deques and the single-threaded `queue.Queue`.

use super::str_methods::str_method;
use super::{arity, check_kw, kwarg, sort_values, Kw};
use crate::interp::generators::{Outcome, Resume};
use crate::interp::*;
use crate::names::sym;
use crate::span::Symbol;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

type M = (&'static str, NativeFn);

/// The native method `name` of `obj`'s type, if any.
pub fn native_method(obj: &Value, name: Symbol) -> Option<M> {
    match obj {
        Value::Str(_) => str_method(name),
        Value::List(_) => list_method(name),
        Value::Tuple(_) => match name {
            sym::INDEX_M => Some(("index", seq_index)),
            sym::COUNT => Some(("count", seq_count)),
            _ => None,
        },
        Value::Dict(_) => dict_method(name),
        // A frozenset has the methods that do not change a set.
        Value::Set(d) if d.borrow().frozen => match name {
            sym::ADD_M
            | sym::REMOVE
            | sym::DISCARD
            | sym::POP
            | sym::CLEAR
            | sym::UPDATE
            | sym::INTERSECTION_UPDATE
            | sym::DIFFERENCE_UPDATE
            | sym::SYMMETRIC_DIFFERENCE_UPDATE => None,
            _ => set_method(name),
        },
        Value::Set(_) => set_method(name),
        Value::Gen(g) if g.is_async_gen => match name {
            sym::AITER => Some(("__aiter__", identity)),
            sym::ANEXT => Some(("__anext__", |_, t, a, _| {
                arity("__anext__", a, 0, 0)?;
                agen_op(t, AsyncGenOpKind::Send(Value::None))
            })),
            sym::ASEND => Some(("asend", |_, t, a, _| {
                arity("asend", a, 1, 1)?;
                agen_op(t, AsyncGenOpKind::Send(a[0].clone()))
            })),
            sym::ATHROW => Some(("athrow", |it, t, a, _| {
                arity("athrow", a, 1, 3)?;
                let e = thrown_exception(it, a)?;
                agen_op(t, AsyncGenOpKind::Throw(e))
            })),
            sym::ACLOSE => Some(("aclose", |_, t, a, _| {
                arity("aclose", a, 0, 0)?;
                agen_op(t, AsyncGenOpKind::Close)
            })),
            _ => None,
        },
        Value::Native(n) if matches!(**n, Native::CoroWrapper(_)) => match name {
            sym::SEND => Some(("send", gen_send)),
            sym::THROW => Some(("throw", gen_throw)),
            sym::CLOSE => Some(("close", gen_close)),
            sym::NEXT => Some(("__next__", gen_next)),
            sym::ITER => Some(("__iter__", identity)),
            _ => None,
        },
        Value::Native(n)
            if matches!(
                **n,
                Native::AsyncGenOp { .. } | Native::ANextDefault { .. } | Native::AwaitTranslate { .. }
            ) =>
        {
            match name {
                sym::SEND => Some(("send", |it, t, a, _| {
                    arity("send", a, 1, 1)?;
                    awaitable_step(it, t, Resume::Send(a[0].clone()))
                })),
                sym::THROW => Some(("throw", |it, t, a, _| {
                    arity("throw", a, 1, 3)?;
                    let e = it.make_exception(&a[0])?;
                    awaitable_step(it, t, Resume::Throw(raise_value(e)))
                })),
                sym::NEXT => Some(("__next__", |it, t, a, _| {
                    arity("__next__", a, 0, 0)?;
                    awaitable_step(it, t, Resume::Send(Value::None))
                })),
                sym::CLOSE => Some(("close", |_, t, _, _| {
                    if let Value::Native(n) = t {
                        if let Native::AsyncGenOp { state, .. } = &**n {
                            state.set(2);
                        }
                    }
                    Ok(Value::None)
                })),
                sym::AWAIT | sym::ITER => Some(("__await__", identity)),
                _ => None,
            }
        }
        Value::Gen(g) => match name {
            sym::SEND => Some(("send", gen_send)),
            sym::THROW => Some(("throw", gen_throw)),
            sym::CLOSE => Some(("close", gen_close)),
            sym::NEXT if !g.is_coroutine => Some(("__next__", gen_next)),
            sym::ITER if !g.is_coroutine => Some(("__iter__", identity)),
            sym::AWAIT if g.is_coroutine => Some(("__await__", |_, t, a, _| {
                arity("__await__", a, 0, 0)?;
                Ok(Value::Native(Rc::new(Native::CoroWrapper(t.clone()))))
            })),
            _ => None,
        },
        Value::Native(n) if matches!(**n, Native::Property { .. }) => match name {
            sym::SETTER => Some(("setter", |_, t, a, _| property_with(t, a, 1))),
            sym::GETTER => Some(("getter", |_, t, a, _| property_with(t, a, 0))),
            sym::DELETER => Some(("deleter", |_, t, a, _| property_with(t, a, 2))),
            _ => None,
        },
        Value::Iter(_) => match name {
            sym::NEXT => Some(("__next__", iter_next)),
            sym::ITER => Some(("__iter__", identity)),
            _ => None,
        },
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => match name {
            sym::BIT_LENGTH => Some(("bit_length", int_bit_length)),
            sym::BIT_COUNT => Some(("bit_count", int_bit_count)),
            sym::AS_INTEGER_RATIO => Some(("as_integer_ratio", |_, t, a, _| {
                arity("int.as_integer_ratio", a, 0, 0)?;
                let n = match t {
                    Value::Bool(b) => Value::Int(*b as i64),
                    _ => t.clone(),
                };
                Ok(Value::tuple(vec![n, Value::Int(1)]))
            })),
            sym::CONJUGATE => Some(("conjugate", identity)),
            _ => None,
        },
        Value::Float(_) => match name {
            sym::IS_INTEGER => Some(("is_integer", float_is_integer)),
            sym::AS_INTEGER_RATIO => Some(("as_integer_ratio", float_as_integer_ratio)),
            sym::HEX_M => Some(("hex", float_hex)),
            sym::CONJUGATE => Some(("conjugate", identity)),
            _ => None,
        },
        Value::Range(_) => match name {
            sym::INDEX_M => Some(("index", seq_index)),
            sym::COUNT => Some(("count", seq_count)),
            _ => None,
        },
        Value::Native(n) => match &**n {
            Native::Deque { .. } => deque_method(name),
            Native::Stream { .. } => stream_method(name),
            Native::Random(_) => super::random::method(name),
            Native::AttrDict(_) => attr_dict_method(name),
            Native::DictView { kind, .. } if *kind != 1 && name == sym::ISDISJOINT => {
                Some(("isdisjoint", |it, t, a, _| {
                    arity("isdisjoint", a, 1, 1)?;
                    let (x, y) = (it.view_as_set(t)?, it.view_as_set(&a[0])?);
                    let both = it.binop(crate::ast::BinOp::BitAnd, &x, &y)?;
                    Ok(Value::Bool(!it.truthy(&both)?))
                }))
            }
            Native::Sched(s) => crate::scheduler::method(s, name),
            _ => None,
        },
        _ => None,
    }
}

/// Which table `native_method` looks in for `obj` (0: none): values of one kind have the same
/// methods.
#[inline]
fn native_kind(obj: &Value) -> u8 {
    match obj {
        Value::Str(_) => 1,
        Value::List(_) => 2,
        Value::Tuple(_) => 3,
        Value::Dict(_) => 4,
        Value::Set(d) if d.borrow().frozen => 21,
        Value::Set(_) => 5,
        // (An async generator's methods are not a generator's.)
        Value::Gen(g) if g.is_async_gen => 20,
        Value::Gen(g) => 6 + g.is_coroutine as u8,
        Value::Iter(_) => 8,
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => 9,
        Value::Float(_) => 10,
        Value::Range(_) => 11,
        Value::Native(n) => match &**n {
            Native::Deque { .. } => 12,
            // 14 to 18 are the scheduler's kinds.
            Native::Stream { .. } => 19,
            // Each kind of scheduler object has its own methods.
            Native::Sched(s) => 14 + crate::scheduler::kind_index(s),
            _ => 0,
        },
        _ => 0,
    }
}

/// `native_method` through the interpreter's small cache: the dispatch loop looks a method up
/// twice a call (`LoadMethod` checks it exists before the arguments run, `CallMethod` calls it).
#[inline]
pub fn native_method_cached(it: &mut Interp, obj: &Value, name: Symbol) -> Option<M> {
    let kind = native_kind(obj);
    if kind == 0 {
        return None;
    }
    let slot = (name.0 as usize).wrapping_mul(31).wrapping_add(kind as usize) & 63;
    let entry = &mut it.method_cache[slot];
    if entry.0 == kind && entry.1 == name {
        return entry.2;
    }
    let found = native_method(obj, name);
    *entry = (kind, name, found);
    found
}

/// A bound native method of a built-in value called with keyword arguments: CPython's
/// take none but for a few (`list.sort(key=)`, `str.split(sep=)`, `dict.update(a=1)`), and
/// say so: "list.copy() takes no keyword arguments". Other receivers (the scheduler's
/// objects, whose asyncio counterparts are Python methods; instances) are left to the method.
#[cold]
pub fn check_method_kw(it: &Interp, b: &Builtin, this: &Value) -> R<()> {
    let owner = match this {
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => "int".to_string(),
        Value::Str(_)
        | Value::List(_)
        | Value::Dict(_)
        | Value::Set(_)
        | Value::Tuple(_)
        | Value::Float(_) => it.type_name(this),
        Value::Gen(_) | Value::Range(_) | Value::Iter(_) => it.type_name(this),
        Value::Native(n) if matches!(**n, Native::Deque { .. }) => "deque".to_string(),
        _ => return Ok(()),
    };
    let name = b.name.rsplit('.').next().unwrap_or(b.name);
    // The methods that take keywords, by their type: `set.update` takes none, as CPython's.
    let takes = matches!(
        (owner.as_str(), name),
        (_, "__init__")
            | ("list", "sort")
            | ("dict", "update")
            | ("int", "to_bytes" | "from_bytes")
            | ("str", "split" | "rsplit" | "splitlines" | "format" | "expandtabs" | "encode")
    );
    if takes {
        return Ok(());
    }
    Err(type_error(format!("{}.{}() takes no keyword arguments", owner, name)))
}

/// Plain attributes of built-in values (`deque.maxlen`, `range.start`, `x.real`).
pub fn native_attr(it: &mut Interp, obj: &Value, name: Symbol) -> R<Option<Value>> {
    Ok(match (obj, name) {
        (Value::Native(n), sym::MAXLEN) => match &**n {
            Native::Deque { maxlen, .. } => Some(maxlen.map(|m| Value::Int(m as i64)).unwrap_or(Value::None)),
            _ => None,
        },
        (Value::Native(n), _) if matches!(**n, Native::UnionType(_)) && name.as_str() == "__args__" => {
            let Native::UnionType(args) = &**n else { return Ok(None) };
            Some(args.clone())
        }
        (Value::Native(n), _) if matches!(**n, Native::Property { .. }) => {
            let Native::Property { fget, fset, fdel, doc, .. } = &**n else { return Ok(None) };
            match name {
                sym::FGET => Some(fget.clone()),
                sym::FSET => Some(fset.clone()),
                sym::FDEL => Some(fdel.clone()),
                sym::DOC => Some(doc.clone()),
                _ => None,
            }
        }
        (Value::Native(n), sym::FUNC | sym::WRAPPED)
            if matches!(**n, Native::StaticMethod(_) | Native::ClassMethod(_)) =>
        {
            match &**n {
                Native::StaticMethod(f) | Native::ClassMethod(f) => Some(f.clone()),
                _ => None,
            }
        }
        (Value::Native(n), _) if matches!(**n, Native::Namespace(_)) => {
            let Native::Namespace(attrs) = &**n else { return Ok(None) };
            if name == sym::DICT {
                return it.dict_of_names(attrs).map(Some);
            }
            let v = attrs.borrow().get(&name).cloned();
            v
        }
        (Value::Native(n), _) if matches!(**n, Native::Sched(_)) => {
            let Native::Sched(s) = &**n else { return Ok(None) };
            crate::scheduler::attr(it, s, name)?
        }
        (Value::Range(r), sym::START) => Some(Value::Int(r.start)),
        (Value::Range(r), sym::STOP) => Some(Value::Int(r.stop)),
        (Value::Range(r), sym::STEP) => Some(Value::Int(r.step)),
        (Value::Int(_) | Value::BigInt(_) | Value::Float(_), sym::REAL) => Some(obj.clone()),
        (Value::Bool(b), sym::REAL) => Some(Value::Int(*b as i64)),
        (Value::Int(_) | Value::BigInt(_) | Value::Bool(_), sym::IMAG) => Some(Value::Int(0)),
        (Value::Int(_) | Value::BigInt(_), sym::NUMERATOR) => Some(obj.clone()),
        (Value::Bool(b), sym::NUMERATOR) => Some(Value::Int(*b as i64)),
        (Value::Int(_) | Value::BigInt(_) | Value::Bool(_), sym::DENOMINATOR) => Some(Value::Int(1)),
        (Value::Float(_), sym::IMAG) => Some(Value::Float(0.0)),
        (Value::Slice(s), sym::START) => Some(s[0].clone()),
        (Value::Slice(s), sym::STOP) => Some(s[1].clone()),
        (Value::Slice(s), sym::STEP) => Some(s[2].clone()),
        (Value::Builtin(b), sym::QUALNAME) => Some(Value::str(b.name)),
        (Value::Gen(g), _) => gen_attr(it, g, name),
        (Value::Native(n), _) if matches!(**n, Native::CodeObj(_) | Native::FrameObj { .. }) => match &**n {
            Native::CodeObj(c) => code_attr(it, c, name),
            Native::FrameObj { code, line } => match name {
                sym::F_LINENO => Some(Value::Int(*line)),
                sym::F_CODE => Some(Value::Native(Rc::new(Native::CodeObj(code.clone())))),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    })
}

pub use super::type_methods::type_method;

fn identity(_it: &mut Interp, this: &Value, _a: &[Value], _k: Kw) -> R<Value> {
    Ok(this.clone())
}

// ----- sequences -----

fn seq_items(it: &mut Interp, t: &Value) -> R<Vec<Value>> {
    it.collect(t)
}

fn seq_index(it: &mut Interp, t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("index", a, 1, 3)?;
    // The bounds first, as CPython reads its arguments: an `__index__` may change the list,
    // and the search is over the list as it is then.
    let start = a.get(1).map(|v| it.index_of(v)).transpose()?;
    let end = a.get(2).map(|v| it.index_of(v)).transpose()?;
    let items = seq_items(it, t)?;
    let n = items.len() as i64;
    let norm = |v: Option<i64>, d: i64| match v {
        None => d,
        Some(i) => {
            if i < 0 {
                (i + n).max(0)
            } else {
                i.min(n)
            }
        }
    };
    let (start, end) = (norm(start, 0), norm(end, n));
    for i in start..end {
        let x = &items[i as usize];
        if x.is(&a[0]) || it.eq(x, &a[0])? {
            return Ok(Value::Int(i));
        }
    }
    let what = match t {
        Value::Tuple(_) => "tuple.index(x): x not in tuple".to_string(),
        Value::Range(_) => format!("{} is not in range", it.repr(&a[0])?),
        _ => format!("{} is not in list", it.repr(&a[0])?),
    };
    Err(value_error(what))
}

fn seq_count(it: &mut Interp, t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("count", a, 1, 1)?;
    let items = seq_items(it, t)?;
    let mut n = 0;
    for x in &items {
        if x.is(&a[0]) || it.eq(x, &a[0])? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn this_list(t: &Value) -> Rc<RefCell<Vec<Value>>> {
    match t {
        Value::List(l) => l.clone(),
        _ => Rc::new(RefCell::new(Vec::new())),
    }
}

fn list_method(name: Symbol) -> Option<M> {
    Some(match name {
        sym::APPEND => ("append", |it, t, a, _| {
            arity("list.append", a, 1, 1)?;
            it.charge_memory(16)?;
            this_list(t).borrow_mut().push(a[0].clone());
            Ok(Value::None)
        }),
        sym::EXTEND => ("extend", |it, t, a, _| {
            arity("extend", a, 1, 1)?;
            let items = it.collect(&a[0])?;
            it.charge_memory(items.len() * 16)?;
            this_list(t).borrow_mut().extend(items);
            Ok(Value::None)
        }),
        sym::INSERT => ("insert", |it, t, a, _| {
            arity("insert", a, 2, 2)?;
            let l = this_list(t);
            let i = insert_at(it, &a[0], || l.borrow().len())?;
            l.borrow_mut().insert(i, a[1].clone());
            Ok(Value::None)
        }),
        sym::POP => ("pop", |it, t, a, _| {
            if a.len() > 1 {
                // CPython's words for list.pop (argument clinic's).
                return Err(type_error(format!("pop expected at most 1 argument, got {}", a.len())));
            }
            // An index given as an instance (`__index__`) is made an int first: its code may
            // change the list.
            let at = match a.first() {
                Some(v @ Value::Instance(_)) => Some(Value::Int(it.index_of(v)?)),
                v => v.cloned(),
            };
            let l = this_list(t);
            let n = l.borrow().len();
            if n == 0 {
                return Err(index_error("pop from empty list"));
            }
            let i = match &at {
                Some(v) => it.seq_index(v, n, "pop")?,
                None => n - 1,
            };
            let v = l.borrow_mut().remove(i);
            Ok(v)
        }),
        sym::REMOVE => ("remove", |it, t, a, _| {
            arity("remove", a, 1, 1)?;
            let l = this_list(t);
            let items = l.borrow().clone();
            for (i, x) in items.iter().enumerate() {
                if x.is(&a[0]) || it.eq(x, &a[0])? {
                    // `__eq__` may have changed the list meanwhile.
                    if i < l.borrow().len() {
                        l.borrow_mut().remove(i);
                    }
                    return Ok(Value::None);
                }
            }
            Err(value_error("list.remove(x): x not in list"))
        }),
        sym::INDEX_M => ("index", seq_index),
        sym::COUNT => ("count", seq_count),
        sym::SORT => ("sort", |it, t, a, k| {
            arity("sort", a, 0, 0)?;
            check_kw("sort", k, &[sym::KEY, Symbol::intern("reverse")])?;
            let key = kwarg(k, sym::KEY).filter(|v| !v.is_none());
            let reverse = match kwarg(k, Symbol::intern("reverse")) {
                Some(v) => it.truthy(&v)?,
                None => false,
            };
            let l = this_list(t);
            let items = std::mem::take(&mut *l.borrow_mut());
            match sort_values(it, items.clone(), key, reverse) {
                Ok(sorted) => {
                    // The list is empty while it is sorted: what a key function added to it
                    // is dropped, and the sort fails, as in CPython (which also sees an
                    // addition taken out again; this does not).
                    let modified = !l.borrow().is_empty();
                    *l.borrow_mut() = sorted;
                    if modified {
                        return Err(value_error("list modified during sort"));
                    }
                    Ok(Value::None)
                }
                Err(e) => {
                    *l.borrow_mut() = items;
                    Err(e)
                }
            }
        }),
        sym::REVERSE => ("reverse", |_, t, a, _| {
            arity("list.reverse", a, 0, 0)?;
            this_list(t).borrow_mut().reverse();
            Ok(Value::None)
        }),
        sym::COPY => ("copy", |_, t, a, _| {
            arity("list.copy", a, 0, 0)?;
            Ok(Value::list(this_list(t).borrow().clone()))
        }),
        sym::CLEAR => ("clear", |_, t, a, _| {
            arity("list.clear", a, 0, 0)?;
            // Emptied first, then its items let go from the last, as CPython does (the order
            // their finalizers run in).
            let items = std::mem::take(&mut *this_list(t).borrow_mut());
            items.into_iter().rev().for_each(drop);
            Ok(Value::None)
        }),
        _ => return None,
    })
}

// ----- dict -----

fn this_dict(t: &Value) -> Rc<RefCell<crate::dict::Dict>> {
    match t {
        Value::Dict(d) | Value::Set(d) => d.clone(),
        _ => Rc::new(RefCell::new(crate::dict::Dict::new())),
    }
}

/// `d.update(src)`: from a dict or an iterable of pairs.
pub fn dict_update_from(it: &mut Interp, d: &Rc<RefCell<crate::dict::Dict>>, src: &Value) -> R<()> {
    // A dict subclass gives its items; another mapping its keys, each looked up.
    if let Value::Instance(i) = src {
        if let Some(b @ Value::Dict(_)) = i.base.as_deref() {
            let b = b.clone();
            return dict_update_from(it, d, &b);
        }
    }
    if matches!(src, Value::Instance(_) | Value::Native(_)) && it.has_method(src, sym::KEYS) {
        let keys = it.call_method(src, sym::KEYS, &[], &[])?;
        for k in it.collect(&keys)? {
            let v = it.getitem(src, &k)?;
            it.dict_set(d, k, v)?;
        }
        return Ok(());
    }
    if let Value::Dict(s) = src {
        let entries: Vec<(Value, Value)> =
            s.borrow().iter().map(|e| (e.key.clone(), e.value.clone())).collect();
        for (k, v) in entries {
            it.dict_set(d, k, v)?;
        }
        return Ok(());
    }
    for (i, item) in it.collect(src)?.into_iter().enumerate() {
        let pair = it.collect(&item).map_err(|_| {
            type_error(format!("cannot convert dictionary update sequence element #{} to a sequence", i))
        })?;
        if pair.len() != 2 {
            return Err(value_error(format!(
                "dictionary update sequence element #{} has length {}; 2 is required",
                i,
                pair.len()
            )));
        }
        let mut p = pair.into_iter();
        if let (Some(k), Some(v)) = (p.next(), p.next()) {
            it.dict_set(d, k, v)?;
        }
    }
    Ok(())
}

fn dict_method(name: Symbol) -> Option<M> {
    Some(match name {
        sym::GET => ("get", |it, t, a, _| {
            arity("get", a, 1, 2)?;
            Ok(it.dict_get(&this_dict(t), &a[0])?.unwrap_or_else(|| a.get(1).cloned().unwrap_or(Value::None)))
        }),
        sym::KEYS => ("keys", |_, t, a, _| {
            arity("dict.keys", a, 0, 0)?;
            Ok(Value::Native(Rc::new(Native::DictView { d: this_dict(t), kind: 0 })))
        }),
        sym::VALUES => ("values", |_, t, a, _| {
            arity("dict.values", a, 0, 0)?;
            Ok(Value::Native(Rc::new(Native::DictView { d: this_dict(t), kind: 1 })))
        }),
        sym::ITEMS => ("items", |_, t, a, _| {
            arity("dict.items", a, 0, 0)?;
            Ok(Value::Native(Rc::new(Native::DictView { d: this_dict(t), kind: 2 })))
        }),
        sym::POP => ("pop", |it, t, a, _| {
            arity("pop", a, 1, 2)?;
            match it.dict_remove(&this_dict(t), &a[0])? {
                Some(v) => Ok(v),
                None => match a.get(1) {
                    Some(d) => Ok(d.clone()),
                    None => Err(key_error(a[0].clone())),
                },
            }
        }),
        sym::POPITEM => ("popitem", |_, t, a, _| {
            arity("dict.popitem", a, 0, 0)?;
            match this_dict(t).borrow_mut().pop_last() {
                Some(e) => Ok(Value::tuple(vec![e.key, e.value])),
                None => Err(key_error(Value::str("popitem(): dictionary is empty"))),
            }
        }),
        sym::SETDEFAULT => ("setdefault", |it, t, a, _| {
            arity("setdefault", a, 1, 2)?;
            let d = this_dict(t);
            if let Some(v) = it.dict_get(&d, &a[0])? {
                return Ok(v);
            }
            let v = a.get(1).cloned().unwrap_or(Value::None);
            it.dict_set(&d, a[0].clone(), v.clone())?;
            Ok(v)
        }),
        sym::UPDATE => ("update", |it, t, a, k| {
            arity("update", a, 0, 1)?;
            let d = this_dict(t);
            if let Some(src) = a.first() {
                dict_update_from(it, &d, src)?;
            }
            for (name, v) in k {
                it.dict_set(&d, Value::str(name.as_str()), v.clone())?;
            }
            Ok(Value::None)
        }),
        sym::COPY => ("copy", |_, t, a, _| {
            arity("dict.copy", a, 0, 0)?;
            Ok(Value::dict(this_dict(t).borrow().clone()))
        }),
        sym::CLEAR => ("clear", |_, t, a, _| {
            arity("dict.clear", a, 0, 0)?;
            this_dict(t).borrow_mut().clear();
            Ok(Value::None)
        }),
        _ => return None,
    })
}

// ----- set -----

/// The set argument of a comparison method: a set as it is, anything else made one.
fn set_from(it: &mut Interp, v: &Value) -> R<Rc<RefCell<crate::dict::Dict>>> {
    if let Value::Set(d) = v {
        return Ok(d.clone());
    }
    it.make_set(false, Some(v))
}

fn set_method(name: Symbol) -> Option<M> {
    Some(match name {
        sym::ADD_M => ("add", |it, t, a, _| {
            arity("add", a, 1, 1)?;
            it.set_add(&this_dict(t), a[0].clone())?;
            Ok(Value::None)
        }),
        sym::REMOVE => ("remove", |it, t, a, _| {
            arity("remove", a, 1, 1)?;
            let key = it.frozen_key(&a[0])?;
            match it.dict_remove(&this_dict(t), &key)? {
                Some(_) => Ok(Value::None),
                None => Err(key_error(a[0].clone())),
            }
        }),
        sym::DISCARD => ("discard", |it, t, a, _| {
            arity("discard", a, 1, 1)?;
            let key = it.frozen_key(&a[0])?;
            it.dict_remove(&this_dict(t), &key)?;
            Ok(Value::None)
        }),
        sym::POP => ("pop", |_, t, a, _| {
            arity("set.pop", a, 0, 0)?;
            match this_dict(t).borrow_mut().pop_finger() {
                Some(e) => Ok(e.key),
                None => Err(key_error(Value::str("pop from an empty set"))),
            }
        }),
        sym::UNION => ("union", |it, t, a, _| Ok(Value::Set(it.set_union(&this_dict(t), a)?))),
        sym::INTERSECTION => {
            ("intersection", |it, t, a, _| Ok(Value::Set(it.set_intersection_multi(&this_dict(t), a)?)))
        }
        sym::DIFFERENCE => {
            ("difference", |it, t, a, _| Ok(Value::Set(it.set_difference_multi(&this_dict(t), a)?)))
        }
        sym::SYMMETRIC_DIFFERENCE => ("symmetric_difference", |it, t, a, _| {
            arity("symmetric_difference", a, 1, 1)?;
            Ok(Value::Set(it.set_symmetric_difference(&this_dict(t), &a[0])?))
        }),
        sym::UPDATE => ("update", |it, t, a, _| {
            let d = this_dict(t);
            for x in a {
                it.set_update(&d, x)?;
            }
            Ok(Value::None)
        }),
        sym::INTERSECTION_UPDATE => ("intersection_update", |it, t, a, _| {
            let d = this_dict(t);
            let r = it.set_intersection_multi(&d, a)?;
            let r = r.borrow().clone();
            d.borrow_mut().take_table(r);
            Ok(Value::None)
        }),
        sym::DIFFERENCE_UPDATE => ("difference_update", |it, t, a, _| {
            let d = this_dict(t);
            for x in a {
                it.set_difference_update(&d, x)?;
            }
            Ok(Value::None)
        }),
        sym::SYMMETRIC_DIFFERENCE_UPDATE => ("symmetric_difference_update", |it, t, a, _| {
            arity("symmetric_difference_update", a, 1, 1)?;
            it.set_symmetric_difference_update(&this_dict(t), &a[0])?;
            Ok(Value::None)
        }),
        sym::ISSUBSET => ("issubset", |it, t, a, _| {
            arity("issubset", a, 1, 1)?;
            let o = set_from(it, &a[0])?;
            it.order(crate::ast::CmpOp::Le, t, &Value::Set(o)).map(Value::Bool)
        }),
        sym::ISSUPERSET => ("issuperset", |it, t, a, _| {
            arity("issuperset", a, 1, 1)?;
            let o = set_from(it, &a[0])?;
            it.order(crate::ast::CmpOp::Ge, t, &Value::Set(o)).map(Value::Bool)
        }),
        sym::ISDISJOINT => ("isdisjoint", |it, t, a, _| {
            arity("isdisjoint", a, 1, 1)?;
            it.set_isdisjoint(&this_dict(t), &a[0]).map(Value::Bool)
        }),
        // A frozenset's copy is itself, as in CPython.
        sym::COPY => ("copy", |it, t, a, _| {
            if !a.is_empty() {
                let frozen = matches!(t, Value::Set(d) if d.borrow().frozen);
                arity(if frozen { "frozenset.copy" } else { "set.copy" }, a, 0, 0)?;
            }
            let d = this_dict(t);
            if d.borrow().frozen {
                return Ok(t.clone());
            }
            Ok(Value::Set(it.set_copy(&d)?))
        }),
        sym::CLEAR => ("clear", |_, t, a, _| {
            arity("set.clear", a, 0, 0)?;
            this_dict(t).borrow_mut().clear();
            Ok(Value::None)
        }),
        _ => return None,
    })
}

// ----- generators and coroutines -----

fn this_gen(t: &Value) -> R<Rc<Generator>> {
    match t {
        Value::Gen(g) => Ok(g.clone()),
        // A coroutine's `__await__()` steps the coroutine.
        Value::Native(n) => match &**n {
            Native::CoroWrapper(Value::Gen(g)) => Ok(g.clone()),
            _ => Err(type_error("expected a generator")),
        },
        _ => Err(type_error("expected a generator")),
    }
}

/// Turns a resumption outcome into a method result: a return becomes StopIteration(value).
fn outcome_value(it: &mut Interp, o: Outcome) -> R<Value> {
    match o {
        Outcome::Yield(v) => Ok(v),
        Outcome::Return(v) => {
            let args = if v.is_none() { vec![] } else { vec![v] };
            Err(raise_value(new_exception(&it.t.stop_iteration, args)))
        }
    }
}

fn gen_send(it: &mut Interp, t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("send", a, 1, 1)?;
    let g = this_gen(t)?;
    let o = it.gen_resume(&g, Resume::Send(a[0].clone()))?;
    outcome_value(it, o)
}

fn gen_next(it: &mut Interp, t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("__next__", a, 0, 0)?;
    let g = this_gen(t)?;
    let o = it.gen_resume(&g, Resume::Send(Value::None))?;
    outcome_value(it, o)
}

fn iter_next(it: &mut Interp, t: &Value, _a: &[Value], _k: Kw) -> R<Value> {
    match it.next(t)? {
        Some(v) => Ok(v),
        None => Err(raise_value(new_exception(&it.t.stop_iteration, vec![]))),
    }
}

fn gen_throw(it: &mut Interp, t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("throw", a, 1, 3)?;
    let g = this_gen(t)?;
    let e = thrown_exception(it, a)?;
    let o = it.gen_resume(&g, Resume::Throw(raise_value(e)))?;
    outcome_value(it, o)
}

/// The exception `throw(type[, value[, tb]])` and `athrow(...)` raise, made as CPython's
/// `_gen_throw` makes it: an instance as it is; a class with a value that is an instance of
/// it, that value; with any other value, the class called with it (a tuple is the
/// arguments, the legacy form).
fn thrown_exception(it: &mut Interp, a: &[Value]) -> R<Value> {
    let value = a.get(1).filter(|v| !v.is_none());
    match (&a[0], value) {
        (Value::Class(c), Some(v)) if c.is_exception => match v {
            Value::Instance(i) if i.class.is_subclass(c) => Ok(v.clone()),
            Value::Tuple(args) => it.call(&a[0], args, &[]),
            _ => it.call(&a[0], std::slice::from_ref(v), &[]),
        },
        (Value::Class(c), None) if c.is_exception => it.make_exception(&a[0]),
        (Value::Instance(i), Some(_)) if i.class.is_exception => {
            Err(type_error("instance exception may not have a separate value"))
        }
        (Value::Instance(i), None) if i.class.is_exception => Ok(a[0].clone()),
        (v, _) => Err(type_error(format!(
            "exceptions must be classes or instances deriving from BaseException, not {}",
            it.type_name(v)
        ))),
    }
}

fn gen_close(it: &mut Interp, t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    if !a.is_empty() {
        arity(&format!("{}.close", it.type_name(t)), a, 0, 0)?;
    }
    let g = this_gen(t)?;
    it.close_generator(&g)?;
    Ok(Value::None)
}

// ----- numbers -----

fn int_bit_length(_it: &mut Interp, t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("int.bit_length", a, 0, 0)?;
    Ok(Value::Int(match t {
        Value::Int(i) => 64 - i.unsigned_abs().leading_zeros() as i64,
        Value::Bool(b) => *b as i64,
        Value::BigInt(b) => b.bits() as i64,
        _ => 0,
    }))
}

/// Where `insert(i, x)` puts `x` in a sequence of `len` items: a negative `i` counts from
/// the end, and both ends clamp, as in CPython.
/// Where `insert(i, x)` puts `x`: `i` clamped to the length, which `len` reads after `i` is
/// made an int (an `__index__` may run code that changes the container).
fn insert_at(it: &mut Interp, i: &Value, len: impl FnOnce() -> usize) -> R<usize> {
    let i = it.index_of(i)?;
    let n = len() as i64;
    Ok(if i < 0 { (i + n).max(0) } else { i.min(n) } as usize)
}

fn int_bit_count(_it: &mut Interp, t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("int.bit_count", a, 0, 0)?;
    Ok(Value::Int(match t {
        Value::Int(i) => i.unsigned_abs().count_ones() as i64,
        Value::Bool(b) => *b as i64,
        Value::BigInt(b) => b.magnitude().iter_u64_digits().map(|d| d.count_ones() as i64).sum(),
        _ => 0,
    }))
}

/// `x.as_integer_ratio()`: the exact fraction, in lowest terms, with a positive denominator.
fn float_as_integer_ratio(_it: &mut Interp, t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("float.as_integer_ratio", a, 0, 0)?;
    let Value::Float(x) = *t else { return Ok(Value::None) };
    if x.is_infinite() {
        return Err(overflow_error("cannot convert Infinity to integer ratio"));
    }
    if x.is_nan() {
        return Err(value_error("cannot convert NaN to integer ratio"));
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (mut m, mut e) = if exp == 0 { (frac, -1074) } else { (frac | (1 << 52), exp - 1075) };
    if m == 0 {
        return Ok(Value::tuple(vec![Value::Int(0), Value::Int(1)]));
    }
    while m % 2 == 0 && e < 0 {
        m /= 2;
        e += 1;
    }
    let sign = if x < 0.0 { -1 } else { 1 };
    let m = num_bigint::BigInt::from(m) * sign;
    let (n, d) = if e >= 0 {
        (m << (e as usize), num_bigint::BigInt::from(1))
    } else {
        (m, num_bigint::BigInt::from(1) << ((-e) as usize))
    };
    Ok(Value::tuple(vec![Value::from_bigint(n), Value::from_bigint(d)]))
}

/// `x.hex()`, CPython's format: `0x1.999999999999ap-4`, `-0x0.0p+0`, `inf`.
fn float_hex(_it: &mut Interp, t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("float.hex", a, 0, 0)?;
    let Value::Float(x) = *t else { return Ok(Value::None) };
    if x.is_nan() {
        return Ok(Value::str("nan"));
    }
    if x.is_infinite() {
        return Ok(Value::str(if x < 0.0 { "-inf" } else { "inf" }));
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x == 0.0 {
        return Ok(Value::string(format!("{}0x0.0p+0", sign)));
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (lead, e) = if exp == 0 { (0, -1022) } else { (1, exp - 1023) };
    Ok(Value::string(format!(
        "{}0x{}.{:013x}p{}{}",
        sign,
        lead,
        frac,
        if e < 0 { "-" } else { "+" },
        e.abs()
    )))
}

fn float_is_integer(_it: &mut Interp, t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("float.is_integer", a, 0, 0)?;
    Ok(Value::Bool(matches!(t, Value::Float(f) if f.is_finite() && f.fract() == 0.0)))
}

// ----- deque -----

fn deque_parts(t: &Value) -> Option<(&RefCell<std::collections::VecDeque<Value>>, Option<usize>)> {
    match t {
        Value::Native(n) => match &**n {
            Native::Deque { items, maxlen } => Some((items, *maxlen)),
            _ => None,
        },
        _ => None,
    }
}

/// `d.popleft()` (the dispatch loop calls it directly, see `Instr::CallMethod`).
#[inline]
pub fn deque_popleft(t: &Value) -> R<Value> {
    let v = deque_parts(t).and_then(|(d, _)| d.borrow_mut().pop_front());
    v.ok_or_else(|| index_error("pop from an empty deque"))
}

/// `d.append(v)` or `d.appendleft(v)`, dropping from the other end past `maxlen`.
#[inline]
pub fn deque_push(t: &Value, v: Value, left: bool) {
    if let Some((items, maxlen)) = deque_parts(t) {
        let mut d = items.borrow_mut();
        if maxlen == Some(0) {
            return;
        }
        if left {
            d.push_front(v);
            if maxlen.is_some_and(|m| d.len() > m) {
                d.pop_back();
            }
        } else {
            d.push_back(v);
            if maxlen.is_some_and(|m| d.len() > m) {
                d.pop_front();
            }
        }
    }
}

fn deque_method(name: Symbol) -> Option<M> {
    Some(match name {
        sym::APPEND => ("append", |_, t, a, _| {
            arity("deque.append", a, 1, 1)?;
            deque_push(t, a[0].clone(), false);
            Ok(Value::None)
        }),
        sym::APPENDLEFT => ("appendleft", |_, t, a, _| {
            arity("appendleft", a, 1, 1)?;
            deque_push(t, a[0].clone(), true);
            Ok(Value::None)
        }),
        sym::POP => ("pop", |_, t, a, _| {
            arity("deque.pop", a, 0, 0)?;
            let v = deque_parts(t).and_then(|(d, _)| d.borrow_mut().pop_back());
            v.ok_or_else(|| index_error("pop from an empty deque"))
        }),
        sym::POPLEFT => ("popleft", |_, t, a, _| {
            arity("deque.popleft", a, 0, 0)?;
            deque_popleft(t)
        }),
        sym::EXTEND => ("extend", |it, t, a, _| {
            arity("extend", a, 1, 1)?;
            for x in it.collect(&a[0])? {
                deque_push(t, x, false);
            }
            Ok(Value::None)
        }),
        sym::EXTENDLEFT => ("extendleft", |it, t, a, _| {
            arity("extendleft", a, 1, 1)?;
            for x in it.collect(&a[0])? {
                deque_push(t, x, true);
            }
            Ok(Value::None)
        }),
        sym::CLEAR => ("clear", |_, t, a, _| {
            arity("deque.clear", a, 0, 0)?;
            if let Some((d, _)) = deque_parts(t) {
                d.borrow_mut().clear();
            }
            Ok(Value::None)
        }),
        sym::ROTATE => ("rotate", |it, t, a, _| {
            let n = match a.first() {
                Some(v) => it.index_of(v)?,
                None => 1,
            };
            if let Some((d, _)) = deque_parts(t) {
                let mut d = d.borrow_mut();
                let len = d.len() as i64;
                if len > 0 {
                    let k = n.rem_euclid(len) as usize;
                    d.rotate_right(k);
                }
            }
            Ok(Value::None)
        }),
        sym::COUNT => ("count", seq_count),
        sym::INDEX_M => ("index", seq_index),
        sym::INSERT => ("insert", |it, t, a, _| {
            arity("deque.insert", a, 2, 2)?;
            let Some((d, maxlen)) = deque_parts(t) else { return Ok(Value::None) };
            // The index first (CPython's order): an `__index__` may change the deque.
            let i = Value::Int(it.index_of(&a[0])?);
            if maxlen.is_some_and(|m| d.borrow().len() >= m) {
                return Err(index_error("deque already at its maximum size"));
            }
            let i = insert_at(it, &i, || d.borrow().len())?;
            d.borrow_mut().insert(i, a[1].clone());
            Ok(Value::None)
        }),
        sym::REVERSE => ("reverse", |_, t, a, _| {
            arity("deque.reverse", a, 0, 0)?;
            if let Some((d, _)) = deque_parts(t) {
                d.borrow_mut().make_contiguous().reverse();
            }
            Ok(Value::None)
        }),
        sym::REMOVE => ("remove", |it, t, a, _| {
            arity("remove", a, 1, 1)?;
            let Some((d, _)) = deque_parts(t) else { return Ok(Value::None) };
            let items: Vec<Value> = d.borrow().iter().cloned().collect();
            for (i, x) in items.iter().enumerate() {
                if x.is(&a[0]) || it.eq(x, &a[0])? {
                    d.borrow_mut().remove(i);
                    return Ok(Value::None);
                }
            }
            Err(value_error(format!("{} is not in deque", it.repr(&a[0])?)))
        }),
        sym::COPY => ("copy", |_, t, a, _| {
            arity("deque.copy", a, 0, 0)?;
            let Some((d, maxlen)) = deque_parts(t) else { return Ok(Value::None) };
            Ok(Value::deque(d.borrow().clone(), maxlen))
        }),
        _ => return None,
    })
}

// ----- sys.stdout, sys.stderr -----

fn stream_method(name: Symbol) -> Option<M> {
    Some(match name {
        sym::WRITE => ("write", |it, t, a, _| {
            arity("write", a, 1, 1)?;
            it.run_finalizers()?;
            let Value::Str(s) = &a[0] else {
                return Err(type_error(format!("write() argument must be str, not {}", it.type_name(&a[0]))));
            };
            it.charge_memory(s.s.len())?;
            match t {
                Value::Native(n) if matches!(**n, Native::Stream { err: true }) => it.write_err(&s.s)?,
                _ => it.write_out(&s.s)?,
            }
            Ok(Value::Int(s.s.chars().count() as i64))
        }),
        sym::FLUSH => ("flush", |it, _, a, _| {
            arity("flush", a, 0, 0)?;
            it.flush()?;
            Ok(Value::None)
        }),
        _ => return None,
    })
}

// ----- queue.Queue (single-threaded) -----

/// `prop.setter(f)` (which 1), `.getter(f)` (0), `.deleter(f)` (2): a copy of the property with
/// that function replaced.
fn property_with(t: &Value, a: &[Value], which: usize) -> R<Value> {
    arity(["getter", "setter", "deleter"][which], a, 1, 1)?;
    let Value::Native(n) = t else { return Err(type_error("descriptor requires a 'property' object")) };
    let Native::Property { fget, fset, fdel, doc, name } = &**n else {
        return Err(type_error("descriptor requires a 'property' object"));
    };
    let mut parts = [fget.clone(), fset.clone(), fdel.clone()];
    parts[which] = a[0].clone();
    let [fget, fset, fdel] = parts;
    Ok(Value::Native(Rc::new(Native::Property { fget, fset, fdel, doc: doc.clone(), name: name.clone() })))
}

/// An async generator's awaitable (`this` is the generator).
fn agen_op(t: &Value, op: AsyncGenOpKind) -> R<Value> {
    match t {
        Value::Gen(g) => Ok(Interp::async_gen_op(g, op)),
        _ => Err(type_error("descriptor requires an 'async_generator' object")),
    }
}

/// `send`/`throw`/`__next__` on an async generator's awaitable, driven by hand: the value it
/// passes up, or StopIteration with the value it completes with.
fn awaitable_step(it: &mut Interp, t: &Value, input: Resume) -> R<Value> {
    let first = matches!(&t, Value::Native(n) if matches!(&**n, Native::AsyncGenOp { state, .. } if state.get() == 0));
    let input = match input {
        Resume::Send(v) if first && v.is_none() => None,
        Resume::Send(_) if first => {
            return Err(type_error("can't send non-None value to a just-started async generator"));
        }
        r => Some(r),
    };
    match it.delegate(t, input)? {
        Outcome::Yield(v) => Ok(v),
        Outcome::Return(v) => {
            let args = if v.is_none() { vec![] } else { vec![v] };
            Err(raise_value(new_exception(&it.t.stop_iteration, args)))
        }
    }
}

/// A generator's, coroutine's or async generator's introspection attributes (`gi_frame`,
/// `cr_await`, ... by their kind's prefix).
fn gen_attr(it: &Interp, g: &Rc<Generator>, name: Symbol) -> Option<Value> {
    let (running, frame, delegate, code) = if g.is_async_gen {
        (sym::AG_RUNNING, sym::AG_FRAME, sym::AG_AWAIT, sym::AG_CODE)
    } else if g.is_coroutine {
        (sym::CR_RUNNING, sym::CR_FRAME, sym::CR_AWAIT, sym::CR_CODE)
    } else {
        (sym::GI_RUNNING, sym::GI_FRAME, sym::GI_YIELDFROM, sym::GI_CODE)
    };
    // SAFETY: `gen_frame_attr` reads the frame (its code, position and registers, cloned
    // out) and makes values; it runs no code of the program and changes no generator.
    unsafe {
        g.vm.peek(|frames| {
            gen_frame_attr(it, g, frames.first().map(|f| &**f), name, running, frame, delegate, code)
        })
    }
}

/// `gen_attr` given the generator's own frame (None while it runs or once it is done).
#[allow(clippy::too_many_arguments)]
fn gen_frame_attr(
    it: &Interp,
    g: &Rc<Generator>,
    own: Option<&crate::frame::Frame>,
    name: Symbol,
    running: Symbol,
    frame: Symbol,
    delegate: Symbol,
    code: Symbol,
) -> Option<Value> {
    match name {
        n if n == running && g.is_async_gen => Some(Value::Bool(g.ag_running.get())),
        n if n == running => Some(Value::Bool(g.state.get() == GenState::Running)),
        n if n == frame => Some(match (g.state.get(), own) {
            (GenState::Done, _) | (_, None) => Value::None,
            // Not started: the `def` line, as CPython's frame says.
            (GenState::Created, Some(f)) => Value::Native(Rc::new(Native::FrameObj {
                code: f.code.clone(),
                line: it.line_number(f.code.span),
            })),
            (_, Some(f)) => Value::Native(Rc::new(Native::FrameObj {
                code: f.code.clone(),
                line: it.line_number(f.span()),
            })),
        }),
        // What it delegates to (`yield from`, `await`): the iterator its stopped instruction holds.
        n if n == delegate => Some(
            own.and_then(|f| match f.code.bc.instrs.get(f.pc.saturating_sub(1) as usize) {
                Some(crate::bytecode::Instr::YieldFrom { iter, .. })
                    if g.state.get() == GenState::Suspended =>
                {
                    f.regs.get(*iter as usize).cloned()
                }
                _ => None,
            })
            .unwrap_or(Value::None),
        ),
        n if n == code => Some(Value::Native(Rc::new(Native::CodeObj(g.code.clone())))),
        _ => None,
    }
}

/// A code object's attributes.
fn code_attr(it: &Interp, c: &Rc<crate::code::Code>, name: Symbol) -> Option<Value> {
    Some(match name {
        sym::CO_NAME => Value::str(c.name.as_str()),
        sym::CO_QUALNAME => Value::str(&c.qualname),
        sym::CO_FILENAME => Value::string(it.file_name()),
        sym::CO_FIRSTLINENO => Value::Int(it.line_number(c.span)),
        sym::CO_ARGCOUNT => Value::Int(c.sig.args.len() as i64),
        sym::CO_VARNAMES => Value::tuple(
            c.slot_names
                .iter()
                .filter(|n| !n.as_str().starts_with('.'))
                .map(|n| Value::str(n.as_str()))
                .collect(),
        ),
        _ => return None,
    })
}

/// The methods of an instance's `__dict__`: those that read work on its attributes now, those
/// that write change them.
fn attr_dict_method(name: Symbol) -> Option<M> {
    // A read-only method of a dict, applied to a copy of the attributes.
    macro_rules! on_copy {
        ($n:literal, $sym:expr) => {
            ($n, |it: &mut Interp, t: &Value, a: &[Value], k: Kw| {
                let d = it.attr_dict_snapshot(t)?;
                let Some((_, f)) = dict_method($sym) else { return Ok(Value::None) };
                f(it, &d, a, k)
            })
        };
    }
    Some(match name {
        sym::GET => on_copy!("get", sym::GET),
        sym::KEYS => on_copy!("keys", sym::KEYS),
        sym::VALUES => on_copy!("values", sym::VALUES),
        sym::ITEMS => on_copy!("items", sym::ITEMS),
        sym::COPY => ("copy", |it, t, a, _| {
            arity("dict.copy", a, 0, 0)?;
            it.attr_dict_snapshot(t)
        }),
        sym::UPDATE => ("update", |it, t, a, k| {
            arity("update", a, 0, 1)?;
            let d = Rc::new(RefCell::new(crate::dict::Dict::new()));
            if let Some(src) = a.first() {
                dict_update_from(it, &d, src)?;
            }
            let pairs: Vec<(Value, Value)> =
                d.borrow().iter().map(|e| (e.key.clone(), e.value.clone())).collect();
            for (key, v) in pairs {
                it.setitem(t, key, v)?;
            }
            for (key, v) in k {
                it.setitem(t, Value::str(key.as_str()), v.clone())?;
            }
            Ok(Value::None)
        }),
        sym::POP => ("pop", |it, t, a, _| {
            arity("pop", a, 1, 2)?;
            match it.getitem(t, &a[0]) {
                Ok(v) => {
                    it.delitem(t, &a[0])?;
                    Ok(v)
                }
                Err(e) if a.len() == 2 && e.is_instance(&it.t.key_error) => Ok(a[1].clone()),
                Err(e) => Err(e),
            }
        }),
        sym::SETDEFAULT => ("setdefault", |it, t, a, _| {
            arity("setdefault", a, 1, 2)?;
            match it.getitem(t, &a[0]) {
                Ok(v) => Ok(v),
                Err(e) if e.is_instance(&it.t.key_error) => {
                    let v = a.get(1).cloned().unwrap_or(Value::None);
                    it.setitem(t, a[0].clone(), v.clone())?;
                    Ok(v)
                }
                Err(e) => Err(e),
            }
        }),
        sym::CLEAR => ("clear", |_, t, a, _| {
            arity("dict.clear", a, 0, 0)?;
            if let Value::Native(n) = t {
                if let Native::AttrDict(inst) = &**n {
                    inst.attrs.borrow_mut().clear();
                }
            }
            Ok(Value::None)
        }),
        _ => return None,
    })
}
