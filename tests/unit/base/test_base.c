/* test_base.c — the error type, buffers, atomic file writes, UTF-8 text. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "tests/unit/check.h"

static void
test_buf(void)
{
	struct buf b = BUF_INIT;
	char *s;
	size_t len = 99;

	/* An empty buffer detaches as an allocated "" (a fuzz finding). */
	s = buf_detach(&b, &len);
	CHECK(s != NULL);
	CHECK_STR(s, "");
	CHECK_INT(len, 0);
	free(s);
	buf_grow(&b, 10);
	CHECK_STR(b.data, "");
	buf_adds(&b, "abc");
	buf_addc(&b, 'd');
	buf_addf(&b, "%d-%s", 42, "x");
	CHECK_STR(b.data, "abcd42-x");
	CHECK_INT(b.len, 8);
	buf_reset(&b);
	CHECK_STR(b.data, "");
	for (int i = 0; i < 1000; i++)
		buf_add(&b, "0123456789", 10);
	CHECK_INT(b.len, 10000);
	CHECK_INT(strlen(b.data), 10000);
	buf_release(&b);
	CHECK(b.data == NULL);
}

static void
test_err(void)
{
	struct err e = { 0 };

	CHECK_INT(err_set(&e, ERR_TLS, "certificate for %s not trusted", "h"), -1);
	CHECK_INT(e.code, ERR_TLS);
	CHECK_INT(err_prefix(&e, "imap %d", 1), -1);
	CHECK_STR(e.msg, "imap 1: certificate for h not trusted");
	CHECK_INT(err_set(NULL, ERR_IO, "x"), -1);
	CHECK_INT(err_exit_status(ERR_NONE), 0);
	CHECK_INT(err_exit_status(ERR_NOCERT), 1);
	CHECK_INT(err_exit_status(ERR_POLICY), 1);
	CHECK_INT(err_exit_status(ERR_USAGE), 2);
	CHECK_INT(err_exit_status(ERR_CONFIG), 2);
	CHECK_INT(err_exit_status(ERR_INPUT), 3);
	CHECK_INT(err_exit_status(ERR_IO), 3);
	CHECK_INT(err_exit_status(ERR_CRYPTO), 4);
	CHECK_INT(err_exit_status(ERR_UNSUPPORTED), 4);
	CHECK_INT(err_exit_status(ERR_NETWORK), 5);
	CHECK_INT(err_exit_status(ERR_TLS), 5);
	CHECK_INT(err_exit_status(ERR_AUTH), 5);
	CHECK_STR(err_code_name(ERR_TLS), "tls");
}

static void
test_files(void)
{
	char dir[] = "/tmp/cachet-test-base-XXXXXX";
	struct buf b = BUF_INIT;
	struct err e = { 0 };
	struct stat st;
	char *path;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	path = xasprintf("%s/out", dir);
	CHECK_INT(file_write_atomic(path, "hello\n", 6, 0600, &e), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(file_read(path, 0, &b, &e), 0);
	CHECK_STR(b.data, "hello\n");
	buf_reset(&b);
	CHECK_INT(file_read(path, 3, &b, &e), -1);
	CHECK_INT(e.code, ERR_INPUT);
	CHECK_CONTAINS(e.msg, "larger than the limit");
	/* A write into a missing directory fails and leaves nothing behind. */
	free(path);
	path = xasprintf("%s/missing/out", dir);
	CHECK_INT(file_write_atomic(path, "x", 1, 0600, &e), -1);
	CHECK_INT(e.code, ERR_IO);
	CHECK_CONTAINS(e.msg, "cannot create");
	buf_release(&b);
	CHECK_INT(file_read(path, 0, &b, &e), -1);
	CHECK_CONTAINS(e.msg, "cannot open");
	free(path);
	path = xasprintf("%s/out", dir);
	unlink(path);
	CHECK_INT(rmdir(dir), 0);	/* no temporary file was left */
	free(path);
	buf_release(&b);
}

/* What file_group_commit reported, in order. */
struct group_log {
	char seen[8];
	size_t n, failed;
};

static void
group_done(void *cookie, const struct err *e, void *arg)
{
	struct group_log *log = arg;

	if (log->n < sizeof log->seen - 1)
		log->seen[log->n++] = *(const char *)cookie;
	if (e)
		log->failed++;
}

/* Group writes: nothing takes its name before the commit; the commit puts
 * each in place, in order; a group freed uncommitted leaves nothing. */
static void
test_file_group(void)
{
	char dir[] = "/tmp/cachet-test-group-XXXXXX";
	struct file_group *g = NULL;
	struct group_log log = { { 0 }, 0, 0 };
	struct err e = { 0 };
	struct buf b = BUF_INIT;
	struct stat st;
	char *a, *c, *missing, ka = 'a', kc = 'c', km = 'm';

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	a = xasprintf("%s/a", dir);
	c = xasprintf("%s/c", dir);
	missing = xasprintf("%s/none/x", dir);
	CHECK_INT(file_group_new(dir, &g, &e), 0);
	CHECK_INT(file_group_add(g, a, "one\n", 4, 0600, &ka, &e), 0);
	CHECK_INT(file_group_add(g, missing, "x", 1, 0600, &km, &e), -1);
	CHECK_CONTAINS(e.msg, "cannot create");
	CHECK_INT(file_group_add(g, c, "three\n", 6, 0640, &kc, &e), 0);
	CHECK_INT(stat(a, &st), -1);	/* not yet */
	CHECK_INT((int)file_group_commit(g, group_done, &log), 0);
	CHECK_STR(log.seen, "ac");
	CHECK_INT((int)log.failed, 0);
	CHECK_INT(file_read(a, 0, &b, &e), 0);
	CHECK_STR(b.data, "one\n");
	CHECK_INT(stat(c, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0640);
	/* Freed before its commit: the waiting file is removed, not placed. */
	unlink(a);
	CHECK_INT(file_group_add(g, a, "again", 5, 0600, &ka, &e), 0);
	file_group_free(&g);
	CHECK(g == NULL);
	CHECK_INT(stat(a, &st), -1);
	unlink(c);
	CHECK_INT(rmdir(dir), 0);	/* no temporary file was left */
	free(a);
	free(c);
	free(missing);
	buf_release(&b);
}

/* mkdir_private: missing directories made 0700, existing ones left alone. */
static void
test_mkdir_private(void)
{
	char dir[] = "/tmp/cachet-test-mkdir-XXXXXX";
	struct err e = { 0 };
	struct stat st;
	char *deep, *mid, *kept, *file;
	mode_t old = umask(0);

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		umask(old);
		return;
	}
	mid = xasprintf("%s/a", dir);
	deep = xasprintf("%s/a/b/c", dir);
	kept = xasprintf("%s/kept", dir);
	file = xasprintf("%s/file", dir);
	/* Every missing level is created, each private, with umask 0. */
	CHECK_INT(mkdir_private(deep, &e), 0);
	CHECK_INT(stat(deep, &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_INT(st.st_mode & 0777, 0700);
	CHECK_INT(stat(mid, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0700);
	/* Again: nothing to do, no error; a trailing slash is the same path. */
	CHECK_INT(mkdir_private(deep, &e), 0);
	free(deep);
	deep = xasprintf("%s/a/b/c/", dir);
	CHECK_INT(mkdir_private(deep, &e), 0);
	/* A directory the user made with another mode keeps it. */
	CHECK_INT(mkdir(kept, 0755), 0);
	CHECK_INT(mkdir_private(kept, &e), 0);
	CHECK_INT(stat(kept, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0755);
	/* A file in the way is an error naming it, at the end or above. */
	CHECK_INT(file_write_atomic(file, "x", 1, 0600, &e), 0);
	CHECK_INT(mkdir_private(file, &e), -1);
	CHECK_INT(e.code, ERR_IO);
	CHECK_CONTAINS(e.msg, "/file: cannot create");
	free(deep);
	deep = xasprintf("%s/file/below", dir);
	CHECK_INT(mkdir_private(deep, &e), -1);
	CHECK_INT(e.code, ERR_IO);
	CHECK_CONTAINS(e.msg, "/file/below: cannot create");
	CHECK_INT(mkdir_private("", &e), -1);
	unlink(file);
	rmdir(kept);
	free(deep);
	deep = xasprintf("%s/a/b/c", dir);
	rmdir(deep);
	free(deep);
	deep = xasprintf("%s/a/b", dir);
	rmdir(deep);
	rmdir(mid);
	CHECK_INT(rmdir(dir), 0);
	free(deep);
	free(mid);
	free(kept);
	free(file);
	umask(old);
}

/* One UTF-8 sequence: its length and code point, or 0 for what is not UTF-8. */
static void
test_utf8_decode(void)
{
	static const struct {
		const char *in;
		size_t len;
		uint32_t cp;
	} cases[] = {
		{ "a", 1, 'a' },
		{ "\xc3\xa9", 2, 0xe9 },
		{ "\xe2\x80\xae", 3, 0x202e },
		{ "\xf0\x9f\x98\x81", 4, 0x1f601 },
		{ "\xc0\x80", 0, 0 },		/* overlong NUL */
		{ "\xe0\x80\xaf", 0, 0 },	/* overlong '/' */
		{ "\xed\xa0\x80", 0, 0 },	/* surrogate */
		{ "\xf4\x90\x80\x80", 0, 0 },	/* above U+10FFFF */
		{ "\xe2\x82", 0, 0 },		/* truncated */
		{ "\x80", 0, 0 },		/* continuation byte alone */
	};
	size_t i, k;
	uint32_t cp;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cp = 0;
		k = utf8_decode((const unsigned char *)cases[i].in,
				strlen(cases[i].in), &cp);
		CHECK_INT((int)k, (int)cases[i].len);
		if (k > 0)
			CHECK_INT((int)cp, (int)cases[i].cp);
	}
}

/* Text for a terminal: from a charset, invalid bytes marked, unsafe dropped. */
static void
test_utf8_text(void)
{
	static const struct {
		const char *charset, *in, *want;
	} cases[] = {
		{ NULL, "plain\ttab\nline", "plain\ttab\nline" },
		{ "utf-8", "bell\a esc\x1b[31m", "bell esc[31m" },
		{ "UTF-8", "C1\xc2\x9b!", "C1!" },
		{ "us-ascii", "invoice\xe2\x80\xae" "fdp.exe", "invoicefdp.exe" },
		{ "utf-8", "iso\xe2\x81\xa6late\xe2\x81\xa9", "isolate" },
		{ "utf-8", "bad\xff byte", "bad\xef\xbf\xbd byte" },
		{ "iso-8859-1", "caf\xe9", "caf\xc3\xa9" },
		{ "windows-1252", "\x93quoted\x94", "\xe2\x80\x9cquoted\xe2\x80\x9d" },
		{ "no-such-charset", "caf\xc3\xa9", "caf\xc3\xa9" },	/* read as UTF-8 */
		{ "iso-8859-1", "ctl\x85x", "ctlx" },	/* NEL: a C1 control */
	};
	struct buf out = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf_reset(&out);
		buf_adds(&out, "");
		utf8_from_charset(&out, cases[i].charset, cases[i].in,
				  strlen(cases[i].in));
		CHECK_STR(out.data, cases[i].want);
	}
	CHECK(unicode_is_unsafe(0x7f));
	CHECK(unicode_is_unsafe(0x200f));
	CHECK(!unicode_is_unsafe('\t'));
	CHECK(!unicode_is_unsafe(0xe9));
	buf_release(&out);
}

int
main(void)
{
	test_buf();
	test_err();
	test_files();
	test_file_group();
	test_mkdir_private();
	test_utf8_decode();
	test_utf8_text();
	return check_exit();
}
