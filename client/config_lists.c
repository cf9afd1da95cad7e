/*
 * config_lists.c — the configuration's values that are more than a word:
 * the server URLs (imap, smtp), the lists (the host names of an account's
 * receiving servers, authserv_id; the correspondents who sign only
 * sometimes, policy signs_sometimes, and the look-up in it) and the pace
 * of a batch send (send_rate).
 */
#include "client/config.h"

#include <errno.h>
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

int
config_rate_parse(const char *value, unsigned *interval_ms, struct err *e)
{
	static const struct { const char *unit; unsigned long ms; } units[] = {
		{ "s", 1000 }, { "sec", 1000 }, { "min", 60000 }, { "hour", 3600000 },
	};
	unsigned long n;
	char *stop;
	size_t i;

	errno = 0;
	n = strtoul(value, &stop, 10);
	if (*value >= '0' && *value <= '9' && errno == 0 && n >= 1 && n <= 100000 &&
	    *stop == '/')
		for (i = 0; i < sizeof units / sizeof units[0]; i++)
			if (strcmp(stop + 1, units[i].unit) == 0) {
				*interval_ms = (unsigned)(units[i].ms / n);
				return 0;
			}
	return err_set(e, ERR_USAGE, "send_rate must be a number of messages per "
		       "s, min or hour, such as 60/min, not '%s'", value);
}

static char *
percent_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    s[i + 1] && strchr("0123456789abcdefABCDEF", s[i + 1]) &&
		    s[i + 2] && strchr("0123456789abcdefABCDEF", s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };

			*o++ = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

int
server_url_parse(const char *text, bool smtp, struct server_url *out,
		 struct err *e)
{
	static const struct {
		const char *scheme;
		bool smtp;
		enum url_security sec;
		unsigned port;
	} schemes[] = {
		{ "imaps", false, URL_TLS, 993 },
		{ "imap", false, URL_STARTTLS, 143 },
		{ "smtps", true, URL_TLS, 465 },
		{ "submissions", true, URL_TLS, 465 },
		{ "submission", true, URL_STARTTLS, 587 },
	};
	const char *sep, *auth, *host, *at, *end, *colon;
	size_t i, slen;

	memset(out, 0, sizeof *out);
	sep = strstr(text, "://");
	if (sep == NULL)
		return err_set(e, ERR_CONFIG, "'%s' is not a URL (expected %s)",
			       text, smtp ? "smtps://user@host or submission://user@host"
				     : "imaps://user@host or imap://user@host");
	slen = (size_t)(sep - text);
	for (i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (strlen(schemes[i].scheme) == slen &&
		    strncmp(text, schemes[i].scheme, slen) == 0)
			break;
	if (i == sizeof schemes / sizeof schemes[0] || schemes[i].smtp != smtp) {
		if (smtp && slen == 4 && strncmp(text, "smtp", 4) == 0)
			return err_set(e, ERR_CONFIG, "'%s': smtp:// is ambiguous; use "
				       "smtps:// (implicit TLS, port 465) or "
				       "submission:// (STARTTLS, port 587)", text);
		return err_set(e, ERR_CONFIG, "'%s': unsupported scheme '%.*s' (use %s)",
			       text, (int)slen, text,
			       smtp ? "smtps:// or submission://" : "imaps:// or imap://");
	}
	auth = sep + 3;
	end = auth + strcspn(auth, "/?#");
	if (*end == '/' && end[1] != '\0')
		return err_set(e, ERR_CONFIG, "'%s': a path is not allowed here", text);
	if (*end == '?' || *end == '#')
		return err_set(e, ERR_CONFIG, "'%s': a query is not allowed here", text);
	/* The user part ends at the last '@' before the host. */
	at = NULL;
	for (host = auth; host < end; host++)
		if (*host == '@')
			at = host;
	host = at ? at + 1 : auth;
	if (at) {
		if (memchr(auth, ':', (size_t)(at - auth)))
			return err_set(e, ERR_CONFIG, "'%s': passwords do not belong in the "
				       "URL; use the Secret Service ('cachet passwd') or "
				       "password_command", text);
		if (at == auth)
			return err_set(e, ERR_CONFIG, "'%s': empty user name", text);
		out->user = percent_decode(auth, (size_t)(at - auth));
	}
	if (*host == '[') {
		const char *close = memchr(host, ']', (size_t)(end - host));

		if (close == NULL)
			goto bad_host;
		out->host = xstrndup(host + 1, (size_t)(close - host - 1));
		colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
		if (close + 1 < end && colon == NULL)
			goto bad_host;
	} else {
		colon = memchr(host, ':', (size_t)(end - host));
		out->host = xstrndup(host, (size_t)((colon ? colon : end) - host));
	}
	if (out->host[0] == '\0')
		goto bad_host;
	out->port = schemes[i].port;
	if (colon) {
		char *stop;
		unsigned long port;

		errno = 0;
		port = strtoul(colon + 1, &stop, 10);
		if (stop != end || colon + 1 == end || port == 0 || port > 65535 || errno)
			return err_set(e, ERR_CONFIG, "'%s': bad port", text);
		out->port = (unsigned)port;
	}
	out->scheme = xstrdup(schemes[i].scheme);
	out->security = schemes[i].sec;
	return 0;
bad_host:
	server_url_release(out);
	return err_set(e, ERR_CONFIG, "'%s': bad host name", text);
}
