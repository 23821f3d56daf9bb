/*
 * pagesrv: the citizen pages in process for the page tests: every route of
 * `idp serve` on 127.0.0.1 over a fixture database holding one registry
 * person, with a test clock, a one-thread password pool and a log kept in
 * a temp file; a browser-like client with a cookie jar; and look-ups in the
 * returned HTML (hidden fields, inputs).
 */
#ifndef TESTS_PAGESRV_H
#define TESTS_PAGESRV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fixture.h"
#include "rawhttp.h"
#include "routes.h"

#define PS_NOW INT64_C(1800000000)	/* 2027-01-15 */
#define PS_PID "001090000001"
#define PS_NAME "Nguy\xe1\xbb\x85n V\xc4\x83n An"
#define PS_BIRTH "1990-05-17"
#define PS_PHONE "0912345678"
#define PS_PASSWORD "hoa sen trong dam"

struct pagesrv {
	struct fixture f;
	struct clock *clock;
	struct routes_ctx ctx;
	struct http_server *srv;
	struct http_route routes[128];
	FILE *logf;
	uint16_t port;
};

/* A browser: its cookies as one Cookie header value, and extra headers. */
struct browser {
	char cookies[2048];
	const char *accept_language;
};

int pagesrv_up(struct pagesrv *, const char *name);
void pagesrv_down(struct pagesrv *);

/*
 * One request: GET when form is NULL, else a urlencoded POST of `form`
 * (ctype overrides the Content-Type when not NULL). Set-Cookie answers
 * update b's jar. 0 with *r (resp_free it), or -1.
 */
int ps_get(struct pagesrv *, struct browser *, const char *path, struct resp *r);
int ps_post(struct pagesrv *, struct browser *, const char *path,
    const char *form, const char *ctype, struct resp *r);

/* The value of the hidden (or any) input `name` of the page into out. */
const char *ps_value(const struct resp *, const char *name, char *out, size_t outsz);
/* The <input ...> tag of input `name` into out ("" when absent). */
const char *ps_input(const struct resp *, const char *name, char *out, size_t outsz);
/* True when the page has an <input> named `name` with attribute attr="val". */
bool ps_has_attr(const struct resp *, const char *name, const char *attr,
    const char *val);
/* The newest SMS code sent to PS_PHONE into code[7] ("" when none). */
void ps_newest_code(struct pagesrv *, char code[7]);
/* True when the server's log contains `s`. */
bool ps_log_has(struct pagesrv *, const char *s);
/* A cookie of the jar into out ("" when absent). */
const char *ps_cookie(const struct browser *, const char *name, char *out, size_t outsz);

/* Registers PS_PID in browser b through the pages: 0 or -1. */
int ps_register(struct pagesrv *, struct browser *);
/* Signs PS_PID in through the pages (password + SMS): 0 or -1. */
int ps_login(struct pagesrv *, struct browser *);

#endif
