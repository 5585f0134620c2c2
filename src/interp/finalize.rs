//! Finalization, as CPython's reference counting does it: when the last reference to a
//! suspended generator goes, it is closed (its `finally` blocks run, it sees GeneratorExit);
//! when the last reference to an instance of a class with `__del__` goes, `__del__` runs. The
//! value layer's `Drop` cannot run code, so it revives the object into a queue
//! (`value::TO_FINALIZE`); the interpreter runs the queue at its next safe point: before the
//! next statement (`step_slow`, which queueing makes due), before `print` and
//! `sys.stdout.write` look at their arguments, after a loop drops its iterator, after `del`,
//! and when the program ends (`finalize_globals`, in CPython's order).

use super::generators::{Outcome, Resume};
use super::*;

impl Interp {
    /// Runs the finalizers of the objects whose last reference went since the last safe point.
    #[inline]
    pub fn run_finalizers(&mut self) -> R<()> {
        if !FINALIZE_PENDING.with(|p| p.get()) {
            return Ok(());
        }
        self.run_finalizers_now()
    }

    #[cold]
    fn run_finalizers_now(&mut self) -> R<()> {
        loop {
            let batch = TO_FINALIZE.with(|q| std::mem::take(&mut *q.borrow_mut()));
            FINALIZE_PENDING.with(|p| p.set(false));
            if batch.is_empty() {
                return Ok(());
            }
            for v in batch {
                let r = match &v {
                    Value::Gen(g) => self.close_generator(g),
                    Value::Instance(_) => self.call_method(&v, sym::DEL, &[], &[]).map(|_| ()),
                    _ => Ok(()),
                };
                match r {
                    Ok(()) => {}
                    Err(Fault::Exc(x)) => self.unraisable(&v, &x.value)?,
                    Err(other) => return Err(other),
                }
                self.finalized(&v);
                drop(v);
            }
        }
    }

    /// Marks `v` as finalized (see `value::mark_finalized`).
    fn finalized(&mut self, v: &Value) {
        mark_finalized(v);
    }

    /// `g.close()`: GeneratorExit thrown in where it stopped; it must not yield again.
    pub fn close_generator(&mut self, g: &Rc<Generator>) -> R<()> {
        match g.state.get() {
            GenState::Created => {
                g.state.set(GenState::Done);
                g.vm.clear();
                g.used.set(true);
                return Ok(());
            }
            GenState::Done => return Ok(()),
            _ => {}
        }
        let exit = raise_value(new_exception(&self.t.generator_exit, vec![]));
        match self.gen_resume(g, Resume::Throw(exit)) {
            Ok(Outcome::Yield(_)) => Err(runtime_error(if g.is_coroutine {
                "coroutine ignored GeneratorExit"
            } else if g.is_async_gen {
                "async generator ignored GeneratorExit"
            } else {
                "generator ignored GeneratorExit"
            })),
            Ok(Outcome::Return(_)) => Ok(()),
            Err(e) if e.is_instance(&self.t.generator_exit) || e.is_instance(&self.t.stop_iteration) => {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// An exception no one can catch (raised by a finalizer): reported on stderr, as CPython's
    /// "Exception ignored in".
    fn unraisable(&mut self, obj: &Value, exc: &Value) -> R<()> {
        let what = self.repr(obj).unwrap_or_else(|_| self.type_name(obj));
        let msg = self.to_str(exc).unwrap_or_default();
        let name = self.type_name(exc);
        let line = if msg.is_empty() { name } else { format!("{}: {}", name, msg) };
        self.write_err(&format!("Exception ignored in: {}\n{}\n", what, line))
    }

    /// The end of the program: the module's globals go, as CPython clears `__main__` at exit
    /// (first the names starting with `_`, then the others, each in the order defined), each
    /// one's finalizers running as it goes.
    pub fn finalize_globals(&mut self) -> R<()> {
        // Cyclic garbage first, as CPython's collection at shutdown finds it.
        self.collect_cycles()?;
        let names: Vec<Symbol> = self.globals.borrow().keys().copied().collect();
        // First what only the globals hold, finalized in place, in the order defined, with
        // the globals still there (CPython's module and its functions form a cycle, which
        // its collector finalizes before anything is cleared).
        for &n in &names {
            let v = self.globals.borrow().get(&n).cloned();
            let due = match &v {
                Some(Value::Gen(g)) => {
                    Rc::strong_count(g) == 2 && g.state.get() == GenState::Suspended && !g.in_task.get()
                }
                Some(Value::Instance(i)) => {
                    Rc::strong_count(i) == 2
                        && (i.class.flags.get() & class_flags::DEL != 0
                            || self.late_class_flags & class_flags::DEL != 0
                                && i.class.lookup(sym::DEL).is_some())
                }
                _ => false,
            };
            let Some(v) = v.filter(|_| due) else { continue };
            let r = match &v {
                Value::Gen(g) => self.close_generator(g),
                _ => self.call_method(&v, sym::DEL, &[], &[]).map(|_| ()),
            };
            match r {
                Ok(()) => {}
                Err(Fault::Exc(x)) => self.unraisable(&v, &x.value)?,
                Err(other) => return Err(other),
            }
            self.finalized(&v);
            self.run_finalizers()?;
        }
        // Then what only the globals hold through cycles (an object holding itself), its
        // finalizers run with everything intact, before anything is cleared.
        crate::gc::finalize_held_only_by(&self.globals.borrow());
        self.run_finalizers()?;
        for underscore in [true, false] {
            for &n in &names {
                if n.as_str().starts_with('_') != underscore || n == sym::NAME {
                    continue;
                }
                let old = self.globals.borrow_mut().get_mut(&n).map(|v| std::mem::replace(v, Value::None));
                self.globals_version += 1;
                drop(old);
                self.run_finalizers()?;
            }
        }
        // What the globals held in cycles (an object holding itself).
        self.collect_cycles()?;
        Ok(())
    }

    /// A cycle collection now (`gc.rs`), the garbage's finalizers run before it returns and
    /// what they finalized freed by a second collection, as CPython's one `gc.collect()` does.
    /// Returns the number of containers found unreachable.
    pub fn collect_cycles(&mut self) -> R<usize> {
        let mut n = crate::gc::collect();
        if FINALIZE_PENDING.with(|p| p.get()) {
            self.run_finalizers()?;
            n += crate::gc::collect();
        }
        Ok(n)
    }
}
