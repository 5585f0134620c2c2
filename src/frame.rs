//! A function activation as plain data: its code, registers, cells, the exceptions it is
//! handling and where it stopped. The VM (`vm/run.rs`) runs frames; a suspended generator or
//! coroutine keeps its frames in its value (`value.rs`), so frames sit with the values, below
//! the VM, and suspending is moving a pointer.

// Frames are boxed inside their vectors on purpose: a yield moves a generator's frames between
// the loop's stack and the generator object, and moving a pointer is cheaper than a frame.
#![allow(clippy::vec_box)]

use crate::bytecode::Reg;
use crate::code::Code;
use crate::interp::Exc;
use crate::span::Span;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

/// A suspended generator's frames (its own at the bottom, then those it delegates to): one,
/// mostly, kept inline.
pub type Frames = smallvec::SmallVec<[Box<Frame>; 1]>;

/// A function activation.
pub struct Frame {
    pub code: Rc<Code>,
    /// The next instruction.
    pub pc: u32,
    /// The registers, exactly as many as the code needs when the frame is made (a pooled
    /// frame keeps its allocation for the next call).
    pub regs: Vec<Value>,
    /// (Thin vectors, one word each: most frames have no cells and handle no exception, and
    /// a small frame fits a smaller allocation.)
    pub cells: thin_vec::ThinVec<Rc<RefCell<Value>>>,
    /// The exceptions being handled (in except clauses and `finally` bodies), innermost last.
    pub handled: thin_vec::ThinVec<Box<Exc>>,
    pub func: Option<Rc<Function>>,
    /// A class body's namespace.
    pub ns: Option<Rc<RefCell<SymMap>>>,
    /// Suspended in a `YieldFrom` whose delegate is native (a scheduler request, an iterator):
    /// resuming runs that instruction again with what was sent.
    pub(crate) native_delegate: bool,
    pub(crate) ret: Ret,
}

/// Where a frame's result goes.
pub(crate) enum Ret {
    /// The bottom of a loop entered from native code.
    Native,
    /// A call: into this register of the frame below.
    Reg(Reg),
    /// The bottom frame of a generator resumed by the frame below.
    Resumed(Rc<Generator>, How),
    /// `__init__` of an instance being made (`Point(1, 2)` called from the loop): it must
    /// return None, and the instance goes into this register of the frame below.
    Init(Reg, Rc<Instance>),
}

#[derive(Clone, Copy)]
pub(crate) enum How {
    /// `ForIter`: a yielded value is the next item; the end is the loop's exit.
    Iterate,
    /// `YieldFrom`: a yield passes through to the frame below's resumer; the return value is
    /// the `YieldFrom`'s result.
    Delegate,
    /// `next(gen)` called from the loop: a yielded value is the call's result; the end raises
    /// StopIteration at the call.
    Next,
}

impl Frame {
    pub fn new(code: Rc<Code>) -> Frame {
        let mut regs = Vec::with_capacity(code.nslots);
        regs.resize_with(code.nslots, || Value::Unbound);
        let cells = if code.n_own_cells == 0 {
            thin_vec::ThinVec::new()
        } else {
            (0..code.n_own_cells).map(|_| Rc::new(RefCell::new(Value::Unbound))).collect()
        };
        Frame {
            code,
            pc: 0,
            regs,
            cells,
            handled: thin_vec::ThinVec::new(),
            func: None,
            ns: None,
            native_delegate: false,
            ret: Ret::Native,
        }
    }

    /// Makes a pooled frame (emptied by `recycle`) ready for `code`.
    pub(crate) fn reuse(&mut self, code: &Rc<Code>) {
        // `recycle` left every register Unbound: only the count may need adjusting, and
        // nothing at all when the function called is the one that last used this frame (a
        // recursive function, a method called in a loop).
        if !Rc::ptr_eq(&self.code, code) {
            let n = code.nslots;
            if self.regs.len() > n {
                self.regs.truncate(n);
            } else {
                while self.regs.len() < n {
                    self.regs.push(Value::Unbound);
                }
            }
            self.code = code.clone();
        }
        for _ in 0..code.n_own_cells {
            self.cells.push(Rc::new(RefCell::new(Value::Unbound)));
        }
    }

    /// Sets where the frame's result goes. Overwriting `Native` or `Reg` (which hold nothing)
    /// makes no call to the drop glue: a pooled frame's `ret` is one of those, and a call
    /// sets it on every frame it pushes.
    #[inline(always)]
    pub(crate) fn set_ret(&mut self, r: Ret) {
        if matches!(self.ret, Ret::Native | Ret::Reg(_)) {
            // SAFETY: the old value owns nothing (checked just above), so overwriting it
            // without running its destructor leaks nothing.
            unsafe { std::ptr::write(&mut self.ret, r) }
        } else {
            self.ret = r;
        }
    }

    /// Where the frame is: the instruction it stopped at (for tracebacks, task dumps).
    pub fn span(&self) -> Span {
        let bc = &self.code.bc;
        let at = if self.native_delegate { self.pc } else { self.pc.saturating_sub(1) };
        bc.spans.get(at as usize).copied().unwrap_or(self.code.span)
    }
}
