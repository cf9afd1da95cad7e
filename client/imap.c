/* imap.c — an IMAP session over cachet's TLS stream. */
#include "client/imap.h"
#include "client/imap_p.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "client/cred.h"
#include "client/tls.h"

/* The longest answer (line and literals) taken from the server. */
#define RESPONSE_MAX ((size_t)16 << 20)


/*
 * Keeps the [ALERT] text of the last answer (RFC 3501 says the person must
 * see it), or only drops it when it came before TLS: anyone on the path
 * could have written that one.
 */
static void
take_alert(struct imap_session *s, bool keep)
{
	struct mailimap_response_info *ri = s->imap ? s->imap->imap_response_info : NULL;

	if (ri == NULL || ri->rsp_alert == NULL)
		return;
	if (keep && *ri->rsp_alert) {
		if (s->alerts.len)
			buf_addc(&s->alerts, '\n');
		buf_adds(&s->alerts, ri->rsp_alert);
	}
	free(ri->rsp_alert);
	ri->rsp_alert = NULL;
}

static mailstream *
stream_of(const struct imap_session *s)
{
	return s->imap ? s->imap->imap_stream : NULL;
}

static const char *
response_text(const struct imap_session *s)
{
	const char *r = s->imap ? s->imap->imap_response : NULL;

	return r && *r ? r : "(no text)";
}

/* libetpan's result code, in words a person can act on. */
int
imap_fail(struct imap_session *s, int r, struct err *e, const char *doing)
{
	const char *why;

	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		why = tls_last_error(stream_of(s));
		return err_set(e, ERR_NETWORK, "%s:%u: connection lost while %s%s%s",
			       s->tls.host, s->tls.port, doing, why ? ": " : "",
			       why ? why : " (closed by the server)");
	case MAILIMAP_ERROR_PARSE:
		/* An answer cut by the end of the stream is a lost connection. */
		if (tls_peer_closed(stream_of(s)) || tls_last_error(stream_of(s)))
			return imap_fail(s, MAILIMAP_ERROR_STREAM, e, doing);
		return err_set(e, ERR_PROTOCOL, "%s:%u: unparsable answer while %s",
			       s->tls.host, s->tls.port, doing);
	case MAILIMAP_ERROR_LOGIN:
		return err_set(e, ERR_AUTH, "%s:%u refused the login: %s",
			       s->tls.host, s->tls.port, response_text(s));
	default:
		return err_set(e, ERR_PROTOCOL, "%s:%u refused %s: %s", s->tls.host,
			       s->tls.port, doing, response_text(s));
	}
}

bool
imap_has_capability(const struct imap_session *s, const char *name)
{
	struct mailimap_capability_data *caps;
	clistiter *it;

	if (s->imap->imap_connection_info == NULL ||
	    (caps = s->imap->imap_connection_info->imap_capability) == NULL)
		return false;
	for (it = clist_begin(caps->cap_list); it; it = clist_next(it)) {
		struct mailimap_capability *c = clist_content(it);

		if (c->cap_type == MAILIMAP_CAPABILITY_NAME && c->cap_data.cap_name &&
		    str_casecmp_ascii(c->cap_data.cap_name, name) == 0)
			return true;
	}
	return false;
}

static bool
has_any_capability(const struct imap_session *s)
{
	return s->imap->imap_connection_info &&
	       s->imap->imap_connection_info->imap_capability;
}

static void
drop_capabilities(struct imap_session *s)
{
	if (has_any_capability(s)) {
		mailimap_capability_data_free(s->imap->imap_connection_info->imap_capability);
		s->imap->imap_connection_info->imap_capability = NULL;
	}
}

/* Drops what the server said it can do and asks again. */
static int
refresh_capabilities(struct imap_session *s, struct err *e)
{
	struct mailimap_capability_data *caps = NULL;
	int r;

	drop_capabilities(s);
	r = mailimap_capability(s->imap, &caps);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, e, "CAPABILITY");
	mailimap_capability_data_free(caps);
	return 0;
}

int
imap_open(const struct imap_server *srv, struct imap_session **out,
	  struct err *e)
{
	struct imap_session *s;
	mailstream *stream;
	int r;

	*out = NULL;
	s = xcalloc(1, sizeof *s);
	s->tls.host = srv->host;
	s->tls.port = srv->port;
	s->tls.ca_file = srv->ca_file;
	s->tls.timeout = srv->timeout;
	s->imap = mailimap_new(0, NULL);
	if (s->imap == NULL)
		abort();
	if (tls_connect(&s->tls, srv->security == URL_TLS ? TLS_IMPLICIT : TLS_STARTTLS,
			&stream, e) < 0)
		goto fail;
	/* Inside TLS no line may fill memory (literals count), greeting first. */
	tls_set_line_limit(stream, RESPONSE_MAX);
	r = mailimap_connect(s->imap, stream);
	take_alert(s, srv->security == URL_TLS);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		if (r == MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION)
			err_set(e, ERR_PROTOCOL, "%s:%u refuses the connection (BYE): %s",
				srv->host, srv->port, response_text(s));
		else
			imap_fail(s, r, e, "reading the greeting");
		goto fail;
	}
	if (srv->security == URL_STARTTLS) {
		if (r == MAILIMAP_NO_ERROR_AUTHENTICATED) {
			err_set(e, ERR_TLS, "%s:%u greeted with PREAUTH before TLS; an "
				"unencrypted pre-authenticated session could be an attacker's, "
				"so cachet refuses it (use imaps:// if the server has an "
				"implicit-TLS port)", srv->host, srv->port);
			goto fail;
		}
		if (refresh_capabilities(s, e) < 0)
			goto fail;
		if (!imap_has_capability(s, "STARTTLS")) {
			err_set(e, ERR_TLS, "%s:%u does not offer STARTTLS; cachet never "
				"logs in or reads mail without TLS (use imaps:// if the "
				"server has an implicit-TLS port)", srv->host, srv->port);
			goto fail;
		}
		r = mailimap_starttls(s->imap);
		if (r != MAILIMAP_NO_ERROR) {
			/* Debian's libetpan refuses by itself when bytes follow the OK. */
			if (stream_of(s) && stream_of(s)->read_buffer_len > 0)
				tls_starttls(stream_of(s), &s->tls, e);
			else if (r == MAILIMAP_ERROR_STREAM)
				imap_fail(s, r, e, "starting TLS");
			else
				err_set(e, ERR_TLS, "%s:%u refused STARTTLS: %s", srv->host,
					srv->port, response_text(s));
			goto fail;
		}
		if (tls_starttls(stream_of(s), &s->tls, e) < 0)
			goto fail;
		take_alert(s, false);
	} else {
		s->authenticated = r == MAILIMAP_NO_ERROR_AUTHENTICATED;
	}
	if (!tls_is_secure(stream_of(s))) {
		err_set(e, ERR_TLS, "%s:%u: the session is not protected by TLS",
			srv->host, srv->port);
		goto fail;
	}
	/*
	 * Capabilities from before TLS are forgotten (STARTTLS); a greeting
	 * inside implicit TLS that listed them saves asking.
	 */
	if ((srv->security == URL_STARTTLS || !has_any_capability(s)) &&
	    refresh_capabilities(s, e) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	imap_close(&s);
	return -1;
}

bool
imap_is_authenticated(const struct imap_session *s)
{
	return s->authenticated;
}

int
imap_login(struct imap_session *s, const char *user, const char *password,
	   struct err *e)
{
	int r;

	if (!tls_is_secure(stream_of(s)))
		return err_set(e, ERR_TLS, "%s:%u: refusing to send a password "
			       "outside TLS", s->tls.host, s->tls.port);
	if (s->authenticated)
		return 0;
	if (imap_has_capability(s, "LOGINDISABLED"))
		return err_set(e, ERR_AUTH, "%s:%u does not allow LOGIN (LOGINDISABLED) "
			       "even inside TLS", s->tls.host, s->tls.port);
	/* Servers may announce more after login: in the OK, or when asked. */
	drop_capabilities(s);
	r = mailimap_login(s->imap, user, password);
	take_alert(s, true);
	if (r != MAILIMAP_NO_ERROR) {
		imap_fail(s, r, e, "the login");
		/* The session ends here: its alert goes with the error. */
		if (e && s->alerts.len) {
			char *why = xstrdup(e->msg);

			err_set(e, e->code, "%s (the server's alert: %s)", why, s->alerts.data);
			free(why);
		}
		return -1;
	}
	s->authenticated = true;
	return has_any_capability(s) ? 0 : refresh_capabilities(s, e);
}

int
imap_select(struct imap_session *s, const char *folder, struct imap_status *st,
	    struct err *e)
{
	struct mailimap_selection_info *sel;
	uint64_t modseq = 0;
	int r;

	s->condstore = imap_has_capability(s, "CONDSTORE");
	r = s->condstore ? mailimap_select_condstore(s->imap, folder, &modseq)
			 : mailimap_select(s->imap, folder);
	take_alert(s, true);
	if (r != MAILIMAP_NO_ERROR) {
		/* A failed SELECT leaves no folder selected (RFC 3501 6.3.1). */
		s->condstore = false;
		free(s->folder);
		s->folder = NULL;
		imap_fail(s, r, e, "SELECT");
		return err_prefix(e, "folder %s", folder);
	}
	sel = s->imap->imap_selection_info;
	free(s->folder);
	s->folder = xstrdup(folder);
	s->uidvalidity = sel ? sel->sel_uidvalidity : 0;
	if (st) {
		st->uidvalidity = sel ? sel->sel_uidvalidity : 0;
		st->uidnext = sel ? sel->sel_uidnext : 0;
		st->exists = sel ? sel->sel_exists : 0;
		st->highestmodseq = modseq;
	}
	/* NOMODSEQ: a folder without persistent modification sequences. */
	if (modseq == 0)
		s->condstore = false;
	return 0;
}

char *
imap_message_identity(const struct imap_session *s, uint32_t uid)
{
	if (s->folder == NULL)
		return NULL;
	return xasprintf("imap:%s@%s/%s;UIDVALIDITY=%u/;UID=%u",
			 s->user ? s->user : "", s->tls.host, s->folder,
			 s->uidvalidity, uid);
}

static int
lost(struct imap_session *s, const char *doing, struct err *e)
{
	const char *why = tls_last_error(stream_of(s));

	return err_set(e, ERR_NETWORK, "%s:%u: connection lost while %s%s%s",
		       s->tls.host, s->tls.port, doing, why ? ": " : "",
		       why ? why : " (closed by the server)");
}

/* The n of a line that ends in "{n}" CRLF (a literal follows), else -1. */
static long long
literal_size(const char *line, size_t len)
{
	size_t i;
	long long n = 0, scale = 1;

	if (len >= 2 && line[len - 1] == '\n' && line[len - 2] == '\r')
		len -= 2;
	else if (len >= 1 && line[len - 1] == '\n')
		len -= 1;
	if (len < 3 || line[len - 1] != '}')
		return -1;
	for (i = len - 2; i > 0 && line[i] >= '0' && line[i] <= '9'; i--) {
		if (scale > (long long)RESPONSE_MAX)
			return (long long)RESPONSE_MAX + 1;
		n += (line[i] - '0') * scale;
		scale *= 10;
	}
	return line[i] == '{' && i < len - 2 ? n : -1;
}

/* One whole response (a line, and each literal with the line after it). */
static int
read_response(struct imap_session *s, MMAPString *line, struct buf *out,
	      const char *doing, struct err *e)
{
	mailstream *st = stream_of(s);

	buf_reset(out);
	for (;;) {
		long long lit;

		if (mailstream_read_line(st, line) == NULL || line->len == 0 ||
		    line->str[line->len - 1] != '\n')
			return lost(s, doing, e);
		if (line->len > RESPONSE_MAX - out->len)
			return err_set(e, ERR_PROTOCOL, "%s:%u: an answer longer than "
				       "%zu MB while %s", s->tls.host, s->tls.port,
				       RESPONSE_MAX >> 20, doing);
		buf_add(out, line->str, line->len);
		lit = literal_size(line->str, line->len);
		if (lit < 0)
			return 0;
		if ((size_t)lit > RESPONSE_MAX - out->len)
			return err_set(e, ERR_PROTOCOL, "%s:%u: an answer longer than "
				       "%zu MB while %s", s->tls.host, s->tls.port,
				       RESPONSE_MAX >> 20, doing);
		buf_grow(out, (size_t)lit);
		while (lit > 0) {
			ssize_t got = mailstream_read(st, out->data + out->len, (size_t)lit);

			if (got <= 0)
				return lost(s, doing, e);
			out->len += (size_t)got;
			lit -= got;
		}
		out->data[out->len] = '\0';
	}
}

/* The server's words after a tagged NO/BAD, printable and bounded. */
static void
add_server_text(struct buf *b, const char *p, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len && n < 300; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\r' || c == '\n')
			break;
		if (c < 32 || c == 127)
			continue;
		buf_addc(b, (char)c);
		n++;
	}
}

int
imap_simple_command(struct imap_session *s, const char *cmd, const char *doing,
		    struct err *e)
{
	MMAPString *line = mmap_string_new("");
	struct buf out = BUF_INIT, resp = BUF_INIT;
	char tag[32];
	size_t tl;
	int rc = -1;

	if (line == NULL)
		abort();
	snprintf(tag, sizeof tag, "c%u", ++s->tag);
	tl = strlen(tag);
	buf_addf(&out, "%s %s\r\n", tag, cmd);
	if (mailstream_write(stream_of(s), out.data, out.len) != (ssize_t)out.len ||
	    mailstream_flush(stream_of(s)) < 0) {
		lost(s, doing, e);
		goto out;
	}
	for (;;) {
		const char *st;
		struct buf why = BUF_INIT;

		if (read_response(s, line, &resp, doing, e) < 0)
			goto out;
		if (resp.len <= tl || memcmp(resp.data, tag, tl) != 0 ||
		    resp.data[tl] != ' ')
			continue;
		st = resp.data + tl + 1;
		if (strncasecmp(st, "OK", 2) == 0) {
			rc = 0;
			goto out;
		}
		add_server_text(&why, st, resp.len - tl - 1);
		err_set(e, ERR_PROTOCOL, "%s:%u refused %s: %s", s->tls.host,
			s->tls.port, doing, why.data ? why.data : "(no text)");
		buf_release(&why);
		goto out;
	}
out:
	mmap_string_free(line);
	buf_release(&out);
	buf_release(&resp);
	return rc;
}

/*
 * Sends "TAG UID FETCH set items" (or FETCH) and collects the FETCH
 * answers as they arrive.  Answers without a UID (a FETCH the server sent
 * about another change) are dropped, and so are UIDs outside
 * [first, last] when by_uid (last 0: no upper bound).
 */
static int
run_fetch(struct imap_session *s, bool by_uid, uint32_t first, uint32_t last,
	  const char *items, struct imap_summary **out, size_t *n, struct err *e)
{
	struct imap_summary *sums = NULL;
	size_t count = 0, cap = 0;
	const char *doing = by_uid ? "UID FETCH" : "FETCH";
	MMAPString *line = mmap_string_new("");
	struct buf cmd = BUF_INIT, resp = BUF_INIT;
	char tag[32];
	int rc = -1;

	if (line == NULL)
		abort();
	snprintf(tag, sizeof tag, "c%u", ++s->tag);
	buf_addf(&cmd, "%s %s%s %u:", tag, by_uid ? "UID " : "", "FETCH", first);
	if (last)
		buf_addf(&cmd, "%u", last);
	else
		buf_addc(&cmd, '*');
	buf_addf(&cmd, " %s\r\n", items);
	if (mailstream_write(stream_of(s), cmd.data, cmd.len) != (ssize_t)cmd.len ||
	    mailstream_flush(stream_of(s)) < 0) {
		lost(s, doing, e);
		goto out;
	}
	for (;;) {
		struct imap_summary sum;
		size_t tl = strlen(tag);
		int r;

		if (read_response(s, line, &resp, doing, e) < 0)
			goto out;
		if (resp.len > tl && memcmp(resp.data, tag, tl) == 0 && resp.data[tl] == ' ') {
			const char *st = resp.data + tl + 1;

			if (strncasecmp(st, "OK", 2) == 0) {
				rc = 0;
				goto out;
			}
			{
				struct buf why = BUF_INIT;

				add_server_text(&why, st, resp.len - tl - 1);
				err_set(e, ERR_PROTOCOL, "%s:%u refused %s: %s", s->tls.host,
					s->tls.port, doing, why.data ? why.data : "(no text)");
				buf_release(&why);
			}
			goto out;
		}
		if (resp.data[0] == '+') {
			err_set(e, ERR_PROTOCOL, "%s:%u: unexpected continuation request "
				"while %s", s->tls.host, s->tls.port, doing);
			goto out;
		}
		r = imap_parse_fetch(resp.data, resp.len, &sum);
		if (r < 0) {
			err_set(e, ERR_PROTOCOL, "%s:%u: unparsable answer while %s",
				s->tls.host, s->tls.port, doing);
			goto out;
		}
		if (r == 1) {
			if (resp.len >= 5 && strncasecmp(resp.data, "* BYE", 5) == 0) {
				struct buf why = BUF_INIT;

				add_server_text(&why, resp.data + 5, resp.len - 5);
				err_set(e, ERR_NETWORK, "%s:%u closed the session while %s:%s",
					s->tls.host, s->tls.port, doing,
					why.data ? why.data : "");
				buf_release(&why);
				goto out;
			}
			continue;
		}
		if (sum.uid == 0 || (by_uid && (sum.uid < first || (last && sum.uid > last)))) {
			imap_summary_release(&sum);
			continue;
		}
		if (count == cap) {
			cap = cap ? cap * 2 : 256;
			sums = xrealloc(sums, (cap + 1) * sizeof *sums);
		}
		sums[count++] = sum;
		if (s->progress && count % 1000 == 0)
			s->progress(s->progress_arg, count);
	}
out:
	mmap_string_free(line);
	buf_release(&cmd);
	buf_release(&resp);
	if (rc < 0) {
		imap_summaries_free(&sums, count);
		count = 0;
	}
	if (sums == NULL && rc == 0)
		sums = xcalloc(1, sizeof *sums);
	*out = sums;
	*n = count;
	return rc;
}

#define INDEX_ITEMS "(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE " \
	"BODY.PEEK[HEADER.FIELDS (CONTENT-TYPE)])"

/*
 * One FETCH (by sequence numbers, or UID FETCH) of what an index needs, or
 * only UID and FLAGS.  last == 0 means "*".  With UIDs, "first:*" also
 * answers the newest message when it is below first: such answers are
 * dropped.
 */
static int
fetch_summaries(struct imap_session *s, bool by_uid, bool envelope,
		uint32_t first, uint32_t last, struct imap_summary **out,
		size_t *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	if (first == 0 || (last && last < first))
		return 0;
	return run_fetch(s, by_uid, first, last, envelope ? INDEX_ITEMS : "(UID FLAGS)",
			 out, n, e);
}

int
imap_fetch_index(struct imap_session *s, uint32_t first, uint32_t last,
		 struct imap_summary **out, size_t *n, struct err *e)
{
	if (last == 0) {
		*out = NULL;
		*n = 0;
		return 0;
	}
	return fetch_summaries(s, false, true, first, last, out, n, e);
}

int
imap_fetch_index_uid(struct imap_session *s, uint32_t first, uint32_t last,
		     struct imap_summary **out, size_t *n, struct err *e)
{
	return fetch_summaries(s, true, true, first, last, out, n, e);
}

int
imap_fetch_flags(struct imap_session *s, uint32_t first, uint32_t last,
		 struct imap_summary **out, size_t *n, struct err *e)
{
	return fetch_summaries(s, true, false, first, last, out, n, e);
}

int
imap_fetch_flags_changed(struct imap_session *s, uint32_t first, uint32_t last,
			 uint64_t modseq, struct imap_summary **out, size_t *n,
			 struct err *e)
{
	char items[64];

	*out = NULL;
	*n = 0;
	if (!s->condstore)
		return err_set(e, ERR_PROTOCOL, "%s:%u: the folder was not opened "
			       "with CONDSTORE", s->tls.host, s->tls.port);
	if (first == 0 || (last && last < first))
		return 0;
	snprintf(items, sizeof items, "(UID FLAGS) (CHANGEDSINCE %llu)",
		 (unsigned long long)modseq);
	return run_fetch(s, true, first, last, items, out, n, e);
}

bool
imap_has_condstore(const struct imap_session *s)
{
	return s->condstore;
}

void
imap_summaries_free(struct imap_summary **sums, size_t n)
{
	size_t i;

	if (sums == NULL || *sums == NULL)
		return;
	for (i = 0; i < n; i++)
		imap_summary_release(&(*sums)[i]);
	free(*sums);
	*sums = NULL;
}

int
imap_fetch_message(struct imap_session *s, uint32_t uid, struct buf *out,
		   struct err *e)
{
	struct mailimap_fetch_type *type;
	struct mailimap_set *set;
	clist *result = NULL;
	clistiter *it, *jt;
	bool found = false;
	int r;

	set = mailimap_set_new_single(uid);
	type = mailimap_fetch_type_new_fetch_att(
		mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	r = mailimap_uid_fetch(s->imap, set, type, &result);
	mailimap_fetch_type_free(type);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, e, "UID FETCH");
	for (it = clist_begin(result); it && !found; it = clist_next(it)) {
		struct mailimap_msg_att *att = clist_content(it);

		for (jt = clist_begin(att->att_list); jt; jt = clist_next(jt)) {
			struct mailimap_msg_att_item *item = clist_content(jt);
			struct mailimap_msg_att_body_section *sec;

			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
			    item->att_data.att_static->att_type != MAILIMAP_MSG_ATT_BODY_SECTION)
				continue;
			sec = item->att_data.att_static->att_data.att_body_section;
			if (sec && sec->sec_body_part) {
				buf_add(out, sec->sec_body_part, sec->sec_length);
				found = true;
				break;
			}
		}
	}
	mailimap_fetch_list_free(result);
	if (!found)
		return err_set(e, ERR_PROTOCOL, "%s:%u: no message with UID %u",
			       s->tls.host, s->tls.port, uid);
	return 0;
}

struct mailimap_flag_list *
imap_flag_list(unsigned flags)
{
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();

	if (flags & IMAP_FLAG_SEEN)
		mailimap_flag_list_add(fl, mailimap_flag_new_seen());
	if (flags & IMAP_FLAG_ANSWERED)
		mailimap_flag_list_add(fl, mailimap_flag_new_answered());
	if (flags & IMAP_FLAG_FLAGGED)
		mailimap_flag_list_add(fl, mailimap_flag_new_flagged());
	if (flags & IMAP_FLAG_DELETED)
		mailimap_flag_list_add(fl, mailimap_flag_new_deleted());
	if (flags & IMAP_FLAG_DRAFT)
		mailimap_flag_list_add(fl, mailimap_flag_new_draft());
	return fl;
}

static int
store(struct imap_session *s, uint32_t uid, unsigned flags, bool add,
      struct err *e)
{
	struct mailimap_store_att_flags *att;
	struct mailimap_set *set;
	int r;

	if (flags == 0)
		return 0;
	set = mailimap_set_new_single(uid);
	att = add ? mailimap_store_att_flags_new_add_flags_silent(imap_flag_list(flags))
		  : mailimap_store_att_flags_new_remove_flags_silent(imap_flag_list(flags));
	r = mailimap_uid_store(s->imap, set, att);
	mailimap_store_att_flags_free(att);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, e, "UID STORE");
	return 0;
}

int
imap_store_flags(struct imap_session *s, uint32_t uid, unsigned add,
		 unsigned remove, struct err *e)
{
	if (store(s, uid, add, true, e) < 0)
		return -1;
	return store(s, uid, remove, false, e);
}

int
imap_copy(struct imap_session *s, uint32_t uid, const char *folder,
	  struct err *e)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	int r = mailimap_uid_copy(s->imap, set, folder);

	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, e, "UID COPY");
	return 0;
}

int
imap_move(struct imap_session *s, uint32_t uid, const char *folder,
	  struct err *e)
{
	struct mailimap_set *set;
	int r;

	if (imap_has_capability(s, "MOVE")) {
		set = mailimap_set_new_single(uid);
		r = mailimap_uid_move(s->imap, set, folder);
		mailimap_set_free(set);
		if (r != MAILIMAP_NO_ERROR)
			return imap_fail(s, r, e, "UID MOVE");
		return 0;
	}
	if (!imap_has_capability(s, "UIDPLUS"))
		return err_set(e, ERR_PROTOCOL, "%s:%u has neither MOVE nor UIDPLUS; "
			       "moving one message would expunge others",
			       s->tls.host, s->tls.port);
	if (imap_copy(s, uid, folder, e) < 0)
		return -1;
	return imap_remove(s, uid, e);
}

int
imap_remove(struct imap_session *s, uint32_t uid, struct err *e)
{
	struct mailimap_set *set;
	int r;

	if (store(s, uid, IMAP_FLAG_DELETED, true, e) < 0)
		return -1;
	if (!imap_has_capability(s, "UIDPLUS"))
		return err_set(e, ERR_PROTOCOL, "%s:%u has no UIDPLUS: the message is "
			       "marked deleted, and expunging it would expunge the "
			       "others marked so", s->tls.host, s->tls.port);
	set = mailimap_set_new_single(uid);
	r = mailimap_uid_expunge(s->imap, set);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, e, "UID EXPUNGE");
	return 0;
}

int
imap_search_text(struct imap_session *s, const char *text, uint32_t **uids,
		 size_t *n, struct err *e)
{
	struct mailimap_search_key *key;
	clist *result = NULL;
	clistiter *it;
	size_t i = 0;
	bool ascii = true;
	const char *p;
	int r;

	*uids = NULL;
	*n = 0;
	for (p = text; *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = false;
	key = mailimap_search_key_new_text(xstrdup(text));
	/* CHARSET only when needed: some servers know no other than US-ASCII. */
	r = mailimap_uid_search(s->imap, ascii ? NULL : "UTF-8", key, &result);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, e, "UID SEARCH");
	*uids = xcalloc(clist_count(result) + 1, sizeof **uids);
	for (it = clist_begin(result); it; it = clist_next(it))
		(*uids)[i++] = *(uint32_t *)clist_content(it);
	*n = i;
	mailimap_search_result_free(result);
	return 0;
}

int
imap_expunge(struct imap_session *s, struct err *e)
{
	int r = mailimap_expunge(s->imap);

	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, e, "EXPUNGE");
	return 0;
}

void
imap_set_progress(struct imap_session *s, imap_progress_fn *fn, void *arg)
{
	s->progress = fn;
	s->progress_arg = arg;
}

char *
imap_take_alerts(struct imap_session *s)
{
	return s->alerts.len ? buf_detach(&s->alerts, NULL) : NULL;
}

const char *
imap_tls_version(struct imap_session *s)
{
	return tls_version_name(stream_of(s));
}

void
imap_close(struct imap_session **sp)
{
	struct imap_session *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	if (s->imap) {
		if (s->imap->imap_stream && tls_is_secure(s->imap->imap_stream))
			mailimap_logout(s->imap);
		/* Without TLS nothing more is said: the line is just dropped. */
		if (s->imap->imap_stream) {
			mailstream_close(s->imap->imap_stream);
			s->imap->imap_stream = NULL;
		}
		mailimap_free(s->imap);
	}
	buf_release(&s->alerts);
	free(s->user);
	free(s->folder);
	free(s);
	*sp = NULL;
}

int
imap_open_account(const struct account *a, struct imap_session **out,
		  struct err *e)
{
	struct imap_server srv = { 0 };
	struct imap_session *s = NULL;
	struct cred_key k;
	char *pw = NULL;

	*out = NULL;
	if (a->imap.host == NULL)
		return err_set(e, ERR_CONFIG, "account %s has no imap server", a->name);
	srv.host = a->imap.host;
	srv.port = a->imap.port;
	srv.security = a->imap.security;
	srv.ca_file = a->tls_ca_file;
	srv.timeout = a->timeout;
	if (imap_open(&srv, &s, e) < 0)
		return -1;
	s->user = a->imap.user ? xstrdup(a->imap.user) : NULL;
	if (!imap_is_authenticated(s)) {
		cred_key_for(a, &a->imap, &k);
		if (cred_password(a->password_command, &k, &pw, e) < 0 ||
		    imap_login(s, k.user, pw, e) < 0) {
			cred_password_free(&pw);
			imap_close(&s);
			return -1;
		}
		cred_password_free(&pw);
	}
	*out = s;
	return 0;
}
