"""A full disk and an unwritable database with a real `idp serve`.

The database lives on a small tmpfs mounted in a private mount namespace
(`unshare --mount` as root, else `unshare --user --map-root-user --mount`);
when neither works the test fails and says why. With the tmpfs full, every
write endpoint answers 503 (JSON `temporarily_unavailable` with Retry-After
for the API) and logs one line, reads keep working, and once space returns
writes work again and nothing written before is lost (integrity_check,
`idp audit verify`). A read-only database file, a read-only directory and a
missing directory each stop `idp serve` at start with one clear line.
"""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

import harness

INSIDE = "DISKFULL_INSIDE"
TMPFS_SIZE = "8m"
RETRY_AFTER_RE = re.compile(r"^\d+$")


def run(*argv):
    return subprocess.run(list(argv), capture_output=True, text=True, timeout=60)


def must(*argv):
    r = run(*argv)
    if r.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (" ".join(argv), r.returncode,
                                                     r.stderr.strip()))


class TmpfsServer(harness.Server):
    """`idp serve` with its database at `db` (on the tmpfs) and its log,
    stdout and scratch files in a directory elsewhere."""

    def __init__(self, db, **kw):
        super().__init__(**kw)
        self.tmpfs_db = db

    def __enter__(self):
        super().__enter__()
        try:
            self.stop()
            self._stopped = False
            self.proc.stdout.close()
            self.db = self.tmpfs_db
            self._argv[self._argv.index("--db") + 1] = self.db
            self._argv = [("127.0.0.1:%d" % self.port) if a == "127.0.0.1:0"
                          else a for a in self._argv]
            self.proc = subprocess.Popen(self._argv, stdout=subprocess.PIPE,
                                         stderr=self._stderr,
                                         env=harness.base_env())
            self._wait_listening()
        except BaseException:
            self._kill()
            self._cleanup()
            raise
        return self


class DiskFull(unittest.TestCase):
    """Runs inside the private mount namespace that outside() makes."""

    @classmethod
    def setUpClass(cls):
        cls.mnt = os.environ[INSIDE]
        must("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", cls.mnt)
        cls.filler = os.path.join(cls.mnt, "filler")

    def fill(self):
        """Fills the tmpfs to the last block (again: space a failed write
        gave back is taken too)."""
        fd = os.open(self.filler, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as e:
            if e.errno != 28:
                raise
        finally:
            os.close(fd)
        st = os.statvfs(self.mnt)
        self.assertEqual(st.f_bavail, 0, "the tmpfs is not full")

    def unfill(self):
        if os.path.exists(self.filler):
            os.unlink(self.filler)

    # -- the full disk -------------------------------------------------------

    def test_full_disk(self):
        db = os.path.join(self.mnt, "full", "idp.db")
        os.mkdir(os.path.dirname(db))
        self.addCleanup(self.unfill)
        with TmpfsServer(db, extra_args=["--login-rate", "0"]) as srv:
            self.full_disk(srv)

    def register(self, srv, person, phone):
        pid, name, birth = person
        return srv.request_json("POST", "/v1/accounts", {
            "personal_id": pid, "full_name": name, "birth_date": birth,
            "phone": phone, "password": "Hoa-Sen-%s-nam!" % pid[-4:]})

    def newest_code(self, srv, phone):
        body = harness.sql_scalar(srv.db, "SELECT body FROM sms_outbox WHERE "
                                  "phone = ? ORDER BY id DESC LIMIT 1",
                                  ("+84" + phone[1:],))
        return harness.SMS_CODE_RE.search(body).group(1)

    def code_for(self, srv, web, client, citizen, scope=harness.RP_SCOPE):
        verifier, challenge = harness.pkce_pair()
        q = {"response_type": "code", "client_id": client["client_id"],
             "redirect_uri": harness.RP_REDIRECT_URI, "scope": scope,
             "state": "s", "nonce": "n", "code_challenge": challenge,
             "code_challenge_method": "S256"}
        resp = web.authorize("/authorize?" + urllib.parse.urlencode(q), citizen)
        self.assertEqual(resp.status, 303, resp)
        return harness.callback_params(resp.location)["code"], verifier

    def api_session(self, srv, citizen):
        st, _, j = srv.request_json("POST", "/v1/login", {
            "personal_id": citizen["pid"], "password": citizen["password"]})
        self.assertEqual(st, 200, j)
        st, _, j = srv.request_json("POST", "/v1/login/code", {
            "login_id": j["login_id"],
            "code": self.newest_code(srv, citizen["phone"])})
        self.assertEqual(st, 200, j)
        return j["session_token"]

    def authorize_url(self, client):
        _, challenge = harness.pkce_pair()
        return "/authorize?" + urllib.parse.urlencode({
            "response_type": "code", "client_id": client["client_id"],
            "redirect_uri": harness.RP_REDIRECT_URI, "scope": "openid",
            "state": "s", "nonce": "n", "code_challenge": challenge,
            "code_challenge_method": "S256"})

    def page(self, web, method, url, fields=None):
        """A browser request: (status, headers, None)."""
        resp = web.fetch(method, url, fields)
        return resp.status, resp.headers, None

    def token(self, srv, client, fields):
        return harness.form_post(srv, "/token", fields, auth=harness.basic_auth(
            client["client_id"], client["client_secret"]))

    def assert_503(self, what, got, log_before, srv, json_body=True):
        st, hdrs, j = got
        self.assertEqual(st, 503, "%s on a full disk: %d %r" % (what, st, j))
        self.assertRegex(hdrs.get("Retry-After") or "", RETRY_AFTER_RE, what)
        if json_body:
            self.assertIsInstance(j, dict, what)
            self.assertEqual(j.get("error"), "temporarily_unavailable", (what, j))
            self.assertTrue(j.get("error_description"), (what, j))
        new = srv.stderr_all()[log_before:].splitlines()
        events = [json.loads(x) for x in new if x.startswith("{")]
        failed = [e for e in events if e.get("event") == "db.unavailable"]
        self.assertEqual(len(failed), 1, "%s: want one db.unavailable line, got "
                         "%r" % (what, new))
        if json_body:
            self.assertEqual(failed[0].get("error"), "database or disk is full",
                             (what, failed[0]))
        self.assertEqual(len(new), len(events), "%s: non-JSON log lines %r"
                         % (what, new))

    def full_disk(self, srv):
        harness.seed_registry(srv, count=200, seed=23)
        people = iter(harness.registry_people(srv.db, "living", 100))
        citizen = harness.new_citizen(srv, next(people), "0977000001",
                                      "Cau-Rong-1-Da-Nang!")
        client = harness.add_client(srv, "Cong Day")
        web = harness.WebClient(srv)
        code, verifier = self.code_for(srv, web, client, citizen)
        st, _, tokens = self.token(srv, client, {
            "grant_type": "authorization_code", "code": code,
            "code_verifier": verifier, "redirect_uri": harness.RP_REDIRECT_URI})
        self.assertEqual(st, 200, tokens)
        code, verifier = self.code_for(srv, web, client, citizen, "openid")
        st, _, plain = self.token(srv, client, {
            "grant_type": "authorization_code", "code": code,
            "code_verifier": verifier, "redirect_uri": harness.RP_REDIRECT_URI})
        self.assertEqual(st, 200, plain)
        spare_code = self.code_for(srv, web, client, citizen)
        pending_person = next(people)
        st, _, pending = self.register(srv, pending_person, "0977000002")
        self.assertEqual(st, 202, pending)
        pending_code = self.newest_code(srv, "0977000002")
        st, _, login = srv.request_json("POST", "/v1/login", {
            "personal_id": citizen["pid"], "password": citizen["password"]})
        self.assertEqual(st, 200, login)
        login_code = self.newest_code(srv, "0977000001")
        session = self.api_session(srv, citizen)
        r = srv.idp("officer", "add", "--name", "Trần Thị Bình",
                    "--office", "Công an Quận 1")
        self.assertEqual(r.returncode, 0, r.stderr)
        officer = json.loads(r.stdout)
        enrollee = harness.sql_scalar(
            srv.db, "SELECT personal_id FROM registry_people p WHERE status = "
            "'living' AND birth_date < '2005-01-01' AND card_expires_on > "
            "date('now', '+1 month') AND NOT EXISTS (SELECT 1 FROM accounts a "
            "WHERE a.personal_id = p.personal_id) ORDER BY personal_id DESC")
        r = srv.idp("registry", "issue-card", enrollee)
        self.assertEqual(r.returncode, 0, r.stderr)
        chip = r.stdout.strip()
        reg_web = harness.WebClient(srv)
        reg_page = reg_web.get("/register")
        self.assertEqual(reg_page.status, 200, reg_page)
        before = harness.sql_rows(srv.db, "SELECT account_id, personal_id, level "
                                  "FROM accounts ORDER BY account_id")
        audit_before = harness.sql_scalar(srv.db, "SELECT count(*) FROM audit_log")
        # A clean start: the WAL checkpointed away, then the disk filled.
        srv.restart()
        self.fill()

        writes = [
            ("POST /v1/accounts", lambda: self.register(srv, next(people),
                                                        "0977000003")),
            ("POST /v1/accounts/confirm", lambda: srv.request_json(
                "POST", "/v1/accounts/confirm", {
                    "registration_id": pending["registration_id"],
                    "code": pending_code})),
            ("POST /v1/login", lambda: srv.request_json("POST", "/v1/login", {
                "personal_id": citizen["pid"], "password": citizen["password"]})),
            ("POST /v1/login/code", lambda: srv.request_json(
                "POST", "/v1/login/code", {"login_id": login["login_id"],
                                           "code": login_code})),
            ("POST /token (code)", lambda: self.token(srv, client, {
                "grant_type": "authorization_code", "code": spare_code[0],
                "code_verifier": spare_code[1],
                "redirect_uri": harness.RP_REDIRECT_URI})),
            ("POST /token (refresh)", lambda: self.token(srv, client, {
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"]})),
            ("POST /revoke", lambda: harness.form_post(
                srv, "/revoke", {"token": plain["access_token"]},
                auth=harness.basic_auth(client["client_id"],
                                        client["client_secret"]))),
            ("POST /v1/enrollments", lambda: srv.request_json(
                "POST", "/v1/enrollments", {
                    "chip_record": chip, "phone": "0977000005",
                    "biometric_digest": "ab" * 32},
                {"Authorization": "Bearer " + officer["token"]})),
            ("POST /v1/logout", lambda: srv.request_json(
                "POST", "/v1/logout", {}, {"Authorization": "Bearer " + session})),
        ]
        for what, call in writes:
            self.fill()
            log_before = len(srv.stderr_all())
            self.assert_503(what, call(), log_before, srv)

        # The pages answer 503 too (a page, not JSON).
        pages = [
            ("GET /authorize", lambda: self.page(web, "GET", self.authorize_url(
                client))),
            ("POST /register", lambda: self.page(reg_web, "POST",
                                                 "/register", reg_page.form(
                "/register")[0] | {"personal_id": pending_person[0],
                                   "full_name": pending_person[1],
                                   "birth_date": pending_person[2],
                                   "phone": "0977000006",
                                   "password": "Cau-Rong-6-Da-Nang!"})),
        ]
        for what, call in pages:
            self.fill()
            log_before = len(srv.stderr_all())
            self.assert_503(what, call(), log_before, srv, json_body=False)

        # Reads go on.
        st, _, me = srv.request_json("GET", "/v1/me", headers={
            "Authorization": "Bearer " + session})
        self.assertEqual(st, 200, me)
        for path in ("/healthz", "/.well-known/openid-configuration",
                     "/jwks.json"):
            st, _, j = srv.request_json("GET", path)
            self.assertEqual(st, 200, (path, j))
        st, _, claims = srv.request_json("GET", "/userinfo", headers={
            "Authorization": "Bearer " + plain["access_token"]})
        self.assertEqual(st, 200, claims)
        self.assertEqual(set(claims), {"sub"}, claims)
        st, _, j = harness.form_post(srv, "/introspect", {
            "token": tokens["access_token"]}, auth=harness.basic_auth(
                client["client_id"], client["client_secret"]))
        self.assertEqual(st, 200, j)
        self.assertTrue(j.get("active"), j)
        # Claims go out only with their disclosure entry, which cannot be
        # written now.
        log_before = len(srv.stderr_all())
        self.assert_503("GET /userinfo (profile)", srv.request_json(
            "GET", "/userinfo", headers={
                "Authorization": "Bearer " + tokens["access_token"]}),
            log_before, srv)

        # Space returns: the same requests work, nothing is lost.
        self.unfill()
        st, _, j = srv.request_json("POST", "/v1/accounts/confirm", {
            "registration_id": pending["registration_id"], "code": pending_code})
        self.assertEqual(st, 201, j)
        st, _, j = srv.request_json("POST", "/v1/login/code", {
            "login_id": login["login_id"], "code": login_code})
        self.assertEqual(st, 200, j)
        st, _, j = self.token(srv, client, {
            "grant_type": "authorization_code", "code": spare_code[0],
            "code_verifier": spare_code[1], "redirect_uri": harness.RP_REDIRECT_URI})
        self.assertEqual(st, 200, j)
        st, _, j = self.token(srv, client, {
            "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
        self.assertEqual(st, 200, j)
        later = harness.new_citizen(srv, next(people), "0977000004",
                                    "Cau-Rong-4-Da-Nang!")
        srv.restart()
        after = harness.sql_rows(srv.db, "SELECT account_id, personal_id, level "
                                 "FROM accounts ORDER BY account_id")
        self.assertTrue(set(before) <= set(after), "accounts lost")
        pids = {p for _, p, _ in after}
        self.assertIn(pending_person[0], pids)
        self.assertIn(later["pid"], pids)
        self.assertEqual(len(after), len(before) + 2)
        self.assertGreater(harness.sql_scalar(srv.db, "SELECT count(*) FROM "
                                              "audit_log"), audit_before)
        con = sqlite3.connect("file:%s?mode=ro" % srv.db, uri=True)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchall(),
                             [("ok",)])
        finally:
            con.close()
        r = srv.idp("audit", "verify")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"^ok \d+ entries$")

    # -- start-up errors -----------------------------------------------------

    def start_fails(self, db, *words):
        """`idp serve` on db: non-zero at once, one clear line on stderr."""
        r = harness.run_wrapped([harness.IDP, "serve", "--db", db, "--listen",
                                 "127.0.0.1:0", "--web", harness.WEB_DIR],
                                capture_output=True, text=True, timeout=60,
                                env=harness.base_env())
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertNotIn("listening", r.stdout)
        lines = [x for x in r.stderr.splitlines() if x.strip()]
        self.assertEqual(len(lines), 1, "want one line, got %r" % r.stderr)
        for w in words:
            self.assertIn(w, lines[0])
        return lines[0]

    def prepared_db(self, name):
        d = os.path.join(self.mnt, name)
        os.mkdir(d)
        db = os.path.join(d, "idp.db")
        r = harness.run_idp("migrate", db=db)
        self.assertEqual(r.returncode, 0, r.stderr)
        return db

    def test_missing_directory(self):
        db = os.path.join(self.mnt, "no-such-dir", "idp.db")
        self.start_fails(db, "no-such-dir", "does not exist")

    def test_read_only_file(self):
        db = self.prepared_db("rofile")
        os.chmod(db, 0o444)
        # Root ignores file modes: a read-only bind mount of the file itself.
        must("mount", "--bind", db, db)
        must("mount", "-o", "remount,ro,bind", db)
        try:
            self.start_fails(db, db, "not readable and writable")
        finally:
            must("umount", db)

    def test_read_only_directory(self):
        db = self.prepared_db("rodir")
        d = os.path.dirname(db)
        must("mount", "--bind", d, d)
        must("mount", "-o", "remount,ro,bind", d)
        try:
            self.start_fails(db, "not writable")
        finally:
            must("umount", d)


def outside():
    """Runs this file again in a private mount namespace; fails (never
    skips) when none can be made."""
    harness.require_binary()
    mnt = tempfile.mkdtemp(prefix="idp-tmpfs-")
    if os.geteuid() == 0:
        ns = ["unshare", "--mount", "--propagation", "private"]
    else:
        ns = ["unshare", "--user", "--map-root-user", "--mount",
              "--propagation", "private"]
    try:
        try:
            probe = subprocess.run(ns + ["mount", "-t", "tmpfs", "-o",
                                         "size=1m", "tmpfs", mnt],
                                   capture_output=True, text=True, timeout=60)
            why = probe.stderr.strip() if probe.returncode != 0 else None
        except OSError as e:
            why = str(e)
        if why is not None:
            print("test_diskfull.py: FAILED: cannot mount a tmpfs in a private "
                  "mount namespace (%s): %s" % (" ".join(ns), why))
            return 1
        env = dict(os.environ)
        env[INSIDE] = mnt
        return subprocess.run(ns + [sys.executable, os.path.abspath(__file__)]
                              + sys.argv[1:], env=env).returncode
    finally:
        shutil.rmtree(mnt, ignore_errors=True)


if __name__ == "__main__":
    if os.environ.get(INSIDE):
        harness.main()
    else:
        sys.exit(outside())
