//! What a runtime error's diagnostic says besides the exception's message: short labels on parts
//! of the failing expression, a help line, and CPython's "Did you mean" suggestion.
//!
//! A raise site attaches them to the exception it raises (`Fault::label_on`, `Fault::label`,
//! `Fault::help`, `Fault::suggest`), naming a part of the expression (`At`) and the value it
//! speaks of rather than a span: it does not know the spans, while the code that evaluates the
//! expression does, and places the labels when it first locates the error (`Fault::at_parts`,
//! `Exc::locate`). A label whose part is not there, or does not hold that value (the error came
//! from inside a built-in, say), is dropped. `driver::render_exception` draws what is left, or
//! `raised here`. The exception's value and message are untouched: `str(e)` stays CPython's.

use crate::interp::Interp;
use crate::span::{Span, Symbol};
use crate::value::{Class, Value};
use std::rc::Rc;

/// A part of the failing expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// The expression as a whole.
    Expr,
    /// Operand 0 or 1: the left and right of a binary operator or a comparison; the object and
    /// the index of a subscript; the operand of a unary operator; the object of an attribute;
    /// the function of a call.
    Operand(u8),
    /// The attribute or method name of `obj.name` or `obj.name(...)`.
    Name,
    /// A positional argument of a call.
    Arg(u8),
}

#[derive(Clone)]
pub struct HintLabel {
    pub at: At,
    /// The value the label speaks of: the part is labelled only if it holds this very value
    /// (`[1] < ["a"]` fails comparing 1 with "a", which are not the operands shown).
    pub subject: Option<Value>,
    /// Set when the part is located.
    pub span: Option<Span>,
    pub text: String,
}

/// What to look for a "Did you mean" among, computed only when the error is shown.
#[derive(Clone)]
pub enum Suggest {
    /// A NameError: the name, and the local variable names of the function it was raised in.
    Name { name: Symbol, locals: Vec<Symbol> },
    /// An AttributeError: the object and the missing attribute.
    Attr { obj: Value, name: Symbol },
}

#[derive(Clone, Default)]
pub struct Hint {
    pub labels: Vec<HintLabel>,
    pub help: Option<String>,
    pub suggest: Option<Suggest>,
}

/// The parts of an expression as the code evaluating it knows them: where they are and what
/// they evaluated to.
#[derive(Clone, Copy, Default)]
pub struct Parts<'a> {
    pub whole: Span,
    /// `At::Operand(i)`.
    pub operands: &'a [(Span, &'a Value)],
    /// `At::Name`: the name's span and the object it was looked up on.
    pub name: Option<(Span, &'a Value)>,
    /// `At::Arg(i)`, when no argument is starred.
    pub args: &'a [(Span, &'a Value)],
}

impl Parts<'_> {
    /// Just the expression as a whole.
    pub fn whole(span: Span) -> Parts<'static> {
        Parts { whole: span, ..Default::default() }
    }

    fn find(&self, at: At, subject: Option<&Value>) -> Option<Span> {
        let pick = |part: Option<&(Span, &Value)>| {
            let (span, value) = part?;
            match subject {
                Some(s) if !s.is(value) => None,
                _ => Some(*span),
            }
        };
        match at {
            At::Expr => Some(self.whole),
            At::Operand(i) => pick(self.operands.get(i as usize)),
            At::Name => pick(self.name.as_ref()),
            At::Arg(i) => pick(self.args.get(i as usize)),
        }
    }
}

impl Hint {
    /// Gives each label the span of its part and drops those whose part is not there.
    pub fn locate(&mut self, parts: &Parts) {
        self.labels.retain_mut(|l| {
            if l.span.is_none() {
                l.span = parts.find(l.at, l.subject.as_ref());
            }
            l.span.is_some()
        });
    }

    /// The located labels.
    pub fn located(&self) -> impl Iterator<Item = (Span, &str)> {
        self.labels.iter().filter_map(|l| Some((l.span?, l.text.as_str())))
    }
}

/// The help for a program that looks for asyncio.
pub const ASYNCIO_HELP: &str =
    "tinyasync has no asyncio: spawn(), sleep() and Queue are built in, and `await main()` at the top level runs a coroutine";

/// The help for a NameError: `name` is a module not imported, or a Python built-in that
/// tinyasync lacks (a name tinyasync has never gets here).
pub fn name_help(name: &str) -> Option<String> {
    if name == "asyncio" {
        Some(ASYNCIO_HELP.into())
    } else if crate::builtins::modules::MODULES.contains(&name) {
        Some(format!("`{name}` is a module: `import {name}` first"))
    } else if CPYTHON_BUILTINS.contains(&name) {
        Some(format!("`{name}` is a Python built-in that tinyasync does not have"))
    } else {
        None
    }
}

/// The help for an import that failed.
pub fn import_help(name: &str) -> String {
    if name == "asyncio" || name.starts_with("asyncio.") {
        return ASYNCIO_HELP.into();
    }
    format!("the modules are {}", crate::builtins::modules::MODULES.join(", "))
}

/// Where `name` is in `obj.name`, whose span is `whole`: at its end.
pub fn name_span(whole: Span, name: Symbol) -> Span {
    let end = whole.end as usize;
    Span::new(end.saturating_sub(name.as_str().len()).max(whole.start as usize), end)
}

/// `an int`, `a str`, `None`: a value of type `type_name`, as a label says it.
pub fn a_type(type_name: &str) -> String {
    match type_name {
        "NoneType" => "None".into(),
        n if n.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) => format!("an {n}"),
        n => format!("a {n}"),
    }
}

/// The help line for a value that is None where something else was expected.
pub const NONE_HELP: &str = "functions without `return`, and methods like list.sort(), give None";

// ----- "Did you mean" -----
//
// CPython 3.11's algorithm (Python/suggestions.c), so that tinyasync suggests what CPython
// suggests: a Levenshtein distance over UTF-8 bytes where inserting, deleting or replacing a
// byte costs 2 and changing only its ASCII case costs 1; a candidate is taken when at most a
// third of the characters involved change, the first of the closest ones winning.

const MOVE_COST: usize = 2;
const CASE_COST: usize = 1;
/// Longer names (after common prefix and suffix are set aside) are never suggested.
const MAX_STRING_SIZE: usize = 40;
/// More candidates than this and no suggestion is made.
const MAX_CANDIDATE_ITEMS: usize = 750;

fn substitution_cost(a: u8, b: u8) -> usize {
    if a == b {
        0
    } else if a.eq_ignore_ascii_case(&b) {
        CASE_COST
    } else {
        MOVE_COST
    }
}

/// The weighted edit distance from `a` to `b`, or `max_cost + 1` when it exceeds `max_cost`.
fn distance(a: &[u8], b: &[u8], max_cost: usize) -> usize {
    // Common prefixes and suffixes cost nothing.
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[pre..], &b[pre..]);
    let suf = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[..a.len() - suf], &b[..b.len() - suf]);
    if a.is_empty() || b.is_empty() {
        return (a.len() + b.len()) * MOVE_COST;
    }
    if a.len() > MAX_STRING_SIZE || b.len() > MAX_STRING_SIZE {
        return max_cost + 1;
    }
    let (a, b) = if b.len() < a.len() { (b, a) } else { (a, b) };
    if (b.len() - a.len()) * MOVE_COST > max_cost {
        return max_cost + 1;
    }
    // One row of the matrix: row[i] is the cost from b[..j] to a[..i + 1].
    let mut row: Vec<usize> = (1..=a.len()).map(|i| i * MOVE_COST).collect();
    let mut result = 0;
    for (j, &bc) in b.iter().enumerate() {
        let mut diagonal = j * MOVE_COST;
        result = diagonal;
        let mut minimum = usize::MAX;
        for (i, &ac) in a.iter().enumerate() {
            let substitute = diagonal + substitution_cost(bc, ac);
            diagonal = row[i];
            result = (result.min(diagonal) + MOVE_COST).min(substitute);
            row[i] = result;
            minimum = minimum.min(result);
        }
        if minimum > max_cost {
            return max_cost + 1;
        }
    }
    result
}

/// The candidate closest to `name`, if one is close enough.
pub fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if candidates.len() >= MAX_CANDIDATE_ITEMS {
        return None;
    }
    let mut best: Option<(&str, usize)> = None;
    for &c in candidates {
        if c == name {
            continue;
        }
        let mut max = (name.len() + c.len() + 3) * MOVE_COST / 6;
        if let Some((_, d)) = best {
            max = max.min(d.saturating_sub(1));
        }
        let d = distance(name.as_bytes(), c.as_bytes(), max);
        if d > max {
            continue;
        }
        if best.is_none_or(|(_, bd)| d < bd) {
            best = Some((c, d));
        }
    }
    best.map(|(c, _)| c)
}

/// The "Did you mean" for an exception, as CPython words it (`Did you mean: 'print'?`). As in
/// CPython, only a NameError or AttributeError proper gets one, not a subclass.
pub fn suggestion(it: &mut Interp, exc: &Value, s: &Suggest) -> Option<String> {
    let class = it.t.type_of(exc);
    let found = match s {
        Suggest::Name { name, locals } if Rc::ptr_eq(&class, &it.t.name_error) => {
            let name = name.as_str();
            let locals: Vec<&str> =
                locals.iter().map(|n| n.as_str()).filter(|n| !n.starts_with('.')).collect();
            let mut globals: Vec<Symbol> = it.globals.borrow().keys().copied().collect();
            globals.sort_by(|a, b| a.as_str().cmp(b.as_str()));
            let globals: Vec<&str> = globals.iter().map(|n| n.as_str()).collect();
            let builtins = builtin_names(it);
            closest(name, &locals)
                .or_else(|| closest(name, &globals))
                .or_else(|| closest(name, &builtins))
                .map(str::to_string)
        }
        Suggest::Attr { obj, name } if Rc::ptr_eq(&class, &it.t.attribute_error) => {
            closest(name.as_str(), &attribute_names(it, obj)).map(str::to_string)
        }
        _ => None,
    }?;
    let quoted = it.repr(&Value::string(found)).ok()?;
    Some(format!("Did you mean: {quoted}?"))
}

/// The built-in names in CPython's order, then tinyasync's own (`spawn`, `Queue`, ...) sorted.
fn builtin_names(it: &Interp) -> Vec<&'static str> {
    let has =
        |n: &str| matches!(n, "None" | "True" | "False") || it.builtins.contains_key(&Symbol::intern(n));
    let mut names: Vec<&'static str> = CPYTHON_BUILTINS.iter().copied().filter(|n| has(n)).collect();
    let mut own: Vec<&'static str> =
        it.builtins.keys().map(|k| k.as_str()).filter(|n| !CPYTHON_BUILTINS.contains(n)).collect();
    own.sort_unstable();
    names.extend(own);
    names
}

/// What `dir(obj)` would list, sorted: the names an attribute could have been meant as.
fn attribute_names(it: &mut Interp, obj: &Value) -> Vec<&'static str> {
    fn keys(map: &crate::value::SymMap) -> impl Iterator<Item = &'static str> + '_ {
        map.keys().map(|k| k.as_str())
    }
    fn class_chain(class: &Rc<Class>, names: &mut Vec<&'static str>) {
        for k in class.full_mro() {
            names.extend(keys(&k.dict.borrow()));
        }
    }
    let mut names: Vec<&'static str> = Vec::new();
    match obj {
        Value::Instance(i) => {
            names.extend(keys(&i.attrs.borrow()));
            class_chain(&i.class, &mut names);
            names.extend(["__class__", "__dict__"]);
        }
        Value::Class(c) => {
            class_chain(c, &mut names);
            names.extend(["__name__", "__qualname__", "__bases__", "__class__", "__module__"]);
        }
        Value::Module(m) => {
            names.extend(keys(&m.attrs.borrow()));
            names.push("__name__");
        }
        Value::Func(f) => {
            names.extend(keys(&f.attrs.borrow()));
            names.extend(["__name__", "__qualname__", "__module__", "__doc__", "__class__"]);
        }
        _ => {
            for n in BUILTIN_ATTRIBUTES {
                if it.getattr(obj, Symbol::intern(n)).is_ok() {
                    names.push(n);
                }
            }
        }
    }
    names.sort_unstable();
    names.dedup();
    names
}

/// CPython 3.11's built-in names in the order of its `builtins` module (so that ties are broken
/// as CPython breaks them), as a script sees them.
#[rustfmt::skip]
pub const CPYTHON_BUILTINS: &[&str] = &[
    "__name__", "__doc__", "__package__", "__loader__", "__spec__", "__build_class__", "__import__",
    "abs", "all", "any", "ascii", "bin", "breakpoint", "callable", "chr", "compile", "delattr",
    "dir", "divmod", "eval", "exec", "format", "getattr", "globals", "hasattr", "hash", "hex", "id",
    "input", "isinstance", "issubclass", "iter", "aiter", "len", "locals", "max", "min", "next",
    "anext", "oct", "ord", "pow", "print", "repr", "round", "setattr", "sorted", "sum", "vars",
    "None", "Ellipsis", "NotImplemented", "False", "True", "bool", "memoryview", "bytearray",
    "bytes", "classmethod", "complex", "dict", "enumerate", "filter", "float", "frozenset",
    "property", "int", "list", "map", "object", "range", "reversed", "set", "slice", "staticmethod",
    "str", "super", "tuple", "type", "zip", "__debug__", "BaseException", "BaseExceptionGroup",
    "Exception", "GeneratorExit", "KeyboardInterrupt", "SystemExit", "ArithmeticError",
    "AssertionError", "AttributeError", "BufferError", "EOFError", "ImportError", "LookupError",
    "MemoryError", "NameError", "OSError", "ReferenceError", "RuntimeError", "StopAsyncIteration",
    "StopIteration", "SyntaxError", "SystemError", "TypeError", "ValueError", "Warning",
    "FloatingPointError", "OverflowError", "ZeroDivisionError", "BytesWarning",
    "DeprecationWarning", "EncodingWarning", "FutureWarning", "ImportWarning",
    "PendingDeprecationWarning", "ResourceWarning", "RuntimeWarning", "SyntaxWarning",
    "UnicodeWarning", "UserWarning", "BlockingIOError", "ChildProcessError", "ConnectionError",
    "FileExistsError", "FileNotFoundError", "InterruptedError", "IsADirectoryError",
    "NotADirectoryError", "PermissionError", "ProcessLookupError", "TimeoutError",
    "IndentationError", "IndexError", "KeyError", "ModuleNotFoundError", "NotImplementedError",
    "RecursionError", "UnboundLocalError", "UnicodeError", "BrokenPipeError",
    "ConnectionAbortedError", "ConnectionRefusedError", "ConnectionResetError", "TabError",
    "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeTranslateError", "ExceptionGroup",
    "EnvironmentError", "IOError", "open", "quit", "exit", "copyright", "credits", "license",
    "help",
];

/// Method and attribute names of Python's built-in types (and tinyasync's scheduler objects):
/// the names tried on a built-in value for "Did you mean", each kept only if the value has it.
#[rustfmt::skip]
pub const BUILTIN_ATTRIBUTES: &[&str] = &[
    // str
    "capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find",
    "format", "format_map", "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit",
    "isidentifier", "islower", "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join",
    "ljust", "lower", "lstrip", "maketrans", "partition", "removeprefix", "removesuffix", "replace",
    "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines",
    "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill",
    // list, dict, set, deque
    "append", "appendleft", "clear", "copy", "extend", "extendleft", "insert", "pop", "popleft",
    "remove", "reverse", "rotate", "sort", "maxlen", "fromkeys", "get", "items", "keys", "popitem",
    "setdefault", "update", "values", "add", "difference", "difference_update", "discard",
    "intersection", "intersection_update", "isdisjoint", "issubset", "issuperset",
    "symmetric_difference", "symmetric_difference_update", "union",
    // numbers, ranges, slices
    "as_integer_ratio", "bit_count", "bit_length", "conjugate", "denominator", "from_bytes", "imag",
    "numerator", "real", "to_bytes", "fromhex", "hex", "is_integer", "start", "stop", "step",
    "indices",
    // generators and coroutines
    "send", "throw", "close", "gi_frame", "gi_running", "cr_frame", "cr_running",
    // queues (queue.Queue and the scheduler's), events, tasks, handles
    "put", "put_nowait", "get_nowait", "empty", "full", "qsize", "task_done", "join", "set",
    "is_set", "wait", "cancel", "cancelled", "done", "result", "exception", "name", "when",
    "add_done_callback", "maxsize",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_match_cpython() {
        // Each checked against python3.11's "Did you mean".
        assert_eq!(closest("prnt", &["print", "len"]), Some("print"));
        assert_eq!(closest("Print", &["print"]), Some("print"));
        assert_eq!(closest("X", &["x"]), Some("x"));
        assert_eq!(closest("C", &["A", "B"]), None);
        assert_eq!(closest("ba", &["ab"]), None);
        assert_eq!(closest("uper", &["upper", "lower"]), Some("upper"));
        assert_eq!(closest("iterms", &["items", "keys", "values"]), Some("items"));
        assert_eq!(closest("cout", &["count"]), Some("count"));
        let long_x = "abcd_long_name_that_is_quite_long_more_than_forty_chars_x";
        let long_y = "abcd_long_name_that_is_quite_long_more_than_forty_chars_y";
        assert_eq!(closest(long_y, &[long_x]), Some(long_x));
        // The first of equally close candidates wins.
        assert_eq!(closest("ab", &["abc", "abd"]), Some("abc"));
        assert_eq!(closest("x", &["x"]), None);
    }

    #[test]
    fn too_many_candidates_means_no_suggestion() {
        let many: Vec<String> = (0..750).map(|i| format!("name{i}")).collect();
        let refs: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
        assert_eq!(closest("name1x", &refs), None);
        assert_eq!(closest("name1x", &refs[..749]), Some("name1"));
    }
}
