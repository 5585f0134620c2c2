//! tinyasync: a tiny Python-like language with generators, async/await and a round-robin
//! scheduler built in.
//!
//! The pipeline, one module a phase (see ARCHITECTURE.md):
//! `lexer` → `parser` (→ `ast`) → `resolver` → `vm` (compile to `bytecode`, run `frame`s) →
//! `scheduler`.
//! `diagnostics` renders every error; `driver` ties the phases together for the CLI and tests.

// `&[x.clone()]` reads better than `std::slice::from_ref(&x)` at call sites of user code.
#![allow(clippy::cloned_ref_to_slice_refs)]

pub mod ast;
pub mod ast_print;
pub mod builtins;
pub mod bytecode;
pub mod cli;
pub mod code;
pub mod diagnostics;
pub mod dict;
pub mod driver;
pub mod error;
pub mod frame;
pub mod fuzzing;
pub mod gc;
pub mod hint;
pub mod interp;
pub mod lexer;
pub mod limits;
pub mod line_index;
pub mod mersenne;
pub mod names;
pub mod parser;
pub mod repl;
pub mod resolver;
pub mod scheduler;
pub mod span;
pub mod symmap;
pub mod tasks;
pub mod value;
pub mod vm;
