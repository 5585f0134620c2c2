//! The scheduler's API as programs see it: the globals (`spawn`, `sleep`, `call_soon`,
//! `call_later`, `now`, `current_task`, `Queue`, `Event`) and the methods of tasks, queues,
//! events and handles.

use super::*;
use crate::code::Flavor;

pub fn install(it: &mut Interp) {
    it.sched_hooks = SchedHooks {
        awaitable: super::awaitable_iter,
        delegate: Interp::sched_delegate,
        done: Interp::recycle_request,
        await_now: Interp::await_now,
        await_call: Interp::await_call,
        out_line: Interp::trace_out_line,
        switch: Interp::switch_in_loop,
        finish: Interp::finish_in_loop,
    };
    let fns: &[(&'static str, NativeFn)] = &[
        ("spawn", api_spawn),
        ("sleep", api_sleep),
        ("call_soon", api_call_soon),
        ("call_later", api_call_later),
        ("now", api_now),
        ("current_task", api_current_task),
    ];
    for (name, f) in fns {
        it.builtins.insert(Symbol::intern(name), crate::builtins::native(name, *f));
    }
    CLASSES.with(|c| {
        it.builtins.insert(Symbol::intern("Queue"), Value::Class(c.queue.clone()));
        it.builtins.insert(Symbol::intern("Event"), Value::Class(c.event.clone()));
        it.builtins.insert(Symbol::intern("Task"), Value::Class(c.task.clone()));
    });
}

/// `Queue(maxsize=0)` and `Event()`.
pub fn construct(
    it: &mut Interp,
    cls: &Rc<Class>,
    args: &[Value],
    kw: &[(Symbol, Value)],
) -> R<Option<Value>> {
    let (is_queue, is_event) = CLASSES.with(|c| (Rc::ptr_eq(cls, &c.queue), Rc::ptr_eq(cls, &c.event)));
    if is_queue {
        crate::builtins::check_kw("Queue", kw, &[sym::MAXSIZE])?;
        crate::builtins::arity("Queue", args, 0, 1)?;
        let maxsize = match args.first().cloned().or_else(|| crate::builtins::kwarg(kw, sym::MAXSIZE)) {
            Some(v) => it.index_of(&v)?.max(0) as usize,
            None => 0,
        };
        it.sched.next_queue_id += 1;
        let q = AQueue {
            id: it.sched.next_queue_id,
            items: RefCell::new(VecDeque::new()),
            in_flight: Cell::new(0),
            next_ticket: Cell::new(0),
            maxsize,
            closed: Cell::new(false),
            getters: RefCell::new(VecDeque::new()),
            putters: RefCell::new(VecDeque::new()),
        };
        return Ok(Some(sched_value(SchedObj::Queue(Rc::new(q)))));
    }
    if is_event {
        crate::builtins::arity("Event", args, 0, 0)?;
        it.sched.next_event_id += 1;
        let e =
            EventObj { id: it.sched.next_event_id, set: Cell::new(false), waiters: RefCell::new(Vec::new()) };
        return Ok(Some(sched_value(SchedObj::Event(Rc::new(e)))));
    }
    Ok(None)
}

fn api_spawn(it: &mut Interp, _t: &Value, args: &[Value], kw: &[(Symbol, Value)]) -> R<Value> {
    crate::builtins::check_kw("spawn", kw, &[sym::NAME_KW])?;
    crate::builtins::arity("spawn", args, 1, 1)?;
    let coro = &args[0];
    let g = match coro {
        Value::Gen(g) => g.clone(),
        Value::Func(f) => {
            let name = f.code.name;
            let help = match f.code.flavor {
                Flavor::Coroutine => format!("call the function to get a coroutine: spawn({name}())"),
                Flavor::Generator => format!("call the function to get a generator: spawn({name}())"),
                Flavor::AsyncGenerator => {
                    "an async generator is iterated with `async for`, not spawned: spawn a coroutine that does".to_string()
                }
                // A lambda cannot be an `async def`: say what a task needs.
                Flavor::Plain if name.as_str() == "<lambda>" => {
                    "a task runs a coroutine: write an `async def` function and spawn a call of it, as in spawn(work())".to_string()
                }
                Flavor::Plain => format!("make `{name}` an `async def`, then call it: spawn({name}())"),
            };
            return Err(type_error("spawn() takes a coroutine or generator object, not a function")
                .label_on(At::Arg(0), coro, "this is a function")
                .help(help));
        }
        Value::Method(m) if matches!(&m.1, Value::Func(f) if f.code.flavor != Flavor::Plain) => {
            let name = match &m.1 {
                Value::Func(f) => f.code.name,
                _ => sym::CALL,
            };
            let what = if matches!(&m.1, Value::Func(f) if f.code.flavor == Flavor::Coroutine) {
                "a coroutine"
            } else {
                "a generator"
            };
            return Err(type_error("spawn() takes a coroutine or generator object, not a method")
                .label_on(At::Arg(0), coro, "this is a method")
                .help(format!("call the method to get {what}: did you mean spawn(obj.{name}())?")));
        }
        other => {
            let t = it.type_name(other);
            return Err(type_error(format!("spawn() takes a coroutine or generator object, not '{}'", t))
                .label_on(At::Arg(0), other, format!("this is {}", crate::hint::a_type(&t))));
        }
    };
    if g.used.get() || g.state.get() != GenState::Created {
        let kind = if g.is_coroutine { "coroutine" } else { "generator" };
        return Err(runtime_error(format!("this {} object was already started or spawned", kind))
            .label_on(At::Arg(0), coro, "started or spawned before")
            .help(format!("a {} object runs once; make a new one: spawn({}())", kind, g.name())));
    }
    g.used.set(true);
    let name = match crate::builtins::kwarg(kw, sym::NAME_KW) {
        // Named after its function, suffixed from the second one on (`worker`, `worker#2`), so
        // every report and trace line tells tasks apart.
        None | Some(Value::None) => TaskName::Auto(it.sched.name_used(g.name())),
        Some(v) => TaskName::Given(it.to_str(&v)?.into()),
    };
    let span = it.current_span.unwrap_or_default();
    let t = it.spawn_task(g, name, span);
    Ok(task_value(&t))
}

/// The longest delay `sleep` and `call_later` take: 2^62 nanoseconds, about 146 years.
const MAX_DELAY_SECS: f64 = 4_611_686_018.0;

/// A delay in seconds: the first argument of `sleep` and `call_later`.
fn delay_arg(it: &Interp, v: &Value, what: &str) -> R<f64> {
    let bad = |e: Fault, label: String| Err(e.label_on(At::Arg(0), v, label));
    let d = match v {
        Value::Int(i) => *i as f64,
        // A big integer is a delay beyond the clock's range (checked below).
        Value::BigInt(b) if b.sign() != num_bigint::Sign::Minus => f64::MAX,
        Value::BigInt(b) => {
            let e = value_error(format!("{} must be >= 0, not {}", what, b));
            return bad(e, "negative".into());
        }
        Value::Float(f) => *f,
        Value::Bool(b) => *b as i64 as f64,
        _ => {
            let t = it.type_name(v);
            let e = type_error(format!("{} must be an int or float, not '{}'", what, t));
            return bad(e, format!("this is {}", crate::hint::a_type(&t)));
        }
    };
    if d.is_nan() {
        return bad(value_error(format!("{} must be a number, not NaN", what)), "not a number".into());
    }
    if d < 0.0 {
        let shown = match v {
            Value::Float(f) => float_repr(*f),
            _ => format!("{}", d as i64),
        };
        return bad(value_error(format!("{} must be >= 0, not {}", what, shown)), "negative".into());
    }
    if d.is_infinite() {
        return bad(value_error(format!("{} must be finite", what)), "infinite".into());
    }
    // The clock counts whole nanoseconds in 63 bits: about 146 years is the longest delay.
    if d >= MAX_DELAY_SECS {
        return bad(
            overflow_error(format!(
                "{} is too large: at most {} seconds (about 146 years)",
                what, MAX_DELAY_SECS as i64
            )),
            "too large".into(),
        );
    }
    Ok(d)
}

pub(super) fn api_sleep(it: &mut Interp, _t: &Value, args: &[Value], kw: &[(Symbol, Value)]) -> R<Value> {
    let d = match (args, kw) {
        // `sleep(0)` checks nothing more.
        ([Value::Int(0)], []) => 0.0,
        // As asyncio's: `sleep(delay=1)`.
        (_, [_, ..]) => {
            crate::builtins::check_kw("sleep", kw, &[sym::DELAY])?;
            match (args, kw) {
                ([], [(_, d)]) => delay_arg(it, d, "sleep() delay")?,
                // A positional delay and `delay=` (the only keyword allowed, given once).
                _ => return Err(type_error("sleep() got multiple values for argument 'delay'")),
            }
        }
        // asyncio's words for the missing delay.
        ([], []) => return Err(crate::interp::call::missing_error("sleep", "positional", &[sym::DELAY])),
        _ => {
            crate::builtins::arity("sleep", args, 1, 1)?;
            delay_arg(it, &args[0], "sleep() delay")?
        }
    };
    if d == 0.0 {
        // `await sleep(0)` is the common way to give the turn away: one shared request, so a
        // task switch allocates nothing.
        return Ok(it.sched.zero_sleep.get_or_insert_with(|| request_value(Request::Sleep(0.0))).clone());
    }
    Ok(it.new_request(Request::Sleep(d)))
}

/// Argument `index` of `who`, which must be callable.
fn check_callable(it: &mut Interp, f: &Value, who: &str, index: u8) -> R<()> {
    // A callback runs to its end in one go: a coroutine function would only make a coroutine
    // nobody runs (asyncio refuses it in the same words).
    let coroutine = match f {
        Value::Func(fun) => fun.code.flavor == Flavor::Coroutine,
        Value::Method(m) => matches!(&m.1, Value::Func(fun) if fun.code.flavor == Flavor::Coroutine),
        _ => false,
    };
    if coroutine {
        return Err(type_error(format!("coroutines cannot be used with {}()", who))
            .label_on(At::Arg(index), f, "this is a coroutine function")
            .help("callbacks are plain functions; to run a coroutine, spawn it: spawn(f())"));
    }
    let ok = match f {
        Value::Func(_) | Value::Builtin(_) | Value::Method(_) | Value::Class(_) => true,
        Value::Instance(_) => it.has_method(f, sym::CALL),
        _ => false,
    };
    if !ok {
        let t = it.type_name(f);
        return Err(type_error(format!("{}() needs a callable, not '{}'", who, t)).label_on(
            At::Arg(index),
            f,
            format!("this is {}", crate::hint::a_type(&t)),
        ));
    }
    Ok(())
}

fn api_call_soon(it: &mut Interp, _t: &Value, args: &[Value], _kw: &[(Symbol, Value)]) -> R<Value> {
    if args.is_empty() {
        return Err(type_error("call_soon() missing the callback"));
    }
    check_callable(it, &args[0], "call_soon", 0)?;
    let h = Rc::new(HandleObj {
        scheduled_at: it.current_span.unwrap_or_default(),
        func: args[0].clone(),
        args: args[1..].to_vec(),
        cancelled: Cell::new(false),
        when: None,
    });
    it.sched.ready.push_back(Entry::Callback(h.clone()));
    Ok(sched_value(SchedObj::Handle(h)))
}

fn api_call_later(it: &mut Interp, _t: &Value, args: &[Value], _kw: &[(Symbol, Value)]) -> R<Value> {
    if args.len() < 2 {
        return Err(type_error("call_later() takes a delay and a callback"));
    }
    let d = delay_arg(it, &args[0], "call_later() delay")?;
    check_callable(it, &args[1], "call_later", 1)?;
    let deadline = it.now_ns().saturating_add(secs_to_ns(d));
    let when = deadline as f64 / 1e9;
    let h = Rc::new(HandleObj {
        scheduled_at: it.current_span.unwrap_or_default(),
        func: args[1].clone(),
        args: args[2..].to_vec(),
        cancelled: Cell::new(false),
        when: Some(when),
    });
    it.sched.seq += 1;
    let seq = it.sched.seq;
    it.sched.timers.push(Timer { deadline, seq, kind: TimerKind::Callback(h.clone()) });
    Ok(sched_value(SchedObj::Handle(h)))
}

fn api_now(it: &mut Interp, _t: &Value, args: &[Value], _kw: &[(Symbol, Value)]) -> R<Value> {
    crate::builtins::arity("now", args, 0, 0)?;
    Ok(Value::Float(it.now()))
}

fn api_current_task(it: &mut Interp, _t: &Value, args: &[Value], _kw: &[(Symbol, Value)]) -> R<Value> {
    crate::builtins::arity("current_task", args, 0, 0)?;
    Ok(match &it.sched.current {
        Some(t) => task_value(&t.clone()),
        None => Value::None,
    })
}

/// Methods of scheduler objects: each kind has its own (`hasattr(Queue(), 'cancel')` is False).
pub fn method(obj: &SchedObj, name: Symbol) -> Option<(&'static str, NativeFn)> {
    let its_own = match obj {
        SchedObj::Queue(_) => matches!(
            name,
            sym::PUT
                | sym::GET
                | sym::PUT_NOWAIT
                | sym::GET_NOWAIT
                | sym::QSIZE
                | sym::EMPTY
                | sym::FULL
                | sym::CLOSE
                | sym::AITER
                | sym::ANEXT
        ),
        SchedObj::Event(_) => matches!(name, sym::WAIT | sym::SET | sym::CLEAR | sym::IS_SET),
        SchedObj::Task(_) => matches!(name, sym::JOIN | sym::DONE | sym::CANCELLED | sym::CANCEL),
        SchedObj::Handle(_) => matches!(name, sym::CANCEL | sym::CANCELLED),
        SchedObj::Request(_) => false,
    };
    if !its_own {
        return None;
    }
    Some(match name {
        sym::PUT => ("put", |it, t, a, _| {
            crate::builtins::arity("put", a, 1, 1)?;
            let q = queue_of(it, t)?;
            Ok(it.new_request(Request::Put(q, a[0].clone())))
        }),
        // `async for item in q:` gets items until the queue is closed and empty.
        sym::AITER => ("__aiter__", |it, t, a, _| {
            crate::builtins::arity("__aiter__", a, 0, 0)?;
            queue_of(it, t)?;
            Ok(t.clone())
        }),
        sym::ANEXT => ("__anext__", |it, t, a, _| {
            crate::builtins::arity("__anext__", a, 0, 0)?;
            let q = queue_of(it, t)?;
            let inner = it.new_request(Request::Get(q));
            let (from, to) = (it.t.queue_closed.clone(), it.t.stop_async_iteration.clone());
            Ok(Value::Native(Rc::new(Native::AwaitTranslate { inner, from, to })))
        }),
        sym::GET => ("get", |it, t, a, _| {
            crate::builtins::arity("get", a, 0, 0)?;
            let q = queue_of(it, t)?;
            Ok(it.new_request(Request::Get(q)))
        }),
        sym::PUT_NOWAIT => ("put_nowait", |it, t, a, _| {
            crate::builtins::arity("put_nowait", a, 1, 1)?;
            let q = queue_of(it, t)?;
            if it.queue_put_now(&q, a[0].clone())? {
                Ok(Value::None)
            } else {
                Err(raise_value(new_exception(&it.t.queue_full, vec![])))
            }
        }),
        sym::GET_NOWAIT => ("get_nowait", |it, t, a, _| {
            crate::builtins::arity("get_nowait", a, 0, 0)?;
            let q = queue_of(it, t)?;
            match it.queue_get_now(&q)? {
                Some(v) => Ok(v),
                None => Err(raise_value(new_exception(&it.t.sched_queue_empty, vec![]))),
            }
        }),
        // What a get could take now: an item handed to a getter that has not run yet is the
        // getter's (so `while not q.empty(): q.get_nowait()` never fails), but it still counts
        // against `maxsize`: `full()` is true when a put would block.
        sym::QSIZE => ("qsize", |it, t, a, _| {
            crate::builtins::arity("Queue.qsize", a, 0, 0)?;
            Ok(Value::Int(queue_of(it, t)?.items.borrow().len() as i64))
        }),
        sym::EMPTY => ("empty", |it, t, a, _| {
            crate::builtins::arity("Queue.empty", a, 0, 0)?;
            Ok(Value::Bool(queue_of(it, t)?.items.borrow().is_empty()))
        }),
        sym::FULL => ("full", |it, t, a, _| {
            crate::builtins::arity("Queue.full", a, 0, 0)?;
            let q = queue_of(it, t)?;
            Ok(Value::Bool(q.maxsize > 0 && queue_len(&q) >= q.maxsize))
        }),
        sym::CLOSE => ("close", |it, t, a, _| {
            crate::builtins::arity("Queue.close", a, 0, 0)?;
            let q = queue_of(it, t)?;
            it.queue_close(&q);
            Ok(Value::None)
        }),
        sym::WAIT => ("wait", |it, t, a, _| {
            crate::builtins::arity("Event.wait", a, 0, 0)?;
            let e = event_of(it, t)?;
            Ok(it.new_request(Request::Wait(e)))
        }),
        sym::SET => ("set", |it, t, a, _| {
            crate::builtins::arity("Event.set", a, 0, 0)?;
            let e = event_of(it, t)?;
            it.event_set(&e);
            Ok(Value::None)
        }),
        sym::CLEAR => ("clear", |it, t, a, _| {
            crate::builtins::arity("Event.clear", a, 0, 0)?;
            event_of(it, t)?.set.set(false);
            Ok(Value::None)
        }),
        sym::IS_SET => ("is_set", |it, t, a, _| {
            crate::builtins::arity("Event.is_set", a, 0, 0)?;
            Ok(Value::Bool(event_of(it, t)?.set.get()))
        }),
        sym::JOIN => ("join", |it, t, a, _| {
            crate::builtins::arity("join", a, 0, 0)?;
            let task = task_of(it, t)?;
            if it.sched.current.as_ref().is_some_and(|c| Rc::ptr_eq(c, &task)) {
                return Err(runtime_error(format!(
                    "task '{}' cannot join itself: it would wait forever",
                    task.name()
                ))
                .label_on(At::Operand(0), t, "this is the running task"));
            }
            Ok(it.new_request(Request::Join(task)))
        }),
        sym::DONE => ("done", |it, t, a, _| {
            crate::builtins::arity("Task.done", a, 0, 0)?;
            Ok(Value::Bool(task_of(it, t)?.state.get() == TaskState::Done))
        }),
        sym::CANCELLED => ("cancelled", |it, t, a, _| {
            crate::builtins::arity("cancelled", a, 0, 0)?;
            match sched_of(t) {
                Some(SchedObj::Handle(h)) => Ok(Value::Bool(h.cancelled.get())),
                _ => Ok(Value::Bool(task_of(it, t)?.end_kind() == Some(EndKind::Cancelled))),
            }
        }),
        sym::CANCEL => ("cancel", |it, t, a, _| {
            match sched_of(t) {
                Some(SchedObj::Handle(h)) => {
                    crate::builtins::arity("cancel", a, 0, 0)?;
                    let was = h.cancelled.replace(true);
                    Ok(Value::Bool(!was))
                }
                _ => {
                    // asyncio's `Task.cancel(msg=None)` takes a message; tinyasync's
                    // CancelledError does not carry it (it never did).
                    crate::builtins::arity("Task.cancel", a, 0, 1)?;
                    let task = task_of(it, t)?;
                    Ok(Value::Bool(it.cancel_task(&task)))
                }
            }
        }),
        _ => return None,
    })
}

/// The items a queue holds against its `maxsize`: those in it and those handed to getters
/// that have not run yet.
fn queue_len(q: &AQueue) -> usize {
    q.items.borrow().len() + q.in_flight.get()
}

fn queue_of(it: &Interp, v: &Value) -> R<Rc<AQueue>> {
    match sched_of(v) {
        Some(SchedObj::Queue(q)) => Ok(q.clone()),
        _ => Err(type_error(format!("expected a Queue, not '{}'", it.type_name(v)))),
    }
}
fn event_of(it: &Interp, v: &Value) -> R<Rc<EventObj>> {
    match sched_of(v) {
        Some(SchedObj::Event(e)) => Ok(e.clone()),
        _ => Err(type_error(format!("expected an Event, not '{}'", it.type_name(v)))),
    }
}
fn task_of(it: &Interp, v: &Value) -> R<Rc<Task>> {
    match sched_of(v) {
        Some(SchedObj::Task(t)) => Ok(Rc::clone(t)),
        _ => Err(type_error(format!("expected a Task, not '{}'", it.type_name(v)))),
    }
}
