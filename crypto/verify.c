/*
 * verify.c — the verdict of a message: walks its MIME tree, checks every
 * signature layer, decrypts only along the top crypto chain (the root and
 * the single content of each crypto layer below it), and weighs the
 * result against the message's From.
 */
#include "crypto/engine_p.h"
#include "crypto/smime_p.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct layer {
	enum smime_coverage coverage;
	size_t first_signer, n_signers;
	bool invalid;		/* the layer itself is broken (no signer, bad CMS) */
};

struct walk {
	struct smime_engine *eng;
	unsigned flags;
	struct smime_verdict *v;
	struct layer *layers;	/* owned */
	size_t n_layers;
	size_t open[SMIME_MAX_DEPTH + 2];	/* top-chain layers enclosing us */
	size_t n_open;
	struct buf *keep;	/* owned; decrypted or unwrapped contents */
	size_t n_keep;
	char **inner_from;	/* owned; From addresses inside the top chain */
	size_t n_inner_from;
	bool payload_root_seen;	/* the root of the cryptographic payload */
	struct err *e;
};

/* Each warning once, in the order raised (the order verify --json shows). */
static void
warn(struct smime_verdict *v, enum smime_warning w)
{
	if (!smime_verdict_has_warning(v, w))
		v->warnings[v->n_warnings++] = w;
}

/* Sets the verdict's error to "prefix: msg" (or msg); the first error is
 * the one that explains. */
static void
set_error(struct smime_verdict *v, const char *prefix, const char *msg)
{
	if (v->error)
		return;
	v->error = prefix ? xasprintf("%s: %s", prefix, msg) : xstrdup(msg);
}

/* A stable buffer for content the walk goes on reading. */
static struct buf *
keep_new(struct walk *w)
{
	w->keep = xrealloc(w->keep, (w->n_keep + 1) * sizeof *w->keep);
	buf_init(&w->keep[w->n_keep]);
	return &w->keep[w->n_keep++];
}

static int walk_entity(struct walk *w, const struct mime_entity *m, bool top,
		       int depth);

/* The body of m decoded per its Content-Transfer-Encoding. */
static int
decode_body(const struct mime_entity *m, struct buf *out, struct err *e)
{
	char *cte = mime_header_get(m, "Content-Transfer-Encoding", 0);
	int rc = 0;

	if (cte)
		str_lower_ascii(cte);
	if (cte && strcmp(cte, "base64") == 0)
		rc = codec_base64_decode(m->body.p, m->body.n, out, e);
	else if (cte && strcmp(cte, "quoted-printable") == 0)
		rc = codec_qp_decode(m->body.p, m->body.n, out, e);
	else
		buf_add(out, m->body.p, m->body.n);
	free(cte);
	return rc;
}

static struct layer *
layer_new(struct walk *w, bool top)
{
	struct layer *l;

	w->layers = xrealloc(w->layers, (w->n_layers + 1) * sizeof *w->layers);
	l = &w->layers[w->n_layers++];
	memset(l, 0, sizeof *l);
	l->coverage = top ? SMIME_COVERAGE_WHOLE : SMIME_COVERAGE_PART;
	l->first_signer = w->v->n_signers;
	return l;
}

static void
signer_add(struct walk *w, struct layer *l, struct cms_sig *s)
{
	struct smime_verdict *v = w->v;
	struct smime_signer *sg;
	const char *detail = NULL;

	v->signers = xrealloc(v->signers, (v->n_signers + 1) * sizeof *v->signers);
	sg = &v->signers[v->n_signers++];
	memset(sg, 0, sizeof *sg);
	l->n_signers++;
	sg->state = s->state;
	sg->capabilities = s->capabilities;
	s->capabilities = NULL;
	sg->signing_time = s->signing_time;
	if (s->crt)
		cms_describe(s->crt, (w->flags & SMIME_VERIFY_CERT_DER) != 0, sg);
	if (sg->cert_der && s->n_issuers) {
		size_t i;

		sg->issuers = xcalloc(s->n_issuers, sizeof *sg->issuers);
		for (i = 0; i < s->n_issuers; i++) {
			sg->issuers[i].der = xmalloc(s->issuers[i].size ? s->issuers[i].size : 1);
			memcpy(sg->issuers[i].der, s->issuers[i].data, s->issuers[i].size);
			sg->issuers[i].len = s->issuers[i].size;
		}
		sg->n_issuers = s->n_issuers;
	}
	if (sg->state == SMIME_SIG_VALID && sg->not_after && sg->not_after < time(NULL)) {
		sg->state = SMIME_SIG_EXPIRED;
		detail = "the signer's certificate is expired";
	}
	sg->detail = detail ? xstrdup(detail) : s->detail;
	if (detail == NULL)
		s->detail = NULL;
	if (s->revocation) {
		/* Never a silent valid: the warning, and the reason in words. */
		warn(w->v, SMIME_WARN_REVOCATION_UNKNOWN);
		if (sg->detail == NULL) {
			sg->detail = s->revocation;
			s->revocation = NULL;
		}
	}
	if (s->weak) {
		warn(w->v, SMIME_WARN_WEAK_DIGEST);
		if (sg->detail == NULL)
			sg->detail = xasprintf("signed with %s, a digest that no longer "
					       "proves who signed", s->weak);
	}
}

/* Checks one SignedData in process; content is the detached text, or NULL
 * for opaque signed-data (then *plain receives the content). */
static int
check_signed_data(struct walk *w, bool top, const unsigned char *der, size_t n,
		  const char *text, size_t textlen, struct buf *plain)
{
	struct cms_info info;
	struct cms_sig *sigs = NULL;
	struct layer *l = layer_new(w, top);
	struct err ie;
	size_t ns = 0, i;
	int r;

	if (cms_inspect(der, n, &info, &ie) < 0) {
		l->invalid = true;
		set_error(w->v, "signature unreadable", ie.msg);
		return 0;
	}
	if (info.type != CMS_SIGNED) {
		l->invalid = true;
		set_error(w->v, NULL, "the signature part holds no CMS SignedData");
		return 0;
	}
	/* Bounded work: nothing of an oversized SignedData is parsed further. */
	if (info.n_certs > SMIME_MAX_CERTIFICATES) {
		char *m = xasprintf("the signature carries %zu certificates, more than "
				    "the %d cachet reads", info.n_certs,
				    SMIME_MAX_CERTIFICATES);

		l->invalid = true;
		warn(w->v, SMIME_WARN_TOO_MANY_CERTIFICATES);
		set_error(w->v, NULL, m);
		free(m);
		return 0;
	}
	if (info.n_signer_infos > SMIME_MAX_SIGNERS) {
		char *m = xasprintf("the signature has %zu signers, more than the %d "
				    "cachet checks", info.n_signer_infos, SMIME_MAX_SIGNERS);

		l->invalid = true;
		warn(w->v, SMIME_WARN_TOO_MANY_SIGNERS);
		set_error(w->v, NULL, m);
		free(m);
		return 0;
	}
	if (info.n_signer_infos == 0) {
		l->invalid = true;
		warn(w->v, SMIME_WARN_NO_SIGNERS);
		set_error(w->v, NULL, "the signature has no signer");
		return 0;
	}
	if (text && info.has_econtent) {
		/* Which content would it vouch for?  Neither, honestly. */
		l->invalid = true;
		warn(w->v, SMIME_WARN_DETACHED_WITH_CONTENT);
		set_error(w->v, NULL, "the detached signature carries content of its own");
		return 0;
	}
	if (!text && !info.has_econtent) {
		l->invalid = true;
		set_error(w->v, NULL, "signed-data without the signed content");
		return 0;
	}
	r = cms_verify(w->eng, der, n, text, textlen, plain, &sigs, &ns, &ie);
	if (r == -1) {
		*w->e = ie;
		return -1;
	}
	if (r == -2) {
		l->invalid = true;
		set_error(w->v, "signature unreadable", ie.msg);
		return 0;
	}
	if (ns == 0) {
		l->invalid = true;
		warn(w->v, SMIME_WARN_NO_SIGNERS);
		set_error(w->v, NULL, "the signature has no signer");
	}
	if (ns > 1 || info.n_signer_infos > 1)
		warn(w->v, SMIME_WARN_MULTIPLE_SIGNERS);
	if (ns < info.n_signer_infos) {
		/* A SignerInfo that could not be evaluated is not a good one. */
		l->invalid = true;
		set_error(w->v, NULL, "some signers of the message could not be checked");
	}
	for (i = 0; i < ns; i++)
		signer_add(w, l, &sigs[i]);
	cms_sigs_free(sigs, ns);
	return 0;
}

static int
walk_content(struct walk *w, const char *p, size_t n, bool top, int depth)
{
	struct mime_entity sub;

	mime_entity_parse(p, n, false, &sub, NULL);
	if (top)
		w->open[w->n_open++] = w->n_layers - 1;
	if (walk_entity(w, &sub, top, depth + 1) < 0)
		return -1;
	if (top)
		w->n_open--;
	return 0;
}

static int
walk_multipart_signed(struct walk *w, const struct mime_entity *m,
		      const struct mime_ctype *ct, bool top, int depth)
{
	const char *b = mime_ctype_param(ct, "boundary");
	struct mime_range *parts = NULL;
	struct mime_entity sigpart;
	struct mime_ctype sct;
	struct buf canon = BUF_INIT, der = BUF_INIT;
	size_t np = 0;
	bool closed;
	struct err ie;
	int rc = -1;

	if (b == NULL || mime_multipart_split(m->body.p, m->body.n, b, &parts, &np,
					      &closed, &ie) < 0 || np != 2) {
		layer_new(w, top)->invalid = true;
		set_error(w->v, NULL, np != 2 && b
			  ? "multipart/signed without exactly two parts"
			  : "multipart/signed without its boundary");
		free(parts);
		return 0;
	}
	if (!closed)
		warn(w->v, SMIME_WARN_TRUNCATED_MULTIPART);
	mime_entity_parse(parts[1].p, parts[1].n, false, &sigpart, NULL);
	mime_entity_ctype(&sigpart, &sct);
	if (!mime_ctype_is(&sct, "application", "pkcs7-signature") &&
	    !mime_ctype_is(&sct, "application", "x-pkcs7-signature")) {
		layer_new(w, top)->invalid = true;
		set_error(w->v, NULL, "the second part of multipart/signed is not a "
			  "pkcs7-signature");
		rc = 0;
		goto out;
	}
	if (decode_body(&sigpart, &der, &ie) < 0) {
		layer_new(w, top)->invalid = true;
		set_error(w->v, "signature part unreadable", ie.msg);
		rc = 0;
		goto out;
	}
	codec_crlf(parts[0].p, parts[0].n, &canon);
	if (check_signed_data(w, top, (const unsigned char *)der.data, der.len,
			      canon.data, canon.len, NULL) < 0)
		goto out;
	rc = walk_content(w, parts[0].p, parts[0].n, top, depth);
out:
	mime_ctype_release(&sct);
	buf_release(&canon);
	buf_release(&der);
	free(parts);
	return rc;
}

static void
mark_ciphertext(struct walk *w)
{
	size_t i;

	for (i = 0; i < w->n_open; i++)
		if (w->layers[w->open[i]].coverage == SMIME_COVERAGE_WHOLE)
			w->layers[w->open[i]].coverage = SMIME_COVERAGE_CIPHERTEXT;
	if (w->n_open)
		warn(w->v, SMIME_WARN_SIGNATURE_OVER_CIPHERTEXT);
}

static int
walk_pkcs7(struct walk *w, const struct mime_entity *m, const struct mime_ctype *ct,
	   bool top, int depth)
{
	const char *st = mime_ctype_param(ct, "smime-type");
	struct buf der = BUF_INIT, *plain;
	struct cms_info info;
	const char *why;
	struct err ie;
	int rc = 0;

	if (decode_body(m, &der, &ie) < 0 || cms_inspect((unsigned char *)der.data,
							 der.len, &info, &ie) < 0) {
		if (st && strcasecmp(st, "signed-data") == 0) {
			layer_new(w, top)->invalid = true;
			set_error(w->v, "signature unreadable", ie.msg);
		} else {
			w->v->decryption = SMIME_DECRYPT_FAILED;
			set_error(w->v, "encrypted part unreadable", ie.msg);
		}
		goto out;
	}
	switch (info.type) {
	case CMS_ENVELOPED:
	case CMS_AUTH_ENVELOPED:
		if (!top) {
			/* EFAIL: never decrypt beside plaintext neighbours. */
			if (w->v->decryption != SMIME_DECRYPT_FAILED)
				w->v->decryption = SMIME_DECRYPT_REFUSED;
			warn(w->v, SMIME_WARN_ENCRYPTED_PART_REFUSED);
			goto out;
		}
		why = cms_unsupported_reason(&info);
		if (why) {
			w->v->decryption = SMIME_DECRYPT_FAILED;
			set_error(w->v, NULL, why);
			goto out;
		}
		plain = keep_new(w);
		if (engine_decrypt(w->eng, (unsigned char *)der.data, der.len, plain, &ie) < 0) {
			w->v->decryption = SMIME_DECRYPT_FAILED;
			set_error(w->v, NULL, ie.msg);
			goto out;
		}
		if (w->v->decryption == SMIME_DECRYPT_NONE)
			w->v->decryption = SMIME_DECRYPT_OK;
		mark_ciphertext(w);
		{
			struct mime_entity sub;

			mime_entity_parse(plain->data, plain->len, false, &sub, NULL);
			rc = walk_entity(w, &sub, true, depth + 1);
		}
		goto out;
	case CMS_SIGNED:
		plain = keep_new(w);
		if (check_signed_data(w, top, (unsigned char *)der.data, der.len, NULL, 0,
				      plain) < 0) {
			rc = -1;
			goto out;
		}
		if (plain->len)
			rc = walk_content(w, plain->data, plain->len, top, depth);
		goto out;
	default:
		w->v->decryption = SMIME_DECRYPT_FAILED;
		set_error(w->v, NULL, cms_unsupported_reason(&info)
			  ? cms_unsupported_reason(&info) : "unsupported CMS content");
		goto out;
	}
out:
	buf_release(&der);
	return rc;
}

/* RFC 8551 3.2.2: some agents send CMS as application/octet-stream named
 * *.p7m (in Content-Type's name or Content-Disposition's filename). */
static bool
is_p7m_entity(const struct mime_entity *m, const struct mime_ctype *ct)
{
	const char *names[2] = { NULL, NULL };
	struct mime_ctype d = { 0 };
	char *disp;
	bool yes = false;
	size_t i, n;

	if (mime_ctype_is(ct, "application", "pkcs7-mime") ||
	    mime_ctype_is(ct, "application", "x-pkcs7-mime"))
		return true;
	if (!mime_ctype_is(ct, "application", "octet-stream"))
		return false;
	names[0] = mime_ctype_param(ct, "name");
	disp = mime_header_get(m, "Content-Disposition", 0);
	if (disp && mime_disposition_parse(disp, &d) == 0)
		names[1] = mime_ctype_param(&d, "filename");
	for (i = 0; i < 2; i++)
		if (names[i] && (n = strlen(names[i])) >= 4 &&
		    strcasecmp(names[i] + n - 4, ".p7m") == 0)
			yes = true;
	mime_ctype_release(&d);
	free(disp);
	return yes;
}

/* Records the From fields of an entity inside the top crypto chain: what
 * the signed or encrypted content says about its author. */
static void
inner_from_add(struct walk *w, const struct mime_entity *m)
{
	size_t i, n = mime_header_count(m, "From");

	for (i = 0; i < n; i++) {
		char *f = mime_header_get(m, "From", i), **a = NULL;
		size_t na = 0, j;

		addr_list_parse(f, &a, &na);
		if (na == 0) {
			/* An unreadable From inside still contradicts the outer one. */
			a = xcalloc(2, sizeof *a);
			a[0] = xstrdup(f ? f : "");
			na = 1;
		}
		for (j = 0; j < na; j++) {
			w->inner_from = xrealloc(w->inner_from,
						 (w->n_inner_from + 1) * sizeof *w->inner_from);
			w->inner_from[w->n_inner_from++] = xstrdup(a[j]);
		}
		smime_strv_free(&a);
		free(f);
	}
}

static int
walk_entity(struct walk *w, const struct mime_entity *m, bool top, int depth)
{
	struct mime_ctype ct;
	int rc = 0;

	if (depth > SMIME_MAX_DEPTH)
		return err_set(w->e, ERR_INPUT, "MIME nesting deeper than %d", SMIME_MAX_DEPTH);
	if (top && depth > 0)
		inner_from_add(w, m);
	mime_entity_ctype(m, &ct);
	if (top && depth > 0 && !w->payload_root_seen &&
	    !mime_ctype_is(&ct, "multipart", "signed") && !is_p7m_entity(m, &ct)) {
		/* Inside every crypto layer of the top chain: its header
		 * fields are the protected ones (RFC 9788). */
		w->payload_root_seen = true;
		hp_read_root(m, w->v);
	}
	if (top && depth > 0 && mime_ctype_is(&ct, "message", "rfc822")) {
		/* A whole message wrapped inside the crypto layer (RFC 8551 3.1):
		 * its header is the protected one. */
		struct mime_entity sub;

		if (mime_entity_parse(m->body.p, m->body.n, false, &sub, NULL) == 0)
			inner_from_add(w, &sub);
	}
	if (mime_ctype_is(&ct, "multipart", "signed")) {
		rc = walk_multipart_signed(w, m, &ct, top, depth);
	} else if (is_p7m_entity(m, &ct)) {
		rc = walk_pkcs7(w, m, &ct, top, depth);
	} else if (mime_ctype_is(&ct, "multipart", NULL)) {
		struct mime_range *parts = NULL;
		size_t np = 0, i;
		bool closed;
		const char *b = mime_ctype_param(&ct, "boundary");

		struct err ie;

		if (b && mime_multipart_split(m->body.p, m->body.n, b, &parts, &np,
					      &closed, &ie) < 0 && np > 0) {
			/* Parts past the limit would go unchecked: refuse. */
			mime_ctype_release(&ct);
			return err_set(w->e, ERR_INPUT, "%s", ie.msg);
		}
		if (b && parts) {
			if (!closed)
				warn(w->v, SMIME_WARN_TRUNCATED_MULTIPART);
			for (i = 0; i < np && rc == 0; i++) {
				struct mime_entity sub;

				mime_entity_parse(parts[i].p, parts[i].n, false, &sub, NULL);
				rc = walk_entity(w, &sub, false, depth + 1);
			}
		}
		free(parts);
	}
	mime_ctype_release(&ct);
	return rc;
}

static void
weigh(struct walk *w, const struct mime_entity *msg)
{
	struct smime_verdict *v = w->v;
	size_t i, j, n_from = mime_header_count(msg, "From");
	bool whole = false, cipher = false, part = false;
	enum smime_sig worst = SMIME_SIG_NONE;
	char *sender = NULL;
	bool many_in_one = false;	/* one From field naming several authors */

	if (n_from == 1) {
		char *f = mime_header_get(msg, "From", 0), **a = NULL;
		size_t na = 0;

		addr_list_parse(f, &a, &na);
		if (na == 1)
			v->from = xstrdup(a[0]);
		if (na > 1) {
			/* Several authors: none of them is the one a signature binds. */
			n_from = na;
			many_in_one = true;
		}
		smime_strv_free(&a);
		free(f);
	}
	if (n_from > 1)
		warn(v, SMIME_WARN_MULTIPLE_FROM);
	{
		char *s = mime_header_get(msg, "Sender", 0), **a = NULL;
		size_t na = 0;

		if (s)
			addr_list_parse(s, &a, &na);
		if (na == 1)
			sender = xstrdup(a[0]);
		smime_strv_free(&a);
		free(s);
	}
	for (i = 0; i < w->n_layers; i++) {
		struct layer *l = &w->layers[i];

		if (l->invalid || l->n_signers == 0)
			worst = SMIME_SIG_INVALID;
		if (l->coverage == SMIME_COVERAGE_WHOLE)
			whole = true;
		else if (l->coverage == SMIME_COVERAGE_CIPHERTEXT)
			cipher = true;
		else
			part = true;
		for (j = l->first_signer; j < l->first_signer + l->n_signers; j++)
			v->signers[j].coverage = l->coverage;
	}
	/* The person sees the outer From: content that names another author
	 * behind the signature or the encryption is a spoof (or a resend). */
	for (i = 0; i < w->n_inner_from; i++) {
		if (v->from && n_from == 1 && addr_equal(w->inner_from[i], v->from))
			continue;
		warn(v, SMIME_WARN_INNER_FROM_MISMATCH);
		for (j = 0; j < v->n_signers; j++) {
			struct smime_signer *s = &v->signers[j];

			if (s->state < SMIME_SIG_MISMATCH) {
				s->state = SMIME_SIG_MISMATCH;
				free(s->detail);
				s->detail = xasprintf("the signed content is from %s, the message "
						      "header says %s", w->inner_from[i],
						      v->from ? v->from : "nobody");
			}
		}
		break;
	}
	for (i = 0; i < v->n_signers; i++) {
		struct smime_signer *s = &v->signers[i];
		bool bound = false, sender_bound = false;

		for (j = 0; j < s->n_emails; j++) {
			if (v->from && addr_equal(s->emails[j], v->from))
				bound = true;
			if (sender && addr_equal(s->emails[j], sender))
				sender_bound = true;
		}
		if (!bound || n_from != 1) {
			if (s->state < SMIME_SIG_MISMATCH) {
				s->state = SMIME_SIG_MISMATCH;
				free(s->detail);
				s->detail = n_from > 1
					? xstrdup(many_in_one ? "the message's From names several addresses"
						  : "the message has several From fields")
					: xasprintf("the certificate is for %s, the message is from %s",
						    s->email ? s->email : "no address",
						    v->from ? v->from : "nobody");
			}
			if (n_from <= 1)
				warn(v, v->from ? SMIME_WARN_FROM_MISMATCH : SMIME_WARN_NO_FROM);
		}
		if (sender && !sender_bound)
			warn(v, SMIME_WARN_SENDER_MISMATCH);
		if (s->state > worst)
			worst = s->state;
	}
	free(sender);
	if (hp_check_outer(msg, v) > 0)
		warn(v, SMIME_WARN_HEADER_MISMATCH);
	v->signature = w->n_layers ? worst : SMIME_SIG_NONE;
	v->coverage = whole ? SMIME_COVERAGE_WHOLE : cipher ? SMIME_COVERAGE_CIPHERTEXT
		: part ? SMIME_COVERAGE_PART : SMIME_COVERAGE_NONE;
	if (v->coverage == SMIME_COVERAGE_PART)
		warn(v, SMIME_WARN_UNSIGNED_CONTENT);
}

int
smime_verify(struct smime_engine *eng, const char *msg, size_t len,
	     unsigned flags, struct smime_verdict **out, struct err *e)
{
	struct walk w;
	struct mime_entity m;
	size_t i;
	int rc = -1;

	*out = NULL;
	if (len > SMIME_MAX_MESSAGE)
		return err_set(e, ERR_INPUT, "message larger than %zu bytes", SMIME_MAX_MESSAGE);
	if (mime_entity_parse(msg, len, true, &m, e) < 0)
		return -1;
	memset(&w, 0, sizeof w);
	w.eng = eng;
	w.flags = flags;
	w.e = e;
	w.v = xcalloc(1, sizeof *w.v);
	if (walk_entity(&w, &m, true, 0) < 0) {
		smime_verdict_free(&w.v);
		goto out;
	}
	weigh(&w, &m);
	*out = w.v;
	rc = 0;
out:
	for (i = 0; i < w.n_keep; i++)
		buf_release(&w.keep[i]);
	free(w.keep);
	for (i = 0; i < w.n_inner_from; i++)
		free(w.inner_from[i]);
	free(w.inner_from);
	free(w.layers);
	return rc;
}

/*
 * The encrypted entity under the signature layers at the top of m: a
 * multipart/signed whose first part is encrypted, or opaque signed-data
 * carrying it (a signature over ciphertext).  Only the single content of
 * each layer is followed, never a neighbour.  *unwrapped counts the
 * signature layers passed; keep holds what opaque signatures carried.
 */
static int
find_encrypted(const struct mime_entity *m,
	       struct buf *keep, size_t n_keep, struct mime_entity *found,
	       unsigned *unwrapped, struct err *e)
{
	struct mime_entity cur = *m;
	size_t depth;

	*unwrapped = 0;
	for (depth = 0; depth < n_keep; depth++) {
		struct mime_ctype ct;
		struct buf der = BUF_INIT;
		struct cms_info info;
		int rc = -1;

		mime_entity_ctype(&cur, &ct);
		if (mime_ctype_is(&ct, "multipart", "signed")) {
			const char *b = mime_ctype_param(&ct, "boundary");
			struct mime_range *parts = NULL;
			size_t np = 0;
			bool closed;

			if (b && mime_multipart_split(cur.body.p, cur.body.n, b, &parts, &np,
						      &closed, NULL) == 0 && np == 2) {
				mime_entity_parse(parts[0].p, parts[0].n, false, &cur, NULL);
				(*unwrapped)++;
				rc = 1;
			} else {
				err_set(e, ERR_INPUT, "not an encrypted message (a malformed "
					"multipart/signed at its top)");
			}
			free(parts);
		} else if (is_p7m_entity(&cur, &ct)) {
			if (decode_body(&cur, &der, e) < 0 ||
			    cms_inspect((unsigned char *)der.data, der.len, &info, e) < 0) {
				err_prefix(e, "encrypted part unreadable");
			} else if (info.type == CMS_ENVELOPED || info.type == CMS_AUTH_ENVELOPED) {
				*found = cur;
				rc = 0;
			} else if (info.type == CMS_SIGNED && info.has_econtent) {
				/* Only unwrapped: the signature over ciphertext vouches
				 * for nothing the person will read. */
				if (cms_content((unsigned char *)der.data, der.len, &keep[depth],
						e) == 0) {
					mime_entity_parse(keep[depth].data ? keep[depth].data : "",
							  keep[depth].len, false, &cur, NULL);
					(*unwrapped)++;
					rc = 1;
				} else {
					err_prefix(e, "not an encrypted message (its top is "
						   "signed-data that cannot be read)");
					if (e)
						e->code = ERR_INPUT;
				}
			} else {
				err_set(e, ERR_INPUT, "not an encrypted message (CMS %s)",
					info.type == CMS_SIGNED ? "signed-data" :
					"content of another kind");
			}
		} else {
			err_set(e, ERR_INPUT, "not an encrypted message (%s %s/%s)",
				*unwrapped ? "the signed content is" : "its top is",
				ct.type, ct.subtype);
		}
		mime_ctype_release(&ct);
		buf_release(&der);
		if (rc <= 0)
			return rc;
	}
	return err_set(e, ERR_INPUT, "not an encrypted message (signatures nested deeper "
		       "than %zu)", n_keep);
}

int
smime_decrypt(struct smime_engine *eng, const char *msg, size_t len,
	      struct buf *out, struct err *e)
{
	return smime_decrypt_with_notes(eng, msg, len, out, NULL, e);
}

int
smime_decrypt_with_notes(struct smime_engine *eng, const char *msg, size_t len,
			 struct buf *out, unsigned *notes, struct err *e)
{
	struct buf der = BUF_INIT, plain = BUF_INIT, keep[SMIME_MAX_DEPTH];
	struct mime_entity m, enc, inner;
	struct cms_info info;
	const char *why;
	unsigned unwrapped = 0;
	size_t i;
	int rc = -1;

	if (notes)
		*notes = 0;
	if (len > SMIME_MAX_MESSAGE)
		return err_set(e, ERR_INPUT, "message larger than %zu bytes", SMIME_MAX_MESSAGE);
	if (mime_entity_parse(msg, len, true, &m, e) < 0)
		return -1;
	for (i = 0; i < SMIME_MAX_DEPTH; i++)
		buf_init(&keep[i]);
	if (find_encrypted(&m, keep, SMIME_MAX_DEPTH, &enc, &unwrapped, e) < 0)
		goto out;
	if (decode_body(&enc, &der, e) < 0 ||
	    cms_inspect((unsigned char *)der.data, der.len, &info, e) < 0) {
		err_prefix(e, "encrypted part unreadable");
		goto out;
	}
	why = cms_unsupported_reason(&info);
	if (why) {
		err_set(e, ERR_UNSUPPORTED, "%s", why);
		goto out;
	}
	if (engine_decrypt(eng, (unsigned char *)der.data, der.len, &plain, e) < 0)
		goto out;
	mime_entity_parse(plain.data, plain.len, false, &inner, NULL);
	/* The outer header in the line ending of the decrypted entity; the
	 * protected fields of the entity, when it has them, stand for the
	 * outer ones of their names (one Subject: the real one). */
	{
		struct buf fields = BUF_INIT;
		bool hp = hp_mode_of(&inner) != SMIME_HP_NONE;
		struct mime_field f;
		size_t pos = 0, n_names = 0;
		char **names = hp ? hp_field_names(&inner, &n_names) : NULL;

		while (mime_field_next(&m.hdr, &pos, &f)) {
			char *name;

			if (mime_field_is_content(&f) || mime_field_is(&f, "MIME-Version"))
				continue;
			name = xstrndup(f.name.p, f.name.n);
			if (!hp_names_have(names, n_names, name)) {
				buf_add(&fields, f.raw.p, f.raw.n);
				if (f.raw.n == 0 || f.raw.p[f.raw.n - 1] != '\n')
					buf_adds(&fields, m.eol);
			}
			free(name);
		}
		hp_names_free(names, n_names);
		codec_eol(fields.data ? fields.data : "", fields.len, inner.eol, out);
		buf_release(&fields);
		if (!hp || mime_header_count(&inner, "MIME-Version") == 0)
			buf_addf(out, "MIME-Version: 1.0%s", inner.eol);
	}
	if (inner.hdr.n == 0 && plain.len && plain.data[0] != '\n' && plain.data[0] != '\r')
		buf_adds(out, inner.eol);	/* a header-less entity: add its blank line */
	buf_add(out, plain.data, plain.len);
	if (notes && unwrapped)
		*notes |= SMIME_DECRYPT_SIGNATURE_REMOVED;
	rc = 0;
out:
	for (i = 0; i < SMIME_MAX_DEPTH; i++)
		buf_release(&keep[i]);
	buf_release(&der);
	buf_release(&plain);
	return rc;
}
