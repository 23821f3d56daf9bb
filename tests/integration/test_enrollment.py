"""Level-2 enrollment at the officer's desk over a real `idp serve`
(DESIGN.md sections 3, 4 and 5): `idp officer add`, `idp registry
issue-card`, POST /v1/enrollments answering 201 with an activation code;
each refused card with its exact reason (422); 401 without, with a wrong or
with a revoked officer token; a level-1 account upgraded to level 2."""

import base64
import json
import os
import re
import shutil
import sqlite3
import time
import unittest

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import harness
from harness import Server, TempDir

ENROLL = "/v1/enrollments"
DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$")
# A made-up person whose card expired in 2020 (valid ID digits: Ha Noi, male, 1985).
EXPIRED_PID = "001085990001"
EXPIRED_ROW = (EXPIRED_PID + ",Lê Văn Cường,1985-02-03,male,Việt Nam,Hà Nội,"
               "Ba Đình," + EXPIRED_PID + ",2010-01-01,2020-01-01,living")
UNKNOWN_PID = "001192990002"
UNKNOWN_ROW = (UNKNOWN_PID + ",Phạm Thị Dung,1992-08-09,female,Việt Nam,"
               "Hà Nội,Đống Đa," + UNKNOWN_PID + ",2022-01-01,2037-08-09,living")


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def flip(s, i):
    """`s` with the character at i changed to another base64url character."""
    return s[:i] + ("B" if s[i] == "A" else "A") + s[i + 1:]


class Enrollment(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        try:
            harness.seed_registry(cls.srv, count=120, seed=61)
            cls.people = iter(harness.registry_people(cls.srv.db, "living", 80))
            csv = os.path.join(cls.srv.dir, "extra.csv")
            with open(csv, "w", encoding="utf-8") as f:
                f.write(harness.CSV_HEADER + "\n" + EXPIRED_ROW + "\n")
            r = cls.srv.idp("registry", "import", csv)
            if r.returncode != 0:
                raise AssertionError("import failed: %s" % r.stderr)
            cls.officer = cls.add_officer("Trần Thị Bình", "Công an Quận 1")
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    @classmethod
    def add_officer(cls, name, office):
        r = cls.srv.idp("officer", "add", "--name", name, "--office", office)
        if r.returncode != 0:
            raise AssertionError("officer add failed: %s" % r.stderr)
        o = json.loads(r.stdout)
        if set(o) != {"officer_id", "token"}:
            raise AssertionError("officer add printed %r" % o)
        return o

    # -- helpers -----------------------------------------------------------

    def card(self, pid, runner=None):
        r = (runner or self.srv).idp("registry", "issue-card", pid)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def enroll(self, chip, token=None, phone="0912345678", digest=DIGEST):
        headers = {}
        if token is not False:
            headers["Authorization"] = "Bearer " + (token or self.officer["token"])
        return self.srv.request_json("POST", ENROLL, {
            "chip_record": chip, "biometric_digest": digest, "phone": phone},
            headers)

    def refused(self, chip, reason):
        st, _, j = self.enroll(chip)
        self.assertEqual(st, 422, j)
        self.assertEqual(j["error"], reason, j)
        self.assertTrue(j.get("error_description"), j)

    def person(self):
        return next(self.people)

    # -- tests -------------------------------------------------------------

    def test_enroll_creates_level2(self):
        pid = self.person()[0]
        before = int(time.time())
        st, hdrs, j = self.enroll(self.card(pid))
        self.assertEqual(st, 201, j)
        self.assertEqual(set(j), {"level", "activation_code", "expires_at"}, j)
        self.assertEqual(j["level"], 2)
        self.assertRegex(j["activation_code"], CODE_RE)
        self.assertTrue(before + 900 <= j["expires_at"] <= int(time.time()) + 900, j)
        self.assertIn("no-store", hdrs.get("Cache-Control", ""))
        row = harness.sql_rows(self.srv.db, "SELECT level, phone, password_hash "
                               "FROM accounts WHERE personal_id = ?", (pid,))
        self.assertEqual(row, [(2, "+84912345678", "")])
        audit = harness.sql_rows(
            self.srv.db, "SELECT e.officer_id, e.personal_id_masked, "
            "e.biometric_digest FROM enrollments e JOIN accounts a ON "
            "a.account_id = e.account_id WHERE a.personal_id = ?", (pid,))
        self.assertEqual(audit, [(self.officer["officer_id"],
                                  pid[:3] + "******" + pid[-3:], DIGEST)])
        # The log names the officer and the masked ID, never the code or ID.
        log = self.srv.stderr_all()
        self.assertIn('"enroll.completed"', log)
        self.assertNotIn(j["activation_code"], log)
        self.assertNotIn(pid, log)
        self.assertNotIn(self.officer["token"], log)

    def test_altered_chip_records(self):
        chip = self.card(self.person()[0])
        h, p, s = chip.split(".")
        for i in (0, len(h) // 2, len(h) - 2):
            self.refused(flip(h, i) + "." + p + "." + s, "card_invalid")
        for i in (0, len(p) // 3, len(p) // 2, len(p) - 2):
            self.refused(h + "." + flip(p, i) + "." + s, "card_invalid")
        for i in (0, len(s) // 2, len(s) - 1):
            self.refused(h + "." + p + "." + flip(s, i), "card_invalid")
        # A payload changed in meaning, re-encoded, under the old signature.
        claims = json.loads(harness.b64url_decode(p))
        claims["card_expires_on"] = "2099-12-31"
        p2 = b64u(json.dumps(claims, ensure_ascii=False,
                             separators=(",", ":")).encode())
        self.refused(h + "." + p2 + "." + s, "card_invalid")
        self.refused("", "card_invalid")
        self.refused(chip + ".", "card_invalid")

    def test_other_key(self):
        chip = self.card(self.person()[0])
        h, p, _ = chip.split(".")
        key = Ed25519PrivateKey.generate()
        forged = h + "." + p + "." + b64u(key.sign((h + "." + p).encode()))
        self.refused(forged, "card_invalid")
        # The same payload under a header of another typ or alg.
        hdr = json.loads(harness.b64url_decode(h))
        for change in ({"typ": "JWT"}, {"alg": "none"}, {"alg": "HS256"}):
            h2 = b64u(json.dumps(dict(hdr, **change)).encode())
            sig = b64u(key.sign((h2 + "." + p).encode()))
            self.refused(h2 + "." + p + "." + sig, "card_invalid")
        self.refused(h + "." + p + ".", "card_invalid")

    def test_reissued_card(self):
        pid = self.person()[0]
        old = self.card(pid)
        r = self.srv.idp("registry", "event", "--type", "card_reissued", pid,
                         "--set", "card_number=001099123456",
                         "--set", "card_issued_on=2025-01-02",
                         "--set", "card_expires_on=2040-01-02")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.refused(old, "card_superseded")
        st, _, j = self.enroll(self.card(pid))
        self.assertEqual(st, 201, j)

    def test_expired_card(self):
        self.refused(self.card(EXPIRED_PID), "card_expired")

    def test_deceased(self):
        pid = self.person()[0]
        chip = self.card(pid)
        r = self.srv.idp("registry", "event", "--type", "death", pid,
                         "--set", "date_of_death=2024-06-01")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.refused(chip, "deceased")

    def test_unknown_person(self):
        # The card centre (the same key) signs for someone this registry lacks.
        with TempDir() as td:
            src = sqlite3.connect(self.srv.db, timeout=30)
            dst = sqlite3.connect(td.db)
            src.backup(dst)
            src.close()
            dst.close()
            shutil.copy(os.path.join(self.srv.dir, "master.key"),
                        os.path.join(td.path, "master.key"))
            csv = td.file("one.csv")
            with open(csv, "w", encoding="utf-8") as f:
                f.write(harness.CSV_HEADER + "\n" + UNKNOWN_ROW + "\n")
            r = td.idp("registry", "import", csv)
            self.assertEqual(r.returncode, 0, r.stderr)
            chip = self.card(UNKNOWN_PID, runner=td)
        self.refused(chip, "unknown_person")

    def test_officer_tokens(self):
        chip = self.card(self.person()[0])
        st, hdrs, j = self.enroll(chip, token=False)
        self.assertEqual(st, 401, j)
        self.assertIn("Bearer", hdrs.get("WWW-Authenticate", ""))
        st, _, j = self.enroll(chip, token=flip(self.officer["token"], 30))
        self.assertEqual(st, 401, j)
        st, _, j = self.enroll(chip, token=self.officer["officer_id"])
        self.assertEqual(st, 401, j)
        other = self.add_officer("Lê Văn Tâm", "Công an Quận 3")
        r = self.srv.idp("officer", "revoke", other["officer_id"])
        self.assertEqual(r.returncode, 0, r.stderr)
        st, _, j = self.enroll(chip, token=other["token"])
        self.assertEqual(st, 401, j)
        r = self.srv.idp("officer", "revoke", "o_nobody")
        self.assertEqual(r.returncode, 1)
        # Nothing was created by the refused requests; the valid token works.
        st, _, j = self.enroll(chip)
        self.assertEqual(st, 201, j)
        self.assertEqual(harness.sql_scalar(
            self.srv.db, "SELECT count(*) FROM enrollments WHERE officer_id = ?",
            (other["officer_id"],)), 0)

    def test_bad_fields(self):
        chip = self.card(self.person()[0])
        st, _, j = self.enroll(chip, digest="ABC")
        self.assertEqual(st, 400, j)
        self.assertIn("biometric_digest", j["error_description"])
        st, _, j = self.enroll(chip, phone="12")
        self.assertEqual((st, j["error"]), (400, "invalid_phone"), j)
        st, _, j = self.srv.request_json("POST", ENROLL, {"chip_record": chip},
                                         {"Authorization": "Bearer "
                                          + self.officer["token"]})
        self.assertEqual(st, 400, j)
        self.assertIn("biometric_digest is required", j["error_description"])

    def test_level1_upgraded(self):
        pid, name, birth = self.person()
        phone1, phone2, pw = "0977000001", "0977000002", "Hoa-Sen-ven-ho-42!"
        st, _, j = self.srv.request_json("POST", "/v1/accounts", {
            "personal_id": pid, "full_name": name, "birth_date": birth,
            "phone": phone1, "password": pw})
        self.assertEqual(st, 202, j)
        st, _, c = self.srv.request_json("POST", "/v1/accounts/confirm", {
            "registration_id": j["registration_id"],
            "code": harness.newest_sms_code(self.srv, phone1)})
        self.assertEqual(st, 201, c)
        st, _, e = self.enroll(self.card(pid), phone=phone2)
        self.assertEqual(st, 201, e)
        self.assertEqual(harness.sql_scalar(
            self.srv.db, "SELECT account_id FROM accounts WHERE personal_id = ?",
            (pid,)), c["account_id"])
        # The password still works; the code goes to the phone given at the desk.
        st, _, lg = self.srv.request_json("POST", "/v1/login", {
            "personal_id": pid, "password": pw})
        self.assertEqual(st, 200, lg)
        st, _, s = self.srv.request_json("POST", "/v1/login/code", {
            "login_id": lg["login_id"],
            "code": harness.newest_sms_code(self.srv, phone2)})
        self.assertEqual(st, 200, s)
        st, _, me = self.srv.request_json("GET", "/v1/me", None, {
            "Authorization": "Bearer " + s["session_token"]})
        self.assertEqual(st, 200, me)
        self.assertEqual(me["level"], 2, me)


if __name__ == "__main__":
    harness.main()
