//! Text conversion: `repr`, `str`, format specs (f-strings, `format`, `str.format`) and
//! `%`-formatting, all matching CPython's output.

use crate::interp::*;
use crate::names::sym;
use crate::span::Symbol;
use crate::value::*;
use num_bigint::BigInt;
use std::rc::Rc;

impl Interp {
    /// `repr(v)`.
    pub fn repr(&mut self, v: &Value) -> R<String> {
        Ok(match v {
            Value::None => "None".into(),
            Value::Bool(b) => if *b { "True" } else { "False" }.into(),
            Value::Int(i) => itoa::Buffer::new().format(*i).to_string(),
            Value::BigInt(b) => big_to_string(b)?,
            Value::Float(f) => float_repr(*f),
            Value::Str(s) => repr_str(&s.s),
            Value::List(l) => {
                let items = l.borrow().clone();
                return self.repr_seq(v, "[", &items, "]");
            }
            Value::Tuple(t) => {
                if t.len() == 1 {
                    return Ok(format!("({},)", self.repr(&t[0])?));
                }
                return self.repr_seq(v, "(", t, ")");
            }
            Value::Dict(d) => {
                if self.repr_stack.contains(&v.address()) {
                    return Ok("{...}".into());
                }
                let entries: Vec<(Value, Value)> =
                    d.borrow().iter().map(|e| (e.key.clone(), e.value.clone())).collect();
                self.enter_repr(v)?;
                let mut parts = Vec::with_capacity(entries.len());
                let r = (|| {
                    for (k, x) in &entries {
                        parts.push(format!("{}: {}", self.repr(k)?, self.repr(x)?));
                    }
                    Ok(())
                })();
                self.leave_repr();
                r?;
                format!("{{{}}}", parts.join(", "))
            }
            Value::Set(d) => {
                let (keys, frozen) = (d.borrow().keys(), d.borrow().frozen);
                return match (keys.is_empty(), frozen) {
                    (true, false) => Ok("set()".into()),
                    (true, true) => Ok("frozenset()".into()),
                    (false, false) => self.repr_seq(v, "{", &keys, "}"),
                    (false, true) => Ok(format!("frozenset({})", self.repr_seq(v, "{", &keys, "}")?)),
                };
            }
            Value::Range(r) => {
                if r.step == 1 {
                    format!("range({}, {})", r.start, r.stop)
                } else {
                    format!("range({}, {}, {})", r.start, r.stop, r.step)
                }
            }
            Value::Slice(s) => {
                format!("slice({}, {}, {})", self.repr(&s[0])?, self.repr(&s[1])?, self.repr(&s[2])?)
            }
            Value::Func(f) => format!("<function {} at {:#x}>", f.code.qualname, v.address()),
            Value::Builtin(b) => {
                if let Some(c) = &b.unbound {
                    format!("<method '{}' of '{}' objects>", b.name, c.name)
                } else if b.is_method && !b.this.is_none() {
                    format!(
                        "<built-in method {} of {} object at {:#x}>",
                        b.name,
                        self.type_name(&b.this),
                        b.this.address()
                    )
                } else {
                    format!("<built-in function {}>", b.name)
                }
            }
            Value::Method(m) => {
                let name = match &m.1 {
                    Value::Func(f) => f.code.qualname.to_string(),
                    _ => "?".into(),
                };
                format!("<bound method {} of {}>", name, self.repr(&m.0)?)
            }
            Value::Class(c) => {
                if c.tag == TypeTag::User && !self.is_builtin_class(c) {
                    format!("<class '{}.{}'>", module_of(c), c.name)
                } else {
                    match c.native_module() {
                        "builtins" => format!("<class '{}'>", c.name),
                        m => format!("<class '{}.{}'>", m, c.name),
                    }
                }
            }
            Value::Instance(inst) => {
                if inst.class.lookup(sym::REPR).is_some() {
                    return self.text_dunder(v, sym::REPR);
                }
                if inst.class.is_exception {
                    return self.exc_repr(v);
                }
                if let Some(b) = inst.base.as_deref() {
                    let b = b.clone();
                    // A set's repr names a subclass (`S({1})`, `S()`); a list's or dict's not.
                    if let Value::Set(d) = &b {
                        let name = inst.class.name;
                        if d.borrow().keys().is_empty() {
                            return Ok(format!("{}()", name));
                        }
                        let keys = d.borrow().keys();
                        return Ok(format!("{}({})", name, self.repr_seq(&b, "{", &keys, "}")?));
                    }
                    return self.repr(&b);
                }
                self.object_repr(v)
            }
            Value::Gen(g) => format!(
                "<{} object {} at {:#x}>",
                if g.is_async_gen {
                    "async_generator"
                } else if g.is_coroutine {
                    "coroutine"
                } else {
                    "generator"
                },
                g.qualname(),
                v.address()
            ),
            Value::Module(m) => format!("<module '{}' (built-in)>", m.name),
            Value::Iter(_) => format!("<iterator object at {:#x}>", v.address()),
            Value::Native(n) => match &**n {
                Native::Deque { items, maxlen } => {
                    let items: Vec<Value> = items.borrow().iter().cloned().collect();
                    let inner = self.repr_seq(v, "[", &items, "]")?;
                    match maxlen {
                        Some(m) => format!("deque({}, maxlen={})", inner, m),
                        None => format!("deque({})", inner),
                    }
                }
                Native::DictView { d, kind } => {
                    let (name, items): (&str, Vec<Value>) = match kind {
                        0 => ("dict_keys", d.borrow().keys()),
                        1 => ("dict_values", d.borrow().iter().map(|e| e.value.clone()).collect()),
                        _ => (
                            "dict_items",
                            d.borrow()
                                .iter()
                                .map(|e| Value::tuple(vec![e.key.clone(), e.value.clone()]))
                                .collect(),
                        ),
                    };
                    format!("{}({})", name, self.repr_seq(v, "[", &items, "]")?)
                }
                Native::NotImplemented => "NotImplemented".into(),
                Native::Ellipsis => "Ellipsis".into(),
                Native::Super { .. } => "<super object>".into(),
                Native::Property { .. } => format!("<property object at {:#x}>", v.address()),
                Native::StaticMethod(f) => format!("<staticmethod({})>", self.repr(f)?),
                Native::ClassMethod(f) => format!("<classmethod({})>", self.repr(f)?),
                Native::AsyncGenOp { .. }
                | Native::AsyncGenValue(_)
                | Native::ANextDefault { .. }
                | Native::AwaitTranslate { .. } => {
                    format!("<async_generator_asend object at {:#x}>", v.address())
                }
                Native::Random(_) => format!("<random.Random object at {:#x}>", v.address()),
                Native::CoroWrapper(_) => format!("<coroutine_wrapper object at {:#x}>", v.address()),
                // `int | __main__.K | None`: a built-in class by its name, any other by its
                // module's too.
                Native::UnionType(args) => {
                    let args = match args {
                        Value::Tuple(t) => t.to_vec(),
                        _ => Vec::new(),
                    };
                    let parts: Vec<String> = args
                        .iter()
                        .map(|a| match a {
                            Value::Class(c) if c.tag == TypeTag::NoneType => "None".to_string(),
                            Value::Class(c) if c.tag == TypeTag::User && !self.is_builtin_class(c) => {
                                format!("{}.{}", module_of(c), c.name)
                            }
                            Value::Class(c) => c.name.as_str().to_string(),
                            _ => "?".to_string(),
                        })
                        .collect();
                    parts.join(" | ")
                }
                Native::AttrDict(_) => {
                    let s = self.attr_dict_snapshot(v)?;
                    self.repr(&s)?
                }
                Native::CodeObj(c) => format!(
                    "<code object {} at {:#x}, file \"{}\", line {}>",
                    c.name,
                    v.address(),
                    self.file_name(),
                    self.line_number(c.span)
                ),
                Native::FrameObj { code, line } => format!(
                    "<frame at {:#x}, file '{}', line {}, code {}>",
                    v.address(),
                    self.file_name(),
                    line,
                    code.name
                ),
                Native::Namespace(attrs) => {
                    if self.repr_stack.contains(&v.address()) {
                        return Ok("namespace(...)".into());
                    }
                    let items: Vec<(crate::span::Symbol, Value)> =
                        attrs.borrow().iter().map(|(k, v)| (*k, v.clone())).collect();
                    self.enter_repr(v)?;
                    let mut parts = Vec::with_capacity(items.len());
                    for (k, x) in items {
                        match self.repr(&x) {
                            Ok(r) => parts.push(format!("{}={}", k, r)),
                            Err(e) => {
                                self.leave_repr();
                                return Err(e);
                            }
                        }
                    }
                    self.leave_repr();
                    format!("namespace({})", parts.join(", "))
                }
                Native::Stream { err } => format!(
                    "<_io.TextIOWrapper name='<{}>' mode='w' encoding='utf-8'>",
                    if *err { "stderr" } else { "stdout" }
                ),
                Native::Sched(s) => crate::scheduler::repr(s),
            },
            Value::Unbound => "<unbound>".into(),
        })
    }

    /// Refuses widths and precisions that would build enormous strings (CPython raises
    /// MemoryError or "precision too big"; here it is also bounded by `--max-memory`).
    fn check_format_size(&mut self, width: usize, precision: Option<usize>) -> R<()> {
        if precision.is_some_and(|p| p > 10_000) {
            return Err(value_error("precision too big"));
        }
        if width > 1 << 28 {
            return Err(exc(&self.t.exception, "MemoryError: format width too large"));
        }
        self.charge_memory(width)
    }

    fn is_builtin_class(&self, c: &Rc<Class>) -> bool {
        c.is_exception
            && self.builtins.get(&c.name).is_some_and(|v| matches!(v, Value::Class(k) if Rc::ptr_eq(k, c)))
    }

    fn enter_repr(&mut self, v: &Value) -> R<()> {
        self.depth += 1;
        self.repr_stack.push(v.address());
        if self.depth > self.opts.max_depth {
            self.depth -= 1;
            self.repr_stack.pop();
            return Err(recursion_error(
                "maximum recursion depth exceeded while getting the repr of an object",
            ));
        }
        Ok(())
    }
    fn leave_repr(&mut self) {
        self.depth -= 1;
        self.repr_stack.pop();
    }

    fn repr_seq(&mut self, whole: &Value, open: &str, items: &[Value], close: &str) -> R<String> {
        if self.repr_stack.contains(&whole.address()) {
            return Ok(format!("{}...{}", open, close));
        }
        self.enter_repr(whole)?;
        let mut s = String::from(open);
        let mut r = Ok(());
        for (i, it) in items.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            match self.repr(it) {
                Ok(t) => s.push_str(&t),
                Err(e) => {
                    r = Err(e);
                    break;
                }
            }
        }
        self.leave_repr();
        r?;
        s.push_str(close);
        Ok(s)
    }

    /// The args tuple of an exception instance.
    pub fn exc_args(&self, v: &Value) -> Vec<Value> {
        if let Value::Instance(i) = v {
            if let Some(Value::Tuple(t)) = i.attrs.borrow().get(&sym::ARGS) {
                return t.to_vec();
            }
        }
        Vec::new()
    }

    /// Calls `__repr__` or `__str__` (counted against the depth limit); it must return a str.
    fn text_dunder(&mut self, v: &Value, name: crate::span::Symbol) -> R<String> {
        self.depth += 1;
        let r = self.check_depth().and_then(|_| self.call_method(v, name, &[], &[]));
        self.depth -= 1;
        match r? {
            Value::Str(s) => Ok(s.s.clone()),
            other => {
                Err(type_error(format!("{} returned non-string (type {})", name, self.type_name(&other))))
            }
        }
    }

    /// `str(v)`.
    pub fn to_str(&mut self, v: &Value) -> R<String> {
        match v {
            Value::Str(s) => Ok(s.s.clone()),
            Value::Instance(inst) => {
                if inst.class.lookup(sym::STR).is_some() {
                    return self.text_dunder(v, sym::STR);
                }
                if inst.class.is_exception && inst.class.lookup(sym::REPR).is_none() {
                    return self.exc_str(v);
                }
                if let (Some(b), None) = (inst.base.as_deref(), inst.class.lookup(sym::REPR)) {
                    if matches!(b, Value::Set(_)) {
                        // A set's str is its repr, which names the subclass.
                        return self.repr(v);
                    }
                    let b = b.clone();
                    return self.to_str(&b);
                }
                self.repr(v)
            }
            _ => self.repr(v),
        }
    }

    /// `BaseException.__str__`: nothing, the one argument's str, or the arguments' tuple.
    pub fn exc_str(&mut self, v: &Value) -> R<String> {
        let args = self.exc_args(v);
        // OSError(errno, strerror[, filename]): `[Errno 2] No such file: 'f'`.
        if let (Value::Instance(i), [Value::Int(errno), strerror]) = (v, args.as_slice()) {
            if i.class.is_subclass(&self.t.os_error) {
                let head = format!("[Errno {}] {}", errno, self.to_str(strerror)?);
                let (f, f2) = {
                    let attrs = i.attrs.borrow();
                    (attrs.get(&sym::FILENAME).cloned(), attrs.get(&sym::FILENAME2).cloned())
                };
                return Ok(match (f, f2) {
                    (Some(f), Some(f2)) if !f2.is_none() => {
                        format!("{}: {} -> {}", head, self.repr(&f)?, self.repr(&f2)?)
                    }
                    (Some(f), _) if !f.is_none() => format!("{}: {}", head, self.repr(&f)?),
                    _ => head,
                });
            }
        }
        match args.len() {
            0 => Ok(String::new()),
            1 => {
                if matches!(v, Value::Instance(i) if i.class.is_subclass(&self.t.key_error)) {
                    self.repr(&args[0])
                } else {
                    self.to_str(&args[0])
                }
            }
            _ => self.repr(&Value::tuple(args)),
        }
    }

    /// `BaseException.__repr__`: the class name and the arguments.
    pub fn exc_repr(&mut self, v: &Value) -> R<String> {
        let args = self.exc_args(v);
        let name = match v {
            Value::Instance(i) => i.class.name,
            _ => Symbol::intern("BaseException"),
        };
        if args.len() == 1 {
            return Ok(format!("{}({})", name, self.repr(&args[0])?));
        }
        let inner = self.repr(&Value::tuple(args))?;
        Ok(format!("{}{}", name, if inner == "()" { "()".to_string() } else { inner }))
    }

    /// `object.__repr__`: the class name and the address.
    pub fn object_repr(&self, v: &Value) -> String {
        let module = match v {
            Value::Instance(i) => module_of(&i.class),
            _ => "__main__".to_string(),
        };
        format!("<{}.{} object at {:#x}>", module, self.type_name(v), v.address())
    }

    /// `format(v, spec)`.
    pub fn format_value(&mut self, v: &Value, spec: &str) -> R<String> {
        self.format_value_as(v, spec, None)
    }

    /// `format_value`; `shown`: the type its errors name (a subclass of a built-in type
    /// formats as its value does, but an error names the subclass, as in CPython).
    fn format_value_as(&mut self, v: &Value, spec: &str, shown: Option<&str>) -> R<String> {
        // A class's own `__format__` is called with an empty spec too (`f"{obj}"`).
        if spec.is_empty() && !(matches!(v, Value::Instance(_)) && self.has_method(v, sym::FORMAT)) {
            return self.to_str(v);
        }
        if let Value::Instance(i) = v {
            if self.has_method(v, sym::FORMAT) {
                return match self.call_method(v, sym::FORMAT, &[Value::str(spec)], &[])? {
                    Value::Str(s) => Ok(s.s.to_string()),
                    other => Err(type_error(format!(
                        "__format__ must return a str, not {}",
                        self.type_name(&other)
                    ))),
                };
            }
            // A subclass of a built-in type formats as its value does (`int.__format__`).
            if let Some(base @ (Value::Int(_) | Value::BigInt(_) | Value::Float(_) | Value::Str(_))) =
                i.base.as_deref()
            {
                let base = base.clone();
                let shown = self.type_name(v);
                return self.format_value_as(&base, spec, Some(&shown));
            }
            return Err(type_error(format!(
                "unsupported format string passed to {}.__format__",
                self.type_name(v)
            )));
        }
        let tname = match shown {
            Some(t) => t.to_string(),
            None => self.type_name(v),
        };
        let sp = parse_spec(spec).ok_or_else(|| {
            value_error(format!("Invalid format specifier '{}' for object of type '{}'", spec, tname))
        })?;
        self.check_format_size(sp.width, sp.precision)?;
        match v {
            Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => {
                if matches!(sp.ty, Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%'))
                    || (sp.ty == Some('n') && matches!(v, Value::Float(_)))
                {
                    let f = crate::interp::ops::to_f64(v).unwrap_or(0.0);
                    return self.format_float(f, &sp, &tname);
                }
                if sp.precision.is_some()
                    && matches!(sp.ty, None | Some('d' | 'n' | 'x' | 'X' | 'o' | 'b' | 'c'))
                {
                    return Err(value_error("Precision not allowed in integer format specifier"));
                }
                let b = match v {
                    Value::Int(i) => BigInt::from(*i),
                    Value::Bool(x) => BigInt::from(*x as i64),
                    Value::BigInt(b) => (**b).clone(),
                    _ => BigInt::from(0),
                };
                format_int(&b, &sp).ok_or_else(|| {
                    value_error(format!(
                        "Unknown format code '{}' for object of type '{}'",
                        sp.ty.unwrap_or('?'),
                        tname
                    ))
                })
            }
            Value::Float(f) => self.format_float(*f, &sp, &tname),
            Value::Str(s) => {
                if !matches!(sp.ty, None | Some('s')) {
                    return Err(value_error(format!(
                        "Unknown format code '{}' for object of type '{}'",
                        sp.ty.unwrap_or('?'),
                        tname
                    )));
                }
                let mut text: String = s.s.clone();
                if let Some(p) = sp.precision {
                    text = text.chars().take(p).collect();
                }
                Ok(pad(&text, &sp, '<'))
            }
            // `object.__format__`: the value's `str` for an empty spec (above), else an
            // error, whatever the spec (`f"{[1]:>5}"` too).
            _ => Err(type_error(format!("unsupported format string passed to {}.__format__", tname))),
        }
    }

    fn format_float(&mut self, f: f64, sp: &Spec, tname: &str) -> R<String> {
        // `#` (the alternate form) keeps the decimal point when no digit follows it
        // (`format(2.0, "#.0f")` is `2.`), and `g`'s trailing zeros.
        let point = |s: String| if sp.alt { with_point(s) } else { s };
        let body = match sp.ty {
            Some('f') | Some('F') => point(fmt_fixed(f, sp.precision.unwrap_or(6))),
            Some('e') | Some('E') => point(fmt_exp(f, sp.precision.unwrap_or(6))),
            // `n` is `g` with the locale's separators, and tinyasync's locale is C.
            Some('g') | Some('G') | Some('n') => point(fmt_general(f, sp.precision.unwrap_or(6), sp.alt)),
            Some('%') => {
                let s = point(fmt_fixed(f * 100.0, sp.precision.unwrap_or(6)));
                format!("{}%", s)
            }
            None => match sp.precision {
                Some(p) => fmt_general_dot0(f, p, sp.alt),
                None => point(float_repr(f)),
            },
            Some(c) => {
                return Err(value_error(format!(
                    "Unknown format code '{}' for object of type '{}'",
                    c, tname
                )));
            }
        };
        let body =
            if matches!(sp.ty, Some('E') | Some('G') | Some('F')) { body.to_uppercase() } else { body };
        Ok(finish_number(&body, sp))
    }

    /// The float `%f`, `%e` and `%g` format, as CPython's `PyFloat_AsDouble` finds it: a
    /// float's own value (a subclass's too), else what `__float__` returns (an int subclass may
    /// override it), else an int's value, else what `__index__` returns. An int past the
    /// largest float is an OverflowError, as in `float(10**400)`.
    fn percent_float(&mut self, arg: &Value) -> R<f64> {
        let own = match arg {
            Value::Instance(i) => i.base.as_deref(),
            v => Some(v),
        };
        if let Some(Value::Float(f)) = own {
            return Ok(*f);
        }
        if let Value::Instance(i) = arg {
            if i.class.lookup(sym::FLOAT).is_some() {
                let r = self.call_method(arg, sym::FLOAT, &[], &[])?;
                let f = match &r {
                    Value::Float(f) => Some(*f),
                    Value::Instance(i) => match i.base.as_deref() {
                        Some(Value::Float(f)) => Some(*f),
                        _ => None,
                    },
                    _ => None,
                };
                return f.ok_or_else(|| {
                    type_error(format!(
                        "{}.__float__ returned non-float (type {})",
                        self.type_name(arg),
                        self.type_name(&r)
                    ))
                });
            }
        }
        let int = match own {
            Some(v @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_))) => v.clone(),
            _ => match self.user_index(arg)? {
                Some(i) => i,
                None => return Err(type_error(format!("must be real number, not {}", self.type_name(arg)))),
            },
        };
        match crate::interp::ops::to_f64(&int) {
            Some(f) if f.is_finite() => Ok(f),
            _ => Err(overflow_error("int too large to convert to float")),
        }
    }

    /// The int `%d` formats an instance as, as CPython's `PyNumber_Long` finds it: what
    /// `__int__` returns, else a float subclass's value truncated, else what `__index__`
    /// returns. None: none of those. (An instance of a subclass of int never comes here: its
    /// own value is taken, as CPython takes it.)
    fn percent_long(&mut self, arg: &Value) -> R<Option<Value>> {
        let Value::Instance(i) = arg else { return Ok(None) };
        if i.class.lookup(sym::INT).is_some() {
            let r = self.call_method(arg, sym::INT, &[], &[])?;
            return match &r {
                Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => Ok(Some(r.clone())),
                Value::Instance(x)
                    if matches!(
                        x.base.as_deref(),
                        Some(Value::Int(_) | Value::BigInt(_) | Value::Bool(_))
                    ) =>
                {
                    Ok(x.base.as_deref().cloned())
                }
                _ => Err(type_error(format!("__int__ returned non-int (type {})", self.type_name(&r)))),
            };
        }
        if let Some(Value::Float(f)) = i.base.as_deref() {
            use num_traits::FromPrimitive;
            if f.is_nan() {
                return Err(value_error("cannot convert float NaN to integer"));
            }
            return match BigInt::from_f64(f.trunc()) {
                Some(b) => Ok(Some(Value::from_bigint(b))),
                None => Err(overflow_error("cannot convert float infinity to integer")),
            };
        }
        self.user_index(arg)
    }

    /// `%`-formatting: `"%s and %d" % (a, b)`.
    pub fn percent_format(&mut self, fmt: &str, args: &Value) -> R<String> {
        // A tuple, or an instance of a subclass of tuple, is the arguments; anything else is
        // the one argument.
        let mut items: Vec<Value> = match args {
            Value::Tuple(t) => t.to_vec(),
            Value::Instance(i) => match i.base.as_deref() {
                Some(Value::Tuple(t)) => t.to_vec(),
                _ => vec![args.clone()],
            },
            other => vec![other.clone()],
        };
        let args_tuple = matches!(args, Value::Tuple(_))
            || matches!(args, Value::Instance(i) if matches!(i.base.as_deref(), Some(Value::Tuple(_))));
        let mapping = match args {
            Value::Dict(d) => Some(d.clone()),
            _ => None,
        };
        let mut out = String::new();
        let mut idx = 0;
        let chars: Vec<char> = fmt.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c != '%' {
                out.push(c);
                i += 1;
                continue;
            }
            i += 1;
            // `%%` is a `%` only as those two characters: a `%` with anything between (`%5%`)
            // is a conversion, which takes an argument and is then refused, as in CPython.
            if chars.get(i) == Some(&'%') {
                out.push('%');
                i += 1;
                continue;
            }
            let mut key: Option<String> = None;
            if chars.get(i) == Some(&'(') {
                // The key runs to the matching parenthesis (`%((a))s` is the key `(a)`).
                let Some(close) = matching_close(&chars, i, '(', ')') else {
                    return Err(value_error("incomplete format key"));
                };
                key = Some(chars[i + 1..close].iter().collect());
                i = close + 1;
            }
            // A key is looked up at once (before a `*` width is taken), and its value becomes
            // the one argument the rest of this specifier takes, as in CPython: after it, a
            // specifier without a key finds nothing left (`'%(a)s %s' % d` is "not enough
            // arguments"), and a `*` width takes the value itself.
            if let Some(k) = &key {
                items = vec![self.percent_key(args, mapping.as_ref(), k)?];
                idx = 0;
            }
            let mut flags = String::new();
            while let Some(&f) = chars.get(i) {
                if "-+ 0#".contains(f) {
                    flags.push(f);
                    i += 1;
                } else {
                    break;
                }
            }
            // `*`: the width (or precision) is the next argument.
            let star_arg = |items: &[Value], idx: &mut usize, it: &mut Self| -> R<i64> {
                let Some(a) = items.get(*idx).cloned() else {
                    return Err(type_error("not enough arguments for format string"));
                };
                *idx += 1;
                // An int, a bool or an instance of a subclass of int (PyLong_Check).
                match &a {
                    Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => it.index_of(&a),
                    Value::Instance(i)
                        if matches!(i.base.as_deref(), Some(Value::Int(_) | Value::BigInt(_))) =>
                    {
                        it.index_of(&a)
                    }
                    _ => Err(type_error("* wants int")),
                }
            };
            let width = if chars.get(i) == Some(&'*') {
                i += 1;
                let w = star_arg(&items, &mut idx, self)?;
                if w < 0 {
                    flags.push('-');
                }
                w.unsigned_abs().to_string()
            } else {
                take_digits(&chars, &mut i)
            };
            let mut precision: Option<usize> = None;
            if chars.get(i) == Some(&'.') {
                i += 1;
                if chars.get(i) == Some(&'*') {
                    i += 1;
                    precision = Some(star_arg(&items, &mut idx, self)?.max(0) as usize);
                } else {
                    // (`%.d`: no digits is a precision of 0.)
                    let p = take_digits(&chars, &mut i);
                    precision = Some(if p.is_empty() { 0 } else { p.parse().unwrap_or(usize::MAX) });
                }
            }
            // A length modifier (`%ld`, `%hd`, `%Lf`), C's, means nothing: one is skipped.
            if matches!(chars.get(i), Some('h' | 'l' | 'L')) {
                i += 1;
            }
            let Some(&conv) = chars.get(i) else { return Err(value_error("incomplete format")) };
            i += 1;
            let Some(arg) = items.get(idx).cloned() else {
                return Err(type_error("not enough arguments for format string"));
            };
            idx += 1;
            if conv == '%' {
                return Err(value_error(format!(
                    "unsupported format character '%' (0x25) at index {}",
                    i - 1
                )));
            }
            // A format spec in its grammar's order: align, sign, `#`, then `0` (`%+05d` is
            // `+05d`).
            let mut spec = String::new();
            if flags.contains('-') {
                spec.push('<');
            }
            if flags.contains('+') {
                spec.push('+');
            } else if flags.contains(' ') {
                spec.push(' ');
            }
            if flags.contains('#') {
                spec.push('#');
            }
            if !flags.contains('-') && flags.contains('0') && conv != 's' && conv != 'r' {
                spec.push('0');
            }
            let text = match conv {
                's' | 'r' | 'a' => {
                    let mut s = match conv {
                        's' => self.to_str(&arg)?,
                        'a' => self.ascii(&arg)?,
                        _ => self.repr(&arg)?,
                    };
                    if let Some(p) = precision {
                        s = s.chars().take(p).collect();
                    }
                    let w: usize = if width.is_empty() { 0 } else { width.parse().unwrap_or(usize::MAX) };
                    self.check_format_size(w, precision)?;
                    let n = s.chars().count();
                    if n < w {
                        if flags.contains('-') {
                            s.push_str(&" ".repeat(w - n));
                        } else {
                            s = format!("{}{}", " ".repeat(w - n), s);
                        }
                    }
                    s
                }
                // `%c` of a one-character string (or str subclass): the string.
                'c' if matches!(one_char_str(&arg), Some(1)) => {
                    // (The character itself, not a subclass's `__str__`.)
                    let mut s = match &arg {
                        Value::Instance(i) => {
                            i.base.as_deref().map_or(Ok(String::new()), |b| self.to_str(b))?
                        }
                        _ => self.to_str(&arg)?,
                    };
                    let w: usize = if width.is_empty() { 0 } else { width.parse().unwrap_or(usize::MAX) };
                    self.check_format_size(w, None)?;
                    if w > 1 {
                        s = if flags.contains('-') {
                            format!("{}{}", s, " ".repeat(w - 1))
                        } else {
                            format!("{}{}", " ".repeat(w - 1), s)
                        };
                    }
                    s
                }
                'c' if one_char_str(&arg).is_some() => return Err(type_error("%c requires int or char")),
                'd' | 'i' | 'u' | 'x' | 'X' | 'o' | 'c' => {
                    let num = match &arg {
                        Value::Float(_) if matches!(conv, 'x' | 'X' | 'o') => {
                            return Err(type_error(format!(
                                "%{conv} format: an integer is required, not float"
                            )));
                        }
                        Value::Float(_) if conv == 'c' => return Err(type_error("%c requires int or char")),
                        Value::Float(f) => {
                            use num_traits::FromPrimitive;
                            if f.is_nan() {
                                return Err(value_error("cannot convert float NaN to integer"));
                            }
                            match BigInt::from_f64(f.trunc()) {
                                Some(b) => Value::from_bigint(b),
                                None => {
                                    return Err(overflow_error("cannot convert float infinity to integer"))
                                }
                            }
                        }
                        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => arg.clone(),
                        // `%d` takes what `int()` would (`PyNumber_Long`: `__int__` before
                        // `__index__`); `%x`, `%o` and `%c` an index. A TypeError on the way
                        // is CPython's "a real number is required" (`mainformatlong`).
                        Value::Instance(i)
                            if matches!(conv, 'd' | 'i' | 'u')
                                && !matches!(
                                    i.base.as_deref(),
                                    Some(Value::Int(_) | Value::Bool(_) | Value::BigInt(_))
                                ) =>
                        {
                            match self.percent_long(&arg) {
                                Ok(Some(n)) => n,
                                Err(e) if !e.is_instance(&self.t.type_error) => return Err(e),
                                _ => {
                                    return Err(type_error(format!(
                                        "%{} format: a real number is required, not {}",
                                        conv,
                                        self.type_name(&arg)
                                    )))
                                }
                            }
                        }
                        // An instance standing for an int (`__index__`), or none.
                        _ => match self.user_index(&arg)? {
                            Some(i) => i,
                            None => {
                                let what = match conv {
                                    'c' => return Err(type_error("%c requires int or char")),
                                    'x' | 'X' | 'o' => "an integer",
                                    _ => "a real number",
                                };
                                return Err(type_error(format!(
                                    "%{} format: {} is required, not {}",
                                    conv,
                                    what,
                                    self.type_name(&arg)
                                )));
                            }
                        },
                    };
                    let w: usize = if width.is_empty() { 0 } else { width.parse().unwrap_or(usize::MAX) };
                    self.check_format_size(w, precision)?;
                    if conv == 'c' {
                        let code = crate::interp::ops::big(&num).unwrap_or_default();
                        if code.sign() == num_bigint::Sign::Minus || code >= BigInt::from(0x110000) {
                            return Err(overflow_error("%c arg not in range(0x110000)"));
                        }
                        // The character, padded as a string is (`%3c`: on the left).
                        let c = self.format_value(&num, "c")?;
                        let pad = " ".repeat(w.saturating_sub(1));
                        if flags.contains('-') {
                            c + &pad
                        } else {
                            pad + &c
                        }
                    } else {
                        percent_int(&num, conv, &flags, w, precision)
                    }
                }
                'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
                    let f = self.percent_float(&arg)?;
                    let p = precision.unwrap_or(6);
                    let s = format!("{}{}.{}{}", spec, width, p, conv);
                    self.format_value(&Value::Float(f), &s)?
                }
                other => {
                    // (CPython shows `?` for a character outside the printable ASCII range.)
                    let shown = if (' '..='~').contains(&other) { other } else { '?' };
                    return Err(value_error(format!(
                        "unsupported format character '{}' ({:#x}) at index {}",
                        shown,
                        other as u32,
                        i - 1
                    )));
                }
            };
            out.push_str(&text);
        }
        // What no specifier took is an error, a lone value included (`"abc" % 5`); a mapping
        // may hold keys the format never names, and so may any object CPython would look
        // keys up in: anything with `__getitem__` but a str (`"x" % []` is fine).
        let mapping_like = matches!(args, Value::Tuple(_) | Value::List(_) | Value::Range(_))
            // (A deque is a sequence, not a mapping: `"" % deque()` is an error.)
            || matches!(args, Value::Native(n) if matches!(**n, Native::AttrDict(_)))
            || match args {
                // (As for a key above: a subclass of dict or list is one, of str or tuple not.)
                Value::Instance(i) => match i.base.as_deref() {
                    Some(Value::Tuple(_) | Value::Str(_)) => false,
                    Some(Value::Dict(_) | Value::List(_)) => true,
                    _ => self.has_method(args, sym::GETITEM),
                },
                _ => false,
            };
        let lone_unused = !mapping_like && idx == 0;
        if mapping.is_none() && idx < items.len() && (args_tuple || lone_unused) {
            return Err(type_error("not all arguments converted during string formatting"));
        }
        Ok(out)
    }

    /// The value of a `%(key)` specifier: looked up in a dict directly, in any other object
    /// with `__getitem__` (a dict subclass such as `Counter`, a list) with its own `[]`, as
    /// CPython does; a tuple or a plain value is no mapping.
    fn percent_key(
        &mut self,
        args: &Value,
        dict: Option<&Rc<std::cell::RefCell<crate::dict::Dict>>>,
        k: &str,
    ) -> R<Value> {
        if let Some(d) = dict {
            return match self.dict_get(d, &Value::str(k))? {
                Some(v) => Ok(v),
                None => Err(key_error(Value::str(k))),
            };
        }
        let mapping = match args {
            // (A subclass of tuple or str is no mapping, as in CPython.)
            Value::Instance(i) => match i.base.as_deref() {
                Some(Value::Tuple(_) | Value::Str(_)) => false,
                Some(Value::Dict(_) | Value::List(_)) => true,
                _ => self.has_method(args, sym::GETITEM),
            },
            Value::List(_) | Value::Range(_) => true,
            // (`vars(o)`; a deque has no `__getitem__` for keys: no mapping.)
            Value::Native(n) => matches!(**n, Native::AttrDict(_)),
            _ => false,
        };
        if !mapping {
            return Err(type_error("format requires a mapping"));
        }
        self.getitem(args, &Value::str(k))
    }
}

/// The run of ASCII digits at `*i` (possibly empty), moving `*i` past it.
fn take_digits(chars: &[char], i: &mut usize) -> String {
    let start = *i;
    while chars.get(*i).is_some_and(|c| c.is_ascii_digit()) {
        *i += 1;
    }
    chars[start..*i].iter().collect()
}

thread_local! {
    /// `sys.set_int_max_str_digits`: the most digits an int may have in a decimal string
    /// (0: no limit). CPython's default, 4300, guards against quadratic conversions.
    pub static INT_MAX_STR_DIGITS: std::cell::Cell<usize> = const { std::cell::Cell::new(4300) };
}

/// The limit `sys.set_int_max_str_digits` set (0: none).
pub fn int_max_str_digits() -> usize {
    INT_MAX_STR_DIGITS.with(|c| c.get())
}

pub fn big_to_string(b: &BigInt) -> R<String> {
    let limit = int_max_str_digits();
    let too_many = || {
        value_error(format!(
            "Exceeds the limit ({} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit",
            limit
        ))
    };
    // Over 3.33 bits a digit: surely too many, without converting.
    if limit > 0 && b.bits() > (limit as u64) * 10 / 3 + 64 {
        return Err(too_many());
    }
    let s = b.to_string();
    if limit > 0 && s.trim_start_matches('-').len() > limit {
        return Err(too_many());
    }
    Ok(s)
}

/// A parsed format spec: `[[fill]align][sign][#][0][width][,|_][.precision][type]`.
pub struct Spec {
    pub fill: char,
    pub align: Option<char>,
    pub sign: char,
    pub alt: bool,
    pub zero: bool,
    pub width: usize,
    pub grouping: Option<char>,
    pub precision: Option<usize>,
    pub ty: Option<char>,
}

impl Spec {
    /// The sign a number gets: `-` when negative, else what the spec's sign option asks for.
    fn sign_for(&self, neg: bool) -> &'static str {
        match (neg, self.sign) {
            (true, _) => "-",
            (false, '+') => "+",
            (false, ' ') => " ",
            _ => "",
        }
    }
}

pub fn parse_spec(spec: &str) -> Option<Spec> {
    let c: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let mut sp = Spec {
        fill: ' ',
        align: None,
        sign: '-',
        alt: false,
        zero: false,
        width: 0,
        grouping: None,
        precision: None,
        ty: None,
    };
    let is_align = |ch: char| matches!(ch, '<' | '>' | '^' | '=');
    let mut explicit_fill = false;
    if c.len() >= 2 && is_align(c[1]) {
        explicit_fill = true;
        sp.fill = c[0];
        sp.align = Some(c[1]);
        i = 2;
    } else if !c.is_empty() && is_align(c[0]) {
        sp.align = Some(c[0]);
        i = 1;
    }
    if let Some(&s) = c.get(i) {
        if matches!(s, '+' | '-' | ' ') {
            sp.sign = s;
            i += 1;
        }
    }
    if c.get(i) == Some(&'#') {
        sp.alt = true;
        i += 1;
    }
    if c.get(i) == Some(&'0') {
        sp.zero = true;
        i += 1;
    }
    let w = take_digits(&c, &mut i);
    if !w.is_empty() {
        sp.width = w.parse().ok()?;
    }
    if let Some(&g) = c.get(i) {
        if g == ',' || g == '_' {
            sp.grouping = Some(g);
            i += 1;
        }
    }
    if c.get(i) == Some(&'.') {
        i += 1;
        let p = take_digits(&c, &mut i);
        if p.is_empty() {
            return None;
        }
        sp.precision = Some(p.parse().ok()?);
    }
    if let Some(&t) = c.get(i) {
        sp.ty = Some(t);
        i += 1;
    }
    if i != c.len() {
        return None;
    }
    // `0` before the width: zeros as the fill (unless one is given), after the sign.
    if sp.zero {
        if !explicit_fill {
            sp.fill = '0';
        }
        if sp.align.is_none() {
            sp.align = Some('=');
        }
    }
    Some(sp)
}

/// Pads `s` to the spec's width with its fill and alignment (`default` when none is given).
pub fn pad(s: &str, sp: &Spec, default: char) -> String {
    let n = s.chars().count();
    if n >= sp.width {
        return s.to_string();
    }
    let extra = sp.width - n;
    let fill = |k: usize| sp.fill.to_string().repeat(k);
    match sp.align.unwrap_or(default) {
        '<' => format!("{}{}", s, fill(extra)),
        '^' => format!("{}{}{}", fill(extra / 2), s, fill(extra - extra / 2)),
        '=' => {
            let (sign, rest) = split_sign(s);
            format!("{}{}{}", sign, fill(extra), rest)
        }
        _ => format!("{}{}", fill(extra), s),
    }
}

fn split_sign(s: &str) -> (&str, &str) {
    let mut end = 0;
    if s.starts_with(['-', '+', ' ']) {
        end = 1;
    }
    let rest = &s[end..];
    for p in ["0x", "0X", "0b", "0B", "0o", "0O"] {
        if rest.starts_with(p) {
            return (&s[..end + 2], &s[end + 2..]);
        }
    }
    (&s[..end], rest)
}

fn group_digits(digits: &str, sep: char, every: usize) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / every);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(every) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

fn format_int(b: &BigInt, sp: &Spec) -> Option<String> {
    let neg = b.sign() == num_bigint::Sign::Minus;
    let mag = if neg { -b } else { b.clone() };
    let (mut digits, prefix, every) = match sp.ty {
        None | Some('d') | Some('n') => (mag.to_string(), "", 3),
        Some('x') => (mag.to_str_radix(16), "0x", 4),
        Some('X') => (mag.to_str_radix(16).to_uppercase(), "0X", 4),
        Some('o') => (mag.to_str_radix(8), "0o", 4),
        Some('b') => (mag.to_str_radix(2), "0b", 4),
        Some('c') => {
            use num_traits::ToPrimitive;
            let ch = b.to_u32().and_then(char::from_u32)?;
            return Some(pad(&ch.to_string(), sp, '>'));
        }
        _ => return None,
    };
    if let Some(g) = sp.grouping {
        digits = group_digits(&digits, g, every);
    }
    let sign = sp.sign_for(neg);
    let body = format!("{}{}{}", sign, if sp.alt { prefix } else { "" }, digits);
    Some(pad(&body, sp, '>'))
}

fn fmt_fixed(f: f64, p: usize) -> String {
    if !f.is_finite() {
        return float_special(f);
    }
    format!("{:.*}", p, f)
}

fn float_special(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}

/// `1.234560e+03` style.
fn fmt_exp(f: f64, p: usize) -> String {
    if !f.is_finite() {
        return float_special(f);
    }
    let s = format!("{:.*e}", p, f);
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    format!("{}e{}{:02}", m, if e < 0 { '-' } else { '+' }, e.abs())
}

/// The `g` presentation: fixed or exponent by magnitude, trailing zeros removed.
fn fmt_general(f: f64, p: usize, alt: bool) -> String {
    if !f.is_finite() {
        return float_special(f);
    }
    let p = p.max(1);
    if f == 0.0 {
        return if alt {
            format!("{:.*}", p - 1, f)
        } else if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let s = format!("{:.*e}", p - 1, f);
    let (_, e) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = e.parse().unwrap_or(0);
    let out = if exp >= -4 && exp < p as i32 {
        format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, f)
    } else {
        fmt_exp(f, p - 1)
    };
    if alt {
        return out;
    }
    strip_zeros(&out)
}

/// A precision but no type (`f"{x:.2}"`): CPython's `g` with `Py_DTSF_ADD_DOT_0`, which
/// switches to the exponent one digit sooner (when the point would fall past `p - 1`
/// digits: `f"{12.0:.2}"` is `1.2e+01`) and gives a whole number a `.0`. `alt` (`#`) keeps
/// trailing zeros and the point.
fn fmt_general_dot0(f: f64, p: usize, alt: bool) -> String {
    if !f.is_finite() {
        return float_special(f);
    }
    let p = p.max(1);
    let s = format!("{:.*e}", p - 1, f);
    let exp: i32 = s.split_once('e').and_then(|(_, e)| e.parse().ok()).unwrap_or(0);
    // Where the point falls, counted in digits from the first (`decpt` in CPython).
    let decpt = exp + 1;
    let out = if decpt <= -4 || decpt > p as i32 - 1 {
        fmt_exp(f, p - 1)
    } else {
        format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, f)
    };
    if alt {
        return with_point(out);
    }
    let out = strip_zeros(&out);
    if out.contains(['.', 'e']) {
        out
    } else {
        format!("{}.0", out)
    }
}

/// A number's text with a decimal point, before its exponent if it has none (`2.`, `1.e+16`).
fn with_point(s: String) -> String {
    if s.contains('.') || s.ends_with("inf") || s.ends_with("nan") {
        return s;
    }
    match s.find('e') {
        Some(i) => format!("{}.{}", &s[..i], &s[i..]),
        None => s + ".",
    }
}

fn strip_zeros(s: &str) -> String {
    let (m, e) = match s.find('e') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
    format!("{}{}", m, e)
}

/// Applies sign, grouping and padding to a formatted number.
fn finish_number(body: &str, sp: &Spec) -> String {
    let (neg, digits) = match body.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, body),
    };
    let mut digits = digits.to_string();
    if let Some(g) = sp.grouping {
        let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
        let grouped = group_digits(&digits[..end], g, 3);
        digits = format!("{}{}", grouped, &digits[end..]);
    }
    let sign = sp.sign_for(neg);
    pad(&format!("{}{}", sign, digits), sp, '>')
}

/// The module a user class says it belongs to (`__module__`: `__main__`, or `collections` for
/// the classes of a prelude).
fn module_of(c: &Class) -> String {
    match c.dict.borrow().get(&sym::MODULE) {
        Some(Value::Str(s)) => s.s.clone(),
        _ => "__main__".to_string(),
    }
}

/// `%d`, `%i`, `%u`, `%x`, `%X` and `%o` of an int, as CPython's `%` lays it out: the digits
/// zero-padded to the precision, then the sign and the `#` prefix (`0x`, `0X`, `0o`), then the
/// width: spaces after (`-`), zeros between the prefix and the digits (`0`), or spaces before.
fn percent_int(num: &Value, conv: char, flags: &str, width: usize, precision: Option<usize>) -> String {
    let n = crate::interp::ops::big(num).unwrap_or_default();
    let radix = match conv {
        'x' | 'X' => 16,
        'o' => 8,
        _ => 10,
    };
    let mut digits = n.magnitude().to_str_radix(radix);
    if conv == 'X' {
        digits.make_ascii_uppercase();
    }
    if let Some(p) = precision.filter(|&p| p > digits.len()) {
        digits.insert_str(0, &"0".repeat(p - digits.len()));
    }
    let mut prefix = String::new();
    if n.sign() == num_bigint::Sign::Minus {
        prefix.push('-');
    } else if flags.contains('+') {
        prefix.push('+');
    } else if flags.contains(' ') {
        prefix.push(' ');
    }
    if flags.contains('#') {
        prefix.push_str(match conv {
            'x' => "0x",
            'X' => "0X",
            'o' => "0o",
            _ => "",
        });
    }
    let len = prefix.len() + digits.len();
    let pad = width.saturating_sub(len);
    if pad == 0 {
        prefix + &digits
    } else if flags.contains('-') {
        format!("{prefix}{digits}{}", " ".repeat(pad))
    } else if flags.contains('0') {
        format!("{prefix}{}{digits}", "0".repeat(pad))
    } else {
        format!("{}{prefix}{digits}", " ".repeat(pad))
    }
}

/// The length of a string or of an instance of a subclass of str, in characters (None for
/// anything else): `%c` takes a one-character one.
fn one_char_str(v: &Value) -> Option<usize> {
    match v {
        Value::Str(s) => Some(s.s.chars().count()),
        Value::Instance(i) => match i.base.as_deref() {
            Some(Value::Str(s)) => Some(s.s.chars().count()),
            _ => None,
        },
        _ => None,
    }
}

/// Where the bracket opened at `chars[open_at]` closes, counting nested pairs (None: it does
/// not): a `%`-format key's parenthesis, a `str.format` field's brace.
fn matching_close(chars: &[char], open_at: usize, open: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    for (j, &c) in chars.iter().enumerate().skip(open_at) {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(j);
            }
        }
    }
    None
}
