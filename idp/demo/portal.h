/*
 * portal: the demo portal of `idp serve --demo`, "Cổng dịch vụ công
 * (demo)": a small relying party with its own HTTP server on a loopback
 * port that signs a citizen in through the provider exactly as any portal
 * would, over HTTP with libcurl: discovery, the authorization-code flow with
 * state, nonce and PKCE S256, the token endpoint with client_secret_basic,
 * the ID token checked against the JWKS, userinfo, and RP-initiated logout.
 * Owns its server, its flow and session store (portal_rp) and its cached
 * discovery document and JWKS; no global state but libcurl's one-time init.
 *
 * Routes: GET / (sign-in button, or the verified claims once signed in),
 * /login (with ?level=2 for a level-2 sign-in), /callback, /logout, /lang,
 * /portal.css.
 */
#ifndef IDP_DEMO_PORTAL_H
#define IDP_DEMO_PORTAL_H

#include <stdint.h>

#include "base.h"

struct clock;
struct log;
struct portal;

struct portal_opts {
	const char *issuer;	/* the provider; discovery is fetched from it */
	uint16_t port;		/* 0: any free loopback port */
	const struct clock *clock;
	struct log *log;
	unsigned threads;	/* 0: 2 */
};

/*
 * Starts the portal on 127.0.0.1:port. It answers "not ready" pages until
 * portal_set_client. -1 with err.
 */
int portal_start(const struct portal_opts *, struct portal **out, char *err,
    size_t errsz) WUR;
/* "http://127.0.0.1:PORT" (no trailing slash). */
const char *portal_base_url(const struct portal *);
/* The client the portal signs in as (copied). */
void portal_set_client(struct portal *, const char *client_id, const char *secret);
/* Stops the server and frees everything. NULL is fine. */
void portal_stop(struct portal *);

#endif
