/*
 * person: registry record validation.
 */
#include "person.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>
#include <uninorm.h>

#include "province.h"

static const char *const field_names[PERSON_FIELDS] = {
	"personal_id", "full_name", "birth_date", "sex", "nationality",
	"place_of_origin", "residence", "card_number", "card_issued_on",
	"card_expires_on", "status",
};

const char *
person_field_name(size_t i)
{
	return i < PERSON_FIELDS ? field_names[i] : "?";
}

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int
num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

bool
person_date_valid(const char *s, size_t n)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, dim;

	if (n != 10 || s[4] != '-' || s[7] != '-' || !all_digits(s, 4) ||
	    !all_digits(s + 5, 2) || !all_digits(s + 8, 2))
		return false;
	y = num(s, 4);
	m = num(s + 5, 2);
	d = num(s + 8, 2);
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1)
		return false;
	dim = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		dim = 29;
	return d <= dim;
}

int
person_check_id(const char *pid, const char *birth_date, const char *sex,
    char *reason, size_t rsz)
{
	int year, g, want;
	bool female;

	if (!person_id_valid(pid)) {
		snprintf(reason, rsz, "personal_id must be 12 digits");
		return -1;
	}
	if (province_lookup(pid) == NULL) {
		snprintf(reason, rsz, "personal_id: unknown province code %.3s", pid);
		return -1;
	}
	if (birth_date == NULL || !person_date_valid(birth_date, strlen(birth_date)) ||
	    sex == NULL)
		return 0;	/* the date and sex fields report their own errors */
	year = num(birth_date, 4);
	female = strcmp(sex, "female") == 0;
	g = pid[3] - '0';
	want = (year - 1900) / 100 * 2 + (female ? 1 : 0);
	if (g > 5) {
		snprintf(reason, rsz, "personal_id: century/sex digit %d is not 0-5", g);
		return -1;
	}
	if (g / 2 != want / 2) {
		snprintf(reason, rsz, "personal_id: century digit %d does not match "
		    "birth year %d", g, year);
		return -1;
	}
	if (g != want) {
		snprintf(reason, rsz, "personal_id: digit %d means %s, but sex is %s",
		    g, g % 2 ? "female" : "male", sex);
		return -1;
	}
	if (num(pid + 4, 2) != year % 100) {
		snprintf(reason, rsz, "personal_id: year digits %.2s do not match "
		    "birth year %d", pid + 4, year);
		return -1;
	}
	return 0;
}

bool
person_id_valid(const char *pid)
{
	return pid != NULL && strlen(pid) == 12 && all_digits(pid, 12);
}

bool
person_card_number_valid(const char *s, size_t n)
{
	return (n == 9 || n == 12) && all_digits(s, n);
}

static bool
is_control(ucs4_t uc)
{
	return uc < 0x20 || (uc >= 0x7f && uc < 0xa0) || uc == 0x2028 ||
	    uc == 0x2029;
}

/*
 * Characters that are their own NFC form and never combine with a
 * neighbour (NFC_Quick_Check=Yes, canonical combining class 0): ASCII and
 * the precomposed Latin letters Vietnamese is written with.
 */
static bool
nfc_stable(ucs4_t uc)
{
	return uc < 0x0300 || uc == 0x01a0 || uc == 0x01a1 || uc == 0x01af ||
	    uc == 0x01b0 || (uc >= 0x1ea0 && uc <= 0x1ef9);
}

/*
 * One pass over the text: -1 when not UTF-8, -2 on a control character;
 * else the number of characters, with *stable telling whether every one
 * is NFC-stable (then the text is already in NFC).
 */
static long
scan_text(const uint8_t *s, size_t n, bool *stable)
{
	const uint8_t *p = s, *end = s + n;
	long chars = 0;
	ucs4_t uc;

	*stable = true;
	while (p < end) {
		int l;

		/* ASCII, most of every name and address, without a decoder call. */
		if (*p < 0x80) {
			if (is_control(*p))
				return -2;
			p++;
			chars++;
			continue;
		}
		l = u8_mbtoucr(&uc, p, (size_t)(end - p));
		if (l < 0)
			return -1;
		if (is_control(uc))
			return -2;
		if (uc >= 0x0300 && !nfc_stable(uc))
			*stable = false;
		p += l;
		chars++;
	}
	return chars;
}

int
person_text(const char *in, size_t n, size_t max_chars, char *out,
    size_t outsz, const char *what, char *reason, size_t rsz)
{
	uint8_t *nfc = NULL;
	const uint8_t *text;
	size_t len;
	bool stable;
	long chars;

	while (n > 0 && in[0] == ' ') {
		in++;
		n--;
	}
	while (n > 0 && in[n - 1] == ' ')
		n--;
	if (n == 0) {
		snprintf(reason, rsz, "%s is empty", what);
		return -1;
	}
	if ((chars = scan_text((const uint8_t *)in, n, &stable)) == -1) {
		snprintf(reason, rsz, "%s is not valid UTF-8", what);
		return -1;
	}
	if (chars == -2) {
		snprintf(reason, rsz, "%s contains a control character", what);
		return -1;
	}
	text = (const uint8_t *)in;
	len = n;
	if (!stable) {
		nfc = u8_normalize(UNINORM_NFC, text, n, NULL, &len);
		if (nfc == NULL) {
			snprintf(reason, rsz, "%s cannot be normalised", what);
			return -1;
		}
		text = nfc;
		chars = (long)u8_mbsnlen(nfc, len);
	}
	/* The limits are on the stored (NFC) text, however the input was written. */
	if ((size_t)chars > max_chars) {
		free(nfc);
		snprintf(reason, rsz, "%s is longer than %zu characters", what, max_chars);
		return -1;
	}
	if (len >= outsz) {
		free(nfc);
		snprintf(reason, rsz, "%s is too long", what);
		return -1;
	}
	memcpy(out, text, len);
	out[len] = '\0';
	free(nfc);
	return 0;
}

static int
date_field(char out[11], const char *s, size_t n, const char *what,
    char *reason, size_t rsz)
{
	if (!person_date_valid(s, n)) {
		snprintf(reason, rsz, "%s: not a valid date (YYYY-MM-DD): \"%.*s\"",
		    what, (int)(n > 20 ? 20 : n), s);
		return -1;
	}
	memcpy(out, s, 10);
	out[10] = '\0';
	return 0;
}

static int
enum_field(char *out, size_t outsz, const char *s, size_t n,
    const char *a, const char *b, const char *what, char *reason, size_t rsz)
{
	if ((n == strlen(a) && memcmp(s, a, n) == 0) ||
	    (n == strlen(b) && memcmp(s, b, n) == 0)) {
		snprintf(out, outsz, "%.*s", (int)n, s);
		return 0;
	}
	snprintf(reason, rsz, "%s must be %s or %s", what, a, b);
	return -1;
}

static int
dates_consistent(const struct person *p, const char *today, char *reason, size_t rsz)
{
	if (today != NULL && strcmp(p->birth_date, today) > 0) {
		snprintf(reason, rsz, "birth_date is in the future");
		return -1;
	}
	if (strcmp(p->card_issued_on, p->birth_date) < 0) {
		snprintf(reason, rsz, "card_issued_on is before birth_date");
		return -1;
	}
	if (today != NULL && strcmp(p->card_issued_on, today) > 0) {
		snprintf(reason, rsz, "card_issued_on is in the future");
		return -1;
	}
	if (strcmp(p->card_expires_on, p->card_issued_on) < 0) {
		snprintf(reason, rsz, "card_expires_on is before card_issued_on");
		return -1;
	}
	return 0;
}

int
person_from_fields(struct person *p, const char *const f[], const size_t len[],
    const char *today, char *reason, size_t rsz)
{
	memset(p, 0, sizeof(*p));
	if (len[0] != 12 || !all_digits(f[0], 12)) {
		snprintf(reason, rsz, "personal_id must be 12 digits");
		return -1;
	}
	memcpy(p->personal_id, f[0], 12);
	if (person_text(f[1], len[1], 100, p->full_name, sizeof(p->full_name),
	    "full_name", reason, rsz) != 0 ||
	    date_field(p->birth_date, f[2], len[2], "birth_date", reason, rsz) != 0 ||
	    enum_field(p->sex, sizeof(p->sex), f[3], len[3], "male", "female",
	    "sex", reason, rsz) != 0 ||
	    person_check_id(p->personal_id, p->birth_date, p->sex, reason, rsz) != 0 ||
	    person_text(f[4], len[4], 40, p->nationality, sizeof(p->nationality),
	    "nationality", reason, rsz) != 0 ||
	    person_text(f[5], len[5], 150, p->place_of_origin,
	    sizeof(p->place_of_origin), "place_of_origin", reason, rsz) != 0 ||
	    person_text(f[6], len[6], 150, p->residence, sizeof(p->residence),
	    "residence", reason, rsz) != 0)
		return -1;
	if (!person_card_number_valid(f[7], len[7])) {
		snprintf(reason, rsz, "card_number must be 9 or 12 digits");
		return -1;
	}
	memcpy(p->card_number, f[7], len[7]);
	if (date_field(p->card_issued_on, f[8], len[8], "card_issued_on", reason, rsz) != 0 ||
	    date_field(p->card_expires_on, f[9], len[9], "card_expires_on", reason, rsz) != 0 ||
	    enum_field(p->status, sizeof(p->status), f[10], len[10], "living",
	    "deceased", "status", reason, rsz) != 0)
		return -1;
	return dates_consistent(p, today, reason, rsz);
}
