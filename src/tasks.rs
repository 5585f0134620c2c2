//! The objects of the built-in scheduler as a program holds them: tasks, queues, events,
//! callback handles and the requests a task awaits (`sleep(d)`, `q.get()`, ...). They are
//! values (`Native::Sched`), like generators, and hold only state; what happens to them (runs,
//! waits, hand-offs, cancellation) is the scheduler's (`scheduler/`), which sits above the VM.

use crate::interp::generators::Resume;
use crate::interp::*;
use crate::span::Span;
use crate::value::*;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

/// Scheduler objects stored in `Native::Sched`.
pub enum SchedObj {
    /// A task handle as the program sees it (`spawn` returns it).
    Task(TaskRef),
    Queue(Rc<AQueue>),
    Event(Rc<EventObj>),
    Handle(Rc<HandleObj>),
    /// Something to wait for: `sleep(d)`, `q.get()`, `q.put(x)`, `t.join()`, `e.wait()`.
    /// `await request` delegates to the request itself (see `sched_delegate`), so waiting
    /// allocates nothing beyond the request.
    Request(RequestObj),
}

/// A request object: what it asks, where it was made, and whether anything awaited it.
pub struct RequestObj {
    pub r: Request,
    pub created_at: Span,
    pub awaited: Cell<bool>,
}

thread_local! {
    /// Requests dropped without ever being awaited (`q.put(x)` without `await`): which kind
    /// (`Request::kind_name`) and where each was made, for the warnings at the end of a run.
    pub static NEVER_AWAITED: RefCell<Vec<(&'static str, Span)>> = const { RefCell::new(Vec::new()) };
}

impl Drop for RequestObj {
    fn drop(&mut self) {
        if !self.awaited.get() {
            let kind = self.r.kind_name();
            let _ = NEVER_AWAITED.try_with(|v| v.borrow_mut().push((kind, self.created_at)));
        }
    }
}

impl Request {
    /// The coroutine asyncio would name: `Queue.put`, `sleep`, ...
    pub fn kind_name(&self) -> &'static str {
        match self {
            Request::Sleep(_) => "sleep",
            Request::Get(_) => "Queue.get",
            Request::Put(..) => "Queue.put",
            Request::Join(_) => "Task.join",
            Request::Wait(_) => "Event.wait",
        }
    }
}

#[derive(Clone)]
pub enum Request {
    Sleep(f64),
    Get(Rc<AQueue>),
    Put(Rc<AQueue>, Value),
    Join(Rc<Task>),
    Wait(Rc<EventObj>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    Ready,
    Running,
    Sleeping,
    Waiting,
    Done,
}

pub enum TaskEnd {
    Returned(Value),
    Failed(Box<Exc>),
    Cancelled,
}

/// A task's name: most are named after their coroutine's function, with a number from the
/// second one on (`worker`, `worker#2`), kept as that pair rather than as a string of their own.
pub enum TaskName {
    /// Its coroutine's function's name, as the how-manieth task of that name (1 for the first).
    Auto(u32),
    /// A name given (`spawn(c, name=...)`, the REPL's inputs, `main`).
    Given(Box<str>),
}

/// The program's handle on a task (`Native::Sched(SchedObj::Task(..))`): made only by
/// `scheduler::task_value`, at most one alive per task. The task keeps the handle's address
/// (`Task::handle`), not a reference: when the program lets the handle go, this `Drop` tells
/// the task, and no allocation stays behind (a `Weak` kept 96 bytes per task alive).
pub struct TaskRef(Rc<Task>);

impl TaskRef {
    /// Only `task_value` calls this, and records the handle's address right after.
    pub(crate) fn new(t: Rc<Task>) -> TaskRef {
        TaskRef(t)
    }
}

impl std::ops::Deref for TaskRef {
    type Target = Rc<Task>;
    fn deref(&self) -> &Rc<Task> {
        &self.0
    }
}

impl Drop for TaskRef {
    fn drop(&mut self) {
        self.0.handle.set(std::ptr::null());
    }
}

/// A task: 80 bytes, 96 with its reference counts (one of the allocator's size classes; 112
/// took 128). Its name's function and where it was spawned are its coroutine's (the name is the
/// coroutine's function's; a spawned coroutine keeps the place of the spawn in the place of its
/// creation, which only the "never awaited" warning read, and a spawned coroutine is used).
/// What few tasks need (joiners, hand-offs, a given name) is boxed apart, and what it holds
/// between steps (what to send in, what it waits on, how it ended) shares one slot, since it
/// holds one at a time; both are `Cell`s, with no borrow flag.
pub struct Task {
    /// Numbered in spawn order from 1. (32 bits, so that a task fits its size class: past
    /// 4,294,967,295 spawns the numbers wrap, and what tells tasks apart by number could then
    /// confuse two: the order of reports, the deadlock report's join cycles, the timeline's
    /// rows. The scheduler itself goes by the task, never by its number.)
    id: u32,
    /// Where the task is in the scheduler's table of unfinished tasks (see `TaskTable`).
    table_at: Cell<u32>,
    /// Which task named after its coroutine's function this is (1 for the first); 0 for a
    /// task with a name of its own, kept in `extra` (see `TaskName`).
    name_no: u32,
    pub state: Cell<TaskState>,
    /// The main program: its failure is reported as a plain uncaught exception.
    pub is_main: Cell<bool>,
    /// Its exception was delivered to a joiner.
    pub retrieved: Cell<bool>,
    pub cancel_requested: Cell<bool>,
    /// Counts the task's waits (sleeps included): an entry in a wait list, or a sleep's
    /// timer, is live only while the task is still in the wait it was made for (see
    /// `Waiter`); cancelling a sleep counts one more, so that its timer is dead.
    pub wait_seq: Cell<u64>,
    pub coro: Rc<Generator>,
    /// What the task holds between its steps: what its next step sends in, what it waits
    /// on, or how it ended (see `Slot`). Read only through `peek`, with closures that copy
    /// out of it and run nothing else.
    slot: Cell<Slot>,
    /// The address of the program's handle while one is alive (null when there is none: a
    /// failure can then no longer be joined). See `TaskRef`.
    pub handle: Cell<*const Native>,
    /// What few tasks need (joiners, hand-offs in progress, a name given), boxed when first
    /// needed: a task that only runs and sleeps stays small. Taken out while looked at
    /// (`with_extra`, `take_extra`) and put back.
    extra: Cell<Option<Box<TaskExtra>>>,
}

/// The unfinished tasks, in no order: each task knows its place, so adding and removing one
/// is O(1) with no hashing (removal moves the last task into the hole). Reports that list
/// tasks sort them by id, i.e. in spawn order.
#[derive(Default)]
pub struct TaskTable(Vec<Rc<Task>>);

impl TaskTable {
    pub fn add(&mut self, t: Rc<Task>) {
        // Past u32::MAX tasks alive (half a terabyte of them) the place is not kept, and
        // `remove` searches for the task instead.
        t.table_at.set(u32::try_from(self.0.len()).unwrap_or(u32::MAX));
        self.0.push(t);
    }

    /// Takes `t` out of the table; false if it was not there.
    pub fn remove(&mut self, t: &Rc<Task>) -> bool {
        let at = match t.table_at.get() {
            // Not in the table (never added, or removed), or past u32::MAX tasks: searched.
            u32::MAX => match self.0.iter().position(|x| Rc::ptr_eq(x, t)) {
                Some(i) => i,
                None => return false,
            },
            // Trusted: a slip in the bookkeeping leaves a finished task in the table, which
            // the end of a run reports as a deadlock, rather than being searched around.
            i => i as usize,
        };
        if !self.0.get(at).is_some_and(|x| Rc::ptr_eq(x, t)) {
            return false;
        }
        self.0.swap_remove(at);
        if let Some(moved) = self.0.get(at) {
            moved.table_at.set(u32::try_from(at).unwrap_or(u32::MAX));
        }
        t.table_at.set(u32::MAX);
        true
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Rc<Task>> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What a task holds between its steps, one thing at a time, by its state.
#[derive(Default)]
pub enum Slot {
    /// Nothing: a new task (its first step starts it), one running, or one ready whose next
    /// step sends `None` (a task that gave the turn away inside the VM's loop, see
    /// `switch_in_loop`).
    #[default]
    Idle,
    /// Ready: what its next step sends or throws in (none: `None`).
    Resume(Resume),
    /// Sleeping or waiting: on what, and where (for cancellation, deadlock reports, dumps).
    Wait(Request, Span),
    /// Done: how it ended.
    End(TaskEnd),
}

/// The rarer parts of a task (`Task::extra`).
#[derive(Default)]
pub struct TaskExtra {
    pub joiners: Vec<Waiter>,
    /// The queue that handed this (ready, not yet run) task an item: a cancellation before the
    /// task runs gives the item back.
    pub handoff: Option<Rc<AQueue>>,
    /// A blocked putter whose item went in while the putter is ready but has not run: a
    /// cancellation before it runs takes the item back (see `PutHandoff`).
    pub put_handoff: Option<PutHandoff>,
    /// A joiner made ready with this failed task's exception, which it has not received yet
    /// (it runs, or a cancellation takes the exception away from it).
    pub join_of: Option<Rc<Task>>,
    /// Joiners made ready with this task's exception that have not run yet: while any is
    /// pending the failure is not reported as unretrieved.
    pub pending_joiners: usize,
    /// The name given to the task (`spawn(c, name=...)`, the REPL's inputs, `main`).
    pub given_name: Option<Box<str>>,
}

/// How a task ended, without what it ended with (`Task::end_kind`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EndKind {
    Returned,
    Failed,
    Cancelled,
}

impl Task {
    pub fn new(id: u64, name: TaskName, coro: Rc<Generator>, spawned_at: Span) -> Task {
        let (name_no, given) = match name {
            TaskName::Auto(n) => (n.max(1), None),
            TaskName::Given(s) => (0, Some(s)),
        };
        coro.in_task.set(true);
        // A spawned coroutine is used, so its place of creation is never reported again: the
        // spawn's place is kept there instead (see `spawned_at`).
        coro.used.set(true);
        coro.created_at.set(spawned_at);
        let t = Task {
            // (Wraps past u32::MAX spawns: see the field.)
            id: id as u32,
            table_at: Cell::new(u32::MAX),
            name_no,
            state: Cell::new(TaskState::Ready),
            is_main: Cell::new(false),
            retrieved: Cell::new(false),
            cancel_requested: Cell::new(false),
            wait_seq: Cell::new(0),
            coro,
            slot: Cell::new(Slot::Idle),
            handle: Cell::new(std::ptr::null()),
            extra: Cell::new(None),
        };
        if given.is_some() {
            t.with_extra(|e| e.given_name = given);
        }
        t
    }

    /// Its number, in spawn order from 1.
    #[inline]
    pub fn id(&self) -> u64 {
        u64::from(self.id)
    }

    /// Where it was spawned (kept by its coroutine: see `Task::new`).
    #[inline]
    pub fn spawned_at(&self) -> Span {
        self.coro.created_at.get()
    }

    /// The task's name, as reports, traces and `t.name` show it.
    pub fn name(&self) -> String {
        match self.name_no {
            0 => self.take_extra(|e| e.given_name.as_deref().map(str::to_string)).unwrap_or_default(),
            1 => self.coro.name().as_str().to_string(),
            n => format!("{}#{}", self.coro.name(), n),
        }
    }

    /// What `f` makes of the slot, looked at where it is.
    #[inline(always)]
    fn peek<T>(&self, f: impl FnOnce(&Slot) -> T) -> T {
        // SAFETY: a `Cell` is not shared between threads, and the reference ends within this
        // call. Only this file calls `peek`, each time with a closure that reads the slot or
        // clones out of it (reference counts, an exception's parts) and runs nothing that
        // could reach this cell.
        f(unsafe { &*self.slot.as_ptr() })
    }

    /// Puts `s` in the slot, in place of what was there.
    #[inline(always)]
    pub fn set_slot(&self, s: Slot) {
        let old = self.slot.replace(s);
        if matches!(old, Slot::Idle) {
            // `Idle` owns nothing: no call to the slot's drop glue on every switch (a task's
            // slot is Idle after its step took what to resume).
            std::mem::forget(old);
        } else {
            drop(old);
        }
    }

    /// Puts `s` in the slot, returning what was there.
    pub fn replace_slot(&self, s: Slot) -> Slot {
        self.slot.replace(s)
    }

    /// What the next step sends or throws in (None for a first step), taken out of the slot.
    #[inline(always)]
    pub fn take_resume(&self) -> Option<Resume> {
        if !self.peek(|s| matches!(s, Slot::Resume(_))) {
            return None;
        }
        match self.slot.replace(Slot::Idle) {
            Slot::Resume(r) => Some(r),
            _ => None,
        }
    }

    /// Makes `r` what the next step sends or throws in, in place of what the slot held.
    #[inline(always)]
    pub fn set_resume(&self, r: Resume) {
        self.set_slot(Slot::Resume(r));
    }

    /// Whether the task's next step sends `None` (it is not ready with anything else to send
    /// or throw in).
    #[inline(always)]
    pub fn resumes_with_none(&self) -> bool {
        self.peek(|s| match s {
            Slot::Resume(r) => matches!(r, Resume::Send(Value::None)),
            _ => true,
        })
    }

    /// The value its next step sends in, if it is ready with one.
    pub fn resume_item(&self) -> Option<Value> {
        self.peek(|s| match s {
            Slot::Resume(Resume::Send(v)) => Some(v.clone()),
            _ => None,
        })
    }

    /// Whether the slot holds nothing (the task is new or running, or ready to be sent
    /// `None`).
    pub fn slot_is_idle(&self) -> bool {
        self.peek(|s| matches!(s, Slot::Idle))
    }

    /// What the task waits on, if it sleeps or waits.
    pub fn wait(&self) -> Option<Request> {
        self.peek(|s| match s {
            Slot::Wait(r, _) => Some(r.clone()),
            _ => None,
        })
    }

    /// Where the task waits, if it sleeps or waits.
    #[inline]
    pub fn wait_span(&self) -> Option<Span> {
        self.peek(|s| match s {
            Slot::Wait(_, span) => Some(*span),
            _ => None,
        })
    }

    /// How the task ended, once it is done.
    #[inline]
    pub fn end_kind(&self) -> Option<EndKind> {
        self.peek(|s| match s {
            Slot::End(TaskEnd::Returned(_)) => Some(EndKind::Returned),
            Slot::End(TaskEnd::Failed(_)) => Some(EndKind::Failed),
            Slot::End(TaskEnd::Cancelled) => Some(EndKind::Cancelled),
            _ => None,
        })
    }

    /// What it returned, once it has.
    pub fn returned(&self) -> Option<Value> {
        self.peek(|s| match s {
            Slot::End(TaskEnd::Returned(v)) => Some(v.clone()),
            _ => None,
        })
    }

    /// The exception it failed with, once it has: raised again, with its traceback (and the
    /// span it was raised at).
    pub fn failure(&self) -> Option<Exc> {
        self.peek(|s| match s {
            Slot::End(TaskEnd::Failed(x)) => Some(Exc { span: x.span, ..x.again() }),
            _ => None,
        })
    }

    /// The exception object it failed with, once it has.
    pub fn failed_value(&self) -> Option<Value> {
        self.peek(|s| match s {
            Slot::End(TaskEnd::Failed(x)) => Some(x.value.clone()),
            _ => None,
        })
    }

    /// What `f` makes of the rarer parts, made on first use. (They are out of the task while
    /// `f` runs: `f` must not look at this task's rarer parts itself.)
    pub fn with_extra<T>(&self, f: impl FnOnce(&mut TaskExtra) -> T) -> T {
        let mut e = self.extra.take().unwrap_or_default();
        let r = f(&mut e);
        let meanwhile = self.extra.replace(Some(e));
        debug_assert!(meanwhile.is_none(), "a task's rarer parts were changed while they were looked at");
        r
    }

    /// What `f` makes of the rarer parts, if the task has any (None when it has none). As
    /// for `with_extra`, `f` must not look at this task's rarer parts itself.
    pub fn take_extra<T>(&self, f: impl FnOnce(&mut TaskExtra) -> Option<T>) -> Option<T> {
        let mut e = self.extra.take()?;
        let r = f(&mut e);
        let meanwhile = self.extra.replace(Some(e));
        debug_assert!(meanwhile.is_none(), "a task's rarer parts were changed while they were looked at");
        r
    }

    /// Whether the task has any of the rarer parts.
    #[inline(always)]
    pub fn has_extra(&self) -> bool {
        let e = self.extra.take();
        let has = e.is_some();
        self.extra.set(e);
        has
    }

    /// The number of joiners made ready with this task's exception that have not run yet.
    pub fn pending_joiners(&self) -> usize {
        self.take_extra(|e| Some(e.pending_joiners)).unwrap_or(0)
    }

    /// Whether the program still holds the task's handle.
    pub fn has_handle(&self) -> bool {
        !self.handle.get().is_null()
    }
}

/// Where the item of an admitted putter went (`Task::put_handoff`).
pub enum PutHandoff {
    /// Into the queue, with this ticket.
    Queued(Rc<AQueue>, u64),
    /// To this waiting getter (made ready after the putter, so it has not run while the
    /// putter has not), which waited at this place.
    ToGetter(Rc<AQueue>, Rc<Task>, Span),
}

/// A task in a wait list (a queue's getters or putters, a task's joiners, an event's waiters),
/// with the number of the wait it joined for. Cancelling a waiting task leaves its entry
/// behind, dead, instead of searching the list (cancelling N waiters is O(N), not O(N²)); dead
/// entries are skipped as the list is consumed.
pub type Waiter = (Rc<Task>, u64);

pub struct AQueue {
    pub id: u64,
    /// The items, each with the ticket of the blocked putter that put it (0 for any other):
    /// see `Task::put_handoff`.
    pub items: RefCell<VecDeque<(Value, u64)>>,
    /// Items handed to waiting getters that have not run yet: no longer in the queue (`qsize`,
    /// `empty`, `get_nowait` do not see them) but still counted against `maxsize` (`full`,
    /// `put`), so that a bounded queue never holds more than its size.
    pub in_flight: Cell<usize>,
    pub next_ticket: Cell<u64>,
    pub maxsize: usize,
    pub closed: Cell<bool>,
    pub getters: RefCell<VecDeque<Waiter>>,
    pub putters: RefCell<VecDeque<(Waiter, Value)>>,
}

pub struct EventObj {
    pub id: u64,
    pub set: Cell<bool>,
    pub waiters: RefCell<Vec<Waiter>>,
}

impl HandleObj {
    /// The callback's name, for `--trace` and `:tasks`.
    pub fn name(&self) -> String {
        match &self.func {
            Value::Func(f) => f.code.qualname.to_string(),
            Value::Builtin(b) => b.name.to_string(),
            _ => "callback".to_string(),
        }
    }
}

pub struct HandleObj {
    /// Where `call_soon`/`call_later` was called, for the diagnostic if the callback fails.
    pub scheduled_at: Span,
    pub func: Value,
    pub args: Vec<Value>,
    pub cancelled: Cell<bool>,
    pub when: Option<f64>,
}

/// A task that cannot go on, for the deadlock report and the Ctrl-C dump.
pub struct BlockedTask {
    pub id: u64,
    pub is_main: bool,
    pub name: String,
    pub what: String,
    pub span: Span,
    /// What it waits on, when that is a queue or an event (`Queue#1`).
    pub object: Option<String>,
    /// The task it joins (id and name), if it waits for one to finish.
    pub joins: Option<(u64, String)>,
}
