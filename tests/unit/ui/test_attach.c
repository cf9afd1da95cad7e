/* test_attach.c — media type guesses and the multipart/mixed of a draft. */
#include <stdlib.h>
#include <string.h>

#include "ui/ui_p.h"
#include "tests/unit/check.h"

static void
test_guess(void)
{
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	static const char bin[] = "\x01\x02\x00\xff\xfe";

	CHECK_STR(ui_media_type_guess("report.pdf", "%PDF-1.7\n", 9), "application/pdf");
	/* The bytes win over a misleading name. */
	CHECK_STR(ui_media_type_guess("photo.txt", png, sizeof png - 1), "image/png");
	CHECK_STR(ui_media_type_guess("x.pdf", png, sizeof png - 1), "image/png");
	/* A name that says text does not make binary bytes text. */
	CHECK_STR(ui_media_type_guess("notes.txt", bin, sizeof bin - 1),
		  "application/octet-stream");
	CHECK_STR(ui_media_type_guess("notes.TXT", "caf\xc3\xa9\n", 6), "text/plain");
	CHECK_STR(ui_media_type_guess("/tmp/dir.x/README", "plain words\n", 12),
		  "text/plain");
	CHECK_STR(ui_media_type_guess("blob", bin, sizeof bin - 1),
		  "application/octet-stream");
	CHECK_STR(ui_media_type_guess("data.csv", "a,b\n1,2\n", 8), "text/csv");
	CHECK_STR(ui_media_type_guess("a.docx", "PK\x03\x04rest", 8),
		  "application/vnd.openxmlformats-officedocument."
		  "wordprocessingml.document");
	CHECK_STR(ui_media_type_guess("a.bin", "PK\x03\x04rest", 8), "application/zip");
	CHECK_STR(ui_media_type_guess("empty", "", 0), "text/plain");
	/* Invalid UTF-8 and escape sequences are not text. */
	CHECK(!ui_data_is_text("caf\xe9", 4));
	CHECK(!ui_data_is_text("\x1b[31m", 5));
	CHECK(!ui_data_is_text("\xc3", 1));
	/* Overlong forms and UTF-16 surrogates are not UTF-8 either. */
	CHECK(!ui_data_is_text("\xe0\x80\xaf", 3));
	CHECK(!ui_data_is_text("\xed\xa0\x80", 3));
	CHECK(ui_data_is_text("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", 14));
	CHECK(ui_data_is_text("tab\tand\r\nline\n", 14));
}

static const char *
part_after(const char *msg, const char *needle)
{
	const char *p = strstr(msg, needle);

	return p ? p + strlen(needle) : NULL;
}

static void
test_message(void)
{
	struct ui_draft d = { 0 };
	struct buf b = BUF_INIT, dec = BUF_INIT;
	const char *p, *end;
	char *boundary, *ct, *delim;
	size_t hlen;
	static const char bin[] = "\x00\x01\x02\xff binary \x89PNG";

	ui_draft_init(&d, UI_COMPOSE_NEW, NULL, 0, NULL, NULL, "bob@localhost");
	free(d.to);
	d.to = xstrdup("alice@localhost");
	free(d.body);
	d.body = xstrdup("See the files.\n");
	/* Without attachments: one text part, as before. */
	ui_draft_message(&d, "bob@localhost", &b);
	CHECK_CONTAINS(b.data, "\nContent-Type: text/plain; charset=utf-8\n");
	CHECK(strstr(b.data, "multipart") == NULL);
	buf_reset(&b);

	ui_draft_attach(&d, "/home/bob/r\xc3\xa9sum\xc3\xa9.bin", "application/octet-stream",
			bin, sizeof bin - 1);
	ui_draft_attach(&d, "notes.txt", "text/plain", "one\ntwo\n", 8);
	ui_draft_attach(&d, "gone.txt", "text/plain", "x", 1);
	CHECK_INT(d.n_parts, 3);
	CHECK_STR(d.parts[0].name, "r\xc3\xa9sum\xc3\xa9.bin");
	ui_draft_detach(&d, 2);
	CHECK_INT(d.n_parts, 2);
	ui_draft_message(&d, "bob@localhost", &b);

	hlen = mime_header_end(b.data, b.len);
	ct = mime_header_first(b.data, hlen, "Content-Type");
	CHECK_CONTAINS(ct, "multipart/mixed");
	boundary = ui_ctype_param(ct, "boundary");
	CHECK(boundary != NULL && strlen(boundary) > 10);
	delim = xasprintf("\n--%s\n", boundary);
	/* Text first, then each attachment, then the closing delimiter. */
	p = part_after(b.data, delim);
	CHECK(p && strncmp(p, "Content-Type: text/plain; charset=utf-8\n"
			   "Content-Transfer-Encoding: 8bit\n\nSee the files.\n", 86) == 0);
	p = p ? part_after(p, delim) : NULL;
	CHECK(p && strncmp(p, "Content-Type: application/octet-stream;\n"
			   " name*=utf-8''r%C3%A9sum%C3%A9.bin\n", 75) == 0);
	CHECK_CONTAINS(p, "Content-Disposition: attachment;\n filename*=utf-8''r%C3%A9sum%C3%A9.bin\n"
		       "Content-Transfer-Encoding: base64\n\n");
	/* The base64 decodes to the very bytes. */
	if (p) {
		const char *data = strstr(p, "\n\n") + 2;

		end = strstr(data, "\n--");
		mime_transfer_decode_lenient(&dec, "base64", data, (size_t)(end - data));
		CHECK_INT(dec.len, sizeof bin - 1);
		CHECK(dec.data && memcmp(dec.data, bin, sizeof bin - 1) == 0);
		buf_reset(&dec);
	}
	p = p ? part_after(p, delim) : NULL;
	CHECK(p && strncmp(p, "Content-Type: text/plain; name=\"notes.txt\"\n"
			   "Content-Disposition: attachment; filename=\"notes.txt\"\n"
			   "Content-Transfer-Encoding: base64\n\nb25lCnR3bwo=\n", 144) == 0);
	free(delim);
	delim = xasprintf("\n--%s--\n", boundary);
	CHECK(strlen(b.data) >= strlen(delim) &&
	      strcmp(b.data + strlen(b.data) - strlen(delim), delim) == 0);
	CHECK(strstr(b.data, "gone.txt") == NULL);
	free(delim);
	free(boundary);
	free(ct);
	buf_release(&b);
	buf_release(&dec);
	ui_draft_release(&d);
	CHECK(d.parts == NULL && d.n_parts == 0);
}

static void
test_forward_attached(void)
{
	static const char orig[] =
		"From: Alice <alice@localhost>\r\n"
		"To: bob@localhost\r\n"
		"Subject: Sealed plans\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n"
		"Content-Transfer-Encoding: base64\r\n"
		"\r\n"
		"MIAGCSqGSIb3DQEHA6CAMIACAQAxggE=\r\n";
	struct ui_doc doc = { 0 };
	struct ui_draft d;
	struct buf b = BUF_INIT;
	const char *p;

	/* The pager's lines hold decrypted text: it must not be forwarded. */
	doc.lines = xcalloc(2, sizeof(*doc.lines));
	doc.lines[0].kind = UI_LINE_BODY;
	doc.lines[0].text = xstrdup("");
	doc.lines[1].kind = UI_LINE_BODY;
	doc.lines[1].text = xstrdup("The decrypted secret.");
	doc.n_lines = 2;
	ui_draft_init(&d, UI_COMPOSE_FORWARD_ATTACHED, orig, sizeof orig - 1, &doc, NULL,
		      "bob@localhost");
	CHECK_STR(d.subject, "Fwd: Sealed plans");
	CHECK_STR(d.to, "");
	CHECK_STR(d.body, "");
	CHECK_INT(d.n_parts, 1);
	CHECK_STR(d.parts[0].type, "message/rfc822");
	ui_draft_message(&d, "bob@localhost", &b);
	CHECK(strstr(b.data, "The decrypted secret.") == NULL);
	p = strstr(b.data, "Content-Type: message/rfc822; name=\"forwarded.eml\"\n"
		   "Content-Disposition: attachment; filename=\"forwarded.eml\"\n"
		   "Content-Transfer-Encoding: 7bit\n\n");
	CHECK(p != NULL);
	/* The original, whole, its line ends as the draft's. */
	CHECK_CONTAINS(b.data, "\nFrom: Alice <alice@localhost>\nTo: bob@localhost\n"
		       "Subject: Sealed plans\nMIME-Version: 1.0\nContent-Type: "
		       "application/pkcs7-mime; smime-type=enveloped-data\n"
		       "Content-Transfer-Encoding: base64\n\n"
		       "MIAGCSqGSIb3DQEHA6CAMIACAQAxggE=\n");
	CHECK(strchr(b.data, '\r') == NULL);
	buf_release(&b);
	ui_draft_release(&d);
	ui_doc_release(&doc);
}

int
main(void)
{
	test_guess();
	test_message();
	test_forward_attached();
	return check_exit();
}
