#!/usr/bin/env python3
"""End-to-end benchmarks of Vex against gcc -O2, tokio and Go (see bench/README.md).

Usage: bench/run.sh [quick] [runs=N] [only=GROUP,...]   (groups: cpu, async, values, channels, io)

Builds every program, runs each workload N times (default 5, at least 3; the
implementations of one workload alternate within each round so that load changes hit
them alike), and prints tables of medians: wall time, CPU time (user+sys of the
child) and peak RSS (ru_maxrss from wait4), with the ratio Vex/baseline of the wall
times. Every implementation's output is compared with Vex's, so a baseline that
computes something else fails the run. The first table holds the CPU-bound and async
workloads, the second the v0.2 value layer (Vec, strings, closures) with the goals of
its issue, the third the v0.2 channels and select against Go and tokio with their goals,
the fourth the v0.2 I/O servers and file reading against Go and tokio (bench/io.py).
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # bench/io_group.py is imported: no __pycache__ in bench/
BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
OUT = os.path.join(BENCH, "out")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
VEX = os.path.join(TARGET, "release", "vex")
MEASURE = os.path.join(OUT, "measure")
WORKERS = "2"

QUICK = "quick" in sys.argv[1:]
RUNS = 5
GROUPS = ("cpu", "async", "values", "channels", "io")
ONLY = set(GROUPS)
USAGE = "usage: bench/run.sh [quick] [runs=N] [only=GROUP,...]   (groups: " + ", ".join(GROUPS) + ")"
for a in sys.argv[1:]:
    if a.startswith("runs="):
        RUNS = max(3, int(a[5:]))
    elif a.startswith("only="):
        ONLY = set(a[5:].split(","))
        if not ONLY or not ONLY <= set(GROUPS):
            sys.exit(f"{USAGE}   (unknown group in {a!r})")
    elif a != "quick":
        sys.exit(f"{USAGE}   (unknown argument {a!r})")

# name -> (template, {placeholder: value}); sizes shrink in quick mode.
CPU = {
    "fib(35)": ("fib", {"N": 35}),
    ("fib(32)" if QUICK else "fib(40)"): ("fib", {"N": 32 if QUICK else 40}),
    "loops 2000x2000 MAC": ("loops", {"N": 2000, "R": 10 if QUICK else 150}),
    "sieve [bool; 2M]": ("sieve", {"N": 2_000_000, "R": 10 if QUICK else 100}),
    "sum [i64; 1M]": ("arraysum", {"N": 1_000_000, "R": 100 if QUICK else 2000}),
}
def _k(n):
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


_SJ = 100_000 if QUICK else 1_000_000
_TD = 16 if QUICK else 20
_YN = 500_000 if QUICK else 5_000_000
_SL = 10_000 if QUICK else 100_000
ASYNC = {
    f"spawn+join {_k(_SJ)}": ("spawn_join", _SJ),
    f"fan-out tree 2^{_TD}": ("tree", _TD),
    f"yield 2 tasks x {_k(_YN)}": ("yield", _YN),
    f"sleep {_k(_SL)} x 1..100ms": ("sleeps", _SL),
}
SUSPENDED_N = 100_000 if QUICK else 1_000_000
LONGEST_SLEEP_MS = 100  # bench/vex/sleeps.vx sleeps 1 + i % 100 ms

# v0.2 values: label -> (template, {placeholder: value}, baseline, goal on the wall ratio).
# The baseline is "gcc" (bench/c/TEMPLATE.c) or "go" (bench/go/main.go TEMPLATE N).
_VN = 1_000_000 if QUICK else 10_000_000  # vector elements
_SA = 100_000 if QUICK else 1_000_000  # string appends of 10 bytes
VALUES = {
    f"Vec push {_k(_VN)} + sum": ("vecpush", {"N": _VN}, "gcc", 1.2),
    f"str {_k(_SA)} += split join": ("strings", {"N": _SA}, "go", 1.0),
    f"Vec map {_k(_VN)} + sum": ("vecmap", {"N": _VN}, "gcc", 1.3),
}
VEC_PUSH = f"Vec push {_k(_VN)} + sum"  # its runs double as the "grown by push" memory row
COPY_M = 1_000_000  # elements of the copied Vec
COPY_N = 1_000_000  # copies (the goal: all of them in under 50 ms)
COPY_GOAL_MS = 50
VEC_HEADER = 32  # bytes, VexVec in vex-rt/include/vex_rt.h

# v0.2 channels: label -> (template, N, what one operation is, {peer: goal on the wall
# ratio Vex / peer}). Peers are "go" (bench/go/main.go TEMPLATE N) and "tokio"
# (baselines/tokio TEMPLATE N). A throughput goal "k x the peer's throughput" is the
# wall-ratio goal 1/k.
_PP = 100_000 if QUICK else 1_000_000  # ping-pong round trips
_CM = 1_000_000 if QUICK else 10_000_000  # i64 messages through a channel
_CS = 100_000 if QUICK else 1_000_000  # selects
_JA = 100_000 if QUICK else 1_000_000  # futures joined by one joinAll
CHANNELS = {
    f"ping-pong cap 0 {_k(_PP)}": ("chan_pingpong", _PP, "round trip", {"go": 0.5, "tokio": 0.5}),
    f"1 -> 1 cap 1024 {_k(_CM)}": ("chan_spsc", _CM, "message", {"go": 0.5}),
    f"4 -> 4 cap 1024 {_k(_CM)}": ("chan_mpmc", _CM, "message", {"go": 1 / 1.5}),
    f"select 2 ready {_k(_CS)}": ("chan_select", _CS, "select", {"go": 0.5}),
    # The combinators issue's row: tokio JoinSet; Go: goroutines and a WaitGroup.
    f"joinAll {_k(_JA)}": ("join_all", _JA, "future", {"tokio": 0.5}),
}
# tokio has no unbuffered channel: ping-pong runs over a pair of mpsc channels of
# capacity 1 and over oneshot channels (two per round trip); the table shows the faster.
TOKIO_PINGPONG = {"tokio mpsc(1)": "chan_pingpong_mpsc", "tokio oneshot": "chan_pingpong_oneshot"}
CHAN_MANY = 100_000 if QUICK else 1_000_000  # empty channels held in a Vec
# Tasks parked on a receive / on a sleep. Vex's task memory comes in 2 MiB regions backed
# by huge pages, so RSS differences resolve 2 MiB / CHAN_PARKED per task: 2.1 B at 1M.
CHAN_PARKED = 100_000 if QUICK else 1_000_000
HUGE_PAGE = 2 << 20
CHAN_GOAL_BYTES = 128  # an empty channel
# The Vec slot of each held channel: a pointer (Vex, Go), a (Sender, Receiver) pair (tokio).
CHAN_SLOT = {"vex": 8, "go": 8, "tokio": 16}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def instantiate(src, subst, dst):
    text = open(src).read()
    for k, v in subst.items():
        text = text.replace(f"__{k}__", str(v))
    with open(dst, "w") as f:
        f.write(text)


def run_measured(cmd):
    """Runs cmd under the measure wrapper; returns (wall s, cpu s, peak RSS KiB, stdout)."""
    e = dict(os.environ, VEX_WORKERS=WORKERS, GOMAXPROCS=WORKERS)
    e.pop("VEX_CLOCK", None)
    stats = os.path.join(OUT, "measure.txt")
    p = subprocess.run([MEASURE, stats] + cmd, stdout=subprocess.PIPE, env=e)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited with {p.returncode}")
    wall, cpu, rss = open(stats).read().split()
    return float(wall), float(cpu), int(rss), p.stdout.decode()


def build():
    os.makedirs(OUT, exist_ok=True)
    for d in ("vex", "c"):
        os.makedirs(os.path.join(OUT, d), exist_ok=True)
    log("build: vex (cargo build --release -p vex)")
    sh(["cargo", "build", "--release", "-q", "-p", "vex"], cwd=ROOT,
       env=dict(os.environ, CARGO_TARGET_DIR=TARGET))
    sh(["gcc", "-O2", "-o", MEASURE, os.path.join(BENCH, "c", "measure.c")])
    bins = {}

    def vex_build(template, subst, name):
        src = os.path.join(OUT, "vex", name + ".vx")
        exe = os.path.join(OUT, "vex", name)
        instantiate(os.path.join(BENCH, "vex", template + ".vx"), subst, src)
        sh([VEX, "build", src, "-o", exe, "-O", "2"])
        return [exe]

    def gcc_build(template, subst, name):
        src = os.path.join(OUT, "c", name + ".c")
        exe = os.path.join(OUT, "c", name)
        instantiate(os.path.join(BENCH, "c", template + ".c"), subst, src)
        sh(["gcc", "-O2", "-o", exe, src])
        return [exe]

    if "cpu" in ONLY:
        log("build: Vex programs (vex build -O 2) and C programs (gcc -O2)")
    for i, (label, (tmpl, subst)) in enumerate(CPU.items() if "cpu" in ONLY else ()):
        name = f"{tmpl}{i}"
        bins[label] = {"vex": vex_build(tmpl, subst, name), "gcc": gcc_build(tmpl, subst, name)}

    go = shutil.which("go") if ONLY & {"async", "values", "channels"} else None
    gobin = os.path.join(OUT, "gobench")
    if go:
        log("build: Go baselines (go build)")
        sh([go, "build", "-o", gobin, "main.go"], cwd=os.path.join(BENCH, "go"),
           env=dict(os.environ, GO111MODULE="off", GOCACHE=os.path.join(OUT, "gocache")))
    elif ONLY & {"async", "values", "channels"}:
        log("go not found: the Go column stays empty (apt-get install -y golang-go)")

    if "values" in ONLY:
        log("build: v0.2 value programs (vex build -O 2, gcc -O2)")
        for label, (tmpl, subst, base, _goal) in VALUES.items():
            name = f"{tmpl}_{subst['N']}"
            d = {"vex": vex_build(tmpl, subst, name)}
            if base == "gcc":
                d["gcc"] = gcc_build(tmpl, subst, name)
            elif go:
                d["go"] = [gobin, tmpl, str(subst["N"])]
            bins[label] = d
        for n in (COPY_N, 0):
            bins[f"veccopy{n}"] = {"vex": vex_build("veccopy", {"N": n, "M": COPY_M}, f"veccopy_{n}")}
        bins["vecpush0"] = {"vex": vex_build("vecpush", {"N": 0}, "vecpush_0")}
        for n in (_VN, 0):
            bins[f"vecprealloc{n}"] = {"vex": vex_build("vecprealloc", {"N": n}, f"vecprealloc_{n}")}

    if "io" in ONLY:
        import io_group
        io_group.build(bins, vex_build, go)
    if not ONLY & {"async", "channels", "io"}:
        return bins
    log("build: tokio baselines (cargo build --release)")
    tokio_dir = os.path.join(BENCH, "baselines", "tokio")
    sh(["cargo", "build", "--release", "-q"], cwd=tokio_dir,
       env=dict(os.environ, CARGO_TARGET_DIR=os.path.join(OUT, "tokio")))
    tokio = os.path.join(OUT, "tokio", "release", "vex-bench-tokio")
    bins["tokio-io"] = os.path.join(OUT, "tokio", "release", "vex-bench-tokio-io")

    if "channels" in ONLY:
        log("build: v0.2 channel programs (vex build -O 2)")

        def chan_impls(tmpl, n, name, subst=None, peer_tmpl=None):
            d = {"vex": vex_build(tmpl, dict(subst or {}, N=n), name)}
            if go:
                d["go"] = [gobin, peer_tmpl or tmpl, str(n)]
            d["tokio"] = [tokio, peer_tmpl or tmpl, str(n)]
            return d

        for label, (tmpl, n, _unit, _goals) in CHANNELS.items():
            d = chan_impls(tmpl, n, f"{tmpl}_{n}")
            if tmpl == "chan_pingpong":
                del d["tokio"]
                d.update({k: [tokio, t, str(n)] for k, t in TOKIO_PINGPONG.items()})
            bins[label] = d
        for n in (CHAN_MANY, 0):
            bins[f"chan_many{n}"] = chan_impls("chan_many", n, f"chan_many_{n}")
        for kind, m, n in (("recv", 1, CHAN_PARKED), ("sleep", 0, CHAN_PARKED), ("sleep", 0, 0)):
            bins[f"chan_parked_{kind}{n}"] = chan_impls(
                "chan_parked", n, f"chan_parked_{kind}_{n}", {"M": m}, f"chan_parked_{kind}")

    if "async" not in ONLY:
        return bins

    def async_impls(tmpl, n, name):
        d = {"vex": vex_build(tmpl, {"N": n}, name), "tokio": [tokio, tmpl, str(n)]}
        if go:
            d["go"] = [gobin, tmpl, str(n)]
        return d

    for label, (tmpl, n) in ASYNC.items():
        bins[label] = async_impls(tmpl, n, f"{tmpl}_{n}")
    bins["suspended"] = async_impls("suspended", SUSPENDED_N, f"suspended_{SUSPENDED_N}")
    bins["suspended0"] = async_impls("suspended", 0, "suspended_0")
    instantiate(os.path.join(BENCH, "vex", "hello.vx"), {}, os.path.join(OUT, "vex", "hello.vx"))
    return bins


def measure(impls):
    """RUNS rounds; in each, every implementation once. Returns name -> list of tuples."""
    res = {k: [] for k in impls}
    for _ in range(RUNS):
        for k, cmd in impls.items():
            res[k].append(run_measured(cmd))
    outs = {k: v[0][3] for k, v in res.items()}
    ref = outs["vex"]
    for k, o in outs.items():
        if o != ref:
            raise SystemExit(f"output of {k} differs from vex: {o!r} vs {ref!r} ({impls[k]})")
    return res


def med(samples, i):
    return statistics.median(s[i] for s in samples)


def fmt_t(s):
    return f"{s * 1000:8.1f}"


def main():
    bins = build()
    load = os.getloadavg()
    log(f"measure: {RUNS} runs per workload{' (quick sizes)' if QUICK else ''}; load {load[0]:.2f}")
    rows = []
    for label in (list(CPU) if "cpu" in ONLY else []) + (list(ASYNC) if "async" in ONLY else []):
        log(f"  {label}")
        rows.append((label, measure(bins[label])))
    susp = susp0 = vrun = None
    if "async" in ONLY:
        log("  suspended tasks")
        susp = measure(bins["suspended"])
        susp0 = measure(bins["suspended0"])

        # vex run of a hello-async program: compile (in memory) and run, warm file cache.
        hello = os.path.join(OUT, "vex", "hello.vx")
        vrun = {}
        for opt in ("0", "2"):
            cmd = [VEX, "run", hello, "-O", opt]
            run_measured(cmd)  # warm-up
            vrun[opt] = [run_measured(cmd) for _ in range(10)]
    load_end = os.getloadavg()
    if rows:
        report(rows, susp, susp0, vrun, load, load_end)
    if "values" in ONLY:
        report_values(measure_values(bins))
    if "channels" in ONLY:
        report_channels(measure_channels(bins))
    if "io" in ONLY:
        import io_group
        io_group.report(io_group.measure(bins))


def report(rows, susp, susp0, vrun, load, load_end):
    """The table of the CPU-bound and async workloads, then the suspended tasks and `vex run`."""
    w = sys.stdout.write
    w(f"\nVex end-to-end benchmarks ({'quick' if QUICK else 'full'} sizes, median of {RUNS}, "
      f"{WORKERS} workers; load average {load[0]:.2f} at start, {load_end[0]:.2f} at end)\n")
    w("times in ms: wall (cpu = user+sys); RSS in MiB; ratio = Vex wall / baseline wall\n\n")
    hdr = (f"{'workload':<24}{'Vex wall (cpu)':>19}{'base':>7}{'wall (cpu)':>19}"
           f"{'ratio':>7}{'cpu r.':>7}{'Go wall (cpu)':>19}{'ratio':>7}{'cpu r.':>7}"
           "   peak RSS MiB Vex / base / Go\n")
    w(hdr)
    w("-" * (len(hdr) + 12) + "\n")

    for label, res in rows:
        base = "gcc" if "gcc" in res else "tokio"
        v, b = res["vex"], res[base]
        line = f"{label:<24}{cell(v)}{base:>7}{cell(b)}"
        line += f"{med(v, 0) / med(b, 0):7.2f}{med(v, 1) / med(b, 1):7.2f}"
        g = res.get("go")
        if g:
            line += f"{cell(g)}{med(v, 0) / med(g, 0):7.2f}{med(v, 1) / med(g, 1):7.2f}"
        else:
            line += f"{'-':>19}{'-':>7}{'-':>7}"
        rss = [med(v, 2) / 1024, med(b, 2) / 1024] + ([med(g, 2) / 1024] if g else [])
        line += "   " + " / ".join(f"{r:.1f}" for r in rss)
        if base == "tokio":
            line += f"  (Vex/tokio {med(v, 2) / med(b, 2):.2f}"
            if g:
                line += f", Vex/Go {med(v, 2) / med(g, 2):.2f}"
            line += ")"
        w(line + "\n")
        if label.startswith("sleep "):
            # Nobody ends before the longest sleep: the wall ratio cannot go below
            # LONGEST_SLEEP / baseline. What each runtime adds beyond that sleep:
            extra = {k: med(r, 0) * 1000 - LONGEST_SLEEP_MS for k, r in res.items()}
            w(f"{'':<4}beyond the {LONGEST_SLEEP_MS} ms sleep: "
              + ", ".join(f"{k} {e:.1f} ms" for k, e in extra.items())
              + f"; Vex/tokio {extra['vex'] / extra['tokio']:.2f}"
              + f"; wall-ratio floor {LONGEST_SLEEP_MS / (med(b, 0) * 1000):.2f}\n")

    if susp is None:
        return

    w(f"\nbytes per suspended task ({SUSPENDED_N} tasks on a 15 s sleep; "
      "(peak RSS - peak RSS of the same program with 0 tasks) / tasks)\n")
    per = {}
    for k in susp:
        per[k] = (med(susp[k], 2) - med(susp0[k], 2)) * 1024 / SUSPENDED_N
    w("  " + "   ".join(f"{k}: {v:.0f} B" for k, v in per.items()))
    w(f"   -> Vex/tokio {per['vex'] / per['tokio']:.2f}")
    if "go" in per:
        w(f", Vex/Go {per['vex'] / per['go']:.2f}")
    w(f"\n  wall ms: " + "   ".join(f"{k}: {med(v, 0) * 1000:.0f}" for k, v in susp.items()))
    w(" (includes the 200 ms settle sleep)\n")

    w("\nvex run (compile in memory + run) of bench/vex/hello.vx, median of 10, warm cache\n")
    for opt, s in vrun.items():
        walls = sorted(x[0] * 1000 for x in s)
        w(f"  -O {opt}: {statistics.median(walls):6.1f} ms wall (min {walls[0]:.1f}, max "
          f"{walls[-1]:.1f}), cpu {med(s, 1) * 1000:.1f} ms, RSS {med(s, 2) / 1024:.1f} MiB\n")


def cell(samples):
    return f"{fmt_t(med(samples, 0))} ({fmt_t(med(samples, 1)).strip():>7})"


def measure_values(bins):
    """Runs the v0.2 value workloads; returns what report_values prints."""
    load = os.getloadavg()
    log(f"measure (values): {RUNS} runs per workload; load {load[0]:.2f}")
    rows = []
    for label in VALUES:
        log(f"  {label}")
        rows.append((label, measure(bins[label])))
    log(f"  Vec copies ({COPY_N} x `let b = a` of {COPY_M} elements, and 0 copies)")
    copies = {n: measure(bins[f"veccopy{n}"])["vex"] for n in (COPY_N, 0)}
    log("  Vec memory (push from empty, withCapacity), n and 0 elements")
    mem = {
        "push from empty": (dict(rows)[VEC_PUSH]["vex"], measure(bins["vecpush0"])["vex"]),
        "withCapacity": (measure(bins[f"vecprealloc{_VN}"])["vex"],
                         measure(bins["vecprealloc0"])["vex"]),
    }
    return rows, copies, mem, load, os.getloadavg()


def grown_capacity(n):
    """The capacity of a Vec grown by n pushes from empty (vex_vec_reserve: at least twice
    the capacity, at least 4 elements)."""
    cap = 0
    while cap < n:
        cap = max(4, cap * 2)
    return cap


def report_values(results):
    rows, copies, mem, load, load_end = results
    w = sys.stdout.write
    w(f"\nv0.2 values: Vec, strings, closures ({'quick' if QUICK else 'full'} sizes, median of "
      f"{RUNS}, {WORKERS} workers; load average {load[0]:.2f} at start, {load_end[0]:.2f} at end)\n")
    w("times in ms: wall (cpu = user+sys); RSS in MiB; ratio = Vex wall / baseline wall; "
      "goal = the issue's bound on that ratio"
      + (" (judged at the full sizes only)" if QUICK else "") + "\n\n")
    hdr = (f"{'workload':<28}{'Vex wall (cpu)':>19}{'base':>7}{'wall (cpu)':>19}"
           f"{'ratio':>7}{'cpu r.':>7}{'goal':>7}       peak RSS MiB Vex / base\n")
    w(hdr)
    w("-" * (len(hdr) + 4) + "\n")
    for label, res in rows:
        v = res["vex"]
        base = next((k for k in res if k != "vex"), None)
        goal = VALUES[label][3]
        line = f"{label:<28}{cell(v)}"
        if base is None:  # no Go installed
            line += f"{'-':>7}{'-':>19}{'-':>7}{'-':>7}{goal:>7.1f}{'-':>7}"
            line += f"   {med(v, 2) / 1024:.1f}"
        else:
            b = res[base]
            ratio = med(v, 0) / med(b, 0)
            line += f"{base:>7}{cell(b)}{ratio:7.2f}{med(v, 1) / med(b, 1):7.2f}{goal:7.1f}"
            line += f" {'-' if QUICK else 'met' if ratio <= goal else 'MISS':>5}"
            line += f"   {med(v, 2) / 1024:.1f} / {med(b, 2) / 1024:.1f}"
        w(line + "\n")

    # The copy loop alone: timed inside the program (now_ms, whole milliseconds), and
    # as the difference of the wall times of COPY_N copies and of 0 copies.
    inside = statistics.median(int(s[3].split()[1]) for s in copies[COPY_N])
    diff = (med(copies[COPY_N], 0) - med(copies[0], 0)) * 1000
    w(f"\nVec copy: {COPY_N} x `let b = a` of a {COPY_M}-element Vec<i64> (one element of each "
      f"copy read): copy loop {inside:.0f} ms by now_ms inside the program, {diff:.1f} ms as "
      f"wall({COPY_N} copies) - wall(0 copies) = {diff * 1e6 / COPY_N:.1f} ns per copy; "
      f"goal under {COPY_GOAL_MS} ms: {'met' if max(inside, diff) < COPY_GOAL_MS else 'MISS'}\n")

    w(f"\nVec<i64> memory: (peak RSS with n = {_VN} - peak RSS with n = 0) / n; goal "
      f"<= 8 n + 64 bytes ({8 + 64 / _VN:.6f} B per element). RSS counts resident pages "
      "only; tolerance = the spread of peak RSS over the runs of both programs\n")
    for how, (full, empty) in mem.items():
        delta = (med(full, 2) - med(empty, 2)) * 1024
        tol = sum(max(s[2] for s in r) - min(s[2] for s in r) for r in (full, empty)) * 1024
        over = delta - (8 * _VN + 64)
        line = (f"  {how + ':':<17}{delta / _VN:6.3f} B per element (RSS {med(full, 2) / 1024:.1f} - "
                f"{med(empty, 2) / 1024:.1f} MiB = 8 n {'+' if over >= 0 else '-'} "
                f"{abs(delta - 8 * _VN) / 1024:.0f} KiB, tolerance {tol / 1024:.0f} KiB): "
                f"{'met' if over <= tol else 'MISS'}")
        cap = grown_capacity(_VN) if how.startswith("push") else _VN
        line += (f"; capacity {cap} = {cap / _VN:.2f} n, so the allocation is {VEC_HEADER} + 8 x "
                 f"{cap} B = {(VEC_HEADER + 8 * cap) / _VN:.2f} B per element of address space")
        w(line + "\n")


def task_blocks():
    """The task blocks of bench/vex/chan_parked.vx's receiver and sleeper: VEX_TASK_HEADER_SIZE
    plus the state size from `vex emit async-ir`, rounded up to the runtime's size class
    (vex-rt/src/alloc.c). None when any of it cannot be read."""
    try:
        header = int(re.search(r"#define VEX_TASK_HEADER_SIZE (\d+)",
                               open(os.path.join(ROOT, "vex-rt", "include", "vex_rt.h")).read())[1])
        classes = [int(x) for x in re.search(r"class_sizes\[[A-Z_]*\] = \{([^}]*)\}",
                                             open(os.path.join(ROOT, "vex-rt", "src", "alloc.c"))
                                             .read())[1].replace(",", " ").split()]
        src = os.path.join(OUT, "vex", f"chan_parked_recv_{CHAN_PARKED}.vx")
        ir = subprocess.run([VEX, "emit", "async-ir", src], check=True, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL).stdout.decode()
        out = {}
        for fn in ("receiver", "sleeper"):
            size = header + int(re.search(rf"struct {fn}\.state size (\d+)", ir)[1])
            out[fn] = (size, next(c for c in classes if c >= size))
        return out
    except (OSError, TypeError, StopIteration, subprocess.CalledProcessError):
        return None


def measure_channels(bins):
    """Runs the v0.2 channel workloads; returns what report_channels prints."""
    load = os.getloadavg()
    log(f"measure (channels): {RUNS} runs per workload; load {load[0]:.2f}")
    rows = []
    for label in CHANNELS:
        log(f"  {label}")
        rows.append((label, measure(bins[label])))
    log(f"  channel memory ({CHAN_MANY} empty channels in a Vec, and 0)")
    many = {n: measure(bins[f"chan_many{n}"]) for n in (CHAN_MANY, 0)}
    log(f"  parked tasks ({CHAN_PARKED} on a receive, on a sleep, and 0)")
    parked = {k: measure(bins[f"chan_parked_{k}"]) for k in
              (f"recv{CHAN_PARKED}", f"sleep{CHAN_PARKED}", "sleep0")}
    return rows, many, parked, task_blocks(), load, os.getloadavg()


def verdict(ratio, goal):
    return "-" if QUICK else "met" if ratio <= goal else "MISS"


def report_channels(results):
    rows, many, parked, blocks, load, load_end = results
    w = sys.stdout.write
    w(f"\nv0.2 channels and select ({'quick' if QUICK else 'full'} sizes, median of {RUNS}, "
      f"{WORKERS} workers everywhere; load average {load[0]:.2f} at start, {load_end[0]:.2f} at end)\n")
    w("times in ms: wall (cpu = user+sys); ratio = Vex wall / peer wall; goal = the issue's bound "
      "on that ratio" + (" (judged at the full sizes only)" if QUICK else "")
      + "; per op = wall / operations, in ns; RSS in MiB\n\n")
    hdr = (f"{'workload':<24}{'Vex wall (cpu)':>19}{'Go wall (cpu)':>19}{'ratio':>7}{'goal':>6}"
           f"{'':>5}{'tokio wall (cpu)':>19}{'ratio':>7}{'goal':>6}{'':>5}"
           f"   ns per op Vex / Go / tokio    RSS Vex / Go / tokio\n")
    w(hdr)
    w("-" * (len(hdr) + 8) + "\n")
    notes = []
    for label, res in rows:
        tmpl, n, unit, goals = CHANNELS[label]
        v = res["vex"]
        line = f"{label:<24}{cell(v)}"
        per = [med(v, 0) * 1e9 / n]
        rss = [med(v, 2) / 1024]
        g = res.get("go")
        if g:
            r = med(v, 0) / med(g, 0)
            line += f"{cell(g)}{r:7.2f}"
            line += f"{goals['go']:6.2f} {verdict(r, goals['go']):>4}" if "go" in goals else f"{'':>11}"
            per.append(med(g, 0) * 1e9 / n)
            rss.append(med(g, 2) / 1024)
        else:
            line += f"{'-':>19}{'-':>7}{'-':>11}"
        tk = [k for k in res if k.startswith("tokio")]
        t_key = min(tk, key=lambda k: med(res[k], 0))
        t = res[t_key]
        r = med(v, 0) / med(t, 0)
        line += f"{cell(t)}{r:7.2f}"
        line += f"{goals['tokio']:6.2f} {verdict(r, goals['tokio']):>4}" if "tokio" in goals else f"{'':>11}"
        per.append(med(t, 0) * 1e9 / n)
        rss.append(med(t, 2) / 1024)
        line += "   " + f"{' / '.join(f'{p:.1f}' for p in per):<27}"
        line += "  " + " / ".join(f"{x:.1f}" for x in rss)
        w(line + "\n")
        if len(tk) > 1:
            notes.append(f"{label}: tokio column = {t_key} (the faster; "
                         + ", ".join(f"{k} {med(res[k], 0) * 1000:.1f} ms" for k in tk) + ")")
        # Runs whose walls spread widely (e.g. whether both workers end up contending
        # for one channel) are listed, so a median is not read as the whole story.
        wide = {k: sorted(x[0] * 1000 for x in r) for k, r in res.items()}
        wide = {k: x for k, x in wide.items() if x[-1] > 1.3 * x[0]}
        if wide:
            notes.append(f"{label}: runs spread (wall ms) "
                         + "; ".join(f"{k} " + " ".join(f"{x:.0f}" for x in xs)
                                     for k, xs in wide.items()))
        if unit == "message":
            notes.append(f"{label}: throughput Vex {n / med(v, 0) / 1e6:.1f} M msg/s"
                         + (f", Go {n / med(g, 0) / 1e6:.1f}" if g else "")
                         + f", tokio {n / med(t, 0) / 1e6:.1f}")
    w("\n" + "".join(f"  {x}\n" for x in notes))

    # Memory: RSS differences, with the spread of peak RSS over the runs as tolerance.
    def spread(*samples):
        return sum(max(s[2] for s in r) - min(s[2] for s in r) for r in samples) * 1024

    w(f"\nempty channel: (peak RSS with {CHAN_MANY} empty channels held in a Vec - peak RSS "
      f"with 0) / {CHAN_MANY} - the Vec slot (Vex: Channel.new<i64>(0); Go: make(chan int64); "
      f"tokio: mpsc::channel::<i64>(1), its smallest); goal <= {CHAN_GOAL_BYTES} B\n")
    full, empty = many[CHAN_MANY], many[0]
    for k in full:
        per = (med(full[k], 2) - med(empty[k], 2)) * 1024 / CHAN_MANY - CHAN_SLOT[k]
        tol = spread(full[k], empty[k]) / CHAN_MANY
        line = f"  {k + ':':<7}{per:7.1f} B per channel (+ {CHAN_SLOT[k]} B slot; tolerance {tol:.1f} B)"
        if k == "vex":
            line += f": {'met' if per <= CHAN_GOAL_BYTES + tol else 'MISS'}"
        w(line + "\n")

    w(f"\nparked task: (peak RSS with {CHAN_PARKED} tasks parked - peak RSS with 0 tasks) / "
      f"{CHAN_PARKED}, parked on a receive from one shared channel and on a 15 s sleep; goal: "
      "a receive allocates nothing beyond the task (Vex: the difference is that of the task "
      "blocks; tolerance = the spread of peak RSS over the runs + one 2 MiB step of task "
      "memory)\n")
    recv, sleep, zero = (parked[f"recv{CHAN_PARKED}"], parked[f"sleep{CHAN_PARKED}"],
                         parked["sleep0"])
    for k in recv:
        r = (med(recv[k], 2) - med(zero[k], 2)) * 1024 / CHAN_PARKED
        sl = (med(sleep[k], 2) - med(zero[k], 2)) * 1024 / CHAN_PARKED
        # The spread of peak RSS over the runs, plus (Vex) the 2 MiB steps of task memory.
        tol = (spread(recv[k], sleep[k]) + (HUGE_PAGE if k == "vex" else 0)) / CHAN_PARKED
        line = (f"  {k + ':':<7}on a receive {r:7.1f} B, on a sleep {sl:7.1f} B per task: "
                f"difference {r - sl:6.1f} B (tolerance {tol:.1f} B)")
        if k == "vex" and blocks:
            (rs, rb), (ss, sb) = blocks["receiver"], blocks["sleeper"]
            line += (f"; task blocks (header + state, size class): receiver {rs} -> {rb} B, "
                     f"sleeper {ss} -> {sb} B, difference {rb - sb} B (the wait record, its "
                     f"value slot and the channel handle live in the state): "
                     f"{'met' if r - sl <= rb - sb + tol else 'MISS'}")
        w(line + "\n")


if __name__ == "__main__":
    main()
