//! Diagnostics: every error the user sees is rendered here with miette, like rustc: the message,
//! `file:line:col`, the source line with a label on the span, and a help line.
//!
//! Tests render without colour at a fixed width (`Style::plain`) so snapshots do not depend on
//! the terminal.

use crate::error::SyntaxError;
use crate::span::Span;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

/// Exit statuses, the same for every command (README lists them).
pub mod exit {
    pub const OK: i32 = 0;
    pub const RUNTIME_ERROR: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const DEADLOCK: i32 = 3;
    pub const LIMIT: i32 = 4;
    pub const INTERRUPTED: i32 = 130;
}

/// How diagnostics are drawn.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Style {
    /// No colour, 80 columns: what tests and pipes get.
    pub fn plain() -> Style {
        Style { color: false, width: 80 }
    }
    /// Colour when stderr is a terminal (and `NO_COLOR` is unset).
    pub fn for_stderr() -> Style {
        use std::io::IsTerminal;
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Style { color, width: 100 }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let mut off = offset;
    while !src.is_char_boundary(off) {
        off -= 1;
    }
    let before = &src[..off];
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let mut col = src[line_start..off].chars().count() + 1;
    // A byte order mark is not part of the first line's text.
    if line_start == 0 && off > 0 && src.starts_with('\u{feff}') {
        col -= 1;
    }
    (line, col)
}

/// A label on a span of the source.
pub struct Label {
    pub span: Span,
    pub text: Option<String>,
    pub primary: bool,
}

/// Renders one diagnostic: `title` on top, labels drawn into `src`, then `help`.
pub fn render(
    style: Style,
    file: &str,
    src: &str,
    title: &str,
    labels: Vec<Label>,
    help: Option<&str>,
) -> String {
    let mut diag = MietteDiagnostic::new(title.to_string());
    let mut ls = Vec::new();
    for l in labels {
        let start = (l.span.start as usize).min(src.len());
        let end = (l.span.end as usize).clamp(start, src.len());
        let ls_span: miette::SourceSpan = (start, end - start).into();
        ls.push(if l.primary {
            LabeledSpan::new_primary_with_span(l.text, ls_span)
        } else {
            LabeledSpan::new_with_span(l.text, ls_span)
        });
    }
    diag = diag.with_labels(ls);
    if let Some(h) = help {
        diag = diag.with_help(h.to_string());
    }
    let report = miette::Report::new(diag).with_source_code(NamedSource::new(file, src.to_string()));
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!("error: {}\n", title);
    }
    out
}

/// Renders a syntax error.
pub fn render_syntax(style: Style, file: &str, src: &str, e: &SyntaxError) -> String {
    let (line, col) = line_col(src, e.span.start as usize);
    let title = format!("{}: {}", e.kind, e.msg);
    let mut labels = vec![Label {
        span: e.span,
        text: Some(e.label.clone().unwrap_or_else(|| "here".into())),
        primary: true,
    }];
    if let Some((sp, text)) = &e.secondary {
        labels.push(Label { span: *sp, text: Some(text.clone()), primary: false });
    }
    let _ = (line, col);
    render(style, file, src, &title, labels, e.help.as_deref())
}

/// A one-line error that has no source to show (missing file, bad arguments).
pub fn render_simple(msg: &str) -> String {
    format!("error: {}\n", msg)
}
