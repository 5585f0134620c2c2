//! The REPL's Python habits: `help()`/`help(obj)` with a sentence for every builtin and every
//! name of the scheduler's API, and `exit`/`quit`, which say how to leave when shown and leave
//! when called (they raise `SystemExit`, as in Python).

use crate::builtins::Kw;
use crate::builtins::{check_kw, native};
use crate::interp::{Interp, R};
use crate::span::Symbol;
use crate::value::Value;

/// One sentence for each built-in name a learner meets: the scheduler's API first.
pub const DOCS: &[(&str, &str)] = &[
    ("spawn", "spawn(coro, name=None): wrap a coroutine or generator object in a Task and put it on the ready queue; it runs when the current task gives the turn away."),
    ("sleep", "sleep(seconds): an awaitable; `await sleep(s)` lets other tasks run for s seconds; `sleep(0)` just gives the turn away."),
    ("Queue", "Queue(maxsize=0): a FIFO between tasks: `await q.put(x)`, `await q.get()`, put_nowait, get_nowait, qsize, empty, full, close; maxsize <= 0 is unbounded."),
    ("Event", "Event(): a flag tasks can wait for: `await e.wait()`, e.set(), e.clear(), e.is_set()."),
    ("call_soon", "call_soon(f, *args): run f(*args) on the scheduler's next pass; returns a handle with cancel()."),
    ("call_later", "call_later(delay, f, *args): run f(*args) after delay seconds; returns a handle with cancel()."),
    ("now", "now(): seconds on the scheduler's clock (real, or virtual with --virtual-time)."),
    ("current_task", "current_task(): the running Task, or None."),
    ("CancelledError", "CancelledError: raised inside a task at its await point by t.cancel() or Ctrl-C; derives from BaseException, as in asyncio."),
    ("QueueClosed", "QueueClosed: raised by put on a closed queue, and by get on a closed queue that is empty."),
    ("QueueEmpty", "QueueEmpty: raised by q.get_nowait() on an empty queue."),
    ("QueueFull", "QueueFull: raised by q.put_nowait(x) on a full queue."),
    ("print", "print(*values, sep=' ', end='\\n', flush=False): write the values' str() to stdout."),
    ("input", "input(prompt=''): read a line from stdin, without its newline."),
    ("len", "len(x): the number of items in a container."),
    ("range", "range(stop) / range(start, stop, step=1): an immutable sequence of integers."),
    ("str", "str(x): the text form of x; also the type of text."),
    ("repr", "repr(x): the form of x a programmer reads, as the prompt echoes it."),
    ("int", "int(x=0) / int(text, base=10): an integer of any size."),
    ("float", "float(x=0.0): a double-precision number."),
    ("bool", "bool(x): True or False by the truth of x."),
    ("list", "list(iterable=()): a mutable sequence."),
    ("tuple", "tuple(iterable=()): an immutable sequence."),
    ("dict", "dict(**kwargs) / dict(pairs): a mapping, in insertion order."),
    ("set", "set(iterable=()): an unordered collection of distinct values."),
    ("type", "type(x): the class of x."),
    ("isinstance", "isinstance(x, cls): whether x is an instance of cls (or of one of a tuple of classes)."),
    ("issubclass", "issubclass(c, cls): whether class c derives from cls."),
    ("abs", "abs(x): the absolute value of a number."),
    ("min", "min(iterable) / min(a, b, ...): the smallest item; key= chooses what to compare."),
    ("max", "max(iterable) / max(a, b, ...): the largest item; key= chooses what to compare."),
    ("sum", "sum(iterable, start=0): the total of the items."),
    ("sorted", "sorted(iterable, key=None, reverse=False): a new sorted list."),
    ("reversed", "reversed(seq): an iterator over seq from the end."),
    ("enumerate", "enumerate(iterable, start=0): pairs (index, item)."),
    ("zip", "zip(*iterables): tuples of the items at the same position, up to the shortest."),
    ("map", "map(f, *iterables): f applied to each item, lazily."),
    ("filter", "filter(f, iterable): the items for which f is true, lazily."),
    ("any", "any(iterable): whether some item is true."),
    ("all", "all(iterable): whether every item is true."),
    ("iter", "iter(x): an iterator over x."),
    ("next", "next(it, default): the next item of an iterator (or default at its end)."),
    ("hasattr", "hasattr(x, name): whether x has the attribute."),
    ("getattr", "getattr(x, name, default): the attribute named by a string."),
    ("setattr", "setattr(x, name, value): set the attribute named by a string."),
    ("delattr", "delattr(x, name): delete the attribute named by a string."),
    ("round", "round(x, ndigits=None): x rounded, halves to even."),
    ("divmod", "divmod(a, b): the pair (a // b, a % b)."),
    ("pow", "pow(base, exp, mod=None): base ** exp, optionally modulo mod."),
    ("chr", "chr(i): the one-character string of a code point."),
    ("ord", "ord(c): the code point of a one-character string."),
    ("hex", "hex(i): an integer in base 16, as '0x...'."),
    ("bin", "bin(i): an integer in base 2, as '0b...'."),
    ("oct", "oct(i): an integer in base 8, as '0o...'."),
    ("id", "id(x): a number unique to x while it lives."),
    ("hash", "hash(x): the hash of a hashable value."),
    ("callable", "callable(x): whether x can be called."),
    ("format", "format(x, spec=''): x formatted by a format spec, as in f-strings."),
    ("vars", "vars(x): the attributes of an object as a dict."),
    ("super", "super(): inside a method, the next class up, to call its methods."),
    ("dir", "dir() / dir(x): the names defined at the top level, or the attributes of x."),
    ("help", "help() / help(x): this help."),
    ("exit", "exit(code=None): leave the REPL (raises SystemExit); Ctrl-D too."),
    ("quit", "quit(code=None): leave the REPL (raises SystemExit); Ctrl-D too."),
];

/// What `help()` prints.
pub const GENERAL: &str = "\
tinyasync: Python's syntax and semantics, with a scheduler built in.
Type code at the prompt; a compound statement ends with a blank line.
help(x) explains a value or a built-in name: help(spawn), help(Queue), help(print).
The scheduler: spawn(coro) starts a task, `await sleep(s)` gives the turn away for s seconds,
Queue and Event connect tasks, call_soon/call_later run callbacks, now() reads the clock.
Tasks you spawn keep running while the prompt waits; `await` at the prompt waits for a result.
";

/// The prompt's `exit` and `quit`, written in tinyasync itself; moved into the builtins so that
/// they do not show in `dir()`.
const PRELUDE: &str = "\
class Quitter:
    def __init__(self, name):
        self.name = name
    def __repr__(self):
        return 'Use ' + self.name + '() or Ctrl-D (i.e. EOF) to exit'
    def __call__(self, code=None):
        raise SystemExit(code)
exit = Quitter('exit')
quit = Quitter('quit')
";

/// Installs `help`, `exit` and `quit` into the interpreter's builtins.
pub fn install(it: &mut Interp) {
    it.builtins.insert(Symbol::intern("help"), native("help", bi_help));
    let src = crate::driver::Source { name: "<prelude>".into(), text: PRELUDE.into() };
    let code = match crate::driver::compile(&src, crate::diagnostics::Style::plain()) {
        Ok(c) => c,
        // The prelude is a constant that the tests run; a failure here is a bug, reported as such.
        Err(f) => {
            eprint!("internal error in the REPL prelude:\n{}", f.rendered);
            return;
        }
    };
    if crate::scheduler::run_main(it, code).is_err() {
        eprintln!("internal error: the REPL prelude failed");
        return;
    }
    for name in ["exit", "quit", "Quitter"] {
        let sym = Symbol::intern(name);
        let v = it.remove_global(sym);
        if let Some(v) = v {
            if name != "Quitter" {
                it.builtins.insert(sym, v);
            }
        }
    }
}

/// The sentence for a built-in name.
pub fn doc_of(name: &str) -> Option<&'static str> {
    DOCS.iter().find(|(n, _)| *n == name).map(|(_, d)| *d)
}

fn bi_help(it: &mut Interp, _this: &Value, args: &[Value], kw: Kw) -> R<Value> {
    check_kw("help", kw, &[])?;
    let text = match args {
        [] => GENERAL.to_string(),
        [v] => describe(it, v),
        _ => {
            return Err(crate::interp::type_error(format!(
                "help expected at most 1 argument, got {}",
                args.len()
            )))
        }
    };
    it.write_out(&text)?;
    if !text.ends_with('\n') {
        it.write_out("\n")?;
    }
    Ok(Value::None)
}

/// help(x): the sentence for a built-in, the signature of a function, the methods of a class or
/// of a value's type.
fn describe(it: &mut Interp, v: &Value) -> String {
    let methods = |v: &Value| {
        let mut names: Vec<String> =
            crate::builtins::attribute_names(v).into_iter().filter(|n| !n.starts_with('_')).collect();
        names.sort();
        names.dedup();
        names.join(", ")
    };
    match v {
        Value::Str(s) => match doc_of(&s.s) {
            Some(d) => d.to_string(),
            None => format!("no help on '{}': help(name) knows the builtins; try help() or dir()", s.s),
        },
        Value::Builtin(b) => {
            doc_of(b.name).map(str::to_string).unwrap_or_else(|| format!("{}: a built-in function", b.name))
        }
        Value::Func(f) => {
            let sig = &f.code.sig;
            let mut params: Vec<String> = sig.args.iter().map(|a| a.as_str().to_string()).collect();
            if sig.vararg {
                params.push("*args".into());
            }
            params.extend(sig.kwonly.iter().map(|a| a.as_str().to_string()));
            if sig.kwarg {
                params.push("**kwargs".into());
            }
            format!("{}({}): a function defined in this session", f.code.qualname, params.join(", "))
        }
        Value::Class(c) => {
            let name = c.name.as_str();
            let head = doc_of(name).map(str::to_string).unwrap_or_else(|| format!("class {}", name));
            let m = methods(v);
            if m.is_empty() {
                head
            } else {
                format!("{}\nmethods: {}", head, m)
            }
        }
        other => {
            let ty = it.type_name(other);
            let head = doc_of(&ty).map(str::to_string).unwrap_or_else(|| format!("a value of type {}", ty));
            let m = methods(other);
            if m.is_empty() {
                head
            } else {
                format!("{}\nmethods: {}", head, m)
            }
        }
    }
}
