//! The object model's operations, shared by the VM and the built-ins: the interpreter state,
//! errors (`Fault`) and the built-in type objects (`mod.rs`); calls and argument binding
//! (`call.rs`); resuming generators and coroutines and what can be awaited (`generators.rs`);
//! arithmetic, comparison, hashing, truthiness (`ops.rs`, `compare.rs`); attributes, methods,
//! subscripts and iteration (`attr.rs`). The dispatch loop itself is `vm/run.rs`.

pub mod asyncgen;
pub mod attr;
pub mod call;
pub mod compare;
pub mod descr;
pub mod finalize;
pub mod generators;
pub mod ops;
pub mod sets;

use crate::bytecode::{GlobalCache, GlobalCacheCell};
pub use crate::hint::{At, Hint, HintLabel, Parts, Suggest};
use crate::names::sym;
use crate::span::{Span, Symbol};
use crate::value::*;
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

/// Why evaluation stopped early: a Python exception, or something no `except` may catch.
pub enum Fault {
    Exc(Box<Exc>),
    /// A resource limit (`--max-steps`, `--max-memory`, `--timeout`): exit 4.
    Limit(Box<LimitHit>),
    /// Ctrl-C or SIGTERM.
    Interrupted(Span),
    /// stdout was closed (a broken pipe): stop quietly. (Other write errors raise OSError.)
    OutputClosed,
    /// No task can ever run again: exit 3.
    Deadlock(Box<Vec<crate::tasks::BlockedTask>>),
    /// A task (or callback) failed and nobody can retrieve its exception: exit 1.
    TaskFailed(Box<TaskFailure>),
}

pub struct TaskFailure {
    pub exc: Box<Exc>,
    pub task: String,
    pub spawned_at: Span,
}

pub struct LimitHit {
    pub what: String,
    pub span: Span,
}

/// A raised exception and where it has been.
pub struct Exc {
    pub value: Value,
    /// (function name, span) from the innermost frame outwards.
    pub tb: Vec<(Rc<str>, Span)>,
    /// The innermost expression span, until a frame records it in `tb`.
    pub span: Option<Span>,
    /// What the diagnostic says besides the message (see `hint.rs`).
    pub hint: Option<Box<Hint>>,
    /// Raised again (bare `raise`, the end of a `finally` or of unmatched `except` clauses) in
    /// the frame that caught it, which is in `tb` already.
    pub reraised: bool,
    /// The exception being handled where this one was raised (its `__context__`), as it was
    /// then: its traceback down to where it was caught, for the "During handling of the
    /// above exception" part of a report. Shared: a chain is never copied.
    pub context: Option<Rc<Exc>>,
    /// The frames below were looked at for its context already (once per exception: the
    /// look goes down the whole stack).
    pub context_sought: bool,
    /// While it is handled: what `as_context` made of it, shared by every exception raised
    /// meanwhile (a loop that raises and catches in an `except` copies its traceback once).
    pub as_context_memo: Option<Rc<Exc>>,
}

impl Exc {
    pub fn new(value: Value) -> Exc {
        Exc {
            value,
            tb: Vec::new(),
            span: None,
            hint: None,
            reraised: false,
            context: None,
            context_sought: false,
            as_context_memo: None,
        }
    }

    /// A handled exception as the context of one raised while handling it, in the frame
    /// named `frame` that caught it (its traceback ends there).
    pub fn as_context(&self, frame: &Rc<str>) -> Exc {
        let mut tb = self.tb.clone();
        if let Some(at) = self.span {
            tb.push((frame.clone(), at));
        }
        Exc {
            value: self.value.clone(),
            tb,
            span: None,
            hint: None,
            reraised: false,
            context: self.context.clone(),
            context_sought: true,
            as_context_memo: None,
        }
    }

    /// The same exception raised again: its value, traceback and hint.
    pub fn again(&self) -> Exc {
        Exc {
            value: self.value.clone(),
            tb: self.tb.clone(),
            span: None,
            hint: self.hint.clone(),
            reraised: false,
            context: self.context.clone(),
            context_sought: self.context_sought,
            as_context_memo: None,
        }
    }

    /// Records the failing expression if none is recorded yet. The first time (no frame has
    /// recorded the exception yet), the hint's labels are placed on the expression's parts.
    pub fn locate(&mut self, parts: &Parts) {
        if self.span.is_some() {
            return;
        }
        self.span = Some(parts.whole);
        if let (Some(h), true) = (&mut self.hint, self.tb.is_empty()) {
            h.locate(parts);
        }
    }

    fn hint_mut(&mut self) -> &mut Hint {
        self.hint.get_or_insert_with(Default::default)
    }
}

pub type R<T> = Result<T, Fault>;

impl Fault {
    /// Attaches `span` as the failing expression if none is recorded yet.
    #[cold]
    pub fn at(self, span: Span) -> Fault {
        self.at_parts(&Parts::whole(span))
    }

    /// As `at`, with the expression's parts for the hint's labels.
    #[cold]
    pub fn at_parts(mut self, parts: &Parts) -> Fault {
        if let Fault::Exc(e) = &mut self {
            e.locate(parts);
        }
        self
    }

    /// A short label on the failing expression or a part of it that is not a value.
    #[cold]
    pub fn label(mut self, at: At, text: impl Into<String>) -> Fault {
        if let Fault::Exc(e) = &mut self {
            e.hint_mut().labels.push(HintLabel { at, subject: None, span: None, text: text.into() });
        }
        self
    }

    /// A short label on the part of the failing expression that evaluated to `subject`
    /// (`this operand is a str`).
    #[cold]
    pub fn label_on(mut self, at: At, subject: &Value, text: impl Into<String>) -> Fault {
        if let Fault::Exc(e) = &mut self {
            let subject = Some(subject.clone());
            e.hint_mut().labels.push(HintLabel { at, subject, span: None, text: text.into() });
        }
        self
    }

    /// The help line: the likely fix.
    #[cold]
    pub fn help(mut self, text: impl Into<String>) -> Fault {
        if let Fault::Exc(e) = &mut self {
            e.hint_mut().help = Some(text.into());
        }
        self
    }

    /// Where to look for a "Did you mean" when the error is shown.
    #[cold]
    pub fn suggest(mut self, s: Suggest) -> Fault {
        if let Fault::Exc(e) = &mut self {
            e.hint_mut().suggest = Some(s);
        }
        self
    }
    pub fn exc_value(&self) -> Option<&Value> {
        match self {
            Fault::Exc(e) => Some(&e.value),
            _ => None,
        }
    }
    /// Whether this is an exception of class `cls` (or a subclass).
    pub fn is_instance(&self, cls: &Rc<Class>) -> bool {
        match self {
            Fault::Exc(e) => match &e.value {
                Value::Instance(i) => i.class.is_subclass(cls),
                _ => false,
            },
            _ => false,
        }
    }
}

/// The built-in classes: types and exceptions.
pub struct Types {
    pub object: Rc<Class>,
    pub type_: Rc<Class>,
    pub none: Rc<Class>,
    pub bool_: Rc<Class>,
    pub int: Rc<Class>,
    pub float: Rc<Class>,
    pub str_: Rc<Class>,
    pub list: Rc<Class>,
    pub tuple: Rc<Class>,
    pub dict: Rc<Class>,
    pub set: Rc<Class>,
    pub range: Rc<Class>,
    pub slice: Rc<Class>,
    pub function: Rc<Class>,
    pub builtin_function: Rc<Class>,
    pub method: Rc<Class>,
    pub generator: Rc<Class>,
    pub coroutine: Rc<Class>,
    pub async_generator: Rc<Class>,
    /// The awaitables of an async generator's methods.
    pub async_generator_op: Rc<Class>,
    pub coroutine_wrapper: Rc<Class>,
    pub union_type: Rc<Class>,
    pub module: Rc<Class>,
    pub deque: Rc<Class>,
    /// The class of `sys.stdout` and `sys.stderr`.
    pub text_io: Rc<Class>,
    pub not_implemented_type: Rc<Class>,
    pub ellipsis_type: Rc<Class>,
    pub super_: Rc<Class>,
    pub property: Rc<Class>,
    pub staticmethod: Rc<Class>,
    pub classmethod: Rc<Class>,
    /// `types.SimpleNamespace`.
    pub namespace: Rc<Class>,
    /// `random.Random`.
    pub random: Rc<Class>,
    pub code: Rc<Class>,
    pub frame: Rc<Class>,
    pub frozenset: Rc<Class>,
    /// `dict.keys()`, `.values()`, `.items()`.
    pub dict_views: [Rc<Class>; 3],
    pub base_exception: Rc<Class>,
    pub exception: Rc<Class>,
    pub arithmetic_error: Rc<Class>,
    pub zero_division: Rc<Class>,
    pub overflow: Rc<Class>,
    pub lookup_error: Rc<Class>,
    pub index_error: Rc<Class>,
    pub key_error: Rc<Class>,
    pub value_error: Rc<Class>,
    pub type_error: Rc<Class>,
    pub name_error: Rc<Class>,
    pub unbound_local: Rc<Class>,
    pub attribute_error: Rc<Class>,
    pub runtime_error: Rc<Class>,
    pub not_implemented: Rc<Class>,
    pub recursion_error: Rc<Class>,
    pub stop_iteration: Rc<Class>,
    pub stop_async_iteration: Rc<Class>,
    pub assertion_error: Rc<Class>,
    pub generator_exit: Rc<Class>,
    pub keyboard_interrupt: Rc<Class>,
    pub system_exit: Rc<Class>,
    pub import_error: Rc<Class>,
    pub module_not_found: Rc<Class>,
    pub os_error: Rc<Class>,
    pub timeout_error: Rc<Class>,
    pub unicode_error: Rc<Class>,
    pub cancelled: Rc<Class>,
    pub queue_closed: Rc<Class>,
    pub queue_full: Rc<Class>,
    pub sched_queue_empty: Rc<Class>,
    /// Other native classes by name (iterators, scheduler objects).
    pub iterator: Rc<Class>,
}

fn class(name: &str, base: Option<&Rc<Class>>, tag: TypeTag) -> Rc<Class> {
    let bases: Vec<Rc<Class>> = base.cloned().into_iter().collect();
    let mro = base.map(|b| b.full_mro()).unwrap_or_default();
    Rc::new(Class::new(Symbol::intern(name), bases, mro, new_symmap(), tag))
}

pub(crate) fn exc_class(name: &str, base: &Rc<Class>) -> Rc<Class> {
    class(name, Some(base), TypeTag::User)
}

impl Types {
    fn new() -> Types {
        let object = class("object", None, TypeTag::Object);
        let o = Some(&object);
        let int = class("int", o, TypeTag::Int);
        let mut base_exception = Class::new(
            Symbol::intern("BaseException"),
            vec![object.clone()],
            vec![object.clone()],
            new_symmap(),
            TypeTag::User,
        );
        base_exception.is_exception = true;
        let base_exception = Rc::new(base_exception);
        let exception = exc_class("Exception", &base_exception);
        let arithmetic_error = exc_class("ArithmeticError", &exception);
        let lookup_error = exc_class("LookupError", &exception);
        let name_error = exc_class("NameError", &exception);
        let runtime_error = exc_class("RuntimeError", &exception);
        let import_error = exc_class("ImportError", &exception);
        let value_error = exc_class("ValueError", &exception);
        let os_error = exc_class("OSError", &exception);
        Types {
            type_: class("type", o, TypeTag::Type),
            none: class("NoneType", o, TypeTag::NoneType),
            bool_: class("bool", Some(&int), TypeTag::Bool),
            float: class("float", o, TypeTag::Float),
            str_: class("str", o, TypeTag::Str),
            list: class("list", o, TypeTag::List),
            tuple: class("tuple", o, TypeTag::Tuple),
            dict: class("dict", o, TypeTag::Dict),
            set: class("set", o, TypeTag::Set),
            range: class("range", o, TypeTag::Range),
            slice: class("slice", o, TypeTag::Slice),
            function: class("function", o, TypeTag::Function),
            builtin_function: class("builtin_function_or_method", o, TypeTag::BuiltinFunction),
            method: class("method", o, TypeTag::Method),
            generator: class("generator", o, TypeTag::Generator),
            coroutine: class("coroutine", o, TypeTag::Coroutine),
            async_generator: class("async_generator", o, TypeTag::Native),
            async_generator_op: class("async_generator_asend", o, TypeTag::Native),
            coroutine_wrapper: class("coroutine_wrapper", o, TypeTag::Native),
            union_type: class("UnionType", o, TypeTag::Native),
            module: class("module", o, TypeTag::Module),
            deque: class("deque", o, TypeTag::Deque),
            text_io: class("TextIOWrapper", o, TypeTag::Native),
            not_implemented_type: class("NotImplementedType", o, TypeTag::Native),
            ellipsis_type: class("ellipsis", o, TypeTag::Native),
            super_: class("super", o, TypeTag::Native),
            property: class("property", o, TypeTag::Native),
            staticmethod: class("staticmethod", o, TypeTag::Native),
            classmethod: class("classmethod", o, TypeTag::Native),
            namespace: class("SimpleNamespace", o, TypeTag::Native),
            random: class("Random", o, TypeTag::Native),
            code: class("code", o, TypeTag::Native),
            frozenset: class("frozenset", o, TypeTag::Native),
            dict_views: [
                class("dict_keys", o, TypeTag::Native),
                class("dict_values", o, TypeTag::Native),
                class("dict_items", o, TypeTag::Native),
            ],
            frame: class("frame", o, TypeTag::Native),
            iterator: class("iterator", o, TypeTag::Iterator),
            int,
            zero_division: exc_class("ZeroDivisionError", &arithmetic_error),
            overflow: exc_class("OverflowError", &arithmetic_error),
            index_error: exc_class("IndexError", &lookup_error),
            key_error: exc_class("KeyError", &lookup_error),
            type_error: exc_class("TypeError", &exception),
            unbound_local: exc_class("UnboundLocalError", &name_error),
            attribute_error: exc_class("AttributeError", &exception),
            not_implemented: exc_class("NotImplementedError", &runtime_error),
            recursion_error: exc_class("RecursionError", &runtime_error),
            stop_iteration: exc_class("StopIteration", &exception),
            stop_async_iteration: exc_class("StopAsyncIteration", &exception),
            assertion_error: exc_class("AssertionError", &exception),
            generator_exit: exc_class("GeneratorExit", &base_exception),
            keyboard_interrupt: exc_class("KeyboardInterrupt", &base_exception),
            system_exit: exc_class("SystemExit", &base_exception),
            module_not_found: exc_class("ModuleNotFoundError", &import_error),
            timeout_error: exc_class("TimeoutError", &os_error),
            unicode_error: exc_class("UnicodeError", &value_error),
            cancelled: exc_class("CancelledError", &base_exception),
            queue_closed: exc_class("QueueClosed", &exception),
            queue_full: exc_class("QueueFull", &exception),
            sched_queue_empty: exc_class("QueueEmpty", &exception),
            value_error,
            os_error,
            import_error,
            runtime_error,
            name_error,
            lookup_error,
            arithmetic_error,
            exception,
            base_exception,
            object,
        }
    }

    /// The class of a value (`type(v)`).
    pub fn type_of(&self, v: &Value) -> Rc<Class> {
        match v {
            Value::None => self.none.clone(),
            Value::Bool(_) => self.bool_.clone(),
            Value::Int(_) | Value::BigInt(_) => self.int.clone(),
            Value::Float(_) => self.float.clone(),
            Value::Str(_) => self.str_.clone(),
            Value::List(_) => self.list.clone(),
            Value::Tuple(_) => self.tuple.clone(),
            Value::Dict(_) => self.dict.clone(),
            Value::Set(d) if d.borrow().frozen => self.frozenset.clone(),
            Value::Set(_) => self.set.clone(),
            Value::Range(_) => self.range.clone(),
            Value::Slice(_) => self.slice.clone(),
            Value::Func(_) => self.function.clone(),
            Value::Builtin(_) => self.builtin_function.clone(),
            Value::Method(_) => self.method.clone(),
            Value::Class(_) => self.type_.clone(),
            Value::Instance(i) => i.class.clone(),
            Value::Gen(g) => {
                if g.is_async_gen {
                    self.async_generator.clone()
                } else if g.is_coroutine {
                    self.coroutine.clone()
                } else {
                    self.generator.clone()
                }
            }
            Value::Module(_) => self.module.clone(),
            Value::Iter(_) | Value::Unbound => self.iterator.clone(),
            Value::Native(n) => match &**n {
                Native::Deque { .. } => self.deque.clone(),
                Native::Super { .. } => self.super_.clone(),
                Native::Property { .. } => self.property.clone(),
                Native::StaticMethod(_) => self.staticmethod.clone(),
                Native::ClassMethod(_) => self.classmethod.clone(),
                Native::Namespace(_) => self.namespace.clone(),
                Native::Random(_) => self.random.clone(),
                Native::CodeObj(_) => self.code.clone(),
                Native::AttrDict(_) => self.dict.clone(),
                Native::FrameObj { .. } => self.frame.clone(),
                Native::AsyncGenOp { .. }
                | Native::AsyncGenValue(_)
                | Native::ANextDefault { .. }
                | Native::AwaitTranslate { .. } => self.async_generator_op.clone(),
                Native::CoroWrapper(_) => self.coroutine_wrapper.clone(),
                Native::UnionType(_) => self.union_type.clone(),
                Native::DictView { kind, .. } => self.dict_views[(*kind as usize).min(2)].clone(),
                Native::NotImplemented => self.not_implemented_type.clone(),
                Native::Ellipsis => self.ellipsis_type.clone(),
                Native::Stream { .. } => self.text_io.clone(),
                Native::Sched(s) => s.class(),
            },
        }
    }
}

thread_local! {
    static TYPES: Rc<Types> = Rc::new(Types::new());
}

/// The built-in classes of this thread.
pub fn types() -> Rc<Types> {
    TYPES.with(|t| t.clone())
}

/// Makes an exception instance of `cls` with the given args.
pub fn new_exception(cls: &Rc<Class>, args: Vec<Value>) -> Value {
    let inst = Instance::new(cls.clone());
    inst.attrs.borrow_mut().insert(sym::ARGS, Value::tuple(args));
    // Not tracked by the cycle collector: the interpreter raises these by the hundred
    // thousand (StopIteration at every generator's end), and each would make collections
    // come sooner; one raised by a program (`raise KeyError(k)`) is made by calling its
    // class, and tracked.
    Value::Instance(Rc::new(inst))
}

/// Raises an exception of `cls` with a message.
#[cold]
pub fn exc(cls: &Rc<Class>, msg: impl Into<String>) -> Fault {
    raise_value(new_exception(cls, vec![Value::string(msg.into())]))
}

#[cold]
/// Sets `exc.__context__` to `ctx`, cutting the cycle that would make when `exc` is in the
/// chain of `ctx`'s contexts already (`raise v` while handling an exception raised while
/// handling `v`): the link to `exc` goes, as CPython cuts it.
pub(crate) fn set_context(exc: &Value, ctx: &Value) {
    let Value::Instance(i) = exc else { return };
    let mut o = ctx.clone();
    // (Bounded: a chain assigned by hand may loop already.)
    for _ in 0..10_000 {
        let Value::Instance(oi) = &o else { break };
        let next = oi.attrs.borrow().get(&crate::names::sym::CONTEXT).cloned();
        match next {
            Some(n) if n.is(exc) => {
                oi.attrs.borrow_mut().insert(crate::names::sym::CONTEXT, Value::None);
                break;
            }
            Some(n) => o = n,
            None => break,
        }
    }
    i.attrs.borrow_mut().insert(crate::names::sym::CONTEXT, ctx.clone());
}

pub fn raise_value(v: Value) -> Fault {
    Fault::Exc(Box::new(Exc::new(v)))
}

macro_rules! err_fn {
    ($($name:ident => $field:ident),*) => {
        $(#[cold] pub fn $name(msg: impl Into<String>) -> Fault { exc(&types().$field, msg) })*
    };
}
err_fn!(type_error => type_error, value_error => value_error, index_error => index_error,
    name_error => name_error, attribute_error => attribute_error, runtime_error => runtime_error,
    zero_division => zero_division, overflow_error => overflow, recursion_error => recursion_error,
    not_implemented_error => not_implemented, import_error => module_not_found);

/// A broken invariant of the VM, raised as a RuntimeError "internal error: ..." and counted
/// (see `error::INTERNAL_ERRORS`).
#[cold]
pub fn internal_error(what: impl std::fmt::Display) -> Fault {
    crate::error::note_internal_error();
    runtime_error(format!("internal error: {what}"))
}

#[cold]
pub fn key_error(key: Value) -> Fault {
    raise_value(new_exception(&types().key_error, vec![key]))
}

/// The step count at which `Interp::step_slow` runs next (see `value::STEP_CHECK`).
#[inline(always)]
pub fn step_check() -> u64 {
    STEP_CHECK.with(|c| c.get())
}

pub fn set_step_check(n: u64) {
    STEP_CHECK.with(|c| c.set(n));
}

/// The next step count at which something is due: the next multiple of 1,024, or the step
/// past `--max-steps` if that comes first.
fn next_step_check(steps: u64, max_steps: Option<u64>) -> u64 {
    let next = (steps | 1023) + 1;
    match max_steps {
        Some(max) => next.min(max.saturating_add(1)),
        None => next,
    }
}

/// A failed write to stdout: a closed pipe stops the program quietly (`Fault::OutputClosed`);
/// any other error (a full disk, ...) raises OSError where the program wrote, as in CPython.
#[cold]
fn write_fault(t: &Types, e: std::io::Error) -> Fault {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Fault::OutputClosed
    } else {
        exc(&t.os_error, os_error_message(&e))
    }
}

/// CPython's words for an OS error: `[Errno 28] No space left on device`.
pub fn os_error_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    match e.raw_os_error() {
        Some(n) => {
            // Rust writes `No space left on device (os error 28)`.
            let suffix = format!(" (os error {})", n);
            format!("[Errno {}] {}", n, text.strip_suffix(&suffix).unwrap_or(&text))
        }
        None => text,
    }
}

/// `OSError: [Errno 28] No space left on device`.
pub fn os_error_text(e: &std::io::Error) -> String {
    format!("OSError: {}", os_error_message(e))
}

/// Where printed output goes.
pub enum Output {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    Capture(Vec<u8>),
    /// Any writer: the terminal REPL's, which prints above the prompt while it waits.
    Writer(std::io::BufWriter<Box<dyn std::io::Write>>),
}

/// Resource limits and clock for one run.
#[derive(Clone, Debug)]
pub struct Options {
    pub virtual_time: bool,
    pub max_depth: usize,
    /// `--max-steps`: statements and loop iterations.
    pub max_steps: Option<u64>,
    /// `--max-memory`, in bytes (needs the counting allocator; see `limits.rs`).
    pub max_memory: Option<usize>,
    /// `--timeout`: wall-clock limit.
    pub timeout: Option<std::time::Duration>,
    pub trace: bool,
    /// `--timeline`: record what each task does when, for the chart drawn after the run.
    pub timeline: bool,
    /// `--trace-json OUT`: record as for `timeline`, written to OUT as Chrome trace events.
    pub trace_json: Option<std::path::PathBuf>,
    /// `--timeline-html OUT`: record as for `timeline`, written to OUT as a page.
    pub timeline_html: Option<std::path::PathBuf>,
    /// `trace || timeline || trace_json`: the one test the scheduler's hot paths make when
    /// none is on.
    pub observe: bool,
    /// Whether `input()` may read stdin (the fuzzer turns it off).
    pub stdin: bool,
    /// `sys.argv`: the program's name, then its arguments (empty: `['']`, as in CPython's REPL).
    pub argv: Vec<String>,
    /// The fewest tracked allocations between two cycle collections (`gc.rs`); None keeps the
    /// default. The environment variable `TINYASYNC_GC_THRESHOLD` sets it: the tests and the
    /// fuzzer set it low so that collections run all the time.
    pub gc_threshold: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            virtual_time: false,
            max_depth: 1000,
            max_steps: None,
            max_memory: None,
            timeout: None,
            trace: false,
            timeline: false,
            trace_json: None,
            timeline_html: None,
            observe: false,
            stdin: true,
            argv: Vec::new(),
            gc_threshold: std::env::var("TINYASYNC_GC_THRESHOLD").ok().and_then(|v| v.parse().ok()),
        }
    }
}

/// `SchedHooks::await_now`: the object, the method's name, the arguments.
pub type AwaitNowFn = fn(&mut Interp, &Value, Symbol, &[Value]) -> Option<R<Value>>;

/// `SchedHooks::switch`: the coroutine that yielded, the value it yielded.
pub type SwitchFn =
    fn(&mut Interp, &Rc<Generator>, Value) -> Result<(Rc<Generator>, generators::Resume), Value>;

/// `SchedHooks::await_call`: the built-in function, the arguments.
pub type AwaitCallFn = fn(&mut Interp, &Builtin, &[Value]) -> Option<Value>;

/// What the VM and the object model ask of the scheduler, installed by `scheduler::install`.
/// They see the scheduler's objects only as `Native::Sched` values: an `await` of one is
/// handed to the scheduler, which decides, once, whether it completes now or the task waits.
#[derive(Clone, Copy)]
pub struct SchedHooks {
    /// The iterator behind `await obj`: a request itself, a task's join; None if `obj` is
    /// not awaitable.
    pub awaitable: fn(&Value) -> Option<Value>,
    /// One step of `await request`: `input` is None when the await is reached, else what
    /// resumed the task.
    pub delegate: fn(&mut Interp, &Value, Option<generators::Resume>) -> R<generators::Outcome>,
    /// A request whose await is over, handed back by the only place that held it.
    pub done: fn(&mut Interp, Value),
    /// `await obj.name(*args)` on a scheduler object, done at once when it can complete
    /// without waiting (a Queue's `get` with an item there, `put` with room): its result,
    /// with no request made. None: make the request and await it as usual.
    pub await_now: AwaitNowFn,
    /// `await f(*args)` of a built-in function whose await gives the turn away at once
    /// (`await sleep(0)`): the value to suspend with, as the await of the request would
    /// after trying it (and noted as tried), with no call made. None: call and await as usual.
    pub await_call: AwaitCallFn,
    /// A line the program printed, when something watches the output: `--trace` with stdout
    /// and stderr going to one place (`out worker | ...`), `--timeline-html` (output on the
    /// time axis).
    pub out_line: fn(&mut Interp, &str),
    /// A generator yielded this value at the bottom of a loop entered from native code (its
    /// frames are back in it): when it is the running task's coroutine and its step would
    /// simply end, the scheduler may end that step and begin the next ready task's right
    /// there, returning that task's coroutine and what to resume it with, so that a task
    /// switch does not leave the dispatch loop. `Err` gives the value back (any other
    /// generator, or a step that needs more): leave the loop as usual.
    pub switch: SwitchFn,
    /// A generator returned this value at the bottom of a loop entered from native code (its
    /// state is `Done`): when it is the running task's coroutine and its end needs nothing
    /// more than any returning task's, the scheduler may end the task and begin the next
    /// ready task's step right there, as `switch` does for a yield. `Err` gives the value
    /// back: the loop returns it as usual.
    pub finish: SwitchFn,
}

impl SchedHooks {
    /// Before the scheduler is installed: nothing is awaitable.
    pub const NONE: SchedHooks = SchedHooks {
        awaitable: |_| None,
        delegate: |_, _, _| Err(internal_error("await before the built-ins were installed")),
        done: |_, _| {},
        await_now: |_, _, _, _| None,
        await_call: |_, _, _| None,
        out_line: |_, _| {},
        switch: |_, _, v| Err(v),
        finish: |_, _, v| Err(v),
    };
}

/// The values `LoadGlobal` caches by version (see `GlobalCache`): a new name (it may shadow a
/// built-in) or a change to or from one of these invalidates the caches; a number stored over
/// a number (`for i in ...` and `total += x` at the top level) leaves them valid.
fn cached_kind(v: &Value) -> bool {
    matches!(v, Value::Func(_) | Value::Builtin(_) | Value::Class(_))
}

pub struct Interp {
    pub t: Rc<Types>,
    /// The module's globals. Change them through `store_global` (or `store_global_cached`)
    /// and `remove_global`, or bump `globals_version` after changing them: the VM caches
    /// global lookups while it is unchanged.
    pub globals: Rc<RefCell<SymMap>>,
    /// Counts changes to the globals (and to the built-ins after start-up).
    pub globals_version: u64,
    pub builtins: SymMap,
    pub modules: SymMap,
    /// The globals of the prelude modules run so far (see `Bytecode::module_globals`).
    pub prelude_globals: Vec<Rc<RefCell<SymMap>>>,
    pub out: Output,
    pub depth: usize,
    pub opts: Options,
    pub steps: u64,
    /// Virtual clock reading (seconds since start) when `opts.virtual_time`.
    /// The virtual clock, in whole nanoseconds (exact: three `sleep(0.1)` end at 0.3).
    pub vclock_ns: i64,
    pub start: std::time::Instant,
    /// Containers being printed, to show `[...]` for self-reference.
    pub repr_stack: Vec<usize>,
    /// The return value of the last iterator exhausted by `next` (for `yield from`).
    pub last_stop_value: Value,
    /// The delegates (`yield from`, `await`) of a generator being closed: when one of them
    /// returns, GeneratorExit is raised in its delegator instead (PEP 380; see
    /// `Interp::gen_resume`).
    pub(crate) closing_delegates: Vec<Rc<Generator>>,
    /// The span of the call being made (where generators are created).
    pub current_span: Option<Span>,
    /// The program's source, for line numbers in traces.
    pub source_text: Option<Rc<str>>,
    /// The line index of `source_text`, built when a trace line first needs it.
    pub source_lines: crate::line_index::Cached,
    /// Items produced by native iterators (see `iter_next`).
    pub native_iters: u64,
    /// The scheduler's state: its ready queue, timers and tasks (the one place the layers
    /// meet: `scheduler/` works on it through `&mut Interp`).
    pub sched: crate::scheduler::Scheduler,
    /// What the VM and the object model ask of the scheduler (see `SchedHooks`).
    pub sched_hooks: SchedHooks,
    /// Finished VM frames kept for the next calls (their register vectors are reused).
    pub vm_pool: Vec<Box<crate::frame::Frame>>,
    /// Emptied frame stacks of the VM's loops, for the next loop.
    pub vm_stacks: Vec<Vec<Box<crate::frame::Frame>>>,
    /// Native method lookups by (kind of value, name), direct-mapped (see
    /// `builtins::methods::native_method_cached`).
    pub method_cache: Box<MethodCache>,
    /// The native method the last `LoadMethod` found on a `Native` value (its address, the
    /// name): `CallMethod` on that same value and name calls it without a second lookup.
    /// Only `Native` values (never ints, whose "address" is their value) are remembered; an
    /// object in `CallMethod`'s register has been alive at its address since its own
    /// `LoadMethod`, which wrote this entry (every `LoadMethod` that leaves a `Native` value
    /// for a native call does, but for the deque shortcut, whose names `CallMethod` never
    /// looks up here), so an entry for that address and name is that object's method.
    pub native_memo: (usize, Symbol, Option<(&'static str, NativeFn)>),
    /// `Class::flags` set by attributes assigned to classes after they were made: added to
    /// every class's (subclasses made earlier do not see their bases' changes otherwise).
    pub late_class_flags: u8,
    /// The program's output watched line by line (`SchedHooks::out_line`), this holding a
    /// line not yet ended: `--trace` when stdout and stderr are one place, `--timeline-html`.
    pub out_lines: Option<String>,
    /// `--trace` when stdout and stderr are one place: the output goes only into the trace.
    pub out_to_trace: bool,
    /// The frozensets of set displays of constants, by the constants' key (`sets.rs`).
    pub const_sets: std::collections::HashMap<String, Rc<RefCell<crate::dict::Dict>>>,
}

/// One entry of `Interp::method_cache`: (kind of value, 0 for an empty entry; name; method).
pub type MethodCache = [(u8, Symbol, Option<(&'static str, NativeFn)>); 64];

impl Interp {
    pub fn new(mut opts: Options, out: Output) -> Interp {
        if let Some(n) = opts.gc_threshold {
            crate::gc::set_min_threshold(n);
        }
        opts.observe =
            opts.trace || opts.timeline || opts.trace_json.is_some() || opts.timeline_html.is_some();
        let t = types();
        let mut step_check = next_step_check(0, opts.max_steps);
        if opts.gc_threshold.is_some_and(|n| n < 1024) {
            step_check = 1;
        }
        set_step_check(step_check);
        let mut it = Interp {
            t,
            globals: Rc::new(RefCell::new(new_symmap())),
            globals_version: 1,
            builtins: new_symmap(),
            modules: new_symmap(),
            prelude_globals: Vec::new(),
            out,
            depth: 0,
            opts,
            steps: 0,
            vclock_ns: 0,
            start: std::time::Instant::now(),
            repr_stack: Vec::new(),
            last_stop_value: Value::None,
            closing_delegates: Vec::new(),
            current_span: None,
            source_text: None,
            source_lines: Default::default(),
            native_iters: 0,
            sched: crate::scheduler::Scheduler::default(),
            sched_hooks: SchedHooks::NONE,
            vm_pool: Vec::new(),
            vm_stacks: Vec::new(),
            method_cache: Box::new([(0, Symbol(0), None); 64]),
            native_memo: (0, Symbol(0), None),
            late_class_flags: 0,
            const_sets: std::collections::HashMap::new(),
            out_lines: None,
            out_to_trace: false,
        };
        crate::builtins::install(&mut it);
        it.globals.borrow_mut().insert(sym::NAME, Value::str("__main__"));
        it
    }

    /// The 1-based line of `span` in the program's text (0 without it).
    pub fn line_number(&self, span: Span) -> i64 {
        match &self.source_text {
            Some(src) => {
                let at = (span.start as usize).min(src.len());
                self.source_lines.get(src).line(at) as i64
            }
            None => 0,
        }
    }

    /// The name of the program's file, as `__code__.co_filename` gives it.
    pub fn file_name(&self) -> String {
        self.opts.argv.first().cloned().unwrap_or_else(|| "<stdin>".to_string())
    }

    /// Writes program output (buffered).
    pub fn write_out(&mut self, s: &str) -> R<()> {
        if self.out_lines.is_some() {
            self.trace_output(s);
            if self.out_to_trace {
                return Ok(());
            }
        }
        match &mut self.out {
            Output::Capture(v) => {
                v.extend_from_slice(s.as_bytes());
                Ok(())
            }
            Output::Stdout(w) => w.write_all(s.as_bytes()).map_err(|e| write_fault(&self.t, e)),
            Output::Writer(w) => w.write_all(s.as_bytes()).map_err(|e| write_fault(&self.t, e)),
        }
    }

    /// Output something watches (`out_lines`): handed to `SchedHooks::out_line` line by line;
    /// a partial line waits for its end (or the run's).
    fn trace_output(&mut self, s: &str) {
        let Some(pending) = &mut self.out_lines else { return };
        pending.push_str(s);
        while let Some(i) = self.out_lines.as_ref().and_then(|p| p.find('\n')) {
            let line: String = self.out_lines.as_mut().map(|p| p.drain(..=i).collect()).unwrap_or_default();
            (self.sched_hooks.out_line)(self, line.trim_end_matches('\n'));
        }
    }

    /// The end of a run whose output was watched: a last partial line goes out.
    pub fn end_trace_output(&mut self) {
        self.flush_trace_output();
        self.out_lines = None;
    }

    /// A partial line of watched output goes out as it is (an `input()` prompt, the end of
    /// the run).
    pub fn flush_trace_output(&mut self) {
        let rest = self.out_lines.as_mut().map(std::mem::take).unwrap_or_default();
        if !rest.is_empty() {
            (self.sched_hooks.out_line)(self, &rest);
        }
    }

    /// Writes to stderr (`print(file=sys.stderr)`), after the program's buffered output so
    /// that the two stay in order on a terminal. A failed write is dropped, as CPython does
    /// when stderr is gone.
    pub fn write_err(&mut self, s: &str) -> R<()> {
        self.flush()?;
        let _ = std::io::stderr().lock().write_all(s.as_bytes());
        Ok(())
    }

    pub fn flush(&mut self) -> R<()> {
        match &mut self.out {
            Output::Capture(_) => Ok(()),
            Output::Stdout(w) => w.flush().map_err(|e| write_fault(&self.t, e)),
            Output::Writer(w) => w.flush().map_err(|e| write_fault(&self.t, e)),
        }
    }

    /// Flushes the program's output; the error as the OS gave it (the driver reports it).
    pub fn flush_output(&mut self) -> std::io::Result<()> {
        match &mut self.out {
            Output::Capture(_) => Ok(()),
            Output::Stdout(w) => w.flush(),
            Output::Writer(w) => w.flush(),
        }
    }

    /// Takes captured output (tests and the REPL).
    pub fn take_output(&mut self) -> String {
        match &mut self.out {
            Output::Capture(v) => String::from_utf8_lossy(&std::mem::take(v)).into_owned(),
            Output::Stdout(_) | Output::Writer(_) => String::new(),
        }
    }

    /// Counts one step (a statement or loop iteration) against `--max-steps`.
    #[inline]
    pub fn step(&mut self, span: Span) -> R<()> {
        self.steps += 1;
        if self.steps >= step_check() {
            self.step_slow(span)
        } else {
            Ok(())
        }
    }

    /// A step at which something is due (`step_check`): the step limit, or every 1,024th step
    /// the checks too costly for every step.
    #[cold]
    pub fn step_slow(&mut self, span: Span) -> R<()> {
        if let Some(max) = self.opts.max_steps {
            if self.steps > max {
                return Err(Fault::Limit(Box::new(LimitHit {
                    what: format!("the step limit ({} steps, --max-steps) was reached", max),
                    span,
                })));
            }
        }
        if self.steps & 1023 == 0 {
            self.check_limits(span)?;
        }
        // A collection (or the registry's pruning) when due; the garbage's finalizers run
        // here, between two statements, so that a loop making cycles with `__del__` does not
        // pile them up until its end.
        if crate::gc::due() {
            crate::gc::maintain();
        }
        // The next check first: a finalizer queued while these run asks for the next step.
        let mut next = next_step_check(self.steps, self.opts.max_steps);
        // A low `gc_threshold` (tests, the fuzzer) checks whether a collection is due at
        // every step.
        if self.opts.gc_threshold.is_some_and(|n| n < 1024) {
            next = self.steps + 1;
        }
        set_step_check(next);
        // Objects whose last reference went during the statement before are finalized now
        // (queueing one sets the check to 0: see `value::STEP_CHECK`).
        self.run_finalizers()?;
        Ok(())
    }

    /// The checks too costly for every step: signals, memory, wall clock.
    #[cold]
    pub fn check_limits(&mut self, span: Span) -> R<()> {
        let sig = crate::limits::stop_signal();
        if sig != 0 {
            if let Some(r) = self.soft_interrupt(sig) {
                return r;
            }
            return Err(Fault::Interrupted(span));
        }
        if let Some(max) = self.opts.max_memory {
            if crate::limits::live_bytes() > max {
                return Err(self.memory_limit(span));
            }
        }
        if let Some(t) = self.opts.timeout {
            if self.start.elapsed() > t {
                return Err(Fault::Limit(Box::new(LimitHit {
                    what: format!("the time limit ({} s, --timeout) was reached", t.as_secs_f64()),
                    span,
                })));
            }
        }
        Ok(())
    }

    fn memory_limit(&self, span: Span) -> Fault {
        let mb = self.opts.max_memory.unwrap_or(0) / (1 << 20);
        Fault::Limit(Box::new(LimitHit {
            what: format!("the memory limit ({} MB, --max-memory) was reached", mb),
            span,
        }))
    }

    /// Fails early when an allocation of `bytes` would pass `--max-memory`.
    pub fn charge_memory(&mut self, bytes: usize) -> R<()> {
        if let Some(max) = self.opts.max_memory {
            if crate::limits::live_bytes().saturating_add(bytes) > max {
                return Err(self.memory_limit(self.current_span.unwrap_or_default()));
            }
        }
        Ok(())
    }

    /// Seconds on the program's clock (virtual or real) since start.
    pub fn now(&self) -> f64 {
        self.now_ns() as f64 / 1e9
    }

    /// Nanoseconds on the program's clock (virtual or real) since start: timers are kept in
    /// whole nanoseconds, so deadlines add up exactly.
    pub fn now_ns(&self) -> i64 {
        if self.opts.virtual_time {
            self.vclock_ns
        } else {
            i64::try_from(self.start.elapsed().as_nanos()).unwrap_or(i64::MAX)
        }
    }

    /// Waits `secs` on the program's clock: jumps the virtual clock, or really sleeps.
    pub fn sleep_clock(&mut self, secs: f64) -> R<()> {
        if secs <= 0.0 {
            return Ok(());
        }
        if self.opts.virtual_time {
            self.vclock_ns = self.vclock_ns.saturating_add(secs_to_ns(secs));
            Ok(())
        } else {
            self.flush()?;
            // Sleep in slices, so Ctrl-C and --timeout are seen during long sleeps.
            let until = std::time::Instant::now() + std::time::Duration::from_secs_f64(secs.min(1e9));
            loop {
                let now = std::time::Instant::now();
                if now >= until {
                    return Ok(());
                }
                std::thread::sleep((until - now).min(std::time::Duration::from_millis(50)));
                self.check_limits(self.current_span.unwrap_or_default())?;
            }
        }
    }

    pub fn type_name(&self, v: &Value) -> String {
        // A deque's type is named by its module too in CPython's messages (its `tp_name`),
        // though its `__name__` is `deque`.
        if let Value::Native(n) = v {
            if matches!(**n, Native::Deque { .. }) {
                return "collections.deque".to_string();
            }
        }
        self.t.type_of(v).name.as_str().to_string()
    }

    /// Looks a global up, then the builtins.
    /// Binds a global name.
    pub fn store_global(&mut self, n: Symbol, v: Value) {
        let new_kind = cached_kind(&v);
        let old = self.globals.borrow_mut().insert(n, v);
        self.stored_global(new_kind, old.as_ref());
        drop(old);
    }

    /// After a store into the globals of a value of `new_kind` over `old` (None: a new name),
    /// invalidates `LoadGlobal`'s caches if it must (see `cached_kind`).
    #[inline]
    fn stored_global(&mut self, new_kind: bool, old: Option<&Value>) {
        if new_kind || old.is_none_or(cached_kind) {
            self.globals_version += 1;
        }
    }

    /// `store_global` through `cell`, the cache of a `StoreGlobal`: an existing global is
    /// written in its remembered place, with no search.
    #[inline]
    pub fn store_global_cached(&mut self, n: Symbol, v: Value, cell: &GlobalCacheCell) {
        if let Some(i) = cell.place(n) {
            let mut globals = self.globals.borrow_mut();
            if let Some(place) = globals.at_mut(i, n) {
                let new_kind = cached_kind(&v);
                let old = std::mem::replace(place, v);
                drop(globals);
                self.stored_global(new_kind, Some(&old));
                // (Dropped with the globals released: a finalizer it queues may read them.)
                drop(old);
                return;
            }
        }
        self.store_global_placing(n, v, cell)
    }

    /// `store_global`, remembering the global's place in `cell`.
    #[inline(never)]
    fn store_global_placing(&mut self, n: Symbol, v: Value, cell: &GlobalCacheCell) {
        self.store_global(n, v);
        if let Some(i) = self.globals.borrow().position(n) {
            cell.set(GlobalCache::place(n, i));
        }
    }

    /// A global name as code of the module with globals `module` sees it (None: the
    /// program), then a built-in.
    pub fn load_global_from(&self, module: Option<&std::rc::Weak<RefCell<SymMap>>>, n: Symbol) -> R<Value> {
        let Some(module) = module else { return self.load_global(n) };
        match module.upgrade().and_then(|g| g.borrow().get(&n).cloned()) {
            Some(v) => Ok(v),
            None => self.load_builtin(n),
        }
    }

    /// `load_global` for a `LoadGlobal` of `code` whose cache `cell` missed: remembers what
    /// was found. Code of a prelude module looks in that module's globals, then the built-ins,
    /// and remembers no place (see `Bytecode::module_globals`).
    #[inline(never)]
    pub fn load_global_cached(
        &self,
        code: &crate::code::Code,
        n: Symbol,
        cell: &GlobalCacheCell,
    ) -> R<Value> {
        if let Some(m) = &code.bc.module_globals {
            let v = self.load_global_from(Some(m), n)?;
            cell.set(GlobalCache::of(&v, self.globals_version, None));
            return Ok(v);
        }
        let place = self.globals.borrow().position(n);
        let v = self.load_global(n)?;
        cell.set(GlobalCache::of(&v, self.globals_version, place.map(|i| (n, i))));
        Ok(v)
    }

    /// Unbinds a global name, giving back its value.
    pub fn remove_global(&mut self, n: Symbol) -> Option<Value> {
        self.globals_version += 1;
        self.globals.borrow_mut().shift_remove(&n)
    }

    pub fn load_global(&self, n: Symbol) -> R<Value> {
        if let Some(v) = self.globals.borrow().get(&n) {
            return Ok(v.clone());
        }
        self.load_builtin(n)
    }

    /// A built-in, or the NameError of a name found nowhere.
    fn load_builtin(&self, n: Symbol) -> R<Value> {
        match self.builtins.get(&n) {
            Some(v) => Ok(v.clone()),
            None => {
                let e = name_error(format!("name '{}' is not defined", n)).label(At::Expr, "not defined");
                Err(match crate::hint::name_help(n.as_str()) {
                    Some(help) => e.help(help),
                    None => e,
                })
            }
        }
    }

    pub fn check_depth(&self) -> R<()> {
        if self.depth > self.opts.max_depth {
            return Err(recursion_error("maximum recursion depth exceeded"));
        }
        Ok(())
    }
}

/// A delay in seconds as whole nanoseconds (rounded; at most about 292 years, which no timer
/// reaches).
pub fn secs_to_ns(secs: f64) -> i64 {
    if secs.is_nan() || secs <= 0.0 {
        return 0;
    }
    let ns = (secs * 1e9).round();
    if ns >= (i64::MAX / 2) as f64 {
        i64::MAX / 2
    } else {
        ns as i64
    }
}
