//! Feeds arbitrary bytes through the whole pipeline: lex, parse, check, compile and run, with
//! the step and memory limits on and the virtual clock. Any panic or crash is a bug: every input
//! must end in a diagnostic or normally.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: tinyasync::limits::Counting<std::alloc::System> =
    tinyasync::limits::Counting(std::alloc::System);

fuzz_target!(|data: &[u8]| {
    tinyasync::fuzzing::run_bytes(data);
});
