/* Unit tests for common/form: urlencoded parsing and its limits. */
#include <string.h>

#include "form.h"
#include "t.h"

static struct form *
parse(const char *s)
{
	struct form *f = NULL;

	if (form_parse(s, strlen(s), &f) != 0)
		return NULL;
	return f;
}

TEST(fields_decoded)
{
	struct form *f = parse("personal_id=001090000001&full_name=Nguy%E1%BB%85n+V%C4%83n+An"
	    "&empty=&flag&password=a%2Bb%26c%3Dd");

	CHECK(f != NULL);
	CHECK_STR(form_get(f, "personal_id"), "001090000001");
	CHECK_STR(form_get(f, "full_name"), "Nguyễn Văn An");
	CHECK_STR(form_get(f, "empty"), "");
	CHECK_STR(form_get(f, "flag"), "");
	CHECK_STR(form_get(f, "password"), "a+b&c=d");
	CHECK(form_get(f, "missing") == NULL);
	form_free(f);
}

TEST(first_of_repeated_wins)
{
	struct form *f = parse("a=1&a=2&&b=3");

	CHECK(f != NULL);
	CHECK_STR(form_get(f, "a"), "1");
	CHECK_STR(form_get(f, "b"), "3");
	form_free(f);
}

TEST(repeats_counted)
{
	struct form *f = parse("a=1&b=2&c=3&b=4&a=5&a=6");
	struct form *g = parse("a=1&b=2");

	CHECK(f != NULL && g != NULL);
	CHECK(form_count(f, "a") == 3);
	CHECK(form_count(f, "b") == 2);
	CHECK(form_count(f, "c") == 1);
	CHECK(form_count(f, "d") == 0);
	CHECK_STR(form_repeated(f), "b");
	CHECK(form_repeated(g) == NULL);
	CHECK(form_repeated(NULL) == NULL);
	form_free(f);
	form_free(g);
}

TEST(malformed_refused)
{
	const char *bad[] = { "a=%", "a=%4", "a=%zz", "a=%00", "a=%C3", "a=%C3%28",
	    "a=%ED%A0%80", "a=%F4%90%80%80", "a=%C0%AF", "%ZZ=1" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct form *f = NULL;
		CHECK(form_parse(bad[i], strlen(bad[i]), &f) == -1);
		CHECK(f == NULL);
	}
}

TEST(too_many_fields_refused)
{
	char body[512] = "";
	struct form *f = NULL;

	for (int i = 0; i < FORM_MAX_FIELDS; i++)
		strcat(body, "x=1&");
	CHECK(form_parse(body, strlen(body), &f) == 0);
	form_free(f);
	strcat(body, "y=2");
	CHECK(form_parse(body, strlen(body), &f) == -1);
}

TEST(empty_body_and_bounds)
{
	struct form *f = NULL;
	const char *s = "a=1&b=2";

	CHECK(form_parse("", 0, &f) == 0);
	CHECK(form_get(f, "a") == NULL);
	form_free(f);
	/* only the first len bytes count */
	CHECK(form_parse(s, 3, &f) == 0);
	CHECK_STR(form_get(f, "a"), "1");
	CHECK(form_get(f, "b") == NULL);
	form_free(f);
	CHECK(form_parse(NULL, 0, &f) == -1);
}

TEST(unescape_in_place)
{
	char a[] = "c%5Fabc%2Dx+y", b[] = "bad%zz", c[] = "nul%00";

	CHECK_EQ_INT(form_unescape(a), 0);
	CHECK_STR(a, "c_abc-x y");
	CHECK_EQ_INT(form_unescape(b), -1);
	CHECK_STR(b, "bad%zz");
	CHECK_EQ_INT(form_unescape(c), -1);
	CHECK_EQ_INT(form_unescape(NULL), -1);
}

T_MAIN(T(unescape_in_place), T(fields_decoded), T(first_of_repeated_wins),
    T(repeats_counted), T(malformed_refused),
    T(too_many_fields_refused), T(empty_body_and_bounds))
