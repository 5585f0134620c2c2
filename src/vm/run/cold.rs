//! The instructions rarely on a hot path (building displays, classes and functions, imports,
//! exceptions, `with`, keyword calls): out of `exec_instrs`, so that the dispatch loop stays
//! small and keeps its state in machine registers around the frequent instructions.

use super::*;

impl Interp {
    /// The instructions rarely on a hot path, out of the dispatch loop so that it stays small
    /// (fewer spills around the frequent ones). `Some` when control leaves the frame.
    #[inline(never)]
    pub(super) fn exec_cold(&mut self, f: &mut Frame, bc: &Bytecode, instr: Instr) -> R<Option<Transfer>> {
        let regs: &mut [Value] = &mut f.regs;
        macro_rules! reg {
            ($r:expr) => {
                regs[$r as usize]
            };
        }
        match instr {
            Instr::DelLocal { reg } => {
                if matches!(reg!(reg), Value::Unbound) {
                    return Err(self.unbound_error(f.code.slot_names[reg as usize]));
                }
                reg!(reg).put(Value::Unbound);
                self.run_finalizers()?;
            }
            Instr::DelCell { cell } => {
                let old = std::mem::replace(&mut *f.cells[cell as usize].borrow_mut(), Value::Unbound);
                if matches!(old, Value::Unbound) {
                    return Err(self.unbound_error(f.code.cell_names[cell as usize]));
                }
                drop(old);
                self.run_finalizers()?;
            }
            Instr::DelGlobal { name } => {
                let n = bc.names[name as usize];
                if self.remove_global(n).is_none() {
                    return Err(name_error(format!("name '{}' is not defined", n)));
                }
                self.run_finalizers()?;
            }
            Instr::LoadClassNs { dst, name } => {
                let n = bc.names[name as usize];
                let found = f.ns.as_ref().and_then(|ns| ns.borrow().get(&n).cloned());
                reg!(dst) = match found {
                    Some(v) => v,
                    None => self.load_global_from(f.code.bc.module_globals.as_ref(), n)?,
                };
            }
            Instr::StoreClassNs { name, src } => {
                let n = bc.names[name as usize];
                let v = reg!(src).clone();
                match &f.ns {
                    Some(ns) => {
                        ns.borrow_mut().insert(n, v);
                    }
                    None => self.store_global(n, v),
                }
            }
            Instr::DelClassNs { name } => {
                let n = bc.names[name as usize];
                let gone = f.ns.as_ref().and_then(|ns| ns.borrow_mut().shift_remove(&n));
                if gone.is_none() {
                    return Err(name_error(format!("name '{}' is not defined", n)));
                }
            }
            Instr::Unary { op, dst, a } => {
                let x = reg!(a).clone();
                reg!(dst).put(self.unary(op, &x)?);
            }
            Instr::Truth { dst, a } => {
                let x = reg!(a).clone();
                reg!(dst).put(Value::Bool(self.truthy(&x)?));
            }
            Instr::BuildTuple { dst, start, n } => {
                let items = regs[start as usize..start as usize + n as usize].to_vec();
                reg!(dst).put(Value::tuple(items));
            }
            Instr::BuildList { dst, start, n } => {
                let items = regs[start as usize..start as usize + n as usize].to_vec();
                reg!(dst).put(Value::list(items));
            }
            Instr::BuildSet { dst, start, n } => {
                let d = crate::interp::sets::new_set(false);
                for i in 0..n {
                    let v = reg!(start + i).clone();
                    self.set_add(&d, v)?;
                }
                reg!(dst).put(Value::Set(d));
            }
            Instr::SetConst { dst, k, frozen } => {
                let c = bc.consts.get(k as usize).cloned().unwrap_or(Value::None);
                let fs = self.const_frozenset(&c)?;
                let v = if frozen { fs } else { self.make_set(false, Some(&Value::Set(fs)))? };
                reg!(dst).put(Value::Set(v));
            }
            Instr::BuildDict { dst, start, n } => {
                let d = Value::dict_rc(crate::dict::Dict::new());
                for i in 0..n {
                    let k = reg!(start + 2 * i).clone();
                    let v = reg!(start + 2 * i + 1).clone();
                    self.dict_set(&d, k, v)?;
                }
                reg!(dst).put(Value::Dict(d));
            }
            Instr::ListAppend { list, src } => {
                let v = reg!(src).clone();
                if let Value::List(l) = &reg!(list) {
                    l.borrow_mut().push(v);
                }
            }
            Instr::ListExtend { list, src } => {
                let v = reg!(src).clone();
                let items = self.collect(&v)?;
                if let Value::List(l) = &reg!(list) {
                    l.borrow_mut().extend(items);
                }
            }
            Instr::StarArgs { list, src, func } => {
                let v = reg!(src).clone();
                let items = match self.collect(&v) {
                    Ok(items) => items,
                    Err(e) if e.is_instance(&self.t.type_error) && !self.is_iterable(&v) => {
                        let f = self.callable_name(&reg!(func));
                        return Err(type_error(format!(
                            "{}() argument after * must be an iterable, not {}",
                            f,
                            self.type_name(&v)
                        )));
                    }
                    Err(e) => return Err(e),
                };
                if let Value::List(l) = &reg!(list) {
                    l.borrow_mut().extend(items);
                }
            }
            Instr::StarKwargs { dict, src, func } => {
                let v = reg!(src).clone();
                let pairs: Vec<(Value, Value)> = match self.mapping_pairs(&v)? {
                    Some(pairs) => pairs,
                    None => {
                        let f = self.callable_name(&reg!(func));
                        return Err(type_error(format!(
                            "{}() argument after ** must be a mapping, not {}",
                            f,
                            self.type_name(&v)
                        )));
                    }
                };
                let Value::Dict(d) = reg!(dict).clone() else { return Ok(None) };
                for (k, x) in pairs {
                    if !matches!(k, Value::Str(_)) {
                        return Err(type_error("keywords must be strings"));
                    }
                    if self.dict_get(&d, &k)?.is_some() {
                        let f = self.callable_name(&reg!(func));
                        let name = self.to_str(&k)?;
                        return Err(type_error(format!(
                            "{}() got multiple values for keyword argument '{}'",
                            f, name
                        )));
                    }
                    self.dict_set(&d, k, x)?;
                }
            }
            Instr::SetAdd { set, src } => {
                let v = reg!(src).clone();
                if let Value::Set(d) = reg!(set).clone() {
                    self.set_add(&d, v)?;
                }
            }
            Instr::SetUpdate { set, src } => {
                let v = reg!(src).clone();
                if let Value::Set(d) = reg!(set).clone() {
                    self.set_update(&d, &v)?;
                }
            }
            Instr::DictSet { dict, key, src } => {
                let (k, v) = (reg!(key).clone(), reg!(src).clone());
                if let Value::Dict(d) = reg!(dict).clone() {
                    self.dict_set(&d, k, v)?;
                }
            }
            Instr::DictUpdate { dict, src } => {
                let v = reg!(src).clone();
                let Some(entries) = self.mapping_pairs(&v)? else {
                    return Err(type_error(format!("'{}' object is not a mapping", self.type_name(&v))));
                };
                if let Value::Dict(d) = reg!(dict).clone() {
                    for (k, x) in entries {
                        self.dict_set(&d, k, x)?;
                    }
                }
            }
            Instr::ListToTuple { dst, src } => {
                let items = match &reg!(src) {
                    Value::List(l) => l.borrow().clone(),
                    _ => Vec::new(),
                };
                reg!(dst).put(Value::tuple(items));
            }
            Instr::BuildSlice { dst, start } => {
                let s = start as usize;
                let parts = [regs[s].clone(), regs[s + 1].clone(), regs[s + 2].clone()];
                reg!(dst).put(Value::Slice(Rc::new(parts)));
            }
            // `f"{x}"` of a string is the string, of an int its digits: no detour through
            // `format_value`.
            // An int or a str with no conversion and no spec is its own `format(x, '')`: the
            // value stays as it is, and `Concat` (the only reader of a `Format`'s result: the
            // compiler emits both for an f-string) writes an int's digits straight into the
            // string it builds, without a string of its own.
            Instr::Format { dst, src, conv: 0, spec: NO_REG }
                if matches!(reg!(src), Value::Str(_) | Value::Int(_)) =>
            {
                if dst != src {
                    let v = reg!(src).clone();
                    reg!(dst).put(v);
                }
            }
            Instr::Format { dst, src, conv, spec } => {
                let v = reg!(src).clone();
                let v = match conv {
                    b'r' => Value::string(self.repr(&v)?),
                    b'a' => Value::string(self.ascii(&v)?),
                    b's' => Value::string(self.to_str(&v)?),
                    _ => v,
                };
                let spec = if spec == NO_REG {
                    String::new()
                } else {
                    let s = reg!(spec).clone();
                    self.to_str(&s)?
                };
                reg!(dst).put(Value::string(self.format_value(&v, &spec)?));
            }
            Instr::Concat { dst, start, n } => {
                // Sized once, from parts that are strings (literals, `Format`'s results) or
                // ints (`Format` of an int, written here). ASCII if every part is.
                let mut len = 0;
                let mut ascii = true;
                for i in 0..n {
                    match &reg!(start + i) {
                        Value::Str(p) => {
                            len += p.s.len();
                            ascii &= p.ascii;
                        }
                        Value::Int(x) => len += decimal_len(*x),
                        _ => {}
                    }
                }
                let mut s = String::with_capacity(len);
                for i in 0..n {
                    match &reg!(start + i) {
                        Value::Str(p) => s.push_str(&p.s),
                        Value::Int(x) => s.push_str(itoa::Buffer::new().format(*x)),
                        other => {
                            let other = other.clone();
                            let t = self.to_str(&other)?;
                            ascii &= t.is_ascii();
                            s.push_str(&t);
                        }
                    }
                }
                reg!(dst).put(Value::Str(Rc::new(PyStr { s, ascii })));
            }
            Instr::Unpack { src, start, n, star } => {
                let v = reg!(src).clone();
                let star = if star == NO_REG { None } else { Some(star as usize) };
                let items = self.unpack(&v, n as usize, star)?;
                for (i, x) in items.into_iter().enumerate() {
                    regs[start as usize + i] = x;
                }
            }
            Instr::DelAttr { obj, name } => {
                let o = reg!(obj).clone();
                self.delattr(&o, bc.names[name as usize])?;
            }
            Instr::DelItem { obj, idx } => {
                let (o, i) = (reg!(obj).clone(), reg!(idx).clone());
                self.delitem(&o, &i)?;
            }
            Instr::CallKw { dst, func, argc, kw, names } => {
                let fv = reg!(func).clone();
                let a = func as usize + 1;
                let pos: Vec<Value> = regs[a..a + argc as usize].to_vec();
                let Value::Tuple(names) = &bc.consts[names as usize] else {
                    return Err(internal_error("keyword names"));
                };
                let kws: Vec<(Symbol, Value)> = names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| {
                        let name = match n {
                            Value::Str(s) => Symbol::intern(&s.s),
                            _ => Symbol::intern("?"),
                        };
                        (name, regs[a + argc as usize + i].clone())
                    })
                    .collect();
                let _ = kw;
                match self.call_value(&fv, &pos, &kws, dst, bc.spans[f.pc as usize - 1])? {
                    Called::Value(v) => reg!(dst).put(v),
                    Called::Push(t) => return Ok(Some(t)),
                }
            }
            Instr::CallEx { dst, func, args, kwargs } => {
                let fv = reg!(func).clone();
                let pos = match &reg!(args) {
                    Value::Tuple(t) => (**t).clone(),
                    _ => Vec::new(),
                };
                let mut kws: Vec<(Symbol, Value)> = Vec::new();
                if kwargs != NO_REG {
                    if let Value::Dict(d) = &reg!(kwargs) {
                        for e in d.borrow().iter() {
                            let Value::Str(s) = &e.key else {
                                return Err(type_error("keywords must be strings"));
                            };
                            kws.push((Symbol::intern(&s.s), e.value.clone()));
                        }
                    }
                }
                match self.call_value(&fv, &pos, &kws, dst, bc.spans[f.pc as usize - 1])? {
                    Called::Value(v) => reg!(dst).put(v),
                    Called::Push(t) => return Ok(Some(t)),
                }
            }
            Instr::GetYieldFromIter { dst, src } => {
                let v = reg!(src).clone();
                reg!(dst) = match &v {
                    Value::Gen(g) => {
                        if g.is_coroutine
                            && f.code.flavor != Flavor::Coroutine
                            && !f.code.iterable_coroutine.get()
                        {
                            return Err(type_error(
                                "cannot 'yield from' a coroutine object in a non-coroutine generator",
                            ));
                        }
                        v.clone()
                    }
                    _ => self.get_iter(&v)?,
                };
            }
            Instr::Raise { exc: e, cause } => {
                let v = reg!(e).clone();
                let exc_value = self.make_exception(&v)?;
                if cause != NO_REG {
                    // `raise X from Y`: Y is the cause, and the context (still recorded below)
                    // is not shown (`__suppress_context__`), also for `from None`.
                    let cv = reg!(cause).clone();
                    let cause_value = if cv.is_none() { Value::None } else { self.make_exception(&cv)? };
                    if let Value::Instance(i) = &exc_value {
                        i.attrs.borrow_mut().insert(sym::CAUSE, cause_value);
                        i.attrs.borrow_mut().insert(sym::SUPPRESS_CONTEXT, Value::Bool(true));
                    }
                }
                if let Some(ctx) = f.handled.last() {
                    if !ctx.value.is(&exc_value) {
                        crate::interp::set_context(&exc_value, &ctx.value);
                    }
                }
                return Err(raise_value(exc_value));
            }
            Instr::Reraise => {
                let Some(x) = f.handled.pop() else {
                    return Err(runtime_error("No active exception to reraise"));
                };
                return Err(Fault::Exc(x));
            }
            // (`run_loop` sees the frames below: `reraise_below`.)
            Instr::ReraiseNone => return Ok(Some(Transfer::ReraiseBelow)),
            Instr::LoadExc { dst } => {
                reg!(dst).put(f.handled.last().map(|x| x.value.clone()).unwrap_or(Value::None));
            }
            Instr::ExcMatch { dst, typ } => {
                let t = reg!(typ).clone();
                let e = f.handled.last().map(|x| x.value.clone()).unwrap_or(Value::None);
                reg!(dst).put(Value::Bool(self.exception_matches(&e, &t)?));
            }
            Instr::PopExc => {
                f.handled.pop();
            }
            Instr::WithEnter { dst, exit, mgr, aw } => {
                let m = reg!(mgr).clone();
                let (enter, exit_name) = if aw { (sym::AENTER, sym::AEXIT) } else { (sym::ENTER, sym::EXIT) };
                if !(self.has_method(&m, enter) && self.has_method(&m, exit_name)) {
                    return Err(type_error(format!(
                        "'{}' object does not support the {}context manager protocol",
                        self.type_name(&m),
                        if aw { "asynchronous " } else { "" }
                    )));
                }
                let entered = self.call_method(&m, enter, &[], &[])?;
                reg!(exit).put(m);
                reg!(dst).put(entered);
            }
            Instr::WithExit { exit, dst } => {
                let m = reg!(exit).clone();
                let args = [Value::None, Value::None, Value::None];
                if dst == NO_REG {
                    self.call_method(&m, sym::EXIT, &args, &[])?;
                } else {
                    let r = self.call_method(&m, sym::AEXIT, &args, &[])?;
                    reg!(dst).put(r);
                }
            }
            Instr::WithExitExc { dst, exit, aw } => {
                let m = reg!(exit).clone();
                let e = f.handled.last().map(|x| x.value.clone()).unwrap_or(Value::None);
                let args = [Value::Class(self.t.type_of(&e)), e, Value::None];
                if aw {
                    let r = self.call_method(&m, sym::AEXIT, &args, &[])?;
                    reg!(dst).put(r);
                } else {
                    let r = self.call_method(&m, sym::EXIT, &args, &[])?;
                    reg!(dst).put(Value::Bool(self.truthy(&r)?));
                }
            }
            Instr::Locals { dst, names } => {
                let mut pairs: Vec<(Symbol, Value)> = Vec::new();
                if let Some(ns) = &f.ns {
                    pairs.extend(ns.borrow().iter().map(|(k, v)| (*k, v.clone())));
                } else if f.code.name == sym::MODULE_NAME {
                    pairs.extend(self.globals.borrow().iter().map(|(k, v)| (*k, v.clone())));
                } else {
                    for (i, n) in f.code.slot_names.iter().enumerate() {
                        if n.as_str().starts_with('.') {
                            continue;
                        }
                        match regs.get(i) {
                            Some(Value::Unbound) | None => {}
                            Some(v) => pairs.push((*n, v.clone())),
                        }
                    }
                    for (n, c) in f.code.cell_names.iter().zip(f.cells.iter()) {
                        let v = c.borrow().clone();
                        if !matches!(v, Value::Unbound) && !pairs.iter().any(|(k, _)| k == n) {
                            pairs.push((*n, v));
                        }
                    }
                }
                if names {
                    let mut keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
                    keys.sort_unstable();
                    reg!(dst) = Value::list(keys.into_iter().map(Value::str).collect());
                    return Ok(None);
                }
                let d = Value::dict_rc(crate::dict::Dict::new());
                for (k, v) in pairs {
                    self.dict_set(&d, Value::str(k.as_str()), v)?;
                }
                reg!(dst) = Value::Dict(d);
            }
            Instr::LoadOwnerClass { dst } => {
                let class = f.func.as_ref().and_then(|func| func.owner.borrow().clone());
                reg!(dst) = match class {
                    Some(c) => Value::Class(c),
                    None => return Err(name_error("name '__class__' is not defined")),
                };
            }
            Instr::ForRange { func, argc, to } => {
                let f0 = func as usize;
                let is_range = matches!(&reg!(f0), Value::Class(c) if c.tag == TypeTag::Range);
                let bounds = match (is_range, argc) {
                    (true, 1) => match reg!(f0 + 1) {
                        Value::Int(stop) => Some((0, stop)),
                        _ => None,
                    },
                    (true, 2) => match (&reg!(f0 + 1), &reg!(f0 + 2)) {
                        (Value::Int(start), Value::Int(stop)) => Some((*start, *stop)),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some((start, stop)) = bounds {
                    reg!(f0) = Value::Int(start);
                    reg!(f0 + 1) = Value::Int(stop);
                    f.pc = to;
                }
            }
            Instr::DropIter { reg } => {
                reg!(reg).put(Value::Unbound);
                self.run_finalizers()?;
            }
            Instr::GetAIter { dst, src } => {
                let v = reg!(src).clone();
                reg!(dst).put(self.get_aiter(&v, true)?);
            }
            Instr::GetANext { dst, src } => {
                let v = reg!(src).clone();
                reg!(dst).put(self.get_anext(&v)?);
            }
            Instr::AsyncGenWrap { dst, src } => {
                let v = reg!(src).clone();
                reg!(dst).put(Value::Native(Rc::new(Native::AsyncGenValue(v))));
            }
            Instr::MakeFunction { dst, f: fi, args } => {
                let t = &bc.functions[fi as usize];
                let nd = t.ndefaults as usize;
                let defaults = regs[args as usize..args as usize + nd].to_vec();
                let mut next = args as usize + nd;
                let kwdefaults = t
                    .kwdefaults
                    .iter()
                    .map(|has| {
                        has.then(|| {
                            next += 1;
                            regs[next - 1].clone()
                        })
                    })
                    .collect();
                let closure = t.closure.iter().map(|&c| f.cells[c as usize].clone()).collect();
                let fun = Rc::new(Function {
                    code: t.code.clone(),
                    defaults,
                    kwdefaults,
                    closure,
                    attrs: RefCell::new(new_symmap()),
                    owner: RefCell::new(None),
                });
                crate::gc::track_function(&fun);
                reg!(dst) = Value::Func(fun);
            }
            Instr::MakeClass { dst, c, bases } => {
                let t = &bc.classes[c as usize];
                let base_values = regs[bases as usize..bases as usize + t.nbases as usize].to_vec();
                let closure: Vec<_> = t.closure.iter().map(|&c| f.cells[c as usize].clone()).collect();
                let (name, code) = (t.name, t.code.clone());
                reg!(dst).put(self.vm_class(name, base_values, code, closure)?);
            }
            Instr::Import { dst, name, full } => {
                let n = bc.names[name as usize];
                let m = self.import(n.as_str())?;
                reg!(dst) = if full {
                    m
                } else {
                    let top = n.as_str().split('.').next().unwrap_or("");
                    self.import(top)?
                };
            }
            Instr::ImportFrom { dst, module, name } => {
                let m = reg!(module).clone();
                let n = bc.names[name as usize];
                reg!(dst) = match self.getattr(&m, n) {
                    Ok(v) => v,
                    // ImportError (not ModuleNotFoundError: the module is there), in the
                    // words CPython uses for a built-in module, which has no file to name.
                    Err(_) => {
                        let from = match &m {
                            Value::Module(md) => format!(" from '{}' (unknown location)", md.name),
                            _ => String::new(),
                        };
                        return Err(exc(
                            &types().import_error,
                            format!("cannot import name '{}'{}", n, from),
                        ));
                    }
                };
            }
            Instr::ImportStar { module } => {
                let m = reg!(module).clone();
                for (n, v) in self.star_names(&m)? {
                    self.store_global(n, v);
                }
            }
            Instr::Echo { src } => {
                let v = reg!(src).clone();
                if !v.is_none() {
                    let text = self.repr(&v)?;
                    self.write_out(&text)?;
                    self.write_out("\n")?;
                    self.store_global(Symbol::intern("_"), v);
                }
            }
            Instr::Super { dst } => {
                let class = f.func.as_ref().and_then(|func| func.owner.borrow().clone());
                let obj = regs.first().cloned().unwrap_or(Value::None);
                reg!(dst) = match class {
                    Some(class) if !matches!(obj, Value::Unbound) => {
                        Value::Native(Rc::new(Native::Super { class, obj }))
                    }
                    _ => return Err(runtime_error("super(): no arguments")),
                };
            }
            Instr::AssertFail { msg } => {
                let args = if msg == NO_REG { vec![] } else { vec![reg!(msg).clone()] };
                return Err(raise_value(new_exception(&self.t.assertion_error, args)));
            }
            _ => return Err(internal_error("a hot instruction in exec_cold")),
        }
        Ok(None)
    }

    /// The entries `**m` (in a call or a display) takes from `m`, as CPython's
    /// `PyDict_Merge` reads them: a dict's, a dict subclass's own (past any `__getitem__` of
    /// the subclass), else `keys()` and `[]`. None: `m` is no mapping (the caller's error).
    fn mapping_pairs(&mut self, v: &Value) -> R<Option<Vec<(Value, Value)>>> {
        let own = match v {
            Value::Instance(i) => i.base.as_deref(),
            v => Some(v),
        };
        if let Some(Value::Dict(from)) = own {
            return Ok(Some(from.borrow().iter().map(|e| (e.key.clone(), e.value.clone())).collect()));
        }
        if !self.has_method(v, sym::KEYS) {
            return Ok(None);
        }
        let keys = self.call_method(v, sym::KEYS, &[], &[])?;
        let mut pairs = Vec::new();
        for k in self.collect(&keys)? {
            let x = self.getitem(v, &k)?;
            pairs.push((k, x));
        }
        Ok(Some(pairs))
    }
}

/// How many characters `x` takes in decimal (with its sign).
fn decimal_len(x: i64) -> usize {
    let digits = x.unsigned_abs().checked_ilog10().map_or(1, |d| d as usize + 1);
    digits + (x < 0) as usize
}

impl Interp {
    /// What `from m import *` binds: the names in `m.__all__`, else every name of `m` not
    /// starting with `_`, with their values.
    fn star_names(&mut self, m: &Value) -> R<Vec<(Symbol, Value)>> {
        let Value::Module(md) = m else { return Ok(Vec::new()) };
        let all = md.attrs.borrow().get(&Symbol::intern("__all__")).cloned();
        let Some(all) = all else {
            let attrs = md.attrs.borrow();
            return Ok(attrs
                .iter()
                .filter(|(k, _)| !k.as_str().starts_with('_'))
                .map(|(k, v)| (*k, v.clone()))
                .collect());
        };
        let mut out = Vec::new();
        for item in self.collect(&all)? {
            let Value::Str(s) = &item else {
                return Err(type_error(format!(
                    "Item in {}.__all__ must be str, not {}",
                    md.name,
                    self.type_name(&item)
                )));
            };
            let n = Symbol::intern(&s.s);
            let v = self.getattr(m, n)?;
            out.push((n, v));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimal_len_counts_what_itoa_writes() {
        for x in [0, 1, 9, 10, 99, 100, -1, -10, 12345, i64::MAX, i64::MIN, i64::MIN + 1] {
            assert_eq!(super::decimal_len(x), itoa::Buffer::new().format(x).len(), "{}", x);
        }
    }
}
