//! Methods reached through a class rather than a value: `str.upper` and `list.append` as
//! values (unbound: they take the receiver first), `dict.fromkeys` and `str.maketrans` (they
//! need none), and the methods of `object` and `BaseException` that only `super()` or an
//! explicit `object.__setattr__(self, ...)` reach (`__setattr__`, `__getattribute__`,
//! `__repr__`, `__str__`, ...). They are looked up here, not stored in the classes'
//! namespaces, so that "does this class define `__repr__`?" keeps meaning a user definition.

use super::{arity, methods::native_method, no_kw, Kw};
use crate::interp::*;
use crate::names::sym;
use crate::span::Symbol;
use crate::value::*;
use std::rc::Rc;

/// An unbound method of class `cls`: called with its receiver first.
fn unbound(cls: &Rc<Class>, name: &'static str, f: NativeFn) -> Value {
    Value::Builtin(Rc::new(Builtin {
        name,
        f,
        this: Value::None,
        is_method: true,
        unbound: Some(cls.clone()),
    }))
}

/// A value of the built-in type `cls` to look its methods up with.
fn sample(cls: &Rc<Class>) -> Option<Value> {
    Some(match cls.tag {
        TypeTag::Str => Value::str(""),
        TypeTag::List => Value::list(vec![]),
        TypeTag::Tuple => Value::tuple(vec![]),
        TypeTag::Dict => Value::dict(crate::dict::Dict::new()),
        TypeTag::Set => Value::Set(crate::interp::sets::new_set(false)),
        TypeTag::Int => Value::Int(0),
        TypeTag::Bool => Value::Bool(false),
        TypeTag::Float => Value::Float(0.0),
        _ => return None,
    })
}

/// `cls.name` for a built-in class `cls` whose namespace does not hold `name`.
pub fn type_method(it: &mut Interp, cls: &Rc<Class>, name: Symbol) -> Option<Value> {
    match (cls.tag, name) {
        (TypeTag::Dict, sym::FROMKEYS) => return Some(super::native("fromkeys", dict_fromkeys)),
        (TypeTag::Str, _) if name.as_str() == "maketrans" => {
            return Some(super::native("maketrans", super::str_methods::str_maketrans))
        }
        _ => {}
    }
    if cls.is_builtin_type() {
        // `list.__hash__` is None: the mutable containers are unhashable.
        if name == sym::HASH && !super::dunders::hashable(cls.tag) {
            return Some(Value::None);
        }
        // Only the special methods the type has (`int.__iter__` is an AttributeError), and
        // those every type has from `object`.
        let s = name.as_str();
        let special = s.starts_with("__") && s.ends_with("__");
        let has = !special
            || super::dunders::type_has(cls.tag, s)
            || matches!(
                name,
                sym::INIT | sym::NEW | sym::REPR | sym::STR | sym::FORMAT | sym::HASH | sym::EQ | sym::NE
            );
        if has {
            if let Some(v) = builtin_dunder(cls, name) {
                return Some(v);
            }
        }
        if special && (super::dunders::type_has(cls.tag, s) || super::dunders::is_object_dunder(s)) {
            if let Some((fname, f)) = super::dunders::method(s) {
                return Some(unbound(cls, fname, f));
            }
        }
    }
    if let Some(v) = sample(cls) {
        let (fname, f) = native_method(&v, name)?;
        return Some(unbound(cls, fname, f));
    }
    if Rc::ptr_eq(cls, &it.t.object) {
        return object_method(cls, name);
    }
    if Rc::ptr_eq(cls, &it.t.base_exception) {
        return match name {
            sym::STR => Some(unbound(cls, "__str__", |it, this, a, _| {
                arity("__str__", a, 0, 0)?;
                Ok(Value::string(it.exc_str(this)?))
            })),
            sym::REPR => Some(unbound(cls, "__repr__", |it, this, a, _| {
                arity("__repr__", a, 0, 0)?;
                Ok(Value::string(it.exc_repr(this)?))
            })),
            _ => None,
        };
    }
    None
}

/// The methods of `object` a program may call by name.
pub(crate) fn object_method(cls: &Rc<Class>, name: Symbol) -> Option<Value> {
    let f: (&'static str, NativeFn) = match name {
        sym::REPR => ("__repr__", |it, this, _, _| Ok(Value::string(it.object_repr(this)))),
        sym::STR => ("__str__", |it, this, _, _| Ok(Value::string(it.repr(this)?))),
        // `object.__format__(self, spec)`: `str(self)` for an empty spec, else an error (what
        // a `__format__` falling back to `super().__format__(spec)` reaches).
        sym::FORMAT => ("__format__", |it, this, a, _| {
            arity("__format__", a, 1, 1)?;
            match &a[0] {
                Value::Str(spec) if spec.s.is_empty() => Ok(Value::string(it.to_str(this)?)),
                Value::Str(_) => Err(type_error(format!(
                    "unsupported format string passed to {}.__format__",
                    it.type_name(this)
                ))),
                other => {
                    Err(type_error(format!("__format__() argument must be str, not {}", it.type_name(other))))
                }
            }
        }),
        sym::EQ => ("__eq__", |_, this, a, _| {
            arity("__eq__", a, 1, 1)?;
            Ok(if this.is(&a[0]) { Value::Bool(true) } else { not_implemented() })
        }),
        // `object.__ne__`: the inverse of what the type's `__eq__` says, NotImplemented
        // when that is.
        sym::NE => ("__ne__", |it, this, a, _| {
            arity("__ne__", a, 1, 1)?;
            let eq = match this {
                Value::Instance(_) => it.call_method(this, sym::EQ, &a[..1], &[])?,
                _ => Value::Bool(it.eq(this, &a[0])?),
            };
            if matches!(&eq, Value::Native(n) if matches!(**n, Native::NotImplemented)) {
                return Ok(eq);
            }
            Ok(Value::Bool(!it.truthy(&eq)?))
        }),
        // `object`'s orderings order nothing.
        sym::LT | sym::LE | sym::GT | sym::GE => ("__lt__", |_, _, a, _| {
            arity("comparison", a, 1, 1)?;
            Ok(not_implemented())
        }),
        sym::HASH => ("__hash__", |_, this, _, _| Ok(Value::Int((this.address() >> 4) as i64))),
        sym::SETATTR => ("__setattr__", |it, this, a, _| {
            arity("__setattr__", a, 2, 2)?;
            let name = attr_name(&a[0])?;
            match this {
                Value::Instance(inst) => {
                    let inst = inst.clone();
                    it.object_setattr(this, &inst, name, a[1].clone())?
                }
                other => it.setattr(other, name, a[1].clone())?,
            }
            Ok(Value::None)
        }),
        sym::DELATTR => ("__delattr__", |it, this, a, _| {
            arity("__delattr__", a, 1, 1)?;
            let name = attr_name(&a[0])?;
            match this {
                Value::Instance(inst) => {
                    let inst = inst.clone();
                    it.object_delattr(this, &inst, name)?
                }
                other => it.delattr(other, name)?,
            }
            Ok(Value::None)
        }),
        sym::GETATTRIBUTE => ("__getattribute__", |it, this, a, _| {
            arity("__getattribute__", a, 1, 1)?;
            let name = attr_name(&a[0])?;
            match this {
                Value::Instance(inst) => {
                    let inst = inst.clone();
                    it.instance_lookup(this, &inst, name)
                }
                other => it.getattr(other, name),
            }
        }),
        sym::NEW => {
            // `object.__new__(cls)`: a static method, the class first.
            return Some(super::native("__new__", |it, _, a, _| match a.first() {
                Some(Value::Class(c)) => it.bare_instance(c),
                Some(other) => Err(type_error(format!(
                    "object.__new__(X): X is not a type object ({})",
                    it.type_name(other)
                ))),
                None => Err(type_error("object.__new__(): not enough arguments")),
            }));
        }
        sym::INIT_SUBCLASS => {
            // A class method that accepts no keyword arguments and does nothing.
            return Some(super::native("__init_subclass__", |_, _, _, kw: Kw| {
                if let Some((k, _)) = kw.first() {
                    return Err(type_error(format!(
                        "object.__init_subclass__() takes no keyword arguments (got '{}')",
                        k
                    )));
                }
                Ok(Value::None)
            }));
        }
        _ => return None,
    };
    Some(unbound(cls, f.0, f.1))
}

pub(super) fn not_implemented() -> Value {
    Value::Native(Rc::new(Native::NotImplemented))
}

fn attr_name(v: &Value) -> R<Symbol> {
    match v {
        Value::Str(s) => Ok(Symbol::intern(&s.s)),
        _ => Err(type_error("attribute name must be string")),
    }
}

/// `dict.fromkeys(iterable, value=None)`.
fn dict_fromkeys(it: &mut Interp, _this: &Value, a: &[Value], k: Kw) -> R<Value> {
    no_kw("dict.fromkeys", k)?;
    arity("fromkeys", a, 1, 2)?;
    let value = a.get(1).cloned().unwrap_or(Value::None);
    let d = Value::dict_rc(crate::dict::Dict::new());
    for k in it.collect(&a[0])? {
        it.dict_set(&d, k, value.clone())?;
    }
    Ok(Value::Dict(d))
}

/// The special methods of a built-in type, for its subclasses (`super().__setitem__(k, v)`,
/// `list.__init__(self, items)`) and explicit calls (`dict.__repr__(d)`). Each works on the
/// built-in value (an instance of a subclass gives its own, see `native_receiver`).
fn builtin_dunder(cls: &Rc<Class>, name: Symbol) -> Option<Value> {
    let f: (&'static str, NativeFn) = match name {
        sym::INIT => ("__init__", |it, this, a, kw| {
            match this {
                Value::List(l) => {
                    arity("list", a, 0, 1)?;
                    let items = match a.first() {
                        Some(x) => it.collect(x)?,
                        None => Vec::new(),
                    };
                    *l.borrow_mut() = items;
                }
                Value::Dict(d) => {
                    // Adds to what the dict holds, as CPython's `dict.__init__` does (a list, a
                    // set and a deque start over).
                    arity("dict", a, 0, 1)?;
                    if let Some(src) = a.first() {
                        super::methods::dict_update_from(it, d, src)?;
                    }
                    for (k, v) in kw {
                        it.dict_set(d, Value::str(k.as_str()), v.clone())?;
                    }
                }
                Value::Set(d) => {
                    arity("set", a, 0, 1)?;
                    d.borrow_mut().clear();
                    if let Some(src) = a.first() {
                        for x in it.collect(src)? {
                            it.set_add(d, x)?;
                        }
                    }
                }
                Value::Native(n) if matches!(**n, Native::Deque { .. }) => {
                    if let Native::Deque { items, .. } = &**n {
                        items.borrow_mut().clear();
                    }
                    if let Some(src) = a.first() {
                        for x in it.collect(src)? {
                            super::methods::deque_push(this, x, false);
                        }
                    }
                }
                // Immutable values are made by `__new__`.
                _ => {}
            }
            Ok(Value::None)
        }),
        // `__getitem__`, `__len__`, `__iter__`, `__repr__`, `__format__`, `__hash__`, ...:
        // `dunders::method`, which `type_method` reaches next (the ones the type has).
        sym::EQ => ("__eq__", |it, this, a, _| {
            arity("__eq__", a, 1, 1)?;
            let other = it.builtin_view(&a[0], sym::EQ).unwrap_or_else(|| a[0].clone());
            Ok(Value::Bool(it.eq(this, &other)?))
        }),
        sym::NE => ("__ne__", |it, this, a, _| {
            arity("__ne__", a, 1, 1)?;
            let other = it.builtin_view(&a[0], sym::EQ).unwrap_or_else(|| a[0].clone());
            Ok(Value::Bool(!it.eq(this, &other)?))
        }),
        sym::ADD => ("__add__", |it, this, a, _| {
            arity("__add__", a, 1, 1)?;
            it.binop(crate::ast::BinOp::Add, this, &a[0])
        }),
        sym::NEW => {
            // `tuple.__new__(cls, items)`: a static method, the class first.
            let f: NativeFn = |it, _, a, kw| {
                let Some(Value::Class(c)) = a.first() else {
                    return Err(type_error("__new__(X): X is not a type object"));
                };
                let c = c.clone();
                if c.is_builtin_type() {
                    return super::construct(it, &c, &a[1..], kw);
                }
                let mut inst = Instance::new(c.clone());
                inst.base = Some(Box::new(it.builtin_new(&c, &a[1..], kw)?));
                Ok(Value::instance(inst))
            };
            return Some(super::native("__new__", f));
        }
        _ => return None,
    };
    Some(unbound(cls, f.0, f.1))
}
