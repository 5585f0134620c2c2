//! Expressions: each is compiled into a destination register; its operands go into fresh
//! temporaries above, left to right, so the order of evaluation is the source's.

use super::*;
use crate::ast::{Arg, BoolOp, FPart};

/// Parts that are operands only.
fn operands(parts: &[(Span, Reg)]) -> PartSpans {
    PartSpans { operands: parts.to_vec(), ..Default::default() }
}

/// `e` as a small integer constant that fits an instruction (and a part's register tag).
pub(super) fn small_int(e: &ast::Expr) -> Option<i16> {
    match e.kind {
        ExprKind::Int(i) if (0..0x4000).contains(&i) => Some(i as i16),
        _ => None,
    }
}

/// The most registers a display or a call takes for its items at once; longer ones are built
/// item by item (a list of 100,000 literals must not need 100,000 registers).
const MAX_WINDOW: usize = 64;

impl<'a> Compiler<'a> {
    /// Compiles `e` so that its value ends up in register `dst`.
    pub(super) fn expr_to(&mut self, e: &'a ast::Expr, dst: Reg) -> CResult<()> {
        let span = e.span;
        let mark = self.next_reg;
        match &e.kind {
            ExprKind::Name(n) => {
                self.cur_span = span;
                match self.bound_local(*n) {
                    // Certainly bound: copied without the check for an unbound local.
                    Some(src) if src != dst => {
                        self.emit(Instr::Move { dst, src });
                    }
                    Some(_) => {}
                    None => self.load_name(*n, dst),
                }
            }
            ExprKind::NamedExpr(n, x) => {
                self.expr_to(x, dst)?;
                self.cur_span = span;
                self.store_name(*n, dst);
            }
            ExprKind::Int(i) => self.load_const(Value::Int(*i), dst),
            ExprKind::BigInt(b) => self.load_const(Value::BigInt(Rc::new((**b).clone())), dst),
            ExprKind::Float(f) => self.load_const(Value::Float(*f), dst),
            ExprKind::Str(s) => self.load_const(Value::str(s), dst),
            ExprKind::True => self.load_const(Value::Bool(true), dst),
            ExprKind::False => self.load_const(Value::Bool(false), dst),
            ExprKind::None => self.load_const(Value::None, dst),
            ExprKind::Ellipsis => {
                let name = self.name(Symbol::intern("Ellipsis"));
                self.emit(Instr::LoadGlobal { dst, name });
            }
            ExprKind::FString(parts) => {
                let n = self.fstring(parts)?;
                self.cur_span = span;
                self.emit(Instr::Concat { dst, start: mark, n });
            }
            ExprKind::Tuple(items) | ExprKind::List(items) | ExprKind::Set(items) => {
                self.display(&e.kind, items, dst, span)?;
            }
            // Long displays, and those with `**m`, fill the dict one item at a time, in order.
            ExprKind::Dict(pairs) if pairs.len() > MAX_WINDOW / 2 || pairs.iter().any(|p| p.0.is_none()) => {
                let (d, k, v) = (self.temp()?, self.temp()?, self.temp()?);
                self.emit(Instr::BuildDict { dst: d, start: d, n: 0 });
                for (key, value) in pairs.iter() {
                    match key {
                        Some(key) => {
                            self.expr_to(key, k)?;
                            self.expr_to(value, v)?;
                            self.cur_span = span;
                            self.emit(Instr::DictSet { dict: d, key: k, src: v });
                        }
                        None => {
                            self.expr_to(value, v)?;
                            self.cur_span = value.span;
                            self.emit(Instr::DictUpdate { dict: d, src: v });
                        }
                    }
                }
                self.emit(Instr::Move { dst, src: d });
            }
            ExprKind::Dict(pairs) => {
                let start = self.temps(pairs.len() * 2)?;
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if let Some(k) = k {
                        self.expr_to(k, start + 2 * i as Reg)?;
                    }
                    self.expr_to(v, start + 2 * i as Reg + 1)?;
                }
                self.cur_span = span;
                self.emit(Instr::BuildDict { dst, start, n: pairs.len() as u16 });
            }
            ExprKind::Starred(_) => {
                return Err(SyntaxError::new("can't use starred expression here", span));
            }
            ExprKind::Attribute(o, n) => {
                let obj = self.temp()?;
                let obj = self.operand(o, obj)?;
                let name = self.name(self.mangle(*n));
                self.cur_span = span;
                let parts = PartSpans {
                    operands: vec![(o.span, obj)],
                    name: Some((crate::hint::name_span(span, *n), obj)),
                    args: Vec::new(),
                };
                self.emit_with(Instr::GetAttr { dst, obj, name }, parts);
            }
            ExprKind::Subscript(o, i) => {
                let obj = self.temp()?;
                let idx = self.temp()?;
                let obj = self.operand(o, obj)?;
                let idx = self.operand(i, idx)?;
                self.cur_span = span;
                self.emit_with(Instr::GetItem { dst, obj, idx }, operands(&[(o.span, obj), (i.span, idx)]));
            }
            ExprKind::Slice(a, b, c) => {
                let start = self.temps(3)?;
                for (k, part) in [a, b, c].into_iter().enumerate() {
                    match part {
                        Some(x) => self.expr_to(x, start + k as Reg)?,
                        None => self.load_const(Value::None, start + k as Reg),
                    }
                }
                self.cur_span = span;
                self.emit(Instr::BuildSlice { dst, start });
            }
            ExprKind::Call(f, args) => self.call(f, args, dst, span)?,
            ExprKind::BinOp(op, a, b) if small_int(b).is_some() => {
                let ra = self.temp()?;
                let ra = self.operand(a, ra)?;
                let k = small_int(b).unwrap_or(0);
                self.cur_span = span;
                let parts = operands(&[(a.span, ra), (b.span, konst_part(k))]);
                self.emit_with(Instr::BinK { op: *op, dst, a: ra, k }, parts);
            }
            ExprKind::BinOp(op, a, b) => {
                // Each operand's register is the newest when it is computed (a call there
                // puts its function in it: see `temp_at`).
                let ra = self.temp()?;
                let ra = self.operand(a, ra)?;
                let rb = self.temp()?;
                let rb = self.operand(b, rb)?;
                self.cur_span = span;
                self.emit_with(
                    Instr::Bin { op: *op, dst, a: ra, b: rb },
                    operands(&[(a.span, ra), (b.span, rb)]),
                );
            }
            ExprKind::Unary(op, x) => {
                let r = self.temp()?;
                self.expr_to(x, r)?;
                self.cur_span = span;
                self.emit_with(Instr::Unary { op: *op, dst, a: r }, operands(&[(x.span, r)]));
            }
            ExprKind::BoolOp(op, a, b) => {
                // The result is one of the operands: the first that decides.
                let r = self.temp()?;
                self.expr_to(a, r)?;
                let j = if *op == BoolOp::And {
                    self.emit(Instr::JumpIfFalse { cond: r, to: 0 })
                } else {
                    self.emit(Instr::JumpIfTrue { cond: r, to: 0 })
                };
                self.expr_to(b, r)?;
                self.patch_here(j);
                self.emit(Instr::Move { dst, src: r });
            }
            ExprKind::Compare(first, rest)
                if rest.len() == 1 && small_int(&rest[0].1).is_some() && rest[0].0.is_ordering() =>
            {
                let (op, second) = &rest[0];
                let left = self.temp()?;
                let left = self.operand(first, left)?;
                let k = small_int(second).unwrap_or(0);
                self.cur_span = span;
                let parts = operands(&[(first.span, left), (second.span, konst_part(k))]);
                self.emit_with(Instr::CompareK { op: *op, dst, a: left, k }, parts);
            }
            ExprKind::Compare(first, rest) if rest.len() == 1 => {
                let (op, second) = &rest[0];
                let left = self.temp()?;
                let right = self.temp()?;
                let left = self.operand(first, left)?;
                let right = if matches!(op, ast::CmpOp::In | ast::CmpOp::NotIn)
                    && matches!(second.kind, ExprKind::Set(_))
                {
                    self.iterable_to(second, right)?;
                    right
                } else {
                    self.operand(second, right)?
                };
                self.cur_span = span;
                let parts = operands(&[(first.span, left), (second.span, right)]);
                self.emit_with(Instr::Compare { op: *op, dst, a: left, b: right }, parts);
            }
            ExprKind::Compare(first, rest) => {
                // `a < b < c`: each operand evaluated once, and not at all after a false link.
                let left = self.temp()?;
                let right = self.temp()?;
                let res = self.temp()?;
                self.expr_to(first, left)?;
                let mut exits = Vec::new();
                let mut left_span = first.span;
                for (i, (op, x)) in rest.iter().enumerate() {
                    if i + 1 == rest.len() && matches!(op, ast::CmpOp::In | ast::CmpOp::NotIn) {
                        self.iterable_to(x, right)?;
                    } else {
                        self.expr_to(x, right)?;
                    }
                    self.cur_span = span;
                    let parts = operands(&[(left_span, left), (x.span, right)]);
                    self.emit_with(Instr::Compare { op: *op, dst: res, a: left, b: right }, parts);
                    left_span = x.span;
                    if i + 1 < rest.len() {
                        exits.push(self.emit(Instr::JumpIfFalse { cond: res, to: 0 }));
                        self.emit(Instr::Move { dst: left, src: right });
                    }
                }
                for j in exits {
                    self.patch_here(j);
                }
                self.emit(Instr::Move { dst, src: res });
            }
            ExprKind::IfExp(c, a, b) => {
                let cond = self.temp()?;
                self.expr_to(c, cond)?;
                let j = self.emit(Instr::JumpIfFalse { cond, to: 0 });
                self.free_to(mark);
                let r = self.temp()?;
                self.expr_to(a, r)?;
                let j2 = self.emit(Instr::Jump { to: 0 });
                self.patch_here(j);
                self.expr_to(b, r)?;
                self.patch_here(j2);
                self.emit(Instr::Move { dst, src: r });
            }
            ExprKind::Lambda(f) => self.make_function(f, dst)?,
            ExprKind::ListComp(x, g) => self.comprehension(e, CompKind::List, &[&**x], g, dst)?,
            ExprKind::SetComp(x, g) => self.comprehension(e, CompKind::Set, &[&**x], g, dst)?,
            ExprKind::DictComp(kv, g) => self.comprehension(e, CompKind::Dict, &[&kv.0, &kv.1], g, dst)?,
            ExprKind::GenExp(x, g) => self.comprehension(e, CompKind::Gen, &[&**x], g, dst)?,
            ExprKind::Yield(v) => {
                let sc = &self.res.scopes[self.scope];
                let wrap = sc.is_async && sc.is_generator;
                if v.is_none() && !wrap && self.is_newest_temp(dst) {
                    // A bare `yield` in a plain generator: no `None` to load first (the VM
                    // puts it in `dst` as it suspends, releasing what `dst` held, as the
                    // load did; `dst` is a temporary, so nothing else reads it meanwhile).
                    self.cur_span = span;
                    self.emit(Instr::YieldNone { dst });
                } else {
                    // `Yield` reads its value when it suspends and writes what is sent only
                    // when resumed: one register can do for both.
                    let r = self.temp_at(dst)?;
                    match v {
                        Some(v) => self.expr_to(v, r)?,
                        None => self.load_const(Value::None, r),
                    }
                    self.cur_span = span;
                    if wrap {
                        self.emit(Instr::AsyncGenWrap { dst: r, src: r });
                    }
                    self.emit(Instr::Yield { dst, src: r });
                }
            }
            ExprKind::YieldFrom(x) | ExprKind::Await(x) => {
                // The delegate's register is the result's when it can be: `YieldFrom` writes
                // its result only once the delegate is done with.
                let it = self.temp_at(dst)?;
                self.expr_to(x, it)?;
                self.cur_span = span;
                // What cannot be awaited is the operand: its errors are placed there.
                self.cur_span = x.span;
                let parts = PartSpans { operands: vec![(x.span, it)], ..Default::default() };
                if matches!(e.kind, ExprKind::Await(_)) {
                    self.emit_with(Instr::GetAwaitable { dst: it, src: it }, parts);
                } else {
                    self.emit_with(Instr::GetYieldFromIter { dst: it, src: it }, parts);
                }
                self.cur_span = span;
                self.emit(Instr::YieldFrom { dst, iter: it });
            }
        }
        self.free_to(mark);
        Ok(())
    }

    pub(super) fn load_const(&mut self, v: Value, dst: Reg) {
        let k = self.constant(v);
        self.emit(Instr::LoadConst { dst, k });
    }

    /// A set display whose items are all constants, as the constant CPython makes of it: its
    /// items and the key that makes equal displays share one frozenset.
    fn const_set(&mut self, items: &[ast::Expr]) -> Option<u32> {
        let values: Vec<Value> = items.iter().map(const_value).collect::<Option<_>>()?;
        let mut keys: Vec<String> = values.iter().map(const_key).collect();
        keys.sort_unstable();
        keys.dedup();
        Some(self.constant(Value::tuple(vec![Value::str(&keys.join(",")), Value::tuple(values)])))
    }

    /// An iterable (of a `for`, a comprehension, the right of `in`): a set display of
    /// constants there is a frozenset constant in CPython, iterated as it is.
    pub(super) fn iterable_to(&mut self, e: &'a ast::Expr, dst: Reg) -> CResult<()> {
        if let ExprKind::Set(items) = &e.kind {
            if let Some(k) = self.const_set(items) {
                self.cur_span = e.span;
                self.emit(Instr::SetConst { dst, k, frozen: true });
                return Ok(());
            }
        }
        self.expr_to(e, dst)
    }

    /// Tuple, list and set displays, with `*x` items.
    fn display(&mut self, kind: &ExprKind, items: &'a [ast::Expr], dst: Reg, span: Span) -> CResult<()> {
        let starred = items.iter().any(|x| matches!(x.kind, ExprKind::Starred(_)));
        if let (ExprKind::Set(_), true) = (kind, items.len() > 2) {
            if let Some(k) = self.const_set(items) {
                self.cur_span = span;
                self.emit(Instr::SetConst { dst, k, frozen: false });
                return Ok(());
            }
        }
        // A long display is built item by item, so it needs no register per item.
        if !starred && items.len() <= MAX_WINDOW {
            let start = self.temps(items.len())?;
            for (i, x) in items.iter().enumerate() {
                self.expr_to(x, start + i as Reg)?;
            }
            self.cur_span = span;
            let n = items.len() as u16;
            match kind {
                ExprKind::Tuple(_) => self.emit(Instr::BuildTuple { dst, start, n }),
                ExprKind::List(_) => self.emit(Instr::BuildList { dst, start, n }),
                _ => self.emit(Instr::BuildSet { dst, start, n }),
            };
            return Ok(());
        }
        let acc = self.temp()?;
        let is_set = matches!(kind, ExprKind::Set(_));
        if is_set {
            self.emit(Instr::BuildSet { dst: acc, start: acc, n: 0 });
        } else {
            self.emit(Instr::BuildList { dst: acc, start: acc, n: 0 });
        }
        let item = self.temp()?;
        for x in items {
            let (inner, star) = match &x.kind {
                ExprKind::Starred(inner) => (&**inner, true),
                _ => (x, false),
            };
            self.expr_to(inner, item)?;
            self.cur_span = x.span;
            match (is_set, star) {
                (true, true) => self.emit(Instr::SetUpdate { set: acc, src: item }),
                (true, false) => self.emit(Instr::SetAdd { set: acc, src: item }),
                (false, true) => self.emit(Instr::ListExtend { list: acc, src: item }),
                (false, false) => self.emit(Instr::ListAppend { list: acc, src: item }),
            };
        }
        self.cur_span = span;
        if matches!(kind, ExprKind::Tuple(_)) {
            self.emit(Instr::ListToTuple { dst, src: acc });
        } else {
            self.emit(Instr::Move { dst, src: acc });
        }
        Ok(())
    }

    /// The pieces of an f-string into consecutive registers from the current mark; returns how
    /// many.
    fn fstring(&mut self, parts: &'a [FPart]) -> CResult<u16> {
        let mut n = 0u16;
        for p in parts {
            let r = self.temp()?;
            n += 1;
            match p {
                FPart::Lit(s) => self.load_const(Value::str(s), r),
                FPart::Expr { expr, conv, spec } => {
                    self.expr_to(expr, r)?;
                    let spec_reg = if spec.is_empty() {
                        NO_REG
                    } else {
                        let mark = self.next_reg;
                        let count = self.fstring(spec)?;
                        self.emit(Instr::Concat { dst: mark, start: mark, n: count });
                        self.free_to(mark + 1);
                        mark
                    };
                    self.cur_span = expr.span;
                    let conv = conv.map_or(0, |c| c as u8);
                    self.emit(Instr::Format { dst: r, src: r, conv, spec: spec_reg });
                    if spec_reg != NO_REG {
                        self.free_to(r + 1);
                    }
                }
            }
        }
        Ok(n)
    }

    /// The head of `for x in range(a)` or `range(a, b)`: the call compiled as any call, behind
    /// a `ForRange` that skips it (and the `GetIter` after it) when `range` is the built-in
    /// and the arguments are ints, so that the loop makes no iterator object. Leaves the call
    /// in `iter`, keeps `iter + 1` (the stop) reserved for the loop, and returns the
    /// `ForRange` to point at the loop's top; `None` (nothing compiled) for any other iterable.
    pub(super) fn range_loop_head(&mut self, e: &'a ast::Expr, iter: Reg) -> CResult<Option<usize>> {
        let ExprKind::Call(f, args) = &e.kind else {
            return Ok(None);
        };
        let positional =
            args.iter().all(|a| matches!(a, Arg::Pos(x) if !matches!(x.kind, ExprKind::Starred(_))));
        if !matches!(f.kind, ExprKind::Name(sym::RANGE))
            || !(1..=2).contains(&args.len())
            || !positional
            || iter + 1 != self.next_reg
        {
            return Ok(None);
        }
        self.expr_to(f, iter)?;
        let start = self.temps(args.len())?;
        let mut parts = PartSpans { operands: vec![(f.span, iter)], ..Default::default() };
        for (i, a) in args.iter().enumerate() {
            if let Arg::Pos(x) = a {
                self.expr_to(x, start + i as Reg)?;
                parts.args.push((x.span, start + i as Reg));
            }
        }
        self.cur_span = e.span;
        let argc = args.len() as u16;
        let head = self.emit(Instr::ForRange { func: iter, argc, to: 0 });
        self.emit_with(Instr::Call { dst: iter, func: iter, argc }, parts);
        // The call's argument goes when the call returns, as CPython's does (before the
        // iterator is asked for).
        let none = self.constant(Value::None);
        self.emit(Instr::LoadConst { dst: iter + 1, k: none });
        self.free_to(iter + 2);
        Ok(Some(head))
    }

    /// A call: the function (for `o.m(...)`, the bound method, looked up before the arguments
    /// are evaluated), then the arguments, left to right.
    fn call(&mut self, f: &'a ast::Expr, args: &'a [Arg], dst: Reg, span: Span) -> CResult<()> {
        if let ExprKind::Name(n) = f.kind {
            // `locals()` and `vars()`: the names of the frame making the call.
            // (Unless the program binds the name itself.)
            if (n == sym::LOCALS || n == sym::VARS || n == sym::DIR)
                && args.is_empty()
                && matches!(self.place(n), Place::Global | Place::ClassNs)
                && !self
                    .res
                    .scopes
                    .iter()
                    .any(|s| s.kind != Some(crate::resolver::ScopeKind::Function) && s.bound.contains(&n))
            {
                self.cur_span = span;
                self.emit(Instr::Locals { dst, names: n == sym::DIR });
                return Ok(());
            }
            if n == sym::SUPER && args.is_empty() && self.place(n) == Place::Global {
                self.cur_span = span;
                self.emit(Instr::Super { dst });
                return Ok(());
            }
        }
        if let ExprKind::Attribute(obj, name) = &f.kind {
            if args.len() <= MAX_WINDOW && args.iter().all(|a| matches!(a, Arg::Pos(_))) {
                return self.method_call(obj, *name, f.span, args, dst, span);
            }
        }
        let func = self.temp_at(dst)?;
        self.expr_to(f, func)?;
        let mut parts = PartSpans { operands: vec![(f.span, func)], ..Default::default() };
        if let ExprKind::Attribute(_, name) = &f.kind {
            parts.name = Some((crate::hint::name_span(f.span, *name), func));
        }
        if super::stmt::has_star(args) || args.len() > MAX_WINDOW {
            return self.call_ex(func, args, dst, span, parts);
        }
        let npos = args.iter().filter(|a| matches!(a, Arg::Pos(_))).count();
        let nkw = args.len() - npos;
        let start = self.temps(args.len())?;
        let mut names = Vec::new();
        let (mut p, mut k) = (0usize, 0usize);
        for a in args {
            match a {
                Arg::Pos(x) => {
                    self.expr_to(x, start + p as Reg)?;
                    parts.args.push((x.span, start + p as Reg));
                    p += 1;
                }
                Arg::Kw(name, x, _) => {
                    self.expr_to(x, start + (npos + k) as Reg)?;
                    names.push(Value::str(name.as_str()));
                    k += 1;
                }
                Arg::Star(_) | Arg::DoubleStar(_) => {}
            }
        }
        self.cur_span = span;
        if nkw == 0 {
            self.emit_with(Instr::Call { dst, func, argc: npos as u16 }, parts);
        } else {
            let names = self.constant(Value::tuple(names));
            self.emit_with(Instr::CallKw { dst, func, argc: npos as u16, kw: nkw as u16, names }, parts);
        }
        Ok(())
    }

    /// `obj.name(args...)` with positional arguments: the method is looked up first, as
    /// CPython's LOAD_METHOD does, then called without making a bound method object.
    fn method_call(
        &mut self,
        obj: &'a ast::Expr,
        name: Symbol,
        attr_span: Span,
        args: &'a [Arg],
        dst: Reg,
        span: Span,
    ) -> CResult<()> {
        let func = self.temp_at(dst)?;
        let this = self.temp()?;
        debug_assert_eq!(this, func + 1, "the object follows the method");
        let src = self.operand(obj, this)?;
        let k = self.name(self.mangle(name));
        let name_span = crate::hint::name_span(attr_span, name);
        self.cur_span = attr_span;
        let parts =
            PartSpans { operands: vec![(obj.span, src)], name: Some((name_span, src)), args: Vec::new() };
        self.emit_with(Instr::LoadMethod { dst: func, obj: src, name: k }, parts);
        let start = self.temps(args.len())?;
        debug_assert_eq!(start, func + 2, "the arguments follow the method and its object");
        // The callee's own errors speak of the object the method was looked up on.
        let mut parts = PartSpans {
            operands: vec![(obj.span, this)],
            name: Some((name_span, this)),
            ..Default::default()
        };
        for (i, a) in args.iter().enumerate() {
            if let Arg::Pos(x) = a {
                self.expr_to(x, start + i as Reg)?;
                parts.args.push((x.span, start + i as Reg));
            }
        }
        self.cur_span = span;
        self.emit_with(Instr::CallMethod { dst, func, argc: args.len() as u16, name: k }, parts);
        Ok(())
    }

    /// A call with `*args` or `**kwargs`: a tuple of the positional arguments and a dict of the
    /// keyword ones, built in source order.
    fn call_ex(&mut self, func: Reg, args: &'a [Arg], dst: Reg, span: Span, parts: PartSpans) -> CResult<()> {
        let pos = self.temp()?;
        let kws = self.temp()?;
        let item = self.temp()?;
        let key = self.temp()?;
        self.emit(Instr::BuildList { dst: pos, start: pos, n: 0 });
        let any_kw = args.iter().any(|a| matches!(a, Arg::Kw(..) | Arg::DoubleStar(_)));
        if any_kw {
            self.emit(Instr::BuildDict { dst: kws, start: kws, n: 0 });
        }
        for a in args {
            match a {
                Arg::Pos(x) => {
                    self.expr_to(x, item)?;
                    self.emit(Instr::ListAppend { list: pos, src: item });
                }
                Arg::Star(x) => {
                    self.expr_to(x, item)?;
                    self.cur_span = x.span;
                    self.emit(Instr::StarArgs { list: pos, src: item, func });
                }
                Arg::Kw(name, x, _) => {
                    self.expr_to(x, item)?;
                    self.load_const(Value::str(name.as_str()), key);
                    self.emit(Instr::DictSet { dict: kws, key, src: item });
                }
                Arg::DoubleStar(x) => {
                    self.expr_to(x, item)?;
                    self.cur_span = x.span;
                    self.emit(Instr::StarKwargs { dict: kws, src: item, func });
                }
            }
        }
        self.cur_span = span;
        self.emit(Instr::ListToTuple { dst: pos, src: pos });
        let kwargs = if any_kw { kws } else { NO_REG };
        self.emit_with(Instr::CallEx { dst, func, args: pos, kwargs }, parts);
        Ok(())
    }
}

/// The value CPython's AST optimizer makes of `e` when it is a constant: a literal; a sign,
/// `~` or `not` on one; a tuple of them. (Arithmetic and subscripts of literals, which CPython
/// also folds, are not.)
fn const_value(e: &ast::Expr) -> Option<Value> {
    use ast::ExprKind as K;
    use ast::UnaryOp as U;
    Some(match &e.kind {
        K::Int(i) => Value::Int(*i),
        K::BigInt(b) => Value::BigInt(Rc::new((**b).clone())),
        K::Float(f) => Value::Float(*f),
        K::Str(s) => Value::str(s),
        K::True => Value::Bool(true),
        K::False => Value::Bool(false),
        K::None => Value::None,
        K::Tuple(items) => Value::tuple(items.iter().map(const_value).collect::<Option<_>>()?),
        K::Unary(op, x) => match (op, const_value(x)?) {
            (U::Not, v) => Value::Bool(!const_truth(&v)),
            (U::Pos, Value::Bool(b)) => Value::Int(b as i64),
            (U::Pos, v @ (Value::Int(_) | Value::BigInt(_) | Value::Float(_))) => v,
            (U::Neg, Value::Bool(b)) => Value::Int(-(b as i64)),
            (U::Neg, Value::Int(i)) => match i.checked_neg() {
                Some(n) => Value::Int(n),
                None => Value::BigInt(Rc::new(-num_bigint::BigInt::from(i))),
            },
            (U::Neg, Value::BigInt(b)) => Value::BigInt(Rc::new(-(*b).clone())),
            (U::Neg, Value::Float(f)) => Value::Float(-f),
            (U::Invert, Value::Bool(b)) => Value::Int(!(b as i64)),
            (U::Invert, Value::Int(i)) => Value::Int(!i),
            (U::Invert, Value::BigInt(b)) => Value::BigInt(Rc::new(-(*b).clone() - 1)),
            _ => return None,
        },
        _ => return None,
    })
}

fn const_truth(v: &Value) -> bool {
    match v {
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Bool(b) => *b,
        Value::None => false,
        Value::Str(s) => !s.s.is_empty(),
        Value::Tuple(t) => !t.is_empty(),
        _ => true,
    }
}

/// A constant's identity as CPython's compiler tells constants apart when it shares equal
/// ones (`1`, `1.0` and `True` differ; so do `0.0` and `-0.0`).
fn const_key(v: &Value) -> String {
    match v {
        Value::Int(i) => format!("i{i}"),
        Value::BigInt(b) => format!("i{b}"),
        Value::Float(f) => format!("f{:x}", f.to_bits()),
        Value::Bool(b) => format!("b{}", *b as u8),
        Value::None => "n".to_string(),
        Value::Str(s) => format!("s{}:{}", s.s.len(), s.s),
        Value::Tuple(t) => format!("t({})", t.iter().map(const_key).collect::<Vec<_>>().join(",")),
        _ => "?".to_string(),
    }
}
