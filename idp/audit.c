/*
 * audit: the hash-chained audit log and its signed checkpoints.
 */
#include "audit.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jws.h"
#include "keys.h"

#define HASH_TAG "dinhdanh-audit-v1"
#define ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* The fields an entry's hash covers, as stored. */
struct entry {
	int64_t seq, at;
	const char *event, *actor, *subject, *details, *prev_hash;
};

static void
hash_field(crypto_generichash_state *st, const char *s)
{
	size_t len = strlen(s);
	uint8_t be[8];

	for (int i = 0; i < 8; i++)
		be[i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	crypto_generichash_update(st, be, sizeof(be));
	crypto_generichash_update(st, (const uint8_t *)s, len);
}

static void
entry_hash(const struct entry *e, char out[AUDIT_HASH_HEX])
{
	crypto_generichash_state st;
	uint8_t h[32];
	char seq[24], at[24];

	snprintf(seq, sizeof(seq), "%" PRId64, e->seq);
	snprintf(at, sizeof(at), "%" PRId64, e->at);
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)HASH_TAG, sizeof(HASH_TAG));
	hash_field(&st, seq);
	hash_field(&st, at);
	hash_field(&st, e->event);
	hash_field(&st, e->actor);
	hash_field(&st, e->subject);
	hash_field(&st, e->details);
	hash_field(&st, e->prev_hash);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, AUDIT_HASH_HEX, h, sizeof(h));
}

void
audit_pseudonym(const struct seal *seal, const char *personal_id,
    char out[AUDIT_HASH_HEX])
{
	uint8_t key[32], h[32];

	seal_subkey(seal, "audit-pseudonym", key);
	crypto_generichash(h, sizeof(h), (const uint8_t *)personal_id,
	    strlen(personal_id), key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	sodium_bin2hex(out, AUDIT_HASH_HEX, h, sizeof(h));
}

/* The last entry's seq and hash; 0 and ZERO_HASH for an empty log. */
static int
last_entry(struct db_conn *c, int64_t *seq, char hash[AUDIT_HASH_HEX])
{
	sqlite3_stmt *st = db_stmt(c,
	    "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
	int rc;

	*seq = 0;
	snprintf(hash, AUDIT_HASH_HEX, "%s", ZERO_HASH);
	if (st == NULL)
		return DB_ERR;
	if ((rc = db_step(st)) == 1) {
		*seq = sqlite3_column_int64(st, 0);
		rc = db_column_text(st, 1, hash, AUDIT_HASH_HEX) == 0 ? DB_OK : DB_ERR;
	}
	sqlite3_reset(st);
	return rc;
}

static int
insert_entry(struct db_conn *c, const struct entry *e, const char *hash)
{
	sqlite3_stmt *st = db_stmt(c, "INSERT INTO audit_log (seq, at, event, "
	    "actor, subject, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	int rc;

	if (st == NULL || db_bind_int64(st, 1, e->seq) != DB_OK ||
	    db_bind_int64(st, 2, e->at) != DB_OK ||
	    db_bind_text(st, 3, e->event) != DB_OK ||
	    db_bind_text(st, 4, e->actor) != DB_OK ||
	    db_bind_text(st, 5, e->subject) != DB_OK ||
	    db_bind_text(st, 6, e->details) != DB_OK ||
	    db_bind_text(st, 7, e->prev_hash) != DB_OK ||
	    db_bind_text(st, 8, hash) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	sqlite3_reset(st);
	return rc;
}

int
audit_append(struct db_conn *c, const struct seal *seal, const char *event,
    const char *actor, const char *personal_id, json_t *details, int64_t now)
{
	char prev[AUDIT_HASH_HEX], subject[AUDIT_HASH_HEX] = "", hash[AUDIT_HASH_HEX];
	char who[32 + AUDIT_HASH_HEX];
	char *text = NULL;
	struct entry e;
	int rc = DB_ERR;

	if (c == NULL || seal == NULL || event == NULL || actor == NULL)
		return DB_ERR;
	if (personal_id != NULL)
		audit_pseudonym(seal, personal_id, subject);
	if (strcmp(actor, "citizen") == 0 && personal_id != NULL)
		snprintf(who, sizeof(who), "citizen:%s", subject);
	else
		snprintf(who, sizeof(who), "%s", actor);
	text = details != NULL ? json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS)
	    : strdup("{}");
	if (text == NULL || (rc = last_entry(c, &e.seq, prev)) != DB_OK)
		goto fail;
	e.seq++;
	e.at = now;
	e.event = event;
	e.actor = who;
	e.subject = subject;
	e.details = text;
	e.prev_hash = prev;
	entry_hash(&e, hash);
	rc = insert_entry(c, &e, hash);
fail:
	free(text);
	return rc == DB_OK ? DB_OK : (rc < 0 ? rc : DB_ERR);
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? (const char *)s : "";
}

/* 0 when the row at `st` follows (*seq, prev); else 1 with the reason. */
static int
check_row(sqlite3_stmt *st, int64_t *seq, char prev[AUDIT_HASH_HEX],
    char *reason, size_t reasonsz)
{
	struct entry e = { sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
	    col(st, 2), col(st, 3), col(st, 4), col(st, 5), col(st, 6) };
	const char *stored = col(st, 7);
	char h[AUDIT_HASH_HEX];

	if (e.seq != *seq + 1) {
		snprintf(reason, reasonsz, "entry %" PRId64 " is missing", *seq + 1);
		(*seq)++;
		return 1;
	}
	*seq = e.seq;
	if (strcmp(e.prev_hash, prev) != 0) {
		snprintf(reason, reasonsz, "entry %" PRId64 " does not link to the "
		    "previous entry (deleted or reordered)", e.seq);
		return 1;
	}
	entry_hash(&e, h);
	if (strcmp(h, stored) != 0) {
		snprintf(reason, reasonsz, "entry %" PRId64 " was changed (hash "
		    "mismatch)", e.seq);
		return 1;
	}
	snprintf(prev, AUDIT_HASH_HEX, "%s", stored);
	return 0;
}

static int
verify_chain(struct db_conn *c, int64_t *n, int64_t *bad, char *reason,
    size_t reasonsz)
{
	sqlite3_stmt *st = db_stmt(c, "SELECT seq, at, event, actor, subject, "
	    "details, prev_hash, hash FROM audit_log ORDER BY seq");
	char prev[AUDIT_HASH_HEX] = ZERO_HASH;
	int64_t seq = 0;
	int rc;

	if (st == NULL)
		return DB_ERR;
	while ((rc = db_step(st)) == 1) {
		if (check_row(st, &seq, prev, reason, reasonsz) != 0) {
			*bad = seq;
			rc = 1;
			break;
		}
	}
	sqlite3_reset(st);
	*n = seq;
	return rc;
}

/* 0 when `jws` is signed by a key of `jwks` named kid and says (seq, hash). */
static int
check_signature(const json_t *jwks, const char *jws, const char *kid,
    int64_t seq, const char *hash)
{
	struct jws_parsed p;
	struct jws_key *key = NULL;
	json_t *payload = NULL, *k;
	json_int_t pseq = -1;
	const char *phash = "";
	size_t i;
	int rc = -1;

	if (jws_parse(jws, strlen(jws), &p) != 0)
		return -1;
	json_array_foreach(json_object_get(jwks, "keys"), i, k) {
		const char *id = json_string_value(json_object_get(k, "kid"));

		if (id != NULL && strcmp(id, kid) == 0 && key == NULL &&
		    jws_key_from_jwk(k, &key) != 0)
			key = NULL;
	}
	if (key == NULL || jws_verify_parsed(key, &p) != 0 ||
	    (payload = json_loads(p.payload, 0, NULL)) == NULL ||
	    json_unpack(payload, "{s:I, s:s}", "seq", &pseq, "hash", &phash) != 0)
		goto fail;
	rc = pseq == seq && strcmp(phash, hash) == 0 ? 0 : -1;
fail:
	json_decref(payload);
	jws_key_free(key);
	jws_parsed_free(&p);
	return rc;
}

static int
entry_hash_at(struct db_conn *c, int64_t seq, char hash[AUDIT_HASH_HEX])
{
	sqlite3_stmt *st = db_stmt(c, "SELECT hash FROM audit_log WHERE seq = ?");
	int rc;

	hash[0] = '\0';
	if (st == NULL || db_bind_int64(st, 1, seq) != DB_OK)
		return DB_ERR;
	if ((rc = db_step(st)) == 1)
		rc = db_column_text(st, 0, hash, AUDIT_HASH_HEX) == 0 ? DB_OK : DB_ERR;
	else if (rc == DB_OK)
		rc = 1;		/* no such entry */
	sqlite3_reset(st);
	return rc;
}

static int
verify_checkpoints(struct db_conn *c, const json_t *jwks, int64_t *bad,
    char *reason, size_t reasonsz)
{
	sqlite3_stmt *st = db_stmt(c, "SELECT seq, hash, signature, kid "
	    "FROM audit_checkpoints ORDER BY seq");
	char h[AUDIT_HASH_HEX];
	int rc;

	if (st == NULL)
		return DB_ERR;
	while ((rc = db_step(st)) == 1) {
		int64_t seq = sqlite3_column_int64(st, 0);

		if ((rc = entry_hash_at(c, seq, h)) != DB_OK) {
			if (rc < 0)
				break;
			snprintf(reason, reasonsz, "checkpoint %" PRId64 ": the entry "
			    "is missing (log truncated)", seq);
		} else if (strcmp(h, col(st, 1)) != 0 ||
		    check_signature(jwks, col(st, 2), col(st, 3), seq, h) != 0) {
			snprintf(reason, reasonsz, "checkpoint %" PRId64 ": forged or "
			    "does not match the entry", seq);
		} else {
			continue;
		}
		*bad = seq;
		rc = 1;
		break;
	}
	sqlite3_reset(st);
	return rc;
}

int
audit_verify(struct db *db, int64_t *n, int64_t *first_bad, char *reason,
    size_t reasonsz)
{
	struct db_conn *c = NULL;
	json_t *jwks = NULL;
	int rc;

	if (db == NULL || n == NULL || first_bad == NULL || reason == NULL)
		return DB_ERR;
	*n = 0;
	*first_bad = 0;
	reason[0] = '\0';
	if ((rc = keys_jwks(db, AUDIT_KEYS, &jwks)) != DB_OK)
		return rc;
	if ((c = db_acquire(db)) == NULL) {
		rc = DB_ERR;
		goto fail;
	}
	if ((rc = verify_chain(c, n, first_bad, reason, reasonsz)) == DB_OK)
		rc = verify_checkpoints(c, jwks, first_bad, reason, reasonsz);
	db_release(db, c);
fail:
	json_decref(jwks);
	return rc;
}

static int
insert_checkpoint(struct db_conn *c, int64_t seq, int64_t now,
    const char *hash, const char *sig, const char *kid)
{
	sqlite3_stmt *st = db_stmt(c, "INSERT OR REPLACE INTO audit_checkpoints "
	    "(seq, at, hash, signature, kid) VALUES (?, ?, ?, ?, ?)");
	int rc;

	if (st == NULL || db_bind_int64(st, 1, seq) != DB_OK ||
	    db_bind_int64(st, 2, now) != DB_OK ||
	    db_bind_text(st, 3, hash) != DB_OK ||
	    db_bind_text(st, 4, sig) != DB_OK ||
	    db_bind_text(st, 5, kid) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	sqlite3_reset(st);
	return rc;
}

/* Signs and stores a checkpoint over the last entry, in one transaction. */
static int
checkpoint_tx(struct db_conn *c, const struct jws_key *key, int64_t now,
    int64_t *seq)
{
	char hash[AUDIT_HASH_HEX], *payload = NULL, *sig = NULL;
	json_t *o = NULL;
	int rc;

	if ((rc = db_begin(c)) != DB_OK)
		return rc;
	if ((rc = last_entry(c, seq, hash)) != DB_OK || *seq == 0)
		goto fail;
	rc = DB_ERR;
	if ((o = json_pack("{s:I, s:I, s:s}", "seq", (json_int_t)*seq, "at",
	    (json_int_t)now, "hash", hash)) == NULL ||
	    (payload = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) == NULL ||
	    (sig = jws_sign(key, "audit-checkpoint", payload, strlen(payload))) == NULL)
		goto fail;
	rc = insert_checkpoint(c, *seq, now, hash, sig, jws_key_kid(key));
fail:
	if (rc == DB_OK)
		rc = db_commit(c);
	else
		db_rollback(c);
	free(sig);
	free(payload);
	json_decref(o);
	return rc;
}

int
audit_checkpoint(struct db *db, const struct seal *seal, int64_t now,
    int64_t *seq)
{
	struct jws_key *key = NULL;
	struct db_conn *c;
	int rc;

	if (db == NULL || seal == NULL || seq == NULL)
		return DB_ERR;
	*seq = 0;
	if ((rc = keys_current(db, seal, AUDIT_KEYS, JWS_EDDSA, now, &key)) != DB_OK)
		return rc;
	if ((c = db_acquire(db)) == NULL) {
		jws_key_free(key);
		return DB_ERR;
	}
	rc = checkpoint_tx(c, key, now, seq);
	db_release(db, c);
	jws_key_free(key);
	return rc;
}

int
audit_pending(struct db *db, bool *pending)
{
	struct db_conn *c;
	sqlite3_stmt *st;
	int rc = DB_ERR;

	if (db == NULL || pending == NULL || (c = db_acquire(db)) == NULL)
		return DB_ERR;
	*pending = false;
	st = db_stmt(c, "SELECT (SELECT coalesce(max(seq), 0) FROM audit_log) > "
	    "(SELECT coalesce(max(seq), 0) FROM audit_checkpoints)");
	if (st != NULL && (rc = db_step(st)) == 1) {
		*pending = sqlite3_column_int64(st, 0) != 0;
		rc = DB_OK;
	}
	if (st != NULL)
		sqlite3_reset(st);
	db_release(db, c);
	return rc == 1 ? DB_ERR : rc;
}

struct audit_checkpointer {
	struct db *db;
	const struct seal *seal;
	const struct clock *clock;
	struct log *lg;
	unsigned seconds;
	bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
};

/* One round: a checkpoint when entries are pending. */
static void
checkpoint_round(struct audit_checkpointer *k)
{
	bool pending = false;
	int64_t seq = 0;
	int rc;

	if ((rc = audit_pending(k->db, &pending)) == DB_OK && pending)
		rc = audit_checkpoint(k->db, k->seal, clock_now(k->clock), &seq);
	if (rc != DB_OK)
		log_event(k->lg, LOG_WARN, "audit.checkpoint_failed", NULL);
	else if (seq > 0)
		log_event(k->lg, LOG_INFO, "audit.checkpoint", NULL);
}

static void *
checkpointer_main(void *arg)
{
	struct audit_checkpointer *k = arg;
	struct timespec at;
	bool stop;

	pthread_mutex_lock(&k->mu);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_sec += (time_t)k->seconds;
		while (!k->stop && pthread_cond_timedwait(&k->cv, &k->mu, &at) !=
		    ETIMEDOUT)
			;
		stop = k->stop;
		pthread_mutex_unlock(&k->mu);
		if (stop)
			return NULL;
		checkpoint_round(k);
		pthread_mutex_lock(&k->mu);
	}
}

int
audit_checkpointer_start(struct db *db, const struct seal *seal,
    const struct clock *clock, unsigned seconds, struct log *lg,
    struct audit_checkpointer **out)
{
	struct audit_checkpointer *k;
	pthread_condattr_t ca;
	bool cv = false, mu = false;

	if (out == NULL)
		return DB_ERR;
	*out = NULL;
	if (db == NULL || seal == NULL || clock == NULL || seconds == 0 ||
	    (k = calloc(1, sizeof(*k))) == NULL)
		return DB_ERR;
	*k = (struct audit_checkpointer){ .db = db, .seal = seal, .clock = clock,
	    .lg = lg, .seconds = seconds };
	if (pthread_condattr_init(&ca) != 0)
		goto fail;
	cv = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&k->cv, &ca) == 0;
	pthread_condattr_destroy(&ca);
	if (!cv || !(mu = pthread_mutex_init(&k->mu, NULL) == 0) ||
	    pthread_create(&k->thread, NULL, checkpointer_main, k) != 0)
		goto fail;
	*out = k;
	return DB_OK;
fail:
	if (mu)
		pthread_mutex_destroy(&k->mu);
	if (cv)
		pthread_cond_destroy(&k->cv);
	free(k);
	return DB_ERR;
}

void
audit_checkpointer_stop(struct audit_checkpointer *k)
{
	if (k == NULL)
		return;
	pthread_mutex_lock(&k->mu);
	k->stop = true;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->thread, NULL);
	pthread_mutex_destroy(&k->mu);
	pthread_cond_destroy(&k->cv);
	free(k);
}

int
audit_export(struct db *db, int64_t since, FILE *out)
{
	struct db_conn *c;
	sqlite3_stmt *st;
	int rc = DB_ERR;

	if (db == NULL || out == NULL || (c = db_acquire(db)) == NULL)
		return DB_ERR;
	st = db_stmt(c, "SELECT seq, at, event, actor, subject, details, "
	    "prev_hash, hash FROM audit_log WHERE at >= ? ORDER BY seq");
	if (st == NULL || db_bind_int64(st, 1, since) != DB_OK)
		goto fail;
	while ((rc = db_step(st)) == 1) {
		json_t *d = json_loads(col(st, 5), 0, NULL);
		json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:o*, s:s, s:s}",
		    "seq", (json_int_t)sqlite3_column_int64(st, 0),
		    "at", (json_int_t)sqlite3_column_int64(st, 1),
		    "event", col(st, 2), "actor", col(st, 3), "subject", col(st, 4),
		    "details", d, "prev_hash", col(st, 6), "hash", col(st, 7));

		rc = o != NULL && json_dumpf(o, out, JSON_COMPACT |
		    JSON_PRESERVE_ORDER) == 0 && fputc('\n', out) != EOF ? DB_OK : DB_ERR;
		json_decref(o);
		if (rc != DB_OK)
			break;
	}
	sqlite3_reset(st);
fail:
	db_release(db, c);
	return rc;
}
