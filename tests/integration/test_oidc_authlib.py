"""Interop: Python authlib (python3-authlib, requests client) as the relying
party, jwcrypto as the ID-token verifier (DESIGN.md section 6). For each ID
token algorithm (RS256, EdDSA, ES256) against a fresh server: discovery, the
authorization-code flow with PKCE S256 (the browser part driven by
harness.WebClient), state and iss (RFC 9207) in the callback, the ID token
verified against the JWKS with its nonce, userinfo, refresh, introspection,
revocation and RP-initiated logout. The RS256 server also rotates its keys
and is restarted on the same database: the JWKS then carries the old and
the new keys."""

import json
import os
import secrets
import unittest
import urllib.parse

import harness
from harness import Server

os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"   # the server is on loopback http

from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.oauth2.rfc7636 import create_s256_code_challenge  # noqa: E402
from jwcrypto import jwk, jws, jwt  # noqa: E402

KTY = {"RS256": "RSA", "EdDSA": "OKP", "ES256": "EC"}


class FlowBase:
    ALG = None
    AUTH = "client_secret_basic"

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        try:
            cls.citizen = harness.citizens(cls.srv, 1)[0]
            cls.client = harness.add_client(cls.srv, "Cong dich vu " + cls.ALG,
                                            alg=cls.ALG)
            cls.web = harness.WebClient(cls.srv)
            st, _, cls.meta = cls.srv.request_json(
                "GET", "/.well-known/openid-configuration")
            if st != 200:
                raise AssertionError("discovery: %d" % st)
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    # -- helpers ---------------------------------------------------------------

    def session(self, **kw):
        sess = OAuth2Session(self.client["client_id"], self.client["client_secret"],
                             scope=harness.RP_SCOPE,
                             redirect_uri=harness.RP_REDIRECT_URI,
                             code_challenge_method="S256",
                             token_endpoint_auth_method=self.AUTH, **kw)
        self.addCleanup(sess.close)
        return sess

    def jwks(self):
        st, hdrs, body = self.srv.request("GET", "/jwks.json")
        self.assertEqual(st, 200)
        return jwk.JWKSet.from_json(body.decode())

    def verify(self, id_token, nonce=None):
        """The ID token's claims, its signature checked with jwcrypto."""
        header, payload, _, _ = harness.jws_parts(id_token)
        self.assertEqual(header["alg"], self.ALG)
        keys = self.jwks()
        key = keys.get_key(header["kid"])
        self.assertIsNotNone(key, "kid %s not in the JWKS" % header["kid"])
        self.assertEqual(key.export_public(as_dict=True)["kty"], KTY[self.ALG])
        tok = jwt.JWT(jwt=id_token, key=keys, algs=[self.ALG])
        claims = json.loads(tok.claims)
        self.assertEqual(claims, payload)
        # A flipped signature byte fails.
        h, p, sig = id_token.split(".")
        raw = bytearray(harness.b64url_decode(sig))
        raw[len(raw) // 2] ^= 1
        import base64
        bad = "%s.%s.%s" % (h, p, base64.urlsafe_b64encode(bytes(raw))
                            .rstrip(b"=").decode())
        with self.assertRaises(Exception):
            jwt.JWT(jwt=bad, key=keys, algs=[self.ALG])
        self.assertEqual(claims["iss"], self.srv.base_url)
        self.assertEqual(claims["aud"], self.client["client_id"])
        self.assertEqual(claims["azp"], self.client["client_id"])
        self.assertGreater(claims["exp"], claims["iat"])
        self.assertLessEqual(claims["auth_time"], claims["iat"])
        self.assertEqual(claims["acr"], "urn:dinhdanh:loa:1")
        self.assertIn("pwd", claims["amr"])
        self.assertRegex(claims["sub"], r"^[A-Za-z0-9_-]{20,}$")
        self.assertNotIn(self.citizen["pid"], claims["sub"])
        if nonce is not None:
            self.assertEqual(claims.get("nonce"), nonce)
        return claims

    def code_flow(self, sess=None, expect_pages=None):
        """authorize -> callback -> tokens; returns (session, token, nonce)."""
        sess = sess or self.session()
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(16)
        url, state = sess.create_authorization_url(
            self.meta["authorization_endpoint"], code_verifier=verifier,
            nonce=nonce)
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        self.assertEqual(q["code_challenge"], create_s256_code_challenge(verifier))
        self.assertEqual(q["code_challenge_method"], "S256")
        resp = self.web.authorize(url, self.citizen)
        self.assertEqual(resp.status, 303, resp)
        self.assertTrue(resp.location.startswith(harness.RP_REDIRECT_URI + "?"),
                        resp.location)
        if expect_pages is not None:
            self.assertEqual(self.web.seen, expect_pages)
        cb = harness.callback_params(resp.location)
        self.assertEqual(cb["state"], state)
        self.assertEqual(cb["iss"], self.srv.base_url)       # RFC 9207
        self.assertNotIn("error", cb)
        token = sess.fetch_token(self.meta["token_endpoint"],
                                 authorization_response=resp.location,
                                 code_verifier=verifier)
        return sess, token, nonce

    def userinfo(self, access):
        return self.srv.request_json("GET", "/userinfo", headers={
            "Authorization": "Bearer " + access})

    def introspect(self, token):
        return harness.form_post(self.srv, "/introspect", {"token": token},
                                 auth=harness.basic_auth(
                                     self.client["client_id"],
                                     self.client["client_secret"]))[2]

    # -- tests -----------------------------------------------------------------

    def test_discovery(self):
        m = self.meta
        self.assertEqual(m["issuer"], self.srv.base_url)
        for k, path in (("authorization_endpoint", "/authorize"),
                        ("token_endpoint", "/token"),
                        ("userinfo_endpoint", "/userinfo"),
                        ("jwks_uri", "/jwks.json"),
                        ("revocation_endpoint", "/revoke"),
                        ("introspection_endpoint", "/introspect"),
                        ("end_session_endpoint", "/logout")):
            self.assertEqual(m[k], self.srv.base_url + path)
        self.assertEqual(m["response_types_supported"], ["code"])
        self.assertEqual(m["code_challenge_methods_supported"], ["S256"])
        self.assertIn(self.ALG, m["id_token_signing_alg_values_supported"])
        self.assertEqual(m["subject_types_supported"], ["pairwise"])
        self.assertTrue(m["authorization_response_iss_parameter_supported"])
        self.assertEqual(set(m["token_endpoint_auth_methods_supported"]),
                         {"client_secret_basic", "client_secret_post"})
        keys = self.jwks()
        algs = {k.export_public(as_dict=True).get("alg") for k in keys["keys"]}
        self.assertTrue({"RS256", "EdDSA", "ES256"} <= algs, algs)
        st, _, raw = self.srv.request_json("GET", "/jwks.json")
        for k in raw["keys"]:
            self.assertIn("kid", k)
            for private in ("d", "p", "q", "dp", "dq", "qi"):
                self.assertNotIn(private, k)

    def test_full_flow(self):
        sess, token, nonce = self.code_flow(
            expect_pages=["login", "code", "consent"])
        self.assertEqual(token["token_type"], "Bearer")
        self.assertEqual(token["expires_in"], 600)
        self.assertIn("refresh_token", token)
        self.assertEqual(set(token["scope"].split()), set(harness.RP_SCOPE.split()))
        claims = self.verify(token["id_token"], nonce)

        # userinfo through the session (authlib adds the bearer token).
        r = sess.get(self.meta["userinfo_endpoint"])
        self.assertEqual(r.status_code, 200, r.text)
        ui = r.json()
        self.assertEqual(ui["sub"], claims["sub"])
        self.assertEqual(ui["name"], self.citizen["name"])
        self.assertEqual(ui["birthdate"], self.citizen["birth"])
        self.assertEqual(ui["personal_id"], self.citizen["pid"])
        self.assertIn("gender", ui)
        self.assertTrue(ui["address"]["formatted"])
        self.assertTrue(ui["phone_number"].endswith(self.citizen["phone"][1:]),
                        ui["phone_number"])

        # Introspection: active, this client, the same pairwise subject.
        info = self.introspect(token["access_token"])
        self.assertTrue(info["active"], info)
        self.assertEqual(info["client_id"], self.client["client_id"])
        self.assertEqual(info["sub"], claims["sub"])

        # Refresh: new access and refresh tokens, a new verified ID token.
        new = sess.refresh_token(self.meta["token_endpoint"],
                                 refresh_token=token["refresh_token"])
        self.assertNotEqual(new["access_token"], token["access_token"])
        self.assertNotEqual(new["refresh_token"], token["refresh_token"])
        again = self.verify(new["id_token"])
        self.assertEqual(again["sub"], claims["sub"])
        st, _, ui2 = self.userinfo(new["access_token"])
        self.assertEqual(st, 200)
        self.assertEqual(ui2["sub"], claims["sub"])

        # Revoking the refresh token ends its family.
        r = sess.revoke_token(self.meta["revocation_endpoint"],
                              new["refresh_token"],
                              token_type_hint="refresh_token")
        self.assertEqual(r.status_code, 200, r.text)
        self.assertFalse(self.introspect(new["access_token"])["active"])
        self.assertFalse(self.introspect(new["refresh_token"])["active"])
        st, hdrs, _ = self.userinfo(new["access_token"])
        self.assertEqual(st, 401)
        self.assertIn("Bearer", hdrs.get("WWW-Authenticate") or "")

        # A second authorization: session and consent remembered, no pages.
        _, token2, nonce2 = self.code_flow(expect_pages=[])
        self.verify(token2["id_token"], nonce2)

        # RP-initiated logout back to the registered URI with state.
        q = urllib.parse.urlencode({
            "id_token_hint": token2["id_token"],
            "post_logout_redirect_uri": harness.RP_POST_LOGOUT_URI,
            "state": "tam-biet"})
        page = self.web.get(self.meta["end_session_endpoint"] + "?" + q)
        self.assertEqual(page.status, 200, page)
        self.assertIsNotNone(page.form("/logout"), page)
        out = self.web.submit(page, "/logout", {})
        self.assertEqual(out.status, 303, out)
        self.assertEqual(out.location, harness.RP_POST_LOGOUT_URI + "?state=tam-biet")
        # The session is over: prompt=none now answers login_required.
        url, state = self.session().create_authorization_url(
            self.meta["authorization_endpoint"],
            code_verifier=secrets.token_urlsafe(48), prompt="none")
        resp = self.web.authorize(url)
        self.assertEqual(resp.status, 303, resp)
        cb = harness.callback_params(resp.location)
        self.assertEqual(cb.get("error"), "login_required", resp.location)
        self.assertEqual(cb.get("state"), state)


class RS256(FlowBase, unittest.TestCase):
    ALG = "RS256"

    def test_key_rotation(self):
        _, token, nonce = self.code_flow()
        old_kid = harness.jws_parts(token["id_token"])[0]["kid"]
        r = self.srv.idp("keys", "rotate")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.srv.restart()
        kids = {k.export_public(as_dict=True)["kid"] for k in self.jwks()["keys"]}
        self.assertIn(old_kid, kids)
        self.verify(token["id_token"], nonce)         # still verifiable
        self.web = harness.WebClient(self.srv)        # start signed out
        type(self).web = self.web
        _, token2, nonce2 = self.code_flow()
        new_kid = harness.jws_parts(token2["id_token"])[0]["kid"]
        self.assertNotEqual(new_kid, old_kid)
        self.verify(token2["id_token"], nonce2)


class EdDSA(FlowBase, unittest.TestCase):
    ALG = "EdDSA"
    AUTH = "client_secret_post"


class ES256(FlowBase, unittest.TestCase):
    ALG = "ES256"


if __name__ == "__main__":
    harness.main()
