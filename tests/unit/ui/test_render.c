/*
 * test_render.c — decoding and formatting for the screens: header words,
 * parameters, transfer encodings, charsets, HTML, the pager's lines of
 * whole messages, the index line, wrapping.
 */
#include <locale.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "ui/ui_p.h"

static void
test_header_decode(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain subject", "plain subject" },
		{ "=?UTF-8?B?w6TDtsO8?=", "\xc3\xa4\xc3\xb6\xc3\xbc" },
		{ "=?ISO-8859-1?Q?caf=E9_au_lait?=", "caf\xc3\xa9 au lait" },
		/* Space between encoded words disappears; around them it stays. */
		{ "=?utf-8?q?a?= =?utf-8?q?b?=", "ab" },
		{ "x =?utf-8?q?a?= y", "x a y" },
		{ "=?utf-8*en?q?lang?=", "lang" },
		/* Malformed words are text. */
		{ "=?utf-8?x?nope?=", "=?utf-8?x?nope?=" },
		{ "=?utf-8?q?unterminated", "=?utf-8?q?unterminated" },
		/* An escape sequence hidden in an encoded word is shown, not sent. */
		{ "=?utf-8?q?a=1B[2Jb?=", "a\xe2\x90\x9b[2Jb" },
		{ "=?windows-1252?q?=80?=", "\xe2\x82\xac" },
		{ "=?no-such-charset?q?ok?=", "ok" },
	};
	size_t i;
	char *d;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = mime_header_decode(cases[i].in);
		CHECK_STR(d, cases[i].want);
		free(d);
	}
}

static void
test_header_get(void)
{
	const char *hdr = "Received: x\r\nSubject: first\r\n line\r\n"
			  "subject : second\r\nX-Empty:\r\n\r\nSubject: body\r\n";
	char *v;

	v = mime_header_first(hdr, strlen(hdr), "Subject");
	CHECK_STR(v, "first line");
	free(v);
	v = mime_header_first(hdr, strlen(hdr), "X-Empty");
	CHECK_STR(v, "");
	free(v);
	v = mime_header_first(hdr, strlen(hdr), "To");
	CHECK(v == NULL);
	free(v);
	CHECK_INT(mime_header_end(hdr, strlen(hdr)), strlen(hdr) - strlen("Subject: body\r\n"));
	CHECK_INT(mime_header_end("\nbody", 5), 1);
	CHECK_INT(mime_header_end("A: b\n", 5), 5);
}

static void
test_params(void)
{
	static const struct {
		int disposition;	/* a Content-Disposition value */
		const char *value, *param, *want;
	} cases[] = {
		{ 0, "text/plain; charset=utf-8", "charset", "utf-8" },
		{ 0, "text/plain; CHARSET=\"iso-8859-1\"", "charset", "iso-8859-1" },
		{ 0, "multipart/mixed; boundary=\"a;b \\\"c\"", "boundary", "a;b \"c" },
		{ 1, "attachment; filename*=UTF-8''%E2%82%AC%20rates.pdf", "filename",
		  "\xe2\x82\xac rates.pdf" },
		{ 1, "attachment; filename*0=\"long\"; filename*1=\"name.txt\"", "filename",
		  "longname.txt" },
		{ 1, "attachment; filename*0*=iso-8859-1'de'caf%E9; filename*1=.txt",
		  "filename", "caf\xc3\xa9.txt" },
		{ 0, "text/plain", "charset", NULL },
		{ 0, "text/plain; format=flowed", "charset", NULL },
		/* What the verdict reads is what the screen reads: a comment is
		 * skipped, with the ";" and "=" inside it. */
		{ 0, "multipart/signed; (x; boundary=\"evil\") boundary=\"good\"",
		  "boundary", "good" },
		/* A complete RFC 2231 value wins over a plain one. */
		{ 0, "multipart/signed; boundary=\"evil\"; boundary*0=\"go\"; boundary*1=\"od\"",
		  "boundary", "good" },
		/* Not "type/subtype": the default, so no boundary at all. */
		{ 0, "multipart; boundary=evil", "boundary", NULL },
		{ 0, "multipart; boundary=evil", "charset", "us-ascii" },
		{ 1, "inline", "filename", NULL },
	};
	size_t i;
	char *v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = cases[i].disposition ? ui_disposition_param(cases[i].value, cases[i].param)
					 : ui_ctype_param(cases[i].value, cases[i].param);
		CHECK_STR(v, cases[i].want);
		free(v);
	}
	v = ui_content_type(" Text/HTML ; charset=x");
	CHECK_STR(v, "text/html");
	free(v);
	v = ui_content_type(NULL);
	CHECK_STR(v, "text/plain");
	free(v);
	v = ui_content_type("garbage");
	CHECK_STR(v, "text/plain");
	free(v);
}

static void
test_transfer(void)
{
	struct buf b = BUF_INIT;

	mime_transfer_decode_lenient(&b, "quoted-printable", "caf=E9 =\r\nau lait=3D\r\nx=",
			   strlen("caf=E9 =\r\nau lait=3D\r\nx="));
	CHECK_STR(b.data, "caf\xe9 au lait=\r\nx");
	buf_release(&b);
	mime_transfer_decode_lenient(&b, "base64", "aGVs\r\nbG8=\r\n", 12);
	CHECK_STR(b.data, "hello");
	buf_release(&b);
	mime_transfer_decode_lenient(&b, "8bit", "as is", 5);
	CHECK_STR(b.data, "as is");
	buf_release(&b);
}

static void
test_charsets(void)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "");
	utf8_from_charset(&b, "iso-8859-1", "caf\xe9", 4);
	CHECK_STR(b.data, "caf\xc3\xa9");
	buf_reset(&b);
	buf_adds(&b, "");
	utf8_from_charset(&b, "utf-8", "bad \xff byte", 10);
	CHECK_STR(b.data, "bad \xef\xbf\xbd byte");
	buf_reset(&b);
	buf_adds(&b, "");
	utf8_from_charset(&b, "utf-8", "a\x1b]0;title\x07z\r\n\tq", 16);
	CHECK_STR(b.data, "a\xe2\x90\x9b]0;title\xe2\x90\x87z\n\tq");
	buf_reset(&b);
	buf_adds(&b, "");
	/* Right-to-left override: the text must read as it is. */
	utf8_from_charset(&b, NULL, "gpj.\xe2\x80\xae" "exe", 10);
	CHECK_STR(b.data, "gpj.\xef\xbf\xbd" "exe");
	buf_reset(&b);
	buf_adds(&b, "");
	utf8_from_charset(&b, "shift_jis", "\x93\xfa\x96\x7b", 4);
	CHECK_STR(b.data, "\xe6\x97\xa5\xe6\x9c\xac");
	buf_release(&b);

	CHECK_INT(ui_text_width("abc"), 3);
	CHECK_INT(ui_text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);
	ui_text_fit(&b, "\xe6\x97\xa5\xe6\x9c\xac", 3);
	CHECK_STR(b.data, "\xe6\x97\xa5 ");
	buf_release(&b);
	ui_text_fit(&b, "abcdef", 4);
	CHECK_STR(b.data, "abcd");
	buf_release(&b);
}

static void
test_html(void)
{
	const char *html =
		"<html><head><style>p{color:red}</style><title>T</title></head>"
		"<body><p>Hello &amp; <b>welcome</b>&nbsp;&#8364;5</p>"
		"<img src=\"http://tracker.example/x.png\" alt='a>b'>"
		"<script>alert(1)</script><!-- hidden --><ul><li>one</li><li>two</li></ul>"
		"</body></html>";
	struct buf b = BUF_INIT;

	ui_html_to_text(&b, html, strlen(html));
	CHECK_STR(b.data, "T\n\nHello & welcome \xe2\x82\xac" "5\n* one\n* two\n");
	CHECK(strstr(b.data, "tracker") == NULL);
	CHECK(strstr(b.data, "alert") == NULL);
	CHECK(strstr(b.data, "color") == NULL);
	buf_release(&b);

	/* Links: numbered after their text, listed under it, each address
	 * once; an in-page anchor and a script are not links. */
	html = "<p>Read the <a href=\"https://example.org/news?a=1&amp;b=2\">latest\n"
	       "news</a> or <A HREF='mailto:carol@example.org'>write</A>.</p>"
	       "<p><a href=\"#top\">top</a> <a href=\"javascript:x()\">run</a> "
	       "<a href=https://example.org/news?a=1&amp;b=2>again</a></p>";
	ui_html_to_text(&b, html, strlen(html));
	CHECK_STR(b.data, "Read the latest news[1] or write[2].\n\ntop run again[1]\n\n"
		  "[1] https://example.org/news?a=1&b=2\n[2] mailto:carol@example.org\n");
	buf_release(&b);

	/* Table cells stay apart, each row on its own line. */
	html = "<table><tr><th>Item</th><th>Price</th></tr>"
	       "<tr><td> Tea </td><td>3&euro;</td><td></td></tr></table>after";
	ui_html_to_text(&b, html, strlen(html));
	CHECK_STR(b.data, "Item | Price\nTea | 3\xe2\x82\xac | \nafter");
	buf_release(&b);
}

static void
test_mailcap(void)
{
	static const char text[] =
		"# comment\n"
		"text/plain; echo no; test=false\n"
		"text/plain; less %s\\; echo %t %{charset} 100%%; copiousoutput\n"
		"image/*; view \\\n  --file=%s; needsterminal\n"
		"application/pdf; pdfread\n";
	char path[] = "/tmp/cachet-mailcap-XXXXXX";
	const char *files[] = { "/nonexistent/mailcap", path, NULL };
	bool in = false, term = false, copious = false;
	char *cmd;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK_INT(write(fd, text, strlen(text)), (long)strlen(text));
	close(fd);
	/* The first entry's test fails; %t, %{...} and %% in the second. */
	cmd = ui_mailcap_find(files, "TEXT/plain", "/tmp/f", &in, &term, &copious);
	CHECK_STR(cmd, "less /tmp/f; echo TEXT/plain  100%");
	CHECK(!in && !term && copious);
	free(cmd);
	/* A type that is not plain never reaches the shell. */
	cmd = ui_mailcap_find(files, "text/plain;x`id`", "/tmp/f", &in, &term, &copious);
	CHECK(cmd == NULL);
	free(cmd);
	/* A wildcard, a continued line, a flag. */
	cmd = ui_mailcap_find(files, "image/png", "/tmp/f", &in, &term, &copious);
	CHECK_STR(cmd, "view   --file=/tmp/f");
	CHECK(!in && term && !copious);
	free(cmd);
	/* No %s: the content on standard input. */
	cmd = ui_mailcap_find(files, "application/pdf", "/tmp/f", &in, &term, &copious);
	CHECK_STR(cmd, "pdfread");
	CHECK(in);
	free(cmd);
	CHECK(ui_mailcap_find(files, "audio/ogg", "/tmp/f", &in, &term, &copious) == NULL);
	unlink(path);
}

static void
test_doc_urls(void)
{
	struct ui_line lines[] = {
		{ UI_LINE_HEADER, (char *)"From: http://header.example/" },
		{ UI_LINE_BODY, (char *)"See https://a.example/x, and (http://b.example/y)." },
		{ UI_LINE_QUOTE, (char *)"> https://a.example/x again <mailto:d@example.org>" },
		{ UI_LINE_BODY, (char *)"[1] ftp://c.example/file" },
	};
	struct ui_doc d = { .lines = lines, .n_lines = 4 };
	char **urls = NULL;
	size_t n = ui_doc_urls(&d, &urls), i;

	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_STR(urls[0], "https://a.example/x");
		CHECK_STR(urls[1], "http://b.example/y");
		CHECK_STR(urls[2], "mailto:d@example.org");
		CHECK_STR(urls[3], "ftp://c.example/file");
	}
	for (i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
}

static char *
doc_text(const struct ui_doc *d)
{
	struct buf b = BUF_INIT;
	size_t i;
	static const char kinds[] = "GIBHBQAN";

	buf_adds(&b, "");
	for (i = 0; i < d->n_lines; i++)
		buf_addf(&b, "%c|%s\n", kinds[d->lines[i].kind], d->lines[i].text);
	return buf_detach(&b, NULL);
}

static void
test_pager_mixed(void)
{
	const char *msg =
		"From: =?utf-8?q?J=C3=BCrgen?= <jurgen@localhost>\r\n"
		"To: bob@localhost\r\n"
		"Date: Fri, 27 Nov 2026 10:00:00 +0100\r\n"
		"Subject: =?iso-8859-1?q?R=E9sum=E9?=\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
		"\r\n"
		"preamble\r\n"
		"--outer\r\n"
		"Content-Type: multipart/alternative; boundary=inner\r\n"
		"\r\n"
		"--inner\r\n"
		"Content-Type: text/plain; charset=iso-8859-1\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"Voil=E0 le r=E9sum=E9.\r\n"
		"> quoted line\r\n"
		"\r\n"
		"--inner\r\n"
		"Content-Type: text/html\r\n"
		"\r\n"
		"<p>HTML version</p>\r\n"
		"--inner--\r\n"
		"--outer\r\n"
		"Content-Type: application/pdf; name=\"cv.pdf\"\r\n"
		"Content-Disposition: attachment; filename=\"cv.pdf\"\r\n"
		"Content-Transfer-Encoding: base64\r\n"
		"\r\n"
		"JVBERi0xLjQK\r\n"
		"--outer--\r\n";
	struct ui_doc d;
	struct buf att = BUF_INIT;
	char *t;

	ui_doc_build(&d, msg, strlen(msg), NULL, NULL, 0);
	t = doc_text(&d);
	CHECK_STR(t,
		  "H|From: J\xc3\xbcrgen <jurgen@localhost>\n"
		  "H|To: bob@localhost\n"
		  "H|Date: Fri, 27 Nov 2026 10:00:00 +0100\n"
		  "H|Subject: R\xc3\xa9sum\xc3\xa9\n"
		  "A|[1] cv.pdf (application/pdf, 9)\n"
		  "B|\n"
		  "B|Voil\xc3\xa0 le r\xc3\xa9sum\xc3\xa9.\n"
		  "Q|> quoted line\n");
	CHECK_INT(d.n_atts, 1);
	ui_attachment_decode(&d.atts[0], &att);
	CHECK_INT(att.len, 9);
	CHECK(memcmp(att.data, "%PDF-1.4\n", 9) == 0);
	buf_release(&att);
	free(t);
	ui_doc_release(&d);
}

static const char signed_msg[] =
	"From: Alice Example <alice@localhost>\n"
	"To: bob@localhost\n"
	"Subject: signed\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";"
	" micalg=\"sha-256\"; boundary=\"----B\"\n"
	"\n"
	"This is an S/MIME signed message\n"
	"\n"
	"------B\n"
	"Content-Type: text/plain\n"
	"\n"
	"Signed text.\n"
	"\n"
	"------B\n"
	"Content-Type: application/pkcs7-signature; name=\"smime.p7s\"\n"
	"Content-Transfer-Encoding: base64\n"
	"Content-Disposition: attachment; filename=\"smime.p7s\"\n"
	"\n"
	"MIIB\n"
	"\n"
	"------B--\n";

static void
test_pager_signed(void)
{
	struct smime_signer s = {
		.state = SMIME_SIG_VALID, .email = (char *)"alice@localhost",
		.issuer = (char *)"CN=Cachet Test S/MIME CA",
	};
	struct smime_verdict v = {
		.signature = SMIME_SIG_VALID, .coverage = SMIME_COVERAGE_WHOLE,
		.signers = &s, .n_signers = 1, .from = (char *)"alice@localhost",
	};
	struct ui_doc d;
	char *t;

	ui_doc_build(&d, signed_msg, strlen(signed_msg), &v, NULL, 0);
	t = doc_text(&d);
	/* The signature part is the banner's, not an attachment. */
	CHECK_STR(t,
		  "G|Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)\n"
		  "H|From: Alice Example <alice@localhost>\n"
		  "H|To: bob@localhost\n"
		  "H|Subject: signed\n"
		  "B|\n"
		  "B|Signed text.\n");
	CHECK_INT(d.n_atts, 0);
	free(t);
	ui_doc_release(&d);
}

/*
 * Header protection: the pager shows the protected values, and the
 * banner each outer field that is not what they say; without protection
 * a Reply-To is shown and the banner says the signature does not cover it.
 */
static void
test_pager_protected_headers(void)
{
	const char *outer =
		"From: alice@localhost\n"
		"To: mallory@localhost\n"
		"Reply-To: mallory@localhost\n"
		"Subject: Pay now\n"
		"Content-Type: text/plain\n"
		"\n"
		"Text.\n";
	struct smime_signer s = {
		.state = SMIME_SIG_VALID, .email = (char *)"alice@localhost",
		.issuer = (char *)"CN=Cachet Test S/MIME CA",
	};
	struct smime_field prot[] = {
		{ (char *)"From", (char *)"alice@localhost" },
		{ (char *)"To", (char *)"bob@localhost" },
		{ (char *)"Subject", (char *)"=?utf-8?q?Quarterly_r=C3=A9sum=C3=A9?=" },
	};
	struct smime_header_change changes[] = {
		{ "To", (char *)"mallory@localhost", (char *)"bob@localhost" },
		{ "Subject", (char *)"Pay now", (char *)"Quarterly" },
		{ "Reply-To", (char *)"mallory@localhost", NULL },
		{ "Cc", NULL, (char *)"carol@localhost" },
	};
	struct smime_verdict v = {
		.signature = SMIME_SIG_VALID, .coverage = SMIME_COVERAGE_WHOLE,
		.signers = &s, .n_signers = 1, .from = (char *)"alice@localhost",
		.warnings = { SMIME_WARN_HEADER_MISMATCH }, .n_warnings = 1,
		.hp = SMIME_HP_CLEAR, .protected_fields = prot, .n_protected = 3,
		.header_changes = changes, .n_header_changes = 4,
	};
	struct ui_doc d;
	char *t;

	ui_doc_build(&d, outer, strlen(outer), &v, NULL, 0);
	t = doc_text(&d);
	/* The signer line is not good: the verdict is only valid. */
	CHECK_STR(t,
		  "B|Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)\n"
		  "B|To was changed outside the signed part: there it says "
		  "\"mallory@localhost\"; the signed To is shown\n"
		  "B|Subject was changed outside the signed part: there it says "
		  "\"Pay now\"; the signed Subject is shown\n"
		  "B|Reply-To was added outside the signed part: \"mallory@localhost\" "
		  "(not shown)\n"
		  "B|Cc was removed outside the signed part; the signed Cc is shown\n"
		  "H|From: alice@localhost\n"
		  "H|To: bob@localhost\n"
		  "H|Subject: Quarterly r\xc3\xa9sum\xc3\xa9\n"
		  "B|\n"
		  "B|Text.\n");
	free(t);
	ui_doc_release(&d);

	/* The same message with no protected headers: the outer values, the
	 * Reply-To among them, and the banner says none is signed. */
	v.hp = SMIME_HP_NONE;
	v.n_protected = v.n_header_changes = v.n_warnings = 0;
	ui_doc_build(&d, outer, strlen(outer), &v, NULL, 0);
	t = doc_text(&d);
	CHECK_STR(t,
		  "B|Headers are not covered by the signature: Reply-To "
		  "(mallory@localhost), To, Cc and Subject could have been changed "
		  "after signing\n"
		  "G|Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)\n"
		  "H|From: alice@localhost\n"
		  "H|To: mallory@localhost\n"
		  "H|Reply-To: mallory@localhost\n"
		  "H|Subject: Pay now\n"
		  "B|\n"
		  "B|Text.\n");
	free(t);
	ui_doc_release(&d);

	/* Not signed: nothing to say about Reply-To. */
	ui_doc_build(&d, outer, strlen(outer), NULL, NULL, 0);
	t = doc_text(&d);
	CHECK(strstr(t, "not covered") == NULL);
	CHECK_CONTAINS(t, "H|Reply-To: mallory@localhost\n");
	free(t);
	ui_doc_release(&d);
}

static void
test_pager_encrypted(void)
{
	const char *msg =
		"From: alice@localhost\n"
		"Subject: secret\n"
		"Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\n"
		"Content-Transfer-Encoding: base64\n"
		"\n"
		"MIAGCSqGSIb3DQEHA6CAMIACAQAx\n";
	/* What smime_decrypt gives: the outer header, the decrypted entity. */
	const char *inner =
		"From: alice@localhost\n"
		"Subject: secret\n"
		"Content-Type: text/plain; charset=utf-8\n"
		"\n"
		"The plaintext.\n";
	const char *nested =
		"From: mallory@localhost\n"
		"Subject: look\n"
		"Content-Type: multipart/mixed; boundary=b\n"
		"\n"
		"--b\n"
		"Content-Type: text/plain\n"
		"\n"
		"Please read the part below.\n"
		"--b\n"
		"Content-Type: application/pkcs7-mime; smime-type=enveloped-data\n"
		"Content-Transfer-Encoding: base64\n"
		"\n"
		"MIAGCSqGSIb3DQEHA6CAMIACAQAx\n"
		"--b--\n";
	struct smime_verdict v = { .decryption = SMIME_DECRYPT_OK };
	struct ui_doc d;
	char *t;

	ui_doc_build(&d, msg, strlen(msg), NULL, NULL, 0);
	t = doc_text(&d);
	CHECK_CONTAINS(t, "N|[This message is encrypted and was not decrypted]\n");
	free(t);
	ui_doc_release(&d);

	ui_doc_build(&d, msg, strlen(msg), &v, inner, strlen(inner));
	t = doc_text(&d);
	CHECK_STR(t,
		  "I|Encrypted to you\n"
		  "I|Not signed\n"
		  "H|From: alice@localhost\n"
		  "H|Subject: secret\n"
		  "B|\n"
		  "B|The plaintext.\n");
	free(t);
	ui_doc_release(&d);

	/* An encrypted part below the top is listed, never opened. */
	ui_doc_build(&d, nested, strlen(nested), NULL, NULL, 0);
	t = doc_text(&d);
	CHECK_CONTAINS(t, "N|[An encrypted part inside the message: not opened, "
			  "only the top layer is decrypted]\n");
	CHECK_CONTAINS(t, "A|[1] smime.p7m (application/pkcs7-mime, 21)\n");
	free(t);
	ui_doc_release(&d);
}

static void
test_pager_html_only(void)
{
	const char *msg =
		"From: news@localhost\n"
		"Subject: news\n"
		"Content-Type: text/html; charset=utf-8\n"
		"Content-Transfer-Encoding: base64\n"
		"\n"
		"PHA+SGksIDxhIGhyZWY9Imh0dHA6Ly94Ij5saW5rPC9hPjwvcD4=\n";
	struct ui_doc d;
	char *t;

	ui_doc_build(&d, msg, strlen(msg), NULL, NULL, 0);
	t = doc_text(&d);
	CHECK_STR(t,
		  "H|From: news@localhost\n"
		  "H|Subject: news\n"
		  "B|\n"
		  "N|[HTML shown as text; nothing was loaded]\n"
		  "B|Hi, link[1]\n"
		  "B|\n"
		  "B|[1] http://x\n");
	free(t);
	ui_doc_release(&d);
}

static void
test_index(void)
{
	struct mail_envelope env = {
		.uid = 3, .from = (char *)"\"Alice Example\" <alice@localhost>", .sender = (char *)"Alice Example",
		.subject = (char *)"Quarterly r\xc3\xa9sum\xc3\xa9", .size = 2345,
		.flags = MAIL_FLAG_SEEN | MAIL_FLAG_ANSWERED,
	};
	struct buf b = BUF_INIT;
	time_t now = mime_date_parse("Fri, 27 Nov 2026 20:00:00 +0000");

	setenv("TZ", "UTC", 1);
	tzset();
	env.date = mime_date_parse("Fri, 27 Nov 2026 09:05:00 +0000");
	ui_index_line(&b, 3, &env, UI_CRYPTO_VALID, 80, now);
	CHECK_INT(ui_text_width(b.data), 80);
	CHECK_STR(b.data, "   3  r S+ 09:05    Alice Example        Quarterly r\xc3\xa9sum\xc3\xa9"
		  "                   2.3K");
	buf_release(&b);
	ui_index_line(&b, 3, &env, UI_CRYPTO_ENCRYPTED, 30, now);
	CHECK_INT(ui_text_width(b.data), 30);
	buf_release(&b);


	CHECK_INT(ui_crypto_mark_of("multipart/signed; protocol=\"application/pkcs7-signature\""),
		  UI_CRYPTO_SIGNED);
	CHECK_INT(ui_crypto_mark_of("application/pkcs7-mime; smime-type=enveloped-data"),
		  UI_CRYPTO_ENCRYPTED);
	CHECK_INT(ui_crypto_mark_of("application/x-pkcs7-mime; smime-type=signed-data"),
		  UI_CRYPTO_SIGNED);
	CHECK_INT(ui_crypto_mark_of("text/plain"), UI_CRYPTO_NONE);
	CHECK_INT(ui_crypto_mark_of(""), UI_CRYPTO_NONE);
	/* octet-stream is S/MIME only when named *.p7m */
	CHECK_INT(ui_crypto_mark_of("application/octet-stream; name=\"smime.p7m\""),
		  UI_CRYPTO_ENCRYPTED);
	CHECK_INT(ui_crypto_mark_of("Application/Octet-Stream;\tname=REPORT.P7M"),
		  UI_CRYPTO_ENCRYPTED);
	CHECK_INT(ui_crypto_mark_of("application/octet-stream; name=\"x.p7m\"; "
				    "smime-type=signed-data"), UI_CRYPTO_SIGNED);
	CHECK_INT(ui_crypto_mark_of("application/octet-stream; name=\"smime.p7s\""),
		  UI_CRYPTO_NONE);
	CHECK_INT(ui_crypto_mark_of("application/octet-stream; name=\"p7m\""),
		  UI_CRYPTO_NONE);
	CHECK_INT(ui_crypto_mark_of("application/octet-stream"), UI_CRYPTO_NONE);
	CHECK_INT(ui_crypto_mark_of("text/plain; name=\"smime.p7m\""), UI_CRYPTO_NONE);

	buf_adds(&b, "");
	ui_date_short(&b, mime_date_parse("Mon, 2 Feb 2026 10:00 +0000"), now);
	CHECK_STR(b.data, "Feb 02");
	buf_reset(&b);
	buf_adds(&b, "");
	ui_date_short(&b, mime_date_parse("2 Feb 25 10:00:00 -0500"), now);
	CHECK_STR(b.data, "Feb 2025");
	buf_release(&b);
	CHECK_INT(mime_date_parse("Thu, 01 Jan 1970 01:00:00 +0100"), 0);
	CHECK_INT(mime_date_parse("Fri, 27 Nov 2026 20:00:00 +0000"), 1795809600);
	CHECK_INT(mime_date_parse("not a date"), 0);
	/* Hostile numbers: refused or bounded, never an overflow. */
	CHECK_INT(mime_date_parse("1 Jan 2025 10:00 +1955297000"), 1735725600 - 19 * 3600 - 55 * 60);
	CHECK_INT(mime_date_parse("99999999999 Jan 2025 10:00 +0000"), 0);
	CHECK_INT(mime_date_parse("1 Jan 2025 25:00 +0000"), 0);

	CHECK(ui_envelope_matches(&env, "ALICE"));
	CHECK(ui_envelope_matches(&env, "quarterly"));
	CHECK(!ui_envelope_matches(&env, "bob"));
	{
		/* Unicode case folding, not ASCII's: each row a subject, a
		 * search and whether it finds it. */
		static const struct {
			const char *subject, *needle;
			bool found;
		} fold[] = {
			{ "Gr\xc3\xbc\xc3\x9f""e aus Wien", "GR\xc3\x9c", true },
			{ "GR\xc3\x9c\xc3\x9f""E", "gr\xc3\xbc", true },
			{ "Stra\xc3\x9f""e", "STRASSE", true },	/* ß is ss */
			{ "\xce\x9f\xce\x94\xce\x8f\xce\xa3", "\xce\xbf\xce\xb4\xcf\x8e\xcf\x82", true },	/* ΟΔΏΣ, οδώς */
			{ "\xd0\x9f\xd0\xa0\xd0\x98\xd0\x92\xd0\x95\xd0\xa2", "\xd0\xbf\xd1\x80\xd0\xb8", true },	/* ПРИВЕТ, при */
			{ "Gru\xcc\x88\xc3\x9f""e", "gr\xc3\xbc", true },	/* u + combining diaeresis */
			{ "Gruss", "gr\xc3\xbc", false },
			{ "bad \xff byte", "BAD", true },
		};
		size_t i;
		struct mail_envelope f = { .from = (char *)"" };

		for (i = 0; i < sizeof fold / sizeof fold[0]; i++) {
			f.subject = (char *)fold[i].subject;
			CHECK_INT(ui_envelope_matches(&f, fold[i].needle), fold[i].found);
		}
	}
}

struct pieces {
	char text[512];
};

static void
add_piece(void *arg, const char *piece, size_t len)
{
	struct pieces *p = arg;

	strncat(p->text, piece, len);
	strcat(p->text, "|");
}

static void
test_wrap(void)
{
	struct pieces p = { "" };

	CHECK_INT(ui_text_wrap("the quick brown fox jumps", 10, add_piece, &p), 3);
	CHECK_STR(p.text, "the quick|brown fox|jumps|");
	p.text[0] = '\0';
	CHECK_INT(ui_text_wrap("abcdefghijkl", 5, add_piece, &p), 3);
	CHECK_STR(p.text, "abcde|fghij|kl|");
	p.text[0] = '\0';
	CHECK_INT(ui_text_wrap("", 5, add_piece, &p), 1);
	CHECK_STR(p.text, "|");
	p.text[0] = '\0';
	CHECK_INT(ui_text_wrap("a\tb", 20, add_piece, &p), 1);
	CHECK_STR(p.text, "a       b|");
	p.text[0] = '\0';
	CHECK_INT(ui_text_wrap("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 3, add_piece, &p), 3);
	CHECK_STR(p.text, "\xe6\x97\xa5|\xe6\x9c\xac|\xe8\xaa\x9e|");
}

int
main(void)
{
	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "no C.UTF-8 locale\n");
		return 77;
	}
	test_header_decode();
	test_header_get();
	test_params();
	test_transfer();
	test_charsets();
	test_html();
	test_doc_urls();
	test_mailcap();
	test_pager_mixed();
	test_pager_signed();
	test_pager_protected_headers();
	test_pager_encrypted();
	test_pager_html_only();
	test_index();
	test_wrap();
	return check_exit();
}
