/*
 * demo: seeding and the credentials file.
 */
#include "demo.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "clients.h"
#include "officers.h"
#include "password.h"
#include "regen.h"
#include "registry.h"

static void
demo_file(const struct config *cfg, char *path, size_t sz)
{
	const char *slash = strrchr(cfg->db, '/');

	if (slash == NULL)
		snprintf(path, sz, "demo.json");
	else
		snprintf(path, sz, "%.*s/demo.json", (int)(slash - cfg->db), cfg->db);
}

static int
import_population(struct cli_res *r)
{
	struct registry_import_result res;
	FILE *f = tmpfile();
	int rc;

	if (f == NULL)
		return -1;
	if (regen_write_csv(f, DEMO_PEOPLE, DEMO_SEED) != 0 || fflush(f) != 0) {
		fclose(f);
		return -1;
	}
	rewind(f);
	rc = registry_import(r->db, f, "demo", false, clock_now(r->clock), &res);
	fclose(f);
	if (rc != DB_OK)
		cli_error("demo import failed: line %lu: %s", res.bad_line, res.reason);
	return rc == DB_OK ? 0 : -1;
}

static json_t *
add_client_new(struct cli_res *r, const struct client_new *cn)
{
	char id[CLIENT_ID_MAX], secret[CLIENT_SECRET_MAX], reason[256];
	json_t *j;

	if (clients_add(r->db, r->seal, cn, clock_now(r->clock), id, secret,
	    reason, sizeof(reason)) != DB_OK) {
		cli_error("demo client: %s", reason);
		return NULL;
	}
	j = json_pack("{s:s, s:s, s:s}", "name", cn->name, "client_id", id,
	    "client_secret", secret);
	sodium_memzero(secret, sizeof(secret));
	return j;
}

/*
 * The demo portal's client. Its URIs are placeholders until the portal
 * listens: demo_portal_client points them at its actual port at each start.
 */
static json_t *
add_portal_client(struct cli_res *r)
{
	static const char *const cb[] = { "http://127.0.0.1:8081/callback" };
	static const char *const home[] = { "http://127.0.0.1:8081/" };
	struct client_new cn = { .name = DEMO_PORTAL_NAME, .kind = CLIENT_PORTAL,
	    .redirect_uris = cb, .nredirect = 1, .post_logout_uris = home,
	    .npost_logout = 1, .scope = DEMO_PORTAL_SCOPE,
	    .id_token_alg = DEMO_PORTAL_ALG };

	return add_client_new(r, &cn);
}

static json_t *
add_client(struct cli_res *r, const char *name, enum client_kind kind)
{
	struct client_new cn = { .name = name, .kind = kind };

	return add_client_new(r, &cn);
}

/* The enrollment desk's officer, with the token shown once. */
static json_t *
add_officer(struct cli_res *r)
{
	char id[OFFICER_ID_SIZE], token[OFFICER_TOKEN_SIZE], reason[256];
	json_t *j = NULL;

	if (officers_add(r->db, r->seal, "Cán bộ tiếp nhận (demo)",
	    "Công an phường Hoàn Kiếm", clock_now(r->clock), id, token, reason,
	    sizeof(reason)) == DB_OK)
		j = json_pack("{s:s, s:s}", "officer_id", id, "token", token);
	else
		cli_error("demo officer: %s", reason);
	sodium_memzero(token, sizeof(token));
	return j;
}

/* A random password the policy accepts: "dd-" and 16 base32 letters. */
static void
demo_password(char out[24])
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
	uint8_t rnd[16];

	randombytes_buf(rnd, sizeof(rnd));
	memcpy(out, "dd-", 3);
	for (size_t i = 0; i < sizeof(rnd); i++)
		out[3 + i] = alphabet[rnd[i] % 32];
	out[19] = '\0';
	sodium_memzero(rnd, sizeof(rnd));
}

/* The demo citizen: a level-1 account for `p` with a known password. */
static json_t *
add_citizen(struct cli_res *r, const struct person *p)
{
	char pw[24], hash[crypto_pwhash_STRBYTES], acc[ACC_ID_SIZE];
	struct db_conn *c;
	json_t *j = NULL;
	int rc = DB_ERR;

	demo_password(pw);
	if (password_hash(pw, hash) != 0 || (c = db_acquire(r->db)) == NULL)
		goto fail;
	rc = accounts_create(c, p->personal_id, DEMO_PHONE, hash,
	    clock_now(r->clock), acc);
	db_release(r->db, c);
	if (rc == DB_OK)
		j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "personal_id",
		    p->personal_id, "full_name", p->full_name, "birth_date",
		    p->birth_date, "password", pw, "phone", DEMO_PHONE);
fail:
	if (j == NULL)
		cli_error("demo citizen: cannot create the account");
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(hash, sizeof(hash));
	return j;
}

static int
write_private(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t n = strlen(text);
	int rc = 0;

	if (fd < 0)
		return -1;
	if (write(fd, text, n) != (ssize_t)n || fsync(fd) != 0)
		rc = -1;
	close(fd);
	return rc;
}

static int
write_creds(const char *path, const json_t *creds)
{
	char *text = json_dumps(creds, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int rc = 0;

	if (text == NULL || write_private(path, text) != 0) {
		cli_error("%s: cannot write the demo credentials: %s", path, strerror(errno));
		rc = -1;
	}
	if (text != NULL) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	return rc;
}

int
demo_seed(struct cli_res *r, const struct config *cfg)
{
	unsigned long people;
	char path[CONFIG_PATH_MAX + 16];
	json_t *creds = NULL, *reg, *citizen, *portal, *airport, *officer;
	struct person p;
	int rc = -1;

	if (registry_count(r->db, &people) != DB_OK)
		return -1;
	if (people > 0)
		return 0;
	printf("dinhdanh: seeding the demo registry (%d people)...\n", DEMO_PEOPLE);
	fflush(stdout);
	if (import_population(r) != 0)
		return -1;
	if ((creds = json_object()) == NULL ||
	    (reg = add_client(r, "Cơ sở dữ liệu quốc gia về dân cư (demo)",
	    CLIENT_REGISTRY)) == NULL ||
	    json_object_set_new(creds, "registry_client", reg) != 0 ||
	    (portal = add_portal_client(r)) == NULL ||
	    json_object_set_new(creds, "portal_client", portal) != 0 ||
	    (airport = add_client(r, "Cảng hàng không quốc tế Nội Bài (demo)",
	    CLIENT_AIRPORT)) == NULL ||
	    json_object_set_new(creds, "airport_client", airport) != 0 ||
	    (officer = add_officer(r)) == NULL ||
	    json_object_set_new(creds, "officer", officer) != 0 ||
	    registry_first_living(r->db, &p) != DB_OK ||
	    (citizen = add_citizen(r, &p)) == NULL ||
	    json_object_set_new(creds, "citizen", citizen) != 0 ||
	    json_object_set_new(creds, "sample_person", json_pack("{s:s, s:s, s:s}",
	    "personal_id", p.personal_id, "full_name", p.full_name, "birth_date",
	    p.birth_date)) != 0) {
		json_decref(creds);
		return -1;
	}
	demo_file(cfg, path, sizeof(path));
	rc = write_creds(path, creds);
	json_decref(creds);
	return rc;
}

int
demo_portal_client(struct cli_res *r, const struct config *cfg,
    const char *portal_base, char id[CLIENT_ID_MAX], char secret[CLIENT_SECRET_MAX])
{
	char path[CONFIG_PATH_MAX + 16], cb[128], home[128], reason[256];
	const char *cbs[1] = { cb }, *homes[1] = { home };
	const char *i, *sec;
	json_t *creds, *pc;
	int rc = -1;

	demo_file(cfg, path, sizeof(path));
	if ((creds = json_load_file(path, 0, NULL)) == NULL) {
		cli_error("%s: no demo credentials (start with an empty database to "
		    "seed them)", path);
		return -1;
	}
	/* A database seeded before the portal existed: give it its client now. */
	if ((pc = json_object_get(creds, "portal_client")) == NULL) {
		if ((pc = add_portal_client(r)) == NULL ||
		    json_object_set_new(creds, "portal_client", pc) != 0 ||
		    write_creds(path, creds) != 0)
			goto done;
	}
	i = json_string_value(json_object_get(pc, "client_id"));
	sec = json_string_value(json_object_get(pc, "client_secret"));
	if (i == NULL || sec == NULL || strlen(i) >= CLIENT_ID_MAX ||
	    strlen(sec) >= CLIENT_SECRET_MAX) {
		cli_error("%s: portal_client lacks client_id or client_secret", path);
		goto done;
	}
	snprintf(cb, sizeof(cb), "%s/callback", portal_base);
	snprintf(home, sizeof(home), "%s/", portal_base);
	if ((rc = clients_set_uris(r->db, i, cbs, 1, homes, 1, reason,
	    sizeof(reason))) != DB_OK) {
		cli_error("demo portal client %s: %s", i, reason);
		rc = -1;
		goto done;
	}
	snprintf(id, CLIENT_ID_MAX, "%s", i);
	snprintf(secret, CLIENT_SECRET_MAX, "%s", sec);
	rc = 0;
done:
	json_decref(creds);
	return rc;
}

void
demo_print(const struct config *cfg, const char *base_url, const char *portal_url,
    FILE *out)
{
	char path[CONFIG_PATH_MAX + 16];
	json_t *creds, *reg;

	demo_file(cfg, path, sizeof(path));
	if ((creds = json_load_file(path, 0, NULL)) == NULL) {
		fprintf(out, "(no demo credentials in %s: start with an empty database "
		    "to seed them)\n", path);
		return;
	}
	fprintf(out, "\ndinhdanh demo\n");
	fprintf(out, "  service:          %s/\n", base_url);
	fprintf(out, "  health:           %s/healthz\n", base_url);
	if (portal_url != NULL)
		fprintf(out, "  demo portal:      %s/  (signs the demo citizen in through "
		    "dinhdanh)\n", portal_url);
	reg = json_object_get(creds, "registry_client");
	if (reg != NULL)
		fprintf(out, "  registry client:  client_id=%s client_secret=%s\n"
		    "                    (POST %s/v1/registry/events with HTTP Basic)\n",
		    json_string_value(json_object_get(reg, "client_id")),
		    json_string_value(json_object_get(reg, "client_secret")), base_url);
	reg = json_object_get(creds, "officer");
	if (reg != NULL)
		fprintf(out, "  officer (desk):   officer_id=%s token=%s\n"
		    "                    (POST %s/v1/enrollments with Authorization: Bearer)\n",
		    json_string_value(json_object_get(reg, "officer_id")),
		    json_string_value(json_object_get(reg, "token")), base_url);
	reg = json_object_get(creds, "airport_client");
	if (reg != NULL)
		fprintf(out, "  airport client:   client_id=%s client_secret=%s\n",
		    json_string_value(json_object_get(reg, "client_id")),
		    json_string_value(json_object_get(reg, "client_secret")));
	reg = json_object_get(creds, "citizen");
	if (reg != NULL)
		fprintf(out, "  demo citizen:     %s/login  personal_id=%s password=%s\n"
		    "                    %s, level 1, phone %s; the SMS code:\n"
		    "                    idp sms list --db %s --phone %s\n",
		    base_url, json_string_value(json_object_get(reg, "personal_id")),
		    json_string_value(json_object_get(reg, "password")),
		    json_string_value(json_object_get(reg, "full_name")),
		    json_string_value(json_object_get(reg, "phone")), cfg->db,
		    json_string_value(json_object_get(reg, "phone")));
	reg = json_object_get(creds, "sample_person");
	fprintf(out, "  registry:         %d synthetic people (seed %d)\n",
	    DEMO_PEOPLE, DEMO_SEED);
	if (reg != NULL)
		fprintf(out, "  sample person:    %s, %s, born %s\n"
		    "                    (idp registry issue-card %s)\n",
		    json_string_value(json_object_get(reg, "personal_id")),
		    json_string_value(json_object_get(reg, "full_name")),
		    json_string_value(json_object_get(reg, "birth_date")),
		    json_string_value(json_object_get(reg, "personal_id")));
	fprintf(out, "  credentials file: %s\n\n", path);
	fflush(out);
	json_decref(creds);
}
