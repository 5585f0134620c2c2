//! Well-known names, interned first so that each is a compile-time constant `Symbol`
//! (`sym::APPEND` and so on): method dispatch matches on them without touching the interner.

use crate::span::Symbol;

macro_rules! symbols {
    ($($id:ident = $s:expr,)*) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[repr(u32)]
        enum Idx { $($id,)* }
        /// The predefined names, in interning order.
        pub const PREDEFINED: &[&str] = &[$($s,)*];
        pub mod sym {
            use super::{Idx, Symbol};
            $(pub const $id: Symbol = Symbol(Idx::$id as u32);)*
        }
    };
}

symbols! {
    INIT = "__init__", NEW = "__new__", STR = "__str__", REPR = "__repr__", EQ = "__eq__", NE = "__ne__",
    LT = "__lt__", LE = "__le__", GT = "__gt__", GE = "__ge__", LEN = "__len__", BOOL = "__bool__",
    ITER = "__iter__", NEXT = "__next__", CALL = "__call__", GETITEM = "__getitem__",
    SETITEM = "__setitem__", DELITEM = "__delitem__", CONTAINS = "__contains__", HASH = "__hash__",
    AWAIT = "__await__", NAME = "__name__", QUALNAME = "__qualname__", CLASS = "__class__",
    DICT = "__dict__", DOC = "__doc__", MODULE = "__module__", CAUSE = "__cause__",
    CONTEXT = "__context__", ENTER = "__enter__", EXIT = "__exit__", BASES = "__bases__",
    ADD = "__add__", SUB = "__sub__", MUL = "__mul__", TRUEDIV = "__truediv__",
    FLOORDIV = "__floordiv__", MOD = "__mod__", POW = "__pow__", MATMUL = "__matmul__",
    LSHIFT = "__lshift__", RSHIFT = "__rshift__", AND = "__and__", OR = "__or__", XOR = "__xor__",
    RADD = "__radd__", RSUB = "__rsub__", RMUL = "__rmul__", RTRUEDIV = "__rtruediv__",
    RFLOORDIV = "__rfloordiv__", RMOD = "__rmod__", RPOW = "__rpow__", RMATMUL = "__rmatmul__",
    RLSHIFT = "__rlshift__", RRSHIFT = "__rrshift__", RAND = "__rand__", ROR = "__ror__",
    RXOR = "__rxor__", NEG = "__neg__", POS = "__pos__", INVERT = "__invert__", ABS = "__abs__",
    FORMAT = "__format__", INT = "__int__", FLOAT = "__float__", INDEX = "__index__",
    GETATTR = "__getattr__", SETATTR = "__setattr__", DELATTR = "__delattr__",
    GETATTRIBUTE = "__getattribute__", DGET = "__get__", DSET = "__set__", DDELETE = "__delete__",
    SET_NAME = "__set_name__", SUPPRESS_CONTEXT = "__suppress_context__", TRACEBACK = "__traceback__",
    ERRNO = "errno", STRERROR = "strerror", FILENAME = "filename", FILENAME2 = "filename2", INIT_SUBCLASS = "__init_subclass__", MRO = "__mro__",
    ANNOTATIONS = "__annotations__", CLASS_GETITEM = "__class_getitem__",
    FGET = "fget", FSET = "fset", FDEL = "fdel", SETTER = "setter", GETTER = "getter",
    DELETER = "deleter", AITER = "__aiter__", ANEXT = "__anext__", AENTER = "__aenter__",
    AEXIT = "__aexit__", DEL = "__del__", LOCALS = "locals", VARS = "vars", DIR = "dir", DEFAULTS = "__defaults__", KWDEFAULTS = "__kwdefaults__",
    CODE = "__code__", CO_NAME = "co_name", CO_QUALNAME = "co_qualname", CO_FILENAME = "co_filename",
    CO_FIRSTLINENO = "co_firstlineno", CO_ARGCOUNT = "co_argcount", CO_VARNAMES = "co_varnames",
    F_LINENO = "f_lineno", F_CODE = "f_code", GI_RUNNING = "gi_running", GI_FRAME = "gi_frame",
    GI_YIELDFROM = "gi_yieldfrom", GI_CODE = "gi_code", CR_RUNNING = "cr_running", CR_FRAME = "cr_frame",
    CR_AWAIT = "cr_await", CR_CODE = "cr_code", AG_RUNNING = "ag_running", AG_FRAME = "ag_frame",
    AG_AWAIT = "ag_await", AG_CODE = "ag_code", DOC_KW = "doc", MISSING = "__missing__", K = "k", WEIGHTS = "weights", CUM_WEIGHTS = "cum_weights", ASEND = "asend", ATHROW = "athrow", ACLOSE = "aclose", FUNC = "__func__", SELF_D = "__self__", WRAPPED = "__wrapped__",
    ARGS = "args", VALUE = "value", SELF = "self", MAIN = "__main__", LAMBDA = "<lambda>",
    MODULE_NAME = "<module>", SUPER = "super", NONE = "None", RANGE = "range",
    // str
    UPPER = "upper", LOWER = "lower", SPLIT = "split", RSPLIT = "rsplit", JOIN = "join",
    STRIP = "strip", LSTRIP = "lstrip", RSTRIP = "rstrip", STARTSWITH = "startswith",
    ENDSWITH = "endswith", FIND = "find", RFIND = "rfind", INDEX_M = "index", RINDEX = "rindex",
    COUNT = "count", REPLACE = "replace", FORMAT_M = "format", ISDIGIT = "isdigit",
    ISALPHA = "isalpha", ISALNUM = "isalnum", ISSPACE = "isspace", ISUPPER = "isupper",
    ISLOWER = "islower", ISNUMERIC = "isnumeric", ISDECIMAL = "isdecimal", ISIDENTIFIER = "isidentifier",
    ISASCII = "isascii", ISTITLE = "istitle", ISPRINTABLE = "isprintable",
    FORMAT_MAP = "format_map", KEEPENDS = "keepends", TABSIZE = "tabsize",
    CAPITALIZE = "capitalize", TITLE = "title", SWAPCASE = "swapcase", ZFILL = "zfill",
    CENTER = "center", LJUST = "ljust", RJUST = "rjust", PARTITION = "partition",
    RPARTITION = "rpartition", SPLITLINES = "splitlines", ENCODE = "encode", CASEFOLD = "casefold",
    EXPANDTABS = "expandtabs", MAKETRANS = "maketrans", TRANSLATE = "translate", REMOVEPREFIX = "removeprefix", REMOVESUFFIX = "removesuffix",
    // list
    APPEND = "append", EXTEND = "extend", INSERT = "insert", POP = "pop", REMOVE = "remove",
    SORT = "sort", REVERSE = "reverse", COPY = "copy", CLEAR = "clear",
    // dict
    GET = "get", KEYS = "keys", VALUES = "values", ITEMS = "items", POPITEM = "popitem",
    SETDEFAULT = "setdefault", UPDATE = "update", FROMKEYS = "fromkeys",
    // set
    ADD_M = "add", DISCARD = "discard", UNION = "union", INTERSECTION = "intersection",
    DIFFERENCE = "difference", SYMMETRIC_DIFFERENCE = "symmetric_difference",
    ISSUBSET = "issubset", ISSUPERSET = "issuperset", ISDISJOINT = "isdisjoint",
    INTERSECTION_UPDATE = "intersection_update", DIFFERENCE_UPDATE = "difference_update",
    SYMMETRIC_DIFFERENCE_UPDATE = "symmetric_difference_update",
    // generators, coroutines
    SEND = "send", THROW = "throw", CLOSE = "close",
    // deque, queue
    APPENDLEFT = "appendleft", POPLEFT = "popleft", EXTENDLEFT = "extendleft", MAXLEN = "maxlen",
    ROTATE = "rotate", PUT = "put", PUT_NOWAIT = "put_nowait", GET_NOWAIT = "get_nowait",
    QSIZE = "qsize", EMPTY = "empty", FULL = "full",
    // scheduler objects
    CANCEL = "cancel", DONE = "done", RESULT = "result", CANCELLED = "cancelled",
    SET = "set", IS_SET = "is_set", WAIT = "wait",
    // numbers
    REAL = "real", IMAG = "imag", CONJUGATE = "conjugate", IS_INTEGER = "is_integer",
    BIT_LENGTH = "bit_length", AS_INTEGER_RATIO = "as_integer_ratio",
    // keyword arguments of builtins
    SEP = "sep", END = "end", FILE = "file", FLUSH = "flush", KEY = "key", DEFAULT = "default",
    START = "start", STEP = "step", STOP = "stop", BASE = "base", NDIGITS = "ndigits",
    NAME_KW = "name", DELAY = "delay", MAXSIZE = "maxsize", BLOCK = "block", TIMEOUT = "timeout",
    ITERABLE = "iterable", MAXSPLIT = "maxsplit", STRICT = "strict",
    // sys.stdout and sys.stderr
    WRITE = "write",
    // numbers
    BIT_COUNT = "bit_count", HEX_M = "hex", NUMERATOR = "numerator", DENOMINATOR = "denominator",
}

/// Interns the predefined names in order; called once when the interner is created.
pub fn predefine(intern: &mut dyn FnMut(&str) -> Symbol) {
    for (i, name) in PREDEFINED.iter().enumerate() {
        let s = intern(name);
        debug_assert_eq!(s.0 as usize, i);
    }
}

/// A private name as class `class` stores it (CPython's mangling): `__x` is `_C__x` in class
/// `C` (or `_C`, `__C`); `None` for a name that is not private (a dunder, one without two
/// leading underscores, a dotted import path) or a class named only with underscores.
pub fn mangled(class: &str, name: &str) -> Option<String> {
    if !name.starts_with("__") || name.ends_with("__") || name.contains('.') {
        return None;
    }
    let class = class.trim_start_matches('_');
    (!class.is_empty()).then(|| format!("_{}{}", class, name))
}

/// The features `from __future__ import` may name, Python 3.11's: the resolver refuses any
/// other, and the `__future__` module has each. All behave so in tinyasync already
/// (annotations, for one, are never evaluated).
pub const FUTURE_FEATURES: &[&str] = &[
    "nested_scopes",
    "generators",
    "division",
    "absolute_import",
    "with_statement",
    "print_function",
    "unicode_literals",
    "barry_as_FLUFL",
    "generator_stop",
    "annotations",
];
