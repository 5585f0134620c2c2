//! The lexer's fast path for the commonest tokens: ASCII names and keywords, operators whose
//! length the next byte settles, short decimal integers and newlines.
//!
//! The `logos` automaton (`Raw` in mod.rs) stays the definition of every token; this path
//! takes over only where its answer is certain to be the same (tests/lexer_fast_path.rs lexes
//! every program in the repository both ways and compares). Anything else — a quote after a
//! name (a string prefix), a non-ASCII letter, a tab, a comment, a string, a float — falls
//! back to logos.
//!
//! A name's token comes from a cache keyed by the name's bytes (`Words`), so a name seen before
//! costs a few loads and compares: no hashing of the whole string, no `memcmp`, no lock.

use super::{Op, Tok};
use crate::span::Symbol;

/// What a byte can be in an ASCII name: 1 = may start one, 2 = may continue one only.
const NAME_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphabetic() || c == b'_' {
            t[b] = 1;
        } else if c.is_ascii_digit() {
            t[b] = 2;
        }
        b += 1;
    }
    t
};

/// The 8 bytes at `at` (zero past the end), little-endian.
#[inline(always)]
fn load8(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at + 8) {
        // The slice is exactly 8 bytes long, so the conversion cannot fail.
        Some(b) => u64::from_le_bytes(b.try_into().unwrap_or([0; 8])),
        None => {
            // Fewer than 8 bytes are left.
            let mut buf = [0u8; 8];
            let tail = bytes.get(at..).unwrap_or(&[]);
            let n = tail.len().min(8);
            buf[..n].copy_from_slice(&tail[..n]);
            u64::from_le_bytes(buf)
        }
    }
}

/// A name's cache key: its length and its first and last (up to) eight bytes, which together
/// are the whole name when it is at most 16 bytes long (longer names are not cached).
#[derive(Clone, Copy, PartialEq)]
struct Key {
    head: u64,
    tail: u64,
    len: u32,
}

impl Key {
    /// The key of `bytes[start..end]`, a name of 1 to 16 bytes.
    #[inline(always)]
    fn of(bytes: &[u8], start: usize, end: usize) -> Key {
        let len = end - start;
        if len <= 8 {
            // Mask off what follows the name.
            let head = load8(bytes, start) & (u64::MAX >> (64 - 8 * len));
            Key { head, tail: 0, len: len as u32 }
        } else {
            Key { head: load8(bytes, start), tail: load8(bytes, end - 8), len: len as u32 }
        }
    }

    #[inline(always)]
    fn slot(self) -> usize {
        let h = (self.head ^ self.tail.rotate_left(23) ^ self.len as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
        (h >> (64 - SLOT_BITS)) as usize
    }
}

/// 2,048 slots: a program's common names rarely collide, and names seen once (a generated
/// `func_1234`) seldom evict them.
const SLOT_BITS: u32 = 11;

/// Recently seen names and the token each one is (a keyword or `Tok::Name`): a direct-mapped
/// cache owned by the lexer (64 KB; a thread-local one cost a call through a pointer per
/// name). An empty slot has length 0, which no name has.
#[derive(Clone)]
pub(super) struct Words {
    slots: Box<[(Key, Tok)]>,
}

impl Words {
    pub(super) fn new() -> Words {
        Words { slots: vec![(Key { head: 0, tail: 0, len: 0 }, Tok::Eof); 1 << SLOT_BITS].into_boxed_slice() }
    }

    /// The token for the word `text[start..end]` (ASCII letters, digits and `_`, not starting
    /// with a digit): a keyword or an interned name.
    #[inline(always)]
    fn token(&mut self, text: &str, start: usize, end: usize) -> Tok {
        let bytes = text.as_bytes();
        if end - start > 16 {
            return uncached(text, start, end);
        }
        let key = Key::of(bytes, start, end);
        // The slot is below 2^SLOT_BITS, the length of `slots`.
        let Some(slot) = self.slots.get_mut(key.slot()) else { return uncached(text, start, end) };
        if slot.0 == key {
            return slot.1;
        }
        let tok = uncached(text, start, end);
        *slot = (key, tok);
        tok
    }
}

#[cold]
#[inline(never)]
fn uncached(text: &str, start: usize, end: usize) -> Tok {
    // `start..end` holds ASCII name bytes only, so both ends are character boundaries.
    let word = text.get(start..end).unwrap_or("");
    keyword_tok(word).unwrap_or_else(|| Tok::Name(Symbol::intern(word)))
}

/// The keyword spelled `word`, if it is one.
pub(super) fn keyword_tok(word: &str) -> Option<Tok> {
    Some(match word {
        "False" => Tok::False,
        "None" => Tok::None,
        "True" => Tok::True,
        "and" => Tok::And,
        "as" => Tok::As,
        "assert" => Tok::Assert,
        "async" => Tok::Async,
        "await" => Tok::Await,
        "break" => Tok::Break,
        "class" => Tok::Class,
        "continue" => Tok::Continue,
        "def" => Tok::Def,
        "del" => Tok::Del,
        "elif" => Tok::Elif,
        "else" => Tok::Else,
        "except" => Tok::Except,
        "finally" => Tok::Finally,
        "for" => Tok::For,
        "from" => Tok::From,
        "global" => Tok::Global,
        "if" => Tok::If,
        "import" => Tok::Import,
        "in" => Tok::In,
        "is" => Tok::Is,
        "lambda" => Tok::Lambda,
        "nonlocal" => Tok::Nonlocal,
        "not" => Tok::Not,
        "or" => Tok::Or,
        "pass" => Tok::Pass,
        "raise" => Tok::Raise,
        "return" => Tok::Return,
        "try" => Tok::Try,
        "while" => Tok::While,
        "with" => Tok::With,
        "yield" => Tok::Yield,
        _ => return None,
    })
}

/// A token the fast path recognised: what it is and where, relative to the start of the text.
pub(super) enum Fast {
    /// A name or keyword at `start..end`.
    Word(Tok, usize, usize),
    /// An opening or closing bracket at `at`.
    Bracket(Op, usize),
    /// Any other operator or delimiter, at `start..end`.
    Op(Op, usize, usize),
    /// A short decimal integer (no underscores, no leading zero) at `start..end`.
    Int(usize, usize),
    /// A `\n` at `at`.
    Newline(usize),
    /// Not for the fast path; `skip` spaces may be stepped over before handing over to logos.
    No { skip: usize },
}

/// Recognises the token at the start of `text` (after any spaces), if the fast path can.
#[inline(always)]
pub(super) fn fast_token(text: &str, words: &mut Words) -> Fast {
    let rest = text.as_bytes();
    let mut i = 0;
    while rest.get(i) == Some(&b' ') {
        i += 1;
    }
    let Some(&c) = rest.get(i) else { return Fast::No { skip: i } };
    if NAME_BYTE[c as usize] == 1 {
        let start = i;
        i += 1;
        while let Some(&b) = rest.get(i) {
            if NAME_BYTE[b as usize] == 0 {
                // A quote makes the word a string prefix; a non-ASCII byte may continue the
                // name: logos decides both.
                if b == b'\'' || b == b'"' || b >= 0x80 {
                    return Fast::No { skip: start };
                }
                break;
            }
            i += 1;
        }
        return Fast::Word(words.token(text, start, i), start, i);
    }
    let next = rest.get(i + 1).copied().unwrap_or(0);
    // An operator of one byte, or of two when `next` is `=` (`+=`, `==`, ...).
    let with_eq =
        |op: Op, op_eq: Op| if next == b'=' { Fast::Op(op_eq, i, i + 2) } else { Fast::Op(op, i, i + 1) };
    match c {
        b'(' => Fast::Bracket(Op::LParen, i),
        b')' => Fast::Bracket(Op::RParen, i),
        b'[' => Fast::Bracket(Op::LBracket, i),
        b']' => Fast::Bracket(Op::RBracket, i),
        b'{' => Fast::Bracket(Op::LBrace, i),
        b'}' => Fast::Bracket(Op::RBrace, i),
        b',' => Fast::Op(Op::Comma, i, i + 1),
        b';' => Fast::Op(Op::Semi, i, i + 1),
        b'~' => Fast::Op(Op::Tilde, i, i + 1),
        b'\n' => Fast::Newline(i),
        // `...` and `.5` are for logos.
        b'.' if next != b'.' && !next.is_ascii_digit() => Fast::Op(Op::Dot, i, i + 1),
        b':' => with_eq(Op::Colon, Op::Walrus),
        b'=' => with_eq(Op::Assign, Op::EqEq),
        b'+' => with_eq(Op::Plus, Op::PlusEq),
        b'-' if next == b'>' => Fast::Op(Op::Arrow, i, i + 2),
        b'-' => with_eq(Op::Minus, Op::MinusEq),
        b'%' => with_eq(Op::Percent, Op::PercentEq),
        b'@' => with_eq(Op::At, Op::AtEq),
        b'&' => with_eq(Op::Amp, Op::AmpEq),
        b'|' => with_eq(Op::Pipe, Op::PipeEq),
        b'^' => with_eq(Op::Caret, Op::CaretEq),
        b'!' if next == b'=' => Fast::Op(Op::NotEq, i, i + 2),
        // Doubled, these start `**`, `//`, `<<`, `>>` and their `=` forms: logos.
        b'*' if next != b'*' => with_eq(Op::Star, Op::StarEq),
        b'/' if next != b'/' => with_eq(Op::Slash, Op::SlashEq),
        b'<' if next != b'<' => with_eq(Op::Lt, Op::Le),
        b'>' if next != b'>' => with_eq(Op::Gt, Op::Ge),
        b'1'..=b'9' => {
            let start = i;
            i += 1;
            while rest.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            // Anything that could continue a number (`_`, `.`, an exponent, a letter) or a
            // value past `i64`: logos and the literal checks.
            let after = rest.get(i).copied().unwrap_or(0);
            if i - start > 18 || NAME_BYTE[after as usize] != 0 || after == b'.' || after >= 0x80 {
                return Fast::No { skip: start };
            }
            Fast::Int(start, i)
        }
        _ => Fast::No { skip: i },
    }
}
