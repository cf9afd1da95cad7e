/*
 * view_pager.c — one message: fetched, its verdict computed and its top
 * crypto layer opened, shown under the security banner (pinned to the
 * top); reading a signed message harvests its signer's certificate;
 * attachments are saved from here.
 */
#include "ui/screen_p.h"

#include "client/sender_check.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void
pager_close(struct screen *s)
{
	certs_close(s);
	smime_verdict_free(&s->pager.verdict);
	ui_doc_release(&s->pager.doc);
	buf_release(&s->pager.raw);
	s->pager.encrypted = false;
	pager_free_rows(s);
	s->pager.top = 0;
	s->pager.find_line = SIZE_MAX;
}

struct wrap_ctx {
	struct screen *s;
	size_t line;
};

static void
add_row(void *arg, const char *piece, size_t len)
{
	struct wrap_ctx *w = arg;
	struct pager_view *p = &w->s->pager;

	p->rows = xrealloc(p->rows, (p->n_rows + 1) * sizeof(*p->rows));
	p->rows[p->n_rows].line = w->line;
	/* A copy: the piece lives in the wrapper's tab-expanded buffer. */
	p->rows[p->n_rows].text = xstrndup(piece, len);
	p->n_rows++;
}

void
pager_free_rows(struct screen *s)
{
	struct pager_view *p = &s->pager;
	size_t i;

	for (i = 0; i < p->n_rows; i++)
		free(p->rows[i].text);
	free(p->rows);
	p->rows = NULL;
	p->n_rows = p->n_pinned = 0;
	p->rows_width = 0;
}

static void
wrap_doc(struct screen *s)
{
	struct pager_view *p = &s->pager;
	struct wrap_ctx w = { s, 0 };
	size_t i;

	if (p->rows_width == COLS && p->rows)
		return;
	pager_free_rows(s);
	for (i = 0; i < p->doc.n_lines; i++) {
		w.line = i;
		ui_text_wrap(p->doc.lines[i].text, COLS, add_row, &w);
		if (p->doc.lines[i].kind <= UI_LINE_BANNER_BAD)
			p->n_pinned = p->n_rows;
	}
	p->rows_width = COLS;
}

/* Banner rows stay at the top; at most half the screen. */
static size_t
pinned_rows(struct screen *s)
{
	size_t half = (size_t)screen_body_rows(s) / 2;

	return s->pager.n_pinned < half ? s->pager.n_pinned : half;
}

static size_t
pager_room(struct screen *s)
{
	size_t r = (size_t)screen_body_rows(s), p = pinned_rows(s);

	return r > p ? r - p : 1;
}

void
pager_draw(struct screen *s)
{
	struct pager_view *p = &s->pager;
	size_t pin, room, i, y;
	struct buf title = BUF_INIT, hint = BUF_INIT;
	const struct mail_envelope *env = s->index.n ? &s->index.rows[s->index.cur].env :
						     NULL;

	wrap_doc(s);
	pin = pinned_rows(s);
	room = pager_room(s);
	if (p->n_rows > pin + room && p->top > p->n_rows - pin - room)
		p->top = p->n_rows - pin - room;
	if (p->n_rows <= pin + room)
		p->top = 0;
	for (y = 0; y < pin; y++)
		screen_put_row((int)y + 1, p->rows[y].text,
			       screen_line_attr(s, p->doc.lines[p->rows[y].line].kind));
	for (y = 0; y < room; y++) {
		i = pin + p->top + y;
		if (i >= p->n_rows)
			break;
		/* The line the search found stands out as the index's cursor does. */
		screen_put_row((int)(pin + y) + 1, p->rows[i].text,
			       p->rows[i].line == p->find_line ?
			       s->paint[CONFIG_ELEM_INDEX_SELECTED] :
			       screen_line_attr(s, p->doc.lines[p->rows[i].line].kind));
	}
	if (smime_protected_header(p->verdict, "Subject")) {
		/* The protected Subject, not the "[...]" the index shows. */
		char *d = mime_header_decode(smime_protected_header(p->verdict, "Subject"));

		buf_adds(&title, d);
		free(d);
	} else {
		buf_addf(&title, "%s", env ? env->subject : "");
	}
	if (p->n_rows > pin + room)
		buf_addf(&hint, "%zu%%  ", (p->top + room) * 100 / (p->n_rows - pin));
	else
		buf_adds(&hint, "all  ");
	if (p->doc.n_atts)
		screen_key_hint(s, &hint, CONFIG_ACTION_SAVE, "save");
	if (p->verdict && p->verdict->n_signers)
		screen_key_hint(s, &hint, CONFIG_ACTION_CERTIFICATE, "certificate");
	screen_key_hint(s, &hint, CONFIG_ACTION_QUIT, "back");
	screen_key_hint(s, &hint, CONFIG_ACTION_HELP, "help");
	screen_bars(s, title.data, hint.data);
	buf_release(&title);
	buf_release(&hint);
}

static void
doc_prepend(struct ui_doc *d, enum ui_line_kind kind, char *text)
{
	d->lines = xrealloc(d->lines, (d->n_lines + 1) * sizeof(*d->lines));
	memmove(d->lines + 1, d->lines, d->n_lines * sizeof(*d->lines));
	d->lines[0].kind = kind;
	d->lines[0].text = text;
	d->n_lines++;
}

/* What harvesting one certificate changed, for the status line; NULL: nothing. */
static char *
harvest_words(const struct certstore_outcome *o)
{
	const char *who = o->email ? o->email : "the signer";

	/* Each message from a conflicting certificate says so again. */
	if (o->state == CERTSTORE_CONFLICT)
		return xasprintf("%s signed with another certificate than the one "
				 "cachet encrypts to: it waits for your decision (C)", who);
	if (o->reason)
		return NULL;
	switch (o->change) {
	case CERTSTORE_CHANGE_NEW:
		return o->state == CERTSTORE_PENDING ?
		       xasprintf("the certificate of %s waits for your decision "
				 "(C shows it, T trusts it)", who) :
		       xasprintf("stored the certificate of %s: mail to %s can be "
				 "encrypted", who, who);
	case CERTSTORE_CHANGE_RENEWAL:
		return xasprintf("stored the renewed certificate of %s", who);
	case CERTSTORE_CHANGE_CONFLICT:
	case CERTSTORE_CHANGE_KNOWN:
		break;
	}
	return NULL;
}

/*
 * Reading a signed message harvests it through the same entry point as
 * `cachet harvest` (certstore_harvest_message), under the policy's harvest
 * key: the signer's own certificate is bound only after every check
 * (good signature over the whole message, chain to a trust anchor,
 * address equal to From...), a different certificate for a known address
 * waits for the person, and a message seen before, by the screen or by
 * `cachet harvest`, is not looked at again (identity: its source's, or
 * NULL for its bytes).  What changed is said on the status line.
 */
static void
harvest_shown(struct screen *s, const struct buf *raw, const struct smime_verdict *v,
	      const char *identity, const char *name)
{
	const struct policy *p = s->opt->policy;
	struct certstore *store = NULL;
	struct certstore_outcomes out = { 0 };
	struct buf said = BUF_INIT;
	struct err e = { 0 };
	bool bad = false, seen;
	char *w;
	size_t i;

	if (p == NULL || p->harvest == POLICY_HARVEST_NEVER || s->opt->data_dir == NULL ||
	    v == NULL || v->signature == SMIME_SIG_NONE)
		return;
	if (certstore_open(s->opt->data_dir, s->opt->gnupg_home, &store, &e) < 0)
		goto fail;
	if (certstore_harvest_message(store, identity, raw->data, raw->len, v, NULL,
				      p->harvest == POLICY_HARVEST_ASK ?
				      CERTSTORE_MODE_ASK : CERTSTORE_MODE_TRUSTED,
				      name, time(NULL), &out, &seen, &e) < 0) {
		/* A header harvest cannot read: the banner says why. */
		if (e.code == ERR_INPUT)
			goto out;
		goto fail;
	}
	for (i = 0; i < out.n; i++) {
		if ((w = harvest_words(&out.v[i])) == NULL)
			continue;
		buf_addf(&said, "%s%s", said.len ? "; " : "", w);
		bad |= out.v[i].state == CERTSTORE_CONFLICT;
		free(w);
	}
	if (said.len)
		screen_status(s, bad, "%s", said.data);
	goto out;
fail:
	screen_status(s, true, "certificate store: %s", e.msg);
out:
	buf_release(&said);
	certstore_outcomes_release(&out);
	certstore_close(&store);
}

/*
 * What the person's servers said (Authentication-Results) and whether an
 * unsigned message comes from someone who has signed before: added to v
 * before the banner and the index mark are made from it.  A store that
 * cannot be opened leaves out only the second.
 */
static void
check_sender(struct screen *s, const struct buf *raw, struct smime_verdict *v)
{
	struct certstore *store = NULL;
	struct err e = { 0 };

	if (s->opt->data_dir &&
	    certstore_open(s->opt->data_dir, s->opt->gnupg_home, &store, &e) < 0)
		store = NULL;
	err_clear(&e);
	if (sender_check_apply(s->opt->config, s->opt->account, store, raw->data,
			       raw->len, v, &e) < 0)
		fprintf(stderr, "cachet: sender checks: %s\n", e.msg);
	certstore_close(&store);
}

void
pager_open(struct screen *s)
{
	struct mail_envelope *env;
	struct buf raw = BUF_INIT, inner = BUF_INIT;
	struct smime_verdict *v = NULL;
	struct smime_engine *eng;
	struct err e = { 0 };
	char *check_error = NULL, *locked;
	bool have_inner = false;

	if (s->index.n == 0)
		return;
	env = &s->index.rows[s->index.cur].env;
	screen_working(s, "fetching the message");
	if (mail_source_fetch(s->src, env->uid, &raw, &e) < 0) {
		screen_status(s, true, "%s", e.msg);
		buf_release(&raw);
		return;
	}
	screen_working(s, "checking signature and encryption");
	/* With the signers' certificates, which the certificate view shows. */
	eng = screen_engine(s);
	if (eng == NULL) {
		check_error = xasprintf("Signatures cannot be checked: %s", s->eng_error);
	} else if (smime_verify(eng, raw.data, raw.len, SMIME_VERIFY_CERT_DER, &v,
				&e) < 0) {
		check_error = xasprintf("This message could not be checked: %s", e.msg);
	} else {
		check_sender(s, &raw, v);
	}
	if (v && check_error == NULL && v->decryption == SMIME_DECRYPT_OK) {
		err_clear(&e);
		if (smime_decrypt(eng, raw.data, raw.len, &inner, &e) == 0)
			have_inner = true;
		else
			check_error = xasprintf("Decryption failed: %s", e.msg);
	}

	pager_close(s);
	s->pager.encrypted = (v && v->decryption != SMIME_DECRYPT_NONE) ||
			   ui_crypto_mark_of(env->content_type) == UI_CRYPTO_ENCRYPTED;
	ui_doc_build(&s->pager.doc, raw.data, raw.len, v,
		     have_inner ? inner.data : NULL, have_inner ? inner.len : 0);
	/* A locked key is said in the status line too, with how to unlock it. */
	locked = ui_locked_key_text(check_error ? e.msg : v ? v->error : NULL);
	if (check_error && locked) {
		free(check_error);
		check_error = xasprintf("Not opened. %s", locked);
	}
	if (check_error)
		doc_prepend(&s->pager.doc, UI_LINE_BANNER_BAD, check_error);
	/* S+ exactly when the banner's signer line is good; an unsigned
	 * message keeps the mark its Content-Type gave it. */
	if (v && smime_verdict_summary(v) == SMIME_SUMMARY_GOOD)
		s->index.rows[s->index.cur].mark = UI_CRYPTO_VALID;
	else if (v && smime_verdict_summary(v) == SMIME_SUMMARY_NOT_SIGNED &&
		 smime_verdict_has_warning(v, SMIME_WARN_UNSIGNED_FROM_SIGNER))
		s->index.rows[s->index.cur].mark = UI_CRYPTO_UNSIGNED_SIGNER;
	else if (v && smime_verdict_summary(v) == SMIME_SUMMARY_NOT_SIGNED &&
		 ui_dmarc_failed(v))
		s->index.rows[s->index.cur].mark = UI_CRYPTO_DMARC_FAIL;
	else if ((v && smime_verdict_summary(v) != SMIME_SUMMARY_NOT_SIGNED) ||
		 (check_error && s->index.rows[s->index.cur].mark != UI_CRYPTO_NONE))
		s->index.rows[s->index.cur].mark = UI_CRYPTO_PROBLEM;
	else if (v && !check_error)	/* again, after a failed opening */
		s->index.rows[s->index.cur].mark = ui_crypto_mark_of(env->content_type);

	/* Decrypted bytes do not outlive the pager's own copy. */
	if (inner.data)
		explicit_bzero(inner.data, inner.cap);
	buf_release(&inner);
	s->pager.raw = raw;	/* kept for reply and forward */
	s->pager.verdict = v;	/* kept for the certificate view */

	s->view = UI_VIEW_PAGER;
	if (locked) {
		screen_status(s, true, "%s", locked);
		free(locked);
	} else if (v && v->decryption == SMIME_DECRYPT_FAILED) {
		/* A wrong passphrase three times, or Esc at its prompt. */
		screen_status(s, true, "Not decrypted: %s",
			      v->error ? v->error : "the message could not be decrypted");
	} else {
		char *name = xasprintf("%s/%u", s->index.folder_name ? s->index.folder_name : "",
				       env->uid);

		char *id = mail_source_identity(s->src, env->uid);

		screen_status(s, false, "%s", "");
		harvest_shown(s, &s->pager.raw, v, id, name);
		free(id);
		free(name);
	}
	if (!(env->flags & MAIL_FLAG_SEEN)) {
		err_clear(&e);
		if (mail_source_set_flags(s->src, env->uid, MAIL_FLAG_SEEN, 0, &e) == 0)
			env->flags |= MAIL_FLAG_SEEN;
		else
			screen_status(s, true, "could not mark as read: %s", e.msg);
	}
}

/* A file name from an attachment's name: no directories, no dot files. */
static char *
safe_file_name(const char *name)
{
	const char *base = name ? strrchr(name, '/') : NULL;
	char *r;

	base = base ? base + 1 : name;
	if (base == NULL || *base == '\0')
		return xstrdup("attachment");
	while (*base == '.')
		base++;
	r = xstrdup(*base ? base : "attachment");
	return r;
}

static void
save_attachment(struct screen *s)
{
	size_t which = 0;

	if (s->pager.doc.n_atts == 0) {
		screen_status(s, false, "This message has no attachments");
		return;
	}
	if (screen_ask_attachment(s, "Save", s->pager.doc.n_atts, &which))
		pager_save_attachment(s, which);
}

void
pager_save_attachment(struct screen *s, size_t which)
{
	struct ui_attachment *a = &s->pager.doc.atts[which];
	struct buf data = BUF_INIT;
	struct err e = { 0 };
	char *answer, *path, *def;
	struct stat st;

	def = safe_file_name(a->name);
	answer = screen_prompt(s, "Save to file: ", def);
	free(def);
	if (answer == NULL || *answer == '\0') {
		free(answer);
		screen_status(s, false, "not saved");
		return;
	}
	path = answer;
	if (stat(path, &st) == 0) {
		char *q = xasprintf("%s exists; overwrite (y/n)? ", path);
		bool yes = screen_yes_no(s, q);

		free(q);
		if (!yes) {
			free(path);
			screen_status(s, false, "not saved");
			return;
		}
	}
	ui_attachment_decode(a, &data);
	/* Private: it may come from a decrypted message. */
	if (file_write_atomic(path, data.data ? data.data : "", data.len, 0600, &e) < 0)
		screen_status(s, true, "%s", e.msg);
	else
		screen_status(s, false, "saved %zu bytes to %s", data.len, path);
	buf_release(&data);
	free(path);
}

/*
 * The search in the message (/, then n): the next line after the one found
 * last (else from the first line shown) that holds the text, case folded
 * as the index's search is, goes to the top of the scrolled part and is
 * shown in the cursor's colours; past the last line it goes on from the
 * first.  The banner, always shown, is not searched.
 */
static void
pager_find(struct screen *s, bool ask)
{
	struct pager_view *p = &s->pager;
	size_t pin, from, k, line, r;
	char *q;

	if (ask || p->find == NULL) {
		q = screen_prompt(s, "Search in the message: ", NULL);
		if (q == NULL || *q == '\0') {
			free(q);
			screen_status(s, false, "%s", "");
			return;
		}
		free(p->find);
		p->find = q;
		p->find_line = SIZE_MAX;
	}
	wrap_doc(s);
	pin = pinned_rows(s);
	if (p->n_rows == 0)
		return;
	if (p->find_line != SIZE_MAX)
		from = p->find_line + 1;
	else
		from = p->rows[pin + p->top < p->n_rows ? pin + p->top : p->n_rows - 1].line;
	for (k = 0; k < p->doc.n_lines; k++) {
		line = (from + k) % p->doc.n_lines;
		if (p->doc.lines[line].kind <= UI_LINE_BANNER_BAD ||
		    !ui_text_matches(p->doc.lines[line].text, p->find))
			continue;
		for (r = 0; r < p->n_rows && p->rows[r].line != line; r++)
			;
		p->find_line = line;
		p->top = r > pin ? r - pin : 0;
		screen_status(s, false, "%s%s", from + k >= p->doc.n_lines ?
			      "from the top: " : "", p->find);
		return;
	}
	p->find_line = SIZE_MAX;
	screen_status(s, true, "not found: %s", p->find);
}

void
pager_key(struct screen *s, int action)
{
	size_t room = pager_room(s);

	if (compose_start_by_key(s, action))
		return;
	switch (action) {
	case CONFIG_ACTION_NEXT: case CONFIG_ACTION_OPEN:
		s->pager.top++;
		break;
	case CONFIG_ACTION_PREVIOUS:
		if (s->pager.top > 0)
			s->pager.top--;
		break;
	case CONFIG_ACTION_PAGE_DOWN:
		s->pager.top += room > 1 ? room - 1 : 1;
		break;
	case CONFIG_ACTION_PAGE_UP:
		s->pager.top = s->pager.top > room - 1 ? s->pager.top - (room - 1) : 0;
		break;
	case CONFIG_ACTION_SEARCH:
		pager_find(s, true);
		break;
	case CONFIG_ACTION_SEARCH_NEXT:
		pager_find(s, false);
		break;
	case CONFIG_ACTION_FIRST:
		s->pager.top = 0;
		break;
	case CONFIG_ACTION_LAST:
		s->pager.top = s->pager.n_rows;
		break;
	case CONFIG_ACTION_NEXT_MESSAGE:
		if (s->index.cur + 1 < s->index.n) {
			s->index.cur++;
			pager_open(s);
		} else {
			screen_status(s, false, "last message");
		}
		break;
	case CONFIG_ACTION_PREVIOUS_MESSAGE:
		if (s->index.cur > 0) {
			s->index.cur--;
			pager_open(s);
		} else {
			screen_status(s, false, "first message");
		}
		break;
	case CONFIG_ACTION_SAVE:
		save_attachment(s);
		break;
	case CONFIG_ACTION_CERTIFICATE:
		certs_open(s);
		break;
	case CONFIG_ACTION_URLS:
		urls_open(s);
		break;
	case CONFIG_ACTION_ATTACHMENTS:
		attach_view_open(s);
		break;
	case CONFIG_ACTION_FLAG:
		index_toggle_flag(s);
		break;
	case CONFIG_ACTION_TOGGLE_READ:
		tag_apply(s, action, false);
		break;
	case CONFIG_ACTION_DELETE:
		index_set_deleted(s, true);
		break;
	case CONFIG_ACTION_UNDELETE:
		index_set_deleted(s, false);
		break;
	case CONFIG_ACTION_QUIT: case CONFIG_ACTION_INDEX:
		pager_close(s);
		s->view = UI_VIEW_INDEX;
		screen_status(s, false, "%s", "");
		break;
	}
}
