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

/// The narrowest drawing: a narrower terminal still gets 40 columns (lines wrap there).
const MIN_WIDTH: usize = 40;

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
    /// Diagnostics on stderr: as wide as the terminal (80 columns when stderr is not one), and
    /// coloured by the usual conventions, as clap and cargo decide them (`anstream`): never
    /// with `NO_COLOR` set and non-empty; always with `CLICOLOR_FORCE` set and non-empty;
    /// never with `CLICOLOR=0`; otherwise only on a terminal whose `TERM` is set and not `dumb`.
    pub fn for_stderr() -> Style {
        let stderr = std::io::stderr();
        let color = anstream::AutoStream::choice(&stderr) != anstream::ColorChoice::Never;
        let width = match terminal_size::terminal_size_of(&stderr) {
            Some((terminal_size::Width(w), _)) if w > 0 => (w as usize).max(MIN_WIDTH),
            _ => 80,
        };
        Style { color, width }
    }
}

/// 1-based line and column (in characters) of a byte offset. This builds an index of `src`
/// for one lookup; code that looks up many offsets keeps a `LineIndex` instead.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    crate::line_index::LineIndex::new(src).line_col(src, offset)
}

/// A label on a span of the source.
pub struct Label {
    pub span: Span,
    pub text: Option<String>,
    pub primary: bool,
}

/// Longest source line drawn as is; longer lines are cut to a window around the labels.
const MAX_LINE: usize = 240;

/// Cuts long lines of `src` down to a window around the labels (or their start), so a line of a
/// megabyte draws as a few hundred characters; returns the new text and the moved spans.
fn shrink(src: &str, spans: &[Span]) -> (String, Vec<Span>) {
    if src.lines().all(|l| l.len() <= MAX_LINE) {
        return (src.to_string(), spans.to_vec());
    }
    let mut out = String::with_capacity(src.len().min(1 << 16));
    let mut moved: Vec<Span> = spans.to_vec();
    let mut start = 0;
    for line in src.split_inclusive('\n') {
        let end = start + line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let new_start = out.len();
        if body.len() <= MAX_LINE {
            out.push_str(line);
            for (m, s) in moved.iter_mut().zip(spans) {
                if (s.start as usize) >= start && (s.start as usize) < end.max(start + 1) {
                    let shift = new_start as i64 - start as i64;
                    *m = Span::new((s.start as i64 + shift) as usize, (s.end as i64 + shift).max(0) as usize);
                }
            }
        } else {
            // A window around the first label on this line, or the line's start.
            let here: Vec<&Span> =
                spans.iter().filter(|s| (s.start as usize) >= start && (s.start as usize) < end).collect();
            let anchor = here.first().map(|s| s.start as usize - start).unwrap_or(0);
            let mut w0 = anchor.saturating_sub(MAX_LINE / 3);
            let mut w1 = (w0 + MAX_LINE).min(body.len());
            while !body.is_char_boundary(w0) {
                w0 -= 1;
            }
            while !body.is_char_boundary(w1) {
                w1 += 1;
            }
            let prefix = if w0 > 0 { "…" } else { "" };
            out.push_str(prefix);
            let text_start = out.len();
            out.push_str(&body[w0..w1]);
            if w1 < body.len() {
                out.push('…');
            }
            out.push_str(&line[body.len()..]);
            for (m, s) in moved.iter_mut().zip(spans) {
                let (a, b) = (s.start as usize, s.end as usize);
                if a >= start && a < end {
                    let na = text_start + (a - start).clamp(w0, w1) - w0;
                    let nb = text_start + (b.min(end) - start).clamp(w0, w1) - w0;
                    *m = Span::new(na, nb.max(na));
                }
            }
        }
        start = end;
    }
    (out, moved)
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
    let spans: Vec<Span> = labels.iter().map(|l| l.span).collect();
    let first_span = spans.first().copied();
    let (original, original_len) = (src, src.len());
    let (text, spans) = shrink(src, &spans);
    let src = text.as_str();
    let mut diag = MietteDiagnostic::new(title.to_string());
    let mut ls = Vec::new();
    for (l, span) in labels.into_iter().zip(spans) {
        let start = (span.start as usize).min(src.len());
        let end = (span.end as usize).clamp(start, src.len());
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
    if let Some(first) = first_span {
        if text.len() != original_len {
            let (line, col) = line_col(original, first.start as usize);
            out.push_str(&format!(
                "  note: long lines are shown cut; the error is at line {}, column {}\n",
                line, col
            ));
        }
    }
    out
}

/// Renders a diagnostic that points at no line of the program (the title and a help line).
pub fn render_title(style: Style, title: &str, help: Option<&str>) -> String {
    let mut diag = MietteDiagnostic::new(title.to_string());
    if let Some(h) = help {
        diag = diag.with_help(h.to_string());
    }
    let report = miette::Report::new(diag);
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
