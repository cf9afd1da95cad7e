/* passphrase.c — where the CLI's passphrases come from: --passphrase-fd,
 * one per line, or the controlling terminal without echo.  Never a
 * pinentry, never stored. */
#include "cli/cli.h"
#include "crypto/smime.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Longer than any passphrase gpg-agent takes (255). */
#define PASSPHRASE_MAX 1024

/* The terminal while echo is off, so that a signal puts it back. */
static int tty_fd = -1;
static struct termios tty_saved;

static void
tty_restore_and_die(int sig)
{
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One line from fd, without its line end: 0, or -1 at end of file before
 * any byte or on a read error. */
static int
read_line(int fd, struct buf *out, struct err *e)
{
	bool any = false;
	char c;
	ssize_t n;

	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(e, ERR_IO, "reading the passphrase: %s", strerror(errno));
		if (n == 0)
			break;
		any = true;
		if (c == '\n')
			break;
		if (out->len >= PASSPHRASE_MAX)
			return err_set(e, ERR_USAGE, "the passphrase is too long");
		buf_addc(out, c);
	}
	if (!any)
		return err_set(e, ERR_USAGE, "no passphrase given (end of input)");
	if (out->len && out->data[out->len - 1] == '\r')
		out->data[--out->len] = '\0';
	return 0;
}

static int
ask_terminal(const char *prompt, struct buf *out, struct err *e)
{
	struct sigaction sa, old_int, old_term, old_hup;
	struct termios quiet;
	int fd, rc;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, ERR_USAGE, "no terminal to ask for the passphrase; give it "
			       "on a file descriptor with --passphrase-fd N");
	if (tcgetattr(fd, &tty_saved) < 0) {
		close(fd);
		return err_set(e, ERR_USAGE, "no terminal to ask for the passphrase; give it "
			       "on a file descriptor with --passphrase-fd N");
	}
	quiet = tty_saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	quiet.c_lflag |= ECHONL;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tty_restore_and_die;
	sigemptyset(&sa.sa_mask);
	tty_fd = fd;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	if (write(fd, prompt, strlen(prompt)) < 0 || tcsetattr(fd, TCSAFLUSH, &quiet) < 0) {
		rc = err_set(e, ERR_IO, "cannot turn off echo on the terminal");
	} else {
		rc = read_line(fd, out, e);
		tcsetattr(fd, TCSAFLUSH, &tty_saved);
	}
	tty_fd = -1;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	close(fd);
	return rc;
}

int
cli_read_passphrase(const struct cli_globals *g, const char *prompt, struct buf *out,
		    struct err *e)
{
	buf_reset(out);
	if (g->passphrase_fd < 0)
		return ask_terminal(prompt, out, e);
	if (fcntl(g->passphrase_fd, F_GETFD) < 0)
		return err_set(e, ERR_USAGE, "--passphrase-fd %d: not an open file descriptor",
			       g->passphrase_fd);
	if (read_line(g->passphrase_fd, out, e) < 0)
		return err_prefix(e, "--passphrase-fd %d", g->passphrase_fd);
	return 0;
}

/* The question for the key described by desc, with nothing of desc that
 * could steer the terminal. */
static char *
source_prompt(const char *desc, unsigned try, bool is_new)
{
	char *s, *p;

	if (is_new)
		s = xasprintf("New passphrase for %s: ", desc);
	else if (try > 1)
		s = xasprintf("Wrong passphrase (try %u of %u).  Passphrase for %s: ", try,
			      SMIME_PASSPHRASE_TRIES, desc);
	else
		s = xasprintf("Passphrase for %s: ", desc);
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

static int
source_get(void *opaque, const char *desc, unsigned try, bool is_new,
	   struct buf *out, struct err *e)
{
	const struct cli_globals *g = opaque;
	struct err why = { 0 };
	char *prompt = source_prompt(desc, try, is_new);
	int rc;

	rc = cli_read_passphrase(g, prompt, out, &why);
	free(prompt);
	if (rc == 0)
		return 0;
	/* doc/DESIGN.md, 2.3: a batch that cannot ask is a crypto engine error (4)
	 * that says how to unlock the key. */
	return err_set(e, ERR_CRYPTO, "the secret key of %s needs its passphrase (%s); "
		       "give it with --passphrase-fd N, run cachet from a terminal, or "
		       "preset it with gpg-preset-passphrase", desc, why.msg);
}

bool
cli_passphrase_source(const struct cli_globals *g, struct smime_passphrase *pp)
{
	int fd;

	pp->get = NULL;
	pp->opaque = NULL;
	/* Nowhere to ask: the agent's refusal names the key and the ways to
	 * unlock it, before anything is asked. */
	if (g->passphrase_fd < 0) {
		fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			return false;
		close(fd);
	}
	pp->get = source_get;
	pp->opaque = (void *)g;
	return true;
}
