"""The citizen web pages of a real `idp serve` (DESIGN.md sections 5, 9 and
10), driven like a browser without JavaScript: cookies kept, forms read
from the HTML and posted back with their hidden fields. Registration,
sign-in with SMS and with an authenticator app, the account page, sign-out,
self-lock, unlock, a forgotten password, CSRF refusals, the language switch,
bad input; and on every page: a strict CSP, no inline script or style, the
mobile viewport, a label for every input."""

import html.parser
import http.client
import itertools
import re
import time
import unittest
import urllib.parse

import harness
from harness import Server

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
OTPAUTH_RE = re.compile(r"otpauth://totp/[^\s<\"]+")


class Form:
    def __init__(self, action):
        self.action = action
        self.inputs = []        # dicts of attributes
        self.buttons = []


class PageParser(html.parser.HTMLParser):
    """The forms, inputs, labels and ids of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.labels = set()     # for= values
        self.ids = set()
        self.inputs = []        # every input, in or out of a form
        self.html_lang = None
        self._form = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "html":
            self.html_lang = a.get("lang")
        elif tag == "form":
            self._form = Form(a.get("action"))
            self._form.method = a.get("method")
            self.forms.append(self._form)
        elif tag == "input":
            self.inputs.append(a)
            if self._form is not None:
                self._form.inputs.append(a)
        elif tag == "button" and self._form is not None:
            self._form.buttons.append(a)
        elif tag == "label" and "for" in a:
            self.labels.add(a["for"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


class Page:
    def __init__(self, status, headers, body, path):
        self.status = status
        self.headers = headers
        self.body = body
        self.text = body.decode("utf-8", "replace")
        self.path = path
        self.parsed = None
        if "text/html" in (headers.get("Content-Type") or ""):
            self.parsed = PageParser()
            self.parsed.feed(self.text)

    def form(self, action):
        for f in self.parsed.forms if self.parsed else []:
            if f.action == action:
                return f
        raise AssertionError("no form posting to %s on %s (%d):\n%s"
                             % (action, self.path, self.status, self.text[:3000]))

    def has_form(self, action):
        return any(f.action == action for f in (self.parsed.forms if self.parsed else []))


class Browser:
    """Cookies and page checks over http.client; redirects followed by hand."""

    def __init__(self, srv, test, lang=None):
        self.srv = srv
        self.t = test
        self.cookies = {}
        self.accept_language = lang
        self.pages = 0

    def _cookie_header(self):
        return "; ".join("%s=%s" % kv for kv in self.cookies.items())

    def _store(self, headers):
        for c in headers.get_all("Set-Cookie") or []:
            first = c.split(";", 1)[0]
            name, _, value = first.partition("=")
            if re.search(r"(?i);\s*max-age=0\b", c) or value == "":
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()

    def raw(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = self._cookie_header()
        if self.accept_language:
            h["Accept-Language"] = self.accept_language
        conn = self.srv.connection()
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        self._store(resp.headers)
        page = Page(resp.status, resp.headers, data, path)
        self.check_page(page)
        return page

    def request(self, method, path, body=None, headers=None, follow=True):
        page = self.raw(method, path, body, headers)
        hops = 0
        while follow and page.status in (302, 303) and hops < 5:
            loc = page.headers.get("Location")
            self.t.assertTrue(loc and loc.startswith("/"), loc)
            page = self.raw("GET", loc)
            hops += 1
        return page

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, action, fields, follow=True):
        body = urllib.parse.urlencode(fields).encode()
        return self.request("POST", action, body, {
            "Content-Type": "application/x-www-form-urlencoded"}, follow=follow)

    def submit(self, page, action, values=None, follow=True, drop=()):
        """Posts the form of `page` posting to `action` with its hidden
        fields and `values` for the visible ones."""
        form = page.form(action)
        fields = {}
        for i in form.inputs:
            if i.get("type") == "hidden" and i.get("name") not in drop:
                fields[i["name"]] = i.get("value", "")
        fields.update(values or {})
        return self.post(action, fields, follow=follow)

    def check_page(self, page):
        """Every response: the security headers; every page: no inline
        script or style, the viewport, a label for each visible input."""
        t = self.t
        csp = page.headers.get("Content-Security-Policy")
        t.assertIsNotNone(csp, page.path)
        t.assertNotIn("unsafe-inline", csp)
        t.assertEqual(page.headers.get("X-Content-Type-Options"), "nosniff")
        if page.parsed is None:
            return
        self.pages += 1
        low = page.text.lower()
        # Scripts only as files of our own, never inline.
        for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", low, re.S):
            t.assertRegex(attrs, r'\ssrc="/static/[a-z0-9_-]+\.js"', page.path)
            t.assertEqual(body.strip(), "", page.path)
        t.assertEqual(low.count("<script"), len(re.findall(r"<script\b[^>]*>.*?</script>",
                                                           low, re.S)), page.path)
        t.assertNotIn("<style", low, page.path)
        t.assertNotIn("style=", low, page.path)
        t.assertNotRegex(low, r"\son[a-z]+=", page.path)
        t.assertIn(VIEWPORT, page.text, page.path)
        t.assertIn(page.parsed.html_lang, ("vi", "en"), page.path)
        for i in page.parsed.inputs:
            if i.get("type") == "hidden":
                continue
            t.assertIn("id", i, (page.path, i))
            t.assertIn(i["id"], page.parsed.labels, (page.path, i))
        for f in page.parsed.forms:
            t.assertEqual(f.method, "post", (page.path, f.action))
            names = [i.get("name") for i in f.inputs]
            t.assertIn("csrf", names, (page.path, f.action))


def input_of(form, name):
    for i in form.inputs:
        if i.get("name") == name:
            return i
    raise AssertionError("no input %s in form %s" % (name, form.action))


class Pages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        try:
            n = harness.seed_registry(cls.srv, count=200, seed=31)
            if n != 200:
                raise AssertionError("registry has %d people" % n)
            cls.people = iter(harness.registry_people(cls.srv.db, "living", 150))
            cls.phones = itertools.count(1)
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    def browser(self, **kw):
        return Browser(self.srv, self, **kw)

    def count(self, table):
        return harness.sql_scalar(self.srv.db, "SELECT count(*) FROM %s" % table)

    # -- flows -------------------------------------------------------------------

    def register(self, b):
        pid, name, birth = next(self.people)
        phone = "09%08d" % (61000000 + next(self.phones))
        pw = "Sen-Vang-%d-ho-Tay!" % next(self.phones)
        p = b.get("/register")
        self.assertEqual(p.status, 200)
        form = p.form("/register")
        for n in ("personal_id", "full_name", "birth_date", "phone", "password"):
            input_of(form, n)
        self.assertEqual(input_of(form, "password").get("autocomplete"),
                         "new-password")
        p = b.submit(p, "/register", {"personal_id": pid, "full_name": name,
                                      "birth_date": birth, "phone": phone,
                                      "password": pw})
        self.assertEqual(p.status, 200, p.text)
        code_form = p.form("/register/code")
        self.assertEqual(input_of(code_form, "code").get("autocomplete"),
                         "one-time-code")
        input_of(code_form, "registration_id")
        self.assertTrue(p.has_form("/register/resend"))
        code = harness.newest_sms_code(self.srv, phone)
        done = b.submit(p, "/register/code", {"code": code})
        self.assertEqual(done.status, 200, done.text)
        self.assertIn('href="/login"', done.text)
        return {"pid": pid, "name": name, "phone": phone, "password": pw}

    def login_step(self, b, acc, password=None):
        p = b.get("/login")
        form = p.form("/login")
        self.assertEqual(input_of(form, "personal_id").get("autocomplete"), "username")
        self.assertEqual(input_of(form, "password").get("autocomplete"),
                         "current-password")
        for link in ("/register", "/forgot", "/lock", "/unlock"):
            self.assertIn('href="%s"' % link, p.text)
        return b.submit(p, "/login", {"personal_id": acc["pid"],
                                      "password": password or acc["password"]})

    def login_sms(self, b, acc):
        p = self.login_step(b, acc)
        self.assertEqual(p.status, 200, p.text)
        self.assertIn(acc["phone"][-3:], p.text)
        self.assertNotIn(acc["phone"][1:], p.text)
        self.assertTrue(p.has_form("/login/resend"))
        input_of(p.form("/login/code"), "login_id")
        p = b.submit(p, "/login/code", {"code": harness.newest_sms_code(
            self.srv, acc["phone"])}, follow=False)
        self.assertEqual(p.status, 303, p.text)
        self.assertEqual(p.headers.get("Location"), "/account")
        return b.get("/account")

    def sign_out(self, b, account_page):
        p = b.submit(account_page, "/logout")
        self.assertEqual(p.status, 200)
        self.assertEqual(b.get("/account", follow=False).status, 303)

    # -- tests -------------------------------------------------------------------

    def test_browser_flow(self):
        b = self.browser()
        acc = self.register(b)
        home = b.get("/")
        self.assertEqual(home.status, 200)
        self.assertIn('href="/login"', home.text)
        self.assertIn('href="/register"', home.text)
        self.assertEqual(b.get("/account", follow=False).headers.get("Location"),
                         "/login")

        page = self.login_sms(b, acc)
        self.assertEqual(page.status, 200, page.text)
        self.assertIn(acc["name"], page.text)
        self.assertIn("<table", page.text)
        self.assertIn('scope="col"', page.text)
        self.sign_out(b, page)

        # TOTP enrolment from the account page.
        page = self.login_sms(b, acc)
        p = b.submit(page, "/account/totp")
        self.assertEqual(p.status, 200, p.text)
        self.assertIn("<svg", p.text)
        m = OTPAUTH_RE.search(p.text)
        self.assertIsNotNone(m, p.text)
        uri = m.group(0).replace("&amp;", "&")
        secret = urllib.parse.parse_qs(urllib.parse.urlparse(uri).query)["secret"][0]
        self.assertIn(secret, p.text)
        self.assertEqual(input_of(p.form("/account/totp/confirm"), "code")
                         .get("autocomplete"), "one-time-code")
        bad = b.submit(p, "/account/totp/confirm", {"code": "000000"
                       if harness.totp_code(secret) != "000000" else "111111"})
        self.assertEqual(bad.status, 400)
        done = b.submit(p, "/account/totp/confirm",
                        {"code": harness.totp_code(secret)})
        self.assertEqual(done.status, 200, done.text)
        self.assertTrue(done.path.startswith("/account"))
        self.sign_out(b, done)

        # Sign-in with the app: no SMS, no resend.
        sms_before = len(harness.sms_messages(self.srv, acc["phone"]))
        p = self.login_step(b, acc)
        self.assertEqual(p.status, 200, p.text)
        self.assertFalse(p.has_form("/login/resend"))
        self.assertEqual(len(harness.sms_messages(self.srv, acc["phone"])),
                         sms_before)
        p = b.submit(p, "/login/code", {"code": harness.totp_code(
            secret, time.time() + 30)})
        self.assertEqual(p.status, 200, p.text)
        self.assertIn(acc["name"], p.text)

        # Self-lock, then sign-in is refused as locked; unlock by SMS.
        p = b.submit(p, "/account/lock")
        self.assertEqual(p.status, 200)
        self.assertEqual(b.get("/account", follow=False).status, 303)
        p = self.login_step(b, acc)
        self.assertEqual(p.status, 423, p.text)
        self.assertTrue(p.has_form("/login"))
        p = b.get("/unlock")
        p = b.submit(p, "/unlock", {"personal_id": acc["pid"],
                                    "password": acc["password"]})
        self.assertEqual(p.status, 200, p.text)
        p = b.submit(p, "/unlock/code", {"code": harness.newest_sms_code(
            self.srv, acc["phone"])})
        self.assertEqual(p.status, 200, p.text)
        self.assertEqual(self.login_step(b, acc).status, 200)

        # Nothing secret in the log.
        log = self.srv.stderr_all()
        self.assertNotIn(acc["password"], log)
        self.assertNotIn(acc["pid"], log)
        self.assertNotIn(secret, log)

    def test_forgot_password(self):
        b = self.browser()
        acc = self.register(b)
        p = b.get("/forgot")
        p = b.submit(p, "/forgot", {"personal_id": acc["pid"], "phone": acc["phone"]})
        self.assertEqual(p.status, 200, p.text)
        form = p.form("/forgot/code")
        self.assertEqual(input_of(form, "password").get("autocomplete"), "new-password")
        self.assertEqual(input_of(form, "code").get("autocomplete"), "one-time-code")
        new_pw = "Moi-Hoa-Mai-%d!" % next(self.phones)
        weak = b.submit(p, "/forgot/code", {"code": "123456", "password": "123"})
        self.assertEqual(weak.status, 400)
        p = b.submit(p, "/forgot/code", {"code": harness.newest_sms_code(
            self.srv, acc["phone"]), "password": new_pw})
        self.assertEqual(p.status, 200, p.text)
        self.assertIn('href="/login"', p.text)
        self.assertEqual(self.login_step(b, acc).status, 401)
        self.assertEqual(self.login_step(b, acc, new_pw).status, 200)

    def test_csrf_refused(self):
        b = self.browser()
        pid, name, birth = next(self.people)
        fields = {"personal_id": pid, "full_name": name, "birth_date": birth,
                  "phone": "0912345670", "password": "Khong-Duoc-Ghi-1!"}
        before = self.count("challenges")
        sms = len(harness.sms_messages(self.srv))
        # A first visit: no cookie at all.
        p = b.post("/register", dict(fields, csrf="x" * 43))
        self.assertEqual(p.status, 403, p.text)
        p = b.get("/register")
        self.assertIn("dd_csrf", b.cookies)
        # The field missing, then wrong, then another browser's token.
        self.assertEqual(b.post("/register", fields).status, 403)
        self.assertEqual(b.post("/register", dict(fields, csrf="A" * 43)).status, 403)
        other = self.browser()
        token = input_of(other.get("/register").form("/register"), "csrf")["value"]
        self.assertEqual(b.post("/register", dict(fields, csrf=token)).status, 403)
        self.assertEqual(b.post("/login/code", {"login_id": "x", "code": "1"}).status,
                         403)
        self.assertEqual(self.count("challenges"), before)
        self.assertEqual(len(harness.sms_messages(self.srv)), sms)
        self.assertEqual(harness.sql_scalar(
            self.srv.db, "SELECT count(*) FROM accounts WHERE personal_id = ?",
            (pid,)), 0)

    def test_language(self):
        b = self.browser()
        p = b.get("/login")
        self.assertEqual(p.parsed.html_lang, "vi")
        self.assertIn("Đăng nhập", p.text)
        self.assertIn("/lang?to=en&amp;back=%2Flogin", p.text)
        r = b.get("/lang?to=en&back=/login", follow=False)
        self.assertEqual(r.status, 303)
        self.assertEqual(r.headers.get("Location"), "/login")
        self.assertEqual(b.cookies.get("lang"), "en")
        p = b.get("/login")
        self.assertEqual(p.parsed.html_lang, "en")
        self.assertIn("Sign in", p.text)
        self.assertIn("/lang?to=vi", p.text)
        bad = b.post("/login", {"personal_id": "001099000001",
                                "password": "wrong-password",
                                "csrf": input_of(p.form("/login"), "csrf")["value"]})
        self.assertEqual(bad.status, 401)
        self.assertIn("personal ID", bad.text)
        self.assertEqual(bad.parsed.html_lang, "en")
        for back in ("//evil.example/x", "https://evil.example/", "/\\evil.example",
                     "javascript:alert(1)", "", "%2F%2Fevil.example"):
            r = b.get("/lang?to=vi&back=" + urllib.parse.quote(back, safe=""),
                      follow=False)
            self.assertEqual(r.status, 303)
            self.assertEqual(r.headers.get("Location"), "/", back)
        # Accept-Language alone picks English for a browser without the cookie.
        en = self.browser(lang="en-GB,en;q=0.8")
        self.assertEqual(en.get("/register").parsed.html_lang, "en")

    def test_bad_input(self):
        b = self.browser()
        p = b.get("/login")
        csrf = input_of(p.form("/login"), "csrf")["value"]
        before = self.count("challenges")
        r = b.request("POST", "/login", b'{"personal_id":"1"}',
                      {"Content-Type": "application/json"})
        self.assertEqual(r.status, 415)
        self.assertIsNotNone(r.parsed)
        body = ("csrf=%s&personal_id=%%ff%%fe&password=x" % csrf).encode()
        r = b.request("POST", "/login", body, {
            "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 400)
        self.assertIsNotNone(r.parsed)
        r = b.post("/login", {"csrf": csrf, "personal_id": "001099000001"})
        self.assertEqual(r.status, 400)
        self.assertTrue(r.has_form("/login"))
        r = b.post("/register", {"csrf": csrf, "personal_id": "1" * 100,
                                 "full_name": "A", "birth_date": "2000-01-01",
                                 "phone": "0912345678", "password": "x" * 20})
        self.assertEqual(r.status, 400)
        # Echoed values are escaped.
        r = b.post("/register", {"csrf": csrf, "personal_id": "00109900000",
                                 "full_name": '<b>"x"</b>', "birth_date": "2000-01-01",
                                 "phone": "0912345678", "password": "Mot-Hai-Ba-99!"})
        self.assertEqual(r.status, 400)
        self.assertNotIn("<b>", r.text)
        self.assertIn("&lt;b&gt;&quot;x&quot;&lt;/b&gt;", r.text)
        self.assertEqual(self.count("challenges"), before)

    def test_every_get_page(self):
        b = self.browser()
        for path in ("/", "/register", "/login", "/forgot", "/lock", "/unlock",
                     "/done?n=created", "/done?n=signed_out"):
            p = b.get(path)
            self.assertEqual(p.status, 200, path)
            self.assertEqual(p.headers.get("X-Frame-Options"), "DENY")
        self.assertEqual(b.get("/done?n=nope").status, 404)
        self.assertGreater(b.pages, 8)


if __name__ == "__main__":
    harness.main()
