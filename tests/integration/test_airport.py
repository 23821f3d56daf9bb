"""Airport presentations against a real `idp serve` (DESIGN.md section 7,
issue 7): a person enrolled at level 2 by an officer, `eid-app init`,
`activate`, `credential` and `present`, then POST /v1/airport/verify (an
airport client, HTTP Basic) and the offline `eid-verify` (the server's
/jwks.json and /v1/credentials/status saved to files) on the same
presentations. One scenario per reason code; where both verifiers can decide
they must give the same verdict.

Which verifier decides what: revocation reaches eid-verify through a fresh
status list; account_locked and deceased need the live account and registry
(online only; offline, a death or lock shows as revoked once the status
list says so). A level-1 credential forged with a test key is
signature_invalid for both (the key is not dinhdanh's); eid-verify handed a
JWKS that also holds the forger's key says level_too_low. An expired
credential is shown by moving eid-verify's clock (--now) past its exp.

Environment: IDP, EID_APP and EID_VERIFY name the binaries.
"""

import base64
import concurrent.futures
import json
import os
import sqlite3
import time
import unittest
import uuid

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

import harness
from harness import Server

EID_APP = os.environ.get("EID_APP", "")
EID_VERIFY = os.environ.get("EID_VERIFY", "")
DIGEST = "ab" * 32
VERIFY = "/v1/airport/verify"


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def sign(key, header, payload):
    """A compact JWS signed with the Ed25519 private key `key`."""
    h = b64u(json.dumps(header, separators=(",", ":")).encode())
    p = b64u(json.dumps(payload, separators=(",", ":")).encode())
    return "%s.%s.%s" % (h, p, b64u(key.sign(("%s.%s" % (h, p)).encode())))


def public_jwk(key, kid=None):
    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64u(raw), "alg": "EdDSA"}
    if kid:
        jwk["kid"] = kid
    return jwk


class Airport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        try:
            harness.seed_registry(cls.srv, count=80, seed=29)
            # Adults whose card is still valid (enrollment needs one).
            cls.people = iter(harness.sql_rows(
                cls.srv.db, "SELECT personal_id FROM registry_people WHERE "
                "status = 'living' AND birth_date < '2005-01-01' AND "
                "card_expires_on > date('now', '+1 month') "
                "ORDER BY personal_id LIMIT 40"))
            r = cls.srv.idp("officer", "add", "--name", "Officer Test",
                            "--office", "Ha Noi 1")
            assert r.returncode == 0, r.stderr
            cls.officer = json.loads(r.stdout)
            cls.airport = cls.client("airport", "San bay Noi Bai")
            cls.registry = cls.client("registry", "Registry")
            cls.portal = harness.add_client(cls.srv, "Portal")
            cls.phones = iter(range(300, 400))
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    @classmethod
    def client(cls, kind, name):
        r = cls.srv.idp("client", "add", "--kind", kind, "--name", name)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    # -- helpers -----------------------------------------------------------------

    def app(self, state, *args):
        e = {k: v for k, v in os.environ.items() if k != "EID_APP_STATE"}
        r = harness.run_wrapped([EID_APP, "--state", state] + list(args),
                                capture_output=True, text=True, env=e,
                                timeout=60)
        self.assertEqual(r.returncode, 0, "eid-app %s: %s" % (args, r.stderr))
        return r.stdout.strip()

    def citizen(self):
        """A level-2 device with its credential: (state path, personal_id)."""
        pid = next(self.people)[0]
        r = self.srv.idp("registry", "issue-card", pid)
        self.assertEqual(r.returncode, 0, r.stderr)
        status, _, body = self.srv.request_json("POST", "/v1/enrollments", {
            "chip_record": r.stdout.strip(), "biometric_digest": DIGEST,
            "phone": "+8491%07d" % next(self.phones)},
            {"Authorization": "Bearer " + self.officer["token"]})
        self.assertEqual(status, 201, body)
        st = os.path.join(self.srv.dir, "app-%s.json" % uuid.uuid4().hex[:8])
        self.app(st, "init", "--name", "phone")
        self.app(st, "activate", body["activation_code"], "--idp", self.srv.base_url)
        self.app(st, "credential")
        return st, pid

    def present(self, st):
        return self.app(st, "present")

    def device_key(self, st):
        with open(st) as f:
            return Ed25519PrivateKey.from_private_bytes(
                b64u_dec(json.load(f)["secret_key"]))

    def credential(self, st):
        with open(st) as f:
            return json.load(f)["credential"]

    def online(self, pres, who=None):
        who = who or self.airport
        auth = harness.basic_auth(who["client_id"], who["client_secret"])
        body = {"presentation": pres} if isinstance(pres, str) else pres
        status, _, data = self.srv.request_json(
            "POST", VERIFY, body, {"Authorization": auth})
        return status, data

    def files(self, extra_keys=()):
        """The server's JWKS and a fresh status list as files: (jwks, status)."""
        status, _, jwks = self.srv.request("GET", "/jwks.json")
        self.assertEqual(status, 200)
        jwks = json.loads(jwks)
        jwks["keys"].extend(extra_keys)
        status, _, sl = self.srv.request("GET", "/v1/credentials/status")
        self.assertEqual(status, 200)
        tag = uuid.uuid4().hex[:8]
        jp = os.path.join(self.srv.dir, "jwks-%s.json" % tag)
        sp = os.path.join(self.srv.dir, "status-%s.jwt" % tag)
        with open(jp, "w") as f:
            json.dump(jwks, f)
        with open(sp, "wb") as f:
            f.write(sl)
        return jp, sp

    def offline(self, pres, *extra, files=None, stdin=None):
        jp, sp = files or self.files()
        seen = os.path.join(self.srv.dir, "seen-%s.txt" % self.id().split(".")[-1])
        argv = [EID_VERIFY, "--jwks", jp, "--status", sp, "--seen", seen] + \
            list(extra) + [pres if stdin is None else "-"]
        r = harness.run_wrapped(argv, capture_output=True, text=True,
                                timeout=30, input=stdin)
        verdict = json.loads(r.stdout) if r.stdout.strip() else None
        return r.returncode, verdict, r.stderr

    def both(self, pres, reason, offline_reason=None, **kw):
        """Online then offline on the same presentation; both rejected."""
        status, data = self.online(pres)
        self.assertEqual(status, 422, data)
        self.assertEqual(data, {"result": "rejected", "reason": reason})
        rc, verdict, err = self.offline(pres, **kw)
        self.assertEqual(rc, 1, err)
        self.assertEqual(verdict, {"result": "rejected",
                                   "reason": offline_reason or reason})

    # -- tests -------------------------------------------------------------------

    def test_accepted_then_replayed(self):
        st, pid = self.citizen()
        pres = self.present(st)
        status, data = self.online(pres)
        self.assertEqual(status, 200, data)
        self.assertEqual(data["result"], "accepted")
        self.assertEqual(data["level"], 2)
        self.assertEqual(data["person"]["personal_id"], pid)
        self.assertLessEqual(abs(data["checked_at"] - time.time()), 5)
        status, data2 = self.online(pres)
        self.assertEqual((status, data2), (422, {"result": "rejected",
                                                 "reason": "replayed"}))
        # eid-verify keeps its own store: first accepted, then replayed.
        rc, verdict, err = self.offline(pres)
        self.assertEqual(rc, 0, err)
        self.assertEqual(verdict["person"], data["person"])
        self.assertEqual(verdict["level"], 2)
        rc, verdict, _ = self.offline(None, stdin=pres + "\n")
        self.assertEqual((rc, verdict["reason"]), (1, "replayed"))
        # One disclosure entry, for this airport, naming its six attributes.
        rows = harness.sql_rows(self.srv.db, "SELECT d.client_id, d.client_name, "
                                "d.attributes, d.channel FROM disclosures d JOIN "
                                "accounts a USING (account_id) WHERE a.personal_id = ?",
                                (pid,))
        self.assertEqual(rows, [(self.airport["client_id"], "San bay Noi Bai",
                                 "personal_id full_name birth_date sex nationality "
                                 "portrait_sha256", "airport_verify")])

    def test_client_auth(self):
        st, _ = self.citizen()
        pres = self.present(st)
        bad = dict(self.airport, client_secret="wrong")
        self.assertEqual(self.online(pres, bad)[0], 401)
        self.assertEqual(self.online(pres, self.portal)[0], 403)
        self.assertEqual(self.online(pres)[0], 200)

    def test_malformed(self):
        for body in ({}, {"presentation": 7}, {"presentation": "a.b.c"}):
            status, data = self.online(body)
            self.assertEqual((status, data), (422, {"result": "rejected",
                                                    "reason": "malformed"}))
        rc, verdict, _ = self.offline("a.b.c")
        self.assertEqual((rc, verdict["reason"]), (1, "malformed"))

    def test_altered_credential(self):
        st, _ = self.citizen()
        cred = self.credential(st)
        h, p, s = cred.split(".")
        claims = json.loads(b64u_dec(p))
        claims["full_name"] = "Someone Else"
        altered = "%s.%s.%s" % (h, b64u(json.dumps(claims).encode()), s)
        pres = sign(self.device_key(st), {"alg": "EdDSA", "typ": "eid-presentation+jwt"},
                    {"cred": altered, "iat": int(time.time()), "jti": uuid.uuid4().hex})
        self.both(pres, "signature_invalid")

    def test_signed_by_another_key(self):
        st, _ = self.citizen()
        other = Ed25519PrivateKey.generate()
        pres = sign(other, {"alg": "EdDSA", "typ": "eid-presentation+jwt"},
                    {"cred": self.credential(st), "iat": int(time.time()),
                     "jti": uuid.uuid4().hex})
        self.both(pres, "signature_invalid")

    def test_expired_credential_moved_clock(self):
        st, _ = self.citizen()
        claims = json.loads(b64u_dec(self.credential(st).split(".")[1]))
        later = claims["exp"] + 10
        pres = sign(self.device_key(st), {"alg": "EdDSA", "typ": "eid-presentation+jwt"},
                    {"cred": self.credential(st), "iat": later, "jti": uuid.uuid4().hex})
        # The server's clock cannot move: its verdict on a future iat is the
        # same reason.
        self.both(pres, "expired")
        rc, verdict, err = self.offline(pres, "--now", str(later),
                                        "--max-status-age", str(later))
        self.assertEqual((rc, verdict), (1, {"result": "rejected", "reason": "expired"}),
                         err)

    def test_stale_iat(self):
        st, _ = self.citizen()
        pres = sign(self.device_key(st), {"alg": "EdDSA", "typ": "eid-presentation+jwt"},
                    {"cred": self.credential(st), "iat": int(time.time()) - 61,
                     "jti": uuid.uuid4().hex})
        self.both(pres, "expired")

    def test_revoked_device(self):
        st, _ = self.citizen()
        pres = self.present(st)
        devices = self.app(st, "devices")
        dev_id = [ln.split()[0] for ln in devices.splitlines() if "(this device)" in ln]
        self.assertEqual(len(dev_id), 1, devices)
        self.app(st, "revoke", dev_id[0])
        self.both(pres, "revoked")

    def test_replayed(self):
        st, _ = self.citizen()
        pres = self.present(st)
        self.assertEqual(self.online(pres)[0], 200)
        self.assertEqual(self.offline(pres)[0], 0)
        self.both(pres, "replayed")

    def test_level_one_forged(self):
        st, pid = self.citizen()
        forger = Ed25519PrivateKey.generate()
        claims = json.loads(b64u_dec(self.credential(st).split(".")[1]))
        claims.update(lvl=1, jti=uuid.uuid4().hex)
        cred = sign(forger, {"alg": "EdDSA", "typ": "eid-credential+jwt",
                             "kid": "forger"}, claims)
        pres = sign(self.device_key(st), {"alg": "EdDSA", "typ": "eid-presentation+jwt"},
                    {"cred": cred, "iat": int(time.time()), "jti": uuid.uuid4().hex})
        self.both(pres, "signature_invalid")
        rc, verdict, err = self.offline(
            pres, files=self.files([public_jwk(forger, "forger")]))
        self.assertEqual((rc, verdict), (1, {"result": "rejected",
                                             "reason": "level_too_low"}), err)

    def test_locked_account(self):
        st, pid = self.citizen()
        pres = self.present(st)
        # The state a hard lock leaves (as after repeated wrong passwords).
        con = sqlite3.connect(self.srv.db, timeout=30)
        with con:
            con.execute("UPDATE accounts SET status = 'locked', "
                        "lock_reason = 'failures' WHERE personal_id = ?", (pid,))
        con.close()
        status, data = self.online(pres)
        self.assertEqual((status, data), (422, {"result": "rejected",
                                                "reason": "account_locked"}))
        # Offline cannot see the account; the credential itself is still valid.
        self.assertEqual(self.offline(pres)[0], 0)

    def test_death_event(self):
        st, pid = self.citizen()
        pres = self.present(st)
        auth = harness.basic_auth(self.registry["client_id"],
                                  self.registry["client_secret"])
        status, _, body = self.srv.request_json("POST", "/v1/registry/events", {
            "event_id": uuid.uuid4().hex, "type": "death", "personal_id": pid,
            "data": {"date_of_death": time.strftime("%Y-%m-%d")}},
            {"Authorization": auth})
        self.assertEqual(status, 200, body)
        # Online: the registry says deceased; offline: the death revoked the
        # credential, which the fresh status list shows.
        self.both(pres, "deceased", offline_reason="revoked")

    def test_parallel_once(self):
        st, _ = self.citizen()
        pres = self.present(st)
        with concurrent.futures.ThreadPoolExecutor(50) as ex:
            got = list(ex.map(lambda _: self.online(pres), range(50)))
        self.assertEqual(sum(1 for s, _ in got if s == 200), 1)
        self.assertEqual(sum(1 for s, d in got if s == 422 and
                             d["reason"] == "replayed"), 49)

    def test_offline_usage_and_stale_status(self):
        st, _ = self.citizen()
        pres = self.present(st)
        r = harness.run_wrapped([EID_VERIFY, pres], capture_output=True,
                                text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage", r.stderr)
        jp, sp = self.files()
        rc, verdict, err = self.offline(pres, "--max-status-age", "86400",
                                        "--now", str(int(time.time()) + 86400 + 120),
                                        files=(jp, sp))
        self.assertEqual((rc, verdict), (2, None))
        self.assertIn("status list is", err)
        self.assertIn("--max-status-age", err)


if __name__ == "__main__":
    harness.main()
