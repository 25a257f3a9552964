//! Hand-built LLVM programs for the backend's own tests, written the way lowered Vex
//! code will look (a state struct, a resume function following the suspension protocol
//! of `vex_rt.h`, a wrapper and the program entry). Test-only; it must not grow into a
//! code generator — that is `codegen`'s job.

use crate::abi::{self, RtFn, RuntimeAbi};
use crate::entry::{self, MainFunction, MainResult};
use crate::{HostTarget, TargetOptions};
use inkwell::context::Context;
use inkwell::module::{Linkage, Module};
use inkwell::values::BasicMetadataValueEnum;

/// What the sleepy program does after its sleep.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ending {
    /// Prints the virtual time and finishes with this exit code.
    Exit(i32),
    /// Panics at `demo.vx:3:5` with message `boom`.
    Panic,
}

/// `async fn main(): i32 { $println("start"); await async_sleep(5); $println(now_ms()); N }`
/// lowered by hand, with its entry (`vex_run_main`) and, if `with_c_main`, the C `main`.
pub(crate) fn sleepy_program<'ctx>(
    context: &'ctx Context,
    ending: Ending,
    with_c_main: bool,
) -> Module<'ctx> {
    let target = HostTarget::new(TargetOptions::default()).unwrap();
    let module = context.create_module("sleepy");
    target.configure(&module);
    let target_data = target.target_data();
    let abi = RuntimeAbi::new(context, &target_data);
    let builder = context.create_builder();
    let i32_type = context.i32_type();
    let i64_type = context.i64_type();
    let ptr = abi.ptr_type();
    let call = |f: RtFn, args: &[BasicMetadataValueEnum<'ctx>]| {
        builder.build_call(abi.declare(&module, f), args, "").unwrap()
    };

    let state_type = context.opaque_struct_type("main.state");
    state_type.set_body(&[i32_type.into(), i32_type.into()], false);
    let start_text = abi.define_string_literal(&module, "str.start", b"start");

    // CoroStatus main.resume(WorkerContext *ctx, main.state *s)
    let resume = module.add_function("main.resume", abi.resume_fn_type(), Some(Linkage::Internal));
    let ctx = resume.get_nth_param(0).unwrap().into_pointer_value();
    let state = resume.get_nth_param(1).unwrap().into_pointer_value();
    let entry = context.append_basic_block(resume, "entry");
    let start = context.append_basic_block(resume, "start");
    let after_sleep = context.append_basic_block(resume, "after_sleep");
    let cancel_exit = context.append_basic_block(resume, "cancel_exit");
    let go_on = context.append_basic_block(resume, "go_on");
    let bad_tag = context.append_basic_block(resume, "bad_tag");

    builder.position_at_end(entry);
    let tag_slot = builder.build_struct_gep(state_type, state, 0, "tag_slot").unwrap();
    let tag = builder.build_load(i32_type, tag_slot, "tag").unwrap().into_int_value();
    builder
        .build_switch(
            tag,
            bad_tag,
            &[(i32_type.const_int(0, false), start), (i32_type.const_int(1, false), after_sleep)],
        )
        .unwrap();

    builder.position_at_end(bad_tag);
    builder.build_unreachable().unwrap();

    builder.position_at_end(start);
    let stdout = i32_type.const_int(u64::from(abi::STDOUT), false);
    let yes = context.bool_type().const_int(1, false);
    call(RtFn::Print, &[stdout.into(), start_text.as_pointer_value().into(), yes.into()]);
    builder.build_store(tag_slot, i32_type.const_int(1, false)).unwrap();
    call(RtFn::WorkerAwaitAfter, &[ctx.into(), i64_type.const_int(5, false).into()]);
    let yielded = abi.coro_status_type().const_int(u64::from(abi::CORO_STATUS_YIELDED), false);
    builder.build_return(Some(&yielded)).unwrap();

    builder.position_at_end(after_sleep);
    let cancelled = call(RtFn::TaskCancelled, &[ctx.into()]);
    let cancelled = cancelled.try_as_basic_value().basic().unwrap().into_int_value();
    builder.build_conditional_branch(cancelled, cancel_exit, go_on).unwrap();

    builder.position_at_end(cancel_exit);
    let status = call(RtFn::TaskFinishCancelled, &[ctx.into()]);
    builder.build_return(Some(&status.try_as_basic_value().basic().unwrap())).unwrap();

    builder.position_at_end(go_on);
    match ending {
        Ending::Exit(code) => {
            let now = call(RtFn::NowMs, &[]).try_as_basic_value().basic().unwrap();
            let text = call(RtFn::StringFromI64, &[now.into()]);
            let text = text.try_as_basic_value().basic().unwrap();
            call(RtFn::Print, &[stdout.into(), text.into(), yes.into()]);
            call(RtFn::StringRelease, &[text.into()]);
            let result_slot = builder.build_struct_gep(state_type, state, 1, "result").unwrap();
            let code = i32_type.const_int(code as u64, true);
            builder.build_store(result_slot, code).unwrap();
            let done = abi.coro_status_type().const_int(u64::from(abi::CORO_STATUS_DONE), false);
            builder.build_return(Some(&done)).unwrap();
        }
        Ending::Panic => {
            let file = builder.build_global_string_ptr("demo.vx", "file").unwrap();
            let message = builder.build_global_string_ptr("boom", "message").unwrap();
            call(
                RtFn::PanicCstr,
                &[
                    file.as_pointer_value().into(),
                    i32_type.const_int(3, false).into(),
                    i32_type.const_int(5, false).into(),
                    message.as_pointer_value().into(),
                ],
            );
            builder.build_unreachable().unwrap();
        }
    }

    // VexFuture *main(WorkerContext *ctx): one allocation, tag 0, spawn.
    let wrapper = module.add_function(
        "main.wrapper",
        ptr.fn_type(&[ptr.into()], false),
        Some(Linkage::Internal),
    );
    builder.position_at_end(context.append_basic_block(wrapper, "entry"));
    let usize_type = abi.usize_type();
    let size = usize_type.const_int(target_data.get_abi_size(&state_type), false);
    let result_offset = target_data.offset_of_element(&state_type, 1).unwrap();
    let result_offset = usize_type.const_int(result_offset, false);
    let result_size = usize_type.const_int(4, false);
    let resume_ptr = resume.as_global_value().as_pointer_value();
    let state = call(
        RtFn::TaskAlloc,
        &[size.into(), result_offset.into(), result_size.into(), resume_ptr.into()],
    );
    let state = state.try_as_basic_value().basic().unwrap().into_pointer_value();
    let tag_slot = builder.build_struct_gep(state_type, state, 0, "tag_slot").unwrap();
    builder.build_store(tag_slot, i32_type.const_zero()).unwrap();
    let ctx = wrapper.get_nth_param(0).unwrap();
    let future = call(RtFn::TaskSpawn, &[ctx.into(), state.into()]);
    builder.build_return(Some(&future.try_as_basic_value().basic().unwrap())).unwrap();

    let main = MainFunction { wrapper, result: MainResult::I32 };
    let run_main = entry::define_run_main(&abi, &module, main).unwrap();
    if with_c_main {
        entry::define_c_main(&abi, &module, run_main).unwrap();
    }
    module.verify().unwrap_or_else(|e| panic!("{e}\n{}", module.print_to_string()));
    module
}

/// `i64 sum_below(i64 n)`: `let! i = 0; let! acc = 0; while i < n { acc += i; i += 1 }`
/// with both locals in stack slots, the way an unoptimised front end emits it.
pub(crate) fn loop_module(context: &Context) -> Module<'_> {
    let target = HostTarget::new(TargetOptions::default()).unwrap();
    let module = context.create_module("loop");
    target.configure(&module);
    let i64_type = context.i64_type();
    let function =
        module.add_function("sum_below", i64_type.fn_type(&[i64_type.into()], false), None);
    let builder = context.create_builder();
    let entry = context.append_basic_block(function, "entry");
    let header = context.append_basic_block(function, "header");
    let body = context.append_basic_block(function, "body");
    let exit = context.append_basic_block(function, "exit");
    builder.position_at_end(entry);
    let i = builder.build_alloca(i64_type, "i").unwrap();
    let acc = builder.build_alloca(i64_type, "acc").unwrap();
    builder.build_store(i, i64_type.const_zero()).unwrap();
    builder.build_store(acc, i64_type.const_zero()).unwrap();
    builder.build_unconditional_branch(header).unwrap();
    builder.position_at_end(header);
    let n = function.get_nth_param(0).unwrap().into_int_value();
    let current = builder.build_load(i64_type, i, "current").unwrap().into_int_value();
    let more = builder.build_int_compare(inkwell::IntPredicate::SLT, current, n, "more").unwrap();
    builder.build_conditional_branch(more, body, exit).unwrap();
    builder.position_at_end(body);
    let sum = builder.build_load(i64_type, acc, "sum").unwrap().into_int_value();
    let sum = builder.build_int_add(sum, current, "sum").unwrap();
    builder.build_store(acc, sum).unwrap();
    let next = builder.build_int_add(current, i64_type.const_int(1, false), "next").unwrap();
    builder.build_store(i, next).unwrap();
    builder.build_unconditional_branch(header).unwrap();
    builder.position_at_end(exit);
    let result = builder.build_load(i64_type, acc, "result").unwrap();
    builder.build_return(Some(&result)).unwrap();
    module.verify().unwrap();
    module
}
