/*
 * config: defaults, environment, config file and flag values.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
copy(char *dst, size_t dstsz, const char *src, const char *key, char *err,
    size_t errsz)
{
	if (strlen(src) >= dstsz) {
		snprintf(err, errsz, "--%s: value too long", key);
		return -1;
	}
	strcpy(dst, src);
	return 0;
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->db, "var/idp.db");
	strcpy(c->listen_host, "127.0.0.1");
	c->listen_port = 8080;
	strcpy(c->web, "web");
	c->log_level = LOG_INFO;
	c->session_idle = 1800;
	c->session_absolute = 43200;
	c->login_rate = 120;
	c->device_limit = 3;
	c->audit_checkpoint = 3600;
	c->conn_timeout = 30;
	c->per_ip_connections = 256;
}

/* An unsigned number from lo to hi into *out; -1 with a reason. */
static int
set_number(const char *key, const char *v, unsigned long lo, unsigned long hi,
    unsigned long *out, char *err, size_t errsz)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (*end != '\0' || *v == '\0' || *v == '-' || n < lo || n > hi) {
		snprintf(err, errsz, "--%s: expected a number from %lu to %lu",
		    key, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
}

void
config_from_env(struct config *c)
{
	const char *v;
	char err[128];

	/* A value that does not fit or parse leaves the default. */
	if ((v = getenv("IDP_DB")) != NULL && *v != '\0' &&
	    copy(c->db, sizeof(c->db), v, "db", err, sizeof(err)) != 0)
		fprintf(stderr, "idp: IDP_DB: %s\n", err);
	if ((v = getenv("IDP_MASTER_KEY")) != NULL && *v != '\0' &&
	    copy(c->master_key, sizeof(c->master_key), v, "master-key", err, sizeof(err)) != 0)
		fprintf(stderr, "idp: IDP_MASTER_KEY: %s\n", err);
	if ((v = getenv("IDP_LOG_LEVEL")) != NULL && log_level_parse(v, &c->log_level) != 0)
		fprintf(stderr, "idp: IDP_LOG_LEVEL: expected debug, info, warn or error\n");
}

static int
set_listen(struct config *c, const char *v, char *err, size_t errsz)
{
	const char *colon = strrchr(v, ':');
	char host[64], *end;
	unsigned long port;
	size_t hlen;
	unsigned char buf[16];
	bool v6 = false;

	if (colon == NULL)
		goto bad;
	hlen = (size_t)(colon - v);
	if (v[0] == '[' && hlen >= 2 && v[hlen - 1] == ']') {
		v++;
		hlen -= 2;
		v6 = true;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		goto bad;
	memcpy(host, v, hlen);
	host[hlen] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || colon[1] == '\0' || port > 65535)
		goto bad;
	/* IPv6 only in brackets: "::1:8080" is an address without a port. */
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, buf) != 1)
		goto bad;
	strcpy(c->listen_host, host);
	c->listen_port = (uint16_t)port;
	return 0;
bad:
	snprintf(err, errsz, "--listen: expected ADDRESS:PORT, as 127.0.0.1:8080 or [::1]:8080");
	return -1;
}

/* Unsigned settings: key, lowest, highest value. */
struct num_key {
	const char *key;
	unsigned long lo, hi;
};

static const struct num_key num_keys[] = {
	{ "threads", 0, 256 },
	{ "session-idle", 60, 30 * 86400UL },
	{ "session-max", 60, 30 * 86400UL },
	{ "login-rate", 0, 1000000 },
	{ "device-limit", 1, 100 },
	{ "audit-checkpoint", 0, 30 * 86400UL },
	{ "conn-timeout", 1, 3600 },
	{ "per-ip-connections", 1, 65535 },
};

static void
store_number(struct config *c, size_t i, unsigned long n)
{
	switch (i) {
	case 0: c->threads = (unsigned)n; break;
	case 1: c->session_idle = (int64_t)n; break;
	case 2: c->session_absolute = (int64_t)n; break;
	case 3: c->login_rate = (unsigned)n; break;
	case 4: c->device_limit = (unsigned)n; break;
	case 5: c->audit_checkpoint = (unsigned)n; break;
	case 6: c->conn_timeout = (unsigned)n; break;
	default: c->per_ip_connections = (unsigned)n; break;
	}
}

/*
 * A comma-separated list of at most CONFIG_PROXY_ADDRS numeric addresses,
 * spaces around them allowed.
 */
static int
set_trust_proxy(struct config *c, const char *v, char *err, size_t errsz)
{
	const char *p = v;
	size_t count = 0;

	for (; *v != '\0'; count++) {
		const char *comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		char addr[INET6_ADDRSTRLEN];
		unsigned char buf[16];

		for (; n > 0 && *p == ' '; n--)
			p++;
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == 0 || n >= sizeof(addr) || count >= CONFIG_PROXY_ADDRS)
			goto bad;
		memcpy(addr, p, n);
		addr[n] = '\0';
		if (inet_pton(AF_INET, addr, buf) != 1 &&
		    inet_pton(AF_INET6, addr, buf) != 1)
			goto bad;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return copy(c->trust_proxy, sizeof(c->trust_proxy), v, "trust-proxy",
	    err, errsz);
bad:
	snprintf(err, errsz, "--trust-proxy: expected up to %d numeric addresses "
	    "separated by commas", CONFIG_PROXY_ADDRS);
	return -1;
}

static int
set_issuer(struct config *c, const char *v, char *err, size_t errsz)
{
	if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) {
		snprintf(err, errsz, "--issuer: expected an http:// or https:// URL");
		return -1;
	}
	if (v[strlen(v) - 1] == '/' || strchr(v, '?') || strchr(v, '#')) {
		snprintf(err, errsz, "--issuer: no trailing slash, query or fragment");
		return -1;
	}
	return copy(c->issuer, sizeof(c->issuer), v, "issuer", err, errsz);
}

/* The settings that are a path or a string, stored as given. */
static char *
text_field(struct config *c, const char *key, size_t *size)
{
	struct { const char *key; char *field; size_t size; } t[] = {
		{ "db", c->db, sizeof(c->db) },
		{ "master-key", c->master_key, sizeof(c->master_key) },
		{ "web", c->web, sizeof(c->web) },
		{ "tls-cert", c->tls_cert, sizeof(c->tls_cert) },
		{ "tls-key", c->tls_key, sizeof(c->tls_key) },
		{ "log-file", c->log_file, sizeof(c->log_file) },
		{ "metrics-token", c->metrics_token, sizeof(c->metrics_token) },
	};

	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		if (strcmp(key, t[i].key) == 0) {
			*size = t[i].size;
			return t[i].field;
		}
	}
	return NULL;
}

int
config_set(struct config *c, const char *key, const char *v, char *err, size_t errsz)
{
	size_t size;
	char *field;

	if (c == NULL || key == NULL || v == NULL)
		return -1;
	if ((field = text_field(c, key, &size)) != NULL)
		return copy(field, size, v, key, err, errsz);
	if (strcmp(key, "listen") == 0)
		return set_listen(c, v, err, errsz);
	if (strcmp(key, "issuer") == 0)
		return set_issuer(c, v, err, errsz);
	if (strcmp(key, "trust-proxy") == 0)
		return set_trust_proxy(c, v, err, errsz);
	if (strcmp(key, "log-level") == 0) {
		if (log_level_parse(v, &c->log_level) == 0)
			return 0;
		snprintf(err, errsz, "--log-level: expected debug, info, warn or error");
		return -1;
	}
	for (size_t i = 0; i < ARRAY_LEN(num_keys); i++) {
		unsigned long n;
		if (strcmp(key, num_keys[i].key) != 0)
			continue;
		if (set_number(key, v, num_keys[i].lo, num_keys[i].hi, &n, err,
		    errsz) != 0)
			return -1;
		store_number(c, i, n);
		return 0;
	}
	snprintf(err, errsz, "unknown setting: %s", key);
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* One line of a config file, already without its newline. */
static int
file_line(struct config *c, char *line, char *err, size_t errsz)
{
	char *eq, *key, *val;

	line = trim(line);
	if (*line == '\0' || *line == '#')
		return 0;
	if ((eq = strchr(line, '=')) == NULL) {
		snprintf(err, errsz, "expected KEY = VALUE");
		return -1;
	}
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	if (strcmp(key, "demo") == 0) {
		if (strcmp(val, "true") != 0 && strcmp(val, "false") != 0) {
			snprintf(err, errsz, "demo: expected true or false");
			return -1;
		}
		c->demo = val[0] == 't';
		return 0;
	}
	if (strcmp(key, "config") == 0) {
		snprintf(err, errsz, "a config file cannot name another");
		return -1;
	}
	return config_set(c, key, val, err, errsz);
}

int
config_load_file(struct config *c, const char *path, char *err, size_t errsz)
{
	char line[CONFIG_PATH_MAX + 128], why[256];
	unsigned lineno = 0;
	FILE *f;

	if (c == NULL || path == NULL)
		return -1;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(why, sizeof(why), "line too long");
			goto bad;
		}
		if (file_line(c, line, why, sizeof(why)) != 0)
			goto bad;
	}
	if (ferror(f)) {
		snprintf(err, errsz, "%s: read error", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
bad:
	snprintf(err, errsz, "%s:%u: %s", path, lineno, why);
	fclose(f);
	return -1;
}

int
config_finish(struct config *c, char *err, size_t errsz)
{
	if (c->master_key[0] == '\0') {
		const char *slash = strrchr(c->db, '/');
		int dirlen = slash != NULL ? (int)(slash - c->db) : 0;
		int n = slash != NULL ?
		    snprintf(c->master_key, sizeof(c->master_key), "%.*s/master.key", dirlen, c->db) :
		    snprintf(c->master_key, sizeof(c->master_key), "master.key");
		if (n < 0 || (size_t)n >= sizeof(c->master_key)) {
			snprintf(err, errsz, "database path too long");
			return -1;
		}
	}
	return 0;
}

void
config_default_issuer(struct config *c, uint16_t port)
{
	bool v6 = strchr(c->listen_host, ':') != NULL;

	if (c->issuer[0] != '\0')
		return;
	snprintf(c->issuer, sizeof(c->issuer), "%s://%s%s%s:%u",
	    c->tls_cert[0] != '\0' ? "https" : "http", v6 ? "[" : "", c->listen_host, v6 ? "]" : "", (unsigned)port);
}
