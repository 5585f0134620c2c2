//! Statements: control flow as jumps and try blocks, assignment targets, `with`, `try`.

use super::*;

impl<'a> Compiler<'a> {
    pub(super) fn stmts(&mut self, body: &[Stmt]) -> CResult<()> {
        for s in body {
            self.stmt(s)?;
        }
        Ok(())
    }

    /// `@d1 @d2 def f` / `class C`: applies the decorators innermost first, then binds the name.
    fn decorate_and_bind(
        &mut self,
        mut v: Expr,
        decorators: &[ast::Expr],
        name: Symbol,
        span: Span,
    ) -> CResult<()> {
        for d in decorators.iter().rev() {
            let dv = self.expr(d)?;
            v = call_expr(dv, vec![v], d.span);
        }
        self.cur_span = span;
        let t = self.name_target(name);
        self.emit(Op::Assign(t, v));
        Ok(())
    }

    pub(super) fn stmt(&mut self, s: &Stmt) -> CResult<()> {
        self.cur_span = s.span;
        match &s.kind {
            StmtKind::Expr(e) => {
                match &e.kind {
                    ExprKind::Yield(v) => {
                        let value = v.as_ref().map(|v| self.expr(v)).transpose()?;
                        self.cur_span = s.span;
                        self.emit(Op::Yield { value, result: None });
                    }
                    ExprKind::YieldFrom(x) | ExprKind::Await(x) => {
                        let is_await = matches!(e.kind, ExprKind::Await(_));
                        self.delegate(x, is_await, None, e.span)?;
                    }
                    _ => {
                        let v = self.expr(e)?;
                        self.emit(Op::Expr(v));
                    }
                }
                Ok(())
            }
            StmtKind::Assign(targets, value) => {
                if targets.iter().any(contains_suspend) {
                    return Err(SyntaxError::unsupported(
                        "'yield' or 'await' inside an assignment target is",
                        s.span,
                    )
                    .with_help("compute the value first into a variable"));
                }
                let v = self.expr(value)?;
                self.cur_span = s.span;
                if targets.len() == 1 {
                    let t = self.target(&targets[0])?;
                    self.emit(Op::Assign(t, v));
                } else {
                    let tmp = self.temp();
                    self.emit(Op::Assign(Target::Local(tmp), v));
                    for t in targets {
                        let tt = self.target(t)?;
                        self.emit(Op::Assign(tt, Expr { kind: E::Local(tmp), span: value.span }));
                    }
                }
                Ok(())
            }
            StmtKind::AugAssign(t, op, v) => {
                if contains_suspend(t) {
                    return Err(SyntaxError::unsupported(
                        "'yield' or 'await' inside an assignment target is",
                        t.span,
                    ));
                }
                let v = self.expr(v)?;
                self.cur_span = s.span;
                let tt = self.target(t)?;
                self.emit(Op::AugAssign(tt, *op, v));
                Ok(())
            }
            StmtKind::If(c) => {
                let Conditional { test, body, orelse } = &**c;
                let t = self.expr(test)?;
                let j = self.emit(Op::JumpIfFalse(t, 0));
                self.stmts(body)?;
                if orelse.is_empty() {
                    let h = self.here();
                    self.patch(j, h);
                } else {
                    let j2 = self.emit(Op::Jump(0));
                    let h = self.here();
                    self.patch(j, h);
                    self.stmts(orelse)?;
                    let h = self.here();
                    self.patch(j2, h);
                }
                Ok(())
            }
            StmtKind::While(c) => {
                let Conditional { test, body, orelse } = &**c;
                let top = self.here();
                let t = self.expr(test)?;
                self.cur_span = s.span;
                let j = self.emit(Op::JumpIfFalse(t, 0));
                self.loop_rest(top, j, body, orelse, s.span)
            }
            StmtKind::For(l) => {
                let ForLoop { target, iter, body, orelse } = &**l;
                let it = self.expr(iter)?;
                self.cur_span = s.span;
                let slot = self.temp();
                self.emit(Op::GetIter(it, slot));
                let top = self.here();
                let t = self.target(target)?;
                let fi = self.emit(Op::ForIter { iter: slot, target: t, exit: 0 });
                self.loop_rest(top, fi, body, orelse, s.span)
            }
            StmtKind::Break | StmtKind::Continue => {
                let is_break = matches!(s.kind, StmtKind::Break);
                let depth = self.depth;
                let Some(lp) = self.loops.last() else {
                    // The resolver rejects break/continue outside loops.
                    return Err(SyntaxError::new("'break' outside loop", s.span));
                };
                let (ldepth, cont) = (lp.depth, lp.continue_target);
                let target = if is_break { 0 } else { cont };
                let at = if depth > ldepth {
                    self.emit(Op::Unwind { target, depth: ldepth })
                } else {
                    self.emit(Op::Jump(target))
                };
                if is_break {
                    if let Some(lp) = self.loops.last_mut() {
                        lp.breaks.push(at);
                    }
                }
                Ok(())
            }
            StmtKind::Pass | StmtKind::Global(_) | StmtKind::Nonlocal(_) => Ok(()),
            StmtKind::FunctionDef(f) => {
                let v = self.make_function(f)?;
                self.decorate_and_bind(v, &f.decorators, f.name, s.span)
            }
            StmtKind::ClassDef(c) => {
                let v = self.make_class(c)?;
                self.decorate_and_bind(v, &c.decorators, c.name, s.span)
            }
            StmtKind::Return(v) => {
                let v = v.as_ref().map(|v| self.expr(v)).transpose()?;
                self.cur_span = s.span;
                self.emit(Op::Return(v));
                Ok(())
            }
            StmtKind::Try(t) => self.try_stmt(&t.body, &t.handlers, &t.orelse, &t.finalbody),
            StmtKind::Raise(e, cause) => {
                let e = e.as_ref().map(|e| self.expr(e)).transpose()?;
                let c = cause.as_ref().map(|c| self.expr(c)).transpose()?;
                self.cur_span = s.span;
                self.emit(Op::Raise(e, c));
                Ok(())
            }
            StmtKind::Delete(targets) => {
                for t in targets {
                    let tt = self.target(t)?;
                    self.emit(Op::Delete(tt));
                }
                Ok(())
            }
            StmtKind::Assert(t, m) => {
                let t = self.expr(t)?;
                let m = m.as_ref().map(|m| self.expr(m)).transpose()?;
                self.cur_span = s.span;
                self.emit(Op::Assert(t, m));
                Ok(())
            }
            StmtKind::Import(names) => {
                for a in names {
                    let path: Vec<&str> = a.path.iter().map(|p| p.as_str()).collect();
                    let full = path.join(".");
                    let (bind, whole) = match a.asname {
                        Some(n) => (n, true),
                        None => (a.path[0], false),
                    };
                    let t = self.name_target(bind);
                    self.emit(Op::Assign(
                        t,
                        Expr { kind: E::Import(Rc::from(full.as_str()), whole), span: a.span },
                    ));
                }
                Ok(())
            }
            StmtKind::ImportFrom(module, names) => {
                let path: Vec<&str> = module.iter().map(|p| p.as_str()).collect();
                let m: Rc<str> = Rc::from(path.join(".").as_str());
                for a in names {
                    let t = self.name_target(a.asname.unwrap_or(a.path[0]));
                    self.emit(Op::Assign(
                        t,
                        Expr { kind: E::ImportFrom(m.clone(), a.path[0]), span: a.span },
                    ));
                }
                Ok(())
            }
            StmtKind::With(items, body) => self.with_stmt(items, body, s.span),
        }
    }

    /// The body, back edge and `else` of a loop whose exit test is the op at `exit`.
    pub(super) fn loop_rest(
        &mut self,
        top: u32,
        exit: usize,
        body: &[Stmt],
        orelse: &[Stmt],
        span: Span,
    ) -> CResult<()> {
        self.loops.push(LoopCtx { continue_target: top, breaks: Vec::new(), depth: self.depth });
        self.stmts(body)?;
        self.cur_span = span;
        self.emit(Op::Jump(top));
        let lp = self.loops.pop();
        let h = self.here();
        self.patch(exit, h);
        self.stmts(orelse)?;
        let end = self.here();
        for b in lp.map(|l| l.breaks).unwrap_or_default() {
            self.patch(b, end);
        }
        Ok(())
    }

    pub(super) fn with_stmt(&mut self, items: &[ast::WithItem], body: &[Stmt], span: Span) -> CResult<()> {
        let Some((first, rest)) = items.split_first() else { return self.stmts(body) };
        let ctx = self.expr(&first.ctx)?;
        self.cur_span = span;
        let slot = self.temp();
        self.emit(Op::Assign(Target::Local(slot), ctx));
        let enter = Expr {
            kind: E::Call(Box::new(Call {
                func: Expr { kind: E::Local(slot), span: first.ctx.span },
                method: Some(sym::ENTER),
                method_span: first.ctx.span,
                args: Vec::new(),
                kwargs: Vec::new(),
                has_star: false,
            })),
            span: first.ctx.span,
        };
        match &first.target {
            Some(t) => {
                let tt = self.target(t)?;
                self.emit(Op::Assign(tt, enter));
            }
            None => {
                self.emit(Op::Expr(enter));
            }
        }
        let setup = self.emit(Op::SetupFinally(0));
        self.depth += 1;
        if rest.is_empty() {
            self.stmts(body)?;
        } else {
            self.with_stmt(rest, body, span)?;
        }
        self.cur_span = span;
        self.emit(Op::PopBlock);
        self.emit(Op::EnterFinally);
        let h = self.here();
        self.patch(setup, h);
        self.emit(Op::WithExit(slot));
        self.emit(Op::EndFinally);
        self.depth -= 1;
        Ok(())
    }

    pub(super) fn try_stmt(
        &mut self,
        body: &[Stmt],
        handlers: &[ast::Handler],
        orelse: &[Stmt],
        finalbody: &[Stmt],
    ) -> CResult<()> {
        let span = self.cur_span;
        let fin_setup = if finalbody.is_empty() {
            None
        } else {
            self.depth += 1;
            Some(self.emit(Op::SetupFinally(0)))
        };
        if handlers.is_empty() {
            self.stmts(body)?;
        } else {
            let setup = self.emit(Op::SetupExcept(0));
            self.depth += 1;
            self.stmts(body)?;
            self.cur_span = span;
            self.emit(Op::PopBlock);
            self.depth -= 1;
            self.stmts(orelse)?;
            let mut to_end = vec![self.emit(Op::Jump(0))];
            let h = self.here();
            self.patch(setup, h);
            self.depth += 1;
            for handler in handlers {
                self.cur_span = handler.span;
                let typ = handler.typ.as_ref().map(|t| self.expr(t)).transpose()?;
                let bind = handler.name.map(|(n, _)| self.name_target(n));
                let m = self.emit(Op::ExceptMatch { typ, bind, next: 0 });
                self.stmts(&handler.body)?;
                self.cur_span = handler.span;
                self.emit(Op::EndExcept);
                to_end.push(self.emit(Op::Jump(0)));
                let h = self.here();
                self.patch(m, h);
            }
            self.emit(Op::Reraise);
            self.depth -= 1;
            let end = self.here();
            for j in to_end {
                self.patch(j, end);
            }
        }
        if let Some(fs) = fin_setup {
            self.cur_span = span;
            self.emit(Op::PopBlock);
            self.emit(Op::EnterFinally);
            let h = self.here();
            self.patch(fs, h);
            self.stmts(finalbody)?;
            self.cur_span = span;
            self.emit(Op::EndFinally);
            self.depth -= 1;
        }
        Ok(())
    }

    /// `yield from x` / `await x`, its result going to `result`.
    pub(super) fn delegate(
        &mut self,
        x: &ast::Expr,
        is_await: bool,
        result: Option<Target>,
        span: Span,
    ) -> CResult<()> {
        let it = self.expr(x)?;
        let saved = std::mem::replace(&mut self.cur_span, span);
        let slot = self.temp();
        if is_await {
            self.emit(Op::GetAwaitable(it, slot));
        } else {
            self.emit(Op::GetYieldFromIter(it, slot));
        }
        self.emit(Op::YieldFrom { iter: slot, result });
        self.cur_span = saved;
        Ok(())
    }

    pub(super) fn target(&mut self, e: &ast::Expr) -> CResult<Target> {
        Ok(match &e.kind {
            ExprKind::Name(n) => self.name_target(*n),
            ExprKind::Attribute(o, n) => Target::Attr(self.expr(o)?, *n),
            ExprKind::Subscript(o, i) => Target::Index(self.expr(o)?, self.expr(i)?),
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let mut ts = Vec::new();
                let mut star = None;
                for (i, it) in items.iter().enumerate() {
                    if let ExprKind::Starred(inner) = &it.kind {
                        star = Some(i);
                        ts.push(self.target(inner)?);
                    } else {
                        ts.push(self.target(it)?);
                    }
                }
                Target::Unpack(ts, star)
            }
            _ => return Err(SyntaxError::new("cannot assign to expression", e.span)),
        })
    }
}
