/* harvest.c — the harvest policy: which certificates a message may give us. */
#include "certstore/store_p.h"

#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

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

/* The value of parameter name in a Content-Type value, lower-cased. */
static char *
ct_param(const char *value, const char *name)
{
	size_t n = strlen(name);
	const char *p = value;

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, name, n) == 0) {
			const char *q = p + n;

			while (*q == ' ' || *q == '\t')
				q++;
			if (*q != '=')
				continue;
			q++;
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q == '"') {
				const char *end = strchr(q + 1, '"');
				char *v = xstrndup(q + 1, end ? (size_t)(end - q - 1)
						   : strlen(q + 1));

				str_lower_ascii(v);
				return v;
			} else {
				char *v = xstrndup(q, strcspn(q, " \t;"));

				str_lower_ascii(v);
				return v;
			}
		}
	}
	return NULL;
}

static int
decode_base64(const char *body, size_t len, unsigned char **out, size_t *out_len)
{
	gnutls_datum_t in, res = { NULL, 0 };
	char *clean = xmalloc(len + 1);
	size_t i, n = 0;
	int rc;

	for (i = 0; i < len; i++)
		if (body[i] != '\r' && body[i] != '\n' && body[i] != ' ' && body[i] != '\t')
			clean[n++] = body[i];
	clean[n] = '\0';
	in.data = (unsigned char *)clean;
	in.size = (unsigned)n;
	rc = gnutls_base64_decode2(&in, &res);
	free(clean);
	if (rc < 0)
		return -1;
	*out = xmalloc(res.size ? res.size : 1);
	memcpy(*out, res.data, res.size);
	*out_len = res.size;
	gnutls_free(res.data);
	return 0;
}

int
certstore_msginfo_parse(const char *msg, size_t len, struct certstore_msginfo *m,
			struct err *e)
{
	struct buf field = BUF_INIT;
	char *ctype = NULL, *cte = NULL;
	const char *p = msg, *end = msg + len, *eol, *body = NULL;
	size_t n_from_total = 0, n_fields = 0;

	memset(m, 0, sizeof(*m));
	/* Collect each unfolded field, then act on it at the next field start. */
	for (;;) {
		size_t l;

		eol = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		l = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (l && p[l - 1] == '\r')
			l--;
		if (p < end && l > 0 && (p[0] == ' ' || p[0] == '\t') && field.len) {
			buf_addc(&field, ' ');
			buf_add(&field, p, l);
		} else {
			if (field.len) {
				char *colon = strchr(field.data, ':');

				if (colon) {
					n_fields++;
					char *value;

					*colon = '\0';
					value = str_trim(colon + 1);
					if (str_casecmp_ascii(field.data, "From") == 0) {
						char *addr;
						size_t cnt;

						parse_addresses(value, &addr, &cnt);
						n_from_total += cnt ? cnt : 1;
						if (m->from == NULL)
							m->from = addr;
						else
							free(addr);
					} else if (str_casecmp_ascii(field.data, "Message-ID") == 0 &&
						   m->message_id == NULL) {
						m->message_id = xstrdup(value);
					} else if (str_casecmp_ascii(field.data, "Date") == 0 &&
						   m->date == NULL) {
						m->date = xstrdup(value);
					} else if (str_casecmp_ascii(field.data, "Content-Type") == 0 &&
						   ctype == NULL) {
						ctype = xstrdup(value);
					} else if (str_casecmp_ascii(field.data,
								     "Content-Transfer-Encoding") == 0 &&
						   cte == NULL) {
						cte = xstrdup(str_trim(value));
					}
				}
				buf_reset(&field);
			}
			if (p >= end || l == 0) {
				body = eol ? eol + 1 : end;
				break;
			}
			buf_add(&field, p, l);
		}
		p = eol ? eol + 1 : end;
	}
	buf_release(&field);
	m->n_from = n_from_total;
	if (ctype) {
		char *type = xstrndup(ctype, strcspn(ctype, "; \t"));
		char *smime_type = ct_param(ctype, "smime-type");

		str_lower_ascii(type);
		if ((strcmp(type, "application/pkcs7-mime") == 0 ||
		     strcmp(type, "application/x-pkcs7-mime") == 0) &&
		    smime_type && strcmp(smime_type, "certs-only") == 0)
			m->certs_only = true;
		free(type);
		free(smime_type);
	}
	if (m->certs_only) {
		size_t blen = (size_t)(end - body);

		if (cte && str_casecmp_ascii(cte, "base64") == 0) {
			if (decode_base64(body, blen, &m->certs_der,
					  &m->certs_der_len) < 0) {
				free(ctype);
				free(cte);
				certstore_msginfo_release(m);
				return err_set(e, ERR_INPUT, "the certs-only body is "
					       "not valid base64");
			}
		} else {
			m->certs_der = xmalloc(blen ? blen : 1);
			memcpy(m->certs_der, body, blen);
			m->certs_der_len = blen;
		}
	}
	if (n_fields == 0) {
		free(cte);
		certstore_msginfo_release(m);
		return err_set(e, ERR_INPUT, "no message header");
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

/* The checks every certificate goes through before it is bound to address. */
static int
check_cert(struct certstore *s, const struct certstore_cert *c,
	   const char *address, time_t now, const char **reason, struct err *e)
{
	*reason = certstore_cert_check(c, now);
	if (*reason)
		return 0;
	if (!certstore_cert_has_email(c, address)) {
		*reason = CERTSTORE_R_FROM_MISMATCH;
		return 0;
	}
	return certstore_chain_check(s, c, reason, e);
}

/*
 * The signer's own certificate: the verdict's DER when it has it, else the
 * copy the store holds under the signer's fingerprint (most mail comes from
 * known correspondents), else gpgsm's keybox, where the verification left
 * it.  *c is NULL when none can be had; -1 only on ERR_STORE.
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
	if (rc == 0)
		certstore_keybox_export(s, fpr, c, NULL);
	free(fpr);
	return rc < 0 ? -1 : 0;
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
		if (reason == NULL && check_cert(s, c, info->from, now, &reason, e) < 0) {
			certstore_cert_free(&c);
			return -1;
		}
		if (reason) {
			outcome_add(out, email, c ? c->fpr_sha1 : sg->fingerprint,
				    reason, CERTSTORE_TRUSTED, CERTSTORE_CHANGE_NEW);
		} else if (bind_outcome(s, info->from, c, mode, &o, now, out, e) < 0) {
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
	/* CA certificates in the bundle may complete a chain: give them to
	 * gpgsm, but trust comes only from its trust anchors. */
	for (i = 0; i < n; i++) {
		struct err ie = { 0 };

		if (certs[i]->is_ca && certstore_keybox_import(s, certs[i], &ie) < 0 &&
		    ie.code != ERR_CRYPTO)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		const struct certstore_cert *c = certs[i];

		if (c->is_ca)
			continue;
		if (info->from == NULL || info->n_from != 1) {
			reason = info->from ? CERTSTORE_R_FROM_MISMATCH : CERTSTORE_R_NO_FROM;
		} else if (check_cert(s, c, info->from, now, &reason, e) < 0) {
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
		if (reason == NULL && certstore_chain_check(s, c, &reason, e) < 0)
			return -1;
	} else if (certstore_keybox_import(s, c, e) < 0) {
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
