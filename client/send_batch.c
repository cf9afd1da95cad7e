/*
 * send_batch.c — what the messages of one run share: the SMTP and IMAP
 * sessions, the pace of the transfers, and the pauses before a transfer
 * the server refused for now is tried again.
 */
#include "client/send.h"
#include "client/send_p.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "client/imap.h"
#include "client/smtp.h"
#include "client/tls.h"
#include "crypto/smime.h"

#define BACKOFF_MAX_S 60

int
send_batch_new(const struct account *a, unsigned interval_ms, unsigned max_wait,
	       struct send_batch **out, struct err *e)
{
	struct send_batch *b;

	(void)e;
	b = xcalloc(1, sizeof *b);
	b->a = a;
	b->interval_ms = interval_ms;
	b->max_wait = max_wait;
	*out = b;
	return 0;
}

size_t
send_batch_retries(const struct send_batch *b)
{
	return b ? b->retries : 0;
}

void
send_batch_signed(struct send_batch *b)
{
	if (b)
		smime_engine_free(&b->eng);
}

void
send_batch_free(struct send_batch **bp)
{
	struct send_batch *b;

	if (bp == NULL || (b = *bp) == NULL)
		return;
	smtp_close(&b->smtp);
	imap_close(&b->imap);
	smime_engine_free(&b->eng);
	free(b->sent_folder);
	free(b);
	*bp = NULL;
}

static double
elapsed_ms(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) * 1000.0 +
	       (double)(to->tv_nsec - from->tv_nsec) / 1e6;
}

/* Sleeps ms milliseconds in steps, so an interruption ends it soon:
 * -1 when interrupted. */
static int
pause_ms(double ms)
{
	while (ms > 0) {
		double step = ms < 200 ? ms : 200;
		struct timespec ts = { (time_t)(step / 1000),
				       (long)((step - (double)(time_t)(step / 1000) * 1000)
					      * 1e6) };

		if (tls_interrupted())
			return -1;
		if (nanosleep(&ts, NULL) < 0 && errno != EINTR)
			return -1;
		ms -= step;
	}
	return tls_interrupted() ? -1 : 0;
}

int
send_batch_pace(struct send_batch *b)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (b->started && b->interval_ms) {
		double wait = b->interval_ms - elapsed_ms(&b->last, &now);

		if (wait > 0 && pause_ms(wait) < 0)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &now);
	}
	b->last = now;
	b->started = true;
	return 0;
}

int
send_batch_backoff(struct send_batch *b, unsigned attempt, unsigned *waited)
{
	unsigned s = attempt >= 6 ? BACKOFF_MAX_S : 1u << attempt;

	if (s > BACKOFF_MAX_S)
		s = BACKOFF_MAX_S;
	if (*waited >= b->max_wait)
		return -1;
	if (*waited + s > b->max_wait)
		s = b->max_wait - *waited;
	*waited += s;
	b->retries++;
	return pause_ms(s * 1000.0);
}
