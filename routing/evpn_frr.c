/* SPDX-License-Identifier: BSD-3-Clause */
#include "evpn_frr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EVPN_VTYSH_DEFAULT_TIMEOUT_MS 5000
#define EVPN_VTYSH_MAX_OUTPUT	      (16u << 20) /* a full EVPN table in JSON stays far below */
#define EVPN_VTYSH_MAX_ARGS	      32

static long long now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void child(const char *const *argv, int out)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDERR_FILENO);
	}
	dup2(out, STDOUT_FILENO);
	execvp(argv[0], (char *const *)(uintptr_t)argv);
	_exit(127);
}

/* Read the child's output until EOF or the deadline. */
static int collect(int fd, long long deadline, char **output, size_t *size)
{
	size_t capacity = 0;

	*output = NULL;
	*size = 0;
	for (;;) {
		struct pollfd pollfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();
		ssize_t got;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pollfd, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (*size + 4096 + 1 > capacity) {
			size_t grown = capacity ? capacity * 2 : 65536;
			char *bigger;

			if (grown > EVPN_VTYSH_MAX_OUTPUT)
				return -EMSGSIZE;
			bigger = realloc(*output, grown);
			if (bigger == NULL)
				return -ENOMEM;
			*output = bigger;
			capacity = grown;
		}
		got = read(fd, *output + *size, capacity - *size - 1);
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (got == 0)
			break;
		*size += (size_t)got;
	}
	if (*output == NULL) {
		*output = malloc(1);
		if (*output == NULL)
			return -ENOMEM;
	}
	(*output)[*size] = '\0';
	return 0;
}

int evpn_vtysh(const struct evpn_shadow_frr *frr, const char *const *commands, size_t n_commands,
	       char **output)
{
	const char *argv[EVPN_VTYSH_MAX_ARGS];
	size_t argc = 0;
	unsigned timeout_ms = EVPN_VTYSH_DEFAULT_TIMEOUT_MS;
	char *text = NULL;
	size_t size;
	int pipes[2], status, rc;
	pid_t pid;

	argv[argc++] = frr != NULL && frr->vtysh != NULL ? frr->vtysh : "vtysh";
	if (frr != NULL && frr->pathspace != NULL) {
		argv[argc++] = "-N";
		argv[argc++] = frr->pathspace;
	}
	if (frr != NULL && frr->vty_socket != NULL) {
		argv[argc++] = "--vty_socket";
		argv[argc++] = frr->vty_socket;
	}
	if (frr != NULL && frr->timeout_ms != 0)
		timeout_ms = frr->timeout_ms;
	if (n_commands == 0 || argc + 2 * n_commands + 1 > EVPN_VTYSH_MAX_ARGS)
		return -EINVAL;
	for (size_t i = 0; i < n_commands; i++) {
		argv[argc++] = "-c";
		argv[argc++] = commands[i];
	}
	argv[argc] = NULL;

	if (pipe2(pipes, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(pipes[0]);
		close(pipes[1]);
		return rc;
	}
	if (pid == 0)
		child(argv, pipes[1]);
	close(pipes[1]);
	rc = collect(pipes[0], now_ms() + timeout_ms, &text, &size);
	close(pipes[0]);
	if (rc < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		rc = -ECHILD;
	if (rc < 0 || output == NULL)
		free(text);
	else
		*output = text;
	return rc;
}

static bool found_before(const char *from, const char *end, const char *needle)
{
	const char *hit = strstr(from, needle);

	return hit != NULL && hit < end;
}

/* The JSON has one object per prefix, keyed and tagged
 * `"prefix":"[3]:[EthTag]:[IPlen]:[OrigIP]"`, then its paths with `"valid"`
 * and `"bestpath"` flags. A scan for those keys is enough: FRR writes them
 * without spaces. */
int evpn_frr_parse_type3(const char *json, void (*visit)(void *arg, const struct conf_ip *vtep),
			 void *arg)
{
	static const char marker[] = "\"prefix\":\"[3]:";
	const char *cursor = json != NULL ? strstr(json, marker) : NULL;
	int visited = 0;

	while (cursor != NULL) {
		const char *next = strstr(cursor + 1, marker);
		const char *end = next != NULL ? next : cursor + strlen(cursor);
		const char *address = cursor + sizeof(marker) - 1;
		char text[INET6_ADDRSTRLEN];
		struct conf_ip vtep = {0};
		size_t length;
		bool valid, best;

		/* [EthTag]:[IPlen]:[OrigIP]": skip two bracketed fields. */
		for (int field = 0; field < 2 && address != NULL; field++) {
			address = strchr(address, ':');
			if (address != NULL)
				address++;
		}
		if (address != NULL && *address == '[') {
			const char *close = strchr(address, ']');

			length = close != NULL ? (size_t)(close - address - 1) : 0;
			if (length > 0 && length < sizeof(text)) {
				memcpy(text, address + 1, length);
				text[length] = '\0';
				if (inet_pton(AF_INET, text, &vtep.v4) == 1)
					vtep.family = AF_INET;
				else if (inet_pton(AF_INET6, text, &vtep.v6) == 1)
					vtep.family = AF_INET6;
			}
		}
		valid = found_before(cursor, end, "\"valid\":true");
		best = found_before(cursor, end, "\"bestpath\":true");
		if (vtep.family != 0 && valid && best) {
			visit(arg, &vtep);
			visited++;
		}
		cursor = next;
	}
	return visited;
}
