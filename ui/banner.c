/*
 * banner.c — the security banner at the top of the pager: what the verdict
 * of crypto/ means, in plain words, one problem per line, worst first.
 */
#include "ui/ui_p.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *
ui_dn_common_name(const char *dn)
{
	const char *p = dn, *start;
	struct buf out = BUF_INIT;

	if (dn == NULL)
		return xstrdup("an unknown issuer");
	/* RFC 4514: "CN=Name,O=Org"; gpgsm writes the same form. */
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '+')
			p++;
		if (strncasecmp(p, "CN=", 3) == 0) {
			start = p + 3;
			for (p = start; *p && *p != ',' && *p != '+'; p++) {
				if (*p == '\\' && p[1])
					p++;
				buf_addc(&out, *p);
			}
			buf_adds(&out, "");
			return buf_detach(&out, NULL);
		}
		while (*p && *p != ',' && *p != '+') {
			if (*p == '\\' && p[1])
				p++;
			p++;
		}
	}
	return xstrdup(dn);
}

static void
add_line(struct ui_banner *b, enum ui_tone tone, char *text)
{
	struct buf clean = BUF_INIT;

	/* Certificate fields come from the sender: keep them terminal-safe. */
	buf_adds(&clean, "");
	utf8_from_charset(&clean, NULL, text, strlen(text));
	free(text);
	b->lines = xrealloc(b->lines, (b->n + 1) * sizeof(*b->lines));
	b->lines[b->n].tone = tone;
	b->lines[b->n].text = buf_detach(&clean, NULL);
	b->n++;
}

/* The signer as named on screen: the address in its certificate. */
static char *
signer_name(const struct smime_signer *s)
{
	char *cn, *r;

	if (s->email && *s->email)
		return xstrdup(s->email);
	cn = ui_dn_common_name(s->subject);
	r = xasprintf("a certificate without an e-mail address (\"%s\")", cn);
	free(cn);
	return r;
}

static char *
signer_line(const struct smime_verdict *v, const struct smime_signer *s)
{
	char *who = signer_name(s), *issuer = ui_dn_common_name(s->issuer), *r;
	char date[32] = "an unknown date";
	struct tm tm;

	switch (s->state) {
	case SMIME_SIG_VALID:
		r = xasprintf("Signed by %s (certificate from %s, valid)", who, issuer);
		break;
	case SMIME_SIG_UNTRUSTED:
		r = xasprintf("Signed by %s, but the certificate's issuer \"%s\" is "
			      "not trusted", who, issuer);
		break;
	case SMIME_SIG_EXPIRED:
		if (s->not_after && gmtime_r(&s->not_after, &tm))
			strftime(date, sizeof(date), "%Y-%m-%d", &tm);
		r = xasprintf("Signed by %s, but the certificate expired on %s",
			      who, date);
		break;
	case SMIME_SIG_REVOKED:
		r = xasprintf("Signed by %s, but the certificate (from %s) has been "
			      "revoked", who, issuer);
		break;
	case SMIME_SIG_MISMATCH:
		r = xasprintf("From says %s, but it was signed by %s",
			      v->from ? v->from : "nobody", who);
		break;
	case SMIME_SIG_INVALID:
		r = xasprintf("Invalid signature (claimed signer %s): the message was "
			      "changed after signing, or the signature is not genuine",
			      who);
		break;
	case SMIME_SIG_NONE:
	default:
		r = xasprintf("Signature by %s could not be checked", who);
		break;
	}
	free(who);
	free(issuer);
	return r;
}

/* What the protected headers are: signed, or only encrypted. */
static const char *
protected_kind(const struct smime_verdict *v)
{
	return v->n_signers > 0 ? "signed" : "encrypted";
}

static char *
header_change_line(const struct smime_verdict *v, const struct smime_header_change *c)
{
	char *outer = c->outer ? mime_header_decode(c->outer) : NULL, *r;

	if (outer && c->expected)
		r = xasprintf("%s was changed outside the %s part: there it says \"%s\"; "
			      "the %s %s is shown", c->name, protected_kind(v), outer,
			      protected_kind(v), c->name);
	else if (outer)
		r = xasprintf("%s was added outside the %s part: \"%s\" (not shown)",
			      c->name, protected_kind(v), outer);
	else
		r = xasprintf("%s was removed outside the %s part; the %s %s is shown",
			      c->name, protected_kind(v), protected_kind(v), c->name);
	free(outer);
	return r;
}

void
ui_banner_add_unprotected(struct ui_banner *b, const struct smime_verdict *v,
			  const char *reply_to)
{
	struct ui_banner one = { 0 };
	char *d;
	size_t i;

	if (v == NULL || v->hp != SMIME_HP_NONE || v->n_signers == 0 || reply_to == NULL)
		return;
	d = mime_header_decode(reply_to);
	add_line(&one, UI_TONE_BAD,
		 xasprintf("Headers are not covered by the signature: Reply-To (%s), "
			   "To, Cc and Subject could have been changed after signing", d));
	free(d);
	/* Worst first: after the other problems, before the good lines. */
	for (i = 0; i < b->n && b->lines[i].tone == UI_TONE_BAD; i++)
		;
	b->lines = xrealloc(b->lines, (b->n + 1) * sizeof(*b->lines));
	memmove(&b->lines[i + 1], &b->lines[i], (b->n - i) * sizeof(*b->lines));
	b->lines[i] = one.lines[0];
	b->n++;
	free(one.lines);
}

bool
ui_dmarc_failed(const struct smime_verdict *v)
{
	const struct smime_authentication *a = v ? v->authentication : NULL;

	return a && a->dmarc.result && strcmp(a->dmarc.result, "fail") == 0;
}

/*
 * "Not signed", with what the person's own servers said about the From
 * domain when they checked DMARC: a fail is a problem, anything else is
 * information only.
 */
static void
unsigned_line(const struct smime_verdict *v, struct ui_banner *raw)
{
	const struct smime_authentication *a = v->authentication;
	const char *dom;

	if (a == NULL || a->dmarc.result == NULL) {
		add_line(raw, UI_TONE_INFO, xstrdup("Not signed"));
		return;
	}
	dom = a->dmarc.domain ? a->dmarc.domain :
	      a->from_domain ? a->from_domain : "the sender's domain";
	if (ui_dmarc_failed(v))
		add_line(raw, UI_TONE_BAD,
			 xasprintf("Not signed; DMARC fail: %s did not send this", dom));
	else
		add_line(raw, UI_TONE_INFO,
			 xasprintf("Not signed; DMARC %s for %s", a->dmarc.result, dom));
}

void
ui_banner_build(const struct smime_verdict *v, struct ui_banner *out)
{
	struct ui_banner raw = { 0 };
	enum ui_tone sig_tone;
	size_t i, j;
	int said_part = 0, said_cipher = 0, said_mismatch = 0, said_refused = 0;

	out->lines = NULL;
	out->n = 0;
	if (v == NULL)
		return;

	/* The layer a person meets first: encryption. */
	switch (v->decryption) {
	case SMIME_DECRYPT_OK:
		add_line(&raw, UI_TONE_INFO, xstrdup("Encrypted to you"));
		break;
	case SMIME_DECRYPT_FAILED: {
		char *locked = ui_locked_key_text(v->error);

		if (locked)
			add_line(&raw, UI_TONE_BAD,
				 xasprintf("Encrypted, but not opened. %s", locked));
		else
			add_line(&raw, UI_TONE_BAD,
				 xasprintf("Encrypted, but it could not be decrypted%s%s",
					   v->error ? ": " : "", v->error ? v->error : ""));
		free(locked);
		break;
	}
	case SMIME_DECRYPT_REFUSED:
		add_line(&raw, UI_TONE_BAD,
			 xstrdup(smime_warning_words(SMIME_WARN_ENCRYPTED_PART_REFUSED)));
		said_refused = 1;
		break;
	case SMIME_DECRYPT_NONE:
		break;
	}

	/* A good line only when nothing at all is wrong. */
	sig_tone = smime_verdict_summary(v) == SMIME_SUMMARY_GOOD
		   ? UI_TONE_GOOD : UI_TONE_BAD;

	if (v->signature == SMIME_SIG_NONE && v->n_signers == 0) {
		/* Behind an encryption that failed, a signature cannot be seen. */
		if (v->decryption != SMIME_DECRYPT_FAILED)
			unsigned_line(v, &raw);
	} else {
		if (v->n_signers > 1)
			add_line(&raw, UI_TONE_BAD,
				 xasprintf("Several signers (%zu): each is shown below, "
					   "the weakest decides", v->n_signers));
		for (i = 0; i < v->n_signers; i++) {
			const struct smime_signer *s = &v->signers[i];

			add_line(&raw, s->state == SMIME_SIG_VALID ? sig_tone : UI_TONE_BAD,
				 signer_line(v, s));
			if (s->state == SMIME_SIG_MISMATCH)
				said_mismatch = 1;
		}
		if (v->n_signers == 0 &&
		    !smime_verdict_has_warning(v, SMIME_WARN_NO_SIGNERS))
			add_line(&raw, UI_TONE_BAD,
				 xstrdup("Invalid signature: it names no signer"));
	}

	if (v->coverage == SMIME_COVERAGE_PART) {
		add_line(&raw, UI_TONE_BAD,
			 xstrdup(smime_warning_words(SMIME_WARN_UNSIGNED_CONTENT)));
		said_part = 1;
	} else if (v->coverage == SMIME_COVERAGE_CIPHERTEXT) {
		add_line(&raw, UI_TONE_BAD,
			 xstrdup(smime_warning_words(SMIME_WARN_SIGNATURE_OVER_CIPHERTEXT)));
		said_cipher = 1;
	}

	for (i = 0; i < v->n_warnings; i++) {
		enum smime_warning w = v->warnings[i];

		if ((w == SMIME_WARN_MULTIPLE_SIGNERS && v->n_signers > 1) ||
		    (w == SMIME_WARN_HEADER_MISMATCH && v->n_header_changes > 0) ||
		    (w == SMIME_WARN_UNSIGNED_CONTENT && said_part) ||
		    (w == SMIME_WARN_SIGNATURE_OVER_CIPHERTEXT && said_cipher) ||
		    (w == SMIME_WARN_ENCRYPTED_PART_REFUSED && said_refused))
			continue;	/* said above */
		if (w == SMIME_WARN_FROM_MISMATCH) {
			/* Both addresses, when a signer line has not said them. */
			if (!said_mismatch) {
				const char *who = v->n_signers && v->signers[0].email ?
						  v->signers[0].email : "someone else";

				add_line(&raw, UI_TONE_BAD,
					 xasprintf("From says %s, but it was signed by %s",
						   v->from ? v->from : "nobody", who));
				said_mismatch = 1;
			}
			continue;
		}
		if (w == SMIME_WARN_UNSIGNED_FROM_SIGNER && v->from) {
			add_line(&raw, UI_TONE_BAD,
				 xasprintf("%s has signed before; this message is not "
					   "signed", v->from));
			continue;
		}
		add_line(&raw, UI_TONE_BAD, xstrdup(smime_warning_words(w)));
	}

	/* Each outer header field that is not what the protected headers
	 * say, in words; the pager shows the protected values. */
	for (i = 0; i < v->n_header_changes; i++)
		add_line(&raw, UI_TONE_BAD, header_change_line(v, &v->header_changes[i]));

	if (v->error && v->decryption != SMIME_DECRYPT_FAILED)
		add_line(&raw, UI_TONE_BAD, xasprintf("Could not check: %s", v->error));

	/* Worst first, keeping the order within a tone. */
	out->lines = xcalloc(raw.n ? raw.n : 1, sizeof(*out->lines));
	for (j = 0; j < 3; j++) {
		enum ui_tone want = j == 0 ? UI_TONE_BAD : j == 1 ? UI_TONE_GOOD : UI_TONE_INFO;

		for (i = 0; i < raw.n; i++)
			if (raw.lines[i].tone == want)
				out->lines[out->n++] = raw.lines[i];
	}
	free(raw.lines);
}

/* Case-insensitive (ASCII) strstr. */
static const char *
find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

char *
ui_locked_key_text(const char *msg)
{
	const char *how;
	struct buf b = BUF_INIT;

	if (msg == NULL || find_ci(msg, "passphrase") == NULL ||
	    (find_ci(msg, "gpg-agent") == NULL && find_ci(msg, "pinentry") == NULL))
		return NULL;
	buf_adds(&b, "Your secret key is locked: gpg-agent does not hold its "
		 "passphrase. ");
	/* The engine's own advice says what to run; it starts "unlock it ...". */
	how = find_ci(msg, "unlock it");
	if (how) {
		buf_addc(&b, 'U');
		buf_adds(&b, how + 1);
		buf_adds(&b, ", then try again.");
	} else {
		buf_adds(&b, "Unlock it in gpg-agent first (gpg-preset-passphrase, or "
			 "one 'gpgsm --sign' in a terminal), then try again.");
	}
	return buf_detach(&b, NULL);
}

void
ui_banner_release(struct ui_banner *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->lines[i].text);
	free(b->lines);
	b->lines = NULL;
	b->n = 0;
}
