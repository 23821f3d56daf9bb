/*
 * test_qr: unit tests for QR rendering (qr): the SVG's shape (viewBox,
 * escaped label, no style), its path decoded back into modules and compared
 * with qr_matrix, the terminal text's size in lines and code points, and
 * the refusals (NULL, empty, too long).
 */
#include "t.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "qr.h"

#define OTPAUTH "otpauth://totp/Dinhdanh:nguyen.van.a%40example.vn" \
	"?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DP" \
	"&issuer=Dinhdanh&algorithm=SHA1&digits=6&period=30"

static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	if (s != NULL) {
		memset(s, c, n);
		s[n] = '\0';
	}
	return s;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int
count(const char *s, const char *needle)
{
	int k = 0;

	while ((s = strstr(s, needle)) != NULL) {
		k++;
		s++;
	}
	return k;
}

static long
number(const char **p)
{
	char *end;
	long v = strtol(*p, &end, 10);

	if (end == *p)
		return LONG_MIN;
	*p = end;
	return v;
}

static int
expect(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return -1;
	*p += n;
	return 0;
}

/*
 * Paints the path's d= ("Mx yhnv1h-nz" runs) into m[side*side]; -1 when
 * the syntax is off, a run leaves the grid, or a module is painted twice.
 */
static int
paint_path(const char *d, uint8_t *m, long side)
{
	while (*d != '\0') {
		long x, y, n, back;

		if (expect(&d, "M") != 0 || (x = number(&d)) < 0 ||
		    expect(&d, " ") != 0 || (y = number(&d)) < 0 ||
		    expect(&d, "h") != 0 || (n = number(&d)) <= 0 ||
		    expect(&d, "v1h") != 0 || (back = number(&d)) != -n ||
		    expect(&d, "z") != 0)
			return -1;
		if (y >= side || x + n > side)
			return -1;
		for (long i = x; i < x + n; i++) {
			if (m[y * side + i])
				return -1;
			m[y * side + i] = 1;
		}
	}
	return 0;
}

/* The SVG's path, decoded, equals qr_matrix inside a light quiet zone. */
static int
svg_matches_matrix(const char *text)
{
	int w = 0, ok = 0;
	uint8_t *want = qr_matrix(text, &w), *got = NULL;
	char *svg = qr_svg(text, NULL), *d, *q;
	long side = w + 8;

	if (want == NULL || svg == NULL || w < 21)
		goto out;
	d = strstr(svg, " d=\"");
	if (d == NULL || (q = strchr(d + 4, '"')) == NULL)
		goto out;
	*q = '\0';
	got = calloc((size_t)(side * side), 1);
	if (got == NULL || paint_path(d + 4, got, side) != 0)
		goto out;
	ok = 1;
	for (long y = 0; y < side; y++)
		for (long x = 0; x < side; x++) {
			int in = y >= 4 && y < w + 4 && x >= 4 && x < w + 4;
			uint8_t v = in ? want[(y - 4) * w + (x - 4)] : 0;

			if (got[y * side + x] != v)
				ok = 0;
		}
out:
	free(want);
	free(got);
	free(svg);
	return ok;
}

TEST(matrix_basics)
{
	int w = -1;
	uint8_t *m = qr_matrix("hello", &w);

	CHECK(m != NULL);
	CHECK_EQ_INT(w, 21);	/* version 1 */
	if (m != NULL) {
		for (int i = 0; i < w * w; i++)
			CHECK(m[i] <= 1);
		/* The finder patterns' corners are dark. */
		CHECK_EQ_INT(m[0], 1);
		CHECK_EQ_INT(m[w - 1], 1);
		CHECK_EQ_INT(m[(w - 1) * w], 1);
		CHECK_EQ_INT(m[(w - 1) * w + w - 1], 0);
	}
	free(m);
}

TEST(svg_shape)
{
	int w = 0;
	uint8_t *m = qr_matrix(OTPAUTH, &w);
	char *svg = qr_svg(OTPAUTH, NULL);
	char vb[64];

	CHECK(m != NULL);
	CHECK(svg != NULL);
	if (svg == NULL) {
		free(m);
		return;
	}
	snprintf(vb, sizeof(vb), " viewBox=\"0 0 %d %d\"", w + 8, w + 8);
	CHECK(strncmp(svg, "<svg ", 5) == 0);
	CHECK(ends_with(svg, "</svg>"));
	CHECK(strstr(svg, "xmlns=\"http://www.w3.org/2000/svg\"") != NULL);
	CHECK(strstr(svg, vb) != NULL);
	CHECK(strstr(svg, "shape-rendering=\"crispEdges\"") != NULL);
	CHECK(strstr(svg, "role=\"img\"") != NULL);
	CHECK(strstr(svg, "aria-label=\"QR code\"") != NULL);
	CHECK(strstr(svg, "fill=\"#fff\"") != NULL);
	CHECK(strstr(svg, "style") == NULL);
	CHECK(strstr(svg, "script") == NULL);
	/* One rect, then one path, nothing else. */
	CHECK(strstr(svg, "\"><rect width=\"") != NULL);
	CHECK(strstr(svg, "\"/><path fill=\"#000\" d=\"M") != NULL);
	CHECK(ends_with(svg, "z\"/></svg>"));
	CHECK_EQ_INT(count(svg, "<rect"), 1);
	CHECK_EQ_INT(count(svg, "<path"), 1);
	CHECK_EQ_INT(count(svg, "<"), 4);
	free(svg);
	free(m);
}

TEST(svg_label_escaped)
{
	char *svg = qr_svg("x", "Scan <me> & \"go\" 'now'\n");

	CHECK(svg != NULL);
	if (svg == NULL)
		return;
	CHECK(strstr(svg, "aria-label=\"Scan &lt;me&gt; &amp; &quot;go&quot; "
	    "&#39;now&#39; \"") != NULL);
	CHECK(strstr(svg, "<me>") == NULL);
	CHECK(strchr(svg, '\'') == NULL);
	CHECK(strchr(svg, '\n') == NULL);
	free(svg);
	svg = qr_svg("x", "Mã QR đăng nhập");
	CHECK(svg != NULL && strstr(svg, "aria-label=\"Mã QR đăng nhập\"") != NULL);
	free(svg);
}

TEST(svg_path_decodes_to_matrix)
{
	char *s600 = repeat('A', 600), *s1000 = repeat('z', 1000);
	const char *texts[] = { "hello", "0123456789", OTPAUTH, s600, s1000,
	    "Nguyễn Văn Ả — định danh" };

	CHECK(strlen(OTPAUTH) >= 140 && strlen(OTPAUTH) <= 170);
	CHECK(s600 != NULL && s1000 != NULL);
	for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
		if (texts[i] == NULL)
			continue;
		if (!svg_matches_matrix(texts[i])) {
			fprintf(stderr, "path differs for input %zu\n", i);
			CHECK(0);
		}
	}
	free(s600);
	free(s1000);
}

/* Code points in s[0..n), or -1 if a byte is not UTF-8 lead/continuation. */
static long
code_points(const char *s, size_t n)
{
	long k = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			k++;
	return k;
}

static void
check_text(const char *in, int *t_failed)
{
	int w = 0;
	uint8_t *m = qr_matrix(in, &w);
	char *txt = qr_text(in), *p;
	long lines = 0, side = w + 8;

	CHECK(m != NULL && txt != NULL);
	if (m == NULL || txt == NULL)
		goto out;
	CHECK(ends_with(txt, "\n"));
	for (p = txt; *p != '\0'; lines++) {
		char *nl = strchr(p, '\n');

		if (nl == NULL)
			break;
		CHECK_EQ_INT(code_points(p, (size_t)(nl - p)), side);
		for (char *c = p; c < nl; c++)
			CHECK(*c == ' ' || (unsigned char)*c >= 0x80);
		p = nl + 1;
	}
	CHECK_EQ_INT(lines, (side + 1) / 2);
	/* Row 4 column 4 is the finder's dark corner, row 5 is dark there too:
	 * line 2 starts with four spaces then a full block. */
	p = strchr(strchr(txt, '\n') + 1, '\n') + 1;
	CHECK(strncmp(p, "    \xe2\x96\x88", 7) == 0);
	/* The top line is all quiet zone. */
	CHECK(strspn(txt, " ") == (size_t)side);
out:
	free(m);
	free(txt);
}

TEST(text_size)
{
	char *s600 = repeat('A', 600);

	check_text("hello", t_failed);
	check_text(OTPAUTH, t_failed);
	if (s600 != NULL)
		check_text(s600, t_failed);
	free(s600);
}

TEST(refusals)
{
	char *big = repeat('q', 5000);
	int w = 7;

	CHECK(qr_svg(NULL, NULL) == NULL);
	CHECK(qr_svg("", "label") == NULL);
	CHECK(qr_text(NULL) == NULL);
	CHECK(qr_text("") == NULL);
	CHECK(qr_matrix(NULL, &w) == NULL);
	CHECK_EQ_INT(w, 0);
	w = 7;
	CHECK(qr_matrix("", &w) == NULL);
	CHECK_EQ_INT(w, 0);
	CHECK(qr_matrix("x", NULL) == NULL);
	CHECK(big != NULL);
	if (big != NULL) {
		w = 7;
		CHECK(qr_svg(big, NULL) == NULL);
		CHECK(qr_text(big) == NULL);
		CHECK(qr_matrix(big, &w) == NULL);
		CHECK_EQ_INT(w, 0);
	}
	free(big);
}

/* Level L for screens: a presentation-sized text gives a smaller symbol. */
TEST(screen_level_smaller)
{
	char text[1204];
	char *m, *l;
	size_t lm = 0, ll = 0;

	for (size_t i = 0; i < sizeof(text) - 1; i++)
		text[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."[i % 65];
	text[sizeof(text) - 1] = '\0';
	m = qr_text(text);
	l = qr_text_screen(text);
	CHECK(m != NULL && l != NULL);
	for (const char *p = m; p != NULL && *p != '\0'; p++)
		lm += *p == '\n';
	for (const char *p = l; p != NULL && *p != '\0'; p++)
		ll += *p == '\n';
	/* version 29 (133 modules) at M, 25 (117) at L, plus the quiet zone */
	CHECK_EQ_INT(lm, (133 + 8 + 1) / 2);
	CHECK_EQ_INT(ll, (117 + 8 + 1) / 2);
	free(m);
	free(l);
	CHECK(qr_text_screen(NULL) == NULL);
}

T_MAIN(T(screen_level_smaller), T(matrix_basics), T(svg_shape), T(svg_label_escaped),
    T(svg_path_decodes_to_matrix), T(text_size), T(refusals))
