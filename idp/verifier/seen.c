/*
 * seen: the replay store file, read, pruned and rewritten under flock.
 */
#include "seen.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define LINE_MAX_LEN 256

struct entry {
	char jti[LINE_MAX_LEN];
	int64_t at;
};

/* The live entries of f into *out (newest kept when over SEEN_MAX). */
static int
read_entries(FILE *f, int64_t cutoff, struct entry **out, size_t *n)
{
	char line[LINE_MAX_LEN + 32], *sp, *end;
	struct entry *e = NULL, *grown;
	size_t cap = 0;
	long long at;

	*n = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((sp = strchr(line, ' ')) == NULL || (size_t)(sp - line) >= LINE_MAX_LEN)
			continue;
		*sp = '\0';
		at = strtoll(sp + 1, &end, 10);
		if (end == sp + 1 || at < cutoff)
			continue;
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((grown = realloc(e, cap * sizeof(*e))) == NULL) {
				free(e);
				return -1;
			}
			e = grown;
		}
		memcpy(e[*n].jti, line, (size_t)(sp - line) + 1);
		e[(*n)++].at = at;
	}
	*out = e;
	return 0;
}

static int
rewrite(int fd, FILE *f, const struct entry *e, size_t n, const char *jti,
    int64_t now)
{
	size_t i = n > SEEN_MAX - 1 ? n - (SEEN_MAX - 1) : 0;

	if (ftruncate(fd, 0) != 0 || fseek(f, 0, SEEK_SET) != 0)
		return -1;
	for (; i < n; i++)
		fprintf(f, "%s %" PRId64 "\n", e[i].jti, e[i].at);
	fprintf(f, "%s %" PRId64 "\n", jti, now);
	return fflush(f) == 0 && fsync(fd) == 0 ? 0 : -1;
}

int
seen_check_and_record(const char *path, const char *jti, int64_t now,
    int64_t keep, char *err, size_t errsz)
{
	struct entry *e = NULL;
	size_t n = 0, i;
	FILE *f = NULL;
	int fd, rc = -1;

	if (jti == NULL || strlen(jti) >= LINE_MAX_LEN || strpbrk(jti, " \r\n") != NULL) {
		snprintf(err, errsz, "the presentation id cannot be stored");
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    flock(fd, LOCK_EX) != 0 || (f = fdopen(fd, "r+")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (read_entries(f, now - keep, &e, &n) != 0)
		goto io;
	for (i = 0; i < n; i++)
		if (strcmp(e[i].jti, jti) == 0) {
			rc = SEEN_REPLAYED;
			goto done;
		}
	if (rewrite(fd, f, e, n, jti, now) == 0) {
		rc = 0;
		goto done;
	}
io:
	snprintf(err, errsz, "%s: cannot update the replay store", path);
done:
	free(e);
	if (f != NULL)
		fclose(f);	/* closes fd and so drops the lock */
	else if (fd >= 0)
		close(fd);
	return rc;
}
