/* Metrics registry; see metrics.h.
 *
 * Families and series live in linked lists under one mutex, taken only to
 * register (get-or-create) and to render. Values are atomics so request
 * threads never contend on the lock when updating a series they hold. */
#include "daemon/metrics.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum mtype { M_COUNTER, M_GAUGE, M_GAUGE_FN, M_HISTOGRAM, M_COUNTER_FN };

struct metric_counter {
	_Atomic uint64_t v;
};

/* doubles stored as their bit pattern so they can be updated with CAS */
struct metric_gauge {
	_Atomic uint64_t bits;
};

struct metric_histogram {
	double *bounds;
	size_t nbounds;
	_Atomic uint64_t *counts; /* nbounds + 1 (the last is +Inf) */
	_Atomic uint64_t sum_bits;
	_Atomic uint64_t count;
};

struct series {
	struct series *next;
	char *labels;
	union {
		struct metric_counter counter;
		struct metric_gauge gauge;
		struct metric_histogram hist;
		struct {
			double (*fn)(void *);
			void *arg;
		} fn;
	} u;
};

struct family {
	struct family *next;
	char *name;
	char *help;
	enum mtype type;
	struct series *series, **series_tail;
};

struct metrics {
	pthread_mutex_t lock;
	struct family *families, **tail;
};

const double metrics_latency_buckets[] = {
	0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
};
const size_t metrics_latency_nbuckets =
	sizeof(metrics_latency_buckets) / sizeof(metrics_latency_buckets[0]);

static uint64_t dbits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static double bitsd(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

static void atomic_add_double(_Atomic uint64_t *p, double delta)
{
	uint64_t old = atomic_load_explicit(p, memory_order_relaxed);

	while (!atomic_compare_exchange_weak_explicit(p, &old, dbits(bitsd(old) + delta),
						      memory_order_relaxed, memory_order_relaxed))
		;
}

struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	m->tail = &m->families;
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (struct family *f = m->families, *fn; f; f = fn) {
		fn = f->next;
		for (struct series *s = f->series, *sn; s; s = sn) {
			sn = s->next;
			if (f->type == M_HISTOGRAM) {
				free(s->u.hist.bounds);
				free(s->u.hist.counts);
			}
			free(s->labels);
			free(s);
		}
		free(f->name);
		free(f->help);
		free(f);
	}
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* Finds or creates family+series; called with the lock held. *created tells
 * the caller to initialise type-specific fields. */
static struct series *lookup(struct metrics *m, const char *name, const char *help, enum mtype type,
			     const char *labels, bool *created)
{
	struct family *f;
	struct series *s;

	*created = false;
	for (f = m->families; f; f = f->next)
		if (strcmp(f->name, name) == 0)
			break;
	if (f && f->type != type)
		return NULL; /* programming error: one name, two types */
	if (!f) {
		f = calloc(1, sizeof(*f));
		if (!f)
			return NULL;
		f->name = strdup(name);
		f->help = strdup(help);
		if (!f->name || !f->help) {
			free(f->name);
			free(f->help);
			free(f);
			return NULL;
		}
		f->type = type;
		f->series_tail = &f->series;
		*m->tail = f;
		m->tail = &f->next;
	}
	for (s = f->series; s; s = s->next)
		if (strcmp(s->labels, labels) == 0)
			return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->labels = strdup(labels);
	if (!s->labels) {
		free(s);
		return NULL;
	}
	*f->series_tail = s;
	f->series_tail = &s->next;
	*created = true;
	return s;
}

struct metric_counter *metrics_counter(struct metrics *m, const char *name, const char *help,
				       const char *labels)
{
	struct series *s;
	bool created;

	if (!m)
		return NULL;
	pthread_mutex_lock(&m->lock);
	s = lookup(m, name, help, M_COUNTER, labels, &created);
	pthread_mutex_unlock(&m->lock);
	return s ? &s->u.counter : NULL;
}

void metric_counter_add(struct metric_counter *c, uint64_t n)
{
	if (c)
		atomic_fetch_add_explicit(&c->v, n, memory_order_relaxed);
}

uint64_t metric_counter_value(const struct metric_counter *c)
{
	return c ? atomic_load_explicit(&((struct metric_counter *)c)->v, memory_order_relaxed) : 0;
}

struct metric_gauge *metrics_gauge(struct metrics *m, const char *name, const char *help,
				   const char *labels)
{
	struct series *s;
	bool created;

	if (!m)
		return NULL;
	pthread_mutex_lock(&m->lock);
	s = lookup(m, name, help, M_GAUGE, labels, &created);
	pthread_mutex_unlock(&m->lock);
	return s ? &s->u.gauge : NULL;
}

void metric_gauge_set(struct metric_gauge *g, double v)
{
	if (g)
		atomic_store_explicit(&g->bits, dbits(v), memory_order_relaxed);
}

void metric_gauge_add(struct metric_gauge *g, double delta)
{
	if (g)
		atomic_add_double(&g->bits, delta);
}

static int register_fn(struct metrics *m, enum mtype type, const char *name, const char *help,
		       const char *labels, double (*fn)(void *arg), void *arg)
{
	struct series *s;
	bool created;

	if (!m)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	s = lookup(m, name, help, type, labels, &created);
	if (s) {
		s->u.fn.fn = fn;
		s->u.fn.arg = arg;
	}
	pthread_mutex_unlock(&m->lock);
	return s ? 0 : -ENOMEM;
}

int metrics_gauge_fn(struct metrics *m, const char *name, const char *help, const char *labels,
		     double (*fn)(void *arg), void *arg)
{
	return register_fn(m, M_GAUGE_FN, name, help, labels, fn, arg);
}

int metrics_counter_fn(struct metrics *m, const char *name, const char *help, const char *labels,
		       double (*fn)(void *arg), void *arg)
{
	return register_fn(m, M_COUNTER_FN, name, help, labels, fn, arg);
}

struct metric_histogram *metrics_histogram(struct metrics *m, const char *name, const char *help,
					   const char *labels, const double *bounds, size_t nbounds)
{
	struct series *s;
	bool created;

	if (!m)
		return NULL;
	pthread_mutex_lock(&m->lock);
	s = lookup(m, name, help, M_HISTOGRAM, labels, &created);
	if (s && created) {
		s->u.hist.bounds = malloc(nbounds * sizeof(double) + 1);
		s->u.hist.counts = calloc(nbounds + 1, sizeof(_Atomic uint64_t));
		if (!s->u.hist.bounds || !s->u.hist.counts) {
			/* leave the series registered but inert */
			free(s->u.hist.bounds);
			free(s->u.hist.counts);
			s->u.hist.bounds = NULL;
			s->u.hist.counts = NULL;
			s->u.hist.nbounds = 0;
		} else {
			memcpy(s->u.hist.bounds, bounds, nbounds * sizeof(double));
			s->u.hist.nbounds = nbounds;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return s && s->u.hist.counts ? &s->u.hist : NULL;
}

void metric_histogram_observe(struct metric_histogram *h, double v)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->nbounds && v > h->bounds[i]; i++)
		;
	atomic_fetch_add_explicit(&h->counts[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	atomic_add_double(&h->sum_bits, v);
}

int metrics_label_escape(struct strbuf *out, const char *value)
{
	for (; *value; value++) {
		int r;

		if (*value == '\\')
			r = sb_adds(out, "\\\\");
		else if (*value == '"')
			r = sb_adds(out, "\\\"");
		else if (*value == '\n')
			r = sb_adds(out, "\\n");
		else
			r = sb_addc(out, *value);
		if (r < 0)
			return r;
	}
	return 0;
}

/* name{labels[,extra]} */
static int series_name(struct strbuf *out, const char *name, const char *suffix, const char *labels,
		       const char *extra)
{
	int r = sb_addf(out, "%s%s", name, suffix);

	if (r < 0)
		return r;
	if (!*labels && !extra)
		return 0;
	return sb_addf(out, "{%s%s%s}", labels, *labels && extra ? "," : "", extra ? extra : "");
}

/* A family of computed series with no value now (every fn NaN) is left
 * out of the scrape. */
static bool family_empty(const struct family *f)
{
	if (f->type != M_GAUGE_FN && f->type != M_COUNTER_FN)
		return false;
	for (const struct series *s = f->series; s; s = s->next)
		if (!isnan(s->u.fn.fn(s->u.fn.arg)))
			return false;
	return true;
}

static int render_family(struct strbuf *out, const struct family *f)
{
	static const char *const tname[] = { "counter", "gauge", "gauge", "histogram", "counter" };
	int r;

	if (family_empty(f))
		return 0;
	r = sb_addf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, tname[f->type]);

	for (const struct series *s = f->series; s && r >= 0; s = s->next) {
		switch (f->type) {
		case M_COUNTER:
			r = series_name(out, f->name, "", s->labels, NULL);
			if (r >= 0)
				r = sb_addf(out, " %llu\n",
					    (unsigned long long)
						    atomic_load_explicit(&((struct series *)s)
										  ->u.counter.v,
									 memory_order_relaxed));
			break;
		case M_GAUGE:
			r = series_name(out, f->name, "", s->labels, NULL);
			if (r >= 0)
				r = sb_addf(out, " %.15g\n",
					    bitsd(atomic_load_explicit(&((struct series *)s)
										->u.gauge.bits,
								       memory_order_relaxed)));
			break;
		case M_GAUGE_FN:
		case M_COUNTER_FN: {
			double v = s->u.fn.fn(s->u.fn.arg);

			if (isnan(v))
				break;
			r = series_name(out, f->name, "", s->labels, NULL);
			if (r >= 0)
				r = sb_addf(out, " %.15g\n", v);
			break;
		}
		case M_HISTOGRAM: {
			struct metric_histogram *h = (struct metric_histogram *)&s->u.hist;
			uint64_t cum = 0;
			char le[64];

			for (size_t i = 0; i <= h->nbounds && r >= 0; i++) {
				cum += atomic_load_explicit(&h->counts[i], memory_order_relaxed);
				if (i < h->nbounds)
					snprintf(le, sizeof(le), "le=\"%g\"", h->bounds[i]);
				else
					snprintf(le, sizeof(le), "le=\"+Inf\"");
				r = series_name(out, f->name, "_bucket", s->labels, le);
				if (r >= 0)
					r = sb_addf(out, " %llu\n", (unsigned long long)cum);
			}
			if (r >= 0)
				r = series_name(out, f->name, "_sum", s->labels, NULL);
			if (r >= 0)
				r = sb_addf(out, " %.15g\n",
					    bitsd(atomic_load_explicit(&h->sum_bits,
								       memory_order_relaxed)));
			if (r >= 0)
				r = series_name(out, f->name, "_count", s->labels, NULL);
			if (r >= 0)
				/* _count is the +Inf bucket so the two always agree */
				r = sb_addf(out, " %llu\n", (unsigned long long)cum);
			break;
		}
		}
	}
	return r;
}

int metrics_render(struct metrics *m, struct strbuf *out)
{
	int r = 0;

	pthread_mutex_lock(&m->lock);
	for (struct family *f = m->families; f && r >= 0; f = f->next)
		r = render_family(out, f);
	pthread_mutex_unlock(&m->lock);
	return r < 0 ? -ENOMEM : 0;
}
