/*
 * app_cred: the eid-app's level-2 credential and its airport presentations
 * (DESIGN section 7): fetching or refreshing the credential with a
 * device-signed request, when a refresh is due, and the presentation, a
 * compact JWS signed by the device key. Owns no state: the credential is
 * kept in app_state.
 */
#ifndef IDP_APP_CRED_H
#define IDP_APP_CRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_state.h"
#include "base.h"

#define APP_CRED_REFRESH 86400		/* refresh when less than this remains */
#define APP_PRES_TYP "eid-presentation+jwt"
#define APP_NONCE_MAX 64		/* bytes of a verifier's nonce */

/* Whether st holds a credential that is unexpired at `now`. */
bool app_cred_valid(const struct app_state *, int64_t now);
/* Whether a refresh is due: no credential, or less than a day left. */
bool app_cred_due(const struct app_state *, int64_t now);

/*
 * Fetches a new credential for this device (POST /v1/credentials, signed)
 * and stores it in st (the caller saves st). 0; -1 when no answer came;
 * 1 when the provider refused (*status set). A reason in err either way.
 */
int app_cred_fetch(const char *base_url, struct app_state *st, long *status,
    char *err, size_t errsz) WUR;

/* Whether `nonce` may go into a presentation: 1 to APP_NONCE_MAX printable ASCII. */
bool app_cred_nonce_ok(const char *nonce);

/*
 * A presentation of st's credential as of `now`: header {"alg":"EdDSA",
 * "typ":APP_PRES_TYP}, payload {cred, iat, jti[, nonce]} (nonce NULL: left
 * out), signed by the device key. A new string (free()), or NULL.
 */
char *app_cred_present(const struct app_state *, const char *nonce, int64_t now);

#endif
