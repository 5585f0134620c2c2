//! Parser: tokens to AST, by hand-written recursive descent with precedence climbing for binary
//! operators.
//!
//! Nesting (brackets, unary operators, blocks, nested expressions) is counted and limited to
//! `MAX_NESTING`, so no input can overflow the Rust stack. Assignment targets are checked here,
//! where their context is known; the other static checks live in `resolver.rs`.

mod expr;

use crate::ast::*;
use crate::error::SyntaxError;
use crate::lexer::{self, Lexer, Op, Tok, Token, MAX_NESTING};

/// Deepest expression tree: nesting plus chained operators, attributes and calls.
pub const MAX_TREE_DEPTH: usize = 1000;
use crate::span::{Span, Symbol};
use std::rc::Rc;

type PResult<T> = Result<T, SyntaxError>;

/// Parses a whole program.
pub fn parse_program(src: &str) -> PResult<Module> {
    parse_program_at(src, 0)
}

/// Parses the program that starts at byte `base` of `text` (the REPL lays its inputs end to end
/// in one text); spans are offsets into `text`.
///
/// Tokens are pulled from the lexer as the parser goes. A lexical error anywhere in the program
/// wins over a parse error (as it did when the whole program was lexed first): an unterminated
/// string further down explains an odd parse error above it better than the other way round.
pub fn parse_program_at(text: &str, base: usize) -> PResult<Module> {
    let mut p = Parser::new(Feed::Lexer(Lexer::new(text, base)), text);
    let r = p.module();
    if let Some(e) = p.lex_error.take() {
        return Err(e);
    }
    r.map_err(|e| p.drain_lex_error().unwrap_or(e))
}

/// Where the parser's tokens come from: the program's lexer, or the tokens of an f-string field.
#[derive(Clone)]
enum Feed<'s> {
    Lexer(Lexer<'s>),
    /// Tokens and the span of the `Eof` that follows them.
    Tokens(std::vec::IntoIter<Token>, Span),
}

struct Parser<'s> {
    feed: Feed<'s>,
    /// The current token and the one after it (the parser never looks further ahead).
    cur: Token,
    next: Token,
    /// The span of the token before `cur`.
    prev: Span,
    /// The first lexical error; the parser sees `Eof` in its place.
    lex_error: Option<SyntaxError>,
    /// Statements of the blocks being parsed (see `take_stmts`).
    stmts: Vec<Stmt>,
    /// Buffers for the arguments of calls being parsed (see `call_args`).
    arg_buffers: Vec<Vec<Arg>>,
    src: &'s str,
    depth: usize,
    /// Links of operator/attribute/call chains being parsed (see `chain`).
    chained: usize,
}

/// Infix precedence levels (higher binds tighter), as in Python's grammar.
mod level {
    pub const OR: u8 = 1;
    pub const AND: u8 = 2;
    /// Prefix `not`: binds looser than comparisons, tighter than `and`.
    pub const NOT: u8 = 3;
    pub const CMP: u8 = 4;
    pub const BITOR: u8 = 5;
}

/// An infix operator.
#[derive(Clone, Copy)]
enum Infix {
    Bool(BoolOp),
    Compare(CmpOp),
    Binary(BinOp),
}

/// The infix operator at `t` (with `next`, for `not in` and `is not`) and its level.
#[inline]
fn infix_of(t: &Tok, next: &Tok) -> Option<(u8, Infix)> {
    let cmp = |op| Some((level::CMP, Infix::Compare(op)));
    let bin = |lvl, op| Some((lvl, Infix::Binary(op)));
    match t {
        Tok::Or => Some((level::OR, Infix::Bool(BoolOp::Or))),
        Tok::And => Some((level::AND, Infix::Bool(BoolOp::And))),
        Tok::In => cmp(CmpOp::In),
        Tok::Not if matches!(next, Tok::In) => cmp(CmpOp::NotIn),
        Tok::Is if matches!(next, Tok::Not) => cmp(CmpOp::IsNot),
        Tok::Is => cmp(CmpOp::Is),
        Tok::Op(op) => match op {
            Op::Lt => cmp(CmpOp::Lt),
            Op::Gt => cmp(CmpOp::Gt),
            Op::Le => cmp(CmpOp::Le),
            Op::Ge => cmp(CmpOp::Ge),
            Op::EqEq => cmp(CmpOp::Eq),
            Op::NotEq => cmp(CmpOp::Ne),
            Op::Pipe => bin(5, BinOp::BitOr),
            Op::Caret => bin(6, BinOp::BitXor),
            Op::Amp => bin(7, BinOp::BitAnd),
            Op::LShift => bin(8, BinOp::LShift),
            Op::RShift => bin(8, BinOp::RShift),
            Op::Plus => bin(9, BinOp::Add),
            Op::Minus => bin(9, BinOp::Sub),
            Op::Star => bin(10, BinOp::Mul),
            Op::Slash => bin(10, BinOp::Div),
            Op::DoubleSlash => bin(10, BinOp::FloorDiv),
            Op::Percent => bin(10, BinOp::Mod),
            Op::At => bin(10, BinOp::MatMul),
            _ => None,
        },
        _ => None,
    }
}

fn augop_of(op: Op) -> Option<BinOp> {
    Some(match op {
        Op::PlusEq => BinOp::Add,
        Op::MinusEq => BinOp::Sub,
        Op::StarEq => BinOp::Mul,
        Op::SlashEq => BinOp::Div,
        Op::DoubleSlashEq => BinOp::FloorDiv,
        Op::PercentEq => BinOp::Mod,
        Op::DoubleStarEq => BinOp::Pow,
        Op::AtEq => BinOp::MatMul,
        Op::AmpEq => BinOp::BitAnd,
        Op::PipeEq => BinOp::BitOr,
        Op::CaretEq => BinOp::BitXor,
        Op::LShiftEq => BinOp::LShift,
        Op::RShiftEq => BinOp::RShift,
        _ => return None,
    })
}

/// How an expression is described in "cannot assign to ..." messages, as CPython words it.
fn describe_expr(e: &Expr) -> &'static str {
    match &e.kind {
        ExprKind::Call(..) => "function call",
        ExprKind::Int(_)
        | ExprKind::BigInt(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_)
        | ExprKind::True
        | ExprKind::False
        | ExprKind::None
        | ExprKind::Ellipsis => "literal",
        ExprKind::FString(_) => "f-string expression",
        ExprKind::Lambda(_) => "lambda",
        ExprKind::IfExp(..) => "conditional expression",
        ExprKind::Compare(..) => "comparison",
        ExprKind::Yield(_) | ExprKind::YieldFrom(_) => "yield expression",
        ExprKind::Await(_) => "await expression",
        ExprKind::ListComp(..) => "list comprehension",
        ExprKind::SetComp(..) => "set comprehension",
        ExprKind::DictComp(..) => "dict comprehension",
        ExprKind::GenExp(..) => "generator expression",
        ExprKind::Dict(_) => "dict literal",
        ExprKind::Set(_) => "set display",
        _ => "expression",
    }
}

#[derive(Clone, Copy, PartialEq)]
enum TargetCtx {
    Assign,
    For,
    Del,
}

impl<'s> Parser<'s> {
    // ----- token helpers -----

    fn new(feed: Feed<'s>, src: &'s str) -> Parser<'s> {
        let eof = Token { tok: Tok::Eof, span: Span::default() };
        let mut p = Parser {
            feed,
            cur: eof,
            next: eof,
            prev: Span::default(),
            lex_error: None,
            stmts: Vec::new(),
            arg_buffers: Vec::new(),
            src,
            depth: 0,
            chained: 0,
        };
        p.cur = p.pull();
        p.next = p.pull();
        p
    }

    /// The whole program.
    fn module(&mut self) -> PResult<Module> {
        loop {
            match self.peek() {
                Tok::Eof => break,
                Tok::Newline => {
                    self.bump();
                }
                Tok::Indent => {
                    return Err(SyntaxError::new("unexpected indent", self.span())
                        .with_label("this line is indented but no block starts here")
                        .kind("IndentationError"))
                }
                _ => self.statement()?,
            }
        }
        Ok(Module { body: self.take_stmts(0) })
    }

    /// The statements parsed since `mark`, as a vector of exactly their number. Blocks collect
    /// their statements on one shared stack (`stmts`), so a block's vector is allocated once,
    /// at its final size, instead of growing by doubling.
    fn take_stmts(&mut self, mark: usize) -> Vec<Stmt> {
        self.stmts.drain(mark..).collect()
    }

    /// The next token from the feed; after a lexical error (kept in `lex_error`), `Eof`.
    fn pull(&mut self) -> Token {
        match &mut self.feed {
            Feed::Lexer(lexer) => match lexer.next_token() {
                Ok(t) => t,
                Err(e) => {
                    let at = Span::new(e.span.start as usize, e.span.start as usize);
                    self.lex_error.get_or_insert(e);
                    Token { tok: Tok::Eof, span: at }
                }
            },
            Feed::Tokens(toks, end) => toks.next().unwrap_or(Token { tok: Tok::Eof, span: *end }),
        }
    }

    /// After a parse error: the first lexical error in the rest of the program, if any.
    fn drain_lex_error(&mut self) -> Option<SyntaxError> {
        let Feed::Lexer(lexer) = &mut self.feed else { return None };
        loop {
            match lexer.next_token() {
                Ok(t) if matches!(t.tok, Tok::Eof) => return None,
                Ok(_) => {}
                Err(e) => return Some(e),
            }
        }
    }

    /// Parses with tokens from `feed`, then returns to the tokens it had before.
    fn with_feed<T>(&mut self, feed: Feed<'s>, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved_feed = std::mem::replace(&mut self.feed, feed);
        let saved_cur = self.pull();
        let saved_cur = std::mem::replace(&mut self.cur, saved_cur);
        let saved_next = self.pull();
        let saved_next = std::mem::replace(&mut self.next, saved_next);
        let saved_prev = self.prev;
        let r = f(self);
        self.feed = saved_feed;
        self.cur = saved_cur;
        self.next = saved_next;
        self.prev = saved_prev;
        r
    }

    #[inline]
    fn peek(&self) -> &Tok {
        &self.cur.tok
    }
    /// The token after the current one.
    #[inline]
    fn peek_next(&self) -> &Tok {
        &self.next.tok
    }
    #[inline]
    fn span(&self) -> Span {
        self.cur.span
    }
    #[inline]
    fn prev_span(&self) -> Span {
        self.prev
    }
    fn advance(&mut self) -> Token {
        let t = self.cur;
        self.bump();
        t
    }
    /// Moves past the current token (never past `Eof`) and returns its span.
    #[inline]
    fn bump(&mut self) -> Span {
        let span = self.cur.span;
        if !matches!(self.cur.tok, Tok::Eof) {
            let next = self.pull();
            self.cur = std::mem::replace(&mut self.next, next);
            self.prev = span;
        }
        span
    }
    #[inline]
    fn is_op(&self, op: Op) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }
    #[inline]
    fn eat_op(&mut self, op: Op) -> bool {
        if self.is_op(op) {
            self.bump();
            true
        } else {
            false
        }
    }
    #[inline]
    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == t {
            self.bump();
            true
        } else {
            false
        }
    }

    /// "invalid syntax" at the current token, flagged as end-of-input when it is.
    fn unexpected(&self) -> SyntaxError {
        let t = self.peek();
        let at_end = matches!(t, Tok::Eof) || (matches!(t, Tok::Dedent | Tok::Newline) && self.rest_is_end());
        let e = match t {
            Tok::Indent => SyntaxError::new("unexpected indent", self.span()).kind("IndentationError"),
            Tok::Eof => SyntaxError::new("unexpected end of input", self.span()),
            _ => SyntaxError::new("invalid syntax", self.span())
                .with_label(format!("unexpected {}", t.describe())),
        };
        if at_end {
            e.unexpected_eof()
        } else {
            e
        }
    }

    /// Only line ends and dedents are left (so the REPL should read another line). Error path
    /// only: it lexes the rest of the input on a copy of the lexer.
    fn rest_is_end(&self) -> bool {
        let is_end = |t: &Tok| matches!(t, Tok::Newline | Tok::Dedent | Tok::Eof);
        if !is_end(&self.cur.tok) || !is_end(&self.next.tok) {
            return false;
        }
        match self.feed.clone() {
            Feed::Lexer(mut lexer) => loop {
                match lexer.next_token() {
                    Ok(t) if matches!(t.tok, Tok::Eof) => return true,
                    Ok(t) if is_end(&t.tok) => {}
                    _ => return false,
                }
            },
            Feed::Tokens(toks, _) => toks.as_slice().iter().all(|t| is_end(&t.tok)),
        }
    }

    #[inline]
    fn expect_op(&mut self, op: Op) -> PResult<Span> {
        if self.is_op(op) {
            return Ok(self.bump());
        }
        Err(self.expected_op(op))
    }

    #[cold]
    #[inline(never)]
    fn expected_op(&self, op: Op) -> SyntaxError {
        let mut e = self.unexpected();
        e.msg = format!("expected '{}'", op.text());
        e
    }

    fn expect_name(&mut self) -> PResult<(Symbol, Span)> {
        match *self.peek() {
            Tok::Name(n) => {
                let sp = self.bump();
                Ok((n, sp))
            }
            t if lexer::keyword_text(&t).is_some() => Err(SyntaxError::new("invalid syntax", self.span())
                .with_label(format!(
                    "'{}' is a keyword and cannot be used as a name",
                    lexer::keyword_text(&t).unwrap_or("?")
                ))),
            _ => {
                let mut e = self.unexpected();
                e.msg = "expected a name".into();
                Err(e)
            }
        }
    }

    /// Expects the `:` that ends a compound statement's header; `what` names the statement for
    /// the help line.
    fn expect_colon(&mut self, what: &str) -> PResult<()> {
        if self.eat_op(Op::Colon) {
            return Ok(());
        }
        let prev = self.prev_span();
        let at = Span::new(prev.end as usize, prev.end as usize);
        let e = SyntaxError::new("expected ':'", at).with_label("a ':' is missing here").with_help(format!(
            "{} `{what}` line ends with ':', for example `{}`",
            if what.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" },
            colon_example(what)
        ));
        Err(if matches!(self.peek(), Tok::Eof) { e.unexpected_eof() } else { e })
    }

    #[inline]
    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.too_deep());
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn too_deep(&self) -> SyntaxError {
        SyntaxError::new("too many nested expressions or blocks", self.span())
            .with_label("nesting goes too deep here")
            .with_help(format!(
                "tinyasync allows at most {MAX_NESTING} levels of nesting; split the expression up"
            ))
    }
    /// One more link of an operator, attribute or call chain: chains make the tree deeper
    /// without nesting brackets, so they count against a larger limit of their own.
    #[inline]
    fn chain(&mut self, n: &mut usize) -> PResult<()> {
        *n += 1;
        self.chained += 1;
        if self.chained + self.depth > MAX_TREE_DEPTH {
            self.chained -= *n;
            *n = 0;
            return Err(self.too_long());
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn too_long(&self) -> SyntaxError {
        SyntaxError::new("expression too long", self.span())
            .with_label("too many chained operators, attributes or calls")
            .with_help(format!(
                "tinyasync allows expressions at most {MAX_TREE_DEPTH} operators deep; split it into several statements"
            ))
    }
    #[inline]
    fn unchain(&mut self, n: usize) {
        self.chained -= n;
    }
    #[inline]
    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ----- statements -----

    /// Parses one statement (or one line of simple statements) onto `self.stmts`.
    fn statement(&mut self) -> PResult<()> {
        let s = match self.peek() {
            Tok::If => self.if_stmt()?,
            Tok::While => self.while_stmt()?,
            Tok::For => self.for_stmt()?,
            Tok::Try => self.try_stmt()?,
            Tok::With => self.with_stmt()?,
            Tok::Def => self.funcdef(Vec::new(), None)?,
            Tok::Class => self.classdef(Vec::new())?,
            Tok::Async if matches!(self.peek_next(), Tok::Def) => {
                let sp = self.bump();
                self.funcdef(Vec::new(), Some(sp))?
            }
            Tok::Async => {
                return Err(SyntaxError::new("invalid syntax", self.span())
                    .with_label("only `async def` is supported")
                    .with_help("`async for` and `async with` are not part of tinyasync"))
            }
            Tok::Op(Op::At) => self.decorated()?,
            _ => return self.simple_stmts(),
        };
        self.stmts.push(s);
        Ok(())
    }

    /// `small (';' small)* [';'] NEWLINE`
    fn simple_stmts(&mut self) -> PResult<()> {
        loop {
            let s = self.small_stmt()?;
            self.stmts.push(s);
            if self.eat_op(Op::Semi) {
                if matches!(self.peek(), Tok::Newline | Tok::Eof) {
                    break;
                }
                continue;
            }
            break;
        }
        if matches!(self.peek(), Tok::Eof) {
            return Ok(());
        }
        if !self.eat(&Tok::Newline) {
            let mut e = self.unexpected();
            if let Tok::Op(Op::Assign) = self.peek() {
                e = e.with_help(
                    "only names, attributes, subscripts and tuples or lists of them can be assigned to",
                );
            }
            return Err(e);
        }
        Ok(())
    }

    fn small_stmt(&mut self) -> PResult<Stmt> {
        let start = self.span();
        let kind = match *self.peek() {
            Tok::Pass => {
                self.bump();
                StmtKind::Pass
            }
            Tok::Break => {
                self.bump();
                StmtKind::Break
            }
            Tok::Continue => {
                self.bump();
                StmtKind::Continue
            }
            Tok::Return => {
                self.bump();
                if self.at_stmt_end() {
                    StmtKind::Return(None)
                } else {
                    StmtKind::Return(Some(self.star_exprs()?))
                }
            }
            Tok::Raise => {
                self.bump();
                if self.at_stmt_end() {
                    StmtKind::Raise(None, None)
                } else {
                    let e = self.test()?;
                    let cause = if self.eat(&Tok::From) { Some(Box::new(self.test()?)) } else { None };
                    StmtKind::Raise(Some(Box::new(e)), cause)
                }
            }
            Tok::Global | Tok::Nonlocal => {
                let is_global = matches!(self.advance().tok, Tok::Global);
                let mut names = vec![self.expect_name()?.0];
                while self.eat_op(Op::Comma) {
                    names.push(self.expect_name()?.0);
                }
                if is_global {
                    StmtKind::Global(names)
                } else {
                    StmtKind::Nonlocal(names)
                }
            }
            Tok::Del => {
                self.bump();
                let mut targets = Vec::new();
                loop {
                    let e = self.bitor_expr()?;
                    self.check_target(&e, TargetCtx::Del)?;
                    targets.push(e);
                    if !self.eat_op(Op::Comma) || self.at_stmt_end() {
                        break;
                    }
                }
                StmtKind::Delete(targets)
            }
            Tok::Assert => {
                self.bump();
                let t = self.test()?;
                let msg = if self.eat_op(Op::Comma) { Some(Box::new(self.test()?)) } else { None };
                StmtKind::Assert(t, msg)
            }
            Tok::Import => {
                self.bump();
                let mut names = Vec::new();
                loop {
                    let (first, sp) = self.expect_name()?;
                    let mut path = vec![first];
                    let mut span = sp;
                    while self.eat_op(Op::Dot) {
                        let (n, s) = self.expect_name()?;
                        path.push(n);
                        span = span.to(s);
                    }
                    let asname = if self.eat(&Tok::As) { Some(self.expect_name()?.0) } else { None };
                    names.push(Alias { path, asname, span: span.to(self.prev_span()) });
                    if !self.eat_op(Op::Comma) {
                        break;
                    }
                }
                StmtKind::Import(names)
            }
            Tok::From => {
                self.bump();
                let mut module = vec![self.expect_name()?.0];
                while self.eat_op(Op::Dot) {
                    module.push(self.expect_name()?.0);
                }
                if !self.eat(&Tok::Import) {
                    let mut e = self.unexpected();
                    e.msg = "expected 'import'".into();
                    return Err(e);
                }
                if self.is_op(Op::Star) {
                    return Err(SyntaxError::new("`from ... import *` is not supported", self.span())
                        .with_help("name what you import: `from m import a, b`"));
                }
                let paren = self.eat_op(Op::LParen);
                let mut names = Vec::new();
                loop {
                    let (n, sp) = self.expect_name()?;
                    let asname = if self.eat(&Tok::As) { Some(self.expect_name()?.0) } else { None };
                    names.push(Alias { path: vec![n], asname, span: sp.to(self.prev_span()) });
                    if !self.eat_op(Op::Comma) {
                        break;
                    }
                    if paren && self.is_op(Op::RParen) {
                        break;
                    }
                }
                if paren {
                    self.expect_op(Op::RParen)?;
                }
                StmtKind::ImportFrom(module, names)
            }
            _ => return self.expr_stmt(),
        };
        Ok(Stmt { kind, span: start.to(self.prev_span()) })
    }

    fn at_stmt_end(&self) -> bool {
        matches!(self.peek(), Tok::Newline | Tok::Eof | Tok::Op(Op::Semi))
    }

    fn expr_stmt(&mut self) -> PResult<Stmt> {
        let start = self.span();
        let first = self.star_exprs_or_yield()?;
        if let Tok::Op(op) = self.peek() {
            if let Some(bop) = augop_of(*op) {
                let op_span = self.span();
                self.bump();
                match &first.kind {
                    ExprKind::Name(_) | ExprKind::Attribute(..) | ExprKind::Subscript(..) => {}
                    _ => {
                        let what = match &first.kind {
                            ExprKind::Tuple(_) => "tuple",
                            ExprKind::List(_) => "list",
                            _ => describe_expr(&first),
                        };
                        return Err(SyntaxError::new(
                            format!("'{}' is an illegal expression for augmented assignment", what),
                            first.span,
                        )
                        .with_label(format!(
                            "cannot apply `{}` to this",
                            self.src.get(op_span.range()).unwrap_or("")
                        ))
                        .with_help("augmented assignment needs a single name, attribute or subscript"));
                    }
                }
                let value = self.star_exprs_or_yield()?;
                return Ok(Stmt {
                    kind: StmtKind::AugAssign(Box::new(first), bop, value),
                    span: start.to(self.prev_span()),
                });
            }
            if *op == Op::Assign {
                let mut targets = vec![first];
                let mut value;
                loop {
                    self.bump();
                    value = self.star_exprs_or_yield()?;
                    if !self.is_op(Op::Assign) {
                        break;
                    }
                    targets.push(value);
                }
                for t in &targets {
                    self.check_target(t, TargetCtx::Assign)?;
                }
                return Ok(Stmt {
                    kind: StmtKind::Assign(targets.into_boxed_slice(), value),
                    span: start.to(self.prev_span()),
                });
            }
            if *op == Op::Colon
                && matches!(first.kind, ExprKind::Name(_) | ExprKind::Attribute(..) | ExprKind::Subscript(..))
            {
                return Err(SyntaxError::new("variable annotations are not supported", self.span())
                    .with_help("drop the type annotation: `x = value`"));
            }
        }
        if let ExprKind::Starred(_) = first.kind {
            return Err(SyntaxError::new("can't use starred expression here", first.span));
        }
        Ok(Stmt { kind: StmtKind::Expr(first), span: start.to(self.prev_span()) })
    }

    /// Checks that `e` can be assigned to (or deleted).
    fn check_target(&self, e: &Expr, ctx: TargetCtx) -> PResult<()> {
        match &e.kind {
            ExprKind::Name(_) | ExprKind::Attribute(..) | ExprKind::Subscript(..) => Ok(()),
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let mut starred = 0;
                for it in items {
                    if let ExprKind::Starred(inner) = &it.kind {
                        if ctx == TargetCtx::Del {
                            return Err(SyntaxError::new("cannot delete starred", it.span));
                        }
                        starred += 1;
                        if starred > 1 {
                            return Err(SyntaxError::new(
                                "multiple starred expressions in assignment",
                                it.span,
                            )
                            .with_help("only one `*name` may appear in a target list"));
                        }
                        self.check_target(inner, ctx)?;
                    } else {
                        self.check_target(it, ctx)?;
                    }
                }
                Ok(())
            }
            ExprKind::Starred(_) => {
                Err(SyntaxError::new("starred assignment target must be in a list or tuple", e.span))
            }
            _ => {
                let what = describe_expr(e);
                Err(match ctx {
                    TargetCtx::Del => SyntaxError::new(format!("cannot delete {}", what), e.span)
                        .with_label("this cannot be deleted"),
                    TargetCtx::For => SyntaxError::new(format!("cannot assign to {}", what), e.span)
                        .with_label("a `for` target must be a name, attribute, subscript or tuple of them"),
                    TargetCtx::Assign => SyntaxError::new(
                        format!("cannot assign to {} here. Maybe you meant '==' instead of '='?", what),
                        e.span,
                    )
                    .with_label(format!("cannot assign to this {}", what))
                    .with_help("only names, attributes, subscripts and tuples or lists of them can be assigned to; use '==' to compare"),
                })
            }
        }
    }

    /// A block after `:`: either simple statements on the same line, or NEWLINE INDENT stmts DEDENT.
    fn block(&mut self) -> PResult<Vec<Stmt>> {
        self.enter()?;
        let mark = self.stmts.len();
        if self.eat(&Tok::Newline) {
            if !self.eat(&Tok::Indent) {
                let e = SyntaxError::new("expected an indented block", self.span())
                    .with_label("the block should start here, indented")
                    .with_help("indent the body of the statement, or write `pass` for an empty body")
                    .kind("IndentationError");
                return Err(if matches!(self.peek(), Tok::Eof) || self.rest_is_end() {
                    e.unexpected_eof()
                } else {
                    e
                });
            }
            loop {
                match self.peek() {
                    Tok::Dedent => {
                        self.bump();
                        break;
                    }
                    Tok::Eof => break,
                    Tok::Newline => {
                        self.bump();
                    }
                    Tok::Indent => {
                        return Err(SyntaxError::new("unexpected indent", self.span())
                            .with_label("this line is indented more than the block it is in")
                            .kind("IndentationError"))
                    }
                    _ => self.statement()?,
                }
            }
        } else {
            if matches!(self.peek(), Tok::Eof) {
                return Err(self.unexpected());
            }
            self.simple_stmts()?;
        }
        self.leave();
        Ok(self.take_stmts(mark))
    }

    fn if_stmt(&mut self) -> PResult<Stmt> {
        let start = self.bump();
        let test = self.named_test()?;
        self.expect_colon("if")?;
        let body = self.block()?;
        let orelse = self.else_chain()?;
        Ok(Stmt { kind: StmtKind::If(Box::new(Conditional { test, body, orelse })), span: start })
    }

    fn else_chain(&mut self) -> PResult<Vec<Stmt>> {
        if matches!(self.peek(), Tok::Elif) {
            let start = self.bump();
            let test = self.named_test()?;
            self.expect_colon("elif")?;
            let body = self.block()?;
            let orelse = self.else_chain()?;
            return Ok(vec![Stmt {
                kind: StmtKind::If(Box::new(Conditional { test, body, orelse })),
                span: start,
            }]);
        }
        self.else_block()
    }

    fn else_block(&mut self) -> PResult<Vec<Stmt>> {
        if self.eat(&Tok::Else) {
            self.expect_colon("else")?;
            return self.block();
        }
        Ok(Vec::new())
    }

    fn named_test(&mut self) -> PResult<Expr> {
        let e = self.test()?;
        if self.is_op(Op::Walrus) {
            return Err(SyntaxError::new("the walrus operator `:=` is not supported", self.span()));
        }
        Ok(e)
    }

    fn while_stmt(&mut self) -> PResult<Stmt> {
        let start = self.bump();
        let test = self.named_test()?;
        self.expect_colon("while")?;
        let body = self.block()?;
        let orelse = self.else_block()?;
        Ok(Stmt { kind: StmtKind::While(Box::new(Conditional { test, body, orelse })), span: start })
    }

    fn for_stmt(&mut self) -> PResult<Stmt> {
        let start = self.bump();
        let target = self.target_list()?;
        self.check_target(&target, TargetCtx::For)?;
        if !self.eat(&Tok::In) {
            let mut e = self.unexpected();
            e.msg = "expected 'in'".into();
            return Err(e);
        }
        let iter = self.star_exprs()?;
        self.expect_colon("for")?;
        let body = self.block()?;
        let orelse = self.else_block()?;
        Ok(Stmt {
            kind: StmtKind::For(Box::new(ForLoop { target, iter, body, orelse })),
            span: start.to(self.prev_span()),
        })
    }

    /// A `for` target: `a`, `a, b`, `(a, b), *c` (no `in` consumed).
    fn target_list(&mut self) -> PResult<Expr> {
        let start = self.span();
        let mut items = vec![self.star_or(Self::bitor_expr)?];
        let mut tuple = false;
        while self.eat_op(Op::Comma) {
            tuple = true;
            if matches!(self.peek(), Tok::In) {
                break;
            }
            items.push(self.star_or(Self::bitor_expr)?);
        }
        if !tuple {
            return Ok(items.pop().unwrap_or(Expr { kind: ExprKind::None, span: start }));
        }
        Ok(Expr { kind: ExprKind::Tuple(items), span: start.to(self.prev_span()) })
    }

    fn try_stmt(&mut self) -> PResult<Stmt> {
        let start = self.bump();
        self.expect_colon("try")?;
        let body = self.block()?;
        let mut handlers = Vec::new();
        while matches!(self.peek(), Tok::Except) {
            let hstart = self.bump();
            if let Some(prev) = handlers.last() {
                let prev: &Handler = prev;
                if prev.typ.is_none() {
                    return Err(SyntaxError::new("default 'except:' must be last", prev.span)
                        .with_label("this bare `except:` catches everything, so later clauses never run"));
                }
            }
            let (typ, name) = if self.is_op(Op::Colon) {
                (None, None)
            } else {
                let t = self.test()?;
                let t = if self.is_op(Op::Comma) {
                    return Err(SyntaxError::new(
                        "multiple exception types must be parenthesized",
                        t.span.to(self.span()),
                    )
                    .with_help("write `except (A, B):`"));
                } else {
                    t
                };
                let name = if self.eat(&Tok::As) { Some(self.expect_name()?) } else { None };
                (Some(t), name)
            };
            self.expect_colon("except")?;
            let hbody = self.block()?;
            handlers.push(Handler { typ, name, body: hbody, span: hstart });
        }
        let orelse = if !handlers.is_empty() { self.else_block()? } else { Vec::new() };
        let finalbody = if self.eat(&Tok::Finally) {
            self.expect_colon("finally")?;
            self.block()?
        } else {
            Vec::new()
        };
        if handlers.is_empty() && finalbody.is_empty() {
            let e = SyntaxError::new("expected 'except' or 'finally' block", self.span())
                .with_secondary(start, "this `try` has no `except` or `finally`");
            return Err(if self.rest_is_end() { e.unexpected_eof() } else { e });
        }
        Ok(Stmt {
            kind: StmtKind::Try(Box::new(TryBlock { body, handlers, orelse, finalbody })),
            span: start,
        })
    }

    fn with_stmt(&mut self) -> PResult<Stmt> {
        let start = self.bump();
        let mut items = Vec::new();
        loop {
            let ctx = self.test()?;
            let target = if self.eat(&Tok::As) {
                let t = self.star_or(Self::bitor_expr)?;
                self.check_target(&t, TargetCtx::Assign)?;
                Some(t)
            } else {
                None
            };
            items.push(WithItem { ctx, target });
            if !self.eat_op(Op::Comma) {
                break;
            }
        }
        self.expect_colon("with")?;
        let body = self.block()?;
        Ok(Stmt { kind: StmtKind::With(items, body), span: start })
    }

    fn decorated(&mut self) -> PResult<Stmt> {
        let mut decorators = Vec::new();
        while self.eat_op(Op::At) {
            decorators.push(self.test()?);
            if !self.eat(&Tok::Newline) {
                return Err(self.unexpected());
            }
        }
        match self.peek() {
            Tok::Def => self.funcdef(decorators, None),
            Tok::Async if matches!(self.peek_next(), Tok::Def) => {
                let sp = self.bump();
                self.funcdef(decorators, Some(sp))
            }
            Tok::Class => self.classdef(decorators),
            _ => {
                let mut e = self.unexpected();
                e.msg = "expected `def` or `class` after a decorator".into();
                Err(e)
            }
        }
    }

    fn funcdef(&mut self, decorators: Vec<Expr>, async_span: Option<Span>) -> PResult<Stmt> {
        let def_span = self.bump();
        let start = async_span.unwrap_or(def_span);
        let (name, _) = self.expect_name()?;
        self.expect_op(Op::LParen)?;
        let params = self.params(Op::RParen)?;
        self.expect_op(Op::RParen)?;
        if self.is_op(Op::Arrow) {
            return Err(SyntaxError::new("return annotations are not supported", self.span())
                .with_help("drop the `-> type` annotation"));
        }
        let header = start.to(self.prev_span());
        self.expect_colon("def")?;
        let body = self.block()?;
        let f = FuncDef {
            name,
            params,
            body,
            decorators,
            is_async: async_span.is_some(),
            is_lambda: false,
            span: header,
        };
        Ok(Stmt { kind: StmtKind::FunctionDef(Rc::new(f)), span: header })
    }

    /// Parameters up to (not including) `end` (`)` for def, `:` for lambda).
    fn params(&mut self, end: Op) -> PResult<Params> {
        let mut p = Params::default();
        let mut seen_default = false;
        let mut star_seen = false;
        let mut names: Vec<Symbol> = Vec::new();
        while !self.is_op(end) {
            let pstart = self.span();
            if self.eat_op(Op::DoubleStar) {
                let (n, sp) = self.expect_name()?;
                self.check_dup(&mut names, n, sp)?;
                p.kwarg = Some(Param { name: n, default: None, span: sp });
                self.eat_op(Op::Comma);
                if !self.is_op(end) {
                    return Err(SyntaxError::new(
                        "arguments cannot follow var-keyword argument",
                        self.span(),
                    ));
                }
                break;
            }
            if self.eat_op(Op::Star) {
                if star_seen {
                    return Err(SyntaxError::new("* argument may appear only once", pstart));
                }
                star_seen = true;
                if let Tok::Name(_) = self.peek() {
                    let (n, sp) = self.expect_name()?;
                    self.check_dup(&mut names, n, sp)?;
                    p.vararg = Some(Param { name: n, default: None, span: sp });
                } else if self.is_op(end)
                    || self.is_op(Op::Comma)
                        && matches!(self.peek_next(), Tok::Op(o) if *o == end || *o == Op::DoubleStar)
                {
                    return Err(SyntaxError::new("named arguments must follow bare *", pstart));
                }
            } else {
                let (n, sp) = self.expect_name()?;
                self.check_dup(&mut names, n, sp)?;
                if self.is_op(Op::Colon) && end == Op::RParen {
                    return Err(SyntaxError::new("parameter annotations are not supported", self.span())
                        .with_help("drop the `: type` annotation"));
                }
                let default = if self.eat_op(Op::Assign) { Some(self.test()?) } else { None };
                let param = Param { name: n, default, span: sp };
                if star_seen {
                    p.kwonly.push(param);
                } else {
                    if param.default.is_some() {
                        seen_default = true;
                    } else if seen_default {
                        return Err(SyntaxError::new("non-default argument follows default argument", sp)
                            .with_label("this parameter has no default, but an earlier one has")
                            .with_help("move parameters with defaults after the ones without"));
                    }
                    p.args.push(param);
                }
            }
            if !self.eat_op(Op::Comma) {
                break;
            }
        }
        Ok(p)
    }

    fn check_dup(&self, names: &mut Vec<Symbol>, n: Symbol, sp: Span) -> PResult<()> {
        if names.contains(&n) {
            return Err(SyntaxError::new(format!("duplicate argument '{}' in function definition", n), sp)
                .with_label("this name is already a parameter"));
        }
        names.push(n);
        Ok(())
    }

    fn classdef(&mut self, decorators: Vec<Expr>) -> PResult<Stmt> {
        let start = self.bump();
        let (name, _) = self.expect_name()?;
        let mut bases = Vec::new();
        if self.eat_op(Op::LParen) {
            while !self.is_op(Op::RParen) {
                if let (Tok::Name(_), Tok::Op(Op::Assign)) = (self.peek(), self.peek_next()) {
                    return Err(SyntaxError::new(
                        "class keyword arguments (such as metaclass=) are not supported",
                        self.span(),
                    ));
                }
                bases.push(self.test()?);
                if !self.eat_op(Op::Comma) {
                    break;
                }
            }
            self.expect_op(Op::RParen)?;
        }
        let header = start.to(self.prev_span());
        self.expect_colon("class")?;
        let body = self.block()?;
        Ok(Stmt {
            kind: StmtKind::ClassDef(Rc::new(ClassDef { name, bases, body, decorators, span: header })),
            span: header,
        })
    }
}

/// Moves a span of the wrapped `(expr)` text into file coordinates, clamped to the field.
fn shift(s: Span, by: i64, field: Span) -> Span {
    let f = |x: u32| ((x as i64 + by).clamp(field.start as i64, field.end as i64)) as usize;
    Span::new(f(s.start), f(s.end))
}

/// `[*a for a in b]` is not allowed, as in Python.
fn no_starred_comp(e: &Expr) -> PResult<()> {
    if let ExprKind::Starred(_) = e.kind {
        return Err(SyntaxError::new("iterable unpacking cannot be used in comprehension", e.span));
    }
    Ok(())
}

fn push_lit(parts: &mut Vec<FPart>, s: String) {
    if let Some(FPart::Lit(prev)) = parts.last_mut() {
        prev.push_str(&s);
    } else {
        parts.push(FPart::Lit(s));
    }
}

fn colon_example(what: &str) -> &'static str {
    match what {
        "def" => "def f(x):",
        "if" => "if x > 0:",
        "elif" => "elif x < 0:",
        "else" => "else:",
        "while" => "while n > 0:",
        "for" => "for x in items:",
        "class" => "class Point:",
        "try" => "try:",
        "except" => "except ValueError as e:",
        "finally" => "finally:",
        "with" => "with lock:",
        _ => ":",
    }
}
