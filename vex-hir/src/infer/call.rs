//! Inference of names, `Type.member` paths and calls: what a name or path resolves to
//! (functions, externs, constants, builtins, enum variants, associated functions),
//! argument checking, method calls, builtin calls with print templates, and struct
//! literals.

use super::{FixAt, HirNode, InferCtx, InferDiagnostic, InferFix, Resolution};
use crate::body::{Expr, ExprId, Literal, Name, TemplatePiece, split_template};
use crate::builtins::{Builtin, BuiltinVariant};
use crate::diagnostics::Code;
use crate::ids::{EnumLoc, FunctionLoc};
use crate::scope::ItemRef;
use crate::signature::{
    Signature, const_type, enum_variants, extern_signature, signature_of, struct_fields,
};
use crate::ty::{FnTy, IntTy, Ty, VarKind};

impl InferCtx<'_> {
    fn resolve_name(&self, name: &str) -> Option<Resolution> {
        if let Some(builtin) = name.strip_prefix('$') {
            return Builtin::from_name(builtin).map(Resolution::Builtin);
        }
        match self.scope.get(name) {
            Some(ItemRef::Function(loc)) => Some(Resolution::Function(loc)),
            Some(ItemRef::Extern(loc)) => Some(Resolution::Extern(loc)),
            Some(ItemRef::Const(loc)) => Some(Resolution::Const(loc)),
            Some(ItemRef::Struct(_) | ItemRef::Enum(_)) => None,
            None => Builtin::from_name(name)
                .map(Resolution::Builtin)
                .or_else(|| BuiltinVariant::from_name(None, name).map(Resolution::BuiltinVariant)),
        }
    }

    /// The type of a named function used as a value (LANGUAGE.md §10).
    fn function_value(sig: &Signature) -> Ty {
        Ty::Fn(FnTy { params: sig.params.clone(), ret: Box::new(sig.call_result()), once: false })
    }

    fn unknown_name(&mut self, expr: ExprId, name: &str) -> Ty {
        let message = match self.scope.get(name) {
            Some(ItemRef::Struct(_) | ItemRef::Enum(_)) => {
                format!("`{name}` is a type, not a value")
            }
            _ if name.starts_with('$') => format!("unknown builtin `{name}`"),
            _ => format!("cannot find `{name}` in this scope"),
        };
        let fix = self.similar_name(expr, name).map(|candidate| InferFix {
            message: format!("did you mean `{candidate}`?"),
            edits: vec![(FixAt::Replace(HirNode::Expr(expr)), candidate)],
        });
        self.result.diagnostics.push(InferDiagnostic {
            code: Code::UnknownName,
            message,
            at: HirNode::Expr(expr),
            label: None,
            note: None,
            fix,
        });
        Ty::Error
    }

    /// The value name closest to the unknown `name` (used at `expr`) by edit distance,
    /// if one is close enough to be a misspelling (at most a third of the name's length;
    /// a swap of two neighbours counts as one edit):
    /// the locals in scope there, the program's functions, consts and externs, and the
    /// builtins (`$name` only among builtins). Ties go to the alphabetically first.
    fn similar_name(&self, expr: ExprId, name: &str) -> Option<String> {
        let (prefix, bare) = match name.strip_prefix('$') {
            Some(bare) => ("$", bare),
            None => ("", name),
        };
        let limit = (bare.chars().count() / 3).max(1);
        let builtins = Builtin::BY_NAME.iter().map(|(n, _)| *n);
        let mut candidates: Vec<&str> = builtins.collect();
        if prefix.is_empty() {
            let in_scope = self.body.locals_in_scope.get(expr).map_or(&[][..], |l| &l[..]);
            candidates.extend(in_scope.iter().map(|&l| &*self.body.locals[l].name));
            candidates.extend(self.scope.items.iter().filter_map(|(n, item)| match item {
                ItemRef::Function(_) | ItemRef::Const(_) | ItemRef::Extern(_) => Some(&**n),
                ItemRef::Struct(_) | ItemRef::Enum(_) => None,
            }));
        }
        candidates
            .into_iter()
            .filter(|c| *c != bare && !c.starts_with('{'))
            .map(|c| (strsim::osa_distance(bare, c), c))
            .filter(|&(d, _)| d <= limit)
            .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
            .map(|(_, c)| format!("{prefix}{c}"))
    }

    pub(super) fn infer_name_value(&mut self, expr: ExprId, name: &Name) -> Ty {
        match self.resolve_name(name) {
            Some(Resolution::Const(loc)) => {
                self.result.resolutions.insert(expr, Resolution::Const(loc));
                const_type(self.db, loc)
            }
            Some(Resolution::Function(loc)) => {
                self.result.resolutions.insert(expr, Resolution::Function(loc));
                Self::function_value(&signature_of(self.db, loc))
            }
            Some(Resolution::Extern(loc)) => {
                self.result.resolutions.insert(expr, Resolution::Extern(loc));
                Self::function_value(&extern_signature(self.db, loc))
            }
            Some(Resolution::BuiltinVariant(BuiltinVariant::None)) => {
                self.result
                    .resolutions
                    .insert(expr, Resolution::BuiltinVariant(BuiltinVariant::None));
                self.variant_type(BuiltinVariant::None, Ty::Unit)
            }
            Some(Resolution::BuiltinVariant(variant)) => {
                let message =
                    format!("`{}` carries a value; write `{}(…)`", variant.name(), variant.name());
                self.report(Code::ArgumentCount, HirNode::Expr(expr), message);
                Ty::Error
            }
            Some(_) => {
                let message = format!(
                    "`{name}` is a builtin; builtins are called, not used as values (wrap it in a closure)"
                );
                self.report(Code::NotSupported, HirNode::Expr(expr), message);
                Ty::Error
            }
            None => self.unknown_name(expr, name),
        }
    }

    /// `Type.member` where a value is expected: a variant without payload, or an
    /// associated function as a function value.
    pub(super) fn infer_path_value(&mut self, expr: ExprId, ty: &Name, member: &Name) -> Ty {
        match self.resolve_path(expr, ty, member) {
            Some(PathTarget::BuiltinVariant(variant)) => {
                self.result.resolutions.insert(expr, Resolution::BuiltinVariant(variant));
                if variant.has_payload() {
                    let message =
                        format!("`{ty}.{member}` carries a value; write `{ty}.{member}(…)`");
                    self.report(Code::ArgumentCount, HirNode::Expr(expr), message);
                }
                self.variant_type(variant, Ty::Error)
            }
            Some(PathTarget::Builtin(_)) => {
                let message = format!("`{ty}.{member}` is a builtin; call it: `{ty}.{member}(…)`");
                self.report(Code::NotSupported, HirNode::Expr(expr), message);
                Ty::Error
            }
            Some(PathTarget::Variant(loc, index, payload)) => {
                self.result.resolutions.insert(expr, Resolution::Variant(loc, index));
                if !payload.is_empty() {
                    let message = format!(
                        "variant `{ty}.{member}` carries {} value{}; write `{ty}.{member}(…)`",
                        payload.len(),
                        if payload.len() == 1 { "" } else { "s" }
                    );
                    self.report(Code::ArgumentCount, HirNode::Expr(expr), message);
                }
                Ty::Enum(loc)
            }
            Some(PathTarget::Function(loc)) => {
                self.result.resolutions.insert(expr, Resolution::Function(loc));
                Self::function_value(&signature_of(self.db, loc))
            }
            None => Ty::Error,
        }
    }

    fn resolve_path(&mut self, expr: ExprId, ty: &Name, member: &Name) -> Option<PathTarget> {
        if Builtin::TYPES.contains(&&**ty) && self.scope.get(ty).is_none() {
            let target = BuiltinVariant::from_name(Some(ty), member)
                .map(PathTarget::BuiltinVariant)
                .or_else(|| Builtin::associated(ty, member).map(PathTarget::Builtin));
            if target.is_none() {
                let message = format!("no variant or associated function `{member}` in `{ty}`");
                self.report(Code::UnknownMember, HirNode::Expr(expr), message);
            }
            return target;
        }
        match self.scope.get(ty) {
            Some(ItemRef::Enum(loc)) => {
                let variants = enum_variants(self.db, loc);
                if let Some(i) = variants.iter().position(|(n, _)| n == member) {
                    return Some(PathTarget::Variant(loc, i as u32, variants[i].1.clone()));
                }
                if let Some(&f) = self.scope.associated.get(&(ty.clone(), member.clone())) {
                    return Some(PathTarget::Function(f));
                }
                let message = format!("no variant or associated function `{member}` in `{ty}`");
                self.report(Code::UnknownMember, HirNode::Expr(expr), message);
                None
            }
            Some(ItemRef::Struct(_)) => {
                if let Some(&f) = self.scope.associated.get(&(ty.clone(), member.clone())) {
                    return Some(PathTarget::Function(f));
                }
                let message = format!("no associated function `{member}` in `{ty}`");
                self.report(Code::UnknownMember, HirNode::Expr(expr), message);
                None
            }
            Some(ItemRef::Const(_)) => {
                // `LIMIT.max(…)` reads as a path when `LIMIT` is not a local; the value is
                // meant, which the parentheses say.
                self.result.diagnostics.push(InferDiagnostic {
                    code: Code::UnknownName,
                    message: format!(
                        "`{ty}` is a constant, not a type: `{ty}.{member}` is read as a path"
                    ),
                    at: HirNode::Expr(expr),
                    label: None,
                    note: None,
                    fix: Some(InferFix {
                        message: format!("use the constant's value: `({ty}).{member}`"),
                        edits: vec![(
                            FixAt::Replace(HirNode::Expr(expr)),
                            format!("({ty}).{member}"),
                        )],
                    }),
                });
                None
            }
            _ => {
                self.report(
                    Code::UnknownName,
                    HirNode::Expr(expr),
                    format!("cannot find type `{ty}` in this scope"),
                );
                None
            }
        }
    }

    pub(super) fn infer_call(&mut self, expr: ExprId, callee: ExprId, args: &[ExprId]) -> Ty {
        let body = self.body;
        let sig = match &body.exprs[callee] {
            Expr::Name(name)
                if matches!(self.resolve_name(name), Some(Resolution::BuiltinVariant(_))) =>
            {
                let Some(Resolution::BuiltinVariant(variant)) = self.resolve_name(name) else {
                    return Ty::Error;
                };
                self.result.resolutions.insert(callee, Resolution::BuiltinVariant(variant));
                self.result.expr_types.insert(callee, Ty::Error);
                return self.infer_variant_call(expr, variant, args);
            }
            Expr::Name(name) => match self.resolve_name(name) {
                Some(Resolution::Function(loc)) => {
                    self.result.resolutions.insert(callee, Resolution::Function(loc));
                    Some((*signature_of(self.db, loc)).clone())
                }
                Some(Resolution::Extern(loc)) => {
                    self.result.resolutions.insert(callee, Resolution::Extern(loc));
                    Some(extern_signature(self.db, loc))
                }
                Some(Resolution::Builtin(builtin)) => {
                    self.result.resolutions.insert(callee, Resolution::Builtin(builtin));
                    self.result.expr_types.insert(callee, Ty::Error);
                    return self.infer_builtin_call(expr, builtin, args);
                }
                Some(Resolution::Const(_)) | Some(_) => {
                    let message = format!("`{name}` is not a function");
                    self.report(Code::NotCallable, HirNode::Expr(callee), message);
                    None
                }
                None => {
                    self.unknown_name(callee, name);
                    None
                }
            },
            Expr::Path { ty, member, type_args } => match self.resolve_path(callee, ty, member) {
                Some(PathTarget::BuiltinVariant(variant)) => {
                    self.result.resolutions.insert(callee, Resolution::BuiltinVariant(variant));
                    self.result.expr_types.insert(callee, Ty::Error);
                    return self.infer_variant_call(expr, variant, args);
                }
                Some(PathTarget::Builtin(builtin)) => {
                    self.result.resolutions.insert(callee, Resolution::Builtin(builtin));
                    self.result.expr_types.insert(callee, Ty::Error);
                    return self.infer_associated_builtin(expr, callee, builtin, type_args, args);
                }
                Some(PathTarget::Variant(loc, index, payload)) => {
                    self.result.resolutions.insert(callee, Resolution::Variant(loc, index));
                    Some(Signature { params: payload, ret: Ty::Enum(loc), is_async: false })
                }
                Some(PathTarget::Function(loc)) => {
                    self.result.resolutions.insert(callee, Resolution::Function(loc));
                    Some((*signature_of(self.db, loc)).clone())
                }
                None => None,
            },
            _ => {
                // A function value: a local, a field, a call's result, a closure.
                let callee_ty = self.infer_expr(callee);
                return self.call_value(expr, callee, &callee_ty, args);
            }
        };
        self.result.expr_types.insert(callee, Ty::Error);
        match sig {
            Some(sig) => {
                self.check_args(expr, &sig.params, args);
                sig.call_result()
            }
            None => {
                for &arg in args {
                    self.infer_expr(arg);
                }
                Ty::Error
            }
        }
    }

    /// A call of a function value of type `callee_ty`.
    fn call_value(&mut self, expr: ExprId, callee: ExprId, callee_ty: &Ty, args: &[ExprId]) -> Ty {
        match self.shallow(callee_ty) {
            Ty::Fn(fn_ty) => {
                self.check_args(expr, &fn_ty.params, args);
                *fn_ty.ret
            }
            Ty::Var(_, VarKind::General) => {
                // Not known yet (an unannotated closure parameter): a function of these
                // arguments.
                let params: Vec<Ty> = args.iter().map(|_| self.new_var(VarKind::General)).collect();
                let ret = self.new_var(VarKind::General);
                let fn_ty = Ty::Fn(FnTy {
                    params: params.clone(),
                    ret: Box::new(ret.clone()),
                    once: false,
                });
                self.coerce(callee, callee_ty, &fn_ty);
                self.check_args(expr, &params, args);
                ret
            }
            Ty::Error | Ty::Never => {
                for &arg in args {
                    self.infer_expr(arg);
                }
                Ty::Error
            }
            other => {
                let message =
                    format!("this is not a function: it has type `{}`", self.display(&other));
                self.report(Code::NotCallable, HirNode::Expr(callee), message);
                for &arg in args {
                    self.infer_expr(arg);
                }
                Ty::Error
            }
        }
    }

    pub(super) fn check_args(&mut self, call: ExprId, params: &[Ty], args: &[ExprId]) {
        if params.len() != args.len() {
            let message = format!(
                "this call takes {} argument{} but {} {} supplied",
                params.len(),
                if params.len() == 1 { "" } else { "s" },
                args.len(),
                if args.len() == 1 { "was" } else { "were" }
            );
            self.report(Code::ArgumentCount, HirNode::Expr(call), message);
        }
        for (i, &arg) in args.iter().enumerate() {
            match params.get(i) {
                Some(param) => {
                    self.check_expr(arg, param);
                }
                None => {
                    self.infer_expr(arg);
                }
            }
        }
    }

    pub(super) fn infer_method_call(
        &mut self,
        expr: ExprId,
        receiver: ExprId,
        method: &Name,
        args: &[ExprId],
    ) -> Ty {
        let receiver_ty = self.infer_expr(receiver);
        let resolved = self.shallow(&receiver_ty);
        let type_name = crate::signature::type_name(self.db, &resolved);
        let target = type_name.as_ref().and_then(|name| {
            self.scope.methods.get(&(name.as_str().into(), method.clone())).copied()
        });
        match target {
            Some(loc) => {
                self.result.resolutions.insert(expr, Resolution::Function(loc));
                let sig = signature_of(self.db, loc);
                if let Some(self_ty) = sig.params.first() {
                    self.coerce(receiver, &receiver_ty, self_ty);
                }
                let rest = sig.params.get(1..).unwrap_or(&[]);
                self.check_args(expr, rest, args);
                sig.call_result()
            }
            None if self.builtin_method(&resolved, method).is_some() => {
                let Some(builtin) = self.builtin_method(&resolved, method) else {
                    return Ty::Error;
                };
                self.infer_builtin_method(expr, receiver, &resolved, builtin, args)
            }
            None if self.fn_field(&resolved, method).is_some() => {
                // `s.field(x)`: a field of function type, called (LANGUAGE.md §10).
                let Some((index, field_ty)) = self.fn_field(&resolved, method) else {
                    return Ty::Error;
                };
                self.result.resolutions.insert(expr, Resolution::Field(index));
                self.call_value(expr, receiver, &field_ty, args)
            }
            None => {
                if resolved != Ty::Error {
                    let message =
                        format!("no method `{method}` on type `{}`", self.display(&receiver_ty));
                    self.report(Code::UnknownMember, HirNode::Expr(expr), message);
                }
                for &arg in args {
                    self.infer_expr(arg);
                }
                Ty::Error
            }
        }
    }

    /// The field called `name` of a struct type, when it holds a function value.
    fn fn_field(&self, ty: &Ty, name: &str) -> Option<(u32, Ty)> {
        let Ty::Struct(loc) = ty else { return None };
        let fields = struct_fields(self.db, *loc);
        let index = fields.iter().position(|(n, _)| &**n == name)?;
        matches!(fields[index].1, Ty::Fn(_)).then(|| (index as u32, fields[index].1.clone()))
    }

    fn infer_builtin_call(&mut self, expr: ExprId, builtin: Builtin, args: &[ExprId]) -> Ty {
        let i64_ty = Ty::Int(IntTy::I64);
        let unit_future = Ty::Future(Box::new(Ty::Unit));
        match builtin {
            b if b.is_print() => {
                if args.len() > 1 {
                    self.check_template(expr, args);
                } else if let Some(&arg) = args.first() {
                    let ty = self.infer_expr(arg);
                    self.check_printable(arg, &ty);
                }
                Ty::Unit
            }
            Builtin::Assert => {
                if args.is_empty() || args.len() > 2 {
                    self.report(
                        Code::ArgumentCount,
                        HirNode::Expr(expr),
                        format!("`assert` takes a condition and an optional message, but {} arguments were supplied", args.len()),
                    );
                }
                if let Some(&cond) = args.first() {
                    self.check_expr(cond, &Ty::Bool);
                }
                for &extra in args.iter().skip(1) {
                    self.check_expr(extra, &Ty::String);
                }
                Ty::Unit
            }
            Builtin::Panic => {
                self.check_args(expr, &[Ty::String], args);
                Ty::Never
            }
            Builtin::AsyncSleep => {
                self.check_args(expr, &[i64_ty], args);
                unit_future
            }
            Builtin::YieldNow => {
                self.check_args(expr, &[], args);
                unit_future
            }
            Builtin::NowMs => {
                self.check_args(expr, &[], args);
                i64_ty
            }
            Builtin::IsCancelled => {
                self.check_args(expr, &[], args);
                Ty::Bool
            }
            Builtin::Cancel => {
                let any_future = Ty::Future(Box::new(self.new_var(VarKind::General)));
                self.check_args(expr, &[any_future], args);
                Ty::Unit
            }
            b if b.is_combinator() => self.infer_combinator(expr, b, args),
            b => match super::io::io_builtin_signature(b) {
                Some(sig) => self.infer_io_call(expr, sig, args),
                None => Ty::Error,
            },
        }
    }

    /// `$println("a = {}, b = {}", a, b)`: a literal template whose placeholders match
    /// the arguments, each printable.
    fn check_template(&mut self, expr: ExprId, args: &[ExprId]) {
        let template = args[0];
        self.check_expr(template, &Ty::String);
        let placeholders = match &self.body.exprs[template] {
            Expr::Literal(Literal::String(text)) => split_template(text)
                .iter()
                .filter(|p| matches!(p, TemplatePiece::Placeholder))
                .count(),
            _ => {
                self.report(
                    Code::FormatArguments,
                    HirNode::Expr(template),
                    "a print with several arguments takes a string literal template first"
                        .to_owned(),
                );
                args.len() - 1
            }
        };
        let values = &args[1..];
        if placeholders != values.len() {
            let message = format!(
                "the template has {placeholders} `{{}}` placeholder{} but {} value{} supplied",
                if placeholders == 1 { "" } else { "s" },
                values.len(),
                if values.len() == 1 { " was" } else { "s were" }
            );
            self.report(Code::FormatArguments, HirNode::Expr(expr), message);
        }
        for &value in values {
            let ty = self.infer_expr(value);
            self.check_printable(value, &ty);
        }
    }

    pub(super) fn infer_struct_lit(
        &mut self,
        expr: ExprId,
        name: &Name,
        fields: &[(Name, ExprId)],
    ) -> Ty {
        let Some(ItemRef::Struct(loc)) = self.scope.get(name) else {
            let message = match self.scope.get(name) {
                Some(_) => format!("`{name}` is not a struct"),
                None => format!("cannot find struct `{name}` in this scope"),
            };
            self.report(Code::UnknownName, HirNode::Expr(expr), message);
            for (_, value) in fields {
                self.infer_expr(*value);
            }
            return Ty::Error;
        };
        let declared = struct_fields(self.db, loc);
        let mut seen: Vec<&Name> = Vec::new();
        for (field, value) in fields {
            match declared.iter().find(|(n, _)| n == field) {
                Some((_, ty)) => {
                    if seen.contains(&field) {
                        let message = format!("field `{field}` is given twice");
                        self.report(Code::InvalidStructLiteral, HirNode::Expr(*value), message);
                    }
                    seen.push(field);
                    self.check_expr(*value, ty);
                }
                None => {
                    let message = format!("struct `{name}` has no field `{field}`");
                    self.report(Code::InvalidStructLiteral, HirNode::Expr(*value), message);
                    self.infer_expr(*value);
                }
            }
        }
        let missing: Vec<String> = declared
            .iter()
            .filter(|(n, _)| !seen.contains(&n))
            .map(|(n, _)| format!("`{n}`"))
            .collect();
        if !missing.is_empty() {
            let message = format!(
                "missing field{} {} in struct literal of `{name}`",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            );
            self.report(Code::InvalidStructLiteral, HirNode::Expr(expr), message);
        }
        Ty::Struct(loc)
    }
}

enum PathTarget {
    Variant(EnumLoc, u32, Vec<Ty>),
    Function(FunctionLoc),
    BuiltinVariant(BuiltinVariant),
    Builtin(Builtin),
}
