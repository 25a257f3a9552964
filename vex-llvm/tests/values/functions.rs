//! Function values: named functions as values (`F.fn` thunks) and closures with
//! environments and their drop functions; calls borrow the value.

use super::*;

/// The code of a named function used as a value: `F.fn(env, args…)` calls `F`.
pub(super) fn thunk(target: &Function) -> Function {
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
pub(super) fn named_function_values() -> (Module, &'static str) {
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
    apply.release(f);
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
/// environment holds `s: string` and `n: i64`; it borrows its environment.
pub(super) fn closure_code(name: &str, env: &str) -> Function {
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
    code.ret(Some(local(result)))
}

/// The drop function of an environment: releases its counted fields.
pub(super) fn env_drop(def: &StructDef, types: &TypeDefs) -> Function {
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
pub(super) fn closures() -> (Module, &'static str) {
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
    // Calls borrow the function value: no reference count changes around them.
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
    main.release(g);
    // Kept in a vector (the element type's release releases the environment).
    let table = main.runtime(vec_of(closure_ty.clone()), RtOp::VecWithCapacity, vec![int(4)]);
    let h = main.copy(f);
    main.update(table, UpdateOp::VecPush, vec![local(h)]);
    let zero = main.assign(I64, Rvalue::Use(int(0)));
    let r3 = main.local("r3", Type::String);
    let call = Stmt::CallValue {
        dest: Some(Place::local(r3)),
        callee: Operand::Copy(elem(table, zero)),
        args: vec![int(3)],
    };
    main.push(call);
    main.println(local(r3));
    main.release(r3);
    // After the last call through `f`, the vector holds the last reference.
    let r4 = main.local("r4", Type::String);
    main.push(Stmt::CallValue {
        dest: Some(Place::local(r4)),
        callee: local(f),
        args: vec![int(4)],
    });
    main.println(local(r4));
    main.release(r4);
    main.release(f);
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
    main.release(times);

    let functions =
        vec![closure_code("main.closure0", env_name), env_drop(&env_def, &types), scale];
    let module = program(main, functions, vec![env_def, plain_def]);
    let expected = "hello world43\nhello world44\nhello world45\nhello world46\n42\n";
    (module, expected)
}
