/*
 * schema: the migrations of this program's database, embedded at build time
 * from migrations/NNNN_name.sql in version order.
 */
#ifndef IDP_SCHEMA_H
#define IDP_SCHEMA_H

#include <stddef.h>

#include "db.h"

extern const struct db_migration schema_migrations[];
extern const size_t schema_migrations_count;

#endif
