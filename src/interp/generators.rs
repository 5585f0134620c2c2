//! Generators and coroutines from the outside: resuming one (`send`, `throw`, `next`, a task
//! switch), delegating to an iterator or a scheduler request (`yield from`, `await`), what can be
//! awaited, and the exception helpers the VM's `raise` and `except` use.

use super::*;
use crate::frame::{How, Ret};

/// How a frame is entered.
pub enum Resume {
    Start,
    Send(Value),
    Throw(Fault),
}

/// How a frame left.
pub enum Outcome {
    Return(Value),
    Yield(Value),
}

impl Interp {
    /// Splits an iterable for `a, *b, c = v`.
    pub(crate) fn unpack(&mut self, v: &Value, n: usize, star: Option<usize>) -> R<Vec<Value>> {
        let items: Vec<Value> = match v {
            Value::Tuple(t) => t.to_vec(),
            Value::List(l) => l.borrow().clone(),
            _ => match self.collect(v) {
                Ok(items) => items,
                // CPython's words for a value that is not iterable at all.
                Err(_) if !self.is_iterable(v) => {
                    return Err(type_error(format!(
                        "cannot unpack non-iterable {} object",
                        self.type_name(v)
                    )))
                }
                Err(e) => return Err(e),
            },
        };
        match star {
            None => {
                if items.len() != n {
                    return Err(if items.len() > n {
                        value_error(format!("too many values to unpack (expected {})", n))
                    } else {
                        value_error(format!(
                            "not enough values to unpack (expected {}, got {})",
                            n,
                            items.len()
                        ))
                    });
                }
                Ok(items)
            }
            Some(s) => {
                let fixed = n - 1;
                if items.len() < fixed {
                    return Err(value_error(format!(
                        "not enough values to unpack (expected at least {}, got {})",
                        fixed,
                        items.len()
                    )));
                }
                let after = fixed - s;
                let mut out: Vec<Value> = items[..s].to_vec();
                out.push(Value::list(items[s..items.len() - after].to_vec()));
                out.extend_from_slice(&items[items.len() - after..]);
                Ok(out)
            }
        }
    }

    pub fn unbound_error(&self, name: Symbol) -> Fault {
        let e = exc(
            &self.t.unbound_local,
            format!("cannot access local variable '{}' where it is not associated with a value", name),
        )
        .label(At::Expr, format!("`{name}` has no value yet"));
        if self.globals.borrow().contains_key(&name) {
            e.help(format!("put `global {name}` at the top of the function to use the global one"))
        } else {
            e
        }
    }

    /// Turns what follows `raise` into an exception instance (a class is instantiated).
    pub fn make_exception(&mut self, v: &Value) -> R<Value> {
        match v {
            Value::Class(c) if c.is_exception => self.call(v, &[], &[]),
            Value::Instance(i) if i.class.is_exception => Ok(v.clone()),
            _ => Err(type_error("exceptions must derive from BaseException")),
        }
    }

    /// `except T:` — T a class or a tuple of classes.
    pub fn exception_matches(&mut self, e: &Value, t: &Value) -> R<bool> {
        let Value::Instance(i) = e else { return Ok(false) };
        match t {
            Value::Class(c) => {
                if !c.is_exception {
                    return Err(type_error(
                        "catching classes that do not inherit from BaseException is not allowed",
                    ));
                }
                Ok(i.class.is_subclass(c))
            }
            Value::Tuple(items) => {
                for it in items.iter() {
                    if self.exception_matches(e, it)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => Err(type_error("catching classes that do not inherit from BaseException is not allowed")),
        }
    }

    // ----- generators and coroutines -----

    /// Resumes a generator or coroutine. A suspended one (a task switch, a `send`) goes
    /// straight to the VM: inlined, so a task switch passes through one call less.
    #[inline]
    pub fn gen_resume(&mut self, g: &Rc<Generator>, resume: Resume) -> R<Outcome> {
        if g.state.get() == GenState::Suspended {
            g.used.set(true);
            if let Resume::Throw(e) = &resume {
                if e.is_instance(&self.t.generator_exit) {
                    return self.close_chain(g, resume);
                }
            }
            return self.vm_resume(g, resume);
        }
        self.gen_resume_other(g, resume)
    }

    /// GeneratorExit thrown into a suspended generator (`close()`, `throw(GeneratorExit)`).
    /// If it is delegating (`yield from`, `await`), PEP 380 closes the delegate and raises
    /// GeneratorExit in the delegator even when the delegate swallows it and returns. The
    /// delegates' frames are on the generator's stack (`Ret::Resumed(.., How::Delegate, ..)`),
    /// so GeneratorExit goes to the innermost frame, as before, and each delegate named here
    /// that returns raises GeneratorExit at its delegator's `yield from` (`run_frames`)
    /// instead of handing back its value. An async generator's own delegate is not closed
    /// but thrown into (CPython's `_gen_throw` with `close_on_genexit` 0, for `aclose()`).
    #[inline(never)]
    fn close_chain(&mut self, g: &Rc<Generator>, resume: Resume) -> R<Outcome> {
        let mark = self.closing_delegates.len();
        let frames = g.vm.take();
        let mut delegator_is_async_gen = g.is_async_gen;
        for f in frames.iter().skip(1) {
            if let Ret::Resumed(d, How::Delegate, _) = &f.ret {
                if !delegator_is_async_gen {
                    self.closing_delegates.push(d.clone());
                }
                delegator_is_async_gen = d.is_async_gen;
            }
        }
        g.vm.replace(frames);
        let r = self.vm_resume(g, resume);
        self.closing_delegates.truncate(mark);
        r
    }

    /// `gen_resume` of a generator not suspended: started, refused, or ended.
    #[inline(never)]
    fn gen_resume_other(&mut self, g: &Rc<Generator>, resume: Resume) -> R<Outcome> {
        g.used.set(true);
        match g.state.get() {
            GenState::Running => {
                return Err(value_error(if g.is_coroutine {
                    "coroutine already executing"
                } else {
                    "generator already executing"
                }))
            }
            GenState::Done => {
                return match resume {
                    Resume::Throw(e) => Err(e),
                    _ if g.is_coroutine => Err(runtime_error("cannot reuse already awaited coroutine")),
                    _ => Ok(Outcome::Return(Value::None)),
                };
            }
            GenState::Created => match &resume {
                Resume::Send(v) if !v.is_none() => {
                    return Err(type_error(format!(
                        "can't send non-None value to a just-started {}",
                        if g.is_coroutine {
                            "coroutine"
                        } else if g.is_async_gen {
                            "async generator"
                        } else {
                            "generator"
                        }
                    )));
                }
                _ => {}
            },
            GenState::Suspended => {}
        }
        // An exception thrown into a generator that never started ends it at once.
        if g.state.get() == GenState::Created {
            if let Resume::Throw(e) = resume {
                g.state.set(GenState::Done);
                g.vm.clear();
                return Err(e);
            }
        }
        let resume = match (g.state.get(), resume) {
            (GenState::Created, _) => Resume::Start,
            (_, r) => r,
        };
        self.vm_resume(g, resume)
    }

    /// A delegate whose `yield from`/`await` is over, handed back by the only place that held
    /// it: a scheduler request goes back to its pool (unless the program kept it too).
    pub fn delegate_done(&mut self, done: Value) {
        if is_sched(&done) {
            (self.sched_hooks.done)(self, done);
        }
    }

    /// One step of `yield from`/`await` delegation: send or throw into the delegate.
    /// `input` is None on the first step, when the op is reached (not resumed).
    pub fn delegate(&mut self, it: &Value, input: Option<Resume>) -> R<Outcome> {
        // `get_awaitable` let through only the scheduler objects that can be awaited. (A
        // small function for the frequent case, the rest out of line: a scheduler request's
        // step pays no large prologue.)
        if is_sched(it) {
            return (self.sched_hooks.delegate)(self, it, input);
        }
        self.delegate_other(it, input)
    }

    #[inline(never)]
    fn delegate_other(&mut self, it: &Value, input: Option<Resume>) -> R<Outcome> {
        if let Value::Native(n) = it {
            match &**n {
                Native::AsyncGenOp { gen, op, state } => return self.async_gen_step(gen, op, state, input),
                Native::ANextDefault { inner, default } => {
                    return self.anext_default_step(inner, default, input)
                }
                Native::CoroWrapper(coro) => {
                    let coro = coro.clone();
                    // GeneratorExit (`close()` of the delegator): the coroutine is closed, then
                    // GeneratorExit is raised here, whatever it returned (PEP 380).
                    if let (Some(Resume::Throw(e)), Value::Gen(g)) = (&input, &coro) {
                        if e.is_instance(&self.t.generator_exit) {
                            self.close_generator(g)?;
                            let Some(Resume::Throw(e)) = input else { return Err(internal_error("a throw")) };
                            return Err(e);
                        }
                    }
                    return self.delegate(&coro, input);
                }
                Native::AwaitTranslate { inner, from, to } => {
                    return match self.delegate(inner, input) {
                        Err(e) if e.is_instance(from) => Err(raise_value(new_exception(to, vec![]))),
                        r => r,
                    }
                }
                _ => {}
            }
        }
        let input = input.unwrap_or(Resume::Send(Value::None));
        match it {
            Value::Gen(g) => self.gen_resume(g, input),
            _ => match input {
                Resume::Throw(e) => {
                    // GeneratorExit (`close()`): the delegate's `close()`, then GeneratorExit
                    // here (PEP 380).
                    if e.is_instance(&self.t.generator_exit) {
                        if let Value::Instance(_) = it {
                            if self.has_method(it, sym::CLOSE) {
                                self.call_method(it, sym::CLOSE, &[], &[])?;
                            }
                        }
                        return Err(e);
                    }
                    // A plain iterator cannot take a throw; close-like behaviour: raise here.
                    if let Value::Instance(_) = it {
                        if let Some(ev) = e.exc_value().cloned() {
                            if self.has_method(it, sym::THROW) {
                                let r = self.call_method(it, sym::THROW, &[ev], &[]);
                                return self.outcome_of(r);
                            }
                        }
                    }
                    Err(e)
                }
                Resume::Send(v) if !v.is_none() => {
                    // (CPython calls the delegate's `send`, which a plain iterator has not.)
                    if !self.has_method(it, sym::SEND) {
                        return Err(attribute_error(format!(
                            "'{}' object has no attribute 'send'",
                            self.type_name(it)
                        )));
                    }
                    let r = self.call_method(it, sym::SEND, &[v], &[]);
                    self.outcome_of(r)
                }
                _ => match self.next(it)? {
                    Some(x) => Ok(Outcome::Yield(x)),
                    None => Ok(Outcome::Return(self.take_stop_value())),
                },
            },
        }
    }

    /// A `send`/`throw` method result: StopIteration means the delegate returned.
    fn outcome_of(&mut self, r: R<Value>) -> R<Outcome> {
        match r {
            Ok(v) => Ok(Outcome::Yield(v)),
            Err(e) if e.is_instance(&self.t.stop_iteration) => {
                let v = e.exc_value().map(|v| self.stop_value(v)).unwrap_or(Value::None);
                Ok(Outcome::Return(v))
            }
            Err(e) => Err(e),
        }
    }

    /// The `value` of a StopIteration instance.
    pub fn stop_value(&self, v: &Value) -> Value {
        if let Value::Instance(i) = v {
            if let Some(Value::Tuple(args)) = i.attrs.borrow().get(&sym::ARGS) {
                return args.first().cloned().unwrap_or(Value::None);
            }
        }
        Value::None
    }

    /// The return value left by the last exhausted user iterator (see `attr::next`).
    pub fn take_stop_value(&mut self) -> Value {
        std::mem::replace(&mut self.last_stop_value, Value::None)
    }

    /// Whether `iter(v)` would work (for messages).
    pub fn is_iterable(&self, v: &Value) -> bool {
        match v {
            Value::List(_)
            | Value::Tuple(_)
            | Value::Str(_)
            | Value::Range(_)
            | Value::Dict(_)
            | Value::Set(_) => true,
            Value::Gen(g) => g.iterates(),
            Value::Iter(_) => true,
            Value::Instance(i) => {
                i.base.is_some() || self.has_method(v, sym::ITER) || self.has_method(v, sym::GETITEM)
            }
            Value::Native(n) => matches!(**n, Native::Deque { .. } | Native::DictView { .. }),
            _ => false,
        }
    }

    /// How CPython names a callable in its call errors: `__main__.f`, `__main__.A.m`, `print`.
    pub fn callable_name(&self, f: &Value) -> String {
        match f {
            Value::Func(fun) => format!("__main__.{}", fun.code.qualname),
            Value::Method(m) => self.callable_name(&m.1),
            Value::Builtin(b) => b.name.to_string(),
            Value::Class(c) => c.name.as_str().to_string(),
            other => self.type_name(other),
        }
    }

    /// The iterator behind `await v`.
    pub fn get_awaitable(&mut self, v: &Value) -> R<Value> {
        // A scheduler object (a request, a task), the most frequent, first; a request (what
        // `sleep(0)`, `q.get()` give) is its own awaitable.
        if let Value::Native(n) = v {
            if let Native::Sched(crate::tasks::SchedObj::Request(_)) = &**n {
                return Ok(v.clone());
            }
        }
        if is_sched(v) {
            if let Some(it) = (self.sched_hooks.awaitable)(v) {
                return Ok(it);
            }
        }
        match v {
            Value::Gen(g) if g.is_async_gen => Err(self.not_awaitable(v)),
            Value::Native(n)
                if matches!(
                    &**n,
                    Native::AsyncGenOp { .. } | Native::ANextDefault { .. } | Native::AwaitTranslate { .. }
                ) =>
            {
                Ok(v.clone())
            }
            Value::Gen(g) => {
                // tinyasync also lets `await` delegate to a plain generator (Python needs
                // @types.coroutine for that), so generator-style code mixes with async code.
                if g.is_coroutine && g.state.get() == GenState::Done {
                    return Err(runtime_error("cannot reuse already awaited coroutine"));
                }
                Ok(v.clone())
            }
            Value::Native(n) if matches!(&**n, Native::Sched(_)) => match (self.sched_hooks.awaitable)(v) {
                Some(it) => Ok(it),
                None => Err(self.not_awaitable(v)),
            },
            Value::Instance(_) if self.has_method(v, sym::AWAIT) => {
                let it = self.call_method(v, sym::AWAIT, &[], &[])?;
                match &it {
                    Value::Gen(g) if g.is_coroutine => Err(type_error("__await__() returned a coroutine")),
                    Value::Native(n) if matches!(**n, Native::CoroWrapper(_)) => Ok(it),
                    Value::Gen(_) | Value::Iter(_) => Ok(it),
                    Value::Instance(_) if self.has_method(&it, sym::NEXT) => Ok(it),
                    _ => Err(type_error(format!(
                        "__await__() returned non-iterator of type '{}'",
                        self.type_name(&it)
                    ))),
                }
            }
            _ => Err(self.not_awaitable(v)),
        }
    }

    #[cold]
    fn not_awaitable(&self, v: &Value) -> Fault {
        let t = self.type_name(v);
        let e = type_error(format!("object {} can't be used in 'await' expression", t))
            .label(At::Expr, format!("this is {}", crate::hint::a_type(&t)));
        // `await sleep`, `await q.get`, `await work`: the call is missing.
        let name = match v {
            Value::Builtin(b) if b.is_method => Some(format!("obj.{}", b.name)),
            Value::Builtin(b) => Some(b.name.to_string()),
            Value::Func(f) if f.code.flavor == crate::code::Flavor::Coroutine => {
                Some(f.code.name.to_string())
            }
            Value::Method(m) => match &m.1 {
                Value::Builtin(b) => Some(format!("obj.{}", b.name)),
                Value::Func(f) => Some(format!("obj.{}", f.code.name)),
                _ => None,
            },
            _ => None,
        };
        match name {
            Some(n) => e.help(format!("call it: did you mean await {}(...)?", n)),
            None => e,
        }
    }
}

/// Whether `v` is one of the scheduler's objects (a task, a queue, a request, ...).
#[inline]
pub(crate) fn is_sched(v: &Value) -> bool {
    matches!(v, Value::Native(n) if matches!(**n, Native::Sched(_)))
}
