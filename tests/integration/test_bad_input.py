"""Bad input in every field (issue 10): each JSON field of each JSON
endpoint, each form field of the token, revocation, introspection and page
forms, and each query parameter of /authorize, replaced in turn by invalid
UTF-8, NUL, a huge number, a wrong type, an overlong string or a duplicate
key. Every answer must be a 4xx (or, from /authorize once the client and
redirect URI are known, a redirect carrying error=invalid_request), never a
5xx or a hang, and the server still answers and exits 0 at SIGTERM.
tests/BAD-INPUT.md lists these cases with the others."""

import json
import socket
import urllib.parse
import unittest

import harness
from harness import Server

# Invalid UTF-8 (raw bytes inside a JSON string, or percent-encoded in a
# form or a query): a lone continuation byte, bytes never valid, an overlong
# "/", a UTF-16 surrogate, a code point past U+10FFFF, a truncated sequence.
BAD_UTF8 = [b"\x80", b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80", b"Nguy\xe1\xbb"]

# The airport verifier answers every unusable body with its own verdict
# (README, Airports: 422 {"result":"rejected","reason":"malformed"}).
AIRPORT = "/v1/airport/verify"
MALFORMED = {"result": "rejected", "reason": "malformed"}

JSON_ENDPOINTS = [
    # path, fields (with a plausible value each), auth kind
    ("/v1/accounts", {"personal_id": "001030222076", "full_name": "Lưu Văn Tùng",
                      "birth_date": "1930-12-18", "phone": "0912345678",
                      "password": "hoa sen trong dam"}, None),
    ("/v1/accounts/resend", {"registration_id": "r_abc"}, None),
    ("/v1/accounts/confirm", {"registration_id": "r_abc", "code": "123456"}, None),
    ("/v1/login", {"personal_id": "001030222076", "password": "hoa sen trong dam"}, None),
    ("/v1/login/code", {"login_id": "l_abc", "code": "123456"}, None),
    ("/v1/login/resend", {"login_id": "l_abc"}, None),
    ("/v1/lock", {"personal_id": "001030222076", "password": "hoa sen trong dam"}, None),
    ("/v1/lock/confirm", {"challenge_id": "c_abc", "code": "123456"}, None),
    ("/v1/unlock", {"personal_id": "001030222076", "password": "hoa sen trong dam"}, None),
    ("/v1/unlock/confirm", {"challenge_id": "c_abc", "code": "123456"}, None),
    ("/v1/password/forgot", {"personal_id": "001030222076", "phone": "0912345678"}, None),
    ("/v1/password/reset", {"challenge_id": "c_abc", "code": "123456",
                            "password": "hoa sen trong dam"}, None),
    ("/v1/registry/events", {"event_id": "ev-1", "type": "name_changed",
                             "personal_id": "001030222076",
                             "data": {"full_name": "Lưu Văn Tùng"}}, "registry"),
    ("/v1/enrollments", {"chip_record": "a.b.c", "biometric_digest": "3f" * 32,
                         "phone": "0912345678"}, "officer"),
    ("/v1/airport/verify", {"presentation": "a.b.c"}, "airport"),
    ("/v1/devices", {"activation_code": "98S43-9TV1K-KV5D4-4DS3M",
                     "public_key": "A" * 43, "name": "phone"}, None),
]


def json_with(fields, name, raw_value):
    """The JSON text of `fields` with field `name`'s value replaced by the
    raw bytes raw_value (not re-encoded, so invalid UTF-8 stays invalid)."""
    parts = []
    for k, v in fields.items():
        val = raw_value if k == name else json.dumps(v, ensure_ascii=False).encode()
        parts.append(json.dumps(k).encode() + b":" + val)
    return b"{" + b",".join(parts) + b"}"


def nested_with(fields, name, raw_value):
    """As json_with, for a field inside the object `data` when name is
    data.X."""
    outer, inner = name.split(".", 1)
    sub = json_with(fields[outer], inner, raw_value)
    return json_with(fields, outer, sub)


def mutations(fields):
    """[(label, field, body bytes, must be exactly 400 invalid_request)]."""
    names = []
    for k, v in fields.items():
        if isinstance(v, dict):
            names += ["%s.%s" % (k, s) for s in v]
        names.append(k)
    out = []
    for name in names:
        build = nested_with if "." in name else json_with
        for i, bad in enumerate(BAD_UTF8):
            out.append(("utf8-%d" % i, name, build(fields, name, b'"ab' + bad + b'cd"'), True))
        out.append(("raw NUL", name, build(fields, name, b'"ab\x00cd"'), True))
        out.append(("escaped NUL", name, build(fields, name, b'"ab\\u0000cd"'), True))
        out.append(("lone surrogate escape", name,
                    build(fields, name, b'"\\ud800"'), True))
        out.append(("huge number", name, build(fields, name, b"1e999999"), True))
        out.append(("long integer", name, build(fields, name, b"9" * 5000), False))
        out.append(("object", name, build(fields, name, b'{"a":{"b":[1]}}'), False))
        out.append(("array", name, build(fields, name, b'["x","y"]'), False))
        out.append(("true", name, build(fields, name, b"true"), False))
        out.append(("null", name, build(fields, name, b"null"), False))
        out.append(("empty", name, build(fields, name, b'""'), False))
        out.append(("60 KB", name, build(fields, name, b'"' + b"x" * 60000 + b'"'), False))
        if "." not in name:
            dup = json_with(fields, name, json.dumps(fields[name]).encode())
            dup = dup[:-1] + b"," + json.dumps(name).encode() + b':"other"}'
            out.append(("duplicate key", name, dup, True))
    return out


class BadInputServer:
    """One server with a registry client, an officer and an airport."""

    @classmethod
    def setUpClass(cls):
        cls.srv = Server()
        cls.srv.__enter__()
        try:
            cls.auth = {}
            for kind in ("registry", "airport"):
                r = cls.srv.idp("client", "add", "--kind", kind, "--name", "bad-" + kind)
                if r.returncode != 0:
                    raise AssertionError(r.stderr)
                c = json.loads(r.stdout)
                cls.auth[kind] = harness.basic_auth(c["client_id"], c["client_secret"])
            r = cls.srv.idp("officer", "add", "--name", "Bad Input", "--office", "Test")
            if r.returncode != 0:
                raise AssertionError(r.stderr)
            cls.auth["officer"] = "Bearer " + json.loads(r.stdout)["token"]
            cls.portal = harness.add_client(cls.srv, "bad-input portal")
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    def send(self, method, path, body=None, headers=None, timeout=15):
        """(status, headers, body); a hang fails the test."""
        try:
            return self.srv.request(method, path, body, headers, timeout=timeout)
        except socket.timeout:
            self.fail("%s %s: no answer within %d s" % (method, path, timeout))

    def assert_refused(self, path, status, data, want):
        """`want` (400 or 415) with invalid_request; the airport's verdict."""
        if path == AIRPORT:
            self.assertEqual((status, json.loads(data)), (422, MALFORMED), data)
            return
        self.assertEqual(status, want, data)
        self.assertEqual(json.loads(data)["error"], "invalid_request")

    def assert_4xx(self, status, body, what):
        self.assertTrue(400 <= status < 500, "%s: %d %r" % (what, status, body[:300]))

    def tearDown(self):
        self.assertIsNone(self.srv.proc.poll(), "the server died")
        status, _, _ = self.srv.request("GET", "/healthz")
        self.assertEqual(status, 200)


class JsonFieldsTest(BadInputServer, unittest.TestCase):

    def test_every_json_field(self):
        """Each field of each JSON body, each bad value: 4xx; the ones the
        JSON layer must catch (invalid UTF-8, NUL, huge numbers, duplicate
        keys) exactly 400 invalid_request."""
        total = 0
        for path, fields, auth in JSON_ENDPOINTS:
            headers = {"Content-Type": "application/json"}
            if auth is not None:
                headers["Authorization"] = self.auth[auth]
            for label, name, body, exact in mutations(fields):
                with self.subTest(path=path, field=name, bad=label):
                    status, hdrs, data = self.send("POST", path, body, headers)
                    total += 1
                    self.assert_4xx(status, data, "%s %s %s" % (path, name, label))
                    if exact:
                        self.assert_refused(path, status, data, 400)
        self.assertGreater(total, 600)

    def test_wrong_content_type_every_json_endpoint(self):
        for path, fields, auth in JSON_ENDPOINTS:
            for ctype in (None, "text/plain", "application/x-www-form-urlencoded",
                          "application/json-patch+json", "multipart/form-data; b=x"):
                with self.subTest(path=path, ctype=ctype):
                    headers = {} if ctype is None else {"Content-Type": ctype}
                    if auth is not None:
                        headers["Authorization"] = self.auth[auth]
                    status, _, data = self.send("POST", path,
                                                json.dumps(fields).encode(), headers)
                    self.assert_refused(path, status, data, 415)

    def test_not_an_object_every_json_endpoint(self):
        for path, fields, auth in JSON_ENDPOINTS:
            for body in (b"", b"null", b"[]", b"1", b'"s"', b"{", b"\xef\xbb\xbf{}",
                         b"{}" + b"\x00", b'{"a":1}{"b":2}'):
                with self.subTest(path=path, body=body):
                    headers = {"Content-Type": "application/json"}
                    if auth is not None:
                        headers["Authorization"] = self.auth[auth]
                    status, _, data = self.send("POST", path, body, headers)
                    self.assert_refused(path, status, data, 400)

    def test_deep_nesting_every_json_endpoint(self):
        for path, fields, auth in JSON_ENDPOINTS:
            with self.subTest(path=path):
                headers = {"Content-Type": "application/json"}
                if auth is not None:
                    headers["Authorization"] = self.auth[auth]
                body = b'{"x":' + b"[" * 20000 + b"]" * 20000 + b"}"
                status, _, data = self.send("POST", path, body, headers)
                self.assert_refused(path, status, data, 400)


FORM_BAD = ["%80", "%FF%FE", "%C0%AF", "%ED%A0%80", "%F4%90%80%80",
            "Nguy%E1%BB", "a%00b", "%", "%zz", "%0", "x" * 5000]


class FormFieldsTest(BadInputServer, unittest.TestCase):

    def form(self, path, fields, auth=None):
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        if auth is not None:
            h["Authorization"] = auth
        body = "&".join("%s=%s" % (k, v) for k, v in fields.items())
        return self.send("POST", path, body, h)

    def test_oauth_endpoints_every_field(self):
        """/token, /revoke and /introspect with each field bad in turn:
        400 or 401, never a 5xx."""
        basic = harness.basic_auth(self.portal["client_id"],
                                   self.portal["client_secret"])
        q = urllib.parse.quote
        base = {
            "/token": {"grant_type": "authorization_code", "code": "abc",
                       "redirect_uri": q(harness.RP_REDIRECT_URI, safe=""),
                       "code_verifier": "v" * 50},
            "/revoke": {"token": "abc", "token_type_hint": "access_token"},
            "/introspect": {"token": "abc"},
        }
        for path, fields in base.items():
            for auth in (basic, None):
                extra = {} if auth else {"client_id": self.portal["client_id"],
                                         "client_secret": self.portal["client_secret"]}
                all_fields = dict(fields, **extra)
                for name in all_fields:
                    for bad in FORM_BAD:
                        with self.subTest(path=path, field=name, bad=bad[:12],
                                          basic=auth is not None):
                            status, _, data = self.form(
                                path, dict(all_fields, **{name: bad}), auth)
                            if (path, name, status) == ("/revoke", "token_type_hint",
                                                        200):
                                # RFC 7009 2.2: a hint it cannot use is ignored,
                                # but only well-formed text gets that far.
                                self.assertEqual(bad, "x" * 5000)
                                continue
                            self.assert_4xx(status, data, "%s %s" % (path, name))
        # Refresh grant fields too.
        for bad in FORM_BAD:
            status, _, data = self.form("/token", {"grant_type": "refresh_token",
                                                   "refresh_token": bad}, basic)
            self.assert_4xx(status, data, "refresh_token")

    def test_repeated_form_fields(self):
        """RFC 6749 3.1: a parameter sent twice in a POSTed form is refused
        with 400 invalid_request naming it, at /token, /revoke, /introspect
        and POST /authorize."""
        basic = harness.basic_auth(self.portal["client_id"],
                                   self.portal["client_secret"])
        h = {"Content-Type": "application/x-www-form-urlencoded",
             "Authorization": basic}
        cases = [("/token", "grant_type=authorization_code&code=abc&code=def"
                  "&code_verifier=" + "v" * 50, "code"),
                 ("/token", "grant_type=refresh_token&grant_type=refresh_token"
                  "&refresh_token=x", "grant_type"),
                 ("/revoke", "token=a&token=b", "token"),
                 ("/introspect", "token=a&token=a", "token")]
        for path, body, name in cases:
            with self.subTest(path=path, field=name):
                status, _, data = self.send("POST", path, body, h)
                self.assertEqual(status, 400, data)
                err = json.loads(data)
                self.assertEqual(err["error"], "invalid_request")
                self.assertIn(name, err["error_description"])
        good = QueryParamsTest.authorize_query(self)
        body = "&".join("%s=%s" % (k, urllib.parse.quote(v, safe=""))
                        for k, v in good.items()) + "&scope=openid"
        status, hdrs, data = self.send(
            "POST", "/authorize", body,
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertNotIn(status, (200, 500), data[:300])
        if status in (302, 303):
            params = harness.callback_params(hdrs.get("Location", ""))
            self.assertEqual(params.get("error"), "invalid_request", params)
        else:
            self.assertEqual(status, 400, data[:300])

    def test_basic_auth_header_garbage(self):
        for value in ("Basic", "Basic !!!!", "Basic YWJj", "Basic " + "A" * 5000,
                      "Basic %FF%FE", "Basic /w==", "Bearer x", "Basic Og=="):
            with self.subTest(value=value[:20]):
                status, _, data = self.form("/token", {"grant_type": "refresh_token",
                                                       "refresh_token": "x"}, value)
                self.assertEqual(status, 401, data)

    def test_page_forms_every_field(self):
        """The sign-in, registration and reset pages with each field bad:
        a 4xx page (400, or 403 when the CSRF check refuses first)."""
        pages = {
            "/login": ["personal_id", "password"],
            "/register": ["personal_id", "full_name", "birth_date", "phone", "password"],
            "/forgot": ["personal_id", "phone"],
            "/lock": ["personal_id", "password"],
            "/unlock": ["personal_id", "password"],
            "/login/code": ["code"],
            "/consent": ["decision"],
            "/login/qr/finish": ["tx"],
        }
        web = harness.WebClient(self.srv)
        page = web.get("/login")
        form = page.form("/login")
        self.assertIsNotNone(form, page)
        hidden = form[0]
        for path, names in pages.items():
            good = {n: "001030222076" if n == "personal_id" else "x" for n in names}
            for name in names:
                for bad in FORM_BAD:
                    with self.subTest(path=path, field=name, bad=bad[:12]):
                        fields = dict(hidden, **good)
                        fields[name] = bad
                        body = "&".join("%s=%s" % (k, v if k == name
                                                   else urllib.parse.quote(v, safe=""))
                                        for k, v in fields.items())
                        h = {"Content-Type": "application/x-www-form-urlencoded",
                             "Cookie": "; ".join("%s=%s" % kv
                                                 for kv in web.cookies.items())}
                        status, hdrs, data = self.send("POST", path, body, h)
                        if status == 303 and path == "/login/qr/finish":
                            # An unknown transaction: back to the sign-in page.
                            self.assertTrue(hdrs.get("Location", "").startswith(
                                "/login"), hdrs.get("Location"))
                            continue
                        self.assert_4xx(status, data, "%s %s" % (path, name))


class QueryParamsTest(BadInputServer, unittest.TestCase):

    PARAMS = ["response_type", "client_id", "redirect_uri", "scope", "state",
              "nonce", "code_challenge", "code_challenge_method", "prompt",
              "max_age", "acr_values", "login_hint", "ui_locales", "request"]

    def authorize_query(self):
        _, challenge = harness.pkce_pair()
        return {"response_type": "code", "client_id": self.portal["client_id"],
                "redirect_uri": harness.RP_REDIRECT_URI, "scope": "openid profile",
                "state": "s1", "nonce": "n1", "code_challenge": challenge,
                "code_challenge_method": "S256"}

    def test_authorize_every_parameter(self):
        """Each /authorize parameter bad in turn (and repeated): a 4xx page,
        or a redirect to the client's URI with error=invalid_request once the
        client and redirect URI are sound; never a 5xx, never a sign-in."""
        good = self.authorize_query()
        for name in self.PARAMS:
            for bad in FORM_BAD[:7] + ["x" * 3000]:
                with self.subTest(param=name, bad=bad[:12]):
                    q = dict(good)
                    q[name] = bad
                    target = "/authorize?" + "&".join(
                        "%s=%s" % (k, v if k == name else urllib.parse.quote(v, safe=""))
                        for k, v in q.items())
                    status, hdrs, data = self.send("GET", target)
                    self.check_authorize(name, status, hdrs, data)
            with self.subTest(param=name, bad="repeated"):
                q = "&".join("%s=%s" % (k, urllib.parse.quote(v, safe=""))
                             for k, v in good.items())
                twice = "&%s=other" % name * (1 if name in good else 2)
                status, hdrs, data = self.send("GET", "/authorize?" + q + twice)
                self.check_authorize(name, status, hdrs, data)

    def check_authorize(self, name, status, hdrs, data):
        if 400 <= status < 500:
            return
        self.assertIn(status, (302, 303), "%s: %d %r" % (name, status, data[:300]))
        loc = hdrs.get("Location", "")
        self.assertTrue(loc.startswith(harness.RP_REDIRECT_URI + "?"),
                        "%s: redirected to %r, not back with an error" % (name, loc))
        params = harness.callback_params(loc)
        self.assertIn(params.get("error"), ("invalid_request", "invalid_scope",
                                             "unsupported_response_type",
                                             "request_not_supported"),
                      "%s: %r" % (name, params))
        self.assertNotIn("code", params)

    def test_query_of_page_routes(self):
        """The other routes that read their query: bad values give a 4xx
        (or the page itself, which ignores what it does not know)."""
        for path, name in (("/login/qr/status", "tx"), ("/logout", "id_token_hint"),
                           ("/logout", "post_logout_redirect_uri"), ("/logout", "state"),
                           ("/lang", "to"), ("/lang", "next"), ("/consent", "req"),
                           ("/login", "req"), ("/login/continue", "req"),
                           ("/v1/credentials/status", "x")):
            for bad in FORM_BAD:
                with self.subTest(path=path, param=name, bad=bad[:12]):
                    status, hdrs, data = self.send("GET", "%s?%s=%s" % (path, name, bad))
                    self.assertLess(status, 500, "%s %s: %d %r"
                                    % (path, name, status, data[:300]))
                    if status in (301, 302, 303, 307):
                        loc = hdrs.get("Location", "")
                        self.assertFalse(loc.startswith("//") or "://" in loc
                                         and not loc.startswith(self.srv.base_url)
                                         and not loc.startswith(harness.RP_POST_LOGOUT_URI),
                                         "%s: open redirect to %r" % (path, loc))


if __name__ == "__main__":
    harness.main()
