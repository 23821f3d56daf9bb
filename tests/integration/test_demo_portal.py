"""The demo portal of `idp serve --demo` (the issue's "small independent
relying party"): a browser without JavaScript (a cookie jar, redirects
followed, forms read from the HTML and posted back) signs the demo citizen
in at the portal through the provider's pages (password, SMS code,
consent), sees the verified claims on the portal, and signs out through the
provider's end-session page back to the portal. Also: the portal's URL is
printed, its client's URIs point at its port, bad callbacks are pages; the
portal is the demo-portal program, a child of `idp serve` without its
client secret on the command line or in the environment, that ends with the
server (SIGTERM or SIGKILL), while `idp` itself links no libcurl; without
demo-portal beside idp, `idp serve --demo` says so and exits 1."""

import ctypes
import html.parser
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import http.cookiejar

import harness
from harness import Server

PORTAL_RE = re.compile(r"^\s*demo portal:\s+(http://127\.0\.0\.1:(\d+))/\s")


class Forms(html.parser.HTMLParser):
    """The POST forms of a page: action, inputs (name -> value), buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._f = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._f = {"action": a.get("action", ""),
                       "method": a.get("method", "get").lower(),
                       "inputs": {}, "buttons": []}
            self.forms.append(self._f)
        elif tag == "input" and self._f is not None and "name" in a:
            self._f["inputs"][a["name"]] = a.get("value", "")
        elif tag == "button" and self._f is not None:
            self._f["buttons"].append((a.get("name"), a.get("value")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._f = None


class Browser:
    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, url, form=None):
        """(status, final url, body text); 4xx/5xx answers too."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(url, data=data, timeout=60) as r:
                return r.status, r.geturl(), r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.geturl(), e.read().decode("utf-8", "replace")

    def submit(self, url, body, fill, button=None):
        """Posts the page's first POST form with `fill` over its fields."""
        p = Forms()
        p.feed(body)
        forms = [f for f in p.forms if f["method"] == "post"]
        if not forms:
            raise AssertionError("no form on %s:\n%s" % (url, body[:2000]))
        f = forms[0]
        fields = dict(f["inputs"])
        fields.update(fill)
        if button is not None:
            fields[button[0]] = button[1]
        return self.open(urllib.parse.urljoin(url, f["action"]), fields)


class DemoPortalTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(demo=True).__enter__()
        cls.portal = cls.portal_url()

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    @classmethod
    def portal_url(cls):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for line in list(cls.srv.stdout_lines):
                m = PORTAL_RE.match(line)
                if m:
                    return m.group(1)
            time.sleep(0.05)
        raise AssertionError("no demo portal line in %s" % cls.srv.stdout_lines)

    def citizen(self):
        return self.srv.demo_creds["citizen"]

    def sign_in(self, b):
        """Portal /login through the provider back to the portal's page."""
        c = self.citizen()
        status, url, body = b.open(self.portal + "/login")
        self.assertEqual(status, 200, body[:500])
        self.assertTrue(url.startswith(self.srv.base_url + "/login"), url)
        sent = len(harness.sms_codes(self.srv, c["phone"]))
        status, url, body = b.submit(url, body, {
            "personal_id": c["personal_id"], "password": c["password"]})
        self.assertEqual(status, 200, body[:500])
        codes = harness.sms_codes(self.srv, c["phone"])
        self.assertGreater(len(codes), sent, "no SMS code sent")
        status, url, body = b.submit(url, body, {"code": codes[-1]})
        if urllib.parse.urlparse(url).path == "/consent":
            status, url, body = b.submit(url, body, {}, ("decision", "allow"))
        return status, url, body

    def test_portal_printed_and_client_points_at_it(self):
        port = int(self.portal.rsplit(":", 1)[1])
        self.assertNotEqual(port, self.srv.port)
        pc = self.srv.demo_creds["portal_client"]
        row = harness.sql_rows(self.srv.db, "SELECT redirect_uris, "
                               "post_logout_uris, scope, kind FROM clients "
                               "WHERE client_id = ?", (pc["client_id"],))[0]
        self.assertEqual(json.loads(row[0]), [self.portal + "/callback"])
        self.assertEqual(json.loads(row[1]), [self.portal + "/"])
        self.assertEqual(row[2], "openid profile personal_id address phone "
                                 "offline_access")
        self.assertEqual(row[3], "portal")

    def test_home_page(self):
        b = Browser()
        status, _, body = b.open(self.portal + "/")
        self.assertEqual(status, 200)
        self.assertIn('<html lang="vi"', body)
        self.assertIn('href="/login"', body)
        self.assertIn("Đăng nhập bằng dinhdanh", body)
        self.assertNotIn("<script", body)
        self.assertNotIn("style=", body)
        self.assertIn('name="viewport"', body)
        status, _, body = b.open(self.portal + "/lang?to=en")
        self.assertEqual(status, 200)
        self.assertIn('<html lang="en"', body)
        self.assertIn("Sign in with dinhdanh", body)
        status, _, css = b.open(self.portal + "/portal.css")
        self.assertEqual(status, 200)
        self.assertIn("body{", css)

    def test_sign_in_and_out(self):
        b = Browser()
        c = self.citizen()
        status, url, body = self.sign_in(b)
        self.assertEqual(status, 200, body[:1000])
        self.assertEqual(url, self.portal + "/", body[:1000])
        self.assertIn(c["full_name"], body)
        self.assertIn(c["personal_id"], body)
        self.assertIn(c["birth_date"], body)
        self.assertIn(c["phone"], body)
        self.assertIn("urn:dinhdanh:loa:", body)
        self.assertIn('href="/logout"', body)
        # Reloading the portal keeps the session.
        status, _, body = b.open(self.portal + "/")
        self.assertIn(c["full_name"], body)

        # Sign-out: the provider asks, the browser confirms, back to the portal.
        status, url, body = b.open(self.portal + "/logout")
        self.assertEqual(status, 200, body[:500])
        self.assertTrue(url.startswith(self.srv.base_url + "/logout"), url)
        status, url, body = b.submit(url, body, {})
        self.assertEqual(status, 200, body[:500])
        self.assertTrue(url.startswith(self.portal + "/"), url)
        self.assertNotIn(c["full_name"], body)
        self.assertIn("Bạn đã đăng xuất", body)
        self.assertIn('href="/login"', body)

        # The provider session ended too: signing in again asks for the password.
        status, url, body = b.open(self.portal + "/login")
        self.assertTrue(url.startswith(self.srv.base_url + "/login"), url)

    def test_bad_callbacks_are_pages(self):
        b = Browser()
        # No flow at all.
        status, _, body = b.open(self.portal + "/callback?code=x&state=y")
        self.assertEqual(status, 400)
        self.assertIn('<html lang="vi"', body)
        # A flow, the wrong state; the flow is then used up.
        status, url, _ = b.open(self.portal + "/login")
        state = urllib.parse.parse_qs(
            urllib.parse.urlparse(url).query).get("state")
        status, _, body = b.open(self.portal + "/callback?code=x&state=wrong")
        self.assertEqual(status, 400)
        self.assertIn("hết hạn", body)
        # An error answer with the right state.
        b2 = Browser()
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(b2.jar), NoRedirect())
        try:
            opener.open(self.portal + "/login", timeout=30)
            self.fail("want a redirect")
        except urllib.error.HTTPError as e:
            loc = e.headers["Location"]
        state = urllib.parse.parse_qs(urllib.parse.urlparse(loc).query)["state"][0]
        status, _, body = b2.open(self.portal + "/callback?" + urllib.parse.urlencode(
            {"error": "access_denied", "error_description": "<b>no</b>",
             "state": state}))
        self.assertEqual(status, 400)
        self.assertIn("access_denied", body)
        self.assertIn("&lt;b&gt;no&lt;/b&gt;", body)
        self.assertNotIn("<b>no</b>", body)
        # A wrong code with the right state: a page, not a crash.
        try:
            opener.open(self.portal + "/login", timeout=30)
        except urllib.error.HTTPError as e:
            loc = e.headers["Location"]
        state = urllib.parse.parse_qs(urllib.parse.urlparse(loc).query)["state"][0]
        status, _, body = b2.open(self.portal + "/callback?" + urllib.parse.urlencode(
            {"code": "nope", "state": state, "iss": self.srv.base_url}))
        self.assertEqual(status, 502)
        self.assertIn("invalid_response", body)
        # The portal still serves.
        status, _, _ = b.open(self.portal + "/")
        self.assertEqual(status, 200)


def children(pid):
    """{pid: name} of the processes whose parent is `pid`."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
            out[int(d)] = name
    return out


def portal_child(srv):
    """The pid of the server's one demo-portal child."""
    kids = {p: n for p, n in children(srv.proc.pid).items()
            if n == "demo-portal"}
    if len(kids) != 1:
        raise AssertionError("want one demo-portal child of %d, got %r"
                             % (srv.proc.pid, children(srv.proc.pid)))
    return next(iter(kids))


def proc_bytes(pid, what):
    with open("/proc/%d/%s" % (pid, what), "rb") as f:
        return f.read()


def set_subreaper(on):
    """Orphans below this process come to it (PR_SET_CHILD_SUBREAPER)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1 if on else 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def wait_exit(pid, seconds):
    """The wait status of our child `pid` once it has ended, or None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got, status = os.waitpid(pid, os.WNOHANG)
        if got == pid:
            return status
        time.sleep(0.05)
    return None


class PortalProcessTest(unittest.TestCase):
    def test_idp_links_no_libcurl(self):
        out = subprocess.run(["ldd", harness.IDP], capture_output=True,
                             text=True, check=True).stdout
        self.assertIn("libsodium", out)
        self.assertNotIn("libcurl", out)
        portal = os.path.join(os.path.dirname(harness.IDP), "demo-portal")
        out = subprocess.run(["ldd", portal], capture_output=True,
                             text=True, check=True).stdout
        self.assertIn("libcurl", out)

    def test_child_ends_with_the_server(self):
        set_subreaper(True)
        srv = Server(demo=True).__enter__()
        try:
            pid = portal_child(srv)
            secret = srv.demo_creds["portal_client"]["client_secret"].encode()
            argv = proc_bytes(pid, "cmdline").split(b"\0")
            self.assertIn(b"--issuer", argv)
            self.assertNotIn(secret, proc_bytes(pid, "cmdline"))
            self.assertNotIn(secret, proc_bytes(pid, "environ"))
            # SIGTERM to the server: the portal goes first, reaped by it.
            srv.restart()
            self.assertFalse(os.path.exists("/proc/%d" % pid),
                             "demo-portal %d outlived its server" % pid)
            # Restarted on its port: a new portal, which serves.
            pid = portal_child(srv)
            deadline = time.monotonic() + 30
            while True:
                urls = [m.group(1) for m in map(PORTAL_RE.match,
                                                 list(srv.stdout_lines)) if m]
                if len(urls) >= 2 or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            self.assertEqual(len(urls), 2, srv.stdout_lines)
            status, _, body = Browser().open(urls[-1] + "/")
            self.assertEqual(status, 200)
            self.assertIn('href="/login"', body)
            # SIGKILL to the server: the portal ends by itself.
            srv.proc.kill()
            srv.proc.wait()
            status = wait_exit(pid, 10)
            self.assertIsNotNone(status, "demo-portal %d outlived a killed "
                                 "server" % pid)
            self.assertTrue(os.WIFEXITED(status), status)
            self.assertEqual(os.WEXITSTATUS(status), 0)
        finally:
            set_subreaper(False)
            srv._stopped = True
            srv._kill()
            srv._cleanup()

    def test_missing_program_fails_clearly(self):
        d = tempfile.mkdtemp(prefix="idp-noportal-")
        try:
            idp = os.path.join(d, "idp")
            shutil.copy(harness.IDP, idp)
            r = harness.run_wrapped(
                [idp, "serve", "--db", os.path.join(d, "idp.db"), "--listen",
                 "127.0.0.1:0", "--web", harness.WEB_DIR, "--demo"],
                capture_output=True, text=True, env=harness.base_env(),
                timeout=120)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("demo portal: cannot run %s/demo-portal" % d,
                          r.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


if __name__ == "__main__":
    harness.main()
