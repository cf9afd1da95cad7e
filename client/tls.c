/* tls.c — TCP and TLS (GnuTLS) as a libetpan mailstream driver of our own. */
#include "client/tls.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/* TLS 1.2 is the floor; the rest is GnuTLS's (and the system's) default. */
#define TLS_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
#define TLS_DEFAULT_TIMEOUT 60
/*
 * Before TLS a server says a few short lines (greeting, capabilities, the
 * go-ahead); a longer line is someone on the path filling our memory.
 */
#define TLS_PLAIN_LINE_MAX 65536

struct tls_conn {
	int fd;				/* owned */
	gnutls_session_t session;	/* owned; NULL while plain text */
	gnutls_certificate_credentials_t cred; /* owned; NULL while plain text */
	bool secure;			/* handshake done and verified */
	bool broken;			/* timed out, interrupted or failed: unusable */
	bool peer_closed;		/* a read met the end of the stream */
	bool interruptible;		/* tls_interrupt() ends waits */
	size_t line_limit;		/* inside TLS; 0: none (tls_set_line_limit) */
	size_t line_len;		/* bytes read since the last newline */
	unsigned timeout;		/* seconds */
	const char *verify_host;	/* foreign; during the handshake */
	bool system_trust;		/* the system store is in cred */
	bool peer_verified;		/* verify_peer() accepted the chain */
	unsigned verify_status;		/* its last verdict (gnutls status bits) */
	char last_error[256];
};

/* Set from a signal handler: the only state shared between streams. */
static volatile sig_atomic_t interrupt_requested;

void
tls_interrupt(void)
{
	interrupt_requested = 1;
}

bool
tls_interrupted(void)
{
	return interrupt_requested != 0;
}

static ssize_t drv_read(mailstream_low *low, void *buf, size_t count);
static ssize_t drv_write(mailstream_low *low, const void *buf, size_t count);
static int drv_close(mailstream_low *low);
static int drv_get_fd(mailstream_low *low);
static void drv_free(mailstream_low *low);
static void drv_cancel(mailstream_low *low);
static struct mailstream_cancel *drv_get_cancel(mailstream_low *low);
static carray *drv_get_certificate_chain(mailstream_low *low);
static int drv_idle_unsupported(mailstream_low *low);

static mailstream_low_driver tls_driver = {
	.mailstream_read = drv_read,
	.mailstream_write = drv_write,
	.mailstream_close = drv_close,
	.mailstream_get_fd = drv_get_fd,
	.mailstream_free = drv_free,
	.mailstream_cancel = drv_cancel,
	.mailstream_get_cancel = drv_get_cancel,
	.mailstream_get_certificate_chain = drv_get_certificate_chain,
	.mailstream_setup_idle = drv_idle_unsupported,
	.mailstream_unsetup_idle = drv_idle_unsupported,
	.mailstream_interrupt_idle = drv_idle_unsupported,
};

static struct tls_conn *
conn_of(mailstream *s)
{
	mailstream_low *low;

	if (s == NULL || (low = mailstream_get_low(s)) == NULL)
		return NULL;
	if (low->driver != &tls_driver)
		return NULL;
	return low->data;
}

static void
conn_error(struct tls_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
conn_error(struct tls_conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->last_error, sizeof c->last_error, fmt, ap);
	va_end(ap);
}

/* --- the driver ------------------------------------------------------- */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Marks the stream unusable: what follows on it fails at once. */
static ssize_t
conn_broken(struct tls_conn *c, const char *why)
{
	conn_error(c, "%s", why);
	c->broken = true;
	return -1;
}

static bool
interrupt_pending(const struct tls_conn *c)
{
	return c->interruptible && interrupt_requested;
}

/*
 * Waits until fd has bytes to read or until deadline (ms, now_ms() clock).
 * Returns 1 when readable, 0 on timeout, -1 when interrupted.
 */
static int
wait_readable(struct tls_conn *c, long long deadline)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	long long left;
	int rc;

	if (c->session && gnutls_record_check_pending(c->session) > 0)
		return 1;
	for (;;) {
		if (interrupt_pending(c))
			return -1;
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		rc = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (rc > 0)
			return 1;
		if (rc == 0)
			return 0;
		if (errno != EINTR)
			return 1;	/* let the read report the error */
	}
}

/*
 * Counts the bytes of the line being read; a line longer than the limit
 * breaks the stream (libetpan would buffer it whole, however long).
 */
static ssize_t
check_line(struct tls_conn *c, const char *buf, ssize_t n)
{
	size_t limit = c->session == NULL ? TLS_PLAIN_LINE_MAX : c->line_limit;
	const char *nl;

	if (n <= 0)
		return n;
	nl = memrchr(buf, '\n', (size_t)n);
	c->line_len = nl ? (size_t)(buf + n - nl - 1) : c->line_len + (size_t)n;
	if (limit && c->line_len > limit) {
		conn_error(c, "the server sent a line longer than %zu bytes", limit);
		c->broken = true;
		return -1;
	}
	return n;
}

/*
 * One read waits at most the connection's timeout in all (a socket that
 * trickles TLS records without application data included); a timeout or
 * an interruption leaves the stream broken, so a LOGOUT or QUIT after it
 * fails at once instead of waiting once more.
 */
static ssize_t
drv_read(mailstream_low *low, void *buf, size_t count)
{
	struct tls_conn *c = low->data;
	long long deadline = now_ms() + (long long)c->timeout * 1000;
	ssize_t n;
	int w;

	if (c->fd < 0 || c->broken)
		return -1;
	if (c->session != NULL && !c->secure)
		return -1;
	for (;;) {
		w = wait_readable(c, deadline);
		if (w == 0)
			return conn_broken(c, "connection timed out");
		if (w < 0)
			return conn_broken(c, "interrupted");
		if (c->session == NULL) {
			n = recv(c->fd, buf, count, MSG_DONTWAIT);
			if (n < 0 && (errno == EINTR || errno == EAGAIN ||
				      errno == EWOULDBLOCK))
				continue;
			if (n < 0) {
				conn_error(c, "read failed: %s", strerror(errno));
				c->broken = true;
			}
			break;
		}
		/*
		 * GnuTLS returns AGAIN after post-handshake messages (TLS 1.3
		 * session tickets) too: wait again, within the same deadline.
		 */
		n = gnutls_record_recv(c->session, buf, count);
		if (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_AGAIN)
			continue;
		if (n == GNUTLS_E_PREMATURE_TERMINATION)
			n = 0;
		else if (n < 0) {
			conn_error(c, "TLS read failed: %s", gnutls_strerror((int)n));
			c->broken = true;
			return -1;
		}
		break;
	}
	if (n == 0)
		c->peer_closed = true;
	return check_line(c, buf, n);
}

static ssize_t
drv_write(mailstream_low *low, const void *buf, size_t count)
{
	struct tls_conn *c = low->data;
	ssize_t n;

	if (c->fd < 0 || c->broken)
		return -1;
	if (c->session == NULL) {
		/* SO_SNDTIMEO (tcp_connect) bounds a blocked send. */
		for (;;) {
			if (interrupt_pending(c))
				return conn_broken(c, "interrupted");
			n = send(c->fd, buf, count, MSG_NOSIGNAL);
			if (n >= 0 || errno != EINTR)
				break;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return conn_broken(c, "connection timed out");
		if (n < 0) {
			conn_error(c, "write failed: %s", strerror(errno));
			c->broken = true;
		}
		return n;
	}
	if (!c->secure)
		return -1;
	for (;;) {
		if (interrupt_pending(c))
			return conn_broken(c, "interrupted");
		n = gnutls_record_send(c->session, buf, count);
		if (n != GNUTLS_E_INTERRUPTED)
			break;
	}
	if (n == GNUTLS_E_AGAIN)
		return conn_broken(c, "connection timed out");
	if (n < 0) {
		conn_error(c, "TLS write failed: %s", gnutls_strerror((int)n));
		c->broken = true;
		return -1;
	}
	return n;
}

static int
drv_close(mailstream_low *low)
{
	struct tls_conn *c = low->data;

	if (c->session && c->secure && !c->broken)
		gnutls_bye(c->session, GNUTLS_SHUT_WR);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	return 0;
}

static int
drv_get_fd(mailstream_low *low)
{
	struct tls_conn *c = low->data;

	return c->fd;
}

static void
drv_free(mailstream_low *low)
{
	struct tls_conn *c = low->data;

	if (c) {
		if (c->fd >= 0)
			close(c->fd);
		if (c->session)
			gnutls_deinit(c->session);
		if (c->cred)
			gnutls_certificate_free_credentials(c->cred);
		free(c);
	}
	free(low);
}

/* Cancelling wakes up a blocked read or write; the stream is then dead. */
static void
drv_cancel(mailstream_low *low)
{
	struct tls_conn *c = low->data;

	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
}

static struct mailstream_cancel *
drv_get_cancel(mailstream_low *low)
{
	return NULL;
}

static carray *
drv_get_certificate_chain(mailstream_low *low)
{
	struct tls_conn *c = low->data;
	const gnutls_datum_t *certs;
	unsigned i, n = 0;
	carray *chain;

	if (c->session == NULL || !c->secure)
		return NULL;
	certs = gnutls_certificate_get_peers(c->session, &n);
	if (certs == NULL)
		return NULL;
	chain = carray_new(n ? n : 1);
	if (chain == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		MMAPString *der = mmap_string_sized_new(certs[i].size);

		if (der == NULL)
			break;
		mmap_string_append_len(der, (const char *)certs[i].data, certs[i].size);
		carray_add(chain, der, NULL);
	}
	return chain;
}

/* libetpan falls back to select() on the descriptor when these fail. */
static int
drv_idle_unsupported(mailstream_low *low)
{
	return -1;
}

/* --- certificate description ----------------------------------------- */

static void
add_time(struct buf *b, time_t t)
{
	struct tm tm;
	char s[32];

	if (t == (time_t)-1 || gmtime_r(&t, &tm) == NULL) {
		buf_adds(b, "?");
		return;
	}
	strftime(s, sizeof s, "%Y-%m-%d %H:%M UTC", &tm);
	buf_adds(b, s);
}

/* The names a certificate is valid for: DNS and IP subjectAltNames. */
static void
add_names(struct buf *b, gnutls_x509_crt_t crt)
{
	unsigned i;
	int n = 0;

	for (i = 0;; i++) {
		char name[512];
		size_t len = sizeof name - 1;
		int type = gnutls_x509_crt_get_subject_alt_name(crt, i, name, &len, NULL);

		if (type < 0)
			break;
		if (type == GNUTLS_SAN_DNSNAME) {
			name[len] = '\0';
			buf_addf(b, "%s%s", n++ ? ", " : "", name);
		} else if (type == GNUTLS_SAN_IPADDRESS && (len == 4 || len == 16)) {
			char ip[INET6_ADDRSTRLEN];

			if (inet_ntop(len == 4 ? AF_INET : AF_INET6, name, ip, sizeof ip))
				buf_addf(b, "%s%s", n++ ? ", " : "", ip);
		}
	}
	if (n == 0)
		buf_adds(b, "(none)");
}

/*
 * Appends subject, issuer, SHA-256 fingerprint, validity and names of the
 * server's own certificate, so a person can compare it with what their
 * administrator published.
 */
static void
describe_peer(struct buf *b, gnutls_session_t session)
{
	const gnutls_datum_t *certs;
	unsigned n = 0;
	gnutls_x509_crt_t crt;
	gnutls_datum_t dn;
	unsigned char fp[32];
	size_t fplen = sizeof fp, i;

	certs = gnutls_certificate_get_peers(session, &n);
	if (certs == NULL || n == 0) {
		buf_adds(b, "\n  (the server sent no certificate)");
		return;
	}
	if (gnutls_x509_crt_init(&crt) < 0)
		return;
	if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) < 0) {
		buf_adds(b, "\n  (the server's certificate cannot be parsed)");
		goto out;
	}
	if (gnutls_x509_crt_get_dn3(crt, &dn, 0) == 0) {
		buf_addf(b, "\n  subject: %.*s", (int)dn.size, (const char *)dn.data);
		gnutls_free(dn.data);
	}
	if (gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) == 0) {
		buf_addf(b, "\n  issuer:  %.*s", (int)dn.size, (const char *)dn.data);
		gnutls_free(dn.data);
	}
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &fplen) == 0) {
		buf_adds(b, "\n  SHA-256: ");
		for (i = 0; i < fplen; i++)
			buf_addf(b, "%s%02X", i ? ":" : "", fp[i]);
	}
	buf_adds(b, "\n  valid:   ");
	add_time(b, gnutls_x509_crt_get_activation_time(crt));
	buf_adds(b, " to ");
	add_time(b, gnutls_x509_crt_get_expiration_time(crt));
	buf_adds(b, "\n  names:   ");
	add_names(b, crt);
out:
	gnutls_x509_crt_deinit(crt);
}

/* Why verification failed, in words; several reasons can apply at once. */
static void
add_reasons(struct buf *b, unsigned status, const char *host)
{
	static const struct {
		unsigned flag;
		const char *text;
	} reasons[] = {
		{ GNUTLS_CERT_SIGNER_NOT_FOUND, "it is issued by an unknown certificate "
		  "authority (not in the system trust store nor in tls_ca_file)" },
		{ GNUTLS_CERT_EXPIRED, "it has expired" },
		{ GNUTLS_CERT_NOT_ACTIVATED, "it is not valid yet" },
		{ GNUTLS_CERT_REVOKED, "it has been revoked" },
		{ GNUTLS_CERT_SIGNATURE_FAILURE, "its signature does not verify" },
		{ GNUTLS_CERT_INSECURE_ALGORITHM, "it is signed with an insecure algorithm" },
		{ GNUTLS_CERT_SIGNER_NOT_CA, "its issuer is not a certificate authority" },
		{ GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, "its issuer's constraints forbid it" },
		{ GNUTLS_CERT_PURPOSE_MISMATCH, "it is not meant for TLS servers" },
		{ GNUTLS_CERT_MISMATCH, "it differs from the expected certificate" },
	};
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (status & reasons[i].flag)
			buf_addf(b, "%s%s", n++ ? "; " : "", reasons[i].text);
	if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
		buf_addf(b, "%sit is not issued for the host name '%s'",
			 n++ ? "; " : "", host);
	if (n == 0) {
		gnutls_datum_t out;

		if (gnutls_certificate_verification_status_print(status,
				GNUTLS_CRT_X509, &out, 0) == 0) {
			buf_addf(b, "%.*s", (int)out.size, (const char *)out.data);
			gnutls_free(out.data);
		} else {
			buf_addf(b, "verification status 0x%x", status);
		}
	}
}

/* --- handshake -------------------------------------------------------- */

static bool
is_ip_literal(const char *host)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

static bool
version_error(int rc)
{
	return rc == GNUTLS_E_UNSUPPORTED_VERSION_PACKET ||
	       rc == GNUTLS_E_NO_PRIORITIES_WERE_SET ||
	       rc == GNUTLS_E_INSUFFICIENT_SECURITY;
}

/*
 * Checks the server's chain and host name as gnutls_session_set_verify_cert()
 * would, with one difference: with a tls_ca_file, the system trust store
 * (some 150 certificates, 15-25 ms to parse) is read only when that file
 * alone does not lead to the issuer, and the chain is then checked against
 * both.  A private server's certificate is thus verified without it.
 */
static int
verify_peer(gnutls_session_t session)
{
	struct tls_conn *c = gnutls_session_get_ptr(session);
	gnutls_typed_vdata_st name = {
		.type = GNUTLS_DT_DNS_HOSTNAME,
		.data = (unsigned char *)c->verify_host,
	};
	unsigned status = GNUTLS_CERT_INVALID;
	int rc;

	c->peer_verified = false;
	rc = gnutls_certificate_verify_peers(session, &name, 1, &status);
	if (rc == 0 && (status & GNUTLS_CERT_SIGNER_NOT_FOUND) && !c->system_trust) {
		c->system_trust = true;
		if (gnutls_certificate_set_x509_system_trust(c->cred) > 0)
			rc = gnutls_certificate_verify_peers(session, &name, 1, &status);
	}
	if (rc < 0) {
		c->verify_status = GNUTLS_CERT_INVALID;
		return rc;
	}
	c->verify_status = status;
	if (status != 0)
		return GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR;
	c->peer_verified = true;
	return 0;
}

static int
handshake(struct tls_conn *c, const struct tls_options *o, struct err *e)
{
	struct buf msg = BUF_INIT;
	unsigned status;
	int rc;

	if (gnutls_certificate_allocate_credentials(&c->cred) < 0)
		return err_set(e, ERR_TLS, "cannot set up TLS credentials");
	/* Without a tls_ca_file the system store is all there is. */
	if (o->ca_file == NULL) {
		rc = gnutls_certificate_set_x509_system_trust(c->cred);
		if (rc < 0)
			return err_set(e, ERR_TLS, "cannot load the system trust store: %s",
				       gnutls_strerror(rc));
		c->system_trust = true;
	} else {
		rc = gnutls_certificate_set_x509_trust_file(c->cred, o->ca_file,
							    GNUTLS_X509_FMT_PEM);
		if (rc <= 0)
			return err_set(e, ERR_CONFIG, "tls_ca_file %s: %s", o->ca_file,
				       rc == 0 ? "no certificate found in it" :
				       gnutls_strerror(rc));
	}
	/* A peer gone mid-write is an error to report, not SIGPIPE. */
	if (gnutls_init(&c->session, GNUTLS_CLIENT | GNUTLS_NO_SIGNAL) < 0)
		return err_set(e, ERR_TLS, "cannot start a TLS session");
	rc = gnutls_priority_set_direct(c->session, TLS_PRIORITY, NULL);
	if (rc < 0)
		return err_set(e, ERR_TLS, "TLS priorities: %s", gnutls_strerror(rc));
	gnutls_credentials_set(c->session, GNUTLS_CRD_CERTIFICATE, c->cred);
	if (!is_ip_literal(o->host))
		gnutls_server_name_set(c->session, GNUTLS_NAME_DNS, o->host,
				       strlen(o->host));
	/* Chain and host name are checked inside the handshake, which aborts. */
	c->verify_host = o->host;
	gnutls_session_set_ptr(c->session, c);
	gnutls_session_set_verify_function(c->session, verify_peer);
	gnutls_transport_set_int(c->session, c->fd);
	gnutls_handshake_set_timeout(c->session,
		(o->timeout ? o->timeout : TLS_DEFAULT_TIMEOUT) * 1000);

	do
		rc = gnutls_handshake(c->session);
	while (rc < 0 && !gnutls_error_is_fatal(rc) && !interrupt_pending(c));

	if (rc < 0 && interrupt_pending(c))
		return err_set(e, ERR_NETWORK, "TLS handshake with %s:%u: interrupted",
			       o->host, o->port);
	if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
		status = c->verify_status;
		buf_addf(&msg, "the TLS certificate of %s:%u is not trusted: ",
			 o->host, o->port);
		add_reasons(&msg, status, o->host);
		describe_peer(&msg, c->session);
		if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
			buf_adds(&msg, "\nIf this server uses a private certificate "
				 "authority, name its certificate in the account's "
				 "tls_ca_file.");
		err_set(e, ERR_TLS, "%s", msg.data);
		buf_release(&msg);
		return -1;
	}
	if (rc < 0) {
		if (version_error(rc) || rc == GNUTLS_E_FATAL_ALERT_RECEIVED)
			return err_set(e, ERR_TLS, "TLS handshake with %s:%u failed "
				       "(%.*s%s%s); cachet requires TLS 1.2 or newer "
				       "with current ciphers", o->host, o->port,
				       (int)strcspn(gnutls_strerror(rc), "."),
				       gnutls_strerror(rc),
				       rc == GNUTLS_E_FATAL_ALERT_RECEIVED ? ": " : "",
				       rc == GNUTLS_E_FATAL_ALERT_RECEIVED ?
				       gnutls_alert_get_name(gnutls_alert_get(c->session)) : "");
		if (rc == GNUTLS_E_PREMATURE_TERMINATION || rc == GNUTLS_E_PULL_ERROR ||
		    rc == GNUTLS_E_PUSH_ERROR)
			return err_set(e, ERR_TLS, "TLS handshake with %s:%u failed: the "
				       "server closed the connection (%s); is this a "
				       "TLS port?", o->host, o->port, gnutls_strerror(rc));
		if (rc == GNUTLS_E_TIMEDOUT || rc == GNUTLS_E_AGAIN)
			return err_set(e, ERR_TLS, "TLS handshake with %s:%u timed out",
				       o->host, o->port);
		return err_set(e, ERR_TLS, "TLS handshake with %s:%u failed: %s",
			       o->host, o->port, gnutls_strerror(rc));
	}
	/* Belt and braces: the handshake passed, the verdict must agree. */
	if (!c->peer_verified || c->verify_status != 0 ||
	    gnutls_protocol_get_version(c->session) < GNUTLS_TLS1_2)
		return err_set(e, ERR_TLS, "TLS session with %s:%u does not meet "
			       "cachet's requirements", o->host, o->port);
	c->secure = true;
	c->line_len = 0;
	return 0;
}

/* --- connecting ------------------------------------------------------- */

static int
tcp_connect(const struct tls_options *o, int *fdp, struct err *e)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	struct timeval tv = { (time_t)(o->timeout ? o->timeout : TLS_DEFAULT_TIMEOUT), 0 };
	char port[16];
	int fd = -1, rc, saved = 0, one = 1;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof port, "%u", o->port);
	rc = getaddrinfo(o->host, port, &hints, &res);
	if (rc != 0)
		return err_set(e, ERR_NETWORK, "cannot resolve %s: %s", o->host,
			       gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		/* On Linux the send timeout also bounds connect(). */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		/* Each command, and each half of a message, is written whole:
		 * holding a short write back for an ACK (Nagle against the
		 * peer's delayed ACK) would cost some 40 ms a message. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return err_set(e, ERR_NETWORK, "cannot connect to %s:%u: %s", o->host,
			       o->port, saved == EINPROGRESS || saved == EAGAIN ?
			       "timed out" : strerror(saved));
	*fdp = fd;
	return 0;
}

int
tls_connect(const struct tls_options *o, enum tls_mode mode, mailstream **out,
	    struct err *e)
{
	struct tls_conn *c;
	mailstream_low *low;
	mailstream *s;

	*out = NULL;
	c = xcalloc(1, sizeof *c);
	c->fd = -1;
	c->timeout = o->timeout ? o->timeout : TLS_DEFAULT_TIMEOUT;
	c->interruptible = true;
	if (interrupt_requested) {
		free(c);
		return err_set(e, ERR_NETWORK, "cannot connect to %s:%u: interrupted",
			       o->host, o->port);
	}
	if (tcp_connect(o, &c->fd, e) < 0) {
		free(c);
		return -1;
	}
	if (mode == TLS_IMPLICIT && handshake(c, o, e) < 0) {
		close(c->fd);
		if (c->session)
			gnutls_deinit(c->session);
		if (c->cred)
			gnutls_certificate_free_credentials(c->cred);
		free(c);
		return -1;
	}
	low = mailstream_low_new(c, &tls_driver);
	if (low == NULL) {
		fprintf(stderr, "cachet: out of memory\n");
		abort();
	}
	s = mailstream_new(low, 8192);
	if (s == NULL) {
		fprintf(stderr, "cachet: out of memory\n");
		abort();
	}
	*out = s;
	return 0;
}

/* Bytes waiting on the socket right now, without consuming them. */
static bool
socket_has_data(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char byte;

	if (poll(&p, 1, 0) <= 0)
		return false;
	return recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

int
tls_starttls(mailstream *s, const struct tls_options *o, struct err *e)
{
	struct tls_conn *c = conn_of(s);

	if (c == NULL || c->fd < 0)
		return err_set(e, ERR_TLS, "STARTTLS on a stream that is not cachet's");
	if (c->session != NULL)
		return err_set(e, ERR_PROTOCOL, "%s:%u: STARTTLS on a TLS session",
			       o->host, o->port);
	/*
	 * Anything the server sent after its go-ahead would be read as if it
	 * came through TLS (the STARTTLS injection attack): refuse it whether
	 * libetpan already buffered it or it still waits on the socket.
	 */
	if (s->read_buffer_len > 0 || socket_has_data(c->fd))
		return err_set(e, ERR_TLS, "%s:%u sent data after agreeing to STARTTLS "
			       "and before the TLS handshake; this is how plain-text "
			       "commands are injected into a TLS session, so the "
			       "connection is aborted", o->host, o->port);
	if (handshake(c, o, e) < 0) {
		/* The stream stays closed for good: no plain-text fallback. */
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

bool
tls_is_secure(mailstream *s)
{
	struct tls_conn *c = conn_of(s);

	return c && c->session && c->secure && c->fd >= 0;
}

bool
tls_peer_closed(mailstream *s)
{
	struct tls_conn *c = conn_of(s);

	return c && c->peer_closed;
}

void
tls_set_line_limit(mailstream *s, size_t max)
{
	struct tls_conn *c = conn_of(s);

	if (c)
		c->line_limit = max;
}

void
tls_set_interruptible(mailstream *s, bool on)
{
	struct tls_conn *c = conn_of(s);

	if (c)
		c->interruptible = on;
}

const char *
tls_last_error(mailstream *s)
{
	struct tls_conn *c = conn_of(s);

	return c && c->last_error[0] ? c->last_error : NULL;
}

const char *
tls_version_name(mailstream *s)
{
	struct tls_conn *c = conn_of(s);

	if (c == NULL || !c->secure)
		return "none";
	return gnutls_protocol_get_name(gnutls_protocol_get_version(c->session));
}
