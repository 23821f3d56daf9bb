// Interop: the openid-client package (pinned in package.json) as a relying
// party of dinhdanh. Driven by tests/integration/test_oidc_node.py over
// stdin/stdout, one JSON object a line:
//   argv: ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI ALG AUTH
//         (AUTH: client_secret_basic or client_secret_post)
//   out:  {"authorize": URL}      in: the callback URL the browser reached
//   out:  {"claims": ..., "userinfo": ..., "refreshed": ...}
// Any failure: {"error": message} and exit status 1.
import * as client from 'openid-client';
import { createInterface } from 'node:readline';

const [issuer, clientId, clientSecret, redirectUri, alg, auth] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');

try {
  const config = await client.discovery(new URL(issuer), clientId,
    { client_secret: clientSecret, id_token_signed_response_alg: alg },
    auth === 'client_secret_post' ? client.ClientSecretPost(clientSecret)
      : client.ClientSecretBasic(clientSecret),
    { execute: [client.allowInsecureRequests] });  // loopback http in tests
  const meta = config.serverMetadata();
  if (meta.issuer !== issuer) throw new Error(`issuer ${meta.issuer}`);

  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile personal_id offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state, nonce,
  });
  say({ authorize: url.href });
  const { value: callback } = await lines.next();

  const tokens = await client.authorizationCodeGrant(config, new URL(callback.trim()), {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  say({
    claims, userinfo,
    token_type: tokens.token_type,
    refreshed: { sub: refreshed.claims()?.sub, rotated: refreshed.refresh_token !== tokens.refresh_token },
    id_token_alg: JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url')).alg,
  });
  process.exit(0);
} catch (e) {
  say({ error: `${e.name}: ${e.message}${e.code ? ' [' + e.code + ']' : ''}${e.cause ? ' cause=' + JSON.stringify(e.cause) : ''}` });
  process.exit(1);
}
