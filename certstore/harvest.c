/* harvest.c — the harvest policy: which certificates a message may give us. */
#include "certstore/store_p.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/smime.h"

/* ---- Reading the header --------------------------------------------- */

/* Splits an address list at top-level commas; each piece's address. */
static void
parse_addresses(const char *value, char **first, size_t *count)
{
	const char *p = value, *start = value;
	int depth = 0;
	bool quoted = false;

	*first = NULL;
	*count = 0;
	for (;; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '"' && depth == 0)
			quoted = !quoted;
		else if (!quoted && *p == '(')
			depth++;
		else if (!quoted && *p == ')' && depth > 0)
			depth--;
		if (*p == '\0' || (*p == ',' && !quoted && depth == 0)) {
			char *piece = xstrndup(start, (size_t)(p - start)), *addr;
			char *lt = strrchr(piece, '<'), *gt;

			if (lt && (gt = strchr(lt, '>')) != NULL) {
				*gt = '\0';
				addr = certstore_address_normalize(lt + 1);
			} else {
				/* Drop a trailing comment: a@b (Name). */
				char *paren = strchr(piece, '(');

				if (paren)
					*paren = '\0';
				addr = certstore_address_normalize(piece);
			}
			if (addr) {
				(*count)++;
				if (*first == NULL)
					*first = addr;
				else
					free(addr);
			} else if (str_trim(piece)[0] != '\0') {
				/* Something that is not an address still counts. */
				(*count)++;
			}
			free(piece);
			start = p + 1;
		}
		if (*p == '\0')
			break;
	}
}

/*
 * The header is read by crypto's parser, the one the verdict is computed
 * with: harvest binds a certificate to the From the verdict checked, read
 * the same way.
 */
int
certstore_msginfo_parse(const char *msg, size_t len, struct certstore_msginfo *m,
			struct err *e)
{
	struct mime_range hdr = { msg, mime_header_end(msg, len) };
	struct mime_field f;
	struct mime_ctype ct;
	char *ctype = NULL, *cte = NULL;
	const char *body = msg + hdr.n;
	size_t pos = 0, n_fields = 0;

	memset(m, 0, sizeof(*m));
	while (mime_field_next(&hdr, &pos, &f)) {
		char *value;

		/* A line without a colon is not a field. */
		if (memchr(f.raw.p, ':', f.raw.n) == NULL)
			continue;
		n_fields++;
		if (mime_field_is(&f, "From")) {
			char *addr;
			size_t cnt;

			value = mime_field_value(&f);
			parse_addresses(value, &addr, &cnt);
			m->n_from += cnt ? cnt : 1;
			if (m->from == NULL)
				m->from = addr;
			else
				free(addr);
			free(value);
		} else if (mime_field_is(&f, "Message-ID") && m->message_id == NULL) {
			m->message_id = mime_field_value(&f);
		} else if (mime_field_is(&f, "Date") && m->date == NULL) {
			m->date = mime_field_value(&f);
		} else if (mime_field_is(&f, "Content-Type") && ctype == NULL) {
			ctype = mime_field_value(&f);
		} else if (mime_field_is(&f, "Content-Transfer-Encoding") && cte == NULL) {
			cte = mime_field_value(&f);
		}
	}
	if (n_fields == 0) {
		free(ctype);
		free(cte);
		certstore_msginfo_release(m);
		return err_set(e, ERR_INPUT, "no message header");
	}
	if (ctype && mime_ctype_parse(ctype, &ct, NULL) == 0) {
		const char *smime_type = mime_ctype_param(&ct, "smime-type");

		m->certs_only = (mime_ctype_is(&ct, "application", "pkcs7-mime") ||
				 mime_ctype_is(&ct, "application", "x-pkcs7-mime")) &&
				smime_type && str_casecmp_ascii(smime_type, "certs-only") == 0;
		mime_ctype_release(&ct);
	}
	if (m->certs_only) {
		size_t blen = (size_t)(msg + len - body);
		struct buf der = BUF_INIT;

		if (cte && str_casecmp_ascii(cte, "base64") == 0) {
			if (codec_base64_decode(body, blen, &der, NULL) < 0) {
				buf_release(&der);
				free(ctype);
				free(cte);
				certstore_msginfo_release(m);
				return err_set(e, ERR_INPUT, "the certs-only body is "
					       "not valid base64");
			}
		} else {
			buf_add(&der, body, blen);
		}
		buf_grow(&der, 0);
		m->certs_der = (unsigned char *)buf_detach(&der, &m->certs_der_len);
	}
	free(ctype);
	free(cte);
	return 0;
}

void
certstore_msginfo_release(struct certstore_msginfo *m)
{
	free(m->from);
	free(m->message_id);
	free(m->date);
	free(m->certs_der);
	memset(m, 0, sizeof(*m));
}

/* ---- Outcomes ------------------------------------------------------- */

static void
outcome_add(struct certstore_outcomes *out, const char *email, const char *fpr,
	    const char *reason, enum certstore_state state,
	    enum certstore_change change)
{
	struct certstore_outcome *o;

	out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	o = &out->v[out->n++];
	o->email = email ? xstrdup(email) : NULL;
	o->fingerprint = fpr ? xstrdup(fpr) : NULL;
	o->reason = reason;
	o->state = state;
	o->change = change;
}

char *
certstore_outcomes_summary(const struct certstore_outcomes *o)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < o->n; i++)
		buf_addf(&b, "%s%s", b.len ? "," : "",
			 o->v[i].reason ? o->v[i].reason : "stored");
	if (b.len == 0)
		buf_adds(&b, "nothing");
	return buf_detach(&b, NULL);
}

void
certstore_outcomes_release(struct certstore_outcomes *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->v[i].email);
		free(o->v[i].fingerprint);
	}
	free(o->v);
	o->v = NULL;
	o->n = 0;
}

/* Binds after the checks passed; a conflict or revoked binding is a refusal. */
static int
bind_outcome(struct certstore *s, const char *address,
	     const struct certstore_cert *c, enum certstore_mode mode,
	     const struct certstore_origin *o, time_t now,
	     struct certstore_outcomes *out, struct err *e)
{
	enum certstore_state state;
	enum certstore_change change;
	const char *reason = NULL;

	if (certstore_bind(s, address, c, mode, o, now, &state, &change, e) < 0)
		return -1;
	if (state == CERTSTORE_CONFLICT)
		reason = CERTSTORE_R_CONFLICT;
	else if (state == CERTSTORE_REVOKED)
		reason = CERTSTORE_R_REVOKED_BY_USER;
	outcome_add(out, address, c->fpr_sha1, reason, state, change);
	return 0;
}

static const char *
signer_reason(enum smime_sig sig)
{
	switch (sig) {
	case SMIME_SIG_VALID: return NULL;
	case SMIME_SIG_NONE: return CERTSTORE_R_NOT_SIGNED;
	case SMIME_SIG_UNTRUSTED: return CERTSTORE_R_UNTRUSTED;
	case SMIME_SIG_EXPIRED: return CERTSTORE_R_EXPIRED;
	case SMIME_SIG_REVOKED: return CERTSTORE_R_REVOKED;
	case SMIME_SIG_MISMATCH: return CERTSTORE_R_FROM_MISMATCH;
	case SMIME_SIG_INVALID: return CERTSTORE_R_INVALID;
	}
	return CERTSTORE_R_INVALID;
}

/* The reason for a verdict crypto does not call valid and whole. */
static const char *
summary_reason(enum smime_summary sum)
{
	switch (sum) {
	case SMIME_SUMMARY_GOOD:
	case SMIME_SUMMARY_CAUTION: return NULL;
	case SMIME_SUMMARY_NOT_SIGNED: return CERTSTORE_R_NOT_SIGNED;
	case SMIME_SUMMARY_NOT_DECRYPTED:
	case SMIME_SUMMARY_PARTIAL: return CERTSTORE_R_PARTIAL;
	case SMIME_SUMMARY_NO_FROM: return CERTSTORE_R_NO_FROM;
	case SMIME_SUMMARY_FROM_MISMATCH: return CERTSTORE_R_FROM_MISMATCH;
	case SMIME_SUMMARY_UNTRUSTED: return CERTSTORE_R_UNTRUSTED;
	case SMIME_SUMMARY_EXPIRED: return CERTSTORE_R_EXPIRED;
	case SMIME_SUMMARY_REVOKED: return CERTSTORE_R_REVOKED;
	case SMIME_SUMMARY_INVALID:
	case SMIME_SUMMARY_COUNT: break;
	}
	return CERTSTORE_R_INVALID;
}

/*
 * Reasons that belong to the message, whoever signed it: crypto's summary
 * up to the signature's own state (which signer_reason names per signer),
 * and harvest's stricter reading of the structure and of From.  A message
 * cut short, or one that also carries a signature over ciphertext, may be
 * valid and whole to verify, but a certificate is stored only from a
 * message without doubt.  Our own reading of From counts as well as the
 * verdict's: any disagreement refuses.
 */
static const char *
message_reason(const struct smime_verdict *v, const struct certstore_msginfo *info)
{
	enum smime_summary sum = smime_verdict_summary(v);
	char *vfrom;
	bool same;

	if (v->n_signers == 0 || sum == SMIME_SUMMARY_NOT_SIGNED)
		return CERTSTORE_R_NOT_SIGNED;
	if (sum == SMIME_SUMMARY_NOT_DECRYPTED || sum == SMIME_SUMMARY_PARTIAL ||
	    smime_verdict_has_warning(v, SMIME_WARN_TRUNCATED_MULTIPART) ||
	    smime_verdict_has_warning(v, SMIME_WARN_SIGNATURE_OVER_CIPHERTEXT))
		return CERTSTORE_R_PARTIAL;
	if (sum == SMIME_SUMMARY_NO_FROM || info->from == NULL)
		return CERTSTORE_R_NO_FROM;
	if (sum == SMIME_SUMMARY_FROM_MISMATCH || info->n_from != 1)
		return CERTSTORE_R_FROM_MISMATCH;
	if (v->from) {
		vfrom = certstore_address_normalize(v->from);
		same = vfrom && strcmp(vfrom, info->from) == 0;
		free(vfrom);
		if (!same)
			return CERTSTORE_R_FROM_MISMATCH;
	}
	return NULL;
}

/*
 * The checks every certificate goes through before it is bound to
 * address, its chain checked again here (whoever computed the verdict)
 * with the intermediates extra.
 */
static int
check_cert(struct certstore *s, const struct certstore_cert *c,
	   const char *address, time_t now, struct certstore_cert *const *extra,
	   size_t n_extra, const char **reason, struct err *e)
{
	*reason = certstore_cert_check(c, now);
	if (*reason)
		return 0;
	if (!certstore_cert_has_email(c, address)) {
		*reason = CERTSTORE_R_FROM_MISMATCH;
		return 0;
	}
	return certstore_chain_check(s, c, extra, n_extra, reason, e);
}

/*
 * The signer's own certificate: the verdict's DER when it has it, else the
 * copy the store holds under the signer's fingerprint (most mail comes from
 * known correspondents).  *c is NULL when none can be had; -1 only on
 * ERR_STORE.
 */
static int
signer_cert(struct certstore *s, const struct smime_signer *sg,
	    struct certstore_cert **c, struct err *e)
{
	char *fpr;
	int rc;

	*c = NULL;
	if (sg->cert_der) {
		/* An unparsable certificate leaves *c NULL: a refusal. */
		certstore_cert_parse(sg->cert_der, sg->cert_der_len, c, NULL);
		return 0;
	}
	if (sg->fingerprint == NULL || (fpr = certstore_fpr_normalize(sg->fingerprint)) == NULL)
		return 0;
	rc = certstore_cert_by_fpr(s, fpr, c, e);
	free(fpr);
	return rc < 0 ? -1 : 0;
}

/* check_cert for a signer, through the intermediates its verification
 * used (those a certificate parser here cannot read are left out). */
static int
signer_check(struct certstore *s, const struct smime_signer *sg,
	     const struct certstore_cert *c, const char *address, time_t now,
	     const char **reason, struct err *e)
{
	struct certstore_cert **extra = NULL;
	size_t n = 0, i;
	int rc;

	if (sg->n_issuers)
		extra = xcalloc(sg->n_issuers, sizeof *extra);
	for (i = 0; i < sg->n_issuers; i++)
		if (certstore_cert_parse(sg->issuers[i].der, sg->issuers[i].len, &extra[n],
					 NULL) == 0)
			n++;
	rc = check_cert(s, c, address, now, extra, n, reason, e);
	certstore_certs_free(&extra, n);
	return rc;
}

int
certstore_harvest_verdict(struct certstore *s, const struct smime_verdict *v,
			  const struct certstore_msginfo *info,
			  enum certstore_mode mode, const char *file, time_t now,
			  struct certstore_outcomes *out, struct err *e)
{
	struct certstore_origin o = { "harvest", info->message_id, info->date, file };
	const char *msg_reason = message_reason(v, info), *reason;
	struct certstore_cert *c;
	size_t i;

	if (v->n_signers == 0) {
		outcome_add(out, info->from, NULL, msg_reason, CERTSTORE_TRUSTED,
			    CERTSTORE_CHANGE_NEW);
		return 0;
	}
	for (i = 0; i < v->n_signers; i++) {
		const struct smime_signer *sg = &v->signers[i];
		const char *email = sg->email ? sg->email : info->from;

		c = NULL;
		reason = msg_reason;
		/* The weakest signer decides for the message; a signer's own
		 * state names the cause more precisely. */
		/* Another signature may cover the whole message; this
		 * signer's must. */
		if (reason == NULL && sg->coverage != SMIME_COVERAGE_WHOLE)
			reason = CERTSTORE_R_PARTIAL;
		if (reason == NULL && sg->state == SMIME_SIG_UNTRUSTED && sg->cert_der) {
			/* The certificate's own flaw (no emailProtection, no
			 * address) names the cause better than "untrusted". */
			struct certstore_cert *own = NULL;

			if (certstore_cert_parse(sg->cert_der, sg->cert_der_len, &own,
						 NULL) == 0)
				reason = certstore_cert_check(own, now);
			certstore_cert_free(&own);
		}
		if (reason == NULL)
			reason = signer_reason(sg->state);
		if (reason == NULL)
			reason = summary_reason(smime_verdict_summary(v));
		if (reason == NULL && signer_cert(s, sg, &c, e) < 0)
			return -1;
		if (reason == NULL && c == NULL)
			reason = CERTSTORE_R_BAD_CERT;
		if (reason == NULL && signer_check(s, sg, c, info->from, now, &reason, e) < 0) {
			certstore_cert_free(&c);
			return -1;
		}
		if (reason) {
			outcome_add(out, email, c ? c->fpr_sha1 : sg->fingerprint,
				    reason, CERTSTORE_TRUSTED, CERTSTORE_CHANGE_NEW);
		} else if (bind_outcome(s, info->from, c, mode, &o, now, out, e) < 0 ||
			   (sg->capabilities &&
			    certstore_capabilities_record(s, info->from, c->fpr_sha1,
							  sg->capabilities, sg->signing_time,
							  now, e) < 0)) {
			certstore_cert_free(&c);
			return -1;
		}
		certstore_cert_free(&c);
	}
	return 0;
}

int
certstore_harvest_certs_only(struct certstore *s,
			     const struct certstore_msginfo *info,
			     enum certstore_mode mode, const char *file,
			     time_t now, struct certstore_outcomes *out,
			     struct err *e)
{
	struct certstore_origin o = { "certs-only", info->message_id, info->date, file };
	struct certstore_cert **certs = NULL;
	const char *reason;
	size_t n = 0, i;
	int rc = 0;

	if (certstore_cert_parse_all(info->certs_der, info->certs_der_len, &certs,
				     &n, NULL) < 0) {
		outcome_add(out, info->from, NULL, CERTSTORE_R_BAD_CERT,
			    CERTSTORE_TRUSTED, CERTSTORE_CHANGE_NEW);
		return 0;
	}
	for (i = 0; i < n; i++) {
		const struct certstore_cert *c = certs[i];

		if (c->is_ca)
			continue;
		if (info->from == NULL || info->n_from != 1) {
			reason = info->from ? CERTSTORE_R_FROM_MISMATCH : CERTSTORE_R_NO_FROM;
		} else if (check_cert(s, c, info->from, now, certs, n, &reason, e) < 0) {
			/* The bundle's CA certificates may complete the chain,
			 * for this check only; trust comes from the anchors. */
			goto fail;
		}
		if (reason) {
			outcome_add(out, c->n_emails ? c->emails[0] : info->from,
				    c->fpr_sha1, reason, CERTSTORE_TRUSTED,
				    CERTSTORE_CHANGE_NEW);
		} else if (bind_outcome(s, info->from, c, mode, &o, now, out, e) < 0) {
			goto fail;
		}
	}
	goto out;
fail:
	rc = -1;
out:
	certstore_certs_free(&certs, n);
	return rc;
}

int
certstore_harvest_message(struct certstore *s, const char *identity,
			  const char *msg, size_t len, const struct smime_verdict *v,
			  struct smime_engine **eng, enum certstore_mode mode,
			  const char *file, time_t now, struct certstore_outcomes *out,
			  bool *seen, struct err *e)
{
	struct certstore_msginfo info;
	struct smime_verdict *own = NULL;
	char hash[65], *sum;
	const char *key = identity;
	int rc;

	*seen = false;
	if (key == NULL) {
		if (msg == NULL)
			return err_set(e, ERR_USAGE, "a message without bytes or identity");
		certstore_message_key(msg, len, hash);
		key = hash;
	}
	rc = certstore_seen_get(s, key, NULL, e);
	if (rc != 0 || msg == NULL) {
		*seen = rc == 1;
		return rc < 0 ? -1 : 0;
	}
	if (certstore_msginfo_parse(msg, len, &info, e) < 0)
		return -1;
	if (info.certs_only) {
		rc = certstore_harvest_certs_only(s, &info, mode, file, now, out, e);
	} else if (v == NULL &&
		   ((*eng == NULL && (smime_engine_new(s->gnupg_home, eng, e) < 0 ||
				      certstore_give_anchors(s, *eng, e) < 0)) ||
		    smime_verify(*eng, msg, len, SMIME_VERIFY_CERT_DER, &own, e) < 0)) {
		rc = -1;
	} else {
		rc = certstore_harvest_verdict(s, v ? v : own, &info, mode, file, now,
					       out, e);
	}
	if (rc == 0) {
		sum = certstore_outcomes_summary(out);
		rc = certstore_seen_put(s, key, info.message_id, sum, now, e);
		free(sum);
	}
	smime_verdict_free(&own);
	certstore_msginfo_release(&info);
	return rc;
}

int
certstore_import_cert(struct certstore *s, const struct certstore_cert *c,
		      struct certstore_cert *const *extra, size_t n_extra,
		      bool force, const char *file, time_t now,
		      struct certstore_outcomes *out, struct err *e)
{
	struct certstore_origin o = { force ? "import-forced" : "import", NULL, NULL,
				      file };
	const char *reason = NULL;
	size_t i;

	if (c->is_ca) {
		outcome_add(out, NULL, c->fpr_sha1, CERTSTORE_R_CA_CERT,
			    CERTSTORE_TRUSTED, CERTSTORE_CHANGE_NEW);
		return 0;
	}
	if (c->n_emails == 0) {
		outcome_add(out, NULL, c->fpr_sha1, CERTSTORE_R_NO_EMAIL,
			    CERTSTORE_TRUSTED, CERTSTORE_CHANGE_NEW);
		return 0;
	}
	if (!force) {
		reason = certstore_cert_check(c, now);
		if (reason == NULL && certstore_chain_check(s, c, extra, n_extra, &reason,
							    e) < 0)
			return -1;
	}
	for (i = 0; i < c->n_emails; i++) {
		if (reason)
			outcome_add(out, c->emails[i], c->fpr_sha1, reason,
				    CERTSTORE_TRUSTED, CERTSTORE_CHANGE_NEW);
		else if (bind_outcome(s, c->emails[i], c, CERTSTORE_MODE_TRUSTED, &o,
				      now, out, e) < 0)
			return -1;
	}
	return 0;
}
