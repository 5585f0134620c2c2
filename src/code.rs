//! Compiled code: what the VM's compiler (`vm/compile/`) makes of a function, class body,
//! comprehension or module. The instructions themselves are in `bytecode`; this is what a call
//! needs to set up a frame (signature, slots, cells) and what tracebacks need (names, spans).

use crate::span::{Span, Symbol};
use crate::value::Value;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Plain,
    Generator,
    Coroutine,
    /// An `async def` with `yield`.
    AsyncGenerator,
}

/// Parameter names in slot order: `args`, then `*vararg`, `kwonly`, `**kwarg`.
#[derive(Clone, Debug, Default)]
pub struct Signature {
    pub args: Vec<Symbol>,
    /// The first `posonly` of `args` are positional-only (before a `/`).
    pub posonly: usize,
    pub vararg: bool,
    pub kwonly: Vec<Symbol>,
    pub kwarg: bool,
}

impl Signature {
    pub fn nparams(&self) -> usize {
        self.args.len() + self.vararg as usize + self.kwonly.len() + self.kwarg as usize
    }
}

pub struct Code {
    pub name: Symbol,
    pub qualname: Rc<str>,
    pub flavor: Flavor,
    pub nslots: usize,
    /// Names of the slots (temporaries are named `.tN`).
    pub slot_names: Vec<Symbol>,
    /// Own captured variables first, then free variables from enclosing functions.
    pub cell_names: Vec<Symbol>,
    pub n_own_cells: usize,
    /// Parameters that live in cells: (parameter slot, cell index), copied at entry.
    pub cell_params: Vec<(u32, u32)>,
    pub sig: Signature,
    /// The signature has positional parameters only (no `*args`, keyword-only or `**kwargs`):
    /// a call with exactly that many positional arguments binds them by copying.
    pub positional_only: bool,
    /// A plain function with positional parameters only and no cells of its own: a call with
    /// exactly its parameters takes the dispatch loop's fast path (a pooled frame, the
    /// arguments copied in).
    pub simple_call: usize,
    /// Its body reads the class its function was defined in (`super()`, `__class__`): a
    /// frame running it keeps its function (`Frame::func`), where that class is found.
    pub uses_owner: bool,
    /// A generator function decorated with `types.coroutine` (CPython's
    /// `CO_ITERABLE_COROUTINE`): its generators may `yield from` a coroutine. (Set on the
    /// code, which every function made by the same `def` shares; CPython gives the one
    /// function a copy of its code with the flag.)
    pub iterable_coroutine: std::cell::Cell<bool>,
    /// The `def` header (or the module's first line).
    pub span: Span,
    /// The docstring (`__doc__`): a string the body starts with.
    pub doc: Option<Rc<str>>,
    /// The instructions and their tables.
    pub bc: Box<crate::bytecode::Bytecode>,
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{}", i),
            Value::Str(s) => write!(f, "{:?}", s.s),
            Value::Float(x) => write!(f, "{}", x),
            Value::None => write!(f, "None"),
            Value::Bool(b) => write!(f, "{}", b),
            _ => write!(f, "<value>"),
        }
    }
}
