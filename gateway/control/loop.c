/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control loop on the main lcore: waits on the netlink mirror (routes,
 * neighbours, links, addresses), drains what the workers learned, and runs
 * the timers: the clock the workers stamp FDB hits with, aging, LMDB
 * batches, and re-resolution of VTEPs. SIGTERM/SIGINT set gw.stop.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "control/control.h"
#include "routing/netlink_mirror.h"

#define LOOP_TICK_MS	 10
#define STORE_FLUSH_MS	 500
#define RESOLVE_RETRY_MS 2000

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int control_loop_run(struct gw *g, struct netlink_mirror *mirror)
{
	uint64_t start = now_ms(), last_second = start, last_flush = start, last_resolve = start;
	struct pollfd pfd = {.fd = netlink_mirror_fd(mirror), .events = POLLIN};

	g->clock = 1;
	while (!g->stop) {
		uint64_t now;
		int ret = poll(&pfd, pfd.fd >= 0 ? 1 : 0, LOOP_TICK_MS);

		if (ret > 0 && (pfd.revents & POLLIN)) {
			ret = netlink_mirror_process(mirror);
			if (ret < 0 && ret != -EAGAIN)
				GW_LOG(WARNING, "netlink: %d", ret);
		}
		fdb_drain_learn_ring(g);
		vteps_resolve_pending(g);

		now = now_ms();
		g->clock = (uint32_t)((now - start) / 1000u) + 1;
		if (now - last_second >= 1000) {
			last_second = now;
			fdb_age(g);
		}
		if (now - last_flush >= STORE_FLUSH_MS) {
			last_flush = now;
			store_sync_flush(g);
		}
		if (now - last_resolve >= RESOLVE_RETRY_MS) {
			last_resolve = now;
			for (uint32_t i = 0; i < g->n_vteps; i++)
				if (!g->vteps[i].resolved)
					vteps_mark_dirty();
		}
	}
	return 0;
}
