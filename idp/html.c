/*
 * html: the page buffer, escaping, and the page building blocks.
 */
#include "html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_CAP 4096
#define MAX_BACK_PATH 1024
#define BRAND "dinhdanh"

struct html {
	char *buf;
	size_t len, cap;
	bool failed;
};

struct html *
html_new(void)
{
	return calloc(1, sizeof(struct html));
}

void
html_free(struct html *h)
{
	if (h == NULL)
		return;
	free(h->buf);
	free(h);
}

const char *
html_data(const struct html *h, size_t *len)
{
	if (h == NULL || h->failed || h->buf == NULL) {
		if (len != NULL)
			*len = 0;
		return "";
	}
	if (len != NULL)
		*len = h->len;
	return h->buf;
}

bool
html_failed(const struct html *h)
{
	return h == NULL || h->failed;
}

static void
fail(struct html *h)
{
	free(h->buf);
	h->buf = NULL;
	h->len = h->cap = 0;
	h->failed = true;
}

/* Room for `extra` more bytes and a NUL; false (and failed) when not. */
static bool
reserve(struct html *h, size_t extra)
{
	size_t need, cap;
	char *p;

	if (h == NULL || h->failed)
		return false;
	if (extra >= HTML_MAX_SIZE - h->len) {
		fail(h);
		return false;
	}
	need = h->len + extra + 1;
	if (need <= h->cap)
		return true;
	cap = h->cap != 0 ? h->cap : FIRST_CAP;
	while (cap < need)
		cap *= 2;
	if ((p = realloc(h->buf, cap)) == NULL) {
		fail(h);
		return false;
	}
	h->buf = p;
	h->cap = cap;
	return true;
}

static void
put(struct html *h, const char *s, size_t n)
{
	if (!reserve(h, n))
		return;
	memcpy(h->buf + h->len, s, n);
	h->len += n;
	h->buf[h->len] = '\0';
}

void
html_raw(struct html *h, const char *s)
{
	if (s != NULL)
		put(h, s, strlen(s));
}

static const char *
entity(char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	default: return "&#39;";
	}
}

void
html_text(struct html *h, const char *s)
{
	size_t run;

	if (s == NULL)
		return;
	while (*s != '\0') {
		run = strcspn(s, "&<>\"'");
		put(h, s, run);
		s += run;
		if (*s == '\0')
			break;
		html_raw(h, entity(*s));
		s++;
	}
}

/* Appends the formatted text; with `escape`, through html_text. */
static void
vformat(struct html *h, bool escape, const char *fmt, va_list ap)
{
	va_list ap2;
	char *tmp;
	int n;

	if (h == NULL || h->failed)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		fail(h);
		return;
	}
	if (!escape) {
		if (reserve(h, (size_t)n)) {
			vsnprintf(h->buf + h->len, (size_t)n + 1, fmt, ap);
			h->len += (size_t)n;
		}
		return;
	}
	if ((tmp = malloc((size_t)n + 1)) == NULL) {
		fail(h);
		return;
	}
	vsnprintf(tmp, (size_t)n + 1, fmt, ap);
	html_text(h, tmp);
	free(tmp);
}

void
html_printf(struct html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(h, false, fmt, ap);
	va_end(ap);
}

void
html_textf(struct html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(h, true, fmt, ap);
	va_end(ap);
}

static bool
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

void
html_urlencode(struct html *h, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3];
	size_t run;

	if (s == NULL)
		return;
	while (*s != '\0') {
		for (run = 0; s[run] != '\0' && is_unreserved((unsigned char)s[run]);
		    run++)
			;
		put(h, s, run);
		s += run;
		if (*s == '\0')
			break;
		esc[0] = '%';
		esc[1] = hex[(unsigned char)*s >> 4];
		esc[2] = hex[(unsigned char)*s & 0xf];
		put(h, esc, sizeof(esc));
		s++;
	}
}

/* ` NAME="VALUE"` with VALUE escaped; nothing when value is NULL. */
static void
attr(struct html *h, const char *name, const char *value)
{
	if (value == NULL)
		return;
	html_printf(h, " %s=\"", name);
	html_text(h, value);
	html_raw(h, "\"");
}

/* A path on this site to come back to after switching language. */
static const char *
back_path(const char *path)
{
	if (path == NULL || path[0] != '/' || path[1] == '/' || path[1] == '\\' ||
	    strlen(path) > MAX_BACK_PATH)
		return "/";
	return path;
}

static void
lang_switch(struct html *h, enum lang lang, const char *path)
{
	enum lang other = lang == LANG_EN ? LANG_VI : LANG_EN;
	const char *code = i18n_code(other);

	html_printf(h, "<a class=\"lang\" href=\"/lang?to=%s&amp;back=", code);
	html_urlencode(h, back_path(path));
	html_printf(h, "\" lang=\"%s\" hreflang=\"%s\">", code, code);
	html_text(h, i18n(other, MSG_LANG_NAME));
	html_raw(h, "</a>");
}

void
html_page_begin(struct html *h, enum lang lang, const char *title,
    const char *current_path)
{
	html_printf(h, "<!doctype html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>", i18n_code(lang));
	if (title != NULL && title[0] != '\0') {
		html_text(h, title);
		html_raw(h, " · ");
	}
	html_raw(h, BRAND "</title>\n"
	    "<link rel=\"stylesheet\" href=\"/static/site.css\">\n"
	    "</head>\n<body>\n<header class=\"site\">\n"
	    "<a class=\"brand\" href=\"/\">" BRAND "</a>\n");
	lang_switch(h, lang, current_path);
	html_raw(h, "\n</header>\n<main>\n");
}

void
html_page_end(struct html *h, enum lang lang)
{
	html_raw(h, "</main>\n<footer class=\"site\"><p>" BRAND " · ");
	html_text(h, i18n(lang, MSG_FOOTER));
	html_raw(h, "</p></footer>\n</body>\n</html>\n");
}

static void
message(struct html *h, const char *cls, const char *role, const char *msg)
{
	if (msg == NULL)
		return;
	html_printf(h, "<p class=\"%s\" role=\"%s\">", cls, role);
	html_text(h, msg);
	html_raw(h, "</p>\n");
}

void
html_error(struct html *h, const char *msg)
{
	message(h, "error", "alert", msg);
}

void
html_notice(struct html *h, const char *msg)
{
	message(h, "notice", "status", msg);
}

void
html_form_begin(struct html *h, const char *action, const char *csrf)
{
	html_raw(h, "<form method=\"post\"");
	attr(h, "action", action != NULL ? action : "");
	html_raw(h, ">\n");
	html_hidden(h, "csrf", csrf != NULL ? csrf : "");
}

void
html_form_end(struct html *h)
{
	html_raw(h, "</form>\n");
}

void
html_hidden(struct html *h, const char *name, const char *value)
{
	html_raw(h, "<input type=\"hidden\"");
	attr(h, "name", name != NULL ? name : "");
	attr(h, "value", value != NULL ? value : "");
	html_raw(h, ">\n");
}

/* ` aria-describedby="e-NAME h-NAME"` for whichever of the two exist. */
static void
described_by(struct html *h, const struct html_input *in)
{
	if (in->error == NULL && in->hint == NULL)
		return;
	html_raw(h, " aria-describedby=\"");
	if (in->error != NULL) {
		html_raw(h, "e-");
		html_text(h, in->name);
		if (in->hint != NULL)
			html_raw(h, " ");
	}
	if (in->hint != NULL) {
		html_raw(h, "h-");
		html_text(h, in->name);
	}
	html_raw(h, "\"");
	if (in->error != NULL)
		html_raw(h, " aria-invalid=\"true\"");
}

/* The <input> element itself. */
static void
input_element(struct html *h, const struct html_input *in)
{
	const char *type = in->type != NULL ? in->type : "text";

	html_raw(h, "<input id=\"f-");
	html_text(h, in->name);
	html_raw(h, "\"");
	attr(h, "name", in->name);
	attr(h, "type", type);
	attr(h, "autocomplete", in->autocomplete);
	if (strcmp(type, "password") != 0)
		attr(h, "value", in->value);
	if (in->required)
		html_raw(h, " required");
	if (in->maxlength > 0)
		html_printf(h, " maxlength=\"%d\"", in->maxlength);
	attr(h, "inputmode", in->inputmode);
	attr(h, "pattern", in->pattern);
	if (in->autofocus)
		html_raw(h, " autofocus");
	described_by(h, in);
	html_raw(h, ">\n");
}

/* <p class="CLS" id="PREFIX-NAME">TEXT</p>, when text is set. */
static void
field_note(struct html *h, const char *cls, const char *prefix,
    const char *name, const char *text)
{
	if (text == NULL)
		return;
	html_printf(h, "<p class=\"%s\" id=\"%s-", cls, prefix);
	html_text(h, name);
	html_raw(h, "\">");
	html_text(h, text);
	html_raw(h, "</p>\n");
}

void
html_input(struct html *h, const struct html_input *in)
{
	struct html_input f;

	if (in == NULL)
		return;
	f = *in;
	if (f.name == NULL)
		f.name = "";
	html_raw(h, "<div class=\"field\">\n<label for=\"f-");
	html_text(h, f.name);
	html_raw(h, "\">");
	html_text(h, f.label);
	html_raw(h, "</label>\n");
	input_element(h, &f);
	field_note(h, "hint", "h", f.name, f.hint);
	field_note(h, "field-error", "e", f.name, f.error);
	html_raw(h, "</div>\n");
}

void
html_button(struct html *h, const char *name, const char *value,
    const char *label, bool primary)
{
	html_printf(h, "<button type=\"submit\" class=\"%s\"",
	    primary ? "primary" : "secondary");
	attr(h, "name", name);
	attr(h, "value", value);
	html_raw(h, ">");
	html_text(h, label);
	html_raw(h, "</button>\n");
}

void
html_link(struct html *h, const char *href, const char *text)
{
	html_raw(h, "<a");
	attr(h, "href", href != NULL ? href : "");
	html_raw(h, ">");
	html_text(h, text);
	html_raw(h, "</a>");
}

void
html_fact(struct html *h, const char *label, const char *value)
{
	html_raw(h, "<dt>");
	html_text(h, label);
	html_raw(h, "</dt><dd>");
	html_text(h, value);
	html_raw(h, "</dd>\n");
}
