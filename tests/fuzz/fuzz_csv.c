/*
 * fuzz_csv: registry CSV as `idp registry import` reads it: the input is a
 * CSV file read with csv_next under the importer's record limit, and every
 * record of PERSON_FIELDS fields goes through person_from_fields (ID,
 * dates, UTF-8 text, NFC).
 */
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "fuzz.h"
#include "person.h"

#define MAX_RECORD 4096		/* registry.c MAX_LINE */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
check_person(const struct csv_record *rec)
{
	struct person p;
	char why[256];

	if (person_from_fields(&p, rec->field, rec->len, "2026-11-23", why,
	    sizeof(why)) == 0) {
		/* An accepted record is self-consistent. */
		if (person_check_id(p.personal_id, p.birth_date, p.sex, why,
		    sizeof(why)) != 0 || !person_date_valid(p.birth_date, 10))
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen(size > 0 ? (void *)(uintptr_t)data : "", size, "r");
	struct csv_reader *rd;
	struct csv_record rec;
	int rc;

	if (f == NULL)
		return 0;
	if ((rd = csv_new(f, MAX_RECORD)) == NULL) {
		fclose(f);
		return 0;
	}
	while ((rc = csv_next(rd, &rec)) == 1) {
		if (rec.nfields > CSV_MAX_FIELDS)
			__builtin_trap();
		for (size_t i = 0; i < rec.nfields; i++)
			if (strlen(rec.field[i]) != rec.len[i])
				__builtin_trap();
		if (rec.nfields == PERSON_FIELDS)
			check_person(&rec);
	}
	if (rc < 0 && csv_error(rd) == NULL)
		__builtin_trap();
	csv_free(rd);
	fclose(f);
	return 0;
}
