/* config_url.c — the server addresses of an account: imaps://, smtps://
 * and submission URLs, with an optional user name and port. */
#include "client/config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
