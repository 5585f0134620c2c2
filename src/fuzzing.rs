//! The fuzzing entry point, shared with the mutation test and the regression tests of crashing
//! inputs: runs a program through the whole pipeline with limits, so that any input ends in a
//! diagnostic or normally.

use crate::diagnostics::Style;
use crate::driver::{self, Source};
use crate::interp::{Options, Output};

/// Limits for untrusted input: 20,000 steps, 256 MB, 10 s, the virtual clock, no stdin.
pub fn limited_options() -> Options {
    Options {
        virtual_time: true,
        max_steps: Some(20_000),
        max_memory: Some(256 << 20),
        timeout: Some(std::time::Duration::from_secs(10)),
        stdin: false,
        // Cycle collections all the time, so that the fuzzer exercises them.
        gc_threshold: Some(16),
        ..Default::default()
    }
}

/// Runs `text` on the current thread (which needs a large stack: see `driver::with_big_stack`)
/// through parse, check, compile, run and the tree printer. Returns the exit status.
///
/// Panics on an internal error (a compiler or VM invariant found broken, which the program
/// sees as an "internal error: ..." diagnostic): the fuzzer then reports it as a crash.
pub fn run_text(text: &str) -> i32 {
    let src = Source { name: "fuzz.ta".into(), text: text.to_string() };
    let before = crate::error::internal_errors();
    let (r, interp) =
        driver::run_program(&src, limited_options(), Output::Capture(Vec::new()), Style::plain());
    assert_eq!(crate::error::internal_errors(), before, "an internal error:\n{}", r.stderr);
    drop(interp);
    crate::value::forget_finished_program();
    let _ = driver::parse_to_text(&src, Style::plain());
    r.status
}

/// Lexes `text` with the lexer's fast path and with logos alone; the first token or error on
/// which they differ, described (`None` when they agree throughout). The fuzz target fails on
/// `Some`, so the fuzzer searches for a disagreement; the regression tests replay it.
pub fn fast_path_disagreement(text: &str) -> Option<String> {
    use crate::lexer::{Lexer, Tok};
    let (mut fast, mut slow) = (Lexer::new(text, 0), Lexer::logos_only(text, 0));
    loop {
        let (a, b) = (fast.next_token(), slow.next_token());
        match (&a, &b) {
            (Ok(x), Ok(y)) if x.tok == y.tok && x.span == y.span => {
                if x.tok == Tok::Eof {
                    return None;
                }
            }
            (Err(x), Err(y)) if x == y => return None,
            _ => return Some(format!("fast path {a:?}, logos {b:?}")),
        }
    }
}

/// Runs arbitrary bytes (non-UTF-8 input is rejected like the file reader does: status 2).
pub fn run_bytes(data: &[u8]) -> i32 {
    let Ok(text) = std::str::from_utf8(data) else { return 2 };
    let text = text.to_string();
    driver::with_big_stack(move || run_text(&text))
}
