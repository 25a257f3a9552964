//! Reference-counted values: strings (static literals and counted ones), vectors with
//! copy-on-write buffers, closure environments, and the retains and releases of every
//! value that holds references, with the checks that find a release too many or a use
//! after the last release.

use super::*;

impl<'m> Machine<'m> {
    pub(super) fn new_string(&mut self, text: &[u8]) -> Value {
        self.strings.push(StrObj { text: text.into(), refs: 1, is_static: false });
        Value::Str(Some(self.strings.len() - 1))
    }

    pub(super) fn literal(&mut self, text: &'m str) -> Value {
        if let Some(&i) = self.literals.get(text) {
            return Value::Str(Some(i));
        }
        self.strings.push(StrObj { text: text.as_bytes().into(), refs: 1, is_static: true });
        let i = self.strings.len() - 1;
        self.literals.insert(text, i);
        Value::Str(Some(i))
    }

    /// The bytes of a string value.
    pub(super) fn text(&self, v: &Value) -> Res<Rc<[u8]>> {
        match v {
            Value::Str(None) => Ok(Rc::from(&b""[..])),
            Value::Str(Some(i)) => {
                let s = &self.strings[*i];
                if !s.is_static && s.refs == 0 {
                    return err(format!(
                        "use of released string {:?}",
                        String::from_utf8_lossy(&s.text)
                    ));
                }
                Ok(s.text.clone())
            }
            other => err(format!("expected a string, found {other:?}")),
        }
    }

    /// A new vector holding `elems` (their references move in).
    pub(super) fn new_vec(&mut self, elems: Vec<Value>) -> Value {
        if elems.is_empty() {
            return Value::Vec(None);
        }
        self.vecs.push(VecObj { elems, refs: 1 });
        Value::Vec(Some(self.vecs.len() - 1))
    }

    /// The elements of a vector value (borrowed).
    pub(super) fn elems(&self, v: &Value) -> Res<&[Value]> {
        match v {
            Value::Vec(None) => Ok(&[]),
            Value::Vec(Some(i)) if self.vecs[*i].refs > 0 => Ok(&self.vecs[*i].elems),
            Value::Vec(Some(i)) => err(format!("use of released vector {i}")),
            other => err(format!("expected a vector, found {other:?}")),
        }
    }

    /// The vector `v` made unique (copy-on-write): the same buffer when this is its only
    /// reference, else a copy whose elements are retained (the shared one loses a
    /// reference). Returns the index of the unique buffer, `None` when empty.
    pub(super) fn make_unique(&mut self, v: &Value) -> Res<Option<usize>> {
        let Value::Vec(Some(i)) = *v else {
            return match v {
                Value::Vec(None) => Ok(None),
                other => err(format!("expected a vector, found {other:?}")),
            };
        };
        match self.vecs[i].refs {
            0 => err(format!("use of released vector {i}")),
            1 => Ok(Some(i)),
            _ => {
                let elems = self.vecs[i].elems.clone();
                for e in &elems {
                    self.retain(e)?;
                }
                self.vecs[i].refs -= 1;
                self.vecs.push(VecObj { elems, refs: 1 });
                Ok(Some(self.vecs.len() - 1))
            }
        }
    }

    pub(super) fn retain(&mut self, v: &Value) -> Res<()> {
        match v {
            Value::Str(Some(i)) => {
                let s = &mut self.strings[*i];
                if s.is_static {
                    return Ok(());
                }
                if s.refs == 0 {
                    return err(format!(
                        "retain of released string {:?}",
                        String::from_utf8_lossy(&s.text)
                    ));
                }
                s.refs += 1;
            }
            Value::Vec(Some(i)) => {
                if self.vecs[*i].refs == 0 {
                    return err(format!("retain of released vector {i}"));
                }
                self.vecs[*i].refs += 1;
            }
            Value::Env(Some(i)) | Value::Fn(_, Some(i)) => {
                if self.envs[*i].refs == 0 {
                    return err(format!("retain of released environment {i}"));
                }
                self.envs[*i].refs += 1;
            }
            Value::Channel(Some(c)) => self.chan_retain(*c)?,
            Value::IoError(_) | Value::IoHandle(_) => self.io_retain(v)?,
            Value::Agg(items) | Value::Enum(_, items) => {
                for item in items.clone() {
                    self.retain(&item)?;
                }
            }
            Value::Undef => return err("retain of an undefined value"),
            _ => {}
        }
        Ok(())
    }

    pub(super) fn release(&mut self, v: &Value) -> Res<()> {
        match v {
            Value::Str(Some(i)) => {
                let s = &mut self.strings[*i];
                if s.is_static {
                    return Ok(());
                }
                if s.refs == 0 {
                    return err(format!(
                        "string {:?} released more often than retained",
                        String::from_utf8_lossy(&s.text)
                    ));
                }
                s.refs -= 1;
                self.out.string_releases += 1;
            }
            Value::Future(Some(t)) => {
                let t = *t;
                if self.tasks[t].handles == 0 {
                    return err(format!("future of task {t} released twice"));
                }
                self.tasks[t].handles -= 1;
                self.out.future_releases += 1;
                self.drop_unclaimed_result(t)?;
            }
            Value::Vec(Some(i)) => {
                let i = *i;
                if self.vecs[i].refs == 0 {
                    return err(format!("vector {i} released more often than retained"));
                }
                self.vecs[i].refs -= 1;
                if self.vecs[i].refs == 0 {
                    for e in std::mem::take(&mut self.vecs[i].elems) {
                        self.release(&e)?;
                    }
                }
            }
            Value::Env(Some(i)) | Value::Fn(_, Some(i)) => {
                let i = *i;
                if self.envs[i].refs == 0 {
                    return err(format!("environment {i} released more often than retained"));
                }
                self.envs[i].refs -= 1;
                if self.envs[i].refs == 0 {
                    self.drop_env(i)?;
                }
            }
            Value::Channel(Some(c)) => self.chan_release(*c)?,
            Value::IoError(_) | Value::IoHandle(_) => self.io_release(v)?,
            Value::Agg(items) | Value::Enum(_, items) => {
                for item in items.clone() {
                    self.release(&item)?;
                }
            }
            Value::Undef => return err("release of an undefined value"),
            _ => {}
        }
        Ok(())
    }

    /// The last reference to environment `i` went: its drop function (the program's
    /// [`FunctionKind::EnvDrop`] for its struct, when there is one) releases the
    /// captures.
    fn drop_env(&mut self, i: usize) -> Res<()> {
        let def = self.envs[i].def.clone();
        let drop = self
            .funcs
            .values()
            .find(|f| matches!(&f.kind, FunctionKind::EnvDrop { env } if *env == def))
            .map(|f| f.name.clone());
        // The drop function reads the captures while the count is zero.
        if let Some(drop) = drop {
            self.call(&drop, vec![Value::Env(Some(i))])?;
        }
        Ok(())
    }

    /// A new environment of struct `def`, its captures not set yet.
    pub(super) fn new_env(&mut self, def: &Name) -> Res<Value> {
        let Some(s) = self.types.structs.get(def) else {
            return err(format!("environment of unknown struct {def}"));
        };
        let fields = vec![Value::Undef; s.fields.len()];
        self.envs.push(EnvObj { def: def.clone(), fields, refs: 1 });
        Ok(Value::Env(Some(self.envs.len() - 1)))
    }
}
