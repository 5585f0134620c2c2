//! Comparison, equality, ordering, truthiness and hashing with Python's semantics (numbers of
//! different types compare exactly; containers element by element, counting recursion), and
//! the dict and set storage built on hashing and equality.

use super::ops::{big, is_int, is_not_implemented, seq_items};
use super::*;
use crate::ast::CmpOp;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

impl Interp {
    /// `bool(v)`: the values a loop or an `if` tests most often inline (a deque is the ready
    /// queue of every round-robin scheduler), the rest out of line.
    #[inline]
    pub fn truthy(&mut self, v: &Value) -> R<bool> {
        match v {
            Value::Bool(b) => Ok(*b),
            Value::None => Ok(false),
            Value::Int(i) => Ok(*i != 0),
            Value::List(l) => Ok(!l.borrow().is_empty()),
            Value::Native(n) => match &**n {
                Native::Deque { items, .. } => Ok(!items.borrow().is_empty()),
                _ => self.truthy_slow(v),
            },
            _ => self.truthy_slow(v),
        }
    }

    fn truthy_slow(&mut self, v: &Value) -> R<bool> {
        Ok(match v {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::BigInt(b) => !b.is_zero(),
            Value::Str(s) => !s.s.is_empty(),
            Value::List(l) => !l.borrow().is_empty(),
            Value::Tuple(t) => !t.is_empty(),
            Value::Dict(d) | Value::Set(d) => !d.borrow().is_empty(),
            Value::Range(r) => !r.is_empty(),
            Value::Instance(i)
                if i.base.is_some()
                    && i.class.lookup(sym::BOOL).is_none()
                    && i.class.lookup(sym::LEN).is_none() =>
            {
                let Some(b) = i.base.as_deref() else { return Ok(true) };
                let b = b.clone();
                self.truthy(&b)?
            }
            Value::Instance(_) => {
                if self.has_method(v, sym::BOOL) {
                    let r = self.call_method(v, sym::BOOL, &[], &[])?;
                    return match r {
                        Value::Bool(b) => Ok(b),
                        _ => Err(type_error(format!(
                            "__bool__ should return bool, returned {}",
                            self.type_name(&r)
                        ))),
                    };
                }
                if self.has_method(v, sym::LEN) {
                    let r = self.call_method(v, sym::LEN, &[], &[])?;
                    return Ok(self.index_of(&r)? != 0);
                }
                true
            }
            Value::Native(n) => match &**n {
                Native::Deque { items, .. } => !items.borrow().is_empty(),
                Native::DictView { d, .. } => !d.borrow().is_empty(),
                Native::AttrDict(inst) => !inst.attrs.borrow().is_empty(),
                // Tasks, queues, events, handles and requests are always true.
                Native::Sched(_) => true,
                _ => true,
            },
            _ => true,
        })
    }

    /// `a op b` for the comparison operators.
    pub fn compare(&mut self, op: CmpOp, a: &Value, b: &Value) -> R<bool> {
        match op {
            CmpOp::Eq => self.eq(a, b),
            CmpOp::Ne => self.ne(a, b),
            CmpOp::Is => Ok(a.is(b)),
            CmpOp::IsNot => Ok(!a.is(b)),
            CmpOp::In => self.contains(b, a),
            CmpOp::NotIn => Ok(!self.contains(b, a)?),
            CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => self.order(op, a, b),
        }
    }

    pub fn ne(&mut self, a: &Value, b: &Value) -> R<bool> {
        if matches!(a, Value::Instance(_)) || matches!(b, Value::Instance(_)) {
            // The protocol of `!=` as an expression's value, and the truth of that.
            let r = self.compare_value(CmpOp::Ne, a, b)?;
            return self.truthy(&r);
        }
        Ok(!self.eq(a, b)?)
    }

    /// `a == b`.
    pub fn eq(&mut self, a: &Value, b: &Value) -> R<bool> {
        use Value::*;
        Ok(match (a, b) {
            (Int(x), Int(y)) => x == y,
            (Str(x), Str(y)) => Rc::ptr_eq(x, y) || x.s == y.s,
            (None, None) => true,
            (Float(x), Float(y)) => x == y,
            (Bool(x), Bool(y)) => x == y,
            (Int(_) | Bool(_) | BigInt(_), Int(_) | Bool(_) | BigInt(_)) => big(a) == big(b),
            (Float(x), _) if is_int(b) => float_int_eq(*x, b),
            (_, Float(y)) if is_int(a) => float_int_eq(*y, a),
            (List(x), List(y)) => {
                if Rc::ptr_eq(x, y) {
                    return Ok(true);
                }
                let (xs, ys) = (x.borrow().clone(), y.borrow().clone());
                self.seq_eq(&xs, &ys)?
            }
            (Tuple(x), Tuple(y)) => Rc::ptr_eq(x, y) || self.seq_eq(x, y)?,
            (Dict(x), Dict(y)) => {
                if Rc::ptr_eq(x, y) {
                    return Ok(true);
                }
                if x.borrow().len() != y.borrow().len() {
                    return Ok(false);
                }
                let entries: Vec<(Value, Value)> =
                    x.borrow().iter().map(|e| (e.key.clone(), e.value.clone())).collect();
                for (k, v) in entries {
                    match self.dict_get(y, &k)? {
                        Some(w) => {
                            if !self.eq(&v, &w)? {
                                return Ok(false);
                            }
                        }
                        Option::None => return Ok(false),
                    }
                }
                true
            }
            (Set(x), Set(y)) => x.borrow().len() == y.borrow().len() && self.set_subset(x, y)?,
            (Range(x), Range(y)) => {
                let (lx, ly) = (x.len(), y.len());
                lx == ly && (lx == 0 || (x.start == y.start && (lx == 1 || x.step == y.step)))
            }
            (Native(x), Native(y)) => match (&**x, &**y) {
                // Unions are equal when they hold the same classes, in any order.
                (self::Native::UnionType(Tuple(p)), self::Native::UnionType(Tuple(q))) => {
                    p.len() == q.len() && p.iter().all(|c| q.iter().any(|d| d.is(c)))
                }
                (self::Native::Deque { items: i1, .. }, self::Native::Deque { items: i2, .. }) => {
                    let (xs, ys): (Vec<Value>, Vec<Value>) =
                        (i1.borrow().iter().cloned().collect(), i2.borrow().iter().cloned().collect());
                    self.seq_eq(&xs, &ys)?
                }
                (self::Native::DictView { d: d1, kind: k1 }, self::Native::DictView { d: d2, kind: k2 })
                    if *k1 != 1 && k1 == k2 =>
                {
                    if Rc::ptr_eq(d1, d2) {
                        return Ok(true);
                    }
                    let (x, y) = (self.view_as_set(a)?, self.view_as_set(b)?);
                    self.eq(&x, &y)?
                }
                (self::Native::Namespace(m1), self::Native::Namespace(m2)) => {
                    if Rc::ptr_eq(x, y) {
                        return Ok(true);
                    }
                    let pairs: Vec<(Symbol, Value)> =
                        m1.borrow().iter().map(|(k, v)| (*k, v.clone())).collect();
                    if pairs.len() != m2.borrow().len() {
                        return Ok(false);
                    }
                    self.depth += 1;
                    let r = (|| {
                        self.check_depth()?;
                        for (k, v) in pairs {
                            let Some(w) = m2.borrow().get(&k).cloned() else { return Ok(false) };
                            if !self.eq(&v, &w)? {
                                return Ok(false);
                            }
                        }
                        Ok(true)
                    })();
                    self.depth -= 1;
                    r?
                }
                // `vars(p) == vars(q)`: as the dicts they show (the arms below take one view).
                (self::Native::AttrDict(_), _) => {
                    let s = self.attr_dict_snapshot(a)?;
                    self.eq(&s, b)?
                }
                (_, self::Native::AttrDict(_)) => {
                    let s = self.attr_dict_snapshot(b)?;
                    self.eq(a, &s)?
                }
                _ => a.is(b),
            },
            // Bound methods are equal when they bind the same function to the same object
            // (CPython 3.8+: `__self__` by identity), so `callbacks.remove(self.wakeup)` works.
            (Method(x), Method(y)) => x.0.is(&y.0) && x.1.is(&y.1),
            (Builtin(x), Builtin(y)) if x.is_method && y.is_method => {
                Rc::ptr_eq(x, y) || (x.f as usize == y.f as usize && x.name == y.name && x.this.is(&y.this))
            }
            (Native(x), _) if matches!(**x, self::Native::AttrDict(_)) => {
                let s = self.attr_dict_snapshot(a)?;
                self.eq(&s, b)?
            }
            (_, Native(y)) if matches!(**y, self::Native::AttrDict(_)) => {
                let s = self.attr_dict_snapshot(b)?;
                self.eq(a, &s)?
            }
            (Native(_), Set(_)) | (Set(_), Native(_))
                if super::ops::set_view(a).is_some() || super::ops::set_view(b).is_some() =>
            {
                let (x, y) = (self.view_as_set(a)?, self.view_as_set(b)?);
                self.eq(&x, &y)?
            }
            (Instance(_), _) | (_, Instance(_)) => {
                self.depth += 1;
                let r = self.instance_eq(a, b);
                self.depth -= 1;
                r?
            }
            _ => a.is(b),
        })
    }

    fn instance_eq(&mut self, a: &Value, b: &Value) -> R<bool> {
        self.check_depth()?;
        // Subclasses of built-in types compare as their values, unless they define `__eq__`.
        let (va, vb) = (self.builtin_view(a, sym::EQ), self.builtin_view(b, sym::EQ));
        let user_eq = |v: &Value| has_own(v, sym::EQ);
        if (va.is_some() || vb.is_some()) && !user_eq(a) && !user_eq(b) {
            let (x, y) = (va.unwrap_or_else(|| a.clone()), vb.unwrap_or_else(|| b.clone()));
            return self.eq(&x, &y);
        }
        if let Some(r) = self.user_compare(a, b, sym::EQ, sym::EQ)? {
            return self.truthy(&r);
        }
        self.eq_declined(a, b)
    }

    /// What the instances' own comparison methods make of `a op b`: `a`'s `name`, then `b`'s
    /// `reflected`, the first that does not return NotImplemented, as it returned it.
    fn user_compare(&mut self, a: &Value, b: &Value, name: Symbol, reflected: Symbol) -> R<Option<Value>> {
        // The right operand goes first when its type is a subclass of the left's (CPython's
        // rule, so a subclass can override how it compares with its base), or when the left
        // is no instance (a built-in value has no method of its own to try here).
        if reflected_first(a, b) {
            if let Some(r) = self.user_side(b, a, reflected)? {
                return Ok(Some(r));
            }
            return self.user_side(a, b, name);
        }
        if let Some(r) = self.user_side(a, b, name)? {
            return Ok(Some(r));
        }
        self.user_side(b, a, reflected)
    }

    /// `x.name(y)` when `x` is an instance with that method, unless it returns NotImplemented.
    fn user_side(&mut self, x: &Value, y: &Value, name: Symbol) -> R<Option<Value>> {
        if let Value::Instance(_) = x {
            if self.has_method(x, name) {
                let r = self.call_method(x, name, &[y.clone()], &[])?;
                if !is_not_implemented(&r) {
                    return Ok(Some(r));
                }
            }
        }
        Ok(None)
    }

    /// `x != y` as `x.__ne__(y)` gives it: `x`'s own `__ne__`, else object's, which inverts
    /// `x.__eq__(y)`; None when that is NotImplemented (or `x` is no instance).
    fn ne_side(&mut self, x: &Value, y: &Value) -> R<Option<Value>> {
        let Value::Instance(i) = x else { return Ok(None) };
        if i.class.lookup(sym::NE).is_some() {
            return self.user_side(x, y, sym::NE);
        }
        // A subclass of a built-in type inherits that type's `__ne__`, which compares values
        // (and declines what is not of a built-in type).
        if let Some(base) = i.base.as_deref() {
            let other = match y {
                Value::Instance(j) => j.base.as_deref().cloned(),
                v => Some(v.clone()),
            };
            return match other {
                Some(o) => Ok(Some(Value::Bool(!self.eq(base, &o)?))),
                None => Ok(None),
            };
        }
        if i.class.lookup(sym::EQ).is_some() {
            if let Some(r) = self.user_side(x, y, sym::EQ)? {
                return Ok(Some(Value::Bool(!self.truthy(&r)?)));
            }
        }
        Ok(None)
    }

    /// `a == b` for instances whose `__eq__` methods both declined (or are not there).
    fn eq_declined(&mut self, a: &Value, b: &Value) -> R<bool> {
        let user_eq = |v: &Value| has_own(v, sym::EQ);
        // Both declined: a subclass of a built-in type still compares as its value (the
        // built-in type's `__eq__`, which CPython reaches through the subclass), so a
        // `Counter` equals the plain dict it holds.
        let base = |v: &Value| match v {
            Value::Instance(i) => i.base.as_deref().cloned(),
            _ => None,
        };
        let (ba, bb) = (base(a), base(b));
        // (Only when a side's `__eq__` is the built-in type's, which CPython tries then: two
        // instances whose own `__eq__` both declined compare by identity.)
        let builtin_eq = |v: &Value, base: &Option<Value>| match v {
            Value::Instance(_) => base.is_some() && !user_eq(v),
            _ => true,
        };
        if (ba.is_some() || bb.is_some()) && (builtin_eq(a, &ba) || builtin_eq(b, &bb)) {
            let (x, y) = (ba.unwrap_or_else(|| a.clone()), bb.unwrap_or_else(|| b.clone()));
            // A built-in type's `__eq__` declines an instance of a class of no built-in type
            // (its own `__eq__` has declined already, and is not asked again): identity.
            if matches!(x, Value::Instance(_)) || matches!(y, Value::Instance(_)) {
                return Ok(a.is(b));
            }
            return self.eq(&x, &y);
        }
        Ok(a.is(b))
    }

    fn seq_eq(&mut self, xs: &[Value], ys: &[Value]) -> R<bool> {
        if xs.len() != ys.len() {
            return Ok(false);
        }
        self.depth += 1;
        let r = self.seq_eq_items(xs, ys);
        self.depth -= 1;
        r
    }

    fn seq_eq_items(&mut self, xs: &[Value], ys: &[Value]) -> R<bool> {
        self.check_depth()?;
        for (x, y) in xs.iter().zip(ys) {
            if !super::attr::same_object(x, y) && !self.eq(x, y)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `<`, `<=`, `>`, `>=`.
    pub fn order(&mut self, op: CmpOp, a: &Value, b: &Value) -> R<bool> {
        use std::cmp::Ordering;
        use Value::*;
        if super::ops::set_view(a).is_some() || super::ops::set_view(b).is_some() {
            let (x, y) = (self.view_as_set(a)?, self.view_as_set(b)?);
            return self.order(op, &x, &y);
        }
        if matches!(a, Instance(_)) || matches!(b, Instance(_)) {
            // A subclass of a built-in type compares as its value unless a side has the
            // method (`a`'s own, or `b`'s reflected one).
            let (name, reflected) = order_names(op);
            let (va, vb) = if has_own(a, name) || has_own(b, reflected) {
                (Option::None, Option::None)
            } else {
                (self.builtin_view(a, name), self.builtin_view(b, reflected))
            };
            if va.is_some() || vb.is_some() {
                let (x, y) = (va.unwrap_or_else(|| a.clone()), vb.unwrap_or_else(|| b.clone()));
                return self.order(op, &x, &y);
            }
        }
        let ord: Option<Ordering> = match (a, b) {
            (Int(x), Int(y)) => Some(x.cmp(y)),
            (Float(x), Float(y)) => return Ok(float_cmp(op, *x, *y)),
            (Str(x), Str(y)) => Some(x.s.cmp(&y.s)),
            _ if is_int(a) && is_int(b) => big(a).cmp(&big(b)).into(),
            (Float(x), _) if is_int(b) => return Ok(float_int_cmp(op, *x, b, false)),
            (_, Float(y)) if is_int(a) => return Ok(float_int_cmp(op, *y, a, true)),
            _ if matches!((a, b), (List(_), List(_)) | (Tuple(_), Tuple(_)))
                || (super::ops::as_deque(a).is_some() && super::ops::as_deque(b).is_some()) =>
            {
                let xs = seq_items(a);
                let ys = seq_items(b);
                self.depth += 1;
                let r = (|| {
                    self.check_depth()?;
                    for (x, y) in xs.iter().zip(ys.iter()) {
                        if !super::attr::same_object(x, y) && !self.eq(x, y)? {
                            return self.order(op, x, y).map(Some);
                        }
                    }
                    Ok(Option::None)
                })();
                self.depth -= 1;
                if let Some(decided) = r? {
                    return Ok(decided);
                }
                Some(xs.len().cmp(&ys.len()))
            }
            (Set(x), Set(y)) => {
                return match op {
                    CmpOp::Le => self.set_subset(x, y),
                    CmpOp::Ge => self.set_subset(y, x),
                    CmpOp::Lt => Ok(x.borrow().len() < y.borrow().len() && self.set_subset(x, y)?),
                    _ => Ok(y.borrow().len() < x.borrow().len() && self.set_subset(y, x)?),
                }
            }
            _ => Option::None,
        };
        if let Some(o) = ord {
            return Ok(match op {
                CmpOp::Lt => o == Ordering::Less,
                CmpOp::Le => o != Ordering::Greater,
                CmpOp::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            });
        }
        let (name, reflected) = order_names(op);
        if let Some(r) = self.user_compare(a, b, name, reflected)? {
            return self.truthy(&r);
        }
        Err(self.order_error(op, a, b))
    }

    /// The TypeError of an ordering no operand supports.
    fn order_error(&mut self, op: CmpOp, a: &Value, b: &Value) -> Fault {
        let (ta, tb) = (self.type_name(a), self.type_name(b));
        let e =
            type_error(format!("'{}' not supported between instances of '{}' and '{}'", op.symbol(), ta, tb))
                .label_on(At::Operand(0), a, format!("this operand is {}", crate::hint::a_type(&ta)))
                .label_on(At::Operand(1), b, format!("this operand is {}", crate::hint::a_type(&tb)));
        let text = |v: &Value| matches!(v, Value::Str(_));
        let number =
            |v: &Value| matches!(v, Value::Int(_) | Value::BigInt(_) | Value::Float(_) | Value::Bool(_));
        if a.is_none() || b.is_none() {
            e.help(crate::hint::NONE_HELP)
        } else if text(a) && number(b) || number(a) && text(b) {
            e.help("convert the text first: int(text) or float(text)")
        } else {
            e
        }
    }

    /// A comparison's value as an expression gives it. A user-defined `__eq__`, `__lt__`...
    /// may return anything, and CPython gives it back as it is (`Vec(1, 2) == v` may be a
    /// vector of bools, an expression node); every other comparison is a bool. (`if`, `in`,
    /// sorting and containers take the truth of it: `compare`.)
    pub fn compare_value(&mut self, op: CmpOp, a: &Value, b: &Value) -> R<Value> {
        let either = matches!(a, Value::Instance(_)) || matches!(b, Value::Instance(_));
        if !either || matches!(op, CmpOp::Is | CmpOp::IsNot | CmpOp::In | CmpOp::NotIn) {
            return Ok(Value::Bool(self.compare(op, a, b)?));
        }
        self.depth += 1;
        let r = self.instance_compare_value(op, a, b);
        self.depth -= 1;
        r
    }

    fn instance_compare_value(&mut self, op: CmpOp, a: &Value, b: &Value) -> R<Value> {
        self.check_depth()?;
        let (name, reflected) = match op {
            CmpOp::Eq => (sym::EQ, sym::EQ),
            CmpOp::Ne => (sym::NE, sym::NE),
            _ => order_names(op),
        };
        // A subclass of a built-in type with no method for this compares as its value (as
        // `instance_eq` and `order` decide it).
        let own = match op {
            CmpOp::Eq | CmpOp::Ne => {
                has_own(a, sym::EQ) || has_own(b, sym::EQ) || has_own(a, sym::NE) || has_own(b, sym::NE)
            }
            _ => has_own(a, name) || has_own(b, reflected),
        };
        if !own && (self.builtin_view(a, name).is_some() || self.builtin_view(b, reflected).is_some()) {
            return Ok(Value::Bool(match op {
                CmpOp::Eq => self.eq(a, b)?,
                CmpOp::Ne => !self.eq(a, b)?,
                _ => self.order(op, a, b)?,
            }));
        }
        match op {
            CmpOp::Eq => match self.user_compare(a, b, name, reflected)? {
                Some(r) => Ok(r),
                None => Ok(Value::Bool(self.eq_declined(a, b)?)),
            },
            // `a.__ne__(b)`, then `b.__ne__(a)` (each its own or object's, which inverts the
            // same side's `__eq__`), then identity.
            CmpOp::Ne => {
                let (first, second) = if reflected_first(a, b) { (b, a) } else { (a, b) };
                if let Some(r) = self.ne_side(first, second)? {
                    return Ok(r);
                }
                if let Some(r) = self.ne_side(second, first)? {
                    return Ok(r);
                }
                Ok(Value::Bool(!self.eq_declined(a, b)?))
            }
            _ => match self.user_compare(a, b, name, reflected)? {
                Some(r) => Ok(r),
                None => Err(self.order_error(op, a, b)),
            },
        }
    }

    /// What a built-in type's own `__hash__` gives `v` (`str.__hash__(s)`,
    /// `object.__hash__(self)`, `super().__hash__()`): never the `__hash__` of `v`'s class,
    /// which may be this very method (`__hash__ = str.__hash__`) or call it. An instance of a
    /// subclass of a hashable built-in type hashes as its value, any other by identity.
    pub fn own_hash(&mut self, v: &Value) -> R<u64> {
        match v {
            Value::Instance(inst) => match inst.base.as_deref() {
                Some(b)
                    if !matches!(b, Value::List(_) | Value::Dict(_))
                        && !matches!(b, Value::Set(d) if !d.borrow().frozen) =>
                {
                    let b = b.clone();
                    self.hash(&b)
                }
                _ => Ok((v.address() >> 4) as u64),
            },
            _ => self.hash(v),
        }
    }

    /// Python's `hash()`: equal numbers hash alike; instances use `__hash__` or identity.
    pub fn hash(&mut self, v: &Value) -> R<u64> {
        Ok(match v {
            Value::Int(i) => hash_int(*i) as u64,
            Value::Bool(b) => *b as u64,
            Value::None => 0xfc_a8_6f_0b,
            Value::Float(f) => hash_float(*f) as u64,
            Value::BigInt(b) => {
                let m = BigInt::from((1u64 << 61) - 1);
                let r = (b.abs() % &m).to_i64().unwrap_or(0);
                let r = if b.is_negative() { -r } else { r };
                (if r == -1 { -2 } else { r }) as u64
            }
            Value::Str(s) => str_hash(&s.s),
            Value::Tuple(items) => {
                self.depth += 1;
                let r = (|| {
                    self.check_depth()?;
                    // CPython's tuple hash (xxHash-based, 3.8+): equal to CPython's for tuples
                    // of ints, floats and bools.
                    const P1: u64 = 11_400_714_785_074_694_791;
                    const P2: u64 = 14_029_467_366_897_019_727;
                    const P5: u64 = 2_870_177_450_012_600_261;
                    let mut acc: u64 = P5;
                    for it in items.iter() {
                        let lane = self.hash(it)?;
                        acc = acc.wrapping_add(lane.wrapping_mul(P2));
                        acc = acc.rotate_left(31);
                        acc = acc.wrapping_mul(P1);
                    }
                    acc = acc.wrapping_add((items.len() as u64) ^ (P5 ^ 3_527_539));
                    Ok(if acc == u64::MAX { 1_546_275_796 } else { acc })
                })();
                self.depth -= 1;
                r?
            }
            // CPython's frozenset hash: element hashes shuffled and xor-ed (so order does not
            // matter), then mixed with the size.
            Value::Set(d) if d.borrow().frozen => {
                let shuffle = |h: u64| ((h ^ 89_869_747) ^ (h << 16)).wrapping_mul(3_644_798_167);
                let dd = d.borrow();
                let mut h: u64 = 0;
                for e in dd.iter() {
                    h ^= shuffle(e.hash);
                }
                h ^= (dd.len() as u64 + 1).wrapping_mul(1_927_868_237);
                h ^= (h >> 11) ^ (h >> 25);
                h = h.wrapping_mul(69_069).wrapping_add(907_133_923);
                if h == u64::MAX {
                    590_923_713
                } else {
                    h
                }
            }
            Value::List(_) | Value::Dict(_) | Value::Set(_) => {
                return Err(type_error(format!("unhashable type: '{}'", self.type_name(v))))
            }
            // (CPython names the type by its full name here.)
            Value::Native(n) if matches!(**n, Native::Deque { .. }) => {
                return Err(type_error("unhashable type: 'collections.deque'"))
            }
            // Equal unions (the same classes in any order) hash the same.
            Value::Native(n) if matches!(**n, Native::UnionType(_)) => {
                let Native::UnionType(Value::Tuple(args)) = &**n else { return Ok(0) };
                let mut h: u64 = 0x5175_6e69_6f6e;
                for a in args.iter() {
                    h ^= self.hash(a)?;
                }
                h
            }
            Value::Instance(inst) => {
                let cls = inst.class.clone();
                match cls.lookup(sym::HASH) {
                    Some(Value::None) => return Err(type_error(format!("unhashable type: '{}'", cls.name))),
                    Some(_) => {
                        let r = self.call_method(v, sym::HASH, &[], &[])?;
                        match r {
                            // Taken as it is (CPython's `slot_tp_hash`), -1 aside, which marks
                            // an error there; only an int past 64 bits is hashed again.
                            Value::Int(-1) => -2i64 as u64,
                            Value::Int(i) => i as u64,
                            Value::Bool(b) => b as u64,
                            Value::BigInt(_) => self.hash(&r)?,
                            _ => return Err(type_error("__hash__ method should return an integer")),
                        }
                    }
                    None if inst.base.is_some() && cls.lookup(sym::EQ).is_none() => {
                        // A subclass of a built-in type hashes as its value (a list's is an
                        // error, named after the subclass as CPython names it).
                        let b = inst.base.as_deref().cloned().unwrap_or(Value::None);
                        if matches!(b, Value::List(_) | Value::Dict(_) | Value::Set(_)) {
                            return Err(type_error(format!("unhashable type: '{}'", cls.name)));
                        }
                        self.hash(&b)?
                    }
                    None => {
                        if cls.lookup(sym::EQ).is_some() {
                            return Err(type_error(format!("unhashable type: '{}'", cls.name)));
                        }
                        (v.address() >> 4) as u64
                    }
                }
            }
            // Equal bound methods hash alike: by the object and the function.
            // (By `identity`, which agrees with `is`, as the equality above does.)
            Value::Method(m) => {
                ((m.0.identity() >> 4) as u64) ^ ((m.1.identity() >> 4) as u64).rotate_left(17)
            }
            Value::Builtin(b) if b.is_method => {
                ((b.this.identity() >> 4) as u64) ^ (b.f as usize as u64).rotate_left(17) ^ str_hash(b.name)
            }
            _ => (v.address() >> 4) as u64,
        })
    }

    // ----- dict and set storage -----

    /// Looks a key up; returns its position.
    pub fn dict_find(
        &mut self,
        d: &Rc<RefCell<crate::dict::Dict>>,
        key: &Value,
        hash: u64,
    ) -> R<Option<usize>> {
        let mut slow: Vec<(usize, Value)> = Vec::new();
        {
            let dd = d.borrow();
            for (i, e) in dd.candidates(hash) {
                match fast_key_eq(&e.key, key) {
                    Some(true) => return Ok(Some(i)),
                    Some(false) => {}
                    None => slow.push((i, e.key.clone())),
                }
            }
        }
        for (i, k) in slow {
            if self.eq(&k, key)? {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }

    pub fn dict_get(&mut self, d: &Rc<RefCell<crate::dict::Dict>>, key: &Value) -> R<Option<Value>> {
        let h = self.hash(key)?;
        Ok(self.dict_find(d, key, h)?.and_then(|i| d.borrow().entry(i).map(|e| e.value.clone())))
    }

    pub fn dict_set(&mut self, d: &Rc<RefCell<crate::dict::Dict>>, key: Value, value: Value) -> R<()> {
        let h = self.hash(&key)?;
        match self.dict_find(d, &key, h)? {
            Some(i) => d.borrow_mut().set_value_at(i, value),
            None => d.borrow_mut().push(h, key, value),
        }
        Ok(())
    }

    pub fn dict_remove(&mut self, d: &Rc<RefCell<crate::dict::Dict>>, key: &Value) -> R<Option<Value>> {
        let h = self.hash(key)?;
        Ok(match self.dict_find(d, key, h)? {
            Some(i) => d.borrow_mut().remove_at(i).map(|e| e.value),
            None => None,
        })
    }

    pub fn set_add(&mut self, d: &Rc<RefCell<crate::dict::Dict>>, key: Value) -> R<()> {
        let h = self.hash(&key)?;
        if self.dict_find(d, &key, h)?.is_none() {
            d.borrow_mut().push(h, key, Value::None);
        }
        Ok(())
    }

    pub fn set_contains(&mut self, d: &Rc<RefCell<crate::dict::Dict>>, key: &Value) -> R<bool> {
        let h = self.hash(key)?;
        Ok(self.dict_find(d, key, h)?.is_some())
    }

    fn set_subset(
        &mut self,
        x: &Rc<RefCell<crate::dict::Dict>>,
        y: &Rc<RefCell<crate::dict::Dict>>,
    ) -> R<bool> {
        let keys = x.borrow().keys();
        for k in keys {
            if !self.set_contains(y, &k)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn float_cmp(op: CmpOp, x: f64, y: f64) -> bool {
    match op {
        CmpOp::Lt => x < y,
        CmpOp::Le => x <= y,
        CmpOp::Gt => x > y,
        _ => x >= y,
    }
}

fn float_int_eq(f: f64, i: &Value) -> bool {
    use num_traits::FromPrimitive;
    if f.fract() != 0.0 || !f.is_finite() {
        return false;
    }
    match (BigInt::from_f64(f), big(i)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// Compares a float with an int exactly; `swapped` when the int is on the left.
fn float_int_cmp(op: CmpOp, f: f64, i: &Value, swapped: bool) -> bool {
    use num_traits::FromPrimitive;
    use std::cmp::Ordering;
    if f.is_nan() {
        return false;
    }
    let ord = if f.is_infinite() {
        if f > 0.0 {
            Ordering::Greater
        } else {
            Ordering::Less
        }
    } else {
        // Compare floor(f) with the int, then the fraction decides ties.
        let fl = f.floor();
        let (Some(a), Some(b)) = (BigInt::from_f64(fl), big(i)) else { return false };
        match a.cmp(&b) {
            Ordering::Equal if f > fl => Ordering::Greater,
            o => o,
        }
    };
    let ord = if swapped { ord.reverse() } else { ord };
    match op {
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        _ => ord != Ordering::Less,
    }
}

/// CPython's hash of an int: the value modulo 2**61 - 1, -1 becoming -2.
fn hash_int(i: i64) -> i64 {
    const M: i64 = (1 << 61) - 1;
    let r = if i >= 0 { i % M } else { -((-(i as i128) % M as i128) as i64) };
    if r == -1 {
        -2
    } else {
        r
    }
}

/// CPython's hash of a float (`_Py_HashDouble`): the value as a fraction modulo 2**61 - 1,
/// so that equal ints and floats hash alike. (A NaN hashes as 0: tinyasync cannot tell two
/// float objects apart.)
fn hash_float(f: f64) -> i64 {
    const BITS: i32 = 61;
    const MODULUS: u64 = (1 << BITS) - 1;
    if f.is_nan() {
        return 0;
    }
    if f.is_infinite() {
        return if f > 0.0 { 314_159 } else { -314_159 };
    }
    let (mut m, e) = frexp(f);
    let mut e = e as i32;
    let sign: i64 = if m < 0.0 {
        m = -m;
        -1
    } else {
        1
    };
    // 28 bits at a time.
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | (x >> (BITS - 28));
        m *= 268_435_456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let e = if e >= 0 { e % BITS } else { BITS - 1 - ((-1 - e) % BITS) };
    x = ((x << e) & MODULUS) | (x >> (BITS - e));
    let h = (x as i64).wrapping_mul(sign);
    if h == -1 {
        -2
    } else {
        h
    }
}

/// C's `frexp`: `x == m * 2**e` with `0.5 <= abs(m) < 1`, or `(x, 0)` for 0, inf and nan
/// (`math.frexp`, and the float hash).
pub fn frexp(x: f64) -> (f64, i64) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    if exp == 0 {
        // Subnormal: scale into the normal range first.
        let (m, e) = frexp(x * 2f64.powi(64));
        return (m, e - 64);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, exp - 1022)
}

/// FNV-1a over the bytes: a stable, fast hash for strings.
fn str_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

/// Key equality that needs no user code; None when `__eq__` must be called.
fn fast_key_eq(a: &Value, b: &Value) -> Option<bool> {
    use Value::*;
    Some(match (a, b) {
        (Str(x), Str(y)) => x.s == y.s,
        (Int(x), Int(y)) => x == y,
        (Int(_) | Bool(_) | BigInt(_), Int(_) | Bool(_) | BigInt(_)) => big(a) == big(b),
        (Float(x), Float(y)) => x == y || (x.is_nan() && y.is_nan() && x.to_bits() == y.to_bits()),
        (Float(x), _) if is_int(b) => float_int_eq(*x, b),
        (_, Float(y)) if is_int(a) => float_int_eq(*y, a),
        (None, None) => true,
        (Tuple(x), Tuple(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (p, q) in x.iter().zip(y.iter()) {
                match fast_key_eq(p, q)? {
                    true => {}
                    false => return Some(false),
                }
            }
            true
        }
        (Method(x), Method(y)) => x.0.is(&y.0) && x.1.is(&y.1),
        (Builtin(x), Builtin(y)) if x.is_method && y.is_method => return Option::None,
        // frozensets: equal when their elements are.
        (Set(_), Set(_)) => return Option::None,
        // Unions: equal when they hold the same classes (`eq`).
        (Native(x), Native(y))
            if matches!(**x, crate::value::Native::UnionType(_))
                && matches!(**y, crate::value::Native::UnionType(_)) =>
        {
            return Option::None
        }
        (Instance(x), Instance(y)) if Rc::ptr_eq(x, y) => true,
        (Instance(x), _) if x.base.is_some() || x.class.lookup(sym::EQ).is_some() => return Option::None,
        (_, Instance(y)) if y.base.is_some() || y.class.lookup(sym::EQ).is_some() => return Option::None,
        _ => a.is(b),
    })
}

/// An ordering's method and its reflection (`a < b` is `b > a`).
fn order_names(op: CmpOp) -> (Symbol, Symbol) {
    match op {
        CmpOp::Lt => (sym::LT, sym::GT),
        CmpOp::Le => (sym::LE, sym::GE),
        CmpOp::Gt => (sym::GT, sym::LT),
        _ => (sym::GE, sym::LE),
    }
}

/// Whether CPython tries the right operand's reflected method first: its type is a proper
/// subclass of the left's, or the left is no instance (and so has no method of its own here).
fn reflected_first(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Instance(x), Value::Instance(y)) => {
            !Rc::ptr_eq(&x.class, &y.class) && y.class.is_subclass(&x.class)
        }
        (_, Value::Instance(_)) => true,
        _ => false,
    }
}

/// Whether `v` is an instance whose class (or a user base) defines `name` itself.
fn has_own(v: &Value, name: Symbol) -> bool {
    matches!(v, Value::Instance(i) if i.class.lookup(name).is_some())
}
