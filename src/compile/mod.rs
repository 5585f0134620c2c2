//! Compiler: AST + resolution to `Code` (flat ops, expression trees).
//!
//! Control flow becomes jumps and try blocks; names become slots, cells or global lookups as the
//! resolver decided. Every `yield`/`await` inside an expression is lifted into its own op: the
//! operands evaluated before it are spilled into temporary slots, so that no half-evaluated
//! expression is alive while a frame is suspended (Python's left-to-right order is kept).
//!
//! `mod.rs` holds the compiler's state and helpers and the suspension analysis; `stmt.rs`
//! compiles statements (control flow, targets, `with`, `try`), `expr.rs` expressions (calls,
//! f-strings, function and class objects, comprehensions).

mod expr;
mod stmt;

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

pub fn stmt_suspends(s: &Stmt) -> bool {
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
            bc: None,
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
}

fn call_expr(func: Expr, args: Vec<Expr>, span: Span) -> Expr {
    Expr {
        kind: E::Call(Box::new(Call {
            method_span: func.span,
            func,
            method: None,
            args,
            kwargs: Vec::new(),
            has_star: false,
        })),
        span,
    }
}
