//! The ready queue's ring: a `VecDeque` cut down to what the scheduler uses, so that its two
//! hot operations are inlined where they are called. `VecDeque::push_back` and `pop_front`
//! stayed out of line in the release build (their growth path makes them too big for the
//! inliner), and a task switch made inside the VM's loop calls both: about 46 instructions
//! of a switch of some 630 went to the calls (callgrind, `sched_yield.ta`).
//!
//! Safe code only: the slots are `Option`s (an `Entry` has a niche, so a slot is no bigger
//! than the entry), the room a power of two indexed through a mask.

/// A first-in, first-out queue on a growable ring of slots.
pub struct Ring<T> {
    /// `None` outside `head..head + len` (modulo the room); the room is 0 or a power of two.
    slots: Vec<Option<T>>,
    head: usize,
    len: usize,
}

impl<T> Default for Ring<T> {
    fn default() -> Self {
        Ring { slots: Vec::new(), head: 0, len: 0 }
    }
}

impl<T> Ring<T> {
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slot `i` places after the head.
    #[inline(always)]
    fn at(&self, i: usize) -> usize {
        (self.head + i) & (self.slots.len().wrapping_sub(1))
    }

    #[inline(always)]
    pub fn push_back(&mut self, v: T) {
        if self.len == self.slots.len() {
            self.grow();
        }
        let at = self.at(self.len);
        if let Some(slot) = self.slots.get_mut(at) {
            // The slot past the last entry is empty: forgetting what it held forgets `None`
            // (no call to the drop glue on every push).
            std::mem::forget(slot.replace(v));
            self.len += 1;
        }
    }

    #[inline(always)]
    pub fn pop_front(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let v = self.slots.get_mut(self.head)?.take();
        self.head = self.at(1);
        self.len -= 1;
        v
    }

    /// Takes the front entry when `f` makes something of it, returning both (the slot looked
    /// up once, for the look and the take).
    #[inline(always)]
    pub fn pop_front_with<R>(&mut self, f: impl FnOnce(&T) -> Option<R>) -> Option<(T, R)> {
        if self.len == 0 {
            return None;
        }
        let slot = self.slots.get_mut(self.head)?;
        let r = f(slot.as_ref()?)?;
        let v = slot.take()?;
        self.head = self.at(1);
        self.len -= 1;
        Some((v, r))
    }

    /// Twice the room (at least 8), the entries moved to the start in order.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let room = (self.slots.len() * 2).max(8);
        let mut slots: Vec<Option<T>> = Vec::with_capacity(room);
        for i in 0..self.len {
            let at = self.at(i);
            slots.push(self.slots[at].take());
        }
        slots.resize_with(room, || None);
        self.slots = slots;
        self.head = 0;
    }

    /// The entries, front first.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        (0..self.len).filter_map(move |i| self.slots[self.at(i)].as_ref())
    }

    /// Keeps the entries `keep` says to keep, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let n = self.len;
        let mut kept = 0;
        for i in 0..n {
            let from = self.at(i);
            let Some(v) = self.slots[from].take() else { continue };
            if keep(&v) {
                let to = self.at(kept);
                self.slots[to] = Some(v);
                kept += 1;
            }
        }
        self.len = kept;
    }
}

/// An entry of the ready queue: a task's step or a callback.
pub enum Entry<T, C> {
    Step(T),
    Callback(C),
}

/// The ready queue: task steps and callbacks in one first-in, first-out order, kept as a ring
/// of steps (one pointer each: 100,000 ready tasks take 1 MB, not the 2 MB of 16-byte
/// entries) and, apart, the callbacks, each with the number of steps pushed before it, which
/// says where it stands among them. Callbacks are few; steps are the hot path.
pub struct ReadyQueue<T, C> {
    steps: Ring<T>,
    callbacks: std::collections::VecDeque<(u64, C)>,
    /// Steps pushed and popped so far.
    pushed: u64,
    popped: u64,
}

impl<T, C> Default for ReadyQueue<T, C> {
    fn default() -> Self {
        ReadyQueue { steps: Ring::default(), callbacks: Default::default(), pushed: 0, popped: 0 }
    }
}

impl<T, C> ReadyQueue<T, C> {
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.steps.len() + self.callbacks.len()
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.callbacks.is_empty()
    }

    #[inline(always)]
    pub fn push_back(&mut self, e: Entry<T, C>) {
        match e {
            Entry::Step(t) => {
                self.steps.push_back(t);
                self.pushed += 1;
            }
            Entry::Callback(c) => self.callbacks.push_back((self.pushed, c)),
        }
    }

    /// Whether the front entry is a callback: every step pushed before it has been popped.
    #[inline(always)]
    fn callback_first(&self) -> bool {
        self.callbacks.front().is_some_and(|(at, _)| *at <= self.popped)
    }

    #[inline(always)]
    pub fn pop_front(&mut self) -> Option<Entry<T, C>> {
        if self.callback_first() {
            return self.callbacks.pop_front().map(|(_, c)| Entry::Callback(c));
        }
        let t = self.steps.pop_front()?;
        self.popped += 1;
        Some(Entry::Step(t))
    }

    /// Takes the front entry when it is a step that `f` makes something of, returning both.
    #[inline(always)]
    pub fn pop_step_with<R>(&mut self, f: impl FnOnce(&T) -> Option<R>) -> Option<(T, R)> {
        if self.callback_first() {
            return None;
        }
        let taken = self.steps.pop_front_with(f)?;
        self.popped += 1;
        Some(taken)
    }

    /// The entries, front first.
    pub fn iter(&self) -> impl Iterator<Item = Entry<&T, &C>> {
        let mut steps = self.steps.iter().peekable();
        let mut callbacks = self.callbacks.iter().peekable();
        let mut at = self.popped;
        std::iter::from_fn(move || {
            if let Some((_, c)) = callbacks.next_if(|(k, _)| *k <= at) {
                return Some(Entry::Callback(c));
            }
            let t = steps.next()?;
            at += 1;
            Some(Entry::Step(t))
        })
    }

    /// Keeps the entries `keep` says to keep, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(Entry<&T, &C>) -> bool) {
        // The numbers (among the steps pushed) of the steps that go.
        let mut gone: Vec<u64> = Vec::new();
        let mut at = self.popped;
        self.steps.retain(|t| {
            let kept = keep(Entry::Step(t));
            if !kept {
                gone.push(at);
            }
            at += 1;
            kept
        });
        self.callbacks.retain(|(_, c)| keep(Entry::Callback(c)));
        for (k, _) in self.callbacks.iter_mut() {
            *k -= gone.iter().filter(|&&g| g < *k).count() as u64;
        }
        self.pushed -= gone.len() as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::Ring;
    use std::collections::VecDeque;

    /// The ring against `VecDeque` on a long mixed run of pushes, pops (plain, and taken only
    /// when the front entry passes a test) and retains that wraps around and grows many times.
    #[test]
    fn the_ring_keeps_the_order_a_vecdeque_keeps() {
        let mut ring = Ring::default();
        let mut model = VecDeque::new();
        let mut x: u64 = 12345;
        for i in 0..20_000u32 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            match (x >> 33) % 7 {
                0..=2 => {
                    ring.push_back(i);
                    model.push_back(i);
                }
                3 | 4 => assert_eq!(ring.pop_front(), model.pop_front()),
                // Taken only when even (and then the value and what was made of it).
                5 => {
                    let want = model.front().copied().filter(|v| v % 2 == 0);
                    let got = ring.pop_front_with(|v| (v % 2 == 0).then_some(v * 10));
                    assert_eq!(got, want.map(|v| (v, v * 10)));
                    if want.is_some() {
                        model.pop_front();
                    }
                }
                _ => {
                    let m = (x >> 40) as u32 % 5 + 2;
                    ring.retain(|v| v % m != 0);
                    model.retain(|v| v % m != 0);
                }
            }
            assert_eq!(ring.len(), model.len());
            assert_eq!(ring.iter().next(), model.front());
            assert_eq!(ring.is_empty(), model.is_empty());
        }
        assert!(ring.iter().eq(model.iter()));
    }

    /// The ready queue against one `VecDeque` of both kinds, on a long mixed run of pushes of
    /// steps and callbacks, pops (plain, and of a step `f` takes) and retains: the same order.
    #[test]
    fn the_ready_queue_keeps_steps_and_callbacks_in_one_order() {
        use super::{Entry, ReadyQueue};
        #[derive(Clone, Copy, PartialEq, Debug)]
        enum E {
            S(u32),
            C(u32),
        }
        let view = |e: Entry<&u32, &u32>| match e {
            Entry::Step(t) => E::S(*t),
            Entry::Callback(c) => E::C(*c),
        };
        let owned = |e: Entry<u32, u32>| match e {
            Entry::Step(t) => E::S(t),
            Entry::Callback(c) => E::C(c),
        };
        let mut q: ReadyQueue<u32, u32> = ReadyQueue::default();
        let mut model: VecDeque<E> = VecDeque::new();
        let mut x: u64 = 987654321;
        for i in 0..30_000u32 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            match (x >> 33) % 9 {
                0..=2 => {
                    q.push_back(Entry::Step(i));
                    model.push_back(E::S(i));
                }
                3 => {
                    q.push_back(Entry::Callback(i));
                    model.push_back(E::C(i));
                }
                4 | 5 => assert_eq!(q.pop_front().map(owned), model.pop_front()),
                // A step taken only when it is even.
                6 | 7 => {
                    let want = match model.front() {
                        Some(&E::S(v)) if v % 2 == 0 => Some(v),
                        _ => None,
                    };
                    let got = q.pop_step_with(|v| (v % 2 == 0).then_some(v * 10));
                    assert_eq!(got, want.map(|v| (v, v * 10)));
                    if want.is_some() {
                        model.pop_front();
                    }
                }
                _ => {
                    let m = (x >> 40) as u32 % 5 + 2;
                    let keep = |e: E| match e {
                        E::S(v) => v % m != 0,
                        E::C(v) => v % (m + 1) != 0,
                    };
                    q.retain(|e| keep(view(e)));
                    model.retain(|&e| keep(e));
                }
            }
            assert_eq!(q.len(), model.len());
            assert_eq!(q.is_empty(), model.is_empty());
            assert_eq!(q.iter().next().map(view), model.front().copied());
        }
        assert!(q.iter().map(view).eq(model.iter().copied()));
        while let Some(e) = q.pop_front() {
            assert_eq!(Some(owned(e)), model.pop_front());
        }
        assert!(model.is_empty());
    }
}
