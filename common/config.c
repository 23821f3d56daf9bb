/*
 * config: defaults, environment and flag values.
 */
#include "config.h"

#include <arpa/inet.h>
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

int
config_set(struct config *c, const char *key, const char *v, char *err, size_t errsz)
{
	if (strcmp(key, "db") == 0)
		return copy(c->db, sizeof(c->db), v, key, err, errsz);
	if (strcmp(key, "master-key") == 0)
		return copy(c->master_key, sizeof(c->master_key), v, key, err, errsz);
	if (strcmp(key, "listen") == 0)
		return set_listen(c, v, err, errsz);
	if (strcmp(key, "issuer") == 0) {
		if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) {
			snprintf(err, errsz, "--issuer: expected an http:// or https:// URL");
			return -1;
		}
		if (v[strlen(v) - 1] == '/' || strchr(v, '?') || strchr(v, '#')) {
			snprintf(err, errsz, "--issuer: no trailing slash, query or fragment");
			return -1;
		}
		return copy(c->issuer, sizeof(c->issuer), v, key, err, errsz);
	}
	if (strcmp(key, "web") == 0)
		return copy(c->web, sizeof(c->web), v, key, err, errsz);
	if (strcmp(key, "log-level") == 0) {
		if (log_level_parse(v, &c->log_level) == 0)
			return 0;
		snprintf(err, errsz, "--log-level: expected debug, info, warn or error");
		return -1;
	}
	if (strcmp(key, "threads") == 0) {
		unsigned long n;
		if (set_number(key, v, 0, 256, &n, err, errsz) != 0)
			return -1;
		c->threads = (unsigned)n;
		return 0;
	}
	if (strcmp(key, "session-idle") == 0 || strcmp(key, "session-max") == 0) {
		unsigned long n;
		if (set_number(key, v, 60, 30 * 86400UL, &n, err, errsz) != 0)
			return -1;
		*(key[8] == 'i' ? &c->session_idle : &c->session_absolute) = (int64_t)n;
		return 0;
	}
	if (strcmp(key, "login-rate") == 0) {
		unsigned long n;
		if (set_number(key, v, 0, 1000000, &n, err, errsz) != 0)
			return -1;
		c->login_rate = (unsigned)n;
		return 0;
	}
	if (strcmp(key, "device-limit") == 0) {
		unsigned long n;
		if (set_number(key, v, 1, 100, &n, err, errsz) != 0)
			return -1;
		c->device_limit = (unsigned)n;
		return 0;
	}
	if (strcmp(key, "audit-checkpoint") == 0) {
		unsigned long n;
		if (set_number(key, v, 0, 30 * 86400UL, &n, err, errsz) != 0)
			return -1;
		c->audit_checkpoint = (unsigned)n;
		return 0;
	}
	snprintf(err, errsz, "unknown setting: %s", key);
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
	snprintf(c->issuer, sizeof(c->issuer), "http://%s%s%s:%u",
	    v6 ? "[" : "", c->listen_host, v6 ? "]" : "", (unsigned)port);
}
