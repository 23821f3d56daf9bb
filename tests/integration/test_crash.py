"""Crash safety with real processes: `idp serve` killed with SIGKILL at
random moments during registrations, authorization-code redemptions and
enrollments, and `idp registry import` killed during imports. After each
kill the same database is opened again and checked: PRAGMA integrity_check,
every account has its audit entry, nothing acknowledged was lost, no code
was redeemed twice, an import is all or nothing, `idp audit verify` is ok.

Environment:
  CRASH_KILLS  kills in all (default 200, shared by the four scenarios)
  CRASH_SEED   the random seed (printed; set it to replay a run)
"""

import csv
import hashlib
import http.client
import itertools
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import unittest
import urllib.parse

import harness
from harness import Server, TempDir

KILLS = int(os.environ.get("CRASH_KILLS", "200"))
SEED = int(os.environ.get("CRASH_SEED", str(random.SystemRandom().randrange(1 << 31))))
# The kills of each scenario: an import of more than 65,536 rows (one
# insert batch of the importer) takes the longest, so it gets fewer.
SHARES = {"registration": 0.3, "code": 0.3, "enrollment": 0.25, "import": 0.15}
KILLS_OF = {k: max(2, round(KILLS * v)) for k, v in SHARES.items()}
DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
# What a request meets when the server dies under it.
GONE = (ConnectionError, http.client.HTTPException, socket.timeout, OSError)

print("test_crash: CRASH_SEED=%d CRASH_KILLS=%d (%s)"
      % (SEED, KILLS, ", ".join("%s %d" % kv for kv in KILLS_OF.items())),
      flush=True)


def rng_for(name):
    """A generator of its own for each scenario, so one replays alone."""
    return random.Random("%d:%s" % (SEED, name))


def connect_rw(db):
    return sqlite3.connect(db, timeout=30)


def pseudonym(master_key, personal_id):
    """audit_pseudonym (idp/audit.c): keyed BLAKE2b-256 of the personal ID
    under seal_subkey("audit-pseudonym")."""
    sub = hashlib.blake2b(b"audit-pseudonym", digest_size=32,
                          key=master_key).digest()
    return hashlib.blake2b(personal_id.encode(), digest_size=32,
                           key=sub).hexdigest()


def code_hash(code):
    return hashlib.blake2b(code.encode(), digest_size=32).hexdigest()


class Crashable(Server):
    """A Server that can be killed with SIGKILL and started again on the
    same database and port."""

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        rc = self.proc.wait(timeout=30)
        if rc != -signal.SIGKILL:
            raise AssertionError("idp serve ended with %s before SIGKILL\n%s"
                                 % (rc, self.stderr_text()))
        self.proc.stdout.close()

    def start_again(self):
        argv = [("127.0.0.1:%d" % self.port) if a == "127.0.0.1:0" else a
                for a in self._argv]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                     stderr=self._stderr, env=harness.base_env())
        self._wait_listening()


class Load:
    """Worker threads running `flow(worker_index)` in a loop until stopped.
    Failures seen before the kill are errors; after it, the server is
    allowed to vanish under a request."""

    def __init__(self, flow, threads=2):
        self.flow = flow
        self.threads = threads
        self.killed = threading.Event()
        self.stop = threading.Event()
        self.errors = []
        self.done = 0
        self._lock = threading.Lock()

    def _run(self, i):
        while not self.stop.is_set():
            try:
                self.flow(i)
                with self._lock:
                    self.done += 1
            except GONE as e:
                if not self.killed.is_set():
                    self.errors.append("worker %d: %r before the kill" % (i, e))
                return
            except AssertionError as e:
                if not self.killed.is_set():
                    self.errors.append("worker %d: %s" % (i, e))
                return
            except Exception as e:  # noqa: BLE001 - reported as a failure
                self.errors.append("worker %d: unexpected %r" % (i, e))
                return

    def run_until_killed(self, srv, delay):
        ts = [threading.Thread(target=self._run, args=(i,), daemon=True)
              for i in range(self.threads)]
        for t in ts:
            t.start()
        time.sleep(delay)
        self.killed.set()
        srv.kill9()
        self.stop.set()
        for t in ts:
            t.join(60)
            if t.is_alive():
                self.errors.append("a worker hung after the kill")


class CrashBase(unittest.TestCase):
    """The invariants every scenario checks after each restart."""

    def setUp(self):
        self.t0 = time.monotonic()

    def tearDown(self):
        print("%s: %.1f s" % (self.id().rsplit(".", 1)[-1],
                              time.monotonic() - self.t0), flush=True)

    def master_key(self, db):
        with open(os.path.join(os.path.dirname(db), "master.key"), "rb") as f:
            return f.read()

    def check_database(self, runner, db, what):
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
        try:
            ic = con.execute("PRAGMA integrity_check").fetchall()
            self.assertEqual(ic, [("ok",)], "%s: integrity_check %r" % (what, ic))
            fk = con.execute("PRAGMA foreign_key_check").fetchall()
            self.assertEqual(fk, [], "%s: foreign_key_check %r" % (what, fk))
            subjects = {s for (s,) in con.execute(
                "SELECT subject FROM audit_log WHERE event = 'account_created'")}
            pids = [p for (p,) in con.execute("SELECT personal_id FROM accounts")]
        finally:
            con.close()
        if pids:
            key = self.master_key(db)
            missing = [p[:3] + "***" for p in pids
                       if pseudonym(key, p) not in subjects]
            self.assertEqual(missing, [], "%s: accounts without their "
                             "account_created audit entry" % what)
        r = runner.idp("audit", "verify")
        self.assertEqual(r.returncode, 0, "%s: audit verify: %s %s"
                         % (what, r.stdout, r.stderr))
        self.assertRegex(r.stdout, r"^ok \d+ entries$", what)
        return len(pids)

    def assert_no_sanitizer_report(self, text, what):
        """A sanitizer build reports to stderr, which a kill does not stop."""
        for mark in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:"):
            self.assertNotIn(mark, text, "%s: %s" % (what, text[-3000:]))

    def assert_no_errors(self, load, what):
        self.assertEqual(load.errors, [], "%s (replay with CRASH_SEED=%d)"
                         % (what, SEED))


class Registrations(CrashBase):
    """(a) POST /v1/accounts and /v1/accounts/confirm under SIGKILL."""

    def test_registrations(self):
        rng = rng_for("registration")
        kills = KILLS_OF["registration"]
        with Crashable(extra_args=["--login-rate", "0"]) as srv:
            harness.seed_registry(srv, count=kills * 50 + 200, seed=91)
            people = iter(harness.registry_people(srv.db, "living",
                                                  kills * 40 + 100))
            phones = itertools.count(1)
            lock = threading.Lock()
            confirmed = {}              # personal_id -> account_id (201 seen)

            def flow(_i):
                with lock:
                    pid, name, birth = next(people)
                    phone = "09%08d" % (40000000 + next(phones))
                st, _, j = srv.request_json("POST", "/v1/accounts", {
                    "personal_id": pid, "full_name": name, "birth_date": birth,
                    "phone": phone, "password": "Hoa-Sen-%s-nam!" % pid[-4:]})
                if st != 202:
                    raise AssertionError("register %d %r" % (st, j))
                body = harness.sql_scalar(
                    srv.db, "SELECT body FROM sms_outbox WHERE phone = ? "
                    "ORDER BY id DESC LIMIT 1", ("+84" + phone[1:],))
                code = harness.SMS_CODE_RE.search(body).group(1)
                st, _, j = srv.request_json("POST", "/v1/accounts/confirm", {
                    "registration_id": j["registration_id"], "code": code})
                if st != 201:
                    raise AssertionError("confirm %d %r" % (st, j))
                with lock:
                    confirmed[pid] = j["account_id"]

            done = 0
            for n in range(kills):
                load = Load(flow)
                load.run_until_killed(srv, rng.uniform(0.05, 0.8))
                self.assert_no_errors(load, "registration kill %d" % n)
                done += load.done
                srv.start_again()
                self.check_database(srv, srv.db, "registration kill %d" % n)
                rows = dict(harness.sql_rows(
                    srv.db, "SELECT personal_id, account_id FROM accounts"))
                lost = {p: a for p, a in confirmed.items() if rows.get(p) != a}
                self.assertEqual(lost, {}, "confirmed accounts lost after "
                                 "kill %d (CRASH_SEED=%d)" % (n, SEED))
            self.assertGreater(len(confirmed), 0, "no registration completed")
            self.assert_no_sanitizer_report(srv.stderr_all(), "idp serve")
            print("registrations: %d kills, %d confirmed"
                  % (kills, len(confirmed)), flush=True)


class CodeRedemptions(CrashBase):
    """(b) authorization codes at /token under SIGKILL: none is redeemed
    twice, none acknowledged is lost."""

    def test_code_redemptions(self):
        rng = rng_for("code")
        kills = KILLS_OF["code"]
        with Crashable(extra_args=["--login-rate", "0"]) as srv:
            people = harness.citizens(srv, 2, seed=93)
            client = harness.add_client(srv, "Cong Crash")
            auth = harness.basic_auth(client["client_id"], client["client_secret"])
            webs = [harness.WebClient(srv) for _ in people]
            lock = threading.Lock()
            seen = []           # [code, verifier, outcome] of this round

            def authorize(i):
                verifier, challenge = harness.pkce_pair()
                q = {"response_type": "code", "client_id": client["client_id"],
                     "redirect_uri": harness.RP_REDIRECT_URI, "scope": "openid",
                     "state": "s", "nonce": "n", "code_challenge": challenge,
                     "code_challenge_method": "S256"}
                resp = webs[i].authorize("/authorize?" + urllib.parse.urlencode(q),
                                         people[i])
                if resp.status != 303 or "code=" not in (resp.location or ""):
                    raise AssertionError("authorize: %r" % resp)
                return harness.callback_params(resp.location)["code"], verifier

            def redeem(code, verifier):
                return harness.form_post(srv, "/token", {
                    "grant_type": "authorization_code", "code": code,
                    "code_verifier": verifier,
                    "redirect_uri": harness.RP_REDIRECT_URI}, auth=auth)

            def flow(i):
                code, verifier = authorize(i)
                entry = [code, verifier, "sent"]
                with lock:
                    seen.append(entry)
                st, _, j = redeem(code, verifier)
                if st != 200 or "access_token" not in (j or {}):
                    raise AssertionError("token %d %r" % (st, j))
                entry[2] = "redeemed"

            # Sign both citizens in (and consent) before the first kill.
            for i in range(len(webs)):
                flow(i)
            seen.clear()
            redeemed = second = 0
            for n in range(kills):
                load = Load(flow)
                load.run_until_killed(srv, rng.uniform(0.05, 0.6))
                self.assert_no_errors(load, "code kill %d" % n)
                srv.start_again()
                self.check_database(srv, srv.db, "code kill %d" % n)
                for code, verifier, outcome in seen:
                    used = harness.sql_rows(srv.db, "SELECT used_at FROM "
                                            "authz_codes WHERE code_hash = ?",
                                            (code_hash(code),))
                    self.assertEqual(len(used), 1, "code of kill %d not stored" % n)
                    if outcome == "redeemed":
                        redeemed += 1
                        self.assertIsNotNone(used[0][0], "a redeemed code lost "
                                             "its use after kill %d" % n)
                    st, _, j = redeem(code, verifier)
                    if outcome == "redeemed" or used[0][0] is not None:
                        self.assertEqual(st, 400, "code redeemed twice after "
                                         "kill %d (CRASH_SEED=%d): %r" % (n, SEED, j))
                        self.assertEqual(j["error"], "invalid_grant", j)
                    else:
                        # Sent, but the kill came first: its one redemption.
                        self.assertEqual(st, 200, j)
                        second += 1
                        st, _, j = redeem(code, verifier)
                        self.assertEqual(st, 400, j)
                twice = harness.sql_rows(
                    srv.db, "SELECT grant_id, count(*) FROM tokens WHERE kind = "
                    "'access' GROUP BY grant_id HAVING count(*) > 1")
                self.assertEqual(twice, [], "a code with two token families "
                                 "after kill %d" % n)
                seen.clear()
            self.assertGreater(redeemed, 0, "no code was redeemed")
            self.assert_no_sanitizer_report(srv.stderr_all(), "idp serve")
            print("codes: %d kills, %d redeemed before a kill, %d first "
                  "redeemed after one" % (kills, redeemed, second),
                  flush=True)


class Enrollments(CrashBase):
    """(c) POST /v1/enrollments under SIGKILL."""

    def test_enrollments(self):
        rng = rng_for("enrollment")
        kills = KILLS_OF["enrollment"]
        with Crashable(extra_args=["--login-rate", "0"]) as srv:
            harness.seed_registry(srv, count=200, seed=95)
            r = srv.idp("officer", "add", "--name", "Trần Thị Bình",
                        "--office", "Công an Quận 1")
            self.assertEqual(r.returncode, 0, r.stderr)
            officer = json.loads(r.stdout)
            cards = []
            valid = harness.sql_rows(
                srv.db, "SELECT personal_id FROM registry_people WHERE status "
                "= 'living' AND birth_date < '2005-01-01' AND card_expires_on "
                "> date('now', '+1 month') ORDER BY personal_id LIMIT 40")
            for (pid,) in valid:
                r = srv.idp("registry", "issue-card", pid)
                self.assertEqual(r.returncode, 0, r.stderr)
                cards.append(r.stdout.strip())
            turn = itertools.count()
            lock = threading.Lock()
            acked = [0]

            def flow(_i):
                with lock:
                    chip = cards[next(turn) % len(cards)]
                st, _, j = srv.request_json("POST", "/v1/enrollments", {
                    "chip_record": chip, "biometric_digest": DIGEST,
                    "phone": "0912345678"},
                    {"Authorization": "Bearer " + officer["token"]})
                if st != 201:
                    raise AssertionError("enroll %d %r" % (st, j))
                with lock:
                    acked[0] += 1

            for n in range(kills):
                load = Load(flow)
                load.run_until_killed(srv, rng.uniform(0.05, 0.6))
                self.assert_no_errors(load, "enrollment kill %d" % n)
                srv.start_again()
                self.check_database(srv, srv.db, "enrollment kill %d" % n)
                rows = harness.sql_scalar(srv.db, "SELECT count(*) FROM enrollments")
                audited = harness.sql_scalar(srv.db, "SELECT count(*) FROM "
                                             "audit_log WHERE event = 'enrollment'")
                self.assertEqual(rows, audited, "enrollments without their audit "
                                 "entry after kill %d" % n)
                self.assertGreaterEqual(rows, acked[0], "acknowledged enrollments "
                                        "lost after kill %d" % n)
                codes = harness.sql_scalar(srv.db, "SELECT count(*) FROM "
                                           "activation_codes")
                self.assertEqual(codes, rows, "activation codes and enrollments "
                                 "differ after kill %d" % n)
            self.assertGreater(acked[0], 0, "no enrollment completed")
            self.assert_no_sanitizer_report(srv.stderr_all(), "idp serve")
            print("enrollments: %d kills, %d acknowledged"
                  % (kills, acked[0]), flush=True)


class Imports(CrashBase):
    """(d) `idp registry import` killed with SIGKILL: all or nothing. Each
    import rewrites the residence of BASE people (more than one insert
    batch of the importer) and adds CHUNK new ones; after a kill either all
    of it is there or none."""

    BASE = 70000
    CHUNK = 2000

    def write_csv(self, path, header, rows):
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)

    def versions(self, db, base):
        """{personal_id: residence} of the base people now."""
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
        try:
            return dict(con.execute("SELECT personal_id, residence FROM "
                                    "registry_people"))
        finally:
            con.close()

    def test_imports(self):
        rng = rng_for("import")
        kills = KILLS_OF["import"]
        with TempDir() as tmp:
            big = tmp.file("people.csv")
            total = self.BASE + self.CHUNK * (kills + 3)
            r = harness.run_idp("registry", "generate", "--count", total,
                                "--seed", 97, "--out", big)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(big, encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f))
            header, rows = rows[0], rows[1:]
            res = header.index("residence")
            base = rows[:self.BASE]
            fresh = rows[self.BASE:]
            marks = ("", " (tổ 2)")

            def import_file(k, version):
                path = tmp.file("import-%d-%d.csv" % (k, version))
                if not os.path.exists(path):
                    out = [x[:res] + [x[res] + marks[version]] + x[res + 1:]
                           for x in base]
                    out += fresh[k * self.CHUNK:(k + 1) * self.CHUNK]
                    self.write_csv(path, header, out)
                return path

            def state(what):
                """(people, version of every base person)."""
                now = self.versions(tmp.db, base)
                seen = set()
                for x in base:
                    got = now[x[0]]
                    seen.add(1 if got == x[res] + marks[1] else
                             0 if got == x[res] else "other")
                self.assertEqual(len(seen), 1, "%s: base people half "
                                 "rewritten (%r) (CRASH_SEED=%d)"
                                 % (what, seen, SEED))
                return len(now), seen.pop()

            # The first import, and the second whole to time one.
            r = tmp.idp("registry", "import", import_file(0, 0))
            self.assertEqual(r.returncode, 0, r.stderr)
            t0 = time.monotonic()
            r = tmp.idp("registry", "import", "--update", import_file(1, 1))
            took = time.monotonic() - t0
            self.assertEqual(r.returncode, 0, r.stderr)
            k, version, whole, cut = 2, 0, 2, 0
            for n in range(kills):
                what = "import kill %d" % n
                before, v_before = state(what)
                argv = [harness.IDP, "registry", "import", "--update",
                        import_file(k, version), "--db", tmp.db]
                p = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=harness.base_env())
                time.sleep(rng.uniform(0, took * 1.3))
                p.send_signal(signal.SIGKILL)
                out, err = p.communicate(timeout=120)
                self.assert_no_sanitizer_report(err.decode("utf-8", "replace"),
                                                what)
                if p.returncode != -signal.SIGKILL:
                    self.assertEqual(p.returncode, 0, err)
                after, v_after = state(what)
                self.assertIn((after, v_after),
                              ((before, v_before), (before + self.CHUNK, version)),
                              "%s: %d people (was %d, chunk of %d), version %s "
                              "(CRASH_SEED=%d)" % (what, after, before,
                                                   self.CHUNK, v_after, SEED))
                if p.returncode == 0:
                    self.assertEqual(after, before + self.CHUNK, out)
                self.check_database(tmp, tmp.db, what)
                imports = harness.sql_scalar(tmp.db, "SELECT count(*) FROM "
                                             "registry_imports")
                if after != before:
                    whole += 1
                    k += 1
                    version = 1 - version
                else:
                    cut += 1
                self.assertEqual(imports, whole, "%s: %d imports recorded, %d "
                                 "whole" % (what, imports, whole))
            self.assertGreater(cut, 0, "no import was cut short")
            print("imports: %d kills, %d whole, %d cut short (%.2f s an "
                  "import)" % (kills, whole, cut, took), flush=True)


if __name__ == "__main__":
    harness.main()
