/*
 * pager.c — a message turned into the pager's lines: banner, headers,
 * attachments, decoded text.  Only the top crypto layer is ever opened
 * (the caller passes its decrypted content); encrypted parts further down
 * are listed, never decrypted, and nothing is fetched from the network.
 */
#include "ui/ui_p.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16

struct lines {
	struct ui_line *v;
	size_t n;
};

static void
lines_add(struct lines *l, enum ui_line_kind kind, char *text)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n].kind = kind;
	l->v[l->n].text = text;
	l->n++;
}

/* Adds UTF-8 text (already safe) split at line breaks. */
static void
lines_add_text(struct lines *l, const char *text, int quote_aware)
{
	const char *p = text, *nl;
	enum ui_line_kind kind;

	while (*p) {
		nl = strchr(p, '\n');
		kind = quote_aware && *p == '>' ? UI_LINE_QUOTE : UI_LINE_BODY;
		if (nl == NULL) {
			lines_add(l, kind, xstrdup(p));
			break;
		}
		lines_add(l, kind, xstrndup(p, (size_t)(nl - p)));
		p = nl + 1;
	}
}

struct walk {
	struct lines body;
	struct ui_attachment *atts;
	size_t n_atts;
};

static void
add_attachment(struct walk *w, const char *name, const char *type,
	       const char *cte, const char *data, size_t len)
{
	struct ui_attachment *a;
	struct buf dec = BUF_INIT;

	w->atts = xrealloc(w->atts, (w->n_atts + 1) * sizeof(*w->atts));
	a = &w->atts[w->n_atts++];
	a->name = name ? xstrdup(name) : NULL;
	a->type = xstrdup(type);
	a->encoding = xstrdup(cte ? cte : "7bit");
	str_lower_ascii(a->encoding);
	a->data = xmalloc(len + 1);
	memcpy(a->data, data, len);
	a->data[len] = '\0';
	a->len = len;
	ui_attachment_decode(a, &dec);
	a->decoded_size = dec.len;
	buf_release(&dec);
}

/* The decoded text of a part, as safe UTF-8. */
static char *
part_text(const char *charset, const char *cte, const char *body, size_t len)
{
	struct buf raw = BUF_INIT, out = BUF_INIT;

	mime_transfer_decode_lenient(&raw, cte, body, len);
	buf_adds(&out, "");
	utf8_from_charset(&out, charset, raw.data, raw.len);
	buf_release(&raw);
	return buf_detach(&out, NULL);
}

/*
 * The tree is walked with crypto's parser (smime.h), entity by entity and
 * part by part exactly as the verdict walks it, so the part shown as the
 * signed one is the part whose signature the banner reports.
 */
static void walk_entity(struct walk *w, const char *ent, size_t len, int depth,
			int top);

static bool
is_pkcs7_mime(const struct mime_ctype *ct)
{
	return mime_ctype_is(ct, "application", "pkcs7-mime") ||
	       mime_ctype_is(ct, "application", "x-pkcs7-mime");
}

static bool
is_text_plain(const struct mime_range *part)
{
	struct mime_entity m;
	struct mime_ctype ct;
	bool plain;

	mime_entity_parse(part->p, part->n, false, &m, NULL);
	mime_entity_ctype(&m, &ct);
	plain = mime_ctype_is(&ct, "text", "plain");
	mime_ctype_release(&ct);
	return plain;
}

static void
walk_multipart(struct walk *w, const struct mime_ctype *ct, const char *body,
	       size_t len, int depth)
{
	const char *boundary = mime_ctype_param(ct, "boundary");
	struct mime_range *parts = NULL;
	size_t np = 0, i, pick;
	bool closed;

	if (boundary == NULL ||
	    mime_multipart_split(body, len, boundary, &parts, &np, &closed, NULL) < 0) {
		char *t;

		lines_add(&w->body, UI_LINE_NOTE, xstrdup(np ?
			  "[more parts than cachet reads: not shown]" :
			  "[multipart without its boundary: shown as it is]"));
		if (np == 0) {
			t = part_text(NULL, NULL, body, len);
			lines_add_text(&w->body, t, 0);
			free(t);
		}
		free(parts);
		return;
	}
	if (mime_ctype_is(ct, "multipart", "alternative") && np > 0) {
		/* Plain text when there is one; otherwise the richest. */
		for (pick = 0; pick < np && !is_text_plain(&parts[pick]); pick++)
			;
		if (pick == np)
			pick = np - 1;
		walk_entity(w, parts[pick].p, parts[pick].n, depth + 1, 0);
	} else if (mime_ctype_is(ct, "multipart", "signed") && np > 0) {
		/* The content; the signature part is the banner's business. */
		walk_entity(w, parts[0].p, parts[0].n, depth + 1, 0);
		for (i = 2; i < np; i++)
			walk_entity(w, parts[i].p, parts[i].n, depth + 1, 0);
	} else {
		for (i = 0; i < np; i++)
			walk_entity(w, parts[i].p, parts[i].n, depth + 1, 0);
	}
	free(parts);
}

static void
walk_entity(struct walk *w, const char *ent, size_t len, int depth, int top)
{
	struct mime_entity m;
	struct mime_ctype ct, disp = { 0 };
	const char *body, *charset, *raw_name = NULL;
	char *cte, *cdv, *type, *name = NULL, *text;
	bool attachment = false;
	size_t blen;

	mime_entity_parse(ent, len, false, &m, NULL);
	body = m.body.p;
	blen = m.body.n;
	mime_entity_ctype(&m, &ct);
	type = xasprintf("%s/%s", ct.type, ct.subtype);
	charset = mime_ctype_param(&ct, "charset");
	cte = mime_header_get(&m, "Content-Transfer-Encoding", 0);
	cdv = mime_header_get(&m, "Content-Disposition", 0);
	if (cte)
		str_lower_ascii(cte);
	if (cdv && mime_disposition_parse(cdv, &disp) == 0) {
		attachment = strcmp(disp.type, "attachment") == 0;
		raw_name = mime_ctype_param(&disp, "filename");
	}
	if (raw_name == NULL)
		raw_name = mime_ctype_param(&ct, "name");
	if (raw_name)
		name = mime_header_decode(raw_name);

	if (depth > MAX_DEPTH) {
		lines_add(&w->body, UI_LINE_NOTE,
			  xstrdup("[parts nested too deeply: not shown]"));
	} else if (mime_ctype_is(&ct, "multipart", NULL)) {
		walk_multipart(w, &ct, body, blen, depth);
	} else if (is_pkcs7_mime(&ct)) {
		const char *st = mime_ctype_param(&ct, "smime-type");
		int signed_data = st && str_casecmp_ascii(st, "signed-data") == 0;

		if (top && signed_data)
			lines_add(&w->body, UI_LINE_NOTE,
				  xstrdup("[The text of this message is inside its "
					  "signature and could not be extracted]"));
		else if (top)
			lines_add(&w->body, UI_LINE_NOTE,
				  xstrdup("[This message is encrypted and was not "
					  "decrypted]"));
		else
			lines_add(&w->body, UI_LINE_NOTE,
				  xstrdup("[An encrypted part inside the message: not "
					  "opened, only the top layer is decrypted]"));
		add_attachment(w, name ? name : "smime.p7m", type, cte, body, blen);
	} else if (!attachment && mime_ctype_is(&ct, "text", "plain")) {
		text = part_text(charset, cte, body, blen);
		lines_add_text(&w->body, text, 1);
		free(text);
	} else if (!attachment && mime_ctype_is(&ct, "text", "html")) {
		struct buf plain = BUF_INIT, safe = BUF_INIT;

		text = part_text(charset, cte, body, blen);
		ui_html_to_text(&plain, text, strlen(text));
		buf_adds(&safe, "");
		utf8_from_charset(&safe, NULL, plain.data ? plain.data : "", plain.len);
		lines_add(&w->body, UI_LINE_NOTE,
			  xstrdup("[HTML shown as text; nothing was loaded]"));
		lines_add_text(&w->body, safe.data, 1);
		buf_release(&plain);
		buf_release(&safe);
		free(text);
	} else if (!attachment && mime_ctype_is(&ct, "message", "rfc822")) {
		static const char *const fields[] = { "From", "Date", "Subject" };
		struct mime_entity inner;
		size_t i;

		mime_entity_parse(body, blen, false, &inner, NULL);
		lines_add(&w->body, UI_LINE_NOTE, xstrdup("----- Attached message -----"));
		for (i = 0; i < 3; i++) {
			char *v = mime_header_get(&inner, fields[i], 0), *d;

			if (v == NULL)
				continue;
			d = mime_header_decode(v);
			lines_add(&w->body, UI_LINE_HEADER, xasprintf("%s: %s", fields[i], d));
			free(v);
			free(d);
		}
		walk_entity(w, body, blen, depth + 1, 0);
		lines_add(&w->body, UI_LINE_NOTE, xstrdup("----- End of attached message -----"));
	} else if (mime_ctype_is(&ct, "application", "pkcs7-signature") ||
		   mime_ctype_is(&ct, "application", "x-pkcs7-signature")) {
		/* A signature outside multipart/signed: listed, not trusted. */
		add_attachment(w, name ? name : "smime.p7s", type, cte, body, blen);
	} else {
		add_attachment(w, name, type, cte, body, blen);
	}
	mime_ctype_release(&disp);
	mime_ctype_release(&ct);
	free(cte);
	free(cdv);
	free(type);
	free(name);
}

void
ui_doc_build(struct ui_doc *doc, const char *msg, size_t len,
	     const struct smime_verdict *v, const char *inner, size_t inner_len)
{
	static const char *const fields[] = {
		"From", "To", "Cc", "Reply-To", "Date", "Subject"
	};
	bool protected = v && v->hp != SMIME_HP_NONE;
	struct lines all = { 0 };
	struct walk w = { 0 };
	struct ui_banner banner;
	size_t hlen = mime_header_end(msg, len), i;
	char *reply_to = mime_header_first(msg, hlen, "Reply-To");

	ui_banner_build(v, &banner);
	ui_banner_add_unprotected(&banner, v, reply_to);
	free(reply_to);
	for (i = 0; i < banner.n; i++) {
		enum ui_line_kind k = banner.lines[i].tone == UI_TONE_GOOD ?
			UI_LINE_BANNER_GOOD : banner.lines[i].tone == UI_TONE_BAD ?
			UI_LINE_BANNER_BAD : UI_LINE_BANNER_INFO;

		lines_add(&all, k, banner.lines[i].text);
		banner.lines[i].text = NULL;
	}
	ui_banner_release(&banner);

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		/* Protected values replace the outer ones (RFC 9788): a field
		 * only outside is not shown, the banner names it.  An outer
		 * From is shown whole, every address of every From field. */
		const char *pv = protected ? smime_protected_header(v, fields[i]) : NULL;
		bool from = strcmp(fields[i], "From") == 0;
		char *val = protected ? (pv ? xstrdup(pv) : NULL)
			    : from ? mime_header_joined(msg, hlen, "From")
				   : mime_header_first(msg, hlen, fields[i]), *d;

		if (val == NULL)
			continue;
		/* From as crypto reads it: the address the banner speaks of. */
		d = from ? mime_from_display(val, MIME_FROM_FULL) : mime_header_decode(val);
		lines_add(&all, UI_LINE_HEADER, xasprintf("%s: %s", fields[i], d));
		free(val);
		free(d);
	}

	if (inner)
		walk_entity(&w, inner, inner_len, 0, 1);
	else
		walk_entity(&w, msg, len, 0, 1);

	for (i = 0; i < w.n_atts; i++) {
		struct buf sz = BUF_INIT;

		buf_adds(&sz, "");
		ui_size_short(&sz, w.atts[i].decoded_size);
		lines_add(&all, UI_LINE_ATTACHMENT,
			  xasprintf("[%zu] %s (%s, %s)", i + 1,
				    w.atts[i].name ? w.atts[i].name : "unnamed",
				    w.atts[i].type, sz.data));
		buf_release(&sz);
	}
	lines_add(&all, UI_LINE_BODY, xstrdup(""));
	/* Trailing blank lines of the body say nothing. */
	while (w.body.n > 0 && w.body.v[w.body.n - 1].kind == UI_LINE_BODY &&
	       w.body.v[w.body.n - 1].text[0] == '\0')
		free(w.body.v[--w.body.n].text);
	for (i = 0; i < w.body.n; i++)
		lines_add(&all, w.body.v[i].kind, w.body.v[i].text);
	free(w.body.v);

	doc->lines = all.v;
	doc->n_lines = all.n;
	doc->atts = w.atts;
	doc->n_atts = w.n_atts;
}

void
ui_doc_release(struct ui_doc *doc)
{
	size_t i;

	for (i = 0; i < doc->n_lines; i++)
		free(doc->lines[i].text);
	free(doc->lines);
	for (i = 0; i < doc->n_atts; i++) {
		free(doc->atts[i].name);
		free(doc->atts[i].type);
		free(doc->atts[i].encoding);
		free(doc->atts[i].data);
	}
	free(doc->atts);
	memset(doc, 0, sizeof(*doc));
}

void
ui_attachment_decode(const struct ui_attachment *a, struct buf *out)
{
	mime_transfer_decode_lenient(out, a->encoding, a->data, a->len);
}
