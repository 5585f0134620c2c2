//! Running the scheduler: a task's step and end, callbacks, the pass loop over the ready queue
//! and the timers, the REPL's per-input run, and the task table used by deadlock reports,
//! Ctrl-C and `--trace`.

use super::*;

/// How many ended tasks the REPL's `:tasks` remembers.
const RECENT: usize = 8;

/// A row of the REPL's `:tasks`.
pub struct TaskRow {
    /// "task", "callback" (ready to run), "timer" (a callback not yet due) or "ended".
    pub section: &'static str,
    pub name: String,
    pub state: String,
    pub span: Option<Span>,
}

/// Seconds for people: `0.8`, `12.5`, never `-0.0`.
/// Whether the value a task yielded is the request its `await` already tried (`tried_now`).
#[inline(always)]
fn was_tried(tried: Option<&Value>, v: &Value) -> bool {
    match (tried, v) {
        // A request (the usual case): the same object, without `Value::is`.
        (Some(Value::Native(a)), Value::Native(b)) => Rc::ptr_eq(a, b),
        (Some(r), v) => r.is(v),
        (None, _) => false,
    }
}

fn seconds(d: f64) -> String {
    format!("{:.1}", d.max(0.0))
}

/// How far `run_until` runs the scheduler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunUntil {
    /// Until no task, timer or callback is left (a program; an input of the piped REPL or of
    /// `repl --virtual-time`).
    Idle,
    /// Until the REPL input's task (`Scheduler::foreground`) ends, or nothing can run.
    Foreground,
    /// Only what is due now, without waiting for timers (the REPL while its prompt waits).
    NothingDue,
}

impl Interp {
    /// `--trace`: where a step resumes the task and with what (`starts`, `at line 9 with 3`,
    /// `at line 9, CancelledError thrown in`).
    fn resume_detail(&mut self, g: &Rc<Generator>, resume: &Resume) -> String {
        if g.state.get() == GenState::Created || matches!(resume, Resume::Start) {
            return "starts".to_string();
        }
        let at = match crate::vm::suspended_span(g) {
            Some(span) => format!("at {}", self.line_of(span)),
            None => "where it stopped".to_string(),
        };
        match resume {
            Resume::Send(v) => format!("{} with {}", at, self.short_repr(v)),
            Resume::Throw(Fault::Exc(e)) => {
                format!("{}, {} thrown in", at, self.type_name(&e.value))
            }
            _ => at,
        }
    }

    /// A value as a trace shows it: plain values by their repr (up to 40 characters), others
    /// by their type (a trace runs no user code).
    pub(super) fn short_repr(&mut self, v: &Value) -> String {
        let plain = |v: &Value| {
            matches!(
                v,
                Value::None
                    | Value::Bool(_)
                    | Value::Int(_)
                    | Value::BigInt(_)
                    | Value::Float(_)
                    | Value::Str(_)
            )
        };
        let shown = match v {
            Value::Tuple(items) if items.iter().all(plain) => self.repr(v).ok(),
            v if plain(v) => self.repr(v).ok(),
            _ => None,
        };
        match shown {
            Some(s) if s.chars().count() > 40 => format!("{}…", s.chars().take(39).collect::<String>()),
            Some(s) => s,
            None => format!("a {} object", self.type_name(v)),
        }
    }

    /// `--trace`: a separator before each scheduler pass, with what is ready in order.
    fn trace_pass(&mut self, now: i64) {
        self.sched.passes += 1;
        let names: Vec<String> = self
            .sched
            .ready
            .iter()
            .take(8)
            .map(|e| match e {
                Entry::Step(t) => t.name(),
                Entry::Callback(h) => format!("callback {}", h.name()),
            })
            .collect();
        let more = self.sched.ready.len().saturating_sub(names.len());
        let more = if more > 0 { format!(" … and {} more", more) } else { String::new() };
        let _ = self.flush();
        use std::io::Write;
        let line = format!(
            "── pass {} @{:.3}  ready: {}{} ──",
            self.sched.passes,
            now as f64 / 1e9,
            names.join(", "),
            more
        );
        let _ = writeln!(std::io::stderr().lock(), "{}", line);
    }

    /// Runs one step of a task (and, when its coroutine's loop switches to the next ready
    /// task without leaving, see `switch_in_loop`, the steps of those after it).
    fn step_task(&mut self, t: Rc<Task>) -> R<()> {
        if t.state.get() != TaskState::Ready {
            return Ok(());
        }
        let mut t = t;
        let mut g = t.coro.clone();
        let mut resume = t.take_resume().unwrap_or(Resume::Send(Value::None));
        // A request tried at an await belongs to the step that tried it.
        self.sched.tried_now = None;
        // Current first: a putter the received item makes room for was woken by this task.
        self.sched.current = Some(t.clone());
        self.item_received(&t);
        t.state.set(TaskState::Running);
        if self.opts.observe {
            self.mark(&t, super::timeline::Mark::Running);
            if self.detailed() {
                let detail = self.resume_detail(&g, &resume);
                self.note(&detail);
                if self.opts.trace {
                    let name = t.name();
                    self.trace("run", &name, &detail);
                }
            }
        }
        let result = loop {
            // Not held across the resume: a task that ends inside the VM's loop
            // (`finish_in_loop`), which then goes on into other tasks' steps, is freed there
            // with what it returned, as `finish` would free it here.
            drop(t);
            let r = self.gen_resume(&g, resume);
            // The loop may have gone on into other tasks' steps: what it returns is the
            // running task's.
            let Some(c) = self.sched.current.clone() else {
                break Err(internal_error("a task's step lost its task"));
            };
            t = c;
            if !Rc::ptr_eq(&g, &t.coro) {
                g = t.coro.clone();
            }
            match r {
                Ok(Outcome::Yield(v)) => {
                    // Decided once: a request its `await` already tried goes straight to the
                    // wait lists.
                    let tried = was_tried(self.sched.tried_now.take().as_ref(), &v);
                    if t.cancel_requested.replace(false) {
                        resume = Resume::Throw(raise_value(new_exception(&self.t.cancelled, vec![])));
                        continue;
                    }
                    // A generator-style task may `yield request` directly: complete it at once if
                    // possible, without switching.
                    if !tried && is_request(&v) {
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
                    self.register_wait(&t, &v);
                    // The frame let the request go (see the VM's `YieldFrom`): unless the
                    // program holds it too, it goes back to the pool while the task waits.
                    if matches!(v, Value::Native(_)) {
                        self.recycle_request(v);
                    }
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
                Err(Fault::Exc(x))
                    if t.is_main.get()
                        && !self.sched.interactive
                        && matches!(&x.value, Value::Instance(i) if i.class.is_subclass(&self.t.cancelled)) =>
                {
                    // A cancelled main program ends the run with its CancelledError (exit 1), as
                    // asyncio.run() raises it, with the traceback of where it was cancelled.
                    let _ = self.finish(&t, TaskEnd::Cancelled);
                    break Err(Fault::Exc(x));
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

    /// `SchedHooks::switch`: the running task's coroutine `g` yielded `v` at the bottom of
    /// the loop its step entered. When nothing but what `step_task` and `run_until` do
    /// anyway would happen next — the task waits (or gives the turn away) on what its await
    /// already tried, or on a bare `yield`, and the next entry of this pass is a ready task
    /// whose coroutine is suspended or not started — this ends the one step and begins the
    /// next exactly as they would, and returns the next task's coroutine and what to resume
    /// it with: the switch then costs no return from the VM's loop and no entry into it.
    /// Anything else (a cancellation to deliver, a request to try, a callback next, the end
    /// of the pass, `--trace`/`--timeline`, `:step`, any generator other than the running
    /// task's coroutine) gives `v` back, and the loop returns as usual.
    pub(crate) fn switch_in_loop(
        &mut self,
        g: &Rc<Generator>,
        v: Value,
    ) -> Result<(Rc<Generator>, Resume), Value> {
        // (`halt` needs no look: `finish` sets it as a step ends, and `run_until` returns
        // before the next.)
        // (The cases that leave the switch to `run_until` are the rare ones: `cold_path`.)
        if self.sched.pass_left == 0 || self.opts.observe || self.sched.step_budget.is_some() {
            std::hint::cold_path();
            return Err(v);
        }
        let Some(t) = &self.sched.current else { return Err(v) };
        // Only the loop `step_task` entered for its task (not one a native call inside it
        // entered for some other generator).
        if !Rc::ptr_eq(&t.coro, g) || t.cancel_requested.get() {
            std::hint::cold_path();
            return Err(v);
        }
        let tried = was_tried(self.sched.tried_now.as_ref(), &v);
        if !tried && is_request(&v) {
            std::hint::cold_path();
            return Err(v);
        }
        let Some((next, created)) = self.next_in_pass() else {
            std::hint::cold_path();
            return Err(v);
        };
        // The end of this task's step, as `step_task` ends it (`register_wait`; a bare
        // `yield` and `sleep(0)` give the turn away, here without the call).
        self.sched.tried_now = None;
        // A bare `yield` or a `sleep(0)` (which yields `None`: see `sched_delegate`) gives the
        // turn away. A request here is the one its `await` tried (any other declined above),
        // which never is a `sleep(0)`.
        let turn_away = sched_of(&v).is_none();
        if let Some(t) = self.sched.current.take() {
            if turn_away {
                // Its slot stays `Idle`, as it is while the task runs: a ready task's next
                // step sends `None` when the slot holds nothing to send.
                debug_assert!(t.slot_is_idle());
                t.state.set(TaskState::Ready);
                self.sched.ready.push_back(Entry::Step(t));
            } else {
                self.register_wait(&t, &v);
            }
        }
        match v {
            Value::Native(_) => self.recycle_request(v),
            // Holds nothing: no call to the drop glue on every switch.
            v if v.is_plain() => std::mem::forget(v),
            v => drop(v),
        }
        Ok(self.begin_next(next, created))
    }

    /// The task a step ending in the VM's loop goes on to (`switch_in_loop`,
    /// `finish_in_loop`), taken off the ready queue, and whether its coroutine starts: the
    /// next entry of this pass when it is a ready task whose coroutine is started (sent
    /// nothing) or resumed as `gen_resume` would; one that would refuse (a throw into a
    /// coroutine not started ends it at once), and anything else, is left to `run_until`.
    #[inline(always)]
    fn next_in_pass(&mut self) -> Option<(Rc<Task>, bool)> {
        self.sched.ready.pop_step_with(|next| match next.state.get() {
            TaskState::Ready => match next.coro.state.get() {
                GenState::Suspended => Some(false),
                GenState::Created if next.resumes_with_none() => Some(true),
                _ => None,
            },
            _ => None,
        })
    }

    /// Begins `next`'s step as `run_until` takes the entry and `step_task` begins it: its
    /// coroutine, and what to resume it with.
    #[inline(always)]
    fn begin_next(&mut self, next: Rc<Task>, created: bool) -> (Rc<Generator>, Resume) {
        self.sched.pass_left -= 1;
        self.sched.entries_run += 1;
        let resume = if created {
            next.set_slot(Slot::Idle);
            Resume::Start
        } else {
            next.take_resume().unwrap_or_else(|| Resume::Send(Value::None))
        };
        let coro = next.coro.clone();
        // Current first, as in `step_task`.
        let rare = next.has_extra().then(|| next.clone());
        self.sched.current = Some(next);
        if let Some(next) = rare {
            self.item_received(&next);
        }
        if let Some(next) = &self.sched.current {
            next.state.set(TaskState::Running);
        }
        (coro, resume)
    }

    /// `SchedHooks::finish`: the running task's coroutine `g` returned `v` at the bottom of
    /// the loop its step entered (its state is already `Done`). When its end needs nothing
    /// but what `step_task`'s `finish` does for any task that returns — not the main
    /// program, not in the REPL, not cancelled meanwhile, nothing watching — and the next
    /// entry of this pass is a task `switch_in_loop` would switch to, this ends the task and
    /// begins the next one's step right there, as a yield's switch does. Anything else gives
    /// `v` back: the loop returns it as usual.
    pub(crate) fn finish_in_loop(
        &mut self,
        g: &Rc<Generator>,
        v: Value,
    ) -> Result<(Rc<Generator>, Resume), Value> {
        if self.sched.pass_left == 0
            || self.opts.observe
            || self.sched.step_budget.is_some()
            || self.sched.interactive
        {
            return Err(v);
        }
        let Some(t) = &self.sched.current else { return Err(v) };
        if !Rc::ptr_eq(&t.coro, g) || t.cancel_requested.get() || t.is_main.get() {
            return Err(v);
        }
        let Some((next, created)) = self.next_in_pass() else { return Err(v) };
        self.sched.tried_now = None;
        if let Some(t) = self.sched.current.take() {
            // `finish` for a task other than the main program that returned, outside the
            // REPL, with nothing watching: all it does.
            t.state.set(TaskState::Done);
            t.set_slot(Slot::End(TaskEnd::Returned(v)));
            self.sched.tasks.remove(&t);
            self.wake_joiners(&t);
        }
        Ok(self.begin_next(next, created))
    }

    fn is_system_exit(&self, v: &Value) -> bool {
        matches!(v, Value::Instance(i) if i.class.is_subclass(&self.t.system_exit))
    }

    /// A task ended: wake its joiners; a failure nobody can retrieve stops the program.
    fn finish(&mut self, t: &Rc<Task>, end: TaskEnd) -> R<()> {
        t.state.set(TaskState::Done);
        if self.opts.observe {
            let m = match &end {
                TaskEnd::Returned(_) => super::timeline::Mark::Finished,
                TaskEnd::Failed(_) => super::timeline::Mark::Failed,
                TaskEnd::Cancelled => super::timeline::Mark::Cancelled,
            };
            self.mark(t, m);
            if self.opts.trace {
                let name = t.name();
                let what = match &end {
                    TaskEnd::Returned(_) => "finish",
                    TaskEnd::Failed(_) => "fail",
                    TaskEnd::Cancelled => "cancelled",
                };
                self.trace(what, &name, if what == "cancelled" { "ended by CancelledError" } else { "" });
            }
        }
        let failed = matches!(end, TaskEnd::Failed(_));
        let cancelled = matches!(end, TaskEnd::Cancelled);
        // `sys.exit()` in any task ends the program with its status, as asyncio re-raises
        // SystemExit out of the event loop (the REPL reports it like any failure).
        let exit = match &end {
            TaskEnd::Failed(x) if !self.sched.interactive && self.is_system_exit(&x.value) => {
                Some(Fault::Exc(Box::new(x.again())))
            }
            _ => None,
        };
        t.set_slot(Slot::End(end));
        if let Some(e) = exit {
            self.sched.tasks.remove(t);
            t.retrieved.set(true);
            return Err(e);
        }
        self.sched.tasks.remove(t);
        // The main program's exception stops the program at once, whoever holds its handle
        // (a REPL input's is reported and the session goes on).
        if t.is_main.get() && !self.sched.interactive {
            if failed {
                t.retrieved.set(true);
                return Err(self.task_failure(t));
            }
            if cancelled {
                return Err(raise_value(new_exception(&self.t.cancelled, vec![])));
            }
        }
        if self.sched.interactive {
            if self.sched.foreground.as_ref().is_some_and(|f| Rc::ptr_eq(f, t)) {
                self.sched.halt = true;
            }
            // An input that simply finished is not worth listing.
            if !(t.is_main.get() && t.end_kind() == Some(EndKind::Returned)) {
                if self.sched.recent.len() == RECENT {
                    self.sched.recent.pop_front();
                }
                self.sched.recent.push_back(t.clone());
            }
        }
        self.wake_joiners(t);
        if failed && !t.retrieved.get() && t.pending_joiners() == 0 {
            if !t.has_handle() {
                // Reported now: an input's failure as its traceback, a task's as a failure
                // nobody can join.
                t.retrieved.set(true);
                return Err(self.task_failure(t));
            }
            self.sched.failed.push(t.clone());
            if self.sched.interactive {
                self.sched.announce.push(t.clone());
            }
        }
        Ok(())
    }

    /// A task ended: its joiners are made ready with its result, its exception or a
    /// CancelledError.
    fn wake_joiners(&mut self, t: &Rc<Task>) {
        // (Most tasks have no extra part, and no joiners: nothing to collect then.)
        let joiners = match t.take_extra(|e| (!e.joiners.is_empty()).then(|| std::mem::take(&mut e.joiners)))
        {
            Some(js) => drain_live(js),
            None => return,
        };
        for j in joiners {
            let r = match t.end_kind() {
                Some(EndKind::Returned) => Resume::Send(t.returned().unwrap_or(Value::None)),
                // Retrieved when the joiner runs and receives it (`item_received`), not now:
                // a joiner cancelled before it runs never sees it.
                Some(EndKind::Failed) => match t.failure() {
                    Some(x) => {
                        j.with_extra(|e| e.join_of = Some(t.clone()));
                        t.with_extra(|e| e.pending_joiners += 1);
                        Resume::Throw(Fault::Exc(Box::new(Exc { span: None, ..x })))
                    }
                    None => Resume::Throw(runtime_error("task failed")),
                },
                _ => Resume::Throw(raise_value(new_exception(&self.t.cancelled, vec![]))),
            };
            self.make_ready(&j, r, super::Why::Joined(t));
        }
    }

    /// The failures no one has retrieved (tasks kept but never joined), each as the fault that
    /// reports it: shown before a deadlock report, which they may well explain.
    pub fn unretrieved_failures(&mut self) -> Vec<Fault> {
        let failed: Vec<Rc<Task>> =
            self.sched.failed.iter().filter(|t| !t.retrieved.get()).cloned().collect();
        failed
            .iter()
            .map(|t| {
                t.retrieved.set(true);
                self.task_failure(t)
            })
            .collect()
    }

    /// The fault that stops the program for a task's unretrieved exception.
    fn task_failure(&self, t: &Rc<Task>) -> Fault {
        let Some(x) = t.failure() else { return runtime_error("task failed") };
        let exc = Box::new(x);
        if t.is_main.get() {
            return Fault::Exc(exc);
        }
        Fault::TaskFailed(Box::new(TaskFailure { exc, task: t.name(), spawned_at: t.spawned_at() }))
    }

    fn run_callback(&mut self, h: Rc<HandleObj>) -> R<()> {
        if h.cancelled.get() {
            return Ok(());
        }
        if self.opts.trace {
            self.trace("call", &h.name(), "");
        }
        self.sched.current_callback = Some(h.clone());
        let r = self.call(&h.func, &h.args, &[]);
        self.sched.current_callback = None;
        match r {
            Ok(_) => Ok(()),
            // `sys.exit()` in a callback ends the program, as in asyncio.
            Err(Fault::Exc(x)) if !self.sched.interactive && self.is_system_exit(&x.value) => {
                Err(Fault::Exc(x))
            }
            Err(Fault::Exc(x)) => Err(Fault::TaskFailed(Box::new(TaskFailure {
                exc: x,
                task: "callback".into(),
                spawned_at: h.scheduled_at,
            }))),
            Err(e) => Err(e),
        }
    }

    /// The unfinished tasks in the order they were spawned.
    fn tasks_in_order(&self) -> Vec<&Rc<Task>> {
        let mut v: Vec<&Rc<Task>> = self.sched.tasks.iter().collect();
        v.sort_unstable_by_key(|t| t.id());
        v
    }

    /// Every unfinished task and what it waits on.
    pub fn blocked_tasks(&self) -> Vec<BlockedTask> {
        self.tasks_in_order()
            .into_iter()
            .map(|t| {
                let (object, joins) = match t.wait().as_ref() {
                    Some(r) => waits_on(r),
                    None => (None, None),
                };
                let (what, span) = match (t.wait().as_ref(), t.wait_span()) {
                    (Some(r), Some(span)) => (describe(r), span),
                    _ => (
                        match t.state.get() {
                            TaskState::Ready => "ready to run".to_string(),
                            TaskState::Running => "running".to_string(),
                            _ => "waiting".to_string(),
                        },
                        crate::vm::suspended_span(&t.coro).unwrap_or(t.spawned_at()),
                    ),
                };
                BlockedTask {
                    id: t.id(),
                    is_main: t.is_main.get(),
                    name: t.name(),
                    what,
                    span,
                    object,
                    joins,
                }
            })
            .collect()
    }

    /// With the virtual clock, tasks that poll (`while not done: await sleep(0)`) while a timer
    /// waits keep the clock where it is forever: the timer never comes. After
    /// `POLLING_PASSES` passes in a row at one virtual time with timers pending, say so once
    /// on stderr instead of hanging silently.
    fn note_polling(&mut self, now: i64) {
        if !self.opts.virtual_time || self.sched.polling_noted {
            return;
        }
        if self.sched.timers.is_empty() || now != self.sched.stalled_at {
            self.sched.stalled_at = now;
            self.sched.stalled_passes = 0;
            return;
        }
        self.sched.stalled_passes += 1;
        if self.sched.stalled_passes >= POLLING_PASSES {
            self.sched.polling_noted = true;
            let _ = self.flush();
            // A note that cannot be written is dropped (`eprintln!` would panic).
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "tinyasync: note: {} scheduler passes at virtual time {} while timers are pending: \
                 the virtual clock cannot advance while tasks poll with sleep(0); \
                 await the event or the queue instead",
                POLLING_PASSES,
                float_repr(now as f64 / 1e9)
            );
        }
    }

    /// The scheduler loop (rule 2 of the scheduler issue), until nothing is left.
    pub fn run_scheduler(&mut self) -> R<()> {
        self.run_until(RunUntil::Idle)
    }

    /// The scheduler loop, until `until` says stop.
    pub fn run_until(&mut self, until: RunUntil) -> R<()> {
        self.sched.halt = false;
        self.sched.pass_left = 0;
        self.sched.idle = false;
        loop {
            // A failed task whose handle the program dropped can no longer be joined.
            if let Some(i) = self.sched.failed.iter().position(|t| !t.retrieved.get() && !t.has_handle()) {
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
                            t.wait_seq.get() != *token || t.state.get() == TaskState::Done
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
                let wait = deadline - self.now_ns();
                if wait > 0 {
                    if until == RunUntil::NothingDue {
                        return Ok(());
                    }
                    self.idle_wait(wait)?;
                    if !self.sched.ready.is_empty() {
                        // Ctrl-C cancelled the foreground task while the clock waited.
                        continue;
                    }
                }
                if self.opts.virtual_time && self.vclock_ns < deadline {
                    self.vclock_ns = deadline;
                }
            }
            let now = self.now_ns();
            while self.sched.timers.peek().is_some_and(|t| t.deadline <= now) {
                let Some(timer) = self.sched.timers.pop() else { break };
                match timer.kind {
                    TimerKind::Wake(t, token) => {
                        if t.wait_seq.get() == token && t.state.get() == TaskState::Sleeping {
                            if self.opts.trace {
                                let name = t.name();
                                self.trace("timer", &name, "sleep is over");
                            }
                            t.state.set(TaskState::Ready);
                            t.set_resume(Resume::Send(Value::None));
                            if self.opts.observe {
                                self.mark(&t, super::timeline::Mark::Ready);
                            }
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
            self.note_polling(now);
            let n = self.sched.ready.len();
            if self.opts.trace && n > 0 {
                self.trace_pass(now);
            }
            self.sched.pass_left = n;
            while self.sched.pass_left > 0 {
                self.sched.pass_left -= 1;
                if let Some(b) = &mut self.sched.step_budget {
                    if *b == 0 {
                        return Ok(());
                    }
                    *b -= 1;
                }
                let Some(e) = self.sched.ready.pop_front() else { break };
                self.sched.entries_run += 1;
                match e {
                    Entry::Step(t) => {
                        if self.sched.step_budget.is_some() {
                            self.sched.last_step = Some((t.name(), t.clone()));
                        }
                        self.step_task(t)?;
                    }
                    Entry::Callback(h) => self.run_callback(h)?,
                }
                if self.sched.halt {
                    self.sched.halt = false;
                    if until == RunUntil::Foreground {
                        return Ok(());
                    }
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

    /// The REPL: runs one input as a new task named `name`, until it finishes (`until` is
    /// `Foreground`; other tasks go on in the background afterwards) or until nothing can run
    /// (`Idle`). Returns the input's task: not finished when it is left blocked.
    pub fn run_input(&mut self, code: Rc<crate::code::Code>, name: String, until: RunUntil) -> R<Rc<Task>> {
        self.sched.interactive = true;
        let coro = self.module_coroutine(code);
        let main = self.spawn_task(coro, TaskName::Given(name.into()), Span::default());
        main.is_main.set(true);
        self.sched.foreground = Some(main.clone());
        self.sched.last_interrupt = None;
        let r = self.run_until(until);
        self.sched.foreground = None;
        if matches!(r, Err(Fault::Interrupted(_))) {
            self.sched.interrupted_input = Some(main.clone());
        }
        r?;
        Ok(main)
    }

    /// Ctrl-C while a REPL input runs: the first one cancels the input's task — at once, as a
    /// `CancelledError` raised where it runs, or at its await point if another task is running
    /// or the clock is waiting — and the session goes on. `None` when the signal must stop
    /// everything: not in the REPL, SIGTERM, or a second Ctrl-C within a second.
    pub fn soft_interrupt(&mut self, sig: usize) -> Option<R<()>> {
        let fg = self.sched.foreground.clone()?;
        if sig != crate::limits::SIGINT || fg.state.get() == TaskState::Done {
            return None;
        }
        let now = std::time::Instant::now();
        if self.sched.last_interrupt.is_some_and(|t| now.duration_since(t).as_secs_f64() < 1.0) {
            return None;
        }
        crate::limits::STOP_SIGNAL.store(0, std::sync::atomic::Ordering::Relaxed);
        self.sched.last_interrupt = Some(now);
        if self.sched.current.as_ref().is_some_and(|c| Rc::ptr_eq(c, &fg)) {
            return Some(Err(raise_value(new_exception(&self.t.cancelled, vec![]))));
        }
        self.cancel_task(&fg);
        Some(Ok(()))
    }

    /// Waits `ns` nanoseconds for the next timer. In real time it returns early when an entry
    /// became ready meanwhile (Ctrl-C cancelled the REPL's foreground task).
    fn idle_wait(&mut self, ns: i64) -> R<()> {
        if self.opts.virtual_time {
            self.vclock_ns = self.vclock_ns.saturating_add(ns);
            return Ok(());
        }
        self.flush()?;
        let until = std::time::Instant::now() + std::time::Duration::from_nanos(ns.max(0) as u64);
        // Stays set if a signal stops the run here: the dump then says the scheduler was idle.
        self.sched.idle = true;
        loop {
            let now = std::time::Instant::now();
            if now >= until || !self.sched.ready.is_empty() {
                self.sched.idle = false;
                return Ok(());
            }
            std::thread::sleep((until - now).min(std::time::Duration::from_millis(20)));
            self.check_limits(self.current_span.unwrap_or_default())?;
        }
    }

    /// Seconds until the next live timer on the scheduler's clock (0 when something is ready),
    /// or None when nothing is scheduled: how long the REPL may wait for input.
    pub fn next_due(&self) -> Option<f64> {
        if !self.sched.ready.is_empty() {
            return Some(0.0);
        }
        let now = self.now_ns();
        self.sched
            .timers
            .iter()
            .filter(|tm| match &tm.kind {
                TimerKind::Wake(t, token) => t.wait_seq.get() == *token && t.state.get() != TaskState::Done,
                TimerKind::Callback(h) => !h.cancelled.get(),
            })
            .map(|tm| (tm.deadline - now).max(0))
            .min()
            .map(|ns| ns as f64 / 1e9)
    }

    /// Unfinished tasks exist, and nothing is ready or scheduled to wake them.
    pub fn all_blocked(&self) -> bool {
        !self.sched.tasks.is_empty() && self.next_due().is_none()
    }

    /// Everything the scheduler holds, for the REPL's `:tasks`: unfinished tasks (sleepers with
    /// the time they have left), timers and callbacks not yet run, and the tasks that ended
    /// most recently.
    pub fn task_table(&mut self) -> Vec<TaskRow> {
        let now = self.now();
        let mut rows: Vec<TaskRow> = self
            .tasks_in_order()
            .into_iter()
            .map(|t| TaskRow {
                section: "task",
                name: t.name(),
                state: self.task_state(t, now),
                span: Some(Self::task_span(t)),
            })
            .collect();
        for e in self.sched.ready.iter() {
            if let Entry::Callback(h) = e {
                if !h.cancelled.get() {
                    let state = "ready to run".to_string();
                    rows.push(TaskRow {
                        section: "callback",
                        name: h.name(),
                        state,
                        span: Some(h.scheduled_at),
                    });
                }
            }
        }
        let mut timers: Vec<&Timer> = self
            .sched
            .timers
            .iter()
            .filter(|tm| matches!(&tm.kind, TimerKind::Callback(h) if !h.cancelled.get()))
            .collect();
        timers.sort_by(|a, b| b.cmp(a));
        for tm in timers {
            if let TimerKind::Callback(h) = &tm.kind {
                let at = tm.deadline as f64 / 1e9;
                let state = format!("due in {} s (at {:.3})", seconds(at - now), at);
                rows.push(TaskRow { section: "timer", name: h.name(), state, span: Some(h.scheduled_at) });
            }
        }
        let recent: Vec<Rc<Task>> = self.sched.recent.iter().rev().cloned().collect();
        for t in recent {
            let state = match t.end_kind() {
                Some(EndKind::Returned) => "finished".to_string(),
                Some(EndKind::Cancelled) => "cancelled".to_string(),
                Some(EndKind::Failed) => {
                    let value = t.failed_value().unwrap_or(Value::None);
                    let msg = self.to_str(&value).unwrap_or_default();
                    let ty = self.t.type_of(&value).name;
                    let retrieved = if t.retrieved.get() { "" } else { ", not yet retrieved" };
                    if msg.is_empty() {
                        format!("failed: {}{}", ty.as_str(), retrieved)
                    } else {
                        format!("failed: {}: {}{}", ty.as_str(), msg, retrieved)
                    }
                }
                None => "ended".to_string(),
            };
            rows.push(TaskRow { section: "ended", name: t.name(), state, span: None });
        }
        rows
    }

    /// The rows of the Ctrl-C/SIGTERM dump: unfinished tasks (sleepers with the time they have
    /// left), callbacks ready to run, timers not yet due, then the failed tasks nobody joined.
    pub fn stop_rows(&mut self) -> Vec<TaskRow> {
        let mut rows: Vec<TaskRow> = self.task_table().into_iter().filter(|r| r.section != "ended").collect();
        let failed: Vec<Rc<Task>> =
            self.sched.failed.iter().filter(|t| !t.retrieved.get()).cloned().collect();
        for t in failed {
            let Some(value) = t.failed_value() else { continue };
            let ty = self.t.type_of(&value).name;
            let msg = self.to_str(&value).unwrap_or_default();
            let state =
                if msg.is_empty() { format!("failed: {}", ty) } else { format!("failed: {}: {}", ty, msg) };
            rows.push(TaskRow { section: "failed", name: t.name(), state, span: Some(t.spawned_at()) });
        }
        rows
    }

    /// The task running when the run stopped, if one was.
    pub fn running_task(&self) -> Option<String> {
        self.sched.tasks.iter().find(|t| t.state.get() == TaskState::Running).map(|t| t.name())
    }

    /// A task's state in words: what it waits for, and for how long a sleeper still sleeps.
    fn task_state(&self, t: &Rc<Task>, now: f64) -> String {
        match (t.state.get(), t.wait().as_ref()) {
            (TaskState::Sleeping, _) => match self.timer_of(t) {
                Some(d) => format!("sleeping, {} s left (until {:.3})", seconds(d - now), d),
                None => "sleeping".to_string(),
            },
            (_, Some(r)) => format!("waiting: {}", describe(r)),
            (TaskState::Ready, _) => "ready to run".to_string(),
            (TaskState::Running, _) => "running".to_string(),
            (TaskState::Done, _) => "finished".to_string(),
            _ => "waiting".to_string(),
        }
    }

    fn timer_of(&self, t: &Rc<Task>) -> Option<f64> {
        self.sched.timers.iter().find_map(|tm| match &tm.kind {
            TimerKind::Wake(x, token) if Rc::ptr_eq(x, t) && *token == t.wait_seq.get() => {
                Some(tm.deadline as f64 / 1e9)
            }
            _ => None,
        })
    }

    /// Where a task stopped (for `:step`): what it now waits for, and the span of that point.
    pub fn task_position(&self, t: &Rc<Task>) -> (String, Span) {
        let state = match t.state.get() {
            TaskState::Done => match t.end_kind() {
                Some(EndKind::Failed) => "failed".to_string(),
                Some(EndKind::Cancelled) => "was cancelled".to_string(),
                _ => "finished".to_string(),
            },
            TaskState::Ready => "gave the turn away; it is ready to run again".to_string(),
            _ => self.task_state(t, self.now()),
        };
        (state, Self::task_span(t))
    }

    /// What the scheduler waits for when nothing is ready (for `:step`).
    pub fn next_wake(&self) -> String {
        match self.next_due() {
            Some(d) => {
                let who = self
                    .sched
                    .timers
                    .iter()
                    .filter(|tm| match &tm.kind {
                        TimerKind::Wake(t, token) => {
                            t.wait_seq.get() == *token && t.state.get() != TaskState::Done
                        }
                        TimerKind::Callback(h) => !h.cancelled.get(),
                    })
                    .max()
                    .map(|tm| match &tm.kind {
                        TimerKind::Wake(t, _) => format!("task '{}' wakes", t.name()),
                        TimerKind::Callback(_) => "a callback is due".to_string(),
                    })
                    .unwrap_or_default();
                format!("nothing is ready: the next timer is in {} s ({})", seconds(d), who)
            }
            None if self.sched.tasks.is_empty() => "nothing to run: every task has finished".to_string(),
            None => "nothing to run: every unfinished task is blocked and no timer is pending".to_string(),
        }
    }

    /// Where a task is: its recorded wait point, else where its frames stopped, else its spawn.
    fn task_span(t: &Rc<Task>) -> Span {
        t.wait_span().or_else(|| crate::vm::suspended_span(&t.coro)).unwrap_or(t.spawned_at())
    }

    /// After Ctrl-C at the prompt: the task that was running cannot go on (its frame is gone),
    /// and the interrupted input is abandoned even if its task was sleeping or waiting.
    pub fn drop_interrupted_tasks(&mut self) {
        let dead: Vec<Rc<Task>> =
            self.sched.tasks.iter().filter(|t| t.coro.state.get() == GenState::Done).cloned().collect();
        for t in dead {
            if self.sched.tasks.remove(&t) {
                t.state.set(TaskState::Done);
                t.set_slot(Slot::End(TaskEnd::Cancelled));
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
        // The inputs typed so far stay where they are in the source text.
        let input_starts = std::mem::take(&mut self.sched.input_starts);
        self.sched = Scheduler { interactive, input_starts, ..Default::default() };
    }
}

/// Runs the main program as task `main`, then the scheduler until nothing is left.
/// Passes at one virtual time, with timers pending, after which `note_polling` speaks.
const POLLING_PASSES: u64 = 1_000_000;

pub fn run_main(it: &mut Interp, code: Rc<crate::code::Code>) -> R<()> {
    let coro = it.module_coroutine(code);
    let main = it.spawn_task(coro, TaskName::Given("main".into()), Span::default());
    main.is_main.set(true);
    it.run_scheduler()
}
