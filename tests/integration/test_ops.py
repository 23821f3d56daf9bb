"""Operations of `idp serve` against real servers: the config file and its
precedence, HTTPS served directly, GET /metrics (format, counts, access
rule), trusted proxies, SIGHUP reopening the log file, graceful shutdown
with requests in flight, and `idp backup` of a running server restored and
used."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import stat
import subprocess
import tempfile
import threading
import time
import unittest

import harness
from harness import Server

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"'
VALUE = r"(?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?Inf|NaN)"
HELP_RE = re.compile(r"^# HELP (%s) [^\n]*$" % NAME)
TYPE_RE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$"
                     % NAME)
SAMPLE_RE = re.compile(r"^(%s)(?:\{(%s(?:,%s)*)\})? (%s)$"
                       % (NAME, LABEL, LABEL, VALUE))
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """The Prometheus text format, strictly: {(name, labels): value}, with
    every sample's family typed before it and histograms consistent.
    Raises AssertionError on any departure."""
    if not text.endswith("\n"):
        raise AssertionError("the page does not end with a newline")
    types, samples, helped = {}, {}, set()
    for n, line in enumerate(text.split("\n")[:-1], 1):
        m = HELP_RE.match(line)
        if m:
            helped.add(m.group(1))
            continue
        m = TYPE_RE.match(line)
        if m:
            if m.group(1) in types:
                raise AssertionError("line %d: TYPE again for %s" % (n, m.group(1)))
            types[m.group(1)] = m.group(2)
            continue
        m = SAMPLE_RE.match(line)
        if not m:
            raise AssertionError("line %d is not in the text format: %r" % (n, line))
        name, labels = m.group(1), tuple(LABEL_RE.findall(m.group(2) or ""))
        family = re.sub(r"_(bucket|sum|count)$", "", name)
        if name not in types and not (family in types and
                                      types[family] == "histogram"):
            raise AssertionError("line %d: %s has no TYPE before it" % (n, name))
        if (name, labels) in samples:
            raise AssertionError("line %d: sample repeated: %r" % (n, line))
        samples[(name, labels)] = float(m.group(3))
    for fam, t in types.items():
        if fam not in helped:
            raise AssertionError("%s has no HELP" % fam)
        if t == "histogram":
            check_histogram(fam, samples)
    return samples


def check_histogram(fam, samples):
    series = {}
    for (name, labels), v in samples.items():
        if name == fam + "_bucket":
            rest = tuple(l for l in labels if l[0] != "le")
            le = dict(labels)["le"]
            series.setdefault(rest, []).append(
                (float("inf") if le == "+Inf" else float(le), v))
    for rest, buckets in series.items():
        buckets.sort()
        counts = [v for _, v in buckets]
        if counts != sorted(counts) or buckets[-1][0] != float("inf"):
            raise AssertionError("%s%r: buckets not cumulative" % (fam, rest))
        if samples.get((fam + "_count", rest)) != counts[-1]:
            raise AssertionError("%s%r: _count is not the +Inf bucket" % (fam, rest))
        if (fam + "_sum", rest) not in samples:
            raise AssertionError("%s%r: no _sum" % (fam, rest))


def value(samples, name, **labels):
    for (n, ls), v in samples.items():
        if n == name and all(dict(ls).get(k) == w for k, w in labels.items()):
            return v
    return None


def write(path, text, mode=0o600):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


class Proc:
    """`idp serve ARGS` in `directory`, for runs the Server helper does not
    cover (config files, TLS, log files): waits for the listening line."""

    def __init__(self, directory, args, env=None):
        self.dir = directory
        self.stderr_path = os.path.join(directory, "serve.stderr")
        self.stderr = open(self.stderr_path, "wb")
        argv = harness.wrapped([harness.IDP, "serve"] + [str(a) for a in args],
                               os.path.join(directory, "valgrind.%p.log"))
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                     stderr=self.stderr, cwd=directory,
                                     env=env if env is not None else harness.base_env())
        line = self.proc.stdout.readline().decode()
        m = harness.LISTEN_RE.match(line)
        if not m:
            self.proc.wait(timeout=harness.STOP_TIMEOUT)
            raise AssertionError("no listening line: %r\n%s" % (line, self.err()))
        self.issuer, self.port = m.group(1), int(m.group(2))

    def err(self):
        if not self.stderr.closed:
            self.stderr.flush()
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=harness.STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc.stdout.close()
        self.stderr.close()
        return rc


def serve_fails(directory, args):
    """Runs `idp serve ARGS` that should not start: (exit status, stderr)."""
    r = harness.run_wrapped([harness.IDP, "serve"] + [str(a) for a in args],
                            cwd=directory, capture_output=True, text=True,
                            env=harness.base_env(), timeout=60)
    return r.returncode, r.stderr


def get(port, path, headers=None, tls_ctx=None):
    conn = (http.client.HTTPSConnection("127.0.0.1", port, context=tls_ctx,
                                        timeout=harness.scaled(30))
            if tls_ctx else
            http.client.HTTPConnection("127.0.0.1", port,
                                       timeout=harness.scaled(30)))
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


class TempDirTest(unittest.TestCase):
    def setUp(self):
        harness.require_binary()
        self.tmp = tempfile.mkdtemp(prefix="idp-ops-")
        self.db = os.path.join(self.tmp, "idp.db")
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            p.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def serve(self, *args, env=None):
        p = Proc(self.tmp, ["--db", self.db, "--web", harness.WEB_DIR] +
                 list(args), env=env)
        self.procs.append(p)
        return p


class ConfigFile(TempDirTest):
    def test_file_then_flags_and_environment_order(self):
        conf = os.path.join(self.tmp, "idp.conf")
        write(conf, "# settings\n\n  issuer = https://id.example.test  \n"
              "log-level = error\nlisten = 127.0.0.1:0\nthreads=2\n")
        # The file beats the environment: no info line at level error.
        env = harness.base_env(IDP_LOG_LEVEL="debug")
        p = self.serve("--config", conf, env=env)
        self.assertEqual(p.issuer, "https://id.example.test")
        status, body = get(p.port, "/.well-known/openid-configuration")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["issuer"], "https://id.example.test")
        self.assertEqual(p.stop(), 0)
        self.assertNotIn('"server.started"', p.err())
        # A flag beats the file, whichever comes first on the line.
        p = self.serve("--issuer", "https://flag.example.test", "--config",
                       conf, "--log-level", "info")
        self.assertEqual(p.issuer, "https://flag.example.test")
        self.assertEqual(p.stop(), 0)
        self.assertIn('"server.started"', p.err())

    def test_other_commands_take_the_file(self):
        conf = os.path.join(self.tmp, "cli.conf")
        other = os.path.join(self.tmp, "other.db")
        write(conf, "db = %s\n" % other)
        r = harness.run_idp("migrate", "--config", conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(other))
        self.assertFalse(os.path.exists(self.db))

    def test_example_config_parses(self):
        example = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                               "..", "..", "dist", "dinhdanh.conf")
        r = harness.run_idp("migrate", "--config", example, db=self.db)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_errors_name_file_and_line(self):
        conf = os.path.join(self.tmp, "bad.conf")
        cases = [
            ("listen = 127.0.0.1:0\n\nbogus = 1\n", ":3: unknown setting: bogus"),
            ("# c\nthreads = many\n", ":2: --threads: expected a number"),
            ("listen 127.0.0.1:0\n", ":1: expected KEY = VALUE"),
            ("demo = yes\n", ":1: demo: expected true or false"),
            ("trust-proxy = 10.0.0.1,proxy.example\n", ":1: --trust-proxy"),
            ("config = other.conf\n", ":1: a config file cannot name another"),
        ]
        for text, want in cases:
            with self.subTest(text=text):
                write(conf, text)
                rc, err = serve_fails(self.tmp, ["--db", self.db, "--config", conf])
                self.assertEqual(rc, 2, err)
                self.assertIn(conf + want, err)
        rc, err = serve_fails(self.tmp, ["--db", self.db, "--config",
                                         os.path.join(self.tmp, "missing.conf")])
        self.assertEqual(rc, 2)
        self.assertIn("missing.conf: No such file", err)


def make_cert(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "2",
                        "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("openssl: %s" % r.stderr)
    os.chmod(key, 0o600)
    return cert, key


@unittest.skipUnless(shutil.which("openssl"), "openssl is not installed")
class Tls(TempDirTest):
    def test_https_served_directly(self):
        cert, key = make_cert(self.tmp)
        p = self.serve("--listen", "127.0.0.1:0", "--tls-cert", cert,
                       "--tls-key", key)
        self.assertEqual(p.issuer, "https://127.0.0.1:%d" % p.port)
        ctx = ssl.create_default_context(cafile=cert)
        status, body = get(p.port, "/.well-known/openid-configuration", tls_ctx=ctx)
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["issuer"], p.issuer)
        # Plain HTTP on the TLS port gets no HTTP answer.
        with self.assertRaises((http.client.HTTPException, OSError)):
            get(p.port, "/healthz")
        status, _ = get(p.port, "/healthz", tls_ctx=ctx)
        self.assertEqual(status, 200)

    def test_key_readable_by_others_or_half_given_is_refused(self):
        cert, key = make_cert(self.tmp)
        os.chmod(key, 0o644)
        rc, err = serve_fails(self.tmp, ["--db", self.db, "--listen",
                                         "127.0.0.1:0", "--tls-cert", cert,
                                         "--tls-key", key])
        self.assertEqual(rc, 1)
        self.assertIn("readable by group or others", err)
        rc, err = serve_fails(self.tmp, ["--db", self.db, "--tls-cert", cert])
        self.assertEqual(rc, 1)
        self.assertIn("--tls-cert and --tls-key go together", err)
        os.chmod(key, 0o600)
        write(cert, "not a certificate\n", 0o644)
        rc, err = serve_fails(self.tmp, ["--db", self.db, "--listen",
                                         "127.0.0.1:0", "--tls-cert", cert,
                                         "--tls-key", key])
        self.assertEqual(rc, 1, err)


def login_attempt(srv, forwarded=None):
    """A password login for nobody: the server still runs Argon2id (against
    a decoy hash) and refuses it."""
    headers = {"X-Forwarded-For": forwarded} if forwarded else None
    return srv.request("POST", "/v1/login", {"personal_id": "001099000001",
                                             "password": "not the password 1"},
                       headers=headers)


class Metrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="idp-ops-token-")
        cls.token = "metrics-token-" + os.urandom(12).hex()
        cls.token_file = os.path.join(cls.tmp, "token")
        write(cls.token_file, cls.token + "\n")
        cls.srv = Server(extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        cls.tsrv = Server(extra_args=["--metrics-token", cls.token_file])
        try:
            cls.tsrv.__enter__()
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.tsrv.__exit__(None, None, None)
        cls.srv.__exit__(None, None, None)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def scrape(self, srv=None, headers=None):
        status, hdrs, body = (srv or self.srv).request("GET", "/metrics",
                                                       headers=headers)
        self.assertEqual(status, 200, body)
        self.assertTrue(hdrs["Content-Type"].startswith("text/plain; version=0.0.4"))
        return parse_metrics(body.decode())

    def test_format_and_series(self):
        s = self.scrape()
        for fam in ("dinhdanh_logins_total", "dinhdanh_airport_verifications_total",
                    "dinhdanh_security_events_total"):
            self.assertTrue(any(n == fam for n, _ in s), fam)
        for name in ("dinhdanh_lockouts_total", "dinhdanh_password_pool_queue_depth",
                     "dinhdanh_uptime_seconds", "dinhdanh_resident_memory_bytes"):
            self.assertIsNotNone(value(s, name), name)
        self.assertGreater(value(s, "dinhdanh_resident_memory_bytes"), 1e6)

    def test_requests_counted_by_route_pattern(self):
        before = self.scrape()
        for _ in range(3):
            self.assertEqual(self.srv.request("GET", "/healthz")[0], 200)
        self.assertEqual(self.srv.request("GET", "/no/such/thing-x1")[0], 404)
        after = self.scrape()

        def delta(**labels):
            return ((value(after, "dinhdanh_http_requests_total", **labels) or 0) -
                    (value(before, "dinhdanh_http_requests_total", **labels) or 0))
        # A request is counted when libmicrohttpd reports it complete, which
        # may come just after the client has read the answer.
        deadline = time.monotonic() + harness.scaled(5)
        while delta(route="(none)", status="404") < 1 and \
                time.monotonic() < deadline:
            time.sleep(0.05)
            after = self.scrape()
        self.assertEqual(delta(route="/healthz", method="GET", status="200"), 3)
        self.assertEqual(delta(route="(none)", status="404"), 1)
        # Raw paths never become labels.
        self.assertFalse(any("thing-x1" in repr(k) for k in after))
        n = value(after, "dinhdanh_http_request_duration_seconds_count",
                  route="/healthz")
        self.assertGreaterEqual(n, 3)

    def test_logins_counted_by_outcome(self):
        before = value(self.scrape(), "dinhdanh_logins_total",
                       outcome="bad_credentials")
        for _ in range(2):
            status, _, body = login_attempt(self.srv)
            self.assertEqual(status, 401, body)
        after = value(self.scrape(), "dinhdanh_logins_total",
                      outcome="bad_credentials")
        self.assertEqual(after - before, 2)

    def test_access_rule(self):
        # Through a proxy (X-Forwarded-For) loopback is not enough.
        for h in ({"X-Forwarded-For": "198.51.100.7"}, {"Forwarded": "for=1.2.3.4"}):
            status, _, _ = self.srv.request("GET", "/metrics", headers=h)
            self.assertEqual(status, 403)
        # With a token configured: the token opens it from anywhere.
        fwd = {"X-Forwarded-For": "198.51.100.7"}
        status, hdrs, _ = self.tsrv.request("GET", "/metrics", headers=fwd)
        self.assertEqual(status, 401)
        self.assertEqual(hdrs["WWW-Authenticate"], "Bearer")
        for bad in (self.token[:-1], self.token + "x", self.token.upper(), ""):
            status, _, _ = self.tsrv.request(
                "GET", "/metrics", headers=dict(fwd, Authorization="Bearer " + bad))
            self.assertEqual(status, 401, bad)
        self.scrape(self.tsrv, dict(fwd, Authorization="Bearer " + self.token))
        self.scrape(self.tsrv)


class TrustProxy(unittest.TestCase):
    def limited(self, srv, forwarded):
        return login_attempt(srv, forwarded)[0] == 429

    def test_forwarded_address_only_from_a_trusted_peer(self):
        with Server(extra_args=["--login-rate", "2", "--trust-proxy",
                                "10.9.9.9,127.0.0.1"]) as srv:
            a, b = "203.0.113.7", "203.0.113.99, 127.0.0.1"
            self.assertFalse(self.limited(srv, a))
            self.assertFalse(self.limited(srv, a))
            self.assertTrue(self.limited(srv, a))
            # Another client behind the same proxy has its own allowance
            # (the trusted hop on the right is skipped).
            self.assertFalse(self.limited(srv, b))
        with Server(extra_args=["--login-rate", "2"]) as srv:
            # Untrusted: the header is ignored, the peer is the client.
            self.assertFalse(self.limited(srv, "203.0.113.1"))
            self.assertFalse(self.limited(srv, "203.0.113.2"))
            self.assertTrue(self.limited(srv, "203.0.113.3"))


class LogFile(TempDirTest):
    def test_sighup_reopens_after_rename(self):
        log = os.path.join(self.tmp, "idp.log")
        p = self.serve("--listen", "127.0.0.1:0", "--log-file", log)
        with open(log) as f:
            self.assertIn('"server.started"', f.read())
        self.assertNotIn("server.started", p.err())
        os.rename(log, log + ".1")
        p.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + harness.scaled(10)
        while not os.path.exists(log) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertTrue(os.path.exists(log), "SIGHUP did not reopen the log")
        self.assertEqual(stat.S_IMODE(os.stat(log).st_mode) & 0o007, 0)
        self.assertEqual(p.stop(), 0)
        with open(log) as f:
            new = f.read()
        with open(log + ".1") as f:
            old = f.read()
        self.assertIn('"log.reopened"', new)
        self.assertIn('"server.stopped"', new)
        self.assertNotIn('"server.stopped"', old)
        for line in new.splitlines():
            json.loads(line)


class GracefulShutdown(unittest.TestCase):
    def test_in_flight_requests_finish_then_exit_0(self):
        srv = Server(extra_args=["--login-rate", "0", "--threads", "2"])
        srv.__enter__()
        try:
            results, threads = [], []
            body = json.dumps({"personal_id": "001099000001",
                               "password": "not the password 1"}).encode()
            sent = threading.Barrier(9)

            def one():
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", srv.port,
                                                      timeout=harness.scaled(30))
                    conn.request("POST", "/v1/login", body,
                                 {"Content-Type": "application/json"})
                    sent.wait()
                    results.append(conn.getresponse().status)
                    conn.close()
                except Exception as e:  # noqa: BLE001 - reported below
                    results.append(repr(e))
            # Eight Argon2id verifications queue for ~0.4 s on two cores.
            for _ in range(8):
                t = threading.Thread(target=one)
                t.start()
                threads.append(t)
            # Every request sent; a moment for the server to accept them
            # (requests still in the listen queue are not in flight).
            sent.wait(timeout=harness.scaled(30))
            time.sleep(0.1)
            srv.proc.send_signal(signal.SIGTERM)
            for t in threads:
                t.join(harness.scaled(30))
            rc = srv.proc.wait(timeout=harness.STOP_TIMEOUT)
            srv._stopped, srv.returncode = True, rc
            self.assertEqual(results, [401] * 8)
            self.assertEqual(rc, 0, srv.stderr_text())
            log = srv.stderr_all()
            self.assertIn('"server.drained"', log)
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", srv.port), timeout=2)
        finally:
            srv.__exit__(None, None, None)


class Backup(unittest.TestCase):
    def test_backup_of_a_running_server_restores(self):
        tmp = tempfile.mkdtemp(prefix="idp-ops-backup-")
        try:
            with Server() as srv:
                self.assertEqual(harness.seed_registry(srv, count=200, seed=5), 200)
                r = srv.idp("client", "add", "--kind", "registry", "--name", "bk")
                self.assertEqual(r.returncode, 0, r.stderr)
                stop = threading.Event()

                def traffic():
                    while not stop.is_set():
                        login_attempt(srv)
                t = threading.Thread(target=traffic)
                t.start()
                try:
                    out = os.path.join(tmp, "copy.db")
                    r = srv.idp("backup", out)
                finally:
                    stop.set()
                    t.join()
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertRegex(r.stdout, r": \d+ pages\n$")
                self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
                self.assertFalse(os.path.exists(out + ".tmp"))
                shutil.copy(os.path.join(srv.dir, "master.key"),
                            os.path.join(tmp, "master.key"))
                os.chmod(os.path.join(tmp, "master.key"), 0o600)
            with sqlite3.connect(out) as c:
                self.assertEqual(c.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            self.assertEqual(harness.people_count(out), 200)
            p = Proc(tmp, ["--db", out, "--web", harness.WEB_DIR,
                           "--listen", "127.0.0.1:0"])
            try:
                status, body = get(p.port, "/healthz")
                self.assertEqual(status, 200)
                status, body = get(p.port, "/jwks.json")
                self.assertEqual(status, 200, body)
                r = harness.run_idp("client", "list", db=out)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("bk", r.stdout)
            finally:
                self.assertEqual(p.stop(), 0)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_usage_and_missing_database(self):
        tmp = tempfile.mkdtemp(prefix="idp-ops-backup-")
        try:
            r = harness.run_idp("backup", db=os.path.join(tmp, "x.db"))
            self.assertEqual(r.returncode, 2)
            r = harness.run_idp("backup", os.path.join(tmp, "out.db"),
                                db=os.path.join(tmp, "missing.db"))
            self.assertEqual(r.returncode, 1)
            self.assertFalse(os.path.exists(os.path.join(tmp, "missing.db")))
            self.assertFalse(os.path.exists(os.path.join(tmp, "out.db")))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    harness.main()
