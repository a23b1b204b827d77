/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast path, one file per stage a packet crosses:
 *   port_rx -> access_classify -> l2_learn -> l2_lookup -> port_tx | tunnel_encap | flood
 *   port_rx -> tunnel_decap -> l2_learn -> l2_lookup -> port_tx | flood (local only)
 *                          '-> punt_tap (kernel)
 *   port_rx (TAP twin) -> port_tx (uplink)
 * Nothing here allocates memory (mbufs aside), locks, logs or calls LMDB,
 * libconfig or netlink.
 */
#ifndef VTEPGW_DATAPATH_H
#define VTEPGW_DATAPATH_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "gateway.h"

/* Per-worker context: counters and pending TX bursts. */
struct dp_ctx {
	struct gw_worker *worker;
	struct gw_lcore_counters *counters;
	uint16_t tx_queue;
	uint16_t tx_count[GW_MAX_PORTS];
	struct rte_mbuf *tx_pending[GW_MAX_PORTS][GW_BURST];
	/* scratch for linearising chained mbufs (R6); jumbo frames fit */
	uint8_t scratch[16384];
};

static inline void dp_drop(struct dp_ctx *ctx, struct rte_mbuf *m, enum gw_drop reason)
{
	ctx->counters->drops[reason]++;
	rte_pktmbuf_free(m);
}

/* port_rx.c: one RX burst of one queue, dispatched by port kind. */
uint16_t port_rx_burst(struct dp_ctx *ctx, uint16_t port_id, uint16_t queue_id);

/* access_classify.c: strip the tag, map (port, VLAN) to a member. */
void access_input(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t port_id);

/* l2_learn.c: report a new/moved source to the control thread.
 * Returns false when the frame must be dropped (limit reached, drop mode). */
bool l2_learn(struct dp_ctx *ctx, uint16_t segment, const struct rte_ether_addr *src, uint64_t dest,
	      const struct conf_ip *vtep_address);

/* l2_lookup.c: forward a frame (untagged, inside `segment`) by destination.
 * from_member is the ingress member or GW_NO_MEMBER when from the overlay. */
void l2_forward(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t segment, uint16_t from_member);

/* tunnel_encap.c: encapsulate towards VTEP `vtep` and queue on its uplink.
 * Consumes m. */
void tunnel_encap_send(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t segment, uint32_t vtep);

/* tunnel_decap.c: uplink input. */
void uplink_input(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t port_id);

/* flood.c: BUM and unknown unicast. */
void flood_send(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t segment, uint16_t from_member,
		bool from_overlay);

/* punt_tap.c: uplink -> TAP twin (kernel) and TAP twin -> uplink. */
void punt_to_tap(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t uplink_port);
void tap_input(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t tap_port);

/* port_tx.c */
void port_tx_enqueue(struct dp_ctx *ctx, uint16_t port_id, struct rte_mbuf *m);
void member_tx(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t member);
void port_tx_flush(struct dp_ctx *ctx);

/* worker.c */
int worker_main(void *arg);

/* Helpers shared by stages. */
/* Pointer to `len` contiguous bytes at offset 0, copied into ctx->scratch
 * when the first segment is too short. NULL when the packet is shorter. */
static inline const uint8_t *dp_header(struct dp_ctx *ctx, const struct rte_mbuf *m, uint32_t len)
{
	return rte_pktmbuf_read(m, 0, len, ctx->scratch);
}

#endif
