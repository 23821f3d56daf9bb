/*
 * driver: replays files through a harness without libFuzzer, for the
 * ordinary and the ASan builds: every regular file of each directory named
 * on the command line (a missing directory is skipped) is fed once to
 * LLVMFuzzerTestOneInput, in name order. Fails when no file at all was fed
 * or one could not be read; a bug in the code under test shows as a crash
 * or a sanitizer report.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define REPLAY_MAX_BYTES (1024 * 1024)

static int
feed_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *exact = NULL;
	size_t n;
	int rc = -1;

	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if ((buf = malloc(REPLAY_MAX_BYTES)) == NULL)
		goto fail;
	n = fread(buf, 1, REPLAY_MAX_BYTES, f);
	if (ferror(f) || !feof(f)) {
		fprintf(stderr, "%s: unreadable or over %d bytes\n", path,
		    REPLAY_MAX_BYTES);
		goto fail;
	}
	/* An exact-size copy, so that ASan sees reads past the input's end. */
	if ((exact = malloc(n > 0 ? n : 1)) == NULL)
		goto fail;
	memcpy(exact, buf, n);
	LLVMFuzzerTestOneInput(exact, n);
	rc = 0;
fail:
	free(exact);
	free(buf);
	fclose(f);
	return rc;
}

/* Feeds the files of dir; the number fed, or -1. */
static long
feed_dir(const char *dir)
{
	struct dirent **names;
	char path[4096];
	long fed = 0;
	int n = scandir(dir, &names, NULL, alphasort);

	if (n < 0)
		return errno == ENOENT ? 0 : -1;
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && fed >= 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			fed = feed_file(path) == 0 ? fed + 1 : -1;
		}
		free(names[i]);
	}
	free(names);
	return fed;
}

int
main(int argc, char **argv)
{
	long total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize(&argc, &argv) != 0)
		return 1;
	for (int i = 1; i < argc; i++) {
		long n = feed_dir(argv[i]);

		if (n < 0) {
			fprintf(stderr, "%s: cannot replay\n", argv[i]);
			return 1;
		}
		printf("%s: %ld inputs\n", argv[i], n);
		total += n;
	}
	if (total == 0) {
		fprintf(stderr, "no input replayed\n");
		return 1;
	}
	return 0;
}
