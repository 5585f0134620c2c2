//! Pins the sizes of hot types. `Value` is 16 bytes (a tag and one word), so that slots, lists
//! and tuples stay compact. If one fails, a variant grew a fat pointer or an inline payload.

#[test]
fn value_is_16_bytes() {
    assert_eq!(std::mem::size_of::<tinyasync::value::Value>(), 16);
}

/// A statement is 72 bytes: compound statements are boxed (see `ast::StmtKind`), so blocks of
/// assignments and calls stay compact. If this grows, a new variant carries too much inline.
#[test]
fn stmt_is_72_bytes() {
    assert_eq!(std::mem::size_of::<tinyasync::ast::Stmt>(), 72);
}

/// An expression node is 40 bytes: no `ExprKind` variant carries more than three words.
#[test]
fn expr_is_40_bytes() {
    assert_eq!(std::mem::size_of::<tinyasync::ast::Expr>(), 40);
}

/// Tokens are plain 16-byte values (literals are read by the parser from their span), so the
/// lexer hands them over in two registers, and the lexer's result is no bigger.
#[test]
fn token_is_16_bytes() {
    assert_eq!(std::mem::size_of::<tinyasync::lexer::Token>(), 16);
    assert_eq!(std::mem::size_of::<Result<tinyasync::lexer::Token, tinyasync::error::SyntaxError>>(), 16);
}
