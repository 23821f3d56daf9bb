#!/usr/bin/python3
"""OpenID Connect benchmark: discovery, authorize, token, userinfo.

Targets (the issue), wrk over loopback:
  discovery  GET /.well-known/openid-configuration   >= 60,000 req/s
  authorize  GET /authorize with a signed-in session
             and consent given -> 303 with a code   >= 6,000 req/s, p99 < 25 ms
  token      POST /token, authorization_code, an
             EdDSA client (client_secret_basic)    >= 5,000 req/s, p99 < 25 ms
  userinfo   GET /userinfo with a Bearer token     >= 25,000 req/s
  peak RSS of the server over the four runs        <= 27 MB

1. Server: `idp serve --login-rate 0 --log-level warn` on 127.0.0.1:0 in a
   fresh temporary directory (tests/integration/harness.py), a small
   synthetic registry, one citizen registered through the pages, one portal
   client with --id-token-alg EdDSA. The citizen signs in and consents once
   through the pages (harness.WebClient), which leaves the session cookie.
2. discovery: wrk, no per-request Lua (only done() for the figures).
3. authorize: wrk with the session cookie; each request has its own state
   and the same PKCE challenge; a response() hook counts the statuses and
   keeps the code of every 303 (Location ...?code=...). Only a 303 with a
   code counts. The codes collected are the token run's input.
4. token: wrk POSTs each collected code once (thread i takes every n-th
   code); codes live 60 s, so this run starts right after the authorize
   run and is shorter (--token-duration), with as many more codes
   collected just before it (unmeasured). Only 200s count; the access tokens
   of the first answers are kept.
5. userinfo: wrk GETs /userinfo rotating over those access tokens; answers
   >= 400 are counted by wrk itself (no per-response Lua, for wrk's sake).

Peak RSS: VmHWM of /proc/PID/status at the end, reset (clear_refs 5)
after the set-up, whose password sign-in alone takes Argon2id's 46 MiB;
the lifetime peak is printed too.

Each run uses wrk -t2 -cCONNECTIONS (default 64) and reports req/s (good
answers / wrk's duration), p50 and p99, and the answers that are not the
expected ones. The CPU of the server, of wrk, and of other processes is
measured over each run: wrk shares the machine's cores with the server, and
on a shared machine other work competes too.

Prints a table with a PASS/FAIL per target; exits 0 whatever the figures,
non-zero only when the benchmark itself broke.

Usage: tests/bench/oidc.py [--duration S] [--token-duration S]
                           [--connections N] [--offline] [IDP]
"""

import argparse
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, HERE)

import harness  # noqa: E402
from login import Broken, Meter, proc_cpu  # noqa: E402

RP = "https://rp.bench.test/cb"
SCOPE = "openid profile personal_id address phone"
TARGETS = {  # name: (req/s at least, p99 below ms or None)
    "discovery": (60000, None),
    "authorize": (6000, 25.0),
    "token": (5000, 25.0),
    "userinfo": (25000, None),
}
RSS_TARGET_MB = 27.0

# ---- wrk scripts ------------------------------------------------------------

# done(): the figures, one "key value" a line, for every run.
LUA_DONE = r"""
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local function figures(summary, latency)
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("duration_us %d\n", summary.duration))
  io.write(string.format("errors connect %d read %d write %d status %d timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
  io.write(string.format("socket_errors %d\n", summary.errors.connect +
    summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("status_errors %d\n", summary.errors.status))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("latency_p%d_us %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("latency_max_us %d\n", latency.max))
end

-- Every thread's table `name` merged; `each` sees each thread's.
local function gather(name, each)
  for _, t in ipairs(threads) do
    local v = t:get(name)
    if v ~= nil then each(v) end
  end
end

local function print_statuses()
  local all = {}
  gather("statuses", function(s)
    for k, v in pairs(s) do all[k] = (all[k] or 0) + v end
  end)
  for k, v in pairs(all) do io.write(string.format("status %d %d\n", k, v)) end
end
"""

LUA_PLAIN = LUA_DONE + r"""
function done(summary, latency, requests)
  figures(summary, latency)
end
"""

# authorize: a new state each request; statuses counted; codes kept.
LUA_AUTHORIZE = r"""
local prefix = %(prefix)s
local cookie = %(cookie)s
local codes_file = %(codes_file)s
local n = 0
statuses = {}
codes = {}
nocode = 0

function init(args)
  statuses, codes, nocode = {}, {}, 0
  n = (id or 0) * 100000000
end

function request()
  n = n + 1
  return wrk.format("GET", prefix .. n, { ["Cookie"] = cookie })
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 303 then
    local loc = headers["Location"] or ""
    local code = loc:match("[?&]code=([^&]+)")
    if code then
      codes[#codes + 1] = code
    else
      nocode = nocode + 1
      if nocode <= 3 then io.stderr:write("303 without a code: " .. loc .. "\n") end
    end
  elseif (statuses[status] or 0) <= 3 then
    io.stderr:write("authorize answered " .. status .. ": " ..
      (headers["Location"] or body:sub(1, 300)) .. "\n")
  end
end

function done(summary, latency, requests)
  figures(summary, latency)
  print_statuses()
  local f = assert(io.open(codes_file, "w"))
  local total, bad = 0, 0
  gather("codes", function(c)
    for _, code in ipairs(c) do f:write(code, "\n") end
    total = total + #c
  end)
  gather("nocode", function(v) bad = bad + v end)
  f:close()
  io.write(string.format("codes %%d\n", total))
  io.write(string.format("nocode %%d\n", bad))
end
"""

# token: each code once; 200s counted; some access tokens kept.
LUA_TOKEN = r"""
local codes_file = %(codes_file)s
local tokens_file = %(tokens_file)s
local auth = %(auth)s
local tail = %(tail)s
local keep = %(keep)s
local nthreads = %(nthreads)d  -- not from setup(): a thread may start first
local mine, i = {}, 0
statuses = {}
tokens = {}
ran_out = 0

function init(args)
  statuses, tokens, ran_out = {}, {}, 0
  local k = 0
  for line in io.lines(codes_file) do
    if k %% nthreads == id then mine[#mine + 1] = line end
    k = k + 1
  end
end

function request()
  i = i + 1
  local code = mine[i]
  if code == nil then
    -- Out of codes: stop this thread (a reused code would be refused).
    ran_out = ran_out + 1
    wrk.thread:stop()
    code = "x"
  end
  return wrk.format("POST", "/token", {
    ["Authorization"] = auth,
    ["Content-Type"] = "application/x-www-form-urlencoded" },
    "grant_type=authorization_code&code=" .. code .. tail)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 then
    if #tokens < keep then
      local t = body:match('"access_token"%%s*:%%s*"([^"]+)"')
      if t then tokens[#tokens + 1] = t end
    end
  elseif (statuses[status] or 0) <= 3 then
    io.stderr:write("token answered " .. status .. ": " .. body:sub(1, 300) .. "\n")
  end
end

function done(summary, latency, requests)
  figures(summary, latency)
  print_statuses()
  local f = assert(io.open(tokens_file, "w"))
  gather("tokens", function(t)
    for _, tok in ipairs(t) do f:write(tok, "\n") end
  end)
  f:close()
  local out = 0
  gather("ran_out", function(v) out = out + v end)
  io.write(string.format("ran_out %%d\n", out))
end
"""

# userinfo: rotating over pre-formatted requests, one per access token.
LUA_USERINFO = r"""
local tokens_file = %(tokens_file)s
local reqs, n = {}, 0

function init(args)
  for line in io.lines(tokens_file) do
    reqs[#reqs + 1] = wrk.format("GET", "/userinfo",
      { ["Authorization"] = "Bearer " .. line })
  end
  n = id or 0
end

function request()
  n = n + 1
  return reqs[n %% #reqs + 1]
end

function done(summary, latency, requests)
  figures(summary, latency)
end
"""


def lua_str(s):
    """A Lua string literal (long brackets would do too; keep it simple)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


# ---- running wrk --------------------------------------------------------------

class Run:
    """One wrk run: its figures and the CPU each party used."""

    def __init__(self, name, srv, script, threads, conns, seconds):
        self.name = name
        pid = srv.proc.pid
        cpu0 = proc_cpu(pid)
        m = Meter()
        self.wrk = subprocess.run(
            ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds,
             "--timeout", "10s", "--latency", "-s", script,
             "http://127.0.0.1:%d" % srv.port],
            capture_output=True, text=True)
        srv_cpu = proc_cpu(pid) - cpu0
        self.cpu = m.stop(srv_cpu)
        self.cpu["server"] = srv_cpu / self.cpu["wall"]
        if self.wrk.returncode != 0:
            raise Broken("wrk (%s) failed (%d):\n%s%s" % (
                name, self.wrk.returncode, self.wrk.stdout, self.wrk.stderr))
        if srv.proc.poll() is not None:
            raise Broken("the server died during %s:\n%s"
                         % (name, srv.stderr_text()))
        self.fig, self.statuses = {}, {}
        for line in self.wrk.stdout.splitlines():
            f = line.split()
            if len(f) == 3 and f[0] == "status":
                self.statuses[int(f[1])] = int(f[2])
            elif len(f) == 2 and f[1].lstrip("-").isdigit():
                self.fig[f[0]] = int(f[1])
            elif f and f[0] == "errors":
                self.fig["errors"] = " ".join(f[1:])
        if "duration_us" not in self.fig:
            raise Broken("no figures from wrk (%s):\n%s%s"
                         % (name, self.wrk.stdout, self.wrk.stderr))
        self.seconds = self.fig["duration_us"] / 1e6
        self.p50 = self.fig["latency_p50_us"] / 1e3
        self.p99 = self.fig["latency_p99_us"] / 1e3
        self.max = self.fig["latency_max_us"] / 1e3
        self.rss_kb = vm(pid, "VmRSS")

    def result(self, good, bad, note=""):
        self.good, self.bad, self.note = good, bad, note
        self.rate = good / self.seconds
        want, p99_max = TARGETS[self.name]
        self.ok = (self.rate >= want and bad == 0 and
                   (p99_max is None or self.p99 < p99_max))
        self.target = ">= %s/s" % format(want, ",") + (
            ", p99 < %g ms" % p99_max if p99_max is not None else "")
        return self


def vm(pid, key):
    """A VmXXX line of /proc/PID/status in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise Broken("no %s for pid %d" % (key, pid))


# ---- the set-up -----------------------------------------------------------------

def setup(srv, scope):
    """The citizen, the EdDSA client, and a session with consent given:
    (client, session cookie header, code_verifier, code_challenge)."""
    citizen = harness.citizens(srv, 1, seed=61)[0]
    client = harness.add_client(srv, "Bench portal", alg="EdDSA",
                                redirect_uris=(RP,), scope=scope)
    verifier, challenge = harness.pkce_pair()
    web = harness.WebClient(srv)
    q = {"response_type": "code", "client_id": client["client_id"],
         "redirect_uri": RP, "scope": scope, "state": "setup", "nonce": "n-bench",
         "code_challenge": challenge, "code_challenge_method": "S256"}
    resp = web.authorize("/authorize?" + urllib.parse.urlencode(q), citizen)
    if resp.status != 303 or "code" not in harness.callback_params(
            resp.location or ""):
        raise Broken("the set-up sign-in and consent did not end with a code:\n%r"
                     % resp)
    if web.seen != ["login", "code", "consent"]:
        raise Broken("unexpected set-up pages: %r" % web.seen)
    # A second authorize must now go straight to the code: no page asks.
    resp = web.authorize("/authorize?" + urllib.parse.urlencode(q), None, None)
    if resp.status != 303 or web.seen:
        raise Broken("with the session and consent, authorize still asks:\n%r"
                     % resp)
    cookie = "; ".join("%s=%s" % kv for kv in web.cookies.items())
    return client, cookie, verifier, challenge


def basic(client):
    """client_secret_basic as RFC 6749 2.3.1 has it: both halves
    form-urlencoded before Base64."""
    pair = "%s:%s" % (urllib.parse.quote_plus(client["client_id"]),
                      urllib.parse.quote_plus(client["client_secret"]))
    return "Basic " + base64.b64encode(pair.encode()).decode()


# ---- the run ----------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=int, default=10,
                    help="seconds of discovery, authorize and userinfo load")
    ap.add_argument("--token-duration", type=int, default=8,
                    help="seconds of token load (codes live 60 s)")
    ap.add_argument("--connections", type=int, default=16,
                    help="wrk connections (16 saturate the server on 2 cores; "
                         "more only lengthen the queue in front of it)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--offline", action="store_true",
                    help="ask offline_access too (token also issues a "
                         "refresh token)")
    ap.add_argument("--keep-tokens", type=int, default=500,
                    help="access tokens (per wrk thread) for userinfo")
    ap.add_argument("idp", nargs="?", default=os.path.join(ROOT, "build", "idp"))
    a = ap.parse_args()
    scope = SCOPE + (" offline_access" if a.offline else "")
    cores = os.cpu_count() or 1
    for tool in ("wrk",):
        if shutil.which(tool) is None:
            raise Broken("%s is not installed" % tool)
    if not os.access(a.idp, os.X_OK):
        raise Broken("no idp binary at %s (make build)" % a.idp)
    harness.IDP = os.path.abspath(a.idp)
    harness.WEB_DIR = os.path.join(ROOT, "web")

    tmp = tempfile.mkdtemp(prefix="idp-bench-oidc-")
    srv = harness.Server(extra_args=["--login-rate", "0", "--log-level", "warn"])
    runs = []
    try:
        try:
            srv.__enter__()
        except AssertionError as e:
            raise Broken(str(e))
        try:
            client, cookie, verifier, challenge = setup(srv, scope)
        except AssertionError as e:
            raise Broken("set-up: %s" % e)
        # The sign-in's Argon2id (46 MiB) set the peak so far: start the
        # OIDC load's own peak from here (Linux: clear_refs 5 resets VmHWM).
        rss_setup = vm(srv.proc.pid, "VmHWM")
        with open("/proc/%d/clear_refs" % srv.proc.pid, "w") as f:
            f.write("5")
        rss_start = vm(srv.proc.pid, "VmHWM")
        wrk = lambda name, script, secs: Run(name, srv, script, a.threads,  # noqa: E731
                                             a.connections, secs)

        # discovery
        r = wrk("discovery", write(tmp, "plain.lua", LUA_PLAIN), a.duration)
        bad = r.fig["status_errors"] + r.fig["socket_errors"]
        runs.append(r.result(r.fig["requests"] - bad, bad))

        # authorize (its codes feed the token run)
        codes_file = os.path.join(tmp, "codes.txt")
        q = urllib.parse.urlencode({
            "response_type": "code", "client_id": client["client_id"],
            "redirect_uri": RP, "scope": scope, "nonce": "n-bench",
            "code_challenge": challenge, "code_challenge_method": "S256"})
        script = write(tmp, "authorize.lua", LUA_DONE + LUA_AUTHORIZE % {
            "prefix": lua_str("/authorize?" + q + "&state="),
            "cookie": lua_str(cookie), "codes_file": lua_str(codes_file)})
        r = wrk("authorize", script, a.duration)
        good = r.fig.get("codes", 0)
        bad = sum(v for k, v in r.statuses.items() if k != 303) + \
            r.fig.get("nocode", 0) + r.fig["socket_errors"]
        runs.append(r.result(good, bad))
        # More codes, not measured, so that the token run may outpace
        # authorize by 2x before it runs out; the oldest are then about
        # duration + 2 x token-duration seconds old at its end (< 60 s).
        os.rename(codes_file, codes_file + ".1")
        top = wrk("authorize", script, a.token_duration)
        with open(codes_file + ".1", "a") as f, open(codes_file) as g:
            f.write(g.read())
        os.rename(codes_file + ".1", codes_file)
        ncodes = good + top.fig.get("codes", 0)

        # token, right away: the first codes are already duration s old
        tokens_file = os.path.join(tmp, "tokens.txt")
        tail = "&" + urllib.parse.urlencode({"redirect_uri": RP,
                                             "code_verifier": verifier})
        script = write(tmp, "token.lua", LUA_DONE + LUA_TOKEN % {
            "codes_file": lua_str(codes_file), "tokens_file": lua_str(tokens_file),
            "auth": lua_str(basic(client)), "tail": lua_str(tail),
            "keep": a.keep_tokens, "nthreads": a.threads})
        r = wrk("token", script, a.token_duration)
        good = r.statuses.get(200, 0)
        bad = sum(v for k, v in r.statuses.items() if k != 200) + \
            r.fig["socket_errors"]
        note = ""
        if r.fig.get("ran_out"):
            note = ("ran out of codes (%d collected): the rate is a lower "
                    "bound; shorten --token-duration" % ncodes)
        runs.append(r.result(good, bad, note))
        with open(tokens_file) as f:
            ntokens = sum(1 for _ in f)
        if ntokens == 0:
            raise Broken("no access token from the token run")

        # userinfo
        script = write(tmp, "userinfo.lua", LUA_DONE + LUA_USERINFO % {
            "tokens_file": lua_str(tokens_file)})
        r = wrk("userinfo", script, a.duration)
        bad = r.fig["status_errors"] + r.fig["socket_errors"]
        runs.append(r.result(r.fig["requests"] - bad, bad,
                             "%d access tokens" % ntokens))

        hwm = vm(srv.proc.pid, "VmHWM")
        rc = srv.stop()
        if rc != 0:
            raise Broken("idp serve exited with %s on SIGTERM:\n%s"
                         % (rc, srv.stderr_text()))
    finally:
        srv._kill()
        srv._cleanup()
        shutil.rmtree(tmp, ignore_errors=True)

    print("OpenID Connect endpoints, %d cores, wrk -t%d -c%d, %d s runs "
          "(token %d s), EdDSA client, scope \"%s\""
          % (cores, a.threads, a.connections, a.duration, a.token_duration,
             scope))
    print("  %-10s %10s %9s %9s %9s %8s  %-28s %s"
          % ("endpoint", "req/s", "p50 ms", "p99 ms", "max ms", "bad",
             "target", "result"))
    for r in runs:
        print("  %-10s %10s %9.2f %9.2f %9.1f %8d  %-28s %s"
              % (r.name, format(int(round(r.rate)), ","), r.p50, r.p99, r.max,
                 r.bad, r.target, "PASS" if r.ok else "FAIL"))
    for r in runs:
        extra = ", ".join(filter(None, [
            "answers: " + ", ".join("%d: %d" % kv for kv in
                                    sorted(r.statuses.items()))
            if r.statuses else "", r.note]))
        print("  %-10s %d good in %.1f s; CPU: server %.2f, wrk %.2f, other "
              "processes %.2f cores (steal %.2f); RSS after %.1f MB%s"
              % (r.name, r.good, r.seconds, r.cpu["server"], r.cpu["own"],
                 r.cpu["other"], r.cpu["steal"], r.rss_kb / 1024,
                 "; " + extra if extra else ""))
    print("  peak RSS (VmHWM)      %.1f MB over the four runs (%.1f MB at "
          "their start; %.1f MB before, from the set-up's Argon2id sign-in)"
          % (hwm / 1024, rss_start / 1024, rss_setup / 1024))
    busy = max(r.cpu["other"] for r in runs)
    if busy > 0.1 * cores:
        print("  note: other processes used up to %.2f cores during the runs: "
              "the figures are unreliable; rerun on an idle machine" % busy)
    for r in runs:
        print("%s %s %s (%s/s, p99 %.2f ms%s)"
              % ("PASS" if r.ok else "FAIL", r.name, r.target,
                 format(int(round(r.rate)), ","), r.p99,
                 ", %d bad answers" % r.bad if r.bad else ""))
    print("%s peak RSS <= %g MB under the OIDC load (%.1f MB)"
          % ("PASS" if hwm / 1024 <= RSS_TARGET_MB else "FAIL", RSS_TARGET_MB,
             hwm / 1024))
    notes = "\n".join(r.wrk.stderr.strip() for r in runs if r.wrk.stderr.strip())
    if notes:
        print("wrk notes:\n" + notes)
    return 0


if __name__ == "__main__":
    # SIGTERM (make interrupted) still stops the server and removes the files.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main())
    except Broken as e:
        print("oidc benchmark broke: %s" % e, file=sys.stderr)
        sys.exit(2)
