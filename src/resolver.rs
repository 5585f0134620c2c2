//! Resolver: scope analysis and the static checks.
//!
//! One walk over the AST builds a tree of scopes (module, functions, lambdas, classes,
//! comprehensions) recording what each binds, declares `global`/`nonlocal` and uses, and reports
//! the static syntax errors (`yield` outside a function, `break` outside a loop, ...). A second,
//! top-down pass decides for every name in every scope where it lives: a local slot, a cell
//! (captured by an inner function), a free variable (a cell of an enclosing function), the class
//! namespace, or the globals. `compile/` reads the result.

use crate::ast::*;
use crate::error::SyntaxError;
use crate::span::{Span, Symbol};
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Function,
    Class,
    Comprehension,
}

/// Where a name lives, as seen from one scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A slot of the frame.
    Local(u32),
    /// A cell: the scope's own captured variables first, then its free variables.
    Cell(u32),
    /// Module globals (then builtins).
    Global,
    /// A class body's namespace, falling back to globals.
    ClassNs,
}

#[derive(Debug, Default)]
pub struct Scope {
    pub kind: Option<ScopeKind>,
    pub name: Option<Symbol>,
    pub parent: Option<usize>,
    pub is_async: bool,
    pub is_generator: bool,
    /// Names bound in this scope, in order of first binding (parameters first).
    pub bound: Vec<Symbol>,
    bound_set: HashSet<Symbol>,
    pub globals: HashSet<Symbol>,
    pub nonlocals: HashSet<Symbol>,
    uses: Vec<Symbol>,
    /// Names read so far (not counting augmented assignments), for the check that `global` and
    /// `nonlocal` come before any use.
    read: HashSet<Symbol>,
    pub params: Vec<Symbol>,
    /// Names a comprehension assigns with `:=` (they belong to the enclosing function).
    walrus: HashSet<Symbol>,
    /// The first `return value` (an error in an async generator).
    returns_at: Option<Span>,
    /// Names some `del` statement here unbinds (the others, once bound, stay bound).
    pub deleted: HashSet<Symbol>,
    /// Simple names annotated here (`x: int`), which cannot be declared global or nonlocal.
    annotated: HashSet<Symbol>,
    /// Names an assignment expression (`:=`) here binds: they can change in the middle of an
    /// expression, so the compiler never reads them in place (`x + (x := 5)` adds the old x).
    pub walrus_targets: HashSet<Symbol>,
    /// Own variables captured by inner scopes (live in cells).
    pub cellvars: Vec<Symbol>,
    /// Variables of enclosing scopes used here or by inner scopes.
    pub freevars: Vec<Symbol>,
    /// Final placement of each name used or bound here.
    pub places: HashMap<Symbol, Place>,
    pub nslots: u32,
}

impl Scope {
    fn bind(&mut self, n: Symbol) {
        if self.bound_set.insert(n) {
            self.bound.push(n);
        }
    }
    fn is_local(&self, n: Symbol) -> bool {
        self.bound_set.contains(&n) && !self.globals.contains(&n) && !self.nonlocals.contains(&n)
    }
    /// Place of `n` here (defaults to Global for unknown names).
    pub fn place(&self, n: Symbol) -> Place {
        match self.places.get(&n) {
            Some(p) => *p,
            None => {
                if self.kind == Some(ScopeKind::Class) {
                    Place::ClassNs
                } else {
                    Place::Global
                }
            }
        }
    }
}

/// The result of resolving a module.
#[derive(Debug, Default)]
pub struct Resolution {
    pub scopes: Vec<Scope>,
    /// Scope of each function, lambda, class and comprehension, keyed by its AST node address.
    pub by_node: HashMap<usize, usize>,
}

/// `*` of `from m import *`.
pub fn is_star(a: &Alias) -> bool {
    a.path.len() == 1 && a.path[0].as_str() == "*"
}

pub fn node_key<T>(n: &T) -> usize {
    n as *const T as usize
}

/// Runs the static checks and scope analysis over a module.
pub fn resolve(m: &Module) -> Result<Resolution, SyntaxError> {
    let mut r = Resolver {
        res: Resolution::default(),
        cur: 0,
        loop_depth: 0,
        in_comp: None,
        in_comp_iter: false,
        nonlocal_spans: Vec::new(),
        future_ok: leading_future_imports(&m.body),
    };
    r.res.scopes.push(Scope { kind: Some(ScopeKind::Module), ..Default::default() });
    r.stmts(&m.body)?;
    r.place_all()?;
    Ok(r.res)
}

struct Resolver {
    res: Resolution,
    cur: usize,
    loop_depth: usize,
    /// The kind of comprehension being walked, for "'yield' inside list comprehension".
    in_comp: Option<&'static str>,
    /// Walking a comprehension's iterable (where `:=` is not allowed).
    in_comp_iter: bool,
    /// Every `nonlocal` name with its scope and statement, checked once all scopes are known.
    nonlocal_spans: Vec<(usize, Symbol, Span)>,
    /// Where the `from __future__` imports at the start of the module begin (the only place
    /// they may be).
    future_ok: Vec<u32>,
}

/// The starts of the `from __future__` imports that open the module (after its docstring, if
/// any), where CPython allows them.
fn leading_future_imports(body: &[Stmt]) -> Vec<u32> {
    let docstring = matches!(body.first(), Some(Stmt { kind: StmtKind::Expr(e), .. }) if matches!(e.kind, ExprKind::Str(_)));
    body.iter()
        .skip(usize::from(docstring))
        .map_while(|s| match &s.kind {
            StmtKind::ImportFrom(m, _) if is_future(m) => Some(s.span.start),
            _ => None,
        })
        .collect()
}

fn is_future(module: &[Symbol]) -> bool {
    matches!(module, [m] if m.as_str() == "__future__")
}

impl Resolver {
    fn scope(&mut self) -> &mut Scope {
        &mut self.res.scopes[self.cur]
    }
    fn kind(&self) -> ScopeKind {
        self.res.scopes[self.cur].kind.unwrap_or(ScopeKind::Module)
    }
    fn new_scope(&mut self, kind: ScopeKind, name: Symbol, key: usize) -> usize {
        let id = self.res.scopes.len();
        self.res.scopes.push(Scope {
            kind: Some(kind),
            name: Some(name),
            parent: Some(self.cur),
            ..Default::default()
        });
        self.res.by_node.insert(key, id);
        id
    }

    fn stmts(&mut self, body: &[Stmt]) -> Result<(), SyntaxError> {
        for s in body {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt) -> Result<(), SyntaxError> {
        match &s.kind {
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::Assign(targets, v) => {
                self.expr(v)?;
                for t in targets {
                    self.target(t)?;
                }
                Ok(())
            }
            // `x: int`: a simple name is local to a function, even with no value to bind it
            // (CPython's rule), and cannot be declared global or nonlocal; without a value, an
            // attribute's object, a subscript's object and index are evaluated.
            StmtKind::Annotated(a) => {
                let Annotated { target, value, simple, .. } = &**a;
                if let Some(v) = value {
                    self.expr(v)?;
                }
                match &target.kind {
                    ExprKind::Name(n) if *simple => {
                        let n = *n;
                        if self.scope().globals.contains(&n) {
                            return Err(annotated_declared(n, "global", target.span));
                        }
                        if self.scope().nonlocals.contains(&n) {
                            return Err(annotated_declared(n, "nonlocal", target.span));
                        }
                        self.scope().annotated.insert(n);
                        self.target(target)
                    }
                    _ if value.is_some() => self.target(target),
                    ExprKind::Name(_) => Ok(()),
                    _ => self.expr(target),
                }
            }
            StmtKind::AugAssign(t, _, v) => {
                self.expr(v)?;
                if let ExprKind::Name(n) = t.kind {
                    self.scope().uses.push(n);
                }
                self.target(t)
            }
            StmtKind::If(c) => {
                let Conditional { test: t, body: b, orelse: o } = &**c;
                self.expr(t)?;
                self.stmts(b)?;
                self.stmts(o)
            }
            StmtKind::While(c) => {
                let Conditional { test: t, body: b, orelse: o } = &**c;
                self.expr(t)?;
                self.loop_depth += 1;
                self.stmts(b)?;
                self.loop_depth -= 1;
                self.stmts(o)
            }
            StmtKind::For(l) | StmtKind::AsyncFor(l) => {
                if matches!(s.kind, StmtKind::AsyncFor(_)) {
                    self.async_check(s.span, "'async for' outside async function")?;
                }
                let ForLoop { target: t, iter: it, body: b, orelse: o } = &**l;
                self.expr(it)?;
                self.target(t)?;
                self.loop_depth += 1;
                self.stmts(b)?;
                self.loop_depth -= 1;
                self.stmts(o)
            }
            StmtKind::Break => {
                if self.loop_depth == 0 {
                    return Err(SyntaxError::new("'break' outside loop", s.span)
                        .with_label("`break` must be inside a `for` or `while` loop"));
                }
                Ok(())
            }
            StmtKind::Continue => {
                if self.loop_depth == 0 {
                    return Err(SyntaxError::new("'continue' not properly in loop", s.span)
                        .with_label("`continue` must be inside a `for` or `while` loop"));
                }
                Ok(())
            }
            StmtKind::Pass => Ok(()),
            StmtKind::FunctionDef(f) => {
                for d in &f.decorators {
                    self.expr(d)?;
                }
                self.function(f)?;
                self.scope().bind(f.name);
                Ok(())
            }
            StmtKind::ClassDef(c) => {
                for d in &c.decorators {
                    self.expr(d)?;
                }
                for b in &c.bases {
                    self.expr(b)?;
                }
                let id = self.new_scope(ScopeKind::Class, c.name, node_key(&**c));
                let (saved, saved_loop) = (self.cur, self.loop_depth);
                self.cur = id;
                self.loop_depth = 0;
                self.stmts(&c.body)?;
                self.cur = saved;
                self.loop_depth = saved_loop;
                self.scope().bind(c.name);
                Ok(())
            }
            StmtKind::Return(v) => {
                if self.kind() != ScopeKind::Function {
                    return Err(SyntaxError::new("'return' outside function", s.span)
                        .with_label("`return` only works inside a `def`"));
                }
                if let Some(v) = v {
                    self.expr(v)?;
                    if self.scope().returns_at.is_none() {
                        self.scope().returns_at = Some(s.span);
                    }
                }
                Ok(())
            }
            StmtKind::Try(tb) => {
                let TryBlock { body, handlers, orelse, finalbody } = &**tb;
                self.stmts(body)?;
                for h in handlers {
                    if let Some(t) = &h.typ {
                        self.expr(t)?;
                    }
                    if let Some((n, _)) = h.name {
                        self.scope().bind(n);
                        // `except E as n:` unbinds `n` when the clause ends.
                        self.scope().deleted.insert(n);
                    }
                    self.stmts(&h.body)?;
                }
                self.stmts(orelse)?;
                self.stmts(finalbody)
            }
            StmtKind::Raise(e, c) => {
                if let Some(e) = e {
                    self.expr(e)?;
                }
                if let Some(c) = c {
                    self.expr(c)?;
                }
                Ok(())
            }
            StmtKind::Global(names) => {
                for &n in names {
                    if self.scope().params.contains(&n) {
                        return Err(SyntaxError::new(
                            format!("name '{}' is parameter and global", n),
                            s.span,
                        ));
                    }
                    if self.scope().nonlocals.contains(&n) {
                        return Err(SyntaxError::new(format!("name '{}' is nonlocal and global", n), s.span));
                    }
                    if self.scope().annotated.contains(&n) {
                        return Err(annotated_declared(n, "global", s.span));
                    }
                    self.declared_first(n, "global", s.span)?;
                    self.scope().globals.insert(n);
                }
                Ok(())
            }
            StmtKind::Nonlocal(names) => {
                if self.kind() == ScopeKind::Module {
                    return Err(SyntaxError::new("nonlocal declaration not allowed at module level", s.span)
                        .with_label("`nonlocal` only works inside a nested function")
                        .with_help("at module level, use `global` or just assign the name"));
                }
                for &n in names {
                    if self.scope().params.contains(&n) {
                        return Err(SyntaxError::new(
                            format!("name '{}' is parameter and nonlocal", n),
                            s.span,
                        ));
                    }
                    if self.scope().globals.contains(&n) {
                        return Err(SyntaxError::new(format!("name '{}' is nonlocal and global", n), s.span));
                    }
                    if self.scope().annotated.contains(&n) {
                        return Err(annotated_declared(n, "nonlocal", s.span));
                    }
                    self.declared_first(n, "nonlocal", s.span)?;
                    self.scope().nonlocals.insert(n);
                    // Checked once all scopes are known (`place_all`): remember where it was said.
                    self.scope().uses.push(n);
                    self.nonlocal_spans.push((self.cur, n, s.span));
                }
                Ok(())
            }
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.note_deleted(t);
                    self.target(t)?;
                }
                Ok(())
            }
            StmtKind::Assert(t, m) => {
                self.expr(t)?;
                if let Some(m) = m {
                    self.expr(m)?;
                }
                Ok(())
            }
            StmtKind::Import(names) => {
                for a in names {
                    let n = a.asname.unwrap_or(a.path[0]);
                    self.scope().bind(n);
                }
                Ok(())
            }
            StmtKind::ImportFrom(module, names) => {
                // A compiler directive in CPython, checked as it checks it.
                if is_future(module) {
                    if !self.future_ok.contains(&s.span.start) {
                        return Err(SyntaxError::new(
                            "from __future__ imports must occur at the beginning of the file",
                            s.span,
                        )
                        .with_help("move it to the top, after the docstring if there is one"));
                    }
                    for a in names {
                        let f = a.path[0].as_str();
                        if f == "braces" {
                            return Err(SyntaxError::new("not a chance", a.span));
                        }
                        if !crate::names::FUTURE_FEATURES.contains(&f) {
                            return Err(SyntaxError::new(
                                format!("future feature {f} is not defined"),
                                a.span,
                            ));
                        }
                    }
                }
                if let Some(star) = names.iter().find(|a| is_star(a)) {
                    if self.kind() != ScopeKind::Module {
                        return Err(SyntaxError::new("import * only allowed at module level", star.span));
                    }
                    // The names it binds are known when it runs: globals, looked up by name.
                    return Ok(());
                }
                for a in names {
                    let n = a.asname.unwrap_or(a.path[0]);
                    self.scope().bind(n);
                }
                Ok(())
            }
            StmtKind::With(items, body) | StmtKind::AsyncWith(items, body) => {
                if matches!(s.kind, StmtKind::AsyncWith(..)) {
                    self.async_check(s.span, "'async with' outside async function")?;
                }
                for it in items {
                    self.expr(&it.ctx)?;
                    if let Some(t) = &it.target {
                        self.target(t)?;
                    }
                }
                self.stmts(body)
            }
        }
    }

    fn function(&mut self, f: &FuncDef) -> Result<(), SyntaxError> {
        for p in f.params.args.iter().chain(f.params.kwonly.iter()) {
            if let Some(d) = &p.default {
                self.expr(d)?;
            }
        }
        let id = self.new_scope(ScopeKind::Function, f.name, node_key(f));
        let (saved, saved_loop, saved_comp) = (self.cur, self.loop_depth, self.in_comp.take());
        self.cur = id;
        self.loop_depth = 0;
        self.scope().is_async = f.is_async;
        for p in f.params.all() {
            self.scope().params.push(p.name);
            self.scope().bind(p.name);
        }
        let r = self.stmts(&f.body);
        self.cur = saved;
        self.loop_depth = saved_loop;
        self.in_comp = saved_comp;
        r?;
        let sc = &self.res.scopes[id];
        if let (true, true, Some(at)) = (sc.is_async, sc.is_generator, sc.returns_at) {
            return Err(SyntaxError::new("'return' with value in async generator", at)
                .with_help("an async generator ends with a plain `return`; `yield` its last value"));
        }
        Ok(())
    }

    /// `global x` / `nonlocal x` after `x` was read or assigned in the same scope is an error in
    /// Python (the declaration holds for the whole scope, so it must come first).
    fn declared_first(&mut self, n: Symbol, what: &str, span: Span) -> Result<(), SyntaxError> {
        let done = if self.scope().read.contains(&n) {
            "is used prior to"
        } else if self.scope().bound_set.contains(&n) {
            "is assigned to before"
        } else {
            return Ok(());
        };
        Err(SyntaxError::new(format!("name '{n}' {done} {what} declaration"), span)
            .with_help(format!("move `{what} {n}` above the first use of `{n}`")))
    }

    /// Names bound by an assignment target; sub-expressions (attribute objects, subscripts) are uses.
    fn note_deleted(&mut self, t: &Expr) {
        match &t.kind {
            ExprKind::Name(n) => {
                self.scope().deleted.insert(*n);
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items {
                    self.note_deleted(i);
                }
            }
            _ => {}
        }
    }

    fn target(&mut self, t: &Expr) -> Result<(), SyntaxError> {
        match &t.kind {
            ExprKind::Name(n) => {
                self.scope().bind(*n);
                Ok(())
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items {
                    self.target(i)?;
                }
                Ok(())
            }
            ExprKind::Starred(inner) => self.target(inner),
            _ => self.expr(t),
        }
    }

    /// The target of `n := ...`: bound in the scope it is in, except in a comprehension, where
    /// it binds in the nearest enclosing function or module (PEP 572), as a free variable or a
    /// global of the comprehensions between.
    fn named_target(&mut self, n: Symbol, span: Span) -> Result<(), SyntaxError> {
        if self.in_comp_iter {
            return Err(SyntaxError::new(
                "assignment expression cannot be used in a comprehension iterable expression",
                span,
            ));
        }
        let mut sc = self.cur;
        let mut comps = Vec::new();
        while self.res.scopes[sc].kind == Some(ScopeKind::Comprehension) {
            let s = &self.res.scopes[sc];
            if s.bound_set.contains(&n) && !s.walrus.contains(&n) {
                return Err(SyntaxError::new(
                    format!("assignment expression cannot rebind comprehension iteration variable '{}'", n),
                    span,
                ));
            }
            comps.push(sc);
            match self.res.scopes[sc].parent {
                Some(p) => sc = p,
                None => break,
            }
        }
        if comps.is_empty() {
            self.scope().bind(n);
            self.scope().walrus_targets.insert(n);
            return Ok(());
        }
        let outer = &self.res.scopes[sc];
        if outer.kind == Some(ScopeKind::Class) {
            return Err(SyntaxError::new(
                "assignment expression within a comprehension cannot be used in a class body",
                span,
            ));
        }
        let global = outer.kind == Some(ScopeKind::Module) || outer.globals.contains(&n);
        if !outer.nonlocals.contains(&n) && !outer.globals.contains(&n) {
            self.res.scopes[sc].bind(n);
        }
        for c in comps {
            let s = &mut self.res.scopes[c];
            if global {
                s.globals.insert(n);
            } else {
                s.nonlocals.insert(n);
                s.uses.push(n);
            }
            s.bind(n);
            s.walrus.insert(n);
        }
        Ok(())
    }

    fn comprehension(
        &mut self,
        e: &Expr,
        kind: &'static str,
        elts: &[&Expr],
        gens: &[Comprehension],
    ) -> Result<(), SyntaxError> {
        // The first iterable is evaluated in the enclosing scope.
        let saved_iter = std::mem::replace(&mut self.in_comp_iter, true);
        let r = self.expr(&gens[0].iter);
        self.in_comp_iter = saved_iter;
        r?;
        let id = self.new_scope(ScopeKind::Comprehension, Symbol::intern(kind_name(kind)), node_key(e));
        let saved = self.cur;
        let saved_comp = self.in_comp.replace(kind);
        self.cur = id;
        // Slot 0 holds the iterator of the first iterable, passed in like a parameter.
        let dot0 = Symbol::intern(".0");
        self.scope().params.push(dot0);
        self.scope().bind(dot0);
        let r = (|| {
            for (i, g) in gens.iter().enumerate() {
                if i > 0 {
                    let saved_iter = std::mem::replace(&mut self.in_comp_iter, true);
                    let r = self.expr(&g.iter);
                    self.in_comp_iter = saved_iter;
                    r?;
                }
                if g.is_async {
                    self.async_check(
                        e.span,
                        "asynchronous comprehension outside of an asynchronous function",
                    )?;
                }
                self.target(&g.target)?;
                for c in &g.ifs {
                    self.expr(c)?;
                }
            }
            for x in elts {
                self.expr(x)?;
            }
            Ok(())
        })();
        self.cur = saved;
        self.in_comp = saved_comp;
        r
    }

    fn expr(&mut self, e: &Expr) -> Result<(), SyntaxError> {
        match &e.kind {
            ExprKind::Name(n) => {
                self.scope().uses.push(*n);
                self.scope().read.insert(*n);
                Ok(())
            }
            ExprKind::NamedExpr(n, x) => {
                self.expr(x)?;
                self.named_target(*n, e.span)
            }
            ExprKind::Int(_)
            | ExprKind::BigInt(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::True
            | ExprKind::False
            | ExprKind::None
            | ExprKind::Ellipsis => Ok(()),
            ExprKind::FString(parts) => self.fparts(parts),
            ExprKind::Tuple(items) | ExprKind::List(items) | ExprKind::Set(items) => {
                for i in items {
                    self.expr(i)?;
                }
                Ok(())
            }
            ExprKind::Dict(pairs) => {
                for (k, v) in pairs {
                    if let Some(k) = k {
                        self.expr(k)?;
                    }
                    self.expr(v)?;
                }
                Ok(())
            }
            ExprKind::Starred(x) | ExprKind::Attribute(x, _) => self.expr(x),
            ExprKind::Subscript(a, b) | ExprKind::BinOp(_, a, b) | ExprKind::BoolOp(_, a, b) => {
                self.expr(a)?;
                self.expr(b)
            }
            ExprKind::Slice(a, b, c) => {
                for x in [a, b, c].into_iter().flatten() {
                    self.expr(x)?;
                }
                Ok(())
            }
            ExprKind::Call(f, args) => {
                self.expr(f)?;
                for a in args {
                    match a {
                        Arg::Pos(x) | Arg::Star(x) | Arg::DoubleStar(x) | Arg::Kw(_, x, _) => self.expr(x)?,
                    }
                }
                Ok(())
            }
            ExprKind::Unary(_, x) => self.expr(x),
            ExprKind::Compare(first, rest) => {
                self.expr(first)?;
                for (_, x) in rest {
                    self.expr(x)?;
                }
                Ok(())
            }
            ExprKind::IfExp(c, a, b) => {
                self.expr(a)?;
                self.expr(c)?;
                self.expr(b)
            }
            ExprKind::Lambda(f) => self.function(f),
            ExprKind::ListComp(x, g) => self.comprehension(e, "list", &[x], g),
            ExprKind::SetComp(x, g) => self.comprehension(e, "set", &[x], g),
            ExprKind::DictComp(kv, g) => self.comprehension(e, "dict", &[&kv.0, &kv.1], g),
            ExprKind::GenExp(x, g) => {
                self.comprehension(e, "generator", &[x], g)?;
                Ok(())
            }
            ExprKind::Yield(x) => {
                self.yield_check(e.span, "yield")?;
                if let Some(x) = x {
                    self.expr(x)?;
                }
                Ok(())
            }
            ExprKind::YieldFrom(x) => {
                self.yield_check(e.span, "yield from")?;
                if self.res.scopes[self.cur].is_async {
                    return Err(SyntaxError::new("'yield from' inside async function", e.span)
                        .with_help("use `await` in an `async def`"));
                }
                self.expr(x)
            }
            ExprKind::Await(x) => {
                self.async_check(e.span, "'await' outside async function")?;
                self.expr(x)
            }
        }
    }

    /// `await`, `async for`, `async with` or an asynchronous comprehension at `span`: allowed
    /// in an `async def` and at the top level (which runs as a coroutine); the comprehensions
    /// around it become asynchronous too.
    fn async_check(&mut self, span: Span, msg: &str) -> Result<(), SyntaxError> {
        let mut sc = self.cur;
        let mut comps = Vec::new();
        while self.res.scopes[sc].kind == Some(ScopeKind::Comprehension) {
            comps.push(sc);
            match self.res.scopes[sc].parent {
                Some(p) => sc = p,
                None => break,
            }
        }
        let outer = &self.res.scopes[sc];
        let ok = match outer.kind {
            Some(ScopeKind::Module) | None => true,
            Some(ScopeKind::Function) => outer.is_async,
            Some(ScopeKind::Class) | Some(ScopeKind::Comprehension) => false,
        };
        if !ok {
            let msg = if comps.is_empty() {
                msg
            } else {
                "asynchronous comprehension outside of an asynchronous function"
            };
            let label = if msg.starts_with("'await'") {
                "`await` needs an `async def` around it"
            } else {
                "this needs an `async def` around it"
            };
            return Err(SyntaxError::new(msg, span)
                .with_label(label)
                .with_help("make the enclosing function `async def`"));
        }
        for c in comps {
            self.res.scopes[c].is_async = true;
        }
        Ok(())
    }

    fn yield_check(&mut self, span: Span, what: &str) -> Result<(), SyntaxError> {
        if let Some(kind) = self.in_comp {
            return Err(SyntaxError::new(format!("'{}' inside {}", what, kind_name(kind)), span));
        }
        match self.kind() {
            ScopeKind::Function => {
                self.scope().is_generator = true;
                Ok(())
            }
            _ => Err(SyntaxError::new(format!("'{}' outside function", what), span)
                .with_label(format!("`{}` only works inside a `def`", what))),
        }
    }

    fn fparts(&mut self, parts: &[FPart]) -> Result<(), SyntaxError> {
        for p in parts {
            if let FPart::Expr { expr, spec, .. } = p {
                self.expr(expr)?;
                self.fparts(spec)?;
            }
        }
        Ok(())
    }

    /// Decides every name's place, top-down: cells, free variables, slots.
    fn place_all(&mut self) -> Result<(), SyntaxError> {
        // Children of each scope.
        let n = self.res.scopes.len();
        // 1. Free-variable resolution: for each use or nonlocal in scope s, find the defining
        //    function scope up the chain (skipping classes), mark cells and pass-throughs.
        for s in 0..n {
            let uses = std::mem::take(&mut self.res.scopes[s].uses);
            for &name in &uses {
                self.resolve_use(s, name);
            }
            self.res.scopes[s].uses = uses;
        }
        for &(s, name, span) in &self.nonlocal_spans.clone() {
            if !self.res.scopes[s].freevars.contains(&name) {
                return Err(SyntaxError::new(format!("no binding for nonlocal '{}' found", name), span)
                    .with_label("no enclosing function assigns this name")
                    .with_help("`nonlocal x` refers to a variable `x` of an enclosing `def`"));
            }
        }
        // 2. Places: slots for plain locals, cells for captured ones and free ones.
        for s in 0..n {
            let sc = &mut self.res.scopes[s];
            let kind = sc.kind.unwrap_or(ScopeKind::Module);
            let mut places = HashMap::new();
            let mut cell = 0u32;
            for &c in &sc.cellvars {
                places.insert(c, Place::Cell(cell));
                cell += 1;
            }
            for &f in &sc.freevars {
                places.insert(f, Place::Cell(cell));
                cell += 1;
            }
            let mut slot = 0u32;
            // Parameters take the first slots even when they live in cells (copied at entry).
            for &p in &sc.params.clone() {
                places.entry(p).or_insert(Place::Local(slot));
                slot += 1;
            }
            for &b in &sc.bound.clone() {
                if places.contains_key(&b) || sc.globals.contains(&b) {
                    continue;
                }
                match kind {
                    ScopeKind::Function | ScopeKind::Comprehension => {
                        places.insert(b, Place::Local(slot));
                        slot += 1;
                    }
                    ScopeKind::Class => {
                        places.insert(b, Place::ClassNs);
                    }
                    ScopeKind::Module => {}
                }
            }
            for &g in &sc.globals {
                places.insert(g, Place::Global);
            }
            sc.places = places;
            sc.nslots = slot;
        }
        Ok(())
    }

    fn resolve_use(&mut self, s: usize, name: Symbol) {
        let sc = &self.res.scopes[s];
        if sc.globals.contains(&name) {
            return;
        }
        let kind = sc.kind.unwrap_or(ScopeKind::Module);
        if sc.is_local(name) && kind != ScopeKind::Module {
            return;
        }
        if kind == ScopeKind::Module {
            return;
        }
        // Walk up to find a function scope binding `name`.
        let mut path = vec![s];
        let mut cur = sc.parent;
        while let Some(p) = cur {
            let ps = &self.res.scopes[p];
            match ps.kind.unwrap_or(ScopeKind::Module) {
                ScopeKind::Module => return,
                ScopeKind::Class => {
                    path.push(p);
                }
                ScopeKind::Function | ScopeKind::Comprehension => {
                    if ps.globals.contains(&name) {
                        return;
                    }
                    if ps.is_local(name) {
                        if !ps.cellvars.contains(&name) {
                            self.res.scopes[p].cellvars.push(name);
                        }
                        for &q in &path {
                            if !self.res.scopes[q].freevars.contains(&name) {
                                self.res.scopes[q].freevars.push(name);
                            }
                        }
                        return;
                    }
                    path.push(p);
                }
            }
            cur = self.res.scopes[p].parent;
        }
    }
}

fn kind_name(kind: &str) -> &'static str {
    match kind {
        "list" => "list comprehension",
        "set" => "set comprehension",
        "dict" => "dict comprehension",
        _ => "generator expression",
    }
}

/// CPython's error for a simple name both annotated and declared `global` or `nonlocal`, in
/// either order.
fn annotated_declared(n: Symbol, what: &str, span: Span) -> SyntaxError {
    SyntaxError::new(format!("annotated name '{n}' can't be {what}"), span)
        .with_help(format!("drop the annotation, or the `{what} {n}`"))
}
