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
