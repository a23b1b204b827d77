/* SPDX-License-Identifier: BSD-3-Clause */
/* Port RX: one burst from one queue, counted, dispatched by port kind. */
#include <rte_ethdev.h>

#include "datapath/datapath.h"

uint16_t port_rx_burst(struct dp_ctx *ctx, uint16_t port_id, uint16_t queue_id)
{
	struct rte_mbuf *pkts[GW_BURST];
	const struct gw_port *port = &gw.ports[port_id];
	struct gw_io_counters *io = &ctx->counters->port[port_id];
	uint16_t n = rte_eth_rx_burst(port_id, queue_id, pkts, GW_BURST);

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		io->rx.packets++;
		io->rx.bytes += m->pkt_len;
		switch (port->kind) {
		case GW_PORT_ACCESS:
			access_input(ctx, m, port_id);
			break;
		case GW_PORT_UPLINK:
			uplink_input(ctx, m, port_id);
			break;
		case GW_PORT_TAP:
			tap_input(ctx, m, port_id);
			break;
		default:
			dp_drop(ctx, m, GW_DROP_NO_DESTINATION);
			break;
		}
	}
	return n;
}
