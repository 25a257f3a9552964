//! Strings: every method, on counted strings and literals, and in-place append.

use super::*;

/// Every string method, on dynamic strings (counted) and literals.
pub(super) fn string_methods() -> (Module, &'static str) {
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
pub(super) fn append_in_place() -> (Module, &'static str) {
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
