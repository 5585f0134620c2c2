//! tinyasync: a tiny Python-like language with generators, async/await and a round-robin
//! scheduler built in.
//!
//! The pipeline, one module a phase (see ARCHITECTURE.md):
//! `lexer` → `parser` (→ `ast`) → `resolver` (→ `code`) → `interp` → `scheduler`.
//! `diagnostics` renders every error; `driver` ties the phases together for the CLI and tests.

pub mod ast;
pub mod ast_print;
pub mod diagnostics;
pub mod driver;
pub mod error;
pub mod lexer;
pub mod parser;
pub mod resolver;
pub mod span;
pub mod value;
