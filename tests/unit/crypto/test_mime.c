/* test_mime.c — the raw-byte MIME parser: entities, fields, Content-Type,
 * multipart splitting, re-encoding before signing. */
#include "crypto/smime_p.h"
#include "crypto/smime.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

static struct mime_entity
parse(const char *s, bool strict, int *rc)
{
	struct mime_entity m;
	struct err e = { 0 };

	*rc = mime_entity_parse(s, strlen(s), strict, &m, &e);
	return m;
}

static void
test_entity(void)
{
	static const struct {
		const char *in;
		bool strict;
		int rc;
		size_t hdr_len;
		const char *body;
		const char *eol;
	} t[] = {
		{ "A: 1\r\nB: 2\r\n\r\nbody\r\n", true, 0, 12, "body\r\n", "\r\n" },
		{ "A: 1\nB: 2\n\nbody\n", true, 0, 10, "body\n", "\n" },
		{ "A: 1\n folded\n\n\nbody", true, 0, 13, "\nbody", "\n" },
		{ "A: 1\n", true, 0, 5, "", "\n" },		/* all header */
		{ "\nbody only\n", false, 0, 0, "body only\n", "\n" },
		{ "no colon here\n\nx\n", true, -1, 0, NULL, NULL },
		{ "A: 1\nbad line\n\nx\n", true, -1, 0, NULL, NULL },
		{ " starts folded\n\nx", true, -1, 0, NULL, NULL },
		{ "just text\n", false, 0, 0, "just text\n", "\n" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		int rc;
		struct mime_entity m = parse(t[i].in, t[i].strict, &rc);

		CHECK_INT(rc, t[i].rc);
		if (rc < 0)
			continue;
		CHECK_INT(m.hdr.n, t[i].hdr_len);
		CHECK_INT(m.body.n, strlen(t[i].body));
		CHECK(memcmp(m.body.p, t[i].body, m.body.n) == 0);
		CHECK_STR(m.eol, t[i].eol);
	}
	{
		struct err e = { 0 };
		struct mime_entity m;
		const char *s = "A: 1\nB: 2\nthird\n\n";

		CHECK_INT(mime_entity_parse(s, strlen(s), true, &m, &e), -1);
		CHECK_STR(e.msg, "line 3 of the header is not a header field");
		CHECK_INT(e.code, ERR_INPUT);
	}
}

static void
test_fields(void)
{
	const char *s = "From: Alice <a@x>\r\nSubject: one\r\n two\r\n\tthree\r\n"
			"content-type: Text/Plain;\r\n charset=\"utf-8\"\r\nFROM: b@y\r\n"
			"Bcc: c@z\r\nMIME-Version: 1.0\r\n\r\nbody";
	struct mime_entity m;
	struct buf b = BUF_INIT;
	char *v;
	int rc;

	m = parse(s, true, &rc);
	CHECK_INT(rc, 0);
	v = mime_header_get(&m, "subject", 0);
	CHECK_STR(v, "one two\tthree");
	free(v);
	CHECK_INT(mime_header_count(&m, "From"), 2);
	v = mime_header_get(&m, "From", 1);
	CHECK_STR(v, "b@y");
	free(v);
	CHECK(mime_header_get(&m, "From", 2) == NULL);
	CHECK(mime_header_get(&m, "To", 0) == NULL);
	mime_copy_message_fields(&m, true, &b);
	CHECK_STR(b.data, "From: Alice <a@x>\r\nSubject: one\r\n two\r\n\tthree\r\nFROM: b@y\r\n");
	buf_reset(&b);
	mime_copy_message_fields(&m, false, &b);
	CHECK_CONTAINS(b.data, "Bcc: c@z\r\n");
	buf_release(&b);
}

static void
test_ctype(void)
{
	static const struct {
		const char *in;
		int rc;
		const char *type, *subtype, *pname, *pval;
	} t[] = {
		{ "text/plain", 0, "text", "plain", "charset", NULL },
		{ "Multipart/Signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; "
		  "boundary=\"--b;x\"", 0, "multipart", "signed", "boundary", "--b;x" },
		{ "multipart/mixed; BOUNDARY=simple", 0, "multipart", "mixed", "boundary", "simple" },
		{ "application/pkcs7-mime (a comment) ; smime-type=enveloped-data; name=smime.p7m",
		  0, "application", "pkcs7-mime", "smime-type", "enveloped-data" },
		{ "text/plain; charset=\"a\\\"b\"", 0, "text", "plain", "charset", "a\"b" },
		/* RFC 2231: continuations, charset and language, %XX, order. */
		{ "multipart/signed; boundary*0=\"fixture-\"; boundary*1=boundary-42",
		  0, "multipart", "signed", "boundary", "fixture-boundary-42" },
		{ "multipart/signed; boundary*1=\"two\"; boundary*0=\"one-\"",
		  0, "multipart", "signed", "boundary", "one-two" },
		{ "application/pkcs7-mime; smime-type*=us-ascii'en'enveloped%2Ddata",
		  0, "application", "pkcs7-mime", "smime-type", "enveloped-data" },
		{ "application/x; name*0*=utf-8''K%C3%B6ln%20; name*1=report; name*2*=%2Ep7m",
		  0, "application", "x", "name", "K\xc3\xb6ln report.p7m" },
		{ "application/x; name*=iso-8859-1''K%F6ln", 0, "application", "x", "name",
		  "K\xc3\xb6ln" },
		/* The extended value wins over a plain one; a gap ends the value. */
		{ "application/x; name=plain; name*=''ext", 0, "application", "x", "name", "ext" },
		{ "multipart/mixed; boundary*0=a; boundary*2=c", 0, "multipart", "mixed",
		  "boundary", "a" },
		{ "multipart/mixed; boundary*1=b", 0, "multipart", "mixed", "boundary", NULL },
		/* Bases interleaved, sections out of order, a plain one given way. */
		{ "a/b; x*1=2; y*=''Y; x*0*=''%31; x=plain", 0, "a", "b", "x", "12" },
		{ "a/b; x*1=2; y*=''Y; x*0*=''%31; x=plain", 0, "a", "b", "y", "Y" },
		/* A repeated section: the first counts; continuations beat "name*". */
		{ "a/b; n*0=first; n*0=second; n*1=!", 0, "a", "b", "n", "first!" },
		{ "a/b; n*=''star; n*0=zero", 0, "a", "b", "n", "zero" },
		/* Not sections: leading zeros, past the limit, a bare star. */
		{ "a/b; n*00=x; n=plain", 0, "a", "b", "n", "plain" },
		{ "a/b; n*0=a; n*65=z", 0, "a", "b", "n", "a" },
		{ "a/b; *=x; n=y", 0, "a", "b", "n", "y" },
		{ "text", -1, NULL, NULL, NULL, NULL },
		{ "/plain", -1, NULL, NULL, NULL, NULL },
		{ "", -1, NULL, NULL, NULL, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct mime_ctype ct;
		struct err e = { 0 };
		int rc = mime_ctype_parse(t[i].in, &ct, &e);

		CHECK_INT(rc, t[i].rc);
		if (rc < 0) {
			CHECK_INT(e.code, ERR_INPUT);
			continue;
		}
		CHECK_STR(ct.type, t[i].type);
		CHECK_STR(ct.subtype, t[i].subtype);
		CHECK_STR(mime_ctype_param(&ct, t[i].pname), t[i].pval);
		mime_ctype_release(&ct);
	}
}

static void
test_disposition(void)
{
	static const struct {
		const char *in;
		int rc;
		const char *type, *filename;
	} t[] = {
		{ "attachment; filename=\"smime.p7m\"", 0, "attachment", "smime.p7m" },
		{ "Attachment; filename*0=\"smime.\"; filename*1=p7m", 0, "attachment", "smime.p7m" },
		{ "inline; filename*=utf-8''r%C3%A9sum%C3%A9.txt", 0, "inline",
		  "r\xc3\xa9sum\xc3\xa9.txt" },
		{ "inline", 0, "inline", NULL },
		{ "; filename=x", -1, NULL, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct mime_ctype d;
		int rc = mime_disposition_parse(t[i].in, &d);

		CHECK_INT(rc, t[i].rc);
		if (rc < 0)
			continue;
		CHECK_STR(d.type, t[i].type);
		CHECK_STR(mime_ctype_param(&d, "filename"), t[i].filename);
		mime_ctype_release(&d);
	}
}

static void
test_multipart(void)
{
	static const struct {
		const char *body, *boundary;
		int rc;
		size_t n;
		bool closed;
		const char *parts[3];
	} t[] = {
		/* The CRLF before a delimiter is the delimiter's. */
		{ "preamble\r\n--b\r\nA: 1\r\n\r\none\r\n--b\r\n\r\ntwo\r\n\r\n--b--\r\nepilogue\r\n",
		  "b", 0, 2, true, { "A: 1\r\n\r\none", "\r\ntwo\r\n" } },
		{ "--b\nx\n--b--\n", "b", 0, 1, true, { "x" } },
		/* Transport padding after the boundary; a longer look-alike is content. */
		{ "--b  \nx\n--bb\ny\n--b--\t\n", "b", 0, 1, true, { "x\n--bb\ny" } },
		/* No close delimiter: the last part runs to the end. */
		{ "--b\nx\n--b\ny\n", "b", 0, 2, false, { "x", "y\n" } },
		{ "--b\n--b--\n", "b", 0, 1, true, { "" } },
		{ "no delimiter at all\n", "b", -1, 0, false, { NULL } },
		{ " --b\nindented is not a delimiter\n", "b", -1, 0, false, { NULL } },
	};
	size_t i, j;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct mime_range *parts = NULL;
		size_t n = 0;
		bool closed = false;
		struct err e = { 0 };
		int rc = mime_multipart_split(t[i].body, strlen(t[i].body), t[i].boundary,
					      &parts, &n, &closed, &e);

		CHECK_INT(rc, t[i].rc);
		if (rc < 0)
			continue;
		CHECK_INT(n, t[i].n);
		CHECK_INT(closed, t[i].closed);
		for (j = 0; j < n && j < 3; j++) {
			CHECK_INT(parts[j].n, strlen(t[i].parts[j]));
			CHECK(parts[j].n == strlen(t[i].parts[j]) &&
			      memcmp(parts[j].p, t[i].parts[j], parts[j].n) == 0);
		}
		free(parts);
	}
}

static void
test_make_7bit(void)
{
	static const struct {
		const char *in;
		const char *want;
	} t[] = {
		/* 7-bit content passes unchanged, line ends made CRLF. */
		{ "From: a@x\nContent-Type: text/plain\n\nhello\n",
		  "Content-Type: text/plain\r\n\r\nhello\r\n" },
		/* No Content-Type: the default is written out. */
		{ "From: a@x\n\nhello\n",
		  "Content-Type: text/plain; charset=us-ascii\r\n\r\nhello\r\n" },
		/* 8-bit text becomes quoted-printable. */
		{ "From: a@x\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nK\xc3\xb6ln \n",
		  "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nK=C3=B6ln=20\r\n" },
		/* Binary non-text becomes base64. */
		{ "From: a@x\nContent-Type: application/octet-stream\n\n\x01\xff\x80",
		  "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAf+A\r\n" },
		/* Multipart: each part on its own. */
		{ "From: a@x\nContent-Type: multipart/mixed; boundary=q\n\npre\n--q\nContent-Type: text/plain\n\n\xc3\xa9\n--q\n\nplain\n--q--\n",
		  "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: text/plain\r\n"
		  "Content-Transfer-Encoding: quoted-printable\r\n\r\n=C3=A9\r\n--q\r\n"
		  "Content-Type: text/plain; charset=us-ascii\r\n\r\nplain\r\n--q--\r\n" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct mime_entity m;
		struct buf out = BUF_INIT;
		struct err e = { 0 };

		CHECK_INT(mime_entity_parse(t[i].in, strlen(t[i].in), true, &m, &e), 0);
		CHECK_INT(mime_make_7bit_entity(&m, "\r\n", 0, &out, &e), 0);
		CHECK_STR(out.data, t[i].want);
		buf_release(&out);
	}
}

static void
test_depth_limit(void)
{
	struct buf msg = BUF_INIT, out = BUF_INIT;
	struct mime_entity m;
	struct err e = { 0 };
	int i;

	buf_adds(&msg, "From: a@x\n");
	for (i = 0; i < SMIME_MAX_DEPTH + 4; i++)
		buf_addf(&msg, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
	buf_adds(&msg, "\nleaf\n");
	CHECK_INT(mime_entity_parse(msg.data, msg.len, true, &m, &e), 0);
	CHECK_INT(mime_make_7bit_entity(&m, "\n", 0, &out, &e), -1);
	CHECK_CONTAINS(e.msg, "nesting deeper than");
	buf_release(&msg);
	buf_release(&out);
}

/*
 * Header protection (RFC 9788) written: the payload root's Content-Type
 * gains hp, the message fields but Bcc follow it, HP-Outer records what
 * hcp_baseline leaves outside; and read back by the verdict's reader.
 */
static void
test_header_protection(void)
{
	const char *msg = "From: alice@localhost\n"
			  "To: bob@localhost\n"
			  "Bcc: dave@localhost\n"
			  "Subject: figures\n"
			  "Keywords: q3\n"
			  "MIME-Version: 1.0\n"
			  "Content-Type: text/plain; charset=us-ascii\n"
			  "\n"
			  "text\n";
	const char *entity = "Content-Type: text/plain; charset=us-ascii\r\n\r\ntext\r\n";
	struct buf b = BUF_INIT;
	struct smime_verdict v = { 0 };
	struct mime_entity m, root;
	char **names;
	size_t n;
	int rc;

	m = parse(msg, true, &rc);
	hp_outer_fields(&m, true, &b);
	CHECK_STR(b.data, "From: alice@localhost\nTo: bob@localhost\nSubject: [...]\n");
	buf_release(&b);
	hp_outer_fields(&m, false, &b);
	CHECK_STR(b.data, "From: alice@localhost\nTo: bob@localhost\nSubject: figures\n"
		  "Keywords: q3\n");
	buf_release(&b);

	hp_protect_entity(&m, entity, strlen(entity), true, "\r\n", &b);
	CHECK_STR(b.data, "Content-Type: text/plain; charset=us-ascii;\r\n\thp=\"cipher\"\r\n"
		  "From: alice@localhost\r\nTo: bob@localhost\r\nSubject: figures\r\n"
		  "Keywords: q3\r\n"
		  "HP-Outer: From: alice@localhost\r\nHP-Outer: To: bob@localhost\r\n"
		  "HP-Outer: Subject: [...]\r\n"
		  "\r\ntext\r\n");
	root = parse(b.data, false, &rc);
	CHECK_INT(hp_mode_of(&root), SMIME_HP_CIPHER);
	hp_read_root(&root, &v);
	CHECK_INT(v.n_protected, 4);
	CHECK_INT(v.n_hp_outer, 3);
	CHECK_STR(smime_protected_header(&v, "subject"), "figures");
	CHECK(smime_protected_header(&v, "Bcc") == NULL);
	CHECK_STR(v.hp_outer[2].name, "Subject");
	CHECK_STR(v.hp_outer[2].value, "[...]");
	/* The outer header as sent matches; a Subject put outside does not. */
	m = parse("From: alice@localhost\nTo: bob@localhost\nSubject: [...]\n\nx\n", true, &rc);
	CHECK_INT(hp_check_outer(&m, &v), 0);
	m = parse("From: alice@localhost\nTo: bob@localhost\nReply-To: m@x\n"
		  "Subject: =?utf-8?q?pay?=\n\nx\n", true, &rc);
	CHECK_INT(hp_check_outer(&m, &v), 2);
	CHECK_STR(v.header_changes[0].name, "Subject");
	CHECK_STR(v.header_changes[0].outer, "=?utf-8?q?pay?=");
	CHECK_STR(v.header_changes[0].expected, "[...]");
	CHECK_STR(v.header_changes[1].name, "Reply-To");
	CHECK(v.header_changes[1].expected == NULL);
	hp_verdict_release(&v);
	buf_release(&b);

	/* hp="clear": the outer values are the protected ones, decoded and
	 * folded alike. */
	memset(&v, 0, sizeof v);
	hp_protect_entity(&m, entity, strlen(entity), false, "\n", &b);
	root = parse(b.data, false, &rc);
	CHECK_INT(hp_mode_of(&root), SMIME_HP_CLEAR);
	CHECK(strstr(b.data, "HP-Outer") == NULL);
	hp_read_root(&root, &v);
	m = parse("From: alice@localhost\nTo:  bob@localhost\nReply-To: m@x\n"
		  "Subject: pay\n\nx\n", true, &rc);
	CHECK_INT(hp_check_outer(&m, &v), 0);
	hp_verdict_release(&v);

	names = hp_field_names(&root, &n);
	CHECK_INT(n, 4);
	CHECK(hp_names_have(names, n, "reply-to"));
	CHECK(hp_names_have(names, n, "FROM"));
	CHECK(!hp_names_have(names, n, "Content-Type"));
	CHECK(!hp_names_have(names, n, "Cc"));
	hp_names_free(names, n);
	buf_release(&b);
}

/* 20,000 parameters of each kind: every one read, none lost to the others. */
static void
test_ctype_many(void)
{
	struct buf b = BUF_INIT;
	struct mime_ctype ct;
	int i;

	buf_adds(&b, "application/x");
	for (i = 0; i < 20000; i++)
		buf_addf(&b, "; p%d*=''v%%41%d; q%d*1=b; q%d*0*=a; r%d=plain", i, i, i, i, i);
	CHECK_INT(mime_ctype_parse(b.data, &ct, NULL), 0);
	CHECK_INT((int)ct.n, 60000);
	CHECK_STR(mime_ctype_param(&ct, "p0"), "vA0");
	CHECK_STR(mime_ctype_param(&ct, "p19999"), "vA19999");
	CHECK_STR(mime_ctype_param(&ct, "q12345"), "ab");
	CHECK_STR(mime_ctype_param(&ct, "r777"), "plain");
	mime_ctype_release(&ct);
	buf_release(&b);
}

/* The sender shown is the address the verdict reads, never a name alone. */
static void
test_from_display(void)
{
	static const struct {
		const char *in, *addr, *brief, *full;
	} t[] = {
		{ "Alice Example <alice@localhost>", "alice@localhost", "Alice Example",
		  "Alice Example <alice@localhost>" },
		{ "carol@localhost", "carol@localhost", "carol@localhost", "carol@localhost" },
		/* Names that could pass for an address: shown after the real one. */
		{ "\"bob@bank.example\" <mallory@evil.example>", "mallory@evil.example",
		  "mallory@evil.example (bob@bank.example)",
		  "mallory@evil.example (bob@bank.example)" },
		{ "=?utf-8?q?alice=40localhost=2C?= <mallory@localhost>", "mallory@localhost",
		  "mallory@localhost (alice@localhost,)", "mallory@localhost (alice@localhost,)" },
		{ "alice\xef\xbc\xa0localhost <mallory@localhost>", "mallory@localhost",
		  "mallory@localhost (alice\xef\xbc\xa0localhost)",
		  "mallory@localhost (alice\xef\xbc\xa0localhost)" },
		{ "alice\xef\xb9\xablocalhost <mallory@localhost>", "mallory@localhost",
		  "mallory@localhost (alice\xef\xb9\xablocalhost)",
		  "mallory@localhost (alice\xef\xb9\xablocalhost)" },
		/* Several, or a group: all shown, none picked. */
		{ "Dave <d@x>, Eve <e@x>", "d@x, e@x", "d@x, e@x", "d@x, e@x" },
		{ "alice@localhost: mallory@localhost;", "mallory@localhost (a group)",
		  "mallory@localhost (a group)", "mallory@localhost (a group)" },
		/* No address at all: an encoded word that decodes to one says so. */
		{ "=?utf-8?q?alice=40localhost?=", "(no address) alice@localhost",
		  "(no address) alice@localhost", "(no address) alice@localhost" },
		{ "Undisclosed", "Undisclosed", "Undisclosed", "Undisclosed" },
		/* Escapes in the name are shown, not sent. */
		{ "Ev\x1b[2Jil <e@x>", "e@x", "Ev\xe2\x90\x9b[2Jil", "Ev\xe2\x90\x9b[2Jil <e@x>" },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		s = mime_from_display(t[i].in, MIME_FROM_ADDRESS);
		CHECK_STR(s, t[i].addr);
		free(s);
		s = mime_from_display(t[i].in, MIME_FROM_SHORT);
		CHECK_STR(s, t[i].brief);
		free(s);
		s = mime_from_display(t[i].in, MIME_FROM_FULL);
		CHECK_STR(s, t[i].full);
		free(s);
	}
	s = mime_header_joined("From: a@x\r\nTo: b@x\r\nfrom: c@x\r\n\r\nbody", 37, "From");
	CHECK_STR(s, "a@x, c@x");
	free(s);
}

int
main(void)
{
	test_entity();
	test_fields();
	test_ctype();
	test_ctype_many();
	test_from_display();
	test_disposition();
	test_multipart();
	test_make_7bit();
	test_depth_limit();
	test_header_protection();
	return check_exit();
}
