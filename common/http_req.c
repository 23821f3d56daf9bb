/*
 * http_req: the request's accessors and answers (see http_req.h).
 */
#include "http_req.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_priv.h"
#include "metrics.h"

static const char CSP_PAGE[] = "default-src 'self'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'";
static const char CSP_API[] = "default-src 'none'; frame-ancestors 'none'";

const char *
http_method(const struct http_req *r)
{
	return r->method;
}

const char *
http_path(const struct http_req *r)
{
	return r->path;
}

const char *
http_target(const struct http_req *r)
{
	return r->target != NULL ? r->target : r->path;
}

const char *
http_header(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
http_query(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
http_cookie(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *
http_body(const struct http_req *r, size_t *len)
{
	*len = r->body_len;
	return r->body != NULL ? r->body : "";
}

struct metrics *
http_metrics(struct http_req *r)
{
	return r->srv->opts.metrics;
}

static enum MHD_Result
last_xff(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	UNUSED(kind);
	if (strcasecmp(key, "X-Forwarded-For") == 0)
		*(const char **)cls = value;
	return MHD_YES;
}

const char *
http_client_addr(struct http_req *r, char buf[64])
{
	const char *xff = NULL;
	char peer[64];

	if (r->srv->proxies.n == 0)
		return http_peer_addr(r, buf);
	/* The last header: the one the nearest proxy wrote. */
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, last_xff, &xff);
	proxy_client_addr(&r->srv->proxies, http_peer_addr(r, peer), xff, buf);
	return buf;
}

const char *
http_peer_addr(struct http_req *r, char buf[64])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	strcpy(buf, "unknown");
	if (sa == NULL)
		return buf;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, 64);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, 64);
	return buf;
}

bool
http_responded(const struct http_req *r)
{
	return r->responded;
}

void
http_add_header(struct http_req *r, const char *name, const char *value)
{
	if (r->nextra == MAX_EXTRA_HEADERS || name == NULL || value == NULL)
		return;
	r->extra[r->nextra].name = strdup(name);
	r->extra[r->nextra].value = strdup(value);
	r->nextra++;
}

void
http_set_cookie(struct http_req *r, const char *name, const char *value,
    long max_age, bool secure)
{
	char buf[1024], age[32] = "";

	if (max_age >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%ld", max_age);
	if ((size_t)snprintf(buf, sizeof(buf), "%s=%s; Path=/%s; HttpOnly; SameSite=Lax%s",
	    name, value, age, secure ? "; Secure" : "") >= sizeof(buf))
		return;
	http_add_header(r, "Set-Cookie", buf);
}

static void
add_security_headers(struct MHD_Response *resp, const char *ctype)
{
	bool page = ctype != NULL && strncmp(ctype, "text/html", 9) == 0;

	MHD_add_response_header(resp, "Content-Security-Policy",
	    page ? CSP_PAGE : CSP_API);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (ctype != NULL)
		MHD_add_response_header(resp, "Content-Type", ctype);
}

static void
queue(struct http_req *r, unsigned status, struct MHD_Response *resp,
    const char *ctype)
{
	bool has_cache = false;

	if (resp == NULL) {
		/* Out of memory: closing the connection is the only answer left. */
		r->responded = true;
		return;
	}
	add_security_headers(resp, ctype);
	for (size_t i = 0; i < r->nextra; i++) {
		MHD_add_response_header(resp, r->extra[i].name, r->extra[i].value);
		if (strcasecmp(r->extra[i].name, "Cache-Control") == 0)
			has_cache = true;
	}
	if (!has_cache)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	r->status = status;
	if (r->too_large || r->close)
		MHD_add_response_header(resp, "Connection", "close");
	MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	r->responded = true;
}

void
http_respond(struct http_req *r, unsigned status, const char *ctype,
    const void *body, size_t len)
{
	struct MHD_Response *resp;

	if (r->responded)
		return;
	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	queue(r, status, resp, ctype);
}

void
http_respond_json(struct http_req *r, unsigned status, json_t *json)
{
	char *s;
	struct MHD_Response *resp;

	if (r->responded) {
		json_decref(json);
		return;
	}
	s = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(json);
	if (s == NULL) {
		queue(r, 500, NULL, NULL);
		return;
	}
	resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		free(s);
	queue(r, status, resp, "application/json");
}

void
http_respond_error(struct http_req *r, unsigned status, const char *code,
    const char *description)
{
	json_t *j = json_pack("{s:s, s:s}", "error", code,
	    "error_description", description != NULL ? description : code);

	http_respond_json(r, status, j);
}

void
http_redirect(struct http_req *r, unsigned status, const char *location)
{
	http_add_header(r, "Location", location);
	http_respond(r, status, "text/plain; charset=utf-8", "", 0);
}

static int
json_depth_ok(const char *s, size_t n, int max_depth)
{
	int depth = 0;
	bool in_str = false;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return 0;
		} else if (c == '}' || c == ']')
			depth--;
	}
	return 1;
}

json_t *
http_json_body(struct http_req *r, int max_depth)
{
	const char *ct = http_header(r, "Content-Type");
	json_error_t e;
	json_t *j;
	char msg[96];

	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
		http_respond_error(r, 415, "invalid_request",
		    "Content-Type must be application/json");
		return NULL;
	}
	if (!json_depth_ok(r->body != NULL ? r->body : "", r->body_len, max_depth)) {
		http_respond_error(r, 400, "invalid_request", "JSON nested too deeply");
		return NULL;
	}
	j = json_loadb(r->body != NULL ? r->body : "", r->body_len,
	    JSON_REJECT_DUPLICATES, &e);
	if (j == NULL) {
		/* The position only: the text near it may be a secret. */
		snprintf(msg, sizeof(msg), "body is not valid JSON (at byte %d)",
		    e.position);
		http_respond_error(r, 400, "invalid_request", msg);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		http_respond_error(r, 400, "invalid_request", "body must be a JSON object");
		return NULL;
	}
	return j;
}

int
http_basic_auth(struct http_req *r, char *user, size_t ulen, char *pass, size_t plen)
{
	char *u = NULL, *p = NULL;
	int rc = -1;

	u = MHD_basic_auth_get_username_password(r->conn, &p);
	if (u == NULL || p == NULL)
		goto done;
	if (strlen(u) >= ulen || strlen(p) >= plen)
		goto done;
	strcpy(user, u);
	strcpy(pass, p);
	rc = 0;
done:
	if (p != NULL) {
		sodium_memzero(p, strlen(p));
		MHD_free(p);
	}
	if (u != NULL)
		MHD_free(u);
	return rc;
}

