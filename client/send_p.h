/* send_p.h — what the send pipeline's files share and nobody else sees. */
#ifndef CACHET_CLIENT_SEND_P_H
#define CACHET_CLIENT_SEND_P_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "client/outbox.h"
#include "client/send.h"

/*
 * One message as it is submitted: the To/Cc copy, filed in Sent, or, when
 * the message is encrypted, the copy of one Bcc recipient, whose
 * RecipientInfos name that recipient and the sender only.
 */
struct send_copy {
	struct buf msg;		/* owned; the bytes submitted */
	char **rcpts;		/* owned array of foreign addresses: the envelope */
	size_t n_rcpts;
	bool filed;		/* the copy that goes to Sent */
	const char *bcc;	/* foreign; the Bcc recipient of this copy, or NULL */
	bool accepted;		/* the server took it */
	bool maybe_sent;	/* the answer after the final dot was lost */
	struct err failure;	/* why not, when submission failed */
	struct outbox_entry ent; /* owned; its outbox entry (id NULL: none) */
};

struct smtp_session;
struct imap_session;
struct smime_engine;

/* Sessions and pacing of one run (send.h). */
struct send_batch {
	const struct account *a;	/* foreign */
	struct smtp_session *smtp;	/* owned; NULL until the first transfer */
	struct imap_session *imap;	/* owned; NULL until the first copy */
	struct smime_engine *eng;	/* owned; NULL until the first signature */
	char *sent_folder;		/* owned; the Sent folder chosen on imap */
	unsigned interval_ms;
	unsigned max_wait;		/* seconds of backoff per message */
	struct timespec last;		/* start of the last transfer */
	bool started;			/* last is set */
	size_t retries;
};

/*
 * Waits until the batch's pace allows the next transfer, and notes its
 * start: -1 when interrupted.
 */
int send_batch_pace(struct send_batch *b);
/*
 * The pause before try attempt + 2 of one transfer (1 s, 2 s, 4 s ...,
 * at most 60 s), *waited counting the seconds this transfer has waited:
 * -1 when the batch's max_wait is spent or the pause was interrupted.
 */
int send_batch_backoff(struct send_batch *b, unsigned attempt, unsigned *waited);

void send_copies_free(struct send_copy **copies, size_t n);

/*
 * Delivery through the outbox (send_deliver.c).  send_store stores every
 * copy of plan before anything leaves (and drops the older unsent copies
 * of the same Message-ID).  send_submit then transfers them, each state
 * written before and after DATA, files the To/Cc copy in Sent, and leaves
 * what did not go waiting; rep as send_perform's.
 */
int send_store(const struct account *a, const struct send_plan *plan,
	       const struct send_options *o, struct send_copy *c, size_t nc,
	       FILE *info, struct err *e);
int send_submit(const struct account *a, const struct send_options *o,
		struct send_copy *c, size_t nc, struct send_report *rep, FILE *info,
		struct err *e);

/* A message stored in the outbox, its transfer to come (send.h). */
struct send_staged {
	struct send_copy *copies;	/* owned */
	size_t n_copies;
};

#endif
