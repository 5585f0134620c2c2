//! Golden diagnostics for syntax errors: one program per kind of error in `tests/syntax_errors/`,
//! rendered as `tinyasync check` would (without colour), plus a plain assertion of the line and
//! column each error points at, so a diagnostic that moves to the wrong place fails even when
//! its snapshot is accepted carelessly.
//!
//! Accept new snapshots with `INSTA_UPDATE=always cargo test --test syntax_errors`.

use std::time::{Duration, Instant};
use tinyasync::diagnostics::{line_col, Style};
use tinyasync::driver::{check, with_big_stack, Source};
use tinyasync::error::SyntaxError;

/// Where each program's error must point: file stem, 1-based line, 1-based column.
const EXPECTED: &[(&str, usize, usize)] = &[
    ("missing_colon_def", 1, 15),
    ("missing_colon_if", 2, 9),
    ("missing_colon_elif", 4, 11),
    ("missing_colon_else", 4, 5),
    ("missing_colon_while", 2, 12),
    ("missing_colon_for", 1, 22),
    ("missing_colon_class", 1, 20),
    ("missing_colon_try", 1, 4),
    ("missing_colon_except", 3, 30),
    ("missing_colon_finally", 3, 8),
    ("unclosed_bracket", 2, 12),
    ("unterminated_string", 2, 12),
    ("unterminated_triple_string", 2, 7),
    ("bad_dedent", 3, 1),
    ("inconsistent_tabs", 3, 1),
    ("unexpected_indent", 2, 5),
    ("expected_indented_block", 2, 1),
    ("yield_outside_function", 2, 5),
    ("return_outside_function", 2, 1),
    ("await_outside_async", 4, 12),
    ("break_outside_loop", 3, 5),
    ("continue_outside_loop", 2, 5),
    ("nonlocal_at_module_level", 2, 1),
    ("nonlocal_without_binding", 3, 9),
    ("assign_to_literal", 2, 1),
    ("assign_to_call", 3, 1),
    ("assign_to_operator", 2, 1),
    ("augassign_to_tuple", 2, 1),
    ("duplicate_parameter", 1, 13),
    ("non_default_after_default", 1, 15),
    ("invalid_character", 1, 7),
    ("integer_too_long", 1, 5),
    ("legacy_print", 2, 1),
    ("assign_in_condition", 2, 6),
    ("global_after_assignment", 5, 5),
    ("global_after_use", 5, 5),
    ("nonlocal_after_use", 5, 9),
    ("annotation_of_tuple", 1, 1),
    // Valid Python that tinyasync does not have: "... not supported in tinyasync".
    ("async_comprehension_outside_async", 2, 12),
    ("async_for_outside_async", 2, 5),
    ("async_generator_returns_value", 3, 5),
    ("async_with_outside_async", 2, 5),
    ("unsupported_bytes", 1, 8),
    ("unsupported_class_keyword", 1, 13),
    ("unsupported_complex", 1, 9),
    ("unsupported_except_star", 3, 1),
    ("import_star_in_function", 2, 22),
    ("unsupported_match", 2, 1),
    ("unsupported_parenthesized_with", 1, 16),
    ("unsupported_relative_import", 1, 6),
    ("unsupported_starred_subscript", 3, 12),
    ("walrus_unparenthesized", 2, 3),
    ("walrus_rebinds_loop_variable", 2, 31),
];

/// Parses and resolves `text`, returning the first syntax error.
fn first_error(text: &str) -> Option<SyntaxError> {
    match tinyasync::parser::parse_program(text) {
        Err(e) => Some(e),
        Ok(m) => tinyasync::resolver::resolve(&m).err(),
    }
}

/// Runs `tinyasync check` on `text` (on a big stack): the error, its rendering and the status.
fn diagnose(name: &str, text: String) -> (SyntaxError, String, i32) {
    let name = name.to_string();
    with_big_stack(move || {
        let err = first_error(&text).unwrap_or_else(|| panic!("{name}: expected a syntax error"));
        let failure = match check(&Source { name: name.clone(), text }, Style::plain()) {
            Ok(_) => panic!("{name}: `check` accepted the program"),
            Err(f) => f,
        };
        (err, failure.rendered, failure.status)
    })
}

#[test]
fn syntax_error_diagnostics() {
    let mut seen = Vec::new();
    insta::glob!("syntax_errors/*.ta", |path| {
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("file name").to_string();
        let text = std::fs::read_to_string(path).expect("read test program");
        let (err, rendered, status) = diagnose(&format!("{stem}.ta"), text.clone());
        assert_eq!(status, 2, "{stem}: syntax errors exit with status 2");
        let &(_, line, col) = EXPECTED
            .iter()
            .find(|e| e.0 == stem)
            .unwrap_or_else(|| panic!("{stem}: add its expected line and column to EXPECTED"));
        assert_eq!(
            line_col(&text, err.span.start as usize),
            (line, col),
            "{stem}: the error points at the wrong place: {}",
            err.msg
        );
        if stem.starts_with("unsupported_") {
            assert!(
                err.msg.ends_with("not supported in tinyasync"),
                "{stem}: valid Python, so the message must say it is not supported: {}",
                err.msg
            );
        }
        insta::assert_snapshot!(format!("status: {status}\n{rendered}"));
        seen.push(stem);
    });
    for (stem, _, _) in EXPECTED {
        assert!(seen.iter().any(|s| s == stem), "tests/syntax_errors/{stem}.ta is missing");
    }
}

/// A generated program must fail with `message` at the given line and column, with status 2,
/// within `limit`.
fn assert_quick_error(
    name: &str,
    text: String,
    message: &str,
    at: (usize, usize),
    limit: Duration,
) -> String {
    let started = Instant::now();
    let (err, rendered, status) = diagnose(name, text.clone());
    let took = started.elapsed();
    assert_eq!(status, 2, "{name}");
    assert!(err.msg.contains(message), "{name}: unexpected message {:?}", err.msg);
    assert!(rendered.contains(message), "{name}: the rendering lacks the message");
    assert_eq!(line_col(&text, err.span.start as usize), at, "{name}: wrong place for {:?}", err.msg);
    assert!(took < limit, "{name}: took {took:?}");
    rendered
}

#[test]
fn hundred_thousand_nested_parentheses() {
    let n = 100_000;
    let text = format!("x = 1\ny = {}1{}\n", "(".repeat(n), ")".repeat(n));
    // The 201st bracket is one too many (`lexer::MAX_NESTING` is 200).
    assert_quick_error(
        "parens.ta",
        text,
        "too many nested parentheses",
        (2, 5 + tinyasync::lexer::MAX_NESTING),
        Duration::from_secs(10),
    );
}

#[test]
fn two_hundred_thousand_unary_minus_signs() {
    let n = 200_000;
    let text = format!("x = 1\ny = {}1\n", "-".repeat(n));
    let started = Instant::now();
    let (err, _rendered, status) = diagnose("minus.ta", text.clone());
    assert_eq!(status, 2);
    assert!(err.msg.contains("too many nested"), "unexpected message {:?}", err.msg);
    let (line, col) = line_col(&text, err.span.start as usize);
    assert_eq!(line, 2);
    // The limit trips on one of the first MAX_NESTING signs, not at the end of the line.
    assert!(col <= 5 + tinyasync::lexer::MAX_NESTING, "error at column {col}");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
}

#[test]
fn one_megabyte_line_parses() {
    // `x = [0, 1, 2, ...]` on a single line of about 1 MB.
    let mut line = String::from("x = [");
    let mut i = 0u32;
    while line.len() < 1 << 20 {
        line.push_str(&i.to_string());
        line.push_str(", ");
        i += 1;
    }
    line.push_str("]\nprint(len(x))\n");
    let started = Instant::now();
    let ok = with_big_stack(move || {
        check(&Source { name: "long.ta".into(), text: line }, Style::plain())
            .map(|_| ())
            .map_err(|f| f.rendered)
    });
    assert!(ok.is_ok(), "{:?}", ok.err().map(|r| r.chars().take(500).collect::<String>()));
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
}

#[test]
fn one_megabyte_line_with_an_error_near_its_start() {
    let mut line = String::from("x = $ + [");
    while line.len() < 1 << 20 {
        line.push_str("1, ");
    }
    line.push_str("]\n");
    let rendered =
        assert_quick_error("long_error.ta", line, "invalid character '$'", (1, 5), Duration::from_secs(20));
    // Long lines are drawn as a window around the label, not copied whole.
    assert!(rendered.len() < 4096, "rendered diagnostic for a 1 MB line: {} bytes", rendered.len());
}

/// miette pads a label to its column with a formatting width, and Rust's widths stop at 65535:
/// the renderer cuts long lines to a window around the label, so this is a diagnostic, not a
/// panic.
#[test]
fn one_megabyte_line_with_an_error_at_its_end() {
    let mut line = String::from("x = [");
    while line.len() < 1 << 20 {
        line.push_str("1, ");
    }
    let col = line.chars().count() + 1;
    line.push_str("$]\n");
    assert_quick_error("long_error.ta", line, "invalid character '$'", (1, col), Duration::from_secs(20));
}

/// Static errors beyond the golden files, checked by message and place only.
#[test]
fn more_errors_point_at_the_right_place() {
    let cases: &[(&str, &str, (usize, usize))] = &[
        ("f(a=1, a=2)\n", "keyword argument repeated: a", (1, 8)),
        ("f(**k, *a)\n", "iterable argument unpacking follows keyword argument unpacking", (1, 8)),
        ("def f():\n    f(yield)\n", "invalid syntax", (2, 7)),
        ("def f(*, **k):\n    pass\n", "named arguments must follow bare *", (1, 7)),
        ("x = *a\n", "can't use starred expression here", (1, 5)),
        ("def f():\n    return *a\n", "can't use starred expression here", (2, 12)),
        ("for x in *a:\n    pass\n", "can't use starred expression here", (1, 10)),
        ("*a = 1\n", "starred assignment target must be in a list or tuple", (1, 1)),
        ("x = [*a for a in b]\n", "iterable unpacking cannot be used in comprehension", (1, 6)),
        ("x = (*a for a in b)\n", "iterable unpacking cannot be used in comprehension", (1, 6)),
        ("x = {*a for a in b}\n", "iterable unpacking cannot be used in comprehension", (1, 6)),
        ("x = {*a: 1}\n", "cannot use a starred expression in a dictionary key", (1, 6)),
        ("x = f'{\"\\n\"}'\n", "f-string expression part cannot include a backslash", (1, 9)),
        ("x = f'{a # c}'\n", "f-string expression part cannot include '#'", (1, 10)),
        ("\u{feff}x = 1 $ 2\n", "invalid character '$'", (1, 7)),
        // Which error wins when the parser fails before the lexer does (CPython's choices, each
        // checked against python3): the parser pulls tokens lazily, so the rest is lexed then.
        ("x = = 1\ns = \"abc\n", "unterminated string literal", (2, 5)),
        ("foo(1, 2\nx = 3\n", "'(' was never closed", (1, 4)),
        ("x = [1, 2\ny = 3 $\n", "'[' was never closed", (1, 5)),
        ("x = [1, 2\ny = 3 $\nz = \"abc\n", "unterminated string literal", (3, 5)),
        ("x = = 1\ny = (1,\n", "invalid syntax", (1, 5)),
        ("x = = 1\ny = 1 $ 2\n", "invalid syntax", (1, 5)),
        ("x = = 1\n  y = 2\n", "invalid syntax", (1, 5)),
        // Escapes are decoded by the parser from the literal's text, at the right place.
        ("s = 'ab\\x1'\n", "truncated \\xXX escape", (1, 8)),
        ("s = f'{x}\\x1'\n", "truncated \\xXX escape", (1, 10)),
        ("s = 'a\\N{BULLET}'\n", "named Unicode escapes", (1, 7)),
        // Hints where CPython gives them, or better (each checked against python3.11).
        ("print x\n", "Missing parentheses in call to 'print'. Did you mean print(...)?", (1, 1)),
        ("exec 'x = 1'\n", "Missing parentheses in call to 'exec'. Did you mean exec(...)?", (1, 1)),
        ("print f(1), 2\n", "Missing parentheses in call to 'print'", (1, 1)),
        ("while x = 3:\n    pass\n", "Maybe you meant '==' instead of '='?", (1, 9)),
        ("if x:\n    pass\nelif x = 3:\n    pass\n", "Maybe you meant '==' instead of '='?", (3, 8)),
        ("assert x = 3\n", "Maybe you meant '==' instead of '='?", (1, 10)),
        ("y = [a for a in b if a = 3]\n", "Maybe you meant '==' instead of '='?", (1, 24)),
        ("y = 1 if x = 2 else 3\n", "Maybe you meant '==' instead of '='?", (1, 12)),
        ("def f():\n    x += 1\n    global x\n", "name 'x' is assigned to before global declaration", (3, 5)),
        ("x = 1\nglobal x\n", "name 'x' is assigned to before global declaration", (2, 1)),
        (
            "def f():\n    x = 1\n    def g():\n        x = 2\n        nonlocal x\n",
            "name 'x' is assigned to before nonlocal declaration",
            (5, 9),
        ),
        // `:=` where Python wants parentheses, or with something other than a name.
        ("x = y := 3\n", "invalid syntax", (1, 7)),
        ("f(a=y := 3)\n", "invalid syntax", (1, 7)),
        ("(a.b := 3)\n", "cannot use assignment expressions with attribute", (1, 2)),
        (
            "print([x for x in (y := [1, 2])])\n",
            "assignment expression cannot be used in a comprehension iterable expression",
            (1, 20),
        ),
        ("class A:\n    y = [(z := i) for i in range(3)]\n", "cannot be used in a class body", (2, 11)),
        // Not supported, wherever they appear.
        (
            "match (x):\n    case 1:\n        pass\n",
            "the `match` statement is not supported in tinyasync",
            (1, 1),
        ),
        ("x = 1.5J\n", "complex numbers (`1j`) are not supported in tinyasync", (1, 5)),
        // `/` in the wrong place: CPython's messages.
        ("def e(/, a):\n    pass\n", "at least one argument must precede /", (1, 7)),
        ("def e(*, a, /):\n    pass\n", "/ must be ahead of *", (1, 13)),
        ("def e(a, /, b, /):\n    pass\n", "/ may appear only once", (1, 16)),
        ("f = lambda /: 1\n", "at least one argument must precede /", (1, 12)),
        ("from ... import x\n", "relative imports are not supported in tinyasync", (1, 6)),
        ("x = a[1, *b]\n", "starred expressions in subscripts", (1, 10)),
        // Annotations of what cannot be annotated: CPython's messages.
        ("[a]: int\n", "only single target (not list) can be annotated", (1, 1)),
        ("x = 1\nf(): int = 2\n", "illegal target for annotation", (2, 1)),
        ("x: int = y = 5\n", "invalid syntax", (1, 12)),
        // What an annotation, never evaluated, cannot hold (CPython's messages under
        // `from __future__ import annotations`), and annotated names declared elsewhere.
        (
            "def g():\n    def f(x: (yield)): pass\n",
            "'yield expression' can not be used within an annotation",
            (2, 15),
        ),
        (
            "async def g():\n    x: await h() = 1\n",
            "'await expression' can not be used within an annotation",
            (2, 8),
        ),
        ("x: (y := 1) = 2\n", "'named expression' can not be used within an annotation", (1, 5)),
        ("x = 1\ndef f():\n    global x\n    x: int = 5\n", "annotated name 'x' can't be global", (4, 5)),
        ("x = 1\ndef f():\n    x: int\n    global x\n", "annotated name 'x' can't be global", (4, 5)),
        (
            "def o():\n    x = 1\n    def f():\n        nonlocal x\n        x: int\n",
            "annotated name 'x' can't be nonlocal",
            (5, 9),
        ),
        // `from __future__` as CPython checks it.
        ("from __future__ import braces\n", "not a chance", (1, 24)),
        ("from __future__ import nope\n", "future feature nope is not defined", (1, 24)),
        (
            "import os\nfrom __future__ import annotations\n",
            "from __future__ imports must occur at the beginning of the file",
            (2, 1),
        ),
    ];
    for &(src, message, at) in cases {
        let text = src.to_string();
        let err = with_big_stack(move || first_error(&text))
            .unwrap_or_else(|| panic!("{src:?}: expected a syntax error"));
        assert!(err.msg.contains(message), "{src:?}: got {:?}, expected {message:?}", err.msg);
        assert_eq!(line_col(src, err.span.start as usize), at, "{src:?}: {}", err.msg);
    }
}

/// Near misses of the errors above that are valid Python and must stay valid.
#[test]
fn valid_neighbours_of_errors_still_parse() {
    let cases = [
        "*a, = [1]\n",
        "a, *b = 1, 2\n",
        "[a, *b] = 1, 2\n",
        "x = [*a, *b]\n",
        "x = *a, *b\n",
        "for x in *a, *b:\n    pass\n",
        "def f():\n    return *a, 1\n",
        "f(*a, *b, k=1, **c, **d)\n",
        "f(**k, a=1)\n",
        "f(a=1, b=2)\n",
        "def g():\n    f((yield), (yield 1))\n",
        "def f(*, k, **kw):\n    pass\n",
        "x = [a for a in b]\n",
        "x = {a: b for a, b in c}\n",
        "x = f'{\"#\"} {a!r:>{w}} {{}}'\n",
        "def g():\n    y = lambda: (lambda: 1)\n    yield y\n",
        // Neighbours of the hints: `print -1` is a subtraction, `match` a name, `!=` and `==`
        // end no f-string field, `with (a):` is a parenthesised expression, and a repeated
        // `global` is no use before the declaration.
        "print -1\n",
        "print\n",
        "print(x)\n",
        "match = 1\nmatch.x = 2\nmatch(x)\nmatch[0]\n",
        "x = f'{a!=b} {a==b} {a<=b} {d[\"k\"]}'\n",
        "with (a):\n    pass\n",
        "def f():\n    global x\n    global x\n    x = 1\n",
        "x = 1 if y == 2 else 3\n",
        "x = 1e3 + 0x1f\n",
        // Annotations, read and dropped: parameters (`*args` and `**kwargs` too), returns,
        // variables with and without a value, attributes and subscripts; a lambda's `:` ends
        // its parameters.
        "def f(a: int, /, b: 'str' = 'x', *c: int, d: list[int] = [], **e: dict) -> None:\n    pass\n",
        "async def f(x: int) -> int:\n    y: int = await g(x)\n    z: int\n    return y\n",
        "x: int = 1\ny: tuple = 1, 2\nz: list\no.a: int = 3\nd[k]: str\n(w): int = 5\n",
        "def g():\n    x: int = yield\n",
        "f = lambda x: x\n",
        "def f(*args: *Ts):\n    pass\n",
        "x = 1\ndef f():\n    global x\n    (x): int = 5\n",
        "\"doc\"\nfrom __future__ import annotations\nfrom __future__ import (division, generator_stop)\n",
    ];
    for src in cases {
        let text = src.to_string();
        let err = with_big_stack(move || first_error(&text));
        assert!(err.is_none(), "{src:?}: {:?}", err.map(|e| e.msg.clone()));
    }
}
