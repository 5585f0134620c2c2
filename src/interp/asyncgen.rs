//! Async generators and async iteration (PEP 525, PEP 492).
//!
//! An async generator (`async def` with `yield`) is a `Generator` whose frames run like a
//! coroutine's; its `yield` marks the value (`AsyncGenWrap` → `Native::AsyncGenValue`), so
//! that whoever resumes it can tell its own values from what an `await` inside it passes up to
//! the driver. `__anext__`, `asend`, `athrow` and `aclose` return an awaitable
//! (`Native::AsyncGenOp`); awaiting it resumes the generator (`async_gen_step`): a marked value
//! completes the await with that value, anything else goes on up (the generator is awaiting
//! something), and the generator's end is StopAsyncIteration. `async for` calls `__aiter__`
//! once (`get_aiter`), then awaits `__anext__` (`get_anext`) until StopAsyncIteration.

use super::generators::{Outcome, Resume};
use super::*;
use std::cell::Cell;

impl Interp {
    /// One step of awaiting an async generator's awaitable: `input` is None on the first step.
    pub(crate) fn async_gen_step(
        &mut self,
        gen: &Rc<Generator>,
        op: &AsyncGenOpKind,
        state: &Cell<u8>,
        input: Option<Resume>,
    ) -> R<Outcome> {
        let r = self.async_gen_step_inner(gen, op, state, input);
        if state.get() == 2 {
            gen.ag_running.set(false);
        }
        r
    }

    fn async_gen_step_inner(
        &mut self,
        gen: &Rc<Generator>,
        op: &AsyncGenOpKind,
        state: &Cell<u8>,
        input: Option<Resume>,
    ) -> R<Outcome> {
        let r = match state.get() {
            2 => {
                return Err(runtime_error(match op {
                    AsyncGenOpKind::Send(_) => "cannot reuse already awaited __anext__()/asend()",
                    AsyncGenOpKind::Throw(_) => "cannot reuse already awaited athrow()",
                    AsyncGenOpKind::Close => "cannot reuse already awaited aclose()",
                }))
            }
            0 => {
                if gen.ag_running.get() {
                    return Err(runtime_error(match op {
                        AsyncGenOpKind::Send(_) => "anext(): asynchronous generator is already running",
                        AsyncGenOpKind::Throw(_) => "athrow(): asynchronous generator is already running",
                        AsyncGenOpKind::Close => "aclose(): asynchronous generator is already running",
                    }));
                }
                if let Some(Resume::Throw(e)) = input {
                    state.set(2);
                    return Err(e);
                }
                state.set(1);
                gen.ag_running.set(true);
                if gen.state.get() == GenState::Done {
                    state.set(2);
                    return match op {
                        // (CPython 3.11: `athrow()` on a finished async generator gives None.)
                        AsyncGenOpKind::Close | AsyncGenOpKind::Throw(_) => Ok(Outcome::Return(Value::None)),
                        AsyncGenOpKind::Send(_) => {
                            Err(raise_value(new_exception(&self.t.stop_async_iteration, vec![])))
                        }
                    };
                }
                let resume = match op {
                    AsyncGenOpKind::Send(v) => Resume::Send(v.clone()),
                    AsyncGenOpKind::Throw(e) => Resume::Throw(raise_value(e.clone())),
                    AsyncGenOpKind::Close => {
                        Resume::Throw(raise_value(new_exception(&self.t.generator_exit, vec![])))
                    }
                };
                self.gen_resume(gen, resume)
            }
            _ => self.gen_resume(gen, input.unwrap_or(Resume::Send(Value::None))),
        };
        let closing = matches!(op, AsyncGenOpKind::Close);
        match r {
            Ok(Outcome::Yield(Value::Native(n))) if matches!(&*n, Native::AsyncGenValue(_)) => {
                state.set(2);
                if closing {
                    return Err(runtime_error("async generator ignored GeneratorExit"));
                }
                match &*n {
                    Native::AsyncGenValue(v) => Ok(Outcome::Return(v.clone())),
                    _ => Ok(Outcome::Return(Value::None)),
                }
            }
            // The generator awaits something: what it waits for goes on up to the driver.
            Ok(Outcome::Yield(v)) => Ok(Outcome::Yield(v)),
            Ok(Outcome::Return(_)) => {
                state.set(2);
                if closing {
                    Ok(Outcome::Return(Value::None))
                } else {
                    Err(raise_value(new_exception(&self.t.stop_async_iteration, vec![])))
                }
            }
            Err(e) => {
                state.set(2);
                let ended =
                    e.is_instance(&self.t.generator_exit) || e.is_instance(&self.t.stop_async_iteration);
                if closing && ended {
                    return Ok(Outcome::Return(Value::None));
                }
                if e.is_instance(&self.t.stop_async_iteration) && !matches!(op, AsyncGenOpKind::Throw(_)) {
                    return Err(runtime_error("async generator raised StopAsyncIteration"));
                }
                Err(e)
            }
        }
    }

    /// An async generator's awaitable for `op`.
    pub fn async_gen_op(gen: &Rc<Generator>, op: AsyncGenOpKind) -> Value {
        Value::Native(Rc::new(Native::AsyncGenOp { gen: gen.clone(), op, state: Cell::new(0) }))
    }

    /// `aiter(v)`, and the start of `async for`: `v.__aiter__()`.
    pub fn get_aiter(&mut self, v: &Value, for_loop: bool) -> R<Value> {
        match v {
            Value::Gen(g) if g.is_async_gen => Ok(v.clone()),
            _ if self.has_method(v, sym::AITER) => self.call_method(v, sym::AITER, &[], &[]),
            _ => {
                let t = self.type_name(v);
                Err(type_error(if for_loop {
                    format!("'async for' requires an object with __aiter__ method, got {}", t)
                } else {
                    format!("'{}' object is not an async iterable", t)
                }))
            }
        }
    }

    /// Each step of `async for`: the awaitable of `it.__anext__()`.
    pub fn get_anext(&mut self, it: &Value) -> R<Value> {
        let r = match it {
            Value::Gen(g) if g.is_async_gen => {
                return Ok(Self::async_gen_op(g, AsyncGenOpKind::Send(Value::None)))
            }
            _ if self.has_method(it, sym::ANEXT) => self.call_method(it, sym::ANEXT, &[], &[])?,
            _ => {
                return Err(type_error(format!(
                    "'async for' received an object from __aiter__ that does not implement __anext__: {}",
                    self.type_name(it)
                )))
            }
        };
        match self.get_awaitable(&r) {
            Ok(a) => Ok(a),
            Err(_) => Err(type_error(format!(
                "'async for' received an invalid object from __anext__: {}",
                self.type_name(&r)
            ))),
        }
    }

    /// `anext(it, default)`'s awaitable, one step: the default when `it` is exhausted.
    pub(crate) fn anext_default_step(
        &mut self,
        inner: &Value,
        default: &Value,
        input: Option<Resume>,
    ) -> R<Outcome> {
        match self.delegate(inner, input) {
            Err(e) if e.is_instance(&self.t.stop_async_iteration) => Ok(Outcome::Return(default.clone())),
            r => r,
        }
    }
}
