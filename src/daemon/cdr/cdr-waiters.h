/* Requests waiting for their CDR to become durable without holding a
 * thread: the HTTP layer suspends the connection, the journal's flusher
 * resumes it once the record settled (durable or failed). With this, a few
 * HTTP threads carry many concurrent CDR posts and one fdatasync answers a
 * whole group with one wake-up per thread instead of one per request. */
#ifndef VOIPADMIN_CDR_WAITERS_H
#define VOIPADMIN_CDR_WAITERS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct cdr_journal;

struct cdr_waiter {
	uint64_t seq;
	void (*resume)(void *arg);
	void *arg;
};

struct cdr_waiters {
	struct cdr_journal *j;
	pthread_mutex_t mu;
	struct cdr_waiter *v;
	size_t n, cap;
};

int cdr_waiters_init(struct cdr_waiters *w, struct cdr_journal *j);
void cdr_waiters_destroy(struct cdr_waiters *w);

/* Journal record seq is not settled yet: calls suspend(arg) and keeps
 * resume(arg) for later; returns 0. Already settled: returns 1 and calls
 * neither (answer at once). -ENOMEM: nothing was called (wait instead). */
int cdr_waiters_defer(struct cdr_waiters *w, uint64_t seq, void (*suspend)(void *arg),
		      void (*resume)(void *arg), void *arg);

/* The journal's on_settled callback (arg: the struct cdr_waiters): resumes
 * every waiter whose record settled. */
void cdr_waiters_on_settled(void *arg);

/* How many requests are parked now. */
size_t cdr_waiters_count(struct cdr_waiters *w);

/* Resumes every waiter, settled or not (shutdown: the HTTP server cannot
 * stop with suspended connections; an unsettled one answers 503). */
void cdr_waiters_release_all(struct cdr_waiters *w);

#endif
