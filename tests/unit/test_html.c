/*
 * test_html: unit tests for the page builder: escaping, inputs with and
 * without their optional attributes, the CSRF field of every form, the
 * percent-encoded language link, the page frame, and buffer growth.
 */
#include "t.h"

#include "base.h"
#include "html.h"

/* The document so far as a string (the buffer is NUL-terminated). */
static const char *
doc(const struct html *h)
{
	return html_data(h, NULL);
}

static int
has(const struct html *h, const char *needle)
{
	return strstr(doc(h), needle) != NULL;
}

TEST(text_escapes_every_special_character)
{
	struct html *h = html_new();

	html_text(h, "a&b<c>d\"e'f");
	CHECK_STR(doc(h), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
	html_text(h, NULL);
	html_text(h, "");
	html_text(h, "<<>>");
	CHECK_STR(doc(h), "a&amp;b&lt;c&gt;d&quot;e&#39;f&lt;&lt;&gt;&gt;");
	CHECK(!html_failed(h));
	html_free(h);
}

TEST(text_keeps_utf8_and_plain_text)
{
	struct html *h = html_new();

	html_text(h, "Nguyễn Văn An");
	CHECK_STR(doc(h), "Nguyễn Văn An");
	html_free(h);
}

TEST(raw_and_printf_do_not_escape)
{
	struct html *h = html_new();
	size_t len = 99;

	html_raw(h, "<b>");
	html_printf(h, "<i>%s %d</i>", "<x>", 42);
	CHECK_STR(html_data(h, &len), "<b><i><x> 42</i>");
	CHECK_EQ_INT(len, strlen("<b><i><x> 42</i>"));
	html_free(h);
}

TEST(textf_escapes_the_formatted_result)
{
	struct html *h = html_new();

	html_textf(h, "wait %ld s for <%s>", 30L, "a&b");
	CHECK_STR(doc(h), "wait 30 s for &lt;a&amp;b&gt;");
	html_free(h);
}

TEST(urlencode)
{
	struct html *h = html_new();

	html_urlencode(h, "/a b/c?d=1&e=\"é\"~_.-Z9");
	CHECK_STR(doc(h), "%2Fa%20b%2Fc%3Fd%3D1%26e%3D%22%C3%A9%22~_.-Z9");
	html_free(h);
}

TEST(messages_are_escaped_with_roles)
{
	struct html *h = html_new();

	html_error(h, "bad <input>");
	html_notice(h, "sent & done");
	html_error(h, NULL);
	CHECK_STR(doc(h), "<p class=\"error\" role=\"alert\">bad &lt;input&gt;</p>\n"
	    "<p class=\"notice\" role=\"status\">sent &amp; done</p>\n");
	html_free(h);
}

TEST(form_always_has_the_csrf_field)
{
	struct html *h = html_new();

	html_form_begin(h, "/login?x=1&y=\"2\"", "tok<en>");
	html_form_end(h);
	CHECK_STR(doc(h), "<form method=\"post\" action=\"/login?x=1&amp;y=&quot;2&quot;\">\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"tok&lt;en&gt;\">\n"
	    "</form>\n");
	html_free(h);

	h = html_new();
	html_form_begin(h, "/register", NULL);
	CHECK(has(h, "<input type=\"hidden\" name=\"csrf\" value=\"\">"));
	CHECK(!has(h, "novalidate"));
	html_free(h);
}

TEST(hidden_escapes)
{
	struct html *h = html_new();

	html_hidden(h, "flow", "a\"b");
	CHECK_STR(doc(h), "<input type=\"hidden\" name=\"flow\" value=\"a&quot;b\">\n");
	html_free(h);
}

TEST(input_with_only_required_parts)
{
	struct html *h = html_new();
	struct html_input in = { .name = "full_name", .label = "Họ & tên" };

	html_input(h, &in);
	CHECK_STR(doc(h), "<div class=\"field\">\n"
	    "<label for=\"f-full_name\">Họ &amp; tên</label>\n"
	    "<input id=\"f-full_name\" name=\"full_name\" type=\"text\">\n"
	    "</div>\n");
	html_free(h);
}

TEST(input_with_every_attribute)
{
	struct html *h = html_new();
	struct html_input in = {
		.name = "code", .label = "Mã", .type = "text",
		.autocomplete = "one-time-code", .value = "12\"3",
		.hint = "6 <digits>", .inputmode = "numeric",
		.pattern = "[0-9]{6}", .maxlength = 6, .required = true,
		.autofocus = true,
	};

	html_input(h, &in);
	CHECK_STR(doc(h), "<div class=\"field\">\n"
	    "<label for=\"f-code\">Mã</label>\n"
	    "<input id=\"f-code\" name=\"code\" type=\"text\" "
	    "autocomplete=\"one-time-code\" value=\"12&quot;3\" required "
	    "maxlength=\"6\" inputmode=\"numeric\" pattern=\"[0-9]{6}\" "
	    "autofocus aria-describedby=\"h-code\">\n"
	    "<p class=\"hint\" id=\"h-code\">6 &lt;digits&gt;</p>\n"
	    "</div>\n");
	html_free(h);
}

TEST(input_error_is_described_and_invalid)
{
	struct html *h = html_new();
	struct html_input in = { .name = "phone", .label = "Phone",
	    .type = "tel", .hint = "0xxxxxxxxx", .error = "Not <mobile>" };

	html_input(h, &in);
	CHECK(has(h, " aria-describedby=\"e-phone h-phone\" aria-invalid=\"true\">"));
	CHECK(has(h, "<p class=\"field-error\" id=\"e-phone\">Not &lt;mobile&gt;</p>"));
	CHECK(has(h, "<p class=\"hint\" id=\"h-phone\">0xxxxxxxxx</p>"));
	html_free(h);
}

TEST(password_input_never_echoes_its_value)
{
	struct html *h = html_new();
	struct html_input in = { .name = "password", .label = "Mật khẩu",
	    .type = "password", .value = "hunter22",
	    .autocomplete = "current-password" };

	html_input(h, &in);
	CHECK(!has(h, "hunter22"));
	CHECK(!has(h, "value="));
	CHECK(has(h, "type=\"password\" autocomplete=\"current-password\">"));
	html_free(h);
}

TEST(input_name_is_escaped_everywhere)
{
	struct html *h = html_new();
	struct html_input in = { .name = "a\"b", .label = "L", .hint = "H" };

	html_input(h, &in);
	CHECK(has(h, "for=\"f-a&quot;b\""));
	CHECK(has(h, "id=\"f-a&quot;b\" name=\"a&quot;b\""));
	CHECK(has(h, "id=\"h-a&quot;b\""));
	CHECK(!has(h, "a\"b"));
	html_free(h);
}

TEST(buttons)
{
	struct html *h = html_new();

	html_button(h, NULL, NULL, "Đăng nhập", true);
	html_button(h, "action", "resend", "Gửi <lại>", false);
	CHECK_STR(doc(h), "<button type=\"submit\" class=\"primary\">Đăng nhập</button>\n"
	    "<button type=\"submit\" class=\"secondary\" name=\"action\" "
	    "value=\"resend\">Gửi &lt;lại&gt;</button>\n");
	html_free(h);
}

TEST(links_and_facts)
{
	struct html *h = html_new();

	html_link(h, "/a?b=1&c=2", "x<y");
	html_fact(h, "Tên", "<b>");
	CHECK_STR(doc(h), "<a href=\"/a?b=1&amp;c=2\">x&lt;y</a>"
	    "<dt>Tên</dt><dd>&lt;b&gt;</dd>\n");
	html_free(h);
}

TEST(page_frame_vietnamese)
{
	struct html *h = html_new();

	html_page_begin(h, LANG_VI, "Đăng <nhập>", "/login");
	html_page_end(h, LANG_VI);
	CHECK(strncmp(doc(h), "<!doctype html>\n<html lang=\"vi\">", 31) == 0);
	CHECK(has(h, "<meta charset=\"utf-8\">"));
	CHECK(has(h, "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">"));
	CHECK(has(h, "<title>Đăng &lt;nhập&gt; · dinhdanh</title>"));
	CHECK(has(h, "<link rel=\"stylesheet\" href=\"/static/site.css\">"));
	CHECK(has(h, "<a class=\"brand\" href=\"/\">dinhdanh</a>"));
	CHECK(has(h, "<a class=\"lang\" href=\"/lang?to=en&amp;back=%2Flogin\" "
	    "lang=\"en\" hreflang=\"en\">English</a>"));
	CHECK(has(h, "<main>"));
	CHECK(has(h, "</main>"));
	CHECK(has(h, "<footer"));
	CHECK(has(h, "</html>\n"));
	/* The strict CSP: nothing inline. */
	CHECK(!has(h, "style="));
	CHECK(!has(h, "<style"));
	CHECK(!has(h, "<script"));
	CHECK(!has(h, " on"));
	html_free(h);
}

TEST(page_frame_english_links_to_vietnamese)
{
	struct html *h = html_new();

	html_page_begin(h, LANG_EN, "Sign in", "/account/totp?x=a b&y=<1>");
	CHECK(has(h, "<html lang=\"en\">"));
	CHECK(has(h, "href=\"/lang?to=vi&amp;back="
	    "%2Faccount%2Ftotp%3Fx%3Da%20b%26y%3D%3C1%3E\" lang=\"vi\" "
	    "hreflang=\"vi\">Tiếng Việt</a>"));
	html_free(h);
}

TEST(language_link_refuses_foreign_back_paths)
{
	const char *bad[] = { NULL, "", "login", "//evil.example/x",
	    "/\\evil.example", "https://evil.example/" };

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct html *h = html_new();

		html_page_begin(h, LANG_VI, NULL, bad[i]);
		CHECK(has(h, "back=%2F\""));
		CHECK(has(h, "<title>dinhdanh</title>"));
		html_free(h);
	}
}

TEST(long_document_grows)
{
	struct html *h = html_new();
	char line[64];
	size_t len = 0, want = 0;
	const char *d;
	int bad = 0;

	for (int i = 0; i < 20000; i++) {
		int n = snprintf(line, sizeof(line), "<p>line %d &</p>\n", i);

		html_printf(h, "<p>line %d ", i);
		html_text(h, "&");
		html_raw(h, "</p>\n");
		want += (size_t)n + 4;	/* "&" became "&amp;" */
	}
	CHECK(!html_failed(h));
	d = html_data(h, &len);
	CHECK_EQ_INT(len, want);
	CHECK_EQ_INT(strlen(d), len);
	CHECK(strncmp(d, "<p>line 0 &amp;</p>\n", 20) == 0);
	for (int i = 0; i < 20000 && !bad; i += 997) {
		snprintf(line, sizeof(line), "<p>line %d &amp;</p>\n", i);
		bad = strstr(d, line) == NULL;
	}
	CHECK(!bad);
	CHECK(strstr(d, "<p>line 19999 &amp;</p>\n") != NULL);
	html_free(h);
}

TEST(past_the_limit_fails_and_stays_failed)
{
	struct html *h = html_new();
	size_t chunk = 1 << 20, len = 1;
	char *big = malloc(chunk + 1);

	CHECK(big != NULL);
	if (big == NULL) {
		html_free(h);
		return;
	}
	memset(big, 'x', chunk);
	big[chunk] = '\0';
	for (size_t i = 0; i <= HTML_MAX_SIZE / chunk; i++)
		html_raw(h, big);
	CHECK(html_failed(h));
	CHECK_STR(html_data(h, &len), "");
	CHECK_EQ_INT(len, 0);
	html_raw(h, "more");
	html_text(h, "more");
	html_printf(h, "%s", "more");
	CHECK(html_failed(h));
	CHECK_STR(html_data(h, NULL), "");
	free(big);
	html_free(h);
}

TEST(null_builder_is_a_failed_one)
{
	size_t len = 5;

	html_raw(NULL, "x");
	html_text(NULL, "x");
	html_printf(NULL, "%d", 1);
	html_page_begin(NULL, LANG_VI, "t", "/");
	html_page_end(NULL, LANG_VI);
	CHECK(html_failed(NULL));
	CHECK_STR(html_data(NULL, &len), "");
	CHECK_EQ_INT(len, 0);
	html_free(NULL);
}

TEST(new_builder_is_empty)
{
	struct html *h = html_new();
	size_t len = 7;

	CHECK(h != NULL);
	CHECK(!html_failed(h));
	CHECK_STR(html_data(h, &len), "");
	CHECK_EQ_INT(len, 0);
	html_free(h);
}

T_MAIN(T(text_escapes_every_special_character), T(text_keeps_utf8_and_plain_text),
    T(raw_and_printf_do_not_escape), T(textf_escapes_the_formatted_result),
    T(urlencode), T(messages_are_escaped_with_roles),
    T(form_always_has_the_csrf_field), T(hidden_escapes),
    T(input_with_only_required_parts), T(input_with_every_attribute),
    T(input_error_is_described_and_invalid),
    T(password_input_never_echoes_its_value),
    T(input_name_is_escaped_everywhere), T(buttons), T(links_and_facts),
    T(page_frame_vietnamese), T(page_frame_english_links_to_vietnamese),
    T(language_link_refuses_foreign_back_paths), T(long_document_grows),
    T(past_the_limit_fails_and_stays_failed), T(null_builder_is_a_failed_one),
    T(new_builder_is_empty))
