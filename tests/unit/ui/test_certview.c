/* test_certview.c — the lines of the certificate view, for each binding state. */
#include "ui/ui_p.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

/* The doc's lines joined by '\n', for CHECK_CONTAINS. */
static char *
joined(const struct ui_doc *d)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_adds(&b, "");
	for (i = 0; i < d->n_lines; i++)
		buf_addf(&b, "%s\n", d->lines[i].text);
	return buf_detach(&b, NULL);
}

/* The kind of the first line containing text, or -1. */
static int
kind_of(const struct ui_doc *d, const char *text)
{
	size_t i;

	for (i = 0; i < d->n_lines; i++)
		if (strstr(d->lines[i].text, text))
			return (int)d->lines[i].kind;
	return -1;
}

static void
test_states(void)
{
	static char alice[] = "alice@localhost", alias[] = "a.example@localhost";
	static char subject[] = "CN=Alice Example,O=Cachet Test";
	static char issuer[] = "CN=Cachet Test S/MIME CA", serial[] = "1A2B";
	static char harvest[] = "harvest";
	char *emails[] = { alice, alias };
	struct certstore_cert cert = { 0 };
	struct smime_signer sg = { 0 };
	struct certstore_binding b[2] = { { 0 } };
	struct ui_doc d = { 0 };
	time_t now = 1795813026;	/* 2026-11-27 */
	bool can_trust;
	char *t;

	snprintf(cert.fpr_sha1, sizeof cert.fpr_sha1, "%s",
		 "0123456789ABCDEF0123456789ABCDEF01234567");
	memset(cert.fpr_sha256, 'C', 64);
	cert.subject = subject;
	cert.issuer = issuer;
	cert.serial = serial;
	cert.not_before = now - 86400 * 10;
	cert.not_after = now + 86400 * 10;
	cert.emails = emails;
	cert.n_emails = 2;

	b[0].address = alice;
	b[0].state = CERTSTORE_TRUSTED;
	b[0].first_seen = now - 86400;
	b[0].source = harvest;
	ui_cert_doc_build(&d, &sg, &cert, b, 1, NULL, now, &can_trust);
	t = joined(&d);
	CHECK_CONTAINS(t, "Subject:   CN=Alice Example,O=Cachet Test\n");
	CHECK_CONTAINS(t, "Issuer:    CN=Cachet Test S/MIME CA\n");
	CHECK_CONTAINS(t, "Serial:    1A2B\n");
	CHECK_CONTAINS(t, "SHA-1:     0123456789ABCDEF0123456789ABCDEF01234567\n");
	CHECK_CONTAINS(t, "SHA-256:   CCCCCCCC");
	CHECK_CONTAINS(t, "Valid:     2026-11-17 to 2026-12-07\n");
	CHECK_CONTAINS(t, "Addresses: alice@localhost, a.example@localhost\n");
	CHECK_CONTAINS(t, "alice@localhost: trusted: cachet encrypts to this certificate "
		       "(since 2026-11-26, harvest)");
	CHECK_INT(kind_of(&d, "alice@localhost: trusted"), UI_LINE_BANNER_GOOD);
	CHECK(!can_trust);
	free(t);
	ui_doc_release(&d);

	/* A pending and a conflict binding can be trusted; expiry is said. */
	cert.not_after = now - 1;
	b[0].state = CERTSTORE_PENDING;
	b[1] = b[0];
	b[1].address = alias;
	b[1].state = CERTSTORE_CONFLICT;
	ui_cert_doc_build(&d, &sg, &cert, b, 2, NULL, now, &can_trust);
	t = joined(&d);
	CHECK_CONTAINS(t, "(expired)");
	CHECK_CONTAINS(t, "alice@localhost: pending: not used until you trust it (T)");
	CHECK_CONTAINS(t, "a.example@localhost: conflict: another certificate is trusted");
	CHECK_INT(kind_of(&d, "a.example@localhost: conflict"), UI_LINE_BANNER_BAD);
	CHECK(can_trust);
	free(t);
	ui_doc_release(&d);

	/* Revoked: shown, not offered for trust. */
	b[0].state = CERTSTORE_REVOKED;
	ui_cert_doc_build(&d, &sg, &cert, b, 1, NULL, now, &can_trust);
	t = joined(&d);
	CHECK_CONTAINS(t, "alice@localhost: revoked by you");
	CHECK(!can_trust);
	free(t);
	ui_doc_release(&d);

	/* No binding; and a store that cannot be read. */
	ui_cert_doc_build(&d, &sg, &cert, NULL, 0, NULL, now, &can_trust);
	t = joined(&d);
	CHECK_CONTAINS(t, "none: no address is bound to this certificate");
	CHECK(!can_trust);
	free(t);
	ui_doc_release(&d);
	ui_cert_doc_build(&d, &sg, &cert, NULL, 0, "database is locked", now, &can_trust);
	t = joined(&d);
	CHECK_CONTAINS(t, "cannot read the store: database is locked");
	CHECK(strstr(t, "none:") == NULL);
	free(t);
	ui_doc_release(&d);
}

/* Without the certificate itself, the verdict's signer fields; no control bytes. */
static void
test_from_signer(void)
{
	static char eve[] = "eve@localhost", subject[] = "CN=Eve\x1b[2J,O=Evil";
	static char issuer[] = "CN=Other CA", fpr[] = "FFFF";
	char *emails[] = { eve };
	struct smime_signer sg = { 0 };
	struct ui_doc d = { 0 };
	bool can_trust;
	char *t;

	sg.subject = subject;
	sg.issuer = issuer;
	sg.fingerprint = fpr;
	sg.emails = emails;
	sg.n_emails = 1;
	ui_cert_doc_build(&d, &sg, NULL, NULL, 0, NULL, 0, &can_trust);
	t = joined(&d);
	CHECK_CONTAINS(t, "Subject:   CN=Eve\xe2\x90\x9b[2J,O=Evil\n");
	CHECK(strchr(t, '\x1b') == NULL);
	CHECK_CONTAINS(t, "SHA-1:     FFFF\n");
	CHECK_CONTAINS(t, "SHA-256:   (the message did not carry the certificate)");
	CHECK_CONTAINS(t, "Serial:    (unknown)");
	CHECK_CONTAINS(t, "Addresses: eve@localhost\n");
	free(t);
	ui_doc_release(&d);
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	test_states();
	test_from_signer();
	return check_exit();
}
