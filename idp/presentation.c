/*
 * presentation: parsing and the offline checks of an airport presentation,
 * and the verdict JSON.
 */
#include "presentation.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#include "b64.h"

static const char *const reason_names[] = {
	[PRES_ACCEPTED] = "accepted",
	[PRES_MALFORMED] = "malformed",
	[PRES_SIGNATURE_INVALID] = "signature_invalid",
	[PRES_LEVEL_TOO_LOW] = "level_too_low",
	[PRES_EXPIRED] = "expired",
	[PRES_REVOKED] = "revoked",
	[PRES_ACCOUNT_LOCKED] = "account_locked",
	[PRES_DECEASED] = "deceased",
	[PRES_REPLAYED] = "replayed",
};

const char *
pres_reason_name(enum pres_reason r)
{
	if ((size_t)r >= sizeof(reason_names) / sizeof(reason_names[0]))
		return "malformed";
	return reason_names[r];
}

/* Copies the string member `key` of o into buf[sz]; -1 when absent or too long. */
static int
copy_str(const json_t *o, const char *key, char *buf, size_t sz)
{
	json_t *v = json_object_get(o, key);
	size_t n;

	if (!json_is_string(v) || (n = json_string_length(v)) == 0 || n >= sz ||
	    memchr(json_string_value(v), '\0', n) != NULL)
		return -1;
	memcpy(buf, json_string_value(v), n + 1);
	return 0;
}

static int
get_int(const json_t *o, const char *key, int64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return -1;
	*out = (int64_t)json_integer_value(v);
	return 0;
}

/* The payload of p as a JSON object, or NULL. */
static json_t *
payload_object(const struct jws_parsed *p)
{
	json_t *o = json_loadb(p->payload, p->payload_len,
	    JSON_REJECT_DUPLICATES, NULL);

	if (o != NULL && !json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static bool
member_is(const json_t *o, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL && strcmp(v, want) == 0;
}

static bool
header_is(const struct jws_parsed *p, const char *key, const char *want)
{
	return member_is(p->header, key, want);
}

/* The credential's claims into out; -1 when one is missing or mistyped. */
static int
cred_claims(const json_t *c, struct pres_result *out)
{
	struct pres_person *p = &out->person;
	char iss[512];
	int64_t iat, lvl;

	if (copy_str(c, "iss", iss, sizeof(iss)) != 0 ||
	    copy_str(c, "jti", out->cred_jti, sizeof(out->cred_jti)) != 0 ||
	    get_int(c, "iat", &iat) != 0 || get_int(c, "exp", &out->cred_exp) != 0 ||
	    get_int(c, "lvl", &lvl) != 0 ||
	    !json_is_object(json_object_get(json_object_get(c, "cnf"), "jwk")))
		return -1;
	if (copy_str(c, "personal_id", p->personal_id, sizeof(p->personal_id)) != 0 ||
	    copy_str(c, "full_name", p->full_name, sizeof(p->full_name)) != 0 ||
	    copy_str(c, "birth_date", p->birth_date, sizeof(p->birth_date)) != 0 ||
	    copy_str(c, "sex", p->sex, sizeof(p->sex)) != 0 ||
	    copy_str(c, "nationality", p->nationality, sizeof(p->nationality)) != 0 ||
	    copy_str(c, "portrait_sha256", p->portrait_sha256,
	    sizeof(p->portrait_sha256)) != 0)
		return -1;
	out->level = lvl < 0 || lvl > 9 ? -1 : (int)lvl;
	return 0;
}

/* The presentation's header and claims (new reference in *claims). */
static int
pres_claims(const struct jws_parsed *pp, json_t **claims, struct pres_result *out)
{
	json_t *nonce;

	if (!header_is(pp, "typ", PRES_TYP) || !header_is(pp, "alg", "EdDSA") ||
	    (*claims = payload_object(pp)) == NULL)
		return -1;
	nonce = json_object_get(*claims, "nonce");
	if (!json_is_string(json_object_get(*claims, "cred")) ||
	    get_int(*claims, "iat", &out->iat) != 0 ||
	    copy_str(*claims, "jti", out->pres_jti, sizeof(out->pres_jti)) != 0 ||
	    (nonce != NULL && !json_is_string(nonce)))
		return -1;
	return 0;
}

/*
 * The device key of cnf.jwk (OKP, Ed25519) into pk; -1 when it is not one.
 * Read here rather than through jws_key_from_jwk: a jws_key lives in locked
 * memory, whose mapping per presentation costs more than the check itself.
 */
static int
device_key(const json_t *cclaims, uint8_t pk[crypto_sign_PUBLICKEYBYTES])
{
	const json_t *jwk = json_object_get(json_object_get(cclaims, "cnf"), "jwk");
	const char *x = json_string_value(json_object_get(jwk, "x"));
	const char *alg = json_string_value(json_object_get(jwk, "alg"));
	size_t n;

	if (!json_is_object(jwk) || x == NULL ||
	    !member_is(jwk, "kty", "OKP") || !member_is(jwk, "crv", "Ed25519") ||
	    (alg != NULL && strcmp(alg, "EdDSA") != 0) ||
	    b64_decode(pk, crypto_sign_PUBLICKEYBYTES, &n, x, strlen(x)) != 0 ||
	    n != crypto_sign_PUBLICKEYBYTES)
		return -1;
	return 0;
}

/* The credential's signature, then the device's over the presentation. */
static enum pres_reason
signatures(const struct jws_parsed *cp, const json_t *cclaims,
    const struct jws_parsed *pp, pres_key_fn key_of, void *arg)
{
	const char *kid = json_string_value(json_object_get(cp->header, "kid"));
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	const struct jws_key *ck;

	if (kid == NULL || key_of == NULL || (ck = key_of(arg, kid)) == NULL ||
	    jws_key_alg(ck) != JWS_EDDSA || jws_verify_parsed(ck, cp) != 0)
		return PRES_SIGNATURE_INVALID;
	if (device_key(cclaims, pk) != 0)
		return PRES_MALFORMED;
	/* pres_claims checked alg EdDSA; as jws_verify_parsed, no "crit". */
	if (json_object_get(pp->header, "crit") != NULL ||
	    pp->sig_len != crypto_sign_BYTES ||
	    crypto_sign_verify_detached(pp->sig, (const unsigned char *)pp->compact,
	    pp->signing_input_len, pk) != 0)
		return PRES_SIGNATURE_INVALID;
	return PRES_ACCEPTED;
}

static enum pres_reason
check(const char *pres, size_t len, int64_t now, pres_key_fn key_of, void *arg,
    struct pres_result *out)
{
	struct jws_parsed pp, cp;
	json_t *pclaims = NULL, *cclaims = NULL;
	const char *cred;
	enum pres_reason r = PRES_MALFORMED;

	memset(&cp, 0, sizeof(cp));
	if (jws_parse(pres, len, &pp) != 0)
		return PRES_MALFORMED;
	if (pres_claims(&pp, &pclaims, out) != 0)
		goto done;
	cred = json_string_value(json_object_get(pclaims, "cred"));
	if (jws_parse(cred, strlen(cred), &cp) != 0 ||
	    (cclaims = payload_object(&cp)) == NULL || cred_claims(cclaims, out) != 0 ||
	    !header_is(&cp, "typ", PRES_CRED_TYP))
		goto done;
	if ((r = signatures(&cp, cclaims, &pp, key_of, arg)) != PRES_ACCEPTED)
		goto done;
	if (out->level != PRES_LEVEL)
		r = PRES_LEVEL_TOO_LOW;
	else if (out->cred_exp <= now || out->iat < now - PRES_IAT_WINDOW ||
	    out->iat > now + PRES_IAT_WINDOW)
		r = PRES_EXPIRED;
done:
	json_decref(cclaims);
	json_decref(pclaims);
	jws_parsed_free(&cp);
	jws_parsed_free(&pp);
	return r;
}

enum pres_reason
presentation_check(const char *pres, size_t len, int64_t now, pres_key_fn key_of,
    void *arg, struct pres_result *out)
{
	enum pres_reason r;

	memset(out, 0, sizeof(*out));
	out->level = -1;
	r = pres == NULL ? PRES_MALFORMED : check(pres, len, now, key_of, arg, out);
	if (r == PRES_MALFORMED || r == PRES_SIGNATURE_INVALID)
		out->cred_jti[0] = '\0';	/* not to be trusted */
	if (r != PRES_ACCEPTED)
		memset(&out->person, 0, sizeof(out->person));
	out->reason = r;
	return r;
}

json_t *
presentation_verdict(const struct pres_result *r, int64_t checked_at)
{
	const struct pres_person *p = &r->person;

	if (r->reason != PRES_ACCEPTED)
		return json_pack("{s:s, s:s}", "result", "rejected", "reason",
		    pres_reason_name(r->reason));
	return json_pack("{s:s, s:i, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:I}",
	    "result", "accepted", "level", r->level,
	    "person", "personal_id", p->personal_id, "full_name", p->full_name,
	    "birth_date", p->birth_date, "sex", p->sex,
	    "nationality", p->nationality, "portrait_sha256", p->portrait_sha256,
	    "checked_at", (json_int_t)checked_at);
}
