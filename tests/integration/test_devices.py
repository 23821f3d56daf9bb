"""Devices and the eid-app program against a real `idp serve` (DESIGN.md
sections 3 and 5, issue 6): a person enrolled at level 2 by an officer
(`idp officer add`, `idp registry issue-card`, POST /v1/enrollments),
`eid-app init` and `activate`, the device list, a second device added
with a code from the first, the first revoked from the second (its next
request fails at once with a clear message), the device limit, the
private state file, and the account page's device list and revoke button.

Environment: IDP and EID_APP name the binaries (set by tests/meson.build).
"""

import json
import os
import re
import stat
import unittest
import urllib.parse

import harness
from harness import Server

EID_APP = os.environ.get("EID_APP", "")
DIGEST = "ab" * 32
CODE_RE = re.compile(r"^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$")
ID_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def app(state, *args, idp=None, env=None, timeout=60):
    """Runs `eid-app --state STATE [--idp URL] ARGS` (text mode)."""
    if not EID_APP or not os.access(EID_APP, os.X_OK):
        raise RuntimeError("EID_APP must name the eid-app binary (got %r)" % EID_APP)
    argv = [EID_APP, "--state", state]
    if idp is not None:
        argv += ["--idp", idp]
    e = {k: v for k, v in os.environ.items() if k != "EID_APP_STATE"}
    e.update(env or {})
    return harness.run_wrapped(argv + [str(a) for a in args],
                               capture_output=True, text=True, env=e,
                               timeout=timeout)


class Devices(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(extra_args=["--login-rate", "0", "--device-limit", "2"])
        cls.srv.__enter__()
        try:
            harness.seed_registry(cls.srv, count=80, seed=23)
            cls.people = iter(harness.registry_people(cls.srv.db, "living", 40))
            r = cls.srv.idp("officer", "add", "--name", "Officer Test",
                            "--office", "Ha Noi 1")
            if r.returncode != 0:
                raise AssertionError("officer add failed: %s" % r.stderr)
            cls.officer = json.loads(r.stdout)
            cls.phones = iter(range(100, 200))
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    # -- helpers -----------------------------------------------------------------

    def state(self, name):
        return os.path.join(self.srv.dir, "%s-%s.json" % (self.id().split(".")[-1], name))

    def enroll(self):
        """A new level-2 account: the desk's activation code."""
        pid = next(self.people)[0]
        r = self.srv.idp("registry", "issue-card", pid)
        self.assertEqual(r.returncode, 0, r.stderr)
        status, _, body = self.srv.request_json("POST", "/v1/enrollments", {
            "chip_record": r.stdout.strip(), "biometric_digest": DIGEST,
            "phone": "+8491%07d" % next(self.phones)},
            {"Authorization": "Bearer " + self.officer["token"]})
        self.assertEqual(status, 201, body)
        return body["activation_code"]

    def ok(self, r):
        self.assertEqual(r.returncode, 0, "stdout: %s\nstderr: %s" % (r.stdout, r.stderr))
        return r.stdout

    def failed(self, r, needle):
        self.assertEqual(r.returncode, 1, "stdout: %s\nstderr: %s" % (r.stdout, r.stderr))
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn(needle, lines[0])
        return lines[0]

    def device(self, name, code):
        """A new state with an activated device: (state path, device id)."""
        st = self.state(name)
        pk = self.ok(app(st, "init", "--name", name)).strip()
        self.assertRegex(pk, ID_RE)
        self.assertEqual(stat.S_IMODE(os.stat(st).st_mode), 0o600)
        out = self.ok(app(st, "activate", code, idp=self.srv.base_url))
        m = re.search(r"device (\S+), account level 2", out)
        self.assertIsNotNone(m, out)
        return st, m.group(1)

    # -- tests -------------------------------------------------------------------

    def test_two_devices_and_revocation(self):
        first, first_id = self.device("phone-one", self.enroll())
        # The idp URL was stored: no --idp from here on.
        listing = self.ok(app(first, "devices"))
        self.assertIn(first_id, listing)
        self.assertIn("phone-one", listing)
        self.assertIn("(this device)", listing)

        code = self.ok(app(first, "add-device")).splitlines()[0]
        self.assertRegex(code, CODE_RE)
        second, second_id = self.device("phone-two", code)
        self.assertNotEqual(first_id, second_id)
        listing = self.ok(app(second, "devices"))
        self.assertIn(first_id, listing)
        self.assertIn(second_id, listing)
        self.assertEqual(harness.sql_scalar(
            self.srv.db, "SELECT count(*) FROM activation_codes "
            "WHERE issued_by = ?", ("device:" + first_id,)), 1)

        out = self.ok(app(second, "revoke", first_id))
        self.assertIn("revoked device " + first_id, out)
        line = self.failed(app(first, "devices"), "revoked")
        self.assertIn("refused this device", line)
        self.failed(app(first, "add-device"), "revoked")
        listing = self.ok(app(second, "devices"))
        self.assertNotIn(first_id, listing)
        self.assertIsNotNone(harness.sql_scalar(
            self.srv.db, "SELECT revoked_at FROM devices WHERE device_id = ?",
            (first_id,)))

    def test_device_limit_and_codes(self):
        code = self.enroll()
        st, dev_id = self.device("limit-one", code)
        # A used code does not bind again.
        other = self.state("reuse")
        self.ok(app(other, "init"))
        self.failed(app(other, "activate", code, idp=self.srv.base_url),
                    "activation code")
        self.failed(app(other, "activate", "AAAAA-AAAAA-AAAAA-AAAAA",
                        idp=self.srv.base_url), "activation code")
        # The server's limit here is 2.
        self.device("limit-two", self.ok(app(st, "add-device")).splitlines()[0])
        code3 = self.ok(app(st, "add-device")).splitlines()[0]
        third = self.state("limit-three")
        self.ok(app(third, "init"))
        line = self.failed(app(third, "activate", code3, idp=self.srv.base_url),
                           "HTTP 409")
        self.assertIn("revoke one", line)
        # Revoking itself frees a place; the refused code still works.
        self.ok(app(st, "revoke", dev_id))
        self.failed(app(st, "devices"), "revoked")
        self.ok(app(third, "activate", code3, idp=self.srv.base_url))

    def test_state_file_rules(self):
        st = self.state("rules")
        self.ok(app(st, "init"))
        os.chmod(st, 0o644)
        line = self.failed(app(st, "activate", "AAAAA-AAAAA-AAAAA-AAAAA",
                               idp=self.srv.base_url), "readable")
        self.assertIn("0644", line)
        os.chmod(st, 0o600)
        _, dev = self.device("rules-active", self.enroll())
        active = self.state("rules-active")
        self.failed(app(active, "init"), "--force")
        self.failed(app(active, "activate", "AAAAA-AAAAA-AAAAA-AAAAA"),
                    "activated already")
        pk = self.ok(app(active, "init", "--force")).strip()
        self.assertRegex(pk, ID_RE)
        # EID_APP_STATE names the default state; --state wins over it.
        r = app(self.state("absent"), "devices", env={"EID_APP_STATE": active})
        self.failed(r, "eid-app init")

    def test_usage_and_network(self):
        st = self.state("usage")
        r = app(st, "frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1)
        self.assertEqual(app(st, "activate").returncode, 2)
        self.assertEqual(app(st, "init", "--deny").returncode, 2)
        r = app(st, "--help")
        self.assertEqual(r.returncode, 0)
        for cmd in ("init", "activate", "approve", "devices", "revoke", "add-device",
                    "credential", "present"):
            self.assertIn(cmd, r.stdout)
        r = app(st, "approve", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("--deny", r.stdout)
        self.assertEqual(app(st, "approve", "https://example.test/").returncode, 2)
        # Network down: a closed port.
        self.ok(app(st, "init"))
        self.failed(app(st, "activate", "AAAAA-AAAAA-AAAAA-AAAAA",
                        idp="http://127.0.0.1:9"), "cannot reach")

    def test_approve_refusals(self):
        st, _ = self.device("approver", self.enroll())
        tx = "A" * 43
        uri = "dinhdanh://login?tx=%s&idp=%s" % (
            tx, urllib.parse.quote(self.srv.base_url, safe=""))
        r = app(st, "approve", uri)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        other = "dinhdanh://login?tx=%s&idp=%s" % (
            tx, urllib.parse.quote("https://evil.example", safe=""))
        self.failed(app(st, "approve", other), "another identity provider")

    def test_account_page(self):
        code = self.enroll()
        st, dev_id = self.device("page-phone", code)
        rows = harness.sql_rows(self.srv.db, "SELECT a.personal_id, a.account_id "
                                "FROM devices d JOIN accounts a USING (account_id) "
                                "WHERE d.device_id = ?", (dev_id,))
        self.assertEqual(len(rows), 1)
        # The level-2 account made at the desk has no password: sign in
        # with a session made the way the server makes them is out of reach
        # here, so the page is checked through a level-1 citizen who is
        # then enrolled (an upgrade keeps the password).
        cit = harness.new_citizen(self.srv, next(self.people), "0977%06d" %
                                  next(self.phones), "Hoa-Sen-Ho-Tay-2024!")
        r = self.srv.idp("registry", "issue-card", cit["pid"])
        status, _, body = self.srv.request_json("POST", "/v1/enrollments", {
            "chip_record": r.stdout.strip(), "biometric_digest": DIGEST,
            "phone": "+8491%07d" % next(self.phones)},
            {"Authorization": "Bearer " + self.officer["token"]})
        self.assertEqual(status, 201, body)
        mine, mine_id = self.device("my-phone", body["activation_code"])
        web = harness.WebClient(self.srv, lang="en")
        page = web.get("/login")
        phone = harness.sql_scalar(self.srv.db, "SELECT phone FROM accounts "
                                   "WHERE personal_id = ?", (cit["pid"],))
        page = web.submit(page, "/login", {"personal_id": cit["pid"],
                                           "password": cit["password"]})
        page = web.submit(page, "/login/code", {
            "code": harness.newest_sms_code(self.srv, phone)})
        page = web.get("/account")
        self.assertEqual(page.status, 200, page)
        self.assertIn("Linked devices", page.text)
        self.assertIn("my-phone", page.text)
        self.assertNotIn(dev_id, page.text.replace(mine_id, ""))
        form = page.form("/account/devices/revoke")
        self.assertIsNotNone(form, page)
        self.assertEqual(form[0]["device_id"], mine_id)
        page = web.submit(page, "/account/devices/revoke", {})
        self.assertEqual(page.status, 200, page)
        self.assertIn("revoked", page.text)
        self.assertNotIn("my-phone", page.text)
        self.failed(app(mine, "devices"), "revoked")
        # Another account's device cannot be revoked from this session.
        fields = dict(form[0])
        fields["device_id"] = dev_id
        resp = web.fetch("POST", "/account/devices/revoke", fields)
        self.assertEqual(resp.status, 404, resp)
        self.ok(app(st, "devices"))


if __name__ == "__main__":
    harness.main()
