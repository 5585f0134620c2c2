//! Parser: tokens to AST, by hand-written recursive descent with precedence climbing for binary
//! operators.
//!
//! Nesting (brackets, unary operators, blocks, nested expressions) is counted and limited to
//! `MAX_NESTING`, so no input can overflow the Rust stack. Assignment targets are checked here,
//! where their context is known; the other static checks live in `resolver.rs`.

mod expr;

use crate::ast::*;
use crate::error::SyntaxError;
use crate::lexer::{self, Tok, Token, MAX_NESTING};

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
pub fn parse_program_at(text: &str, base: usize) -> PResult<Module> {
    let src = text;
    let mut toks = lexer::lex(&text[base..]).map_err(|mut e| {
        e.span = Span::new(e.span.start as usize + base, e.span.end as usize + base);
        if let Some((sp, _)) = &mut e.secondary {
            *sp = Span::new(sp.start as usize + base, sp.end as usize + base);
        }
        e
    })?;
    if base > 0 {
        let b = base as u32;
        for t in &mut toks {
            t.span = Span { start: t.span.start + b, end: t.span.end + b };
            if let Tok::FStr { body, .. } = &mut t.tok {
                *body = Span { start: body.start + b, end: body.end + b };
            }
        }
    }
    let mut p = Parser { toks, pos: 0, src, depth: 0, chained: 0 };
    let mut body = Vec::new();
    loop {
        match p.peek() {
            Tok::Eof => break,
            Tok::Newline => {
                p.pos += 1;
            }
            Tok::Indent => {
                return Err(SyntaxError::new("unexpected indent", p.span())
                    .with_label("this line is indented but no block starts here")
                    .kind("IndentationError"))
            }
            _ => p.statement(&mut body)?,
        }
    }
    Ok(Module { body })
}

struct Parser<'s> {
    toks: Vec<Token>,
    pos: usize,
    src: &'s str,
    depth: usize,
    /// Links of operator/attribute/call chains being parsed (see `chain`).
    chained: usize,
}

/// Binary operator levels for precedence climbing: higher binds tighter.
fn binop_of(t: &Tok) -> Option<(u8, BinOp)> {
    let Tok::Op(s) = t else { return None };
    Some(match *s {
        "|" => (1, BinOp::BitOr),
        "^" => (2, BinOp::BitXor),
        "&" => (3, BinOp::BitAnd),
        "<<" => (4, BinOp::LShift),
        ">>" => (4, BinOp::RShift),
        "+" => (5, BinOp::Add),
        "-" => (5, BinOp::Sub),
        "*" => (6, BinOp::Mul),
        "/" => (6, BinOp::Div),
        "//" => (6, BinOp::FloorDiv),
        "%" => (6, BinOp::Mod),
        "@" => (6, BinOp::MatMul),
        _ => return None,
    })
}

fn augop_of(s: &str) -> Option<BinOp> {
    Some(match s {
        "+=" => BinOp::Add,
        "-=" => BinOp::Sub,
        "*=" => BinOp::Mul,
        "/=" => BinOp::Div,
        "//=" => BinOp::FloorDiv,
        "%=" => BinOp::Mod,
        "**=" => BinOp::Pow,
        "@=" => BinOp::MatMul,
        "&=" => BinOp::BitAnd,
        "|=" => BinOp::BitOr,
        "^=" => BinOp::BitXor,
        "<<=" => BinOp::LShift,
        ">>=" => BinOp::RShift,
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

    fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].tok
    }
    fn peek_at(&self, n: usize) -> &Tok {
        &self.toks[(self.pos + n).min(self.toks.len() - 1)].tok
    }
    fn span(&self) -> Span {
        self.toks[self.pos.min(self.toks.len() - 1)].span
    }
    fn prev_span(&self) -> Span {
        if self.pos == 0 {
            return Span::default();
        }
        self.toks[self.pos - 1].span
    }
    fn advance(&mut self) -> Token {
        let t = self.toks[self.pos.min(self.toks.len() - 1)].clone();
        self.bump();
        t
    }
    /// Moves past the current token (never past `Eof`) and returns its span.
    #[inline]
    fn bump(&mut self) -> Span {
        let i = self.pos.min(self.toks.len() - 1);
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        self.toks[i].span
    }
    fn is_op(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == s)
    }
    fn eat_op(&mut self, s: &str) -> bool {
        if self.is_op(s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == t {
            self.pos += 1;
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

    fn rest_is_end(&self) -> bool {
        self.toks[self.pos..].iter().all(|t| matches!(t.tok, Tok::Newline | Tok::Dedent | Tok::Eof))
    }

    fn expect_op(&mut self, s: &str) -> PResult<Span> {
        if self.is_op(s) {
            return Ok(self.bump());
        }
        let mut e = self.unexpected();
        e.msg = format!("expected '{}'", s);
        Err(e)
    }

    fn expect_name(&mut self) -> PResult<(Symbol, Span)> {
        match self.peek().clone() {
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
        if self.eat_op(":") {
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

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(SyntaxError::new("too many nested expressions or blocks", self.span())
                .with_label("nesting goes too deep here")
                .with_help(format!(
                    "tinyasync allows at most {MAX_NESTING} levels of nesting; split the expression up"
                )));
        }
        Ok(())
    }
    /// One more link of an operator, attribute or call chain: chains make the tree deeper
    /// without nesting brackets, so they count against a larger limit of their own.
    fn chain(&mut self, n: &mut usize) -> PResult<()> {
        *n += 1;
        self.chained += 1;
        if self.chained + self.depth > MAX_TREE_DEPTH {
            self.chained -= *n;
            *n = 0;
            return Err(SyntaxError::new("expression too long", self.span())
                .with_label("too many chained operators, attributes or calls")
                .with_help(format!(
                    "tinyasync allows expressions at most {MAX_TREE_DEPTH} operators deep; split it into several statements"
                )));
        }
        Ok(())
    }
    fn unchain(&mut self, n: usize) {
        self.chained -= n;
    }
    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ----- statements -----

    fn statement(&mut self, out: &mut Vec<Stmt>) -> PResult<()> {
        match self.peek() {
            Tok::If => out.push(self.if_stmt()?),
            Tok::While => out.push(self.while_stmt()?),
            Tok::For => out.push(self.for_stmt()?),
            Tok::Try => out.push(self.try_stmt()?),
            Tok::With => out.push(self.with_stmt()?),
            Tok::Def => out.push(self.funcdef(Vec::new(), None)?),
            Tok::Class => out.push(self.classdef(Vec::new())?),
            Tok::Async if matches!(self.peek_at(1), Tok::Def) => {
                let sp = self.bump();
                out.push(self.funcdef(Vec::new(), Some(sp))?)
            }
            Tok::Async => {
                return Err(SyntaxError::new("invalid syntax", self.span())
                    .with_label("only `async def` is supported")
                    .with_help("`async for` and `async with` are not part of tinyasync"))
            }
            Tok::Op("@") => out.push(self.decorated()?),
            _ => self.simple_stmts(out)?,
        }
        Ok(())
    }

    /// `small (';' small)* [';'] NEWLINE`
    fn simple_stmts(&mut self, out: &mut Vec<Stmt>) -> PResult<()> {
        loop {
            out.push(self.small_stmt()?);
            if self.eat_op(";") {
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
            if let Tok::Op("=") = self.peek() {
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
        let kind = match self.peek().clone() {
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
                    let cause = if self.eat(&Tok::From) { Some(self.test()?) } else { None };
                    StmtKind::Raise(Some(e), cause)
                }
            }
            Tok::Global | Tok::Nonlocal => {
                let is_global = matches!(self.advance().tok, Tok::Global);
                let mut names = vec![self.expect_name()?.0];
                while self.eat_op(",") {
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
                    if !self.eat_op(",") || self.at_stmt_end() {
                        break;
                    }
                }
                StmtKind::Delete(targets)
            }
            Tok::Assert => {
                self.bump();
                let t = self.test()?;
                let msg = if self.eat_op(",") { Some(self.test()?) } else { None };
                StmtKind::Assert(t, msg)
            }
            Tok::Import => {
                self.bump();
                let mut names = Vec::new();
                loop {
                    let (first, sp) = self.expect_name()?;
                    let mut path = vec![first];
                    let mut span = sp;
                    while self.eat_op(".") {
                        let (n, s) = self.expect_name()?;
                        path.push(n);
                        span = span.to(s);
                    }
                    let asname = if self.eat(&Tok::As) { Some(self.expect_name()?.0) } else { None };
                    names.push(Alias { path, asname, span: span.to(self.prev_span()) });
                    if !self.eat_op(",") {
                        break;
                    }
                }
                StmtKind::Import(names)
            }
            Tok::From => {
                self.bump();
                let mut module = vec![self.expect_name()?.0];
                while self.eat_op(".") {
                    module.push(self.expect_name()?.0);
                }
                if !self.eat(&Tok::Import) {
                    let mut e = self.unexpected();
                    e.msg = "expected 'import'".into();
                    return Err(e);
                }
                if self.is_op("*") {
                    return Err(SyntaxError::new("`from ... import *` is not supported", self.span())
                        .with_help("name what you import: `from m import a, b`"));
                }
                let paren = self.eat_op("(");
                let mut names = Vec::new();
                loop {
                    let (n, sp) = self.expect_name()?;
                    let asname = if self.eat(&Tok::As) { Some(self.expect_name()?.0) } else { None };
                    names.push(Alias { path: vec![n], asname, span: sp.to(self.prev_span()) });
                    if !self.eat_op(",") {
                        break;
                    }
                    if paren && self.is_op(")") {
                        break;
                    }
                }
                if paren {
                    self.expect_op(")")?;
                }
                StmtKind::ImportFrom(module, names)
            }
            _ => return self.expr_stmt(),
        };
        Ok(Stmt { kind, span: start.to(self.prev_span()) })
    }

    fn at_stmt_end(&self) -> bool {
        matches!(self.peek(), Tok::Newline | Tok::Eof | Tok::Op(";"))
    }

    fn expr_stmt(&mut self) -> PResult<Stmt> {
        let start = self.span();
        let first = self.star_exprs_or_yield()?;
        if let Tok::Op(op) = self.peek() {
            if let Some(bop) = augop_of(op) {
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
                    kind: StmtKind::AugAssign(first, bop, value),
                    span: start.to(self.prev_span()),
                });
            }
            if *op == "=" {
                let mut targets = vec![first];
                let mut value;
                loop {
                    self.bump();
                    value = self.star_exprs_or_yield()?;
                    if !self.is_op("=") {
                        break;
                    }
                    targets.push(value);
                }
                for t in &targets {
                    self.check_target(t, TargetCtx::Assign)?;
                }
                return Ok(Stmt { kind: StmtKind::Assign(targets, value), span: start.to(self.prev_span()) });
            }
            if *op == ":"
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
        let mut body = Vec::new();
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
                    _ => self.statement(&mut body)?,
                }
            }
        } else {
            if matches!(self.peek(), Tok::Eof) {
                return Err(self.unexpected());
            }
            self.simple_stmts(&mut body)?;
        }
        self.leave();
        Ok(body)
    }

    fn if_stmt(&mut self) -> PResult<Stmt> {
        let start = self.bump();
        let test = self.named_test()?;
        self.expect_colon("if")?;
        let body = self.block()?;
        let orelse = self.else_chain()?;
        Ok(Stmt { kind: StmtKind::If(test, body, orelse), span: start })
    }

    fn else_chain(&mut self) -> PResult<Vec<Stmt>> {
        if matches!(self.peek(), Tok::Elif) {
            let start = self.bump();
            let test = self.named_test()?;
            self.expect_colon("elif")?;
            let body = self.block()?;
            let orelse = self.else_chain()?;
            return Ok(vec![Stmt { kind: StmtKind::If(test, body, orelse), span: start }]);
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
        if self.is_op(":=") {
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
        Ok(Stmt { kind: StmtKind::While(test, body, orelse), span: start })
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
            kind: StmtKind::For(target, iter, body, orelse),
            span: start.to(self.toks[self.pos.saturating_sub(1)].span).to(start),
        })
    }

    /// A `for` target: `a`, `a, b`, `(a, b), *c` (no `in` consumed).
    fn target_list(&mut self) -> PResult<Expr> {
        let start = self.span();
        let mut items = vec![self.star_or(Self::bitor_expr)?];
        let mut tuple = false;
        while self.eat_op(",") {
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
            let (typ, name) = if self.is_op(":") {
                (None, None)
            } else {
                let t = self.test()?;
                let t = if self.is_op(",") {
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
        Ok(Stmt { kind: StmtKind::Try { body, handlers, orelse, finalbody }, span: start })
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
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_colon("with")?;
        let body = self.block()?;
        Ok(Stmt { kind: StmtKind::With(items, body), span: start })
    }

    fn decorated(&mut self) -> PResult<Stmt> {
        let mut decorators = Vec::new();
        while self.eat_op("@") {
            decorators.push(self.test()?);
            if !self.eat(&Tok::Newline) {
                return Err(self.unexpected());
            }
        }
        match self.peek() {
            Tok::Def => self.funcdef(decorators, None),
            Tok::Async if matches!(self.peek_at(1), Tok::Def) => {
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
        self.expect_op("(")?;
        let params = self.params(")")?;
        self.expect_op(")")?;
        if self.is_op("->") {
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
    fn params(&mut self, end: &str) -> PResult<Params> {
        let mut p = Params::default();
        let mut seen_default = false;
        let mut star_seen = false;
        let mut names: Vec<Symbol> = Vec::new();
        while !self.is_op(end) {
            let pstart = self.span();
            if self.eat_op("**") {
                let (n, sp) = self.expect_name()?;
                self.check_dup(&mut names, n, sp)?;
                p.kwarg = Some(Param { name: n, default: None, span: sp });
                self.eat_op(",");
                if !self.is_op(end) {
                    return Err(SyntaxError::new(
                        "arguments cannot follow var-keyword argument",
                        self.span(),
                    ));
                }
                break;
            }
            if self.eat_op("*") {
                if star_seen {
                    return Err(SyntaxError::new("* argument may appear only once", pstart));
                }
                star_seen = true;
                if let Tok::Name(_) = self.peek() {
                    let (n, sp) = self.expect_name()?;
                    self.check_dup(&mut names, n, sp)?;
                    p.vararg = Some(Param { name: n, default: None, span: sp });
                } else if self.is_op(end)
                    || self.is_op(",") && matches!(self.peek_at(1), Tok::Op(o) if *o == end || *o == "**")
                {
                    return Err(SyntaxError::new("named arguments must follow bare *", pstart));
                }
            } else {
                let (n, sp) = self.expect_name()?;
                self.check_dup(&mut names, n, sp)?;
                if self.is_op(":") && end == ")" {
                    return Err(SyntaxError::new("parameter annotations are not supported", self.span())
                        .with_help("drop the `: type` annotation"));
                }
                let default = if self.eat_op("=") { Some(self.test()?) } else { None };
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
            if !self.eat_op(",") {
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
        if self.eat_op("(") {
            while !self.is_op(")") {
                if let (Tok::Name(_), Tok::Op("=")) = (self.peek(), self.peek_at(1)) {
                    return Err(SyntaxError::new(
                        "class keyword arguments (such as metaclass=) are not supported",
                        self.span(),
                    ));
                }
                bases.push(self.test()?);
                if !self.eat_op(",") {
                    break;
                }
            }
            self.expect_op(")")?;
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
