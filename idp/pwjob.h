/*
 * pwjob: one password hashing or verification, packaged to run on the
 * worker pool (common/workpool) off the HTTP threads. A verification of a
 * right password under outdated parameters also makes the rehash. The job
 * keeps its own copy of the password and zeroes it when freed.
 */
#ifndef IDP_PWJOB_H
#define IDP_PWJOB_H

#include <stdbool.h>

struct pwjob;

/* A job checking `password` against the Argon2id string `hash`; NULL on OOM. */
struct pwjob *pwjob_verify(const char *hash, const char *password);
/* A job hashing `password`; NULL on OOM. */
struct pwjob *pwjob_hash(const char *password);
/* Runs the job: the workpool function. */
void pwjob_run(void *job);
/* Verification: the password matched. Hashing: the hash was made. */
bool pwjob_ok(const struct pwjob *);
/* The new hash (hashing, or a rehash after a verification), or NULL. */
const char *pwjob_new_hash(const struct pwjob *);
/* Room for the caller's own request state, freed with the job. */
void pwjob_set_data(struct pwjob *, void *data, void (*free_fn)(void *));
void *pwjob_data(const struct pwjob *);
void pwjob_free(struct pwjob *);

#endif
