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

/// Blocks, tuples and parameter lists are allocated at their final size (the parser gathers
/// them on scratch stacks), not grown by doubling: a 2-tuple holds 2 expressions, not 4.
#[test]
fn parsed_sequences_have_no_spare_capacity() {
    use tinyasync::ast::{ExprKind, StmtKind};
    let src = "def f(a, b, c, *, d, e):\n    x = 1, 2\n    y = 3\n    z = 4\n";
    let module = tinyasync::parser::parse_program(src).expect("parses");
    let StmtKind::FunctionDef(f) = &module.body[0].kind else { panic!("not a def") };
    assert_eq!((f.params.args.len(), f.params.args.capacity()), (3, 3));
    assert_eq!((f.params.kwonly.len(), f.params.kwonly.capacity()), (2, 2));
    assert_eq!((f.body.len(), f.body.capacity()), (3, 3));
    let StmtKind::Assign(_, value) = &f.body[0].kind else { panic!("not an assignment") };
    let ExprKind::Tuple(items) = &value.kind else { panic!("not a tuple") };
    assert_eq!((items.len(), items.capacity()), (2, 2));
}

#[test]
fn an_instruction_is_sixteen_bytes() {
    // The dispatch loop reads one per step: keep them compact (ARCHITECTURE.md says 16).
    assert_eq!(std::mem::size_of::<tinyasync::bytecode::Instr>(), 16);
}

/// A task is 80 bytes, 96 with its reference counts: one of the allocator's size classes, where
/// 88 bytes would take 112. What few tasks need (joiners, hand-offs, a given name) is boxed
/// apart; what it holds between steps (what to send in, what it waits on, how it ended) shares
/// one slot, since it holds one at a time; neither has a borrow flag (`Cell`s); its name's
/// function and the place of its spawn are its coroutine's; its number is 32 bits.
#[test]
fn a_task_is_80_bytes() {
    assert_eq!(std::mem::size_of::<tinyasync::tasks::Task>(), 80);
}

/// A frame is 80 bytes, one of the allocator's size classes (88 took 96): its registers are a
/// pointer with a 32-bit length and capacity (`frame::Regs`), not a 24-byte `Vec`.
#[test]
fn a_frame_is_80_bytes() {
    assert_eq!(std::mem::size_of::<tinyasync::frame::Frame>(), 80);
}

/// A generator (or coroutine) is 48 bytes, 64 with its reference counts, one of the
/// allocator's size classes (56 took 80): its frames are kept in a `Cell`, with no borrow flag.
#[test]
fn a_generator_is_48_bytes() {
    assert_eq!(std::mem::size_of::<tinyasync::value::Generator>(), 48);
}

/// An attribute map (instances, classes, modules) is 32 bytes: its names and values share one
/// vector of 24-byte entries (one allocation, made at the size its class has seen: see
/// `Class::attr_hint`), and the hash index that only large maps have is boxed.
#[test]
fn an_attribute_map_is_32_bytes() {
    assert_eq!(std::mem::size_of::<tinyasync::symmap::SymMap>(), 32);
    assert_eq!(std::mem::size_of::<(tinyasync::span::Symbol, tinyasync::value::Value)>(), 24);
}
