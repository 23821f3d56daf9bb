"""End to end in a real browser (Debian chromium driven by playwright-core,
tests/e2e/qr_browser.mjs): level-2 sign-in with the phone app at the demo
portal of `idp serve --demo`. The demo citizen is enrolled at level 2 at the
desk (the demo officer's token, POST /v1/enrollments) and activated in the
real `eid-app`; in a phone-size window the portal's "Sign in with level 2
(app)" link asks dinhdanh for acr urn:dinhdanh:loa:2, the login page shows
the QR code and an "open in the app" link with a dinhdanh://login URI,
`eid-app approve` on that URI lets the page move on by itself (its polling
script; nothing is clicked), consent is given, and the portal shows the
citizen's name, acr urn:dinhdanh:loa:2 and amr swk. Then the same with
JavaScript off: the no-script button finishes after the approval.
Screenshots: $E2E_ARTIFACTS (meson: <build>/tests/e2e-artifacts), qr-*."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402
from harness import Server  # noqa: E402

NODE_DIR = os.path.join(HERE, "..", "node")
SCRIPT = os.path.join(HERE, "qr_browser.mjs")
ARTIFACTS = os.environ.get("E2E_ARTIFACTS") or os.path.join(
    tempfile.gettempdir(), "dinhdanh-e2e-artifacts")
EID_APP = os.environ.get("EID_APP", "")
PORTAL_RE = re.compile(r"demo portal:\s*(http://127\.0\.0\.1:\d+)/")
LOA2 = "urn:dinhdanh:loa:2"
# A stand-in for the desk's fingerprint reader: SHA-256 of "test".
DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


class QrBrowser(unittest.TestCase):
    consented = False       # the demo citizen has allowed the portal

    @classmethod
    def setUpClass(cls):
        if shutil.which("node") is None or not os.path.isdir(
                os.path.join(NODE_DIR, "node_modules", "playwright-core")):
            raise AssertionError("node or tests/node missing: run .ci/deps")
        if not os.access(os.environ.get("CHROMIUM", "/usr/bin/chromium"), os.X_OK):
            raise AssertionError("chromium missing: run .ci/deps (.ci/packages)")
        if not EID_APP or not os.access(EID_APP, os.X_OK):
            raise AssertionError("EID_APP must name the eid-app binary")
        os.makedirs(ARTIFACTS, exist_ok=True)
        cls.srv = Server(demo=True, extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        try:
            cls.portal = None
            for line in cls.srv.stdout_lines:
                m = PORTAL_RE.search(line)
                if m:
                    cls.portal = m.group(1)
            if cls.portal is None:
                raise AssertionError("no demo portal printed: %s"
                                     % cls.srv.stdout_lines)
            c = cls.srv.demo_creds["citizen"]
            cls.citizen = {"pid": c["personal_id"], "name": c["full_name"],
                           "phone": c["phone"]}
            cls.state = os.path.join(cls.srv.dir, "app.json")
            cls.enroll()
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)
        print("e2e: QR sign-in at the demo portal; screenshots in %s (qr-*)"
              % ARTIFACTS)

    @classmethod
    def app(cls, *args):
        r = subprocess.run([EID_APP, *args, "--state", cls.state, "--idp",
                            cls.srv.base_url], capture_output=True, text=True,
                           timeout=30)
        if r.returncode != 0:
            raise AssertionError("eid-app %s: %d %s" % (args[0], r.returncode,
                                                        r.stderr))
        return r

    @classmethod
    def enroll(cls):
        """The demo citizen at the desk (the seeded officer), then the app."""
        officer = cls.srv.demo_creds.get("officer") or {}
        token = officer.get("token")
        if token is None:
            r = cls.srv.idp("officer", "add", "--name", "Trần Thị Bình",
                            "--office", "Công an Quận 1")
            if r.returncode != 0:
                raise AssertionError("idp officer add: %s" % r.stderr)
            token = json.loads(r.stdout)["token"]
        r = cls.srv.idp("registry", "issue-card", cls.citizen["pid"])
        if r.returncode != 0:
            raise AssertionError("idp registry issue-card: %s" % r.stderr)
        st, _, j = cls.srv.request_json("POST", "/v1/enrollments", {
            "chip_record": r.stdout.strip(), "biometric_digest": DIGEST,
            "phone": cls.citizen["phone"]}, {"Authorization": "Bearer " + token})
        if st != 201 or (j or {}).get("level") != 2:
            raise AssertionError("enrollment: %d %r" % (st, j))
        cls.app("init")
        out = cls.app("activate", j["activation_code"]).stdout
        if "level 2" not in out:
            raise AssertionError("eid-app activate: %r" % out)

    def drive(self, prefix, js):
        """Runs the browser; approves its QR URI with the app when asked."""
        proc = subprocess.Popen(
            ["node", SCRIPT, self.portal, self.srv.base_url, "vi-VN",
             os.path.join(ARTIFACTS, prefix), "on" if js else "off"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, cwd=NODE_DIR)
        approved = None
        try:
            first = json.loads(proc.stdout.readline() or '{"error": "no output"}')
            if "qr" not in first:
                out, err = proc.communicate(timeout=30)
                self.fail("browser before the QR: %r\n%s" % (first, err[-2000:]))
            qr = first["qr"]
            self.check_qr(qr)
            approved = self.app("approve", qr["app_href"]).stdout
            out, err = proc.communicate("approved\n", timeout=45)
            result = json.loads(out.strip().splitlines()[-1])
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertNotIn("error", result, (result, err[-2000:]))
        self.assertIn("approved", approved)
        self.assertIn(self.srv.demo_creds["portal_client"]["name"], approved)
        return result

    def check_qr(self, qr):
        """The login page at the provider: QR code and app link, one URI."""
        self.assertEqual(qr["level2_href"], "/login?level=2", qr)
        login = urllib.parse.urlsplit(qr["login_url"])
        self.assertEqual("%s://%s" % (login.scheme, login.netloc),
                         self.srv.base_url, qr)
        self.assertEqual(login.path, "/login", qr)
        self.assertEqual(qr["svg_count"], 1, qr)
        self.assertIsNotNone(qr["svg_box"], qr)
        self.assertGreater(qr["svg_box"]["width"], 100, qr)
        self.assertGreater(qr["svg_box"]["height"], 100, qr)
        self.assertTrue(qr["app_link_visible"], qr)
        href = qr["app_href"] or ""
        self.assertTrue(href.startswith("dinhdanh://login?"), href)
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(href).query))
        self.assertEqual(q.get("idp"), self.srv.base_url, href)
        self.assertRegex(q.get("tx", ""), r"^[A-Za-z0-9_-]{16,}$")
        self.assertEqual(qr["form_tx"], q["tx"], qr)

    def check_result(self, res, js):
        names = [p["name"] for p in res["pages"]]
        self.assertEqual(names[:2], ["portal-home", "qr-login"], names)
        self.assertEqual(names[-1], "portal", names)
        if not QrBrowser.consented:
            self.assertIn("consent", names)     # the first time: asked
        QrBrowser.consented = QrBrowser.consented or "consent" in names
        # The portal asked for level 2.
        authz = [r["url"] for r in res["requests"]
                 if r["url"].startswith(self.srv.base_url + "/authorize?")]
        self.assertEqual(len(authz), 1, authz)
        aq = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authz[0]).query))
        self.assertEqual(aq.get("acr_values"), LOA2, authz[0])
        # Who finished the sign-in: the polling script, or the button.
        polls = [r for r in res["requests"] if r["method"] == "GET" and
                 r["url"].startswith(self.srv.base_url + "/login/qr/status?")]
        finish = [r for r in res["requests"] if r["method"] == "POST" and
                  r["url"] == self.srv.base_url + "/login/qr/finish"]
        self.assertEqual(len(finish), 1, res["requests"])
        if js:
            self.assertFalse(res["clicked"])
            self.assertGreater(len(polls), 0, res["requests"])
        else:
            self.assertTrue(res["clicked"])
            self.assertEqual(polls, [])
        # Back at the portal, signed in at level 2 by the app.
        self.assertTrue(res["final_url"].startswith(self.portal + "/"), res)
        text = res["text"]
        self.assertIn(self.citizen["name"], text)
        self.assertIn(self.citizen["pid"], text)
        self.assertIn(LOA2, text)
        self.assertRegex(text, r"\(amr\)\s*swk\b")
        self.assertEqual(res["csp_errors"], [])
        for p in res["pages"]:
            if p["url"].startswith(self.srv.base_url):
                self.assertEqual(p["lang"], "vi", p)

    def test_1_scripts_on(self):
        res = self.drive("qr-js", True)
        self.check_result(res, True)

    def test_2_scripts_off(self):
        res = self.drive("qr-nojs", False)
        self.check_result(res, False)


if __name__ == "__main__":
    harness.main()
