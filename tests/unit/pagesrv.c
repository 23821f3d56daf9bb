/*
 * pagesrv: the page tests' in-process server and browser.
 */
#include "pagesrv.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "clock.h"
#include "log.h"
#include "sms.h"
#include "workpool.h"

#define ROW PS_PID "," PS_NAME "," PS_BIRTH ",male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"

int
pagesrv_up(struct pagesrv *s, const char *name)
{
	const struct session_limits lim = { 1800, 43200 };
	struct http_opts o;
	char err[256];

	memset(s, 0, sizeof(*s));
	if (fixture_open(&s->f, name) != 0 ||
	    fixture_import(&s->f, ROW, PS_NOW - 86400) != 1)
		return -1;
	s->clock = clock_new_test(PS_NOW);
	s->logf = tmpfile();
	s->ctx = (struct routes_ctx){ .db = s->f.db, .seal = s->f.seal,
	    .clock = s->clock, .issuer = "http://127.0.0.1",
	    .log = log_new(s->logf, LOG_DEBUG) };
	randombytes_buf(s->ctx.csrf_key, sizeof(s->ctx.csrf_key));
	if (s->clock == NULL || s->logf == NULL || s->ctx.log == NULL ||
	    auth_new(s->f.db, s->f.seal, &lim, &s->ctx.auth) != 0 ||
	    workpool_new(1, 8, 0, &s->ctx.pool) != 0)
		return -1;
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.threads = 2;
	o.body_limit = 65536;
	o.conn_timeout = 10;
	o.ctx = &s->ctx;
	o.log = s->ctx.log;
	o.routes = s->routes;
	o.nroutes = routes_build(s->routes, ARRAY_LEN(s->routes));
	if (http_start(&o, &s->srv, err, sizeof(err)) != 0) {
		fprintf(stderr, "http_start: %s\n", err);
		return -1;
	}
	s->port = http_port(s->srv);
	return 0;
}

void
pagesrv_down(struct pagesrv *s)
{
	http_stop(s->srv);
	workpool_free(s->ctx.pool);
	auth_free(s->ctx.auth);
	log_free(s->ctx.log);
	if (s->logf != NULL)
		fclose(s->logf);
	clock_free(s->clock);
	fixture_close(&s->f);
}

/* Sets or deletes cookie name=value in the jar. */
static void
jar_set(struct browser *b, const char *name, size_t nlen, const char *value,
    size_t vlen, bool del)
{
	char out[sizeof(b->cookies)] = "", *p = b->cookies, *next;

	while (p != NULL && *p != '\0') {
		next = strstr(p, "; ");
		size_t len = next != NULL ? (size_t)(next - p) : strlen(p);

		if (!(len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '='))
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%.*s",
			    out[0] != '\0' ? "; " : "", (int)len, p);
		p = next != NULL ? next + 2 : NULL;
	}
	if (!del)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%.*s=%.*s",
		    out[0] != '\0' ? "; " : "", (int)nlen, name, (int)vlen, value);
	memcpy(b->cookies, out, sizeof(out));
}

static void
jar_update(struct browser *b, const struct resp *r)
{
	char v[1024];

	for (int i = 0; header_nth(r, "Set-Cookie", i, v, sizeof(v)) != NULL; i++) {
		size_t nlen = strcspn(v, "="), vlen;

		if (v[nlen] != '=')
			continue;
		vlen = strcspn(v + nlen + 1, ";");
		jar_set(b, v, nlen, v + nlen + 1, vlen, vlen == 0 ||
		    strstr(v, "Max-Age=0;") != NULL);
	}
}

static int
request(struct pagesrv *s, struct browser *b, const char *head,
    const char *body, struct resp *r)
{
	struct conn c;
	char extra[2300] = "";
	int rc;

	memset(r, 0, sizeof(*r));
	if (b != NULL && b->cookies[0] != '\0')
		snprintf(extra, sizeof(extra), "Cookie: %s\r\n", b->cookies);
	if (b != NULL && b->accept_language != NULL)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
		    "Accept-Language: %s\r\n", b->accept_language);
	if (conn_open(&c, s->port) != 0)
		return -1;
	rc = sendf(&c, "%s%sConnection: close\r\n\r\n%s", head, extra,
	    body != NULL ? body : "");
	if (rc == 0)
		rc = read_response(&c, r, false);
	conn_close(&c);
	if (rc == 0 && b != NULL)
		jar_update(b, r);
	return rc;
}

int
ps_get(struct pagesrv *s, struct browser *b, const char *path, struct resp *r)
{
	char head[1200];

	snprintf(head, sizeof(head), "GET %s HTTP/1.1\r\nHost: t\r\n", path);
	return request(s, b, head, NULL, r);
}

int
ps_post(struct pagesrv *s, struct browser *b, const char *path,
    const char *form, const char *ctype, struct resp *r)
{
	char head[1400];

	snprintf(head, sizeof(head), "POST %s HTTP/1.1\r\nHost: t\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n", path,
	    ctype != NULL ? ctype : "application/x-www-form-urlencoded",
	    strlen(form));
	return request(s, b, head, form, r);
}

const char *
ps_input(const struct resp *r, const char *name, char *out, size_t outsz)
{
	char pat[96];
	const char *p = r->body, *start, *end;

	out[0] = '\0';
	snprintf(pat, sizeof(pat), "name=\"%s\"", name);
	while (p != NULL && (p = strstr(p, pat)) != NULL) {
		for (start = p; start > r->body && *start != '<'; start--)
			;
		if (strncmp(start, "<input", 6) == 0 &&
		    (end = strchr(p, '>')) != NULL && (size_t)(end - start) < outsz) {
			snprintf(out, outsz, "%.*s", (int)(end - start + 1), start);
			break;
		}
		p += strlen(pat);
	}
	return out;
}

const char *
ps_value(const struct resp *r, const char *name, char *out, size_t outsz)
{
	char tag[1024];
	const char *v, *e;

	out[0] = '\0';
	if (ps_input(r, name, tag, sizeof(tag))[0] == '\0' ||
	    (v = strstr(tag, " value=\"")) == NULL)
		return out;
	v += 8;
	if ((e = strchr(v, '"')) != NULL && (size_t)(e - v) < outsz)
		snprintf(out, outsz, "%.*s", (int)(e - v), v);
	return out;
}

bool
ps_has_attr(const struct resp *r, const char *name, const char *attr,
    const char *val)
{
	char tag[1024], pat[128];

	snprintf(pat, sizeof(pat), " %s=\"%s\"", attr, val);
	return ps_input(r, name, tag, sizeof(tag))[0] != '\0' &&
	    strstr(tag, pat) != NULL;
}

static void
grab(int64_t at, const char *phone, const char *body, void *arg)
{
	char *code = arg;
	const char *p = strstr(body, "la ");

	UNUSED(at);
	UNUSED(phone);
	if (p != NULL)
		snprintf(code, 7, "%.6s", p + 3);
}

void
ps_newest_code(struct pagesrv *s, char code[7])
{
	code[0] = '\0';
	if (sms_foreach(s->f.db, PS_PHONE, grab, code) != DB_OK)
		code[0] = '\0';
}

bool
ps_log_has(struct pagesrv *s, const char *needle)
{
	static char buf[1 << 20];
	size_t n;

	fflush(s->logf);
	rewind(s->logf);
	n = fread(buf, 1, sizeof(buf) - 1, s->logf);
	buf[n] = '\0';
	fseek(s->logf, 0, SEEK_END);
	return strstr(buf, needle) != NULL;
}

const char *
ps_cookie(const struct browser *b, const char *name, char *out, size_t outsz)
{
	const char *p = b->cookies;
	size_t n = strlen(name);

	out[0] = '\0';
	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			snprintf(out, outsz, "%.*s", (int)strcspn(p + n + 1, ";"), p + n + 1);
			break;
		}
		p = strstr(p, "; ");
		p = p != NULL ? p + 2 : NULL;
	}
	return out;
}

/* GET page, then POST its form to action with `fields` and its csrf. */
static int
flow_post(struct pagesrv *s, struct browser *b, const char *action,
    const char *fields, struct resp *r)
{
	char csrf[64], form[2048];
	struct resp g;

	if (ps_get(s, b, "/login", &g) != 0)
		return -1;
	ps_value(&g, "csrf", csrf, sizeof(csrf));
	resp_free(&g);
	snprintf(form, sizeof(form), "csrf=%s&%s", csrf, fields);
	return ps_post(s, b, action, form, NULL, r);
}

int
ps_register(struct pagesrv *s, struct browser *b)
{
	struct resp r;
	char id[64], code[7], form[256];
	int rc = -1;

	if (flow_post(s, b, "/register", "personal_id=" PS_PID "&full_name="
	    "Nguy%E1%BB%85n+V%C4%83n+An&birth_date=" PS_BIRTH "&phone=" PS_PHONE
	    "&password=hoa+sen+trong+dam", &r) != 0)
		return -1;
	ps_value(&r, "registration_id", id, sizeof(id));
	resp_free(&r);
	ps_newest_code(s, code);
	snprintf(form, sizeof(form), "registration_id=%s&code=%s", id, code);
	if (flow_post(s, b, "/register/code", form, &r) == 0 && r.status == 303)
		rc = 0;
	resp_free(&r);
	return rc;
}

int
ps_login(struct pagesrv *s, struct browser *b)
{
	struct resp r;
	char id[64], code[7], form[256];
	int rc = -1;

	if (flow_post(s, b, "/login", "personal_id=" PS_PID
	    "&password=hoa+sen+trong+dam", &r) != 0)
		return -1;
	ps_value(&r, "login_id", id, sizeof(id));
	resp_free(&r);
	ps_newest_code(s, code);
	snprintf(form, sizeof(form), "login_id=%s&code=%s", id, code);
	if (flow_post(s, b, "/login/code", form, &r) == 0 && r.status == 303)
		rc = 0;
	resp_free(&r);
	return rc;
}
