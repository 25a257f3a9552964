//! Ahead-of-time output: object files for the host target and executables linked by
//! the system C compiler against vex-rt's static library (the one vex-rt-sys built, so
//! the JIT and executables always use the same runtime). It must not generate code; a
//! module given to [`build_executable`] already contains the C `main`
//! ([`crate::entry::define_c_main`]).

use crate::{Error, HostTarget, OptLevel, TargetOptions};
use inkwell::module::Module;
use inkwell::targets::FileType;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How executables are linked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LinkOptions {
    /// The C compiler driving the link (`$CC`, else `cc`).
    pub cc: PathBuf,
    /// The runtime's static library.
    pub runtime_library: PathBuf,
    /// Extra arguments after the inputs (libraries, `-static`, ...).
    pub extra_args: Vec<String>,
}

impl Default for LinkOptions {
    fn default() -> LinkOptions {
        let cc = std::env::var_os("CC").filter(|cc| !cc.is_empty()).unwrap_or_else(|| "cc".into());
        LinkOptions {
            cc: PathBuf::from(cc),
            runtime_library: vex_rt_sys::static_lib_path(),
            extra_args: Vec::new(),
        }
    }
}

/// Compiles `module` to an object file in memory.
pub fn emit_object(module: &Module<'_>, target: &HostTarget) -> Result<Vec<u8>, Error> {
    target.configure(module);
    module.verify().map_err(|e| Error::InvalidModule(e.to_string()))?;
    let buffer =
        target.machine().write_to_memory_buffer(module, FileType::Object).map_err(Error::llvm)?;
    Ok(buffer.as_slice().to_vec())
}

/// Compiles `module` to an object file at `path`.
pub fn write_object(module: &Module<'_>, target: &HostTarget, path: &Path) -> Result<(), Error> {
    let bytes = emit_object(module, target)?;
    std::fs::write(path, bytes).map_err(|source| Error::Io { path: path.to_path_buf(), source })
}

/// Links `objects` with the runtime into the executable `output`.
pub fn link_executable(
    objects: &[PathBuf],
    output: &Path,
    options: &LinkOptions,
) -> Result<(), Error> {
    let mut command = Command::new(&options.cc);
    command.arg("-o").arg(output).args(objects).arg(&options.runtime_library);
    command.args(["-lpthread", "-lm"]).args(&options.extra_args);
    let result =
        command.output().map_err(|source| Error::Io { path: options.cc.clone(), source })?;
    if result.status.success() {
        Ok(())
    } else {
        Err(Error::Link {
            output: output.to_path_buf(),
            status: result.status.to_string(),
            stderr: String::from_utf8_lossy(&result.stderr).into_owned(),
        })
    }
}

/// Optimises `module` at `opt_level`, writes `<output>.o` and links it into the
/// executable `output` (generic code for the host architecture, so the executable runs
/// on other machines of the same kind). The object file is removed afterwards.
pub fn build_executable(
    module: &Module<'_>,
    output: &Path,
    opt_level: OptLevel,
    link: &LinkOptions,
) -> Result<(), Error> {
    let target = HostTarget::new(TargetOptions { opt_level, native_cpu: false })?;
    crate::opt::optimize(module, &target, opt_level, false)?;
    let object = output.with_extension("o");
    write_object(module, &target, &object)?;
    let linked = link_executable(std::slice::from_ref(&object), output, link);
    let removed = std::fs::remove_file(&object);
    linked?;
    removed.map_err(|source| Error::Io { path: object, source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Ending, sleepy_program};
    use inkwell::context::Context;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);
    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!("vex-llvm-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn build(dir: &TempDir, ending: Ending, level: OptLevel) -> PathBuf {
        let context = Context::create();
        let module = sleepy_program(&context, ending, true);
        let exe = dir.0.join("sleepy");
        build_executable(&module, &exe, level, &LinkOptions::default()).unwrap();
        assert!(!exe.with_extension("o").exists(), "the object file is cleaned up");
        exe
    }

    fn run(exe: &Path, env: &[(&str, &str)]) -> (String, String, Option<i32>) {
        let mut command = Command::new(exe);
        command.env_remove("VEX_WORKERS").env_remove("VEX_CLOCK");
        command.envs(env.iter().copied());
        let out = command.output().unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (text(&out.stdout), text(&out.stderr), out.status.code())
    }

    #[test]
    fn executable_prints_sleeps_and_exits_with_mains_result() {
        let dir = TempDir::new("exit");
        let exe = build(&dir, Ending::Exit(42), OptLevel::O2);
        let deterministic = [("VEX_WORKERS", "1"), ("VEX_CLOCK", "virtual")];
        assert_eq!(run(&exe, &deterministic), ("start\n5\n".into(), String::new(), Some(42)));
        // Defaults: every CPU, real clock.
        let (stdout, stderr, code) = run(&exe, &[]);
        assert!(stdout.starts_with("start\n"), "{stdout}");
        assert!(stdout.lines().nth(1).unwrap().parse::<i64>().unwrap() >= 5);
        assert_eq!((stderr.as_str(), code), ("", Some(42)));
        // A worker count that is not a number also means every CPU.
        assert_eq!(run(&exe, &[("VEX_WORKERS", "lots")]).2, Some(42));
    }

    #[test]
    fn executable_panic_exits_with_101() {
        let dir = TempDir::new("panic");
        let exe = build(&dir, Ending::Panic, OptLevel::O0);
        let (stdout, stderr, code) = run(&exe, &[("VEX_CLOCK", "virtual")]);
        assert_eq!(stdout, "start\n");
        assert_eq!(stderr, "panic at demo.vx:3:5: boom\n");
        assert_eq!(code, Some(101));
    }

    #[test]
    fn object_file_is_elf_with_main_and_a_failing_link_is_an_error() {
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        let context = Context::create();
        let module = sleepy_program(&context, Ending::Exit(0), false);
        let object = emit_object(&module, &target).unwrap();
        assert_eq!(&object[..4], b"\x7fELF");
        let dir = TempDir::new("link");
        let path = dir.0.join("no_main.o");
        write_object(&module, &target, &path).unwrap();
        // Without a C main the link must fail with the linker's message.
        let err = link_executable(&[path], &dir.0.join("exe"), &LinkOptions::default());
        match err {
            Err(Error::Link { stderr, .. }) => assert!(stderr.contains("main"), "{stderr}"),
            other => panic!("expected a link error, got {other:?}"),
        }
    }
}
