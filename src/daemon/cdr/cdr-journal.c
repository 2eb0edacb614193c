/* The local CDR journal; see cdr-journal.h for the format and the rules. */
#include "daemon/cdr/cdr-journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define HDR 24
#define MAGIC "CDR1"
#define REC_MAX (64u << 20) /* a record larger than this is corruption */
#define INFLIGHT_SLOTS 64
#define FAIL_RING 16

struct seg {
	struct seg *next;
	uint64_t id;
	int fd; /* -1 once sealed and closed for writing */
	char path[4200];
	uint64_t size;     /* bytes written */
	uint64_t durable;  /* bytes covered by fdatasync */
	size_t nwritten;   /* records written */
	size_t nrec;       /* durable records */
	uint64_t read_off; /* next record to hand out */
	size_t nread;      /* records handed out since the last reset */
	size_t napplied;   /* records committed since the last reset */
	unsigned inflight; /* batches out */
	uint64_t gen;      /* bumped on reset: stale batches are ignored */
	/* Batches handed out since the last reset, in file order. A commit
	 * moves the committed prefix (applied_off, nprefix records) over the
	 * leading committed ones; a failed batch rolls reading back to that
	 * prefix, not to the segment's start, so what is stored is neither
	 * re-sent nor counted as pending again. */
	struct span {
		uint64_t end_off;
		size_t n;
		bool done;
	} * spans;
	size_t nspans, spans_cap;
	uint64_t span_base; /* batch number of spans[0] */
	uint64_t applied_off;
	size_t nprefix;
	uint64_t max_lsn, ident; /* of the commits of its records */
	bool sealed;
	struct timespec created, applied_at;
};

struct cdr_journal {
	pthread_mutex_t mu;
	pthread_cond_t flushed;  /* appenders wait for their fdatasync */
	pthread_cond_t readable; /* workers wait for durable records */
	pthread_cond_t dirty;    /* the flusher waits for written records */
	char dir[4096];
	int dirfd;
	struct cdr_journal_opts o;
	struct seg *segs, *cur; /* list in id order; cur = being written */
	uint64_t next_id;
	uint64_t written_seq, synced_seq;
	bool flushing, closing;
	/* Writes in (lo, hi] were hit by a failed fdatasync (the last few). */
	struct {
		uint64_t lo, hi;
	} fail[FAIL_RING];
	int fail_next;
	void (*on_settled)(void *arg);
	void *on_settled_arg;
	int64_t inflight_oldest[INFLIGHT_SLOTS]; /* 0 = free slot */
};

/* ---- CRC-32 (IEEE), slice-by-8: integrity of journal records. It runs
 * on every acknowledged byte, so it is worth the 8 KiB of tables. ---- */
static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^
					  crc_table[0][crc_table[t - 1][i] & 0xFF];
}

static uint32_t crc32_buf(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t c = 0xFFFFFFFFu;
	pthread_once(&crc_once, crc_init);
	while (n >= 8) {
		uint32_t lo = c ^ ((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
				   (uint32_t)b[3] << 24);
		c = crc_table[7][lo & 0xFF] ^ crc_table[6][(lo >> 8) & 0xFF] ^
		    crc_table[5][(lo >> 16) & 0xFF] ^ crc_table[4][lo >> 24] ^ crc_table[3][b[4]] ^
		    crc_table[2][b[5]] ^ crc_table[1][b[6]] ^ crc_table[0][b[7]];
		b += 8;
		n -= 8;
	}
	while (n--)
		c = crc_table[0][(c ^ *b++) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* CLOCK_REALTIME deadline ms from now (what pthread_cond_timedwait takes). */
static struct timespec deadline_in(unsigned ms)
{
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += ms / 1000;
	dl.tv_nsec += (long)(ms % 1000) * 1000000;
	if (dl.tv_nsec >= 1000000000) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000;
	}
	return dl;
}

static int64_t now_real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double mono_since(const struct timespec *t)
{
	struct timespec n;
	clock_gettime(CLOCK_MONOTONIC, &n);
	return (double)(n.tv_sec - t->tv_sec) + (double)(n.tv_nsec - t->tv_nsec) / 1e9;
}

/* Header check; returns the payload length or -1. */
static long check_hdr(const unsigned char *h)
{
	if (memcmp(h, MAGIC, 4) != 0)
		return -1;
	uint32_t len = get32(h + 4);
	if (len > REC_MAX || (h[12] != 1 && h[12] != 2) || h[13] || h[14] || h[15])
		return -1;
	return (long)len;
}

static void seg_free(struct seg *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->spans);
	free(s);
}

/* Scans an existing segment: counts valid records; cuts a torn tail. */
static int seg_recover(struct cdr_journal *j, struct seg *s, char *err, size_t errlen)
{
	int fd = open(s->path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open '%s': %s", s->path, strerror(errno));
		return -errno;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -errno;
	}
	uint64_t off = 0, end = (uint64_t)st.st_size;
	size_t n = 0;
	char *buf = NULL;
	size_t cap = 0;
	const char *why = NULL;
	while (off < end) {
		unsigned char h[HDR];
		if (end - off < HDR || pread(fd, h, HDR, (off_t)off) != HDR) {
			why = "truncated record header";
			break;
		}
		long len = check_hdr(h);
		if (len < 0) {
			why = "bad record header";
			break;
		}
		if (end - off - HDR < (uint64_t)len) {
			why = "truncated record";
			break;
		}
		if ((size_t)len > cap) {
			char *nb = realloc(buf, (size_t)len);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap = (size_t)len;
		}
		if (pread(fd, buf, (size_t)len, (off_t)(off + HDR)) != len ||
		    crc32_buf(buf, (size_t)len) != get32(h + 8)) {
			why = "record checksum mismatch";
			break;
		}
		off += HDR + (uint64_t)len;
		n++;
	}
	free(buf);
	if (why) {
		/* Keep the bad bytes for a human, then cut them off. A torn tail
		 * is the normal result of a crash mid-write: such records were
		 * never acknowledged (acknowledgement waits for fdatasync). */
		char dpath[4300], rpath[4320];
		snprintf(dpath, sizeof(dpath), "%s/dead/%016" PRIx64 "-at-%" PRIu64 ".tail", j->dir,
			 s->id, off);
		snprintf(rpath, sizeof(rpath), "%s.reason", dpath);
		int out = open(dpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (out >= 0) {
			char b[65536];
			uint64_t o2 = off;
			ssize_t r;
			while ((r = pread(fd, b, sizeof(b), (off_t)o2)) > 0) {
				if (write(out, b, (size_t)r) != r)
					break;
				o2 += (uint64_t)r;
			}
			fsync(out);
			close(out);
			FILE *rf = fopen(rpath, "w");
			if (rf) {
				fprintf(rf, "%s: %s at offset %" PRIu64 " of %" PRIu64 " bytes\n",
					s->path, why, off, end);
				fclose(rf);
			}
		}
		if (ftruncate(fd, (off_t)off) < 0 || fdatasync(fd) < 0) {
			snprintf(err, errlen, "cannot truncate '%s': %s", s->path, strerror(errno));
			close(fd);
			return -errno;
		}
	}
	close(fd);
	s->size = s->durable = off;
	s->nwritten = s->nrec = n;
	s->sealed = true;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int cdr_journal_open(const char *dir, const struct cdr_journal_opts *opts, struct cdr_journal **out,
		     char *err, size_t errlen)
{
	struct cdr_journal *j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->flushed, NULL);
	pthread_cond_init(&j->readable, NULL);
	pthread_cond_init(&j->dirty, NULL);
	j->o = *opts;
	snprintf(j->dir, sizeof(j->dir), "%s", dir);
	j->dirfd = -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create spool directory '%s': %s", dir,
			 strerror(errno));
		goto fail;
	}
	char dead[4200];
	snprintf(dead, sizeof(dead), "%s/dead", dir);
	if (mkdir(dead, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create '%s': %s", dead, strerror(errno));
		goto fail;
	}
	j->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j->dirfd < 0) {
		snprintf(err, errlen, "cannot open spool directory '%s': %s", dir, strerror(errno));
		goto fail;
	}
	DIR *d = fdopendir(dup(j->dirfd));
	if (!d) {
		snprintf(err, errlen, "cannot read spool directory '%s': %s", dir, strerror(errno));
		goto fail;
	}
	uint64_t *ids = NULL;
	size_t nids = 0, capids = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		uint64_t id;
		char tail[8];
		if (sscanf(e->d_name, "cdr-%16" SCNx64 ".se%1s", &id, tail) == 2 &&
		    strlen(e->d_name) == 24 && strcmp(e->d_name + 20, ".seg") == 0) {
			if (nids == capids) {
				capids = capids ? capids * 2 : 16;
				uint64_t *n2 = realloc(ids, capids * sizeof(*ids));
				if (!n2) {
					free(ids);
					closedir(d);
					goto fail;
				}
				ids = n2;
			}
			ids[nids++] = id;
		}
	}
	closedir(d);
	if (nids)
		qsort(ids, nids, sizeof(*ids), cmp_u64);
	struct seg **tailp = &j->segs;
	for (size_t i = 0; i < nids; i++) {
		struct seg *s = calloc(1, sizeof(*s));
		if (!s) {
			free(ids);
			goto fail;
		}
		s->id = ids[i];
		s->fd = -1;
		snprintf(s->path, sizeof(s->path), "%s/cdr-%016" PRIx64 ".seg", dir, s->id);
		clock_gettime(CLOCK_MONOTONIC, &s->created);
		if (seg_recover(j, s, err, errlen) < 0) {
			free(s);
			free(ids);
			goto fail;
		}
		*tailp = s;
		tailp = &s->next;
		j->next_id = s->id + 1;
	}
	free(ids);
	if (j->next_id == 0)
		j->next_id = 1;
	*out = j;
	return 0;
fail:
	cdr_journal_close(j);
	return -1;
}

void cdr_journal_close(struct cdr_journal *j)
{
	if (!j)
		return;
	for (struct seg *s = j->segs, *n; s; s = n) {
		n = s->next;
		seg_free(s);
	}
	if (j->dirfd >= 0)
		close(j->dirfd);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->flushed);
	pthread_cond_destroy(&j->readable);
	pthread_cond_destroy(&j->dirty);
	free(j);
}

static void flush_failed(struct cdr_journal *j, struct seg *s);
static void announce(struct cdr_journal *j);

/* Seals the current segment: wait out a flush, make everything in it
 * durable. Called with mu held. */
static int seal_current(struct cdr_journal *j)
{
	while (j->flushing)
		pthread_cond_wait(&j->flushed, &j->mu);
	/* read cur only now: another thread may have rotated while we waited */
	struct seg *s = j->cur;
	if (!s)
		return 0;
	if (s->durable < s->size && fdatasync(s->fd) < 0) {
		int e = -errno;
		flush_failed(j, s);
		return e;
	}
	s->durable = s->size;
	s->nrec = s->nwritten;
	j->synced_seq = j->written_seq;
	close(s->fd);
	s->fd = -1;
	s->sealed = true;
	j->cur = NULL;
	pthread_cond_broadcast(&j->flushed);
	pthread_cond_broadcast(&j->readable);
	return 0;
}

/* New segment: created 0600, its directory entry fsynced before use. */
static int open_new(struct cdr_journal *j)
{
	struct seg *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->id = j->next_id++;
	snprintf(s->path, sizeof(s->path), "%s/cdr-%016" PRIx64 ".seg", j->dir, s->id);
	s->fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (s->fd < 0) {
		int e = -errno;
		free(s);
		return e;
	}
	if (fsync(j->dirfd) < 0) {
		int e = -errno;
		close(s->fd);
		unlink(s->path);
		free(s);
		return e;
	}
	clock_gettime(CLOCK_MONOTONIC, &s->created);
	struct seg **p = &j->segs;
	while (*p)
		p = &(*p)->next;
	*p = s;
	j->cur = s;
	return 0;
}

static bool want_rotate(struct cdr_journal *j)
{
	struct seg *s = j->cur;
	return s && (s->size >= j->o.segment_bytes ||
		     (s->nwritten > 0 && mono_since(&s->created) * 1000 >= j->o.segment_ms));
}

int cdr_journal_write(struct cdr_journal *j, uint8_t fmt, const char *data, size_t len,
		      uint64_t *seq)
{
	unsigned char h[HDR];
	int r = 0;
	bool sealed = false;

	if (len > REC_MAX)
		return -E2BIG;
	memcpy(h, MAGIC, 4);
	put32(h + 4, (uint32_t)len);
	put32(h + 8, crc32_buf(data, len)); /* outside the lock */
	h[12] = fmt;
	h[13] = h[14] = h[15] = 0;
	put64(h + 16, (uint64_t)now_real_ns());

	pthread_mutex_lock(&j->mu);
	if (j->closing) {
		r = -ESHUTDOWN;
		goto out;
	}
	if (want_rotate(j)) {
		sealed = true;
		if ((r = seal_current(j)) < 0)
			goto out;
	}
	if (!j->cur && (r = open_new(j)) < 0)
		goto out;
	struct seg *s = j->cur;
	struct iovec iov[2] = { { h, HDR }, { (void *)data, len } };
	size_t want = HDR + len, done = 0;
	while (done < want) {
		ssize_t w;
		if (done < HDR) {
			struct iovec v[2] = { { h + done, HDR - done }, iov[1] };
			w = writev(s->fd, v, 2);
		} else {
			w = write(s->fd, data + (done - HDR), want - done);
		}
		if (w < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			/* never leave half a record behind a later one */
			if (ftruncate(s->fd, (off_t)s->size) < 0)
				r = -EIO;
			goto out;
		}
		done += (size_t)w;
	}
	s->size += want;
	s->nwritten++;
	*seq = ++j->written_seq;
	pthread_cond_signal(&j->dirty);
out:
	pthread_mutex_unlock(&j->mu);
	if (sealed)
		announce(j);
	return r;
}

static bool seq_failed(const struct cdr_journal *j, uint64_t seq)
{
	for (int i = 0; i < FAIL_RING; i++)
		if (seq > j->fail[i].lo && seq <= j->fail[i].hi)
			return true;
	return false;
}

static int settled_locked(const struct cdr_journal *j, uint64_t seq)
{
	if (seq_failed(j, seq))
		return -EIO;
	return j->synced_seq >= seq ? 1 : 0;
}

int cdr_journal_settled(struct cdr_journal *j, uint64_t seq)
{
	pthread_mutex_lock(&j->mu);
	int r = settled_locked(j, seq);
	pthread_mutex_unlock(&j->mu);
	return r;
}

/* Everything written so far is no longer acknowledgeable: remember the
 * range (a ring: a deferred request asks after the fact) and abandon the
 * segment, whose page cache state is unknown after a failed fdatasync;
 * later writes go to a new file. Called with mu held. */
static void flush_failed(struct cdr_journal *j, struct seg *s)
{
	j->fail[j->fail_next].lo = j->synced_seq;
	j->fail[j->fail_next].hi = j->written_seq;
	j->fail_next = (j->fail_next + 1) % FAIL_RING;
	close(s->fd);
	s->fd = -1;
	s->sealed = true;
	if (j->cur == s)
		j->cur = NULL;
}

/* The leader's fdatasync of the current segment, for everyone who wrote
 * before it. Called with mu held and nobody flushing; drops mu around the
 * system call. */
static int flush_locked(struct cdr_journal *j)
{
	struct seg *s = j->cur;
	j->flushing = true;
	uint64_t target = j->written_seq, size = s->size;
	size_t nw = s->nwritten;
	pthread_mutex_unlock(&j->mu);
	int fr = fdatasync(s->fd) < 0 ? -errno : 0;
	pthread_mutex_lock(&j->mu);
	j->flushing = false;
	if (fr < 0) {
		flush_failed(j, s);
		return fr;
	}
	if (target > j->synced_seq)
		j->synced_seq = target;
	if (size > s->durable) {
		s->durable = size;
		s->nrec = nw;
	}
	return 0;
}

/* Wakes whoever waits for durability, after mu is released (woken with
 * mu held, the whole group would block on it again at once: an extra
 * context switch per CDR, measured in perf). */
static void announce(struct cdr_journal *j)
{
	pthread_cond_broadcast(&j->flushed);
	pthread_cond_broadcast(&j->readable);
	if (j->on_settled)
		j->on_settled(j->on_settled_arg);
}

int cdr_journal_wait(struct cdr_journal *j, uint64_t seq)
{
	bool flushed = false;
	int r;

	pthread_mutex_lock(&j->mu);
	while ((r = settled_locked(j, seq)) == 0) {
		if (j->flushing) {
			pthread_cond_wait(&j->flushed, &j->mu);
			continue;
		}
		if (!j->cur || j->cur->fd < 0) {
			r = -EIO; /* cannot happen: sealing syncs everything */
			break;
		}
		r = flush_locked(j);
		flushed = true;
		if (r < 0)
			break;
	}
	pthread_mutex_unlock(&j->mu);
	if (flushed)
		announce(j);
	return r < 0 ? r : 0;
}

int cdr_journal_append(struct cdr_journal *j, uint8_t fmt, const char *data, size_t len)
{
	uint64_t seq;
	int r = cdr_journal_write(j, fmt, data, len, &seq);
	return r < 0 ? r : cdr_journal_wait(j, seq);
}

bool cdr_journal_sync_pending(struct cdr_journal *j, unsigned timeout_ms)
{
	struct timespec dl = deadline_in(timeout_ms);
	bool flushed = false;
	pthread_mutex_lock(&j->mu);
	while (!j->closing && (j->synced_seq >= j->written_seq || j->flushing || !j->cur))
		if (pthread_cond_timedwait(&j->dirty, &j->mu, &dl) == ETIMEDOUT)
			break;
	if (!j->closing && j->synced_seq < j->written_seq && !j->flushing && j->cur &&
	    j->cur->fd >= 0) {
		flush_locked(j);
		flushed = true;
	}
	pthread_mutex_unlock(&j->mu);
	if (flushed)
		announce(j);
	return flushed;
}

void cdr_journal_on_settled(struct cdr_journal *j, void (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&j->mu);
	j->on_settled = fn;
	j->on_settled_arg = arg;
	pthread_mutex_unlock(&j->mu);
}

void cdr_journal_shutdown(struct cdr_journal *j)
{
	pthread_mutex_lock(&j->mu);
	j->closing = true;
	seal_current(j);
	pthread_cond_broadcast(&j->dirty);
	pthread_mutex_unlock(&j->mu);
	announce(j);
}

static int slot_get(struct cdr_journal *j, int64_t t)
{
	for (int i = 0; i < INFLIGHT_SLOTS; i++)
		if (j->inflight_oldest[i] == 0) {
			j->inflight_oldest[i] = t ? t : 1;
			return i;
		}
	return -1;
}

/* Reads records of s from read_off into b. Called with mu held; the file
 * part is read with pread on a private descriptor-free path (open per
 * call would be slow), so the segment keeps a read fd. */
static size_t read_records(struct seg *s, struct cdr_jbatch *b, size_t max_n, size_t max_bytes)
{
	uint64_t avail = s->durable - s->read_off;
	size_t want = avail > max_bytes ? max_bytes : (size_t)avail;
	int fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* at least one whole record */
	unsigned char h[HDR];
	if (pread(fd, h, HDR, (off_t)s->read_off) != HDR || check_hdr(h) < 0) {
		close(fd);
		return 0;
	}
	size_t first = HDR + (size_t)check_hdr(h);
	if (want < first)
		want = first;
	if (want > b->bufcap) {
		char *nb = realloc(b->buf, want);
		if (!nb) {
			close(fd);
			return 0;
		}
		b->buf = nb;
		b->bufcap = want;
	}
	ssize_t got = pread(fd, b->buf, want, (off_t)s->read_off);
	close(fd);
	if (got < (ssize_t)first)
		return 0;
	size_t off = 0;
	b->n = 0;
	while (b->n < max_n && (size_t)got - off >= HDR) {
		const unsigned char *p = (const unsigned char *)b->buf + off;
		long len = check_hdr(p);
		if (len < 0 || (size_t)got - off - HDR < (size_t)len)
			break;
		if (b->n == b->cap) {
			size_t nc = b->cap ? b->cap * 2 : 64;
			struct cdr_jrec *nr = realloc(b->recs, nc * sizeof(*nr));
			if (!nr)
				break;
			b->recs = nr;
			b->cap = nc;
		}
		struct cdr_jrec *r = &b->recs[b->n++];
		r->fmt = p[12];
		r->ack_ns = (int64_t)get64(p + 16);
		r->data = b->buf + off + HDR;
		r->len = (uint32_t)len;
		off += HDR + (size_t)len;
	}
	b->buflen = off;
	s->read_off += off;
	s->nread += b->n;
	return b->n;
}

size_t cdr_journal_take(struct cdr_journal *j, struct cdr_jbatch *b, size_t max_n, size_t max_bytes,
			unsigned timeout_ms)
{
	struct timespec dl = deadline_in(timeout_ms);
	b->n = 0;
	b->seg = NULL;
	b->slot = -1;
	pthread_mutex_lock(&j->mu);
	for (;;) {
		for (struct seg *s = j->segs; s; s = s->next) {
			if (s->read_off >= s->durable)
				continue;
			if (s->nspans == s->spans_cap) {
				size_t nc = s->spans_cap ? s->spans_cap * 2 : 8;
				struct span *ns = realloc(s->spans, nc * sizeof(*ns));

				if (!ns)
					continue; /* taken later, when memory allows */
				s->spans = ns;
				s->spans_cap = nc;
			}
			if (read_records(s, b, max_n, max_bytes) > 0) {
				s->spans[s->nspans] = (struct span){ s->read_off, b->n, false };
				b->span = s->span_base + s->nspans++;
				b->seg = s;
				b->seg_gen = s->gen;
				s->inflight++;
				b->slot = slot_get(j, b->recs[0].ack_ns);
				pthread_mutex_unlock(&j->mu);
				return b->n;
			}
		}
		if (j->closing || timeout_ms == 0)
			break;
		if (pthread_cond_timedwait(&j->readable, &j->mu, &dl) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&j->mu);
	return 0;
}

/* Forgets every batch out (their completions become stale) and makes the
 * records after the committed prefix pending again. */
static void seg_rollback(struct seg *s)
{
	s->read_off = s->applied_off;
	s->nread = s->nprefix;
	s->napplied = s->nprefix;
	s->nspans = 0;
	s->span_base = 0;
	s->gen++;
	s->applied_at.tv_sec = s->applied_at.tv_nsec = 0;
}

/* Everything pending again (the database identity changed). */
static void seg_reset(struct seg *s)
{
	s->applied_off = 0;
	s->nprefix = 0;
	s->max_lsn = 0;
	s->ident = 0;
	seg_rollback(s);
}

/* Batch number span of s committed: advance the committed prefix. */
static void seg_committed(struct seg *s, uint64_t span)
{
	if (span >= s->span_base && span - s->span_base < s->nspans)
		s->spans[span - s->span_base].done = true;
	while (s->nspans && s->spans[0].done) {
		s->applied_off = s->spans[0].end_off;
		s->nprefix += s->spans[0].n;
		memmove(s->spans, s->spans + 1, --s->nspans * sizeof(*s->spans));
		s->span_base++;
	}
}

void cdr_journal_done(struct cdr_journal *j, struct cdr_jbatch *b, bool ok, uint64_t commit_lsn,
		      uint64_t ident)
{
	struct seg *s = b->seg;
	if (!s)
		return;
	pthread_mutex_lock(&j->mu);
	if (b->slot >= 0)
		j->inflight_oldest[b->slot] = 0;
	s->inflight--;
	if (b->seg_gen == s->gen) {
		if (ok) {
			s->napplied += b->n;
			seg_committed(s, b->span);
			if (commit_lsn > s->max_lsn)
				s->max_lsn = commit_lsn;
			s->ident = ident;
			if (s->napplied == s->nrec && s->sealed)
				clock_gettime(CLOCK_MONOTONIC, &s->applied_at);
		} else {
			/* re-deliver from the committed prefix on (later batches
			 * that committed meanwhile too: idempotent on uuid) */
			seg_rollback(s);
			pthread_cond_broadcast(&j->readable);
		}
	}
	b->seg = NULL;
	pthread_mutex_unlock(&j->mu);
}

void cdr_jbatch_free(struct cdr_jbatch *b)
{
	free(b->recs);
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

static bool seg_applied(const struct seg *s)
{
	return s->sealed && s->inflight == 0 && s->read_off == s->durable && s->napplied == s->nrec;
}

int cdr_journal_confirm(struct cdr_journal *j, uint64_t ident, uint64_t replica_flush,
			unsigned *dropped_unconfirmed)
{
	int n = 0;
	uint64_t kept_bytes = 0;
	*dropped_unconfirmed = 0;
	pthread_mutex_lock(&j->mu);
	/* The writer's segment becomes deletable only once sealed: seal an
	 * idle one that is old enough, so a quiet system still cleans up. */
	if (want_rotate(j) && j->cur && j->cur->nwritten == j->cur->nrec)
		seal_current(j);
	for (struct seg *s = j->segs; s; s = s->next)
		if (seg_applied(s)) {
			kept_bytes += s->size;
			if (s->applied_at.tv_sec == 0 && s->applied_at.tv_nsec == 0)
				clock_gettime(CLOCK_MONOTONIC, &s->applied_at);
		}
	for (struct seg **p = &j->segs; *p;) {
		struct seg *s = *p;
		bool del = false, by_retention = false;
		if (seg_applied(s)) {
			if (s->nrec == 0 ||
			    (s->ident == ident && replica_flush && s->max_lsn <= replica_flush)) {
				del = true;
			} else if (kept_bytes > j->o.retain_unconfirmed_bytes ||
				   mono_since(&s->applied_at) >= j->o.retain_unconfirmed_s) {
				del = by_retention = true;
			}
		}
		if (del && unlink(s->path) == 0) {
			kept_bytes -= s->size;
			*p = s->next;
			seg_free(s);
			n++;
			if (by_retention)
				(*dropped_unconfirmed)++;
			continue;
		}
		p = &s->next;
	}
	pthread_mutex_unlock(&j->mu);
	if (n)
		fsync(j->dirfd);
	return n;
}

size_t cdr_journal_rewind(struct cdr_journal *j)
{
	size_t n = 0;
	pthread_mutex_lock(&j->mu);
	for (struct seg *s = j->segs; s; s = s->next) {
		n += s->napplied;
		seg_reset(s);
	}
	pthread_cond_broadcast(&j->readable);
	pthread_mutex_unlock(&j->mu);
	return n;
}

size_t cdr_journal_backlog(struct cdr_journal *j)
{
	size_t n = 0;
	pthread_mutex_lock(&j->mu);
	for (struct seg *s = j->segs; s; s = s->next)
		n += s->nrec - s->napplied;
	pthread_mutex_unlock(&j->mu);
	return n;
}

double cdr_journal_oldest_age(struct cdr_journal *j)
{
	int64_t oldest = 0;
	pthread_mutex_lock(&j->mu);
	for (int i = 0; i < INFLIGHT_SLOTS; i++)
		if (j->inflight_oldest[i] && (!oldest || j->inflight_oldest[i] < oldest))
			oldest = j->inflight_oldest[i];
	for (struct seg *s = j->segs; s; s = s->next) {
		if (s->read_off >= s->durable)
			continue;
		unsigned char h[HDR];
		int fd = open(s->path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (pread(fd, h, HDR, (off_t)s->read_off) == HDR && check_hdr(h) >= 0) {
				int64_t t = (int64_t)get64(h + 16);
				if (!oldest || t < oldest)
					oldest = t;
			}
			close(fd);
		}
		break;
	}
	pthread_mutex_unlock(&j->mu);
	if (!oldest)
		return 0;
	double age = (double)(now_real_ns() - oldest) / 1e9;
	return age > 0 ? age : 0;
}

uint64_t cdr_journal_bytes(struct cdr_journal *j)
{
	uint64_t n = 0;
	pthread_mutex_lock(&j->mu);
	for (struct seg *s = j->segs; s; s = s->next)
		n += s->size;
	pthread_mutex_unlock(&j->mu);
	return n;
}

size_t cdr_journal_segments(struct cdr_journal *j)
{
	size_t n = 0;
	pthread_mutex_lock(&j->mu);
	for (struct seg *s = j->segs; s; s = s->next)
		n++;
	pthread_mutex_unlock(&j->mu);
	return n;
}

bool cdr_journal_idle(struct cdr_journal *j)
{
	bool idle = true;
	pthread_mutex_lock(&j->mu);
	for (struct seg *s = j->segs; s; s = s->next)
		if (s->inflight || s->napplied < s->nrec || s->read_off < s->durable)
			idle = false;
	pthread_mutex_unlock(&j->mu);
	return idle;
}
