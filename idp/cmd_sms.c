/*
 * cmd_sms: listing the SMS outbox, one message a line, oldest first.
 */
#include "cmd_sms.h"

#include <stdio.h>

#include "cli.h"
#include "phone.h"
#include "sms.h"

static const struct cli_cmd list_cmd = { "sms list", "[--phone P]",
	"Prints the SMS outbox of the default gateway, one message a line,\n"
	"oldest first: the time (UTC, ISO 8601), the phone (+84...) and the\n"
	"text, separated by tabs. --phone P (0xxxxxxxxx or +84xxxxxxxxx) shows\n"
	"only the messages to that number." };

struct list_opts {
	char phone[PHONE_E164_SIZE];
	int have_phone;
};

static int
list_opt(int id, const char *val, void *arg)
{
	struct list_opts *o = arg;
	char reason[128];

	if (id != 'p')
		return -1;
	/* Here rather than in cli_parse, to name the option and the reason. */
	if (phone_normalize(val, o->phone, reason, sizeof(reason)) != 0)
		cli_usage_error(&list_cmd, "--phone \"%s\": %s", val, reason);
	o->have_phone = 1;
	return 0;
}

static void
print_message(int64_t at, const char *phone, const char *body, void *arg)
{
	char iso[21];

	UNUSED(arg);
	clock_format_iso(at, iso);
	printf("%s\t%s\t", iso, phone);
	/* One message a line, whatever the text holds. */
	for (; *body != '\0'; body++)
		putchar(*body == '\n' || *body == '\r' || *body == '\t' ? ' ' : *body);
	putchar('\n');
}

static int
sms_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "phone", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 } };
	struct list_opts o = { .have_phone = 0 };
	struct config cfg;
	struct cli_res r;
	int first, rc;

	cli_parse(&list_cmd, argc, argv, opts, list_opt, &o, &cfg, &first);
	if (first != argc)
		cli_usage_error(&list_cmd, "unexpected argument %s", argv[first]);
	if (cli_open(&cfg, &r) != 0)
		return 1;
	rc = sms_foreach(r.db, o.have_phone ? o.phone : NULL, print_message, NULL);
	if (rc != DB_OK)
		cli_error("sms list: %s", db_strerror(rc));
	cli_close(&r);
	return rc == DB_OK ? 0 : 1;
}

static const struct cli_sub sms_subs[] = {
	{ "list", sms_list, "list the outbox, oldest first" },
};

int
cmd_sms(int argc, char **argv)
{
	return cli_dispatch("sms", sms_subs, ARRAY_LEN(sms_subs), argc, argv);
}
