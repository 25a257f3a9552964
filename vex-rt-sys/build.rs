//! Build script: compiles the C runtime in `../vex-rt` into the static library
//! `libvexrt.a` (`-O2`, warnings as errors) and tells dependents where it is
//! (`DEP_VEXRT_LIB_DIR`, `DEP_VEXRT_INCLUDE`). It must not generate bindings: the FFI
//! items are written by hand and checked by the layout test.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets this"));
    let rt = manifest.join("..").join("vex-rt");
    let src = rt.join("src");
    let include = rt.join("include");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&src)
        .expect("vex-rt/src exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    files.sort();
    let mut build = cc::Build::new();
    build
        .files(&files)
        .include(&include)
        .include(&src)
        .flag("-std=c11")
        .flag("-pthread")
        .opt_level(2)
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true);
    build.compile("vexrt");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    println!("cargo:rerun-if-changed={}", include.join("vex_rt.h").display());
    println!("cargo:rerun-if-changed={}", src.join("internal.h").display());
    let out = std::env::var("OUT_DIR").expect("cargo sets this");
    // For dependents' build scripts (DEP_VEXRT_LIB_DIR / DEP_VEXRT_INCLUDE) ...
    println!("cargo:lib_dir={out}");
    println!("cargo:include={}", include.display());
    // ... and for code (vex_rt_sys::LIB_DIR).
    println!("cargo:rustc-env=VEX_RT_LIB_DIR={out}");
    println!("cargo:rustc-link-lib=pthread");
    println!("cargo:rustc-link-lib=m");
}
