/*
 * cmd_audit: verifying the audit chain, signing a checkpoint, exporting.
 */
#include "cmd_audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "cli.h"

static const struct cli_cmd verify_cmd = { "audit verify", "",
	"Checks the audit log's hash chain and its signed checkpoints. Prints\n"
	"\"ok N entries\" and exits 0, or names the first broken entry (changed,\n"
	"deleted or reordered row, forged checkpoint) and exits 1." };

static int
audit_verify_cmd(int argc, char **argv)
{
	struct config cfg;
	struct cli_res r;
	char reason[256];
	int64_t n = 0, bad = 0;
	int first, rc;

	cli_parse(&verify_cmd, argc, argv, NULL, NULL, NULL, &cfg, &first);
	if (first != argc)
		cli_usage_error(&verify_cmd, "unexpected argument %s", argv[first]);
	if (cli_open(&cfg, &r) != 0)
		return 1;
	rc = audit_verify(r.db, &n, &bad, reason, sizeof(reason));
	if (rc == DB_OK)
		printf("ok %" PRId64 " entries\n", n);
	else if (rc == 1)
		printf("broken at entry %" PRId64 ": %s\n", bad, reason);
	else
		cli_error("audit verify: %s", db_strerror(rc));
	cli_close(&r);
	return rc == DB_OK ? 0 : 1;
}

static const struct cli_cmd checkpoint_cmd = { "audit checkpoint", "",
	"Signs a checkpoint over the last audit entry with the audit key\n"
	"(Ed25519) and prints \"checkpoint N\"." };

static int
audit_checkpoint_cmd(int argc, char **argv)
{
	struct config cfg;
	struct cli_res r;
	int64_t seq = 0;
	int first, rc;

	cli_parse(&checkpoint_cmd, argc, argv, NULL, NULL, NULL, &cfg, &first);
	if (first != argc)
		cli_usage_error(&checkpoint_cmd, "unexpected argument %s", argv[first]);
	if (cli_open(&cfg, &r) != 0)
		return 1;
	rc = audit_checkpoint(r.db, r.seal, clock_now(r.clock), &seq);
	if (rc == DB_OK && seq == 0)
		puts("empty log: no checkpoint");
	else if (rc == DB_OK)
		printf("checkpoint %" PRId64 "\n", seq);
	else
		cli_error("audit checkpoint: %s", db_strerror(rc));
	cli_close(&r);
	return rc == DB_OK ? 0 : 1;
}

static const struct cli_cmd export_cmd = { "audit export", "[--since WHEN]",
	"Prints the audit entries made at or after WHEN (unix seconds or\n"
	"YYYY-MM-DD[THH:MM:SSZ], UTC; all when omitted), one JSON object a line." };

/* WHEN as unix seconds; -1 when it is neither form. */
static int64_t
parse_when(const char *s)
{
	struct tm tm;
	const char *end;
	char *e;
	long long v;

	if (s[0] >= '0' && s[0] <= '9' && strchr(s, '-') == NULL) {
		v = strtoll(s, &e, 10);
		return *e == '\0' && v >= 0 ? (int64_t)v : -1;
	}
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
	}
	if (end == NULL || *end != '\0')
		return -1;
	return (int64_t)timegm(&tm);
}

static int
export_opt(int id, const char *val, void *arg)
{
	int64_t *since = arg;

	if (id != 's' || (*since = parse_when(val)) < 0)
		return -1;
	return 0;
}

static int
audit_export_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 } };
	struct config cfg;
	struct cli_res r;
	int64_t since = 0;
	int first, rc;

	cli_parse(&export_cmd, argc, argv, opts, export_opt, &since, &cfg, &first);
	if (first != argc)
		cli_usage_error(&export_cmd, "unexpected argument %s", argv[first]);
	if (cli_open(&cfg, &r) != 0)
		return 1;
	rc = audit_export(r.db, since, stdout);
	if (rc != DB_OK || fflush(stdout) != 0)
		cli_error("audit export: %s", db_strerror(rc != DB_OK ? rc : DB_ERR));
	cli_close(&r);
	return rc == DB_OK ? 0 : 1;
}

static const struct cli_sub audit_subs[] = {
	{ "verify", audit_verify_cmd, "check the hash chain and checkpoints" },
	{ "checkpoint", audit_checkpoint_cmd, "sign a checkpoint over the last entry" },
	{ "export", audit_export_cmd, "print entries since a time as JSON lines" },
};

int
cmd_audit(int argc, char **argv)
{
	return cli_dispatch("audit", audit_subs, ARRAY_LEN(audit_subs), argc, argv);
}
