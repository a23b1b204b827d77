/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop: poll every RX queue assigned to this worker, flush the TX
 * bursts, report a quiescent state (RCU QSBR) once per round.
 * Idle back-off: test and CI machines have two cores, one of which runs the
 * control thread, the kernel's veth work and the tests themselves; a worker
 * spinning at 100% makes them crawl. After WORKER_IDLE_SPINS empty rounds
 * the worker sleeps WORKER_IDLE_SLEEP_US (long idle: WORKER_LONG_SLEEP_US),
 * offline for RCU so the control thread never waits on a sleeper. The first
 * packet after an idle period waits at most that long; under load the
 * worker never sleeps.
 */
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "datapath/datapath.h"

#define WORKER_IDLE_SPINS    256
#define WORKER_LONG_IDLE     4096
#define WORKER_IDLE_SLEEP_US 20
#define WORKER_LONG_SLEEP_US 200

int worker_main(void *arg)
{
	struct gw_worker *w = arg;
	struct dp_ctx *ctx = rte_zmalloc("dp_ctx", sizeof(*ctx), RTE_CACHE_LINE_SIZE);
	unsigned idle = 0;

	if (ctx == NULL)
		return -1;
	ctx->worker = w;
	ctx->counters = gw.counters[rte_lcore_id()];
	ctx->tx_queue = (uint16_t)w->index;
	rte_rcu_qsbr_thread_register(gw.qsbr, w->index);
	rte_rcu_qsbr_thread_online(gw.qsbr, w->index);

	while (!gw.stop) {
		unsigned received = 0;

		for (uint16_t i = 0; i < w->n_rx; i++)
			received += port_rx_burst(ctx, w->rx[i].port_id, w->rx[i].queue_id);
		port_tx_flush(ctx);
		rte_rcu_qsbr_quiescent(gw.qsbr, w->index);
		ctx->counters->polls++;
		if (received != 0) {
			idle = 0;
			continue;
		}
		if (++idle < WORKER_IDLE_SPINS)
			continue;
		rte_rcu_qsbr_thread_offline(gw.qsbr, w->index);
		usleep(idle > WORKER_LONG_IDLE ? WORKER_LONG_SLEEP_US : WORKER_IDLE_SLEEP_US);
		rte_rcu_qsbr_thread_online(gw.qsbr, w->index);
		ctx->counters->idle_sleeps++;
	}
	port_tx_flush(ctx);
	rte_rcu_qsbr_thread_offline(gw.qsbr, w->index);
	rte_rcu_qsbr_thread_unregister(gw.qsbr, w->index);
	rte_free(ctx);
	return 0;
}
