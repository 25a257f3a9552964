//! Vex v0.2 values through the raw FFI: a string split and joined back, a vector of
//! 1000 `i64` pushed and read back through the header layout generated code relies on,
//! and a closure environment whose drop callback runs exactly once. The C tests
//! (`make -C vex-rt check`) cover the edge cases; this checks the Rust declarations.

use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};
use vex_rt_sys::ffi::{self, VexElemType, VexString, VexVec};

/// A new string holding `text`.
fn string(text: &str) -> *mut VexString {
    // SAFETY: text is valid for text.len() bytes.
    unsafe { ffi::vex_string_from_bytes(text.as_ptr().cast::<c_char>(), text.len()) }
}

/// The bytes of a string (NULL is empty).
fn bytes(s: *const VexString) -> Vec<u8> {
    // SAFETY: vex_string_bytes never returns NULL and holds vex_string_len bytes.
    unsafe {
        std::slice::from_raw_parts(ffi::vex_string_bytes(s).cast::<u8>(), ffi::vex_string_len(s))
            .to_vec()
    }
}

/// Element `i` of `v`, read as generated code reads it.
///
/// # Safety
/// `v` must be a live vector of more than `i` elements of type `T`.
unsafe fn element<T: Copy>(v: *const VexVec, i: usize) -> T {
    // SAFETY: elements follow the 32-byte header, `size_of::<T>()` bytes each.
    unsafe { *v.cast::<u8>().add(ffi::VEX_VEC_HEADER_SIZE + i * size_of::<T>()).cast::<T>() }
}

#[test]
fn split_then_join_round_trips() {
    let text = string("a,b,,c,");
    let comma = string(",");
    // SAFETY: both strings are live; split returns a Vec<string> we release below.
    unsafe {
        let parts = ffi::vex_string_split(text, comma);
        assert_eq!(ffi::vex_vec_len(parts), 5);
        assert!(std::ptr::eq((*parts).elem, &raw const ffi::vex_elem_string));
        let pieces: Vec<Vec<u8>> =
            (0..5).map(|i| bytes(element::<*const VexString>(parts, i))).collect();
        assert_eq!(pieces, [&b"a"[..], b"b", b"", b"c", b""]);
        let joined = ffi::vex_vec_join(parts, comma);
        assert!(ffi::vex_string_equal(joined, text));
        ffi::vex_string_release(joined);
        ffi::vex_vec_release(parts);
        ffi::vex_string_release(comma);
        ffi::vex_string_release(text);
    }
}

static I64: VexElemType = VexElemType {
    size: 8,
    align: 8,
    retain: None,
    release: None,
    kind: ffi::VEX_ELEM_I64,
    reserved: 0,
};

#[test]
fn pushed_i64s_read_back_through_the_header() {
    let mut v: *mut VexVec = std::ptr::null_mut();
    for i in 0..1000i64 {
        let value = 999 - i;
        // SAFETY: v is NULL or the vector push returned; value is 8 readable bytes.
        v = unsafe { ffi::vex_vec_push(v, &I64, (&raw const value).cast::<c_void>()) };
    }
    // SAFETY: v is a live unique vector of 1000 i64.
    unsafe {
        assert_eq!((*v).len, 1000);
        assert!((*v).cap >= 1000);
        assert_eq!((*v).refs, 1);
        for i in 0..1000 {
            assert_eq!(element::<i64>(v, i), 999 - i as i64);
        }
        v = ffi::vex_vec_sort(v);
        for i in 0..1000 {
            assert_eq!(element::<i64>(v, i), i as i64);
        }
        let mut last = 0i64;
        v = ffi::vex_vec_pop(v, (&raw mut last).cast::<c_void>());
        assert_eq!((last, ffi::vex_vec_len(v)), (999, 999));
        ffi::vex_vec_release(v);
    }
}

static DROPS: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn drop_captures(captures: *mut c_void) {
    // SAFETY: the captures are the 8 bytes written below.
    assert_eq!(unsafe { *captures.cast::<u64>() }, 7);
    DROPS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn environment_drop_runs_once() {
    // SAFETY: the captures hold 8 zeroed bytes; every retain is matched by a release.
    unsafe {
        let captures = ffi::vex_env_alloc(8, Some(drop_captures));
        assert_eq!(captures as usize % 16, 0);
        assert_eq!(*captures.cast::<u64>(), 0);
        *captures.cast::<u64>() = 7;
        let copy = ffi::vex_env_retain(captures);
        ffi::vex_env_release(copy);
        assert_eq!(DROPS.load(Ordering::SeqCst), 0);
        ffi::vex_env_release(captures);
        assert_eq!(DROPS.load(Ordering::SeqCst), 1);
    }
}
