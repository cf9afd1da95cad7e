/*
 * thread.c — the index in threads: each message under the one it answers,
 * found by Message-ID through In-Reply-To and References; a message whose
 * parent is not in the folder starts a thread of its own, unless its
 * subject is a reply ("Re: X") to the subject of an earlier thread start.
 */
#include "ui/ui_p.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The ids "<...>" of a header value, in order (owned, n_out of them). */
static char **
ids_of(const char *value, size_t *n_out)
{
	char **ids = NULL;
	size_t n = 0;
	const char *p = value, *lt, *gt;

	while (p && (lt = strchr(p, '<')) != NULL && (gt = strchr(lt, '>')) != NULL) {
		if (gt > lt + 1) {
			ids = xrealloc(ids, (n + 1) * sizeof(*ids));
			ids[n++] = xstrndup(lt, (size_t)(gt - lt + 1));
		}
		p = gt + 1;
	}
	*n_out = n;
	return ids;
}

static void
ids_free(char **ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* The first id of a Message-ID value, or NULL. */
static char *
first_id(const char *value)
{
	size_t n, i;
	char **ids = ids_of(value, &n);
	char *r = n ? ids[0] : NULL;

	for (i = 1; i < n; i++)
		free(ids[i]);
	free(ids);
	return r;
}

/* The subject without "Re:", "Fwd:", "Fw:" prefixes and spaces, lower case. */
static char *
base_subject(const char *s, bool *reply)
{
	char *r;
	bool again = true;

	*reply = false;
	while (again && s) {
		again = false;
		while (*s == ' ' || *s == '\t')
			s++;
		if (strncasecmp(s, "re:", 3) == 0 ||
		    strncasecmp(s, "fw:", 3) == 0) {
			s += 3;
			*reply = again = true;
		} else if (strncasecmp(s, "fwd:", 4) == 0) {
			s += 4;
			*reply = again = true;
		}
	}
	r = xstrdup(s ? s : "");
	str_lower_ascii(r);
	return r;
}

struct node {
	char *id;		/* owned; first id of Message-ID, or NULL */
	size_t parent;		/* index, or SIZE_MAX */
	size_t first_child, next_sibling;	/* SIZE_MAX: none */
};

/* A key (an id, a subject) and the message it belongs to, for bsearch. */
struct entry {
	const char *key;	/* foreign */
	size_t idx;
};

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int
entry_key_cmp(const void *key, const void *e)
{
	return strcmp(key, ((const struct entry *)e)->key);
}

/* The first message (lowest index) whose key is key, or SIZE_MAX. */
static size_t
find_key(const struct entry *v, size_t n, const char *key)
{
	const struct entry *hit;

	if (key == NULL || n == 0)
		return SIZE_MAX;
	hit = bsearch(key, v, n, sizeof(*v), entry_key_cmp);
	if (hit == NULL)
		return SIZE_MAX;
	while (hit > v && strcmp(hit[-1].key, key) == 0)
		hit--;
	return hit->idx;
}

/* True when making p the parent of i would close a loop. */
static bool
loops(const struct node *nodes, size_t i, size_t p)
{
	size_t steps = 0;

	while (p != SIZE_MAX) {
		if (p == i || steps++ > 100000)
			return true;
		p = nodes[p].parent;
	}
	return false;
}

/* Earlier first: by date, then by position. */
static bool
before(const struct mail_envelope *env, size_t a, size_t b)
{
	if (env[a].date != env[b].date && env[a].date && env[b].date)
		return env[a].date < env[b].date;
	return a < b;
}

static void
insert_child(struct node *nodes, const struct mail_envelope *env, size_t parent,
	     size_t child)
{
	size_t *link = &nodes[parent].first_child;

	while (*link != SIZE_MAX && before(env, *link, child))
		link = &nodes[*link].next_sibling;
	nodes[child].next_sibling = *link;
	*link = child;
	nodes[child].parent = parent;
}

static void
walk(const struct node *nodes, size_t i, unsigned depth, size_t *order,
     unsigned *depths, size_t *k)
{
	size_t c;

	order[*k] = i;
	depths[(*k)++] = depth;
	for (c = nodes[i].first_child; c != SIZE_MAX; c = nodes[c].next_sibling)
		walk(nodes, c, depth + 1, order, depths, k);
}

void
ui_thread_order(const struct mail_envelope *env, size_t n, size_t *order,
		unsigned *depth)
{
	size_t m = n ? n : 1;
	struct node *nodes = xcalloc(m, sizeof(*nodes));
	struct entry *ids = xcalloc(m, sizeof(*ids)), *subjects = xcalloc(m, sizeof(*subjects));
	size_t *parent_of = xcalloc(m, sizeof(*parent_of));
	size_t *roots = xcalloc(m, sizeof(*roots));
	char **base = xcalloc(m, sizeof(*base));
	bool *reply = xcalloc(m, sizeof(*reply));
	size_t i, j, k = 0, n_ids = 0, n_subjects = 0, n_roots = 0;

	for (i = 0; i < n; i++) {
		nodes[i].id = first_id(env[i].message_id);
		nodes[i].parent = nodes[i].first_child = nodes[i].next_sibling = SIZE_MAX;
		if (nodes[i].id) {
			ids[n_ids].key = nodes[i].id;
			ids[n_ids++].idx = i;
		}
	}
	/* By id, then position: a second message with an id is not its target. */
	if (n_ids > 1)
		qsort(ids, n_ids, sizeof(*ids), entry_cmp);
	/* The parent: In-Reply-To when known, else the last known reference. */
	for (i = 0; i < n; i++) {
		size_t p = SIZE_MAX, n_refs;
		char **refs = ids_of(env[i].in_reply_to, &n_refs);

		for (j = 0; j < n_refs && p == SIZE_MAX; j++)
			p = find_key(ids, n_ids, refs[j]);
		ids_free(refs, n_refs);
		if (p == SIZE_MAX) {
			refs = ids_of(env[i].references, &n_refs);
			for (j = n_refs; j > 0 && p == SIZE_MAX; j--)
				p = find_key(ids, n_ids, refs[j - 1]);
			ids_free(refs, n_refs);
		}
		parent_of[i] = p == i ? SIZE_MAX : p;
	}
	/* Linked one by one, so that no loop can form. */
	for (i = 0; i < n; i++)
		if (parent_of[i] != SIZE_MAX && !loops(nodes, i, parent_of[i]))
			nodes[i].parent = parent_of[i];
	/*
	 * Replies whose parent is unknown go under the earliest message that
	 * starts a thread with their subject (and is not a reply itself).
	 */
	for (i = 0; i < n; i++) {
		base[i] = base_subject(env[i].subject, &reply[i]);
		if (!reply[i] && nodes[i].parent == SIZE_MAX && *base[i]) {
			subjects[n_subjects].key = base[i];
			subjects[n_subjects++].idx = i;
		}
	}
	if (n_subjects > 1)
		qsort(subjects, n_subjects, sizeof(*subjects), entry_cmp);
	for (i = 0; i < n; i++) {
		const struct entry *hit;
		size_t best = SIZE_MAX;

		if (!reply[i] || nodes[i].parent != SIZE_MAX || !*base[i] || n_subjects == 0)
			continue;
		hit = bsearch(base[i], subjects, n_subjects, sizeof(*subjects),
			      entry_key_cmp);
		if (hit == NULL)
			continue;
		while (hit > subjects && strcmp(hit[-1].key, base[i]) == 0)
			hit--;
		for (; hit < subjects + n_subjects && strcmp(hit->key, base[i]) == 0; hit++)
			if (best == SIZE_MAX || before(env, hit->idx, best))
				best = hit->idx;
		if (best != SIZE_MAX && before(env, best, i) && !loops(nodes, i, best))
			nodes[i].parent = best;
	}
	/* Children in date order under each parent; roots by date. */
	for (i = 0; i < n; i++) {
		size_t p = nodes[i].parent;

		nodes[i].parent = SIZE_MAX;
		if (p != SIZE_MAX)
			insert_child(nodes, env, p, i);
		else
			roots[n_roots++] = i;
	}
	for (i = 1; i < n_roots; i++) {
		size_t r = roots[i];

		for (j = i; j > 0 && before(env, r, roots[j - 1]); j--)
			roots[j] = roots[j - 1];
		roots[j] = r;
	}
	for (i = 0; i < n_roots; i++)
		walk(nodes, roots[i], 0, order, depth, &k);
	for (i = 0; i < n; i++) {
		free(nodes[i].id);
		free(base[i]);
	}
	free(nodes);
	free(ids);
	free(subjects);
	free(parent_of);
	free(roots);
	free(base);
	free(reply);
}
