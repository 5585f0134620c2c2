//! `tinyasync parse`: the AST in a readable indented form.
//!
//! Statements are one per line, indented by nesting, with their `line:col`; expressions are
//! written in prefix form with every operator parenthesised, so precedence is visible:
//! `1 + 2 * 3` prints as `(+ 1 (* 2 3))`.

use crate::ast::*;
use crate::line_index::LineIndex;
use std::fmt::Write;

pub fn print_module(m: &Module, src: &str) -> String {
    let mut p = Printer { out: String::new(), src, lines: LineIndex::new(src) };
    p.block(&m.body, 0);
    p.out
}

struct Printer<'s> {
    out: String,
    src: &'s str,
    lines: LineIndex,
}

fn repr_str(s: &str) -> String {
    crate::value::repr_str(s)
}

impl Printer<'_> {
    fn line(&mut self, depth: usize, text: &str, span: crate::span::Span) {
        let (l, c) = self.lines.line_col(self.src, span.start as usize);
        let _ = writeln!(self.out, "{}{}  @{}:{}", "  ".repeat(depth), text, l, c);
    }
    fn plain(&mut self, depth: usize, text: &str) {
        let _ = writeln!(self.out, "{}{}", "  ".repeat(depth), text);
    }

    fn block(&mut self, body: &[Stmt], depth: usize) {
        for s in body {
            self.stmt(s, depth);
        }
    }

    fn stmt(&mut self, s: &Stmt, d: usize) {
        match &s.kind {
            StmtKind::Expr(e) => self.line(d, &format!("expr {}", expr(e)), s.span),
            StmtKind::Assign(targets, v) => {
                let t: Vec<String> = targets.iter().map(expr).collect();
                self.line(d, &format!("assign {} = {}", t.join(" = "), expr(v)), s.span)
            }
            StmtKind::AugAssign(t, op, v) => {
                self.line(d, &format!("augassign {} {}= {}", expr(t), op.symbol(), expr(v)), s.span)
            }
            StmtKind::Annotated(a) => {
                let value = a.value.as_ref().map_or(String::new(), |v| format!(" = {}", expr(v)));
                self.line(d, &format!("annotated {}{}", expr(&a.target), value), s.span)
            }
            StmtKind::If(c) => {
                let Conditional { test, body, orelse } = &**c;
                self.line(d, &format!("if {}", expr(test)), s.span);
                self.block(body, d + 1);
                if !orelse.is_empty() {
                    self.plain(d, "else");
                    self.block(orelse, d + 1);
                }
            }
            StmtKind::While(c) => {
                let Conditional { test, body, orelse } = &**c;
                self.line(d, &format!("while {}", expr(test)), s.span);
                self.block(body, d + 1);
                if !orelse.is_empty() {
                    self.plain(d, "else");
                    self.block(orelse, d + 1);
                }
            }
            StmtKind::For(f) | StmtKind::AsyncFor(f) => {
                let ForLoop { target: t, iter: it, body, orelse } = &**f;
                let kw = if matches!(s.kind, StmtKind::AsyncFor(_)) { "async for" } else { "for" };
                self.line(d, &format!("{} {} in {}", kw, expr(t), expr(it)), s.span);
                self.block(body, d + 1);
                if !orelse.is_empty() {
                    self.plain(d, "else");
                    self.block(orelse, d + 1);
                }
            }
            StmtKind::Break => self.line(d, "break", s.span),
            StmtKind::Continue => self.line(d, "continue", s.span),
            StmtKind::Pass => self.line(d, "pass", s.span),
            StmtKind::FunctionDef(f) => self.funcdef(f, d),
            StmtKind::ClassDef(c) => {
                for dec in &c.decorators {
                    self.plain(d, &format!("@{}", expr(dec)));
                }
                let bases: Vec<String> = c.bases.iter().map(expr).collect();
                self.line(d, &format!("class {}({})", c.name, bases.join(", ")), c.span);
                self.block(&c.body, d + 1);
            }
            StmtKind::Return(v) => match v {
                Some(v) => self.line(d, &format!("return {}", expr(v)), s.span),
                None => self.line(d, "return", s.span),
            },
            StmtKind::Try(t) => {
                let TryBlock { body, handlers, orelse, finalbody } = &**t;
                self.line(d, "try", s.span);
                self.block(body, d + 1);
                for h in handlers {
                    let mut head = "except".to_string();
                    if let Some(t) = &h.typ {
                        head.push(' ');
                        head.push_str(&expr(t));
                    }
                    if let Some((n, _)) = &h.name {
                        let _ = write!(head, " as {}", n);
                    }
                    self.line(d, &head, h.span);
                    self.block(&h.body, d + 1);
                }
                if !orelse.is_empty() {
                    self.plain(d, "else");
                    self.block(orelse, d + 1);
                }
                if !finalbody.is_empty() {
                    self.plain(d, "finally");
                    self.block(finalbody, d + 1);
                }
            }
            StmtKind::Raise(e, cause) => {
                let mut t = "raise".to_string();
                if let Some(e) = e {
                    let _ = write!(t, " {}", expr(e));
                }
                if let Some(c) = cause {
                    let _ = write!(t, " from {}", expr(c));
                }
                self.line(d, &t, s.span)
            }
            StmtKind::Global(names) => self.line(d, &format!("global {}", join_syms(names)), s.span),
            StmtKind::Nonlocal(names) => self.line(d, &format!("nonlocal {}", join_syms(names)), s.span),
            StmtKind::Delete(ts) => {
                let t: Vec<String> = ts.iter().map(expr).collect();
                self.line(d, &format!("del {}", t.join(", ")), s.span)
            }
            StmtKind::Assert(t, m) => match m {
                Some(m) => self.line(d, &format!("assert {}, {}", expr(t), expr(m)), s.span),
                None => self.line(d, &format!("assert {}", expr(t)), s.span),
            },
            StmtKind::Import(names) => self.line(d, &format!("import {}", aliases(names)), s.span),
            StmtKind::ImportFrom(m, names) => {
                self.line(d, &format!("from {} import {}", dotted(m), aliases(names)), s.span)
            }
            StmtKind::With(items, body) | StmtKind::AsyncWith(items, body) => {
                let kw = if matches!(s.kind, StmtKind::AsyncWith(..)) { "async with" } else { "with" };
                let its: Vec<String> = items
                    .iter()
                    .map(|i| match &i.target {
                        Some(t) => format!("{} as {}", expr(&i.ctx), expr(t)),
                        None => expr(&i.ctx),
                    })
                    .collect();
                self.line(d, &format!("{} {}", kw, its.join(", ")), s.span);
                self.block(body, d + 1);
            }
        }
    }

    fn funcdef(&mut self, f: &FuncDef, d: usize) {
        for dec in &f.decorators {
            self.plain(d, &format!("@{}", expr(dec)));
        }
        let kw = if f.is_async { "async def" } else { "def" };
        self.line(d, &format!("{} {}({})", kw, f.name, params(&f.params)), f.span);
        self.block(&f.body, d + 1);
    }
}

fn join_syms(names: &[crate::span::Symbol]) -> String {
    names.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ")
}

fn dotted(p: &[crate::span::Symbol]) -> String {
    p.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(".")
}

fn aliases(names: &[Alias]) -> String {
    names
        .iter()
        .map(|a| match a.asname {
            Some(n) => format!("{} as {}", dotted(&a.path), n),
            None => dotted(&a.path),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn params(p: &Params) -> String {
    let mut parts = Vec::new();
    let param = |q: &Param, prefix: &str| match &q.default {
        Some(dv) => format!("{}{}={}", prefix, q.name, expr(dv)),
        None => format!("{}{}", prefix, q.name),
    };
    for (i, a) in p.args.iter().enumerate() {
        parts.push(param(a, ""));
        if i + 1 == p.posonly {
            parts.push("/".into());
        }
    }
    if let Some(v) = &p.vararg {
        parts.push(param(v, "*"));
    } else if !p.kwonly.is_empty() {
        parts.push("*".into());
    }
    for a in &p.kwonly {
        parts.push(param(a, ""));
    }
    if let Some(k) = &p.kwarg {
        parts.push(param(k, "**"));
    }
    parts.join(", ")
}

fn comps(gens: &[Comprehension]) -> String {
    let mut s = String::new();
    for g in gens {
        let kw = if g.is_async { "async for" } else { "for" };
        let _ = write!(s, " ({} {} in {}", kw, expr(&g.target), expr(&g.iter));
        for i in &g.ifs {
            let _ = write!(s, " if {}", expr(i));
        }
        s.push(')');
    }
    s
}

fn fparts(parts: &[FPart]) -> String {
    let mut s = String::new();
    for p in parts {
        match p {
            FPart::Lit(l) => {
                s.push(' ');
                s.push_str(&repr_str(l));
            }
            FPart::Expr { expr: e, conv, spec } => {
                let _ = write!(s, " {{{}", expr(e));
                if let Some(c) = conv {
                    let _ = write!(s, " !{}", c);
                }
                if !spec.is_empty() {
                    let _ = write!(s, " :{}", fparts(spec));
                }
                s.push('}');
            }
        }
    }
    s
}

fn list(items: &[Expr]) -> String {
    items.iter().map(|e| format!(" {}", expr(e))).collect()
}

/// An expression in prefix form.
pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.to_string(),
        ExprKind::Int(v) => v.to_string(),
        ExprKind::BigInt(b) => b.to_string(),
        ExprKind::Float(f) => crate::value::float_repr(*f),
        ExprKind::Str(s) => repr_str(s),
        ExprKind::FString(parts) => format!("(f-string{})", fparts(parts)),
        ExprKind::True => "True".into(),
        ExprKind::False => "False".into(),
        ExprKind::None => "None".into(),
        ExprKind::Ellipsis => "...".into(),
        ExprKind::Tuple(items) => format!("(tuple{})", list(items)),
        ExprKind::List(items) => format!("(list{})", list(items)),
        ExprKind::Set(items) => format!("(set{})", list(items)),
        ExprKind::Dict(pairs) => {
            let ps: String = pairs
                .iter()
                .map(|(k, v)| match k {
                    Some(k) => format!(" ({}: {})", expr(k), expr(v)),
                    None => format!(" **{}", expr(v)),
                })
                .collect();
            format!("(dict{})", ps)
        }
        ExprKind::Starred(x) => format!("*{}", expr(x)),
        ExprKind::Attribute(o, n) => format!("(. {} {})", expr(o), n),
        ExprKind::Subscript(o, i) => format!("(index {} {})", expr(o), expr(i)),
        ExprKind::Slice(a, b, c) => {
            let f = |x: &Option<Box<Expr>>| x.as_ref().map(|e| expr(e)).unwrap_or_else(|| "_".into());
            format!("(slice {} {} {})", f(a), f(b), f(c))
        }
        ExprKind::Call(f, args) => {
            let mut s = format!("(call {}", expr(f));
            for a in args {
                match a {
                    Arg::Pos(e) => {
                        let _ = write!(s, " {}", expr(e));
                    }
                    Arg::Star(e) => {
                        let _ = write!(s, " *{}", expr(e));
                    }
                    Arg::Kw(n, e, _) => {
                        let _ = write!(s, " {}={}", n, expr(e));
                    }
                    Arg::DoubleStar(e) => {
                        let _ = write!(s, " **{}", expr(e));
                    }
                }
            }
            s.push(')');
            s
        }
        ExprKind::BinOp(op, l, r) => format!("({} {} {})", op.symbol(), expr(l), expr(r)),
        ExprKind::Unary(op, x) => {
            let o = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Pos => "+",
                UnaryOp::Invert => "~",
                UnaryOp::Not => "not",
            };
            format!("({} {})", o, expr(x))
        }
        ExprKind::BoolOp(op, l, r) => {
            let o = if *op == BoolOp::And { "and" } else { "or" };
            format!("({} {} {})", o, expr(l), expr(r))
        }
        ExprKind::Compare(first, rest) => {
            if rest.len() == 1 {
                return format!("({} {} {})", rest[0].0.symbol(), expr(first), expr(&rest[0].1));
            }
            let mut s = format!("(compare {}", expr(first));
            for (op, e) in rest {
                let _ = write!(s, " {} {}", op.symbol(), expr(e));
            }
            s.push(')');
            s
        }
        ExprKind::IfExp(c, a, b) => format!("(if {} then {} else {})", expr(c), expr(a), expr(b)),
        ExprKind::Lambda(f) => {
            let body = match f.body.first().map(|s| &s.kind) {
                Some(StmtKind::Return(Some(e))) => expr(e),
                _ => "?".into(),
            };
            format!("(lambda ({}) {})", params(&f.params), body)
        }
        ExprKind::ListComp(x, g) => format!("(list-comp {}{})", expr(x), comps(g)),
        ExprKind::SetComp(x, g) => format!("(set-comp {}{})", expr(x), comps(g)),
        ExprKind::DictComp(kv, g) => format!("(dict-comp {}: {}{})", expr(&kv.0), expr(&kv.1), comps(g)),
        ExprKind::GenExp(x, g) => format!("(generator {}{})", expr(x), comps(g)),
        ExprKind::Yield(None) => "(yield)".into(),
        ExprKind::Yield(Some(x)) => format!("(yield {})", expr(x)),
        ExprKind::YieldFrom(x) => format!("(yield-from {})", expr(x)),
        ExprKind::Await(x) => format!("(await {})", expr(x)),
        ExprKind::NamedExpr(n, x) => format!("({} := {})", n, expr(x)),
    }
}
