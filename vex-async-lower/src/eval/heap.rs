//! Reference-counted values: strings (static literals and counted ones) and the
//! retains and releases of every value that holds references, with the checks that
//! find a release too many.

use super::*;

impl<'m> Machine<'m> {
    pub(super) fn new_string(&mut self, text: &str) -> Value {
        self.strings.push(StrObj { text: text.into(), refs: 1, is_static: false });
        Value::Str(Some(self.strings.len() - 1))
    }

    pub(super) fn literal(&mut self, text: &'m str) -> Value {
        if let Some(&i) = self.literals.get(text) {
            return Value::Str(Some(i));
        }
        self.strings.push(StrObj { text: text.into(), refs: 1, is_static: true });
        let i = self.strings.len() - 1;
        self.literals.insert(text, i);
        Value::Str(Some(i))
    }

    pub(super) fn text(&self, v: &Value) -> Res<Rc<str>> {
        match v {
            Value::Str(None) => Ok("".into()),
            Value::Str(Some(i)) => {
                let s = &self.strings[*i];
                if !s.is_static && s.refs == 0 {
                    return err(format!("use of released string {:?}", s.text));
                }
                Ok(s.text.clone())
            }
            other => err(format!("expected a string, found {other:?}")),
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
                    return err(format!("retain of released string {:?}", s.text));
                }
                s.refs += 1;
            }
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
                    return err(format!("string {:?} released more often than retained", s.text));
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
}
