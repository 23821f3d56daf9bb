/*
 * test_clients: unit tests for relying parties (clients): registration,
 * secrets kept only as a keyed hash, authentication, redirect URI rules,
 * refused registrations and listing in order.
 */
#include "t.h"
#include "fixture.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base.h"
#include "clients.h"
#include "db.h"
#include "seal.h"

#define NOW INT64_C(1800000000)

static const uint8_t master[32] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };

static int
contains(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

static int
auth(struct fixture *f, const char *id, const char *secret, struct client *out)
{
	struct db_conn *c = db_acquire(f->db);
	int rc;

	if (c == NULL)
		return -100;
	rc = clients_authenticate(c, f->seal, id, secret, out);
	db_release(f->db, c);
	return rc;
}

static long long
count_clients(struct fixture *f)
{
	return fixture_count(f, "SELECT COUNT(*) FROM clients");
}

static int
stored_hash(struct fixture *f, const char *id, char *out, size_t outsz)
{
	struct db_conn *c = db_acquire(f->db);
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (c == NULL)
		return -1;
	if (sqlite3_prepare_v2(db_handle(c), "SELECT secret_hash FROM clients "
	    "WHERE client_id = ?", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, outsz, "%s", sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_finalize(st);
	db_release(f->db, c);
	return rc;
}

TEST(registry_client_authenticates)
{
	struct client_new cn = { .name = "Population registry", .kind = CLIENT_REGISTRY };
	char id[CLIENT_ID_MAX] = "", secret[CLIENT_SECRET_MAX] = "", why[200] = "";
	char hash[256] = "", wrong[CLIENT_SECRET_MAX + 2];
	struct client cl;
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_clients", master), 0);
	CHECK_EQ_INT(clients_add(f.db, f.seal, &cn, NOW, id, secret, why,
	    sizeof(why)), 0);
	CHECK(strncmp(id, "c_", 2) == 0 && strlen(id) > 10);
	CHECK(strlen(secret) >= 32);
	CHECK_EQ_INT(count_clients(&f), 1);

	memset(&cl, 0, sizeof(cl));
	CHECK_EQ_INT(auth(&f, id, secret, &cl), 0);
	CHECK_STR(cl.client_id, id);
	CHECK_STR(cl.name, "Population registry");
	CHECK_EQ_INT(cl.kind, CLIENT_REGISTRY);
	CHECK_STR(cl.scope, "openid");
	CHECK_STR(cl.id_token_alg, "RS256");
	CHECK_STR(cl.redirect_uris, "[]");
	CHECK_EQ_INT(cl.created_at, NOW);

	/* Wrong secret (one character off, a prefix, longer), wrong id, empty. */
	snprintf(wrong, sizeof(wrong), "%s", secret);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	CHECK_EQ_INT(auth(&f, id, wrong, &cl), -1);
	snprintf(wrong, sizeof(wrong), "%.*s", (int)strlen(secret) - 1, secret);
	CHECK_EQ_INT(auth(&f, id, wrong, &cl), -1);
	snprintf(wrong, sizeof(wrong), "%sx", secret);
	CHECK_EQ_INT(auth(&f, id, wrong, &cl), -1);
	CHECK_EQ_INT(auth(&f, id, "", &cl), -1);
	CHECK_EQ_INT(auth(&f, "c_nobody", secret, &cl), -1);
	CHECK_EQ_INT(auth(&f, "", secret, &cl), -1);
	CHECK_EQ_INT(auth(&f, id, NULL, &cl), -1);
	CHECK_EQ_INT(auth(&f, NULL, secret, &cl), -1);
	/* The id is not a secret: the secret alone does not pass as an id. */
	CHECK_EQ_INT(auth(&f, secret, id, &cl), -1);

	/* Stored as a keyed hash, not the secret. */
	CHECK_EQ_INT(stored_hash(&f, id, hash, sizeof(hash)), 0);
	CHECK(strcmp(hash, secret) != 0);
	CHECK(!contains(hash, secret));
	CHECK_EQ_INT(strlen(hash), 64);

	/* Under another master key the secret does not authenticate. */
	{
		static const uint8_t other_key[32] = { 1 };
		struct seal *other = NULL;
		struct db_conn *c = db_acquire(f.db);
		CHECK_EQ_INT(seal_from_key(other_key, &other), SEAL_OK);
		CHECK(c != NULL);
		if (c != NULL) {
			CHECK_EQ_INT(clients_authenticate(c, other, id, secret, &cl), -1);
			db_release(f.db, c);
		}
		seal_free(other);
	}

	/* A disabled client no longer authenticates. */
	CHECK_EQ_INT(fixture_exec(&f, "UPDATE clients SET disabled = 1"), 0);
	CHECK_EQ_INT(auth(&f, id, secret, &cl), -1);
	fixture_close(&f);
}

TEST(two_clients_have_distinct_credentials)
{
	struct client_new cn = { .name = "Airport", .kind = CLIENT_AIRPORT };
	char id1[CLIENT_ID_MAX], s1[CLIENT_SECRET_MAX], id2[CLIENT_ID_MAX],
	    s2[CLIENT_SECRET_MAX], why[200];
	struct client cl;
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_clients", master), 0);
	CHECK_EQ_INT(clients_add(f.db, f.seal, &cn, NOW, id1, s1, why, sizeof(why)), 0);
	CHECK_EQ_INT(clients_add(f.db, f.seal, &cn, NOW, id2, s2, why, sizeof(why)), 0);
	CHECK(strcmp(id1, id2) != 0);
	CHECK(strcmp(s1, s2) != 0);
	CHECK_EQ_INT(auth(&f, id1, s1, &cl), 0);
	CHECK_EQ_INT(cl.kind, CLIENT_AIRPORT);
	CHECK_EQ_INT(auth(&f, id2, s2, &cl), 0);
	CHECK_EQ_INT(auth(&f, id1, s2, &cl), -1);
	CHECK_EQ_INT(auth(&f, id2, s1, &cl), -1);
	fixture_close(&f);
}

TEST(redirect_uri_rules)
{
	static const struct {
		const char *uri;
		int ok;
	} cases[] = {
		{ "https://portal.example.vn/callback", 1 },
		{ "https://portal.example.vn", 1 },
		{ "https://portal.example.vn:8443/cb?x=1&y=2", 1 },
		{ "http://localhost", 1 },
		{ "http://localhost/cb", 1 },
		{ "http://localhost:3000/cb", 1 },
		{ "http://127.0.0.1:8080/cb", 1 },
		{ "http://127.0.0.1/cb", 1 },
		{ "http://[::1]:8080/cb", 1 },
		{ "http://example.com", 0 },
		{ "http://example.com/cb", 0 },
		{ "http://10.0.0.1/cb", 0 },
		{ "http://localhost.example.com/cb", 0 },
		{ "http://localhostx/cb", 0 },
		{ "http://127.0.0.1.example.com/cb", 0 },
		{ "http://127.evil.example/cb", 0 },
		{ "http://localhost@example.com/cb", 0 },
		{ "https://portal.example.vn/cb#frag", 0 },
		{ "https://portal.example.vn/cb#", 0 },
		{ "http://localhost/cb#x", 0 },
		{ "/callback", 0 },
		{ "callback", 0 },
		{ "//portal.example.vn/cb", 0 },
		{ "portal.example.vn/cb", 0 },
		{ "", 0 },
		{ "https://user@portal.example.vn/cb", 0 },
		{ "https://user:pass@portal.example.vn/cb", 0 },
		{ "https://portal.example.vn@evil.example/cb", 0 },
		{ "https://portal example.vn/cb", 0 },
		{ "https://portal.example.vn/c b", 0 },
		{ " https://portal.example.vn/cb", 0 },
		{ "https://portal.example.vn/cb ", 0 },
		{ "https://portal.example.vn/\tcb", 0 },
		{ "https://portal.example.vn/\ncb", 0 },
		{ "https://c\xe1\xbb\x95ng.vn/cb", 0 },
		{ "https://", 0 },
		{ "https:///cb", 0 },
		{ "https://:443/cb", 0 },
		{ "HTTPS://portal.example.vn/cb", 0 },
		{ "ftp://portal.example.vn/cb", 0 },
		{ "javascript:alert(1)", 0 },
		{ "dinhdanh://login", 0 },
		{ "data:text/html,x", 0 },
	};
	char why[200];

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int rc;
		why[0] = '\0';
		rc = client_redirect_uri_check(cases[i].uri, why, sizeof(why));
		if ((rc == 0) != (cases[i].ok == 1))
			fprintf(stderr, "  \"%s\": rc %d (%s)\n", cases[i].uri, rc, why);
		CHECK_EQ_INT(rc, cases[i].ok ? 0 : -1);
		if (!cases[i].ok)
			CHECK(why[0] != '\0');
	}
	{
		char long_uri[1100];
		memset(long_uri, 'a', sizeof(long_uri) - 1);
		memcpy(long_uri, "https://x.vn/", 13);
		long_uri[1024] = '\0';
		CHECK_EQ_INT(client_redirect_uri_check(long_uri, why, sizeof(why)), 0);
		long_uri[1024] = 'a';
		long_uri[1025] = '\0';
		CHECK_EQ_INT(client_redirect_uri_check(long_uri, why, sizeof(why)), -1);
	}
}

TEST(refused_registrations)
{
	static const char *const good_uri[] = { "https://portal.example.vn/cb" };
	static const char *const frag_uri[] = { "https://portal.example.vn/cb#x" };
	static const char *const http_uri[] = { "http://portal.example.vn/cb" };
	static const char *const mixed[] = { "https://portal.example.vn/cb",
	    "portal.example.vn/cb" };
	static const struct {
		struct client_new cn;
		const char *why;
	} bad[] = {
		{ { .name = "Portal", .kind = CLIENT_PORTAL }, "redirect" },
		{ { .name = "Portal", .kind = CLIENT_PORTAL, .redirect_uris = frag_uri,
		    .nredirect = 1 }, "fragment" },
		{ { .name = "Portal", .kind = CLIENT_PORTAL, .redirect_uris = http_uri,
		    .nredirect = 1 }, "loopback" },
		{ { .name = "Portal", .kind = CLIENT_PORTAL, .redirect_uris = mixed,
		    .nredirect = 2 }, "redirect URI" },
		{ { .name = "Portal", .kind = CLIENT_PORTAL, .redirect_uris = good_uri,
		    .nredirect = 1, .post_logout_uris = frag_uri, .npost_logout = 1 },
		    "fragment" },
		{ { .name = "Portal", .kind = CLIENT_PORTAL, .redirect_uris = good_uri,
		    .nredirect = 1, .id_token_alg = "HS256" }, "algorithm" },
		{ { .name = "Portal", .kind = CLIENT_PORTAL, .redirect_uris = good_uri,
		    .nredirect = 1, .id_token_alg = "none" }, "algorithm" },
		{ { .name = "Portal", .kind = CLIENT_PORTAL, .redirect_uris = good_uri,
		    .nredirect = 1, .id_token_alg = "" }, "algorithm" },
		{ { .name = "Portal", .kind = CLIENT_PORTAL, .redirect_uris = good_uri,
		    .nredirect = 1, .id_token_alg = "rs256" }, "algorithm" },
		{ { .name = "Airport", .kind = CLIENT_AIRPORT, .id_token_alg = "RS512" },
		    "algorithm" },
		{ { .name = "", .kind = CLIENT_REGISTRY }, "name" },
		{ { .name = NULL, .kind = CLIENT_REGISTRY }, "name" },
	};
	char id[CLIENT_ID_MAX], secret[CLIENT_SECRET_MAX], why[200];
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_clients", master), 0);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		int rc;
		why[0] = '\0';
		rc = clients_add(f.db, f.seal, &bad[i].cn, NOW, id, secret, why,
		    sizeof(why));
		if (rc == 0 || !contains(why, bad[i].why))
			fprintf(stderr, "  case %zu: rc %d \"%s\"\n", i, rc, why);
		CHECK(rc != 0);
		CHECK(contains(why, bad[i].why));
	}
	CHECK_EQ_INT(count_clients(&f), 0);
	fixture_close(&f);
}

TEST(algorithms_accepted)
{
	static const char *const uris[] = { "https://portal.example.vn/cb",
	    "http://localhost:8081/cb" };
	static const char *const algs[] = { "RS256", "EdDSA", "ES256" };
	char id[CLIENT_ID_MAX], secret[CLIENT_SECRET_MAX], why[200];
	struct client cl;
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_clients", master), 0);
	for (size_t i = 0; i < ARRAY_LEN(algs); i++) {
		struct client_new cn = { .name = "Portal", .kind = CLIENT_PORTAL,
		    .redirect_uris = uris, .nredirect = 2, .post_logout_uris = uris,
		    .npost_logout = 1, .scope = "openid profile", .id_token_alg = algs[i] };
		CHECK_EQ_INT(clients_add(f.db, f.seal, &cn, NOW, id, secret, why,
		    sizeof(why)), 0);
		CHECK_EQ_INT(auth(&f, id, secret, &cl), 0);
		CHECK_STR(cl.id_token_alg, algs[i]);
		CHECK_STR(cl.scope, "openid profile");
		CHECK_EQ_INT(cl.kind, CLIENT_PORTAL);
		CHECK_STR(cl.redirect_uris, "[\"https://portal.example.vn/cb\","
		    "\"http://localhost:8081/cb\"]");
		CHECK_STR(cl.post_logout_uris, "[\"https://portal.example.vn/cb\"]");
	}
	CHECK_EQ_INT(count_clients(&f), 3);
	fixture_close(&f);
}

TEST(kind_names)
{
	static const char *const names[] = { "portal", "airport", "registry" };
	enum client_kind k;

	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		CHECK_EQ_INT(client_kind_parse(names[i], &k), 0);
		CHECK_EQ_INT(k, i);
		CHECK_STR(client_kind_name(k), names[i]);
	}
	CHECK_EQ_INT(client_kind_parse("Portal", &k), -1);
	CHECK_EQ_INT(client_kind_parse("", &k), -1);
	CHECK_EQ_INT(client_kind_parse(NULL, &k), -1);
	CHECK_STR(client_kind_name((enum client_kind)3), "unknown");
}

struct seen {
	size_t n;
	char names[8][128];
	enum client_kind kinds[8];
	int64_t created[8];
};

static void
collect(const struct client *c, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", c->name);
		s->kinds[s->n] = c->kind;
		s->created[s->n] = c->created_at;
	}
	s->n++;
}

TEST(foreach_in_order)
{
	static const char *const uris[] = { "https://portal.example.vn/cb" };
	static const struct {
		const char *name;
		enum client_kind kind;
		int64_t at;
	} add[] = {
		{ "third", CLIENT_REGISTRY, NOW + 300 },
		{ "first", CLIENT_PORTAL, NOW + 100 },
		{ "second", CLIENT_AIRPORT, NOW + 200 },
		{ "fourth", CLIENT_PORTAL, NOW + 400 },
	};
	static const char *const order[] = { "first", "second", "third", "fourth" };
	char id[CLIENT_ID_MAX], secret[CLIENT_SECRET_MAX], why[200];
	struct seen s;
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_clients", master), 0);
	memset(&s, 0, sizeof(s));
	CHECK_EQ_INT(clients_foreach(f.db, collect, &s), DB_OK);
	CHECK_EQ_INT(s.n, 0);
	for (size_t i = 0; i < ARRAY_LEN(add); i++) {
		struct client_new cn = { .name = add[i].name, .kind = add[i].kind,
		    .redirect_uris = uris, .nredirect = add[i].kind == CLIENT_PORTAL };
		CHECK_EQ_INT(clients_add(f.db, f.seal, &cn, add[i].at, id, secret,
		    why, sizeof(why)), 0);
	}
	memset(&s, 0, sizeof(s));
	CHECK_EQ_INT(clients_foreach(f.db, collect, &s), DB_OK);
	CHECK_EQ_INT(s.n, 4);
	for (size_t i = 0; i < ARRAY_LEN(order) && i < s.n; i++) {
		CHECK_STR(s.names[i], order[i]);
		CHECK_EQ_INT(s.created[i], NOW + 100 * (int64_t)(i + 1));
	}
	CHECK_EQ_INT(s.kinds[0], CLIENT_PORTAL);
	CHECK_EQ_INT(s.kinds[1], CLIENT_AIRPORT);
	CHECK_EQ_INT(s.kinds[2], CLIENT_REGISTRY);
	fixture_close(&f);
}

TEST(set_uris_replaces)
{
	static const char *const old[] = { "https://portal.example.vn/cb" };
	static const char *const cb[] = { "http://127.0.0.1:8081/callback" };
	static const char *const out[] = { "http://127.0.0.1:8081/" };
	static const char *const bad[] = { "http://portal.example.vn/cb" };
	struct client_new cn = { .name = "Portal", .kind = CLIENT_PORTAL,
	    .redirect_uris = old, .nredirect = 1 };
	struct client_new rn = { .name = "Registry", .kind = CLIENT_REGISTRY };
	char id[CLIENT_ID_MAX], rid[CLIENT_ID_MAX], secret[CLIENT_SECRET_MAX],
	    why[200] = "";
	struct client cl;
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_clients", master), 0);
	CHECK_EQ_INT(clients_add(f.db, f.seal, &cn, NOW, id, secret, why,
	    sizeof(why)), 0);
	CHECK_EQ_INT(clients_set_uris(f.db, id, cb, 1, out, 1, why, sizeof(why)), DB_OK);
	CHECK_EQ_INT(auth(&f, id, secret, &cl), 0);
	CHECK(client_redirect_registered(&cl, cb[0]));
	CHECK(!client_redirect_registered(&cl, old[0]));
	CHECK(client_post_logout_registered(&cl, out[0]));
	CHECK_STR(cl.redirect_uris, "[\"http://127.0.0.1:8081/callback\"]");

	/* Bad URIs, a portal left without one, an unknown client: unchanged. */
	CHECK_EQ_INT(clients_set_uris(f.db, id, bad, 1, out, 1, why, sizeof(why)), -1);
	CHECK(contains(why, "loopback"));
	CHECK_EQ_INT(clients_set_uris(f.db, id, cb, 1, bad, 1, why, sizeof(why)), -1);
	CHECK_EQ_INT(clients_set_uris(f.db, id, NULL, 0, out, 1, why, sizeof(why)), -1);
	CHECK(contains(why, "redirect URI"));
	CHECK_EQ_INT(clients_set_uris(f.db, "c_nobody", cb, 1, out, 1, why,
	    sizeof(why)), CLIENT_NOT_FOUND);
	CHECK_EQ_INT(auth(&f, id, secret, &cl), 0);
	CHECK_STR(cl.redirect_uris, "[\"http://127.0.0.1:8081/callback\"]");

	/* Other kinds may have none. */
	CHECK_EQ_INT(clients_add(f.db, f.seal, &rn, NOW, rid, secret, why,
	    sizeof(why)), 0);
	CHECK_EQ_INT(clients_set_uris(f.db, rid, NULL, 0, NULL, 0, why, sizeof(why)),
	    DB_OK);
	fixture_close(&f);
}

T_MAIN(T(registry_client_authenticates), T(two_clients_have_distinct_credentials),
    T(redirect_uri_rules), T(refused_registrations), T(algorithms_accepted),
    T(kind_names), T(foreach_in_order), T(set_uris_replaces))
