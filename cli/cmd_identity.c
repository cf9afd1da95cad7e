/* cmd_identity.c — cachet identity import FILE.p12 | identity list [--json] */
#include "cli/cli.h"
#include "crypto/smime.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

cli_verb_fn cmd_identity;

/* A PKCS#12 file is a few kB; this is far beyond any real one. */
#define IDENTITY_P12_MAX (1u << 20)

static const char identity_usage[] =
	"usage: cachet identity import FILE.p12\n"
	"       cachet identity list [--json]\n"
	"\n"
	"Your own keys and certificates.  import reads a PKCS#12 file (RSA or EC,\n"
	"as OpenSSL or NSS write it) and its password (the first line of the\n"
	"global --passphrase-fd N, or asked on the terminal), puts the private\n"
	"key in gpg-agent protected by that same password and the certificates\n"
	"in gpgsm's keybox.  list prints one identity per line: fingerprint, key\n"
	"type, addresses, validity, tab-separated.\n";

/* "FROM..UNTIL", days in UTC. */
static void
fmt_validity(const struct smime_identity *id, char out[64])
{
	struct tm from, until;

	gmtime_r(&id->not_before, &from);
	gmtime_r(&id->not_after, &until);
	snprintf(out, 64, "%04d-%02d-%02d..%04d-%02d-%02d", from.tm_year + 1900,
		 from.tm_mon + 1, from.tm_mday, until.tm_year + 1900, until.tm_mon + 1,
		 until.tm_mday);
}

static const char *
identity_state(const struct smime_identity *id, time_t now)
{
	if (id->revoked)
		return "revoked";
	if (id->expired)
		return "expired";
	if (id->not_before && id->not_before > now)
		return "not-yet-valid";
	return "valid";
}

static void
print_line(const struct smime_identity *id, time_t now)
{
	char validity[64];
	const char *state = identity_state(id, now);
	size_t i;

	cli_put_text(stdout, id->fingerprint, false);
	putchar('\t');
	cli_put_text(stdout, id->key_type, false);
	putchar('\t');
	for (i = 0; i < id->n_emails; i++) {
		if (i)
			putchar(',');
		cli_put_text(stdout, id->emails[i], false);
	}
	if (id->n_emails == 0)
		putchar('-');
	putchar('\t');
	fmt_validity(id, validity);
	fputs(validity, stdout);
	if (strcmp(state, "valid") != 0)
		fprintf_text(stdout, " (%s)", state);
	putchar('\n');
}

static void
print_json(const struct smime_identity *id, time_t now)
{
	struct buf out = BUF_INIT;
	struct tm tm;
	char t[32];
	size_t i;

	buf_adds(&out, "{\"fingerprint\":");
	smime_json_string(&out, id->fingerprint);
	buf_adds(&out, ",\"keygrip\":");
	if (id->keygrip)
		smime_json_string(&out, id->keygrip);
	else
		buf_adds(&out, "null");
	buf_adds(&out, ",\"key_type\":");
	smime_json_string(&out, id->key_type);
	buf_adds(&out, ",\"addresses\":[");
	for (i = 0; i < id->n_emails; i++) {
		if (i)
			buf_addc(&out, ',');
		smime_json_string(&out, id->emails[i]);
	}
	buf_adds(&out, "],\"subject\":");
	if (id->subject)
		smime_json_string(&out, id->subject);
	else
		buf_adds(&out, "null");
	gmtime_r(&id->not_before, &tm);
	strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_addf_text(&out, ",\"not_before\":\"%s\"", t);
	gmtime_r(&id->not_after, &tm);
	strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_addf_text(&out, ",\"not_after\":\"%s\",\"state\":\"%s\"}\n", t,
		 identity_state(id, now));
	fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
}

static int
identity_list(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct smime_identity *ids = NULL;
	struct err e = { 0 };
	bool json = false;
	time_t now = time(NULL);
	size_t n = 0, i;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j') {
			json = true;
		} else if (c == 'h') {
			fputs(identity_usage, stdout);
			return 0;
		} else {
			fputs(identity_usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(identity_usage, stderr);
		return 2;
	}
	if (smime_identity_list(g->gnupg_home, &ids, &n, &e) < 0)
		return cli_fail(&e);
	for (i = 0; i < n; i++) {
		if (json)
			print_json(&ids[i], now);
		else
			print_line(&ids[i], now);
	}
	smime_identities_free(&ids, n);
	return 0;
}

/* "Password for FILE: " with nothing of the name that could steer the
 * terminal. */
static char *
password_prompt(const char *path)
{
	const char *base = strrchr(path, '/');
	char *p, *s;

	s = xasprintf("Password for %s: ", base && base[1] ? base + 1 : path);
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

struct file_password {
	const struct cli_globals *g;	/* foreign */
	char *prompt;			/* owned by the caller */
};

static int
ask_file_password(void *opaque, const char *desc, unsigned try, bool is_new,
		  struct buf *out, struct err *e)
{
	struct file_password *fp = opaque;
	char *again;
	int rc;

	if (try <= 1)
		return cli_read_passphrase(fp->g, fp->prompt, out, e);
	/* --passphrase-fd gives the file one password: its first line. */
	if (fp->g->passphrase_fd >= 0)
		return err_set(e, ERR_USAGE, "wrong password for this PKCS#12 file");
	again = xasprintf("Wrong password (try %u of %u).  %s", try,
			  SMIME_PASSPHRASE_TRIES, fp->prompt);
	rc = cli_read_passphrase(fp->g, again, out, e);
	free(again);
	return rc;
}

static int
identity_import(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct file_password ask = { NULL, NULL };
	struct smime_passphrase pp = { ask_file_password, &ask };
	struct buf file = BUF_INIT;
	struct smime_identity id = { 0 };
	struct err e = { 0 };
	bool existed = false;
	const char *path;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(identity_usage, stdout);
			return 0;
		}
		fputs(identity_usage, stderr);
		return 2;
	}
	if (argc - optind != 1) {
		fputs(identity_usage, stderr);
		return 2;
	}
	path = argv[optind];
	if (file_read(path, IDENTITY_P12_MAX, &file, &e) < 0) {
		err_name(&e, path);
		return cli_fail(&e);
	}
	ask.g = g;
	ask.prompt = password_prompt(path);
	rc = smime_identity_import(g->gnupg_home, file.data, file.len, &pp, &id,
				   &existed, &e);
	free(ask.prompt);
	buf_release(&file);
	if (rc < 0) {
		err_name(&e, path);
		return cli_fail(&e);
	}
	cli_put_text(stdout, path, false);
	if (existed)
		fprintf_text(stdout, ": gpg-agent already held this key, kept as it was; certificate ");
	else
		fprintf_text(stdout, ": imported ");
	print_line(&id, time(NULL));
	smime_identity_release(&id);
	return 0;
}

int
cmd_identity(const struct cli_globals *g, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return identity_import(g, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return identity_list(g, argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(identity_usage, stdout);
		return 0;
	}
	fputs(identity_usage, stderr);
	return 2;
}
