//! The built-in scheduler: tasks, sleep, queues, events, joins, cancellation, callbacks, the
//! clock (real or virtual), deadlock reports and `--trace`.
//!
//! One FIFO ready queue holds task steps and callbacks alike (asyncio's design); a heap holds
//! timers by (deadline, order of scheduling). Each pass: if nothing is ready, move the clock to
//! the earliest timer; move every due timer to the ready queue; run exactly the entries that were
//! ready when the pass began. A task waits by yielding a *request* (sleep, queue get/put, join,
//! event wait) up its await chain to `step`; an operation that can complete at once completes
//! without yielding at all (see `try_now`).
//!
//! `mod.rs` holds the objects (tasks, queues, events, handles, requests) and the waits;
//! `run.rs` the loop that runs them; `api.rs` the functions and methods programs call.

mod api;
mod ring;
mod run;
pub mod timeline;
pub mod timeline_html;

pub use run::{run_main, RunUntil, TaskRow};

pub use crate::tasks::*;
pub use api::{construct, install, method};

use crate::interp::generators::{Outcome, Resume};
use crate::interp::*;
use crate::names::sym;
use crate::span::{Span, Symbol};
use crate::value::*;
use std::cell::{Cell, RefCell};
use std::collections::{BinaryHeap, VecDeque};
use std::rc::Rc;

/// The entry for `t` joining a wait list: a new wait.
fn new_wait(t: &Rc<Task>) -> Waiter {
    t.wait_seq.set(t.wait_seq.get() + 1);
    (t.clone(), t.wait_seq.get())
}

/// Before a wait list grows its buffer, the dead entries go: cancelled waiters of a queue
/// that is rarely used cannot pile up (the list stays under twice its live entries, plus the
/// buffer it had), and the cost is one pass per doubling, as the growth itself is.
fn before_push(len: usize, capacity: usize, retain_live: impl FnOnce()) {
    if len == capacity && len >= 8 {
        retain_live();
    }
}

/// Why a task woke (`--trace`'s wake lines).
#[derive(Clone, Copy)]
pub(crate) enum Why<'a> {
    /// A queue handed it an item (the value is what the task will be sent).
    Item(&'a Rc<AQueue>),
    /// A blocked put went in: there was room.
    Room(&'a Rc<AQueue>),
    Closed(&'a Rc<AQueue>),
    Event(&'a Rc<EventObj>),
    /// The task it joined ended.
    Joined(&'a Rc<Task>),
    Cancel,
}

/// Whether a wait-list entry is live: its task still waits, in that same wait.
fn live(w: &Waiter) -> bool {
    w.0.state.get() == TaskState::Waiting && w.0.wait_seq.get() == w.1
}

/// The first live task of a wait list, dropping the dead entries before it.
fn pop_live(list: &RefCell<VecDeque<Waiter>>) -> Option<Rc<Task>> {
    loop {
        let w = list.borrow_mut().pop_front()?;
        if live(&w) {
            return Some(w.0);
        }
    }
}

/// The live tasks of a wait list, in order, emptying it.
fn drain_live<I: IntoIterator<Item = Waiter>>(list: I) -> Vec<Rc<Task>> {
    list.into_iter().filter(live).map(|w| w.0).collect()
}

use ring::Entry;

struct Timer {
    /// Nanoseconds on the scheduler's clock.
    deadline: i64,
    seq: u64,
    kind: TimerKind,
}

enum TimerKind {
    Wake(Rc<Task>, u64),
    Callback(Rc<HandleObj>),
}

impl PartialEq for Timer {
    fn eq(&self, o: &Self) -> bool {
        self.deadline == o.deadline && self.seq == o.seq
    }
}
impl Eq for Timer {}
impl PartialOrd for Timer {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Timer {
    /// Reversed: `BinaryHeap` is a max-heap and we want the earliest (deadline, seq).
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.deadline.cmp(&self.deadline).then(o.seq.cmp(&self.seq))
    }
}

#[derive(Default)]
pub struct Scheduler {
    /// The REPL: where each input starts in the source text (traces count each input's own
    /// lines).
    pub input_starts: Vec<usize>,
    /// The REPL: the task the last `:step` ran.
    pub last_step: Option<(String, Rc<Task>)>,
    ready: ring::ReadyQueue<Rc<Task>, Rc<HandleObj>>,
    /// While `run_until` runs a pass: how many entries of the ready queue it has still to run
    /// (of those ready when the pass began). A task switch made inside the VM's loop
    /// (`switch_in_loop`) takes its next task from them too. Set afresh by each pass; left
    /// as it was when `run_until` returns early (only a running step reads it).
    pass_left: usize,
    timers: BinaryHeap<Timer>,
    seq: u64,
    next_id: u64,
    /// Numbers queues and events, each kind from 1 (`Queue#1`, `Event#1`), in reports.
    next_queue_id: u64,
    next_event_id: u64,
    /// Passes run in a row at one virtual time while timers wait (see `POLLING_PASSES`), the
    /// time they ran at, and whether the note about it was printed.
    stalled_passes: u64,
    stalled_at: i64,
    polling_noted: bool,
    /// How many tasks were named after each function (`worker`, `worker#2`, ...).
    /// (Indexed by the name's symbol number: symbols are numbered densely from 0.)
    names_used: Vec<u32>,
    /// Every unfinished task (see `tasks_in_order`).
    tasks: TaskTable,
    pub current: Option<Rc<Task>>,
    /// Failed tasks whose exception nobody has retrieved yet.
    failed: Vec<Rc<Task>>,
    /// The REPL: stop when nothing can run (instead of reporting a deadlock), and leave
    /// unretrieved failures for later inputs to join.
    pub interactive: bool,
    /// Waiting in real time for the next timer (nothing ready): a Ctrl-C now finds the
    /// scheduler idle, not a task running.
    pub idle: bool,
    /// The callback running now (its name), for `--trace`: what spawned a task.
    pub current_callback: Option<Rc<HandleObj>>,
    /// `--trace`: the width of the task column, the longest name seen so far (up to 32).
    pub trace_width: usize,
    /// `--trace`: scheduler passes so far (each begins with a separator line).
    passes: u64,
    /// `--timeline`: what each task did when (None: not recording).
    pub timeline: Option<timeline::Timeline>,
    /// Single-stepping (`:step`): stop after this many entries.
    pub step_budget: Option<usize>,
    /// The REPL: the task of an input that Ctrl-C interrupted, to be abandoned.
    interrupted_input: Option<Rc<Task>>,
    /// The REPL: the task of the input that is running (its end stops `RunUntil::Foreground`,
    /// and the first Ctrl-C cancels it).
    pub foreground: Option<Rc<Task>>,
    /// Set when the foreground task ends: the loop returns after the current entry.
    halt: bool,
    /// When the last Ctrl-C was turned into a cancellation: a second one within a second stops
    /// everything.
    last_interrupt: Option<std::time::Instant>,
    /// Entries (task steps and callbacks) run so far.
    pub entries_run: u64,
    /// The REPL: tasks that failed with nobody to retrieve the exception yet, to announce.
    pub announce: Vec<Rc<Task>>,
    /// The REPL: the tasks that ended most recently, newest last (for `:tasks`).
    pub recent: VecDeque<Rc<Task>>,
    /// The shared `sleep(0)` request.
    zero_sleep: Option<Value>,
    /// Request objects ready for reuse.
    request_pool: Vec<Rc<Native>>,
    /// The request last tried at an `await` (`sched_delegate`) that must wait: when the
    /// running task yields that very request, `step_task` registers the wait without deciding
    /// again (a program driving coroutines by hand may receive it instead).
    tried_now: Option<Value>,
}

thread_local! {
    static CLASSES: SchedClasses = SchedClasses::new();
}

struct SchedClasses {
    task: Rc<Class>,
    queue: Rc<Class>,
    event: Rc<Class>,
    handle: Rc<Class>,
    awaitable: Rc<Class>,
}

impl Scheduler {
    /// Counts one more task named after the function `name`: 1 for the first.
    fn name_used(&mut self, name: Symbol) -> u32 {
        let i = name.0 as usize;
        if i >= self.names_used.len() {
            self.names_used.resize(i + 1, 0);
        }
        self.names_used[i] += 1;
        self.names_used[i]
    }
}

impl SchedClasses {
    fn new() -> SchedClasses {
        let t = types();
        let mk = |name: &str| {
            Rc::new(Class::new(
                Symbol::intern(name),
                vec![t.object.clone()],
                vec![t.object.clone()],
                new_symmap(),
                TypeTag::Native,
            ))
        };
        SchedClasses {
            task: mk("Task"),
            queue: mk("Queue"),
            event: mk("Event"),
            handle: mk("Handle"),
            awaitable: mk("awaitable"),
        }
    }
}

impl SchedObj {
    pub fn class(&self) -> Rc<Class> {
        CLASSES.with(|c| match self {
            SchedObj::Task(_) => c.task.clone(),
            SchedObj::Queue(_) => c.queue.clone(),
            SchedObj::Event(_) => c.event.clone(),
            SchedObj::Handle(_) => c.handle.clone(),
            _ => c.awaitable.clone(),
        })
    }
}

fn sched_value(o: SchedObj) -> Value {
    Value::Native(Rc::new(Native::Sched(o)))
}

fn request_value(r: Request) -> Value {
    sched_value(SchedObj::Request(RequestObj { r, created_at: Span::default(), awaited: Cell::new(false) }))
}

impl Interp {
    /// A request object, reusing one whose wait is over (see `recycle_request`), so that
    /// `await q.put(x)` in a loop allocates nothing after the first round.
    pub fn new_request(&mut self, r: Request) -> Value {
        let created_at = self.current_span.unwrap_or_default();
        // A pooled request is rewritten field by field: its `Request` is the empty one
        // `recycle_request` left, so nothing else is dropped.
        if let Some(mut rc) = self.sched.request_pool.pop() {
            if let Some(Native::Sched(SchedObj::Request(obj))) = Rc::get_mut(&mut rc) {
                obj.r = r;
                obj.created_at = created_at;
                obj.awaited.set(false);
                return Value::Native(rc);
            }
        }
        sched_value(SchedObj::Request(RequestObj { r, created_at, awaited: Cell::new(false) }))
    }

    /// Takes back a request object nobody else holds once its `await` is over.
    #[inline]
    pub fn recycle_request(&mut self, v: Value) {
        if let Value::Native(mut rc) = v {
            if self.sched.request_pool.len() < 64 {
                if let Some(Native::Sched(SchedObj::Request(obj))) = Rc::get_mut(&mut rc) {
                    // What it held (a joined task and its result, an item put) goes now, as
                    // it would with the request: a pooled request holds nothing.
                    obj.r = Request::Sleep(0.0);
                    obj.awaited.set(true);
                    self.sched.request_pool.push(rc);
                }
            }
        }
    }
}

/// The handle the program holds for a task (one per task, so its lifetime tells whether the
/// program can still join it).
fn task_value(t: &Rc<Task>) -> Value {
    let at = t.handle.get();
    if !at.is_null() {
        // SAFETY: `at` is the address of the task's live handle, an `Rc<Native>` made below:
        // the handle's `TaskRef` sets it to null in its `Drop`, which runs before the
        // allocation can go, and no other code makes a `TaskRef` or moves one out of its Rc.
        // So the count is at least one here, and this makes one more reference.
        unsafe {
            Rc::increment_strong_count(at);
            return Value::Native(Rc::from_raw(at));
        }
    }
    let n = Rc::new(Native::Sched(SchedObj::Task(TaskRef::new(t.clone()))));
    t.handle.set(Rc::as_ptr(&n));
    Value::Native(n)
}

/// Whether a bounded queue can take one more item (items handed to getters that have not run
/// yet count).
fn queue_has_room(q: &AQueue) -> bool {
    q.maxsize == 0 || q.items.borrow().len() + q.in_flight.get() < q.maxsize
}

fn sched_of(v: &Value) -> Option<&SchedObj> {
    match v {
        Value::Native(n) => match &**n {
            Native::Sched(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// What `await x` / `yield from x` delegates to for a scheduler object: the request itself
/// (`await task` joins it, as in asyncio); None for objects that cannot be awaited.
pub fn awaitable_iter(v: &Value) -> Option<Value> {
    match sched_of(v) {
        Some(SchedObj::Request(_)) => Some(v.clone()),
        Some(SchedObj::Task(t)) => Some(request_value(Request::Join(Rc::clone(t)))),
        _ => None,
    }
}

/// Whether `v` is something the scheduler can wait for.
pub fn is_request(v: &Value) -> bool {
    matches!(sched_of(v), Some(SchedObj::Request(_)))
}

/// 0 to 4: which kind of scheduler object (the method cache keys on it).
pub fn kind_index(s: &SchedObj) -> u8 {
    match s {
        SchedObj::Task(_) => 0,
        SchedObj::Queue(_) => 1,
        SchedObj::Event(_) => 2,
        SchedObj::Handle(_) => 3,
        SchedObj::Request(_) => 4,
    }
}

/// `<Task 'name' state>`.
fn task_repr(t: &Task) -> String {
    {
        {
            let state = match t.state.get() {
                TaskState::Done => match t.end_kind() {
                    Some(EndKind::Cancelled) => "cancelled",
                    Some(EndKind::Failed) => "failed",
                    _ => "finished",
                },
                TaskState::Running => "running",
                TaskState::Ready => "ready",
                TaskState::Sleeping => "sleeping",
                TaskState::Waiting => "waiting",
            };
            format!("<Task '{}' {}>", t.name(), state)
        }
    }
}

pub fn repr(s: &SchedObj) -> String {
    match s {
        SchedObj::Task(t) => task_repr(t),
        SchedObj::Queue(q) => match q.in_flight.get() {
            0 => format!("<Queue#{} size={}>", q.id, q.items.borrow().len()),
            n => format!("<Queue#{} size={} handed={}>", q.id, q.items.borrow().len(), n),
        },
        SchedObj::Event(e) => format!("<Event#{} {}>", e.id, if e.set.get() { "set" } else { "unset" }),
        SchedObj::Handle(_) => "<Handle>".into(),
        SchedObj::Request(r) => format!("<awaitable {}>", describe(&r.r)),
    }
}

/// The queue or event a request waits on, and the task it joins.
fn waits_on(r: &Request) -> (Option<String>, Option<(u64, String)>) {
    match r {
        Request::Sleep(_) => (None, None),
        Request::Get(q) | Request::Put(q, _) => (Some(format!("Queue#{}", q.id)), None),
        Request::Join(t) => (None, Some((t.id(), t.name()))),
        Request::Wait(e) => (Some(format!("Event#{}", e.id)), None),
    }
}

fn describe(r: &Request) -> String {
    match r {
        Request::Sleep(d) => format!("sleep({})", float_repr(*d)),
        Request::Get(q) => format!("get from Queue#{}", q.id),
        Request::Put(q, _) => format!("put to Queue#{}", q.id),
        Request::Join(t) => format!("join of task '{}'", t.name()),
        Request::Wait(e) => format!("wait on Event#{}", e.id),
    }
}

pub fn len(s: &SchedObj) -> Option<usize> {
    match s {
        SchedObj::Queue(q) => Some(q.items.borrow().len()),
        _ => None,
    }
}

pub fn attr(_it: &mut Interp, s: &SchedObj, name: Symbol) -> R<Option<Value>> {
    Ok(match (s, name) {
        (SchedObj::Task(t), sym::NAME_KW) => Some(Value::string(t.name())),
        (SchedObj::Queue(q), sym::MAXSIZE) => Some(Value::Int(q.maxsize as i64)),
        _ => None,
    })
}

// ----- the machinery -----

impl Interp {
    fn trace(&mut self, event: &str, task: &str, detail: &str) {
        if !self.opts.trace {
            return;
        }
        let _ = self.flush();
        let t = self.now();
        // Names as long as the longest seen so far (up to 32 characters) keep the details in
        // one column; every task appears in a `spawn` line before anything else it does.
        let width = self.sched.trace_width.max(task.chars().count().min(32)).max(6);
        self.sched.trace_width = width;
        // A trace line that cannot be written is dropped (`eprintln!` would panic).
        use std::io::Write;
        let line = format!("[{:>9.3}] {:<9} {:<width$}  {}", t, event, task, detail, width = width);
        let _ = writeln!(std::io::stderr().lock(), "{}", line.trim_end());
    }

    /// `--timeline`: task `t` does `m` from now on (nothing when not recording: one test).
    #[inline(always)]
    fn mark(&mut self, t: &Task, m: timeline::Mark) {
        if self.sched.timeline.is_some() {
            self.record_mark(t, m);
        }
    }

    #[cold]
    #[inline(never)]
    fn record_mark(&mut self, t: &Task, m: timeline::Mark) {
        let at = self.now_ns();
        if let Some(tl) = &mut self.sched.timeline {
            tl.record(at, t.id(), || t.name(), m);
        }
    }

    /// A line the program printed: a trace line (stdout and stderr going to one place), and
    /// on the timeline for `--timeline-html`.
    pub fn trace_out_line(&mut self, line: &str) {
        let who = self.actor().unwrap_or_else(|| "main".to_string());
        if self.opts.timeline_html.is_some() {
            let at = self.now_ns();
            if let Some(tl) = &mut self.sched.timeline {
                tl.output(at, &who, line);
            }
        }
        if self.out_to_trace {
            self.trace("out", &who, &format!("| {}", line));
        }
    }

    /// Who is acting now, for `--trace`: the running task's name, `callback NAME`, or None
    /// (the program before any task runs).
    fn actor(&self) -> Option<String> {
        match (&self.sched.current, &self.sched.current_callback) {
            (Some(t), _) => Some(t.name()),
            (None, Some(h)) => Some(format!("callback {}", h.name())),
            (None, None) => None,
        }
    }

    fn line_of(&self, span: Span) -> String {
        // Line numbers need the source; the driver keeps it in `source_text`.
        match &self.source_text {
            Some(src) => {
                let at = (span.start as usize).min(src.len());
                let i = self.sched.input_starts.partition_point(|&b| b <= at);
                let base = i.checked_sub(1).map_or(0, |i| self.sched.input_starts[i]);
                // Lines counted from the start of the input holding `at`.
                let lines = self.source_lines.get(src);
                format!("line {}", lines.line(at) - lines.line(base) + 1)
            }
            None => String::new(),
        }
    }

    pub fn spawn_task(&mut self, coro: Rc<Generator>, name: TaskName, span: Span) -> Rc<Task> {
        self.sched.next_id += 1;
        let t = Rc::new(Task::new(self.sched.next_id, name, coro, span));
        self.sched.tasks.add(t.clone());
        self.sched.ready.push_back(Entry::Step(t.clone()));
        if self.opts.observe {
            self.mark(&t, timeline::Mark::Ready);
            if self.detailed() {
                let detail = match self.actor() {
                    Some(who) => format!("by {} at {}", who, self.line_of(span)),
                    None => "the main program".to_string(),
                };
                self.note(&format!("spawned {}", detail));
                if self.opts.trace {
                    let name = t.name();
                    self.trace("spawn", &name, &detail);
                }
            }
        }
        t
    }

    /// Whether the events' details are wanted: `--trace` writes them, `--timeline-html` keeps
    /// them for its tooltips.
    fn detailed(&self) -> bool {
        self.opts.trace || self.opts.timeline_html.is_some()
    }

    /// `--timeline-html`: what the last mark recorded was about (a tooltip's second line).
    fn note(&mut self, text: &str) {
        if self.opts.timeline_html.is_some() {
            if let Some(tl) = &mut self.sched.timeline {
                tl.note(text);
            }
        }
    }

    /// Makes a waiting task ready with what to send into it; `why` is for `--trace`.
    fn make_ready(&mut self, t: &Rc<Task>, r: Resume, why: Why) {
        if t.state.get() == TaskState::Done {
            return;
        }
        t.set_resume(r);
        let was_ready = t.state.get() == TaskState::Ready;
        if !was_ready {
            t.state.set(TaskState::Ready);
            self.sched.ready.push_back(Entry::Step(t.clone()));
        }
        if self.opts.observe {
            if !was_ready {
                self.mark(t, timeline::Mark::Ready);
            }
            if self.detailed() {
                let detail = self.wake_reason(t, why);
                if !was_ready {
                    self.note(&format!("woken {}", detail));
                }
                if self.opts.trace {
                    let name = t.name();
                    self.trace("wake", &name, &detail);
                }
            }
        }
    }

    /// `--trace`: why a task woke, and who did it where (`← item 3 from producer at line 9`).
    fn wake_reason(&mut self, t: &Task, why: Why) -> String {
        let by = match (self.actor(), self.current_span) {
            (Some(who), Some(span)) => format!("{} at {}", who, self.line_of(span)),
            (Some(who), None) => who,
            (None, _) => "the main program".to_string(),
        };
        match why {
            Why::Item(q) => {
                let item = t.resume_item().map_or_else(String::new, |v| self.short_repr(&v));
                format!("← item {} from {} (Queue#{})", item, by, q.id)
            }
            Why::Room(q) => format!("← room in Queue#{} made by {}", q.id, by),
            Why::Closed(q) => format!("← Queue#{} closed by {}", q.id, by),
            Why::Event(e) => format!("← Event#{} set by {}", e.id, by),
            Why::Joined(done) => {
                let how = match done.end_kind() {
                    Some(EndKind::Failed) => "failed",
                    Some(EndKind::Cancelled) => "was cancelled",
                    _ => "finished",
                };
                format!("← task '{}' {}", done.name(), how)
            }
            Why::Cancel => format!("← cancel requested by {}", by),
        }
    }

    /// Puts at once if possible: hands off to a waiting getter, or appends when there is room.
    /// Ok(false): the queue is full (items handed to getters that have not run count too).
    fn queue_put_now(&mut self, q: &Rc<AQueue>, v: Value) -> R<bool> {
        if q.closed.get() {
            return Err(raise_value(new_exception(&self.t.queue_closed, vec![])));
        }
        if !queue_has_room(q) {
            return Ok(false);
        }
        let getter = pop_live(&q.getters);
        match getter {
            Some(g) => self.hand_to_getter(q, &g, v),
            None => q.items.borrow_mut().push_back((v, 0)),
        }
        Ok(true)
    }

    /// `v` goes to waiting getter `g`, which becomes ready; it counts against the queue's size
    /// until `g` runs (`item_received`).
    fn hand_to_getter(&mut self, q: &Rc<AQueue>, g: &Rc<Task>, v: Value) {
        self.make_ready(g, Resume::Send(v), Why::Item(q));
        g.with_extra(|e| e.handoff = Some(q.clone()));
        q.in_flight.set(q.in_flight.get() + 1);
    }

    /// Blocked putters whose items now fit go in, in order: each item goes to a waiting getter
    /// or into the queue, and its putter becomes ready.
    fn admit_putters(&mut self, q: &Rc<AQueue>) {
        while queue_has_room(q) {
            let putter = loop {
                let next = q.putters.borrow_mut().pop_front();
                match next {
                    Some((w, pv)) if live(&w) => break Some((w.0, pv)),
                    Some(_) => continue,
                    None => break None,
                }
            };
            let Some((p, pv)) = putter else { break };
            // The putter runs first, as in asyncio (where it is woken and puts when it runs):
            // cancelled before it runs, its item is taken back from wherever it went.
            self.make_ready(&p, Resume::Send(Value::None), Why::Room(q));
            let getter = pop_live(&q.getters);
            match getter {
                Some(g) => {
                    let span = g.wait_span().unwrap_or(g.spawned_at());
                    self.hand_to_getter(q, &g, pv);
                    p.with_extra(|e| e.put_handoff = Some(PutHandoff::ToGetter(q.clone(), g, span)));
                }
                None => {
                    let ticket = q.next_ticket.get() + 1;
                    q.next_ticket.set(ticket);
                    q.items.borrow_mut().push_back((pv, ticket));
                    p.with_extra(|e| e.put_handoff = Some(PutHandoff::Queued(q.clone(), ticket)));
                }
            }
        }
    }

    /// A task handed an item (`handoff`) runs: the item is its own now, and no longer counts
    /// against the queue's size. A putter whose item moved in has put it.
    pub(crate) fn item_received(&mut self, t: &Rc<Task>) {
        let (joined, handed) = t
            .take_extra(|e| {
                e.put_handoff = None;
                Some((e.join_of.take(), e.handoff.take()))
            })
            .unwrap_or((None, None));
        // A joiner receiving a task's exception: now it is retrieved.
        if let Some(failed) = joined {
            failed.retrieved.set(true);
            failed.with_extra(|e| e.pending_joiners = e.pending_joiners.saturating_sub(1));
        }
        if let Some(q) = handed {
            q.in_flight.set(q.in_flight.get().saturating_sub(1));
            self.admit_putters(&q);
        }
    }

    /// A cancelled putter's item, handed to getter `g` that has not run yet, is taken back: `g`
    /// waits again, first in line, as if the item had never come.
    fn take_back_from_getter(&mut self, q: &Rc<AQueue>, g: &Rc<Task>, span: Span) {
        let holds = g.state.get() == TaskState::Ready
            && g.take_extra(|e| Some(e.handoff.as_ref().is_some_and(|h| Rc::ptr_eq(h, q)))).unwrap_or(false);
        if !holds {
            return;
        }
        q.in_flight.set(q.in_flight.get().saturating_sub(1));
        g.take_extra(|e| e.handoff.take());
        if q.closed.get() {
            // Closed meanwhile: the getter gets what every waiting getter got from close().
            let e = raise_value(new_exception(&self.t.queue_closed, vec![]));
            g.set_resume(Resume::Throw(e));
            return;
        }
        // Its entry in the ready queue goes: it is not ready any more (and must not run twice
        // in one pass if an item comes to it again).
        self.sched.ready.retain(|e| !matches!(e, Entry::Step(x) if Rc::ptr_eq(x, g)));
        g.state.set(TaskState::Waiting);
        g.set_slot(Slot::Wait(Request::Get(q.clone()), span));
        q.getters.borrow_mut().push_front(new_wait(g));
        if self.opts.observe {
            self.mark(g, timeline::Mark::Queue);
        }
        self.admit_putters(q);
    }

    /// Gets at once if possible; a blocked putter's item then joins the queue.
    fn queue_get_now(&mut self, q: &Rc<AQueue>) -> R<Option<Value>> {
        let item = q.items.borrow_mut().pop_front();
        match item {
            Some((v, _)) => {
                self.admit_putters(q);
                Ok(Some(v))
            }
            None if q.closed.get() => Err(raise_value(new_exception(&self.t.queue_closed, vec![]))),
            None => Ok(None),
        }
    }

    fn queue_close(&mut self, q: &Rc<AQueue>) {
        if q.closed.replace(true) {
            return;
        }
        let getters = drain_live(q.getters.borrow_mut().drain(..).collect::<Vec<_>>());
        let putters = drain_live(q.putters.borrow_mut().drain(..).map(|(w, _)| w).collect::<Vec<_>>());
        if self.opts.trace {
            let who = self.actor().unwrap_or_else(|| "main".to_string());
            let count = |n: usize, what: &str| format!("{} {}{}", n, what, if n == 1 { "" } else { "s" });
            let detail = format!(
                "Queue#{} closed: {} and {} get QueueClosed",
                q.id,
                count(getters.len(), "getter"),
                count(putters.len(), "putter")
            );
            self.trace("close", &who, &detail);
        }
        for t in getters.into_iter().chain(putters) {
            let e = raise_value(new_exception(&self.t.queue_closed, vec![]));
            self.make_ready(&t, Resume::Throw(e), Why::Closed(q));
        }
    }

    fn event_set(&mut self, e: &Rc<EventObj>) {
        e.set.set(true);
        let waiters = drain_live(e.waiters.borrow_mut().drain(..).collect::<Vec<_>>());
        for t in waiters {
            self.make_ready(&t, Resume::Send(Value::None), Why::Event(e));
        }
    }

    /// The result of joining a finished task.
    fn join_result(&mut self, t: &Rc<Task>) -> R<Value> {
        match t.end_kind() {
            Some(EndKind::Returned) => Ok(t.returned().unwrap_or(Value::None)),
            Some(EndKind::Failed) => {
                t.retrieved.set(true);
                match t.failure() {
                    Some(x) => Err(Fault::Exc(Box::new(Exc { span: None, ..x }))),
                    None => Err(runtime_error("task failed")),
                }
            }
            _ => Err(raise_value(new_exception(&self.t.cancelled, vec![]))),
        }
    }

    /// An operation that can complete at once: Some(result), or None when the task must wait.
    pub fn try_now(&mut self, req: &Value) -> Option<R<Value>> {
        let Some(SchedObj::Request(obj)) = sched_of(req) else { return None };
        // Reaching the scheduler is what awaiting a request means.
        obj.awaited.set(true);
        match &obj.r {
            Request::Sleep(_) => None,
            Request::Get(q) => match self.queue_get_now(q) {
                Ok(Some(v)) => Some(Ok(v)),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            },
            Request::Put(q, v) => match self.queue_put_now(q, v.clone()) {
                Ok(true) => Some(Ok(Value::None)),
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            },
            Request::Join(t) => {
                if self.sched.current.as_ref().is_some_and(|c| Rc::ptr_eq(c, t)) {
                    // Waiting for itself would never end (asyncio's words).
                    let me = task_repr(t);
                    return Some(Err(runtime_error(format!("Task cannot await on itself: {}", me))));
                }
                if t.state.get() == TaskState::Done {
                    let t = t.clone();
                    Some(self.join_result(&t))
                } else {
                    None
                }
            }
            Request::Wait(e) => {
                if e.set.get() {
                    Some(Ok(Value::None))
                } else {
                    None
                }
            }
        }
    }

    /// `await obj.name(*args)` fused (see `SchedHooks::await_now`): what `try_now` would
    /// give for the request the call makes, without making it. Only for a call the request
    /// would answer at once; a call it would reject (a wrong count of arguments) or a wait
    /// goes the usual way, and so does an await outside a task (its error is
    /// `sched_delegate`'s).
    pub fn await_now(&mut self, this: &Value, name: Symbol, args: &[Value]) -> Option<R<Value>> {
        let Some(SchedObj::Queue(q)) = sched_of(this) else { return None };
        self.sched.current.as_ref()?;
        let q = q.clone();
        match (name, args) {
            (sym::GET, []) => self.queue_get_now(&q).transpose(),
            (sym::PUT, [v]) => match self.queue_put_now(&q, v.clone()) {
                Ok(true) => Some(Ok(Value::None)),
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            },
            _ => None,
        }
    }

    /// `await sleep(0)` fused (see `SchedHooks::await_call`): `None` to suspend with, as
    /// `sched_delegate` yields for `sleep(0)` (see there). Any other call goes the usual way,
    /// and so does an await outside a task.
    pub fn await_call(&mut self, f: &Builtin, args: &[Value]) -> Option<Value> {
        if !std::ptr::fn_addr_eq(f.f, api::api_sleep as NativeFn) || !matches!(args, [Value::Int(0)]) {
            return None;
        }
        self.sched.current.as_ref()?;
        Some(Value::None)
    }

    /// `yield from`/`await` delegating to a scheduler request. On the first entry (`input`
    /// None) the operation completes at once if it can; otherwise the request is yielded up the
    /// await chain to the scheduler, which later resumes the chain with the result.
    pub fn sched_delegate(&mut self, request: &Value, input: Option<Resume>) -> R<Outcome> {
        match input {
            None => {
                if self.sched.current.is_none() {
                    let what = sched_of(request).map(repr).unwrap_or_default();
                    return Err(runtime_error(format!(
                        "cannot wait for {} outside a task: spawn() a coroutine, or await at the top level",
                        what
                    )));
                }
                match self.try_now(request) {
                    Some(Ok(v)) => Ok(Outcome::Return(v)),
                    Some(Err(e)) => Err(e),
                    // A `sleep(0)` (or a negative sleep) yields `None` up its await chain, as a
                    // bare `yield` does, and as asyncio's `sleep(0)` does: it gives the turn
                    // away exactly as the request would, with no request object to count
                    // references on twice a switch, and a program driving a coroutine by hand
                    // (`coro.send(None)`) receives `None` as in CPython. (`register_wait` tells
                    // the two apart for a trace by where the task stopped.)
                    None if matches!(
                        sched_of(request),
                        Some(SchedObj::Request(RequestObj { r: Request::Sleep(d), .. })) if *d <= 0.0
                    ) =>
                    {
                        Ok(Outcome::Yield(Value::None))
                    }
                    None => {
                        self.sched.tried_now = Some(request.clone());
                        Ok(Outcome::Yield(request.clone()))
                    }
                }
            }
            Some(Resume::Send(v)) => Ok(Outcome::Return(v)),
            Some(Resume::Throw(e)) => Err(e),
            Some(Resume::Start) => Ok(Outcome::Return(Value::None)),
        }
    }

    /// `t` gave the turn away (`what`: a bare `yield`, `sleep(0)`): ready again at once, at
    /// the back of the queue. `span` finds where, for a trace.
    #[inline(always)]
    fn give_turn_away(&mut self, t: &Rc<Task>, what: &str, span: impl Fn() -> Span) {
        t.state.set(TaskState::Ready);
        t.set_resume(Resume::Send(Value::None));
        self.sched.ready.push_back(Entry::Step(t.clone()));
        if self.opts.observe {
            self.mark(t, timeline::Mark::Ready);
            if self.detailed() {
                let detail = format!("{} at {}: gives the turn away", what, self.line_of(span()));
                self.note(&detail);
                if self.opts.trace {
                    let name = t.name();
                    self.trace("yield", &name, &detail);
                }
            }
        }
    }

    /// Registers `t` as waiting for `req` (which could not complete at once).
    fn register_wait(&mut self, t: &Rc<Task>, req: &Value) {
        // Where the task waits: found only when it is kept (a wait that lasts) or shown (a
        // trace), not for a `sleep(0)` or a bare `yield`, which give the turn away.
        let span = || crate::vm::suspended_span(&t.coro).unwrap_or_default();
        let Some(SchedObj::Request(RequestObj { r, .. })) = sched_of(req) else {
            // Any other yielded value gives the turn away. A `sleep(0)` yields `None` too (see
            // `sched_delegate`): for the record, a task stopped in an `await` of a scheduler
            // request that yielded `None` waits on a `sleep(0)`, the one request that does.
            let what = if self.opts.observe && crate::vm::suspended_in_await(&t.coro) {
                "sleep(0)"
            } else {
                "bare yield"
            };
            self.give_turn_away(t, what, span);
            return;
        };
        // `sleep(0)` (the shared request) first, without a clone of the request.
        if matches!(r, Request::Sleep(d) if *d <= 0.0) {
            self.give_turn_away(t, "sleep(0)", span);
            return;
        }
        let r = r.clone();
        match &r {
            Request::Sleep(d) => {
                t.state.set(TaskState::Sleeping);
                let seq = t.wait_seq.get() + 1;
                t.wait_seq.set(seq);
                self.sched.seq += 1;
                let deadline = self.now_ns().saturating_add(secs_to_ns(*d));
                self.sched.timers.push(Timer {
                    deadline,
                    seq: self.sched.seq,
                    kind: TimerKind::Wake(t.clone(), seq),
                });
            }
            Request::Get(q) => {
                t.state.set(TaskState::Waiting);
                let mut g = q.getters.borrow_mut();
                before_push(g.len(), g.capacity(), || g.retain(live));
                g.push_back(new_wait(t));
            }
            Request::Put(q, v) => {
                t.state.set(TaskState::Waiting);
                let mut p = q.putters.borrow_mut();
                before_push(p.len(), p.capacity(), || p.retain(|(w, _)| live(w)));
                p.push_back((new_wait(t), v.clone()));
            }
            Request::Join(j) => {
                t.state.set(TaskState::Waiting);
                j.with_extra(|e| {
                    let js = &mut e.joiners;
                    before_push(js.len(), js.capacity(), || js.retain(live));
                    js.push(new_wait(t));
                });
            }
            Request::Wait(e) => {
                t.state.set(TaskState::Waiting);
                let mut ws = e.waiters.borrow_mut();
                before_push(ws.len(), ws.capacity(), || ws.retain(live));
                ws.push(new_wait(t));
            }
        }
        if self.opts.observe {
            let m = match &r {
                Request::Sleep(_) => timeline::Mark::Sleeping,
                Request::Get(_) | Request::Put(..) => timeline::Mark::Queue,
                Request::Join(_) => timeline::Mark::Join,
                Request::Wait(_) => timeline::Mark::Event,
            };
            self.mark(t, m);
            if self.detailed() {
                let detail = format!("{} at {}", describe(&r), self.line_of(span()));
                self.note(&detail);
                if self.opts.trace {
                    let name = t.name();
                    self.trace("wait", &name, &detail);
                }
            }
        }
        t.set_slot(Slot::Wait(r, span()));
    }

    /// `t.cancel()`.
    pub fn cancel_task(&mut self, t: &Rc<Task>) -> bool {
        if t.state.get() == TaskState::Done {
            return false;
        }
        if self.opts.trace {
            let name = t.name();
            let detail = match (self.actor(), self.current_span) {
                (Some(who), Some(span)) => format!("requested by {} at {}", who, self.line_of(span)),
                (Some(who), None) => format!("requested by {}", who),
                (None, _) => "requested".to_string(),
            };
            self.trace("cancel", &name, &detail);
        }
        let cancelled = || raise_value(new_exception(&types().cancelled, vec![]));
        match t.state.get() {
            TaskState::Running => {
                t.cancel_requested.set(true);
                return true;
            }
            TaskState::Ready => {
                let old = match t.replace_slot(Slot::Resume(Resume::Throw(cancelled()))) {
                    Slot::Resume(r) => Some(r),
                    _ => None,
                };
                // An item handed to this getter goes back to the queue (or the next getter).
                let handed = t.take_extra(|e| e.handoff.take());
                if let (Some(q), Some(Resume::Send(item))) = (handed, old) {
                    q.in_flight.set(q.in_flight.get().saturating_sub(1));
                    let next = pop_live(&q.getters);
                    match next {
                        Some(g) => self.hand_to_getter(&q, &g, item),
                        None => q.items.borrow_mut().push_front((item, 0)),
                    }
                }
                // A joiner cancelled before it received a task's exception: the failure is
                // still unretrieved, and is reported as such.
                let joined = t.take_extra(|e| e.join_of.take());
                if let Some(failed) = joined {
                    let pending = failed.with_extra(|e| {
                        e.pending_joiners = e.pending_joiners.saturating_sub(1);
                        e.pending_joiners
                    });
                    if pending == 0
                        && !failed.retrieved.get()
                        && !self.sched.failed.iter().any(|f| Rc::ptr_eq(f, &failed))
                    {
                        // As when it failed with no joiner: the REPL says so at the prompt.
                        if self.sched.interactive {
                            self.sched.announce.push(failed.clone());
                        }
                        self.sched.failed.push(failed);
                    }
                }
                // The item of a putter cancelled before it ran is not delivered (asyncio's
                // rule): it leaves the queue, and the next blocked putter may come in.
                let put = t.take_extra(|e| e.put_handoff.take());
                match put {
                    Some(PutHandoff::Queued(q, ticket)) => {
                        let at = q.items.borrow().iter().position(|(_, k)| *k == ticket);
                        if let Some(at) = at {
                            q.items.borrow_mut().remove(at);
                            self.admit_putters(&q);
                        }
                    }
                    Some(PutHandoff::ToGetter(q, g, span)) => self.take_back_from_getter(&q, &g, span),
                    None => {}
                }
                return true;
            }
            _ => {}
        }
        if let Slot::Wait(r, _) = t.replace_slot(Slot::Idle) {
            match r {
                // Its timer dies with the wait.
                Request::Sleep(_) => t.wait_seq.set(t.wait_seq.get() + 1),
                // Its entry in the wait list dies with the wait (`Waiter`): nothing to search.
                Request::Get(_) | Request::Put(..) | Request::Join(_) | Request::Wait(_) => {}
            }
        }
        t.state.set(TaskState::Waiting);
        self.make_ready(t, Resume::Throw(cancelled()), Why::Cancel);
        true
    }
}
