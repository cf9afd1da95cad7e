/*
 * hp.c — header protection (RFC 9788).  On the way out: the message's
 * header fields copied into the root of the cryptographic payload, with
 * hp="clear" or hp="cipher" on its Content-Type, and for an encrypted
 * message the outer header that hcp_baseline leaves visible, recorded
 * inside in HP-Outer fields.  On the way in: the protected fields read
 * from the payload root, and the outer header checked against them.
 */
#include "crypto/smime_p.h"

#include <stdlib.h>
#include <string.h>

const char *const smime_hp_fields[] = {
	"From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To",
	"In-Reply-To", "References", NULL
};

/* What an encrypted message's outer header shows instead of its Subject. */
#define HP_OBSCURED_SUBJECT "[...]"

enum hcp_action { HCP_KEEP, HCP_DROP, HCP_OBSCURE };

/*
 * hcp_baseline, RFC 9788 3.2: the Subject is obscured, Keywords and
 * Comments are left inside only; everything else stays as it is (From, To
 * and Cc are needed for delivery and replies).  Bcc never travels.
 */
static enum hcp_action
hcp_baseline(const struct mime_field *f)
{
	if (mime_field_is(f, "Subject"))
		return HCP_OBSCURE;
	if (mime_field_is(f, "Keywords") || mime_field_is(f, "Comments") ||
	    mime_field_is(f, "Bcc"))
		return HCP_DROP;
	return HCP_KEEP;
}

/* A field of the message, not of its content: what header protection
 * copies. */
static bool
is_message_field(const struct mime_field *f)
{
	return !mime_field_is_content(f) && !mime_field_is(f, "MIME-Version") &&
	       !mime_field_is(f, "HP-Outer") && f->name.n > 0;
}

static void
add_raw_field(struct buf *out, const char *prefix, const struct mime_field *f,
	      const char *eol)
{
	buf_adds(out, prefix);
	codec_eol(f->raw.p, f->raw.n, eol, out);
	if (f->raw.n == 0 || f->raw.p[f->raw.n - 1] != '\n')
		buf_adds(out, eol);
}

/* Field f as an encrypted message's outer header shows it (hcp_baseline),
 * after prefix: as it is, obscured, or not at all. */
static void
add_outer_field(struct buf *out, const char *prefix, const struct mime_field *f,
		const char *eol)
{
	switch (hcp_baseline(f)) {
	case HCP_KEEP:
		add_raw_field(out, prefix, f, eol);
		break;
	case HCP_OBSCURE:
		buf_addf(out, "%s%.*s: %s%s", prefix, (int)f->name.n, f->name.p,
			 HP_OBSCURED_SUBJECT, eol);
		break;
	case HCP_DROP:
		break;
	}
}

void
hp_outer_fields(const struct mime_entity *m, bool cipher, struct buf *out)
{
	struct mime_field f;
	size_t pos = 0;

	if (!cipher) {
		mime_copy_message_fields(m, true, out);
		return;
	}
	while (mime_field_next(&m->hdr, &pos, &f))
		if (is_message_field(&f))
			add_outer_field(out, "", &f, m->eol);
}

void
hp_protect_entity(const struct mime_entity *m, const char *entity, size_t len,
		  bool cipher, const char *eol, struct buf *out)
{
	const char *hp = cipher ? "cipher" : "clear";
	struct mime_entity ent;
	struct mime_field f;
	size_t pos = 0;
	bool has_ct = false;

	mime_entity_parse(entity, len, false, &ent, NULL);
	while (mime_field_next(&ent.hdr, &pos, &f)) {
		if (mime_field_is(&f, "Content-Type") && !has_ct) {
			struct buf line = BUF_INIT;

			codec_eol(f.raw.p, f.raw.n, eol, &line);
			while (line.len && (line.data[line.len - 1] == '\n' ||
					    line.data[line.len - 1] == '\r'))
				line.len--;
			buf_add(out, line.data, line.len);
			buf_addf(out, ";%s\thp=\"%s\"%s", eol, hp, eol);
			buf_release(&line);
			has_ct = true;
			continue;
		}
		add_raw_field(out, "", &f, eol);
	}
	if (!has_ct)
		buf_addf(out, "Content-Type: text/plain; charset=us-ascii;%s\thp=\"%s\"%s",
			 eol, hp, eol);
	/* The protected headers: every field of the message but Bcc. */
	pos = 0;
	while (mime_field_next(&m->hdr, &pos, &f))
		if (is_message_field(&f) && !mime_field_is(&f, "Bcc"))
			add_raw_field(out, "", &f, eol);
	if (cipher) {
		/* What the outer header will show, so that a reader can tell
		 * what was hidden from what was changed on the way. */
		pos = 0;
		while (mime_field_next(&m->hdr, &pos, &f))
			if (is_message_field(&f))
				add_outer_field(out, "HP-Outer: ", &f, eol);
	}
	buf_adds(out, eol);
	buf_add(out, ent.body.p, ent.body.n);
}

/* --- on the way in ---------------------------------------------------- */

/*
 * Names are looked up in sorted tables: a hostile message may carry any
 * number of fields, and comparing each with each would take their number
 * squared.
 */
static int
name_cmp(const void *a, const void *b)
{
	return str_casecmp_ascii(*(const char *const *)a, *(const char *const *)b);
}

char **
hp_field_names(const struct mime_entity *m, size_t *n)
{
	struct mime_field f;
	size_t pos = 0;
	char **v = NULL;

	*n = 0;
	while (mime_field_next(&m->hdr, &pos, &f)) {
		if (!is_message_field(&f))
			continue;
		if ((*n & (*n - 1)) == 0)	/* doubling: 0, 1, 2, 4... */
			v = xrealloc(v, (*n ? 2 * *n : 1) * sizeof *v);
		v[(*n)++] = xstrndup(f.name.p, f.name.n);
	}
	if (*n)
		qsort(v, *n, sizeof *v, name_cmp);
	return v;
}

bool
hp_names_have(char *const *names, size_t n, const char *name)
{
	return n && bsearch(&name, names, n, sizeof *names, name_cmp) != NULL;
}

void
hp_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

struct name_ref {
	const char *name;	/* foreign */
	size_t idx;
};

static int
name_ref_cmp(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int c = str_casecmp_ascii(x->name, y->name);

	return c ? c : x->idx < y->idx ? -1 : x->idx > y->idx;
}

bool *
hp_first_of_name(const struct smime_field *v, size_t n)
{
	struct name_ref *r = xcalloc(n ? n : 1, sizeof *r);
	bool *first = xcalloc(n ? n : 1, sizeof *first);
	size_t i;

	for (i = 0; i < n; i++) {
		r[i].name = v[i].name;
		r[i].idx = i;
	}
	qsort(r, n, sizeof *r, name_ref_cmp);
	for (i = 0; i < n; i++)
		first[r[i].idx] = i == 0 || str_casecmp_ascii(r[i - 1].name, r[i].name) != 0;
	free(r);
	return first;
}

static void
field_add(struct smime_field **v, size_t *n, const char *name, size_t name_len,
	  char *value)
{
	if ((*n & (*n - 1)) == 0)	/* doubling: 0, 1, 2, 4... */
		*v = xrealloc(*v, (*n ? 2 * *n : 1) * sizeof **v);
	(*v)[*n].name = xstrndup(name, name_len);
	(*v)[*n].value = value;
	(*n)++;
}

enum smime_hp
hp_mode_of(const struct mime_entity *m)
{
	struct mime_ctype ct;
	const char *hp;
	enum smime_hp mode = SMIME_HP_NONE;

	mime_entity_ctype(m, &ct);
	hp = mime_ctype_param(&ct, "hp");
	if (hp && str_casecmp_ascii(hp, "clear") == 0)
		mode = SMIME_HP_CLEAR;
	else if (hp && str_casecmp_ascii(hp, "cipher") == 0)
		mode = SMIME_HP_CIPHER;
	mime_ctype_release(&ct);
	return mode;
}

void
hp_read_root(const struct mime_entity *root, struct smime_verdict *v)
{
	struct mime_field f;
	size_t pos = 0;

	v->hp = hp_mode_of(root);
	if (v->hp == SMIME_HP_NONE)
		return;
	while (mime_field_next(&root->hdr, &pos, &f)) {
		if (mime_field_is(&f, "HP-Outer")) {
			/* "HP-Outer: Name: value": the outer field it records. */
			char *val = mime_field_value(&f), *colon = strchr(val, ':');

			if (colon) {
				char *name, *rest = str_trim(colon + 1);

				*colon = '\0';
				name = str_trim(val);
				if (*name)
					field_add(&v->hp_outer, &v->n_hp_outer, name,
						  strlen(name), xstrdup(rest));
			}
			free(val);
			continue;
		}
		if (is_message_field(&f))
			field_add(&v->protected_fields, &v->n_protected, f.name.p,
				  f.name.n, mime_field_value(&f));
	}
}

static const char *
field_find(const struct smime_field *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (str_casecmp_ascii(v[i].name, name) == 0)
			return v[i].value;
	return NULL;
}

const char *
smime_protected_header(const struct smime_verdict *v, const char *name)
{
	if (v == NULL || v->hp == SMIME_HP_NONE)
		return NULL;
	return field_find(v->protected_fields, v->n_protected, name);
}

/* A value as a person reads it, for comparing: encoded words decoded,
 * runs of white space one space. */
static char *
comparable(const char *value)
{
	char *d = mime_header_decode(value), *r = xmalloc(strlen(d) + 1), *q = r;
	const char *p;
	bool space = false;

	for (p = d; *p; p++) {
		if (*p == ' ' || *p == '\t') {
			space = q != r;
			continue;
		}
		if (space)
			*q++ = ' ';
		space = false;
		*q++ = *p;
	}
	*q = '\0';
	free(d);
	return r;
}

static bool
same_value(const char *a, const char *b)
{
	char *ca = comparable(a), *cb = comparable(b);
	bool same = strcmp(ca, cb) == 0;

	free(ca);
	free(cb);
	return same;
}

size_t
hp_check_outer(const struct mime_entity *msg, struct smime_verdict *v)
{
	/* A sender that records no HP-Outer is checked as if signing only,
	 * but for the Subject it may have hidden. */
	bool by_hp_outer = v->hp == SMIME_HP_CIPHER && v->n_hp_outer > 0;
	size_t i;

	if (v->hp == SMIME_HP_NONE)
		return 0;
	for (i = 0; smime_hp_fields[i]; i++) {
		const char *name = smime_hp_fields[i], *expected;
		char *outer = mime_header_get(msg, name, 0);
		struct smime_header_change *c;

		expected = by_hp_outer ? field_find(v->hp_outer, v->n_hp_outer, name)
			: field_find(v->protected_fields, v->n_protected, name);
		if ((outer == NULL && expected == NULL) ||
		    (outer && expected && same_value(outer, expected)) ||
		    (v->hp == SMIME_HP_CIPHER && !by_hp_outer && outer &&
		     str_casecmp_ascii(name, "Subject") == 0 &&
		     (strcmp(outer, HP_OBSCURED_SUBJECT) == 0 || strcmp(outer, "...") == 0))) {
			free(outer);
			continue;
		}
		v->header_changes = xrealloc(v->header_changes, (v->n_header_changes + 1) *
					     sizeof *v->header_changes);
		c = &v->header_changes[v->n_header_changes++];
		c->name = name;
		c->outer = outer;
		c->expected = expected ? xstrdup(expected) : NULL;
	}
	return v->n_header_changes;
}

static void
fields_free(struct smime_field *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

void
hp_verdict_release(struct smime_verdict *v)
{
	size_t i;

	fields_free(v->protected_fields, v->n_protected);
	fields_free(v->hp_outer, v->n_hp_outer);
	for (i = 0; i < v->n_header_changes; i++) {
		free(v->header_changes[i].outer);
		free(v->header_changes[i].expected);
	}
	free(v->header_changes);
}
