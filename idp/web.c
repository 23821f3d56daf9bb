/*
 * web: an in-memory table of static files.
 */
#include "web.h"

#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILES 256
#define MAX_FILE_SIZE (4 * 1024 * 1024)

struct file {
	char *path;		/* "/static/name" */
	char *data;
	size_t len;
	const char *ctype;
};

struct web {
	struct file files[MAX_FILES];
	size_t n;
};

static const char *
ctype_for(const char *name)
{
	static const struct { const char *ext, *ctype; } types[] = {
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".json", "application/json" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot != NULL && i < ARRAY_LEN(types); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].ctype;
	return "application/octet-stream";
}

static int
load_file(struct web *w, const char *dir, const char *name)
{
	char path[4096];
	struct file *f = &w->files[w->n];
	struct stat st;
	FILE *fp;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -1;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE_SIZE)
		return 0;
	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	f->len = (size_t)st.st_size;
	f->data = malloc(f->len + 1);
	f->path = malloc(strlen(name) + 9);
	if (f->data == NULL || f->path == NULL ||
	    fread(f->data, 1, f->len, fp) != f->len) {
		fclose(fp);
		free(f->data);
		free(f->path);
		return -1;
	}
	fclose(fp);
	sprintf(f->path, "/static/%s", name);
	f->ctype = ctype_for(name);
	w->n++;
	return 0;
}

int
web_load(const char *dir, struct web **out, char *err, size_t errsz)
{
	char sdir[CONFIG_PATH_MAX + 8];
	struct web *w;
	struct dirent *de;
	DIR *d;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	snprintf(sdir, sizeof(sdir), "%s/static", dir);
	if ((d = opendir(sdir)) != NULL) {
		while ((de = readdir(d)) != NULL && w->n < MAX_FILES) {
			if (de->d_name[0] == '.')
				continue;
			if (load_file(w, sdir, de->d_name) != 0) {
				snprintf(err, errsz, "%s/%s: cannot read", sdir, de->d_name);
				closedir(d);
				web_free(w);
				return -1;
			}
		}
		closedir(d);
	}
	*out = w;
	return 0;
}

void
web_free(struct web *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < w->n; i++) {
		free(w->files[i].path);
		free(w->files[i].data);
	}
	free(w);
}

const char *
web_find(const struct web *w, const char *path, size_t *len, const char **ctype)
{
	for (size_t i = 0; w != NULL && i < w->n; i++) {
		if (strcmp(w->files[i].path, path) == 0) {
			*len = w->files[i].len;
			*ctype = w->files[i].ctype;
			return w->files[i].data;
		}
	}
	return NULL;
}
