/*
 * test_seal: unit tests for secrets at rest (seal): the master key file
 * (created 0600, reused, refused when group- or world-readable or of the
 * wrong size), sealing round trips, tampering, purpose binding and subkeys.
 */
#include "t.h"
#include "fixture.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seal.h"

static const uint8_t key_a[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
static const uint8_t key_b[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 11 };

struct fx {
	char dir[64];
	char path[128];
};

static int
fx_open(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	if (sodium_init() < 0)
		return -1;
	if (fixture_mkdtemp(f->dir, sizeof(f->dir), "test_seal") != 0)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/master.key", f->dir);
	return 0;
}

static void
fx_close(struct fx *f)
{
	fixture_rmtree(f->dir);
}

static int
write_file(const char *path, const void *data, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	int rc = 0;

	if (fd < 0)
		return -1;
	if (n > 0 && write(fd, data, n) != (ssize_t)n)
		rc = -1;
	if (fchmod(fd, mode) != 0)
		rc = -1;
	close(fd);
	return rc;
}

static int
read_file(const char *path, uint8_t *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, n);
	close(fd);
	return r == (ssize_t)n ? 0 : -1;
}

TEST(open_creates_0600_and_reopens_same_key)
{
	struct fx f;
	struct seal *s = NULL, *s2 = NULL;
	struct stat st;
	uint8_t sealed[5 + SEAL_OVERHEAD], out[8], k1[32], k2[32];
	uint8_t sub1[32], sub2[32];

	if (fx_open(&f) != 0) {
		CHECK(!"fixture");
		fx_close(&f);
		return;
	}
	CHECK(access(f.path, F_OK) != 0);
	CHECK_EQ_INT(seal_open(f.path, &s), SEAL_OK);
	if (s == NULL) {
		fx_close(&f);
		return;
	}
	CHECK_EQ_INT(stat(f.path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 0777, 0600);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ_INT(st.st_size, 32);
	CHECK_EQ_INT(read_file(f.path, k1, 32), 0);
	CHECK_EQ_INT(seal_seal(s, sealed, (const uint8_t *)"hello", 5, "test"), 0);
	seal_subkey(s, "hash", sub1);
	seal_free(s);

	/* Reopened: the same key, the file untouched. */
	CHECK_EQ_INT(seal_open(f.path, &s2), SEAL_OK);
	if (s2 != NULL) {
		memset(out, 0, sizeof(out));
		CHECK_EQ_INT(seal_unseal(s2, out, sealed, sizeof(sealed), "test"), 0);
		CHECK(memcmp(out, "hello", 5) == 0);
		seal_subkey(s2, "hash", sub2);
		CHECK(memcmp(sub1, sub2, 32) == 0);
		seal_free(s2);
	}
	CHECK_EQ_INT(read_file(f.path, k2, 32), 0);
	CHECK(memcmp(k1, k2, 32) == 0);
	CHECK_EQ_INT(stat(f.path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 0777, 0600);

	/* The file's key is the key: seal_from_key over it unseals too. */
	CHECK_EQ_INT(seal_from_key(k1, &s), SEAL_OK);
	if (s != NULL) {
		CHECK_EQ_INT(seal_unseal(s, out, sealed, sizeof(sealed), "test"), 0);
		seal_free(s);
	}
	sodium_memzero(k1, sizeof(k1));
	sodium_memzero(k2, sizeof(k2));
	fx_close(&f);
}

TEST(two_new_files_two_keys)
{
	struct fx f;
	char p2[160];
	uint8_t k1[32], k2[32];
	struct seal *s = NULL;

	if (fx_open(&f) != 0) {
		CHECK(!"fixture");
		fx_close(&f);
		return;
	}
	snprintf(p2, sizeof(p2), "%s/other.key", f.dir);
	CHECK_EQ_INT(seal_open(f.path, &s), SEAL_OK);
	seal_free(s);
	s = NULL;
	CHECK_EQ_INT(seal_open(p2, &s), SEAL_OK);
	seal_free(s);
	CHECK_EQ_INT(read_file(f.path, k1, 32), 0);
	CHECK_EQ_INT(read_file(p2, k2, 32), 0);
	CHECK(memcmp(k1, k2, 32) != 0);
	fx_close(&f);
}

TEST(open_refuses_loose_modes)
{
	static const mode_t bad[] = { 0644, 0640, 0604, 0660, 0601, 0610, 0666 };
	struct fx f;
	struct seal *s = NULL;

	if (fx_open(&f) != 0) {
		CHECK(!"fixture");
		fx_close(&f);
		return;
	}
	/* The check is on the mode bits, so it holds for root too. */
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		CHECK_EQ_INT(write_file(f.path, key_a, 32, bad[i]), 0);
		s = NULL;
		if (seal_open(f.path, &s) != SEAL_ERR_MODE) {
			fprintf(stderr, "mode %o not refused\n", (unsigned)bad[i]);
			CHECK(0);
			seal_free(s);
		}
		CHECK(s == NULL);
	}
	/* Owner-only modes are fine. */
	CHECK_EQ_INT(write_file(f.path, key_a, 32, 0400), 0);
	CHECK_EQ_INT(seal_open(f.path, &s), SEAL_OK);
	seal_free(s);
	s = NULL;
	CHECK_EQ_INT(chmod(f.path, 0600), 0);
	CHECK_EQ_INT(seal_open(f.path, &s), SEAL_OK);
	seal_free(s);
	CHECK(strstr(seal_strerror(SEAL_ERR_MODE), "chmod 600") != NULL);
	fx_close(&f);
}

TEST(open_refuses_wrong_size)
{
	static const size_t sizes[] = { 0, 1, 16, 31, 33, 64 };
	uint8_t junk[64];
	struct fx f;
	struct seal *s = NULL;

	if (fx_open(&f) != 0) {
		CHECK(!"fixture");
		fx_close(&f);
		return;
	}
	memset(junk, 0x77, sizeof(junk));
	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		CHECK_EQ_INT(write_file(f.path, junk, sizes[i], 0600), 0);
		s = NULL;
		if (seal_open(f.path, &s) != SEAL_ERR_FORMAT) {
			fprintf(stderr, "size %zu not refused\n", sizes[i]);
			CHECK(0);
			seal_free(s);
		}
		/* The bad file is left alone, not replaced. */
		{
			struct stat st;
			CHECK_EQ_INT(stat(f.path, &st), 0);
			CHECK_EQ_INT(st.st_size, (off_t)sizes[i]);
		}
	}
	fx_close(&f);
}

TEST(open_io_errors)
{
	struct seal *s = NULL;

	CHECK_EQ_INT(sodium_init() < 0, 0);
	CHECK_EQ_INT(seal_open("/tmp/no-such-dir-test-seal/x/master.key", &s), SEAL_ERR_IO);
	CHECK(s == NULL);
	CHECK_EQ_INT(seal_open(NULL, &s), SEAL_ERR_IO);
	CHECK_EQ_INT(seal_open("/tmp/x.key", NULL), SEAL_ERR_IO);
	CHECK_EQ_INT(seal_from_key(NULL, &s), SEAL_ERR_IO);
	CHECK_EQ_INT(seal_from_key(key_a, NULL), SEAL_ERR_IO);
	CHECK(strcmp(seal_strerror(SEAL_ERR_IO), seal_strerror(SEAL_ERR_FORMAT)) != 0);
	CHECK_STR(seal_strerror(SEAL_OK), "ok");
	CHECK_STR(seal_strerror(12345), "unknown error");
	seal_free(NULL);
}

TEST(round_trip)
{
	struct seal *s = NULL;
	uint8_t plain[300], sealed[300 + SEAL_OVERHEAD], sealed2[300 + SEAL_OVERHEAD];
	uint8_t out[300];

	CHECK_EQ_INT(sodium_init() < 0, 0);
	CHECK_EQ_INT(seal_from_key(key_a, &s), SEAL_OK);
	if (s == NULL)
		return;
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 13);
	for (size_t n = 0; n <= sizeof(plain); n += (n < 40 ? 1 : 37)) {
		memset(out, 0xee, sizeof(out));
		CHECK_EQ_INT(seal_seal(s, sealed, plain, n, "signing-key"), 0);
		CHECK_EQ_INT(seal_unseal(s, out, sealed, n + SEAL_OVERHEAD, "signing-key"), 0);
		CHECK(memcmp(out, plain, n) == 0);
		/* The plaintext does not show (8 bytes: no chance match). */
		if (n >= 8)
			CHECK(memmem(sealed, n + SEAL_OVERHEAD, plain, 8) == NULL);
	}
	/* A fresh nonce every time: the same plaintext seals differently. */
	CHECK_EQ_INT(seal_seal(s, sealed, plain, 32, "p"), 0);
	CHECK_EQ_INT(seal_seal(s, sealed2, plain, 32, "p"), 0);
	CHECK(memcmp(sealed, sealed2, 32 + SEAL_OVERHEAD) != 0);
	CHECK(memcmp(sealed, sealed2, 24) != 0);
	/* Refusals. */
	CHECK_EQ_INT(seal_seal(NULL, sealed, plain, 5, "p"), -1);
	CHECK_EQ_INT(seal_seal(s, NULL, plain, 5, "p"), -1);
	CHECK_EQ_INT(seal_seal(s, sealed, NULL, 5, "p"), -1);
	CHECK_EQ_INT(seal_seal(s, sealed, plain, 5, NULL), -1);
	CHECK_EQ_INT(seal_seal(s, sealed, NULL, 0, "p"), 0);
	CHECK_EQ_INT(seal_unseal(s, out, sealed, SEAL_OVERHEAD, "p"), 0);
	CHECK_EQ_INT(seal_unseal(s, out, sealed, SEAL_OVERHEAD - 1, "p"), -1);
	CHECK_EQ_INT(seal_unseal(s, out, sealed, 0, "p"), -1);
	CHECK_EQ_INT(seal_unseal(s, out, NULL, 50, "p"), -1);
	CHECK_EQ_INT(seal_unseal(s, out, sealed, SEAL_OVERHEAD, NULL), -1);
	seal_free(s);
}

TEST(tamper_every_byte)
{
	struct seal *s = NULL;
	uint8_t sealed[5 + SEAL_OVERHEAD], t[5 + SEAL_OVERHEAD + 1], out[8];
	int accepted = 0;

	CHECK_EQ_INT(sodium_init() < 0, 0);
	CHECK_EQ_INT(seal_from_key(key_a, &s), SEAL_OK);
	if (s == NULL)
		return;
	CHECK_EQ_INT(seal_seal(s, sealed, (const uint8_t *)"12345", 5, "otp"), 0);
	CHECK_EQ_INT(seal_unseal(s, out, sealed, sizeof(sealed), "otp"), 0);
	for (size_t i = 0; i < sizeof(sealed); i++) {
		for (unsigned bit = 0; bit < 8; bit++) {
			memcpy(t, sealed, sizeof(sealed));
			t[i] ^= (uint8_t)(1u << bit);
			if (seal_unseal(s, out, t, sizeof(sealed), "otp") == 0) {
				fprintf(stderr, "accepted with byte %zu bit %u flipped\n", i, bit);
				accepted++;
			}
		}
	}
	CHECK_EQ_INT(accepted, 0);
	/* Cut short or extended. */
	CHECK_EQ_INT(seal_unseal(s, out, sealed, sizeof(sealed) - 1, "otp"), -1);
	memcpy(t, sealed, sizeof(sealed));
	t[sizeof(sealed)] = 0;
	CHECK_EQ_INT(seal_unseal(s, out, t, sizeof(sealed) + 1, "otp"), -1);
	seal_free(s);
}

TEST(purpose_and_key_bound)
{
	struct seal *a = NULL, *b = NULL;
	uint8_t sealed[6 + SEAL_OVERHEAD], out[8];

	CHECK_EQ_INT(sodium_init() < 0, 0);
	CHECK_EQ_INT(seal_from_key(key_a, &a), SEAL_OK);
	CHECK_EQ_INT(seal_from_key(key_b, &b), SEAL_OK);
	if (a == NULL || b == NULL) {
		seal_free(a);
		seal_free(b);
		return;
	}
	CHECK_EQ_INT(seal_seal(a, sealed, (const uint8_t *)"secret", 6, "client-secret"), 0);
	CHECK_EQ_INT(seal_unseal(a, out, sealed, sizeof(sealed), "client-secret"), 0);
	CHECK_EQ_INT(seal_unseal(a, out, sealed, sizeof(sealed), "signing-key"), -1);
	CHECK_EQ_INT(seal_unseal(a, out, sealed, sizeof(sealed), "client-secreT"), -1);
	CHECK_EQ_INT(seal_unseal(a, out, sealed, sizeof(sealed), "client-secret "), -1);
	CHECK_EQ_INT(seal_unseal(a, out, sealed, sizeof(sealed), ""), -1);
	CHECK_EQ_INT(seal_unseal(b, out, sealed, sizeof(sealed), "client-secret"), -1);
	/* The empty purpose is a purpose too. */
	CHECK_EQ_INT(seal_seal(a, sealed, (const uint8_t *)"secret", 6, ""), 0);
	CHECK_EQ_INT(seal_unseal(a, out, sealed, sizeof(sealed), ""), 0);
	CHECK_EQ_INT(seal_unseal(a, out, sealed, sizeof(sealed), "x"), -1);
	seal_free(a);
	seal_free(b);
}

TEST(subkeys)
{
	struct seal *a = NULL, *a2 = NULL, *b = NULL;
	uint8_t s1[32], s2[32], s3[32], s4[32], zero[32];

	CHECK_EQ_INT(sodium_init() < 0, 0);
	CHECK_EQ_INT(seal_from_key(key_a, &a), SEAL_OK);
	CHECK_EQ_INT(seal_from_key(key_a, &a2), SEAL_OK);
	CHECK_EQ_INT(seal_from_key(key_b, &b), SEAL_OK);
	if (a == NULL || a2 == NULL || b == NULL) {
		seal_free(a);
		seal_free(a2);
		seal_free(b);
		return;
	}
	memset(zero, 0, sizeof(zero));
	seal_subkey(a, "person-id-hash", s1);
	seal_subkey(a, "person-id-hash", s2);
	CHECK(memcmp(s1, s2, 32) == 0);			/* stable */
	seal_subkey(a2, "person-id-hash", s2);
	CHECK(memcmp(s1, s2, 32) == 0);			/* same key, same subkey */
	seal_subkey(a, "session-hash", s3);
	CHECK(memcmp(s1, s3, 32) != 0);			/* per purpose */
	seal_subkey(b, "person-id-hash", s4);
	CHECK(memcmp(s1, s4, 32) != 0);			/* per master key */
	CHECK(memcmp(s1, zero, 32) != 0);
	CHECK(memcmp(s1, key_a, 32) != 0);		/* not the master key */
	seal_subkey(a, "", s4);
	CHECK(memcmp(s4, s1, 32) != 0);
	seal_free(a);
	seal_free(a2);
	seal_free(b);
}

T_MAIN(T(open_creates_0600_and_reopens_same_key), T(two_new_files_two_keys),
    T(open_refuses_loose_modes), T(open_refuses_wrong_size), T(open_io_errors),
    T(round_trip), T(tamper_every_byte), T(purpose_and_key_bound), T(subkeys))
