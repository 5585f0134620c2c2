//! The descriptor protocol, as CPython's `object.__getattribute__` and `type.__getattribute__`
//! apply it: a value found in a class's MRO becomes the attribute's value through its `__get__`
//! (functions bind to the instance, `staticmethod` unwraps, `classmethod` binds to the class,
//! `property` calls its getter, a user class's `__get__` is called). A data descriptor
//! (`property`, a class with `__set__` or `__delete__`) wins over the instance's own
//! attributes; other class attributes lose to them. Then the hooks: `__getattribute__`,
//! `__getattr__` (when the lookup fails), `__setattr__`, `__delattr__`.
//!
//! Classes without any of these (`Class::flags` is 0, the common case) keep the short path in
//! `attr.rs`: the instance's attributes, then the class's.

use super::*;
use crate::value::class_flags::*;

impl Interp {
    /// The `Class::flags` a class namespace contributes (its bases' are added by `Class::new`).
    pub(crate) fn namespace_flags(dict: &SymMap) -> u8 {
        let mut f = 0;
        for (k, v) in dict.iter() {
            match *k {
                sym::GETATTR => f |= GETATTR,
                sym::SETATTR | sym::DELATTR => f |= SETATTR,
                sym::GETATTRIBUTE => f |= GETATTRIBUTE,
                sym::NEW => f |= NEW,
                sym::DEL => f |= DEL,
                _ if is_data_descriptor(v) => f |= DATA_DESC,
                _ => {}
            }
        }
        f
    }

    /// A class attribute was assigned after the class was made: what it needs is recorded for
    /// every class, since subclasses made earlier cannot be found from here.
    pub(crate) fn note_class_attr(&mut self, cls: &Rc<Class>, name: Symbol, v: &Value) {
        let mut d = new_symmap();
        d.insert(name, v.clone());
        let f = Self::namespace_flags(&d);
        cls.flags.set(cls.flags.get() | f);
        self.late_class_flags |= f;
        if f & DEL != 0 {
            crate::value::DEL_ADDED_LATE.with(|l| l.set(true));
        }
    }

    /// `v`, found in the MRO of `cls`, as the attribute of `obj` (an instance of `cls`), or of
    /// the class itself when `obj` is None.
    pub(crate) fn descr_get(
        &mut self,
        v: Value,
        obj: Option<&Value>,
        cls: &Rc<Class>,
        name: Symbol,
    ) -> R<Value> {
        match &v {
            Value::Func(_) => Ok(match obj {
                Some(o) => Value::Method(Rc::new((o.clone(), v))),
                None => v,
            }),
            // A type's method (`str.__len__`, `list.append`) binds to the instance; a method
            // bound already (`[].append` kept in a class) stays bound, as CPython's
            // built-in methods are no descriptors.
            Value::Builtin(b) if b.is_method && b.unbound.is_some() => Ok(match obj {
                Some(o) => Value::Builtin(Rc::new(Builtin {
                    name: b.name,
                    f: b.f,
                    this: native_receiver(b, o),
                    is_method: true,
                    unbound: None,
                })),
                None => v,
            }),
            Value::Native(n) => match &**n {
                Native::StaticMethod(f) => Ok(f.clone()),
                Native::ClassMethod(f) => Ok(Value::Method(Rc::new((Value::Class(cls.clone()), f.clone())))),
                Native::Property { fget, name: pname, .. } => match obj {
                    None => Ok(v.clone()),
                    Some(_) if fget.is_none() => Err(attribute_error(format!(
                        "property '{}' of '{}' object has no getter",
                        pname.get().unwrap_or(name),
                        cls.name
                    ))),
                    Some(o) => {
                        let fget = fget.clone();
                        self.call(&fget, &[o.clone()], &[])
                    }
                },
                _ => Ok(v),
            },
            Value::Instance(d) if d.class.lookup(sym::DGET).is_some() => {
                let owner = Value::Class(cls.clone());
                let o = obj.cloned().unwrap_or(Value::None);
                self.call_method(&v, sym::DGET, &[o, owner], &[])
            }
            _ => Ok(v),
        }
    }

    /// `obj.name` for an instance whose class has descriptors or attribute hooks.
    pub(crate) fn instance_getattr_slow(
        &mut self,
        obj: &Value,
        inst: &Rc<Instance>,
        name: Symbol,
        flags: u8,
    ) -> R<Value> {
        if flags & GETATTRIBUTE != 0 {
            if let Some(f @ Value::Func(_)) = inst.class.lookup(sym::GETATTRIBUTE) {
                let r = self.call_method_value(&f, obj, &[Value::str(name.as_str())]);
                return self.fall_back_to_getattr(obj, inst, name, flags, r);
            }
        }
        let r = self.instance_lookup(obj, inst, name);
        self.fall_back_to_getattr(obj, inst, name, flags, r)
    }

    /// The lookup `object.__getattribute__` makes: data descriptors, the instance's own
    /// attributes, other class attributes, then the attributes every instance has.
    pub(crate) fn instance_lookup(&mut self, obj: &Value, inst: &Rc<Instance>, name: Symbol) -> R<Value> {
        let found = inst.class.lookup(name);
        if let Some(d) = &found {
            if is_data_descriptor(d) {
                return self.descr_get(d.clone(), Some(obj), &inst.class.clone(), name);
            }
        }
        if let Some(v) = inst.attrs.borrow().get(&name) {
            return Ok(v.clone());
        }
        match found {
            Some(v) => self.descr_get(v, Some(obj), &inst.class.clone(), name),
            None => self.instance_special(obj, inst, name),
        }
    }

    fn fall_back_to_getattr(
        &mut self,
        obj: &Value,
        inst: &Rc<Instance>,
        name: Symbol,
        flags: u8,
        r: R<Value>,
    ) -> R<Value> {
        match r {
            Err(e) if flags & GETATTR != 0 && e.is_instance(&self.t.attribute_error) => {
                match inst.class.lookup(sym::GETATTR) {
                    Some(f) => self.call_method_value(&f, obj, &[Value::str(name.as_str())]),
                    None => Err(e),
                }
            }
            r => r,
        }
    }

    /// Calls `f`, a function found on a class, with `obj` first.
    fn call_method_value(&mut self, f: &Value, obj: &Value, args: &[Value]) -> R<Value> {
        match f {
            Value::Func(fun) => {
                let fun = fun.clone();
                self.call_function(&fun, Some(obj), args, &[])
            }
            other => {
                let mut all = vec![obj.clone()];
                all.extend_from_slice(args);
                self.call(other, &all, &[])
            }
        }
    }

    /// `obj.name = v` for an instance whose class has descriptors or `__setattr__`.
    pub(crate) fn instance_setattr_slow(
        &mut self,
        obj: &Value,
        inst: &Rc<Instance>,
        name: Symbol,
        v: Value,
        flags: u8,
    ) -> R<()> {
        if flags & SETATTR != 0 {
            if let Some(f @ Value::Func(_)) = inst.class.lookup(sym::SETATTR) {
                self.call_method_value(&f, obj, &[Value::str(name.as_str()), v])?;
                return Ok(());
            }
        }
        self.object_setattr(obj, inst, name, v)
    }

    /// `object.__setattr__`: a data descriptor's `__set__`, else the instance's attribute.
    pub(crate) fn object_setattr(
        &mut self,
        obj: &Value,
        inst: &Rc<Instance>,
        name: Symbol,
        v: Value,
    ) -> R<()> {
        if let Some(d) = inst.class.lookup(name) {
            match &d {
                Value::Native(n) => {
                    if let Native::Property { fset, name: pname, .. } = &**n {
                        if fset.is_none() {
                            return Err(attribute_error(format!(
                                "property '{}' of '{}' object has no setter",
                                pname.get().unwrap_or(name),
                                inst.class.name
                            )));
                        }
                        let fset = fset.clone();
                        self.call(&fset, &[obj.clone(), v], &[])?;
                        return Ok(());
                    }
                }
                Value::Instance(di) if di.class.lookup(sym::DSET).is_some() => {
                    self.call_method(&d, sym::DSET, &[obj.clone(), v], &[])?;
                    return Ok(());
                }
                Value::Instance(di) if di.class.lookup(sym::DDELETE).is_some() => {
                    return Err(attribute_error("__set__"));
                }
                _ => {}
            }
        }
        if inst.class.slots.borrow().as_ref().is_some_and(|allowed| !allowed.contains(&name)) {
            return Err(attribute_error(format!("'{}' object has no attribute '{}'", inst.class.name, name)));
        }
        inst.attrs.borrow_mut().insert(name, v);
        Ok(())
    }

    /// The attribute names `cls`'s instances may have, when it keeps them to `__slots__`:
    /// every class of its MRO but `object` defines them, none naming `__dict__` (private
    /// names mangled). Read once, when the class is made.
    pub(crate) fn slot_names(&mut self, cls: &Rc<Class>) -> Option<Vec<Symbol>> {
        let slots_name = Symbol::intern("__slots__");
        let mut names = Vec::new();
        // (`mro` holds the classes after `cls`.)
        for k in std::iter::once(cls).chain(&cls.mro) {
            if Rc::ptr_eq(k, &self.t.object) {
                continue;
            }
            let slots = k.dict.borrow().get(&slots_name).cloned();
            let (TypeTag::User, Some(slots)) = (k.tag, slots) else { return None };
            let items = match &slots {
                Value::Str(_) => vec![slots.clone()],
                other => self.collect(other).unwrap_or_default(),
            };
            // An iterator (a generator) is read once, as CPython reads it, and kept as a tuple.
            if matches!(slots, Value::Gen(_) | Value::Iter(_)) {
                k.dict.borrow_mut().insert(slots_name, Value::tuple(items.clone()));
            }
            for item in items {
                if let Value::Str(s) = item {
                    let n = s.s.as_str();
                    names.push(Symbol::intern(
                        &crate::names::mangled(k.name.as_str(), n).unwrap_or_else(|| n.to_string()),
                    ));
                }
            }
        }
        (!names.contains(&Symbol::intern("__dict__"))).then_some(names)
    }

    /// `del obj.name` for an instance whose class has descriptors or `__delattr__`.
    pub(crate) fn instance_delattr_slow(
        &mut self,
        obj: &Value,
        inst: &Rc<Instance>,
        name: Symbol,
        flags: u8,
    ) -> R<()> {
        if flags & SETATTR != 0 {
            if let Some(f @ Value::Func(_)) = inst.class.lookup(sym::DELATTR) {
                self.call_method_value(&f, obj, &[Value::str(name.as_str())])?;
                return Ok(());
            }
        }
        self.object_delattr(obj, inst, name)
    }

    /// `object.__delattr__`: a data descriptor's `__delete__`, else the instance's attribute.
    pub(crate) fn object_delattr(&mut self, obj: &Value, inst: &Rc<Instance>, name: Symbol) -> R<()> {
        if let Some(d) = inst.class.lookup(name) {
            match &d {
                Value::Native(n) => {
                    if let Native::Property { fdel, name: pname, .. } = &**n {
                        if fdel.is_none() {
                            return Err(attribute_error(format!(
                                "property '{}' of '{}' object has no deleter",
                                pname.get().unwrap_or(name),
                                inst.class.name
                            )));
                        }
                        let fdel = fdel.clone();
                        self.call(&fdel, &[obj.clone()], &[])?;
                        return Ok(());
                    }
                }
                Value::Instance(di) if di.class.lookup(sym::DDELETE).is_some() => {
                    self.call_method(&d, sym::DDELETE, &[obj.clone()], &[])?;
                    return Ok(());
                }
                Value::Instance(di) if di.class.lookup(sym::DSET).is_some() => {
                    return Err(attribute_error("__delete__"));
                }
                _ => {}
            }
        }
        if inst.attrs.borrow_mut().shift_remove(&name).is_some() {
            Ok(())
        } else {
            Err(attribute_error(format!("'{}' object has no attribute '{}'", inst.class.name, name)))
        }
    }

    /// A new class's namespace is complete: descriptors learn their names (`__set_name__`),
    /// then the nearest base's `__init_subclass__` runs.
    pub(crate) fn class_created(&mut self, cls: &Rc<Class>, kwargs: &[(Symbol, Value)]) -> R<()> {
        let items: Vec<(Symbol, Value)> = cls.dict.borrow().iter().map(|(k, v)| (*k, v.clone())).collect();
        for (k, v) in items {
            match &v {
                Value::Native(n) => {
                    if let Native::Property { name, .. } = &**n {
                        if name.get().is_none() {
                            name.set(Some(k));
                        }
                    }
                }
                Value::Instance(i) if i.class.lookup(sym::SET_NAME).is_some() => {
                    self.call_method(
                        &v,
                        sym::SET_NAME,
                        &[Value::Class(cls.clone()), Value::str(k.as_str())],
                        &[],
                    )?;
                }
                _ => {}
            }
        }
        match cls.lookup_bases(sym::INIT_SUBCLASS) {
            // Implicitly a classmethod, as in CPython.
            Some(Value::Func(f)) => {
                self.call_function(&f, Some(&Value::Class(cls.clone())), &[], kwargs)?;
            }
            Some(Value::Native(n)) if matches!(&*n, Native::ClassMethod(_)) => {
                let Native::ClassMethod(f) = &*n else { return Ok(()) };
                let f = f.clone();
                self.call(&f, &[Value::Class(cls.clone())], kwargs)?;
            }
            _ if !kwargs.is_empty() => {
                return Err(type_error(format!(
                    "{}.__init_subclass__() takes no keyword arguments",
                    cls.base().map_or("object".into(), |b| b.name.as_str().to_string())
                )))
            }
            _ => {}
        }
        Ok(())
    }
}

impl Interp {
    /// `super().name`: the first class after `class` in the MRO of `this`'s type (of `this`
    /// itself when it is a class, as in a class method) that has the name, through its
    /// descriptor. Built-in classes contribute the methods `type_method` knows.
    pub(crate) fn super_getattr(&mut self, class: &Rc<Class>, this: &Value, name: Symbol) -> R<Value> {
        let (start, obj) = match this {
            Value::Class(c) => (c.clone(), None),
            v => (self.t.type_of(v), Some(v)),
        };
        let mro = start.full_mro();
        let from = mro.iter().position(|k| Rc::ptr_eq(k, class)).map_or(mro.len(), |i| i + 1);
        for k in &mro[from..] {
            let found = k.dict.borrow().get(&name).cloned();
            let found = match found {
                Some(v) => Some(v),
                None if k.tag != TypeTag::User || k.is_exception => {
                    crate::builtins::methods::type_method(self, k, name)
                }
                None => None,
            };
            if let Some(v) = found {
                return self.descr_get(v, obj, &start, name);
            }
        }
        Err(attribute_error(format!("'super' object has no attribute '{}'", name)))
    }
}

impl Interp {
    /// The built-in value `v` extends (`class Stack(list)`), when its class does not define
    /// `dunder` itself: the operation applies to that value.
    #[inline]
    pub fn builtin_view(&self, v: &Value, dunder: Symbol) -> Option<Value> {
        match v {
            Value::Instance(i) => match &i.base {
                Some(b) if i.class.lookup(dunder).is_none() => Some((**b).clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The value an instance of a subclass of a built-in type starts with: empty for the
    /// mutable types (their `__init__` fills it), made from the arguments for the others
    /// (their `__new__` does).
    pub(crate) fn builtin_new(&mut self, cls: &Rc<Class>, pos: &[Value], kw: &[(Symbol, Value)]) -> R<Value> {
        let Some(bb) = cls.builtin_base() else { return Ok(Value::None) };
        match bb.tag {
            TypeTag::List | TypeTag::Dict | TypeTag::Set | TypeTag::Deque => {
                crate::builtins::construct(self, &bb, &[], &[])
            }
            _ => crate::builtins::construct(self, &bb, pos, kw),
        }
    }

    /// `name` along the MRO of `cls`, the built-in types in it answering with their methods
    /// (`list.__init__` for `class Stack(list)`).
    pub(crate) fn lookup_through_builtins(&mut self, cls: &Rc<Class>, name: Symbol) -> Option<Value> {
        for k in cls.full_mro() {
            if let Some(v) = k.dict.borrow().get(&name) {
                return Some(v.clone());
            }
            if k.is_builtin_type() {
                if let Some(v) = crate::builtins::methods::type_method(self, &k, name) {
                    return Some(v);
                }
            }
        }
        None
    }
}

/// What a built-in type's method gets as its receiver: an instance of a subclass gives the
/// built-in value it extends.
pub fn native_receiver(b: &Builtin, this: &Value) -> Value {
    match (&b.unbound, this) {
        (Some(c), Value::Instance(i)) if c.is_builtin_type() => match &i.base {
            Some(v) => (**v).clone(),
            None => this.clone(),
        },
        _ => this.clone(),
    }
}

/// A data descriptor: a `property`, or an instance of a class with `__set__` or `__delete__`.
pub fn is_data_descriptor(v: &Value) -> bool {
    match v {
        Value::Native(n) => matches!(**n, Native::Property { .. }),
        Value::Instance(i) => i.class.lookup(sym::DSET).is_some() || i.class.lookup(sym::DDELETE).is_some(),
        _ => false,
    }
}
