/*
 * test_pwjob: unit tests for the password work items: verification right
 * and wrong, the rehash made only for a right password under outdated
 * parameters, hashing into a verifiable Argon2id string, refused inputs,
 * the caller's data freed with the job, and a job run on the worker pool.
 */
#include "t.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "password.h"
#include "pwjob.h"
#include "workpool.h"

#define PW "correct horse battery staple"

static int
old_hash(const char *pw, char out[crypto_pwhash_STRBYTES])
{
	return crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MIN,
	    (size_t)8 * 1024 * 1024);
}

TEST(verify_right_and_wrong_with_a_current_hash)
{
	char hash[crypto_pwhash_STRBYTES];
	struct pwjob *j;

	CHECK(sodium_init() >= 0);
	CHECK_EQ_INT(password_hash(PW, hash), 0);
	CHECK(!password_needs_rehash(hash));

	j = pwjob_verify(hash, PW);
	CHECK(j != NULL);
	CHECK(!pwjob_ok(j));	/* nothing decided before the run */
	pwjob_run(j);
	CHECK(pwjob_ok(j));
	CHECK(pwjob_new_hash(j) == NULL);	/* current: no rehash */
	pwjob_free(j);

	j = pwjob_verify(hash, PW "!");
	CHECK(j != NULL);
	pwjob_run(j);
	CHECK(!pwjob_ok(j));
	CHECK(pwjob_new_hash(j) == NULL);
	pwjob_free(j);

	j = pwjob_verify(hash, "");
	CHECK(j != NULL);
	pwjob_run(j);
	CHECK(!pwjob_ok(j));
	pwjob_free(j);
}

TEST(right_password_under_old_parameters_is_rehashed)
{
	char hash[crypto_pwhash_STRBYTES], copy[crypto_pwhash_STRBYTES];
	struct pwjob *j;
	const char *nh;

	CHECK(sodium_init() >= 0);
	CHECK_EQ_INT(old_hash(PW, hash), 0);
	CHECK(password_needs_rehash(hash));
	CHECK(strstr(hash, "m=8192,t=1") != NULL);

	j = pwjob_verify(hash, PW);
	CHECK(j != NULL);
	pwjob_run(j);
	CHECK(pwjob_ok(j));
	nh = pwjob_new_hash(j);
	CHECK(nh != NULL);
	if (nh != NULL) {
		snprintf(copy, sizeof(copy), "%s", nh);
		CHECK(strncmp(copy, "$argon2id$", 10) == 0);
		CHECK(strcmp(copy, hash) != 0);
		CHECK(!password_needs_rehash(copy));
		CHECK_EQ_INT(password_verify(copy, PW), 0);
		CHECK_EQ_INT(password_verify(copy, PW "!"), -1);
	}
	pwjob_free(j);

	/* a wrong password never gets a rehash */
	j = pwjob_verify(hash, "not the password");
	CHECK(j != NULL);
	pwjob_run(j);
	CHECK(!pwjob_ok(j));
	CHECK(pwjob_new_hash(j) == NULL);
	pwjob_free(j);
}

TEST(argon2i_hash_verified_and_moved_to_argon2id)
{
	char hash[crypto_pwhash_STRBYTES];
	struct pwjob *j;

	CHECK(sodium_init() >= 0);
	CHECK_EQ_INT(crypto_pwhash_argon2i_str(hash, PW, strlen(PW),
	    crypto_pwhash_argon2i_OPSLIMIT_MIN + 2, (size_t)8 * 1024 * 1024), 0);
	CHECK(strncmp(hash, "$argon2i$", 9) == 0);
	j = pwjob_verify(hash, PW);
	CHECK(j != NULL);
	pwjob_run(j);
	CHECK(pwjob_ok(j));
	CHECK(pwjob_new_hash(j) != NULL);
	if (pwjob_new_hash(j) != NULL)
		CHECK(strncmp(pwjob_new_hash(j), "$argon2id$", 10) == 0);
	pwjob_free(j);
}

TEST(malformed_hash_is_a_wrong_password)
{
	struct pwjob *j = pwjob_verify("$argon2id$garbage", PW);

	CHECK(j != NULL);
	pwjob_run(j);
	CHECK(!pwjob_ok(j));
	CHECK(pwjob_new_hash(j) == NULL);
	pwjob_free(j);
}

TEST(hash_job_makes_a_verifiable_argon2id_string)
{
	struct pwjob *j = pwjob_hash(PW);
	char copy[crypto_pwhash_STRBYTES] = "";

	CHECK(sodium_init() >= 0);
	CHECK(j != NULL);
	CHECK(!pwjob_ok(j));
	CHECK(pwjob_new_hash(j) == NULL);
	pwjob_run(j);
	CHECK(pwjob_ok(j));
	CHECK(pwjob_new_hash(j) != NULL);
	if (pwjob_new_hash(j) != NULL)
		snprintf(copy, sizeof(copy), "%s", pwjob_new_hash(j));
	pwjob_free(j);
	CHECK(strncmp(copy, "$argon2id$", 10) == 0);
	CHECK(!password_needs_rehash(copy));
	CHECK_EQ_INT(password_verify(copy, PW), 0);
	CHECK_EQ_INT(password_verify(copy, "correct horse battery stapl"), -1);
}

TEST(long_password_kept_whole)
{
	char pw[1025], hash[crypto_pwhash_STRBYTES] = "";
	struct pwjob *j;

	memset(pw, 'q', 1024);
	pw[1024] = '\0';
	j = pwjob_hash(pw);
	CHECK(j != NULL);
	pwjob_run(j);
	if (pwjob_new_hash(j) != NULL)
		snprintf(hash, sizeof(hash), "%s", pwjob_new_hash(j));
	pwjob_free(j);
	CHECK_EQ_INT(password_verify(hash, pw), 0);
	pw[1023] = 'r';	/* the last byte counts */
	CHECK_EQ_INT(password_verify(hash, pw), -1);
}

TEST(refused_inputs)
{
	char pw[1026], longhash[crypto_pwhash_STRBYTES + 10];

	memset(pw, 'q', 1025);
	pw[1025] = '\0';	/* 1025 bytes: over the limit */
	CHECK(pwjob_hash(pw) == NULL);
	CHECK(pwjob_verify("$argon2id$x", pw) == NULL);
	CHECK(pwjob_hash(NULL) == NULL);
	CHECK(pwjob_verify(NULL, PW) == NULL);
	CHECK(pwjob_verify("$argon2id$x", NULL) == NULL);
	memset(longhash, 'h', sizeof(longhash) - 1);
	longhash[sizeof(longhash) - 1] = '\0';
	CHECK(pwjob_verify(longhash, PW) == NULL);
	CHECK(!pwjob_ok(NULL));
	CHECK(pwjob_new_hash(NULL) == NULL);
	pwjob_free(NULL);
}

static int freed;
static void *freed_ptr;

static void
count_free(void *p)
{
	freed++;
	freed_ptr = p;
}

TEST(data_freed_with_the_job)
{
	struct pwjob *j = pwjob_hash("whatever it is");
	int token = 42;

	CHECK(j != NULL);
	freed = 0;
	freed_ptr = NULL;
	CHECK(pwjob_data(j) == NULL);
	pwjob_set_data(j, &token, count_free);
	CHECK(pwjob_data(j) == &token);
	CHECK_EQ_INT(freed, 0);
	pwjob_free(j);
	CHECK_EQ_INT(freed, 1);
	CHECK(freed_ptr == &token);

	/* a heap block freed by free() itself (ASan finds a leak otherwise) */
	j = pwjob_hash("whatever it is");
	CHECK(j != NULL);
	pwjob_set_data(j, malloc(64), free);
	pwjob_free(j);

	/* no free function: nothing called */
	j = pwjob_hash("whatever it is");
	CHECK(j != NULL);
	freed = 0;
	pwjob_set_data(j, &token, NULL);
	pwjob_free(j);
	CHECK_EQ_INT(freed, 0);
}

TEST(runs_on_the_worker_pool)
{
	struct workpool *wp = NULL;
	struct pwjob *j[3];
	char hash[crypto_pwhash_STRBYTES];

	CHECK(sodium_init() >= 0);
	CHECK_EQ_INT(password_hash(PW, hash), 0);
	j[0] = pwjob_verify(hash, PW);
	j[1] = pwjob_verify(hash, "wrong password");
	j[2] = pwjob_hash(PW);
	CHECK(j[0] != NULL && j[1] != NULL && j[2] != NULL);
	CHECK_EQ_INT(workpool_new(2, 8, 0, &wp), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(workpool_submit(wp, pwjob_run, j[i]), 0);
	workpool_free(wp);	/* drains the queue and joins */
	CHECK(pwjob_ok(j[0]));
	CHECK(!pwjob_ok(j[1]));
	CHECK(pwjob_ok(j[2]));
	CHECK(pwjob_new_hash(j[2]) != NULL);
	for (int i = 0; i < 3; i++)
		pwjob_free(j[i]);
}

T_MAIN(
	T(verify_right_and_wrong_with_a_current_hash),
	T(right_password_under_old_parameters_is_rehashed),
	T(argon2i_hash_verified_and_moved_to_argon2id),
	T(malformed_hash_is_a_wrong_password),
	T(hash_job_makes_a_verifiable_argon2id_string),
	T(long_password_kept_whole),
	T(refused_inputs),
	T(data_freed_with_the_job),
	T(runs_on_the_worker_pool)
)
