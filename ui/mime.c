/*
 * mime.c — Content-Type and Content-Disposition values as the screens ask
 * for them (one parameter, the media type), read by crypto's parser.
 */
#include "ui/ui_p.h"

#include <stdlib.h>
#include <string.h>

/* A parameter of a parsed value, owned; NULL when absent. */
static char *
param_of(struct mime_ctype *ct, const char *param)
{
	struct buf name = BUF_INIT;
	const char *v;

	buf_adds(&name, param);
	str_lower_ascii(name.data);
	v = mime_ctype_param(ct, name.data);
	buf_release(&name);
	return v ? xstrdup(v) : NULL;
}

char *
ui_ctype_param(const char *value, const char *param)
{
	struct mime_ctype ct;
	char *r;

	/* As for the verdict: a Content-Type that cannot be read is the default. */
	if (mime_ctype_parse(value, &ct, NULL) < 0)
		mime_ctype_parse(NULL, &ct, NULL);
	r = param_of(&ct, param);
	mime_ctype_release(&ct);
	return r;
}

char *
ui_disposition_param(const char *value, const char *param)
{
	struct mime_ctype d;
	char *r;

	if (value == NULL || mime_disposition_parse(value, &d) < 0)
		return NULL;
	r = param_of(&d, param);
	mime_ctype_release(&d);
	return r;
}

char *
ui_content_type(const char *value)
{
	struct mime_ctype ct;
	char *r;

	if (mime_ctype_parse(value, &ct, NULL) < 0)
		return xstrdup("text/plain");
	r = xasprintf("%s/%s", ct.type, ct.subtype);
	mime_ctype_release(&ct);
	return r;
}
