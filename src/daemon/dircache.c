/* Directory answer cache; see dircache.h. A chained hash table under one
 * mutex: lookups are a hash, a strcmp and a memcpy of ~1 KB, far below the
 * cost of the HTTP request around them, so one lock does not limit us. */
#include "daemon/dircache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NBUCKETS 4096

struct entry {
	struct entry *next;
	uint64_t gen;
	long long expires_ms;
	char *key;
	char *doc;
	size_t len;
};

struct dircache {
	pthread_mutex_t lock;
	struct entry *buckets[NBUCKETS];
	size_t count, max;
	uint64_t gen;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FNV-1a: keys are short user@domain strings chosen by SIP clients; the
 * table is bounded in size, so collisions cost time, not memory. */
static size_t bucket_of(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return (size_t)(h % NBUCKETS);
}

static void entry_free(struct entry *e)
{
	free(e->key);
	free(e->doc);
	free(e);
}

struct dircache *dircache_new(size_t max_entries)
{
	struct dircache *dc = calloc(1, sizeof(*dc));

	if (!dc)
		return NULL;
	pthread_mutex_init(&dc->lock, NULL);
	dc->max = max_entries;
	return dc;
}

static void clear_locked(struct dircache *dc)
{
	for (size_t i = 0; i < NBUCKETS; i++) {
		for (struct entry *e = dc->buckets[i], *n; e; e = n) {
			n = e->next;
			entry_free(e);
		}
		dc->buckets[i] = NULL;
	}
	dc->count = 0;
}

void dircache_free(struct dircache *dc)
{
	if (!dc)
		return;
	clear_locked(dc);
	pthread_mutex_destroy(&dc->lock);
	free(dc);
}

char *dircache_get(struct dircache *dc, const char *key, size_t *len)
{
	size_t b = bucket_of(key);
	long long now = now_ms();
	char *copy = NULL;

	pthread_mutex_lock(&dc->lock);
	for (struct entry **pp = &dc->buckets[b], *e; (e = *pp); pp = &e->next) {
		if (strcmp(e->key, key) != 0)
			continue;
		if (e->gen != dc->gen || e->expires_ms <= now) {
			*pp = e->next;
			entry_free(e);
			dc->count--;
			break;
		}
		copy = malloc(e->len + 1);
		if (copy) {
			memcpy(copy, e->doc, e->len + 1);
			*len = e->len;
		}
		break;
	}
	pthread_mutex_unlock(&dc->lock);
	return copy;
}

uint64_t dircache_generation(struct dircache *dc)
{
	uint64_t g;

	pthread_mutex_lock(&dc->lock);
	g = dc->gen;
	pthread_mutex_unlock(&dc->lock);
	return g;
}

void dircache_put(struct dircache *dc, const char *key, const char *doc, size_t len,
		  unsigned ttl_ms, uint64_t gen)
{
	struct entry *e;
	size_t b;

	if (ttl_ms == 0)
		return;
	e = calloc(1, sizeof(*e));
	if (!e)
		return;
	e->key = strdup(key);
	e->doc = malloc(len + 1);
	if (!e->key || !e->doc) {
		entry_free(e);
		return;
	}
	memcpy(e->doc, doc, len);
	e->doc[len] = '\0';
	e->len = len;
	e->expires_ms = now_ms() + ttl_ms;
	b = bucket_of(key);
	pthread_mutex_lock(&dc->lock);
	if (gen != dc->gen) {
		pthread_mutex_unlock(&dc->lock);
		entry_free(e);
		return;
	}
	/* bounded memory under a flood of random user names: start over */
	if (dc->count >= dc->max)
		clear_locked(dc);
	for (struct entry **pp = &dc->buckets[b], *o; (o = *pp); pp = &o->next)
		if (strcmp(o->key, key) == 0) {
			*pp = o->next;
			entry_free(o);
			dc->count--;
			break;
		}
	e->gen = dc->gen;
	e->next = dc->buckets[b];
	dc->buckets[b] = e;
	dc->count++;
	pthread_mutex_unlock(&dc->lock);
}

void dircache_flush(struct dircache *dc)
{
	pthread_mutex_lock(&dc->lock);
	dc->gen++;
	clear_locked(dc);
	pthread_mutex_unlock(&dc->lock);
}
