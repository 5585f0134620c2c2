//! The interpreter's code: what `compile/` makes of the AST.
//!
//! A function body is a flat list of `Op`s (statements with explicit jumps, try blocks and
//! suspension points); the expressions inside ops stay trees and are evaluated recursively. An
//! expression never contains a `yield` or `await`: the compiler lifts each suspension into its
//! own op and keeps earlier operands in temporary slots, so a suspended frame is just its slots,
//! its block stack and a program counter (see ARCHITECTURE.md).

use crate::ast::{BinOp, CmpOp, UnaryOp};
use crate::span::{Span, Symbol};
use crate::value::Value;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeKind {
    Module,
    Function,
    Class,
    Comprehension,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Plain,
    Generator,
    Coroutine,
}

/// Parameter names in slot order: `args`, then `*vararg`, `kwonly`, `**kwarg`.
#[derive(Clone, Debug, Default)]
pub struct Signature {
    pub args: Vec<Symbol>,
    pub vararg: bool,
    pub kwonly: Vec<Symbol>,
    pub kwarg: bool,
}

impl Signature {
    pub fn nparams(&self) -> usize {
        self.args.len() + self.vararg as usize + self.kwonly.len() + self.kwarg as usize
    }
}

pub struct Code {
    pub name: Symbol,
    pub qualname: Rc<str>,
    pub kind: CodeKind,
    pub flavor: Flavor,
    pub ops: Vec<Op>,
    /// The source span of each op (its statement), for tracebacks and limits.
    pub spans: Vec<Span>,
    pub nslots: usize,
    /// Names of the slots (temporaries are named `.tN`).
    pub slot_names: Vec<Symbol>,
    /// Own captured variables first, then free variables from enclosing functions.
    pub cell_names: Vec<Symbol>,
    pub n_own_cells: usize,
    /// Parameters that live in cells: (parameter slot, cell index), copied at entry.
    pub cell_params: Vec<(u32, u32)>,
    pub sig: Signature,
    /// The `def` header (or the module's first line).
    pub span: Span,
    /// Whether a `yield`/`await` occurs at the top level of a module (top-level await).
    pub suspends: bool,
    /// The VM's instructions, when this code was compiled for it (then `ops` is empty).
    pub bc: Option<Box<crate::vm::bytecode::Bytecode>>,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: E,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum FPiece {
    Lit(Rc<str>),
    Field { expr: Expr, conv: Option<char>, spec: Vec<FPiece> },
}

#[derive(Clone, Debug)]
pub struct Call {
    pub func: Expr,
    /// When set, this is `func.method(...)`: `func` is the receiver.
    pub method: Option<Symbol>,
    /// Where the method's name is (for diagnostics).
    pub method_span: Span,
    /// Positional arguments; `E::Star` items are unpacked.
    pub args: Vec<Expr>,
    /// Keyword arguments in source order; `None` is a `**mapping`.
    pub kwargs: Vec<(Option<Symbol>, Expr)>,
    /// Whether any positional argument is starred.
    pub has_star: bool,
}

#[derive(Clone)]
pub struct MakeFunction {
    pub code: Rc<Code>,
    pub defaults: Vec<Expr>,
    pub kwdefaults: Vec<Option<Expr>>,
    /// Cells of the current frame captured by the new function, in its free-variable order.
    pub closure: Vec<u32>,
}

#[derive(Clone)]
pub struct MakeClass {
    pub name: Symbol,
    pub bases: Vec<Expr>,
    pub code: Rc<Code>,
    pub closure: Vec<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompKind {
    List,
    Set,
    Dict,
    Gen,
}

#[derive(Clone)]
pub struct Comp {
    pub kind: CompKind,
    /// A function of one parameter (the first iterable's iterator).
    pub code: Rc<Code>,
    pub iter: Expr,
    pub closure: Vec<u32>,
}

impl std::fmt::Debug for MakeFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MakeFunction({})", self.code.qualname)
    }
}
impl std::fmt::Debug for MakeClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MakeClass({})", self.name)
    }
}
impl std::fmt::Debug for Comp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Comp({:?})", self.kind)
    }
}
impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{}", i),
            Value::Str(s) => write!(f, "{:?}", s.s),
            Value::Float(x) => write!(f, "{}", x),
            Value::None => write!(f, "None"),
            Value::Bool(b) => write!(f, "{}", b),
            _ => write!(f, "<value>"),
        }
    }
}

#[derive(Clone, Debug)]
pub enum E {
    Const(Value),
    Local(u32),
    Cell(u32),
    Global(Symbol),
    /// A name in a class body: the class namespace, then globals, then builtins.
    ClassNs(Symbol),
    Tuple(Vec<Expr>),
    List(Vec<Expr>),
    Set(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    /// `*x` inside a display or call.
    Star(Box<Expr>),
    Attr(Box<Expr>, Symbol),
    Index(Box<Expr>, Box<Expr>),
    Slice(Option<Box<Expr>>, Option<Box<Expr>>, Option<Box<Expr>>),
    Call(Box<Call>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    /// `body if cond else orelse`: (cond, body, orelse).
    IfExp(Box<Expr>, Box<Expr>, Box<Expr>),
    FString(Vec<FPiece>),
    MakeFunction(Box<MakeFunction>),
    MakeClass(Box<MakeClass>),
    Comp(Box<Comp>),
    /// `import a.b`: the module (the top-level one, for binding `a`, unless `full`).
    Import(Rc<str>, bool),
    /// `from m import name`.
    ImportFrom(Rc<str>, Symbol),
    /// `super()` with no arguments inside a method.
    Super,
}

#[derive(Clone, Debug)]
pub enum Target {
    Local(u32),
    Cell(u32),
    Global(Symbol),
    ClassNs(Symbol),
    Attr(Expr, Symbol),
    Index(Expr, Expr),
    /// Tuple/list unpacking, with the position of the starred target if any.
    Unpack(Vec<Target>, Option<usize>),
}

#[derive(Clone, Debug)]
pub enum Op {
    /// Evaluate and discard.
    Expr(Expr),
    /// Evaluate and print the repr unless None (expression statements at the REPL).
    Echo(Expr),
    Assign(Target, Expr),
    AugAssign(Target, BinOp, Expr),
    Delete(Target),
    Jump(u32),
    JumpIfFalse(Expr, u32),
    JumpIfTrue(Expr, u32),
    /// Store `iter(expr)` in a slot.
    GetIter(Expr, u32),
    /// Advance the iterator in a slot into the target, or jump to `exit` when exhausted.
    ForIter {
        iter: u32,
        target: Target,
        exit: u32,
    },
    Return(Option<Expr>),
    /// Suspend with the value; the sent value goes into `result`.
    Yield {
        value: Option<Expr>,
        result: Option<Target>,
    },
    /// Store the iterator for `yield from expr` in a slot.
    GetYieldFromIter(Expr, u32),
    /// Store the awaitable's iterator for `await expr` in a slot.
    GetAwaitable(Expr, u32),
    /// Delegate to the iterator in `iter` until it returns; its return value goes to `result`.
    YieldFrom {
        iter: u32,
        result: Option<Target>,
    },
    /// Push an exception handler at the given op.
    SetupExcept(u32),
    /// Push a finally handler at the given op.
    SetupFinally(u32),
    /// Pop the innermost Except/Finally block (the try body ended normally).
    PopBlock,
    /// In an except clause: if the exception being handled matches, bind it and go on;
    /// otherwise jump to `next`. `typ` None is a bare `except:`.
    ExceptMatch {
        typ: Option<Expr>,
        bind: Option<Target>,
        next: u32,
    },
    /// The handler finished: drop the exception being handled.
    EndExcept,
    /// No clause matched: raise the exception being handled again.
    Reraise,
    /// Enter a finally body on the normal path.
    EnterFinally,
    /// End of a finally body: resume what was pending (fall through, raise, return, jump).
    EndFinally,
    Raise(Option<Expr>, Option<Expr>),
    /// `break`/`continue` out of try blocks: pop blocks down to `depth`, running finally
    /// bodies on the way, then jump.
    Unwind {
        target: u32,
        depth: u32,
    },
    Assert(Expr, Option<Expr>),
    /// Comprehension helpers: append to the list/set in a slot, or set a dict item.
    ListAppend(u32, Expr),
    SetAdd(u32, Expr),
    DictSet(u32, Expr, Expr),
    /// In the finally body of a `with`: call `__exit__` of the context manager in the slot,
    /// with the pending exception if any; a true result swallows it.
    WithExit(u32),
}
