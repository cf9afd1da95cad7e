/* test_json.c — JSON escaping and the verify --json line. */
#include "crypto/smime.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

static void
test_escape(void)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "plain", "\"plain\"" },
		{ "quote\" back\\slash", "\"quote\\\" back\\\\slash\"" },
		{ "line\nfeed\ttab\rcr", "\"line\\nfeed\\ttab\\rcr\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
		{ "K\xc3\xb6ln \xe2\x82\xac \xf0\x9f\x94\x92", "\"K\xc3\xb6ln \xe2\x82\xac \xf0\x9f\x94\x92\"" },
		/* Invalid UTF-8: lone continuation, overlong, surrogate, truncated. */
		{ "a\x80z", "\"a\\ufffdz\"" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xe2\x82", "\"\\ufffd\\ufffd\"" },
		{ "", "\"\"" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct buf b = BUF_INIT;

		smime_json_string(&b, t[i].in);
		CHECK_STR(b.data, t[i].out);
		buf_release(&b);
	}
	{
		struct buf b = BUF_INIT;

		smime_json_string(&b, NULL);
		CHECK_STR(b.data, "null");
		buf_release(&b);
	}
}

static void
test_verdict_line(void)
{
	struct smime_verdict *v = calloc(1, sizeof *v);
	struct buf b = BUF_INIT;

	v->signature = SMIME_SIG_UNTRUSTED;
	v->coverage = SMIME_COVERAGE_WHOLE;
	v->n_signers = 2;
	v->signers = calloc(2, sizeof *v->signers);
	v->signers[0].state = SMIME_SIG_VALID;
	v->signers[0].email = strdup("alice@x.org");
	v->signers[0].fingerprint = strdup("AAAA");
	v->signers[1].state = SMIME_SIG_UNTRUSTED;
	v->signers[1].email = strdup("alice@x.org");
	v->signers[1].fingerprint = strdup("BBBB");
	v->signers[1].detail = strdup("chain \"broken\"");
	v->n_warnings = 1;
	v->warnings[0] = SMIME_WARN_MULTIPLE_SIGNERS;
	smime_verdict_json(v, "dir/m\"1.eml", &b);
	/* The weakest signer is the one named. */
	CHECK_STR(b.data, "{\"file\":\"dir/m\\\"1.eml\",\"signature\":\"untrusted\","
		  "\"coverage\":\"whole\",\"signer\":\"alice@x.org\",\"fingerprint\":\"BBBB\","
		  "\"decryption\":\"none\",\"warnings\":[\"multiple-signers\"],\"error\":null,"
		  "\"from\":null,\"signers\":[{\"email\":\"alice@x.org\",\"fingerprint\":\"AAAA\","
		  "\"state\":\"valid\",\"coverage\":\"none\",\"detail\":null},"
		  "{\"email\":\"alice@x.org\",\"fingerprint\":\"BBBB\",\"state\":\"untrusted\","
		  "\"coverage\":\"none\",\"detail\":\"chain \\\"broken\\\"\"}],"
		  "\"protected_headers\":null,\"authentication\":null}");
	CHECK(strchr(b.data, '\n') == NULL);
	buf_release(&b);
	smime_verdict_free(&v);
	CHECK(v == NULL);
	smime_verdict_free(&v);	/* NULL is fine */

	v = calloc(1, sizeof *v);
	v->decryption = SMIME_DECRYPT_REFUSED;
	v->error = strdup("x");
	smime_verdict_json(v, "f", &b);
	CHECK_STR(b.data, "{\"file\":\"f\",\"signature\":\"none\",\"coverage\":null,\"signer\":null,"
		  "\"fingerprint\":null,\"decryption\":\"refused\",\"warnings\":[],\"error\":\"x\","
		  "\"from\":null,\"signers\":[],\"protected_headers\":null,\"authentication\":null}");
	buf_release(&b);
	smime_verdict_free(&v);

	/* Protected headers: each name once (the first), spelled as RFC 5322
	 * does for the fields cachet protects, values decoded. */
	v = calloc(1, sizeof *v);
	v->hp = SMIME_HP_CLEAR;
	v->n_protected = 4;
	v->protected_fields = calloc(4, sizeof *v->protected_fields);
	v->protected_fields[0].name = strdup("SUBJECT");
	v->protected_fields[0].value = strdup("=?utf-8?q?r=C3=A9sum=C3=A9?=");
	v->protected_fields[1].name = strdup("message-id");
	v->protected_fields[1].value = strdup("<a@b>");
	v->protected_fields[2].name = strdup("Subject");
	v->protected_fields[2].value = strdup("second");
	v->protected_fields[3].name = strdup("X-Other");
	v->protected_fields[3].value = strdup("\"q\"");
	smime_verdict_json(v, "f", &b);
	CHECK_CONTAINS(b.data, "\"signers\":[],\"protected_headers\":{\"Subject\":"
		       "\"r\xc3\xa9sum\xc3\xa9\",\"Message-ID\":\"<a@b>\","
		       "\"X-Other\":\"\\\"q\\\"\"},\"authentication\":null}");
	CHECK(strstr(b.data, "second") == NULL);
	buf_release(&b);
	smime_verdict_free(&v);
	/* Protected, but no field: an empty object, not null. */
	v = calloc(1, sizeof *v);
	v->hp = SMIME_HP_CIPHER;
	smime_verdict_json(v, "f", &b);
	CHECK_CONTAINS(b.data, "\"protected_headers\":{},");
	buf_release(&b);
	smime_verdict_free(&v);
}

int
main(void)
{
	test_escape();
	test_verdict_line();
	return check_exit();
}
