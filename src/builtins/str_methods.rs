//! Methods of `str`.

use super::{arity, check_kw, check_kw_invalid, kwarg, no_kw, type_arity, Kw};
use crate::interp::*;
use crate::names::sym;
use crate::span::Symbol;
use crate::value::*;

type M = (&'static str, NativeFn);

fn this_str(this: &Value) -> &str {
    match this {
        Value::Str(s) => &s.s,
        _ => "",
    }
}

fn str_arg<'a>(it: &Interp, v: &'a Value, what: &str) -> R<&'a str> {
    match v {
        Value::Str(s) => Ok(&s.s),
        _ => Err(type_error(format!("{} must be str, not {}", what, it.type_name(v)))),
    }
}

pub(super) fn str_method(name: Symbol) -> Option<M> {
    Some(match name {
        sym::UPPER => ("upper", |_, t, a, _| {
            arity("str.upper", a, 0, 0)?;
            Ok(Value::string(this_str(t).to_uppercase()))
        }),
        sym::LOWER => ("lower", |_, t, a, _| {
            arity("str.lower", a, 0, 0)?;
            Ok(Value::string(this_str(t).to_lowercase()))
        }),
        sym::CASEFOLD => ("casefold", |_, t, a, _| {
            arity("str.casefold", a, 0, 0)?;
            Ok(Value::string(this_str(t).to_lowercase()))
        }),
        sym::SWAPCASE => ("swapcase", |_, t, a, _| {
            arity("str.swapcase", a, 0, 0)?;
            Ok(Value::string(
                this_str(t)
                    .chars()
                    .flat_map(|c| {
                        if c.is_uppercase() {
                            c.to_lowercase().collect::<Vec<_>>()
                        } else {
                            c.to_uppercase().collect::<Vec<_>>()
                        }
                    })
                    .collect(),
            ))
        }),
        sym::CAPITALIZE => ("capitalize", |_, t, a, _| {
            arity("str.capitalize", a, 0, 0)?;
            let s = this_str(t);
            let mut cs = s.chars();
            let out = match cs.next() {
                Some(c) => c.to_uppercase().collect::<String>() + &cs.as_str().to_lowercase(),
                None => String::new(),
            };
            Ok(Value::string(out))
        }),
        sym::TITLE => ("title", |_, t, a, _| {
            arity("str.title", a, 0, 0)?;
            let mut out = String::new();
            let mut prev_cased = false;
            for c in this_str(t).chars() {
                if c.is_alphabetic() {
                    if prev_cased {
                        out.extend(c.to_lowercase());
                    } else {
                        out.extend(c.to_uppercase());
                    }
                    prev_cased = true;
                } else {
                    out.push(c);
                    prev_cased = false;
                }
            }
            Ok(Value::string(out))
        }),
        sym::SPLIT => ("split", |it, t, a, k| str_split(it, t, a, k, false)),
        sym::RSPLIT => ("rsplit", |it, t, a, k| str_split(it, t, a, k, true)),
        sym::SPLITLINES => ("splitlines", |it, t, a, k| {
            arity("splitlines", a, 0, 1)?;
            check_kw_invalid("splitlines", k, &[sym::KEEPENDS])?;
            let keep = match a.first().cloned().or_else(|| kwarg(k, sym::KEEPENDS)) {
                Some(v) => it.truthy(&v)?,
                None => false,
            };
            let s = this_str(t);
            let mut out = Vec::new();
            let mut cur = String::new();
            let mut chars = s.chars().peekable();
            while let Some(c) = chars.next() {
                if matches!(
                    c,
                    '\n' | '\r'
                        | '\x0b'
                        | '\x0c'
                        | '\x1c'
                        | '\x1d'
                        | '\x1e'
                        | '\u{85}'
                        | '\u{2028}'
                        | '\u{2029}'
                ) {
                    if keep {
                        cur.push(c);
                    }
                    if c == '\r' && chars.peek() == Some(&'\n') {
                        chars.next();
                        if keep {
                            cur.push('\n');
                        }
                    }
                    out.push(Value::string(std::mem::take(&mut cur)));
                } else {
                    cur.push(c);
                }
            }
            if !cur.is_empty() {
                out.push(Value::string(cur));
            }
            Ok(Value::list(out))
        }),
        sym::JOIN => ("join", |it, t, a, _| {
            arity("str.join", a, 1, 1)?;
            let sep = this_str(t).to_string();
            let items = it.collect(&a[0])?;
            let mut out = String::new();
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(&sep);
                }
                match x {
                    Value::Str(s) => out.push_str(&s.s),
                    _ => {
                        return Err(type_error(format!(
                            "sequence item {}: expected str instance, {} found",
                            i,
                            it.type_name(x)
                        )))
                    }
                }
            }
            it.charge_memory(out.len())?;
            Ok(Value::string(out))
        }),
        sym::STRIP => ("strip", |it, t, a, _| str_strip(it, t, a, true, true)),
        sym::LSTRIP => ("lstrip", |it, t, a, _| str_strip(it, t, a, true, false)),
        sym::RSTRIP => ("rstrip", |it, t, a, _| str_strip(it, t, a, false, true)),
        sym::STARTSWITH => ("startswith", |it, t, a, _| str_affix(it, t, a, true)),
        sym::ENDSWITH => ("endswith", |it, t, a, _| str_affix(it, t, a, false)),
        sym::FIND => ("find", |it, t, a, _| str_find(it, t, a, false, false, "find")),
        sym::RFIND => ("rfind", |it, t, a, _| str_find(it, t, a, true, false, "rfind")),
        sym::INDEX_M => ("index", |it, t, a, _| str_find(it, t, a, false, true, "index")),
        sym::RINDEX => ("rindex", |it, t, a, _| str_find(it, t, a, true, true, "rindex")),
        sym::COUNT => ("count", |it, t, a, _| {
            arity("count", a, 1, 3)?;
            let sub = str_arg(it, &a[0], "must be str")?;
            let s = this_str(t);
            // An empty string is found once more than the slice has characters, and not at
            // all past the end (`"abc".count("", 5)` is 0, as in CPython).
            if sub.is_empty() {
                // Past the end, or a start after the end: nothing is found.
                let n = s.chars().count() as i64;
                let norm = |i: i64| if i < 0 { (i + n).max(0) } else { i };
                let start = match a.get(1).filter(|v| !v.is_none()) {
                    Some(v) => norm(it.index_of(v)?),
                    None => 0,
                };
                let end = match a.get(2).filter(|v| !v.is_none()) {
                    Some(v) => norm(it.index_of(v)?).min(n),
                    None => n,
                };
                if start > n || start > end {
                    return Ok(Value::Int(0));
                }
            }
            let (b0, b1) = char_range(it, s, &a[1..])?;
            let hay = &s[b0..b1];
            let n = if sub.is_empty() { hay.chars().count() + 1 } else { hay.matches(sub).count() };
            Ok(Value::Int(n as i64))
        }),
        sym::REPLACE => ("replace", |it, t, a, _| {
            type_arity("replace", a, 2, 3)?;
            let old = str_arg(it, &a[0], "replace() argument 1")?.to_string();
            let new = str_arg(it, &a[1], "replace() argument 2")?.to_string();
            let count = match a.get(2) {
                Some(c) => it.index_of(c)?,
                None => -1,
            };
            let s = this_str(t);
            let out = if count < 0 { s.replace(&old, &new) } else { s.replacen(&old, &new, count as usize) };
            it.charge_memory(out.len())?;
            Ok(Value::string(out))
        }),
        sym::FORMAT_M => ("format", |it, t, a, k| {
            let s = this_str(t).to_string();
            Ok(Value::string(it.str_format(&s, a, k)?))
        }),
        sym::ISDIGIT => ("isdigit", |_, t, a, _| {
            arity("str.isdigit", a, 0, 0)?;
            str_all(t, |c| c.is_ascii_digit() || c.is_numeric() && c.is_ascii_digit())
        }),
        sym::ISDECIMAL => ("isdecimal", |_, t, a, _| {
            arity("str.isdecimal", a, 0, 0)?;
            str_all(t, |c| c.is_ascii_digit())
        }),
        // True for the empty string too, as in CPython.
        sym::ISASCII => ("isascii", |_, t, a, _| {
            arity("str.isascii", a, 0, 0)?;
            Ok(Value::Bool(this_str(t).is_ascii()))
        }),
        sym::ISPRINTABLE => ("isprintable", |_, t, a, _| {
            arity("str.isprintable", a, 0, 0)?;
            Ok(Value::Bool(this_str(t).chars().all(crate::value::is_printable)))
        }),
        sym::ISTITLE => ("istitle", |_, t, a, _| {
            arity("str.istitle", a, 0, 0)?;
            // Upper case only after an uncased character, lower case only after a cased one,
            // and at least one cased character.
            let (mut cased, mut after_cased) = (false, false);
            for c in this_str(t).chars() {
                if c.is_uppercase() {
                    if after_cased {
                        return Ok(Value::Bool(false));
                    }
                    (cased, after_cased) = (true, true);
                } else if c.is_lowercase() {
                    if !after_cased {
                        return Ok(Value::Bool(false));
                    }
                    (cased, after_cased) = (true, true);
                } else {
                    after_cased = false;
                }
            }
            Ok(Value::Bool(cased))
        }),
        sym::EXPANDTABS => ("expandtabs", |it, t, a, k| {
            arity("expandtabs", a, 0, 1)?;
            check_kw("expandtabs", k, &[sym::TABSIZE])?;
            let size = match a.first().cloned().or_else(|| kwarg(k, sym::TABSIZE)) {
                Some(v) => it.index_of(&v)?,
                None => 8,
            };
            let mut out = String::new();
            let mut col: i64 = 0;
            for c in this_str(t).chars() {
                match c {
                    '\t' if size > 0 => {
                        let n = size - col % size;
                        // The cap `str * n` has: a result past 2 GiB is a MemoryError.
                        if (out.len() as i64).saturating_add(n) > 1 << 31 {
                            return Err(exc(&it.t.exception, "MemoryError: the result would be too large"));
                        }
                        it.charge_memory(n as usize)?;
                        out.extend(std::iter::repeat_n(' ', n as usize));
                        col += n;
                    }
                    '\t' => {}
                    '\n' | '\r' => {
                        out.push(c);
                        col = 0;
                    }
                    _ => {
                        out.push(c);
                        col += 1;
                    }
                }
            }
            Ok(Value::string(out))
        }),
        sym::FORMAT_MAP => ("format_map", |it, t, a, _| {
            arity("str.format_map", a, 1, 1)?;
            let s = this_str(t).to_string();
            Ok(Value::string(it.str_format_map(&s, &a[0])?))
        }),
        sym::ISNUMERIC => ("isnumeric", |_, t, a, _| {
            arity("str.isnumeric", a, 0, 0)?;
            str_all(t, |c| c.is_numeric())
        }),
        sym::ISALPHA => ("isalpha", |_, t, a, _| {
            arity("str.isalpha", a, 0, 0)?;
            str_all(t, |c| c.is_alphabetic())
        }),
        sym::ISALNUM => ("isalnum", |_, t, a, _| {
            arity("str.isalnum", a, 0, 0)?;
            str_all(t, |c| c.is_alphanumeric())
        }),
        sym::ISSPACE => ("isspace", |_, t, a, _| {
            arity("str.isspace", a, 0, 0)?;
            str_all(t, |c| c.is_whitespace())
        }),
        sym::ISIDENTIFIER => ("isidentifier", |_, t, a, _| {
            arity("str.isidentifier", a, 0, 0)?;
            let s = this_str(t);
            let ok = s.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && s.chars().all(|c| c.is_alphanumeric() || c == '_');
            Ok(Value::Bool(ok))
        }),
        sym::ISUPPER => ("isupper", |_, t, a, _| {
            arity("str.isupper", a, 0, 0)?;
            let s = this_str(t);
            Ok(Value::Bool(s.chars().any(|c| c.is_alphabetic()) && !s.chars().any(|c| c.is_lowercase())))
        }),
        sym::ISLOWER => ("islower", |_, t, a, _| {
            arity("str.islower", a, 0, 0)?;
            let s = this_str(t);
            Ok(Value::Bool(s.chars().any(|c| c.is_alphabetic()) && !s.chars().any(|c| c.is_uppercase())))
        }),
        sym::ZFILL => ("zfill", |it, t, a, _| {
            arity("str.zfill", a, 1, 1)?;
            let w = pad_width(it, &a[0])?;
            let s = this_str(t);
            let n = s.chars().count();
            if n >= w {
                return Ok(Value::str(s));
            }
            let (sign, rest) = if s.starts_with(['-', '+']) { s.split_at(1) } else { ("", s) };
            Ok(Value::string(format!("{}{}{}", sign, "0".repeat(w - n), rest)))
        }),
        sym::CENTER => ("center", |it, t, a, _| str_pad(it, t, a, '^', "center")),
        sym::LJUST => ("ljust", |it, t, a, _| str_pad(it, t, a, '<', "ljust")),
        sym::RJUST => ("rjust", |it, t, a, _| str_pad(it, t, a, '>', "rjust")),
        sym::PARTITION => ("partition", |it, t, a, _| str_partition(it, t, a, false)),
        sym::RPARTITION => ("rpartition", |it, t, a, _| str_partition(it, t, a, true)),
        sym::REMOVEPREFIX => ("removeprefix", |it, t, a, _| {
            arity("str.removeprefix", a, 1, 1)?;
            let p = str_arg(it, &a[0], "removeprefix() argument")?;
            let s = this_str(t);
            Ok(Value::str(s.strip_prefix(p).unwrap_or(s)))
        }),
        sym::REMOVESUFFIX => ("removesuffix", |it, t, a, _| {
            arity("str.removesuffix", a, 1, 1)?;
            let p = str_arg(it, &a[0], "removesuffix() argument")?;
            let s = this_str(t);
            Ok(Value::str(s.strip_suffix(p).unwrap_or(s)))
        }),
        sym::TRANSLATE => ("translate", str_translate),
        sym::MAKETRANS => ("maketrans", |it, _, a, k| str_maketrans(it, &Value::None, a, k)),
        _ => return None,
    })
}

/// `str.maketrans(x[, y[, z]])`: the table `translate` takes, code points to replacements.
pub(super) fn str_maketrans(it: &mut Interp, _t: &Value, a: &[Value], k: Kw) -> R<Value> {
    no_kw("str.maketrans", k)?;
    type_arity("maketrans", a, 1, 3)?;
    let d = Value::dict_rc(crate::dict::Dict::new());
    match a {
        [Value::Dict(m)] => {
            let items: Vec<(Value, Value)> =
                m.borrow().iter().map(|e| (e.key.clone(), e.value.clone())).collect();
            for (k, v) in items {
                let key = match &k {
                    Value::Str(s) if s.s.chars().count() == 1 => {
                        Value::Int(s.s.chars().next().map_or(0, |c| c as i64))
                    }
                    Value::Str(_) => {
                        return Err(value_error("string keys in translate table must be of length 1"))
                    }
                    Value::Int(_) => k.clone(),
                    _ => return Err(type_error("keys in translate table must be strings or integers")),
                };
                it.dict_set(&d, key, v)?;
            }
        }
        [x, y, rest @ ..] => {
            let (Value::Str(x), Value::Str(y)) = (x, y) else {
                return Err(type_error("maketrans() argument 2 must be str"));
            };
            if x.s.chars().count() != y.s.chars().count() {
                return Err(value_error("the first two maketrans arguments must have equal length"));
            }
            for (c, r) in x.s.chars().zip(y.s.chars()) {
                it.dict_set(&d, Value::Int(c as i64), Value::Int(r as i64))?;
            }
            if let Some(z) = rest.first() {
                let Value::Str(z) = z else { return Err(type_error("maketrans() argument 3 must be str")) };
                for c in z.s.chars() {
                    it.dict_set(&d, Value::Int(c as i64), Value::None)?;
                }
            }
        }
        _ => return Err(type_error("if you give only one argument to maketrans it must be a dict")),
    }
    Ok(Value::Dict(d))
}

/// `s.translate(table)`: each character looked up by code point in the table (a missing one
/// stays; None deletes it; an int or a str replaces it).
fn str_translate(it: &mut Interp, t: &Value, a: &[Value], _k: Kw) -> R<Value> {
    arity("str.translate", a, 1, 1)?;
    let s = this_str(t).to_string();
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match it.getitem(&a[0], &Value::Int(c as i64)) {
            Ok(Value::None) => {}
            Ok(Value::Int(i)) => match u32::try_from(i).ok().and_then(char::from_u32) {
                Some(r) => out.push(r),
                None => return Err(value_error("character mapping must be in range(0x110000)")),
            },
            Ok(Value::Str(r)) => out.push_str(&r.s),
            Ok(_) => return Err(type_error("character mapping must return integer, None or str")),
            Err(e) if e.is_instance(&it.t.lookup_error) => out.push(c),
            Err(e) => return Err(e),
        }
    }
    Ok(Value::string(out))
}

fn str_all(t: &Value, f: impl Fn(char) -> bool) -> R<Value> {
    let s = this_str(t);
    Ok(Value::Bool(!s.is_empty() && s.chars().all(f)))
}

fn str_split(it: &mut Interp, t: &Value, a: &[Value], k: Kw, right: bool) -> R<Value> {
    let name = if right { "rsplit" } else { "split" };
    check_kw_invalid(name, k, &[sym::SEP, sym::MAXSPLIT])?;
    // (Keyword arguments count towards the most it takes, as in CPython.)
    if a.len() + k.len() > 2 {
        return Err(type_error(format!(
            "{}() takes at most 2 arguments ({} given)",
            name,
            a.len() + k.len()
        )));
    }
    for (pos, key) in [(1, sym::SEP), (2, sym::MAXSPLIT)] {
        if a.len() >= pos && kwarg(k, key).is_some() {
            return Err(type_error(format!(
                "argument for {}() given by name ('{}') and position ({})",
                name, key, pos
            )));
        }
    }
    let sep = a.first().cloned().or_else(|| kwarg(k, sym::SEP)).unwrap_or(Value::None);
    let maxsplit = match a.get(1).cloned().or_else(|| kwarg(k, sym::MAXSPLIT)) {
        Some(v) => it.index_of(&v)?,
        None => -1,
    };
    let s = this_str(t);
    let parts: Vec<String> = match &sep {
        Value::None => {
            let words: Vec<&str> = s.split_whitespace().collect();
            if maxsplit < 0 || (maxsplit as usize) >= words.len() {
                words.into_iter().map(String::from).collect()
            } else if !right {
                // Split off `maxsplit` words; the rest keeps its inner spacing.
                let mut out = Vec::new();
                let mut rest = s.trim_start();
                for _ in 0..maxsplit {
                    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                    out.push(rest[..end].to_string());
                    rest = rest[end..].trim_start();
                }
                if !rest.is_empty() {
                    out.push(rest.to_string());
                }
                out
            } else {
                let mut out = Vec::new();
                let mut rest = s.trim_end();
                for _ in 0..maxsplit {
                    let start = rest.rfind(char::is_whitespace).map(|i| i + 1).unwrap_or(0);
                    out.push(rest[start..].to_string());
                    rest = rest[..start].trim_end();
                }
                if !rest.is_empty() {
                    out.push(rest.to_string());
                }
                out.reverse();
                out
            }
        }
        Value::Str(p) => {
            if p.s.is_empty() {
                return Err(value_error("empty separator"));
            }
            if maxsplit < 0 {
                s.split(p.s.as_str()).map(String::from).collect()
            } else if right {
                let mut v: Vec<String> =
                    s.rsplitn(maxsplit as usize + 1, p.s.as_str()).map(String::from).collect();
                v.reverse();
                v
            } else {
                s.splitn(maxsplit as usize + 1, p.s.as_str()).map(String::from).collect()
            }
        }
        other => return Err(type_error(format!("must be str or None, not {}", it.type_name(other)))),
    };
    Ok(Value::list(parts.into_iter().map(Value::string).collect()))
}

fn str_strip(it: &mut Interp, t: &Value, a: &[Value], left: bool, right: bool) -> R<Value> {
    type_arity(
        match (left, right) {
            (true, true) => "strip",
            (true, false) => "lstrip",
            _ => "rstrip",
        },
        a,
        0,
        1,
    )?;
    let s = this_str(t);
    let out = match a.first() {
        None | Some(Value::None) => {
            let mut r = s;
            if left {
                r = r.trim_start();
            }
            if right {
                r = r.trim_end();
            }
            r
        }
        Some(v) => {
            let chars: Vec<char> = str_arg(it, v, "strip arg")?.chars().collect();
            let mut r = s;
            if left {
                r = r.trim_start_matches(|c| chars.contains(&c));
            }
            if right {
                r = r.trim_end_matches(|c| chars.contains(&c));
            }
            r
        }
    };
    Ok(Value::str(out))
}

fn char_range(it: &mut Interp, s: &str, a: &[Value]) -> R<(usize, usize)> {
    let n = s.chars().count() as i64;
    let mut norm = |v: Option<&Value>, d: i64| -> R<i64> {
        match v {
            None | Some(Value::None) => Ok(d),
            Some(v) => {
                let i = it.index_of(v)?;
                Ok(if i < 0 { (i + n).max(0) } else { i.min(n) })
            }
        }
    };
    let start = norm(a.first(), 0)?;
    let end = norm(a.get(1), n)?;
    let byte = |ci: i64| s.char_indices().nth(ci as usize).map(|(b, _)| b).unwrap_or(s.len());
    Ok((byte(start), byte(end.max(start))))
}

fn str_affix(it: &mut Interp, t: &Value, a: &[Value], start: bool) -> R<Value> {
    arity(if start { "startswith" } else { "endswith" }, a, 1, 3)?;
    let s = this_str(t);
    let (b0, b1) = char_range(it, s, &a[1..])?;
    let sub = &s[b0..b1];
    let check = |p: &str| if start { sub.starts_with(p) } else { sub.ends_with(p) };
    match &a[0] {
        Value::Str(p) => Ok(Value::Bool(check(&p.s))),
        Value::Tuple(ps) => {
            for p in ps.iter() {
                if check(str_arg(it, p, "tuple item")?) {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        }
        v => Err(type_error(format!(
            "{} first arg must be str or a tuple of str, not {}",
            if start { "startswith" } else { "endswith" },
            it.type_name(v)
        ))),
    }
}

fn str_find(it: &mut Interp, t: &Value, a: &[Value], rev: bool, raise: bool, name: &str) -> R<Value> {
    arity(name, a, 1, 3)?;
    let s = this_str(t);
    let sub = str_arg(it, &a[0], "must be str")?;
    let (b0, b1) = char_range(it, s, &a[1..])?;
    let hay = &s[b0..b1];
    let found = if rev { hay.rfind(sub) } else { hay.find(sub) };
    match found {
        Some(b) => Ok(Value::Int(s[..b0 + b].chars().count() as i64)),
        None if raise => Err(value_error("substring not found")),
        None => Ok(Value::Int(-1)),
    }
}

/// A width for padding, refused when it would build an enormous string.
fn pad_width(it: &mut Interp, v: &Value) -> R<usize> {
    let w = it.index_of(v)?.max(0) as usize;
    if w > 1 << 28 {
        return Err(exc(&it.t.exception, "MemoryError: width too large"));
    }
    it.charge_memory(w)?;
    Ok(w)
}

fn str_pad(it: &mut Interp, t: &Value, a: &[Value], align: char, name: &str) -> R<Value> {
    // (Argument Clinic's words, as CPython's `center` has them.)
    if a.is_empty() {
        return Err(type_error(format!("{} expected at least 1 argument, got 0", name)));
    }
    if a.len() > 2 {
        return Err(type_error(format!("{} expected at most 2 arguments, got {}", name, a.len())));
    }
    let w = pad_width(it, &a[0])?;
    let fill = match a.get(1) {
        Some(v) => {
            let f = str_arg(it, v, "fill character")?;
            let mut cs = f.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => c,
                _ => return Err(type_error("The fill character must be exactly one character long")),
            }
        }
        None => ' ',
    };
    let s = this_str(t);
    let n = s.chars().count();
    if n >= w {
        return Ok(Value::str(s));
    }
    let extra = w - n;
    let f = |k: usize| fill.to_string().repeat(k);
    let out = match align {
        '<' => format!("{}{}", s, f(extra)),
        '>' => format!("{}{}", f(extra), s),
        _ => {
            // CPython's centering puts the extra character on the left when the
            // total padding is odd and the width is odd.
            let left = extra / 2 + (extra & w & 1);
            format!("{}{}{}", f(left), s, f(extra - left))
        }
    };
    Ok(Value::string(out))
}

fn str_partition(it: &mut Interp, t: &Value, a: &[Value], rev: bool) -> R<Value> {
    arity(if rev { "str.rpartition" } else { "str.partition" }, a, 1, 1)?;
    let s = this_str(t);
    let sep = str_arg(it, &a[0], "must be str")?;
    if sep.is_empty() {
        return Err(value_error("empty separator"));
    }
    let found = if rev { s.rfind(sep) } else { s.find(sep) };
    let parts = match found {
        Some(i) => [&s[..i], sep, &s[i + sep.len()..]],
        None if rev => ["", "", s],
        None => [s, "", ""],
    };
    Ok(Value::tuple(parts.iter().map(|p| Value::str(p)).collect()))
}
