/*
 * test_phone: unit tests for Vietnamese mobile numbers: every accepted form
 * normalises to the one +84 form, each refusal, and masking.
 */
#include "t.h"

#include "base.h"
#include "phone.h"

struct accept_case {
	const char *in;
	const char *want;
};

static const struct accept_case accepted[] = {
	/* Viettel 09x */
	{ "0912345678", "+84912345678" },
	{ "+84912345678", "+84912345678" },
	{ "84912345678", "+84912345678" },
	{ "091 234 5678", "+84912345678" },
	{ "091.234.5678", "+84912345678" },
	{ "091-234-5678", "+84912345678" },
	{ "+84 91 234 56 78", "+84912345678" },
	{ "84-912-345-678", "+84912345678" },
	/* Viettel 03x */
	{ "0356789012", "+84356789012" },
	{ "+84356789012", "+84356789012" },
	{ "84 356 789 012", "+84356789012" },
	/* Vietnamobile 05x, Gmobile 059 */
	{ "0521234567", "+84521234567" },
	{ "0591234567", "+84591234567" },
	{ "+84.59.123.4567", "+84591234567" },
	/* Mobifone 07x, 090, 093 */
	{ "0701234789", "+84701234789" },
	{ "84701234789", "+84701234789" },
	{ "0931234567", "+84931234567" },
	/* Vinaphone 08x, Viettel 086 */
	{ "0861234567", "+84861234567" },
	{ "+84 86-123.4567", "+84861234567" },
	{ "0889999999", "+84889999999" },
};

static const char *const refused[] = {
	"",			/* empty */
	"+",			/* nothing after + */
	"02438256789",		/* Hanoi landline, 11 digits */
	"0243825678",		/* a landline shape of 10 digits */
	"+84243825678",		/* landline in +84 form */
	"84243825678",
	"091234567",		/* 9 digits */
	"09123456789",		/* 11 digits */
	"+8491234567",		/* 8 digits after 84 */
	"+849123456789",	/* 10 digits after 84 */
	"912345678",		/* no 0 or 84 */
	"+1 650 253 0000",	/* not Vietnam */
	"+0912345678",		/* + with a national number */
	"0112345678",		/* subscriber starting 1 */
	"0612345678",		/* subscriber starting 6 */
	"0412345678",		/* subscriber starting 4 */
	"09l2345678",		/* a letter */
	"abc",
	"0912345678x",
	" 0912345678",		/* separator first */
	"0912345678 ",		/* separator last */
	"091  2345678",		/* two separators */
	"091/234/5678",		/* not a separator */
	"(091) 2345678",
	"0912345678901234567890", /* far too long */
};

TEST(accepted_forms_normalise)
{
	for (size_t i = 0; i < ARRAY_LEN(accepted); i++) {
		char out[PHONE_E164_SIZE] = "x", reason[128] = "";

		CHECK_EQ_INT(phone_normalize(accepted[i].in, out, reason,
		    sizeof(reason)), 0);
		CHECK_STR(out, accepted[i].want);
		if (strcmp(out, accepted[i].want) != 0)
			fprintf(stderr, "  input \"%s\" (%s)\n", accepted[i].in, reason);
	}
}

TEST(refusals)
{
	for (size_t i = 0; i < ARRAY_LEN(refused); i++) {
		char out[PHONE_E164_SIZE] = "x", reason[128] = "";
		int rc = phone_normalize(refused[i], out, reason, sizeof(reason));

		CHECK_EQ_INT(rc, -1);
		CHECK_STR(out, "");
		CHECK(reason[0] != '\0');
		if (rc != -1)
			fprintf(stderr, "  input \"%s\" accepted\n", refused[i]);
	}
}

TEST(refusal_reasons_name_the_problem)
{
	char out[PHONE_E164_SIZE], reason[128];

	CHECK_EQ_INT(phone_normalize("0243825678", out, reason, sizeof(reason)), -1);
	CHECK(strstr(reason, "landline") != NULL);
	CHECK_EQ_INT(phone_normalize("09a2345678", out, reason, sizeof(reason)), -1);
	CHECK(strstr(reason, "digits") != NULL);
	CHECK_EQ_INT(phone_normalize("", out, reason, sizeof(reason)), -1);
	CHECK(strstr(reason, "empty") != NULL);
	CHECK_EQ_INT(phone_normalize(NULL, out, reason, sizeof(reason)), -1);
	/* The reason is optional. */
	CHECK_EQ_INT(phone_normalize("abc", out, NULL, 0), -1);
}

TEST(mask_shows_last_three)
{
	char out[PHONE_MASK_SIZE];

	phone_mask("+84912345789", out);
	CHECK_STR(out, "+84******789");
	phone_mask("+84356789012", out);
	CHECK_STR(out, "+84******012");
	phone_mask("", out);
	CHECK_STR(out, "***");
	phone_mask(NULL, out);
	CHECK_STR(out, "***");
	phone_mask("+8491234567890123456", out);
	CHECK_STR(out, "***");
}

T_MAIN(T(accepted_forms_normalise), T(refusals),
    T(refusal_reasons_name_the_problem), T(mask_shows_last_three))
