//! The bytecode VM: a compiler from the resolved AST to register instructions, and a dispatch
//! loop whose frames are plain data (see ARCHITECTURE.md, "The VM").
//!
//! - `compile/`: AST → bytecode.
//! - `run.rs`: the dispatch loop over frames (`frame.rs`); generators and coroutines resumed
//!   inside it.
//! - `dis.rs`: `tinyasync dis`, the instructions with lines and suspension points.

pub mod compile;
pub mod dis;
mod run;

pub use run::{suspended_in_await, suspended_span};
