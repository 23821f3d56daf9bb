/*
 * front: the shared edge of the citizen-facing handlers.
 */
#include "front.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "form.h"
#include "netaddr.h"
#include "ratelimit.h"
#include "workpool.h"

void
front_meta(struct http_req *r, char addr[64], struct auth_meta *out)
{
	char raw[64];
	const char *ua = http_header(r, "User-Agent");

	netaddr_truncate(http_client_addr(r, raw), addr);
	out->addr = addr;
	out->user_agent = ua != NULL ? ua : "";
}

int64_t
front_limited(struct http_req *r, const struct routes_ctx *ctx)
{
	char raw[64], key[64];
	int64_t ms;

	if (ctx->limit == NULL)
		return 0;
	netaddr_limit_key(http_client_addr(r, raw), key);
	ms = ratelimit_take(ctx->limit, key, (int64_t)(clock_monotonic() * 1000.0));
	return ms <= 0 ? 0 : (ms + 999) / 1000;
}

const char *
front_session_cookie(const struct routes_ctx *ctx)
{
	return ctx->secure ? FRONT_SESSION_COOKIE_SECURE : FRONT_SESSION_COOKIE;
}

const char *
front_session_token(struct http_req *r, const struct routes_ctx *ctx)
{
	const char *h = http_header(r, "Authorization");

	if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0)
		return h + 7;
	return http_cookie(r, front_session_cookie(ctx));
}

void
front_set_session(struct http_req *r, const struct routes_ctx *ctx,
    const char *token, long max_age)
{
	http_set_cookie(r, front_session_cookie(ctx), max_age > 0 ? token : "",
	    max_age > 0 ? max_age : 0, ctx->secure);
}

void
front_db_error(struct http_req *r, struct log *lg, int rc)
{
	if (rc == DB_FULL || rc == DB_BUSY || rc == DB_READONLY) {
		log_event(lg, LOG_ERROR, "db.unavailable", "error", db_strerror(rc), NULL);
		http_add_header(r, "Retry-After", "5");
		http_respond_error(r, 503, "temporarily_unavailable",
		    "the service cannot store data right now; try again shortly");
		return;
	}
	log_event(lg, LOG_ERROR, "db.error", "error", db_strerror(rc), NULL);
	http_respond_error(r, 500, "server_error", "internal error");
}

void
front_defer(struct http_req *r, const struct routes_ctx *ctx,
    struct pwjob *job, http_done_fn done)
{
	if (job == NULL) {
		http_respond_error(r, 500, "server_error", "out of memory");
		return;
	}
	if (http_defer(r, ctx->pool, pwjob_run, done, job) == 0)
		return;
	pwjob_free(job);
	log_event(ctx->log, LOG_WARN, "auth.pool_full", NULL);
	http_add_header(r, "Retry-After", "1");
	http_respond_error(r, 503, "temporarily_unavailable",
	    "the service is busy; try again in a moment");
}

json_t *
front_amr_json(const char *amr)
{
	json_t *a = json_array();
	const char *p = amr != NULL ? amr : "";

	while (a != NULL && *p != '\0') {
		size_t n = strcspn(p, " ");

		if (n > 0)
			json_array_append_new(a, json_stringn(p, n));
		p += n;
		p += strspn(p, " ");
	}
	return a;
}

int
front_json_fields(struct http_req *r, json_t *body, const struct front_field *f,
    size_t n, const char **out)
{
	char msg[128];

	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(body, f[i].name);

		if (v == NULL || json_is_null(v))
			snprintf(msg, sizeof(msg), "%s is required", f[i].name);
		else if (!json_is_string(v))
			snprintf(msg, sizeof(msg), "%s must be a string", f[i].name);
		else if (json_string_length(v) > f[i].max)
			snprintf(msg, sizeof(msg), "%s is too long", f[i].name);
		else if (strlen(json_string_value(v)) != json_string_length(v))
			snprintf(msg, sizeof(msg), "%s contains a NUL", f[i].name);
		else {
			out[i] = json_string_value(v);
			continue;
		}
		http_respond_error(r, 400, "invalid_request", msg);
		return -1;
	}
	return 0;
}

int
front_client_basic(struct http_req *r, struct routes_ctx *ctx,
    enum client_kind kind, struct client *out)
{
	char user[3 * CLIENT_ID_MAX], pass[3 * CLIENT_SECRET_MAX];
	struct db_conn *c;
	int rc = -1;

	if (http_basic_auth(r, user, sizeof(user), pass, sizeof(pass)) == 0 &&
	    form_unescape(user) == 0 && form_unescape(pass) == 0) {
		if ((c = db_acquire(ctx->db)) == NULL) {
			sodium_memzero(pass, sizeof(pass));
			front_db_error(r, ctx->log, DB_ERR);
			return -1;
		}
		rc = clients_authenticate(c, ctx->seal, user, pass, out);
		db_release(ctx->db, c);
	}
	sodium_memzero(pass, sizeof(pass));
	if (rc != 0) {
		log_event(ctx->log, LOG_WARN, "security.client_auth_failed",
		    "path", http_path(r), NULL);
		http_add_header(r, "WWW-Authenticate", "Basic realm=\"dinhdanh\"");
		http_respond_error(r, 401, "invalid_client", "client authentication failed");
		return -1;
	}
	if (out->kind != kind) {
		http_respond_error(r, 403, "unauthorized_client",
		    "this client may not use this endpoint");
		return -1;
	}
	return 0;
}
