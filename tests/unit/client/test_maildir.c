/* test_maildir.c — the Maildir mail source: folders, envelopes, flags, append. */
#include <dirent.h>
#include <locale.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "client/source.h"

static void
mkmaildir(const char *dir)
{
	static const char *const subs[] = { "cur", "new", "tmp" };

	for (size_t i = 0; i < 3; i++) {
		char *p = xasprintf("%s/%s", dir, subs[i]);

		CHECK_INT(mkdir_private(p, NULL), 0);
		free(p);
	}
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static int
count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

int
main(void)
{
	char root[] = "/tmp/cachet-test-maildir-XXXXXX";
	struct mail_source *src = NULL;
	struct mail_folder *f = NULL;
	struct mail_envelope *env = NULL;
	struct buf b = BUF_INIT;
	struct err e = { 0 };
	size_t nf = 0, ne = 0;
	char *p, *cmd;

	setlocale(LC_ALL, "C.UTF-8");
	CHECK(mkdtemp(root) != NULL);
	CHECK_INT(mail_source_maildir_open(root, &src, &e), -1);
	CHECK_CONTAINS(e.msg, "is not a Maildir");
	mkmaildir(root);
	p = xasprintf("%s/.Sent", root);
	mkmaildir(p);
	free(p);
	p = xasprintf("%s/.Lists.dev", root);
	mkmaildir(p);
	free(p);
	p = xasprintf("%s/cur/1700000200.M1P1.host:2,S", root);
	put(p, "From: Bob <bob@localhost>\nSubject: =?utf-8?q?second_=E2=9C=93?=\n"
	       "Date: Tue, 14 Nov 2023 22:16:40 +0000\n"
	       "Content-Type: multipart/signed; boundary=x\n\nbody\n");
	free(p);
	p = xasprintf("%s/new/1700000100.M2P2.host", root);
	put(p, "From: alice@localhost\nSubject: first\n\nhello\n");
	free(p);

	CHECK_INT(mail_source_maildir_open(root, &src, &e), 0);
	CHECK_STR(src->ops->kind, "maildir");
	CHECK_INT(mail_source_list_folders(src, &f, &nf, &e), 0);
	CHECK_INT(nf, 3);
	CHECK_STR(f[0].name, "INBOX");
	CHECK_STR(f[1].name, "Lists/dev");
	CHECK_STR(f[1].id, ".Lists.dev");
	CHECK_STR(f[2].name, "Sent");
	mail_folders_free(&f, nf);
	CHECK(f == NULL);

	CHECK_INT(mail_source_open_folder(src, "INBOX", &env, &ne, &e), 0);
	CHECK_INT(ne, 2);
	/* Delivery order, whatever the sub-folder. */
	CHECK_STR(env[0].subject, "first");
	CHECK_INT(env[0].flags, 0);
	CHECK_STR(env[1].subject, "second \xe2\x9c\x93");
	CHECK_STR(env[1].from, "Bob <bob@localhost>");
	CHECK_INT(env[1].flags, MAIL_FLAG_SEEN);
	CHECK_INT(env[1].date, 1700000200);
	CHECK_STR(env[1].content_type, "multipart/signed; boundary=x");
	CHECK_INT(env[0].size, strlen("From: alice@localhost\nSubject: first\n\nhello\n"));

	CHECK_INT(mail_source_fetch(src, env[0].uid, &b, &e), 0);
	CHECK_STR(b.data, "From: alice@localhost\nSubject: first\n\nhello\n");
	buf_release(&b);
	/* Another client moves it to cur/ with a flag: still found. */
	p = xasprintf("%s/new/1700000100.M2P2.host", root);
	cmd = xasprintf("%s/cur/1700000100.M2P2.host:2,S", root);
	CHECK_INT(rename(p, cmd), 0);
	CHECK_INT(mail_source_fetch(src, env[0].uid, &b, &e), 0);
	CHECK_STR(b.data, "From: alice@localhost\nSubject: first\n\nhello\n");
	buf_release(&b);
	CHECK_INT(rename(cmd, p), 0);
	free(p);
	free(cmd);
	CHECK_INT(mail_source_fetch(src, 99, &b, &e), -1);
	CHECK_INT(e.code, ERR_INPUT);

	/* Reading moves it from new/ to cur/ with its flag; replying adds R. */
	CHECK_INT(mail_source_set_flags(src, env[0].uid, MAIL_FLAG_SEEN, 0, &e), 0);
	CHECK_INT(mail_source_set_flags(src, env[0].uid,
					MAIL_FLAG_ANSWERED | MAIL_FLAG_FLAGGED,
					MAIL_FLAG_SEEN, &e), 0);
	p = xasprintf("%s/cur/1700000100.M2P2.host:2,FR", root);
	CHECK(access(p, F_OK) == 0);
	free(p);
	p = xasprintf("%s/new", root);
	CHECK_INT(count_files(p), 0);
	free(p);
	mail_envelopes_free(&env, ne);

	CHECK_INT(mail_source_open_folder(src, "INBOX", &env, &ne, &e), 0);
	CHECK_INT(env[0].flags, MAIL_FLAG_ANSWERED | MAIL_FLAG_FLAGGED);
	mail_envelopes_free(&env, ne);

	CHECK_INT(mail_source_append(src, ".Sent", "Subject: kept\n\nx\n", 17,
				     MAIL_FLAG_SEEN, &e), 0);
	CHECK_INT(mail_source_open_folder(src, ".Sent", &env, &ne, &e), 0);
	CHECK_INT(ne, 1);
	CHECK_STR(env[0].subject, "kept");
	CHECK_INT(env[0].flags, MAIL_FLAG_SEEN);
	mail_envelopes_free(&env, ne);
	p = xasprintf("%s/.Sent/tmp", root);
	CHECK_INT(count_files(p), 0);
	free(p);

	CHECK_INT(mail_source_open_folder(src, "../etc", &env, &ne, &e), -1);
	CHECK_INT(mail_source_append(src, "Nope", "x", 1, 0, &e), -1);

	/* Move and expunge: INBOX holds first (FR) and second (S). */
	CHECK_INT(mail_source_open_folder(src, "INBOX", &env, &ne, &e), 0);
	CHECK_INT(ne, 2);
	CHECK_INT(mail_source_move(src, env[1].uid, "INBOX", &e), -1);
	CHECK_CONTAINS(e.msg, "already in that folder");
	err_clear(&e);
	CHECK_INT(mail_source_move(src, env[1].uid, ".Nope", &e), -1);
	CHECK_CONTAINS(e.msg, "no folder \".Nope\"");
	err_clear(&e);
	CHECK_INT(mail_source_move(src, env[1].uid, ".Lists.dev", &e), 0);
	p = xasprintf("%s/.Lists.dev/cur/1700000200.M1P1.host:2,S", root);
	CHECK(access(p, F_OK) == 0);
	free(p);
	/* Its uid answers no more. */
	CHECK_INT(mail_source_fetch(src, env[1].uid, &b, &e), -1);
	CHECK_CONTAINS(e.msg, "was moved or removed");
	err_clear(&e);
	CHECK_INT(mail_source_set_flags(src, env[0].uid, MAIL_FLAG_DELETED, 0, &e), 0);
	CHECK_INT(mail_source_expunge(src, &e), 0);
	p = xasprintf("%s/cur", root);
	CHECK_INT(count_files(p), 0);
	free(p);
	mail_envelopes_free(&env, ne);
	CHECK_INT(mail_source_open_folder(src, "INBOX", &env, &ne, &e), 0);
	CHECK_INT(ne, 0);
	mail_envelopes_free(&env, ne);
	/* Only the marked ones go. */
	CHECK_INT(mail_source_open_folder(src, ".Sent", &env, &ne, &e), 0);
	CHECK_INT(ne, 1);
	CHECK_INT(mail_source_expunge(src, &e), 0);
	mail_envelopes_free(&env, ne);
	CHECK_INT(mail_source_open_folder(src, ".Sent", &env, &ne, &e), 0);
	CHECK_INT(ne, 1);
	mail_envelopes_free(&env, ne);
	CHECK_INT(mail_source_open_folder(src, ".Lists.dev", &env, &ne, &e), 0);
	CHECK_INT(ne, 1);
	CHECK_STR(env[0].subject, "second \xe2\x9c\x93");
	CHECK_INT(env[0].flags, MAIL_FLAG_SEEN);
	mail_envelopes_free(&env, ne);

	mail_source_free(&src);
	CHECK(src == NULL);
	cmd = xasprintf("rm -rf '%s'", root);
	CHECK_INT(system(cmd), 0);
	free(cmd);
	return check_exit();
}
