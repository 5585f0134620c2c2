//! `str.format` and `str.format_map`: a format string's replacement fields parsed, looked
//! up, converted and formatted one by one, as CPython's Objects/stringlib/unicode_format.h
//! does (the specs themselves are `format.rs`'s `format_value`).

use crate::interp::*;
use crate::value::*;

impl Interp {
    /// `str.format(*args, **kwargs)`.
    pub fn str_format(
        &mut self,
        fmt: &str,
        args: &[Value],
        kw: &[(crate::span::Symbol, Value)],
    ) -> R<String> {
        let mut auto = AutoNumber::Init;
        self.str_format_with(fmt, FieldSource::Args(args, kw), &mut auto, 2)
    }

    /// `str.format_map(mapping)`: keys looked up with the mapping's own `[]` (a dict
    /// subclass's `__missing__` answers too); a positional field is an error.
    pub fn str_format_map(&mut self, fmt: &str, mapping: &Value) -> R<String> {
        let mut auto = AutoNumber::Init;
        self.str_format_with(fmt, FieldSource::Map(mapping), &mut auto, 2)
    }

    /// The format string `fmt`, field by field, in CPython's order (`MarkupIterator_next`,
    /// `parse_field`, `get_field_object` in Objects/stringlib/unicode_format.h): each field
    /// is parsed, looked up, converted, its spec expanded and the value formatted before the
    /// next is read, so an error later in the string comes after the `__format__` calls of
    /// the fields before it. `depth` is what is left of the nesting a spec may have (`{0:{1}}`
    /// is one level; CPython allows no more).
    fn str_format_with(
        &mut self,
        fmt: &str,
        src: FieldSource,
        auto: &mut AutoNumber,
        depth: u8,
    ) -> R<String> {
        if depth == 0 {
            return Err(value_error("Max string recursion exceeded"));
        }
        let mut out = String::new();
        let chars: Vec<char> = fmt.chars().collect();
        let n = chars.len();
        let mut i = 0;
        while i < n {
            // Literal text up to a brace.
            let c = chars[i];
            i += 1;
            if c != '{' && c != '}' {
                out.push(c);
                continue;
            }
            if chars.get(i) == Some(&c) {
                // `{{` or `}}`.
                out.push(c);
                i += 1;
                continue;
            }
            if c == '}' {
                return Err(value_error("Single '}' encountered in format string"));
            }
            if i >= n {
                return Err(value_error("Single '{' encountered in format string"));
            }
            let field = parse_field(&chars, &mut i)?;
            let mut v = self.format_field_object(&field.name, src, auto)?;
            match field.conversion {
                None | Some('\0') => {}
                Some('r') => v = Value::string(self.repr(&v)?),
                Some('s') => v = Value::string(self.to_str(&v)?),
                Some('a') => v = Value::string(self.ascii(&v)?),
                Some(c) if (c as u32) > 32 && (c as u32) < 127 => {
                    return Err(value_error(format!("Unknown conversion specifier {}", c)));
                }
                Some(c) => {
                    return Err(value_error(format!("Unknown conversion specifier \\x{:x}", c as u32)));
                }
            }
            let spec = if field.spec_needs_expanding {
                self.str_format_with(&field.spec, src, auto, depth - 1)?
            } else {
                field.spec
            };
            out.push_str(&self.format_value(&v, &spec)?);
        }
        Ok(out)
    }

    /// The object a field names: its first part (an index, a keyword or nothing, numbered
    /// automatically), then each `.attr` and `[key]` in turn (CPython's `field_name_split`
    /// and `FieldNameIterator_next`).
    fn format_field_object(&mut self, name: &[char], src: FieldSource, auto: &mut AutoNumber) -> R<Value> {
        let first_end = name.iter().position(|&c| c == '.' || c == '[').unwrap_or(name.len());
        let first = &name[..first_end];
        let index = decimal_index(first)?;
        let mut v = if first.is_empty() || index.is_some() {
            let index = match (first.is_empty(), *auto) {
                (true, AutoNumber::Manual) => {
                    return Err(value_error(
                        "cannot switch from manual field specification to automatic field numbering",
                    ))
                }
                (false, AutoNumber::Auto(_)) => {
                    return Err(value_error(
                        "cannot switch from automatic field numbering to manual field specification",
                    ))
                }
                (true, AutoNumber::Init) => {
                    *auto = AutoNumber::Auto(1);
                    0
                }
                (true, AutoNumber::Auto(k)) => {
                    *auto = AutoNumber::Auto(k + 1);
                    k
                }
                (false, _) => {
                    *auto = AutoNumber::Manual;
                    index.unwrap_or(0)
                }
            };
            match src {
                FieldSource::Map(_) => return Err(value_error("Format string contains positional fields")),
                FieldSource::Args(args, _) => args.get(index).cloned().ok_or_else(|| {
                    index_error(format!("Replacement index {} out of range for positional args tuple", index))
                })?,
            }
        } else {
            let key: String = first.iter().collect();
            match src {
                FieldSource::Args(_, kw) => {
                    let sym = crate::span::Symbol::intern(&key);
                    kw.iter()
                        .find(|(k, _)| *k == sym)
                        .map(|(_, v)| v.clone())
                        .ok_or_else(|| key_error(Value::str(&key)))?
                }
                FieldSource::Map(m) => self.getitem(m, &Value::str(&key))?,
            }
        };
        let mut i = first_end;
        while i < name.len() {
            let attribute = name[i] == '.';
            if !attribute && name[i] != '[' {
                return Err(value_error("Only '.' or '[' may follow ']' in format field specifier"));
            }
            i += 1;
            let start = i;
            let part: String = if attribute {
                while i < name.len() && name[i] != '.' && name[i] != '[' {
                    i += 1;
                }
                name[start..i].iter().collect()
            } else {
                while i < name.len() && name[i] != ']' {
                    i += 1;
                }
                if i >= name.len() {
                    return Err(value_error("Missing ']' in format string"));
                }
                i += 1;
                name[start..i - 1].iter().collect()
            };
            if part.is_empty() {
                return Err(value_error("Empty attribute in format string"));
            }
            v = if attribute {
                self.getattr(&v, crate::span::Symbol::intern(&part))?
            } else {
                // Digits are an integer key, anything else a string (`[-1]` is the key "-1").
                let chars: Vec<char> = part.chars().collect();
                let key = match decimal_index(&chars)? {
                    Some(k) => Value::Int(k as i64),
                    None => Value::string(part),
                };
                self.getitem(&v, &key)?
            };
        }
        Ok(v)
    }
}

/// Where `str.format`'s fields find their values.
#[derive(Clone, Copy)]
enum FieldSource<'a> {
    /// `str.format`'s positional and keyword arguments.
    Args(&'a [Value], &'a [(crate::span::Symbol, Value)]),
    /// `str.format_map`'s mapping.
    Map(&'a Value),
}

/// Whether a format string's fields are numbered automatically (`{}`, with the next number)
/// or by hand (`{0}`); mixing the two is an error, as in CPython.
#[derive(Clone, Copy)]
enum AutoNumber {
    Init,
    Auto(usize),
    Manual,
}

/// A replacement field of `str.format`, read by `parse_field`.
struct Field {
    name: Vec<char>,
    conversion: Option<char>,
    spec: String,
    spec_needs_expanding: bool,
}

/// The field that starts at `chars[*i]` (just past its `{`), with `*i` moved past its `}`;
/// the errors and their order are CPython's `parse_field`.
fn parse_field(chars: &[char], i: &mut usize) -> R<Field> {
    let n = chars.len();
    let start = *i;
    let mut c = '\0';
    while *i < n {
        c = chars[*i];
        *i += 1;
        match c {
            '{' => return Err(value_error("unexpected '{' in field name")),
            // A key in brackets may hold any of `}:!`.
            '[' => {
                while *i < n && chars[*i] != ']' {
                    *i += 1;
                }
            }
            '}' | ':' | '!' => break,
            _ => {}
        }
    }
    if c != '}' && c != ':' && c != '!' {
        return Err(value_error("expected '}' before end of string"));
    }
    let name = chars[start..*i - 1].to_vec();
    let mut field = Field { name, conversion: None, spec: String::new(), spec_needs_expanding: false };
    if c == '}' {
        return Ok(field);
    }
    if c == '!' {
        let Some(&conv) = chars.get(*i) else {
            return Err(value_error("end of string while looking for conversion specifier"));
        };
        *i += 1;
        field.conversion = Some(conv);
        if let Some(&next) = chars.get(*i) {
            *i += 1;
            if next == '}' {
                return Ok(field);
            }
            if next != ':' {
                return Err(value_error("expected ':' after conversion specifier"));
            }
        }
    }
    // The spec runs to the brace that closes the field, counting nested pairs.
    let spec_start = *i;
    let mut count = 1;
    while *i < n {
        let c = chars[*i];
        *i += 1;
        if c == '{' {
            field.spec_needs_expanding = true;
            count += 1;
        } else if c == '}' {
            count -= 1;
            if count == 0 {
                field.spec = chars[spec_start..*i - 1].iter().collect();
                return Ok(field);
            }
        }
    }
    Err(value_error("unmatched '{' in format spec"))
}

/// A field's number or key of ASCII digits as an index (`None`: not all digits, or empty);
/// CPython refuses one past `Py_ssize_t`.
fn decimal_index(s: &[char]) -> R<Option<usize>> {
    if s.is_empty() || !s.iter().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let mut acc: usize = 0;
    for c in s {
        let d = c.to_digit(10).unwrap_or(0) as usize;
        if acc > (isize::MAX as usize - d) / 10 {
            return Err(value_error("Too many decimal digits in format string"));
        }
        acc = acc * 10 + d;
    }
    Ok(Some(acc))
}
