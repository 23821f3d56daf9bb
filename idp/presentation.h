/*
 * presentation: the checks of an airport presentation that need no network
 * and no database (DESIGN section 7), shared by the online verifier
 * (api_airport) and the offline one (eid-verify). Parses the presentation
 * (a compact JWS by the device key, typ "eid-presentation+jwt", payload
 * {cred, iat, jti[, nonce]}) and the credential inside it (a compact JWS by
 * dinhdanh's credential key, found by kid through the caller's callback),
 * checks both signatures, the level, the credential's expiry and the
 * presentation's iat window, and builds the JSON verdict both verifiers
 * print. Also owns the reason codes and their order:
 *
 *   malformed -> signature_invalid -> level_too_low -> expired
 *
 * then, by the callers: online (airport) deceased -> account_locked ->
 * revoked -> replayed; offline (eid-verify) revoked -> replayed.
 *
 * A credential whose key is not trusted fails as signature_invalid before
 * its level is read, so a level-1 credential forged with an unknown key is
 * signature_invalid; level_too_low needs a credential signed by a trusted
 * key (an offline verifier given a JWKS with that key, or a test).
 */
#ifndef IDP_PRESENTATION_H
#define IDP_PRESENTATION_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "jws.h"

#define PRES_TYP "eid-presentation+jwt"
#define PRES_CRED_TYP "eid-credential+jwt"	/* credentials.h CRED_JWS_TYP */
#define PRES_IAT_WINDOW 60		/* seconds either side of now */
#define PRES_LEVEL 2
#define PRES_JTI_MAX 128
/* The attributes an acceptance discloses, space separated. */
#define PRES_ATTRIBUTES "personal_id full_name birth_date sex nationality " \
	"portrait_sha256"

enum pres_reason {
	PRES_ACCEPTED = 0,
	PRES_MALFORMED,
	PRES_SIGNATURE_INVALID,
	PRES_LEVEL_TOO_LOW,
	PRES_EXPIRED,
	PRES_REVOKED,
	PRES_ACCOUNT_LOCKED,
	PRES_DECEASED,
	PRES_REPLAYED,
};

struct pres_person {
	char personal_id[13];
	char full_name[512];
	char birth_date[11];
	char sex[8];
	char nationality[128];
	char portrait_sha256[65];
};

struct pres_result {
	enum pres_reason reason;
	char pres_jti[PRES_JTI_MAX];	/* set once the payload parsed */
	char cred_jti[PRES_JTI_MAX];	/* set once the credential's signature held */
	int64_t iat;			/* the presentation's */
	int64_t cred_exp;
	int level;
	struct pres_person person;	/* set when accepted */
};

/* The trusted credential key named `kid`, borrowed; NULL when none. */
typedef const struct jws_key *(*pres_key_fn)(void *arg, const char *kid);

/* "accepted", "malformed", "signature_invalid", ... */
const char *pres_reason_name(enum pres_reason);

/*
 * Runs the checks on the compact presentation pres[len] as of `now`; the
 * reason into out->reason (PRES_ACCEPTED when every check here held) and
 * returned.
 */
enum pres_reason presentation_check(const char *pres, size_t len, int64_t now,
    pres_key_fn key_of, void *arg, struct pres_result *out);

/*
 * The verdict: {"result":"accepted","level":2,"person":{...},"checked_at":T}
 * or {"result":"rejected","reason":R}. A new reference.
 */
json_t *presentation_verdict(const struct pres_result *, int64_t checked_at);

#endif
