"""POST /v1/registry/events against `idp serve --demo` (DESIGN.md section 4)."""

import itertools
import json
import threading
import unittest
import uuid

import harness
from harness import Server

EVENTS = "/v1/registry/events"


class RegistryEvents(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(demo=True)
        cls.srv.__enter__()
        try:
            creds = cls.srv.demo_creds
            reg = creds["registry_client"]
            cls.auth = harness.basic_auth(reg["client_id"], reg["client_secret"])
            cls.client_id = reg["client_id"]
            cls.sample = creds["sample_person"]
            rows = harness.sql_rows(
                cls.srv.db, "SELECT personal_id FROM registry_people "
                "WHERE status = 'living' AND birth_date < '2000-01-01' "
                "AND personal_id <> ? ORDER BY personal_id LIMIT 60",
                (cls.sample["personal_id"],))
            cls.people = iter([r[0] for r in rows])
            cls.counter = itertools.count(1)
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    # -- helpers ---------------------------------------------------------------

    def person(self):
        return next(self.people)

    def new_id(self, tag="ev"):
        return "%s-%d-%s" % (tag, next(self.counter), uuid.uuid4().hex[:8])

    def post(self, body, auth=None, raw=False):
        headers = {"Content-Type": "application/json"}
        if auth is not False:
            headers["Authorization"] = auth or self.auth
        data = body if raw else json.dumps(body).encode()
        status, hdrs, out = self.srv.request("POST", EVENTS, data, headers)
        try:
            parsed = json.loads(out)
        except ValueError:
            self.fail("not JSON (%d): %r" % (status, out[:200]))
        return status, hdrs, parsed

    def event(self, etype, pid, data, event_id=None):
        return {"event_id": event_id or self.new_id(etype), "type": etype,
                "personal_id": pid, "data": data}

    def card(self, pid):
        r = self.srv.idp("registry", "issue-card", pid)
        self.assertEqual(r.returncode, 0, r.stderr)
        return harness.jws_parts(r.stdout)[1]

    def assert_applied(self, body, status_word="applied"):
        status, _, j = self.post(body)
        self.assertEqual(status, 200, j)
        self.assertEqual(j, {"event_id": body["event_id"], "status": status_word})

    def assert_invalid(self, body, *words, raw=False):
        status, hdrs, j = self.post(body, raw=raw)
        self.assertEqual(status, 400, j)
        self.assertEqual(j.get("error"), "invalid_request", j)
        for w in words:
            self.assertIn(w, j.get("error_description", ""), j)
        self.assertEqual(hdrs.get("X-Content-Type-Options"), "nosniff")
        return j

    def events_rows(self, event_id):
        return harness.sql_scalar(self.srv.db, "SELECT count(*) FROM registry_events "
                                  "WHERE event_id = ?", (event_id,))

    # -- each type -------------------------------------------------------------

    def test_demo_credentials(self):
        self.assertTrue(self.sample["personal_id"])
        c = self.card(self.sample["personal_id"])
        self.assertEqual(c["full_name"], self.sample["full_name"])
        self.assertEqual(c["birth_date"], self.sample["birth_date"])

    def test_name_changed(self):
        pid = self.sample["personal_id"]
        new = "Nguyễn Thị Đổi Tên"
        self.assertNotEqual(self.card(pid)["full_name"], new)
        self.assert_applied(self.event("name_changed", pid, {"full_name": new}))
        self.assertEqual(self.card(pid)["full_name"], new)

    def test_residence_changed(self):
        pid = self.person()
        new = "Số 7, Đường Lê Lợi, Phường Bến Thành, Quận 1, Hồ Chí Minh"
        self.assertNotEqual(self.card(pid)["residence"], new)
        self.assert_applied(self.event("residence_changed", pid, {"residence": new}))
        self.assertEqual(self.card(pid)["residence"], new)

    def test_card_reissued(self):
        pid = self.person()
        old = self.card(pid)
        number = "09" + pid[2:11] + ("1" if pid[11] != "1" else "2")
        self.assertNotEqual(old["card_number"], number)
        self.assert_applied(self.event("card_reissued", pid, {
            "card_number": number, "card_issued_on": "2025-01-15",
            "card_expires_on": "2040-01-15"}))
        new = self.card(pid)
        self.assertEqual(new["card_number"], number)
        self.assertEqual(new["card_issued_on"], "2025-01-15")
        self.assertEqual(new["card_expires_on"], "2040-01-15")
        self.assertNotEqual(new["portrait_sha256"], "")
        # The old number cannot be given back.
        status, _, j = self.post(self.event("card_reissued", pid, {
            "card_number": old["card_number"], "card_issued_on": "2025-02-01",
            "card_expires_on": "2040-02-01"}))
        self.assertEqual(status, 400, j)
        self.assertEqual(self.card(pid)["card_number"], number)

    def test_death(self):
        pid = self.person()
        self.assertEqual(self.card(pid)["status"], "living")
        self.assert_applied(self.event("death", pid, {"date_of_death": "2024-03-04"}))
        self.assertEqual(self.card(pid)["status"], "deceased")
        self.assertEqual(harness.sql_scalar(
            self.srv.db, "SELECT date_of_death FROM registry_people "
            "WHERE personal_id = ?", (pid,)), "2024-03-04")

    def test_unknown_top_level_fields_ignored(self):
        pid = self.person()
        body = self.event("residence_changed", pid, {"residence": "Thôn Một, Huế"})
        body["note"] = {"anything": [1, 2]}
        self.assert_applied(body)

    # -- idempotency -------------------------------------------------------------

    def test_repeat_is_duplicate(self):
        pid = self.person()
        body = self.event("residence_changed", pid, {"residence": "Thôn Hai, Huế"})
        self.assert_applied(body)
        self.assert_applied(body, "duplicate")
        self.assert_applied(body, "duplicate")
        self.assertEqual(self.events_rows(body["event_id"]), 1)

    def test_replay_not_applied_twice(self):
        pid = self.person()
        a = self.event("name_changed", pid, {"full_name": "Lê Văn A"})
        b = self.event("name_changed", pid, {"full_name": "Lê Văn Bê"})
        self.assert_applied(a)
        self.assertEqual(self.card(pid)["full_name"], "Lê Văn A")
        self.assert_applied(b)
        self.assertEqual(self.card(pid)["full_name"], "Lê Văn Bê")
        self.assert_applied(a, "duplicate")
        self.assertEqual(self.card(pid)["full_name"], "Lê Văn Bê")
        self.assertEqual(self.events_rows(a["event_id"]), 1)

    def test_event_id_reused_for_other_event(self):
        pid = self.person()
        a = self.event("name_changed", pid, {"full_name": "Phạm Thị Một"})
        self.assert_applied(a)
        other = dict(a, data={"full_name": "Phạm Thị Khác"})
        status, _, j = self.post(other)
        self.assertIn(status, (400, 409), j)
        self.assertEqual(self.card(pid)["full_name"], "Phạm Thị Một")

    def test_parallel_same_event_id(self):
        pid = self.person()
        body = self.event("name_changed", pid, {"full_name": "Đỗ Song Song"})
        n = 20
        results = [None] * n
        barrier = threading.Barrier(n)

        def worker(i):
            try:
                barrier.wait(timeout=30)
                results[i] = self.post(body)
            except Exception as e:  # noqa: BLE001 - reported below
                results[i] = ("exception", None, repr(e))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        statuses = [r[0] if r else None for r in results]
        self.assertEqual(statuses, [200] * n, results)
        words = sorted(r[2]["status"] for r in results)
        self.assertEqual(words, ["applied"] + ["duplicate"] * (n - 1))
        self.assertEqual(self.events_rows(body["event_id"]), 1)
        self.assertEqual(self.card(pid)["full_name"], "Đỗ Song Song")

    # -- refusals ------------------------------------------------------------------

    def test_unknown_person(self):
        pid = "001190654321"
        self.assertEqual(harness.sql_scalar(
            self.srv.db, "SELECT count(*) FROM registry_people WHERE personal_id = ?",
            (pid,)), 0)
        status, _, j = self.post(self.event("name_changed", pid, {"full_name": "Ai Đó"}))
        self.assertEqual(status, 404, j)
        self.assertEqual(j["error"], "unknown_person")
        self.assertTrue(j.get("error_description"))

    def test_bad_type(self):
        pid = self.person()
        for t in ("birth", "", "DEATH", 5, None):
            with self.subTest(type=t):
                body = self.event("death", pid, {"date_of_death": "2024-01-01"})
                body["type"] = t
                self.assert_invalid(body, "type")
        self.assertEqual(self.card(pid)["status"], "living")

    def test_missing_data(self):
        pid = self.person()
        body = self.event("name_changed", pid, {"full_name": "X"})
        del body["data"]
        self.assert_invalid(body, "data")
        body["data"] = "full_name=X"
        self.assert_invalid(body, "data")
        body["data"] = {}
        self.assert_invalid(body, "full_name")
        body = self.event("card_reissued", pid, {"card_number": "001122334455",
                                                 "card_issued_on": "2025-01-01"})
        self.assert_invalid(body, "card_expires_on")

    def test_data_field_wrong_type(self):
        pid = self.person()
        self.assert_invalid(self.event("name_changed", pid, {"full_name": 42}),
                            "full_name")
        self.assert_invalid(self.event("death", pid, {"date_of_death": None}),
                            "date_of_death")
        self.assert_invalid(self.event("residence_changed", pid,
                                       {"residence": ["a"]}), "residence")

    def test_data_bad_values(self):
        pid = self.person()
        self.assert_invalid(self.event("death", pid, {"date_of_death": "2024-02-30"}),
                            "date_of_death")
        self.assert_invalid(self.event("death", pid, {"date_of_death": "1800-01-01"}),
                            "date_of_death")
        self.assert_invalid(self.event("card_reissued", pid, {
            "card_number": "12ab", "card_issued_on": "2025-01-01",
            "card_expires_on": "2040-01-01"}), "card_number")
        self.assert_invalid(self.event("name_changed", pid, {"full_name": ""}),
                            "full_name")
        self.assertEqual(self.card(pid)["status"], "living")

    def test_field_not_of_type(self):
        pid = self.person()
        self.assert_invalid(self.event("name_changed", pid, {
            "full_name": "Bùi Văn C", "residence": "Hà Nội"}), "residence")
        self.assert_invalid(self.event("death", pid, {
            "date_of_death": "2024-01-01", "full_name": "X"}), "full_name")
        self.assertEqual(self.card(pid)["status"], "living")

    def test_malformed_personal_id(self):
        for bad in ("12345", "00119065432X", "0011906543210", "", 1190654321):
            with self.subTest(pid=bad):
                self.assert_invalid(self.event("name_changed", bad,
                                               {"full_name": "X"}), "personal_id")

    def test_missing_top_level_fields(self):
        pid = self.person()
        for field in ("event_id", "type", "personal_id"):
            with self.subTest(field=field):
                body = self.event("name_changed", pid, {"full_name": "X Y"})
                del body[field]
                self.assert_invalid(body, field)
        body = self.event("name_changed", pid, {"full_name": "X Y"}, event_id="a b")
        self.assert_invalid(body, "event_id")
        body = self.event("name_changed", pid, {"full_name": "X Y"},
                          event_id="e" * 200)
        self.assert_invalid(body, "event_id")

    def test_not_an_object(self):
        self.assert_invalid(b"[]", raw=True)
        self.assert_invalid(b"{", raw=True)

    # -- authentication ------------------------------------------------------------

    def test_no_auth(self):
        pid = self.person()
        status, hdrs, j = self.post(self.event("death", pid,
                                               {"date_of_death": "2024-01-01"}),
                                    auth=False)
        self.assertEqual(status, 401, j)
        self.assertTrue(hdrs.get("WWW-Authenticate", "").startswith("Basic"), hdrs)
        self.assertEqual(j["error"], "invalid_client")
        self.assertEqual(self.card(pid)["status"], "living")

    def test_bad_credentials(self):
        pid = self.person()
        body = self.event("death", pid, {"date_of_death": "2024-01-01"})
        for auth in (harness.basic_auth(self.client_id, "wrong-secret"),
                     harness.basic_auth(self.client_id, ""),
                     harness.basic_auth("c_nosuchclient", "x"),
                     "Basic !!!notbase64",
                     "Bearer " + self.auth.split(" ", 1)[1]):
            with self.subTest(auth=auth[:30]):
                status, hdrs, j = self.post(body, auth=auth)
                self.assertEqual(status, 401, j)
                self.assertTrue(hdrs.get("WWW-Authenticate"))
        self.assertEqual(self.card(pid)["status"], "living")
        self.assertEqual(self.events_rows(body["event_id"]), 0)

    def test_wrong_client_kind(self):
        r = self.srv.idp("client", "add", "--kind", "airport", "--name", "A")
        self.assertEqual(r.returncode, 0, r.stderr)
        c = json.loads(r.stdout)
        pid = self.person()
        body = self.event("death", pid, {"date_of_death": "2024-01-01"})
        status, _, j = self.post(body, auth=harness.basic_auth(
            c["client_id"], c["client_secret"]))
        self.assertEqual(status, 403, j)
        self.assertTrue(j.get("error"))
        r = self.srv.idp("client", "add", "--kind", "portal", "--name", "P",
                         "--redirect-uri", "https://portal.example/cb")
        self.assertEqual(r.returncode, 0, r.stderr)
        c = json.loads(r.stdout)
        status, _, j = self.post(body, auth=harness.basic_auth(
            c["client_id"], c["client_secret"]))
        self.assertEqual(status, 403, j)
        self.assertEqual(self.card(pid)["status"], "living")
        # A registry client added while the server runs works at once.
        r = self.srv.idp("client", "add", "--kind", "registry", "--name", "R2")
        c = json.loads(r.stdout)
        status, _, j = self.post(body, auth=harness.basic_auth(
            c["client_id"], c["client_secret"]))
        self.assertEqual(status, 200, j)
        self.assertEqual(j["status"], "applied")


if __name__ == "__main__":
    harness.main()
