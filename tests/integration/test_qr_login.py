"""QR sign-in with the app (DESIGN.md sections 5, 6 and 9), against a real
server and the real `eid-app`: a level-2 account enrolled at the desk and
activated in the app; the login page's QR code and "open in the app" link
carry the same dinhdanh://login URI; `eid-app approve URI` signs the
browser in with acr urn:dinhdanh:loa:2 and amr ["swk"], once, only in the
browser that showed the code; `eid-app approve --deny` makes the page say
so; an authorization request with acr_values=urn:dinhdanh:loa:2 is met by
the QR sign-in (ID token verified with jwcrypto) and not by password + SMS
(unmet_authentication_requirements)."""

import json
import os
import secrets
import unittest
import urllib.parse

import harness
from harness import Server

from jwcrypto import jwk, jwt  # noqa: E402

EID_APP = os.environ.get("EID_APP", "")
LOA2 = "urn:dinhdanh:loa:2"
DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


class QrLogin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not EID_APP or not os.access(EID_APP, os.X_OK):
            raise RuntimeError("EID_APP must name the eid-app binary")
        cls.srv = Server(extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        try:
            cls.citizen = harness.citizens(cls.srv, 1)[0]
            cls.pid = harness.sql_rows(
                cls.srv.db, "SELECT personal_id FROM registry_people p "
                "WHERE status = 'living' AND card_expires_on > date('now') "
                "AND birth_date < '2005-01-01' AND NOT EXISTS (SELECT 1 FROM "
                "accounts a WHERE a.personal_id = p.personal_id) "
                "ORDER BY personal_id LIMIT 1")[0][0]
            cls.state = os.path.join(cls.srv.dir, "app.json")
            cls.enroll_app()
            cls.client = harness.add_client(cls.srv, "Cổng dịch vụ công",
                                            alg="EdDSA")
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    @classmethod
    def app(cls, *args, check=True):
        r = harness.run_wrapped([EID_APP, *args, "--state", cls.state,
                                 "--idp", cls.srv.base_url],
                                capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            raise AssertionError("eid-app %s: %s" % (args, r.stderr))
        return r

    @classmethod
    def enroll_app(cls):
        r = cls.srv.idp("officer", "add", "--name", "Trần Thị Bình",
                        "--office", "Công an Quận 1")
        token = json.loads(r.stdout)["token"]
        chip = cls.srv.idp("registry", "issue-card", cls.pid).stdout.strip()
        st, _, j = cls.srv.request_json("POST", "/v1/enrollments", {
            "chip_record": chip, "biometric_digest": DIGEST,
            "phone": "0912345678"}, {"Authorization": "Bearer " + token})
        if st != 201:
            raise AssertionError("enrollment: %d %r" % (st, j))
        cls.app("init")
        cls.app("activate", j["activation_code"])

    # -- helpers -------------------------------------------------------------

    def qr_uri(self, page):
        """The app link's URI, checked against the QR code's: same value."""
        m = harness.re.search(r'<p class="app-link"><a href="([^"]+)"', page.text)
        self.assertIsNotNone(m, page)
        uri = m.group(1).replace("&amp;", "&")
        self.assertTrue(uri.startswith("dinhdanh://login?tx="), uri)
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(uri).query))
        self.assertEqual(q["idp"], self.srv.base_url)
        self.assertIn("<svg", page.text)
        self.assertEqual(page.form("/login/qr/finish")[0]["tx"], q["tx"])
        return uri, q["tx"]

    def status(self, web, tx):
        r = web.fetch("GET", "/login/qr/status?tx=" + tx)
        return r.status, json.loads(r.body) if r.body else None

    def finish(self, web, page):
        return web.submit(page, "/login/qr/finish", {})

    # -- tests ---------------------------------------------------------------

    def test_approve_signs_in_this_browser_once(self):
        web, other = harness.WebClient(self.srv), harness.WebClient(self.srv)
        page = web.get("/login")
        self.assertEqual(page.status, 200)
        self.assertIn("HttpOnly", page.headers.get("Set-Cookie", "") +
                      "".join(page.headers.get_all("Set-Cookie") or []))
        uri, tx = self.qr_uri(page)
        self.assertEqual(self.status(web, tx), (200, {"status": "pending"}))
        out = self.app("approve", uri)
        self.assertIn("approved", out.stdout)
        self.assertEqual(self.status(web, tx), (200, {"status": "approved"}))
        # Another browser with the id learns nothing and gets nothing.
        st, j = self.status(other, tx)
        self.assertEqual(st, 404)
        self.assertNotIn("approved", json.dumps(j))
        other_page = other.get("/login")
        stolen = other.fetch("POST", "/login/qr/finish", {
            "csrf": other_page.form("/login")[0]["csrf"], "tx": tx})
        self.assertEqual(stolen.status, 303)
        self.assertEqual(stolen.location, "/login?qr=expired")
        self.assertNotIn("dd_session", other.cookies)
        # The browser that showed it.
        acc = self.finish(web, page)
        self.assertEqual(acc.status, 200, acc)
        self.assertEqual(acc.target, "/account")
        self.assertIn("dd_session", web.cookies)
        row = harness.sql_rows(self.srv.db, "SELECT amr, acr FROM sessions "
                               "ORDER BY created_at DESC LIMIT 1")
        self.assertEqual(row, [("swk", LOA2)])
        # Single use: the app and the browser both find it gone.
        again = self.app("approve", uri, check=False)
        self.assertNotEqual(again.returncode, 0)
        web2 = harness.WebClient(self.srv)
        web2.cookies = dict(web.cookies)
        del web2.cookies["dd_session"]
        self.assertEqual(self.finish(web2, page).target, "/login?qr=expired")
        log = self.srv.stderr_all()
        self.assertNotIn(tx, log)
        self.assertNotIn(web.cookies["dd_session"], log)

    def test_deny(self):
        web = harness.WebClient(self.srv)
        page = web.get("/login")
        uri, tx = self.qr_uri(page)
        out = self.app("approve", uri, "--deny")
        self.assertIn("denied", out.stdout)
        self.assertEqual(self.status(web, tx), (200, {"status": "denied"}))
        res = self.finish(web, page)
        self.assertEqual(res.target, "/login?qr=denied")
        self.assertIn('id="qr-denied" role="status">', res.text)
        self.assertNotIn("dd_session", web.cookies)

    def authorize_url(self, nonce):
        verifier, challenge = harness.pkce_pair()
        q = {"response_type": "code", "client_id": self.client["client_id"],
             "redirect_uri": harness.RP_REDIRECT_URI, "scope": "openid profile",
             "state": secrets.token_urlsafe(8), "nonce": nonce,
             "code_challenge": challenge, "code_challenge_method": "S256",
             "acr_values": LOA2}
        return "/authorize?" + urllib.parse.urlencode(q), verifier

    def test_oidc_loa2_by_qr(self):
        web = harness.WebClient(self.srv)
        nonce = secrets.token_urlsafe(16)
        url, verifier = self.authorize_url(nonce)
        page = web.get(url)
        self.assertIsNotNone(page.form("/login"), page)
        uri, tx = self.qr_uri(page)
        out = self.app("approve", uri)
        self.assertIn("Cổng dịch vụ công", out.stdout)
        page = self.finish(web, page)
        if page.form("/consent") is not None:
            page = web.submit(page, "/consent", {"decision": "allow"})
        self.assertEqual(page.status, 303, page)
        cb = harness.callback_params(page.location)
        self.assertIn("code", cb, cb)
        st, _, tok = harness.form_post(self.srv, "/token", {
            "grant_type": "authorization_code", "code": cb["code"],
            "redirect_uri": harness.RP_REDIRECT_URI, "code_verifier": verifier},
            auth=harness.basic_auth(self.client["client_id"],
                                    self.client["client_secret"]))
        self.assertEqual(st, 200, tok)
        st, _, body = self.srv.request("GET", "/jwks.json")
        keys = jwk.JWKSet.from_json(body.decode())
        claims = json.loads(jwt.JWT(jwt=tok["id_token"], key=keys,
                                    algs=["EdDSA"]).claims)
        self.assertEqual(claims["acr"], LOA2)
        self.assertEqual(claims["amr"], ["swk"])
        self.assertEqual(claims["nonce"], nonce)
        self.assertEqual(claims["aud"], self.client["client_id"])

    def test_oidc_loa2_not_by_password(self):
        web = harness.WebClient(self.srv)
        url, _ = self.authorize_url(secrets.token_urlsafe(16))
        page = web.get(url)
        self.assertIsNotNone(page.form("/login"), page)
        res = web.sign_in(page, self.citizen)
        self.assertEqual(res.status, 303, res)
        cb = harness.callback_params(res.location)
        self.assertEqual(cb.get("error"), "unmet_authentication_requirements", cb)


if __name__ == "__main__":
    harness.main()
