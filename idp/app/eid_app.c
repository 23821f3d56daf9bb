/*
 * eid-app: the citizen's phone app as a command-line stand-in. Owns the
 * command line (commands, options, usage, exit codes: 0 done, 1 failed
 * with one line on stderr, 2 usage) and the commands: a new device key,
 * activation with a desk's code, approving a web login shown as a QR
 * code, the account's devices (list, revoke, a code for a new one), and
 * the level-2 credential with its airport presentations.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_cred.h"
#include "app_http.h"
#include "app_state.h"
#include "app_uri.h"
#include "base.h"
#include "qr.h"

#define DEFAULT_STATE "var/eid-app.json"
#define DEFAULT_IDP "http://127.0.0.1:8080"
#define DEFAULT_NAME "eid-app"
#define MAX_ARGS 4

enum { F_NAME = 1, F_FORCE = 2, F_DENY = 4, F_QR = 8, F_NONCE = 16 };

struct run {
	const char *state_path;
	const char *idp_flag;	/* --idp, or NULL */
	const char *name;	/* --name, or NULL */
	const char *nonce;	/* --nonce, or NULL */
	bool force, deny, help, qr;
	const char *args[MAX_ARGS];
	size_t nargs;
	struct app_state *st;
	char idp[APP_URL_MAX + 1];
};

struct cmd {
	const char *name, *synopsis, *help;
	size_t nargs;
	unsigned flags;
	int (*fn)(struct run *);
};

static void fail_msg(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* One line on stderr. */
static void
fail_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("eid-app: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Prints text from the server without control characters (terminal safety). */
static void
print_clean(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			putchar(*s);
}

/* The provider's URL: --idp, else the stored one, else the default. */
static const char *
idp_url(struct run *r)
{
	const char *u = r->idp_flag;

	if (u == NULL && r->st != NULL && app_state_idp(r->st)[0] != '\0')
		u = app_state_idp(r->st);
	snprintf(r->idp, sizeof(r->idp), "%s", u != NULL ? u : DEFAULT_IDP);
	/* One form: without a trailing slash. */
	for (size_t n = strlen(r->idp); n > 0 && r->idp[n - 1] == '/'; n--)
		r->idp[n - 1] = '\0';
	return r->idp;
}

/* Loads the state; with `activated`, it must be an activated one. */
static int
load(struct run *r, bool activated)
{
	char err[512];
	int rc = app_state_load(r->state_path, &r->st, err, sizeof(err));

	if (rc < 0) {
		fail_msg("%s", err);
		return -1;
	}
	if (rc == 1) {
		fail_msg("no device key in %s: run eid-app init first", r->state_path);
		return -1;
	}
	if (activated && !app_state_activated(r->st)) {
		fail_msg("this device is not activated yet: run eid-app activate CODE "
		    "with the code from the enrollment desk");
		return -1;
	}
	return 0;
}

/* One call; -1 after printing why no answer came. */
static int
call(struct run *r, bool sign, const char *method, const char *path,
    const char *body, struct app_resp *out)
{
	char err[768];

	if (app_http_call(idp_url(r), sign ? r->st : NULL, method, path, body, out,
	    err, sizeof(err)) != 0) {
		fail_msg("%s", err);
		return -1;
	}
	return 0;
}

/* Prints the refusal of `what` in one line; returns 1 (the exit status). */
static int
refused(const struct app_resp *resp, const char *what)
{
	const char *why = app_resp_reason(resp, "no reason given");

	if (resp->status == 401)
		fail_msg("the identity provider refused this device: %s", why);
	else
		fail_msg("%s failed (HTTP %ld): %s", what, resp->status, why);
	return 1;
}

static int
c_init(struct run *r)
{
	struct app_state *old = NULL;
	char err[512];
	int rc;

	if (!r->force) {
		rc = app_state_load(r->state_path, &old, err, sizeof(err));
		if (rc < 0) {
			fail_msg("%s (use --force to replace it with a new key)", err);
			return 1;
		}
		if (rc == 0 && app_state_activated(old)) {
			fail_msg("%s holds an activated device key; use --force to "
			    "replace it (the old device stays bound until revoked)",
			    r->state_path);
			app_state_free(old);
			return 1;
		}
		app_state_free(old);
	}
	if (app_state_new(r->name != NULL ? r->name : DEFAULT_NAME, &r->st) != 0) {
		fail_msg("--name must be 1 to %d bytes of text", APP_NAME_MAX);
		return r->name != NULL ? 2 : 1;
	}
	if (app_state_save(r->st, r->state_path, err, sizeof(err)) != 0) {
		fail_msg("%s", err);
		return 1;
	}
	printf("%s\n", app_state_public_key(r->st));
	return 0;
}

static int
c_activate(struct run *r)
{
	struct app_resp resp;
	char err[512], *body;
	json_t *req;
	const char *id;
	int rc = 1;

	if (load(r, false) != 0)
		return 1;
	if (app_state_activated(r->st)) {
		fail_msg("this device is activated already (device %s); run eid-app "
		    "init --force for a new key first", app_state_device_id(r->st));
		return 1;
	}
	req = json_pack("{s:s, s:s, s:s}", "activation_code", r->args[0],
	    "public_key", app_state_public_key(r->st), "name", app_state_name(r->st));
	body = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (body == NULL || call(r, false, "POST", "/v1/devices", body, &resp) != 0)
		goto done;
	id = json_string_value(json_object_get(resp.json, "device_id"));
	if (resp.status != 201 || id == NULL)
		rc = refused(&resp, "activation");
	else if (app_state_set_device(r->st, id, r->idp) != 0 ||
	    app_state_save(r->st, r->state_path, err, sizeof(err)) != 0)
		fail_msg("activated as device %s but cannot save it: %s", id, err);
	else {
		printf("activated: device %s, account level %lld\n", id,
		    json_integer_value(json_object_get(resp.json, "account_level")));
		rc = 0;
	}
	app_resp_free(&resp);
done:
	free(body);
	return rc;
}

/* Prints who asks and what they will receive. */
static void
show_request(const json_t *info)
{
	const char *client = json_string_value(json_object_get(info, "client_name"));
	json_t *attrs = json_object_get(info, "attributes"), *a;
	size_t i, shown = 0;

	printf("Sign-in request from: ");
	if (client != NULL && client[0] != '\0')
		print_clean(client);
	else
		printf("dinhdanh (signing in to your own account)");
	printf("\nIt will receive: ");
	json_array_foreach(attrs, i, a) {
		if (!json_is_string(a))
			continue;
		printf("%s", shown++ > 0 ? ", " : "");
		print_clean(json_string_value(a));
	}
	if (shown == 0)
		printf("nothing about you beyond the sign-in itself");
	printf("\n");
	if (json_is_integer(json_object_get(info, "expires_in")))
		printf("Expires in: %lld s\n",
		    json_integer_value(json_object_get(info, "expires_in")));
	fflush(stdout);
}

/* The refusal of a login transaction's call; returns 1. */
static int
qr_refused(const struct app_resp *resp, const char *what)
{
	if (resp->status == 404)
		fail_msg("unknown QR code: no such sign-in at this identity provider; "
		    "scan it again");
	else if (resp->status == 410)
		fail_msg("this QR code has expired or was used already; reload the "
		    "login page for a new one");
	else
		return refused(resp, what);
	return 1;
}

static int
c_approve(struct run *r)
{
	const char *decision = r->deny ? "deny" : "approve", *status;
	struct app_uri_login qr;
	struct app_resp resp;
	char body[40], path[96];
	int rc = app_uri_parse_login(r->args[0], strlen(r->args[0]), &qr);

	if (rc != APP_URI_OK) {
		fail_msg("not a login QR code (%s): expected "
		    "dinhdanh://login?tx=...&idp=...", app_uri_strerror(rc));
		return 2;
	}
	if (load(r, true) != 0)
		return 1;
	if (qr.idp[0] != '\0' && strcmp(qr.idp, idp_url(r)) != 0) {
		fail_msg("this QR code is for another identity provider (%s), not %s; "
		    "refusing it", qr.idp, r->idp);
		return 1;
	}
	snprintf(path, sizeof(path), "/v1/login/qr/%s", qr.tx);
	if (call(r, true, "GET", path, NULL, &resp) != 0)
		return 1;
	if (resp.status != 200 || !json_is_object(resp.json)) {
		rc = qr_refused(&resp, "reading the sign-in request");
		app_resp_free(&resp);
		return rc;
	}
	show_request(resp.json);
	app_resp_free(&resp);
	snprintf(body, sizeof(body), "{\"decision\":\"%s\"}", decision);
	if (call(r, true, "POST", path, body, &resp) != 0)
		return 1;
	status = json_string_value(json_object_get(resp.json, "status"));
	if (resp.status != 200 || status == NULL)
		rc = qr_refused(&resp, r->deny ? "denying" : "approving");
	else {
		printf("%s\n", status);
		rc = 0;
	}
	app_resp_free(&resp);
	return rc;
}

/* A time as YYYY-MM-DD HH:MM UTC into buf[32]. */
static const char *
when(json_int_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(buf, 32, "%lld", (long long)t);
	return buf;
}

static int
c_devices(struct run *r)
{
	json_t *list, *d;
	struct app_resp resp;
	char a[32], b[32];
	size_t i;

	if (load(r, true) != 0 || call(r, true, "GET", "/v1/devices", NULL, &resp) != 0)
		return 1;
	list = json_object_get(resp.json, "devices");
	if (resp.status != 200 || !json_is_array(list)) {
		refused(&resp, "listing the devices");
		app_resp_free(&resp);
		return 1;
	}
	printf("%-43s  %-20s  %-20s  %s\n", "DEVICE", "ADDED", "LAST USED", "NAME");
	json_array_foreach(list, i, d) {
		const char *id = json_string_value(json_object_get(d, "device_id"));

		printf("%-43s  %-20s  %-20s  ", id != NULL ? id : "?",
		    when(json_integer_value(json_object_get(d, "created_at")), a),
		    when(json_integer_value(json_object_get(d, "last_used_at")), b));
		print_clean(json_string_value(json_object_get(d, "name")));
		printf("%s\n", json_is_true(json_object_get(d, "this_device")) ?
		    "  (this device)" : "");
	}
	app_resp_free(&resp);
	return 0;
}

static int
c_revoke(struct run *r)
{
	struct app_resp resp;
	char path[96];
	int rc = 0;

	if (!app_uri_is_id(r->args[0])) {
		fail_msg("DEVICE_ID must be a device id as `eid-app devices` lists it");
		return 2;
	}
	if (load(r, true) != 0)
		return 1;
	snprintf(path, sizeof(path), "/v1/devices/%s/revoke", r->args[0]);
	if (call(r, true, "POST", path, NULL, &resp) != 0)
		return 1;
	if (resp.status == 404)
		rc = (fail_msg("the account has no device %s", r->args[0]), 1);
	else if (resp.status != 200)
		rc = refused(&resp, "revoking the device");
	else
		printf("revoked device %s%s\n", r->args[0],
		    strcmp(r->args[0], app_state_device_id(r->st)) == 0 ?
		    " (this device: it can no longer sign in)" : "");
	app_resp_free(&resp);
	return rc;
}

static int
c_add_device(struct run *r)
{
	struct app_resp resp;
	const char *code;
	char t[32];
	int rc = 0;

	if (load(r, true) != 0 ||
	    call(r, true, "POST", "/v1/devices/codes", NULL, &resp) != 0)
		return 1;
	code = json_string_value(json_object_get(resp.json, "activation_code"));
	if (resp.status != 201 || code == NULL)
		rc = refused(&resp, "asking for an activation code");
	else
		printf("%s\nEnter it on the new device with: eid-app activate CODE "
		    "(valid until %s)\n", code, when(json_integer_value(
		    json_object_get(resp.json, "expires_at")), t));
	app_resp_free(&resp);
	return rc;
}

/*
 * Fetches a new credential and saves it: 0; -1 no answer; 2 refused for
 * this device (401, 403); 1 any other failure.
 */
static int
refresh(struct run *r, bool quiet_offline)
{
	char err[768];
	long status = 0;
	int rc = app_cred_fetch(idp_url(r), r->st, &status, err, sizeof(err));

	if (rc == 0 && app_state_save(r->st, r->state_path, err, sizeof(err)) != 0) {
		fail_msg("%s", err);
		return 1;
	}
	if (rc < 0 && !quiet_offline)
		fail_msg("%s", err);
	else if (rc > 0 && (status == 401 || status == 403)) {
		fail_msg("the identity provider refused a credential for this "
		    "device: %s", err);
		return 2;
	} else if (rc > 0)
		fail_msg("fetching the credential failed (HTTP %ld): %s", status, err);
	return rc;
}

/* Forgets a credential the provider no longer stands behind. */
static void
forget_credential(struct run *r)
{
	char err[512];

	if (app_state_set_credential(r->st, "", 0) == 0 &&
	    app_state_save(r->st, r->state_path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static int
c_credential(struct run *r)
{
	if (load(r, true) != 0)
		return 1;
	if ((r->force || app_cred_due(r->st, (int64_t)time(NULL))) &&
	    refresh(r, false) != 0)
		return 1;
	printf("%s\n", app_state_credential(r->st, NULL));
	return 0;
}

static int
c_present(struct run *r)
{
	int64_t now = (int64_t)time(NULL);
	char *pres, *qr = NULL;
	int rc;

	if (r->nonce != NULL && !app_cred_nonce_ok(r->nonce)) {
		fail_msg("--nonce must be 1 to %d printable ASCII characters",
		    APP_NONCE_MAX);
		return 2;
	}
	if (load(r, true) != 0)
		return 1;
	/* Refreshed when due and possible; offline, a valid one still serves. */
	if (app_cred_due(r->st, now) && (rc = refresh(r, true)) != 0) {
		/* Refused for this device: the stored one is revoked too. */
		if (rc == 2) {
			forget_credential(r);
			return 1;
		}
		if (!app_cred_valid(r->st, now)) {
			fail_msg("no valid credential stored and none could be fetched: "
			    "run eid-app credential when online");
			return 1;
		}
	}
	if ((pres = app_cred_present(r->st, r->nonce, now)) == NULL ||
	    (r->qr && (qr = qr_text_screen(pres)) == NULL)) {
		fail_msg("cannot make the presentation");
		free(pres);
		return 1;
	}
	printf("%s\n%s", pres, qr != NULL ? qr : "");
	free(qr);
	free(pres);
	return 0;
}

static const struct cmd CMDS[] = {
	{ "init", "[--name NAME] [--force]",
	    "Makes a new Ed25519 device key in the state file and prints its\n"
	    "public key (base64url). Refuses to replace an activated device's key\n"
	    "unless --force.\n"
	    "  --name NAME   how the account page lists this device (default eid-app)\n"
	    "  --force       replace an activated state", 0, F_NAME | F_FORCE, c_init },
	{ "activate", "CODE",
	    "Binds this device to the account with the activation code printed by\n"
	    "the enrollment desk (or by `eid-app add-device` on another device).",
	    1, 0, c_activate },
	{ "approve", "'dinhdanh://login?...' [--deny]",
	    "Approves the web sign-in shown as a QR code: prints the service that\n"
	    "asks and what it will receive, then approves it.\n"
	    "  --deny        refuse the sign-in instead", 1, F_DENY, c_approve },
	{ "devices", "", "Lists the account's devices, with when each was added "
	    "and last used.", 0, 0, c_devices },
	{ "revoke", "DEVICE_ID", "Revokes a device of the account (this one "
	    "included): its next request fails.", 1, 0, c_revoke },
	{ "add-device", "", "Prints an activation code for a new device of the "
	    "same account.", 0, 0, c_add_device },
	{ "credential", "[--force]",
	    "Prints this device's level-2 credential (a compact JWS on one line),\n"
	    "fetching a new one first when none is stored or less than a day of it\n"
	    "remains.\n"
	    "  --force       fetch a new one anyway", 0, F_FORCE, c_credential },
	{ "present", "[--qr] [--nonce N]",
	    "Prints an airport presentation of the credential, signed by this\n"
	    "device (a compact JWS on one line), refreshing the credential first\n"
	    "when due and the provider can be reached.\n"
	    "  --qr          also print it as a QR code on the following lines\n"
	    "  --nonce N     the verifier's challenge, put into the presentation",
	    0, F_QR | F_NONCE, c_present },
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: eid-app [--state PATH] [--idp URL] COMMAND [ARGS]\n\n"
	    "The citizen's phone app, on the command line.\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_LEN(CMDS); i++)
		fprintf(out, "  %s%s%s\n", CMDS[i].name,
		    CMDS[i].synopsis[0] != '\0' ? " " : "", CMDS[i].synopsis);
	fprintf(out, "\noptions:\n"
	    "  --state PATH  the state file (default $EID_APP_STATE, else %s);\n"
	    "                mode 0600, refused when others may read it\n"
	    "  --idp URL     the identity provider (default: the one the device was\n"
	    "                activated with, else %s)\n"
	    "  --help        this text; COMMAND --help for a command's\n",
	    DEFAULT_STATE, DEFAULT_IDP);
}

static void
cmd_help(const struct cmd *c)
{
	printf("usage: eid-app [--state PATH] [--idp URL] %s %s\n\n%s\n", c->name,
	    c->synopsis, c->help);
}

static int usage_error(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* One line on stderr; returns 2 (the exit status of a usage error). */
static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("eid-app: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see eid-app --help)\n", stderr);
	return 2;
}

/* The value option `a` (--state, --idp, --name, --nonce) into its slot, or NULL. */
static const char **
value_slot(struct run *r, const char *a, size_t n, unsigned *flag)
{
	*flag = 0;
	if (n == 7 && strncmp(a, "--state", n) == 0)
		return &r->state_path;
	if (n == 5 && strncmp(a, "--idp", n) == 0)
		return &r->idp_flag;
	if (n == 6 && strncmp(a, "--name", n) == 0) {
		*flag = F_NAME;
		return &r->name;
	}
	if (n == 7 && strncmp(a, "--nonce", n) == 0) {
		*flag = F_NONCE;
		return &r->nonce;
	}
	return NULL;
}

/* One option at argv[*i]: 0, or 2 after a usage error. */
static int
option(struct run *r, int argc, char **argv, int *i, unsigned *used)
{
	const char *a = argv[*i], *eq = strchr(a, '=');
	size_t n = eq != NULL ? (size_t)(eq - a) : strlen(a);
	const char **slot;
	unsigned flag;

	if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
		r->help = true;
	else if (strcmp(a, "--force") == 0) {
		*used |= F_FORCE;
		r->force = true;
	} else if (strcmp(a, "--deny") == 0) {
		*used |= F_DENY;
		r->deny = true;
	} else if (strcmp(a, "--qr") == 0) {
		*used |= F_QR;
		r->qr = true;
	} else if ((slot = value_slot(r, a, n, &flag)) != NULL) {
		if (eq == NULL && *i + 1 >= argc)
			return usage_error("%s needs a value", a);
		*slot = eq != NULL ? eq + 1 : argv[++*i];
		*used |= flag;
	} else
		return usage_error("unknown option %s", a);
	return 0;
}

/* The command line into r and *cmd: 0, 2 after a usage error, -1 for help. */
static int
parse(int argc, char **argv, struct run *r, const struct cmd **cmd)
{
	const char *pos[MAX_ARGS + 1];
	unsigned used = 0;
	size_t npos = 0;
	bool dashdash = false;
	int rc;

	*cmd = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!dashdash && strcmp(a, "--") == 0)
			dashdash = true;
		else if (!dashdash && a[0] == '-' && a[1] != '\0' && !app_uri_is_id(a)) {
			if ((rc = option(r, argc, argv, &i, &used)) != 0)
				return rc;
		} else if (npos <= MAX_ARGS)
			pos[npos++] = a;
		else
			return usage_error("too many arguments");
	}
	if (npos == 0)
		return r->help ? -1 : usage_error("no command given");
	for (size_t i = 0; i < ARRAY_LEN(CMDS) && *cmd == NULL; i++)
		if (strcmp(pos[0], CMDS[i].name) == 0)
			*cmd = &CMDS[i];
	if (*cmd == NULL)
		return usage_error("unknown command %s", pos[0]);
	if (r->help)
		return -1;
	if ((used & ~(*cmd)->flags) != 0)
		return usage_error("%s takes no such option", pos[0]);
	if (npos - 1 != (*cmd)->nargs)
		return usage_error("usage: eid-app %s %s", pos[0], (*cmd)->synopsis);
	for (size_t i = 1; i < npos; i++)
		r->args[r->nargs++] = pos[i];
	return 0;
}

int
main(int argc, char **argv)
{
	struct run r = { 0 };
	const struct cmd *cmd;
	const char *env = getenv("EID_APP_STATE");
	int rc;

	r.state_path = env != NULL && env[0] != '\0' ? env : DEFAULT_STATE;
	if ((rc = parse(argc, argv, &r, &cmd)) != 0) {
		if (rc > 0)
			return rc;
		if (cmd != NULL)
			cmd_help(cmd);
		else
			usage(stdout);
		return 0;
	}
	if (r.state_path[0] == '\0')
		return usage_error("--state needs a path");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fail_msg("cannot initialise libcurl");
		return 1;
	}
	rc = cmd->fn(&r);
	app_state_free(r.st);
	curl_global_cleanup();
	return rc;
}
