"""The authorization endpoint's refusals (DESIGN.md section 6): an unknown
client or an unregistered redirect URI (open-redirect attempts included) is
an error page with a 4xx status and never a redirect; every other error is
redirected to the registered URI with error, state and iss (RFC 9207):
missing or plain PKCE, response_type=token, a scope without openid,
prompt=none without a session or without consent, acr_values asking for
level 2 with prompt=none, a denied consent. prompt=login and max_age=0
force the login page even with a session."""

import unittest
import urllib.parse

import harness
from harness import Server

RP = harness.RP_REDIRECT_URI
LOA2 = "urn:dinhdanh:loa:2"


class Authorize(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        try:
            cls.citizen = harness.citizens(cls.srv, 1, seed=43)[0]
            cls.a = harness.add_client(cls.srv, "Cong A")
            cls.b = harness.add_client(cls.srv, "Cong B", alg="EdDSA")
            # One browser signed in, with consent given to client A only.
            cls.web = harness.WebClient(cls.srv)
            resp = cls.web.authorize(cls.url_for(cls.a), cls.citizen)
            if resp.status != 303 or "code=" not in (resp.location or ""):
                raise AssertionError("setup sign-in failed:\n%r" % resp)
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    @staticmethod
    def url_for(client, drop=(), **over):
        _, challenge = harness.pkce_pair()
        q = {"response_type": "code", "client_id": client["client_id"],
             "redirect_uri": RP, "scope": "openid profile",
             "state": "st-123", "nonce": "n-456",
             "code_challenge": challenge, "code_challenge_method": "S256"}
        q.update(over)
        for k in drop:
            q.pop(k, None)
        return "/authorize?" + urllib.parse.urlencode(q)

    def error_redirect(self, resp, error, state="st-123"):
        self.assertEqual(resp.status, 303, resp)
        self.assertTrue(resp.location.startswith(RP + "?"), resp.location)
        cb = harness.callback_params(resp.location)
        self.assertEqual(cb.get("error"), error, resp.location)
        self.assertNotIn("code", cb)
        self.assertEqual(cb.get("iss"), self.srv.base_url)
        if state is not None:
            self.assertEqual(cb.get("state"), state)
        return cb

    def error_page(self, resp):
        self.assertIn(resp.status, (400, 401, 403, 404), resp)
        self.assertIsNone(resp.location, resp)
        self.assertIn("text/html", resp.headers.get("Content-Type") or "")
        self.assertEqual(resp.headers.get("X-Frame-Options"), "DENY")
        self.assertIsNotNone(resp.headers.get("Content-Security-Policy"))

    # -- never a redirect --------------------------------------------------------

    def test_unregistered_redirect_is_an_error_page(self):
        fresh = harness.WebClient(self.srv)
        for uri in (RP + "/extra", RP + "?x=1", RP + "#frag", RP + "/../cb",
                    "https://evil.example/cb", "https://rp.example.test.evil.example/cb",
                    "https://rp.example.test@evil.example/cb",
                    "HTTPS://RP.EXAMPLE.TEST/cb", "javascript:alert(1)",
                    "//evil.example/cb", "/cb", "", "data:text/html,x",
                    "https://rp.example.test/cb%2F..%2Fevil"):
            for web in (self.web, fresh):
                with self.subTest(uri=uri, signed_in=web is self.web):
                    resp = web.fetch("GET", self.url_for(self.a, redirect_uri=uri))
                    self.assertEqual(resp.status, 400, resp)
                    self.error_page(resp)
        # Missing redirect_uri, unknown client, client missing.
        for url in (self.url_for(self.a, drop=("redirect_uri",)),
                    self.url_for({"client_id": "no-such-client"}),
                    self.url_for(self.a, drop=("client_id",))):
            with self.subTest(url=url):
                resp = fresh.fetch("GET", url)
                self.assertEqual(resp.status, 400, resp)
                self.error_page(resp)
        # Another client's registered URI is not this client's.
        other = harness.add_client(self.srv, "Cong C",
                                   redirect_uris=("https://c.example.test/cb",))
        resp = fresh.fetch("GET", self.url_for(
            self.a, redirect_uri="https://c.example.test/cb"))
        self.assertEqual(resp.status, 400, resp)
        self.error_page(resp)
        self.assertTrue(other["client_id"])

    def test_invalid_request_and_bad_redirect_prefers_the_page(self):
        # Both a bad redirect URI and missing PKCE: the page, not a redirect.
        resp = self.web.fetch("GET", self.url_for(
            self.a, redirect_uri="https://evil.example/cb",
            drop=("code_challenge", "code_challenge_method")))
        self.assertEqual(resp.status, 400, resp)
        self.error_page(resp)

    # -- errors redirected to the client --------------------------------------------

    def test_pkce_required(self):
        fresh = harness.WebClient(self.srv)
        self.error_redirect(fresh.fetch("GET", self.url_for(
            self.a, drop=("code_challenge", "code_challenge_method"))),
            "invalid_request")
        self.error_redirect(fresh.fetch("GET", self.url_for(
            self.a, drop=("code_challenge_method",))), "invalid_request")
        verifier, _ = harness.pkce_pair()
        self.error_redirect(fresh.fetch("GET", self.url_for(
            self.a, code_challenge=verifier, code_challenge_method="plain")),
            "invalid_request")
        # Signed in with consent: still refused, and no code.
        self.error_redirect(self.web.fetch("GET", self.url_for(
            self.a, code_challenge_method="plain")), "invalid_request")

    def test_response_type_and_scope(self):
        fresh = harness.WebClient(self.srv)
        for rt in ("token", "id_token", "code id_token", "code token"):
            with self.subTest(rt=rt):
                self.error_redirect(fresh.fetch("GET", self.url_for(
                    self.a, response_type=rt)), "unsupported_response_type")
        self.error_redirect(fresh.fetch("GET", self.url_for(
            self.a, scope="profile personal_id")), "invalid_scope")
        self.error_redirect(self.web.fetch("GET", self.url_for(
            self.a, scope="profile")), "invalid_scope")
        # No state asked: none returned.
        cb = self.error_redirect(fresh.fetch("GET", self.url_for(
            self.a, response_type="token", drop=("state",))),
            "unsupported_response_type", state=None)
        self.assertNotIn("state", cb)

    def test_prompt_none_without_session(self):
        fresh = harness.WebClient(self.srv)
        resp = fresh.fetch("GET", self.url_for(self.a, prompt="none"))
        self.error_redirect(resp, "login_required")

    def test_prompt_none_without_consent(self):
        resp = self.web.fetch("GET", self.url_for(self.b, prompt="none"))
        self.error_redirect(resp, "consent_required")
        # With consent (client A) and a session: straight back with a code.
        resp = self.web.fetch("GET", self.url_for(self.a, prompt="none"))
        self.assertEqual(resp.status, 303, resp)
        cb = harness.callback_params(resp.location)
        self.assertIn("code", cb, resp.location)
        self.assertEqual(cb.get("state"), "st-123")
        self.assertEqual(cb.get("iss"), self.srv.base_url)
        # More scope than consented: consent_required again.
        resp = self.web.fetch("GET", self.url_for(
            self.a, prompt="none", scope="openid profile personal_id"))
        self.error_redirect(resp, "consent_required")

    def test_prompt_login_forces_the_login_page(self):
        resp = self.web.get(self.url_for(self.a, prompt="login"))
        self.assertEqual(resp.status, 200, resp)
        self.assertIsNotNone(resp.form("/login"), resp)
        resp = self.web.authorize(self.url_for(self.a, prompt="login"), self.citizen)
        self.assertEqual(self.web.seen, ["login", "code"])
        self.assertIn("code", harness.callback_params(resp.location))

    def test_max_age_zero_forces_the_login_page(self):
        # max_age=0 is prompt=login (OIDC Core 3.1.2.1): even a sign-in of
        # this very second is not fresh enough.
        web = harness.WebClient(self.srv)
        web.authorize(self.url_for(self.a), self.citizen)
        resp = web.get(self.url_for(self.a, max_age="0"))
        self.assertEqual(resp.status, 200, resp)
        self.assertIsNotNone(resp.form("/login"), resp)
        resp = self.web.get(self.url_for(self.a, max_age="0"))
        self.assertEqual(resp.status, 200, resp)
        self.assertIsNotNone(resp.form("/login"), resp)
        # Signing in again ends with a code (no loop back to the login page).
        resp = self.web.authorize(self.url_for(self.a, max_age="0"), self.citizen)
        self.assertEqual(self.web.seen, ["login", "code"])
        self.assertIn("code", harness.callback_params(resp.location or ""), resp)
        # A large max_age does not.
        resp = self.web.fetch("GET", self.url_for(self.a, max_age="86400"))
        self.assertEqual(resp.status, 303, resp)
        self.assertIn("code", harness.callback_params(resp.location))
        self.error_redirect(self.web.fetch("GET", self.url_for(
            self.a, max_age="-1")), "invalid_request")

    def test_level2_with_prompt_none(self):
        resp = self.web.fetch("GET", self.url_for(
            self.a, prompt="none", acr_values=LOA2))
        self.error_redirect(resp, "unmet_authentication_requirements")
        # Without prompt=none a password sign-in is not enough either: never a code.
        resp = self.web.authorize(self.url_for(self.a, acr_values=LOA2), self.citizen)
        if resp.status == 303:
            self.assertNotIn("code", harness.callback_params(resp.location),
                             resp.location)

    def test_consent_denied(self):
        web = harness.WebClient(self.srv)
        resp = web.authorize(self.url_for(self.b, scope="openid personal_id"),
                             self.citizen, decision="deny")
        self.assertEqual(web.seen, ["login", "code", "consent"])
        self.error_redirect(resp, "access_denied")
        # Nothing remembered: the next prompt=none still needs consent.
        self.error_redirect(web.fetch("GET", self.url_for(
            self.b, scope="openid personal_id", prompt="none")), "consent_required")

    def test_prompt_consent_asks_again(self):
        web = harness.WebClient(self.srv)
        web.authorize(self.url_for(self.a), self.citizen)
        resp = web.authorize(self.url_for(self.a, prompt="consent"), self.citizen)
        self.assertEqual(web.seen, ["consent"])
        self.assertIn("code", harness.callback_params(resp.location))


if __name__ == "__main__":
    harness.main()
