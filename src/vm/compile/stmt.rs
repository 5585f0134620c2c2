//! Statements: control flow as jumps, `try` as protected regions with inlined `finally` bodies,
//! `with`, assignment targets.

use super::*;
use crate::ast::{Arg, StmtKind};

impl<'a> Compiler<'a> {
    /// A block. After an assignment statement of the block, the local names it assigns are
    /// certainly bound for the rest of the block (whatever leaves the block early, an
    /// exception, `break`, `return`, leaves those statements too); they are forgotten when
    /// the block ends.
    pub(super) fn stmts(&mut self, body: &'a [Stmt]) -> CResult<()> {
        let mut added: Vec<Symbol> = Vec::new();
        for s in body {
            self.stmt(s)?;
            match &s.kind {
                StmtKind::Assign(targets, _) => {
                    for t in targets.iter() {
                        self.note_bound(t, &mut added);
                    }
                }
                StmtKind::Annotated(a) if a.value.is_some() => self.note_bound(&a.target, &mut added),
                _ => {}
            }
        }
        for n in added {
            self.bound.remove(&n);
        }
        Ok(())
    }

    /// Adds the local names a completed assignment to `t` bound (never deleted ones) to
    /// `bound`, and to `added` those it did not hold.
    fn note_bound(&mut self, t: &ast::Expr, added: &mut Vec<Symbol>) {
        match &t.kind {
            ExprKind::Name(n) => {
                let sc = &self.res.scopes[self.scope];
                if sc.kind != Some(crate::resolver::ScopeKind::Module)
                    && matches!(sc.place(*n), Place::Local(_))
                    && !sc.deleted.contains(n)
                    && self.bound.insert(*n)
                {
                    added.push(*n);
                }
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items {
                    self.note_bound(i, added);
                }
            }
            ExprKind::Starred(inner) => self.note_bound(inner, added),
            _ => {}
        }
    }

    pub(super) fn stmt(&mut self, s: &'a Stmt) -> CResult<()> {
        self.cur_span = s.span;
        let mark = self.next_reg;
        // A statement counts a step (and frees the temporaries before it), except `pass`, which
        // does nothing, and `while`, which counts one per iteration at its back edge.
        if !matches!(s.kind, StmtKind::Pass | StmtKind::While(_) | StmtKind::Try(..)) {
            self.emit(Instr::Step { live: mark, hi: 0 });
        }
        match &s.kind {
            StmtKind::Expr(e) => {
                let r = self.temp()?;
                self.expr_to(e, r)?;
                if self.interactive && self.kind == CodeKind::Module && !is_yield(e) {
                    self.cur_span = s.span;
                    self.emit(Instr::Echo { src: r });
                }
            }
            StmtKind::Assign(targets, value) => self.assign_stmt(targets, value)?,
            StmtKind::AugAssign(t, op, v) => self.aug_assign(t, *op, v)?,
            // With a value, an assignment. Without, `x: int` binds nothing; `obj.attr: int`
            // evaluates `obj`, `d[k]: int` `d` and `k` (what an assignment would evaluate
            // before storing), as CPython does.
            StmtKind::Annotated(a) => {
                match (&a.value, &a.target.kind) {
                    (Some(value), _) => self.assign_stmt(std::slice::from_ref(&a.target), value)?,
                    (None, ExprKind::Attribute(obj, name)) => {
                        self.target_attr(obj, *name)?;
                    }
                    (None, ExprKind::Subscript(obj, idx)) => {
                        self.target_item(obj, idx)?;
                    }
                    (None, _) => {}
                }
                // In a class body, a simple name's annotation goes into `__annotations__`
                // (made empty where the body starts), as its text.
                if let (CodeKind::Class, true, ExprKind::Name(n)) = (self.kind, a.simple, &a.target.kind) {
                    let anns = self.temp()?;
                    self.load_name(sym::ANNOTATIONS, anns);
                    let key = self.temp()?;
                    let key_text = self.mangle(*n);
                    self.load_const(Value::str(key_text.as_str()), key);
                    let text = self.temp()?;
                    let v = match &a.annotation {
                        ast::AnnotationText::Source(t) => Value::str(t),
                        ast::AnnotationText::Str(s) => Value::string(crate::value::repr_str(s)),
                    };
                    self.load_const(v, text);
                    self.cur_span = s.span;
                    self.emit(Instr::SetItem { obj: anns, idx: key, src: text });
                    self.free_to(mark);
                }
            }
            StmtKind::If(c) => {
                let c = &**c;
                let cond = self.temp()?;
                let cond = self.operand(&c.test, cond)?;
                let j = self.jump_unless(cond, mark);
                self.free_to(mark);
                self.stmts(&c.body)?;
                if c.orelse.is_empty() {
                    self.patch_here(j);
                } else {
                    let j2 = self.emit(Instr::Jump { to: 0 });
                    self.patch_here(j);
                    self.stmts(&c.orelse)?;
                    self.patch_here(j2);
                }
            }
            StmtKind::While(c) => {
                let c = &**c;
                let top = self.here();
                // `while True:` tests nothing (CPython compiles no test either).
                let exit = if matches!(c.test.kind, ExprKind::True) {
                    None
                } else {
                    let cond = self.temp()?;
                    let cond = self.operand(&c.test, cond)?;
                    self.cur_span = s.span;
                    Some(self.jump_unless(cond, mark))
                };
                self.free_to(mark);
                // Each iteration counts a step at its backward jump, on the `while` line, where
                // CPython's backward jump checks for signals too (Ctrl-C in `while True: pass`
                // stops at that line).
                self.loop_rest(top, exit, &c.body, &c.orelse, Some((s.span, mark)), None)?;
            }
            StmtKind::For(l) => {
                let l = &**l;
                let iter = self.temp()?;
                let range_head = self.range_loop_head(&l.iter, iter)?;
                if range_head.is_none() {
                    self.iterable_to(&l.iter, iter)?;
                }
                self.cur_span = l.iter.span;
                let parts = PartSpans { operands: vec![(l.iter.span, iter)], ..Default::default() };
                self.emit_with(Instr::GetIter { dst: iter, src: iter }, parts);
                if let Some(head) = range_head {
                    self.patch_here(head);
                }
                self.cur_span = s.span;
                let top = self.here();
                let item = self.temp()?;
                self.emit(Instr::Step { live: item, hi: 0 });
                // A local target receives each item in its own register.
                let local = self.local_target(&l.target);
                let exit = match local {
                    Some(reg) => self.emit(Instr::ForIter { iter, dst: reg, exit: 0 }),
                    None => {
                        let exit = self.emit(Instr::ForIter { iter, dst: item, exit: 0 });
                        self.assign(&l.target, item)?;
                        exit
                    }
                };
                self.free_to(item);
                // In the body, a local target (never deleted) is certainly bound.
                let newly_bound = match l.target.kind {
                    ExprKind::Name(n)
                        if local.is_some() && !self.res.scopes[self.scope].deleted.contains(&n) =>
                    {
                        self.bound.insert(n).then_some(n)
                    }
                    _ => None,
                };
                self.loop_rest(top, Some(exit), &l.body, &l.orelse, None, Some((iter, newly_bound)))?;
            }
            StmtKind::AsyncFor(l) => {
                let l = &**l;
                let iter = self.temp()?;
                self.iterable_to(&l.iter, iter)?;
                self.cur_span = l.iter.span;
                let parts = PartSpans { operands: vec![(l.iter.span, iter)], ..Default::default() };
                self.emit_with(Instr::GetAIter { dst: iter, src: iter }, parts);
                // Where a task waits for the next item (deadlock reports, `:tasks`): the
                // header, `async for x in q`, not the whole loop.
                self.cur_span = Span { start: s.span.start, end: l.iter.span.end };
                let top = self.here();
                let item = self.temp()?;
                self.emit(Instr::Step { live: item, hi: 0 });
                let exit = self.async_next(iter, item)?;
                self.cur_span = s.span;
                self.assign(&l.target, item)?;
                self.free_to(item);
                self.loop_rest(top, Some(exit), &l.body, &l.orelse, None, Some((iter, None)))?;
            }
            StmtKind::Break | StmtKind::Continue => {
                let Some(lp) = self.loops.last() else {
                    // The resolver rejects break/continue outside loops.
                    return Err(SyntaxError::new("'break' outside loop", s.span));
                };
                let (keep, regions, cont) = (lp.cleanups, lp.regions, lp.continue_target);
                self.emit_cleanups(keep, regions)?;
                self.cur_span = s.span;
                if matches!(s.kind, StmtKind::Break) {
                    let at = self.emit(Instr::Jump { to: 0 });
                    if let Some(lp) = self.loops.last_mut() {
                        lp.breaks.push(at);
                    }
                } else {
                    self.emit(Instr::Jump { to: cont });
                }
            }
            StmtKind::Pass | StmtKind::Global(_) | StmtKind::Nonlocal(_) => {}
            StmtKind::FunctionDef(f) => {
                let r = self.temp()?;
                self.decorated(&f.decorators, r, |c, r| c.make_function(f, r))?;
                self.cur_span = s.span;
                self.store_name(f.name, r);
            }
            StmtKind::ClassDef(cd) => {
                let r = self.temp()?;
                self.decorated(&cd.decorators, r, |c, r| c.make_class(cd, r))?;
                self.cur_span = s.span;
                self.store_name(cd.name, r);
            }
            StmtKind::Return(v) => {
                // `return x` of a local certainly bound, with nothing to run on the way out:
                // the value leaves from the local's own register (no copy into a temporary).
                let own = match v.as_ref().map(|e| &e.kind) {
                    Some(ExprKind::Name(n)) if self.cleanups.is_empty() => self.bound_local(*n),
                    _ => None,
                };
                if let Some(src) = own {
                    self.emit(Instr::Return { src });
                } else {
                    let r = self.temp()?;
                    match v {
                        Some(v) => self.expr_to(v, r)?,
                        None => {
                            let k = self.constant(Value::None);
                            self.emit(Instr::LoadConst { dst: r, k });
                        }
                    }
                    self.emit_cleanups(0, 0)?;
                    self.cur_span = s.span;
                    self.emit(Instr::Return { src: r });
                }
            }
            StmtKind::Try(t) => self.try_stmt(&t.body, &t.handlers, &t.orelse, &t.finalbody)?,
            StmtKind::Raise(e, cause) => match e {
                None => {
                    if self.handled > 0 {
                        self.emit(Instr::Reraise);
                    } else {
                        self.emit(Instr::ReraiseNone);
                    }
                }
                Some(e) => {
                    let r = self.temp()?;
                    self.expr_to(e, r)?;
                    let c = match cause {
                        Some(c) => {
                            let c_reg = self.temp()?;
                            self.expr_to(c, c_reg)?;
                            c_reg
                        }
                        None => NO_REG,
                    };
                    self.cur_span = e.span;
                    self.emit(Instr::Raise { exc: r, cause: c });
                }
            },
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.delete(t)?;
                }
            }
            StmtKind::Assert(t, m) => {
                let cond = self.temp()?;
                self.expr_to(t, cond)?;
                let ok = self.emit(Instr::JumpIfTrue { cond, to: 0 });
                let msg = match m {
                    Some(m) => {
                        let r = self.temp()?;
                        self.expr_to(m, r)?;
                        r
                    }
                    None => NO_REG,
                };
                self.cur_span = s.span;
                self.emit(Instr::AssertFail { msg });
                self.patch_here(ok);
            }
            StmtKind::Import(names) => {
                for a in names {
                    let path: Vec<&str> = a.path.iter().map(|p| p.as_str()).collect();
                    let full = Symbol::intern(&path.join("."));
                    let (bind, whole) = match a.asname {
                        Some(n) => (n, true),
                        None => (a.path[0], false),
                    };
                    let r = self.temp()?;
                    let name = self.name(full);
                    self.cur_span = a.span;
                    self.emit(Instr::Import { dst: r, name, full: whole });
                    self.store_name(bind, r);
                    self.free_to(r);
                }
            }
            StmtKind::ImportFrom(module, names) => {
                let path: Vec<&str> = module.iter().map(|p| p.as_str()).collect();
                let m = Symbol::intern(&path.join("."));
                let mreg = self.temp()?;
                let mname = self.name(m);
                // A missing module is reported on the first imported name, as the tree-walker does.
                if let Some(first) = names.first() {
                    self.cur_span = first.span;
                }
                self.emit(Instr::Import { dst: mreg, name: mname, full: true });
                if names.iter().any(crate::resolver::is_star) {
                    self.emit(Instr::ImportStar { module: mreg });
                }
                for a in names.iter().filter(|a| !crate::resolver::is_star(a)) {
                    let r = self.temp()?;
                    let name = self.name(a.path[0]);
                    self.cur_span = a.span;
                    self.emit(Instr::ImportFrom { dst: r, module: mreg, name });
                    self.store_name(a.asname.unwrap_or(a.path[0]), r);
                    self.free_to(r);
                }
            }
            StmtKind::With(items, body) => self.with_stmt(items, body, false)?,
            StmtKind::AsyncWith(items, body) => self.with_stmt(items, body, true)?,
        }
        self.free_to(mark);
        Ok(())
    }

    /// `@d1 @d2 def f`: the decorators are evaluated first (top to bottom), then the function,
    /// then applied innermost first.
    fn decorated(
        &mut self,
        decorators: &'a [ast::Expr],
        dst: Reg,
        make: impl FnOnce(&mut Self, Reg) -> CResult<()>,
    ) -> CResult<()> {
        if decorators.is_empty() {
            return make(self, dst);
        }
        let mark = self.next_reg;
        // Each decorator gets a call window: the decorator, then its argument.
        let base = self.temps(decorators.len() * 2)?;
        for (i, d) in decorators.iter().enumerate() {
            self.expr_to(d, base + 2 * i as Reg)?;
        }
        let last = decorators.len() - 1;
        make(self, base + 2 * last as Reg + 1)?;
        for i in (0..decorators.len()).rev() {
            let func = base + 2 * i as Reg;
            let out = if i == 0 { dst } else { base + 2 * (i as Reg - 1) + 1 };
            self.cur_span = decorators[i].span;
            self.emit(Instr::Call { dst: out, func, argc: 1 });
        }
        self.free_to(mark);
        Ok(())
    }

    /// The body, back edge and `else` of a loop whose exit test is the jump at `exit`.
    /// `back_step`: count a step at the backward jump (`while`); `bound_in_body`: a name
    /// certainly bound only inside the body (a `for` target), forgotten after it.
    fn loop_rest(
        &mut self,
        top: u32,
        exit: Option<usize>,
        body: &'a [Stmt],
        orelse: &'a [Stmt],
        back_step: Option<(Span, Reg)>,
        for_parts: Option<(Reg, Option<Symbol>)>,
    ) -> CResult<()> {
        // A `for` loop: its iterator's register, and the target bound in its body.
        let (iter, bound_in_body) = match for_parts {
            Some((reg, bound)) => (Some(reg), bound),
            None => (None, None),
        };
        self.loops.push(LoopCtx {
            continue_target: top,
            breaks: Vec::new(),
            cleanups: self.cleanups.len(),
            regions: self.regions.len(),
        });
        self.stmts(body)?;
        if let Some(n) = bound_in_body {
            self.bound.remove(&n);
        }
        if let Some((span, live)) = back_step {
            self.cur_span = span;
            self.emit(Instr::Step { live, hi: 0 });
        }
        self.emit(Instr::Jump { to: top });
        if let Some(exit) = exit {
            self.patch_here(exit);
        }
        // The iterator goes when the loop ends (by `break` too), as in CPython: a generator
        // left suspended is closed then.
        if let Some(reg) = iter {
            self.emit(Instr::DropIter { reg });
        }
        let lp = self.loops.pop();
        self.stmts(orelse)?;
        if let Some(lp) = lp {
            let broke = !lp.breaks.is_empty();
            for b in lp.breaks {
                self.patch_here(b);
            }
            if let (Some(reg), true) = (iter, broke) {
                self.emit(Instr::DropIter { reg });
            }
        }
        Ok(())
    }

    /// `try`/`except`/`else`/`finally`.
    fn try_stmt(
        &mut self,
        body: &'a [Stmt],
        handlers: &'a [ast::Handler],
        orelse: &'a [Stmt],
        finalbody: &'a [Stmt],
    ) -> CResult<()> {
        let has_finally = !finalbody.is_empty();
        if has_finally {
            self.open_region();
            self.cleanups.push(Cleanup::Finally(finalbody));
        }
        if handlers.is_empty() {
            self.stmts(body)?;
        } else {
            self.open_region();
            self.stmts(body)?;
            let handler_at = self.here() + 1;
            // The region ends before the jump over the handlers.
            let skip = self.emit(Instr::Jump { to: 0 });
            self.close_region(handler_at);
            self.except_clauses(handlers)?;
            let end_handlers = self.emit(Instr::Jump { to: 0 });
            self.patch_here(skip);
            self.stmts(orelse)?;
            self.patch_here(end_handlers);
        }
        if has_finally {
            self.cleanups.pop();
            // Normal path (the region closed first: the finally body is not protected by
            // it): the finally body, then over the exception path.
            let Some(mut region) = self.regions.pop() else { return Ok(()) };
            if let Some(s) = region.open_at.take() {
                region.segments.push((s, self.here()));
            }
            self.stmts(finalbody)?;
            let over = self.emit(Instr::Jump { to: 0 });
            // Exception path: the exception is being handled while the body runs again.
            let target = self.here();
            for (start, end) in region.segments {
                if start < end {
                    self.handlers.push(Handler { start, end, target, depth: region.depth });
                }
            }
            self.handled += 1;
            self.cleanups.push(Cleanup::PopExc);
            self.stmts(finalbody)?;
            self.cleanups.pop();
            self.handled -= 1;
            self.emit(Instr::Reraise);
            self.patch_here(over);
        }
        Ok(())
    }

    /// The except clauses of a `try`, reached with the exception being handled.
    fn except_clauses(&mut self, handlers: &'a [ast::Handler]) -> CResult<()> {
        self.handled += 1;
        let mut ends = Vec::new();
        for h in handlers {
            self.cur_span = h.span;
            let mark = self.next_reg;
            let next = match &h.typ {
                Some(t) => {
                    let typ = self.temp()?;
                    self.expr_to(t, typ)?;
                    self.cur_span = h.span;
                    self.emit(Instr::ExcMatch { dst: typ, typ });
                    Some(self.emit(Instr::JumpIfFalse { cond: typ, to: 0 }))
                }
                None => None,
            };
            self.free_to(mark);
            if let Some((name, _)) = h.name {
                let r = self.temp()?;
                self.emit(Instr::LoadExc { dst: r });
                self.store_name(name, r);
                self.free_to(mark);
            }
            self.cleanups.push(Cleanup::PopExc);
            // As Python: the name is unbound when the clause ends, however it ends (the body
            // runs in a region whose handler unbinds it and raises on; `break`, `continue`
            // and `return` unbind it on their way out).
            let named = h.name.map(|(name, _)| name);
            if let Some(name) = named {
                self.open_region();
                self.cleanups.push(Cleanup::Unbind(name));
            }
            self.stmts(&h.body)?;
            let region = match named {
                Some(_) => {
                    self.cleanups.pop();
                    self.regions.pop().map(|mut r| {
                        if let Some(s) = r.open_at.take() {
                            r.segments.push((s, self.here()));
                        }
                        r
                    })
                }
                None => None,
            };
            self.cleanups.pop();
            self.cur_span = h.span;
            self.emit(Instr::PopExc);
            if let Some(name) = named {
                self.unbind_name(name)?;
            }
            ends.push(self.emit(Instr::Jump { to: 0 }));
            if let (Some(name), Some(region)) = (named, region) {
                // An exception out of the body: unbind, and raise it on.
                let target = self.here();
                for (start, end) in region.segments {
                    if start < end {
                        self.handlers.push(Handler { start, end, target, depth: region.depth });
                    }
                }
                self.cur_span = h.span;
                self.unbind_name(name)?;
                self.emit(Instr::Reraise);
            }
            if let Some(n) = next {
                self.patch_here(n);
            }
        }
        // No clause matched.
        self.emit(Instr::Reraise);
        self.handled -= 1;
        for e in ends {
            self.patch_here(e);
        }
        Ok(())
    }

    /// `with a as x, b as y: body` is `with a as x: with b as y: body`. `async with` (`aw`)
    /// awaits what `__aenter__` and `__aexit__` return.
    fn with_stmt(&mut self, items: &'a [ast::WithItem], body: &'a [Stmt], aw: bool) -> CResult<()> {
        let Some((first, rest)) = items.split_first() else { return self.stmts(body) };
        let mark = self.next_reg;
        let mgr = self.temp()?;
        let exit = self.temp()?;
        self.expr_to(&first.ctx, mgr)?;
        let span = first.ctx.span;
        self.cur_span = span;
        self.emit(Instr::WithEnter { dst: mgr, exit, mgr, aw });
        if aw {
            self.await_in_place(mgr);
        }
        self.open_region();
        if let Some(t) = &first.target {
            self.assign(t, mgr)?;
        }
        self.cleanups.push(Cleanup::WithExit(exit, aw));
        self.with_stmt(rest, body, aw)?;
        self.cleanups.pop();
        let Some(mut region) = self.regions.pop() else { return Ok(()) };
        if let Some(s) = region.open_at.take() {
            region.segments.push((s, self.here()));
        }
        self.cur_span = span;
        self.with_exit(exit, aw)?;
        let over = self.emit(Instr::Jump { to: 0 });
        let target = self.here();
        for (start, end) in region.segments {
            if start < end {
                self.handlers.push(Handler { start, end, target, depth: region.depth });
            }
        }
        let swallowed = self.temp()?;
        self.emit(Instr::WithExitExc { dst: swallowed, exit, aw });
        if aw {
            self.await_in_place(swallowed);
        }
        let keep = self.emit(Instr::JumpIfTrue { cond: swallowed, to: 0 });
        self.emit(Instr::Reraise);
        self.patch_here(keep);
        self.emit(Instr::PopExc);
        self.patch_here(over);
        self.free_to(mark);
        Ok(())
    }

    /// The normal exit of a `with`: `__exit__(None, None, None)`, or `__aexit__` awaited.
    pub(super) fn with_exit(&mut self, exit: Reg, aw: bool) -> CResult<()> {
        if !aw {
            self.emit(Instr::WithExit { exit, dst: NO_REG });
            return Ok(());
        }
        let mark = self.next_reg;
        let r = self.temp()?;
        self.emit(Instr::WithExit { exit, dst: r });
        self.await_in_place(r);
        self.free_to(mark);
        Ok(())
    }

    /// The head of an `async for` iteration: `item = await iter.__anext__()`, or, when that
    /// raises StopAsyncIteration, a jump out of the loop (returned, to be patched).
    pub(super) fn async_next(&mut self, iter: Reg, item: Reg) -> CResult<usize> {
        self.open_region();
        self.emit(Instr::GetANext { dst: item, src: iter });
        self.emit(Instr::YieldFrom { dst: item, iter: item });
        let handler_at = self.here() + 1;
        let skip = self.emit(Instr::Jump { to: 0 });
        self.close_region(handler_at);
        // The handler: StopAsyncIteration ends the loop; anything else goes on up.
        self.handled += 1;
        let t = self.temp()?;
        self.load_const(Value::Class(crate::interp::types().stop_async_iteration.clone()), t);
        self.emit(Instr::ExcMatch { dst: t, typ: t });
        let other = self.emit(Instr::JumpIfFalse { cond: t, to: 0 });
        self.free_to(t);
        self.emit(Instr::PopExc);
        let exit = self.emit(Instr::Jump { to: 0 });
        self.patch_here(other);
        self.emit(Instr::Reraise);
        self.handled -= 1;
        self.patch_here(skip);
        Ok(exit)
    }

    /// `await` of the value in `r`, its result back in `r`.
    pub(super) fn await_in_place(&mut self, r: Reg) {
        self.emit(Instr::GetAwaitable { dst: r, src: r });
        self.emit(Instr::YieldFrom { dst: r, iter: r });
    }

    /// Stores the value in `src` into an assignment target. Subexpressions of the target are
    /// evaluated now, after the value, as in Python.
    /// `a = b = value`: the value, then each target in turn.
    fn assign_stmt(&mut self, targets: &'a [ast::Expr], value: &'a ast::Expr) -> CResult<()> {
        // `x = f(y)` for a local `x`: the value goes straight into its register when
        // the expression writes its result only once complete (a failure, or a
        // suspension, leaves the old value).
        let direct = match targets {
            [t] if writes_at_end(value) => self.local_target(t),
            _ => None,
        };
        match (direct, targets) {
            (Some(reg), _) => self.expr_to(value, reg)?,
            // One target: a local value is read in place (`self.x = x`). Not with
            // several, where an earlier target may rebind it (`x, y = t = x`).
            (None, [t]) => {
                let r = self.temp()?;
                let r = self.operand(value, r)?;
                self.assign(t, r)?;
            }
            (None, _) => {
                let r = self.temp()?;
                self.expr_to(value, r)?;
                for t in targets.iter() {
                    self.assign(t, r)?;
                }
            }
        }
        Ok(())
    }

    pub(super) fn assign(&mut self, t: &'a ast::Expr, src: Reg) -> CResult<()> {
        let mark = self.next_reg;
        match &t.kind {
            ExprKind::Name(n) => {
                self.cur_span = t.span;
                self.store_name(*n, src);
            }
            ExprKind::Attribute(obj, name) => {
                let (o, name) = self.target_attr(obj, *name)?;
                self.cur_span = t.span;
                self.emit(Instr::SetAttr { obj: o, name, src });
            }
            ExprKind::Subscript(obj, idx) => {
                let (o, i) = self.target_item(obj, idx)?;
                self.cur_span = t.span;
                self.emit(Instr::SetItem { obj: o, idx: i, src });
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let star = items.iter().position(|x| matches!(x.kind, ExprKind::Starred(_)));
                let start = self.temps(items.len())?;
                self.cur_span = t.span;
                self.emit(Instr::Unpack {
                    src,
                    start,
                    n: items.len() as u16,
                    star: star.map_or(NO_REG, |s| s as u16),
                });
                for (i, item) in items.iter().enumerate() {
                    let item = match &item.kind {
                        ExprKind::Starred(inner) => &**inner,
                        _ => item,
                    };
                    self.assign(item, start + i as Reg)?;
                }
            }
            ExprKind::Starred(inner) => self.assign(inner, src)?,
            _ => return Err(SyntaxError::new("cannot assign to this expression", t.span)),
        }
        self.free_to(mark);
        Ok(())
    }

    /// `t op= v`: the target's parts are evaluated once, before the value, as in Python; a
    /// suspension in `v` therefore happens after the old value was read (the lost update of
    /// `counter += await one()` is Python's too).
    fn aug_assign(&mut self, t: &'a ast::Expr, op: crate::ast::BinOp, v: &'a ast::Expr) -> CResult<()> {
        let mark = self.next_reg;
        match &t.kind {
            ExprKind::Name(n) => match self.bound_local(*n) {
                // A local certainly bound is updated in its own register.
                Some(reg) => match super::expr::small_int(v) {
                    Some(k) => {
                        self.cur_span = t.span;
                        self.emit(Instr::InplaceK { op, dst: reg, a: reg, k });
                    }
                    None => {
                        let val = self.temp()?;
                        let val = self.operand(v, val)?;
                        self.cur_span = t.span;
                        self.emit(Instr::Inplace { op, dst: reg, a: reg, b: val });
                    }
                },
                None => {
                    // An unbound name is reported on the whole statement (`counter += 1`).
                    let old = self.temp()?;
                    self.load_name(*n, old);
                    let val = self.temp()?;
                    self.expr_to(v, val)?;
                    self.cur_span = t.span;
                    self.emit(Instr::Inplace { op, dst: old, a: old, b: val });
                    self.store_name(*n, old);
                }
            },
            ExprKind::Attribute(obj, name) => {
                let (o, name) = self.target_attr(obj, *name)?;
                let old = self.temp()?;
                self.cur_span = t.span;
                self.emit(Instr::GetAttr { dst: old, obj: o, name });
                let val = self.temp()?;
                self.expr_to(v, val)?;
                self.cur_span = t.span;
                self.emit(Instr::Inplace { op, dst: old, a: old, b: val });
                self.emit(Instr::SetAttr { obj: o, name, src: old });
            }
            ExprKind::Subscript(obj, idx) => {
                let (o, i) = self.target_item(obj, idx)?;
                let old = self.temp()?;
                self.cur_span = t.span;
                self.emit(Instr::GetItem { dst: old, obj: o, idx: i });
                let val = self.temp()?;
                self.expr_to(v, val)?;
                self.cur_span = t.span;
                self.emit(Instr::Inplace { op, dst: old, a: old, b: val });
                self.emit(Instr::SetItem { obj: o, idx: i, src: old });
            }
            _ => return Err(SyntaxError::new("illegal expression for augmented assignment", t.span)),
        }
        self.free_to(mark);
        Ok(())
    }

    /// The register of an assignment target that is a plain local variable.
    fn local_target(&self, t: &ast::Expr) -> Option<Reg> {
        match t.kind {
            ExprKind::Name(n) => match self.place(n) {
                Place::Local(i) => Some(i as Reg),
                _ => None,
            },
            _ => None,
        }
    }

    fn delete(&mut self, t: &'a ast::Expr) -> CResult<()> {
        let mark = self.next_reg;
        self.cur_span = t.span;
        match &t.kind {
            ExprKind::Name(n) => self.delete_name(*n),
            ExprKind::Attribute(obj, name) => {
                let (o, name) = self.target_attr(obj, *name)?;
                self.cur_span = t.span;
                self.emit(Instr::DelAttr { obj: o, name });
            }
            ExprKind::Subscript(obj, idx) => {
                let (o, i) = self.target_item(obj, idx)?;
                self.cur_span = t.span;
                self.emit(Instr::DelItem { obj: o, idx: i });
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items {
                    self.delete(i)?;
                }
            }
            _ => return Err(SyntaxError::new("cannot delete this expression", t.span)),
        }
        self.free_to(mark);
        Ok(())
    }
}

impl<'a> Compiler<'a> {
    /// The object of an attribute target (`obj.name = ...`, `+=`, `del`) into a fresh register,
    /// and the name's index.
    fn target_attr(&mut self, obj: &'a ast::Expr, name: Symbol) -> CResult<(Reg, u32)> {
        let o = self.temp()?;
        let o = self.operand(obj, o)?;
        Ok((o, self.name(self.mangle(name))))
    }

    /// The object and the index of a subscript target into fresh registers, in that order.
    fn target_item(&mut self, obj: &'a ast::Expr, idx: &'a ast::Expr) -> CResult<(Reg, Reg)> {
        let o = self.temp()?;
        let i = self.temp()?;
        let o = self.operand(obj, o)?;
        let i = self.operand(idx, i)?;
        Ok((o, i))
    }
}

fn is_yield(e: &ast::Expr) -> bool {
    matches!(e.kind, ExprKind::Yield(_) | ExprKind::YieldFrom(_))
}

/// Whether a call has `*args` or `**kwargs`.
pub(super) fn has_star(args: &[Arg]) -> bool {
    args.iter().any(|a| matches!(a, Arg::Star(_) | Arg::DoubleStar(_)))
}

/// Whether the expression's instructions write their destination register only at the end,
/// once the whole value is there (not as scratch space on the way, as `a or b` does).
fn writes_at_end(e: &ast::Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Call(..)
            | ExprKind::BinOp(..)
            | ExprKind::Attribute(..)
            | ExprKind::Subscript(..)
            | ExprKind::Await(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::True
            | ExprKind::False
            | ExprKind::None
    )
}
