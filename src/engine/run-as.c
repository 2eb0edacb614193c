/* Programs run as another user: see run-as.h. */
#include "engine/run-as.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

int become_postgres(const struct node_ctx *ctx)
{
	if (geteuid() == ctx->pg_uid)
		return 0;
	if (setgroups(0, NULL) < 0 || setgid(ctx->pg_gid) < 0 || setuid(ctx->pg_uid) < 0)
		return -errno;
	return 0;
}

int run_as(const char *const argv[], uid_t uid, gid_t gid, const char *const envp[], char *out,
	   size_t outlen)
{
	int pipefd[2] = { -1, -1 };
	size_t got = 0;
	int status, devnull;
	pid_t pid;

	if (out && pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = errno;

		if (out) {
			close(pipefd[0]);
			close(pipefd[1]);
		}
		return -e;
	}
	if (pid == 0) {
		devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (devnull >= 0)
			dup2(devnull, 0);
		if (out)
			dup2(pipefd[1], 1);
		if (uid != (uid_t)-1 &&
		    (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0))
			_exit(126);
		execve(argv[0], (char *const *)argv, (char *const *)envp);
		_exit(127);
	}
	if (out) {
		ssize_t n;

		close(pipefd[1]);
		while ((n = read(pipefd[0], out + got, outlen - 1 - got)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			got += (size_t)n;
			if (got == outlen - 1) {
				char sink[512];

				while (read(pipefd[0], sink, sizeof(sink)) > 0)
					;
				break;
			}
		}
		out[got] = '\0';
		close(pipefd[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
