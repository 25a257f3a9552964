//! The operations of vectors and strings (LANGUAGE.md §9) as the evaluator implements
//! them: the runtime operations that make or read them ([`Machine::value_op`]) and the
//! in-place updates ([`Machine::update`]). Strings are bytes; every result here is
//! what the C runtime (`vec.c`, `str.c`) must produce.

use super::*;

/// ASCII whitespace, as `trim` understands it.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// `s.toInt()`: an optional sign and decimal digits, nothing else; `None` on overflow.
fn parse_int(s: &[u8]) -> Option<i64> {
    let digits = s.strip_prefix(b"-").or_else(|| s.strip_prefix(b"+")).unwrap_or(s);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// `s.toFloat()`: decimal or exponent notation, `inf`, `infinity`, `nan` (any case,
/// optionally signed); no spaces, no hexadecimal.
fn parse_float(s: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(s).ok()?;
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let word = unsigned.to_ascii_lowercase();
    let numeric = !unsigned.is_empty()
        && unsigned
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && unsigned.bytes().any(|b| b.is_ascii_digit());
    if !(numeric || matches!(word.as_str(), "inf" | "infinity" | "nan")) {
        return None;
    }
    text.parse().ok()
}

/// The pieces of `s` between the separators `sep` (non-empty).
fn split(s: &[u8], sep: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + sep.len() <= s.len() {
        if &s[i..i + sep.len()] == sep {
            out.push(s[start..i].to_vec());
            i += sep.len();
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(s[start..].to_vec());
    out
}

/// The lines of `s` without their `\n` or `\r\n`; a final line break starts no line.
fn lines(s: &[u8]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let mut line = &rest[..end];
        if end < rest.len() {
            line = line.strip_suffix(b"\r").unwrap_or(line);
        }
        out.push(line.to_vec());
        rest = if end < rest.len() { &rest[end + 1..] } else { &[] };
    }
    out
}

fn int(v: &Value) -> Res<i128> {
    match v {
        Value::Int(v, _) => Ok(*v),
        other => err(format!("expected an integer, found {other:?}")),
    }
}

impl<'m> Machine<'m> {
    /// A runtime operation on vectors and strings.
    pub(super) fn value_op(&mut self, op: RtOp, args: &[Value]) -> Res<Value> {
        let i64_value = |v: i128| Value::Int(v, IntTy::I64);
        Ok(match op {
            RtOp::VecWithCapacity => Value::Vec(None),
            RtOp::VecFromArray => match &args[0] {
                Value::Agg(items) => self.new_vec(items.clone()),
                other => return err(format!("vector from {other:?}")),
            },
            RtOp::VecLen => i64_value(self.elems(&args[0])?.len() as i128),
            RtOp::VecSlice => {
                let (a, b) = (int(&args[1])? as usize, int(&args[2])? as usize);
                let items = self.elems(&args[0])?[a..b].to_vec();
                for item in &items {
                    self.retain(item)?;
                }
                self.new_vec(items)
            }
            RtOp::VecJoin => {
                let sep = self.text(&args[1])?;
                let mut out = Vec::new();
                for (i, item) in self.elems(&args[0])?.to_vec().iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(&sep);
                    }
                    out.extend_from_slice(&self.text(item)?);
                }
                self.new_string(&out)
            }
            RtOp::StrLen => i64_value(self.text(&args[0])?.len() as i128),
            RtOp::StrByteAt => {
                let s = self.text(&args[0])?;
                Value::Int(i128::from(s[int(&args[1])? as usize]), IntTy::U8)
            }
            RtOp::StrSlice => {
                let s = self.text(&args[0])?;
                let (a, b) = (int(&args[1])? as usize, int(&args[2])? as usize);
                self.new_string(&s[a..b])
            }
            RtOp::StrFind | RtOp::StrContains => {
                let (s, t) = (self.text(&args[0])?, self.text(&args[1])?);
                let at =
                    if t.is_empty() { Some(0) } else { s.windows(t.len()).position(|w| *w == *t) };
                match op {
                    RtOp::StrFind => i64_value(at.map_or(-1, |i| i as i128)),
                    _ => Value::Bool(at.is_some()),
                }
            }
            RtOp::StrStartsWith => {
                Value::Bool(self.text(&args[0])?.starts_with(&self.text(&args[1])?))
            }
            RtOp::StrEndsWith => Value::Bool(self.text(&args[0])?.ends_with(&self.text(&args[1])?)),
            RtOp::StrTrim => {
                let s = self.text(&args[0])?;
                let start = s.iter().position(|&b| !is_space(b)).unwrap_or(s.len());
                let end = s.iter().rposition(|&b| !is_space(b)).map_or(start, |i| i + 1);
                self.new_string(&s[start..end.max(start)])
            }
            RtOp::StrSplit | RtOp::StrLines => {
                let s = self.text(&args[0])?;
                let pieces = match op {
                    RtOp::StrSplit => split(&s, &self.text(&args[1])?),
                    _ => lines(&s),
                };
                let items = pieces.iter().map(|p| self.new_string(p)).collect();
                self.new_vec(items)
            }
            RtOp::StrToUpper => {
                let s = self.text(&args[0])?.to_ascii_uppercase();
                self.new_string(&s)
            }
            RtOp::StrToLower => {
                let s = self.text(&args[0])?.to_ascii_lowercase();
                self.new_string(&s)
            }
            RtOp::StrRepeat => {
                let s = self.text(&args[0])?.repeat(int(&args[1])? as usize);
                self.new_string(&s)
            }
            RtOp::StrToInt => match parse_int(&self.text(&args[0])?) {
                Some(v) => Value::Enum(0, vec![i64_value(i128::from(v))]),
                None => Value::Enum(1, Vec::new()),
            },
            RtOp::StrToFloat => match parse_float(&self.text(&args[0])?) {
                Some(v) => Value::Enum(0, vec![Value::Float(v, FloatTy::F64)]),
                None => Value::Enum(1, Vec::new()),
            },
            other => return err(format!("{} is not an operation on values", other.name())),
        })
    }

    /// `Stmt::Update`: changes the vector or string `current` (the value at the
    /// statement's place) and returns its new value and what the operation gives back.
    pub(super) fn update(
        &mut self,
        op: UpdateOp,
        current: Value,
        args: Vec<Value>,
        elem: &Type,
    ) -> Res<(Value, Option<Value>)> {
        if op == UpdateOp::StrAppend {
            let (s, t) = (self.text(&current)?, self.text(&args[0])?);
            let joined = self.new_string(&[&s[..], &t[..]].concat());
            self.release(&current)?;
            return Ok((joined, None));
        }
        let unique = self.make_unique(&current)?;
        let index = match unique {
            Some(i) => i,
            None => {
                // The empty vector (NULL): a buffer to write into.
                self.vecs.push(VecObj { elems: Vec::new(), refs: 1 });
                self.vecs.len() - 1
            }
        };
        let mut out = None;
        match op {
            UpdateOp::VecPush => self.vecs[index].elems.push(args[0].clone()),
            UpdateOp::VecPop => out = self.vecs[index].elems.pop(),
            UpdateOp::VecClear => {
                for e in std::mem::take(&mut self.vecs[index].elems) {
                    self.release(&e)?;
                }
            }
            UpdateOp::VecReverse => self.vecs[index].elems.reverse(),
            UpdateOp::VecSort => {
                let mut elems = std::mem::take(&mut self.vecs[index].elems);
                let mut keyed = Vec::new();
                for e in elems.drain(..) {
                    let key = match &e {
                        Value::Str(_) => SortKey::Bytes(self.text(&e)?.to_vec()),
                        Value::Int(v, _) => SortKey::Int(*v),
                        Value::Float(v, _) => SortKey::Float(TotalF64(*v)),
                        Value::Bool(b) => SortKey::Int(i128::from(*b)),
                        other => return err(format!("sort of {other:?} ({elem})")),
                    };
                    keyed.push((key, e));
                }
                keyed.sort_by(|a, b| a.0.cmp(&b.0));
                self.vecs[index].elems = keyed.into_iter().map(|(_, e)| e).collect();
            }
            UpdateOp::VecMakeUnique => {}
            UpdateOp::StrAppend => unreachable!("handled above"),
        }
        if op == UpdateOp::VecPop && out.is_none() {
            return err("pop of an empty vector");
        }
        // An emptied vector stays a buffer (as in the runtime); a never-filled one is NULL.
        let value = if unique.is_none() && self.vecs[index].elems.is_empty() {
            self.vecs[index].refs = 0;
            Value::Vec(None)
        } else {
            Value::Vec(Some(index))
        };
        Ok((value, out))
    }
}

/// How `sort` orders elements: integers numerically, floats by IEEE total order,
/// strings bytewise.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Int(i128),
    Float(TotalF64),
    Bytes(Vec<u8>),
}

/// An `f64` ordered by `total_cmp`.
struct TotalF64(f64);

impl PartialEq for TotalF64 {
    fn eq(&self, other: &Self) -> bool {
        self.0.total_cmp(&other.0).is_eq()
    }
}
impl Eq for TotalF64 {}
impl PartialOrd for TotalF64 {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for TotalF64 {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}
