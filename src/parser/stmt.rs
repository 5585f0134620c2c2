//! Statements: simple statements and assignment targets, blocks and the compound statements,
//! function and class definitions with their parameters.

use super::*;

impl<'s> Parser<'s> {
    /// Parses one statement (or one line of simple statements) onto `self.stmts`.
    pub(super) fn statement(&mut self) -> PResult<()> {
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
            Tok::Async if matches!(self.peek_next(), Tok::For | Tok::With) => {
                let start = self.bump();
                let mut s =
                    if matches!(self.peek(), Tok::For) { self.for_stmt()? } else { self.with_stmt()? };
                s.kind = match s.kind {
                    StmtKind::For(l) => StmtKind::AsyncFor(l),
                    StmtKind::With(items, body) => StmtKind::AsyncWith(items, body),
                    k => k,
                };
                s.span = start.to(s.span);
                s
            }
            Tok::Async => {
                return Err(SyntaxError::new("invalid syntax", self.span())
                    .with_label("only `def`, `for` or `with` can follow `async`"));
            }
            Tok::Op(Op::At) => self.decorated()?,
            // `match` followed by what can start its subject (not `=`, `.`, `,` ...).
            Tok::Name(n)
                if n.as_str() == "match"
                    && !matches!(self.peek_next(), Tok::Op(op) if !matches!(op,
                        Op::LParen | Op::LBracket | Op::LBrace | Op::Minus | Op::Plus | Op::Tilde | Op::Star)) =>
            {
                let first = self.span();
                return self.simple_stmts().map_err(|e| self.match_statement(first).unwrap_or(e));
            }
            _ => return self.simple_stmts(),
        };
        self.stmts.push(s);
        Ok(())
    }

    /// A statement starting with the name `match` that failed to parse: if its line ends with
    /// `:`, it is a `match` statement (`match` is a keyword only there, as in Python).
    #[cold]
    fn match_statement(&self, first: Span) -> Option<SyntaxError> {
        let rest = self.src.get(first.start as usize..)?;
        let line = rest.split('\n').next().unwrap_or(rest);
        let code = line.split('#').next().unwrap_or(line).trim_end();
        if !code.ends_with(':') || code.len() <= "match:".len() {
            return None;
        }
        Some(
            SyntaxError::unsupported("the `match` statement is", first)
                .with_help("use if/elif/else: `if x == 1:` ... `elif x == 2:` ... `else:`"),
        )
    }

    /// `small (';' small)* [';'] NEWLINE`
    pub(super) fn simple_stmts(&mut self) -> PResult<()> {
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
            if let Some(e) = self.legacy_print() {
                return Err(e);
            }
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

    /// `print "hello"`: Python 2's print statement (or exec), with CPython's message and the
    /// call written out as help.
    #[cold]
    fn legacy_print(&mut self) -> Option<SyntaxError> {
        let StmtKind::Expr(Expr { kind: ExprKind::Name(n), span }) = &self.stmts.last()?.kind else {
            return None;
        };
        let (name, start) = (n.as_str(), *span);
        let starts_expression = matches!(
            self.peek(),
            Tok::Name(_)
                | Tok::Int
                | Tok::BigInt
                | Tok::Float
                | Tok::Str(_)
                | Tok::FStr(_)
                | Tok::None
                | Tok::True
                | Tok::False
                | Tok::Not
                | Tok::Lambda
                | Tok::Await
                | Tok::Op(Op::LBrace | Op::Tilde)
        );
        if !matches!(name, "print" | "exec") || !starts_expression {
            return None;
        }
        let msg = format!("Missing parentheses in call to '{name}'. Did you mean {name}(...)?");
        let args = match self.star_exprs() {
            Ok(args) if self.at_stmt_end() => args,
            _ => return Some(SyntaxError::new(msg, start).with_label("a call needs parentheses")),
        };
        let e = SyntaxError::new(msg, start.to(args.span)).with_label("a call needs parentheses");
        match self.src.get(args.span.range()) {
            Some(text) if !text.contains('\n') && text.len() <= 60 => {
                Some(e.with_help(format!("write `{name}({text})`")))
            }
            _ => Some(e),
        }
    }

    pub(super) fn small_stmt(&mut self) -> PResult<Stmt> {
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
                if let Some(e) = self.assign_in_condition() {
                    return Err(e);
                }
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
                if self.is_op(Op::Dot) || self.is_op(Op::Ellipsis) {
                    return Err(SyntaxError::unsupported("relative imports are", self.span())
                        .with_help("a tinyasync program is one file: import built-in modules by name"));
                }
                let mut module = vec![self.expect_name()?.0];
                while self.eat_op(Op::Dot) {
                    module.push(self.expect_name()?.0);
                }
                if !self.eat(&Tok::Import) {
                    let mut e = self.unexpected();
                    e.msg = "expected 'import'".into();
                    return Err(e);
                }
                // `from m import *`: one name, `*` (the resolver allows it at module level only).
                if self.is_op(Op::Star) {
                    let sp = self.span();
                    self.bump();
                    let star = Alias { path: vec![Symbol::intern("*")], asname: None, span: sp };
                    return Ok(Stmt { kind: StmtKind::ImportFrom(module, vec![star]), span: start.to(sp) });
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

    pub(super) fn at_stmt_end(&self) -> bool {
        matches!(self.peek(), Tok::Newline | Tok::Eof | Tok::Op(Op::Semi))
    }

    pub(super) fn expr_stmt(&mut self) -> PResult<Stmt> {
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
                let mark = self.exprs.len();
                self.exprs.push(first);
                let mut value;
                loop {
                    self.bump();
                    value = self.star_exprs_or_yield()?;
                    if !self.is_op(Op::Assign) {
                        break;
                    }
                    self.exprs.push(value);
                }
                let targets = self.take_exprs(mark).into_boxed_slice();
                for t in targets.iter() {
                    self.check_target(t, TargetCtx::Assign)?;
                }
                return Ok(Stmt { kind: StmtKind::Assign(targets, value), span: start.to(self.prev_span()) });
            }
            if *op == Op::Colon {
                return self.annotated(start, first);
            }
        }
        if let ExprKind::Starred(_) = first.kind {
            return Err(SyntaxError::new("can't use starred expression here", first.span));
        }
        Ok(Stmt { kind: StmtKind::Expr(first), span: start.to(self.prev_span()) })
    }

    /// `target: annotation` or `target: annotation = value`, the annotation read and dropped
    /// (never evaluated, as under `from __future__ import annotations`): an assignment, or a
    /// target with no value (`AnnotatedTarget`).
    fn annotated(&mut self, start: Span, target: Expr) -> PResult<Stmt> {
        let what = match &target.kind {
            ExprKind::Name(_) | ExprKind::Attribute(..) | ExprKind::Subscript(..) => None,
            ExprKind::Tuple(_) => Some("only single target (not tuple) can be annotated"),
            ExprKind::List(_) => Some("only single target (not list) can be annotated"),
            _ => Some("illegal target for annotation"),
        };
        if let Some(what) = what {
            let e = SyntaxError::new(what, target.span);
            return Err(match &target.kind {
                ExprKind::Tuple(_) | ExprKind::List(_) => {
                    e.with_help("annotate one name at a time: `a: int = 1`")
                }
                _ => e,
            });
        }
        // A name in parentheses is not simple: the statement starts at the parenthesis.
        let simple = matches!(target.kind, ExprKind::Name(_)) && target.span.start == start.start;
        self.bump();
        let annotation = self.annotation()?;
        let value = if self.eat_op(Op::Assign) {
            let value = self.star_exprs_or_yield()?;
            self.check_target(&target, TargetCtx::Assign)?;
            Some(value)
        } else {
            None
        };
        Ok(Stmt {
            kind: StmtKind::Annotated(Box::new(Annotated { target, value, simple, annotation })),
            span: start.to(self.prev_span()),
        })
    }

    /// Checks that `e` can be assigned to (or deleted).
    pub(super) fn check_target(&self, e: &Expr, ctx: TargetCtx) -> PResult<()> {
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
    pub(super) fn block(&mut self) -> PResult<Vec<Stmt>> {
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

    pub(super) fn if_stmt(&mut self) -> PResult<Stmt> {
        let start = self.bump();
        let test = self.named_test()?;
        self.expect_colon("if")?;
        let body = self.block()?;
        let orelse = self.else_chain()?;
        Ok(Stmt { kind: StmtKind::If(Box::new(Conditional { test, body, orelse })), span: start })
    }

    pub(super) fn else_chain(&mut self) -> PResult<Vec<Stmt>> {
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

    pub(super) fn else_block(&mut self) -> PResult<Vec<Stmt>> {
        if self.eat(&Tok::Else) {
            self.expect_colon("else")?;
            return self.block();
        }
        Ok(Vec::new())
    }

    pub(super) fn while_stmt(&mut self) -> PResult<Stmt> {
        let start = self.bump();
        let test = self.named_test()?;
        self.expect_colon("while")?;
        let body = self.block()?;
        let orelse = self.else_block()?;
        Ok(Stmt { kind: StmtKind::While(Box::new(Conditional { test, body, orelse })), span: start })
    }

    /// The target of a `for` statement or clause, checked, and the `in` after it.
    pub(super) fn for_target(&mut self) -> PResult<Expr> {
        let target = self.target_list()?;
        self.check_target(&target, TargetCtx::For)?;
        if !self.eat(&Tok::In) {
            let mut e = self.unexpected();
            e.msg = "expected 'in'".into();
            return Err(e);
        }
        Ok(target)
    }

    pub(super) fn for_stmt(&mut self) -> PResult<Stmt> {
        let start = self.bump();
        let target = self.for_target()?;
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
    pub(super) fn target_list(&mut self) -> PResult<Expr> {
        let start = self.span();
        let first = self.star_or(Self::bitor_expr)?;
        if !self.is_op(Op::Comma) {
            return Ok(first);
        }
        let items =
            self.comma_list(first, |p| matches!(p.peek(), Tok::In), |p| p.star_or(Self::bitor_expr))?;
        Ok(Expr { kind: ExprKind::Tuple(items), span: start.to(self.prev_span()) })
    }

    pub(super) fn try_stmt(&mut self) -> PResult<Stmt> {
        let start = self.bump();
        self.expect_colon("try")?;
        let body = self.block()?;
        let mut handlers = Vec::new();
        while matches!(self.peek(), Tok::Except) {
            let hstart = self.bump();
            if self.is_op(Op::Star) {
                return Err(SyntaxError::unsupported(
                    "`except*` (exception groups) is",
                    hstart.to(self.span()),
                )
                .with_help("use `except`: tinyasync has no exception groups"));
            }
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
            kind: StmtKind::Try(Box::new(TryBlock { body, handlers: exact(handlers), orelse, finalbody })),
            span: start,
        })
    }

    pub(super) fn with_stmt(&mut self) -> PResult<Stmt> {
        let start = self.bump();
        let mut items = Vec::new();
        loop {
            let paren = items.is_empty() && self.is_op(Op::LParen);
            let ctx = match self.test() {
                Err(e) if paren && self.src.get(e.span.range()) == Some("as") => {
                    return Err(SyntaxError::unsupported(
                        "parenthesized context managers (`with (a as x, b as y):`) are",
                        e.span,
                    )
                    .with_help("drop the parentheses: `with a as x, b as y:`"))
                }
                r => r?,
            };
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

    pub(super) fn decorated(&mut self) -> PResult<Stmt> {
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

    pub(super) fn funcdef(&mut self, decorators: Vec<Expr>, async_span: Option<Span>) -> PResult<Stmt> {
        let def_span = self.bump();
        let start = async_span.unwrap_or(def_span);
        let (name, _) = self.expect_name()?;
        self.expect_op(Op::LParen)?;
        let params = self.params(Op::RParen)?;
        self.expect_op(Op::RParen)?;
        // A return annotation is read and dropped (see `annotated`).
        if self.eat_op(Op::Arrow) {
            self.annotation()?;
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
    /// A parameter's annotation (`x: int`) in a `def`, read and dropped (see `annotated`);
    /// a lambda's parameters have none, and there the `:` ends them.
    fn param_annotation(&mut self, end: Op) -> PResult<()> {
        if end == Op::RParen && self.eat_op(Op::Colon) {
            self.annotation()?;
        }
        Ok(())
    }

    /// An annotation, read and dropped. What it cannot hold under `from __future__ import
    /// annotations` (it is never evaluated) is refused with CPython's messages.
    /// An annotation, read and not evaluated: its source text.
    fn annotation(&mut self) -> PResult<AnnotationText> {
        let saved = std::mem::replace(&mut self.in_annotation, true);
        let r = self.test();
        self.in_annotation = saved;
        let e = r?;
        Ok(match e.kind {
            ExprKind::Str(s) => AnnotationText::Str(s),
            _ => AnnotationText::Source(
                self.src.get(e.span.start as usize..e.span.end as usize).unwrap_or("").into(),
            ),
        })
    }

    pub(super) fn params(&mut self, end: Op) -> PResult<Params> {
        let mut p = Params::default();
        let mut seen_default = false;
        let mut star_seen = false;
        // Positional parameters, then keyword-only ones, gather on `param_stack` from `mark`.
        let mark = self.param_stack.len();
        let mut slash_seen = false;
        while !self.is_op(end) {
            let pstart = self.span();
            if self.eat_op(Op::Slash) {
                let before = self.param_stack.len() - mark;
                let msg = if slash_seen {
                    Some("/ may appear only once")
                } else if star_seen || p.kwarg.is_some() {
                    Some("/ must be ahead of *")
                } else if before == 0 {
                    Some("at least one argument must precede /")
                } else {
                    None
                };
                if let Some(msg) = msg {
                    return Err(SyntaxError::new(msg, pstart));
                }
                slash_seen = true;
                p.posonly = before;
                if !self.is_op(end) {
                    self.expect_op(Op::Comma)?;
                }
                continue;
            }
            if self.eat_op(Op::DoubleStar) {
                let (n, sp) = self.expect_name()?;
                self.check_dup(&p, mark, n, sp)?;
                self.param_annotation(end)?;
                p.kwarg = Some(Box::new(Param { name: n, default: None, span: sp }));
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
                p.args = self.param_stack.split_off(mark);
                if let Tok::Name(_) = self.peek() {
                    let (n, sp) = self.expect_name()?;
                    self.check_dup(&p, mark, n, sp)?;
                    // (`*args: *Ts`, a starred annotation, only here.)
                    if end == Op::RParen
                        && self.is_op(Op::Colon)
                        && matches!(self.peek_next(), Tok::Op(Op::Star))
                    {
                        self.bump();
                        self.bump();
                        self.annotation()?;
                    } else {
                        self.param_annotation(end)?;
                    }
                    p.vararg = Some(Box::new(Param { name: n, default: None, span: sp }));
                } else if self.is_op(end)
                    || self.is_op(Op::Comma)
                        && matches!(self.peek_next(), Tok::Op(o) if *o == end || *o == Op::DoubleStar)
                {
                    return Err(SyntaxError::new("named arguments must follow bare *", pstart));
                }
            } else {
                let (n, sp) = self.expect_name()?;
                self.check_dup(&p, mark, n, sp)?;
                self.param_annotation(end)?;
                let default = if self.eat_op(Op::Assign) { Some(self.test()?) } else { None };
                let param = Param { name: n, default, span: sp };
                if !star_seen {
                    if param.default.is_some() {
                        seen_default = true;
                    } else if seen_default {
                        return Err(SyntaxError::new("non-default argument follows default argument", sp)
                            .with_label("this parameter has no default, but an earlier one has")
                            .with_help("move parameters with defaults after the ones without"));
                    }
                }
                self.param_stack.push(param);
            }
            if !self.eat_op(Op::Comma) {
                break;
            }
        }
        // Exactly as many as there are, as `take_stmts` does for blocks.
        let gathered = self.param_stack.split_off(mark);
        if star_seen {
            p.kwonly = gathered;
        } else {
            p.args = gathered;
        }
        Ok(p)
    }

    /// A parameter named like an earlier one is an error (`params`: `p` holds those already
    /// placed, `param_stack[mark..]` those still gathering).
    fn check_dup(&self, p: &Params, mark: usize, n: Symbol, sp: Span) -> PResult<()> {
        if p.all().chain(&self.param_stack[mark..]).any(|q| q.name == n) {
            return Err(SyntaxError::new(format!("duplicate argument '{}' in function definition", n), sp)
                .with_label("this name is already a parameter"));
        }
        Ok(())
    }

    pub(super) fn classdef(&mut self, decorators: Vec<Expr>) -> PResult<Stmt> {
        let start = self.bump();
        let (name, _) = self.expect_name()?;
        let mut bases = Vec::new();
        if self.eat_op(Op::LParen) {
            while !self.is_op(Op::RParen) {
                if let (Tok::Name(_), Tok::Op(Op::Assign)) = (self.peek(), self.peek_next()) {
                    return Err(SyntaxError::unsupported(
                        "class keyword arguments (such as `metaclass=`) are",
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
            kind: StmtKind::ClassDef(Rc::new(ClassDef {
                name,
                bases: exact(bases),
                body,
                decorators,
                span: header,
            })),
            span: header,
        })
    }
}
