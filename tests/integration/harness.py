"""Shared helpers for the integration tests: a real `idp serve` on loopback
in a fresh temporary directory, and the `idp` command line against the same
database.

Environment (set by tests/meson.build):
  IDP      path of the idp binary
  WEB_DIR  the source tree's web/ directory

Optional (`make test-valgrind` sets both):
  IDP_WRAPPER        a command line every idp (server and CLI) runs under,
                     e.g. "valgrind --leak-check=full --error-exitcode=99 -q";
                     valgrind's report then goes to a log file, and an exit
                     status equal to its --error-exitcode fails the test with
                     that report
  IDP_TIMEOUT_SCALE  factor for start, stop, request and command timeouts
"""

import base64
import html.parser
import http.client
import json
import os
import queue
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

IDP = os.environ.get("IDP", "")
WEB_DIR = os.environ.get("WEB_DIR", "")

WRAPPER = shlex.split(os.environ.get("IDP_WRAPPER", ""))
TIMEOUT_SCALE = max(1.0, float(os.environ.get("IDP_TIMEOUT_SCALE") or 1))


def scaled(seconds):
    """A timeout in seconds, multiplied by IDP_TIMEOUT_SCALE (None: none)."""
    return None if seconds is None else seconds * TIMEOUT_SCALE


def _wrapper_error_exit():
    for a in WRAPPER:
        if a.startswith("--error-exitcode="):
            return int(a.split("=", 1)[1])
    return None


WRAPPER_ERROR_EXIT = _wrapper_error_exit()
WRAPPER_IS_VALGRIND = bool(WRAPPER) and \
    os.path.basename(WRAPPER[0]).startswith("valgrind")

LISTEN_RE = re.compile(r"^dinhdanh listening on (\S+) \(port (\d+)\)\s*$")
START_TIMEOUT = scaled(60)
STOP_TIMEOUT = scaled(10)

CSV_HEADER = ("personal_id,full_name,birth_date,sex,nationality,"
              "place_of_origin,residence,card_number,card_issued_on,"
              "card_expires_on,status")
REGISTRY_FIELDS = CSV_HEADER.split(",")


def require_binary():
    """Fails loudly (not a skip) when the environment lacks the binary."""
    if not IDP or not os.access(IDP, os.X_OK):
        raise RuntimeError("IDP must name the idp binary (got %r)" % IDP)


def wrapped(argv, log_path=None):
    """argv under IDP_WRAPPER (argv itself without one). A valgrind wrapper
    writes its report to log_path (%p stands for the process id)."""
    if not WRAPPER:
        return list(argv)
    w = list(WRAPPER)
    if log_path is not None and WRAPPER_IS_VALGRIND:
        w.append("--log-file=" + log_path)
    return w + list(argv)


def wrapper_failed(returncode):
    """True when the exit status is the wrapper's --error-exitcode."""
    return bool(WRAPPER) and WRAPPER_ERROR_EXIT is not None and \
        returncode == WRAPPER_ERROR_EXIT


def read_logs(directory, prefix="valgrind."):
    """The wrapper's reports in `directory` (files prefix*.log), joined."""
    out = []
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return ""
    for name in names:
        if name.startswith(prefix) and name.endswith(".log"):
            with open(os.path.join(directory, name), "rb") as f:
                text = f.read().decode("utf-8", "replace").strip()
            if text:
                out.append("%s:\n%s" % (name, text))
    return "\n".join(out)


def run_wrapped(argv, timeout=120, **kw):
    """subprocess.run(argv, ...) under IDP_WRAPPER with a scaled timeout.
    Raises AssertionError with the wrapper's report when it found errors
    (valgrind: exit status --error-exitcode)."""
    if not WRAPPER:
        return subprocess.run(argv, timeout=timeout, **kw)
    logdir = tempfile.mkdtemp(prefix="idp-wrap-")
    try:
        r = subprocess.run(wrapped(argv, os.path.join(logdir,
                                                      "valgrind.%p.log")),
                           timeout=scaled(timeout), **kw)
        if wrapper_failed(r.returncode):
            raise AssertionError("%s found errors in %s\n%s"
                                 % (WRAPPER[0], " ".join(map(str, argv)),
                                    read_logs(logdir)))
        return r
    finally:
        shutil.rmtree(logdir, ignore_errors=True)


def base_env(**extra):
    """The environment for idp: without any IDP_* settings of the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDP_")}
    env.pop("IDP", None)
    env.update(extra)
    return env


def run_idp(*args, db=None, env=None, input=None, cwd=None, timeout=120):
    """Runs `idp ARGS [--db DB]`; returns the CompletedProcess (text mode).

    --db goes after the arguments: getopt permutes, so it still follows the
    subcommand's name, as the contract asks."""
    require_binary()
    argv = [IDP] + [str(a) for a in args]
    if db is not None:
        argv += ["--db", str(db)]
    return run_wrapped(argv, capture_output=True, text=True,
                       env=env if env is not None else base_env(),
                       input=input, cwd=cwd, timeout=timeout)


def run_idp_bytes(*args, db=None, env=None, cwd=None, timeout=120):
    """As run_idp, with stdout and stderr as bytes."""
    require_binary()
    argv = [IDP] + [str(a) for a in args]
    if db is not None:
        argv += ["--db", str(db)]
    return run_wrapped(argv, capture_output=True,
                       env=env if env is not None else base_env(),
                       cwd=cwd, timeout=timeout)


def b64url_decode(s):
    if isinstance(s, str):
        s = s.encode("ascii")
    return base64.urlsafe_b64decode(s + b"=" * (-len(s) % 4))


def jws_parts(token):
    """(header dict, payload dict, signing input bytes, signature bytes)."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise AssertionError("not a compact JWS (%d parts): %r"
                             % (len(parts), token[:80]))
    header = json.loads(b64url_decode(parts[0]))
    payload = json.loads(b64url_decode(parts[1]))
    return (header, payload, (parts[0] + "." + parts[1]).encode("ascii"),
            b64url_decode(parts[2]))


def sql_scalar(db_path, query, params=()):
    """One value from the database, read with the sqlite3 module."""
    con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=30)
    try:
        return con.execute(query, params).fetchone()[0]
    finally:
        con.close()


def sql_rows(db_path, query, params=()):
    con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=30)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def people_count(db_path):
    if not os.path.exists(db_path):
        return 0
    return sql_scalar(db_path, "SELECT count(*) FROM registry_people")


def basic_auth(client_id, secret):
    tok = base64.b64encode(("%s:%s" % (client_id, secret)).encode()).decode()
    return "Basic " + tok


class TempDir:
    """A fresh directory with a database path in it, removed on exit."""

    def __init__(self, prefix="idp-it-"):
        self.prefix = prefix
        self.path = None

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix=self.prefix)
        self.db = os.path.join(self.path, "idp.db")
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)
        return False

    def file(self, name):
        return os.path.join(self.path, name)

    def idp(self, *args, **kw):
        kw.setdefault("db", self.db)
        return run_idp(*args, **kw)


class Server:
    """`idp serve` on 127.0.0.1:0 in a fresh directory.

    with Server(demo=True) as s:
        status, headers, body = s.request("GET", "/healthz")
        s.idp("client", "list")
    """

    def __init__(self, demo=False, web_dir=None, extra_args=()):
        self.demo = demo
        self.web_dir = web_dir if web_dir is not None else WEB_DIR
        self.extra_args = list(extra_args)
        self.proc = None
        self.dir = None
        self.stdout_lines = []
        self.base_url = None
        self.port = None
        self.host = "127.0.0.1"
        self.demo_creds = None
        self.returncode = None
        self._stopped = False

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self):
        require_binary()
        self.dir = tempfile.mkdtemp(prefix="idp-srv-")
        self.db = os.path.join(self.dir, "idp.db")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        argv = [IDP, "serve", "--db", self.db, "--listen", "127.0.0.1:0",
                "--web", self.web_dir]
        if self.demo:
            argv.append("--demo")
        argv += self.extra_args
        argv = wrapped(argv, os.path.join(self.dir, "valgrind.%p.log"))
        self._argv = argv
        self._stderr = open(self.stderr_path, "wb")
        try:
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                         stderr=self._stderr, env=base_env())
            self._wait_listening()
            if self.demo:
                with open(os.path.join(self.dir, "demo.json"), "rb") as f:
                    self.demo_creds = json.load(f)
        except BaseException:
            self._kill()
            self._cleanup()
            raise
        return self

    def _wait_listening(self):
        lines = queue.Queue()

        def reader():
            for raw in iter(self.proc.stdout.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self.stdout_lines.append(line)
                lines.put(line)
            lines.put(None)

        threading.Thread(target=reader, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("idp serve did not report listening "
                                     "within %d s\nstdout: %s\nstderr: %s"
                                     % (START_TIMEOUT, self.stdout_lines,
                                        self.stderr_text()))
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                rc = self.proc.wait(timeout=STOP_TIMEOUT)
                raise AssertionError("idp serve exited (%s) before listening"
                                     "\nstdout: %s\nstderr: %s"
                                     % (rc, self.stdout_lines,
                                        self.stderr_text()))
            m = LISTEN_RE.match(line)
            if m:
                self.base_url = m.group(1)
                self.port = int(m.group(2))
                return

    def stderr_text(self):
        try:
            self._stderr.flush()
        except (ValueError, AttributeError):
            pass
        try:
            with open(self.stderr_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            text = "(no stderr)"
        report = self.wrapper_report()
        return text + ("\n" + report if report else "")

    def wrapper_report(self):
        """What IDP_WRAPPER (valgrind) reported for this server so far."""
        if not WRAPPER or self.dir is None:
            return ""
        return read_logs(self.dir)

    def stderr_all(self):
        """Everything the server wrote to stderr so far (its log), whole."""
        try:
            self._stderr.flush()
        except (ValueError, AttributeError):
            pass
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        """SIGTERM, wait (kill after STOP_TIMEOUT s); returns the exit
        status (under valgrind, its --error-exitcode when it found errors)."""
        if self._stopped:
            return self.returncode
        self._stopped = True
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.returncode = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.returncode = "killed after %g s" % STOP_TIMEOUT
        return self.returncode

    def restart(self):
        """Stops the server (SIGTERM) and starts it again on the same
        database, directory and port, so the issuer stays the same."""
        rc = self.stop()
        if rc != 0:
            raise AssertionError("idp serve exited with %s on SIGTERM\n%s"
                                 % (rc, self.wrapper_report()))
        self._stopped = False
        self.proc.stdout.close()
        argv = [("127.0.0.1:%d" % self.port) if a == "127.0.0.1:0" else a
                for a in self._argv]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                     stderr=self._stderr, env=base_env())
        self._wait_listening()

    def _kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def _cleanup(self):
        try:
            self._stderr.close()
        except Exception:
            pass
        if self.proc is not None and self.proc.stdout is not None:
            try:
                self.proc.stdout.close()
            except Exception:
                pass
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __exit__(self, exc_type, exc, tb):
        try:
            rc = self.stop()
            if rc != 0 and (exc_type is None or wrapper_failed(rc)):
                raise AssertionError("idp serve exited with %s on SIGTERM "
                                     "(want 0)\nstderr: %s"
                                     % (rc, self.stderr_text()))
        finally:
            self._kill()
            self._cleanup()
        return False

    # -- HTTP ----------------------------------------------------------------

    def connection(self, timeout=30):
        """A connection to the server; the timeout is scaled."""
        return http.client.HTTPConnection(self.host, self.port,
                                          timeout=scaled(timeout))

    def request(self, method, path, body=None, headers=None, timeout=30):
        """One request on a new connection: (status, headers, body bytes).

        headers come back as an http.client.HTTPMessage (case-insensitive)."""
        conn = self.connection(timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
                headers = dict(headers or {})
                headers.setdefault("Content-Type", "application/json")
            elif isinstance(body, str):
                body = body.encode()
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, resp.headers, data
        finally:
            conn.close()

    def request_json(self, method, path, body=None, headers=None):
        """As request; the body parsed as JSON (None when it is not JSON)."""
        status, hdrs, data = self.request(method, path, body, headers)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return status, hdrs, parsed

    # -- command line --------------------------------------------------------

    def idp(self, *args, **kw):
        kw.setdefault("db", self.db)
        return run_idp(*args, **kw)


# -- citizens: registry, SMS outbox, TOTP --------------------------------------

SMS_CODE_RE = re.compile(r"\b(\d{6})\b")


def seed_registry(runner, count=300, seed=7):
    """A synthetic registry of `count` people imported into runner's database
    (a Server or a TempDir); returns the number of people."""
    where = getattr(runner, "dir", None) or runner.path
    csv_path = os.path.join(where, "registry-%d-%d.csv" % (count, seed))
    r = runner.idp("registry", "generate", "--count", count, "--seed", seed,
                   "--out", csv_path)
    if r.returncode != 0:
        raise AssertionError("registry generate failed: %s" % r.stderr)
    r = runner.idp("registry", "import", csv_path)
    if r.returncode != 0:
        raise AssertionError("registry import failed: %s" % r.stderr)
    return people_count(runner.db)


def registry_people(db_path, status="living", limit=100):
    """[(personal_id, full_name, birth_date)] of `status` people without an
    account, oldest first (adults), from the database."""
    return sql_rows(db_path,
                    "SELECT personal_id, full_name, birth_date "
                    "FROM registry_people p WHERE status = ? AND "
                    "birth_date < '2005-01-01' AND NOT EXISTS (SELECT 1 "
                    "FROM accounts a WHERE a.personal_id = p.personal_id) "
                    "ORDER BY personal_id LIMIT ?", (status, limit))


def sms_messages(runner, phone=None):
    """[(time, phone, text)] of `idp sms list [--phone P]`, oldest first."""
    args = ["sms", "list"] + (["--phone", phone] if phone is not None else [])
    r = runner.idp(*args)
    if r.returncode != 0:
        raise AssertionError("idp sms list failed: %s" % r.stderr)
    out = []
    for line in r.stdout.splitlines():
        parts = line.split("\t", 2)
        if len(parts) != 3:
            raise AssertionError("bad sms list line: %r" % line)
        out.append(tuple(parts))
    return out


def sms_codes(runner, phone):
    """The codes sent to `phone`, oldest first."""
    codes = []
    for _, _, text in sms_messages(runner, phone):
        m = SMS_CODE_RE.search(text)
        if m is None:
            raise AssertionError("no code in SMS %r" % text)
        codes.append(m.group(1))
    return codes


def newest_sms_code(runner, phone):
    codes = sms_codes(runner, phone)
    if not codes:
        raise AssertionError("no SMS sent to %s" % phone)
    return codes[-1]


def totp_code(secret, at=None):
    """`oathtool --totp -b SECRET [--now @AT]`: the RFC 6238 code."""
    argv = ["oathtool", "--totp", "-b", secret]
    if at is not None:
        argv += ["--now", "@%d" % int(at)]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise AssertionError("oathtool failed: %s" % r.stderr)
    return r.stdout.strip()


def main():
    """unittest.main with a visible summary; exits non-zero on failure."""
    require_binary()
    prog = unittest.main(exit=False, verbosity=2)
    res = prog.result
    ok = res.wasSuccessful() and res.testsRun > 0
    print("%s: %d run, %d failures, %d errors, %d skipped -> %s"
          % (os.path.basename(sys.argv[0]), res.testsRun, len(res.failures),
             len(res.errors), len(res.skipped), "OK" if ok else "FAILED"))
    sys.stdout.flush()
    sys.exit(0 if ok else 1)


# -- OpenID Connect: clients, citizens, the browser part of the code flow -----

RP_REDIRECT_URI = "https://rp.example.test/cb"
RP_POST_LOGOUT_URI = "https://rp.example.test/signed-out"
RP_SCOPE = "openid profile personal_id address phone offline_access"


def add_client(runner, name, alg="RS256", redirect_uris=(RP_REDIRECT_URI,),
               post_logout_uris=(RP_POST_LOGOUT_URI,), scope=RP_SCOPE):
    """`idp client add --kind portal ...`: {client_id, client_secret}."""
    args = ["client", "add", "--name", name, "--kind", "portal",
            "--scope", scope, "--id-token-alg", alg]
    for u in redirect_uris:
        args += ["--redirect-uri", u]
    for u in post_logout_uris:
        args += ["--post-logout-uri", u]
    r = runner.idp(*args)
    if r.returncode != 0:
        raise AssertionError("client add failed: %s" % r.stderr)
    return json.loads(r.stdout)


def pkce_pair():
    """(code_verifier, S256 code_challenge)."""
    import hashlib
    import secrets
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class _Forms(html.parser.HTMLParser):
    """The forms of a page: [(action, {hidden name: value}, [button values])]."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._cur = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._cur = (a.get("action", ""), {}, [])
            self.forms.append(self._cur)
        elif self._cur is not None and tag == "input" and a.get("type") == "hidden":
            self._cur[1][a.get("name", "")] = a.get("value", "")
        elif self._cur is not None and tag == "button" and a.get("name"):
            self._cur[2].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._cur = None


class WebResponse:
    def __init__(self, method, target, status, headers, body):
        self.method = method
        self.target = target
        self.status = status
        self.headers = headers
        self.body = body
        self.text = body.decode("utf-8", "replace")
        self.location = headers.get("Location")
        p = _Forms()
        if "text/html" in (headers.get("Content-Type") or ""):
            p.feed(self.text)
        self.forms = p.forms

    def form(self, action):
        """(hidden fields, buttons) of the form posting to `action` (its path)."""
        for act, hidden, buttons in self.forms:
            if act.split("?", 1)[0] == action:
                return dict(hidden), buttons
        return None

    def __repr__(self):
        return "%s %s -> %d Location=%r\n%s" % (self.method, self.target,
                                                self.status, self.location,
                                                self.text[:1500])


class WebClient:
    """A browser without JavaScript over http.client: a cookie jar, forms
    posted back with their hidden fields, redirects followed on the server
    and stopped at one that leaves it (to a client)."""

    def __init__(self, srv, lang=None):
        self.srv = srv
        self.cookies = {}
        self.lang = lang
        self.seen = []          # paths of the pages that asked something

    def _target(self, url):
        base = self.srv.base_url
        if url.startswith(base + "/"):
            return url[len(base):]
        if url.startswith("/") and not url.startswith("//"):
            return url
        return None             # somewhere else

    def fetch(self, method, url, fields=None, headers=None):
        target = self._target(url)
        if target is None:
            raise AssertionError("not this server's URL: %r" % url)
        h = dict(headers or {})
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if self.lang:
            h["Accept-Language"] = self.lang
        conn = self.srv.connection()
        try:
            conn.request(method, target, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        for c in resp.headers.get_all("Set-Cookie") or []:
            name, _, value = c.split(";", 1)[0].partition("=")
            if value == "" or re.search(r"(?i);\s*max-age=0\b", c):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()
        return WebResponse(method, target, resp.status, resp.headers, data)

    def follow(self, resp, hops=10):
        """Follows 3xx on this server; stops at a page or an outside Location."""
        while resp.status in (301, 302, 303, 307) and hops > 0:
            if resp.location is None or self._target(resp.location) is None:
                return resp
            resp = self.fetch("GET", resp.location)
            hops -= 1
        return resp

    def get(self, url):
        return self.follow(self.fetch("GET", url))

    def submit(self, resp, action, values):
        f = resp.form(action)
        if f is None:
            raise AssertionError("no form posting to %s:\n%r" % (action, resp))
        fields = f[0]
        fields.update(values)
        return self.follow(self.fetch("POST", action, fields))

    def sign_in(self, resp, citizen):
        """From a page with the login form: password, then the SMS code."""
        self.seen.append("login")
        resp = self.submit(resp, "/login", {"personal_id": citizen["pid"],
                                            "password": citizen["password"]})
        if resp.form("/login/code") is None:
            raise AssertionError("no code step after the password:\n%r" % resp)
        self.seen.append("code")
        return self.submit(resp, "/login/code", {
            "code": newest_sms_code(self.srv, citizen["phone"])})

    def authorize(self, url, citizen=None, decision="allow"):
        """Drives the browser part of a code flow from an authorization URL:
        signs in when asked (with `citizen`), answers the consent page with
        `decision`. Returns the last response: a 3xx whose Location leaves
        the server (the callback), or a page nobody answered."""
        self.seen = []
        resp = self.get(url)
        for _ in range(6):
            if resp.status in (301, 302, 303, 307):
                return resp
            if resp.status == 200 and resp.form("/login") is not None and citizen:
                resp = self.sign_in(resp, citizen)
            elif resp.status == 200 and resp.form("/consent") is not None and decision:
                self.seen.append("consent")
                resp = self.submit(resp, "/consent", {"decision": decision})
            else:
                return resp
        raise AssertionError("the flow did not end:\n%r" % resp)

    def code(self, client_id, citizen, **over):
        """A fresh authorization code for `client_id` (its redirect URI the
        harness's RP_REDIRECT_URI, scope RP_SCOPE, PKCE S256), `citizen`
        signing in and consenting when asked; `over` replaces parameters.
        Returns (code, verifier); fails when no code comes back."""
        verifier, challenge = pkce_pair()
        q = {"response_type": "code", "client_id": client_id,
             "redirect_uri": RP_REDIRECT_URI, "scope": RP_SCOPE, "state": "s",
             "nonce": "n", "code_challenge": challenge,
             "code_challenge_method": "S256"}
        q.update(over)
        resp = self.authorize("/authorize?" + urllib.parse.urlencode(q), citizen)
        cb = callback_params(resp.location) if resp.status == 303 else {}
        if "code" not in cb:
            raise AssertionError("no code came back:\n%r" % resp)
        return cb["code"], verifier


def new_citizen(srv, person, phone, password):
    """Registers a level-1 account for registry `person` (personal_id,
    full_name, birth_date) through the pages; returns the citizen dict."""
    web = WebClient(srv)
    pid, name, birth = person
    p = web.get("/register")
    p = web.submit(p, "/register", {"personal_id": pid, "full_name": name,
                                    "birth_date": birth, "phone": phone,
                                    "password": password})
    if p.form("/register/code") is None:
        raise AssertionError("registration refused:\n%r" % p)
    p = web.submit(p, "/register/code", {"code": newest_sms_code(srv, phone)})
    if p.status != 200:
        raise AssertionError("registration code refused:\n%r" % p)
    return {"pid": pid, "name": name, "birth": birth, "phone": phone,
            "password": password}


def citizens(srv, count, seed=41):
    """Seeds the registry of srv and registers `count` citizens."""
    seed_registry(srv, count=max(60, count * 4), seed=seed)
    people = registry_people(srv.db, "living", count)
    return [new_citizen(srv, person, "09%08d" % (72000000 + i),
                        "Cau-Rong-%d-Da-Nang!" % i)
            for i, person in enumerate(people)]


def callback_params(location):
    """The query of a callback URL as a dict of single values."""
    q = urllib.parse.urlsplit(location).query
    return dict(urllib.parse.parse_qsl(q, keep_blank_values=True))


def form_post(srv, path, fields, auth=None):
    """A form POST to an endpoint: (status, headers, parsed JSON or None)."""
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    if auth is not None:
        h["Authorization"] = auth
    return srv.request_json("POST", path, urllib.parse.urlencode(fields), h)

