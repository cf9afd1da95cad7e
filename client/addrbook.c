/*
 * addrbook.c — the candidates for completing an address field: aliases
 * file, address_command, the certificate store's bindings and the
 * senders of the cached IMAP indexes (addrbook.h).
 */
#include "client/addrbook.h"
#include "client/imap_cache.h"
#include "certstore/certstore.h"
#include "crypto/smime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The most an aliases file, a command's answer or a cache file may hold. */
#define ADDRBOOK_FILE_MAX (16u * 1024 * 1024)
/* The most candidates one look-up gives. */
#define ADDRBOOK_MAX 200

const char *
addrbook_source_name(enum addrbook_source s)
{
	switch (s) {
	case ADDRBOOK_ALIAS: return "alias";
	case ADDRBOOK_COMMAND: return "query";
	case ADDRBOOK_STORE: return "certificate";
	case ADDRBOOK_SEEN: return "seen";
	}
	return "?";
}

void
addrbook_entries_free(struct addrbook_entry **v, size_t n)
{
	size_t i;

	if (v == NULL || *v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free((*v)[i].value);
		free((*v)[i].addr);
		free((*v)[i].nick);
	}
	free(*v);
	*v = NULL;
}

char *
addrbook_expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && path[1] == '/' && home && *home)
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}

char *
addrbook_shell_quote(const char *s)
{
	struct buf b = BUF_INIT;

	buf_addc(&b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_adds(&b, "'\\''");
		else
			buf_addc(&b, *s);
	}
	buf_addc(&b, '\'');
	return buf_detach(&b, NULL);
}

/* The addresses of a field value, read by the one header reader. */
static char **
value_addresses(const char *value)
{
	char *msg = xasprintf("To: %s\r\n\r\n", value);
	char **addrs = NULL;
	struct err e = { 0 };
	size_t n = 0;

	if (smime_message_recipients(msg, strlen(msg), &addrs, &n, &e) < 0)
		addrs = NULL;
	free(msg);
	return addrs;
}

static void
strv_free(char **v)
{
	smime_strv_free(&v);
}

/* ASCII case-insensitive substring. */
static bool
contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	if (hay == NULL)
		return false;
	for (; *hay; hay++) {
		for (i = 0; i < n; i++) {
			char a = hay[i], b = needle[i];

			if (a >= 'A' && a <= 'Z')
				a = (char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (char)(b - 'A' + 'a');
			if (a == '\0' || a != b)
				break;
		}
		if (i == n)
			return true;
	}
	return n == 0;
}

/*
 * Adds a candidate unless its address is there already; false when full.
 * What goes into a header field holds no control character (a CR or LF
 * from a source would start a field of its own).
 */
static bool
add_entry(struct addrbook_entry **v, size_t *n, const char *raw, const char *nick,
	  enum addrbook_source source)
{
	char *value = xstrdup(raw), *c, **addrs;
	size_t i;
	bool room;

	for (c = value; *c; c++)
		if ((unsigned char)*c < 32 || *c == 127)
			*c = ' ';
	addrs = value_addresses(value);

	room = *n < ADDRBOOK_MAX;
	if (addrs == NULL || addrs[0] == NULL)
		goto out;
	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i].value, value) == 0 ||
		    (nick == NULL && (*v)[i].nick == NULL &&
		     str_casecmp_ascii((*v)[i].addr, addrs[0]) == 0))
			goto out;
	if (!room)
		goto out;
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[*n] = (struct addrbook_entry){
		.value = value, .addr = xstrdup(addrs[0]),
		.nick = nick ? xstrdup(nick) : NULL, .source = source,
	};
	value = NULL;
	(*n)++;
out:
	strv_free(addrs);
	free(value);
	return room;
}

/* "Name <addr>", or the bare address without a name. */
static char *
name_addr(const char *name, const char *addr)
{
	bool quote = false;
	const char *p;

	if (name == NULL || *name == '\0' || strcmp(name, addr) == 0)
		return xstrdup(addr);
	for (p = name; *p; p++)
		if (strchr(",;:<>@()[]\\\".", *p))
			quote = true;
	if (quote) {
		struct buf b = BUF_INIT;

		buf_addc(&b, '"');
		for (p = name; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_addc(&b, '\\');
			buf_addc(&b, *p);
		}
		buf_addf(&b, "\" <%s>", addr);
		return buf_detach(&b, NULL);
	}
	return xasprintf("%s <%s>", name, addr);
}

void
addrbook_parse_aliases(const char *text, const char *typed,
		       struct addrbook_entry **v, size_t *n)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len), *s = str_trim(line), *nick, *value;

		p += len + (nl != NULL);
		/* alias NICK VALUE, with spaces or tabs between */
		if (strncmp(s, "alias", 5) != 0 || (s[5] != ' ' && s[5] != '\t')) {
			free(line);
			continue;
		}
		nick = s + 6;
		nick += strspn(nick, " \t");
		value = nick + strcspn(nick, " \t");
		if (*value == '\0') {
			free(line);
			continue;
		}
		*value++ = '\0';
		value = str_trim(value);
		if (*value && (contains_nocase(nick, typed) || contains_nocase(value, typed)))
			if (!add_entry(v, n, value, nick, ADDRBOOK_ALIAS)) {
				free(line);
				return;
			}
		free(line);
	}
}

void
addrbook_parse_query(const char *text, struct addrbook_entry **v, size_t *n)
{
	const char *p = strchr(text, '\n');	/* the first line is a message */

	while (p && *++p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len), *addr = line, *name, *value;

		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		name = strchr(line, '\t');
		if (name) {
			*name++ = '\0';
			name[strcspn(name, "\t")] = '\0';
		}
		addr = str_trim(addr);
		if (*addr && strchr(addr, '@')) {
			value = name_addr(name ? str_trim(name) : NULL, addr);
			if (!add_entry(v, n, value, NULL, ADDRBOOK_COMMAND)) {
				free(value);
				free(line);
				return;
			}
			free(value);
		}
		free(line);
		p = nl;
	}
}

static int
read_aliases(const struct account *a, const char *typed, struct addrbook_entry **v,
	     size_t *n, struct err *e)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	struct buf text = BUF_INIT;
	char *path;

	if (a && a->aliases)
		path = addrbook_expand_home(a->aliases);
	else if (xdg && *xdg)
		path = xasprintf("%s/cachet/aliases", xdg);
	else if (home && *home)
		path = xasprintf("%s/.config/cachet/aliases", home);
	else
		return 0;
	if (!(a && a->aliases) && access(path, F_OK) != 0) {
		free(path);
		return 0;	/* the default file is optional */
	}
	if (file_read(path, ADDRBOOK_FILE_MAX, &text, e) < 0) {
		free(path);
		if (e)
			e->code = ERR_CONFIG;
		return -1;
	}
	free(path);
	addrbook_parse_aliases(text.data ? text.data : "", typed, v, n);
	buf_release(&text);
	return 0;
}

static int
run_command(const char *command, const char *typed, struct addrbook_entry **v,
	    size_t *n, struct err *e)
{
	struct buf cmd = BUF_INIT, out = BUF_INIT;
	char *quoted = addrbook_shell_quote(typed);
	const char *p;
	int pipefd[2], status = 0, devnull, rc = -1;
	pid_t pid;

	for (p = command; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			buf_adds(&cmd, quoted);
			p++;
		} else {
			buf_addc(&cmd, *p);
		}
	}
	free(quoted);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		err_set(e, ERR_IO, "address_command: cannot create a pipe: %s",
			strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		err_set(e, ERR_IO, "address_command: cannot start: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* Nothing it says may land on the screen. */
		devnull = open("/dev/null", O_RDWR);
		if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
		    dup2(devnull, STDERR_FILENO) < 0 ||
		    dup2(pipefd[1], STDOUT_FILENO) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd.data, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	if (fd_read_all(pipefd[0], ADDRBOOK_FILE_MAX, &out, NULL) < 0)
		err_set(e, ERR_IO, "address_command printed more than %u bytes",
			ADDRBOOK_FILE_MAX);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (e && e->code != ERR_NONE)
		goto out;
	/* NeoMutt's protocol: a failed query is one that found nothing. */
	if (WIFSIGNALED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 1)) {
		err_set(e, ERR_IO, "address_command failed (status %d)",
			WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
					      WEXITSTATUS(status));
		goto out;
	}
	addrbook_parse_query(out.data ? out.data : "", v, n);
	rc = 0;
out:
	buf_release(&cmd);
	buf_release(&out);
	return rc;
}

static void
read_store(struct certstore *cs, const char *typed, struct addrbook_entry **v,
	   size_t *n)
{
	struct certstore_binding *b = NULL;
	size_t nb = 0, i;

	if (certstore_list(cs, NULL, &b, &nb, NULL) < 0)
		return;
	for (i = 0; i < nb; i++)
		if (b[i].state != CERTSTORE_REVOKED && contains_nocase(b[i].address, typed))
			if (!add_entry(v, n, b[i].address, NULL, ADDRBOOK_STORE))
				break;
	certstore_bindings_free(&b, nb);
}

/* The senders of the account's cached folders. */
static void
read_seen(const struct addrbook_query *q, const char *typed, struct addrbook_entry **v,
	  size_t *n)
{
	char *any = imap_index_path(q->data_dir, q->account->name, "x");
	char *slash = strrchr(any, '/');
	struct dirent *d;
	DIR *dir;

	*slash = '\0';
	dir = opendir(any);
	while (dir && (d = readdir(dir)) != NULL) {
		struct imap_index idx = { 0 };
		struct buf text = BUF_INIT;
		char *path;
		size_t i;

		if (d->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", any, d->d_name);
		if (file_read(path, ADDRBOOK_FILE_MAX * 4, &text, NULL) == 0 &&
		    imap_index_parse(text.data ? text.data : "", text.len, &idx) == 0) {
			for (i = idx.n; i-- > 0;) {
				const struct imap_summary *m = &idx.msgs[i];
				char *name, *value;

				if (m->from_addr == NULL || strchr(m->from_addr, '@') == NULL)
					continue;
				name = m->from_name ? mime_header_decode(m->from_name) : NULL;
				if (contains_nocase(m->from_addr, typed) ||
				    contains_nocase(name, typed)) {
					value = name_addr(name, m->from_addr);
					add_entry(v, n, value, NULL, ADDRBOOK_SEEN);
					free(value);
				}
				free(name);
			}
		}
		imap_index_release(&idx);
		buf_release(&text);
		free(path);
	}
	if (dir)
		closedir(dir);
	free(any);
}

/* A trusted binding, valid and able to encrypt, for every address. */
static bool
encryptable(struct certstore *cs, const char *value)
{
	char **addrs = value_addresses(value);
	bool ok = addrs && addrs[0];
	size_t i;

	for (i = 0; ok && addrs[i]; i++) {
		struct certstore_choice c = { 0 };

		ok = certstore_choose(cs, addrs[i], time(NULL), &c, NULL) == 0 && c.found;
		certstore_choice_release(&c);
	}
	strv_free(addrs);
	return ok;
}

int
addrbook_find(const struct addrbook_query *q, const char *typed,
	      struct addrbook_entry **out, size_t *n, struct err *e)
{
	const struct account *a = q->account;
	struct certstore *cs = NULL;
	size_t i;

	*out = NULL;
	*n = 0;
	if (read_aliases(a, typed, out, n, e) < 0)
		goto fail;
	if (a && a->address_command && *typed &&
	    run_command(a->address_command, typed, out, n, e) < 0)
		goto fail;
	if (q->data_dir) {
		char *db = xasprintf("%s/certstore.db", q->data_dir);

		/* Completing does not create a store. */
		if (access(db, F_OK) != 0 ||
		    certstore_open(q->data_dir, q->gnupg_home, &cs, NULL) < 0)
			cs = NULL;
		free(db);
	}
	if (cs)
		read_store(cs, typed, out, n);
	if (a && q->data_dir)
		read_seen(q, typed, out, n);
	for (i = 0; cs && i < *n; i++)
		(*out)[i].can_encrypt = encryptable(cs, (*out)[i].value);
	certstore_close(&cs);
	return 0;
fail:
	addrbook_entries_free(out, *n);
	*n = 0;
	return -1;
}
