#!/usr/bin/python3
"""OpenID Connect benchmark: discovery, JWKS, authorize, token, userinfo.

Targets (the issue), wrk over loopback:
  discovery  GET /.well-known/openid-configuration  >= 60,000 req/s, p99 < 5 ms
  jwks       GET /jwks.json                         >= 60,000 req/s, p99 < 5 ms
  authorize  GET /authorize with a signed-in session
             and consent given -> 303 with a code   >= 6,000 req/s, p99 < 25 ms
  token      POST /token, authorization_code, an
             EdDSA client (client_secret_basic)    >= 5,000 req/s, p99 < 25 ms
  token      the same with an RS256 client          >= 70 % of the RSA-2048
                                                    signing ceiling (all cores)
  userinfo   GET /userinfo with a Bearer token     >= 25,000 req/s
  idle RSS of a fresh server, no request yet       <= 12 MB
  peak RSS of the server over the runs             <= 27 MB

1. Server: `idp serve --login-rate 0 --log-level warn` on 127.0.0.1:0 in a
   fresh temporary directory (tests/integration/harness.py). Its VmRSS is
   read right after start-up and after --idle seconds without a request.
2. Set-up: a small synthetic registry, one citizen registered through the
   pages, two portal clients (--id-token-alg EdDSA and RS256). The citizen
   signs in and consents to both through the pages (harness.WebClient),
   which leaves the session cookie; one code of each is redeemed, so that
   the signing keys are loaded before any load.
3. discovery, jwks: wrk with tests/bench/plain.lua.
4. authorize: tests/bench/authorize.lua with the session cookie; each
   request has its own state and the same PKCE challenge; only a 303 with a
   code counts. The codes collected are the token run's input.
5. token: tests/bench/token.lua POSTs each collected code once (thread i
   takes every n-th code); codes live 60 s, so this run starts right after
   the authorize run and is shorter (--token-duration), with as many more
   codes collected just before it (unmeasured). Only 200s count; the access
   tokens of the first answers are kept. Then the same for the RS256
   client, whose codes come from an unmeasured authorize run.
6. userinfo: tests/bench/userinfo.lua GETs /userinfo rotating over the
   EdDSA run's access tokens; answers >= 400 are counted by wrk itself.

Peak RSS: VmHWM of /proc/PID/status, reset (clear_refs 5) before each run
and read at its end; the set-up's password sign-in alone takes Argon2id's
46 MiB. CPU per request: the server's utime + stime over the run / wrk's
requests.

Each run uses wrk -t2 -cCONNECTIONS (default 16) and reports req/s (good
answers / wrk's duration), p50 and p99, and the answers that are not the
expected ones. The CPU of the server, of wrk, and of other processes is
measured over each run: wrk shares the machine's cores with the server, and
on a shared machine other work competes too.

Prints a table with a PASS/FAIL per target (a share of a ceiling is judged
by tests/bench/run, which measures the ceilings) and with --json, the rows
for tests/bench/run; exits 0 whatever the figures, non-zero only when the
benchmark itself broke. Durations default to BENCH_SECONDS (10).

Usage: tests/bench/oidc.py [--duration S] [--token-duration S] [--idle S]
                           [--connections N] [--offline] [--json FILE] [IDP]
"""

import argparse
import base64
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)

import harness  # noqa: E402
from benchlib import CORES, ROOT, Broken, Rows, Wrk, bench_seconds, vm  # noqa: E402

RP = "https://rp.bench.test/cb"
SCOPE = "openid profile personal_id address phone"
# name: (req/s at least, p99 below ms or None, the ceilings that bound it,
# (the ceiling of a share target, the share) or None)
TARGETS = {
    "discovery": (60000, 5.0, ["mhd"], None),
    "jwks": (60000, 5.0, ["mhd"], None),
    "authorize": (6000, 25.0, ["mhd", "sqlite_commit"], None),
    "token_EdDSA": (5000, 25.0, ["mhd", "sqlite_commit", "ed25519_sign_all"],
                    None),
    "token_RS256": (None, None, ["rsa_sign_all"], ("rsa_sign_all", 0.70)),
    "userinfo": (25000, None, ["mhd"], None),
}
RSS_TARGET_MB = 27.0
IDLE_RSS_TARGET_MB = 12.0

# ---- the set-up -----------------------------------------------------------------

def consent(srv, web, client, scope, citizen, pages):
    """Authorize once through the pages for `client` (signing in with
    `citizen` when given), expecting the pages `pages`; then a second
    authorize must go straight to a code. Redeems that code once (the ID
    token key is loaded then, not during the load). The PKCE pair."""
    verifier, challenge = harness.pkce_pair()
    q = {"response_type": "code", "client_id": client["client_id"],
         "redirect_uri": RP, "scope": scope, "state": "setup", "nonce": "n-bench",
         "code_challenge": challenge, "code_challenge_method": "S256"}
    resp = web.authorize("/authorize?" + urllib.parse.urlencode(q), citizen)
    if resp.status != 303 or "code" not in harness.callback_params(
            resp.location or ""):
        raise Broken("the set-up sign-in and consent did not end with a code:\n%r"
                     % resp)
    if web.seen != pages:
        raise Broken("unexpected set-up pages: %r (wanted %r)" % (web.seen, pages))
    resp = web.authorize("/authorize?" + urllib.parse.urlencode(q), None, None)
    if resp.status != 303 or web.seen:
        raise Broken("with the session and consent, authorize still asks:\n%r"
                     % resp)
    code = harness.callback_params(resp.location)["code"]
    status, _, body = harness.form_post(srv, "/token", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": RP,
        "code_verifier": verifier}, auth=basic(client))
    if status != 200 or "id_token" not in (body or {}):
        raise Broken("the set-up token exchange failed: %s %r" % (status, body))
    alg = json.loads(harness.b64url_decode(body["id_token"].split(".")[0]))["alg"]
    if alg != client["alg"]:
        raise Broken("the ID token is signed with %s, not %s" % (alg, client["alg"]))
    return verifier, challenge


def setup(srv, scope):
    """The citizen, an EdDSA and an RS256 client, and a session with consent
    given to both: ({alg: (client, verifier, challenge)}, cookie header)."""
    citizen = harness.citizens(srv, 1, seed=61)[0]
    web = harness.WebClient(srv)
    out = {}
    pages = ["login", "code", "consent"]
    for alg in ("EdDSA", "RS256"):
        client = harness.add_client(srv, "Bench portal " + alg, alg=alg,
                                    redirect_uris=(RP,), scope=scope)
        client["alg"] = alg
        verifier, challenge = consent(srv, web, client, scope, citizen, pages)
        out[alg] = (client, verifier, challenge)
        citizen, pages = None, ["consent"]
    cookie = "; ".join("%s=%s" % kv for kv in web.cookies.items())
    return out, cookie


def basic(client):
    """client_secret_basic as RFC 6749 2.3.1 has it: both halves
    form-urlencoded before Base64."""
    pair = "%s:%s" % (urllib.parse.quote_plus(client["client_id"]),
                      urllib.parse.quote_plus(client["client_secret"]))
    return "Basic " + base64.b64encode(pair.encode()).decode()


# ---- the run ----------------------------------------------------------------------

class Bench:
    """The server under load, the runs made and the rows written."""

    def __init__(self, srv, a, rows):
        self.srv, self.a, self.rows = srv, a, rows
        self.runs = []
        self.tmp = tempfile.mkdtemp(prefix="idp-bench-oidc-")

    def wrk(self, name, script, seconds, env):
        r = Wrk(name, script, self.srv.port, self.srv.proc.pid, seconds,
                env=env, threads=self.a.threads, conns=self.a.connections,
                alive=lambda: self.srv.proc.poll() is None)
        return r

    def record(self, r, path, good, bad, note=""):
        want, p99_max, ceilings, share = TARGETS[r.name]
        r.good, r.bad, r.note, r.path = good, bad, note, path
        r.rate = good / r.seconds
        # A share of a ceiling is judged by tests/bench/run, which has it.
        r.ok = None if share else (r.rate >= want and bad == 0 and
                                   (p99_max is None or r.p99 < p99_max))
        r.target = (">= %s/s" % format(want, ",") if want else
                    ">= %.0f %% of %s" % (100 * share[1], share[0])) + (
            ", p99 < %g ms" % p99_max if p99_max is not None else "")
        self.rows.wrk_row(r, path, good, bad, ceilings=ceilings,
                          share_of=share[0] if share else None,
                          share_min=share[1] if share else None,
                          rate_min=want, p99_max_ms=p99_max, note=note)
        self.runs.append(r)

    def plain(self, name, path):
        r = self.wrk(name, "plain", self.a.duration, {"BENCH_PATH": path})
        bad = r.wrk_bad()
        self.record(r, "GET " + path, r.requests - bad, bad)

    def authorize(self, client, challenge, seconds, codes_file, measure):
        q = urllib.parse.urlencode({
            "response_type": "code", "client_id": client["client_id"],
            "redirect_uri": RP, "scope": self.scope, "nonce": "n-bench",
            "code_challenge": challenge, "code_challenge_method": "S256"})
        r = self.wrk("authorize", "authorize", seconds, {
            "BENCH_PREFIX": "/authorize?" + q + "&state=",
            "BENCH_COOKIE": self.cookie, "BENCH_CODES": codes_file})
        good = r.fig.get("codes", 0)
        if measure:
            self.record(r, "GET /authorize (session, 303 code)", good,
                        r.status_bad(303) + r.fig.get("nocode", 0))
        return good

    def codes(self, client, challenge, measure):
        """Codes for a token run: a measured authorize run or none, then
        an unmeasured one, so that the token run may outpace authorize by
        2x before it runs out; the oldest are then about duration + 2 x
        token-duration seconds old at its end (codes live 60 s)."""
        path = os.path.join(self.tmp, "codes-%s.txt" % client["alg"])
        n = 0
        if measure:
            n = self.authorize(client, challenge, self.a.duration, path, True)
            os.rename(path, path + ".1")
        n += self.authorize(client, challenge, self.a.token_duration, path, False)
        if measure:
            with open(path + ".1", "a") as f, open(path) as g:
                f.write(g.read())
            os.rename(path + ".1", path)
        return path, n

    def token(self, alg, client, verifier, codes_file, ncodes):
        tokens_file = os.path.join(self.tmp, "tokens-%s.txt" % alg)
        tail = "&" + urllib.parse.urlencode({"redirect_uri": RP,
                                             "code_verifier": verifier})
        r = self.wrk("token_" + alg, "token", self.a.token_duration, {
            "BENCH_CODES": codes_file, "BENCH_TOKENS": tokens_file,
            "BENCH_AUTH": basic(client), "BENCH_TAIL": tail,
            "BENCH_KEEP": self.a.keep_tokens})
        note = ""
        if r.fig.get("ran_out"):
            note = ("ran out of codes (%d collected): the rate is a lower "
                    "bound; shorten --token-duration" % ncodes)
        self.record(r, "POST /token (%s ID token)" % alg, r.statuses.get(200, 0),
                    r.status_bad(200), note)
        return tokens_file

    def userinfo(self, tokens_file):
        with open(tokens_file) as f:
            ntokens = sum(1 for _ in f)
        if ntokens == 0:
            raise Broken("no access token from the token run")
        r = self.wrk("userinfo", "userinfo", self.a.duration,
                     {"BENCH_TOKENS": tokens_file})
        bad = r.wrk_bad()
        self.record(r, "GET /userinfo", r.requests - bad, bad,
                    "%d access tokens" % ntokens)


def idle_rss(srv, seconds):
    """VmRSS right after start-up and after `seconds` without a request,
    and the start-up's VmHWM, in KiB."""
    pid = srv.proc.pid
    first = vm(pid, "VmRSS")
    time.sleep(seconds)
    return first, vm(pid, "VmRSS"), vm(pid, "VmHWM")


def run_all(b):
    b.plain("discovery", "/.well-known/openid-configuration")
    b.plain("jwks", "/jwks.json")
    client, verifier, challenge = b.clients["EdDSA"]
    codes_file, n = b.codes(client, challenge, True)
    tokens_file = b.token("EdDSA", client, verifier, codes_file, n)
    client, verifier, challenge = b.clients["RS256"]
    codes_file, n = b.codes(client, challenge, False)
    b.token("RS256", client, verifier, codes_file, n)
    b.userinfo(tokens_file)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=None,
                    help="seconds of discovery, JWKS, authorize and userinfo "
                         "load (default BENCH_SECONDS, 10)")
    ap.add_argument("--token-duration", type=float, default=None,
                    help="seconds of each token load (default 0.8 x "
                         "duration; codes live 60 s)")
    ap.add_argument("--idle", type=float, default=5.0,
                    help="seconds the fresh server stays idle before its "
                         "idle RSS is read")
    ap.add_argument("--connections", type=int, default=16,
                    help="wrk connections (16 saturate the server on 2 cores; "
                         "more only lengthen the queue in front of it)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--offline", action="store_true",
                    help="ask offline_access too (token also issues a "
                         "refresh token)")
    ap.add_argument("--keep-tokens", type=int, default=500,
                    help="access tokens (per wrk thread) for userinfo")
    ap.add_argument("--json", default=None, help="append the rows to FILE")
    ap.add_argument("idp", nargs="?", default=os.path.join(ROOT, "build", "idp"))
    a = ap.parse_args()
    a.duration = a.duration or bench_seconds()
    a.token_duration = a.token_duration or max(1.0, round(0.8 * a.duration))
    scope = SCOPE + (" offline_access" if a.offline else "")
    if shutil.which("wrk") is None:
        raise Broken("wrk is not installed")
    if not os.access(a.idp, os.X_OK):
        raise Broken("no idp binary at %s (make build)" % a.idp)
    harness.IDP = os.path.abspath(a.idp)
    harness.WEB_DIR = os.path.join(ROOT, "web")

    rows = Rows(a.json, "oidc")
    srv = harness.Server(extra_args=["--login-rate", "0", "--log-level", "warn"])
    b = None
    try:
        try:
            srv.__enter__()
        except AssertionError as e:
            raise Broken(str(e))
        idle_first, idle_kb, start_hwm = idle_rss(srv, a.idle)
        try:
            b = Bench(srv, a, rows)
            b.scope = scope
            b.clients, b.cookie = setup(srv, scope)
        except AssertionError as e:
            raise Broken("set-up: %s" % e)
        # The sign-in's Argon2id (46 MiB) set the peak so far: each run
        # resets VmHWM (Linux: clear_refs 5) and reads it at its end.
        rss_setup = vm(srv.proc.pid, "VmHWM")
        run_all(b)
        wal = os.path.getsize(srv.db + "-wal") if os.path.exists(
            srv.db + "-wal") else 0
        rc = srv.stop()
        if rc != 0:
            raise Broken("idp serve exited with %s on SIGTERM:\n%s"
                         % (rc, srv.stderr_text()))
    finally:
        srv._kill()
        srv._cleanup()
        if b is not None:
            shutil.rmtree(b.tmp, ignore_errors=True)

    runs = b.runs
    peak = max(r.peak_kb for r in runs)
    rows.row("idle RSS (fresh server, %g s, no request)" % a.idle,
             peak_rss_mb=idle_kb / 1024, rss_max_mb=IDLE_RSS_TARGET_MB,
             note="%.1f MB right after start-up; start-up high-water mark "
             "%.1f MB" % (idle_first / 1024, start_hwm / 1024))
    rows.row("peak RSS under the OIDC runs", peak_rss_mb=peak / 1024,
             rss_max_mb=RSS_TARGET_MB,
             note="VmHWM, reset after the set-up (%.1f MB with its sign-in)"
             % (rss_setup / 1024))
    report(a, scope, runs, idle_first, idle_kb, start_hwm, peak, rss_setup)
    print("  database              WAL file %.1f MB after the runs" % (wal / 2**20))
    return 0


def verdict(ok):
    return "see run" if ok is None else "PASS" if ok else "FAIL"


def report(a, scope, runs, idle_first, idle_kb, start_hwm, peak, rss_setup):
    print("OpenID Connect endpoints, %d cores, wrk -t%d -c%d, %g s runs "
          "(token %g s), EdDSA and RS256 clients, scope \"%s\""
          % (CORES, a.threads, a.connections, a.duration, a.token_duration,
             scope))
    print("  %-10s %10s %9s %9s %9s %8s %8s  %-30s %s"
          % ("run", "req/s", "p50 ms", "p99 ms", "max ms", "CPU us", "bad",
             "target", "result"))
    for r in runs:
        print("  %-10s %10s %9.2f %9.2f %9.1f %8.0f %8d  %-30s %s"
              % (r.name, format(int(round(r.rate)), ","), r.p50, r.p99, r.max,
                 r.cpu_us() or 0, r.bad, r.target, verdict(r.ok)))
    for r in runs:
        extra = ", ".join(filter(None, [
            "answers: " + ", ".join("%d: %d" % kv for kv in
                                    sorted(r.statuses.items()))
            if r.statuses else "", r.note]))
        print("  %-10s %d good in %.1f s; CPU: server %.2f, wrk %.2f, other "
              "processes %.2f cores (steal %.2f); peak RSS %.1f MB%s"
              % (r.name, r.good, r.seconds, r.server_cpu / r.cpu["wall"],
                 r.cpu["own"],
                 r.cpu["other"], r.cpu["steal"], r.peak_kb / 1024,
                 "; " + extra if extra else ""))
    print("  idle RSS              %.1f MB after %g s without a request "
          "(%.1f MB right after start-up; start-up peak %.1f MB)"
          % (idle_kb / 1024, a.idle, idle_first / 1024, start_hwm / 1024))
    print("  peak RSS (VmHWM)      %.1f MB over the runs (%.1f MB before, "
          "from the set-up's Argon2id sign-in)" % (peak / 1024, rss_setup / 1024))
    busy = max(r.cpu["other"] for r in runs)
    if busy > 0.1 * CORES:
        print("  note: other processes used up to %.2f cores during the runs: "
              "the figures are unreliable; rerun on an idle machine" % busy)
    for r in runs:
        print("%s %s %s (%s/s, p99 %.2f ms%s)"
              % (verdict(r.ok), r.name, r.target,
                 format(int(round(r.rate)), ","), r.p99,
                 ", %d bad answers" % r.bad if r.bad else ""))
    print("%s idle RSS <= %g MB (%.1f MB)"
          % ("PASS" if idle_kb / 1024 <= IDLE_RSS_TARGET_MB else "FAIL",
             IDLE_RSS_TARGET_MB, idle_kb / 1024))
    print("%s peak RSS <= %g MB under the OIDC load (%.1f MB)"
          % ("PASS" if peak / 1024 <= RSS_TARGET_MB else "FAIL", RSS_TARGET_MB,
             peak / 1024))
    notes = "\n".join(r.notes for r in runs if r.notes)
    if notes:
        print("wrk notes:\n" + notes)


if __name__ == "__main__":
    # SIGTERM (make interrupted) still stops the server and removes the files.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main())
    except Broken as e:
        print("oidc benchmark broke: %s" % e, file=sys.stderr)
        sys.exit(2)
