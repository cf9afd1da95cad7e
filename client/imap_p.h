/* imap_p.h — what the IMAP session's files share and nobody else sees. */
#ifndef CACHET_CLIENT_IMAP_P_H
#define CACHET_CLIENT_IMAP_P_H

#include <libetpan/libetpan.h>

#include "client/imap.h"
#include "client/tls.h"

struct imap_session {
	mailimap *imap;			/* owned; owns the stream once connected */
	struct tls_options tls;		/* host and ca_file foreign */
	bool authenticated;
	bool condstore;			/* the selected folder has MODSEQs */
	unsigned tag;			/* of the commands sent without libetpan */
	struct buf alerts;		/* [ALERT] texts received inside TLS */
	imap_progress_fn *progress;	/* may be NULL */
	void *progress_arg;		/* foreign */
	char *user;			/* owned; the account's user, or NULL */
	char *folder;			/* owned; the selected folder, or NULL */
	uint32_t uidvalidity;		/* of the selected folder */
};

/* libetpan's result code r, in words a person can act on; returns -1. */
int imap_fail(struct imap_session *s, int r, struct err *e, const char *doing);
bool imap_has_capability(const struct imap_session *s, const char *name);
/* The flags (enum imap_flag bits) as libetpan's list, owned by the caller. */
struct mailimap_flag_list *imap_flag_list(unsigned flags);
/*
 * Sends "TAG cmd" (cmd without tag and line end) and reads the answers up
 * to the tagged one: 0 on OK, -1 with ERR_PROTOCOL and the server's words
 * on NO or BAD, ERR_NETWORK when the connection is lost.
 */
int imap_simple_command(struct imap_session *s, const char *cmd,
			const char *doing, struct err *e);

#endif
