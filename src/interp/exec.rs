//! The op loop: runs a frame until it returns or suspends, with try blocks, finally bodies and
//! unwinding; and resumption of generators and coroutines.

use super::*;
use crate::code::{Op, Target};

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

enum Flow {
    Next,
    Jump(u32),
    Return(Value),
    Yield(Value),
}

impl Interp {
    /// Runs `f` from its program counter. A suspended frame is re-entered with the value sent
    /// to it (or the exception thrown into it).
    pub fn run_frame(&mut self, f: &mut Frame, resume: Resume) -> R<Outcome> {
        let code = f.code.clone();
        let mut err: Option<Fault> = None;
        // A value or exception for the delegate of a `yield from` we are suspended in.
        let mut delegate_in: Option<Resume> = None;
        match resume {
            Resume::Start => {}
            Resume::Send(v) => match &code.ops[f.pc] {
                Op::Yield { result, .. } => {
                    if let Some(t) = result {
                        if let Err(e) = self.assign(f, t, v) {
                            err = Some(e);
                        }
                    }
                    f.pc += 1;
                }
                Op::YieldFrom { .. } => delegate_in = Some(Resume::Send(v)),
                _ => {}
            },
            Resume::Throw(e) => match &code.ops[f.pc] {
                Op::YieldFrom { .. } => delegate_in = Some(Resume::Throw(e)),
                _ => err = Some(self.record(f, e)),
            },
        }
        loop {
            if let Some(e) = err.take() {
                self.unwind_exc(f, e)?;
            }
            let op = &code.ops[f.pc];
            let r = self.exec_op(f, op, &mut delegate_in);
            match r {
                Ok(Flow::Next) => f.pc += 1,
                Ok(Flow::Jump(t)) => f.pc = t as usize,
                Ok(Flow::Return(v)) => {
                    if let Some(v) = self.do_return(f, v) {
                        return Ok(Outcome::Return(v));
                    }
                }
                Ok(Flow::Yield(v)) => return Ok(Outcome::Yield(v)),
                Err(e) => err = Some(self.record(f, e)),
            }
        }
    }

    /// Adds this frame to an exception's traceback.
    fn record(&mut self, f: &Frame, e: Fault) -> Fault {
        let mut e = e;
        if let Fault::Exc(x) = &mut e {
            if std::mem::take(&mut x.reraised) {
                return e;
            }
            let here = f.span();
            x.locate(&Parts::whole(here));
            let span = x.span.take().unwrap_or(here);
            x.tb.push((f.code.qualname.clone(), span));
        }
        e
    }

    /// Finds a handler for `e` on the block stack (and jumps to it), or gives `e` back.
    fn unwind_exc(&mut self, f: &mut Frame, e: Fault) -> R<()> {
        let Fault::Exc(x) = e else { return Err(e) };
        while let Some(b) = f.blocks.pop() {
            match b {
                Block::Except(h) => {
                    f.blocks.push(Block::Handler(x));
                    f.pc = h as usize;
                    return Ok(());
                }
                Block::Finally(h) => {
                    f.blocks.push(Block::FinallyActive(Pending::Raise(Fault::Exc(x))));
                    f.pc = h as usize;
                    return Ok(());
                }
                Block::Handler(_) | Block::FinallyActive(_) => {}
            }
        }
        Err(Fault::Exc(x))
    }

    /// `return v`: runs enclosing finally bodies first. `Some(v)` when the frame is done.
    fn do_return(&mut self, f: &mut Frame, v: Value) -> Option<Value> {
        while let Some(b) = f.blocks.pop() {
            if let Block::Finally(h) = b {
                f.blocks.push(Block::FinallyActive(Pending::Return(v)));
                f.pc = h as usize;
                return None;
            }
        }
        Some(v)
    }

    /// `break`/`continue` across try blocks: pop to `depth`, running finally bodies.
    fn do_unwind(&mut self, f: &mut Frame, target: u32, depth: u32) -> Flow {
        while f.blocks.len() > depth as usize {
            if let Some(Block::Finally(h)) = f.blocks.pop() {
                f.blocks.push(Block::FinallyActive(Pending::Jump(target, depth)));
                return Flow::Jump(h);
            }
        }
        Flow::Jump(target)
    }

    /// The exception being handled by the innermost except clause of this frame.
    fn handled(f: &Frame) -> Option<&Exc> {
        f.blocks.iter().rev().find_map(|b| match b {
            Block::Handler(x) => Some(&**x),
            _ => None,
        })
    }

    /// The exception in flight here: being handled, or passing through a finally body.
    fn in_flight(f: &Frame) -> Option<&Exc> {
        f.blocks.iter().rev().find_map(|b| match b {
            Block::Handler(x) => Some(&**x),
            Block::FinallyActive(Pending::Raise(Fault::Exc(x))) => Some(&**x),
            _ => None,
        })
    }

    fn exec_op(&mut self, f: &mut Frame, op: &Op, delegate_in: &mut Option<Resume>) -> R<Flow> {
        match op {
            Op::Expr(e) => {
                self.step(e.span)?;
                self.eval(f, e)?;
                Ok(Flow::Next)
            }
            Op::Echo(e) => {
                self.step(e.span)?;
                let v = self.eval(f, e)?;
                if !v.is_none() {
                    let text = self.repr(&v).map_err(|x| x.at(e.span))?;
                    self.write_out(&text)?;
                    self.write_out("\n")?;
                    // As Python's interactive prompt: `_` holds the last value echoed.
                    self.globals.borrow_mut().insert(crate::span::Symbol::intern("_"), v);
                }
                Ok(Flow::Next)
            }
            Op::Assign(t, e) => {
                self.step(e.span)?;
                let v = self.eval(f, e)?;
                self.assign(f, t, v)?;
                Ok(Flow::Next)
            }
            Op::AugAssign(t, op, e) => {
                self.step(e.span)?;
                self.aug_assign(f, t, *op, e)?;
                Ok(Flow::Next)
            }
            Op::Delete(t) => {
                self.delete(f, t)?;
                Ok(Flow::Next)
            }
            Op::Jump(t) => {
                if (*t as usize) <= f.pc {
                    // A loop's back edge counts as a step.
                    self.step(f.span())?;
                }
                Ok(Flow::Jump(*t))
            }
            Op::JumpIfFalse(e, t) => {
                let v = self.eval(f, e)?;
                if self.truthy(&v).map_err(|x| x.at(e.span))? {
                    Ok(Flow::Next)
                } else {
                    Ok(Flow::Jump(*t))
                }
            }
            Op::JumpIfTrue(e, t) => {
                let v = self.eval(f, e)?;
                if self.truthy(&v).map_err(|x| x.at(e.span))? {
                    Ok(Flow::Jump(*t))
                } else {
                    Ok(Flow::Next)
                }
            }
            Op::GetIter(e, slot) => {
                let v = self.eval(f, e)?;
                let it = self.get_iter(&v).map_err(|x| {
                    x.at_parts(&Parts { whole: e.span, operands: &[(e.span, &v)], ..Default::default() })
                })?;
                f.slots[*slot as usize] = it;
                Ok(Flow::Next)
            }
            Op::ForIter { iter, target, exit } => {
                let it = f.slots[*iter as usize].clone();
                match self.next(&it)? {
                    Some(v) => {
                        self.assign(f, target, v)?;
                        Ok(Flow::Next)
                    }
                    None => {
                        f.slots[*iter as usize] = Value::None;
                        Ok(Flow::Jump(*exit))
                    }
                }
            }
            Op::Return(e) => {
                self.step(f.span())?;
                let v = match e {
                    Some(e) => self.eval(f, e)?,
                    None => Value::None,
                };
                Ok(Flow::Return(v))
            }
            Op::Yield { value, .. } => {
                let v = match value {
                    Some(e) => self.eval(f, e)?,
                    None => Value::None,
                };
                // The sent value is stored when the frame is resumed (see `run_frame`).
                Ok(Flow::Yield(v))
            }
            Op::GetYieldFromIter(e, slot) => {
                let v = self.eval(f, e)?;
                let it = match &v {
                    Value::Gen(g) => {
                        if g.is_coroutine && f.code.flavor != crate::code::Flavor::Coroutine {
                            return Err(type_error(
                                "cannot 'yield from' a coroutine object in a non-coroutine generator",
                            )
                            .at(e.span));
                        }
                        v.clone()
                    }
                    _ => self.get_iter(&v).map_err(|x| {
                        x.at_parts(&Parts { whole: e.span, operands: &[(e.span, &v)], ..Default::default() })
                    })?,
                };
                f.slots[*slot as usize] = it;
                Ok(Flow::Next)
            }
            Op::GetAwaitable(e, slot) => {
                let v = self.eval(f, e)?;
                let it = self.get_awaitable(&v).map_err(|x| x.at(e.span))?;
                f.slots[*slot as usize] = it;
                Ok(Flow::Next)
            }
            Op::YieldFrom { iter, result } => {
                let it = f.slots[*iter as usize].clone();
                match self.delegate(&it, delegate_in.take())? {
                    Outcome::Yield(v) => Ok(Flow::Yield(v)),
                    Outcome::Return(v) => {
                        drop(it);
                        let done = std::mem::replace(&mut f.slots[*iter as usize], Value::None);
                        if crate::scheduler::is_request(&done) {
                            self.recycle_request(done);
                        }
                        if let Some(t) = result {
                            self.assign(f, t, v)?;
                        }
                        Ok(Flow::Next)
                    }
                }
            }
            Op::SetupExcept(h) => {
                f.blocks.push(Block::Except(*h));
                Ok(Flow::Next)
            }
            Op::SetupFinally(h) => {
                f.blocks.push(Block::Finally(*h));
                Ok(Flow::Next)
            }
            Op::PopBlock => {
                f.blocks.pop();
                Ok(Flow::Next)
            }
            Op::ExceptMatch { typ, bind, next } => {
                let Some(exc_value) = Self::handled(f).map(|x| x.value.clone()) else {
                    return Ok(Flow::Jump(*next));
                };
                let matched = match typ {
                    None => true,
                    Some(t) => {
                        let tv = self.eval(f, t)?;
                        self.exception_matches(&exc_value, &tv).map_err(|x| x.at(t.span))?
                    }
                };
                if !matched {
                    return Ok(Flow::Jump(*next));
                }
                if let Some(b) = bind {
                    self.assign(f, b, exc_value)?;
                }
                Ok(Flow::Next)
            }
            Op::EndExcept => {
                while let Some(b) = f.blocks.pop() {
                    if let Block::Handler(_) = b {
                        break;
                    }
                }
                Ok(Flow::Next)
            }
            Op::Reraise => {
                // Take the handled exception out of its block; unwinding pops the block.
                let x = f.blocks.iter_mut().rev().find_map(|b| match b {
                    Block::Handler(x) => Some(std::mem::replace(x, Box::new(Exc::new(Value::None)))),
                    _ => None,
                });
                match x {
                    Some(x) => Err(Fault::Exc(Box::new(Exc { reraised: true, ..*x }))),
                    None => Err(runtime_error("No active exception to reraise")),
                }
            }
            Op::EnterFinally => {
                f.blocks.push(Block::FinallyActive(Pending::Normal));
                Ok(Flow::Next)
            }
            Op::EndFinally => {
                let pending = loop {
                    match f.blocks.pop() {
                        Some(Block::FinallyActive(p)) => break p,
                        Some(_) => continue,
                        None => break Pending::Normal,
                    }
                };
                match pending {
                    Pending::Normal => Ok(Flow::Next),
                    Pending::Raise(Fault::Exc(x)) => Err(Fault::Exc(Box::new(Exc { reraised: true, ..*x }))),
                    Pending::Raise(e) => Err(e),
                    Pending::Return(v) => Ok(Flow::Return(v)),
                    Pending::Jump(t, d) => Ok(self.do_unwind(f, t, d)),
                }
            }
            Op::WithExit(slot) => {
                let ctx = f.slots[*slot as usize].clone();
                let pending_exc = match f.blocks.last() {
                    Some(Block::FinallyActive(Pending::Raise(Fault::Exc(x)))) => Some(x.value.clone()),
                    _ => None,
                };
                let args = match &pending_exc {
                    Some(v) => vec![Value::Class(self.t.type_of(v)), v.clone(), Value::None],
                    None => vec![Value::None, Value::None, Value::None],
                };
                let r = self.call_method(&ctx, sym::EXIT, &args, &[])?;
                if pending_exc.is_some() && self.truthy(&r)? {
                    if let Some(Block::FinallyActive(p)) = f.blocks.last_mut() {
                        *p = Pending::Normal;
                    }
                }
                Ok(Flow::Next)
            }
            Op::Raise(e, cause) => {
                self.step(f.span())?;
                let Some(e) = e else {
                    // Bare `raise`: the exception being handled, with its traceback.
                    return match Self::handled(f) {
                        Some(x) => Err(Fault::Exc(Box::new(Exc { reraised: true, ..x.again() }))),
                        None => Err(runtime_error("No active exception to reraise")),
                    };
                };
                let v = self.eval(f, e)?;
                let exc_value = self.make_exception(&v).map_err(|x| x.at(e.span))?;
                if let Some(c) = cause {
                    let cv = self.eval(f, c)?;
                    let cause_value = if cv.is_none() { Value::None } else { self.make_exception(&cv)? };
                    if let Value::Instance(i) = &exc_value {
                        i.attrs.borrow_mut().insert(sym::CAUSE, cause_value);
                    }
                } else if let Some(ctx) = Self::in_flight(f) {
                    if let Value::Instance(i) = &exc_value {
                        if !ctx.value.is(&exc_value) {
                            i.attrs.borrow_mut().insert(sym::CONTEXT, ctx.value.clone());
                        }
                    }
                }
                Err(raise_value(exc_value).at(e.span))
            }
            Op::Unwind { target, depth } => Ok(self.do_unwind(f, *target, *depth)),
            Op::Assert(t, m) => {
                self.step(t.span)?;
                let v = self.eval(f, t)?;
                if self.truthy(&v)? {
                    return Ok(Flow::Next);
                }
                let args = match m {
                    Some(m) => vec![self.eval(f, m)?],
                    None => vec![],
                };
                Err(raise_value(new_exception(&self.t.assertion_error, args)).at(t.span))
            }
            Op::ListAppend(slot, e) => {
                let v = self.eval(f, e)?;
                if let Value::List(l) = &f.slots[*slot as usize] {
                    l.borrow_mut().push(v);
                }
                self.step(e.span)?;
                Ok(Flow::Next)
            }
            Op::SetAdd(slot, e) => {
                let v = self.eval(f, e)?;
                let s = f.slots[*slot as usize].clone();
                if let Value::Set(d) = &s {
                    self.set_add(d, v).map_err(|x| x.at(e.span))?;
                }
                Ok(Flow::Next)
            }
            Op::DictSet(slot, k, v) => {
                let kv = self.eval(f, k)?;
                let vv = self.eval(f, v)?;
                let d = f.slots[*slot as usize].clone();
                if let Value::Dict(d) = &d {
                    self.dict_set(d, kv, vv).map_err(|x| x.at(k.span))?;
                }
                Ok(Flow::Next)
            }
        }
    }

    /// Stores a value into an assignment target.
    pub fn assign(&mut self, f: &mut Frame, t: &Target, v: Value) -> R<()> {
        match t {
            Target::Local(i) => {
                f.slots[*i as usize] = v;
                Ok(())
            }
            Target::Cell(i) => {
                *f.cells[*i as usize].borrow_mut() = v;
                Ok(())
            }
            Target::Global(n) => {
                self.globals.borrow_mut().insert(*n, v);
                Ok(())
            }
            Target::ClassNs(n) => {
                match &f.ns {
                    Some(ns) => ns.borrow_mut().insert(*n, v),
                    None => self.globals.borrow_mut().insert(*n, v),
                };
                Ok(())
            }
            Target::Attr(o, n) => {
                let ov = self.eval(f, o)?;
                self.setattr(&ov, *n, v).map_err(|x| x.at(o.span))
            }
            Target::Index(o, i) => {
                let ov = self.eval(f, o)?;
                let iv = self.eval(f, i)?;
                self.setitem(&ov, iv, v).map_err(|x| x.at(o.span.to(i.span)))
            }
            Target::Unpack(targets, star) => {
                let items = self.unpack(&v, targets.len(), *star)?;
                for (t, item) in targets.iter().zip(items) {
                    self.assign(f, t, item)?;
                }
                Ok(())
            }
        }
    }

    /// Splits an iterable for `a, *b, c = v`.
    pub(crate) fn unpack(&mut self, v: &Value, n: usize, star: Option<usize>) -> R<Vec<Value>> {
        let items: Vec<Value> = match v {
            Value::Tuple(t) => t.to_vec(),
            Value::List(l) => l.borrow().clone(),
            _ => self.collect(v)?,
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

    fn aug_assign(
        &mut self,
        f: &mut Frame,
        t: &Target,
        op: crate::ast::BinOp,
        e: &crate::code::Expr,
    ) -> R<()> {
        match t {
            Target::Attr(o, n) => {
                let ov = self.eval(f, o)?;
                let cur = self.getattr(&ov, *n).map_err(|x| x.at(o.span))?;
                let rhs = self.eval(f, e)?;
                let nv = self.inplace_op(op, cur, &rhs).map_err(|x| x.at(e.span))?;
                self.setattr(&ov, *n, nv).map_err(|x| x.at(o.span))
            }
            Target::Index(o, i) => {
                let ov = self.eval(f, o)?;
                let iv = self.eval(f, i)?;
                let parts = [(o.span, &ov), (i.span, &iv)];
                let whole = o.span.to(i.span);
                let cur = self
                    .getitem(&ov, &iv)
                    .map_err(|x| x.at_parts(&Parts { whole, operands: &parts, ..Default::default() }))?;
                let rhs = self.eval(f, e)?;
                let nv = self.inplace_op(op, cur, &rhs).map_err(|x| x.at(e.span))?;
                self.setitem(&ov, iv, nv).map_err(|x| x.at(o.span.to(i.span)))
            }
            Target::Local(slot) => {
                let cur = std::mem::replace(&mut f.slots[*slot as usize], Value::Unbound);
                if let Value::Unbound = cur {
                    let name = f.code.slot_names[*slot as usize];
                    return Err(self.unbound_error(name).at(f.span()));
                }
                // Fast path: small ints.
                if let (Value::Int(a), crate::ast::BinOp::Add) = (&cur, op) {
                    if let crate::code::E::Const(Value::Int(b)) = &e.kind {
                        if let Some(s) = a.checked_add(*b) {
                            f.slots[*slot as usize] = Value::Int(s);
                            return Ok(());
                        }
                    }
                }
                let rhs = match self.eval(f, e) {
                    Ok(v) => v,
                    Err(x) => {
                        f.slots[*slot as usize] = cur;
                        return Err(x);
                    }
                };
                match self.inplace_op(op, cur.clone(), &rhs) {
                    Ok(nv) => {
                        f.slots[*slot as usize] = nv;
                        Ok(())
                    }
                    Err(x) => {
                        f.slots[*slot as usize] = cur;
                        Err(x.at(e.span))
                    }
                }
            }
            _ => {
                let cur = self.eval(f, &target_as_expr(t, e.span))?;
                let rhs = self.eval(f, e)?;
                let nv = self.inplace_op(op, cur, &rhs).map_err(|x| x.at(e.span))?;
                self.assign(f, t, nv)
            }
        }
    }

    fn delete(&mut self, f: &mut Frame, t: &Target) -> R<()> {
        match t {
            Target::Local(i) => {
                if let Value::Unbound = f.slots[*i as usize] {
                    let name = f.code.slot_names[*i as usize];
                    return Err(self.unbound_error(name));
                }
                f.slots[*i as usize] = Value::Unbound;
                Ok(())
            }
            Target::Cell(i) => {
                *f.cells[*i as usize].borrow_mut() = Value::Unbound;
                Ok(())
            }
            Target::Global(n) | Target::ClassNs(n) => {
                let removed = match (&f.ns, t) {
                    (Some(ns), Target::ClassNs(_)) => ns.borrow_mut().remove(n),
                    _ => self.globals.borrow_mut().remove(n),
                };
                match removed {
                    Some(_) => Ok(()),
                    None => Err(name_error(format!("name '{}' is not defined", n))),
                }
            }
            Target::Attr(o, n) => {
                let ov = self.eval(f, o)?;
                self.delattr(&ov, *n).map_err(|x| x.at(o.span))
            }
            Target::Index(o, i) => {
                let ov = self.eval(f, o)?;
                let iv = self.eval(f, i)?;
                let parts = [(o.span, &ov), (i.span, &iv)];
                let whole = o.span.to(i.span);
                self.delitem(&ov, &iv)
                    .map_err(|x| x.at_parts(&Parts { whole, operands: &parts, ..Default::default() }))
            }
            Target::Unpack(ts, _) => {
                for t in ts {
                    self.delete(f, t)?;
                }
                Ok(())
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

    /// Resumes a generator or coroutine.
    pub fn gen_resume(&mut self, g: &Rc<Generator>, resume: Resume) -> R<Outcome> {
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
                        if g.is_coroutine { "coroutine" } else { "generator" }
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
                g.frame.borrow_mut().take();
                return Err(e);
            }
        }
        if g.is_vm() {
            let resume = match (g.state.get(), resume) {
                (GenState::Created, _) => Resume::Start,
                (_, r) => r,
            };
            return self.vm_resume(g, resume);
        }
        let Some(mut frame) = g.frame.borrow_mut().take() else {
            g.state.set(GenState::Done);
            return Ok(Outcome::Return(Value::None));
        };
        let resume = match (g.state.get(), resume) {
            (GenState::Created, _) => Resume::Start,
            (_, r) => r,
        };
        g.state.set(GenState::Running);
        self.depth += 1;
        let r = if self.depth > self.opts.max_depth {
            Err(recursion_error("maximum recursion depth exceeded"))
        } else {
            self.run_frame(&mut frame, resume)
        };
        self.depth -= 1;
        if matches!(r, Ok(Outcome::Yield(_))) {
            *g.frame.borrow_mut() = Some(frame);
        }
        self.resumed(g, r)
    }

    /// One step of `yield from`/`await` delegation: send or throw into the delegate.
    /// `input` is None on the first step, when the op is reached (not resumed).
    pub fn delegate(&mut self, it: &Value, input: Option<Resume>) -> R<Outcome> {
        if crate::scheduler::is_request(it) {
            return self.sched_delegate(it, input);
        }
        let input = input.unwrap_or(Resume::Send(Value::None));
        match it {
            Value::Gen(g) => self.gen_resume(g, input),
            _ => match input {
                Resume::Throw(e) => {
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
                    if self.has_method(it, sym::SEND) {
                        let r = self.call_method(it, sym::SEND, &[v], &[]);
                        return self.outcome_of(r);
                    }
                    match self.next(it)? {
                        Some(x) => Ok(Outcome::Yield(x)),
                        None => Ok(Outcome::Return(self.take_stop_value())),
                    }
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

    /// The iterator behind `await v`.
    pub fn get_awaitable(&mut self, v: &Value) -> R<Value> {
        match v {
            Value::Gen(g) => {
                // tinyasync also lets `await` delegate to a plain generator (Python needs
                // @types.coroutine for that), so generator-style code mixes with async code.
                if g.is_coroutine && g.state.get() == GenState::Done {
                    return Err(runtime_error("cannot reuse already awaited coroutine"));
                }
                Ok(v.clone())
            }
            Value::Native(n) if matches!(&**n, Native::Sched(_)) => match crate::scheduler::awaitable_iter(v)
            {
                Some(it) => Ok(it),
                None => Err(self.not_awaitable(v)),
            },
            Value::Instance(_) if self.has_method(v, sym::AWAIT) => {
                let it = self.call_method(v, sym::AWAIT, &[], &[])?;
                match &it {
                    Value::Gen(g) if g.is_coroutine => Err(type_error("__await__() returned a coroutine")),
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
        type_error(format!("object {} can't be used in 'await' expression", t))
            .label(At::Expr, format!("this is {}", crate::hint::a_type(&t)))
    }
}

/// The expression reading a simple target (for augmented assignment).
fn target_as_expr(t: &Target, span: Span) -> crate::code::Expr {
    use crate::code::{Expr, E};
    let kind = match t {
        Target::Local(i) => E::Local(*i),
        Target::Cell(i) => E::Cell(*i),
        Target::Global(n) => E::Global(*n),
        Target::ClassNs(n) => E::ClassNs(*n),
        _ => E::Const(Value::None),
    };
    Expr { kind, span }
}
