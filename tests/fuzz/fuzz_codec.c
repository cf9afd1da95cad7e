/*
 * fuzz_codec.c — base64 decoding, and the round trips of the encoders
 * that signing uses (base64, quoted-printable, line-end canonicalisation).
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "crypto/smime_p.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct buf enc = BUF_INIT, dec = BUF_INIT, crlf = BUF_INIT, qp = BUF_INIT;

	(void)codec_base64_decode(p, size, &dec, NULL);
	buf_reset(&dec);
	codec_base64_encode(p, size, "\r\n", &enc);
	if (codec_base64_decode(enc.data, enc.len, &dec, NULL) < 0 ||
	    dec.len != size || (size && memcmp(dec.data, p, size) != 0))
		abort();	/* base64 must round-trip */
	codec_crlf(p, size, &crlf);
	codec_qp_encode(p, size, "\r\n", &qp);
	/* What the encoders make is 7-bit safe. */
	if (codec_needs_encoding(enc.data, enc.len) ||
	    codec_needs_encoding(qp.data, qp.len))
		abort();
	buf_release(&enc);
	buf_release(&dec);
	buf_release(&crlf);
	buf_release(&qp);
	return 0;
}
