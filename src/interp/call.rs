//! Calls: any callable value, argument binding with CPython's messages, instances and
//! `__init__`, classes from their namespaces, modules.

use super::*;
use smallvec::SmallVec;

pub type Args = SmallVec<[Value; 6]>;

/// A class statement's bases and the MRO they give (after the class itself).
pub type ClassBases = (Vec<Rc<Class>>, Vec<Rc<Class>>);

impl Interp {
    #[cold]
    fn not_callable(&self, func: &Value) -> Fault {
        let t = self.type_name(func);
        let e = type_error(format!("'{}' object is not callable", t)).label_on(
            At::Operand(0),
            func,
            format!("this is {}, not a function", crate::hint::a_type(&t)),
        );
        if func.is_none() {
            e.help(crate::hint::NONE_HELP)
        } else {
            e
        }
    }

    /// Calls any callable value.
    pub fn call(&mut self, func: &Value, pos: &[Value], kw: &[(Symbol, Value)]) -> R<Value> {
        match func {
            Value::Func(fun) => self.call_function(fun, None, pos, kw),
            Value::Builtin(b) => match &b.unbound {
                None => {
                    if !kw.is_empty() && b.is_method {
                        crate::builtins::methods::check_method_kw(self, b, &b.this)?;
                    }
                    (b.f)(self, &b.this, pos, kw)
                }
                Some(cls) => {
                    let Some(this) = pos.first() else {
                        return Err(type_error(format!(
                            "unbound method {}.{}() needs an argument",
                            cls.name, b.name
                        )));
                    };
                    if !self.t.type_of(this).is_subclass(cls) {
                        return Err(type_error(format!(
                            "descriptor '{}' for '{}' objects doesn't apply to a '{}' object",
                            b.name,
                            cls.name,
                            self.type_name(this)
                        )));
                    }
                    let this = super::descr::native_receiver(b, this);
                    if !kw.is_empty() {
                        crate::builtins::methods::check_method_kw(self, b, &this)?;
                    }
                    (b.f)(self, &this, &pos[1..], kw)
                }
            },
            Value::Method(m) => {
                let (this, fun) = &**m;
                match fun {
                    Value::Func(fun) => self.call_function(fun, Some(this), pos, kw),
                    other => {
                        let mut args: Vec<Value> = vec![this.clone()];
                        args.extend_from_slice(pos);
                        self.call(other, &args, kw)
                    }
                }
            }
            Value::Class(cls) => self.instantiate(cls, pos, kw),
            Value::Native(n) if matches!(**n, Native::StaticMethod(_)) => {
                let Native::StaticMethod(f) = &**n else { return Err(self.not_callable(func)) };
                let f = f.clone();
                self.call(&f, pos, kw)
            }
            Value::Instance(_) => {
                if self.has_method(func, sym::CALL) {
                    self.call_method(func, sym::CALL, pos, kw)
                } else {
                    Err(self.not_callable(func))
                }
            }
            _ => Err(self.not_callable(func)),
        }
    }

    /// The coroutine that runs a module's top level as a task (so top-level `await` works).
    pub fn module_coroutine(&mut self, code: Rc<crate::code::Code>) -> Rc<Generator> {
        let frame = Box::new(crate::frame::Frame::new(code));
        let created_at = self.current_span.unwrap_or(frame.code.span);
        let g = Generator::new(&frame.code, created_at, true);
        g.vm.push(frame);
        Rc::new(g)
    }

    /// Binds call arguments to parameter slots, with CPython's error messages.
    pub(crate) fn bind_args(
        &mut self,
        fun: &Function,
        this: Option<&Value>,
        pos: &[Value],
        kw: &[(Symbol, Value)],
        slots: &mut [Value],
    ) -> R<()> {
        let sig = &fun.code.sig;
        let qual = &fun.code.qualname;
        let nargs = sig.args.len();
        let npos = pos.len() + this.is_some() as usize;
        let positional = this.into_iter().chain(pos.iter());
        let mut extra = Vec::new();
        for (i, v) in positional.enumerate() {
            if i < nargs {
                slots[i] = v.clone();
            } else {
                extra.push(v.clone());
            }
        }
        let mut at = nargs;
        if sig.vararg {
            slots[at] = Value::tuple(extra);
            at += 1;
        } else if !extra.is_empty() {
            let ndef = fun.defaults.len();
            let expected = if ndef > 0 {
                format!("from {} to {} positional arguments", nargs - ndef, nargs)
            } else {
                format!("{} positional argument{}", nargs, if nargs == 1 { "" } else { "s" })
            };
            // Keyword-only arguments given are counted too, as CPython counts them.
            let kwonly_given = kw.iter().filter(|(k, _)| sig.kwonly.contains(k)).count();
            let given = if kwonly_given > 0 {
                format!(
                    "{} positional argument{} (and {} keyword-only argument{})",
                    npos,
                    if npos == 1 { "" } else { "s" },
                    kwonly_given,
                    if kwonly_given == 1 { "" } else { "s" }
                )
            } else {
                npos.to_string()
            };
            return Err(type_error(format!(
                "{}() takes {} but {} {} given",
                qual,
                expected,
                given,
                if npos == 1 && kwonly_given == 0 { "was" } else { "were" }
            )));
        }
        let kw_start = at;
        let kwarg_slot = kw_start + sig.kwonly.len();
        let mut kwdict: Option<Rc<RefCell<crate::dict::Dict>>> = None;
        let mut posonly_by_name = Vec::new();
        for (name, v) in kw {
            if sig.posonly > 0 && !sig.kwarg && sig.args[..sig.posonly].contains(name) {
                posonly_by_name.push(name.as_str());
                continue;
            }
            if let Some(i) = sig.args[sig.posonly..].iter().position(|a| a == name).map(|i| i + sig.posonly) {
                if !matches!(slots[i], Value::Unbound) {
                    return Err(type_error(format!(
                        "{}() got multiple values for argument '{}'",
                        qual, name
                    )));
                }
                slots[i] = v.clone();
            } else if let Some(i) = sig.kwonly.iter().position(|a| a == name) {
                slots[kw_start + i] = v.clone();
            } else if sig.kwarg {
                let d = kwdict.get_or_insert_with(|| Value::dict_rc(crate::dict::Dict::new())).clone();
                self.dict_set(&d, Value::str(name.as_str()), v.clone())?;
            } else {
                return Err(type_error(format!("{}() got an unexpected keyword argument '{}'", qual, name)));
            }
        }
        if !posonly_by_name.is_empty() {
            return Err(type_error(format!(
                "{}() got some positional-only arguments passed as keyword arguments: '{}'",
                qual,
                posonly_by_name.join(", ")
            )));
        }
        // Defaults and missing arguments.
        let ndef = fun.defaults.len();
        let mut missing = Vec::new();
        for (i, slot) in slots.iter_mut().enumerate().take(nargs) {
            if matches!(slot, Value::Unbound) {
                if i + ndef >= nargs {
                    *slot = fun.defaults[i + ndef - nargs].clone();
                } else {
                    missing.push(sig.args[i]);
                }
            }
        }
        if !missing.is_empty() {
            return Err(missing_error(qual, "positional", &missing));
        }
        let mut missing_kw = Vec::new();
        for (k, name) in sig.kwonly.iter().enumerate() {
            if matches!(slots[kw_start + k], Value::Unbound) {
                match fun.kwdefaults.get(k).cloned().flatten() {
                    Some(d) => slots[kw_start + k] = d,
                    None => missing_kw.push(*name),
                }
            }
        }
        if !missing_kw.is_empty() {
            return Err(missing_error(qual, "keyword-only", &missing_kw));
        }
        if sig.kwarg {
            slots[kwarg_slot] =
                Value::Dict(kwdict.unwrap_or_else(|| Value::dict_rc(crate::dict::Dict::new())));
        }
        Ok(())
    }

    /// `Class(...)`: builtin constructors, or a new instance and its `__init__`.
    pub fn instantiate(&mut self, cls: &Rc<Class>, pos: &[Value], kw: &[(Symbol, Value)]) -> R<Value> {
        if cls.tag != TypeTag::User && cls.tag != TypeTag::Object {
            return crate::builtins::construct(self, cls, pos, kw);
        }
        // `OSError(errno, strerror)` is the subclass for that errno, as CPython makes it.
        if Rc::ptr_eq(cls, &self.t.os_error) && pos.len() >= 2 {
            if let Value::Int(code) = pos[0] {
                if let Some(sub) = self.errno_class(code) {
                    return self.instantiate(&sub, pos, kw);
                }
            }
        }
        let new = if (cls.flags.get() | self.late_class_flags) & class_flags::NEW != 0 {
            cls.lookup(sym::NEW)
        } else {
            None
        };
        let v = match new {
            // `__new__` is a static method: the class comes first. Its result is initialized
            // only when it is an instance of the class.
            Some(new @ (Value::Func(_) | Value::Native(_))) => {
                let new = match &new {
                    Value::Native(n) => match &**n {
                        Native::StaticMethod(f) => f.clone(),
                        _ => new.clone(),
                    },
                    _ => new,
                };
                let mut args: Vec<Value> = Vec::with_capacity(pos.len() + 1);
                args.push(Value::Class(cls.clone()));
                args.extend_from_slice(pos);
                let v = self.call(&new, &args, kw)?;
                if !self.t.type_of(&v).is_subclass(cls) {
                    return Ok(v);
                }
                if let Value::Instance(i) = &v {
                    if cls.is_exception && !i.attrs.borrow().contains_key(&sym::ARGS) {
                        i.attrs.borrow_mut().insert(sym::ARGS, Value::tuple(pos.to_vec()));
                    }
                }
                v
            }
            _ => {
                let mut inst = Instance::new(cls.clone());
                if cls.is_exception {
                    inst.attrs.borrow_mut().insert(sym::ARGS, Value::tuple(pos.to_vec()));
                }
                if cls.flags.get() & class_flags::BUILTIN != 0 {
                    inst.base = Some(Box::new(self.builtin_new(cls, pos, kw)?));
                }
                Value::instance(inst)
            }
        };
        let init = if cls.flags.get() & class_flags::BUILTIN != 0 {
            self.lookup_through_builtins(cls, sym::INIT)
        } else {
            cls.lookup(sym::INIT)
        };
        match init {
            Some(Value::Func(init)) => {
                let r = self.call_function(&init, Some(&v), pos, kw)?;
                if !r.is_none() {
                    return Err(type_error(format!(
                        "__init__() should return None, not '{}'",
                        self.type_name(&r)
                    )));
                }
                if let Value::Instance(i) = &v {
                    cls.learn_attrs(i);
                }
            }
            Some(Value::Builtin(b)) => {
                let this = super::descr::native_receiver(&b, &v);
                (b.f)(self, &this, pos, kw)?;
            }
            Some(other) => {
                self.call(&other, &[v.clone()], &[])?;
            }
            None => {
                if !cls.is_exception && (!pos.is_empty() || !kw.is_empty()) {
                    return Err(type_error(format!("{}() takes no arguments", cls.name)));
                }
            }
        }
        // OSError(errno, strerror, filename[, winerror, filename2]): the file names are
        // attributes, the arguments only the first two (as CPython keeps them).
        if let Value::Instance(i) = &v {
            if i.class.is_subclass(&self.t.os_error) {
                let args = self.exc_args(&v);
                if (3..=5).contains(&args.len()) && matches!(args[0], Value::Int(_)) {
                    let mut attrs = i.attrs.borrow_mut();
                    attrs.insert(sym::FILENAME, args[2].clone());
                    if let Some(f2) = args.get(4) {
                        attrs.insert(sym::FILENAME2, f2.clone());
                    }
                    attrs.insert(sym::ARGS, Value::tuple(args[..2].to_vec()));
                }
            }
        }
        Ok(v)
    }

    /// The OSError subclass CPython makes for an errno (Linux's numbers).
    fn errno_class(&self, code: i64) -> Option<Rc<Class>> {
        let name = match code {
            1 | 13 => "PermissionError",
            2 => "FileNotFoundError",
            3 => "ProcessLookupError",
            4 => "InterruptedError",
            10 => "ChildProcessError",
            11 | 114 | 115 => "BlockingIOError",
            17 => "FileExistsError",
            20 => "NotADirectoryError",
            21 => "IsADirectoryError",
            32 | 108 => "BrokenPipeError",
            103 => "ConnectionAbortedError",
            104 => "ConnectionResetError",
            110 => "TimeoutError",
            111 => "ConnectionRefusedError",
            _ => return None,
        };
        match self.builtins.get(&Symbol::intern(name)) {
            Some(Value::Class(c)) => Some(c.clone()),
            _ => None,
        }
    }

    /// A new instance of `cls` without `__init__` (`object.__new__(cls)`).
    pub fn bare_instance(&mut self, cls: &Rc<Class>) -> R<Value> {
        let mut inst = Instance::new(cls.clone());
        if cls.is_exception {
            inst.attrs.borrow_mut().insert(sym::ARGS, Value::tuple(vec![]));
        }
        if cls.flags.get() & class_flags::BUILTIN != 0 {
            inst.base = Some(Box::new(self.builtin_new(cls, &[], &[])?));
        }
        Ok(Value::instance(inst))
    }

    /// The bases of a class statement: classes, not built-in types other than `object`
    /// (tinyasync cannot extend their values yet), and an order C3 can linearize.
    pub(crate) fn class_bases(&mut self, bases: Vec<Value>) -> R<ClassBases> {
        let mut out = Vec::with_capacity(bases.len().max(1));
        for b in bases {
            let c = match b {
                Value::Class(c) => c,
                other => {
                    return Err(type_error(format!(
                        "bases must be classes, not '{}'",
                        self.type_name(&other)
                    )))
                }
            };
            if !matches!(c.tag, TypeTag::User | TypeTag::Object) && !c.is_builtin_type() {
                return Err(type_error(format!(
                    "subclassing the built-in type '{}' is not supported in tinyasync",
                    c.name
                )));
            }
            if out.iter().any(|k: &Rc<Class>| Rc::ptr_eq(k, &c)) {
                return Err(type_error(format!("duplicate base class {}", c.name)));
            }
            out.push(c);
        }
        if out.is_empty() {
            out.push(self.t.object.clone());
        }
        // One built-in layout at most (`class X(list, dict)` cannot be both).
        let mut layouts = out.iter().filter_map(|b| b.builtin_base());
        if let Some(first) = layouts.next() {
            if layouts.any(|o| !Rc::ptr_eq(&o, &first)) {
                return Err(type_error("multiple bases have instance lay-out conflict"));
            }
        }
        let mro = c3_mro(&out).ok_or_else(|| {
            let names: Vec<&str> = out.iter().map(|c| c.name.as_str()).collect();
            type_error(format!(
                "Cannot create a consistent method resolution\norder (MRO) for bases {}",
                names.join(", ")
            ))
        })?;
        Ok((out, mro))
    }

    /// The class made from a class body's namespace.
    pub(crate) fn finish_class(
        &mut self,
        name: Symbol,
        (bases, mro): ClassBases,
        ns: &Rc<RefCell<SymMap>>,
        kwargs: &[(Symbol, Value)],
    ) -> R<Value> {
        let mut dict = std::mem::take(&mut *ns.borrow_mut());
        let qualname = match dict.get(&sym::QUALNAME) {
            Some(Value::Str(s)) => s.s.clone(),
            _ => name.as_str().to_string(),
        };
        // `__init_subclass__` is implicitly a class method, as CPython's `type` makes it.
        if let Some(f @ Value::Func(_)) = dict.get(&sym::INIT_SUBCLASS).cloned() {
            dict.insert(sym::INIT_SUBCLASS, Value::Native(Rc::new(Native::ClassMethod(f))));
        }
        let mut flags = Self::namespace_flags(&dict);
        if mro.iter().any(|k| k.is_builtin_type()) {
            flags |= class_flags::BUILTIN;
        }
        let cls = Rc::new(Class::new(name, bases, mro, dict, TypeTag::User));
        crate::gc::track_class(&cls);
        cls.flags.set((cls.flags.get() | flags) & !class_flags::SLOTS);
        if let Some(names) = self.slot_names(&cls) {
            *cls.slots.borrow_mut() = Some(names.into_boxed_slice());
            cls.flags.set(cls.flags.get() | class_flags::SLOTS);
        }
        for v in cls.dict.borrow().values() {
            // The functions `super()` and `__class__` find this class from.
            let inner: Vec<&Value> = match v {
                Value::Native(n) => match &**n {
                    Native::StaticMethod(f) | Native::ClassMethod(f) => vec![f],
                    Native::Property { fget, fset, fdel, .. } => vec![fget, fset, fdel],
                    _ => vec![],
                },
                v => vec![v],
            };
            for f in inner {
                if let Value::Func(func) = f {
                    if func.owner.borrow().is_none() {
                        *func.owner.borrow_mut() = Some(cls.clone());
                    }
                    // A decorated method: the wrapper keeps the function of the class body
                    // in its closure; that one (named `Class.method`) belongs here too.
                    for cell in &func.closure {
                        if let Value::Func(g) = &*cell.borrow() {
                            let defined_here = g.code.qualname.strip_suffix(g.code.name.as_str())
                                == Some(&format!("{}.", qualname));
                            if defined_here && g.owner.borrow().is_none() {
                                *g.owner.borrow_mut() = Some(cls.clone());
                            }
                        }
                    }
                }
            }
        }
        self.class_created(&cls, kwargs)?;
        Ok(Value::Class(cls))
    }

    /// `import name`: built-in modules only (tinyasync programs cannot reach the file system).
    pub fn import(&mut self, name: &str) -> R<Value> {
        let key = Symbol::intern(name);
        if let Some(m) = self.modules.get(&key) {
            return Ok(m.clone());
        }
        match crate::builtins::modules::make_module(self, name) {
            Some(m) => {
                self.modules.insert(key, m.clone());
                Ok(m)
            }
            None => Err(import_error(format!("No module named '{}'", name))
                .label(At::Expr, "not a tinyasync module")
                .help(crate::hint::import_help(name))),
        }
    }
}

/// `f() missing 2 required positional arguments: 'a' and 'b'`, as CPython words it.
pub(crate) fn missing_error(qual: &str, kind: &str, names: &[Symbol]) -> Fault {
    type_error(format!(
        "{}() missing {} required {} argument{}: {}",
        qual,
        names.len(),
        kind,
        if names.len() == 1 { "" } else { "s" },
        name_list(names)
    ))
}

/// `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'` as CPython lists missing arguments.
fn name_list(names: &[Symbol]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{}'", n)).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        2 => format!("{} and {}", quoted[0], quoted[1]),
        n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}
