//! The terminal front end of the REPL: rustyline with `>>> `/`... ` prompts, history kept in a
//! file, Tab completion, syntax and matching-bracket highlighting, Ctrl-C and Ctrl-D.

use crate::diagnostics::Style;
use crate::interp::{Options, Output};
use crate::repl::Repl;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{Config, Context, Editor, Helper};
use std::borrow::Cow;
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

const HISTORY_SIZE: usize = 1000;

/// The history file: `$TINYASYNC_HISTORY`, else `$XDG_DATA_HOME/tinyasync/history`, else
/// `~/.local/share/tinyasync/history`.
pub fn history_path() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("TINYASYNC_HISTORY") {
        return Some(p.into());
    }
    let base = match std::env::var_os("XDG_DATA_HOME") {
        Some(d) => std::path::PathBuf::from(d),
        None => std::path::PathBuf::from(std::env::var_os("HOME")?).join(".local/share"),
    };
    Some(base.join("tinyasync").join("history"))
}

struct ReplHelper {
    repl: Rc<RefCell<Repl>>,
    color: bool,
}

impl Completer for ReplHelper {
    type Candidate = Pair;
    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '.' || *c == ':'))
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0);
        let word = &before[start..];
        let cands = match self.repl.try_borrow() {
            Ok(r) => r.completions(word),
            Err(_) => Vec::new(),
        };
        Ok((start, cands.into_iter().map(|c| Pair { display: c.clone(), replacement: c }).collect()))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}
impl Validator for ReplHelper {}
impl Helper for ReplHelper {}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        if !self.color {
            return Cow::Borrowed(line);
        }
        Cow::Owned(highlight(line, matching_bracket(line, pos)))
    }
    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
    "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
    "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// The byte position of the bracket matching the one at or just before the cursor. Brackets in
/// strings and comments do not count.
pub fn matching_bracket(line: &str, pos: usize) -> Option<(usize, usize)> {
    let bytes = line.as_bytes();
    let code = code_bytes(line);
    let at = [pos, pos.wrapping_sub(1)]
        .into_iter()
        .find(|&i| i < bytes.len() && code[i] && b"()[]{}".contains(&bytes[i]))?;
    let c = bytes[at];
    let (open, close, forward) = match c {
        b'(' => (b'(', b')', true),
        b'[' => (b'[', b']', true),
        b'{' => (b'{', b'}', true),
        b')' => (b'(', b')', false),
        b']' => (b'[', b']', false),
        _ => (b'{', b'}', false),
    };
    let mut depth = 0i32;
    let idxs: Box<dyn Iterator<Item = usize>> =
        if forward { Box::new(at..bytes.len()) } else { Box::new((0..=at).rev()) };
    for i in idxs.filter(|&i| code[i]) {
        if bytes[i] == open {
            depth += if forward { 1 } else { -1 };
        } else if bytes[i] == close {
            depth += if forward { -1 } else { 1 };
        }
        if depth == 0 {
            return Some((at, i));
        }
    }
    None
}

/// The end of the string literal starting with the quote at `start` (or the end of the line).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut j = start + 1;
    while j < bytes.len() && bytes[j] != quote {
        j += if bytes[j] == b'\\' { 2 } else { 1 };
    }
    (j + 1).min(bytes.len())
}

/// Which bytes of `line` are code: not in a string literal or a comment.
fn code_bytes(line: &str) -> Vec<bool> {
    let bytes = line.as_bytes();
    let mut code = vec![true; bytes.len()];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                code[i..].fill(false);
                break;
            }
            b'"' | b'\'' => {
                let end = string_end(bytes, i);
                code[i..end].fill(false);
                i = end;
            }
            _ => i += 1,
        }
    }
    code
}

/// ANSI colours: keywords, strings, numbers, comments; the bracket pair in bold.
pub fn highlight(line: &str, brackets: Option<(usize, usize)>) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let bytes = line.as_bytes();
    let mut i = 0;
    let bold = |i: usize| brackets.is_some_and(|(a, b)| a == i || b == i);
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'#' {
            out.push_str("\x1b[90m");
            out.push_str(&line[i..]);
            out.push_str("\x1b[0m");
            break;
        }
        if c == b'"' || c == b'\'' {
            let end = string_end(bytes, i);
            out.push_str("\x1b[32m");
            out.push_str(&line[i..end]);
            out.push_str("\x1b[0m");
            i = end;
            continue;
        }
        if c.is_ascii_digit() {
            let mut j = i;
            while j < bytes.len()
                && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'.' || bytes[j] == b'_')
            {
                j += 1;
            }
            out.push_str("\x1b[36m");
            out.push_str(&line[i..j]);
            out.push_str("\x1b[0m");
            i = j;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let mut j = i;
            while j < bytes.len()
                && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_' || bytes[j] >= 0x80)
            {
                j += 1;
            }
            let word = &line[i..j];
            if KEYWORDS.contains(&word) {
                out.push_str("\x1b[1;34m");
                out.push_str(word);
                out.push_str("\x1b[0m");
            } else {
                out.push_str(word);
            }
            i = j;
            continue;
        }
        if bold(i) {
            out.push_str("\x1b[1;7m");
            out.push(c as char);
            out.push_str("\x1b[0m");
        } else {
            // Multi-byte characters are handled by the name branch; this byte is ASCII.
            out.push(c as char);
        }
        i += 1;
    }
    out
}

/// Runs the REPL on the terminal. Returns the exit status.
pub fn run_terminal() -> i32 {
    let style = Style::for_stderr();
    let out = Output::Stdout(std::io::BufWriter::new(std::io::stdout()));
    let repl = Rc::new(RefCell::new(Repl::new(Options::default(), out, style)));
    let config = match Config::builder().max_history_size(HISTORY_SIZE) {
        Ok(b) => b.auto_add_history(true).build(),
        Err(_) => Config::default(),
    };
    let mut rl: Editor<ReplHelper, FileHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {}", e);
            return crate::diagnostics::exit::USAGE;
        }
    };
    let color = std::env::var_os("NO_COLOR").is_none();
    rl.set_helper(Some(ReplHelper { repl: repl.clone(), color }));
    let history = history_path();
    if let Some(h) = &history {
        let _ = rl.load_history(h);
    }
    // Ctrl-C while code runs: the interpreter stops at its next step and reports.
    let _ = crate::limits::install_interrupt_flag();
    println!("tinyasync {} — :help for commands, Ctrl-D to exit", env!("CARGO_PKG_VERSION"));
    loop {
        let prompt = if repl.borrow().needs_more() { "... " } else { ">>> " };
        match rl.readline(prompt) {
            Ok(line) => {
                let feed = repl.borrow_mut().feed(&line);
                let mut r = repl.borrow_mut();
                let _ = r.interp.flush();
                if !feed.stdout.is_empty() {
                    let _ = r.interp.write_out(&feed.stdout);
                    let _ = r.interp.flush();
                }
                if !feed.stderr.is_empty() {
                    eprint!("{}", feed.stderr);
                    let _ = std::io::stderr().flush();
                }
            }
            Err(ReadlineError::Interrupted) => {
                repl.borrow_mut().clear_input();
                println!("KeyboardInterrupt");
            }
            Err(ReadlineError::Eof) => {
                if repl.borrow().needs_more() {
                    repl.borrow_mut().clear_input();
                    continue;
                }
                break;
            }
            Err(e) => {
                eprintln!("error: {}", e);
                break;
            }
        }
    }
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = rl.save_history(h);
    }
    0
}
