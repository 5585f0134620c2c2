//! Literals: scanning string literals for the logos lexer, checking number literals, and the
//! values the parser reads back from a literal's text (numbers, decoded strings).

use super::{Raw, StrLit, Tok, MAX_INT_DIGITS};
use crate::error::SyntaxError;
use crate::span::Span;
use num_bigint::BigInt;

/// What the string callback found after a quote.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StrInfo {
    prefix_len: u8,
    quote_len: u8,
    pub(super) terminated: bool,
}

pub(super) fn scan_string(lex: &mut logos::Lexer<Raw>) -> StrInfo {
    let slice = lex.slice();
    let quote = slice.as_bytes()[slice.len() - 1];
    let prefix_len = (slice.len() - 1) as u8;
    let rest = lex.remainder().as_bytes();
    let triple = rest.len() >= 2 && rest[0] == quote && rest[1] == quote;
    let mut i = if triple { 2 } else { 0 };
    loop {
        if i >= rest.len() {
            lex.bump(rest.len());
            return StrInfo { prefix_len, quote_len: if triple { 3 } else { 1 }, terminated: false };
        }
        let c = rest[i];
        if c == b'\\' {
            i += 2;
            continue;
        }
        if !triple && (c == b'\n' || c == b'\r') {
            lex.bump(i);
            return StrInfo { prefix_len, quote_len: 1, terminated: false };
        }
        if c == quote {
            if !triple {
                lex.bump(i + 1);
                return StrInfo { prefix_len, quote_len: 1, terminated: true };
            }
            if i + 2 < rest.len() && rest[i + 1] == quote && rest[i + 2] == quote {
                lex.bump(i + 3);
                return StrInfo { prefix_len, quote_len: 3, terminated: true };
            }
        }
        i += 1;
    }
}

pub(super) fn int_literal(digits: &str, radix: u32, span: Span) -> Result<Tok, SyntaxError> {
    // The common case, a short decimal without underscores or leading zeros: no allocation.
    let b = digits.as_bytes();
    if radix == 10 && b.len() < 19 && (b.len() == 1 || b[0] != b'0') && b.iter().all(u8::is_ascii_digit) {
        return Ok(Tok::Int);
    }
    if digits.len() < 19
        && !digits.starts_with('0')
        && !digits.contains('_')
        && i64::from_str_radix(digits, radix).is_ok()
    {
        return Ok(Tok::Int);
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if radix == 10 && clean.len() > 1 && clean.starts_with('0') && clean.bytes().any(|b| b != b'0') {
        return Err(SyntaxError::new("leading zeros in decimal integer literals are not permitted", span)
            .with_help("use an 0o prefix for octal integers"));
    }
    if radix == 10 && clean.len() > MAX_INT_DIGITS {
        return Err(SyntaxError::new(
            format!(
                "Exceeds the limit ({MAX_INT_DIGITS} digits) for integer string conversion: value has {} digits",
                clean.len()
            ),
            Span::new(span.start as usize, (span.start as usize + 1).min(span.end as usize)),
        )
        .with_label(format!("this integer literal has {} digits", clean.len()))
        .with_help("compute big numbers instead of writing them out, for example 10**5000"));
    }
    if i64::from_str_radix(&clean, radix).is_ok() {
        return Ok(Tok::Int);
    }
    match BigInt::parse_bytes(clean.as_bytes(), radix) {
        Some(_) => Ok(Tok::BigInt),
        None => Err(SyntaxError::new("invalid integer literal", span)),
    }
}

/// The value of an integer literal the lexer accepted as `Tok::Int`.
pub fn int_value(text: &str) -> i64 {
    let b = text.as_bytes();
    if b.len() < 19 && b.iter().all(u8::is_ascii_digit) {
        return b.iter().fold(0i64, |v, d| v * 10 + (d - b'0') as i64);
    }
    let (digits, radix) = digits_and_radix(text);
    // The lexer parsed these digits already, so this never falls back to zero.
    i64::from_str_radix(&digits, radix).unwrap_or_default()
}

/// The digits of an integer literal without its base prefix and underscores, and the base.
fn digits_and_radix(text: &str) -> (String, u32) {
    let lower = text.to_ascii_lowercase();
    let (digits, radix) = match lower.get(..2) {
        Some("0x") => (&lower[2..], 16),
        Some("0o") => (&lower[2..], 8),
        Some("0b") => (&lower[2..], 2),
        _ => (lower.as_str(), 10),
    };
    (digits.chars().filter(|c| *c != '_').collect(), radix)
}

/// The value of a float literal the lexer accepted.
pub fn float_value(text: &str) -> f64 {
    let parsed = if text.contains('_') { text.replace('_', "").parse() } else { text.parse() };
    // The lexer parsed this text already, so this never falls back to zero.
    parsed.unwrap_or_default()
}

/// The value of an integer literal the lexer accepted as `Tok::BigInt`.
pub fn big_int(text: &str) -> BigInt {
    let (digits, radix) = digits_and_radix(text);
    // The lexer parsed these digits already, so this never falls back to zero.
    BigInt::parse_bytes(digits.as_bytes(), radix).unwrap_or_default()
}

pub(super) fn string_token(src: &str, span: Span, info: StrInfo) -> Result<Tok, SyntaxError> {
    let text = &src[span.range()];
    let prefix = &text[..info.prefix_len as usize];
    if !info.terminated {
        let first = Span::new(span.start as usize, span.start as usize + info.prefix_len as usize + 1);
        let msg = if info.quote_len == 3 {
            // `outranks` (mod.rs) knows these two by their first word.
            "unterminated triple-quoted string literal"
        } else {
            "unterminated string literal"
        };
        let mut e = SyntaxError::new(msg, first)
            .with_label("the string starts here")
            .with_help("close the string with the same quote it starts with");
        if info.quote_len == 3 {
            e = e.unexpected_eof();
        }
        return Err(e);
    }
    let lower = prefix.to_ascii_lowercase();
    if lower.contains('b') {
        return Err(SyntaxError::unsupported("bytes literals are", span)
            .with_help("tinyasync strings are text: drop the `b` prefix"));
    }
    let lit = StrLit { prefix: info.prefix_len, quotes: info.quote_len, raw: lower.contains('r') };
    if lower.contains('f') {
        return Ok(Tok::FStr(lit));
    }
    Ok(Tok::Str(lit))
}

/// Decodes backslash escapes of a string body. `offset` is the body's position in the source.
pub fn decode_escapes(body: &str, raw: bool, offset: usize) -> Result<String, SyntaxError> {
    let normalized;
    let body = if body.contains('\r') {
        normalized = body.replace("\r\n", "\n");
        normalized.as_str()
    } else {
        body
    };
    if raw || !body.contains('\\') {
        return Ok(body.to_string());
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            '\n' => {}
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek() {
                        Some(&(_, d)) if d.is_digit(8) => {
                            v = v * 8 + d.to_digit(8).unwrap_or(0);
                            chars.next();
                        }
                        _ => break,
                    }
                }
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            'N' => {
                // Python looks the name up in the Unicode database, which tinyasync does not
                // carry: an error, rather than a string that prints differently.
                let at = offset + i;
                return Err(SyntaxError::unsupported(
                    "(unicode error) named Unicode escapes (\\N{...}) are",
                    Span::new(at, at + 2),
                )
                .with_help("write the character itself, or its code point as \\uXXXX"));
            }
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut v: u32 = 0;
                for k in 0..n {
                    match chars.next() {
                        Some((_, d)) if d.is_ascii_hexdigit() => v = v * 16 + d.to_digit(16).unwrap_or(0),
                        _ => {
                            let at = offset + i;
                            return Err(SyntaxError::new(
                                format!("(unicode error) truncated \\{}{} escape", e, "X".repeat(n)),
                                Span::new(at, at + 2 + k),
                            ));
                        }
                    }
                }
                match char::from_u32(v) {
                    Some(ch) => out.push(ch),
                    None => {
                        let at = offset + i;
                        return Err(SyntaxError::new(
                            "(unicode error) illegal Unicode character",
                            Span::new(at, at + 2 + n),
                        ));
                    }
                }
            }
            other => {
                // Python keeps unknown escapes as they are (with a warning).
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}
