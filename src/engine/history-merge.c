/* The history of both nodes as one: see history-merge.h. */
#include "engine/history-merge.h"
#include "lib/utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct history_list *l)
{
	struct history_item *v;
	size_t cap;

	if (l->n < l->cap)
		return 0;
	cap = l->cap ? l->cap * 2 : 64;
	v = realloc(l->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	l->cap = cap;
	return 0;
}

/* "SECONDS" or "SECONDS.FRACTION" (1-12 and 1-9 digits) as milliseconds. */
static bool parse_time(const char *s, size_t n, long long *ms)
{
	long long sec = 0, frac = 0;
	size_t i = 0, d;

	for (d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, d++)
		if (d < 12)
			sec = sec * 10 + (s[i] - '0');
	if (d == 0 || d > 12)
		return false;
	if (i < n) {
		if (s[i++] != '.')
			return false;
		for (d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, d++)
			if (d < 3)
				frac = frac * 10 + (s[i] - '0');
		if (d == 0 || d > 9 || i != n)
			return false;
		for (; d < 3; d++)
			frac *= 10;
	}
	*ms = sec * 1000 + frac;
	return sec > 0;
}

/* An event or outcome name: 1..size-1 bytes of [a-z0-9_-]. */
static bool copy_name(char *dst, size_t size, const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= size)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* The length of the UTF-8 sequence its lead byte announces (0: not a lead). */
static size_t utf8_len(unsigned char c)
{
	return c < 0x80               ? 1 :
	       c >= 0xc2 && c <= 0xdf ? 2 :
	       c >= 0xe0 && c <= 0xef ? 3 :
	       c >= 0xf0 && c <= 0xf4 ? 4 :
					0;
}

/* The detail, printable and valid UTF-8 whatever the file held: control
 * characters become spaces, bytes that are no UTF-8 '?'; cut at size - 1
 * bytes on a character boundary. */
static void copy_detail(char *dst, size_t size, const char *s, size_t n)
{
	size_t i = 0, o = 0, k;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		k = utf8_len(c);
		if (k == 0 || i + k > n || (k > 1 && !utf8_valid(s + i, k))) {
			if (o + 1 >= size)
				break;
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + k >= size)
			break;
		if (k == 1 && (c < 0x20 || c == 0x7f))
			dst[o++] = ' ';
		else
			memcpy(dst + o, s + i, k), o += k;
		i += k;
	}
	dst[o] = '\0';
}

/* One line (without its newline) into it; false when it is malformed. */
static bool parse_line(const char *s, size_t n, struct history_item *it)
{
	const char *f[3], *end = s + n;
	size_t len[3];
	int i;

	if (memchr(s, '\0', n))
		return false;
	for (i = 0; i < 3; i++) {
		const char *tab = memchr(s, '\t', (size_t)(end - s));

		f[i] = s;
		len[i] = (size_t)((tab ? tab : end) - s);
		if (!tab && i < 2)
			return false;
		s = tab ? tab + 1 : end;
	}
	memset(it, 0, sizeof(*it));
	if (!parse_time(f[0], len[0], &it->time_ms) ||
	    !copy_name(it->event, sizeof(it->event), f[1], len[1]) ||
	    !copy_name(it->outcome, sizeof(it->outcome), f[2], len[2]))
		return false;
	copy_detail(it->detail, sizeof(it->detail), s, (size_t)(end - s));
	return true;
}

int history_parse(const char *buf, size_t len, bool from_middle, const char *node, size_t max,
		  struct history_list *out)
{
	const char *p = buf, *end = buf + len;
	size_t first = out->n, seq = 0, drop;

	if (from_middle) {
		const char *nl = memchr(p, '\n', len);

		p = nl ? nl + 1 : end;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		struct history_item it;

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0) {
			/* blank line: nothing recorded, nothing wrong */
		} else if (!parse_line(p, n, &it)) {
			out->malformed++;
		} else {
			if (grow(out) < 0)
				return -ENOMEM;
			snprintf(it.node, sizeof(it.node), "%s", node);
			it.seq = seq++;
			out->v[out->n++] = it;
		}
		p = nl ? nl + 1 : end;
	}
	if (out->n - first > max) {
		drop = out->n - first - max;
		memmove(out->v + first, out->v + first + drop, max * sizeof(out->v[0]));
		out->n -= drop;
	}
	return 0;
}

static int by_time(const void *pa, const void *pb)
{
	const struct history_item *a = pa, *b = pb;
	int c;

	if (a->time_ms != b->time_ms)
		return a->time_ms < b->time_ms ? -1 : 1;
	if ((c = strcmp(a->node, b->node)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Events both nodes record for one operation. */
static bool pair_event(const struct history_item *it)
{
	return strcmp(it->event, "switchover") == 0;
}

/* The group being filled: its first entry's time, the node that started
 * the operation ("" until its "started" entry is seen), the node of its
 * first entry and whether another one recorded into it. */
struct open_group {
	unsigned id;
	long long t0;
	char initiator[8], first_node[8];
	bool both, closed;
};

static void join(struct open_group *g, struct history_item *it)
{
	it->group = g->id;
	if (strcmp(it->node, g->first_node) != 0)
		g->both = true;
	if (strcmp(it->outcome, "started") == 0)
		snprintf(g->initiator, sizeof(g->initiator), "%s", it->node);
	else if (g->initiator[0] && strcmp(it->node, g->initiator) == 0 &&
		 (strcmp(it->outcome, "ok") == 0 || strcmp(it->outcome, "failed") == 0))
		g->closed = true; /* the command that started it has ended */
}

/* A "started" entry joins the open group only when that group holds the
 * other node's side alone (its clock a little ahead); any other entry joins
 * an open group that is not closed, within the window. */
static bool joins(const struct open_group *g, const struct history_item *it)
{
	if (!g->id || g->closed || it->time_ms - g->t0 > HISTORY_PAIR_WINDOW_MS)
		return false;
	if (strcmp(it->outcome, "started") == 0)
		return !g->initiator[0] && !g->both && strcmp(g->first_node, it->node) != 0;
	return true;
}

static int set_groups(struct history_list *l)
{
	struct open_group g = { 0 };
	const struct history_item **first;
	unsigned next = 0, *renum;
	bool *both;
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct history_item *it = &l->v[i];

		it->group = 0;
		if (!pair_event(it))
			continue;
		if (!joins(&g, it)) {
			memset(&g, 0, sizeof(g));
			g.id = ++next;
			g.t0 = it->time_ms;
			snprintf(g.first_node, sizeof(g.first_node), "%s", it->node);
		}
		join(&g, it);
	}
	if (!next)
		return 0;
	/* Only groups with both nodes' entries stay groups, numbered 1.. in
	 * the order they begin. */
	both = calloc(next + 1, sizeof(*both));
	renum = calloc(next + 1, sizeof(*renum));
	first = calloc(next + 1, sizeof(*first));
	if (!both || !renum || !first) {
		free(both);
		free(renum);
		free(first);
		return -ENOMEM;
	}
	for (i = 0; i < l->n; i++) {
		const struct history_item *it = &l->v[i];

		if (!it->group)
			continue;
		if (!first[it->group])
			first[it->group] = it;
		else if (strcmp(first[it->group]->node, it->node) != 0)
			both[it->group] = true;
	}
	for (next = 0, i = 0; i < l->n; i++) {
		struct history_item *it = &l->v[i];
		unsigned id = it->group;

		if (!id || !both[id]) {
			it->group = 0;
			continue;
		}
		if (!renum[id])
			renum[id] = ++next;
		it->group = renum[id];
	}
	free(both);
	free(renum);
	free(first);
	return 0;
}

int history_merge(const struct history_list *a, const struct history_list *b,
		  struct history_list *out)
{
	size_t n = a->n + b->n;

	memset(out, 0, sizeof(*out));
	out->malformed = a->malformed + b->malformed;
	if (n == 0)
		return 0;
	out->v = malloc(n * sizeof(out->v[0]));
	if (!out->v)
		return -ENOMEM;
	if (a->n)
		memcpy(out->v, a->v, a->n * sizeof(a->v[0]));
	if (b->n)
		memcpy(out->v + a->n, b->v, b->n * sizeof(b->v[0]));
	out->n = out->cap = n;
	qsort(out->v, n, sizeof(out->v[0]), by_time);
	return set_groups(out);
}

size_t history_window(const struct history_list *l, size_t n)
{
	size_t start = l->n > n ? l->n - n : 0, i, j;
	bool moved = true;

	while (moved) {
		moved = false;
		for (i = start; i < l->n && !moved; i++) {
			if (!l->v[i].group)
				continue;
			for (j = 0; j < start; j++)
				if (l->v[j].group == l->v[i].group) {
					start = j;
					moved = true;
					break;
				}
		}
	}
	return start;
}

void history_list_free(struct history_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
