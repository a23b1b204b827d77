/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port TX: frames are queued per port and sent in bursts at the end of each
 * RX round (or when a burst is full) on this worker's own TX queue. A frame
 * the device refuses is dropped and counted (tx_full).
 */
#include <rte_ethdev.h>

#include "datapath/datapath.h"

static void port_tx_flush_one(struct dp_ctx *ctx, uint16_t port_id)
{
	struct rte_mbuf **pkts = ctx->tx_pending[port_id];
	uint16_t n = ctx->tx_count[port_id], sent;
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	sent = rte_eth_tx_burst(port_id, ctx->tx_queue, pkts, n);
	for (uint16_t i = sent; i < n; i++) {
		bytes -= pkts[i]->pkt_len;
		dp_drop(ctx, pkts[i], GW_DROP_TX_FULL);
	}
	ctx->counters->port[port_id].tx.packets += sent;
	ctx->counters->port[port_id].tx.bytes += bytes;
	ctx->tx_count[port_id] = 0;
}

void port_tx_enqueue(struct dp_ctx *ctx, uint16_t port_id, struct rte_mbuf *m)
{
	if (ctx->tx_count[port_id] == GW_BURST)
		port_tx_flush_one(ctx, port_id);
	ctx->tx_pending[port_id][ctx->tx_count[port_id]++] = m;
}

void port_tx_flush(struct dp_ctx *ctx)
{
	for (uint16_t p = 0; p < GW_MAX_PORTS; p++)
		if (ctx->tx_count[p] != 0)
			port_tx_flush_one(ctx, p);
}

/* To an access member: push its tag (if any), count it in its segment. */
void member_tx(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t member_index)
{
	const struct gw_member *member = &gw.members[member_index];
	struct gw_io_counters *seg = &ctx->counters->segment[member->segment];

	seg->tx.packets++;
	seg->tx.bytes += m->pkt_len;
	if (member->vlan != 0) {
		m->vlan_tci = member->vlan;
		if (rte_vlan_insert(&m) != 0) {
			dp_drop(ctx, m, GW_DROP_NO_MBUF);
			return;
		}
	}
	port_tx_enqueue(ctx, member->port_id, m);
}
