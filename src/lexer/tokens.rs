//! The tokens the lexer hands to the parser: `Tok` (8 bytes), `Token` (with its span, 16),
//! string literal shapes and the operator table.

use crate::span::{Span, Symbol};

/// A token: 8 bytes, so that a `Token` (with its span) is 16 and travels in two registers.
/// Literals carry no value: the lexer checks them, and the parser reads their value from the
/// token's span ([`int_value`], [`float_value`], [`big_int`], [`StrLit::body`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tok {
    Name(Symbol),
    /// An integer literal that fits in `i64`.
    Int,
    /// An integer literal too big for `i64`.
    BigInt,
    Float,
    /// A string literal (escapes undecoded).
    Str(StrLit),
    /// An f-string; the parser splits it.
    FStr(StrLit),
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
    Op(Op),
}

/// The shape of a string literal: its prefix (`r`, `f`, `rf`...) and quote lengths.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StrLit {
    pub prefix: u8,
    pub quotes: u8,
    pub raw: bool,
}

impl StrLit {
    /// The text between the quotes of the literal at `span`.
    pub fn body(self, span: Span) -> Span {
        let start = span.start as usize + self.prefix as usize + self.quotes as usize;
        Span::new(start, (span.end as usize - self.quotes as usize).max(start))
    }
}

impl Tok {
    /// How the token is named in "expected ..." messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Name(s) => format!("name '{}'", s),
            Tok::Int | Tok::BigInt | Tok::Float => "number".into(),
            Tok::Str(_) | Tok::FStr(_) => "string".into(),
            Tok::Newline => "end of line".into(),
            Tok::Indent => "indent".into(),
            Tok::Dedent => "dedent".into(),
            Tok::Eof => "end of input".into(),
            Tok::Op(op) => format!("'{}'", op.text()),
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

#[derive(Clone, Copy, Debug)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// An operator or delimiter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `(`
    LParen,
    /// `[`
    LBracket,
    /// `{`
    LBrace,
    /// `)`
    RParen,
    /// `]`
    RBracket,
    /// `}`
    RBrace,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `**`
    DoubleStar,
    /// `/`
    Slash,
    /// `//`
    DoubleSlash,
    /// `%`
    Percent,
    /// `@`
    At,
    /// `<<`
    LShift,
    /// `>>`
    RShift,
    /// `&`
    Amp,
    /// `|`
    Pipe,
    /// `^`
    Caret,
    /// `~`
    Tilde,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `==`
    EqEq,
    /// `!=`
    NotEq,
    /// `,`
    Comma,
    /// `:`
    Colon,
    /// `;`
    Semi,
    /// `.`
    Dot,
    /// `...`
    Ellipsis,
    /// `=`
    Assign,
    /// `->`
    Arrow,
    /// `+=`
    PlusEq,
    /// `-=`
    MinusEq,
    /// `*=`
    StarEq,
    /// `/=`
    SlashEq,
    /// `//=`
    DoubleSlashEq,
    /// `%=`
    PercentEq,
    /// `@=`
    AtEq,
    /// `&=`
    AmpEq,
    /// `|=`
    PipeEq,
    /// `^=`
    CaretEq,
    /// `>>=`
    RShiftEq,
    /// `<<=`
    LShiftEq,
    /// `**=`
    DoubleStarEq,
    /// `:=`
    Walrus,
}

impl Op {
    /// The operator as written.
    pub fn text(self) -> &'static str {
        match self {
            Op::LParen => "(",
            Op::LBracket => "[",
            Op::LBrace => "{",
            Op::RParen => ")",
            Op::RBracket => "]",
            Op::RBrace => "}",
            Op::Plus => "+",
            Op::Minus => "-",
            Op::Star => "*",
            Op::DoubleStar => "**",
            Op::Slash => "/",
            Op::DoubleSlash => "//",
            Op::Percent => "%",
            Op::At => "@",
            Op::LShift => "<<",
            Op::RShift => ">>",
            Op::Amp => "&",
            Op::Pipe => "|",
            Op::Caret => "^",
            Op::Tilde => "~",
            Op::Lt => "<",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Ge => ">=",
            Op::EqEq => "==",
            Op::NotEq => "!=",
            Op::Comma => ",",
            Op::Colon => ":",
            Op::Semi => ";",
            Op::Dot => ".",
            Op::Ellipsis => "...",
            Op::Assign => "=",
            Op::Arrow => "->",
            Op::PlusEq => "+=",
            Op::MinusEq => "-=",
            Op::StarEq => "*=",
            Op::SlashEq => "/=",
            Op::DoubleSlashEq => "//=",
            Op::PercentEq => "%=",
            Op::AtEq => "@=",
            Op::AmpEq => "&=",
            Op::PipeEq => "|=",
            Op::CaretEq => "^=",
            Op::RShiftEq => ">>=",
            Op::LShiftEq => "<<=",
            Op::DoubleStarEq => "**=",
            Op::Walrus => ":=",
        }
    }
}
