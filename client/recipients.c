/* recipients.c — recipient address -> certificate, from the certstore's bindings. */
#include "client/recipients.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certstore/certstore.h"

struct entry {
	char *addr;		/* owned */
	char *fpr;		/* owned; NULL when none is usable */
	char *reason;		/* owned; why not */
	bool conflict;		/* a certificate conflict waits for a decision */
	struct certstore_cert *cert; /* owned; chosen, not yet given to the engine */
	unsigned caps;		/* SMIME_CAP_* the binding announced */
	const char *transport;	/* static; the key transport, when known */
};

struct recipients {
	struct smime_engine *eng;	/* foreign */
	const char *data_dir;		/* foreign */
	const char *gnupg_home;		/* foreign, may be NULL */
	struct certstore *store;	/* owned; opened on first use */
	struct entry *v;		/* owned */
	size_t n;
	const char **out;		/* owned array, strings foreign */
	unsigned *caps_out;		/* owned; beside out */
};

struct recipients *
recipients_new(struct smime_engine *eng, const char *data_dir,
	       const char *gnupg_home)
{
	struct recipients *r = xcalloc(1, sizeof *r);

	r->eng = eng;
	r->data_dir = data_dir;
	r->gnupg_home = gnupg_home;
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
		certstore_cert_free(&r->v[i].cert);
	}
	free(r->v);
	free(r->out);
	free(r->caps_out);
	certstore_close(&r->store);
	free(r);
	*rp = NULL;
}

/*
 * The person's own address (a secret key for it in gpgsm) encrypts to their
 * own certificate; every other address gets what the binding table chose,
 * handed to the engine when import is set (encryption takes it from
 * there; nothing is written to gpgsm's keybox).
 */
static int
lookup(struct recipients *r, const char *addr, bool import, struct entry **out,
       struct err *e)
{
	struct certstore_choice ch;
	struct certstore_cert *cert = NULL;
	struct err le = { 0 };
	struct entry *en;
	size_t i;
	char *fpr = NULL, *reason = NULL;
	const char *transport = NULL;
	bool conflict = false;
	/* The sender's own certificate announces what cachet does. */
	unsigned caps = smime_capabilities_flags(smime_own_capabilities());

	for (i = 0; i < r->n; i++)
		if (str_casecmp_ascii(r->v[i].addr, addr) == 0) {
			en = &r->v[i];
			if (import && en->cert) {
				if (smime_engine_add_cert(r->eng, en->cert->der,
							  en->cert->der_len, e) < 0)
					return -1;
				certstore_cert_free(&en->cert);
			}
			*out = en;
			return 0;
		}
	if (smime_find_signer(r->eng, addr, &fpr, &le) == 0) {
		transport = smime_keybox_transport(r->eng, fpr, caps);
	} else {
		if (le.code != ERR_NOCERT) {
			*e = le;
			return -1;
		}
		if (r->store == NULL &&
		    certstore_open(r->data_dir, r->gnupg_home, &r->store, e) < 0)
			return -1;
		if (certstore_choose(r->store, addr, time(NULL), &ch, e) < 0)
			return -1;
		if (ch.found) {
			caps = smime_capabilities_flags(ch.capabilities);
			transport = smime_key_transport(ch.cert->der, ch.cert->der_len, caps);
			if (import && smime_engine_add_cert(r->eng, ch.cert->der,
							    ch.cert->der_len, e) < 0) {
				certstore_choice_release(&ch);
				return -1;
			}
			fpr = xstrdup(ch.cert->fpr_sha1);
			if (!import) {
				cert = ch.cert;
				ch.cert = NULL;
			}
		} else {
			reason = ch.detail;
			ch.detail = NULL;
			conflict = ch.why == CERTSTORE_NONE_CONFLICT;
		}
		certstore_choice_release(&ch);
	}
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	en = &r->v[r->n++];
	en->addr = xstrdup(addr);
	en->fpr = fpr;
	en->reason = reason;
	en->conflict = conflict;
	en->cert = cert;
	en->caps = fpr ? caps : 0;
	en->transport = transport;
	*out = en;
	return 0;
}

int
recipients_check(struct recipients *r, const char *addr, const char **fpr,
		 const char **why, bool *conflict, unsigned *caps,
		 const char **transport, struct err *e)
{
	struct entry *en;

	if (lookup(r, addr, false, &en, e) < 0)
		return -1;
	*caps = en->caps;
	*transport = en->transport;
	*fpr = en->fpr;
	*why = en->reason;
	*conflict = en->conflict;
	return 0;
}

int
recipients_resolve(struct recipients *r, const char *const *addrs, size_t n,
		   const char ***fprs, struct err *e)
{
	struct buf missing = BUF_INIT;
	bool conflict = false;
	size_t i;

	free(r->out);
	free(r->caps_out);
	r->out = xcalloc(n + 1, sizeof *r->out);
	r->caps_out = xcalloc(n + 1, sizeof *r->caps_out);
	*fprs = NULL;
	for (i = 0; i < n; i++) {
		struct entry *en;

		if (lookup(r, addrs[i], true, &en, e) < 0) {
			buf_release(&missing);
			return -1;
		}
		if (en->fpr == NULL) {
			buf_addf(&missing, "%s%s (%s)", missing.len ? ", " : "", en->addr,
				 en->reason);
			conflict |= en->conflict;
		}
		r->out[i] = en->fpr;
		r->caps_out[i] = en->caps;
	}
	/*
	 * A conflict may be someone slipping in their own certificate: that is
	 * not "no certificate, send in the clear" but a question for the
	 * person, so callers that fall back to plain text must stop instead.
	 */
	if (missing.len) {
		err_set(e, conflict ? ERR_POLICY : ERR_NOCERT,
			"no usable certificate for %s", missing.data);
		buf_release(&missing);
		return -1;
	}
	*fprs = r->out;
	return 0;
}

const unsigned *
recipients_capabilities(const struct recipients *r)
{
	return r->caps_out;
}
