/*
 * pwjob: password work items for the worker pool.
 */
#include "pwjob.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "password.h"

#define PW_BYTES_MAX 1024

struct pwjob {
	bool verify, ok, have_new;
	char hash[crypto_pwhash_STRBYTES];
	char new_hash[crypto_pwhash_STRBYTES];
	char password[PW_BYTES_MAX + 1];
	void *data;
	void (*free_fn)(void *);
};

static struct pwjob *
make(const char *password)
{
	struct pwjob *j;

	if (password == NULL || strlen(password) > PW_BYTES_MAX)
		return NULL;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	memcpy(j->password, password, strlen(password) + 1);
	return j;
}

struct pwjob *
pwjob_verify(const char *hash, const char *password)
{
	struct pwjob *j;

	if (hash == NULL || strlen(hash) >= sizeof(j->hash))
		return NULL;
	if ((j = make(password)) == NULL)
		return NULL;
	j->verify = true;
	snprintf(j->hash, sizeof(j->hash), "%s", hash);
	return j;
}

struct pwjob *
pwjob_hash(const char *password)
{
	return make(password);
}

void
pwjob_run(void *arg)
{
	struct pwjob *j = arg;

	if (j->verify) {
		j->ok = password_verify(j->hash, j->password) == 0;
		if (j->ok && password_needs_rehash(j->hash))
			j->have_new = password_hash(j->password, j->new_hash) == 0;
	} else {
		j->ok = j->have_new = password_hash(j->password, j->new_hash) == 0;
	}
	sodium_memzero(j->password, sizeof(j->password));
}

bool
pwjob_ok(const struct pwjob *j)
{
	return j != NULL && j->ok;
}

const char *
pwjob_new_hash(const struct pwjob *j)
{
	return j != NULL && j->have_new ? j->new_hash : NULL;
}

void
pwjob_set_data(struct pwjob *j, void *data, void (*free_fn)(void *))
{
	j->data = data;
	j->free_fn = free_fn;
}

void *
pwjob_data(const struct pwjob *j)
{
	return j->data;
}

void
pwjob_free(struct pwjob *j)
{
	if (j == NULL)
		return;
	if (j->free_fn != NULL)
		j->free_fn(j->data);
	sodium_memzero(j, sizeof(*j));
	free(j);
}
