/*
 * demo: the data of `idp serve --demo`. On an empty database it imports a
 * 10,000-person synthetic registry (fixed seed) and creates the demo
 * clients, keeping their credentials in demo.json (0600) beside the database
 * so that later runs can print them again.
 */
#ifndef IDP_DEMO_H
#define IDP_DEMO_H

#include <stdio.h>

#include "base.h"
#include "cli.h"
#include "clients.h"

#define DEMO_PEOPLE 10000
#define DEMO_SEED 59
#define DEMO_PHONE "+84900000001"	/* the demo citizen's phone (outbox only) */
/* The demo portal's client (idp/demo/portal): RS256, the OIDC default. */
#define DEMO_PORTAL_NAME "Cổng dịch vụ công (demo)"
#define DEMO_PORTAL_SCOPE "openid profile personal_id address phone offline_access"
#define DEMO_PORTAL_ALG "RS256"

/* Seeds an empty database; leaves a seeded one alone. -1 on failure. */
int demo_seed(struct cli_res *, const struct config *) WUR;
/*
 * The demo portal's client id and secret (from demo.json; created there
 * when an older seeding lacks it), with its redirect URI set to
 * PORTAL_BASE/callback and its post-logout URI to PORTAL_BASE/, the portal's
 * actual address ("http://127.0.0.1:PORT"). -1 on failure (reported).
 */
int demo_portal_client(struct cli_res *, const struct config *,
    const char *portal_base, char id[CLIENT_ID_MAX],
    char secret[CLIENT_SECRET_MAX]) WUR;
/*
 * Prints the demo credentials and URLs for a server at `base_url`, and the
 * demo portal's at `portal_url` ("http://127.0.0.1:PORT") unless NULL.
 */
void demo_print(const struct config *, const char *base_url,
    const char *portal_url, FILE *out);

#endif
