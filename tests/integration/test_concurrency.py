"""Concurrency against a real `idp serve`, each scenario on a fresh server:

- one authorization code sent 100 times at once: exactly one 200, 99
  `invalid_grant`, one pair of tokens stored; and, as a second use of a code
  revokes what the first one gave, the winner's tokens are dead afterwards;
- one refresh token sent 100 times at once: one rotation, 99
  `invalid_grant`, and the whole family revoked (the winner's new tokens
  too: RFC 9700 section 4.14.2; the server cannot tell which of the callers
  was the thief);
- 100 wrong passwords for one account at once: the stored counter is exactly
  100, every one recorded, the account locked once;
- one airport presentation sent 100 times at once: `accepted` once, 99
  `replayed`, one disclosure;
- `idp keys rotate` while 1,000 ID tokens are being issued by several
  threads: the running server picks the new keys up within
  KEYS_RELOAD_SECONDS, every token begun after that is signed with a new
  key, and every token verifies (python3-jwcrypto) with the key its kid
  names in the /jwks.json published afterwards; the same with two rotations
  in a row, which the server only sees at its next reload.

Real parallelism: every connection is opened and every request's headers
are sent first; once the reader threads have met at a threading.Barrier,
the bodies go out together, so the requests reach the server's handlers
within a millisecond rather than one connection setup apart. A race inside
the server shows only when two handlers meet in a window of microseconds,
so the code, refresh and airport bursts are repeated ROUNDS times, each on
a fresh code, token or presentation.

The rotation scenarios last about a minute each (the server reloads its
keys 60 s after it started), so tests/meson.build runs each of their
classes (KeyRotation, KeyRotationTwice) as a test of its own beside the
others (Grants, Passwords, Airport).

Environment: IDP, WEB_DIR, EID_APP (the airport scenario's phone app).
"""

import collections
import hashlib
import json
import os
import threading
import time
import unittest
import urllib.parse
import uuid

import harness
from harness import Server

try:
    from jwcrypto import jwk as jwcrypto_jwk
    from jwcrypto import jws as jwcrypto_jws
except ImportError:  # pragma: no cover - .ci/packages installs it
    jwcrypto_jwk = jwcrypto_jws = None

EID_APP = os.environ.get("EID_APP", "")
RP = harness.RP_REDIRECT_URI
N = 100
# The handler threads of the servers under test: more than the cores, so
# that requests really interleave inside the server (with one per core, a
# missing transaction showed in about a fifth as many bursts).
THREADS = "8"
KEYS_RELOAD_SECONDS = 60    # idp/keys.h
# Timeouts grow under a slow wrapper such as valgrind (IDP_TIMEOUT_SCALE).
scaled = getattr(harness, "scaled", lambda seconds: seconds)
# Bursts per code, refresh and airport scenario: a race that opens only a
# short window inside the server gets several chances to show.
ROUNDS = 20


def code_hash(secret):
    """The stored form of a code or token: BLAKE2b-256, hex (idp/oidc.c)."""
    return hashlib.blake2b(secret.encode("ascii"), digest_size=32).hexdigest()


def burst(srv, method, path, bodies, headers):
    """Sends one request per body at once; [(status, parsed JSON or None)]
    in the order of bodies, or ("exception", text) for a request that failed.

    Every connection is opened and each request's line and headers (with
    its Content-Length) are sent first. A reader thread per connection waits
    at a barrier with this one; once all are there, this thread writes every
    body in one tight loop (under a millisecond for 100 on loopback, where
    100 threads each writing its own body after the barrier spread over
    about 10 ms), and the readers collect the answers."""
    n = len(bodies)
    conns = []
    try:
        for body in bodies:
            c = srv.connection(timeout=scaled(180))
            c.connect()
            conns.append(c)
            c.putrequest(method, path, skip_accept_encoding=True)
            for k, v in headers.items():
                c.putheader(k, v)
            c.putheader("Content-Length", str(len(body)))
            c.endheaders()
        barrier = threading.Barrier(n + 1)
        results = [None] * n

        def reader(i):
            try:
                barrier.wait(timeout=scaled(60))
                resp = conns[i].getresponse()
                data = resp.read()
                try:
                    parsed = json.loads(data) if data else None
                except ValueError:
                    parsed = data[:200]
                results[i] = (resp.status, parsed)
            except Exception as e:  # noqa: BLE001 - reported by the caller
                results[i] = ("exception", repr(e))

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        barrier.wait(timeout=scaled(60))
        for c, body in zip(conns, bodies):
            c.sock.sendall(body)
        for t in threads:
            t.join(timeout=scaled(240))
        return results
    finally:
        for c in conns:
            c.close()


def form_bodies(fields_list):
    return [urllib.parse.urlencode(f).encode() for f in fields_list]


def tally(results):
    """Counter of (status, error or result/reason) over a burst's answers."""
    out = collections.Counter()
    for status, body in results:
        if isinstance(body, dict):
            what = body.get("error") or body.get("reason") or body.get("result")
            if status == 200 and "access_token" in body:
                what = "tokens"
        else:
            what = body
        out[(status, what)] += 1
    return out


def started():
    """A fresh server, entered: --login-rate 0, THREADS handler threads."""
    srv = Server(extra_args=["--login-rate", "0", "--threads", THREADS])
    srv.__enter__()
    return srv


class Grants(unittest.TestCase):
    """One code, one refresh token: each sent N times at once."""

    @classmethod
    def setUpClass(cls):
        cls.srv = started()
        try:
            cls.citizen, = harness.citizens(cls.srv, 1, seed=53)
            cls.client = harness.add_client(cls.srv, "Cong song song")
            cls.web = harness.WebClient(cls.srv)
            cls.auth = harness.basic_auth(cls.client["client_id"],
                                          cls.client["client_secret"])
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    def code(self):
        return self.web.code(self.client["client_id"], self.citizen)

    def token(self, fields):
        return harness.form_post(self.srv, "/token", fields, auth=self.auth)

    def token_burst(self, fields):
        return burst(self.srv, "POST", "/token", form_bodies([fields] * N), {
            "Authorization": self.auth,
            "Content-Type": "application/x-www-form-urlencoded"})

    def userinfo(self, access):
        return self.srv.request_json("GET", "/userinfo", headers={
            "Authorization": "Bearer " + access})[0]

    def active(self, token):
        st, _, body = harness.form_post(self.srv, "/introspect",
                                        {"token": token}, auth=self.auth)
        self.assertEqual(st, 200, body)
        return body["active"]

    def grant_of_code(self, code):
        return harness.sql_scalar(self.srv.db, "SELECT grant_id FROM "
                                  "authz_codes WHERE code_hash = ?",
                                  (code_hash(code),))

    def token_kinds(self, grant):
        return sorted(r[0] for r in harness.sql_rows(
            self.srv.db, "SELECT kind FROM tokens WHERE grant_id = ?", (grant,)))

    def assert_dead(self, tokens):
        self.assertEqual(self.userinfo(tokens["access_token"]), 401)
        self.assertFalse(self.active(tokens["access_token"]))
        self.assertFalse(self.active(tokens["refresh_token"]))
        st, _, body = self.token({"grant_type": "refresh_token",
                                  "refresh_token": tokens["refresh_token"]})
        self.assertEqual((st, body.get("error")), (400, "invalid_grant"), body)

    def test_one_code_redeemed_in_parallel(self):
        for rnd in range(ROUNDS):
            with self.subTest(round=rnd):
                self.one_code_burst()

    def test_one_refresh_token_used_in_parallel(self):
        for rnd in range(ROUNDS):
            with self.subTest(round=rnd):
                self.one_refresh_burst()
        self.assertIn('"security.token_reuse"', self.srv.stderr_all())

    def one_code_burst(self):
        code, verifier = self.code()
        got = self.token_burst({"grant_type": "authorization_code",
                                "code": code, "code_verifier": verifier,
                                "redirect_uri": RP})
        self.assertEqual(tally(got), {(200, "tokens"): 1,
                                      (400, "invalid_grant"): N - 1}, got)
        winner = next(b for s, b in got if s == 200)
        # Exactly one issuance reached the database (not merely one answer).
        grant = self.grant_of_code(code)
        self.assertEqual(self.token_kinds(grant), ["access", "refresh"])
        self.assertIsNotNone(harness.sql_scalar(
            self.srv.db, "SELECT used_at FROM authz_codes WHERE code_hash = ?",
            (code_hash(code),)))
        # The code was used again: what its first use gave is revoked.
        self.assertIsNotNone(harness.sql_scalar(
            self.srv.db, "SELECT revoked_at FROM grants WHERE id = ?", (grant,)))
        self.assert_dead(winner)

    def one_refresh_burst(self):
        code, verifier = self.code()
        st, _, first = self.token({"grant_type": "authorization_code",
                                   "code": code, "code_verifier": verifier,
                                   "redirect_uri": RP})
        self.assertEqual(st, 200, first)
        self.assertEqual(self.userinfo(first["access_token"]), 200)
        grant = self.grant_of_code(code)
        got = self.token_burst({"grant_type": "refresh_token",
                                "refresh_token": first["refresh_token"]})
        self.assertEqual(tally(got), {(200, "tokens"): 1,
                                      (400, "invalid_grant"): N - 1}, got)
        winner = next(b for s, b in got if s == 200)
        self.assertNotEqual(winner["refresh_token"], first["refresh_token"])
        # One rotation stored: the first pair and the winner's pair.
        self.assertEqual(self.token_kinds(grant),
                         ["access", "access", "refresh", "refresh"])
        used = harness.sql_rows(self.srv.db, "SELECT token_hash FROM tokens "
                                "WHERE grant_id = ? AND used_at IS NOT NULL",
                                (grant,))
        self.assertEqual(used, [(code_hash(first["refresh_token"]),)])
        # The spent token came back N - 1 times: the family is revoked, the
        # winner's new tokens with it.
        self.assertIsNotNone(harness.sql_scalar(
            self.srv.db, "SELECT revoked_at FROM grants WHERE id = ?", (grant,)))
        self.assert_dead(winner)
        self.assert_dead(first)


class Passwords(unittest.TestCase):
    """N wrong passwords for one account at once."""

    def test_wrong_passwords_counted_exactly(self):
        srv = started()
        try:
            harness.seed_registry(srv, count=60, seed=59)
            pid, name, birth = harness.registry_people(srv.db, "living", 1)[0]
            phone = "0913579246"
            st, _, j = srv.request_json("POST", "/v1/accounts", {
                "personal_id": pid, "full_name": name, "birth_date": birth,
                "phone": phone, "password": "Mua-thu-Ha-Noi-1945"})
            self.assertEqual(st, 202, j)
            st, _, c = srv.request_json("POST", "/v1/accounts/confirm", {
                "registration_id": j["registration_id"],
                "code": harness.newest_sms_code(srv, phone)})
            self.assertEqual(st, 201, c)
            account = c["account_id"]
            audit_before = harness.sql_scalar(
                srv.db, "SELECT count(*) FROM audit_log WHERE event = "
                "'login_failure'")
            bodies = [json.dumps({"personal_id": pid,
                                  "password": "Sai-song-song-%03d" % i}).encode()
                      for i in range(N)]
            got = burst(srv, "POST", "/v1/login", bodies,
                        {"Content-Type": "application/json"})
            # Five free failures, then every attempt inside the delay: each
            # failure starts a delay of 30 s or more, far longer than the
            # gap between two of the burst's attempts.
            self.assertEqual(tally(got), {(401, "invalid_credentials"): 5,
                                          (429, "too_many_attempts"): N - 5},
                             got)
            row = harness.sql_rows(srv.db, "SELECT failures, status, "
                                   "lock_reason FROM accounts WHERE "
                                   "account_id = ?", (account,))[0]
            self.assertEqual(row, (N, "locked", "failures"))
            outcomes = dict(harness.sql_rows(
                srv.db, "SELECT outcome, count(*) FROM signins WHERE "
                "account_id = ? GROUP BY outcome", (account,)))
            self.assertEqual(outcomes, {"wrong_password": 5, "delayed": N - 5})
            self.assertEqual(harness.sql_scalar(
                srv.db, "SELECT count(*) FROM audit_log WHERE event = "
                "'login_failure'") - audit_before, N)
            self.assertEqual(harness.sql_scalar(
                srv.db, "SELECT count(*) FROM audit_log WHERE event = "
                "'lockout'"), 1)
            # Locked: even the right password no longer opens a step.
            st, _, j = srv.request_json("POST", "/v1/login", {
                "personal_id": pid, "password": "Mua-thu-Ha-Noi-1945"})
            self.assertNotEqual(st, 200, j)
            self.assertNotIn("login_id", j or {})
        finally:
            srv.__exit__(None, None, None)


class Airport(unittest.TestCase):
    """One presentation sent N times at once to /v1/airport/verify."""

    def app(self, srv, state, *args):
        env = {k: v for k, v in os.environ.items() if k != "EID_APP_STATE"}
        r = harness.run_wrapped([EID_APP, "--state", state] + list(args),
                                capture_output=True, text=True, env=env,
                                timeout=60)
        self.assertEqual(r.returncode, 0, "eid-app %s: %s" % (args, r.stderr))
        return r.stdout.strip()

    def level2_device(self, srv):
        """An officer enrolls a person; eid-app activates and fetches its
        credential. (state path, account id)."""
        harness.seed_registry(srv, count=60, seed=61)
        pid = harness.sql_scalar(
            srv.db, "SELECT personal_id FROM registry_people WHERE status = "
            "'living' AND birth_date < '2005-01-01' AND card_expires_on > "
            "date('now', '+1 month') ORDER BY personal_id LIMIT 1")
        r = srv.idp("officer", "add", "--name", "Can bo", "--office", "Ha Noi 2")
        self.assertEqual(r.returncode, 0, r.stderr)
        officer = json.loads(r.stdout)
        r = srv.idp("registry", "issue-card", pid)
        self.assertEqual(r.returncode, 0, r.stderr)
        st, _, body = srv.request_json("POST", "/v1/enrollments", {
            "chip_record": r.stdout.strip(), "biometric_digest": "cd" * 32,
            "phone": "+84912468024"},
            {"Authorization": "Bearer " + officer["token"]})
        self.assertEqual(st, 201, body)
        state = os.path.join(srv.dir, "app-%s.json" % uuid.uuid4().hex[:8])
        self.app(srv, state, "init", "--name", "phone")
        self.app(srv, state, "activate", body["activation_code"],
                 "--idp", srv.base_url)
        self.app(srv, state, "credential")
        account = harness.sql_scalar(srv.db, "SELECT account_id FROM accounts "
                                     "WHERE personal_id = ?", (pid,))
        return state, account

    def disclosures(self, srv, account):
        return harness.sql_rows(
            srv.db, "SELECT client_id, channel FROM disclosures WHERE "
            "account_id = ?", (account,))

    def one_presentation_burst(self, srv, state, account, auth, airport):
        before = self.disclosures(srv, account)
        pres = self.app(srv, state, "present")
        jti = harness.jws_parts(pres)[1]["jti"]
        got = burst(srv, "POST", "/v1/airport/verify",
                    [json.dumps({"presentation": pres}).encode()] * N,
                    {"Content-Type": "application/json",
                     "Authorization": auth})
        self.assertEqual(tally(got), {(200, "accepted"): 1,
                                      (422, "replayed"): N - 1}, got)
        self.assertEqual(harness.sql_scalar(
            srv.db, "SELECT count(*) FROM airport_seen WHERE jti = ?",
            (jti,)), 1)
        # One disclosure written for the one acceptance.
        self.assertEqual(self.disclosures(srv, account), before +
                         [(airport["client_id"], "airport_verify")])

    def test_one_presentation_accepted_once(self):
        if not EID_APP or not os.access(EID_APP, os.X_OK):
            raise RuntimeError("EID_APP must name eid-app (got %r)" % EID_APP)
        srv = started()
        try:
            state, account = self.level2_device(srv)
            r = srv.idp("client", "add", "--kind", "airport", "--name",
                        "San bay Tan Son Nhat")
            self.assertEqual(r.returncode, 0, r.stderr)
            airport = json.loads(r.stdout)
            auth = harness.basic_auth(airport["client_id"],
                                      airport["client_secret"])
            for rnd in range(ROUNDS):
                with self.subTest(round=rnd):
                    self.one_presentation_burst(srv, state, account, auth,
                                                airport)
        finally:
            srv.__exit__(None, None, None)


class RotationBase:
    """`idp keys rotate` (ROTATIONS times in a row) while TOTAL ID tokens
    are issued by WORKERS threads."""

    TOTAL = 1000
    ROTATIONS = 1
    WORKERS = 6
    ROTATE_AT = 250         # tokens begun before the rotation starts
    HOLD_BACK = 200         # tokens kept for after the pick-up
    PICKUP_SLACK = 10       # seconds allowed beyond KEYS_RELOAD_SECONDS
    ALGS = ("RS256", "EdDSA", "ES256")

    def setUp(self):
        if jwcrypto_jwk is None:
            raise RuntimeError("python3-jwcrypto is required")
        self.srv = started()
        self.addCleanup(self.srv.__exit__, None, None, None)
        self.citizen, = harness.citizens(self.srv, 1, seed=67)
        self.clients = [dict(harness.add_client(self.srv, "Cong " + alg,
                                                alg=alg), alg=alg)
                        for alg in self.ALGS]
        self.web = harness.WebClient(self.srv)
        for cl in self.clients:    # signs in once, consents once per portal
            self.exchange(self.web, cl)

    def exchange(self, web, client):
        """/authorize on a signed-in browser, then /token: (client, nonce,
        ID token)."""
        verifier, challenge = harness.pkce_pair()
        nonce = uuid.uuid4().hex
        q = urllib.parse.urlencode({
            "response_type": "code", "client_id": client["client_id"],
            "redirect_uri": RP, "scope": "openid profile", "state": "s",
            "nonce": nonce, "code_challenge": challenge,
            "code_challenge_method": "S256"})
        resp = web.authorize("/authorize?" + q, self.citizen)
        if resp.status != 303:
            raise AssertionError("no code: %r" % resp)
        code = harness.callback_params(resp.location)["code"]
        st, _, body = harness.form_post(
            self.srv, "/token", {"grant_type": "authorization_code",
                                 "code": code, "code_verifier": verifier,
                                 "redirect_uri": RP},
            auth=harness.basic_auth(client["client_id"],
                                    client["client_secret"]))
        if st != 200:
            raise AssertionError("token: %d %r" % (st, body))
        return client, nonce, body["id_token"]

    def jwks(self):
        st, _, data = self.srv.request("GET", "/jwks.json")
        self.assertEqual(st, 200, data)
        return data.decode()

    def published_kids(self):
        return {k["kid"] for k in json.loads(self.jwks())["keys"]}

    def current_kids(self):
        return {r[0] for r in harness.sql_rows(
            self.srv.db, "SELECT kid FROM signing_keys WHERE purpose = "
            "'id-token' AND retired_at IS NULL")}

    def verify_all(self, issued, jwks_text):
        """The problems of the issued tokens against one JWK Set: []."""
        keyset = jwcrypto_jwk.JWKSet.from_json(jwks_text)
        problems = []
        for client, nonce, token, _ in issued:
            header, claims, _, _ = harness.jws_parts(token)
            key = keyset.get_key(header["kid"])
            if key is None:
                problems.append("kid %s is not published" % header["kid"])
                continue
            sig = jwcrypto_jws.JWS()
            sig.deserialize(token)
            try:
                sig.verify(key, alg=client["alg"])
            except jwcrypto_jws.InvalidJWSSignature as e:
                problems.append("%s: %r" % (header["kid"], e))
                continue
            if (header["alg"], claims["aud"], claims["nonce"], claims["iss"]) != \
                    (client["alg"], client["client_id"], nonce, self.srv.base_url):
                problems.append("%r %r for %s" % (header, claims, client["alg"]))
        return problems

    def rotate(self):
        """`idp keys rotate`: the new kids, now the current ones."""
        r = self.srv.idp("keys", "rotate")
        self.assertEqual(r.returncode, 0, r.stderr)
        new = {k["kid"] for k in json.loads(r.stdout)["rotated"]}
        self.assertEqual(new, self.current_kids())
        return new

    def rotate_while_issuing(self):
        lock = threading.Lock()
        s = {"begun": 0, "picked_up": None, "errors": [], "stop": False}
        issued = []                 # (client, nonce, token, begun after pick-up)
        rotate_now = threading.Event()

        def ticket():
            """The next token's number, or None when none is left. The last
            HOLD_BACK wait for the pick-up; between the rotation and the
            pick-up each worker paces itself to spread its tokens."""
            while True:
                with lock:
                    if s["stop"] or s["errors"] or s["begun"] >= self.TOTAL:
                        return None
                    if s["picked_up"] is not None or \
                            s["begun"] < self.TOTAL - self.HOLD_BACK:
                        s["begun"] += 1
                        n, after = s["begun"], s["picked_up"] is not None
                        break
                time.sleep(0.1)
            if n == self.ROTATE_AT:
                rotate_now.set()
            elif rotate_now.is_set() and not after:
                time.sleep(0.15)
            return n, after

        def worker():
            web = harness.WebClient(self.srv)
            web.cookies = dict(self.web.cookies)
            try:
                while (t := ticket()) is not None:
                    got = self.exchange(web, self.clients[t[0] % 3])
                    with lock:
                        issued.append(got + (t[1],))
            except Exception as e:  # noqa: BLE001 - reported below
                with lock:
                    s["errors"].append(repr(e))

        old = self.current_kids()
        self.assertEqual(len(old), 3)
        self.assertTrue(old <= self.published_kids())
        threads = [threading.Thread(target=worker) for _ in range(self.WORKERS)]
        for t in threads:
            t.start()
        try:
            self.assertTrue(rotate_now.wait(timeout=scaled(120)), s["errors"])
            rotated_at = time.monotonic()
            between = set()     # made and retired before the server looked
            for _ in range(self.ROTATIONS - 1):
                between |= self.rotate()
            new = self.rotate()
            # The running server publishes the new keys by itself.
            deadline = rotated_at + KEYS_RELOAD_SECONDS + \
                scaled(self.PICKUP_SLACK)
            while not new <= self.published_kids():
                self.assertEqual(s["errors"], [])
                self.assertLess(time.monotonic(), deadline,
                                "new keys not published %.0f s after the "
                                "rotation" % (time.monotonic() - rotated_at))
                time.sleep(0.5)
            with lock:
                s["picked_up"] = time.monotonic() - rotated_at
        finally:
            with lock:      # ends the workers should the wait have failed
                s["stop"] = s["picked_up"] is None
            for t in threads:
                t.join(timeout=scaled(180))
        self.assertEqual(s["errors"], [])
        self.assertEqual(len(issued), self.TOTAL)

        final = self.jwks()
        problems = self.verify_all(issued, final)
        self.assertEqual(problems, [], "%d of %d tokens do not verify"
                         % (len(problems), len(issued)))
        published = {k["kid"] for k in json.loads(final)["keys"]}
        self.assertTrue(old | new <= published, (old, new, published))
        kids = collections.Counter(harness.jws_parts(tok)[0]["kid"]
                                   for _, _, tok, _ in issued)
        self.assertTrue(set(kids) <= old | between | new, kids)
        self.assertTrue(set(kids) & old, kids)
        # Every token begun after the pick-up is signed with a new key.
        late = collections.Counter(harness.jws_parts(tok)[0]["kid"]
                                   for _, _, tok, after in issued if after)
        self.assertGreaterEqual(sum(late.values()), self.HOLD_BACK)
        self.assertEqual(set(late), new, late)
        print("%d rotation(s): %d tokens, pick-up %.1f s after the rotation,"
              " kids %s" % (self.ROTATIONS, len(issued), s["picked_up"],
                            dict(kids)))


class KeyRotation(RotationBase, unittest.TestCase):
    def test_rotation_while_issuing(self):
        self.rotate_while_issuing()


class KeyRotationTwice(RotationBase, unittest.TestCase):
    """Two rotations in a row before the server reloads its keys: it goes
    on signing with the keys it holds, which the database then counts as
    neither current nor previous; the tokens it signs must still verify."""

    TOTAL = 150
    ROTATIONS = 2
    WORKERS = 3
    ROTATE_AT = 30
    HOLD_BACK = 30

    def test_two_rotations_while_issuing(self):
        self.rotate_while_issuing()


if __name__ == "__main__":
    harness.main()
