//! The REPL: an interactive prompt that lives beside the scheduler.
//!
//! `Repl` is the engine, fed one line at a time by either front end: `term` (a rustyline editor
//! on its own thread when stdin is a terminal: prompts, history, completion, highlighting, and
//! tasks running in the background while the prompt waits) or `run_piped` (plain line reading,
//! no prompts, no colours, so it can be tested with a pipe). Whether input is complete is decided
//! by the parser: an "unexpected end of input" error asks for another line, and a compound
//! statement ends with a blank line, as in Python. Each input runs as a new task named
//! `input#N`: until it finishes (the terminal, real clock: other tasks go on in the background
//! afterwards) or until nothing can run (piped input and `--virtual-time`, where the clock moves
//! only while an input runs).

pub mod help;
pub mod term;

use crate::diagnostics::{self, Style};
use crate::driver::{Source, Sources};
use crate::interp::{Fault, Interp, Options, Output};
use crate::scheduler::RunUntil;
use std::io::Write;

pub const HELP: &str = "\
commands:
  :tasks          list tasks (what each waits for, where), timers, callbacks, recent ends
  :step [N]       run N scheduler steps (default 1) and say what ran and what it waits for
  :time           show the scheduler clock
  :trace on|off   log scheduler events to stderr (like `run --trace`)
  :timeline       chart what every task did since the last :timeline (like `run --timeline`)
  :reset          start afresh: forget variables, functions, tasks
  :help           this list
Ctrl-C clears the line, or cancels the running input (twice within a second: stops it at
once); Ctrl-D on an empty line exits. help() explains the builtins.
";

/// What feeding a line produced.
#[derive(Debug, Default)]
pub struct Feed {
    /// The input is incomplete: show the continuation prompt.
    pub more: bool,
    /// Text for stderr (diagnostics, reports), already rendered.
    pub stderr: String,
    /// Text the REPL itself prints on stdout (command output).
    pub stdout: String,
    /// The input failed (a syntax error, an uncaught exception, a deadlock, a limit).
    pub failed: bool,
    /// The input raised `SystemExit`: leave with this status.
    pub exit: Option<i32>,
}

pub struct Repl {
    pub interp: Interp,
    pub sources: Sources,
    /// Every executed input, end to end: spans of all code point into it.
    text: String,
    pending: String,
    /// The pending input starts a compound statement: it ends with a blank line.
    in_block: bool,
    /// Blank lines of a paste inside a block, held until the next pasted line shows whether
    /// the block goes on.
    held_blanks: usize,
    style: Style,
    opts: Options,
    /// Inputs run so far (tasks are named `input#N`).
    count: usize,
    /// How far an input runs: `Foreground` (until its task ends) or `Idle` (until nothing runs).
    until: RunUntil,
}

const COMPOUND: &[&str] = &["if", "while", "for", "try", "with", "def", "class", "async", "@"];

fn starts_compound(line: &str) -> bool {
    let t = line.trim_start();
    COMPOUND.iter().any(|k| {
        t.starts_with(k)
            && (k == &"@" || t[k.len()..].chars().next().is_none_or(|c| !(c.is_alphanumeric() || c == '_')))
    })
}

impl Repl {
    /// A session whose inputs run until nothing can run (piped input, tests).
    pub fn new(opts: Options, out: Output, style: Style) -> Repl {
        Repl::with_mode(opts, out, style, RunUntil::Idle)
    }

    /// A session whose inputs run as far as `until` says.
    pub fn with_mode(opts: Options, out: Output, style: Style, until: RunUntil) -> Repl {
        Repl {
            interp: Repl::new_interp(&opts, out),
            sources: Sources::default(),
            text: String::new(),
            pending: String::new(),
            in_block: false,
            held_blanks: 0,
            style,
            opts,
            count: 0,
            until,
        }
    }

    fn new_interp(opts: &Options, out: Output) -> Interp {
        let mut opts = opts.clone();
        // The REPL always records, for `:timeline`.
        opts.timeline = true;
        let mut interp = Interp::new(opts, out);
        interp.sched.interactive = true;
        help::install(&mut interp);
        interp.sched.timeline = Some(Default::default());
        interp
    }

    /// Whether the current input is incomplete.
    pub fn needs_more(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Drops the incomplete input (Ctrl-C at the prompt).
    pub fn clear_input(&mut self) {
        self.pending.clear();
        self.in_block = false;
        self.held_blanks = 0;
    }

    /// Feeds a line that may come from a bracketed paste. In a paste, a blank line inside a
    /// block waits for the next line: an indented line (or `else`, `except`, ...) continues the
    /// block, as in the pasted source; a line at the margin ends it and starts a new input. So a
    /// pasted class with blank lines between its methods runs as the source says.
    pub fn feed_pasted(&mut self, line: &str, pasted: bool) -> Vec<Feed> {
        if !pasted || !self.in_block {
            self.held_blanks = 0;
            return vec![self.feed(line)];
        }
        if line.trim().is_empty() {
            self.held_blanks += 1;
            return vec![Feed { more: true, ..Default::default() }];
        }
        let inside_brackets = matches!(crate::lexer::lex(&self.pending), Err(e) if e.eof);
        let first = line.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("");
        let continues = line.starts_with([' ', '\t'])
            || inside_brackets
            || ["else", "elif", "except", "finally"].contains(&first);
        if continues {
            for _ in 0..std::mem::take(&mut self.held_blanks) {
                self.pending.push('\n');
            }
            return vec![self.feed(line)];
        }
        self.held_blanks = 0;
        let ended = self.feed("");
        vec![ended, self.feed(line)]
    }

    /// Feeds one line of input (without its newline).
    pub fn feed(&mut self, line: &str) -> Feed {
        if self.pending.is_empty() {
            let t = line.trim();
            if t.is_empty() {
                return Feed::default();
            }
            if let Some(cmd) = t.strip_prefix(':') {
                return self.command(cmd);
            }
            self.in_block = starts_compound(line);
        }
        self.pending.push_str(line);
        self.pending.push('\n');
        if self.in_block {
            if line.trim().is_empty() {
                // Not inside an open bracket or a triple-quoted string, where a blank line is
                // part of the input (as in Python).
                if matches!(crate::lexer::lex(&self.pending), Err(e) if e.eof) {
                    return Feed { more: true, ..Default::default() };
                }
                return self.execute();
            }
            // A syntax error that is not about the end of input is reported at once; so is a
            // missing indented block when a line after the header is there to see.
            if let Err(e) = crate::parser::parse_typed_so_far(&self.pending, 0) {
                let at_end = self.pending.get(e.span.start as usize..).is_none_or(|t| t.trim().is_empty());
                let body_may_follow = e.msg.starts_with("expected an indented block") && at_end;
                if !(e.eof || body_may_follow) {
                    return self.syntax_error_now(e);
                }
            }
            return Feed { more: true, ..Default::default() };
        }
        match crate::parser::parse_typed_so_far(&self.pending, 0) {
            Err(e) if e.eof => Feed { more: true, ..Default::default() },
            _ => self.execute(),
        }
    }

    /// At the end of piped input: runs what is pending.
    pub fn finish(&mut self) -> Feed {
        if self.pending.trim().is_empty() {
            self.pending.clear();
            return Feed::default();
        }
        self.execute()
    }

    fn syntax_error_now(&mut self, e: crate::error::SyntaxError) -> Feed {
        let src = Source { name: "<stdin>".into(), text: std::mem::take(&mut self.pending) };
        self.in_block = false;
        Feed {
            stderr: diagnostics::render_syntax(self.style, &src.name, &src.text, &e),
            failed: true,
            ..Default::default()
        }
    }

    fn execute(&mut self) -> Feed {
        let input = std::mem::take(&mut self.pending);
        self.in_block = false;
        self.run_source(Source { name: "<stdin>".into(), text: input })
    }

    /// Runs a whole program in the session, as `tinyasync -i FILE` does before the prompt.
    pub fn run_program(&mut self, src: &Source) -> Feed {
        let mut text = src.text.clone();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        self.run_source(Source { name: src.name.clone(), text })
    }

    fn run_source(&mut self, src: Source) -> Feed {
        self.count += 1;
        let base = self.text.len();
        self.interp.sched.input_starts.push(base);
        self.text.push_str(&src.text);
        self.sources.items.push((base, src));
        self.interp.source_text = Some(self.text.as_str().into());
        let style = self.style;
        let syntax = |sources: &Sources, e: crate::error::SyntaxError| {
            let title = format!("{}: {}", e.kind, e.msg);
            let mut labels = vec![diagnostics::Label {
                span: e.span,
                text: Some(e.label.clone().unwrap_or_else(|| "here".into())),
                primary: true,
            }];
            if let Some((sp, t)) = &e.secondary {
                labels.push(diagnostics::Label { span: *sp, text: Some(t.clone()), primary: false });
            }
            Feed {
                stderr: sources.render(style, &title, labels, e.help.as_deref()),
                failed: true,
                ..Default::default()
            }
        };
        let module = match crate::parser::parse_typed_so_far(&self.text, base) {
            Ok(m) => m,
            Err(e) => return syntax(&self.sources, e),
        };
        let res = match crate::resolver::resolve(&module) {
            Ok(r) => r,
            Err(e) => return syntax(&self.sources, e),
        };
        let code = match crate::vm::compile::compile_module_with(&module, &res, true) {
            Ok(c) => c,
            Err(e) => return syntax(&self.sources, e),
        };
        let name = format!("input#{}", self.count);
        let r = self.interp.run_input(code, name, self.until);
        let _ = self.interp.flush();
        let mut feed = Feed::default();
        match r {
            Ok(task) if task.state.get() == crate::scheduler::TaskState::Done => {
                if task.end_kind() == Some(crate::scheduler::EndKind::Cancelled) {
                    // Cancelled by Ctrl-C (or by the program itself): Python's word for it.
                    feed.stderr = "KeyboardInterrupt\n".into();
                    feed.failed = true;
                }
            }
            Ok(_) => {
                // The input's own task is blocked and nothing can wake it now.
                let blocked = self.interp.blocked_tasks();
                feed.stderr = crate::driver::render_deadlock(&self.sources, self.style, &blocked, false);
                feed.stderr.push_str("(the session goes on; the blocked tasks stay blocked)\n");
                feed.failed = true;
            }
            Err(e) => feed = self.fault(e),
        }
        feed.stderr.push_str(&self.announcements());
        feed.stderr.push_str(&crate::driver::never_used_warnings(&self.sources));
        feed
    }

    /// Reports a fault that stopped the scheduler; the session goes on (or leaves, for
    /// `SystemExit`).
    fn fault(&mut self, e: Fault) -> Feed {
        let mut feed = Feed { failed: true, ..Default::default() };
        if let Fault::Exc(x) = &e {
            if let Some((status, text)) = crate::driver::system_exit(&mut self.interp, &x.value) {
                feed.exit = Some(status);
                feed.stderr = text;
                feed.failed = status != 0;
                return feed;
            }
        }
        let interrupted = matches!(e, Fault::Interrupted(_));
        self.sources.add_preludes(&self.interp);
        feed.stderr = crate::driver::report(&mut self.interp, &self.sources, self.style, Err(e)).stderr;
        if interrupted {
            crate::limits::STOP_SIGNAL.store(0, std::sync::atomic::Ordering::Relaxed);
            self.interp.drop_interrupted_tasks();
        }
        self.interp.sched.current = None;
        feed
    }

    /// Runs what is due now (timers, ready tasks and callbacks) without waiting: the terminal
    /// front end calls it while the prompt waits. Output goes where the interpreter's output
    /// goes; the returned text is for stderr: failures and announcements.
    pub fn run_background(&mut self) -> Feed {
        let before = self.interp.sched.entries_run;
        let r = self.interp.run_until(RunUntil::NothingDue);
        let _ = self.interp.flush();
        let mut feed = match r {
            Ok(()) => Feed::default(),
            Err(e) => self.fault(e),
        };
        feed.stderr.push_str(&self.announcements());
        if self.interp.sched.entries_run != before && self.interp.all_blocked() {
            let n = self.interp.blocked_tasks().len();
            let what = if n == 1 { "1 task waits".to_string() } else { format!("{} tasks wait", n) };
            feed.stderr.push_str(&format!(
                "[{} and nothing scheduled can wake them: :tasks shows what they wait for]\n",
                what
            ));
        }
        feed.stderr.push_str(&crate::driver::never_used_warnings(&self.sources));
        feed
    }

    /// Seconds until something is due in the background, or None when nothing is scheduled.
    pub fn next_due(&self) -> Option<f64> {
        if self.opts.virtual_time {
            // The virtual clock moves only while an input runs.
            return None;
        }
        self.interp.next_due()
    }

    /// One line for each task that failed with nobody to retrieve its exception yet.
    fn announcements(&mut self) -> String {
        let mut out = String::new();
        for t in std::mem::take(&mut self.interp.sched.announce) {
            if t.retrieved.get() {
                continue;
            }
            let Some(value) = t.failed_value() else { continue };
            let ty = self.interp.type_name(&value);
            let msg = self.interp.to_str(&value).unwrap_or_default();
            let what = if msg.is_empty() { ty } else { format!("{}: {}", ty, msg) };
            out.push_str(&format!("[task '{}' failed: {} — await it for the traceback]\n", t.name(), what));
        }
        out
    }

    fn command(&mut self, cmd: &str) -> Feed {
        let mut words = cmd.split_whitespace();
        let name = words.next().unwrap_or("");
        let arg = words.next();
        let mut out = String::new();
        let mut err = String::new();
        match name {
            "help" => out.push_str(HELP),
            "tasks" => {
                let rows = self.interp.task_table();
                if rows.iter().all(|r| r.section == "ended") {
                    out.push_str("no unfinished tasks\n");
                }
                out.push_str(&crate::driver::render_task_rows(&rows, &self.sources, usize::MAX));
            }
            "step" => {
                let n = match arg.map(str::parse::<usize>) {
                    None => 1,
                    Some(Ok(n)) if n > 0 => n,
                    _ => {
                        return Feed {
                            stderr: "error: :step takes a positive number of steps\n".into(),
                            ..Default::default()
                        }
                    }
                };
                for _ in 0..n {
                    self.interp.sched.last_step = None;
                    self.interp.sched.step_budget = Some(1);
                    let r = self.interp.run_scheduler();
                    self.interp.sched.step_budget = None;
                    let _ = self.interp.flush();
                    if let Err(e) = r {
                        err.push_str(&self.fault(e).stderr);
                        break;
                    }
                    match self.interp.sched.last_step.take() {
                        Some((name, t)) => {
                            let (state, span) = self.interp.task_position(&t);
                            out.push_str(&format!(
                                "ran task '{}' to line {}: {}\n",
                                name,
                                self.sources.line_of(span),
                                state
                            ));
                        }
                        None => {
                            out.push_str(&self.interp.next_wake());
                            out.push('\n');
                            break;
                        }
                    }
                }
            }
            "time" => out.push_str(&format!(
                "clock: {:.3} s ({})\n",
                self.interp.now(),
                if self.interp.opts.virtual_time { "virtual" } else { "real" }
            )),
            "timeline" => {
                let since = self.interp.sched.timeline.replace(Default::default());
                match since.filter(|t| !t.is_empty()) {
                    Some(t) => {
                        out.push_str(&t.draw(self.interp.now_ns(), self.style.width, self.style.color))
                    }
                    None => out.push_str("nothing has run since the last :timeline\n"),
                }
            }
            "trace" => match arg {
                Some("on") => {
                    self.interp.opts.trace = true;
                    self.interp.opts.observe = true;
                    self.opts.trace = true;
                    out.push_str("trace on\n");
                }
                Some("off") => {
                    self.interp.opts.trace = false;
                    self.interp.opts.observe = self.interp.opts.timeline;
                    self.opts.trace = false;
                    out.push_str("trace off\n");
                }
                _ => err.push_str("error: :trace on or :trace off\n"),
            },
            "reset" => {
                let out_sink = std::mem::replace(&mut self.interp.out, Output::Capture(Vec::new()));
                self.interp = Repl::new_interp(&self.opts, out_sink);
                self.sources = Sources::default();
                self.text.clear();
                out.push_str("reset: a fresh session\n");
            }
            _ => err.push_str(&format!("error: unknown command ':{}'; :help lists the commands\n", name)),
        }
        Feed { stdout: out, stderr: err, ..Default::default() }
    }

    /// Names for completion: globals, builtins, keywords and, after `name.`, its attributes.
    pub fn completions(&self, prefix: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(cmd) = prefix.strip_prefix(':') {
            for c in ["tasks", "step", "time", "trace", "reset", "help"] {
                if c.starts_with(cmd) {
                    out.push(format!(":{}", c));
                }
            }
            return out;
        }
        if let Some((obj, attr)) = prefix.rsplit_once('.') {
            let sym = crate::span::Symbol::lookup(obj);
            let value = sym.and_then(|s| {
                self.interp
                    .globals
                    .borrow()
                    .get(&s)
                    .cloned()
                    .or_else(|| self.interp.builtins.get(&s).cloned())
            });
            if let Some(v) = value {
                for name in crate::builtins::attribute_names(&v) {
                    if name.starts_with(attr) && !name.starts_with("__") {
                        out.push(format!("{}.{}", obj, name));
                    }
                }
            }
            out.sort();
            out.dedup();
            return out;
        }
        let mut names: Vec<String> =
            self.interp.globals.borrow().keys().map(|k| k.as_str().to_string()).collect();
        names.extend(self.interp.builtins.keys().map(|k| k.as_str().to_string()));
        names.extend(KEYWORDS.iter().map(|k| k.to_string()));
        for n in names {
            if n.starts_with(prefix) && !n.starts_with("__") {
                out.push(n);
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
    "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
    "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// The non-terminal front end: reads lines from `input`, prints no prompts and no colours.
/// Returns the exit status: 1 when any input failed, as a script run this way would.
pub fn run_piped(input: impl std::io::BufRead, opts: Options, style: Style) -> i32 {
    run_piped_with(input, opts, None, style)
}

/// As `run_piped`, running `startup` (a program) first, as `tinyasync -i FILE` does.
pub fn run_piped_with(
    input: impl std::io::BufRead,
    opts: Options,
    startup: Option<&Source>,
    style: Style,
) -> i32 {
    let out = Output::Stdout(std::io::BufWriter::new(std::io::stdout()));
    let mut repl = Repl::new(opts, out, style);
    let mut failed = false;
    if let Some(src) = startup {
        let feed = repl.run_program(src);
        failed |= feed.failed;
        if let Some(status) = emit(&mut repl, feed) {
            return status;
        }
    }
    let mut lines = input.lines();
    loop {
        let feed = match lines.next() {
            Some(Ok(line)) => repl.feed(&line),
            Some(Err(_)) | None => {
                let f = repl.finish();
                failed |= f.failed;
                if let Some(status) = emit(&mut repl, f) {
                    return status;
                }
                break;
            }
        };
        failed |= feed.failed;
        if let Some(status) = emit(&mut repl, feed) {
            return status;
        }
    }
    let _ = repl.interp.flush();
    if failed {
        crate::diagnostics::exit::RUNTIME_ERROR
    } else {
        crate::diagnostics::exit::OK
    }
}

/// Writes what an input produced; `Some(status)` when it asked to leave.
fn emit(repl: &mut Repl, feed: Feed) -> Option<i32> {
    let _ = repl.interp.flush();
    if !feed.stdout.is_empty() {
        let _ = repl.interp.write_out(&feed.stdout);
        let _ = repl.interp.flush();
    }
    if !feed.stderr.is_empty() {
        eprint!("{}", feed.stderr);
        let _ = std::io::stderr().flush();
    }
    feed.exit
}
