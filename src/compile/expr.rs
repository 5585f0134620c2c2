//! Expressions: operators, calls, f-strings, function and class objects, comprehensions.

use super::*;

impl<'a> Compiler<'a> {
    /// Compiles the children of a node in order; when a later child suspends, the earlier ones
    /// are spilled into temporaries first.
    pub(super) fn children(&mut self, kids: &[&ast::Expr]) -> CResult<Vec<Expr>> {
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

    pub(super) fn expr(&mut self, e: &ast::Expr) -> CResult<Expr> {
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

    pub(super) fn fparts(&mut self, parts: &[FPart]) -> CResult<Vec<FPiece>> {
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

    pub(super) fn call(&mut self, f: &ast::Expr, args: &[Arg], span: Span) -> CResult<Expr> {
        // `super()` inside a method.
        if let ExprKind::Name(n) = f.kind {
            if n == sym::SUPER && args.is_empty() && self.place(n) == Place::Global {
                let sc = &self.res.scopes[self.scope];
                if sc.kind == Some(ScopeKind::Function) && !sc.params.is_empty() {
                    return Ok(Expr { kind: E::Super, span });
                }
            }
        }
        let (recv, method, method_span) = match &f.kind {
            ExprKind::Attribute(o, n) => (&**o, Some(*n), crate::hint::name_span(f.span, *n)),
            _ => (f, None, f.span),
        };
        let mut kids: Vec<&ast::Expr> = vec![recv];
        for a in args {
            match a {
                Arg::Pos(x) | Arg::Star(x) | Arg::Kw(_, x, _) | Arg::DoubleStar(x) => kids.push(x),
            }
        }
        let mut v = self.children(&kids)?.into_iter();
        let Some(func) = v.next() else { return Err(SyntaxError::new("internal error: call", span)) };
        let mut call =
            Call { func, method, method_span, args: Vec::new(), kwargs: Vec::new(), has_star: false };
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

    pub(super) fn closure_of(&self, inner: usize) -> Vec<u32> {
        let free = &self.res.scopes[inner].freevars;
        free.iter()
            .map(|n| match self.place(*n) {
                Place::Cell(c) => c,
                // The resolver makes every free variable of an inner scope a cell here.
                _ => 0,
            })
            .collect()
    }

    pub(super) fn child_qualname(&self, name: &str) -> String {
        match self.kind {
            CodeKind::Module => name.to_string(),
            CodeKind::Class => format!("{}.{}", self.qualname, name),
            _ => format!("{}.<locals>.{}", self.qualname, name),
        }
    }

    pub(super) fn make_function(&mut self, f: &Rc<ast::FuncDef>) -> CResult<Expr> {
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

    pub(super) fn make_class(&mut self, cd: &Rc<ast::ClassDef>) -> CResult<Expr> {
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

    pub(super) fn comprehension(
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
