/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: arbitrary bytes fed to the netlink mirror as if they had
 * arrived on its event socket. Malformed messages must be skipped and counted
 * (stats.parse_errors), never crash; lookups on whatever was accepted must
 * stay consistent. The mirror is opened once (sockets only, no dump).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "routing/netlink_mirror.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct netlink_mirror *mirror;

static void fuzz_route(void *arg, bool add, const struct netlink_route *route)
{
	(void)arg;
	/* Every path the mirror reports must be within the declared bound. */
	if (add && route->n_paths > NETLINK_MAX_PATHS)
		abort();
}

static const struct netlink_mirror_ops fuzz_ops = {
	.route = fuzz_route,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (mirror == NULL && netlink_mirror_open(&mirror, 0, &fuzz_ops, NULL) < 0)
		abort();
	netlink_mirror_feed(mirror, data, size);

	/* Exercise lookups over what the input may have installed. */
	struct conf_ip probe = {.family = AF_INET};
	if (size >= 4)
		memcpy(&probe.v4, data, 4);
	(void)netlink_mirror_route_lookup(mirror, &probe);
	(void)netlink_mirror_neighbour(mirror, 1, &probe);
	return 0;
}
