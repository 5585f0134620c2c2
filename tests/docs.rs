//! The documents say what is true: every module file under src/ has its row in
//! ARCHITECTURE.md's table of files, and every example is in examples/README.md.

use std::path::Path;

/// The rows of ARCHITECTURE.md's table of files: (first cell, whole row).
fn table_rows(markdown: &str) -> Vec<(String, String)> {
    markdown
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let first = l.split('|').nth(1).unwrap_or_default().to_string();
            (first, l.to_string())
        })
        .collect()
}

/// Every `.rs` file under `dir`, as paths relative to `root` with `/` separators.
fn rust_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).expect("read src").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(root, &p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p.strip_prefix(root).expect("under src");
            out.push(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
}

/// What is missing from the table: `x.rs` must be named in a row's first cell; `dir/y.rs`
/// needs a row whose first cell names `dir/` and which names `y.rs` (or `dir/y.rs`).
fn missing_from(markdown: &str, files: &[String]) -> Vec<String> {
    let rows = table_rows(markdown);
    files
        .iter()
        .filter(|f| match f.rsplit_once('/') {
            None => !rows.iter().any(|(first, _)| first.contains(&format!("`{f}`"))),
            Some((dir, name)) => !rows.iter().any(|(first, row)| {
                first.contains(&format!("`{dir}/`"))
                    && (row.contains(&format!("`{name}`")) || row.contains(&format!("`{dir}/{name}`")))
            }),
        })
        .cloned()
        .collect()
}

#[test]
fn every_module_file_is_in_the_architecture_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let markdown = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("read ARCHITECTURE.md");
    let mut files = Vec::new();
    rust_files(&root.join("src"), &root.join("src"), &mut files);
    assert!(files.len() > 30, "found only {} files under src/", files.len());
    let missing = missing_from(&markdown, &files);
    assert!(missing.is_empty(), "ARCHITECTURE.md's table does not describe: {missing:?}");
}

/// The check itself: a table without a row misses that row's files.
#[test]
fn the_check_sees_a_missing_row() {
    let table =
        "| file | what |\n|---|---|\n| `a.rs`, `b.rs` | two |\n| `d/` | `mod.rs` the root, `x.rs` more |\n";
    let files: Vec<String> =
        ["a.rs", "b.rs", "d/mod.rs", "d/x.rs", "c.rs", "d/y.rs", "e/mod.rs"].map(String::from).to_vec();
    assert_eq!(missing_from(table, &files), ["c.rs", "d/y.rs", "e/mod.rs"]);
}

#[test]
fn every_example_is_in_the_examples_readme() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("read examples/README.md");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("read examples") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        if name.ends_with(".ta") && !readme.contains(&format!("[{name}]({name})")) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "examples/README.md does not list: {missing:?}");
}

/// The layers ARCHITECTURE.md describes, as the source states them: the value layer (values,
/// code objects, bytecode, frames) names neither the VM nor anything above it, and the VM names
/// nothing of the scheduler or the shell. The one exception is written down in ARCHITECTURE.md
/// ("Layers"): `Native::Sched` holds the scheduler's objects.
#[test]
fn layers_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let read = |rel: &str| std::fs::read_to_string(src.join(rel)).expect("read source");
    let above_values =
        ["crate::vm", "crate::scheduler", "crate::builtins", "crate::repl", "crate::driver", "crate::cli"];
    // The scheduler's objects (tasks, queues, events, requests) are values too (`tasks.rs`);
    // what happens to them is the scheduler's.
    for file in [
        "value.rs",
        "code.rs",
        "bytecode.rs",
        "frame.rs",
        "dict.rs",
        "tasks.rs",
        "symmap.rs",
        "mersenne.rs",
        "gc.rs",
    ] {
        let text = read(file);
        for (n, line) in text.lines().enumerate() {
            for name in above_values {
                assert!(!line.contains(name), "{}:{} names {}: {}", file, n + 1, name, line.trim());
            }
        }
    }
    // The VM and the object model know nothing of the scheduler: an `await` of one of its
    // objects goes through `Interp::sched_hooks`, which the scheduler installs. The one line
    // allowed is the scheduler's state in `Interp`.
    let mut vm_files = Vec::new();
    rust_files(&src, &src.join("vm"), &mut vm_files);
    rust_files(&src, &src.join("interp"), &mut vm_files);
    assert!(vm_files.len() >= 12, "{:?}", vm_files);
    for file in vm_files {
        let text = read(&file);
        for (n, line) in text.lines().enumerate() {
            let state = file == "interp/mod.rs" && line.contains("crate::scheduler::Scheduler");
            if line.trim_start().starts_with("//") || state {
                continue;
            }
            for name in ["scheduler", "crate::repl", "crate::driver", "crate::cli"] {
                assert!(!line.contains(name), "{}:{} names {}: {}", file, n + 1, name, line.trim());
            }
        }
    }
}

#[test]
fn readme_trace_example_is_what_the_trace_prints() {
    // README shows `--trace` on an example, as a command and the first lines it writes: they
    // must be the lines tinyasync writes today.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("read README.md");
    let cmd = "$ tinyasync --virtual-time --trace examples/cancellation.ta 2>&1 >/dev/null | head -";
    let at = readme.find(cmd).expect("README shows the trace of examples/cancellation.ta");
    let block = &readme[at..];
    let block = &block[..block.find("```").expect("the block ends")];
    let mut lines = block.lines();
    let first = lines.next().unwrap_or_default();
    let n: usize = first[cmd.len()..].trim().parse().expect("head -N");
    let shown: Vec<&str> = lines.collect();
    assert_eq!(shown.len(), n, "README shows {} lines, says head -{}", shown.len(), n);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tinyasync"))
        .args(["--virtual-time", "--trace", "examples/cancellation.ta"])
        .current_dir(root)
        .output()
        .expect("tinyasync runs");
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let real: Vec<&str> = stderr.lines().take(n).collect();
    assert_eq!(shown, real);
}
