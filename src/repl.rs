//! The REPL: an interactive prompt that lives on the scheduler.
//!
//! `Repl` is the engine, fed one line at a time by either front end: a rustyline editor when
//! stdin is a terminal (prompts, history, completion, highlighting), or plain line reading when
//! it is not (no prompts, no colours, so it can be tested with a pipe). Whether input is
//! complete is decided by the parser: an "unexpected end of input" error asks for another line,
//! and a compound statement ends with a blank line, as in Python. Each input runs as a new
//! `main` task; then the scheduler runs until every task is finished or blocked.

use crate::diagnostics::{self, Style};
use crate::driver::{Source, Sources};
use crate::interp::{Fault, Interp, Options, Output};
use std::io::Write;

pub const HELP: &str = "\
commands:
  :tasks          list unfinished tasks: state, what they wait on, line
  :step [N]       run N scheduler steps (default 1) and say what ran and where it stopped
  :time           show the scheduler clock
  :trace on|off   log scheduler events to stderr (like `run --trace`)
  :reset          start afresh: forget variables, functions, tasks
  :help           this list
Ctrl-C clears the line or interrupts running code; Ctrl-D on an empty line exits.
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
}

pub struct Repl {
    pub interp: Interp,
    pub sources: Sources,
    /// Every executed input, end to end: spans of all code point into it.
    text: String,
    pending: String,
    /// The pending input starts a compound statement: it ends with a blank line.
    in_block: bool,
    style: Style,
    opts: Options,
    count: usize,
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
    pub fn new(opts: Options, out: Output, style: Style) -> Repl {
        let mut interp = Interp::new(opts.clone(), out);
        interp.file_name = "<stdin>".into();
        interp.sched.interactive = true;
        Repl {
            interp,
            sources: Sources::default(),
            text: String::new(),
            pending: String::new(),
            in_block: false,
            style,
            opts,
            count: 0,
        }
    }

    /// Whether the current input is incomplete.
    pub fn needs_more(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Drops the incomplete input (Ctrl-C at the prompt).
    pub fn clear_input(&mut self) {
        self.pending.clear();
        self.in_block = false;
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
            // A syntax error that is not about the end of input is reported at once.
            if let Err(e) = crate::parser::parse_typed_so_far(&self.pending, 0) {
                if !e.eof && !e.msg.starts_with("expected an indented block") {
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
            ..Default::default()
        }
    }

    fn execute(&mut self) -> Feed {
        let input = std::mem::take(&mut self.pending);
        self.in_block = false;
        self.count += 1;
        let base = self.text.len();
        self.interp.input_starts.push(base);
        self.text.push_str(&input);
        self.sources.items.push((base, Source { name: "<stdin>".into(), text: input }));
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
            Feed { stderr: sources.render(style, &title, labels, e.help.as_deref()), ..Default::default() }
        };
        let module = match crate::parser::parse_typed_so_far(&self.text, base) {
            Ok(m) => m,
            Err(e) => return syntax(&self.sources, e),
        };
        let res = match crate::resolver::resolve(&module) {
            Ok(r) => r,
            Err(e) => return syntax(&self.sources, e),
        };
        let code = match crate::compile::compile_module_with(&module, &res, true) {
            Ok(c) => c,
            Err(e) => return syntax(&self.sources, e),
        };
        let r = self.interp.run_input(code);
        let _ = self.interp.flush();
        let mut feed = Feed::default();
        match r {
            Ok(true) => {}
            Ok(false) => {
                // The input's own task is blocked and nothing can wake it now.
                let blocked = self.interp.blocked_tasks();
                feed.stderr = crate::driver::render_deadlock(&self.sources, self.style, &blocked);
                feed.stderr.push_str("(the session goes on; the blocked tasks stay blocked)\n");
            }
            Err(e) => {
                let interrupted = matches!(e, Fault::Interrupted(_));
                let report = crate::driver::report(&mut self.interp, &self.sources, self.style, Err(e));
                feed.stderr = report.stderr;
                if interrupted {
                    crate::limits::STOP_SIGNAL.store(0, std::sync::atomic::Ordering::Relaxed);
                    self.interp.drop_interrupted_tasks();
                }
                self.interp.sched.current = None;
            }
        }
        feed.stderr.push_str(&crate::driver::never_used_warnings(&self.sources));
        feed
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
                let table = self.interp.task_table();
                if table.is_empty() {
                    out.push_str("no unfinished tasks\n");
                }
                for (name, state, span) in table {
                    out.push_str(&format!(
                        "{:<16} {:<40} line {}\n",
                        name,
                        state,
                        self.sources.line_of(span)
                    ));
                }
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
                    self.interp.last_step = None;
                    self.interp.sched.step_budget = Some(1);
                    let r = self.interp.run_scheduler();
                    self.interp.sched.step_budget = None;
                    let _ = self.interp.flush();
                    if let Err(e) = r {
                        let interrupted = matches!(e, Fault::Interrupted(_));
                        err.push_str(
                            &crate::driver::report(&mut self.interp, &self.sources, self.style, Err(e))
                                .stderr,
                        );
                        if interrupted {
                            crate::limits::STOP_SIGNAL.store(0, std::sync::atomic::Ordering::Relaxed);
                            self.interp.drop_interrupted_tasks();
                        }
                        self.interp.sched.current = None;
                        break;
                    }
                    match self.interp.last_step.take() {
                        Some((name, t)) => {
                            let (state, span) = self.interp.task_position(&t);
                            out.push_str(&format!(
                                "ran task '{}': {} (line {})\n",
                                name,
                                state,
                                self.sources.line_of(span)
                            ));
                        }
                        None => {
                            out.push_str("nothing to run: every task is finished or blocked\n");
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
            "trace" => match arg {
                Some("on") => {
                    self.interp.opts.trace = true;
                    self.opts.trace = true;
                    out.push_str("trace on\n");
                }
                Some("off") => {
                    self.interp.opts.trace = false;
                    self.opts.trace = false;
                    out.push_str("trace off\n");
                }
                _ => err.push_str("error: :trace on or :trace off\n"),
            },
            "reset" => {
                let out_sink = std::mem::replace(&mut self.interp.out, Output::Capture(Vec::new()));
                self.interp = Interp::new(self.opts.clone(), out_sink);
                self.interp.file_name = "<stdin>".into();
                self.interp.sched.interactive = true;
                self.sources = Sources::default();
                self.text.clear();
                out.push_str("reset: a fresh session\n");
            }
            _ => err.push_str(&format!("error: unknown command ':{}'; :help lists the commands\n", name)),
        }
        Feed { stdout: out, stderr: err, more: false }
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
                for name in attribute_names(&self.interp, &v) {
                    if name.starts_with(attr) {
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

/// Attribute names of a value, for completion after a `.`.
fn attribute_names(it: &Interp, v: &crate::value::Value) -> Vec<String> {
    use crate::value::Value;
    let mut names = Vec::new();
    let class_names = |c: &std::rc::Rc<crate::value::Class>, names: &mut Vec<String>| {
        let mut k = Some(c.clone());
        while let Some(cls) = k {
            names.extend(cls.dict.borrow().keys().map(|s| s.as_str().to_string()));
            k = cls.base.clone();
        }
    };
    match v {
        Value::Instance(i) => {
            names.extend(i.attrs.borrow().keys().map(|s| s.as_str().to_string()));
            class_names(&i.class, &mut names);
        }
        Value::Class(c) => class_names(c, &mut names),
        Value::Module(m) => names.extend(m.attrs.borrow().keys().map(|s| s.as_str().to_string())),
        _ => {
            // Built-in values: every well-known name that is one of their methods.
            for (i, _) in crate::names::PREDEFINED.iter().enumerate() {
                let s = crate::span::Symbol(i as u32);
                if crate::builtins::methods::native_method(v, s).is_some() {
                    names.push(s.as_str().to_string());
                }
            }
        }
    }
    let _ = it;
    names.retain(|n| !n.starts_with("__"));
    names
}

/// The non-terminal front end: reads lines from `input`, prints no prompts and no colours.
pub fn run_piped(input: impl std::io::BufRead, style: Style) -> i32 {
    let out = Output::Stdout(std::io::BufWriter::new(std::io::stdout()));
    let mut repl = Repl::new(Options::default(), out, style);
    let mut lines = input.lines();
    loop {
        let feed = match lines.next() {
            Some(Ok(line)) => repl.feed(&line),
            Some(Err(_)) | None => {
                let f = repl.finish();
                emit(&mut repl, f);
                break;
            }
        };
        emit(&mut repl, feed);
    }
    let _ = repl.interp.flush();
    0
}

fn emit(repl: &mut Repl, feed: Feed) {
    let _ = repl.interp.flush();
    if !feed.stdout.is_empty() {
        let _ = repl.interp.write_out(&feed.stdout);
        let _ = repl.interp.flush();
    }
    if !feed.stderr.is_empty() {
        eprint!("{}", feed.stderr);
        let _ = std::io::stderr().flush();
    }
}
