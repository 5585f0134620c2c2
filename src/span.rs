//! Byte spans into the source and interned names (`Symbol`), shared by every phase.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// A half-open byte range `start..end` into one source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start: start as u32, end: end as u32 }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start as usize, s.len()).into()
    }
}

/// An interned name. Names are interned once (lexer, builtins) and compared as integers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(pub u32);

#[derive(Default)]
struct Interner {
    map: HashMap<&'static str, u32, FastStr>,
    names: Vec<&'static str>,
}

/// FNV-1a: names are short, so a simple hash beats SipHash here.
#[derive(Default, Clone, Copy)]
struct FastStr;
impl std::hash::BuildHasher for FastStr {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}
struct Fnv(u64);
impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ *b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
}

fn interner() -> &'static Mutex<Interner> {
    static INTERNER: OnceLock<Mutex<Interner>> = OnceLock::new();
    INTERNER.get_or_init(|| {
        let mut i = Interner::default();
        crate::names::predefine(&mut |s| i.insert(s));
        Mutex::new(i)
    })
}

impl Interner {
    fn insert(&mut self, s: &str) -> Symbol {
        if let Some(&n) = self.map.get(s) {
            return Symbol(n);
        }
        let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
        let n = self.names.len() as u32;
        self.names.push(leaked);
        self.map.insert(leaked, n);
        Symbol(n)
    }
}

/// A cheap hash for short names: the length and the first and last (up to) eight bytes,
/// multiplied through (FxHash's constant).
#[inline]
fn quick_hash(b: &[u8]) -> u64 {
    let word = |bytes: &[u8]| bytes.iter().fold(0u64, |w, &c| (w << 8) | c as u64);
    let n = b.len();
    let (head, tail) = if n <= 8 { (word(b), 0) } else { (word(&b[..8]), word(&b[n - 8..])) };
    ((n as u64).rotate_left(59) ^ head ^ tail.rotate_left(32)).wrapping_mul(0x517c_c1b7_2722_0a95)
}

impl Symbol {
    /// Interns `s`. Interned strings live for the whole process (names are few and small).
    ///
    /// A per-thread direct-mapped cache sits in front of the global table: a program names the
    /// same few identifiers over and over, and a hit costs a short hash and one compare, no lock.
    pub fn intern(s: &str) -> Symbol {
        const SLOTS: usize = 1024;
        thread_local! {
            static RECENT: [Cell<(&'static str, Symbol)>; SLOTS] =
                const { [const { Cell::new(("", Symbol(0))) }; SLOTS] };
        }
        let slot = (quick_hash(s.as_bytes()) >> 54) as usize % SLOTS;
        RECENT.with(|recent| {
            let (name, sym) = recent[slot].get();
            // The empty string is never cached, so an empty slot never matches a real name.
            if name == s && !s.is_empty() {
                return sym;
            }
            let mut table = interner().lock().unwrap_or_else(|e| e.into_inner());
            let sym = table.insert(s);
            recent[slot].set((table.names[sym.0 as usize], sym));
            sym
        })
    }
    /// Looks a name up without interning it.
    pub fn lookup(s: &str) -> Option<Symbol> {
        let i = interner().lock().unwrap_or_else(|e| e.into_inner());
        i.map.get(s).map(|&n| Symbol(n))
    }
    pub fn as_str(self) -> &'static str {
        let i = interner().lock().unwrap_or_else(|e| e.into_inner());
        i.names[self.0 as usize]
    }
}

impl std::fmt::Debug for Symbol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Symbol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
