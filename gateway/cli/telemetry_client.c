/* SPDX-License-Identifier: BSD-3-Clause */
#include "telemetry_client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* DPDK 22.11 replies are at most 16 KiB; the hello tells us the real bound
 * and we never accept less room than this. */
#define TELEMETRY_REPLY_MIN   16384
#define TELEMETRY_REPLY_MAX   (16u << 20)
#define TELEMETRY_COMMAND_MAX 256

struct telemetry_client {
	int fd;
	size_t max_reply;
	char *buffer; /* max_reply + 1 */
};

int telemetry_socket_path(const char *file_prefix, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s/%s", TELEMETRY_RUN_DIR, file_prefix,
			 TELEMETRY_SOCKET_NAME);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* Receive one message; the datagram boundary is the message boundary. */
static int receive_message(struct telemetry_client *client, size_t *len, char *err, size_t err_size)
{
	struct pollfd pfd = {.fd = client->fd, .events = POLLIN};
	int ready = poll(&pfd, 1, TELEMETRY_TIMEOUT_MS);
	if (ready < 0) {
		int e = errno;
		snprintf(err, err_size, "telemetry socket: %s", strerror(e));
		return -e;
	}
	if (ready == 0) {
		snprintf(err, err_size, "vtepgw did not answer within %d ms", TELEMETRY_TIMEOUT_MS);
		return -ETIMEDOUT;
	}
	ssize_t n = recv(client->fd, client->buffer, client->max_reply, MSG_TRUNC);
	if (n < 0) {
		int e = errno;
		snprintf(err, err_size, "telemetry socket: %s", strerror(e));
		return -e;
	}
	if (n == 0) {
		snprintf(err, err_size, "vtepgw closed the telemetry connection");
		return -ECONNRESET;
	}
	if ((size_t)n > client->max_reply) {
		snprintf(err, err_size, "telemetry reply of %zd bytes is larger than announced", n);
		return -EPROTO;
	}
	client->buffer[n] = '\0';
	*len = (size_t)n;
	return 0;
}

int telemetry_connect(struct telemetry_client **client, const char *path, char *err,
		      size_t err_size)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct telemetry_client *c = NULL;
	struct json_value *hello = NULL;
	char parse_err[128];
	int ret;

	*client = NULL;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, err_size, "socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, path);

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	c->max_reply = TELEMETRY_REPLY_MIN;
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		ret = -errno;
		snprintf(err, err_size, "socket: %s", strerror(-ret));
		goto err;
	}
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		ret = -errno;
		snprintf(err, err_size, "%s: %s", path, strerror(-ret));
		goto err;
	}
	c->buffer = malloc(c->max_reply + 1);
	if (c->buffer == NULL) {
		ret = -ENOMEM;
		snprintf(err, err_size, "out of memory");
		goto err;
	}
	size_t len;
	ret = receive_message(c, &len, err, err_size);
	if (ret < 0)
		goto err;
	hello = json_parse(c->buffer, len, parse_err, sizeof(parse_err));
	uint64_t max_output_len;
	if (hello == NULL || json_get_u64(hello, "max_output_len", &max_output_len) < 0) {
		snprintf(err, err_size, "%s does not speak DPDK telemetry v2 (hello: %s)", path,
			 hello == NULL ? parse_err : "no max_output_len");
		ret = -EPROTO;
		goto err;
	}
	json_free(hello);
	hello = NULL;
	if (max_output_len > TELEMETRY_REPLY_MAX) {
		snprintf(err, err_size, "telemetry max_output_len %llu is implausibly large",
			 (unsigned long long)max_output_len);
		ret = -EPROTO;
		goto err;
	}
	if (max_output_len > c->max_reply) {
		char *bigger = realloc(c->buffer, max_output_len + 1);
		if (bigger == NULL) {
			ret = -ENOMEM;
			snprintf(err, err_size, "out of memory");
			goto err;
		}
		c->buffer = bigger;
		c->max_reply = max_output_len;
	}
	*client = c;
	return 0;
err:
	json_free(hello);
	telemetry_close(c);
	return ret;
}

void telemetry_close(struct telemetry_client *client)
{
	if (client == NULL)
		return;
	if (client->fd >= 0)
		close(client->fd);
	free(client->buffer);
	free(client);
}

int telemetry_query(struct telemetry_client *client, const char *command, struct json_value **data,
		    char *err, size_t err_size)
{
	char parse_err[128];
	size_t len;
	int ret;

	*data = NULL;
	size_t command_len = strlen(command);
	if (command_len == 0 || command_len >= TELEMETRY_COMMAND_MAX || command[0] != '/') {
		snprintf(err, err_size, "invalid telemetry command '%s'", command);
		return -EINVAL;
	}
	if (send(client->fd, command, command_len, MSG_NOSIGNAL) < 0) {
		ret = -errno;
		snprintf(err, err_size, "telemetry socket: %s", strerror(-ret));
		return ret;
	}
	ret = receive_message(client, &len, err, err_size);
	if (ret < 0)
		return ret;
	struct json_value *reply = json_parse(client->buffer, len, parse_err, sizeof(parse_err));
	if (reply == NULL) {
		snprintf(err, err_size, "malformed reply to %s: %s", command, parse_err);
		return -EPROTO;
	}
	/* The reply is keyed by the command without its parameters. */
	size_t key_len = strcspn(command, ",");
	struct json_value *value = NULL;
	if (reply->type == JSON_OBJECT && reply->count == 1 &&
	    strlen(reply->members[0].key) == key_len &&
	    strncmp(reply->members[0].key, command, key_len) == 0)
		value = reply->members[0].value;
	if (value == NULL) {
		snprintf(err, err_size, "reply to %s is not keyed by the command", command);
		ret = -EPROTO;
	} else if (value->type == JSON_NULL) {
		snprintf(err, err_size, "vtepgw does not support %.*s (older daemon?)",
			 (int)key_len, command);
		ret = -ENOTSUP;
	} else {
		/* Detach the value from the reply so the caller owns only it. */
		reply->members[0].value = NULL;
		*data = value;
		ret = 0;
	}
	json_free(reply);
	return ret;
}
