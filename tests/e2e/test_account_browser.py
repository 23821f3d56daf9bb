"""The citizen's own data in a real browser (issue 8; Debian chromium driven
by playwright-core, tests/e2e/account_browser.mjs), at phone width: the demo
citizen signs in through the demo portal of `idp serve --demo` (password,
SMS code, consent), so the account has a consent and a userinfo disclosure;
the account page in Vietnamese, then in English through the header's
language link; withdrawing the portal's consent with its button; and the
portal's next sign-in asking for consent again. Screenshots: account-* in
$E2E_ARTIFACTS (meson: <build>/tests/e2e-artifacts), printed at the end;
account-2-account-vi-data.png (the account page from its "your data"
heading, one screen) is the README's docs/your-data.png."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402
from harness import Server  # noqa: E402

NODE_DIR = os.path.join(HERE, "..", "node")
SCRIPT = os.path.join(HERE, "account_browser.mjs")
ARTIFACTS = os.environ.get("E2E_ARTIFACTS") or os.path.join(
    tempfile.gettempdir(), "dinhdanh-e2e-artifacts")
PORTAL_RE = re.compile(r"demo portal:\s*(\S+)")
PORTAL_NAME = "Cổng dịch vụ công (demo)"      # idp/demo.h DEMO_PORTAL_NAME

VI = {"consents": "Dịch vụ bạn đã cho phép", "disclosures": "Thông tin đã cung cấp",
      "history": "Lịch sử đăng nhập"}
EN = {"consents": "Services you allowed", "disclosures": "Disclosures",
      "history": "Sign-in history"}
WITHDRAWN = "Permission withdrawn. That service must ask you again next time."


class AccountBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("node") is None or not os.path.isdir(
                os.path.join(NODE_DIR, "node_modules", "playwright-core")):
            raise AssertionError("node or tests/node missing: run .ci/deps")
        if not os.access(os.environ.get("CHROMIUM", "/usr/bin/chromium"), os.X_OK):
            raise AssertionError("chromium missing: run .ci/deps (.ci/packages)")
        os.makedirs(ARTIFACTS, exist_ok=True)
        cls.srv = Server(demo=True, extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        try:
            portals = [m.group(1) for m in map(PORTAL_RE.search, cls.srv.stdout_lines) if m]
            if not portals:
                raise AssertionError("idp serve --demo printed no demo portal: %r"
                                     % cls.srv.stdout_lines)
            cls.portal = portals[-1]
            c = cls.srv.demo_creds["citizen"]
            cls.citizen = {"pid": c["personal_id"], "password": c["password"],
                           "name": c["full_name"], "phone": c["phone"]}
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)
        print("e2e: account screenshots in %s (account-*.png)" % ARTIFACTS)

    def drive(self):
        """Runs account_browser.mjs, answering each SMS code request with a
        code that `idp sms list` shows as newly sent."""
        phone = self.citizen["phone"]
        seen = len(harness.sms_codes(self.srv, phone))
        proc = subprocess.Popen(
            ["node", SCRIPT, self.portal, self.srv.base_url, self.citizen["pid"],
             self.citizen["password"], os.path.join(ARTIFACTS, "account")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, cwd=NODE_DIR, env=dict(os.environ, PORTAL_NAME=PORTAL_NAME))
        try:
            while True:
                line = proc.stdout.readline()
                msg = json.loads(line or '{"error": "no output"}')
                if not msg.get("need_code"):
                    break
                codes = harness.sms_codes(self.srv, phone)
                self.assertGreater(len(codes), seen, "no new SMS code")
                seen = len(codes)
                proc.stdin.write(codes[-1] + "\n")
                proc.stdin.flush()
            proc.stdin.close()
            err = proc.stderr.read()
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        self.assertNotIn("error", msg, (msg, err[-2000:]))
        return msg

    def check_account(self, acc, lang, words):
        self.assertTrue(acc["url"].startswith(self.srv.base_url + "/account"), acc)
        self.assertEqual(acc["lang"], lang, acc)
        for sid, text in words.items():
            self.assertEqual(acc["h2"].get(sid), text, acc["h2"])
        self.assertIn("devices", acc["h2"])
        self.assertGreaterEqual(acc["export_links"], 1)
        # The sign-in just made is in the history.
        self.assertGreaterEqual(len(acc["history"]), 1, acc)

    def test_account_page_withdraw_and_asked_again(self):
        res = self.drive()
        self.assertEqual(res["csp_errors"], [])
        self.assertTrue(res["first_login_asked"], res)
        self.assertIn("allow", res["first_decisions"])
        self.assertFalse(res["portal_url"].startswith(self.srv.base_url), res)
        self.assertIn(self.citizen["name"], res["portal_text"])

        vi = res["vi"]
        self.check_account(vi, "vi", VI)
        # One consent: the portal's, with its withdraw button.
        self.assertEqual([r[0] for r in vi["consents"]], [PORTAL_NAME], vi)
        self.assertEqual(vi["revoke_buttons"], 1)
        # The portal's userinfo call is a disclosure naming it.
        self.assertTrue(any(len(r) > 1 and r[1] == PORTAL_NAME
                            for r in vi["disclosures"]), vi["disclosures"])
        self.assertEqual(vi["notices"], [])

        en = res["en"]
        self.check_account(en, "en", EN)
        self.assertEqual([r[0] for r in en["consents"]], [PORTAL_NAME], en)
        for text in VI.values():
            self.assertNotIn(text, en["h2"].values())

        w = res["withdrawn"]
        self.assertIn(WITHDRAWN, w["notices"], w)
        self.assertIn("note=consent_revoked", w["url"])
        self.assertEqual(w["consents"], [], w)
        self.assertEqual(w["revoke_buttons"], 0)

        # Still signed in at dinhdanh, yet the portal must ask again.
        self.assertTrue(res["second_url"].startswith(self.srv.base_url), res)
        self.assertIn("allow", res["second_decisions"], res)
        self.assertIn("deny", res["second_decisions"], res)

        self.assertTrue(res["vi_data_shot"].endswith("-2-account-vi-data.png"), res)
        for s in res["shots"]:
            self.assertGreater(os.path.getsize(s), 1000, s)


if __name__ == "__main__":
    harness.main()
