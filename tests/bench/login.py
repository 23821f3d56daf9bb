#!/usr/bin/python3
"""Password-login benchmark.

Targets (the issue): password logins per second >= 90 % of the Argon2id
ceiling measured in the same run with the same parameters, and /healthz p99
under 10 ms while that load runs.

1. Ceiling: tests/bench/argon2_ceiling.c (built here with cc, including
   idp/password.h for PASSWORD_OPSLIMIT/PASSWORD_MEMLIMIT), one thread per
   core verifying one hash for CEILING seconds: verifies/s. Run once before
   and once after the load (nothing else running); the ceiling is their
   mean, since a shared machine's speed drifts by several per cent.
2. Server: `idp serve --demo --login-rate 0` on 127.0.0.1:0 in a fresh
   temporary directory; ACCOUNTS level-1 accounts made through the API
   (each with its own phone), each enrolled in TOTP so that a right password
   answers 200 {login_id, method: totp} without sending an SMS (a phone
   takes 10 codes an hour).
3. Load: wrk, connections = 4 x cores, DURATION seconds, POST /v1/login
   with the right passwords round-robin over the accounts; only 200 answers
   count: logins/s = 200s / wrk's duration.
4. Meanwhile a Python client on one keep-alive connection asks GET /healthz
   every 10 ms and records each answer's latency (time.perf_counter).

Prints the figures and a PASS/FAIL line per target; exits 0 whatever the
figures, non-zero only when the benchmark itself broke.

Usage: tests/bench/login.py [--duration S] [--ceiling S] [--accounts N]
                            [--connections N] [IDP]
"""

import argparse
import http.client
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LISTEN_RE = re.compile(r"^dinhdanh listening on (\S+) \(port (\d+)\)\s*$")
RATIO_TARGET = 90.0
HEALTHZ_P99_TARGET_MS = 10.0
HEALTHZ_INTERVAL = 0.010


class Broken(Exception):
    """The benchmark could not run (not a missed target)."""


TICK = os.sysconf("SC_CLK_TCK")


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


def env_without_idp():
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDP_")}
    env.pop("IDP", None)
    return env


# ---- 1. the Argon2id ceiling ----------------------------------------------

def build_ceiling(tmp):
    exe = os.path.join(tmp, "argon2_ceiling")
    cc = os.environ.get("CC", "cc")
    r = subprocess.run([cc, "-O2", "-std=c11", "-D_GNU_SOURCE",
                        "-I" + os.path.join(ROOT, "idp"),
                        "-I" + os.path.join(ROOT, "common"),
                        os.path.join(ROOT, "tests", "bench", "argon2_ceiling.c"),
                        "-o", exe, "-lsodium", "-lpthread"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise Broken("cannot build argon2_ceiling:\n" + r.stderr)
    return exe


def ceiling(exe, seconds, threads):
    r = subprocess.run([exe, str(seconds), str(threads)], capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise Broken("argon2_ceiling failed:\n" + r.stderr)
    f = r.stdout.split()
    return dict(zip(f[0::2], f[1::2]))


# ---- 2. the server and its accounts ---------------------------------------

class Server:
    def __init__(self, idp, tmp):
        self.idp, self.tmp = idp, tmp
        self.db = os.path.join(tmp, "idp.db")
        self.stderr = open(os.path.join(tmp, "stderr.log"), "wb")
        self.proc = subprocess.Popen(
            [idp, "serve", "--db", self.db, "--listen", "127.0.0.1:0",
             "--web", os.path.join(ROOT, "web"), "--login-rate", "0",
             "--log-level", "warn", "--demo"],
            stdout=subprocess.PIPE, stderr=self.stderr, env=env_without_idp())
        deadline = time.monotonic() + 120
        self.port = None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = LISTEN_RE.match(line.decode("utf-8", "replace"))
            if m:
                self.port = int(m.group(2))
                break
        if self.port is None:
            self.stop()
            raise Broken("idp serve did not start:\n" + self.stderr_text())
        # Keep draining stdout (the demo banner) so the server never blocks.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def stderr_text(self):
        self.stderr.flush()
        with open(self.stderr.name, "rb") as f:
            return f.read().decode("utf-8", "replace")[-3000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()

    def call(self, method, path, body=None, token=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        try:
            c.request(method, path, body=data, headers=headers)
            r = c.getresponse()
            raw = r.read()
        finally:
            c.close()
        try:
            return r.status, json.loads(raw) if raw else None
        except ValueError:
            return r.status, raw

    def expect(self, want, method, path, body=None, token=None):
        status, js = self.call(method, path, body, token)
        if status != want:
            raise Broken("%s %s: %d (wanted %d): %r"
                         % (method, path, status, want, js))
        return js

    def last_code(self, phone):
        r = subprocess.run([self.idp, "sms", "list", "--db", self.db,
                            "--phone", phone], capture_output=True, text=True,
                           env=env_without_idp())
        lines = r.stdout.strip().splitlines()
        m = re.search(r"\b(\d{6})\b", lines[-1].split("\t")[-1]) if lines else None
        if r.returncode != 0 or m is None:
            raise Broken("no SMS code for %s: %s%s" % (phone, r.stdout, r.stderr))
        return m.group(1)


def people(db, n, skip):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        return con.execute(
            "SELECT personal_id, full_name, birth_date FROM registry_people "
            "WHERE status = 'living' AND personal_id != ? "
            "ORDER BY personal_id LIMIT ?", (skip, n)).fetchall()
    finally:
        con.close()


def make_account(srv, i, person):
    pid, name, birth = person
    phone = "+849%08d" % (10000 + i)
    password = "Bench-login-%02d-zq7W" % i
    reg = srv.expect(202, "POST", "/v1/accounts", {
        "personal_id": pid, "full_name": name, "birth_date": birth,
        "phone": phone, "password": password})
    srv.expect(201, "POST", "/v1/accounts/confirm", {
        "registration_id": reg["registration_id"],
        "code": srv.last_code(phone)})
    # A first login by SMS for a session, then TOTP for the load.
    step = srv.expect(200, "POST", "/v1/login",
                      {"personal_id": pid, "password": password})
    sess = srv.expect(200, "POST", "/v1/login/code", {
        "login_id": step["login_id"], "code": srv.last_code(phone)})
    token = sess["session_token"]
    secret = srv.expect(200, "POST", "/v1/me/totp", token=token)["secret"]
    r = subprocess.run(["oathtool", "--totp", "-b", secret],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise Broken("oathtool: " + r.stderr)
    srv.expect(200, "POST", "/v1/me/totp/confirm", {"code": r.stdout.strip()},
               token=token)
    step = srv.expect(200, "POST", "/v1/login",
                      {"personal_id": pid, "password": password})
    if step.get("method") != "totp":
        raise Broken("login of %s still asks for %r" % (pid, step.get("method")))
    return pid, password


# ---- 3. the load ------------------------------------------------------------

WRK_LUA = r"""
local accounts = %(accounts)s
local reqs, n = {}, 0
local threads = {}
statuses = {}  -- a global: done() reads each thread's copy with thread:get

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for i, a in ipairs(accounts) do
    reqs[i] = wrk.format("POST", "/v1/login",
      { ["Content-Type"] = "application/json" },
      '{"personal_id":"' .. a[1] .. '","password":"' .. a[2] .. '"}')
  end
  n = id or 0
  statuses = {}
end

function request()
  n = n + 1
  return reqs[n %% #reqs + 1]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 200 and (statuses[status] or 0) <= 3 then
    io.stderr:write("non-200 answer " .. status .. ": " .. body .. "\n")
  end
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do all[k] = (all[k] or 0) + v end
  end
  for k, v in pairs(all) do io.write(string.format("status %%d %%d\n", k, v)) end
  io.write(string.format("duration_us %%d\n", summary.duration))
  io.write(string.format("errors connect %%d read %%d write %%d status %%d timeout %%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("latency_p%%d_us %%d\n", p, latency:percentile(p)))
  end
  io.write(string.format("latency_max_us %%d\n", latency.max))
end
"""


def lua_script(tmp, accounts):
    items = ", ".join('{"%s", "%s"}' % a for a in accounts)
    path = os.path.join(tmp, "login.lua")
    with open(path, "w") as f:
        f.write(WRK_LUA % {"accounts": "{ " + items + " }"})
    return path


# ---- 4. /healthz under load -------------------------------------------------

class HealthProbe(threading.Thread):
    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.lat = []
        self.errors = 0
        self.halt = threading.Event()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        nxt = time.perf_counter()
        while not self.halt.is_set():
            t0 = time.perf_counter()
            try:
                conn.request("GET", "/healthz")
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                  timeout=10)
            dt = time.perf_counter() - t0
            if ok:
                self.lat.append(dt * 1000.0)
            else:
                self.errors += 1
            nxt += HEALTHZ_INTERVAL
            wait = nxt - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            else:
                nxt = time.perf_counter()
        conn.close()


def pct(xs, p):
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(round(p / 100.0 * len(s) + 0.5)) - 1))]


def probe_for(port, seconds):
    p = HealthProbe(port)
    p.start()
    time.sleep(seconds)
    p.halt.set()
    p.join()
    return p


# ---- the run ----------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--ceiling", type=float, default=10.0)
    ap.add_argument("--accounts", type=int, default=8)
    ap.add_argument("--connections", type=int, default=0,
                    help="wrk connections (default 4 x cores)")
    ap.add_argument("idp", nargs="?", default=os.path.join(ROOT, "build", "idp"))
    a = ap.parse_args()
    cores = os.cpu_count() or 1
    conns = a.connections or 4 * cores
    wrk_threads = min(cores, conns)
    for tool in ("wrk", "oathtool", os.environ.get("CC", "cc")):
        if shutil.which(tool) is None:
            raise Broken("%s is not installed" % tool)
    if not os.access(a.idp, os.X_OK):
        raise Broken("no idp binary at %s (make build)" % a.idp)

    tmp = tempfile.mkdtemp(prefix="idp-bench-login-")
    srv = None
    try:
        exe = build_ceiling(tmp)
        m = Meter()
        ceil = ceiling(exe, a.ceiling, cores)
        ceil_other = m.stop()

        srv = Server(a.idp, tmp)
        with open(os.path.join(tmp, "demo.json")) as f:
            demo_pid = json.load(f)["citizen"]["personal_id"]
        accounts = [make_account(srv, i, p) for i, p in
                    enumerate(people(srv.db, a.accounts, demo_pid))]
        script = lua_script(tmp, accounts)

        idle = probe_for(srv.port, 3)
        probe = HealthProbe(srv.port)
        srv_cpu0 = proc_cpu(srv.proc.pid)
        m = Meter()
        probe.start()
        wrk = subprocess.run(
            ["wrk", "-t%d" % wrk_threads, "-c%d" % conns, "-d%ds" % a.duration,
             "--timeout", "10s", "-s", script,
             "http://127.0.0.1:%d" % srv.port],
            capture_output=True, text=True)
        probe.halt.set()
        probe.join()
        srv_cpu = proc_cpu(srv.proc.pid) - srv_cpu0
        load_other = m.stop(srv_cpu)
        if wrk.returncode != 0:
            raise Broken("wrk failed (%d):\n%s%s" % (wrk.returncode, wrk.stdout,
                                                     wrk.stderr))
        if srv.proc.poll() is not None:
            raise Broken("the server died under load:\n" + srv.stderr_text())
        srv.stop()
        srv = None
        m = Meter()
        ceil2 = ceiling(exe, a.ceiling, cores)
        ceil2_other = m.stop()
    finally:
        if srv is not None:
            srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    statuses, fig = {}, {}
    for line in wrk.stdout.splitlines():
        f = line.split()
        if len(f) == 3 and f[0] == "status":
            statuses[int(f[1])] = int(f[2])
        elif len(f) == 2 and f[0] in ("duration_us", "latency_p50_us",
                                      "latency_p90_us", "latency_p99_us",
                                      "latency_max_us"):
            fig[f[0]] = int(f[1])
        elif f and f[0] == "errors":
            fig["errors"] = " ".join(f[1:])
    if "duration_us" not in fig:
        raise Broken("no figures from wrk:\n" + wrk.stdout + wrk.stderr)
    before = float(ceil["verifies_per_s"])
    after = float(ceil2["verifies_per_s"])
    ceil_rate = (before + after) / 2
    secs = fig["duration_us"] / 1e6
    ok200 = statuses.get(200, 0)
    others = sum(v for k, v in statuses.items() if k != 200)
    rate = ok200 / secs
    ratio = 100.0 * rate / ceil_rate
    hz = probe.lat
    h50, h99, hmax = pct(hz, 50), pct(hz, 99), max(hz) if hz else float("nan")

    print("password logins (Argon2id t=%s, m=%s KiB, p=1), %d cores"
          % (ceil["opslimit"], ceil["memlimit_kib"], cores))
    print("  Argon2id ceiling      %8.1f verifies/s  (%s threads, %.0f s each "
          "before/after the load: %.1f / %.1f; %.1f ms per verify)"
          % (ceil_rate, ceil["threads"], a.ceiling, before, after,
             1000.0 * cores / ceil_rate))
    print("  logins (200)          %8.1f /s          (%d in %.1f s; wrk -t%d "
          "-c%d; %d accounts with TOTP)" % (rate, ok200, secs, wrk_threads,
                                            conns, len(accounts)))
    print("  other answers         %8d             %s; socket errors: %s"
          % (others, ", ".join("%d: %d" % kv for kv in sorted(statuses.items())
                               if kv[0] != 200) or "none",
             fig.get("errors", "?")))
    print("  login latency         p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, "
          "max %.0f ms" % (fig["latency_p50_us"] / 1e3,
                           fig["latency_p90_us"] / 1e3,
                           fig["latency_p99_us"] / 1e3,
                           fig["latency_max_us"] / 1e3))
    print("  ratio                 %8.1f %%          (target >= %.0f %%)"
          % (ratio, RATIO_TARGET))
    print("  /healthz under load   p50 %.2f ms, p99 %.2f ms, max %.2f ms "
          "(%d requests, %d errors; target p99 < %.0f ms)"
          % (h50, h99, hmax, len(hz), probe.errors, HEALTHZ_P99_TARGET_MS))
    print("  /healthz idle         p50 %.2f ms, p99 %.2f ms, max %.2f ms "
          "(%d requests)" % (pct(idle.lat, 50), pct(idle.lat, 99),
                             max(idle.lat) if idle.lat else float("nan"),
                             len(idle.lat)))
    print("  CPU during the load   server %.2f, wrk + probe %.2f, other "
          "processes %.2f cores (of %d; other processes during the ceiling "
          "runs %.2f / %.2f; VM steal %.2f)"
          % (srv_cpu / load_other["wall"], load_other["own"],
             load_other["other"], cores, ceil_other["other"],
             ceil2_other["other"], load_other["steal"]))
    busy = max(load_other["other"], ceil_other["other"], ceil2_other["other"])
    if busy > 0.1 * cores:
        print("  note: other processes used up to %.2f cores during the run: "
              "the figures are unreliable; rerun on an idle machine" % busy)
    print("%s logins/s >= %.0f %% of the Argon2id ceiling (%.1f %%)"
          % ("PASS" if ratio >= RATIO_TARGET else "FAIL", RATIO_TARGET, ratio))
    hz_ok = hz and probe.errors == 0 and h99 < HEALTHZ_P99_TARGET_MS
    print("%s /healthz p99 < %.0f ms under login load (%.2f ms%s)"
          % ("PASS" if hz_ok else "FAIL", HEALTHZ_P99_TARGET_MS, h99,
             ", %d errors" % probe.errors if probe.errors else ""))
    if wrk.stderr.strip():
        print("wrk notes:\n" + wrk.stderr.strip())
    return 0


if __name__ == "__main__":
    # SIGTERM (make interrupted) still stops the server and removes the files.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main())
    except Broken as e:
        print("login benchmark broke: %s" % e, file=sys.stderr)
        sys.exit(2)
