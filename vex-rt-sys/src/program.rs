//! Running a compiled program's entry on a host-made [`Runtime`], and the report of how
//! the run ended ([`ProgramReport`]): read from the runtime's own record after an
//! in-process run ([`Runtime::run_program`]) or from the file an executable writes when
//! `VEX_REPORT_FILE` is set ([`ProgramReport::read_file`]; the format is
//! `vex_report_write`'s in `vex_rt.h`).

use crate::ffi;
use crate::host::Runtime;
use std::ffi::CStr;

/// How a program's run ended, mirroring `VexEnding`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProgramEnding {
    /// `main` returned this code (0 for unit).
    Returned(i32),
    /// A task called `exit(code)`.
    Exited(i32),
    /// A task panicked.
    Panicked {
        /// The file of the panic.
        file: String,
        /// Its line.
        line: u32,
        /// Its column.
        col: u32,
        /// The message.
        message: String,
    },
    /// This many tasks were left waiting forever.
    Deadlocked(u64),
    /// `runtime_interrupt` stopped the run.
    Interrupted,
    /// `main`'s task ended without a value.
    Unfinished,
}

impl ProgramEnding {
    /// The ending a `VexEnding` code stands for (`None` for an unknown code), with the
    /// run's exit code, its count of deadlocked tasks and, for a panic, its record.
    fn from_parts(
        ending: ffi::VexEnding,
        exit_code: i32,
        deadlocked: u64,
        panic: impl FnOnce() -> (String, u32, u32, String),
    ) -> Option<ProgramEnding> {
        Some(match ending {
            ffi::VEX_ENDING_RETURNED => ProgramEnding::Returned(exit_code),
            ffi::VEX_ENDING_EXITED => ProgramEnding::Exited(exit_code),
            ffi::VEX_ENDING_PANICKED => {
                let (file, line, col, message) = panic();
                ProgramEnding::Panicked { file, line, col, message }
            }
            ffi::VEX_ENDING_DEADLOCKED => ProgramEnding::Deadlocked(deadlocked),
            ffi::VEX_ENDING_INTERRUPTED => ProgramEnding::Interrupted,
            ffi::VEX_ENDING_UNFINISHED => ProgramEnding::Unfinished,
            _ => return None,
        })
    }
}

/// What one run of a program's entry produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramReport {
    /// How it ended.
    pub ending: ProgramEnding,
    /// The exit code the runtime derived from it.
    pub exit_code: i32,
}

impl ProgramReport {
    /// Copies a raw report (whose panic strings belong to a live runtime).
    ///
    /// # Safety
    /// The panic strings of `raw`, for `VEX_ENDING_PANICKED`, must be valid C strings.
    unsafe fn from_raw(raw: &ffi::VexRunReport) -> ProgramReport {
        let text = |p: *const std::ffi::c_char| {
            if p.is_null() {
                String::new()
            } else {
                // SAFETY: the caller guarantees the strings are valid.
                unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
            }
        };
        let ending = ProgramEnding::from_parts(raw.ending, raw.exit_code, raw.deadlocked, || {
            (text(raw.panic.file), raw.panic.line, raw.panic.col, text(raw.panic.message))
        })
        .unwrap_or(ProgramEnding::Unfinished);
        ProgramReport { ending, exit_code: raw.exit_code }
    }

    /// Parses the report an executable wrote to `VEX_REPORT_FILE`.
    pub fn read_file(path: &std::path::Path) -> std::io::Result<ProgramReport> {
        let bytes = std::fs::read(path)?;
        parse_report(&bytes).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} is not a run report", path.display()),
            )
        })
    }
}

/// Parses `vex_report_write`'s format.
fn parse_report(bytes: &[u8]) -> Option<ProgramReport> {
    fn line<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
        let end = rest.iter().position(|&b| b == b'\n')?;
        let (head, tail) = rest.split_at(end);
        *rest = &tail[1..];
        Some(head)
    }
    let mut rest = bytes;
    if line(&mut rest)? != b"vex-report 1" {
        return None;
    }
    let mut numbers = [0i64; 5];
    for (slot, key) in numbers.iter_mut().zip(["ending", "exit_code", "deadlocked", "line", "col"])
    {
        let text = std::str::from_utf8(line(&mut rest)?).ok()?;
        *slot = text.strip_prefix(key)?.strip_prefix(' ')?.parse().ok()?;
    }
    let mut strings = [String::new(), String::new()];
    for (slot, key) in strings.iter_mut().zip(["file", "message"]) {
        let text = std::str::from_utf8(line(&mut rest)?).ok()?;
        let len: usize = text.strip_prefix(key)?.strip_prefix(' ')?.parse().ok()?;
        if rest.len() < len + 1 || rest[len] != b'\n' {
            return None;
        }
        *slot = String::from_utf8_lossy(&rest[..len]).into_owned();
        rest = &rest[len + 1..];
    }
    let [ending, exit_code, deadlocked, line, col] = numbers;
    let [file, message] = strings;
    let exit_code = i32::try_from(exit_code).ok()?;
    let (line, col) = (u32::try_from(line).ok()?, u32::try_from(col).ok()?);
    let ending = ProgramEnding::from_parts(
        i32::try_from(ending).ok()?,
        exit_code,
        u64::try_from(deadlocked).ok()?,
        || (file, line, col, message),
    )?;
    Some(ProgramReport { ending, exit_code })
}

impl Runtime {
    /// Runs a compiled program's entry on this runtime: spawns its `main`, runs every
    /// task (this thread is worker 0) and reports how the run ended. Use a fresh runtime
    /// per run, built with deadlock detection for a program's own run.
    ///
    /// # Safety
    /// `run_main` must be a program's generated `vex_run_main` (`VexRunMain` in
    /// `vex_rt.h`), whose code stays alive during the call.
    pub unsafe fn run_program(&self, run_main: ffi::VexRunMain) -> ProgramReport {
        let _guard = self.lock_run();
        let mut raw = std::mem::MaybeUninit::<ffi::VexRunReport>::zeroed();
        // SAFETY: the caller guarantees run_main; the runtime is live and not running
        // (run_lock); raw is a valid out pointer.
        unsafe {
            run_main(self.as_raw(), raw.as_mut_ptr());
            let report = ProgramReport::from_raw(raw.assume_init_ref());
            ffi::runtime_set_current(std::ptr::null_mut());
            report
        }
    }

    /// After a run that stopped with tasks left (`runtime_teardown`): cancels them and
    /// runs them down their cancel paths so they release what they hold; their output
    /// is discarded. Stop a teardown that takes too long with [`Runtime::interrupt`].
    ///
    /// # Safety
    /// The code of every task left (compiled program code) must still be alive.
    pub unsafe fn teardown(&self) {
        let _guard = self.lock_run();
        // SAFETY: the runtime is live and not running (run_lock); the caller guarantees
        // the tasks' code.
        unsafe {
            ffi::runtime_teardown(self.as_raw());
            ffi::runtime_set_current(std::ptr::null_mut());
        }
    }

    /// Interrupts a run of this runtime from any thread (`runtime_interrupt`): every task
    /// stops at its next guard check or suspension, and the run ends as interrupted.
    pub fn interrupt(&self) {
        // SAFETY: the runtime is live while self exists; the call is thread-safe.
        unsafe { ffi::runtime_interrupt(self.as_raw()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_written_by_the_runtime_parse_back() {
        let dir = std::env::temp_dir().join(format!("vex-report-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("report");
        let file = c"main.vx";
        let message = c"index out of bounds:\nline two";
        let raw = ffi::VexRunReport {
            ending: ffi::VEX_ENDING_PANICKED,
            exit_code: 101,
            deadlocked: 0,
            panic: ffi::VexPanicInfo {
                file: file.as_ptr(),
                message: message.as_ptr(),
                line: 3,
                col: 14,
            },
        };
        let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: valid path and report.
        assert_eq!(unsafe { ffi::vex_report_write(c_path.as_ptr(), &raw) }, 0);
        let report = ProgramReport::read_file(&path).unwrap();
        assert_eq!(
            report.ending,
            ProgramEnding::Panicked {
                file: "main.vx".into(),
                line: 3,
                col: 14,
                message: "index out of bounds:\nline two".into()
            }
        );
        assert_eq!(report.exit_code, 101);
        assert!(parse_report(b"vex-report 2\n").is_none());
        assert!(parse_report(b"vex-report 1\nending 9\n").is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
