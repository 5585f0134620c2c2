//! Expressions (evaluated recursively), calls and argument binding, and the creation of
//! functions, classes, comprehensions and modules.

use super::exec::{Outcome, Resume};
use super::*;
use crate::code::{Call, Comp, CompKind, Expr, FPiece, Flavor, MakeClass, MakeFunction, E};
use smallvec::SmallVec;

pub type Args = SmallVec<[Value; 6]>;

impl Interp {
    pub fn eval(&mut self, f: &mut Frame, e: &Expr) -> R<Value> {
        match &e.kind {
            E::Const(v) => Ok(v.clone()),
            E::Local(i) => match &f.slots[*i as usize] {
                Value::Unbound => Err(self.unbound_error(f.code.slot_names[*i as usize]).at(e.span)),
                v => Ok(v.clone()),
            },
            E::Cell(i) => {
                let v = f.cells[*i as usize].borrow().clone();
                if let Value::Unbound = v {
                    let name = f.code.cell_names.get(*i as usize).copied().unwrap_or(sym::NONE);
                    return Err(name_error(format!(
                        "cannot access free variable '{}' where it is not associated with a value in enclosing scope",
                        name
                    ))
                    .at(e.span));
                }
                Ok(v)
            }
            E::Global(n) => self.load_global(*n).map_err(|x| name_error_in(f, x, *n, e.span)),
            E::ClassNs(n) => {
                if let Some(ns) = &f.ns {
                    if let Some(v) = ns.borrow().get(n) {
                        return Ok(v.clone());
                    }
                }
                self.load_global(*n).map_err(|x| name_error_in(f, x, *n, e.span))
            }
            E::Tuple(items) => Ok(Value::tuple(self.eval_items(f, items)?)),
            E::List(items) => Ok(Value::list(self.eval_items(f, items)?)),
            E::Set(items) => {
                let vals = self.eval_items(f, items)?;
                let d = Rc::new(RefCell::new(crate::dict::Dict::new()));
                for v in vals {
                    self.set_add(&d, v).map_err(|x| x.at(e.span))?;
                }
                Ok(Value::Set(d))
            }
            E::Dict(pairs) => {
                let d = Rc::new(RefCell::new(crate::dict::Dict::new()));
                for (k, v) in pairs {
                    let kv = self.eval(f, k)?;
                    let vv = self.eval(f, v)?;
                    self.dict_set(&d, kv, vv).map_err(|x| x.at(k.span))?;
                }
                Ok(Value::Dict(d))
            }
            E::Star(x) => Err(type_error("can't use starred expression here").at(x.span)),
            E::Attr(o, n) => {
                let ov = self.eval(f, o)?;
                self.getattr(&ov, *n).map_err(|x| {
                    let name = Some((crate::hint::name_span(e.span, *n), &ov));
                    x.at_parts(&Parts { whole: e.span, operands: &[(o.span, &ov)], name, args: &[] })
                })
            }
            E::Index(o, i) => {
                let ov = self.eval(f, o)?;
                let iv = self.eval(f, i)?;
                self.getitem(&ov, &iv)
                    .map_err(|x| x.at_parts(&operands(e.span, &[(o.span, &ov), (i.span, &iv)])))
            }
            E::Slice(a, b, c) => {
                let mut parts = [Value::None, Value::None, Value::None];
                for (k, x) in [a, b, c].into_iter().enumerate() {
                    if let Some(x) = x {
                        parts[k] = self.eval(f, x)?;
                    }
                }
                Ok(Value::Slice(Rc::new(parts)))
            }
            E::Call(c) => self.eval_call(f, c, e.span),
            E::Bin(op, a, b) => {
                let av = self.eval(f, a)?;
                let bv = self.eval(f, b)?;
                if let (Value::Int(x), Value::Int(y)) = (&av, &bv) {
                    if let Some(v) = super::ops::int_fast(*op, *x, *y) {
                        return Ok(v);
                    }
                }
                self.binop(*op, &av, &bv)
                    .map_err(|x| x.at_parts(&operands(e.span, &[(a.span, &av), (b.span, &bv)])))
            }
            E::Unary(op, x) => {
                let v = self.eval(f, x)?;
                self.unary(*op, &v).map_err(|err| err.at_parts(&operands(e.span, &[(x.span, &v)])))
            }
            E::And(a, b) => {
                let av = self.eval(f, a)?;
                if self.truthy(&av).map_err(|x| x.at(a.span))? {
                    self.eval(f, b)
                } else {
                    Ok(av)
                }
            }
            E::Or(a, b) => {
                let av = self.eval(f, a)?;
                if self.truthy(&av).map_err(|x| x.at(a.span))? {
                    Ok(av)
                } else {
                    self.eval(f, b)
                }
            }
            E::Compare(first, rest) => {
                let mut left = self.eval(f, first)?;
                // Fast path: one comparison of two small ints.
                if let ([(op, x)], Value::Int(a)) = (rest.as_slice(), &left) {
                    let a = *a;
                    let right = self.eval(f, x)?;
                    if let Value::Int(b) = right {
                        use crate::ast::CmpOp::*;
                        let r = match op {
                            Lt => Some(a < b),
                            Le => Some(a <= b),
                            Gt => Some(a > b),
                            Ge => Some(a >= b),
                            Eq => Some(a == b),
                            Ne => Some(a != b),
                            _ => None,
                        };
                        if let Some(r) = r {
                            return Ok(Value::Bool(r));
                        }
                    }
                    let r = self.compare(*op, &left, &right);
                    let at = |err: Fault| {
                        err.at_parts(&operands(e.span, &[(first.span, &left), (x.span, &right)]))
                    };
                    return Ok(Value::Bool(r.map_err(at)?));
                }
                let mut left_span = first.span;
                for (op, x) in rest {
                    let right = self.eval(f, x)?;
                    let r = self.compare(*op, &left, &right);
                    let at =
                        |err: Fault| err.at_parts(&operands(e.span, &[(left_span, &left), (x.span, &right)]));
                    if !r.map_err(at)? {
                        return Ok(Value::Bool(false));
                    }
                    left = right;
                    left_span = x.span;
                }
                Ok(Value::Bool(true))
            }
            E::IfExp(c, a, b) => {
                let cv = self.eval(f, c)?;
                if self.truthy(&cv).map_err(|x| x.at(c.span))? {
                    self.eval(f, a)
                } else {
                    self.eval(f, b)
                }
            }
            E::FString(pieces) => {
                let s = self.eval_fstring(f, pieces)?;
                Ok(Value::string(s))
            }
            E::MakeFunction(m) => self.make_function(f, m),
            E::MakeClass(m) => self.make_class(f, m, e.span),
            E::Comp(c) => self.run_comprehension(f, c, e.span),
            E::Import(name, whole) => {
                let m = self.import(name).map_err(|x| x.at(e.span))?;
                if *whole || !name.contains('.') {
                    return Ok(m);
                }
                let top = name.split('.').next().unwrap_or(name);
                self.import(top).map_err(|x| x.at(e.span))
            }
            E::ImportFrom(m, n) => {
                let module = self.import(m).map_err(|x| x.at(e.span))?;
                match self.getattr(&module, *n) {
                    Ok(v) => Ok(v),
                    Err(_) => Err(exc(
                        &self.t.import_error,
                        format!("cannot import name '{}' from '{}' (unknown location)", n, m),
                    )
                    .at(e.span)),
                }
            }
            E::Super => {
                let class = f.func.as_ref().and_then(|func| func.owner.borrow().clone());
                let obj = f.slots.first().cloned().unwrap_or(Value::None);
                match class {
                    Some(class) if !matches!(obj, Value::Unbound) => {
                        Ok(Value::Native(Rc::new(Native::Super { class, obj })))
                    }
                    _ => Err(runtime_error("super(): no arguments").at(e.span)),
                }
            }
        }
    }

    fn eval_items(&mut self, f: &mut Frame, items: &[Expr]) -> R<Vec<Value>> {
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            if let E::Star(x) = &it.kind {
                let v = self.eval(f, x)?;
                let vals = self.collect(&v).map_err(|err| err.at(x.span))?;
                out.extend(vals);
            } else {
                out.push(self.eval(f, it)?);
            }
        }
        Ok(out)
    }

    fn eval_fstring(&mut self, f: &mut Frame, pieces: &[FPiece]) -> R<String> {
        let mut s = String::new();
        for p in pieces {
            match p {
                FPiece::Lit(l) => s.push_str(l),
                FPiece::Field { expr, conv, spec } => {
                    let v = self.eval(f, expr)?;
                    let v = match conv {
                        Some('r') | Some('a') => Value::string(self.repr(&v).map_err(|x| x.at(expr.span))?),
                        Some('s') => Value::string(self.to_str(&v).map_err(|x| x.at(expr.span))?),
                        _ => v,
                    };
                    let spec = if spec.is_empty() { String::new() } else { self.eval_fstring(f, spec)? };
                    let text = self.format_value(&v, &spec).map_err(|x| x.at(expr.span))?;
                    s.push_str(&text);
                }
            }
        }
        Ok(s)
    }

    fn eval_args(&mut self, f: &mut Frame, c: &Call) -> R<(Args, Vec<(Symbol, Value)>)> {
        let mut pos: Args = SmallVec::new();
        if c.has_star {
            for a in &c.args {
                if let E::Star(x) = &a.kind {
                    let v = self.eval(f, x)?;
                    pos.extend(self.collect(&v).map_err(|err| err.at(x.span))?);
                } else {
                    pos.push(self.eval(f, a)?);
                }
            }
        } else {
            for a in &c.args {
                pos.push(self.eval(f, a)?);
            }
        }
        let mut kw = Vec::new();
        for (n, x) in &c.kwargs {
            let v = self.eval(f, x)?;
            if let Some(n) = n {
                kw.push((*n, v));
                continue;
            }
            let Value::Dict(dd) = &v else {
                return Err(type_error(format!(
                    "argument after ** must be a mapping, not {}",
                    self.type_name(&v)
                ))
                .at(x.span));
            };
            let entries: Vec<(Value, Value)> =
                dd.borrow().iter().map(|e| (e.key.clone(), e.value.clone())).collect();
            for (k, v) in entries {
                let Value::Str(s) = &k else { return Err(type_error("keywords must be strings").at(x.span)) };
                let name = Symbol::intern(&s.s);
                if kw.iter().any(|(k2, _)| *k2 == name) {
                    return Err(
                        type_error(format!("got multiple values for keyword argument '{}'", name)).at(x.span)
                    );
                }
                kw.push((name, v));
            }
        }
        Ok((pos, kw))
    }

    fn eval_call(&mut self, f: &mut Frame, c: &Call, span: Span) -> R<Value> {
        // The parts of the call, for the labels of an error raised by the callee itself.
        let parts = |x: Fault, callee: &Value, pos: &[Value]| {
            let args: Vec<(Span, &Value)> =
                if c.has_star { Vec::new() } else { c.args.iter().map(|a| a.span).zip(pos).collect() };
            let name = c.method.map(|_| (c.method_span, callee));
            x.at_parts(&Parts { whole: span, operands: &[(c.func.span, callee)], name, args: &args })
        };
        if let Some(name) = c.method {
            let recv = self.eval(f, &c.func)?;
            let (pos, kw) = self.eval_args(f, c)?;
            self.current_span = Some(span);
            return self.call_method(&recv, name, &pos, &kw).map_err(|x| parts(x, &recv, &pos));
        }
        let func = self.eval(f, &c.func)?;
        let (pos, kw) = self.eval_args(f, c)?;
        self.current_span = Some(span);
        self.call(&func, &pos, &kw).map_err(|x| parts(x, &func, &pos))
    }

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
            Value::Builtin(b) => (b.f)(self, &b.this, pos, kw),
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

    /// Calls a user function: binds the arguments into a new frame and runs it (or, for a
    /// generator or coroutine function, returns the suspended generator object).
    pub fn call_function(
        &mut self,
        fun: &Rc<Function>,
        this: Option<&Value>,
        pos: &[Value],
        kw: &[(Symbol, Value)],
    ) -> R<Value> {
        if fun.code.bc.is_some() {
            return self.vm_call(fun, this, pos, kw);
        }
        let code = fun.code.clone();
        let mut frame = Frame::new(code.clone());
        self.bind_args(fun, this, pos, kw, &mut frame.slots)?;
        frame.cells.extend(fun.closure.iter().cloned());
        for &(slot, cell) in &code.cell_params {
            *frame.cells[cell as usize].borrow_mut() = frame.slots[slot as usize].clone();
        }
        frame.func = Some(fun.clone());
        match code.flavor {
            Flavor::Plain => {
                self.depth += 1;
                if self.depth > self.opts.max_depth {
                    self.depth -= 1;
                    return Err(recursion_error("maximum recursion depth exceeded"));
                }
                let r = self.run_frame(&mut frame, Resume::Start);
                self.depth -= 1;
                match r? {
                    Outcome::Return(v) => Ok(v),
                    // A plain function never yields; a top-level await is not in a function.
                    Outcome::Yield(_) => Err(runtime_error("a plain function cannot suspend")),
                }
            }
            Flavor::Generator | Flavor::Coroutine => {
                Ok(self.new_generator(frame, code.flavor == Flavor::Coroutine))
            }
        }
    }

    /// The coroutine that runs a module's top level as a task (so top-level `await` works).
    pub fn module_coroutine(&mut self, code: Rc<crate::code::Code>) -> Value {
        if code.bc.is_some() {
            return self.vm_generator(Box::new(crate::vm::Frame::new(code)), true);
        }
        self.new_generator(Frame::new(code), true)
    }

    pub fn new_generator(&mut self, frame: Frame, is_coroutine: bool) -> Value {
        let created_at = self.current_span.unwrap_or(frame.code.span);
        let g = Generator::new(&frame.code, created_at, is_coroutine, false);
        *g.frame.borrow_mut() = Some(Box::new(frame));
        Value::Gen(Rc::new(g))
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
            return Err(type_error(format!(
                "{}() takes {} but {} {} given",
                qual,
                expected,
                npos,
                if npos == 1 { "was" } else { "were" }
            )));
        }
        let kw_start = at;
        let kwarg_slot = kw_start + sig.kwonly.len();
        let mut kwdict: Option<Rc<RefCell<crate::dict::Dict>>> = None;
        for (name, v) in kw {
            if let Some(i) = sig.args.iter().position(|a| a == name) {
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
                let d = kwdict.get_or_insert_with(|| Rc::new(RefCell::new(crate::dict::Dict::new()))).clone();
                self.dict_set(&d, Value::str(name.as_str()), v.clone())?;
            } else {
                return Err(type_error(format!("{}() got an unexpected keyword argument '{}'", qual, name)));
            }
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
                Value::Dict(kwdict.unwrap_or_else(|| Rc::new(RefCell::new(crate::dict::Dict::new()))));
        }
        Ok(())
    }

    /// `Class(...)`: builtin constructors, or a new instance and its `__init__`.
    pub fn instantiate(&mut self, cls: &Rc<Class>, pos: &[Value], kw: &[(Symbol, Value)]) -> R<Value> {
        if cls.tag != TypeTag::User && cls.tag != TypeTag::Object {
            return crate::builtins::construct(self, cls, pos, kw);
        }
        let inst = Instance { class: cls.clone(), attrs: RefCell::new(new_symmap()) };
        if cls.is_exception {
            inst.attrs.borrow_mut().insert(sym::ARGS, Value::tuple(pos.to_vec()));
        }
        let v = Value::Instance(Rc::new(inst));
        match cls.lookup(sym::INIT) {
            Some(Value::Func(init)) => {
                let r = self.call_function(&init, Some(&v), pos, kw)?;
                if !r.is_none() {
                    return Err(type_error(format!(
                        "__init__() should return None, not '{}'",
                        self.type_name(&r)
                    )));
                }
            }
            Some(Value::Builtin(b)) => {
                (b.f)(self, &v, pos, kw)?;
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
        Ok(v)
    }

    fn make_function(&mut self, f: &mut Frame, m: &MakeFunction) -> R<Value> {
        let mut defaults = Vec::with_capacity(m.defaults.len());
        for d in &m.defaults {
            defaults.push(self.eval(f, d)?);
        }
        let mut kwdefaults = Vec::with_capacity(m.kwdefaults.len());
        for d in &m.kwdefaults {
            kwdefaults.push(match d {
                Some(d) => Some(self.eval(f, d)?),
                None => None,
            });
        }
        let closure = m.closure.iter().map(|&c| f.cells[c as usize].clone()).collect();
        Ok(Value::Func(Rc::new(Function {
            code: m.code.clone(),
            defaults,
            kwdefaults,
            closure,
            attrs: RefCell::new(new_symmap()),
            owner: RefCell::new(None),
        })))
    }

    fn make_class(&mut self, f: &mut Frame, m: &MakeClass, span: Span) -> R<Value> {
        let mut bases = Vec::new();
        for b in &m.bases {
            bases.push(self.eval(f, b)?);
        }
        let base = self.class_base(bases).map_err(|e| e.at(span))?;
        let ns = Rc::new(RefCell::new(new_symmap()));
        ns.borrow_mut().insert(sym::MODULE, Value::str("__main__"));
        ns.borrow_mut().insert(sym::QUALNAME, Value::str(&m.code.qualname));
        let mut frame = Frame::new(m.code.clone());
        frame.cells.extend(m.closure.iter().map(|&c| f.cells[c as usize].clone()));
        frame.ns = Some(ns.clone());
        self.depth += 1;
        let r = if self.depth > self.opts.max_depth {
            Err(recursion_error("maximum recursion depth exceeded"))
        } else {
            self.run_frame(&mut frame, Resume::Start)
        };
        self.depth -= 1;
        r?;
        Ok(self.finish_class(m.name, base, &ns))
    }

    /// The base class of a class statement: at most one, a class, not a built-in type.
    pub(crate) fn class_base(&mut self, mut bases: Vec<Value>) -> R<Rc<Class>> {
        if bases.len() > 1 {
            return Err(type_error(
                "multiple inheritance is not supported in tinyasync: a class has at most one base",
            ));
        }
        let base = match bases.pop() {
            None => self.t.object.clone(),
            Some(Value::Class(c)) => c,
            Some(other) => {
                return Err(type_error(format!("bases must be classes, not '{}'", self.type_name(&other))))
            }
        };
        if !matches!(base.tag, TypeTag::User | TypeTag::Object) {
            return Err(type_error(format!(
                "subclassing the built-in type '{}' is not supported in tinyasync",
                base.name
            )));
        }
        Ok(base)
    }

    /// The class made from a class body's namespace.
    pub(crate) fn finish_class(&mut self, name: Symbol, base: Rc<Class>, ns: &Rc<RefCell<SymMap>>) -> Value {
        let dict = std::mem::take(&mut *ns.borrow_mut());
        let is_exception = base.is_exception;
        let cls = Rc::new(Class {
            name,
            base: Some(base),
            dict: RefCell::new(dict),
            tag: TypeTag::User,
            is_exception,
        });
        for v in cls.dict.borrow().values() {
            if let Value::Func(func) = v {
                *func.owner.borrow_mut() = Some(cls.clone());
            }
        }
        Value::Class(cls)
    }

    fn run_comprehension(&mut self, f: &mut Frame, c: &Comp, span: Span) -> R<Value> {
        let iterable = self.eval(f, &c.iter)?;
        let it = self
            .get_iter(&iterable)
            .map_err(|x| x.at_parts(&operands(c.iter.span, &[(c.iter.span, &iterable)])))?;
        let mut frame = Frame::new(c.code.clone());
        frame.slots[0] = it;
        frame.cells.extend(c.closure.iter().map(|&i| f.cells[i as usize].clone()));
        frame.func = f.func.clone();
        if c.kind == CompKind::Gen {
            return Ok(self.new_generator(frame, false));
        }
        self.depth += 1;
        let r = if self.depth > self.opts.max_depth {
            Err(recursion_error("maximum recursion depth exceeded"))
        } else {
            self.run_frame(&mut frame, Resume::Start)
        };
        self.depth -= 1;
        match r.map_err(|x| x.at(span))? {
            Outcome::Return(v) => Ok(v),
            Outcome::Yield(_) => Err(runtime_error("a comprehension cannot suspend").at(span)),
        }
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

/// The parts of an operator expression: its operands, where they are and what they hold.
fn operands<'a>(whole: Span, operands: &'a [(Span, &'a Value)]) -> Parts<'a> {
    Parts { whole, operands, ..Default::default() }
}

/// Locates a NameError raised for `name` in frame `f`, with the frame's local names for a
/// "Did you mean" (CPython looks among the locals, then the globals, then the builtins).
#[cold]
fn name_error_in(f: &Frame, x: Fault, name: Symbol, span: Span) -> Fault {
    let own_cells = &f.code.cell_names[..f.code.n_own_cells.min(f.code.cell_names.len())];
    let locals = f.code.slot_names.iter().chain(own_cells).copied().collect();
    x.at(span).suggest(Suggest::Name { name, locals })
}

/// `f() missing 2 required positional arguments: 'a' and 'b'`, as CPython words it.
fn missing_error(qual: &str, kind: &str, names: &[Symbol]) -> Fault {
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
