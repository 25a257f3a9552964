//! The v0.2 value layer in the LLVM backend, on IR modules built by hand (the front end
//! does not produce all of it yet): vectors (push with its inline fast path, element
//! places, pop, clear, reverse, sort, copy-on-write, slices, vectors of aggregates,
//! strings, vectors and function values), string methods and in-place append,
//! function values of named functions and closures with environments.
//!
//! Every module must validate, run in the reference evaluator without errors (no
//! leak, no release too many), and print the expected text through the JIT at -O0 and
//! -O2 and as an executable; every one also runs against an AddressSanitizer and
//! LeakSanitizer build of the runtime, which must report nothing.

mod common;

use common::{asan_runtime, run_aot, run_jit, run_leak_checked, temp_dir};
use inkwell::context::Context;
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

// ---- Vectors ------------------------------------------------------------------------------

/// 1000 pushes (the first into the empty vector, then growing, mostly the inline fast
/// path) read back through element places and the length; a vector of tuples whose
/// elements are read field by field.
fn push_and_read_back() -> (Module, &'static str) {
    let mut main = main_body();
    let squares = main.runtime(vec_of(I64), RtOp::VecWithCapacity, vec![int(0)]);
    main.for_range(int(1000), |b, i| {
        let square = b.assign(I64, Rvalue::Binary(BinOp::Mul, local(i), local(i)));
        b.update(squares, UpdateOp::VecPush, vec![local(square)]);
    });
    let len = main.runtime(I64, RtOp::VecLen, vec![local(squares)]);
    main.print(&I64, local(len));
    let sum = main.assign(I64, Rvalue::Use(int(0)));
    main.for_range(local(len), |b, i| {
        let item = Operand::Copy(elem(squares, i));
        b.push(Stmt::Assign(Place::local(sum), Rvalue::Binary(BinOp::Add, local(sum), item)));
    });
    main.print(&I64, local(sum));
    let last = main.assign(I64, Rvalue::Use(int(999)));
    main.print(&I64, Operand::Copy(elem(squares, last)));
    main.release(squares);

    // Elements of 16 bytes with padding: (i32, f64).
    let pair = Type::Tuple(vec![Type::Int(IntTy::I32), F64]);
    let pairs = main.runtime(vec_of(pair.clone()), RtOp::VecWithCapacity, vec![int(2)]);
    main.for_range(int(10), |b, i| {
        let small = b.assign(Type::Int(IntTy::I32), Rvalue::Cast(local(i), Type::Int(IntTy::I32)));
        let wide = b.assign(F64, Rvalue::Cast(local(i), F64));
        let half = b.assign(F64, Rvalue::Binary(BinOp::Div, local(wide), float(2.0)));
        let item = b.assign(
            pair.clone(),
            Rvalue::Aggregate(AggregateKind::Tuple, vec![local(small), local(half)]),
        );
        b.update(pairs, UpdateOp::VecPush, vec![local(item)]);
    });
    let seven = main.assign(I64, Rvalue::Use(int(7)));
    let first = elem(pairs, seven).project(Proj::Field(0));
    main.print(&Type::Int(IntTy::I32), Operand::Copy(first));
    let second = elem(pairs, seven).project(Proj::Field(1));
    main.print(&F64, Operand::Copy(second));
    let len = main.runtime(I64, RtOp::VecLen, vec![local(pairs)]);
    main.print(&I64, local(len));
    main.release(pairs);
    (program(main, Vec::new(), Vec::new()), "1000\n332833500\n998001\n7\n3.5\n10\n")
}

/// `pop` until empty and pushes again (the emptied vector keeps its buffer); `pop` of
/// strings moves them out.
fn pop() -> (Module, &'static str) {
    let mut main = main_body();
    let numbers = main.vec_from(I64, vec![int(10), int(20), int(30)]);
    for _ in 0..2 {
        let popped = main.pop(numbers);
        main.print(&I64, local(popped));
    }
    main.print_vec(numbers);
    main.update(numbers, UpdateOp::VecPush, vec![int(40)]);
    main.print_vec(numbers);
    for _ in 0..2 {
        main.pop(numbers);
    }
    let len = main.runtime(I64, RtOp::VecLen, vec![local(numbers)]);
    main.print(&I64, local(len));
    main.update(numbers, UpdateOp::VecPush, vec![int(5)]);
    main.print_vec(numbers);
    main.release(numbers);

    let text = main.concat(Operand::str("x-y"), Operand::str("-z"));
    let words =
        main.runtime(vec_of(Type::String), RtOp::StrSplit, vec![local(text), Operand::str("-")]);
    main.release(text);
    let last = main.pop(words);
    main.println(local(last));
    main.release(last);
    main.print_vec(words);
    main.release(words);
    (program(main, Vec::new(), Vec::new()), "30\n20\n10\n10 40\n0\n5\nz\n[x] [y]\n")
}

/// `sort`, `reverse` and `clear` of integers, floats (total order: NaNs at both ends by
/// their sign, -0 before +0) and strings (bytewise).
fn sort_reverse_clear() -> (Module, &'static str) {
    let mut main = main_body();
    let numbers = main.vec_from(I64, [5, -3, 9, 0, -3, 7].into_iter().map(int).collect());
    main.update(numbers, UpdateOp::VecSort, Vec::new());
    main.print_vec(numbers);
    main.update(numbers, UpdateOp::VecReverse, Vec::new());
    main.print_vec(numbers);
    main.update(numbers, UpdateOp::VecClear, Vec::new());
    let len = main.runtime(I64, RtOp::VecLen, vec![local(numbers)]);
    main.print(&I64, local(len));
    main.update(numbers, UpdateOp::VecPush, vec![int(1)]);
    main.print_vec(numbers);
    main.release(numbers);

    let negative_nan = f64::from_bits(f64::NAN.to_bits() | (1 << 63));
    let floats = [f64::NAN, 1.5, -0.0, 0.0, f64::NEG_INFINITY, 2.0, negative_nan, f64::INFINITY];
    let floats = main.vec_from(F64, floats.into_iter().chain([-1.0]).map(float).collect());
    main.update(floats, UpdateOp::VecSort, Vec::new());
    main.print_vec(floats);
    // -0 before +0: 1 / -0 is -inf.
    let zero = main.assign(I64, Rvalue::Use(int(3)));
    let reciprocal =
        main.assign(F64, Rvalue::Binary(BinOp::Div, float(1.0), Operand::Copy(elem(floats, zero))));
    main.print(&F64, local(reciprocal));
    main.update(floats, UpdateOp::VecReverse, Vec::new());
    main.print_vec(floats);
    main.release(floats);

    let pear = main.concat(Operand::str("pe"), Operand::str("ar"));
    let banana = main.concat(Operand::str("Ban"), Operand::str("ana"));
    let words = [local(pear), Operand::str("apple"), Operand::str(""), local(banana)];
    let words =
        main.vec_from(Type::String, words.into_iter().chain([Operand::str("apple")]).collect());
    main.update(words, UpdateOp::VecSort, Vec::new());
    main.print_vec(words);
    main.update(words, UpdateOp::VecReverse, Vec::new());
    main.print_vec(words);
    main.update(words, UpdateOp::VecClear, Vec::new());
    main.print_vec(words);
    let again = main.concat(Operand::str("again"), Operand::str(""));
    main.update(words, UpdateOp::VecPush, vec![local(again)]);
    main.print_vec(words);
    main.release(words);
    let expected = "-3 -3 0 5 7 9\n9 7 5 0 -3 -3\n0\n1\n\
                    NaN -inf -1 -0 0 1.5 2 inf NaN\n-inf\n\
                    NaN inf 2 1.5 0 -0 -1 -inf NaN\n\
                    [] [Banana] [apple] [apple] [pear]\n[pear] [apple] [apple] [Banana] []\n\n\
                    [again]\n";
    (program(main, Vec::new(), Vec::new()), expected)
}

/// Copies share a buffer until one is written: `make_unique` before an element write,
/// a push into a shared vector, element writes of strings (the old one released).
fn copy_on_write() -> (Module, &'static str) {
    let mut main = main_body();
    let a = main.vec_from(I64, vec![int(1), int(2), int(3)]);
    let b = main.copy(a);
    main.update(b, UpdateOp::VecMakeUnique, Vec::new());
    let zero = main.assign(I64, Rvalue::Use(int(0)));
    main.set(elem(b, zero), int(100));
    main.print_vec(a);
    main.print_vec(b);
    let c = main.copy(b);
    main.update(c, UpdateOp::VecPush, vec![int(4)]);
    main.print_vec(b);
    main.print_vec(c);
    // Unique already: the same buffer, written in place.
    main.update(c, UpdateOp::VecMakeUnique, Vec::new());
    main.set(elem(c, zero), int(-1));
    main.print_vec(c);
    for v in [a, b, c] {
        main.release(v);
    }

    let text = main.concat(Operand::str("p q"), Operand::str(" r"));
    let sa =
        main.runtime(vec_of(Type::String), RtOp::StrSplit, vec![local(text), Operand::str(" ")]);
    main.release(text);
    let sb = main.copy(sa);
    main.update(sb, UpdateOp::VecMakeUnique, Vec::new());
    let one = main.assign(I64, Rvalue::Use(int(1)));
    main.push(Stmt::Release(elem(sb, one)));
    let replacement = main.concat(Operand::str("Q"), Operand::str("!"));
    main.set(elem(sb, one), local(replacement));
    main.print_vec(sa);
    main.print_vec(sb);
    main.release(sa);
    main.release(sb);
    let expected = "1 2 3\n100 2 3\n100 2 3\n100 2 3 4\n-1 2 3 4\n[p] [q] [r]\n[p] [Q!] [r]\n";
    (program(main, Vec::new(), Vec::new()), expected)
}

/// Vectors whose elements hold references, released while those are alive: strings,
/// tuples with strings (generated retain and release of the element), vectors of
/// vectors; slices (elements retained), join, and vectors made from arrays.
fn vectors_of_references() -> (Module, &'static str) {
    let mut main = main_body();
    let words = main.runtime(vec_of(Type::String), RtOp::VecWithCapacity, vec![int(0)]);
    main.for_range(int(5), |b, i| {
        let text = b.runtime(Type::String, RtOp::StringFromI64, vec![local(i)]);
        let word = b.concat(Operand::str("w"), local(text));
        b.release(text);
        b.update(words, UpdateOp::VecPush, vec![local(word)]);
    });
    let middle =
        main.runtime(vec_of(Type::String), RtOp::VecSlice, vec![local(words), int(1), int(4)]);
    let joined = main.runtime(Type::String, RtOp::VecJoin, vec![local(middle), Operand::str("+")]);
    main.println(local(joined));
    main.release(joined);
    main.release(words);
    main.print_vec(middle);
    let whole =
        main.runtime(vec_of(Type::String), RtOp::VecSlice, vec![local(middle), int(0), int(3)]);
    let none =
        main.runtime(vec_of(Type::String), RtOp::VecSlice, vec![local(middle), int(2), int(2)]);
    let len = main.runtime(I64, RtOp::VecLen, vec![local(none)]);
    main.print(&I64, local(len));
    let joined = main.runtime(Type::String, RtOp::VecJoin, vec![local(none), Operand::str(",")]);
    let len = main.runtime(I64, RtOp::StrLen, vec![local(joined)]);
    main.print(&I64, local(len));
    for v in [middle, whole, none, joined] {
        main.release(v);
    }

    // (string, i64) elements: the element type's retain and release walk the tuple.
    let entry = Type::Tuple(vec![Type::String, I64]);
    let entries = main.runtime(vec_of(entry.clone()), RtOp::VecWithCapacity, vec![int(1)]);
    main.for_range(int(3), |b, i| {
        let name = b.runtime(Type::String, RtOp::StringFromI64, vec![local(i)]);
        let item = b.assign(
            entry.clone(),
            Rvalue::Aggregate(AggregateKind::Tuple, vec![local(name), local(i)]),
        );
        b.update(entries, UpdateOp::VecPush, vec![local(item)]);
    });
    let tail =
        main.runtime(vec_of(entry.clone()), RtOp::VecSlice, vec![local(entries), int(1), int(3)]);
    main.release(entries);
    let index = main.assign(I64, Rvalue::Use(int(1)));
    main.println(Operand::Copy(elem(tail, index).project(Proj::Field(0))));
    let popped = main.pop(tail);
    main.print(&I64, Operand::Copy(Place::local(popped).project(Proj::Field(1))));
    main.release(popped);
    main.release(tail);

    // Vectors of vectors of strings, and a vector made from an array of strings.
    let rows = main.runtime(vec_of(vec_of(Type::String)), RtOp::VecWithCapacity, vec![int(0)]);
    for line in ["a b", "c d e"] {
        let text = main.concat(Operand::str(line), Operand::str(""));
        let row = main.runtime(
            vec_of(Type::String),
            RtOp::StrSplit,
            vec![local(text), Operand::str(" ")],
        );
        main.release(text);
        main.update(rows, UpdateOp::VecPush, vec![local(row)]);
    }
    let shared = main.copy(rows);
    main.release(rows);
    let one = main.assign(I64, Rvalue::Use(int(1)));
    let row = main.assign(vec_of(Type::String), Rvalue::Use(Operand::Copy(elem(shared, one))));
    main.print_vec(row);
    let x = main.concat(Operand::str("x"), Operand::str("y"));
    let made = main.vec_from(Type::String, vec![local(x), Operand::str("z")]);
    main.update(shared, UpdateOp::VecPush, vec![local(made)]);
    let len = main.runtime(I64, RtOp::VecLen, vec![local(shared)]);
    main.print(&I64, local(len));
    main.release(shared);
    let expected = "w1+w2+w3\n[w1] [w2] [w3]\n0\n0\n2\n2\n[c] [d] [e]\n3\n";
    (program(main, Vec::new(), Vec::new()), expected)
}

// ---- Strings ------------------------------------------------------------------------------

/// Every string method, on dynamic strings (counted) and literals.
fn string_methods() -> (Module, &'static str) {
    let mut main = main_body();
    let padded = main.concat(Operand::str("  Hello, "), Operand::str("World \t\n"));
    let text = main.runtime(Type::String, RtOp::StrTrim, vec![local(padded)]);
    main.release(padded);
    let shown = main.concat(Operand::str("["), local(text));
    main.update(shown, UpdateOp::StrAppend, vec![Operand::str("]")]);
    main.println(local(shown));
    main.release(shown);
    let len = main.runtime(I64, RtOp::StrLen, vec![local(text)]);
    main.print(&I64, local(len));
    let empty_len = main.runtime(I64, RtOp::StrLen, vec![Operand::str("")]);
    main.print(&I64, local(empty_len));
    for needle in ["World", "xyz", ""] {
        let at = main.runtime(I64, RtOp::StrFind, vec![local(text), Operand::str(needle)]);
        main.print(&I64, local(at));
    }
    for (op, needle) in [
        (RtOp::StrContains, "lo, W"),
        (RtOp::StrContains, "low"),
        (RtOp::StrStartsWith, "Hell"),
        (RtOp::StrEndsWith, "x"),
        (RtOp::StrEndsWith, "ld"),
    ] {
        let found = main.runtime(Type::Bool, op, vec![local(text), Operand::str(needle)]);
        main.print(&Type::Bool, local(found));
    }
    for op in [RtOp::StrToUpper, RtOp::StrToLower] {
        let changed = main.runtime(Type::String, op, vec![local(text)]);
        main.println(local(changed));
        main.release(changed);
    }
    let word = main.runtime(Type::String, RtOp::StrSlice, vec![local(text), int(7), int(12)]);
    main.println(local(word));
    main.release(word);
    for index in [1, 5] {
        let at = main.assign(I64, Rvalue::Use(int(index)));
        let byte =
            main.runtime(Type::Int(IntTy::U8), RtOp::StrByteAt, vec![local(text), local(at)]);
        main.print(&Type::Int(IntTy::U8), local(byte));
    }
    main.release(text);
    // A byte above 127 (é is two of them): zero-extended, not sign-extended.
    let accent = main.concat(Operand::str("é"), Operand::str(""));
    let byte = main.runtime(Type::Int(IntTy::U8), RtOp::StrByteAt, vec![local(accent), int(0)]);
    main.release(accent);
    main.print(&Type::Int(IntTy::U8), local(byte));
    let wide = main.assign(I64, Rvalue::Cast(local(byte), I64));
    let doubled = main.assign(I64, Rvalue::Binary(BinOp::Add, local(wide), local(wide)));
    main.print(&I64, local(doubled));

    for count in [3, 0] {
        let repeated =
            main.runtime(Type::String, RtOp::StrRepeat, vec![Operand::str("ab"), int(count)]);
        main.print_text("repeat:");
        main.println(local(repeated));
        main.release(repeated);
    }
    let csv = main.concat(Operand::str("a,b,,"), Operand::str("c"));
    let pieces =
        main.runtime(vec_of(Type::String), RtOp::StrSplit, vec![local(csv), Operand::str(",")]);
    main.release(csv);
    main.print_vec(pieces);
    let joined = main.runtime(Type::String, RtOp::VecJoin, vec![local(pieces), Operand::str("+")]);
    main.println(local(joined));
    main.release(joined);
    main.release(pieces);
    let edges = main.runtime(
        vec_of(Type::String),
        RtOp::StrSplit,
        vec![Operand::str(",a,"), Operand::str(",")],
    );
    main.print_vec(edges);
    main.release(edges);
    for text in ["one\r\ntwo\n\nthree\n", "a\rb", ""] {
        let lines = main.runtime(vec_of(Type::String), RtOp::StrLines, vec![Operand::str(text)]);
        let len = main.runtime(I64, RtOp::VecLen, vec![local(lines)]);
        main.print(&I64, local(len));
        main.print_vec(lines);
        main.release(lines);
    }
    let option_i64 = Type::Option(Box::new(I64));
    for text in ["42", "-7", "+3", "12x", "99999999999999999999", "", " 1"] {
        let parsed = main.runtime(option_i64.clone(), RtOp::StrToInt, vec![Operand::str(text)]);
        main.print_option(parsed);
    }
    let option_f64 = Type::Option(Box::new(F64));
    for text in ["2.5", "1e3", "-inf", "NaN", ".5", "5.", "abc", "1e", "0x10"] {
        let parsed = main.runtime(option_f64.clone(), RtOp::StrToFloat, vec![Operand::str(text)]);
        main.print_option(parsed);
    }
    let expected = "[Hello, World]\n12\n0\n7\n-1\n0\ntrue\nfalse\ntrue\nfalse\ntrue\n\
                    HELLO, WORLD\nhello, world\nWorld\n101\n44\n195\n390\n\
                    repeat:\nababab\nrepeat:\n\n[a] [b] [] [c]\na+b++c\n[] [a] []\n\
                    4\n[one] [two] [] [three]\n1\n[a\rb]\n0\n\n\
                    42\n-7\n3\nnone\nnone\nnone\nnone\n\
                    2.5\n1000\n-inf\nNaN\n0.5\n5\nnone\nnone\nnone\n";
    (program(main, Vec::new(), Vec::new()), expected)
}

/// `s = s + t` in a loop (in place once the string has spare room), appending a string
/// to itself, and appending to a shared string (a copy, the other holder unchanged).
fn append_in_place() -> (Module, &'static str) {
    let mut main = main_body();
    let text = main.assign(Type::String, Rvalue::Use(Operand::str("")));
    main.for_range(int(1000), |b, _| b.update(text, UpdateOp::StrAppend, vec![Operand::str("ab")]));
    let len = main.runtime(I64, RtOp::StrLen, vec![local(text)]);
    main.print(&I64, local(len));
    let start = main.runtime(Type::String, RtOp::StrSlice, vec![local(text), int(1995), int(2000)]);
    main.println(local(start));
    main.release(start);
    main.release(text);

    let twice = main.concat(Operand::str("xy"), Operand::str("z"));
    main.update(twice, UpdateOp::StrAppend, vec![local(twice)]);
    main.println(local(twice));
    let shared = main.copy(twice);
    main.update(shared, UpdateOp::StrAppend, vec![Operand::str("!")]);
    main.println(local(twice));
    main.println(local(shared));
    main.release(twice);
    main.release(shared);
    (program(main, Vec::new(), Vec::new()), "2000\nbabab\nxyzxyz\nxyzxyz\nxyzxyz!\n")
}

// ---- Function values ----------------------------------------------------------------------

/// The code of a named function used as a value: `F.fn(env, args…)` calls `F`.
fn thunk(target: &Function) -> Function {
    let mut body = Body::sync(&format!("{}.fn", target.name), target.ret.clone());
    body.param("env", Type::EnvPtr(None));
    let args: Vec<Operand> = target
        .params
        .iter()
        .map(|p| local(body.param("arg", target.local_ty(*p).clone())))
        .collect();
    let result = body.local("result", target.ret.clone());
    let call = Stmt::Call { dest: Some(Place::local(result)), func: target.name.clone(), args };
    body.push(call);
    body.ret(Some(local(result)))
}

/// Named functions as values: called through `CallValue` with scalar and aggregate
/// (string-holding) parameters and results, passed to and returned from functions, and
/// kept in a vector.
fn named_function_values() -> (Module, &'static str) {
    let mut double = Body::sync("double", I64);
    let x = double.param("x", I64);
    let doubled = double.assign(I64, Rvalue::Binary(BinOp::Mul, local(x), int(2)));
    let double = double.ret(Some(local(doubled)));

    let pair = Type::Tuple(vec![I64, Type::String]);
    let swapped = Type::Tuple(vec![Type::String, I64]);
    let mut swap = Body::sync("swap", swapped.clone());
    let p = swap.param("p", pair.clone());
    let first = Operand::Copy(Place::local(p).project(Proj::Field(0)));
    let second = Operand::Copy(Place::local(p).project(Proj::Field(1)));
    let result =
        swap.assign(swapped.clone(), Rvalue::Aggregate(AggregateKind::Tuple, vec![second, first]));
    let swap = swap.ret(Some(local(result)));

    let int_fn = Type::Fn(vec![I64], Box::new(I64));
    let mut apply = Body::sync("apply", I64);
    let f = apply.param("f", int_fn.clone());
    let x = apply.param("x", I64);
    let once = apply.local("once", I64);
    apply.retain(f);
    apply.push(Stmt::CallValue {
        dest: Some(Place::local(once)),
        callee: local(f),
        args: vec![local(x)],
    });
    let twice = apply.local("twice", I64);
    apply.push(Stmt::CallValue {
        dest: Some(Place::local(twice)),
        callee: local(f),
        args: vec![local(once)],
    });
    let apply = apply.ret(Some(local(twice)));

    let mut make = Body::sync("make", int_fn.clone());
    let made = make.assign(int_fn.clone(), Rvalue::FnValue { func: "double.fn".into(), env: None });
    let make = make.ret(Some(local(made)));

    let mut main = main_body();
    let f = main.assign(int_fn.clone(), Rvalue::FnValue { func: "double.fn".into(), env: None });
    let r = main.local("r", I64);
    main.push(Stmt::CallValue {
        dest: Some(Place::local(r)),
        callee: local(f),
        args: vec![int(21)],
    });
    main.print(&I64, local(r));
    let g = main.local("g", int_fn.clone());
    main.push(Stmt::Call { dest: Some(Place::local(g)), func: "make".into(), args: Vec::new() });
    let applied = main.local("applied", I64);
    let args = vec![local(g), int(5)];
    main.push(Stmt::Call { dest: Some(Place::local(applied)), func: "apply".into(), args });
    main.print(&I64, local(applied));

    let swap_fn = Type::Fn(vec![pair.clone()], Box::new(swapped.clone()));
    let s = main.assign(swap_fn, Rvalue::FnValue { func: "swap.fn".into(), env: None });
    let name = main.concat(Operand::str("se"), Operand::str("ven"));
    let arg = main.assign(pair, Rvalue::Aggregate(AggregateKind::Tuple, vec![int(7), local(name)]));
    let out = main.local("out", swapped);
    main.push(Stmt::CallValue {
        dest: Some(Place::local(out)),
        callee: local(s),
        args: vec![local(arg)],
    });
    main.println(Operand::Copy(Place::local(out).project(Proj::Field(0))));
    main.print(&I64, Operand::Copy(Place::local(out).project(Proj::Field(1))));
    main.release(out);

    // Function values as vector elements, called through element places.
    let table = main.runtime(vec_of(int_fn.clone()), RtOp::VecWithCapacity, vec![int(0)]);
    for _ in 0..3 {
        let f =
            main.assign(int_fn.clone(), Rvalue::FnValue { func: "double.fn".into(), env: None });
        main.update(table, UpdateOp::VecPush, vec![local(f)]);
    }
    let len = main.runtime(I64, RtOp::VecLen, vec![local(table)]);
    main.for_range(local(len), |b, i| {
        b.push(Stmt::Retain(elem(table, i)));
        let r = b.local("r", I64);
        let call = Stmt::CallValue {
            dest: Some(Place::local(r)),
            callee: Operand::Copy(elem(table, i)),
            args: vec![local(i)],
        };
        b.push(call);
        b.print(&I64, local(r));
    });
    main.release(table);
    let functions = vec![thunk(&double), thunk(&swap), double, swap, apply, make];
    (program(main, functions, Vec::new()), "42\n20\nseven\n7\n0\n2\n4\n")
}

/// The code of a closure over `env`: `(env, x: i64): string = s + (n + x)` where the
/// environment holds `s: string` and `n: i64`; it releases its environment.
fn closure_code(name: &str, env: &str) -> Function {
    let mut code = Body::sync(name, Type::String);
    let env_local = code.param("env", Type::EnvPtr(Some(env.into())));
    let x = code.param("x", I64);
    let s = code.local("s", Type::String);
    code.push(Stmt::LoadState { dest: s, state: env_local, field: 0 });
    let n = code.local("n", I64);
    code.push(Stmt::LoadState { dest: n, state: env_local, field: 1 });
    let sum = code.assign(I64, Rvalue::Binary(BinOp::Add, local(n), local(x)));
    let digits = code.runtime(Type::String, RtOp::StringFromI64, vec![local(sum)]);
    let result = code.concat(local(s), local(digits));
    code.release(digits);
    code.release(env_local);
    code.ret(Some(local(result)))
}

/// The drop function of an environment: releases its counted fields.
fn env_drop(def: &StructDef, types: &TypeDefs) -> Function {
    let mut drop = Body::new(
        &format!("{}.drop", def.name),
        FunctionKind::EnvDrop { env: def.name.clone() },
        Type::Unit,
    );
    let captures = drop.param("env", Type::StatePtr(def.name.clone()));
    for (i, field) in def.fields.iter().enumerate() {
        if field.ty.needs_drop(types) {
            let value = drop.local(&field.name, field.ty.clone());
            drop.push(Stmt::LoadState { dest: value, state: captures, field: i as u32 });
            drop.release(value);
        }
    }
    drop.ret(None)
}

/// Closures with environments: one holding a string and an integer (with a drop
/// function that releases the string when the last copy of the closure goes), called
/// through copies and through a vector of closures; one holding only an integer (no
/// drop function).
fn closures() -> (Module, &'static str) {
    let types = TypeDefs::default();
    let env_name = "main.closure0.env";
    let env_def = struct_def(env_name, vec![("s".into(), Type::String), ("n".into(), I64)], &types);
    let plain_name = "main.closure1.env";
    let plain_def = struct_def(plain_name, vec![("k".into(), I64)], &types);
    let closure_ty = Type::Fn(vec![I64], Box::new(Type::String));
    let int_fn = Type::Fn(vec![I64], Box::new(I64));

    let mut scale = Body::sync("main.closure1", I64);
    let env_local = scale.param("env", Type::EnvPtr(Some(plain_name.into())));
    let x = scale.param("x", I64);
    let k = scale.local("k", I64);
    scale.push(Stmt::LoadState { dest: k, state: env_local, field: 0 });
    scale.release(env_local);
    let product = scale.assign(I64, Rvalue::Binary(BinOp::Mul, local(k), local(x)));
    let scale = scale.ret(Some(local(product)));

    let mut main = main_body();
    let greeting = main.concat(Operand::str("hello "), Operand::str("world"));
    let env = main.local("env", Type::EnvPtr(Some(env_name.into())));
    main.push(Stmt::EnvAlloc { dest: env });
    main.push(Stmt::StoreState { state: env, field: 0, value: local(greeting) });
    main.push(Stmt::StoreState { state: env, field: 1, value: int(42) });
    let f = main.assign(
        closure_ty.clone(),
        Rvalue::FnValue { func: "main.closure0".into(), env: Some(local(env)) },
    );
    main.retain(f);
    let r1 = main.local("r1", Type::String);
    main.push(Stmt::CallValue {
        dest: Some(Place::local(r1)),
        callee: local(f),
        args: vec![int(1)],
    });
    main.println(local(r1));
    main.release(r1);
    let g = main.copy(f);
    let r2 = main.local("r2", Type::String);
    main.push(Stmt::CallValue {
        dest: Some(Place::local(r2)),
        callee: local(g),
        args: vec![int(2)],
    });
    main.println(local(r2));
    main.release(r2);
    // Kept in a vector (the element type's release releases the environment).
    let table = main.runtime(vec_of(closure_ty.clone()), RtOp::VecWithCapacity, vec![int(4)]);
    let h = main.copy(f);
    main.update(table, UpdateOp::VecPush, vec![local(h)]);
    let zero = main.assign(I64, Rvalue::Use(int(0)));
    main.push(Stmt::Retain(elem(table, zero)));
    let r3 = main.local("r3", Type::String);
    let call = Stmt::CallValue {
        dest: Some(Place::local(r3)),
        callee: Operand::Copy(elem(table, zero)),
        args: vec![int(3)],
    };
    main.push(call);
    main.println(local(r3));
    main.release(r3);
    // The last call through `f` consumes its reference; the vector holds the last one.
    let r4 = main.local("r4", Type::String);
    main.push(Stmt::CallValue {
        dest: Some(Place::local(r4)),
        callee: local(f),
        args: vec![int(4)],
    });
    main.println(local(r4));
    main.release(r4);
    main.release(table);

    let plain = main.local("plain", Type::EnvPtr(Some(plain_name.into())));
    main.push(Stmt::EnvAlloc { dest: plain });
    main.push(Stmt::StoreState { state: plain, field: 0, value: int(6) });
    let times = main
        .assign(int_fn, Rvalue::FnValue { func: "main.closure1".into(), env: Some(local(plain)) });
    let r5 = main.local("r5", I64);
    main.push(Stmt::CallValue {
        dest: Some(Place::local(r5)),
        callee: local(times),
        args: vec![int(7)],
    });
    main.print(&I64, local(r5));

    let functions =
        vec![closure_code("main.closure0", env_name), env_drop(&env_def, &types), scale];
    let module = program(main, functions, vec![env_def, plain_def]);
    let expected = "hello world43\nhello world44\nhello world45\nhello world46\n42\n";
    (module, expected)
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
