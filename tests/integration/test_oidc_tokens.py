"""The token side's refusals and rules (DESIGN.md section 6): PKCE verifier
checked, codes single-use (a reused code revokes what it issued), bound to
their client and redirect URI, short-lived; client authentication failures
are 401 invalid_client (with WWW-Authenticate for Basic); refresh tokens
rotate and a reused one revokes its family; revocation and introspection;
userinfo refuses bad tokens with WWW-Authenticate and always shows the
registry as it is now; the pairwise sub; logout refuses a tampered
id_token_hint.

Expiry of a code by time: the server's clock cannot be moved from outside,
so the test ages the code in the database (its expires_at) instead of
sleeping 60 s."""

import sqlite3
import time
import unittest
import urllib.parse

import harness
from harness import Server

RP = harness.RP_REDIRECT_URI


class Tokens(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        try:
            cls.citizen, cls.other = harness.citizens(cls.srv, 2, seed=47)
            cls.a = harness.add_client(cls.srv, "Cong A")
            cls.b = harness.add_client(cls.srv, "Cong B", alg="ES256")
            cls.web = harness.WebClient(cls.srv)
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    # -- helpers -----------------------------------------------------------------

    def code(self, client, web=None, citizen=None, **over):
        """A fresh code for `client`: (code, verifier)."""
        return (web or self.web).code(client["client_id"],
                                      citizen or self.citizen, **over)

    def token(self, client, fields, how="basic"):
        if how == "basic":
            return harness.form_post(self.srv, "/token", fields,
                                     auth=harness.basic_auth(client["client_id"],
                                                             client["client_secret"]))
        return harness.form_post(self.srv, "/token", dict(
            fields, client_id=client["client_id"],
            client_secret=client["client_secret"]))

    def exchange(self, client, code, verifier, how="basic", redirect_uri=RP):
        return self.token(client, {"grant_type": "authorization_code",
                                   "code": code, "code_verifier": verifier,
                                   "redirect_uri": redirect_uri}, how)

    def tokens(self, client=None, **kw):
        client = client or self.a
        code, verifier = self.code(client, **kw)
        st, _, body = self.exchange(client, code, verifier)
        self.assertEqual(st, 200, body)
        return body

    def refresh(self, client, rt):
        return self.token(client, {"grant_type": "refresh_token",
                                   "refresh_token": rt})

    def userinfo(self, access):
        return self.srv.request_json("GET", "/userinfo", headers={
            "Authorization": "Bearer " + access})

    def introspect(self, client, token):
        st, _, body = harness.form_post(
            self.srv, "/introspect", {"token": token},
            auth=harness.basic_auth(client["client_id"], client["client_secret"]))
        self.assertEqual(st, 200, body)
        return body

    def assert_grant_error(self, res, error="invalid_grant"):
        st, _, body = res
        self.assertEqual(st, 400, body)
        self.assertEqual(body["error"], error, body)
        self.assertNotIn("access_token", body)

    # -- codes ---------------------------------------------------------------------

    def test_wrong_verifier(self):
        code, verifier = self.code(self.a)
        other, _ = harness.pkce_pair()
        self.assert_grant_error(self.exchange(self.a, code, other))
        st, _, body = self.token(self.a, {"grant_type": "authorization_code",
                                          "code": code, "redirect_uri": RP})
        self.assertEqual(st, 400, body)
        self.assertIn(body["error"], ("invalid_request", "invalid_grant"))

    def test_code_reuse_revokes_what_it_issued(self):
        code, verifier = self.code(self.a)
        st, _, first = self.exchange(self.a, code, verifier)
        self.assertEqual(st, 200, first)
        self.assertEqual(self.userinfo(first["access_token"])[0], 200)
        self.assert_grant_error(self.exchange(self.a, code, verifier))
        st, hdrs, _ = self.userinfo(first["access_token"])
        self.assertEqual(st, 401)
        self.assert_grant_error(self.refresh(self.a, first["refresh_token"]))
        self.assertFalse(self.introspect(self.a, first["access_token"])["active"])

    def test_code_bound_to_client_and_redirect(self):
        code, verifier = self.code(self.a)
        self.assert_grant_error(self.exchange(self.b, code, verifier))
        code, verifier = self.code(self.a)
        self.assert_grant_error(self.exchange(self.a, code, verifier,
                                              redirect_uri=RP + "/other"))
        bogus, _ = harness.pkce_pair()
        self.assert_grant_error(self.exchange(self.a, bogus, verifier))

    def test_expired_code(self):
        code, verifier = self.code(self.a)
        con = sqlite3.connect(self.srv.db, timeout=30)
        try:
            with con:
                n = con.execute("UPDATE authz_codes SET expires_at = expires_at - 61 "
                                "WHERE used_at IS NULL").rowcount
        finally:
            con.close()
        self.assertGreaterEqual(n, 1)
        self.assert_grant_error(self.exchange(self.a, code, verifier))

    def test_client_authentication(self):
        code, verifier = self.code(self.a)
        fields = {"grant_type": "authorization_code", "code": code,
                  "code_verifier": verifier, "redirect_uri": RP}
        st, hdrs, body = harness.form_post(
            self.srv, "/token", fields,
            auth=harness.basic_auth(self.a["client_id"], "wrong-secret"))
        self.assertEqual(st, 401, body)
        self.assertEqual(body["error"], "invalid_client")
        self.assertIn("Basic", hdrs.get("WWW-Authenticate") or "")
        st, _, body = harness.form_post(self.srv, "/token", dict(
            fields, client_id=self.a["client_id"], client_secret="wrong"))
        self.assertEqual(st, 401, body)
        self.assertEqual(body["error"], "invalid_client")
        st, _, body = harness.form_post(self.srv, "/token", fields)
        self.assertEqual(st, 401, body)
        self.assertEqual(body["error"], "invalid_client")
        # Another client's secret under this client's id.
        st, _, body = harness.form_post(
            self.srv, "/token", fields,
            auth=harness.basic_auth(self.a["client_id"], self.b["client_secret"]))
        self.assertEqual(st, 401, body)
        # The code survived the failed attempts; post auth works.
        st, _, body = self.exchange(self.a, code, verifier, how="post")
        self.assertEqual(st, 200, body)
        self.assertEqual(body["token_type"], "Bearer")
        for bad in ({"grant_type": "password", "username": "x", "password": "y"},
                    {"grant_type": "client_credentials"}):
            st, _, body = self.token(self.a, bad)
            self.assertEqual(st, 400, body)
            self.assertEqual(body["error"], "unsupported_grant_type")

    def test_basic_auth_credentials_are_form_encoded(self):
        # RFC 6749 2.3.1: client_secret_basic sends the id and the secret
        # application/x-www-form-urlencoded, then Base64; libraries such as
        # openid-client percent-encode "-" and "_" too. The server decodes.
        code, verifier = self.code(self.a)
        enc = lambda s: "".join(c if c.isalnum() else "%%%02X" % ord(c) for c in s)
        st, hdrs, body = harness.form_post(
            self.srv, "/token", {"grant_type": "authorization_code", "code": code,
                                 "code_verifier": verifier, "redirect_uri": RP},
            auth=harness.basic_auth(enc(self.a["client_id"]),
                                    enc(self.a["client_secret"])))
        self.assertEqual(st, 200, (self.a["client_id"], body))

    # -- refresh, revocation, introspection ------------------------------------------

    def test_refresh_rotation_and_family_revocation(self):
        t = self.tokens()
        st, _, t2 = self.refresh(self.a, t["refresh_token"])
        self.assertEqual(st, 200, t2)
        self.assertNotEqual(t2["refresh_token"], t["refresh_token"])
        st, _, t3 = self.refresh(self.a, t2["refresh_token"])
        self.assertEqual(st, 200, t3)
        self.assertEqual(self.userinfo(t3["access_token"])[0], 200)
        # The spent t2 again: refused, and the whole family is revoked.
        self.assert_grant_error(self.refresh(self.a, t2["refresh_token"]))
        self.assert_grant_error(self.refresh(self.a, t3["refresh_token"]))
        self.assertEqual(self.userinfo(t3["access_token"])[0], 401)
        self.assertFalse(self.introspect(self.a, t3["access_token"])["active"])
        # Another client cannot use this client's refresh token.
        t = self.tokens()
        self.assert_grant_error(self.refresh(self.b, t["refresh_token"]))

    def test_userinfo_recorded_once_per_token(self):
        """Each release is in the citizen's disclosure log; asking again
        with the same access token releases nothing new and adds no row.
        (Times are in seconds: a token issued in the second of an earlier
        record of the same release shares it, hence the pauses.)"""
        def rows():
            con = sqlite3.connect(self.srv.db, timeout=30)
            try:
                return con.execute("SELECT count(*) FROM disclosures WHERE "
                                   "channel = 'userinfo'").fetchone()[0]
            finally:
                con.close()
        time.sleep(1.05)
        t = self.tokens()
        before = rows()
        for _ in range(3):
            st, _, claims = self.userinfo(t["access_token"])
            self.assertEqual(st, 200, claims)
            self.assertIn("name", claims)
        self.assertEqual(rows(), before + 1)
        time.sleep(1.05)
        t2 = self.tokens()
        self.assertEqual(self.userinfo(t2["access_token"])[0], 200)
        self.assertEqual(rows(), before + 2)

    def test_no_refresh_without_offline_access(self):
        t = self.tokens(scope="openid profile")
        self.assertNotIn("refresh_token", t)
        self.assertEqual(t["scope"], "openid profile")

    def test_revoking_refresh_kills_access(self):
        t = self.tokens()
        self.assertTrue(self.introspect(self.a, t["access_token"])["active"])
        # Another client's revocation does nothing (RFC 7009: still 200).
        st, _, _ = harness.form_post(
            self.srv, "/revoke", {"token": t["refresh_token"]},
            auth=harness.basic_auth(self.b["client_id"], self.b["client_secret"]))
        self.assertEqual(st, 200)
        self.assertTrue(self.introspect(self.a, t["access_token"])["active"])
        st, _, _ = harness.form_post(
            self.srv, "/revoke", {"token": t["refresh_token"],
                                  "token_type_hint": "refresh_token"},
            auth=harness.basic_auth(self.a["client_id"], self.a["client_secret"]))
        self.assertEqual(st, 200)
        self.assertFalse(self.introspect(self.a, t["access_token"])["active"])
        self.assertFalse(self.introspect(self.a, t["refresh_token"])["active"])
        self.assertEqual(self.userinfo(t["access_token"])[0], 401)
        self.assert_grant_error(self.refresh(self.a, t["refresh_token"]))
        # Revoking an access token ends that token.
        t = self.tokens()
        st, _, _ = harness.form_post(
            self.srv, "/revoke", {"token": t["access_token"]},
            auth=harness.basic_auth(self.a["client_id"], self.a["client_secret"]))
        self.assertEqual(st, 200)
        self.assertEqual(self.userinfo(t["access_token"])[0], 401)
        # Revocation needs client authentication.
        st, _, body = harness.form_post(self.srv, "/revoke", {"token": "x"},
                                        auth=harness.basic_auth(self.a["client_id"], "no"))
        self.assertEqual(st, 401, body)

    def test_introspection_by_another_client(self):
        t = self.tokens()
        mine = self.introspect(self.a, t["access_token"])
        self.assertTrue(mine["active"])
        self.assertEqual(self.introspect(self.b, t["access_token"]), {"active": False})
        self.assertEqual(self.introspect(self.b, t["refresh_token"]), {"active": False})
        self.assertEqual(self.introspect(self.a, "not-a-token"), {"active": False})
        st, _, body = harness.form_post(self.srv, "/introspect",
                                        {"token": t["access_token"]})
        self.assertEqual(st, 401, body)

    # -- userinfo ------------------------------------------------------------------------

    def test_userinfo_bad_token(self):
        for h in ({"Authorization": "Bearer not-a-real-token"},
                  {"Authorization": "Bearer "}, {},
                  {"Authorization": "Basic " + "eDp5"}):
            with self.subTest(h=h):
                st, hdrs, body = self.srv.request_json("GET", "/userinfo", headers=h)
                self.assertEqual(st, 401, body)
                self.assertTrue((hdrs.get("WWW-Authenticate") or "")
                                .startswith("Bearer"), hdrs)
        # An ID token is not an access token.
        t = self.tokens()
        self.assertEqual(self.userinfo(t["id_token"])[0], 401)

    def test_claims_are_current(self):
        t = self.tokens()
        st, _, ui = self.userinfo(t["access_token"])
        self.assertEqual(ui["name"], self.citizen["name"])
        new_name = "Trần Thị Đổi Tên"
        r = self.srv.idp("registry", "event", "--type", "name_changed",
                         self.citizen["pid"], "--set", "full_name=" + new_name)
        self.assertEqual(r.returncode, 0, r.stderr)
        st, _, ui = self.userinfo(t["access_token"])
        self.assertEqual(st, 200)
        self.assertEqual(ui["name"], new_name)
        type(self).citizen = dict(self.citizen, name=new_name)

    # -- pairwise subject ----------------------------------------------------------------

    def test_pairwise_sub(self):
        ta = self.tokens(self.a)
        tb = self.tokens(self.b)
        sub_a = harness.jws_parts(ta["id_token"])[1]["sub"]
        sub_b = harness.jws_parts(tb["id_token"])[1]["sub"]
        self.assertNotEqual(sub_a, sub_b)
        self.assertEqual(self.userinfo(ta["access_token"])[2]["sub"], sub_a)
        self.assertEqual(self.userinfo(tb["access_token"])[2]["sub"], sub_b)
        # Stable across sign-ins: a new browser, a new login.
        web = harness.WebClient(self.srv)
        code, verifier = self.code(self.a, web=web)
        st, _, again = self.exchange(self.a, code, verifier)
        self.assertEqual(harness.jws_parts(again["id_token"])[1]["sub"], sub_a)
        # Another citizen, another sub.
        web = harness.WebClient(self.srv)
        code, verifier = self.code(self.a, web=web, citizen=self.other)
        st, _, theirs = self.exchange(self.a, code, verifier)
        self.assertNotEqual(harness.jws_parts(theirs["id_token"])[1]["sub"], sub_a)

    # -- logout ----------------------------------------------------------------------------

    def test_logout_refuses_bad_hints(self):
        t = self.tokens()
        h, p, s = t["id_token"].split(".")
        claims = harness.jws_parts(t["id_token"])[1]
        claims["aud"] = self.b["client_id"]
        import base64
        import json
        forged_p = base64.urlsafe_b64encode(json.dumps(claims).encode()) \
            .rstrip(b"=").decode()
        sig = bytearray(harness.b64url_decode(s))
        sig[0] ^= 1
        flipped = base64.urlsafe_b64encode(bytes(sig)).rstrip(b"=").decode()
        for hint in ("%s.%s.%s" % (h, forged_p, s), "%s.%s.%s" % (h, p, flipped),
                     "%s.%s." % (h, p), "garbage", "a.b.c"):
            with self.subTest(hint=hint[:30]):
                q = urllib.parse.urlencode({
                    "id_token_hint": hint,
                    "post_logout_redirect_uri": harness.RP_POST_LOGOUT_URI})
                resp = self.web.fetch("GET", "/logout?" + q)
                self.assertEqual(resp.status, 400, resp)
                self.assertIsNone(resp.location)
        # A good hint with an unregistered URI: the page refuses too.
        for uri in ("https://evil.example/bye", RP, harness.RP_POST_LOGOUT_URI + "/x"):
            q = urllib.parse.urlencode({"id_token_hint": t["id_token"],
                                        "post_logout_redirect_uri": uri})
            resp = self.web.fetch("GET", "/logout?" + q)
            self.assertEqual(resp.status, 400, resp)
            self.assertIsNone(resp.location)
        # The session survived all that.
        self.tokens()


if __name__ == "__main__":
    harness.main()
