//! Arithmetic operators with Python's semantics (floor division and modulo toward −∞, int
//! promotion to big integers), in-place and unary operators, with the dunder methods of user
//! classes. Comparison, truthiness and hashing are in `compare.rs`.

use super::*;
use crate::ast::{BinOp, UnaryOp};
use crate::hint::{a_type, NONE_HELP};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

/// The small-int fast path of the common operators (None: take the general path). An int,
/// not a `Value`: the VM writes `Value::Int` of it straight into a register.
#[inline(always)]
pub fn int_fast(op: BinOp, a: i64, b: i64) -> Option<i64> {
    match op {
        BinOp::Add => a.checked_add(b),
        BinOp::Sub => a.checked_sub(b),
        BinOp::Mul => a.checked_mul(b),
        BinOp::Mod if b > 0 && a >= 0 => Some(a % b),
        BinOp::FloorDiv if b > 0 && a >= 0 => Some(a / b),
        _ => None,
    }
}

pub(crate) fn big(v: &Value) -> Option<BigInt> {
    match v {
        Value::Int(i) => Some(BigInt::from(*i)),
        Value::Bool(b) => Some(BigInt::from(*b as i64)),
        Value::BigInt(b) => Some((**b).clone()),
        _ => None,
    }
}

pub(super) fn is_int(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Bool(_) | Value::BigInt(_))
}

pub fn to_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Bool(b) => Some(*b as i64 as f64),
        Value::Float(f) => Some(*f),
        Value::BigInt(b) => b.to_f64(),
        _ => None,
    }
}

fn dunder_of(op: BinOp) -> (Symbol, Symbol) {
    match op {
        BinOp::Add => (sym::ADD, sym::RADD),
        BinOp::Sub => (sym::SUB, sym::RSUB),
        BinOp::Mul => (sym::MUL, sym::RMUL),
        BinOp::Div => (sym::TRUEDIV, sym::RTRUEDIV),
        BinOp::FloorDiv => (sym::FLOORDIV, sym::RFLOORDIV),
        BinOp::Mod => (sym::MOD, sym::RMOD),
        BinOp::Pow => (sym::POW, sym::RPOW),
        BinOp::MatMul => (sym::MATMUL, sym::RMATMUL),
        BinOp::LShift => (sym::LSHIFT, sym::RLSHIFT),
        BinOp::RShift => (sym::RSHIFT, sym::RRSHIFT),
        BinOp::BitAnd => (sym::AND, sym::RAND),
        BinOp::BitOr => (sym::OR, sym::ROR),
        BinOp::BitXor => (sym::XOR, sym::RXOR),
    }
}

/// Floor division and modulo of i64 (b != 0), or None on overflow.
fn floor_divmod(a: i64, b: i64) -> Option<(i64, i64)> {
    let q = a.checked_div(b)?;
    let r = a.checked_rem(b)?;
    if r != 0 && ((r < 0) != (b < 0)) {
        Some((q - 1, r + b))
    } else {
        Some((q, r))
    }
}

fn float_mod(a: f64, b: f64) -> f64 {
    let m = a % b;
    if m != 0.0 && ((m < 0.0) != (b < 0.0)) {
        m + b
    } else if m == 0.0 {
        0.0f64.copysign(b)
    } else {
        m
    }
}

fn float_floordiv(a: f64, b: f64) -> f64 {
    let m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
        div -= 1.0;
    }
    if div == 0.0 {
        return 0.0f64.copysign(a / b);
    }
    let floor = div.floor();
    if div - floor > 0.5 {
        floor + 1.0
    } else {
        floor
    }
}

impl Interp {
    pub fn binop(&mut self, op: BinOp, a: &Value, b: &Value) -> R<Value> {
        // `d.keys() & other`: key and item views are sets for the set operators.
        if matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::Sub | BinOp::BitXor)
            && (set_view(a).is_some() || set_view(b).is_some())
        {
            return self.view_op(op, a, b);
        }
        match self.builtin_binop(op, a, b) {
            Ok(Some(v)) => return Ok(v),
            Ok(None) => {}
            Err(e)
                if matches!(op, BinOp::Div | BinOp::FloorDiv | BinOp::Mod)
                    && e.is_instance(&self.t.zero_division) =>
            {
                return Err(e.label_on(At::Operand(1), b, "this is zero"))
            }
            Err(e) => return Err(e),
        }
        if let Some(v) = self.deque_binop(op, a, b)? {
            return Ok(v);
        }
        if op == BinOp::BitOr {
            if let Some(u) = self.union_of(a, b) {
                return Ok(u);
            }
        }
        // User classes: a.__op__(b), then b.__rop__(a).
        let (name, rname) = dunder_of(op);
        // Subclasses of built-in types: the operator on their values (`stack + [1]`).
        let (va, vb) = (self.builtin_view(a, name), self.builtin_view(b, rname));
        if va.is_some() || vb.is_some() {
            let (x, y) = (va.unwrap_or_else(|| a.clone()), vb.unwrap_or_else(|| b.clone()));
            if !matches!(x, Value::Instance(_)) && !matches!(y, Value::Instance(_)) {
                return self.binop(op, &x, &y);
            }
        }
        if let Value::Instance(_) = a {
            if self.has_method(a, name) {
                let r = self.call_method(a, name, &[b.clone()], &[])?;
                if !is_not_implemented(&r) {
                    return Ok(r);
                }
            }
        }
        if let Value::Instance(_) = b {
            if self.has_method(b, rname) {
                let r = self.call_method(b, rname, &[a.clone()], &[])?;
                if !is_not_implemented(&r) {
                    return Ok(r);
                }
            }
        }
        // A sequence repeated by an instance standing for an int (`__index__`), as CPython's
        // sequence repeat takes it after the number methods declined.
        if op == BinOp::Mul {
            let seq = |v: &Value| matches!(v, Value::List(_) | Value::Tuple(_) | Value::Str(_));
            if let (true, Value::Instance(_)) = (seq(a), b) {
                if let Some(n) = self.user_index(b)? {
                    return self.binop(op, a, &n);
                }
            }
            if let (Value::Instance(_), true) = (a, seq(b)) {
                if let Some(n) = self.user_index(a)? {
                    return self.binop(op, &n, b);
                }
            }
        }
        Err(self.binop_type_error(op, a, b, false))
    }

    /// The TypeError for operands the operator does not take: CPython's message, each operand
    /// labelled with its type, and help for the usual mistakes.
    /// `inplace`: the operator was `op=` (`x += y`), which CPython's message names.
    fn binop_type_error(&self, op: BinOp, a: &Value, b: &Value, inplace: bool) -> Fault {
        let (ta, tb) = (self.type_name(a), self.type_name(b));
        let e = self
            .binop_message(op, a, b, inplace)
            .label_on(At::Operand(0), a, format!("this operand is {}", a_type(&ta)))
            .label_on(At::Operand(1), b, format!("this operand is {}", a_type(&tb)));
        let text = |v: &Value| matches!(v, Value::Str(_));
        let number =
            |v: &Value| matches!(v, Value::Int(_) | Value::BigInt(_) | Value::Float(_) | Value::Bool(_));
        if a.is_none() || b.is_none() {
            e.help(NONE_HELP)
        } else if op == BinOp::Add && (text(a) && number(b) || number(a) && text(b)) {
            e.help("to join, convert with str(); to add, convert with int() or float()")
        } else if op == BinOp::Add && matches!(a, Value::List(_)) {
            e.help("to add one item to a list, write `items + [x]` or `items.append(x)`")
        } else {
            e
        }
    }

    /// `e` is the generic "unsupported operand type(s)" TypeError of `a op b`.
    fn is_unsupported_operands(&self, e: &Fault, op: BinOp, a: &Value, b: &Value) -> bool {
        let Fault::Exc(x) = e else { return false };
        let Value::Instance(i) = &x.value else { return false };
        let generic = self.binop_message(op, a, b, false);
        let Fault::Exc(g) = &generic else { return false };
        let Value::Instance(gi) = &g.value else { return false };
        let args = |i: &Instance| i.attrs.borrow().get(&sym::ARGS).cloned();
        match (args(i), args(gi)) {
            (Some(Value::Tuple(m)), Some(Value::Tuple(gm))) => {
                matches!((m.first(), gm.first()), (Some(Value::Str(m)), Some(Value::Str(gm)))
                    if m.s == gm.s && gm.s.starts_with("unsupported operand"))
            }
            _ => false,
        }
    }

    fn binop_message(&self, op: BinOp, a: &Value, b: &Value, inplace: bool) -> Fault {
        let (ta, tb) = (self.type_name(a), self.type_name(b));
        if op == BinOp::Add {
            match a {
                Value::Str(_) => {
                    return type_error(format!("can only concatenate str (not \"{}\") to str", tb))
                }
                Value::List(_) => {
                    return type_error(format!("can only concatenate list (not \"{}\") to list", tb))
                }
                Value::Tuple(_) => {
                    return type_error(format!("can only concatenate tuple (not \"{}\") to tuple", tb))
                }
                _ => {}
            }
        }
        if op == BinOp::Mul {
            let is_seq = |v: &Value| {
                matches!(v, Value::Str(_) | Value::List(_) | Value::Tuple(_)) || as_deque(v).is_some()
            };
            if is_seq(a) && !is_int(b) {
                return type_error(format!("can't multiply sequence by non-int of type '{}'", tb));
            }
            if is_seq(b) && !is_int(a) {
                return type_error(format!("can't multiply sequence by non-int of type '{}'", ta));
            }
        }
        let sym = match (op, inplace) {
            (_, true) => format!("{}=", op.symbol()),
            (BinOp::Pow, false) => "** or pow()".to_string(),
            _ => op.symbol().to_string(),
        };
        type_error(format!("unsupported operand type(s) for {}: '{}' and '{}'", sym, ta, tb))
    }

    /// The operators of built-in types; None when neither operand's type defines it.
    fn builtin_binop(&mut self, op: BinOp, a: &Value, b: &Value) -> R<Option<Value>> {
        use Value::*;
        // Numbers.
        if is_int(a) && is_int(b) {
            return self.int_op(op, a, b).map(Some);
        }
        if matches!(a, Float(_)) && (is_int(b) || matches!(b, Float(_))) || matches!(b, Float(_)) && is_int(a)
        {
            // Shifts, bitwise operators and `@` have no float form: unsupported, reported with
            // the operands' own types (`2 << 1.0` names 'int' and 'float').
            if !matches!(
                op,
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::FloorDiv | BinOp::Mod | BinOp::Pow
            ) {
                return Ok(Option::None);
            }
            // An int past the largest float cannot take part (infinity is not its value).
            let finite = |v: &Value| match v {
                Value::BigInt(_) => to_f64(v).filter(|f| f.is_finite()),
                _ => to_f64(v),
            };
            let (x, y) = match (finite(a), finite(b)) {
                (Some(x), Some(y)) => (x, y),
                _ => return Err(overflow_error("int too large to convert to float")),
            };
            return float_op(op, x, y).map(Some);
        }
        Ok(match (op, a, b) {
            (BinOp::Add, Str(x), Str(y)) => {
                let mut s = String::with_capacity(x.s.len() + y.s.len());
                s.push_str(&x.s);
                s.push_str(&y.s);
                Some(Value::string(s))
            }
            (BinOp::Mul, Str(x), n) | (BinOp::Mul, n, Str(x)) if is_int(n) => {
                let k = self.repeat_count(n, x.s.len())?;
                Some(Value::string(x.s.repeat(k)))
            }
            (BinOp::Mod, Str(x), _) => Some(Value::string(self.percent_format(&x.s, b)?)),
            (BinOp::Add, List(x), List(y)) => {
                let mut v = x.borrow().clone();
                v.extend(y.borrow().iter().cloned());
                Some(Value::list(v))
            }
            (BinOp::Mul, List(x), n) | (BinOp::Mul, n, List(x)) if is_int(n) => {
                let items = x.borrow().clone();
                let k = self.repeat_count(n, items.len())?;
                Some(Value::list(repeat_vec(&items, k)))
            }
            (BinOp::Add, Tuple(x), Tuple(y)) => {
                let mut v = x.to_vec();
                v.extend(y.iter().cloned());
                Some(Value::tuple(v))
            }
            (BinOp::Mul, Tuple(x), n) | (BinOp::Mul, n, Tuple(x)) if is_int(n) => {
                let k = self.repeat_count(n, x.len())?;
                Some(Value::tuple(repeat_vec(x, k)))
            }
            (BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor, Set(x), Set(y)) => {
                Some(self.set_op(op, x, y)?)
            }
            (BinOp::BitOr, Dict(x), Dict(y)) => {
                let d = Rc::new(RefCell::new(x.borrow().clone()));
                let entries: Vec<(Value, Value)> =
                    y.borrow().iter().map(|e| (e.key.clone(), e.value.clone())).collect();
                for (k, v) in entries {
                    self.dict_set(&d, k, v)?;
                }
                Some(Value::Dict(d))
            }
            _ => Option::None,
        })
    }

    fn repeat_count(&mut self, n: &Value, unit: usize) -> R<usize> {
        let k = match n {
            Value::Int(i) => *i,
            Value::Bool(b) => *b as i64,
            _ => return Err(overflow_error("cannot fit 'int' into an index-sized integer")),
        };
        let k = k.max(0) as usize;
        if unit == 0 {
            return Ok(0);
        }
        if unit.saturating_mul(k) > 1 << 31 {
            return Err(exc(&self.t.exception, "MemoryError: the result would be too large"));
        }
        self.charge_memory(unit.saturating_mul(k).saturating_mul(16))?;
        Ok(k)
    }

    fn int_op(&mut self, op: BinOp, a: &Value, b: &Value) -> R<Value> {
        if let (Some(x), Some(y)) = (small(a), small(b)) {
            let r = match op {
                BinOp::Add => x.checked_add(y).map(Value::Int),
                BinOp::Sub => x.checked_sub(y).map(Value::Int),
                BinOp::Mul => x.checked_mul(y).map(Value::Int),
                BinOp::FloorDiv => {
                    if y == 0 {
                        return Err(zero_division("integer division or modulo by zero"));
                    }
                    floor_divmod(x, y).map(|(q, _)| Value::Int(q))
                }
                BinOp::Mod => {
                    if y == 0 {
                        return Err(zero_division("integer modulo by zero"));
                    }
                    floor_divmod(x, y).map(|(_, r)| Value::Int(r))
                }
                BinOp::Div => {
                    if y == 0 {
                        return Err(zero_division("division by zero"));
                    }
                    if x.unsigned_abs() < (1 << 53) && y.unsigned_abs() < (1 << 53) {
                        return Ok(Value::Float(x as f64 / y as f64));
                    }
                    None
                }
                BinOp::Pow => {
                    if y < 0 {
                        if x == 0 {
                            return Err(zero_division("0.0 cannot be raised to a negative power"));
                        }
                        return Ok(Value::Float((x as f64).powf(y as f64)));
                    }
                    u32::try_from(y).ok().and_then(|e| x.checked_pow(e)).map(Value::Int)
                }
                BinOp::BitAnd => {
                    let r = x & y;
                    return Ok(if let (Value::Bool(_), Value::Bool(_)) = (a, b) {
                        Value::Bool(r != 0)
                    } else {
                        Value::Int(r)
                    });
                }
                BinOp::BitOr => {
                    let r = x | y;
                    return Ok(if let (Value::Bool(_), Value::Bool(_)) = (a, b) {
                        Value::Bool(r != 0)
                    } else {
                        Value::Int(r)
                    });
                }
                BinOp::BitXor => {
                    let r = x ^ y;
                    return Ok(if let (Value::Bool(_), Value::Bool(_)) = (a, b) {
                        Value::Bool(r != 0)
                    } else {
                        Value::Int(r)
                    });
                }
                BinOp::LShift => {
                    if y < 0 {
                        return Err(value_error("negative shift count"));
                    }
                    if y < 63 && x.unsigned_abs() < (1u64 << (62 - y)) {
                        Some(Value::Int(x << y))
                    } else {
                        None
                    }
                }
                BinOp::RShift => {
                    if y < 0 {
                        return Err(value_error("negative shift count"));
                    }
                    return Ok(Value::Int(if y >= 64 {
                        if x < 0 {
                            -1
                        } else {
                            0
                        }
                    } else {
                        x >> y
                    }));
                }
                BinOp::MatMul => return Err(self.binop_type_error(op, a, b, false)),
            };
            if let Some(r) = r {
                return Ok(r);
            }
        }
        // Big integers.
        let (x, y) = match (big(a), big(b)) {
            (Some(x), Some(y)) => (x, y),
            _ => return Err(self.binop_type_error(op, a, b, false)),
        };
        Ok(match op {
            BinOp::Add => Value::from_bigint(x + y),
            BinOp::Sub => Value::from_bigint(x - y),
            BinOp::Mul => {
                if x.bits() + y.bits() > 64 * 1024 * 1024 {
                    return Err(overflow_error("integer result too large"));
                }
                Value::from_bigint(x * y)
            }
            BinOp::FloorDiv | BinOp::Mod => {
                if y.is_zero() {
                    return Err(zero_division(if op == BinOp::Mod {
                        "integer modulo by zero"
                    } else {
                        "integer division or modulo by zero"
                    }));
                }
                let (q, r) = x.div_mod_floor(&y);
                Value::from_bigint(if op == BinOp::Mod { r } else { q })
            }
            BinOp::Div => {
                if y.is_zero() {
                    return Err(zero_division("division by zero"));
                }
                Value::Float(big_true_div(&x, &y)?)
            }
            BinOp::Pow => {
                if y.is_negative() {
                    let (p, q) =
                        (x.to_f64().unwrap_or(f64::INFINITY), y.to_f64().unwrap_or(f64::NEG_INFINITY));
                    if p == 0.0 {
                        return Err(zero_division("0.0 cannot be raised to a negative power"));
                    }
                    return Ok(Value::Float(p.powf(q)));
                }
                // 0, 1 and -1 to any power need no arithmetic (and any exponent size).
                if x.is_zero() || x == BigInt::from(1) {
                    return Ok(Value::from_bigint(if y.is_zero() { BigInt::from(1) } else { x }));
                }
                if x == BigInt::from(-1) {
                    return Ok(Value::Int(if y.is_even() { 1 } else { -1 }));
                }
                let e = y.to_u64().unwrap_or(u64::MAX);
                if x.bits().saturating_mul(e) > 64 * 1024 * 1024 && x.bits() > 1 {
                    return Err(overflow_error("integer result too large"));
                }
                // Square and multiply, the limits (--timeout, --max-memory, Ctrl-C) checked
                // after each product of a million bits or more: a power of tens of millions of
                // bits takes seconds (CPython's too), and a program stops near its time limit
                // instead of after the whole power.
                let span = self.current_span.unwrap_or_default();
                let (mut base, mut e, mut r) = (x, e, BigInt::from(1));
                loop {
                    if e & 1 == 1 {
                        r *= &base;
                        if r.bits() > 1 << 20 {
                            self.check_limits(span)?;
                        }
                    }
                    e >>= 1;
                    if e == 0 {
                        break;
                    }
                    base = &base * &base;
                    if base.bits() > 1 << 20 {
                        self.check_limits(span)?;
                    }
                }
                Value::from_bigint(r)
            }
            BinOp::BitAnd => Value::from_bigint(x & y),
            BinOp::BitOr => Value::from_bigint(x | y),
            BinOp::BitXor => Value::from_bigint(x ^ y),
            BinOp::LShift => {
                if y.is_negative() {
                    return Err(value_error("negative shift count"));
                }
                let s = y.to_u64().unwrap_or(u64::MAX);
                if s > 64 * 1024 * 1024 {
                    return Err(overflow_error("too many digits in integer"));
                }
                Value::from_bigint(x << s as usize)
            }
            BinOp::RShift => {
                if y.is_negative() {
                    return Err(value_error("negative shift count"));
                }
                let s = y.to_u64().unwrap_or(u64::MAX).min(1 << 30);
                Value::from_bigint(x >> s as usize)
            }
            BinOp::MatMul => return Err(self.binop_type_error(op, a, b, false)),
        })
    }

    /// `a op= b`: lists, sets and dicts change in place; everything else is `a = a op b`.
    /// `a op= b` done as `a op b` (the left operand is not an instance): operands the operator
    /// does not take get CPython's message naming `op=` (no user code ran unless `b` is an
    /// instance, so a generic TypeError is binop's own).
    fn binop_for_inplace(&mut self, op: BinOp, a: &Value, b: &Value) -> R<Value> {
        match self.binop(op, a, b) {
            // (A user's `__add__`/`__radd__` failing inside says something else, and keeps it.)
            Err(e) if self.is_unsupported_operands(&e, op, a, b) => {
                Err(self.binop_type_error(op, a, b, true))
            }
            r => r,
        }
    }

    /// `deque + deque` (a new deque with the left one's `maxlen`), `deque * n` and `n *
    /// deque`, as CPython's `deque_concat` and `deque_repeat`. None: not a deque's operator.
    fn deque_binop(&mut self, op: BinOp, a: &Value, b: &Value) -> R<Option<Value>> {
        match (op, as_deque(a), as_deque(b)) {
            (BinOp::Add, Some((x, maxlen)), Some((y, _))) => {
                let mut items = x.borrow().clone();
                items.extend(y.borrow().iter().cloned());
                Ok(Some(Value::deque(keep_last(items, maxlen), maxlen)))
            }
            (BinOp::Add, Some(_), None) if !matches!(b, Value::Instance(_)) => Err(type_error(format!(
                "can only concatenate deque (not \"{}\") to deque",
                self.type_name(b)
            ))),
            (BinOp::Mul, Some((x, maxlen)), None) if is_int(b) => {
                Ok(Some(Value::deque(self.deque_repeated(x, b, maxlen)?, maxlen)))
            }
            (BinOp::Mul, None, Some((x, maxlen))) if is_int(a) => {
                Ok(Some(Value::deque(self.deque_repeated(x, a, maxlen)?, maxlen)))
            }
            _ => Ok(None),
        }
    }

    /// A deque's items repeated `n` times, as a deque of `maxlen` keeps them: repeated no
    /// more than fills it once past its bound, since it keeps only its last `maxlen` items
    /// (so `deque(r, maxlen=3) * 10**9` is quick, as in CPython).
    fn deque_repeated(
        &mut self,
        items: &RefCell<std::collections::VecDeque<Value>>,
        n: &Value,
        maxlen: Option<usize>,
    ) -> R<std::collections::VecDeque<Value>> {
        let items: Vec<Value> = items.borrow().iter().cloned().collect();
        let n = match (maxlen, n) {
            (Some(m), Value::Int(k)) if *k > (m / items.len().max(1) + 1) as i64 => {
                Value::Int((m / items.len().max(1) + 1) as i64)
            }
            _ => n.clone(),
        };
        let k = self.repeat_count(&n, items.len())?;
        Ok(keep_last(repeat_vec(&items, k).into(), maxlen))
    }

    /// `a | b` of classes (and None, and unions): `types.UnionType`, its classes in order
    /// without repeats, or the one class when they are all the same (`int | int` is `int`).
    /// None: not classes (a class with a metaclass `__or__` is not looked for).
    fn union_of(&self, a: &Value, b: &Value) -> Option<Value> {
        let is_type = |v: &Value| {
            matches!(v, Value::Class(_))
                || matches!(v, Value::Native(n) if matches!(**n, Native::UnionType(_)))
        };
        if !is_type(a) && !is_type(b) {
            return None;
        }
        let parts = |v: &Value| -> Option<Vec<Value>> {
            match v {
                Value::Class(_) => Some(vec![v.clone()]),
                Value::None => Some(vec![Value::Class(self.t.none.clone())]),
                Value::Native(n) => match &**n {
                    Native::UnionType(Value::Tuple(t)) => Some(t.to_vec()),
                    _ => None,
                },
                _ => None,
            }
        };
        let (x, y) = (parts(a)?, parts(b)?);
        let mut all: Vec<Value> = Vec::new();
        for c in x.into_iter().chain(y) {
            if !all.iter().any(|d| d.is(&c)) {
                all.push(c);
            }
        }
        if all.len() == 1 {
            return all.pop();
        }
        Some(Value::Native(Rc::new(Native::UnionType(Value::tuple(all)))))
    }

    pub fn inplace_op(&mut self, op: BinOp, a: Value, b: &Value) -> R<Value> {
        // `d += iterable` extends the deque in place; `d *= n` repeats it in place.
        if let Some((items, maxlen)) = as_deque(&a) {
            match op {
                BinOp::Add => {
                    let more = self.collect(b)?;
                    let mut all = std::mem::take(&mut *items.borrow_mut());
                    all.extend(more);
                    *items.borrow_mut() = keep_last(all, maxlen);
                    return Ok(a);
                }
                BinOp::Mul if is_int(b) => {
                    let repeated = self.deque_repeated(items, b, maxlen)?;
                    *items.borrow_mut() = repeated;
                    return Ok(a);
                }
                _ => {}
            }
        }
        match (&a, op) {
            (Value::List(l), BinOp::Add) => {
                let items = self.collect(b)?;
                l.borrow_mut().extend(items);
                Ok(a)
            }
            (Value::List(l), BinOp::Mul) if matches!(b, Value::Int(_) | Value::Bool(_)) => {
                let items = l.borrow().clone();
                let k = self.repeat_count(b, items.len())?;
                *l.borrow_mut() = repeat_vec(&items, k);
                Ok(a)
            }
            // `d |= other`: in place, and `other` may be pairs (what `update` takes), as
            // CPython's `dict.__ior__`.
            (Value::Dict(_), BinOp::BitOr) => {
                self.call_method(&a, sym::UPDATE, std::slice::from_ref(b), &[])?;
                Ok(a)
            }
            (Value::Set(s), BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor)
                if !s.borrow().frozen =>
            {
                // The right operand may be a set subclass's instance: still a set.
                let Some(other) = super::sets::as_set(b) else { return self.binop_for_inplace(op, &a, b) };
                self.set_op_in_place(op, s, &other)?;
                Ok(a)
            }
            (Value::Instance(_), _) => {
                let name = Symbol::intern(&format!("__i{}", &dunder_of(op).0.as_str()[2..]));
                if self.has_method(&a, name) {
                    let r = self.call_method(&a, name, &[b.clone()], &[])?;
                    if !is_not_implemented(&r) {
                        return Ok(r);
                    }
                }
                // A `list` or `dict` subclass's instance changes its built-in value in place
                // and stays itself (`class Stack(list)`: `s += [x]` is still a Stack).
                if let Value::Instance(i) = &a {
                    if let Some(base) = &i.base {
                        let in_place = match (&**base, op) {
                            (Value::List(_), BinOp::Add) | (Value::Dict(_), BinOp::BitOr) => true,
                            (Value::List(_), BinOp::Mul) => matches!(b, Value::Int(_) | Value::Bool(_)),
                            _ => false,
                        };
                        if in_place {
                            let base = (**base).clone();
                            self.inplace_op(op, base, b)?;
                            return Ok(a);
                        }
                    }
                }
                // A `set` subclass's instance changes in place and stays itself, as in CPython.
                if matches!(op, BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor) {
                    if let (Some(s), Some(other)) = (super::sets::as_set(&a), super::sets::as_set(b)) {
                        if !s.borrow().frozen {
                            self.set_op_in_place(op, &s, &other)?;
                            return Ok(a);
                        }
                    }
                }
                self.binop_for_inplace(op, &a, b)
            }
            _ => {
                if let (Value::Int(x), Value::Int(y)) = (&a, b) {
                    if let Some(v) = int_fast(op, *x, *y) {
                        return Ok(Value::Int(v));
                    }
                }
                self.binop_for_inplace(op, &a, b)
            }
        }
    }

    pub fn unary(&mut self, op: UnaryOp, v: &Value) -> R<Value> {
        match (op, v) {
            (UnaryOp::Not, _) => Ok(Value::Bool(!self.truthy(v)?)),
            (UnaryOp::Neg, Value::Int(i)) => Ok(match i.checked_neg() {
                Some(n) => Value::Int(n),
                None => Value::from_bigint(-BigInt::from(*i)),
            }),
            (UnaryOp::Neg, Value::Bool(b)) => Ok(Value::Int(-(*b as i64))),
            (UnaryOp::Neg, Value::BigInt(b)) => Ok(Value::from_bigint(-(**b).clone())),
            (UnaryOp::Neg, Value::Float(f)) => Ok(Value::Float(-f)),
            (UnaryOp::Pos, Value::Int(_) | Value::BigInt(_) | Value::Float(_)) => Ok(v.clone()),
            (UnaryOp::Pos, Value::Bool(b)) => Ok(Value::Int(*b as i64)),
            (UnaryOp::Invert, Value::Int(i)) => Ok(Value::Int(!i)),
            (UnaryOp::Invert, Value::Bool(b)) => Ok(Value::Int(!(*b as i64))),
            (UnaryOp::Invert, Value::BigInt(b)) => Ok(Value::from_bigint(-(**b).clone() - 1)),
            (_, Value::Instance(_)) => {
                let name = match op {
                    UnaryOp::Neg => sym::NEG,
                    UnaryOp::Pos => sym::POS,
                    _ => sym::INVERT,
                };
                if self.has_method(v, name) {
                    return self.call_method(v, name, &[], &[]);
                }
                Err(self.unary_error(op, v))
            }
            _ => Err(self.unary_error(op, v)),
        }
    }

    fn unary_error(&self, op: UnaryOp, v: &Value) -> Fault {
        let s = match op {
            UnaryOp::Neg => "unary -",
            UnaryOp::Pos => "unary +",
            UnaryOp::Invert => "unary ~",
            UnaryOp::Not => "not",
        };
        let t = self.type_name(v);
        let e = type_error(format!("bad operand type for {}: '{}'", s, t)).label_on(
            At::Operand(0),
            v,
            format!("this operand is {}", a_type(&t)),
        );
        if v.is_none() {
            e.help(NONE_HELP)
        } else {
            e
        }
    }
}

fn small(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

fn repeat_vec(items: &[Value], k: usize) -> Vec<Value> {
    let mut v = Vec::with_capacity(items.len() * k);
    for _ in 0..k {
        v.extend_from_slice(items);
    }
    v
}

pub(super) fn seq_items(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l) => l.borrow().clone(),
        Value::Tuple(t) => t.to_vec(),
        Value::Native(n) => match &**n {
            Native::Deque { items, .. } => items.borrow().iter().cloned().collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// A deque's items and `maxlen`, when `v` is one.
pub(crate) fn as_deque(v: &Value) -> Option<(&RefCell<std::collections::VecDeque<Value>>, Option<usize>)> {
    match v {
        Value::Native(n) => match &**n {
            Native::Deque { items, maxlen } => Some((items, *maxlen)),
            _ => None,
        },
        _ => None,
    }
}

/// `x / y` for ints past 2**53, correctly rounded, as CPython's `long_true_divide` gives it
/// (converting each to a float first can be off by one in the last place): the quotient
/// scaled to 55 or 56 bits, the remainder kept as a sticky low bit, then one rounding to 53.
fn big_true_div(x: &BigInt, y: &BigInt) -> R<f64> {
    use num_bigint::Sign;
    let negative = (x.sign() == Sign::Minus) != (y.sign() == Sign::Minus);
    let (a, b) = (x.magnitude(), y.magnitude());
    if a.is_zero() {
        return Ok(if negative { -0.0 } else { 0.0 });
    }
    let shift = 55 - (a.bits() as i64 - b.bits() as i64);
    let (q, r) = if shift >= 0 { (a << shift as u64).div_rem(b) } else { a.div_rem(&(b << (-shift) as u64)) };
    // (55 or 56 bits: it fits.)
    let mut q = q.to_u64().unwrap_or(u64::MAX);
    if !r.is_zero() {
        q |= 1;
    }
    let mut f = q as f64;
    let mut e = -shift;
    while e > 1000 {
        f *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        f *= 2f64.powi(-1000);
        e += 1000;
    }
    f *= 2f64.powi(e as i32);
    if f.is_infinite() {
        return Err(overflow_error("integer division result too large for a float"));
    }
    Ok(if negative { -f } else { f })
}

pub fn is_not_implemented(v: &Value) -> bool {
    matches!(v, Value::Native(n) if matches!(**n, Native::NotImplemented))
}

fn float_op(op: BinOp, x: f64, y: f64) -> R<Value> {
    Ok(Value::Float(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => {
            if y == 0.0 {
                return Err(zero_division("float division by zero"));
            }
            x / y
        }
        BinOp::FloorDiv => {
            if y == 0.0 {
                return Err(zero_division("float floor division by zero"));
            }
            float_floordiv(x, y)
        }
        BinOp::Mod => {
            if y == 0.0 {
                return Err(zero_division("float modulo"));
            }
            float_mod(x, y)
        }
        BinOp::Pow => {
            if x == 0.0 && y < 0.0 {
                return Err(zero_division("0.0 cannot be raised to a negative power"));
            }
            if x < 0.0 && y.fract() != 0.0 {
                return Err(value_error("math domain error: a negative number to a fractional power"));
            }
            let r = x.powf(y);
            if r.is_infinite() && x.is_finite() && y.is_finite() {
                return Err(overflow_error("(34, 'Numerical result out of range')"));
            }
            r
        }
        _ => {
            return Err(type_error(format!(
                "unsupported operand type(s) for {}: 'float' and 'float'",
                op.symbol()
            )))
        }
    }))
}

impl Interp {
    /// A dict of an instance's attributes now (what its `__dict__` reads as).
    pub fn attr_dict_snapshot(&mut self, v: &Value) -> R<Value> {
        match v {
            Value::Native(n) => match &**n {
                Native::AttrDict(inst) => self.dict_of_names(&inst.attrs),
                _ => Ok(Value::Dict(Default::default())),
            },
            _ => Ok(Value::Dict(Default::default())),
        }
    }

    /// A new dict of the names and values in `names` (a namespace, the globals, attributes),
    /// the names as strings, in their order.
    pub fn dict_of_names(&mut self, names: &RefCell<SymMap>) -> R<Value> {
        let items: Vec<(Symbol, Value)> = names.borrow().iter().map(|(k, v)| (*k, v.clone())).collect();
        let d = Value::dict_rc(crate::dict::Dict::new());
        for (k, x) in items {
            self.dict_set(&d, Value::str(k.as_str()), x)?;
        }
        Ok(Value::Dict(d))
    }
}

/// A dict's keys or items view (the set-like ones), with its kind.
pub fn set_view(v: &Value) -> Option<u8> {
    match v {
        Value::Native(n) => match &**n {
            Native::DictView { kind, .. } if *kind != 1 => Some(*kind),
            _ => None,
        },
        _ => None,
    }
}

impl Interp {
    /// A set of what `v` iterates over (a view, or any iterable beside one); a set as it is.
    pub fn view_as_set(&mut self, v: &Value) -> R<Value> {
        if matches!(v, Value::Set(_)) {
            return Ok(v.clone());
        }
        Ok(Value::Set(self.make_set(false, Some(v))?))
    }
}

/// The last `maxlen` of `items` (all of them without a `maxlen`): what a bounded deque keeps.
fn keep_last(
    mut items: std::collections::VecDeque<Value>,
    maxlen: Option<usize>,
) -> std::collections::VecDeque<Value> {
    if let Some(m) = maxlen {
        while items.len() > m {
            items.pop_front();
        }
    }
    items
}
