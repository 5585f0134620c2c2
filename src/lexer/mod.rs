//! Lexer: source text to tokens, one at a time.
//!
//! A `logos` lexer recognises the raw tokens; a wrapper (`Lexer`) turns line structure into
//! NEWLINE / INDENT / DEDENT through an indent stack (the shape of starlark-rust's lexer), skips
//! newlines inside brackets, checks bracket pairing, and checks literals (`literals.rs`). The
//! parser pulls tokens as it goes (`Lexer::next_token`); tokens are 16-byte values (`tokens.rs`).
//! The commonest tokens (ASCII names, most operators, short integers) take a fast path
//! (`fast.rs`) that gives exactly what logos would, tested against logos alone.

mod fast;
mod literals;
mod tokens;

pub use literals::{big_int, decode_escapes, float_value, int_value};
pub use tokens::{keyword_text, Op, StrLit, Tok, Token};

/// Whether `word` is one of Python's keywords.
pub fn is_keyword(word: &str) -> bool {
    fast::keyword_tok(word).is_some()
}

use crate::error::SyntaxError;
use crate::span::{Span, Symbol};
use fast::Fast;
use literals::{int_literal, scan_string, string_token, StrInfo};
use logos::Logos;

/// Deepest bracket nesting accepted; deeper input is a syntax error, not a stack overflow.
pub const MAX_NESTING: usize = 200;

/// CPython refuses integer literals longer than this (`sys.get_int_max_str_digits()`).
pub const MAX_INT_DIGITS: usize = 4300;

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
    #[token("(", |_| Op::LParen)]
    #[token("[", |_| Op::LBracket)]
    #[token("{", |_| Op::LBrace)]
    Open(Op),
    #[token(")", |_| Op::RParen)]
    #[token("]", |_| Op::RBracket)]
    #[token("}", |_| Op::RBrace)]
    Close(Op),
    #[token("+", |_| Op::Plus)]
    #[token("-", |_| Op::Minus)]
    #[token("*", |_| Op::Star)]
    #[token("**", |_| Op::DoubleStar)]
    #[token("/", |_| Op::Slash)]
    #[token("//", |_| Op::DoubleSlash)]
    #[token("%", |_| Op::Percent)]
    #[token("@", |_| Op::At)]
    #[token("<<", |_| Op::LShift)]
    #[token(">>", |_| Op::RShift)]
    #[token("&", |_| Op::Amp)]
    #[token("|", |_| Op::Pipe)]
    #[token("^", |_| Op::Caret)]
    #[token("~", |_| Op::Tilde)]
    #[token("<", |_| Op::Lt)]
    #[token(">", |_| Op::Gt)]
    #[token("<=", |_| Op::Le)]
    #[token(">=", |_| Op::Ge)]
    #[token("==", |_| Op::EqEq)]
    #[token("!=", |_| Op::NotEq)]
    #[token(",", |_| Op::Comma)]
    #[token(":", |_| Op::Colon)]
    #[token(";", |_| Op::Semi)]
    #[token(".", |_| Op::Dot)]
    #[token("...", |_| Op::Ellipsis)]
    #[token("=", |_| Op::Assign)]
    #[token("->", |_| Op::Arrow)]
    #[token("+=", |_| Op::PlusEq)]
    #[token("-=", |_| Op::MinusEq)]
    #[token("*=", |_| Op::StarEq)]
    #[token("/=", |_| Op::SlashEq)]
    #[token("//=", |_| Op::DoubleSlashEq)]
    #[token("%=", |_| Op::PercentEq)]
    #[token("@=", |_| Op::AtEq)]
    #[token("&=", |_| Op::AmpEq)]
    #[token("|=", |_| Op::PipeEq)]
    #[token("^=", |_| Op::CaretEq)]
    #[token(">>=", |_| Op::RShiftEq)]
    #[token("<<=", |_| Op::LShiftEq)]
    #[token("**=", |_| Op::DoubleStarEq)]
    #[token(":=", |_| Op::Walrus)]
    Op(Op),
}

/// Whether `close` closes the bracket `open` (its first byte).
#[inline]
fn pairs(open: u8, close: Op) -> bool {
    matches!((open, close), (b'(', Op::RParen) | (b'[', Op::RBracket) | (b'{', Op::RBrace))
}

/// Indentation of a line measured two ways (tabs to 8 columns and tabs to 1), as CPython does
/// to detect ambiguous mixes of tabs and spaces.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Indent {
    tab8: usize,
    tab1: usize,
}

impl Indent {
    /// The indentation made of `lead`, the whitespace before a line's first token.
    fn measure(lead: &[u8]) -> Indent {
        let mut ind = Indent { tab8: 0, tab1: 0 };
        for &b in lead {
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
                // A backslash continuation before the first token.
                _ => {}
            }
        }
        ind
    }
}

/// Whether `lexical`, found after the parser failed with `parse`, is the better report, by
/// CPython's rules: an unterminated string is (it usually explains the parse error), and so is
/// a bracket never closed if it was opened before the parse error (unless `open_bracket` is
/// false: at the REPL the input may simply not be finished yet); an invalid character or a bad
/// dedent further down is not.
pub fn outranks(lexical: &SyntaxError, parse: &SyntaxError, open_bracket: bool) -> bool {
    lexical.msg.starts_with(UNTERMINATED)
        || (open_bracket && lexical.msg.ends_with(NEVER_CLOSED) && lexical.span.start < parse.span.start)
}

/// How the lexer's two late-reported errors start and end (see `outranks`).
const UNTERMINATED: &str = "unterminated ";
const NEVER_CLOSED: &str = "' was never closed";

/// Lexes a whole source text into tokens ending with `Eof` (tests, benchmarks and the REPL's
/// "is this input complete?" check; the parser pulls tokens from a [`Lexer`] one at a time).
pub fn lex(src: &str) -> Result<Vec<Token>, SyntaxError> {
    let mut lexer = Lexer::logos_only(src, 0);
    let mut out = Vec::new();
    loop {
        let t = lexer.next_token()?;
        let end = t.tok == Tok::Eof;
        out.push(t);
        if end {
            return Ok(out);
        }
    }
}

/// A streaming lexer: [`Lexer::next_token`] returns one token at a time, so a program is never
/// held as a whole token vector (for 10 MB of source that vector would be about 80 MB).
#[derive(Clone)]
pub struct Lexer<'s> {
    /// The whole text; spans are byte offsets into it.
    text: &'s str,
    /// Where this program starts in `text` (the REPL lays its inputs end to end).
    start: usize,
    raw: logos::Lexer<'s, Raw>,
    indents: Vec<Indent>,
    brackets: Vec<(u8, Span)>,
    at_line_start: bool,
    /// INDENT/DEDENT tokens (and the token after them), or the tokens that close the input.
    /// A stack: the last one comes out first.
    pending: Vec<Token>,
    /// The end of the input was reached: after `pending` only `Eof` follows.
    finished: bool,
    /// Where the current physical line starts.
    line_begin: usize,
    /// The fast path's name cache (fast.rs); without it every token goes through logos: the
    /// equivalence test does that, and so do the short-lived lexers of f-string fields and
    /// the REPL's completeness check, for which a 64 KB cache would cost more than it saves.
    words: Option<fast::Words>,
}

impl<'s> Lexer<'s> {
    /// Lexes the program that starts at byte `start` of `text`.
    pub fn new(text: &'s str, start: usize) -> Lexer<'s> {
        Lexer { words: Some(fast::Words::new()), ..Lexer::logos_only(text, start) }
    }

    /// The same lexer without its fast path: every token through the logos automaton. Tested
    /// to give the same tokens and errors (tests/lexer_fast_path.rs).
    pub fn logos_only(text: &'s str, start: usize) -> Lexer<'s> {
        // A UTF-8 BOM is accepted and skipped.
        let start = if text[start..].starts_with('\u{feff}') { start + 3 } else { start };
        Lexer {
            text,
            start,
            raw: Raw::lexer(&text[start..]),
            indents: vec![Indent { tab8: 0, tab1: 0 }],
            brackets: Vec::new(),
            at_line_start: true,
            pending: Vec::new(),
            finished: false,
            line_begin: start,
            words: None,
        }
    }

    /// The next token; `Eof` for ever once the input is exhausted.
    pub fn next_token(&mut self) -> Result<Token, SyntaxError> {
        let mut t = Token { tok: Tok::Eof, span: Span::default() };
        self.next_into(&mut t)?;
        Ok(t)
    }

    /// Like [`Lexer::next_token`], writing the token into `out` (the parser's look-ahead slot):
    /// a token returned by value lands in a temporary first, and copying it out whole right
    /// after its fields were written one by one stalls the processor (the store-to-load
    /// forwarding of a wide load from narrow stores fails).
    ///
    /// The hot path (the fast path's tokens in the middle of a line) stays in this function;
    /// line starts, logos' tokens, the end and errors are out of line.
    #[inline]
    pub fn next_into(&mut self, out: &mut Token) -> Result<(), SyntaxError> {
        if !self.pending.is_empty() || self.finished {
            *out = self.queued();
            return Ok(());
        }
        let Some(words) = self.words.as_mut() else {
            *out = self.next_slow()?;
            return Ok(());
        };
        // The commonest tokens first, without logos (see fast.rs).
        let at = self.raw.span().end;
        let (tok, start, end) = match fast::fast_token(self.raw.remainder(), words) {
            Fast::Word(tok, start, end) => (tok, start, end),
            Fast::Op(op, start, end) => (Tok::Op(op), start, end),
            Fast::Int(start, end) => (Tok::Int, start, end),
            Fast::Bracket(op, i) if self.bracket_fits(op, at + i) => (Tok::Op(op), i, i + 1),
            Fast::Newline(i) if self.brackets.is_empty() && !self.at_line_start => {
                self.raw.bump(i + 1);
                let span = Span::new(self.start + at + i, self.start + at + i + 1);
                self.line_begin = span.end as usize;
                self.at_line_start = true;
                *out = Token { tok: Tok::Newline, span };
                return Ok(());
            }
            Fast::Newline(i) | Fast::Bracket(_, i) | Fast::No { skip: i } => {
                // Spaces are stepped over; logos lexes the rest (a blank line, a line break
                // inside brackets, a bracket that does not pair, a literal...).
                self.raw.bump(i);
                *out = self.next_slow()?;
                return Ok(());
            }
        };
        self.raw.bump(end);
        let span = Span::new(self.start + at + start, self.start + at + end);
        if self.at_line_start {
            *out = self.line_start(Token { tok, span })?;
            return Ok(());
        }
        *out = Token { tok, span };
        Ok(())
    }

    /// A bracket the fast path found at `at` (relative to the program): pushed or popped if it
    /// nests and pairs well, as `next_slow` does; otherwise `false` (logos lexes it again and
    /// `token` reports the error).
    #[inline(always)]
    fn bracket_fits(&mut self, op: Op, at: usize) -> bool {
        match op {
            Op::LParen | Op::LBracket | Op::LBrace if self.brackets.len() < MAX_NESTING => {
                let at = self.start + at;
                self.brackets.push((op.text().as_bytes()[0], Span::new(at, at + 1)));
                true
            }
            Op::RParen | Op::RBracket | Op::RBrace
                if self.brackets.last().is_some_and(|&(open, _)| pairs(open, op)) =>
            {
                self.brackets.pop();
                true
            }
            _ => false,
        }
    }

    /// The next token through the logos automaton.
    #[inline(never)]
    fn next_slow(&mut self) -> Result<Token, SyntaxError> {
        loop {
            let Some(res) = self.raw.next() else { return self.at_end() };
            let r = self.raw.span();
            let span = Span::new(r.start + self.start, r.end + self.start);
            let tok = match res {
                Ok(Raw::Newline) => {
                    self.line_begin = span.end as usize;
                    if self.brackets.is_empty() && !self.at_line_start {
                        self.at_line_start = true;
                        return Ok(Token { tok: Tok::Newline, span });
                    }
                    continue;
                }
                Ok(Raw::Name) => match self.name(span) {
                    Ok(tok) => tok,
                    Err(e) => return Err(self.fail(e)),
                },
                Ok(Raw::Op(op)) => Tok::Op(op),
                // Brackets that nest and pair up well; `token` reports the others.
                Ok(Raw::Open(op)) if self.brackets.len() < MAX_NESTING => {
                    self.brackets.push((op.text().as_bytes()[0], span));
                    Tok::Op(op)
                }
                Ok(Raw::Close(op)) if self.brackets.last().is_some_and(|&(open, _)| pairs(open, op)) => {
                    self.brackets.pop();
                    Tok::Op(op)
                }
                Ok(other) => match self.token(other, span) {
                    Ok(tok) => tok,
                    Err(e) => return Err(self.fail(e)),
                },
                Err(()) => return Err(self.fail(bad_char(self.text, span))),
            };
            if self.at_line_start {
                return self.line_start(Token { tok, span });
            }
            return Ok(Token { tok, span });
        }
    }

    /// A queued token (an INDENT/DEDENT and what follows it, or the closing tokens), or `Eof`.
    #[inline(never)]
    fn queued(&mut self) -> Token {
        match self.pending.pop() {
            Some(t) => t,
            None => Token { tok: Tok::Eof, span: Span::new(self.text.len(), self.text.len()) },
        }
    }

    /// The first token of a line: INDENT or DEDENTs come first if the indentation changed.
    #[inline(never)]
    fn line_start(&mut self, first: Token) -> Result<Token, SyntaxError> {
        self.at_line_start = false;
        // The common case: indented with spaces only, as deep as the block it is in.
        let lead = self.text.as_bytes().get(self.line_begin..first.span.start as usize).unwrap_or(&[]);
        if self.indents.last().is_some_and(|top| top.tab8 == lead.len() && top.tab1 == lead.len())
            && lead.iter().all(|&b| b == b' ')
        {
            return Ok(first);
        }
        // `first` comes out after the INDENT or DEDENTs pushed on top of it.
        self.pending.push(first);
        if let Err(e) =
            indent_line(self.text, self.line_begin, first.span, &mut self.indents, &mut self.pending)
        {
            return Err(self.fail(e));
        }
        Ok(self.queued())
    }

    /// The end of the input (see `finish`).
    #[inline(never)]
    fn at_end(&mut self) -> Result<Token, SyntaxError> {
        self.finish()?;
        Ok(self.queued())
    }

    /// A keyword, or an interned name; non-ASCII names are checked here (the pattern lets any
    /// such character in). Keywords are names to logos: `fast::keyword_tok` is the one list.
    #[inline(always)]
    fn name(&self, span: Span) -> Result<Tok, SyntaxError> {
        let text = self.raw.slice();
        if !text.is_ascii() {
            if let Some(c) = text.chars().find(|c| !(c.is_alphanumeric() || *c == '_')) {
                let at = span.start as usize + text.find(c).unwrap_or(0);
                return Err(bad_char(self.text, Span::new(at, at + c.len_utf8())));
            }
        }
        Ok(fast::keyword_tok(text).unwrap_or_else(|| Tok::Name(Symbol::intern(text))))
    }

    /// After an error the lexer only returns `Eof`.
    fn fail(&mut self, e: SyntaxError) -> SyntaxError {
        self.pending.clear();
        self.finished = true;
        e
    }

    /// The end of the input: an unclosed bracket is an error; otherwise the last line ends and
    /// every open block closes.
    fn finish(&mut self) -> Result<(), SyntaxError> {
        self.finished = true;
        if let Some(e) = self.never_closed() {
            return Err(e);
        }
        let end = Span::new(self.text.len(), self.text.len());
        // Pushed in reverse: the NEWLINE comes out first.
        for _ in 1..self.indents.len() {
            self.pending.push(Token { tok: Tok::Dedent, span: end });
        }
        if !self.at_line_start {
            self.pending.push(Token { tok: Tok::Newline, span: end });
            self.at_line_start = true;
        }
        self.indents.truncate(1);
        Ok(())
    }

    /// The outermost bracket still open, as the error at the end of the input.
    fn never_closed(&self) -> Option<SyntaxError> {
        let (open, ospan) = self.brackets.first()?;
        Some(
            SyntaxError::new(format!("'{}{NEVER_CLOSED}", *open as char), *ospan)
                .with_label("this bracket is never closed")
                .with_help("add the matching closing bracket")
                .unexpected_eof(),
        )
    }

    /// After the parser failed: lexes the rest of the input, as CPython does, for the errors
    /// that can outrank the parse error (see [`outranks`]): an unterminated string, or a bracket
    /// still open at the end. Invalid characters, bad indentation and other lexical errors are
    /// stepped over, as CPython's tokenizer steps over them in that pass.
    pub fn rest_errors(&mut self) -> Option<SyntaxError> {
        if self.finished {
            return None;
        }
        self.finished = true;
        while let Some(res) = self.raw.next() {
            let r = self.raw.span();
            let span = Span::new(r.start + self.start, r.end + self.start);
            match res {
                Ok(Raw::Open(op)) => self.brackets.push((op.text().as_bytes()[0], span)),
                Ok(Raw::Close(_)) => {
                    self.brackets.pop();
                }
                Ok(Raw::Str(info)) if !info.terminated => return string_token(self.text, span, info).err(),
                _ => {}
            }
        }
        self.never_closed()
    }

    /// The token for a literal or a bracket (`next_token` handles the rest).
    #[inline(never)]
    fn token(&mut self, kind: Raw, span: Span) -> Result<Tok, SyntaxError> {
        let text = self.raw.slice();
        Ok(match kind {
            // The caller handles these.
            Raw::Newline => Tok::Newline,
            Raw::Op(op) => Tok::Op(op),
            Raw::Name => self.name(span)?,
            Raw::Dec | Raw::Float
                if matches!(self.text.as_bytes().get(span.end as usize), Some(b'j' | b'J')) =>
            {
                return Err(SyntaxError::unsupported(
                    "complex numbers (`1j`) are",
                    Span::new(span.start as usize, span.end as usize + 1),
                )
                .with_help("tinyasync's numbers are int and float"))
            }
            Raw::Dec => int_literal(text, 10, span)?,
            Raw::Hex => int_literal(&text[2..], 16, span)?,
            Raw::Oct => int_literal(&text[2..], 8, span)?,
            Raw::Bin => int_literal(&text[2..], 2, span)?,
            Raw::Float => {
                let parsed = if text.contains('_') { text.replace('_', "").parse() } else { text.parse() };
                match parsed {
                    Ok::<f64, _>(_) => Tok::Float,
                    Err(_) => return Err(SyntaxError::new("invalid decimal literal", span)),
                }
            }
            Raw::Str(info) => string_token(self.text, span, info)?,
            Raw::Open(op) => {
                let text = op.text();
                if self.brackets.len() >= MAX_NESTING {
                    return Err(SyntaxError::new("too many nested parentheses", span).with_help(format!(
                        "tinyasync allows at most {MAX_NESTING} levels of nested brackets"
                    )));
                }
                self.brackets.push((text.as_bytes()[0], span));
                Tok::Op(op)
            }
            Raw::Close(op) => {
                let text = op.text();
                let close = text.as_bytes()[0];
                match self.brackets.pop() {
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
                Tok::Op(op)
            }
        })
    }
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
/// `line_start` is where the line of `first` starts in `src`.
fn indent_line(
    src: &str,
    line_start: usize,
    first: Span,
    indents: &mut Vec<Indent>,
    out: &mut Vec<Token>,
) -> Result<(), SyntaxError> {
    let bytes = src.as_bytes();
    let first_at = first.start as usize;
    // After a backslash continuation the line really starts after the last newline.
    let line_start = match bytes[line_start..first_at].iter().rposition(|&b| b == b'\n') {
        Some(i) => line_start + i + 1,
        None => line_start,
    };
    let lead = &bytes[line_start..first_at];
    let ind = if lead.iter().all(|&b| b == b' ') {
        // The common case: spaces only.
        Indent { tab8: lead.len(), tab1: lead.len() }
    } else {
        Indent::measure(lead)
    };
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
