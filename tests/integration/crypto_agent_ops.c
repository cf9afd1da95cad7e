/*
 * crypto_agent_ops.c — crypto/agent.c against a real gpg-agent.  Run by
 * crypto_agent.sh:
 *   crypto_agent_ops HOME sign GRIP CERT.pem [PASSPHRASE...]
 *       signs three hashes (SHA-256; SHA-384 or SHA-512 for ECDSA on
 *       P-384 or P-521) over the process's one connection and
 *       checks each signature with GnuTLS against the certificate's key;
 *       with passphrases, the callback answers try N with the Nth one and
 *       "tries N" is printed; without, no callback is installed.
 *   crypto_agent_ops HOME decrypt GRIP pkcs1|oaep CIPHERTEXT-FILE
 *       PKDECRYPT of the RSA ciphertext in the file, PKCS#1 v1.5 or OAEP
 *       with SHA-256; the plaintext is printed in hex.
 *   crypto_agent_ops HOME keyinfo GRIP
 *       prints "present protected cached" as 0/1.
 * Exit 0 when everything asked worked, 1 (with the reason on stderr) when not.
 */
#include "crypto/agent_p.h"
#include "tests/unit/check.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct passphrases {
	char **v;
	int n;
	unsigned calls;
	char desc[256];
};

static int
give_passphrase(void *opaque, const char *desc, unsigned try, bool is_new,
		struct buf *out, struct err *e)
{
	struct passphrases *pp = opaque;

	pp->calls++;
	snprintf(pp->desc, sizeof pp->desc, "%s", desc);
	if (is_new || try == 0 || (int)try > pp->n)
		return err_set(e, ERR_CRYPTO, "no passphrase left for try %u", try);
	buf_adds(out, pp->v[try - 1]);
	return 0;
}

static int
load_pubkey(const char *path, gnutls_pubkey_t *pub)
{
	struct buf pem = BUF_INIT;
	struct err e = { 0 };
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d;
	int rc = -1;

	if (file_read(path, 1 << 20, &pem, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	d.data = (unsigned char *)pem.data;
	d.size = (unsigned)pem.len;
	if (gnutls_x509_crt_init(&crt) == 0 &&
	    gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) == 0 &&
	    gnutls_pubkey_init(pub) == 0 && gnutls_pubkey_import_x509(*pub, crt, 0) == 0)
		rc = 0;
	gnutls_x509_crt_deinit(crt);
	buf_release(&pem);
	return rc;
}

/* The digest for pub's key: ECDSA wants one as long as the curve's order. */
static gnutls_digest_algorithm_t
digest_for(gnutls_pubkey_t pub)
{
	unsigned bits = 0;

	if (gnutls_pubkey_get_pk_algorithm(pub, &bits) == GNUTLS_PK_ECDSA && bits > 256)
		return bits > 384 ? GNUTLS_DIG_SHA512 : GNUTLS_DIG_SHA384;
	return GNUTLS_DIG_SHA256;
}

/* Checks the agent's sig-val against pub for hash. */
static bool
signature_good(gnutls_pubkey_t pub, const unsigned char *hash, const struct buf *sig)
{
	gnutls_digest_algorithm_t dig = digest_for(pub);
	gnutls_datum_t h = { (unsigned char *)hash, gnutls_hash_get_len(dig) };
	gnutls_datum_t s = { NULL, 0 }, r_d, s_d;
	const unsigned char *r, *sv;
	size_t rlen, slen;
	int ret;

	if (agent_sexp_find(sig->data, sig->len, "s", &sv, &slen) < 0)
		return false;
	if (sig->len > 16 && memcmp(sig->data, "(7:sig-val(3:rsa", 16) == 0) {
		s.data = (unsigned char *)sv;
		s.size = (unsigned)slen;
		return gnutls_pubkey_verify_hash2(pub, GNUTLS_SIGN_RSA_SHA256, 0, &h, &s) >= 0;
	}
	if (agent_sexp_find(sig->data, sig->len, "r", &r, &rlen) < 0)
		return false;
	r_d.data = (unsigned char *)r;
	r_d.size = (unsigned)rlen;
	s_d.data = (unsigned char *)sv;
	s_d.size = (unsigned)slen;
	if (gnutls_encode_rs_value(&s, &r_d, &s_d) < 0)
		return false;
	ret = gnutls_pubkey_verify_hash2(pub, gnutls_pk_to_sign(GNUTLS_PK_ECDSA, dig), 0,
					 &h, &s);
	gnutls_free(s.data);
	return ret >= 0;
}

static int
do_sign(const char *home, const char *grip, const char *cert, int npass, char **pass)
{
	struct passphrases pp = { pass, npass, 0, "" };
	struct smime_passphrase cb = { give_passphrase, &pp };
	struct agent *a = NULL, *again = NULL;
	gnutls_pubkey_t pub = NULL;
	struct err e = { 0 };
	gnutls_digest_algorithm_t dig;
	unsigned char hash[64];
	char text[64];
	int i;

	if (load_pubkey(cert, &pub) < 0) {
		fprintf(stderr, "cannot read the certificate %s\n", cert);
		return 1;
	}
	CHECK_INT(agent_shared(home, &a, &e), 0);
	if (a == NULL) {
		fprintf(stderr, "connecting: %s\n", e.msg);
		return 1;
	}
	if (npass)
		agent_set_passphrase(a, &cb);
	for (i = 0; i < 3; i++) {
		struct buf sig = BUF_INIT;

		snprintf(text, sizeof text, "message %d", i);
		dig = digest_for(pub);
		gnutls_hash_fast(dig, text, strlen(text), hash);
		/* The same connection every time. */
		CHECK_INT(agent_shared(home, &again, &e), 0);
		CHECK(again == a);
		if (agent_pksign(a, grip, "Alice's test key", dig == GNUTLS_DIG_SHA256 ?
				 "sha256" : dig == GNUTLS_DIG_SHA384 ? "sha384" : "sha512",
				 hash, gnutls_hash_get_len(dig), &sig, &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			check_failures++;
			buf_release(&sig);
			break;
		}
		CHECK(signature_good(pub, hash, &sig));
		/* The signature is for this hash only. */
		hash[0] ^= 1;
		CHECK(!signature_good(pub, hash, &sig));
		buf_release(&sig);
	}
	if (npass) {
		printf("tries %u\n", pp.calls);
		CHECK_STR(pp.desc, "Alice's test key");
	}
	agent_shared_close();
	gnutls_pubkey_deinit(pub);
	return check_exit();
}

static int
do_decrypt(const char *home, const char *grip, const char *mode, const char *file)
{
	struct buf in = BUF_INIT, value = BUF_INIT, ev = BUF_INIT;
	struct agent *a = NULL;
	struct err e = { 0 };
	size_t i;
	int rc = 1;

	if (file_read(file, 1 << 16, &in, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		goto out;
	}
	buf_adds(&ev, "(7:enc-val");
	if (strcmp(mode, "oaep") == 0)
		buf_adds(&ev, "(5:flags4:oaep)(9:hash-algo6:sha256)");
	else
		buf_adds(&ev, "(5:flags5:pkcs1)");
	buf_adds(&ev, "(3:rsa(1:a");
	agent_sexp_mpi(&ev, in.data, in.len);
	buf_adds(&ev, ")))");
	if (agent_open(home, &a, &e) < 0 ||
	    agent_pkdecrypt(a, grip, "Alice's test key", ev.data, ev.len, &value, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		goto out;
	}
	for (i = 0; i < value.len; i++)
		printf("%02x", (unsigned char)value.data[i]);
	printf("\n");
	rc = 0;
out:
	agent_free(&a);
	buf_release(&in);
	buf_release(&ev);
	buf_release(&value);
	return rc;
}

static int
do_keyinfo(const char *home, const char *grip)
{
	struct agent_keyinfo ki;
	struct agent *a = NULL;
	struct err e = { 0 };

	if (agent_open(home, &a, &e) < 0 || agent_keyinfo(a, grip, &ki, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		agent_free(&a);
		return 1;
	}
	printf("%d %d %d\n", ki.present, ki.protected_, ki.cached);
	agent_free(&a);
	return 0;
}

/* The S-expression helpers on fixed inputs. */
static void
check_sexp(void)
{
	static const char sig[] = "(7:sig-val(3:rsa(1:s3:\x01\x02\x03)))";
	static const char bad[] = "(7:sig-val(3:rsa(1:s9:\x01\x02\x03)))";
	const unsigned char *v;
	struct buf b = BUF_INIT;
	size_t n;

	CHECK_INT(agent_sexp_find(sig, sizeof sig - 1, "s", &v, &n), 0);
	CHECK_INT(n, 3);
	CHECK_INT(agent_sexp_find(sig, sizeof sig - 1, "value", &v, &n), -1);
	CHECK_INT(agent_sexp_find(bad, sizeof bad - 1, "s", &v, &n), -1);
	/* "sig-val" is a list's first atom; "rsa" data is not searched as token. */
	CHECK_INT(agent_sexp_find(sig, sizeof sig - 1, "sig-val", &v, &n), -1);
	agent_sexp_mpi(&b, "\x00\x00\x80\x01", 4);
	CHECK_INT(b.len, 5);
	CHECK(memcmp(b.data, "3:\x00\x80\x01", 5) == 0);
	buf_reset(&b);
	agent_sexp_mpi(&b, "\x00\x7f", 2);
	CHECK(b.len == 3 && memcmp(b.data, "1:\x7f", 3) == 0);
	buf_release(&b);
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "sexp") == 0) {
		check_sexp();
		return check_exit();
	}
	if (argc >= 5 && strcmp(argv[2], "sign") == 0)
		return do_sign(argv[1], argv[3], argv[4], argc - 5, argv + 5);
	if (argc == 6 && strcmp(argv[2], "decrypt") == 0)
		return do_decrypt(argv[1], argv[3], argv[4], argv[5]);
	if (argc == 4 && strcmp(argv[2], "keyinfo") == 0)
		return do_keyinfo(argv[1], argv[3]);
	fprintf(stderr, "usage: crypto_agent_ops HOME sign|decrypt|keyinfo ...\n");
	return 2;
}
