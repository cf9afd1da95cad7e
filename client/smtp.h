/*
 * smtp.h — SMTP submission (RFC 6409) over cachet's TLS stream, built on
 * libetpan's mailsmtp for the greeting, EHLO, STARTTLS, MAIL, RCPT and
 * DATA, with AUTH and the message transfer done here.
 *
 * smtp_open connects with implicit TLS, or with STARTTLS when the server
 * is configured so (submission://): the server must offer STARTTLS, every
 * pre-TLS EHLO answer is discarded and EHLO is asked again inside TLS.
 * AUTH (PLAIN, else LOGIN) is refused on anything but a verified TLS
 * session.  The message is sent as given: line ends are made CRLF, lines
 * starting with "." are dot-stuffed, nothing else changes.
 *
 * Errors: ERR_NETWORK, ERR_TLS (see tls.h), ERR_AUTH (credentials refused,
 * no usable mechanism), ERR_PROTOCOL (the server refused the sender, a
 * recipient or the message; the message names each with the server's
 * reply).  struct smtp_result says whether a failure is temporary (4xx),
 * so a caller can decide to retry later.
 *
 * Thread-safety: a session is used by one thread at a time.
 */
#ifndef CACHET_SMTP_H
#define CACHET_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"
#include "client/config.h"

struct smtp_server {
	const char *host;		/* foreign */
	unsigned port;
	enum url_security security;
	const char *ca_file;		/* foreign; may be NULL */
	unsigned timeout;		/* seconds; 0 = default */
};

struct smtp_session;

/* Connects, greets, and secures the session.  *out owned by the caller. */
int smtp_open(const struct smtp_server *srv, struct smtp_session **out,
	      struct err *e);

/*
 * Connects to the account's SMTP server and logs in with the account's
 * password (cred.h).  ERR_CONFIG when the account has no smtp.
 */
int smtp_open_account(const struct account *a, struct smtp_session **out,
		      struct err *e);

/* Authenticates with PLAIN (or LOGIN when PLAIN is not offered). */
int smtp_auth(struct smtp_session *s, const char *user, const char *password,
	      struct err *e);

/* One refused recipient. */
struct smtp_refusal {
	char *rcpt;	/* owned */
	int code;	/* the server's reply code */
	char *reply;	/* owned; the server's text */
};

struct smtp_result {
	bool temporary;			/* every refusal was 4xx: worth a retry */
	/* the whole message went out and the answer to it was lost: the
	 * server may have accepted it */
	bool maybe_sent;
	struct smtp_refusal *refused;	/* owned */
	size_t n_refused;
};

/*
 * Sends msg (len bytes, RFC 5322) from the envelope sender to the
 * recipients.  When any recipient is refused nothing is sent (the
 * transaction is reset), so a message never reaches only part of its
 * recipients; result lists the refusals.  result may be NULL.
 */
int smtp_send(struct smtp_session *s, const char *from,
	      const char *const *rcpts, size_t n_rcpts,
	      const char *msg, size_t len, struct smtp_result *result,
	      struct err *e);

void smtp_result_release(struct smtp_result *r);

/* The text of the last reply the session read (lines joined by "\n"),
 * or ""; valid until the next command. */
const char *smtp_last_reply(struct smtp_session *s);

/* "TLS1.3" etc. */
const char *smtp_tls_version(struct smtp_session *s);

/* Says QUIT when possible and frees; accepts NULL; clears the pointer. */
void smtp_close(struct smtp_session **s);

/*
 * Exposed for the unit tests.  smtp_reply_line parses one reply line
 * ("250-PIPELINING", "550 5.1.1 no such user"): 0 with *code, *last and
 * *text set, or -1 when the line is not a reply.  smtp_dot_stuff appends
 * the DATA transfer form of msg to out, including the final ".\r\n".
 */
int smtp_reply_line(const char *line, int *code, bool *last, const char **text);
void smtp_dot_stuff(const char *msg, size_t len, struct buf *out);

#endif
