/*
 * test_i18n: unit tests for the language choice (cookie over header, only
 * an en first tag picks English) and the text table: every entry in both
 * languages, the two differing, and formats matching their comments.
 */
#include "t.h"

#include "base.h"
#include "i18n.h"

struct pick_case {
	const char *cookie, *accept;
	enum lang want;
};

static const struct pick_case picks[] = {
	{ NULL, NULL, LANG_VI },
	{ "", "", LANG_VI },
	{ "en", NULL, LANG_EN },
	{ "EN", NULL, LANG_EN },
	{ "vi", NULL, LANG_VI },
	{ "vi", "en-US,en;q=0.9", LANG_VI },	/* the cookie wins */
	{ "en", "vi-VN,vi;q=0.9", LANG_EN },
	{ NULL, "en", LANG_EN },
	{ NULL, "en-US,en;q=0.9", LANG_EN },
	{ NULL, "EN-gb", LANG_EN },
	{ NULL, "en;q=0.8", LANG_EN },
	{ NULL, " en-US", LANG_EN },
	{ NULL, "vi-VN,vi;q=0.9,en-US;q=0.8", LANG_VI },	/* en not first */
	{ NULL, "fr-FR,en;q=0.5", LANG_VI },
	{ NULL, "*", LANG_VI },
	{ NULL, "eng", LANG_VI },	/* not the tag en */
	{ NULL, "e", LANG_VI },
	{ "fr", "en-US", LANG_EN },	/* an unknown cookie falls to the header */
	{ "english", NULL, LANG_VI },
	{ "en ", "vi", LANG_VI },
};

TEST(pick_rules)
{
	for (size_t i = 0; i < ARRAY_LEN(picks); i++) {
		enum lang got = i18n_pick(picks[i].cookie, picks[i].accept);

		CHECK_EQ_INT(got, picks[i].want);
		if (got != picks[i].want)
			fprintf(stderr, "  cookie \"%s\", header \"%s\"\n",
			    picks[i].cookie ? picks[i].cookie : "(null)",
			    picks[i].accept ? picks[i].accept : "(null)");
	}
}

TEST(codes)
{
	CHECK_STR(i18n_code(LANG_VI), "vi");
	CHECK_STR(i18n_code(LANG_EN), "en");
	CHECK_STR(i18n_code((enum lang)7), "vi");
}

/* Texts that may read the same in both languages (none so far). */
static int
may_be_equal(enum msg m)
{
	UNUSED(m);
	return 0;
}

TEST(every_entry_in_both_languages)
{
	for (int i = 0; i < MSG_COUNT; i++) {
		const char *vi = i18n(LANG_VI, (enum msg)i);
		const char *en = i18n(LANG_EN, (enum msg)i);

		CHECK(vi != NULL && vi[0] != '\0');
		CHECK(en != NULL && en[0] != '\0');
		if (vi == NULL || en == NULL || vi[0] == '\0' || en[0] == '\0') {
			fprintf(stderr, "  message %d is missing a text\n", i);
			continue;
		}
		if (!may_be_equal((enum msg)i) && strcmp(vi, en) == 0) {
			CHECK(strcmp(vi, en) != 0);
			fprintf(stderr, "  message %d: \"%s\" in both\n", i, vi);
		}
	}
}

TEST(out_of_range_is_empty_not_null)
{
	CHECK_STR(i18n(LANG_VI, MSG_COUNT), "");
	CHECK_STR(i18n(LANG_EN, (enum msg)(MSG_COUNT + 5)), "");
	CHECK_STR(i18n((enum lang)9, MSG_TITLE_LOGIN), i18n(LANG_VI,
	    MSG_TITLE_LOGIN));
}

/* The conversions of `s` ("s", "ld", ...) joined in out; -1 on "%%" or junk. */
static int
conversions(const char *s, char *out, size_t outsz)
{
	size_t n = 0;

	out[0] = '\0';
	for (const char *p = strchr(s, '%'); p != NULL; p = strchr(p, '%')) {
		const char *conv = strncmp(p + 1, "ld", 2) == 0 ? "ld" :
		    p[1] == 's' ? "s" : NULL;

		if (conv == NULL || n + strlen(conv) + 2 > outsz)
			return -1;
		n += (size_t)snprintf(out + n, outsz - n, "%s;", conv);
		p += 1 + strlen(conv);
	}
	return 0;
}

struct format_case {
	enum msg m;
	const char *convs;
};

static const struct format_case formats[] = {
	{ MSG_HINT_SMS_CODE, "s;" },
	{ MSG_ERR_TOO_MANY_ATTEMPTS, "ld;" },
	{ MSG_ERR_NETWORK_LIMIT, "ld;" },
	{ MSG_ERR_RESEND_WAIT, "ld;" },
};

static const char *
expected_convs(int m)
{
	for (size_t i = 0; i < ARRAY_LEN(formats); i++)
		if ((int)formats[i].m == m)
			return formats[i].convs;
	return "";
}

TEST(formats_match_their_comments)
{
	for (int i = 0; i < MSG_COUNT; i++) {
		for (int l = 0; l < LANG_COUNT; l++) {
			char got[32];
			int rc = conversions(i18n((enum lang)l, (enum msg)i), got,
			    sizeof(got));

			CHECK_EQ_INT(rc, 0);
			CHECK_STR(got, expected_convs(i));
			if (rc != 0 || strcmp(got, expected_convs(i)) != 0)
				fprintf(stderr, "  message %d, language %d\n", i, l);
		}
	}
}

TEST(a_format_formats)
{
	char buf[256];

	snprintf(buf, sizeof(buf), i18n(LANG_EN, MSG_ERR_TOO_MANY_ATTEMPTS), 30L);
	CHECK_STR(buf, "Too many attempts. Please wait 30 seconds and try again.");
	snprintf(buf, sizeof(buf), i18n(LANG_VI, MSG_HINT_SMS_CODE),
	    "+84******789");
	CHECK(strstr(buf, "+84******789") != NULL);
}

TEST(vietnamese_has_diacritics)
{
	CHECK_STR(i18n(LANG_VI, MSG_LABEL_PERSONAL_ID), "Số định danh cá nhân");
	CHECK_STR(i18n(LANG_VI, MSG_LABEL_PHONE), "Số điện thoại di động");
	CHECK_STR(i18n(LANG_VI, MSG_LANG_NAME), "Tiếng Việt");
	CHECK_STR(i18n(LANG_EN, MSG_LANG_NAME), "English");
}

T_MAIN(T(pick_rules), T(codes), T(every_entry_in_both_languages),
    T(out_of_range_is_empty_not_null), T(formats_match_their_comments),
    T(a_format_formats), T(vietnamese_has_diacritics))
