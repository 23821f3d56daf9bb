/*
 * phone: parsing, normalising and masking Vietnamese mobile numbers.
 */
#include "phone.h"

#include <stdio.h>
#include <string.h>

#define SUBSCRIBER_LEN 9
#define MAX_DIGITS 16

static int
refuse(char *out, char *reason, size_t rsz, const char *why)
{
	out[0] = '\0';
	if (reason != NULL && rsz > 0)
		snprintf(reason, rsz, "%s", why);
	return -1;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_sep(char c)
{
	return c == ' ' || c == '.' || c == '-';
}

/*
 * The digits of `in` into digits[MAX_DIGITS + 1], with *plus set when it
 * starts with '+'. A separator must stand alone between two digits.
 */
static const char *
collect_digits(const char *in, char *digits, int *plus)
{
	size_t n = 0;
	const char *p = in;

	*plus = 0;
	if (*p == '+') {
		*plus = 1;
		p++;
	}
	if (*p == '\0')
		return "empty phone number";
	for (; *p != '\0'; p++) {
		if (is_digit(*p)) {
			if (n == MAX_DIGITS)
				return "too many digits";
			digits[n++] = *p;
		} else if (is_sep(*p)) {
			if (n == 0 || !is_digit(p[1]))
				return "separators are allowed only between digits";
		} else
			return "only digits, spaces, dots and dashes are allowed";
	}
	digits[n] = '\0';
	return NULL;
}

/* The 9-digit subscriber part of `digits`, or NULL with *why set. */
static const char *
subscriber_part(const char *digits, int plus, const char **why)
{
	size_t n = strlen(digits);

	if (plus || (n == 11 && strncmp(digits, "84", 2) == 0)) {
		if (strncmp(digits, "84", 2) != 0) {
			*why = "not a Vietnamese number (+84)";
			return NULL;
		}
		if (n != 2 + SUBSCRIBER_LEN) {
			*why = "a +84 number has 9 digits after 84";
			return NULL;
		}
		return digits + 2;
	}
	if (n > 0 && digits[0] == '0') {
		if (n != 1 + SUBSCRIBER_LEN) {
			*why = "a number starting with 0 has 10 digits";
			return NULL;
		}
		return digits + 1;
	}
	*why = "not a Vietnamese mobile number (0xxxxxxxxx or +84xxxxxxxxx)";
	return NULL;
}

int
phone_normalize(const char *in, char out[PHONE_E164_SIZE], char *reason,
    size_t rsz)
{
	char digits[MAX_DIGITS + 1];
	const char *why, *sub;
	int plus;

	if (in == NULL)
		return refuse(out, reason, rsz, "empty phone number");
	if ((why = collect_digits(in, digits, &plus)) != NULL)
		return refuse(out, reason, rsz, why);
	if ((sub = subscriber_part(digits, plus, &why)) == NULL)
		return refuse(out, reason, rsz, why);
	if (sub[0] == '2')
		return refuse(out, reason, rsz, "a landline number (02x), not a mobile");
	if (strchr("35789", sub[0]) == NULL)
		return refuse(out, reason, rsz, "not a mobile prefix (03x, 05x, 07x, "
		    "08x or 09x)");
	memcpy(out, "+84", 3);
	memcpy(out + 3, sub, SUBSCRIBER_LEN);
	out[3 + SUBSCRIBER_LEN] = '\0';
	return 0;
}

void
phone_mask(const char *e164, char out[PHONE_MASK_SIZE])
{
	size_t n = e164 != NULL ? strlen(e164) : 0, keep = 0, i;

	if (n < 7 || n >= PHONE_MASK_SIZE) {
		memcpy(out, "***", 4);
		return;
	}
	if (strncmp(e164, "+84", 3) == 0)
		keep = 3;
	memcpy(out, e164, keep);
	for (i = keep; i < n - 3; i++)
		out[i] = '*';
	memcpy(out + n - 3, e164 + n - 3, 4);
}
