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

/// Runs the binary with `stdin` as its standard input (None: no input at all).
fn run_stdin(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run tinyasync");
    let mut input = child.stdin.take().expect("stdin");
    // A program that does not read all its input may close the pipe first.
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().expect("output")
}

const PRINT_ARGV: &[u8] = b"import sys\nprint(sys.argv)\n";

#[test]
fn a_file_runs_with_its_arguments_like_python3_file() {
    let f = Temp::file("argv.ta", PRINT_ARGV);
    let path = f.0.display().to_string();
    // Every word after FILE is the program's, as with python3: `-x`, `--help`, even `-c`.
    let out = run(&[&path, "a", "-x", "--help", "-c", "b c"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("['{path}', 'a', '-x', '--help', '-c', 'b c']\n"));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    // The same through `run`.
    let out = run(&["run", &path, "a", "-x"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("['{path}', 'a', '-x']\n"));
    // Without arguments.
    let out = run(&[&path], None);
    assert_eq!(text(&out.stdout), format!("['{path}']\n"));
}

#[test]
fn run_options_go_before_the_file_in_both_forms() {
    let f = Temp::file("clock.ta", b"import sys\nawait sleep(1000)\nprint(now(), sys.argv[1:])\n");
    let path = f.0.display().to_string();
    let g = Temp::file("argv.ta", PRINT_ARGV);
    let argv_path = g.0.display().to_string();
    for form in [vec![], vec!["run"]] {
        let mut args = form.clone();
        args.extend(["--virtual-time", "--max-steps", "100", "--timeout", "60", "--max-memory", "512"]);
        args.extend([path.as_str(), "x"]);
        let out = run(&args, None);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "1000.0 ['x']\n", "{args:?}");
        // --trace before the file traces; after it, it is the program's (with a note, since
        // `run FILE --trace` once meant the option).
        let mut args = form.clone();
        args.extend(["--virtual-time", "--trace", path.as_str()]);
        let out = run(&args, None);
        assert!(text(&out.stderr).contains("] run       main"), "{args:?}: {}", text(&out.stderr));
        let mut args = form.clone();
        args.extend([argv_path.as_str(), "--virtual-time", "--trace"]);
        let out = run(&args, None);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), format!("['{argv_path}', '--virtual-time', '--trace']\n"), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("] run       main"), "{args:?}: {stderr}");
        assert!(stderr.contains("note: `--virtual-time` comes after the program"), "{stderr}");
        assert!(stderr.contains("note: `--trace` comes after the program"), "{stderr}");
    }
}

#[test]
fn dash_c_runs_code_and_the_words_after_it_are_the_programs() {
    // python3 -c 'import sys; print(sys.argv)' a -b --trace -c prints ['-c', 'a', '-b', '--trace', '-c'].
    let code = "import sys; print(sys.argv)";
    let out = run(&["-c", code, "a", "-b", "--trace", "-c"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "['-c', 'a', '-b', '--trace', '-c']\n");
    // Options before -c are tinyasync's.
    let out = run(&["--virtual-time", "-c", "await sleep(5)\nprint(now())"], None);
    assert_eq!(text(&out.stdout), "5.0\n", "{}", text(&out.stderr));
    // Its source is named <string>, as in CPython, and the statuses are those of `run`.
    let out = run(&["-c", "x = 1\nprint(x / 0)"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("File \"<string>\", line 2, in <module>"), "{}", text(&out.stderr));
    let out = run(&["-c", "if"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("<string>:1:"), "{}", text(&out.stderr));
    let out = run(&["-c"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("a value is required for '-c <CODE>'"), "{}", text(&out.stderr));
}

#[test]
fn dash_reads_the_program_from_stdin() {
    for args in [vec!["-", "a", "-b"], vec!["run", "-", "a", "-b"]] {
        let out = run_stdin(&args, PRINT_ARGV);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        // As `python3 - a -b` prints.
        assert_eq!(text(&out.stdout), "['-', 'a', '-b']\n", "{args:?}");
    }
    let out = run_stdin(&["check", "-"], b"x = (1,\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("<stdin>:1:"), "{}", text(&out.stderr));
    let out = run_stdin(&["parse", "-"], b"x = 1 + 2 * 3\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "assign x = (+ 1 (* 2 3))  @1:1\n");
    let out = run_stdin(&["-"], b"x = '\xe9'\n");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: cannot read the program from stdin: it is not valid UTF-8 (invalid byte at offset 5)\n"
    );
}

/// `tinyasync < prog.ta` runs stdin as one program, as `python3 < prog.py` does: a blank line
/// inside a class is no end of input, and the exit status is that of the run.
#[test]
fn piped_stdin_without_a_file_is_one_program() {
    let prog = b"class A:\n    x = 1\n\n    def f(self):\n        return self.x + 1\n\n\nprint(A().f())\nimport sys\nprint(sys.argv)\n";
    let out = run_stdin(&[], prog);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // python3 < prog.py prints 2 and [''].
    assert_eq!(text(&out.stdout), "2\n['']\n");
    let out = run_stdin(&[], b"print('before')\nprint(1/0)\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "before\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("File \"<stdin>\", line 2, in <module>"), "{stderr}");
    assert!(stderr.contains("ZeroDivisionError: division by zero"), "{stderr}");
    // The label is on the divisor (`this is zero`).
    assert!(stderr.contains("<stdin>:2:9"), "{stderr}");
    // The run options apply; the other statuses are those of `run`.
    let out = run_stdin(&["--virtual-time"], b"await sleep(9)\nprint(now())\n");
    assert_eq!(text(&out.stdout), "9.0\n", "{}", text(&out.stderr));
    assert_eq!(run_stdin(&[], b"if\n").status.code(), Some(2));
    assert_eq!(run_stdin(&[], b"await Queue().get()\n").status.code(), Some(3));
    assert_eq!(run_stdin(&["--max-steps", "10"], b"while True:\n    pass\n").status.code(), Some(4));
    // Every statement is a step, those with no temporaries to free (a `Tick`) too: the
    // module's two, then `a`, `b`, `c`; the sixth is the `print`.
    let program = b"def f():\n    a = 1\n    b = 2\n    c = 3\n    print('reached')\nf()\n";
    let out = run_stdin(&["--max-steps", "5"], program);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("<stdin>:5:5"), "{}", text(&out.stderr));
    assert_eq!(text(&run_stdin(&["--max-steps", "6"], program).stdout), "reached\n");
    // Empty input is an empty program.
    let out = run_stdin(&[], b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn a_file_named_like_a_command_runs_as_dot_slash_name_or_after_run() {
    let dir = Temp::dir("commands");
    std::fs::write(dir.0.join("run"), "print('the file run')\n").expect("write");
    for args in [["./run", ""], ["run", "run"]] {
        let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
        let out = Command::new(BIN).args(&args).current_dir(&dir.0).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "the file run\n", "{args:?}");
    }
}

#[test]
fn a_mistyped_command_reads_as_a_missing_file_with_a_hint() {
    let out = run(&["chek", "prog.ta"], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: cannot read 'chek': no such file\nhelp: the commands are run, check, parse, dis and repl (see --help)\n"
    );
    // A missing file that looks like a file gets no hint.
    let f = Temp::missing("gone.ta");
    let out = run(&[&f.0.display().to_string()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(!text(&out.stderr).contains("help:"), "{}", text(&out.stderr));
}

/// Every flag with extreme values, in both forms: a usage error naming the flag (exit 2), or a
/// run when the value means something.
#[test]
fn flag_values_are_checked() {
    let f = Temp::file("ok.ta", b"print('ok')\n");
    let path = f.0.display().to_string();
    let bad: &[(&str, &str, &str)] = &[
        ("--timeout", "0", "must be more than 0 seconds"),
        ("--timeout", "-0", "must be more than 0 seconds"),
        ("--timeout", "-1", "must be more than 0 seconds"),
        ("--timeout", "-1e20", "must be more than 0 seconds"),
        ("--timeout", "nan", "expected a finite number of seconds"),
        ("--timeout", "NaN", "expected a finite number of seconds"),
        ("--timeout", "inf", "expected a finite number of seconds"),
        ("--timeout", "-inf", "expected a finite number of seconds"),
        ("--timeout", "1e400", "expected a finite number of seconds"),
        ("--timeout", "ten", "expected a number of seconds"),
        ("--timeout", "", "expected a number of seconds"),
        ("--timeout", "5s", "expected a number of seconds"),
        ("--max-steps", "0", "must be 1 or more"),
        ("--max-steps", "-1", "expected a whole number of steps"),
        ("--max-steps", "1.5", "expected a whole number of steps"),
        ("--max-steps", "1e9", "expected a whole number of steps"),
        ("--max-steps", "nan", "expected a whole number of steps"),
        ("--max-steps", "18446744073709551616", "too large: at most 18446744073709551615 steps"),
        ("--max-steps", "99999999999999999999999999999", "too large"),
        ("--max-memory", "0", "must be 1 or more"),
        ("--max-memory", "-5", "expected a whole number of megabytes"),
        ("--max-memory", "0.5", "expected a whole number of megabytes"),
        ("--max-memory", "inf", "expected a whole number of megabytes"),
        ("--max-memory", "18446744073709551616", "too large: at most 18446744073709551615 megabytes"),
    ];
    for (flag, value, why) in bad {
        for form in [&["run"][..], &[][..]] {
            let mut args = form.to_vec();
            args.extend([*flag, *value, path.as_str()]);
            let out = run(&args, None);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
            assert!(out.stdout.is_empty(), "{args:?}");
            let stderr = text(&out.stderr);
            assert!(stderr.contains(&format!("for '{flag} <")), "{args:?}: {stderr}");
            assert!(stderr.contains(why), "{args:?} wants {why:?}: {stderr}");
        }
    }
    // A flag without its value.
    let out = run(&["--timeout"], None);
    assert_eq!(out.status.code(), Some(2));
    // Values that mean something run: the largest counts, and timeouts too long for the clock
    // (they are clamped to the longest one, never reached) or shorter than a nanosecond.
    let good: &[(&str, &str)] = &[
        ("--timeout", "1e20"),
        ("--timeout", "1e300"),
        ("--timeout", "1.7976931348623157e308"),
        ("--timeout", "0.001"),
        ("--timeout", "1e-300"),
        ("--max-steps", "18446744073709551615"),
        ("--max-steps", "2"),
        ("--max-memory", "18446744073709551615"),
        ("--max-memory", "100000"),
    ];
    for (flag, value) in good {
        for form in [&["run"][..], &[][..]] {
            let mut args = form.to_vec();
            args.extend([*flag, *value, path.as_str()]);
            let out = run(&args, None);
            assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
            assert_eq!(text(&out.stdout), "ok\n", "{args:?}");
        }
    }
    // The smallest limits are reached (exit 4), not refused.
    let f = Temp::file("loop.ta", b"x = []\nwhile True:\n    x.append('x' * 1000)\n");
    let path = f.0.display().to_string();
    for (flag, value) in [("--max-steps", "1"), ("--timeout", "1e-9"), ("--max-memory", "1")] {
        let out = run_within(&[flag, value, &path], 60).expect("the limit stops the loop");
        assert_eq!(out.status.code(), Some(4), "{flag} {value}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(flag), "{}", text(&out.stderr));
    }
    // The run options need a program.
    let out = run(&["--trace", "check", &path], None);
    assert_eq!(out.status.code(), Some(2));
}

/// Opens /dev/full, where every write fails with ENOSPC.
fn dev_full() -> std::fs::File {
    std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full")
}

#[test]
fn a_full_disk_is_an_error_but_a_closed_pipe_is_not() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/generators.ta");
    let full = "error: OSError: [Errno 28] No space left on device (writing the output)\n";
    for args in [vec!["run", example], vec![example], vec!["parse", example]] {
        let out = Command::new(BIN).args(&args).stdout(dev_full()).output().expect("runs");
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stderr), full, "{args:?}");
    }
    // Output larger than the buffer fails during the run: an OSError the program could catch,
    // raised by the print that found the disk full.
    let f = Temp::file("big.ta", b"for i in range(100000):\n    print('line', i)\n");
    let out = Command::new(BIN).arg(&f.0).env("NO_COLOR", "1").stdout(dev_full()).output().expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("OSError: [Errno 28] No space left on device"), "{stderr}");
    assert!(stderr.contains("line 2, in <module>"), "{stderr}");
    let f = Temp::file(
        "caught.ta",
        b"try:\n    for i in range(100000):\n        print('line', i)\nexcept OSError as e:\n    pass\n",
    );
    let out = Command::new(BIN).arg(&f.0).stdout(dev_full()).output().expect("runs");
    // Caught; the output still cannot be written at the end.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), full);
    // A closed pipe: quiet, status 0 (`tinyasync parse big.ta | head -1`).
    let big = "x = 1\n".repeat(200_000);
    let f = Temp::file("many.ta", big.as_bytes());
    let mut child = Command::new(BIN)
        .arg("parse")
        .arg(&f.0)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("waits");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

/// A full stderr loses the diagnostics but changes no status (no panic, exit 101).
#[test]
fn a_full_stderr_keeps_the_status() {
    let f = Temp::file("fails.ta", b"async def w():\n    await sleep(0)\nspawn(w())\nprint(1/0)\n");
    let out = Command::new(BIN).args(["--trace"]).arg(&f.0).stderr(dev_full()).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let out = Command::new(BIN).args(["--timeout", "0"]).stderr(dev_full()).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sys_argv_in_the_piped_repl_is_a_lone_empty_string() {
    let out = run_stdin(&["repl"], b"import sys\nsys.argv\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "['']\n");
}
