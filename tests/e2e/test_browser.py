"""End to end in a real browser (Debian chromium driven by playwright-core,
tests/e2e/browser.mjs): a relying party sends the citizen to dinhdanh, who
signs in with password and SMS code, consents, and lands back on the relying
party, which shows the citizen's name; in Vietnamese and in English, with a
phone-width window. The relying party is the demo portal of `idp serve
--demo` when the server prints one ("demo portal: URL"), else a tiny authlib
relying party run here. Screenshots: $E2E_ARTIFACTS (meson: <build>/tests/
e2e-artifacts), printed at the end. E2E_RP=test forces the test RP."""

import http.server
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402
from harness import Server  # noqa: E402

os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402

NODE_DIR = os.path.join(HERE, "..", "node")
SCRIPT = os.path.join(HERE, "browser.mjs")
ARTIFACTS = os.environ.get("E2E_ARTIFACTS") or os.path.join(
    tempfile.gettempdir(), "dinhdanh-e2e-artifacts")
PORTAL_RE = re.compile(r"demo portal:\s*(\S+)")


class TinyRP:
    """A relying party on loopback: /start redirects to dinhdanh with PKCE,
    /cb exchanges the code with authlib and shows the userinfo name."""

    def __init__(self, srv):
        self.srv = srv
        self.pending = {}
        rp = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                u = urllib.parse.urlsplit(self.path)
                if u.path == "/start":
                    sess = rp.session()
                    verifier = secrets.token_urlsafe(48)
                    url, state = sess.create_authorization_url(
                        rp.srv.base_url + "/authorize", code_verifier=verifier,
                        nonce=secrets.token_urlsafe(12))
                    rp.pending[state] = verifier
                    self.send_response(302)
                    self.send_header("Location", url)
                    self.end_headers()
                    return
                if u.path == "/cb":
                    q = dict(urllib.parse.parse_qsl(u.query))
                    sess = rp.session(state=q.get("state"))
                    tok = sess.fetch_token(
                        rp.srv.base_url + "/token",
                        authorization_response=rp.base + self.path,
                        code_verifier=rp.pending.pop(q.get("state"), ""))
                    ui = sess.get(rp.srv.base_url + "/userinfo").json()
                    sess.close()
                    body = ("<!doctype html><html lang=\"vi\"><title>RP</title>"
                            "<h1>Xin chào / Hello, %s</h1>" % ui["name"]).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(404)
                self.end_headers()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.base = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.client = harness.add_client(srv, "Cổng thử nghiệm",
                                         redirect_uris=(self.base + "/cb",),
                                         scope="openid profile")
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.start = self.base + "/start"

    def session(self, state=None):
        return OAuth2Session(self.client["client_id"], self.client["client_secret"],
                             scope="openid profile", redirect_uri=self.base + "/cb",
                             code_challenge_method="S256", state=state)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Browser(unittest.TestCase):
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
        cls.rp = None
        try:
            portal = None
            for line in cls.srv.stdout_lines:
                m = PORTAL_RE.search(line)
                if m:
                    portal = m.group(1)
            c = cls.srv.demo_creds["citizen"]
            cls.citizen = {"pid": c["personal_id"], "password": c["password"],
                           "name": c["full_name"], "phone": c["phone"]}
            if portal and os.environ.get("E2E_RP") != "test":
                cls.start, cls.kind = portal, "demo portal"
            else:
                cls.rp = TinyRP(cls.srv)
                cls.start, cls.kind = cls.rp.start, "test RP (no demo portal)"
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.rp is not None:
            cls.rp.close()
        cls.srv.__exit__(None, None, None)
        print("e2e: relying party: %s; screenshots in %s" % (cls.kind, ARTIFACTS))

    def drive(self, locale, prefix):
        sms_before = len(harness.sms_codes(self.srv, self.citizen["phone"]))
        proc = subprocess.Popen(
            ["node", SCRIPT, self.start, self.srv.base_url, self.citizen["pid"],
             self.citizen["password"], locale, os.path.join(ARTIFACTS, prefix)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, cwd=NODE_DIR)
        try:
            first = json.loads(proc.stdout.readline() or '{"error": "no output"}')
            if first.get("need_code"):
                codes = harness.sms_codes(self.srv, self.citizen["phone"])
                self.assertGreater(len(codes), sms_before)
                out, err = proc.communicate(codes[-1] + "\n", timeout=120)
                result = json.loads(out.strip().splitlines()[-1])
            else:
                out, err = proc.communicate(timeout=60)
                result = first
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertNotIn("error", result, (result, err[-2000:]))
        return result

    def check(self, res, lang, words):
        names = [p["name"] for p in res["pages"]]
        self.assertIn("login", names)
        self.assertEqual(names[-1], "portal")
        for p in res["pages"]:
            if p["url"].startswith(self.srv.base_url):
                self.assertEqual(p["lang"], lang, p)
        self.assertFalse(res["final_url"].startswith(self.srv.base_url), res)
        self.assertIn(self.citizen["name"], res["text"])
        self.assertEqual(res["csp_errors"], [])
        return names

    def test_vi_then_en(self):
        res = self.drive("vi-VN", "vi")
        names = self.check(res, "vi", ())
        self.assertIn("consent", names)          # the first time: asked
        res = self.drive("en-US", "en")
        self.check(res, "en", ())


if __name__ == "__main__":
    harness.main()
