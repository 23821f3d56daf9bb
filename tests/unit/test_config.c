/*
 * test_config: unit tests for the run settings (config): defaults, the
 * environment, every flag key with good and bad values, the order in which
 * they win, and the derived values (master key path, default issuer).
 */
#include "t.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

TEST(set_operations_keys)
{
	struct config c;
	char err[256] = "";

	config_defaults(&c);
	CHECK_EQ_INT(c.conn_timeout, 30);
	CHECK_EQ_INT(c.per_ip_connections, 256);
	CHECK_STR(c.tls_cert, "");
	CHECK_STR(c.trust_proxy, "");
	CHECK_EQ_INT(config_set(&c, "tls-cert", "/etc/idp/cert.pem", err, sizeof(err)), 0);
	CHECK_STR(c.tls_cert, "/etc/idp/cert.pem");
	CHECK_EQ_INT(config_set(&c, "tls-key", "/etc/idp/key.pem", err, sizeof(err)), 0);
	CHECK_STR(c.tls_key, "/etc/idp/key.pem");
	CHECK_EQ_INT(config_set(&c, "log-file", "/var/log/idp.log", err, sizeof(err)), 0);
	CHECK_STR(c.log_file, "/var/log/idp.log");
	CHECK_EQ_INT(config_set(&c, "metrics-token", "/etc/idp/token", err, sizeof(err)), 0);
	CHECK_STR(c.metrics_token, "/etc/idp/token");
	CHECK_EQ_INT(config_set(&c, "conn-timeout", "5", err, sizeof(err)), 0);
	CHECK_EQ_INT(c.conn_timeout, 5);
	CHECK_EQ_INT(config_set(&c, "per-ip-connections", "1", err, sizeof(err)), 0);
	CHECK_EQ_INT(c.per_ip_connections, 1);
	static const char *const bad_n[] = { "0", "3601", "-1", "x", "" };
	for (size_t i = 0; i < ARRAY_LEN(bad_n); i++) {
		CHECK_EQ_INT(config_set(&c, "conn-timeout", bad_n[i], err, sizeof(err)), -1);
		CHECK(strstr(err, "--conn-timeout") != NULL);
	}
	CHECK_EQ_INT(config_set(&c, "per-ip-connections", "65536", err, sizeof(err)), -1);
	CHECK_EQ_INT(c.conn_timeout, 5);
	CHECK_EQ_INT(c.per_ip_connections, 1);
	CHECK_EQ_INT(config_set(&c, "trust-proxy", "10.0.0.1,::1", err, sizeof(err)), 0);
	CHECK_STR(c.trust_proxy, "10.0.0.1,::1");
	static const char *const bad_p[] = { "proxy", "10.0.0.1,", ",::1", "10.0.0.0/8",
		"1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,1.1.1.8,"
		"1.1.1.9,1.1.1.10,1.1.1.11,1.1.1.12,1.1.1.13,1.1.1.14,1.1.1.15,"
		"1.1.1.16,1.1.1.17" };
	for (size_t i = 0; i < ARRAY_LEN(bad_p); i++) {
		CHECK_EQ_INT(config_set(&c, "trust-proxy", bad_p[i], err, sizeof(err)), -1);
		CHECK(strstr(err, "--trust-proxy") != NULL);
	}
	CHECK_STR(c.trust_proxy, "10.0.0.1,::1");
	CHECK_EQ_INT(config_set(&c, "trust-proxy", "", err, sizeof(err)), 0);
	CHECK_STR(c.trust_proxy, "");
	/* With a certificate the default issuer is https. */
	CHECK_EQ_INT(config_set(&c, "listen", "127.0.0.1:0", err, sizeof(err)), 0);
	config_default_issuer(&c, 8443);
	CHECK_STR(c.issuer, "https://127.0.0.1:8443");
}

/* Writes text to a fresh file; its path into path[64]. */
static int
conf_file(char path[64], const char *text)
{
	FILE *f;
	int fd;

	strcpy(path, "/tmp/test_config_XXXXXX");
	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

TEST(load_file)
{
	struct config c;
	char path[64], err[512] = "";

	CHECK_EQ_INT(conf_file(path, "# dinhdanh\n\n   \n"
	    "listen = 10.1.2.3:9000\n"
	    "\tissuer=https://id.example.vn  \r\n"
	    "  # indented comment\n"
	    "threads = 3\n"
	    "demo = true\n"
	    "trust-proxy = 10.0.0.1, 10.0.0.2\n"
	    "log-level = warn"), 0);
	config_defaults(&c);
	CHECK_EQ_INT(config_load_file(&c, path, err, sizeof(err)), 0);
	CHECK_STR(c.listen_host, "10.1.2.3");
	CHECK_EQ_INT(c.listen_port, 9000);
	CHECK_STR(c.issuer, "https://id.example.vn");
	CHECK_EQ_INT(c.threads, 3);
	CHECK(c.demo);
	CHECK_STR(c.trust_proxy, "10.0.0.1, 10.0.0.2");
	CHECK_EQ_INT(c.log_level, LOG_WARN);
	unlink(path);

	CHECK_EQ_INT(conf_file(path, "demo = false\n"), 0);
	CHECK_EQ_INT(config_load_file(&c, path, err, sizeof(err)), 0);
	CHECK(!c.demo);
	unlink(path);
	CHECK_EQ_INT(config_load_file(NULL, path, err, sizeof(err)), -1);
	CHECK_EQ_INT(config_load_file(&c, NULL, err, sizeof(err)), -1);
}

struct file_case {
	const char *text, *want;	/* want: after "PATH" */
};

TEST(load_file_errors)
{
	static const struct file_case cases[] = {
		{ "threads = 2\nbogus = 1\n", ":2: unknown setting: bogus" },
		{ "\n\nthreads = lots\n", ":3: --threads: expected a number" },
		{ "listen\n", ":1: expected KEY = VALUE" },
		{ "demo = 1\n", ":1: demo: expected true or false" },
		{ "config = /etc/other.conf\n", ":1: a config file cannot name another" },
		{ "issuer = ftp://x\n", ":1: --issuer" },
		{ " = 3\n", ":1: unknown setting: " },
	};
	struct config c;
	char path[64], err[512], want[600];

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		CHECK_EQ_INT(conf_file(path, cases[i].text), 0);
		config_defaults(&c);
		err[0] = '\0';
		CHECK_EQ_INT(config_load_file(&c, path, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s%s", path, cases[i].want);
		if (strncmp(err, want, strlen(want)) != 0)
			fprintf(stderr, "case %zu: \"%s\", want \"%s...\"\n", i, err, want);
		CHECK(strncmp(err, want, strlen(want)) == 0);
		unlink(path);
	}
	/* A line longer than any value is refused, not split in two. */
	{
		char *text = malloc(CONFIG_PATH_MAX + 300);
		CHECK(text != NULL);
		if (text != NULL) {
			strcpy(text, "db = ");
			memset(text + 5, 'a', CONFIG_PATH_MAX + 200);
			strcpy(text + 5 + CONFIG_PATH_MAX + 200, "\n");
			CHECK_EQ_INT(conf_file(path, text), 0);
			CHECK_EQ_INT(config_load_file(&c, path, err, sizeof(err)), -1);
			CHECK(strstr(err, ":1: line too long") != NULL);
			unlink(path);
			free(text);
		}
	}
	CHECK_EQ_INT(config_load_file(&c, "/nonexistent/idp.conf", err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/idp.conf: No such file") != NULL);
}

T_MAIN(T(defaults), T(set_paths), T(set_path_too_long), T(set_listen),
    T(set_issuer), T(set_log_level), T(set_threads), T(set_unknown_key),
    T(env_then_flags), T(env_empty_or_bad_leaves_default),
    T(finish_master_key_beside_db), T(finish_path_too_long), T(default_issuer),
    T(set_operations_keys), T(load_file), T(load_file_errors))
