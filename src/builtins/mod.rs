//! Built-in functions, types and modules.
//!
//! - `mod.rs`: the builtins namespace and the global functions (`print`, `len`, `sorted`, ...).
//! - `methods.rs`: methods of list, dict, set, tuple, generators and deques; `str_methods.rs`: of str.
//! - `constructors.rs`: the built-in types called as constructors (`int(x)`, `list(it)`, ...)
//!   and the number parsing behind `int()` and `float()`.
//! - `format.rs`: `repr`, `str`, format specs and `%`-formatting.
//! - `modules.rs`: `time`, `collections`, `heapq`, `queue`, `math`, `random`, `types`.

mod constructors;
pub mod dunders;
pub mod format;
pub mod methods;
pub mod modules;
pub mod prelude;
pub mod random;
mod str_format;
mod str_methods;
pub mod type_methods;

pub use constructors::{big_to_i64, construct, parse_float, parse_int};

use crate::interp::*;
use crate::names::sym;
use crate::span::Symbol;
use crate::value::*;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use std::cell::RefCell;
use std::rc::Rc;

pub type Kw<'a> = &'a [(Symbol, Value)];

/// A builtin function value.
pub fn native(name: &'static str, f: NativeFn) -> Value {
    Value::Builtin(Rc::new(Builtin { name, f, this: Value::None, is_method: false, unbound: None }))
}

/// A builtin method bound to `this`.
pub fn native_bound(name: &'static str, this: Value, f: NativeFn) -> Value {
    Value::Builtin(Rc::new(Builtin { name, f, this, is_method: true, unbound: None }))
}

/// A builtin method stored in class `cls` (receives the instance as `this`).
pub fn native_method_value(cls: &Rc<Class>, name: &'static str, f: NativeFn) -> Value {
    Value::Builtin(Rc::new(Builtin {
        name,
        f,
        this: Value::None,
        is_method: true,
        unbound: Some(cls.clone()),
    }))
}

pub fn kwarg(kw: Kw, name: Symbol) -> Option<Value> {
    kw.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())
}

/// Rejects keyword arguments other than `allowed`.
pub fn check_kw(fname: &str, kw: Kw, allowed: &[Symbol]) -> R<()> {
    for (k, _) in kw {
        if !allowed.contains(k) {
            return Err(type_error(format!("{}() got an unexpected keyword argument '{}'", fname, k)));
        }
    }
    Ok(())
}

/// `check_kw` in the words CPython uses for `print` and `zip`: "'k' is an invalid keyword
/// argument for print()".
pub fn check_kw_invalid(fname: &str, kw: Kw, allowed: &[Symbol]) -> R<()> {
    match kw.iter().find(|(k, _)| !allowed.contains(k)) {
        Some((k, _)) => Err(type_error(format!("'{}' is an invalid keyword argument for {}()", k, fname))),
        None => Ok(()),
    }
}

/// Checks the number of arguments of a built-in: inline, so that the check on the path of
/// every native call is two comparisons; the message is built out of line.
#[inline]
pub fn arity(fname: &str, args: &[Value], min: usize, max: usize) -> R<()> {
    if args.len() < min || args.len() > max {
        return Err(arity_error(fname, args, min, max));
    }
    Ok(())
}

/// For a built-in that takes no keyword arguments: an error when some were given, in CPython's
/// words (`list() takes no keyword arguments`).
pub fn no_kw(name: &str, kw: &[(Symbol, Value)]) -> R<()> {
    if kw.is_empty() {
        return Ok(());
    }
    Err(type_error(format!("{}() takes no keyword arguments", name)))
}

/// The arity check of a built-in type's constructor, in CPython's words for them
/// (`range expected at most 3 arguments, got 4`).
pub fn type_arity(tname: &str, args: &[Value], min: usize, max: usize) -> R<()> {
    if args.len() < min || args.len() > max {
        let (bound, n) = if args.len() < min { ("least", min) } else { ("most", max) };
        return Err(type_error(format!(
            "{} expected at {} {} argument{}, got {}",
            tname,
            bound,
            n,
            if n == 1 { "" } else { "s" },
            args.len()
        )));
    }
    Ok(())
}

#[cold]
#[inline(never)]
fn arity_error(fname: &str, args: &[Value], min: usize, max: usize) -> Fault {
    {
        let msg = if min == max {
            match min {
                0 => format!("{}() takes no arguments ({} given)", fname, args.len()),
                1 => format!("{}() takes exactly one argument ({} given)", fname, args.len()),
                _ => format!("{}() takes exactly {} arguments ({} given)", fname, min, args.len()),
            }
        } else if args.len() < min {
            format!(
                "{}() takes at least {} argument{} ({} given)",
                fname,
                min,
                if min == 1 { "" } else { "s" },
                args.len()
            )
        } else {
            format!(
                "{}() takes at most {} argument{} ({} given)",
                fname,
                max,
                if max == 1 { "" } else { "s" },
                args.len()
            )
        };
        type_error(msg)
    }
}

/// A built-in class by name (one of those `install` defines).
pub fn builtin_class(it: &Interp, name: &str) -> Rc<Class> {
    match it.builtins.get(&Symbol::intern(name)) {
        Some(Value::Class(c)) => c.clone(),
        _ => it.t.exception.clone(),
    }
}

fn set_global(it: &mut Interp, name: &str, v: Value) {
    it.builtins.insert(Symbol::intern(name), v);
}

/// Fills the builtins namespace.
pub fn install(it: &mut Interp) {
    let t = it.t.clone();
    // Each interpreter starts with CPython's limit.
    format::INT_MAX_STR_DIGITS.with(|c| c.set(4300));
    // Types.
    for c in [
        &t.object,
        &t.type_,
        &t.bool_,
        &t.int,
        &t.float,
        &t.str_,
        &t.list,
        &t.tuple,
        &t.dict,
        &t.set,
        &t.range,
        &t.slice,
        &t.property,
        &t.staticmethod,
        &t.frozenset,
        &t.classmethod,
    ] {
        it.builtins.insert(c.name, Value::Class(c.clone()));
    }
    // Exceptions.
    for c in [
        &t.base_exception,
        &t.exception,
        &t.arithmetic_error,
        &t.zero_division,
        &t.overflow,
        &t.lookup_error,
        &t.index_error,
        &t.key_error,
        &t.value_error,
        &t.type_error,
        &t.name_error,
        &t.unbound_local,
        &t.attribute_error,
        &t.runtime_error,
        &t.not_implemented,
        &t.recursion_error,
        &t.stop_iteration,
        &t.stop_async_iteration,
        &t.assertion_error,
        &t.generator_exit,
        &t.keyboard_interrupt,
        &t.system_exit,
        &t.import_error,
        &t.module_not_found,
        &t.os_error,
        &t.timeout_error,
        &t.unicode_error,
        &t.cancelled,
        &t.queue_closed,
        &t.queue_full,
        &t.sched_queue_empty,
    ] {
        it.builtins.insert(c.name, Value::Class(c.clone()));
    }
    // The rest of CPython's hierarchy: nothing in tinyasync raises these, programs do.
    let extra: &[(&str, &str)] = &[
        ("EOFError", "Exception"),
        ("MemoryError", "Exception"),
        ("BufferError", "Exception"),
        ("ReferenceError", "Exception"),
        ("SystemError", "Exception"),
        ("SyntaxError", "Exception"),
        ("IndentationError", "SyntaxError"),
        ("TabError", "IndentationError"),
        ("FloatingPointError", "ArithmeticError"),
        ("UnicodeDecodeError", "UnicodeError"),
        ("UnicodeEncodeError", "UnicodeError"),
        ("UnicodeTranslateError", "UnicodeError"),
        ("ConnectionError", "OSError"),
        ("BrokenPipeError", "ConnectionError"),
        ("ConnectionAbortedError", "ConnectionError"),
        ("ConnectionRefusedError", "ConnectionError"),
        ("ConnectionResetError", "ConnectionError"),
        ("BlockingIOError", "OSError"),
        ("ChildProcessError", "OSError"),
        ("FileExistsError", "OSError"),
        ("FileNotFoundError", "OSError"),
        ("InterruptedError", "OSError"),
        ("IsADirectoryError", "OSError"),
        ("NotADirectoryError", "OSError"),
        ("PermissionError", "OSError"),
        ("ProcessLookupError", "OSError"),
        ("Warning", "Exception"),
        ("UserWarning", "Warning"),
        ("DeprecationWarning", "Warning"),
        ("PendingDeprecationWarning", "Warning"),
        ("SyntaxWarning", "Warning"),
        ("RuntimeWarning", "Warning"),
        ("FutureWarning", "Warning"),
        ("ImportWarning", "Warning"),
        ("UnicodeWarning", "Warning"),
        ("BytesWarning", "Warning"),
        ("ResourceWarning", "Warning"),
        ("EncodingWarning", "Warning"),
    ];
    for (name, base) in extra {
        // Each base comes before the classes derived from it (tests/compat's
        // exceptions_hierarchy checks every one exists, with its base).
        if let Some(Value::Class(b)) = it.builtins.get(&Symbol::intern(base)).cloned() {
            set_global(it, name, Value::Class(crate::interp::exc_class(name, &b)));
        }
    }
    // Old names of OSError.
    set_global(it, "IOError", Value::Class(t.os_error.clone()));
    set_global(it, "EnvironmentError", Value::Class(t.os_error.clone()));
    t.base_exception
        .dict
        .borrow_mut()
        .insert(sym::INIT, native_method_value(&t.base_exception, "__init__", exc_init));
    t.object.dict.borrow_mut().insert(sym::INIT, native_method_value(&t.object, "__init__", object_init));
    set_global(it, "NotImplemented", Value::Native(Rc::new(Native::NotImplemented)));
    set_global(it, "Ellipsis", Value::Native(Rc::new(Native::Ellipsis)));
    let fns: &[(&'static str, NativeFn)] = &[
        ("print", bi_print),
        ("input", bi_input),
        ("len", bi_len),
        ("repr", bi_repr),
        ("ascii", bi_ascii),
        ("isinstance", bi_isinstance),
        ("issubclass", bi_issubclass),
        ("abs", bi_abs),
        ("min", bi_min),
        ("max", bi_max),
        ("sum", bi_sum),
        ("sorted", bi_sorted),
        ("reversed", bi_reversed),
        ("enumerate", bi_enumerate),
        ("zip", bi_zip),
        ("map", bi_map),
        ("filter", bi_filter),
        ("any", bi_any),
        ("all", bi_all),
        ("iter", bi_iter),
        ("aiter", bi_aiter),
        ("globals", bi_globals),
        ("locals", bi_globals),
        ("anext", bi_anext),
        ("next", bi_next),
        ("hasattr", bi_hasattr),
        ("getattr", bi_getattr),
        ("setattr", bi_setattr),
        ("delattr", bi_delattr),
        ("round", bi_round),
        ("divmod", bi_divmod),
        ("pow", bi_pow),
        ("chr", bi_chr),
        ("ord", bi_ord),
        ("hex", bi_hex),
        ("bin", bi_bin),
        ("oct", bi_oct),
        ("id", bi_id),
        ("hash", bi_hash),
        ("callable", bi_callable),
        ("format", bi_format),
        ("vars", bi_vars),
        ("super", bi_super),
        ("dir", bi_dir),
        ("exit", modules::sys_exit),
        ("quit", modules::sys_exit),
    ];
    for (name, f) in fns {
        set_global(it, name, native(name, *f));
    }
    crate::scheduler::install(it);
}

fn exc_init(_it: &mut Interp, this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    if let Value::Instance(i) = this {
        i.attrs.borrow_mut().insert(sym::ARGS, Value::tuple(args.to_vec()));
    }
    Ok(Value::None)
}

/// `object.__init__`: arguments are an error unless the class made its own `__new__` to take
/// them (CPython's `object_init` and `object_new`): `Dog("rex")` for a class whose `__init__`
/// is misspelled says `Dog() takes no arguments`, and `super().__init__(x)` reaching `object`
/// says it takes only the instance.
fn object_init(it: &mut Interp, this: &Value, args: &[Value], kw: Kw) -> R<Value> {
    if args.is_empty() && kw.is_empty() {
        return Ok(Value::None);
    }
    let cls = it.t.type_of(this);
    let own = |name: Symbol| {
        let of_object = it.t.object.dict.borrow().get(&name).cloned();
        match (cls.lookup(name), of_object) {
            (Some(found), Some(base)) => !crate::interp::attr::same_object(&found, &base),
            (found, _) => found.is_some(),
        }
    };
    if own(sym::INIT) {
        return Err(type_error("object.__init__() takes exactly one argument (the instance to initialize)"));
    }
    if !own(sym::NEW) {
        return Err(type_error(format!("{}() takes no arguments", cls.name)));
    }
    Ok(Value::None)
}

/// `dir()`: the names of the module's globals, sorted (tinyasync has no frame introspection,
/// so inside a function it lists the globals too); `dir(obj)`: its attribute names, sorted.
fn bi_dir(it: &mut Interp, _this: &Value, args: &[Value], kw: Kw) -> R<Value> {
    check_kw("dir", kw, &[])?;
    let mut names: Vec<String> = match args {
        [] => it.globals.borrow().keys().map(|k| k.as_str().to_string()).collect(),
        [v] => attribute_names(v),
        _ => return Err(type_error(format!("dir expected at most 1 argument, got {}", args.len()))),
    };
    names.sort();
    names.dedup();
    Ok(Value::list(names.iter().map(|n| Value::str(n)).collect()))
}

/// The attribute names of a value: an instance's own, then its class's and their bases'; for
/// built-in values, their methods (for `dir` and the REPL's completion).
pub fn attribute_names(v: &Value) -> Vec<String> {
    let mut names = Vec::new();
    let class_names = |c: &Rc<crate::value::Class>, names: &mut Vec<String>| {
        for cls in c.full_mro() {
            names.extend(cls.dict.borrow().keys().map(|s| s.as_str().to_string()));
        }
    };
    match v {
        Value::Instance(i) => {
            names.extend(i.attrs.borrow().keys().map(|s| s.as_str().to_string()));
            class_names(&i.class, &mut names);
        }
        Value::Class(c) => class_names(c, &mut names),
        Value::Module(m) => names.extend(m.attrs.borrow().keys().map(|s| s.as_str().to_string())),
        _ => {
            // Built-in values: every well-known name that is one of their methods.
            for (i, _) in crate::names::PREDEFINED.iter().enumerate() {
                let s = Symbol(i as u32);
                if methods::native_method(v, s).is_some() {
                    names.push(s.as_str().to_string());
                }
            }
        }
    }
    names
}

/// `super(C, obj)`: the methods after `C` in the MRO of `obj`'s type (or of `obj`, a class).
/// (`super()` without arguments is compiled to the `Super` instruction.)
/// `globals()`: the module's names and values, as a dict (a copy: assigning into it does not
/// make a global, see README). (`locals()` written as a call is compiled to `Locals`; this
/// serves it only when called indirectly.)
fn bi_globals(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("globals", args, 0, 0)?;
    let globals = it.globals.clone();
    it.dict_of_names(&globals)
}

/// `aiter(x)`: `x.__aiter__()`.
fn bi_aiter(it: &mut Interp, _this: &Value, args: &[Value], kw: Kw) -> R<Value> {
    check_kw("aiter", kw, &[])?;
    arity("aiter", args, 1, 1)?;
    it.get_aiter(&args[0], false)
}

/// `anext(it[, default])`: the awaitable of `it.__anext__()`; with a default, one that gives
/// the default instead of raising StopAsyncIteration.
fn bi_anext(it: &mut Interp, _this: &Value, args: &[Value], kw: Kw) -> R<Value> {
    check_kw("anext", kw, &[])?;
    arity("anext", args, 1, 2)?;
    let v = &args[0];
    let inner = match v {
        Value::Gen(g) if g.is_async_gen => Interp::async_gen_op(g, AsyncGenOpKind::Send(Value::None)),
        _ if it.has_method(v, sym::ANEXT) => it.call_method(v, sym::ANEXT, &[], &[])?,
        _ => {
            return Err(type_error(format!("'{}' object is not an async iterator", it.type_name(v))));
        }
    };
    match args.get(1) {
        None => Ok(inner),
        Some(d) => {
            let inner = it.get_awaitable(&inner)?;
            Ok(Value::Native(Rc::new(Native::ANextDefault { inner, default: d.clone() })))
        }
    }
}

fn bi_super(it: &mut Interp, _this: &Value, args: &[Value], kw: Kw) -> R<Value> {
    check_kw("super", kw, &[])?;
    match args {
        [] => Err(runtime_error("super(): no arguments")),
        [Value::Class(c), obj] => {
            let ok = match obj {
                Value::Class(k) => k.is_subclass(c),
                v => it.t.type_of(v).is_subclass(c),
            };
            if !ok {
                return Err(type_error("super(type, obj): obj must be an instance or subtype of type"));
            }
            Ok(Value::Native(Rc::new(Native::Super { class: c.clone(), obj: obj.clone() })))
        }
        [Value::Class(_)] => Err(runtime_error("super() with one argument is not supported in tinyasync")),
        [other, ..] if args.len() <= 2 => {
            Err(type_error(format!("super() argument 1 must be a type, not {}", it.type_name(other))))
        }
        _ => Err(type_error(format!("super() takes at most 2 arguments ({} given)", args.len()))),
    }
}

fn bi_print(it: &mut Interp, _this: &Value, args: &[Value], kw: Kw) -> R<Value> {
    check_kw_invalid("print", kw, &[sym::SEP, sym::END, sym::FILE, sym::FLUSH])?;
    it.run_finalizers()?;
    let sep = match kwarg(kw, sym::SEP) {
        None | Some(Value::None) => " ".to_string(),
        Some(Value::Str(s)) => s.s.clone(),
        Some(v) => return Err(type_error(format!("sep must be None or a string, not {}", it.type_name(&v)))),
    };
    let end = match kwarg(kw, sym::END) {
        None | Some(Value::None) => "\n".to_string(),
        Some(Value::Str(s)) => s.s.clone(),
        Some(v) => return Err(type_error(format!("end must be None or a string, not {}", it.type_name(&v)))),
    };
    // Each argument's text, once (its `__str__` may have effects).
    let mut texts = Vec::with_capacity(args.len());
    for a in args {
        texts.push(match a {
            Value::Str(x) => x.s.clone(),
            _ => it.to_str(a)?,
        });
    }
    match kwarg(kw, sym::FILE) {
        // Anything with a `write` method gets each piece, as CPython writes them: every
        // argument's text, the separators between, then `end`.
        Some(f) if !matches!(&f, Value::None) && !is_stream(&f) => {
            for (i, text) in texts.into_iter().enumerate() {
                if i > 0 {
                    it.call_method(&f, sym::WRITE, &[Value::string(sep.clone())], &[])?;
                }
                it.call_method(&f, sym::WRITE, &[Value::string(text)], &[])?;
            }
            it.call_method(&f, sym::WRITE, &[Value::string(end)], &[])?;
            if matches!(kwarg(kw, sym::FLUSH), Some(Value::Bool(true))) {
                it.call_method(&f, sym::FLUSH, &[], &[])?;
            }
            return Ok(Value::None);
        }
        file => {
            let mut s = texts.join(&sep);
            s.push_str(&end);
            it.charge_memory(s.len())?;
            match file {
                Some(Value::Native(n)) if matches!(*n, Native::Stream { err: true }) => it.write_err(&s)?,
                // None, or sys.stdout.
                _ => it.write_out(&s)?,
            }
        }
    }
    if matches!(kwarg(kw, sym::FLUSH), Some(Value::Bool(true))) {
        it.flush()?;
    }
    Ok(Value::None)
}

/// `sys.stdout` or `sys.stderr`.
fn is_stream(v: &Value) -> bool {
    matches!(v, Value::Native(n) if matches!(**n, Native::Stream { .. }))
}

fn bi_input(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("input", args, 0, 1)?;
    if let Some(p) = args.first() {
        let s = it.to_str(p)?;
        it.write_out(&s)?;
    }
    // A prompt traced into one place with the output goes out now, unended.
    it.flush_trace_output();
    it.flush()?;
    if !it.opts.stdin {
        return Err(exc(&builtin_class(it, "EOFError"), "EOF when reading a line"));
    }
    let mut line = String::new();
    match std::io::stdin().read_line(&mut line) {
        Ok(0) => Err(exc(&builtin_class(it, "EOFError"), "EOF when reading a line")),
        Ok(_) => {
            if line.ends_with('\n') {
                line.pop();
                if line.ends_with('\r') {
                    line.pop();
                }
            }
            Ok(Value::string(line))
        }
        Err(e) => Err(exc(&it.t.os_error, e.to_string())),
    }
}

pub fn len_of(it: &mut Interp, v: &Value) -> R<usize> {
    Ok(match v {
        Value::Str(s) => s.char_len(),
        Value::List(l) => l.borrow().len(),
        Value::Tuple(t) => t.len(),
        Value::Dict(d) | Value::Set(d) => d.borrow().len(),
        Value::Range(r) => {
            let n = r.len128();
            if n > i64::MAX as i128 {
                return Err(overflow_error("Python int too large to convert to C ssize_t"));
            }
            n as usize
        }
        Value::Instance(_) if it.builtin_view(v, sym::LEN).is_some() => {
            let Some(b) = it.builtin_view(v, sym::LEN) else { return Ok(0) };
            len_of(it, &b)?
        }
        Value::Instance(_) if it.has_method(v, sym::LEN) => {
            let r = it.call_method(v, sym::LEN, &[], &[])?;
            let n = it.index_of(&r)?;
            if n < 0 {
                return Err(value_error("__len__() should return >= 0"));
            }
            n as usize
        }
        Value::Native(n) => match &**n {
            Native::Deque { items, .. } => items.borrow().len(),
            Native::DictView { d, .. } => d.borrow().len(),
            Native::AttrDict(inst) => inst.attrs.borrow().len(),
            Native::Sched(s) => match crate::scheduler::len(s) {
                Some(n) => n,
                None => return Err(type_error(format!("object of type '{}' has no len()", it.type_name(v)))),
            },
            _ => return Err(type_error(format!("object of type '{}' has no len()", it.type_name(v)))),
        },
        _ => return Err(type_error(format!("object of type '{}' has no len()", it.type_name(v)))),
    })
}

fn bi_len(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("len", args, 1, 1)?;
    Ok(Value::Int(len_of(it, &args[0])? as i64))
}

fn bi_repr(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("repr", args, 1, 1)?;
    Ok(Value::string(it.repr(&args[0])?))
}

/// `ascii(x)`: `repr(x)` with every non-ASCII character escaped (see `Interp::ascii`).
fn bi_ascii(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("ascii", args, 1, 1)?;
    Ok(Value::string(it.ascii(&args[0])?))
}

impl Interp {
    /// `ascii(x)`, `!a`, `%a`: `repr(x)` with every non-ASCII character escaped (`\xe9`,
    /// `\u20ac`, `\U0001f600`).
    pub fn ascii(&mut self, v: &Value) -> R<String> {
        let r = self.repr(v)?;
        if r.is_ascii() {
            return Ok(r);
        }
        let mut out = String::with_capacity(r.len() + 8);
        for c in r.chars() {
            match c as u32 {
                0..=0x7f => out.push(c),
                n @ 0x80..=0xff => out.push_str(&format!("\\x{:02x}", n)),
                n @ 0x100..=0xffff => out.push_str(&format!("\\u{:04x}", n)),
                n => out.push_str(&format!("\\U{:08x}", n)),
            }
        }
        Ok(out)
    }
}

fn class_check(it: &mut Interp, v: &Value, spec: &Value, fname: &str, sub: bool) -> R<bool> {
    match spec {
        Value::Class(c) => Ok(if sub {
            match v {
                Value::Class(k) => k.is_subclass(c),
                _ => return Err(type_error("issubclass() arg 1 must be a class")),
            }
        } else {
            it.t.type_of(v).is_subclass(c)
        }),
        Value::Tuple(items) => {
            for x in items.iter() {
                if class_check(it, v, x, fname, sub)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        // `int | str`: as the tuple of its classes.
        Value::Native(n) if matches!(**n, Native::UnionType(_)) => {
            let Native::UnionType(args) = &**n else { return Ok(false) };
            class_check(it, v, args, fname, sub)
        }
        _ => Err(type_error(format!("{}() arg 2 must be a type, a tuple of types, or a union", fname))),
    }
}

fn bi_isinstance(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("isinstance", args, 2, 2)?;
    Ok(Value::Bool(class_check(it, &args[0], &args[1], "isinstance", false)?))
}

fn bi_issubclass(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("issubclass", args, 2, 2)?;
    Ok(Value::Bool(class_check(it, &args[0], &args[1], "issubclass", true)?))
}

fn bi_abs(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("abs", args, 1, 1)?;
    match &args[0] {
        Value::Int(i) => Ok(match i.checked_abs() {
            Some(a) => Value::Int(a),
            None => Value::from_bigint(BigInt::from(*i).abs()),
        }),
        Value::Bool(b) => Ok(Value::Int(*b as i64)),
        Value::BigInt(b) => Ok(Value::from_bigint(b.abs())),
        Value::Float(f) => Ok(Value::Float(f.abs())),
        v if it.has_method(v, sym::ABS) => it.call_method(v, sym::ABS, &[], &[]),
        v => Err(type_error(format!("bad operand type for abs(): '{}'", it.type_name(v)))),
    }
}

fn min_max(it: &mut Interp, args: &[Value], kw: Kw, name: &str, want_max: bool) -> R<Value> {
    check_kw(name, kw, &[sym::KEY, sym::DEFAULT])?;
    let key = kwarg(kw, sym::KEY).filter(|k| !k.is_none());
    let default = kwarg(kw, sym::DEFAULT);
    let items = if args.len() == 1 {
        it.collect(&args[0])?
    } else if args.is_empty() {
        return Err(type_error(format!("{} expected at least 1 argument, got 0", name)));
    } else {
        if default.is_some() {
            return Err(type_error(format!(
                "Cannot specify a default for {}() with multiple positional arguments",
                name
            )));
        }
        args.to_vec()
    };
    let mut best: Option<(Value, Value)> = None;
    for x in items {
        let k = match &key {
            Some(f) => it.call(f, &[x.clone()], &[])?,
            None => x.clone(),
        };
        best = Some(match best {
            None => (k, x),
            Some((bk, bx)) => {
                let better = if want_max {
                    it.order(crate::ast::CmpOp::Gt, &k, &bk)?
                } else {
                    it.order(crate::ast::CmpOp::Lt, &k, &bk)?
                };
                if better {
                    (k, x)
                } else {
                    (bk, bx)
                }
            }
        });
    }
    match best {
        Some((_, x)) => Ok(x),
        None => match default {
            Some(d) => Ok(d),
            None => Err(value_error(format!("{}() arg is an empty sequence", name))),
        },
    }
}

fn bi_min(it: &mut Interp, _this: &Value, args: &[Value], kw: Kw) -> R<Value> {
    min_max(it, args, kw, "min", false)
}
fn bi_max(it: &mut Interp, _this: &Value, args: &[Value], kw: Kw) -> R<Value> {
    min_max(it, args, kw, "max", true)
}

fn bi_sum(it: &mut Interp, _this: &Value, args: &[Value], kw: Kw) -> R<Value> {
    check_kw("sum", kw, &[sym::START])?;
    arity("sum", args, 1, 2)?;
    let mut acc = args.get(1).cloned().or_else(|| kwarg(kw, sym::START)).unwrap_or(Value::Int(0));
    if let Value::Str(_) = acc {
        return Err(type_error("sum() can't sum strings [use ''.join(seq) instead]"));
    }
    let itr = it.get_iter(&args[0])?;
    while let Some(x) = it.next(&itr)? {
        acc = match (&acc, &x) {
            (Value::Int(a), Value::Int(b)) if a.checked_add(*b).is_some() => Value::Int(a + b),
            _ => it.binop(crate::ast::BinOp::Add, &acc, &x)?,
        };
    }
    Ok(acc)
}

/// Sorts values (stable), comparing keys with `<` like CPython's list.sort.
pub fn sort_values(it: &mut Interp, items: Vec<Value>, key: Option<Value>, reverse: bool) -> R<Vec<Value>> {
    let keys: Vec<Value> = match &key {
        Some(f) => {
            let mut ks = Vec::with_capacity(items.len());
            for x in &items {
                ks.push(it.call(f, &[x.clone()], &[])?);
            }
            ks
        }
        None => items.clone(),
    };
    let mut idx: Vec<usize> = (0..items.len()).collect();
    // Merge sort with a fallible comparison.
    let mut err: Option<Fault> = None;
    let mut less = |a: usize, b: usize, it: &mut Interp| -> bool {
        if err.is_some() {
            return false;
        }
        match it.order(crate::ast::CmpOp::Lt, &keys[a], &keys[b]) {
            Ok(v) => v,
            Err(e) => {
                err = Some(e);
                false
            }
        }
    };
    merge_sort(&mut idx, &mut |a, b| if reverse { less(b, a, it) } else { less(a, b, it) });
    if let Some(e) = err {
        return Err(e);
    }
    Ok(idx.into_iter().map(|i| items[i].clone()).collect())
}

fn merge_sort(v: &mut [usize], less: &mut dyn FnMut(usize, usize) -> bool) {
    let n = v.len();
    if n <= 1 {
        return;
    }
    if n <= 16 {
        for i in 1..n {
            let mut j = i;
            while j > 0 && less(v[j], v[j - 1]) {
                v.swap(j, j - 1);
                j -= 1;
            }
        }
        return;
    }
    let mid = n / 2;
    merge_sort(&mut v[..mid], less);
    merge_sort(&mut v[mid..], less);
    let mut out = Vec::with_capacity(n);
    let (mut i, mut j) = (0, mid);
    while i < mid && j < n {
        if less(v[j], v[i]) {
            out.push(v[j]);
            j += 1;
        } else {
            out.push(v[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&v[i..mid]);
    out.extend_from_slice(&v[j..n]);
    v.copy_from_slice(&out);
}

fn bi_sorted(it: &mut Interp, _this: &Value, args: &[Value], kw: Kw) -> R<Value> {
    check_kw("sorted", kw, &[sym::KEY, Symbol::intern("reverse")])?;
    arity("sorted", args, 1, 1)?;
    let items = it.collect(&args[0])?;
    let key = kwarg(kw, sym::KEY).filter(|k| !k.is_none());
    let reverse = match kwarg(kw, Symbol::intern("reverse")) {
        Some(v) => it.truthy(&v)?,
        None => false,
    };
    Ok(Value::list(sort_values(it, items, key, reverse)?))
}

fn bi_reversed(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("reversed", args, 1, 1)?;
    let v = &args[0];
    let reversed_method = Symbol::intern("__reversed__");
    // A class of the program's may say how it runs backwards (a list's subclass too).
    if matches!(v, Value::Instance(_)) && it.has_method(v, reversed_method) {
        return it.call_method(v, reversed_method, &[], &[]);
    }
    if let Some(b) = it.builtin_view(v, sym::GETITEM) {
        return bi_reversed(it, &Value::None, &[b], &[]);
    }
    let n = match v {
        Value::List(_) | Value::Tuple(_) | Value::Str(_) | Value::Range(_) => len_of(it, v)?,
        Value::Native(n) if matches!(**n, Native::Deque { .. }) => len_of(it, v)?,
        // Dict views run backwards as the dict does (Python 3.8).
        Value::Native(n) if matches!(**n, Native::DictView { .. }) => {
            let items = it.collect(v)?;
            let n = items.len();
            return Ok(Value::Iter(Rc::new(RefCell::new(IterState::Reversed {
                seq: Value::list(items),
                i: n,
            }))));
        }
        Value::Instance(_) if it.has_method(v, sym::LEN) && it.has_method(v, sym::GETITEM) => len_of(it, v)?,
        Value::Dict(d) => {
            let keys = d.borrow().keys();
            let n = keys.len();
            return Ok(Value::Iter(Rc::new(RefCell::new(IterState::Reversed {
                seq: Value::list(keys),
                i: n,
            }))));
        }
        _ => return Err(type_error(format!("'{}' object is not reversible", it.type_name(v)))),
    };
    Ok(Value::Iter(Rc::new(RefCell::new(IterState::Reversed { seq: v.clone(), i: n }))))
}

fn bi_enumerate(it: &mut Interp, _this: &Value, args: &[Value], kw: Kw) -> R<Value> {
    check_kw("enumerate", kw, &[sym::START])?;
    arity("enumerate", args, 1, 2)?;
    let mut start = args.get(1).cloned().or_else(|| kwarg(kw, sym::START)).unwrap_or(Value::Int(0));
    // An instance standing for an int (`__index__`) starts the count at that int.
    if let Value::Instance(_) = start {
        if let Some(i) = it.user_index(&start)? {
            start = i;
        }
    }
    let inner = it.get_iter(&args[0])?;
    Ok(Value::Iter(Rc::new(RefCell::new(IterState::Enumerate { it: inner, n: start }))))
}

fn bi_zip(it: &mut Interp, _this: &Value, args: &[Value], kw: Kw) -> R<Value> {
    let strict_kw = Symbol::intern("strict");
    check_kw_invalid("zip", kw, &[strict_kw])?;
    let strict = match kwarg(kw, strict_kw) {
        Some(v) => it.truthy(&v)?,
        None => false,
    };
    let mut its = Vec::new();
    for a in args {
        its.push(it.get_iter(a)?);
    }
    Ok(Value::Iter(Rc::new(RefCell::new(IterState::Zip { its, strict }))))
}

fn bi_map(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    if args.len() < 2 {
        return Err(type_error("map() must have at least two arguments."));
    }
    let mut its = Vec::new();
    for a in &args[1..] {
        its.push(it.get_iter(a)?);
    }
    Ok(Value::Iter(Rc::new(RefCell::new(IterState::Map { f: args[0].clone(), its }))))
}

fn bi_filter(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("filter", args, 2, 2)?;
    let inner = it.get_iter(&args[1])?;
    Ok(Value::Iter(Rc::new(RefCell::new(IterState::Filter { f: args[0].clone(), it: inner }))))
}

fn bi_any(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("any", args, 1, 1)?;
    let itr = it.get_iter(&args[0])?;
    while let Some(x) = it.next(&itr)? {
        if it.truthy(&x)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn bi_all(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("all", args, 1, 1)?;
    let itr = it.get_iter(&args[0])?;
    while let Some(x) = it.next(&itr)? {
        if !it.truthy(&x)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn bi_iter(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("iter", args, 1, 2)?;
    if let [f, sentinel] = args {
        if !is_callable(it, f) {
            return Err(type_error("iter(v, w): v must be callable"));
        }
        return Ok(Value::Iter(Rc::new(RefCell::new(IterState::Callable {
            f: f.clone(),
            sentinel: sentinel.clone(),
        }))));
    }
    it.get_iter(&args[0])
}

fn bi_next(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("next", args, 1, 2)?;
    let v = &args[0];
    let wrapper = matches!(v, Value::Native(n) if matches!(**n, Native::CoroWrapper(_)));
    if !matches!(v, Value::Iter(_) | Value::Gen(_) | Value::Instance(_)) && !wrapper {
        return Err(type_error(format!("'{}' object is not an iterator", it.type_name(v))));
    }
    if let Value::Gen(g) = v {
        if g.is_coroutine {
            return Err(type_error("'coroutine' object is not an iterator"));
        }
    }
    match it.next(v)? {
        Some(x) => Ok(x),
        None => match args.get(1) {
            Some(d) => Ok(d.clone()),
            None => {
                let sv = it.take_stop_value();
                let args = if sv.is_none() { vec![] } else { vec![sv] };
                Err(raise_value(new_exception(&it.t.stop_iteration, args)))
            }
        },
    }
}

fn attr_name(it: &Interp, v: &Value) -> R<Symbol> {
    match v {
        Value::Str(s) => Ok(Symbol::intern(&s.s)),
        _ => Err(type_error(format!("attribute name must be string, not '{}'", it.type_name(v)))),
    }
}

fn bi_hasattr(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("hasattr", args, 2, 2)?;
    let n = attr_name(it, &args[1])?;
    match it.getattr(&args[0], n) {
        Ok(_) => Ok(Value::Bool(true)),
        Err(e) if e.is_instance(&it.t.attribute_error) => Ok(Value::Bool(false)),
        Err(e) => Err(e),
    }
}

fn bi_getattr(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("getattr", args, 2, 3)?;
    let n = attr_name(it, &args[1])?;
    match it.getattr(&args[0], n) {
        Ok(v) => Ok(v),
        Err(e) if e.is_instance(&it.t.attribute_error) && args.len() == 3 => Ok(args[2].clone()),
        Err(e) => Err(e),
    }
}

fn bi_setattr(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("setattr", args, 3, 3)?;
    let n = attr_name(it, &args[1])?;
    it.setattr(&args[0], n, args[2].clone())?;
    Ok(Value::None)
}

fn bi_delattr(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("delattr", args, 2, 2)?;
    let n = attr_name(it, &args[1])?;
    it.delattr(&args[0], n)?;
    Ok(Value::None)
}

/// Round half to even of `x * 10**nd`.
fn round_float(x: f64, nd: i64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    if nd > 300 {
        return x;
    }
    // Use the shortest decimal string, as CPython's correctly rounded dtoa does.
    let s = format!("{:.*}", nd.max(0) as usize, x);
    if nd >= 0 {
        // `{:.N}` rounds the exact binary value half-to-even, which is CPython's result.
        return s.parse().unwrap_or(x);
    }
    // To a multiple of 10**k: on the exact decimal expansion of `x` (Rust prints a double's
    // exact value at any precision), half to even, then read back (correctly rounded), as
    // CPython's dtoa does. Checked against CPython: `round(1e300, -299)` is `1e+300`.
    let k = (-nd) as usize;
    let exact = format!("{:.1100}", x.abs());
    let (int, frac) = exact.split_once('.').unwrap_or((&exact, ""));
    let int = int.trim_start_matches('0');
    if int.len() < k {
        // |x| < 10**k: 0, or 10**k when |x| > half of it (exactly half rounds to 0, even).
        let half_or_more = int.len() == k && int.as_bytes()[0] >= b'5';
        let above_half = half_or_more
            && (int.as_bytes()[0] > b'5'
                || int[1..].bytes().any(|b| b != b'0')
                || frac.bytes().any(|b| b != b'0'));
        let mag: f64 = if above_half { format!("1e{}", k).parse().unwrap_or(0.0) } else { 0.0 };
        return mag.copysign(x);
    }
    let (keep, rest) = int.split_at(int.len() - k);
    let mut kept: Vec<u8> = keep.bytes().collect();
    let first = rest.as_bytes().first().copied().unwrap_or(b'0');
    let beyond = rest.bytes().skip(1).any(|b| b != b'0') || frac.bytes().any(|b| b != b'0');
    let odd = kept.last().is_some_and(|d| (d - b'0') % 2 == 1);
    let up = first > b'5' || (first == b'5' && (beyond || odd));
    if up {
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, b'1');
                break;
            }
            i -= 1;
            if kept[i] == b'9' {
                kept[i] = b'0';
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    let digits = String::from_utf8(kept).unwrap_or_default();
    let r: f64 = format!("{}e{}", if digits.is_empty() { "0" } else { &digits }, k).parse().unwrap_or(x);
    r.copysign(x)
}

fn bi_round(it: &mut Interp, _this: &Value, args: &[Value], kw: Kw) -> R<Value> {
    check_kw("round", kw, &[sym::NDIGITS])?;
    arity("round", args, 1, 2)?;
    let nd = match args.get(1).cloned().or_else(|| kwarg(kw, sym::NDIGITS)) {
        None | Some(Value::None) => None,
        Some(v) => Some(it.index_of(&v)?),
    };
    match (&args[0], nd) {
        (Value::Float(f), None) => {
            if !f.is_finite() {
                return Err(if f.is_nan() {
                    value_error("cannot convert float NaN to integer")
                } else {
                    overflow_error("cannot convert float infinity to integer")
                });
            }
            let r = f.round();
            let r = if (f - f.trunc()).abs() == 0.5 { 2.0 * (f / 2.0).round() } else { r };
            Ok(float_to_int(r))
        }
        (Value::Float(f), Some(n)) => {
            Ok(Value::Float(if n < -400 { 0.0f64.copysign(*f) } else { round_float(*f, n) }))
        }
        (Value::Int(_) | Value::Bool(_) | Value::BigInt(_), None) => Ok(match &args[0] {
            Value::Bool(b) => Value::Int(*b as i64),
            v => v.clone(),
        }),
        (Value::Int(_) | Value::BigInt(_), Some(n)) => {
            if n >= 0 {
                return Ok(args[0].clone());
            }
            if n < -400 {
                return Ok(Value::Int(0));
            }
            let x = match &args[0] {
                Value::Int(i) => BigInt::from(*i),
                Value::BigInt(b) => (**b).clone(),
                _ => BigInt::from(0),
            };
            let p = BigInt::from(10).pow((-n) as u32);
            let q = num_integer::Integer::div_floor(&x, &p);
            let r = &x - &q * &p;
            let twice = &r * 2;
            let q = if twice > p || (twice == p && num_integer::Integer::is_odd(&q)) { q + 1 } else { q };
            Ok(Value::from_bigint(q * p))
        }
        (v, _) => Err(type_error(format!("type {} doesn't define __round__ method", it.type_name(v)))),
    }
}

pub fn float_to_int(f: f64) -> Value {
    if f.abs() < 9.2e18 {
        Value::Int(f as i64)
    } else {
        use num_traits::FromPrimitive;
        Value::from_bigint(BigInt::from_f64(f).unwrap_or_default())
    }
}

fn bi_divmod(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("divmod", args, 2, 2)?;
    let float_zero = |v: &Value| match v {
        Value::Float(f) => *f == 0.0,
        Value::Int(0) | Value::Bool(false) => true,
        _ => false,
    };
    if (matches!(args[0], Value::Float(_)) || matches!(args[1], Value::Float(_)))
        && float_zero(&args[1])
        && crate::interp::ops::to_f64(&args[0]).is_some()
    {
        return Err(zero_division("float divmod()"));
    }
    let q = it.binop(crate::ast::BinOp::FloorDiv, &args[0], &args[1])?;
    let r = it.binop(crate::ast::BinOp::Mod, &args[0], &args[1])?;
    Ok(Value::tuple(vec![q, r]))
}

fn bi_pow(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("pow", args, 2, 3)?;
    if args.len() == 3 && !args[2].is_none() {
        let to_big = |v: &Value| -> R<BigInt> {
            match v {
                Value::Int(i) => Ok(BigInt::from(*i)),
                Value::Bool(b) => Ok(BigInt::from(*b as i64)),
                Value::BigInt(b) => Ok((**b).clone()),
                _ => Err(type_error("pow() 3rd argument not allowed unless all arguments are integers")),
            }
        };
        let (b, e, m) = (to_big(&args[0])?, to_big(&args[1])?, to_big(&args[2])?);
        if m.is_zero() {
            return Err(value_error("pow() 3rd argument cannot be 0"));
        }
        let base = if e.is_negative() {
            // Modular inverse.
            let g = num_integer::Integer::extended_gcd(&b.mod_floor_pos(&m), &m);
            if !g.gcd.abs().is_one_val() {
                return Err(value_error("base is not invertible for the given modulus"));
            }
            g.x
        } else {
            b
        };
        let r = base.modpow(&e.abs(), &m);
        let r = if r.is_negative() != m.is_negative() && !r.is_zero() { r + &m } else { r };
        return Ok(Value::from_bigint(r));
    }
    it.binop(crate::ast::BinOp::Pow, &args[0], &args[1])
}

trait BigExt {
    fn mod_floor_pos(&self, m: &BigInt) -> BigInt;
    fn is_one_val(&self) -> bool;
}
impl BigExt for BigInt {
    fn mod_floor_pos(&self, m: &BigInt) -> BigInt {
        num_integer::Integer::mod_floor(self, &m.abs())
    }
    fn is_one_val(&self) -> bool {
        *self == BigInt::from(1)
    }
}

fn bi_chr(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("chr", args, 1, 1)?;
    let n = it.index_of(&args[0])?;
    match u32::try_from(n).ok().and_then(char::from_u32) {
        Some(c) => Ok(Value::string(c.to_string())),
        None => Err(value_error("chr() arg not in range(0x110000)")),
    }
}

fn bi_ord(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("ord", args, 1, 1)?;
    match &args[0] {
        Value::Str(s) => {
            let mut cs = s.s.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Ok(Value::Int(c as i64)),
                _ => Err(type_error(format!(
                    "ord() expected a character, but string of length {} found",
                    s.char_len()
                ))),
            }
        }
        v => Err(type_error(format!("ord() expected string of length 1, but {} found", it.type_name(v)))),
    }
}

fn radix_str(it: &mut Interp, v: &Value, radix: u32, prefix: &str) -> R<Value> {
    let b = match v {
        Value::Int(i) => BigInt::from(*i),
        Value::Bool(x) => BigInt::from(*x as i64),
        Value::BigInt(b) => (**b).clone(),
        // An instance standing for an int (`__index__`).
        Value::Instance(_) => match it.user_index(v)? {
            Some(i) => return radix_str(it, &i, radix, prefix),
            None => {
                return Err(type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    it.type_name(v)
                )))
            }
        },
        _ => {
            return Err(type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                it.type_name(v)
            )))
        }
    };
    let s = if b.is_negative() {
        format!("-{}{}", prefix, (-b).to_str_radix(radix))
    } else {
        format!("{}{}", prefix, b.to_str_radix(radix))
    };
    Ok(Value::string(s))
}

fn bi_hex(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("hex", args, 1, 1)?;
    radix_str(it, &args[0], 16, "0x")
}
fn bi_bin(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("bin", args, 1, 1)?;
    radix_str(it, &args[0], 2, "0b")
}
fn bi_oct(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("oct", args, 1, 1)?;
    radix_str(it, &args[0], 8, "0o")
}

fn bi_id(_it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("id", args, 1, 1)?;
    Ok(Value::Int(args[0].address() as i64))
}

fn bi_hash(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("hash", args, 1, 1)?;
    let h = it.hash(&args[0])?;
    Ok(Value::Int(h as i64))
}

fn bi_callable(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("callable", args, 1, 1)?;
    Ok(Value::Bool(is_callable(it, &args[0])))
}

/// `callable(v)`.
pub fn is_callable(it: &Interp, v: &Value) -> bool {
    match v {
        Value::Func(_) | Value::Builtin(_) | Value::Method(_) | Value::Class(_) => true,
        Value::Instance(_) => it.has_method(v, sym::CALL),
        Value::Native(n) => matches!(**n, Native::StaticMethod(_)),
        _ => false,
    }
}

fn bi_format(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("format", args, 1, 2)?;
    let spec = match args.get(1) {
        Some(Value::Str(s)) => s.s.clone(),
        None => String::new(),
        Some(v) => {
            return Err(type_error(format!("format() argument 2 must be str, not {}", it.type_name(v))))
        }
    };
    Ok(Value::string(it.format_value(&args[0], &spec)?))
}

fn bi_vars(it: &mut Interp, _this: &Value, args: &[Value], _kw: Kw) -> R<Value> {
    arity("vars", args, 1, 1)?;
    it.getattr(&args[0], sym::DICT)
}
