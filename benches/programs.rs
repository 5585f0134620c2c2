//! Whole programs under tinyasync and under python3, side by side in one run (absolute times on
//! shared machines are noise; compare the pairs). The workloads are the peer programs in
//! `benches/programs/` (plain Python that is also tinyasync); `sched_*` use tinyasync's built-in
//! scheduler and are paired with the same work under asyncio.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    divan::main();
}

fn program(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/programs").join(name)
}

/// The python3 interpreter itself, not a launcher script in front of it (pyenv's shims add tens
/// of milliseconds to every run).
fn python3_exe() -> &'static str {
    static PY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PY.get_or_init(|| {
        Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "python3".to_string())
    })
}

fn run(cmd: &str, args: &[&str], file: PathBuf) {
    let out = Command::new(cmd).args(args).arg(&file).output().expect("the program runs");
    assert!(
        out.status.success(),
        "{} {} failed: {}",
        cmd,
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

const PY: &[&str] = &["fib", "loop", "strings", "objects", "switch", "spawn", "many", "pingpong"];

#[divan::bench(args = PY, sample_count = 3, sample_size = 1)]
fn tinyasync(name: &str) {
    run(env!("CARGO_BIN_EXE_tinyasync"), &["run"], program(&format!("{name}.py")));
}

#[divan::bench(args = PY, sample_count = 3, sample_size = 1)]
fn python3(name: &str) {
    run(python3_exe(), &[], program(&format!("{name}.py")));
}

/// Built-in scheduler workloads and their asyncio counterparts.
const SCHED: &[(&str, &str)] = &[
    ("sched_switch.ta", "sched_switch_asyncio.py"),
    ("sched_spawn.ta", "sched_spawn_asyncio.py"),
    ("sched_pingpong.ta", "sched_pingpong_asyncio.py"),
];

/// 0: 1,000 tasks x 1,000 switches; 1: 1,000,000 spawns; 2: 1,000,000-item queue ping-pong.
#[divan::bench(args = [0, 1, 2], sample_count = 3, sample_size = 1)]
fn tinyasync_scheduler(i: usize) {
    run(env!("CARGO_BIN_EXE_tinyasync"), &["run"], program(SCHED[i].0));
}

#[divan::bench(args = [0, 1, 2], sample_count = 3, sample_size = 1)]
fn python3_asyncio(i: usize) {
    run(python3_exe(), &[], program(SCHED[i].1));
}

/// The cost of `--timeline`'s recording: 1,000,000 switches by `await sleep(0)` without and
/// with the flag (without it, each mark is one test that fails).
#[divan::bench(args = [false, true], sample_count = 3, sample_size = 1)]
fn switch_with_timeline(recording: bool) {
    let args: &[&str] = if recording { &["run", "--timeline"] } else { &["run"] };
    run(env!("CARGO_BIN_EXE_tinyasync"), args, program("sched_switch.ta"));
}

/// A task switch at the bottom of an await chain 1 and 50 coroutines deep (200,000 switches).
/// The VM resumes the innermost frame directly, so the depth should not change the time.
#[divan::bench(args = [1, 50], sample_count = 3, sample_size = 1)]
fn await_chain(depth: usize) {
    let file = program(&format!("sched_chain{depth}.ta"));
    run(env!("CARGO_BIN_EXE_tinyasync"), &["run", "--virtual-time"], file);
}

/// Scale (the scheduler issue's point 16): cancelling N tasks that wait on one queue, and the
/// deadlock report of N blocked tasks with N/10 sleepers and timers, each at N = 10,000 and
/// 100,000: ten times the input should take about ten times as long, not a hundred.
fn run_scale(file: &str, n: usize, status: i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_tinyasync"))
        .args(["run", "--virtual-time"])
        .arg(program(file))
        .arg(n.to_string())
        .output()
        .expect("the program runs");
    assert_eq!(out.status.code(), Some(status), "{}", String::from_utf8_lossy(&out.stderr));
}

#[divan::bench(args = [10_000, 100_000], sample_count = 3, sample_size = 1)]
fn cancel_waiters(n: usize) {
    run_scale("sched_cancel_waiters.ta", n, 0);
}

#[divan::bench(args = [10_000, 100_000], sample_count = 3, sample_size = 1)]
fn deadlock_report(n: usize) {
    run_scale("sched_deadlock_report.ta", n, 3);
}
