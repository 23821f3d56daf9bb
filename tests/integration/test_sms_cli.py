"""`idp sms list [--phone P]`: the SMS outbox of the default gateway, one
message a line, oldest first: ISO time, phone (+84...), text with the code
(DESIGN.md section 3)."""

import sqlite3
import unittest

import harness
from harness import TempDir

# 2027-01-15T08:00:00Z and 2027-01-15T08:00:05Z
T1 = 1800000000
T2 = 1800000005


def insert(db, rows):
    con = sqlite3.connect(db, timeout=30)
    try:
        con.executemany("INSERT INTO sms_outbox (phone, body, purpose, "
                        "created_at) VALUES (?, ?, ?, ?)", rows)
        con.commit()
    finally:
        con.close()


class SmsList(unittest.TestCase):
    def test_empty_outbox(self):
        with TempDir() as tmp:
            r = tmp.idp("sms", "list")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, "")

    def test_lists_oldest_first_and_filters(self):
        with TempDir() as tmp:
            r = tmp.idp("migrate")
            self.assertEqual(r.returncode, 0, r.stderr)
            # Inserted newest first: the listing orders by time.
            insert(tmp.db, [
                ("+84356789012", "Ma xac thuc dinhdanh: 222222", "login", T2),
                ("+84912345678", "Ma xac thuc dinhdanh: 111111",
                 "registration", T1),
            ])
            r = tmp.idp("sms", "list")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.splitlines(), [
                "2027-01-15T08:00:00Z\t+84912345678\t"
                "Ma xac thuc dinhdanh: 111111",
                "2027-01-15T08:00:05Z\t+84356789012\t"
                "Ma xac thuc dinhdanh: 222222",
            ])

            for form in ("0912345678", "091 234 5678", "+84912345678"):
                r = tmp.idp("sms", "list", "--phone", form)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout.splitlines(), [
                    "2027-01-15T08:00:00Z\t+84912345678\t"
                    "Ma xac thuc dinhdanh: 111111",
                ], form)

            r = tmp.idp("sms", "list", "--phone", "0981112223")
            self.assertEqual((r.returncode, r.stdout), (0, ""), r.stderr)

    def test_bad_phone_is_a_usage_error(self):
        with TempDir() as tmp:
            for bad in ("abc", "0243825678", ""):
                r = tmp.idp("sms", "list", "--phone", bad)
                self.assertEqual(r.returncode, 2, (bad, r.stdout, r.stderr))
                self.assertEqual(r.stdout, "")
                self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
                self.assertIn("--phone", r.stderr)

    def test_help_and_unexpected_argument(self):
        with TempDir() as tmp:
            r = tmp.idp("sms", "list", "--help", db=None)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("usage: idp sms list", r.stdout)
            r = tmp.idp("sms", "--help", db=None)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("list", r.stdout)
            r = tmp.idp("sms", "list", "extra")
            self.assertEqual(r.returncode, 2)
            self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)


if __name__ == "__main__":
    harness.main()
