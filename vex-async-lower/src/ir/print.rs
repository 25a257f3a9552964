//! The stable text form of the IR (`Display`), used by snapshot tests and `vex emit ir`.
//!
//! One line per local, statement and terminator; locals are `%n` (their source name as a
//! comment at the declaration), blocks `bbN`. The format changes only deliberately:
//! snapshot tests pin it.
//!
//! The alternate form (`{:#}`, `vex emit` leaves it off) adds source locations: the
//! function header ends in `@ FILE:LINE:COL` (its definition) and every statement and
//! terminator in `@ LINE:COL` (file line, 0 for an unknown column).

use std::fmt::{self, Display, Formatter, Write as _};

use super::*;

impl Display for Type {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Type::Unit => f.write_str("()"),
            Type::Bool => f.write_str("bool"),
            Type::Int(int) => f.write_str(int.name()),
            Type::Float(float) => f.write_str(float.name()),
            Type::String => f.write_str("string"),
            Type::Future(inner) => write!(f, "Future<{inner}>"),
            Type::Option(inner) => write!(f, "Option<{inner}>"),
            Type::Result(ok, err) => write!(f, "Result<{ok}, {err}>"),
            Type::Vec(elem) => write!(f, "Vec<{elem}>"),
            Type::Channel(elem) => write!(f, "Channel<{elem}>"),
            Type::Io(io) => f.write_str(io.name()),
            Type::Waiter(elem) => write!(f, "waiter<{elem}>"),
            Type::Select(n) => write!(f, "select<{n}>"),
            Type::Fn(params, ret) => {
                f.write_str("fn(")?;
                for (i, param) in params.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{param}")?;
                }
                write!(f, "): {ret}")
            }
            Type::Tuple(elems) => {
                f.write_str("(")?;
                for (i, elem) in elems.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{elem}")?;
                }
                f.write_str(")")
            }
            Type::Array(elem, n) => write!(f, "[{elem}; {n}]"),
            Type::Struct(name) | Type::Enum(name) => f.write_str(name),
            Type::StatePtr(name) => write!(f, "*{name}"),
            Type::EnvPtr(Some(name)) => write!(f, "env *{name}"),
            Type::EnvPtr(None) => f.write_str("env"),
            Type::CoroStatus => f.write_str("CoroStatus"),
            Type::DeferList => f.write_str("DeferList"),
        }
    }
}

impl Display for Const {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Const::Unit => f.write_str("()"),
            Const::Bool(b) => write!(f, "{b}"),
            Const::Int(v, ty) => write!(f, "{v}{}", ty.name()),
            Const::Float(bits, ty) => write!(f, "{:?}{}", f64::from_bits(*bits), ty.name()),
            Const::Str(s) => write!(f, "{s:?}"),
            Const::NullFuture(_) => f.write_str("null"),
            Const::Status(CoroStatus::Yielded) => f.write_str("YIELDED"),
            Const::Status(CoroStatus::Done) => f.write_str("DONE"),
            Const::NullDeferList => f.write_str("no_defers"),
            Const::EmptyVec(_) => f.write_str("empty_vec"),
        }
    }
}

impl Display for Place {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.local)?;
        for proj in &self.proj {
            match proj {
                Proj::Field(n) => write!(f, ".{n}")?,
                Proj::Index(local) => write!(f, "[{local}]")?,
                Proj::Elem(local) => write!(f, "->[{local}]")?,
                Proj::Slot => f.write_str(".slot")?,
                Proj::Payload { variant, field } => write!(f, ".v{variant}.{field}")?,
            }
        }
        Ok(())
    }
}

impl Display for Operand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Copy(place) => write!(f, "{place}"),
            Operand::Const(c) => write!(f, "{c}"),
        }
    }
}

fn list<T: Display>(items: &[T]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{item}");
    }
    out
}

impl Display for Rvalue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Rvalue::Use(op) => write!(f, "{op}"),
            Rvalue::Unary(UnOp::Neg, op) => write!(f, "neg {op}"),
            Rvalue::Unary(UnOp::Not, op) => write!(f, "not {op}"),
            Rvalue::Binary(op, a, b) => write!(f, "{} {a}, {b}", op.name()),
            Rvalue::Cast(op, ty) => write!(f, "cast {op} as {ty}"),
            Rvalue::Aggregate(kind, ops) => match kind {
                AggregateKind::Tuple => write!(f, "tuple({})", list(ops)),
                AggregateKind::Array(_) => write!(f, "array[{}]", list(ops)),
                AggregateKind::Struct(name) => write!(f, "{name} {{ {} }}", list(ops)),
                AggregateKind::Variant(ty, v) => write!(f, "{ty}#{v}({})", list(ops)),
            },
            Rvalue::Repeat(op, n) => write!(f, "array[{op}; {n}]"),
            Rvalue::Discriminant(place) => write!(f, "discriminant {place}"),
            Rvalue::FnValue { func, env: Some(env) } => write!(f, "fn {func} with {env}"),
            Rvalue::FnValue { func, env: None } => write!(f, "fn {func}"),
        }
    }
}

impl Display for Stmt {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let dest = |place: &Option<Place>| match place {
            Some(p) => format!("{p} = "),
            None => String::new(),
        };
        match self {
            Stmt::Assign(place, rvalue) => write!(f, "{place} = {rvalue}"),
            Stmt::Call { dest: d, func, args } => {
                write!(f, "{}call {func}({})", dest(d), list(args))
            }
            Stmt::CallExtern { dest: d, func, args } => {
                write!(f, "{}call extern {func}({})", dest(d), list(args))
            }
            Stmt::Runtime { dest: d, op, args } => {
                if let Some(d) = d {
                    write!(f, "{d} = ")?;
                }
                write!(f, "rt {}({})", op.name(), list(args))
            }
            Stmt::Retain(place) => write!(f, "retain {place}"),
            Stmt::Release(place) => write!(f, "release {place}"),
            Stmt::TakeFuture { outcome, future, result } => {
                write!(f, "{outcome} = rt future_take({future}")?;
                if let Some(result) = result {
                    write!(f, ", &{result}")?;
                }
                f.write_str(")")
            }
            Stmt::LoadState { dest, state, field } => write!(f, "{dest} = load {state}->{field}"),
            Stmt::StoreState { state, field, value } => {
                write!(f, "store {state}->{field} = {value}")
            }
            Stmt::TaskAlloc { dest } => write!(f, "{dest} = rt task_alloc()"),
            Stmt::CallValue { dest: d, callee, args } => {
                write!(f, "{}call value {callee}({})", dest(d), list(args))
            }
            Stmt::EnvAlloc { dest } => write!(f, "{dest} = rt env_alloc()"),
            Stmt::Update { place, op, args, dest } => {
                if let Some(d) = dest {
                    write!(f, "{d} = ")?;
                }
                write!(f, "update {place} {}({})", op.name(), list(args))
            }
        }
    }
}

impl Display for Terminator {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Terminator::Goto(b) => write!(f, "goto {b}"),
            Terminator::Branch { cond, then_block, else_block } => {
                write!(f, "branch {cond}, {then_block}, {else_block}")
            }
            Terminator::Switch { value, cases, default } => {
                write!(f, "switch {value} [")?;
                for (v, b) in cases {
                    write!(f, "{v} => {b}, ")?;
                }
                write!(f, "_ => {default}]")
            }
            Terminator::Return(None) => f.write_str("return"),
            Terminator::Return(Some(v)) => write!(f, "return {v}"),
            Terminator::Panic { loc, message } => {
                write!(f, "panic {}:{}:{} {message}", loc.file, loc.line, loc.col)
            }
            Terminator::Unreachable => f.write_str("unreachable"),
            Terminator::Await { future, dest, next, cancel } => {
                f.write_str("await ")?;
                write!(f, "{future}")?;
                if let Some(dest) = dest {
                    write!(f, " -> {dest}")?;
                }
                write!(f, ", {next}, cancel {cancel}")
            }
            Terminator::Sleep { ms, next, cancel } => {
                write!(f, "sleep {ms}, {next}, cancel {cancel}")
            }
            Terminator::Yield { next, cancel } => write!(f, "yield {next}, cancel {cancel}"),
            Terminator::Park { next } => write!(f, "park {next}"),
            Terminator::CancelExit => f.write_str("cancel_exit"),
        }
    }
}

impl Display for Function {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            FunctionKind::Sync => "fn",
            FunctionKind::Async => "async fn",
            FunctionKind::Resume { .. } => "resume fn",
            FunctionKind::DropResult { .. } => "drop_result fn",
            FunctionKind::EnvDrop { .. } => "env_drop fn",
            FunctionKind::Wrapper { .. } => "wrapper fn",
        };
        let params: Vec<String> =
            self.params.iter().map(|p| format!("{p}: {}", self.local_ty(*p))).collect();
        let located = f.alternate();
        write!(f, "{kind} {}({}) -> {} {{", self.name, params.join(", "), self.ret)?;
        if located {
            write!(f, " @ {}:{}:{}", self.loc.file, self.loc.line, self.loc.col)?;
        }
        writeln!(f)?;
        for (i, local) in self.locals.iter().enumerate() {
            writeln!(f, "    %{i}: {} // {}", local.ty, local.name)?;
        }
        let at = |loc: Loc| {
            if located {
                let (line, col) = self.line_col(loc);
                format!(" @ {line}:{col}")
            } else {
                String::new()
            }
        };
        for (i, block) in self.blocks.iter().enumerate() {
            writeln!(f, "  bb{i}:")?;
            for (stmt, loc) in block.stmts_with_locs() {
                writeln!(f, "    {stmt}{}", at(loc))?;
            }
            writeln!(f, "    {}{}", block.term, at(block.term_loc))?;
        }
        writeln!(f, "}}")
    }
}

impl Display for StructDef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(f, "struct {} size {} align {} {{", self.name, self.size, self.align)?;
        for field in &self.fields {
            writeln!(f, "    @{} {}: {}", field.offset, field.name, field.ty)?;
        }
        writeln!(f, "}}")
    }
}

impl Display for EnumDef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "enum {} {{", self.name)?;
        for (i, variant) in self.variants.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, " {}", variant.name)?;
            if !variant.fields.is_empty() {
                write!(f, "({})", list(&variant.fields))?;
            }
        }
        writeln!(f, " }}")
    }
}

impl Display for Module {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for def in &self.structs {
            write!(f, "{def}")?;
        }
        for def in &self.enums {
            write!(f, "{def}")?;
        }
        for ext in &self.externs {
            writeln!(f, "extern fn {}({}) -> {}", ext.name, list(&ext.params), ext.ret)?;
        }
        for (i, s) in self.string_literals().iter().enumerate() {
            writeln!(f, "string s{i} = {s:?}")?;
        }
        for function in &self.functions {
            writeln!(f)?;
            if f.alternate() {
                write!(f, "{function:#}")?;
            } else {
                write!(f, "{function}")?;
            }
        }
        Ok(())
    }
}
