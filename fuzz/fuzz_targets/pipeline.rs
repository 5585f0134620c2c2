//! Feeds arbitrary bytes through the whole pipeline: lex, parse, check, compile and run, with
//! the step and memory limits on and the virtual clock. Any panic or crash is a bug: every input
//! must end in a diagnostic or normally.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: tinyasync::limits::Counting<std::alloc::System> =
    tinyasync::limits::Counting(std::alloc::System);

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(d) = tinyasync::fuzzing::fast_path_disagreement(text) {
            panic!("the lexer's fast path disagrees with logos: {d}");
        }
    }
    tinyasync::fuzzing::run_bytes(data);
});
