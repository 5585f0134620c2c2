//! The special methods of built-in values called by name: `[1, 2].__iter__()`,
//! `it.__next__()`, `(5).__add__(3)`, `len.__call__("ab")`, and `hasattr(x, "__iter__")`
//! answering as in CPython. Each type has the ones CPython's has (`int` has no `__iter__`);
//! each does what the operator or built-in function does, and a binary or comparison method
//! given an operand of a type it does not take returns `NotImplemented`, as CPython's slot
//! wrappers do (`(5).__add__(2.5)` is `NotImplemented`: `float.__radd__` takes it).

use super::type_methods::not_implemented;
use super::{arity, Kw};
use crate::ast::{BinOp, CmpOp, UnaryOp};
use crate::interp::*;
use crate::span::Symbol;
use crate::value::*;

type M = (&'static str, NativeFn);

/// What kind of built-in value `v` is, for the dunder table (None: not one that has any here).
fn kind(v: &Value) -> Option<TypeTag> {
    Some(match v {
        Value::None => TypeTag::NoneType,
        Value::Bool(_) => TypeTag::Bool,
        Value::Int(_) | Value::BigInt(_) => TypeTag::Int,
        Value::Float(_) => TypeTag::Float,
        Value::Str(_) => TypeTag::Str,
        Value::List(_) => TypeTag::List,
        Value::Tuple(_) => TypeTag::Tuple,
        Value::Dict(_) => TypeTag::Dict,
        Value::Set(_) => TypeTag::Set,
        Value::Range(_) => TypeTag::Range,
        Value::Iter(_) => TypeTag::Iterator,
        Value::Gen(g) if !g.is_coroutine && !g.is_async_gen => TypeTag::Generator,
        Value::Func(_) => TypeTag::Function,
        Value::Builtin(_) => TypeTag::BuiltinFunction,
        Value::Method(_) => TypeTag::Method,
        Value::Native(n) if matches!(**n, Native::Deque { .. }) => TypeTag::Deque,
        _ => return None,
    })
}

/// Whether the built-in type `tag` has the special method `name` (besides `object`'s, which
/// every type has), as CPython 3.11's does. `__hash__` of the mutable containers is there
/// but None.
pub fn type_has(tag: TypeTag, name: &str) -> bool {
    const NUMBER: &[&str] = &[
        "__abs__",
        "__add__",
        "__bool__",
        "__ceil__",
        "__divmod__",
        "__float__",
        "__floor__",
        "__floordiv__",
        "__int__",
        "__mod__",
        "__mul__",
        "__neg__",
        "__pos__",
        "__pow__",
        "__radd__",
        "__rdivmod__",
        "__rfloordiv__",
        "__rmod__",
        "__rmul__",
        "__round__",
        "__rpow__",
        "__rsub__",
        "__rtruediv__",
        "__sub__",
        "__truediv__",
        "__trunc__",
    ];
    const INT_ONLY: &[&str] = &[
        "__and__",
        "__index__",
        "__invert__",
        "__lshift__",
        "__or__",
        "__rand__",
        "__rlshift__",
        "__ror__",
        "__rrshift__",
        "__rshift__",
        "__rxor__",
        "__xor__",
    ];
    const SEQUENCE: &[&str] =
        &["__add__", "__contains__", "__getitem__", "__iter__", "__len__", "__mul__", "__rmul__"];
    const MUTABLE: &[&str] = &["__delitem__", "__iadd__", "__imul__", "__reversed__", "__setitem__"];
    const SET: &[&str] = &[
        "__and__",
        "__contains__",
        "__iter__",
        "__len__",
        "__or__",
        "__rand__",
        "__ror__",
        "__rsub__",
        "__rxor__",
        "__sub__",
        "__xor__",
    ];
    const DICT: &[&str] = &[
        "__contains__",
        "__delitem__",
        "__getitem__",
        "__ior__",
        "__iter__",
        "__len__",
        "__or__",
        "__reversed__",
        "__ror__",
        "__setitem__",
    ];
    match tag {
        TypeTag::Int | TypeTag::Bool => NUMBER.contains(&name) || INT_ONLY.contains(&name),
        TypeTag::Float => NUMBER.contains(&name),
        TypeTag::Str => SEQUENCE.contains(&name) || matches!(name, "__mod__" | "__rmod__"),
        TypeTag::Tuple => SEQUENCE.contains(&name),
        TypeTag::List | TypeTag::Deque => SEQUENCE.contains(&name) || MUTABLE.contains(&name),
        TypeTag::Dict => DICT.contains(&name),
        TypeTag::Set => SET.contains(&name),
        TypeTag::Range => matches!(
            name,
            "__bool__" | "__contains__" | "__getitem__" | "__iter__" | "__len__" | "__reversed__"
        ),
        TypeTag::Iterator | TypeTag::Generator => matches!(name, "__iter__" | "__next__"),
        TypeTag::Function | TypeTag::BuiltinFunction | TypeTag::Method | TypeTag::Type => name == "__call__",
        TypeTag::NoneType => name == "__bool__",
        _ => false,
    }
}

/// Whether a value of kind `tag` is hashable (its `__hash__` is a method, not None).
pub(crate) fn hashable(tag: TypeTag) -> bool {
    !matches!(tag, TypeTag::List | TypeTag::Dict | TypeTag::Set | TypeTag::Deque)
}

/// The special method `name` of the built-in value `v`, bound to it; `Ok(None)`: it has none
/// (the caller's AttributeError).
pub fn value_dunder(v: &Value, name: Symbol) -> R<Option<Value>> {
    value_dunder_bound(v, name, v)
}

/// `value_dunder` of `v`'s type, bound to `this` (an instance of a subclass of `v`'s type,
/// for the methods that must see the subclass: its `__missing__`, its `__repr__`).
pub fn value_dunder_bound(v: &Value, name: Symbol, this: &Value) -> R<Option<Value>> {
    let s = name.as_str();
    if !(s.starts_with("__") && s.ends_with("__")) {
        return Ok(None);
    }
    let Some(tag) = kind(v) else { return Ok(None) };
    // A frozenset is not changed in place, and is hashable.
    let frozen = matches!(v, Value::Set(d) if d.borrow().frozen);
    if s == "__hash__" && !hashable(tag) && !frozen {
        return Ok(Some(Value::None));
    }
    let own = type_has(tag, s) || is_object_dunder(s);
    let Some((fname, f)) = own.then(|| method(s)).flatten() else { return Ok(None) };
    Ok(Some(Value::Builtin(std::rc::Rc::new(Builtin {
        name: fname,
        f,
        this: this.clone(),
        is_method: true,
        unbound: None,
    }))))
}

/// The methods of `object` that every value has and that are meaningful to call here.
pub(super) fn is_object_dunder(name: &str) -> bool {
    matches!(
        name,
        "__eq__"
            | "__ne__"
            | "__lt__"
            | "__le__"
            | "__gt__"
            | "__ge__"
            | "__hash__"
            | "__repr__"
            | "__str__"
            | "__format__"
    )
}

/// A binary special method: `swap` for the reflected one (`__radd__`).
fn binary(it: &mut Interp, this: &Value, a: &[Value], op: BinOp, swap: bool, name: &str) -> R<Value> {
    arity(name, a, 1, 1)?;
    let other = &a[0];
    // A number's method takes numbers of its own kind or below (an int's takes ints, a
    // float's ints and floats); anything else is for the other operand's reflected method.
    let takes = match this {
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => {
            matches!(other, Value::Int(_) | Value::BigInt(_) | Value::Bool(_))
        }
        Value::Float(_) => {
            matches!(other, Value::Int(_) | Value::BigInt(_) | Value::Bool(_) | Value::Float(_))
        }
        // Sets combine with sets only.
        Value::Set(_) => matches!(other, Value::Set(_)),
        Value::Dict(_) if op == BinOp::BitOr => matches!(other, Value::Dict(_)),
        // `str.__rmod__` answers only for a str on its right.
        Value::Str(_) if swap => matches!(other, Value::Str(_)),
        // The sequences' own `+` and `*` raise their own TypeErrors.
        _ => true,
    };
    if !takes {
        return Ok(not_implemented());
    }
    if swap {
        it.binop(op, other, this)
    } else {
        it.binop(op, this, other)
    }
}

/// A comparison: built-in values of the same kind compare; anything else is `NotImplemented`.
fn compare(it: &mut Interp, this: &Value, a: &[Value], op: CmpOp, name: &str) -> R<Value> {
    arity(name, a, 1, 1)?;
    let other = &a[0];
    let number = |v: &Value| matches!(v, Value::Int(_) | Value::BigInt(_) | Value::Bool(_));
    let same = match (this, other) {
        (x, y) if number(x) => number(y),
        (Value::Float(_), y) => number(y) || matches!(y, Value::Float(_)),
        (Value::Str(_), Value::Str(_))
        | (Value::List(_), Value::List(_))
        | (Value::Tuple(_), Value::Tuple(_))
        | (Value::Set(_), Value::Set(_)) => true,
        // A dict compares for equality only.
        (Value::Dict(_), Value::Dict(_)) => matches!(op, CmpOp::Eq | CmpOp::Ne),
        (Value::Native(_), Value::Native(_)) => {
            crate::interp::ops::as_deque(this).is_some() && crate::interp::ops::as_deque(other).is_some()
        }
        // Anything else is equal only to itself (`object.__eq__`).
        (x, y) if matches!(op, CmpOp::Eq | CmpOp::Ne) && x.is(y) => true,
        _ => false,
    };
    if !same {
        return Ok(not_implemented());
    }
    Ok(Value::Bool(it.compare(op, this, other)?))
}

/// A built-in function of the builtins namespace, called with `args`.
fn call_builtin(it: &mut Interp, fname: &str, args: &[Value]) -> R<Value> {
    let f = it.builtins.get(&Symbol::intern(fname)).cloned();
    match f {
        Some(f) => it.call(&f, args, &[]),
        None => Err(internal_error(format!("no built-in {}", fname))),
    }
}

macro_rules! bin {
    ($name:literal, $op:expr, $swap:expr) => {
        Some(($name, |it: &mut Interp, this: &Value, a: &[Value], _k: Kw| {
            binary(it, this, a, $op, $swap, $name)
        }))
    };
}

macro_rules! cmp {
    ($name:literal, $op:expr) => {
        Some(($name, |it: &mut Interp, this: &Value, a: &[Value], _k: Kw| compare(it, this, a, $op, $name)))
    };
}

macro_rules! unary_builtin {
    ($name:literal, $builtin:literal) => {
        Some(($name, |it: &mut Interp, this: &Value, a: &[Value], _k: Kw| {
            let mut args = vec![this.clone()];
            args.extend(a.iter().cloned());
            call_builtin(it, $builtin, &args)
        }))
    };
}

/// The implementation of the special method `name`.
pub(super) fn method(name: &str) -> Option<M> {
    use BinOp::*;
    match name {
        "__add__" => bin!("__add__", Add, false),
        "__radd__" => bin!("__radd__", Add, true),
        "__sub__" => bin!("__sub__", Sub, false),
        "__rsub__" => bin!("__rsub__", Sub, true),
        "__mul__" => bin!("__mul__", Mul, false),
        "__rmul__" => bin!("__rmul__", Mul, true),
        "__truediv__" => bin!("__truediv__", Div, false),
        "__rtruediv__" => bin!("__rtruediv__", Div, true),
        "__floordiv__" => bin!("__floordiv__", FloorDiv, false),
        "__rfloordiv__" => bin!("__rfloordiv__", FloorDiv, true),
        "__mod__" => bin!("__mod__", Mod, false),
        "__rmod__" => bin!("__rmod__", Mod, true),
        "__pow__" => bin!("__pow__", Pow, false),
        "__rpow__" => bin!("__rpow__", Pow, true),
        "__and__" => bin!("__and__", BitAnd, false),
        "__rand__" => bin!("__rand__", BitAnd, true),
        "__or__" => bin!("__or__", BitOr, false),
        "__ror__" => bin!("__ror__", BitOr, true),
        "__xor__" => bin!("__xor__", BitXor, false),
        "__rxor__" => bin!("__rxor__", BitXor, true),
        "__lshift__" => bin!("__lshift__", LShift, false),
        "__rlshift__" => bin!("__rlshift__", LShift, true),
        "__rshift__" => bin!("__rshift__", RShift, false),
        "__rrshift__" => bin!("__rrshift__", RShift, true),
        "__eq__" => cmp!("__eq__", CmpOp::Eq),
        "__ne__" => cmp!("__ne__", CmpOp::Ne),
        "__lt__" => cmp!("__lt__", CmpOp::Lt),
        "__le__" => cmp!("__le__", CmpOp::Le),
        "__gt__" => cmp!("__gt__", CmpOp::Gt),
        "__ge__" => cmp!("__ge__", CmpOp::Ge),
        "__divmod__" => Some(("__divmod__", |it, this, a, _| {
            arity("__divmod__", a, 1, 1)?;
            call_builtin(it, "divmod", &[this.clone(), a[0].clone()])
        })),
        "__rdivmod__" => Some(("__rdivmod__", |it, this, a, _| {
            arity("__rdivmod__", a, 1, 1)?;
            call_builtin(it, "divmod", &[a[0].clone(), this.clone()])
        })),
        "__neg__" => Some(("__neg__", |it, this, a, _| {
            arity("__neg__", a, 0, 0)?;
            it.unary(UnaryOp::Neg, this)
        })),
        "__pos__" => Some(("__pos__", |it, this, a, _| {
            arity("__pos__", a, 0, 0)?;
            it.unary(UnaryOp::Pos, this)
        })),
        "__invert__" => Some(("__invert__", |it, this, a, _| {
            arity("__invert__", a, 0, 0)?;
            it.unary(UnaryOp::Invert, this)
        })),
        "__abs__" => unary_builtin!("__abs__", "abs"),
        "__bool__" => unary_builtin!("__bool__", "bool"),
        "__int__" => unary_builtin!("__int__", "int"),
        "__float__" => unary_builtin!("__float__", "float"),
        "__round__" => unary_builtin!("__round__", "round"),
        "__index__" => Some(("__index__", |it, this, a, _| {
            arity("__index__", a, 0, 0)?;
            Ok(Value::Int(it.index_of(this)?))
        })),
        "__trunc__" => unary_builtin!("__trunc__", "int"),
        "__floor__" => Some(("__floor__", |it, this, a, _| {
            arity("__floor__", a, 0, 0)?;
            match this {
                Value::Float(f) => call_builtin(it, "int", &[Value::Float(f.floor())]),
                v => call_builtin(it, "int", std::slice::from_ref(v)),
            }
        })),
        "__ceil__" => Some(("__ceil__", |it, this, a, _| {
            arity("__ceil__", a, 0, 0)?;
            match this {
                Value::Float(f) => call_builtin(it, "int", &[Value::Float(f.ceil())]),
                v => call_builtin(it, "int", std::slice::from_ref(v)),
            }
        })),
        "__len__" => Some(("__len__", |it, this, a, _| {
            arity("__len__", a, 0, 0)?;
            Ok(Value::Int(super::len_of(it, this)? as i64))
        })),
        "__iter__" => Some(("__iter__", |it, this, a, _| {
            arity("__iter__", a, 0, 0)?;
            it.get_iter(this)
        })),
        "__next__" => Some(("__next__", |it, this, a, _| {
            arity("__next__", a, 0, 0)?;
            call_builtin(it, "next", std::slice::from_ref(this))
        })),
        "__reversed__" => unary_builtin!("__reversed__", "reversed"),
        "__getitem__" => Some(("__getitem__", |it, this, a, _| {
            arity("__getitem__", a, 1, 1)?;
            it.getitem(this, &a[0])
        })),
        "__setitem__" => Some(("__setitem__", |it, this, a, _| {
            arity("__setitem__", a, 2, 2)?;
            it.setitem(this, a[0].clone(), a[1].clone())?;
            Ok(Value::None)
        })),
        "__delitem__" => Some(("__delitem__", |it, this, a, _| {
            arity("__delitem__", a, 1, 1)?;
            it.delitem(this, &a[0])?;
            Ok(Value::None)
        })),
        "__contains__" => Some(("__contains__", |it, this, a, _| {
            arity("__contains__", a, 1, 1)?;
            Ok(Value::Bool(it.contains(this, &a[0])?))
        })),
        "__iadd__" => Some(("__iadd__", |it, this, a, _| {
            arity("__iadd__", a, 1, 1)?;
            it.inplace_op(BinOp::Add, this.clone(), &a[0])
        })),
        "__imul__" => Some(("__imul__", |it, this, a, _| {
            arity("__imul__", a, 1, 1)?;
            it.inplace_op(BinOp::Mul, this.clone(), &a[0])
        })),
        "__ior__" => Some(("__ior__", |it, this, a, _| {
            arity("__ior__", a, 1, 1)?;
            it.inplace_op(BinOp::BitOr, this.clone(), &a[0])
        })),
        "__call__" => Some(("__call__", |it, this, a, kw| it.call(this, a, kw))),
        "__hash__" => Some(("__hash__", |it, this, a, _| {
            arity("__hash__", a, 0, 0)?;
            Ok(Value::Int(it.own_hash(this)? as i64))
        })),
        "__repr__" => Some(("__repr__", |it, this, a, _| {
            arity("__repr__", a, 0, 0)?;
            Ok(Value::string(it.repr(this)?))
        })),
        "__str__" => Some(("__str__", |it, this, a, _| {
            arity("__str__", a, 0, 0)?;
            Ok(Value::string(it.to_str(this)?))
        })),
        "__format__" => Some(("__format__", |it, this, a, _| {
            arity("__format__", a, 1, 1)?;
            match &a[0] {
                Value::Str(spec) => {
                    let spec = spec.s.clone();
                    Ok(Value::string(it.format_value(this, &spec)?))
                }
                other => {
                    Err(type_error(format!("__format__() argument must be str, not {}", it.type_name(other))))
                }
            }
        })),
        _ => None,
    }
}
