/*
 * compose.c — drafts for new messages, replies and forwards, the message
 * they become, and the words for what the send pipeline will do with it.
 *
 * EFAIL: a reply quotes only the pager's text, which holds nothing but the
 * top crypto layer of the original (pager.c never opens a deeper one).
 */
#include "ui/ui_p.h"

#include <stdlib.h>
#include <string.h>

void
ui_draft_release(struct ui_draft *d)
{
	free(d->to);
	free(d->cc);
	free(d->bcc);
	free(d->subject);
	free(d->in_reply_to);
	free(d->references);
	free(d->message_id);
	free(d->body);
	ui_draft_parts_release(d);
	memset(d, 0, sizeof(*d));
}

/* Splits an address list at the commas outside quotes and angle brackets. */
static size_t
split_addresses(const char *list, char ***out)
{
	const char *p = list, *start = list;
	char **v = NULL, *item;
	size_t n = 0;
	int inq = 0, angle = 0;

	for (;; p++) {
		if (*p == '"' && (p == list || p[-1] != '\\'))
			inq = !inq;
		else if (!inq && *p == '<')
			angle = 1;
		else if (!inq && *p == '>')
			angle = 0;
		if (*p == '\0' || (*p == ',' && !inq && !angle)) {
			char *t = xstrndup(start, (size_t)(p - start));

			item = xstrdup(str_trim(t));
			free(t);
			if (*item) {
				v = xrealloc(v, (n + 1) * sizeof(*v));
				v[n++] = item;
			} else {
				free(item);
			}
			if (*p == '\0')
				break;
			start = p + 1;
		}
	}
	*out = v;
	return n;
}

/* The bare address of one list item, lower case. */
static char *
bare_address(const char *item)
{
	const char *lt = strrchr(item, '<'), *gt;
	char *r, *t;

	if (lt && (gt = strchr(lt, '>')) != NULL)
		r = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	else
		r = xstrdup(item);
	t = xstrdup(str_trim(r));
	free(r);
	str_lower_ascii(t);
	return t;
}

static int
list_has(char **v, size_t n, const char *addr)
{
	size_t i;
	int found = 0;

	for (i = 0; i < n && !found; i++) {
		char *a = bare_address(v[i]);

		found = strcmp(a, addr) == 0;
		free(a);
	}
	return found;
}

/* Cc of a reply to all: To and Cc of the original, minus self and To. */
static char *
reply_all_cc(const char *to, const char *cc, const char *reply_to,
	     const char *self)
{
	char **orig = NULL, **taken = NULL, **kept = NULL;
	size_t n_orig = 0, n_taken, n_kept = 0, i;
	struct buf list = BUF_INIT, out = BUF_INIT;
	char *self_l = xstrdup(self ? self : ""), *a;

	str_lower_ascii(self_l);
	buf_adds(&list, to ? to : "");
	if (cc && *cc)
		buf_addf(&list, "%s%s", list.len ? ", " : "", cc);
	n_orig = split_addresses(list.data ? list.data : "", &orig);
	n_taken = split_addresses(reply_to ? reply_to : "", &taken);
	buf_adds(&out, "");
	for (i = 0; i < n_orig; i++) {
		a = bare_address(orig[i]);
		if (strcmp(a, self_l) != 0 && !list_has(taken, n_taken, a) &&
		    !list_has(kept, n_kept, a)) {
			kept = xrealloc(kept, (n_kept + 1) * sizeof(*kept));
			kept[n_kept++] = orig[i];
			buf_addf(&out, "%s%s", out.len ? ", " : "", orig[i]);
		}
		free(a);
	}
	for (i = 0; i < n_orig; i++)
		free(orig[i]);
	for (i = 0; i < n_taken; i++)
		free(taken[i]);
	free(orig);
	free(taken);
	free(kept);
	free(self_l);
	buf_release(&list);
	return buf_detach(&out, NULL);
}

static char *
prefixed_subject(const char *prefix, const char *subject)
{
	size_t n = strlen(prefix);

	if (strncasecmp(subject, prefix, n) == 0)
		return xstrdup(subject);
	return xasprintf("%s %s", prefix, subject);
}

/* The text of the pager's body: what a reply may quote. */
static void
doc_body(const struct ui_doc *doc, bool quote, struct buf *out)
{
	size_t i;
	int in_body = 0;

	for (i = 0; i < doc->n_lines; i++) {
		const struct ui_line *l = &doc->lines[i];

		if (!in_body) {
			/* The first plain line is the blank one after the headers. */
			if (l->kind == UI_LINE_BODY)
				in_body = 1;
			continue;
		}
		if (l->kind != UI_LINE_BODY && l->kind != UI_LINE_QUOTE)
			continue;
		if (!quote)
			buf_addf(out, "%s\n", l->text);
		else if (l->text[0] == '\0')
			buf_adds(out, ">\n");
		else if (l->text[0] == '>')
			buf_addf(out, ">%s\n", l->text);
		else
			buf_addf(out, "> %s\n", l->text);
	}
}

/* The original's field name: protected when v has protected headers. */
static char *
original_field(const char *msg, size_t hlen, const struct smime_verdict *v,
	       const char *name, bool decoded)
{
	const char *pv;

	if (v == NULL || v->hp == SMIME_HP_NONE)
		return decoded ? mime_header_first_decoded(msg, hlen, name)
			       : mime_header_first(msg, hlen, name);
	pv = smime_protected_header(v, name);
	if (pv == NULL)
		return NULL;
	return decoded ? mime_header_decode(pv) : xstrdup(pv);
}

/*
 * The attachments of a message read in the pager, decoded, as the draft's;
 * a signature part stays behind (it vouched for the original only).
 */
static void
draft_take_attachments(struct ui_draft *d, const struct ui_doc *doc)
{
	struct buf data = BUF_INIT;
	size_t i;

	for (i = 0; i < doc->n_atts; i++) {
		const struct ui_attachment *a = &doc->atts[i];
		char *name;

		if (strcmp(a->type, "application/pkcs7-signature") == 0 ||
		    strcmp(a->type, "application/x-pkcs7-signature") == 0)
			continue;
		buf_reset(&data);
		ui_attachment_decode(a, &data);
		name = a->name && *a->name ? xstrdup(a->name) :
			xasprintf("attachment-%zu", i + 1);
		ui_draft_attach(d, name, a->type, data.data ? data.data : "", data.len);
		free(name);
	}
	buf_release(&data);
}

void
ui_draft_resume(struct ui_draft *d, const char *msg, size_t len,
		const struct ui_doc *doc)
{
	size_t hlen = mime_header_end(msg, len);
	char *v;
	struct buf body = BUF_INIT;

	memset(d, 0, sizeof(*d));
	v = mime_header_first(msg, hlen, "To");
	d->to = v ? v : xstrdup("");
	v = mime_header_first(msg, hlen, "Cc");
	d->cc = v ? v : xstrdup("");
	v = mime_header_first(msg, hlen, "Bcc");
	d->bcc = v ? v : xstrdup("");
	v = mime_header_first_decoded(msg, hlen, "Subject");
	d->subject = v ? v : xstrdup("");
	d->in_reply_to = mime_header_first(msg, hlen, "In-Reply-To");
	d->references = mime_header_first(msg, hlen, "References");
	d->message_id = mime_header_first(msg, hlen, "Message-ID");
	buf_adds(&body, "");
	doc_body(doc, false, &body);
	d->body = buf_detach(&body, NULL);
	draft_take_attachments(d, doc);
}

void
ui_draft_init(struct ui_draft *d, enum ui_compose_kind kind, const char *msg,
	      size_t len, const struct ui_doc *doc, const struct smime_verdict *v,
	      const char *self)
{
	size_t hlen = msg ? mime_header_end(msg, len) : 0;
	char *from = NULL, *subject = NULL, *date = NULL, *to = NULL, *cc = NULL;
	char *reply_to = NULL, *msgid = NULL, *refs = NULL;
	struct buf body = BUF_INIT;

	memset(d, 0, sizeof(*d));
	buf_adds(&body, "");
	if (kind == UI_COMPOSE_NEW || msg == NULL) {
		d->to = xstrdup("");
		d->cc = xstrdup("");
		d->bcc = xstrdup("");
		d->subject = xstrdup("");
		d->body = buf_detach(&body, NULL);
		return;
	}
	/* Address fields stay as sent (encoded words and all): they are re-sent. */
	from = original_field(msg, hlen, v, "From", false);
	to = original_field(msg, hlen, v, "To", false);
	cc = original_field(msg, hlen, v, "Cc", false);
	reply_to = original_field(msg, hlen, v, "Reply-To", false);
	msgid = original_field(msg, hlen, v, "Message-ID", false);
	refs = original_field(msg, hlen, v, "References", false);
	subject = original_field(msg, hlen, v, "Subject", true);
	date = original_field(msg, hlen, v, "Date", true);
	if (subject == NULL)
		subject = xstrdup("");

	d->bcc = xstrdup("");
	if (kind == UI_COMPOSE_FORWARD_ATTACHED) {
		struct buf lf = BUF_INIT;
		size_t i;

		d->to = xstrdup("");
		d->cc = xstrdup("");
		d->subject = prefixed_subject("Fwd:", subject);
		/*
		 * The message as it was received, never what the pager
		 * decrypted; line ends as the draft's (CRLF again on the wire).
		 */
		buf_adds(&lf, "");
		for (i = 0; i < len; i++)
			if (!(msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n'))
				buf_addc(&lf, msg[i]);
		ui_draft_attach(d, "forwarded.eml", "message/rfc822", lf.data, lf.len);
		buf_release(&lf);
	} else if (kind == UI_COMPOSE_FORWARD) {
		char *dfrom = original_field(msg, hlen, v, "From", true);
		char *dto = original_field(msg, hlen, v, "To", true);

		d->to = xstrdup("");
		d->cc = xstrdup("");
		d->subject = prefixed_subject("Fwd:", subject);
		buf_adds(&body, "\n----- Forwarded message -----\n");
		buf_addf(&body, "From: %s\n", dfrom ? dfrom : "");
		if (date)
			buf_addf(&body, "Date: %s\n", date);
		buf_addf(&body, "Subject: %s\n", subject);
		if (dto)
			buf_addf(&body, "To: %s\n", dto);
		buf_adds(&body, "\n");
		if (doc)
			doc_body(doc, false, &body);
		buf_adds(&body, "----- End of forwarded message -----\n");
		/* Its attachments go along, as read (decrypted) in the pager. */
		if (doc)
			draft_take_attachments(d, doc);
		free(dfrom);
		free(dto);
	} else {
		char *dfrom = original_field(msg, hlen, v, "From", true);

		d->to = xstrdup(reply_to ? reply_to : from ? from : "");
		d->cc = kind == UI_COMPOSE_REPLY_ALL ?
			reply_all_cc(to, cc, d->to, self) : xstrdup("");
		d->subject = prefixed_subject("Re:", subject);
		if (msgid) {
			d->in_reply_to = xstrdup(msgid);
			d->references = refs ? xasprintf("%s %s", refs, msgid) : xstrdup(msgid);
		}
		buf_addf(&body, "On %s, %s wrote:\n", date ? date : "an unknown date",
			 dfrom ? dfrom : "someone");
		if (doc)
			doc_body(doc, true, &body);
		free(dfrom);
	}
	d->body = buf_detach(&body, NULL);
	free(from);
	free(to);
	free(cc);
	free(reply_to);
	free(msgid);
	free(refs);
	free(subject);
	free(date);
}

/* RFC 2047 "B" words for a header value that is not plain ASCII. */
static void
encode_words(struct buf *out, const char *value)
{
	const unsigned char *p = (const unsigned char *)value;
	size_t n = strlen(value), i, chunk;
	int ascii = 1;

	for (i = 0; i < n; i++)
		if (p[i] >= 0x80 || p[i] < 0x20)
			ascii = 0;
	if (ascii) {
		buf_adds(out, value);
		return;
	}
	for (i = 0; i < n; i += chunk) {
		/* At most 45 bytes a word, never splitting a UTF-8 sequence. */
		chunk = n - i < 45 ? n - i : 45;
		while (chunk > 1 && i + chunk < n && (p[i + chunk] & 0xc0) == 0x80)
			chunk--;
		if (i > 0)
			buf_adds(out, "\n ");
		buf_adds(out, "=?utf-8?b?");
		/* 45 bytes are 60 characters: one line, no line end. */
		codec_base64_encode(p + i, chunk, "", out);
		buf_adds(out, "?=");
	}
}

void
ui_draft_message(const struct ui_draft *d, const char *from, struct buf *out)
{
	buf_adds(out, "");
	buf_addf(out, "From: %s\n", from ? from : "");
	buf_addf(out, "To: %s\n", d->to ? d->to : "");
	if (d->cc && *d->cc)
		buf_addf(out, "Cc: %s\n", d->cc);
	if (d->bcc && *d->bcc)
		buf_addf(out, "Bcc: %s\n", d->bcc);
	buf_adds(out, "Subject: ");
	encode_words(out, d->subject ? d->subject : "");
	buf_adds(out, "\n");
	if (d->in_reply_to)
		buf_addf(out, "In-Reply-To: %s\n", d->in_reply_to);
	if (d->references)
		buf_addf(out, "References: %s\n", d->references);
	if (d->message_id)
		buf_addf(out, "Message-ID: %s\n", d->message_id);
	buf_adds(out, "MIME-Version: 1.0\n");
	ui_draft_body_parts(d, out);
}

void
ui_send_plan_text(const struct send_plan *plan, bool original_encrypted,
		  struct buf *out, bool *bad)
{
	const struct policy *p = &plan->policy;
	size_t i;

	*bad = false;
	buf_adds(out, "");
	if (plan->sign) {
		buf_adds(out, "will be signed");
		if (p->sign_locked && p->sign == POLICY_SIGN_ALWAYS)
			buf_adds(out, " (required by policy)");
	} else {
		buf_adds(out, "will NOT be signed");
		*bad = true;
	}
	buf_adds(out, "; ");
	if (plan->encrypt) {
		buf_adds(out, "will be encrypted to ");
		for (i = 0; i < plan->n_rcpts; i++)
			buf_addf(out, "%s%s%s", i ? ", " : "", plan->rcpts[i].addr,
				 plan->rcpts[i].bcc ? " (bcc)" : "");
		if (p->encrypt_locked && p->encrypt == POLICY_ENCRYPT_ALWAYS)
			buf_adds(out, " (required by policy)");
	} else {
		buf_addf(out, "cannot encrypt: %s",
			 plan->why_not_encrypted ? plan->why_not_encrypted : "not asked");
		if (original_encrypted) {
			buf_adds(out, " (the original was encrypted)");
			*bad = true;
		}
	}
}
