/*
 * test_web: unit tests for the static files (web): files under DIR/static
 * are served from memory with their content types and exact bytes; nothing
 * else is, and a missing directory is an empty set.
 */
#include "t.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base.h"
#include "web.h"

static int
write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[256];
	FILE *fp;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "wb")) == NULL)
		return -1;
	if (len > 0 && fwrite(data, 1, len, fp) != len)
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

static const char css[] = "body { color: #123; }\n/* Vi\xe1\xbb\x87t */\n";
static const char js[] = "document.querySelector('form').addEventListener('submit', f);\n";
static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>";
static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
	0, 0, 0, 0, 0xff, 0x00, 0x7f };

struct tree {
	char dir[64];
	char sdir[96];
};

static int
make_tree(struct tree *t)
{
	char sub[160];

	if (fixture_mkdtemp(t->dir, sizeof(t->dir), "test_web") != 0)
		return -1;
	snprintf(t->sdir, sizeof(t->sdir), "%s/static", t->dir);
	snprintf(sub, sizeof(sub), "%s/sub", t->sdir);
	if (mkdir(t->sdir, 0700) != 0 || mkdir(sub, 0700) != 0)
		return -1;
	if (write_file(t->sdir, "a.css", css, sizeof(css) - 1) != 0 ||
	    write_file(t->sdir, "b.js", js, sizeof(js) - 1) != 0 ||
	    write_file(t->sdir, "c.svg", svg, sizeof(svg) - 1) != 0 ||
	    write_file(t->sdir, "d.png", png, sizeof(png)) != 0 ||
	    write_file(t->sdir, "e.bin", "x", 1) != 0 ||
	    write_file(t->sdir, "empty.txt", "", 0) != 0 ||
	    write_file(t->sdir, ".hidden.css", "secret", 6) != 0 ||
	    write_file(sub, "deep.css", "deep", 4) != 0 ||
	    write_file(t->dir, "x", "outside", 7) != 0 ||
	    write_file(t->dir, "x.css", "outside", 7) != 0)
		return -1;
	return 0;
}

static void
remove_tree(struct tree *t)
{
	fixture_rmtree(t->dir);
}

TEST(files_with_types_and_bytes)
{
	static const struct {
		const char *path;
		const void *data;
		size_t len;
		const char *ctype;
	} want[] = {
		{ "/static/a.css", css, sizeof(css) - 1, "text/css; charset=utf-8" },
		{ "/static/b.js", js, sizeof(js) - 1, "text/javascript; charset=utf-8" },
		{ "/static/c.svg", svg, sizeof(svg) - 1, "image/svg+xml" },
		{ "/static/d.png", png, sizeof(png), "image/png" },
		{ "/static/e.bin", "x", 1, "application/octet-stream" },
		{ "/static/empty.txt", "", 0, "text/plain; charset=utf-8" },
	};
	char err[256] = "";
	struct web *w = NULL;
	struct tree t;

	CHECK_EQ_INT(make_tree(&t), 0);
	CHECK_EQ_INT(web_load(t.dir, &w, err, sizeof(err)), 0);
	CHECK(w != NULL);
	if (w == NULL) {
		remove_tree(&t);
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		size_t len = 12345;
		const char *ctype = NULL;
		const char *data = web_find(w, want[i].path, &len, &ctype);
		if (data == NULL)
			fprintf(stderr, "  %s not found\n", want[i].path);
		CHECK(data != NULL);
		CHECK_EQ_INT(len, want[i].len);
		CHECK_STR(ctype, want[i].ctype);
		if (data != NULL && len == want[i].len)
			CHECK_EQ_INT(memcmp(data, want[i].data, len), 0);
	}
	web_free(w);
	remove_tree(&t);
}

TEST(other_paths_are_null)
{
	static const char *const paths[] = {
		"/static/none.css", "/static/../x", "/static/../x.css",
		"/static/./a.css", "/static//a.css", "/static/sub/deep.css",
		"/static/sub", "/static/sub/", "/static/.hidden.css", "/static/",
		"/static", "/a.css", "static/a.css", "a.css", "", "/", "/x",
		"/static/A.CSS", "/static/a.css/", "/static/a.css?v=1",
		"/static/a.css%00", "/static/%2e%2e/x", "/STATIC/a.css",
		"/static/a.cs", "/static/a.css ",
	};
	char err[256] = "";
	struct web *w = NULL;
	struct tree t;

	CHECK_EQ_INT(make_tree(&t), 0);
	CHECK_EQ_INT(web_load(t.dir, &w, err, sizeof(err)), 0);
	if (w == NULL) {
		CHECK(0);
		remove_tree(&t);
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
		size_t len = 0;
		const char *ctype = NULL;
		if (web_find(w, paths[i], &len, &ctype) != NULL)
			fprintf(stderr, "  \"%s\" was found\n", paths[i]);
		CHECK(web_find(w, paths[i], &len, &ctype) == NULL);
	}
	web_free(w);
	remove_tree(&t);
}

TEST(read_once_at_load)
{
	char err[256] = "";
	struct web *w = NULL;
	struct tree t;
	const char *data, *ctype;
	size_t len = 0;

	CHECK_EQ_INT(make_tree(&t), 0);
	CHECK_EQ_INT(web_load(t.dir, &w, err, sizeof(err)), 0);
	/* Files changed or added afterwards are not seen. */
	CHECK_EQ_INT(write_file(t.sdir, "a.css", "changed", 7), 0);
	CHECK_EQ_INT(write_file(t.sdir, "new.css", "new", 3), 0);
	if (w != NULL) {
		data = web_find(w, "/static/a.css", &len, &ctype);
		CHECK(data != NULL);
		CHECK_EQ_INT(len, sizeof(css) - 1);
		if (data != NULL && len == sizeof(css) - 1)
			CHECK_EQ_INT(memcmp(data, css, len), 0);
		CHECK(web_find(w, "/static/new.css", &len, &ctype) == NULL);
	}
	web_free(w);
	remove_tree(&t);
}

TEST(missing_directory_is_empty)
{
	char err[256] = "", dir[64];
	struct web *w = NULL;
	const char *ctype;
	size_t len;

	CHECK_EQ_INT(web_load("/nonexistent/test_web/dir", &w, err, sizeof(err)), 0);
	CHECK(w != NULL);
	if (w != NULL) {
		CHECK(web_find(w, "/static/a.css", &len, &ctype) == NULL);
		CHECK(web_find(w, "/", &len, &ctype) == NULL);
	}
	web_free(w);
	/* A directory without static/ is empty too. */
	CHECK(fixture_mkdtemp(dir, sizeof(dir), "test_web") == 0);
	CHECK_EQ_INT(write_file(dir, "a.css", "x", 1), 0);
	w = NULL;
	CHECK_EQ_INT(web_load(dir, &w, err, sizeof(err)), 0);
	CHECK(w != NULL);
	if (w != NULL) {
		CHECK(web_find(w, "/static/a.css", &len, &ctype) == NULL);
		CHECK(web_find(w, "/a.css", &len, &ctype) == NULL);
	}
	web_free(w);
	fixture_rmtree(dir);
	web_free(NULL);
}

T_MAIN(T(files_with_types_and_bytes), T(other_paths_are_null),
    T(read_once_at_load), T(missing_directory_is_empty))
