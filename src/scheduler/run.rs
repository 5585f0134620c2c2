//! Running the scheduler: a task's step and end, callbacks, the pass loop over the ready queue
//! and the timers, the REPL's per-input run, and the task table used by deadlock reports,
//! Ctrl-C and `--trace`.

use super::*;

impl Interp {
    /// The span of the innermost suspension point of a task's await chain.
    fn wait_span(coro: &Value) -> Option<Span> {
        let mut cur = coro.clone();
        let mut span = None;
        for _ in 0..10_000 {
            let Value::Gen(g) = &cur else { break };
            let frame = g.frame.borrow();
            let Some(f) = frame.as_ref() else { break };
            span = Some(f.span());
            let next = match f.code.ops.get(f.pc) {
                Some(crate::code::Op::YieldFrom { iter, .. }) => f.slots[*iter as usize].clone(),
                _ => break,
            };
            drop(frame);
            cur = next;
        }
        span
    }

    /// Runs one step of a task.
    fn step_task(&mut self, t: Rc<Task>) -> R<()> {
        if t.state.get() != TaskState::Ready {
            return Ok(());
        }
        let Value::Gen(g) = &t.coro else { return Ok(()) };
        let g = g.clone();
        let mut resume = t.resume.borrow_mut().take().unwrap_or(Resume::Send(Value::None));
        t.handoff.borrow_mut().take();
        t.state.set(TaskState::Running);
        self.sched.current = Some(t.clone());
        if self.opts.trace {
            let name = t.name.borrow().clone();
            self.trace("run", &name, "");
        }
        let result = loop {
            let r = self.gen_resume(&g, resume);
            match r {
                Ok(Outcome::Yield(v)) => {
                    if t.cancel_requested.replace(false) {
                        resume = Resume::Throw(raise_value(new_exception(&self.t.cancelled, vec![])));
                        continue;
                    }
                    // A generator-style task may `yield request` directly: complete it at once if
                    // possible, without switching.
                    if is_request(&v) {
                        match self.try_now(&v) {
                            Some(Ok(x)) => {
                                resume = Resume::Send(x);
                                continue;
                            }
                            Some(Err(e)) => {
                                resume = Resume::Throw(e);
                                continue;
                            }
                            None => {}
                        }
                    }
                    let span = Self::wait_span(&t.coro).unwrap_or_default();
                    self.register_wait(&t, &v, span);
                    break Ok(());
                }
                Ok(Outcome::Return(v)) => {
                    // Cancelled while running and returned without waiting again: cancelled,
                    // as in asyncio.
                    let end = if t.cancel_requested.replace(false) {
                        TaskEnd::Cancelled
                    } else {
                        TaskEnd::Returned(v)
                    };
                    break self.finish(&t, end);
                }
                Err(Fault::Exc(x)) => {
                    let end = if let Value::Instance(i) = &x.value {
                        if i.class.is_subclass(&self.t.cancelled) {
                            TaskEnd::Cancelled
                        } else {
                            TaskEnd::Failed(x)
                        }
                    } else {
                        TaskEnd::Failed(x)
                    };
                    break self.finish(&t, end);
                }
                Err(e) => break Err(e),
            }
        };
        self.sched.current = None;
        result
    }

    /// A task ended: wake its joiners; a failure nobody can retrieve stops the program.
    fn finish(&mut self, t: &Rc<Task>, end: TaskEnd) -> R<()> {
        t.state.set(TaskState::Done);
        if self.opts.trace {
            let name = t.name.borrow().clone();
            let what = match &end {
                TaskEnd::Returned(_) => "finish",
                TaskEnd::Failed(_) => "fail",
                TaskEnd::Cancelled => "cancel",
            };
            self.trace(what, &name, if what == "cancel" { "ended by CancelledError" } else { "" });
        }
        let failed = matches!(end, TaskEnd::Failed(_));
        *t.end.borrow_mut() = Some(end);
        self.sched.tasks.remove(&t.id);
        let joiners: Vec<Rc<Task>> = t.joiners.borrow_mut().drain(..).collect();
        for j in joiners {
            let r = match self.join_result(t) {
                Ok(v) => Resume::Send(v),
                Err(e) => Resume::Throw(e),
            };
            self.make_ready(&j, r);
        }
        if failed && !t.retrieved.get() {
            if t.handle.borrow().upgrade().is_none() {
                return Err(self.task_failure(t));
            }
            self.sched.failed.push(t.clone());
        }
        Ok(())
    }

    /// The fault that stops the program for a task's unretrieved exception.
    fn task_failure(&self, t: &Rc<Task>) -> Fault {
        let end = t.end.borrow();
        let Some(TaskEnd::Failed(x)) = &*end else { return runtime_error("task failed") };
        let exc = Box::new(Exc { span: x.span, ..x.again() });
        if t.is_main.get() {
            return Fault::Exc(exc);
        }
        Fault::TaskFailed(Box::new(TaskFailure {
            exc,
            task: t.name.borrow().clone(),
            spawned_at: t.spawned_at,
        }))
    }

    fn run_callback(&mut self, h: Rc<HandleObj>) -> R<()> {
        if h.cancelled.get() {
            return Ok(());
        }
        if self.opts.trace {
            let name = match &h.func {
                Value::Func(f) => f.code.qualname.to_string(),
                Value::Builtin(b) => b.name.to_string(),
                _ => "callback".into(),
            };
            self.trace("call", &name, "");
        }
        match self.call(&h.func, &h.args, &[]) {
            Ok(_) => Ok(()),
            Err(Fault::Exc(x)) => Err(Fault::TaskFailed(Box::new(TaskFailure {
                exc: x,
                task: "callback".into(),
                spawned_at: h.scheduled_at,
            }))),
            Err(e) => Err(e),
        }
    }

    /// Every unfinished task and what it waits on.
    pub fn blocked_tasks(&self) -> Vec<BlockedTask> {
        self.sched
            .tasks
            .values()
            .map(|t| {
                let (what, span) = match &*t.wait.borrow() {
                    Some((r, span)) => (describe(r), *span),
                    None => (
                        match t.state.get() {
                            TaskState::Ready => "ready to run".to_string(),
                            TaskState::Running => "running".to_string(),
                            _ => "waiting".to_string(),
                        },
                        Self::wait_span(&t.coro).unwrap_or(t.spawned_at),
                    ),
                };
                BlockedTask { name: t.name.borrow().clone(), what, span }
            })
            .collect()
    }

    /// The scheduler loop (rule 2 of the scheduler issue).
    pub fn run_scheduler(&mut self) -> R<()> {
        loop {
            // A failed task whose handle the program dropped can no longer be joined.
            if let Some(i) = self
                .sched
                .failed
                .iter()
                .position(|t| !t.retrieved.get() && t.handle.borrow().upgrade().is_none())
            {
                let t = self.sched.failed.remove(i);
                return Err(self.task_failure(&t));
            }
            self.sched.failed.retain(|t| !t.retrieved.get());
            // `:step` used up its steps: stop before waiting for the next timer.
            if self.sched.step_budget == Some(0) {
                return Ok(());
            }
            if self.sched.ready.is_empty() {
                // Drop dead timers first, so a deadlock is seen.
                while let Some(top) = self.sched.timers.peek() {
                    let dead = match &top.kind {
                        TimerKind::Wake(t, token) => {
                            t.token.get() != *token || t.state.get() == TaskState::Done
                        }
                        TimerKind::Callback(h) => h.cancelled.get(),
                    };
                    if dead {
                        self.sched.timers.pop();
                    } else {
                        break;
                    }
                }
                let Some(deadline) = self.sched.timers.peek().map(|t| t.deadline) else {
                    if !self.sched.tasks.is_empty() && !self.sched.interactive {
                        return Err(Fault::Deadlock(Box::new(self.blocked_tasks())));
                    }
                    break;
                };
                let wait = deadline - self.now();
                if wait > 0.0 {
                    self.sleep_clock(wait)?;
                }
                if self.opts.virtual_time && self.vclock < deadline {
                    self.vclock = deadline;
                }
            }
            let now = self.now();
            while self.sched.timers.peek().is_some_and(|t| t.deadline <= now) {
                let Some(timer) = self.sched.timers.pop() else { break };
                match timer.kind {
                    TimerKind::Wake(t, token) => {
                        if t.token.get() == token && t.state.get() == TaskState::Sleeping {
                            if self.opts.trace {
                                let name = t.name.borrow().clone();
                                self.trace("timer", &name, "sleep is over");
                            }
                            *t.wait.borrow_mut() = None;
                            t.state.set(TaskState::Ready);
                            *t.resume.borrow_mut() = Some(Resume::Send(Value::None));
                            self.sched.ready.push_back(Entry::Step(t));
                        }
                    }
                    TimerKind::Callback(h) => {
                        if !h.cancelled.get() {
                            self.sched.ready.push_back(Entry::Callback(h));
                        }
                    }
                }
            }
            let n = self.sched.ready.len();
            for _ in 0..n {
                if let Some(b) = &mut self.sched.step_budget {
                    if *b == 0 {
                        return Ok(());
                    }
                    *b -= 1;
                }
                let Some(e) = self.sched.ready.pop_front() else { break };
                match e {
                    Entry::Step(t) => {
                        if self.sched.step_budget.is_some() {
                            self.last_step = Some((t.name.borrow().clone(), t.clone()));
                        }
                        self.step_task(t)?;
                    }
                    Entry::Callback(h) => self.run_callback(h)?,
                }
            }
        }
        // The run ended with a failure nobody retrieved.
        if !self.sched.interactive {
            if let Some(t) = self.sched.failed.iter().find(|t| !t.retrieved.get()).cloned() {
                return Err(self.task_failure(&t));
            }
        }
        Ok(())
    }

    /// The REPL: runs one input as a new `main` task, then the scheduler until nothing can run.
    /// Ok(true) when the input's task finished; Ok(false) when it is left blocked.
    pub fn run_input(&mut self, code: Rc<crate::code::Code>) -> R<bool> {
        self.sched.interactive = true;
        let frame = Frame::new(code);
        let coro = self.new_generator(frame, true);
        let main = self.spawn_task(coro, "main".into(), Span::default());
        main.is_main.set(true);
        let r = self.run_scheduler();
        if matches!(r, Err(Fault::Interrupted(_))) {
            self.sched.interrupted_input = Some(main.clone());
        }
        r?;
        Ok(main.state.get() == TaskState::Done)
    }

    /// What each ready, sleeping or waiting task is doing, for `:tasks`.
    pub fn task_table(&self) -> Vec<(String, String, Span)> {
        self.sched
            .tasks
            .values()
            .map(|t| {
                let state = match (t.state.get(), &*t.wait.borrow()) {
                    (TaskState::Sleeping, Some((Request::Sleep(d), _))) => {
                        let _ = d;
                        format!("sleeping until {:.3}", self.timer_of(t).unwrap_or(0.0))
                    }
                    (_, Some((r, _))) => format!("waiting: {}", describe(r)),
                    (TaskState::Ready, _) => "ready".to_string(),
                    (TaskState::Running, _) => "running".to_string(),
                    _ => "waiting".to_string(),
                };
                (t.name.borrow().clone(), state, Self::task_span(t))
            })
            .collect()
    }

    fn timer_of(&self, t: &Rc<Task>) -> Option<f64> {
        self.sched.timers.iter().find_map(|tm| match &tm.kind {
            TimerKind::Wake(x, token) if Rc::ptr_eq(x, t) && *token == t.token.get() => Some(tm.deadline),
            _ => None,
        })
    }

    /// Where a task stopped (for `:step`): its state and the span of its wait point.
    pub fn task_position(&self, t: &Rc<Task>) -> (String, Span) {
        let state = match (t.state.get(), &*t.wait.borrow()) {
            (TaskState::Done, _) => "finished".to_string(),
            (_, Some((r, _))) => describe(r),
            (TaskState::Ready, _) => "gave the turn away".to_string(),
            _ => "waiting".to_string(),
        };
        (state, Self::task_span(t))
    }

    /// Where a task is: its recorded wait point, else where its frames stopped, else its spawn.
    fn task_span(t: &Rc<Task>) -> Span {
        t.wait.borrow().as_ref().map(|w| w.1).or_else(|| Self::wait_span(&t.coro)).unwrap_or(t.spawned_at)
    }

    /// After Ctrl-C at the prompt: the task that was running cannot go on (its frame is gone),
    /// and the interrupted input is abandoned even if its task was sleeping or waiting.
    pub fn drop_interrupted_tasks(&mut self) {
        let dead: Vec<u64> = self
            .sched
            .tasks
            .values()
            .filter(|t| matches!(&t.coro, Value::Gen(g) if g.state.get() == GenState::Done))
            .map(|t| t.id)
            .collect();
        for id in dead {
            if let Some(t) = self.sched.tasks.remove(&id) {
                t.state.set(TaskState::Done);
                *t.end.borrow_mut() = Some(TaskEnd::Cancelled);
            }
        }
        if let Some(main) = self.sched.interrupted_input.take() {
            if main.state.get() != TaskState::Done {
                self.cancel_task(&main);
                let _ = self.finish(&main, TaskEnd::Cancelled);
            }
        }
        self.sched.current = None;
    }

    /// Forgets every task, timer and callback (`:reset`).
    pub fn reset_scheduler(&mut self) {
        let interactive = self.sched.interactive;
        self.sched = Scheduler { interactive, ..Default::default() };
    }
}

/// Runs the main program as task `main`, then the scheduler until nothing is left.
pub fn run_main(it: &mut Interp, code: Rc<crate::code::Code>) -> R<()> {
    let frame = Frame::new(code);
    let coro = it.new_generator(frame, true);
    let main = it.spawn_task(coro, "main".into(), Span::default());
    main.is_main.set(true);
    it.run_scheduler()
}
