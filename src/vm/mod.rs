//! The bytecode VM: a compiler from the resolved AST to register instructions, and a dispatch
//! loop whose frames are plain data (see ARCHITECTURE.md, "The VM").
//!
//! - `bytecode.rs`: the instruction set and the tables beside it.
//! - `compile/`: AST → bytecode.
//! - `run.rs`: frames and the dispatch loop; generators and coroutines resumed inside it.
//! - `dis.rs`: `tinyasync dis`, the instructions with lines and suspension points.

pub mod bytecode;
pub mod compile;
pub mod dis;
mod run;

pub use run::{suspended_span, Frame, Frames};
