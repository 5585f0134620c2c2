//! The REPL without a terminal: the binary's `repl` with stdin piped (no prompts, no colours),
//! one test per requirement of the REPL issue, each pinning the exact stdout; then unit tests of
//! the terminal front end's highlighter, bracket matching and Tab completion.
//!
//! Inputs are written line by line as a user would type them: a compound statement ends with a
//! blank line.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tinyasync::diagnostics::Style;
use tinyasync::interp::{Options, Output};
use tinyasync::repl::term::{highlight, matching_bracket};
use tinyasync::repl::Repl;
use tinyasync::scheduler::RunUntil;

struct Session {
    stdout: String,
    stderr: String,
    code: i32,
}

/// Runs `tinyasync repl` with `input` on stdin.
fn repl(input: &str) -> Session {
    run_with_stdin(&["repl"], input)
}

/// Runs the binary with these arguments and `input` on stdin (written from a thread, so a
/// large input cannot block on a full pipe).
fn run_with_stdin(args: &[&str], input: &str) -> Session {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tinyasync"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let text = input.to_string();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(text.as_bytes());
    });
    let out = child.wait_with_output().expect("the binary runs");
    writer.join().expect("writer thread");
    Session {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Runs a session that must exit with status 0; returns it.
fn session(input: &str) -> Session {
    let s = repl(input);
    assert_eq!(s.code, 0, "exit status; stdout:\n{}\nstderr:\n{}", s.stdout, s.stderr);
    s
}

/// The session with each clock reading `(until 0.052)` replaced by `(until T)`: real time.
fn masked_clock(mut s: Session) -> Session {
    let mut out = String::new();
    let mut rest = s.stdout.as_str();
    while let Some(i) = rest.find("(until ") {
        out.push_str(&rest[..i + 7]);
        rest = &rest[i + 7..];
        let end = rest.find(')').unwrap_or(rest.len());
        out.push('T');
        rest = &rest[end..];
    }
    out.push_str(rest);
    s.stdout = out;
    s
}

/// Runs a session in which some input fails: piped, that is exit status 1 (as a script).
fn failing_session(input: &str) -> Session {
    let s = repl(input);
    assert_eq!(s.code, 1, "exit status; stdout:\n{}\nstderr:\n{}", s.stdout, s.stderr);
    s
}

/// Runs a session that must exit with status 0 and print nothing on stderr; returns stdout.
fn ok(input: &str) -> String {
    let s = session(input);
    assert_eq!(s.stderr, "", "nothing on stderr; stdout:\n{}", s.stdout);
    s.stdout
}

fn assert_contains(haystack: &str, needle: &str) {
    assert!(haystack.contains(needle), "expected {:?} in:\n{}", needle, haystack);
}

fn assert_lacks(haystack: &str, needle: &str) {
    assert!(!haystack.contains(needle), "did not expect {:?} in:\n{}", needle, haystack);
}

// ----- 9: piped stdin: no prompts, no colours -----

#[test]
fn piped_the_example_of_the_issue_prints_exactly_42() {
    let s = session("x = 2\nx * 21\n");
    assert_eq!(s.stdout, "42\n");
    assert_eq!(s.stderr, "");
}

#[test]
fn piped_errors_have_no_colour_codes_and_no_prompt_is_printed() {
    let s = failing_session("1 +* 2\nundefined_name\n");
    assert_eq!(s.stdout, "");
    assert_lacks(&s.stderr, "\x1b[");
    assert_lacks(&s.stderr, ">>>");
    assert_lacks(&s.stderr, "...");
}

#[test]
fn piped_input_ending_inside_a_block_without_a_blank_line_still_runs() {
    assert_eq!(ok("if True:\n    print('ran')"), "ran\n");
}

#[test]
fn piped_input_ending_inside_an_open_bracket_is_a_syntax_error() {
    let s = failing_session("x = (1,");
    assert_eq!(s.stdout, "");
    assert_contains(&s.stderr, "SyntaxError: '(' was never closed");
    assert_contains(&s.stderr, "<stdin>:1:5");
}

#[test]
fn a_syntax_error_inside_an_open_bracket_is_reported_at_once() {
    // As CPython's REPL: the error before the end of the input is not about the end, so the
    // next line is a new input (which runs), not more of this one.
    let s = failing_session("foo(1 2,\nx = 3\nx\n");
    assert_eq!(s.stdout, "3\n");
    assert_contains(&s.stderr, "SyntaxError");
    assert_contains(&s.stderr, "<stdin>:1:7");
    // A bracket that is simply not closed yet still asks for more.
    assert_eq!(ok("y = (1,\n 2)\ny\n"), "(1, 2)\n");
}

// ----- 1: continuation decided by the parser; a compound statement ends with a blank line -----

#[test]
fn multi_line_def_ends_with_a_blank_line() {
    let out = ok("\
def add(a, b):
    s = a + b
    return s

add(2, 3)
");
    assert_eq!(out, "5\n");
}

#[test]
fn multi_line_class_with_methods_ends_with_a_blank_line() {
    let out = ok("\
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def norm1(self):
        return abs(self.x) + abs(self.y)

p = Point(3, -4)
p.norm1()
p.x
");
    assert_eq!(out, "7\n3\n");
}

#[test]
fn a_blank_line_ends_the_block_and_the_next_line_is_a_new_input() {
    let out = ok("\
if True:
    a = 1
    print('in the block')

print('after the block', a)
");
    assert_eq!(out, "in the block\nafter the block 1\n");
}

#[test]
fn brackets_and_colons_inside_strings_do_not_ask_for_more() {
    let out = ok(r#"s = "a:(["
s
t = 'if x:'
t
d = {"k:": "(["}
d
"def f():"
"#);
    assert_eq!(out, "'a:(['\n'if x:'\n{'k:': '(['}\n'def f():'\n");
}

#[test]
fn brackets_and_colons_in_comments_do_not_ask_for_more() {
    let out = ok("\
# a comment with an open bracket ( and a colon:
x = 1  # ([:
x
");
    assert_eq!(out, "1\n");
}

#[test]
fn an_open_bracket_continues_over_lines() {
    let out = ok("\
l = [1,
     2,
     3]
l
total = sum(
    l
)
total
{'a':
  1}
");
    assert_eq!(out, "[1, 2, 3]\n6\n{'a': 1}\n");
}

#[test]
fn a_triple_quoted_string_continues_over_lines() {
    let out = ok("s = \"\"\"one\ntwo:(\n\"\"\"\ns\n");
    assert_eq!(out, "'one\\ntwo:(\\n'\n");
}

#[test]
fn a_blank_line_inside_an_open_bracket_or_a_string_does_not_end_a_block() {
    // As in Python: the blank line is part of the bracket or the string.
    let out = ok("\
if True:
    l = [1,

         2]

l
def f():
    \"\"\"Two paragraphs.

    The second.\"\"\"
    return 'f ran'

f()
");
    assert_eq!(out, "[1, 2]\n'f ran'\n");
}

// ----- 3: an expression statement prints its repr, nothing for None -----

#[test]
fn expression_statements_echo_their_repr_and_none_echoes_nothing() {
    let out = ok("\
1 + 2
'text'
[1, 'a', None]
None
print('printed')
def nothing():
    return None

nothing()
x = 5
3 > 2
");
    assert_eq!(out, "3\n'text'\n[1, 'a', None]\nprinted\nTrue\n");
}

// ----- 2 and 4: state persists; errors are reported and the session goes on -----

#[test]
fn state_persists_between_inputs_functions_classes_imports() {
    let out = ok("\
import math
def sq(x):
    return x * x

class Box:
    def __init__(self, v):
        self.v = v

b = Box(sq(3))
b.v
math.sqrt(b.v)
from math import floor
floor(2.5)
");
    assert_eq!(out, "9\n3.0\n2\n");
}

#[test]
fn recovery_after_a_syntax_error_keeps_earlier_state() {
    let s = failing_session("x = 1\n1 +* 2\nx\n");
    assert_eq!(s.stdout, "1\n");
    assert_contains(&s.stderr, "SyntaxError: invalid syntax");
    assert_contains(&s.stderr, "[<stdin>:1:4]");
    assert_contains(&s.stderr, "unexpected '*'");
}

#[test]
fn a_syntax_error_inside_a_block_is_reported_at_once() {
    // Not at the blank line: the next line is already a new input.
    let s = failing_session("x = 1\nif True:\n    y = )\nx\n");
    assert_eq!(s.stdout, "1\n");
    assert_contains(&s.stderr, "SyntaxError");
    assert_contains(&s.stderr, "[<stdin>:2:");
}

#[test]
fn recovery_after_a_runtime_error_keeps_earlier_state() {
    let s = failing_session("x = 1\nz = 1/0\nz\nx\n");
    assert_eq!(s.stdout, "1\n");
    assert_contains(&s.stderr, "ZeroDivisionError: division by zero");
    assert_contains(&s.stderr, "NameError: name 'z' is not defined");
}

#[test]
fn an_input_that_assigns_then_fails_keeps_the_assignment() {
    let s = failing_session(
        "\
if True:
    x = 10
    y = x / 0

x
y
",
    );
    assert_eq!(s.stdout, "10\n");
    assert_contains(&s.stderr, "ZeroDivisionError: division by zero");
    assert_contains(&s.stderr, "NameError: name 'y' is not defined");
}

#[test]
fn a_runtime_error_shows_stdin_and_the_inputs_own_line_numbers() {
    // Four inputs (five lines) come first, so a global count would say line 7.
    let s = failing_session(
        "\
a = 1
b = 2
def f():
    return 1

if True:
    1/0

",
    );
    assert_eq!(s.stdout, "");
    assert_contains(&s.stderr, "File \"<stdin>\", line 2, in <module>");
    assert_contains(&s.stderr, "[<stdin>:2:7]");
    assert_contains(&s.stderr, " 2 │     1/0");
    assert_contains(&s.stderr, "ZeroDivisionError: division by zero");
    assert_lacks(&s.stderr, "line 7");
    assert_lacks(&s.stderr, "<stdin>:7");
}

#[test]
fn an_error_in_a_function_from_an_earlier_input_points_into_that_input() {
    let s = failing_session(
        "\
x = 0
def g():
    return undefined_name

g()
",
    );
    assert_eq!(s.stdout, "");
    assert_contains(&s.stderr, "File \"<stdin>\", line 1, in <module>");
    assert_contains(&s.stderr, "File \"<stdin>\", line 2, in g");
    assert_contains(&s.stderr, "[<stdin>:2:12]");
    assert_contains(&s.stderr, "NameError: name 'undefined_name' is not defined");
}

// ----- 5: the scheduler runs after each input -----

#[test]
fn a_task_spawned_at_the_prompt_runs_with_a_real_sleep() {
    let start = Instant::now();
    let out = ok("\
async def napper(n):
    await sleep(0.05)
    print('napper', n, 'woke')

t0 = now()
if True:
    spawn(napper(1))
    print('spawned')

now() - t0 >= 0.05
");
    // As in CPython's REPL, an expression statement inside a block is echoed too.
    assert_eq!(out, "<Task 'napper' ready>\nspawned\nnapper 1 woke\nTrue\n");
    assert!(start.elapsed() >= Duration::from_millis(50));
}

#[test]
fn spawn_at_the_prompt_echoes_the_task_then_runs_it() {
    let out = ok("\
async def hello():
    print('hello from the task')

spawn(hello())
");
    assert_eq!(out, "<Task 'hello' ready>\nhello from the task\n");
}

#[test]
fn a_blocked_task_continues_when_a_later_input_puts_an_item() {
    let out = ok("\
q = Queue()
async def consumer():
    while True:
        item = await q.get()
        print('consumer got', item)

c = spawn(consumer())
print('the consumer waits')
q.put_nowait('a')
q.put_nowait('b')
");
    assert_eq!(out, "the consumer waits\nconsumer got a\nconsumer got b\n");
}

#[test]
fn top_level_await_sleep_and_queue_get() {
    let out = ok("\
t0 = now()
await sleep(0.05)
now() - t0 >= 0.05
q = Queue()
q.put_nowait(42)
x = await q.get()
x
q.put_nowait('v')
await q.get()
");
    assert_eq!(out, "True\n42\n'v'\n");
}

#[test]
fn a_deadlock_at_the_prompt_is_reported_and_a_later_put_resumes_the_blocked_input() {
    let s = failing_session(
        "\
q = Queue()
if True:
    v = await q.get()
    print('resumed with', v)

print('the session goes on')
:tasks
q.put_nowait(1)
v
:tasks
",
    );
    assert_eq!(
        s.stdout,
        "the session goes on\n\
         input#2          waiting: get from Queue#1                line 2\n\
         resumed with 1\n\
         1\n\
         no unfinished tasks\n"
    );
    assert_contains(&s.stderr, "deadlock: the only unfinished task is blocked and nothing can wake it");
    assert_contains(&s.stderr, "task 'input#2' waits: get from Queue#1 (line 2)");
    assert_contains(&s.stderr, "[<stdin>:2:9]");
    assert_contains(&s.stderr, "(the session goes on; the blocked tasks stay blocked)");
}

#[test]
fn an_exception_escaping_a_task_spawned_at_the_prompt_is_reported_and_the_session_goes_on() {
    let s = failing_session(
        "\
x = 5
async def bad():
    raise ValueError('boom')

spawn(bad())
x
",
    );
    assert_eq!(s.stdout, "<Task 'bad' ready>\n5\n");
    assert_contains(&s.stderr, "ValueError: boom");
    assert_contains(&s.stderr, "task 'bad' was spawned here (line 1)");
}

// ----- 6: commands -----

#[test]
fn tasks_lists_a_waiting_task_and_says_when_there_are_none() {
    let out = ok("\
:tasks
q = Queue()
async def consumer():
    while True:
        item = await q.get()
        print('consumer got', item)

c = spawn(consumer())
:tasks
c.cancel()
:tasks
");
    assert_eq!(
        out,
        "no unfinished tasks\n\
         consumer         waiting: get from Queue#1                line 3\n\
         True\n\
         no unfinished tasks\n\
         recently ended:\n\
         consumer         cancelled\n"
    );
}

#[test]
fn step_with_nothing_to_run_says_so() {
    // After each input everything runs until finished or blocked: nothing is left to step.
    let out = ok("\
:step
q = Queue()
async def waiter():
    await q.get()

spawn(waiter())
:step
:step 3
");
    assert_eq!(
        out,
        "nothing to run: every task has finished\n\
         <Task 'waiter' ready>\n\
         nothing to run: every unfinished task is blocked and no timer is pending\n\
         nothing to run: every unfinished task is blocked and no timer is pending\n"
    );
}

#[test]
fn step_runs_a_task_left_ready_by_a_failed_input_one_step_at_a_time() {
    // The input fails after spawning, so the scheduler stops with the task still ready.
    let s = masked_clock(failing_session(
        "\
async def napper():
    print('napper goes to sleep')
    await sleep(0.05)
    print('napper woke')

if True:
    spawn(napper())
    1/0

:tasks
:step
:step 5
:tasks
",
    ));
    // `:step` runs one step, up to the sleep, and does not wait for the timer; `:step 5` then
    // waits for it, runs the task to its end and stops when there is nothing left.
    // The input's task is listed among the tasks that ended, with its failure.
    assert_eq!(
        s.stdout,
        "<Task 'napper' ready>\n\
         napper           ready to run                             line 2\n\
         recently ended:\n\
         input#2          failed: ZeroDivisionError: division by zero\n\
         napper goes to sleep\n\
         ran task 'napper' to line 3: sleeping, 0.0 s left (until T)\n\
         napper woke\n\
         ran task 'napper' to line 2: finished\n\
         nothing to run: every task has finished\n\
         no unfinished tasks\n\
         recently ended:\n\
         napper           finished\n\
         input#2          failed: ZeroDivisionError: division by zero\n"
    );
    assert_contains(&s.stderr, "ZeroDivisionError");
    // Between the two `:step`s the task was sleeping.
    let s = masked_clock(failing_session(
        "\
async def napper():
    await sleep(0.05)

if True:
    spawn(napper())
    1/0

:step
:tasks
",
    ));
    let lines: Vec<&str> = s.stdout.lines().collect();
    assert_eq!(lines[0], "<Task 'napper' ready>");
    assert_eq!(lines[1], "ran task 'napper' to line 2: sleeping, 0.0 s left (until T)");
    assert!(lines[2].starts_with("napper           sleeping, 0.0 s left (until T)"), "stdout:\n{}", s.stdout);
    assert!(lines[2].ends_with("line 2"), "stdout:\n{}", s.stdout);
    assert_eq!(lines[3], "recently ended:");
}

#[test]
fn step_rejects_a_bad_count() {
    let s = session(":step x\n:step 0\n");
    assert_eq!(s.stdout, "");
    assert_eq!(
        s.stderr,
        "error: :step takes a positive number of steps\nerror: :step takes a positive number of steps\n"
    );
}

#[test]
fn time_shows_the_real_clock() {
    let out = ok(":time\nawait sleep(0.05)\n:time\n");
    let clocks: Vec<f64> = out
        .lines()
        .map(|l| {
            let v = l.strip_prefix("clock: ").and_then(|r| r.strip_suffix(" s (real)"));
            v.unwrap_or_else(|| panic!("unexpected line {:?}", l)).parse().expect("a number")
        })
        .collect();
    assert_eq!(clocks.len(), 2);
    assert!(clocks[0] < clocks[1] && clocks[1] >= 0.05, "{:?}", clocks);
}

#[test]
fn trace_on_logs_scheduler_events_to_stderr_and_trace_off_stops_them() {
    let s = session(
        "\
async def tick():
    await sleep(0.01)

async def tock():
    await sleep(0.01)

:trace on
t = spawn(tick())
:trace off
t = spawn(tock())
",
    );
    assert_eq!(s.stdout, "trace on\ntrace off\n");
    assert_contains(&s.stderr, "] spawn     input#3  the main program\n");
    // The line is the input's own line 1, not a count over the session.
    assert_contains(&s.stderr, "] spawn     tick     by input#3 at line 1\n");
    assert_contains(&s.stderr, "] run       tick     starts\n");
    assert_contains(&s.stderr, "] wait      tick     sleep(0.01) at line 2\n");
    assert_contains(&s.stderr, "] timer     tick     sleep is over\n");
    assert_contains(&s.stderr, "] finish    tick\n");
    assert_lacks(&s.stderr, "tock");
    // Nine events, and a separator for each of the three passes.
    assert_eq!(s.stderr.lines().count(), 12, "stderr:\n{}", s.stderr);
    assert_eq!(s.stderr.matches("── pass ").count(), 3, "stderr:\n{}", s.stderr);
}

#[test]
fn trace_needs_on_or_off() {
    let s = session(":trace\n:trace maybe\n");
    assert_eq!(s.stdout, "");
    assert_eq!(s.stderr, "error: :trace on or :trace off\nerror: :trace on or :trace off\n");
}

#[test]
fn reset_forgets_variables_functions_and_tasks() {
    let s = failing_session(
        "\
x = 1
def f():
    return 2

q = Queue()
async def waiter():
    await q.get()

t = spawn(waiter())
:reset
:tasks
x
y = 3
y
",
    );
    assert_eq!(s.stdout, "reset: a fresh session\nno unfinished tasks\n3\n");
    assert_contains(&s.stderr, "NameError: name 'x' is not defined");
    // The fresh session counts its inputs from the start again.
    assert_contains(&s.stderr, "[<stdin>:1:1]");
}

#[test]
fn help_lists_the_commands() {
    let out = ok(":help\n");
    assert_eq!(out, tinyasync::repl::HELP);
    for cmd in [":tasks", ":step [N]", ":time", ":trace on|off", ":reset", ":help"] {
        assert_contains(&out, cmd);
    }
}

#[test]
fn an_unknown_command_is_an_error_and_the_session_goes_on() {
    let s = session(":bogus\nx = 4\nx\n");
    assert_eq!(s.stdout, "4\n");
    assert_eq!(s.stderr, "error: unknown command ':bogus'; :help lists the commands\n");
}

// ----- B: the terminal front end's pieces -----

const KEYWORD: &str = "\x1b[1;34m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[36m";
const COMMENT: &str = "\x1b[90m";
const BRACKET: &str = "\x1b[1;7m";
const RESET: &str = "\x1b[0m";

#[test]
fn highlight_colours_keywords_strings_numbers_and_comments() {
    let line = "if x == 'a:(' and 42: return None  # note";
    let h = highlight(line, None);
    assert_eq!(
        h,
        format!(
            "{K}if{R} x == {S}'a:('{R} {K}and{R} {N}42{R}: {K}return{R} {K}None{R}  {C}# note{R}",
            K = KEYWORD,
            S = STRING,
            N = NUMBER,
            C = COMMENT,
            R = RESET
        )
    );
    // Plain names are left alone, even when they start like a keyword.
    assert_eq!(highlight("iffy = define", None), "iffy = define");
    // Without the codes, the text is the line itself.
    let stripped = h.replace(KEYWORD, "").replace(STRING, "").replace(NUMBER, "");
    assert_eq!(stripped.replace(COMMENT, "").replace(RESET, ""), line);
}

#[test]
fn highlight_marks_the_bracket_pair() {
    let line = "f(a[1])";
    let h = highlight(line, matching_bracket(line, 1));
    assert_eq!(h, format!("f{B}({R}a[{N}1{R}]{B}){R}", B = BRACKET, N = NUMBER, R = RESET));
}

#[test]
fn matching_bracket_finds_the_pair_at_or_just_before_the_cursor() {
    let line = "f(a[1], {2: (3)})";
    // The cursor on the opening '(' of the call.
    assert_eq!(matching_bracket(line, 1), Some((1, 16)));
    // The cursor just after the closing ')': the bracket before the cursor.
    assert_eq!(matching_bracket(line, 17), Some((16, 1)));
    // Across nesting: '{' and '}' around a nested '(...)'.
    assert_eq!(matching_bracket(line, 8), Some((8, 15)));
    assert_eq!(matching_bracket(line, 15), Some((15, 8)));
    // The inner pairs.
    assert_eq!(matching_bracket(line, 3), Some((3, 5)));
    assert_eq!(matching_bracket(line, 12), Some((12, 14)));
    // No bracket at the cursor, and an unmatched one.
    assert_eq!(matching_bracket("abc", 1), None);
    assert_eq!(matching_bracket("f(a", 1), None);
    // Brackets inside strings and comments do not count.
    let line = "f(\")(\", ')', x)  # (";
    assert_eq!(matching_bracket(line, 1), Some((1, 14)));
    assert_eq!(matching_bracket(line, 15), Some((14, 1)));
    assert_eq!(matching_bracket(line, 3), None);
    assert_eq!(matching_bracket(line, 19), None);
}

/// A REPL engine fed `lines`, then `check` on it (on a big stack, as the binary runs).
fn with_repl<T: Send + 'static>(lines: &'static [&'static str], check: fn(&Repl) -> T) -> T {
    tinyasync::driver::with_big_stack(move || {
        let mut r = Repl::new(Options::default(), Output::Capture(vec![]), Style::plain());
        for l in lines {
            let f = r.feed(l);
            assert_eq!(f.stderr, "", "feeding {:?}", l);
        }
        check(&r)
    })
}

#[test]
fn completion_of_a_global_name_prefix() {
    let c = with_repl(&["counter = 1", "count_down = 2", "def countdown():", "    pass", ""], |r| {
        r.completions("coun")
    });
    assert_eq!(c, ["count_down", "countdown", "counter"]);
}

#[test]
fn completion_of_keywords_and_builtins() {
    let c = with_repl(&[], |r| (r.completions("whi"), r.completions("awa"), r.completions("pri")));
    assert_eq!(c.0, ["while"]);
    assert_eq!(c.1, ["await"]);
    assert!(c.2.contains(&"print".to_string()), "{:?}", c.2);
}

#[test]
fn completion_of_commands() {
    let c = with_repl(&[], |r| (r.completions(":ta"), r.completions(":t"), r.completions(":")));
    assert_eq!(c.0, [":tasks"]);
    assert_eq!(c.1, [":tasks", ":time", ":trace"]);
    assert_eq!(c.2, [":tasks", ":step", ":time", ":trace", ":reset", ":help"]);
}

#[test]
fn completion_of_attributes_of_an_instance() {
    let c = with_repl(
        &[
            "class Account:",
            "    def __init__(self):",
            "        self.balance = 0",
            "    def deposit(self, n):",
            "        self.balance += n",
            "",
            "acct = Account()",
        ],
        |r| (r.completions("acct.d"), r.completions("acct.b"), r.completions("acct.")),
    );
    assert_eq!(c.0, ["acct.deposit"]);
    assert_eq!(c.1, ["acct.balance"]);
    assert_eq!(c.2, ["acct.balance", "acct.deposit"]);
}

#[test]
fn completion_of_attributes_of_a_module() {
    let c = with_repl(&["import math"], |r| r.completions("math.sq"));
    assert_eq!(c, ["math.sqrt"]);
}

#[test]
fn completion_of_methods_of_a_builtin_value() {
    let c = with_repl(&["l = [1, 2]", "s = 'abc'"], |r| (r.completions("l.app"), r.completions("s.up")));
    assert_eq!(c.0, ["l.append"]);
    assert_eq!(c.1, ["s.upper"]);
}

#[test]
fn completion_after_a_dot_of_an_unknown_name_is_empty() {
    let c = with_repl(&[], |r| r.completions("nosuch.x"));
    assert!(c.is_empty(), "{:?}", c);
}

// ----- Python's REPL habits (the REPL issue's point 5) -----

#[test]
fn underscore_holds_the_last_echoed_value_and_none_leaves_it() {
    let out = ok("6 * 7\n_ + 1\nprint('x')\n_\n");
    assert_eq!(out, "42\n43\nx\n43\n");
}

#[test]
fn exit_and_quit_say_how_to_leave_and_leave_when_called() {
    let s = repl("exit\nquit\nexit(4)\nprint('not reached')\n");
    assert_eq!(
        s.stdout,
        "Use exit() or Ctrl-D (i.e. EOF) to exit\nUse quit() or Ctrl-D (i.e. EOF) to exit\n"
    );
    assert_eq!(s.stderr, "");
    assert_eq!(s.code, 4);
    assert_eq!(repl("quit()\n").code, 0);
    let s = repl("exit('bye')\n");
    assert_eq!((s.code, s.stderr.as_str()), (1, "bye\n"));
}

#[test]
fn help_explains_builtins_the_scheduler_api_and_values() {
    let out = ok("help(spawn)\nhelp(Queue)\nhelp(len)\nhelp('sleep')\n");
    assert_eq!(
        out,
        "spawn(coro, name=None): wrap a coroutine or generator object in a Task and put it on the \
         ready queue; it runs when the current task gives the turn away.\n\
         Queue(maxsize=0): a FIFO between tasks: `await q.put(x)`, `await q.get()`, put_nowait, \
         get_nowait, qsize, empty, full, close; maxsize <= 0 is unbounded.\n\
         len(x): the number of items in a container.\n\
         sleep(seconds): an awaitable; `await sleep(s)` lets other tasks run for s seconds; `sleep(0)` \
         just gives the turn away.\n"
    );
    let out = ok("def area(w, h=1, *rest, scale, **opts):\n    pass\n\nhelp(area)\nhelp()\n");
    assert!(
        out.starts_with("area(w, h, *args, scale, **kwargs): a function defined in this session\n"),
        "{}",
        out
    );
    assert_contains(&out, "help(x) explains a value");
    let out = ok("class P:\n    def m(self):\n        pass\n\nhelp(P)\nhelp([])\n");
    assert_contains(&out, "class P\nmethods: m\n");
    assert_contains(&out, "list(iterable=()): a mutable sequence.\nmethods: append, ");
}

#[test]
fn dir_lists_the_session_names_and_an_objects_attributes() {
    let out = ok("b = 2\na = 1\ndir()\nclass P:\n    def m(self):\n        pass\n\n'm' in dir(P)\n");
    assert_eq!(out, "['__name__', 'a', 'b']\nTrue\n");
}

#[test]
fn an_unindented_line_after_a_block_header_is_an_indentation_error_at_once() {
    let s = failing_session("def f():\nx = 1\nprint('next input')\n");
    assert_eq!(s.stdout, "next input\n");
    assert_contains(&s.stderr, "IndentationError: expected an indented block");
    assert_contains(&s.stderr, "[<stdin>:2:1]");
}

#[test]
fn piped_input_exits_1_when_an_input_failed_and_0_otherwise() {
    assert_eq!(repl("1/0\nprint('goes on')\n").code, 1);
    assert_eq!(repl("x = (\nprint('goes on')\n").code, 1);
    assert_eq!(repl("print('fine')\n").code, 0);
}

#[test]
fn tasks_lists_sleepers_with_time_left_timers_and_callbacks() {
    // The terminal's mode: each input runs until its own task ends, the rest waits (a task
    // spawned by one input had its first turn when the next input ran: round robin).
    let out = tinyasync::driver::with_big_stack(|| {
        let mut r = Repl::with_mode(
            Options::default(),
            Output::Capture(vec![]),
            Style::plain(),
            RunUntil::Foreground,
        );
        let mut out = String::new();
        for line in [
            "async def sleeper():",
            "    await sleep(30)",
            "",
            "def ring():",
            "    print('ring')",
            "",
            "spawn(sleeper())",
            "h = call_later(60, ring)",
            "c = call_soon(ring)",
            ":tasks",
            "await sleep(0)",
            ":tasks",
        ] {
            let feed = r.feed(line);
            assert_eq!(feed.stderr, "", "{}", line);
            out.push_str(&r.interp.take_output());
            out.push_str(&feed.stdout);
        }
        out
    });
    let out = out.replace(|c: char| c.is_ascii_digit(), "9");
    assert_eq!(
        out,
        "<Task 'sleeper' ready>\n\
         sleeper          sleeping, 99.9 s left (until 99.999)     line 9\n\
         callbacks:\n\
         ring             ready to run                             line 9\n\
         timers:\n\
         ring             due in 99.9 s (at 99.999)                line 9\n\
         ring\n\
         sleeper          sleeping, 99.9 s left (until 99.999)     line 9\n\
         timers:\n\
         ring             due in 99.9 s (at 99.999)                line 9\n"
    );
}

#[test]
fn virtual_time_sleeps_take_no_time_and_the_clock_moves_only_while_an_input_runs() {
    let started = Instant::now();
    let s = run_with_stdin(&["repl", "--virtual-time"], "now()\nawait sleep(1000)\nnow()\n:time\n");
    assert!(started.elapsed() < Duration::from_secs(60), "the sleep took real time");
    assert_eq!(s.stdout, "0.0\n1000.0\nclock: 1000.000 s (virtual)\n");
}

#[test]
fn dash_i_runs_the_program_then_the_prompt_has_its_globals_and_argv() {
    let dir = std::env::temp_dir().join(format!("tinyasync-repl-i-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("setup.ta");
    std::fs::write(&file, "import sys\nx = 40\nprint('setup ran', sys.argv[1:])\n").expect("write");
    let path = file.to_string_lossy().into_owned();
    let input = format!("x + 2\nsys.argv[0] == {:?}\n", path);
    let s = run_with_stdin(&["-i", &path, "a", "b"], &input);
    assert_eq!((s.stdout.as_str(), s.stderr.as_str(), s.code), ("setup ran ['a', 'b']\n42\nTrue\n", "", 0));
    // `-i -c CODE` too; a failing program still opens the prompt (the exit status says it failed).
    let s = run_with_stdin(&["-i", "-c", "y = 7"], "y * 6\n");
    assert_eq!((s.stdout.as_str(), s.code), ("42\n", 0));
    let s = run_with_stdin(&["-i", "-c", "z = 1\n1/0"], "z\n");
    assert_eq!(s.stdout, "1\n");
    assert_contains(&s.stderr, "ZeroDivisionError");
    assert_eq!(s.code, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

// ----- issue 15, point 5: `:timeline` -----

/// `:timeline` draws what ran since the last `:timeline` (then nothing), like `run --timeline`:
/// the ticker sleeps between its steps while typing goes on; each input is a task.
#[test]
fn timeline_charts_what_ran_since_the_last_timeline() {
    let input = "async def w(n):\n    for i in range(n):\n        await sleep(0.5)\n\n\
                 t = spawn(w(3), name=\"ticker\")\nawait t.join()\n:timeline\n:timeline\nprint(1)\n:timeline\n";
    let s = run_with_stdin(&["repl", "--virtual-time"], input);
    assert_eq!(s.code, 0, "{}", s.stderr);
    let expected = "\
input#1 ▮✓
input#2 ▮✓
ticker  ▮~~~~~~~~~~~~~~~~~~~~~~▮~~~~~~~~~~~~~~~~~~~~~~~▮~~~~~~~~~~~~~~~~~~~~~~▮✓
input#3                                                                       ▮✓
        0.00       0.25        0.50        0.75        1.00        1.25  s
        ▮ running  ✓ finished  ~ sleeping
nothing has run since the last :timeline
1
input#4 ▮✓
        0                                                              1  steps
        ▮ running  ✓ finished
";
    assert_eq!(s.stdout, expected);
}
