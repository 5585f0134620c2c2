//! The command line: exit statuses, where output goes, and file errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_tinyasync");

/// A file (or directory) under the temp dir with a unique name, removed on drop.
struct Temp(PathBuf);

impl Temp {
    fn path(name: &str) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        std::env::temp_dir().join(format!("tinyasync-cli-{}-{}-{}", std::process::id(), n, name))
    }
    fn file(name: &str, bytes: &[u8]) -> Temp {
        let p = Temp::path(name);
        std::fs::write(&p, bytes).expect("write temp file");
        Temp(p)
    }
    fn dir(name: &str) -> Temp {
        let p = Temp::path(name);
        std::fs::create_dir_all(&p).expect("create temp dir");
        Temp(p)
    }
    fn missing(name: &str) -> Temp {
        Temp(Temp::path(name))
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ =
            if self.0.is_dir() { std::fs::remove_dir_all(&self.0) } else { std::fs::remove_file(&self.0) };
    }
}

fn run(args: &[&str], file: Option<&Path>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env("NO_COLOR", "1");
    if let Some(f) = file {
        cmd.arg(f);
    }
    cmd.output().expect("run tinyasync")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn version() {
    let out = run(&["--version"], None);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.contains(env!("CARGO_PKG_VERSION")), "{stdout}");
    assert!(stdout.contains("tinyasync"), "{stdout}");
}

#[test]
fn help() {
    let out = run(&["--help"], None);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    for cmd in ["run", "check", "parse", "repl"] {
        assert!(stdout.contains(cmd), "--help does not mention `{cmd}`:\n{stdout}");
    }
}

#[test]
fn check_good_file() {
    let f = Temp::file("good.ta", b"def f(x):\n    return x + 1\nprint(f(1))\n");
    let out = run(&["check"], Some(&f.0));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "stdout: {}", text(&out.stdout));
    assert!(out.stderr.is_empty(), "stderr: {}", text(&out.stderr));
}

#[test]
fn check_bad_file() {
    let f = Temp::file("bad.ta", b"x = 1\nif x > 0\n    print(x)\n");
    let out = run(&["check"], Some(&f.0));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "stdout: {}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("expected ':'"), "{stderr}");
    let location = format!("{}:2:9", f.0.display());
    assert!(stderr.contains(&location), "stderr lacks `{location}`:\n{stderr}");
}

#[test]
fn parse_prints_the_tree() {
    let f = Temp::file("tree.ta", b"x = 1 + 2 * 3\nprint(x)\n");
    let out = run(&["parse"], Some(&f.0));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "assign x = (+ 1 (* 2 3))  @1:1\nexpr (call print x)  @2:1\n");
    assert!(out.stderr.is_empty(), "stderr: {}", text(&out.stderr));
}

/// A file error: status 2, nothing on stdout, one line on stderr naming the file.
fn assert_file_error(out: &Output, file: &Path, why: &str) {
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "stdout: {}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "expected a one-line error:\n{stderr}");
    assert!(stderr.contains(&file.display().to_string()), "the error does not name the file:\n{stderr}");
    assert!(stderr.contains(why), "expected `{why}` in:\n{stderr}");
}

#[test]
fn missing_file() {
    let f = Temp::missing("missing.ta");
    for cmd in ["run", "check", "parse"] {
        assert_file_error(&run(&[cmd], Some(&f.0)), &f.0, "no such file");
    }
}

#[test]
fn directory() {
    let d = Temp::dir("a-directory.ta");
    for cmd in ["run", "check", "parse"] {
        assert_file_error(&run(&[cmd], Some(&d.0)), &d.0, "directory");
    }
}

#[test]
fn non_utf8_file() {
    // "x = '" then an invalid byte at offset 5.
    let f = Temp::file("latin1.ta", b"x = '\xe9'\n");
    for cmd in ["run", "check", "parse"] {
        assert_file_error(&run(&[cmd], Some(&f.0)), &f.0, "offset 5");
    }
}

#[test]
fn empty_file_runs() {
    let f = Temp::file("empty.ta", b"");
    let out = run(&["run"], Some(&f.0));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "stdout: {}", text(&out.stdout));
    assert!(out.stderr.is_empty(), "stderr: {}", text(&out.stderr));
}

/// Runs the binary with a deadline; None if it had to be killed.
fn run_within(args: &[&str], secs: u64) -> Option<Output> {
    let mut child = Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run tinyasync");
    // Read stdout on a thread, so a large output cannot fill the pipe and stall the child.
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut v);
        v
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut out = child.wait_with_output().expect("output");
    out.stdout = reader.join().expect("reader");
    Some(out)
}

/// `parse` prints `line:col` for every statement from one index of the source: 300,000
/// statements (3 MB) take about a second in a debug build. Counting newlines from the start of
/// the file for each statement, as it once did, took hours.
#[test]
fn parse_is_linear_in_the_size_of_the_file() {
    let mut src = "x = 'é'\n".repeat(150_000);
    // Many statements on one long line too: columns are looked up, not counted.
    src.push_str(&"y = 1; ".repeat(150_000));
    src.push('\n');
    let f = Temp::file("big.ta", src.as_bytes());
    let path = f.0.display().to_string();
    let out = run_within(&["parse", &path], 60).expect("parse of 3 MB took over a minute");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 300_000);
    assert!(stdout.starts_with("assign x = 'é'  @1:1\nassign x = 'é'  @2:1\n"), "{}", &stdout[..100]);
    assert!(stdout.ends_with("assign y = 1  @150001:1049994\n"), "{}", &stdout[stdout.len() - 100..]);
}
