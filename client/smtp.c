/* smtp.c — SMTP submission over cachet's TLS stream. */
#include "client/smtp.h"

#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <libetpan/libetpan.h>

#include "client/cred.h"
#include "client/tls.h"

/* A reply longer than this many lines is not a mail server talking. */
#define SMTP_REPLY_MAX_LINES 200
/* Nor is a reply line this long (RFC 5321 says 512 bytes). */
#define SMTP_REPLY_LINE_MAX 65536

struct smtp_session {
	mailsmtp *smtp;			/* owned; owns the stream once connected */
	struct tls_options tls;		/* host and ca_file foreign */
	MMAPString *line;		/* owned */
	struct buf reply;		/* owned; text of the last reply read here */
};

int
smtp_reply_line(const char *line, int *code, bool *last, const char **text)
{
	int i;

	for (i = 0; i < 3; i++)
		if (line[i] < '0' || line[i] > '9')
			return -1;
	if (line[0] < '2' || line[0] > '5')
		return -1;
	if (line[3] != '\0' && line[3] != ' ' && line[3] != '-')
		return -1;
	*code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	*last = line[3] != '-';
	*text = line[3] ? line + 4 : line + 3;
	return 0;
}

void
smtp_dot_stuff(const char *msg, size_t len, struct buf *out)
{
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(msg + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - msg) : len;
		size_t body = end;

		if (body > i && msg[body - 1] == '\r')
			body--;
		if (msg[i] == '.')
			buf_addc(out, '.');
		buf_add(out, msg + i, body - i);
		buf_add(out, "\r\n", 2);
		i = nl ? end + 1 : len;
	}
	buf_add(out, ".\r\n", 3);
}

/*
 * A server's text reaches the terminal: anything but printable ASCII
 * (escape sequences, bells, other control bytes, 8-bit bytes that some
 * terminals read as C1 controls) becomes '?'.
 */
static void
add_printable(struct buf *b, const char *text)
{
	for (; *text; text++)
		buf_addc(b, *text >= 32 && *text < 127 ? *text : '?');
}

static mailstream *
stream_of(struct smtp_session *s)
{
	return s->smtp ? s->smtp->stream : NULL;
}

static int
stream_error(struct smtp_session *s, struct err *e, const char *doing)
{
	const char *why = tls_last_error(stream_of(s));

	if (tls_interrupted() && why && strcmp(why, "interrupted") == 0)
		return err_set(e, ERR_NETWORK, "%s:%u: interrupted while %s",
			       s->tls.host, s->tls.port, doing);
	return err_set(e, ERR_NETWORK, "%s:%u: connection lost while %s%s%s",
		       s->tls.host, s->tls.port, doing, why ? ": " : "",
		       why ? why : " (closed by the server)");
}

/* Reads one whole reply into s->reply (lines joined by "\n"). */
static int
read_reply(struct smtp_session *s, int *code, struct err *e, const char *doing)
{
	int n, c = 0;
	bool last = false;

	buf_reset(&s->reply);
	for (n = 0; !last; n++) {
		const char *text;
		char *line;

		if (n == SMTP_REPLY_MAX_LINES)
			return err_set(e, ERR_PROTOCOL, "%s:%u: endless reply while %s",
				       s->tls.host, s->tls.port, doing);
		line = mailstream_read_line_remove_eol(stream_of(s), s->line);
		if (line == NULL)
			return stream_error(s, e, doing);
		if (smtp_reply_line(line, &c, &last, &text) < 0) {
			struct buf shown = BUF_INIT;

			/* A line cut by the end of the stream is a lost connection. */
			if (tls_peer_closed(stream_of(s)) || tls_last_error(stream_of(s)))
				return stream_error(s, e, doing);
			add_printable(&shown, line);
			err_set(e, ERR_PROTOCOL, "%s:%u: not an SMTP reply while %s: "
				"'%.80s'", s->tls.host, s->tls.port, doing,
				shown.data ? shown.data : "");
			buf_release(&shown);
			return -1;
		}
		if (s->reply.len)
			buf_addc(&s->reply, '\n');
		add_printable(&s->reply, text);
	}
	*code = c;
	return 0;
}

static int
send_line(struct smtp_session *s, const char *line, bool secret, struct err *e,
	  const char *doing)
{
	mailstream *st = stream_of(s);

	/* Privacy 0 keeps libetpan's stream logging away from the bytes. */
	mailstream_set_privacy(st, secret ? 0 : 1);
	if (mailstream_write(st, line, strlen(line)) < 0 ||
	    mailstream_write(st, "\r\n", 2) < 0 || mailstream_flush(st) < 0) {
		mailstream_set_privacy(st, 1);
		return stream_error(s, e, doing);
	}
	mailstream_set_privacy(st, 1);
	return 0;
}

/* The text of libetpan's last reply, on one line. */
static const char *
last_response(struct smtp_session *s)
{
	static const char none[] = "(no reply text)";
	char *r = s->smtp->response;
	size_t n;

	if (r == NULL || *r == '\0')
		return none;
	n = strlen(r);
	while (n && (r[n - 1] == '\n' || r[n - 1] == '\r'))
		r[--n] = '\0';
	/* On one line, and nothing a terminal would act on (add_printable). */
	for (char *p = r; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
		else if (*p < 32 || *p >= 127)
			*p = '?';
	return r;
}

static int
libetpan_error(struct smtp_session *s, int r, struct err *e, const char *doing)
{
	if (r == MAILSMTP_ERROR_STREAM)
		return stream_error(s, e, doing);
	return err_set(e, ERR_PROTOCOL, "%s:%u refused %s: %d %s", s->tls.host,
		       s->tls.port, doing, s->smtp->response_code, last_response(s));
}

static int
ehlo(struct smtp_session *s, struct err *e)
{
	int r = mailesmtp_ehlo(s->smtp);

	if (r != MAILSMTP_NO_ERROR)
		return libetpan_error(s, r, e, "EHLO (cachet needs ESMTP)");
	return 0;
}

int
smtp_open(const struct smtp_server *srv, struct smtp_session **out,
	  struct err *e)
{
	struct smtp_session *s;
	mailstream *stream;
	int r, code;

	*out = NULL;
	s = xcalloc(1, sizeof *s);
	s->tls.host = srv->host;
	s->tls.port = srv->port;
	s->tls.ca_file = srv->ca_file;
	s->tls.timeout = srv->timeout;
	s->line = mmap_string_new("");
	s->smtp = mailsmtp_new(0, NULL);
	if (s->line == NULL || s->smtp == NULL)
		abort();
	if (tls_connect(&s->tls, srv->security == URL_TLS ? TLS_IMPLICIT : TLS_STARTTLS,
			&stream, e) < 0)
		goto fail;
	/*
	 * The greeting is read here rather than by mailsmtp_connect, which
	 * closes the stream on failure and with it the cause (a timeout, a
	 * cut line).
	 */
	s->smtp->stream = stream;
	tls_set_line_limit(stream, SMTP_REPLY_LINE_MAX);
	if (read_reply(s, &code, e, "reading the greeting") < 0)
		goto fail;
	if (code != 220) {
		err_set(e, ERR_PROTOCOL, "%s:%u does not offer service: %d %s",
			srv->host, srv->port, code, s->reply.data ? s->reply.data : "");
		goto fail;
	}
	if (ehlo(s, e) < 0)
		goto fail;
	if (srv->security == URL_STARTTLS) {
		if (!(s->smtp->esmtp & MAILSMTP_ESMTP_STARTTLS)) {
			err_set(e, ERR_TLS, "%s:%u does not offer STARTTLS; cachet never "
				"submits mail or a password without TLS (use smtps:// if "
				"the server has an implicit-TLS port)", srv->host, srv->port);
			goto fail;
		}
		r = mailesmtp_starttls(s->smtp);
		if (r != MAILSMTP_NO_ERROR) {
			/* Debian's libetpan refuses by itself when bytes follow the 220. */
			if (stream_of(s) && stream_of(s)->read_buffer_len > 0)
				tls_starttls(stream_of(s), &s->tls, e);
			else if (r == MAILSMTP_ERROR_STREAM)
				stream_error(s, e, "starting TLS");
			else
				err_set(e, ERR_TLS, "%s:%u refused STARTTLS: %d %s",
					srv->host, srv->port, s->smtp->response_code,
					last_response(s));
			goto fail;
		}
		if (tls_starttls(stream_of(s), &s->tls, e) < 0)
			goto fail;
		/* Whatever the server said before TLS is forgotten: ask again. */
		s->smtp->esmtp = 0;
		s->smtp->auth = MAILSMTP_AUTH_NOT_CHECKED;
		if (ehlo(s, e) < 0)
			goto fail;
	}
	if (!tls_is_secure(stream_of(s))) {
		err_set(e, ERR_TLS, "%s:%u: the session is not protected by TLS",
			srv->host, srv->port);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	smtp_close(&s);
	return -1;
}

static char *
base64(const void *data, size_t len)
{
	gnutls_datum_t in = { (unsigned char *)data, (unsigned)len }, b64;
	char *out;

	if (gnutls_base64_encode2(&in, &b64) < 0)
		abort();
	out = xstrndup((const char *)b64.data, b64.size);
	explicit_bzero(b64.data, b64.size);
	gnutls_free(b64.data);
	return out;
}

static void
secret_free(char **p)
{
	if (*p) {
		explicit_bzero(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

static int
auth_reply(struct smtp_session *s, int code, struct err *e)
{
	if (code == 235)
		return 0;
	return err_set(e, code / 100 == 4 ? ERR_NETWORK : ERR_AUTH,
		       "%s:%u refused the login: %d %s", s->tls.host, s->tls.port,
		       code, s->reply.data ? s->reply.data : "");
}

int
smtp_auth(struct smtp_session *s, const char *user, const char *password,
	  struct err *e)
{
	char *cmd = NULL, *b64 = NULL, *plain = NULL;
	size_t ulen = strlen(user), plen = strlen(password);
	int code, rc = -1;

	if (!tls_is_secure(stream_of(s)))
		return err_set(e, ERR_TLS, "%s:%u: refusing to send a password "
			       "outside TLS", s->tls.host, s->tls.port);
	if (s->smtp->auth & MAILSMTP_AUTH_PLAIN) {
		plain = xmalloc(ulen + plen + 2);
		plain[0] = '\0';
		memcpy(plain + 1, user, ulen);
		plain[ulen + 1] = '\0';
		memcpy(plain + ulen + 2, password, plen);
		b64 = base64(plain, ulen + plen + 2);
		explicit_bzero(plain, ulen + plen + 2);
		cmd = xasprintf("AUTH PLAIN %s", b64);
		if (send_line(s, cmd, true, e, "logging in") < 0 ||
		    read_reply(s, &code, e, "logging in") < 0)
			goto out;
		rc = auth_reply(s, code, e);
	} else if (s->smtp->auth & MAILSMTP_AUTH_LOGIN) {
		if (send_line(s, "AUTH LOGIN", false, e, "logging in") < 0 ||
		    read_reply(s, &code, e, "logging in") < 0)
			goto out;
		if (code != 334) {
			rc = auth_reply(s, code, e);
			goto out;
		}
		b64 = base64(user, ulen);
		if (send_line(s, b64, true, e, "logging in") < 0 ||
		    read_reply(s, &code, e, "logging in") < 0)
			goto out;
		if (code != 334) {
			rc = auth_reply(s, code, e);
			goto out;
		}
		secret_free(&b64);
		b64 = base64(password, plen);
		if (send_line(s, b64, true, e, "logging in") < 0 ||
		    read_reply(s, &code, e, "logging in") < 0)
			goto out;
		rc = auth_reply(s, code, e);
	} else {
		err_set(e, ERR_AUTH, "%s:%u offers neither AUTH PLAIN nor AUTH LOGIN "
			"inside TLS", s->tls.host, s->tls.port);
	}
out:
	secret_free(&cmd);
	secret_free(&b64);
	free(plain);
	return rc;
}

static void
add_refusal(struct smtp_result *r, const char *rcpt, int code, const char *text)
{
	struct smtp_refusal *f;

	r->refused = xrealloc(r->refused, (r->n_refused + 1) * sizeof *r->refused);
	f = &r->refused[r->n_refused++];
	f->rcpt = xstrdup(rcpt);
	f->code = code;
	f->reply = xstrdup(text);
}

void
smtp_result_release(struct smtp_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_refused; i++) {
		free(r->refused[i].rcpt);
		free(r->refused[i].reply);
	}
	free(r->refused);
	memset(r, 0, sizeof *r);
}

static int
write_flushed(struct smtp_session *s, const char *p, size_t n)
{
	if (mailstream_write(stream_of(s), p, n) < 0 ||
	    mailstream_flush(stream_of(s)) < 0)
		return -1;
	return 0;
}

/* An address must not be able to smuggle a command into the envelope. */
static bool
envelope_ok(const char *addr)
{
	return strpbrk(addr, "\r\n<> ") == NULL && strlen(addr) < 400;
}

int
smtp_send(struct smtp_session *s, const char *from, const char *const *rcpts,
	  size_t n_rcpts, const char *msg, size_t len, struct smtp_result *result,
	  struct err *e)
{
	struct smtp_result local = { 0 };
	struct smtp_result *res = result ? result : &local;
	struct buf data = BUF_INIT, names = BUF_INIT;
	bool all_temporary = true;
	int r, code, rc = -1;
	size_t i, half;

	memset(res, 0, sizeof *res);
	if (n_rcpts == 0)
		return err_set(e, ERR_USAGE, "no recipients");
	if (!envelope_ok(from))
		return err_set(e, ERR_INPUT, "bad sender address '%s'", from);
	for (i = 0; i < n_rcpts; i++)
		if (!envelope_ok(rcpts[i]))
			return err_set(e, ERR_INPUT, "bad recipient address '%s'", rcpts[i]);
	if (!tls_is_secure(stream_of(s)))
		return err_set(e, ERR_TLS, "%s:%u: refusing to send mail outside TLS",
			       s->tls.host, s->tls.port);

	r = mailesmtp_mail_size(s->smtp, from, 0, NULL, len);
	if (r != MAILSMTP_NO_ERROR) {
		/* A session the server dropped while idle fails here. */
		res->temporary = r == MAILSMTP_ERROR_STREAM ||
				 s->smtp->response_code / 100 == 4;
		libetpan_error(s, r, e, "the sender");
		goto out;
	}
	for (i = 0; i < n_rcpts; i++) {
		r = mailesmtp_rcpt(s->smtp, rcpts[i], 0, NULL);
		if (r == MAILSMTP_ERROR_STREAM) {
			stream_error(s, e, "naming the recipients");
			res->temporary = true;
			goto out;
		}
		if (r != MAILSMTP_NO_ERROR) {
			add_refusal(res, rcpts[i], s->smtp->response_code, last_response(s));
			if (s->smtp->response_code / 100 != 4)
				all_temporary = false;
		}
	}
	if (res->n_refused) {
		res->temporary = all_temporary;
		for (i = 0; i < res->n_refused; i++)
			buf_addf(&names, "%s%s (%d %s)", i ? "; " : "",
				 res->refused[i].rcpt, res->refused[i].code,
				 res->refused[i].reply);
		err_set(e, ERR_PROTOCOL, "%s:%u refused %zu of %zu recipient%s, so "
			"nothing was sent: %s", s->tls.host, s->tls.port,
			res->n_refused, n_rcpts, n_rcpts == 1 ? "" : "s", names.data);
		mailsmtp_reset(s->smtp);
		goto out;
	}
	r = mailsmtp_data(s->smtp);
	if (r != MAILSMTP_NO_ERROR) {
		res->temporary = r == MAILSMTP_ERROR_STREAM ||
				 s->smtp->response_code / 100 == 4;
		libetpan_error(s, r, e, "DATA");
		goto out;
	}
	smtp_dot_stuff(msg, len, &data);
	/* Half, then the rest with the final dot: a test can stop cachet
	 * in the middle of the transfer (test_pause_at). */
	half = data.len / 2;
	r = write_flushed(s, data.data, half);
	if (r == 0) {
		test_pause_at("during-data");
		r = write_flushed(s, data.data + half, data.len - half);
	}
	if (r < 0) {
		res->temporary = true;
		stream_error(s, e, "sending the message");
		goto out;
	}
	test_pause_at("after-dot");
	/*
	 * Once the final dot is out the server may have taken the message:
	 * its answer is awaited even when cachet is interrupted, so that the
	 * message is then known to be sent (or kept), never both.
	 */
	tls_set_interruptible(stream_of(s), false);
	r = read_reply(s, &code, e, "sending the message");
	tls_set_interruptible(stream_of(s), true);
	if (r < 0) {
		struct buf why = BUF_INIT;

		/* Whoever retries should know it may arrive twice. */
		res->temporary = true;
		res->maybe_sent = true;
		buf_addf(&why, "%s; the whole message had gone out, so the server may "
			 "have accepted it before the answer was lost", e ? e->msg : "");
		err_set(e, e ? e->code : ERR_NETWORK, "%s", why.data);
		buf_release(&why);
		goto out;
	}
	if (code != 250) {
		res->temporary = code / 100 == 4;
		err_set(e, ERR_PROTOCOL, "%s:%u refused the message: %d %s",
			s->tls.host, s->tls.port, code, s->reply.data);
		goto out;
	}
	rc = 0;
out:
	buf_release(&data);
	buf_release(&names);
	if (result == NULL)
		smtp_result_release(&local);
	return rc;
}

const char *
smtp_last_reply(struct smtp_session *s)
{
	return s->reply.data ? s->reply.data : "";
}

const char *
smtp_tls_version(struct smtp_session *s)
{
	return tls_version_name(stream_of(s));
}

void
smtp_close(struct smtp_session **sp)
{
	struct smtp_session *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	if (s->smtp) {
		/* QUIT only on a TLS session; otherwise just drop the line. */
		if (s->smtp->stream && !tls_is_secure(s->smtp->stream)) {
			mailstream_close(s->smtp->stream);
			s->smtp->stream = NULL;
		}
		mailsmtp_free(s->smtp);
	}
	if (s->line)
		mmap_string_free(s->line);
	buf_release(&s->reply);
	free(s);
	*sp = NULL;
}

int
smtp_open_account(const struct account *a, struct smtp_session **out,
		  struct err *e)
{
	struct smtp_server srv = { 0 };
	struct smtp_session *s = NULL;
	struct cred_key k;
	char *pw = NULL;

	*out = NULL;
	if (a->smtp.host == NULL)
		return err_set(e, ERR_CONFIG, "account %s has no smtp server", a->name);
	srv.host = a->smtp.host;
	srv.port = a->smtp.port;
	srv.security = a->smtp.security;
	srv.ca_file = a->tls_ca_file;
	srv.timeout = a->timeout;
	if (smtp_open(&srv, &s, e) < 0)
		return -1;
	cred_key_for(a, &a->smtp, &k);
	if (cred_password(a->password_command, &k, &pw, e) < 0 ||
	    smtp_auth(s, k.user, pw, e) < 0) {
		cred_password_free(&pw);
		smtp_close(&s);
		return -1;
	}
	cred_password_free(&pw);
	*out = s;
	return 0;
}
