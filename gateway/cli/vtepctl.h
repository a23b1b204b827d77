/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepctl: the operator's view of a running (or stopped) vtepgw.
 * Two sources: the LMDB store (segments, FDB; readable while the daemon
 * writes, and after it stopped) and the daemon's DPDK telemetry socket (live
 * ports, VTEPs, counters). Each `show` function prints a table or JSON to
 * ctx->out, messages to ctx->err, and returns the process exit code.
 */
#ifndef VTEPGW_CLI_VTEPCTL_H
#define VTEPGW_CLI_VTEPCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json_reader.h"

#define VTEPCTL_DEFAULT_CONFIG	      "/etc/vtepgw/vtepgw.conf"
#define VTEPCTL_DEFAULT_LMDB_DIR      "/var/lib/vtepgw"
#define VTEPCTL_DEFAULT_FILE_PREFIX   "vtepgw"
#define VTEPCTL_DEFAULT_LMDB_MAP_SIZE (256ull << 20)

/* Exit codes (documented in docs/vtepctl.md). */
enum vtepctl_exit {
	VTEPCTL_EXIT_OK = 0,
	VTEPCTL_EXIT_USAGE = 1,	      /* bad command line or configuration file */
	VTEPCTL_EXIT_NOT_RUNNING = 2, /* no daemon on the telemetry socket */
	VTEPCTL_EXIT_FAILURE = 3,     /* store unreadable, malformed reply, ... */
};

struct vtepctl {
	const char *socket_path;
	const char *lmdb_dir;
	uint64_t lmdb_map_size; /* gateway.lmdb_map_size; readers map this much */
	bool json;
	bool all; /* show counters: zero counters too */
	FILE *out;
	FILE *err;
};

/* The whole command line; what main() calls. Testable with memstreams. */
int vtepctl_main(int argc, char **argv, FILE *out, FILE *err);

int vtepctl_show_ports(const struct vtepctl *ctx);
int vtepctl_show_vteps(const struct vtepctl *ctx);
int vtepctl_show_counters(const struct vtepctl *ctx);
int vtepctl_show_segments(const struct vtepctl *ctx);
/* segment: a segment name, or NULL for all. */
int vtepctl_show_fdb(const struct vtepctl *ctx, const char *segment);

/*
 * Query one telemetry command. Returns 0 with *data (json_free it), or an
 * exit code: VTEPCTL_EXIT_NOT_RUNNING with "vtepgw is not running (no
 * telemetry socket at PATH)" on ctx->err, or VTEPCTL_EXIT_FAILURE.
 * With `quiet`, the not-running message is not printed.
 */
int vtepctl_telemetry(const struct vtepctl *ctx, const char *command, bool quiet,
		      struct json_value **data);

#endif
