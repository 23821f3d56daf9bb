/*
 * disclosures: writing and listing the disclosure log.
 */
#include "disclosures.h"

#include <string.h>

static const char SQL_INSERT[] =
    "INSERT INTO disclosures (account_id, client_id, client_name, attributes, "
    "at, channel, purpose) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_SINCE[] =
    "SELECT 1 FROM disclosures WHERE account_id = ? AND at >= ? "
    "AND client_id = ? AND channel = ? AND attributes = ? LIMIT 1";
static const char SQL_LIST[] =
    "SELECT client_id, client_name, attributes, at, channel, purpose "
    "FROM disclosures WHERE account_id = ? AND (? = '' OR client_id = ?) "
    "ORDER BY at DESC, id DESC LIMIT ? OFFSET ?";

int
disclosures_recorded_since(struct db_conn *c, const char *account_id,
    const char *client_id, const char *channel, const char *attributes,
    int64_t since, bool *found)
{
	sqlite3_stmt *st;
	int rc;

	if (found != NULL)
		*found = false;
	if (c == NULL || account_id == NULL || client_id == NULL ||
	    channel == NULL || attributes == NULL || found == NULL)
		return DB_ERR;
	if ((st = db_stmt(c, SQL_SINCE)) == NULL ||
	    db_bind_text(st, 1, account_id) != DB_OK ||
	    db_bind_int64(st, 2, since) != DB_OK ||
	    db_bind_text(st, 3, client_id) != DB_OK ||
	    db_bind_text(st, 4, channel) != DB_OK ||
	    db_bind_text(st, 5, attributes) != DB_OK)
		return DB_ERR;
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? DB_OK : db_err_from_sqlite(rc);
}

int
disclosures_record(struct db_conn *c, const char *account_id,
    const char *client_id, const char *client_name, const char *attributes,
    const char *channel, const char *purpose, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || account_id == NULL || client_id == NULL ||
	    client_name == NULL || attributes == NULL || attributes[0] == '\0' ||
	    channel == NULL || purpose == NULL)
		return DB_ERR;
	if ((st = db_stmt(c, SQL_INSERT)) == NULL ||
	    db_bind_text(st, 1, account_id) != DB_OK ||
	    db_bind_text(st, 2, client_id) != DB_OK ||
	    db_bind_text(st, 3, client_name) != DB_OK ||
	    db_bind_text(st, 4, attributes) != DB_OK ||
	    db_bind_int64(st, 5, now) != DB_OK ||
	    db_bind_text(st, 6, channel) != DB_OK ||
	    db_bind_text(st, 7, purpose) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	sqlite3_reset(st);
	return rc;
}

static int
read_row(sqlite3_stmt *st, struct disclosure *d)
{
	memset(d, 0, sizeof(*d));
	if (db_column_text(st, 0, d->client_id, sizeof(d->client_id)) != 0 ||
	    db_column_text(st, 1, d->client_name, sizeof(d->client_name)) != 0 ||
	    db_column_text(st, 2, d->attributes, sizeof(d->attributes)) != 0 ||
	    db_column_text(st, 4, d->channel, sizeof(d->channel)) != 0 ||
	    db_column_text(st, 5, d->purpose, sizeof(d->purpose)) != 0)
		return DB_ERR;
	d->at = sqlite3_column_int64(st, 3);
	return DB_OK;
}

int
disclosures_foreach_conn(struct db_conn *c, const char *account_id,
    const char *client_id, int64_t offset, int64_t limit,
    int (*fn)(const struct disclosure *, void *), void *arg)
{
	const char *cid = client_id != NULL ? client_id : "";
	struct disclosure d;
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || account_id == NULL || fn == NULL || offset < 0 || limit < 0)
		return DB_ERR;
	if ((st = db_stmt(c, SQL_LIST)) == NULL ||
	    db_bind_text(st, 1, account_id) != DB_OK ||
	    db_bind_text(st, 2, cid) != DB_OK || db_bind_text(st, 3, cid) != DB_OK ||
	    db_bind_int64(st, 4, limit) != DB_OK || db_bind_int64(st, 5, offset) != DB_OK)
		return DB_ERR;
	while ((rc = db_step(st)) == 1) {
		if ((rc = read_row(st, &d)) != DB_OK)
			break;
		if (fn(&d, arg) != 0) {
			rc = DB_OK;
			break;
		}
	}
	sqlite3_reset(st);
	return rc;
}

int
disclosures_foreach(struct db *db, const char *account_id,
    const char *client_id, int64_t offset, int64_t limit,
    int (*fn)(const struct disclosure *, void *), void *arg)
{
	struct db_conn *c;
	int rc;

	if (db == NULL || (c = db_acquire(db)) == NULL)
		return DB_ERR;
	rc = disclosures_foreach_conn(c, account_id, client_id, offset, limit, fn, arg);
	db_release(db, c);
	return rc;
}
