/*
 * config: the settings of one `idp` run, from defaults, then the environment
 * (IDP_DB, IDP_MASTER_KEY, IDP_LOG_LEVEL), then a config file (--config),
 * then flags, the last one winning. Every setting has a key that a flag
 * (--KEY) and a config file line (KEY = VALUE) set through config_set().
 */
#ifndef COMMON_CONFIG_H
#define COMMON_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "log.h"

#define CONFIG_PATH_MAX 1024
#define CONFIG_PROXY_MAX 1024
#define CONFIG_PROXY_ADDRS 16

struct config {
	char db[CONFIG_PATH_MAX];
	char master_key[CONFIG_PATH_MAX];	/* "" : master.key beside the database */
	char listen_host[64];
	uint16_t listen_port;
	char issuer[512];			/* "" : http://LISTEN */
	char web[CONFIG_PATH_MAX];
	bool demo;
	enum log_level log_level;
	unsigned threads;			/* 0: one per core */
	int64_t session_idle;			/* seconds without use before a session ends */
	int64_t session_absolute;		/* seconds after sign-in a session ends anyway */
	unsigned login_rate;			/* password and code attempts per minute per
						   client address; 0: unlimited */
	unsigned device_limit;			/* active devices per account (1 to 100) */
	unsigned audit_checkpoint;		/* seconds between audit checkpoints;
						   0: none */
	char tls_cert[CONFIG_PATH_MAX];		/* PEM; "" : plain HTTP */
	char tls_key[CONFIG_PATH_MAX];
	char trust_proxy[CONFIG_PROXY_MAX];	/* "A,B": proxies whose
						   X-Forwarded-For is believed */
	char log_file[CONFIG_PATH_MAX];		/* "" : stderr */
	char metrics_token[CONFIG_PATH_MAX];	/* file of the /metrics bearer
						   token; "" : loopback only */
	unsigned conn_timeout;			/* seconds idle before closing */
	unsigned per_ip_connections;		/* concurrent, from one address */
};

void config_defaults(struct config *);
void config_from_env(struct config *);
/* Sets `key` (a flag's name without dashes); -1 with a reason in err. */
int config_set(struct config *, const char *key, const char *value,
    char *err, size_t errsz) WUR;
/*
 * Reads KEY = VALUE lines (blank lines and lines starting with '#'
 * skipped; KEY a flag's name; "demo = true|false") and sets each through
 * config_set. -1 with "FILE:LINE: reason" (or "FILE: reason") in err.
 */
int config_load_file(struct config *, const char *path, char *err,
    size_t errsz) WUR;
/* Fills derived values (the master key path); -1 with a reason. */
int config_finish(struct config *, char *err, size_t errsz) WUR;
/*
 * Sets the issuer to http://LISTEN-HOST:port (https:// with a TLS
 * certificate) unless one was given.
 */
void config_default_issuer(struct config *, uint16_t port);

#endif
