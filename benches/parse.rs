//! Front-end speed: lexing and parsing a generated program of about 10 MB of varied statements.
//! docs/performance.md records the MB/s (divan prints it as the throughput of each bench).

#[path = "generated/program.rs"]
mod generated;
use generated::generate;

/// The same allocator as the binary (see src/main.rs).
#[global_allocator]
static GLOBAL: tinyasync::limits::Counting<tinyasync::limits::Mimalloc> =
    tinyasync::limits::Counting(tinyasync::limits::Mimalloc);

fn main() {
    divan::main();
}

/// Parsing as `tinyasync run` does it: once per process, into fresh memory, never freeing the
/// tree. Each sample's tree is leaked (about 150 MB each), so no sample reuses memory another
/// one freed.
#[divan::bench(sample_count = 10)]
fn parse_10mb(bencher: divan::Bencher) {
    let src = generate(10 << 20);
    bencher.counter(divan::counter::BytesCount::new(src.len())).bench(|| {
        let module = tinyasync::parser::parse_program(divan::black_box(&src)).ok();
        std::mem::forget(module);
    });
}

/// The same, with each tree freed between samples (outside the timed part), so later samples
/// parse into memory the allocator got back from earlier ones: the case of a long-lived
/// process that parses many programs (the REPL parses one input at a time, all small).
#[divan::bench(sample_count = 10)]
fn parse_10mb_reusing_memory(bencher: divan::Bencher) {
    let src = generate(10 << 20);
    bencher
        .counter(divan::counter::BytesCount::new(src.len()))
        .bench(|| tinyasync::parser::parse_program(divan::black_box(&src)).ok());
}

/// What `tinyasync parse` does: lex, parse, run the static checks and print the tree with a
/// `line:col` on every statement (the printer looks lines up in one index of the source).
#[divan::bench(sample_count = 5)]
fn parse_and_print_10mb(bencher: divan::Bencher) {
    let src = generate(10 << 20);
    let src = tinyasync::driver::Source { name: "generated.ta".into(), text: src };
    bencher.counter(divan::counter::BytesCount::new(src.text.len())).bench(|| {
        tinyasync::driver::parse_to_text(divan::black_box(&src), tinyasync::diagnostics::Style::plain())
            .map(|text| text.len())
            .ok()
    });
}

#[divan::bench(sample_count = 10)]
fn lex_10mb(bencher: divan::Bencher) {
    let src = generate(10 << 20);
    bencher.counter(divan::counter::BytesCount::new(src.len())).bench(|| {
        // The parser pulls tokens one at a time; so does this loop.
        let mut lexer = tinyasync::lexer::Lexer::new(divan::black_box(&src), 0);
        let mut count = 0usize;
        while let Ok(t) = lexer.next_token() {
            if t.tok == tinyasync::lexer::Tok::Eof {
                break;
            }
            count += 1;
        }
        count
    });
}
