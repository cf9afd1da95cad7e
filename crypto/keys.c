/* keys.c — choosing certificates from gpgsm's keybox: the signer's own
 * (secret key present) and the recipients'. */
#include "crypto/engine_p.h"
#include "crypto/smime_p.h"

#include <stdlib.h>
#include <string.h>
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

/* Why key cannot serve; NULL when it can. */
static const char *
unusable(gpgme_key_t key, bool sign)
{
	if (key->revoked)
		return "certificate revoked";
	if (key->expired || (key->subkeys && key->subkeys->expires &&
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
	if (key->uids && key->uids->validity == GPGME_VALIDITY_NEVER)
		return "certificate chain not trusted";
	return NULL;
}

static int
find_key(struct smime_engine *eng, const char *addr, bool sign, char **fpr,
	 struct err *e)
{
	gpgme_keylist_mode_t mode;
	char *pattern;
	const char *reason = NULL;
	gpgme_key_t key, best = NULL;
	gpgme_error_t g;

	*fpr = NULL;
	if (engine_ctx(eng, e) < 0)
		return -1;
	mode = gpgme_get_keylist_mode(eng->ctx);
	pattern = is_fingerprint(addr) ? xstrdup(addr) : xasprintf("<%s>", addr);
	/* Validation checks the chain up to a trusted root. */
	gpgme_set_keylist_mode(eng->ctx, GPGME_KEYLIST_MODE_LOCAL |
			       GPGME_KEYLIST_MODE_VALIDATE);
	g = gpgme_op_keylist_start(eng->ctx, pattern, sign ? 1 : 0);
	while (!g) {
		const char *why;

		g = gpgme_op_keylist_next(eng->ctx, &key);
		if (g)
			break;
		why = unusable(key, sign);
		if (why) {
			if (reason == NULL)
				reason = why;
			gpgme_key_unref(key);
			continue;
		}
		/* Several usable: the one issued last. */
		if (best == NULL || (key->subkeys && best->subkeys &&
				     key->subkeys->timestamp > best->subkeys->timestamp)) {
			if (best)
				gpgme_key_unref(best);
			best = key;
		} else {
			gpgme_key_unref(key);
		}
	}
	gpgme_op_keylist_end(eng->ctx);
	gpgme_set_keylist_mode(eng->ctx, mode);
	free(pattern);
	if (g && gpgme_err_code(g) != GPG_ERR_EOF) {
		if (best)
			gpgme_key_unref(best);
		engine_fail(e, g, "listing certificates");
		return err_prefix(e, "%s", addr);
	}
	if (best == NULL)
		return err_set(e, ERR_NOCERT, "%s: %s", addr,
			       reason ? reason : sign ? "no certificate with a secret key"
						  : "no certificate");
	*fpr = xstrdup(best->subkeys->fpr);
	gpgme_key_unref(best);
	return 0;
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
