/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client of the DPDK telemetry socket (v2) that vtepgw serves its live state
 * on. The protocol: a SOCK_SEQPACKET unix socket; on connect the server sends
 * one JSON hello ({"version": ..., "pid": ..., "max_output_len": N}); each
 * request is one message with a command ("/vtepgw/ports", optionally
 * ",params"), each reply one message {"<command>": <data>}, where data is
 * null when the command is unknown or failed.
 * No DPDK library is needed on the client side.
 */
#ifndef VTEPGW_CLI_TELEMETRY_CLIENT_H
#define VTEPGW_CLI_TELEMETRY_CLIENT_H

#include <stddef.h>

#include "json_reader.h"

/* Where DPDK puts the socket for a process started as root. */
#define TELEMETRY_RUN_DIR     "/var/run/dpdk"
#define TELEMETRY_SOCKET_NAME "dpdk_telemetry.v2"
/* A reply must arrive within this time, so a wedged daemon cannot hang us. */
#define TELEMETRY_TIMEOUT_MS 5000

struct telemetry_client;

/* "/var/run/dpdk/<prefix>/dpdk_telemetry.v2". 0 or -ENAMETOOLONG. */
int telemetry_socket_path(const char *file_prefix, char *buf, size_t size);

/*
 * Connect and read the hello. Returns 0, or a negative errno: -ENOENT or
 * -ECONNREFUSED when nobody serves the socket (daemon not running), -EPROTO
 * for a hello that is not what DPDK sends, -ETIMEDOUT. `err` gets a message.
 */
int telemetry_connect(struct telemetry_client **client, const char *path, char *err,
		      size_t err_size);
void telemetry_close(struct telemetry_client *client);

/*
 * Send `command` and return, in *data, the value under the command's key in
 * the reply (the caller frees it with json_free). Returns 0, -EPROTO for a
 * malformed reply, -ENOTSUP when the daemon answers null (unknown command),
 * -ETIMEDOUT, or another negative errno; `err` gets a message.
 */
int telemetry_query(struct telemetry_client *client, const char *command, struct json_value **data,
		    char *err, size_t err_size);

#endif
