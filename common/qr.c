/*
 * qr: QR code rendering over libqrencode.
 */
#include "qr.h"

#include <qrencode.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUIET 4

/* A growing string; `failed` sticks after the first allocation failure. */
struct sbuf {
	char *p;
	size_t len, cap;
	int failed;
};

/* The matrix as 0/1 bytes with the quiet zone around it: side in *side. */
static uint8_t *
framed_matrix(const char *text, QRecLevel level, size_t *side)
{
	size_t len, n, w;
	QRcode *code;
	uint8_t *m;

	if (text == NULL || (len = strlen(text)) == 0 || len > INT_MAX)
		return NULL;
	code = QRcode_encodeData((int)len, (const unsigned char *)text, 0, level);
	if (code == NULL)
		return NULL;
	w = (size_t)code->width;
	n = w + 2 * QUIET;
	m = calloc(n * n, 1);
	if (m != NULL) {
		for (size_t y = 0; y < w; y++)
			for (size_t x = 0; x < w; x++)
				m[(y + QUIET) * n + x + QUIET] =
				    (uint8_t)(code->data[y * w + x] & 1);
		*side = n;
	}
	QRcode_free(code);
	return m;
}

static void
sbuf_reserve(struct sbuf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->failed || b->len + more < b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap <= b->len + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->failed = 1;
		return;
	}
	b->p = p;
	b->cap = cap;
}

static void
sbuf_put(struct sbuf *b, const char *s, size_t n)
{
	sbuf_reserve(b, n);
	if (b->failed)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void PRINTF_LIKE(2, 3)
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->failed = 1;
		return;
	}
	sbuf_put(b, tmp, (size_t)n);
}

/* Takes the string out of `b`: NULL (and freed) when anything failed. */
static char *
sbuf_finish(struct sbuf *b)
{
	if (b->failed || b->p == NULL) {
		free(b->p);
		return NULL;
	}
	return b->p;
}

/* Appends `s` escaped for a double-quoted XML attribute value. */
static void
put_attr(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			sbuf_put(b, "&amp;", 5);
		else if (c == '<')
			sbuf_put(b, "&lt;", 4);
		else if (c == '>')
			sbuf_put(b, "&gt;", 4);
		else if (c == '"')
			sbuf_put(b, "&quot;", 6);
		else if (c == '\'')
			sbuf_put(b, "&#39;", 5);
		else if (c < 0x20 || c == 0x7f)
			sbuf_put(b, " ", 1);	/* not allowed in XML 1.0 */
		else
			sbuf_put(b, s, 1);
	}
}

/* One subpath per horizontal run of dark modules. */
static void
put_path_data(struct sbuf *b, const uint8_t *m, size_t n)
{
	for (size_t y = 0; y < n; y++) {
		size_t x = 0;

		while (x < n) {
			size_t start;

			if (!m[y * n + x]) {
				x++;
				continue;
			}
			start = x;
			while (x < n && m[y * n + x])
				x++;
			sbuf_printf(b, "M%zu %zuh%zuv1h-%zuz", start, y,
			    x - start, x - start);
		}
	}
}

char *
qr_svg(const char *text, const char *label)
{
	struct sbuf b = { NULL, 0, 0, 0 };
	size_t n = 0;
	uint8_t *m = framed_matrix(text, QR_ECLEVEL_M, &n);

	if (m == NULL)
		return NULL;
	sbuf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\""
	    " viewBox=\"0 0 %zu %zu\" shape-rendering=\"crispEdges\""
	    " role=\"img\" aria-label=\"", n, n);
	put_attr(&b, label != NULL ? label : "QR code");
	sbuf_printf(&b, "\"><rect width=\"%zu\" height=\"%zu\" fill=\"#fff\"/>"
	    "<path fill=\"#000\" d=\"", n, n);
	put_path_data(&b, m, n);
	sbuf_put(&b, "\"/></svg>", 9);
	free(m);
	return sbuf_finish(&b);
}

static char *
text_of(const char *text, QRecLevel level)
{
	static const char *const glyph[4] = {
		" ", "\xe2\x96\x80", "\xe2\x96\x84", "\xe2\x96\x88"
	};
	size_t n = 0, lines, pos = 0;
	uint8_t *m = framed_matrix(text, level, &n);
	char *out;

	if (m == NULL)
		return NULL;
	lines = (n + 1) / 2;
	out = malloc(lines * (3 * n + 1) + 1);
	if (out != NULL) {
		for (size_t l = 0; l < lines; l++) {
			size_t top = 2 * l, bot = 2 * l + 1;

			for (size_t x = 0; x < n; x++) {
				unsigned k = m[top * n + x] |
				    (bot < n ? 2u * m[bot * n + x] : 0u);
				size_t gl = strlen(glyph[k]);

				memcpy(out + pos, glyph[k], gl);
				pos += gl;
			}
			out[pos++] = '\n';
		}
		out[pos] = '\0';
	}
	free(m);
	return out;
}

char *
qr_text(const char *text)
{
	return text_of(text, QR_ECLEVEL_M);
}

char *
qr_text_screen(const char *text)
{
	return text_of(text, QR_ECLEVEL_L);
}

uint8_t *
qr_matrix(const char *text, int *width)
{
	size_t n = 0, w;
	uint8_t *m = framed_matrix(text, QR_ECLEVEL_M, &n), *out;

	if (width != NULL)
		*width = 0;
	if (m == NULL || width == NULL) {
		free(m);
		return NULL;
	}
	w = n - 2 * QUIET;
	out = malloc(w * w);
	if (out != NULL) {
		for (size_t y = 0; y < w; y++)
			memcpy(out + y * w, m + (y + QUIET) * n + QUIET, w);
		*width = (int)w;
	}
	free(m);
	return out;
}
