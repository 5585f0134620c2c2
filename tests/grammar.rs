//! Every ```ta block of grammar.md is a complete program: each must parse and pass the static
//! checks.

use tinyasync::driver::with_big_stack;

/// The ```ta blocks of a Markdown text, with the line each starts on (1-based, first code line).
fn ta_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in markdown.lines().enumerate() {
        let fence = line.trim_start();
        match current.take() {
            None => {
                if fence.starts_with("```") && fence.trim_start_matches('`').trim() == "ta" {
                    current = Some((i + 2, String::new()));
                }
            }
            Some((start, mut text)) => {
                if fence.starts_with("```") {
                    blocks.push((start, text));
                } else {
                    text.push_str(line);
                    text.push('\n');
                    current = Some((start, text));
                }
            }
        }
    }
    assert!(current.is_none(), "grammar.md has an unclosed ```ta block");
    blocks
}

#[test]
fn grammar_examples_parse_and_resolve() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/grammar.md");
    let markdown = std::fs::read_to_string(path).expect("read grammar.md");
    let blocks = ta_blocks(&markdown);
    assert!(blocks.len() >= 20, "expected at least 20 ```ta blocks in grammar.md, found {}", blocks.len());
    let failures = with_big_stack(move || {
        let mut failures = Vec::new();
        for (line, text) in &blocks {
            let result = tinyasync::parser::parse_program(text)
                .and_then(|m| tinyasync::resolver::resolve(&m).map(|_| ()));
            if let Err(e) = result {
                let (l, c) = tinyasync::diagnostics::line_col(text, e.span.start as usize);
                failures.push(format!("grammar.md:{}:{}: {}: {}\n{}", line + l - 1, c, e.kind, e.msg, text));
            }
        }
        failures
    });
    assert!(failures.is_empty(), "grammar.md examples that fail:\n{}", failures.join("\n"));
}

#[test]
fn block_extraction() {
    let md = "text\n```ta\nx = 1\n```\n```ebnf\nnot = code\n```\n  ```ta\ny = 2\nz = 3\n  ```\n";
    assert_eq!(ta_blocks(md), vec![(3, "x = 1\n".to_string()), (9, "y = 2\nz = 3\n".to_string())]);
}
