/* Test driver for the arbiter client (src/engine/arbiter.c): one lease call
 * per command line against a witness PostgreSQL, as node NODE of cluster
 * CLUSTER; the password is read from stdin (never argv). Prints
 * "rc=<errno name or 0> granted=<0|1> holder=<h> term=<n> remaining=<ms>
 * elapsed=<ms>" or the reason on stderr.
 *   arbiter-drive HOST PORT CLUSTER NODE acquire|observe|renew TERM|release TERM
 *                 [--ttl MS] [--timeout MS] [--repeat N] */
#include "engine/arbiter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *errname(int r)
{
	switch (-r) {
	case 0:
		return "0";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case EACCES:
		return "EACCES";
	case ENOENT:
		return "ENOENT";
	default:
		return "EIO";
	}
}

int main(int argc, char **argv)
{
	struct arbiter a;
	struct arbiter_answer ans;
	char password[1100], why[300];
	int ttl = 2400, timeout = 1000, repeat = 1, i, r = 0, argi = 6;
	long long term = 0, t0;
	const char *op;

	if (argc < 6)
		return 2;
	memset(&a, 0, sizeof(a));
	snprintf(a.host, sizeof(a.host), "%s", argv[1]);
	snprintf(a.port, sizeof(a.port), "%s", argv[2]);
	snprintf(a.cluster, sizeof(a.cluster), "%s", argv[3]);
	snprintf(a.node, sizeof(a.node), "%s", argv[4]);
	op = argv[5];
	if (strcmp(op, "renew") == 0 || strcmp(op, "release") == 0) {
		if (argc < 7)
			return 2;
		term = strtoll(argv[6], NULL, 10);
		argi = 7;
	}
	for (; argi + 1 < argc; argi += 2) {
		if (strcmp(argv[argi], "--ttl") == 0)
			ttl = atoi(argv[argi + 1]);
		else if (strcmp(argv[argi], "--timeout") == 0)
			timeout = atoi(argv[argi + 1]);
		else if (strcmp(argv[argi], "--repeat") == 0)
			repeat = atoi(argv[argi + 1]);
		else
			return 2;
	}
	if (!fgets(password, sizeof(password), stdin))
		password[0] = '\0';
	password[strcspn(password, "\n")] = '\0';
	a.password = password;
	for (i = 0; i < repeat; i++) {
		t0 = lease_clock_ms();
		memset(&ans, 0, sizeof(ans));
		if (strcmp(op, "acquire") == 0)
			r = arbiter_acquire(&a, ttl, timeout, &ans, why, sizeof(why));
		else if (strcmp(op, "observe") == 0)
			r = arbiter_observe(&a, timeout, &ans, why, sizeof(why));
		else if (strcmp(op, "renew") == 0)
			r = arbiter_renew(&a, term, ttl, timeout, &ans, why, sizeof(why));
		else if (strcmp(op, "release") == 0)
			r = arbiter_release(&a, term, timeout, &ans, why, sizeof(why));
		else
			return 2;
		if (r < 0)
			fprintf(stderr, "why: %s\n", why);
		printf("rc=%s granted=%d holder=%s term=%lld remaining=%lld elapsed=%lld\n",
		       errname(r), ans.granted, ans.holder, ans.term, ans.remaining,
		       lease_clock_ms() - t0);
	}
	arbiter_close(&a);
	memset(password, 0, sizeof(password));
	return r < 0 ? 1 : 0;
}
