//! The v0.2 value layer in the LLVM backend, on IR modules built by hand (so that each
//! runtime path is reached on purpose, independent of what lowering emits): vectors (push with its inline fast path, element
//! places, pop, clear, reverse, sort, copy-on-write, slices, vectors of aggregates,
//! strings, vectors and function values), string methods and in-place append,
//! function values of named functions and closures with environments.
//!
//! Every module must validate, run in the reference evaluator without errors (no
//! leak, no release too many), and print the expected text through the JIT at -O0 and
//! -O2 and as an executable; every one also runs against an AddressSanitizer and
//! LeakSanitizer build of the runtime, which must report nothing.

#[path = "../common/mod.rs"]
mod common;
mod functions;
mod strings;
mod vectors;

use common::{asan_runtime, run_aot, run_jit, run_leak_checked, temp_dir};
use functions::{closures, named_function_values};
use inkwell::context::Context;
use strings::{append_in_place, string_methods};
use vectors::{copy_on_write, pop, push_and_read_back, sort_reverse_clear, vectors_of_references};
use vex_async_lower::coro;
use vex_async_lower::eval::{Mode, Options, run_main};
use vex_async_lower::ir::layout::struct_def;
use vex_async_lower::ir::validate::{Stage, validate_module};
use vex_async_lower::ir::*;
use vex_llvm::codegen::compile_module;
use vex_llvm::{HostTarget, OptLevel};

const I64: Type = Type::Int(IntTy::I64);
const F64: Type = Type::Float(FloatTy::F64);

fn vec_of(elem: Type) -> Type {
    Type::Vec(Box::new(elem))
}

fn int(value: i128) -> Operand {
    Operand::int(value, IntTy::I64)
}

fn float(value: f64) -> Operand {
    Operand::Const(Const::Float(value.to_bits(), FloatTy::F64))
}

fn local(local: LocalId) -> Operand {
    Operand::local(local)
}

/// Element `index` of the vector in `vector`.
fn elem(vector: LocalId, index: LocalId) -> Place {
    Place::local(vector).project(Proj::Elem(index))
}

/// A function under construction: its locals and blocks, and the block being filled.
struct Body {
    function: Function,
    current: usize,
    /// The line given to the next statement (each gets its own, for the line tables).
    line: u32,
}

impl Body {
    fn new(name: &str, kind: FunctionKind, ret: Type) -> Body {
        let function = Function {
            name: name.into(),
            kind,
            params: Vec::new(),
            ret,
            locals: Vec::new(),
            blocks: vec![Block::at(Vec::new(), Terminator::Unreachable, Loc::default())],
            loc: SourceLoc { file: "values.vx".into(), line: 1, col: 1 },
        };
        Body { function, current: 0, line: 0 }
    }

    fn sync(name: &str, ret: Type) -> Body {
        Body::new(name, FunctionKind::Sync, ret)
    }

    fn local(&mut self, name: &str, ty: Type) -> LocalId {
        self.function.locals.push(LocalDecl { name: name.into(), ty });
        LocalId(self.function.locals.len() as u32 - 1)
    }

    fn param(&mut self, name: &str, ty: Type) -> LocalId {
        let param = self.local(name, ty);
        self.function.params.push(param);
        param
    }

    fn loc(&mut self) -> Loc {
        self.line += 1;
        Loc { line: self.line, col: 5 }
    }

    fn push(&mut self, stmt: Stmt) {
        let loc = self.loc();
        self.function.blocks[self.current].push(stmt, loc);
    }

    fn block(&mut self) -> BlockId {
        let block = Block::at(Vec::new(), Terminator::Unreachable, Loc::default());
        self.function.blocks.push(block);
        BlockId(self.function.blocks.len() as u32 - 1)
    }

    fn end(&mut self, term: Terminator) {
        let loc = self.loc();
        let block = &mut self.function.blocks[self.current];
        block.term = term;
        block.term_loc = loc;
    }

    fn enter(&mut self, block: BlockId) {
        self.current = block.index();
    }

    /// Ends the function with `return value`.
    fn ret(mut self, value: Option<Operand>) -> Function {
        self.end(Terminator::Return(value));
        self.function
    }

    fn ty(&self, local: LocalId) -> Type {
        self.function.local_ty(local).clone()
    }

    fn assign(&mut self, ty: Type, rvalue: Rvalue) -> LocalId {
        let dest = self.local("t", ty);
        self.push(Stmt::Assign(Place::local(dest), rvalue));
        dest
    }

    fn set(&mut self, place: Place, value: Operand) {
        self.push(Stmt::Assign(place, Rvalue::Use(value)));
    }

    fn runtime(&mut self, ty: Type, op: RtOp, args: Vec<Operand>) -> LocalId {
        let dest = self.local("r", ty);
        self.push(Stmt::Runtime { dest: Some(dest), op, args });
        dest
    }

    fn update(&mut self, place: LocalId, op: UpdateOp, args: Vec<Operand>) {
        self.push(Stmt::Update { place: Place::local(place), op, args, dest: None });
    }

    fn pop(&mut self, vector: LocalId) -> LocalId {
        let Type::Vec(elem_ty) = self.ty(vector) else { panic!("pop of a non-vector") };
        let dest = self.local("popped", *elem_ty);
        let place = Place::local(vector);
        self.push(Stmt::Update { place, op: UpdateOp::VecPop, args: Vec::new(), dest: Some(dest) });
        dest
    }

    fn retain(&mut self, local: LocalId) {
        self.push(Stmt::Retain(Place::local(local)));
    }

    fn release(&mut self, local: LocalId) {
        self.push(Stmt::Release(Place::local(local)));
    }

    /// A new string `a + b` (owned).
    fn concat(&mut self, a: Operand, b: Operand) -> LocalId {
        self.runtime(Type::String, RtOp::StringConcat, vec![a, b])
    }

    fn println(&mut self, text: Operand) {
        self.push(Stmt::Runtime { dest: None, op: RtOp::Println, args: vec![text] });
    }

    fn print_text(&mut self, text: &str) {
        self.println(Operand::str(text));
    }

    /// A new string showing `value` of type `ty` (a number or a bool).
    fn text_of(&mut self, ty: &Type, value: Operand) -> LocalId {
        match ty {
            Type::Int(IntTy::I64) => self.runtime(Type::String, RtOp::StringFromI64, vec![value]),
            Type::Int(_) => {
                let wide = self.assign(I64, Rvalue::Cast(value, I64));
                self.runtime(Type::String, RtOp::StringFromI64, vec![local(wide)])
            }
            Type::Float(FloatTy::F64) => {
                self.runtime(Type::String, RtOp::StringFromF64, vec![value])
            }
            Type::Bool => self.runtime(Type::String, RtOp::StringFromBool, vec![value]),
            other => panic!("no text for {other}"),
        }
    }

    /// Prints `value` of type `ty` on a line of its own.
    fn print(&mut self, ty: &Type, value: Operand) {
        if *ty == Type::String {
            self.println(value);
        } else {
            let text = self.text_of(ty, value);
            self.println(local(text));
            self.release(text);
        }
    }

    /// Appends `value` of type `ty` to the string in `line`; strings in brackets.
    fn append_shown(&mut self, line: LocalId, ty: &Type, value: Operand) {
        if *ty == Type::String {
            self.update(line, UpdateOp::StrAppend, vec![Operand::str("[")]);
            self.update(line, UpdateOp::StrAppend, vec![value]);
            self.update(line, UpdateOp::StrAppend, vec![Operand::str("]")]);
        } else {
            let text = self.text_of(ty, value);
            self.update(line, UpdateOp::StrAppend, vec![local(text)]);
            self.release(text);
        }
    }

    /// `for i in 0..count { body(i) }`.
    fn for_range(&mut self, count: Operand, body: impl FnOnce(&mut Body, LocalId)) {
        let i = self.assign(I64, Rvalue::Use(int(0)));
        let (head, inside, exit) = (self.block(), self.block(), self.block());
        self.end(Terminator::Goto(head));
        self.enter(head);
        let more = self.assign(Type::Bool, Rvalue::Binary(BinOp::Lt, local(i), count));
        self.end(Terminator::Branch { cond: local(more), then_block: inside, else_block: exit });
        self.enter(inside);
        body(self, i);
        self.push(Stmt::Assign(Place::local(i), Rvalue::Binary(BinOp::Add, local(i), int(1))));
        self.end(Terminator::Goto(head));
        self.enter(exit);
    }

    /// `if cond { then } else { otherwise }`.
    fn if_else(
        &mut self,
        cond: Operand,
        then: impl FnOnce(&mut Body),
        otherwise: impl FnOnce(&mut Body),
    ) {
        let (then_block, else_block, join) = (self.block(), self.block(), self.block());
        self.end(Terminator::Branch { cond, then_block, else_block });
        self.enter(then_block);
        then(self);
        self.end(Terminator::Goto(join));
        self.enter(else_block);
        otherwise(self);
        self.end(Terminator::Goto(join));
        self.enter(join);
    }

    /// Prints the elements of the vector in `vector` on one line, separated by spaces.
    fn print_vec(&mut self, vector: LocalId) {
        let Type::Vec(elem_ty) = self.ty(vector) else { panic!("not a vector") };
        let line = self.assign(Type::String, Rvalue::Use(Operand::str("")));
        let len = self.runtime(I64, RtOp::VecLen, vec![local(vector)]);
        self.for_range(local(len), |b, i| {
            let later = b.assign(Type::Bool, Rvalue::Binary(BinOp::Gt, local(i), int(0)));
            b.if_else(
                local(later),
                |b| b.update(line, UpdateOp::StrAppend, vec![Operand::str(" ")]),
                |_| {},
            );
            b.append_shown(line, &elem_ty, Operand::Copy(elem(vector, i)));
        });
        self.println(local(line));
        self.release(line);
    }

    /// Prints the `Option` in `option`: its payload, or `none`.
    fn print_option(&mut self, option: LocalId) {
        let Type::Option(payload_ty) = self.ty(option) else { panic!("not an option") };
        let tag = self.assign(Type::Int(IntTy::U32), Rvalue::Discriminant(Place::local(option)));
        let zero = Operand::int(0, IntTy::U32);
        let is_some = self.assign(Type::Bool, Rvalue::Binary(BinOp::Eq, local(tag), zero));
        let payload = Place::local(option).project(Proj::Payload { variant: 0, field: 0 });
        self.if_else(
            local(is_some),
            |b| b.print(&payload_ty, Operand::Copy(payload)),
            |b| b.print_text("none"),
        );
    }

    /// An array local `[items…]` of `elem_ty`.
    fn array(&mut self, elem_ty: Type, items: Vec<Operand>) -> LocalId {
        let ty = Type::Array(Box::new(elem_ty.clone()), items.len() as u64);
        self.assign(ty, Rvalue::Aggregate(AggregateKind::Array(elem_ty), items))
    }

    /// A vector made from the array of `items`.
    fn vec_from(&mut self, elem_ty: Type, items: Vec<Operand>) -> LocalId {
        let array = self.array(elem_ty.clone(), items);
        self.runtime(vec_of(elem_ty), RtOp::VecFromArray, vec![local(array)])
    }

    /// A copy of the counted value in `source` (one more reference).
    fn copy(&mut self, source: LocalId) -> LocalId {
        let ty = self.ty(source);
        let copy = self.assign(ty, Rvalue::Use(local(source)));
        self.retain(copy);
        copy
    }
}

/// The async `main` under construction.
fn main_body() -> Body {
    Body::new("main", FunctionKind::Async, Type::Unit)
}

/// A whole program: `main` (made a task by the coroutine transform, as lowering does)
/// and the other functions, with the structs they use.
fn program(main: Body, functions: Vec<Function>, structs: Vec<StructDef>) -> Module {
    let main = main.ret(None);
    let mut module = Module { structs, ..Module::default() };
    let lowered = coro::transform(&main, &module.type_defs());
    module.structs.push(lowered.info.layout.def.clone());
    module.structs.sort_by(|a, b| a.name.cmp(&b.name));
    module.functions.push(lowered.wrapper);
    module.functions.push(lowered.resume);
    module.functions.extend(lowered.drop_result);
    module.functions.extend(functions);
    module
}

/// Validates `module` and runs it in the evaluator, the JIT at -O0 and -O2 and as an
/// executable: each must print `expected`, exit with 0 and the evaluator must report
/// no error.
fn check(name: &str, module: &Module, expected: &str) {
    if let Err(errors) = validate_module(module, Stage::Transformed) {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("{name}: invalid IR:\n{}", errors.join("\n"));
    }
    let eval = run_main(module, Options::new(Mode::Scheduled));
    assert!(eval.errors.is_empty(), "{name}: the evaluator reports {:?}", eval.errors);
    let expected = (expected.to_string(), String::new(), 0);
    assert_eq!((eval.stdout, eval.stderr, eval.exit_code), expected, "{name}: evaluator");
    for level in [OptLevel::O0, OptLevel::O2] {
        let observed = run_jit(module, level).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(observed, expected, "{name}: JIT at {level:?}");
    }
    let dir = temp_dir(&format!("values-{name}"));
    let observed = run_aot(module, &dir, OptLevel::O2).unwrap_or_else(|e| panic!("{name}: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(observed, expected, "{name}: executable");
}

/// Every program of this file with its expected output.
fn programs() -> Vec<(&'static str, Module, &'static str)> {
    let mut out = Vec::new();
    for (name, make) in [
        ("push_and_read_back", push_and_read_back as fn() -> (Module, &'static str)),
        ("pop", pop),
        ("sort_reverse_clear", sort_reverse_clear),
        ("copy_on_write", copy_on_write),
        ("vectors_of_references", vectors_of_references),
        ("string_methods", string_methods),
        ("append_in_place", append_in_place),
        ("named_function_values", named_function_values),
        ("closures", closures),
    ] {
        let (module, expected) = make();
        out.push((name, module, expected));
    }
    out
}

#[test]
fn vectors_push_pop_and_read_elements() {
    for (name, make) in [("push_and_read_back", push_and_read_back as fn() -> _), ("pop", pop)] {
        let (module, expected) = make();
        check(name, &module, expected);
    }
}

#[test]
fn vectors_sort_reverse_clear_and_copy_on_write() {
    let (module, expected) = sort_reverse_clear();
    check("sort_reverse_clear", &module, expected);
    let (module, expected) = copy_on_write();
    check("copy_on_write", &module, expected);
}

#[test]
fn vectors_of_references_release_what_they_hold() {
    let (module, expected) = vectors_of_references();
    check("vectors_of_references", &module, expected);
}

#[test]
fn string_methods_and_in_place_append() {
    let (module, expected) = string_methods();
    check("string_methods", &module, expected);
    let (module, expected) = append_in_place();
    check("append_in_place", &module, expected);
}

#[test]
fn named_functions_as_values() {
    let (module, expected) = named_function_values();
    check("named_function_values", &module, expected);
}

#[test]
fn closures_with_environments() {
    let (module, expected) = closures();
    check("closures", &module, expected);
}

/// Every program as an executable linked against an ASan/LSan build of vex-rt: the
/// same output, and nothing reported (a vector, string or environment still allocated
/// at exit is a leak).
#[test]
fn value_programs_do_not_leak_under_leak_sanitizer() {
    let dir = temp_dir("values-lsan");
    let mut link = vex_llvm::aot::LinkOptions::default();
    link.runtime_library = asan_runtime(&dir);
    link.extra_args = vec!["-fsanitize=address,undefined".to_string()];
    let mut failures = Vec::new();
    for (name, module, expected) in programs() {
        let (stdout, stderr, code) = run_leak_checked(&module, &dir, &link);
        if code != 0 || stdout != expected || stderr.contains("Sanitizer") {
            failures.push(format!("{name}: exit {code}, stdout {stdout:?}\n{stderr}"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The push fast path is inline at -O2: an acquire load of the count, with the
/// runtime call left for the slow path only.
#[test]
fn push_is_inlined_with_an_acquire_load_of_the_count() {
    let (module, _) = push_and_read_back();
    let context = Context::create();
    let target = HostTarget::new(common::target_options(OptLevel::O2, false)).unwrap();
    let llvm = compile_module(&context, &target, &module, false).unwrap();
    vex_llvm::opt::optimize(&llvm, &target, OptLevel::O2, false).unwrap();
    let text = llvm.print_to_string().to_string();
    assert!(text.contains("load atomic i32, ptr") && text.contains("acquire, align 4"), "{text}");
    assert!(text.contains("call ptr @vex_vec_push("), "{text}");
}

/// The runtime calls an environment's drop function as `void drop(void *captures)`
/// (`VexEnv.drop`): it takes no worker context, unlike every other Vex function.
#[test]
fn environment_drop_functions_have_the_c_signature() {
    let (module, _) = closures();
    let context = Context::create();
    let target = HostTarget::new(common::target_options(OptLevel::O0, false)).unwrap();
    let llvm = compile_module(&context, &target, &module, false).unwrap();
    let drop = llvm.get_function("vex.main.closure0.env.drop").unwrap();
    assert_eq!(drop.get_type().print_to_string().to_string(), "void (ptr)");
    let code = llvm.get_function("vex.main.closure0").unwrap();
    assert_eq!(code.get_type().print_to_string().to_string(), "ptr (ptr, ptr, i64)");
}
