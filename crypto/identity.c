/* identity.c — the person's own identities: a PKCS#12 file read with
 * GnuTLS, its key imported into gpg-agent, its certificates into gpgsm's
 * keybox; and the list of certificates whose secret key the agent holds. */
#include "crypto/agent_p.h"
#include "crypto/smime_p.h"

#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>
#include <gpgme.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A GnuTLS datum as an unsigned integer of exactly n bytes (zeros added
 * on the left), for the coordinates of an EC point. */
static int
add_fixed(struct buf *out, const gnutls_datum_t *d, size_t n)
{
	const unsigned char *p = d->data;
	size_t len = d->size;

	while (len > 0 && p[0] == 0) {
		p++;
		len--;
	}
	if (len > n)
		return -1;
	while (n-- > len)
		buf_addc(out, '\0');
	buf_add(out, p, len);
	return 0;
}

/* Compares two unsigned big-endian integers. */
static int
uint_cmp(const gnutls_datum_t *a, const gnutls_datum_t *b)
{
	const unsigned char *pa = a->data, *pb = b->data;
	size_t la = a->size, lb = b->size;

	while (la && *pa == 0) {
		pa++;
		la--;
	}
	while (lb && *pb == 0) {
		pb++;
		lb--;
	}
	if (la != lb)
		return la < lb ? -1 : 1;
	return memcmp(pa, pb, la);
}

static void
add_param(struct buf *out, const char *name, const gnutls_datum_t *d)
{
	buf_addf(out, "(%zu:%s", strlen(name), name);
	agent_sexp_mpi(out, d->data, d->size);
	buf_addc(out, ')');
}

static void
wipe_datum(gnutls_datum_t *d)
{
	if (d->data) {
		memset(d->data, 0, d->size);
		gnutls_free(d->data);
	}
	d->data = NULL;
	d->size = 0;
}

/*
 * The RSA key in GnuPG's form: (private-key(rsa(n)(e)(d)(p)(q)(u))) with
 * p < q and u = p^-1 mod q.  PKCS#1's coefficient is q^-1 mod p: when
 * PKCS#1's p is the larger prime the two conventions meet by swapping the
 * primes; otherwise GnuTLS computes u from a key with the primes swapped.
 */
static int
rsa_sexp(gnutls_x509_privkey_t key, struct buf *out, char **type, struct err *e)
{
	gnutls_datum_t m = { 0 }, ex = { 0 }, d = { 0 }, p = { 0 }, q = { 0 }, u = { 0 };
	gnutls_datum_t u2 = { 0 }, t[7];
	gnutls_x509_privkey_t swapped = NULL;
	unsigned bits = 0;
	int rc = -1, i;

	memset(t, 0, sizeof t);
	if (gnutls_x509_privkey_export_rsa_raw2(key, &m, &ex, &d, &p, &q, &u, NULL, NULL) < 0) {
		err_set(e, ERR_INPUT, "the RSA key cannot be read");
		goto out;
	}
	gnutls_x509_privkey_get_pk_algorithm2(key, &bits);
	buf_adds(out, "(11:private-key(3:rsa");
	add_param(out, "n", &m);
	add_param(out, "e", &ex);
	add_param(out, "d", &d);
	if (uint_cmp(&p, &q) > 0) {
		add_param(out, "p", &q);
		add_param(out, "q", &p);
		add_param(out, "u", &u);
	} else {
		if (gnutls_x509_privkey_init(&swapped) < 0 ||
		    gnutls_x509_privkey_import_rsa_raw2(swapped, &m, &ex, &d, &q, &p, NULL,
							NULL, NULL) < 0 ||
		    gnutls_x509_privkey_export_rsa_raw2(swapped, &t[0], &t[1], &t[2], &t[3],
							&t[4], &u2, NULL, NULL) < 0) {
			err_set(e, ERR_INPUT, "the RSA key's primes are inconsistent");
			goto out;
		}
		add_param(out, "p", &p);
		add_param(out, "q", &q);
		add_param(out, "u", &u2);
	}
	buf_adds(out, "))");
	*type = xasprintf("RSA-%u", bits);
	rc = 0;
out:
	gnutls_x509_privkey_deinit(swapped);
	for (i = 0; i < 7; i++)
		wipe_datum(&t[i]);
	wipe_datum(&u2);
	wipe_datum(&m);
	wipe_datum(&ex);
	wipe_datum(&d);
	wipe_datum(&p);
	wipe_datum(&q);
	wipe_datum(&u);
	return rc;
}

/* The EC key: (private-key(ecc(curve NAME)(q 04||X||Y)(d))). */
static int
ecc_sexp(gnutls_x509_privkey_t key, struct buf *out, char **type, struct err *e)
{
	gnutls_datum_t x = { 0 }, y = { 0 }, k = { 0 };
	gnutls_ecc_curve_t curve;
	struct buf point = BUF_INIT;
	const char *name, *shortname;
	size_t size;
	int rc = -1;

	if (gnutls_x509_privkey_export_ecc_raw(key, &curve, &x, &y, &k) < 0) {
		err_set(e, ERR_INPUT, "the EC key cannot be read");
		goto out;
	}
	switch (curve) {
	case GNUTLS_ECC_CURVE_SECP256R1:
		name = "NIST P-256", shortname = "P-256";
		break;
	case GNUTLS_ECC_CURVE_SECP384R1:
		name = "NIST P-384", shortname = "P-384";
		break;
	case GNUTLS_ECC_CURVE_SECP521R1:
		name = "NIST P-521", shortname = "P-521";
		break;
	default:
		err_set(e, ERR_UNSUPPORTED, "the key is on the curve %s; S/MIME identities "
			"are RSA or EC on P-256, P-384 or P-521",
			gnutls_ecc_curve_get_name(curve) ? gnutls_ecc_curve_get_name(curve) : "?");
		goto out;
	}
	size = (size_t)gnutls_ecc_curve_get_size(curve);
	buf_addc(&point, '\x04');
	if (add_fixed(&point, &x, size) < 0 || add_fixed(&point, &y, size) < 0) {
		err_set(e, ERR_INPUT, "the EC key's public point is too long for %s", shortname);
		goto out;
	}
	buf_addf(out, "(11:private-key(3:ecc(5:curve%zu:%s)(1:q", strlen(name), name);
	agent_sexp_atom(out, point.data, point.len);
	buf_addc(out, ')');
	add_param(out, "d", &k);
	buf_adds(out, "))");
	*type = xasprintf("EC %s", shortname);
	rc = 0;
out:
	buf_release(&point);
	wipe_datum(&x);
	wipe_datum(&y);
	wipe_datum(&k);
	return rc;
}

/* The addresses of a certificate as gpgsm lists them (subject
 * emailAddress and subjectAltName), domain lower-cased. */
static void
key_emails(gpgme_key_t key, struct smime_identity *id)
{
	gpgme_user_id_t uid;
	size_t i;

	id->emails = xcalloc(1, sizeof *id->emails);
	for (uid = key->uids; uid; uid = uid->next) {
		const char *m = uid->email;
		char *a, *at;
		size_t n;

		if (m == NULL || *m == '\0')
			continue;
		if (*m == '<')
			m++;
		n = strcspn(m, ">");
		a = xstrndup(m, n);
		if ((at = strrchr(a, '@')) != NULL)
			str_lower_ascii(at);
		for (i = 0; i < id->n_emails; i++)
			if (strcmp(id->emails[i], a) == 0)
				break;
		if (i < id->n_emails) {
			free(a);
			continue;
		}
		id->emails = xrealloc(id->emails, (id->n_emails + 2) * sizeof *id->emails);
		id->emails[id->n_emails++] = a;
		id->emails[id->n_emails] = NULL;
	}
}

static void
key_identity(gpgme_key_t key, struct smime_identity *id)
{
	gpgme_subkey_t sk = key->subkeys;

	memset(id, 0, sizeof *id);
	id->fingerprint = xstrdup(sk && sk->fpr ? sk->fpr : "");
	id->keygrip = sk && sk->keygrip ? xstrdup(sk->keygrip) : NULL;
	if (sk == NULL)
		id->key_type = xstrdup("?");
	else if (sk->pubkey_algo == GPGME_PK_RSA)
		id->key_type = xasprintf("RSA-%u", sk->length);
	else if (sk->length == 256 || sk->length == 384 || sk->length == 521)
		id->key_type = xasprintf("EC P-%u", sk->length);
	else
		id->key_type = xasprintf("%s-%u", gpgme_pubkey_algo_name(sk->pubkey_algo) ?
					 gpgme_pubkey_algo_name(sk->pubkey_algo) : "?",
					 sk->length);
	key_emails(key, id);
	id->subject = key->uids && key->uids->uid ? xstrdup(key->uids->uid) : NULL;
	if (sk) {
		id->not_before = (time_t)sk->timestamp;
		id->not_after = (time_t)sk->expires;
	}
	id->expired = key->expired || (id->not_after && id->not_after < time(NULL));
	id->revoked = key->revoked;
}

static int
cms_context(const char *home, gpgme_ctx_t *ctx, struct err *e)
{
	gpgme_error_t g;

	*ctx = NULL;
	if (gpgme_check_version("1.18.0") == NULL)
		return err_set(e, ERR_CRYPTO, "GPGME is older than 1.18");
	g = gpgme_new(ctx);
	if (!g)
		g = gpgme_set_protocol(*ctx, GPGME_PROTOCOL_CMS);
	if (!g)
		g = gpgme_ctx_set_engine_info(*ctx, GPGME_PROTOCOL_CMS, smime_gpgsm_program(),
					      home);
	if (g) {
		gpgme_release(*ctx);
		*ctx = NULL;
		return err_set(e, ERR_CRYPTO, "starting gpgsm: %s", gpgme_strerror(g));
	}
	(void)gpgme_set_pinentry_mode(*ctx, GPGME_PINENTRY_MODE_ERROR);
	gpgme_set_keylist_mode(*ctx, GPGME_KEYLIST_MODE_LOCAL);
	return 0;
}

/* The identities of the keybox, or only the one with fingerprint fpr. */
static int
list_identities(gpgme_ctx_t ctx, const char *fpr, struct smime_identity **ids,
		size_t *n, struct err *e)
{
	gpgme_key_t key;
	gpgme_error_t g;

	*ids = NULL;
	*n = 0;
	g = gpgme_op_keylist_start(ctx, fpr, 1);
	while (!g && (g = gpgme_op_keylist_next(ctx, &key)) == 0) {
		*ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
		key_identity(key, &(*ids)[(*n)++]);
		gpgme_key_unref(key);
	}
	gpgme_op_keylist_end(ctx);
	if (g && gpgme_err_code(g) != GPG_ERR_EOF) {
		smime_identities_free(ids, *n);
		*n = 0;
		return err_set(e, ERR_CRYPTO, "listing the secret keys: %s", gpgme_strerror(g));
	}
	return 0;
}

int
smime_identity_list(const char *gnupg_home, struct smime_identity **ids,
		    size_t *n, struct err *e)
{
	gpgme_ctx_t ctx;
	int rc;

	*ids = NULL;
	*n = 0;
	if (cms_context(gnupg_home, &ctx, e) < 0)
		return -1;
	rc = list_identities(ctx, NULL, ids, n, e);
	gpgme_release(ctx);
	return rc;
}

void
smime_identity_release(struct smime_identity *id)
{
	size_t i;

	free(id->fingerprint);
	free(id->keygrip);
	free(id->key_type);
	for (i = 0; i < id->n_emails; i++)
		free(id->emails[i]);
	free(id->emails);
	free(id->subject);
	memset(id, 0, sizeof *id);
}

void
smime_identities_free(struct smime_identity **idsp, size_t n)
{
	size_t i;

	if (idsp == NULL || *idsp == NULL)
		return;
	for (i = 0; i < n; i++)
		smime_identity_release(&(*idsp)[i]);
	free(*idsp);
	*idsp = NULL;
}

/* Stores one certificate (DER) in the keybox. */
static int
import_cert(gpgme_ctx_t ctx, gnutls_x509_crt_t crt, struct err *e)
{
	gnutls_datum_t der = { 0 };
	gpgme_data_t in = NULL;
	gpgme_import_result_t r;
	gpgme_error_t g;
	int rc = -1;

	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0)
		return err_set(e, ERR_INPUT, "a certificate in the file cannot be read");
	g = gpgme_data_new_from_mem(&in, (const char *)der.data, der.size, 0);
	if (!g)
		g = gpgme_op_import(ctx, in);
	if (g) {
		err_set(e, ERR_CRYPTO, "storing the certificate in gpgsm's keybox: %s",
			gpgme_strerror(g));
		goto out;
	}
	r = gpgme_op_import_result(ctx);
	if (r == NULL || (r->imported == 0 && r->unchanged == 0)) {
		err_set(e, ERR_CRYPTO, "gpgsm did not store the certificate%s%s",
			r && r->imports && r->imports->result ? ": " : "",
			r && r->imports && r->imports->result ?
			gpgme_strerror(r->imports->result) : "");
		goto out;
	}
	rc = 0;
out:
	gpgme_data_release(in);
	gnutls_free(der.data);
	return rc;
}

/* Reads the PKCS#12 bytes: key, its certificate first in chain, others.
 * The password is asked once the file is known to be PKCS#12. */
static int
p12_parse(const void *data, size_t len, const struct smime_passphrase *pp,
	  struct buf *password, gnutls_x509_privkey_t *key, gnutls_x509_crt_t **chain,
	  unsigned *n_chain, gnutls_x509_crt_t **extra, unsigned *n_extra,
	  struct err *e)
{
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	gnutls_pkcs12_t p12 = NULL;
	unsigned try;
	int ret, rc = -1;

	if (len > UINT32_MAX / 2)
		return err_set(e, ERR_INPUT, "too big for a PKCS#12 file");
	gnutls_pkcs12_init(&p12);
	ret = gnutls_pkcs12_import(p12, &d, GNUTLS_X509_FMT_DER, 0);
	if (ret < 0)
		ret = gnutls_pkcs12_import(p12, &d, GNUTLS_X509_FMT_PEM, 0);
	if (ret < 0) {
		err_set(e, ERR_INPUT, "not a PKCS#12 file, or a truncated one (%s)",
			gnutls_strerror(ret));
		goto out;
	}
	if (pp == NULL || pp->get == NULL) {
		err_set(e, ERR_USAGE, "the PKCS#12 file's password is needed");
		goto out;
	}
	/* The MAC tells a wrong password at once: ask again. */
	for (try = 1;; try++) {
		if (pp->get(pp->opaque, "the PKCS#12 file", try, false, password, e) < 0)
			goto out;
		ret = gnutls_pkcs12_verify_mac(p12, password->data ? password->data : "");
		if (ret != GNUTLS_E_MAC_VERIFY_FAILED)
			break;
		if (try == SMIME_PASSPHRASE_TRIES) {
			err_set(e, ERR_USAGE, "wrong password for this PKCS#12 file");
			goto out;
		}
	}
	ret = gnutls_pkcs12_simple_parse(p12, password->data ? password->data : "", key,
					 chain, n_chain, extra,
					 n_extra, NULL, GNUTLS_PKCS12_SP_INCLUDE_SELF_SIGNED);
	switch (ret) {
	case 0:
		break;
	case GNUTLS_E_DECRYPTION_FAILED:
		err_set(e, ERR_USAGE, "wrong password for this PKCS#12 file");
		goto out;
	case GNUTLS_E_UNKNOWN_CIPHER_TYPE:
	case GNUTLS_E_UNKNOWN_HASH_ALGORITHM:
	case GNUTLS_E_UNKNOWN_ALGORITHM:
		err_set(e, ERR_UNSUPPORTED, "the PKCS#12 file is protected with an algorithm "
			"cachet cannot read (%s)", gnutls_strerror(ret));
		goto out;
	default:
		err_set(e, ERR_INPUT, "the PKCS#12 file holds no key with its certificate "
			"(%s)", gnutls_strerror(ret));
		goto out;
	}
	if (*key == NULL || *n_chain == 0) {
		err_set(e, ERR_INPUT, "the PKCS#12 file holds no key with its certificate");
		goto out;
	}
	rc = 0;
out:
	gnutls_pkcs12_deinit(p12);
	return rc;
}

int
smime_identity_import(const char *gnupg_home, const void *p12, size_t len,
		      const struct smime_passphrase *pp, struct smime_identity *id,
		      bool *key_existed, struct err *e)
{
	struct buf password = BUF_INIT;
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t *chain = NULL, *extra = NULL;
	unsigned n_chain = 0, n_extra = 0, i;
	struct buf sexp = BUF_INIT;
	struct smime_identity *found = NULL;
	struct agent *agent;
	unsigned char sha1[20];
	size_t fl = sizeof sha1, n_found = 0;
	char fpr[41], *type = NULL;
	gpgme_ctx_t ctx = NULL;
	int rc = -1;

	memset(id, 0, sizeof *id);
	*key_existed = false;
	if (p12_parse(p12, len, pp, &password, &key, &chain, &n_chain, &extra, &n_extra,
		      e) < 0)
		goto out;
	switch (gnutls_x509_privkey_get_pk_algorithm(key)) {
	case GNUTLS_PK_RSA:
		if (rsa_sexp(key, &sexp, &type, e) < 0)
			goto out;
		break;
	case GNUTLS_PK_ECDSA:
		if (ecc_sexp(key, &sexp, &type, e) < 0)
			goto out;
		break;
	default:
		err_set(e, ERR_UNSUPPORTED, "the key is neither RSA nor EC (%s)",
			gnutls_pk_get_name(gnutls_x509_privkey_get_pk_algorithm(key)));
		goto out;
	}
	if (gnutls_x509_crt_get_fingerprint(chain[0], GNUTLS_DIG_SHA1, sha1, &fl) < 0) {
		err_set(e, ERR_INPUT, "the certificate cannot be read");
		goto out;
	}
	for (i = 0; i < 20; i++)
		snprintf(fpr + 2 * i, 3, "%02X", sha1[i]);

	if (agent_shared(gnupg_home, &agent, e) < 0 ||
	    agent_import_key(agent, sexp.data, sexp.len, password.data ? password.data : "",
			     key_existed, e) < 0)
		goto out;
	/* The certificate, then the rest of its chain, so that gpgsm can
	 * build the chain when it signs. */
	if (cms_context(gnupg_home, &ctx, e) < 0)
		goto out;
	for (i = 0; i < n_chain; i++)
		if (import_cert(ctx, chain[i], e) < 0 && i == 0)
			goto out;
	for (i = 0; i < n_extra; i++)
		(void)import_cert(ctx, extra[i], NULL);
	/* gpgsm must now see the pair: the agent's key under the keygrip of
	 * the certificate's public key. */
	if (list_identities(ctx, fpr, &found, &n_found, e) < 0)
		goto out;
	if (n_found != 1) {
		err_set(e, ERR_CRYPTO, "the certificate %s is in the keybox but gpgsm does not "
			"find its secret key in gpg-agent", fpr);
		goto out;
	}
	*id = found[0];
	free(found);
	found = NULL;
	free(id->key_type);
	id->key_type = type;	/* GnuTLS knows the curve's name */
	type = NULL;
	rc = 0;
out:
	smime_identities_free(&found, n_found);
	if (ctx)
		gpgme_release(ctx);
	buf_wipe(&sexp);
	buf_wipe(&password);
	free(type);
	gnutls_x509_privkey_deinit(key);
	for (i = 0; i < n_chain; i++)
		gnutls_x509_crt_deinit(chain[i]);
	gnutls_free(chain);
	for (i = 0; i < n_extra; i++)
		gnutls_x509_crt_deinit(extra[i]);
	gnutls_free(extra);
	return rc;
}
