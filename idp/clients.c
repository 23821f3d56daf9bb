/*
 * clients: storage and authentication of relying parties.
 */
#include "clients.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "b64.h"

static const char *const kind_names[] = { "portal", "airport", "registry" };
static const char *const algs[] = { "RS256", "EdDSA", "ES256" };

int
client_kind_parse(const char *name, enum client_kind *out)
{
	for (size_t i = 0; i < ARRAY_LEN(kind_names); i++) {
		if (name != NULL && strcmp(name, kind_names[i]) == 0) {
			*out = (enum client_kind)i;
			return 0;
		}
	}
	return -1;
}

const char *
client_kind_name(enum client_kind k)
{
	return (size_t)k < ARRAY_LEN(kind_names) ? kind_names[k] : "unknown";
}

static bool
loopback_host(const char *h, size_t n)
{
	return (n == 9 && strncmp(h, "localhost", 9) == 0) ||
	    (n >= 4 && strncmp(h, "127.", 4) == 0 &&
	    strspn(h, "0123456789.") == n) ||	/* an address, not 127.x.example */
	    (n == 5 && strncmp(h, "[::1]", 5) == 0);
}

int
client_redirect_uri_check(const char *uri, char *reason, size_t rsz)
{
	const char *host, *end;
	size_t n = strlen(uri);
	bool https = strncmp(uri, "https://", 8) == 0;

	if (n == 0 || n > 1024) {
		snprintf(reason, rsz, "redirect URI must be 1 to 1024 characters");
		return -1;
	}
	if (!https && strncmp(uri, "http://", 7) != 0) {
		snprintf(reason, rsz, "redirect URI must be an absolute https URL: %s", uri);
		return -1;
	}
	if (strchr(uri, '#') != NULL) {
		snprintf(reason, rsz, "redirect URI must not have a fragment: %s", uri);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)uri[i] <= 0x20 || (unsigned char)uri[i] >= 0x7f) {
			snprintf(reason, rsz, "redirect URI has a space or non-ASCII character");
			return -1;
		}
	}
	host = uri + (https ? 8 : 7);
	end = host + strcspn(host, "/?");
	if (host[0] == '[')
		end = host + strcspn(host, "]") + 1;
	else
		end = host + strcspn(host, ":/?");
	if (end == host || strchr(host, '@') != NULL) {
		snprintf(reason, rsz, "redirect URI has no host, or has user information");
		return -1;
	}
	if (!https && !loopback_host(host, (size_t)(end - host))) {
		snprintf(reason, rsz, "http redirect URIs are for loopback only: %s", uri);
		return -1;
	}
	return 0;
}

static void
secret_hash(const struct seal *seal, const char *secret, char hex[65])
{
	uint8_t key[32], h[32];

	seal_subkey(seal, "client-secret", key);
	crypto_generichash(h, sizeof(h), (const uint8_t *)secret, strlen(secret),
	    key, sizeof(key));
	sodium_bin2hex(hex, 65, h, sizeof(h));
	sodium_memzero(key, sizeof(key));
}

static char *
uri_list(const char *const *uris, size_t n, char *reason, size_t rsz)
{
	json_t *a = json_array();
	char *s;

	for (size_t i = 0; i < n; i++) {
		if (client_redirect_uri_check(uris[i], reason, rsz) != 0) {
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, json_string(uris[i]));
	}
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static int
check_new(const struct client_new *cn, char *reason, size_t rsz)
{
	bool alg_ok = false;

	if (cn->name == NULL || cn->name[0] == '\0' || strlen(cn->name) >= 128) {
		snprintf(reason, rsz, "name must be 1 to 127 bytes");
		return -1;
	}
	for (size_t i = 0; i < ARRAY_LEN(algs); i++)
		if (cn->id_token_alg == NULL || strcmp(cn->id_token_alg, algs[i]) == 0)
			alg_ok = true;
	if (!alg_ok) {
		snprintf(reason, rsz, "id token algorithm must be RS256, EdDSA or ES256");
		return -1;
	}
	if (cn->kind == CLIENT_PORTAL && cn->nredirect == 0) {
		snprintf(reason, rsz, "a portal needs at least one --redirect-uri");
		return -1;
	}
	if (cn->scope != NULL && strlen(cn->scope) >= 512) {
		snprintf(reason, rsz, "scope is too long");
		return -1;
	}
	return 0;
}

static void
new_credentials(char *id, char *secret)
{
	uint8_t rid[12], rsec[32];

	randombytes_buf(rid, sizeof(rid));
	randombytes_buf(rsec, sizeof(rsec));
	memcpy(id, "c_", 2);
	(void)b64_encode(id + 2, CLIENT_ID_MAX - 2, rid, sizeof(rid));
	(void)b64_encode(secret, CLIENT_SECRET_MAX, rsec, sizeof(rsec));
	sodium_memzero(rsec, sizeof(rsec));
}

static int
audit_client_added(struct db_conn *c, const struct seal *seal, const char *id,
    int64_t now)
{
	json_t *d = json_pack("{s:s}", "client_id", id);
	int rc = d != NULL ? audit_append(c, seal, "client_added", "operator",
	    NULL, d, now) : DB_ERR;

	json_decref(d);
	return rc;
}

int
clients_add(struct db *db, const struct seal *seal, const struct client_new *cn,
    int64_t now, char *id, char *secret, char *reason, size_t rsz)
{
	char *redirects = NULL, *logouts = NULL, hash[65];
	struct db_conn *c = NULL;
	sqlite3_stmt *st;
	int rc = -1;

	if (db == NULL || seal == NULL || cn == NULL || check_new(cn, reason, rsz) != 0)
		return -1;
	if ((redirects = uri_list(cn->redirect_uris, cn->nredirect, reason, rsz)) == NULL ||
	    (logouts = uri_list(cn->post_logout_uris, cn->npost_logout, reason, rsz)) == NULL)
		goto done;
	new_credentials(id, secret);
	secret_hash(seal, secret, hash);
	if ((c = db_acquire(db)) == NULL) {
		rc = DB_ERR;
		goto done;
	}
	st = db_stmt(c, "INSERT INTO clients (client_id, name, kind, secret_hash, "
	    "redirect_uris, post_logout_uris, scope, id_token_alg, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL || db_bind_text(st, 1, id) != DB_OK ||
	    db_bind_text(st, 2, cn->name) != DB_OK ||
	    db_bind_text(st, 3, client_kind_name(cn->kind)) != DB_OK ||
	    db_bind_text(st, 4, hash) != DB_OK ||
	    db_bind_text(st, 5, redirects) != DB_OK ||
	    db_bind_text(st, 6, logouts) != DB_OK ||
	    db_bind_text(st, 7, cn->scope ? cn->scope : "openid") != DB_OK ||
	    db_bind_text(st, 8, cn->id_token_alg ? cn->id_token_alg : "RS256") != DB_OK ||
	    db_bind_int64(st, 9, now) != DB_OK)
		rc = DB_ERR;
	else if ((rc = db_begin(c)) == DB_OK) {
		if ((rc = db_step(st)) == DB_OK &&
		    (rc = audit_client_added(c, seal, id, now)) == DB_OK)
			rc = db_commit(c);
		else
			db_rollback(c);
	}
	if (rc != DB_OK)
		snprintf(reason, rsz, "%s", db_strerror(rc));
done:
	db_release(db, c);
	free(redirects);
	free(logouts);
	return rc;
}

int
clients_set_uris(struct db *db, const char *id, const char *const *redirect_uris,
    size_t nredirect, const char *const *post_logout_uris, size_t npost_logout,
    char *reason, size_t rsz)
{
	char *redirects = NULL, *logouts = NULL;
	struct db_conn *c = NULL;
	sqlite3_stmt *st;
	int rc = -1;

	if (db == NULL || id == NULL)
		return -1;
	if ((redirects = uri_list(redirect_uris, nredirect, reason, rsz)) == NULL ||
	    (logouts = uri_list(post_logout_uris, npost_logout, reason, rsz)) == NULL)
		goto done;
	if ((c = db_acquire(db)) == NULL) {
		rc = DB_ERR;
		goto done;
	}
	/* A portal without a redirect URI could not sign anyone in. */
	st = db_stmt(c, "UPDATE clients SET redirect_uris = ?, post_logout_uris = ? "
	    "WHERE client_id = ? AND (kind <> 'portal' OR ? > 0)");
	if (st == NULL || db_bind_text(st, 1, redirects) != DB_OK ||
	    db_bind_text(st, 2, logouts) != DB_OK || db_bind_text(st, 3, id) != DB_OK ||
	    db_bind_int64(st, 4, (int64_t)nredirect) != DB_OK)
		rc = DB_ERR;
	else if ((rc = db_step(st)) == DB_OK && sqlite3_changes(db_handle(c)) == 0)
		rc = nredirect == 0 && db_exists(c, "SELECT 1 FROM clients WHERE "
		    "client_id = ?", id, NULL) == 1 ? -1 : CLIENT_NOT_FOUND;
	if (rc == -1)
		snprintf(reason, rsz, "a portal needs at least one redirect URI");
	else if (rc != DB_OK && rc != CLIENT_NOT_FOUND)
		snprintf(reason, rsz, "%s", db_strerror(rc));
	else if (rc == CLIENT_NOT_FOUND)
		snprintf(reason, rsz, "no client %s", id);
done:
	db_release(db, c);
	free(redirects);
	free(logouts);
	return rc;
}

static int
read_client(sqlite3_stmt *st, struct client *out)
{
	if (db_column_text(st, 0, out->client_id, sizeof(out->client_id)) != 0 ||
	    db_column_text(st, 1, out->name, sizeof(out->name)) != 0 ||
	    client_kind_parse((const char *)sqlite3_column_text(st, 2), &out->kind) != 0 ||
	    db_column_text(st, 3, out->scope, sizeof(out->scope)) != 0 ||
	    db_column_text(st, 4, out->id_token_alg, sizeof(out->id_token_alg)) != 0 ||
	    db_column_text(st, 5, out->redirect_uris, sizeof(out->redirect_uris)) != 0 ||
	    db_column_text(st, 6, out->post_logout_uris, sizeof(out->post_logout_uris)) != 0)
		return DB_ERR;
	out->created_at = sqlite3_column_int64(st, 7);
	return DB_OK;
}

#define CLIENT_COLUMNS "client_id, name, kind, scope, id_token_alg, " \
	"redirect_uris, post_logout_uris, created_at"

int
clients_authenticate(struct db_conn *c, const struct seal *seal, const char *id,
    const char *secret, struct client *out)
{
	sqlite3_stmt *st;
	char want[65] = "", got[65];
	int rc, ok = -1;

	if (c == NULL || seal == NULL || id == NULL || secret == NULL || out == NULL)
		return -1;
	/* Hash first, whether or not the client exists: the same time either way. */
	secret_hash(seal, secret, got);
	st = db_stmt(c, "SELECT " CLIENT_COLUMNS ", secret_hash FROM clients "
	    "WHERE client_id = ? AND disabled = 0");
	if (st == NULL || db_bind_text(st, 1, id) != DB_OK)
		return -1;
	if ((rc = db_step(st)) == 1 && db_column_text(st, 8, want, sizeof(want)) == 0 &&
	    strlen(want) == 64 && sodium_memcmp(want, got, 64) == 0 &&
	    read_client(st, out) == DB_OK)
		ok = 0;
	sqlite3_reset(st);
	return ok;
}

int
clients_foreach(struct db *db, void (*fn)(const struct client *, void *), void *arg)
{
	struct db_conn *c = db_acquire(db);
	struct client cl;
	sqlite3_stmt *st;
	int rc;

	if (c == NULL)
		return DB_ERR;
	st = db_stmt(c, "SELECT " CLIENT_COLUMNS " FROM clients ORDER BY created_at, client_id");
	while ((rc = db_step(st)) == 1) {
		if ((rc = read_client(st, &cl)) != DB_OK)
			break;
		fn(&cl, arg);
	}
	if (st != NULL)
		sqlite3_reset(st);
	db_release(db, c);
	return rc;
}

int
clients_get(struct db_conn *c, const char *id, struct client *out)
{
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || id == NULL || out == NULL)
		return DB_ERR;
	st = db_stmt(c, "SELECT " CLIENT_COLUMNS " FROM clients "
	    "WHERE client_id = ? AND disabled = 0");
	if (st == NULL || db_bind_text(st, 1, id) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == 1)
		rc = read_client(st, out);
	else if (rc == DB_OK)
		rc = CLIENT_NOT_FOUND;
	sqlite3_reset(st);
	return rc;
}

/* `uri` exactly equal to one entry of the JSON array `list`. */
static bool
listed(const char *list, const char *uri)
{
	json_t *a = json_loads(list, 0, NULL);
	size_t i;
	json_t *v;
	bool found = false;

	if (uri == NULL || !json_is_array(a)) {
		json_decref(a);
		return false;
	}
	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), uri) == 0)
			found = true;
	json_decref(a);
	return found;
}

bool
client_redirect_registered(const struct client *cl, const char *uri)
{
	return cl != NULL && listed(cl->redirect_uris, uri);
}

bool
client_post_logout_registered(const struct client *cl, const char *uri)
{
	return cl != NULL && listed(cl->post_logout_uris, uri);
}
