/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Applying a generated frr.conf: the file is replaced atomically (FRR and
 * frr-reload.py never read half a file), then FRR's own frr-reload.py
 * computes the difference against `show running-config` and sends only
 * that through vtysh. No daemon restarts, so sessions that did not change
 * stay up.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <routing/frr_conf.h>

static int write_all(int fd, const char *text, size_t length)
{
	while (length > 0) {
		ssize_t n = write(fd, text, length);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		text += n;
		length -= (size_t)n;
	}
	return 0;
}

int frr_conf_write_atomic(const char *path, const char *text, size_t length)
{
	char temporary[PATH_MAX];
	struct stat existing;
	bool have_existing;
	int fd, rc;

	if (path == NULL || text == NULL)
		return -EINVAL;
	if ((size_t)snprintf(temporary, sizeof(temporary), "%s.tmp.%ld", path, (long)getpid()) >=
	    sizeof(temporary))
		return -ENAMETOOLONG;
	have_existing = stat(path, &existing) == 0;
	fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		  have_existing ? existing.st_mode & 07777 : 0640);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, text, length);
	/* Keep FRR's ownership (user frr reads it) when replacing its file. */
	if (rc == 0 && have_existing && fchown(fd, existing.st_uid, existing.st_gid) < 0)
		rc = -errno;
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(temporary, path) < 0)
		rc = -errno;
	if (rc < 0)
		goto err;
	return 0;
err:
	unlink(temporary);
	return rc;
}

/* frr-reload.py finds vtysh.conf under --confdir (plus the pathspace). */
static void confdir_of(const struct frr_conf_target *target, const char *config_path, char *confdir,
		       size_t size)
{
	const char *slash;

	if (target->pathspace != NULL || config_path == NULL ||
	    (slash = strrchr(config_path, '/')) == NULL) {
		snprintf(confdir, size, "%s", FRR_CONF_DEFAULT_CONFDIR);
		return;
	}
	if (slash == config_path)
		snprintf(confdir, size, "/");
	else
		snprintf(confdir, size, "%.*s", (int)(slash - config_path), config_path);
}

int frr_conf_reload(const struct frr_conf_target *target, const char *config_path, bool test_only,
		    FILE *report)
{
	const char *tool = target->reload_tool ? target->reload_tool : FRR_CONF_DEFAULT_RELOAD_TOOL;
	const char *bindir = target->bindir ? target->bindir : FRR_CONF_DEFAULT_BINDIR;
	char confdir[PATH_MAX];
	const char *argv[16];
	size_t argc = 0;
	int pipe_fds[2], status;
	char buffer[4096];
	ssize_t n;
	pid_t pid;

	if (config_path == NULL || report == NULL)
		return -EINVAL;
	if (access(tool, X_OK) < 0)
		return -errno;
	confdir_of(target, config_path, confdir, sizeof(confdir));

	argv[argc++] = tool;
	argv[argc++] = test_only ? "--test" : "--reload";
	/* Log to our stdout (what was added and deleted), not only to
	 * /var/log/frr/frr-reload.log. */
	argv[argc++] = "--stdout";
	argv[argc++] = "--bindir";
	argv[argc++] = bindir;
	argv[argc++] = "--confdir";
	argv[argc++] = confdir;
	if (target->pathspace != NULL) {
		argv[argc++] = "--pathspace";
		argv[argc++] = target->pathspace;
	}
	if (target->vty_socket != NULL) {
		argv[argc++] = "--vty_socket";
		argv[argc++] = target->vty_socket;
	}
	argv[argc++] = config_path;
	argv[argc] = NULL;

	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		return -errno;
	fflush(report);
	pid = fork();
	if (pid < 0) {
		int rc = -errno;

		close(pipe_fds[0]);
		close(pipe_fds[1]);
		return rc;
	}
	if (pid == 0) {
		dup2(pipe_fds[1], STDOUT_FILENO);
		dup2(pipe_fds[1], STDERR_FILENO);
		execv(tool, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(pipe_fds[1]);
	while ((n = read(pipe_fds[0], buffer, sizeof(buffer))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		fwrite(buffer, 1, (size_t)n, report);
	}
	close(pipe_fds[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return -ECHILD;
}
