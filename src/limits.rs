//! Resource limits and interruption: the live-byte counter behind `--max-memory` (fed by the
//! counting allocator the binary installs), and the signal flag behind Ctrl-C and SIGTERM.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

/// Bytes allocated through `Counting` and not yet freed, as far as the threads have reported
/// them (see `Counting`): read it with [`live_bytes`].
pub static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

/// Allocations made through `Counting`, as far as reported: read it with [`allocations`].
pub static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

/// The signal that asked the program to stop (SIGINT = 2, SIGTERM = 15), or 0.
pub static STOP_SIGNAL: AtomicUsize = AtomicUsize::new(0);

/// Bytes currently allocated through `Counting` (0 when it is not the global allocator): exact
/// for the calling thread, within `REPORT_BYTES` for each other thread.
pub fn live_bytes() -> usize {
    report_pending();
    LIVE_BYTES.load(Ordering::Relaxed).max(0) as usize
}

/// Allocations made through `Counting` so far: exact for the calling thread.
pub fn allocations() -> usize {
    report_pending();
    ALLOCATIONS.load(Ordering::Relaxed)
}

pub fn stop_signal() -> usize {
    STOP_SIGNAL.load(Ordering::Relaxed)
}

thread_local! {
    /// This thread's allocation counts (bytes, allocations) not yet added to the shared totals.
    static PENDING: Cell<(isize, usize)> = const { Cell::new((0, 0)) };
}

/// A thread adds its counts to the shared totals once its byte count has moved this far.
const REPORT_BYTES: isize = 64 * 1024;

/// Counts an allocation (positive) or a free (negative).
#[inline]
fn count(bytes: isize, allocs: usize) {
    // The cell is a plain `Cell` with no destructor, so it is usable for the whole life of the
    // thread, including inside the allocator.
    PENDING.with(|pending| {
        let (b, a) = pending.get();
        let (b, a) = (b + bytes, a + allocs);
        if b.abs() >= REPORT_BYTES {
            LIVE_BYTES.fetch_add(b, Ordering::Relaxed);
            ALLOCATIONS.fetch_add(a, Ordering::Relaxed);
            pending.set((0, 0));
        } else {
            pending.set((b, a));
        }
    })
}

fn report_pending() {
    let (b, a) = PENDING.with(|pending| pending.replace((0, 0)));
    LIVE_BYTES.fetch_add(b, Ordering::Relaxed);
    ALLOCATIONS.fetch_add(a, Ordering::Relaxed);
}

/// A global allocator that counts live bytes and allocations, wrapping another allocator.
///
/// Each thread counts in a thread-local cell and adds to the shared atomics only every
/// `REPORT_BYTES`: an atomic add per allocation (a locked instruction, which waits for every
/// earlier store to complete) made the parse benchmark's median about 30% slower.
pub struct Counting<A>(pub A);

unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout, as the trait requires.
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize, 1);
        }
        p
    }
    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize), 0);
        // SAFETY: `ptr` was allocated by `self.0` with this layout.
        unsafe { self.0.dealloc(ptr, layout) }
    }
    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize, 1);
        }
        p
    }
    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from `self.0` with `layout`; the new size is the caller's.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize, 0);
        }
        p
    }
}

/// mimalloc, called the way C calls it. The interpreter allocates many small objects (frames,
/// `Rc` boxes, AST nodes), where mimalloc is markedly faster than the system allocator.
///
/// Every mimalloc block is aligned to at least 8 bytes, so for alignments up to 8 (nearly every
/// Rust type) this calls plain `mi_malloc`; only larger alignments go through
/// `mi_malloc_aligned`. (The `mimalloc` crate sends everything through `mi_malloc_aligned`,
/// whose fast path misses for block sizes that are not powers of two, such as 48-byte AST
/// nodes: parsing spent an eighth of its instructions there.)
pub struct Mimalloc;

/// The alignment every mimalloc block has (`MI_INTPTR_SIZE`).
const MI_MIN_ALIGN: usize = 8;

// SAFETY: each method forwards to the mimalloc function with the same contract; pointers given
// back to `dealloc`/`realloc` came from these functions, and mimalloc's `mi_free`/`mi_realloc`
// accept blocks from both the plain and the aligned allocation functions.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_malloc, mi_malloc_aligned};
        // SAFETY: plain FFI calls; mimalloc handles any size.
        unsafe {
            if layout.align() <= MI_MIN_ALIGN {
                mi_malloc(layout.size()) as *mut u8
            } else {
                mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }
    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};
        // SAFETY: as for `alloc`.
        unsafe {
            if layout.align() <= MI_MIN_ALIGN {
                mi_zalloc(layout.size()) as *mut u8
            } else {
                mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }
    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from one of mimalloc's allocation functions (see `alloc`).
        unsafe { libmimalloc_sys::mi_free(ptr as *mut std::ffi::c_void) }
    }
    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        use libmimalloc_sys::{mi_realloc, mi_realloc_aligned};
        let p = ptr as *mut std::ffi::c_void;
        // SAFETY: `ptr` came from mimalloc with `layout`; the alignment is kept.
        unsafe {
            if layout.align() <= MI_MIN_ALIGN {
                mi_realloc(p, new_size) as *mut u8
            } else {
                mi_realloc_aligned(p, new_size, layout.align()) as *mut u8
            }
        }
    }
}

/// Installs the SIGINT/SIGTERM handlers: the first signal sets `STOP_SIGNAL` (the interpreter
/// stops at its next step, flushes and reports); a second one exits at once with status 130.
pub fn install_signal_handlers() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    let seen = Arc::new(AtomicBool::new(false));
    for sig in [SIGINT, SIGTERM] {
        // A second signal, once `seen` is set, terminates the process immediately.
        let _ = signal_hook::flag::register_conditional_shutdown(sig, 130, seen.clone());
        let _ = signal_hook::flag::register(sig, seen.clone());
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        let _ = unsafe {
            signal_hook::low_level::register(sig, move || STOP_SIGNAL.store(sig as usize, Ordering::Relaxed))
        };
    }
}

/// Signal numbers as `STOP_SIGNAL` holds them.
pub const SIGINT: usize = signal_hook::consts::SIGINT as usize;
pub const SIGTERM: usize = signal_hook::consts::SIGTERM as usize;

/// The REPL's Ctrl-C and SIGTERM: they only set `STOP_SIGNAL`; the REPL decides (Ctrl-C cancels
/// the running input and the session goes on; SIGTERM ends the session).
pub fn install_interrupt_flag() -> std::io::Result<()> {
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe {
            signal_hook::low_level::register(sig, move || STOP_SIGNAL.store(sig as usize, Ordering::Relaxed))
        }?;
    }
    Ok(())
}
