//! The objects of the built-in scheduler as a program holds them: tasks, queues, events,
//! callback handles and the requests a task awaits (`sleep(d)`, `q.get()`, ...). They are
//! values (`Native::Sched`), like generators, and hold only state; what happens to them (runs,
//! waits, hand-offs, cancellation) is the scheduler's (`scheduler/`), which sits above the VM.

use crate::interp::generators::Resume;
use crate::interp::*;
use crate::span::{Span, Symbol};
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
    /// The function's name, and which task of that name this is (1 for the first).
    Auto(Symbol, u32),
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

pub struct Task {
    pub id: u64,
    /// The main program: its failure is reported as a plain uncaught exception.
    pub is_main: Cell<bool>,
    pub state: Cell<TaskState>,
    /// Its exception was delivered to a joiner.
    pub retrieved: Cell<bool>,
    pub cancel_requested: Cell<bool>,
    /// Where the task is in the scheduler's table of unfinished tasks (see `TaskTable`).
    table_at: Cell<u32>,
    /// The function its name comes from and which task of that name this is (1 for the
    /// first); 0 for a task with a name of its own, kept in `extra` (see `TaskName`).
    auto_name: (Symbol, u32),
    pub coro: Rc<Generator>,
    pub spawned_at: Span,
    /// What the task holds between its steps: what its next step sends in, what it waits
    /// on, or how it ended (see `Slot`).
    slot: RefCell<Slot>,
    /// Counts the task's waits (sleeps included): an entry in a wait list, or a sleep's
    /// timer, is live only while the task is still in the wait it was made for (see
    /// `Waiter`); cancelling a sleep counts one more, so that its timer is dead.
    pub wait_seq: Cell<u64>,
    /// The address of the program's handle while one is alive (null when there is none: a
    /// failure can then no longer be joined). See `TaskRef`.
    pub handle: Cell<*const Native>,
    /// What few tasks need (joiners, hand-offs in progress, a name given), boxed when first
    /// needed: a task that only runs and sleeps stays small (112 bytes).
    pub extra: RefCell<Option<Box<TaskExtra>>>,
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
pub enum Slot {
    /// Nothing: a new task (its first step starts it), one running, or one ready whose next
    /// step sends `None` (a task that gave the turn away inside the VM's loop, see
    /// `switch_in_loop`).
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

impl Task {
    pub fn new(id: u64, name: TaskName, coro: Rc<Generator>, spawned_at: Span) -> Task {
        let (auto_name, given) = match name {
            TaskName::Auto(f, n) => ((f, n.max(1)), None),
            TaskName::Given(s) => ((Symbol(0), 0), Some(s)),
        };
        coro.in_task.set(true);
        let t = Task {
            id,
            is_main: Cell::new(false),
            state: Cell::new(TaskState::Ready),
            retrieved: Cell::new(false),
            cancel_requested: Cell::new(false),
            table_at: Cell::new(u32::MAX),
            auto_name,
            coro,
            spawned_at,
            slot: RefCell::new(Slot::Idle),
            wait_seq: Cell::new(0),
            handle: Cell::new(std::ptr::null()),
            extra: RefCell::new(None),
        };
        if given.is_some() {
            t.extra().given_name = given;
        }
        t
    }

    /// The task's name, as reports, traces and `t.name` show it.
    pub fn name(&self) -> String {
        match self.auto_name {
            (_, 0) => {
                self.extra.borrow().as_ref().and_then(|e| e.given_name.as_deref()).unwrap_or("").to_string()
            }
            (f, 1) => f.as_str().to_string(),
            (f, n) => format!("{}#{}", f, n),
        }
    }

    /// Puts `s` in the slot, in place of what was there.
    #[inline(always)]
    pub fn set_slot(&self, s: Slot) {
        let mut slot = self.slot.borrow_mut();
        if matches!(*slot, Slot::Idle) {
            // SAFETY: `Idle` owns nothing (checked just above), so overwriting it without
            // running its destructor leaks nothing; this skips the call to the slot's drop
            // glue on every switch (a task's slot is Idle after its step took what to resume).
            unsafe { std::ptr::write(&mut *slot, s) }
        } else {
            *slot = s;
        }
    }

    /// Puts `s` in the slot, returning what was there.
    pub fn replace_slot(&self, s: Slot) -> Slot {
        self.slot.replace(s)
    }

    /// What the next step sends or throws in (None for a first step), taken out of the slot.
    #[inline(always)]
    pub fn take_resume(&self) -> Option<Resume> {
        let mut slot = self.slot.borrow_mut();
        if !matches!(*slot, Slot::Resume(_)) {
            return None;
        }
        match std::mem::replace(&mut *slot, Slot::Idle) {
            Slot::Resume(r) => Some(r),
            _ => None,
        }
    }

    /// Makes `r` what the next step sends or throws in, in place of what the slot held.
    #[inline(always)]
    pub fn set_resume(&self, r: Resume) {
        self.set_slot(Slot::Resume(r));
    }

    /// What the task's next step sends or throws in, if it is ready with one.
    #[inline]
    pub fn resume(&self) -> Option<std::cell::Ref<'_, Resume>> {
        std::cell::Ref::filter_map(self.slot.borrow(), |s| match s {
            Slot::Resume(r) => Some(r),
            _ => None,
        })
        .ok()
    }

    /// What the task waits on, if it sleeps or waits.
    #[inline]
    pub fn wait(&self) -> Option<std::cell::Ref<'_, Request>> {
        std::cell::Ref::filter_map(self.slot.borrow(), |s| match s {
            Slot::Wait(r, _) => Some(r),
            _ => None,
        })
        .ok()
    }

    /// Where the task waits, if it sleeps or waits.
    #[inline]
    pub fn wait_span(&self) -> Option<Span> {
        match &*self.slot.borrow() {
            Slot::Wait(_, span) => Some(*span),
            _ => None,
        }
    }

    /// How the task ended, once it is done.
    #[inline]
    pub fn end(&self) -> Option<std::cell::Ref<'_, TaskEnd>> {
        std::cell::Ref::filter_map(self.slot.borrow(), |s| match s {
            Slot::End(e) => Some(e),
            _ => None,
        })
        .ok()
    }

    /// The rarer parts, made on first use.
    pub fn extra(&self) -> std::cell::RefMut<'_, TaskExtra> {
        std::cell::RefMut::map(self.extra.borrow_mut(), |e| &mut **e.get_or_insert_with(Default::default))
    }

    /// Takes one of the rarer parts out (None when there are none).
    pub fn take_extra<T>(&self, f: impl FnOnce(&mut TaskExtra) -> Option<T>) -> Option<T> {
        self.extra.borrow_mut().as_mut().and_then(|e| f(e))
    }

    /// The number of joiners made ready with this task's exception that have not run yet.
    pub fn pending_joiners(&self) -> usize {
        self.extra.borrow().as_ref().map_or(0, |e| e.pending_joiners)
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
