//! The set operations, each inserting and deleting in the sequence CPython's
//! Objects/setobject.c (3.11) does, on the set tables of `dict.rs`: since a set iterates in
//! slot order, the same sequence on the same table gives the same order as CPython's
//! (`print({3, 1, 2})` prints `{1, 2, 3}`; `a | b` copies `a`'s table and merges `b`'s into
//! it; `a & b` walks the smaller set; `s.pop()` follows a finger).

use super::*;
use crate::dict::Dict;

type Table = Rc<RefCell<Dict>>;

/// An empty `set` (or `frozenset`).
pub fn new_set(frozen: bool) -> Table {
    let mut d = Dict::new_set();
    d.frozen = frozen;
    Rc::new(RefCell::new(d))
}

/// The keys of a set or dict with their stored hashes, in its order.
fn hashed_keys(d: &Table) -> Vec<(Value, u64)> {
    d.borrow().iter().map(|e| (e.key.clone(), e.hash)).collect()
}

/// The dict a dict view shows.
fn view_dict(v: &Value) -> Option<Table> {
    match v {
        Value::Native(n) => match &**n {
            Native::DictView { d, .. } => Some(d.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// How many entries a dict view shows.
fn view_len(v: &Value) -> usize {
    view_dict(v).map_or(0, |d| d.borrow().len())
}

/// Two sets as (the one to walk, the one to look keys up in): the smaller is walked, the
/// second when they are the same size (as CPython's intersection and isdisjoint do).
fn walk_smaller(so: &Table, other: Table) -> (Table, Table) {
    if other.borrow().len() > so.borrow().len() {
        (so.clone(), other)
    } else {
        (other, so.clone())
    }
}

/// The set a value is, for the set algorithms (a set, or an instance of a `set` subclass).
pub(crate) fn as_set(v: &Value) -> Option<Table> {
    match v {
        Value::Set(d) => Some(d.clone()),
        Value::Instance(i) => match i.base.as_deref() {
            Some(Value::Set(d)) => Some(d.clone()),
            _ => None,
        },
        _ => None,
    }
}

impl Interp {
    /// Adds a key whose hash is known, unless an equal one is there.
    pub fn set_add_hashed(&mut self, d: &Table, key: Value, hash: u64) -> R<()> {
        if self.dict_find(d, &key, hash)?.is_none() {
            d.borrow_mut().push(hash, key, Value::None);
        }
        Ok(())
    }

    /// Removes a key whose hash is known; whether it was there.
    fn set_discard_hashed(&mut self, d: &Table, key: &Value, hash: u64) -> R<bool> {
        Ok(match self.dict_find(d, key, hash)? {
            Some(i) => {
                d.borrow_mut().remove_at(i);
                true
            }
            None => false,
        })
    }

    /// Merges set `other` into set `so` (CPython's `set_merge`): one resize first, then a copy
    /// when `so` is empty, else one checked insertion per key in `other`'s slot order.
    fn set_merge(&mut self, so: &Table, other: &Table) -> R<()> {
        if Rc::ptr_eq(so, other) || other.borrow().is_empty() {
            return Ok(());
        }
        let n = other.borrow().len();
        so.borrow_mut().presize(n);
        if so.borrow_mut().merge_into_empty(&other.borrow()) {
            return Ok(());
        }
        for (k, h) in hashed_keys(other) {
            self.set_add_hashed(so, k, h)?;
        }
        Ok(())
    }

    /// `so.update(other)` for one argument (CPython's `set_update_internal`): a set merges, a
    /// dict's keys go in with their hashes after one resize, anything else one by one.
    pub fn set_update(&mut self, so: &Table, other: &Value) -> R<()> {
        if let Some(o) = as_set(other) {
            return self.set_merge(so, &o);
        }
        if let Value::Dict(d) = other {
            let keys = hashed_keys(d);
            so.borrow_mut().presize(keys.len());
            for (k, h) in keys {
                self.set_add_hashed(so, k, h)?;
            }
            return Ok(());
        }
        let it = self.get_iter(other)?;
        while let Some(x) = self.next(&it)? {
            self.set_add(so, x)?;
        }
        Ok(())
    }

    /// `set(iterable)` or `frozenset(iterable)`.
    pub fn make_set(&mut self, frozen: bool, iterable: Option<&Value>) -> R<Table> {
        let d = new_set(frozen);
        if let Some(src) = iterable {
            self.set_update(&d, src)?;
        }
        Ok(d)
    }

    /// A new set of `so`'s type with its keys (merged, so its table may be smaller).
    pub fn set_copy(&mut self, so: &Table) -> R<Table> {
        let frozen = so.borrow().frozen;
        self.make_set(frozen, Some(&Value::Set(so.clone())))
    }

    /// `so | other` and `so.union(other)`: a copy of `so`, then `other` merged in.
    pub fn set_union(&mut self, so: &Table, others: &[Value]) -> R<Table> {
        let result = self.set_copy(so)?;
        for other in others {
            if as_set(other).is_some_and(|o| Rc::ptr_eq(&o, so)) {
                continue;
            }
            self.set_update(&result, other)?;
        }
        Ok(result)
    }

    /// `so & other`: a set walks the smaller of the two (the argument when they are the same
    /// size); any other iterable is walked until the result is as large as `so`.
    pub fn set_intersection(&mut self, so: &Table, other: &Value) -> R<Table> {
        let frozen = so.borrow().frozen;
        let result = new_set(frozen);
        if let Some(o) = as_set(other) {
            if Rc::ptr_eq(so, &o) {
                return self.set_copy(so);
            }
            let (walk, check) = walk_smaller(so, o);
            for (k, h) in hashed_keys(&walk) {
                if self.dict_find(&check, &k, h)?.is_some() {
                    self.set_add_hashed(&result, k, h)?;
                }
            }
            return Ok(result);
        }
        let it = self.get_iter(other)?;
        while let Some(k) = self.next(&it)? {
            let h = self.hash(&k)?;
            if self.dict_find(so, &k, h)?.is_some() {
                self.set_add_hashed(&result, k, h)?;
                if result.borrow().len() >= so.borrow().len() {
                    break;
                }
            }
        }
        Ok(result)
    }

    /// `so.intersection(*others)`: one intersection after another (a copy for none).
    pub fn set_intersection_multi(&mut self, so: &Table, others: &[Value]) -> R<Table> {
        if others.is_empty() {
            return self.set_copy(so);
        }
        let mut result = so.clone();
        for other in others {
            result = self.set_intersection(&result, other)?;
        }
        Ok(result)
    }

    /// `so -= other`: each key of `other` (of the intersection when `other` is a set more than
    /// eight times larger) deleted, leaving dummies, which go when they are over a quarter of
    /// the table.
    pub fn set_difference_update(&mut self, so: &Table, other: &Value) -> R<()> {
        if let Some(o) = as_set(other) {
            if Rc::ptr_eq(so, &o) {
                so.borrow_mut().clear();
                return Ok(());
            }
            let o = if (o.borrow().len() >> 3) > so.borrow().len() {
                self.set_intersection(so, other)?
            } else {
                o
            };
            for (k, h) in hashed_keys(&o) {
                self.set_discard_hashed(so, &k, h)?;
            }
        } else {
            let it = self.get_iter(other)?;
            while let Some(k) = self.next(&it)? {
                let h = self.hash(&k)?;
                self.set_discard_hashed(so, &k, h)?;
            }
        }
        so.borrow_mut().purge_dummies();
        Ok(())
    }

    /// `so - other`: against a set or dict not much smaller than `so`, the keys of `so` not in
    /// it added to a new set; otherwise a copy of `so` with `other`'s keys deleted.
    pub fn set_difference(&mut self, so: &Table, other: &Value) -> R<Table> {
        // A set's or a dict's table, which can be asked without running other code.
        let table = match other {
            Value::Dict(d) => Some(d.clone()),
            _ => as_set(other),
        };
        let check = match table {
            Some(t) if (so.borrow().len() >> 2) <= t.borrow().len() => t,
            _ => {
                let result = self.set_copy(so)?;
                self.set_difference_update(&result, other)?;
                return Ok(result);
            }
        };
        let result = new_set(so.borrow().frozen);
        for (k, h) in hashed_keys(so) {
            if self.dict_find(&check, &k, h)?.is_none() {
                self.set_add_hashed(&result, k, h)?;
            }
        }
        Ok(result)
    }

    /// `so.difference(*others)`: the first difference, then the rest deleted from it.
    pub fn set_difference_multi(&mut self, so: &Table, others: &[Value]) -> R<Table> {
        let Some((first, rest)) = others.split_first() else { return self.set_copy(so) };
        let result = self.set_difference(so, first)?;
        for other in rest {
            self.set_difference_update(&result, other)?;
        }
        Ok(result)
    }

    /// `so ^= other`: each key of `other` (made a set first unless it is a set or a dict)
    /// deleted from `so` when there, added when not.
    pub fn set_symmetric_difference_update(&mut self, so: &Table, other: &Value) -> R<()> {
        let keys = match other {
            Value::Dict(d) => hashed_keys(d),
            _ => match as_set(other) {
                Some(o) if Rc::ptr_eq(so, &o) => {
                    so.borrow_mut().clear();
                    return Ok(());
                }
                Some(o) => hashed_keys(&o),
                None => {
                    let frozen = so.borrow().frozen;
                    hashed_keys(&self.make_set(frozen, Some(other))?)
                }
            },
        };
        for (k, h) in keys {
            if !self.set_discard_hashed(so, &k, h)? {
                self.set_add_hashed(so, k, h)?;
            }
        }
        Ok(())
    }

    /// `so ^ other`: a new set (of `so`'s type) made from `other`, then `so`'s keys toggled in it.
    pub fn set_symmetric_difference(&mut self, so: &Table, other: &Value) -> R<Table> {
        let frozen = so.borrow().frozen;
        let result = self.make_set(frozen, Some(other))?;
        self.set_symmetric_difference_update(&result, &Value::Set(so.clone()))?;
        Ok(result)
    }

    /// `x op y` for two sets (`|`, `&`, `-`, `^`); the result has `x`'s type.
    pub fn set_op(&mut self, op: crate::ast::BinOp, x: &Table, y: &Table) -> R<Value> {
        use crate::ast::BinOp;
        let other = Value::Set(y.clone());
        let r = match op {
            BinOp::BitOr => self.set_union(x, &[other])?,
            BinOp::BitAnd => self.set_intersection(x, &other)?,
            BinOp::Sub => self.set_difference(x, &other)?,
            BinOp::BitXor => self.set_symmetric_difference(x, &other)?,
            _ => return Err(type_error("unsupported operand types for a set")),
        };
        Ok(Value::Set(r))
    }

    /// `x op= y` for two sets: `x` changed in place.
    pub fn set_op_in_place(&mut self, op: crate::ast::BinOp, x: &Table, y: &Table) -> R<()> {
        use crate::ast::BinOp;
        let other = Value::Set(y.clone());
        match op {
            BinOp::BitOr => self.set_update(x, &other),
            BinOp::BitAnd => {
                let r = self.set_intersection(x, &other)?;
                let r = r.borrow().clone();
                x.borrow_mut().take_table(r);
                Ok(())
            }
            BinOp::Sub => self.set_difference_update(x, &other),
            BinOp::BitXor => self.set_symmetric_difference_update(x, &other),
            _ => Err(type_error("unsupported operand types for a set")),
        }
    }

    /// `so.isdisjoint(other)`: the smaller of two sets walked, any other iterable in its
    /// order; the first shared key ends it.
    pub fn set_isdisjoint(&mut self, so: &Table, other: &Value) -> R<bool> {
        if let Some(o) = as_set(other) {
            if Rc::ptr_eq(so, &o) {
                return Ok(so.borrow().is_empty());
            }
            let (walk, check) = walk_smaller(so, o);
            for (k, h) in hashed_keys(&walk) {
                if self.dict_find(&check, &k, h)?.is_some() {
                    return Ok(false);
                }
            }
            return Ok(true);
        }
        let it = self.get_iter(other)?;
        while let Some(k) = self.next(&it)? {
            if self.set_contains(so, &k)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// A dict view (or anything beside one) as the set the view operators start from: the
    /// keys of a keys view's dict with their hashes, else `set(v)`.
    pub fn view_to_set(&mut self, v: &Value) -> R<Table> {
        if let Value::Native(n) = v {
            if let Native::DictView { d, kind: 0 } = &**n {
                return self.make_set(false, Some(&Value::Dict(d.clone())));
            }
        }
        self.make_set(false, Some(v))
    }

    /// `a op b` where either is a dict's keys or items view: `&` as CPython's
    /// `_PyDictView_Intersect` (a larger set does the work; else the smaller side is walked),
    /// the others a set of `a` with `b` merged, deleted or toggled.
    pub fn view_op(&mut self, op: crate::ast::BinOp, a: &Value, b: &Value) -> R<Value> {
        use crate::ast::BinOp;
        let r = match op {
            BinOp::BitAnd => {
                let (view, other) = if super::ops::set_view(a).is_some() { (a, b) } else { (b, a) };
                let n = view_len(view);
                match other {
                    Value::Set(o) if !o.borrow().frozen && n <= o.borrow().len() => {
                        self.set_intersection(o, view)?
                    }
                    _ => {
                        let (view, other) = if super::ops::set_view(other).is_some() && view_len(other) > n {
                            (other, view)
                        } else {
                            (view, other)
                        };
                        let result = new_set(false);
                        let it = self.get_iter(other)?;
                        while let Some(k) = self.next(&it)? {
                            if self.contains(view, &k)? {
                                self.set_add(&result, k)?;
                            }
                        }
                        result
                    }
                }
            }
            BinOp::BitXor
                if matches!((super::ops::set_view(a), super::ops::set_view(b)), (Some(2), Some(2))) =>
            {
                self.items_xor(a, b)?
            }
            _ => {
                let result = self.view_to_set(a)?;
                match op {
                    BinOp::BitOr => self.set_update(&result, b)?,
                    BinOp::Sub => self.set_difference_update(&result, b)?,
                    _ => self.set_symmetric_difference_update(&result, b)?,
                }
                result
            }
        };
        Ok(Value::Set(r))
    }
}

impl Interp {
    /// `d1.items() ^ d2.items()` (CPython's `dictitems_xor`): the pairs of `d2` whose key is
    /// not in `d1` with an equal value, then the pairs of `d1` left over, without hashing the
    /// values of pairs that cancel out.
    fn items_xor(&mut self, a: &Value, b: &Value) -> R<Table> {
        let (Some(d1), Some(d2)) = (view_dict(a), view_dict(b)) else { return Ok(new_set(false)) };
        let left = Rc::new(RefCell::new(d1.borrow().clone()));
        let result = new_set(false);
        let pairs: Vec<(Value, Value, u64)> =
            d2.borrow().iter().map(|e| (e.key.clone(), e.value.clone(), e.hash)).collect();
        for (k, v2, h) in pairs {
            let found = self.dict_find(&left, &k, h)?;
            let v1 = found.and_then(|i| left.borrow().entry(i).map(|e| e.value.clone()));
            let cancels = match &v1 {
                Some(v1) => self.eq(v1, &v2)?,
                None => false,
            };
            match (cancels, found) {
                (true, Some(i)) => {
                    left.borrow_mut().remove_at(i);
                }
                _ => self.set_add(&result, Value::tuple(vec![k, v2]))?,
            }
        }
        let rest: Vec<Value> =
            left.borrow().iter().map(|e| Value::tuple(vec![e.key.clone(), e.value.clone()])).collect();
        for pair in rest {
            self.set_add(&result, pair)?;
        }
        Ok(result)
    }

    /// A set used as a key (`in`, `remove`, `discard` on a set) is looked up as a frozenset of
    /// its keys, as CPython does; any other key as it is.
    pub fn frozen_key(&mut self, key: &Value) -> R<Value> {
        match key {
            Value::Set(k) if !k.borrow().frozen => Ok(Value::Set(self.make_set(true, Some(key))?)),
            _ => Ok(key.clone()),
        }
    }

    /// The frozenset of a set-display constant `(key, items)` (`Instr::SetConst`), made on
    /// first use as CPython's compiler makes it — the items added in order, then the whole
    /// rebuilt from that set's order (as the compiler does when it merges equal constants) —
    /// and shared by every display with the same key.
    pub fn const_frozenset(&mut self, c: &Value) -> R<Table> {
        let Value::Tuple(parts) = c else { return Ok(new_set(true)) };
        let (Some(Value::Str(key)), Some(items)) = (parts.first(), parts.get(1)) else {
            return Ok(new_set(true));
        };
        if let Some(fs) = self.const_sets.get(key.s.as_str()) {
            return Ok(fs.clone());
        }
        let first = self.make_set(true, Some(items))?;
        let rebuilt = new_set(true);
        for (k, h) in hashed_keys(&first) {
            self.set_add_hashed(&rebuilt, k, h)?;
        }
        self.const_sets.insert(key.s.clone(), rebuilt.clone());
        Ok(rebuilt)
    }
}
