/* test_base.c — the error type, buffers and atomic file writes. */
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

int
main(void)
{
	test_buf();
	test_err();
	test_files();
	return check_exit();
}
