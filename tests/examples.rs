//! The examples are documentation and tests at once: each one's output (stdout, stderr and exit
//! status, with the virtual clock) is an insta snapshot; where the example is also a Python
//! program, its stdout must equal CPython's (`NAME.expected`, produced by `python3`).

use std::process::Command;

#[test]
fn examples() {
    insta::glob!("../examples", "*.ta", |path| {
        let out = Command::new(env!("CARGO_BIN_EXE_tinyasync"))
            .args(["run", "--virtual-time"])
            .arg(path)
            .env("NO_COLOR", "1")
            .output()
            .expect("the binary runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        // File names in diagnostics are made relative, so snapshots do not depend on the checkout.
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
        let stderr = stderr.replace(root, "");
        let expected = path.with_extension("expected");
        if expected.exists() {
            let want = std::fs::read_to_string(&expected).expect("readable");
            assert_eq!(stdout, want, "{} differs from CPython's output", path.display());
        }
        insta::assert_snapshot!(format!(
            "exit status: {}\n--- stdout\n{}--- stderr\n{}",
            out.status.code().unwrap_or(-1),
            stdout,
            stderr
        ));
    });
}
