/*
 * run.c — other programs run from the screen (url_command, mailcap
 * viewers, pipes): the terminal is handed over and taken back, as for the
 * editor.
 */
#include "ui/screen_p.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int
screen_run(struct screen *s, const char *script, const char *arg, int in_fd,
	   struct err *e)
{
	int status = 0;
	pid_t pid;

	def_prog_mode();
	endwin();
	pid = fork();
	if (pid == 0) {
		/* The program gets the terminal back, stderr too. */
		if (s->tty_out >= 0)
			dup2(s->tty_out, STDOUT_FILENO);
		if (s->saved_stderr >= 0)
			dup2(s->saved_stderr, STDERR_FILENO);
		if (in_fd >= 0)
			dup2(in_fd, STDIN_FILENO);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", script, "sh", arg ? arg : "", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	if (pid < 0)
		return err_set(e, ERR_IO, "cannot start /bin/sh: %s", strerror(errno));
	if (!WIFEXITED(status))
		return err_set(e, ERR_IO, "killed by signal %d",
			       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return WEXITSTATUS(status);
}
