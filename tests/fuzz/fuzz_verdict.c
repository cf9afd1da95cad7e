/*
 * fuzz_verdict.c — the verdict of an arbitrary message: MIME tree walk,
 * crypto-layer detection, CMS inspection and, where a layer is well formed
 * enough, gpgsm through GPGME.  The engine runs on an empty private gpgsm
 * home made once per process, so nothing verifies as trusted; what is
 * checked is that every input gets a verdict or an error without a crash
 * or a leak, and that the verdict is consistent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "crypto/smime.h"
#include "tests/fuzz/fuzz.h"

static struct smime_engine *engine;
static char home[] = "/tmp/cachet-fuzz-gnupg-XXXXXX";

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Stops the agent gpgsm started for the private home, then removes it. */
static void
engine_cleanup(void)
{
	pid_t pid;
	int status;

	smime_engine_free(&engine);
	pid = fork();
	if (pid == 0) {
		execlp("gpgconf", "gpgconf", "--homedir", home, "--kill", "all",
		       (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	nftw(home, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
engine_once(void)
{
	struct err e = { 0 };

	if (engine)
		return;
	if (mkdtemp(home) == NULL)
		abort();
	atexit(engine_cleanup);
	if (smime_engine_new(home, &engine, &e) < 0) {
		fprintf(stderr, "fuzz_verdict: %s\n", e.msg);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smime_verdict *v = NULL;
	struct err e = { 0 };
	char *copy = xmalloc(size);

	engine_once();
	memcpy(copy, data, size);
	if (smime_verify(engine, copy, size, 0, &v, &e) == 0) {
		/* Nothing here can be trusted: there is no trust anchor. */
		if (v->signature == SMIME_SIG_VALID)
			abort();
		if (v->signature == SMIME_SIG_NONE && v->n_signers != 0)
			abort();
		smime_verdict_free(&v);
	}
	free(copy);
	return 0;
}
