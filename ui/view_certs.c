/*
 * view_certs.c — the certificate view: the signers of the message in the
 * pager, their certificates and what the certificate store holds for
 * each, and trusting one that waits for the person's decision.
 */
#include "ui/screen_p.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void
certs_close(struct screen *s)
{
	size_t i;

	ui_doc_release(&s->certs.doc);
	for (i = 0; i < s->certs.n_trustable; i++)
		free(s->certs.trustable[i]);
	free(s->certs.trustable);
	s->certs.trustable = NULL;
	s->certs.n_trustable = 0;
	s->certs.top = 0;
}

void
certs_draw(struct screen *s)
{
	size_t rows = (size_t)screen_body_rows(s), y, n = s->certs.doc.n_lines;
	struct buf hint = BUF_INIT;

	if (s->certs.top + rows > n)
		s->certs.top = n > rows ? n - rows : 0;
	for (y = 0; y < rows && s->certs.top + y < n; y++) {
		const struct ui_line *l = &s->certs.doc.lines[s->certs.top + y];

		screen_put_row((int)y + 1, l->text, l->kind == UI_LINE_NOTE ? A_BOLD :
			       screen_line_attr(s, l->kind));
	}
	if (s->certs.n_trustable)
		screen_key_hint(s, &hint, CONFIG_ACTION_TRUST, "trust");
	screen_key_hint(s, &hint, CONFIG_ACTION_QUIT, "back");
	screen_key_hint(s, &hint, CONFIG_ACTION_HELP, "help");
	screen_bars(s, "signer's certificate", hint.data ? hint.data : "");
	buf_release(&hint);
}

static void
doc_append(struct ui_doc *d, enum ui_line_kind kind, char *text)
{
	d->lines = xrealloc(d->lines, (d->n_lines + 1) * sizeof(*d->lines));
	d->lines[d->n_lines].kind = kind;
	d->lines[d->n_lines].text = text;
	d->n_lines++;
}

/*
 * Builds the certificate view of every signer of the open message, with
 * the bindings the store holds for each certificate.
 */
static void
certs_build(struct screen *s)
{
	const struct smime_verdict *v = s->pager.verdict;
	struct certstore *store = NULL;
	struct err e = { 0 };
	char *store_error = NULL;
	time_t now = time(NULL);
	size_t i;

	certs_close(s);
	if (s->opt->data_dir == NULL)
		store_error = xstrdup("no data directory");
	else if (certstore_open(s->opt->data_dir, s->opt->gnupg_home, &store, &e) < 0)
		store_error = xstrdup(e.msg);
	for (i = 0; i < v->n_signers; i++) {
		const struct smime_signer *sg = &v->signers[i];
		struct certstore_cert *cert = NULL;
		struct certstore_binding *b = NULL;
		const char *fpr;
		char *err_text = store_error ? xstrdup(store_error) : NULL;
		size_t n = 0;
		bool can_trust = false;

		if (v->n_signers > 1)
			doc_append(&s->certs.doc, UI_LINE_NOTE,
				   xasprintf("Signer %zu of %zu", i + 1, v->n_signers));
		if (sg->cert_der)
			certstore_cert_parse(sg->cert_der, sg->cert_der_len, &cert, NULL);
		fpr = cert ? cert->fpr_sha1 : sg->fingerprint;
		err_clear(&e);
		if (store && fpr && certstore_list(store, fpr, &b, &n, &e) < 0) {
			free(err_text);
			err_text = xstrdup(e.msg);
			n = 0;
		}
		ui_cert_doc_build(&s->certs.doc, sg, cert, b, n, err_text, now, &can_trust);
		if (can_trust && fpr) {
			s->certs.trustable = xrealloc(s->certs.trustable,
						      (s->certs.n_trustable + 1) *
						      sizeof(*s->certs.trustable));
			s->certs.trustable[s->certs.n_trustable++] = xstrdup(fpr);
		}
		if (i + 1 < v->n_signers)
			doc_append(&s->certs.doc, UI_LINE_NOTE, xstrdup(""));
		certstore_bindings_free(&b, n);
		certstore_cert_free(&cert);
		free(err_text);
	}
	certstore_close(&store);
	free(store_error);
}

void
certs_open(struct screen *s)
{
	if (s->pager.verdict == NULL || s->pager.verdict->n_signers == 0) {
		screen_status(s, false, "This message is not signed: there is no "
			      "certificate to show");
		return;
	}
	screen_working(s, "reading the certificate store");
	certs_build(s);
	s->view = UI_VIEW_CERT;
	screen_status(s, false, "%s", "");
}

/* Trusts a pending or conflicting signer certificate, after a typed yes. */
static void
certs_trust(struct screen *s)
{
	struct certstore *store = NULL;
	struct err e = { 0 };
	size_t count = 0;
	char *q, *answer;
	char *fpr;

	if (s->certs.n_trustable == 0) {
		screen_status(s, false, "Nothing to trust: no binding of this certificate "
			      "is pending or in conflict");
		return;
	}
	fpr = xstrdup(s->certs.trustable[0]);
	/* The conflict's consequence is in the view; the fingerprint ends the line. */
	q = xasprintf("Type yes to trust %s: ", fpr);
	answer = screen_prompt(s, q, NULL);
	free(q);
	if (answer == NULL || strcmp(answer, "yes") != 0) {
		screen_status(s, false, "not trusted");
		goto out;
	}
	screen_working(s, "trusting the certificate");
	if (certstore_open(s->opt->data_dir, s->opt->gnupg_home, &store, &e) < 0 ||
	    certstore_trust(store, fpr, time(NULL), &count, &e) < 0) {
		screen_status(s, true, "not trusted: %s", e.msg);
		goto out;
	}
	certstore_close(&store);
	certs_build(s);
	screen_status(s, false, "trusted %s for %zu address%s", fpr, count,
		      count == 1 ? "" : "es");
out:
	certstore_close(&store);
	free(answer);
	free(fpr);
}

void
certs_key(struct screen *s, int action)
{
	switch (action) {
	case CONFIG_ACTION_NEXT: case CONFIG_ACTION_OPEN:
		s->certs.top++;
		break;
	case CONFIG_ACTION_PREVIOUS:
		if (s->certs.top > 0)
			s->certs.top--;
		break;
	case CONFIG_ACTION_PAGE_DOWN:
		s->certs.top += (size_t)screen_body_rows(s);
		break;
	case CONFIG_ACTION_PAGE_UP:
		s->certs.top = s->certs.top > (size_t)screen_body_rows(s) ?
			      s->certs.top - (size_t)screen_body_rows(s) : 0;
		break;
	case CONFIG_ACTION_TRUST:
		certs_trust(s);
		break;
	case CONFIG_ACTION_QUIT: case CONFIG_ACTION_CERTIFICATE:
		certs_close(s);
		s->view = UI_VIEW_PAGER;
		screen_status(s, false, "%s", "");
		break;
	}
}
