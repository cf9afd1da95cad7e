/* send_p.h — what the send pipeline's files share and nobody else sees. */
#ifndef CACHET_CLIENT_SEND_P_H
#define CACHET_CLIENT_SEND_P_H

#include <stdbool.h>
#include <stdio.h>

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

void send_copies_free(struct send_copy **copies, size_t n);

/*
 * Delivers the copies of plan through the outbox (send_deliver.c): each
 * is stored before it leaves, its state written before and after DATA,
 * the To/Cc copy filed in Sent; what did not go waits.  rep as
 * send_perform's.
 */
int send_deliver(const struct account *a, const struct send_plan *plan,
		 const struct send_options *o, struct send_copy *c, size_t nc,
		 struct send_report *rep, FILE *info, struct err *e);

#endif
