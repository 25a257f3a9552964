//! The exhaustiveness check of `match`: whether the unguarded arms cover every value of
//! the scrutinee's type, looking through nested patterns (`Some(Event.Left(id))`,
//! `(true, _)`, `Ok(())`), and which values they miss.
//!
//! It is the usefulness algorithm of pattern-matrix compilers: a matrix of pattern rows
//! (one column per value still to match) misses a value when, for some constructor of the
//! first column's type, the rows that admit it — specialised to its fields — miss one.
//! Types with more values than can be listed (integers, strings) are covered only by a
//! row whose first pattern matches anything.

use super::InferCtx;
use crate::body::{Literal, MatchArm, Pat, PatId};
use crate::builtins::BuiltinVariant;
use crate::signature::{enum_variants, type_name};
use crate::ty::{Ty, VarKind};

/// One row of the matrix: `None` stands for a pattern that matches anything (the fields
/// of a wildcard).
type Row = Vec<Option<PatId>>;

/// A value's shape at one level: how to recognise it in a pattern and what it holds.
struct Ctor {
    /// How a person writes it (`Shape.Rect`, `Some`, `true`; empty for a tuple).
    name: String,
    /// What a pattern of this constructor is called by [`InferCtx::variant_key`], or the
    /// boolean it is.
    key: CtorKey,
    /// The types of its fields.
    fields: Vec<Ty>,
}

enum CtorKey {
    Variant(String),
    Bool(bool),
    /// The only constructor of a tuple or of `()`.
    Tuple,
}

impl InferCtx<'_> {
    /// What the unguarded arms leave uncovered, described for a person, or `None` when
    /// they cover every value.
    pub(super) fn missing_patterns(&self, ty: &Ty, arms: &[MatchArm]) -> Option<String> {
        if ty.references_error() {
            return None;
        }
        let rows: Vec<Row> =
            arms.iter().filter(|a| a.guard.is_none()).map(|a| vec![Some(a.pat)]).collect();
        let rows = self.expand_or(&rows);
        let Some(ctors) = self.ctors(ty) else {
            // Integers, strings and the like: only an arm that matches anything covers them.
            self.missing(std::slice::from_ref(ty), &rows)?;
            return Some(
                match ty {
                    Ty::Int(_) | Ty::Var(_, VarKind::Int) => "integers other than the listed ones",
                    Ty::String => "strings other than the listed ones",
                    _ => "values other than the listed ones",
                }
                .to_owned(),
            );
        };
        // Every constructor that is not covered, each with one value it misses.
        let missing: Vec<String> = ctors
            .iter()
            .filter_map(|ctor| {
                let rows = self.specialize(&rows, ctor);
                let fields = self.missing(&ctor.fields, &rows)?;
                Some(format!("`{}`", display(ctor, &fields)))
            })
            .collect();
        (!missing.is_empty()).then(|| missing.join(", "))
    }

    /// One list of values (one per column of `tys`) that no row of `rows` matches,
    /// written as patterns, or `None` when the rows match every such list.
    fn missing(&self, tys: &[Ty], rows: &[Row]) -> Option<Vec<String>> {
        let Some((first, rest)) = tys.split_first() else {
            return rows.is_empty().then(Vec::new);
        };
        let rows = self.expand_or(rows);
        let first = self.resolve(first);
        let Some(ctors) = self.ctors(&first) else {
            // Only the rows that match anything in this column go on.
            let rows: Vec<Row> = rows
                .iter()
                .filter(|row| row[0].is_none_or(|p| self.irrefutable(p)))
                .map(|row| row[1..].to_vec())
                .collect();
            let mut rest = self.missing(rest, &rows)?;
            rest.insert(0, "_".to_owned());
            return Some(rest);
        };
        ctors.iter().find_map(|ctor| {
            let mut tys = ctor.fields.clone();
            tys.extend_from_slice(rest);
            let found = self.missing(&tys, &self.specialize(&rows, ctor))?;
            let (fields, rest) = found.split_at(ctor.fields.len());
            let mut values = vec![display(ctor, fields)];
            values.extend_from_slice(rest);
            Some(values)
        })
    }

    /// The constructors of `ty`, or `None` for a type whose values cannot be listed.
    fn ctors(&self, ty: &Ty) -> Option<Vec<Ctor>> {
        let variant = |name: String, fields: Vec<Ty>| Ctor {
            key: CtorKey::Variant(name.clone()),
            name,
            fields,
        };
        Some(match ty {
            Ty::Enum(loc) => {
                let enum_name = type_name(self.db, ty).unwrap_or_default();
                enum_variants(self.db, *loc)
                    .into_iter()
                    .map(|(name, fields)| variant(format!("{enum_name}.{name}"), fields))
                    .collect()
            }
            Ty::Option(inner) => {
                vec![
                    variant("Some".into(), vec![(**inner).clone()]),
                    variant("None".into(), vec![]),
                ]
            }
            Ty::Result(ok, err) => vec![
                variant("Ok".into(), vec![(**ok).clone()]),
                variant("Err".into(), vec![(**err).clone()]),
            ],
            Ty::Bool => [true, false]
                .into_iter()
                .map(|b| Ctor { name: b.to_string(), key: CtorKey::Bool(b), fields: Vec::new() })
                .collect(),
            Ty::Tuple(elems) => {
                vec![Ctor { name: String::new(), key: CtorKey::Tuple, fields: elems.clone() }]
            }
            Ty::Unit => vec![Ctor { name: String::new(), key: CtorKey::Tuple, fields: Vec::new() }],
            // No value to miss.
            Ty::Never => Vec::new(),
            _ => return None,
        })
    }

    /// The rows that admit `ctor` in their first column, with that column replaced by the
    /// patterns of its fields.
    fn specialize(&self, rows: &[Row], ctor: &Ctor) -> Vec<Row> {
        let arity = ctor.fields.len();
        rows.iter()
            .filter_map(|row| {
                let fields: Row = match row[0].map(|p| (p, &self.body.pats[p])) {
                    None => vec![None; arity],
                    Some((p, _)) if self.irrefutable(p) => vec![None; arity],
                    Some((p, Pat::Variant { fields, .. })) => match &ctor.key {
                        CtorKey::Variant(name) if self.variant_key(p) == *name => {
                            let fields = fields.as_deref().unwrap_or(&[]);
                            // A wrong field count is reported elsewhere; pad or cut it.
                            (0..arity).map(|i| fields.get(i).copied()).collect()
                        }
                        _ => return None,
                    },
                    Some((_, Pat::Literal(Literal::Bool(b), _))) => match ctor.key {
                        CtorKey::Bool(value) if value == *b => Vec::new(),
                        _ => return None,
                    },
                    Some((_, Pat::Tuple(elems))) if matches!(ctor.key, CtorKey::Tuple) => {
                        (0..arity).map(|i| elems.get(i).copied()).collect()
                    }
                    Some(_) => return None,
                };
                let mut specialized = fields;
                specialized.extend_from_slice(&row[1..]);
                Some(specialized)
            })
            .collect()
    }

    /// `rows` with each or-pattern in the first column split into one row per
    /// alternative.
    fn expand_or(&self, rows: &[Row]) -> Vec<Row> {
        let mut expanded = Vec::with_capacity(rows.len());
        let mut pending: Vec<Row> = rows.iter().rev().cloned().collect();
        while let Some(row) = pending.pop() {
            match row[0].map(|p| &self.body.pats[p]) {
                Some(Pat::Or(alternatives)) => {
                    for &alternative in alternatives.iter().rev() {
                        let mut split = row.clone();
                        split[0] = Some(alternative);
                        pending.push(split);
                    }
                }
                _ => expanded.push(row),
            }
        }
        expanded
    }

    /// Whether `pat` matches every value of its type.
    pub(super) fn irrefutable(&self, pat: PatId) -> bool {
        match &self.body.pats[pat] {
            Pat::Wild | Pat::Bind(_) | Pat::Missing | Pat::Unsupported(_) => true,
            Pat::Or(alternatives) => alternatives.iter().any(|&p| self.irrefutable(p)),
            Pat::Tuple(elems) => elems.iter().all(|&p| self.irrefutable(p)),
            Pat::Literal(..) | Pat::Variant { .. } => false,
        }
    }

    /// The variant a variant pattern names: `Enum.Variant` for user enums, bare for the
    /// builtin ones (`Some`, also when written `Option.Some`).
    fn variant_key(&self, pat: PatId) -> String {
        match &self.body.pats[pat] {
            Pat::Variant { ty, variant, .. } => {
                if self.scope.get(ty).is_none()
                    && BuiltinVariant::from_name(Some(ty), variant).is_some()
                {
                    variant.to_string()
                } else {
                    format!("{ty}.{variant}")
                }
            }
            _ => String::new(),
        }
    }
}

/// `ctor` holding `fields` (patterns), written as in source: `Name(..)` when every field
/// is unconstrained.
fn display(ctor: &Ctor, fields: &[String]) -> String {
    match ctor.key {
        CtorKey::Tuple => format!("({})", fields.join(", ")),
        _ if fields.is_empty() => ctor.name.clone(),
        _ if fields.iter().all(|f| f == "_") => format!("{}(..)", ctor.name),
        _ => format!("{}({})", ctor.name, fields.join(", ")),
    }
}
