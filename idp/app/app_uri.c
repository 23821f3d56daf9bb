/*
 * app_uri: the dinhdanh:// URIs the app is handed, parsed with every read
 * bounded by the given length.
 */
#include "app_uri.h"

#include <string.h>

#define LOGIN_PREFIX "dinhdanh://login?"

enum { SEEN_TX = 1, SEEN_IDP = 2 };

static bool
is_b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* RFC 3986: unreserved, reserved and '%'. */
static bool
is_uri_char(char c)
{
	return is_b64url_char(c) ||
	    (c != '\0' && strchr(".~:/?#[]@!$&'()*+,;=%", c) != NULL);
}

static bool
is_id(const char *s, size_t n)
{
	if (n != APP_URI_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_b64url_char(s[i]))
			return false;
	return true;
}

bool
app_uri_is_id(const char *s)
{
	return s != NULL && is_id(s, strnlen(s, APP_URI_ID_LEN + 1));
}

/*
 * %HH-decodes s[n] (and '+' as a space) into out[outsz]: 0, or -1 for a bad
 * escape, a decoded byte that is not printable ASCII, or no room.
 */
static int
pct_decode(const char *s, size_t n, char *out, size_t outsz)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		char ch = s[i];

		if (ch == '%') {
			if (n - i < 3 || (hi = hex_digit(s[i + 1])) < 0 ||
			    (lo = hex_digit(s[i + 2])) < 0)
				return -1;
			ch = (char)(hi * 16 + lo);
			i += 2;
		} else if (ch == '+')
			ch = ' ';
		if (ch < 0x20 || ch > 0x7e || w + 1 >= outsz)
			return -1;
		out[w++] = ch;
	}
	out[w] = '\0';
	return 0;
}

/* The idp value v[n] into out->idp: APP_URI_OK or APP_URI_IDP. */
static int
take_idp(const char *v, size_t n, struct app_uri_login *out)
{
	size_t len;

	if (pct_decode(v, n, out->idp, sizeof(out->idp)) != 0)
		return APP_URI_IDP;
	/* One form for comparing: without trailing slashes. */
	for (len = strlen(out->idp); len > 0 && out->idp[len - 1] == '/'; len--)
		out->idp[len - 1] = '\0';
	return len > 0 ? APP_URI_OK : APP_URI_IDP;
}

/* One query part p[n], name=value: an app_uri_err. */
static int
take_part(const char *p, size_t n, unsigned *seen, struct app_uri_login *out)
{
	const char *eq = memchr(p, '=', n), *v;
	size_t klen, vlen;

	if (eq == NULL || eq == p)
		return APP_URI_SYNTAX;
	klen = (size_t)(eq - p);
	v = eq + 1;
	vlen = n - klen - 1;
	if (klen == 2 && memcmp(p, "tx", 2) == 0) {
		if ((*seen & SEEN_TX) != 0)
			return APP_URI_SYNTAX;
		*seen |= SEEN_TX;
		if (!is_id(v, vlen))
			return APP_URI_TX;
		memcpy(out->tx, v, vlen);
		out->tx[vlen] = '\0';
	} else if (klen == 3 && memcmp(p, "idp", 3) == 0) {
		if ((*seen & SEEN_IDP) != 0)
			return APP_URI_SYNTAX;
		*seen |= SEEN_IDP;
		return take_idp(v, vlen, out);
	}
	return APP_URI_OK;
}

/* The query q[n] (up to the fragment) into out: an app_uri_err. */
static int
take_query(const char *q, size_t n, struct app_uri_login *out)
{
	const char *end = q + n, *amp;
	unsigned seen = 0;
	int rc;

	while (q < end) {
		amp = memchr(q, '&', (size_t)(end - q));
		if (amp == NULL)
			amp = end;
		if ((rc = take_part(q, (size_t)(amp - q), &seen, out)) != APP_URI_OK)
			return rc;
		if (amp == end)
			break;
		q = amp + 1;
		/* A '&' ends nothing: a part must follow it. */
		if (q == end)
			return APP_URI_SYNTAX;
	}
	return (seen & SEEN_TX) != 0 ? APP_URI_OK : APP_URI_TX;
}

int
app_uri_parse_login(const char *uri, size_t len, struct app_uri_login *out)
{
	static const char prefix[] = LOGIN_PREFIX;
	const size_t plen = sizeof(prefix) - 1;
	const char *hash;
	int rc;

	if (out == NULL)
		return APP_URI_INVALID;
	memset(out, 0, sizeof(*out));
	if (uri == NULL)
		return APP_URI_INVALID;
	if (len > APP_URI_MAX)
		return APP_URI_SYNTAX;
	for (size_t i = 0; i < len; i++)
		if (!is_uri_char(uri[i]))
			return APP_URI_SYNTAX;
	if (len < plen || memcmp(uri, prefix, plen) != 0)
		return APP_URI_NOT_LOGIN;
	hash = memchr(uri + plen, '#', len - plen);
	rc = take_query(uri + plen,
	    hash != NULL ? (size_t)(hash - uri) - plen : len - plen, out);
	if (rc != APP_URI_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

const char *
app_uri_strerror(int err)
{
	switch (err) {
	case APP_URI_OK:
		return "no error";
	case APP_URI_INVALID:
		return "no URI given";
	case APP_URI_SYNTAX:
		return "not a well-formed URI";
	case APP_URI_NOT_LOGIN:
		return "not a dinhdanh://login URI";
	case APP_URI_TX:
		return "no valid tx in it";
	case APP_URI_IDP:
		return "a malformed idp in it";
	default:
		return "unknown error";
	}
}
