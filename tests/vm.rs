//! The bytecode VM, which runs beside the tree-walking evaluator until every test passes on it
//! (`TINYASYNC_VM=1` selects it; see src/vm/mod.rs).
//!
//! - Every python3-checked program passes on it: `tests/compat/`, and `tests/order/`, which
//!   probes the order of evaluation around `yield` and `await` (calls, methods, attributes,
//!   subscripts, displays, f-strings, comparisons, boolean operators, augmented assignment,
//!   unpacking, `assert`, `del`, `with`, `finally`). The tree-walker gets 19 of those 35 wrong;
//!   the VM gets them right by construction: operands wait in registers.
//! - Every example prints what its `.expected` file says.
//! - `tinyasync dis` prints each snippet of `tests/dis/` as its golden `.dis` file says
//!   (`UPDATE_DIS=1` rewrites them; read the diff before committing).

mod common;

const VM: &[(&str, &str)] = &[("TINYASYNC_VM", "1")];

#[test]
fn compat_programs_match_cpython_on_the_vm() {
    assert!(common::differential("compat", VM) >= 30);
}

#[test]
fn evaluation_order_around_suspensions_matches_cpython_on_the_vm() {
    assert!(common::differential("order", VM) >= 30);
}

#[test]
fn examples_print_what_they_expect_on_the_vm() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    let mut entries: Vec<_> =
        std::fs::read_dir(&dir).expect("examples/").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries.iter().filter(|p| p.extension().is_some_and(|x| x == "expected")) {
        let program = p.with_extension("ta");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tinyasync"))
            .args(["run", "--virtual-time"])
            .arg(&program)
            .envs(VM.iter().copied())
            .output()
            .expect("the binary runs");
        let want = std::fs::read_to_string(p).expect("the .expected file");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            want,
            "{}: {}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        checked += 1;
    }
    assert!(checked >= 8, "only {} examples have .expected files", checked);
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

#[test]
fn runtime_error_diagnostics_are_the_same_on_the_vm() {
    // Every program of tests/runtime_errors (labels on the failing part, help lines, "Did you
    // mean") draws the same diagnostic on both evaluators.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runtime_errors");
    let mut programs: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/runtime_errors/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ta"))
        .collect();
    programs.sort();
    assert!(programs.len() >= 30, "found {}", programs.len());
    let run = |p: &std::path::Path, vm: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tinyasync"));
        cmd.args(["run", "--virtual-time"]).arg(p).env("NO_COLOR", "1").env_remove("TINYASYNC_VM");
        if vm {
            cmd.envs(VM.iter().copied());
        }
        let out = cmd.output().expect("runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let mut differ = Vec::new();
    for p in &programs {
        let (old, new) = (run(p, false), run(p, true));
        if old != new {
            differ.push(format!("{}:\n--- tree-walker\n{}\n--- VM\n{}", p.display(), old.2, new.2));
        }
    }
    assert!(differ.is_empty(), "{} of {} differ:\n{}", differ.len(), programs.len(), differ.join("\n"));
}
