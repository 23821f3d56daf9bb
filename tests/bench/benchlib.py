"""What the benchmarks of tests/bench share: building and running the
ceiling programs, running wrk with a Lua script of this directory, CPU and
memory of a process from /proc, and the JSON rows that tests/bench/run
gathers into one table.

A row is one JSON object a line in the file given by --json:
  {"kind": "row", "bench": ..., "path": ..., "rate": N, "unit": "req/s",
   "p50_ms": .., "p99_ms": .., "peak_rss_mb": .., "cpu_us": ..,
   "ceilings": [key, ...], "share_of": key or null, "bad": N,
   "target": {"rate_min", "p99_max_ms", "share_min", "rss_max_mb"}, "note"}
  {"kind": "ceiling", "key": ..., "name": ..., "value": N, "unit": "/s",
   "detail": ...}
"""

import atexit
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
TICK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


class Broken(Exception):
    """The benchmark could not run (not a missed target)."""


# ---- durations ---------------------------------------------------------------

def bench_seconds(default=10.0):
    """BENCH_SECONDS: the length of each load run (the runner's scale)."""
    v = os.environ.get("BENCH_SECONDS", "")
    try:
        s = float(v) if v else default
    except ValueError:
        raise Broken("BENCH_SECONDS is not a number: %r" % v)
    if s <= 0:
        raise Broken("BENCH_SECONDS must be positive")
    return s


# ---- CPU and memory -------------------------------------------------------------

def machine_busy():
    """Seconds of CPU the whole machine has spent busy, and stolen (VM)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    steal = v[7] if len(v) > 7 else 0
    return (sum(v[:8]) - idle - steal) / TICK, steal / TICK


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def self_cpu():
    t = os.times()
    return t.user + t.system


def proc_cpu(pid):
    """utime + stime of a process so far, in seconds (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / TICK


class Meter:
    """Machine-wide busy CPU over a phase, less what we account for: the
    rest is other processes competing with the benchmark."""

    def __init__(self):
        self.t0 = time.monotonic()
        self.busy0, self.steal0 = machine_busy()
        self.own0 = children_cpu() + self_cpu()

    def stop(self, extra=0.0):
        """extra: CPU seconds of not-yet-waited processes (the server)."""
        wall = time.monotonic() - self.t0
        busy, steal = machine_busy()
        own = children_cpu() + self_cpu() - self.own0 + extra
        return {"wall": wall, "other": max(0.0, busy - self.busy0 - own) / wall,
                "own": (own - extra) / wall,
                "steal": (steal - self.steal0) / wall}


def vm(pid, key):
    """A VmXXX line of /proc/PID/status in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise Broken("no %s for pid %d" % (key, pid))


def reset_peak(pid):
    """Starts VmHWM again from the current RSS (Linux: clear_refs 5)."""
    with open("/proc/%d/clear_refs" % pid, "w") as f:
        f.write("5")


# ---- the ceiling programs ----------------------------------------------------------

# Each tests/bench/NAME.c and what it links with (pkg-config names or -l).
PROGRAMS = {
    "argon2_ceiling": (["libsodium"], ["-I" + os.path.join(ROOT, "idp"),
                                       "-I" + os.path.join(ROOT, "common")]),
    "ed25519_ceiling": (["libsodium"], []),
    "rsa_ceiling": (["gnutls"], []),
    "mhd_ceiling": (["libmicrohttpd"], []),
    "sqlite_ceiling": (["sqlite3"], []),
}


_own_bin_dir = []


def bin_dir():
    """BENCH_BUILD_DIR (the runner's, shared by the benchmarks of one run),
    or a temporary directory of this process, removed at its exit."""
    if os.environ.get("BENCH_BUILD_DIR"):
        return os.environ["BENCH_BUILD_DIR"]
    if not _own_bin_dir:
        _own_bin_dir.append(tempfile.mkdtemp(prefix="idp-bench-bin-"))
        atexit.register(shutil.rmtree, _own_bin_dir[0], True)
    return _own_bin_dir[0]


def build(name):
    """tests/bench/NAME.c built with cc into bin_dir() (once); the path of
    the program."""
    exe = os.path.join(bin_dir(), name)
    src = os.path.join(HERE, name + ".c")
    if os.path.exists(exe) and os.path.getmtime(exe) >= os.path.getmtime(src):
        return exe
    pkgs, extra = PROGRAMS[name]
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None or shutil.which("pkg-config") is None:
        raise Broken("%s and pkg-config are needed to build %s" % (cc, name))
    flags = subprocess.run(["pkg-config", "--cflags", "--libs"] + pkgs,
                           capture_output=True, text=True)
    if flags.returncode != 0:
        raise Broken("pkg-config %s: %s" % (" ".join(pkgs), flags.stderr))
    r = subprocess.run([cc, "-O2", "-std=c11", "-D_GNU_SOURCE", "-Wall",
                        "-Wextra"] + extra + [src, "-o", exe] +
                       flags.stdout.split() + ["-lpthread"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise Broken("cannot build %s:\n%s" % (name, r.stderr))
    return exe


def run_ceiling(name, *args):
    """Runs a ceiling program; its "key value ..." line as a dict."""
    exe = build(name)
    r = subprocess.run([exe] + [str(a) for a in args], capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise Broken("%s %s failed (%d):\n%s" % (name, " ".join(map(str, args)),
                                               r.returncode, r.stderr))
    f = r.stdout.split()
    return dict(zip(f[0::2], f[1::2]))


# ---- wrk ---------------------------------------------------------------------------

class Wrk:
    """One wrk run of tests/bench/SCRIPT.lua against 127.0.0.1:port with
    env (BENCH_* parameters of the script); pid: the server, whose CPU and
    peak RSS over the run are measured (its VmHWM is reset first)."""

    def __init__(self, name, script, port, pid, seconds, env=None, threads=2,
                 conns=16, alive=None):
        self.name = name
        self.threads = threads
        environ = dict(os.environ)
        environ.update({k: str(v) for k, v in (env or {}).items()})
        environ["BENCH_THREADS"] = str(threads)
        reset_peak(pid)
        cpu0 = proc_cpu(pid)
        m = Meter()
        self.proc = subprocess.run(
            ["wrk", "-t%d" % threads, "-c%d" % conns,
             "-d%ds" % max(1, int(round(seconds))), "--timeout", "10s",
             "--latency", "-s", os.path.join(HERE, script + ".lua"),
             "http://127.0.0.1:%d" % port],
            capture_output=True, text=True, env=environ)
        self.server_cpu = proc_cpu(pid) - cpu0
        self.cpu = m.stop(self.server_cpu)
        self.peak_kb = vm(pid, "VmHWM")
        self.rss_kb = vm(pid, "VmRSS")
        if self.proc.returncode != 0:
            raise Broken("wrk (%s) failed (%d):\n%s%s" % (
                name, self.proc.returncode, self.proc.stdout, self.proc.stderr))
        if alive is not None and not alive():
            raise Broken("the server died during %s" % name)
        self.fig, self.statuses = {}, {}
        for line in self.proc.stdout.splitlines():
            f = line.split()
            if len(f) == 3 and f[0] == "status":
                self.statuses[int(f[1])] = int(f[2])
            elif len(f) == 2 and f[1].lstrip("-").isdigit():
                self.fig[f[0]] = int(f[1])
        if "duration_us" not in self.fig:
            raise Broken("no figures from wrk (%s):\n%s%s"
                         % (name, self.proc.stdout, self.proc.stderr))
        self.seconds = self.fig["duration_us"] / 1e6
        self.requests = self.fig["requests"]
        self.p50 = self.fig["latency_p50_us"] / 1e3
        self.p99 = self.fig["latency_p99_us"] / 1e3
        self.max = self.fig["latency_max_us"] / 1e3
        self.errors = self.fig["socket_errors"]
        self.notes = self.proc.stderr.strip()

    def status_bad(self, good_status):
        """Answers other than good_status (from the script's counts) plus
        socket errors."""
        return sum(v for k, v in self.statuses.items() if k != good_status) + \
            self.errors

    def wrk_bad(self):
        """Answers >= 400 as wrk counts them, plus socket errors."""
        return self.fig["status_errors"] + self.errors

    def cpu_us(self):
        """The server's CPU per request, in microseconds."""
        return 1e6 * self.server_cpu / self.requests if self.requests else None


# ---- rows ---------------------------------------------------------------------------

class Rows:
    """The JSON rows of one benchmark, appended to --json's file (if any)."""

    def __init__(self, path, bench):
        self.path, self.bench = path, bench

    def _put(self, obj):
        if self.path:
            with open(self.path, "a") as f:
                f.write(json.dumps(obj, sort_keys=True) + "\n")

    def ceiling(self, key, name, value, detail=""):
        self._put({"kind": "ceiling", "bench": self.bench, "key": key,
                   "name": name, "value": value, "unit": "/s",
                   "detail": detail})

    def row(self, path, rate=None, unit="req/s", p50_ms=None, p99_ms=None,
            peak_rss_mb=None, cpu_us=None, ceilings=(), share_of=None, bad=0,
            rate_min=None, p99_max_ms=None, share_min=None, rss_max_mb=None,
            note=""):
        self._put({"kind": "row", "bench": self.bench, "path": path,
                   "rate": rate, "unit": unit, "p50_ms": p50_ms,
                   "p99_ms": p99_ms, "peak_rss_mb": peak_rss_mb,
                   "cpu_us": cpu_us, "ceilings": list(ceilings),
                   "share_of": share_of, "bad": bad,
                   "target": {"rate_min": rate_min, "p99_max_ms": p99_max_ms,
                              "share_min": share_min,
                              "rss_max_mb": rss_max_mb},
                   "note": note})

    def wrk_row(self, run, path, good, bad, **kw):
        """A row from a Wrk run: good answers / wrk's duration."""
        self.row(path, rate=good / run.seconds, p50_ms=run.p50,
                 p99_ms=run.p99, peak_rss_mb=run.peak_kb / 1024,
                 cpu_us=run.cpu_us(), bad=bad, **kw)
