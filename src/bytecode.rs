//! The VM's instructions: register-based, fixed-size, Lua 5 style.
//!
//! Every operand is a register of the frame (`Reg`): the resolver's local slots come first
//! (parameters first), then the temporaries the compiler allocates stack-wise while it walks an
//! expression. A partial expression value therefore lives in a register, and a frame suspended
//! in the middle of an expression is still plain data: evaluation order around `yield` and
//! `await` is Python's by construction. Constants, names and the templates of nested functions,
//! classes and comprehensions sit in side tables; the span of each instruction sits in a side
//! table consulted only on errors.

use crate::ast::{BinOp, CmpOp, UnaryOp};
use crate::code::Code;
use crate::span::{Span, Symbol};
use crate::value::Value;
use std::rc::Rc;

pub type Reg = u16;
/// "No register": an absent optional operand.
pub const NO_REG: Reg = Reg::MAX;

#[derive(Clone, Copy, Debug)]
pub enum Instr {
    /// Counts a step (a statement or a loop iteration) against `--max-steps`, checks signals,
    /// and empties the registers `live..hi`: the temporaries of the statement before are dead,
    /// and what they held is released now, as CPython releases its stack (a task handle dropped
    /// by `spawn(f())` as a statement is gone before the next statement runs). `hi` bounds the
    /// registers any path since the previous `Step` can have written (`compile/steps.rs`).
    Step {
        live: Reg,
        hi: Reg,
    },
    /// A `Step` with nothing to empty (no path since the previous one wrote a temporary that
    /// can hold a reference): it only counts. (`compile/steps.rs` turns such a `Step` into it;
    /// its `live` bound is kept aside, in `Bytecode::tick_live`, for the debug builds' check.)
    Tick,
    LoadConst {
        dst: Reg,
        k: u32,
    },
    Move {
        dst: Reg,
        src: Reg,
    },
    /// A local variable: raises UnboundLocalError when it has no value.
    LoadLocal {
        dst: Reg,
        src: Reg,
    },
    DelLocal {
        reg: Reg,
    },
    LoadCell {
        dst: Reg,
        cell: u16,
    },
    StoreCell {
        cell: u16,
        src: Reg,
    },
    DelCell {
        cell: u16,
    },
    LoadGlobal {
        dst: Reg,
        name: u32,
    },
    StoreGlobal {
        name: u32,
        src: Reg,
    },
    DelGlobal {
        name: u32,
    },
    /// A name in a class body: the namespace, then globals, then builtins.
    LoadClassNs {
        dst: Reg,
        name: u32,
    },
    StoreClassNs {
        name: u32,
        src: Reg,
    },
    DelClassNs {
        name: u32,
    },

    Bin {
        op: BinOp,
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// `a op k` with the small integer constant `k` (`n - 1`): one instruction, no register
    /// for the constant.
    BinK {
        op: BinOp,
        dst: Reg,
        a: Reg,
        k: i16,
    },
    /// `a op k` comparing with the small integer constant `k` (`n < 2`).
    CompareK {
        op: CmpOp,
        dst: Reg,
        a: Reg,
        k: i16,
    },
    /// `a op= k` with the small integer constant `k` (`i += 1`).
    InplaceK {
        op: BinOp,
        dst: Reg,
        a: Reg,
        k: i16,
    },
    /// `a op= b`: the in-place form (`__iadd__`, list `+=` extends).
    Inplace {
        op: BinOp,
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Unary {
        op: UnaryOp,
        dst: Reg,
        a: Reg,
    },
    Compare {
        op: CmpOp,
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// `dst = bool(a)`.
    Truth {
        dst: Reg,
        a: Reg,
    },

    /// Registers `start..start+n` into a new tuple, list or set.
    BuildTuple {
        dst: Reg,
        start: Reg,
        n: u16,
    },
    BuildList {
        dst: Reg,
        start: Reg,
        n: u16,
    },
    BuildSet {
        dst: Reg,
        start: Reg,
        n: u16,
    },
    /// A set display of constants, which CPython compiles to a frozenset constant: constant
    /// `k` is `(key, items)`; the frozenset is made once per key (as CPython's compiler does,
    /// which also shares one constant among equal displays) and is the value where CPython
    /// uses it as it is (`frozen`: the iterable of a `for` or a comprehension, the right of
    /// `in`), else merged into a new set (a display of more than two constants).
    SetConst {
        dst: Reg,
        k: u32,
        frozen: bool,
    },
    /// `n` key/value pairs in registers `start..start+2n`.
    BuildDict {
        dst: Reg,
        start: Reg,
        n: u16,
    },
    ListAppend {
        list: Reg,
        src: Reg,
    },
    /// `*src` in a display or call: append every item of an iterable.
    ListExtend {
        list: Reg,
        src: Reg,
    },
    SetAdd {
        set: Reg,
        src: Reg,
    },
    SetUpdate {
        set: Reg,
        src: Reg,
    },
    DictSet {
        dict: Reg,
        key: Reg,
        src: Reg,
    },
    /// `**src` in a display.
    DictUpdate {
        dict: Reg,
        src: Reg,
    },
    /// `*src` in a call of `func`: its items appended to the positional arguments.
    StarArgs {
        list: Reg,
        src: Reg,
        func: Reg,
    },
    /// `**src` in a call of `func`: its items added to the keyword arguments, each once.
    StarKwargs {
        dict: Reg,
        src: Reg,
        func: Reg,
    },
    ListToTuple {
        dst: Reg,
        src: Reg,
    },
    /// A slice from three registers (start, stop, step; None where absent).
    BuildSlice {
        dst: Reg,
        start: Reg,
    },
    /// An f-string field: `format(src, spec)` after the conversion (`!r`, `!s`, `!a`, or 0).
    /// Its result goes only to a `Concat`: an int with no conversion and no spec is left an
    /// int, whose digits `Concat` writes.
    Format {
        dst: Reg,
        src: Reg,
        conv: u8,
        spec: Reg,
    },
    /// Concatenates the strings (and the ints, in decimal) in registers `start..start+n`.
    Concat {
        dst: Reg,
        start: Reg,
        n: u16,
    },
    /// Unpacks an iterable into `n` registers from `start`; `star` is the index of a starred
    /// target (it gets a list), or `NO_REG`.
    Unpack {
        src: Reg,
        start: Reg,
        n: u16,
        star: u16,
    },

    GetAttr {
        dst: Reg,
        obj: Reg,
        name: u32,
    },
    SetAttr {
        obj: Reg,
        name: u32,
        src: Reg,
    },
    DelAttr {
        obj: Reg,
        name: u32,
    },
    GetItem {
        dst: Reg,
        obj: Reg,
        idx: Reg,
    },
    SetItem {
        obj: Reg,
        idx: Reg,
        src: Reg,
    },
    DelItem {
        obj: Reg,
        idx: Reg,
    },

    /// `func(args...)`: the function in `func`, `argc` positional arguments in the registers
    /// after it.
    Call {
        dst: Reg,
        func: Reg,
        argc: u16,
    },
    /// A `Call` whose result the next two instructions await (`GetAwaitable dst <- dst`,
    /// `YieldFrom _ <- dst`: `await f(x)`), marked so by the compiler. It is a `Call`, except
    /// where the scheduler says the await gives the turn away at once (`await sleep(0)` in a
    /// task, see `SchedHooks::await_call`): then it suspends the task itself, past the two.
    AwaitCall {
        dst: Reg,
        func: Reg,
        argc: u16,
    },
    /// `obj.name` for a call: in `dst` and `dst + 1`, either the class's function and `obj`
    /// (no bound method is made), or the attribute's value and Unbound, or Unbound and `obj`
    /// when `obj` is a built-in value with a native method `name`. The lookup happens before the
    /// arguments are evaluated, as in CPython.
    LoadMethod {
        dst: Reg,
        obj: Reg,
        name: u32,
    },
    /// Calls what `LoadMethod` left in `func` and `func + 1` with `argc` positional arguments in
    /// the registers after them.
    CallMethod {
        dst: Reg,
        func: Reg,
        argc: u16,
        name: u32,
    },
    /// As `Call`, then `kw` keyword values; their names are the constant tuple `names`.
    CallKw {
        dst: Reg,
        func: Reg,
        argc: u16,
        kw: u16,
        names: u32,
    },
    /// `func(*args, **kwargs)`: a tuple and a dict (or `NO_REG`).
    CallEx {
        dst: Reg,
        func: Reg,
        args: Reg,
        kwargs: Reg,
    },

    Jump {
        to: u32,
    },
    JumpIfFalse {
        cond: Reg,
        to: u32,
    },
    JumpIfTrue {
        cond: Reg,
        to: u32,
    },
    /// `if a op b:` / `while a op b:` in one instruction: jumps to `to` unless `a op b` holds
    /// (a `Compare` whose result nothing else reads).
    JumpUnless {
        op: CmpOp,
        a: Reg,
        b: Reg,
        to: u32,
    },
    /// `if a op k:` / `while a op k:` in one instruction: jumps to `to` unless `a op k` holds
    /// (`k` a small integer constant, as in `CompareK`, whose result nothing else reads).
    JumpUnlessK {
        op: CmpOp,
        a: Reg,
        k: i16,
        to: u32,
    },
    GetIter {
        dst: Reg,
        src: Reg,
    },
    /// The head of `for x in range(...)`, before the call: when `func` holds the built-in
    /// `range` and its `argc` (1 or 2) arguments after it are ints, the loop needs no iterator
    /// object: `func` becomes the first number and `func + 1` the stop, and control jumps to
    /// `to` (the loop's top). Otherwise it falls through to the call and `GetIter`.
    ForRange {
        func: Reg,
        argc: u16,
        to: u32,
    },
    /// The next item of the iterator in `iter` into `dst`, or jump to `exit` at its end. An
    /// int in `iter` is a `ForRange` counter, with its stop in `iter + 1`.
    ForIter {
        iter: Reg,
        dst: Reg,
        exit: u32,
    },
    Return {
        src: Reg,
    },

    /// Suspends the frame's generator with the value in `src`; what is sent in lands in `dst`.
    /// A suspension point.
    Yield {
        dst: Reg,
        src: Reg,
    },
    /// `Yield` of `None` (a bare `yield` in a plain generator), with no constant to load
    /// first: `dst`, a temporary, is set to `None` as the frame suspends. A suspension point.
    YieldNone {
        dst: Reg,
    },
    /// The iterator of `yield from src`.
    GetYieldFromIter {
        dst: Reg,
        src: Reg,
    },
    /// The iterator of `await src` (a coroutine, an object with `__await__`, a request).
    GetAwaitable {
        dst: Reg,
        src: Reg,
    },
    /// Delegates to the iterator in `iter` until it returns; its value lands in `dst`. A
    /// suspension point: while the delegate yields, the frame stays here.
    YieldFrom {
        dst: Reg,
        iter: Reg,
    },

    /// `raise exc from cause` (`cause` may be `NO_REG`).
    Raise {
        exc: Reg,
        cause: Reg,
    },
    /// Bare `raise` in an except clause, or the end of a `finally` reached by an exception:
    /// raises the exception being handled again, with its traceback.
    Reraise,
    /// `raise` where nothing is being handled.
    ReraiseNone,
    /// The exception being handled (the innermost) into `dst`.
    LoadExc {
        dst: Reg,
    },
    /// `dst = isinstance(exception being handled, typ)` for an except clause.
    ExcMatch {
        dst: Reg,
        typ: Reg,
    },
    /// The except clause or finally body reached by an exception is over.
    PopExc,
    /// `with`: calls `__exit__` of the manager in `exit` with the exception being handled;
    /// `dst` is whether it swallowed it. `async with` (`aw`): `dst` is what `__aexit__`
    /// returned, to be awaited (its result is then tested).
    WithExitExc {
        dst: Reg,
        exit: Reg,
        aw: bool,
    },
    /// `with`: calls `__exit__(None, None, None)`. `async with`: `__aexit__`, its awaitable
    /// into `dst` (`NO_REG` for `with`).
    WithExit {
        exit: Reg,
        dst: Reg,
    },
    /// `with`: `dst = mgr.__enter__()`, and the manager kept in `exit` for the exit.
    /// `async with` (`aw`): `dst = mgr.__aenter__()`, to be awaited.
    WithEnter {
        dst: Reg,
        exit: Reg,
        mgr: Reg,
        aw: bool,
    },
    /// `locals()`: a dict of the frame's bound names (the globals at the top level, the
    /// namespace in a class body); `dir()` (`names`): their sorted list.
    Locals {
        dst: Reg,
        names: bool,
    },
    /// `__class__` in a method: the class whose body defined the function.
    LoadOwnerClass {
        dst: Reg,
    },
    /// A loop is over: its iterator goes (a generator abandoned by `break` is closed now, as
    /// in CPython), and the finalizers due run.
    DropIter {
        reg: Reg,
    },
    /// `async for`: `dst = aiter(src)` (its `__aiter__`).
    GetAIter {
        dst: Reg,
        src: Reg,
    },
    /// `async for`: `dst` = the awaitable of `src.__anext__()`.
    GetANext {
        dst: Reg,
        src: Reg,
    },
    /// `yield` in an async generator: the value marked as yielded by the generator itself (not
    /// by something it awaits), so its `__anext__` completes with it.
    AsyncGenWrap {
        dst: Reg,
        src: Reg,
    },

    /// A function from template `f`; its defaults are in registers from `args`.
    MakeFunction {
        dst: Reg,
        f: u32,
        args: Reg,
    },
    /// A class from template `c`; its bases are in registers from `bases`.
    MakeClass {
        dst: Reg,
        c: u32,
        bases: Reg,
    },
    /// `import a.b.c`: the module (`full`), or the top-level package for binding `a`.
    Import {
        dst: Reg,
        name: u32,
        full: bool,
    },
    ImportFrom {
        dst: Reg,
        module: Reg,
        name: u32,
    },
    /// `from m import *` at module level: the module's `__all__`, or its names not starting
    /// with `_`, stored as globals.
    ImportStar {
        module: Reg,
    },
    /// The REPL: print the repr of a value that is not None, and bind `_`.
    Echo {
        src: Reg,
    },
    /// `super()` in a method.
    Super {
        dst: Reg,
    },
    /// `assert`'s failure: raises AssertionError with the message in `msg` (or none).
    AssertFail {
        msg: Reg,
    },
}

/// A `try` region: an exception raised by an instruction in `start..end` jumps to `target`,
/// after dropping the exceptions being handled down to `depth`. Entries are ordered innermost
/// first.
#[derive(Clone, Copy, Debug)]
pub struct Handler {
    pub start: u32,
    pub end: u32,
    pub target: u32,
    pub depth: u16,
}

/// A part's register in `PartSpans` that stands for a small integer constant instead (the
/// right operand of `BinK` and `CompareK`): `KONST_PART | (k as u16)`.
pub const KONST_PART: Reg = 0x8000;

/// The part register standing for the small integer constant `k` (see `KONST_PART`).
pub fn konst_part(k: i16) -> Reg {
    KONST_PART | (k as u16 & 0x7fff)
}

/// The constant a part register stands for, if it stands for one.
pub fn part_konst(r: Reg) -> Option<i64> {
    (r != NO_REG && r & KONST_PART != 0).then_some((r & !KONST_PART) as i64)
}

/// The parts of the expression an instruction evaluates, for an error's labels (`hint.rs`):
/// each part's span and the register holding its value.
#[derive(Clone, Debug, Default)]
pub struct PartSpans {
    /// The operands (left and right; object and index; the function of a call).
    pub operands: Vec<(Span, Reg)>,
    /// The attribute or method name, and the register of the object it is looked up on.
    pub name: Option<(Span, Reg)>,
    /// The positional arguments of a call.
    pub args: Vec<(Span, Reg)>,
}

/// What `MakeFunction` needs beyond its registers.
pub struct FnTemplate {
    pub code: Rc<Code>,
    pub ndefaults: u16,
    /// For each keyword-only parameter, whether a default follows the positional defaults.
    pub kwdefaults: Vec<bool>,
    /// Cells of the defining frame captured by the function, in its free-variable order.
    pub closure: Vec<u16>,
}

pub struct ClassTemplate {
    pub name: Symbol,
    pub nbases: u16,
    pub code: Rc<Code>,
    pub closure: Vec<u16>,
}

/// The compiled body of a function, class body, comprehension or module.
pub struct Bytecode {
    pub instrs: Vec<Instr>,
    /// The source span of each instruction, for tracebacks.
    pub spans: Vec<Span>,
    pub consts: Vec<Value>,
    pub names: Vec<Symbol>,
    pub handlers: Vec<Handler>,
    pub functions: Vec<FnTemplate>,
    pub classes: Vec<ClassTemplate>,
    /// The parts of the instructions that can fail on one of them, by instruction, in order.
    pub parts: Vec<(u32, PartSpans)>,
    /// What `LoadGlobal` and `StoreGlobal` remember of each name: a function, built-in or
    /// class found while the globals' version is unchanged, or a data global's place (see
    /// `GlobalCache`).
    pub global_cache: Box<[GlobalCacheCell]>,
    /// The globals of the module it belongs to, when that is not the program: a prelude
    /// module's (`collections`, `heapq`), whose functions find their names there and in the
    /// built-ins whatever the program binds (`list = []` at the top level must not break
    /// `Counter`). Held weakly: the namespace holds the functions; the interpreter holds it.
    /// (Its `LoadGlobal`s never remember a place in the program's globals, which they check
    /// first: only the module's own top level, run while its globals are the program's, stores
    /// globals; the prelude refuses a function that would.)
    pub module_globals: Option<std::rc::Weak<std::cell::RefCell<crate::symmap::SymMap>>>,
    /// The `live` bound of each `Tick`, by instruction index, in order: what debug builds check
    /// there (nothing from it up holds a reference). Not in release builds, where a field more
    /// here made the dispatch loop slower (sched_yield.ta +10% wall clock, the same instructions).
    #[cfg(debug_assertions)]
    pub tick_live: Box<[(u32, Reg)]>,
}

/// One name's `GlobalCache`, read and replaced in place (no borrow flag: `LoadGlobal` reads it
/// on every global it loads).
#[derive(Default)]
pub struct GlobalCacheCell(std::cell::UnsafeCell<GlobalCache>);

impl GlobalCacheCell {
    /// The cached function, built-in or class, if it is still valid in globals of `version`
    /// (for a data global, see `read_place`).
    #[inline]
    pub fn get(&self, version: u64) -> Option<Value> {
        // SAFETY: the cell is not shared between threads (`Bytecode` is not `Sync`: it holds
        // `Rc`s), and no reference into it outlives a call of its methods, none of which runs
        // code that could reach this cell again (an upgrade or a drop of a `Weak` runs no
        // destructor of a value).
        unsafe { (*self.0.get()).get(version) }
    }

    /// The place in the globals remembered for the name `k`, if any (checked by whoever uses
    /// it: see `SymMap::at`).
    #[inline]
    pub fn place(&self, k: Symbol) -> Option<usize> {
        // SAFETY: as for `get`.
        match unsafe { &*self.0.get() } {
            GlobalCache::Place(n, i) if *n == k => Some(*i as usize),
            _ => None,
        }
    }

    /// The value of the data global whose place is remembered, if it is still there.
    #[inline]
    pub fn read_place(&self, globals: &std::cell::RefCell<crate::symmap::SymMap>) -> Option<Value> {
        // SAFETY: as for `get` (a clone of a value runs no code).
        match unsafe { &*self.0.get() } {
            GlobalCache::Place(k, i) => globals.borrow().at(*i as usize, *k).cloned(),
            _ => None,
        }
    }

    /// Remembers `entry`.
    pub fn set(&self, entry: GlobalCache) {
        // SAFETY: as for `get`; the old entry, dropped here, is a `Weak` at most.
        unsafe { *self.0.get() = entry }
    }
}

/// A global function, built-in or class found by `LoadGlobal` (CPython 3.11 caches global
/// lookups in the instruction stream likewise), valid while `Interp::globals_version` is
/// `version`. Held weakly: a function that reads itself (`fib`) makes no reference cycle, and
/// what the program drops is dropped. Any other value of a global (a counter, a list) is read
/// afresh from its place in the globals, which `StoreGlobal` also writes through (CPython 3.11
/// remembers the index into the module's dict likewise).
#[derive(Clone, Default)]
pub enum GlobalCache {
    #[default]
    Empty,
    Func(u64, std::rc::Weak<crate::value::Function>),
    Builtin(u64, std::rc::Weak<crate::value::Builtin>),
    Class(u64, std::rc::Weak<crate::value::Class>),
    /// The name's place in the globals (valid while the name is still there: checked on use,
    /// so no version is needed).
    Place(Symbol, u32),
}

impl GlobalCache {
    /// The cached function, built-in or class, if it is still valid in globals of `version`.
    #[inline]
    pub fn get(&self, version: u64) -> Option<Value> {
        match self {
            GlobalCache::Func(v, w) if *v == version => w.upgrade().map(Value::Func),
            GlobalCache::Builtin(v, w) if *v == version => w.upgrade().map(Value::Builtin),
            GlobalCache::Class(v, w) if *v == version => w.upgrade().map(Value::Class),
            _ => None,
        }
    }

    /// What to remember of `value`, found in globals of `version` at `place` (when it is a
    /// global, not a built-in).
    pub fn of(value: &Value, version: u64, place: Option<(Symbol, usize)>) -> GlobalCache {
        match (value, place) {
            (Value::Func(f), _) => GlobalCache::Func(version, Rc::downgrade(f)),
            (Value::Builtin(b), _) => GlobalCache::Builtin(version, Rc::downgrade(b)),
            (Value::Class(c), _) => GlobalCache::Class(version, Rc::downgrade(c)),
            (_, Some((k, i))) => GlobalCache::place(k, i),
            (_, None) => GlobalCache::Empty,
        }
    }

    /// The place `i` of the global `k`.
    pub fn place(k: Symbol, i: usize) -> GlobalCache {
        match u32::try_from(i) {
            Ok(i) => GlobalCache::Place(k, i),
            // (Past 2^32 globals, none is cached.)
            Err(_) => GlobalCache::Empty,
        }
    }
}

/// When `instrs[at]` and `instrs[at + 1]` await the value in `dst` (`GetAwaitable dst <-
/// dst`, `YieldFrom yd <- dst`, as `await f(x)` compiles after its call): the register the
/// await's result goes in (`yd`).
pub fn awaited_at(instrs: &[Instr], at: usize, dst: Reg) -> Option<Reg> {
    match (instrs.get(at), instrs.get(at + 1)) {
        (Some(&Instr::GetAwaitable { dst: a, src }), Some(&Instr::YieldFrom { dst: yd, iter }))
            if a == dst && src == dst && iter == dst =>
        {
            Some(yd)
        }
        _ => None,
    }
}

impl Instr {
    /// The register a call stores its result in: where a value yielded by a generator that
    /// `next(g)` resumed lands, however the call was written (`next(g)`, `next(*[g])`).
    pub fn call_dst(&self) -> Option<Reg> {
        match *self {
            Instr::Call { dst, .. }
            | Instr::AwaitCall { dst, .. }
            | Instr::CallMethod { dst, .. }
            | Instr::CallKw { dst, .. }
            | Instr::CallEx { dst, .. } => Some(dst),
            _ => None,
        }
    }

    /// One past the highest register this instruction may store a value in (0 when it stores
    /// none, or only values holding no reference, as `DelLocal` and `Return` do).
    pub fn writes_below(&self) -> u32 {
        use Instr::*;
        let one = |r: Reg| r as u32 + 1;
        match *self {
            LoadConst { dst, .. }
            | Move { dst, .. }
            | LoadLocal { dst, .. }
            | LoadCell { dst, .. }
            | LoadGlobal { dst, .. }
            | LoadClassNs { dst, .. }
            | Bin { dst, .. }
            | BinK { dst, .. }
            | CompareK { dst, .. }
            | Inplace { dst, .. }
            | InplaceK { dst, .. }
            | Unary { dst, .. }
            | Compare { dst, .. }
            | Truth { dst, .. }
            | BuildTuple { dst, .. }
            | BuildList { dst, .. }
            | BuildSet { dst, .. }
            | SetConst { dst, .. }
            | BuildDict { dst, .. }
            | ListToTuple { dst, .. }
            | BuildSlice { dst, .. }
            | Format { dst, .. }
            | Concat { dst, .. }
            | GetAttr { dst, .. }
            | GetItem { dst, .. }
            | Call { dst, .. }
            | AwaitCall { dst, .. }
            | CallMethod { dst, .. }
            | CallKw { dst, .. }
            | CallEx { dst, .. }
            | GetIter { dst, .. }
            | ForIter { dst, .. }
            | Yield { dst, .. }
            | YieldNone { dst }
            | GetYieldFromIter { dst, .. }
            | GetAwaitable { dst, .. }
            | GetAIter { dst, .. }
            | GetANext { dst, .. }
            | AsyncGenWrap { dst, .. }
            | YieldFrom { dst, .. }
            | LoadExc { dst }
            | ExcMatch { dst, .. }
            | WithExitExc { dst, .. }
            | MakeFunction { dst, .. }
            | MakeClass { dst, .. }
            | Import { dst, .. }
            | ImportFrom { dst, .. }
            | Super { dst }
            | LoadOwnerClass { dst }
            | Locals { dst, .. } => one(dst),
            LoadMethod { dst, .. } => one(dst) + 1,
            ForRange { func, .. } => one(func) + 1,
            WithEnter { dst, exit, .. } => one(dst).max(one(exit)),
            WithExit { dst, .. } => {
                if dst == NO_REG {
                    0
                } else {
                    one(dst)
                }
            }
            Unpack { start, n, .. } => start as u32 + n as u32,
            Step { .. }
            | Tick
            | DelLocal { .. }
            | StoreCell { .. }
            | DelCell { .. }
            | StoreGlobal { .. }
            | DelGlobal { .. }
            | StoreClassNs { .. }
            | DelClassNs { .. }
            | ListAppend { .. }
            | ListExtend { .. }
            | SetAdd { .. }
            | SetUpdate { .. }
            | DictSet { .. }
            | DictUpdate { .. }
            | StarArgs { .. }
            | StarKwargs { .. }
            | SetAttr { .. }
            | DelAttr { .. }
            | SetItem { .. }
            | DelItem { .. }
            | Jump { .. }
            | JumpIfFalse { .. }
            | JumpIfTrue { .. }
            | JumpUnlessK { .. }
            | JumpUnless { .. }
            | Return { .. }
            | Raise { .. }
            | Reraise
            | ReraiseNone
            | PopExc
            | DropIter { .. }
            | Echo { .. }
            | ImportStar { .. }
            | AssertFail { .. } => 0,
        }
    }

    /// One past the highest register this instruction reads or writes (ranges included:
    /// a call's arguments, a display's items), 0 when it names none. `NO_REG` counts as
    /// absent only in the operands that may be absent (`opt`); anywhere else it is a register
    /// beyond every frame, which `check` rejects. The dispatch loop indexes registers without
    /// a bounds check; `Bytecode::check` holds every instruction to this bound at compile time.
    pub fn reg_extent(&self) -> u32 {
        use Instr::*;
        let one = |r: Reg| r as u32 + 1;
        let opt = |r: Reg| if r == NO_REG { 0 } else { r as u32 + 1 };
        let span = |start: Reg, n: u32| start as u32 + n;
        match *self {
            Step { live, hi } => (live as u32).max(hi as u32),
            LoadConst { dst, .. }
            | SetConst { dst, .. }
            | LoadCell { dst, .. }
            | LoadGlobal { dst, .. }
            | LoadClassNs { dst, .. }
            | LoadExc { dst }
            | Locals { dst, .. }
            | LoadOwnerClass { dst }
            | Import { dst, .. }
            | YieldNone { dst }
            | Super { dst } => one(dst),
            DelLocal { reg } | DropIter { reg } => one(reg),
            StoreCell { src, .. }
            | StoreGlobal { src, .. }
            | StoreClassNs { src, .. }
            | Return { src }
            | Echo { src }
            | ImportStar { module: src } => one(src),
            DelCell { .. } | DelGlobal { .. } | DelClassNs { .. } | Jump { .. } => 0,
            Reraise | ReraiseNone | PopExc | Tick => 0,
            AssertFail { msg } => opt(msg),
            Move { dst, src }
            | LoadLocal { dst, src }
            | ListToTuple { dst, src }
            | GetIter { dst, src }
            | Yield { dst, src }
            | GetYieldFromIter { dst, src }
            | GetAwaitable { dst, src }
            | GetAIter { dst, src }
            | GetANext { dst, src }
            | AsyncGenWrap { dst, src } => one(dst).max(one(src)),
            Bin { dst, a, b, .. } | Inplace { dst, a, b, .. } | Compare { dst, a, b, .. } => {
                one(dst).max(one(a)).max(one(b))
            }
            BinK { dst, a, .. }
            | CompareK { dst, a, .. }
            | InplaceK { dst, a, .. }
            | Unary { dst, a, .. }
            | Truth { dst, a } => one(dst).max(one(a)),
            BuildTuple { dst, start, n } | BuildList { dst, start, n } | BuildSet { dst, start, n } => {
                one(dst).max(span(start, n as u32))
            }
            BuildDict { dst, start, n } => one(dst).max(span(start, 2 * n as u32)),
            Concat { dst, start, n } => one(dst).max(span(start, n as u32)),
            BuildSlice { dst, start } => one(dst).max(span(start, 3)),
            ListAppend { list: a, src: b }
            | ListExtend { list: a, src: b }
            | SetAdd { set: a, src: b }
            | SetUpdate { set: a, src: b }
            | DictUpdate { dict: a, src: b }
            | SetAttr { obj: a, src: b, .. }
            | DelItem { obj: a, idx: b }
            | ExcMatch { dst: a, typ: b }
            | ImportFrom { dst: a, module: b, .. }
            | YieldFrom { dst: a, iter: b }
            | WithExitExc { dst: a, exit: b, .. }
            | JumpUnless { a, b, .. } => one(a).max(one(b)),
            DictSet { dict: a, key: b, src: c }
            | StarArgs { list: a, src: b, func: c }
            | StarKwargs { dict: a, src: b, func: c }
            | GetItem { dst: a, obj: b, idx: c }
            | SetItem { obj: a, idx: b, src: c } => one(a).max(one(b)).max(one(c)),
            Format { dst, src, spec, .. } => one(dst).max(one(src)).max(opt(spec)),
            WithExit { exit, dst } => one(exit).max(opt(dst)),
            Raise { exc, cause } => one(exc).max(opt(cause)),
            WithEnter { dst, exit, mgr, .. } => one(dst).max(one(exit)).max(one(mgr)),
            Unpack { src, start, n, .. } => one(src).max(span(start, n as u32)),
            GetAttr { dst, obj, .. } => one(dst).max(one(obj)),
            DelAttr { obj, .. } => one(obj),
            Call { dst, func, argc } | AwaitCall { dst, func, argc } => {
                one(dst).max(span(func, 1 + argc as u32))
            }
            ForRange { func, argc, .. } => span(func, 1 + argc as u32).max(span(func, 2)),
            // The stop of a `for` over `range` is read from `iter + 1`.
            ForIter { iter, dst, .. } => span(iter, 2).max(one(dst)),
            LoadMethod { dst, obj, .. } => span(dst, 2).max(one(obj)),
            CallMethod { dst, func, argc, .. } => one(dst).max(span(func, 2 + argc as u32)),
            CallKw { dst, func, argc, kw, .. } => one(dst).max(span(func, 1 + argc as u32 + kw as u32)),
            CallEx { dst, func, args, kwargs } => one(dst).max(one(func)).max(one(args)).max(opt(kwargs)),
            JumpIfFalse { cond, .. } | JumpIfTrue { cond, .. } => one(cond),
            JumpUnlessK { a, .. } => one(a),
            // Their registers from `args`/`bases` are read with bounds checks (`cold.rs`).
            MakeFunction { dst, .. } | MakeClass { dst, .. } => one(dst),
        }
    }

    /// Where control can go next without an exception: whether the next instruction follows,
    /// and the jump target, if any.
    pub fn successors(&self) -> (bool, Option<u32>) {
        use Instr::*;
        match *self {
            Jump { to } => (false, Some(to)),
            JumpIfFalse { to, .. }
            | JumpIfTrue { to, .. }
            | JumpUnlessK { to, .. }
            | JumpUnless { to, .. } => (true, Some(to)),
            ForIter { exit, .. } => (true, Some(exit)),
            ForRange { to, .. } => (true, Some(to)),
            Return { .. } | Raise { .. } | Reraise | ReraiseNone | AssertFail { .. } => (false, None),
            _ => (true, None),
        }
    }
}

impl Bytecode {
    /// What the dispatch loop relies on instead of bounds checks, checked once when the code
    /// is made: every register an instruction names is below `nregs`, every constant and name
    /// index is in its table, every jump and handler lands on an instruction, and control
    /// cannot run off the end (the last instruction does not fall through).
    pub fn check(&self, nregs: usize) -> Result<(), String> {
        let len = self.instrs.len() as u64;
        let Some(last) = self.instrs.last() else {
            return Err("no instructions".into());
        };
        if last.successors().0 {
            return Err(format!("the last instruction ({:?}) falls through", last));
        }
        for (at, i) in self.instrs.iter().enumerate() {
            let bad = |what: &str| Err(format!("instruction {} ({:?}): {}", at, i, what));
            if i.reg_extent() as usize > nregs {
                return bad(&format!("a register beyond the frame's {}", nregs));
            }
            if let (_, Some(to)) = i.successors() {
                if to as u64 >= len {
                    return bad("a jump past the end");
                }
            }
            match *i {
                Instr::LoadConst { k, .. } if k as usize >= self.consts.len() => {
                    return bad("no such constant")
                }
                Instr::LoadGlobal { name, .. }
                | Instr::StoreGlobal { name, .. }
                | Instr::GetAttr { name, .. }
                | Instr::SetAttr { name, .. }
                | Instr::LoadMethod { name, .. }
                | Instr::CallMethod { name, .. }
                    if name as usize >= self.names.len() =>
                {
                    return bad("no such name")
                }
                Instr::LoadGlobal { name, .. } | Instr::StoreGlobal { name, .. }
                    if name as usize >= self.global_cache.len() =>
                {
                    return bad("no cache for the name")
                }
                // The VM skips the two instructions after it when it suspends there itself.
                Instr::AwaitCall { dst, .. } if awaited_at(&self.instrs, at + 1, dst).is_none() => {
                    return bad("not awaited by the next two instructions")
                }
                _ => {}
            }
        }
        if self.spans.len() != self.instrs.len() {
            return Err("a span missing".into());
        }
        match self.handlers.iter().find(|h| h.target as u64 >= len) {
            Some(h) => Err(format!("a handler's target past the end: {:?}", h)),
            None => Ok(()),
        }
    }

    /// The handler covering `pc`, innermost first.
    pub fn handler_at(&self, pc: u32) -> Option<Handler> {
        self.handlers.iter().find(|h| h.start <= pc && pc < h.end).copied()
    }
    /// The parts of the expression instruction `at` evaluates, if recorded.
    pub fn parts_at(&self, at: u32) -> Option<&PartSpans> {
        let i = self.parts.binary_search_by_key(&at, |(k, _)| *k).ok()?;
        Some(&self.parts[i].1)
    }
    pub fn is_suspension(i: &Instr) -> bool {
        matches!(i, Instr::Yield { .. } | Instr::YieldNone { .. } | Instr::YieldFrom { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytecode(instrs: Vec<Instr>, nconsts: usize) -> Bytecode {
        Bytecode {
            spans: vec![Span::default(); instrs.len()],
            instrs,
            consts: vec![Value::None; nconsts],
            names: Vec::new(),
            handlers: Vec::new(),
            functions: Vec::new(),
            classes: Vec::new(),
            parts: Vec::new(),
            global_cache: Default::default(),
            module_globals: None,
            #[cfg(debug_assertions)]
            tick_live: Default::default(),
        }
    }

    #[test]
    fn check_accepts_what_stays_in_bounds() {
        let bc = bytecode(vec![Instr::LoadConst { dst: 1, k: 0 }, Instr::Return { src: 1 }], 1);
        assert_eq!(bc.check(2), Ok(()));
        // An operand that may be absent (`raise e` without `from`).
        let bc = bytecode(vec![Instr::Raise { exc: 1, cause: NO_REG }], 0);
        assert_eq!(bc.check(2), Ok(()));
        let awaited = vec![
            Instr::AwaitCall { dst: 1, func: 1, argc: 0 },
            Instr::GetAwaitable { dst: 1, src: 1 },
            Instr::YieldFrom { dst: 0, iter: 1 },
            Instr::Return { src: 0 },
        ];
        assert_eq!(bytecode(awaited, 0).check(2), Ok(()));
    }

    #[test]
    fn check_rejects_what_the_loop_would_index_out_of_bounds() {
        let ret = Instr::Return { src: 0 };
        let cases = [
            (vec![Instr::Move { dst: 2, src: 0 }, ret], "register"),
            // `NO_REG` where an operand cannot be absent is a register past every frame.
            (vec![Instr::Move { dst: NO_REG, src: 0 }, ret], "register"),
            (vec![Instr::Raise { exc: NO_REG, cause: NO_REG }], "register"),
            (vec![Instr::Call { dst: 0, func: 0, argc: 2 }, ret], "register"),
            (vec![Instr::LoadMethod { dst: 1, obj: 0, name: 0 }, ret], "register"),
            (vec![Instr::LoadConst { dst: 0, k: 1 }, ret], "constant"),
            (vec![Instr::Jump { to: 2 }, ret], "jump"),
            // The VM skips the pair after it: without the pair, that would run past the end.
            (vec![Instr::AwaitCall { dst: 0, func: 0, argc: 0 }, ret], "awaited"),
            (
                vec![
                    Instr::AwaitCall { dst: 0, func: 0, argc: 0 },
                    Instr::GetAwaitable { dst: 0, src: 0 },
                    Instr::YieldFrom { dst: 0, iter: 1 },
                    ret,
                ],
                "awaited",
            ),
            (vec![Instr::JumpUnlessK { op: CmpOp::Lt, a: 0, k: 2, to: 9 }, ret], "jump"),
            (vec![ret, Instr::Move { dst: 0, src: 1 }], "falls through"),
            (vec![], "no instructions"),
        ];
        for (instrs, what) in cases {
            let shown = format!("{:?}", instrs);
            match bytecode(instrs, 1).check(2) {
                Err(e) => assert!(e.contains(what), "{}: {}", shown, e),
                Ok(()) => panic!("accepted {}", shown),
            }
        }
    }
}
