//! The value layer of generated programs (LANGUAGE.md §8–§10): functions using `?`,
//! and expressions of `Option`, `Result`, `Vec` and function types.

use super::generator::{GenLocal, GenTy, Generator};

impl Generator {
    /// `hN(a: i64): Option<i64>` or `kN(a: i64): Result<i64, string>`, which use `?`.
    pub(super) fn try_function(&mut self, ty: GenTy) {
        let name = match ty {
            GenTy::Opt => format!("{}h{}", self.config.prefix, self.option_functions),
            _ => format!("{}k{}", self.config.prefix, self.result_functions),
        };
        self.line(&format!("fn {name}(a: i64): {} {{", ty.annotation()));
        self.indent += 1;
        self.in_async = false;
        self.scenarios_left = 0;
        self.try_into = Some(ty);
        self.scopes.push(vec![GenLocal { name: "a".into(), ty: GenTy::Int, mutable: false }]);
        let len = self.below(self.config.block_len) + 1;
        self.statements(len, self.config.depth.min(2));
        let value = self.expr(GenTy::Int, 1);
        let tail = match ty {
            GenTy::Opt if self.chance(30) => "None".to_owned(),
            GenTy::Opt => format!("Some({value})"),
            _ if self.chance(30) => format!("Err(\"k{}\")", self.result_functions),
            _ => format!("Ok({value})"),
        };
        self.line(&tail);
        self.scopes.pop();
        self.try_into = None;
        self.indent -= 1;
        self.line("}");
        match ty {
            GenTy::Opt => self.option_functions += 1,
            _ => self.result_functions += 1,
        }
    }

    /// An `i64` computed from a value of the value layer.
    pub(super) fn int_from_values(&mut self, depth: u32) -> String {
        let d = depth.saturating_sub(1);
        match self.below(8) {
            0 => format!("({} ?? {})", self.opt_expr(d), self.int_expr(d)),
            1 => format!("({}).or({})", self.res_expr(d), self.int_expr(d)),
            2 => format!("({}).len()", self.vec_expr(d)),
            3 => format!("({}).len()", self.str_expr(d)),
            4 => {
                let f = self.fun_expr(d);
                let arg = self.int_expr(d);
                match self.some_local(GenTy::Fun) {
                    Some(local) if self.chance(50) => format!("{local}({arg})"),
                    _ => format!("{}fold1({f}, {arg})", self.config.prefix),
                }
            }
            5 => {
                let item = self.fresh("z");
                let value = self.opt_expr(d);
                self.scopes.push(vec![GenLocal {
                    name: item.clone(),
                    ty: GenTy::Int,
                    mutable: false,
                }]);
                let some = self.int_expr(d);
                self.scopes.pop();
                let none = self.int_expr(d);
                format!("(match {value} {{ Some({item}) => {some}, None => {none} }})")
            }
            6 => format!("(({}).toInt() ?? {})", self.str_expr(d), self.int_expr(0)),
            _ => {
                let v = self.vec_expr(d);
                let x = self.int_expr(0);
                format!("(({v}).indexOf({x}) ?? -1)")
            }
        }
    }

    pub(super) fn opt_expr(&mut self, depth: u32) -> String {
        if let Some(local) = self.some_local(GenTy::Opt)
            && self.chance(40)
        {
            return local;
        }
        let d = depth.saturating_sub(1);
        match self.below(if depth == 0 { 2 } else { 8 }) {
            0 => format!("Some({})", self.int_expr(0)),
            1 => format!("{}none()", self.config.prefix),
            2 if self.option_functions > 0 => {
                let callee = self.below(self.option_functions);
                let arg = self.int_expr(d);
                format!("{}h{callee}({arg})", self.config.prefix)
            }
            3 => format!("({}).map(|x| x + {})", self.opt_expr(d), self.closure_int()),
            4 => format!("({}).filter(|x| x > {})", self.opt_expr(d), self.closure_int()),
            5 => format!("({}).ok()", self.res_expr(d)),
            6 => format!("({}).find({})", self.str_expr(d), self.str_expr(0)),
            _ => format!("({}).indexOf({})", self.vec_expr(d), self.int_expr(0)),
        }
    }

    pub(super) fn res_expr(&mut self, depth: u32) -> String {
        if let Some(local) = self.some_local(GenTy::Res)
            && self.chance(40)
        {
            return local;
        }
        let d = depth.saturating_sub(1);
        match self.below(if depth == 0 { 2 } else { 5 }) {
            0 => {
                let value = self.int_expr(0);
                format!("{}ok({value})", self.config.prefix)
            }
            1 => {
                let error = self.str_expr(0);
                format!("{}err({error})", self.config.prefix)
            }
            2 if self.result_functions > 0 => {
                let callee = self.below(self.result_functions);
                let arg = self.int_expr(d);
                format!("{}k{callee}({arg})", self.config.prefix)
            }
            3 => format!("({}).okOr(\"none\")", self.opt_expr(d)),
            _ => format!("({}).map(|x| x * {})", self.res_expr(d), self.closure_int()),
        }
    }

    pub(super) fn vec_expr(&mut self, depth: u32) -> String {
        if let Some(local) = self.some_local(GenTy::Vec)
            && self.chance(40)
        {
            return local;
        }
        let d = depth.saturating_sub(1);
        match self.below(if depth == 0 { 2 } else { 5 }) {
            0 => "Vec.new<i64>()".to_owned(),
            1 => {
                let (a, b) = (self.int_expr(0), self.int_expr(0));
                format!("Vec.from([{a}, {b}])")
            }
            2 => format!("({}).map(|x| x * {})", self.vec_expr(d), self.closure_int()),
            3 => format!("({}).filter(|x| x > {})", self.vec_expr(d), self.closure_int()),
            _ => {
                let v = self.vec_expr(d);
                format!("({v}).slice(0, 0)")
            }
        }
    }

    /// A small `i64` expression for the body of a (non-async) closure: no `await`.
    pub(super) fn closure_int(&mut self) -> String {
        let saved = std::mem::replace(&mut self.in_async, false);
        let value = self.int_expr(0);
        self.in_async = saved;
        value
    }

    pub(super) fn fun_expr(&mut self, depth: u32) -> String {
        if let Some(local) = self.some_local(GenTy::Fun)
            && self.chance(40)
        {
            return local;
        }
        let d = depth.saturating_sub(1);
        match self.below(if self.config.channels { 4 } else { 3 }) {
            0 => {
                // A closure that captures what is in scope.
                let param = self.fresh("p");
                self.scopes.push(vec![GenLocal {
                    name: param.clone(),
                    ty: GenTy::Int,
                    mutable: false,
                }]);
                let saved = std::mem::replace(&mut self.in_async, false);
                let body = self.int_expr(d.min(1));
                self.in_async = saved;
                self.scopes.pop();
                format!("|{param}: i64| {body}")
            }
            1 if self.option_functions > 0 => {
                let callee = self.below(self.option_functions);
                format!("(|x: i64| ({}h{callee}(x) ?? 0))", self.config.prefix)
            }
            3 => self.channel_closure(),
            _ => format!("{}neg1", self.config.prefix),
        }
    }
}
