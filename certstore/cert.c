/* cert.c — X.509 certificates through GnuTLS: parsing, addresses, usages. */
#include "certstore/certstore.h"
#include "crypto/smime.h"

#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>

#define OID_EMAIL_PROTECTION "1.3.6.1.5.5.7.3.4"

char *
certstore_address_normalize(const char *addr)
{
	const char *start, *end, *at;
	char *out, *norm, *p;

	if (addr == NULL)
		return NULL;
	start = addr;
	while (*start == ' ' || *start == '\t' || *start == '<')
		start++;
	end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' ||
			       end[-1] == '>' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	at = memchr(start, '@', (size_t)(end - start));
	if (at == NULL || at == start || at + 1 >= end)
		return NULL;
	/* One '@' only, and no spaces: anything else is not an address. */
	if (memchr(at + 1, '@', (size_t)(end - at - 1)))
		return NULL;
	for (p = (char *)start; p < end; p++)
		if (*p == ' ' || *p == '\t' || *p == '<' || *p == '>')
			return NULL;
	out = xstrndup(start, (size_t)(end - start));
	/* The one comparison form: crypto's, the verdict's. */
	norm = smime_address_key(out);
	free(out);
	return norm;
}

static void
hex_upper(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static void
add_email(struct certstore_cert *c, const char *raw, size_t len)
{
	char *tmp = xstrndup(raw, len), *norm;
	size_t i;

	norm = certstore_address_normalize(tmp);
	free(tmp);
	if (norm == NULL)
		return;
	for (i = 0; i < c->n_emails; i++) {
		if (strcmp(c->emails[i], norm) == 0) {
			free(norm);
			return;
		}
	}
	c->emails = xrealloc(c->emails, (c->n_emails + 1) * sizeof(*c->emails));
	c->emails[c->n_emails++] = norm;
}

static char *
get_dn(gnutls_x509_crt_t crt, bool issuer)
{
	gnutls_datum_t d = { NULL, 0 };
	char *s;
	int rc;

	rc = issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &d, 0)
		    : gnutls_x509_crt_get_dn3(crt, &d, 0);
	if (rc < 0)
		return xstrdup("");
	s = xstrndup((const char *)d.data, d.size);
	gnutls_free(d.data);
	return s;
}

static void
read_emails(gnutls_x509_crt_t crt, struct certstore_cert *c)
{
	bool san;
	char buf[1024];
	size_t size;
	unsigned critical;
	int i, type;

	for (i = 0;; i++) {
		size = sizeof(buf);
		type = gnutls_x509_crt_get_subject_alt_name(crt, (unsigned)i, buf,
							    &size, &critical);
		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (type == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue;
		if (type < 0)
			break;
		if (type == GNUTLS_SAN_RFC822NAME)
			add_email(c, buf, size);
	}
	/* The subject's emailAddress binds only without SAN addresses (as in
	 * crypto's cms_describe: the verdict and the store agree). */
	for (i = 0, san = c->n_emails > 0; !san; i++) {
		size = sizeof(buf);
		if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_PKCS9_EMAIL,
						  (unsigned)i, 0, buf, &size) < 0)
			break;
		add_email(c, buf, size);
	}
}

static void
read_usages(gnutls_x509_crt_t crt, struct certstore_cert *c)
{
	unsigned usage = 0, critical = 0, ca = 0;
	char oid[128];
	size_t size;
	int i, rc;

	rc = gnutls_x509_crt_get_key_usage(crt, &usage, &critical);
	if (rc >= 0) {
		c->has_key_usage = true;
		c->ku_sign = (usage & (GNUTLS_KEY_DIGITAL_SIGNATURE |
				       GNUTLS_KEY_NON_REPUDIATION)) != 0;
		/* An EC key encrypts by key agreement (ECDH, RFC 5753). */
		c->ku_encrypt = (usage & GNUTLS_KEY_KEY_ENCIPHERMENT) != 0 ||
				(gnutls_x509_crt_get_pk_algorithm(crt, NULL) == GNUTLS_PK_ECDSA &&
				 (usage & GNUTLS_KEY_KEY_AGREEMENT) != 0);
	}
	for (i = 0;; i++) {
		size = sizeof(oid);
		rc = gnutls_x509_crt_get_key_purpose_oid(crt, (unsigned)i, oid,
							 &size, &critical);
		if (rc == GNUTLS_E_SHORT_MEMORY_BUFFER) {
			c->has_eku = true;
			continue;
		}
		if (rc < 0)
			break;
		c->has_eku = true;
		if (strcmp(oid, OID_EMAIL_PROTECTION) == 0)
			c->eku_email = true;
	}
	rc = gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca, NULL);
	c->is_ca = rc >= 0 && ca;
}

/* Fills a certstore_cert from an imported GnuTLS certificate. */
static struct certstore_cert *
cert_from_gnutls(gnutls_x509_crt_t crt, struct err *e)
{
	struct certstore_cert *c;
	gnutls_datum_t der = { NULL, 0 };
	unsigned char md[32], serial[64];
	size_t size;

	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0) {
		err_set(e, ERR_INPUT, "cannot encode the certificate");
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->der = xmalloc(der.size);
	memcpy(c->der, der.data, der.size);
	c->der_len = der.size;
	gnutls_free(der.data);

	size = 20;
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA1, md, &size) < 0)
		goto fail;
	hex_upper(md, size, c->fpr_sha1);
	size = 32;
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, md, &size) < 0)
		goto fail;
	hex_upper(md, size, c->fpr_sha256);
	size = sizeof(serial);
	if (gnutls_x509_crt_get_serial(crt, serial, &size) < 0)
		goto fail;
	c->serial = xmalloc(2 * size + 1);
	hex_upper(serial, size, c->serial);
	c->subject = get_dn(crt, false);
	c->issuer = get_dn(crt, true);
	c->self_signed = strcmp(c->subject, c->issuer) == 0;
	c->not_before = gnutls_x509_crt_get_activation_time(crt);
	c->not_after = gnutls_x509_crt_get_expiration_time(crt);
	read_emails(crt, c);
	read_usages(crt, c);
	return c;
fail:
	certstore_cert_free(&c);
	err_set(e, ERR_INPUT, "cannot read the certificate's fingerprint or serial");
	return NULL;
}

static bool
looks_pem(const void *data, size_t len)
{
	return memmem(data, len, "-----BEGIN ", 11) != NULL;
}

int
certstore_cert_parse(const void *data, size_t len, struct certstore_cert **out,
		     struct err *e)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	int rc;

	*out = NULL;
	if (gnutls_x509_crt_init(&crt) < 0)
		return err_set(e, ERR_INPUT, "cannot initialise GnuTLS");
	rc = gnutls_x509_crt_import(crt, &d, looks_pem(data, len) ?
				    GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER);
	if (rc < 0) {
		gnutls_x509_crt_deinit(crt);
		return err_set(e, ERR_INPUT, "not an X.509 certificate (%s)",
			       gnutls_strerror(rc));
	}
	*out = cert_from_gnutls(crt, e);
	gnutls_x509_crt_deinit(crt);
	return *out ? 0 : -1;
}

static void
push_cert(struct certstore_cert ***v, size_t *n, struct certstore_cert *c)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = c;
}

static int
parse_pkcs7(const gnutls_datum_t *d, gnutls_x509_crt_fmt_t fmt,
	    struct certstore_cert ***v, size_t *n, struct err *e)
{
	gnutls_pkcs7_t p7;
	gnutls_datum_t raw;
	struct certstore_cert *c;
	int count, i, rc = -1;

	if (gnutls_pkcs7_init(&p7) < 0)
		return -1;
	if (gnutls_pkcs7_import(p7, d, fmt) < 0)
		goto out;
	count = gnutls_pkcs7_get_crt_count(p7);
	for (i = 0; i < count; i++) {
		if (gnutls_pkcs7_get_crt_raw2(p7, (unsigned)i, &raw) < 0)
			continue;
		if (certstore_cert_parse(raw.data, raw.size, &c, e) == 0)
			push_cert(v, n, c);
		gnutls_free(raw.data);
	}
	rc = 0;
out:
	gnutls_pkcs7_deinit(p7);
	return rc;
}

int
certstore_cert_parse_all(const void *data, size_t len,
			 struct certstore_cert ***out, size_t *n, struct err *e)
{
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	gnutls_x509_crt_t *list = NULL;
	unsigned count = 0, i;
	struct certstore_cert *c;

	*out = NULL;
	*n = 0;
	if (looks_pem(data, len)) {
		if (memmem(data, len, "-----BEGIN PKCS7", 16) ||
		    memmem(data, len, "-----BEGIN CMS", 14)) {
			parse_pkcs7(&d, GNUTLS_X509_FMT_PEM, out, n, e);
		} else if (gnutls_x509_crt_list_import2(&list, &count, &d,
							GNUTLS_X509_FMT_PEM, 0) >= 0) {
			for (i = 0; i < count; i++) {
				c = cert_from_gnutls(list[i], e);
				if (c)
					push_cert(out, n, c);
				gnutls_x509_crt_deinit(list[i]);
			}
			gnutls_free(list);
		}
	} else if (certstore_cert_parse(data, len, &c, NULL) == 0) {
		push_cert(out, n, c);
	} else {
		parse_pkcs7(&d, GNUTLS_X509_FMT_DER, out, n, e);
	}
	if (*n == 0)
		return err_set(e, ERR_INPUT, "no certificate found (expected PEM, "
			       "DER or PKCS#7 certificates)");
	return 0;
}

void
certstore_cert_free(struct certstore_cert **cp)
{
	struct certstore_cert *c = *cp;
	size_t i;

	if (c == NULL)
		return;
	free(c->der);
	free(c->subject);
	free(c->issuer);
	free(c->serial);
	for (i = 0; i < c->n_emails; i++)
		free(c->emails[i]);
	free(c->emails);
	free(c);
	*cp = NULL;
}

void
certstore_certs_free(struct certstore_cert ***v, size_t n)
{
	size_t i;

	if (*v == NULL)
		return;
	for (i = 0; i < n; i++)
		certstore_cert_free(&(*v)[i]);
	free(*v);
	*v = NULL;
}

bool
certstore_cert_has_email(const struct certstore_cert *c, const char *addr)
{
	char *norm = certstore_address_normalize(addr);
	bool found = false;
	size_t i;

	if (norm == NULL)
		return false;
	for (i = 0; i < c->n_emails && !found; i++)
		found = strcmp(c->emails[i], norm) == 0;
	free(norm);
	return found;
}

char *
certstore_cert_pem(const struct certstore_cert *c)
{
	gnutls_datum_t der = { c->der, (unsigned)c->der_len }, pem = { NULL, 0 };
	char *s;

	if (gnutls_pem_base64_encode2("CERTIFICATE", &der, &pem) < 0)
		return NULL;
	s = xstrndup((const char *)pem.data, pem.size);
	gnutls_free(pem.data);
	return s;
}

const char *
certstore_cert_check(const struct certstore_cert *c, time_t now)
{
	if (c->is_ca)
		return CERTSTORE_R_CA_CERT;
	if (now > c->not_after)
		return CERTSTORE_R_EXPIRED;
	if (now < c->not_before)
		return CERTSTORE_R_NOT_YET_VALID;
	if (c->has_eku && !c->eku_email)
		return CERTSTORE_R_NO_EMAIL_PROTECTION;
	if (c->has_key_usage && !c->ku_sign && !c->ku_encrypt)
		return CERTSTORE_R_NO_ENCRYPTION;
	if (c->n_emails == 0)
		return CERTSTORE_R_NO_EMAIL;
	return NULL;
}
