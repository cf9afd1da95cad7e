/* test_codec.c — base64, quoted-printable, canonical line ends, addresses. */
#include "crypto/smime_p.h"
#include "crypto/smime.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

static void
test_base64(void)
{
	static const struct {
		const char *plain, *enc;
	} t[] = {
		{ "", "" }, { "f", "Zg==\n" }, { "fo", "Zm8=\n" }, { "foo", "Zm9v\n" },
		{ "foobar", "Zm9vYmFy\n" },
		/* 57 bytes make exactly one 76-column line. */
		{ "123456789012345678901234567890123456789012345678901234567",
		  "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3\n" },
		{ "1234567890123456789012345678901234567890123456789012345678",
		  "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3\nOA==\n" },
	};
	static const struct {
		const char *in;
		int rc;
		const char *out;
	} d[] = {
		{ "Zm9v\r\nYmFy\r\n", 0, "foobar" }, { " Z g = = ", 0, "f" },
		{ "Zm9v!", -1, NULL }, { "Zg=x", -1, NULL }, { "Z", -1, NULL },
		{ "Zm9vY", -1, NULL }, { "Zg===", -1, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct buf b = BUF_INIT, r = BUF_INIT;

		codec_base64_encode(t[i].plain, strlen(t[i].plain), "\n", &b);
		CHECK_STR(b.data ? b.data : "", t[i].enc);
		CHECK_INT(codec_base64_decode(b.data ? b.data : "", b.len, &r, NULL), 0);
		CHECK_STR(r.data ? r.data : "", t[i].plain);
		buf_release(&b);
		buf_release(&r);
	}
	for (i = 0; i < sizeof d / sizeof d[0]; i++) {
		struct buf r = BUF_INIT;
		struct err e = { 0 };

		CHECK_INT(codec_base64_decode(d[i].in, strlen(d[i].in), &r, &e), d[i].rc);
		if (d[i].rc == 0)
			CHECK_STR(r.data, d[i].out);
		else
			CHECK_INT(e.code, ERR_INPUT);
		buf_release(&r);
	}
}

static void
test_qp(void)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "plain text\n", "plain text\r\n" },
		{ "a=b\n", "a=3Db\r\n" },
		{ "trailing space \ntab\t\n", "trailing space=20\r\ntab=09\r\n" },
		{ "From the top\n.\n", "=46rom the top\r\n=2E\r\n" },
		{ "\xc3\xa9t\xc3\xa9", "=C3=A9t=C3=A9" },
		/* 80 characters: a soft break keeps lines within 76. */
		{ "12345678901234567890123456789012345678901234567890123456789012345678901234567890\n",
		  "123456789012345678901234567890123456789012345678901234567890123456789012345=\r\n67890\r\n" },
		/* Exactly 76 fits on its line. */
		{ "1234567890123456789012345678901234567890123456789012345678901234567890123456\n",
		  "1234567890123456789012345678901234567890123456789012345678901234567890123456\r\n" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct buf b = BUF_INIT;

		codec_qp_encode(t[i].in, strlen(t[i].in), "\r\n", &b);
		CHECK_STR(b.data, t[i].out);
		buf_release(&b);
	}
}

static void
test_qp_decode(void)
{
	static const struct {
		const char *in;
		int rc;
		const char *out;
		size_t outlen;
	} t[] = {
		{ "a=3Db\n", 0, "a=b\r\n", 5 },
		{ "soft=\r\nbreak", 0, "softbreak", 9 },
		{ "pad  \t\nx", 0, "pad\r\nx", 6 },
		{ "=00=0D=0A=ff", 0, "\0\r\n\xff", 4 },
		{ "=C3=A9t=C3=A9", 0, "\xc3\xa9t\xc3\xa9", 5 },
		{ "end=", 0, "end", 3 },
		{ "bad=4", -1, NULL, 0 },
		{ "bad=G1", -1, NULL, 0 },
		{ "ok\nbad=zz\n", -1, NULL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct buf b = BUF_INIT;
		struct err e = { 0 };
		int rc = codec_qp_decode(t[i].in, strlen(t[i].in), &b, &e);

		CHECK_INT(rc, t[i].rc);
		if (rc == 0) {
			CHECK_INT((int)b.len, (int)t[i].outlen);
			CHECK_INT(memcmp(b.data, t[i].out, t[i].outlen), 0);
		} else {
			CHECK_INT(e.code, ERR_INPUT);
		}
		buf_release(&b);
	}
	/* Round trip of every byte value through the encoder. */
	{
		struct buf enc = BUF_INIT, dec = BUF_INIT;
		char all[256];

		for (i = 0; i < 256; i++)
			all[i] = (char)(i == '\n' ? 'n' : i == '\r' ? 'r' : i);
		codec_qp_encode(all, sizeof all, "\r\n", &enc);
		CHECK_INT(codec_qp_decode(enc.data, enc.len, &dec, NULL), 0);
		CHECK_INT((int)dec.len, 256);
		CHECK_INT(memcmp(dec.data, all, 256), 0);
		buf_release(&enc);
		buf_release(&dec);
	}
}

/*
 * The lenient readers, for display, over the same inputs the strict ones
 * refuse: each row says what the screen shows instead of an error.
 */
struct lenient_row {
	const char *in;
	size_t outlen;
	const char *out;
};

static void
check_lenient(void (*decode)(const char *, size_t, struct buf *),
	      const struct lenient_row *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct buf b = BUF_INIT;

		decode(t[i].in, strlen(t[i].in), &b);
		CHECK(b.data != NULL);
		CHECK_INT((int)b.len, (int)t[i].outlen);
		CHECK_INT(memcmp(b.data, t[i].out, t[i].outlen), 0);
		buf_release(&b);
	}
}

static void
test_lenient(void)
{
	static const struct lenient_row b64[] = {
		{ "Zm9v\r\nYmFy\r\n", 6, "foobar" },
		/* Garbage outside the alphabet is skipped, not refused. */
		{ "Zm9v!", 3, "foo" },
		{ "Z*m-9.v\x80Y~mFy", 6, "foobar" },
		/* Missing padding gives what the digits hold. */
		{ "Zg", 1, "f" }, { "Zm8", 2, "fo" }, { "Zm9vY", 3, "foo" },
		/* The first "=" ends the data: nothing after it is read. */
		{ "Zg==Zm9v", 1, "f" }, { "Zg=x", 1, "f" }, { "Zg===", 1, "f" },
		{ "=Zm9v", 0, "" }, { "", 0, "" },
	}, qp[] = {
		{ "a=3Db\n", 4, "a=b\n" },
		/* Line ends stay as they are, CR included; padding is kept. */
		{ "pad  \t\r\nx", 9, "pad  \t\r\nx" },
		/* Soft breaks: "=", optional white space and CR, the line end. */
		{ "soft=\r\nbreak", 9, "softbreak" },
		{ "soft= \t\nbreak", 9, "softbreak" },
		{ "end=", 3, "end" }, { "end= \t", 3, "end" }, { "end=\r", 3, "end" },
		/* A bad escape stays literally... */
		{ "bad=G1", 6, "bad=G1" }, { "bad=zz\nok", 9, "bad=zz\nok" },
		{ "=\r\rx", 4, "=\r\rx" }, { "a=4\nb", 5, "a=4\nb" },
		/* ...but a single digit at the very end loses its "=". */
		{ "bad=4", 4, "bad4" },
		{ "=00=0D=0A=ff", 4, "\0\r\n\xff" },
		{ "under_score", 11, "under_score" },
	}, q[] = {
		/* RFC 2047 "Q": "_" is a space, the rest as quoted-printable. */
		{ "caf=C3=A9_au_lait", 13, "caf\xc3\xa9 au lait" },
		{ "a=5Fb", 3, "a_b" }, { "bad=G1_", 7, "bad=G1 " }, { "x=4", 2, "x4" },
	};

	check_lenient(codec_base64_decode_lenient, b64, sizeof b64 / sizeof b64[0]);
	check_lenient(codec_qp_decode_lenient, qp, sizeof qp / sizeof qp[0]);
	check_lenient(codec_q_word_decode, q, sizeof q / sizeof q[0]);
	/* Whatever the strict readers accept, the lenient ones read alike. */
	{
		static const char *const ok[] = { "Zm9v\r\nYmFy\r\n", " Z g = = ", "Zm8=" };
		size_t i;

		for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
			struct buf a = BUF_INIT, b = BUF_INIT;

			CHECK_INT(codec_base64_decode(ok[i], strlen(ok[i]), &a, NULL), 0);
			codec_base64_decode_lenient(ok[i], strlen(ok[i]), &b);
			CHECK_INT((int)a.len, (int)b.len);
			CHECK_INT(memcmp(a.data, b.data, a.len), 0);
			buf_release(&a);
			buf_release(&b);
		}
	}
}

static void
test_eol(void)
{
	static const struct {
		const char *in, *crlf, *lf;
	} t[] = {
		{ "a\nb\n", "a\r\nb\r\n", "a\nb\n" },
		{ "a\r\nb\r\n", "a\r\nb\r\n", "a\nb\n" },
		{ "a\rb", "a\r\nb", "a\nb" },
		{ "mixed\r\nends\nhere", "mixed\r\nends\r\nhere", "mixed\nends\nhere" },
		{ "\r\r\n", "\r\n\r\n", "\n\n" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct buf a = BUF_INIT, b = BUF_INIT;

		codec_crlf(t[i].in, strlen(t[i].in), &a);
		codec_eol(t[i].in, strlen(t[i].in), "\n", &b);
		CHECK_STR(a.data, t[i].crlf);
		CHECK_STR(b.data, t[i].lf);
		buf_release(&a);
		buf_release(&b);
	}
}

static void
test_needs_encoding(void)
{
	char longline[1200];

	CHECK(!codec_needs_encoding("plain\r\nascii\n", 13));
	CHECK(codec_needs_encoding("caf\xc3\xa9", 5));
	CHECK(codec_needs_encoding("nul\0byte", 8));
	CHECK(codec_needs_encoding("bare\rcr", 7));
	memset(longline, 'x', sizeof longline);
	CHECK(!codec_needs_encoding(longline, 998));
	CHECK(codec_needs_encoding(longline, 999));
}

static void
test_addresses(void)
{
	static const struct {
		const char *in;
		const char *want[4];
	} t[] = {
		{ "alice@example.org", { "alice@example.org" } },
		{ "Alice Example <alice@Example.ORG>", { "alice@example.org" } },
		{ "\"Doe, John\" <john@x.org>, bob@y.org", { "john@x.org", "bob@y.org" } },
		{ "bob@y.org (Bob, the builder)", { "bob@y.org" } },
		{ "team: a@x.org, b@x.org;, c@x.org", { "a@x.org", "b@x.org", "c@x.org" } },
		{ "undisclosed-recipients:;", { NULL } },
		{ "\"odd@quoted\"@x.org", { "\"odd@quoted\"@x.org" } },
		{ "Name <with@angle.org>, <bare@angle.org>", { "with@angle.org", "bare@angle.org" } },
		{ "no address here", { NULL } },
		{ "", { NULL } },
	};
	size_t i, j;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char **v = NULL;
		size_t n = 0;

		addr_list_parse(t[i].in, &v, &n);
		for (j = 0; t[i].want[j]; j++)
			CHECK_STR(j < n ? v[j] : NULL, t[i].want[j]);
		CHECK_INT(n, j);
		smime_strv_free(&v);
	}
	CHECK(addr_equal("Alice@Example.org", "Alice@example.ORG"));
	CHECK(addr_equal("alice@example.org", "Alice@example.org"));
	CHECK(addr_equal("alice@xn--bcher-kva.example", "ALICE@B\xc3\xbc" "cher.example"));
	CHECK(!addr_equal("alice@localhost", "alice@loc\xd0\xb0lhost"));
	CHECK(!addr_equal("alice@example.org", "alice@example.org.evil"));
	CHECK(!addr_equal("alice", "alice"));
}

static void
test_message_addresses(void)
{
	const char *msg = "From: Alice <alice@x.org>\nTo: bob@y.org, Carol <carol@z.org>\n"
			  "Cc: bob@Y.org\nBcc: dave@w.org\n\nbody\n";
	const char *two = "From: a@x.org\nFrom: b@x.org\n\n";
	char **v = NULL, *from = NULL;
	size_t n = 0;
	struct err e = { 0 };

	CHECK_INT(smime_message_from(msg, strlen(msg), &from, &e), 0);
	CHECK_STR(from, "alice@x.org");
	free(from);
	CHECK_INT(smime_message_recipients(msg, strlen(msg), &v, &n, &e), 0);
	CHECK_INT(n, 3);	/* bob once, whatever the domain's case */
	CHECK_STR(v[0], "bob@y.org");
	CHECK_STR(v[1], "carol@z.org");
	CHECK_STR(v[2], "dave@w.org");
	smime_strv_free(&v);
	CHECK_INT(smime_message_from(two, strlen(two), &from, &e), -1);
	CHECK_CONTAINS(e.msg, "more than one From");
}

/* One comparison form: no case anywhere, IDNA domains as A-labels. */
static void
test_address_key(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "Alice@EXAMPLE.org", "alice@example.org" },
		{ "ALICE@localhost", "alice@localhost" },
		{ "alice@b\xc3\xbc" "cher.example", "alice@xn--bcher-kva.example" },
		{ "alice@XN--BCHER-KVA.example", "alice@xn--bcher-kva.example" },
		/* A Cyrillic a: another domain, not localhost. */
		{ "alice@loc\xd0\xb0lhost", "alice@xn--loclhost-36g" },
		{ "no-at-sign", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *k = smime_address_key(t[i].in);

		if (t[i].want == NULL)
			CHECK(k == NULL);
		else
			CHECK_STR(k, t[i].want);
		free(k);
	}
}

int
main(void)
{
	test_address_key();
	test_base64();
	test_qp();
	test_qp_decode();
	test_lenient();
	test_eol();
	test_needs_encoding();
	test_addresses();
	test_message_addresses();
	return check_exit();
}
