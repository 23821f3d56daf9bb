/*
 * regevent: validation and idempotent application of registry events.
 */
#include "regevent.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "person.h"
#include "registry.h"

static const char *const type_names[] = {
	"death", "card_reissued", "name_changed", "residence_changed",
};

int
registry_event_type_parse(const char *name, enum registry_event_type *out)
{
	for (size_t i = 0; i < ARRAY_LEN(type_names); i++) {
		if (name != NULL && strcmp(name, type_names[i]) == 0) {
			*out = (enum registry_event_type)i;
			return 0;
		}
	}
	return -1;
}

const char *
registry_event_type_name(enum registry_event_type t)
{
	return (size_t)t < ARRAY_LEN(type_names) ? type_names[t] : "unknown";
}

int
registry_event_set_id(struct registry_event *ev, const char *id, char *reason,
    size_t rsz)
{
	size_t n = id != NULL ? strlen(id) : 0;

	if (n == 0 || n >= sizeof(ev->event_id)) {
		snprintf(reason, rsz, "event_id must be 1 to 64 characters");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (id[i] < 0x21 || id[i] > 0x7e) {
			snprintf(reason, rsz, "event_id must be printable ASCII without spaces");
			return -1;
		}
	}
	memcpy(ev->event_id, id, n + 1);
	return 0;
}

static int
set_date(char out[11], const char *field, const char *v, size_t n,
    char *reason, size_t rsz)
{
	if (!person_date_valid(v, n)) {
		snprintf(reason, rsz, "%s: not a valid date (YYYY-MM-DD)", field);
		return -1;
	}
	memcpy(out, v, 10);
	out[10] = '\0';
	return 0;
}

int
registry_event_set(struct registry_event *ev, const char *field,
    const char *v, size_t n, char *reason, size_t rsz)
{
	switch (ev->type) {
	case REG_EV_DEATH:
		if (strcmp(field, "date_of_death") == 0)
			return set_date(ev->date_of_death, field, v, n, reason, rsz);
		break;
	case REG_EV_CARD_REISSUED:
		if (strcmp(field, "card_number") == 0) {
			if (!person_card_number_valid(v, n)) {
				snprintf(reason, rsz, "card_number must be 9 or 12 digits");
				return -1;
			}
			snprintf(ev->card_number, sizeof(ev->card_number), "%.*s", (int)n, v);
			return 0;
		}
		if (strcmp(field, "card_issued_on") == 0)
			return set_date(ev->card_issued_on, field, v, n, reason, rsz);
		if (strcmp(field, "card_expires_on") == 0)
			return set_date(ev->card_expires_on, field, v, n, reason, rsz);
		break;
	case REG_EV_NAME_CHANGED:
		if (strcmp(field, "full_name") == 0)
			return person_text(v, n, 100, ev->full_name,
			    sizeof(ev->full_name), field, reason, rsz);
		break;
	case REG_EV_RESIDENCE_CHANGED:
		if (strcmp(field, "residence") == 0)
			return person_text(v, n, 150, ev->residence,
			    sizeof(ev->residence), field, reason, rsz);
		break;
	}
	snprintf(reason, rsz, "%s is not a field of a %s event", field,
	    registry_event_type_name(ev->type));
	return -1;
}

/* The event's data as stored and compared: canonical JSON text. */
static char *
event_data(const struct registry_event *ev)
{
	json_t *d = NULL;
	char *s;

	switch (ev->type) {
	case REG_EV_DEATH:
		d = json_pack("{s:s}", "date_of_death", ev->date_of_death);
		break;
	case REG_EV_CARD_REISSUED:
		d = json_pack("{s:s, s:s, s:s}", "card_number", ev->card_number,
		    "card_issued_on", ev->card_issued_on,
		    "card_expires_on", ev->card_expires_on);
		break;
	case REG_EV_NAME_CHANGED:
		d = json_pack("{s:s}", "full_name", ev->full_name);
		break;
	case REG_EV_RESIDENCE_CHANGED:
		d = json_pack("{s:s}", "residence", ev->residence);
		break;
	}
	s = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	return s;
}

static int
missing(const char *field, char *reason, size_t rsz)
{
	snprintf(reason, rsz, "missing %s", field);
	return REG_INVALID;
}

/* The data present and consistent with the current record. */
static int
check_against(const struct registry_event *ev, const struct person *p,
    const char *today, char *reason, size_t rsz)
{
	switch (ev->type) {
	case REG_EV_DEATH:
		if (ev->date_of_death[0] == '\0')
			return missing("date_of_death", reason, rsz);
		if (strcmp(ev->date_of_death, p->birth_date) < 0 ||
		    strcmp(ev->date_of_death, today) > 0) {
			snprintf(reason, rsz, "date_of_death must be between birth_date and today");
			return REG_INVALID;
		}
		return DB_OK;
	case REG_EV_CARD_REISSUED:
		if (ev->card_number[0] == '\0')
			return missing("card_number", reason, rsz);
		if (ev->card_issued_on[0] == '\0')
			return missing("card_issued_on", reason, rsz);
		if (ev->card_expires_on[0] == '\0')
			return missing("card_expires_on", reason, rsz);
		if (strcmp(ev->card_expires_on, ev->card_issued_on) < 0 ||
		    strcmp(ev->card_issued_on, p->birth_date) < 0 ||
		    strcmp(ev->card_issued_on, today) > 0) {
			snprintf(reason, rsz, "card dates are inconsistent");
			return REG_INVALID;
		}
		return DB_OK;
	case REG_EV_NAME_CHANGED:
		return ev->full_name[0] ? DB_OK : missing("full_name", reason, rsz);
	case REG_EV_RESIDENCE_CHANGED:
		return ev->residence[0] ? DB_OK : missing("residence", reason, rsz);
	}
	return REG_INVALID;
}

static int
change_record(struct db_conn *c, const struct registry_event *ev,
    const struct person *p, int64_t now, char *reason, size_t rsz)
{
	switch (ev->type) {
	case REG_EV_DEATH:
		return registry_set_deceased(c, ev->personal_id, ev->date_of_death, now);
	case REG_EV_CARD_REISSUED:
		if (strcmp(ev->card_number, p->card_number) == 0 ||
		    registry_card_superseded(c, ev->card_number) != DB_OK ||
		    registry_card_held_by_other(c, ev->card_number, ev->personal_id) != DB_OK) {
			snprintf(reason, rsz, "card_number is the current card, a replaced "
			    "one, or another person's card");
			return REG_INVALID;
		}
		return registry_set_card(c, ev->personal_id, p->card_number,
		    ev->card_number, ev->card_issued_on, ev->card_expires_on, now);
	case REG_EV_NAME_CHANGED:
		return registry_set_name(c, ev->personal_id, ev->full_name, now);
	case REG_EV_RESIDENCE_CHANGED:
		return registry_set_residence(c, ev->personal_id, ev->residence, now);
	}
	return REG_INVALID;
}

/* 1 when the event_id was applied before with the same content. */
static int
seen_before(struct db_conn *c, const struct registry_event *ev,
    const char *data, char *reason, size_t rsz)
{
	sqlite3_stmt *st = db_stmt(c, "SELECT type, personal_id, data "
	    "FROM registry_events WHERE event_id = ?");
	int rc;

	if (st == NULL || db_bind_text(st, 1, ev->event_id) != DB_OK)
		return DB_ERR;
	if ((rc = db_step(st)) != 1)
		return rc;
	if (strcmp((const char *)sqlite3_column_text(st, 0),
	    registry_event_type_name(ev->type)) != 0 ||
	    strcmp((const char *)sqlite3_column_text(st, 1), ev->personal_id) != 0 ||
	    strcmp((const char *)sqlite3_column_text(st, 2), data) != 0) {
		snprintf(reason, rsz, "event_id was already used for a different event");
		rc = REG_INVALID;
	}
	sqlite3_reset(st);
	return rc;
}

static int
record_event(struct db_conn *c, const struct registry_event *ev,
    const char *data, const char *source, int64_t now)
{
	sqlite3_stmt *st = db_stmt(c, "INSERT INTO registry_events (event_id, "
	    "type, personal_id, data, source, applied_at) VALUES (?, ?, ?, ?, ?, ?)");

	if (st == NULL || db_bind_text(st, 1, ev->event_id) != DB_OK ||
	    db_bind_text(st, 2, registry_event_type_name(ev->type)) != DB_OK ||
	    db_bind_text(st, 3, ev->personal_id) != DB_OK ||
	    db_bind_text(st, 4, data) != DB_OK ||
	    db_bind_text(st, 5, source) != DB_OK ||
	    db_bind_int64(st, 6, now) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

/* The audit entry for an applied event, with its type and event_id. */
static int
audit_applied(struct db_conn *c, const struct seal *seal,
    const struct registry_event *ev, const char *source, int64_t now)
{
	char actor[96];
	json_t *d;
	int rc;

	if (strcmp(source, "cli") == 0)
		snprintf(actor, sizeof(actor), "operator");
	else
		snprintf(actor, sizeof(actor), "client:%s", source);
	if ((d = json_pack("{s:s, s:s}", "type", registry_event_type_name(ev->type),
	    "event_id", ev->event_id)) == NULL)
		return DB_ERR;
	rc = audit_append(c, seal, "registry_event_applied", actor,
	    ev->personal_id, d, now);
	json_decref(d);
	return rc;
}

static int
apply_in_tx(struct db_conn *c, const struct seal *seal,
    const struct registry_event *ev, const char *data, const char *source,
    int64_t now, const struct registry_hooks *hooks, bool *duplicate,
    char *reason, size_t rsz)
{
	struct person p;
	char today[11];
	int rc;

	if ((rc = seen_before(c, ev, data, reason, rsz)) == 1) {
		*duplicate = true;
		return DB_OK;
	}
	if (rc != DB_OK)
		return rc;
	if ((rc = registry_get(c, ev->personal_id, &p)) != DB_OK)
		return rc;
	clock_format_date(now, today);
	if ((rc = check_against(ev, &p, today, reason, rsz)) != DB_OK ||
	    (rc = change_record(c, ev, &p, now, reason, rsz)) != DB_OK ||
	    (rc = record_event(c, ev, data, source, now)) != DB_OK ||
	    (rc = audit_applied(c, seal, ev, source, now)) != DB_OK)
		return rc;
	if (hooks != NULL && hooks->applied != NULL)
		rc = hooks->applied(c, seal, ev, now, hooks->arg);
	return rc;
}

int
registry_apply_event(struct db *db, const struct seal *seal,
    const struct registry_event *ev, const char *source, int64_t now,
    const struct registry_hooks *hooks, bool *duplicate, char *reason,
    size_t rsz)
{
	struct db_conn *c;
	char *data;
	int rc;

	if (db == NULL || seal == NULL || ev == NULL || source == NULL ||
	    duplicate == NULL)
		return DB_ERR;
	*duplicate = false;
	snprintf(reason, rsz, "ok");
	if ((data = event_data(ev)) == NULL)
		return DB_ERR;
	if ((c = db_acquire(db)) == NULL) {
		free(data);
		return DB_ERR;
	}
	if ((rc = db_begin(c)) == DB_OK) {
		rc = apply_in_tx(c, seal, ev, data, source, now, hooks, duplicate,
		    reason, rsz);
		if (rc == DB_OK)
			rc = db_commit(c);
		else
			db_rollback(c);
	}
	db_release(db, c);
	free(data);
	return rc;
}
