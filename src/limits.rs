//! Resource limits and interruption: the live-byte counter behind `--max-memory` (fed by the
//! counting allocator the binary installs), and the signal flag behind Ctrl-C and SIGTERM.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes currently allocated through `Counting` (0 when it is not the global allocator).
pub static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

/// Allocations made through `Counting` (for tests that check what allocates).
pub static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

/// The signal that asked the program to stop (SIGINT = 2, SIGTERM = 15), or 0.
pub static STOP_SIGNAL: AtomicUsize = AtomicUsize::new(0);

pub fn live_bytes() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

pub fn stop_signal() -> usize {
    STOP_SIGNAL.load(Ordering::Relaxed)
}

/// A global allocator that counts live bytes, wrapping another allocator.
pub struct Counting<A>(pub A);

unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout, as the trait requires.
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `self.0` with this layout.
        unsafe { self.0.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from `self.0` with `layout`; the new size is the caller's.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
            LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
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

/// The REPL's Ctrl-C: only sets `STOP_SIGNAL`, so running code stops and the session goes on.
pub fn install_interrupt_flag() -> std::io::Result<()> {
    use signal_hook::consts::SIGINT;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        signal_hook::low_level::register(SIGINT, || STOP_SIGNAL.store(SIGINT as usize, Ordering::Relaxed))
    }?;
    Ok(())
}
