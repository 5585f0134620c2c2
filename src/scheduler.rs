//! The built-in scheduler (spawn, sleep, queues, events, joins): placeholder until it lands.

use crate::interp::{Interp, R};
use crate::span::Symbol;
use crate::value::{Class, NativeFn, Value};
use std::rc::Rc;

/// Scheduler objects stored in `Native::Sched`.
pub enum SchedObj {}

impl SchedObj {
    pub fn class(&self) -> Rc<Class> {
        match *self {}
    }
}

#[derive(Default)]
pub struct Scheduler {}

pub fn install(_it: &mut Interp) {}

pub fn awaitable_iter(v: &Value) -> Value {
    v.clone()
}

pub fn truthy(_s: &SchedObj) -> bool {
    true
}

pub fn repr(_s: &SchedObj) -> String {
    String::new()
}

pub fn len(_s: &SchedObj) -> Option<usize> {
    None
}

pub fn method(_name: Symbol) -> Option<(&'static str, NativeFn)> {
    None
}

pub fn attr(_it: &mut Interp, _s: &SchedObj, _name: Symbol) -> R<Option<Value>> {
    Ok(None)
}

pub fn construct(
    _it: &mut Interp,
    _cls: &Rc<Class>,
    _args: &[Value],
    _kw: &[(Symbol, Value)],
) -> R<Option<Value>> {
    Ok(None)
}

/// Runs the main program (placeholder: without the scheduler, as a plain frame).
pub fn run_main(it: &mut Interp, code: Rc<crate::code::Code>) -> R<()> {
    let mut frame = crate::interp::Frame::new(code);
    match it.run_frame(&mut frame, crate::interp::exec::Resume::Start)? {
        crate::interp::exec::Outcome::Return(_) => Ok(()),
        crate::interp::exec::Outcome::Yield(_) => {
            Err(crate::interp::runtime_error("top-level await needs the built-in scheduler"))
        }
    }
}
