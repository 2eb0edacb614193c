/* Thread-safe metrics registry with Prometheus text exposition (format
 * 0.0.4). Registration is get-or-create and may happen from any thread at any
 * time (request counters are labelled by route and status, known only at run
 * time); updates are lock-free atomics. */
#ifndef VOIPADMIN_METRICS_H
#define VOIPADMIN_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"

struct metrics;
struct metric_counter;
struct metric_gauge;
struct metric_histogram;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* `labels` is the label set without braces, e.g. `route="/fs/xml",code="200"`,
 * or "" for none; label values must already be escaped (metrics_label_escape).
 * All families sharing a name must share help text and type. Return NULL
 * only on allocation failure; updating a NULL metric is a no-op. */
struct metric_counter *metrics_counter(struct metrics *m, const char *name, const char *help,
				       const char *labels);
void metric_counter_add(struct metric_counter *c, uint64_t n);
uint64_t metric_counter_value(const struct metric_counter *c);

struct metric_gauge *metrics_gauge(struct metrics *m, const char *name, const char *help,
				   const char *labels);
void metric_gauge_set(struct metric_gauge *g, double v);
void metric_gauge_add(struct metric_gauge *g, double delta);

/* A gauge computed at scrape time by fn(arg); fn must be thread-safe. A
 * value that is NaN leaves the series out of that scrape (and the family's
 * HELP and TYPE too when none of its series has a value): the series
 * exists only while there is something to say (backups, for instance). */
int metrics_gauge_fn(struct metrics *m, const char *name, const char *help, const char *labels,
		     double (*fn)(void *arg), void *arg);

/* A counter read at scrape time by fn(arg) (a count kept elsewhere, e.g. in
 * a file); it must only grow (name ends in _total); fn must be
 * thread-safe; NaN leaves it out, as for metrics_gauge_fn. */
int metrics_counter_fn(struct metrics *m, const char *name, const char *help, const char *labels,
		       double (*fn)(void *arg), void *arg);

/* `bounds` ascending upper bounds (seconds for latencies), copied; +Inf is
 * implicit. */
struct metric_histogram *metrics_histogram(struct metrics *m, const char *name, const char *help,
					   const char *labels, const double *bounds,
					   size_t nbounds);
void metric_histogram_observe(struct metric_histogram *h, double v);

/* Default latency buckets in seconds (0.0005 .. 5). */
extern const double metrics_latency_buckets[];
extern const size_t metrics_latency_nbuckets;

/* Appends the exposition text to out. 0 or -ENOMEM. */
int metrics_render(struct metrics *m, struct strbuf *out);

/* Escapes `\`, `"` and newline for use inside a label value. 0 or -ENOMEM. */
int metrics_label_escape(struct strbuf *out, const char *value);

#endif
