/*
 * fuzz_client.c — the parsers of client/'s network half: the first byte
 * picks one, the rest is its input.  0: an SMTP reply line (what a server
 * sends), 1: a cached IMAP index file, 2: a message header for sending,
 * 3: an outbox entry's metadata, 4: an untagged IMAP answer as the index
 * FETCH reads it; then the DATA transfer form of the input.  Seeds:
 * make-client-seeds.sh and a few hand-written texts.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "client/imap_cache.h"
#include "client/outbox.h"
#include "client/send.h"
#include "client/smtp.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in;
	char *text;
	size_t len;

	if (size == 0)
		return 0;
	in = (const char *)data + 1;
	len = size - 1;
	text = xstrndup(in, len);
	switch (data[0] % 5) {
	case 0: {
		int code;
		bool last;
		const char *rest;

		if (smtp_reply_line(text, &code, &last, &rest) == 0 &&
		    (code < 200 || code > 599 || rest < text || rest > text + strlen(text)))
			abort();
		break;
	}
	case 1: {
		struct imap_index idx;

		if (imap_index_parse(in, len, &idx) == 0) {
			struct buf again = BUF_INIT;
			struct imap_index idx2;

			/* What parses formats back to something that parses the same. */
			imap_index_format(&idx, &again);
			if (imap_index_parse(again.data, again.len, &idx2) < 0 ||
			    idx2.n != idx.n)
				abort();
			imap_index_release(&idx2);
			buf_release(&again);
		}
		imap_index_release(&idx);
		break;
	}
	case 2: {
		struct buf out = BUF_INIT;
		struct err e = { 0 };

		send_prepare_headers(in, len, "A <a@example.org>", "example.org", 0, &out, &e);
		buf_release(&out);
		break;
	}
	case 3: {
		struct outbox_entry ent;
		struct err e = { 0 };

		if (outbox_meta_parse(text, &ent, &e) == 0)
			outbox_entry_release(&ent);
		break;
	}
	case 4: {
		struct imap_summary sum;
		int r = imap_parse_fetch(in, len, &sum);

		/* Anything but a parsed FETCH leaves nothing behind. */
		if (r != 0 && (sum.uid || sum.subject || sum.from_addr || sum.content_type))
			abort();
		if (r == 0 && sum.content_type &&
		    strlen(sum.content_type) > IMAP_CONTENT_TYPE_MAX)
			abort();
		imap_summary_release(&sum);
		break;
	}
	}
	{
		struct buf stuffed = BUF_INIT;

		smtp_dot_stuff(in, len, &stuffed);
		/* The transfer form always ends the DATA phase exactly once. */
		if (stuffed.len < 3 || memcmp(stuffed.data + stuffed.len - 3, ".\r\n", 3) != 0)
			abort();
		buf_release(&stuffed);
	}
	free(text);
	return 0;
}
