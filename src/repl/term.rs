//! The terminal front end of the REPL, `python -m asyncio`'s model: the interpreter and its
//! scheduler stay on the interpreter's thread; a second thread only reads the terminal
//! (rustyline: `>>> `/`... ` prompts, history kept in a file, Tab completion, syntax and
//! matching-bracket highlighting). While the prompt waits, the interpreter thread runs spawned
//! tasks, timers and callbacks on the real clock, and their output is printed above the line
//! being typed (rustyline's external printer). Lines that arrive together (typed ahead, sent by
//! a program, pasted) are kept (rustyline's `buffer-redux`) and each runs in turn with its own
//! prompt, as if typed one by one.

use crate::diagnostics::Style;
use crate::interp::{Options, Output};
use crate::repl::{Feed, Repl};
use crate::scheduler::RunUntil;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{
    Cmd, CompletionType, ConditionalEventHandler, Config, Context, Editor, Event, EventContext, EventHandler,
    ExternalPrinter, Helper, KeyCode, KeyEvent, Modifiers, RepeatCount,
};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

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

/// What the terminal thread tells the interpreter.
enum FromTerm {
    /// A line, and whether it was part of a bracketed paste.
    Line(String, bool),
    /// Ctrl-C at the prompt.
    Interrupted,
    /// Ctrl-D on an empty line.
    Eof,
    /// Tab: the candidates for a word, answered on the channel given.
    Complete(String, Sender<Vec<String>>),
    /// The editor failed (the message) and the session ends.
    Failed(String),
}

/// What the interpreter tells the terminal thread.
enum ToTerm {
    /// Show this prompt and read a line.
    Prompt(&'static str),
    /// Save the history and end.
    Quit,
}

struct ReplHelper {
    to_interp: Sender<FromTerm>,
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
        // The names live on the interpreter's thread, which answers between scheduler passes.
        let (tx, rx) = mpsc::channel();
        let cands = match self.to_interp.send(FromTerm::Complete(word.to_string(), tx)) {
            Ok(()) => rx.recv_timeout(Duration::from_secs(1)).unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        Ok((start, cands.into_iter().map(|c| Pair { display: c.clone(), replacement: c }).collect()))
    }
}

/// The start and end of a bracketed paste. The pasted text is then read as if typed, so each
/// line is accepted in turn with its prompt; the lines are marked as pasted (see
/// `Repl::feed_pasted`). A paste that ends on an empty line inside a block ends the block, as
/// the blank line a user would type.
struct PasteMark {
    start: bool,
    in_paste: Arc<AtomicBool>,
    /// The prompt shown is `... `: an input is incomplete.
    more: Arc<AtomicBool>,
}

impl ConditionalEventHandler for PasteMark {
    fn handle(&self, _evt: &Event, _n: RepeatCount, _positive: bool, ctx: &EventContext) -> Option<Cmd> {
        self.in_paste.store(self.start, Ordering::SeqCst);
        if !self.start && ctx.line().is_empty() && self.more.load(Ordering::SeqCst) {
            return Some(Cmd::AcceptLine);
        }
        Some(Cmd::Noop)
    }
}

/// Tab with nothing but blanks before the cursor indents by four spaces; elsewhere it completes.
struct TabIndents;

impl ConditionalEventHandler for TabIndents {
    fn handle(&self, _evt: &Event, n: RepeatCount, _positive: bool, ctx: &EventContext) -> Option<Cmd> {
        let before = ctx.line().get(..ctx.pos()).unwrap_or("");
        if before.trim().is_empty() {
            Some(Cmd::Insert(n.max(1), "    ".into()))
        } else {
            None
        }
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

/// The interpreter's output while the terminal REPL runs: straight to stdout while an input
/// runs; above the prompt, through rustyline's external printer, while the prompt waits.
struct TermOut {
    state: Rc<TermState>,
}

struct TermState {
    /// A prompt is on the screen, being edited: output must go through the printer.
    prompt_shown: Cell<bool>,
    printer: RefCell<Option<Box<dyn ExternalPrinter>>>,
    /// Text waiting for the next flush, while the prompt is shown.
    pending: RefCell<String>,
    /// The last text written to the terminal ended with a newline.
    at_line_start: Cell<bool>,
}

impl TermState {
    /// Prints text above the prompt (or straight out if no prompt is shown).
    fn above_prompt(&self, text: String, to_stderr: bool) {
        if text.is_empty() {
            return;
        }
        if self.prompt_shown.get() {
            if let Some(p) = self.printer.borrow_mut().as_mut() {
                // The printer ends the text with a newline and redraws the prompt under it.
                if p.print(text.clone()).is_ok() {
                    return;
                }
            }
        }
        self.at_line_start.set(text.ends_with('\n'));
        if to_stderr {
            eprint!("{}", text);
            let _ = std::io::stderr().flush();
        } else {
            let mut out = std::io::stdout();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }
}

impl Write for TermOut {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.state.prompt_shown.get() {
            self.state.pending.borrow_mut().push_str(&String::from_utf8_lossy(buf));
            return Ok(buf.len());
        }
        std::io::stdout().write_all(buf)?;
        self.state.at_line_start.set(buf.last() == Some(&b'\n'));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let pending = std::mem::take(&mut *self.state.pending.borrow_mut());
        self.state.above_prompt(pending, false);
        std::io::stdout().flush()
    }
}

/// The terminal's settings at the start, restored on SIGTERM (the terminal thread may be in
/// the middle of reading a line, with the terminal in raw mode).
fn saved_terminal() -> Option<nix::sys::termios::Termios> {
    nix::sys::termios::tcgetattr(std::io::stdin()).ok()
}

fn restore_terminal(t: &Option<nix::sys::termios::Termios>) {
    if let Some(t) = t {
        let _ = nix::sys::termios::tcsetattr(std::io::stdin(), nix::sys::termios::SetArg::TCSANOW, t);
    }
}

/// The terminal thread: reads a line whenever the interpreter asks for one.
fn read_terminal(
    to_interp: Sender<FromTerm>,
    from_interp: Receiver<ToTerm>,
    printer: Sender<Box<dyn ExternalPrinter + Send>>,
    color: bool,
    more: Arc<AtomicBool>,
) {
    let fail = |e: String| {
        let _ = to_interp.send(FromTerm::Failed(e));
    };
    let config = match Config::builder().max_history_size(HISTORY_SIZE) {
        Ok(b) => b.auto_add_history(true).completion_type(CompletionType::List).build(),
        Err(_) => Config::default(),
    };
    let mut rl: Editor<ReplHelper, FileHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => return fail(format!("cannot start the line editor: {}", e)),
    };
    rl.set_helper(Some(ReplHelper { to_interp: to_interp.clone(), color }));
    let in_paste = Arc::new(AtomicBool::new(false));
    for (key, start) in [(KeyCode::BracketedPasteStart, true), (KeyCode::BracketedPasteEnd, false)] {
        let mark = PasteMark { start, in_paste: in_paste.clone(), more: more.clone() };
        rl.bind_sequence(KeyEvent(key, Modifiers::NONE), EventHandler::Conditional(Box::new(mark)));
    }
    rl.bind_sequence(
        KeyEvent(KeyCode::Tab, Modifiers::NONE),
        EventHandler::Conditional(Box::new(TabIndents)),
    );
    let history = history_path();
    if let Some(h) = &history {
        let _ = rl.load_history(h);
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
    }
    match rl.create_external_printer() {
        Ok(p) => {
            let _ = printer.send(Box::new(p));
        }
        Err(e) => return fail(format!("cannot start the line editor: {}", e)),
    }
    while let Ok(ToTerm::Prompt(prompt)) = from_interp.recv() {
        let msg = match rl.readline(prompt) {
            Ok(line) => {
                // Saved line by line, so that a SIGTERM loses nothing.
                if let Some(h) = &history {
                    let _ = rl.append_history(h);
                }
                FromTerm::Line(line, in_paste.load(Ordering::SeqCst))
            }
            Err(ReadlineError::Interrupted) => FromTerm::Interrupted,
            Err(ReadlineError::Eof) => FromTerm::Eof,
            Err(e) => FromTerm::Failed(e.to_string()),
        };
        if to_interp.send(msg).is_err() {
            break;
        }
    }
    if let Some(h) = &history {
        let _ = rl.append_history(h);
    }
}

/// Runs the REPL on the terminal. Returns the exit status.
pub fn run_terminal() -> i32 {
    run_terminal_with(Options::default(), None)
}

/// Runs the REPL on the terminal with these options; `startup` (a program) runs first, so that
/// the prompt opens with its globals (`tinyasync -i FILE`).
pub fn run_terminal_with(opts: Options, startup: Option<&crate::driver::Source>) -> i32 {
    let style = Style::for_stderr();
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let state = Rc::new(TermState {
        prompt_shown: Cell::new(false),
        printer: RefCell::new(None),
        pending: RefCell::new(String::new()),
        at_line_start: Cell::new(true),
    });
    let out = Output::Writer(std::io::BufWriter::new(Box::new(TermOut { state: state.clone() })));
    // The virtual clock moves only while an input runs; the real one runs in the background.
    let until = if opts.virtual_time { RunUntil::Idle } else { RunUntil::Foreground };
    let mut repl = Repl::with_mode(opts, out, style, until);
    let terminal = saved_terminal();
    // Ctrl-C while code runs cancels the input; SIGTERM ends the session.
    let _ = crate::limits::install_interrupt_flag();

    let (to_interp, from_term) = mpsc::channel();
    let (to_term, from_interp) = mpsc::channel();
    let (printer_tx, printer_rx) = mpsc::channel();
    let more = Arc::new(AtomicBool::new(false));
    let more_flag = more.clone();
    let reader = std::thread::Builder::new()
        .name("terminal".into())
        .spawn(move || read_terminal(to_interp, from_interp, printer_tx, color, more_flag));
    let reader = match reader {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: cannot start the terminal thread: {}", e);
            return crate::diagnostics::exit::USAGE;
        }
    };
    match printer_rx.recv() {
        Ok(p) => *state.printer.borrow_mut() = Some(p),
        Err(_) => {
            // The terminal thread failed before it could print; its message follows.
            if let Ok(FromTerm::Failed(e)) = from_term.recv() {
                eprintln!("error: {}", e);
            }
            let _ = reader.join();
            return crate::diagnostics::exit::USAGE;
        }
    }
    println!(
        "tinyasync {} — :help for commands, help() for the builtins, Ctrl-D to exit",
        env!("CARGO_PKG_VERSION")
    );
    let mut status = crate::diagnostics::exit::OK;
    if let Some(src) = startup {
        let feed = repl.run_program(src);
        show(&state, feed);
    }
    let mut prompt_shown = false;
    loop {
        let sig = crate::limits::stop_signal();
        if sig == crate::limits::SIGTERM {
            // Quietly, as a shell would be: the history is saved line by line.
            let _ = std::io::stdout().flush();
            restore_terminal(&terminal);
            std::process::exit(128 + crate::limits::SIGTERM as i32);
        }
        if sig != 0 && repl.interp.sched.foreground.is_none() {
            // A Ctrl-C typed between two inputs, when no input runs: nothing to interrupt.
            crate::limits::STOP_SIGNAL.store(0, std::sync::atomic::Ordering::Relaxed);
        }
        if !prompt_shown {
            if !state.at_line_start.get() {
                // Output that ended mid-line stays visible: the prompt starts a line of its own.
                println!();
                state.at_line_start.set(true);
            }
            more.store(repl.needs_more(), Ordering::SeqCst);
            let prompt = if repl.needs_more() { "... " } else { ">>> " };
            if to_term.send(ToTerm::Prompt(prompt)).is_err() {
                break;
            }
            state.prompt_shown.set(true);
            prompt_shown = true;
        }
        // Wait for input until something is due in the background, looking at signals often.
        let slice = Duration::from_millis(50);
        let wait = repl.next_due().map_or(slice, |d| Duration::from_secs_f64(d.clamp(0.0, 0.05)));
        match from_term.recv_timeout(wait) {
            Ok(FromTerm::Line(line, pasted)) => {
                state.prompt_shown.set(false);
                prompt_shown = false;
                let mut exit = None;
                for feed in repl.feed_pasted(&line, pasted) {
                    exit = exit.or(feed.exit);
                    show(&state, feed);
                    if exit.is_some() {
                        break;
                    }
                }
                if let Some(code) = exit {
                    status = code;
                    break;
                }
            }
            Ok(FromTerm::Interrupted) => {
                state.prompt_shown.set(false);
                prompt_shown = false;
                repl.clear_input();
                println!("KeyboardInterrupt");
            }
            Ok(FromTerm::Eof) => {
                state.prompt_shown.set(false);
                prompt_shown = false;
                if repl.needs_more() {
                    repl.clear_input();
                    continue;
                }
                break;
            }
            Ok(FromTerm::Complete(word, reply)) => {
                let _ = reply.send(repl.completions(&word));
            }
            Ok(FromTerm::Failed(e)) => {
                state.prompt_shown.set(false);
                eprintln!("error: {}", e);
                break;
            }
            Err(RecvTimeoutError::Timeout) => {
                if repl.next_due().is_some_and(|d| d <= 0.0) {
                    let feed = repl.run_background();
                    show(&state, feed);
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    state.prompt_shown.set(false);
    let _ = to_term.send(ToTerm::Quit);
    drop(to_term);
    let _ = reader.join();
    let _ = repl.interp.flush();
    status
}

/// Prints what an input or a background pass produced.
fn show(state: &TermState, feed: Feed) {
    state.above_prompt(feed.stdout, false);
    state.above_prompt(feed.stderr, true);
}
