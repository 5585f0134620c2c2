//! An insertion-ordered hash table keyed by Python values: the storage of `dict` and `set`.
//!
//! Entries live in a vector in insertion order (deleted ones leave a hole, compacted when holes
//! outnumber live entries); a `hashbrown::HashTable` maps hashes to entry positions. Hashing and
//! equality that may run user code (`__hash__`, `__eq__`) happen in the interpreter, outside any
//! borrow of the table; this module only offers the pure parts.

use crate::value::Value;
use hashbrown::HashTable;

#[derive(Clone)]
pub struct Entry {
    pub hash: u64,
    pub key: Value,
    pub value: Value,
}

#[derive(Clone, Default)]
pub struct Dict {
    entries: Vec<Option<Entry>>,
    index: HashTable<usize>,
    live: usize,
    /// A `frozenset`: no method changes it, and it can be hashed.
    pub frozen: bool,
}

/// Spreads a Python hash over the table's bits.
fn mix(h: u64) -> u64 {
    h.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29)
}

impl Dict {
    pub fn new() -> Dict {
        Dict::default()
    }
    pub fn len(&self) -> usize {
        self.live
    }
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }
    /// Positions whose stored hash equals `hash`: the candidates for a key.
    pub fn candidates(&self, hash: u64) -> impl Iterator<Item = (usize, &Entry)> + '_ {
        self.index.iter_hash(mix(hash)).filter_map(move |&i| match &self.entries[i] {
            Some(e) if e.hash == hash => Some((i, e)),
            _ => None,
        })
    }
    pub fn entry(&self, i: usize) -> Option<&Entry> {
        self.entries.get(i).and_then(|e| e.as_ref())
    }
    pub fn set_value_at(&mut self, i: usize, v: Value) {
        if let Some(Some(e)) = self.entries.get_mut(i) {
            e.value = v;
        }
    }
    /// Appends a key known to be absent.
    pub fn push(&mut self, hash: u64, key: Value, value: Value) {
        let i = self.entries.len();
        self.entries.push(Some(Entry { hash, key, value }));
        let entries = &self.entries;
        self.index.insert_unique(mix(hash), i, |&j| mix(entries[j].as_ref().map(|e| e.hash).unwrap_or(0)));
        self.live += 1;
    }
    /// Removes the entry at position `i`, returning it.
    pub fn remove_at(&mut self, i: usize) -> Option<Entry> {
        let e = self.entries.get_mut(i)?.take()?;
        if let Ok(slot) = self.index.find_entry(mix(e.hash), |&j| j == i) {
            slot.remove();
        }
        self.live -= 1;
        if self.entries.len() > 16 && self.live * 2 < self.entries.len() {
            self.compact();
        }
        Some(e)
    }
    fn compact(&mut self) {
        self.entries.retain(|e| e.is_some());
        self.index.clear();
        let entries = &self.entries;
        for (i, e) in entries.iter().enumerate() {
            if let Some(e) = e {
                self.index.insert_unique(mix(e.hash), i, |&j| {
                    mix(entries[j].as_ref().map(|e| e.hash).unwrap_or(0))
                });
            }
        }
    }
    pub fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
        self.live = 0;
    }
    /// Live entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> + '_ {
        self.entries.iter().flatten()
    }
    /// The raw number of positions (live and holes), for iterators that walk positions.
    pub fn positions(&self) -> usize {
        self.entries.len()
    }
    /// Removes and returns the last entry (`popitem`).
    pub fn pop_last(&mut self) -> Option<Entry> {
        let i = self.entries.iter().rposition(|e| e.is_some())?;
        let e = self.remove_at(i);
        // Trailing holes can go: nothing points at them.
        while matches!(self.entries.last(), Some(None)) {
            self.entries.pop();
        }
        e
    }
    pub fn keys(&self) -> Vec<Value> {
        self.iter().map(|e| e.key.clone()).collect()
    }
}
