/* test_thread.c — the index in threads. */
#include <stdlib.h>
#include <string.h>

#include "ui/ui_p.h"
#include "tests/unit/check.h"

struct msg {
	const char *subject, *id, *irt, *refs;
	time_t date;
};

/* Runs the threading and renders it "subject/depth subject/depth ...". */
static char *
threads(const struct msg *m, size_t n)
{
	struct mail_envelope *env = xcalloc(n ? n : 1, sizeof(*env));
	size_t *order = xcalloc(n ? n : 1, sizeof(*order)), i;
	unsigned *depth = xcalloc(n ? n : 1, sizeof(*depth));
	struct buf out = BUF_INIT;

	for (i = 0; i < n; i++) {
		env[i].subject = (char *)m[i].subject;
		env[i].message_id = (char *)m[i].id;
		env[i].in_reply_to = (char *)m[i].irt;
		env[i].references = (char *)m[i].refs;
		env[i].date = m[i].date;
	}
	ui_thread_order(env, n, order, depth);
	buf_adds(&out, "");
	for (i = 0; i < n; i++)
		buf_addf(&out, "%s%s/%u", i ? " " : "", m[order[i]].subject, depth[i]);
	free(env);
	free(order);
	free(depth);
	return buf_detach(&out, NULL);
}

static void
check_threads(const struct msg *m, size_t n, const char *want, int line)
{
	char *got = threads(m, n);

	if (strcmp(got, want) != 0) {
		fprintf(stderr, "test_thread.c:%d: got \"%s\", expected \"%s\"\n", line,
			got, want);
		check_failures++;
	}
	check_count++;
	free(got);
}

#define THREADS(m, want) check_threads(m, sizeof(m) / sizeof((m)[0]), want, __LINE__)

int
main(void)
{
	/* Replies under their parent, threads by their first message's date. */
	static const struct msg basic[] = {
		{ "a", "<a@x>", NULL, NULL, 100 },
		{ "b", "<b@x>", NULL, NULL, 200 },
		{ "Re: a", "<a1@x>", "<a@x>", "<a@x>", 300 },
		{ "Re: b", "<b1@x>", "<b@x>", NULL, 400 },
		{ "Re: Re: a", "<a2@x>", "<a1@x>", "<a@x> <a1@x>", 500 },
		{ "Re: a (2)", "<a3@x>", " <a@x> (Alice's message)", NULL, 450 },
	};
	/* No In-Reply-To: the last reference that is in the folder. */
	static const struct msg refs[] = {
		{ "root", "<r@x>", NULL, NULL, 1 },
		{ "deep", "<d@x>", NULL, "<r@x> <gone@x> <m@x> <elsewhere@x>", 3 },
		{ "mid", "<m@x>", "<r@x>", NULL, 2 },
	};
	/* A parent that is not in the folder; a reply by subject only. */
	static const struct msg orphans[] = {
		{ "Lunch", "<l@x>", NULL, NULL, 10 },
		{ "Re: lunch", NULL, NULL, NULL, 20 },
		{ "Re: Other", "<o1@x>", "<missing@x>", NULL, 5 },
		{ "Fwd: LUNCH", "<f@x>", NULL, NULL, 30 },
	};
	/* Loops and duplicates do not hang nor lose messages. */
	static const struct msg loop[] = {
		{ "x", "<x@x>", "<y@x>", NULL, 1 },
		{ "y", "<y@x>", "<x@x>", NULL, 2 },
		{ "self", "<s@x>", "<s@x>", NULL, 3 },
		{ "dup", "<x@x>", NULL, NULL, 4 },
	};
	/* Without dates: the folder's order. */
	static const struct msg nodate[] = {
		{ "one", "<1@x>", NULL, NULL, 0 },
		{ "two", "<2@x>", NULL, NULL, 0 },
		{ "re one", "<3@x>", "<1@x>", NULL, 0 },
	};

	THREADS(basic, "a/0 Re: a/1 Re: Re: a/2 Re: a (2)/1 b/0 Re: b/1");
	THREADS(refs, "root/0 mid/1 deep/2");
	THREADS(orphans, "Re: Other/0 Lunch/0 Re: lunch/1 Fwd: LUNCH/1");
	THREADS(loop, "y/0 x/1 self/0 dup/0");
	THREADS(nodate, "one/0 re one/1 two/0");
	/* A large folder: message i answers message i / 2 (a binary tree). */
	{
		enum { BIG = 50000 };
		struct mail_envelope *env = xcalloc(BIG, sizeof(*env));
		size_t *order = xcalloc(BIG, sizeof(*order)), i, seen = 0;
		unsigned *depth = xcalloc(BIG, sizeof(*depth));
		bool *hit = xcalloc(BIG, sizeof(*hit));

		for (i = 0; i < BIG; i++) {
			env[i].subject = xasprintf("Re: big %zu", i);
			env[i].message_id = xasprintf("<m%zu@x>", i);
			env[i].in_reply_to = i ? xasprintf("<m%zu@x>", i / 2) : NULL;
			env[i].date = (time_t)(1000 + (i * 7919) % BIG);
		}
		ui_thread_order(env, BIG, order, depth);
		for (i = 0; i < BIG; i++)
			if (order[i] < BIG && !hit[order[i]]) {
				hit[order[i]] = true;
				seen++;
			}
		CHECK_INT(seen, BIG);
		CHECK_INT(order[0], 0);
		CHECK_INT(depth[0], 0);
		/* Every other message is in the one thread, depth log2(i) + 1. */
		for (i = 1; i < BIG; i++)
			if (order[i] == 32768)
				CHECK_INT(depth[i], 16);
		for (i = 0; i < BIG; i++) {
			free(env[i].subject);
			free(env[i].message_id);
			free(env[i].in_reply_to);
		}
		free(env);
		free(order);
		free(depth);
		free(hit);
	}
	{
		char *empty = threads(NULL, 0);

		CHECK_STR(empty, "");
		free(empty);
	}
	return check_exit();
}
