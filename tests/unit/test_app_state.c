/*
 * test_app_state: the eid-app state file: created 0600 and read back, an
 * activation recorded, a file others may read (0644, 0640) or a symlink
 * refused, a damaged or missing file told apart, no temporary file left
 * behind, and a missing directory created private.
 */
#include "t.h"
#include "fixture.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "app_state.h"

static mode_t
mode_of(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (sb.st_mode & 07777) : (mode_t)-1;
}

static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

TEST(round_trip)
{
	char dir[64], path[128], err[256];
	struct app_state *st = NULL, *back = NULL;
	uint8_t s1[APP_SIG_SIZE], s2[APP_SIG_SIZE];

	CHECK(fixture_mkdtemp(dir, sizeof(dir), "test_app_state") == 0);
	snprintf(path, sizeof(path), "%s/var/eid-app.json", dir);
	CHECK(app_state_new("Điện thoại của An", &st) == 0);
	CHECK(!app_state_activated(st));
	CHECK_EQ_INT(strlen(app_state_public_key(st)), 43);
	CHECK(app_state_save(st, path, err, sizeof(err)) == 0);
	CHECK_EQ_INT(mode_of(path), 0600);
	snprintf(err, sizeof(err), "%s/var", dir);
	CHECK_EQ_INT(mode_of(err), 0700);
	CHECK_EQ_INT(entries(err), 1);
	CHECK_EQ_INT(app_state_load(path, &back, err, sizeof(err)), 0);
	CHECK(back != NULL);
	if (back != NULL) {
		CHECK_STR(app_state_public_key(back), app_state_public_key(st));
		CHECK_STR(app_state_name(back), "Điện thoại của An");
		CHECK_STR(app_state_device_id(back), "");
		app_state_sign(st, "m", 1, s1);
		app_state_sign(back, "m", 1, s2);
		CHECK(memcmp(s1, s2, sizeof(s1)) == 0);
		CHECK(app_state_set_device(back, "dev-1", "http://127.0.0.1:8080") == 0);
		CHECK(app_state_save(back, path, err, sizeof(err)) == 0);
		app_state_free(back);
		back = NULL;
	}
	CHECK_EQ_INT(app_state_load(path, &back, err, sizeof(err)), 0);
	if (back != NULL) {
		CHECK(app_state_activated(back));
		CHECK_STR(app_state_device_id(back), "dev-1");
		CHECK_STR(app_state_idp(back), "http://127.0.0.1:8080");
	}
	CHECK_EQ_INT(mode_of(path), 0600);
	snprintf(err, sizeof(err), "%s/var", dir);
	CHECK_EQ_INT(entries(err), 1);
	CHECK(app_state_set_device(st, "", "http://x") != 0);
	CHECK(app_state_new("", &back) != 0 || back == NULL);
	app_state_free(back);
	app_state_free(st);
	fixture_rmtree(dir);
}

TEST(readable_by_others_refused)
{
	char dir[64], path[128], link[128], err[256];
	struct app_state *st = NULL, *back = NULL;

	CHECK(fixture_mkdtemp(dir, sizeof(dir), "test_app_state") == 0);
	snprintf(path, sizeof(path), "%s/s.json", dir);
	CHECK(app_state_new("a", &st) == 0);
	CHECK(app_state_save(st, path, err, sizeof(err)) == 0);
	CHECK(chmod(path, 0644) == 0);
	err[0] = '\0';
	CHECK_EQ_INT(app_state_load(path, &back, err, sizeof(err)), -1);
	CHECK(back == NULL);
	CHECK(strstr(err, "readable") != NULL && strstr(err, "0644") != NULL);
	CHECK(chmod(path, 0640) == 0);
	CHECK_EQ_INT(app_state_load(path, &back, err, sizeof(err)), -1);
	CHECK(chmod(path, 0602) == 0);
	CHECK_EQ_INT(app_state_load(path, &back, err, sizeof(err)), -1);
	CHECK(chmod(path, 0600) == 0);
	CHECK_EQ_INT(app_state_load(path, &back, err, sizeof(err)), 0);
	app_state_free(back);
	back = NULL;
	/* A symlink is not followed. */
	snprintf(link, sizeof(link), "%s/link.json", dir);
	CHECK(symlink(path, link) == 0);
	CHECK_EQ_INT(app_state_load(link, &back, err, sizeof(err)), -1);
	/* Saving over a 0644 file leaves it 0600. */
	CHECK(chmod(path, 0644) == 0);
	CHECK(app_state_save(st, path, err, sizeof(err)) == 0);
	CHECK_EQ_INT(mode_of(path), 0600);
	app_state_free(st);
	fixture_rmtree(dir);
}

TEST(missing_and_damaged)
{
	char dir[64], path[128], err[256];
	struct app_state *back = NULL;
	FILE *f;

	CHECK(fixture_mkdtemp(dir, sizeof(dir), "test_app_state") == 0);
	snprintf(path, sizeof(path), "%s/none.json", dir);
	CHECK_EQ_INT(app_state_load(path, &back, err, sizeof(err)), 1);
	snprintf(path, sizeof(path), "%s/bad.json", dir);
	CHECK((f = fopen(path, "w")) != NULL);
	if (f != NULL) {
		fputs("{\"version\":1,\"name\":\"a\",\"secret_key\":\"short\"}", f);
		fclose(f);
	}
	CHECK(chmod(path, 0600) == 0);
	CHECK_EQ_INT(app_state_load(path, &back, err, sizeof(err)), -1);
	CHECK(strstr(err, "damaged") != NULL);
	CHECK((f = fopen(path, "w")) != NULL);
	if (f != NULL) {
		fputs("not json", f);
		fclose(f);
	}
	CHECK_EQ_INT(app_state_load(path, &back, err, sizeof(err)), -1);
	CHECK(back == NULL);
	fixture_rmtree(dir);
}

T_MAIN(T(round_trip), T(readable_by_others_refused), T(missing_and_damaged))
