//! The hash tables behind `dict` and `set`, keyed by Python values.
//!
//! A dict keeps its entries in insertion order (deleted ones leave a hole, compacted when holes
//! outnumber live entries); a `hashbrown::HashTable` maps hashes to entry positions.
//!
//! A set is CPython's open-addressing table (Objects/setobject.c, as of 3.11), so that a set
//! iterates in the order CPython's does: slots in table order; a key's first slot is its hash
//! masked to the table size, then up to nine neighbours, then a jump mixed with the hash's higher
//! bits; deletion leaves a dummy; the table grows when five times the used-or-dummy slots reach
//! three times the mask. Which algorithm a set operation runs on these tables (merging a set into
//! an empty one copies its slots; `set.pop` walks a finger) lives in `interp/sets.rs`.
//!
//! Hashing and equality that may run user code (`__hash__`, `__eq__`) happen in the interpreter,
//! outside any borrow of the table; this module only offers the pure parts.

use crate::value::Value;
use hashbrown::HashTable;

#[derive(Clone)]
pub struct Entry {
    pub hash: u64,
    pub key: Value,
    pub value: Value,
}

#[derive(Clone)]
enum Slot {
    Empty,
    /// A deleted key: probing walks on past it.
    Dummy,
    Active(Entry),
}

#[derive(Clone)]
enum Store {
    /// A dict's: entries in insertion order and an index from hashes to positions.
    Ordered { entries: Vec<Option<Entry>>, index: HashTable<usize> },
    /// A set's: CPython's slot table (its length a power of two, at least 8); `fill` counts
    /// active and dummy slots; `finger` is where `set.pop` looks first.
    Table { slots: Vec<Slot>, fill: usize, finger: usize },
}

#[derive(Clone)]
pub struct Dict {
    store: Store,
    live: usize,
    /// A `frozenset`: no method changes it, and it can be hashed.
    pub frozen: bool,
}

impl Default for Dict {
    fn default() -> Dict {
        Dict {
            store: Store::Ordered { entries: Vec::new(), index: HashTable::new() },
            live: 0,
            frozen: false,
        }
    }
}

/// Spreads a Python hash over the bits of a dict's index.
fn mix(h: u64) -> u64 {
    h.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29)
}

/// A set table's smallest size (CPython's `PySet_MINSIZE`).
const MIN_SLOTS: usize = 8;
/// How many neighbouring slots a probe tries before it jumps.
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;

/// The slots a hash probes in a table of `mask + 1` slots, in CPython's order: a run of the
/// slot and its nine neighbours (where they fit before the end), then a jump to
/// `(i * 5 + 1 + perturb) & mask`, `perturb` being the hash shifted right 5 more bits each time.
struct Probe {
    mask: usize,
    base: usize,
    step: usize,
    run: usize,
    perturb: u64,
}

impl Probe {
    fn new(hash: u64, mask: usize) -> Probe {
        let base = hash as usize & mask;
        Probe { mask, base, step: 0, run: run_at(base, mask), perturb: hash }
    }
}

fn run_at(base: usize, mask: usize) -> usize {
    if base + LINEAR_PROBES <= mask {
        LINEAR_PROBES
    } else {
        0
    }
}

impl Iterator for Probe {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        if self.step > self.run {
            self.perturb >>= PERTURB_SHIFT;
            self.base =
                self.base.wrapping_mul(5).wrapping_add(1).wrapping_add(self.perturb as usize) & self.mask;
            self.step = 0;
            self.run = run_at(self.base, self.mask);
        }
        let i = self.base + self.step;
        self.step += 1;
        Some(i)
    }
}

/// Places an entry in the first empty slot of its probe, passing over dummies (CPython's
/// `set_insert_clean`, for a key known to be absent).
fn insert_clean(slots: &mut [Slot], e: Entry) {
    let mask = slots.len() - 1;
    for i in Probe::new(e.hash, mask) {
        if let Slot::Empty = slots[i] {
            slots[i] = Slot::Active(e);
            return;
        }
    }
}

/// The positions a lookup visits whose entry has the hash: a dict's from its index, a set's
/// along the probe up to the first empty slot.
pub struct Candidates<'a>(Lookup<'a>);

enum Lookup<'a> {
    Ordered(hashbrown::hash_table::IterHash<'a, usize>, &'a [Option<Entry>], u64),
    Table(Probe, &'a [Slot], u64),
}

impl<'a> Iterator for Candidates<'a> {
    type Item = (usize, &'a Entry);
    #[inline]
    fn next(&mut self) -> Option<(usize, &'a Entry)> {
        match &mut self.0 {
            Lookup::Ordered(it, entries, hash) => {
                for &i in it.by_ref() {
                    if let Some(e) = &entries[i] {
                        if e.hash == *hash {
                            return Some((i, e));
                        }
                    }
                }
                None
            }
            Lookup::Table(probe, slots, hash) => loop {
                // A table always keeps an empty slot (it grows before it fills), so this ends.
                let i = probe.next()?;
                match &slots[i] {
                    Slot::Empty => return None,
                    Slot::Active(e) if e.hash == *hash => return Some((i, e)),
                    _ => {}
                }
            },
        }
    }
}

impl Dict {
    pub fn new() -> Dict {
        Dict::default()
    }
    /// An empty set table (a `set`, or a `frozenset` once `frozen` is set).
    pub fn new_set() -> Dict {
        Dict {
            store: Store::Table { slots: empty_slots(MIN_SLOTS), fill: 0, finger: 0 },
            live: 0,
            frozen: false,
        }
    }
    #[inline]
    pub fn is_set(&self) -> bool {
        matches!(self.store, Store::Table { .. })
    }
    #[inline]
    pub fn len(&self) -> usize {
        self.live
    }
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }
    /// Positions whose stored hash equals `hash`: the candidates for a key.
    #[inline]
    pub fn candidates(&self, hash: u64) -> Candidates<'_> {
        match &self.store {
            Store::Ordered { entries, index } => {
                Candidates(Lookup::Ordered(index.iter_hash(mix(hash)), entries, hash))
            }
            Store::Table { slots, .. } => {
                Candidates(Lookup::Table(Probe::new(hash, slots.len() - 1), slots, hash))
            }
        }
    }
    #[inline]
    pub fn entry(&self, i: usize) -> Option<&Entry> {
        match &self.store {
            Store::Ordered { entries, .. } => entries.get(i).and_then(|e| e.as_ref()),
            Store::Table { slots, .. } => match slots.get(i) {
                Some(Slot::Active(e)) => Some(e),
                _ => None,
            },
        }
    }
    pub fn set_value_at(&mut self, i: usize, v: Value) {
        match &mut self.store {
            Store::Ordered { entries, .. } => {
                if let Some(Some(e)) = entries.get_mut(i) {
                    e.value = v;
                }
            }
            Store::Table { slots, .. } => {
                if let Some(Slot::Active(e)) = slots.get_mut(i) {
                    e.value = v;
                }
            }
        }
    }
    /// Adds a key known to be absent: at the end of a dict; in a set, where CPython's
    /// `set_add_entry` puts it (the last dummy on its probe, else the empty slot that ends it),
    /// growing the table when used and dummy slots reach three fifths of it.
    pub fn push(&mut self, hash: u64, key: Value, value: Value) {
        self.live += 1;
        let e = Entry { hash, key, value };
        match &mut self.store {
            Store::Ordered { entries, index } => {
                let i = entries.len();
                entries.push(Some(e));
                let entries = &*entries;
                index.insert_unique(mix(hash), i, |&j| mix(entries[j].as_ref().map(|e| e.hash).unwrap_or(0)));
            }
            Store::Table { slots, fill, .. } => {
                let mask = slots.len() - 1;
                let mut free = None;
                let mut empty = 0;
                for i in Probe::new(hash, mask) {
                    match slots[i] {
                        Slot::Empty => {
                            empty = i;
                            break;
                        }
                        Slot::Dummy => free = Some(i),
                        Slot::Active(_) => {}
                    }
                }
                if let Some(i) = free {
                    slots[i] = Slot::Active(e);
                    return;
                }
                slots[empty] = Slot::Active(e);
                *fill += 1;
                if *fill * 5 >= mask * 3 {
                    let used = self.live;
                    self.resize(if used > 50_000 { used * 2 } else { used * 4 });
                }
            }
        }
    }
    /// Removes the entry at position `i`, returning it (a set's slot becomes a dummy).
    pub fn remove_at(&mut self, i: usize) -> Option<Entry> {
        match &mut self.store {
            Store::Ordered { entries, index } => {
                let e = entries.get_mut(i)?.take()?;
                if let Ok(slot) = index.find_entry(mix(e.hash), |&j| j == i) {
                    slot.remove();
                }
                self.live -= 1;
                if entries.len() > 16 && self.live * 2 < entries.len() {
                    self.compact();
                }
                Some(e)
            }
            Store::Table { slots, .. } => match std::mem::replace(slots.get_mut(i)?, Slot::Dummy) {
                Slot::Active(e) => {
                    self.live -= 1;
                    Some(e)
                }
                other => {
                    slots[i] = other;
                    None
                }
            },
        }
    }
    fn compact(&mut self) {
        if let Store::Ordered { entries, index } = &mut self.store {
            entries.retain(|e| e.is_some());
            index.clear();
            let entries = &*entries;
            for (i, e) in entries.iter().enumerate() {
                if let Some(e) = e {
                    index.insert_unique(mix(e.hash), i, |&j| {
                        mix(entries[j].as_ref().map(|e| e.hash).unwrap_or(0))
                    });
                }
            }
        }
    }
    pub fn clear(&mut self) {
        match &mut self.store {
            Store::Ordered { entries, index } => {
                entries.clear();
                index.clear();
            }
            // CPython keeps the pop finger across a clear.
            Store::Table { slots, fill, .. } => {
                *slots = empty_slots(MIN_SLOTS);
                *fill = 0;
            }
        }
        self.live = 0;
    }
    /// Live entries: a dict's in insertion order, a set's in slot order.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> + '_ {
        let (ordered, table): (&[Option<Entry>], &[Slot]) = match &self.store {
            Store::Ordered { entries, .. } => (entries, &[]),
            Store::Table { slots, .. } => (&[], slots),
        };
        ordered.iter().flatten().chain(table.iter().filter_map(|s| match s {
            Slot::Active(e) => Some(e),
            _ => None,
        }))
    }
    /// The raw number of positions (live and holes), for iterators that walk positions.
    pub fn positions(&self) -> usize {
        match &self.store {
            Store::Ordered { entries, .. } => entries.len(),
            Store::Table { slots, .. } => slots.len(),
        }
    }
    /// Removes and returns the last entry (`dict.popitem`).
    pub fn pop_last(&mut self) -> Option<Entry> {
        let i = match &self.store {
            Store::Ordered { entries, .. } => entries.iter().rposition(|e| e.is_some())?,
            Store::Table { slots, .. } => slots.iter().rposition(|s| matches!(s, Slot::Active(_)))?,
        };
        let e = self.remove_at(i);
        // Trailing holes can go: nothing points at them.
        if let Store::Ordered { entries, .. } = &mut self.store {
            while matches!(entries.last(), Some(None)) {
                entries.pop();
            }
        }
        e
    }
    pub fn keys(&self) -> Vec<Value> {
        self.iter().map(|e| e.key.clone()).collect()
    }

    // ----- set tables only -----

    /// `set.pop`: the first active slot from the finger on (wrapping), which becomes a dummy;
    /// the finger moves past it.
    pub fn pop_finger(&mut self) -> Option<Entry> {
        let Store::Table { slots, finger, .. } = &mut self.store else { return self.pop_last() };
        if self.live == 0 {
            return None;
        }
        let mask = slots.len() - 1;
        let mut i = *finger & mask;
        while !matches!(slots[i], Slot::Active(_)) {
            i = if i == mask { 0 } else { i + 1 };
        }
        *finger = i + 1;
        self.remove_at(i)
    }
    /// Rebuilds the table with the smallest size above `min_used` (CPython's
    /// `set_table_resize`), reinserting the keys in slot order and dropping dummies. A table
    /// at the smallest size without dummies stays as it is.
    pub fn resize(&mut self, min_used: usize) {
        let Store::Table { slots, fill, .. } = &mut self.store else { return };
        let mut size = MIN_SLOTS;
        while size <= min_used {
            size <<= 1;
        }
        if size == MIN_SLOTS && slots.len() == MIN_SLOTS && *fill == self.live {
            return;
        }
        let old = std::mem::replace(slots, empty_slots(size));
        for s in old {
            if let Slot::Active(e) = s {
                insert_clean(slots, e);
            }
        }
        *fill = self.live;
    }
    /// Rebuilds the table when dummies fill more than a quarter of it (after
    /// `difference_update`, as CPython does).
    pub fn purge_dummies(&mut self) {
        let Store::Table { slots, fill, .. } = &self.store else { return };
        if *fill - self.live > (slots.len() - 1) / 4 {
            let used = self.live;
            self.resize(if used > 50_000 { used * 2 } else { used * 4 });
        }
    }
    /// Grows the table first when `incoming` more keys would crowd it, as CPython does before
    /// merging a set or a dict into a set.
    pub fn presize(&mut self, incoming: usize) {
        let Store::Table { slots, fill, .. } = &self.store else { return };
        if (*fill + incoming) * 5 >= (slots.len() - 1) * 3 {
            self.resize((self.live + incoming) * 2);
        }
    }
    /// Merges the keys of `other` (a set) into this set when this one has no slot in use,
    /// without comparisons: a table of the same size without dummies is copied slot for slot,
    /// otherwise each key goes to the first empty slot of its probe, in `other`'s slot order.
    /// Returns false (doing nothing) when this set is not empty: then each key must be added
    /// with an equality check.
    pub fn merge_into_empty(&mut self, other: &Dict) -> bool {
        let (Store::Table { slots, fill, .. }, Store::Table { slots: theirs, fill: their_fill, .. }) =
            (&mut self.store, &other.store)
        else {
            return false;
        };
        if *fill != 0 {
            return false;
        }
        if slots.len() == theirs.len() && *their_fill == other.live {
            slots.clone_from(theirs);
            *fill = *their_fill;
        } else {
            for s in theirs {
                if let Slot::Active(e) = s {
                    insert_clean(slots, e.clone());
                }
            }
            *fill = other.live;
        }
        self.live = other.live;
        true
    }
    /// Takes `other`'s table in place of this one (CPython's `set_swap_bodies`, as
    /// `intersection_update` uses it); the frozen flag and the pop finger stay.
    pub fn take_table(&mut self, other: Dict) {
        let finger = match &self.store {
            Store::Table { finger, .. } => *finger,
            Store::Ordered { .. } => 0,
        };
        self.store = other.store;
        self.live = other.live;
        if let Store::Table { finger: f, .. } = &mut self.store {
            *f = finger;
        }
    }
}

fn empty_slots(n: usize) -> Vec<Slot> {
    let mut v = Vec::with_capacity(n);
    v.resize_with(n, || Slot::Empty);
    v
}
