/*
 * replay.c — runs a fuzz target over every file of its seed corpus (and of
 * the directories named on the command line), so the corpora are checked by
 * make check with the normal compiler and, in the sanitizer build, by ASan.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "tests/fuzz/fuzz.h"

static int
replay_dir(const char *dir, unsigned *count)
{
	struct dirent **names;
	int n, i, rc = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "%s: cannot read the corpus directory\n", dir);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct buf b = BUF_INIT;
		struct err e = { 0 };
		char *path;

		if (names[i]->d_name[0] == '.') {
			free(names[i]);
			continue;
		}
		path = xasprintf("%s/%s", dir, names[i]->d_name);
		if (file_read(path, 0, &b, &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			rc = -1;
		} else {
			LLVMFuzzerTestOneInput((const uint8_t *)(b.data ? b.data : ""), b.len);
			(*count)++;
		}
		buf_release(&b);
		free(path);
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned count = 0;
	int i, rc = 0;

	if (replay_dir(CACHET_SRCDIR "/" FUZZ_CORPUS, &count) < 0)
		rc = 1;
	for (i = 1; i < argc; i++)
		if (replay_dir(argv[i], &count) < 0)
			rc = 1;
	fprintf(stderr, "%s: replayed %u inputs\n", FUZZ_CORPUS, count);
	if (count == 0) {
		fprintf(stderr, "no corpus inputs found: the replay proves nothing\n");
		return 1;
	}
	return rc;
}
