//! The REPL on a terminal: the binary's `repl` in a pseudo-terminal (rexpect), with the history
//! file in a temporary place and NO_COLOR set. Checks the prompts, continuation, Ctrl-C at the
//! prompt and while code runs, Ctrl-D, and the history file.

use rexpect::process::wait::WaitStatus;
use rexpect::session::{spawn_with_options, Options, PtySession};
use std::process::Command;
use std::time::Duration;

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

    // Ctrl-C while code runs interrupts it and shows where the task was.
    line(&mut p, "while True:", "... ");
    line(&mut p, "    pass", "... ");
    p.send_line("").expect("the blank line");
    let report = interrupt(&mut p);
    assert!(report.contains("[<stdin>:1:1]"), "where the code was: {:?}", report);
    assert!(report.contains("the program was here"), "where the code was: {:?}", report);
    assert!(report.contains("unfinished tasks:\r\n  main: running (line 1)"), "the task dump: {:?}", report);
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
fn ctrl_c_during_a_sleep_at_the_prompt_abandons_that_input() {
    let mut p = start(&history_file("history3"));
    p.exp_string(">>> ").expect("the first prompt");
    line(&mut p, "x = 20", ">>> ");
    p.send_line("await sleep(100)").expect("the sleep");
    let report = interrupt(&mut p);
    assert!(report.contains("main: sleep(100.0) (line 1)"), "the task dump: {:?}", report);
    // The interrupted input does not sleep on when the next input runs the scheduler.
    expect_output(&mut p, ":tasks", "no unfinished tasks");
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
    assert!(report.contains("spin: running (line 2)"), "the task dump: {:?}", report);
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
