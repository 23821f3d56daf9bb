"""Consents and the disclosure log over a real server (issue 8): a userinfo
answer writes one disclosure entry naming exactly the claims it released
(the token answer, whose ID token holds no personal attribute, writes
none); the account page lists the portal under the services allowed and
the entry under disclosures; withdrawing the consent there makes the next
authorization ask again and the portal's refresh token fail with
invalid_grant."""

import unittest

import harness
from harness import Server

RP = harness.RP_REDIRECT_URI


class Consents(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        try:
            (cls.citizen,) = harness.citizens(cls.srv, 1, seed=53)
            cls.a = harness.add_client(cls.srv, "Cong Dich Vu A")
            cls.web = harness.WebClient(cls.srv, lang="en")
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    def code(self):
        return self.web.code(self.a["client_id"], self.citizen)

    def token(self, fields):
        return harness.form_post(self.srv, "/token", fields,
                                 auth=harness.basic_auth(self.a["client_id"],
                                                         self.a["client_secret"]))

    def disclosures(self):
        return harness.sql_rows(self.srv.db, "SELECT client_id, client_name, "
                                "attributes, channel FROM disclosures ORDER BY id")

    def test_consent_disclosure_revoke(self):
        code, verifier = self.code()
        self.assertIn("consent", self.web.seen)
        st, _, tok = self.token({"grant_type": "authorization_code", "code": code,
                                 "code_verifier": verifier, "redirect_uri": RP})
        self.assertEqual(st, 200, tok)
        self.assertIn("refresh_token", tok)
        self.assertEqual(self.disclosures(), [])
        st, _, claims = self.srv.request_json("GET", "/userinfo", headers={
            "Authorization": "Bearer " + tok["access_token"]})
        self.assertEqual(st, 200, claims)
        rows = self.disclosures()
        self.assertEqual(len(rows), 1, rows)
        cid, name, attrs, channel = rows[0]
        self.assertEqual((cid, name, channel),
                         (self.a["client_id"], "Cong Dich Vu A", "userinfo"))
        self.assertEqual(attrs.split(), [k for k in claims if k != "sub"])

        # consented: the next authorization does not ask
        self.code()
        self.assertNotIn("consent", self.web.seen)

        page = self.web.get("/account")
        self.assertEqual(page.status, 200, page)
        self.assertIn("Services you allowed", page.text)
        self.assertIn("Cong Dich Vu A", page.text)
        self.assertIn(attrs, page.text)
        filtered = self.web.get("/account?service=nobody&page=1")
        self.assertIn("Nothing has been disclosed", filtered.text)
        form = page.form("/account/consents/revoke")
        self.assertIsNotNone(form, page)
        done = self.web.submit(page, "/account/consents/revoke",
                               {"client_id": self.a["client_id"]})
        self.assertEqual(done.status, 200, done)
        self.assertIn("Permission withdrawn", done.text)

        st, _, body = self.token({"grant_type": "refresh_token",
                                  "refresh_token": tok["refresh_token"]})
        self.assertEqual(st, 400, body)
        self.assertEqual(body["error"], "invalid_grant")

        self.code()
        self.assertIn("consent", self.web.seen)


if __name__ == "__main__":
    harness.main()
