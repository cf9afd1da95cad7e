/* err.c — the shared error type. */
#include "base/base.h"

#include <stdio.h>
#include <string.h>

int
err_setv(struct err *e, enum err_code code, const char *fmt, va_list ap)
{
	if (e == NULL)
		return -1;
	e->code = code;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	return -1;
}

int
err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_setv(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
	char head[ERR_MSG_MAX], old[ERR_MSG_MAX];
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	/* Truncation of an over-long message is acceptable. */
	if (snprintf(e->msg, sizeof e->msg, "%s: %s", head, old) < 0)
		e->msg[0] = '\0';
	return -1;
}

int
err_name(struct err *e, const char *name)
{
	if (e == NULL)
		return -1;
	if (strstr(e->msg, name) != NULL)
		return -1;
	return err_prefix(e, "%s", name);
}

void
err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->code = ERR_NONE;
	e->msg[0] = '\0';
}

int
err_exit_status(enum err_code code)
{
	switch (code) {
	case ERR_NONE:
		return 0;
	case ERR_NOCERT:
	case ERR_POLICY:
		return 1;
	case ERR_USAGE:
	case ERR_CONFIG:
	case ERR_NOTFOUND:
		return 2;
	case ERR_INPUT:
	case ERR_IO:
		return 3;
	case ERR_CRYPTO:
	case ERR_UNSUPPORTED:
	case ERR_STORE:
		return 4;
	case ERR_NETWORK:
	case ERR_TLS:
	case ERR_AUTH:
	case ERR_PROTOCOL:
		return 5;
	}
	return 4;
}

const char *
err_code_name(enum err_code code)
{
	static const char *const names[] = {
		[ERR_NONE] = "none", [ERR_USAGE] = "usage",
		[ERR_CONFIG] = "config", [ERR_INPUT] = "input",
		[ERR_IO] = "io", [ERR_CRYPTO] = "crypto",
		[ERR_UNSUPPORTED] = "unsupported", [ERR_NETWORK] = "network",
		[ERR_TLS] = "tls", [ERR_AUTH] = "auth",
		[ERR_PROTOCOL] = "protocol", [ERR_NOCERT] = "nocert",
		[ERR_POLICY] = "policy", [ERR_STORE] = "store",
		[ERR_NOTFOUND] = "not-found",
	};

	if ((size_t)code < sizeof names / sizeof names[0] && names[code])
		return names[code];
	return "unknown";
}
