/*
 * form: urlencoded body parsing with bounded fields and strict decoding.
 */
#include "form.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct field {
	char *name, *value;
	size_t vlen;
};

struct form {
	struct field f[FORM_MAX_FIELDS];
	size_t n;
};

/* Well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
static bool
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
		else return false;
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += len;
	}
	return true;
}

/* Decodes s[n] into a new string; NULL when malformed. */
static char *
decode(const char *s, size_t n, size_t *outlen)
{
	char *out = malloc(n + 1);
	size_t w = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '+') {
			out[w++] = ' ';
		} else if (s[i] != '%') {
			out[w++] = s[i];
		} else if (i + 2 < n && (hi = hex_digit(s[i + 1])) >= 0 &&
		    (lo = hex_digit(s[i + 2])) >= 0 && (hi | lo) != 0) {
			out[w++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			sodium_memzero(out, n + 1);
			free(out);
			return NULL;
		}
	}
	out[w] = '\0';
	if (!utf8_valid((const unsigned char *)out, w)) {
		sodium_memzero(out, n + 1);
		free(out);
		return NULL;
	}
	*outlen = w;
	return out;
}

static int
add_pair(struct form *f, const char *p, size_t n)
{
	const char *eq = memchr(p, '=', n);
	size_t nlen = eq != NULL ? (size_t)(eq - p) : n, vlen = 0, dummy;
	char *name, *value;

	if (n == 0)
		return 0;
	if (f->n == FORM_MAX_FIELDS)
		return -1;
	if ((name = decode(p, nlen, &dummy)) == NULL)
		return -1;
	value = eq != NULL ? decode(eq + 1, n - nlen - 1, &vlen) : decode("", 0, &vlen);
	if (value == NULL) {
		free(name);
		return -1;
	}
	f->f[f->n++] = (struct field){ name, value, vlen };
	return 0;
}

int
form_parse(const char *body, size_t len, struct form **out)
{
	struct form *f;
	size_t start = 0;

	if (out == NULL)
		return -1;
	*out = NULL;
	if (body == NULL || (f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && body[i] != '&')
			continue;
		if (add_pair(f, body + start, i - start) != 0) {
			form_free(f);
			return -1;
		}
		start = i + 1;
	}
	*out = f;
	return 0;
}

const char *
form_get(const struct form *f, const char *name)
{
	if (f == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->f[i].name, name) == 0)
			return f->f[i].value;
	return NULL;
}

size_t
form_count(const struct form *f, const char *name)
{
	size_t n = 0;

	if (f == NULL || name == NULL)
		return 0;
	for (size_t i = 0; i < f->n; i++)
		n += strcmp(f->f[i].name, name) == 0;
	return n;
}

const char *
form_repeated(const struct form *f)
{
	if (f == NULL)
		return NULL;
	for (size_t i = 1; i < f->n; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(f->f[i].name, f->f[k].name) == 0)
				return f->f[i].name;
	return NULL;
}

void
form_free(struct form *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		sodium_memzero(f->f[i].value, f->f[i].vlen);
		free(f->f[i].name);
		free(f->f[i].value);
	}
	free(f);
}

int
form_unescape(char *s)
{
	size_t n, len = 0;
	char *d;

	if (s == NULL)
		return -1;
	n = strlen(s);
	if ((d = decode(s, n, &len)) == NULL)
		return -1;
	memcpy(s, d, len + 1);
	sodium_memzero(d, n + 1);
	free(d);
	return 0;
}
