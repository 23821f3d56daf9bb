/*
 * qrlogin: device-key sign-in by QR code. Owns the qr_logins table: a
 * transaction made for the browser that shows its QR code (bound to that
 * browser by the hash of a random secret the browser keeps in an HttpOnly
 * cookie), decided once by a device of a level-2 account (approve or
 * deny), and turned once, by the same browser, into a level-2 session
 * (amr "swk", through auth), all within QRL_TTL seconds. Also the
 * `dinhdanh://login?...` URI the QR code and the "open in the app" link
 * carry. Time comes only from the callers' `now`.
 */
#ifndef IDP_QRLOGIN_H
#define IDP_QRLOGIN_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "base.h"
#include "db.h"

#define QRL_ID_SIZE 44		/* 32 random bytes, base64url, NUL */
#define QRL_SECRET_SIZE 44	/* the browser's secret: 32 bytes, base64url, NUL */
#define QRL_TTL 120		/* seconds from creation to the last use */
#define QRL_URI_MAX 1024

/* Results besides DB_OK and the db_err codes (common/db.h). */
enum qrlogin_err {
	QRL_NOT_FOUND = -140,	/* unknown id, or another browser's */
	QRL_GONE = -141,	/* expired, decided already, or consumed */
	QRL_LEVEL = -142,	/* the deciding account is not an active level-2 one */
	QRL_PENDING = -143,	/* not decided yet */
	QRL_DENIED = -144,	/* the app refused it */
};

/* What a browser may learn of its own transaction. */
enum qrlogin_state {
	QRL_ST_PENDING,
	QRL_ST_APPROVED,
	QRL_ST_DENIED,
	QRL_ST_EXPIRED,		/* also consumed */
};

/* What the app is shown before it decides. */
struct qrlogin_info {
	char client_id[48];	/* "" for a sign-in to dinhdanh itself */
	char req_id[44];	/* "" without a parked OIDC request */
	int64_t expires_at;
};

/* A short name for a qrlogin_err or db_err, for logs. */
const char *qrlogin_strerror(int rc);

/* True when `s` is a well-formed browser secret (43 base64url characters). */
int qrlogin_secret_ok(const char *s) WUR;
/* A new browser secret into out. */
void qrlogin_new_secret(char out[QRL_SECRET_SIZE]);

/*
 * A new pending transaction bound to `secret` (well formed), for the
 * portal client_id and its request req_id (both NULL for a plain sign-in),
 * expiring QRL_TTL seconds after now; its id into id. Long-expired rows are
 * purged on the way. DB_OK or a db_err (DB_ERR for a bad secret).
 */
int qrlogin_create(struct db_conn *, const char *secret, const char *client_id,
    const char *req_id, int64_t now, char id[QRL_ID_SIZE]) WUR;

/*
 * The state of transaction `id` for the browser holding `secret`: DB_OK
 * with *out, QRL_NOT_FOUND (unknown, or any other secret: nothing else is
 * said), or a db_err.
 */
int qrlogin_state(struct db_conn *, const char *id, const char *secret,
    int64_t now, enum qrlogin_state *out) WUR;

/*
 * For the app: the pending, unexpired transaction `id` into *out: DB_OK,
 * QRL_NOT_FOUND, QRL_GONE (expired, decided or consumed), or a db_err.
 */
int qrlogin_info(struct db_conn *, const char *id, int64_t now,
    struct qrlogin_info *out) WUR;

/*
 * The decision of device_id of account_id on `id` (approve true: approved,
 * else denied), in the caller's transaction. Only an active level-2
 * account decides (QRL_LEVEL); a transaction is decided once (QRL_GONE
 * after, or once expired). DB_OK, QRL_NOT_FOUND, QRL_GONE, QRL_LEVEL, or a
 * db_err.
 */
int qrlogin_decide(struct db_conn *, const char *id, const char *account_id,
    const char *device_id, int approve, int64_t now) WUR;

/*
 * Consumes the approved transaction `id` of the browser holding `secret`
 * into a level-2 session (auth_device_session) in one transaction: DB_OK
 * with *out (and req_id[44]: the parked request, "" when none), or
 * QRL_NOT_FOUND (unknown or another browser's), QRL_PENDING, QRL_DENIED,
 * QRL_GONE (expired or used), an auth_err (the account locked or closed
 * meanwhile), a db_err.
 */
int qrlogin_finish(struct db *, const char *id, const char *secret,
    const struct auth_meta *, int64_t now, struct auth_session *out,
    char req_id[44]) WUR;

/*
 * The URI of the QR code and the app link:
 * dinhdanh://login?tx=ID&idp=ISSUER (issuer percent-encoded), into
 * out[outsz]: 0, or -1 when it does not fit.
 */
int qrlogin_uri(const char *issuer, const char *id, char *out, size_t outsz) WUR;

#endif
