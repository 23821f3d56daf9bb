/*
 * clients: relying parties (portals, airports, the registry's event feed).
 * Owns the clients table: registration with validated redirect URIs, secrets
 * stored as a keyed hash, and constant-time authentication.
 */
#ifndef IDP_CLIENTS_H
#define IDP_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "db.h"
#include "seal.h"

enum client_kind { CLIENT_PORTAL, CLIENT_AIRPORT, CLIENT_REGISTRY };

#define CLIENT_ID_MAX 48
#define CLIENT_SECRET_MAX 64
#define CLIENT_NOT_FOUND -110

struct client {
	char client_id[CLIENT_ID_MAX];
	char name[128];
	enum client_kind kind;
	char scope[512];
	char id_token_alg[8];
	char redirect_uris[4096];	/* JSON array */
	char post_logout_uris[4096];	/* JSON array */
	int64_t created_at;
};

struct client_new {
	const char *name;
	enum client_kind kind;
	const char *const *redirect_uris;
	size_t nredirect;
	const char *const *post_logout_uris;
	size_t npost_logout;
	const char *scope;		/* NULL: "openid" */
	const char *id_token_alg;	/* NULL: "RS256" */
};

int client_kind_parse(const char *name, enum client_kind *out) WUR;
const char *client_kind_name(enum client_kind);
/* Absolute, no fragment, https (http only for loopback); -1 with a reason. */
int client_redirect_uri_check(const char *uri, char *reason, size_t rsz) WUR;

/*
 * Registers a client; writes its id and its secret (shown once, never
 * stored) into id[CLIENT_ID_MAX] and secret[CLIENT_SECRET_MAX]. -1 with a
 * reason for bad input, or a DB error.
 */
int clients_add(struct db *, const struct seal *, const struct client_new *,
    int64_t now, char *id, char *secret, char *reason, size_t rsz) WUR;
/*
 * Replaces the redirect and post-logout URIs of client `id` (checked like
 * clients_add's; a portal keeps at least one redirect URI): DB_OK,
 * CLIENT_NOT_FOUND, -1 with a reason for bad input, or a DB error.
 */
int clients_set_uris(struct db *, const char *id,
    const char *const *redirect_uris, size_t nredirect,
    const char *const *post_logout_uris, size_t npost_logout,
    char *reason, size_t rsz) WUR;
/* 0 and *out when id and secret match an enabled client, -1 when not. */
int clients_authenticate(struct db_conn *, const struct seal *, const char *id,
    const char *secret, struct client *out) WUR;
/* Calls fn for every client, oldest first. */
/* The enabled client `id`: DB_OK, CLIENT_NOT_FOUND or a db_err. */
int clients_get(struct db_conn *, const char *id, struct client *out) WUR;
/* Exact match against the registered redirect or post-logout URIs. */
bool client_redirect_registered(const struct client *, const char *uri);
bool client_post_logout_registered(const struct client *, const char *uri);

int clients_foreach(struct db *, void (*fn)(const struct client *, void *),
    void *arg) WUR;

#endif
