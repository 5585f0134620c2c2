//! Lexer: source text to tokens.
//!
//! A `logos` lexer recognises the raw tokens of one line; a wrapper (`Lexer`) turns line structure
//! into NEWLINE / INDENT / DEDENT through an indent stack (the shape of starlark-rust's lexer),
//! skips newlines inside brackets, checks bracket pairing, and decodes string literals.

use crate::error::SyntaxError;
use crate::span::{Span, Symbol};
use logos::Logos;
use num_bigint::BigInt;

/// Deepest bracket nesting accepted; deeper input is a syntax error, not a stack overflow.
pub const MAX_NESTING: usize = 200;

/// CPython refuses integer literals longer than this (`sys.get_int_max_str_digits()`).
pub const MAX_INT_DIGITS: usize = 4300;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Name(Symbol),
    Int(i64),
    BigInt(Box<BigInt>),
    Float(f64),
    Str(std::rc::Rc<str>),
    /// An f-string; the parser splits it. `body` is the span of the text between the quotes.
    FStr {
        body: Span,
        raw: bool,
    },
    Newline,
    Indent,
    Dedent,
    Eof,
    // keywords
    False,
    None,
    True,
    And,
    As,
    Assert,
    Async,
    Await,
    Break,
    Class,
    Continue,
    Def,
    Del,
    Elif,
    Else,
    Except,
    Finally,
    For,
    From,
    Global,
    If,
    Import,
    In,
    Is,
    Lambda,
    Nonlocal,
    Not,
    Or,
    Pass,
    Raise,
    Return,
    Try,
    While,
    With,
    Yield,
    // operators and delimiters
    Op(&'static str),
}

impl Tok {
    /// How the token is named in "expected ..." messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Name(s) => format!("name '{}'", s),
            Tok::Int(_) | Tok::BigInt(_) | Tok::Float(_) => "number".into(),
            Tok::Str(_) | Tok::FStr { .. } => "string".into(),
            Tok::Newline => "end of line".into(),
            Tok::Indent => "indent".into(),
            Tok::Dedent => "dedent".into(),
            Tok::Eof => "end of input".into(),
            Tok::Op(s) => format!("'{}'", s),
            kw => format!("keyword '{}'", keyword_text(kw).unwrap_or("?")),
        }
    }
}

pub fn keyword_text(t: &Tok) -> Option<&'static str> {
    Some(match t {
        Tok::False => "False",
        Tok::None => "None",
        Tok::True => "True",
        Tok::And => "and",
        Tok::As => "as",
        Tok::Assert => "assert",
        Tok::Async => "async",
        Tok::Await => "await",
        Tok::Break => "break",
        Tok::Class => "class",
        Tok::Continue => "continue",
        Tok::Def => "def",
        Tok::Del => "del",
        Tok::Elif => "elif",
        Tok::Else => "else",
        Tok::Except => "except",
        Tok::Finally => "finally",
        Tok::For => "for",
        Tok::From => "from",
        Tok::Global => "global",
        Tok::If => "if",
        Tok::Import => "import",
        Tok::In => "in",
        Tok::Is => "is",
        Tok::Lambda => "lambda",
        Tok::Nonlocal => "nonlocal",
        Tok::Not => "not",
        Tok::Or => "or",
        Tok::Pass => "pass",
        Tok::Raise => "raise",
        Tok::Return => "return",
        Tok::Try => "try",
        Tok::While => "while",
        Tok::With => "with",
        Tok::Yield => "yield",
        _ => return None,
    })
}

#[derive(Clone, Debug)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// What the string callback found after a quote.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StrInfo {
    prefix_len: u8,
    quote_len: u8,
    terminated: bool,
}

fn scan_string(lex: &mut logos::Lexer<Raw>) -> StrInfo {
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

#[derive(Logos, Debug, PartialEq, Clone)]
#[logos(skip r"[ \t\x0c]+")]
#[logos(skip r"#[^\r\n]*")]
#[logos(skip r"\\\r?\n")]
enum Raw {
    #[regex(r"\r?\n")]
    Newline,
    #[regex(r"[_a-zA-Z\u{80}-\u{10FFFF}][_a-zA-Z0-9\u{80}-\u{10FFFF}]*")]
    Name,
    #[regex(r"[0-9](_?[0-9])*")]
    Dec,
    #[regex(r"0[xX](_?[0-9a-fA-F])+")]
    Hex,
    #[regex(r"0[oO](_?[0-7])+")]
    Oct,
    #[regex(r"0[bB](_?[01])+")]
    Bin,
    #[regex(r"[0-9](_?[0-9])*\.([0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?")]
    #[regex(r"\.[0-9](_?[0-9])*([eE][+-]?[0-9](_?[0-9])*)?")]
    #[regex(r"[0-9](_?[0-9])*[eE][+-]?[0-9](_?[0-9])*")]
    Float,
    #[regex(r#"([rRfFbBuU]|[rR][fFbB]|[fFbB][rR])?["']"#, scan_string)]
    Str(StrInfo),
    #[token("(", |_| 0u8)]
    #[token("[", |_| 1u8)]
    #[token("{", |_| 2u8)]
    Open(u8),
    #[token(")", |_| 3u8)]
    #[token("]", |_| 4u8)]
    #[token("}", |_| 5u8)]
    Close(u8),
    #[token("+", |_| 6u8)]
    #[token("-", |_| 7u8)]
    #[token("*", |_| 8u8)]
    #[token("**", |_| 9u8)]
    #[token("/", |_| 10u8)]
    #[token("//", |_| 11u8)]
    #[token("%", |_| 12u8)]
    #[token("@", |_| 13u8)]
    #[token("<<", |_| 14u8)]
    #[token(">>", |_| 15u8)]
    #[token("&", |_| 16u8)]
    #[token("|", |_| 17u8)]
    #[token("^", |_| 18u8)]
    #[token("~", |_| 19u8)]
    #[token("<", |_| 20u8)]
    #[token(">", |_| 21u8)]
    #[token("<=", |_| 22u8)]
    #[token(">=", |_| 23u8)]
    #[token("==", |_| 24u8)]
    #[token("!=", |_| 25u8)]
    #[token(",", |_| 26u8)]
    #[token(":", |_| 27u8)]
    #[token(";", |_| 28u8)]
    #[token(".", |_| 29u8)]
    #[token("...", |_| 30u8)]
    #[token("=", |_| 31u8)]
    #[token("->", |_| 32u8)]
    #[token("+=", |_| 33u8)]
    #[token("-=", |_| 34u8)]
    #[token("*=", |_| 35u8)]
    #[token("/=", |_| 36u8)]
    #[token("//=", |_| 37u8)]
    #[token("%=", |_| 38u8)]
    #[token("@=", |_| 39u8)]
    #[token("&=", |_| 40u8)]
    #[token("|=", |_| 41u8)]
    #[token("^=", |_| 42u8)]
    #[token(">>=", |_| 43u8)]
    #[token("<<=", |_| 44u8)]
    #[token("**=", |_| 45u8)]
    #[token(":=", |_| 46u8)]
    Op(u8),
    #[token("False", |_| 0u8)]
    #[token("None", |_| 1u8)]
    #[token("True", |_| 2u8)]
    #[token("and", |_| 3u8)]
    #[token("as", |_| 4u8)]
    #[token("assert", |_| 5u8)]
    #[token("async", |_| 6u8)]
    #[token("await", |_| 7u8)]
    #[token("break", |_| 8u8)]
    #[token("class", |_| 9u8)]
    #[token("continue", |_| 10u8)]
    #[token("def", |_| 11u8)]
    #[token("del", |_| 12u8)]
    #[token("elif", |_| 13u8)]
    #[token("else", |_| 14u8)]
    #[token("except", |_| 15u8)]
    #[token("finally", |_| 16u8)]
    #[token("for", |_| 17u8)]
    #[token("from", |_| 18u8)]
    #[token("global", |_| 19u8)]
    #[token("if", |_| 20u8)]
    #[token("import", |_| 21u8)]
    #[token("in", |_| 22u8)]
    #[token("is", |_| 23u8)]
    #[token("lambda", |_| 24u8)]
    #[token("nonlocal", |_| 25u8)]
    #[token("not", |_| 26u8)]
    #[token("or", |_| 27u8)]
    #[token("pass", |_| 28u8)]
    #[token("raise", |_| 29u8)]
    #[token("return", |_| 30u8)]
    #[token("try", |_| 31u8)]
    #[token("while", |_| 32u8)]
    #[token("with", |_| 33u8)]
    #[token("yield", |_| 34u8)]
    Keyword(u8),
}

/// Operators and delimiters, indexed by the lexer's `Raw::Open/Close/Op` payload.
const OPS: &[&str] = &[
    "(", "[", "{", ")", "]", "}", "+", "-", "*", "**", "/", "//", "%", "@", "<<", ">>", "&", "|", "^", "~",
    "<", ">", "<=", ">=", "==", "!=", ",", ":", ";", ".", "...", "=", "->", "+=", "-=", "*=", "/=", "//=",
    "%=", "@=", "&=", "|=", "^=", ">>=", "<<=", "**=", ":=",
];

/// Keywords, indexed by `Raw::Keyword`'s payload.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
    "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
    "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

fn keyword(s: &str) -> Option<Tok> {
    Some(match s {
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

/// Indentation of a line measured two ways (tabs to 8 columns and tabs to 1), as CPython does
/// to detect ambiguous mixes of tabs and spaces.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Indent {
    tab8: usize,
    tab1: usize,
}

/// Lexes a whole source text into tokens ending with `Eof`.
pub fn lex(src: &str) -> Result<Vec<Token>, SyntaxError> {
    // Generous: untouched capacity costs nothing, a reallocation copies every token.
    let mut out: Vec<Token> = Vec::with_capacity(src.len() / 3 + 16);
    // A UTF-8 BOM is accepted and skipped.
    let start = if src.starts_with('\u{feff}') { 3 } else { 0 };
    let mut raw = Raw::lexer(&src[start..]);
    let mut indents: Vec<Indent> = vec![Indent { tab8: 0, tab1: 0 }];
    let mut brackets: Vec<(u8, Span)> = Vec::new();
    let mut at_line_start = true;
    while let Some(res) = raw.next() {
        let r = raw.span();
        let span = Span::new(r.start + start, r.end + start);
        let text = raw.slice();
        let kind = match res {
            Ok(k) => k,
            Err(()) => return Err(bad_char(src, span)),
        };
        if kind == Raw::Newline {
            if brackets.is_empty() && !at_line_start {
                out.push(Token { tok: Tok::Newline, span });
                at_line_start = true;
            }
            continue;
        }
        if at_line_start {
            at_line_start = false;
            indent_line(src, span, &mut indents, &mut out)?;
        }
        let tok = match kind {
            // Handled above; a newline never reaches this match.
            Raw::Newline => continue,
            Raw::Keyword(k) => keyword(KEYWORDS[k as usize]).unwrap_or(Tok::Eof),
            Raw::Name => {
                if let Some(c) = text.chars().find(|c| !(c.is_alphanumeric() || *c == '_')) {
                    let at = span.start as usize + text.find(c).unwrap_or(0);
                    return Err(bad_char(src, Span::new(at, at + c.len_utf8())));
                }
                Tok::Name(Symbol::intern(text))
            }
            Raw::Dec => int_literal(text, 10, span)?,
            Raw::Hex => int_literal(&text[2..], 16, span)?,
            Raw::Oct => int_literal(&text[2..], 8, span)?,
            Raw::Bin => int_literal(&text[2..], 2, span)?,
            Raw::Float => {
                let clean: String = text.chars().filter(|c| *c != '_').collect();
                match clean.parse::<f64>() {
                    Ok(f) => Tok::Float(f),
                    Err(_) => return Err(SyntaxError::new("invalid decimal literal", span)),
                }
            }
            Raw::Str(info) => string_token(src, span, info)?,
            Raw::Open(i) => {
                let text = OPS[i as usize];
                if brackets.len() >= MAX_NESTING {
                    return Err(SyntaxError::new("too many nested parentheses", span).with_help(format!(
                        "tinyasync allows at most {MAX_NESTING} levels of nested brackets"
                    )));
                }
                brackets.push((text.as_bytes()[0], span));
                Tok::Op(text)
            }
            Raw::Close(i) => {
                let text = OPS[i as usize];
                let close = text.as_bytes()[0];
                match brackets.pop() {
                    None => {
                        return Err(SyntaxError::new(format!("unmatched '{}'", text), span)
                            .with_label("no bracket was opened before this one"))
                    }
                    Some((open, ospan)) => {
                        let want = match open {
                            b'(' => b')',
                            b'[' => b']',
                            _ => b'}',
                        };
                        if want != close {
                            return Err(SyntaxError::new(
                                format!(
                                    "closing parenthesis '{}' does not match opening parenthesis '{}'",
                                    text, open as char
                                ),
                                span,
                            )
                            .with_secondary(ospan, "opened here"));
                        }
                    }
                }
                Tok::Op(text)
            }
            Raw::Op(i) => Tok::Op(OPS[i as usize]),
        };
        out.push(Token { tok, span });
    }
    if let Some((open, ospan)) = brackets.first() {
        return Err(SyntaxError::new(format!("'{}' was never closed", *open as char), *ospan)
            .with_label("this bracket is never closed")
            .with_help("add the matching closing bracket")
            .unexpected_eof());
    }
    let end = Span::new(src.len(), src.len());
    if !at_line_start {
        out.push(Token { tok: Tok::Newline, span: end });
    }
    for _ in 1..indents.len() {
        out.push(Token { tok: Tok::Dedent, span: end });
    }
    out.push(Token { tok: Tok::Eof, span: end });
    Ok(out)
}

fn bad_char(src: &str, span: Span) -> SyntaxError {
    let c = src[span.start as usize..].chars().next().unwrap_or('?');
    let msg = match c {
        '\0' => "source code cannot contain null bytes".to_string(),
        '!' => "invalid syntax".to_string(),
        '$' | '?' | '`' => format!("invalid character '{}'", c),
        c if c.is_whitespace() || c.is_control() => {
            format!("invalid non-printable character U+{:04X}", c as u32)
        }
        c => format!("invalid character '{}' (U+{:04X})", c, c as u32),
    };
    let len = c.len_utf8();
    SyntaxError::new(msg, Span::new(span.start as usize, span.start as usize + len))
}

/// Emits INDENT/DEDENT for the first token of a logical line.
fn indent_line(
    src: &str,
    first: Span,
    indents: &mut Vec<Indent>,
    out: &mut Vec<Token>,
) -> Result<(), SyntaxError> {
    let bytes = src.as_bytes();
    let mut line_start = first.start as usize;
    while line_start > 0 && bytes[line_start - 1] != b'\n' {
        line_start -= 1;
    }
    let mut ind = Indent { tab8: 0, tab1: 0 };
    for &b in &bytes[line_start..first.start as usize] {
        match b {
            b' ' => {
                ind.tab8 += 1;
                ind.tab1 += 1;
            }
            b'\t' => {
                ind.tab8 = (ind.tab8 / 8 + 1) * 8;
                ind.tab1 += 1;
            }
            b'\x0c' => {
                ind = Indent { tab8: 0, tab1: 0 };
            }
            // A BOM before the first line.
            _ => {}
        }
    }
    let line_span = Span::new(line_start, first.start as usize);
    let top = *indents.last().unwrap_or(&Indent { tab8: 0, tab1: 0 });
    let tab_error = || {
        SyntaxError::new("inconsistent use of tabs and spaces in indentation", line_span)
            .with_label("this indentation mixes tabs and spaces ambiguously")
            .with_help("indent with spaces only")
            .kind("TabError")
    };
    if ind.tab8 > top.tab8 {
        if ind.tab1 <= top.tab1 {
            return Err(tab_error());
        }
        if indents.len() >= MAX_NESTING {
            return Err(SyntaxError::new("too many levels of indentation", first)
                .with_help(format!("tinyasync allows at most {MAX_NESTING} nested blocks")));
        }
        indents.push(ind);
        out.push(Token { tok: Tok::Indent, span: Span::new(first.start as usize, first.start as usize) });
    } else if ind.tab8 < top.tab8 {
        while indents.last().is_some_and(|t| t.tab8 > ind.tab8) {
            indents.pop();
            out.push(Token { tok: Tok::Dedent, span: Span::new(first.start as usize, first.start as usize) });
        }
        let now = *indents.last().unwrap_or(&Indent { tab8: 0, tab1: 0 });
        if now.tab8 != ind.tab8 {
            return Err(SyntaxError::new(
                "unindent does not match any outer indentation level",
                Span::new(line_start, first.end as usize),
            )
            .with_label("this line is dedented to a level that was never opened")
            .with_help("line it up with one of the enclosing blocks")
            .kind("IndentationError"));
        }
        if now.tab1 != ind.tab1 {
            return Err(tab_error());
        }
    } else if ind.tab1 != top.tab1 {
        return Err(tab_error());
    }
    Ok(())
}

fn int_literal(digits: &str, radix: u32, span: Span) -> Result<Tok, SyntaxError> {
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
    if let Ok(v) = i64::from_str_radix(&clean, radix) {
        return Ok(Tok::Int(v));
    }
    match BigInt::parse_bytes(clean.as_bytes(), radix) {
        Some(b) => Ok(Tok::BigInt(Box::new(b))),
        None => Err(SyntaxError::new("invalid integer literal", span)),
    }
}

fn string_token(src: &str, span: Span, info: StrInfo) -> Result<Tok, SyntaxError> {
    let text = &src[span.range()];
    let prefix = &text[..info.prefix_len as usize];
    if !info.terminated {
        let first = Span::new(span.start as usize, span.start as usize + info.prefix_len as usize + 1);
        let msg = if info.quote_len == 3 {
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
        return Err(SyntaxError::new("bytes literals are not supported", span));
    }
    let raw = lower.contains('r');
    let q = info.quote_len as usize;
    let body_start = span.start as usize + prefix.len() + q;
    let body_end = span.end as usize - q;
    if lower.contains('f') {
        return Ok(Tok::FStr { body: Span::new(body_start, body_end), raw });
    }
    let body = &src[body_start..body_end];
    Ok(Tok::Str(std::rc::Rc::from(decode_escapes(body, raw, body_start)?)))
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
