//! The abstract syntax tree. Every node carries the byte span of its source text.
//!
//! The tree is what the parser understood; `tinyasync parse` prints it (`Debug`-free, through
//! `ast_print`). The resolver compiles it into the interpreter's own code (`code.rs`).

use crate::span::{Span, Symbol};
use num_bigint::BigInt;
use std::rc::Rc;

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    MatMul,
    LShift,
    RShift,
    BitAnd,
    BitOr,
    BitXor,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::MatMul => "@",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Pos,
    Invert,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    In,
    NotIn,
    Is,
    IsNot,
}

impl CmpOp {
    /// `<`, `<=`, `>`, `>=`, `==`, `!=`: the comparisons of values (not `is`, `in`).
    pub fn is_ordering(self) -> bool {
        matches!(self, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge | CmpOp::Eq | CmpOp::Ne)
    }

    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Gt => ">",
            CmpOp::Le => "<=",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoolOp {
    And,
    Or,
}

#[derive(Clone, Debug)]
pub enum Arg {
    Pos(Expr),
    Star(Expr),
    Kw(Symbol, Expr, Span),
    DoubleStar(Expr),
}

#[derive(Clone, Debug)]
pub struct Comprehension {
    pub target: Expr,
    pub iter: Expr,
    pub ifs: Vec<Expr>,
    /// `async for`.
    pub is_async: bool,
}

/// One piece of an f-string.
#[derive(Clone, Debug)]
pub enum FPart {
    Lit(String),
    Expr {
        expr: Box<Expr>,
        /// `r` or `s` after `!`.
        conv: Option<char>,
        /// The format spec, itself an f-string (it may contain `{...}`).
        spec: Vec<FPart>,
    },
}

/// An expression. No variant carries more than three words, so `Expr` is 40 bytes
/// (tests/sizes.rs): sequences that never grow after parsing are boxed slices, not vectors.
#[derive(Clone, Debug)]
pub enum ExprKind {
    Name(Symbol),
    Int(i64),
    BigInt(Rc<BigInt>),
    Float(f64),
    Str(Rc<str>),
    FString(Vec<FPart>),
    True,
    False,
    None,
    Ellipsis,
    Tuple(Vec<Expr>),
    List(Vec<Expr>),
    Set(Vec<Expr>),
    /// `{k: v, **m}`: a pair without a key is `**m`, merged in its place.
    Dict(Vec<(Option<Expr>, Expr)>),
    Starred(Box<Expr>),
    Attribute(Box<Expr>, Symbol),
    Subscript(Box<Expr>, Box<Expr>),
    Slice(Option<Box<Expr>>, Option<Box<Expr>>, Option<Box<Expr>>),
    Call(Box<Expr>, Box<[Arg]>),
    BinOp(BinOp, Box<Expr>, Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    BoolOp(BoolOp, Box<Expr>, Box<Expr>),
    Compare(Box<Expr>, Box<[(CmpOp, Expr)]>),
    IfExp(Box<Expr>, Box<Expr>, Box<Expr>),
    Lambda(Rc<FuncDef>),
    ListComp(Box<Expr>, Box<[Comprehension]>),
    SetComp(Box<Expr>, Box<[Comprehension]>),
    /// The key and value, then the `for`/`if` clauses.
    DictComp(Box<(Expr, Expr)>, Box<[Comprehension]>),
    GenExp(Box<Expr>, Box<[Comprehension]>),
    Yield(Option<Box<Expr>>),
    YieldFrom(Box<Expr>),
    Await(Box<Expr>),
    /// `name := value`.
    NamedExpr(Symbol, Box<Expr>),
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: Symbol,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct Params {
    pub args: Vec<Param>,
    /// How many of `args` come before a `/`: those are positional-only.
    pub posonly: usize,
    /// `*args` and `**kwargs` are boxed: most functions have neither, and a `Param` inline
    /// (56 bytes) made every function definition 96 bytes bigger.
    pub vararg: Option<Box<Param>>,
    pub kwonly: Vec<Param>,
    pub kwarg: Option<Box<Param>>,
}

impl Params {
    /// All parameter names in slot order: positional, *args, keyword-only, **kwargs.
    pub fn all(&self) -> impl Iterator<Item = &Param> {
        self.args.iter().chain(self.vararg.as_deref()).chain(self.kwonly.iter()).chain(self.kwarg.as_deref())
    }
}

#[derive(Clone, Debug)]
pub struct FuncDef {
    pub name: Symbol,
    pub params: Params,
    pub body: Vec<Stmt>,
    pub decorators: Vec<Expr>,
    pub is_async: bool,
    pub is_lambda: bool,
    /// The span of the `def` header (or the whole lambda).
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ClassDef {
    pub name: Symbol,
    pub bases: Vec<Expr>,
    pub body: Vec<Stmt>,
    pub decorators: Vec<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Handler {
    pub typ: Option<Expr>,
    pub name: Option<(Symbol, Span)>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

/// An annotated target (`StmtKind::Annotated`). With a value it is an assignment. Without
/// one it binds nothing, but a simple name (not in parentheses) is local to a function all
/// the same, as in CPython; `obj.attr: T` evaluates `obj`, and `d[k]: T` `d` and `k`. A
/// simple name cannot be `global` or `nonlocal` as well. The annotation is kept as its source
/// text, which a class body records in its `__annotations__` (as under `from __future__
/// import annotations`): what `dataclasses` reads.
#[derive(Clone, Debug)]
pub struct Annotated {
    pub target: Expr,
    pub value: Option<Expr>,
    pub simple: bool,
    pub annotation: AnnotationText,
}

/// An annotation's text: its source, or the value of a string literal (`x: "Node"`), which
/// CPython's text of it quotes anew (`'Node'`).
#[derive(Clone, Debug)]
pub enum AnnotationText {
    Source(Rc<str>),
    Str(Rc<str>),
}

#[derive(Clone, Debug)]
pub struct Alias {
    /// Dotted module path or imported name.
    pub path: Vec<Symbol>,
    pub asname: Option<Symbol>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct WithItem {
    pub ctx: Expr,
    pub target: Option<Expr>,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// A statement. Compound statements are boxed so that the common ones (expressions and
/// assignments) keep `Stmt` small: a block is a vector of them (tests/sizes.rs pins the size).
#[derive(Clone, Debug)]
pub enum StmtKind {
    Expr(Expr),
    /// `a = b = value`: the targets, then the value.
    Assign(Box<[Expr]>, Expr),
    AugAssign(Box<Expr>, BinOp, Expr),
    /// `target: annotation`, `target: annotation = value` (the annotation never evaluated;
    /// its text kept for a class's `__annotations__`).
    Annotated(Box<Annotated>),
    If(Box<Conditional>),
    While(Box<Conditional>),
    For(Box<ForLoop>),
    AsyncFor(Box<ForLoop>),
    Break,
    Continue,
    Pass,
    FunctionDef(Rc<FuncDef>),
    ClassDef(Rc<ClassDef>),
    Return(Option<Expr>),
    Try(Box<TryBlock>),
    Raise(Option<Box<Expr>>, Option<Box<Expr>>),
    Global(Vec<Symbol>),
    Nonlocal(Vec<Symbol>),
    Delete(Vec<Expr>),
    Assert(Expr, Option<Box<Expr>>),
    Import(Vec<Alias>),
    ImportFrom(Vec<Symbol>, Vec<Alias>),
    With(Vec<WithItem>, Vec<Stmt>),
    AsyncWith(Vec<WithItem>, Vec<Stmt>),
}

/// `if` (with `elif` as a nested `if` in `orelse`) and `while`.
#[derive(Clone, Debug)]
pub struct Conditional {
    pub test: Expr,
    pub body: Vec<Stmt>,
    pub orelse: Vec<Stmt>,
}

#[derive(Clone, Debug)]
pub struct ForLoop {
    pub target: Expr,
    pub iter: Expr,
    pub body: Vec<Stmt>,
    pub orelse: Vec<Stmt>,
}

#[derive(Clone, Debug)]
pub struct TryBlock {
    pub body: Vec<Stmt>,
    pub handlers: Vec<Handler>,
    pub orelse: Vec<Stmt>,
    pub finalbody: Vec<Stmt>,
}

/// A parsed program.
#[derive(Clone, Debug)]
pub struct Module {
    pub body: Vec<Stmt>,
}
