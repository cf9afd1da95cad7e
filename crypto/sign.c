/* sign.c — building multipart/signed and application/pkcs7-mime messages. */
#include "crypto/engine_p.h"
#include "crypto/smime_p.h"

#include <stdlib.h>
#include <string.h>

/*
 * The content entity of m as it travels, with m's header fields inside as
 * its protected headers (hp="cipher" when it is to be encrypted).
 */
static int
protected_entity(const struct mime_entity *m, bool cipher, const char *eol,
		 struct buf *out, struct err *e)
{
	struct buf plain = BUF_INIT;

	if (mime_make_7bit_entity(m, eol, 0, &plain, e) < 0) {
		buf_release(&plain);
		return -1;
	}
	hp_protect_entity(m, plain.data ? plain.data : "", plain.len, cipher, eol, out);
	buf_release(&plain);
	return 0;
}

/*
 * The multipart/signed entity (its Content-Type field, blank line, body)
 * for the content entity of m, in line ending eol, with m's header fields
 * protected in the signed part.  Shared by sign and sign-then-encrypt.
 */
static int
signed_entity(struct smime_engine *eng, const struct mime_entity *m,
	      const char *signer, bool cipher, const char *eol, struct buf *out,
	      struct err *e)
{
	struct buf inner = BUF_INIT, canon = BUF_INIT, der = BUF_INIT;
	const char *micalg = NULL;
	char *boundary = NULL;
	int rc = -1;

	if (protected_entity(m, cipher, eol, &inner, e) < 0)
		goto out;
	/* The signed bytes are the part as it will travel, in CRLF form. */
	codec_crlf(inner.data, inner.len, &canon);
	if (engine_sign(eng, signer, canon.data, canon.len, &der, &micalg, e) < 0)
		goto out;
	do {
		free(boundary);
		boundary = mime_new_boundary();
	} while (memmem(inner.data, inner.len, boundary, strlen(boundary)));
	buf_addf(out, "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";%s"
		 "\tmicalg=%s; boundary=\"%s\"%s%s", eol, micalg, boundary, eol, eol);
	buf_addf(out, "This is an S/MIME signed message.%s%s", eol, eol);
	buf_addf(out, "--%s%s", boundary, eol);
	buf_add(out, inner.data, inner.len);
	buf_addf(out, "%s--%s%s", eol, boundary, eol);
	buf_addf(out, "Content-Type: application/pkcs7-signature; name=\"smime.p7s\"%s"
		 "Content-Transfer-Encoding: base64%s"
		 "Content-Disposition: attachment; filename=\"smime.p7s\"%s%s",
		 eol, eol, eol, eol);
	codec_base64_encode(der.data, der.len, eol, out);
	buf_addf(out, "%s--%s--%s", eol, boundary, eol);
	rc = 0;
out:
	free(boundary);
	buf_release(&inner);
	buf_release(&canon);
	buf_release(&der);
	return rc;
}

int
smime_sign(struct smime_engine *eng, const char *msg, size_t len,
	   const char *signer, unsigned flags, struct buf *out, struct err *e)
{
	struct mime_entity m;

	if (len > SMIME_MAX_MESSAGE)
		return err_set(e, ERR_INPUT, "message larger than %zu bytes", SMIME_MAX_MESSAGE);
	if (mime_entity_parse(msg, len, true, &m, e) < 0)
		return -1;
	mime_copy_message_fields(&m, false, out);
	buf_addf(out, "MIME-Version: 1.0%s", m.eol);
	return signed_entity(eng, &m, signer, (flags & SMIME_SIGN_TO_ENCRYPT) != 0,
			     m.eol, out, e);
}

/*
 * Whether msg is signed already (multipart/signed or CMS at its top), and
 * then whether its signed part says its header is to be hidden.
 */
static bool
already_signed(const struct mime_entity *m, bool *cipher)
{
	struct mime_ctype ct;
	struct mime_range *parts = NULL;
	const char *b;
	size_t np = 0;
	bool closed, yes = false;

	*cipher = false;
	mime_entity_ctype(m, &ct);
	if (mime_ctype_is(&ct, "application", "pkcs7-mime") ||
	    mime_ctype_is(&ct, "application", "x-pkcs7-mime")) {
		yes = true;
	} else if (mime_ctype_is(&ct, "multipart", "signed")) {
		yes = true;
		b = mime_ctype_param(&ct, "boundary");
		if (b && mime_multipart_split(m->body.p, m->body.n, b, &parts, &np,
					      &closed, NULL) == 0 && np == 2) {
			struct mime_entity first;

			mime_entity_parse(parts[0].p, parts[0].n, false, &first, NULL);
			*cipher = hp_mode_of(&first) == SMIME_HP_CIPHER;
		}
		free(parts);
	}
	mime_ctype_release(&ct);
	return yes;
}

int
smime_encrypt(struct smime_engine *eng, const char *msg, size_t len,
	      const char *const *fprs, const unsigned *caps, size_t n,
	      const char *signer, struct buf *out, struct smime_encryption *how,
	      struct err *e)
{
	struct smime_encryption chosen = { 0 };
	struct buf plain = BUF_INIT, canon = BUF_INIT, der = BUF_INIT;
	struct mime_entity m;
	bool hide = true, signed_hide;
	int rc = -1;

	if (len > SMIME_MAX_MESSAGE)
		return err_set(e, ERR_INPUT, "message larger than %zu bytes", SMIME_MAX_MESSAGE);
	if (n == 0)
		return err_set(e, ERR_USAGE, "no recipient to encrypt to");
	if (mime_entity_parse(msg, len, true, &m, e) < 0)
		return -1;
	if (signer) {
		if (signed_entity(eng, &m, signer, true, "\r\n", &plain, e) < 0)
			goto out;
	} else if (already_signed(&m, &signed_hide)) {
		struct mime_field f;
		size_t pos = 0;

		/* Byte for byte: the signature is over these bytes, and its
		 * protected headers, if any, are under it. */
		hide = signed_hide;
		while (mime_field_next(&m.hdr, &pos, &f))
			if (mime_field_is_content(&f))
				buf_add(&plain, f.raw.p, f.raw.n);
		buf_adds(&plain, "\r\n");
		buf_add(&plain, m.body.p, m.body.n);
	} else {
		if (protected_entity(&m, true, "\r\n", &plain, e) < 0)
			goto out;
	}
	codec_crlf(plain.data, plain.len, &canon);
	if (engine_encrypt(eng, fprs, caps, n, canon.data, canon.len, &der, &chosen, e) < 0)
		goto out;
	hp_outer_fields(&m, hide, out);
	/* RFC 8551 3.2.2: AuthEnvelopedData is smime-type authEnveloped-data. */
	buf_addf(out, "MIME-Version: 1.0%s"
		 "Content-Type: application/pkcs7-mime; smime-type=%s;%s"
		 "\tname=\"smime.p7m\"%s"
		 "Content-Transfer-Encoding: base64%s"
		 "Content-Disposition: attachment; filename=\"smime.p7m\"%s%s",
		 m.eol, chosen.gcm ? "authEnveloped-data" : "enveloped-data", m.eol,
		 m.eol, m.eol, m.eol, m.eol);
	codec_base64_encode(der.data, der.len, m.eol, out);
	if (how) {
		*how = chosen;
		memset(&chosen, 0, sizeof chosen);
	}
	rc = 0;
out:
	smime_encryption_release(&chosen);
	buf_release(&plain);
	buf_release(&canon);
	buf_release(&der);
	return rc;
}
