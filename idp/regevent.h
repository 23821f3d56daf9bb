/*
 * regevent: change events from the population registry (death, card
 * reissued, name changed, residence changed). Owns the registry_events table
 * that makes each event_id apply once, and the event's validation; the
 * record itself changes through registry_people's columns in the same
 * transaction.
 */
#ifndef IDP_REGEVENT_H
#define IDP_REGEVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "db.h"
#include "seal.h"

enum registry_event_type {
	REG_EV_DEATH,
	REG_EV_CARD_REISSUED,
	REG_EV_NAME_CHANGED,
	REG_EV_RESIDENCE_CHANGED,
};

struct registry_event {
	char event_id[65];
	enum registry_event_type type;
	char personal_id[13];
	char date_of_death[11];
	char card_number[16];
	char card_issued_on[11];
	char card_expires_on[11];
	char full_name[512];
	char residence[512];
};

int registry_event_type_parse(const char *name, enum registry_event_type *out) WUR;
const char *registry_event_type_name(enum registry_event_type);
/* Checks and sets an event id (1-64 printable ASCII characters). */
int registry_event_set_id(struct registry_event *, const char *id,
    char *reason, size_t rsz) WUR;
/* Sets one data field of the event's type, validated; -1 with a reason. */
int registry_event_set(struct registry_event *, const char *field,
    const char *value, size_t n, char *reason, size_t rsz) WUR;

/* Called inside the event's transaction once the record has changed. */
struct registry_hooks {
	int (*applied)(struct db_conn *, const struct seal *,
	    const struct registry_event *, int64_t now, void *arg);
	void *arg;
};

/*
 * Applies the event in one transaction, or acknowledges a repeated event_id
 * (*duplicate set, nothing changed). REG_NOT_FOUND for an unknown person,
 * REG_INVALID (with a reason) for missing or inconsistent data. An applied
 * event appends the audit entry "registry_event_applied" (actor "operator"
 * for the source "cli", else "client:<source>").
 */
int registry_apply_event(struct db *, const struct seal *,
    const struct registry_event *,
    const char *source, int64_t now, const struct registry_hooks *,
    bool *duplicate, char *reason, size_t rsz) WUR;

#endif
