//! `tinyasync check` accepts every valid program in the repository: the examples, the CPython
//! compat programs, the parser snapshot programs and the benchmark workloads. (The programs
//! under tests/syntax_errors/ are wrong on purpose and are checked by tests/syntax_errors.rs.)

use std::path::Path;
use std::process::Command;

#[test]
fn check_accepts_every_valid_program() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for (dir, ext) in [
        ("examples", "ta"),
        ("tests/compat", "ta"),
        ("tests/parse", "ta"),
        ("benches/programs", "ta"),
        ("benches/programs", "py"),
    ] {
        for entry in std::fs::read_dir(root.join(dir)).expect("directory exists") {
            let path = entry.expect("readable").path();
            if path.extension().is_none_or(|e| e != ext)
                || path.file_name().is_some_and(|n| n.to_string_lossy().contains("asyncio"))
            {
                continue;
            }
            let out =
                Command::new(env!("CARGO_BIN_EXE_tinyasync")).arg("check").arg(&path).output().expect("runs");
            assert!(
                out.status.success(),
                "{} fails check:\n{}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            checked += 1;
        }
    }
    assert!(checked >= 80, "only {} programs checked", checked);
}
