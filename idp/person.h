/*
 * person: a population-registry record and the rules it must meet: the
 * personal identification number PPP G YY NNNNNN against province, century,
 * sex and birth year; real calendar dates; UTF-8 text stored in NFC. Pure
 * functions over caller-owned records; no storage.
 */
#ifndef IDP_PERSON_H
#define IDP_PERSON_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"

#define PERSON_FIELDS 11
#define PERSON_CSV_HEADER "personal_id,full_name,birth_date,sex,nationality," \
	"place_of_origin,residence,card_number,card_issued_on,card_expires_on,status"

struct person {
	char personal_id[13];
	char full_name[512];
	char birth_date[11];
	char sex[8];
	char nationality[128];
	char place_of_origin[512];
	char residence[512];
	char card_number[16];
	char card_issued_on[11];
	char card_expires_on[11];
	char status[10];
	char date_of_death[11];		/* "" unless deceased by an event */
};

/* The CSV column names in order, for messages. */
const char *person_field_name(size_t i);

/*
 * Fills *p from the 11 CSV fields in header order, validating each and
 * normalising text to NFC. `today` (YYYY-MM-DD) bounds dates of birth and
 * issue. -1 with a one-line reason in reason[rsz].
 */
int person_from_fields(struct person *p, const char *const field[],
    const size_t len[], const char *today, char *reason, size_t rsz) WUR;

/* A real date YYYY-MM-DD between 1900-01-01 and 2199-12-31. */
bool person_date_valid(const char *s, size_t n);
/* The ID's digits against province, birth date and sex; -1 with a reason. */
int person_check_id(const char *pid, const char *birth_date, const char *sex,
    char *reason, size_t rsz) WUR;
/* The form of a personal ID: 12 digits (NULL is not). */
bool person_id_valid(const char *pid);
/* A card number: 9 or 12 digits. */
bool person_card_number_valid(const char *s, size_t n);
/*
 * Validates UTF-8 text (no control characters, at most max_chars
 * characters), trims surrounding spaces and writes its NFC form to out.
 * `what` names the field in the reason.
 */
int person_text(const char *in, size_t n, size_t max_chars, char *out,
    size_t outsz, const char *what, char *reason, size_t rsz) WUR;

#endif
