/*
 * cmd_send_batch.c — `cachet send FILE... | MAILDIR`: every message
 * through one SMTP session and one IMAP session (send.h's batch), paced,
 * each planned and performed as `send` does one; --json says per message
 * what happened; the exit status is the worst seen.
 */
#include "cli/batch.h"
#include "cli/cli.h"
#include "client/send.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/tls.h"
#include "crypto/smime.h"

struct send_run {
	const struct account *a;	/* foreign */
	const struct policy *policy;	/* foreign */
	const struct send_options *o;	/* foreign */
	bool json;
};

static void
json_str_or_null(struct buf *out, const char *s)
{
	if (s)
		smime_json_string(out, s);
	else
		buf_addf(out, "null");
}

/* One object of --json, in the order of the contract (doc/DESIGN.md, 2.2). */
static void
json_line(struct buf *out, const char *name, const struct send_plan *plan,
	  const struct send_report *rep, const char *result, const struct err *e)
{
	const char *data = plan->prepared.data;
	char *message_id = NULL;
	size_t i, k = 0;

	if (data)
		message_id = mime_header_first(data, mime_header_end(data,
					       plan->prepared.len), "message-id");
	buf_addf(out, "{\"file\":");
	smime_json_string(out, name);
	buf_addf(out, ",\"message_id\":");
	json_str_or_null(out, message_id);
	buf_addf(out, ",\"recipients\":[");
	for (i = 0; i < plan->n_rcpts; i++) {
		buf_addf(out, "%s", i ? "," : "");
		smime_json_string(out, plan->rcpts[i].addr);
	}
	buf_addf(out, "],\"signed\":%s,\"encrypted_to\":[", plan->sign ? "true" : "false");
	if (plan->encrypt) {
		for (i = 0; i < plan->n_rcpts; i++, k++) {
			buf_addf(out, "%s", k ? "," : "");
			smime_json_string(out, plan->rcpts[i].addr);
		}
		buf_addf(out, "%s", k ? "," : "");
		json_str_or_null(out, plan->from);
	}
	buf_addf(out, "],\"result\":\"%s\",\"reply\":", result);
	json_str_or_null(out, rep->reply ? rep->reply :
			 e && e->code != ERR_NONE ? e->msg : NULL);
	buf_addf(out, ",\"outbox\":");
	json_str_or_null(out, rep->queued);
	buf_addf(out, ",\"filed\":%s}\n", rep->filed ? "true" : "false");
	free(message_id);
}

/* One message of the run, from its staging to its line. */
struct one {
	const char *name;		/* foreign */
	struct send_plan plan;		/* owned */
	struct send_report rep;		/* owned */
	struct send_staged *staged;	/* owned; NULL: not stored */
	struct err e;
	int rc;
	const char *result;
};

/* Signed, encrypted and stored in the outbox, or refused: nothing leaves. */
static void
stage_one(const struct send_run *run, struct one *m)
{
	struct buf msg = BUF_INIT;

	m->result = "failed";
	m->rc = file_read(m->name, SMIME_MAX_MESSAGE, &msg, &m->e);
	if (m->rc == 0)
		m->rc = send_plan(run->a, run->policy, msg.data ? msg.data : "",
				  msg.len, run->o, &m->plan, &m->e);
	if (m->rc < 0 && m->plan.refusal)
		m->result = "refused";
	if (m->rc == 0)
		m->rc = send_stage(run->a, &m->plan, run->o, &m->staged, &m->rep,
				   NULL, &m->e);
	buf_release(&msg);
}

/* Submits and files a staged message; says what happened; its status. */
static int
finish_one(const struct send_run *run, struct one *m, bool stopped)
{
	struct buf line = BUF_INIT;
	int status = 0;

	if (m->staged && stopped) {
		m->rc = err_set(&m->e, ERR_NETWORK, "interrupted: not sent, it waits in "
				"the outbox for 'cachet outbox retry'");
		m->result = "waiting";
	} else if (m->staged) {
		m->rc = send_transmit(run->a, m->staged, run->o, &m->rep, NULL, &m->e);
		m->result = m->rc == 0 ? "sent" : m->rep.submitted ? "partly-sent" :
			    m->rep.queued ? "waiting" : "failed";
	}
	if (run->json) {
		json_line(&line, m->name, &m->plan, &m->rep, m->result,
			  m->rc < 0 ? &m->e : NULL);
		fwrite(line.data, 1, line.len, stdout);
		fflush(stdout);
	}
	if (m->rc < 0) {
		err_prefix(&m->e, "%s", m->name);
		status = cli_fail(&m->e);
	}
	if (m->rep.notice)
		fprintf(stderr, "cachet: %s: %s\n", m->name, m->rep.notice);
	if (m->rep.warning)
		fprintf(stderr, "cachet: %s: %s\n", m->name, m->rep.warning);
	buf_release(&line);
	send_staged_free(&m->staged);
	send_plan_release(&m->plan);
	send_report_release(&m->rep);
	return status;
}

static void
progress(bool on, const char *what, size_t i, size_t n, const char *name)
{
	if (on)
		fprintf(stderr, "\r\033[K%s %zu/%zu %s", what, i + 1, n, name);
}

/*
 * Every message is signed, encrypted and stored in the outbox first, then
 * they are sent: a run cut short leaves each message delivered once or
 * waiting in the outbox, for `outbox retry` to resume.
 */
static int
run_batch(const struct send_run *run, char **files, size_t n)
{
	struct one *ms = xcalloc(n, sizeof *ms);
	bool tty = isatty(2);
	size_t i;
	int worst = 0, s;

	for (i = 0; i < n && !tls_interrupted(); i++) {
		progress(tty, "signing", i, n, files[i]);
		ms[i].name = files[i];
		stage_one(run, &ms[i]);
	}
	send_batch_signed(run->o->batch);
	for (i = 0; i < n; i++) {
		if (ms[i].name == NULL)
			break;	/* interrupted before it was read */
		progress(tty, "sending", i, n, files[i]);
		s = finish_one(run, &ms[i], tls_interrupted());
		if (s > worst)
			worst = s;
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
	free(ms);
	return worst;
}

int
cli_send_batch(const struct account *a, const struct policy *policy,
	       struct send_options *o, char **args, size_t n_args, bool json,
	       unsigned interval_ms)
{
	struct send_run run = { a, policy, o, json };
	struct send_batch *sb = NULL;
	struct err e = { 0 };
	char **files = NULL;
	size_t n = 0, i;
	int rc;

	for (i = 0; i < n_args; i++) {
		struct stat st;

		if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (batch_maildir_files(args[i], &files, &n, &e) < 0) {
				rc = cli_fail(&e);
				goto out;
			}
			continue;
		}
		files = xrealloc(files, (n + 1) * sizeof *files);
		files[n++] = xstrdup(args[i]);
	}
	if (n == 0) {
		err_set(&e, ERR_USAGE, "nothing to send: %s holds no message",
			n_args ? args[0] : "the input");
		rc = cli_fail(&e);
		goto out;
	}
	send_batch_new(a, interval_ms ? interval_ms : a->send_interval_ms,
		       SEND_BATCH_MAX_WAIT, &sb, NULL);
	o->batch = sb;
	rc = run_batch(&run, files, n);
	o->batch = NULL;
	if (send_batch_retries(sb))
		fprintf(stderr, "cachet: the server asked to wait or closed the "
			"session %zu time%s; cachet waited and sent again\n",
			send_batch_retries(sb), send_batch_retries(sb) == 1 ? "" : "s");
	send_batch_free(&sb);
out:
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return rc;
}
