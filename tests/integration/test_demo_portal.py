"""The demo portal of `idp serve --demo` (the issue's "small independent
relying party"): a browser without JavaScript (a cookie jar, redirects
followed, forms read from the HTML and posted back) signs the demo citizen
in at the portal through the provider's pages (password, SMS code,
consent), sees the verified claims on the portal, and signs out through the
provider's end-session page back to the portal. Also: the portal's URL is
printed, its client's URIs point at its port, bad callbacks are pages."""

import html.parser
import json
import re
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


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


if __name__ == "__main__":
    harness.main()
