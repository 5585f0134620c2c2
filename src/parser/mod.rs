//! Parser: tokens to AST, by hand-written recursive descent with precedence climbing for the
//! infix operators. This file holds the token window (the parser pulls tokens from the streaming
//! lexer and sees two at a time), the helpers and the limits; `stmt.rs` parses statements and
//! `expr.rs` expressions.
//!
//! Nesting (unary operators, blocks, nested expressions) is counted and limited to
//! `MAX_NESTING`, so no input can overflow the Rust stack. Brackets are not counted here: the
//! lexer refuses more than `MAX_NESTING` open brackets (CPython's "too many nested
//! parentheses"), and the bracket it refuses is reached before the parser's own limit, so that
//! is the error reported. Assignment targets are checked here, where their context is known;
//! the other static checks live in `resolver.rs`.

mod expr;
mod stmt;

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
/// Tokens are pulled from the lexer as the parser goes. A lexical error the parser ran into is
/// the error. When parsing fails first, the rest is lexed, and as in CPython two lexical errors
/// further down still win (see `lexer::outranks`): an unterminated string, which explains an odd
/// parse error above it, and a bracket never closed that was opened before the parse error.
pub fn parse_program_at(text: &str, base: usize) -> PResult<Module> {
    parse(text, base, true)
}

/// Parses what has been typed at the REPL so far. As `parse_program`, except that a bracket
/// still open at the end does not outrank a parse error before it: that error is reported at
/// once, as CPython's REPL does (`foo(1 2,` is a syntax error, not a request for more input).
pub fn parse_typed_so_far(text: &str, base: usize) -> PResult<Module> {
    parse(text, base, false)
}

fn parse(text: &str, base: usize, open_bracket_outranks: bool) -> PResult<Module> {
    let mut p = Parser::new(Feed::Lexer(Lexer::new(text, base)), text);
    let r = p.module();
    if let Some(e) = p.lex_error.take() {
        return Err(e);
    }
    r.map_err(|e| p.drain_lex_error(&e, open_bracket_outranks).unwrap_or(e))
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
    /// Items of the displays and target lists being parsed (see `take_exprs`).
    exprs: Vec<Expr>,
    /// Parameters of the `def` or `lambda` being parsed (see `params`).
    param_stack: Vec<Param>,
    /// Buffers for the arguments of calls being parsed (see `call_args`).
    arg_buffers: Vec<Vec<Arg>>,
    src: &'s str,
    depth: usize,
    /// Links of operator/attribute/call chains being parsed (see `chain`).
    chained: usize,
    /// Inside an annotation (see `annotation`).
    in_annotation: bool,
}

/// What an annotation cannot hold, as CPython says it under `from __future__ import
/// annotations` ("'yield expression' can not be used within an annotation").
fn annotation_error(what: &str, span: Span) -> SyntaxError {
    SyntaxError::new(format!("'{what}' can not be used within an annotation"), span)
        .with_help("annotations are never evaluated: leave the expression out of it")
}

/// Infix precedence levels (higher binds tighter), as in Python's grammar.
mod level {
    pub const OR: u8 = 1;
    pub const AND: u8 = 2;
    /// Prefix `not`: binds looser than comparisons, tighter than `and`.
    pub const NOT: u8 = 3;
    pub const CMP: u8 = 4;
    pub const BITOR: u8 = 5;
    pub const BITXOR: u8 = 6;
    pub const BITAND: u8 = 7;
    pub const SHIFT: u8 = 8;
    /// `+ -`
    pub const SUM: u8 = 9;
    /// `* / // % @`
    pub const TERM: u8 = 10;
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
            Op::Pipe => bin(level::BITOR, BinOp::BitOr),
            Op::Caret => bin(level::BITXOR, BinOp::BitXor),
            Op::Amp => bin(level::BITAND, BinOp::BitAnd),
            Op::LShift => bin(level::SHIFT, BinOp::LShift),
            Op::RShift => bin(level::SHIFT, BinOp::RShift),
            Op::Plus => bin(level::SUM, BinOp::Add),
            Op::Minus => bin(level::SUM, BinOp::Sub),
            Op::Star => bin(level::TERM, BinOp::Mul),
            Op::Slash => bin(level::TERM, BinOp::Div),
            Op::DoubleSlash => bin(level::TERM, BinOp::FloorDiv),
            Op::Percent => bin(level::TERM, BinOp::Mod),
            Op::At => bin(level::TERM, BinOp::MatMul),
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
        ExprKind::NamedExpr(..) => "named expression",
        ExprKind::Attribute(..) => "attribute",
        ExprKind::Subscript(..) => "subscript",
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
            exprs: Vec::new(),
            param_stack: Vec::new(),
            arg_buffers: Vec::new(),
            src,
            depth: 0,
            chained: 0,
            in_annotation: false,
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
        self.stmts.split_off(mark)
    }

    /// The expressions pushed on `exprs` since `mark`, as a vector of exactly their number (as
    /// `take_stmts` does for blocks: a two-item tuple takes 80 bytes, not the 160 of a vector
    /// grown by pushing).
    fn take_exprs(&mut self, mark: usize) -> Vec<Expr> {
        self.exprs.split_off(mark)
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

    /// Pulls the next token into `next` (the lexer writes it in place: see `Lexer::next_into`).
    #[inline]
    fn pull_next(&mut self) {
        match &mut self.feed {
            Feed::Lexer(lexer) => {
                if let Err(e) = lexer.next_into(&mut self.next) {
                    let at = Span::new(e.span.start as usize, e.span.start as usize);
                    self.lex_error.get_or_insert(e);
                    self.next = Token { tok: Tok::Eof, span: at };
                }
            }
            Feed::Tokens(toks, end) => self.next = toks.next().unwrap_or(Token { tok: Tok::Eof, span: *end }),
        }
    }

    /// After `parse_error`: the first lexical error in the rest of the program, if it is one
    /// that outranks the parse error.
    fn drain_lex_error(
        &mut self,
        parse_error: &SyntaxError,
        open_bracket_outranks: bool,
    ) -> Option<SyntaxError> {
        let Feed::Lexer(lexer) = &mut self.feed else { return None };
        lexer.rest_errors().filter(|e| lexer::outranks(e, parse_error, open_bracket_outranks))
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
            self.cur = self.next;
            self.prev = span;
            self.pull_next();
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

    /// "invalid syntax" at the current token, flagged as end-of-input when it is; or, when the
    /// token starts a construct tinyasync does not have, that it is not supported.
    fn unexpected(&self) -> SyntaxError {
        if let Some(e) = self.unsupported_here() {
            return e;
        }
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

    /// The current token starts a construct of Python that tinyasync does not have, wherever
    /// it appears: `:=` where it needs parentheses.
    fn unsupported_here(&self) -> Option<SyntaxError> {
        match (self.peek(), self.peek_next()) {
            (Tok::Op(Op::Walrus), _) => Some(walrus(self.span())),
            _ => None,
        }
    }

    /// `if x = 3:`: an `=` where a condition should end.
    fn assign_in_condition(&self) -> Option<SyntaxError> {
        if !self.is_op(Op::Assign) {
            return None;
        }
        Some(
            SyntaxError::new("invalid syntax. Maybe you meant '==' instead of '='?", self.span())
                .with_label("`=` assigns; `==` compares"),
        )
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
        if let Some(e) = self.unsupported_here() {
            return e;
        }
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
        let condition = matches!(what, "if" | "elif" | "while");
        if let Some(e) = self.unsupported_here().or_else(|| self.assign_in_condition().filter(|_| condition))
        {
            return Err(e);
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
}

/// Where the `=` of a self-documenting f-string field (`{x=}`, `{x = }`) is, in the field's
/// text up to its `!`, `:` or `}`; None when the field is a plain expression (`{a == b}`,
/// `{a != b}`, `{a <= b}` end in `=` too, but as part of an operator).
pub(super) fn self_documenting(field: &str) -> Option<usize> {
    let body = field.trim_end();
    let before = body.strip_suffix('=')?;
    if before.ends_with(['=', '!', '<', '>']) || before.trim().is_empty() {
        return None;
    }
    Some(before.len())
}

/// `:=` where Python does not take an assignment expression without parentheses.
fn walrus(span: Span) -> SyntaxError {
    SyntaxError::new("invalid syntax", span)
        .with_label("`:=` is not allowed here")
        .with_help("put the assignment expression in parentheses, `(name := value)`, or assign with `=` on a line of its own")
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

/// `v` without spare capacity (a vector grown by pushing keeps room for 4 from its first item:
/// 160 bytes for one 40-byte expression). The tree keeps its vectors for the whole run.
fn exact<T>(mut v: Vec<T>) -> Vec<T> {
    if v.capacity() == v.len() {
        v
    } else {
        v.split_off(0)
    }
}
