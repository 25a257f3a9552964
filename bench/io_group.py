"""The io group of bench/run.sh (bench/README.md, "v0.2 I/O"): Vex's TCP servers and file
reading against Go and tokio, with 2 workers everywhere, client and server on this machine
over 127.0.0.1. Imported by driver.py (its globals are read through __main__).

Every process started here is killed on exit (atexit), and every wait has a timeout.
"""
import atexit
import os
import re
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time

import __main__ as D

HTTP_SECONDS = 2 if D.QUICK else 5  # wrk -d, after a 1 s warm-up on the same server
HTTP_CONNS = 50
ECHO_CONNS = 100
ECHO_SIZE = 1024
ECHO_ROUNDS = 200 if D.QUICK else 2000  # round trips per connection
SMALL_FILES = 1000
SMALL_SIZE = 64 << 10
BIG_SIZE = 1 << 30
IDLE_CONNS = 1000 if D.QUICK else 10_000
SERVER_DEADLINE_MS = 120_000  # every server stops by itself after this
GOALS = {  # on Vex / peer
    "http_go": 1.5,  # req/s, at least
    "http_tokio": 1.0,  # req/s, at least
    "echo_tokio": 1.0,  # throughput, at least
    "files": 1.0,  # wall time, at most (both peers)
    "idle_go": 0.5,  # bytes per idle connection, at most
}

_procs = []


def _kill_all():
    for p in _procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


atexit.register(_kill_all)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))


def _env():
    e = dict(os.environ, VEX_WORKERS=D.WORKERS, GOMAXPROCS=D.WORKERS)
    e.pop("VEX_CLOCK", None)
    return e


def _start(cmd, stdin=None):
    p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env=_env(), start_new_session=True)
    _procs.append(p)
    return p


def _stop(p):
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGKILL)
    p.wait(timeout=10)
    if p.stdout:
        p.stdout.close()
    if p.stdin:
        p.stdin.close()
    _procs.remove(p)


def _line(p, timeout):
    """The next line of p's stdout, waiting at most `timeout` seconds."""
    buf = b""
    end = time.monotonic() + timeout
    fd = p.stdout.fileno()
    while not buf.endswith(b"\n"):
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise SystemExit(f"no answer from {p.args} within {timeout} s")
        c = os.read(fd, 1)
        if not c:
            raise SystemExit(f"{p.args} ended early (exit {p.wait()})")
        buf += c
    return buf.decode().strip()


def _server(cmd):
    p = _start(cmd)
    m = re.fullmatch(r"listening on (\d+)", _line(p, 20))
    if not m:
        raise SystemExit(f"{cmd}: no port")
    return p, m[1]


def _rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit(f"no VmRSS for {pid}")


def build(bins, vex_build, go):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(soft, min(hard, 65536) if hard != resource.RLIM_INFINITY else 65536)
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < IDLE_CONNS + 200:  # per process: the server and the client each hold N
        raise SystemExit(f"the io group needs {IDLE_CONNS + 200} open files per process (ulimit -n "
                         f"is {want}, hard limit {hard})")
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found (apt-get install -y wrk)")
    go = go or shutil.which("go")
    if not go:
        raise SystemExit("the io group needs Go (apt-get install -y golang-go): it has the clients")
    D.log("build: v0.2 I/O programs (vex build -O 2, go build bench/go/io)")
    for t in ("io_http", "io_echo", "io_files"):
        bins[t] = vex_build(t, {}, t)[0]
    goio = os.path.join(D.OUT, "goio")
    D.sh([go, "build", "-o", goio, "main.go"], cwd=os.path.join(D.BENCH, "go", "io"),
         env=dict(os.environ, GO111MODULE="off", GOCACHE=os.path.join(D.OUT, "gocache")))
    bins["goio"] = goio
    make_files()


def files_dir():
    return os.path.join(D.OUT, "io-files")


def make_files():
    """DIR/small/0..999 (64 KiB each) and DIR/big (1 GiB), made once."""
    d = files_dir()
    os.makedirs(os.path.join(d, "small"), exist_ok=True)
    block = os.urandom(1 << 20)
    made = False
    for i in range(SMALL_FILES):
        path = os.path.join(d, "small", str(i))
        if not os.path.exists(path) or os.path.getsize(path) != SMALL_SIZE:
            off = (i * 4096) % ((1 << 20) - SMALL_SIZE)
            with open(path, "wb") as f:
                f.write(block[off:off + SMALL_SIZE])
            made = True
    big = os.path.join(d, "big")
    if not os.path.exists(big) or os.path.getsize(big) != BIG_SIZE:
        with open(big + ".tmp", "wb") as f:
            for _ in range(BIG_SIZE >> 20):
                f.write(block)
        os.replace(big + ".tmp", big)
        made = True
    if made:
        D.log(f"  made {SMALL_FILES} files of 64 KiB and one of 1 GiB in {d}")


def _servers(bins, kind, n):
    """name -> server command (port 0 = a free one)."""
    dl = str(SERVER_DEADLINE_MS)
    vex = bins["io_http" if kind == "http" else "io_echo"]
    return {
        "vex": [vex, "0", str(n), dl],
        "go": [bins["goio"], kind, "0", dl],
        "tokio": [bins["tokio-io"], kind, "0", str(n), dl],
    }


def _seconds(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(m[1]) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[m[2]]


def _wrk(port, secs, latency=True):
    cmd = ["wrk", "-t2", f"-c{HTTP_CONNS}", f"-d{secs}s"] + (["--latency"] if latency else [])
    out = subprocess.run(cmd + [f"http://127.0.0.1:{port}/"], stdout=subprocess.PIPE,
                         timeout=secs + 30, check=True).stdout.decode()
    if re.search(r"Non-2xx|Socket errors", out):
        raise SystemExit(f"wrk reported errors:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p99 = _seconds(re.search(r"\s99%\s+(\S+)", out)[1]) if latency else None
    return rps, p99


def measure_http(bins):
    res = {k: [] for k in ("vex", "go", "tokio")}
    for _ in range(D.RUNS):
        for k, cmd in _servers(bins, "http", 1_000_000).items():
            p, port = _server(cmd)
            try:
                _wrk(port, 1, latency=False)  # warm-up
                res[k].append(_wrk(port, HTTP_SECONDS))
            finally:
                _stop(p)
    return res


def measure_echo(bins):
    res = {k: [] for k in ("vex", "go", "tokio")}
    outs = {}
    for _ in range(D.RUNS):
        for k, cmd in _servers(bins, "echo", ECHO_CONNS).items():
            p, port = _server(cmd)
            try:
                out = subprocess.run(
                    [bins["goio"], "echoclient", port, str(ECHO_CONNS), str(ECHO_ROUNDS),
                     str(ECHO_SIZE)], stdout=subprocess.PIPE, env=_env(), timeout=120,
                    check=True).stdout.decode()
            finally:
                _stop(p)
            m = re.fullmatch(r"round trips (\d+) bytes (\d+) seconds ([\d.]+)\s*", out)
            res[k].append((int(m[2]) / float(m[3]), float(m[3])))
            outs[k] = m[1] + " " + m[2]
    if len(set(outs.values())) != 1:
        raise SystemExit(f"echo clients differ: {outs}")
    return res


def measure_idle(bins):
    """name -> list of (bytes per connection, RSS KiB with 0, RSS KiB with N)."""
    res = {k: [] for k in ("vex", "go", "tokio")}
    for _ in range(D.RUNS):
        for k, cmd in _servers(bins, "http", IDLE_CONNS + 1).items():
            p, port = _server(cmd)
            c = _start([bins["goio"], "idleclient", port, str(IDLE_CONNS)], stdin=subprocess.PIPE)
            try:
                if _line(c, 20) != "warm":
                    raise SystemExit("idle client: no warm-up")
                time.sleep(0.3)
                rss0 = _rss_kib(p.pid)
                c.stdin.write(b"go\n")
                c.stdin.flush()
                if _line(c, 120) != f"ready {IDLE_CONNS}":
                    raise SystemExit("idle client: not ready")
                time.sleep(0.5)
                rss1 = _rss_kib(p.pid)
                res[k].append(((rss1 - rss0) * 1024 / IDLE_CONNS, rss0, rss1))
            finally:
                _stop(c)
                _stop(p)
    return res


def measure_files(bins):
    cmds = {
        "vex": [bins["io_files"], files_dir(), str(SMALL_FILES)],
        "go": [bins["goio"], "files", files_dir(), str(SMALL_FILES)],
        "tokio": [bins["tokio-io"], "files", files_dir(), str(SMALL_FILES)],
    }
    for cmd in cmds.values():
        D.run_measured(cmd)  # warm-up (page cache)
    return D.measure(cmds)


def measure(bins):
    load = os.getloadavg()
    D.log(f"measure (io): {D.RUNS} runs per workload; load {load[0]:.2f}")
    D.log(f"  HTTP hello: wrk -t2 -c{HTTP_CONNS} -d{HTTP_SECONDS}s (after 1 s of warm-up)")
    http = measure_http(bins)
    D.log(f"  TCP echo: {ECHO_CONNS} connections x {ECHO_ROUNDS} round trips of {ECHO_SIZE} B")
    echo = measure_echo(bins)
    D.log(f"  files: {SMALL_FILES} x 64 KiB + 1 GiB")
    files = measure_files(bins)
    D.log(f"  idle keep-alive connections: {IDLE_CONNS}")
    idle = measure_idle(bins)
    return http, echo, files, idle, load, os.getloadavg()


def _med(xs):
    return statistics.median(xs)


def _verdict(ok):
    return "-" if D.QUICK else "met" if ok else "not met"


def _spread(xs, fmt):
    return f"{fmt(min(xs))}-{fmt(max(xs))}"


def report(results):
    http, echo, files, idle, load, load_end = results
    w = sys.stdout.write
    w(f"\nv0.2 I/O: TCP servers and files ({'quick' if D.QUICK else 'full'} sizes, median of "
      f"{D.RUNS}, {D.WORKERS} workers everywhere, client and server on this machine over "
      f"127.0.0.1; load average {load[0]:.2f} at start, {load_end[0]:.2f} at end)\n")
    w("ratio = Vex / peer of the row's measure; goal = the issue's bound on that ratio"
      + (" (judged at the full sizes only)" if D.QUICK else "") + "\n\n")
    hdr = (f"{'workload':<34}{'Vex':>12}{'Go':>12}{'ratio':>7}{'goal':>8}{'':>9}"
           f"{'tokio':>12}{'ratio':>7}{'goal':>8}{'':>9}\n")
    w(hdr)
    w("-" * len(hdr) + "\n")
    notes = []

    def row(label, vals, fmt, goals):
        line = f"{label:<34}{fmt(vals['vex']):>12}"
        for peer in ("go", "tokio"):
            r = vals["vex"] / vals[peer]
            line += f"{fmt(vals[peer]):>12}{r:7.2f}"
            if peer in goals:
                op, g = goals[peer]
                ok = r >= g if op == ">=" else r <= g
                line += f"{op + format(g, '.2f'):>8} {_verdict(ok):>8}"
            else:
                line += f"{'':>17}"
        w(line + "\n")

    rps = {k: _med([x[0] for x in v]) for k, v in http.items()}
    p99 = {k: _med([x[1] for x in v]) for k, v in http.items()}
    row(f"HTTP hello req/s (wrk -c{HTTP_CONNS})", rps, lambda x: f"{x / 1000:.1f}k",
        {"go": (">=", GOALS["http_go"]), "tokio": (">=", GOALS["http_tokio"])})
    row("HTTP hello p99 latency", p99, lambda x: f"{x * 1000:.2f} ms", {"go": ("<=", 1.0)})
    thr = {k: _med([x[0] for x in v]) for k, v in echo.items()}
    row(f"TCP echo {ECHO_CONNS} conns x 1 KiB MB/s", thr, lambda x: f"{x / 1e6:.1f}",
        {"tokio": (">=", GOALS["echo_tokio"])})
    wall = {k: D.med(v, 0) for k, v in files.items()}
    row("files 1000 x 64 KiB + 1 GiB wall", wall, lambda x: f"{x * 1000:.0f} ms",
        {"go": ("<=", GOALS["files"]), "tokio": ("<=", GOALS["files"])})
    per = {k: _med([x[0] for x in v]) for k, v in idle.items()}
    row(f"idle keep-alive conn ({IDLE_CONNS // 1000}k) B/conn", per, lambda x: f"{x:.0f} B",
        {"go": ("<=", GOALS["idle_go"])})

    for k in ("vex", "go", "tokio"):
        notes.append(
            f"{k}: req/s {_spread([x[0] for x in http[k]], lambda x: f'{x / 1000:.1f}k')}, "
            f"p99 {_spread([x[1] for x in http[k]], lambda x: f'{x * 1000:.2f}')} ms; "
            f"echo {_spread([x[0] for x in echo[k]], lambda x: f'{x / 1e6:.1f}')} MB/s "
            f"({ECHO_CONNS * ECHO_ROUNDS / _med([x[1] for x in echo[k]]) / 1000:.0f}k round "
            f"trips/s); files wall {_spread([x[0] for x in files[k]], lambda x: f'{x * 1000:.0f}')}"
            f" ms (cpu {D.med(files[k], 1) * 1000:.0f} ms, peak RSS {D.med(files[k], 2) / 1024:.0f}"
            f" MiB); idle {_spread([x[0] for x in idle[k]], lambda x: f'{x:.0f}')} B/conn (RSS "
            f"{_med([x[1] for x in idle[k]]) / 1024:.1f} -> {_med([x[2] for x in idle[k]]) / 1024:.1f}"
            f" MiB)")
    w("\nspreads (min-max over the runs):\n" + "".join(f"  {x}\n" for x in notes))
