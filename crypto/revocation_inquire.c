/*
 * revocation_inquire.c — what cachet answers dirmngr while it checks a
 * certificate: the certificates it inquires, found in the verified chain
 * and the engine's anchors only, whether a root is one of the anchors, and
 * what its status lines say about an OCSP answer (revocation_p.h).
 */
#include "crypto/revocation_p.h"
#include "crypto/smime_p.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* dirmngr's certificates are small; a data answer over this is refused. */
#define DATA_MAX (64 * 1024)

void
revocation_sha1_hex(gnutls_x509_crt_t crt, char hex[41])
{
	unsigned char fpr[20];
	size_t n = sizeof fpr, i;

	hex[0] = '\0';
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA1, fpr, &n) < 0 || n != 20)
		return;
	for (i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02X", fpr[i]);
}

gnutls_x509_crt_t
revocation_issuer(struct smime_engine *eng, gnutls_x509_crt_t *chain, size_t n,
		  size_t idx)
{
	const unsigned flags = GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
			       GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
			       GNUTLS_VERIFY_ALLOW_ANY_X509_V1_CA_CRT;
	unsigned st;
	size_t i;

	if (idx + 1 < n && gnutls_x509_crt_check_issuer(chain[idx], chain[idx + 1]))
		return chain[idx + 1];
	for (i = 0; i < eng->n_anchors; i++) {
		st = 0;
		if (gnutls_x509_crt_check_issuer(chain[idx], eng->anchors[i]) &&
		    gnutls_x509_crt_verify(chain[idx], &eng->anchors[i], 1, flags, &st) == 0 &&
		    !(st & GNUTLS_CERT_SIGNATURE_FAILURE))
			return eng->anchors[i];
	}
	return NULL;
}

void
revocation_inquiry_reset(struct revocation_inquiry *q)
{
	q->responder[0] = '\0';
	q->responder_bad = false;
}

/* Whether hex (len digits) spells the bytes b[0..n), leading zeros aside
 * on both sides (dirmngr writes a serial number as its DER integer). */
static bool
hex_is(const char *hex, size_t len, const unsigned char *b, size_t n)
{
	size_t i;

	while (len >= 2 && hex[0] == '0' && hex[1] == '0') {
		hex += 2;
		len -= 2;
	}
	while (n > 0 && b[0] == 0) {
		b++;
		n--;
	}
	if (len != 2 * n)
		return false;
	for (i = 0; i < n; i++) {
		char two[3];

		snprintf(two, sizeof two, "%02x", b[i]);
		if (tolower((unsigned char)hex[2 * i]) != two[0] ||
		    tolower((unsigned char)hex[2 * i + 1]) != two[1])
			return false;
	}
	return true;
}

/* Whether dn (len bytes, RFC 4514 as dirmngr writes it) is crt's subject
 * (or issuer): both are read by GnuTLS and compared in its own spelling,
 * so that "EMail=" and "EMAIL=" are the same attribute. */
static bool
dn_is(gnutls_x509_crt_t crt, bool subject, const char *dn, size_t len)
{
	gnutls_datum_t have = { NULL, 0 }, want = { NULL, 0 };
	gnutls_x509_dn_t parsed = NULL;
	char *s = xstrndup(dn, len);
	bool eq = false;
	int r;

	r = subject ? gnutls_x509_crt_get_dn3(crt, &have, 0)
		    : gnutls_x509_crt_get_issuer_dn3(crt, &have, 0);
	if (r < 0)
		goto out;
	if (gnutls_x509_dn_init(&parsed) == 0 && gnutls_x509_dn_set_str(parsed, s, NULL) == 0 &&
	    gnutls_x509_dn_get_str2(parsed, &want, 0) == 0)
		eq = want.size == have.size && memcmp(want.data, have.data, have.size) == 0;
	else
		eq = strlen(s) == have.size && strncasecmp(s, (char *)have.data, have.size) == 0;
out:
	if (parsed)
		gnutls_x509_dn_deinit(parsed);
	gnutls_free(have.data);
	gnutls_free(want.data);
	free(s);
	return eq;
}

/* Whether name (a fingerprint: 40 hex digits, colons allowed, "0x" before
 * them allowed) is crt's SHA-1 fingerprint. */
static bool
fpr_is(const char *name, gnutls_x509_crt_t crt)
{
	char want[41], hex[41];
	size_t k = 0;

	if (name[0] == '0' && (name[1] == 'x' || name[1] == 'X'))
		name += 2;
	for (; *name && !isspace((unsigned char)*name); name++) {
		if (*name == ':')
			continue;
		if (!isxdigit((unsigned char)*name) || k == 40)
			return false;
		want[k++] = (char)toupper((unsigned char)*name);
	}
	want[k] = '\0';
	revocation_sha1_hex(crt, hex);
	return k == 40 && hex[0] && strcmp(want, hex) == 0;
}

/* Whether crt is the certificate dirmngr's SENDCERT name describes:
 * "#SERIAL/ISSUER", "/SUBJECT" or a fingerprint. */
static bool
name_is(const char *name, gnutls_x509_crt_t crt)
{
	unsigned char serial[64];
	size_t n = sizeof serial;
	const char *slash;

	if (name[0] == '/')
		return dn_is(crt, true, name + 1, strlen(name + 1));
	if (name[0] == '#') {
		if ((slash = strchr(name, '/')) == NULL ||
		    gnutls_x509_crt_get_serial(crt, serial, &n) < 0)
			return false;
		return hex_is(name + 1, (size_t)(slash - name - 1), serial, n) &&
		       dn_is(crt, false, slash + 1, strlen(slash + 1));
	}
	return fpr_is(name, crt);
}

/* Whether crt's subject key identifier is hex (len digits). */
static bool
ski_is(const char *hex, size_t len, gnutls_x509_crt_t crt)
{
	unsigned char id[64];
	size_t n = sizeof id;

	return len > 0 && gnutls_x509_crt_get_subject_key_id(crt, id, &n, NULL) >= 0 &&
	       hex_is(hex, len, id, n);
}

/* The certificate an inquiry names, from the chain or the anchors: NULL
 * when neither holds it (or the inquiry names none). */
static gnutls_x509_crt_t
inquired(struct revocation_inquiry *q, const char *what, const char *args)
{
	gnutls_x509_crt_t c;
	size_t i, len = 0;
	bool ski = strcmp(what, "SENDCERT_SKI") == 0;

	if (strcmp(what, "SENDISSUERCERT") == 0)
		return *args ? NULL : revocation_issuer(q->eng, q->chain, q->n, q->idx);
	if (strcmp(what, "SENDCERT") != 0 && !ski)
		return NULL;
	if (!ski && *args == '\0')
		return q->chain[q->idx];
	if (ski)
		len = strspn(args, "0123456789abcdefABCDEF");
	for (i = 0; i < q->n + q->eng->n_anchors; i++) {
		c = i < q->n ? q->chain[i] : q->eng->anchors[i - q->n];
		if (ski ? ski_is(args, len, c) : name_is(args, c))
			return c;
	}
	return NULL;
}

gpgme_error_t
revocation_answer(void *opaque, const char *name, const char *args, gpgme_data_t *r_data)
{
	struct revocation_inquiry *q = opaque;
	gnutls_datum_t der = { NULL, 0 };
	gnutls_x509_crt_t c;
	gpgme_error_t g;
	size_t i;

	if (name == NULL) {	/* GPGME is done with the data it was given */
		gpgme_data_release(*r_data);
		*r_data = NULL;
		return 0;
	}
	if (args == NULL)
		args = "";
	if (strcmp(name, "TARGETCERT") == 0)
		return gpgme_data_new_from_mem(r_data, (const char *)q->der, q->len, 1);
	if (strcmp(name, "ISTRUSTED") == 0) {
		for (i = 0; i < q->eng->n_anchors; i++)
			if (fpr_is(args, q->eng->anchors[i]))
				return gpgme_data_new_from_mem(r_data, "1", 1, 1);
		return 0;	/* not one of ours: no "1" */
	}
	c = inquired(q, name, args);
	if (c == NULL || gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_DER, &der) < 0)
		return 0;	/* nothing to say: dirmngr decides without it */
	g = gpgme_data_new_from_mem(r_data, (const char *)der.data, der.size, 1);
	gnutls_free(der.data);
	return g;
}

gpgme_error_t
revocation_status(void *opaque, const char *status, const char *args)
{
	struct revocation_inquiry *q = opaque;
	size_t n;

	if (status == NULL || strcmp(status, "ONLY_VALID_IF_CERT_VALID") != 0)
		return 0;
	if (args == NULL)
		args = "";
	n = strspn(args, "0123456789abcdefABCDEF");
	if (q->responder[0] || n != 40 || (args[n] && !isspace((unsigned char)args[n]))) {
		q->responder_bad = true;
		return 0;
	}
	memcpy(q->responder, args, 40);
	q->responder[40] = '\0';
	return 0;
}

gpgme_error_t
revocation_data(void *opaque, const void *data, size_t len)
{
	struct buf *b = opaque;

	if (b->len + len > DATA_MAX)
		return gpgme_error(GPG_ERR_TOO_LARGE);
	buf_add(b, data, len);
	return 0;
}
