//! The bytecode VM's own promises (the compat programs, examples and diagnostics of the other
//! test files run on it too):
//!
//! - `tests/order/` probes the order of evaluation around `yield` and `await` (calls, methods,
//!   attributes, subscripts, displays, f-strings, comparisons, boolean operators, augmented
//!   assignment, unpacking, `assert`, `del`, `with`, `finally`), each program checked against
//!   python3's output. The tree-walking evaluator the VM replaced got 19 of those 35 wrong; the
//!   VM gets them right by construction: operands wait in registers.
//! - `tinyasync dis` prints each snippet of `tests/dis/` as its golden `.dis` file says
//!   (`UPDATE_DIS=1` rewrites them; read the diff before committing).

mod common;

#[test]
fn evaluation_order_around_suspensions_matches_cpython() {
    assert!(common::differential("order", &[]) >= 30);
}

/// The same with a cycle collection at every step: collecting while frames are suspended in
/// the middle of expressions must not change a value.
#[test]
fn evaluation_order_holds_with_collections_all_the_time() {
    assert!(common::differential("order", &[("TINYASYNC_GC_THRESHOLD", "1")]) >= 30);
}

#[test]
fn dis_prints_the_golden_bytecode_of_each_snippet() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dis");
    let mut snippets: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/dis/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ta"))
        .collect();
    snippets.sort();
    assert!(snippets.len() >= 12, "a dozen snippets, found {}", snippets.len());
    let mut differ = Vec::new();
    for p in &snippets {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tinyasync"))
            .arg("dis")
            .arg(p)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}: {}", p.display(), String::from_utf8_lossy(&out.stderr));
        let got = String::from_utf8_lossy(&out.stdout).into_owned();
        let golden = p.with_extension("dis");
        if std::env::var_os("UPDATE_DIS").is_some() {
            std::fs::write(&golden, &got).expect("write the golden file");
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if got != want {
            differ.push(format!("{}:\n{}", p.display(), got));
        }
    }
    assert!(differ.is_empty(), "dis output differs from the golden files:\n{}", differ.join("\n"));
}

#[test]
fn dis_marks_every_suspension_point() {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dis/await_in_call_args.ta");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tinyasync"))
        .arg("dis")
        .arg(&p)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let marked: Vec<&str> = text.lines().filter(|l| l.contains("<-- may suspend here")).collect();
    assert_eq!(marked.len(), 1, "{}", text);
    assert!(marked[0].contains("YieldFrom"), "{}", text);
}
