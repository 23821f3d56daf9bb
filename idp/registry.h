/*
 * registry: the population registry's records in the database. Owns the
 * tables registry_people, registry_imports, registry_superseded_cards and
 * registry_events: all-or-nothing CSV import and look-ups. Change events
 * are in regevent.
 */
#ifndef IDP_REGISTRY_H
#define IDP_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base.h"
#include "db.h"
#include "person.h"

enum {
	REG_NOT_FOUND = -20,	/* no such person */
	REG_INVALID = -21,	/* bad input: the reason says why */
};

struct registry_import_result {
	unsigned long inserted, updated, unchanged;
	unsigned long bad_line;		/* the physical line of the error, or 0 */
	char reason[256];
};

/*
 * Imports a CSV file in one transaction: every line valid, or nothing is
 * written. An identical record already present is left as it is; a changed
 * one is an error unless `update`. REG_INVALID sets bad_line and reason.
 */
int registry_import(struct db *, FILE *in, const char *source, bool update,
    int64_t now, struct registry_import_result *res) WUR;

int registry_get(struct db_conn *, const char *personal_id, struct person *out) WUR;
int registry_count(struct db *, unsigned long *n) WUR;
/* The living person with the lowest personal ID, for demos. */
int registry_first_living(struct db *, struct person *out) WUR;
/* 1 when `card_number` is the current card of someone other than `pid`. */
int registry_card_held_by_other(struct db_conn *, const char *card_number,
    const char *pid) WUR;
/* 1 when `card_number` was replaced by a reissued card, 0 when not. */
int registry_card_superseded(struct db_conn *, const char *card_number) WUR;

/* Changes to one record, inside the caller's transaction. */
int registry_set_deceased(struct db_conn *, const char *pid,
    const char *date_of_death, int64_t now) WUR;
/* The new card; the old card number is recorded as superseded. */
int registry_set_card(struct db_conn *, const char *pid, const char *old_card,
    const char *card_number, const char *issued_on, const char *expires_on,
    int64_t now) WUR;
int registry_set_name(struct db_conn *, const char *pid, const char *full_name,
    int64_t now) WUR;
int registry_set_residence(struct db_conn *, const char *pid,
    const char *residence, int64_t now) WUR;

#endif
