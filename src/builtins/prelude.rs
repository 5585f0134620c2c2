//! Modules written partly in tinyasync itself (`collections.ta`: `defaultdict`, `Counter`,
//! `OrderedDict`, `namedtuple`; `itertools.ta`, `functools.ta`, `dataclasses.ta`, `abc.ta`,
//! `bisect.ta`, `operator.ta`, `string.ta`, `typing.ta`, `contextlib.ta` and `copy.ta`
//! whole), as CPython writes much of its library in Python. The source
//! is compiled and run once, when a program first imports the module, in a namespace of its
//! own; its spans start at `BASE`, past any program's text, so that tracebacks through it
//! point into it (the driver registers it with `Sources` under its name).

use crate::bytecode::Instr;
use crate::interp::*;
use crate::span::Symbol;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

/// Where the preludes' spans start (1 GiB: no program is that long).
pub const BASE: usize = 1 << 30;

/// The modules with a prelude: (module, its source). Prelude `i` has its spans from
/// `BASE + i * SPAN_ROOM`; tracebacks call its file `<tinyasync MODULE>`.
pub const PRELUDES: &[(&str, &str)] = &[
    ("collections", include_str!("collections.ta")),
    ("heapq", include_str!("heapq.ta")),
    ("queue", include_str!("queue.ta")),
    ("itertools", include_str!("itertools.ta")),
    ("functools", include_str!("functools.ta")),
    ("dataclasses", include_str!("dataclasses.ta")),
    ("abc", include_str!("abc.ta")),
    ("bisect", include_str!("bisect.ta")),
    ("operator", include_str!("operator.ta")),
    ("string", include_str!("string.ta")),
    ("typing", include_str!("typing.ta")),
    ("contextlib", include_str!("contextlib.ta")),
    ("copy", include_str!("copy.ta")),
];

/// The room each prelude's spans have (16 MiB).
pub const SPAN_ROOM: usize = 1 << 24;

/// The prelude of module `name`: its index in `PRELUDES` and its text.
pub fn of(name: &str) -> Option<(usize, &'static str)> {
    PRELUDES.iter().position(|(m, _)| *m == name).map(|i| (i, PRELUDES[i].1))
}

/// Runs the prelude of module `name` (if it has one) and sets what it defines in `m`.
pub fn install(it: &mut Interp, name: &str, m: &Value) -> R<()> {
    let (Some((i, text)), Value::Module(mo)) = (of(name), m) else { return Ok(()) };
    for (k, v) in run(it, text, (BASE + i * SPAN_ROOM) as u32)? {
        mo.attrs.borrow_mut().insert(k, v);
    }
    Ok(())
}

/// The names a prelude defines, after running it.
pub fn run(it: &mut Interp, text: &str, base: u32) -> R<Vec<(Symbol, Value)>> {
    let internal = |what: &str, msg: &str| {
        crate::interp::internal_error(format!("the prelude does not {}: {}", what, msg))
    };
    let module = crate::parser::parse_program(text).map_err(|e| internal("parse", &e.msg))?;
    let res = crate::resolver::resolve(&module).map_err(|e| internal("resolve", &e.msg))?;
    let mut code =
        crate::vm::compile::compile_module(&module, &res).map_err(|e| internal("compile", &e.msg))?;
    let ns = Rc::new(RefCell::new(new_symmap()));
    if let Some(c) = Rc::get_mut(&mut code) {
        place_in_module(c, base, &Rc::downgrade(&ns), false).map_err(|m| internal("load", m))?;
    }
    // The module-level code runs with the module's globals as the program's (its stores go
    // there); its functions find their globals there later (`Bytecode::module_globals`).
    let saved = std::mem::replace(&mut it.globals, ns.clone());
    it.globals_version += 1;
    let r = it.run_module_code(code);
    it.globals = saved;
    it.globals_version += 1;
    it.prelude_globals.push(ns.clone());
    r?;
    let names = ns
        .borrow()
        .iter()
        .filter(|(k, _)| **k != crate::names::sym::NAME)
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    Ok(names)
}

/// Moves every span of `code` (and of the functions and classes in it) by `by`: the prelude's
/// places are its own, past the program's text. And marks each as code of the module whose
/// globals are `module`, refusing a function (`in_function`) that assigns or deletes a
/// global: it would run with the program's globals as `Interp::globals`.
fn place_in_module(
    code: &mut crate::code::Code,
    by: u32,
    module: &std::rc::Weak<RefCell<SymMap>>,
    in_function: bool,
) -> Result<(), &'static str> {
    let stores = |i: &Instr| matches!(i, Instr::StoreGlobal { .. } | Instr::DelGlobal { .. });
    if in_function && code.bc.instrs.iter().any(stores) {
        return Err("a function assigns a global");
    }
    code.bc.module_globals = Some(module.clone());
    let shift = |s: &mut crate::span::Span| {
        s.start = s.start.saturating_add(by);
        s.end = s.end.saturating_add(by);
    };
    shift(&mut code.span);
    let bc = &mut *code.bc;
    bc.spans.iter_mut().for_each(shift);
    for (_, p) in bc.parts.iter_mut() {
        p.operands.iter_mut().for_each(|(s, _)| shift(s));
        p.args.iter_mut().for_each(|(s, _)| shift(s));
        if let Some((s, _)) = &mut p.name {
            shift(s);
        }
    }
    for f in bc.functions.iter_mut() {
        if let Some(c) = Rc::get_mut(&mut f.code) {
            place_in_module(c, by, module, true)?;
        }
    }
    for k in bc.classes.iter_mut() {
        if let Some(c) = Rc::get_mut(&mut k.code) {
            place_in_module(c, by, module, in_function)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interp() -> Interp {
        Interp::new(Default::default(), crate::interp::Output::Capture(Vec::new()))
    }

    /// A prelude's functions read its globals; one that assigned a global would write the
    /// program's (they run with those as `Interp::globals`): refused when the prelude loads.
    #[test]
    fn a_prelude_function_may_read_but_not_assign_its_globals() {
        let mut it = interp();
        let Ok(names) = run(&mut it, "limit = 3\ndef f():\n    return limit\n", 0) else { panic!("refused") };
        assert_eq!(names.len(), 2);
        for text in
            ["x = 0\ndef f():\n    global x\n    x = 1\n", "x = 0\ndef f():\n    global x\n    del x\n"]
        {
            let mut it = interp();
            let Err(Fault::Exc(e)) = run(&mut it, text, 0) else { panic!("loaded: {text}") };
            let msg = it.to_str(&e.value).unwrap_or_default();
            assert!(msg.contains("a function assigns a global"), "{msg}");
        }
    }
}
