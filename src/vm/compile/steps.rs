//! Bounds what each `Step` empties. A `Step` releases the temporaries of the statement before
//! it; scanning every register above the locals cost more than anything else in a loop of
//! small statements (a tenth of a generator switch), so the compiler works out, once, which
//! registers can hold a value there: a forward pass over the finished instructions computes,
//! for each one, one past the highest register written on any path since the last `Step`
//! (jumps, loop back edges and exception handlers included), and each `Step` gets that as its
//! `hi`; a `Step` with nothing to empty (`hi` no higher than `live`) becomes a `Tick`, which
//! only counts. Debug builds check the bound at run time at both (`exec_instrs`).

use super::*;

/// Sets `hi` of every `Step` in `instrs`.
/// Returns the `live` bound of each `Step` that became a `Tick`, by index.
pub(super) fn bound_steps(instrs: &mut [Instr], handlers: &[Handler], nslots: usize) -> Vec<(u32, Reg)> {
    let n = instrs.len();
    // dirty[i]: one past the highest register that may hold a temporary when `i` starts.
    let mut dirty = vec![0u32; n];
    let mut reached = vec![false; n];
    let mut work: Vec<usize> = Vec::new();
    if n > 0 {
        reached[0] = true;
        work.push(0);
    }
    while let Some(i) = work.pop() {
        let instr = instrs[i];
        let out = match instr {
            // What it empties is clean after it; below `live` (locals, and temporaries kept
            // across statements such as a `for` loop's iterator) stays as it was.
            Instr::Step { live, .. } => dirty[i].min(live as u32),
            other => dirty[i].max(other.writes_below()),
        };
        let mut flow = |to: usize, d: u32, work: &mut Vec<usize>| {
            if to < n && (!reached[to] || dirty[to] < d) {
                reached[to] = true;
                dirty[to] = dirty[to].max(d);
                work.push(to);
            }
        };
        let (next, jump) = instr.successors();
        if next {
            flow(i + 1, out, &mut work);
        }
        if let Some(to) = jump {
            flow(to as usize, out, &mut work);
        }
        // An exception inside a protected region goes to its handler with whatever the
        // instruction had written so far.
        for h in handlers.iter().filter(|h| h.start as usize <= i && i < h.end as usize) {
            flow(h.target as usize, out, &mut work);
        }
    }
    let mut ticks = Vec::new();
    for (i, instr) in instrs.iter_mut().enumerate() {
        if let Instr::Step { live, hi } = instr {
            let bound = (dirty[i] as usize).min(nslots).max(*live as usize);
            *hi = bound as Reg;
            if bound <= *live as usize {
                ticks.push((i as u32, *live));
                *instr = Instr::Tick;
            }
        }
    }
    ticks
}
