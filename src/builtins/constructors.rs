//! The built-in types called as constructors (`int(x)`, `str(x)`, `list(it)`, `deque(...)`),
//! and the number parsing behind `int()` and `float()`.

use super::*;

/// Constructors of the built-in types: `int(x)`, `str(x)`, `list(it)`, `deque(...)`.
pub fn construct(it: &mut Interp, cls: &Rc<Class>, args: &[Value], kw: Kw) -> R<Value> {
    let name = cls.name.as_str();
    // `int(x)` of an instance of a subclass of int (without its own `__int__`): its value.
    let conversion = match cls.tag {
        TypeTag::Int => Some(sym::INT),
        TypeTag::Float => Some(sym::FLOAT),
        _ => None,
    };
    if let (Some(dunder), Some(first)) = (conversion, args.first()) {
        if let Some(b) = it.builtin_view(first, dunder) {
            let mut rest = args.to_vec();
            rest[0] = b;
            return construct(it, cls, &rest, kw);
        }
    }
    match cls.tag {
        TypeTag::Int => {
            check_kw("int", kw, &[sym::BASE])?;
            arity("int", args, 0, 2)?;
            let base = args.get(1).cloned().or_else(|| kwarg(kw, sym::BASE));
            match (args.first(), base) {
                (None, _) => Ok(Value::Int(0)),
                (Some(Value::Str(s)), b) => {
                    let base = match b {
                        Some(b) => it.index_of(&b)?,
                        None => 10,
                    };
                    let limit = super::format::int_max_str_digits();
                    let digits =
                        s.s.trim().trim_start_matches(['+', '-']).chars().filter(|c| *c != '_').count();
                    if base == 10
                        && limit > 0
                        && digits > limit
                        && s.s
                            .trim()
                            .trim_start_matches(['+', '-'])
                            .chars()
                            .all(|c| c.is_ascii_digit() || c == '_')
                    {
                        return Err(value_error(format!(
                            "Exceeds the limit ({} digits) for integer string conversion: value has {} digits; use sys.set_int_max_str_digits() to increase the limit",
                            limit, digits
                        )));
                    }
                    parse_int(&s.s, base).ok_or_else(|| {
                        value_error(format!(
                            "invalid literal for int() with base {}: {}",
                            base,
                            repr_str(&s.s)
                        ))
                    })
                }
                (Some(_), Some(_)) => Err(type_error("int() can't convert non-string with explicit base")),
                (Some(Value::Int(i)), None) => Ok(Value::Int(*i)),
                (Some(Value::Bool(b)), None) => Ok(Value::Int(*b as i64)),
                (Some(Value::BigInt(b)), None) => Ok(Value::BigInt(b.clone())),
                (Some(Value::Float(f)), None) => {
                    if f.is_nan() {
                        return Err(value_error("cannot convert float NaN to integer"));
                    }
                    if f.is_infinite() {
                        return Err(overflow_error("cannot convert float infinity to integer"));
                    }
                    Ok(float_to_int(f.trunc()))
                }
                (Some(v), None) => {
                    if it.has_method(v, sym::INT) {
                        return it.call_method(v, sym::INT, &[], &[]);
                    }
                    // No `__int__`: `__index__`, as CPython 3.8 and later fall back to it.
                    if let Value::Instance(_) = v {
                        if let Some(i) = it.user_index(v)? {
                            return Ok(i);
                        }
                    }
                    Err(type_error(format!(
                        "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                        it.type_name(v)
                    )))
                }
            }
        }
        TypeTag::Float => {
            no_kw("float", kw)?;
            type_arity("float", args, 0, 1)?;
            match args.first() {
                None => Ok(Value::Float(0.0)),
                Some(Value::Float(f)) => Ok(Value::Float(*f)),
                Some(Value::Str(s)) => parse_float(&s.s).map(Value::Float).ok_or_else(|| {
                    value_error(format!("could not convert string to float: {}", repr_str(&s.s)))
                }),
                Some(v) => match crate::interp::ops::to_f64(v) {
                    // An int past the largest float is an error, not infinity.
                    Some(f) if f.is_infinite() && matches!(v, Value::BigInt(_)) => {
                        Err(overflow_error("int too large to convert to float"))
                    }
                    Some(f) => Ok(Value::Float(f)),
                    None => {
                        if it.has_method(v, sym::FLOAT) {
                            return it.call_method(v, sym::FLOAT, &[], &[]);
                        }
                        Err(type_error(format!(
                            "float() argument must be a string or a real number, not '{}'",
                            it.type_name(v)
                        )))
                    }
                },
            }
        }
        TypeTag::Bool => {
            no_kw("bool", kw)?;
            type_arity("bool", args, 0, 1)?;
            match args.first() {
                None => Ok(Value::Bool(false)),
                Some(v) => Ok(Value::Bool(it.truthy(v)?)),
            }
        }
        TypeTag::Str => {
            arity("str", args, 0, 1)?;
            // `str(object=5)`, as CPython takes it; `encoding` and `errors` decode bytes, which
            // tinyasync does not have.
            let mut object = args.first();
            for (k, v) in kw {
                match k.as_str() {
                    "object" if object.is_some() => {
                        return Err(type_error(
                            "argument for str() given by name ('object') and position (1)",
                        ))
                    }
                    "object" => object = Some(v),
                    "encoding" | "errors" => {}
                    other => {
                        return Err(type_error(format!(
                            "'{}' is an invalid keyword argument for str()",
                            other
                        )))
                    }
                }
            }
            let decoding = kw.iter().any(|(k, _)| matches!(k.as_str(), "encoding" | "errors"));
            match object {
                None => Ok(Value::str("")),
                Some(v) if decoding => Err(type_error(format!(
                    "decoding to str: need a bytes-like object, {} found",
                    it.type_name(v)
                ))),
                Some(v) => Ok(Value::string(it.to_str(v)?)),
            }
        }
        TypeTag::List => {
            no_kw("list", kw)?;
            type_arity("list", args, 0, 1)?;
            match args.first() {
                None => Ok(Value::list(Vec::new())),
                Some(v) => Ok(Value::list(it.collect(v)?)),
            }
        }
        TypeTag::Tuple => {
            no_kw("tuple", kw)?;
            type_arity("tuple", args, 0, 1)?;
            match args.first() {
                None => Ok(Value::tuple(Vec::new())),
                Some(Value::Tuple(t)) => Ok(Value::Tuple(t.clone())),
                Some(v) => Ok(Value::tuple(it.collect(v)?)),
            }
        }
        TypeTag::Dict => {
            type_arity("dict", args, 0, 1)?;
            let d = Value::dict_rc(crate::dict::Dict::new());
            if let Some(src) = args.first() {
                methods::dict_update_from(it, &d, src)?;
            }
            for (k, v) in kw {
                it.dict_set(&d, Value::str(k.as_str()), v.clone())?;
            }
            Ok(Value::Dict(d))
        }
        TypeTag::Set => {
            no_kw("set", kw)?;
            type_arity("set", args, 0, 1)?;
            Ok(Value::Set(it.make_set(false, args.first())?))
        }
        TypeTag::Range => {
            no_kw("range", kw)?;
            type_arity("range", args, 1, 3)?;
            let mut n = Vec::new();
            for a in args {
                n.push(it.index_of(a)?);
            }
            let (start, stop, step) = match n.len() {
                1 => (0, n[0], 1),
                2 => (n[0], n[1], 1),
                _ => (n[0], n[1], n[2]),
            };
            if step == 0 {
                return Err(value_error("range() arg 3 must not be zero"));
            }
            Ok(Value::Range(Rc::new(RangeObj { start, stop, step })))
        }
        TypeTag::Slice => {
            no_kw("slice", kw)?;
            type_arity("slice", args, 1, 3)?;
            let parts = match args.len() {
                1 => [Value::None, args[0].clone(), Value::None],
                2 => [args[0].clone(), args[1].clone(), Value::None],
                _ => [args[0].clone(), args[1].clone(), args[2].clone()],
            };
            Ok(Value::Slice(Rc::new(parts)))
        }
        TypeTag::Type => {
            if args.len() == 3 {
                return make_type(it, args, kw);
            }
            if args.len() != 1 {
                return Err(type_error("type() takes 1 or 3 arguments"));
            }
            Ok(Value::Class(it.t.type_of(&args[0])))
        }
        TypeTag::Deque => modules::make_deque(it, args, kw),
        TypeTag::Method => {
            check_kw("method", kw, &[])?;
            arity("method", args, 2, 2)?;
            if !is_callable(it, &args[0]) {
                return Err(type_error("first argument must be callable"));
            }
            if args[1].is_none() {
                return Err(type_error("instance must not be None"));
            }
            Ok(Value::Method(Rc::new((args[1].clone(), args[0].clone()))))
        }
        _ => {
            if Rc::ptr_eq(cls, &it.t.frozenset) {
                no_kw("frozenset", kw)?;
                type_arity("frozenset", args, 0, 1)?;
                if let Some(Value::Set(d)) = args.first() {
                    if d.borrow().frozen {
                        return Ok(args[0].clone());
                    }
                }
                return Ok(Value::Set(it.make_set(true, args.first())?));
            }
            if Rc::ptr_eq(cls, &it.t.random) {
                return super::random::construct(it, args, kw);
            }
            if Rc::ptr_eq(cls, &it.t.property) {
                check_kw("property", kw, &[sym::FGET, sym::FSET, sym::FDEL, sym::DOC_KW])?;
                arity("property", args, 0, 4)?;
                let arg = |i: usize, k: Symbol| {
                    args.get(i).cloned().or_else(|| kwarg(kw, k)).unwrap_or(Value::None)
                };
                return Ok(property(
                    arg(0, sym::FGET),
                    arg(1, sym::FSET),
                    arg(2, sym::FDEL),
                    arg(3, sym::DOC_KW),
                ));
            }
            if Rc::ptr_eq(cls, &it.t.staticmethod) || Rc::ptr_eq(cls, &it.t.classmethod) {
                check_kw(name, kw, &[])?;
                arity(name, args, 1, 1)?;
                let f = args[0].clone();
                return Ok(Value::Native(Rc::new(if Rc::ptr_eq(cls, &it.t.staticmethod) {
                    Native::StaticMethod(f)
                } else {
                    Native::ClassMethod(f)
                })));
            }
            if Rc::ptr_eq(cls, &it.t.namespace) {
                if !args.is_empty() {
                    return Err(type_error("SimpleNamespace() takes no positional arguments"));
                }
                let mut attrs = new_symmap();
                for (k, v) in kw {
                    attrs.insert(*k, v.clone());
                }
                return Ok(Value::Native(Rc::new(Native::Namespace(RefCell::new(attrs)))));
            }
            if let Some(v) = crate::scheduler::construct(it, cls, args, kw)? {
                return Ok(v);
            }
            Err(type_error(format!("cannot create '{}' instances", name)))
        }
    }
}

/// `int(s, base)` parsing with underscores, signs, whitespace and base prefixes.
pub fn parse_int(s: &str, base: i64) -> Option<Value> {
    let t = s.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = t.to_ascii_lowercase();
    // After a base prefix one underscore may come (`0x_1f`), never at the start (`_10`).
    let prefixed = |p: &str| lower.strip_prefix(p).map(|r| r.strip_prefix('_').unwrap_or(r).to_string());
    let (base, digits) = match base {
        0 => {
            if let Some(r) = prefixed("0x") {
                (16, r)
            } else if let Some(r) = prefixed("0o") {
                (8, r)
            } else if let Some(r) = prefixed("0b") {
                (2, r)
            } else {
                if lower.len() > 1 && lower.starts_with('0') && lower.bytes().any(|b| b != b'0' && b != b'_')
                {
                    return None;
                }
                (10, lower.clone())
            }
        }
        16 => (16, prefixed("0x").unwrap_or_else(|| lower.clone())),
        8 => (8, prefixed("0o").unwrap_or_else(|| lower.clone())),
        2 => (2, prefixed("0b").unwrap_or_else(|| lower.clone())),
        b if (2..=36).contains(&b) => (b, lower.clone()),
        _ => return None,
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    let limit = super::format::int_max_str_digits();
    if base == 10 && limit > 0 && clean.len() > limit {
        return None;
    }
    let b = BigInt::parse_bytes(clean.as_bytes(), base as u32)?;
    Some(Value::from_bigint(if neg { -b } else { b }))
}

pub fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim().to_ascii_lowercase();
    let (neg, body) = match t.strip_prefix('-') {
        Some(r) => (true, r.to_string()),
        None => (false, t.strip_prefix('+').unwrap_or(&t).to_string()),
    };
    let v = match body.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            if body.is_empty() || body.contains("__") || body.starts_with('_') || body.ends_with('_') {
                return None;
            }
            if !body.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-' | '_')) {
                return None;
            }
            let clean: String = body.chars().filter(|c| *c != '_').collect();
            clean.parse::<f64>().ok()?
        }
    };
    Some(if neg { -v } else { v })
}

/// Helper for `ToPrimitive` users in this module.
pub fn big_to_i64(b: &BigInt) -> Option<i64> {
    b.to_i64()
}

/// A `property` object; its name comes later, from the class body it is assigned in.
pub fn property(fget: Value, fset: Value, fdel: Value, doc: Value) -> Value {
    Value::Native(Rc::new(Native::Property { fget, fset, fdel, doc, name: std::cell::Cell::new(None) }))
}

/// `type(name, bases, namespace)`: a class made as a class statement would make it.
fn make_type(it: &mut Interp, args: &[Value], kw: Kw) -> R<Value> {
    let Value::Str(name) = &args[0] else {
        return Err(type_error(format!(
            "type.__new__() argument 1 must be str, not {}",
            it.type_name(&args[0])
        )));
    };
    let Value::Tuple(bases) = &args[1] else {
        return Err(type_error(format!(
            "type.__new__() argument 2 must be tuple, not {}",
            it.type_name(&args[1])
        )));
    };
    let Value::Dict(ns) = &args[2] else {
        return Err(type_error(format!(
            "type.__new__() argument 3 must be dict, not {}",
            it.type_name(&args[2])
        )));
    };
    let mut attrs = new_symmap();
    attrs.insert(sym::MODULE, Value::str("__main__"));
    attrs.insert(sym::QUALNAME, Value::str(&name.s));
    let entries: Vec<(Value, Value)> = ns.borrow().iter().map(|e| (e.key.clone(), e.value.clone())).collect();
    for (k, v) in entries {
        let Value::Str(k) = k else { return Err(type_error("type(): the namespace's keys must be strings")) };
        attrs.insert(Symbol::intern(&k.s), v);
    }
    let bases = it.class_bases(bases.to_vec())?;
    let ns = Rc::new(RefCell::new(attrs));
    it.finish_class(Symbol::intern(&name.s), bases, &ns, kw)
}
