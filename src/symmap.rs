//! `SymMap`: the map from interned names to values behind instance attributes, class
//! namespaces, modules and globals. Insertion-ordered, as Python's dicts are (`vars(obj)`,
//! `SimpleNamespace`'s repr and `dir` follow the order attributes were first set).
//!
//! Most of these maps are small (an instance's few attributes, a class's methods): the entries
//! (a `u32` symbol and its value, 24 bytes) are kept in one vector scanned linearly, which
//! costs less than hashing for a dozen keys and needs one allocation. Past `INDEX_FROM` keys (a
//! module's globals) a hash index from symbol to position is kept beside them.

use crate::span::Symbol;
use crate::value::Value;
use std::collections::HashMap;

/// The size from which a map keeps a hash index.
const INDEX_FROM: usize = 16;

#[derive(Default)]
pub struct SymMap {
    entries: Vec<(Symbol, Value)>,
    // Boxed: most maps never have one, and every instance carries a map (8 bytes, not 40).
    #[allow(clippy::box_collection)]
    index: Option<Box<HashMap<Symbol, u32, SymHasher>>>,
}

impl SymMap {
    pub fn new() -> SymMap {
        SymMap::default()
    }

    /// How many keys it has room for without growing.
    pub fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// An empty map with room for `n` keys (none allocated when `n` is 0).
    pub fn with_capacity(n: usize) -> SymMap {
        SymMap { entries: Vec::with_capacity(n), index: None }
    }

    /// Where `k` is, if it is here: its place stays the same until a key is removed (see
    /// `at`).
    #[inline]
    pub fn position(&self, k: Symbol) -> Option<usize> {
        match &self.index {
            None => self.entries.iter().position(|e| e.0 == k),
            Some(ix) => ix.get(&k).map(|&i| i as usize),
        }
    }

    #[inline]
    pub fn get(&self, k: &Symbol) -> Option<&Value> {
        self.position(*k).map(|i| &self.entries[i].1)
    }

    /// The value at place `i`, if `k` is the key there (a place remembered from `position`,
    /// checked).
    #[inline]
    pub fn at(&self, i: usize, k: Symbol) -> Option<&Value> {
        match self.entries.get(i) {
            Some((s, v)) if *s == k => Some(v),
            _ => None,
        }
    }

    /// As `at`, to change the value.
    #[inline]
    pub fn at_mut(&mut self, i: usize, k: Symbol) -> Option<&mut Value> {
        match self.entries.get_mut(i) {
            Some((s, v)) if *s == k => Some(v),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, k: &Symbol) -> Option<&mut Value> {
        self.position(*k).map(|i| &mut self.entries[i].1)
    }

    #[inline]
    pub fn contains_key(&self, k: &Symbol) -> bool {
        self.position(*k).is_some()
    }

    /// Sets `k` (a new key goes last); returns the value it replaced.
    #[inline]
    pub fn insert(&mut self, k: Symbol, v: Value) -> Option<Value> {
        if let Some(i) = self.position(k) {
            return Some(std::mem::replace(&mut self.entries[i].1, v));
        }
        let at = self.entries.len();
        self.entries.push((k, v));
        match &mut self.index {
            Some(ix) => {
                ix.insert(k, at as u32);
            }
            None if self.entries.len() > INDEX_FROM => self.reindex(),
            None => {}
        }
        None
    }

    /// Removes `k`, keeping the order of the others.
    pub fn shift_remove(&mut self, k: &Symbol) -> Option<Value> {
        let i = self.position(*k)?;
        let (_, v) = self.entries.remove(i);
        if self.index.is_some() {
            self.reindex();
        }
        Some(v)
    }

    fn reindex(&mut self) {
        let mut ix = HashMap::with_capacity_and_hasher(self.entries.len(), SymHasher);
        for (i, (k, _)) in self.entries.iter().enumerate() {
            ix.insert(*k, i as u32);
        }
        self.index = Some(Box::new(ix));
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.index = None;
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn keys(&self) -> impl Iterator<Item = &Symbol> + '_ {
        self.entries.iter().map(|e| &e.0)
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> + '_ {
        self.entries.iter().map(|e| &e.1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Symbol, &Value)> + '_ {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

/// Symbols are small dense integers: a multiplicative hash is enough and fast.
#[derive(Default, Clone, Copy)]
pub struct SymHasher;
impl std::hash::BuildHasher for SymHasher {
    type Hasher = SymHash;
    fn build_hasher(&self) -> SymHash {
        SymHash(0)
    }
}
pub struct SymHash(u64);
impl std::hash::Hasher for SymHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ *b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_finds_keys_with_and_without_the_index() {
        for n in [3u32, 40] {
            let mut m = SymMap::new();
            for i in 0..n {
                assert!(m.insert(Symbol(i * 7), Value::Int(i as i64)).is_none());
            }
            assert!(matches!(m.insert(Symbol(7), Value::Int(-1)), Some(Value::Int(1))));
            assert!(matches!(m.shift_remove(&Symbol(0)), Some(Value::Int(0))));
            assert!(m.shift_remove(&Symbol(0)).is_none());
            let keys: Vec<u32> = m.keys().map(|k| k.0).collect();
            assert_eq!(keys, (1..n).map(|i| i * 7).collect::<Vec<_>>());
            assert!(matches!(m.get(&Symbol(7)), Some(Value::Int(-1))));
            assert!(matches!(m.get(&Symbol((n - 1) * 7)), Some(Value::Int(v)) if *v == (n - 1) as i64));
            assert!(!m.contains_key(&Symbol(1)));
            assert_eq!(m.len(), n as usize - 1);
        }
    }
}
