//! The command line, parsed with clap:
//!
//! ```text
//! tinyasync [OPTIONS] [FILE | -] [ARGS]...     run a file (`-`, or no FILE with stdin not a
//!                                              terminal: the program is read from stdin)
//! tinyasync [OPTIONS] -c CODE [ARGS]...        run CODE
//! tinyasync run [OPTIONS] FILE | - [ARGS]...   the same as the first form
//! tinyasync check FILE | -                     parse and check only
//! tinyasync parse FILE | -                     print the syntax tree
//! tinyasync dis FILE | -                       print the bytecode, suspension points marked
//! tinyasync -i FILE | -c CODE [ARGS]...        run it, then open the REPL with its globals
//! tinyasync repl [--virtual-time]              the REPL (plain `tinyasync` on a terminal too)
//! ```
//!
//! The top level has an optional subcommand *and* a positional FILE. Clap's
//! `args_conflicts_with_subcommands` settles which one a word is: the first word is a command
//! if it names one (`run`, `check`, `parse`, `dis`, `repl`, `help`), else it is the FILE, and the
//! run options given before it belong to the top level. A file literally named `run` is run
//! as `tinyasync ./run` or `tinyasync run run`.
//!
//! As with `python3 FILE`, every word after FILE (or after `-c CODE`) is the program's, flags
//! included: it goes to `sys.argv`, so tinyasync's own options go before FILE.
//!
//! Every flag value is checked here, so a bad one is a usage error (exit 2) naming the flag.

use crate::diagnostics::{self, exit, Style};
use crate::driver::{self, Failure, Source};
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "tinyasync",
    version,
    about = "A tiny Python-like language with generators, async/await and a built-in scheduler",
    args_conflicts_with_subcommands = true,
    override_usage = "tinyasync [OPTIONS] [FILE | -] [ARGS]...\n       \
                      tinyasync [OPTIONS] -c CODE [ARGS]...\n       \
                      tinyasync <COMMAND>",
    after_help = "With no FILE, tinyasync reads the program from stdin when stdin is not a terminal, \
                  and starts the REPL when it is.\n\
                  A file named like a command is run as `tinyasync ./run` or `tinyasync run run`.\n\n\
                  Exit status: 0 success, 1 uncaught runtime error, 2 usage/file/syntax error, \
                  3 deadlock, 4 resource limit, 130 interrupted."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub opts: RunOpts,
    /// Run CODE, a program given as text (sys.argv[0] is "-c").
    #[arg(short = 'c', value_name = "CODE")]
    pub code: Option<String>,
    /// Run the program, then open the REPL with its globals (as `python3 -i`).
    #[arg(short = 'i')]
    pub interactive: bool,
    // One positional for FILE and ARGS: once it starts, clap takes every later word as its
    // value (`trailing_var_arg`), flags included, as `python3 FILE ARGS` does.
    /// The program file (`-` reads it from stdin), then the program's arguments (sys.argv[1:]).
    #[arg(value_names = ["FILE | -", "ARGS"], trailing_var_arg = true)]
    pub program: Vec<OsString>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a program (the same as `tinyasync [OPTIONS] FILE [ARGS]...`).
    Run {
        #[command(flatten)]
        opts: RunOpts,
        /// The program file (`-` reads it from stdin), then its arguments (sys.argv[1:]).
        #[arg(value_names = ["FILE | -", "ARGS"], trailing_var_arg = true, required = true)]
        program: Vec<OsString>,
    },
    /// Parse a program and run the static checks only.
    Check {
        /// The program file; `-` reads it from stdin.
        #[arg(value_name = "FILE | -")]
        file: OsString,
    },
    /// Print the bytecode of each function, with source lines and every suspension point.
    Dis {
        /// The program file; `-` reads it from stdin.
        #[arg(value_name = "FILE | -")]
        file: OsString,
    },
    /// Print the syntax tree of a program.
    Parse {
        /// The program file; `-` reads it from stdin.
        #[arg(value_name = "FILE | -")]
        file: OsString,
    },
    /// Start the interactive prompt (also what plain `tinyasync` does on a terminal).
    Repl {
        /// Use a virtual clock: sleeps take no time, and the clock moves only while an input runs.
        #[arg(long)]
        virtual_time: bool,
    },
}

/// The options of a run, accepted by `run` and by the `tinyasync FILE` form.
#[derive(Args, Clone, Debug, Default)]
pub struct RunOpts {
    /// Use a virtual clock: sleeps take no real time.
    #[arg(long)]
    pub virtual_time: bool,
    /// Write one line per scheduler event (spawn, run, wait, wake, ...) to stderr;
    /// `--trace=json` writes Chrome trace events to PROGRAM.trace.json instead (see
    /// --trace-json).
    #[arg(
        long,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "text",
        value_name = "FORMAT",
        value_parser = ["text", "json"]
    )]
    pub trace: Option<String>,
    /// After the run, draw on stderr a chart of what every task did when.
    #[arg(long)]
    pub timeline: bool,
    /// Write what every task did when to OUT.json in Chrome's trace-event format (open it in
    /// Perfetto or chrome://tracing): one track per task.
    #[arg(long, value_name = "OUT.json")]
    pub trace_json: Option<std::path::PathBuf>,
    /// Write the timeline to OUT.html, one page that needs nothing else: a lane per task,
    /// hover or click for what happened, zoom and pan, the output on the same time axis.
    #[arg(long, value_name = "OUT.html")]
    pub timeline_html: Option<std::path::PathBuf>,
    /// Stop after N steps (a statement or a loop iteration), N >= 1; exit 4.
    #[arg(long, value_name = "N", value_parser = parse_steps, allow_hyphen_values = true)]
    pub max_steps: Option<u64>,
    /// Stop when the program holds more than MB megabytes, MB >= 1; exit 4.
    #[arg(long, value_name = "MB", value_parser = parse_megabytes, allow_hyphen_values = true)]
    pub max_memory: Option<u64>,
    /// Stop after SECONDS of wall-clock time (a positive number, fractions allowed); exit 4.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds, allow_hyphen_values = true)]
    pub timeout: Option<Duration>,
}

impl RunOpts {
    /// `--trace=json`: the trace goes beside the program, `prog.ta` → `prog.trace.json`
    /// (`tinyasync.trace.json` for `-c` and stdin).
    fn json_trace_path(&self, program: Option<&String>) -> Option<std::path::PathBuf> {
        if self.trace.as_deref() != Some("json") {
            return None;
        }
        Some(match program.map(std::path::Path::new) {
            Some(p) if p.extension().is_some() || p.file_name().is_some_and(|n| n != "-" && n != "-c") => {
                p.with_extension("trace.json")
            }
            _ => std::path::PathBuf::from("tinyasync.trace.json"),
        })
    }

    fn any(&self) -> bool {
        self.virtual_time
            || self.trace.is_some()
            || self.timeline
            || self.trace_json.is_some()
            || self.timeline_html.is_some()
            || self.max_steps.is_some()
            || self.max_memory.is_some()
            || self.timeout.is_some()
    }

    pub fn to_options(&self, argv: Vec<String>) -> crate::interp::Options {
        let trace_json = self.trace_json.clone().or_else(|| self.json_trace_path(argv.first()));
        crate::interp::Options {
            virtual_time: self.virtual_time,
            trace: self.trace.as_deref() == Some("text"),
            timeline: self.timeline,
            trace_json,
            timeline_html: self.timeline_html.clone(),
            observe: false,
            max_steps: self.max_steps,
            // Past the address space, the limit cannot be reached: saturate.
            max_memory: self
                .max_memory
                .map(|mb| usize::try_from(mb).unwrap_or(usize::MAX).saturating_mul(1 << 20)),
            timeout: self.timeout,
            argv,
            ..Default::default()
        }
    }
}

/// A whole number >= 1 that fits in 64 bits.
fn positive_integer(s: &str, unit: &str) -> Result<u64, String> {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return match t.parse::<u64>() {
            Ok(0) => Err("must be 1 or more (0 would stop the program before it starts)".into()),
            Ok(n) => Ok(n),
            Err(_) => Err(format!("too large: at most {} {unit}", u64::MAX)),
        };
    }
    Err(format!("expected a whole number of {unit}, at least 1"))
}

/// `--max-steps N`.
pub fn parse_steps(s: &str) -> Result<u64, String> {
    positive_integer(s, "steps")
}

/// `--max-memory MB`. Any value that fits in 64 bits is accepted; one beyond the address space
/// means no limit in practice.
pub fn parse_megabytes(s: &str) -> Result<u64, String> {
    positive_integer(s, "megabytes")
}

/// `--timeout SECONDS`: a finite number > 0. A timeout too long for a `Duration` (over 584
/// billion years) is clamped to the longest one, which is never reached; one shorter than a
/// nanosecond is rounded up to one.
pub fn parse_seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 =
        s.trim().parse().map_err(|_| "expected a number of seconds, such as 10 or 0.5".to_string())?;
    if secs.is_nan() || secs.is_infinite() {
        return Err("expected a finite number of seconds".into());
    }
    if secs <= 0.0 {
        return Err("must be more than 0 seconds".into());
    }
    Ok(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX).max(Duration::from_nanos(1)))
}

/// Where the program comes from.
enum Program {
    File(PathBuf),
    Stdin,
    Code(String),
}

impl Program {
    fn from_arg(file: OsString) -> Program {
        if file == "-" {
            Program::Stdin
        } else {
            Program::File(PathBuf::from(file))
        }
    }

    /// `sys.argv[0]`, as CPython sets it.
    fn argv0(&self, bare_stdin: bool) -> String {
        match self {
            Program::File(p) => p.to_string_lossy().into_owned(),
            Program::Stdin if bare_stdin => String::new(),
            Program::Stdin => "-".into(),
            Program::Code(_) => "-c".into(),
        }
    }

    fn read(self) -> Result<Source, Failure> {
        match self {
            Program::File(path) => driver::read_source(&path).map_err(|mut f| {
                // `tinyasync chek x.ta`: a mistyped command reads as a missing file.
                let name = path.to_string_lossy();
                let word = !name.contains(['.', '/', '\\']);
                if word && !path.exists() {
                    f.rendered
                        .push_str("help: the commands are run, check, parse, dis and repl (see --help)\n");
                }
                f
            }),
            Program::Stdin => driver::read_stdin(),
            Program::Code(text) => Ok(Source { name: "<string>".into(), text }),
        }
    }
}

/// Parses the command line and runs it; returns the exit status.
pub fn main() -> i32 {
    let cli = Cli::parse_from(end_options_after_code(std::env::args_os().collect()));
    driver::with_big_stack(move || dispatch(cli))
}

/// The top-level options that take a value as the next word.
const VALUE_OPTIONS: [&str; 3] = ["--max-steps", "--max-memory", "--timeout"];

/// As in `python3 -c CODE ARGS`, every word after `-c CODE` is the program's: this puts a `--`
/// after CODE, so clap takes the rest as ARGS even if they look like tinyasync's options. Only
/// the options before the first other word count (`tinyasync FILE -c x` passes `-c` to FILE).
pub fn end_options_after_code(mut argv: Vec<OsString>) -> Vec<OsString> {
    let mut i = 1;
    while let Some(word) = argv.get(i).and_then(|w| w.to_str()) {
        if word == "--" || !word.starts_with('-') || word == "-" {
            return argv; // FILE, `-`, a command or the end of options: no -c before it.
        }
        if word == "-c" || word.starts_with("-c") {
            // `-c CODE` or `-cCODE`: the words after CODE are ARGS.
            let after = if word == "-c" { i + 2 } else { i + 1 };
            if after <= argv.len() {
                argv.insert(after, "--".into());
            }
            return argv;
        }
        i += if VALUE_OPTIONS.contains(&word) { 2 } else { 1 };
    }
    argv
}

/// Runs a parsed command line.
pub fn dispatch(cli: Cli) -> i32 {
    let style = Style::for_stderr();
    match cli.command {
        Some(Command::Check { file }) => {
            report(Program::from_arg(file).read().and_then(|src| driver::check(&src, style).map(|_| ())))
        }
        Some(Command::Dis { file }) => {
            match Program::from_arg(file).read().and_then(|src| driver::dis_to_text(&src, style)) {
                Ok(text) => write_stdout(text.as_bytes()),
                Err(f) => report(Err(f)),
            }
        }
        Some(Command::Parse { file }) => {
            match Program::from_arg(file).read().and_then(|src| driver::parse_to_text(&src, style)) {
                Ok(text) => write_stdout(text.as_bytes()),
                Err(f) => report(Err(f)),
            }
        }
        Some(Command::Run { opts, program }) => {
            let mut words = program.into_iter();
            // Unreachable default: clap requires at least one word.
            let file = words.next().unwrap_or_default();
            run(Program::from_arg(file), false, words.collect(), &opts, style)
        }
        Some(Command::Repl { virtual_time }) => {
            repl(crate::interp::Options { virtual_time, ..Default::default() }, None)
        }
        None if cli.interactive => {
            let (program, args) = match cli.code {
                Some(code) => (Program::Code(code), cli.program),
                None => {
                    let mut words = cli.program.into_iter();
                    match words.next() {
                        Some(file) => (Program::from_arg(file), words.collect()),
                        None => return repl(cli.opts.to_options(vec![String::new()]), None),
                    }
                }
            };
            let mut argv = vec![program.argv0(false)];
            argv.extend(args.iter().map(|a| a.to_string_lossy().into_owned()));
            let opts = cli.opts.to_options(argv);
            match program.read() {
                Ok(src) => repl(opts, Some(&src)),
                Err(f) => report(Err(f)),
            }
        }
        None => {
            if let Some(code) = cli.code {
                // With -c, every positional word is an argument: `-c CODE a b` has argv [-c, a, b].
                return run(Program::Code(code), false, cli.program, &cli.opts, style);
            }
            let mut words = cli.program.into_iter();
            if let Some(file) = words.next() {
                return run(Program::from_arg(file), false, words.collect(), &cli.opts, style);
            }
            use std::io::IsTerminal;
            if !std::io::stdin().is_terminal() {
                // `tinyasync < prog.ta`: stdin is one program, as for `python3 < prog.py`.
                return run(Program::Stdin, true, Vec::new(), &cli.opts, style);
            }
            if cli.opts.any() {
                emit_stderr(&diagnostics::render_simple(
                    "the run options need a program: give a FILE, `-c CODE`, or pipe the program on stdin",
                ));
                return exit::USAGE;
            }
            repl(crate::interp::Options::default(), None)
        }
    }
}

/// The REPL: on the terminal, or line by line from piped stdin; `startup` runs first (`-i`).
fn repl(opts: crate::interp::Options, startup: Option<&Source>) -> i32 {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        return crate::repl::term::run_terminal_with(opts, startup);
    }
    crate::repl::run_piped_with(std::io::stdin().lock(), opts, startup, Style::plain())
}

/// Prints a failure's diagnostic; the exit status.
fn report(r: Result<(), Failure>) -> i32 {
    match r {
        Ok(()) => exit::OK,
        Err(f) => {
            emit_stderr(&f.rendered);
            f.status
        }
    }
}

/// The run options' own names, which after FILE go to the program, not to tinyasync.
const RUN_FLAGS: [&str; 8] = [
    "--virtual-time",
    "--trace",
    "--timeline",
    "--trace-json",
    "--timeline-html",
    "--max-steps",
    "--max-memory",
    "--timeout",
];

fn run(program: Program, bare_stdin: bool, args: Vec<OsString>, opts: &RunOpts, style: Style) -> i32 {
    let mut argv = vec![program.argv0(bare_stdin)];
    argv.extend(args.iter().map(|a| a.to_string_lossy().into_owned()));
    let src = match program.read() {
        Ok(s) => s,
        Err(f) => return report(Err(f)),
    };
    // `tinyasync run prog.ta --virtual-time` once set the option; now the program gets it.
    for a in &argv[1..] {
        let flag = a.split('=').next().unwrap_or_default();
        if RUN_FLAGS.contains(&flag) {
            emit_stderr(&format!(
                "note: `{}` comes after the program, so it is the program's argument (sys.argv); \
                 tinyasync's options go before the file\n",
                flag
            ));
        }
    }
    crate::limits::install_signal_handlers();
    let out = crate::interp::Output::Stdout(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()));
    let options = opts.to_options(argv);
    let derived = (opts.trace_json.is_none()).then(|| options.trace_json.clone()).flatten();
    let (r, _) = driver::run_program(&src, options, out, style);
    emit_stderr(&r.stderr);
    if let Some(path) = derived {
        // `--trace=json` chose the file: say which.
        emit_stderr(&format!(
            "tinyasync: the trace is in {} (open it in https://ui.perfetto.dev or chrome://tracing)\n",
            path.display()
        ));
    }
    r.status
}

/// Writes to stderr. A failed write has nowhere to be reported, so it is dropped (`eprint!`
/// would panic on a full or broken stderr).
fn emit_stderr(s: &str) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(s.as_bytes());
}

/// Writes text that is the command's output (`parse`): a closed pipe ends it quietly (exit 0),
/// any other write error is reported as CPython reports it (exit 1).
fn write_stdout(bytes: &[u8]) -> i32 {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => exit::OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            let what = format!("{} (writing the output)", crate::interp::os_error_text(&e));
            emit_stderr(&diagnostics::render_simple(&what));
            exit::RUNTIME_ERROR
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(words: &str) -> String {
        let argv = words.split(' ').map(OsString::from).collect();
        let out: Vec<String> =
            end_options_after_code(argv).into_iter().map(|w| w.to_string_lossy().into_owned()).collect();
        out.join(" ")
    }

    #[test]
    fn words_after_code_are_the_programs() {
        assert_eq!(split("t -c CODE"), "t -c CODE --");
        assert_eq!(split("t -c CODE --trace -c x"), "t -c CODE -- --trace -c x");
        assert_eq!(split("t --trace --timeout 5 -c CODE a"), "t --trace --timeout 5 -c CODE -- a");
        assert_eq!(split("t --timeout=5 -cCODE a"), "t --timeout=5 -cCODE -- a");
        assert_eq!(split("t --timeout -c -c CODE"), "t --timeout -c -c CODE --");
        assert_eq!(split("t -c"), "t -c");
        assert_eq!(split("t FILE -c x"), "t FILE -c x");
        assert_eq!(split("t run -c x"), "t run -c x");
        assert_eq!(split("t - -c x"), "t - -c x");
        assert_eq!(split("t -- -c x"), "t -- -c x");
    }

    #[test]
    fn flag_values() {
        assert_eq!(parse_steps("1"), Ok(1));
        assert_eq!(parse_steps(&u64::MAX.to_string()), Ok(u64::MAX));
        for bad in ["0", "-1", "1.5", "1e3", "", " ", "ten", "18446744073709551616", "+5", "0x10"] {
            assert!(parse_steps(bad).is_err(), "{bad:?}");
            assert!(parse_megabytes(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_seconds("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_seconds("1e20"), Ok(Duration::MAX));
        assert_eq!(parse_seconds("1e-300"), Ok(Duration::from_nanos(1)));
        for bad in ["0", "-0", "-1", "nan", "NaN", "inf", "-inf", "infinity", "", "ten", "1s"] {
            assert!(parse_seconds(bad).is_err(), "{bad:?}");
        }
    }
}
