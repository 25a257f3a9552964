//! `cargo xtask load [SECONDS]`: the load test of issue #13. The HTTP example
//! (`examples/22_io/http_hello.vx`), built as a release executable and run on two workers,
//! is put under `wrk -t2 -c100 -dSECONDSs` while a chaos thread opens connections and
//! abandons them at random points (before the request, mid-request, before reading the
//! response, mid-response, and with a TCP reset) and a probe asks for the page once a
//! second. It passes when every probe was answered, wrk got answers and only 2xx ones, the
//! server's descriptor count returns to what it was before the load, and the server ends
//! at its deadline with status 0 and nothing but connection errors on stderr.
//!
//! Every wait is bounded; the server is killed on every failure path.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::{Result, cargo, deps, project_root, step};

/// The example under load, relative to the workspace root.
const EXAMPLE: &str = "examples/22_io/http_hello.vx";
/// The page it serves.
const BODY: &str = "Hello, world!";
/// How long the server keeps accepting after the load ends: time for the descriptor check.
const SERVER_EXTRA_SECONDS: u64 = 8;
/// The example's GRACE_MS: how long open connections may run after accepting stops.
const SERVER_GRACE: Duration = Duration::from_secs(2);
/// How long the descriptor count may take to come back after the load.
const DRAIN_LIMIT: Duration = Duration::from_secs(6);
/// Timeouts of one probe or chaos connection.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// At most this many chaos connections, whatever the duration.
const CHAOS_MAX: u64 = 200_000;

pub(crate) fn load(args: &[String]) -> Result {
    let seconds: u64 = match args.first() {
        Some(s) => s.parse().ok().filter(|&n| (1..=3600).contains(&n)).ok_or_else(|| {
            format!(
                "not a number of seconds between 1 and 3600: {s}; usage: cargo xtask load [SECONDS]"
            )
        })?,
        None => 30,
    };
    deps::ensure_all()?;
    ensure_wrk()?;
    step("build the vex CLI (release)", || cargo(&["build", "--release", "--package", "vex"]))?;
    let target = target_dir()?;
    let exe = target.join("load/http_hello");
    step(&format!("vex build -O 2 {EXAMPLE}"), || {
        std::fs::create_dir_all(target.join("load")).map_err(|e| format!("{e}"))?;
        crate::command(
            Command::new(target.join("release/vex"))
                .args(["build", "-O", "2", EXAMPLE, "-o"])
                .arg(&exe)
                .current_dir(project_root()),
        )
    })?;
    eprintln!("\nxtask: ==> load: wrk -t2 -c100 -d{seconds}s with chaos clients");
    let report = run_load(&exe, seconds)?;
    report.print(seconds);
    if report.failures.is_empty() {
        eprintln!("xtask: <== load: ok");
        Ok(())
    } else {
        Err(format!("load test failed: {}", report.failures.join("; ")))
    }
}

/// wrk comes with the system dependencies (`deps.rs` installs it on Debian/Ubuntu as
/// root); elsewhere it must be on the PATH.
fn ensure_wrk() -> Result {
    let present = Command::new("sh")
        .args(["-c", "command -v wrk"])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        Ok(())
    } else {
        Err("wrk is missing; install it (Debian: `apt-get install wrk`)".to_owned())
    }
}

/// cargo's target directory (honours CARGO_TARGET_DIR and cargo's configuration).
fn target_dir() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(project_root())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let key = "\"target_directory\":\"";
    let start = text.find(key).ok_or("cargo metadata gave no target_directory")? + key.len();
    let len = text[start..].find('"').ok_or("cargo metadata: bad target_directory")?;
    Ok(PathBuf::from(&text[start..start + len]))
}

/// The server process, killed when dropped unless it has ended.
struct Server {
    child: Child,
    port: u16,
    stderr: Option<JoinHandle<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Server {
    /// Runs `EXE 0 CONNECTIONS SECONDS` on two workers and reads the port it prints.
    fn start(exe: &Path, seconds: u64) -> Result<Server> {
        let mut child = Command::new(exe)
            .args(["0", "1000000000", &seconds.to_string()])
            .env("VEX_WORKERS", "2")
            .env_remove("VEX_CLOCK")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
        let stdout = child.stdout.take().expect("piped");
        let stderr = child.stderr.take().expect("piped");
        let stderr =
            thread::spawn(move || BufReader::new(stderr).lines().map_while(|l| l.ok()).collect());
        let mut server = Server { child, port: 0, stderr: Some(stderr) };
        let (tx, rx) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next().and_then(|l| l.ok()).unwrap_or_default());
            lines.for_each(drop); // nothing more is expected; keep the pipe drained
        });
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .map_err(|_| "the server did not print its port within 20 s".to_owned())?;
        server.port =
            line.trim().strip_prefix("listening on ").and_then(|p| p.parse().ok()).ok_or_else(
                || format!("the server's first line is {line:?}, not `listening on PORT`"),
            )?;
        Ok(server)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits at most `limit` for the server to end; its status and stderr lines.
    fn finish(&mut self, limit: Duration) -> Result<(std::process::ExitStatus, Vec<String>)> {
        let start = Instant::now();
        loop {
            if let Some(status) =
                self.child.try_wait().map_err(|e| format!("cannot wait for the server: {e}"))?
            {
                let stderr = self.stderr.take().map(|t| t.join().unwrap_or_default());
                return Ok((status, stderr.unwrap_or_default()));
            }
            if start.elapsed() > limit {
                return Err(format!("the server did not end within {limit:?} of its deadline"));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The open descriptors of process `pid`: number → what it points to.
fn descriptors(pid: u32) -> BTreeMap<u32, String> {
    let dir = format!("/proc/{pid}/fd");
    let Ok(entries) = std::fs::read_dir(&dir) else { return BTreeMap::new() };
    entries
        .flatten()
        .filter_map(|e| {
            let fd = e.file_name().to_str()?.parse().ok()?;
            let to = std::fs::read_link(e.path()).map(|p| p.display().to_string());
            Some((fd, to.unwrap_or_else(|_| "?".to_owned())))
        })
        .collect()
}

/// Everything one run measured.
#[derive(Default)]
struct Report {
    wrk: WrkStats,
    probes_ok: u32,
    probe_failures: Vec<String>,
    slowest_probe: Duration,
    chaos: ChaosStats,
    seed: u64,
    fds_before: usize,
    fds_after: usize,
    drained_in: Option<Duration>,
    extra_fds: Vec<String>,
    exit: String,
    stderr_kinds: BTreeMap<String, u32>,
    unexpected_stderr: Vec<String>,
    failures: Vec<String>,
}

fn run_load(exe: &Path, seconds: u64) -> Result<Report> {
    let mut report = Report::default();
    let server_seconds = seconds + SERVER_EXTRA_SECONDS;
    let mut server = Server::start(exe, server_seconds)?;
    let started = Instant::now();
    let pid = server.pid();
    let addr = SocketAddr::from(([127, 0, 0, 1], server.port));
    // Let the runtime settle (its workers and reactor exist once the port is printed).
    thread::sleep(Duration::from_millis(200));
    let before = descriptors(pid);
    report.fds_before = before.len();
    if before.is_empty() {
        return Err(format!("cannot read /proc/{pid}/fd"));
    }

    let stop = Arc::new(AtomicBool::new(false));
    report.seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0x9e37_79b9_7f4a_7c15, |d| d.as_nanos() as u64)
        | 1;
    let chaos_deadline = Instant::now() + Duration::from_secs(seconds + 5);
    let chaos = {
        let stop = stop.clone();
        let seed = report.seed;
        thread::spawn(move || chaos(addr, seed, &stop, chaos_deadline))
    };
    let probes = {
        let stop = stop.clone();
        thread::spawn(move || probe_loop(addr, &stop, chaos_deadline))
    };

    let wrk = run_wrk(server.port, seconds);
    stop.store(true, Ordering::Relaxed);
    report.chaos = chaos.join().unwrap_or_default();
    let (ok, failures, slowest) = probes.join().unwrap_or_default();
    (report.probes_ok, report.probe_failures, report.slowest_probe) = (ok, failures, slowest);
    match wrk {
        Ok(stats) => report.wrk = stats,
        Err(e) => report.failures.push(e),
    }
    if report.probes_ok == 0 || !report.probe_failures.is_empty() {
        report.failures.push(format!(
            "the server stopped answering: {} of {} probes failed (first: {})",
            report.probe_failures.len(),
            report.probes_ok as usize + report.probe_failures.len(),
            report.probe_failures.first().map_or("no probe ran", String::as_str)
        ));
    }
    if report.wrk.requests == 0 {
        report.failures.push("wrk got no answer".to_owned());
    }
    let [connect, read, write, timeout] = report.wrk.errors;
    if connect + read + write + timeout > 0 {
        report.failures.push(format!(
            "wrk's connections failed: connect {connect}, read {read}, write {write}, \
             timeout {timeout}"
        ));
    }
    if report.wrk.non_2xx > 0 {
        report.failures.push(format!("{} non-2xx answers to wrk", report.wrk.non_2xx));
    }

    // The load is over: the server's connections must close and their descriptors go.
    let drain_start = Instant::now();
    let mut after = descriptors(pid);
    while !after.is_empty() && after.len() != before.len() && drain_start.elapsed() < DRAIN_LIMIT {
        thread::sleep(Duration::from_millis(100));
        after = descriptors(pid);
    }
    report.fds_after = after.len();
    if after.is_empty() {
        report.failures.push("the server ended before its deadline".to_owned());
    } else if after.len() == before.len() {
        report.drained_in = Some(drain_start.elapsed());
    } else {
        report.extra_fds = after
            .iter()
            .filter(|(fd, to)| before.get(fd) != Some(to))
            .map(|(fd, to)| format!("{fd} -> {to}"))
            .collect();
        report.failures.push(format!(
            "descriptor leak: {} open before the load, {} after {:?} ({} new: {})",
            before.len(),
            after.len(),
            DRAIN_LIMIT,
            report.extra_fds.len(),
            abbreviate(&report.extra_fds, 8)
        ));
    }

    // Let the server end at its deadline (plus the grace for open connections).
    let limit = Duration::from_secs(server_seconds).saturating_sub(started.elapsed())
        + SERVER_GRACE
        + Duration::from_secs(10);
    let (status, stderr) = server.finish(limit)?;
    report.exit = match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        _ => format!("{status}"),
    };
    if status.code() != Some(0) {
        report.failures.push(format!("the server ended with {}", report.exit));
    }
    for line in stderr {
        match line.split_once(": ") {
            Some((kind @ ("connection failed" | "accept failed"), why)) => {
                *report.stderr_kinds.entry(format!("{kind}: {why}")).or_default() += 1;
            }
            _ => report.unexpected_stderr.push(line),
        }
    }
    if !report.unexpected_stderr.is_empty() {
        report.failures.push(format!(
            "unexpected output on the server's stderr (a crash?): {}",
            abbreviate(&report.unexpected_stderr, 5)
        ));
    }
    Ok(report)
}

fn abbreviate(items: &[String], n: usize) -> String {
    let mut text = items.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > n {
        text += &format!(", … ({} more)", items.len() - n);
    }
    text
}

impl Report {
    fn print(&self, seconds: u64) {
        let w = &self.wrk;
        eprintln!(
            "\nxtask: load summary ({seconds} s, wrk -t2 -c100, server on VEX_WORKERS=2, chaos \
             seed {:#x})",
            self.seed
        );
        eprintln!(
            "  wrk:     {} requests, {:.0} req/s; latency avg {}, stdev {}, max {}; p50 {}, \
             p90 {}, p99 {}",
            w.requests,
            w.requests_per_sec,
            w.latency_avg,
            w.latency_stdev,
            w.latency_max,
            w.p50,
            w.p90,
            w.p99
        );
        eprintln!(
            "           socket errors: connect {}, read {}, write {}, timeout {}; non-2xx: {}",
            w.errors[0], w.errors[1], w.errors[2], w.errors[3], w.non_2xx
        );
        eprintln!(
            "  probes:  {} of {} answered `200 OK` + `{BODY}` (slowest {:.1?})",
            self.probes_ok,
            self.probes_ok as usize + self.probe_failures.len(),
            self.slowest_probe
        );
        let c = &self.chaos;
        eprintln!(
            "  chaos:   {} connections abandoned: {}; {} connect errors",
            c.by_kind.iter().sum::<u64>(),
            Kind::ALL
                .iter()
                .map(|k| format!("{} {}", k.name(), c.by_kind[*k as usize]))
                .collect::<Vec<_>>()
                .join(", "),
            c.connect_errors
        );
        let drained = self.drained_in.map_or("not drained".to_owned(), |d| format!("{d:.1?}"));
        eprintln!(
            "  fds:     {} before the load, {} after it ({drained})",
            self.fds_before, self.fds_after
        );
        let errors: u32 = self.stderr_kinds.values().sum();
        eprintln!("  server:  {}; {errors} connection errors on stderr (expected)", self.exit);
        for (kind, n) in &self.stderr_kinds {
            eprintln!("             {n:>7} × {kind}");
        }
        if self.failures.is_empty() {
            eprintln!("  result:  PASS");
        } else {
            eprintln!("  result:  FAIL");
            for f in &self.failures {
                eprintln!("           - {f}");
            }
        }
    }
}

/// What wrk reported.
#[derive(Default)]
struct WrkStats {
    requests: u64,
    requests_per_sec: f64,
    latency_avg: String,
    latency_stdev: String,
    latency_max: String,
    p50: String,
    p90: String,
    p99: String,
    /// connect, read, write, timeout.
    errors: [u64; 4],
    non_2xx: u64,
}

/// Runs wrk for `seconds` (killed if it runs much longer) and parses its report.
fn run_wrk(port: u16, seconds: u64) -> Result<WrkStats> {
    let mut child = Command::new("wrk")
        .args(["-t2", "-c100", &format!("-d{seconds}s"), "--latency"])
        .arg(format!("http://127.0.0.1:{port}/"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start wrk: {e}"))?;
    let limit = Duration::from_secs(seconds + 30);
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("wrk: {e}"))? {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("wrk did not end within {limit:?}"));
        }
        thread::sleep(Duration::from_millis(100));
    };
    let mut out = String::new();
    let mut err = String::new();
    child.stdout.take().map(|mut s| s.read_to_string(&mut out));
    child.stderr.take().map(|mut s| s.read_to_string(&mut err));
    if !status.success() {
        return Err(format!("wrk failed with {status}: {out}{err}"));
    }
    let stats = parse_wrk(&out);
    if stats.requests == 0 && !out.contains(" requests in ") {
        return Err(format!("cannot read wrk's report:\n{out}{err}"));
    }
    Ok(stats)
}

fn parse_wrk(out: &str) -> WrkStats {
    let mut s = WrkStats::default();
    for line in out.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Latency", avg, stdev, max, ..] => {
                (s.latency_avg, s.latency_stdev, s.latency_max) =
                    (avg.to_string(), stdev.to_string(), max.to_string());
            }
            ["50%", v] => s.p50 = v.to_string(),
            ["90%", v] => s.p90 = v.to_string(),
            ["99%", v] => s.p99 = v.to_string(),
            [n, "requests", "in", ..] => s.requests = n.parse().unwrap_or(0),
            ["Requests/sec:", v] => s.requests_per_sec = v.parse().unwrap_or(0.0),
            ["Non-2xx", "or", "3xx", "responses:", n] => s.non_2xx = n.parse().unwrap_or(0),
            ["Socket", "errors:", rest @ ..] => {
                // connect N, read N, write N, timeout N
                let numbers: Vec<u64> =
                    rest.iter().filter_map(|w| w.trim_end_matches(',').parse().ok()).collect();
                for (slot, n) in s.errors.iter_mut().zip(numbers) {
                    *slot = n;
                }
            }
            _ => {}
        }
    }
    s
}

/// A request with keep-alive, as wrk sends it.
fn request(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
}

/// Asks for the page about once a second until `stop`: (answered, failures, slowest).
fn probe_loop(
    addr: SocketAddr,
    stop: &AtomicBool,
    deadline: Instant,
) -> (u32, Vec<String>, Duration) {
    let (mut ok, mut failures, mut slowest) = (0, Vec::new(), Duration::ZERO);
    while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
        let start = Instant::now();
        match probe(addr) {
            Ok(()) => ok += 1,
            Err(e) => failures.push(e),
        }
        slowest = slowest.max(start.elapsed());
        let pause = Duration::from_secs(1).saturating_sub(start.elapsed());
        let until = Instant::now() + pause;
        while Instant::now() < until && !stop.load(Ordering::Relaxed) {
            thread::sleep(Duration::from_millis(20));
        }
    }
    (ok, failures, slowest)
}

/// One GET that asks to close; the whole answer must be `200 OK` with the body.
fn probe(addr: SocketAddr) -> std::result::Result<(), String> {
    let mut s = connect(addr).map_err(|e| format!("probe: connect: {e}"))?;
    let req = "GET /probe HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    s.write_all(req.as_bytes()).map_err(|e| format!("probe: write: {e}"))?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).map_err(|e| format!("probe: read: {e}"))?;
    let answer = String::from_utf8_lossy(&answer);
    if answer.starts_with("HTTP/1.1 200 OK\r\n") && answer.ends_with(BODY) {
        Ok(())
    } else {
        Err(format!("probe: unexpected answer {answer:?}"))
    }
}

fn connect(addr: SocketAddr) -> std::io::Result<TcpStream> {
    let s = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
    s.set_read_timeout(Some(IO_TIMEOUT))?;
    s.set_write_timeout(Some(IO_TIMEOUT))?;
    s.set_nodelay(true)?;
    Ok(s)
}

/// The ways a chaos client abandons its connection.
#[derive(Clone, Copy)]
enum Kind {
    /// Connects, waits a little, closes without a byte.
    Idle,
    /// Sends part of a request, then closes.
    HalfRequest,
    /// Sends a whole request and closes at once, before the answer.
    NoRead,
    /// Sends a request, reads part of the answer, closes (the unread rest makes Linux
    /// send a reset).
    HalfResponse,
    /// Sends a request, waits until the answer has arrived and closes without reading
    /// it: Linux answers a close with unread data by a reset (RST) instead of FIN. (The
    /// `SO_LINGER` 0 way needs libc, which xtask does not depend on.)
    Reset,
    /// Shuts down its sending side mid-request (FIN, half-close), then reads until the
    /// server closes.
    HalfClose,
}

impl Kind {
    const ALL: [Kind; 6] = [
        Kind::Idle,
        Kind::HalfRequest,
        Kind::NoRead,
        Kind::HalfResponse,
        Kind::Reset,
        Kind::HalfClose,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Idle => "idle",
            Kind::HalfRequest => "half-request",
            Kind::NoRead => "no-read",
            Kind::HalfResponse => "half-response",
            Kind::Reset => "reset",
            Kind::HalfClose => "half-close",
        }
    }
}

#[derive(Default)]
struct ChaosStats {
    by_kind: [u64; Kind::ALL.len()],
    connect_errors: u64,
}

/// xorshift64*: a small deterministic generator (the seed is printed to repeat a run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform enough in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Opens connections and abandons them at random points until `stop`, `deadline` or
/// [`CHAOS_MAX`] connections.
fn chaos(addr: SocketAddr, seed: u64, stop: &AtomicBool, deadline: Instant) -> ChaosStats {
    let mut rng = Rng(seed);
    let mut stats = ChaosStats::default();
    let mut total = 0;
    while !stop.load(Ordering::Relaxed) && Instant::now() < deadline && total < CHAOS_MAX {
        total += 1;
        let kind = Kind::ALL[rng.below(Kind::ALL.len() as u64) as usize];
        match connect(addr) {
            Ok(s) => {
                // Errors from the server's side (a reset, a closed connection) are part
                // of the game: only the abandonment counts.
                let _ = abandon(s, kind, &mut rng);
                stats.by_kind[kind as usize] += 1;
            }
            Err(_) => stats.connect_errors += 1,
        }
        thread::sleep(Duration::from_micros(500 + rng.below(4_000)));
    }
    stats
}

fn abandon(mut s: TcpStream, kind: Kind, rng: &mut Rng) -> std::io::Result<()> {
    let req = request(&format!("/chaos/{}", rng.below(1000)));
    let answer_len = {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
            BODY.len()
        );
        head.len() + BODY.len()
    };
    match kind {
        Kind::Idle => thread::sleep(Duration::from_millis(rng.below(50))),
        Kind::HalfRequest => {
            let cut = 1 + rng.below(req.len() as u64 - 1) as usize;
            s.write_all(&req.as_bytes()[..cut])?;
            thread::sleep(Duration::from_millis(rng.below(20)));
        }
        Kind::NoRead => s.write_all(req.as_bytes())?,
        Kind::HalfResponse => {
            s.write_all(req.as_bytes())?;
            let mut buf = vec![0; 1 + rng.below(answer_len as u64 - 1) as usize];
            let _ = s.read(&mut buf)?;
        }
        Kind::Reset => {
            s.write_all(req.as_bytes())?;
            let mut buf = [0; 1];
            let _ = s.peek(&mut buf)?; // the answer is there, unread
        }
        Kind::HalfClose => {
            let cut = rng.below(req.len() as u64) as usize;
            s.write_all(&req.as_bytes()[..cut])?;
            s.shutdown(Shutdown::Write)?;
            let mut rest = Vec::new();
            let _ = s.read_to_end(&mut rest)?;
        }
    }
    Ok(())
}
