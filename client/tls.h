/*
 * tls.h — the connections cachet makes to mail servers: TCP plus TLS over
 * GnuTLS, wrapped as a libetpan mailstream (our own mailstream_low driver),
 * so that mailimap and mailsmtp run over a TLS layer whose every decision
 * is ours:
 *
 *   - TLS 1.2 minimum; SNI; the server certificate is verified against the
 *     system trust store plus the account's tls_ca_file, and its host name
 *     is checked.  A failure names the certificate's subject, issuer,
 *     SHA-256 fingerprint, validity and names, and the reason.
 *   - Implicit TLS (tls_connect with TLS_IMPLICIT) handshakes before a byte
 *     of the protocol is read.
 *   - STARTTLS: tls_connect with TLS_STARTTLS gives a stream that is plain
 *     text only until the protocol module calls tls_starttls right after
 *     the server's go-ahead.  tls_starttls aborts when the server sent any
 *     byte after its go-ahead (in libetpan's read buffer or still on the
 *     socket), so nothing injected in plain text survives into the TLS
 *     session.  There is no way to skip the upgrade and continue.
 *   - Each read waits at most the timeout in all; a read or write that
 *     times out, fails or is interrupted leaves the stream broken: every
 *     later read and write on it fails at once (a LOGOUT or QUIT after a
 *     timeout does not wait a second time).
 *   - Before TLS a line longer than 64 KiB breaks the stream (someone on
 *     the path filling memory); inside TLS only when the protocol module
 *     sets a limit (tls_set_line_limit).
 *   - Interruption: after tls_interrupt() (for a SIGINT/SIGTERM handler)
 *     every wait on an interruptible stream ends with the error
 *     "interrupted", and tls_connect fails; a protocol module marks a
 *     stream uninterruptible while an answer must be read to know what
 *     happened (the reply to the end of an SMTP DATA).
 *
 * Errors: ERR_NETWORK (resolve, connect, I/O, timeout, interrupted),
 * ERR_TLS (handshake, verification, injected bytes), ERR_CONFIG
 * (tls_ca_file unreadable).
 *
 * Thread-safety: one stream per thread; the interruption flag is the only
 * state shared between streams besides GnuTLS's own (initialised by the
 * library constructor).
 */
#ifndef CACHET_TLS_H
#define CACHET_TLS_H

#include <stdbool.h>

#include <libetpan/libetpan.h>

#include "base/base.h"

enum tls_mode {
	TLS_IMPLICIT,	/* handshake right after connect */
	TLS_STARTTLS,	/* plain text until tls_starttls() */
};

struct tls_options {
	const char *host;	/* foreign; name to connect to, SNI, name check */
	unsigned port;
	const char *ca_file;	/* foreign; extra trust anchors (PEM), or NULL */
	unsigned timeout;	/* seconds for connect and each read/write; 0 = 60 */
};

/*
 * Connects to o->host:o->port.  With TLS_IMPLICIT the handshake and the
 * verification are done before returning.  *out is owned by the caller,
 * who hands it to mailimap/mailsmtp or closes it with mailstream_close().
 * Returns 0, or -1 with ERR_NETWORK, ERR_TLS or ERR_CONFIG.
 */
int tls_connect(const struct tls_options *o, enum tls_mode mode,
		mailstream **out, struct err *e);

/*
 * Upgrades a TLS_STARTTLS stream once the server has said "go ahead".
 * Fails with ERR_TLS if any byte arrived after the go-ahead, if the
 * handshake fails or if the certificate does not verify.  On failure the
 * stream must be closed, not used.
 */
int tls_starttls(mailstream *s, const struct tls_options *o, struct err *e);

/* True when s is one of ours and its TLS session is established. */
bool tls_is_secure(mailstream *s);

/*
 * The last transport error on s ("connection timed out", "TLS record
 * error: ..."), or NULL; for the protocol modules' messages.
 */
const char *tls_last_error(mailstream *s);

/*
 * True once a read on s met the end of the stream: the server closed the
 * connection (so a short or unparsable answer is a cut one).
 */
bool tls_peer_closed(mailstream *s);

/*
 * Inside TLS, a line (bytes between newlines, literals included) longer
 * than max breaks the stream with "the server sent a line longer than
 * max bytes"; 0, the default, means no limit.
 */
void tls_set_line_limit(mailstream *s, size_t max);

/* Async-signal-safe: asks every interruptible stream to give up. */
void tls_interrupt(void);
/* True after tls_interrupt(). */
bool tls_interrupted(void);
/* Streams start interruptible; off, tls_interrupt() does not end waits on s. */
void tls_set_interruptible(mailstream *s, bool on);

/* "TLS1.3" etc. for s, or "none". */
const char *tls_version_name(mailstream *s);

#endif
