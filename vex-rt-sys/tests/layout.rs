//! Layout test: the Rust view (`vex_rt_sys::ffi`) and the C view (`vex_abi_entries`,
//! computed with `sizeof`/`offsetof`) of every shared struct must agree on size,
//! alignment and field offsets. Every C entry must be checked here, so a struct that
//! changes in C without this file changing fails the test.

use std::collections::BTreeMap;
use std::ffi::CStr;
use std::mem::{align_of, offset_of, size_of};
use vex_rt_sys::ffi::{
    self, VexAbiEntry, VexCounters, VexElemType, VexEnv, VexPanicInfo, VexRunReport,
    VexRuntimeOptions, VexSelectArm, VexString, VexVec,
};

/// The task header as C lays it out (private to vex-rt, but its size is ABI).
#[repr(C)]
#[allow(dead_code)]
struct TaskHeader {
    resume: usize,
    state: u32,
    refs: u32,
    waiter: usize,
    link: [usize; 2],
    wait: u64,
    result_offset: u32,
    result_size: u32,
    wheel: i16,
    wait_kind: u8,
    size_class: u8,
    drop_slot: u32,
}

fn c_entries() -> BTreeMap<String, u64> {
    let mut n = 0usize;
    // SAFETY: returns a static table of n entries with NUL-terminated names.
    let table = unsafe {
        let p = ffi::vex_abi_entries(&mut n);
        std::slice::from_raw_parts(p, n)
    };
    table
        .iter()
        .map(|e| {
            // SAFETY: names are static C strings.
            let name = unsafe { CStr::from_ptr(e.name) }.to_str().unwrap().to_string();
            (name, e.value)
        })
        .collect()
}

macro_rules! rust_layout {
    ($out:ident, $ty:ident, $cname:literal, [$($field:ident),*]) => {
        $out.insert(concat!($cname, ".size").to_string(), size_of::<$ty>() as u64);
        $out.insert(concat!($cname, ".align").to_string(), align_of::<$ty>() as u64);
        $( $out.insert(concat!($cname, ".", stringify!($field)).to_string(), offset_of!($ty, $field) as u64); )*
    };
}

#[test]
fn rust_and_c_agree_on_every_shared_struct() {
    let mut rust = BTreeMap::new();
    rust_layout!(
        rust,
        TaskHeader,
        "VexTask",
        [
            resume,
            state,
            refs,
            waiter,
            link,
            wait,
            result_offset,
            result_size,
            wheel,
            wait_kind,
            size_class,
            drop_slot
        ]
    );
    rust.insert("VEX_TASK_HEADER_SIZE".to_string(), ffi::VEX_TASK_HEADER_SIZE as u64);
    rust_layout!(
        rust,
        VexRuntimeOptions,
        "VexRuntimeOptions",
        [workers, virtual_clock, detect_deadlock, sink, sink_user, serving]
    );
    rust_layout!(rust, VexPanicInfo, "VexPanicInfo", [file, message, line, col]);
    rust_layout!(rust, VexRunReport, "VexRunReport", [ending, exit_code, deadlocked, panic]);
    rust_layout!(
        rust,
        VexCounters,
        "VexCounters",
        [spawned, alive, finished, cancelled, steals, parks]
    );
    rust_layout!(rust, VexString, "VexString", [refs, reserved, len, bytes]);
    rust_layout!(rust, VexElemType, "VexElemType", [size, align, retain, release, kind, reserved]);
    rust_layout!(rust, VexVec, "VexVec", [refs, reserved, len, cap, elem]);
    rust.insert("VEX_VEC_HEADER_SIZE".to_string(), ffi::VEX_VEC_HEADER_SIZE as u64);
    rust_layout!(rust, VexEnv, "VexEnv", [refs, reserved, drop]);
    rust.insert("VEX_ENV_HEADER_SIZE".to_string(), ffi::VEX_ENV_HEADER_SIZE as u64);
    rust_layout!(rust, VexSelectArm, "VexSelectArm", [ch, waiter, kind, reserved]);
    rust.insert("VEX_CHAN_WAITER_SIZE".to_string(), ffi::VEX_CHAN_WAITER_SIZE as u64);
    rust.insert("VEX_SELECT_SIZE".to_string(), ffi::VEX_SELECT_SIZE as u64);
    rust.insert("VEX_IO_RESULT_SIZE".to_string(), ffi::VEX_IO_RESULT_SIZE as u64);
    rust.insert("VEX_IO_PAYLOAD_OFFSET".to_string(), ffi::VEX_IO_PAYLOAD_OFFSET as u64);
    rust.insert("VEX_IO_BOOL_RESULT_SIZE".to_string(), ffi::VEX_IO_BOOL_RESULT_SIZE as u64);
    rust.insert("VEX_OPTION_SIZE".to_string(), ffi::VEX_OPTION_SIZE as u64);
    rust.insert("VEX_OPTION_PAYLOAD_OFFSET".to_string(), ffi::VEX_OPTION_PAYLOAD_OFFSET as u64);
    rust.insert("VexAbiEntry.size".to_string(), size_of::<VexAbiEntry>() as u64);
    rust.insert("VexAbiEntry.name".to_string(), offset_of!(VexAbiEntry, name) as u64);
    rust.insert("VexAbiEntry.value".to_string(), offset_of!(VexAbiEntry, value) as u64);
    rust.insert("CoroStatus.size".to_string(), size_of::<ffi::CoroStatus>() as u64);
    rust.insert("EventType.size".to_string(), size_of::<ffi::EventType>() as u64);
    rust.insert("VexOutcome.size".to_string(), size_of::<ffi::VexOutcome>() as u64);

    let c = c_entries();
    for (name, value) in &c {
        assert_eq!(rust.get(name), Some(value), "C entry {name} = {value} differs from Rust");
    }
    for name in rust.keys() {
        assert!(c.contains_key(name), "Rust checks {name}, which C does not export");
    }
    assert_eq!(ffi::VEX_TASK_HEADER_SIZE, size_of::<TaskHeader>());
    assert_eq!(ffi::VEX_TASK_HEADER_SIZE % 16, 0, "state structs must start 16-byte aligned");
    assert_eq!(ffi::VEX_VEC_HEADER_SIZE, size_of::<VexVec>());
    assert_eq!(ffi::VEX_VEC_HEADER_SIZE % 16, 0, "vector elements must start 16-byte aligned");
    assert_eq!(ffi::VEX_ENV_HEADER_SIZE, size_of::<VexEnv>());
    assert_eq!(ffi::VEX_ENV_HEADER_SIZE % 16, 0, "captures must start 16-byte aligned");
    assert_eq!(ffi::VEX_CHAN_WAITER_SIZE % 16, 0, "channel slots must start 16-byte aligned");
    assert_eq!(ffi::VEX_SELECT_SIZE % 16, 0, "select records keep 16-byte alignment");
    assert_eq!(ffi::VEX_IO_PAYLOAD_OFFSET % 8, 0, "I/O result payloads are 8-byte aligned");
    assert_eq!(ffi::VEX_IO_RESULT_SIZE, ffi::VEX_IO_PAYLOAD_OFFSET + 8, "one 8-byte payload");
    assert_eq!(ffi::VEX_OPTION_SIZE, ffi::VEX_OPTION_PAYLOAD_OFFSET + 8, "one 8-byte payload");
}

#[test]
fn static_library_is_exposed() {
    assert!(vex_rt_sys::static_lib_path().is_file(), "{}", vex_rt_sys::static_lib_path().display());
}
