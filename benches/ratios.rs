//! `cargo bench --bench ratios`: each workload under tinyasync and under python3 in one run,
//! printed as the ratio tinyasync ÷ python3 (below 1: tinyasync is faster) beside the target of
//! issue 18. Each side runs `RUNS` times, interleaved, and the minimum counts (the machine's
//! other tenants only ever add time). The time of a workload is the processor time the run
//! took (user and system, as the kernel counts it for a child process), not the wall clock:
//! on a shared machine the wall clock also counts the time the run waited for a processor,
//! which moved the ratios by up to 0.4 from one run to the next. Startup, which a user waits
//! for, is wall-clock time. Where the two programs do different amounts of work (the
//! built-in scheduler against a hand-written deque scheduler), the times are divided by the
//! work first. Without python3 on PATH the ratios are skipped with a message.
//!
//! README's performance table is this output.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 7;

struct Pair {
    what: &'static str,
    /// tinyasync's program and the units of work it does.
    ta: (&'static str, u64),
    /// python3's program and its units of work.
    py: (&'static str, u64),
    target: f64,
}

const PAIRS: &[Pair] = &[
    Pair { what: "`fib` (recursive calls)", ta: ("fib.py", 1), py: ("fib.py", 1), target: 0.7 },
    Pair { what: "`loop` (arithmetic in a `while`)", ta: ("loop.py", 1), py: ("loop.py", 1), target: 0.5 },
    Pair {
        what: "`objects` (instances, attributes, methods)",
        ta: ("objects.py", 1),
        py: ("objects.py", 1),
        target: 0.7,
    },
    Pair { what: "`strings`", ta: ("strings.py", 1), py: ("strings.py", 1), target: 0.7 },
    Pair {
        what: "`switch` (generators switched by a deque)",
        ta: ("switch.py", 1),
        py: ("switch.py", 1),
        target: 0.7,
    },
    Pair {
        what: "built-in scheduler, a switch by `yield` (per switch, against `switch.py`)",
        ta: ("sched_yield.ta", 1_000_000),
        py: ("switch.py", 5_000_000),
        target: 0.5,
    },
    Pair {
        what: "built-in scheduler, a switch by `await sleep(0)` (per switch, against `switch.py`)",
        ta: ("sched_switch.ta", 1_000_000),
        py: ("switch.py", 5_000_000),
        target: 0.5,
    },
    Pair {
        what: "built-in scheduler, a spawn (per task, against `spawn.py`)",
        ta: ("sched_spawn.ta", 1_000_000),
        py: ("spawn.py", 500_000),
        target: 0.5,
    },
    Pair {
        what: "built-in scheduler, a `Queue(10)` hand-off (per item, against `pingpong.py`)",
        ta: ("sched_pingpong.ta", 1_000_000),
        py: ("pingpong.py", 1_000_000),
        target: 0.5,
    },
];

fn program(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/programs").join(name)
}

/// How long one run takes on the wall clock; the run must succeed.
fn time(cmd: &str, args: &[&str], file: &str) -> Duration {
    let start = Instant::now();
    run(cmd, args, file);
    start.elapsed()
}

/// The processor time (user and system) one run takes; the run must succeed.
fn cpu_time(cmd: &str, args: &[&str], file: &str) -> Duration {
    let before = children_cpu();
    run(cmd, args, file);
    children_cpu().saturating_sub(before)
}

fn run(cmd: &str, args: &[&str], file: &str) {
    let out = Command::new(cmd).args(args).arg(program(file)).output().expect("the program starts");
    assert!(out.status.success(), "{cmd} {file} failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// The processor time of the child processes that have ended and been waited for so far
/// (`Command::output` waits for its child).
fn children_cpu() -> Duration {
    use nix::libc;
    // SAFETY: `rusage` is plain data, for which all zeroes is a valid value, and `getrusage`
    // only writes the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: as above; RUSAGE_CHILDREN is a valid `who`, so the call cannot fail.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn main() {
    // `cargo bench` passes `--bench`; a name filter other than this target's skips the run.
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    if !filter.is_empty() && !filter.iter().any(|f| "ratios".contains(f.as_str())) {
        return;
    }
    // The interpreter itself, not a launcher script in front of it (pyenv's shims add tens of
    // milliseconds to every run).
    let python = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable, sys.version.split()[0])"])
        .output();
    let found = python
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let Some((py, version)) = found.as_deref().and_then(|s| s.rsplit_once(' ')) else {
        println!("ratios: python3 is not on PATH, nothing to compare against: skipped");
        return;
    };
    let ta = env!("CARGO_BIN_EXE_tinyasync");
    println!(
        "tinyasync ÷ python3 {version} ({py}), processor time, the minimum of {RUNS} interleaved runs of each:\n"
    );
    println!("| workload | tinyasync ÷ python3 | issue 18's target |");
    println!("|---|---|---|");
    for p in PAIRS {
        let (mut best_ta, mut best_py) = (Duration::MAX, Duration::MAX);
        for _ in 0..RUNS {
            best_ta = best_ta.min(cpu_time(ta, &["run"], p.ta.0));
            best_py = best_py.min(cpu_time(py, &[], p.py.0));
        }
        let ratio = (best_ta.as_secs_f64() / p.ta.1 as f64) / (best_py.as_secs_f64() / p.py.1 as f64);
        println!("| {} | {:.2} | ≤ {} |", p.what, ratio, p.target);
    }
    let startup = (0..RUNS).map(|_| time(ta, &["run"], "empty.py")).min().unwrap_or_default();
    let py_startup = (0..RUNS).map(|_| time(py, &[], "empty.py")).min().unwrap_or_default();
    println!(
        "| startup of an empty program (wall clock) | {:.1} ms (python3: {:.1} ms) | ≤ 5 ms |",
        startup.as_secs_f64() * 1e3,
        py_startup.as_secs_f64() * 1e3
    );
    // Memory: the peak RSS a program adds over an empty one, per task alive at once.
    let per_task = |cmd: &str, args: &[&str], file: &str| -> Option<u64> {
        let base = peak_kb(cmd, args, "empty.py")?;
        Some(peak_kb(cmd, args, file)?.saturating_sub(base) * 1024 / 100_000)
    };
    match (
        per_task(ta, &["run"], "sched_many.ta"),
        per_task(ta, &["run"], "many.py"),
        per_task(py, &[], "many.py"),
    ) {
        (Some(sched), Some(gens), Some(py_gens)) => {
            println!("| a live task of the built-in scheduler (`sched_many.ta`, 100,000 at once) | {sched} bytes | ≤ 200 bytes |");
            println!("| a live generator in a deque (`many.py`, 100,000 at once) | {gens} bytes (python3: {py_gens} bytes) | |");
        }
        _ => println!("(memory per task skipped: GNU time, /usr/bin/time, is not there)"),
    }
    // Reference cycles: peak RSS of a loop that makes 10,000,000 of them, under each.
    if let (Some(ours), Some(theirs)) = (peak_kb(ta, &["run"], "cycles.py"), peak_kb(py, &[], "cycles.py")) {
        println!(
            "| 10,000,000 objects each holding its own bound method (`cycles.py`), peak RSS | {} MB (python3: {} MB) | bounded |",
            ours / 1024,
            theirs / 1024
        );
    }
}

/// The peak resident set of one run in KiB, as GNU time reports it (None without it).
fn peak_kb(cmd: &str, args: &[&str], file: &str) -> Option<u64> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M", cmd])
        .args(args)
        .arg(program(file))
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    String::from_utf8_lossy(&out.stderr).lines().last()?.trim().parse().ok()
}
