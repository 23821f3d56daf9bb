"""The `idp` command line: help, usage errors, migrate, --db/IDP_DB,
registry generate/import/issue-card/card-key/event, client add/list
(DESIGN.md sections 3 and 4)."""

import csv
import io
import json
import os
import re
import unittest

import harness
from harness import TempDir, run_idp, base_env

HELP_COMMANDS = [
    ("serve",), ("migrate",),
    ("registry", "import"), ("registry", "generate"),
    ("registry", "issue-card"), ("registry", "card-key"),
    ("registry", "event"),
    ("client", "add"), ("client", "list"),
]


def gen_rows(tmp, count, seed):
    """Generated registry rows (lists of 11 strings), header excluded."""
    r = tmp.idp("registry", "generate", "--count", count, "--seed", seed, db=None)
    if r.returncode != 0:
        raise AssertionError("generate failed: %s" % r.stderr)
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == harness.REGISTRY_FIELDS, rows[0]
    return rows[1:]


def csv_bytes(rows, header=harness.CSV_HEADER):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for row in rows:
        w.writerow(row)
    return (header + "\n").encode() + buf.getvalue().encode("utf-8")


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def consistent(row, birth_date, sex, serial="424242"):
    """A copy of row re-keyed so that its personal ID agrees with
    birth_date and sex, with a card issued in 2021 (after any birth)."""
    year = int(birth_date[:4])
    g = (year - 1900) // 100 * 2 + (1 if sex == "female" else 0)
    pid = "%s%d%02d%s" % (row[0][:3], g, year % 100, serial)
    out = list(row)
    out[0] = pid
    out[2] = birth_date
    out[3] = sex
    out[7] = pid
    out[8] = "2021-06-01"
    out[9] = "2036-06-01"
    out[10] = "living"
    return out


def verify_ed25519(jwk, signing_input, signature, compact):
    """True/False when a library could check it; None when none is available."""
    try:
        from jwcrypto import jwk as jjwk, jws as jjws
    except ImportError:
        jjwk = None
    if jjwk is not None:
        key = jjwk.JWK(**jwk)
        tok = jjws.JWS()
        tok.deserialize(compact)
        try:
            tok.verify(key, alg="EdDSA")
            return True
        except Exception:  # noqa: BLE001 - any failure is "invalid"
            return False
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.exceptions import InvalidSignature
    except ImportError:
        return None
    pub = Ed25519PublicKey.from_public_bytes(harness.b64url_decode(jwk["x"]))
    try:
        pub.verify(signature, signing_input)
        return True
    except InvalidSignature:
        return False


class HelpAndUsage(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir().__enter__()
        self.addCleanup(self.tmp.__exit__, None, None, None)

    def test_top_help(self):
        for flag in ("--help", "-h"):
            r = run_idp(flag, cwd=self.tmp.path)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("usage", r.stdout.lower())
            for name in ("serve", "migrate", "registry", "client"):
                self.assertIn(name, r.stdout)

    def test_registry_help(self):
        r = run_idp("registry", "--help", cwd=self.tmp.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("usage", r.stdout.lower())
        for name in ("import", "generate", "issue-card", "card-key", "event"):
            self.assertIn(name, r.stdout)

    def test_client_help(self):
        r = run_idp("client", "--help", cwd=self.tmp.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("usage", r.stdout.lower())

    def test_subcommand_help(self):
        for cmd in HELP_COMMANDS:
            with self.subTest(cmd=" ".join(cmd)):
                r = run_idp(*cmd, "--help", cwd=self.tmp.path)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertTrue(r.stdout.startswith("usage: idp " + " ".join(cmd)),
                                r.stdout[:200])
                self.assertIn("--db", r.stdout)
                self.assertEqual(r.stderr, "")
        # --help reads no database: nothing was created in the cwd.
        self.assertFalse(os.path.exists(self.tmp.file("var")))

    def assert_usage_error(self, *args):
        r = run_idp(*args, cwd=self.tmp.path)
        self.assertEqual(r.returncode, 2, "%s: rc %d stderr %r"
                         % (args, r.returncode, r.stderr))
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, "%s: stderr %r" % (args, r.stderr))
        self.assertTrue(lines[0].startswith("idp"), lines[0])
        self.assertEqual(r.stdout, "")
        return lines[0]

    def test_usage_errors(self):
        cases = [
            ("nosuchcommand",),
            ("registry", "nosuch"),
            ("client", "nosuch"),
            ("migrate", "--bogus"),
            ("serve", "--bogus"),
            ("serve", "extra-argument"),
            ("registry", "import", "--frobnicate", "x.csv"),
            ("registry", "import"),
            ("registry", "import", "a.csv", "b.csv"),
            ("registry", "generate"),
            ("registry", "generate", "--seed", "3"),
            ("registry", "generate", "--count"),
            ("registry", "generate", "--count", "abc"),
            ("registry", "generate", "--count", "0"),
            ("registry", "issue-card"),
            ("registry", "card-key", "extra"),
            ("registry", "event", "--type", "death"),
            ("registry", "event", "--type", "bogus", "001200000001"),
            ("registry", "event", "--type", "name_changed", "001200000001",
             "--set", "nonsense=1"),
            ("registry", "event", "--type", "death", "001200000001",
             "--set", "no-equals-sign"),
            ("client", "add", "--kind", "registry"),
            ("client", "add", "--name", "X"),
            ("client", "list", "extra"),
        ]
        for args in cases:
            with self.subTest(args=args):
                self.assert_usage_error(*args)
        msg = self.assert_usage_error("registry", "generate")
        self.assertIn("--count", msg)
        msg = self.assert_usage_error("nosuchcommand")
        self.assertIn("nosuchcommand", msg)
        msg = self.assert_usage_error("migrate", "--bogus")
        self.assertIn("--bogus", msg)
        # Usage errors happen before the database is touched.
        self.assertFalse(os.path.exists(self.tmp.file("var")))

    def test_no_arguments_is_usage_error(self):
        for args in ((), ("registry",), ("client",)):
            with self.subTest(args=args):
                r = run_idp(*args, cwd=self.tmp.path)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertTrue(r.stderr.strip())
                self.assertEqual(r.stdout, "")


class MigrateAndDb(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir().__enter__()
        self.addCleanup(self.tmp.__exit__, None, None, None)

    def test_migrate_prints_version(self):
        r = self.tmp.idp("migrate")
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r"schema version (\d+)", r.stdout)
        self.assertTrue(m, r.stdout)
        version = int(m.group(1))
        self.assertGreaterEqual(version, 1)
        self.assertTrue(os.path.exists(self.tmp.db))
        self.assertEqual(harness.people_count(self.tmp.db), 0)
        # schema_migrations records it; a second run changes nothing.
        r2 = self.tmp.idp("migrate")
        self.assertEqual(r2.returncode, 0, r2.stderr)
        self.assertIn("schema version %d" % version, r2.stdout)

    def test_db_flag_wins_over_env(self):
        a = self.tmp.file("env.db")
        b = self.tmp.file("flag.db")
        env = base_env(IDP_DB=a)
        r = run_idp("migrate", "--db", b, env=env, cwd=self.tmp.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("flag.db", r.stdout)
        self.assertTrue(os.path.exists(b))
        self.assertFalse(os.path.exists(a))
        r = run_idp("migrate", env=env, cwd=self.tmp.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("env.db", r.stdout)
        self.assertTrue(os.path.exists(a))
        # Other commands follow the same rule: import goes to the env db.
        csvp = self.tmp.file("p.csv")
        r = run_idp("registry", "generate", "--count", "7", "--out", csvp, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run_idp("registry", "import", csvp, env=env, cwd=self.tmp.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(harness.people_count(a), 7)
        self.assertEqual(harness.people_count(b), 0)
        r = run_idp("registry", "import", "--db", b, csvp, env=env, cwd=self.tmp.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(harness.people_count(b), 7)
        # Without flag or env: var/idp.db under the working directory.
        self.assertFalse(os.path.exists(self.tmp.file("var")))


class Generate(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir().__enter__()
        self.addCleanup(self.tmp.__exit__, None, None, None)

    def test_deterministic(self):
        a = run_idp_out("registry", "generate", "--count", "200", "--seed", "5")
        b = run_idp_out("registry", "generate", "--count", "200", "--seed", "5")
        c = run_idp_out("registry", "generate", "--count", "200", "--seed", "6")
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)
        lines = a.decode("utf-8").splitlines()
        self.assertEqual(lines[0], harness.CSV_HEADER)
        rows = list(csv.reader(io.StringIO(a.decode("utf-8"))))[1:]
        self.assertEqual(len(rows), 200)
        self.assertEqual(len({r[0] for r in rows}), 200)
        for row in rows:
            self.assertEqual(len(row), 11)
            self.assertRegex(row[0], r"^\d{12}$")
            self.assertIn(row[3], ("male", "female"))
            self.assertIn(row[10], ("living", "deceased"))
        # The default seed is fixed too.
        d = run_idp_out("registry", "generate", "--count", "20")
        e = run_idp_out("registry", "generate", "--count", "20")
        self.assertEqual(d, e)

    def test_out_file(self):
        out = self.tmp.file("gen.csv")
        r = run_idp("registry", "generate", "--count", "50", "--seed", "9",
                    "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "")
        with open(out, "rb") as f:
            data = f.read()
        self.assertEqual(data, run_idp_out("registry", "generate", "--count",
                                           "50", "--seed", "9"))
        self.assertEqual(len(data.splitlines()), 51)

    def test_out_unwritable(self):
        r = run_idp("registry", "generate", "--count", "5", "--out",
                    self.tmp.file("no/such/dir/x.csv"))
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.strip())

    def test_generated_file_imports(self):
        out = self.tmp.file("gen.csv")
        r = run_idp("registry", "generate", "--count", "300", "--seed", "21",
                    "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.tmp.idp("registry", "import", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(harness.people_count(self.tmp.db), 300)


def run_idp_out(*args):
    r = harness.run_idp_bytes(*args)
    if r.returncode != 0:
        raise AssertionError("%s failed: %r" % (args, r.stderr))
    return r.stdout


class Import(unittest.TestCase):
    GOOD = 30

    def setUp(self):
        self.tmp = TempDir().__enter__()
        self.addCleanup(self.tmp.__exit__, None, None, None)
        self.good_rows = gen_rows(self.tmp, self.GOOD, 11)
        self.good = write(self.tmp.file("good.csv"), csv_bytes(self.good_rows))
        r = self.tmp.idp("registry", "import", self.good)
        self.assertEqual(r.returncode, 0, r.stderr)
        ids = {row[0] for row in self.good_rows}
        self.other = [row for row in gen_rows(self.tmp, 12, 12) if row[0] not in ids]
        self.assertGreaterEqual(len(self.other), 10)

    def count(self):
        return harness.people_count(self.tmp.db)

    def test_prints_counts(self):
        path = write(self.tmp.file("o.csv"), csv_bytes(self.other))
        r = self.tmp.idp("registry", "import", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^imported %d new, 0 updated, 0 unchanged"
                         % len(self.other))
        self.assertEqual(self.count(), self.GOOD + len(self.other))

    def test_reimport_identical(self):
        r = self.tmp.idp("registry", "import", self.good)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^imported 0 new, 0 updated, %d unchanged"
                         % self.GOOD)
        self.assertEqual(self.count(), self.GOOD)

    def test_changed_record_needs_update(self):
        rows = [list(r) for r in self.good_rows]
        rows[4][6] = "1 Đường Thử Nghiệm, Phường Bến Nghé, Quận 1, Hồ Chí Minh"
        path = write(self.tmp.file("changed.csv"), csv_bytes(rows))
        r = self.tmp.idp("registry", "import", path)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("line 6:", r.stderr)
        self.assertIn("--update", r.stderr)
        self.assertEqual(harness.sql_scalar(
            self.tmp.db, "SELECT residence FROM registry_people WHERE personal_id=?",
            (rows[4][0],)), self.good_rows[4][6])
        r = self.tmp.idp("registry", "import", "--update", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^imported 0 new, 1 updated, %d unchanged"
                         % (self.GOOD - 1))
        self.assertEqual(harness.sql_scalar(
            self.tmp.db, "SELECT residence FROM registry_people WHERE personal_id=?",
            (rows[4][0],)), rows[4][6])
        self.assertEqual(self.count(), self.GOOD)

    def test_crlf_file(self):
        data = csv_bytes(self.other).replace(b"\n", b"\r\n")
        path = write(self.tmp.file("crlf.csv"), data)
        r = self.tmp.idp("registry", "import", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.count(), self.GOOD + len(self.other))

    def assert_refused(self, path, line=None, words=(), msg=""):
        r = self.tmp.idp("registry", "import", path)
        self.assertEqual(r.returncode, 1, "%s: rc %d, stdout %r stderr %r"
                         % (msg, r.returncode, r.stdout, r.stderr))
        self.assertEqual(r.stdout, "", msg)
        err = r.stderr.strip()
        self.assertEqual(len(err.splitlines()), 1, err)
        if line is not None:
            self.assertRegex(err, r"\bline %d: " % line, msg)
        for w in words:
            self.assertIn(w.lower(), err.lower(), msg)
        self.assertEqual(self.count(), self.GOOD, msg + ": rows were imported")
        return err

    def bad_file(self, name, bad_line_bytes, at=8):
        """other rows around one raw bad line placed at physical line `at`."""
        before = csv_bytes(self.other[:at - 2])
        after = csv_bytes(self.other[at - 2:], header="").lstrip(b"\n")
        return write(self.tmp.file(name), before + bad_line_bytes + b"\n" + after)

    def row_bytes(self, row):
        return csv_bytes([row], header="").lstrip(b"\n").rstrip(b"\n")

    def test_missing_file(self):
        err = self.assert_refused(self.tmp.file("nope.csv"), msg="missing")
        self.assertIn("nope.csv", err)

    def test_directory_as_file(self):
        d = self.tmp.file("adir.csv")
        os.mkdir(d)
        self.assert_refused(d, msg="directory")

    def test_unreadable_file(self):
        if os.geteuid() == 0:
            self.skipTest("running as root: file permissions do not apply")
        path = write(self.tmp.file("locked.csv"), csv_bytes(self.other))
        os.chmod(path, 0)
        self.assert_refused(path, msg="unreadable")

    def test_empty_file(self):
        path = write(self.tmp.file("empty.csv"), b"")
        self.assert_refused(path, line=1, msg="empty")

    def test_wrong_header(self):
        data = csv_bytes(self.other, header="id,name,birth_date,sex,nationality,"
                         "place_of_origin,residence,card_number,card_issued_on,"
                         "card_expires_on,status")
        path = write(self.tmp.file("hdr.csv"), data)
        err = self.assert_refused(path, line=1, msg="header")
        self.assertIn(harness.CSV_HEADER, err)

    def test_long_line(self):
        row = list(self.other[6])
        row[6] = "x" * 5000
        self.assert_refused(self.bad_file("long.csv", self.row_bytes(row)),
                            line=8, msg="long line")

    def test_nul_byte(self):
        line = self.row_bytes(self.other[6])
        line = line[:20] + b"\x00" + line[20:]
        self.assert_refused(self.bad_file("nul.csv", line), line=8,
                            words=("NUL",), msg="NUL")

    def test_wrong_field_count(self):
        for name, row in (("short", self.other[6][:10]),
                          ("long", self.other[6] + ["extra"])):
            with self.subTest(name):
                self.assert_refused(self.bad_file("fc-%s.csv" % name,
                                                  self.row_bytes(row)),
                                    line=8, words=("field",), msg=name)

    def test_invalid_utf8(self):
        line = self.row_bytes(self.other[6])
        pid = self.other[6][0].encode()
        line = line.replace(pid + b",", pid + b",\xff\xfe", 1)
        self.assert_refused(self.bad_file("utf8.csv", line), line=8,
                            words=("UTF-8",), msg="utf-8")

    def test_impossible_date(self):
        row = consistent(self.other[6], "2001-02-30", "male")
        self.assert_refused(self.bad_file("date.csv", self.row_bytes(row)),
                            line=8, words=("birth_date",), msg="2001-02-30")
        row = consistent(self.other[6], "2001-02-28", "male")
        row[8] = "2021-13-01"
        self.assert_refused(self.bad_file("date2.csv", self.row_bytes(row), at=5),
                            line=5, words=("card_issued_on",), msg="month 13")

    def test_id_digit_vs_sex(self):
        row = consistent(self.other[6], "1985-04-12", "male")
        row[3] = "female"
        self.assert_refused(self.bad_file("sex.csv", self.row_bytes(row), at=9),
                            line=9, words=("sex",), msg="sex")

    def test_id_digits_vs_year(self):
        row = consistent(self.other[6], "1985-04-12", "female")
        row[2] = "1986-04-12"
        self.assert_refused(self.bad_file("year.csv", self.row_bytes(row), at=3),
                            line=3, words=("year",), msg="year")
        row = consistent(self.other[6], "1985-04-12", "female")
        row[2] = "2085-04-12"  # century digit wrong (and in the future)
        self.assert_refused(self.bad_file("century.csv", self.row_bytes(row), at=4),
                            line=4, msg="century")

    def test_unknown_province(self):
        row = consistent(self.other[6], "1990-01-01", "male")
        row[0] = "999" + row[0][3:]
        row[7] = row[0]
        self.assert_refused(self.bad_file("prov.csv", self.row_bytes(row), at=10),
                            line=10, words=("province",), msg="province")

    def test_duplicate_in_file(self):
        rows = self.other[:5] + [self.other[1]] + self.other[5:]
        path = write(self.tmp.file("dup.csv"), csv_bytes(rows))
        self.assert_refused(path, line=7, words=("duplicate",), msg="duplicate")

    def test_bad_file_leaves_nothing_behind(self):
        row = consistent(self.other[6], "1990-01-01", "male")
        row[0] = "999" + row[0][3:]
        self.assert_refused(self.bad_file("prov.csv", self.row_bytes(row), at=10),
                            line=10)
        # The good rows of the refused file were not stored: they import as new.
        path = write(self.tmp.file("rest.csv"), csv_bytes(self.other))
        r = self.tmp.idp("registry", "import", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^imported %d new, 0 updated, 0 unchanged"
                         % len(self.other))


class Cards(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir().__enter__()
        cls.rows = gen_rows(cls.tmp, 40, 31)
        path = write(cls.tmp.file("p.csv"), csv_bytes(cls.rows))
        r = cls.tmp.idp("registry", "import", path)
        assert r.returncode == 0, r.stderr
        r = cls.tmp.idp("registry", "card-key")
        assert r.returncode == 0, r.stderr
        cls.jwk_text = r.stdout
        cls.jwk = json.loads(r.stdout)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def living(self, i=0):
        return [r for r in self.rows if r[10] == "living"][i]

    def test_card_key(self):
        self.assertEqual(len(self.jwk_text.strip().splitlines()), 1)
        self.assertEqual(self.jwk["kty"], "OKP")
        self.assertEqual(self.jwk["crv"], "Ed25519")
        self.assertEqual(len(harness.b64url_decode(self.jwk["x"])), 32)
        self.assertNotIn("d", self.jwk, "the card key JWK leaks the private key")
        # Stable across runs.
        r = self.tmp.idp("registry", "card-key")
        self.assertEqual(json.loads(r.stdout), self.jwk)

    def test_issue_card(self):
        row = self.living(0)
        r = self.tmp.idp("registry", "issue-card", row[0])
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 1, r.stdout)
        token = lines[0]
        self.assertRegex(token, r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
        header, payload, signing_input, sig = harness.jws_parts(token)
        self.assertEqual(header["alg"], "EdDSA")
        self.assertEqual(header["typ"], "eid-chip+jwt")
        for field, value in zip(harness.REGISTRY_FIELDS, row):
            self.assertEqual(payload.get(field), value, field)
        self.assertRegex(payload.get("portrait_sha256", ""), r"^[0-9a-f]{64}$")
        self.assertEqual(len(sig), 64)
        if "kid" in header and "kid" in self.jwk:
            self.assertEqual(header["kid"], self.jwk["kid"])

    def test_issue_card_signature(self):
        row = self.living(1)
        r = self.tmp.idp("registry", "issue-card", row[0])
        self.assertEqual(r.returncode, 0, r.stderr)
        token = r.stdout.strip()
        _, _, signing_input, sig = harness.jws_parts(token)
        ok = verify_ed25519(self.jwk, signing_input, sig, token)
        if ok is None:
            self.skipTest("neither jwcrypto nor python3-cryptography is "
                          "importable: Ed25519 signature not verified")
        self.assertTrue(ok, "chip record signature does not verify with card-key")
        # An altered payload must not verify (the check can fail).
        parts = token.split(".")
        payload = json.loads(harness.b64url_decode(parts[1]))
        payload["full_name"] = "Kẻ Mạo Danh"
        forged_p = harness.base64.urlsafe_b64encode(
            json.dumps(payload).encode()).rstrip(b"=").decode()
        forged = parts[0] + "." + forged_p + "." + parts[2]
        self.assertFalse(verify_ed25519(
            self.jwk, (parts[0] + "." + forged_p).encode(), sig, forged))

    def test_issue_card_out(self):
        row = self.living(2)
        out = self.tmp.file("card.jws")
        r = self.tmp.idp("registry", "issue-card", row[0], "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "")
        with open(out) as f:
            text = f.read()
        self.assertTrue(text.endswith("\n"))
        self.assertEqual(len(text.splitlines()), 1)
        r2 = self.tmp.idp("registry", "issue-card", row[0])
        h1, p1, _, _ = harness.jws_parts(text)
        h2, p2, _, _ = harness.jws_parts(r2.stdout)
        self.assertEqual(h1, h2)
        p1.pop("iat", None)
        p2.pop("iat", None)
        self.assertEqual(p1, p2)
        ok = verify_ed25519(self.jwk, *harness.jws_parts(text)[2:], text.strip())
        self.assertIn(ok, (True, None))

    def test_issue_card_unknown(self):
        ids = {r[0] for r in self.rows}
        pid = "001090123456"
        self.assertNotIn(pid, ids)
        r = self.tmp.idp("registry", "issue-card", pid)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertTrue(r.stderr.strip())
        r = self.tmp.idp("registry", "issue-card", "not-an-id")
        self.assertIn(r.returncode, (1, 2))
        self.assertEqual(r.stdout, "")


class Events(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir().__enter__()
        self.addCleanup(self.tmp.__exit__, None, None, None)
        self.rows = [r for r in gen_rows(self.tmp, 30, 41) if r[10] == "living"]
        path = write(self.tmp.file("p.csv"), csv_bytes(self.rows))
        r = self.tmp.idp("registry", "import", path)
        self.assertEqual(r.returncode, 0, r.stderr)

    def card(self, pid):
        r = self.tmp.idp("registry", "issue-card", pid)
        self.assertEqual(r.returncode, 0, r.stderr)
        return harness.jws_parts(r.stdout)[1]

    def event(self, etype, pid, event_id, *sets):
        args = ["registry", "event", "--type", etype, pid]
        if event_id is not None:
            args += ["--event-id", event_id]
        for s in sets:
            args += ["--set", s]
        return self.tmp.idp(*args)

    def assert_status(self, r, event_id, status):
        self.assertEqual(r.returncode, 0, r.stderr)
        j = json.loads(r.stdout)
        self.assertEqual(j["status"], status, j)
        if event_id is not None:
            self.assertEqual(j["event_id"], event_id)
        return j

    def test_each_type(self):
        p = [r[0] for r in self.rows[:4]]
        cases = [
            ("name_changed", p[0], ("full_name=Trần Thị Thử",),
             lambda c: c["full_name"] == "Trần Thị Thử"),
            ("residence_changed", p[1], ("residence=12 Phố Huế, Hà Nội",),
             lambda c: c["residence"] == "12 Phố Huế, Hà Nội"),
            ("card_reissued", p[2], ("card_number=%s" % ("0" * 11 + "7"),
                                     "card_issued_on=2024-01-02",
                                     "card_expires_on=2039-01-02"),
             lambda c: c["card_number"] == "0" * 11 + "7"
             and c["card_issued_on"] == "2024-01-02"),
            ("death", p[3], ("date_of_death=2024-03-04",),
             lambda c: c["status"] == "deceased"),
        ]
        for etype, pid, sets, check in cases:
            with self.subTest(etype):
                self.assertFalse(check(self.card(pid)))
                eid = "cli-" + etype
                self.assert_status(self.event(etype, pid, eid, *sets), eid, "applied")
                self.assertTrue(check(self.card(pid)), self.card(pid))
                self.assert_status(self.event(etype, pid, eid, *sets), eid,
                                   "duplicate")
                self.assertTrue(check(self.card(pid)))
        self.assertEqual(harness.sql_scalar(
            self.tmp.db, "SELECT count(*) FROM registry_events"), 4)

    def test_generated_event_id(self):
        pid = self.rows[5][0]
        j = self.assert_status(self.event("residence_changed", pid, None,
                                          "residence=Số 1, Huế"), None, "applied")
        self.assertTrue(j["event_id"])
        j2 = self.assert_status(self.event("residence_changed", pid, None,
                                           "residence=Số 1, Huế"), None, "applied")
        self.assertNotEqual(j["event_id"], j2["event_id"])

    def test_duplicate_not_applied_twice(self):
        pid = self.rows[6][0]
        self.assert_status(self.event("name_changed", pid, "A1", "full_name=Tên Một"),
                           "A1", "applied")
        self.assert_status(self.event("name_changed", pid, "B2", "full_name=Tên Hai"),
                           "B2", "applied")
        self.assert_status(self.event("name_changed", pid, "A1", "full_name=Tên Một"),
                           "A1", "duplicate")
        self.assertEqual(self.card(pid)["full_name"], "Tên Hai")

    def test_unknown_person(self):
        ids = {r[0] for r in self.rows}
        pid = "001090123456"
        self.assertNotIn(pid, ids)
        r = self.event("name_changed", pid, "u1", "full_name=Ai Đó")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("unknown_person", r.stderr)
        self.assertEqual(r.stdout, "")

    def test_bad_field(self):
        pid = self.rows[7][0]
        for etype, sets in (("name_changed", ("residence=x",)),
                            ("death", ("date_of_death=2024-02-30",)),
                            ("card_reissued", ("card_number=12ab",)),
                            ("death", ("full_name=x",))):
            with self.subTest(etype=etype, sets=sets):
                r = self.event(etype, pid, "bad-" + etype, *sets)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertEqual(self.card(pid)["status"], "living")

    def test_missing_field(self):
        pid = self.rows[8][0]
        r = self.event("death", pid, "m1")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("date_of_death", r.stderr)
        self.assertEqual(self.card(pid)["status"], "living")


class Clients(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir().__enter__()
        self.addCleanup(self.tmp.__exit__, None, None, None)

    def test_add_and_list(self):
        r = self.tmp.idp("client", "add", "--kind", "registry", "--name", "Sổ hộ tịch")
        self.assertEqual(r.returncode, 0, r.stderr)
        c = json.loads(r.stdout)
        self.assertEqual(set(c), {"client_id", "client_secret"})
        self.assertTrue(c["client_id"])
        self.assertGreaterEqual(len(c["client_secret"]), 20)
        r = self.tmp.idp("client", "add", "--kind", "portal", "--name", "Cổng DVC",
                         "--redirect-uri", "https://dichvucong.example/cb")
        self.assertEqual(r.returncode, 0, r.stderr)
        c2 = json.loads(r.stdout)
        self.assertNotEqual(c["client_secret"], c2["client_secret"])
        r = self.tmp.idp("client", "list")
        self.assertEqual(r.returncode, 0, r.stderr)
        listed = [json.loads(line) for line in r.stdout.splitlines()]
        byid = {x["client_id"]: x for x in listed}
        self.assertIn(c["client_id"], byid)
        self.assertIn(c2["client_id"], byid)
        self.assertEqual(byid[c["client_id"]]["name"], "Sổ hộ tịch")
        self.assertEqual(byid[c["client_id"]]["kind"], "registry")
        self.assertEqual(byid[c2["client_id"]]["redirect_uris"],
                         ["https://dichvucong.example/cb"])
        self.assertNotIn(c["client_secret"], r.stdout)
        self.assertNotIn(c2["client_secret"], r.stdout)
        for x in listed:
            self.assertNotIn("client_secret", x)
        # Secrets are not stored in clear either (database and its WAL).
        for suffix in ("", "-wal"):
            if os.path.exists(self.tmp.db + suffix):
                with open(self.tmp.db + suffix, "rb") as f:
                    self.assertNotIn(c["client_secret"].encode(), f.read())

    def test_loopback_http_redirect_allowed(self):
        r = self.tmp.idp("client", "add", "--kind", "portal", "--name", "Local",
                         "--redirect-uri", "http://127.0.0.1:9000/cb")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_bad_kind(self):
        r = self.tmp.idp("client", "add", "--kind", "bank", "--name", "X")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1)

    def test_portal_needs_redirect(self):
        r = self.tmp.idp("client", "add", "--kind", "portal", "--name", "X")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertEqual(r.stdout, "")
        self.assertIn("redirect", r.stderr)

    def test_http_redirect_refused(self):
        for uri in ("http://example.com/cb", "http://example.com",
                    "https://example.com/cb#frag", "not a uri"):
            with self.subTest(uri=uri):
                r = self.tmp.idp("client", "add", "--kind", "portal", "--name", "X",
                                 "--redirect-uri", uri)
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertEqual(r.stdout, "")
        r = self.tmp.idp("client", "list")
        self.assertEqual(r.stdout, "", "a refused client was stored")


if __name__ == "__main__":
    harness.main()
