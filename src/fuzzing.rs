//! The fuzzing entry point (also used by the regression tests of crashing inputs): runs bytes
//! through the whole pipeline with limits, so any input ends in a diagnostic or normally.

use crate::diagnostics::Style;
use crate::driver::{self, Source};
use crate::interp::{Options, Output};

/// Runs `data` as a program (if it is UTF-8; otherwise as the reader would see it: an error),
/// with at most 20,000 steps, 256 MB of memory, the virtual clock and no stdin. Returns the exit
/// status.
pub fn run_bytes(data: &[u8]) -> i32 {
    let Ok(text) = std::str::from_utf8(data) else { return 2 };
    let src = Source { name: "fuzz.ta".into(), text: text.to_string() };
    driver::with_big_stack(move || {
        let opts = Options {
            virtual_time: true,
            max_steps: Some(20_000),
            max_memory: Some(256 << 20),
            timeout: Some(std::time::Duration::from_secs(10)),
            stdin: false,
            ..Default::default()
        };
        let (r, _) = driver::run_program(&src, opts, Output::Capture(Vec::new()), Style::plain());
        // The parse tree printer is part of the pipeline too.
        let _ = driver::parse_to_text(&src, Style::plain());
        r.status
    })
}
