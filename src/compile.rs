//! Compiler: AST + resolution to `Code` (flat ops, expression trees).
//!
//! Control flow becomes jumps and try blocks; names become slots, cells or global lookups as the
//! resolver decided. Every `yield`/`await` inside an expression is lifted into its own op: the
//! operands evaluated before it are spilled into temporary slots, so that no half-evaluated
//! expression is alive while a frame is suspended (Python's left-to-right order is kept).

use crate::ast::{self, Arg, BoolOp, Conditional, ExprKind, FPart, ForLoop, Stmt, StmtKind, TryBlock};
use crate::code::*;
use crate::error::SyntaxError;
use crate::names::sym;
use crate::resolver::{node_key, Place, Resolution, ScopeKind};
use crate::span::{Span, Symbol};
use crate::value::Value;
use std::rc::Rc;

type CResult<T> = Result<T, SyntaxError>;

/// Compiles a resolved module into the code of its top level.
pub fn compile_module(m: &ast::Module, res: &Resolution) -> CResult<Rc<Code>> {
    compile_module_with(m, res, false)
}

/// `interactive`: top-level expression statements print their value's repr (the REPL).
pub fn compile_module_with(m: &ast::Module, res: &Resolution, interactive: bool) -> CResult<Rc<Code>> {
    let mut c = Compiler::new(res, 0, CodeKind::Module, String::from("<module>"));
    if interactive {
        for s in &m.body {
            match &s.kind {
                StmtKind::Expr(e) if !matches!(e.kind, ExprKind::Yield(_) | ExprKind::YieldFrom(_)) => {
                    c.cur_span = s.span;
                    let v = c.expr(e)?;
                    c.cur_span = s.span;
                    c.emit(Op::Echo(v));
                }
                _ => c.stmt(s)?,
            }
        }
    } else {
        c.stmts(&m.body)?;
    }
    c.emit(Op::Return(None));
    let suspends = m.body.iter().any(stmt_suspends);
    let span = m.body.first().map(|s| s.span).unwrap_or_default();
    Ok(Rc::new(c.finish(sym::MODULE_NAME, Flavor::Plain, Signature::default(), span, suspends)))
}

fn stmt_suspends(s: &Stmt) -> bool {
    let mut found = false;
    visit_stmt_exprs(s, &mut |e| found |= contains_suspend(e));
    found
}

/// Calls `f` on the expressions of a statement and its nested blocks (not into defs/classes).
fn visit_stmt_exprs(s: &Stmt, f: &mut dyn FnMut(&ast::Expr)) {
    let block = |b: &[Stmt], f: &mut dyn FnMut(&ast::Expr)| {
        for s in b {
            visit_stmt_exprs(s, f);
        }
    };
    match &s.kind {
        StmtKind::Expr(e) | StmtKind::Return(Some(e)) => f(e),
        StmtKind::Assign(ts, v) => {
            for t in ts {
                f(t);
            }
            f(v)
        }
        StmtKind::AugAssign(t, _, v) => {
            f(t);
            f(v)
        }
        StmtKind::If(c) | StmtKind::While(c) => {
            f(&c.test);
            block(&c.body, f);
            block(&c.orelse, f)
        }
        StmtKind::For(l) => {
            f(&l.target);
            f(&l.iter);
            block(&l.body, f);
            block(&l.orelse, f)
        }
        StmtKind::Try(t) => {
            let TryBlock { body, handlers, orelse, finalbody } = &**t;
            block(body, f);
            for h in handlers {
                if let Some(t) = &h.typ {
                    f(t);
                }
                block(&h.body, f);
            }
            block(orelse, f);
            block(finalbody, f)
        }
        StmtKind::Raise(a, b) => {
            if let Some(a) = a {
                f(a);
            }
            if let Some(b) = b {
                f(b);
            }
        }
        StmtKind::Delete(ts) => ts.iter().for_each(f),
        StmtKind::Assert(a, b) => {
            f(a);
            if let Some(b) = b {
                f(b);
            }
        }
        StmtKind::With(items, body) => {
            for it in items {
                f(&it.ctx);
            }
            block(body, f)
        }
        _ => {}
    }
}

/// Whether evaluating `e` can suspend the frame (a `yield` or `await` outside nested scopes).
pub fn contains_suspend(e: &ast::Expr) -> bool {
    use ExprKind::*;
    match &e.kind {
        Yield(_) | YieldFrom(_) | Await(_) => true,
        Name(_) | Int(_) | BigInt(_) | Float(_) | Str(_) | True | False | None | Ellipsis => false,
        FString(parts) => fparts_suspend(parts),
        Tuple(v) | List(v) | Set(v) => v.iter().any(contains_suspend),
        Dict(p) => p.iter().any(|(k, v)| contains_suspend(k) || contains_suspend(v)),
        Starred(x) | Attribute(x, _) | Unary(_, x) => contains_suspend(x),
        Subscript(a, b) | BinOp(_, a, b) | BoolOp(_, a, b) => contains_suspend(a) || contains_suspend(b),
        Slice(a, b, c) => [a, b, c].into_iter().flatten().any(|x| contains_suspend(x)),
        Call(f, args) => {
            contains_suspend(f)
                || args.iter().any(|a| match a {
                    Arg::Pos(x) | Arg::Star(x) | Arg::DoubleStar(x) | Arg::Kw(_, x, _) => contains_suspend(x),
                })
        }
        Compare(a, rest) => contains_suspend(a) || rest.iter().any(|(_, x)| contains_suspend(x)),
        IfExp(a, b, c) => contains_suspend(a) || contains_suspend(b) || contains_suspend(c),
        Lambda(f) => f.params.all().any(|p| p.default.as_ref().is_some_and(contains_suspend)),
        ListComp(_, g) | SetComp(_, g) | GenExp(_, g) | DictComp(_, g) => contains_suspend(&g[0].iter),
    }
}

fn fparts_suspend(parts: &[FPart]) -> bool {
    parts.iter().any(|p| match p {
        FPart::Lit(_) => false,
        FPart::Expr { expr, spec, .. } => contains_suspend(expr) || fparts_suspend(spec),
    })
}

struct LoopCtx {
    continue_target: u32,
    breaks: Vec<usize>,
    depth: u32,
}

struct Compiler<'a> {
    res: &'a Resolution,
    scope: usize,
    kind: CodeKind,
    ops: Vec<Op>,
    spans: Vec<Span>,
    nslots: u32,
    slot_names: Vec<Symbol>,
    loops: Vec<LoopCtx>,
    /// Blocks on the runtime block stack at this point of the code.
    depth: u32,
    cur_span: Span,
    qualname: String,
}

impl<'a> Compiler<'a> {
    fn new(res: &'a Resolution, scope: usize, kind: CodeKind, qualname: String) -> Compiler<'a> {
        let sc = &res.scopes[scope];
        let mut slot_names = vec![Symbol::intern(".?"); sc.nslots as usize];
        for (name, place) in &sc.places {
            if let Place::Local(i) = place {
                slot_names[*i as usize] = *name;
            }
        }
        for (i, p) in sc.params.iter().enumerate() {
            slot_names[i] = *p;
        }
        Compiler {
            res,
            scope,
            kind,
            ops: Vec::new(),
            spans: Vec::new(),
            nslots: sc.nslots,
            slot_names,
            loops: Vec::new(),
            depth: 0,
            cur_span: Span::default(),
            qualname,
        }
    }

    fn finish(self, name: Symbol, flavor: Flavor, sig: Signature, span: Span, suspends: bool) -> Code {
        let sc = &self.res.scopes[self.scope];
        let mut cell_names: Vec<Symbol> = sc.cellvars.clone();
        cell_names.extend(sc.freevars.iter().copied());
        let mut cell_params = Vec::new();
        for (i, p) in sc.params.iter().enumerate() {
            if let Place::Cell(c) = sc.place(*p) {
                cell_params.push((i as u32, c));
            }
        }
        Code {
            name,
            qualname: Rc::from(self.qualname.as_str()),
            kind: self.kind,
            flavor,
            ops: self.ops,
            spans: self.spans,
            nslots: self.nslots as usize,
            slot_names: self.slot_names,
            cell_names,
            n_own_cells: sc.cellvars.len(),
            cell_params,
            sig,
            span,
            suspends,
        }
    }

    fn emit(&mut self, op: Op) -> usize {
        self.ops.push(op);
        self.spans.push(self.cur_span);
        self.ops.len() - 1
    }
    fn here(&self) -> u32 {
        self.ops.len() as u32
    }
    fn patch(&mut self, at: usize, target: u32) {
        match &mut self.ops[at] {
            Op::Jump(t)
            | Op::JumpIfFalse(_, t)
            | Op::JumpIfTrue(_, t)
            | Op::SetupExcept(t)
            | Op::SetupFinally(t)
            | Op::Unwind { target: t, .. } => *t = target,
            Op::ForIter { exit, .. } => *exit = target,
            Op::ExceptMatch { next, .. } => *next = target,
            _ => {}
        }
    }
    fn temp(&mut self) -> u32 {
        let s = self.nslots;
        self.nslots += 1;
        self.slot_names.push(Symbol::intern(".t"));
        s
    }

    fn place(&self, n: Symbol) -> Place {
        let sc = &self.res.scopes[self.scope];
        if sc.kind == Some(ScopeKind::Module) {
            return Place::Global;
        }
        sc.place(n)
    }

    fn name_expr(&self, n: Symbol, span: Span) -> Expr {
        let kind = match self.place(n) {
            Place::Local(i) => E::Local(i),
            Place::Cell(i) => E::Cell(i),
            Place::Global => E::Global(n),
            Place::ClassNs => E::ClassNs(n),
        };
        Expr { kind, span }
    }

    fn name_target(&self, n: Symbol) -> Target {
        match self.place(n) {
            Place::Local(i) => Target::Local(i),
            Place::Cell(i) => Target::Cell(i),
            Place::Global => Target::Global(n),
            Place::ClassNs => Target::ClassNs(n),
        }
    }

    // ----- statements -----

    fn stmts(&mut self, body: &[Stmt]) -> CResult<()> {
        for s in body {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt) -> CResult<()> {
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
                    return Err(SyntaxError::new(
                        "'yield' or 'await' inside an assignment target is not supported",
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
                    return Err(SyntaxError::new(
                        "'yield' or 'await' inside an assignment target is not supported",
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
                let mut v = self.make_function(f)?;
                for d in f.decorators.iter().rev() {
                    let dv = self.expr(d)?;
                    v = call_expr(dv, vec![v], d.span);
                }
                self.cur_span = s.span;
                let t = self.name_target(f.name);
                self.emit(Op::Assign(t, v));
                Ok(())
            }
            StmtKind::ClassDef(c) => {
                let mut v = self.make_class(c)?;
                for d in c.decorators.iter().rev() {
                    let dv = self.expr(d)?;
                    v = call_expr(dv, vec![v], d.span);
                }
                self.cur_span = s.span;
                let t = self.name_target(c.name);
                self.emit(Op::Assign(t, v));
                Ok(())
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
    fn loop_rest(
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

    fn with_stmt(&mut self, items: &[ast::WithItem], body: &[Stmt], span: Span) -> CResult<()> {
        let Some((first, rest)) = items.split_first() else { return self.stmts(body) };
        let ctx = self.expr(&first.ctx)?;
        self.cur_span = span;
        let slot = self.temp();
        self.emit(Op::Assign(Target::Local(slot), ctx));
        let enter = Expr {
            kind: E::Call(Box::new(Call {
                func: Expr { kind: E::Local(slot), span: first.ctx.span },
                method: Some(sym::ENTER),
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

    fn try_stmt(
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
    fn delegate(&mut self, x: &ast::Expr, is_await: bool, result: Option<Target>, span: Span) -> CResult<()> {
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

    fn target(&mut self, e: &ast::Expr) -> CResult<Target> {
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

    // ----- expressions -----

    /// Compiles the children of a node in order; when a later child suspends, the earlier ones
    /// are spilled into temporaries first.
    fn children(&mut self, kids: &[&ast::Expr]) -> CResult<Vec<Expr>> {
        let last = kids.iter().rposition(|k| contains_suspend(k));
        let mut out = Vec::with_capacity(kids.len());
        for (i, k) in kids.iter().enumerate() {
            let v = self.expr(k)?;
            if last.is_some_and(|l| i < l) && !matches!(v.kind, E::Const(_)) {
                let t = self.temp();
                let span = v.span;
                self.emit(Op::Assign(Target::Local(t), v));
                out.push(Expr { kind: E::Local(t), span });
            } else {
                out.push(v);
            }
        }
        Ok(out)
    }

    fn expr(&mut self, e: &ast::Expr) -> CResult<Expr> {
        let span = e.span;
        let mk = |kind| Ok(Expr { kind, span });
        match &e.kind {
            ExprKind::Name(n) => Ok(self.name_expr(*n, span)),
            ExprKind::Int(i) => mk(E::Const(Value::Int(*i))),
            ExprKind::BigInt(b) => mk(E::Const(Value::BigInt(Rc::new((**b).clone())))),
            ExprKind::Float(f) => mk(E::Const(Value::Float(*f))),
            ExprKind::Str(s) => mk(E::Const(Value::str(s))),
            ExprKind::True => mk(E::Const(Value::Bool(true))),
            ExprKind::False => mk(E::Const(Value::Bool(false))),
            ExprKind::None => mk(E::Const(Value::None)),
            ExprKind::Ellipsis => mk(E::Global(Symbol::intern("Ellipsis"))),
            ExprKind::FString(parts) => {
                let p = self.fparts(parts)?;
                mk(E::FString(p))
            }
            ExprKind::Tuple(items) | ExprKind::List(items) | ExprKind::Set(items) => {
                let refs: Vec<&ast::Expr> = items.iter().collect();
                let v = self.children(&refs)?;
                mk(match &e.kind {
                    ExprKind::Tuple(_) => E::Tuple(v),
                    ExprKind::List(_) => E::List(v),
                    _ => E::Set(v),
                })
            }
            ExprKind::Dict(pairs) => {
                let refs: Vec<&ast::Expr> = pairs.iter().flat_map(|(k, v)| [k, v]).collect();
                let mut v = self.children(&refs)?.into_iter();
                let mut out = Vec::new();
                while let (Some(k), Some(x)) = (v.next(), v.next()) {
                    out.push((k, x));
                }
                mk(E::Dict(out))
            }
            ExprKind::Starred(x) => {
                let v = self.expr(x)?;
                mk(E::Star(Box::new(v)))
            }
            ExprKind::Attribute(o, n) => {
                let v = self.expr(o)?;
                mk(E::Attr(Box::new(v), *n))
            }
            ExprKind::Subscript(o, i) => {
                let mut v = self.children(&[o, i])?;
                let i = v.pop();
                let o = v.pop();
                match (o, i) {
                    (Some(o), Some(i)) => mk(E::Index(Box::new(o), Box::new(i))),
                    _ => Err(SyntaxError::new("internal error: subscript", span)),
                }
            }
            ExprKind::Slice(a, b, c) => {
                let present: Vec<&ast::Expr> = [a, b, c].into_iter().flatten().map(|x| &**x).collect();
                let mut v = self.children(&present)?.into_iter();
                let mut take = |x: &Option<Box<ast::Expr>>| x.as_ref().and_then(|_| v.next().map(Box::new));
                let (a, b, c) = (take(a), take(b), take(c));
                mk(E::Slice(a, b, c))
            }
            ExprKind::Call(f, args) => self.call(f, args, span),
            ExprKind::BinOp(op, a, b) => {
                let mut v = self.children(&[a, b])?;
                let (b, a) = (v.pop(), v.pop());
                match (a, b) {
                    (Some(a), Some(b)) => mk(E::Bin(*op, Box::new(a), Box::new(b))),
                    _ => Err(SyntaxError::new("internal error: binop", span)),
                }
            }
            ExprKind::Unary(op, x) => {
                let v = self.expr(x)?;
                mk(E::Unary(*op, Box::new(v)))
            }
            ExprKind::BoolOp(op, a, b) => {
                if contains_suspend(b) {
                    // Short-circuit with a branch: the right side may suspend.
                    let t = self.temp();
                    let av = self.expr(a)?;
                    self.emit(Op::Assign(Target::Local(t), av));
                    let local = Expr { kind: E::Local(t), span: a.span };
                    let j = if *op == BoolOp::And {
                        self.emit(Op::JumpIfFalse(local, 0))
                    } else {
                        self.emit(Op::JumpIfTrue(local, 0))
                    };
                    let bv = self.expr(b)?;
                    self.emit(Op::Assign(Target::Local(t), bv));
                    let h = self.here();
                    self.patch(j, h);
                    return mk(E::Local(t));
                }
                let av = self.expr(a)?;
                let bv = self.expr(b)?;
                mk(if *op == BoolOp::And {
                    E::And(Box::new(av), Box::new(bv))
                } else {
                    E::Or(Box::new(av), Box::new(bv))
                })
            }
            ExprKind::Compare(first, rest) => {
                let mut refs: Vec<&ast::Expr> = vec![first];
                refs.extend(rest.iter().map(|(_, x)| x));
                let mut v = self.children(&refs)?.into_iter();
                let Some(f) = v.next() else { return Err(SyntaxError::new("internal error: compare", span)) };
                let rest: Vec<(ast::CmpOp, Expr)> = rest.iter().map(|(op, _)| *op).zip(v).collect();
                mk(E::Compare(Box::new(f), rest))
            }
            ExprKind::IfExp(c, a, b) => {
                if contains_suspend(a) || contains_suspend(b) {
                    let t = self.temp();
                    let cv = self.expr(c)?;
                    let j = self.emit(Op::JumpIfFalse(cv, 0));
                    let av = self.expr(a)?;
                    self.emit(Op::Assign(Target::Local(t), av));
                    let j2 = self.emit(Op::Jump(0));
                    let h = self.here();
                    self.patch(j, h);
                    let bv = self.expr(b)?;
                    self.emit(Op::Assign(Target::Local(t), bv));
                    let h = self.here();
                    self.patch(j2, h);
                    return mk(E::Local(t));
                }
                let cv = self.expr(c)?;
                let av = self.expr(a)?;
                let bv = self.expr(b)?;
                mk(E::IfExp(Box::new(cv), Box::new(av), Box::new(bv)))
            }
            ExprKind::Lambda(f) => self.make_function(f),
            ExprKind::ListComp(x, g) => self.comprehension(e, CompKind::List, &[&**x], g),
            ExprKind::SetComp(x, g) => self.comprehension(e, CompKind::Set, &[&**x], g),
            ExprKind::DictComp(kv, g) => self.comprehension(e, CompKind::Dict, &[&kv.0, &kv.1], g),
            ExprKind::GenExp(x, g) => self.comprehension(e, CompKind::Gen, &[&**x], g),
            ExprKind::Yield(v) => {
                let value = v.as_ref().map(|v| self.expr(v)).transpose()?;
                let t = self.temp();
                let saved = std::mem::replace(&mut self.cur_span, span);
                self.emit(Op::Yield { value, result: Some(Target::Local(t)) });
                self.cur_span = saved;
                mk(E::Local(t))
            }
            ExprKind::YieldFrom(x) | ExprKind::Await(x) => {
                let t = self.temp();
                self.delegate(x, matches!(e.kind, ExprKind::Await(_)), Some(Target::Local(t)), span)?;
                mk(E::Local(t))
            }
        }
    }

    fn fparts(&mut self, parts: &[FPart]) -> CResult<Vec<FPiece>> {
        let mut out = Vec::new();
        for p in parts {
            match p {
                FPart::Lit(s) => out.push(FPiece::Lit(Rc::from(s.as_str()))),
                FPart::Expr { expr, conv, spec } => {
                    let e = self.expr(expr)?;
                    let e = if fparts_suspend(spec) {
                        let t = self.temp();
                        let sp = e.span;
                        self.emit(Op::Assign(Target::Local(t), e));
                        Expr { kind: E::Local(t), span: sp }
                    } else {
                        e
                    };
                    let spec = self.fparts(spec)?;
                    out.push(FPiece::Field { expr: e, conv: *conv, spec });
                }
            }
        }
        Ok(out)
    }

    fn call(&mut self, f: &ast::Expr, args: &[Arg], span: Span) -> CResult<Expr> {
        // `super()` inside a method.
        if let ExprKind::Name(n) = f.kind {
            if n == sym::SUPER && args.is_empty() && self.place(n) == Place::Global {
                let sc = &self.res.scopes[self.scope];
                if sc.kind == Some(ScopeKind::Function) && !sc.params.is_empty() {
                    return Ok(Expr { kind: E::Super, span });
                }
            }
        }
        let (recv, method) = match &f.kind {
            ExprKind::Attribute(o, n) => (&**o, Some(*n)),
            _ => (f, None),
        };
        let mut kids: Vec<&ast::Expr> = vec![recv];
        for a in args {
            match a {
                Arg::Pos(x) | Arg::Star(x) | Arg::Kw(_, x, _) | Arg::DoubleStar(x) => kids.push(x),
            }
        }
        let mut v = self.children(&kids)?.into_iter();
        let Some(func) = v.next() else { return Err(SyntaxError::new("internal error: call", span)) };
        let mut call = Call { func, method, args: Vec::new(), kwargs: Vec::new(), has_star: false };
        for a in args {
            let Some(x) = v.next() else { break };
            match a {
                Arg::Pos(_) => call.args.push(x),
                Arg::Star(_) => {
                    call.has_star = true;
                    let sp = x.span;
                    call.args.push(Expr { kind: E::Star(Box::new(x)), span: sp });
                }
                Arg::Kw(n, _, _) => call.kwargs.push((Some(*n), x)),
                Arg::DoubleStar(_) => call.kwargs.push((None, x)),
            }
        }
        Ok(Expr { kind: E::Call(Box::new(call)), span })
    }

    fn closure_of(&self, inner: usize) -> Vec<u32> {
        let free = &self.res.scopes[inner].freevars;
        free.iter()
            .map(|n| match self.place(*n) {
                Place::Cell(c) => c,
                // The resolver makes every free variable of an inner scope a cell here.
                _ => 0,
            })
            .collect()
    }

    fn child_qualname(&self, name: &str) -> String {
        match self.kind {
            CodeKind::Module => name.to_string(),
            CodeKind::Class => format!("{}.{}", self.qualname, name),
            _ => format!("{}.<locals>.{}", self.qualname, name),
        }
    }

    fn make_function(&mut self, f: &Rc<ast::FuncDef>) -> CResult<Expr> {
        let span = f.span;
        let mut defaults = Vec::new();
        for p in &f.params.args {
            if let Some(d) = &p.default {
                defaults.push(self.expr(d)?);
            }
        }
        let mut kwdefaults = Vec::new();
        for p in &f.params.kwonly {
            kwdefaults.push(p.default.as_ref().map(|d| self.expr(d)).transpose()?);
        }
        let Some(&scope) = self.res.by_node.get(&node_key(&**f)) else {
            return Err(SyntaxError::new("internal error: function scope", span));
        };
        let qual = self.child_qualname(f.name.as_str());
        let mut c = Compiler::new(self.res, scope, CodeKind::Function, qual);
        c.cur_span = span;
        c.stmts(&f.body)?;
        c.cur_span = f.body.last().map(|s| s.span).unwrap_or(span);
        c.emit(Op::Return(None));
        let sc = &self.res.scopes[scope];
        let flavor = if sc.is_async {
            Flavor::Coroutine
        } else if sc.is_generator {
            Flavor::Generator
        } else {
            Flavor::Plain
        };
        let sig = Signature {
            args: f.params.args.iter().map(|p| p.name).collect(),
            vararg: f.params.vararg.is_some(),
            kwonly: f.params.kwonly.iter().map(|p| p.name).collect(),
            kwarg: f.params.kwarg.is_some(),
        };
        let code = Rc::new(c.finish(f.name, flavor, sig, span, false));
        let closure = self.closure_of(scope);
        Ok(Expr {
            kind: E::MakeFunction(Box::new(MakeFunction { code, defaults, kwdefaults, closure })),
            span,
        })
    }

    fn make_class(&mut self, cd: &Rc<ast::ClassDef>) -> CResult<Expr> {
        let span = cd.span;
        let refs: Vec<&ast::Expr> = cd.bases.iter().collect();
        let bases = self.children(&refs)?;
        let Some(&scope) = self.res.by_node.get(&node_key(&**cd)) else {
            return Err(SyntaxError::new("internal error: class scope", span));
        };
        let qual = self.child_qualname(cd.name.as_str());
        let mut c = Compiler::new(self.res, scope, CodeKind::Class, qual);
        c.cur_span = span;
        c.stmts(&cd.body)?;
        c.emit(Op::Return(None));
        let code = Rc::new(c.finish(cd.name, Flavor::Plain, Signature::default(), span, false));
        let closure = self.closure_of(scope);
        Ok(Expr { kind: E::MakeClass(Box::new(MakeClass { name: cd.name, bases, code, closure })), span })
    }

    fn comprehension(
        &mut self,
        e: &ast::Expr,
        kind: CompKind,
        elts: &[&ast::Expr],
        gens: &[ast::Comprehension],
    ) -> CResult<Expr> {
        let span = e.span;
        let iter = self.expr(&gens[0].iter)?;
        let Some(&scope) = self.res.by_node.get(&node_key(e)) else {
            return Err(SyntaxError::new("internal error: comprehension scope", span));
        };
        let name = match kind {
            CompKind::List => "<listcomp>",
            CompKind::Set => "<setcomp>",
            CompKind::Dict => "<dictcomp>",
            CompKind::Gen => "<genexpr>",
        };
        let qual = self.child_qualname(name);
        let mut c = Compiler::new(self.res, scope, CodeKind::Comprehension, qual);
        c.cur_span = span;
        let result = c.temp();
        let empty = match kind {
            CompKind::List => Some(E::List(Vec::new())),
            CompKind::Set => Some(E::Set(Vec::new())),
            CompKind::Dict => Some(E::Dict(Vec::new())),
            CompKind::Gen => None,
        };
        if let Some(k) = empty {
            c.emit(Op::Assign(Target::Local(result), Expr { kind: k, span }));
        }
        // Nested loops.
        let mut loops: Vec<(u32, usize)> = Vec::new();
        for (i, g) in gens.iter().enumerate() {
            let slot = if i == 0 {
                0
            } else {
                let it = c.expr(&g.iter)?;
                let s = c.temp();
                c.emit(Op::GetIter(it, s));
                s
            };
            let top = c.here();
            let t = c.target(&g.target)?;
            let fi = c.emit(Op::ForIter { iter: slot, target: t, exit: 0 });
            for cond in &g.ifs {
                let cv = c.expr(cond)?;
                c.emit(Op::JumpIfFalse(cv, top));
            }
            loops.push((top, fi));
        }
        match kind {
            CompKind::List => {
                let v = c.expr(elts[0])?;
                c.emit(Op::ListAppend(result, v));
            }
            CompKind::Set => {
                let v = c.expr(elts[0])?;
                c.emit(Op::SetAdd(result, v));
            }
            CompKind::Dict => {
                let k = c.expr(elts[0])?;
                let v = c.expr(elts[1])?;
                c.emit(Op::DictSet(result, k, v));
            }
            CompKind::Gen => {
                let v = c.expr(elts[0])?;
                c.emit(Op::Yield { value: Some(v), result: None });
            }
        }
        for (top, fi) in loops.into_iter().rev() {
            c.emit(Op::Jump(top));
            let h = c.here();
            c.patch(fi, h);
        }
        if kind == CompKind::Gen {
            c.emit(Op::Return(None));
        } else {
            c.emit(Op::Return(Some(Expr { kind: E::Local(result), span })));
        }
        let flavor = if kind == CompKind::Gen { Flavor::Generator } else { Flavor::Plain };
        let sig = Signature { args: vec![Symbol::intern(".0")], ..Default::default() };
        let code = Rc::new(c.finish(Symbol::intern(name), flavor, sig, span, false));
        let closure = self.closure_of(scope);
        Ok(Expr { kind: E::Comp(Box::new(Comp { kind, code, iter, closure })), span })
    }
}

fn call_expr(func: Expr, args: Vec<Expr>, span: Span) -> Expr {
    Expr {
        kind: E::Call(Box::new(Call { func, method: None, args, kwargs: Vec::new(), has_star: false })),
        span,
    }
}
