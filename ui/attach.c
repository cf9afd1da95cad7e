/*
 * attach.c — attachments of a draft: the media type of a file, guessed
 * from its name and its first bytes, and the multipart/mixed message the
 * draft becomes when it has any.
 */
#include "ui/ui_p.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct {
	const char *ext;
	const char *type;
} extensions[] = {
	{ "txt", "text/plain" }, { "text", "text/plain" }, { "md", "text/plain" },
	{ "log", "text/plain" }, { "csv", "text/csv" }, { "html", "text/html" },
	{ "htm", "text/html" }, { "xml", "text/xml" }, { "ics", "text/calendar" },
	{ "vcf", "text/vcard" }, { "pem", "application/x-pem-file" },
	{ "json", "application/json" }, { "pdf", "application/pdf" },
	{ "png", "image/png" }, { "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
	{ "gif", "image/gif" }, { "svg", "image/svg+xml" },
	{ "zip", "application/zip" }, { "gz", "application/gzip" },
	{ "tar", "application/x-tar" }, { "eml", "message/rfc822" },
	{ "odt", "application/vnd.oasis.opendocument.text" },
	{ "ods", "application/vnd.oasis.opendocument.spreadsheet" },
	{ "docx", "application/vnd.openxmlformats-officedocument."
		  "wordprocessingml.document" },
	{ "xlsx", "application/vnd.openxmlformats-officedocument."
		  "spreadsheetml.sheet" },
	{ "p7m", "application/pkcs7-mime" }, { "p7s", "application/pkcs7-signature" },
	{ "cer", "application/pkix-cert" }, { "crt", "application/x-x509-ca-cert" },
};

static const struct {
	const char *magic;
	size_t len;
	const char *type;
} magics[] = {
	{ "%PDF-", 5, "application/pdf" },
	{ "\x89PNG\r\n\x1a\n", 8, "image/png" },
	{ "\xff\xd8\xff", 3, "image/jpeg" },
	{ "GIF87a", 6, "image/gif" },
	{ "GIF89a", 6, "image/gif" },
	{ "PK\x03\x04", 4, "application/zip" },
	{ "\x1f\x8b", 2, "application/gzip" },
};

/* Looks like text: valid UTF-8, no NUL, no control characters but layout. */
bool
ui_data_is_text(const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0, k;
	uint32_t cp;

	while (i < len) {
		unsigned char c = p[i];

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
			     c != '\f') || c == 0x7f)
				return false;
			i++;
			continue;
		}
		k = utf8_decode(p + i, len - i, &cp);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

const char *
ui_media_type_guess(const char *name, const char *data, size_t len)
{
	const char *base = name ? strrchr(name, '/') : NULL, *dot;
	const char *by_name = NULL;
	bool text;
	size_t i;

	base = base ? base + 1 : name;
	dot = base ? strrchr(base, '.') : NULL;
	if (dot && dot != base)
		for (i = 0; i < sizeof extensions / sizeof extensions[0]; i++)
			if (str_casecmp_ascii(dot + 1, extensions[i].ext) == 0)
				by_name = extensions[i].type;
	/* The content's own signature wins over a name that says otherwise. */
	for (i = 0; i < sizeof magics / sizeof magics[0]; i++)
		if (len >= magics[i].len && memcmp(data, magics[i].magic, magics[i].len) == 0) {
			/* Office documents are zip files. */
			if (by_name && strcmp(magics[i].type, "application/zip") == 0 &&
			    strstr(by_name, "vnd."))
				return by_name;
			return magics[i].type;
		}
	text = ui_data_is_text(data, len);
	if (by_name) {
		/* A name that says text does not make binary bytes text. */
		if ((strncmp(by_name, "text/", 5) == 0 || strcmp(by_name, "message/rfc822") == 0 ||
		     strcmp(by_name, "application/json") == 0 ||
		     strcmp(by_name, "application/x-pem-file") == 0) && !text)
			return "application/octet-stream";
		return by_name;
	}
	return text ? "text/plain" : "application/octet-stream";
}

void
ui_draft_attach(struct ui_draft *d, const char *name, const char *type,
		const char *data, size_t len)
{
	struct ui_draft_part *p;
	const char *base = strrchr(name, '/');

	d->parts = xrealloc(d->parts, (d->n_parts + 1) * sizeof(*d->parts));
	p = &d->parts[d->n_parts++];
	p->name = xstrdup(base && base[1] ? base + 1 : name);
	p->type = xstrdup(type);
	p->data = xmalloc(len + 1);
	memcpy(p->data, data, len);
	p->data[len] = '\0';
	p->len = len;
}

void
ui_draft_detach(struct ui_draft *d, size_t i)
{
	if (i >= d->n_parts)
		return;
	free(d->parts[i].name);
	free(d->parts[i].type);
	free(d->parts[i].data);
	memmove(d->parts + i, d->parts + i + 1,
		(d->n_parts - i - 1) * sizeof(*d->parts));
	d->n_parts--;
}

void
ui_draft_parts_release(struct ui_draft *d)
{
	while (d->n_parts)
		ui_draft_detach(d, d->n_parts - 1);
	free(d->parts);
	d->parts = NULL;
}

/* A parameter value: quoted when ASCII, RFC 2231 (UTF-8, %XX) otherwise. */
static void
add_param(struct buf *out, const char *param, const char *value)
{
	const unsigned char *p;
	bool plain = true;

	for (p = (const unsigned char *)value; *p; p++)
		if (*p >= 0x80 || *p < 0x20 || *p == '"' || *p == '\\')
			plain = false;
	if (plain) {
		buf_addf(out, "; %s=\"%s\"", param, value);
		return;
	}
	buf_addf(out, ";\n %s*=utf-8''", param);
	for (p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			buf_addc(out, (char)*p);
		else
			buf_addf(out, "%%%02X", *p);
	}
}

/*
 * A message fit to travel as message/rfc822 without re-encoding: no NUL,
 * no line longer than 998 bytes.  *eight is set when it has 8-bit bytes.
 */
static bool
message_part_ok(const char *data, size_t len, bool *eight)
{
	size_t i, col = 0;

	*eight = false;
	for (i = 0; i < len; i++) {
		if (data[i] == '\0')
			return false;
		if ((unsigned char)data[i] >= 0x80)
			*eight = true;
		if (data[i] == '\n')
			col = 0;
		else if (++col > 998)
			return false;
	}
	return true;
}

/* A boundary that none of the draft's text parts contains. */
static char *
make_boundary(const struct ui_draft *d)
{
	static unsigned counter;
	char *b;
	size_t i;
	bool clash;

	do {
		b = xasprintf("=_cachet_%lx_%x_%x", (unsigned long)time(NULL),
			      (unsigned)getpid(), ++counter);
		clash = d->body && strstr(d->body, b);
		for (i = 0; i < d->n_parts && !clash; i++)
			clash = memmem(d->parts[i].data, d->parts[i].len, b, strlen(b)) != NULL;
		if (clash)
			free(b);
	} while (clash);
	return b;
}

void
ui_draft_body_parts(const struct ui_draft *d, struct buf *out)
{
	char *boundary;
	size_t i, n;

	if (d->n_parts == 0) {
		buf_adds(out, "Content-Type: text/plain; charset=utf-8\n"
			 "Content-Transfer-Encoding: 8bit\n\n");
		buf_adds(out, d->body ? d->body : "");
		n = d->body ? strlen(d->body) : 0;
		if (n == 0 || d->body[n - 1] != '\n')
			buf_addc(out, '\n');
		return;
	}
	boundary = make_boundary(d);
	buf_addf(out, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n", boundary);
	buf_adds(out, "This is a message in MIME format.\n");
	buf_addf(out, "\n--%s\n", boundary);
	buf_adds(out, "Content-Type: text/plain; charset=utf-8\n"
		 "Content-Transfer-Encoding: 8bit\n\n");
	buf_adds(out, d->body ? d->body : "");
	n = d->body ? strlen(d->body) : 0;
	if (n > 0 && d->body[n - 1] != '\n')
		buf_addc(out, '\n');
	for (i = 0; i < d->n_parts; i++) {
		const struct ui_draft_part *p = &d->parts[i];
		bool eight;

		buf_addf(out, "\n--%s\n", boundary);
		if (strcmp(p->type, "message/rfc822") == 0 &&
		    message_part_ok(p->data, p->len, &eight)) {
			/* A message travels as it is: its signature stays whole. */
			buf_adds(out, "Content-Type: message/rfc822");
			add_param(out, "name", p->name);
			buf_adds(out, "\nContent-Disposition: attachment");
			add_param(out, "filename", p->name);
			buf_addf(out, "\nContent-Transfer-Encoding: %s\n\n",
				 eight ? "8bit" : "7bit");
			buf_add(out, p->data, p->len);
			if (p->len == 0 || p->data[p->len - 1] != '\n')
				buf_addc(out, '\n');
			continue;
		}
		buf_addf(out, "Content-Type: %s", strcmp(p->type, "message/rfc822") == 0 ?
			 "application/octet-stream" : p->type);
		add_param(out, "name", p->name);
		buf_adds(out, "\nContent-Disposition: attachment");
		add_param(out, "filename", p->name);
		buf_adds(out, "\nContent-Transfer-Encoding: base64\n\n");
		codec_base64_encode(p->data, p->len, "\n", out);
	}
	buf_addf(out, "\n--%s--\n", boundary);
	free(boundary);
}
