//! The dispatch loop. Frames are plain data (`Frame`: registers, cells, the exceptions being
//! handled, a program counter); `run_frames` keeps a stack of them and never recurses in Rust
//! for Python-to-Python calls, generator resumption or `await` chains:
//!
//! - a call pushes the callee's frame; its return pops it into the caller's register;
//! - `for x in gen` and `yield from`/`await` of a generator or coroutine move that generator's
//!   frames (its own, plus those it delegates to) onto the stack;
//! - a `yield` moves the frames above the nearest resumer back into their generator object, in
//!   one piece, and hands the value down; at the bottom, the loop returns it to the scheduler
//!   (or to `send`), so a task switch costs the same at any depth of its await chain.
//!
//! Native code that calls back into Python (`sorted(key=)`, `__eq__`, `__init__`) enters a new
//! loop; the depth limit counts every frame either way.

// Frames are boxed inside their vectors on purpose: a yield moves a generator's frames between
// the loop's stack and the generator object, and moving a pointer is cheaper than a frame.
#![allow(clippy::vec_box)]

mod cold;

use crate::ast::CmpOp;
use crate::bytecode::*;
use crate::code::{Code, Flavor};
use crate::frame::{Frame, Frames, How, Ret};
use crate::interp::generators::{is_sched, Outcome, Resume};
use crate::interp::*;
use crate::names::sym;
use crate::span::{Span, Symbol};
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

/// `x op y` on two ints, in place in the dispatch loop (`Compare`, `CompareK`, `JumpUnless`,
/// `JumpUnlessK`); `$other` for the operators that do not compare ints by value (`in`). A
/// macro, not a function: a function returning `Option<bool>` cost fib 2% more instructions.
macro_rules! int_compare {
    ($op:expr, $x:expr, $y:expr, $other:expr) => {
        match $op {
            CmpOp::Lt => $x < $y,
            CmpOp::Le => $x <= $y,
            CmpOp::Gt => $x > $y,
            CmpOp::Ge => $x >= $y,
            CmpOp::Eq | CmpOp::Is => $x == $y,
            CmpOp::Ne | CmpOp::IsNot => $x != $y,
            _ => $other,
        }
    };
}

/// What a call from the loop gave.
enum Called {
    Value(Value),
    Push(Transfer),
}

/// The frames a yield at the bottom of the loop took off the stack (`switch_task`): the one
/// frame of a task not delegating (`switch_here`), or all of them.
enum Segment {
    One(Box<Frame>),
    All(Frames),
}

/// What became of a yield at the bottom of the loop (`switch_task`).
enum Switch {
    /// The loop runs the next task now, resumed with this.
    Went(Resume),
    /// The scheduler did not switch: the loop returns the yield.
    Declined(Value),
    /// The next task's coroutine had no frames.
    Ended,
    /// The loop runs a plain function, which cannot suspend.
    Nowhere,
}

/// What made `exec_frame` stop running a frame.
enum Transfer {
    Call(Box<Frame>),
    Return(Value),
    /// A `yield`, or a native delegate's yield passed through.
    Yield(Value),
    /// A built-in call into this register of the top frame whose `await` (the two
    /// instructions after the call) gives the turn away at once (`await sleep(0)`, see
    /// `Instr::AwaitCall`): a yield of the value from the `YieldFrom`, past it.
    Wait(Value, Reg),
    /// A yield at the bottom of the loop, already back in its generator (see `switch_task`):
    /// the loop returns it.
    Parked(Value),
    /// The loop switched to a task whose coroutine had no frames: its step is over.
    Ended,
    /// A bare `raise` outside an except clause: `run_loop`, which sees the frames below,
    /// raises it there (`reraise_below`).
    ReraiseBelow,
    /// Move this generator's frames on top (`yield from`, `await`).
    Delegate(Rc<Generator>),
    /// Move this generator's frames on top to get the next item (`for`) into this register.
    Iterate(Rc<Generator>, Reg),
    /// Move this generator's frames on top for `next(gen)` into this register.
    Next(Rc<Generator>, Reg),
}

impl Interp {
    /// A frame for `fun` with the arguments bound (`this` first, for a method).
    pub fn vm_frame(
        &mut self,
        fun: &Rc<Function>,
        this: Option<&Value>,
        pos: &[Value],
        kw: &[(Symbol, Value)],
    ) -> R<Box<Frame>> {
        let code = &fun.code;
        let mut frame = match self.vm_pool.pop() {
            Some(mut f) => {
                f.reuse(code);
                f
            }
            None => Box::new(Frame::new(code.clone())),
        };
        let given = pos.len() + this.is_some() as usize;
        if kw.is_empty() && code.positional_only && given == code.sig.args.len() {
            // The common call: exactly the positional parameters, nothing to check.
            for (slot, v) in frame.regs.iter_mut().zip(this.into_iter().chain(pos.iter())) {
                *slot = v.clone();
            }
        } else {
            self.bind_args(fun, this, pos, kw, &mut frame.regs)?;
        }
        if !fun.closure.is_empty() {
            frame.cells.extend(fun.closure.iter().cloned());
        }
        for &(slot, cell) in &code.cell_params {
            *frame.cells[cell as usize].borrow_mut() = frame.regs[slot as usize].clone();
        }
        frame.func = Some(fun.clone());
        Ok(frame)
    }

    /// Calls a user function from native code: binds the arguments into a new frame and runs
    /// it in a loop of its own (or, for a generator or coroutine function, returns the
    /// suspended generator object).
    pub fn call_function(
        &mut self,
        fun: &Rc<Function>,
        this: Option<&Value>,
        pos: &[Value],
        kw: &[(Symbol, Value)],
    ) -> R<Value> {
        let frame = self.vm_frame(fun, this, pos, kw)?;
        match fun.code.flavor {
            Flavor::Plain => {
                if self.depth >= self.opts.max_depth {
                    return Err(recursion_error("maximum recursion depth exceeded"));
                }
                match self.run_frames(smallvec::smallvec![frame], None, None, &mut None)? {
                    Outcome::Return(v) => Ok(v),
                    Outcome::Yield(_) => Err(runtime_error("a plain function cannot suspend")),
                }
            }
            Flavor::Generator | Flavor::Coroutine | Flavor::AsyncGenerator => {
                Ok(self.vm_generator(frame, fun.code.flavor == Flavor::Coroutine))
            }
        }
    }

    /// Runs a module's code to its end at once (a prelude: it does not await).
    pub fn run_module_code(&mut self, code: Rc<Code>) -> R<()> {
        match self.run_frames(smallvec::smallvec![Box::new(Frame::new(code))], None, None, &mut None)? {
            Outcome::Return(_) => Ok(()),
            Outcome::Yield(_) => Err(runtime_error("a module cannot suspend here")),
        }
    }

    /// A generator or coroutine object owning `frame`.
    pub fn vm_generator(&mut self, frame: Box<Frame>, is_coroutine: bool) -> Value {
        let created_at = self.current_span.unwrap_or(frame.code.span);
        let g = Generator::new(&frame.code, created_at, is_coroutine);
        g.vm.push(frame);
        Value::Gen(Rc::new(g))
    }

    /// Resumes a generator compiled for the VM (its state was checked by `gen_resume`).
    #[inline]
    pub fn vm_resume(&mut self, g: &Rc<Generator>, resume: Resume) -> R<Outcome> {
        let mut frames = g.vm.take();
        let Some(bottom) = frames.first_mut() else {
            g.state.set(GenState::Done);
            return Ok(Outcome::Return(Value::None));
        };
        bottom.set_ret(Ret::Native);
        g.state.set(GenState::Running);
        // A task's step may go on into other tasks' steps without leaving the loop (see
        // `SchedHooks::switch`): what the loop returns is then the last one's.
        let mut switched = None;
        let r = self.run_frames(frames, Some(g), Some(resume), &mut switched);
        self.resumed(switched.as_ref().unwrap_or(g), r)
    }

    /// After a generator ran: its state by how it left, and PEP 479 for what escaped it.
    pub(crate) fn resumed(&mut self, g: &Generator, r: R<Outcome>) -> R<Outcome> {
        match r {
            Ok(Outcome::Yield(v)) => {
                g.state.set(GenState::Suspended);
                Ok(Outcome::Yield(v))
            }
            Ok(Outcome::Return(v)) => {
                g.state.set(GenState::Done);
                Ok(Outcome::Return(v))
            }
            Err(e) => {
                g.state.set(GenState::Done);
                Err(self.generator_error(g, e))
            }
        }
    }

    /// PEP 479: a StopIteration escaping a generator becomes a RuntimeError.
    pub(crate) fn generator_error(&mut self, g: &Generator, e: Fault) -> Fault {
        // A module's top level runs as a coroutine (for top-level await) but is not one: a
        // StopIteration escaping it stays what it is, as in CPython.
        if !e.is_instance(&self.t.stop_iteration) || g.name() == sym::MODULE_NAME {
            return e;
        }
        let what = if g.is_coroutine {
            "coroutine"
        } else if g.is_async_gen {
            "async generator"
        } else {
            "generator"
        };
        let mut re = exc(&self.t.runtime_error, format!("{} raised StopIteration", what));
        if let (Fault::Exc(x), Some(cause)) = (&mut re, e.exc_value()) {
            if let Value::Instance(i) = &x.value {
                i.attrs.borrow_mut().insert(sym::CAUSE, cause.clone());
            }
            if let Fault::Exc(orig) = &e {
                x.tb = orig.tb.clone();
            }
        }
        re
    }

    /// Runs the frames until the bottom one returns, or a yield reaches the bottom (then the
    /// frames are stored back into `root`, or into the generator in `switched` once the
    /// scheduler has switched the loop to another task's coroutine).
    fn run_frames(
        &mut self,
        start: Frames,
        root: Option<&Rc<Generator>>,
        pending: Option<Resume>,
        switched: &mut Option<Rc<Generator>>,
    ) -> R<Outcome> {
        // A generator suspended with several frames (an await chain) keeps them in a heap
        // vector, which becomes the loop's stack as it is: resuming costs the same at any depth.
        // One frame goes onto a pooled stack: running a generator allocates nothing.
        let mut frames = if start.spilled() {
            start.into_vec()
        } else {
            let mut v = self.vm_stacks.pop().unwrap_or_default();
            // One frame (a task switch, a generator resumed by `send`): one move, no iterator.
            match start.into_inner() {
                Ok([f]) => v.push(f),
                Err(start) => v.extend(start),
            }
            v
        };
        let r = self.run_loop(&mut frames, root, pending, switched);
        frames.clear();
        if frames.capacity() > 0 && self.vm_stacks.len() < 16 {
            self.vm_stacks.push(frames);
        }
        r
    }

    fn run_loop(
        &mut self,
        frames: &mut Vec<Box<Frame>>,
        root: Option<&Rc<Generator>>,
        mut pending: Option<Resume>,
        switched: &mut Option<Rc<Generator>>,
    ) -> R<Outcome> {
        let base_depth = self.depth;
        self.depth += frames.len();
        // The generator whose frames the loop runs at its bottom: the root, until the scheduler
        // switches the loop to another task's coroutine.
        if switched.is_none() {
            *switched = root.cloned();
        }
        // Indices of the frames at which a `for` resumed a generator: where a yield stops.
        let mut resumers: Vec<usize> = Vec::new();
        let r = loop {
            let step = match self.exec_frame(frames, &mut resumers, pending.take(), switched) {
                Ok(Transfer::Wait(v, dst)) => {
                    // As the `YieldFrom` of a request that waits; the resume (`None`, or an
                    // exception) is the `YieldFrom`'s result.
                    if let Some(f) = frames.last_mut() {
                        f.stop_at_fused_sleep(dst);
                    }
                    Ok(Transfer::Yield(v))
                }
                step => step,
            };
            match step {
                Ok(Transfer::Call(frame)) => {
                    if self.depth >= self.opts.max_depth {
                        pending = Some(Resume::Throw(recursion_error("maximum recursion depth exceeded")));
                        continue;
                    }
                    self.depth += 1;
                    frames.push(frame);
                }
                Ok(Transfer::Return(v)) => {
                    let Some(mut done) = frames.pop() else { continue };
                    self.depth -= 1;
                    let ret = std::mem::replace(&mut done.ret, Ret::Native);
                    self.recycle(done);
                    let Some(below) = frames.last_mut() else {
                        match self.finish_task(frames, switched, v) {
                            Switch::Went(resume) => {
                                pending = Some(resume);
                                continue;
                            }
                            Switch::Declined(v) => break Ok(Outcome::Return(v)),
                            Switch::Ended | Switch::Nowhere => break Ok(Outcome::Return(Value::None)),
                        }
                    };
                    match ret {
                        Ret::Native => break Err(internal_error("native frame in the middle")),
                        Ret::Reg(dst) => below.regs[dst as usize].put(v),
                        Ret::Init(dst, inst) => {
                            if v.is_none() {
                                inst.class.learn_attrs(&inst);
                                below.regs[dst as usize].put(Value::Instance(inst));
                            } else {
                                // Raised at the call, as `instantiate` raises it.
                                let msg =
                                    format!("__init__() should return None, not '{}'", self.type_name(&v));
                                pending = Some(Resume::Throw(type_error(msg)));
                            }
                        }
                        Ret::Resumed(g, how, _) => {
                            g.state.set(GenState::Done);
                            let at = below.pc.saturating_sub(1) as usize;
                            let instr = below.code.bc.instrs.get(at).copied();
                            match (how, instr) {
                                (How::Iterate, Some(Instr::ForIter { exit, .. })) => {
                                    resumers.pop();
                                    below.pc = exit;
                                }
                                (How::Next, Some(i)) if i.call_dst().is_some() => {
                                    resumers.pop();
                                    let args = if v.is_none() { vec![] } else { vec![v] };
                                    let stop = raise_value(new_exception(&self.t.stop_iteration, args));
                                    pending = Some(Resume::Throw(stop));
                                }
                                (How::Delegate, Some(Instr::YieldFrom { dst, .. })) => {
                                    // A delegate of a generator being closed that returned
                                    // (it swallowed the GeneratorExit): GeneratorExit is
                                    // raised here all the same (PEP 380; `close_chain`).
                                    match self.closing_delegates.iter().position(|d| Rc::ptr_eq(d, &g)) {
                                        Some(k) => {
                                            self.closing_delegates.swap_remove(k);
                                            let exit = new_exception(&self.t.generator_exit, vec![]);
                                            pending = Some(Resume::Throw(raise_value(exit)));
                                        }
                                        None => below.regs[dst as usize] = v,
                                    }
                                }
                                _ => break Err(internal_error("generator resumed from nowhere")),
                            }
                        }
                    }
                }
                Ok(Transfer::Yield(v)) => {
                    let at = resumers.pop().unwrap_or(0);
                    // At the bottom (a task switch), the whole stack moves without copying.
                    let mut segment: Frames = if at + 1 == frames.len() {
                        // One frame (a generator not delegating): one move, no iterator.
                        match frames.pop() {
                            Some(f) => Frames::from_buf([f]),
                            None => Frames::new(),
                        }
                    } else if at == 0 {
                        // A whole await chain at the bottom (a task switch): the stack itself
                        // goes into the generator, whatever its depth.
                        Frames::from_vec(std::mem::take(frames))
                    } else {
                        frames.drain(at..).collect()
                    };
                    self.depth -= segment.len();
                    let owner = match segment.first().map(|f| &f.ret) {
                        Some(Ret::Resumed(g, How::Iterate | How::Next, _)) => Some(g.clone()),
                        _ => None,
                    };
                    match owner {
                        Some(g) => {
                            g.state.set(GenState::Suspended);
                            // Its bottom frame must not keep the generator alive (a cycle that
                            // no one frees).
                            if let Some(bottom) = segment.first_mut() {
                                bottom.ret = Ret::Native;
                            }
                            store_frames(&g, segment);
                            let Some(below) = frames.last_mut() else {
                                break Err(internal_error("no resumer"));
                            };
                            let at = below.pc.saturating_sub(1) as usize;
                            let dst = match below.code.bc.instrs.get(at) {
                                Some(Instr::ForIter { dst, .. }) => Some(*dst),
                                Some(i) => i.call_dst(),
                                None => None,
                            };
                            match dst {
                                Some(dst) => below.regs[dst as usize] = v,
                                None => break Err(internal_error("yield to nowhere")),
                            }
                        }
                        None => match self.switch_task(frames, switched, Segment::All(segment), v) {
                            Switch::Went(resume) => pending = Some(resume),
                            Switch::Declined(v) => break Ok(Outcome::Yield(v)),
                            Switch::Ended => break Ok(Outcome::Return(Value::None)),
                            Switch::Nowhere => break Err(runtime_error("a plain function cannot suspend")),
                        },
                    }
                }
                Ok(Transfer::Parked(v)) => break Ok(Outcome::Yield(v)),
                Ok(Transfer::Ended) => break Ok(Outcome::Return(Value::None)),
                // Raised where the frame stopped, at the `raise`.
                Ok(Transfer::ReraiseBelow) => pending = Some(Resume::Throw(reraise_below(frames))),
                Ok(Transfer::Wait(..)) => break Err(internal_error("a fused await left undone")),
                Ok(Transfer::Delegate(_) | Transfer::Iterate(..) | Transfer::Next(..))
                    if self.depth >= self.opts.max_depth =>
                {
                    pending = Some(Resume::Throw(recursion_error("maximum recursion depth exceeded")));
                }
                Ok(Transfer::Delegate(g) | Transfer::Iterate(g, _) | Transfer::Next(g, _))
                    if g.state.get() == GenState::Running =>
                {
                    let what = if g.is_coroutine { "coroutine" } else { "generator" };
                    pending = Some(Resume::Throw(value_error(format!("{} already executing", what))));
                }
                Ok(Transfer::Delegate(g)) => {
                    let start = if g.state.get() == GenState::Created {
                        Resume::Start
                    } else {
                        Resume::Send(Value::None)
                    };
                    self.push_generator(frames, g, How::Delegate, NO_REG);
                    pending = Some(start);
                }
                Ok(t @ (Transfer::Iterate(..) | Transfer::Next(..))) => {
                    let (g, how, dst) = match t {
                        Transfer::Next(g, dst) => (g, How::Next, dst),
                        Transfer::Iterate(g, dst) => (g, How::Iterate, dst),
                        _ => break Err(internal_error("not an iteration")),
                    };
                    let start = if g.state.get() == GenState::Created {
                        Resume::Start
                    } else {
                        Resume::Send(Value::None)
                    };
                    resumers.push(frames.len());
                    self.push_generator(frames, g, how, dst);
                    pending = Some(start);
                }
                Err(e) => {
                    let Some(done) = frames.pop() else { break Err(e) };
                    self.depth -= 1;
                    let mut e = e;
                    if let Ret::Resumed(g, how, _) = &done.ret {
                        g.state.set(GenState::Done);
                        if matches!(how, How::Iterate | How::Next) {
                            resumers.pop();
                        }
                        e = self.generator_error(g, e);
                    }
                    if frames.is_empty() || matches!(done.ret, Ret::Native) {
                        // Leaving this loop for the native code that entered it: the frames
                        // of the loop below (the caller's) are looked at for its context too.
                        if let Fault::Exc(x) = &mut e {
                            if x.context.is_none() {
                                x.context_sought = false;
                            }
                        }
                        break Err(e);
                    }
                    if !matches!(e, Fault::Exc(_)) {
                        break Err(e);
                    }
                    pending = Some(Resume::Throw(e));
                }
            }
        };
        self.depth = base_depth;
        r
    }

    /// Keeps a finished frame for the next call (its registers' allocation is reused).
    #[inline(always)]
    fn recycle(&mut self, mut f: Box<Frame>) {
        if self.vm_pool.len() >= 64 {
            return;
        }
        for r in f.regs.iter_mut() {
            r.put(Value::Unbound);
        }
        if !f.cells.is_empty() {
            f.cells.clear();
        }
        if !f.handled.is_empty() {
            f.handled.clear();
        }
        f.func = None;
        if f.ns.is_some() {
            f.ns = None;
        }
        f.pc = 0;
        f.native_delegate = false;
        // (`none_sent` is false already: a frame only runs on, and so only returns, after
        // the send or exception that resumed it cleared it.)
        debug_assert!(!f.none_sent, "a returning frame still marked as stopped at a yield");
        debug_assert!(!f.sent_ignored, "a returning frame still marked as stopped at a sleep(0)");
        f.set_ret(Ret::Native);
        // (The pool keeps its room once grown.)
        push_in_room(&mut self.vm_pool, f);
    }

    /// Moves a generator's frames on top of the stack, its bottom frame returning to the frame
    /// below as `how` says.
    #[inline(always)]
    fn push_generator(&mut self, frames: &mut Vec<Box<Frame>>, g: Rc<Generator>, how: How, dst: Reg) {
        g.used.set(true);
        g.state.set(GenState::Running);
        if let Some(mut bottom) = g.vm.pop_single() {
            // The common case (no delegation in progress): one move, no iterator.
            self.depth += 1;
            bottom.set_ret(Ret::Resumed(g, how, dst));
            frames.push(bottom);
        } else {
            let mut own = g.vm.take();
            self.depth += own.len();
            if let Some(bottom) = own.first_mut() {
                bottom.ret = Ret::Resumed(g.clone(), how, dst);
            }
            frames.extend(own.drain(..));
        }
    }

    /// Runs the top frame until control leaves what the dispatch loop handles by itself (plain
    /// calls and returns it handles without leaving). `pending` is what resumes the top frame:
    /// the value sent into its `yield`, or an exception raised where it stopped.
    fn exec_frame(
        &mut self,
        frames: &mut Vec<Box<Frame>>,
        resumers: &mut Vec<usize>,
        pending: Option<Resume>,
        switched: &mut Option<Rc<Generator>>,
    ) -> R<Transfer> {
        let mut incoming: Option<Fault> = None;
        let mut delegate_input: Option<Resume> = None;
        let Some(f) = frames.last_mut() else {
            return Err(internal_error("no frame to run"));
        };
        match pending {
            None => {}
            // An exception thrown into a frame that delegates to a native iterator (an async
            // generator's awaitable, a scheduler request) goes to the delegate, as `throw`
            // does in CPython: the delegate may catch it (an async generator's `finally`).
            Some(Resume::Throw(e)) if !f.native_delegate => incoming = Some(e),
            Some(r) => delegate_input = resume_with(f, r),
        }
        loop {
            let r = match incoming.take() {
                Some(e) => Err(e),
                None => self.exec_instrs(frames, resumers, &mut delegate_input, switched),
            };
            match r {
                Ok(t) => return Ok(t),
                Err(e) => {
                    let Fault::Exc(mut x) = e else { return Err(e) };
                    // Raised while an exception was being handled, in this frame or one below
                    // (CPython's per-thread exception state): that one is its context.
                    let ctx = if x.context_sought {
                        None
                    } else {
                        x.context_sought = true;
                        handled_below(frames)
                    };
                    // The frame that failed is the top one (calls and returns may have changed
                    // which one that is).
                    let Some(f) = frames.last_mut() else { return Err(Fault::Exc(x)) };
                    let code = f.code.clone();
                    let bc = &*code.bc;
                    // The failing instruction is the one before `pc`.
                    let at = f.pc.saturating_sub(1);
                    f.native_delegate = false;
                    f.none_sent = false;
                    f.sent_ignored = false;
                    // Where it happened in this frame: kept with it if a handler catches it, so
                    // that raising it again reports this place.
                    let whole = bc.spans.get(at as usize).copied().unwrap_or(f.code.span);
                    locate(&mut x, f, bc, at, whole);
                    // Raised while another was being handled here: that one is its context, as
                    // the exception state of CPython's thread says (for a thrown-in exception
                    // and one from a callee too).
                    if let Some(ctx) = ctx.filter(|c| !c.value.is(&x.value)) {
                        if let Value::Instance(i) = &x.value {
                            if !i.attrs.borrow().contains_key(&sym::CONTEXT) {
                                crate::interp::set_context(&x.value, &ctx.value);
                            }
                        }
                        x.context = Some(ctx);
                    }
                    if let Some(h) = bc.handler_at(at) {
                        f.handled.truncate(h.depth as usize);
                        // (Caught here: its place as a context is this frame's now.)
                        x.as_context_memo = None;
                        f.handled.push(x);
                        f.pc = h.target;
                        continue;
                    }
                    let span = x.span.take().unwrap_or(whole);
                    x.tb.push((f.code.qualname.clone(), span));
                    return Err(Fault::Exc(x));
                }
            }
        }
    }

    /// The dispatch loop proper. A call of a plain function pushes its frame and goes on with
    /// it; its return pops it into the caller's register and goes on there; a one-frame
    /// generator resumed by `for` or `next()` and its yield back stay here too, and so does a
    /// task switch at the bottom when the scheduler makes one (`switch_here`); everything else
    /// that leaves a frame (other generators and yields, a return from the bottom) is a
    /// `Transfer` for `run_loop`.
    fn exec_instrs(
        &mut self,
        frames: &mut Vec<Box<Frame>>,
        resumers: &mut Vec<usize>,
        delegate_input: &mut Option<Resume>,
        switched: &mut Option<Rc<Generator>>,
    ) -> R<Transfer> {
        'frames: loop {
            let has_caller = frames.len() > 1;
            let Some(f) = frames.last_mut() else {
                return Err(internal_error("no frame to run"));
            };
            let f: &mut Frame = f;
            // SAFETY: the frame owns a reference to its code, and it stays on `frames` (owned
            // by this loop, and changed only here) while `code` and `bc` are used: every path
            // that pops it or pushes another goes on at 'frames (reading them afresh) or
            // returns. A running frame's code is never replaced (`Frame::reuse` is for pooled
            // frames). Not cloned: an increment and a decrement on every frame entry.
            let code: &Code = unsafe { &*Rc::as_ptr(&f.code) };
            let bc: &Bytecode = &code.bc;
            // What makes the unchecked indexing below sound, with `Bytecode::check` (run on
            // every code object the compiler makes): every register an instruction names is
            // below `nslots`, every jump lands on an instruction, and the code cannot run off
            // its end. The one thing left to check is the frame's size, once per frame entry
            // and `pc` at entry (a frame resumed where it stopped, or jumped to a handler).
            if f.regs.len() < code.nslots || f.pc as usize >= bc.instrs.len() {
                return Err(internal_error("a frame that does not fit its code"));
            }
            loop {
                // The registers are borrowed once per frame, not once per instruction (their
                // count never changes while the frame runs); a rare instruction, which needs the
                // whole frame, ends the borrow and runs below. They are reached through `rp`
                // alone while it lives (no other borrow of them is used meanwhile).
                let rp: *mut Value = f.regs.as_mut_ptr();
                // The instructions, read through a pointer of their own: one load per dispatch
                // less than through `bc`.
                let instrs: *const Instr = bc.instrs.as_ptr();
                let cold = loop {
                    // SAFETY: `pc` is in bounds: checked at entry, and afterwards only set to
                    // jump targets and handler targets (in bounds by `Bytecode::check`) or
                    // advanced past an instruction that is not the last, since the last one
                    // never falls through (`Bytecode::check`); a fused await (`awaited_now`,
                    // `AwaitCall`) skips a `YieldFrom`, which falls through, so is not the last
                    // either. The instruction is matched where it is, not copied out first (an
                    // arm reads only the operands it binds, once, as it begins); nothing writes
                    // instructions after compiling, and the code lives as long as `code` does.
                    let instr: &Instr = unsafe { &*instrs.add(f.pc as usize) };
                    f.pc += 1;
                    // A register of the running frame by index, unchecked: `reg!` to read,
                    // `reg_mut!` to write.
                    macro_rules! reg {
                        ($r:expr) => {
                            // SAFETY: every register operand is below `code.nslots`
                            // (`Bytecode::check`), and the frame has that many (checked at entry).
                            // The frame's registers are not resized while it runs, and none is
                            // written while a reference from here to it is live.
                            (*unsafe { &*rp.add($r as usize) })
                        };
                    }
                    macro_rules! reg_mut {
                        ($r:expr) => {
                            // SAFETY: as for `reg!`. While the reference lives (in
                            // `reg_mut!(dst).put(self.getattr(..)?)`, through the call that makes
                            // the value) no other reference to this register is used: code run
                            // meanwhile runs other frames, never this one's registers, and a
                            // register read for the value written (`i += 1`) is copied or
                            // cloned before the write's reference is made.
                            (*unsafe { &mut *rp.add($r as usize) })
                        };
                    }
                    // Registers `$a..$a + $n` as a slice (a call's arguments), unchecked.
                    macro_rules! regs {
                        ($a:expr, $n:expr) => {
                            // SAFETY: as for `reg!`: a call's argument range is within
                            // `Instr::reg_extent`, which `Bytecode::check` bounds by `nslots`.
                            unsafe { std::slice::from_raw_parts(rp.add($a), $n) }
                        };
                    }
                    // A yield of `$v` from the top frame. A generator of one frame resumed by
                    // `for` or `next()` in the frame below: the frame goes back into its
                    // generator and the value to the resumer, here. At the bottom of a
                    // generator's loop (a task's, mostly), the scheduler may switch tasks
                    // without leaving the loop. Anything else leaves the loop. A macro, not a
                    // function: it continues the loop or returns.
                    macro_rules! yield_now {
                        ($v:expr) => {{
                            let v = $v;
                            let bottom = matches!(f.ret, Ret::Native);
                            let here = matches!(f.ret, Ret::Resumed(_, How::Iterate | How::Next, _))
                                && resumers.last().is_some_and(|&at| at + 1 == frames.len());
                            if !here {
                                if bottom && frames.len() == 1 && resumers.is_empty() {
                                    match self.switch_here(frames, switched, v, None, delegate_input)? {
                                        None => continue 'frames,
                                        Some(t) => return Ok(t),
                                    }
                                }
                                return Ok(Transfer::Yield(v));
                            }
                            match self.yield_here(frames, resumers, v) {
                                Ok(()) => continue 'frames,
                                Err(v) => return Ok(Transfer::Yield(v)),
                            }
                        }};
                    }
                    // What a call gave: a value for `dst`, or a frame (a plain call's, or a
                    // generator's resumed by `next()`) to go on with here; anything else leaves
                    // the loop. A macro, not a function: it continues the loop or returns.
                    macro_rules! after_call {
                        ($called:expr, $dst:expr) => {
                            match $called {
                                Called::Value(v) => reg_mut!($dst).put(v),
                                Called::Push(Transfer::Call(callee)) => {
                                    self.push_call(frames, callee)?;
                                    continue 'frames;
                                }
                                Called::Push(Transfer::Next(g, _)) if self.can_resume_here(&g) => {
                                    *delegate_input = self.resume_here(frames, resumers, g, How::Next, $dst);
                                    continue 'frames;
                                }
                                Called::Push(Transfer::Wait(v, dst))
                                    if matches!(f.ret, Ret::Native)
                                        && frames.len() == 1
                                        && resumers.is_empty() =>
                                {
                                    match self.switch_here(frames, switched, v, Some(dst), delegate_input)? {
                                        None => continue 'frames,
                                        Some(t) => return Ok(t),
                                    }
                                }
                                Called::Push(t) => return Ok(t),
                            }
                        };
                    }
                    // `cold_path()` marks the slow side of an arm (a type the fast path does
                    // not take, a cache miss, the step check's rare branch): without it the
                    // compiler guesses every branch equally likely, and the registers and
                    // spills of the whole loop are placed by that guess.
                    match *instr {
                        Instr::Step { live, hi } => {
                            // Above `hi` nothing can hold a reference (the compiler's bound).
                            debug_assert!(
                                (hi as usize..code.nslots).all(|r| reg!(r).is_plain()),
                                "a temporary above the Step's bound in {} at {}",
                                f.code.qualname,
                                f.pc - 1
                            );
                            // Temporaries holding a reference are released; plain values (ints,
                            // bools) hold nothing and stay until overwritten.
                            for r in live..hi {
                                let r = &mut reg_mut!(r);
                                if !r.is_plain() {
                                    *r = Value::Unbound;
                                }
                            }
                            self.steps += 1;
                            if self.steps >= crate::interp::step_check() {
                                std::hint::cold_path();
                                self.step_slow(bc.spans[f.pc as usize - 1])?;
                            }
                        }
                        Instr::Tick => {
                            #[cfg(debug_assertions)]
                            {
                                let at = f.pc - 1;
                                let live = bc
                                    .tick_live
                                    .binary_search_by_key(&at, |&(i, _)| i)
                                    .map_or(0, |k| bc.tick_live[k].1 as usize);
                                debug_assert!(
                                    (live..code.nslots).all(|r| reg!(r).is_plain()),
                                    "a temporary above the Tick's bound in {} at {}",
                                    f.code.qualname,
                                    at
                                );
                            }
                            self.steps += 1;
                            if self.steps >= crate::interp::step_check() {
                                std::hint::cold_path();
                                self.step_slow(bc.spans[f.pc as usize - 1])?;
                            }
                        }
                        Instr::LoadConst { dst, k } => reg_mut!(dst).put(bc.consts[k as usize].clone()),
                        Instr::Move { dst, src } => reg_mut!(dst).put(reg!(src).clone()),
                        Instr::LoadLocal { dst, src } => {
                            let v = reg!(src).clone();
                            if matches!(v, Value::Unbound) {
                                std::hint::cold_path();
                                return Err(self.unbound_error(f.code.slot_names[src as usize]));
                            }
                            reg_mut!(dst).put(v);
                        }
                        Instr::LoadCell { dst, cell } => {
                            let v = f.cells[cell as usize].borrow().clone();
                            if matches!(v, Value::Unbound) {
                                let name = f.code.cell_names[cell as usize];
                                return Err(if (cell as usize) < f.code.n_own_cells {
                                    self.unbound_error(name)
                                } else {
                                    name_error(format!(
                                "cannot access free variable '{}' where it is not associated with a value in enclosing scope",
                                name
                            ))
                                });
                            }
                            reg_mut!(dst).put(v);
                        }
                        Instr::StoreCell { cell, src } => {
                            *f.cells[cell as usize].borrow_mut() = reg!(src).clone()
                        }
                        Instr::LoadGlobal { dst, name } => {
                            let version = self.globals_version;
                            // SAFETY: `Bytecode::check` holds every `LoadGlobal`'s name below the
                            // number of cache entries.
                            let slot = unsafe { bc.global_cache.get_unchecked(name as usize) };
                            let v = match slot.get(version) {
                                Some(v) => v,
                                None => {
                                    std::hint::cold_path();
                                    match slot.read_place(&self.globals) {
                                        Some(v) => v,
                                        None => {
                                            self.load_global_cached(code, bc.names[name as usize], slot)?
                                        }
                                    }
                                }
                            };
                            reg_mut!(dst).put(v);
                        }
                        Instr::StoreGlobal { name, src } => {
                            // SAFETY: as for `LoadGlobal`.
                            let slot = unsafe { bc.global_cache.get_unchecked(name as usize) };
                            self.store_global_cached(bc.names[name as usize], reg!(src).clone(), slot);
                        }
                        Instr::Bin { op, dst, a, b } => {
                            if let (Value::Int(x), Value::Int(y)) = (&reg!(a), &reg!(b)) {
                                if let Some(v) = crate::interp::ops::int_fast(op, *x, *y) {
                                    reg_mut!(dst).put(Value::Int(v));
                                    continue;
                                }
                            }
                            std::hint::cold_path();
                            let (x, y) = (reg!(a).clone(), reg!(b).clone());
                            reg_mut!(dst).put(self.binop(op, &x, &y)?);
                        }
                        Instr::BinK { op, dst, a, k } => {
                            if let Value::Int(x) = &reg!(a) {
                                if let Some(v) = crate::interp::ops::int_fast(op, *x, k as i64) {
                                    reg_mut!(dst).put(Value::Int(v));
                                    continue;
                                }
                            }
                            std::hint::cold_path();
                            let x = reg!(a).clone();
                            reg_mut!(dst).put(self.binop(op, &x, &Value::Int(k as i64))?);
                        }
                        Instr::CompareK { op, dst, a, k } => {
                            let r = match &reg!(a) {
                                Value::Int(x) => int_compare!(op, *x, k as i64, *x != k as i64),
                                x => {
                                    std::hint::cold_path();
                                    // (A user method's result as it is: `compare_value`.)
                                    let x = x.clone();
                                    let v = self.compare_value(op, &x, &Value::Int(k as i64))?;
                                    reg_mut!(dst).put(v);
                                    continue;
                                }
                            };
                            reg_mut!(dst).put(Value::Bool(r));
                        }
                        Instr::InplaceK { op, dst, a, k } => {
                            if let Value::Int(x) = &reg!(a) {
                                if let Some(v) = crate::interp::ops::int_fast(op, *x, k as i64) {
                                    reg_mut!(dst).put(Value::Int(v));
                                    continue;
                                }
                            }
                            std::hint::cold_path();
                            let x = reg!(a).clone();
                            reg_mut!(dst).put(self.inplace_op(op, x, &Value::Int(k as i64))?);
                        }
                        Instr::Inplace { op, dst, a, b } => {
                            if let (Value::Int(x), Value::Int(y)) = (&reg!(a), &reg!(b)) {
                                if let Some(v) = crate::interp::ops::int_fast(op, *x, *y) {
                                    reg_mut!(dst).put(Value::Int(v));
                                    continue;
                                }
                            }
                            std::hint::cold_path();
                            // Cloned, not taken: `a` may be a variable's own register, which must keep
                            // its value if the operation fails.
                            let x = reg!(a).clone();
                            let y = reg!(b).clone();
                            reg_mut!(dst).put(self.inplace_op(op, x, &y)?);
                        }
                        Instr::Compare { op, dst, a, b } => {
                            let r = match (&reg!(a), &reg!(b)) {
                                (Value::Int(x), Value::Int(y)) => int_compare!(op, x, y, {
                                    let (x, y) = (reg!(a).clone(), reg!(b).clone());
                                    self.compare(op, &x, &y)?
                                }),
                                _ => {
                                    std::hint::cold_path();
                                    let (x, y) = (reg!(a).clone(), reg!(b).clone());
                                    let v = self.compare_value(op, &x, &y)?;
                                    reg_mut!(dst).put(v);
                                    continue;
                                }
                            };
                            reg_mut!(dst).put(Value::Bool(r));
                        }
                        Instr::GetAttr { dst, obj, name } => {
                            let o = reg!(obj).clone();
                            reg_mut!(dst).put(self.getattr(&o, bc.names[name as usize])?);
                        }
                        Instr::SetAttr { obj, name, src } => {
                            let (o, v) = (reg!(obj).clone(), reg!(src).clone());
                            self.setattr(&o, bc.names[name as usize], v)?;
                        }
                        Instr::GetItem { dst, obj, idx } => {
                            let (o, i) = (reg!(obj).clone(), reg!(idx).clone());
                            reg_mut!(dst).put(self.getitem(&o, &i)?);
                        }
                        Instr::SetItem { obj, idx, src } => {
                            let (o, i, v) = (reg!(obj).clone(), reg!(idx).clone(), reg!(src).clone());
                            self.setitem(&o, i, v)?;
                        }
                        Instr::Call { dst, func, argc } => {
                            let a = func as usize + 1;
                            match &reg!(func) {
                                Value::Func(fun) if fun.code.simple_call == argc as usize => {
                                    let callee = self.fast_frame(fun, None, regs!(a, argc as usize), dst);
                                    self.push_call(frames, callee)?;
                                    continue 'frames;
                                }
                                // `next(gen)` of a plain generator that can run here: its frame
                                // goes on top at once (as `call_value` would send it here).
                                Value::Builtin(b) if argc == 1 && is_next(b) => {
                                    if let Some(g) = next_resumes(&reg!(a)) {
                                        if self.can_resume_here(g) {
                                            let g = g.clone();
                                            *delegate_input =
                                                self.resume_here(frames, resumers, g, How::Next, dst);
                                            continue 'frames;
                                        }
                                    }
                                }
                                _ => {}
                            }
                            std::hint::cold_path();
                            let args = regs!(a, argc as usize);
                            let called =
                                self.call_value(&reg!(func), args, &[], dst, bc.spans[f.pc as usize - 1])?;
                            after_call!(called, dst);
                        }
                        Instr::AwaitCall { dst, func, argc } => {
                            let args = regs!(func as usize + 1, argc as usize);
                            // `await sleep(0)` in a task gives the turn away here, as the call,
                            // the `GetAwaitable` and the `YieldFrom` would (`Transfer::Wait`).
                            if let Value::Builtin(b) = &reg!(func) {
                                if let Some(v) = (self.sched_hooks.await_call)(self, b, args) {
                                    // (Where the call is, as for any built-in's call.)
                                    self.current_span = Some(bc.spans[f.pc as usize - 1]);
                                    if matches!(f.ret, Ret::Native)
                                        && frames.len() == 1
                                        && resumers.is_empty()
                                    {
                                        match self.switch_here(
                                            frames,
                                            switched,
                                            v,
                                            Some(dst),
                                            delegate_input,
                                        )? {
                                            None => continue 'frames,
                                            Some(t) => return Ok(t),
                                        }
                                    }
                                    return Ok(Transfer::Wait(v, dst));
                                }
                            }
                            let called =
                                self.call_value(&reg!(func), args, &[], dst, bc.spans[f.pc as usize - 1])?;
                            after_call!(called, dst);
                        }
                        Instr::LoadMethod { dst, obj, name } => {
                            let n = bc.names[name as usize];
                            // The frequent case first, without a Result of two values: a native method
                            // of a built-in value (`q.popleft`, `items.append`).
                            let native = match &reg!(obj) {
                                Value::Instance(_)
                                | Value::Class(_)
                                | Value::Module(_)
                                | Value::Func(_)
                                | Value::Method(_)
                                | Value::Builtin(_) => false,
                                // Quickened in `CallMethod` (no table to look in; the memo
                                // is neither written nor read for these, see
                                // `native_method_again`).
                                Value::Native(d)
                                    if matches!(**d, Native::Deque { .. })
                                        && matches!(n, sym::POPLEFT | sym::APPEND) =>
                                {
                                    true
                                }
                                Value::List(_) if n == sym::APPEND => true,
                                o => self.native_method_found(o, n),
                            };
                            let o = reg!(obj).clone();
                            if native {
                                reg_mut!(dst).put(Value::Unbound);
                                reg_mut!(dst + 1).put(o);
                            } else {
                                let (m, this) = self.load_method(o, n)?;
                                reg_mut!(dst).put(m);
                                reg_mut!(dst + 1).put(this);
                            }
                        }
                        Instr::CallMethod { dst, func, argc, name } => {
                            let a = func as usize + 2;
                            let args = regs!(a, argc as usize);
                            let span = bc.spans[f.pc as usize - 1];
                            let called = match (&reg!(func), &reg!(func + 1)) {
                                (Value::Func(fun), this @ Value::Instance(_))
                                    if fun.code.simple_call == argc as usize + 1 =>
                                {
                                    let callee = self.fast_frame(fun, Some(this), args, dst);
                                    self.push_call(frames, callee)?;
                                    continue 'frames;
                                }
                                (Value::Func(fun), this @ Value::Instance(_)) => {
                                    std::hint::cold_path();
                                    let (fun, this) = (fun.clone(), this.clone());
                                    self.call_function_from_loop(&fun, Some(&this), args, &[], dst, span)?
                                }
                                // The two methods every round-robin scheduler calls, without
                                // the method table (quickened, as issue 18 asks of native
                                // methods such as `deque.popleft`).
                                (Value::Unbound, this @ Value::Native(n))
                                    if matches!(**n, Native::Deque { .. })
                                        && matches!(
                                            (bc.names[name as usize], argc),
                                            (sym::POPLEFT, 0) | (sym::APPEND, 1)
                                        ) =>
                                {
                                    Called::Value(if argc == 0 {
                                        match crate::builtins::methods::deque_popleft(this) {
                                            Ok(v) => v,
                                            Err(e) => {
                                                std::hint::cold_path();
                                                self.current_span = Some(span);
                                                return Err(e);
                                            }
                                        }
                                    } else {
                                        crate::builtins::methods::deque_push(this, args[0].clone(), false);
                                        Value::None
                                    })
                                }
                                // `items.append(x)`, as `list.append` does it.
                                (Value::Unbound, Value::List(l))
                                    if argc == 1 && bc.names[name as usize] == sym::APPEND =>
                                {
                                    self.current_span = Some(span);
                                    self.charge_memory(16)?;
                                    l.borrow_mut().push(args[0].clone());
                                    Called::Value(Value::None)
                                }
                                (Value::Unbound, this) => {
                                    let name = bc.names[name as usize];
                                    self.current_span = Some(span);
                                    // `await q.get()` that can complete at once: done here, with
                                    // no request object (`awaited_now`), past its `YieldFrom`.
                                    if let Some((yd, r)) = self.awaited_now(this, name, args, bc, f.pc, dst) {
                                        f.pc += 2;
                                        reg_mut!(dst).put(Value::None);
                                        reg_mut!(yd).put(r?);
                                        continue;
                                    }
                                    // `LoadMethod` found a native method of a built-in value
                                    // (and remembered it, for a `Native` one).
                                    Called::Value(match self.native_method_again(this, name) {
                                        Some((_, method)) => method(self, this, args, &[])?,
                                        None => self.call_method(this, name, args, &[])?,
                                    })
                                }
                                (fv, _) => {
                                    std::hint::cold_path();
                                    self.call_value(fv, args, &[], dst, span)?
                                }
                            };
                            after_call!(called, dst);
                        }
                        Instr::Jump { to } => f.pc = to,
                        Instr::JumpIfFalse { cond, to } => {
                            let t = match &reg!(cond) {
                                Value::Bool(b) => *b,
                                v => self.truthy(v)?,
                            };
                            if !t {
                                f.pc = to;
                            }
                        }
                        Instr::JumpUnless { op, a, b, to } => {
                            let holds = match (&reg!(a), &reg!(b)) {
                                (Value::Int(x), Value::Int(y)) => int_compare!(op, x, y, {
                                    let (x, y) = (reg!(a).clone(), reg!(b).clone());
                                    self.compare(op, &x, &y)?
                                }),
                                _ => {
                                    std::hint::cold_path();
                                    let (x, y) = (reg!(a).clone(), reg!(b).clone());
                                    self.compare(op, &x, &y)?
                                }
                            };
                            if !holds {
                                f.pc = to;
                            }
                        }
                        Instr::JumpUnlessK { op, a, k, to } => {
                            let holds = match &reg!(a) {
                                Value::Int(x) => int_compare!(op, *x, k as i64, *x != k as i64),
                                x => {
                                    std::hint::cold_path();
                                    let x = x.clone();
                                    self.compare(op, &x, &Value::Int(k as i64))?
                                }
                            };
                            if !holds {
                                f.pc = to;
                            }
                        }
                        Instr::JumpIfTrue { cond, to } => {
                            let t = match &reg!(cond) {
                                Value::Bool(b) => *b,
                                v => self.truthy(v)?,
                            };
                            if t {
                                f.pc = to;
                            }
                        }
                        Instr::GetIter { dst, src } => {
                            let v = reg!(src).clone();
                            reg_mut!(dst).put(self.get_iter(&v)?);
                        }
                        Instr::ForIter { iter, dst, exit } => {
                            // `for i in range(...)` made no iterator (`ForRange`): the counter is
                            // in `iter`, the stop after it.
                            if let Value::Int(counter) = &mut reg_mut!(iter) {
                                if let Value::Int(stop) = reg!(iter + 1) {
                                    let next = *counter;
                                    if next < stop {
                                        *counter = next + 1;
                                        reg_mut!(dst).put(Value::Int(next));
                                    } else {
                                        f.pc = exit;
                                    }
                                    continue;
                                }
                            }
                            // Any other range: the next number, without a call.
                            let range = match &reg!(iter) {
                                Value::Iter(st) => match st.try_borrow_mut() {
                                    Ok(mut s) if matches!(*s, IterState::Range { .. }) => {
                                        Some(s.range_next())
                                    }
                                    _ => None,
                                },
                                _ => None,
                            };
                            if let Some(next) = range {
                                match next {
                                    Some(i) => reg_mut!(dst).put(Value::Int(i)),
                                    None => f.pc = exit,
                                }
                                continue;
                            }
                            let it = reg!(iter).clone();
                            if let Value::Gen(g) = &it {
                                if g.state.get() == GenState::Done {
                                    f.pc = exit;
                                    continue;
                                }
                                if self.can_resume_here(g) {
                                    *delegate_input =
                                        self.resume_here(frames, resumers, g.clone(), How::Iterate, dst);
                                    continue 'frames;
                                }
                                return Ok(Transfer::Iterate(g.clone(), dst));
                            }
                            match self.next(&it)? {
                                Some(v) => reg_mut!(dst).put(v),
                                None => f.pc = exit,
                            }
                        }
                        Instr::Return { src } => {
                            let v = std::mem::replace(&mut reg_mut!(src), Value::None);
                            if let (Ret::Reg(dst), true) = (&f.ret, has_caller) {
                                // A plain call returns into its caller's register, here in the loop.
                                let dst = *dst as usize;
                                if let Some(done) = frames.pop() {
                                    self.depth -= 1;
                                    self.recycle(done);
                                }
                                if let Some(below) = frames.last_mut() {
                                    below.regs[dst].put(v);
                                }
                                continue 'frames;
                            }
                            return Ok(Transfer::Return(v));
                        }
                        Instr::Yield { src, .. } => {
                            let v = reg!(src).clone();
                            yield_now!(v);
                        }
                        // (An arm of its own: sharing `Yield`'s, with a test of which one it is,
                        // moved the whole loop's register allocation: fib +5%.)
                        Instr::YieldNone { dst } => {
                            // What `dst` held is released now, as the `None` loaded into it
                            // before a `Yield` would release it.
                            reg_mut!(dst).put(Value::None);
                            f.none_sent = true;
                            yield_now!(Value::None)
                        }
                        Instr::GetAwaitable { dst, src } => {
                            let v = reg!(src).clone();
                            reg_mut!(dst).put(self.get_awaitable(&v)?);
                        }
                        Instr::YieldFrom { dst, iter } => {
                            let it = reg!(iter).clone();
                            let input = delegate_input.take();
                            if let Value::Gen(g) = &it {
                                if input.is_none() {
                                    if g.state.get() == GenState::Done {
                                        if g.is_coroutine {
                                            return Err(runtime_error(
                                                "cannot reuse already awaited coroutine",
                                            ));
                                        }
                                        reg_mut!(dst).put(Value::None);
                                        continue;
                                    }
                                    return Ok(Transfer::Delegate(g.clone()));
                                }
                            }
                            match self.delegate(&it, input)? {
                                Outcome::Return(v) => {
                                    f.native_delegate = false;
                                    drop(it);
                                    let done = std::mem::replace(&mut reg_mut!(iter), Value::None);
                                    self.delegate_done(done);
                                    reg_mut!(dst).put(v);
                                }
                                Outcome::Yield(v) if is_sched(&it) => {
                                    // A scheduler request that must wait (`await sleep(0)`): it
                                    // goes to the scheduler like a `yield` of it, and the frame
                                    // keeps nothing of it; the resume's value (or exception)
                                    // is this instruction's result, as for a `yield`. A
                                    // waiting task then holds no request object of its own.
                                    drop(it);
                                    reg_mut!(iter).put(Value::None);
                                    return Ok(Transfer::Yield(v));
                                }
                                Outcome::Yield(v) => {
                                    // Stay on this instruction: the next resume goes to the delegate.
                                    f.pc -= 1;
                                    f.native_delegate = true;
                                    return Ok(Transfer::Yield(v));
                                }
                            }
                        }
                        // The rest, named one by one rather than by a catch-all: with every
                        // variant matched, the jump table covers them all and a dispatch needs no
                        // range check first.
                        Instr::DelLocal { .. }
                        | Instr::DelCell { .. }
                        | Instr::DelGlobal { .. }
                        | Instr::LoadClassNs { .. }
                        | Instr::StoreClassNs { .. }
                        | Instr::DelClassNs { .. }
                        | Instr::Unary { .. }
                        | Instr::Truth { .. }
                        | Instr::BuildTuple { .. }
                        | Instr::BuildList { .. }
                        | Instr::BuildSet { .. }
                        | Instr::SetConst { .. }
                        | Instr::BuildDict { .. }
                        | Instr::ListAppend { .. }
                        | Instr::ListExtend { .. }
                        | Instr::SetAdd { .. }
                        | Instr::SetUpdate { .. }
                        | Instr::DictSet { .. }
                        | Instr::DictUpdate { .. }
                        | Instr::StarArgs { .. }
                        | Instr::StarKwargs { .. }
                        | Instr::ListToTuple { .. }
                        | Instr::BuildSlice { .. }
                        | Instr::Format { .. }
                        | Instr::Concat { .. }
                        | Instr::Unpack { .. }
                        | Instr::DelAttr { .. }
                        | Instr::DelItem { .. }
                        | Instr::CallKw { .. }
                        | Instr::CallEx { .. }
                        | Instr::ForRange { .. }
                        | Instr::GetYieldFromIter { .. }
                        | Instr::Raise { .. }
                        | Instr::Reraise
                        | Instr::ReraiseNone
                        | Instr::LoadExc { .. }
                        | Instr::ExcMatch { .. }
                        | Instr::PopExc
                        | Instr::WithExitExc { .. }
                        | Instr::WithExit { .. }
                        | Instr::WithEnter { .. }
                        | Instr::Locals { .. }
                        | Instr::LoadOwnerClass { .. }
                        | Instr::DropIter { .. }
                        | Instr::GetAIter { .. }
                        | Instr::GetANext { .. }
                        | Instr::AsyncGenWrap { .. }
                        | Instr::MakeFunction { .. }
                        | Instr::MakeClass { .. }
                        | Instr::Import { .. }
                        | Instr::ImportFrom { .. }
                        | Instr::ImportStar { .. }
                        | Instr::Echo { .. }
                        | Instr::Super { .. }
                        | Instr::AssertFail { .. } => break *instr,
                    }
                };
                if let Some(t) = self.exec_cold(f, bc, cold)? {
                    return Ok(t);
                }
            }
        }
    }

    /// The frame of a call that `Code::simple_call` says needs no checks: a pooled frame, the
    /// arguments (after `this`) copied into the first registers.
    #[inline(always)]
    fn fast_frame(
        &mut self,
        fun: &Rc<Function>,
        this: Option<&Value>,
        args: &[Value],
        dst: Reg,
    ) -> Box<Frame> {
        let code = &fun.code;
        let mut frame = match self.vm_pool.pop() {
            Some(mut f) => {
                // A simple call's code has no cells of its own: a frame last used by the same
                // code (a recursive function, a method called in a loop) is ready as it is.
                if !Rc::ptr_eq(&f.code, code) {
                    f.reuse(code);
                }
                f
            }
            None => Box::new(Frame::new(code.clone())),
        };
        let mut slots = frame.regs.iter_mut();
        if let Some(this) = this {
            if let Some(slot) = slots.next() {
                slot.put(this.clone());
            }
        }
        for (slot, v) in slots.zip(args) {
            // An int or a bool (most arguments in a hot call) is copied without the clone's
            // match over every variant.
            slot.put(if v.is_plain() { v.copy_plain() } else { v.clone() });
        }
        if !fun.closure.is_empty() {
            frame.cells.extend(fun.closure.iter().cloned());
        }
        // A plain frame needs its function only to find the class it was defined in (a
        // generator's frame keeps it for the collector too: see `vm_frame`). Running, the
        // frame holds its code and its cells, not the function.
        if code.uses_owner {
            frame.func = Some(fun.clone());
        }
        frame.set_ret(Ret::Reg(dst));
        frame
    }

    /// Whether `g` (to be resumed by `for` or `next()`) can run on this loop's stack without
    /// leaving the dispatch loop: not running already, and the depth limit not reached (those
    /// are `run_loop`'s to report).
    #[inline]
    fn can_resume_here(&self, g: &Generator) -> bool {
        g.state.get() != GenState::Running && self.depth < self.opts.max_depth
    }

    /// Moves `g`'s frames on top for `for` or `next()`, as `run_loop` does; what resumes its
    /// innermost frame is returned when that is a native delegate's (else it is applied here).
    #[inline]
    fn resume_here(
        &mut self,
        frames: &mut Vec<Box<Frame>>,
        resumers: &mut Vec<usize>,
        g: Rc<Generator>,
        how: How,
        dst: Reg,
    ) -> Option<Resume> {
        let started = g.state.get() != GenState::Created;
        resumers.push(frames.len());
        self.push_generator(frames, g, how, dst);
        match frames.last_mut() {
            // `None` is sent: the value of the `yield` it stopped at, written straight into
            // that `yield`'s register (`resume_with` for anything else).
            Some(top) if started => {
                // (A generator that `for` or `next()` resumes is not a coroutine, so it never
                // stopped at a fused `await sleep(0)`.)
                debug_assert!(!top.sent_ignored, "a generator marked as stopped at a sleep(0)");
                if std::mem::take(&mut top.none_sent) {
                    return None;
                }
                let at = top.pc.wrapping_sub(1) as usize;
                match top.code.bc.instrs.get(at) {
                    Some(&(Instr::Yield { dst, .. } | Instr::YieldNone { dst })) if !top.native_delegate => {
                        if let Some(r) = top.regs.get_mut(dst as usize) {
                            r.put(Value::None);
                        }
                        None
                    }
                    _ => resume_with(top, Resume::Send(Value::None)),
                }
            }
            _ => None,
        }
    }

    /// A yield of `v` from the top frame, the one frame of a generator resumed by `for` or
    /// `next()` in the frame below: the frame goes back into its generator, `v` into the
    /// resumer's register. `Err(v)` (nothing done) when the frames are not in that shape.
    // (Always inlined: switch.py -1.3%, nothing else moved; `resume_here` inlined as well cost
    // fib +1.6% and the plain loop +2.3%.)
    #[inline(always)]
    fn yield_here(
        &mut self,
        frames: &mut Vec<Box<Frame>>,
        resumers: &mut Vec<usize>,
        v: Value,
    ) -> Result<(), Value> {
        // The resumer's register, kept in the frame's `ret` when it was resumed.
        let dst = match frames.last() {
            Some(top) if frames.len() >= 2 => match top.ret {
                Ret::Resumed(_, How::Iterate | How::Next, dst) => dst,
                _ => return Err(v),
            },
            _ => return Err(v),
        };
        resumers.pop();
        if let Some(mut own) = frames.pop() {
            self.depth -= 1;
            // Its frame must not keep the generator alive (a cycle that no one frees): the
            // generator is taken out of it, not cloned.
            if let Ret::Resumed(g, ..) = std::mem::replace(&mut own.ret, Ret::Native) {
                g.state.set(GenState::Suspended);
                g.vm.push(own);
            }
        }
        if let Some(below) = frames.last_mut() {
            below.regs[dst as usize].put(v);
        }
        Ok(())
    }

    /// A yield that reached the bottom of the loop, with `segment` the frames it took off the
    /// stack (all of them): they go back into the loop's generator, and the scheduler may
    /// begin the next task's step right here (`SchedHooks::switch`), whose coroutine's frames
    /// then take their place, as `vm_resume` would put them there.
    #[inline(always)]
    fn switch_task(
        &mut self,
        frames: &mut Vec<Box<Frame>>,
        switched: &mut Option<Rc<Generator>>,
        segment: Segment,
        v: Value,
    ) -> Switch {
        let Some(g) = switched.as_ref() else { return Switch::Nowhere };
        // Suspended as `resumed` leaves it, with its frames where the scheduler looks for its
        // place.
        g.state.set(GenState::Suspended);
        match segment {
            // The frame moved into the generator's empty cell in place (it is empty while
            // the generator runs), without making a `Frames` to move in whole.
            Segment::One(f) => g.vm.push(f),
            Segment::All(frames) => store_frames(g, frames),
        }
        match (self.sched_hooks.switch)(self, g, v) {
            Ok((next, resume)) => self.enter_next(frames, switched, next, resume),
            Err(v) => Switch::Declined(v),
        }
    }

    /// The bottom frame of the loop returned `v`: when the loop's generator is a task's
    /// coroutine, the scheduler may end the task and begin the next task's step right here
    /// (`SchedHooks::finish`), as `switch_task` does for a yield.
    #[inline(never)]
    fn finish_task(
        &mut self,
        frames: &mut Vec<Box<Frame>>,
        switched: &mut Option<Rc<Generator>>,
        v: Value,
    ) -> Switch {
        let Some(g) = switched.as_ref() else { return Switch::Declined(v) };
        // Done, as `resumed` leaves it.
        g.state.set(GenState::Done);
        match (self.sched_hooks.finish)(self, g, v) {
            Ok((next, resume)) => self.enter_next(frames, switched, next, resume),
            Err(v) => Switch::Declined(v),
        }
    }

    /// Puts the frames of `next`, the coroutine of the task the scheduler switched to, at the
    /// bottom of the loop, as `vm_resume` would put them there.
    #[inline(always)]
    fn enter_next(
        &mut self,
        frames: &mut Vec<Box<Frame>>,
        switched: &mut Option<Rc<Generator>>,
        next: Rc<Generator>,
        resume: Resume,
    ) -> Switch {
        next.used.set(true);
        next.state.set(GenState::Running);
        // One frame (a generator not delegating), the common case: taken out of its cell in
        // place, one move, onto a pooled stack if an await chain took the loop's along.
        if let Some(mut f) = next.vm.pop_single() {
            f.set_ret(Ret::Native);
            self.depth += 1;
            self.push_bottom(frames, f);
            *switched = Some(next);
            return Switch::Went(resume);
        }
        let mut start = next.vm.take();
        if let Some(bottom) = start.first_mut() {
            bottom.set_ret(Ret::Native);
        }
        self.depth += start.len();
        // An await chain that moved out whole comes back whole, and the loop's stack goes
        // back to the pool (as `run_frames` does).
        match start.into_inner() {
            // (Not reached: one frame was taken above.)
            Ok([f]) => self.push_bottom(frames, f),
            Err(start) if frames.is_empty() && start.spilled() => {
                let old = std::mem::replace(frames, start.into_vec());
                if old.capacity() > 0 && self.vm_stacks.len() < 16 {
                    self.vm_stacks.push(old);
                }
            }
            Err(start) => frames.extend(start),
        }
        *switched = Some(next);
        if frames.is_empty() {
            // A suspended coroutine has frames; without them its step is over at once.
            return Switch::Ended;
        }
        Switch::Went(resume)
    }

    /// Pushes the one frame of the task switched to, onto a pooled stack if an await chain
    /// took the loop's along.
    #[inline(always)]
    fn push_bottom(&mut self, frames: &mut Vec<Box<Frame>>, f: Box<Frame>) {
        if frames.capacity() == 0 {
            if let Some(stack) = self.vm_stacks.pop() {
                *frames = stack;
            }
        }
        frames.push(f);
    }

    /// `switch_task` for the one frame at the bottom of the loop, made from the dispatch loop
    /// itself: no return to `run_loop` and no entry into the loop again. `wait`: the yield is a
    /// `Transfer::Wait` into that register, done here as `run_loop` does it. `Ok(None)`: go on
    /// with the top frame, `delegate_input` set as `exec_frame` would set it; `Ok(Some(t))`:
    /// leave the loop with `t`; `Err`: an exception thrown into the new top frame where it
    /// stopped (`exec_frame` raises any error from the loop at the top frame's last
    /// instruction, which is where it stopped), or one of the internal errors that cannot
    /// happen (no frame; no generator at the bottom, which the compiler rules out).
    #[inline(never)]
    fn switch_here(
        &mut self,
        frames: &mut Vec<Box<Frame>>,
        switched: &mut Option<Rc<Generator>>,
        v: Value,
        wait: Option<Reg>,
        delegate_input: &mut Option<Resume>,
    ) -> R<Option<Transfer>> {
        let Some(mut own) = frames.pop() else { return Err(internal_error("no frame to switch from")) };
        if let Some(dst) = wait {
            own.stop_at_fused_sleep(dst);
        }
        self.depth -= 1;
        match self.switch_task(frames, switched, Segment::One(own), v) {
            Switch::Went(resume) => {
                let Some(top) = frames.last_mut() else {
                    return Err(internal_error("no frame to switch to"));
                };
                match resume {
                    // As `exec_frame` raises it where the frame stopped.
                    Resume::Throw(e) if !top.native_delegate => Err(e),
                    r => {
                        *delegate_input = resume_with(top, r);
                        Ok(None)
                    }
                }
            }
            Switch::Declined(v) => Ok(Some(Transfer::Parked(v))),
            Switch::Ended => Ok(Some(Transfer::Ended)),
            Switch::Nowhere => Err(runtime_error("a plain function cannot suspend")),
        }
    }

    /// Pushes the frame of a plain call made by the top frame (the depth limit checked).
    #[inline(always)]
    fn push_call(&mut self, frames: &mut Vec<Box<Frame>>, callee: Box<Frame>) -> R<()> {
        if self.depth >= self.opts.max_depth {
            return Err(recursion_error("maximum recursion depth exceeded"));
        }
        self.depth += 1;
        push_in_room(frames, callee);
        Ok(())
    }

    /// A call from the loop. A plain VM function (or a bound method of one) becomes a frame to
    /// push; anything else is called here.
    fn call_value(
        &mut self,
        fv: &Value,
        pos: &[Value],
        kw: &[(Symbol, Value)],
        dst: Reg,
        span: Span,
    ) -> R<Called> {
        let (fun, this) = match fv {
            Value::Func(fun) => (fun, None),
            // `next(gen)`: the generator's frames run in this loop, as for `for`.
            Value::Builtin(b) if is_next(b) && pos.len() == 1 && kw.is_empty() => match next_resumes(&pos[0])
            {
                Some(g) => return Ok(Called::Push(Transfer::Next(g.clone(), dst))),
                None => return self.call_native(fv, pos, kw, span),
            },
            // Any other built-in function (`len(x)`, `sleep(0)`), called at once.
            Value::Builtin(b) if b.unbound.is_none() => {
                self.current_span = Some(span);
                if !kw.is_empty() && b.is_method {
                    crate::builtins::methods::check_method_kw(self, b, &b.this)?;
                }
                return Ok(Called::Value((b.f)(self, &b.this, pos, kw)?));
            }
            Value::Method(m) => match &m.1 {
                Value::Func(fun) => (fun, Some(&m.0)),
                _ => return self.call_native(fv, pos, kw, span),
            },
            Value::Class(cls) => {
                if let Some(init) = self.plain_init(cls) {
                    // `Point(1, 2)`: the instance is made here and its `__init__` runs on this
                    // stack, like any call (no loop of its own); `Ret::Init` hands the
                    // instance to `dst` when it returns.
                    let inst = Rc::new(Instance::new(cls.clone()));
                    crate::gc::track_instance(&inst);
                    let this = Value::Instance(inst.clone());
                    let mut frame = self.vm_frame(&init, Some(&this), pos, kw)?;
                    frame.ret = Ret::Init(dst, inst);
                    return Ok(Called::Push(Transfer::Call(frame)));
                }
                return self.call_native(fv, pos, kw, span);
            }
            _ => return self.call_native(fv, pos, kw, span),
        };
        self.call_function_from_loop(fun, this, pos, kw, dst, span)
    }

    /// A native method call of a scheduler object into `dst` that the next two instructions
    /// await (`await q.get()` compiles to `CallMethod`, `GetAwaitable dst <- dst`,
    /// `YieldFrom yd <- dst`), done at once when it can complete without waiting: the
    /// `YieldFrom`'s register and the result. The same result and the same error as making
    /// the request and awaiting it, which completes at once too (`Interp::sched_delegate`);
    /// an error is raised at the `YieldFrom`, as there.
    #[inline(never)]
    fn awaited_now(
        &mut self,
        this: &Value,
        name: Symbol,
        args: &[Value],
        bc: &Bytecode,
        pc: u32,
        dst: Reg,
    ) -> Option<(Reg, R<Value>)> {
        if !crate::interp::generators::is_sched(this) {
            return None;
        }
        let yd = awaited_at(&bc.instrs, pc as usize, dst)?;
        (self.sched_hooks.await_now)(self, this, name, args).map(|r| (yd, r))
    }

    /// Whether `o` (a built-in value) has the native method `name`, for `LoadMethod`; found
    /// on a `Native` value, it is remembered for the `CallMethod` that follows (see
    /// `Interp::native_memo`). Out of the dispatch loop, which keeps its registers.
    #[inline(never)]
    fn native_method_found(&mut self, o: &Value, name: Symbol) -> bool {
        match crate::builtins::methods::native_method_cached(self, o, name) {
            Some(m) => {
                if let Value::Native(rc) = o {
                    self.native_memo = (Rc::as_ptr(rc) as usize, name, Some(m));
                }
                true
            }
            None => false,
        }
    }

    /// The native method `name` of `this` for `CallMethod`: the one `LoadMethod` remembered
    /// when it is this `Native` value's, else looked up.
    #[inline(never)]
    fn native_method_again(&mut self, this: &Value, name: Symbol) -> Option<(&'static str, NativeFn)> {
        if let Value::Native(rc) = this {
            // `LoadMethod`'s deque shortcut (`popleft`, `append`) leaves the memo as it was:
            // reached here with other arguments than the quickened call's, such a call looks
            // its method up rather than trust an entry another object may have left.
            let shortcut = matches!(**rc, Native::Deque { .. }) && matches!(name, sym::POPLEFT | sym::APPEND);
            if !shortcut && self.native_memo.0 == Rc::as_ptr(rc) as usize && self.native_memo.1 == name {
                return self.native_memo.2;
            }
        }
        crate::builtins::methods::native_method_cached(self, this, name)
    }

    /// The `__init__` to run on the loop's stack when `cls` is called: a plain user class
    /// (no `__new__`, no built-in base, not an exception: `instantiate` does more for those)
    /// whose `__init__` is a plain function.
    fn plain_init(&self, cls: &Class) -> Option<Rc<Function>> {
        if cls.tag != TypeTag::User
            || cls.is_exception
            || (cls.flags.get() | self.late_class_flags) & (class_flags::NEW | class_flags::BUILTIN) != 0
        {
            return None;
        }
        match cls.lookup(sym::INIT) {
            Some(Value::Func(init)) if init.code.flavor == Flavor::Plain => Some(init),
            _ => None,
        }
    }

    /// A call of a function from the loop: a plain one becomes a frame to push; a generator
    /// or coroutine function makes its object here.
    fn call_function_from_loop(
        &mut self,
        fun: &Rc<Function>,
        this: Option<&Value>,
        pos: &[Value],
        kw: &[(Symbol, Value)],
        dst: Reg,
        span: Span,
    ) -> R<Called> {
        let mut frame = self.vm_frame(fun, this, pos, kw)?;
        match fun.code.flavor {
            Flavor::Plain => {
                frame.ret = Ret::Reg(dst);
                Ok(Called::Push(Transfer::Call(frame)))
            }
            flavor => {
                self.current_span = Some(span);
                Ok(Called::Value(self.vm_generator(frame, flavor == Flavor::Coroutine)))
            }
        }
    }

    /// `LoadMethod` once a built-in value's native method is ruled out: an instance's class
    /// function with the instance, or the attribute's value.
    fn load_method(&mut self, o: Value, name: Symbol) -> R<(Value, Value)> {
        if let Value::Instance(inst) = &o {
            if inst.class.flags.get() & class_flags::GETATTRIBUTE == 0
                && self.late_class_flags & class_flags::GETATTRIBUTE == 0
                && !inst.attrs.borrow().contains_key(&name)
            {
                if let Some(Value::Func(fun)) = inst.class.lookup(name) {
                    return Ok((Value::Func(fun), o));
                }
            }
        }
        Ok((self.getattr(&o, name)?, Value::Unbound))
    }

    fn call_native(&mut self, fv: &Value, pos: &[Value], kw: &[(Symbol, Value)], span: Span) -> R<Called> {
        self.current_span = Some(span);
        Ok(Called::Value(self.call(fv, pos, kw)?))
    }

    /// `class` with a body compiled for the VM: runs the body in a namespace, then builds the
    /// class.
    fn vm_class(
        &mut self,
        name: Symbol,
        bases: Vec<Value>,
        code: Rc<Code>,
        closure: Vec<Rc<RefCell<Value>>>,
    ) -> R<Value> {
        let bases = self.class_bases(bases)?;
        let ns = Rc::new(RefCell::new(new_symmap()));
        ns.borrow_mut().insert(sym::MODULE, Value::str("__main__"));
        ns.borrow_mut().insert(sym::QUALNAME, Value::str(&code.qualname));
        let mut frame = Box::new(Frame::new(code));
        frame.cells.extend(closure);
        frame.ns = Some(ns.clone());
        if self.depth >= self.opts.max_depth {
            return Err(recursion_error("maximum recursion depth exceeded"));
        }
        self.run_frames(smallvec::smallvec![frame], None, None, &mut None)?;
        self.finish_class(name, bases, &ns, &[])
    }
}

/// Puts a suspended generator's frames back into it. Its vector is the empty one
/// `vm_resume` (or `push_generator`) left when taking them: inline and empty, it owns
/// nothing, and is not dropped (a call to the drop glue on every task switch).
#[inline]
fn store_frames(g: &Generator, segment: Frames) {
    let old = g.vm.replace(segment);
    if old.spilled() || !old.is_empty() {
        drop(old);
    } else {
        std::mem::forget(old);
    }
}

/// A bare `raise` outside an except clause: the exception being handled nearest the top of
/// `frames` raised again, as CPython's thread state has it (a helper that re-raises, called
/// from an except clause), else the RuntimeError CPython raises.
#[cold]
fn reraise_below(frames: &[Box<Frame>]) -> Fault {
    match frames.iter().rev().find_map(|fr| fr.handled.last()) {
        Some(h) => Fault::Exc(Box::new(h.again())),
        None => runtime_error("No active exception to reraise"),
    }
}

/// The exception being handled nearest the top of `frames` (in an `except` clause or a
/// `finally` body), as the context of one raised there: its traceback ends in its frame.
#[cold]
fn handled_below(frames: &mut [Box<Frame>]) -> Option<Rc<Exc>> {
    let fr = frames.iter_mut().rev().find(|fr| !fr.handled.is_empty())?;
    let name = fr.code.qualname.clone();
    let h = fr.handled.last_mut()?;
    if h.as_context_memo.is_none() {
        h.as_context_memo = Some(Rc::new(h.as_context(&name)));
    }
    h.as_context_memo.clone()
}

/// Applies what resumes a frame stopped at a `yield` (or just created): the value sent becomes
/// the yield's result. A frame stopped in a native delegate's `YieldFrom` gets it back, to hand
/// to the delegate when that instruction runs again.
#[inline(always)]
fn resume_with(f: &mut Frame, r: Resume) -> Option<Resume> {
    match r {
        Resume::Start => None,
        r if f.native_delegate => Some(r),
        Resume::Send(v) => {
            if std::mem::take(&mut f.none_sent) && v.is_none() {
                // `None` holds nothing: no call to the drop glue.
                std::mem::forget(v);
                f.sent_ignored = false;
                return None;
            }
            // Stopped at a fused `await sleep(0)`: its value is None, whatever was sent.
            let v = if std::mem::take(&mut f.sent_ignored) { Value::None } else { v };
            let at = f.pc.saturating_sub(1) as usize;
            // A `yield`, or an `await` of a scheduler request that waited (see `YieldFrom`).
            if let Some(
                &(Instr::Yield { dst, .. } | Instr::YieldNone { dst } | Instr::YieldFrom { dst, .. }),
            ) = f.code.bc.instrs.get(at)
            {
                f.regs[dst as usize].put(v);
            }
            None
        }
        // Exceptions are raised by `exec_frame`, never applied here (except into a native
        // delegate, above).
        Resume::Throw(_) => None,
    }
}

/// The span where a VM generator's innermost frame stopped (the await a task waits on).
pub fn suspended_span(g: &Generator) -> Option<Span> {
    // SAFETY: the closure only reads the last frame's position.
    unsafe { g.vm.peek(|frames| frames.last().map(|f| f.span())) }
}

/// Whether the innermost frame of a suspended generator stopped in an `await` (`YieldFrom`)
/// that let its delegate go: a scheduler request that had to wait, not a `yield` of the
/// frame's own nor an iterator it delegates to (which keeps the frame on its `YieldFrom`).
pub fn suspended_in_await(g: &Generator) -> bool {
    // SAFETY: the closure only reads the last frame's position and instructions.
    unsafe {
        g.vm.peek(|frames| {
            frames.last().is_some_and(|f| {
                !f.native_delegate
                    && matches!(
                        f.code.bc.instrs.get(f.pc.wrapping_sub(1) as usize),
                        Some(Instr::YieldFrom { .. })
                    )
            })
        })
    }
}

/// Gives an exception the place it was raised at in this frame: the spans of the parts of the
/// failing expression, so its labels land on them (`hint.rs`), and for a NameError the frame's
/// local names for its "Did you mean". On the error path only.
#[cold]
fn locate(x: &mut Exc, f: &Frame, bc: &Bytecode, at: u32, whole: Span) {
    let raised_here = x.tb.is_empty() && x.span.is_none();
    if let Some(p) = bc.parts_at(at) {
        let value = |r: Reg| match part_konst(r) {
            // A small integer constant of `BinK`/`CompareK`.
            Some(k) => Value::Int(k),
            None => f.regs.get(r as usize).cloned().unwrap_or(Value::None),
        };
        let operands: Vec<(Span, Value)> = p.operands.iter().map(|&(s, r)| (s, value(r))).collect();
        let args: Vec<(Span, Value)> = p.args.iter().map(|&(s, r)| (s, value(r))).collect();
        let name = p.name.map(|(s, r)| (s, value(r)));
        let operand_refs: Vec<(Span, &Value)> = operands.iter().map(|(s, v)| (*s, v)).collect();
        let arg_refs: Vec<(Span, &Value)> = args.iter().map(|(s, v)| (*s, v)).collect();
        let parts = crate::hint::Parts {
            whole,
            operands: &operand_refs,
            name: name.as_ref().map(|(s, v)| (*s, v)),
            args: &arg_refs,
        };
        x.locate(&parts);
    } else {
        x.locate(&crate::hint::Parts::whole(whole));
    }
    if let (true, Some(Instr::LoadGlobal { name, .. } | Instr::LoadClassNs { name, .. })) =
        (raised_here, bc.instrs.get(at as usize))
    {
        let n = bc.names[*name as usize];
        let own_cells = &f.code.cell_names[..f.code.n_own_cells.min(f.code.cell_names.len())];
        let locals = f
            .code
            .slot_names
            .iter()
            .chain(own_cells)
            .copied()
            .filter(|s| !s.as_str().starts_with('.'))
            .collect();
        x.hint.get_or_insert_with(Default::default).suggest =
            Some(crate::hint::Suggest::Name { name: n, locals });
    }
}

/// `v.push(x)` with the common case, room to spare, inline: `Vec::push` is out of line in the
/// release build wherever the dispatch loop's size tips the inliner (a call's frame pushed
/// through it cost fib 19 instructions a call).
#[inline(always)]
fn push_in_room<T>(v: &mut Vec<T>, x: T) {
    let len = v.len();
    match v.spare_capacity_mut().first_mut() {
        Some(slot) => {
            slot.write(x);
            // SAFETY: the element at `len`, within the capacity, was just written.
            unsafe { v.set_len(len + 1) }
        }
        None => v.push(x),
    }
}

/// Whether `b` is the built-in function `next`.
#[inline(always)]
fn is_next(b: &Builtin) -> bool {
    b.name == "next" && !b.is_method
}

/// The generator `next(v)` runs on the loop's stack (as `for` does): a plain generator, not a
/// coroutine or an async generator, not finished. Anything else is `next`'s native call.
#[inline(always)]
fn next_resumes(v: &Value) -> Option<&Rc<Generator>> {
    match v {
        Value::Gen(g) if g.iterates() && g.state.get() != GenState::Done => Some(g),
        _ => None,
    }
}
