/* test_passphrase.c — the CLI's passphrase sources: lines of
 * --passphrase-fd one question at a time, and the refusal, naming the key
 * and the ways out, when there is neither a descriptor nor a terminal. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "crypto/smime.h"
#include "tests/unit/check.h"

/* A descriptor whose content is text. */
static int
fd_with(const char *text)
{
	int p[2];

	if (pipe(p) < 0)
		abort();
	if (write(p[1], text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(p[1]);
	return p[0];
}

static void
check_fd_lines(void)
{
	struct cli_globals g = { 0 };
	struct smime_passphrase pp;
	struct buf b = BUF_INIT;
	struct err e = { 0 };

	g.passphrase_fd = fd_with("first one\nsecond\r\n\nlast");
	CHECK(cli_passphrase_source(&g, &pp));
	CHECK_INT(pp.get(pp.opaque, "Alice's key", 1, false, &b, &e), 0);
	CHECK_STR(b.data, "first one");
	/* Each question reads the next line, and only it. */
	CHECK_INT(pp.get(pp.opaque, "Alice's key", 2, false, &b, &e), 0);
	CHECK_STR(b.data, "second");
	CHECK_INT(pp.get(pp.opaque, "Alice's key", 3, false, &b, &e), 0);
	CHECK_STR(b.data, "");
	CHECK_INT(cli_read_passphrase(&g, "unused", &b, &e), 0);
	CHECK_STR(b.data, "last");
	/* The input has ended. */
	CHECK_INT(pp.get(pp.opaque, "Alice's key", 1, false, &b, &e), -1);
	CHECK_INT(e.code, ERR_CRYPTO);
	CHECK_CONTAINS(e.msg, "the secret key of Alice's key needs its passphrase");
	CHECK_CONTAINS(e.msg, "no passphrase given");
	CHECK_CONTAINS(e.msg, "gpg-preset-passphrase");
	close(g.passphrase_fd);
	/* A descriptor that is not open. */
	CHECK_INT(cli_read_passphrase(&g, "unused", &b, &e), -1);
	CHECK_INT(e.code, ERR_USAGE);
	CHECK_CONTAINS(e.msg, "not an open file descriptor");
	buf_release(&b);
}

/* Without a controlling terminal (a new session): without a descriptor
 * there is nowhere to ask, and no source is installed (the agent's refusal
 * names the key); with a descriptor that has run dry, the question fails
 * naming the key and the ways to unlock it. */
static void
check_no_terminal(void)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		struct cli_globals g = { 0 };
		struct smime_passphrase pp;
		struct buf b = BUF_INIT;
		struct err e = { 0 };

		setsid();
		g.passphrase_fd = -1;
		CHECK(!cli_passphrase_source(&g, &pp));
		CHECK(pp.get == NULL);
		g.passphrase_fd = fd_with("");
		CHECK(cli_passphrase_source(&g, &pp));
		CHECK_INT(pp.get(pp.opaque, "Bob's key", 1, false, &b, &e), -1);
		CHECK_INT(e.code, ERR_CRYPTO);
		CHECK_CONTAINS(e.msg, "the secret key of Bob's key needs its passphrase");
		CHECK_CONTAINS(e.msg, "--passphrase-fd N");
		buf_release(&b);
		_exit(check_exit());
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int
main(void)
{
	check_fd_lines();
	check_no_terminal();
	return check_exit();
}
