/*
 * test_devices: binding devices under the per-account limit, listing and
 * revoking them, and the check of a device-signed request: the right
 * signature; each signed field altered; stale timestamps both ways; a
 * replayed nonce; revoked, unknown and locked-account devices; malformed
 * headers.
 */
#include "t.h"
#include "fixture.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "b64.h"
#include "db.h"
#include "devices.h"

#define NOW INT64_C(1800000000)
#define PID_AN "001090000001"
#define PID_BINH "079195000002"
#define ROW_AN PID_AN ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define ROW_BINH PID_BINH ",Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh," \
	"1995-11-02,female,Vi\xe1\xbb\x87t Nam,H\xe1\xbb\x93 Ch\xc3\xad Minh," \
	"Qu\xe1\xba\xadn 1,079195000002,2020-01-15,2035-11-02,living\n"
#define ACC_A "acc-an"
#define ACC_B "acc-binh"
#define NONCE "bm9uY2Utbm9uY2Utbm9uY2U"

struct key {
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	char pk64[48];
	char id[DEV_ID_SIZE];
};

struct ctx {
	struct fixture f;
	struct db_conn *c;
};

static int
open_ctx(struct ctx *x)
{
	x->c = NULL;
	if (fixture_open(&x->f, "test_devices") != 0 ||
	    fixture_import(&x->f, ROW_AN ROW_BINH, NOW - 86400 * 365) != 2 ||
	    fixture_exec(&x->f, "INSERT INTO accounts (account_id, personal_id, "
	    "level, phone, password_hash, status, created_at) VALUES "
	    "('" ACC_A "', '" PID_AN "', 2, '+84912345678', 'x', 'active', 0), "
	    "('" ACC_B "', '" PID_BINH "', 2, '+84987654321', 'x', 'active', 0)")
	    != 0)
		return -1;
	x->c = db_acquire(x->f.db);
	return x->c != NULL ? 0 : -1;
}

static void
close_ctx(struct ctx *x)
{
	if (x->c != NULL)
		db_release(x->f.db, x->c);
	fixture_close(&x->f);
}

/*
 * 0 when the audit log holds exactly "device_added" then "device_revoked",
 * both about a citizen and with a subject, and verifies.
 */
static int
audited(struct ctx *x)
{
	char reason[128];
	int64_t n = 0, bad = 0;

	if (fixture_count(&x->f, "SELECT count(*) FROM audit_log") != 2 ||
	    fixture_count(&x->f, "SELECT count(*) FROM audit_log WHERE "
	    "(seq = 1 AND event = 'device_added' OR seq = 2 AND event = "
	    "'device_revoked') AND subject <> '' AND actor LIKE 'citizen:%' AND "
	    "details LIKE '%device_id%'") != 2)
		return -1;
	if (audit_verify(x->f.db, &n, &bad, reason, sizeof(reason)) != DB_OK)
		return -1;
	return n == 2 ? 0 : -1;
}

static void
new_key(struct key *k)
{
	memset(k, 0, sizeof(*k));
	crypto_sign_keypair(k->pk, k->sk);
	(void)b64_encode(k->pk64, sizeof(k->pk64), k->pk, sizeof(k->pk));
}

/* Binds k to acc as of NOW: the devices_add result. */
static int
bind(struct ctx *x, struct key *k, const char *acc, unsigned limit)
{
	return devices_add(x->c, x->f.seal, acc, "Điện thoại", k->pk64, limit, NOW, k->id);
}

/*
 * The Authorization header of k signing (method, path, body, ts, nonce),
 * written with the header's id/ts/nonce from hdr_* (NULL: the signed ones).
 */
static void
header(const struct key *k, const char *method, const char *path,
    const char *body, int64_t ts, const char *nonce, const char *hdr_ts,
    const char *hdr_nonce, char *out, size_t outsz)
{
	uint8_t sig[crypto_sign_BYTES];
	char tss[24], sig64[96], *msg;

	snprintf(tss, sizeof(tss), "%lld", (long long)ts);
	msg = devices_signing_input(method, path, body, strlen(body), tss, nonce);
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, strlen(msg), k->sk);
	free(msg);
	(void)b64_encode(sig64, sizeof(sig64), sig, sizeof(sig));
	snprintf(out, outsz, "Device id=\"%s\", ts=\"%s\", nonce=\"%s\", sig=\"%s\"",
	    k->id, hdr_ts != NULL ? hdr_ts : tss, hdr_nonce != NULL ? hdr_nonce :
	    nonce, sig64);
}

static int
auth(struct ctx *x, const char *h, const char *method, const char *path,
    const char *body, int64_t now, struct device *d)
{
	return devices_authenticate(x->f.db, h, method, path, body, strlen(body),
	    now, d);
}

TEST(test_right_signature)
{
	struct ctx x;
	struct key k;
	struct device d;
	char h[512];

	CHECK(open_ctx(&x) == 0);
	new_key(&k);
	CHECK_EQ_INT(bind(&x, &k, ACC_A, 3), DB_OK);
	CHECK_EQ_INT(strlen(k.id), DEV_ID_SIZE - 1);
	header(&k, "POST", "/v1/x?a=1", "{\"a\":1}", NOW + 5, NONCE, NULL, NULL,
	    h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "POST", "/v1/x?a=1", "{\"a\":1}", NOW + 10, &d), DB_OK);
	CHECK_STR(d.device_id, k.id);
	CHECK_STR(d.account_id, ACC_A);
	CHECK_STR(d.public_key, k.pk64);
	CHECK_STR(d.name, "Điện thoại");
	CHECK_EQ_INT(d.last_used_at, NOW + 10);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT last_used_at FROM devices"), NOW + 10);
	/* An empty body, the same way. */
	header(&k, "GET", "/v1/devices", "", NOW, "another-nonce-123", NULL, NULL,
	    h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "GET", "/v1/devices", "", NOW, &d), DB_OK);
	close_ctx(&x);
}

TEST(test_altered_fields_refused)
{
	struct ctx x;
	struct key k;
	struct device d;
	char h[512];

	CHECK(open_ctx(&x) == 0);
	new_key(&k);
	CHECK_EQ_INT(bind(&x, &k, ACC_A, 3), DB_OK);
	header(&k, "POST", "/v1/x?a=1", "{\"a\":1}", NOW, NONCE, NULL, NULL,
	    h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "PUT", "/v1/x?a=1", "{\"a\":1}", NOW, &d),
	    DEV_BAD_SIGNATURE);
	CHECK_EQ_INT(auth(&x, h, "POST", "/v1/y?a=1", "{\"a\":1}", NOW, &d),
	    DEV_BAD_SIGNATURE);
	CHECK_EQ_INT(auth(&x, h, "POST", "/v1/x?a=2", "{\"a\":1}", NOW, &d),
	    DEV_BAD_SIGNATURE);
	CHECK_EQ_INT(auth(&x, h, "POST", "/v1/x", "{\"a\":1}", NOW, &d),
	    DEV_BAD_SIGNATURE);
	CHECK_EQ_INT(auth(&x, h, "POST", "/v1/x?a=1", "{\"a\":2}", NOW, &d),
	    DEV_BAD_SIGNATURE);
	CHECK_STR(d.device_id, "");
	/* The header's ts or nonce differing from the signed ones. */
	header(&k, "POST", "/v1/x", "", NOW, NONCE, "1800000001", NULL, h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "POST", "/v1/x", "", NOW, &d), DEV_BAD_SIGNATURE);
	header(&k, "POST", "/v1/x", "", NOW, NONCE, NULL, NONCE "x", h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "POST", "/v1/x", "", NOW, &d), DEV_BAD_SIGNATURE);
	/* Refusals recorded no nonce: the genuine request still passes. */
	header(&k, "POST", "/v1/x?a=1", "{\"a\":1}", NOW, NONCE, NULL, NULL,
	    h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "POST", "/v1/x?a=1", "{\"a\":1}", NOW, &d), DB_OK);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT last_used_at FROM devices"), NOW);
	close_ctx(&x);
}

TEST(test_stale_both_ways)
{
	struct ctx x;
	struct key k;
	struct device d;
	char h[512];

	CHECK(open_ctx(&x) == 0);
	new_key(&k);
	CHECK_EQ_INT(bind(&x, &k, ACC_A, 3), DB_OK);
	header(&k, "GET", "/v1/devices", "", NOW - DEV_SKEW - 1, NONCE, NULL, NULL,
	    h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "GET", "/v1/devices", "", NOW, &d), DEV_STALE);
	header(&k, "GET", "/v1/devices", "", NOW + DEV_SKEW + 1, NONCE, NULL, NULL,
	    h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "GET", "/v1/devices", "", NOW, &d), DEV_STALE);
	header(&k, "GET", "/v1/devices", "", NOW - DEV_SKEW, NONCE, NULL, NULL,
	    h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "GET", "/v1/devices", "", NOW, &d), DB_OK);
	header(&k, "GET", "/v1/devices", "", NOW + DEV_SKEW, NONCE "2", NULL, NULL,
	    h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "GET", "/v1/devices", "", NOW, &d), DB_OK);
	close_ctx(&x);
}

TEST(test_replay_refused)
{
	struct ctx x;
	struct key k, k2;
	struct device d;
	char h[512], h2[512];

	CHECK(open_ctx(&x) == 0);
	new_key(&k);
	new_key(&k2);
	CHECK_EQ_INT(bind(&x, &k, ACC_A, 3), DB_OK);
	CHECK_EQ_INT(bind(&x, &k2, ACC_A, 3), DB_OK);
	header(&k, "POST", "/v1/x", "{}", NOW, NONCE, NULL, NULL, h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "POST", "/v1/x", "{}", NOW, &d), DB_OK);
	CHECK_EQ_INT(auth(&x, h, "POST", "/v1/x", "{}", NOW, &d), DEV_REPLAY);
	CHECK_EQ_INT(auth(&x, h, "POST", "/v1/x", "{}", NOW + DEV_SKEW, &d), DEV_REPLAY);
	/* Nonces are per device. */
	header(&k2, "POST", "/v1/x", "{}", NOW, NONCE, NULL, NULL, h2, sizeof(h2));
	CHECK_EQ_INT(auth(&x, h2, "POST", "/v1/x", "{}", NOW, &d), DB_OK);
	/* Kept 2 * DEV_SKEW, then pruned; by then the ts is stale anyway. */
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM device_nonces"), 2);
	CHECK_EQ_INT(devices_prune_nonces(x.c, NOW + 2 * DEV_SKEW + 1), DB_OK);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM device_nonces"), 0);
	CHECK_EQ_INT(auth(&x, h, "POST", "/v1/x", "{}", NOW + 2 * DEV_SKEW + 1, &d),
	    DEV_STALE);
	close_ctx(&x);
}

TEST(test_revoked_unknown_locked)
{
	struct ctx x;
	struct key k, stranger;
	struct device d;
	char h[512];

	CHECK(open_ctx(&x) == 0);
	new_key(&k);
	new_key(&stranger);
	CHECK_EQ_INT(bind(&x, &k, ACC_A, 3), DB_OK);
	/* Unknown: a well-formed id no device has. */
	snprintf(stranger.id, sizeof(stranger.id), "%s",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	header(&stranger, "GET", "/v1/devices", "", NOW, NONCE, NULL, NULL, h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "GET", "/v1/devices", "", NOW, &d), DEV_NOT_FOUND);
	/* Another key claiming k's id. */
	snprintf(stranger.id, sizeof(stranger.id), "%s", k.id);
	header(&stranger, "GET", "/v1/devices", "", NOW, NONCE, NULL, NULL, h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "GET", "/v1/devices", "", NOW, &d), DEV_BAD_SIGNATURE);
	/* Another account cannot revoke it; its own can, at once. */
	CHECK_EQ_INT(devices_revoke(x.c, x.f.seal, ACC_B, k.id, NOW), DEV_NOT_FOUND);
	CHECK_EQ_INT(devices_revoke(x.c, x.f.seal, ACC_A, k.id, NOW), DB_OK);
	CHECK_EQ_INT(devices_revoke(x.c, x.f.seal, ACC_A, k.id, NOW + 1), DB_OK);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT revoked_at FROM devices"), NOW);
	CHECK_EQ_INT(audited(&x), 0);
	header(&k, "GET", "/v1/devices", "", NOW, NONCE, NULL, NULL, h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "GET", "/v1/devices", "", NOW, &d), DEV_REVOKED);
	/* A locked account's device fails too. */
	new_key(&k);
	CHECK_EQ_INT(bind(&x, &k, ACC_A, 3), DB_OK);
	CHECK(fixture_exec(&x.f, "UPDATE accounts SET status = 'locked'") == 0);
	header(&k, "GET", "/v1/devices", "", NOW, NONCE, NULL, NULL, h, sizeof(h));
	CHECK_EQ_INT(auth(&x, h, "GET", "/v1/devices", "", NOW, &d), DEV_REVOKED);
	close_ctx(&x);
}

TEST(test_malformed_headers)
{
	static const char *const bad[] = {
		"", "Device", "Device ", "Bearer abc",
		"Device id=\"%s\", ts=\"%s\", nonce=\"" NONCE "\"",
		"Device id=\"%s\", ts=\"%s\", nonce=\"" NONCE "\", sig=\"%s\", sig=\"%s\"",
		"Device id=\"%s\", ts=\"%s\", nonce=\"short\", sig=\"%s\"",
		"Device id=\"%s\", ts=\"%s\", nonce=\"" NONCE "\", sig=\"%s\", x=\"1\"",
		"Device id=\"%s\", ts=\"%s\", nonce=\"" NONCE "\", sig=\"%s\" trailing",
		"Device id=\"%s\", ts=\"1e9%s\", nonce=\"" NONCE "\", sig=\"%s\"",
		"Device id=\"%s\" ts=\"%s\" nonce=\"" NONCE "\" sig=\"%s\"",
		"Device id=%s, ts=\"%s\", nonce=\"" NONCE "\", sig=\"%s\"",
		"Device id=\"%s\", ts=\"%s\", nonce=\"" NONCE "+/\", sig=\"%s\"",
	};
	struct ctx x;
	struct key k;
	struct device d;
	char good[512], sig[100], tss[24] = "1800000000", h[1024];
	const char *p;

	CHECK(open_ctx(&x) == 0);
	new_key(&k);
	CHECK_EQ_INT(bind(&x, &k, ACC_A, 3), DB_OK);
	header(&k, "GET", "/v1/devices", "", NOW, NONCE, NULL, NULL, good, sizeof(good));
	p = strstr(good, "sig=\"") + 5;
	snprintf(sig, sizeof(sig), "%.*s", (int)(strchr(p, '"') - p), p);
	CHECK_EQ_INT(devices_authenticate(x.f.db, NULL, "GET", "/v1/devices", "", 0,
	    NOW, &d), DEV_BAD_SIGNATURE);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(h, sizeof(h), bad[i], k.id, tss, sig, sig);
		if (auth(&x, h, "GET", "/v1/devices", "", NOW, &d) != DEV_BAD_SIGNATURE) {
			fprintf(stderr, "accepted: %s\n", h);
			CHECK(0);
		}
	}
	/* Scheme in any case, spaces around commas: still the genuine one. */
	memcpy(good, "dEVICE", 6);
	CHECK_EQ_INT(auth(&x, good, "GET", "/v1/devices", "", NOW, &d), DB_OK);
	close_ctx(&x);
}

static void
count_row(const struct device_row *row, void *arg)
{
	int *n = arg;

	(*n)++;
	if (row->revoked_at != 0)
		*n += 100;
}

TEST(test_limit_and_list)
{
	struct ctx x;
	struct key k[5];
	unsigned n = 0;
	int rows = 0;
	char id[DEV_ID_SIZE];

	CHECK(open_ctx(&x) == 0);
	for (size_t i = 0; i < ARRAY_LEN(k); i++)
		new_key(&k[i]);
	CHECK_EQ_INT(bind(&x, &k[0], ACC_A, DEV_MAX_DEFAULT), DB_OK);
	CHECK_EQ_INT(bind(&x, &k[1], ACC_A, DEV_MAX_DEFAULT), DB_OK);
	CHECK_EQ_INT(bind(&x, &k[2], ACC_A, DEV_MAX_DEFAULT), DB_OK);
	CHECK_EQ_INT(bind(&x, &k[3], ACC_A, DEV_MAX_DEFAULT), DEV_LIMIT);
	CHECK_EQ_INT(devices_count(x.c, ACC_A, &n), DB_OK);
	CHECK_EQ_INT(n, 3);
	/* The limit is per account; a revoked device frees its place. */
	CHECK_EQ_INT(bind(&x, &k[3], ACC_B, DEV_MAX_DEFAULT), DB_OK);
	CHECK_EQ_INT(devices_revoke(x.c, x.f.seal, ACC_A, k[1].id, NOW), DB_OK);
	CHECK_EQ_INT(bind(&x, &k[4], ACC_A, DEV_MAX_DEFAULT), DB_OK);
	CHECK_EQ_INT(devices_foreach(x.c, ACC_A, false, count_row, &rows), DB_OK);
	CHECK_EQ_INT(rows, 3);
	rows = 0;
	CHECK_EQ_INT(devices_foreach(x.c, ACC_A, true, count_row, &rows), DB_OK);
	CHECK_EQ_INT(rows, 104);
	/* A key binds once; keys and names are checked. */
	CHECK_EQ_INT(devices_add(x.c, x.f.seal, ACC_B, "x", k[0].pk64, 9, NOW, id), DEV_KEY_IN_USE);
	CHECK_EQ_INT(devices_add(x.c, x.f.seal, ACC_B, "x", "not-a-key", 9, NOW, id), DEV_BAD_KEY);
	CHECK_EQ_INT(devices_add(x.c, x.f.seal, ACC_B, "x",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 9, NOW, id), DEV_BAD_KEY);
	new_key(&k[0]);
	CHECK_EQ_INT(devices_add(x.c, x.f.seal, ACC_B, "", k[0].pk64, 9, NOW, id), DEV_BAD_KEY);
	CHECK_EQ_INT(devices_add(x.c, x.f.seal, ACC_B, "a\nb", k[0].pk64, 9, NOW, id), DEV_BAD_KEY);
	CHECK_EQ_INT(devices_add(x.c, x.f.seal, ACC_B, "\xff", k[0].pk64, 9, NOW, id), DEV_BAD_KEY);
	close_ctx(&x);
}

T_MAIN(T(test_right_signature), T(test_altered_fields_refused),
    T(test_stale_both_ways), T(test_replay_refused),
    T(test_revoked_unknown_locked), T(test_malformed_headers),
    T(test_limit_and_list))
