/* keys.c — choosing certificates from gpgsm's keybox: the signer's own
 * (secret key present) and the recipients', their chains checked in
 * process against the engine's trust anchors. */
#include "crypto/cms_p.h"
#include "crypto/smime_p.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static bool
is_fingerprint(const char *s)
{
	size_t i, hex = 0;

	for (i = 0; s[i]; i++) {
		if (s[i] == ':')
			continue;
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return false;
		hex++;
	}
	return hex == 40 || hex == 64;
}

/* Why key cannot serve, from what the keybox records of the certificate
 * itself; NULL when it can.  Its chain is checked in process (chain_why). */
static const char *
unusable(gpgme_key_t key, bool sign)
{
	if (key->subkeys == NULL || key->subkeys->fpr == NULL)
		return "certificate unreadable";
	if (key->revoked)
		return "certificate revoked";
	if (key->expired || (key->subkeys->expires &&
			     (time_t)key->subkeys->expires < time(NULL)))
		return "certificate expired";
	if (key->disabled)
		return "certificate disabled";
	if (key->invalid)
		return "certificate chain not trusted";
	if (sign && !key->can_sign)
		return "certificate not usable for signing";
	if (!sign && !key->can_encrypt)
		return "certificate not usable for encryption";
	return NULL;
}

/* Issuers followed up from a certificate of the keybox. */
#define KEYS_MAX_ISSUERS 8

/*
 * Why key's chain does not reach one of the engine's anchors (owned
 * words), or NULL when it does.  The keybox supplies the certificate and
 * the issuers gpgsm names for it, as untrusted intermediates: a
 * look-alike there with the right name but another key is never taken
 * into the chain, so whatever the keybox has been given, only the anchors
 * decide.  -1 on engine failure.
 */
static int
chain_why(struct smime_engine *eng, gpgme_key_t key, char **why, struct err *e)
{
	struct buf ders[KEYS_MAX_ISSUERS + 1];
	const unsigned char *extra[KEYS_MAX_ISSUERS];
	size_t lens[KEYS_MAX_ISSUERS], n = 0, i;
	const struct buf *der;
	const char *issuer = key->chain_id;
	enum smime_sig state;
	char *detail = NULL;
	int rc = -1;

	*why = NULL;
	if (engine_cert_der(eng, key->subkeys->fpr, &der, e) < 0)
		return -1;
	buf_init(&ders[0]);
	buf_add(&ders[0], der->data, der->len);
	while (n < KEYS_MAX_ISSUERS && issuer && strcasecmp(issuer, key->subkeys->fpr) != 0) {
		gpgme_key_t ik;
		struct err ie = { 0 };

		if (engine_cert_der(eng, issuer, &der, &ie) < 0)
			break;
		buf_init(&ders[n + 1]);
		buf_add(&ders[n + 1], der->data, der->len);
		n++;
		if (engine_key(eng, issuer, false, &ik, &ie) < 0 || ik->chain_id == NULL ||
		    strcasecmp(ik->chain_id, issuer) == 0)
			break;
		issuer = ik->chain_id;
	}
	for (i = 0; i < n; i++) {
		extra[i] = (const unsigned char *)ders[i + 1].data;
		lens[i] = ders[i + 1].len;
	}
	if (smime_cert_chain_check(eng, (const unsigned char *)ders[0].data, ders[0].len,
				   extra, lens, n, &state, &detail, e) == 0) {
		rc = 0;
		if (state == SMIME_SIG_EXPIRED)
			*why = xstrdup("certificate expired");
		else if (state == SMIME_SIG_REVOKED)
			*why = xstrdup("certificate revoked");
		else if (state != SMIME_SIG_VALID)
			*why = xasprintf("certificate chain not trusted (%s)",
					 detail ? detail : "no path to a trust anchor");
	}
	free(detail);
	for (i = 0; i <= n; i++)
		buf_release(&ders[i]);
	return rc;
}

static int
by_newest(const void *a, const void *b)
{
	gpgme_key_t ka = *(const gpgme_key_t *)a, kb = *(const gpgme_key_t *)b;

	if (ka->subkeys->timestamp == kb->subkeys->timestamp)
		return 0;
	return ka->subkeys->timestamp > kb->subkeys->timestamp ? -1 : 1;
}

/*
 * The certificate for addr: among the keybox's certificates carrying it
 * (with a secret key when sign), the usable one issued last whose chain
 * reaches an anchor.  The listing does not ask gpgsm to validate: gpgsm
 * would build chains through whatever its keybox holds and could ask for
 * a root's trust on the terminal.
 */
static int
find_key(struct smime_engine *eng, const char *addr, bool sign, char **fpr,
	 struct err *e)
{
	gpgme_keylist_mode_t mode;
	gpgme_key_t key, *cand = NULL;
	gpgme_error_t g;
	char *pattern, *reason = NULL;
	size_t n = 0, i;
	int rc = -1;

	*fpr = NULL;
	if (engine_ctx(eng, e) < 0)
		return -1;
	mode = gpgme_get_keylist_mode(eng->ctx);
	pattern = is_fingerprint(addr) ? xstrdup(addr) : xasprintf("<%s>", addr);
	gpgme_set_keylist_mode(eng->ctx, GPGME_KEYLIST_MODE_LOCAL);
	g = gpgme_op_keylist_start(eng->ctx, pattern, sign ? 1 : 0);
	while (!g) {
		const char *why;

		g = gpgme_op_keylist_next(eng->ctx, &key);
		if (g)
			break;
		why = unusable(key, sign);
		if (why) {
			if (reason == NULL)
				reason = xstrdup(why);
			gpgme_key_unref(key);
			continue;
		}
		cand = xrealloc(cand, (n + 1) * sizeof *cand);
		cand[n++] = key;
	}
	gpgme_op_keylist_end(eng->ctx);
	gpgme_set_keylist_mode(eng->ctx, mode);
	free(pattern);
	if (g && gpgme_err_code(g) != GPG_ERR_EOF) {
		engine_fail(e, g, "listing certificates");
		err_prefix(e, "%s", addr);
		goto out;
	}
	/* Several usable: the one issued last whose chain holds. */
	if (n > 1)
		qsort(cand, n, sizeof *cand, by_newest);
	for (i = 0; i < n && *fpr == NULL; i++) {
		char *why = NULL;

		if (chain_why(eng, cand[i], &why, e) < 0)
			goto out;
		if (why == NULL) {
			*fpr = xstrdup(cand[i]->subkeys->fpr);
		} else if (reason == NULL || i == 0) {
			free(reason);
			reason = why;
		} else {
			free(why);
		}
	}
	if (*fpr == NULL) {
		err_set(e, ERR_NOCERT, "%s: %s", addr,
			reason ? reason : sign ? "no certificate with a secret key"
					       : "no certificate");
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		gpgme_key_unref(cand[i]);
	free(cand);
	free(reason);
	return rc;
}

int
smime_find_signer(struct smime_engine *eng, const char *addr, char **fpr,
		  struct err *e)
{
	return find_key(eng, addr, true, fpr, e);
}

int
smime_find_recipient(struct smime_engine *eng, const char *addr, char **fpr,
		     struct err *e)
{
	return find_key(eng, addr, false, fpr, e);
}

void
smime_strv_free(char ***vp)
{
	char **v;
	size_t i;

	if (vp == NULL || (v = *vp) == NULL)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
	*vp = NULL;
}

int
smime_message_from(const char *msg, size_t len, char **addr, struct err *e)
{
	struct mime_entity m;
	char **v = NULL, *from;
	size_t n = 0;
	bool group = false;

	*addr = NULL;
	if (mime_entity_parse(msg, len, true, &m, e) < 0)
		return -1;
	if (mime_header_count(&m, "From") > 1)
		return err_set(e, ERR_INPUT, "the message has more than one From field");
	from = mime_header_get(&m, "From", 0);
	if (from)
		addr_list_parse_group(from, &v, &n, &group);
	free(from);
	if (group) {
		smime_strv_free(&v);
		return err_set(e, ERR_INPUT, "the From field is a group, not an author");
	}
	if (n != 1) {
		smime_strv_free(&v);
		return err_set(e, ERR_INPUT, n ? "the From field holds several addresses"
					       : "the message has no From address");
	}
	*addr = v[0];
	free(v);
	return 0;
}

int
smime_message_recipients(const char *msg, size_t len, char ***addrs, size_t *np,
			 struct err *e)
{
	static const char *const fields[] = { "To", "Cc", "Bcc" };
	struct mime_entity m;
	char **all = NULL, **out = NULL;
	size_t n_all = 0, n = 0, i, k;

	*addrs = NULL;
	*np = 0;
	if (mime_entity_parse(msg, len, true, &m, e) < 0)
		return -1;
	for (i = 0; i < 3; i++) {
		struct mime_field f;
		size_t pos = 0;

		while (mime_field_next(&m.hdr, &pos, &f)) {
			char *v;

			if (!mime_field_is(&f, fields[i]))
				continue;
			v = mime_field_value(&f);
			addr_list_parse(v, &all, &n_all);
			free(v);
		}
	}
	out = xcalloc(n_all + 1, sizeof *out);
	for (i = 0; i < n_all; i++) {
		for (k = 0; k < n; k++)
			if (addr_equal(out[k], all[i]))
				break;
		if (k < n) {
			free(all[i]);
			continue;
		}
		out[n++] = all[i];
	}
	free(all);
	*addrs = out;
	*np = n;
	return 0;
}
