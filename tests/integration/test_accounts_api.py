"""Level-1 registration over the JSON API of a real `idp serve`
(DESIGN.md sections 5 and 10): POST /v1/accounts, /v1/accounts/resend and
/v1/accounts/confirm against a synthetic registry, codes read from the SMS
outbox with `idp sms list --phone P`."""

import datetime
import itertools
import json
import re
import unicodedata
import unittest

import harness
from harness import Server

ACCOUNTS = "/v1/accounts"
RESEND = "/v1/accounts/resend"
CONFIRM = "/v1/accounts/confirm"
REG_KEYS = {"registration_id", "expires_in", "resend_after", "message"}
B64URL_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def strip_diacritics(s):
    s = s.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", s)
                   if unicodedata.category(c) != "Mn")


def next_day(date):
    d = datetime.date.fromisoformat(date) + datetime.timedelta(days=1)
    return d.isoformat()


class Registration(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        try:
            n = harness.seed_registry(cls.srv, count=300, seed=11)
            if n != 300:
                raise AssertionError("registry has %d people, want 300" % n)
            cls.people = iter(harness.registry_people(cls.srv.db, "living", 200))
            cls.deceased = harness.registry_people(cls.srv.db, "deceased", 5)
            if not cls.deceased:
                raise AssertionError("the synthetic registry has no deceased person")
            cls.phones = itertools.count(1)
            cls.pw_counter = itertools.count(1)
            # Everything that must never reach the log.
            cls.secrets = {"password": set(), "code": set(), "personal_id": set()}
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    # -- helpers -----------------------------------------------------------------

    def person(self):
        p = next(self.people)
        self.secrets["personal_id"].add(p[0])
        return p

    def phone(self, plus=False):
        n = next(self.phones)
        return ("+849%08d" if plus else "09%08d") % (31000000 + n)

    def password(self):
        pw = "Sao-Khue-%d-mua-thu!" % next(self.pw_counter)
        self.secrets["password"].add(pw)
        return pw

    def post(self, path, body, headers=None):
        status, hdrs, data = self.srv.request("POST", path, body, headers)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            self.fail("%s answered %d with non-JSON %r" % (path, status, data[:200]))
        return status, hdrs, parsed

    def register(self, pid, name, birth, phone, password):
        return self.post(ACCOUNTS, {"personal_id": pid, "full_name": name,
                                    "birth_date": birth, "phone": phone,
                                    "password": password})

    def confirm(self, reg_id, code):
        self.secrets["code"].add(code)
        return self.post(CONFIRM, {"registration_id": reg_id, "code": code})

    def codes(self, phone):
        c = harness.sms_codes(self.srv, phone)
        self.secrets["code"].update(c)
        return c

    def accounts_of(self, pid):
        return harness.sql_rows(self.srv.db, "SELECT account_id, level, phone, "
                                "status FROM accounts WHERE personal_id = ?",
                                (pid,))

    def pending_of(self, pid):
        return harness.sql_scalar(self.srv.db, "SELECT count(*) FROM "
                                  "registrations WHERE personal_id = ?", (pid,))

    def assert_nothing_written(self, pid, *phones):
        self.assertEqual(self.accounts_of(pid), [], "account row for %s" % pid)
        self.assertEqual(self.pending_of(pid), 0, "registration row for %s" % pid)
        for ph in phones:
            self.assertEqual(harness.sms_messages(self.srv, ph), [],
                             "an SMS went to %s" % ph)

    def assert_error(self, got, status, error, *words):
        st, hdrs, j = got
        self.assertEqual(st, status, j)
        self.assertIsInstance(j, dict)
        self.assertEqual(j.get("error"), error, j)
        self.assertIsInstance(j.get("error_description"), str, j)
        for w in words:
            self.assertIn(w, j["error_description"], j)
        self.assertEqual(hdrs.get("X-Content-Type-Options"), "nosniff")
        return j

    def assert_accepted(self, got):
        st, _, j = got
        self.assertEqual(st, 202, j)
        self.assertEqual(set(j), REG_KEYS, j)
        self.assertRegex(j["registration_id"], B64URL_RE)
        self.assertEqual(j["expires_in"], 300)
        self.assertEqual(j["resend_after"], 60)
        return j

    def assert_retry_after(self, hdrs, low, high):
        v = hdrs.get("Retry-After")
        self.assertIsNotNone(v, "no Retry-After")
        self.assertRegex(v, r"^\d+$")
        self.assertTrue(low <= int(v) <= high, "Retry-After %s not in [%d, %d]"
                        % (v, low, high))

    def unknown_id(self):
        for n in itertools.count(424242):
            pid = "079%09d" % n
            if harness.sql_scalar(self.srv.db, "SELECT count(*) FROM "
                                  "registry_people WHERE personal_id = ?",
                                  (pid,)) == 0:
                self.secrets["personal_id"].add(pid)
                return pid

    # -- the happy path ------------------------------------------------------------

    def test_register_confirm_then_login(self):
        pid, name, birth = self.person()
        phone, pw = self.phone(), self.password()
        # Other case and extra spaces: still the same name.
        shouted = "  " + "   ".join(name.upper().split()) + "  "
        self.assertNotEqual(shouted, name)
        j = self.assert_accepted(self.register(pid, shouted, birth, phone, pw))
        self.assertEqual(self.pending_of(pid), 1)
        self.assertEqual(self.accounts_of(pid), [])
        codes = self.codes(phone)
        self.assertEqual(len(codes), 1, codes)
        msgs = harness.sms_messages(self.srv, phone)
        self.assertEqual(msgs[0][1], "+84" + phone[1:])

        # A resend within 60 s is refused, and sends nothing.
        got = self.post(RESEND, {"registration_id": j["registration_id"]})
        self.assert_error(got, 429, "resend_too_soon")
        self.assert_retry_after(got[1], 1, 60)
        self.assertEqual(len(self.codes(phone)), 1)

        st, _, c = self.confirm(j["registration_id"], codes[0])
        self.assertEqual(st, 201, c)
        self.assertEqual(set(c), {"account_id", "level"}, c)
        self.assertEqual(c["level"], 1)
        self.assertRegex(c["account_id"], B64URL_RE)
        self.assertEqual(self.accounts_of(pid),
                         [(c["account_id"], 1, "+84" + phone[1:], "active")])
        self.assertEqual(self.pending_of(pid), 0)

        # The code once more: refused, still one account.
        self.assert_error(self.confirm(j["registration_id"], codes[0]), 400,
                          "invalid_code")
        self.assertEqual(len(self.accounts_of(pid)), 1)

        # The password registered is the account's.
        st, _, l = self.post("/v1/login", {"personal_id": pid, "password": pw})
        self.assertEqual(st, 200, l)
        self.assertEqual(l["method"], "sms")
        st, _, l = self.post("/v1/login", {"personal_id": pid,
                                           "password": pw + "x"})
        self.assertEqual(st, 401, l)

    def test_plus84_phone_form(self):
        pid, name, birth = self.person()
        phone, pw = self.phone(plus=True), self.password()
        j = self.assert_accepted(self.register(pid, name, birth, phone, pw))
        # The local form of the same number finds the same message.
        local = "0" + phone[3:]
        self.assertEqual(self.codes(local), self.codes(phone))
        st, _, c = self.confirm(j["registration_id"], self.codes(phone)[-1])
        self.assertEqual(st, 201, c)
        self.assertEqual(self.accounts_of(pid)[0][2], phone)

    def test_one_wrong_code_then_right(self):
        pid, name, birth = self.person()
        phone = self.phone()
        j = self.assert_accepted(self.register(pid, name, birth, phone,
                                               self.password()))
        code = self.codes(phone)[0]
        wrong = "%06d" % ((int(code) + 1) % 1000000)
        self.assert_error(self.confirm(j["registration_id"], wrong), 400,
                          "invalid_code")
        self.assertEqual(self.accounts_of(pid), [])
        st, _, c = self.confirm(j["registration_id"], code)
        self.assertEqual(st, 201, c)

    def test_five_wrong_codes_then_right(self):
        pid, name, birth = self.person()
        phone = self.phone()
        j = self.assert_accepted(self.register(pid, name, birth, phone,
                                               self.password()))
        code = self.codes(phone)[0]
        for i in range(5):
            wrong = "%06d" % ((int(code) + 1 + i) % 1000000)
            self.assert_error(self.confirm(j["registration_id"], wrong), 400,
                              "invalid_code")
        self.assert_error(self.confirm(j["registration_id"], code), 400,
                          "too_many_attempts")
        self.assertEqual(self.accounts_of(pid), [])
        # Not a code shape, nor an unknown registration, makes an account.
        self.assert_error(self.confirm(j["registration_id"], "abc"), 400,
                          "too_many_attempts")
        self.assert_error(self.confirm("A" * 43, code), 400, "invalid_code")
        self.assertEqual(self.accounts_of(pid), [])

    # -- one answer for every outcome ------------------------------------------------

    def test_mismatches_answer_like_a_match(self):
        pid, name, birth = self.person()
        real = self.assert_accepted(self.register(pid, name, birth, self.phone(),
                                                  self.password()))

        # A person who already has an account (registered here first).
        epid, ename, ebirth = self.person()
        ephone = self.phone()
        j = self.assert_accepted(self.register(epid, ename, ebirth, ephone,
                                               self.password()))
        st, _, c = self.confirm(j["registration_id"], self.codes(ephone)[0])
        self.assertEqual(st, 201, c)

        dpid, dname, dbirth = self.deceased[0]
        self.secrets["personal_id"].add(dpid)
        mpid, mname, mbirth = self.person()
        plain = strip_diacritics(mname)
        self.assertNotEqual(plain, mname)
        cases = {
            "unknown ID": (self.unknown_id(), name, birth),
            "name mismatch": (mpid, "Trần Văn Khác Hẳn", mbirth),
            "name without diacritics": (mpid, plain, mbirth),
            "birth date mismatch": (mpid, mname, next_day(mbirth)),
            "deceased": (dpid, dname, dbirth),
            "existing account": (epid, ename, ebirth),
        }
        seen = {real["registration_id"]}
        for what, (cpid, cname, cbirth) in cases.items():
            with self.subTest(what):
                phone = self.phone()
                accounts_before = self.accounts_of(cpid)
                got = self.register(cpid, cname, cbirth, phone, self.password())
                j = self.assert_accepted(got)
                self.assertEqual(set(j), set(real))
                self.assertEqual(j["message"], real["message"])
                self.assertNotIn(j["registration_id"], seen)
                seen.add(j["registration_id"])
                self.assertEqual(harness.sms_messages(self.srv, phone), [],
                                 "%s: an SMS was sent" % what)
                # A resend is refused exactly as for a real one.
                got = self.post(RESEND, {"registration_id": j["registration_id"]})
                self.assert_error(got, 429, "resend_too_soon")
                self.assert_retry_after(got[1], 1, 60)
                # No code can confirm it.
                for guess in ("000000", "123456"):
                    self.assert_error(self.confirm(j["registration_id"], guess),
                                      400, "invalid_code")
                self.assertEqual(self.accounts_of(cpid), accounts_before)
                self.assertEqual(self.pending_of(cpid), 0)
                self.assertEqual(harness.sms_messages(self.srv, phone), [])
        self.assertEqual(self.accounts_of(mpid), [])
        self.assertEqual(self.accounts_of(dpid), [])

    # -- input refused -------------------------------------------------------------

    def test_missing_and_mistyped_fields(self):
        pid, name, birth = self.person()
        phone = self.phone()
        good = {"personal_id": pid, "full_name": name, "birth_date": birth,
                "phone": phone, "password": self.password()}
        for field in good:
            with self.subTest(missing=field):
                body = dict(good)
                del body[field]
                self.assert_error(self.post(ACCOUNTS, body), 400,
                                  "invalid_request", field)
            with self.subTest(null=field):
                self.assert_error(self.post(ACCOUNTS, dict(good, **{field: None})),
                                  400, "invalid_request", field)
        with self.subTest("personal_id as a number"):
            self.assert_error(self.post(ACCOUNTS, dict(good, personal_id=int(pid))),
                              400, "invalid_request", "personal_id")
        with self.subTest("phone as a list"):
            self.assert_error(self.post(ACCOUNTS, dict(good, phone=[phone])),
                              400, "invalid_request", "phone")
        with self.subTest("overlong full_name (bytes)"):
            self.assert_error(self.post(ACCOUNTS, dict(good, full_name="A" * 5000)),
                              400, "invalid_request", "full_name")
        with self.subTest("overlong full_name (characters)"):
            long_name = " ".join([name] * 40)
            self.assertLess(len(long_name.encode()), 1024 * 4)
            self.assert_error(self.post(ACCOUNTS, dict(good, full_name=long_name)),
                              400, "invalid_request", "full_name")
        with self.subTest("malformed personal_id"):
            self.assert_error(self.post(ACCOUNTS, dict(good, personal_id=pid[:11])),
                              400, "invalid_request", "personal_id")
        with self.subTest("impossible birth_date"):
            self.assert_error(self.post(ACCOUNTS, dict(good, birth_date="1980-02-30")),
                              400, "invalid_request", "birth_date")
        with self.subTest("not a JSON object"):
            self.assert_error(self.post(ACCOUNTS, b"[1, 2]",
                                        {"Content-Type": "application/json"}),
                              400, "invalid_request")
            self.assert_error(self.post(ACCOUNTS, b"{\"personal_id\": ",
                                        {"Content-Type": "application/json"}),
                              400, "invalid_request")
        with self.subTest("invalid UTF-8"):
            raw = json.dumps(dict(good, full_name="@@NAME@@")).encode()
            raw = raw.replace(b"@@NAME@@", b"Nguy\xff\xfen V\xc3n")
            self.assert_error(self.post(ACCOUNTS, raw,
                                        {"Content-Type": "application/json"}),
                              400, "invalid_request")
        for ctype in (None, "text/plain", "application/x-www-form-urlencoded",
                      "application/jsonx"):
            with self.subTest(content_type=ctype):
                headers = {"Content-Type": ctype} if ctype else {}
                st, _, j = self.post(ACCOUNTS, json.dumps(good).encode(), headers)
                self.assertEqual(st, 415, j)
                self.assertEqual(j.get("error"), "invalid_request", j)
        self.assert_nothing_written(pid, phone)

    def test_malformed_phones(self):
        pid, name, birth = self.person()
        good = {"personal_id": pid, "full_name": name, "birth_date": birth,
                "password": self.password()}
        bad = ["0123", "+1 415 555 0100", "+14155550100", "081234567",
               "09123456789", "0243825678", "0612345678", "+8491234567",
               "+84 0912345678", "abcdefghij", "", "0912-345-67x"]
        for phone in bad:
            with self.subTest(phone=phone):
                self.assert_error(self.post(ACCOUNTS, dict(good, phone=phone)),
                                  400, "invalid_phone")
        self.assert_nothing_written(pid)

    def test_weak_passwords(self):
        pid, name, birth = self.person()
        phone = self.phone()
        y, m, d = birth.split("-")
        given = strip_diacritics(name.split()[-1]).lower()
        weak = {
            "short": "Ab1!xyz",
            "common": "matkhau123",
            "birth date DDMMYYYY": d + m + y,
            "birth date YYYYMMDD": "x" + y + m + d + "!",
            "personal ID digits": "Zz" + pid[-6:] + "Zz",
            "given name and year": given + y + "#Q",
            "129 characters": ("Qx7!" * 33)[:129],
        }
        for what, pw in weak.items():
            with self.subTest(what):
                self.secrets["password"].add(pw)
                self.assert_error(self.register(pid, name, birth, phone, pw),
                                  400, "weak_password")
        # 128 characters is the limit, not over it.
        pw128 = ("Qx7!" * 32)[:128]
        self.secrets["password"].add(pw128)
        j = self.assert_accepted(self.register(pid, name, birth, phone, pw128))
        self.assertEqual(len(self.codes(phone)), 1)
        self.assertEqual(self.accounts_of(pid), [])
        self.assertTrue(j["registration_id"])

    # -- the log -------------------------------------------------------------------

    def test_zz_log_has_no_secrets(self):
        """Runs last (name order): nothing any test sent is in the log."""
        # Also the codes of every message sent so far.
        for _, _, text in harness.sms_messages(self.srv):
            m = harness.SMS_CODE_RE.search(text)
            if m:
                self.secrets["code"].add(m.group(1))
        log = self.srv.stderr_all()
        self.assertIn("account.created", log)
        self.assertGreater(len(self.secrets["password"]), 5)
        self.assertGreater(len(self.secrets["code"]), 5)
        self.assertGreater(len(self.secrets["personal_id"]), 5)
        for kind, values in self.secrets.items():
            for v in values:
                if kind == "password":
                    self.assertNotIn(v, log, "a password is in the log")
                else:
                    self.assertIsNone(re.search(r"(?<!\d)%s(?!\d)" % re.escape(v),
                                                log), "a %s is in the log" % kind)


if __name__ == "__main__":
    harness.main()
