//! Golden tests for the front end: every `tests/parse/*.ta` program is parsed, resolved, and its
//! syntax tree (as `tinyasync parse` prints it) is compared with `tests/snapshots/`.
//!
//! Accept new snapshots with `INSTA_UPDATE=always cargo test --test parse`, then read them.

use tinyasync::driver::with_big_stack;

#[test]
fn parse_programs() {
    insta::glob!("parse/*.ta", |path| {
        let bytes = std::fs::read(path).expect("read test program");
        let src = String::from_utf8(bytes).expect("test programs are UTF-8");
        let name = path.display().to_string();
        let printed = with_big_stack(move || {
            let module = match tinyasync::parser::parse_program(&src) {
                Ok(m) => m,
                Err(e) => panic!("{name}: parse error: {} at {:?}", e.msg, e.span),
            };
            if let Err(e) = tinyasync::resolver::resolve(&module) {
                panic!("{name}: resolve error: {} at {:?}", e.msg, e.span);
            }
            tinyasync::ast_print::print_module(&module, &src)
        });
        insta::assert_snapshot!(printed);
    });
}

/// The CRLF and BOM programs must really contain what they test (an editor could strip it).
#[test]
fn crlf_and_bom_files_keep_their_bytes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/parse");
    let crlf = std::fs::read(format!("{dir}/crlf.ta")).expect("crlf.ta");
    assert!(crlf.windows(2).any(|w| w == b"\r\n"), "crlf.ta lost its CRLF line endings");
    assert!(!crlf.iter().enumerate().any(|(i, &b)| b == b'\n' && (i == 0 || crlf[i - 1] != b'\r')));
    let bom = std::fs::read(format!("{dir}/bom.ta")).expect("bom.ta");
    assert!(bom.starts_with(b"\xEF\xBB\xBF"), "bom.ta lost its byte order mark");
}

/// F-string fields that are plain names take a short cut in the parser (no lexing of a
/// parenthesised copy); the node and its span must be what the general path gives: the name,
/// exactly where it is in the file. Fields that are not plain names go the general way.
#[test]
fn fstring_name_fields_point_at_the_name() {
    use tinyasync::ast::{ExprKind, FPart, StmtKind};
    let src = "x = f\"{k}{ kk }{_k1!r}{k:>8}{None}{k.a}{é}\"\n";
    let module = tinyasync::parser::parse_program(src).expect("parses");
    let StmtKind::Assign(_, value) = &module.body[0].kind else { panic!("not an assignment") };
    let ExprKind::FString(parts) = &value.kind else { panic!("not an f-string") };
    let fields: Vec<(String, &str)> = parts
        .iter()
        .filter_map(|p| match p {
            FPart::Expr { expr, .. } => {
                let kind = match &expr.kind {
                    ExprKind::Name(n) => format!("name {n}"),
                    ExprKind::None => "None".into(),
                    ExprKind::Attribute(..) => "attribute".into(),
                    _ => "other".into(),
                };
                Some((kind, &src[expr.span.range()]))
            }
            FPart::Lit(_) => None,
        })
        .collect();
    let expected: Vec<(String, &str)> = vec![
        ("name k".into(), "k"),
        ("name kk".into(), "kk"),
        ("name _k1".into(), "_k1"),
        ("name k".into(), "k"),
        ("None".into(), "None"),
        ("attribute".into(), "k.a"),
        ("name é".into(), "é"),
    ];
    assert_eq!(fields, expected);
}
