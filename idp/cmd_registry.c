/*
 * cmd_registry: command-line front of the registry, regevent and card
 * modules.
 */
#include "cmd_registry.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "b64.h"
#include "card.h"
#include "cli.h"
#include "regen.h"
#include "regevent.h"
#include "registry.h"

#define MAX_SETS 8

static const struct cli_cmd import_cmd = { "registry import", "[--update] FILE.csv",
	"Imports population records from a CSV file with the header\n"
	PERSON_CSV_HEADER "\n"
	"in one transaction: every line is valid or nothing is imported, and the\n"
	"first bad line is named as 'line N: reason'. A record already present\n"
	"with the same data is left alone; one with other data is refused unless\n"
	"--update is given." };

static int
import_opt(int id, const char *val, void *arg)
{
	UNUSED(val);
	*(bool *)arg = id == 'u';
	return 0;
}

static int
cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "update", no_argument, NULL, 'u' }, { NULL, 0, NULL, 0 } };
	struct registry_import_result res;
	struct config cfg;
	struct cli_res r;
	bool update = false;
	double t0;
	FILE *f;
	int first, rc;

	cli_parse(&import_cmd, argc, argv, opts, import_opt, &update, &cfg, &first);
	if (argc - first != 1)
		cli_usage_error(&import_cmd, "expected one FILE.csv");
	if ((f = fopen(argv[first], "rb")) == NULL) {
		cli_error("%s: %s", argv[first], strerror(errno));
		return 1;
	}
	if (cli_open(&cfg, &r) != 0) {
		fclose(f);
		return 1;
	}
	t0 = clock_monotonic();
	rc = registry_import(r.db, f, argv[first], update, clock_now(r.clock), &res);
	if (rc == REG_INVALID)
		fprintf(stderr, "%s: line %lu: %s\n", argv[first], res.bad_line, res.reason);
	else if (rc != DB_OK)
		cli_error("%s: import failed: %s", argv[first], db_strerror(rc));
	else
		printf("imported %lu new, %lu updated, %lu unchanged in %.2f s\n",
		    res.inserted, res.updated, res.unchanged, clock_monotonic() - t0);
	fclose(f);
	cli_close(&r);
	return rc == DB_OK ? 0 : 1;
}

static const struct cli_cmd generate_cmd = { "registry generate",
	"--count N [--seed S] [--out FILE.csv]",
	"Writes a synthetic population (realistic Vietnamese names, valid personal\n"
	"IDs across all 63 provinces, cards, residences, 1-2 % deceased) as\n"
	"registry CSV to FILE or standard output. The same N and S give the same\n"
	"file." };

struct gen_opts {
	unsigned long long count, seed;
	bool have_count;
	const char *out;
};

static int
parse_u64(const char *s, unsigned long long *out)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return (*end != '\0' || errno != 0) ? -1 : 0;
}

static int
gen_opt(int id, const char *val, void *arg)
{
	struct gen_opts *g = arg;

	if (id == 'o') {
		g->out = val;
		return 0;
	}
	if (id == 'c') {
		g->have_count = true;
		return parse_u64(val, &g->count);
	}
	return parse_u64(val, &g->seed);
}

static int
cmd_generate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 } };
	struct gen_opts g = { .seed = 1 };
	struct config cfg;
	FILE *f = stdout;
	int first, rc;

	cli_parse(&generate_cmd, argc, argv, opts, gen_opt, &g, &cfg, &first);
	if (!g.have_count || g.count == 0)
		cli_usage_error(&generate_cmd, "--count N (N > 0) is required");
	if (first != argc)
		cli_usage_error(&generate_cmd, "unexpected argument %s", argv[first]);
	if (g.out != NULL && (f = fopen(g.out, "wb")) == NULL) {
		cli_error("%s: %s", g.out, strerror(errno));
		return 1;
	}
	rc = regen_write_csv(f, g.count, g.seed);
	if (f != stdout && fclose(f) != 0)
		rc = -1;
	else if (f == stdout && fflush(f) != 0)
		rc = -1;
	if (rc != 0) {
		cli_error("%s: write failed: %s", g.out ? g.out : "stdout", strerror(errno));
		if (g.out != NULL)
			remove(g.out);
		return 1;
	}
	return 0;
}

static const struct cli_cmd issue_cmd = { "registry issue-card",
	"PERSONAL_ID [--out FILE]",
	"Prints the chip record of the person's current card, as the card centre\n"
	"writes it: one compact JWS (EdDSA, typ eid-chip+jwt) signed with the\n"
	"card-signing key, holding the registry fields and portrait_sha256." };

static int
out_opt(int id, const char *val, void *arg)
{
	UNUSED(id);
	*(const char **)arg = val;
	return 0;
}

static int
write_line(const char *path, const char *text)
{
	FILE *f = path != NULL ? fopen(path, "w") : stdout;
	int rc = 0;

	if (f == NULL) {
		cli_error("%s: %s", path, strerror(errno));
		return 1;
	}
	if (fprintf(f, "%s\n", text) < 0)
		rc = 1;
	if (f != stdout ? fclose(f) != 0 : fflush(f) != 0)
		rc = 1;
	if (rc != 0)
		cli_error("%s: write failed", path != NULL ? path : "stdout");
	return rc;
}

static int
cmd_issue_card(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 } };
	const char *out = NULL;
	struct config cfg;
	struct cli_res r;
	char *jws = NULL;
	int first, rc;

	cli_parse(&issue_cmd, argc, argv, opts, out_opt, &out, &cfg, &first);
	if (argc - first != 1)
		cli_usage_error(&issue_cmd, "expected one PERSONAL_ID");
	if (cli_open(&cfg, &r) != 0)
		return 1;
	rc = card_issue(r.db, r.seal, argv[first], clock_now(r.clock), &jws);
	if (rc == REG_NOT_FOUND)
		cli_error("no person with that personal ID in the registry");
	else if (rc != DB_OK)
		cli_error("cannot issue the card: %s", db_strerror(rc));
	else
		rc = write_line(out, jws);
	free(jws);
	cli_close(&r);
	return rc == DB_OK ? 0 : 1;
}

static const struct cli_cmd cardkey_cmd = { "registry card-key", "",
	"Prints the card centre's public key (JWK, Ed25519) that verifies chip\n"
	"records." };

static int
cmd_card_key(int argc, char **argv)
{
	struct config cfg;
	struct cli_res r;
	json_t *jwk = NULL;
	char *s = NULL;
	int first, rc;

	cli_parse(&cardkey_cmd, argc, argv, NULL, NULL, NULL, &cfg, &first);
	if (first != argc)
		cli_usage_error(&cardkey_cmd, "unexpected argument %s", argv[first]);
	if (cli_open(&cfg, &r) != 0)
		return 1;
	rc = card_public_jwk(r.db, r.seal, clock_now(r.clock), &jwk);
	if (rc == DB_OK && (s = json_dumps(jwk, JSON_COMPACT | JSON_PRESERVE_ORDER)) != NULL)
		rc = write_line(NULL, s);
	else
		cli_error("cannot read the card key: %s", db_strerror(rc));
	free(s);
	json_decref(jwk);
	cli_close(&r);
	return rc == DB_OK ? 0 : 1;
}

static const struct cli_cmd event_cmd = { "registry event",
	"--type TYPE PERSONAL_ID [--event-id ID] [--set FIELD=VALUE ...]",
	"Applies a change event from the population registry, as POST\n"
	"/v1/registry/events does. TYPE and its fields:\n"
	"  death              date_of_death=YYYY-MM-DD\n"
	"  card_reissued      card_number=N card_issued_on=D card_expires_on=D\n"
	"  name_changed       full_name=NAME\n"
	"  residence_changed  residence=ADDRESS\n"
	"An event_id (made up when not given) applies once; repeating it is\n"
	"acknowledged as a duplicate. Prints {\"event_id\", \"status\"}." };

struct event_opts {
	const char *type, *id;
	const char *sets[MAX_SETS];
	size_t nsets;
};

static int
event_opt(int id, const char *val, void *arg)
{
	struct event_opts *e = arg;

	if (id == 't')
		e->type = val;
	else if (id == 'i')
		e->id = val;
	else if (e->nsets < MAX_SETS && strchr(val, '=') != NULL)
		e->sets[e->nsets++] = val;
	else
		return -1;
	return 0;
}

static void
event_build(struct registry_event *ev, const struct event_opts *eo,
    const char *pid)
{
	char reason[256], gen[40], field[64];
	uint8_t rnd[12];

	memset(ev, 0, sizeof(*ev));
	if (eo->type == NULL || registry_event_type_parse(eo->type, &ev->type) != 0)
		cli_usage_error(&event_cmd, "--type must be death, card_reissued, "
		    "name_changed or residence_changed");
	snprintf(ev->personal_id, sizeof(ev->personal_id), "%s", pid);
	if (strlen(pid) != 12)
		cli_usage_error(&event_cmd, "PERSONAL_ID must be 12 digits");
	if (eo->id == NULL) {
		randombytes_buf(rnd, sizeof(rnd));
		memcpy(gen, "cli-", 4);
		(void)b64_encode(gen + 4, sizeof(gen) - 4, rnd, sizeof(rnd));
	}
	if (registry_event_set_id(ev, eo->id ? eo->id : gen, reason, sizeof(reason)) != 0)
		cli_usage_error(&event_cmd, "%s", reason);
	for (size_t i = 0; i < eo->nsets; i++) {
		const char *eq = strchr(eo->sets[i], '=');
		size_t fl = (size_t)(eq - eo->sets[i]);
		if (fl >= sizeof(field))
			cli_usage_error(&event_cmd, "unknown field in --set");
		memcpy(field, eo->sets[i], fl);
		field[fl] = '\0';
		if (registry_event_set(ev, field, eq + 1, strlen(eq + 1), reason,
		    sizeof(reason)) != 0)
			cli_usage_error(&event_cmd, "%s", reason);
	}
}

static int
cmd_event(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "event-id", required_argument, NULL, 'i' },
		{ "set", required_argument, NULL, 's' }, { NULL, 0, NULL, 0 } };
	struct event_opts eo = { 0 };
	struct registry_event ev;
	struct config cfg;
	struct cli_res r;
	char reason[256];
	bool dup;
	int first, rc;

	cli_parse(&event_cmd, argc, argv, opts, event_opt, &eo, &cfg, &first);
	if (argc - first != 1)
		cli_usage_error(&event_cmd, "expected one PERSONAL_ID");
	event_build(&ev, &eo, argv[first]);
	if (cli_open(&cfg, &r) != 0)
		return 1;
	rc = registry_apply_event(r.db, r.seal, &ev, "cli", clock_now(r.clock),
	    auth_registry_hooks(), &dup,
	    reason, sizeof(reason));
	if (rc == DB_OK)
		printf("{\"event_id\":\"%s\",\"status\":\"%s\"}\n", ev.event_id,
		    dup ? "duplicate" : "applied");
	else if (rc == REG_NOT_FOUND)
		cli_error("unknown_person: no person with that personal ID");
	else if (rc == REG_INVALID)
		cli_error("invalid_request: %s", reason);
	else
		cli_error("cannot apply the event: %s", db_strerror(rc));
	cli_close(&r);
	return rc == DB_OK ? 0 : 1;
}

static const struct cli_sub subs[] = {
	{ "import", cmd_import, "import population records from CSV (all or nothing)" },
	{ "generate", cmd_generate, "write a synthetic population as CSV" },
	{ "issue-card", cmd_issue_card, "print a person's signed chip record" },
	{ "card-key", cmd_card_key, "print the card centre's public key (JWK)" },
	{ "event", cmd_event, "apply a registry change event" },
};

int
cmd_registry(int argc, char **argv)
{
	return cli_dispatch("registry", subs, ARRAY_LEN(subs), argc, argv);
}
