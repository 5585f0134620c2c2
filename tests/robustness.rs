//! Robustness: no input crashes tinyasync, output is never lost, programs can be bounded, and
//! programs cannot reach the file system.

mod common;
use common::{run, run_args, temp_program};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// A deterministic generator for the mutations (splitmix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(src: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = src.lines().map(String::from).collect();
    if lines.is_empty() {
        return String::new();
    }
    match rng.below(7) {
        0 => {
            let i = rng.below(lines.len());
            lines.remove(i);
        }
        1 => {
            let i = rng.below(lines.len());
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        2 => {
            let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
            lines.swap(i, j);
        }
        3..=5 => {
            // Token-level: drop, duplicate or swap whitespace-separated tokens of one line.
            let i = rng.below(lines.len());
            let indent: String = lines[i].chars().take_while(|c| c.is_whitespace()).collect();
            let mut toks: Vec<String> = lines[i].split_whitespace().map(String::from).collect();
            if !toks.is_empty() {
                let k = rng.below(toks.len());
                match rng.below(3) {
                    0 => {
                        toks.remove(k);
                    }
                    1 => {
                        let t = toks[k].clone();
                        toks.insert(k, t);
                    }
                    _ => {
                        let m = rng.below(toks.len());
                        toks.swap(k, m);
                    }
                }
            }
            lines[i] = format!("{}{}", indent, toks.join(" "));
        }
        _ => {
            // Cut the file short at a character boundary.
            let text = lines.join("\n");
            let mut cut = rng.below(text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            return text[..cut].to_string();
        }
    }
    lines.join("\n") + "\n"
}

fn programs() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["examples", "tests/compat", "tests/parse", "tests/syntax_errors", "tests/fuzz_regressions"] {
        if let Ok(rd) = std::fs::read_dir(root.join(dir)) {
            for e in rd.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "ta") {
                    out.push(p);
                }
            }
        }
    }
    out.sort();
    out
}

/// Mutates every program under examples/ and tests/ 200 times (drop, duplicate and swap lines
/// and tokens, cut the file short) and runs each mutant with limits: every run must end with a
/// diagnostic or normally. A panic fails the test (the harness reports it).
#[test]
fn mutated_programs_never_panic() {
    let paths = programs();
    assert!(paths.len() >= 100, "expected the example and test programs, found {}", paths.len());
    let (runs, statuses) = tinyasync::driver::with_big_stack(move || {
        let mut runs = 0;
        let mut statuses = std::collections::BTreeMap::new();
        for (n, p) in paths.iter().enumerate() {
            let src = std::fs::read_to_string(p).unwrap_or_default();
            let mut rng = Rng(n as u64 + 1);
            let mut current = src.clone();
            for k in 0..200 {
                // Mostly single mutations of the original, sometimes stacked ones.
                if k % 4 == 0 {
                    current = src.clone();
                }
                current = mutate(&current, &mut rng);
                let status = tinyasync::fuzzing::run_text(&current);
                *statuses.entry(status).or_insert(0) += 1;
                runs += 1;
            }
        }
        (runs, statuses)
    });
    // Every status is a documented one (130: a mutated program may raise KeyboardInterrupt).
    for s in statuses.keys() {
        assert!([0, 1, 2, 3, 4, 130].contains(s), "undocumented exit status {} in {:?}", s, statuses);
    }
    assert!(runs >= 20_000, "{} runs", runs);
    eprintln!("mutation runs: {} by exit status {:?}", runs, statuses);
}

/// Inputs the fuzzer found crashing, kept as regressions (tests/fuzz_regressions/).
#[test]
fn fuzz_regressions_do_not_crash() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    for e in std::fs::read_dir(dir).expect("directory exists").flatten() {
        let data = std::fs::read(e.path()).expect("readable");
        if let Ok(text) = std::str::from_utf8(&data) {
            let d = tinyasync::fuzzing::fast_path_disagreement(text);
            assert_eq!(d, None, "{}: the lexer's fast path disagrees with logos", e.path().display());
        }
        let status = tinyasync::fuzzing::run_bytes(&data);
        assert!([0, 1, 2, 3, 4].contains(&status), "{}: status {}", e.path().display(), status);
    }
}

#[test]
fn limits_end_the_program_with_exit_4_and_say_which_and_where() {
    let steps = run_args("i = 0\nwhile True:\n    i += 1\n", &["--virtual-time", "--max-steps", "1000"]);
    assert_eq!(steps.code, 4);
    insta::assert_snapshot!("max_steps", steps.stderr);
    let mem = run_args("x = []\nwhile True:\n    x.append('abcdefgh' * 16)\n", &["--max-memory", "20"]);
    assert_eq!(mem.code, 4, "{}", mem.stderr);
    insta::assert_snapshot!("max_memory", mem.stderr);
    // A result too large to build is a MemoryError, not an abort (expandtabs had no cap).
    let tabs = run("print('\\t'.expandtabs(10**18))\n");
    assert_eq!(tabs.code, 1, "{}", tabs.stderr);
    assert!(tabs.stderr.contains("MemoryError"), "{}", tabs.stderr);
    let mem2 = run_args("x = [0] * 100000000\n", &["--max-memory", "20"]);
    assert_eq!(mem2.code, 4, "one huge allocation is refused before it is made: {}", mem2.stderr);
    let start = std::time::Instant::now();
    let time = run_args("while True:\n    pass\n", &["--timeout", "0.3"]);
    assert_eq!(time.code, 4);
    assert!(time.stderr.contains("the time limit (0.3 s, --timeout) was reached"), "{}", time.stderr);
    assert!(time.stderr.contains("prog.ta:"), "{}", time.stderr);
    assert!(start.elapsed().as_secs() < 20);
    // Each power of a million bits takes a while: the limit is checked after each one, not
    // only every 1,024 steps (which let a fuzz input of such powers run 35 s past a 10 s
    // limit). Before, this loop ran 1,024 powers before the first check.
    let start = std::time::Instant::now();
    let pow = run_args("while True:\n    x = 3 ** 1000000\n", &["--timeout", "0.3"]);
    assert_eq!(pow.code, 4, "{}", pow.stderr);
    assert!(pow.stderr.contains("the time limit (0.3 s, --timeout) was reached"), "{}", pow.stderr);
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    // One power of 64 million bits takes about 5 s; the limits are checked between its
    // squarings, so it stops soon after the limit (a fuzz input, 95**9101180, ran 30 s past
    // the fuzz target's 10 s limit when the check came only after the whole power).
    let start = std::time::Instant::now();
    let big = run_args("x = 95 ** 9101180\n", &["--timeout", "0.3"]);
    assert_eq!(big.code, 4, "{}", big.stderr);
    assert!(start.elapsed().as_secs() < 4, "{:?}", start.elapsed());
}

#[test]
fn recursion_through_dunders_and_sort_keys_is_a_recursion_error() {
    for src in [
        "class A:\n    def __eq__(self, o):\n        return self == o\nA() == A()\n",
        "class A:\n    def __repr__(self):\n        return repr(self)\nrepr(A())\n",
        "def k(x):\n    return sorted([1, 2], key=k)\nsorted([1, 2], key=k)\n",
        "def g():\n    yield from g()\nlist(g())\n",
    ] {
        let r = run(src);
        assert_eq!(r.code, 1, "{}\n{}", src, r.stderr);
        assert!(r.stderr.contains("RecursionError"), "{}\n{}", src, r.stderr);
    }
}

#[test]
fn output_is_flushed_before_diagnostics_and_limits() {
    let r = run_args("print('kept')\nwhile True:\n    pass\n", &["--max-steps", "500"]);
    assert_eq!(r.code, 4);
    assert_eq!(r.stdout, "kept\n");
    let r = run("print('kept')\nq = Queue()\nawait q.get()\n");
    assert_eq!(r.code, 3);
    assert_eq!(r.stdout, "kept\n");
}

/// Runs `src` until it prints its first line, then sends it `sig`; returns its stderr (the
/// run must stop with status 130).
fn stop_with_signal(src: &str, sig: &str) -> String {
    let path = temp_program(src);
    let mut child = Command::new(env!("CARGO_BIN_EXE_tinyasync"))
        .arg("run")
        .arg(&path)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("reads the first line");
    assert_eq!(line, "before\n");
    let status = Command::new("kill").args([sig, &child.id().to_string()]).status().expect("kill runs");
    assert!(status.success());
    let output = child.wait_with_output().expect("waits");
    assert_eq!(output.status.code(), Some(130));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn signal_test(sig: &str) {
    let stderr = stop_with_signal(
        "print('before', flush=True)\nasync def w():\n    await sleep(1000)\nspawn(w())\nwhile True:\n    pass\n",
        sig,
    );
    assert!(stderr.contains("the program was here"), "{}", stderr);
    assert!(stderr.contains("running: task 'main' (line 5)\n"), "{}", stderr);
    assert!(stderr.contains("unfinished tasks:\nmain             running"), "{}", stderr);
    assert!(stderr.contains("\nw                ready to run"), "{}", stderr);
}

#[test]
fn a_stop_while_idle_says_the_scheduler_waited_and_lists_what_was_pending() {
    // Nothing runs when the signal comes: the dump says the scheduler was waiting for its next
    // timer (before, it pointed at the last line executed as if the program were there), and
    // lists the clock, each sleeper's time left, the waiting getter, the pending timer and the
    // failed task nobody joined.
    let stderr = stop_with_signal(
        r#"q = Queue()
async def sleeper(n):
    await sleep(n)
async def getter():
    await q.get()
async def bad():
    raise ValueError("oops")
spawn(sleeper(50)); spawn(getter())
b = spawn(bad())
call_later(90, print, "late")
for i in range(30):
    spawn(sleeper(60))
await sleep(0)
print("before", flush=True)
await sleep(30)
"#,
        "-INT",
    );
    assert!(
        stderr.contains("× interrupted (Ctrl-C) while the scheduler waited for the next timer\n"),
        "{}",
        stderr
    );
    assert!(!stderr.contains("the program was here"), "{}", stderr);
    assert!(stderr.contains("clock: 0."), "{}", stderr);
    assert!(
        stderr.contains("(real time)\nidle: nothing is ready: the next timer is in ")
            && stderr.contains(" s (task 'main' wakes)\n"),
        "{}",
        stderr
    );
    for row in [
        "unfinished tasks:\nmain             sleeping, ",
        " s left (until 30.0",
        "\nsleeper          sleeping, ",
        " s left (until 50.0",
        "\ngetter           waiting: get from Queue#1                line 5\n",
        "timers:\nprint            due in ",
        " s (at 90.0",
        // 33 unfinished tasks: 20 rows, then the count of the rest.
        "\nsleeper#18       sleeping, ",
        "\n… and 13 more\ntimers:\n",
        "failed, nobody joined them:\nbad              failed: ValueError: oops                 line 9\n",
    ] {
        assert!(stderr.contains(row), "{:?} in:\n{}", row, stderr);
    }
}

#[test]
fn sigint_stops_with_flushed_output_a_task_dump_and_exit_130() {
    signal_test("-INT");
}

#[test]
fn sigterm_stops_the_same_way() {
    signal_test("-TERM");
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let path = temp_program("for i in range(1000000):\n    print('line', i)\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tinyasync"))
        .arg("run")
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    {
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("reads");
        assert_eq!(line, "line 0\n");
    } // the reading end closes here, like `| head -1`
    let output = child.wait_with_output().expect("waits");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "", "no panic, no Broken pipe text");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn bad_input_files_get_diagnostics_quickly() {
    let start = std::time::Instant::now();
    let nul = run("x = 1\x00\n");
    assert_eq!(nul.code, 2);
    assert!(nul.stderr.contains("source code cannot contain null bytes"), "{}", nul.stderr);
    let empty = run("");
    assert_eq!((empty.code, empty.stdout.as_str(), empty.stderr.as_str()), (0, "", ""));
    let digits = run(&format!("x = {}\n", "7".repeat(100_000)));
    assert_eq!(digits.code, 2);
    let parens = run(&format!("x = {}1{}\n", "(".repeat(100_000), ")".repeat(100_000)));
    assert_eq!(parens.code, 2);
    let unary = run(&format!("x = {}1\n", "-".repeat(200_000)));
    assert_eq!(unary.code, 2);
    let long_line = run(&format!("x = [{}]\nprint(len(x))\n", "1, ".repeat(350_000)));
    assert_eq!(long_line.code, 0, "{}", long_line.stderr);
    assert_eq!(long_line.stdout, "350000\n");
    assert!(start.elapsed().as_secs() < 30);
}

#[test]
fn scheduler_misuse_names_the_mistake_and_the_line() {
    let cases: &[(&str, &str)] = &[
        (
            "async def f():\n    pass\nspawn(f)\n",
            "TypeError: spawn() takes a coroutine or generator object, not a function",
        ),
        (
            "async def f():\n    pass\nc = f()\nspawn(c)\nspawn(c)\n",
            "RuntimeError: this coroutine object was already started or spawned",
        ),
        ("await 5\n", "TypeError: object int can't be used in 'await' expression"),
        ("def g():\n    yield from 5\nlist(g())\n", "TypeError: 'int' object is not iterable"),
        ("await sleep(-1)\n", "ValueError: sleep() delay must be >= 0, not -1"),
        ("await sleep(float('nan'))\n", "ValueError: sleep() delay must be a number, not NaN"),
        ("await sleep(float('inf'))\n", "ValueError: sleep() delay must be finite"),
        ("await sleep('1')\n", "TypeError: sleep() delay must be an int or float, not 'str'"),
        ("call_later(-1, print)\n", "ValueError: call_later() delay must be >= 0, not -1"),
        ("await current_task().join()\n", "RuntimeError: task 'main' cannot join itself"),
        (
            "def g():\n    next(me)\n    yield\nme = g()\nnext(me)\n",
            "ValueError: generator already executing",
        ),
        ("call_soon(42)\n", "TypeError: call_soon() needs a callable, not 'int'"),
        ("await sleep(-10**20)\n", "ValueError: sleep() delay must be >= 0, not -100000000000000000000"),
    ];
    for (n, (src, msg)) in cases.iter().enumerate() {
        let r = run(src);
        assert_eq!(r.code, 1, "{}\n{}", src, r.stderr);
        // The whole diagnostic is golden too (reviewed in tests/snapshots/).
        insta::assert_snapshot!(format!("misuse_{:02}", n), r.stderr);
        // The diagnostic wraps long titles at 80 columns.
        let text = r.stderr.replace("\n  │ ", " ");
        assert!(text.contains(msg), "{}\nwanted: {}\ngot: {}", src, msg, r.stderr);
        assert!(r.stderr.contains("prog.ta:"), "names the line: {}", r.stderr);
    }
}

#[test]
fn never_started_coroutines_and_generators_are_reported_once_at_the_end() {
    let r = run("async def work():\n    pass\ndef gen():\n    yield 1\nfor i in range(3):\n    work()\ng = gen()\nprint('done')\n");
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "done\n");
    assert_eq!(
        r.stderr,
        "warning: coroutine 'work' created at prog.ta:6 was never awaited or spawned\n\
         warning: generator 'gen' created at prog.ta:7 was never iterated or spawned\n"
    );
}

#[test]
fn programs_cannot_reach_the_file_system() {
    // (`globals()` and `locals()` exist: they give copies of the program's own names; `exit()`
    // and `quit()` raise SystemExit, as `sys.exit()` does.)
    for name in ["open", "exec", "eval", "compile", "__import__", "breakpoint"] {
        let r = run(&format!("{}\n", name));
        assert_eq!(r.code, 1, "{} should not exist", name);
        assert!(r.stderr.contains(&format!("NameError: name '{}' is not defined", name)), "{}", r.stderr);
    }
    for module in ["os", "io", "pathlib", "subprocess", "socket", "shutil", "builtins", "importlib", "ctypes"]
    {
        let r = run(&format!("import {}\n", module));
        assert_eq!(r.code, 1, "import {} should fail", module);
        assert!(r.stderr.contains(&format!("No module named '{}'", module)), "{}", r.stderr);
    }
    // `sys` holds the program's arguments, its two output streams, `exit` and the recursion
    // limit, and nothing that reaches files, input or the interpreter's insides.
    let r = run("import sys\nprint(sys.argv[1:], sys.__name__, [hasattr(sys, n) for n in ('path', 'modules', 'stdin', 'executable', 'setrecursionlimit', 'stdout', 'stderr', 'exit')])\n");
    assert_eq!(r.stdout, "[] sys [False, False, False, False, False, True, True, True]\n", "{}", r.stderr);
    // A file next to the program is not importable either.
    let dir = std::env::temp_dir().join(format!("tinyasync-sandbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("helper.ta"), "x = 1\n").expect("write");
    std::fs::write(dir.join("helper.py"), "x = 1\n").expect("write");
    std::fs::write(dir.join("main.ta"), "import helper\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_tinyasync"))
        .arg("run")
        .arg(dir.join("main.ta"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("No module named 'helper'"));
}
