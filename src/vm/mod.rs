//! The bytecode VM: a compiler from the resolved AST to register instructions, and a dispatch
//! loop whose frames are plain data (see ARCHITECTURE.md, "The VM").
//!
//! It runs beside the tree-walking evaluator (`compile/` + `interp/exec.rs`, `eval.rs`) until
//! every test passes on it: `TINYASYNC_VM=1` selects it (see `enabled`).
//!
//! - `bytecode.rs`: the instruction set and the tables beside it.
//! - `compile/`: AST → bytecode.
//! - `run.rs`: frames and the dispatch loop; generators and coroutines resumed inside it.
//! - `dis.rs`: `tinyasync dis`, the instructions with lines and suspension points.

pub mod bytecode;
pub mod compile;
pub mod dis;
mod run;

pub use run::{suspended_span, Frame};

/// Whether programs are compiled for the VM: `TINYASYNC_VM=1` in the environment.
pub fn enabled() -> bool {
    std::env::var_os("TINYASYNC_VM").is_some_and(|v| v == "1")
}
