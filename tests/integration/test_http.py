"""HTTP rules of `idp serve` (DESIGN.md section 10) against a real server."""

import json
import os
import shutil
import socket
import tempfile
import threading
import unittest

import harness
from harness import Server

BODY_LIMIT = 64 * 1024
EVENTS = "/v1/registry/events"
PROBE_NAME = "zz-integration-probe.css"
PROBE_BODY = b"/* integration probe */\nbody { color: black; }\n"


def make_web_dir():
    """A copy of the source web dir with one known static file added."""
    d = tempfile.mkdtemp(prefix="idp-web-")
    web = os.path.join(d, "web")
    if harness.WEB_DIR and os.path.isdir(harness.WEB_DIR):
        shutil.copytree(harness.WEB_DIR, web)
    os.makedirs(os.path.join(web, "static"), exist_ok=True)
    with open(os.path.join(web, "static", PROBE_NAME), "wb") as f:
        f.write(PROBE_BODY)
    return d, web


class HttpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.webtmp, web = make_web_dir()
        cls.srv = Server(web_dir=web)
        cls.srv.__enter__()
        r = cls.srv.idp("client", "add", "--kind", "registry", "--name", "http-test")
        if r.returncode != 0:
            cls.srv.__exit__(None, None, None)
            raise AssertionError("client add failed: %s" % r.stderr)
        c = json.loads(r.stdout)
        cls.auth = harness.basic_auth(c["client_id"], c["client_secret"])

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.__exit__(None, None, None)
        finally:
            shutil.rmtree(cls.webtmp, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------

    def assert_security_headers(self, hdrs, page=False, what=""):
        csp = hdrs.get("Content-Security-Policy")
        self.assertTrue(csp, "%s: no Content-Security-Policy" % what)
        self.assertEqual(hdrs.get("X-Content-Type-Options"), "nosniff", what)
        self.assertEqual(hdrs.get("Referrer-Policy"), "no-referrer", what)
        if page:
            self.assertEqual(hdrs.get("X-Frame-Options"), "DENY", what)

    def assert_json_error(self, status, hdrs, body, want_status, want_error=None):
        self.assertEqual(status, want_status, body[:300])
        self.assertTrue(hdrs.get("Content-Type", "").startswith("application/json"),
                        hdrs.get("Content-Type"))
        j = json.loads(body)
        self.assertIsInstance(j.get("error"), str)
        self.assertIsInstance(j.get("error_description"), str)
        self.assertTrue(j["error_description"])
        if want_error is not None:
            self.assertEqual(j["error"], want_error, j)
        return j

    def post_events(self, body, ctype="application/json", auth=True):
        headers = {"Content-Type": ctype}
        if auth:
            headers["Authorization"] = self.auth
        return self.srv.request("POST", EVENTS, body, headers)

    # -- health --------------------------------------------------------------

    def test_healthz(self):
        status, hdrs, body = self.srv.request("GET", "/healthz")
        self.assertEqual(status, 200)
        self.assertTrue(hdrs.get("Content-Type", "").startswith("application/json"))
        self.assertEqual(json.loads(body), {"status": "ok"})
        self.assert_security_headers(hdrs, what="healthz")

    def test_head_healthz(self):
        conn = self.srv.connection()
        try:
            conn.request("HEAD", "/healthz")
            resp = conn.getresponse()
            data = resp.read()
            self.assertEqual(resp.status, 200)
            self.assertEqual(data, b"")
            self.assert_security_headers(resp.headers, what="HEAD")
            # The connection is still usable after a HEAD answer.
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            self.assertEqual(json.loads(resp.read()), {"status": "ok"})
        finally:
            conn.close()

    # -- security headers on every kind of response ------------------------

    def test_headers_home_page(self):
        status, hdrs, body = self.srv.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertTrue(hdrs.get("Content-Type", "").startswith("text/html"))
        self.assertIn(b"<html", body.lower())
        self.assert_security_headers(hdrs, page=True, what="home")

    def test_headers_static_file(self):
        status, hdrs, body = self.srv.request("GET", "/static/" + PROBE_NAME)
        self.assertEqual(status, 200)
        self.assertEqual(body, PROBE_BODY)
        self.assertTrue(hdrs.get("Content-Type", "").startswith("text/css"),
                        hdrs.get("Content-Type"))
        self.assert_security_headers(hdrs, what="static")
        # Percent-escapes in the path are still decoded (only %00 is not).
        encoded = "/static/" + PROBE_NAME.replace(".", "%2E").replace("-", "%2d")
        status, hdrs, body = self.srv.request("GET", encoded)
        self.assertEqual(status, 200, encoded)
        self.assertEqual(body, PROBE_BODY)

    def test_headers_source_static_files(self):
        static = os.path.join(harness.WEB_DIR, "static")
        names = sorted(n for n in os.listdir(static)
                       if os.path.isfile(os.path.join(static, n))) \
            if os.path.isdir(static) else []
        if not names:
            self.skipTest("the source web/static holds no files yet")
        for name in names[:10]:
            with self.subTest(name=name):
                status, hdrs, body = self.srv.request("GET", "/static/" + name)
                self.assertEqual(status, 200)
                with open(os.path.join(static, name), "rb") as f:
                    self.assertEqual(body, f.read())
                self.assert_security_headers(
                    hdrs, page=hdrs.get("Content-Type", "").startswith("text/html"),
                    what=name)

    def test_headers_404_unknown_path(self):
        for path in ("/no/such/thing", "/v1/nothing", "/static/no-such-file.css"):
            with self.subTest(path=path):
                status, hdrs, body = self.srv.request("GET", path)
                self.assert_json_error(status, hdrs, body, 404)
                self.assert_security_headers(hdrs, what="404")

    def test_headers_405(self):
        status, hdrs, body = self.srv.request("POST", "/healthz", b"{}",
                                              {"Content-Type": "application/json"})
        self.assert_json_error(status, hdrs, body, 405)
        self.assertIn("GET", hdrs.get("Allow", ""))
        self.assert_security_headers(hdrs, what="405")
        status, hdrs, body = self.srv.request("GET", EVENTS)
        self.assert_json_error(status, hdrs, body, 405)
        self.assertIn("POST", hdrs.get("Allow", ""))

    def test_headers_401(self):
        status, hdrs, body = self.post_events({"event_id": "x"}, auth=False)
        self.assert_json_error(status, hdrs, body, 401)
        self.assertTrue(hdrs.get("WWW-Authenticate", "").startswith("Basic"))
        self.assert_security_headers(hdrs, what="401")

    def test_headers_400_malformed_json(self):
        status, hdrs, body = self.post_events(b'{"event_id": ')
        self.assert_json_error(status, hdrs, body, 400, "invalid_request")
        self.assert_security_headers(hdrs, what="400")

    def test_headers_413(self):
        status, hdrs, body = self.post_events(b"x" * (BODY_LIMIT + 1024 + 1))
        self.assert_json_error(status, hdrs, body, 413)
        self.assert_security_headers(hdrs, what="413")

    # -- bodies ----------------------------------------------------------------

    def test_body_just_over_limit_413(self):
        status, hdrs, body = self.post_events(b" " * (BODY_LIMIT + 1))
        self.assert_json_error(status, hdrs, body, 413)

    def test_body_at_limit_not_413(self):
        # Exactly 64 KiB of valid JSON: read and judged on its content.
        pad = BODY_LIMIT - len(json.dumps({"event_id": "", "type": "death"}))
        doc = json.dumps({"event_id": "", "type": "death"})
        body = (doc[:-1] + " " * pad + "}").encode()
        self.assertEqual(len(body), BODY_LIMIT)
        status, hdrs, data = self.post_events(body)
        self.assert_json_error(status, hdrs, data, 400, "invalid_request")

    def test_body_chunked_over_limit_413(self):
        conn = self.srv.connection()
        try:
            def chunks():
                for _ in range(20):
                    yield b"y" * 4096
            conn.request("POST", EVENTS, body=chunks(),
                         headers={"Content-Type": "application/json",
                                  "Authorization": self.auth},
                         encode_chunked=True)
            resp = conn.getresponse()
            data = resp.read()
        except (ConnectionResetError, BrokenPipeError) as e:
            self.fail("connection dropped instead of a 413: %r" % e)
        finally:
            conn.close()
        self.assert_json_error(resp.status, resp.headers, data, 413)

    def test_malformed_json_400(self):
        for bad in (b"{", b"not json", b'{"a":1,}', b"", b"[1,2]", b'"str"',
                    b'{"a":1,"a":2}'):
            with self.subTest(body=bad):
                status, hdrs, body = self.post_events(bad)
                self.assert_json_error(status, hdrs, body, 400, "invalid_request")

    def test_wrong_content_type_415(self):
        for ctype in ("text/plain", "application/x-www-form-urlencoded",
                      "application/jsonx"):
            with self.subTest(ctype=ctype):
                status, hdrs, body = self.post_events(b"{}", ctype=ctype)
                self.assert_json_error(status, hdrs, body, 415)
                self.assert_security_headers(hdrs, what="415")

    def test_json_nesting_depth_400(self):
        deep = ('{"event_id":"d","data":' + '[' * 100 + ']' * 100 + '}').encode()
        status, hdrs, body = self.post_events(deep)
        self.assert_json_error(status, hdrs, body, 400, "invalid_request")
        deep_obj = ('{"a":' * 100 + '1' + '}' * 100).encode()
        status, hdrs, body = self.post_events(deep_obj)
        self.assert_json_error(status, hdrs, body, 400, "invalid_request")

    # -- connections -----------------------------------------------------------

    def test_keep_alive(self):
        conn = self.srv.connection()
        try:
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            resp.read()
            sock = conn.sock
            self.assertIsNotNone(sock, "connection closed after the first answer")
            paths = ["/healthz", "/", "/no/such", "/healthz", "/healthz"]
            for path in paths:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                self.assertIn(resp.status, (200, 404))
                self.assertIs(conn.sock, sock, "reconnected for %s" % path)
            # An error answer to a POST with a body does not close it either.
            conn.request("POST", EVENTS, body=b"{", headers={
                "Content-Type": "application/json", "Authorization": self.auth})
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 400)
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 200)
            self.assertIs(conn.sock, sock, "reconnected after a 400")
        finally:
            conn.close()

    def test_concurrent_requests(self):
        n = 200
        results = [None] * n
        start = threading.Barrier(n)

        def worker(i):
            try:
                start.wait(timeout=30)
                status, _, body = self.srv.request("GET", "/healthz", timeout=60)
                results[i] = (status, body)
            except Exception as e:  # noqa: BLE001 - reported below
                results[i] = ("exception", repr(e))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        bad = [r for r in results if r is None or r[0] != 200
               or json.loads(r[1]) != {"status": "ok"}]
        self.assertEqual(bad, [], "%d of %d failed" % (len(bad), n))

    def raw_exchange(self, junk, timeout):
        """Sends junk on a fresh socket; returns what came back before the
        server closed (b"" when it just closed), or None on a timeout."""
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=timeout)
        try:
            s.sendall(junk)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except ConnectionResetError:
                pass
            except socket.timeout:
                return None
            return data
        finally:
            s.close()

    def test_raw_garbage(self):
        # Each must get a 400 (505 for an unknown version) or a close.
        for junk in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                     b"GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n",
                     b"GET /healthz HTTP/1.1\r\nContent-Length: -5\r\n\r\n"):
            with self.subTest(junk=junk):
                data = self.raw_exchange(junk, 10)
                self.assertIsNotNone(data, "no answer and no close within 10 s")
                if data:
                    status_line = data.split(b"\r\n", 1)[0]
                    self.assertRegex(status_line, rb"^HTTP/1\.[01] (400|505) ",
                                     data[:200])
        # Binary junk may also just wait for a request line (the connection
        # times out later); it must not get a 5xx or stop the server.
        for junk in (b"\x00\x01\x02\xff\r\n\r\n", b"\xff" * 3000 + b"\r\n\r\n"):
            with self.subTest(junk=junk[:8]):
                data = self.raw_exchange(junk, 3)
                if data:
                    self.assertNotRegex(data.split(b"\r\n", 1)[0],
                                        rb"^HTTP/1\.[01] 5", data[:200])
        status, _, body = self.srv.request("GET", "/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), {"status": "ok"})

    def test_nul_in_path(self):
        for path in ("/healthz%00", "/healthz%00.json", "/static/%00",
                     "/%00", "/static/..%2f..%2fetc%2fpasswd"):
            with self.subTest(path=path):
                status, hdrs, body = self.srv.request("GET", path)
                self.assertGreaterEqual(status, 400, body[:200])
                self.assertLess(status, 500, body[:200])
        status, _, _ = self.srv.request("GET", "/healthz")
        self.assertEqual(status, 200)

    def test_long_path(self):
        path = "/" + "a" * (8 * 1024)
        status, hdrs, body = self.srv.request("GET", path)
        self.assertGreaterEqual(status, 400)
        self.assertLess(status, 500)
        path = "/static/" + "b" * (8 * 1024)
        status, hdrs, body = self.srv.request("GET", path)
        self.assertGreaterEqual(status, 400)
        self.assertLess(status, 500)
        status, _, _ = self.srv.request("GET", "/healthz")
        self.assertEqual(status, 200)


class ShutdownTest(unittest.TestCase):
    def test_sigterm_clean_exit(self):
        srv = Server()
        with srv:
            status, _, _ = srv.request("GET", "/healthz")
            self.assertEqual(status, 200)
            rc = srv.stop()
            self.assertEqual(rc, 0, srv.stderr_text())
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", srv.port), timeout=5).close()

    def test_sigterm_with_idle_keepalive_connection(self):
        srv = Server()
        with srv:
            conn = srv.connection()
            try:
                conn.request("GET", "/healthz")
                resp = conn.getresponse()
                resp.read()
                self.assertEqual(resp.status, 200)
                rc = srv.stop()
                self.assertEqual(rc, 0, srv.stderr_text())
            finally:
                conn.close()

    def test_listening_line_and_port(self):
        with Server() as srv:
            self.assertGreater(srv.port, 0)
            self.assertEqual(srv.base_url, "http://127.0.0.1:%d" % srv.port)

    def test_port_in_use_refused(self):
        """A second server on a port that one already holds exits 1 with
        a one-line reason: it never shares the port with the first."""
        with Server() as srv, harness.TempDir() as tmp:
            r = harness.run_idp("serve", "--listen", "127.0.0.1:%d" % srv.port,
                                "--web", harness.WEB_DIR, db=tmp.db, timeout=30)
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn("cannot listen on 127.0.0.1:%d" % srv.port, r.stderr)


if __name__ == "__main__":
    harness.main()
