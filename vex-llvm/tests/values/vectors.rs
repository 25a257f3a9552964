//! Vectors: push (with its inline fast path), element places, pop, clear, reverse,
//! sort, copy-on-write, vectors of references.

use super::*;

/// 1000 pushes (the first into the empty vector, then growing, mostly the inline fast
/// path) read back through element places and the length; a vector of tuples whose
/// elements are read field by field.
pub(super) fn push_and_read_back() -> (Module, &'static str) {
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
pub(super) fn pop() -> (Module, &'static str) {
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
pub(super) fn sort_reverse_clear() -> (Module, &'static str) {
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
pub(super) fn copy_on_write() -> (Module, &'static str) {
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
pub(super) fn vectors_of_references() -> (Module, &'static str) {
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
