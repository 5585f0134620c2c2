//! The REPL on a terminal: the binary's `repl` in a pseudo-terminal (rexpect), with the history
//! file in a temporary place and NO_COLOR set. Checks the prompts, continuation, Ctrl-C at the
//! prompt and while code runs, Ctrl-D, and the history file; then input as people send it —
//! several lines in one write, bracketed pastes, text typed while code runs, without waiting for
//! a prompt — and tasks that go on in the background while the prompt waits.

use rexpect::process::wait::WaitStatus;
use rexpect::session::{spawn_with_options, Options, PtySession};
use std::process::Command;
use std::time::{Duration, Instant};

/// Every wait for output: generous, the machine may be loaded.
const TIMEOUT_MS: u64 = 10_000;

fn history_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tinyasync-repl-pty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

fn start(history: &std::path::Path) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tinyasync"));
    cmd.arg("repl").env("NO_COLOR", "1").env("TERM", "xterm").env("TINYASYNC_HISTORY", history);
    let opts = Options { timeout_ms: Some(TIMEOUT_MS), strip_ansi_escape_codes: true };
    spawn_with_options(cmd, opts).expect("the binary starts in a pty")
}

/// Sends a line and waits for the given prompt after it.
fn line(p: &mut PtySession, text: &str, prompt: &str) -> String {
    p.send_line(text).unwrap_or_else(|e| panic!("sending {:?}: {}", text, e));
    p.exp_string(prompt).unwrap_or_else(|e| panic!("after {:?}, waiting for {:?}: {}", text, prompt, e))
}

/// Sends a line, waits for `output`, then for the `>>> ` prompt.
fn expect_output(p: &mut PtySession, text: &str, output: &str) {
    p.send_line(text).unwrap_or_else(|e| panic!("sending {:?}: {}", text, e));
    p.exp_string(output).unwrap_or_else(|e| panic!("after {:?}, waiting for {:?}: {}", text, output, e));
    p.exp_string(">>> ").unwrap_or_else(|e| panic!("after {:?}, waiting for the prompt: {}", text, e));
}

/// Ctrl-C while code runs; returns the output up to the prompt that follows the report.
/// Ctrl-C is a signal only once the code runs (the terminal back in cooked mode): wait a
/// little, and send it again if it came too early and was taken as input.
fn interrupt(p: &mut PtySession) -> String {
    for _ in 0..10 {
        std::thread::sleep(Duration::from_millis(300));
        p.send_control('c').expect("Ctrl-C");
        if let Ok(before) = p.exp_string("interrupted (Ctrl-C)") {
            let after = p.exp_string(">>> ").expect("the prompt back after the interrupt");
            return before + "interrupted (Ctrl-C)" + &after;
        }
    }
    panic!("no interrupted report");
}

/// Ctrl-C while an input runs: its task is cancelled and `KeyboardInterrupt` shown. As in
/// `interrupt`, Ctrl-C is sent again if it came before the terminal left raw mode.
fn cancel_input(p: &mut PtySession) {
    for _ in 0..10 {
        std::thread::sleep(Duration::from_millis(300));
        p.send_control('c').expect("Ctrl-C");
        if p.exp_string("KeyboardInterrupt").is_ok() {
            p.exp_string(">>> ").expect("the prompt back after the cancellation");
            return;
        }
    }
    panic!("the input was not cancelled");
}

/// Ctrl-D on an empty line: the REPL must exit with status 0.
fn exit_with_ctrl_d(mut p: PtySession) {
    p.send_control('d').expect("Ctrl-D");
    p.exp_eof().expect("the REPL exits");
    match p.process().wait() {
        Ok(WaitStatus::Exited(_, code)) => assert_eq!(code, 0, "exit status"),
        other => panic!("unexpected end: {:?}", other),
    }
}

#[test]
fn terminal_session_prompts_ctrl_c_ctrl_d_and_history() {
    let history = history_file("history");
    let mut p = start(&history);
    p.exp_string(":help for commands").expect("the banner");
    p.exp_string(">>> ").expect("the first prompt");

    // A compound statement: the continuation prompt, then a blank line ends it.
    line(&mut p, "def f():", "... ");
    line(&mut p, "    return 'from f'", "... ");
    line(&mut p, "", ">>> ");
    expect_output(&mut p, "f()", "'from f'");

    // Ctrl-C at a continuation prompt clears the input.
    line(&mut p, "if True:", "... ");
    line(&mut p, "    print('never printed')", "... ");
    p.send_control('c').expect("Ctrl-C");
    p.exp_string("KeyboardInterrupt").expect("KeyboardInterrupt shown");
    p.exp_string(">>> ").expect("the prompt back after Ctrl-C");
    let out = line(&mut p, "x = 41", ">>> ");
    assert!(!out.contains("never printed"), "the cleared input ran: {:?}", out);

    // Ctrl-C while code runs cancels it where it runs.
    line(&mut p, "while True:", "... ");
    line(&mut p, "    pass", "... ");
    p.send_line("").expect("the blank line");
    cancel_input(&mut p);
    // The state is still there, and the interrupted input is gone.
    expect_output(&mut p, "x + 1", "42");
    expect_output(&mut p, ":tasks", "no unfinished tasks");

    exit_with_ctrl_d(p);

    // The history file holds the entered lines.
    let text = std::fs::read_to_string(&history).expect("the history file was written");
    for entered in ["def f():", "    return 'from f'", "f()", "x = 41", "while True:", "    pass", "x + 1"] {
        assert!(text.lines().any(|l| l == entered), "{:?} not in the history file:\n{}", entered, text);
    }
}

#[test]
fn history_is_loaded_by_the_next_session() {
    let history = history_file("history2");
    std::fs::write(&history, "#V2\nprint('recalled', 6 * 7)\n").expect("history written");
    let mut p = start(&history);
    p.exp_string(">>> ").expect("the first prompt");
    // Up arrow recalls the line from the file; Enter runs it.
    p.send("\x1b[A").expect("up arrow");
    p.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(300));
    expect_output(&mut p, "", "recalled 42");
    exit_with_ctrl_d(p);
}

#[test]
fn ctrl_c_during_a_sleep_at_the_prompt_cancels_that_input() {
    let mut p = start(&history_file("history3"));
    p.exp_string(">>> ").expect("the first prompt");
    line(&mut p, "x = 20", ">>> ");
    p.send_line("await sleep(100)").expect("the sleep");
    cancel_input(&mut p);
    // The cancelled input does not sleep on; `:tasks` lists it among the tasks that ended.
    p.send_line(":tasks").expect(":tasks");
    p.exp_string("no unfinished tasks").expect("nothing left");
    p.exp_string("input#2").expect("the cancelled input listed");
    p.exp_string("cancelled").expect("as cancelled");
    expect_output(&mut p, "x + 1", "21");
    exit_with_ctrl_d(p);
}

#[test]
fn ctrl_c_during_step_stops_the_task_and_the_session_goes_on() {
    let mut p = start(&history_file("history4"));
    p.exp_string(">>> ").expect("the first prompt");
    line(&mut p, "async def spin():", "... ");
    line(&mut p, "    while True:", "... ");
    line(&mut p, "        pass", "... ");
    line(&mut p, "", ">>> ");
    // The input fails after spawning, so the task is left ready for `:step`.
    line(&mut p, "if True:", "... ");
    line(&mut p, "    spawn(spin())", "... ");
    line(&mut p, "    1/0", "... ");
    p.send_line("").expect("the blank line");
    p.exp_string("ZeroDivisionError").expect("the error");
    p.exp_string(">>> ").expect("the prompt");
    p.send_line(":step").expect(":step");
    let report = interrupt(&mut p);
    assert!(report.contains("running: task 'spin' (line 2)"), "the task dump: {:?}", report);
    // The spinning task is gone, and Ctrl-C is not left pending for the next input.
    expect_output(&mut p, ":tasks", "no unfinished tasks");
    line(&mut p, "n = 0", ">>> ");
    line(&mut p, "for i in range(200000):", "... ");
    line(&mut p, "    n += 1", "... ");
    line(&mut p, "", ">>> ");
    expect_output(&mut p, "n", "200000");
    exit_with_ctrl_d(p);
}

#[test]
fn tab_completes_a_name_in_scope() {
    let mut p = start(&history_file("history5"));
    p.exp_string(">>> ").expect("the first prompt");
    line(&mut p, "abcdef = [1, 2]", ">>> ");
    p.send("abcd\t").expect("Tab");
    p.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(300));
    expect_output(&mut p, "", "[1, 2]");
    exit_with_ctrl_d(p);
}

/// The history file's lines.
fn history_lines(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("the history file was written");
    text.lines().map(str::to_string).collect()
}

/// The REPL in a pty whose output is drawn on a virtual screen (vt100), so that tests check
/// what a person sees: prompts, echoed lines and output, with every cursor movement applied.
struct Term {
    p: PtySession,
    vt: vt100::Parser,
}

impl Term {
    fn start(history: &std::path::Path) -> Term {
        Term::start_with(history, &[])
    }

    fn start_with(history: &std::path::Path, flags: &[&str]) -> Term {
        let mut args = vec!["repl"];
        args.extend_from_slice(flags);
        Term::start_args(history, &args)
    }

    fn start_args(history: &std::path::Path, args: &[&str]) -> Term {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tinyasync"));
        cmd.args(args).env("NO_COLOR", "1").env("TERM", "xterm").env("TINYASYNC_HISTORY", history);
        // Reads wait briefly: `wait_for` keeps its own deadline.
        let opts = Options { timeout_ms: Some(50), strip_ansi_escape_codes: false };
        let p = spawn_with_options(cmd, opts).expect("the binary starts in a pty");
        // 200 rows, so that nothing a test looks for scrolls away; 80 columns, rustyline's default.
        let size = |n: u16| std::num::NonZeroU16::new(n).expect("not zero");
        let mut t = Term { p, vt: vt100::Parser::new(size(200), size(80), 0) };
        t.wait_for(">>> ");
        t
    }

    /// Sends text in one write, without waiting for anything.
    fn send(&mut self, text: &str) {
        self.p.send(text).unwrap_or_else(|e| panic!("sending {:?}: {}", text, e));
        self.p.flush().expect("flush");
    }

    /// The screen, once it shows `want` (lines joined by newlines, trailing blanks trimmed).
    fn wait_for(&mut self, want: &str) -> String {
        let deadline = Instant::now() + Duration::from_millis(TIMEOUT_MS);
        loop {
            // rexpect hands each byte over as a char (and its `try_read` cannot take back a
            // multi-byte one): turn them back into bytes for the screen.
            if let Ok((_, got)) = self.p.exp_regex("(?s).+") {
                let bytes: Vec<u8> = got.chars().map(|c| c as u8).collect();
                self.vt.process(&bytes);
            }
            let screen = self.vt.screen().contents();
            if screen.contains(want) {
                return screen;
            }
            assert!(Instant::now() < deadline, "waiting for {:?}; the screen:\n{}", want, screen);
        }
    }

    /// The screen's lines from the first that starts with `from`.
    fn lines_from(&mut self, from: &str) -> Vec<String> {
        let screen = self.wait_for(from);
        let lines: Vec<String> = screen.lines().map(|l| l.trim_end().to_string()).collect();
        let i = lines.iter().position(|l| l.starts_with(from)).unwrap_or(0);
        lines[i..].to_vec()
    }

    fn exit(mut self, status: i32) {
        self.send("\x04");
        self.wait_exit(status);
    }

    fn wait_exit(&mut self, status: i32) {
        let deadline = Instant::now() + Duration::from_millis(TIMEOUT_MS);
        while self.p.exp_eof().is_err() {
            assert!(
                Instant::now() < deadline,
                "the REPL did not exit; the screen:\n{}",
                self.vt.screen().contents()
            );
        }
        match self.p.process().wait() {
            Ok(WaitStatus::Exited(_, code)) => assert_eq!(code, status, "exit status"),
            other => panic!("unexpected end: {:?}", other),
        }
    }
}

#[test]
fn lines_sent_in_one_write_each_run_in_order_with_their_prompts_and_reach_the_history() {
    let history = history_file("ahead");
    let mut t = Term::start(&history);
    t.send("x = 1\ny = 2\nif x:\n    print('in block', x + y)\n\nx + y\n");
    t.wait_for(">>> x + y\n3\n>>>");
    assert_eq!(
        t.lines_from(">>> x = 1"),
        [
            ">>> x = 1",
            ">>> y = 2",
            ">>> if x:",
            "...     print('in block', x + y)",
            "...",
            "in block 3",
            ">>> x + y",
            "3",
            ">>>"
        ],
        "each line echoed with its prompt, in order"
    );
    t.exit(0);
    let lines = history_lines(&history);
    for entered in ["x = 1", "y = 2", "if x:", "    print('in block', x + y)", "x + y"] {
        assert!(lines.iter().any(|l| l == entered), "{:?} not in the history:\n{:?}", entered, lines);
    }
}

#[test]
fn a_bracketed_paste_of_a_class_with_blank_lines_runs_as_its_source_says() {
    let mut t = Term::start(&history_file("paste"));
    // As a terminal sends a paste: markers around the text, carriage returns for newlines.
    t.send(
        "\x1b[200~class Counter:\r    def __init__(self):\r        self.n = 0\r\r    def bump(self):\r        \
         self.n += 1\r        return self.n\r\rc = Counter()\rprint('bumped', c.bump(), c.bump())\r\x1b[201~",
    );
    t.wait_for("bumped 1 2\n>>>");
    assert_eq!(
        t.lines_from(">>> class Counter:"),
        [
            ">>> class Counter:",
            "...     def __init__(self):",
            "...         self.n = 0",
            "...",
            "...     def bump(self):",
            "...         self.n += 1",
            "...         return self.n",
            "...",
            "... c = Counter()",
            ">>> print('bumped', c.bump(), c.bump())",
            "bumped 1 2",
            ">>>"
        ],
        "the method after the blank line continued the class"
    );
    // A paste that ends inside a block runs it, as the blank line a user would type.
    t.send("\x1b[200~for i in range(2):\r    print('pasted loop', i)\r\x1b[201~");
    t.wait_for("pasted loop 1\n>>>");
    // A REPL command in the middle of a paste runs, and the rest follows.
    t.send("\x1b[200~:time\rprint('after the command')\r\x1b[201~");
    t.wait_for(">>> :time\nclock:");
    t.wait_for(">>> print('after the command')\nafter the command\n>>>");
    t.exit(0);
}

#[test]
fn text_typed_while_a_sleep_runs_is_kept() {
    let mut t = Term::start(&history_file("typed-during"));
    t.send("await sleep(1)\n");
    t.wait_for(">>> await sleep(1)");
    std::thread::sleep(Duration::from_millis(200));
    // Typed while the input sleeps, when the terminal is not being read.
    t.send("z = 6\nprint('typed during the sleep', z * 7)\n");
    let screen = t.wait_for(">>> print('typed during the sleep', z * 7)\ntyped during the sleep 42\n>>>");
    assert!(screen.contains(">>> z = 6\n"), "the first typed line ran with its prompt:\n{}", screen);
    t.exit(0);
}

#[test]
fn a_background_ticker_prints_while_the_prompt_accepts_input() {
    let mut t = Term::start(&history_file("ticker"));
    t.send(
        "async def ticker():\n    n = 0\n    while True:\n        await sleep(0.2)\n        n += 1\n        \
         print('tick', n)\n\nt = spawn(ticker())\n",
    );
    // The prompt comes back at once, and the ticks keep coming while it waits.
    t.wait_for("tick 2\n>>>");
    // Half a line typed while the ticker prints: the ticks go above it, the line stays whole.
    t.send("1 +");
    t.wait_for("tick 4\n>>> 1 +");
    t.send(" 1\n");
    let screen = t.wait_for(">>> 1 + 1\n2\n");
    assert!(!screen.contains(">>> 1 +\n"), "the line being typed was not broken up:\n{}", screen);
    t.wait_for("tick 6");
    // The cancellation takes effect when the ticker next runs: `await sleep(0)` lets it.
    t.send("t.cancel()\nawait sleep(0)\n:tasks\n");
    // The whole row, not just the heading: the rows may arrive after it (this read the
    // screen between the two once, under load).
    let screen = t.wait_for("recently ended:\nticker           cancelled\n");
    let tasks = &screen[screen.rfind(">>> :tasks").unwrap_or(0)..];
    assert!(
        tasks.starts_with(">>> :tasks\nno unfinished tasks\nrecently ended:\nticker           cancelled\n"),
        "{}",
        tasks
    );
    t.exit(0);
}

#[test]
fn ctrl_c_cancels_the_running_input_its_finally_runs_and_background_tasks_go_on() {
    let mut t = Term::start(&history_file("cancel"));
    t.send(
        "async def bg():\n    await sleep(0.5)\n    print('background task still ran')\n\nb = spawn(bg())\n\
         async def slow():\n    try:\n        await sleep(100)\n    finally:\n        print('finally ran')\n\n\
         async def watch(task):\n    try:\n        await task.join()\n    except CancelledError:\n        \
         print('the joiner saw the cancellation')\n\n\
         if True:\n    spawn(watch(current_task()))\n    await slow()\n\n",
    );
    t.wait_for("...     await slow()");
    std::thread::sleep(Duration::from_millis(200));
    t.send("\x03");
    t.wait_for("finally ran\nKeyboardInterrupt\n");
    // The joiner wakes with the cancellation, in the background.
    t.wait_for("\nthe joiner saw the cancellation\n");
    // At the start of a line: the source line that prints it is on the screen too.
    t.wait_for("\nbackground task still ran");
    t.send("b.done()\n:tasks\n");
    t.wait_for(">>> b.done()\nTrue\n");
    // (The listing may reach the screen in pieces: wait for each row, not only its heading.)
    t.wait_for("recently ended:");
    t.wait_for("\ninput#5          cancelled\n");
    let screen = t.wait_for("\nbg               finished\n");
    let tasks = &screen[screen.rfind(">>> :tasks").unwrap_or(0)..];
    assert!(tasks.contains("\ninput#5          cancelled\n"), "the input's task was cancelled:\n{}", tasks);
    assert!(tasks.contains("\nbg               finished\n"), "the background task finished:\n{}", tasks);
    t.exit(0);
}

#[test]
fn tab_indents_a_blank_line() {
    let mut t = Term::start(&history_file("tab"));
    t.send("def f():\n");
    t.wait_for("... ");
    // Tab on the empty continuation line indents by four spaces; the body then parses.
    t.send("\treturn 'indented by Tab'\n\nf()\n");
    let screen = t.wait_for("'indented by Tab'\n>>>");
    assert!(screen.contains("...     return 'indented by Tab'"), "{}", screen);
    // After text, Tab completes: the common prefix first, then a list of the candidates.
    t.send("alpha_one = 1\nalpha_two = 2\nalp\t");
    t.wait_for(">>> alpha_");
    t.send("\t");
    t.wait_for("alpha_one  alpha_two");
    t.send("one\n");
    t.wait_for(">>> alpha_one\n1\n>>>");
    t.exit(0);
}

#[test]
fn python_habits_underscore_help_exit_and_partial_lines() {
    let mut t = Term::start(&history_file("habits"));
    t.send("6 * 7\n_ + 1\nexit\n");
    t.wait_for(">>> _ + 1\n43\n>>> exit\nUse exit() or Ctrl-D (i.e. EOF) to exit\n>>>");
    t.send("help(spawn)\n");
    t.wait_for("spawn(coro, name=None)");
    // Text printed without a newline stays on the screen: the prompt starts a line of its own.
    t.send("print('partial', end='')\n");
    t.wait_for("\npartial\n>>>");
    t.send("exit(3)\n");
    t.wait_exit(3);
}

#[test]
fn sigterm_saves_the_history_and_exits_143_quietly() {
    let history = history_file("sigterm");
    let mut t = Term::start(&history);
    t.send("kept = 'in the history'\n");
    t.wait_for(">>> kept = 'in the history'\n>>>");
    t.p.process_mut().signal(rexpect::process::signal::Signal::SIGTERM).expect("SIGTERM");
    t.wait_exit(143);
    let screen = t.vt.screen().contents();
    assert!(!screen.contains("terminated"), "quietly:\n{}", screen);
    assert!(history_lines(&history).iter().any(|l| l == "kept = 'in the history'"));
}

#[test]
fn a_background_failure_is_announced_above_the_prompt() {
    let mut t = Term::start(&history_file("announce"));
    t.send(
        "async def worker():\n    await sleep(0.2)\n    raise RuntimeError('boom')\n\nw = spawn(worker())\n",
    );
    t.wait_for("[task 'worker' failed: RuntimeError: boom — await it for the traceback]\n>>>");
    t.send("await w\n");
    t.wait_for("Traceback");
    t.wait_for("RuntimeError: boom");
    // A failure whose only joiner is cancelled before it received the exception is still
    // nobody's: announced too (before, it was only kept for the end of the session).
    t.send(
        "async def bad():\n    await sleep(0.3)\n    raise RuntimeError('late')\n\nasync def joiner(t):\n    await t.join()\n\nasync def killer():\n    await sleep(0.3)\n    j.cancel()\n\nb = spawn(bad()); j = spawn(joiner(b)); k = spawn(killer())\n",
    );
    t.wait_for("[task 'bad' failed: RuntimeError: late — await it for the traceback]\n>>>");
    // Background tasks that all end up blocked, with nothing scheduled to wake them, are
    // announced once.
    t.send(
        "q = Queue()\nasync def getter():\n    await sleep(0.2)\n    await q.get()\n\ng = spawn(getter())\n",
    );
    t.wait_for("[1 task waits and nothing scheduled can wake them: :tasks shows what they wait for]\n>>>");
    t.send("q.put_nowait(1)\nawait g\n:tasks\n");
    t.wait_for(">>> :tasks\nno unfinished tasks\n");
    t.exit(0);
}

#[test]
fn with_virtual_time_an_input_runs_until_nothing_can_and_the_clock_waits_with_the_prompt() {
    let mut t = Term::start_with(&history_file("virtual"), &["--virtual-time"]);
    t.send("async def later():\n    await sleep(5)\n    print('woke at', now())\n\nspawn(later())\n");
    // The input runs the scheduler until nothing can run: the five seconds pass at once.
    t.wait_for(">>> spawn(later())\n<Task 'later' ready>\nwoke at 5.0\n>>>");
    // The clock does not move while the prompt waits.
    std::thread::sleep(Duration::from_millis(300));
    t.send("now()\n");
    t.wait_for(">>> now()\n5.0\n>>>");
    t.exit(0);
}

#[test]
fn dash_i_opens_the_prompt_on_the_programs_globals_with_its_tasks_running() {
    let dir = std::env::temp_dir().join(format!("tinyasync-pty-i-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("server.ta");
    std::fs::write(
        &file,
        "async def pinger():\n    await sleep(0.3)\n    print('ping from the program')\n\np = spawn(pinger())\nready = 'yes'\n",
    )
    .expect("write");
    let mut t = Term::start_args(&history_file("dash-i"), &["-i", &file.to_string_lossy()]);
    t.send("ready\n");
    t.wait_for(">>> ready\n'yes'\n>>>");
    // The task the program spawned goes on in the background.
    t.wait_for("\nping from the program\n");
    t.exit(0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_ctrl_c_within_a_second_stops_the_input_at_once() {
    let mut t = Term::start(&history_file("double-ctrl-c"));
    // The first Ctrl-C cancels the input; its finally then sleeps, so it is still running.
    t.send("async def stubborn():\n    try:\n        await sleep(100)\n    finally:\n        print('cleaning up slowly')\n        await sleep(100)\n\nawait stubborn()\n");
    t.wait_for(">>> await stubborn()");
    std::thread::sleep(Duration::from_millis(200));
    t.send("\x03");
    t.wait_for("\ncleaning up slowly");
    t.send("\x03");
    // Both tasks sleep: the scheduler was idle, and the dump shows where the input waits.
    let screen = t.wait_for("interrupted (Ctrl-C) while the scheduler waited for the next timer");
    t.wait_for("sleeping, ");
    assert!(!screen.contains("the program was here"), "{}", screen);
    t.wait_for("\n>>>");
    t.send("6 * 7\n");
    t.wait_for(">>> 6 * 7\n42\n>>>");
    t.exit(0);
}
