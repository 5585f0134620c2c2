//! Golden diagnostics for runtime errors: one program per kind of error in
//! `tests/runtime_errors/`, run by the real binary with `NO_COLOR=1` and stderr piped (so 80
//! columns), its exit status and stderr compared exactly with a snapshot. Where the program is
//! also Python, the diagnostic's title must be the last line CPython 3.11 prints (its "Did you
//! mean" included), and no label may repeat the title.
//!
//! Accept new snapshots with `INSTA_UPDATE=always cargo test --test runtime_errors`.

use std::process::Command;

/// The last line of `python3 FILE`'s traceback, for the programs that are Python too.
const CPYTHON: &[(&str, &str)] = &[
    ("add_int_str", "TypeError: unsupported operand type(s) for +: 'int' and 'str'"),
    ("add_list_int", "TypeError: can only concatenate list (not \"int\") to list"),
    ("add_to_none", "TypeError: unsupported operand type(s) for +: 'NoneType' and 'int'"),
    ("attribute_no_suggestion", "AttributeError: 'int' object has no attribute 'length'"),
    ("attribute_on_none", "AttributeError: 'NoneType' object has no attribute 'append'"),
    ("attribute_suggestion", "AttributeError: 'str' object has no attribute 'uper'. Did you mean: 'upper'?"),
    (
        "attribute_suggestion_instance",
        "AttributeError: 'Point' object has no attribute 'valeu'. Did you mean: 'value'?",
    ),
    (
        "attribute_suggestion_list",
        "AttributeError: 'list' object has no attribute 'apend'. Did you mean: 'append'?",
    ),
    (
        "attribute_suggestion_module",
        "AttributeError: module 'math' has no attribute 'sqr'. Did you mean: 'sqrt'?",
    ),
    ("builtin_raises", "TypeError: '<' not supported between instances of 'str' and 'int'"),
    ("compare_in_list", "TypeError: '<' not supported between instances of 'int' and 'str'"),
    ("compare_str_int", "TypeError: '>' not supported between instances of 'str' and 'int'"),
    ("concat_str_int", "TypeError: can only concatenate str (not \"int\") to str"),
    ("division_by_zero", "ZeroDivisionError: division by zero"),
    ("import_unknown", "ModuleNotFoundError: No module named 'nosuchmodule'"),
    ("index_error", "IndexError: list index out of range"),
    ("index_error_negative", "IndexError: list index out of range"),
    ("index_error_string", "IndexError: string index out of range"),
    ("key_error", "KeyError: 'bob'"),
    ("modulo_by_zero", "ZeroDivisionError: integer modulo by zero"),
    ("name_asyncio", "NameError: name 'asyncio' is not defined"),
    ("name_module_not_imported", "NameError: name 'math' is not defined"),
    ("name_suggestion", "NameError: name 'prnt' is not defined. Did you mean: 'print'?"),
    ("name_suggestion_global", "NameError: name 'valeus' is not defined. Did you mean: 'values'?"),
    ("name_suggestion_local", "NameError: name 'cout' is not defined. Did you mean: 'count'?"),
    ("not_callable", "TypeError: 'int' object is not callable"),
    ("not_subscriptable", "TypeError: 'NoneType' object is not subscriptable"),
    ("not_iterable", "TypeError: 'NoneType' object is not iterable"),
    ("raise_user", "Oops: it broke"),
    ("reraised", "KeyError: 'k'"),
    ("reraised_through_finally", "KeyError: 'k'"),
    ("unary_minus", "TypeError: bad operand type for unary -: 'str'"),
    (
        "unbound_local",
        "UnboundLocalError: cannot access local variable 'counter' where it is not associated with a value",
    ),
    (
        "unbound_local_read",
        "UnboundLocalError: cannot access local variable 'total' where it is not associated with a value",
    ),
];

#[test]
fn runtime_error_diagnostics() {
    let mut seen = Vec::new();
    insta::glob!("runtime_errors/*.ta", |path| {
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("file name").to_string();
        let out = Command::new(env!("CARGO_BIN_EXE_tinyasync"))
            .args(["run", "--virtual-time"])
            .arg(path)
            .env("NO_COLOR", "1")
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr).replace(&path.display().to_string(), "prog.ta");
        let status = out.status.code().unwrap_or(-1);
        assert_ne!(status, 0, "{stem}: the program must fail");
        // The title, unwrapped: miette wraps it at 80 columns with `│` continuation lines.
        let text = stderr.replace("\n  │ ", " ");
        let title =
            text.lines().find_map(|l| l.strip_prefix("  × ")).unwrap_or_else(|| panic!("{stem}: no title"));
        if let Some((_, line)) = CPYTHON.iter().find(|(s, _)| *s == stem) {
            assert_eq!(title, *line, "{stem}: the title differs from CPython's last line");
        }
        let message = title.split_once(": ").map_or(title, |(_, m)| m);
        for label in text.lines().filter_map(|l| l.split_once("╰── ").map(|(_, t)| t)) {
            assert!(!label.contains(message), "{stem}: the label repeats the title: {label}");
        }
        insta::assert_snapshot!(format!("status: {status}\n{stderr}"));
        seen.push(stem);
    });
    for (stem, _) in CPYTHON {
        assert!(seen.iter().any(|s| s == stem), "tests/runtime_errors/{stem}.ta is missing");
    }
}
