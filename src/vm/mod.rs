//! The bytecode VM: a compiler from the resolved AST to register instructions, and a dispatch
//! loop whose frames are plain data (see ARCHITECTURE.md, "The VM").
//!
//! It runs beside the tree-walking evaluator (`compile/` + `interp/exec.rs`, `eval.rs`) until
//! every test passes on it: it is the default; `TINYASYNC_VM=0` selects the old one.
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

/// Whether programs are compiled for the VM: the default; `TINYASYNC_VM=0` in the environment
/// selects the tree-walker until it is deleted.
pub fn enabled() -> bool {
    std::env::var_os("TINYASYNC_VM").is_none_or(|v| v != "0")
}
