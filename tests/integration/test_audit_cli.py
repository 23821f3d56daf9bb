"""`idp audit verify|checkpoint|export` (DESIGN section 3, issue 8): the
entries operators' commands append verify as "ok N entries" (exit 0); a
row changed or deleted in the database file is named (exit 1); a checkpoint
is signed; export prints JSON lines since a time."""

import json
import sqlite3
import unittest

import harness
from harness import TempDir


def make_entries(tmp):
    """Three entries: an officer added, a client added, a key rotation."""
    r = tmp.idp("officer", "add", "--name", "A", "--office", "O")
    assert r.returncode == 0, r.stderr
    harness.add_client(tmp, "Portal")
    r = tmp.idp("keys", "rotate")
    assert r.returncode == 0, r.stderr


def tamper(db, sql):
    con = sqlite3.connect(db)
    con.execute(sql)
    con.commit()
    con.close()


class AuditCli(unittest.TestCase):
    def test_verify_ok_then_changed(self):
        with TempDir() as tmp:
            make_entries(tmp)
            r = tmp.idp("audit", "verify")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.strip(), "ok 3 entries")
            tamper(tmp.db, "UPDATE audit_log SET details = '{}' WHERE seq = 2")
            r = tmp.idp("audit", "verify")
            self.assertEqual(r.returncode, 1)
            self.assertIn("entry 2", r.stdout)

    def test_deleted_row_named(self):
        with TempDir() as tmp:
            make_entries(tmp)
            tamper(tmp.db, "DELETE FROM audit_log WHERE seq = 2")
            r = tmp.idp("audit", "verify")
            self.assertEqual(r.returncode, 1)
            self.assertIn("entry 2", r.stdout)

    def test_checkpoint_and_forgery(self):
        with TempDir() as tmp:
            make_entries(tmp)
            r = tmp.idp("audit", "checkpoint")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.strip(), "checkpoint 3")
            r = tmp.idp("audit", "verify")
            self.assertEqual(r.returncode, 0, r.stderr)
            sig = harness.sql_scalar(tmp.db, "SELECT signature FROM "
                                     "audit_checkpoints WHERE seq = 3")
            head, payload, _ = sig.split(".")
            tamper(tmp.db, "UPDATE audit_checkpoints SET signature = '%s.%s.%s'"
                   % (head, payload, "A" * 86))
            r = tmp.idp("audit", "verify")
            self.assertEqual(r.returncode, 1)
            self.assertIn("checkpoint 3", r.stdout)

    def test_export_since(self):
        with TempDir() as tmp:
            make_entries(tmp)
            r = tmp.idp("audit", "export")
            self.assertEqual(r.returncode, 0, r.stderr)
            rows = [json.loads(line) for line in r.stdout.splitlines()]
            self.assertEqual([e["event"] for e in rows],
                             ["officer_added", "client_added", "key_rotation"])
            self.assertEqual(rows[1]["prev_hash"], rows[0]["hash"])
            r = tmp.idp("audit", "export", "--since", "2999-01-01")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, "")
            r = tmp.idp("audit", "export", "--since", "0")
            self.assertEqual(len(r.stdout.splitlines()), 3)
            r = tmp.idp("audit", "export", "--since", "yesterday")
            self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    harness.main()
