//! The parse benchmark's generated program (benches/generated/program.rs) must be a valid
//! tinyasync program, not just text the parser accepts: it passes the static checks.
//! (It also compiles under python3: `compile(src, "big", "exec")`, checked by hand when the
//! generator changes, since the tests do not run python3.)

#[path = "../benches/generated/program.rs"]
mod generated;

#[test]
fn the_benchmark_program_passes_tinyasync_check() {
    let text = generated::generate(20_000);
    assert!(text.len() >= 20_000 && text.contains("def func_9(") && text.contains("class Thing_9("));
    let src = tinyasync::driver::Source { name: "bench.ta".into(), text };
    let checked = tinyasync::driver::with_big_stack(move || {
        tinyasync::driver::check(&src, tinyasync::diagnostics::Style::plain())
            .map(|_| ())
            .map_err(|f| f.rendered)
    });
    assert_eq!(checked, Ok(()));
}
