/*
 * test_person: unit tests for registry record validation (person): the
 * personal identification number against province, century, sex and birth
 * year; calendar dates; UTF-8 text in NFC; whole records from CSV fields.
 */
#include "t.h"

#include "base.h"
#include "person.h"

/* The 63 codes of shared/data/province-codes.csv. */
static const char *const codes[] = {
	"001", "002", "004", "006", "008", "010", "011", "012", "014", "015",
	"017", "019", "020", "022", "024", "025", "026", "027", "030", "031",
	"033", "034", "035", "036", "037", "038", "040", "042", "044", "045",
	"046", "048", "049", "051", "052", "054", "056", "058", "060", "062",
	"064", "066", "067", "068", "070", "072", "074", "075", "077", "079",
	"080", "082", "083", "084", "086", "087", "089", "091", "092", "093",
	"094", "095", "096",
};

/* A 12-digit ID from its parts. */
static void
make_id(char out[13], const char *ppp, int g, int yy, int serial)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.3s%d%02d%06d", ppp, g % 10, yy % 100,
	    serial % 1000000);
	memcpy(out, buf, 12);
	out[12] = '\0';
}

static int
contains(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

TEST(every_province_code_gives_a_valid_id)
{
	char pid[13], why[200];

	CHECK_EQ_INT(ARRAY_LEN(codes), 63);
	for (size_t i = 0; i < ARRAY_LEN(codes); i++) {
		int rc;
		make_id(pid, codes[i], 0, 90, (int)i + 1);
		why[0] = '\0';
		rc = person_check_id(pid, "1990-05-17", "male", why, sizeof(why));
		if (rc != 0)
			fprintf(stderr, "  %s: %s\n", pid, why);
		CHECK_EQ_INT(rc, 0);
		make_id(pid, codes[i], 3, 4, (int)i + 1);
		CHECK_EQ_INT(person_check_id(pid, "2004-01-31", "female", why,
		    sizeof(why)), 0);
	}
}

TEST(each_century_sex_digit_passes)
{
	static const struct {
		int g;
		const char *birth, *sex;
	} ok[] = {
		{ 0, "1900-01-01", "male" }, { 0, "1999-12-31", "male" },
		{ 1, "1900-01-01", "female" }, { 1, "1985-06-15", "female" },
		{ 2, "2000-01-01", "male" }, { 2, "2099-12-31", "male" },
		{ 3, "2000-02-29", "female" }, { 3, "2012-08-08", "female" },
		{ 4, "2100-01-01", "male" }, { 4, "2199-12-31", "male" },
		{ 5, "2100-03-01", "female" }, { 5, "2150-07-07", "female" },
	};
	char pid[13], why[200];

	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		int yy = atoi(ok[i].birth + 2) % 100, rc;
		make_id(pid, "079", ok[i].g, yy, 123456);
		why[0] = '\0';
		rc = person_check_id(pid, ok[i].birth, ok[i].sex, why, sizeof(why));
		if (rc != 0)
			fprintf(stderr, "  %s %s %s: %s\n", pid, ok[i].birth, ok[i].sex, why);
		CHECK_EQ_INT(rc, 0);
	}
}

TEST(every_mismatch_is_refused)
{
	static const struct {
		const char *pid, *birth, *sex, *why;
	} bad[] = {
		/* G digit against sex */
		{ "001090000001", "1990-05-17", "female", "sex" },
		{ "001190000001", "1990-05-17", "male", "sex" },
		{ "001205000001", "2005-05-17", "female", "sex" },
		{ "001305000001", "2005-05-17", "male", "sex" },
		{ "001450000001", "2150-05-17", "female", "sex" },
		{ "001550000001", "2150-05-17", "male", "sex" },
		/* G digit against century */
		{ "001005000001", "2005-05-17", "male", "century" },
		{ "001105000001", "2005-05-17", "female", "century" },
		{ "001290000001", "1990-05-17", "male", "century" },
		{ "001390000001", "1990-05-17", "female", "century" },
		{ "001405000001", "2005-05-17", "male", "century" },
		{ "001505000001", "2005-05-17", "female", "century" },
		{ "001000000001", "2100-05-17", "male", "century" },
		{ "001200000001", "2100-05-17", "male", "century" },
		{ "001499000001", "1999-05-17", "male", "century" },
		{ "001299000001", "2199-05-17", "male", "century" },
		/* G digit 6-9 */
		{ "001690000001", "1990-05-17", "male", "0-5" },
		{ "001790000001", "1990-05-17", "female", "0-5" },
		{ "001890000001", "1990-05-17", "male", "0-5" },
		{ "001990000001", "1990-05-17", "female", "0-5" },
		/* YY against the birth year */
		{ "001091000001", "1990-05-17", "male", "year" },
		{ "001089000001", "1990-05-17", "male", "year" },
		{ "001210000001", "2001-05-17", "male", "year" },
		{ "001201000001", "2010-05-17", "male", "year" },
		{ "001500000001", "2101-01-01", "female", "year" },
		{ "001090000001", "2090-05-17", "male", "century" },
		/* not 12 digits */
		{ "00109000000a", "1990-05-17", "male", "12 digits" },
		{ "0010900 0001", "1990-05-17", "male", "12 digits" },
		{ "-01090000001", "1990-05-17", "male", "12 digits" },
		{ "001090000001\n", "1990-05-17", "male", "12 digits" },
		{ "00109000000", "1990-05-17", "male", "12 digits" },
		{ "0010900000011", "1990-05-17", "male", "12 digits" },
		{ "", "1990-05-17", "male", "12 digits" },
		{ "\xd9\xa0" "0109000000", "1990-05-17", "male", "12 digits" },
		/* unknown province */
		{ "000090000001", "1990-05-17", "male", "province" },
		{ "003090000001", "1990-05-17", "male", "province" },
		{ "005090000001", "1990-05-17", "male", "province" },
		{ "097090000001", "1990-05-17", "male", "province" },
		{ "999090000001", "1990-05-17", "male", "province" },
	};
	char why[200];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		int rc;
		why[0] = '\0';
		rc = person_check_id(bad[i].pid, bad[i].birth, bad[i].sex, why,
		    sizeof(why));
		if (rc == 0 || !contains(why, bad[i].why) || !contains(why, "personal_id"))
			fprintf(stderr, "  case %zu (%s %s %s): rc %d, \"%s\"\n", i,
			    bad[i].pid, bad[i].birth, bad[i].sex, rc, why);
		CHECK_EQ_INT(rc, -1);
		CHECK(contains(why, bad[i].why));
		CHECK(contains(why, "personal_id"));
	}
	CHECK_EQ_INT(person_check_id(NULL, "1990-05-17", "male", why, sizeof(why)), -1);
}

TEST(date_valid_table)
{
	static const struct {
		const char *s;
		bool ok;
	} cases[] = {
		{ "2000-02-29", true }, { "1900-02-29", false },
		{ "2024-02-29", true }, { "2023-02-29", false },
		{ "2100-02-29", false }, { "2096-02-29", true },
		{ "2001-02-30", false }, { "2001-02-28", true },
		{ "2001-04-31", false }, { "2001-04-30", true },
		{ "2001-06-31", false }, { "2001-09-31", false },
		{ "2001-11-31", false }, { "2001-12-31", true },
		{ "2001-01-31", true }, { "2001-01-32", false },
		{ "2001-13-01", false }, { "2001-00-10", false },
		{ "2001-01-00", false }, { "2001-99-99", false },
		{ "2001/01/01", false }, { "2001.01.01", false },
		{ "2001-01/01", false }, { "2001_01-01", false },
		{ "20010101", false }, { "2001-1-01", false },
		{ "2001-01-1", false }, { "2001-01-011", false },
		{ " 2001-01-01", false }, { "2001-01-01 ", false },
		{ "2001-0a-01", false }, { "2001-01-0x", false },
		{ "+001-01-01", false }, { "-001-01-01", false },
		{ "01-01-2001", false }, { "", false },
		{ "1899-12-31", false }, { "1900-01-01", true },
		{ "2199-12-31", true }, { "2200-01-01", false },
		{ "0000-01-01", false }, { "9999-12-31", false },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		bool got = person_date_valid(cases[i].s, strlen(cases[i].s));
		if (got != cases[i].ok)
			fprintf(stderr, "  \"%s\": got %d\n", cases[i].s, got);
		CHECK(got == cases[i].ok);
	}
	/* Only the n bytes given count. */
	CHECK(person_date_valid("2001-01-01xyz", 10));
	CHECK(!person_date_valid("2001-01-01", 9));
}

TEST(id_form_rule)
{
	CHECK(person_id_valid("001090000001"));
	CHECK(!person_id_valid(NULL));
	CHECK(!person_id_valid(""));
	CHECK(!person_id_valid("00109000000"));
	CHECK(!person_id_valid("0010900000011"));
	CHECK(!person_id_valid("00109000000x"));
	CHECK(!person_id_valid(" 01090000001"));
}

TEST(card_number_rule)
{
	CHECK(person_card_number_valid("123456789", 9));
	CHECK(person_card_number_valid("001090000001", 12));
	CHECK(!person_card_number_valid("12345678", 8));
	CHECK(!person_card_number_valid("1234567890", 10));
	CHECK(!person_card_number_valid("12345678a", 9));
	CHECK(!person_card_number_valid("", 0));
}

/* "Nguyễn" decomposed (e, U+0302, U+0303) and precomposed (U+1EC5). */
#define NGUYEN_NFD "Nguye\xcc\x82\xcc\x83n"
#define NGUYEN_NFC "Nguy\xe1\xbb\x85n"

TEST(text_is_normalised_to_nfc)
{
	char out[256], why[200];

	CHECK_EQ_INT(person_text(NGUYEN_NFD, strlen(NGUYEN_NFD), 100, out,
	    sizeof(out), "full_name", why, sizeof(why)), 0);
	CHECK_STR(out, NGUYEN_NFC);
	CHECK_EQ_INT(strlen(out), 8);
	CHECK_EQ_INT(memcmp(out, "Nguy\xe1\xbb\x85n", 9), 0);
	/* Already NFC: unchanged. */
	CHECK_EQ_INT(person_text(NGUYEN_NFC " V\xc4\x83n An", strlen(NGUYEN_NFC) + 8,
	    100, out, sizeof(out), "full_name", why, sizeof(why)), 0);
	CHECK_STR(out, NGUYEN_NFC " V\xc4\x83n An");
	/* "Hòa" written with a combining grave accent. */
	CHECK_EQ_INT(person_text("Ho\xcc\x80" "a", 5, 100, out, sizeof(out),
	    "residence", why, sizeof(why)), 0);
	CHECK_STR(out, "H\xc3\xb2" "a");
}

TEST(text_refuses_invalid_utf8)
{
	static const char *const bad[] = {
		"\xc0\xaf",			/* overlong '/' */
		"a\xc1\xbf",			/* overlong */
		"\xe0\x80\xaf",			/* overlong, three bytes */
		"\xf0\x80\x80\xaf",		/* overlong, four bytes */
		"\x80",				/* lone continuation */
		"ab\xbf" "cd",			/* lone continuation inside */
		"Nguy\xe1\xbb",			/* truncated at the end */
		"Nguy\xe1\xbbn",		/* truncated inside */
		"\xc3",				/* truncated two-byte */
		"\xed\xa0\x80",			/* surrogate U+D800 */
		"\xed\xbf\xbf",			/* surrogate U+DFFF */
		"\xed\xa0\xbd\xed\xb8\x80",	/* surrogate pair (CESU-8) */
		"\xf4\x90\x80\x80",		/* above U+10FFFF */
		"\xf8\x88\x80\x80\x80",		/* five-byte form */
		"\xff",
		"\xfe\xff",
	};
	char out[64], why[200];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		int rc;
		why[0] = '\0';
		rc = person_text(bad[i], strlen(bad[i]), 100, out, sizeof(out),
		    "full_name", why, sizeof(why));
		if (rc == 0 || !contains(why, "UTF-8"))
			fprintf(stderr, "  case %zu: rc %d \"%s\"\n", i, rc, why);
		CHECK_EQ_INT(rc, -1);
		CHECK(contains(why, "full_name"));
		CHECK(contains(why, "UTF-8"));
	}
}

TEST(text_refuses_control_characters)
{
	static const char *const bad[] = {
		"a\x01" "b", "a\tb", "a\nb", "a\rb", "\x1b[31m", "a\x7f",
		"a\xc2\x80", "a\xc2\x85" "b", "a\xc2\x9f", "a\xe2\x80\xa8" "b",
		"a\xe2\x80\xa9",
	};
	char out[64], why[200];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		int rc;
		why[0] = '\0';
		rc = person_text(bad[i], strlen(bad[i]), 100, out, sizeof(out),
		    "residence", why, sizeof(why));
		if (rc == 0)
			fprintf(stderr, "  case %zu accepted\n", i);
		CHECK_EQ_INT(rc, -1);
		CHECK(contains(why, "residence"));
		CHECK(contains(why, "control"));
	}
	/* An embedded NUL inside the given length is a control character. */
	CHECK_EQ_INT(person_text("a\0b", 3, 100, out, sizeof(out), "residence",
	    why, sizeof(why)), -1);
	/* No-break space and other printable non-ASCII are fine. */
	CHECK_EQ_INT(person_text("a\xc2\xa0" "b", 4, 100, out, sizeof(out),
	    "residence", why, sizeof(why)), 0);
}

static void
repeat(char *out, const char *unit, size_t times)
{
	out[0] = '\0';
	for (size_t i = 0; i < times; i++)
		strcat(out, unit);
}

TEST(text_length_counts_characters)
{
	char in[1024], out[512], why[200];

	/* 100 ASCII characters: fine; 101: too long. */
	repeat(in, "a", 100);
	CHECK_EQ_INT(person_text(in, strlen(in), 100, out, sizeof(out),
	    "full_name", why, sizeof(why)), 0);
	repeat(in, "a", 101);
	CHECK_EQ_INT(person_text(in, strlen(in), 100, out, sizeof(out),
	    "full_name", why, sizeof(why)), -1);
	CHECK(contains(why, "full_name"));
	CHECK(contains(why, "100"));
	/* 60 two-byte letters (120 bytes) are 60 characters. */
	repeat(in, "\xc4\x91", 60);
	CHECK_EQ_INT(person_text(in, strlen(in), 100, out, sizeof(out),
	    "full_name", why, sizeof(why)), 0);
	CHECK_STR(out, in);
	repeat(in, "\xc4\x91", 100);
	CHECK_EQ_INT(person_text(in, strlen(in), 100, out, sizeof(out),
	    "full_name", why, sizeof(why)), 0);
	repeat(in, "\xc4\x91", 101);
	CHECK_EQ_INT(person_text(in, strlen(in), 100, out, sizeof(out),
	    "full_name", why, sizeof(why)), -1);
	/* 40 three-byte letters (120 bytes) against a 40-character limit. */
	repeat(in, "\xe1\xbb\x85", 40);
	CHECK_EQ_INT(person_text(in, strlen(in), 40, out, sizeof(out),
	    "nationality", why, sizeof(why)), 0);
	repeat(in, "\xe1\xbb\x85", 41);
	CHECK_EQ_INT(person_text(in, strlen(in), 40, out, sizeof(out),
	    "nationality", why, sizeof(why)), -1);
	/*
	 * The stored (NFC) text is what the limit is about: 40 letters written
	 * decomposed (120 code points) are still 40 characters.
	 */
	repeat(in, "e\xcc\x82\xcc\x83", 40);
	CHECK_EQ_INT(person_text(in, strlen(in), 40, out, sizeof(out),
	    "nationality", why, sizeof(why)), 0);
	repeat(out + 256, "\xe1\xbb\x85", 40);
	CHECK_STR(out, out + 256);
	repeat(in, "e\xcc\x82\xcc\x83", 41);
	CHECK_EQ_INT(person_text(in, strlen(in), 40, out, sizeof(out),
	    "nationality", why, sizeof(why)), -1);
	/* Output that does not fit the buffer is refused, not truncated. */
	CHECK_EQ_INT(person_text("abcdefgh", 8, 100, out, 8, "full_name", why,
	    sizeof(why)), -1);
	CHECK_EQ_INT(person_text("abcdefg", 7, 100, out, 8, "full_name", why,
	    sizeof(why)), 0);
	CHECK_STR(out, "abcdefg");
}

TEST(text_trims_surrounding_spaces)
{
	const char *in;
	char out[64], why[200];

	in = "   L\xc3\xaa V\xc4\x83n  B   ";
	CHECK_EQ_INT(person_text(in, strlen(in), 100, out, sizeof(out),
	    "full_name", why, sizeof(why)), 0);
	CHECK_STR(out, "L\xc3\xaa V\xc4\x83n  B");
	CHECK_EQ_INT(person_text(" x", 2, 100, out, sizeof(out), "full_name",
	    why, sizeof(why)), 0);
	CHECK_STR(out, "x");
	/* Only spaces, or nothing: empty. */
	CHECK_EQ_INT(person_text("    ", 4, 100, out, sizeof(out), "full_name",
	    why, sizeof(why)), -1);
	CHECK(contains(why, "full_name"));
	CHECK(contains(why, "empty"));
	CHECK_EQ_INT(person_text("", 0, 100, out, sizeof(out), "full_name",
	    why, sizeof(why)), -1);
	/* Spaces do not count towards the limit. */
	CHECK_EQ_INT(person_text("  abc  ", 7, 3, out, sizeof(out), "full_name",
	    why, sizeof(why)), 0);
	CHECK_STR(out, "abc");
}

/* A good record, in CSV field order. */
static const char *const good[PERSON_FIELDS] = {
	"001090000001", "Nguy\xe1\xbb\x85n V\xc4\x83n An", "1990-05-17", "male",
	"Vi\xe1\xbb\x87t Nam", "H\xc3\xa0 N\xe1\xbb\x99i",
	"S\xe1\xbb\x91 1 Tr\xc3\xa0ng Ti\xe1\xbb\x81n, Ho\xc3\xa0n Ki\xe1\xba\xbfm",
	"001090000001", "2021-03-01", "2036-05-17", "living",
};
#define TODAY "2027-01-15"

static int
from_fields(struct person *p, const char *const f[PERSON_FIELDS],
    char *why, size_t wsz)
{
	size_t len[PERSON_FIELDS];

	for (size_t i = 0; i < PERSON_FIELDS; i++)
		len[i] = strlen(f[i]);
	why[0] = '\0';
	return person_from_fields(p, f, len, TODAY, why, wsz);
}

TEST(record_good)
{
	struct person p;
	char why[200];

	CHECK_EQ_INT(from_fields(&p, good, why, sizeof(why)), 0);
	CHECK_STR(p.personal_id, good[0]);
	CHECK_STR(p.full_name, good[1]);
	CHECK_STR(p.birth_date, good[2]);
	CHECK_STR(p.sex, good[3]);
	CHECK_STR(p.nationality, good[4]);
	CHECK_STR(p.place_of_origin, good[5]);
	CHECK_STR(p.residence, good[6]);
	CHECK_STR(p.card_number, good[7]);
	CHECK_STR(p.card_issued_on, good[8]);
	CHECK_STR(p.card_expires_on, good[9]);
	CHECK_STR(p.status, good[10]);
	CHECK_STR(p.date_of_death, "");
	for (size_t i = 0; i < PERSON_FIELDS; i++)
		CHECK(strcmp(person_field_name(i), "?") != 0);
	CHECK_STR(person_field_name(0), "personal_id");
	CHECK_STR(person_field_name(10), "status");
	CHECK_STR(person_field_name(11), "?");
}

TEST(record_normalises_and_trims)
{
	const char *f[PERSON_FIELDS];
	struct person p;
	char why[200];

	memcpy(f, good, sizeof(f));
	f[1] = "  " NGUYEN_NFD " V\xc4\x83n An ";
	f[6] = "Ho\xcc\x80" "n Ki\xe1\xba\xbfm";
	f[10] = "deceased";
	f[7] = "123456789";
	CHECK_EQ_INT(from_fields(&p, f, why, sizeof(why)), 0);
	CHECK_STR(p.full_name, NGUYEN_NFC " V\xc4\x83n An");
	CHECK_STR(p.residence, "H\xc3\xb2n Ki\xe1\xba\xbfm");
	CHECK_STR(p.status, "deceased");
	CHECK_STR(p.card_number, "123456789");
}

TEST(record_each_bad_field_is_named)
{
	static const struct {
		size_t field;
		const char *value, *why;
	} bad[] = {
		{ 0, "00109000000", "personal_id" },
		{ 0, "0010900000011", "personal_id" },
		{ 0, "00109000000x", "personal_id" },
		{ 0, "", "personal_id" },
		{ 0, "000090000001", "personal_id" },	/* unknown province */
		{ 0, "001190000001", "personal_id" },	/* female digit */
		{ 0, "001290000001", "personal_id" },	/* wrong century */
		{ 0, "001091000001", "personal_id" },	/* wrong year */
		{ 0, "001690000001", "personal_id" },	/* digit 6 */
		{ 1, "", "full_name" },
		{ 1, "   ", "full_name" },
		{ 1, "Nguy\xe1\xbbn", "full_name" },
		{ 1, "An\x01", "full_name" },
		{ 2, "1990-02-30", "birth_date" },
		{ 2, "1990-5-17", "birth_date" },
		{ 2, "17/05/1990", "birth_date" },
		{ 2, "", "birth_date" },
		{ 3, "Male", "sex" },
		{ 3, "m", "sex" },
		{ 3, "", "sex" },
		{ 3, "female", "personal_id" },		/* digit 0 is male */
		{ 4, "", "nationality" },
		{ 4, "\xff", "nationality" },
		{ 5, "", "place_of_origin" },
		{ 5, "\xc0\xaf", "place_of_origin" },
		{ 6, "", "residence" },
		{ 6, "a\nb", "residence" },
		{ 7, "12345", "card_number" },
		{ 7, "0010900000a1", "card_number" },
		{ 7, "", "card_number" },
		{ 8, "2021-02-29", "card_issued_on" },
		{ 8, "", "card_issued_on" },
		{ 9, "2036-13-01", "card_expires_on" },
		{ 9, "2036-05-17T00:00", "card_expires_on" },
		{ 10, "alive", "status" },
		{ 10, "", "status" },
		{ 10, "Living", "status" },
		/* consistency between fields */
		{ 9, "2021-02-28", "card_expires_on" },	/* before card_issued_on */
		{ 8, "1989-01-01", "card_issued_on" },	/* before birth_date */
		{ 8, "2027-01-16", "card_issued_on" },	/* in the future */
	};
	const char *f[PERSON_FIELDS];
	struct person p;
	char why[200];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		int rc;
		memcpy(f, good, sizeof(f));
		f[bad[i].field] = bad[i].value;
		rc = from_fields(&p, f, why, sizeof(why));
		if (rc == 0 || !contains(why, bad[i].why))
			fprintf(stderr, "  case %zu (field %zu = \"%s\"): rc %d \"%s\"\n",
			    i, bad[i].field, bad[i].value, rc, why);
		CHECK_EQ_INT(rc, -1);
		CHECK(contains(why, bad[i].why));
	}
}

TEST(record_card_expires_before_issue)
{
	const char *f[PERSON_FIELDS];
	struct person p;
	char why[200];

	memcpy(f, good, sizeof(f));
	f[8] = "2021-03-01";
	f[9] = "2021-02-28";
	CHECK_EQ_INT(from_fields(&p, f, why, sizeof(why)), -1);
	CHECK(contains(why, "card_expires_on"));
	CHECK(contains(why, "card_issued_on"));
	/* The same day is allowed. */
	f[9] = "2021-03-01";
	CHECK_EQ_INT(from_fields(&p, f, why, sizeof(why)), 0);
}

TEST(record_birth_in_future)
{
	const char *f[PERSON_FIELDS];
	struct person p;
	char why[200];

	memcpy(f, good, sizeof(f));
	f[0] = "001227000001";
	f[2] = "2027-01-16";		/* the day after TODAY */
	f[8] = "2027-01-16";
	f[9] = "2040-01-01";
	CHECK_EQ_INT(from_fields(&p, f, why, sizeof(why)), -1);
	CHECK(contains(why, "birth_date"));
	CHECK(contains(why, "future"));
	/* Born today, card issued today: fine. */
	f[2] = TODAY;
	f[8] = TODAY;
	CHECK_EQ_INT(from_fields(&p, f, why, sizeof(why)), 0);
	/* A year well ahead. */
	f[0] = "001450000001";
	f[2] = "2150-01-01";
	f[8] = "2150-01-01";
	f[9] = "2160-01-01";
	CHECK_EQ_INT(from_fields(&p, f, why, sizeof(why)), -1);
	CHECK(contains(why, "birth_date"));
}

T_MAIN(T(every_province_code_gives_a_valid_id), T(each_century_sex_digit_passes),
    T(every_mismatch_is_refused), T(date_valid_table), T(id_form_rule), T(card_number_rule),
    T(text_is_normalised_to_nfc), T(text_refuses_invalid_utf8),
    T(text_refuses_control_characters), T(text_length_counts_characters),
    T(text_trims_surrounding_spaces), T(record_good),
    T(record_normalises_and_trims), T(record_each_bad_field_is_named),
    T(record_card_expires_before_issue), T(record_birth_in_future))
