/* cred.c — passwords from password_command or the Secret Service. */
#include "client/cred.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libsecret/secret.h>

#define CRED_OUTPUT_MAX 65536

static const SecretSchema cred_schema = {
	"org.cachet.Password", SECRET_SCHEMA_NONE,
	{
		{ "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ NULL, 0 },
	},
	0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

void
cred_password_free(char **pw)
{
	if (pw == NULL || *pw == NULL)
		return;
	explicit_bzero(*pw, strlen(*pw));
	free(*pw);
	*pw = NULL;
}

int
cred_from_command(const char *command, char **out, struct err *e)
{
	struct buf output = BUF_INIT;
	int pipefd[2], status, rc = -1;
	size_t line;
	pid_t pid;

	*out = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return err_set(e, ERR_AUTH, "password_command: cannot create a pipe: %s",
			       strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return err_set(e, ERR_AUTH, "password_command: cannot start: %s",
			       strerror(errno));
	}
	if (pid == 0) {
		if (dup2(pipefd[1], STDOUT_FILENO) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	if (fd_read_all(pipefd[0], CRED_OUTPUT_MAX, &output, NULL) < 0) {
		/* Too much output: stop reading, the child gets SIGPIPE. */
		err_set(e, ERR_AUTH, "password_command printed more than %d bytes",
			CRED_OUTPUT_MAX);
		close(pipefd[0]);
		waitpid(pid, &status, 0);
		goto out;
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			err_set(e, ERR_AUTH, "password_command: %s", strerror(errno));
			goto out;
		}
	}
	if (WIFSIGNALED(status)) {
		err_set(e, ERR_AUTH, "password_command was killed by signal %d",
			WTERMSIG(status));
		goto out;
	}
	if (WEXITSTATUS(status) != 0) {
		err_set(e, ERR_AUTH, "password_command failed with exit status %d%s",
			WEXITSTATUS(status),
			WEXITSTATUS(status) == 127 ? " (command not found?)" : "");
		goto out;
	}
	line = output.len ? strcspn(output.data, "\r\n") : 0;
	if (line == 0) {
		err_set(e, ERR_AUTH, "password_command printed no password on its "
			"first line");
		goto out;
	}
	*out = xstrndup(output.data, line);
	rc = 0;
out:
	if (output.data)
		explicit_bzero(output.data, output.cap);
	buf_release(&output);
	return rc;
}

static const char *const ALTERNATIVE =
	"set password_command in the account instead (for example "
	"'password_command = pass show mail/work')";

/* Turns a libsecret / GDBus error into a message that says what to do. */
static int
secret_error(struct err *e, GError *gerr, const char *what)
{
	const char *bus = getenv("DBUS_SESSION_BUS_ADDRESS");
	int rc;

	if (gerr->domain == G_DBUS_ERROR &&
	    (gerr->code == G_DBUS_ERROR_SERVICE_UNKNOWN ||
	     gerr->code == G_DBUS_ERROR_NAME_HAS_NO_OWNER))
		rc = err_set(e, ERR_AUTH, "cannot %s: no Secret Service is running on "
			     "the session bus (org.freedesktop.secrets is not provided; "
			     "start gnome-keyring-daemon or KeePassXC's Secret Service), "
			     "or %s", what, ALTERNATIVE);
	else if (bus == NULL || *bus == '\0')
		rc = err_set(e, ERR_AUTH, "cannot %s: there is no D-Bus session bus "
			     "(DBUS_SESSION_BUS_ADDRESS is not set; %s), so the Secret "
			     "Service cannot be reached; %s", what, gerr->message,
			     ALTERNATIVE);
	else if (strstr(gerr->message, "/collection/") &&
		 strstr(gerr->message, "does not exist"))
		rc = err_set(e, ERR_AUTH, "cannot %s: the Secret Service has no default "
			     "keyring (%s); create and unlock one, or %s", what,
			     gerr->message, ALTERNATIVE);
	else if (strstr(gerr->message, "locked"))
		rc = err_set(e, ERR_AUTH, "cannot %s: the keyring is locked (%s); "
			     "unlock it, or %s", what, gerr->message, ALTERNATIVE);
	else
		rc = err_set(e, ERR_AUTH, "cannot %s: Secret Service: %s; %s", what,
			     gerr->message, ALTERNATIVE);
	g_error_free(gerr);
	return rc;
}

/*
 * After a lookup found nothing: is an item there but locked?  Searching
 * without SECRET_SEARCH_UNLOCK sees locked items without prompting.
 */
static bool
item_is_locked(const struct cred_key *k)
{
	GHashTable *attrs;
	GList *items, *l;
	bool locked = false;

	/*
	 * Without the schema: gnome-keyring cannot match xdg:schema on a locked
	 * keyring, the other attributes it can.
	 */
	attrs = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(attrs, (gpointer)"account", (gpointer)k->account);
	g_hash_table_insert(attrs, (gpointer)"user", (gpointer)k->user);
	g_hash_table_insert(attrs, (gpointer)"host", (gpointer)k->host);
	items = secret_service_search_sync(NULL, NULL, attrs, SECRET_SEARCH_ALL,
					   NULL, NULL);
	for (l = items; l; l = l->next)
		if (secret_item_get_locked(l->data))
			locked = true;
	g_list_free_full(items, g_object_unref);
	g_hash_table_unref(attrs);
	return locked;
}

int
cred_lookup(const struct cred_key *k, char **out, struct err *e)
{
	GError *gerr = NULL;
	gchar *pw;

	*out = NULL;
	pw = secret_password_lookup_sync(&cred_schema, NULL, &gerr,
					 "account", k->account, "user", k->user,
					 "host", k->host, NULL);
	if (gerr)
		return secret_error(e, gerr, "read the password from the Secret Service");
	if (pw == NULL) {
		if (item_is_locked(k))
			return err_set(e, ERR_AUTH, "the password of %s@%s (account %s) "
				       "is in a locked keyring; unlock it, or %s",
				       k->user, k->host, k->account, ALTERNATIVE);
		return err_set(e, ERR_AUTH, "no password for %s@%s (account %s) in the "
			       "Secret Service (or its keyring is locked); store one "
			       "with 'cachet passwd', or %s", k->user, k->host,
			       k->account, ALTERNATIVE);
	}
	*out = xstrdup(pw);
	secret_password_free(pw);
	return 0;
}

int
cred_store(const struct cred_key *k, const char *password, struct err *e)
{
	GError *gerr = NULL;
	char *label;
	gboolean ok;

	label = xasprintf("cachet: %s@%s (account %s)", k->user, k->host, k->account);
	ok = secret_password_store_sync(&cred_schema, SECRET_COLLECTION_DEFAULT,
					label, password, NULL, &gerr,
					"account", k->account, "user", k->user,
					"host", k->host, NULL);
	free(label);
	if (gerr)
		return secret_error(e, gerr, "store the password in the Secret Service");
	if (!ok)
		return err_set(e, ERR_AUTH, "the Secret Service refused to store the "
			       "password; %s", ALTERNATIVE);
	return 0;
}

void
cred_key_for(const struct account *a, const struct server_url *u,
	     struct cred_key *out)
{
	out->account = a->name;
	out->user = u->user ? u->user : a->from_addr;
	out->host = u->host;
}

int
cred_password(const char *password_command, const struct cred_key *k,
	      char **out, struct err *e)
{
	if (password_command)
		return cred_from_command(password_command, out, e);
	return cred_lookup(k, out, e);
}
