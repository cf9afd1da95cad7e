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

static size_t
find_id(const struct node *nodes, size_t n, const char *id)
{
	size_t i;

	for (i = 0; id && i < n; i++)
		if (nodes[i].id && strcmp(nodes[i].id, id) == 0)
			return i;
	return SIZE_MAX;
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
before(const struct ui_envelope *env, size_t a, size_t b)
{
	if (env[a].date != env[b].date && env[a].date && env[b].date)
		return env[a].date < env[b].date;
	return a < b;
}

static void
insert_child(struct node *nodes, const struct ui_envelope *env, size_t parent,
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
ui_thread_order(const struct ui_envelope *env, size_t n, size_t *order,
		unsigned *depth)
{
	struct node *nodes = xcalloc(n ? n : 1, sizeof(*nodes));
	size_t *parent_of = xcalloc(n ? n : 1, sizeof(*parent_of));
	size_t *roots = xcalloc(n ? n : 1, sizeof(*roots));
	size_t i, j, k = 0, n_roots = 0;

	for (i = 0; i < n; i++) {
		nodes[i].id = first_id(env[i].message_id);
		/* A second message with the same id is not its target. */
		if (nodes[i].id && find_id(nodes, i, nodes[i].id) != SIZE_MAX) {
			free(nodes[i].id);
			nodes[i].id = NULL;
		}
		nodes[i].parent = nodes[i].first_child = nodes[i].next_sibling = SIZE_MAX;
	}
	/* The parent: In-Reply-To when known, else the last known reference. */
	for (i = 0; i < n; i++) {
		size_t p = SIZE_MAX, n_ids;
		char **ids = ids_of(env[i].in_reply_to, &n_ids);

		for (j = 0; j < n_ids && p == SIZE_MAX; j++)
			p = find_id(nodes, n, ids[j]);
		ids_free(ids, n_ids);
		if (p == SIZE_MAX) {
			ids = ids_of(env[i].references, &n_ids);
			for (j = n_ids; j > 0 && p == SIZE_MAX; j--)
				p = find_id(nodes, n, ids[j - 1]);
			ids_free(ids, n_ids);
		}
		parent_of[i] = p == i ? SIZE_MAX : p;
	}
	/* Linked one by one, so that no loop can form. */
	for (i = 0; i < n; i++)
		if (parent_of[i] != SIZE_MAX && !loops(nodes, i, parent_of[i]))
			nodes[i].parent = parent_of[i];
	/* Replies whose parent is unknown: under the thread of their subject. */
	for (i = 0; i < n; i++) {
		bool reply, reply_j;
		char *bi;

		if (nodes[i].parent != SIZE_MAX)
			continue;
		bi = base_subject(env[i].subject, &reply);
		for (j = 0; reply && *bi && j < n; j++) {
			char *bj;

			if (j == i || nodes[j].parent != SIZE_MAX || !before(env, j, i))
				continue;
			bj = base_subject(env[j].subject, &reply_j);
			if (!reply_j && strcmp(bi, bj) == 0 && !loops(nodes, i, j)) {
				nodes[i].parent = j;
				free(bj);
				break;
			}
			free(bj);
		}
		free(bi);
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
	for (i = 0; i < n; i++)
		free(nodes[i].id);
	free(nodes);
	free(parent_of);
	free(roots);
}
