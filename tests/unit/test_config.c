/*
 * test_config: unit tests for the run settings (config): defaults, the
 * environment, every flag key with good and bad values, the order in which
 * they win, and the derived values (master key path, default issuer).
 */
#include "t.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"

static void
clear_env(void)
{
	unsetenv("IDP_DB");
	unsetenv("IDP_MASTER_KEY");
	unsetenv("IDP_LOG_LEVEL");
}

TEST(defaults)
{
	struct config c;

	memset(&c, 0x5a, sizeof(c));
	config_defaults(&c);
	CHECK_STR(c.db, "var/idp.db");
	CHECK_STR(c.master_key, "");
	CHECK_STR(c.listen_host, "127.0.0.1");
	CHECK_EQ_INT(c.listen_port, 8080);
	CHECK_STR(c.issuer, "");
	CHECK_STR(c.web, "web");
	CHECK(!c.demo);
	CHECK_EQ_INT(c.log_level, LOG_INFO);
	CHECK_EQ_INT(c.threads, 0);
}

TEST(set_paths)
{
	struct config c;
	char err[256] = "";

	config_defaults(&c);
	CHECK_EQ_INT(config_set(&c, "db", "/srv/idp/data.db", err, sizeof(err)), 0);
	CHECK_STR(c.db, "/srv/idp/data.db");
	CHECK_EQ_INT(config_set(&c, "master-key", "/etc/idp/master.key", err, sizeof(err)), 0);
	CHECK_STR(c.master_key, "/etc/idp/master.key");
	CHECK_EQ_INT(config_set(&c, "web", "/usr/share/idp/web", err, sizeof(err)), 0);
	CHECK_STR(c.web, "/usr/share/idp/web");
}

TEST(set_path_too_long)
{
	struct config c;
	char err[256] = "", *longv = malloc(CONFIG_PATH_MAX + 1);

	CHECK(longv != NULL);
	if (longv == NULL)
		return;
	config_defaults(&c);
	memset(longv, 'a', CONFIG_PATH_MAX);
	longv[CONFIG_PATH_MAX] = '\0';
	CHECK_EQ_INT(config_set(&c, "db", longv, err, sizeof(err)), -1);
	CHECK(strstr(err, "--db") != NULL);
	CHECK(strstr(err, "too long") != NULL);
	CHECK_STR(c.db, "var/idp.db");
	err[0] = '\0';
	CHECK_EQ_INT(config_set(&c, "web", longv, err, sizeof(err)), -1);
	CHECK(strstr(err, "--web") != NULL);
	CHECK_STR(c.web, "web");
	/* One shorter fits with its NUL. */
	longv[CONFIG_PATH_MAX - 1] = '\0';
	CHECK_EQ_INT(config_set(&c, "master-key", longv, err, sizeof(err)), 0);
	CHECK_EQ_INT(strlen(c.master_key), CONFIG_PATH_MAX - 1);
	free(longv);
}

struct listen_case {
	const char *value;
	int ok;
	const char *host;
	unsigned port;
};

static const struct listen_case listen_cases[] = {
	{ "127.0.0.1:8080", 1, "127.0.0.1", 8080 },
	{ "0.0.0.0:443", 1, "0.0.0.0", 443 },
	{ "10.1.2.3:65535", 1, "10.1.2.3", 65535 },
	{ "127.0.0.1:0", 1, "127.0.0.1", 0 },
	{ "[::1]:8080", 1, "::1", 8080 },
	{ "[::]:9000", 1, "::", 9000 },
	{ "[2001:db8::7]:1", 1, "2001:db8::7", 1 },
	{ "127.0.0.1", 0, NULL, 0 },		/* no port */
	{ "127.0.0.1:", 0, NULL, 0 },		/* empty port */
	{ ":8080", 0, NULL, 0 },		/* no host */
	{ "[]:8080", 0, NULL, 0 },
	{ "localhost:8080", 0, NULL, 0 },	/* not numeric */
	{ "example.com:80", 0, NULL, 0 },
	{ "127.0.0.1:65536", 0, NULL, 0 },	/* port too large */
	{ "127.0.0.1:99999999999999999999", 0, NULL, 0 },
	{ "127.0.0.1:-1", 0, NULL, 0 },
	{ "127.0.0.1:80x", 0, NULL, 0 },
	{ "127.0.0.1:http", 0, NULL, 0 },
	{ "256.0.0.1:80", 0, NULL, 0 },
	{ "[::1:8080", 0, NULL, 0 },
	{ "[::1]", 0, NULL, 0 },		/* IPv6 without port */
	{ "::1:8080", 0, NULL, 0 },		/* IPv6 without brackets: no port */
	{ "2001:db8::1:443", 0, NULL, 0 },
	{ "::", 0, NULL, 0 },
	{ "[127.0.0.1]:80", 0, NULL, 0 },	/* brackets are for IPv6 */
	{ "[zz::1]:8080", 0, NULL, 0 },
	{ "", 0, NULL, 0 },
};

TEST(set_listen)
{
	for (size_t i = 0; i < ARRAY_LEN(listen_cases); i++) {
		const struct listen_case *lc = &listen_cases[i];
		struct config c;
		char err[256] = "";
		int rc;

		config_defaults(&c);
		rc = config_set(&c, "listen", lc->value, err, sizeof(err));
		if (lc->ok) {
			if (rc != 0)
				fprintf(stderr, "refused \"%s\": %s\n", lc->value, err);
			CHECK_EQ_INT(rc, 0);
			CHECK_STR(c.listen_host, lc->host);
			CHECK_EQ_INT(c.listen_port, lc->port);
		} else {
			if (rc != -1)
				fprintf(stderr, "accepted \"%s\"\n", lc->value);
			CHECK_EQ_INT(rc, -1);
			CHECK(strstr(err, "--listen") != NULL);
			/* A refused value leaves the setting as it was. */
			CHECK_STR(c.listen_host, "127.0.0.1");
			CHECK_EQ_INT(c.listen_port, 8080);
		}
	}
}

struct issuer_case {
	const char *value;
	int ok;
};

static const struct issuer_case issuer_cases[] = {
	{ "https://id.example.vn", 1 },
	{ "http://127.0.0.1:8080", 1 },
	{ "https://id.example.vn/tenant/a", 1 },
	{ "https://id.example.vn/", 0 },	/* trailing slash */
	{ "https://id.example.vn/a/", 0 },
	{ "https://id.example.vn#frag", 0 },	/* fragment */
	{ "https://id.example.vn?x=1", 0 },	/* query */
	{ "ftp://id.example.vn", 0 },		/* not http */
	{ "id.example.vn", 0 },
	{ "HTTPS://id.example.vn", 0 },
	{ "http://", 0 },
	{ "", 0 },
};

TEST(set_issuer)
{
	for (size_t i = 0; i < ARRAY_LEN(issuer_cases); i++) {
		struct config c;
		char err[256] = "";
		int rc;

		config_defaults(&c);
		rc = config_set(&c, "issuer", issuer_cases[i].value, err, sizeof(err));
		if (issuer_cases[i].ok) {
			CHECK_EQ_INT(rc, 0);
			CHECK_STR(c.issuer, issuer_cases[i].value);
		} else {
			if (rc != -1)
				fprintf(stderr, "accepted issuer \"%s\"\n", issuer_cases[i].value);
			CHECK_EQ_INT(rc, -1);
			CHECK(strstr(err, "--issuer") != NULL);
			CHECK_STR(c.issuer, "");
		}
	}
}

TEST(set_log_level)
{
	static const struct {
		const char *v;
		enum log_level l;
	} good[] = {
		{ "debug", LOG_DEBUG }, { "info", LOG_INFO },
		{ "warn", LOG_WARN }, { "error", LOG_ERROR },
	};
	static const char *const bad[] = { "", "verbose", "INFO", "warning", "0" };
	struct config c;
	char err[256] = "";

	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		config_defaults(&c);
		c.log_level = (good[i].l == LOG_ERROR) ? LOG_DEBUG : LOG_ERROR;
		CHECK_EQ_INT(config_set(&c, "log-level", good[i].v, err, sizeof(err)), 0);
		CHECK_EQ_INT(c.log_level, good[i].l);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		config_defaults(&c);
		CHECK_EQ_INT(config_set(&c, "log-level", bad[i], err, sizeof(err)), -1);
		CHECK(strstr(err, "--log-level") != NULL);
		CHECK_EQ_INT(c.log_level, LOG_INFO);
	}
}

TEST(set_threads)
{
	static const char *const bad[] = { "", "x", "4x", "257", "-1", "1e3",
	    "99999999999999999999999" };
	struct config c;
	char err[256] = "";

	config_defaults(&c);
	CHECK_EQ_INT(config_set(&c, "threads", "4", err, sizeof(err)), 0);
	CHECK_EQ_INT(c.threads, 4);
	CHECK_EQ_INT(config_set(&c, "threads", "256", err, sizeof(err)), 0);
	CHECK_EQ_INT(c.threads, 256);
	CHECK_EQ_INT(config_set(&c, "threads", "0", err, sizeof(err)), 0);
	CHECK_EQ_INT(c.threads, 0);
	c.threads = 7;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		CHECK_EQ_INT(config_set(&c, "threads", bad[i], err, sizeof(err)), -1);
		CHECK(strstr(err, "--threads") != NULL);
		CHECK_EQ_INT(c.threads, 7);
	}
}

TEST(set_unknown_key)
{
	struct config c, before;
	char err[256] = "";

	config_defaults(&c);
	before = c;
	CHECK_EQ_INT(config_set(&c, "no-such-setting", "1", err, sizeof(err)), -1);
	CHECK(strstr(err, "no-such-setting") != NULL);
	CHECK_EQ_INT(config_set(&c, "--db", "x.db", err, sizeof(err)), -1);
	CHECK_EQ_INT(config_set(&c, "DB", "x.db", err, sizeof(err)), -1);
	CHECK_EQ_INT(config_set(&c, "", "x.db", err, sizeof(err)), -1);
	CHECK(memcmp(&c, &before, sizeof(c)) == 0);
}

TEST(env_then_flags)
{
	struct config c;
	char err[256] = "";

	clear_env();
	config_defaults(&c);
	config_from_env(&c);
	CHECK_STR(c.db, "var/idp.db");		/* nothing set: the default */
	CHECK_STR(c.master_key, "");
	CHECK_EQ_INT(c.log_level, LOG_INFO);

	setenv("IDP_DB", "/data/env.db", 1);
	setenv("IDP_MASTER_KEY", "/keys/env.key", 1);
	setenv("IDP_LOG_LEVEL", "debug", 1);
	config_defaults(&c);
	config_from_env(&c);
	CHECK_STR(c.db, "/data/env.db");
	CHECK_STR(c.master_key, "/keys/env.key");
	CHECK_EQ_INT(c.log_level, LOG_DEBUG);

	/* A flag wins over the environment. */
	CHECK_EQ_INT(config_set(&c, "db", "/data/flag.db", err, sizeof(err)), 0);
	CHECK_STR(c.db, "/data/flag.db");
	CHECK_EQ_INT(config_set(&c, "log-level", "error", err, sizeof(err)), 0);
	CHECK_EQ_INT(c.log_level, LOG_ERROR);
	CHECK_STR(c.master_key, "/keys/env.key");
	clear_env();
}

TEST(env_empty_or_bad_leaves_default)
{
	struct config c;

	clear_env();
	setenv("IDP_DB", "", 1);
	setenv("IDP_LOG_LEVEL", "loud", 1);
	config_defaults(&c);
	config_from_env(&c);
	CHECK_STR(c.db, "var/idp.db");
	CHECK_EQ_INT(c.log_level, LOG_INFO);
	/* A value too long for the setting leaves the default too. */
	{
		char *longv = malloc(CONFIG_PATH_MAX + 10);
		if (longv != NULL) {
			memset(longv, 'e', CONFIG_PATH_MAX + 9);
			longv[CONFIG_PATH_MAX + 9] = '\0';
			setenv("IDP_DB", longv, 1);
			setenv("IDP_MASTER_KEY", longv, 1);
			config_defaults(&c);
			config_from_env(&c);
			CHECK_STR(c.db, "var/idp.db");
			CHECK_STR(c.master_key, "");
			free(longv);
		}
	}
	clear_env();
}

TEST(finish_master_key_beside_db)
{
	static const struct {
		const char *db, *key;
	} cases[] = {
		{ "var/idp.db", "var/master.key" },
		{ "/srv/idp/data/idp.db", "/srv/idp/data/master.key" },
		{ "idp.db", "master.key" },
		{ "/idp.db", "/master.key" },
		{ "./x.db", "./master.key" },
	};
	struct config c;
	char err[256] = "";

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		config_defaults(&c);
		CHECK_EQ_INT(config_set(&c, "db", cases[i].db, err, sizeof(err)), 0);
		CHECK_EQ_INT(config_finish(&c, err, sizeof(err)), 0);
		CHECK_STR(c.master_key, cases[i].key);
		CHECK_STR(c.db, cases[i].db);
	}
	/* A key path that was given stays. */
	config_defaults(&c);
	CHECK_EQ_INT(config_set(&c, "master-key", "/k/m.key", err, sizeof(err)), 0);
	CHECK_EQ_INT(config_finish(&c, err, sizeof(err)), 0);
	CHECK_STR(c.master_key, "/k/m.key");
}

TEST(finish_path_too_long)
{
	struct config c;
	char err[256] = "";

	/* "DIR/master.key" does not fit where "DIR/x" did. */
	config_defaults(&c);
	memset(c.db, 'd', CONFIG_PATH_MAX - 3);
	c.db[CONFIG_PATH_MAX - 3] = '/';
	c.db[CONFIG_PATH_MAX - 2] = 'x';
	c.db[CONFIG_PATH_MAX - 1] = '\0';
	CHECK_EQ_INT(config_finish(&c, err, sizeof(err)), -1);
	CHECK(strstr(err, "too long") != NULL);
}

TEST(default_issuer)
{
	struct config c;
	char err[256] = "";

	config_defaults(&c);
	config_default_issuer(&c, 8080);
	CHECK_STR(c.issuer, "http://127.0.0.1:8080");

	config_defaults(&c);
	CHECK_EQ_INT(config_set(&c, "listen", "[::1]:9443", err, sizeof(err)), 0);
	config_default_issuer(&c, 9443);
	CHECK_STR(c.issuer, "http://[::1]:9443");

	/* The port given is the one bound (port 0 in the flag: any port). */
	config_defaults(&c);
	CHECK_EQ_INT(config_set(&c, "listen", "10.0.0.5:0", err, sizeof(err)), 0);
	config_default_issuer(&c, 43211);
	CHECK_STR(c.issuer, "http://10.0.0.5:43211");

	/* An issuer that was given stays. */
	config_defaults(&c);
	CHECK_EQ_INT(config_set(&c, "issuer", "https://id.example.vn", err, sizeof(err)), 0);
	config_default_issuer(&c, 8080);
	CHECK_STR(c.issuer, "https://id.example.vn");
}

T_MAIN(T(defaults), T(set_paths), T(set_path_too_long), T(set_listen),
    T(set_issuer), T(set_log_level), T(set_threads), T(set_unknown_key),
    T(env_then_flags), T(env_empty_or_bad_leaves_default),
    T(finish_master_key_beside_db), T(finish_path_too_long), T(default_issuer))
