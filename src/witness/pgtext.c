/* PostgreSQL file text for the witness: see pgtext.h. */
#include "witness/pgtext.h"
#include "lib/validators.h"

#include <errno.h>
#include <string.h>

int hba_block(const struct witness_config *cfg, struct strbuf *out)
{
	uint32_t seen[2 * WITNESS_PAIRS_MAX];
	size_t nseen = 0, i, j, k;
	int r = 0;

	r |= sb_adds(out, HBA_BEGIN " (written by voip-ha-witness setup from "
				    "/etc/voip-ha/witness.conf; edits here are replaced)\n");
	for (i = 0; i < cfg->npairs; i++)
		for (k = 0; k < 2; k++) {
			char ip[16];

			for (j = 0; j < nseen && seen[j] != cfg->pairs[i].node[k]; j++)
				;
			if (j < nseen)
				continue;
			seen[nseen++] = cfg->pairs[i].node[k];
			ipv4_format(cfg->pairs[i].node[k], ip);
			r |= sb_addf(out, "hostssl %s %s %s/32 scram-sha-256\n", WITNESS_DB,
				     WITNESS_ROLE, ip);
		}
	r |= sb_addf(out, "host %s all all reject\n", WITNESS_DB);
	r |= sb_addf(out, "host all %s all reject\n", WITNESS_ROLE);
	r |= sb_adds(out, HBA_END "\n");
	return r < 0 ? -ENOMEM : 0;
}

static bool starts(const char *line, size_t n, const char *prefix)
{
	size_t p = strlen(prefix);

	return n >= p && memcmp(line, prefix, p) == 0;
}

static bool is_rule(const char *line, size_t n)
{
	size_t i = 0;

	while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	return i < n && line[i] != '#';
}

int hba_merge(const char *text, size_t len, const char *block, struct strbuf *out)
{
	const char *p = text, *end = text + len;
	bool inside = false, placed = false;
	int r = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t step = nl ? n + 1 : n;

		if (starts(p, n, HBA_BEGIN)) {
			if (inside)
				return -EINVAL;
			inside = true;
		} else if (starts(p, n, HBA_END)) {
			if (!inside)
				return -EINVAL;
			inside = false;
		} else if (!inside) {
			if (!placed && is_rule(p, n)) {
				r |= sb_adds(out, block);
				placed = true;
			}
			r |= sb_add(out, p, n);
			r |= sb_addc(out, '\n');
		}
		p += step;
	}
	if (inside)
		return -EINVAL;
	if (!placed)
		r |= sb_adds(out, block);
	return r < 0 ? -ENOMEM : 0;
}

bool listen_covers(const char *admin, const char *addr)
{
	const char *s = admin;
	size_t alen = strlen(addr);

	while (*s) {
		size_t n;

		while (*s == ' ' || *s == ',')
			s++;
		n = strcspn(s, ",");
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if ((n == 1 && s[0] == '*') || (n == 7 && memcmp(s, "0.0.0.0", 7) == 0) ||
		    (n == alen && memcmp(s, addr, n) == 0))
			return true;
		s += n;
		while (*s == ' ')
			s++;
	}
	return false;
}
