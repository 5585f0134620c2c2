//! The `tinyasync` binary: the command line is parsed and run by `tinyasync::cli`.

/// mimalloc: the interpreter allocates many small objects (frames, Rc boxes, AST nodes), where
/// it is markedly faster than the system allocator. `Counting` keeps the live-byte total that
/// `--max-memory` reads.
#[global_allocator]
static GLOBAL: tinyasync::limits::Counting<tinyasync::limits::Mimalloc> =
    tinyasync::limits::Counting(tinyasync::limits::Mimalloc);

fn main() -> std::process::ExitCode {
    let status = tinyasync::cli::main();
    std::process::ExitCode::from(status as u8)
}
