//! The `tinyasync` command line: `run`, `check`, `parse` and `repl`.

use clap::{Parser, Subcommand};

/// mimalloc: the interpreter allocates many small objects (frames, Rc boxes, AST nodes), where
/// it is markedly faster than the system allocator. `Counting` keeps the live-byte total that
/// `--max-memory` reads.
#[global_allocator]
static GLOBAL: tinyasync::limits::Counting<tinyasync::limits::Mimalloc> =
    tinyasync::limits::Counting(tinyasync::limits::Mimalloc);
use std::path::PathBuf;
use std::process::ExitCode;
use tinyasync::diagnostics::{exit, Style};
use tinyasync::driver;

#[derive(Parser)]
#[command(
    name = "tinyasync",
    version,
    about = "A tiny Python-like language with generators, async/await and a built-in scheduler"
)]
#[command(
    after_help = "Exit status: 0 success, 1 uncaught runtime error, 2 usage/file/syntax error, 3 deadlock, 4 resource limit, 130 interrupted."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a program.
    Run {
        /// The program (a .ta file).
        file: PathBuf,
        /// Use a virtual clock: sleeps take no real time.
        #[arg(long)]
        virtual_time: bool,
        /// Write one line per scheduler event (spawn, run, wait, wake, ...) to stderr.
        #[arg(long)]
        trace: bool,
        /// Stop after N steps (a statement or a loop iteration); exit 4.
        #[arg(long, value_name = "N")]
        max_steps: Option<u64>,
        /// Stop when the program holds more than MB megabytes; exit 4.
        #[arg(long, value_name = "MB")]
        max_memory: Option<u64>,
        /// Stop after SECONDS of wall-clock time; exit 4.
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
    },
    /// Parse a program and run the static checks only.
    Check { file: PathBuf },
    /// Print the syntax tree of a program.
    Parse { file: PathBuf },
    /// Start the interactive prompt (also what plain `tinyasync` does).
    Repl {
        /// Use a virtual clock: sleeps take no time, and the clock moves only while an input runs.
        #[arg(long)]
        virtual_time: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = driver::with_big_stack(move || run(cli));
    ExitCode::from(status as u8)
}

fn run(cli: Cli) -> i32 {
    let style = Style::for_stderr();
    let result = match cli.command {
        Some(Command::Check { file }) => {
            driver::read_source(&file).and_then(|src| driver::check(&src, style).map(|_| ()))
        }
        Some(Command::Parse { file }) => driver::read_source(&file)
            .and_then(|src| driver::parse_to_text(&src, style))
            .map(|text| print!("{}", text)),
        Some(Command::Run { file, virtual_time, trace, max_steps, max_memory, timeout }) => {
            let src = match driver::read_source(&file) {
                Ok(s) => s,
                Err(f) => {
                    eprint!("{}", f.rendered);
                    return f.status;
                }
            };
            let timeout = match timeout {
                Some(t) if !(t.is_finite() && t > 0.0) => {
                    eprintln!("error: --timeout takes a positive number of seconds");
                    return exit::USAGE;
                }
                t => t.map(std::time::Duration::from_secs_f64),
            };
            tinyasync::limits::install_signal_handlers();
            let opts = tinyasync::interp::Options {
                virtual_time,
                trace,
                max_steps,
                max_memory: max_memory.map(|mb| (mb as usize).saturating_mul(1 << 20)),
                timeout,
                ..Default::default()
            };
            let out = tinyasync::interp::Output::Stdout(std::io::BufWriter::with_capacity(
                1 << 16,
                std::io::stdout(),
            ));
            let (r, _) = driver::run_program(&src, opts, out, style);
            eprint!("{}", r.stderr);
            return r.status;
        }
        Some(Command::Repl { virtual_time }) => {
            let opts = tinyasync::interp::Options { virtual_time, ..Default::default() };
            use std::io::IsTerminal;
            if std::io::stdin().is_terminal() {
                return tinyasync::repl::term::run_terminal_with(opts, None);
            }
            return tinyasync::repl::run_piped(std::io::stdin().lock(), opts, Style::plain());
        }
        None => {
            use std::io::IsTerminal;
            if std::io::stdin().is_terminal() {
                return tinyasync::repl::term::run_terminal();
            }
            let opts = tinyasync::interp::Options::default();
            return tinyasync::repl::run_piped(std::io::stdin().lock(), opts, Style::plain());
        }
    };
    match result {
        Ok(()) => exit::OK,
        Err(f) => {
            eprint!("{}", f.rendered);
            f.status
        }
    }
}
