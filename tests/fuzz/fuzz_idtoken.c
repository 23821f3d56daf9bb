/*
 * fuzz_idtoken: RP-initiated logout's ID token hint as the logout page
 * checks it (oidc_http_logout_target: the hint's signature by one of the
 * provider's keys, its iss and aud, client_id against aud, the registered
 * post_logout_redirect_uri, state appended). Input: hint, client_id, URI
 * and state, split at the first three newlines. The provider's keys are
 * made at start-up, so "@IDTOKEN@" and "@IDTOKEN_RS@" stand for real ID
 * tokens (EdDSA, RS256) minted then, and "@CLIENT@" for the client's id.
 */
#include <stdlib.h>
#include <string.h>

#include "clients.h"
#include "clock.h"
#include "fixture.h"
#include "fuzz.h"
#include "fuzzkeys.h"
#include "keys.h"
#include "oidc_http.h"
#include "routes.h"

#define ISS "http://127.0.0.1"
#define BYE "https://portal.example/bye"
#define OUT_MAX 2048

static struct fixture fx;
static struct routes_ctx ctx;
static struct clock *clk;
static char client_id[CLIENT_ID_MAX];
static char *tok_ed, *tok_rs;

static void
cleanup(void)
{
	free(tok_ed);
	free(tok_rs);
	keys_cache_free(ctx.keys);
	clock_free(clk);
	fixture_close(&fx);
}

/* An ID token of the client signed with the ring's key of alg; free(). */
static char *
mint(enum jws_alg alg)
{
	struct keyring *ring = keys_cache_ring(ctx.keys);
	json_t *claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", ISS,
	    "sub", "account-1", "aud", client_id, "exp",
	    (json_int_t)(FUZZ_NOW + 600), "iat", (json_int_t)FUZZ_NOW);
	char *text = claims != NULL ? json_dumps(claims, JSON_COMPACT) : NULL;
	char *jws = text != NULL ? jws_sign(keyring_signing_key(ring, alg), "JWT",
	    text, strlen(text)) : NULL;

	free(text);
	json_decref(claims);
	keyring_release(ring);
	return jws;
}

static int
add_client(void)
{
	static const char *const cbs[] = { "https://portal.example/cb" };
	static const char *const byes[] = { BYE };
	struct client_new cn = { .name = "Portal", .kind = CLIENT_PORTAL,
	    .redirect_uris = cbs, .nredirect = 1, .post_logout_uris = byes,
	    .npost_logout = 1, .scope = "openid profile" };
	char secret[CLIENT_SECRET_MAX], why[200];

	return clients_add(fx.db, fx.seal, &cn, FUZZ_NOW, client_id, secret,
	    why, sizeof(why));
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	FUZZ_SETUP_BEGIN();
	atexit(cleanup);
	if (fixture_open(&fx, "fuzz_idtoken") != 0 ||
	    (clk = clock_new_test(FUZZ_NOW)) == NULL)
		abort();
	ctx = (struct routes_ctx){ .db = fx.db, .seal = fx.seal, .clock = clk,
	    .issuer = ISS };
	if (keys_cache_new(fx.db, fx.seal, clk, KEYS_ID_TOKEN, &ctx.keys) != 0 ||
	    add_client() != 0 || (tok_ed = mint(JWS_EDDSA)) == NULL ||
	    (tok_rs = mint(JWS_RS256)) == NULL)
		abort();
	FUZZ_SETUP_END();
	return 0;
}

/* s with each placeholder replaced; free(). */
static char *
expand(const char *s)
{
	const char *names[] = { "@IDTOKEN_RS@", "@IDTOKEN@", "@CLIENT@" };
	const char *values[] = { tok_rs, tok_ed, client_id };
	size_t cap = strlen(s) + 1, n = 0;
	char *out;

	/* Every placeholder starts with '@' and grows it by less than this. */
	for (const char *p = strchr(s, '@'); p != NULL; p = strchr(p + 1, '@'))
		cap += strlen(tok_rs) + strlen(tok_ed) + CLIENT_ID_MAX;
	if ((out = malloc(cap)) == NULL)
		return NULL;
	for (const char *p = s; *p != '\0';) {
		size_t i = 0;

		while (i < 3 && strncmp(p, names[i], strlen(names[i])) != 0)
			i++;
		if (i < 3) {
			memcpy(out + n, values[i], strlen(values[i]));
			n += strlen(values[i]);
			p += strlen(names[i]);
		} else
			out[n++] = *p++;
	}
	out[n] = '\0';
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *all = NULL, *part[4] = { NULL };
	char out[OUT_MAX], why[256];

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if ((all = expand(text)) == NULL)
		goto done;
	part[0] = all;
	for (int i = 1; i < 4 && part[i - 1] != NULL; i++)
		if ((part[i] = strchr(part[i - 1], '\n')) != NULL)
			*part[i]++ = '\0';
	if (oidc_http_logout_target(&ctx, part[0], part[1], part[2], part[3],
	    out, sizeof(out), why, sizeof(why)) == 0 && out[0] != '\0' &&
	    (part[2] == NULL || strncmp(out, part[2], strlen(part[2])) != 0))
		__builtin_trap();	/* the answer is the asked URI (+ state) */
done:
	free(all);
	free(text);
	return 0;
}
