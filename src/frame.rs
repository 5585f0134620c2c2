//! A function activation as plain data: its code, registers, cells, the exceptions it is
//! handling and where it stopped. The VM (`vm/run.rs`) runs frames; a suspended generator or
//! coroutine keeps its frames in its value (`value.rs`), so frames sit with the values, below
//! the VM, and suspending is moving a pointer.

// Frames are boxed inside their vectors on purpose: a yield moves a generator's frames between
// the loop's stack and the generator object, and moving a pointer is cheaper than a frame.
#![allow(clippy::vec_box)]

use crate::bytecode::{Instr, Reg};
use crate::code::Code;
use crate::interp::Exc;
use crate::span::Span;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

/// A suspended generator's frames (its own at the bottom, then those it delegates to): one,
/// mostly, kept inline.
pub type Frames = smallvec::SmallVec<[Box<Frame>; 1]>;

/// A suspended generator's frames, in a `Cell` (taken out and put back) rather than a
/// `RefCell`: no borrow flag, so a generator is 48 bytes, 64 with its reference counts (one of
/// the allocator's size classes; 56 took 80). While a generator runs its frames are on the
/// loop's stack and this is empty; whoever looks meanwhile sees no frames.
#[derive(Default)]
pub struct FrameCell(std::cell::Cell<Frames>);

impl FrameCell {
    pub fn new(frames: Frames) -> FrameCell {
        FrameCell(std::cell::Cell::new(frames))
    }

    /// The frames, leaving none.
    #[inline(always)]
    pub fn take(&self) -> Frames {
        self.0.take()
    }

    /// Puts `frames` in, returning those that were there.
    #[inline(always)]
    pub fn replace(&self, frames: Frames) -> Frames {
        self.0.replace(frames)
    }

    #[inline(always)]
    pub fn push(&self, f: Box<Frame>) {
        // SAFETY: a `Cell` is not shared between threads, and no reference to its contents
        // outlives this call, which runs no code that could reach this cell (a push calls the
        // allocator at most).
        unsafe { (*self.0.as_ptr()).push(f) }
    }

    /// The frame, when there is exactly one (a generator not delegating), taken out in place.
    #[inline(always)]
    pub fn pop_single(&self) -> Option<Box<Frame>> {
        // SAFETY: as for `push`: the reference ends within this call, which runs no code
        // that could reach this cell.
        let frames = unsafe { &mut *self.0.as_ptr() };
        if frames.len() == 1 {
            frames.pop()
        } else {
            None
        }
    }

    pub fn clear(&self) {
        drop(self.take());
    }

    /// What `f` makes of the frames, looked at where they are. (Taking them out for the look
    /// would hide them from a look nested in it: the cycle collector, walking a generator
    /// that holds itself, then missed the edge to itself and never freed it.)
    ///
    /// # Safety
    /// While `f` runs, nothing may change any generator's frames (`take`, `replace`, `push`,
    /// `pop_single`, `clear`): `f` holds a reference into this cell. Reading them again, here
    /// or in another generator, is fine.
    pub unsafe fn peek<T>(&self, f: impl FnOnce(&Frames) -> T) -> T {
        // SAFETY: the caller guarantees no change to the frames while the reference lives;
        // a `Cell` is not shared between threads.
        f(unsafe { &*self.0.as_ptr() })
    }
}

/// A function activation.
pub struct Frame {
    pub code: Rc<Code>,
    /// The next instruction.
    pub pc: u32,
    /// The registers, exactly as many as the code needs when the frame is made (a pooled
    /// frame keeps its allocation for the next call).
    pub regs: Regs,
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
    /// Stopped where a `None` sent in needs no writing: the register it would go to holds
    /// `None` already (a `YieldNone`, a fused `await` that waited). A send reads and clears
    /// it (`resume_with`) instead of decoding the instruction it stopped at; an exception
    /// raised in the frame clears it too.
    pub(crate) none_sent: bool,
    /// Stopped at a fused `await sleep(0)`: whatever is sent in, the await's value is `None`
    /// (as in asyncio, whose `sleep(0)` is a bare `yield` inside the sleep: a value sent by
    /// hand goes to that `yield`, not to the await). `resume_with` reads and clears it; an
    /// exception raised in the frame clears it too (`resume_with` clears it with `none_sent`,
    /// which a fused `sleep(0)` sets as well when its `None` is written already).
    pub(crate) sent_ignored: bool,
    pub(crate) ret: Ret,
}

/// Where a frame's result goes.
pub(crate) enum Ret {
    /// The bottom of a loop entered from native code.
    Native,
    /// A call: into this register of the frame below.
    Reg(Reg),
    /// The bottom frame of a generator resumed by the frame below; for `Iterate` and `Next`,
    /// the register of the frame below that a yielded value goes into (the `ForIter`'s or the
    /// call's), kept here so that a yield need not look at the instruction that resumed it.
    Resumed(Rc<Generator>, How, Reg),
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
        let regs = Regs::unbound(code.nslots);
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
            none_sent: false,
            sent_ignored: false,
            ret: Ret::Native,
        }
    }

    /// Makes a pooled frame (emptied by `recycle`) ready for `code`.
    pub(crate) fn reuse(&mut self, code: &Rc<Code>) {
        // `recycle` left every register Unbound: only the count may need adjusting, and
        // nothing at all when the function called is the one that last used this frame (a
        // recursive function, a method called in a loop).
        if !Rc::ptr_eq(&self.code, code) {
            self.regs.resize_unbound(code.nslots);
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

    /// Stops the frame at a fused `await sleep(0)` (`AwaitCall` at `pc - 1`, its
    /// `GetAwaitable` and `YieldFrom` skipped): `pc` past them, the call's register `dst`
    /// (which held the awaited built-in) set to `None`, and the marks for the resume: the
    /// await's value is `None` whatever is sent (`sent_ignored`), and when the `YieldFrom`'s
    /// register is the call's, that `None` is written already (`none_sent`). A local the
    /// await assigns keeps its value until the resume: an exception thrown in must find it
    /// unchanged. (The call's register being the `YieldFrom`'s does not make the value unused:
    /// `return await sleep(0)` returns it.)
    #[inline(always)]
    pub(crate) fn stop_at_fused_sleep(&mut self, dst: Reg) {
        if let Some(Instr::YieldFrom { dst: to, .. }) = self.code.bc.instrs.get(self.pc as usize + 1) {
            self.none_sent = *to == dst;
        }
        self.sent_ignored = true;
        self.pc += 2;
        if let Some(r) = self.regs.get_mut(dst as usize) {
            // The built-in's `Rc` dropped as such, not through the drop glue of any `Value`.
            match std::mem::replace(r, Value::None) {
                Value::Builtin(b) => drop(b),
                old => drop(old),
            }
        }
    }

    /// Where the frame is: the instruction it stopped at (for tracebacks, task dumps).
    pub fn span(&self) -> Span {
        let bc = &self.code.bc;
        let at = if self.native_delegate { self.pc } else { self.pc.saturating_sub(1) };
        bc.spans.get(at as usize).copied().unwrap_or(self.code.span)
    }
}

/// A frame's registers: a `Vec`'s pointer with its length and capacity in 32 bits each, 16
/// bytes instead of 24, so that a frame is 80 bytes, one of the allocator's size classes (88
/// took 96). A frame has at most `KONST_PART` registers (the compiler's bound), far below 2^32.
pub struct Regs {
    ptr: std::ptr::NonNull<Value>,
    len: u32,
    cap: u32,
}

impl Regs {
    /// `n` registers, each `Unbound`.
    pub fn unbound(n: usize) -> Regs {
        let mut v = Vec::with_capacity(n);
        v.resize_with(n, || Value::Unbound);
        Regs::from_vec(v)
    }

    fn from_vec(v: Vec<Value>) -> Regs {
        // Unreachable: a code object has fewer than `KONST_PART` (2^15) registers, or the
        // compiler refuses it; `take_vec` relies on both numbers being the vector's own.
        assert!(v.capacity() <= u32::MAX as usize, "a frame with more than 2^32 registers");
        let mut v = std::mem::ManuallyDrop::new(v);
        Regs {
            // A `Vec`'s pointer is never null (dangling, not null, when it has no room).
            ptr: std::ptr::NonNull::new(v.as_mut_ptr()).unwrap_or(std::ptr::NonNull::dangling()),
            len: v.len() as u32,
            cap: v.capacity() as u32,
        }
    }

    /// The vector the registers came from, which now owns them; `self` is left empty.
    fn take_vec(&mut self) -> Vec<Value> {
        let (ptr, len, cap) = (self.ptr.as_ptr(), self.len as usize, self.cap as usize);
        self.ptr = std::ptr::NonNull::dangling();
        self.len = 0;
        self.cap = 0;
        // SAFETY: `ptr`, `len` and `cap` are those of a vector taken apart by `from_vec` (the
        // lengths fit 32 bits: `from_vec` is only given vectors of at most `KONST_PART`
        // registers), and ownership passes back to it: `self` no longer points there.
        unsafe { Vec::from_raw_parts(ptr, len, cap) }
    }

    /// How many registers there are (read without making a slice).
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first register's address (read without making a slice).
    #[inline(always)]
    pub fn as_mut_ptr(&mut self) -> *mut Value {
        self.ptr.as_ptr()
    }

    /// Exactly `n` registers: extra ones dropped, new ones `Unbound`.
    #[inline]
    pub fn resize_unbound(&mut self, n: usize) {
        let len = self.len as usize;
        if n <= len {
            // Fewer: the extra ones are dropped where they are.
            for r in &mut self[n..] {
                r.put(Value::Unbound);
            }
            // `n` fits 32 bits: it is at most `len`.
            self.len = n as u32;
        } else if n <= self.cap as usize {
            // More, within the room: the new ones are written in place.
            for i in len..n {
                // SAFETY: `i` is below the capacity, so inside the allocation; the slot holds
                // no value yet (it is past `len`), so writing does not leak one.
                unsafe { self.ptr.as_ptr().add(i).write(Value::Unbound) }
            }
            self.len = n as u32;
        } else {
            let mut v = self.take_vec();
            v.resize_with(n, || Value::Unbound);
            *self = Regs::from_vec(v);
        }
    }
}

impl std::ops::Deref for Regs {
    type Target = [Value];
    #[inline(always)]
    fn deref(&self) -> &[Value] {
        // SAFETY: the first `len` values from `ptr` are initialized and owned by `self` (a
        // vector's, see `from_vec`).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len as usize) }
    }
}

impl std::ops::DerefMut for Regs {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [Value] {
        // SAFETY: as for `deref`, and `&mut self` makes the borrow unique.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len as usize) }
    }
}

impl Drop for Regs {
    fn drop(&mut self) {
        drop(self.take_vec());
    }
}
