"""The citizen's own data over a real server (issue 8): withdrawing a
consent from the account page makes the next /authorize of that portal
show the consent page again; granting and withdrawing are in the audit
log; the export is a JSON attachment listing the consent while it lasts
and holding no password hash."""

import json
import unittest
import urllib.parse

import harness
from harness import Server

RP = harness.RP_REDIRECT_URI


class YourData(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        try:
            (cls.citizen,) = harness.citizens(cls.srv, 1, seed=71)
            cls.a = harness.add_client(cls.srv, "Cong Dich Vu B")
            cls.web = harness.WebClient(cls.srv, lang="en")
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    def authorize(self):
        self.web.seen = []
        _, challenge = harness.pkce_pair()
        q = {"response_type": "code", "client_id": self.a["client_id"],
             "redirect_uri": RP, "scope": harness.RP_SCOPE, "state": "s",
             "nonce": "n", "code_challenge": challenge,
             "code_challenge_method": "S256"}
        resp = self.web.authorize("/authorize?" + urllib.parse.urlencode(q),
                                  self.citizen)
        self.assertEqual(resp.status, 303, resp)
        self.assertIn("code", harness.callback_params(resp.location))

    def audit_events(self):
        return [r[0] for r in harness.sql_rows(
            self.srv.db, "SELECT event FROM audit_log WHERE event LIKE "
            "'consent_%' ORDER BY seq")]

    def export(self):
        resp = self.web.fetch("GET", "/account/export")
        self.assertEqual(resp.status, 200, resp)
        self.assertTrue(resp.headers.get("Content-Disposition", "")
                        .startswith("attachment;"), resp.headers)
        self.assertNotIn("argon2", resp.text)
        return json.loads(resp.text)

    def test_withdraw_then_asked_again(self):
        self.authorize()
        self.assertIn("consent", self.web.seen)
        self.assertEqual(self.audit_events(), ["consent_granted"])
        data = self.export()
        self.assertEqual(data["personal_data"]["personal_id"],
                         self.citizen["pid"])
        self.assertEqual([k["client_id"] for k in data["consents"]],
                         [self.a["client_id"]])

        page = self.web.get("/account")
        self.assertEqual(page.status, 200, page)
        done = self.web.submit(page, "/account/consents/revoke",
                               {"client_id": self.a["client_id"]})
        self.assertEqual(done.status, 200, done)
        self.assertIn("Permission withdrawn", done.text)
        self.assertEqual(self.audit_events(),
                         ["consent_granted", "consent_revoked"])
        self.assertEqual(self.export()["consents"], [])

        self.authorize()
        self.assertIn("consent", self.web.seen)


if __name__ == "__main__":
    harness.main()
