//! Driver: runs the phases in order for the CLI, the REPL and the tests, and turns each
//! failure into a rendered diagnostic plus an exit status.

use crate::diagnostics::{self, exit, Style};
use crate::line_index::LineIndex;
use crate::span::Span;
use crate::{ast, ast_print, parser, resolver};

/// A source file: its display name and its text.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
}

/// The sources of a session: one for `run`; one per input in the REPL, laid end to end in one
/// text (each input's spans are offsets into that text), so code from any input can be shown.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// (offset of the input in the whole text, the input).
    pub items: Vec<(usize, Source)>,
    /// The line index of each input, built on first use: a traceback asks for one line per
    /// frame, and counting newlines from the start each time made deep ones quadratic.
    lines: std::cell::RefCell<Vec<Option<LinesOf>>>,
}

/// An input's line index, with the address and length of the text it was built from (an input
/// is never changed in place; a replaced one is detected and indexed again).
#[derive(Clone, Debug)]
struct LinesOf {
    text: (usize, usize),
    index: std::rc::Rc<LineIndex>,
}

impl Sources {
    pub fn single(src: &Source) -> Sources {
        Sources { items: vec![(0, src.clone())], lines: Default::default() }
    }
    /// The line index of input `idx`.
    fn lines(&self, idx: usize) -> Option<std::rc::Rc<LineIndex>> {
        let text = &self.items.get(idx)?.1.text;
        let key = (text.as_ptr() as usize, text.len());
        let mut lines = self.lines.borrow_mut();
        if lines.len() <= idx {
            lines.resize(idx + 1, None);
        }
        match &lines[idx] {
            Some(l) if l.text == key => Some(l.index.clone()),
            _ => {
                let index = std::rc::Rc::new(LineIndex::new(text));
                lines[idx] = Some(LinesOf { text: key, index: index.clone() });
                Some(index)
            }
        }
    }
    /// The input holding `span`, and the span relative to it.
    pub fn locate(&self, span: Span) -> Option<(&Source, Span)> {
        let i = self.items.partition_point(|(base, _)| *base <= span.start as usize);
        let (base, src) = self.items.get(i.checked_sub(1)?)?;
        let rel = |x: u32| (x as usize).saturating_sub(*base).min(src.text.len());
        Some((src, Span::new(rel(span.start), rel(span.end))))
    }
    /// The preludes the program loaded (tinyasync code of the built-in modules), so that
    /// tracebacks through them show their code.
    pub fn add_preludes(&mut self, interp: &crate::interp::Interp) {
        use crate::builtins::prelude;
        for (i, (module, text)) in prelude::PRELUDES.iter().enumerate() {
            let base = prelude::BASE + i * prelude::SPAN_ROOM;
            let loaded = interp.modules.contains_key(&crate::span::Symbol::intern(module));
            if loaded && !self.items.iter().any(|(b, _)| *b == base) {
                let src = Source { name: format!("<tinyasync {}>", module), text: text.to_string() };
                // Kept in order of their bases (`locate` searches them so).
                let at = self.items.partition_point(|(b, _)| *b < base);
                self.items.insert(at, (base, src));
            }
        }
    }

    /// The 1-based line of `span` in its input.
    pub fn line_of(&self, span: Span) -> usize {
        let idx = self.items.partition_point(|(base, _)| *base <= span.start as usize);
        match (self.locate(span), idx.checked_sub(1).and_then(|i| self.lines(i))) {
            (Some((_, rel)), Some(lines)) => lines.line(rel.start as usize),
            _ => 0,
        }
    }
    pub fn name_of(&self, span: Span) -> String {
        self.locate(span).map(|(s, _)| s.name.clone()).unwrap_or_default()
    }
    /// Renders a diagnostic whose labels may lie in different inputs: one drawing per input.
    pub fn render(
        &self,
        style: Style,
        title: &str,
        labels: Vec<diagnostics::Label>,
        help: Option<&str>,
    ) -> String {
        let mut groups: Vec<(usize, Vec<diagnostics::Label>)> = Vec::new();
        for l in labels {
            let idx =
                self.items.partition_point(|(base, _)| *base <= l.span.start as usize).saturating_sub(1);
            let Some((src, rel)) = self.locate(l.span) else { continue };
            let _ = src;
            let label = diagnostics::Label { span: rel, text: l.text, primary: l.primary };
            match groups.iter_mut().find(|(i, _)| *i == idx) {
                Some((_, g)) => g.push(label),
                None => groups.push((idx, vec![label])),
            }
        }
        if groups.is_empty() {
            return format!("error: {}\n", title);
        }
        let n = groups.len();
        let mut out = String::new();
        for (k, (idx, labels)) in groups.into_iter().enumerate() {
            let src = &self.items[idx].1;
            let help = if k + 1 == n { help } else { None };
            out.push_str(&diagnostics::render(style, &src.name, &src.text, title, labels, help));
        }
        out
    }
}

/// What a failed phase hands back: the rendered diagnostic and the exit status.
#[derive(Debug)]
pub struct Failure {
    pub rendered: String,
    pub status: i32,
}

/// Reads a program file. Missing files, directories and invalid UTF-8 are usage errors (exit 2)
/// with a one-line message naming the file.
pub fn read_source(path: &std::path::Path) -> Result<Source, Failure> {
    let name = path.display().to_string();
    let fail = |why: String| Failure {
        rendered: diagnostics::render_simple(&format!("cannot read '{}': {}", name, why)),
        status: exit::USAGE,
    };
    if path.is_dir() {
        return Err(fail("it is a directory".into()));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        fail(match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".into(),
            std::io::ErrorKind::PermissionDenied => "permission denied".into(),
            _ => e.to_string(),
        })
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source { name, text }),
        Err(e) => {
            let off = e.utf8_error().valid_up_to();
            Err(fail(format!("it is not valid UTF-8 (invalid byte at offset {})", off)))
        }
    }
}

/// Reads a whole program from stdin (`tinyasync -`, `tinyasync < prog.ta`); its name in
/// diagnostics is `<stdin>`, as in CPython.
pub fn read_stdin() -> Result<Source, Failure> {
    use std::io::Read;
    let name = "<stdin>".to_string();
    let fail = |why: String| Failure {
        rendered: diagnostics::render_simple(&format!("cannot read the program from stdin: {}", why)),
        status: exit::USAGE,
    };
    let mut bytes = Vec::new();
    std::io::stdin().lock().read_to_end(&mut bytes).map_err(|e| fail(e.to_string()))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source { name, text }),
        Err(e) => {
            let off = e.utf8_error().valid_up_to();
            Err(fail(format!("it is not valid UTF-8 (invalid byte at offset {})", off)))
        }
    }
}

/// Parses and runs the static checks.
pub fn check(src: &Source, style: Style) -> Result<(ast::Module, resolver::Resolution), Failure> {
    let syntax = |e: crate::error::SyntaxError| Failure {
        rendered: diagnostics::render_syntax(style, &src.name, &src.text, &e),
        status: exit::USAGE,
    };
    let module = parser::parse_program(&src.text).map_err(syntax)?;
    let res = resolver::resolve(&module).map_err(syntax)?;
    Ok((module, res))
}

/// `tinyasync parse`: the AST as indented text.
pub fn parse_to_text(src: &Source, style: Style) -> Result<String, Failure> {
    let (module, _) = check(src, style)?;
    Ok(ast_print::print_module(&module, &src.text))
}

/// `tinyasync dis`: the VM's instructions for every function, with lines and suspension points.
pub fn dis_to_text(src: &Source, style: Style) -> Result<String, Failure> {
    let (module, res) = check(src, style)?;
    let code = crate::vm::compile::compile_module(&module, &res).map_err(|e| Failure {
        rendered: diagnostics::render_syntax(style, &src.name, &src.text, &e),
        status: exit::USAGE,
    })?;
    Ok(crate::vm::dis::disassemble(&code, &src.text))
}

/// Runs `f` on a thread with a large stack, so depth limits (not the OS) stop deep recursion.
/// If no such thread can be made, `f` runs on the current thread.
pub fn with_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    const STACK: usize = 1 << 30;
    let cell = std::sync::Arc::new(std::sync::Mutex::new(Some(f)));
    let inner = cell.clone();
    let spawned = std::thread::Builder::new().name("tinyasync".into()).stack_size(STACK).spawn(move || {
        let f = inner.lock().unwrap_or_else(|e| e.into_inner()).take();
        f.map(|f| f())
    });
    if let Ok(h) = spawned {
        match h.join() {
            Ok(Some(v)) => return v,
            Ok(None) => {}
            // A panic is a bug in tinyasync: let it reach the caller as it was.
            Err(p) => std::panic::resume_unwind(p),
        }
    }
    let f = cell.lock().unwrap_or_else(|e| e.into_inner()).take();
    match f {
        Some(f) => f(),
        // Unreachable: the cell is filled before the spawn and emptied only by the thread, which
        // then returns Some or panics (both handled above), or by this fallback.
        None => unreachable!("the interpreter closure ran on the thread"),
    }
}

/// How a run ended.
pub struct RunResult {
    pub status: i32,
    /// Diagnostics to print on stderr (after stdout was flushed).
    pub stderr: String,
}

/// Compiles a checked program.
pub fn compile(src: &Source, style: Style) -> Result<std::rc::Rc<crate::code::Code>, Failure> {
    let (module, res) = check(src, style)?;
    crate::vm::compile::compile_module(&module, &res).map_err(|e| Failure {
        rendered: diagnostics::render_syntax(style, &src.name, &src.text, &e),
        status: exit::USAGE,
    })
}

/// `--trace`'s task column: as wide as the longest `async def` name of the program, with
/// room for a `#2` suffix (up to 32), so that lines written before a long-named task is
/// spawned line up with the rest.
fn trace_width(text: &str) -> usize {
    text.match_indices("async def ")
        .map(|(i, m)| {
            let name = &text[i + m.len()..];
            name.chars().take_while(|c| c.is_alphanumeric() || *c == '_').count() + 2
        })
        .max()
        .unwrap_or(0)
        .min(32)
}

/// Runs a program to the end: parse, check, compile, run on the scheduler.
pub fn run_program(
    src: &Source,
    opts: crate::interp::Options,
    out: crate::interp::Output,
    style: Style,
) -> (RunResult, crate::interp::Interp) {
    let mut interp = crate::interp::Interp::new(opts, out);
    interp.source_text = Some(std::rc::Rc::from(src.text.as_str()));
    if interp.opts.trace {
        interp.sched.trace_width = trace_width(&src.text);
        if stdout_is_stderr() {
            interp.out_lines = Some(String::new());
            interp.out_to_trace = true;
        }
    }
    if interp.opts.timeline || interp.opts.trace_json.is_some() || interp.opts.timeline_html.is_some() {
        interp.sched.timeline = Some(Default::default());
    }
    if interp.opts.timeline_html.is_some() {
        interp.out_lines = Some(String::new());
    }
    let code = match compile(src, style) {
        Ok(c) => c,
        Err(f) => return (RunResult { status: f.status, stderr: f.rendered }, interp),
    };
    let mut r = crate::scheduler::run_main(&mut interp, code);
    // What is left is finalized as CPython does at exit (after a normal end, `sys.exit` or an
    // uncaught exception; not after a limit, an interrupt or a deadlock).
    if matches!(r, Ok(_) | Err(crate::interp::Fault::Exc(_))) {
        if let Err(e) = interp.finalize_globals() {
            if r.is_ok() {
                r = Err(e);
            }
        }
    }
    interp.end_trace_output();
    let flushed = interp.flush_output();
    let mut sources = Sources::single(src);
    sources.add_preludes(&interp);
    let mut chart = String::new();
    if let Some(tl) = interp.sched.timeline.take() {
        let end = interp.now_ns();
        if interp.opts.timeline {
            chart = tl.draw(end, style.width, style.color);
        }
        let files = [
            (&interp.opts.trace_json, "trace", tl.chrome_trace(end, &src.name)),
            (
                &interp.opts.timeline_html,
                "timeline",
                crate::scheduler::timeline_html::page(&tl, end, &src.name),
            ),
        ];
        for (path, what, text) in files {
            let Some(path) = path else { continue };
            if let Err(e) = std::fs::write(path, text) {
                chart.push_str(&format!(
                    "warning: the {} could not be written to {}: {}\n",
                    what,
                    path.display(),
                    crate::interp::os_error_text(&e)
                ));
            }
        }
    }
    let mut result = report(&mut interp, &sources, style, r);
    // The chart comes after the program's output, before any report of how it failed.
    result.stderr.insert_str(0, &chart);
    // Output that cannot be written is an error, unless the reader went away (a closed pipe).
    // (After a failed run the exit status already says so.)
    if let Err(e) = flushed {
        if e.kind() != std::io::ErrorKind::BrokenPipe && result.status == exit::OK {
            result.status = exit::RUNTIME_ERROR;
            result.stderr = diagnostics::render_simple(&format!(
                "{} (writing the output)",
                crate::interp::os_error_text(&e)
            ));
        }
    }
    // Drop the program's globals, then warn about generators and coroutines never started.
    interp.globals.borrow_mut().clear();
    interp.globals_version += 1;
    interp.sched = Default::default();
    result.stderr.push_str(&never_used_warnings(&sources));
    (result, interp)
}

/// asyncio's "coroutine was never awaited", for generators too: once per line of creation.
pub fn never_used_warnings(sources: &Sources) -> String {
    let mut found = crate::value::NEVER_USED.with(|v| std::mem::take(&mut *v.borrow_mut()));
    found.sort_by_key(|(_, _, span)| span.start);
    let mut seen = std::collections::HashSet::new();
    let mut out = String::new();
    for (is_coroutine, name, span) in found {
        let line = sources.line_of(span);
        if !seen.insert((span.start, name)) {
            continue;
        }
        let (kind, verb) = if is_coroutine {
            ("coroutine", "awaited or spawned")
        } else {
            ("generator", "iterated or spawned")
        };
        out.push_str(&format!(
            "warning: {} '{}' created at {}:{} was never {}\n",
            kind,
            name,
            sources.name_of(span),
            line,
            verb
        ));
    }
    // Scheduler requests made and dropped without `await` (`q.put(x)` as a statement): asyncio's
    // words, once per line, with what was probably meant.
    let mut requests = crate::scheduler::NEVER_AWAITED.with(|v| std::mem::take(&mut *v.borrow_mut()));
    requests.sort_by_key(|(_, span)| span.start);
    let mut seen = std::collections::HashSet::new();
    for (kind, span) in requests {
        if span == Span::default() || !seen.insert((sources.line_of(span), kind)) {
            continue;
        }
        let meant = match kind {
            "Queue.put" => "await q.put(...) or q.put_nowait(...)",
            "Queue.get" => "await q.get() or q.get_nowait()",
            "sleep" => "await sleep(...)",
            "Task.join" => "await t.join()",
            _ => "await e.wait()",
        };
        out.push_str(&format!(
            "{}:{}: RuntimeWarning: coroutine '{}' was never awaited\n  help: did you mean {}?\n",
            sources.name_of(span),
            sources.line_of(span),
            kind,
            meant
        ));
    }
    out
}

/// A task's exception that nobody retrieved: the traceback, then where the task (or callback)
/// was spawned and `why` nobody will.
fn render_task_failure(
    interp: &mut crate::interp::Interp,
    sources: &Sources,
    style: Style,
    tf: &crate::interp::TaskFailure,
    why: &str,
) -> String {
    let mut stderr = render_exception(interp, sources, style, &tf.exc);
    if tf.task == "callback" {
        stderr.push_str(&sources.render(
            style,
            "the exception escaped a callback, which stops the program",
            vec![diagnostics::Label {
                span: tf.spawned_at,
                text: Some("the callback was scheduled here".into()),
                primary: true,
            }],
            Some("catch exceptions inside the callback; callbacks have no task to join"),
        ));
    } else {
        let line = sources.line_of(tf.spawned_at);
        stderr.push_str(&sources.render(
            style,
            &format!("the exception escaped task '{}', and {}", tf.task, why),
            vec![diagnostics::Label {
                span: tf.spawned_at,
                text: Some(format!("task '{}' was spawned here (line {})", tf.task, line)),
                primary: true,
            }],
            Some("keep the task returned by spawn() and `await t.join()` it to handle its exception"),
        ));
    }
    stderr
}

/// Turns the end of a run into an exit status and a rendered diagnostic.
pub fn report(
    interp: &mut crate::interp::Interp,
    sources: &Sources,
    style: Style,
    r: crate::interp::R<()>,
) -> RunResult {
    use crate::interp::Fault;
    let here = |span: Span| {
        vec![diagnostics::Label { span, text: Some("the program was here".into()), primary: true }]
    };
    match r {
        Ok(()) => RunResult { status: exit::OK, stderr: String::new() },
        Err(Fault::OutputClosed) => RunResult { status: exit::OK, stderr: String::new() },
        Err(Fault::Exc(x)) => match system_exit(interp, &x.value) {
            Some((status, stderr)) => RunResult { status, stderr },
            // An uncaught KeyboardInterrupt (itself, not a subclass) ends as Ctrl-C does
            // (CPython's 130), its traceback shown.
            None if std::rc::Rc::ptr_eq(&interp.t.type_of(&x.value), &interp.t.keyboard_interrupt) => {
                RunResult { status: exit::INTERRUPTED, stderr: render_exception(interp, sources, style, &x) }
            }
            None => RunResult {
                status: exit::RUNTIME_ERROR,
                stderr: render_exception(interp, sources, style, &x),
            },
        },
        Err(Fault::Limit(l)) => RunResult {
            status: exit::LIMIT,
            stderr: sources.render(style, &format!("limit exceeded: {}", l.what), here(l.span), None),
        },
        Err(Fault::Deadlock(blocked)) => {
            // A task that failed with nobody to retrieve it yet may be why the others wait:
            // its traceback comes first.
            let mut stderr = String::new();
            for f in interp.unretrieved_failures() {
                if let Fault::TaskFailed(tf) = f {
                    let why = "nothing joined it before the run stopped";
                    stderr.push_str(&render_task_failure(interp, sources, style, &tf, why));
                }
            }
            stderr.push_str(&render_deadlock(sources, style, &blocked, true));
            RunResult { status: exit::DEADLOCK, stderr }
        }
        Err(Fault::TaskFailed(tf)) => RunResult {
            status: exit::RUNTIME_ERROR,
            stderr: render_task_failure(interp, sources, style, &tf, "nothing can join it any more"),
        },
        Err(Fault::Interrupted(span)) => {
            let sig = crate::limits::stop_signal();
            let what = if sig == 15 { "terminated (SIGTERM)" } else { "interrupted (Ctrl-C)" };
            // Idle, the last line executed says nothing about where the program is: the
            // scheduler was waiting for its next timer.
            let mut stderr = if interp.sched.idle {
                let title = format!("{} while the scheduler waited for the next timer", what);
                diagnostics::render_title(style, &title, None)
            } else {
                sources.render(style, what, here(span), None)
            };
            stderr.push_str(&stop_dump(interp, sources, span));
            RunResult { status: exit::INTERRUPTED, stderr }
        }
    }
}

/// An uncaught `SystemExit(code)` ends the program quietly, as in Python: `None` or no code is
/// status 0, an int is the status (modulo 256), anything else is printed on stderr with status 1.
pub fn system_exit(interp: &mut crate::interp::Interp, v: &crate::value::Value) -> Option<(i32, String)> {
    use crate::value::Value;
    let Value::Instance(i) = v else { return None };
    if !i.class.is_subclass(&interp.t.system_exit) {
        return None;
    }
    let code = match i.attrs.borrow().get(&crate::names::sym::ARGS) {
        Some(Value::Tuple(t)) if t.len() == 1 => t[0].clone(),
        Some(Value::Tuple(t)) if t.is_empty() => Value::None,
        Some(args) => args.clone(),
        None => Value::None,
    };
    Some(match code {
        Value::None => (exit::OK, String::new()),
        Value::Bool(b) => (b as i32, String::new()),
        Value::Int(n) => (n.rem_euclid(256) as i32, String::new()),
        other => (exit::RUNTIME_ERROR, format!("{}\n", interp.to_str(&other).unwrap_or_default())),
    })
}

/// What a Ctrl-C or SIGTERM stop shows after its diagnostic: the clock, what was running (or
/// what the idle scheduler waited for), every unfinished task with its state and line (a
/// sleeper's time left), callbacks and timers not yet run, failed tasks nobody joined.
pub fn stop_dump(interp: &mut crate::interp::Interp, sources: &Sources, running_at: Span) -> String {
    let clock = if interp.opts.virtual_time { "virtual time" } else { "real time" };
    let mut out = format!("clock: {:.3} s ({})\n", interp.now(), clock);
    match interp.running_task() {
        Some(name) => {
            out.push_str(&format!("running: task '{}' (line {})\n", name, sources.line_of(running_at)))
        }
        None if interp.sched.idle => out.push_str(&format!("idle: {}\n", interp.next_wake())),
        None => {}
    }
    let mut rows = interp.stop_rows();
    for r in rows.iter_mut() {
        if r.state == "running" {
            r.span = Some(running_at);
        }
    }
    if rows.iter().any(|r| r.section == "task") {
        out.push_str("unfinished tasks:\n");
    }
    out.push_str(&render_task_rows(&rows, sources, 20));
    out
}

/// The rows of `:tasks` and of the stop dump, a section at a time (the first, tasks, without
/// a heading), in aligned columns: name, state, line. At most `cap` rows a section; the rest
/// are counted.
pub fn render_task_rows(rows: &[crate::scheduler::TaskRow], sources: &Sources, cap: usize) -> String {
    let mut out = String::new();
    let mut section = "task";
    let mut shown = 0;
    let mut hidden = 0;
    let flush_hidden = |out: &mut String, hidden: &mut usize| {
        if *hidden > 0 {
            out.push_str(&format!("… and {} more\n", hidden));
            *hidden = 0;
        }
    };
    // Names up to 32 characters keep the columns aligned; longer ones push their row out.
    let width = rows.iter().map(|r| r.name.chars().count()).max().unwrap_or(0).clamp(16, 32);
    for r in rows {
        if r.section != section {
            flush_hidden(&mut out, &mut hidden);
            section = r.section;
            shown = 0;
            out.push_str(match section {
                "callback" => "callbacks:\n",
                "timer" => "timers:\n",
                "failed" => "failed, nobody joined them:\n",
                _ => "recently ended:\n",
            });
        }
        if shown >= cap {
            hidden += 1;
            continue;
        }
        shown += 1;
        let line = r.span.map(|s| format!("line {}", sources.line_of(s))).unwrap_or_default();
        out.push_str(format!("{:<width$} {:<40} {}", r.name, r.state, line, width = width).trim_end());
        out.push('\n');
    }
    flush_hidden(&mut out, &mut hidden);
    out
}

/// Renders an uncaught exception: a Python-style traceback, then the diagnostic: the title is
/// the exception as CPython prints it (with its "Did you mean"), the labels and help come from
/// the exception's hint (see `hint.rs`), and an exception without labels is labelled where it
/// was raised.
pub fn render_exception(
    interp: &mut crate::interp::Interp,
    sources: &Sources,
    style: Style,
    x: &crate::interp::Exc,
) -> String {
    let type_name = interp.type_name(&x.value);
    let msg = interp.to_str(&x.value).unwrap_or_default();
    let mut title = if msg.is_empty() { type_name } else { format!("{}: {}", type_name, msg) };
    let hint = x.hint.as_deref();
    if let Some(s) = hint.and_then(|h| h.suggest.as_ref()) {
        if let Some(did_you_mean) = crate::hint::suggestion(interp, &x.value, s) {
            title = format!("{}. {}", title, did_you_mean);
        }
    }
    let mut out = chained_above(interp, sources, x, 0);
    push_traceback(&mut out, sources, x);
    let span = x.tb.first().map(|t| t.1).or(x.span).unwrap_or_default();
    let mut labels: Vec<diagnostics::Label> = hint
        .into_iter()
        .flat_map(|h| h.located())
        .map(|(span, text)| diagnostics::Label { span, text: Some(text.to_string()), primary: false })
        .collect();
    match labels.first_mut() {
        Some(first) => first.primary = true,
        None => labels.push(diagnostics::Label { span, text: Some("raised here".into()), primary: true }),
    }
    out.push_str(&sources.render(style, &title, labels, hint.and_then(|h| h.help.as_deref())));
    out
}

/// "Traceback (most recent call last):" and a line for each frame of `x`'s traceback.
fn push_traceback(out: &mut String, sources: &Sources, x: &crate::interp::Exc) {
    if x.tb.is_empty() {
        return;
    }
    out.push_str("Traceback (most recent call last):\n");
    for (name, span) in x.tb.iter().rev() {
        out.push_str(&format!(
            "  File \"{}\", line {}, in {}\n",
            sources.name_of(*span),
            sources.line_of(*span),
            name
        ));
    }
}

/// What CPython prints above an uncaught exception `x`: its `__cause__` (`raise X from Y`:
/// "The above exception was the direct cause..."), or else, unless suppressed, the exception
/// it was raised while handling ("During handling of the above exception..."), each with its
/// own chain above it and its traceback down to where it was caught.
fn chained_above(
    interp: &mut crate::interp::Interp,
    sources: &Sources,
    x: &crate::interp::Exc,
    depth: usize,
) -> String {
    use crate::names::sym;
    use crate::value::Value;
    use std::rc::Rc;
    // (CPython prints a chain of any length; a bound keeps a report readable.)
    if depth >= 32 {
        return String::new();
    }
    let attr = |name| match &x.value {
        Value::Instance(i) => i.attrs.borrow().get(&name).cloned(),
        _ => None,
    };
    let context = x.context.as_ref().filter(|c| attr(sym::CONTEXT).is_some_and(|v| v.is(&c.value)));
    let (above, sentence) = match attr(sym::CAUSE).filter(|c| !c.is_none()) {
        Some(cause) => (
            // With its traceback when it is the exception being handled (`raise X from e`
            // in `except ... as e`), else as a value.
            match context.filter(|c| c.value.is(&cause)) {
                Some(c) => c.clone(),
                None => Rc::new(crate::interp::Exc::new(cause)),
            },
            "The above exception was the direct cause of the following exception:",
        ),
        None if matches!(attr(sym::SUPPRESS_CONTEXT), Some(Value::Bool(true))) => return String::new(),
        None => match context {
            Some(c) => (c.clone(), "During handling of the above exception, another exception occurred:"),
            None => return String::new(),
        },
    };
    let mut out = chained_above(interp, sources, &above, depth + 1);
    push_traceback(&mut out, sources, &above);
    let type_name = interp.type_name(&above.value);
    match interp.to_str(&above.value).unwrap_or_default() {
        msg if msg.is_empty() => out.push_str(&type_name),
        msg => out.push_str(&format!("{}: {}", type_name, msg)),
    }
    out.push_str(&format!("\n\n{}\n\n", sentence));
    out
}

/// Renders a deadlock: the diagnostic, with a label where each blocked task waits, then the
/// list of blocked tasks with what they wait on and their lines.
/// The deadlock report. `program` is a whole program's run (not a REPL session), where a
/// report without the main task means main has finished.
pub fn render_deadlock(
    sources: &Sources,
    style: Style,
    blocked: &[crate::scheduler::BlockedTask],
    program: bool,
) -> String {
    // Tasks waiting on the same thing at the same place are one line: a report stays a few
    // lines long whether 3 or 200,000 tasks wait.
    let mut groups: Vec<(&str, Span, Vec<&str>)> = Vec::new();
    let mut index: std::collections::HashMap<(&str, Span), usize> = std::collections::HashMap::new();
    for b in blocked {
        let at = *index.entry((b.what.as_str(), b.span)).or_insert_with(|| {
            groups.push((b.what.as_str(), b.span, Vec::new()));
            groups.len() - 1
        });
        groups[at].2.push(b.name.as_str());
    }
    const MAX_LINES: usize = 20;
    const MAX_LABELS: usize = 8;
    let mut labels = Vec::new();
    let mut lines = String::from("blocked tasks:\n");
    for (i, (what, span, names)) in groups.iter().enumerate() {
        let line = sources.line_of(*span);
        let who = tasks_phrase(names);
        let verb = if names.len() == 1 { "waits" } else { "wait" };
        if i < MAX_LINES {
            lines.push_str(&format!("  {} {}: {} (line {})\n", who, verb, what, line));
        }
        if i < MAX_LABELS {
            labels.push(diagnostics::Label {
                span: *span,
                text: Some(format!("{} {} here: {}", who, verb, what)),
                primary: labels.is_empty(),
            });
        }
    }
    if groups.len() > MAX_LINES {
        let rest: usize = groups[MAX_LINES..].iter().map(|g| g.2.len()).sum();
        lines.push_str(&format!(
            "  … and {} more {} waiting elsewhere\n",
            rest,
            if rest == 1 { "task" } else { "tasks" }
        ));
    }
    // Tasks that join each other in a ring can never finish: name the ring.
    if let Some(ring) = join_cycle(blocked) {
        lines.push_str(&format!("join cycle: {} (each waits for the next to finish)\n", ring.join(" → ")));
    }
    let main_finished = program && !blocked.iter().any(|b| b.is_main);
    let objects: std::collections::BTreeSet<&str> =
        blocked.iter().filter_map(|b| b.object.as_deref()).collect();
    let all_on_one = blocked.iter().all(|b| b.object.is_some()) && objects.len() == 1;
    let n = blocked.len();
    let tasks = if n == 1 { "task" } else { "tasks" };
    let (title, help) = if main_finished && all_on_one {
        let on = objects.iter().next().copied().unwrap_or_default();
        let what = if on.starts_with("Queue") { "close() the queue" } else { "set() the event" };
        let (wait, them) = if n == 1 { ("waits", "it") } else { ("wait", "them") };
        (
            format!("deadlock: main finished; {} {} still {} on {}", n, tasks, wait, on),
            format!("nothing else can wake {}: {} or cancel() {}", them, what, them),
        )
    } else if main_finished {
        let (wait, them) = if n == 1 { ("waits", "it") } else { ("wait", "them") };
        (
            format!("deadlock: main finished; {} {} still {} and nothing can wake {}", n, tasks, wait, them),
            "no task is ready, no timer is pending: put an item, set the event, or finish the awaited task"
                .to_string(),
        )
    } else if n == 1 {
        (
            "deadlock: the only unfinished task is blocked and nothing can wake it".to_string(),
            "no task is ready, no timer is pending: put an item, set the event, or finish the awaited task"
                .to_string(),
        )
    } else {
        (
            format!("deadlock: all {} unfinished tasks are blocked and nothing can wake them", n),
            "no task is ready, no timer is pending: put an item, set the event, or finish the awaited task"
                .to_string(),
        )
    };
    let mut out = sources.render(style, &title, labels, Some(&help));
    out.push_str(&lines);
    out
}

/// "task 'worker'", "3 tasks 'worker…'" (names of one function), or "3 tasks ('a', 'b', 'c')".
fn tasks_phrase(names: &[&str]) -> String {
    let base = |n: &str| n.split('#').next().unwrap_or(n).to_string();
    match names {
        [one] => format!("task '{}'", one),
        _ if names.iter().all(|n| base(n) == base(names[0])) => {
            format!("{} tasks '{}…'", names.len(), base(names[0]))
        }
        _ => {
            let shown: Vec<String> = names.iter().take(3).map(|n| format!("'{}'", n)).collect();
            let more =
                if names.len() > 3 { format!(", … {} more", names.len() - 3) } else { String::new() };
            format!("{} tasks ({}{})", names.len(), shown.join(", "), more)
        }
    }
}

/// A ring of tasks each joining the next, from the first blocked task that leads into one.
/// Tasks are told apart by id (two may share a name); each is visited once, so a chain of
/// 100,000 joins costs 100,000 steps.
fn join_cycle(blocked: &[crate::scheduler::BlockedTask]) -> Option<Vec<&str>> {
    use std::collections::HashMap;
    let index: HashMap<u64, usize> = blocked.iter().enumerate().map(|(i, b)| (b.id, i)).collect();
    let next = |i: usize| blocked[i].joins.as_ref().and_then(|(id, _)| index.get(id).copied());
    // 0: not seen; 1: on the path being followed; 2: done (leads to no new ring).
    let mut mark = vec![0u8; blocked.len()];
    for start in 0..blocked.len() {
        let mut path = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            match mark[i] {
                0 => {
                    mark[i] = 1;
                    path.push(i);
                    at = next(i);
                }
                1 => {
                    // Back on this path: the ring is the path from `i` on.
                    let from = path.iter().position(|&p| p == i).unwrap_or(0);
                    let mut ring: Vec<&str> =
                        path[from..].iter().map(|&p| blocked[p].name.as_str()).collect();
                    ring.push(blocked[i].name.as_str());
                    return Some(ring);
                }
                _ => break,
            }
        }
        for p in path {
            mark[p] = 2;
        }
    }
    None
}

/// Whether stdout and stderr are one file (a terminal, `2>&1` into a pipe or a file): then the
/// trace carries the program's output, so that the two read in order.
fn stdout_is_stderr() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let id = |fd: std::os::fd::BorrowedFd| {
        let file = std::fs::File::from(fd.try_clone_to_owned().ok()?);
        file.metadata().ok().map(|m| (m.dev(), m.ino()))
    };
    match (id(std::io::stdout().as_fd()), id(std::io::stderr().as_fd())) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}
