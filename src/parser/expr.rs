//! Expressions: precedence climbing over the binary operators, primaries and their trailers,
//! displays and comprehensions, and f-strings (whose fields are parsed as sub-expressions).

use super::*;

impl<'s> Parser<'s> {
    /// `star_expressions`: a test or starred item, or a bare tuple of them.
    pub(super) fn star_exprs(&mut self) -> PResult<Expr> {
        let first = self.star_or(Self::test)?;
        if !self.is_op(Op::Comma) {
            // `*a` alone is only valid as an assignment target (`*a = ...` is rejected later).
            if matches!(first.kind, ExprKind::Starred(_)) && !self.is_op(Op::Assign) {
                return Err(SyntaxError::new("can't use starred expression here", first.span));
            }
            return Ok(first);
        }
        let start = first.span;
        let items = self.comma_list(first, |p| !p.expr_can_start(), |p| p.star_or(Self::test))?;
        Ok(Expr { kind: ExprKind::Tuple(items), span: start.to(self.prev_span()) })
    }

    pub(super) fn star_exprs_or_yield(&mut self) -> PResult<Expr> {
        if matches!(self.peek(), Tok::Yield) {
            return self.yield_expr();
        }
        self.star_exprs()
    }

    pub(super) fn expr_can_start(&self) -> bool {
        match self.peek() {
            Tok::Name(_)
            | Tok::Int
            | Tok::BigInt
            | Tok::Float
            | Tok::Str(_)
            | Tok::FStr(_)
            | Tok::True
            | Tok::False
            | Tok::None
            | Tok::Not
            | Tok::Lambda
            | Tok::Await => true,
            Tok::Op(o) => matches!(
                o,
                Op::LParen
                    | Op::LBracket
                    | Op::LBrace
                    | Op::Minus
                    | Op::Plus
                    | Op::Tilde
                    | Op::Star
                    | Op::Ellipsis
            ),
            _ => false,
        }
    }

    /// `named_expression`: a test, or `name := test` (an assignment expression).
    pub(super) fn named_test(&mut self) -> PResult<Expr> {
        let e = self.test()?;
        if !self.is_op(Op::Walrus) {
            return Ok(e);
        }
        if self.in_annotation {
            return Err(annotation_error("named expression", e.span.to(self.span())));
        }
        self.bump();
        let ExprKind::Name(n) = e.kind else {
            return Err(SyntaxError::new(
                format!("cannot use assignment expressions with {}", describe_expr(&e)),
                e.span,
            )
            .with_label("only a name can be assigned with `:=`"));
        };
        let value = self.test()?;
        if self.is_op(Op::Walrus) {
            return Err(walrus(self.span()));
        }
        Ok(Expr { span: e.span.to(value.span), kind: ExprKind::NamedExpr(n, Box::new(value)) })
    }

    pub(super) fn star_or(&mut self, f: fn(&mut Self) -> PResult<Expr>) -> PResult<Expr> {
        if self.is_op(Op::Star) {
            let start = self.bump();
            let inner = self.bitor_expr()?;
            return Ok(Expr { span: start.to(inner.span), kind: ExprKind::Starred(Box::new(inner)) });
        }
        f(self)
    }

    pub(super) fn yield_expr(&mut self) -> PResult<Expr> {
        if self.in_annotation {
            return Err(annotation_error("yield expression", self.span()));
        }
        let start = self.bump();
        if self.eat(&Tok::From) {
            let e = self.test()?;
            return Ok(Expr { span: start.to(e.span), kind: ExprKind::YieldFrom(Box::new(e)) });
        }
        if matches!(self.peek(), Tok::Newline | Tok::Eof)
            || self.is_op(Op::RParen)
            || self.is_op(Op::Assign)
            || self.is_op(Op::Semi)
            || self.is_op(Op::RBracket)
            || self.is_op(Op::RBrace)
        {
            return Ok(Expr { span: start, kind: ExprKind::Yield(None) });
        }
        let e = self.star_exprs()?;
        Ok(Expr { span: start.to(e.span), kind: ExprKind::Yield(Some(Box::new(e))) })
    }

    /// `test`: lambda, conditional expression, or an `or` expression.
    #[inline]
    pub(super) fn test(&mut self) -> PResult<Expr> {
        if let Some(leaf) = self.lone_leaf() {
            return leaf;
        }
        self.enter()?;
        let r = self.test_inner();
        self.leave();
        r
    }

    /// `test` past its lone-leaf check (so the first operand goes straight to `infix_rest`).
    pub(super) fn test_inner(&mut self) -> PResult<Expr> {
        if matches!(self.peek(), Tok::Lambda) {
            return self.lambda(true);
        }
        let body = self.infix_rest(level::OR)?;
        if matches!(self.peek(), Tok::If) {
            self.bump();
            let cond = self.or_test()?;
            if let Some(e) = self.assign_in_condition() {
                return Err(e);
            }
            if !self.eat(&Tok::Else) {
                let mut e = self.unexpected();
                e.msg = "expected 'else' after 'if' expression".into();
                return Err(e);
            }
            let orelse = self.test()?;
            return Ok(Expr {
                span: body.span.to(orelse.span),
                kind: ExprKind::IfExp(Box::new(cond), Box::new(body), Box::new(orelse)),
            });
        }
        Ok(body)
    }

    /// A test without an unparenthesised conditional (used in comprehension `if`s).
    pub(super) fn test_nocond(&mut self) -> PResult<Expr> {
        if matches!(self.peek(), Tok::Lambda) {
            return self.lambda(false);
        }
        self.or_test()
    }

    pub(super) fn lambda(&mut self, allow_cond: bool) -> PResult<Expr> {
        let start = self.bump();
        let params = self.params(Op::Colon)?;
        self.expect_op(Op::Colon)?;
        let body = if allow_cond { self.test()? } else { self.test_nocond()? };
        let span = start.to(body.span);
        let ret = Stmt { span: body.span, kind: StmtKind::Return(Some(body)) };
        let f = FuncDef {
            name: Symbol::intern("<lambda>"),
            params,
            body: vec![ret],
            decorators: Vec::new(),
            is_async: false,
            is_lambda: true,
            span,
        };
        Ok(Expr { span, kind: ExprKind::Lambda(Rc::new(f)) })
    }

    /// `or_test`: everything from `or` down to the arithmetic operators.
    #[inline]
    pub(super) fn or_test(&mut self) -> PResult<Expr> {
        self.infix(level::OR)
    }

    /// `bitor_expr`: the binary operators only (no comparisons, `not`, `and`, `or`).
    #[inline]
    pub(super) fn bitor_expr(&mut self) -> PResult<Expr> {
        self.infix(level::BITOR)
    }

    /// Precedence climbing over every infix level at once, from `or` (loosest) to `* / // % @`
    /// (tightest): one function instead of one per level keeps the call chain from a statement
    /// to an atom short. `not` is the one prefix operator between the levels; comparisons gather
    /// into one chained `Compare` node; every other operator is left-associative.
    pub(super) fn infix(&mut self, min: u8) -> PResult<Expr> {
        if let Some(leaf) = self.lone_leaf() {
            return leaf;
        }
        self.infix_rest(min)
    }

    /// `infix` when the current token is known not to be a lone leaf.
    fn infix_rest(&mut self, min: u8) -> PResult<Expr> {
        let mut left = if min <= level::NOT && matches!(self.peek(), Tok::Not) {
            let start = self.bump();
            self.enter()?;
            let e = self.infix(level::NOT)?;
            self.leave();
            Expr { span: start.to(e.span), kind: ExprKind::Unary(UnaryOp::Not, Box::new(e)) }
        } else {
            self.factor()?
        };
        let mut n = 0;
        loop {
            let (lvl, op) = match infix_of(self.peek(), self.peek_next()) {
                Some(found) if found.0 >= min => found,
                _ => break,
            };
            left = match op {
                Infix::Compare(_) => {
                    // Most comparisons are not chained.
                    let mut rest = Vec::with_capacity(1);
                    while let Some((_, Infix::Compare(op))) = infix_of(self.peek(), self.peek_next()) {
                        // `not in` and `is not` are two tokens.
                        if matches!(op, CmpOp::NotIn | CmpOp::IsNot) {
                            self.bump();
                        }
                        self.bump();
                        let right = self.infix(level::CMP + 1).inspect_err(|_| self.unchain(n))?;
                        rest.push((op, right));
                    }
                    let span = left.span.to(rest.last().map(|r| r.1.span).unwrap_or(left.span));
                    Expr { span, kind: ExprKind::Compare(Box::new(left), rest.into_boxed_slice()) }
                }
                Infix::Bool(op) => {
                    self.bump();
                    self.chain(&mut n)?;
                    let right = self.infix(lvl + 1).inspect_err(|_| self.unchain(n))?;
                    Expr {
                        span: left.span.to(right.span),
                        kind: ExprKind::BoolOp(op, Box::new(left), Box::new(right)),
                    }
                }
                Infix::Binary(op) => {
                    self.bump();
                    self.chain(&mut n)?;
                    let right = self.infix(lvl + 1).inspect_err(|_| self.unchain(n))?;
                    Expr {
                        span: left.span.to(right.span),
                        kind: ExprKind::BinOp(op, Box::new(left), Box::new(right)),
                    }
                }
            };
        }
        self.unchain(n);
        Ok(left)
    }

    pub(super) fn factor(&mut self) -> PResult<Expr> {
        let op = match self.peek() {
            Tok::Op(Op::Minus) => UnaryOp::Neg,
            Tok::Op(Op::Plus) => UnaryOp::Pos,
            Tok::Op(Op::Tilde) => UnaryOp::Invert,
            _ => return self.power(),
        };
        let start = self.bump();
        self.enter()?;
        let e = self.factor()?;
        self.leave();
        // Fold a minus sign into a numeric literal (so `-9223372036854775808` stays small).
        if op == UnaryOp::Neg {
            match &e.kind {
                ExprKind::Int(v)
                    if *v != 0
                        && v.checked_neg().is_some()
                        && self
                            .src
                            .get(e.span.range())
                            .is_some_and(|s| !s.starts_with('(') && !s.starts_with('-')) =>
                {
                    return Ok(Expr { span: start.to(e.span), kind: ExprKind::Int(-v) })
                }
                _ => {}
            }
        }
        Ok(Expr { span: start.to(e.span), kind: ExprKind::Unary(op, Box::new(e)) })
    }

    #[inline]
    pub(super) fn power(&mut self) -> PResult<Expr> {
        let base = self.await_expr()?;
        if self.eat_op(Op::DoubleStar) {
            self.enter()?;
            let exp = self.factor()?;
            self.leave();
            return Ok(Expr {
                span: base.span.to(exp.span),
                kind: ExprKind::BinOp(BinOp::Pow, Box::new(base), Box::new(exp)),
            });
        }
        Ok(base)
    }

    #[inline]
    pub(super) fn await_expr(&mut self) -> PResult<Expr> {
        if matches!(self.peek(), Tok::Await) {
            if self.in_annotation {
                return Err(annotation_error("await expression", self.span()));
            }
            let start = self.bump();
            self.enter()?;
            let e = self.primary()?;
            self.leave();
            return Ok(Expr { span: start.to(e.span), kind: ExprKind::Await(Box::new(e)) });
        }
        self.primary()
    }

    pub(super) fn primary(&mut self) -> PResult<Expr> {
        let mut e = self.atom()?;
        let mut n = 0;
        let r = self.trailers(&mut e, &mut n);
        self.unchain(n);
        r?;
        Ok(e)
    }

    /// Attribute, call and subscript trailers of a primary, each one a link of a chain.
    pub(super) fn trailers(&mut self, e: &mut Expr, n: &mut usize) -> PResult<()> {
        loop {
            if !(self.is_op(Op::Dot) || self.is_op(Op::LParen) || self.is_op(Op::LBracket)) {
                return Ok(());
            }
            self.chain(n)?;
            let inner = Box::new(std::mem::replace(e, Expr { kind: ExprKind::None, span: Span::default() }));
            let start = inner.span;
            *e = if self.eat_op(Op::Dot) {
                let (name, sp) = self.expect_name()?;
                Expr { span: start.to(sp), kind: ExprKind::Attribute(inner, name) }
            } else if self.eat_op(Op::LParen) {
                let args = self.call_args()?;
                let end = self.expect_op(Op::RParen)?;
                Expr { span: start.to(end), kind: ExprKind::Call(inner, args) }
            } else {
                self.bump();
                let idx = self.subscript_list()?;
                let end = self.expect_op(Op::RBracket)?;
                Expr { span: start.to(end), kind: ExprKind::Subscript(inner, Box::new(idx)) }
            };
        }
    }

    pub(super) fn call_args(&mut self) -> PResult<Box<[Arg]>> {
        // Collected in a recycled buffer, returned in a vector of exactly their number.
        let mut args = self.arg_buffers.pop().unwrap_or_default();
        let mut seen_kw = false;
        let mut seen_double_star = false;
        while !self.is_op(Op::RParen) {
            if self.eat_op(Op::DoubleStar) {
                args.push(Arg::DoubleStar(self.test()?));
                seen_kw = true;
                seen_double_star = true;
            } else if self.is_op(Op::Star) {
                let sp = self.bump();
                if seen_double_star {
                    return Err(SyntaxError::new(
                        "iterable argument unpacking follows keyword argument unpacking",
                        sp,
                    ));
                }
                args.push(Arg::Star(self.test()?));
            } else if let (Tok::Name(n), Tok::Op(Op::Assign)) = (*self.peek(), *self.peek_next()) {
                let sp = self.bump();
                self.bump();
                if args.iter().any(|a| matches!(a, Arg::Kw(m, _, _) if *m == n)) {
                    return Err(SyntaxError::new(format!("keyword argument repeated: {}", n), sp)
                        .with_label("this keyword was already given"));
                }
                args.push(Arg::Kw(n, self.test()?, sp));
                seen_kw = true;
            } else {
                // An unparenthesised `yield` is not an argument: `f((yield))`.
                let e = self.named_test()?;
                if self.is_op(Op::Assign) {
                    return Err(SyntaxError::new(
                        "expression cannot contain assignment, perhaps you meant \"==\"?",
                        e.span.to(self.span()),
                    ));
                }
                if self.at_comp_for() {
                    let gens = self.comp_for()?;
                    let span = e.span.to(self.prev_span());
                    if !args.is_empty() || !self.is_op(Op::RParen) {
                        return Err(SyntaxError::new("Generator expression must be parenthesized", span)
                            .with_help("put the generator expression in its own parentheses"));
                    }
                    args.push(Arg::Pos(Expr {
                        span,
                        kind: ExprKind::GenExp(Box::new(e), gens.into_boxed_slice()),
                    }));
                    continue;
                }
                if seen_kw {
                    return Err(SyntaxError::new("positional argument follows keyword argument", e.span)
                        .with_help("put positional arguments before keyword arguments"));
                }
                args.push(Arg::Pos(e));
            }
            if !self.eat_op(Op::Comma) {
                break;
            }
        }
        let exact = args.split_off(0).into_boxed_slice();
        self.arg_buffers.push(args);
        Ok(exact)
    }

    pub(super) fn subscript_list(&mut self) -> PResult<Expr> {
        let first = self.subscript_item()?;
        if !self.is_op(Op::Comma) {
            return Ok(first);
        }
        let start = first.span;
        let items = self.comma_list(first, |p| p.is_op(Op::RBracket), Self::subscript_item)?;
        Ok(Expr { kind: ExprKind::Tuple(items), span: start.to(self.prev_span()) })
    }

    pub(super) fn subscript_item(&mut self) -> PResult<Expr> {
        let start = self.span();
        if self.is_op(Op::Star) {
            return Err(SyntaxError::unsupported("starred expressions in subscripts (`a[*b]`) are", start)
                .with_help("make the tuple explicit: `a[(*b,)]` or `a[(x, *b)]`"));
        }
        let lower = if self.is_op(Op::Colon) { None } else { Some(Box::new(self.named_test()?)) };
        if !self.is_op(Op::Colon) {
            // Only reachable with `lower` set: an empty item starts with ':'.
            return lower.map(|b| *b).ok_or_else(|| self.unexpected());
        }
        self.bump();
        let upper = if self.is_op(Op::Colon) || self.is_op(Op::RBracket) || self.is_op(Op::Comma) {
            None
        } else {
            Some(Box::new(self.test()?))
        };
        let step = if self.eat_op(Op::Colon) {
            if self.is_op(Op::RBracket) || self.is_op(Op::Comma) {
                None
            } else {
                Some(Box::new(self.test()?))
            }
        } else {
            None
        };
        Ok(Expr { kind: ExprKind::Slice(lower, upper, step), span: start.to(self.prev_span()) })
    }

    /// `for` or `async for` starts a comprehension's clauses here.
    fn at_comp_for(&self) -> bool {
        matches!(self.peek(), Tok::For) || matches!((self.peek(), self.peek_next()), (Tok::Async, Tok::For))
    }

    pub(super) fn comp_for(&mut self) -> PResult<Vec<Comprehension>> {
        let mut gens = Vec::new();
        while self.at_comp_for() {
            let is_async = self.eat(&Tok::Async);
            self.bump();
            let target = self.for_target()?;
            let iter = self.or_test()?;
            let mut ifs = Vec::new();
            while matches!(self.peek(), Tok::If) {
                self.bump();
                ifs.push(self.test_nocond()?);
                if let Some(e) = self.assign_in_condition() {
                    return Err(e);
                }
            }
            gens.push(Comprehension { target, iter, ifs: exact(ifs), is_async });
        }
        if let Some(e) = self.unsupported_here() {
            return Err(e);
        }
        Ok(gens)
    }

    /// A name, small constant or string that is a whole expression by itself — the next token closes
    /// it (`,` `)` `]` `}` `:` `=` `;` or the end of the line) — taken without the descent
    /// through every precedence level, which would find the same. Most operands are like this:
    /// `f(a, b)`, `x = 0`, `return item`.
    #[inline(always)]
    fn lone_leaf(&mut self) -> Option<PResult<Expr>> {
        let ends = match self.peek_next() {
            Tok::Op(op) => matches!(
                op,
                Op::Comma | Op::RParen | Op::RBracket | Op::RBrace | Op::Colon | Op::Assign | Op::Semi
            ),
            Tok::Newline => true,
            _ => false,
        };
        if !ends {
            return None;
        }
        if let Tok::Str(_) | Tok::FStr(_) = self.peek() {
            return Some(self.strings());
        }
        let kind = self.leaf_kind()?;
        let span = self.bump();
        Some(Ok(Expr { kind, span }))
    }

    /// The node for a name or a one-token constant at the current token (not consumed).
    #[inline(always)]
    fn leaf_kind(&self) -> Option<ExprKind> {
        let text = || &self.src[self.span().range()];
        Some(match self.peek() {
            Tok::Name(n) => ExprKind::Name(*n),
            Tok::Int => ExprKind::Int(lexer::int_value(text())),
            Tok::BigInt => ExprKind::BigInt(Rc::new(lexer::big_int(text()))),
            Tok::Float => ExprKind::Float(lexer::float_value(text())),
            Tok::True => ExprKind::True,
            Tok::False => ExprKind::False,
            Tok::None => ExprKind::None,
            Tok::Op(Op::Ellipsis) => ExprKind::Ellipsis,
            _ => return None,
        })
    }

    pub(super) fn atom(&mut self) -> PResult<Expr> {
        if let Some(kind) = self.leaf_kind() {
            let span = self.bump();
            return Ok(Expr { kind, span });
        }
        let span = self.span();
        match self.peek() {
            Tok::Str(_) | Tok::FStr(_) => self.strings(),
            Tok::Op(Op::LParen) => {
                self.bump();
                self.paren(span)
            }
            Tok::Op(Op::LBracket) => {
                self.bump();
                self.list_display(span)
            }
            Tok::Op(Op::LBrace) => {
                self.bump();
                self.brace_display(span)
            }
            _ => Err(self.unexpected()),
        }
    }

    pub(super) fn paren(&mut self, start: Span) -> PResult<Expr> {
        if self.is_op(Op::RParen) {
            let end = self.bump();
            return Ok(Expr { kind: ExprKind::Tuple(Vec::new()), span: start.to(end) });
        }
        if matches!(self.peek(), Tok::Yield) {
            let y = self.yield_expr()?;
            self.expect_op(Op::RParen)?;
            return Ok(y);
        }
        let first = self.star_or(Self::named_test)?;
        if self.at_comp_for() {
            no_starred_comp(&first)?;
            let gens = self.comp_for()?;
            let end = self.expect_op(Op::RParen)?;
            return Ok(Expr {
                span: start.to(end),
                kind: ExprKind::GenExp(Box::new(first), gens.into_boxed_slice()),
            });
        }
        if !self.is_op(Op::Comma) {
            self.expect_op(Op::RParen)?;
            if let ExprKind::Starred(_) = first.kind {
                return Err(SyntaxError::new("cannot use starred expression here", first.span));
            }
            return Ok(first);
        }
        let items = self.items_until(first, Op::RParen)?;
        let end = self.expect_op(Op::RParen)?;
        Ok(Expr { kind: ExprKind::Tuple(items), span: start.to(end) })
    }

    /// The items of a display after its first: `, item` up to `close` (not consumed), a trailing
    /// comma allowed.
    fn items_until(&mut self, first: Expr, close: Op) -> PResult<Vec<Expr>> {
        self.comma_list(first, |p| p.is_op(close), |p| p.star_or(Self::named_test))
    }

    /// `first`, then `, item` for as long as a comma is followed by something other than what
    /// `ends` recognises (a trailing comma is allowed): the items gather on the `exprs` scratch
    /// stack and leave it as a vector of exactly their number.
    pub(super) fn comma_list(
        &mut self,
        first: Expr,
        ends: impl Fn(&Self) -> bool,
        item: impl Fn(&mut Self) -> PResult<Expr>,
    ) -> PResult<Vec<Expr>> {
        let mark = self.exprs.len();
        self.exprs.push(first);
        while self.eat_op(Op::Comma) {
            if ends(self) {
                break;
            }
            let next = item(self)?;
            self.exprs.push(next);
        }
        Ok(self.take_exprs(mark))
    }

    pub(super) fn list_display(&mut self, start: Span) -> PResult<Expr> {
        let mut items = Vec::new();
        if !self.is_op(Op::RBracket) {
            let first = self.star_or(Self::named_test)?;
            if self.at_comp_for() {
                no_starred_comp(&first)?;
                let gens = self.comp_for()?;
                let end = self.expect_op(Op::RBracket)?;
                return Ok(Expr {
                    span: start.to(end),
                    kind: ExprKind::ListComp(Box::new(first), gens.into_boxed_slice()),
                });
            }
            items = self.items_until(first, Op::RBracket)?;
        }
        let end = self.expect_op(Op::RBracket)?;
        Ok(Expr { kind: ExprKind::List(items), span: start.to(end) })
    }

    /// The items of a dict display after its first: `k: v` or `**m`, to the closing brace.
    fn dict_rest(&mut self, start: Span, first: (Option<Expr>, Expr)) -> PResult<Expr> {
        let mut pairs = vec![first];
        while self.eat_op(Op::Comma) {
            if self.is_op(Op::RBrace) {
                break;
            }
            if self.eat_op(Op::DoubleStar) {
                pairs.push((None, self.bitor_expr()?));
                continue;
            }
            let k = self.test()?;
            self.expect_op(Op::Colon)?;
            let v = self.test()?;
            pairs.push((Some(k), v));
        }
        let end = self.expect_op(Op::RBrace)?;
        Ok(Expr { kind: ExprKind::Dict(exact(pairs)), span: start.to(end) })
    }

    pub(super) fn brace_display(&mut self, start: Span) -> PResult<Expr> {
        if self.is_op(Op::RBrace) {
            let end = self.bump();
            return Ok(Expr { kind: ExprKind::Dict(Vec::new()), span: start.to(end) });
        }
        if self.eat_op(Op::DoubleStar) {
            let m = self.bitor_expr()?;
            return self.dict_rest(start, (None, m));
        }
        let first = self.star_or(Self::named_test)?;
        if self.eat_op(Op::Colon) {
            if let ExprKind::Starred(_) = first.kind {
                return Err(SyntaxError::new(
                    "cannot use a starred expression in a dictionary key",
                    first.span,
                ));
            }
            let v = self.test()?;
            if self.at_comp_for() {
                let gens = self.comp_for()?;
                let end = self.expect_op(Op::RBrace)?;
                return Ok(Expr {
                    span: start.to(end),
                    kind: ExprKind::DictComp(Box::new((first, v)), gens.into_boxed_slice()),
                });
            }
            return self.dict_rest(start, (Some(first), v));
        }
        if self.at_comp_for() {
            no_starred_comp(&first)?;
            let gens = self.comp_for()?;
            let end = self.expect_op(Op::RBrace)?;
            return Ok(Expr {
                span: start.to(end),
                kind: ExprKind::SetComp(Box::new(first), gens.into_boxed_slice()),
            });
        }
        let items = self.items_until(first, Op::RBrace)?;
        let end = self.expect_op(Op::RBrace)?;
        Ok(Expr { kind: ExprKind::Set(items), span: start.to(end) })
    }

    /// Adjacent string literals, concatenated; f-strings among them make an f-string.
    pub(super) fn strings(&mut self) -> PResult<Expr> {
        let start = self.span();
        // The common case, one plain string: decoded straight into the shared string.
        if let Tok::Str(lit) = *self.peek() {
            if !matches!(self.peek_next(), Tok::Str(_) | Tok::FStr(_)) {
                let body = lit.body(self.bump());
                let s = self.decode(body, lit.raw)?;
                return Ok(Expr { kind: ExprKind::Str(Rc::from(s.as_ref())), span: start });
            }
        }
        let mut parts: Vec<FPart> = Vec::new();
        let mut is_f = false;
        loop {
            match *self.peek() {
                Tok::Str(lit) => {
                    let body = lit.body(self.bump());
                    let s = self.decode(body, lit.raw)?;
                    push_lit(&mut parts, s.into_owned());
                }
                Tok::FStr(lit) => {
                    let body = lit.body(self.bump());
                    is_f = true;
                    self.enter()?;
                    let fparts = self.fstring_parts(body, lit.raw, 0)?;
                    self.leave();
                    for p in fparts {
                        match p {
                            FPart::Lit(s) => push_lit(&mut parts, s),
                            other => parts.push(other),
                        }
                    }
                }
                _ => break,
            }
        }
        let span = start.to(self.prev_span());
        if !is_f {
            let s = match parts.pop() {
                Some(FPart::Lit(s)) => s,
                _ => String::new(),
            };
            return Ok(Expr { kind: ExprKind::Str(Rc::from(s)), span });
        }
        Ok(Expr { kind: ExprKind::FString(exact(parts)), span })
    }

    /// The text of a string literal's body with its escapes decoded.
    fn decode(&self, body: Span, raw: bool) -> PResult<std::borrow::Cow<'s, str>> {
        let text = &self.src[body.range()];
        if !text.contains(['\\', '\r']) {
            return Ok(std::borrow::Cow::Borrowed(text));
        }
        Ok(std::borrow::Cow::Owned(lexer::decode_escapes(text, raw, body.start as usize)?))
    }

    /// Splits the body of an f-string (or of a format spec inside one) into literal text and
    /// replacement fields, parsing each field's expression.
    pub(super) fn fstring_parts(&mut self, body: Span, raw: bool, level: u8) -> PResult<Vec<FPart>> {
        let src = self.src;
        let text = &src[body.range()];
        let base = body.start as usize;
        let bytes = text.as_bytes();
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut lit_start = 0;
        let mut i = 0;
        let flush = |lit_text: &str, at: usize, parts: &mut Vec<FPart>| -> PResult<()> {
            if !lit_text.is_empty() {
                let s =
                    if level == 0 { lexer::decode_escapes(lit_text, raw, at)? } else { lit_text.to_string() };
                push_lit(parts, s);
            }
            Ok(())
        };
        while i < bytes.len() {
            let c = bytes[i];
            if c == b'{' && bytes.get(i + 1) == Some(&b'{') && level == 0 {
                lit.push_str(&text[lit_start..i + 1]);
                i += 2;
                lit_start = i;
                continue;
            }
            if c == b'}' {
                if bytes.get(i + 1) == Some(&b'}') && level == 0 {
                    lit.push_str(&text[lit_start..i + 1]);
                    i += 2;
                    lit_start = i;
                    continue;
                }
                return Err(SyntaxError::new(
                    "f-string: single '}' is not allowed",
                    Span::new(base + i, base + i + 1),
                )
                .with_help("write `}}` for a literal brace"));
            }
            if c == b'\\' && !raw {
                i += 2;
                continue;
            }
            if c != b'{' {
                i += 1;
                continue;
            }
            lit.push_str(&text[lit_start..i]);
            flush(&lit, base + lit_start, &mut parts)?;
            lit.clear();
            // Find the end of the expression: a top-level '!', ':' or '}'.
            let open = i;
            let expr_start = i + 1;
            let mut j = expr_start;
            let mut depth = 0i32;
            let mut quote: Option<u8> = None;
            while j < bytes.len() {
                let b = bytes[j];
                if b == b'\\' {
                    return Err(SyntaxError::new(
                        "f-string expression part cannot include a backslash",
                        Span::new(base + j, base + j + 1),
                    ));
                }
                if let Some(q) = quote {
                    if b == q {
                        quote = None;
                    }
                    j += 1;
                    continue;
                }
                match b {
                    b'\'' | b'"' => quote = Some(b),
                    b'#' => {
                        return Err(SyntaxError::new(
                            "f-string expression part cannot include '#'",
                            Span::new(base + j, base + j + 1),
                        ))
                    }
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' => depth -= 1,
                    b'}' if depth > 0 => depth -= 1,
                    b'}' => break,
                    b'!' if depth == 0 && bytes.get(j + 1) != Some(&b'=') => break,
                    b':' if depth == 0 => break,
                    _ => {}
                }
                j += 1;
            }
            if j >= bytes.len() {
                return Err(SyntaxError::new(
                    "f-string: expecting '}'",
                    Span::new(base + open, base + open + 1),
                )
                .with_label("this '{' is never closed"));
            }
            let expr_span = Span::new(base + expr_start, base + j);
            if src[expr_span.range()].trim().is_empty() {
                return Err(SyntaxError::new(
                    "f-string: empty expression not allowed",
                    Span::new(base + open, base + j + 1),
                ));
            }
            // `{x=}` (self-documenting): the text up to the field's end, then the value, its
            // repr unless a conversion or a format spec says otherwise.
            let field = &text[expr_start..j];
            let documenting = self_documenting(field);
            let expr_span = match documenting {
                Some(eq) => Span::new(base + expr_start, base + expr_start + eq),
                None => expr_span,
            };
            if documenting.is_some() {
                push_lit(&mut parts, field.to_string());
            }
            let expr = self.sub_expression(expr_span)?;
            let mut conv = None;
            if bytes[j] == b'!' {
                let cv = bytes.get(j + 1).copied().unwrap_or(b' ');
                if !matches!(cv, b'r' | b's' | b'a') {
                    return Err(SyntaxError::new(
                        "f-string: invalid conversion character: expected 's', 'r', or 'a'",
                        Span::new(base + j, base + j + 2),
                    ));
                }
                conv = Some(cv as char);
                j += 2;
            }
            let mut spec = Vec::new();
            let has_spec = j < bytes.len() && bytes[j] == b':';
            if has_spec {
                let spec_start = j + 1;
                let mut k = spec_start;
                let mut d = 0;
                while k < bytes.len() {
                    match bytes[k] {
                        b'{' => d += 1,
                        b'}' if d == 0 => break,
                        b'}' => d -= 1,
                        _ => {}
                    }
                    k += 1;
                }
                if level >= 1 && text[spec_start..k].contains('{') {
                    return Err(SyntaxError::new(
                        "f-string: expressions nested too deeply",
                        Span::new(base + spec_start, base + k),
                    ));
                }
                spec = exact(self.fstring_parts(Span::new(base + spec_start, base + k), raw, level + 1)?);
                j = k;
            }
            if j >= bytes.len() || bytes[j] != b'}' {
                return Err(SyntaxError::new(
                    "f-string: expecting '}'",
                    Span::new(base + open, base + open + 1),
                ));
            }
            // (An empty spec, `{x=:}`, still means format() rather than repr, as in CPython.)
            if documenting.is_some() && conv.is_none() && !has_spec {
                conv = Some('r');
            }
            parts.push(FPart::Expr { expr: Box::new(expr), conv, spec });
            i = j + 1;
            lit_start = i;
        }
        lit.push_str(&text[lit_start..]);
        flush(&lit, base + lit_start, &mut parts)?;
        Ok(parts)
    }

    /// Parses the expression inside an f-string field, with spans in the file's coordinates.
    pub(super) fn sub_expression(&mut self, span: Span) -> PResult<Expr> {
        let text = &self.src[span.range()];
        // The commonest field, a plain name (`{k}`, `{ k }`): the same node the general path
        // below would build, without lexing a parenthesised copy of the field.
        let word = text.trim_matches(' ');
        let mut bytes = word.bytes();
        if bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !lexer::is_keyword(word)
        {
            let start = span.start as usize + (text.len() - text.trim_start_matches(' ').len());
            return Ok(Expr {
                kind: ExprKind::Name(Symbol::intern(word)),
                span: Span::new(start, start + word.len()),
            });
        }
        let mut toks = lexer::lex(&format!("({})", text)).map_err(|mut e| {
            e.span = shift(e.span, span.start as i64 - 1, span);
            e.eof = false;
            e
        })?;
        // String tokens find their text through their span, so shifting the span is enough.
        for t in &mut toks {
            t.span = shift(t.span, span.start as i64 - 1, span);
        }
        let end = Span::new(span.end as usize, span.end as usize);
        let r = self.with_feed(Feed::Tokens(toks.into_iter(), end), |p| {
            let e = p.test()?;
            let _ = p.eat(&Tok::Newline);
            if !matches!(p.peek(), Tok::Eof) {
                let mut e = p.unexpected();
                e.eof = false;
                return Err(e);
            }
            Ok(e)
        });
        let e = r?;
        // The parenthesised expression's own span covers the parens; narrow it back.
        Ok(e)
    }
}
