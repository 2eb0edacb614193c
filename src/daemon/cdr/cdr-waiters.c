/* Deferred CDR acknowledgements; see cdr-waiters.h. */
#include "daemon/cdr/cdr-waiters.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "daemon/cdr/cdr-journal.h"

int cdr_waiters_init(struct cdr_waiters *w, struct cdr_journal *j)
{
	w->j = j;
	w->v = NULL;
	w->n = w->cap = 0;
	return pthread_mutex_init(&w->mu, NULL) == 0 ? 0 : -ENOMEM;
}

void cdr_waiters_destroy(struct cdr_waiters *w)
{
	free(w->v);
	w->v = NULL;
	pthread_mutex_destroy(&w->mu);
}

int cdr_waiters_defer(struct cdr_waiters *w, uint64_t seq, void (*suspend)(void *arg),
		      void (*resume)(void *arg), void *arg)
{
	int r = 0;

	/* Checked and registered under one lock that the settle callback
	 * takes too: a flush finishing in between cannot be missed. */
	pthread_mutex_lock(&w->mu);
	if (cdr_journal_settled(w->j, seq) != 0) {
		r = 1;
		goto out;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct cdr_waiter *nv = realloc(w->v, cap * sizeof(*nv));
		if (!nv) {
			r = -ENOMEM;
			goto out;
		}
		w->v = nv;
		w->cap = cap;
	}
	suspend(arg);
	w->v[w->n++] = (struct cdr_waiter){ seq, resume, arg };
out:
	pthread_mutex_unlock(&w->mu);
	return r;
}

/* Resumes the settled waiters, or all of them. */
static void resume_where(struct cdr_waiters *w, bool all)
{
	size_t keep = 0;

	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < w->n; i++) {
		if (!all && cdr_journal_settled(w->j, w->v[i].seq) == 0)
			w->v[keep++] = w->v[i];
		else
			w->v[i].resume(w->v[i].arg);
	}
	w->n = keep;
	pthread_mutex_unlock(&w->mu);
}

void cdr_waiters_on_settled(void *arg)
{
	resume_where(arg, false);
}

void cdr_waiters_release_all(struct cdr_waiters *w)
{
	resume_where(w, true);
}

size_t cdr_waiters_count(struct cdr_waiters *w)
{
	pthread_mutex_lock(&w->mu);
	size_t n = w->n;
	pthread_mutex_unlock(&w->mu);
	return n;
}
