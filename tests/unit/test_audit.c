/*
 * test_audit: unit tests for audit: appended entries verify; a changed,
 * deleted, reordered or forged row is named; a checkpoint with a forged
 * signature is refused; the personal ID never appears, only its pseudonym.
 */
#include "t.h"
#include "fixture.h"

#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "jws.h"
#include "seal.h"

#define NOW INT64_C(1800000000)
#define PID "001090000001"

/* Appends n entries, each in its own transaction; 0 or -1. */
static int
append_n(struct fixture *f, int n)
{
	struct db_conn *c = db_acquire(f->db);
	int rc = c != NULL ? DB_OK : DB_ERR;

	for (int i = 0; i < n && rc == DB_OK; i++) {
		json_t *d = json_pack("{s:i}", "i", i);

		if ((rc = db_begin(c)) != DB_OK)
			break;
		rc = audit_append(c, f->seal, i % 2 ? "login_success" : "login_failure",
		    "citizen", PID, d, NOW + i);
		if (rc == DB_OK)
			rc = db_commit(c);
		else
			db_rollback(c);
		json_decref(d);
	}
	if (c != NULL)
		db_release(f->db, c);
	return rc == DB_OK ? 0 : -1;
}

/* audit_verify's answer; *bad the entry it names. */
static int
verify(struct fixture *f, int64_t *n, int64_t *bad)
{
	char reason[256];

	return audit_verify(f->db, n, bad, reason, sizeof(reason));
}

TEST(append_and_verify)
{
	struct fixture f;
	int64_t n = -1, bad = -1, seq = 0;

	CHECK(fixture_open(&f, "test_audit") == 0);
	CHECK_EQ_INT(verify(&f, &n, &bad), DB_OK);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(audit_checkpoint(f.db, f.seal, NOW, &seq), DB_OK);
	CHECK_EQ_INT(seq, 0);
	CHECK(append_n(&f, 5) == 0);
	CHECK_EQ_INT(verify(&f, &n, &bad), DB_OK);
	CHECK_EQ_INT(n, 5);
	CHECK_EQ_INT(audit_checkpoint(f.db, f.seal, NOW + 10, &seq), DB_OK);
	CHECK_EQ_INT(seq, 5);
	CHECK(append_n(&f, 2) == 0);
	CHECK_EQ_INT(verify(&f, &n, &bad), DB_OK);
	CHECK_EQ_INT(n, 7);
	fixture_close(&f);
}

/* Five entries, `sql` run over them, then the entry verify names (or 0). */
static int64_t
tampered(const char *sql)
{
	struct fixture f;
	int64_t n = 0, bad = 0;
	int rc = -1;

	if (fixture_open(&f, "test_audit") == 0 && append_n(&f, 5) == 0 &&
	    fixture_exec(&f, sql) == 0)
		rc = verify(&f, &n, &bad);
	fixture_close(&f);
	return rc == 1 ? bad : -rc;
}

TEST(tampering_named)
{
	CHECK_EQ_INT(tampered("UPDATE audit_log SET details = '{\"i\":9}' "
	    "WHERE seq = 3"), 3);
	CHECK_EQ_INT(tampered("UPDATE audit_log SET at = at + 1 WHERE seq = 4"), 4);
	CHECK_EQ_INT(tampered("DELETE FROM audit_log WHERE seq = 3"), 3);
	CHECK_EQ_INT(tampered("UPDATE audit_log SET seq = -2 WHERE seq = 2; "
	    "UPDATE audit_log SET seq = 2 WHERE seq = 3; "
	    "UPDATE audit_log SET seq = 3 WHERE seq = -2"), 2);
	CHECK_EQ_INT(tampered("INSERT INTO audit_log (seq, at, event, actor, "
	    "subject, details, prev_hash, hash) SELECT 6, at, event, actor, subject, "
	    "details, hash, hash FROM audit_log WHERE seq = 5"), 6);
	CHECK_EQ_INT(tampered("UPDATE audit_log SET hash = prev_hash WHERE seq = 5"), 5);
}

/* A checkpoint over entry 3 signed by a key of the same kid, not ours. */
static int
forge_checkpoint(struct fixture *f)
{
	struct jws_key *k = NULL;
	char *sig = NULL, sql[2048], kid[128], hash[AUDIT_HASH_HEX];
	struct db_conn *c = db_acquire(f->db);
	sqlite3_stmt *st;
	json_t *o = NULL;
	char *payload = NULL;
	int rc = -1;

	if (c == NULL)
		return -1;
	st = db_stmt(c, "SELECT kid FROM audit_checkpoints LIMIT 1");
	if (st == NULL || db_step(st) != 1 || db_column_text(st, 0, kid, sizeof(kid)) != 0)
		goto fail;
	sqlite3_reset(st);
	st = db_stmt(c, "SELECT hash FROM audit_log WHERE seq = 3");
	if (st == NULL || db_step(st) != 1 ||
	    db_column_text(st, 0, hash, sizeof(hash)) != 0)
		goto fail;
	sqlite3_reset(st);
	if (jws_key_generate(JWS_EDDSA, kid, &k) != 0 ||
	    (o = json_pack("{s:i, s:I, s:s}", "seq", 3, "at", (json_int_t)NOW,
	    "hash", hash)) == NULL ||
	    (payload = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) == NULL ||
	    (sig = jws_sign(k, "audit-checkpoint", payload, strlen(payload))) == NULL)
		goto fail;
	snprintf(sql, sizeof(sql), "INSERT INTO audit_checkpoints VALUES "
	    "(3, %lld, '%s', '%s', '%s')", (long long)NOW, hash, sig, kid);
	rc = 0;
fail:
	db_release(f->db, c);
	if (rc == 0)
		rc = fixture_exec(f, sql);
	free(sig);
	free(payload);
	json_decref(o);
	jws_key_free(k);
	return rc;
}

TEST(forged_checkpoint_refused)
{
	struct fixture f;
	int64_t n = 0, bad = 0, seq = 0;

	CHECK(fixture_open(&f, "test_audit") == 0);
	CHECK(append_n(&f, 5) == 0);
	CHECK_EQ_INT(audit_checkpoint(f.db, f.seal, NOW, &seq), DB_OK);
	CHECK_EQ_INT(verify(&f, &n, &bad), DB_OK);
	CHECK(forge_checkpoint(&f) == 0);
	CHECK_EQ_INT(verify(&f, &n, &bad), 1);
	CHECK_EQ_INT(bad, 3);
	/* A true checkpoint over a log cut short names the lost entry. */
	CHECK(fixture_exec(&f, "DELETE FROM audit_checkpoints WHERE seq = 3") == 0);
	CHECK(fixture_exec(&f, "DELETE FROM audit_log WHERE seq = 5") == 0);
	CHECK_EQ_INT(verify(&f, &n, &bad), 1);
	CHECK_EQ_INT(bad, 5);
	fixture_close(&f);
}

TEST(pseudonym_only)
{
	struct fixture f;
	char p[AUDIT_HASH_HEX], sql[256];
	FILE *out;
	char *buf = NULL;
	size_t len = 0;

	CHECK(fixture_open(&f, "test_audit") == 0);
	CHECK(append_n(&f, 3) == 0);
	audit_pseudonym(f.seal, PID, p);
	CHECK(strstr(p, PID) == NULL);
	CHECK(strcmp(p, PID) != 0);
	CHECK_EQ_INT(fixture_count(&f, "SELECT count(*) FROM audit_log WHERE "
	    "instr(subject || actor || details || event, '" PID "') > 0"), 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_log WHERE "
	    "subject = '%s' AND actor = 'citizen:%s'", p, p);
	CHECK_EQ_INT(fixture_count(&f, sql), 3);
	CHECK((out = open_memstream(&buf, &len)) != NULL);
	CHECK_EQ_INT(audit_export(f.db, NOW + 1, out), DB_OK);
	fclose(out);
	CHECK(buf != NULL && strstr(buf, PID) == NULL);
	CHECK(buf != NULL && strstr(buf, "\"seq\":2") != NULL &&
	    strstr(buf, "\"seq\":1,") == NULL);
	free(buf);
	fixture_close(&f);
}

T_MAIN(T(append_and_verify), T(tampering_named), T(forged_checkpoint_refused),
    T(pseudonym_only))
