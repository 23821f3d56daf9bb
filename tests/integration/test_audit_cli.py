"""`idp audit verify|checkpoint|export` (DESIGN section 3, issue 8): the
entries operators' commands append verify as "ok N entries" (exit 0); a
row changed or deleted in the database file is named (exit 1); a checkpoint
is signed; export prints JSON lines since a time. Against a real `idp
serve`: a citizen's registration, a wrong and a right sign-in and a
self-lock are logged under a pseudonym, and checkpoints follow at the
--audit-checkpoint interval."""

import json
import sqlite3
import time
import unittest

import harness
from harness import Server, TempDir


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


def post(srv, path, body, headers=None):
    status, _, data = srv.request("POST", path, body, headers)
    return status, json.loads(data) if data else None


def register(srv, person, phone, password):
    pid, name, birth = person
    st, j = post(srv, "/v1/accounts", {"personal_id": pid, "full_name": name,
                                       "birth_date": birth, "phone": phone,
                                       "password": password})
    assert st == 202, j
    st, c = post(srv, "/v1/accounts/confirm", {
        "registration_id": j["registration_id"],
        "code": harness.newest_sms_code(srv, phone)})
    assert st == 201, c


class AuditServer(unittest.TestCase):
    def test_citizen_flow_logged(self):
        with Server(extra_args=["--login-rate", "0"]) as srv:
            harness.seed_registry(srv, count=60, seed=31)
            person = harness.registry_people(srv.db, "living", 1)[0]
            pid, phone, pw = person[0], "0952000001", "Hoa-Sen-1-ven-ho!"
            register(srv, person, phone, pw)
            st, j = post(srv, "/v1/login", {"personal_id": pid,
                                            "password": pw + "x"})
            self.assertEqual(st, 401, j)
            st, j = post(srv, "/v1/login", {"personal_id": pid, "password": pw})
            self.assertEqual(st, 200, j)
            st, s = post(srv, "/v1/login/code", {
                "login_id": j["login_id"],
                "code": harness.newest_sms_code(srv, phone)})
            self.assertEqual(st, 200, s)
            st, j = post(srv, "/v1/me/lock", None,
                         {"Authorization": "Bearer " + s["session_token"]})
            self.assertEqual(st, 200, j)

            r = srv.idp("audit", "verify")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(r.stdout.strip(), "ok 4 entries")
            r = srv.idp("audit", "export")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotIn(pid, r.stdout + r.stderr)
            rows = [json.loads(line) for line in r.stdout.splitlines()]
            self.assertEqual([e["event"] for e in rows],
                             ["account_created", "login_failure",
                              "login_success", "self_lock"])
            self.assertEqual(len({e["subject"] for e in rows}), 1)
            self.assertRegex(rows[0]["subject"], "^[0-9a-f]{64}$")
            self.assertEqual(rows[3]["actor"], "citizen:" + rows[0]["subject"])
            for row in harness.sql_rows(srv.db, "SELECT * FROM audit_log"):
                self.assertNotIn(pid, " ".join(str(v) for v in row))

            tamper(srv.db, "UPDATE audit_log SET event = 'login_success' "
                   "WHERE seq = 2")
            r = srv.idp("audit", "verify")
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("entry 2", r.stdout)

    def test_checkpoint_interval(self):
        with Server(extra_args=["--audit-checkpoint", "1"]) as srv:
            r = srv.idp("officer", "add", "--name", "A", "--office", "O")
            self.assertEqual(r.returncode, 0, r.stderr)
            deadline = time.monotonic() + 10
            n = 0
            while n == 0 and time.monotonic() < deadline:
                time.sleep(0.2)
                n = harness.sql_scalar(srv.db, "SELECT count(*) FROM "
                                       "audit_checkpoints")
            self.assertEqual(n, 1)
            time.sleep(1.5)
            # Nothing new since: no second checkpoint.
            self.assertEqual(harness.sql_scalar(
                srv.db, "SELECT count(*) FROM audit_checkpoints"), 1)
            r = srv.idp("audit", "verify")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    harness.main()
