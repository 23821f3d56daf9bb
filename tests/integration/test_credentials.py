"""Level-2 credentials and airport presentations against a real `idp serve`
(DESIGN.md section 7, issue 7): `eid-app credential` prints one compact JWS
signed by a credential key of /jwks.json, `eid-app present [--qr] [--nonce]`
a presentation signed by the device key named in the credential's cnf (and
with --qr the QR code in half blocks on the following lines; it works with
the provider out of reach while the credential is valid), and revocation at
once by device revocation, lock, death and card_reissued, seen in the signed
GET /v1/credentials/status.

Environment: IDP and EID_APP name the binaries (set by tests/meson.build).
"""

import json
import os
import re
import time
import unittest

from jwcrypto import jwk, jws

import harness
from harness import Server

EID_APP = os.environ.get("EID_APP", "")
DIGEST = "cd" * 32
JWS_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
HALF_BLOCKS = set(" \u2580\u2584\u2588")


def app(state, *args, idp=None):
    argv = [EID_APP, "--state", state] + (["--idp", idp] if idp else [])
    e = {k: v for k, v in os.environ.items() if k != "EID_APP_STATE"}
    return harness.run_wrapped(argv + list(args), capture_output=True,
                               text=True, env=e, timeout=60)


class Credentials(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not EID_APP or not os.access(EID_APP, os.X_OK):
            raise RuntimeError("EID_APP must name the eid-app binary")
        cls.srv = Server(extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        try:
            harness.seed_registry(cls.srv, count=60, seed=31)
            cls.people = iter(harness.sql_rows(
                cls.srv.db, "SELECT personal_id, full_name, birth_date FROM "
                "registry_people WHERE status = 'living' AND card_expires_on > "
                "date('now', '+1 year') ORDER BY personal_id LIMIT 30"))
            r = cls.srv.idp("officer", "add", "--name", "Officer Cred",
                            "--office", "Ha Noi 2")
            if r.returncode != 0:
                raise AssertionError(r.stderr)
            cls.officer = json.loads(r.stdout)
            cls.phones = iter(range(300, 400))
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    # -- helpers -----------------------------------------------------------------

    def ok(self, r):
        self.assertEqual(r.returncode, 0, "stdout: %s\nstderr: %s" % (r.stdout, r.stderr))
        return r.stdout

    def enroll(self, pid):
        r = self.srv.idp("registry", "issue-card", pid)
        self.assertEqual(r.returncode, 0, r.stderr)
        st, _, body = self.srv.request_json("POST", "/v1/enrollments", {
            "chip_record": r.stdout.strip(), "biometric_digest": DIGEST,
            "phone": "+8492%07d" % next(self.phones)},
            {"Authorization": "Bearer " + self.officer["token"]})
        self.assertEqual(st, 201, body)
        return body["activation_code"]

    def device(self, code, name):
        st = os.path.join(self.srv.dir, "%s-%s.json" % (self.id().split(".")[-1], name))
        self.ok(app(st, "init", "--name", name))
        self.ok(app(st, "activate", code, idp=self.srv.base_url))
        return st

    def level2(self, name="phone"):
        pid = next(self.people)[0]
        return pid, self.device(self.enroll(pid), name)

    def jwks(self):
        st, _, body = self.srv.request("GET", "/jwks.json")
        self.assertEqual(st, 200)
        return jwk.JWKSet.from_json(body)

    def verify_by_jwks(self, token, typ):
        """The payload of `token`, verified with the key its kid names in /jwks.json."""
        hdr = harness.jws_parts(token)[0]
        self.assertEqual(hdr["typ"], typ)
        self.assertEqual(hdr["alg"], "EdDSA")
        key = self.jwks().get_key(hdr["kid"])
        self.assertIsNotNone(key, hdr)
        self.assertEqual(key.export_public(as_dict=True)["crv"], "Ed25519")
        o = jws.JWS()
        o.deserialize(token)
        o.verify(key, alg="EdDSA")
        return json.loads(o.payload)

    def credential(self, st, *extra):
        out = self.ok(app(st, "credential", *extra))
        lines = out.splitlines()
        self.assertEqual(len(lines), 1, out)
        self.assertRegex(lines[0], JWS_RE)
        return lines[0], self.verify_by_jwks(lines[0], "eid-credential+jwt")

    def revoked_list(self):
        st, hdrs, body = self.srv.request("GET", "/v1/credentials/status")
        self.assertEqual(st, 200)
        self.assertEqual(hdrs["Content-Type"], "application/jwt")
        payload = self.verify_by_jwks(body.decode(), "eid-credential-status+jwt")
        self.assertEqual(sorted(payload), ["iat", "iss", "revoked"])
        self.assertEqual(payload["iss"], self.srv.base_url)
        self.assertLessEqual(abs(payload["iat"] - time.time()), 5)
        return payload["revoked"]

    # -- tests -------------------------------------------------------------------

    def test_credential_and_presentation(self):
        pid, st = self.level2()
        cred, p = self.credential(st)
        self.assertEqual(p["lvl"], 2)
        self.assertEqual(p["personal_id"], pid)
        self.assertEqual(p["iss"], self.srv.base_url)
        self.assertLessEqual(p["exp"] - p["iat"], 7 * 86400)
        self.assertGreaterEqual(len(p["jti"]), 22)
        for k in ("full_name", "birth_date", "sex", "nationality"):
            self.assertTrue(p[k], k)
        self.assertRegex(p["portrait_sha256"], r"^[0-9a-f]{64}$")
        self.assertEqual(p["cnf"]["jwk"]["kty"], "OKP")
        state = json.load(open(st))
        self.assertEqual(p["cnf"]["jwk"]["x"], state["public_key"])
        # Not due: the stored one again; --force fetches a new one.
        self.assertEqual(self.credential(st)[0], cred)
        self.assertNotEqual(self.credential(st, "--force")[1]["jti"], p["jti"])
        cred = self.credential(st)[0]

        device_key = jwk.JWK(**p["cnf"]["jwk"])
        for args in ((), ("--nonce", "gate-12-abc")):
            out = self.ok(app(st, "present", *args))
            lines = out.splitlines()
            self.assertEqual(len(lines), 1, out)
            pres = lines[0]
            self.assertRegex(pres, JWS_RE)
            self.assertLess(len(pres), 1300)
            hdr = harness.jws_parts(pres)[0]
            self.assertEqual(hdr, {"alg": "EdDSA", "typ": "eid-presentation+jwt"})
            o = jws.JWS()
            o.deserialize(pres)
            o.verify(device_key, alg="EdDSA")
            body = json.loads(o.payload)
            expect = ["cred", "iat", "jti"] + (["nonce"] if args else [])
            self.assertEqual(sorted(body), expect)
            self.assertEqual(body["cred"], cred)
            self.assertLessEqual(abs(body["iat"] - time.time()), 5)
            self.assertGreaterEqual(len(body["jti"]), 22)
            if args:
                self.assertEqual(body["nonce"], "gate-12-abc")

        out = self.ok(app(st, "present", "--qr"))
        lines = out.splitlines()
        self.assertRegex(lines[0], JWS_RE)
        width = len(lines[1])
        # Modules and a 4-module quiet zone each side; two rows a line.
        version = (width - 8 - 17) // 4
        self.assertEqual(width - 8, 17 + 4 * version)
        self.assertLessEqual(version, 30)
        self.assertEqual(len(lines) - 1, (width + 1) // 2)
        print("presentation: %d bytes, QR version %d (%d modules)"
              % (len(lines[0]), version, width - 8))
        for line in lines[1:]:
            self.assertEqual(len(line), width)
            self.assertTrue(set(line) <= HALF_BLOCKS, repr(line[:20]))
        # Offline with a valid credential: the provider is not needed.
        self.ok(app(st, "present", idp="http://127.0.0.1:9"))
        bad = app(st, "present", "--nonce", "x" * 65)
        self.assertEqual(bad.returncode, 2, bad.stderr)

    def test_device_revoke(self):
        code = self.enroll(next(self.people)[0])
        first = self.device(code, "one")
        second = self.device(self.ok(app(first, "add-device")).splitlines()[0], "two")
        _, p1 = self.credential(first)
        _, p2 = self.credential(second)
        self.assertNotIn(p1["jti"], self.revoked_list())
        dev_id = json.load(open(first))["device_id"]
        self.ok(app(second, "revoke", dev_id))
        revoked = self.revoked_list()
        self.assertIn(p1["jti"], revoked)
        self.assertNotIn(p2["jti"], revoked)
        r = app(first, "credential", "--force")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("revoked", r.stderr)

    def test_death(self):
        pid, st = self.level2()
        _, p = self.credential(st)
        r = self.srv.idp("registry", "event", "--type", "death", pid,
                         "--set", "date_of_death=2026-11-01")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(p["jti"], self.revoked_list())

    def test_card_reissued(self):
        pid, st = self.level2()
        _, p = self.credential(st)
        r = self.srv.idp("registry", "event", "--type", "card_reissued", pid,
                         "--set", "card_number=888" + pid[3:],
                         "--set", "card_issued_on=2025-01-02",
                         "--set", "card_expires_on=2040-01-02")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(p["jti"], self.revoked_list())
        # The device may fetch a new one, with the new card's portrait digest.
        _, p2 = self.credential(st, "--force")
        self.assertNotEqual(p2["portrait_sha256"], p["portrait_sha256"])
        self.assertNotIn(p2["jti"], self.revoked_list())

    def test_lock(self):
        cit = harness.new_citizen(self.srv, next(self.people), "0978%06d" %
                                  next(self.phones), "Hoa-Sen-Ho-Tay-2024!")
        st = self.device(self.enroll(cit["pid"]), "locked")
        _, p = self.credential(st)
        s, _, l = self.srv.request_json("POST", "/v1/lock", {
            "personal_id": cit["pid"], "password": cit["password"]})
        self.assertEqual(s, 200, l)
        phone = harness.sql_scalar(self.srv.db, "SELECT phone FROM accounts "
                                   "WHERE personal_id = ?", (cit["pid"],))
        s, _, r = self.srv.request_json("POST", "/v1/lock/confirm", {
            "challenge_id": l["challenge_id"],
            "code": harness.newest_sms_code(self.srv, phone)})
        self.assertEqual(s, 200, r)
        self.assertIn(p["jti"], self.revoked_list())


if __name__ == "__main__":
    harness.main()
