/* recipients.c — recipient address -> certificate, from gpgsm's keybox. */
#include "client/recipients.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	char *addr;		/* owned */
	char *fpr;		/* owned; NULL when none is usable */
	char *reason;		/* owned; why not */
};

struct recipients {
	struct smime_engine *eng;	/* foreign */
	struct entry *v;		/* owned */
	size_t n;
	const char **out;		/* owned array, strings foreign */
};

struct recipients *
recipients_new(struct smime_engine *eng)
{
	struct recipients *r = xcalloc(1, sizeof *r);

	r->eng = eng;
	return r;
}

void
recipients_free(struct recipients **rp)
{
	struct recipients *r;
	size_t i;

	if (rp == NULL || (r = *rp) == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->v[i].addr);
		free(r->v[i].fpr);
		free(r->v[i].reason);
	}
	free(r->v);
	free(r->out);
	free(r);
	*rp = NULL;
}

static int
lookup(struct recipients *r, const char *addr, struct entry **out, struct err *e)
{
	struct err le = { 0 };
	struct entry *en;
	size_t i;
	char *fpr = NULL;

	for (i = 0; i < r->n; i++)
		if (str_casecmp_ascii(r->v[i].addr, addr) == 0) {
			*out = &r->v[i];
			return 0;
		}
	if (smime_find_recipient(r->eng, addr, &fpr, &le) < 0 && le.code != ERR_NOCERT) {
		*e = le;
		return -1;
	}
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	en = &r->v[r->n++];
	en->addr = xstrdup(addr);
	en->fpr = fpr;
	/* The engine's reason reads "addr: why"; keep the why. */
	en->reason = fpr ? NULL : xstrdup(strstr(le.msg, ": ") ? strstr(le.msg, ": ") + 2
					  : le.msg);
	*out = en;
	return 0;
}

int
recipients_resolve(struct recipients *r, const char *const *addrs, size_t n,
		   const char ***fprs, struct err *e)
{
	struct buf missing = BUF_INIT;
	size_t i;

	free(r->out);
	r->out = xcalloc(n + 1, sizeof *r->out);
	*fprs = NULL;
	for (i = 0; i < n; i++) {
		struct entry *en;

		if (lookup(r, addrs[i], &en, e) < 0) {
			buf_release(&missing);
			return -1;
		}
		if (en->fpr == NULL)
			buf_addf(&missing, "%s%s (%s)", missing.len ? ", " : "", en->addr,
				 en->reason);
		r->out[i] = en->fpr;
	}
	if (missing.len) {
		err_set(e, ERR_NOCERT, "no usable certificate for %s", missing.data);
		buf_release(&missing);
		return -1;
	}
	*fprs = r->out;
	return 0;
}
