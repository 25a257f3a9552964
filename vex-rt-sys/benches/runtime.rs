//! Runtime benchmark: the same workloads on vex-rt (hand-written state machines over the
//! raw FFI, shaped like compiled code) and on tokio (multi-thread, 2 workers), each run
//! in a child process so that peak RSS is per workload; prints a table with ratios.
//! Workloads: (a) spawn 1M trivial tasks and join them, (b) 1000 tasks x 10,000 yields,
//! (c) 100,000 tasks sleeping 1..100 ms, (d) 1M tasks suspended on a 15 s sleep (RSS per
//! task), (e) ping-pong round trip between two tasks.
//! Run: `cargo bench -p vex-rt-sys --bench runtime` (args: `quick` shrinks the sizes;
//! `runs=N`, default 5, measures every workload N times, vex and tokio alternating, and reports
//! medians: the ratio column is the median of the per-run ratios). The `cpu` columns
//! are the children's user+sys CPU time (whole child process, median), which shows
//! the work done independently of how busy the machine is.

use std::ffi::c_void;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::time::Instant;
use vex_rt_sys::ffi::{self, CoroStatus, VexFuture, WorkerContext};

const WORKERS: i32 = 2;

fn scale() -> u64 {
    if std::env::args().any(|a| a == "quick") { 10 } else { 1 }
}

fn rss_kb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = s.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
    pages * 4
}

// ---- vex state machines ------------------------------------------------------------------

#[repr(C)]
struct Leaf {
    tag: u32,
    x: u64,
    result: u64,
}

unsafe extern "C" fn leaf_resume(_ctx: *mut WorkerContext, p: *mut c_void) -> CoroStatus {
    // SAFETY: p is a Leaf allocated by spawn_join_resume.
    let s = unsafe { &mut *p.cast::<Leaf>() };
    s.result = s.x;
    CoroStatus::DONE
}

#[repr(C)]
struct SpawnJoin {
    tag: u32,
    i: usize,
    n: usize,
    sum: u64,
    handles: *mut *mut VexFuture,
}

unsafe extern "C" fn spawn_join_resume(ctx: *mut WorkerContext, p: *mut c_void) -> CoroStatus {
    // SAFETY: p is a SpawnJoin; handles has n slots; the ABI calls follow vex_rt.h.
    unsafe {
        let s = &mut *p.cast::<SpawnJoin>();
        if s.tag == 0 {
            for i in 0..s.n {
                let l = ffi::vex_task_alloc(
                    size_of::<Leaf>(),
                    std::mem::offset_of!(Leaf, result),
                    8,
                    leaf_resume,
                )
                .cast::<Leaf>();
                (*l).x = i as u64;
                *s.handles.add(i) = ffi::vex_task_spawn(ctx, l.cast());
            }
            s.i = 0;
        }
        while s.i < s.n {
            let f = *s.handles.add(s.i);
            s.tag = 1;
            if !ffi::vex_future_poll_or_register(ctx, f) {
                return CoroStatus::YIELDED;
            }
            let mut v = 0u64;
            ffi::vex_future_take(ctx, f, (&mut v as *mut u64).cast());
            s.sum += v;
            s.i += 1;
        }
        CoroStatus::DONE
    }
}

#[repr(C)]
struct Yielder {
    tag: u32,
    left: u32,
}

unsafe extern "C" fn yielder_resume(ctx: *mut WorkerContext, p: *mut c_void) -> CoroStatus {
    // SAFETY: p is a Yielder.
    unsafe {
        let s = &mut *p.cast::<Yielder>();
        if s.left == 0 {
            return CoroStatus::DONE;
        }
        s.left -= 1;
        ffi::worker_yield(ctx);
        CoroStatus::YIELDED
    }
}

static LATE_SUM: AtomicI64 = AtomicI64::new(0);
static LATE_MAX: AtomicI64 = AtomicI64::new(0);

#[repr(C)]
struct Sleeper {
    tag: u32,
    ms: u64,
    deadline: i64,
}

unsafe extern "C" fn sleeper_resume(ctx: *mut WorkerContext, p: *mut c_void) -> CoroStatus {
    // SAFETY: p is a Sleeper.
    unsafe {
        let s = &mut *p.cast::<Sleeper>();
        if s.tag == 0 {
            s.tag = 1;
            s.deadline = ffi::now_ms() + s.ms as i64;
            ffi::worker_await_after(ctx, s.ms);
            return CoroStatus::YIELDED;
        }
        if ffi::vex_task_cancelled(ctx) {
            return ffi::vex_task_finish_cancelled(ctx);
        }
        let late = ffi::now_ms() - s.deadline;
        LATE_SUM.fetch_add(late, Ordering::Relaxed);
        LATE_MAX.fetch_max(late, Ordering::Relaxed);
        CoroStatus::DONE
    }
}

/// The longest sleep of workload (c): `1 + i * 7919 % 100` ms.
const LONGEST_SLEEP_MS: f64 = 100.0;

fn vex_runtime() -> *mut ffi::Runtime {
    // SAFETY: plain constructor.
    unsafe { ffi::runtime_create(WORKERS) }
}

fn spawn_host<S>(rt: *mut ffi::Runtime, f: ffi::coro_resume_func, init: S) -> *mut VexFuture {
    // SAFETY: the state is S, written before spawning; f expects S.
    unsafe {
        let p = ffi::vex_task_alloc_in(rt, size_of::<S>(), 0, 0, f).cast::<S>();
        p.write(init);
        ffi::vex_task_spawn_in(rt, p.cast())
    }
}

fn vex_a(n: usize) -> String {
    let rt = vex_runtime();
    let mut handles = vec![std::ptr::null_mut::<VexFuture>(); n];
    let t = Instant::now();
    let h = spawn_host(
        rt,
        spawn_join_resume,
        SpawnJoin { tag: 0, i: 0, n, sum: 0, handles: handles.as_mut_ptr() },
    );
    // SAFETY: rt is live; h is released once.
    unsafe {
        ffi::runtime_run(rt);
        let el = t.elapsed();
        ffi::vex_future_release(h);
        ffi::runtime_destroy(rt);
        format!("{:.1}", el.as_secs_f64() * 1000.0)
    }
}

fn vex_b(tasks: usize, yields: u32) -> String {
    let rt = vex_runtime();
    let t = Instant::now();
    for _ in 0..tasks {
        let h = spawn_host(rt, yielder_resume, Yielder { tag: 0, left: yields });
        // SAFETY: detach.
        unsafe { ffi::vex_future_release(h) };
    }
    // SAFETY: rt is live.
    unsafe {
        ffi::runtime_run(rt);
        let el = t.elapsed();
        ffi::runtime_destroy(rt);
        format!("{:.1}", el.as_secs_f64() * 1000.0)
    }
}

fn vex_c(n: usize) -> String {
    let rt = vex_runtime();
    let t = Instant::now();
    for i in 0..n {
        let h = spawn_host(
            rt,
            sleeper_resume,
            Sleeper { tag: 0, ms: 1 + (i as u64 * 7919) % 100, deadline: 0 },
        );
        // SAFETY: detach.
        unsafe { ffi::vex_future_release(h) };
    }
    // SAFETY: rt is live.
    unsafe {
        ffi::runtime_run(rt);
        let el = t.elapsed();
        ffi::runtime_destroy(rt);
        format!(
            "{:.1} late_avg={:.2} late_max={}",
            el.as_secs_f64() * 1000.0,
            LATE_SUM.load(Ordering::Relaxed) as f64 / n as f64,
            LATE_MAX.load(Ordering::Relaxed)
        )
    }
}

/// (d): main spawns n sleepers (15 s), sleeps 300 ms, measures RSS, cancels them all.
#[repr(C)]
struct Parker {
    tag: u32,
    n: usize,
    handles: *mut *mut VexFuture,
    rss_before: u64,
    bytes_per_task: *mut f64,
}

unsafe extern "C" fn parker_resume(ctx: *mut WorkerContext, p: *mut c_void) -> CoroStatus {
    // SAFETY: p is a Parker; handles has n slots.
    unsafe {
        let s = &mut *p.cast::<Parker>();
        if s.tag == 0 {
            s.rss_before = rss_kb();
            for i in 0..s.n {
                let st = ffi::vex_task_alloc(size_of::<Sleeper>(), 0, 0, sleeper_resume)
                    .cast::<Sleeper>();
                (*st).ms = 15_000;
                *s.handles.add(i) = ffi::vex_task_spawn(ctx, st.cast());
            }
            s.tag = 1;
            ffi::worker_await_after(ctx, 300);
            return CoroStatus::YIELDED;
        }
        let after = rss_kb();
        *s.bytes_per_task = (after.saturating_sub(s.rss_before) * 1024) as f64 / s.n as f64;
        for i in 0..s.n {
            let f = *s.handles.add(i);
            ffi::vex_future_cancel(f);
            ffi::vex_future_release(f);
        }
        CoroStatus::DONE
    }
}

fn vex_d(n: usize) -> String {
    let rt = vex_runtime();
    let mut handles = vec![std::ptr::null_mut::<VexFuture>(); n];
    let mut per_task = 0.0f64;
    let h = spawn_host(
        rt,
        parker_resume,
        Parker {
            tag: 0,
            n,
            handles: handles.as_mut_ptr(),
            rss_before: 0,
            bytes_per_task: &mut per_task,
        },
    );
    // SAFETY: rt is live.
    unsafe {
        ffi::runtime_run(rt);
        ffi::vex_future_release(h);
        ffi::runtime_destroy(rt);
    }
    format!("{per_task:.1}")
}

struct Table {
    turn: AtomicU32,
    rounds: AtomicU64,
    limit: u64,
    ping: *mut VexFuture,
    pong: *mut VexFuture,
}

#[repr(C)]
struct Player {
    tag: u32,
    side: u32,
    table: *const Table,
}

unsafe extern "C" fn player_resume(ctx: *mut WorkerContext, p: *mut c_void) -> CoroStatus {
    // SAFETY: p is a Player; the table outlives the run.
    unsafe {
        let s = &*p.cast::<Player>();
        let t = &*s.table;
        let partner = if s.side == 0 { t.pong } else { t.ping };
        loop {
            if t.rounds.load(Ordering::Acquire) >= t.limit {
                ffi::vex_future_wake(partner);
                return CoroStatus::DONE;
            }
            if t.turn.load(Ordering::Acquire) != s.side {
                break;
            }
            if s.side == 1 {
                t.rounds.fetch_add(1, Ordering::AcqRel);
            }
            t.turn.store(1 - s.side, Ordering::Release);
            ffi::vex_future_wake(partner);
        }
        ffi::worker_await_wake(ctx);
        CoroStatus::YIELDED
    }
}

fn vex_e(rounds: u64) -> String {
    let rt = vex_runtime();
    let mut table = Box::new(Table {
        turn: AtomicU32::new(0),
        rounds: AtomicU64::new(0),
        limit: rounds,
        ping: std::ptr::null_mut(),
        pong: std::ptr::null_mut(),
    });
    let tp: *const Table = &*table;
    table.pong = spawn_host(rt, player_resume, Player { tag: 0, side: 1, table: tp });
    table.ping = spawn_host(rt, player_resume, Player { tag: 0, side: 0, table: tp });
    let t = Instant::now();
    // SAFETY: rt is live; handles released once.
    unsafe {
        ffi::runtime_run(rt);
        let el = t.elapsed();
        ffi::vex_future_release(table.ping);
        ffi::vex_future_release(table.pong);
        ffi::runtime_destroy(rt);
        format!("{:.1}", el.as_secs_f64() * 1e9 / rounds as f64)
    }
}

// ---- tokio ------------------------------------------------------------------------------------

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS as usize)
        .enable_time()
        .build()
        .expect("tokio runtime")
}

fn tokio_a(n: usize) -> String {
    let rt = tokio_rt();
    let t = Instant::now();
    rt.block_on(async move {
        tokio::spawn(async move {
            let hs: Vec<_> = (0..n as u64).map(|i| tokio::spawn(async move { i })).collect();
            let mut sum = 0;
            for h in hs {
                sum += h.await.unwrap();
            }
            sum
        })
        .await
        .unwrap()
    });
    format!("{:.1}", t.elapsed().as_secs_f64() * 1000.0)
}

fn tokio_b(tasks: usize, yields: u32) -> String {
    let rt = tokio_rt();
    let t = Instant::now();
    rt.block_on(async move {
        let hs: Vec<_> = (0..tasks)
            .map(|_| {
                tokio::spawn(async move {
                    for _ in 0..yields {
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        for h in hs {
            h.await.unwrap();
        }
    });
    format!("{:.1}", t.elapsed().as_secs_f64() * 1000.0)
}

fn tokio_c(n: usize) -> String {
    let rt = tokio_rt();
    let t = Instant::now();
    rt.block_on(async move {
        let hs: Vec<_> = (0..n)
            .map(|i| {
                let ms = 1 + (i as u64 * 7919) % 100;
                tokio::spawn(async move {
                    let deadline = Instant::now() + std::time::Duration::from_millis(ms);
                    tokio::time::sleep_until(deadline.into()).await;
                    let late =
                        Instant::now().saturating_duration_since(deadline).as_millis() as i64;
                    LATE_SUM.fetch_add(late, Ordering::Relaxed);
                    LATE_MAX.fetch_max(late, Ordering::Relaxed);
                })
            })
            .collect();
        for h in hs {
            h.await.unwrap();
        }
    });
    format!(
        "{:.1} late_avg={:.2} late_max={}",
        t.elapsed().as_secs_f64() * 1000.0,
        LATE_SUM.load(Ordering::Relaxed) as f64 / n as f64,
        LATE_MAX.load(Ordering::Relaxed)
    )
}

fn tokio_d(n: usize) -> String {
    let rt = tokio_rt();
    let per = rt.block_on(async move {
        let before = rss_kb();
        let hs: Vec<_> = (0..n)
            .map(|_| tokio::spawn(tokio::time::sleep(std::time::Duration::from_secs(15))))
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let after = rss_kb();
        for h in &hs {
            h.abort();
        }
        // The Vec of handles is part of the measurement on both sides (8 bytes each).
        (after.saturating_sub(before) * 1024) as f64 / n as f64
    });
    format!("{per:.1}")
}

fn tokio_e(rounds: u64) -> String {
    let rt = tokio_rt();
    let t = Instant::now();
    rt.block_on(async move {
        let a = std::sync::Arc::new(tokio::sync::Notify::new());
        let b = std::sync::Arc::new(tokio::sync::Notify::new());
        let (a2, b2) = (a.clone(), b.clone());
        let pong = tokio::spawn(async move {
            for _ in 0..rounds {
                b2.notified().await;
                a2.notify_one();
            }
        });
        let ping = tokio::spawn(async move {
            for _ in 0..rounds {
                b.notify_one();
                a.notified().await;
            }
        });
        ping.await.unwrap();
        pong.await.unwrap();
    });
    format!("{:.1}", t.elapsed().as_secs_f64() * 1e9 / rounds as f64)
}

// ---- driver --------------------------------------------------------------------------------

fn child(workload: &str, imp: &str) {
    let s = scale() as usize;
    let out = match (workload, imp) {
        ("a", "vex") => vex_a(1_000_000 / s),
        ("a", "tokio") => tokio_a(1_000_000 / s),
        ("b", "vex") => vex_b(1000, 10_000 / s as u32),
        ("b", "tokio") => tokio_b(1000, 10_000 / s as u32),
        ("c", "vex") => vex_c(100_000 / s),
        ("c", "tokio") => tokio_c(100_000 / s),
        ("d", "vex") => vex_d(1_000_000 / s),
        ("d", "tokio") => tokio_d(1_000_000 / s),
        ("e", "vex") => vex_e(1_000_000 / s as u64),
        ("e", "tokio") => tokio_e(1_000_000 / s as u64),
        _ => panic!("unknown workload {workload} {imp}"),
    };
    println!("{out}");
}

/// Runs per workload (`runs=N`, default 5): fresh memory costs vary from run to run on
/// a virtual machine (page clearing dominates workload (a) in some runs), so one run
/// is not enough for a ratio.
fn runs() -> usize {
    std::env::args()
        .find_map(|a| a.strip_prefix("runs=").and_then(|n| n.parse().ok()))
        .unwrap_or(5)
        .max(1)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs one workload in a child process; returns its output line, peak RSS (KiB) and
/// CPU time (user + sys, ms).
// The child is reaped with wait4 (not Child::wait) to read its own rusage.
#[allow(clippy::zombie_processes)]
fn measure(workload: &str, imp: &str) -> (String, u64, f64) {
    let exe = std::env::current_exe().expect("own path");
    let mut args = vec!["--child".to_string(), workload.to_string(), imp.to_string()];
    if scale() > 1 {
        args.push("quick".to_string());
    }
    let child = Command::new(exe).args(&args).stdout(Stdio::piped()).spawn().expect("spawn child");
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.expect("piped");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut text).expect("child output");
    let mut status = 0;
    // SAFETY: rusage is plain data; pid is our child, not yet reaped.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    (text.trim().to_string(), ru.ru_maxrss as u64, ms(ru.ru_utime) + ms(ru.ru_stime))
}

fn first_number(s: &str) -> f64 {
    s.split_whitespace().next().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], &args[i + 2]);
        return;
    }
    let rows = [
        ("a", "spawn+join 1M trivial tasks", "ms", 0.25),
        ("b", "1000 tasks x 10k yields", "ms", 0.4),
        ("c", "100k sleeps 1..100 ms (wall)", "ms", 0.6),
        ("d", "1M tasks on a 15 s sleep", "B/task", 0.0),
        ("e", "ping-pong round trip", "ns", 0.2),
    ];
    let n = runs();
    println!("workers: {WORKERS}, scale 1/{}, runs {n} (medians)", scale());
    println!(
        "{:<32} {:>12} {:>12} {:>8} {:>6} | {:>10} {:>10} {:>6} | {:>8} {:>8}",
        "workload",
        "vex",
        "tokio",
        "ratio",
        "goal",
        "vex RSS",
        "tokio RSS",
        "ratio",
        "vex cpu",
        "tok cpu"
    );
    for (w, name, unit, goal) in rows {
        let (mut vs, mut ts, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        let (mut vrss, mut trss, mut vcpu, mut tcpu) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut vlast, mut tlast) = (String::new(), String::new());
        for _ in 0..n {
            let (v, vr, vc) = measure(w, "vex");
            let (t, tr, tc) = measure(w, "tokio");
            let (vn, tn) = (first_number(&v), first_number(&t));
            vs.push(vn);
            ts.push(tn);
            ratios.push(vn / tn);
            vrss.push(vr as f64);
            trss.push(tr as f64);
            vcpu.push(vc);
            tcpu.push(tc);
            (vlast, tlast) = (v, t);
        }
        let (vrss, trss) = (median(vrss), median(trss));
        let (vmed, tmed) = (median(vs), median(ts));
        let goal = if w == "d" { "<=128B".to_string() } else { format!("{goal}") };
        println!(
            "{:<32} {:>9.1} {:<2} {:>9.1} {:<2} {:>8.3} {:>6} | {:>7} KiB {:>7} KiB {:>6.3} | {:>5.0} ms {:>5.0} ms",
            name,
            vmed,
            unit.chars().take(2).collect::<String>(),
            tmed,
            unit.chars().take(2).collect::<String>(),
            median(ratios),
            goal,
            vrss,
            trss,
            vrss / trss,
            median(vcpu),
            median(tcpu)
        );
        if w == "c" {
            println!(
                "    lateness (ms, last run): vex {}, tokio {}",
                vlast.split_once(' ').map_or("", |x| x.1),
                tlast.split_once(' ').map_or("", |x| x.1)
            );
            // No implementation can end before its longest sleep: the wall-time ratio
            // has a floor of LONGEST_SLEEP_MS / tokio. What the runtimes add beyond it:
            println!(
                "    beyond the {LONGEST_SLEEP_MS} ms sleep (medians): vex {:.1} ms, tokio {:.1} ms, ratio {:.3}; wall-ratio floor {:.3}",
                vmed - LONGEST_SLEEP_MS,
                tmed - LONGEST_SLEEP_MS,
                (vmed - LONGEST_SLEEP_MS) / (tmed - LONGEST_SLEEP_MS),
                LONGEST_SLEEP_MS / tmed
            );
        }
    }
}
