//! Helpers shared by the integration tests: run the binary on a program text.

#![allow(dead_code)]

use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Writes `src` to a fresh temporary `.ta` file and returns its path.
pub fn temp_program(src: &str) -> std::path::PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("tinyasync-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("prog{}.ta", n));
    std::fs::write(&path, src).expect("write temp program");
    path
}

pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

pub fn run_args(src: &str, args: &[&str]) -> Run {
    let path = temp_program(src);
    let out: Output = Command::new(env!("CARGO_BIN_EXE_tinyasync"))
        .arg("run")
        .args(args)
        .arg(&path)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&path.display().to_string(), "prog.ta");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
        code: out.status.code().unwrap_or(-1),
    }
}

/// Runs with the virtual clock.
pub fn run(src: &str) -> Run {
    run_args(src, &["--virtual-time"])
}

/// Runs every `NAME.ta` in `dir` (under tests/) with `run --virtual-time` and the given
/// environment, and compares its stdout and exit status with CPython's (`NAME.out`,
/// `NAME.code`). Returns how many programs ran; panics listing every difference.
pub fn differential(dir: &str, env: &[(&str, &str)]) -> usize {
    differential_except(dir, env, &[])
}

/// `differential`, leaving out the programs whose names start with one of `skip`.
pub fn differential_except(dir: &str, env: &[(&str, &str)], skip: &[&str]) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(dir);
    let mut programs: Vec<_> = std::fs::read_dir(&dir)
        .expect("the program folder exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ta"))
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            !skip.iter().any(|s| name.starts_with(s))
        })
        .collect();
    programs.sort();
    let mut failures = Vec::new();
    for p in &programs {
        let expected_out = std::fs::read_to_string(p.with_extension("out")).expect("NAME.out exists");
        let expected_code: i32 = std::fs::read_to_string(p.with_extension("code"))
            .expect("NAME.code exists")
            .trim()
            .parse()
            .expect("NAME.code holds a number");
        let out = Command::new(env!("CARGO_BIN_EXE_tinyasync"))
            .args(["run", "--virtual-time"])
            .arg(p)
            .envs(env.iter().copied())
            .output()
            .expect("the binary runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let code = out.status.code().unwrap_or(-1);
        if stdout != expected_out || code != expected_code {
            let first_diff = stdout
                .lines()
                .zip(expected_out.lines())
                .position(|(a, b)| a != b)
                .map(|i| {
                    format!(
                        "line {}: got {:?}, want {:?}",
                        i + 1,
                        stdout.lines().nth(i).unwrap_or(""),
                        expected_out.lines().nth(i).unwrap_or("")
                    )
                })
                .unwrap_or_else(|| "output lengths differ".into());
            failures.push(format!(
                "{}: exit {} (want {}); {}\nstderr: {}",
                p.display(),
                code,
                expected_code,
                first_diff,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} programs differ from CPython:\n{}",
        failures.len(),
        programs.len(),
        failures.join("\n")
    );
    programs.len()
}
