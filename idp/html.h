/*
 * html: a growable output buffer and the building blocks of the citizen
 * pages (page frame with language switch, messages, POST forms with their
 * CSRF field, labelled inputs, buttons, links). Owns the buffer and the
 * markup of those blocks; the pages themselves are composed by handlers.
 *
 * Every string argument is escaped (& < > " ') except html_raw's and
 * html_printf's format. The pages pass a strict CSP (no inline styles or
 * scripts), so nothing here emits a style attribute or an event handler.
 *
 * Errors: an allocation failure, or a page growing past HTML_MAX_SIZE,
 * marks the buffer failed and drops what was written; every later call is
 * then a no-op. Build the whole page, then check html_failed once and answer
 * 500 when it is true. A NULL struct html (html_new out of memory) behaves
 * as a failed one, so the same single check covers it.
 */
#ifndef IDP_HTML_H
#define IDP_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"
#include "i18n.h"

#define HTML_MAX_SIZE ((size_t)8 << 20)	/* no page is anywhere near this */

struct html;

/* An empty buffer, or NULL when out of memory. */
struct html *html_new(void);
void html_free(struct html *);
/* The bytes written, NUL-terminated; "" with *len 0 after a failure. */
const char *html_data(const struct html *, size_t *len);
/* True after any allocation failure (and for NULL). */
bool html_failed(const struct html *) WUR;

/* Trusted markup, written as is. */
void html_raw(struct html *, const char *s);
/* Text with & < > " ' escaped; fits both element content and attribute values. */
void html_text(struct html *, const char *s);
/*
 * Trusted markup from a format: neither the format nor any argument is
 * escaped, so a %s argument must already be markup (never user input, a
 * form value or a database string); use html_text or html_textf for those.
 */
void html_printf(struct html *, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Formats, then escapes the whole result like html_text (for i18n formats). */
void html_textf(struct html *, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Percent-encodes every byte but A-Z a-z 0-9 - . _ ~ (for a URL query value). */
void html_urlencode(struct html *, const char *s);

/*
 * <!doctype html>, <html lang>, head (charset, viewport, "TITLE · dinhdanh",
 * /static/site.css), the header with the brand linking to "/" and the link
 * switching to the other language, "/lang?to=en&back=PATH" with PATH
 * percent-encoded ("/" when current_path is NULL, not a local path such as
 * "//host", or longer than 1024 bytes), then <main>. title may be NULL.
 */
void html_page_begin(struct html *, enum lang, const char *title,
    const char *current_path);
/* Closes <main>, adds the footer and closes the document. */
void html_page_end(struct html *, enum lang);

/* <p class="error" role="alert">MSG</p>; nothing for NULL. */
void html_error(struct html *, const char *msg);
/* <p class="notice" role="status">MSG</p>; nothing for NULL. */
void html_notice(struct html *, const char *msg);

/*
 * <form method="post" action="ACTION"> and, always, the hidden "csrf" input
 * holding `csrf` (empty when NULL, so the check on submit fails closed).
 */
void html_form_begin(struct html *, const char *action, const char *csrf);
void html_form_end(struct html *);
void html_hidden(struct html *, const char *name, const char *value);

/*
 * A labelled input in <div class="field">: label for="f-NAME", the input
 * (id f-NAME, name, type — "text" when NULL — and each optional attribute
 * only when set: autocomplete, value, required, maxlength > 0, inputmode,
 * pattern, autofocus), then the hint as <p class="hint" id="h-NAME"> and the
 * error as <p class="field-error" id="e-NAME">, both tied to the input with
 * aria-describedby; an error also sets aria-invalid. A password input never
 * echoes its value. Everything is escaped.
 */
struct html_input {
	const char *name, *label, *type, *autocomplete, *value, *hint,
	    *inputmode, *pattern;
	int maxlength;
	bool required, autofocus;
	const char *error;	/* this field's own error, or NULL */
};
void html_input(struct html *, const struct html_input *);

/* <button type="submit" class="primary|secondary" name value>LABEL</button>;
 * name and value are left out when NULL. */
void html_button(struct html *, const char *name, const char *value,
    const char *label, bool primary);
/* <a href="HREF">TEXT</a>. */
void html_link(struct html *, const char *href, const char *text);
/* <dt>LABEL</dt><dd>VALUE</dd>, for the account page's <dl class="facts">. */
void html_fact(struct html *, const char *label, const char *value);

#endif
