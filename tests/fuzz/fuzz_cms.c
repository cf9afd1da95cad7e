/*
 * fuzz_cms.c — the BER/DER walker that tells what a CMS blob is (signed,
 * enveloped, its algorithms) before any engine sees it, and then, for
 * SignedData within the limits, the in-process check (GnuTLS): every
 * SignerInfo, its signer's certificate and chain.  The engine has no trust
 * anchors, so nothing reaches one and no revocation is asked; what is
 * checked is that any input gets states without a crash or a leak.  The
 * bytes are also read as an sMIMECapabilities value (bounded list of
 * identifiers).
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "crypto/cms_p.h"
#include "crypto/engine_p.h"
#include "crypto/smime_p.h"
#include "tests/fuzz/fuzz.h"

static struct smime_engine *engine;

static void
engine_cleanup(void)
{
	smime_engine_free(&engine);
}

static struct smime_engine *
engine_once(void)
{
	struct err e = { 0 };

	if (engine)
		return engine;
	/* No gpgsm is started: the anchors are given (none). */
	if (smime_engine_new("/nonexistent/cachet-fuzz", &engine, &e) < 0 ||
	    smime_engine_set_anchors(engine, NULL, NULL, 0, &e) < 0)
		abort();
	atexit(engine_cleanup);
	return engine;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy = xmalloc(size ? size : 1);
	struct cms_info info;
	struct cms_sig *sigs = NULL;
	struct buf plain = BUF_INIT;
	struct err e;
	size_t n = 0, i;
	char oid[128], *caps = NULL;

	memcpy(copy, data, size);
	memset(&info, 0, sizeof info);
	if (cms_inspect(copy, size, &info, NULL) == 0) {
		(void)cms_unsupported_reason(&info);
		if (info.type == CMS_SIGNED && info.n_certs <= SMIME_MAX_CERTIFICATES &&
		    info.n_signer_infos <= SMIME_MAX_SIGNERS &&
		    cms_verify(engine_once(), copy, size,
			       info.has_econtent ? NULL : "detached content\r\n",
			       info.has_econtent ? 0 : 18, &plain, &sigs, &n, &e) == 0) {
			for (i = 0; i < n; i++)
				if (sigs[i].state == SMIME_SIG_VALID)
					abort();	/* no anchor: nothing is valid */
			cms_sigs_free(sigs, n);
		}
	}
	(void)der_oid_string(copy, size, oid, sizeof oid);
	/* The same bytes as an sMIMECapabilities value, as a verified
	 * signature's signed attributes hand it over. */
	if (cms_capabilities_parse(copy, size, &caps, NULL) == 0) {
		(void)smime_capabilities_flags(caps);
		free(caps);
	}
	buf_release(&plain);
	free(copy);
	return 0;
}
