/* Running a program, or this process, as another user (the postgres user):
 * the one place that drops rights and forks helpers. */
#ifndef VOIPHA_ENGINE_RUN_AS_H
#define VOIPHA_ENGINE_RUN_AS_H

#include <stddef.h>
#include <sys/types.h>

#include "engine/node-ctx.h"

/* Drops root to the postgres user (peer authentication on the local socket
 * needs the OS user to be postgres). -errno on failure. */
int become_postgres(const struct node_ctx *ctx);

/* Runs argv (argv[0] an absolute path) as uid/gid (or unchanged when
 * uid == (uid_t)-1) with an empty environment plus envp, stdin from
 * /dev/null. Captures up to outlen-1 bytes of stdout into out (NUL-terminated)
 * when out is given; stderr is passed through. Returns the exit status (0..255),
 * 128+signal, or -errno when it could not run. Why fork+exec and not
 * posix_spawn: the child must switch user before exec, which posix_spawn
 * cannot do. Still an argv array: no shell ever parses our arguments. */
int run_as(const char *const argv[], uid_t uid, gid_t gid, const char *const envp[], char *out,
	   size_t outlen);

#endif
