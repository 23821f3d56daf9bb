"""Bulk registry import: 10,000 generated people, all or nothing
(DESIGN.md section 4)."""

import os
import re
import time
import unittest

import harness
from harness import TempDir, run_idp

COUNT = 10000
BAD_LINE = 5001


class BulkImport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir().__enter__()
        cls.good = cls.tmp.file("people.csv")
        r = run_idp("registry", "generate", "--count", COUNT, "--seed", 7,
                    "--out", cls.good)
        if r.returncode != 0:
            cls.tmp.__exit__(None, None, None)
            raise AssertionError("generate failed: %s" % r.stderr)
        with open(cls.good, "rb") as f:
            cls.lines = f.read().split(b"\n")
        if cls.lines[-1] == b"":
            cls.lines.pop()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def corrupted(self, name, fix):
        """A copy of the good file with physical line BAD_LINE changed."""
        lines = list(self.lines)
        lines[BAD_LINE - 1] = fix(lines[BAD_LINE - 1])
        path = self.tmp.file(name)
        with open(path, "wb") as f:
            f.write(b"\n".join(lines) + b"\n")
        return path

    def db(self, name):
        return self.tmp.file(name + ".db")

    def test_generated_file(self):
        self.assertEqual(len(self.lines), COUNT + 1)
        self.assertEqual(self.lines[0].decode(), harness.CSV_HEADER)

    def test_import_10000(self):
        db = self.db("full")
        t0 = time.monotonic()
        r = run_idp("registry", "import", self.good, db=db)
        elapsed = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^imported %d new, 0 updated, 0 unchanged" % COUNT)
        self.assertEqual(harness.people_count(db), COUNT)
        self.assertLess(elapsed, 30, "import of %d took %.1f s" % (COUNT, elapsed))
        # Spot checks: the first and last data lines are stored as written.
        first = self.lines[1].split(b",", 1)[0].decode()
        last = self.lines[-1].split(b",", 1)[0].decode()
        for pid in (first, last):
            self.assertEqual(harness.sql_scalar(
                db, "SELECT count(*) FROM registry_people WHERE personal_id = ?",
                (pid,)), 1)
        # Importing the same file again changes nothing.
        r = run_idp("registry", "import", self.good, db=db)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^imported 0 new, 0 updated, %d unchanged" % COUNT)
        self.assertEqual(harness.people_count(db), COUNT)

    def bad_date(self, line):
        # birth_date is the third field; the first two are never quoted.
        parts = line.split(b",", 3)
        self.assertRegex(parts[2], rb"^\d{4}-\d{2}-\d{2}$")
        year = parts[2][:4]
        parts[2] = year + b"-02-30"
        return b",".join(parts)

    def bad_province(self, line):
        self.assertRegex(line[:12], rb"^\d{12}$")
        return b"999" + line[3:]

    def assert_refused(self, path, db, want_count, words=()):
        r = run_idp("registry", "import", path, db=db)
        self.assertEqual(r.returncode, 1, "stdout %r stderr %r" % (r.stdout, r.stderr))
        self.assertRegex(r.stderr, r"\bline %d: " % BAD_LINE, r.stderr)
        self.assertNotRegex(r.stderr, r"\bline (?!%d\b)\d+" % BAD_LINE)
        for w in words:
            self.assertIn(w, r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(harness.people_count(db), want_count)
        return r.stderr

    def test_corrupt_line_fresh_db(self):
        for name, fix, words in (("date", self.bad_date, ("birth_date",)),
                                 ("province", self.bad_province, ("province",))):
            with self.subTest(name):
                path = self.corrupted("bad-%s.csv" % name, fix)
                db = self.db("fresh-" + name)
                self.assert_refused(path, db, 0, words)
                if os.path.exists(db):
                    self.assertEqual(harness.sql_scalar(
                        db, "SELECT count(*) FROM registry_imports "
                        "WHERE rows_inserted > 0"), 0)

    def test_corrupt_line_existing_db(self):
        db = self.db("existing")
        small = self.tmp.file("small.csv")
        r = run_idp("registry", "generate", "--count", 300, "--seed", 8, "--out", small)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run_idp("registry", "import", small, db=db)
        self.assertEqual(r.returncode, 0, r.stderr)
        before = harness.people_count(db)
        self.assertEqual(before, 300)
        path = self.corrupted("bad-date-2.csv", self.bad_date)
        self.assert_refused(path, db, before, ("birth_date",))
        # Nothing of the refused file stayed: the good file is all new rows
        # (but for any person both seeds happen to share).
        r = run_idp("registry", "import", self.good, db=db)
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.match(r"^imported (\d+) new, 0 updated, (\d+) unchanged", r.stdout)
        self.assertTrue(m, r.stdout)
        self.assertEqual(int(m.group(1)) + int(m.group(2)), COUNT)
        self.assertEqual(harness.people_count(db), before + int(m.group(1)))


if __name__ == "__main__":
    harness.main()
