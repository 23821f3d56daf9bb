/*
 * seal: master key file and XChaCha20-Poly1305 (IETF) sealing.
 */
#include "seal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEYLEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCELEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES

struct seal {
	uint8_t key[KEYLEN];
};

static struct seal *
seal_alloc(void)
{
	/* Guarded, locked memory that sodium_free() wipes. */
	return sodium_malloc(sizeof(struct seal));
}

int
seal_from_key(const uint8_t key[32], struct seal **out)
{
	struct seal *s;

	if (key == NULL || out == NULL)
		return SEAL_ERR_IO;
	if ((s = seal_alloc()) == NULL)
		return SEAL_ERR_NOMEM;
	memcpy(s->key, key, KEYLEN);
	*out = s;
	return SEAL_OK;
}

static int
create_key(const char *path, uint8_t key[KEYLEN])
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ssize_t w;

	if (fd < 0)
		return errno == EEXIST ? 1 : SEAL_ERR_IO;
	randombytes_buf(key, KEYLEN);
	w = write(fd, key, KEYLEN);
	if (w != (ssize_t)KEYLEN || fsync(fd) != 0) {
		close(fd);
		unlink(path);
		return SEAL_ERR_IO;
	}
	close(fd);
	return SEAL_OK;
}

static int
read_key(const char *path, uint8_t key[KEYLEN])
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;
	int rc = SEAL_OK;

	if (fd < 0)
		return SEAL_ERR_IO;
	if (fstat(fd, &st) != 0)
		rc = SEAL_ERR_IO;
	else if ((st.st_mode & 077) != 0)
		rc = SEAL_ERR_MODE;
	else if (st.st_size != (off_t)KEYLEN)
		rc = SEAL_ERR_FORMAT;
	else if ((r = read(fd, key, KEYLEN)) != (ssize_t)KEYLEN)
		rc = SEAL_ERR_IO;
	close(fd);
	return rc;
}

int
seal_open(const char *path, struct seal **out)
{
	struct seal *s;
	int rc;

	if (path == NULL || out == NULL)
		return SEAL_ERR_IO;
	if ((s = seal_alloc()) == NULL)
		return SEAL_ERR_NOMEM;
	rc = create_key(path, s->key);
	if (rc == 1)
		rc = read_key(path, s->key);
	if (rc != SEAL_OK) {
		sodium_free(s);
		return rc;
	}
	*out = s;
	return SEAL_OK;
}

void
seal_free(struct seal *s)
{
	if (s != NULL)
		sodium_free(s);
}

const char *
seal_strerror(int err)
{
	switch (err) {
	case SEAL_OK: return "ok";
	case SEAL_ERR_IO: return "cannot read or create the master key file";
	case SEAL_ERR_MODE: return "master key file is readable by group or others (chmod 600 it)";
	case SEAL_ERR_FORMAT: return "master key file is not 32 bytes";
	case SEAL_ERR_NOMEM: return "out of memory";
	default: return "unknown error";
	}
}

int
seal_seal(const struct seal *s, uint8_t *out, const uint8_t *plain,
    size_t len, const char *purpose)
{
	if (s == NULL || out == NULL || (plain == NULL && len > 0) || purpose == NULL)
		return -1;
	randombytes_buf(out, NONCELEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + NONCELEN, NULL,
	    plain, len, (const uint8_t *)purpose, strlen(purpose), NULL,
	    out, s->key);
	return 0;
}

int
seal_unseal(const struct seal *s, uint8_t *out, const uint8_t *sealed,
    size_t len, const char *purpose)
{
	if (s == NULL || out == NULL || sealed == NULL || purpose == NULL ||
	    len < SEAL_OVERHEAD)
		return -1;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL,
	    sealed + NONCELEN, len - NONCELEN, (const uint8_t *)purpose,
	    strlen(purpose), sealed, s->key) != 0)
		return -1;
	return 0;
}

void
seal_subkey(const struct seal *s, const char *purpose, uint8_t out[32])
{
	crypto_generichash(out, 32, (const uint8_t *)purpose, strlen(purpose),
	    s->key, KEYLEN);
}
