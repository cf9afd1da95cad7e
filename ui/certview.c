/*
 * certview.c — a signer's certificate and what the certificate store says
 * about it, as lines for the certificate view (opened from the pager).
 */
#include "ui/ui_p.h"

#include <stdlib.h>
#include <string.h>

static void
add_line(struct ui_doc *doc, enum ui_line_kind kind, const char *text)
{
	struct buf b = BUF_INIT;

	/* Certificate fields are the sender's text: no control characters. */
	buf_adds(&b, "");
	utf8_from_charset(&b, NULL, text, strlen(text));
	doc->lines = xrealloc(doc->lines, (doc->n_lines + 1) * sizeof(*doc->lines));
	doc->lines[doc->n_lines].kind = kind;
	doc->lines[doc->n_lines].text = buf_detach(&b, NULL);
	doc->n_lines++;
}

static void
add_field(struct ui_doc *doc, const char *label, const char *value)
{
	char *t = xasprintf("  %-10s %s", label, value && *value ? value : "(unknown)");

	add_line(doc, UI_LINE_HEADER, t);
	free(t);
}

static void
day_of(char out[16], time_t t)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL || strftime(out, 16, "%Y-%m-%d", &tm) == 0)
		snprintf(out, 16, "?");
}

const char *
ui_binding_state_words(enum certstore_state st)
{
	switch (st) {
	case CERTSTORE_TRUSTED:
		return "trusted: cachet encrypts to this certificate";
	case CERTSTORE_PENDING:
		return "pending: not used until you trust it (T)";
	case CERTSTORE_CONFLICT:
		return "conflict: another certificate is trusted for this address; "
		       "T trusts this one instead";
	case CERTSTORE_REVOKED:
		return "revoked by you: never used, harvest does not bring it back";
	}
	return "unknown";
}

void
ui_cert_doc_build(struct ui_doc *doc, const struct smime_signer *sg,
		  const struct certstore_cert *cert,
		  const struct certstore_binding *b, size_t n, const char *store_error,
		  time_t now, bool *can_trust)
{
	struct buf t = BUF_INIT;
	char from[16], until[16];
	const char *subject, *issuer, *sha1;
	time_t nb, na;
	size_t i;

	*can_trust = false;
	subject = cert ? cert->subject : sg->subject;
	issuer = cert ? cert->issuer : sg->issuer;
	sha1 = cert ? cert->fpr_sha1 : sg->fingerprint;
	nb = cert ? cert->not_before : sg->not_before;
	na = cert ? cert->not_after : sg->not_after;

	add_line(doc, UI_LINE_NOTE, "Signer's certificate");
	add_field(doc, "Subject:", subject);
	add_field(doc, "Issuer:", issuer);
	add_field(doc, "Serial:", cert ? cert->serial : NULL);
	add_field(doc, "SHA-1:", sha1);
	add_field(doc, "SHA-256:", cert ? cert->fpr_sha256 :
		  "(the message did not carry the certificate)");
	day_of(from, nb);
	day_of(until, na);
	buf_addf(&t, "%s to %s%s", from, until,
		 na && na < now ? " (expired)" : nb && nb > now ? " (not yet valid)" : "");
	add_field(doc, "Valid:", t.data);
	buf_reset(&t);
	buf_adds(&t, "");
	if (cert) {
		for (i = 0; i < cert->n_emails; i++)
			buf_addf(&t, "%s%s", i ? ", " : "", cert->emails[i]);
	} else {
		for (i = 0; i < sg->n_emails; i++)
			buf_addf(&t, "%s%s", i ? ", " : "", sg->emails[i]);
	}
	add_field(doc, "Addresses:", t.len ? t.data : "(none: it cannot be bound to an address)");
	if (cert && (cert->is_ca || (cert->has_eku && !cert->eku_email)))
		add_line(doc, UI_LINE_BANNER_BAD, cert->is_ca ?
			 "  This is a CA certificate, not a person's." :
			 "  This certificate is not meant for e-mail (no emailProtection).");

	add_line(doc, UI_LINE_NOTE, "");
	add_line(doc, UI_LINE_NOTE, "In the certificate store");
	if (store_error) {
		buf_reset(&t);
		buf_addf(&t, "  cannot read the store: %s", store_error);
		add_line(doc, UI_LINE_BANNER_BAD, t.data);
	} else if (n == 0) {
		add_line(doc, UI_LINE_BANNER_INFO, "  none: no address is bound to this "
			 "certificate, so cachet does not encrypt to it");
	}
	for (i = 0; i < n; i++) {
		enum ui_line_kind k = b[i].state == CERTSTORE_TRUSTED ? UI_LINE_BANNER_GOOD :
				      b[i].state == CERTSTORE_PENDING ? UI_LINE_BANNER_INFO :
				      UI_LINE_BANNER_BAD;

		day_of(from, b[i].first_seen);
		buf_reset(&t);
		buf_addf(&t, "  %s: %s (since %s, %s)", b[i].address,
			 ui_binding_state_words(b[i].state), from,
			 b[i].source ? b[i].source : "?");
		add_line(doc, k, t.data);
		if (b[i].state == CERTSTORE_PENDING || b[i].state == CERTSTORE_CONFLICT)
			*can_trust = true;
	}
	buf_release(&t);
}
