"""`idp keys rotate`: new current ID-token keys for RS256, EdDSA and ES256,
the old ones retired but kept, printed as one JSON line (DESIGN.md sections
3 and 6); the card centre's key is not rotated."""

import json
import unittest

import harness
from harness import TempDir

ALGS = ["RS256", "EdDSA", "ES256"]
KTY = {"RS256": "RSA", "EdDSA": "OKP", "ES256": "EC"}

try:
    from jwcrypto import jwk as jwcrypto_jwk
except ImportError:  # pragma: no cover - .ci/packages installs it
    jwcrypto_jwk = None


def rotate(tmp):
    r = tmp.idp("keys", "rotate")
    if r.returncode != 0:
        raise AssertionError(r.stderr)
    lines = r.stdout.splitlines()
    if len(lines) != 1:
        raise AssertionError("expected one line, got %r" % r.stdout)
    return json.loads(lines[0])


def key_rows(db):
    return harness.sql_rows(db, "SELECT kid, alg, public_jwk, retired_at "
                            "FROM signing_keys WHERE purpose = 'id-token'")


class KeysRotate(unittest.TestCase):
    def test_rotate_changes_kids_and_keeps_the_old(self):
        with TempDir() as tmp:
            first = rotate(tmp)
            self.assertEqual(list(first), ["rotated"])
            self.assertEqual([k["alg"] for k in first["rotated"]], ALGS)
            second = rotate(tmp)
            kids1 = {k["kid"] for k in first["rotated"]}
            kids2 = {k["kid"] for k in second["rotated"]}
            self.assertEqual(len(kids1), 3)
            self.assertEqual(len(kids2), 3)
            self.assertFalse(kids1 & kids2)
            rows = {r[0]: r for r in key_rows(tmp.db)}
            self.assertEqual(set(rows), kids1 | kids2)
            for kid in kids1:
                self.assertIsNotNone(rows[kid][3], kid)
            for kid in kids2:
                self.assertIsNone(rows[kid][3], kid)
            for kid, alg, text, _ in rows.values():
                pub = json.loads(text)
                self.assertEqual(pub["kid"], kid)
                self.assertEqual(pub["alg"], alg)
                self.assertEqual(pub["use"], "sig")
                self.assertEqual(pub["kty"], KTY[alg])
                self.assertNotIn("d", pub)
                if jwcrypto_jwk is not None:
                    key = jwcrypto_jwk.JWK(**pub)
                    self.assertFalse(key.has_private)
                    self.assertTrue(key.thumbprint())

    def test_card_key_is_not_rotated(self):
        with TempDir() as tmp:
            before = tmp.idp("registry", "card-key")
            self.assertEqual(before.returncode, 0, before.stderr)
            rotate(tmp)
            after = tmp.idp("registry", "card-key")
            self.assertEqual(after.returncode, 0, after.stderr)
            self.assertEqual(json.loads(before.stdout)["kid"],
                             json.loads(after.stdout)["kid"])

    def test_usage(self):
        with TempDir() as tmp:
            r = tmp.idp("keys", "rotate", "--help")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("keys rotate", r.stdout)
            for args in (("keys", "rotate", "extra"), ("keys", "rotate", "--bogus"),
                         ("keys",), ("keys", "spin")):
                r = tmp.idp(*args)
                self.assertEqual(r.returncode, 2, args)
                self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
                self.assertEqual(r.stdout, "")


if __name__ == "__main__":
    harness.main()
