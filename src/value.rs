//! Runtime values. `Value` is 16 bytes: immediates (None, bool, int, float) inline, everything
//! else behind an `Rc`. Objects form no cycle collector: a cycle lives until the program ends,
//! which for short learner programs is the right trade for simplicity.

use crate::code::Code;
use crate::dict::Dict;
use crate::span::{Span, Symbol};
use num_bigint::BigInt;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

pub use crate::symmap::{SymHasher, SymMap};

pub fn new_symmap() -> SymMap {
    SymMap::new()
}

pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// The contents of a local slot that has not been assigned yet (never visible to programs).
    /// Declared with the other variants that hold no reference, so that `is_plain` is one
    /// comparison of the tag.
    Unbound,
    BigInt(Rc<BigInt>),
    Str(Rc<PyStr>),
    List(Rc<RefCell<Vec<Value>>>),
    Tuple(Rc<Vec<Value>>),
    Dict(Rc<RefCell<Dict>>),
    Set(Rc<RefCell<Dict>>),
    Range(Rc<RangeObj>),
    Slice(Rc<[Value; 3]>),
    Func(Rc<Function>),
    Builtin(Rc<Builtin>),
    Method(Rc<(Value, Value)>),
    Class(Rc<Class>),
    Instance(Rc<Instance>),
    Gen(Rc<Generator>),
    Module(Rc<ModuleObj>),
    Iter(Rc<RefCell<IterState>>),
    Native(Rc<Native>),
}

// A copy of the 16 bytes as they are, after counting the new reference: the VM copies
// registers with it, and a clone built variant by variant (a tag byte, then the payload) was
// read back as one 16-byte value right after, a store-forwarding stall on most register
// copies (perf annotate of the dispatch loop: a fifth of its samples on `put` after a clone).
impl Clone for Value {
    #[inline(always)]
    fn clone(&self) -> Value {
        // SAFETY: each arm adds the reference the copy below owns (`Rc::as_ptr` gives the
        // pointer `increment_strong_count` expects, and the `Rc` is alive: it is borrowed from
        // `self`); a plain value owns nothing. The copy is then the same value with its own
        // reference, as a derived clone would make.
        unsafe {
            match self {
                Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Unbound => {}
                Value::BigInt(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Str(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::List(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Tuple(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Dict(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Set(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Range(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Slice(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Func(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Builtin(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Method(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Class(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Instance(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Gen(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Module(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Iter(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
                Value::Native(v) => Rc::increment_strong_count(Rc::as_ptr(v)),
            }
            std::ptr::read(self)
        }
    }
}

impl Value {
    /// Whether the value holds no reference (None, bool, int, float, Unbound): dropping it does
    /// nothing.
    #[inline(always)]
    pub fn is_plain(&self) -> bool {
        matches!(self, Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Unbound)
    }

    /// A copy of a plain value (`is_plain`) as its 16 bytes, without the clone's match.
    #[inline(always)]
    pub fn copy_plain(&self) -> Value {
        debug_assert!(self.is_plain());
        // SAFETY: a plain value owns no reference (the caller checked `is_plain`), so a
        // bitwise copy is a valid, independent value, as a derived clone would make.
        unsafe { std::ptr::read(self) }
    }

    /// Stores `v` here. When the old value holds no reference nothing is dropped, and no call
    /// to the drop glue is made: the VM's register writes take this path.
    #[inline(always)]
    pub fn put(&mut self, v: Value) {
        if self.is_plain() {
            // SAFETY: the old value owns nothing (checked just above), so overwriting it
            // without running its destructor leaks nothing.
            unsafe { std::ptr::write(self, v) }
        } else {
            *self = v;
        }
    }
}

/// A str: the text plus whether it is ASCII (then indexing by character is O(1)).
pub struct PyStr {
    pub s: String,
    pub ascii: bool,
}

impl PyStr {
    pub fn char_len(&self) -> usize {
        if self.ascii {
            self.s.len()
        } else {
            self.s.chars().count()
        }
    }
}

pub struct RangeObj {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
}

impl RangeObj {
    /// The number of items, exactly (a range over the whole i64 line has 2**64 - 1).
    pub fn len128(&self) -> i128 {
        let (a, b, s) = (self.start as i128, self.stop as i128, self.step as i128);
        if s > 0 {
            if b > a {
                (b - a + s - 1) / s
            } else {
                0
            }
        } else if a > b {
            (a - b - s - 1) / (-s)
        } else {
            0
        }
    }
    /// The number of items, saturated to i64 (see `len128` for the exact count).
    pub fn len(&self) -> i64 {
        self.len128().min(i64::MAX as i128) as i64
    }
    pub fn is_empty(&self) -> bool {
        self.len128() == 0
    }
    /// Item `i` (in `0..len`), which always fits in i64.
    pub fn get(&self, i: i64) -> i64 {
        (self.start as i128 + i as i128 * self.step as i128) as i64
    }
}

/// Native function signature: interpreter, the bound receiver (`None` for plain functions),
/// positional arguments, keyword arguments.
pub type NativeFn =
    fn(&mut crate::interp::Interp, &Value, &[Value], &[(Symbol, Value)]) -> crate::interp::R<Value>;

pub struct Builtin {
    pub name: &'static str,
    pub f: NativeFn,
    /// The receiver of a bound builtin method (`[].append`), or `Value::None`.
    pub this: Value,
    /// Set for methods: the receiver is passed as `this`.
    pub is_method: bool,
    /// A method reached through its class (`str.upper`, `object.__init__`): called, it takes
    /// its receiver, an instance of this class, as the first argument.
    pub unbound: Option<Rc<Class>>,
}

pub struct Function {
    pub code: Rc<Code>,
    pub defaults: Vec<Value>,
    pub kwdefaults: Vec<Option<Value>>,
    pub closure: Vec<Rc<RefCell<Value>>>,
    /// Function attributes, `__name__` among them once assigned.
    pub attrs: RefCell<SymMap>,
    /// The class whose body defined this function (for `super()`).
    pub owner: RefCell<Option<Rc<Class>>>,
}

impl Function {
    pub fn name(&self) -> Symbol {
        match self.attrs.borrow().get(&crate::names::sym::NAME) {
            Some(Value::Str(s)) => Symbol::intern(&s.s),
            _ => self.code.name,
        }
    }
}

/// What kind of built-in type a class stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeTag {
    Object,
    Type,
    NoneType,
    Bool,
    Int,
    Float,
    Str,
    List,
    Tuple,
    Dict,
    Set,
    Range,
    Slice,
    Function,
    BuiltinFunction,
    Method,
    Generator,
    Coroutine,
    Module,
    Iterator,
    Deque,
    /// Any other native object; `type()` names it by the class name.
    Native,
    /// A user-defined class (possibly deriving from an exception).
    User,
}

pub struct Class {
    pub name: Symbol,
    /// The bases as written (`object` when none were).
    pub bases: Vec<Rc<Class>>,
    /// The method resolution order after the class itself (C3, as CPython computes it):
    /// `__mro__` is the class followed by these.
    pub mro: Vec<Rc<Class>>,
    pub dict: RefCell<SymMap>,
    pub tag: TypeTag,
    /// Derived from BaseException.
    pub is_exception: bool,
    /// What attribute access on instances must look for (`flags::*`): set when the class or
    /// one of its bases defines a data descriptor, `__getattr__`, `__setattr__`, ...
    pub flags: Cell<u8>,
    /// How many attributes the last instance made by calling it had when its `__init__`
    /// returned (up to 255; see `Class::learn_attrs`): a new instance's map is made with room
    /// for that many, instead of growing as `__init__` sets them.
    pub attr_hint: Cell<u8>,
    /// The attribute names its instances may have when it keeps them to `__slots__` (set with
    /// `class_flags::SLOTS` when the class is made: `Interp::slot_names`).
    pub slots: RefCell<Option<Box<[Symbol]>>>,
}

/// `Class::flags`: the slow paths an attribute access of an instance needs.
pub mod class_flags {
    /// A data descriptor (`property`, a class with `__set__`/`__delete__`) is in the MRO:
    /// class attributes are looked at before the instance's own.
    pub const DATA_DESC: u8 = 1;
    /// `__getattr__` is defined: called when the normal lookup fails.
    pub const GETATTR: u8 = 2;
    /// `__setattr__` or `__delattr__` is defined (other than object's).
    pub const SETATTR: u8 = 4;
    /// `__getattribute__` is defined (other than object's).
    pub const GETATTRIBUTE: u8 = 8;
    /// `__new__` is defined: instantiation calls it. (Not an attribute-access flag.)
    pub const NEW: u8 = 16;
    /// `__del__` is defined: dropping the last reference to an instance calls it.
    pub const DEL: u8 = 32;
    /// A built-in type other than `object` is in the MRO: instances carry its value.
    pub const BUILTIN: u8 = 64;
    /// Every class of the MRO but `object` has `__slots__` (none naming `__dict__`): an
    /// instance has only the attributes they name. (Set for each class as it is made, not
    /// inherited: a subclass without `__slots__` has a `__dict__` again.)
    pub const SLOTS: u8 = 128;
    /// The flags that send attribute access down the slow path.
    pub const ATTR: u8 = DATA_DESC | GETATTR | SETATTR | GETATTRIBUTE;
}

impl Class {
    /// A class with the given bases (the first is its "primary" base) and MRO.
    pub fn new(
        name: Symbol,
        bases: Vec<Rc<Class>>,
        mro: Vec<Rc<Class>>,
        dict: SymMap,
        tag: TypeTag,
    ) -> Class {
        let is_exception = bases.iter().any(|b| b.is_exception);
        let flags = mro.iter().fold(0, |f, c| f | c.flags.get());
        Class {
            name,
            bases,
            mro,
            dict: RefCell::new(dict),
            tag,
            is_exception,
            flags: Cell::new(flags),
            attr_hint: Cell::new(0),
            slots: RefCell::new(None),
        }
    }

    /// An instance's `__init__` returned: the class learns how many attributes it set (the
    /// last instance's count, not the most ever: an instance given many more attributes
    /// later, used as a namespace, must not make every new instance big).
    #[inline]
    pub fn learn_attrs(&self, inst: &Instance) {
        let n = inst.attrs.borrow().len().min(u8::MAX as usize) as u8;
        self.attr_hint.set(n);
    }

    /// The first base (the one a built-in type's layout comes from), None for `object`.
    pub fn base(&self) -> Option<&Rc<Class>> {
        self.bases.first()
    }

    /// Looks a name up along the MRO.
    #[inline]
    pub fn lookup(&self, name: Symbol) -> Option<Value> {
        if let Some(v) = self.dict.borrow().get(&name) {
            return Some(v.clone());
        }
        self.lookup_bases(name)
    }

    /// Looks a name up in the classes after this one in its MRO.
    pub fn lookup_bases(&self, name: Symbol) -> Option<Value> {
        for k in &self.mro {
            if let Some(v) = k.dict.borrow().get(&name) {
                return Some(v.clone());
            }
        }
        None
    }

    pub fn is_subclass(self: &Rc<Class>, other: &Rc<Class>) -> bool {
        Rc::ptr_eq(self, other) || self.mro.iter().any(|k| Rc::ptr_eq(k, other))
    }

    /// The module a class of tinyasync's own (not `TypeTag::User`) names as its `__module__`
    /// and in its repr: `collections.deque`, `types.SimpleNamespace`; most are `builtins`.
    pub fn native_module(&self) -> &'static str {
        match self.name.as_str() {
            "deque" => "collections",
            "UnionType" | "SimpleNamespace" => "types",
            "Random" => "random",
            _ => "builtins",
        }
    }

    /// The built-in type (list, dict, tuple, ...) this class extends, if any.
    pub fn builtin_base(self: &Rc<Class>) -> Option<Rc<Class>> {
        if self.is_builtin_type() {
            return Some(self.clone());
        }
        self.mro.iter().find(|k| k.is_builtin_type()).cloned()
    }

    /// A built-in type whose values a class may extend.
    pub fn is_builtin_type(&self) -> bool {
        matches!(
            self.tag,
            TypeTag::List
                | TypeTag::Dict
                | TypeTag::Set
                | TypeTag::Tuple
                | TypeTag::Str
                | TypeTag::Int
                | TypeTag::Float
                | TypeTag::Deque
        )
    }

    /// The class followed by its MRO.
    pub fn full_mro(self: &Rc<Class>) -> Vec<Rc<Class>> {
        std::iter::once(self.clone()).chain(self.mro.iter().cloned()).collect()
    }
}

/// The C3 linearization of a class with these bases (the MRO after the class itself), or None
/// when the bases' orders conflict.
pub fn c3_mro(bases: &[Rc<Class>]) -> Option<Vec<Rc<Class>>> {
    let mut seqs: Vec<Vec<Rc<Class>>> = bases.iter().map(|b| b.full_mro()).collect();
    seqs.push(bases.to_vec());
    let mut out: Vec<Rc<Class>> = Vec::new();
    loop {
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            return Some(out);
        }
        // The first head that is in no other sequence's tail.
        let head = seqs
            .iter()
            .map(|s| s[0].clone())
            .find(|h| !seqs.iter().any(|s| s[1..].iter().any(|k| Rc::ptr_eq(k, h))));
        let head = head?;
        for s in seqs.iter_mut() {
            if Rc::ptr_eq(&s[0], &head) {
                s.remove(0);
            }
        }
        out.push(head);
    }
}

pub struct Instance {
    pub class: Rc<Class>,
    pub attrs: RefCell<SymMap>,
    /// An instance of a subclass of a built-in type (`class Stack(list)`): the built-in value
    /// it extends, which its inherited methods and operations work on.
    pub base: Option<Box<Value>>,
}

impl Instance {
    pub fn new(class: Rc<Class>) -> Instance {
        let attrs = SymMap::with_capacity(class.attr_hint.get() as usize);
        Instance { class, attrs: RefCell::new(attrs), base: None }
    }
}

pub struct ModuleObj {
    pub name: Symbol,
    pub attrs: RefCell<SymMap>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenState {
    Created,
    Suspended,
    Running,
    Done,
}

pub struct Generator {
    pub state: Cell<GenState>,
    /// A generator compiled for the VM: its frames, its own first, then those it delegates to
    /// (`yield from`, `await`), innermost last. Empty while it runs or once it is done.
    pub vm: crate::frame::FrameCell,
    pub is_coroutine: bool,
    /// An async generator (`async def` with `yield`): driven through `__anext__`, `asend`,
    /// `athrow` and `aclose`, whose awaitables are `Native::AsyncGenOp`.
    pub is_async_gen: bool,
    /// An async generator's awaitable is running it (between its first step and its end):
    /// another may not start (`ag_running`).
    pub ag_running: Cell<bool>,
    /// Its function's code (`gi_code`).
    /// (Its `__name__` and `__qualname__` are the code's: see `name`, `qualname`.)
    pub code: Rc<crate::code::Code>,
    /// Where it was created (for "was never awaited" warnings); for a task's coroutine, where
    /// it was spawned (see `Task::new`).
    pub created_at: Cell<Span>,
    /// Iterated, awaited, spawned or sent to at least once.
    pub used: Cell<bool>,
    /// A task's coroutine: the scheduler ends it (a task left at the program's end is
    /// cancelled), so dropping it closes nothing.
    pub in_task: Cell<bool>,
}

impl Generator {
    /// Whether `for`, `next()` and `iter()` take it: a plain generator, not a coroutine
    /// (awaited) or an async generator (iterated by `async for`).
    pub fn iterates(&self) -> bool {
        !self.is_coroutine && !self.is_async_gen
    }

    /// `__name__`: its function's.
    pub fn name(&self) -> Symbol {
        self.code.name
    }

    /// `__qualname__`: its function's.
    pub fn qualname(&self) -> &Rc<str> {
        &self.code.qualname
    }

    /// A generator or coroutine of `code`, not started, created at `created_at`, with no frame
    /// yet (the VM gives it one).
    pub fn new(code: &Rc<crate::code::Code>, created_at: Span, is_coroutine: bool) -> Generator {
        Generator {
            state: Cell::new(GenState::Created),
            vm: Default::default(),
            is_coroutine,
            is_async_gen: code.flavor == crate::code::Flavor::AsyncGenerator,
            ag_running: Cell::new(false),
            code: code.clone(),
            created_at: Cell::new(created_at),
            used: Cell::new(false),
            in_task: Cell::new(false),
        }
    }
}

thread_local! {
    /// Generators and coroutines dropped without ever being started: (kind, name, where).
    pub static NEVER_USED: RefCell<Vec<(bool, Symbol, Span)>> = const { RefCell::new(Vec::new()) };
}

thread_local! {
    /// Objects whose last reference went while they needed finalizing (a suspended generator
    /// to close, an instance whose class has `__del__`), revived here until the interpreter
    /// runs their finalizers (`Interp::run_finalizers`) at its next safe point.
    pub static TO_FINALIZE: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
    /// Whether `TO_FINALIZE` has anything (one cheap read at the safe points).
    pub static FINALIZE_PENDING: Cell<bool> = const { Cell::new(false) };
    /// The step count at which the interpreter next looks at what is due between two
    /// statements (`Interp::step_slow`): a thread's, not the interpreter's, so that queueing a
    /// finalizer here can make it 0, and the finalizer runs before the next statement, as
    /// close to CPython's "at once" as statements allow.
    pub static STEP_CHECK: Cell<u64> = const { Cell::new(0) };
    /// The instances whose `__del__` ran (by address, while they live): their `Drop` must not
    /// revive them again (PEP 442: a finalizer runs once).
    pub static DEL_RAN: RefCell<std::collections::HashSet<usize>> = RefCell::new(Default::default());
    /// Whether some class got `__del__` after it was made: subclasses made before it do not
    /// have the flag, so a dropped instance then looks `__del__` up.
    pub static DEL_ADDED_LATE: Cell<bool> = const { Cell::new(false) };
}

/// Whether finalizers can still be queued (not while the thread's storage is going away).
fn finalizers_alive() -> bool {
    TO_FINALIZE.try_with(|_| ()).is_ok()
}

/// Marks `v` as finalized: a generator is over (even one that ignored GeneratorExit), an
/// instance's `__del__` will not run again when it goes (or later, if it was stored).
pub(crate) fn mark_finalized(v: &Value) {
    match v {
        Value::Gen(g) => {
            g.state.set(GenState::Done);
            g.vm.clear();
        }
        Value::Instance(i) => {
            let at = Rc::as_ptr(i) as usize;
            DEL_RAN.with(|d| d.borrow_mut().insert(at));
        }
        _ => {}
    }
}

/// Between two programs run on one thread (the fuzzer, the mutation test), after the first's
/// interpreter is dropped: its cyclic garbage is collected and the finalizers it left are
/// dropped unrun, so that nothing of one program runs in the next.
pub fn forget_finished_program() {
    for _ in 0..8 {
        crate::gc::collect();
        let pending = TO_FINALIZE.with(|q| std::mem::take(&mut *q.borrow_mut()));
        FINALIZE_PENDING.with(|p| p.set(false));
        if pending.is_empty() {
            break;
        }
        pending.iter().for_each(mark_finalized);
        drop(pending);
    }
    NEVER_USED.with(|n| n.borrow_mut().clear());
    crate::tasks::NEVER_AWAITED.with(|n| n.borrow_mut().clear());
}

/// Queues `v` for its finalizer. When the queue is gone (the thread is ending), `v` is
/// dropped as it is, marked so that its `Drop` does not try again.
pub(crate) fn schedule_finalizer(v: Value) {
    let mut slot = Some(v);
    let _ = TO_FINALIZE.try_with(|q| {
        if let Some(v) = slot.take() {
            q.borrow_mut().push(v);
        }
    });
    match slot {
        None => {
            let _ = FINALIZE_PENDING.try_with(|p| p.set(true));
            let _ = STEP_CHECK.try_with(|c| c.set(0));
        }
        Some(Value::Gen(g)) => g.state.set(GenState::Done),
        Some(_) => {}
    }
}

impl Drop for Generator {
    fn drop(&mut self) {
        if !self.used.get() {
            let _ = NEVER_USED
                .try_with(|v| v.borrow_mut().push((self.is_coroutine, self.name(), self.created_at.get())));
        }
        // A generator or coroutine abandoned while suspended is closed, as CPython's reference
        // counting closes it: its `finally` blocks run and it sees GeneratorExit. (A task's
        // coroutine is the scheduler's to cancel.)
        if self.state.get() == GenState::Suspended && !self.in_task.get() && finalizers_alive() {
            let frames = self.vm.take();
            if frames.is_empty() {
                return;
            }
            let revived = Generator {
                state: Cell::new(GenState::Suspended),
                vm: crate::frame::FrameCell::new(frames),
                is_coroutine: self.is_coroutine,
                is_async_gen: self.is_async_gen,
                ag_running: Cell::new(false),
                code: self.code.clone(),
                created_at: Cell::new(self.created_at.get()),
                used: Cell::new(true),
                in_task: Cell::new(false),
            };
            schedule_finalizer(Value::Gen(Rc::new(revived)));
        }
    }
}

impl Instance {
    /// Its class (or a base, even one given `__del__` later) has `__del__`.
    #[inline]
    pub fn has_finalizer(&self) -> bool {
        self.class.flags.get() & class_flags::DEL != 0
            || (DEL_ADDED_LATE.try_with(|l| l.get()).unwrap_or(false)
                && self.class.lookup(crate::names::sym::DEL).is_some())
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if !self.has_finalizer() {
            return;
        }
        let me = self as *const Instance as usize;
        if DEL_RAN.try_with(|d| d.borrow_mut().remove(&me)).unwrap_or(true) || !finalizers_alive() {
            return;
        }
        // The last reference went: `__del__` gets the object back (the same class and
        // attributes) at the interpreter's next safe point.
        let attrs = std::mem::take(&mut *self.attrs.borrow_mut());
        let revived =
            Instance { class: self.class.clone(), attrs: RefCell::new(attrs), base: self.base.take() };
        schedule_finalizer(Value::Instance(Rc::new(revived)));
    }
}

/// Iterators over built-in containers and the lazy builtins.
pub enum IterState {
    Seq {
        seq: Value,
        i: usize,
    },
    Range {
        next: i64,
        stop: i64,
        step: i64,
    },
    Str {
        s: Rc<PyStr>,
        byte: usize,
    },
    DictKeys {
        d: Rc<RefCell<Dict>>,
        i: usize,
        len: usize,
        /// How many entries are still to come: a dict's iterator that finds one more (its keys
        /// changed, its size did not) fails, as CPython's does.
        left: usize,
        kind: u8,
    },
    Deque {
        d: Rc<Native>,
        i: usize,
        /// The deque's length when the iterator was made: a change is an error.
        len: usize,
    },
    Enumerate {
        it: Value,
        n: Value,
    },
    Zip {
        its: Vec<Value>,
        /// `zip(..., strict=True)`: iterables of unequal lengths are an error.
        strict: bool,
    },
    /// `iter(f, sentinel)`: calls `f` until it returns the sentinel.
    Callable {
        f: Value,
        sentinel: Value,
    },
    Map {
        f: Value,
        its: Vec<Value>,
    },
    Filter {
        f: Value,
        it: Value,
    },
    Reversed {
        seq: Value,
        i: usize,
    },
    /// An exhausted iterator.
    Done,
}

impl IterState {
    /// The next number of a range iterator, advancing it (`None` at its end, or when this is
    /// not a range iterator).
    #[inline]
    pub fn range_next(&mut self) -> Option<i64> {
        match self {
            IterState::Range { next, stop, step }
                if (*step > 0 && *next < *stop) || (*step < 0 && *next > *stop) =>
            {
                let v = *next;
                *next = next.saturating_add(*step);
                Some(v)
            }
            _ => None,
        }
    }
}

/// What an async generator's awaitable does first.
pub enum AsyncGenOpKind {
    Send(Value),
    /// `athrow(exc)`: the exception instance.
    Throw(Value),
    Close,
}

/// Native objects with interior state: deques, queues, tasks and the other scheduler objects.
pub enum Native {
    Deque {
        items: RefCell<VecDeque<Value>>,
        maxlen: Option<usize>,
    },
    /// `super()`: the class to start after, and the object.
    Super {
        class: Rc<Class>,
        obj: Value,
    },
    /// `dict.keys()`, `.values()`, `.items()` views (kind 0, 1, 2).
    DictView {
        d: Rc<RefCell<Dict>>,
        kind: u8,
    },
    /// The `NotImplemented` singleton.
    NotImplemented,
    /// The `Ellipsis` singleton (`...`).
    Ellipsis,
    /// `property(fget, fset, fdel, doc)`: a data descriptor.
    Property {
        fget: Value,
        fset: Value,
        fdel: Value,
        doc: Value,
        /// The name it was assigned to in a class body (`__set_name__`), for messages.
        name: Cell<Option<Symbol>>,
    },
    /// `staticmethod(f)`: found through a class or an instance, it is `f` itself.
    StaticMethod(Value),
    /// `classmethod(f)`: found through a class or an instance, `f` bound to the class.
    ClassMethod(Value),
    /// A `random.Random`: CPython's generator.
    Random(RefCell<crate::mersenne::Mersenne>),
    /// `types.SimpleNamespace(**kw)`: an object of attributes.
    Namespace(RefCell<SymMap>),
    /// The awaitable of an async generator's `__anext__`/`asend` (`op` Send), `athrow` (Throw)
    /// or `aclose` (Close): awaiting it runs the generator to its next `yield`.
    AsyncGenOp {
        gen: Rc<Generator>,
        op: AsyncGenOpKind,
        /// 0: not started, 1: running the generator, 2: done.
        state: Cell<u8>,
    },
    /// `obj.__dict__` and `vars(obj)` of an instance: a dict whose items are the instance's
    /// attributes, read and written through.
    AttrDict(Rc<Instance>),
    /// A function's `__code__`.
    CodeObj(Rc<Code>),
    /// A suspended generator's `gi_frame`: where it stopped.
    FrameObj {
        code: Rc<Code>,
        line: i64,
    },
    /// A value an async generator yields (not one it passes up from an `await`).
    AsyncGenValue(Value),
    /// `int | str` (`types.UnionType`): the classes, a tuple of at least two, in order and
    /// without repeats (`None` is `NoneType`). `isinstance` and `issubclass` take it as they
    /// take the tuple.
    UnionType(Value),
    /// What a coroutine's `__await__()` gives (CPython's `coroutine_wrapper`): an iterator
    /// over the coroutine, which `send`, `throw`, `close` and `next()` step, and which a
    /// `yield from` or an `__await__` returning it delegates to. Holds the coroutine.
    CoroWrapper(Value),
    /// Awaits `inner`, raising `to` where it raises `from` (a queue's `__anext__`: its get,
    /// with QueueClosed as the end of the iteration).
    AwaitTranslate {
        inner: Value,
        from: Rc<Class>,
        to: Rc<Class>,
    },
    /// `anext(it, default)`: awaits `inner` (what `it.__anext__()` gave), or gives `default`
    /// when that raises StopAsyncIteration.
    ANextDefault {
        inner: Value,
        default: Value,
    },
    /// `sys.stdout` (`err` false) or `sys.stderr`: `write` and `flush`, nothing else.
    Stream {
        err: bool,
    },
    /// Scheduler objects (tasks, queues, events, awaitables, handles).
    Sched(crate::tasks::SchedObj),
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::new(PyStr { ascii: s.is_ascii(), s: s.to_string() }))
    }
    pub fn string(s: String) -> Value {
        Value::Str(Rc::new(PyStr { ascii: s.is_ascii(), s }))
    }
    /// A new list, tracked by the cycle collector.
    pub fn list(v: Vec<Value>) -> Value {
        let l = Rc::new(RefCell::new(v));
        crate::gc::track_list(&l);
        Value::List(l)
    }
    /// A new instance, tracked by the cycle collector.
    pub fn instance(i: Instance) -> Value {
        let i = Rc::new(i);
        crate::gc::track_instance(&i);
        Value::Instance(i)
    }
    /// A new deque, tracked by the cycle collector.
    pub fn deque(items: std::collections::VecDeque<Value>, maxlen: Option<usize>) -> Value {
        let d = Rc::new(Native::Deque { items: RefCell::new(items), maxlen });
        crate::gc::track_native(&d);
        Value::Native(d)
    }
    /// A new dict, tracked by the cycle collector.
    pub fn dict(d: crate::dict::Dict) -> Value {
        Value::Dict(Value::dict_rc(d))
    }
    /// A new dict's reference, tracked by the cycle collector.
    pub fn dict_rc(d: crate::dict::Dict) -> Rc<RefCell<crate::dict::Dict>> {
        let d = Rc::new(RefCell::new(d));
        crate::gc::track_dict(&d);
        d
    }
    pub fn tuple(v: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(v))
    }
    pub fn from_bigint(b: BigInt) -> Value {
        use num_traits::ToPrimitive;
        match b.to_i64() {
            Some(i) => Value::Int(i),
            None => Value::BigInt(Rc::new(b)),
        }
    }
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }
    /// Identity (`is`).
    pub fn is(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (None, None) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a.to_bits() == b.to_bits(),
            (BigInt(a), BigInt(b)) => Rc::ptr_eq(a, b),
            (Str(a), Str(b)) => Rc::ptr_eq(a, b) || (a.s.len() <= 1 && a.s == b.s),
            (List(a), List(b)) => Rc::ptr_eq(a, b),
            (Tuple(a), Tuple(b)) => Rc::ptr_eq(a, b) || (a.is_empty() && b.is_empty()),
            (Dict(a), Dict(b)) | (Set(a), Set(b)) => Rc::ptr_eq(a, b),
            (Range(a), Range(b)) => Rc::ptr_eq(a, b),
            (Slice(a), Slice(b)) => Rc::ptr_eq(a, b),
            (Func(a), Func(b)) => Rc::ptr_eq(a, b),
            (Builtin(a), Builtin(b)) => {
                Rc::ptr_eq(a, b) || (a.f as usize == b.f as usize && a.this.is(&b.this))
            }
            (Method(a), Method(b)) => Rc::ptr_eq(a, b),
            (Class(a), Class(b)) => Rc::ptr_eq(a, b),
            (Instance(a), Instance(b)) => Rc::ptr_eq(a, b),
            (Gen(a), Gen(b)) => Rc::ptr_eq(a, b),
            (Module(a), Module(b)) => Rc::ptr_eq(a, b),
            (Iter(a), Iter(b)) => Rc::ptr_eq(a, b),
            (Native(a), Native(b)) => {
                Rc::ptr_eq(a, b)
                    || matches!((&**a, &**b), (self::Native::NotImplemented, self::Native::NotImplemented))
                    || matches!((&**a, &**b), (self::Native::Ellipsis, self::Native::Ellipsis))
            }
            (Unbound, Unbound) => true,
            _ => false,
        }
    }
    /// A stable address for `id()` and default hashes.
    /// A number equal for values `is` calls one object (`address`, except that empty
    /// strings, one-byte strings and empty tuples are shared, as CPython caches them).
    pub fn identity(&self) -> usize {
        match self {
            Value::Str(s) if s.s.len() <= 1 => 0x3000 + s.s.bytes().next().map_or(0, |b| b as usize + 1),
            Value::Tuple(t) if t.is_empty() => 0x4000,
            _ => self.address(),
        }
    }

    pub fn address(&self) -> usize {
        use Value::*;
        match self {
            None => 0x1000,
            Bool(b) => 0x2000 + *b as usize,
            Int(i) => *i as usize,
            Float(f) => f.to_bits() as usize,
            BigInt(r) => Rc::as_ptr(r) as usize,
            Str(r) => Rc::as_ptr(r) as usize,
            List(r) => Rc::as_ptr(r) as *const u8 as usize,
            Tuple(r) => Rc::as_ptr(r) as usize,
            Dict(r) | Set(r) => Rc::as_ptr(r) as *const u8 as usize,
            Range(r) => Rc::as_ptr(r) as usize,
            Slice(r) => Rc::as_ptr(r) as *const u8 as usize,
            Func(r) => Rc::as_ptr(r) as usize,
            Builtin(r) => Rc::as_ptr(r) as usize,
            Method(r) => Rc::as_ptr(r) as *const u8 as usize,
            Class(r) => Rc::as_ptr(r) as usize,
            Instance(r) => Rc::as_ptr(r) as usize,
            Gen(r) => Rc::as_ptr(r) as usize,
            Module(r) => Rc::as_ptr(r) as usize,
            Iter(r) => Rc::as_ptr(r) as *const u8 as usize,
            Native(r) => Rc::as_ptr(r) as usize,
            Unbound => 0,
        }
    }
}

/// CPython's `repr()` of a str.
pub fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if !is_printable(c) => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{:02x}", n));
                } else if n <= 0xffff {
                    out.push_str(&format!("\\u{:04x}", n));
                } else {
                    out.push_str(&format!("\\U{:08x}", n));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Whether `repr()` shows `c` as it is (and `str.isprintable()` counts it), as CPython
/// decides: the space, and any character that is not a control, format, surrogate,
/// private-use or unassigned character nor a separator (Unicode 14.0.0's categories, as
/// CPython 3.11's).
pub fn is_printable(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory as G};
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    !matches!(
        get_general_category(c),
        G::Control
            | G::Format
            | G::Surrogate
            | G::PrivateUse
            | G::Unassigned
            | G::LineSeparator
            | G::ParagraphSeparator
            | G::SpaceSeparator
    )
}

/// CPython's `repr()` of a float: the shortest string that round-trips, `1e+20` style exponents
/// from 1e16 on, `inf`, `nan`, `-0.0`.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    // Rust's `{:e}` gives the shortest round-tripping digits in scientific form; when two
    // digit strings of that length round-trip, CPython takes the correctly rounded one
    // (ties to even), which `{:.Ne}` gives.
    let shortest = format!("{:e}", f);
    let ndigits =
        shortest.split('e').next().map(|m| m.chars().filter(|c| c.is_ascii_digit()).count()).unwrap_or(1);
    let rounded = format!("{:.*e}", ndigits.saturating_sub(1), f);
    let sci = if rounded.parse::<f64>().ok() == Some(f) { rounded } else { shortest };
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mant) = match mant.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mant),
    };
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let e = exp as usize;
            if digits.len() > e + 1 {
                out.push_str(&digits[..e + 1]);
                out.push('.');
                out.push_str(&digits[e + 1..]);
            } else {
                out.push_str(&digits);
                out.push_str(&"0".repeat(e + 1 - digits.len()));
                out.push_str(".0");
            }
        } else {
            out.push_str("0.");
            out.push_str(&"0".repeat((-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.abs()));
    }
    out
}

#[cfg(test)]
mod tests {
    /// The categories `is_printable` reads are Unicode 14.0.0's, CPython 3.11's (its
    /// `unicodedata.unidata_version`): a newer table would call the characters assigned since
    /// printable, which CPython escapes (`tests/compat/printable_characters.ta` checks every
    /// code point against CPython).
    #[test]
    fn printability_follows_the_unicode_version_of_cpython_3_11() {
        assert_eq!(unicode_general_category::UNICODE_VERSION, (14, 0, 0));
    }
}
