/*
 * client_imap_ops.c — client/imap.h against a real IMAP server: append,
 * select, index, fetch (without setting \Seen), flags, copy, move,
 * expunge; a folder's index opened a page at a time (imap_cache.h).
 * Run by client_imap_ops.sh with the harness's Dovecot:
 *   client_imap_ops HOST PORT CA-FILE USER PASSWORD
 */
#include "client/imap.h"
#include "client/imap_cache.h"
#include "tests/unit/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static unsigned
flags_of(struct imap_session *s, uint32_t uid)
{
	struct imap_summary *sums = NULL;
	struct err e = { 0 };
	unsigned flags = ~0u;
	size_t n = 0;

	if (imap_fetch_flags(s, uid, uid, &sums, &n, &e) < 0)
		fprintf(stderr, "flags of %u: %s\n", uid, e.msg);
	else if (n == 1)
		flags = sums[0].flags;
	imap_summaries_free(&sums, n);
	return flags;
}

static uint32_t
exists(struct imap_session *s, const char *folder)
{
	struct imap_status st = { 0 };
	struct err e = { 0 };

	if (imap_select(s, folder, &st, &e) < 0) {
		fprintf(stderr, "select %s: %s\n", folder, e.msg);
		return ~0u;
	}
	return st.exists;
}

/*
 * Twelve messages, dated each a day before the one delivered before it,
 * the fourth to seventh expunged (a gap in the UIDs): opened a page of
 * three at a time, then steps of two, the index comes whole, in UID
 * order, the same as opened at once, and the cache file is written only
 * when it is whole.  By date (UID SORT), the first page is the three with
 * the newest Date headers, the lowest UIDs here, and none comes twice.
 */
static void
test_index_steps(struct imap_session *s)
{
	char dir[] = "/tmp/cachet-steps-XXXXXX", *path;
	struct imap_index idx = { 0 }, whole = { 0 };
	struct err e = { 0 };
	size_t i, *added = NULL, n_added, steps = 0, total;
	bool by_date;
	uint32_t seq;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	path = xasprintf("%s/INBOX", dir);
	for (i = 0; i < 12; i++) {
		char *m = xasprintf("From: steps@localhost\nSubject: step %zu\n"
				    "Date: %02zu Jan 2026 10:00:00 +0000\n\nbody\n", i, 20 - i);

		CHECK_INT(imap_append(s, "INBOX", 0, m, strlen(m), &e), 0);
		free(m);
	}
	CHECK_INT(exists(s, "INBOX"), 12);
	for (seq = 4; seq <= 7; seq++) {
		struct imap_summary *sums = NULL;
		size_t n = 0;

		CHECK_INT(imap_fetch_index(s, seq, seq, &sums, &n, &e), 0);
		if (n == 1)
			CHECK_INT(imap_store_flags(s, sums[0].uid, IMAP_FLAG_DELETED, 0, &e), 0);
		imap_summaries_free(&sums, n);
	}
	CHECK_INT(imap_expunge(s, &e), 0);

	for (by_date = false; ; by_date = true) {
		unlink(path);
		steps = 0;
		CHECK_INT(imap_index_open(s, "INBOX", path, 3, by_date, &idx, &e), 0);
		CHECK_INT(idx.n, 3);
		CHECK(idx.rest_below != 0);
		CHECK(access(path, F_OK) != 0);
		if (idx.n == 3)
			CHECK_STR(idx.msgs[by_date ? 0 : 2].subject,
				  by_date ? "step 0" : "step 11");
		while (idx.rest_below && steps < 20) {
			CHECK_INT(imap_index_more(s, path, 2, &idx, &added, &n_added, &e), 0);
			for (i = 0; i < n_added; i++)
				CHECK(added[i] < idx.n);
			free(added);
			steps++;
			if (idx.rest_below)
				CHECK(access(path, F_OK) != 0);
		}
		CHECK_INT(idx.rest_below, 0);
		CHECK_INT(idx.n, 8);
		CHECK(access(path, F_OK) == 0);
		if (whole.n == 0)
			CHECK_INT(imap_index_refresh(s, "INBOX", NULL, 0, &whole, &e), 0);
		CHECK_INT(whole.n, idx.n);
		for (i = 0; i < idx.n && i < whole.n; i++) {
			CHECK_INT(idx.msgs[i].uid, whole.msgs[i].uid);
			CHECK_STR(idx.msgs[i].subject, whole.msgs[i].subject);
		}
		if (by_date)
			break;
		imap_index_release(&idx);
	}
	/* Nothing more to come: a step does nothing. */
	total = idx.n;
	CHECK_INT(imap_index_more(s, path, 2, &idx, &added, &n_added, &e), 0);
	CHECK_INT(n_added, 0);
	free(added);
	CHECK_INT(idx.n, total);
	/* The cache is whole: opening again gives all of it at once. */
	imap_index_release(&idx);
	CHECK_INT(imap_index_open(s, "INBOX", path, 3, false, &idx, &e), 0);
	CHECK_INT(idx.n, 8);
	CHECK_INT(idx.rest_below, 0);

	for (i = 0; i < whole.n; i++)
		CHECK_INT(imap_store_flags(s, whole.msgs[i].uid, IMAP_FLAG_DELETED, 0, &e), 0);
	CHECK_INT(imap_expunge(s, &e), 0);
	imap_index_release(&idx);
	imap_index_release(&whole);
	unlink(path);
	rmdir(dir);
	free(path);
}

int
main(int argc, char **argv)
{
	static const char msg1[] = "From: Bob <bob@localhost>\nTo: alice@localhost\n"
				   "Subject: ops one\n\nfirst body\n";
	static const char msg2[] = "From: Carol <carol@localhost>\r\nTo: alice@localhost\r\n"
				   "Subject: ops two\r\n\r\nsecond body\r\n";
	struct imap_server srv = { 0 };
	struct imap_session *s = NULL;
	struct imap_summary *sums = NULL;
	struct buf body = BUF_INIT;
	struct err e = { 0 };
	uint32_t uid1 = 0, uid2 = 0;
	size_t n = 0;

	if (argc != 6) {
		fprintf(stderr, "usage: client_imap_ops HOST PORT CA USER PASSWORD\n");
		return 2;
	}
	srv.host = argv[1];
	srv.port = (unsigned)atoi(argv[2]);
	srv.security = URL_TLS;
	srv.ca_file = argv[3];
	if (imap_open(&srv, &s, &e) < 0 || imap_login(s, argv[4], argv[5], &e) < 0) {
		fprintf(stderr, "connect: %s\n", e.msg);
		return 1;
	}
	CHECK_STR(imap_tls_version(s), "TLS1.3");
	CHECK_INT(imap_append(s, "INBOX", 0, msg1, sizeof msg1 - 1, &e), 0);
	CHECK_INT(imap_append(s, "INBOX", IMAP_FLAG_ANSWERED, msg2, sizeof msg2 - 1, &e), 0);
	CHECK_INT(exists(s, "INBOX"), 2);

	CHECK_INT(imap_fetch_index(s, 1, 2, &sums, &n, &e), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		uid1 = sums[0].uid;
		uid2 = sums[1].uid;
		CHECK_STR(sums[0].subject, "ops one");
		CHECK_STR(sums[1].from_addr, "carol@localhost");
		CHECK_STR(sums[1].from_name, "Carol");
		CHECK_INT(sums[1].flags, IMAP_FLAG_ANSWERED);
		CHECK(sums[0].size > 0 && sums[0].internal_date > 0);
	}
	imap_summaries_free(&sums, n);

	/* The whole message, with CRLF line ends, and \Seen not set by reading. */
	CHECK_INT(imap_fetch_message(s, uid1, &body, &e), 0);
	CHECK_CONTAINS(body.data, "Subject: ops one\r\n\r\nfirst body\r\n");
	CHECK_INT(flags_of(s, uid1), 0);
	buf_release(&body);
	CHECK_INT(imap_fetch_message(s, 999999, &body, &e), -1);
	CHECK_CONTAINS(e.msg, "no message with UID 999999");
	buf_release(&body);

	CHECK_INT(imap_store_flags(s, uid1, IMAP_FLAG_SEEN | IMAP_FLAG_FLAGGED, 0, &e), 0);
	CHECK_INT(flags_of(s, uid1), IMAP_FLAG_SEEN | IMAP_FLAG_FLAGGED);
	CHECK_INT(imap_store_flags(s, uid1, 0, IMAP_FLAG_FLAGGED, &e), 0);
	CHECK_INT(flags_of(s, uid1), IMAP_FLAG_SEEN);

	CHECK_INT(imap_copy(s, uid1, "Drafts", &e), 0);
	CHECK_INT(imap_move(s, uid2, "Sent", &e), 0);
	CHECK_INT(exists(s, "INBOX"), 1);
	CHECK_INT(exists(s, "Drafts"), 1);
	CHECK_INT(exists(s, "Sent"), 1);
	CHECK_INT(exists(s, "INBOX"), 1);
	CHECK_INT(imap_move(s, uid1, "NoSuchFolder", &e), -1);
	CHECK_CONTAINS(e.msg, "refused UID MOVE");

	CHECK_INT(imap_store_flags(s, uid1, IMAP_FLAG_DELETED, 0, &e), 0);
	CHECK_INT(imap_expunge(s, &e), 0);
	CHECK_INT(exists(s, "INBOX"), 0);

	test_index_steps(s);

	imap_close(&s);
	CHECK(s == NULL);
	return check_exit();
}
