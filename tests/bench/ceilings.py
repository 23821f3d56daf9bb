#!/usr/bin/python3
"""The ceilings of this machine that bound the server's figures, measured
in the same run as the benchmarks (each a small C program of tests/bench):

  ed25519_ceiling  Ed25519 sign, verify: one thread, then one per core
  rsa_ceiling      RSA-2048 PKCS#1 v1.5 SHA-256 sign with GnuTLS (RS256):
                   one thread, then one per core
  sqlite_ceiling   one-row INSERT transactions on one connection, WAL and
                   synchronous=NORMAL as common/db.c, in a fresh database
                   in the temporary directory (where the benchmarks' servers
                   keep theirs), a checkpoint every 50 ms: commits/s
  mhd_ceiling      libmicrohttpd answering 200 "ok" with common/http.c's
                   threading model, hit with wrk -t2 -c16 as the OIDC
                   benchmark hits the server: req/s, p99, CPU per request

The Argon2id ceiling (login.py) and the Ed25519 two-signature ceiling of an
airport presentation (airport.py) are measured by their benchmarks, before
and after their load.

Usage: tests/bench/ceilings.py [--seconds S] [--wrk-seconds S] [--json FILE]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile

from benchlib import CORES, Broken, Rows, Wrk, build, run_ceiling, \
    bench_seconds


def cpu_ceilings(rows, seconds):
    out = []
    for prog, mode, what, key in (
            ("ed25519_ceiling", "sign", "Ed25519 sign", "ed25519_sign"),
            ("ed25519_ceiling", "verify", "Ed25519 verify", "ed25519_verify"),
            ("rsa_ceiling", None, "RSA-2048 sign (RS256)", "rsa_sign")):
        for threads, suffix in ((1, "1 core"), (CORES, "%d cores" % CORES)):
            args = [seconds, threads] + ([mode] if mode else [])
            v = float(run_ceiling(prog, *args)["per_s"])
            k = "%s_%s" % (key, "1" if threads == 1 else "all")
            rows.ceiling(k, "%s, %s" % (what, suffix), v)
            out.append(("%s, %s" % (what, suffix), v, ""))
    return out


def sqlite_ceiling(rows, seconds):
    tmp = tempfile.mkdtemp(prefix="idp-bench-sqlite-")
    try:
        f = run_ceiling("sqlite_ceiling", os.path.join(tmp, "ceiling.db"),
                        seconds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    v = float(f["per_s"])
    detail = "WAL %s MB at the end" % format(int(f["wal_kib"]) // 1024, ",")
    rows.ceiling("sqlite_commit", "SQLite one-row commit, 1 connection", v,
                 detail)
    return [("SQLite one-row commit, 1 connection", v, detail)]


def mhd_ceiling(rows, seconds):
    exe = build("mhd_ceiling")
    proc = subprocess.Popen([exe, "0", "0"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "port":
            raise Broken("mhd_ceiling did not start")
        run = Wrk("mhd", "plain", int(line[1]), proc.pid, seconds,
                  env={"BENCH_PATH": "/"}, alive=lambda: proc.poll() is None)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bad = run.wrk_bad()
    if bad:
        raise Broken("the libmicrohttpd ceiling server gave %d bad answers" % bad)
    v = run.requests / run.seconds
    detail = "p50 %.2f ms, p99 %.2f ms, %.1f us CPU a request" % (
        run.p50, run.p99, run.cpu_us())
    rows.ceiling("mhd", "libmicrohttpd trivial answer (wrk -t2 -c16)", v, detail)
    return [("libmicrohttpd trivial answer (wrk -t2 -c16)", v, detail)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=None,
                    help="seconds of each CPU ceiling (default BENCH_SECONDS/3, "
                         "at least 1)")
    ap.add_argument("--wrk-seconds", type=float, default=None,
                    help="seconds of the libmicrohttpd run (default BENCH_SECONDS)")
    ap.add_argument("--json", default=None, help="append the rows to FILE")
    a = ap.parse_args()
    s = bench_seconds()
    secs = a.seconds or max(1.0, round(s / 3, 1))
    rows = Rows(a.json, "ceilings")
    got = cpu_ceilings(rows, secs)
    got += sqlite_ceiling(rows, secs)
    got += mhd_ceiling(rows, a.wrk_seconds or s)
    print("ceilings, %d cores, %.1f s each (%.1f s of wrk)"
          % (CORES, secs, a.wrk_seconds or s))
    for name, v, detail in got:
        print("  %-46s %12s /s%s" % (name, format(int(round(v)), ","),
                                     "  (%s)" % detail if detail else ""))
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main())
    except Broken as e:
        print("ceilings broke: %s" % e, file=sys.stderr)
        sys.exit(2)
