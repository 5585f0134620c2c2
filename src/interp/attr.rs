//! Attributes and methods, subscripts, iteration and containment.

use super::generators::{Outcome, Resume};
use super::*;
use crate::builtins::methods::native_method;
use num_traits::ToPrimitive;

impl Interp {
    /// `cls.__init__` when the first class in its MRO that has one is dict, list or set
    /// (whose `__init__` is not in a namespace): that type's own.
    fn builtin_init(&mut self, cls: &Rc<Class>) -> Option<Value> {
        for k in std::iter::once(cls).chain(cls.mro.iter()) {
            if matches!(k.tag, TypeTag::Dict | TypeTag::List | TypeTag::Set) {
                return crate::builtins::methods::type_method(self, k, sym::INIT);
            }
            if k.dict.borrow().contains_key(&sym::INIT) {
                return None;
            }
        }
        None
    }

    /// Whether `v` has a method `name` (user classes; used for dunder dispatch).
    pub fn has_method(&self, v: &Value, name: Symbol) -> bool {
        match v {
            Value::Instance(i) => {
                i.class.lookup(name).is_some()
                    || i.base.as_ref().is_some_and(|b| native_method(b, name).is_some())
            }
            _ => native_method(v, name).is_some(),
        }
    }

    pub fn getattr(&mut self, obj: &Value, name: Symbol) -> R<Value> {
        match obj {
            Value::Instance(inst) => {
                let flags = (inst.class.flags.get() | self.late_class_flags) & class_flags::ATTR;
                if flags != 0 {
                    return self.instance_getattr_slow(obj, inst, name, flags);
                }
                if let Some(v) = inst.attrs.borrow().get(&name) {
                    return Ok(v.clone());
                }
                if let Some(v) = inst.class.lookup(name) {
                    return self.descr_get(v, Some(obj), &inst.class, name);
                }
                self.instance_special(obj, inst, name)
            }
            Value::Class(c) => {
                // `dict.__init__` (and a subclass's that does not define one) is dict's own, not
                // the `object.__init__` the MRO reaches after it.
                if name == sym::INIT {
                    if let Some(f) = self.builtin_init(c) {
                        return Ok(f);
                    }
                }
                // A class's own annotations, never a base's: an empty dict made at the first
                // read when the body annotated nothing (CPython 3.10's rule).
                if name == sym::ANNOTATIONS && c.tag == TypeTag::User {
                    let own = c.dict.borrow().get(&name).cloned();
                    return Ok(own.unwrap_or_else(|| {
                        let d = Value::dict(crate::dict::Dict::new());
                        c.dict.borrow_mut().insert(name, d.clone());
                        d
                    }));
                }
                if let Some(v) = c.lookup(name) {
                    return self.descr_get(v, None, c, name);
                }
                match name {
                    sym::MRO => Ok(Value::tuple(c.full_mro().into_iter().map(Value::Class).collect())),
                    // (A copy: tinyasync has no read-only view of a class's namespace.)
                    sym::DICT => self.dict_of_names(&c.dict),
                    _ if name.as_str() == "mro" => {
                        Ok(crate::builtins::native_bound("mro", obj.clone(), |_, this, _, _| match this {
                            Value::Class(c) => {
                                Ok(Value::list(c.full_mro().into_iter().map(Value::Class).collect()))
                            }
                            _ => Ok(Value::None),
                        }))
                    }
                    sym::DOC => Ok(Value::None),
                    sym::NAME => Ok(Value::str(c.name.as_str())),
                    sym::QUALNAME => Ok(Value::str(c.name.as_str())),
                    sym::BASES => Ok(Value::tuple(c.bases.iter().map(|b| Value::Class(b.clone())).collect())),
                    sym::CLASS => Ok(Value::Class(self.t.type_.clone())),
                    sym::MODULE => Ok(Value::str(c.native_module())),
                    _ => {
                        // A class with `__eq__` and no `__hash__` has None for it (CPython sets
                        // it so in the class defining `__eq__`); so has a subclass of an
                        // unhashable built-in type (`list.__hash__` is None).
                        if name == sym::HASH
                            && !c.is_builtin_type()
                            && (c.lookup(sym::EQ).is_some()
                                || c.builtin_base()
                                    .is_some_and(|b| !crate::builtins::dunders::hashable(b.tag)))
                        {
                            return Ok(Value::None);
                        }
                        // Methods of built-in types through the class: `str.upper`, `list.append`.
                        if let Some(f) = crate::builtins::methods::type_method(self, c, name) {
                            return Ok(f);
                        }
                        // Through a subclass: `class Stack(list)` has `Stack.__len__`.
                        if !c.is_builtin_type() && c.builtin_base().is_some() {
                            if let Some(f) = self.lookup_through_builtins(c, name) {
                                return Ok(f);
                            }
                        }
                        // What every class has from `object` (`A.__repr__`, `A.__setattr__`),
                        // or from BaseException.
                        if !c.is_builtin_type() && is_object_special(name) {
                            let owner = if c.is_exception {
                                self.t.base_exception.clone()
                            } else {
                                self.t.object.clone()
                            };
                            let m = crate::builtins::type_methods::type_method(self, &owner, name)
                                .or_else(|| crate::builtins::type_methods::object_method(&owner, name));
                            if let Some(m) = m {
                                return Ok(m);
                            }
                        }
                        Err(self.no_attribute(
                            obj,
                            name,
                            format!("type object '{}' has no attribute '{}'", c.name, name),
                        ))
                    }
                }
            }
            Value::Module(m) => match m.attrs.borrow().get(&name) {
                Some(v) => Ok(v.clone()),
                None if name == sym::NAME => Ok(Value::str(m.name.as_str())),
                None => Err(self.no_attribute(
                    obj,
                    name,
                    format!("module '{}' has no attribute '{}'", m.name, name),
                )),
            },
            Value::Func(f) => {
                if let Some(v) = f.attrs.borrow().get(&name) {
                    return Ok(v.clone());
                }
                match name {
                    sym::NAME => Ok(Value::str(f.code.name.as_str())),
                    sym::QUALNAME => Ok(Value::str(&f.code.qualname)),
                    sym::MODULE => Ok(Value::str("__main__")),
                    sym::DOC => Ok(f.code.doc.as_ref().map_or(Value::None, |d| Value::str(d))),
                    sym::DEFAULTS if f.defaults.is_empty() => Ok(Value::None),
                    sym::DEFAULTS => Ok(Value::tuple(f.defaults.clone())),
                    sym::KWDEFAULTS => {
                        let d = Value::dict_rc(crate::dict::Dict::new());
                        let pairs: Vec<(Symbol, Value)> = f
                            .code
                            .sig
                            .kwonly
                            .iter()
                            .zip(f.kwdefaults.iter())
                            .filter_map(|(n, v)| v.clone().map(|v| (*n, v)))
                            .collect();
                        if pairs.is_empty() {
                            return Ok(Value::None);
                        }
                        for (n, v) in pairs {
                            self.dict_set(&d, Value::str(n.as_str()), v)?;
                        }
                        Ok(Value::Dict(d))
                    }
                    sym::CODE => Ok(Value::Native(Rc::new(Native::CodeObj(f.code.clone())))),
                    sym::CLASS => Ok(Value::Class(self.t.function.clone())),
                    _ if let Some(m) = crate::builtins::dunders::value_dunder(obj, name)? => Ok(m),
                    _ => Err(self.no_attribute(
                        obj,
                        name,
                        format!("'function' object has no attribute '{}'", name),
                    )),
                }
            }
            Value::Builtin(b) if name == sym::NAME => Ok(Value::str(b.name)),
            Value::Method(m) if name == sym::NAME || name == sym::QUALNAME => self.getattr(&m.1, name),
            Value::Method(m) if name == Symbol::intern("__self__") => Ok(m.0.clone()),
            Value::Method(m) if name == Symbol::intern("__func__") => Ok(m.1.clone()),
            Value::Gen(g) if name == sym::NAME => Ok(Value::str(g.name().as_str())),
            Value::Gen(g) if name == sym::QUALNAME => Ok(Value::str(g.qualname())),
            Value::Native(n) if super_parts(n).is_some() => {
                let Some((class, this)) = super_parts(n) else { return Err(attribute_error("super")) };
                let (class, this) = (class.clone(), this.clone());
                self.super_getattr(&class, &this, name)
            }
            _ => {
                if name == sym::CLASS {
                    return Ok(Value::Class(self.t.type_of(obj)));
                }
                if let Some(v) = crate::builtins::methods::native_attr(self, obj, name)? {
                    return Ok(v);
                }
                match native_method(obj, name) {
                    Some((fname, f)) => Ok(Value::Builtin(Rc::new(Builtin {
                        name: fname,
                        f,
                        this: obj.clone(),
                        is_method: true,
                        unbound: None,
                    }))),
                    // `[1, 2].__iter__()`, `(5).__add__(3)`: the special methods the type has.
                    None if let Some(m) = crate::builtins::dunders::value_dunder(obj, name)? => Ok(m),
                    None => Err(self.no_attribute(
                        obj,
                        name,
                        format!("'{}' object has no attribute '{}'", self.type_name(obj), name),
                    )),
                }
            }
        }
    }

    /// The attributes every instance has besides its own and its class's: `__class__`,
    /// `__dict__`, an exception's `__cause__`, `value`, `code`; else the AttributeError.
    pub(crate) fn instance_special(&mut self, obj: &Value, inst: &Rc<Instance>, name: Symbol) -> R<Value> {
        // An instance of a subclass of a built-in type: that type's methods, on its value.
        if let Some(b) = &inst.base {
            if let Some((fname, f)) = native_method(b, name) {
                let this = (**b).clone();
                return Ok(Value::Builtin(Rc::new(Builtin {
                    name: fname,
                    f,
                    this,
                    is_method: true,
                    unbound: None,
                })));
            }
            // Most on the value; those that must see the subclass (a dict subclass's
            // `__missing__` behind `[]`, an int subclass's `__repr__` behind `str()`) on the
            // instance, which reaches the value since its class has no such method.
            let this =
                if matches!(name, sym::GETITEM | sym::STR | sym::REPR | sym::FORMAT) { obj } else { &**b };
            if let Some(m) = crate::builtins::dunders::value_dunder_bound(b, name, this)? {
                return Ok(m);
            }
        }
        // A class that defines `__eq__` and not `__hash__` has no hash (CPython sets its
        // `__hash__` to None).
        if name == sym::HASH && inst.class.lookup(sym::EQ).is_some() {
            return Ok(Value::None);
        }
        // The special methods every instance has from `object` (`K().__eq__(x)`, and an
        // exception's `__str__`), bound to it.
        if is_object_special(name) {
            let owner =
                if inst.class.is_exception { self.t.base_exception.clone() } else { self.t.object.clone() };
            let m = crate::builtins::type_methods::type_method(self, &owner, name)
                .or_else(|| crate::builtins::type_methods::object_method(&owner, name));
            // (`__new__` and `__init_subclass__` are bound to no instance.)
            if matches!(name, sym::NEW | sym::INIT_SUBCLASS) {
                if let Some(m @ Value::Builtin(_)) = m {
                    return Ok(m);
                }
            }
            if let Some(Value::Builtin(b)) = m {
                return Ok(Value::Builtin(Rc::new(Builtin {
                    name: b.name,
                    f: b.f,
                    this: obj.clone(),
                    is_method: true,
                    unbound: None,
                })));
            }
        }
        if name == sym::CLASS {
            return Ok(Value::Class(inst.class.clone()));
        }
        if inst.class.is_exception {
            match name {
                sym::CAUSE | sym::CONTEXT | sym::TRACEBACK => return Ok(Value::None),
                sym::SUPPRESS_CONTEXT => return Ok(Value::Bool(false)),
                // `OSError(errno, strerror)`.
                sym::ERRNO | sym::STRERROR | sym::FILENAME | sym::FILENAME2
                    if inst.class.is_subclass(&self.t.os_error) =>
                {
                    let args = self.exc_args(obj);
                    return Ok(match (args.len(), name) {
                        (2..=5, sym::ERRNO) => args[0].clone(),
                        (2..=5, sym::STRERROR) => args[1].clone(),
                        (3..=5, _) => args[2].clone(),
                        _ => Value::None,
                    });
                }
                sym::VALUE if inst.class.is_subclass(&self.t.stop_iteration) => {
                    return Ok(self.stop_value(obj))
                }
                // `SystemExit.code`: its one argument, None without, else all of them.
                _ if name.as_str() == "code" && inst.class.is_subclass(&self.t.system_exit) => {
                    return Ok(match inst.attrs.borrow().get(&sym::ARGS) {
                        Some(Value::Tuple(t)) if t.len() == 1 => t[0].clone(),
                        Some(Value::Tuple(t)) if t.is_empty() => Value::None,
                        Some(args) => args.clone(),
                        None => Value::None,
                    });
                }
                _ => {}
            }
        }
        if name == sym::DICT {
            return Ok(Value::Native(Rc::new(Native::AttrDict(inst.clone()))));
        }
        Err(self.no_attribute(obj, name, format!("'{}' object has no attribute '{}'", inst.class.name, name)))
    }

    /// The AttributeError for `obj.name`: labelled at the name (or at the object when it is
    /// None), with what a "Did you mean" needs.
    #[cold]
    fn no_attribute(&self, obj: &Value, name: Symbol, msg: String) -> Fault {
        let e = attribute_error(msg).suggest(Suggest::Attr { obj: obj.clone(), name });
        if obj.is_none() {
            e.label_on(At::Operand(0), obj, "this is None").help(crate::hint::NONE_HELP)
        } else {
            e.label_on(At::Name, obj, "no such attribute")
        }
    }

    pub fn setattr(&mut self, obj: &Value, name: Symbol, v: Value) -> R<()> {
        match obj {
            Value::Instance(inst) => {
                let flags = inst.class.flags.get() | self.late_class_flags;
                if flags & (class_flags::DATA_DESC | class_flags::SETATTR | class_flags::SLOTS) != 0 {
                    return self.instance_setattr_slow(obj, inst, name, v, flags);
                }
                // `object()` has no `__dict__`.
                if inst.class.tag == TypeTag::Object {
                    return Err(attribute_error(format!("'object' object has no attribute '{}'", name)));
                }
                inst.attrs.borrow_mut().insert(name, v);
                Ok(())
            }
            Value::Class(c) if c.tag == TypeTag::User => {
                self.note_class_attr(c, name, &v);
                c.dict.borrow_mut().insert(name, v);
                Ok(())
            }
            Value::Native(n) if matches!(**n, Native::Namespace(_)) => {
                if let Native::Namespace(attrs) = &**n {
                    attrs.borrow_mut().insert(name, v);
                }
                Ok(())
            }
            Value::Func(f) => {
                f.attrs.borrow_mut().insert(name, v);
                Ok(())
            }
            Value::Module(m) => {
                m.attrs.borrow_mut().insert(name, v);
                Ok(())
            }
            Value::Class(c) => {
                Err(type_error(format!("cannot set '{}' attribute of immutable type '{}'", name, c.name)))
            }
            _ => {
                Err(attribute_error(format!("'{}' object has no attribute '{}'", self.type_name(obj), name)))
            }
        }
    }

    pub fn delattr(&mut self, obj: &Value, name: Symbol) -> R<()> {
        let removed = match obj {
            Value::Instance(inst) => {
                let flags = inst.class.flags.get() | self.late_class_flags;
                if flags & (class_flags::DATA_DESC | class_flags::SETATTR) != 0 {
                    return self.instance_delattr_slow(obj, inst, name, flags);
                }
                inst.attrs.borrow_mut().shift_remove(&name).is_some()
            }
            Value::Class(c) if c.tag == TypeTag::User => c.dict.borrow_mut().shift_remove(&name).is_some(),
            Value::Func(f) => f.attrs.borrow_mut().shift_remove(&name).is_some(),
            Value::Native(n) => match &**n {
                Native::Namespace(attrs) => attrs.borrow_mut().shift_remove(&name).is_some(),
                _ => false,
            },
            _ => false,
        };
        if removed {
            Ok(())
        } else {
            Err(attribute_error(format!("'{}' object has no attribute '{}'", self.type_name(obj), name)))
        }
    }

    /// `obj.name(args)` without creating a bound method.
    pub fn call_method(
        &mut self,
        obj: &Value,
        name: Symbol,
        pos: &[Value],
        kw: &[(Symbol, Value)],
    ) -> R<Value> {
        match obj {
            Value::Instance(inst) => {
                if (inst.class.flags.get() | self.late_class_flags) & class_flags::ATTR == 0 {
                    if let Some(v) = inst.attrs.borrow().get(&name).cloned() {
                        return self.call(&v, pos, kw);
                    }
                    match inst.class.lookup(name) {
                        Some(Value::Func(f)) => return self.call_function(&f, Some(obj), pos, kw),
                        // A type's method gets the value of an instance of its subclass
                        // (`__len__ = str.__len__` measures the str, not `len(self)` again).
                        Some(Value::Builtin(b)) if b.is_method && b.unbound.is_some() => {
                            let this = super::descr::native_receiver(&b, obj);
                            if !kw.is_empty() {
                                crate::builtins::methods::check_method_kw(self, &b, &this)?;
                            }
                            return (b.f)(self, &this, pos, kw);
                        }
                        _ => {}
                    }
                }
                let m = self.getattr(obj, name)?;
                self.call(&m, pos, kw)
            }
            Value::Native(n) if super_parts(n).is_some() => {
                let m = self.getattr(obj, name)?;
                self.call(&m, pos, kw)
            }
            Value::Class(_) | Value::Module(_) | Value::Func(_) => {
                let m = self.getattr(obj, name)?;
                self.call(&m, pos, kw)
            }
            _ => match native_method(obj, name) {
                Some((_, f)) => f(self, obj, pos, kw),
                None => {
                    let m = self.getattr(obj, name)?;
                    self.call(&m, pos, kw)
                }
            },
        }
    }

    /// An integer index value, as `operator.index` gives it: an int or a bool, or what an
    /// instance's `__index__` returns (an instance of a subclass of int: its value).
    pub fn index_of(&mut self, v: &Value) -> R<i64> {
        match v {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(*b as i64),
            Value::BigInt(b) => {
                b.to_i64().ok_or_else(|| index_error("cannot fit 'int' into an index-sized integer"))
            }
            Value::Instance(_) => match self.user_index(v)? {
                Some(i) => self.index_of(&i),
                None => Err(self.not_an_integer(v)),
            },
            _ => Err(self.not_an_integer(v)),
        }
    }

    /// An int of any size, as `operator.index` gives it (`math.gcd`, `random.randrange`): an
    /// int or a bool, or what an instance's `__index__` returns.
    pub fn big_index_of(&mut self, v: &Value) -> R<num_bigint::BigInt> {
        match v {
            Value::Int(i) => Ok(num_bigint::BigInt::from(*i)),
            Value::Bool(b) => Ok(num_bigint::BigInt::from(*b as i64)),
            Value::BigInt(b) => Ok((**b).clone()),
            Value::Instance(_) => match self.user_index(v)? {
                Some(i) => self.big_index_of(&i),
                None => Err(self.not_an_integer(v)),
            },
            _ => Err(self.not_an_integer(v)),
        }
    }

    /// CPython's TypeError for a value that does not stand for an int.
    pub(crate) fn not_an_integer(&self, v: &Value) -> Fault {
        type_error(format!("'{}' object cannot be interpreted as an integer", self.type_name(v)))
    }

    /// The int an instance stands for as an index: what its `__index__` returns (TypeError
    /// when that is not an int, as CPython says), or the value of an instance of a subclass
    /// of int. None: it is not usable as an index.
    pub fn user_index(&mut self, v: &Value) -> R<Option<Value>> {
        let Value::Instance(inst) = v else { return Ok(None) };
        // An int's own value first, as `operator.index` takes it (an `__index__` of a subclass
        // of int is not called).
        if let Some(b @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_))) = inst.base.as_deref() {
            return Ok(Some(b.clone()));
        }
        if inst.class.lookup(sym::INDEX).is_none() {
            return Ok(None);
        }
        let r = self.call_method(v, sym::INDEX, &[], &[])?;
        match &r {
            Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => Ok(Some(r)),
            // An instance of a subclass of int (CPython takes it, with a DeprecationWarning).
            Value::Instance(i)
                if matches!(i.base.as_deref(), Some(Value::Int(_) | Value::Bool(_) | Value::BigInt(_))) =>
            {
                Ok(i.base.as_deref().cloned())
            }
            _ => Err(type_error(format!("__index__ returned non-int (type {})", self.type_name(&r)))),
        }
    }

    /// An index into a built-in sequence given as instances that stand for ints
    /// (`__index__`): the same index made of ints (a slice's parts too), done before the
    /// sequence is borrowed, since `__index__` may run any code. None: nothing to convert
    /// (and for anything else than a built-in sequence, whose `__getitem__` gets what was
    /// given, as in CPython).
    #[inline(never)]
    fn int_index(&mut self, obj: &Value, idx: &Value) -> R<Option<Value>> {
        let sequence = match obj {
            Value::List(_) | Value::Tuple(_) | Value::Str(_) | Value::Range(_) => true,
            Value::Native(n) => matches!(**n, Native::Deque { .. }),
            _ => false,
        };
        if !sequence {
            return Ok(None);
        }
        match idx {
            Value::Instance(_) => self.user_index(idx),
            Value::Slice(parts) if parts.iter().any(|p| matches!(p, Value::Instance(_))) => {
                let mut ints = [Value::None, Value::None, Value::None];
                for (to, p) in ints.iter_mut().zip(parts.iter()) {
                    *to = match p {
                        Value::Instance(_) => Value::Int(self.index_of(p)?),
                        p => p.clone(),
                    };
                }
                Ok(Some(Value::Slice(Rc::new(ints))))
            }
            _ => Ok(None),
        }
    }

    pub fn getitem(&mut self, obj: &Value, idx: &Value) -> R<Value> {
        // An instance standing for an int indexes as that int (`int_index`); the look
        // kept out of the way of an int's.
        if matches!(idx, Value::Instance(_) | Value::Slice(_)) {
            if let Some(i) = self.int_index(obj, idx)? {
                return self.getitem(obj, &i);
            }
        }
        match obj {
            Value::List(l) => {
                if let Value::Slice(s) = idx {
                    let items = l.borrow();
                    let (start, _, step, n) = self.slice_indices(s, items.len())?;
                    return Ok(Value::list(take_slice(&items, start, step, n)));
                }
                let i = self.seq_index(idx, l.borrow().len(), "list")?;
                Ok(l.borrow()[i].clone())
            }
            Value::Tuple(t) => {
                if let Value::Slice(s) = idx {
                    let (start, _, step, n) = self.slice_indices(s, t.len())?;
                    return Ok(Value::tuple(take_slice(t, start, step, n)));
                }
                let i = self.seq_index(idx, t.len(), "tuple")?;
                Ok(t[i].clone())
            }
            Value::Str(s) => {
                if let Value::Slice(sl) = idx {
                    let chars: Vec<char> = s.s.chars().collect();
                    let (start, _, step, n) = self.slice_indices(sl, chars.len())?;
                    let mut out = String::new();
                    let mut i = start;
                    for _ in 0..n {
                        out.push(chars[i as usize]);
                        i += step;
                    }
                    return Ok(Value::string(out));
                }
                let n = s.char_len();
                let i = self.seq_index(idx, n, "string")?;
                let c = if s.ascii { s.s.as_bytes()[i] as char } else { s.s.chars().nth(i).unwrap_or(' ') };
                Ok(Value::string(c.to_string()))
            }
            Value::Dict(d) => match self.dict_get(d, idx)? {
                Some(v) => Ok(v),
                None => Err(missing_key(idx)),
            },
            Value::Range(r) => {
                if let Value::Slice(sl) = idx {
                    let (start, stop, step, _) = self.slice_indices(sl, r.len() as usize)?;
                    let new_step =
                        r.step.checked_mul(step).ok_or_else(|| overflow_error("range step too large"))?;
                    let at = |i: i64| {
                        i64::try_from(r.start as i128 + i as i128 * r.step as i128)
                            .map_err(|_| overflow_error("range bounds too large"))
                    };
                    return Ok(Value::Range(Rc::new(RangeObj {
                        start: at(start)?,
                        stop: at(stop)?,
                        step: new_step,
                    })));
                }
                let i = self.seq_index(idx, r.len() as usize, "range object")?;
                Ok(Value::Int(r.get(i as i64)))
            }
            Value::Instance(i) if i.base.is_some() && i.class.lookup(sym::GETITEM).is_none() => {
                let Some(b) = i.base.as_deref() else { return Err(self.not_subscriptable(obj)) };
                // A dict subclass with `__missing__` (`defaultdict`, `Counter`).
                if let Value::Dict(d) = b {
                    if i.class.lookup(sym::MISSING).is_some() {
                        let (d, key) = (d.clone(), idx.clone());
                        return match self.dict_get(&d, &key)? {
                            Some(v) => Ok(v),
                            None => self.call_method(obj, sym::MISSING, &[key], &[]),
                        };
                    }
                }
                let b = b.clone();
                self.getitem(&b, idx)
            }
            Value::Instance(_) if self.has_method(obj, sym::GETITEM) => {
                self.call_method(obj, sym::GETITEM, &[idx.clone()], &[])
            }
            Value::Native(n) => match &**n {
                Native::Deque { items, .. } => {
                    let len = items.borrow().len();
                    let i = self.seq_index(idx, len, "deque")?;
                    Ok(items.borrow()[i].clone())
                }
                Native::AttrDict(inst) => {
                    let found = match idx {
                        Value::Str(s) => inst.attrs.borrow().get(&Symbol::intern(&s.s)).cloned(),
                        _ => None,
                    };
                    found.ok_or_else(|| missing_key(idx))
                }
                _ => Err(self.not_subscriptable(obj)),
            },
            Value::Class(c) => self.class_getitem(c, idx),
            _ => Err(self.not_subscriptable(obj)),
        }
    }

    /// `C[item]`: the class's `__class_getitem__` (a class method without the decorator, as in
    /// CPython). A built-in type and a subclass of one (`list[int]`, `Stack[int]`) give the
    /// class itself (tinyasync has no generic aliases: annotations are never evaluated, and a
    /// class is what the alias would make); any other class is not subscriptable.
    fn class_getitem(&mut self, c: &Rc<Class>, idx: &Value) -> R<Value> {
        if let Some(f) = c.lookup(sym::CLASS_GETITEM) {
            let f = match &f {
                Value::Native(n) => match &**n {
                    Native::ClassMethod(inner) => inner.clone(),
                    _ => f.clone(),
                },
                _ => f.clone(),
            };
            return self.call(&f, &[Value::Class(c.clone()), idx.clone()], &[]);
        }
        if c.is_builtin_type() || (c.builtin_base().is_some() && !c.is_exception) {
            return Ok(Value::Class(c.clone()));
        }
        Err(type_error(format!("type '{}' is not subscriptable", c.name)))
    }

    #[cold]
    fn not_subscriptable(&self, obj: &Value) -> Fault {
        let t = self.type_name(obj);
        let e = type_error(format!("'{}' object is not subscriptable", t)).label_on(
            At::Operand(0),
            obj,
            format!("this is {}", crate::hint::a_type(&t)),
        );
        if obj.is_none() {
            e.help(crate::hint::NONE_HELP)
        } else {
            e
        }
    }

    /// Normalises an index into `0..len` or raises IndexError "<what> index out of range".
    pub fn seq_index(&self, idx: &Value, len: usize, what: &str) -> R<usize> {
        let i = match idx {
            Value::Int(i) => *i,
            Value::Bool(b) => *b as i64,
            Value::BigInt(_) => {
                return Err(index_error("cannot fit 'int' into an index-sized integer".to_string()))
            }
            _ => {
                // (CPython 3.11's words for a string differ from a list's and a tuple's.)
                if what == "string" {
                    return Err(type_error(format!(
                        "string indices must be integers, not '{}'",
                        self.type_name(idx)
                    )));
                }
                let w = what.split(' ').next().unwrap_or(what);
                return Err(type_error(format!(
                    "{} indices must be integers or slices, not {}",
                    w,
                    self.type_name(idx)
                )));
            }
        };
        let j = if i < 0 { i + len as i64 } else { i };
        if j < 0 || j >= len as i64 {
            return Err(index_error(format!("{} index out of range", what)).label_on(
                At::Operand(1),
                idx,
                out_of_range(i, len, what),
            ));
        }
        Ok(j as usize)
    }

    /// (start, stop, step, count) of a slice over a sequence of `len` items.
    pub fn slice_indices(&mut self, s: &[Value; 3], len: usize) -> R<(i64, i64, i64, usize)> {
        let len = len as i64;
        let step = match &s[2] {
            Value::None => 1,
            v => self.index_of(v)?,
        };
        if step == 0 {
            return Err(value_error("slice step cannot be zero"));
        }
        let mut clamp = |v: &Value, default: i64| -> R<i64> {
            match v {
                Value::None => Ok(default),
                v => {
                    let mut i = self.index_of(v)?;
                    if i < 0 {
                        i += len;
                        if i < 0 {
                            i = if step < 0 { -1 } else { 0 };
                        }
                    } else if i >= len {
                        i = if step < 0 { len - 1 } else { len };
                    }
                    Ok(i)
                }
            }
        };
        let (start, stop) = if step > 0 {
            (clamp(&s[0], 0)?, clamp(&s[1], len)?)
        } else {
            (clamp(&s[0], len - 1)?, clamp(&s[1], -1)?)
        };
        let (a, b, st) = (start as i128, stop as i128, step as i128);
        let n = if st > 0 {
            if b > a {
                (b - a - 1) / st + 1
            } else {
                0
            }
        } else if a > b {
            (a - b - 1) / (-st) + 1
        } else {
            0
        };
        Ok((start, stop, step, n as usize))
    }

    pub fn setitem(&mut self, obj: &Value, idx: Value, v: Value) -> R<()> {
        // An instance standing for an int indexes as that int (`int_index`); the look
        // kept out of the way of an int's.
        if matches!(&idx, Value::Instance(_) | Value::Slice(_)) {
            if let Some(i) = self.int_index(obj, &idx)? {
                return self.setitem(obj, i, v);
            }
        }
        match obj {
            Value::List(l) => {
                if let Value::Slice(s) = &idx {
                    let items = self.collect(&v)?;
                    let len = l.borrow().len();
                    let (start, stop, step, n) = self.slice_indices(s, len)?;
                    let mut list = l.borrow_mut();
                    if step == 1 {
                        let stop = stop.max(start);
                        list.splice(start as usize..stop as usize, items);
                        return Ok(());
                    }
                    if items.len() != n {
                        return Err(value_error(format!(
                            "attempt to assign sequence of size {} to extended slice of size {}",
                            items.len(),
                            n
                        )));
                    }
                    let mut i = start;
                    for it in items {
                        list[i as usize] = it;
                        i += step;
                    }
                    return Ok(());
                }
                let len = l.borrow().len();
                let i = self.seq_index(&idx, len, "list assignment")?;
                l.borrow_mut()[i] = v;
                Ok(())
            }
            Value::Dict(d) => self.dict_set(d, idx, v),
            Value::Instance(_) if self.builtin_view(obj, sym::SETITEM).is_some() => {
                let Some(b) = self.builtin_view(obj, sym::SETITEM) else { return Ok(()) };
                self.setitem(&b, idx, v)
            }
            Value::Instance(_) if self.has_method(obj, sym::SETITEM) => {
                self.call_method(obj, sym::SETITEM, &[idx, v], &[])?;
                Ok(())
            }
            Value::Native(n) => match &**n {
                Native::Deque { items, .. } => {
                    let len = items.borrow().len();
                    let i = self.seq_index(&idx, len, "deque")?;
                    items.borrow_mut()[i] = v;
                    Ok(())
                }
                Native::AttrDict(inst) => {
                    let Value::Str(s) = &idx else {
                        return Err(type_error("tinyasync: an instance's __dict__ takes str keys only"));
                    };
                    inst.attrs.borrow_mut().insert(Symbol::intern(&s.s), v);
                    Ok(())
                }
                _ => Err(type_error(format!(
                    "'{}' object does not support item assignment",
                    self.type_name(obj)
                ))),
            },
            _ => {
                Err(type_error(format!("'{}' object does not support item assignment", self.type_name(obj))))
            }
        }
    }

    pub fn delitem(&mut self, obj: &Value, idx: &Value) -> R<()> {
        // An instance standing for an int indexes as that int (`int_index`); the look
        // kept out of the way of an int's.
        if matches!(idx, Value::Instance(_) | Value::Slice(_)) {
            if let Some(i) = self.int_index(obj, idx)? {
                return self.delitem(obj, &i);
            }
        }
        match obj {
            Value::List(l) => {
                if let Value::Slice(s) = idx {
                    let len = l.borrow().len();
                    let (start, _, step, n) = self.slice_indices(s, len)?;
                    let mut idxs: Vec<usize> = (0..n as i64).map(|k| (start + k * step) as usize).collect();
                    idxs.sort_unstable();
                    let mut list = l.borrow_mut();
                    for i in idxs.into_iter().rev() {
                        list.remove(i);
                    }
                    return Ok(());
                }
                let len = l.borrow().len();
                let i = self.seq_index(idx, len, "list assignment")?;
                l.borrow_mut().remove(i);
                Ok(())
            }
            Value::Dict(d) => match self.dict_remove(d, idx)? {
                Some(_) => Ok(()),
                None => Err(missing_key(idx)),
            },
            Value::Instance(_) if self.builtin_view(obj, sym::DELITEM).is_some() => {
                let Some(b) = self.builtin_view(obj, sym::DELITEM) else { return Ok(()) };
                self.delitem(&b, idx)
            }
            Value::Instance(_) if self.has_method(obj, sym::DELITEM) => {
                self.call_method(obj, sym::DELITEM, &[idx.clone()], &[])?;
                Ok(())
            }
            Value::Native(n) => match &**n {
                Native::Deque { items, .. } => {
                    let len = items.borrow().len();
                    let i = self.seq_index(idx, len, "deque")?;
                    items.borrow_mut().remove(i);
                    Ok(())
                }
                Native::AttrDict(inst) => {
                    let gone = match idx {
                        Value::Str(s) => inst.attrs.borrow_mut().shift_remove(&Symbol::intern(&s.s)),
                        _ => None,
                    };
                    gone.map(|_| ()).ok_or_else(|| missing_key(idx))
                }
                _ => {
                    Err(type_error(format!("'{}' object doesn't support item deletion", self.type_name(obj))))
                }
            },
            _ => Err(type_error(format!("'{}' object doesn't support item deletion", self.type_name(obj)))),
        }
    }

    #[cold]
    fn not_iterable(&self, v: &Value) -> Fault {
        let t = self.type_name(v);
        let e = type_error(format!("'{}' object is not iterable", t)).label_on(
            At::Operand(0),
            v,
            format!("this is {}", crate::hint::a_type(&t)),
        );
        if v.is_none() {
            e.help(crate::hint::NONE_HELP)
        } else {
            e
        }
    }

    /// `iter(v)`.
    pub fn get_iter(&mut self, v: &Value) -> R<Value> {
        let st = match v {
            Value::List(_) | Value::Tuple(_) => IterState::Seq { seq: v.clone(), i: 0 },
            Value::Str(s) => IterState::Str { s: s.clone(), byte: 0 },
            Value::Range(r) => IterState::Range { next: r.start, stop: r.stop, step: r.step },
            Value::Dict(d) | Value::Set(d) => {
                let len = d.borrow().len();
                IterState::DictKeys { d: d.clone(), i: 0, len, left: len, kind: 0 }
            }
            // (A coroutine is awaited, not iterated: `for`, `list()`, `iter()` refuse it.)
            Value::Gen(g) if !g.iterates() => return Err(self.not_iterable(v)),
            Value::Gen(_) | Value::Iter(_) => return Ok(v.clone()),
            Value::Native(n) if matches!(**n, Native::CoroWrapper(_)) => return Ok(v.clone()),
            Value::Instance(_) => {
                if let Some(b) = self.builtin_view(v, sym::ITER) {
                    return self.get_iter(&b);
                }
                if self.has_method(v, sym::ITER) {
                    let it = self.call_method(v, sym::ITER, &[], &[])?;
                    // What `next()` can advance, as CPython checks (and `ForIter` relies on:
                    // an iterator register holding an int is a `for` over `range`).
                    let is_iterator = match &it {
                        Value::Iter(_) => true,
                        Value::Gen(g) => g.iterates(),
                        Value::Instance(_) => self.has_method(&it, sym::NEXT),
                        _ => false,
                    };
                    if !is_iterator {
                        return Err(type_error(format!(
                            "iter() returned non-iterator of type '{}'",
                            self.type_name(&it)
                        )));
                    }
                    return Ok(it);
                }
                if self.has_method(v, sym::GETITEM) {
                    // The old sequence protocol: index from 0 until IndexError.
                    return Ok(Value::Iter(Rc::new(RefCell::new(IterState::Seq { seq: v.clone(), i: 0 }))));
                }
                return Err(self.not_iterable(v));
            }
            Value::Native(n) => match &**n {
                Native::Sched(_) => {
                    return (self.sched_hooks.awaitable)(v).ok_or_else(|| self.not_iterable(v))
                }
                Native::Deque { items, .. } => {
                    IterState::Deque { d: n.clone(), i: 0, len: items.borrow().len() }
                }
                Native::AttrDict(inst) => {
                    let keys: Vec<Value> =
                        inst.attrs.borrow().keys().map(|k| Value::str(k.as_str())).collect();
                    IterState::Seq { seq: Value::list(keys), i: 0 }
                }
                Native::DictView { d, kind } => {
                    let len = d.borrow().len();
                    IterState::DictKeys { d: d.clone(), i: 0, len, left: len, kind: *kind }
                }
                _ => return Err(self.not_iterable(v)),
            },
            _ => return Err(self.not_iterable(v)),
        };
        Ok(Value::Iter(Rc::new(RefCell::new(st))))
    }

    /// `next(it)`: Some(value), or None when exhausted (a generator's return value is kept in
    /// `last_stop_value`).
    pub fn next(&mut self, it: &Value) -> R<Option<Value>> {
        match it {
            Value::Iter(st) => self.iter_next(st),
            Value::Gen(g) if g.is_async_gen => Err(type_error("'async_generator' object is not an iterator")),
            // A coroutine's `__await__()`: the coroutine stepped as a generator is.
            Value::Native(n) if matches!(**n, Native::CoroWrapper(_)) => {
                let Native::CoroWrapper(coro) = &**n else { return Ok(None) };
                let coro = coro.clone();
                self.next(&coro)
            }
            Value::Gen(g) => match self.gen_resume(g, Resume::Send(Value::None))? {
                Outcome::Yield(v) => Ok(Some(v)),
                Outcome::Return(v) => {
                    self.last_stop_value = v;
                    Ok(None)
                }
            },
            Value::Instance(_) => {
                if !self.has_method(it, sym::NEXT) {
                    return Err(type_error(format!("'{}' object is not an iterator", self.type_name(it))));
                }
                match self.call_method(it, sym::NEXT, &[], &[]) {
                    Ok(v) => Ok(Some(v)),
                    Err(e) if e.is_instance(&self.t.stop_iteration) => {
                        self.last_stop_value =
                            e.exc_value().map(|v| self.stop_value(v)).unwrap_or(Value::None);
                        Ok(None)
                    }
                    Err(e) => Err(e),
                }
            }
            _ => Err(type_error(format!("'{}' object is not an iterator", self.type_name(it)))),
        }
    }

    fn iter_next(&mut self, st: &Rc<RefCell<IterState>>) -> R<Option<Value>> {
        // Builtins like sum() iterate natively: every 256 items count as a step, so limits,
        // --timeout and Ctrl-C reach those loops too.
        self.native_iters = self.native_iters.wrapping_add(1);
        if self.native_iters & 255 == 0 {
            let span = self.current_span.unwrap_or_default();
            self.step(span)?;
            self.check_limits(span)?;
        }
        let mut s = st.borrow_mut();
        match &mut *s {
            IterState::Seq { seq, i } => {
                let v = match seq {
                    Value::List(l) => l.borrow().get(*i).cloned(),
                    Value::Tuple(t) => t.get(*i).cloned(),
                    Value::Instance(_) => {
                        let seq = seq.clone();
                        let idx = *i;
                        drop(s);
                        let r = self.call_method(&seq, sym::GETITEM, &[Value::Int(idx as i64)], &[]);
                        return match r {
                            Ok(v) => {
                                if let IterState::Seq { i, .. } = &mut *st.borrow_mut() {
                                    *i += 1;
                                }
                                Ok(Some(v))
                            }
                            Err(e)
                                if e.is_instance(&self.t.index_error)
                                    || e.is_instance(&self.t.stop_iteration) =>
                            {
                                *st.borrow_mut() = IterState::Done;
                                Ok(None)
                            }
                            Err(e) => Err(e),
                        };
                    }
                    _ => None,
                };
                match v {
                    Some(v) => {
                        *i += 1;
                        Ok(Some(v))
                    }
                    None => {
                        *s = IterState::Done;
                        Ok(None)
                    }
                }
            }
            IterState::Range { .. } => Ok(s.range_next().map(Value::Int)),
            IterState::Str { s: text, byte } => match text.s[*byte..].chars().next() {
                Some(c) => {
                    *byte += c.len_utf8();
                    Ok(Some(Value::string(c.to_string())))
                }
                None => Ok(None),
            },
            IterState::DictKeys { d, i, len, left, kind } => {
                let dd = d.borrow();
                if dd.len() != *len {
                    *len = usize::MAX;
                    let what = if dd.is_set() { "Set" } else { "dictionary" };
                    drop(dd);
                    return Err(runtime_error(format!("{what} changed size during iteration")));
                }
                while *i < dd.positions() {
                    let pos = *i;
                    *i += 1;
                    if let Some(e) = dd.entry(pos) {
                        if *left == 0 && !dd.is_set() {
                            *len = usize::MAX;
                            return Err(runtime_error("dictionary keys changed during iteration"));
                        }
                        *left = left.saturating_sub(1);
                        return Ok(Some(match kind {
                            0 => e.key.clone(),
                            1 => e.value.clone(),
                            _ => Value::tuple(vec![e.key.clone(), e.value.clone()]),
                        }));
                    }
                }
                Ok(None)
            }
            IterState::Deque { d, i, len } => {
                let v = match &**d {
                    Native::Deque { items, .. } => {
                        let items = items.borrow();
                        // CPython's check is on a count of changes; tinyasync's on the length,
                        // which every append or pop changes (a loop that appends to the deque
                        // it walks would otherwise never end).
                        if items.len() != *len {
                            return Err(runtime_error("deque mutated during iteration"));
                        }
                        items.get(*i).cloned()
                    }
                    _ => None,
                };
                *i += 1;
                Ok(v)
            }
            IterState::Reversed { seq, i } => {
                if *i == 0 {
                    return Ok(None);
                }
                *i -= 1;
                let idx = *i;
                let seq = seq.clone();
                drop(s);
                // The sequence may have shrunk meanwhile: then the iteration is over.
                match self.getitem(&seq, &Value::Int(idx as i64)) {
                    Ok(v) => Ok(Some(v)),
                    Err(e) if e.is_instance(&self.t.index_error) => {
                        *st.borrow_mut() = IterState::Done;
                        Ok(None)
                    }
                    Err(e) => Err(e),
                }
            }
            IterState::Enumerate { it, n } => {
                let (it, cur) = (it.clone(), n.clone());
                drop(s);
                match self.next(&it)? {
                    Some(v) => {
                        let next_n = self.binop(crate::ast::BinOp::Add, &cur, &Value::Int(1))?;
                        if let IterState::Enumerate { n, .. } = &mut *st.borrow_mut() {
                            *n = next_n;
                        }
                        Ok(Some(Value::tuple(vec![cur, v])))
                    }
                    None => Ok(None),
                }
            }
            IterState::Zip { its, strict } => {
                let (its, strict) = (its.clone(), *strict);
                drop(s);
                if its.is_empty() {
                    return Ok(None);
                }
                let mut out = Vec::with_capacity(its.len());
                for (i, it) in its.iter().enumerate() {
                    match self.next(it)? {
                        Some(v) => out.push(v),
                        None if !strict => return Ok(None),
                        None => {
                            *st.borrow_mut() = IterState::Done;
                            return self.zip_strict_end(&its, i);
                        }
                    }
                }
                Ok(Some(Value::tuple(out)))
            }
            IterState::Callable { f, sentinel } => {
                let (f, sentinel) = (f.clone(), sentinel.clone());
                drop(s);
                let v = match self.call(&f, &[], &[]) {
                    Ok(v) => v,
                    // A StopIteration from `f` ends the iteration too.
                    Err(e) if e.is_instance(&self.t.stop_iteration) => {
                        *st.borrow_mut() = IterState::Done;
                        return Ok(None);
                    }
                    Err(e) => return Err(e),
                };
                if self.eq(&v, &sentinel)? {
                    *st.borrow_mut() = IterState::Done;
                    return Ok(None);
                }
                Ok(Some(v))
            }
            IterState::Map { f, its } => {
                let (f, its) = (f.clone(), its.clone());
                drop(s);
                let mut args = Vec::with_capacity(its.len());
                for it in &its {
                    match self.next(it)? {
                        Some(v) => args.push(v),
                        None => return Ok(None),
                    }
                }
                Ok(Some(self.call(&f, &args, &[])?))
            }
            IterState::Filter { f, it } => {
                let (f, it) = (f.clone(), it.clone());
                drop(s);
                loop {
                    let Some(v) = self.next(&it)? else { return Ok(None) };
                    let keep = if f.is_none() {
                        self.truthy(&v)?
                    } else {
                        let r = self.call(&f, &[v.clone()], &[])?;
                        self.truthy(&r)?
                    };
                    if keep {
                        return Ok(Some(v));
                    }
                }
            }
            IterState::Done => Ok(None),
        }
    }

    /// The end of `zip(..., strict=True)` when argument `i` (from 0) ran out: fine when it
    /// is the first and all the others run out too; CPython's ValueError otherwise.
    fn zip_strict_end(&mut self, its: &[Value], i: usize) -> R<Option<Value>> {
        let plural = |i: usize| if i == 1 { " ".to_string() } else { "s 1-".to_string() };
        if i > 0 {
            return Err(value_error(format!(
                "zip() argument {} is shorter than argument{}{}",
                i + 1,
                plural(i),
                i
            )));
        }
        for (j, it) in its.iter().enumerate().skip(1) {
            if self.next(it)?.is_some() {
                return Err(value_error(format!(
                    "zip() argument {} is longer than argument{}{}",
                    j + 1,
                    plural(j),
                    j
                )));
            }
        }
        Ok(None)
    }

    /// All items of an iterable.
    pub fn collect(&mut self, v: &Value) -> R<Vec<Value>> {
        match v {
            Value::List(l) => return Ok(l.borrow().clone()),
            Value::Tuple(t) => return Ok(t.to_vec()),
            _ => {}
        }
        let it = self.get_iter(v)?;
        let mut out = Vec::new();
        while let Some(x) = self.next(&it)? {
            out.push(x);
            if out.len() % 4096 == 0 {
                self.step(Span::default())?;
            }
        }
        Ok(out)
    }

    /// `item in container`.
    pub fn contains(&mut self, container: &Value, item: &Value) -> R<bool> {
        match container {
            Value::Str(s) => match item {
                Value::Str(sub) => Ok(s.s.contains(sub.s.as_str())),
                _ => Err(type_error(format!(
                    "'in <string>' requires string as left operand, not {}",
                    self.type_name(item)
                ))),
            },
            // A set looked for in a set is looked for as a frozenset, as in CPython.
            Value::Set(d) if matches!(item, Value::Set(_)) => {
                let key = self.frozen_key(item)?;
                self.set_contains(d, &key)
            }
            Value::Dict(d) | Value::Set(d) => self.set_contains(d, item),
            Value::Range(r) => {
                let i = match item {
                    Value::Int(i) => *i as i128,
                    Value::Bool(b) => *b as i128,
                    _ => {
                        // Other values (2.0, big ints): compare with each item, like CPython.
                        let it = self.get_iter(container)?;
                        while let Some(x) = self.next(&it)? {
                            if self.eq(&x, item)? {
                                return Ok(true);
                            }
                        }
                        return Ok(false);
                    }
                };
                let (start, stop, step) = (r.start as i128, r.stop as i128, r.step as i128);
                Ok(if step > 0 {
                    i >= start && i < stop && (i - start) % step == 0
                } else {
                    i <= start && i > stop && (start - i) % (-step) == 0
                })
            }
            Value::Instance(_) if self.builtin_view(container, sym::CONTAINS).is_some() => {
                let Some(b) = self.builtin_view(container, sym::CONTAINS) else { return Ok(false) };
                self.contains(&b, item)
            }
            Value::Instance(_) if self.has_method(container, sym::CONTAINS) => {
                let r = self.call_method(container, sym::CONTAINS, &[item.clone()], &[])?;
                self.truthy(&r)
            }
            Value::Native(n) if matches!(**n, Native::AttrDict(_)) => Ok(match (&**n, item) {
                (Native::AttrDict(inst), Value::Str(s)) => {
                    inst.attrs.borrow().contains_key(&Symbol::intern(&s.s))
                }
                _ => false,
            }),
            Value::Native(n) if keys_view(n).is_some() => match keys_view(n) {
                Some(d) => self.set_contains(d, item),
                None => Ok(false),
            },
            _ => {
                // Search lazily: stop at the first match, and let the iterator's own errors out.
                // A TypeError says the container is not iterable, as CPython's does; any
                // other error of its `__iter__` goes out as it is.
                let it = match self.get_iter(container) {
                    Ok(it) => it,
                    Err(e) if !e.is_instance(&self.t.type_error) => return Err(e),
                    Err(_) => {
                        return Err(type_error(format!(
                            "argument of type '{}' is not iterable",
                            self.type_name(container)
                        )))
                    }
                };
                while let Some(x) = self.next(&it)? {
                    if same_object(&x, item) || self.eq(&x, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }
}

fn super_parts(n: &Native) -> Option<(&Rc<Class>, &Value)> {
    match n {
        Native::Super { class, obj } => Some((class, obj)),
        _ => None,
    }
}

/// The dict behind a `keys()` view (membership tests look it up by hash).
fn keys_view(n: &Native) -> Option<&Rc<RefCell<crate::dict::Dict>>> {
    match n {
        Native::DictView { d, kind: 0 } => Some(d),
        _ => None,
    }
}

/// Identity as CPython's containers use it: floats are compared by value (`nan` is not equal
/// to itself), since tinyasync cannot tell two float objects apart.
pub fn same_object(a: &Value, b: &Value) -> bool {
    !matches!(a, Value::Float(_)) && a.is(b)
}

fn take_slice(items: &[Value], start: i64, step: i64, n: usize) -> Vec<Value> {
    let mut out = Vec::with_capacity(n);
    let mut i = start;
    for _ in 0..n {
        out.push(items[i as usize].clone());
        i += step;
    }
    out
}

/// The KeyError for a key a dict lacks, labelled at the key.
#[cold]
fn missing_key(key: &Value) -> Fault {
    key_error(key.clone())
        .label_on(At::Operand(1), key, "this key is not in the dict")
        .help("use .get(key) or .get(key, default) to allow a missing key")
}

/// `index 5, but the list has 2 items`: where an index fell outside a sequence.
fn out_of_range(i: i64, len: usize, what: &str) -> String {
    let seq = match what {
        "list assignment" => "list",
        "range object" => "range",
        w => w,
    };
    let unit = if seq == "string" { "character" } else { "item" };
    match len {
        0 => format!("index {i}, but the {seq} is empty"),
        1 => format!("index {i}, but the {seq} has 1 {unit}"),
        n => format!("index {i}, but the {seq} has {n} {unit}s"),
    }
}

/// The special methods every class and instance has from `object`.
fn is_object_special(name: Symbol) -> bool {
    matches!(
        name,
        sym::EQ
            | sym::NE
            | sym::LT
            | sym::LE
            | sym::GT
            | sym::GE
            | sym::HASH
            | sym::REPR
            | sym::STR
            | sym::FORMAT
            | sym::SETATTR
            | sym::DELATTR
            | sym::GETATTRIBUTE
            | sym::NEW
            | sym::INIT_SUBCLASS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A class learns how many attributes an instance has when its `__init__` returns, made
    /// by the VM's call or by native code, and a new instance's map is made with room for
    /// that many (objects.py: −2.3% instructions, −15% peak RSS). Attributes set later (an
    /// instance used as a namespace) teach it nothing.
    #[test]
    fn new_instances_get_room_for_what_init_sets() {
        let mut it = Interp::new(Default::default(), Output::Capture(Vec::new()));
        let src = "class P:\n    def __init__(self, n):\n        for i in range(n):\n            setattr(self, 'a' + str(i), i)\n\
                   class E:\n    pass\n\
                   p = P(3)\nfor i in range(200):\n    setattr(p, 'k' + str(i), i)\n\
                   e = E()\ne.x = 1\ne.y = 2\n\
                   q = sorted([5], key=P)\n";
        let names = match crate::builtins::prelude::run(&mut it, src, 0) {
            Ok(names) => names,
            Err(_) => panic!("the program runs"),
        };
        let get = |name: &str| names.iter().find(|(k, _)| *k == Symbol::intern(name)).map(|(_, v)| v.clone());
        let (Some(Value::Class(p)), Some(Value::Class(e))) = (get("P"), get("E")) else {
            panic!("P and E are classes")
        };
        // `P(5)` from native code (`sorted`'s key) was the last: 5, not the 203 of `p`.
        assert_eq!(p.attr_hint.get(), 5);
        assert_eq!(Instance::new(p.clone()).attrs.borrow().capacity(), 5);
        // E's instances get their attributes after `__init__` (object's): nothing learned.
        assert_eq!(e.attr_hint.get(), 0);
        assert_eq!(Instance::new(e.clone()).attrs.borrow().capacity(), 0);
    }
}
