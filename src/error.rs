//! Syntax errors produced by the lexer, parser and static checks.

use crate::span::Span;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Internal errors made so far (a compiler or VM invariant found broken, reported as a
/// diagnostic rather than a panic): each one is a bug. The fuzz harness fails on any
/// (`fuzzing::run_text`), whatever the program printed.
static INTERNAL_ERRORS: AtomicUsize = AtomicUsize::new(0);

/// Counts an internal error (see `INTERNAL_ERRORS`).
#[cold]
pub fn note_internal_error() {
    INTERNAL_ERRORS.fetch_add(1, Ordering::Relaxed);
}

/// Internal errors made so far in this process.
pub fn internal_errors() -> usize {
    INTERNAL_ERRORS.load(Ordering::Relaxed)
}

/// A syntax error: a message, the span it points at, and optional label, help and second label.
/// Boxed, so that parser results stay one word wide on the happy path.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError(Box<SyntaxErrorData>);

#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxErrorData {
    /// `SyntaxError`, `IndentationError` or `TabError`, as CPython names them.
    pub kind: &'static str,
    pub msg: String,
    pub span: Span,
    pub label: Option<String>,
    pub help: Option<String>,
    pub secondary: Option<(Span, String)>,
    /// The input ended too early: the REPL reads another line instead of reporting it.
    pub eof: bool,
}

impl SyntaxError {
    pub fn new(msg: impl Into<String>, span: Span) -> SyntaxError {
        SyntaxError(Box::new(SyntaxErrorData {
            kind: "SyntaxError",
            msg: msg.into(),
            span,
            label: None,
            help: None,
            secondary: None,
            eof: false,
        }))
    }
    /// A broken invariant of the compiler ("internal error: ..."), counted (see
    /// `INTERNAL_ERRORS`).
    #[cold]
    pub fn internal(what: impl std::fmt::Display, span: Span) -> SyntaxError {
        note_internal_error();
        SyntaxError::new(format!("internal error: {what}"), span)
    }
    /// A construct of Python that tinyasync lacks: `what` names it with its verb ("the `match`
    /// statement is", "bytes literals are"), and the message says it is not supported in
    /// tinyasync, rather than that it is invalid.
    pub fn unsupported(what: &str, span: Span) -> SyntaxError {
        SyntaxError::new(format!("{what} not supported in tinyasync"), span)
    }
    pub fn with_label(mut self, l: impl Into<String>) -> Self {
        self.label = Some(l.into());
        self
    }
    pub fn with_help(mut self, h: impl Into<String>) -> Self {
        self.help = Some(h.into());
        self
    }
    pub fn with_secondary(mut self, span: Span, l: impl Into<String>) -> Self {
        self.secondary = Some((span, l.into()));
        self
    }
    pub fn kind(mut self, k: &'static str) -> Self {
        self.kind = k;
        self
    }
    pub fn unexpected_eof(mut self) -> Self {
        self.eof = true;
        self
    }
}

impl std::ops::Deref for SyntaxError {
    type Target = SyntaxErrorData;
    fn deref(&self) -> &SyntaxErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for SyntaxError {
    fn deref_mut(&mut self) -> &mut SyntaxErrorData {
        &mut self.0
    }
}

#[cfg(test)]
mod internal_error_tests {
    use super::*;

    #[test]
    fn an_internal_error_is_counted_and_says_so() {
        let before = internal_errors();
        let e = SyntaxError::internal(format_args!("bad bytecode for {}", "f"), Span::new(0, 1));
        assert_eq!(e.0.msg, "internal error: bad bytecode for f");
        assert!(internal_errors() > before);
    }
}
