"""Interop: the Node openid-client package (tests/node, pinned) as the
relying party: discovery, the code flow with PKCE, state, nonce and iss
checked by the library, the ID token verified by it for RS256, EdDSA and
ES256 clients, userinfo and a refresh. The browser part is driven here by
harness.WebClient; tests/node/openid_client.mjs does the rest."""

import json
import os
import shutil
import subprocess
import unittest

import harness
from harness import Server

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node")
SCRIPT = os.path.join(NODE_DIR, "openid_client.mjs")


def node():
    exe = shutil.which("node")
    if exe is None:
        raise AssertionError("node is not installed (.ci/packages: nodejs)")
    if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "openid-client")):
        raise AssertionError("tests/node is not installed: run .ci/deps "
                             "(npm ci --prefix tests/node)")
    return exe


class NodeOpenidClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = node()
        cls.srv = Server(extra_args=["--login-rate", "0"])
        cls.srv.__enter__()
        try:
            cls.citizen = harness.citizens(cls.srv, 1, seed=53)[0]
            cls.web = harness.WebClient(cls.srv)
        except BaseException:
            cls.srv.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    def run_rp(self, alg, auth="client_secret_post"):
        cl = harness.add_client(self.srv, "Node RP " + alg, alg=alg)
        proc = subprocess.Popen(
            [self.node, SCRIPT, self.srv.base_url, cl["client_id"],
             cl["client_secret"], harness.RP_REDIRECT_URI, alg, auth],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, cwd=NODE_DIR)
        try:
            first = json.loads(proc.stdout.readline() or '{"error": "no output"}')
            self.assertIn("authorize", first, (first, proc.stderr.read()
                                               if "error" in first else ""))
            self.assertTrue(first["authorize"].startswith(self.srv.base_url + "/authorize?"))
            resp = self.web.authorize(first["authorize"], self.citizen)
            self.assertEqual(resp.status, 303, resp)
            self.assertTrue(resp.location.startswith(harness.RP_REDIRECT_URI + "?"))
            out, err = proc.communicate(resp.location + "\n", timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        result = json.loads(out.strip().splitlines()[-1])
        self.assertNotIn("error", result, err)
        self.assertEqual(proc.returncode, 0, err)
        return cl, result

    def test_code_flow_each_alg(self):
        subs = set()
        for alg in ("RS256", "EdDSA", "ES256"):
            with self.subTest(alg=alg):
                cl, res = self.run_rp(alg)
                self.assertEqual(res["id_token_alg"], alg)
                c = res["claims"]
                self.assertEqual(c["iss"], self.srv.base_url)
                self.assertEqual(c["aud"], cl["client_id"])
                self.assertEqual(res["userinfo"]["sub"], c["sub"])
                self.assertEqual(res["userinfo"]["name"], self.citizen["name"])
                self.assertEqual(res["userinfo"]["personal_id"], self.citizen["pid"])
                self.assertNotIn("address", res["userinfo"])
                self.assertEqual(res["refreshed"]["sub"], c["sub"])
                self.assertTrue(res["refreshed"]["rotated"])
                subs.add(c["sub"])
        self.assertEqual(len(subs), 3)      # pairwise: one per client

    def test_client_secret_basic(self):
        # openid-client form-encodes the id and secret before Base64, as
        # RFC 6749 2.3.1 says ("_" becomes %5F): the server must decode them.
        cl, res = self.run_rp("RS256", auth="client_secret_basic")
        self.assertEqual(res["userinfo"]["name"], self.citizen["name"])


if __name__ == "__main__":
    harness.main()
