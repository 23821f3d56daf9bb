/*
 * app_state: the state file (private, atomic) and the device key.
 */
#include "app_state.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "b64.h"

#define FILE_MAX 16384
#define SEED_SIZE crypto_sign_SEEDBYTES
#define STATE_VERSION 1

struct app_state {
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	uint8_t seed[SEED_SIZE];
	char public_key[APP_PUBKEY_SIZE];
	char name[APP_NAME_MAX + 1];
	char device_id[64];
	char idp[APP_URL_MAX + 1];
	char credential[APP_CRED_MAX + 1];
	int64_t cred_exp;
};

static bool
text_ok(const char *s, size_t max, bool empty_ok)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (s == NULL || n > max || (n == 0 && !empty_ok))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* A compact JWS: three base64url parts, at most APP_CRED_MAX bytes ("" ok). */
static bool
jws_text_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0, dots = 0;

	if (s == NULL || n > APP_CRED_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.')
			dots++;
	return n == 0 || (dots == 2 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_.") == n);
}

/* A zeroed state in locked memory. */
static struct app_state *
alloc_state(void)
{
	struct app_state *st;

	if (sodium_init() < 0 || (st = sodium_malloc(sizeof(*st))) == NULL)
		return NULL;
	sodium_memzero(st, sizeof(*st));
	return st;
}

/* The key pair from st->seed; 0 or -1. */
static int
derive(struct app_state *st)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];

	if (crypto_sign_seed_keypair(pk, st->sk, st->seed) != 0 ||
	    b64_encode(st->public_key, sizeof(st->public_key), pk, sizeof(pk)) == 0)
		return -1;
	return 0;
}

int
app_state_new(const char *name, struct app_state **out)
{
	struct app_state *st;

	if (out == NULL)
		return -1;
	*out = NULL;
	if (!text_ok(name, APP_NAME_MAX, false) || (st = alloc_state()) == NULL)
		return -1;
	randombytes_buf(st->seed, sizeof(st->seed));
	snprintf(st->name, sizeof(st->name), "%s", name);
	if (derive(st) != 0) {
		app_state_free(st);
		return -1;
	}
	*out = st;
	return 0;
}

void
app_state_free(struct app_state *st)
{
	if (st != NULL)
		sodium_free(st);	/* wipes */
}

/* Opens `path` for reading if it is this user's private regular file. */
static int
open_private(const char *path, char *err, size_t errsz)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			return -2;
		snprintf(err, errsz, "cannot open the state file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		snprintf(err, errsz, "the state file %s is not a regular file", path);
	else if (sb.st_uid != geteuid())
		snprintf(err, errsz, "the state file %s belongs to another user", path);
	else if ((sb.st_mode & 077) != 0)
		snprintf(err, errsz, "the state file %s is readable or writable by "
		    "others (mode %04o); it holds a private key: refusing to use it "
		    "(chmod 600 it if it was not exposed)", path,
		    (unsigned)(sb.st_mode & 07777));
	else
		return fd;
	close(fd);
	return -1;
}

/* The fields of the parsed file into st; 0, or -1 with a reason. */
static int
from_json(struct app_state *st, json_t *j, char *err, size_t errsz)
{
	const char *name = json_string_value(json_object_get(j, "name"));
	const char *seed = json_string_value(json_object_get(j, "secret_key"));
	const char *pk = json_string_value(json_object_get(j, "public_key"));
	const char *id = json_string_value(json_object_get(j, "device_id"));
	const char *idp = json_string_value(json_object_get(j, "idp"));
	const char *cred = json_string_value(json_object_get(j, "credential"));
	size_t n = 0;

	if (json_integer_value(json_object_get(j, "version")) != STATE_VERSION ||
	    !text_ok(name, APP_NAME_MAX, false) || seed == NULL ||
	    b64_decode(st->seed, sizeof(st->seed), &n, seed, strlen(seed)) != 0 ||
	    n != SEED_SIZE || derive(st) != 0 ||
	    (pk != NULL && strcmp(pk, st->public_key) != 0) ||
	    !text_ok(id != NULL ? id : "", sizeof(st->device_id) - 1, true) ||
	    !text_ok(idp != NULL ? idp : "", APP_URL_MAX, true) ||
	    !jws_text_ok(cred != NULL ? cred : "")) {
		snprintf(err, errsz, "the state file is damaged or not an eid-app "
		    "state (run eid-app init)");
		return -1;
	}
	snprintf(st->name, sizeof(st->name), "%s", name);
	snprintf(st->device_id, sizeof(st->device_id), "%s", id != NULL ? id : "");
	snprintf(st->idp, sizeof(st->idp), "%s", idp != NULL ? idp : "");
	snprintf(st->credential, sizeof(st->credential), "%s", cred != NULL ? cred : "");
	st->cred_exp = json_integer_value(json_object_get(j, "credential_expires_at"));
	return 0;
}

int
app_state_load(const char *path, struct app_state **out, char *err,
    size_t errsz)
{
	char *buf = NULL;
	struct app_state *st = NULL;
	json_t *j = NULL;
	ssize_t got;
	int fd, rc = -1;

	if (path == NULL || out == NULL || err == NULL)
		return -1;
	*out = NULL;
	if ((fd = open_private(path, err, errsz)) < 0)
		return fd == -2 ? 1 : -1;
	if ((st = alloc_state()) == NULL || (buf = sodium_malloc(FILE_MAX + 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	got = read(fd, buf, FILE_MAX + 1);
	if (got < 0 || got > FILE_MAX) {
		snprintf(err, errsz, "cannot read the state file %s%s", path,
		    got < 0 ? "" : ": too large");
		goto fail;
	}
	if ((j = json_loadb(buf, (size_t)got, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(j)) {
		snprintf(err, errsz, "the state file %s is not JSON", path);
		goto fail;
	}
	if (from_json(st, j, err, errsz) != 0)
		goto fail;
	*out = st;
	st = NULL;
	rc = 0;
fail:
	json_decref(j);
	if (buf != NULL)
		sodium_free(buf);
	app_state_free(st);
	close(fd);
	return rc;
}

/* A JSON string literal of s into out[outsz]; 0, or -1 when it does not fit. */
static int
json_quote(const char *s, char *out, size_t outsz)
{
	json_t *v = json_string(s);
	char *q = v != NULL ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
	int rc = -1;

	if (q != NULL && strlen(q) < outsz) {
		memcpy(out, q, strlen(q) + 1);
		rc = 0;
	}
	free(q);
	json_decref(v);
	return rc;
}

/* The file's text into out[outsz] (wipe after use); 0 or -1. */
static int
to_text(const struct app_state *st, char *out, size_t outsz)
{
	char name[4 * APP_NAME_MAX], id[160], idp[4 * APP_URL_MAX], seed[64];
	int n;

	if (json_quote(st->name, name, sizeof(name)) != 0 ||
	    json_quote(st->device_id, id, sizeof(id)) != 0 ||
	    json_quote(st->idp, idp, sizeof(idp)) != 0 ||
	    b64_encode(seed, sizeof(seed), st->seed, sizeof(st->seed)) == 0)
		return -1;
	n = snprintf(out, outsz, "{\n  \"version\": %d,\n  \"name\": %s,\n"
	    "  \"public_key\": \"%s\",\n  \"secret_key\": \"%s\",\n"
	    "  \"device_id\": %s,\n  \"idp\": %s,\n  \"credential\": \"%s\",\n"
	    "  \"credential_expires_at\": %lld\n}\n", STATE_VERSION, name,
	    st->public_key, seed, id, idp, st->credential, (long long)st->cred_exp);
	sodium_memzero(seed, sizeof(seed));
	return n > 0 && (size_t)n < outsz ? 0 : -1;
}

/* The directory part of path into dir ("." when none); 0 or -1. */
static int
dir_of(const char *path, char *dir, size_t dirsz)
{
	const char *slash = strrchr(path, '/');
	int n = slash == NULL ? snprintf(dir, dirsz, ".") :
	    slash == path ? snprintf(dir, dirsz, "/") :
	    snprintf(dir, dirsz, "%.*s", (int)(slash - path), path);

	return n > 0 && (size_t)n < dirsz ? 0 : -1;
}

/* Writes all of buf to fd, fsyncs and closes it; 0 or -1. */
static int
write_sync_close(int fd, const char *buf, size_t len)
{
	size_t done = 0;
	int rc = 0;

	while (done < len && rc == 0) {
		ssize_t w = write(fd, buf + done, len - done);

		if (w < 0 && errno != EINTR)
			rc = -1;
		else if (w > 0)
			done += (size_t)w;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = -1;
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

int
app_state_save(const struct app_state *st, const char *path, char *err,
    size_t errsz)
{
	char dir[1024], tmp[1100], *text = NULL;
	int fd = -1, dfd, rc = -1;

	if (st == NULL || path == NULL || err == NULL)
		return -1;
	if (dir_of(path, dir, sizeof(dir)) != 0 ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= sizeof(tmp)) {
		snprintf(err, errsz, "the state path is too long");
		return -1;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errsz, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if (sodium_init() < 0 || (text = sodium_malloc(FILE_MAX)) == NULL ||
	    to_text(st, text, FILE_MAX) != 0) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	/* mkstemp creates the file with mode 0600, never over an existing one. */
	if ((fd = mkstemp(tmp)) < 0 || fchmod(fd, 0600) != 0 ||
	    write_sync_close(fd, text, strlen(text)) != 0) {
		snprintf(err, errsz, "cannot write the state file beside %s: %s", path,
		    strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		snprintf(err, errsz, "cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		goto fail;
	}
	/* The rename itself survives a crash once the directory is synced. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	rc = 0;
fail:
	if (text != NULL)
		sodium_free(text);
	return rc;
}

const char *
app_state_name(const struct app_state *st)
{
	return st->name;
}

const char *
app_state_public_key(const struct app_state *st)
{
	return st->public_key;
}

const char *
app_state_device_id(const struct app_state *st)
{
	return st->device_id;
}

const char *
app_state_idp(const struct app_state *st)
{
	return st->idp;
}

bool
app_state_activated(const struct app_state *st)
{
	return st != NULL && st->device_id[0] != '\0';
}

int
app_state_set_device(struct app_state *st, const char *device_id,
    const char *idp_url)
{
	if (st == NULL || !text_ok(device_id, sizeof(st->device_id) - 1, false) ||
	    !text_ok(idp_url, APP_URL_MAX, false))
		return -1;
	snprintf(st->device_id, sizeof(st->device_id), "%s", device_id);
	snprintf(st->idp, sizeof(st->idp), "%s", idp_url);
	st->credential[0] = '\0';
	st->cred_exp = 0;
	return 0;
}

const char *
app_state_credential(const struct app_state *st, int64_t *expires_at)
{
	if (expires_at != NULL)
		*expires_at = st->cred_exp;
	return st->credential;
}

int
app_state_set_credential(struct app_state *st, const char *jws,
    int64_t expires_at)
{
	if (st == NULL || !jws_text_ok(jws))
		return -1;
	snprintf(st->credential, sizeof(st->credential), "%s", jws);
	st->cred_exp = jws[0] != '\0' ? expires_at : 0;
	return 0;
}

void
app_state_sign(const struct app_state *st, const void *msg, size_t len,
    uint8_t sig[APP_SIG_SIZE])
{
	crypto_sign_detached(sig, NULL, msg, len, st->sk);
}
