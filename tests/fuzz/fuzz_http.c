/*
 * fuzz_http: whole requests to every route of `idp serve`, in process (the
 * page tests' server: a fixture database with one registry person, the
 * ID-token and credential keys, one portal client, a fixed clock). The
 * input is the raw bytes of one connection; they reach libmicrohttpd's
 * request and cookie parsing, the server's %HH decoding of path and query,
 * JSON bodies (http_json_body, front_json_fields) into each API's request,
 * urlencoded forms of the pages and the token endpoint, HTTP Basic client
 * authentication, the session cookie and bearer tokens, ID token hints of
 * RP-initiated logout and device-signed requests. The answers are read
 * before the next input (see drain).
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clients.h"
#include "credentials.h"
#include "fuzz.h"
#include "keys.h"
#include "oidc_http.h"
#include "pagesrv.h"
#include "web.h"

#define READ_WAIT_MS 5000
#define READ_GAP_MS 20

static struct pagesrv srv;
static struct web *web;

static void
cleanup(void)
{
	pagesrv_down(&srv);
	keys_cache_free(srv.ctx.keys);
	keys_cache_free(srv.ctx.cred_keys);
	oidc_edge_free(srv.ctx.oidc);
	web_free(web);
}

static int
add_client(void)
{
	static const char *const cbs[] = { "https://portal.example/cb" };
	static const char *const byes[] = { "https://portal.example/bye" };
	struct client_new cn = { .name = "Portal", .kind = CLIENT_PORTAL,
	    .redirect_uris = cbs, .nredirect = 1, .post_logout_uris = byes,
	    .npost_logout = 1,
	    .scope = "openid profile personal_id address phone offline_access" };
	char id[CLIENT_ID_MAX], secret[CLIENT_SECRET_MAX], why[200];

	return clients_add(srv.f.db, srv.f.seal, &cn, PS_NOW, id, secret, why,
	    sizeof(why));
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc;
	(void)argv;
	FUZZ_SETUP_BEGIN();
	/* The web directory as `idp serve` loads it (the source tree's). */
	if (web_load(FUZZ_WEB_DIR, &web, err, sizeof(err)) != 0 ||
	    pagesrv_up(&srv, "fuzz_http") != 0 ||
	    keys_cache_new(srv.f.db, srv.f.seal, srv.clock, KEYS_ID_TOKEN,
	    &srv.ctx.keys) != 0 ||
	    keys_cache_new(srv.f.db, srv.f.seal, srv.clock, CRED_KEYS_PURPOSE,
	    &srv.ctx.cred_keys) != 0 || oidc_edge_new(&srv.ctx.oidc) != 0 ||
	    add_client() != 0)
		abort();
	srv.ctx.web = web;
	FUZZ_SETUP_END();
	atexit(cleanup);
	return 0;
}

/*
 * Reads the answers: up to READ_WAIT_MS for the first byte (password work
 * is deferred to the pool), then until the server closes or is quiet for
 * READ_GAP_MS (libmicrohttpd keeps a half-closed keep-alive connection
 * open until its timeout).
 */
static void
drain(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[16384];
	int wait = READ_WAIT_MS;

	while (poll(&pfd, 1, wait) > 0 && read(fd, buf, sizeof(buf)) > 0)
		wait = READ_GAP_MS;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conn c;
	size_t sent = 0;

	if (conn_open(&c, srv.port) != 0)
		return 0;
	while (sent < size) {
		ssize_t n = send(c.fd, data + sent, size - sent, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		sent += (size_t)n;
	}
	/* No more bytes: the server answers what it has, then closes. */
	shutdown(c.fd, SHUT_WR);
	drain(c.fd);
	conn_close(&c);
	return 0;
}
