/*
 * mailcap.c — the viewer of a media type, from mailcap files (RFC 1524):
 * "type/subtype; view-command; flag; name=value...", '#' comments, a
 * backslash at the end of a line continuing it, "\;" a semicolon inside a
 * field.  The person's files are trusted as their own shell; what a
 * message says (its type, its parameters) never reaches the shell as text
 * beyond a plain media type.
 */
#include "ui/ui_p.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

/* The fields of one entry: type, command, then flags, each trimmed. */
#define MAX_FIELDS 16

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* Splits an entry at unescaped ';' (in place); returns how many fields. */
static size_t
split_fields(char *line, char *fields[MAX_FIELDS])
{
	size_t n = 0;
	char *p = line, *w = line, *start = line;

	while (*p && n < MAX_FIELDS) {
		if (p[0] == '\\' && p[1] != '\0') {
			/* "\;" is a semicolon; other escapes stay for the shell. */
			if (p[1] != ';')
				*w++ = *p;
			*w++ = p[1];
			p += 2;
			continue;
		}
		if (*p == ';') {
			*w = '\0';
			fields[n++] = trim(start);
			start = w = ++p;
			continue;
		}
		*w++ = *p++;
	}
	*w = '\0';
	if (n < MAX_FIELDS)
		fields[n++] = trim(start);
	return n;
}

/* Whether the entry's type (its case aside; "x/ *" and "x" match any x/y) fits. */
static bool
type_fits(const char *pattern, const char *type)
{
	const char *slash = strchr(pattern, '/');
	size_t major = slash ? (size_t)(slash - pattern) : strlen(pattern);

	if (slash == NULL || strcmp(slash + 1, "*") == 0)
		return strncasecmp(pattern, type, major) == 0 && type[major] == '/';
	return strcasecmp(pattern, type) == 0;
}

/* A media type that may go into a command: letters, digits, "/.+-". */
static bool
plain_type(const char *type)
{
	const char *p;

	for (p = type; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("/.+-", *p)))
			return false;
	return *type != '\0';
}

/* The command with %s, %t, %{...} and %% replaced; *has_file when %s was there. */
static char *
expand(const char *cmd, const char *type, const char *file, bool *has_file)
{
	struct buf b = BUF_INIT;
	const char *p;

	*has_file = false;
	buf_adds(&b, "");
	for (p = cmd; *p; p++) {
		if (*p != '%') {
			buf_addc(&b, *p);
			continue;
		}
		switch (p[1]) {
		case 's':
			buf_adds(&b, file);
			*has_file = true;
			p++;
			break;
		case 't':
			if (plain_type(type))
				buf_adds(&b, type);
			p++;
			break;
		case '{': {
			const char *close = strchr(p, '}');

			p = close ? close : p + strlen(p) - 1;
			break;
		}
		case '%':
			buf_addc(&b, '%');
			p++;
			break;
		default:
			buf_addc(&b, '%');
		}
	}
	return buf_detach(&b, NULL);
}

/* Runs a test= command; true when it exits 0. */
static bool
test_passes(const char *test, const char *type, const char *file)
{
	bool unused;
	char *cmd = expand(test, type, file, &unused);
	int st = system(cmd);

	free(cmd);
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Looks through one file's entries; the view command found, or NULL. */
static char *
find_in(const char *text, const char *type, const char *file, bool *stdin_data,
	bool *needs_terminal, bool *copious)
{
	struct buf entry = BUF_INIT;
	const char *p = text, *nl;
	char *fields[MAX_FIELDS], *found = NULL;
	size_t n, i;

	while (*p && found == NULL) {
		buf_reset(&entry);
		buf_adds(&entry, "");
		/* One entry: lines joined while they end in a backslash. */
		for (;;) {
			size_t len;

			nl = strchr(p, '\n');
			len = nl ? (size_t)(nl - p) : strlen(p);
			if (len > 0 && p[len - 1] == '\r')
				len--;
			if (len > 0 && p[len - 1] == '\\') {
				buf_add(&entry, p, len - 1);
				p = nl ? nl + 1 : p + len;
				if (*p == '\0')
					break;
				continue;
			}
			buf_add(&entry, p, len);
			p = nl ? nl + 1 : p + len;
			break;
		}
		if (entry.data[0] == '#' || trim(entry.data)[0] == '\0')
			continue;
		n = split_fields(entry.data, fields);
		if (n < 2 || !type_fits(fields[0], type) || fields[1][0] == '\0')
			continue;
		*needs_terminal = *copious = false;
		for (i = 2; i < n; i++) {
			if (strcasecmp(fields[i], "needsterminal") == 0)
				*needs_terminal = true;
			else if (strcasecmp(fields[i], "copiousoutput") == 0)
				*copious = true;
			else if (strncasecmp(fields[i], "test", 4) == 0 &&
				 *trim(fields[i] + 4) == '=' &&
				 !test_passes(trim(trim(fields[i] + 4) + 1), type, file))
				break;
		}
		if (i < n)
			continue;	/* its test failed */
		found = expand(fields[1], type, file, stdin_data);
		*stdin_data = !*stdin_data;
	}
	buf_release(&entry);
	return found;
}

char *
ui_mailcap_find(const char *const *files, const char *type, const char *file,
		bool *stdin_data, bool *needs_terminal, bool *copious)
{
	struct buf text = BUF_INIT;
	struct err e = { 0 };
	char *found = NULL;
	size_t i;

	for (i = 0; files && files[i] && found == NULL; i++) {
		buf_reset(&text);
		if (file_read(files[i], 1024 * 1024, &text, &e) < 0)
			continue;
		buf_adds(&text, "");
		found = find_in(text.data, type, file, stdin_data, needs_terminal, copious);
	}
	buf_release(&text);
	return found;
}
