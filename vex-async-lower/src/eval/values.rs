//! Values: constants, operands, places (read and write through projections),
//! rvalues, and the arithmetic, comparisons and conversions of scalars.

use super::*;

/// The value a place starts from: a local of the frame, an element of a vector, or the
/// slot of a wait record.
enum Root {
    Local(usize),
    Elem(usize, usize),
    Slot(usize),
}

impl<'m> Machine<'m> {
    pub(super) fn constant(&mut self, c: &'m Const) -> Value {
        match c {
            Const::Unit => Value::Unit,
            Const::Bool(b) => Value::Bool(*b),
            Const::Int(v, ty) => Value::Int(*v, *ty),
            Const::Float(bits, ty) => Value::Float(f64::from_bits(*bits), *ty),
            Const::Str(s) => self.literal(s),
            Const::NullFuture(_) => Value::Future(None),
            Const::Status(s) => Value::Status(*s),
            Const::NullDeferList => Value::DeferList(None),
            Const::EmptyVec(_) => Value::Vec(None),
        }
    }

    pub(super) fn operand(&mut self, frame: &Frame<'m>, op: &'m Operand) -> Res<Value> {
        match op {
            Operand::Copy(place) => self.read(frame, place),
            Operand::Const(c) => Ok(self.constant(c)),
        }
    }

    pub(super) fn index_of(&self, frame: &Frame<'m>, local: LocalId) -> Res<usize> {
        match &frame.locals[local.index()] {
            Value::Int(v, _) => Ok(*v as usize),
            other => err(format!("index {local} is {other:?}")),
        }
    }

    /// The index each `Index`/`Elem` projection of `place` selects.
    fn indices(&self, frame: &Frame<'m>, place: &Place) -> Res<Vec<Option<usize>>> {
        place
            .proj
            .iter()
            .map(|p| match p {
                Proj::Index(l) | Proj::Elem(l) => self.index_of(frame, *l).map(Some),
                _ => Ok(None),
            })
            .collect()
    }

    /// Where a place's projections lead: the root value (a local, or an element of a
    /// vector's buffer after the last `Elem`) and the projections left inside it.
    fn locate<'p>(
        &self,
        frame: &Frame<'m>,
        place: &'p Place,
        indices: &[Option<usize>],
    ) -> Res<(Root, &'p [Proj], usize)> {
        let mut root = Root::Local(place.local.index());
        let mut start = 0;
        for (k, proj) in place.proj.iter().enumerate() {
            if let Proj::Slot = proj {
                let waiter =
                    self.get(frame, &root, &place.proj[start..k], &indices[start..k], place)?;
                let Value::Waiter(w) = *waiter else {
                    return err(format!("{}: slot of {waiter:?} in {place}", frame.f.name));
                };
                root = Root::Slot(w);
                start = k + 1;
                continue;
            }
            if let Proj::Elem(_) = proj {
                let vec =
                    self.get(frame, &root, &place.proj[start..k], &indices[start..k], place)?;
                let Value::Vec(Some(v)) = *vec else {
                    return err(format!("{}: element of {vec:?} in {place}", frame.f.name));
                };
                let i = indices[k].unwrap_or(0);
                if i >= self.vecs[v].elems.len() || self.vecs[v].refs == 0 {
                    return err(format!("{}: element {i} out of range in {place}", frame.f.name));
                }
                root = Root::Elem(v, i);
                start = k + 1;
            }
        }
        Ok((root, &place.proj[start..], start))
    }

    /// The value `projs` select inside `root`.
    fn get<'a>(
        &'a self,
        frame: &'a Frame<'m>,
        root: &Root,
        projs: &[Proj],
        indices: &[Option<usize>],
        place: &Place,
    ) -> Res<&'a Value> {
        let mut v = match *root {
            Root::Local(l) => &frame.locals[l],
            Root::Elem(vec, i) => &self.vecs[vec].elems[i],
            Root::Slot(w) => &self.waiters[w].slot,
        };
        for (proj, index) in projs.iter().zip(indices) {
            v = match (proj, v) {
                (Proj::Field(n), Value::Agg(items)) => &items[*n as usize],
                (Proj::Index(_), Value::Agg(items)) => match items.get(index.unwrap_or(0)) {
                    Some(v) => v,
                    None => return err(format!("{}: index out of range in {place}", frame.f.name)),
                },
                (Proj::Payload { variant, field }, Value::Enum(v, items)) if v == variant => {
                    &items[*field as usize]
                }
                (_, other) => {
                    return err(format!(
                        "{}: bad projection of {other:?} in {place}",
                        frame.f.name
                    ));
                }
            };
        }
        Ok(v)
    }

    pub(super) fn read(&self, frame: &Frame<'m>, place: &Place) -> Res<Value> {
        let indices = self.indices(frame, place)?;
        let (root, projs, start) = self.locate(frame, place, &indices)?;
        let v = self.get(frame, &root, projs, &indices[start..], place)?;
        if *v == Value::Undef {
            return err(format!("{}: read of undefined {place}", frame.f.name));
        }
        Ok(v.clone())
    }

    pub(super) fn write(&mut self, frame: &mut Frame<'m>, place: &Place, value: Value) -> Res<()> {
        let indices = self.indices(frame, place)?;
        let (root, projs, start) = self.locate(frame, place, &indices)?;
        let mut v = match root {
            Root::Local(l) => &mut frame.locals[l],
            Root::Elem(vec, i) => {
                if self.vecs[vec].refs != 1 {
                    return err(format!("write to an element of a shared vector in {place}"));
                }
                &mut self.vecs[vec].elems[i]
            }
            Root::Slot(w) => &mut self.waiters[w].slot,
        };
        for (proj, index) in projs.iter().zip(&indices[start..]) {
            v = match (proj, v) {
                (Proj::Field(n), Value::Agg(items)) => &mut items[*n as usize],
                (Proj::Index(_), Value::Agg(items)) => match items.get_mut(index.unwrap_or(0)) {
                    Some(v) => v,
                    None => return err("index out of range in a write"),
                },
                (Proj::Payload { variant, field }, Value::Enum(v, items)) if v == variant => {
                    &mut items[*field as usize]
                }
                _ => return err(format!("bad projection in a write to {place}")),
            };
        }
        *v = value;
        Ok(())
    }

    pub(super) fn rvalue(&mut self, frame: &Frame<'m>, rvalue: &'m Rvalue) -> Res<Value> {
        Ok(match rvalue {
            Rvalue::Use(op) => self.operand(frame, op)?,
            Rvalue::Unary(op, a) => match (op, self.operand(frame, a)?) {
                (UnOp::Neg, Value::Int(v, ty)) => Value::Int(normalize(-v, ty), ty),
                (UnOp::Neg, Value::Float(v, ty)) => Value::Float(-v, ty),
                (UnOp::Not, Value::Bool(b)) => Value::Bool(!b),
                (UnOp::Not, Value::Int(v, ty)) => Value::Int(normalize(!v, ty), ty),
                (_, other) => return err(format!("unary op on {other:?}")),
            },
            Rvalue::Binary(op, a, b) => {
                let a = self.operand(frame, a)?;
                let b = self.operand(frame, b)?;
                binary(*op, a, b)?
            }
            Rvalue::Cast(a, ty) => cast(self.operand(frame, a)?, ty)?,
            Rvalue::Aggregate(kind, ops) => {
                let items = ops.iter().map(|o| self.operand(frame, o)).collect::<Res<Vec<_>>>()?;
                match kind {
                    AggregateKind::Variant(_, v) => Value::Enum(*v, items),
                    _ => Value::Agg(items),
                }
            }
            Rvalue::Repeat(op, n) => Value::Agg(vec![self.operand(frame, op)?; *n as usize]),
            Rvalue::Discriminant(place) => match self.read(frame, place)? {
                Value::Enum(v, _) => Value::Int(i128::from(v), layout::ENUM_TAG),
                other => return err(format!("discriminant of {other:?}")),
            },
            Rvalue::FnValue { func, env } => {
                let env = match env {
                    Some(env) => match self.operand(frame, env)? {
                        Value::Env(e) => e,
                        other => return err(format!("environment {other:?}")),
                    },
                    None => None,
                };
                Value::Fn(func.clone(), env)
            }
        })
    }
}

pub(super) fn binary(op: BinOp, a: Value, b: Value) -> Res<Value> {
    Ok(match (a, b) {
        (Value::Int(x, ty), Value::Int(y, ty2)) => {
            let bits = ty.bits();
            let r = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x.wrapping_mul(y),
                BinOp::Div | BinOp::Rem => {
                    if y == 0 {
                        return err("division by zero reached the evaluator");
                    }
                    // In i128 and wrapped below: `MIN / -1 == MIN`, `MIN % -1 == 0`.
                    if op == BinOp::Div { x / y } else { x % y }
                }
                BinOp::BitAnd => x & y,
                BinOp::BitOr => x | y,
                BinOp::BitXor => x ^ y,
                BinOp::Shl => x << (y.rem_euclid(i128::from(bits))),
                BinOp::Shr => {
                    let s = y.rem_euclid(i128::from(bits));
                    if ty.is_signed() { x >> s } else { (x & ((1i128 << bits) - 1)) >> s }
                }
                BinOp::Eq => return Ok(Value::Bool(x == y)),
                BinOp::Ne => return Ok(Value::Bool(x != y)),
                BinOp::Lt => return Ok(Value::Bool(x < y)),
                BinOp::Le => return Ok(Value::Bool(x <= y)),
                BinOp::Gt => return Ok(Value::Bool(x > y)),
                BinOp::Ge => return Ok(Value::Bool(x >= y)),
            };
            let _ = ty2;
            Value::Int(normalize(r, ty), ty)
        }
        (Value::Float(x, ty), Value::Float(y, _)) => {
            let r = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => x / y,
                BinOp::Rem => x % y,
                BinOp::Eq => return Ok(Value::Bool(x == y)),
                BinOp::Ne => return Ok(Value::Bool(x != y)),
                BinOp::Lt => return Ok(Value::Bool(x < y)),
                BinOp::Le => return Ok(Value::Bool(x <= y)),
                BinOp::Gt => return Ok(Value::Bool(x > y)),
                BinOp::Ge => return Ok(Value::Bool(x >= y)),
                _ => return err("bit operation on floats"),
            };
            let r = if ty == FloatTy::F32 { f64::from(r as f32) } else { r };
            Value::Float(r, ty)
        }
        (Value::Bool(x), Value::Bool(y)) => Value::Bool(match op {
            BinOp::BitAnd => x & y,
            BinOp::BitOr => x | y,
            BinOp::BitXor | BinOp::Ne => x ^ y,
            BinOp::Eq => x == y,
            BinOp::Lt => !x & y,
            BinOp::Le => x <= y,
            BinOp::Gt => x & !y,
            BinOp::Ge => x >= y,
            _ => return err("arithmetic on bools"),
        }),
        (a, b) => return err(format!("binary op {op:?} on {a:?} and {b:?}")),
    })
}

pub(super) fn cast(v: Value, ty: &Type) -> Res<Value> {
    Ok(match (v, ty) {
        (Value::Int(x, _), Type::Int(to)) => Value::Int(normalize(x, *to), *to),
        (Value::Int(x, _), Type::Float(to)) => {
            let f = x as f64;
            Value::Float(if *to == FloatTy::F32 { f64::from(x as f32) } else { f }, *to)
        }
        (Value::Float(x, _), Type::Int(to)) => {
            // Truncate toward zero, saturating at the bounds (NaN is 0).
            let bits = to.bits();
            let (min, max) = if to.is_signed() {
                (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
            } else {
                (0, (1i128 << bits) - 1)
            };
            let t = x.trunc();
            let v = if t.is_nan() {
                0
            } else if t <= min as f64 {
                min
            } else if t >= max as f64 {
                max
            } else {
                t as i128
            };
            Value::Int(v, *to)
        }
        (Value::Float(x, _), Type::Float(to)) => {
            Value::Float(if *to == FloatTy::F32 { f64::from(x as f32) } else { x }, *to)
        }
        (v, ty) => return err(format!("cast of {v:?} to {ty}")),
    })
}
