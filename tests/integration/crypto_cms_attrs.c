/*
 * crypto_cms_attrs.c — writes the DER of one of the signed attributes
 * cachet adds (crypto/cms_attrs.c) to standard output, for
 * crypto_cms_attrs.sh to compare with what openssl's own encoder makes of
 * the same ASN.1 value:
 *   crypto_cms_attrs capabilities
 *   crypto_cms_attrs signing-certificate-v2 SHA256-HEX
 *   crypto_cms_attrs encryption-key-preference ISSUER-DER-FILE SERIAL-HEX
 * Exit 0, or 2 on a usage error.
 */
#include "crypto/cms_p.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t
unhex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;
	unsigned v;

	while (s[0] && s[1] && n < max && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (unsigned char)v;
		s += 2;
	}
	return n;
}

int
main(int argc, char **argv)
{
	struct buf out = BUF_INIT, issuer = BUF_INIT;
	unsigned char bytes[128];
	size_t n;
	FILE *f;
	int c;

	if (argc == 2 && strcmp(argv[1], "capabilities") == 0) {
		cms_attr_smime_capabilities(&out);
	} else if (argc == 3 && strcmp(argv[1], "signing-certificate-v2") == 0 &&
		   unhex(argv[2], bytes, sizeof bytes) == 32) {
		cms_attr_signing_certificate_v2(bytes, &out);
	} else if (argc == 4 && strcmp(argv[1], "encryption-key-preference") == 0 &&
		   (f = fopen(argv[2], "rb")) != NULL) {
		while ((c = getc(f)) != EOF)
			buf_addc(&issuer, (char)c);
		fclose(f);
		n = unhex(argv[3], bytes, sizeof bytes);
		cms_attr_encryption_key_preference(issuer.data, issuer.len, bytes, n, &out);
	} else {
		fprintf(stderr, "usage: crypto_cms_attrs capabilities | signing-certificate-v2 HEX | "
			"encryption-key-preference ISSUER.der SERIAL-HEX\n");
		return 2;
	}
	fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
	buf_release(&issuer);
	return 0;
}
