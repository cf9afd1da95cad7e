/*
 * fuzz_enveloped.c — the EnvelopedData / AuthEnvelopedData reader:
 * libksba's walk, the RecipientInfos and content parameters from der.c,
 * the EC point check, and the content decryption under an all-zero key
 * (a wrong key must fail cleanly).  No agent: nothing here needs a
 * private key.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "crypto/cms_decrypt_p.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char zero_key[32];
	unsigned char *copy = xmalloc(size ? size : 1);
	struct cms_env *env = NULL;
	struct buf out = BUF_INIT;
	size_t i;

	memcpy(copy, data, size);
	if (cms_env_parse(copy, size, &env, NULL) == 0) {
		for (i = 0; i < env->n_rcpt; i++) {
			cms_recipient_describe(&env->rcpt[i], &out);
			(void)cms_recipient_check(&env->rcpt[i], NULL);
		}
		(void)cms_env_decrypt(env, zero_key, env->key_len, &out, NULL);
		cms_env_free(&env);
	}
	buf_release(&out);
	free(copy);
	return 0;
}
