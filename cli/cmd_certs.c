/* cmd_certs.c — cachet certs list|show|import|export|remove|trust|trust-ca */
#include "certstore/certstore.h"
#include "cli/cli.h"
#include "crypto/smime.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

cli_verb_fn cmd_certs;

static const char certs_usage[] =
	"usage: cachet certs list [--json]\n"
	"       cachet certs show [--json] ADDRESS|FINGERPRINT\n"
	"       cachet certs import [--force] FILE...   (PEM, DER or PKCS#7 .p7c)\n"
	"       cachet certs export ADDRESS|FINGERPRINT (PEM on standard output)\n"
	"       cachet certs trust FINGERPRINT          (accept a pending or conflicting one)\n"
	"       cachet certs remove FINGERPRINT         (never encrypt to it again)\n"
	"       cachet certs trust-ca FILE              (add an S/MIME trust anchor to gpgsm)\n"
	"\n"
	"The certificate store decides which certificate cachet encrypts to for\n"
	"each address.  A certificate that differs from the one trusted before\n"
	"for an address is a conflict: encryption to that address stops until\n"
	"you decide with 'certs trust' or 'certs remove'.\n";

static void
fmt_time(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
fmt_day(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d", &tm);
}

static int
open_store(const struct cli_globals *g, struct certstore **s)
{
	struct err e = { 0 };

	if (certstore_open(g->data_dir, g->gnupg_home, s, &e) < 0)
		return cli_fail(&e);
	return 0;
}

static void json_capabilities(struct buf *out, const struct certstore_binding *b);

static void
json_binding(struct buf *out, const struct certstore_binding *b, time_t now)
{
	const struct certstore_cert *c = b->cert;
	char t[32];
	size_t i;

	buf_adds(out, "{\"address\":");
	smime_json_string(out, b->address);
	buf_adds(out, ",\"state\":");
	smime_json_string(out, certstore_state_name(b->state));
	buf_adds(out, ",\"fingerprint\":");
	smime_json_string(out, c->fpr_sha1);
	buf_adds(out, ",\"sha256\":");
	smime_json_string(out, c->fpr_sha256);
	buf_adds(out, ",\"subject\":");
	smime_json_string(out, c->subject);
	buf_adds(out, ",\"issuer\":");
	smime_json_string(out, c->issuer);
	buf_adds(out, ",\"serial\":");
	smime_json_string(out, c->serial);
	fmt_time(c->not_before, t);
	buf_addf(out, ",\"not_before\":\"%s\"", t);
	fmt_time(c->not_after, t);
	buf_addf(out, ",\"not_after\":\"%s\",\"expired\":%s", t,
		 now > c->not_after ? "true" : "false");
	buf_adds(out, ",\"emails\":[");
	for (i = 0; i < c->n_emails; i++) {
		if (i)
			buf_addc(out, ',');
		smime_json_string(out, c->emails[i]);
	}
	fmt_time(b->first_seen, t);
	buf_addf(out, "],\"first_seen\":\"%s\"", t);
	fmt_time(b->last_seen, t);
	buf_addf(out, ",\"last_seen\":\"%s\",\"message_id\":", t);
	smime_json_string(out, b->message_id);
	buf_adds(out, ",\"message_date\":");
	smime_json_string(out, b->message_date);
	buf_adds(out, ",\"source\":");
	smime_json_string(out, b->source);
	json_capabilities(out, b);
	buf_addc(out, '}');
}

/* A capability's name, or its dotted identifier when cachet knows none. */
static const char *
capability_word(const char *oid)
{
	const char *name = smime_capability_name(oid);

	return name ? name : oid;
}

/* The next identifier of a space-separated list into oid; false at the end. */
static bool
next_capability(const char **p, char oid[SMIME_MAX_CAPABILITY_OID])
{
	size_t n;

	for (;;) {
		*p += strspn(*p, " ");
		if (**p == '\0')
			return false;
		n = strcspn(*p, " ");
		*p += n;
		if (n < SMIME_MAX_CAPABILITY_OID) {
			memcpy(oid, *p - n, n);
			oid[n] = '\0';
			return true;
		}
	}
}

/* ,"capabilities":[names...] or null, "capabilities_signed": time or null. */
static void
json_capabilities(struct buf *out, const struct certstore_binding *b)
{
	char oid[SMIME_MAX_CAPABILITY_OID], t[32];
	const char *p = b->capabilities;
	size_t k = 0;

	buf_adds(out, ",\"capabilities\":");
	if (p == NULL) {
		buf_adds(out, "null,\"capabilities_signed\":null");
		return;
	}
	buf_addc(out, '[');
	while (next_capability(&p, oid)) {
		if (k++)
			buf_addc(out, ',');
		smime_json_string(out, capability_word(oid));
	}
	buf_adds(out, "],\"capabilities_signed\":");
	if (b->capabilities_time) {
		fmt_time(b->capabilities_time, t);
		buf_addf(out, "\"%s\"", t);
	} else {
		buf_adds(out, "null");
	}
}

static void
text_capabilities(struct buf *out, const struct certstore_binding *b)
{
	char oid[SMIME_MAX_CAPABILITY_OID], t[32];
	const char *p = b->capabilities;

	if (p == NULL) {
		buf_adds(out, "  announces  nothing known (no signed message said)\n");
		return;
	}
	buf_adds(out, "  announces ");
	while (next_capability(&p, oid))
		buf_addf(out, " %s", capability_word(oid));
	if (b->capabilities_time) {
		fmt_time(b->capabilities_time, t);
		buf_addf(out, "\n  announced  in a message signed %s", t);
	}
	buf_addc(out, '\n');
}

static void
text_binding(struct buf *out, const struct certstore_binding *b, time_t now)
{
	char day[32];

	fmt_day(b->cert->not_after, day);
	buf_addf(out, "%-28s %-15s %s  %s %s  %s\n", b->address,
		 certstore_state_name(b->state), b->cert->fpr_sha1,
		 now > b->cert->not_after ? "expired" : "until", day, b->cert->subject);
}

static int
certs_list(struct certstore *s, const char *filter, bool json)
{
	struct certstore_binding *v = NULL;
	struct buf out = BUF_INIT;
	struct err e = { 0 };
	time_t now = time(NULL);
	size_t n = 0, i;

	if (certstore_list(s, filter, &v, &n, &e) < 0)
		return cli_fail(&e);
	for (i = 0; i < n; i++) {
		if (json) {
			json_binding(&out, &v[i], now);
			buf_addc(&out, '\n');
		} else {
			text_binding(&out, &v[i], now);
		}
	}
	if (!json && n == 0)
		fprintf(stderr, "cachet: the certificate store is empty\n");
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	buf_release(&out);
	certstore_bindings_free(&v, n);
	return 0;
}

static const char *
none_name(enum certstore_none w)
{
	switch (w) {
	case CERTSTORE_NONE_NO_CERT: return "no-certificate";
	case CERTSTORE_NONE_EXPIRED: return "expired";
	case CERTSTORE_NONE_CONFLICT: return "conflict";
	case CERTSTORE_NONE_PENDING: return "pending";
	case CERTSTORE_NONE_REVOKED: return "revoked-by-user";
	case CERTSTORE_NONE_UNUSABLE: return "unusable";
	}
	return "no-certificate";
}

static int
certs_show(struct certstore *s, const char *what, bool json)
{
	struct certstore_binding *v = NULL;
	struct certstore_history *h = NULL;
	struct certstore_choice ch;
	struct buf out = BUF_INIT;
	struct err e = { 0 };
	time_t now = time(NULL);
	size_t n = 0, nh = 0, i, j;
	char t[32], nb[32];
	bool by_address = strchr(what, '@') != NULL;
	int rc = 0;

	memset(&ch, 0, sizeof(ch));
	if (certstore_list(s, what, &v, &n, &e) < 0 ||
	    certstore_history_list(s, what, &h, &nh, &e) < 0 ||
	    (by_address && certstore_choose(s, what, now, &ch, &e) < 0)) {
		rc = cli_fail(&e);
		goto out;
	}
	if (n == 0 && nh == 0) {
		fprintf(stderr, "cachet: the store knows nothing about %s\n", what);
		rc = 1;
		goto out;
	}
	if (json) {
		buf_adds(&out, "{\"query\":");
		smime_json_string(&out, what);
		if (by_address) {
			buf_adds(&out, ",\"encrypt_to\":");
			smime_json_string(&out, ch.found ? ch.cert->fpr_sha1 : NULL);
			buf_adds(&out, ",\"reason\":");
			smime_json_string(&out, ch.found ? NULL : none_name(ch.why));
		}
		buf_adds(&out, ",\"bindings\":[");
		for (i = 0; i < n; i++) {
			if (i)
				buf_addc(&out, ',');
			json_binding(&out, &v[i], now);
		}
		buf_adds(&out, "],\"history\":[");
		for (i = 0; i < nh; i++) {
			fmt_time(h[i].at, t);
			buf_addf(&out, "%s{\"at\":\"%s\",\"address\":", i ? "," : "", t);
			smime_json_string(&out, h[i].address);
			buf_adds(&out, ",\"fingerprint\":");
			smime_json_string(&out, h[i].fpr_sha1);
			buf_adds(&out, ",\"action\":");
			smime_json_string(&out, h[i].action);
			buf_adds(&out, ",\"old_state\":");
			smime_json_string(&out, h[i].old_state);
			buf_adds(&out, ",\"new_state\":");
			smime_json_string(&out, h[i].new_state);
			buf_adds(&out, ",\"why\":");
			smime_json_string(&out, h[i].why);
			buf_addc(&out, '}');
		}
		buf_adds(&out, "]}\n");
		goto print;
	}
	if (by_address) {
		if (ch.found)
			buf_addf(&out, "%s: encrypts to %s\n", what, ch.cert->fpr_sha1);
		else
			buf_addf(&out, "%s: no certificate to encrypt to (%s): %s\n", what,
				 none_name(ch.why), ch.detail);
	}
	for (i = 0; i < n; i++) {
		const struct certstore_cert *c = v[i].cert;

		buf_addf(&out, "\n%s  %s\n", v[i].address, certstore_state_name(v[i].state));
		buf_addf(&out, "  SHA-1      %s\n  SHA-256    %s\n", c->fpr_sha1, c->fpr_sha256);
		buf_addf(&out, "  subject    %s\n  issuer     %s\n  serial     %s\n",
			 c->subject, c->issuer, c->serial);
		fmt_time(c->not_before, nb);
		fmt_time(c->not_after, t);
		buf_addf(&out, "  valid      %s to %s%s\n", nb, t,
			 now > c->not_after ? " (expired)" : "");
		buf_adds(&out, "  addresses ");
		for (j = 0; j < c->n_emails; j++)
			buf_addf(&out, " %s", c->emails[j]);
		fmt_time(v[i].first_seen, nb);
		fmt_time(v[i].last_seen, t);
		buf_addf(&out, "\n  seen       %s to %s (%s)\n", nb, t, v[i].source);
		if (v[i].message_id)
			buf_addf(&out, "  message    %s%s%s\n", v[i].message_id,
				 v[i].message_date ? ", " : "",
				 v[i].message_date ? v[i].message_date : "");
		text_capabilities(&out, &v[i]);
		if (v[i].state == CERTSTORE_CONFLICT || v[i].state == CERTSTORE_PENDING)
			buf_addf(&out, "  decide     cachet certs trust %s   or   "
				 "cachet certs remove %s\n", c->fpr_sha1, c->fpr_sha1);
	}
	if (nh)
		buf_adds(&out, "\nHistory:\n");
	for (i = 0; i < nh; i++) {
		fmt_time(h[i].at, t);
		buf_addf(&out, "  %s %-9s %s %s %s%s -> %s%s%s\n", t, h[i].action,
			 h[i].address, h[i].fpr_sha1, h[i].old_state ? h[i].old_state : "",
			 h[i].old_state ? "" : "(none)", h[i].new_state,
			 h[i].why ? ": " : "", h[i].why ? h[i].why : "");
	}
print:
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
out:
	buf_release(&out);
	certstore_choice_release(&ch);
	certstore_bindings_free(&v, n);
	certstore_history_free(&h, nh);
	return rc;
}

/* A typed "yes" on the terminal; never from a pipe or a file. */
static bool
confirm_force(const char *file, const struct certstore_cert *c)
{
	char line[64];
	size_t i;

	if (!isatty(0) || !isatty(2))
		return false;
	fprintf(stderr, "Importing %s WITHOUT the checks (chain to a trust anchor, "
		"validity, usage):\n  SHA-1   %s\n  SHA-256 %s\n  subject %s\n  for   ",
		file, c->fpr_sha1, c->fpr_sha256, c->subject);
	for (i = 0; i < c->n_emails; i++)
		fprintf(stderr, " %s", c->emails[i]);
	fprintf(stderr, "\nType 'yes' to bind it anyway: ");
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "yes") == 0;
}

static void
worse(int *worst, int status)
{
	if (status > *worst)
		*worst = status;
}

static int
certs_import(struct certstore *s, int argc, char **argv, bool force)
{
	struct err e = { 0 };
	time_t now = time(NULL);
	int worst = 0, i;

	if (force && (!isatty(0) || !isatty(2))) {
		err_set(&e, ERR_USAGE, "certs import --force needs a typed confirmation "
			"on a terminal; it is refused in batch");
		return cli_fail(&e);
	}
	for (i = 0; i < argc; i++) {
		struct buf b = BUF_INIT;
		struct certstore_cert **certs = NULL;
		size_t n = 0, j, k;

		if (file_read(argv[i], 16 << 20, &b, &e) < 0 ||
		    certstore_cert_parse_all(b.data, b.len, &certs, &n, &e) < 0) {
			err_prefix(&e, "%s", argv[i]);
			worse(&worst, cli_fail(&e));
			buf_release(&b);
			continue;
		}
		buf_release(&b);
		for (j = 0; j < n; j++) {
			struct certstore_outcomes out = { 0 };

			if (certs[j]->is_ca) {
				printf("%s: %s is a CA certificate: skipped (use 'cachet "
				       "certs trust-ca' for trust anchors)\n", argv[i],
				       certs[j]->fpr_sha1);
				continue;
			}
			if (force && !confirm_force(argv[i], certs[j])) {
				fprintf(stderr, "cachet: %s: not confirmed; nothing imported\n",
					argv[i]);
				worse(&worst, 1);
				continue;
			}
			if (certstore_import_cert(s, certs[j], certs, n, force, argv[i], now,
						  &out, &e) < 0) {
				err_prefix(&e, "%s", argv[i]);
				worse(&worst, cli_fail(&e));
				certstore_outcomes_release(&out);
				continue;
			}
			for (k = 0; k < out.n; k++) {
				const struct certstore_outcome *o = &out.v[k];

				if (o->reason) {
					printf("%s: refused %s for %s: %s\n", argv[i],
					       o->fingerprint ? o->fingerprint : "?",
					       o->email ? o->email : "(no address)", o->reason);
					worse(&worst, 1);
				} else {
					printf("%s: %s bound to %s (%s, %s)\n", argv[i],
					       o->fingerprint, o->email,
					       certstore_state_name(o->state),
					       certstore_change_name(o->change));
				}
			}
			certstore_outcomes_release(&out);
		}
		certstore_certs_free(&certs, n);
	}
	return worst;
}

static int
certs_export(struct certstore *s, const char *what)
{
	struct certstore_binding *v = NULL;
	struct certstore_choice ch;
	struct err e = { 0 };
	char *pem = NULL;
	size_t n = 0;
	int rc = 0;

	memset(&ch, 0, sizeof(ch));
	if (strchr(what, '@')) {
		if (certstore_choose(s, what, time(NULL), &ch, &e) < 0)
			return cli_fail(&e);
		if (!ch.found) {
			fprintf(stderr, "cachet: %s\n", ch.detail);
			certstore_choice_release(&ch);
			return 1;
		}
		pem = certstore_cert_pem(ch.cert);
	} else {
		if (certstore_list(s, what, &v, &n, &e) < 0)
			return cli_fail(&e);
		if (n == 0) {
			fprintf(stderr, "cachet: no certificate %s in the store\n", what);
			return 1;
		}
		pem = certstore_cert_pem(v[0].cert);
	}
	if (pem)
		fputs(pem, stdout);
	else
		rc = 4;
	free(pem);
	certstore_choice_release(&ch);
	certstore_bindings_free(&v, n);
	return rc;
}

static int
certs_decide(struct certstore *s, const char *fpr, bool trust)
{
	struct err e = { 0 };
	size_t count = 0;
	int rc;

	rc = trust ? certstore_trust(s, fpr, time(NULL), &count, &e)
		   : certstore_remove(s, fpr, time(NULL), &count, &e);
	if (rc < 0)
		return cli_fail(&e);
	if (count == 0)
		printf("%s: nothing to change (already %s)\n", fpr,
		       trust ? "trusted" : "removed");
	else
		printf("%s: %s for %zu address%s\n", fpr, trust ? "trusted" : "removed",
		       count, count == 1 ? "" : "es");
	return 0;
}

static int
certs_trust_ca(struct certstore *s, const char *file)
{
	struct certstore_cert **certs = NULL, *ca = NULL;
	struct buf b = BUF_INIT;
	struct err e = { 0 };
	size_t n = 0, i;
	bool added = false;
	int rc = 0;

	if (file_read(file, 16 << 20, &b, &e) < 0 ||
	    certstore_cert_parse_all(b.data, b.len, &certs, &n, &e) < 0) {
		buf_release(&b);
		err_prefix(&e, "%s", file);
		return cli_fail(&e);
	}
	buf_release(&b);
	for (i = 0; i < n && ca == NULL; i++)
		if (certs[i]->is_ca)
			ca = certs[i];
	if (ca == NULL) {
		err_set(&e, ERR_INPUT, "%s: no CA certificate in the file "
			"(basicConstraints CA:TRUE)", file);
		rc = cli_fail(&e);
		goto out;
	}
	printf("Trust anchor for S/MIME:\n  subject  %s\n  SHA-1    %s\n"
	       "  SHA-256  %s\n", ca->subject, ca->fpr_sha1, ca->fpr_sha256);
	if (certstore_trust_anchor_add(s, ca, &added, &e) < 0 ||
	    certstore_seen_forget_untrusted(s, &e) < 0) {
		err_prefix(&e, "%s", file);
		rc = cli_fail(&e);
		goto out;
	}
	printf(added ? "added to gpgsm's trustlist.txt\n"
		     : "already in gpgsm's trustlist.txt\n");
out:
	certstore_certs_free(&certs, n);
	return rc;
}

int
cmd_certs(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct certstore *s = NULL;
	const char *sub;
	bool json = false, force = false;
	int c, rc, nargs;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(certs_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			fputs(certs_usage, stdout);
			return 0;
		default:
			fputs(certs_usage, stderr);
			return 2;
		}
	}
	argv += 1 + optind;
	nargs = argc - 1 - optind;
	if (force && strcmp(sub, "import") != 0) {
		fprintf(stderr, "cachet: --force belongs to 'certs import'\n");
		return 2;
	}
	if ((strcmp(sub, "list") == 0 && nargs != 0) ||
	    (strcmp(sub, "import") == 0 && nargs < 1) ||
	    ((strcmp(sub, "show") == 0 || strcmp(sub, "export") == 0 ||
	      strcmp(sub, "trust") == 0 || strcmp(sub, "remove") == 0 ||
	      strcmp(sub, "trust-ca") == 0) && nargs != 1)) {
		fputs(certs_usage, stderr);
		return 2;
	}
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "import") &&
	    strcmp(sub, "export") && strcmp(sub, "trust") && strcmp(sub, "remove") &&
	    strcmp(sub, "trust-ca")) {
		fprintf(stderr, "cachet: unknown 'certs %s'\n%s", sub, certs_usage);
		return 2;
	}
	if (open_store(g, &s) != 0)
		return 4;
	if (strcmp(sub, "list") == 0)
		rc = certs_list(s, NULL, json);
	else if (strcmp(sub, "show") == 0)
		rc = certs_show(s, argv[0], json);
	else if (strcmp(sub, "import") == 0)
		rc = certs_import(s, nargs, argv, force);
	else if (strcmp(sub, "export") == 0)
		rc = certs_export(s, argv[0]);
	else if (strcmp(sub, "trust") == 0)
		rc = certs_decide(s, argv[0], true);
	else if (strcmp(sub, "remove") == 0)
		rc = certs_decide(s, argv[0], false);
	else
		rc = certs_trust_ca(s, argv[0]);
	certstore_close(&s);
	return rc;
}
