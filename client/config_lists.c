/*
 * config_lists.c — the configuration's list values: the host names of an
 * account's receiving servers (authserv_id) and the correspondents who
 * sign only sometimes (policy signs_sometimes), and the look-up in the
 * latter.
 */
#include "client/config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool
host_name(const char *s)
{
	const char *p;

	if (*s == '\0' || *s == '.' || *s == '-')
		return false;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '-'))
			return false;
	return strstr(s, "..") == NULL;
}

static bool
address_or_domain(const char *s)
{
	const char *at = strrchr(s, '@');

	if (at == NULL)
		return host_name(s);
	if (at == s || strchr(s, '@') != at)
		return false;
	return strpbrk(s, " \t<>,;\"()") == NULL && host_name(at + 1);
}

int
config_list_parse(const char *value, bool addresses, char ***v, size_t *n,
		  struct err *e)
{
	const char *p = value;
	size_t first = *n;

	while (*p) {
		size_t len = strcspn(p, " \t,");
		char *w, *at;

		if (len == 0) {
			p++;
			continue;
		}
		w = xstrndup(p, len);
		p += len;
		/* Host names and domains are compared without case. */
		at = addresses ? strrchr(w, '@') : NULL;
		str_lower_ascii(at ? at : w);
		if (!(addresses ? address_or_domain(w) : host_name(w))) {
			err_set(e, ERR_CONFIG, "'%s' is not %s", w, addresses ?
				"a mail address or a domain" : "a host name");
			free(w);
			while (*n > first)
				free((*v)[--*n]);
			return -1;
		}
		*v = xrealloc(*v, (*n + 2) * sizeof(**v));
		(*v)[(*n)++] = w;
		(*v)[*n] = NULL;
	}
	if (*n == first)
		return err_set(e, ERR_CONFIG, "the list is empty");
	return 0;
}

void
config_list_free(char ***v, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

bool
config_signs_sometimes(const struct config *cfg, const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	size_t i;

	if (at == NULL)
		return false;
	for (i = 0; i < cfg->n_signs_sometimes; i++) {
		const char *w = cfg->signs_sometimes[i];

		if (strchr(w, '@') ? strcasecmp(w, addr) == 0
				   : strcasecmp(w, at + 1) == 0)
			return true;
	}
	return false;
}
