/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flooding of broadcast, multicast and unknown unicast (B3): one copy to
 * each other local member of the segment, and, for frames from an access
 * port only, one encapsulated copy to each VTEP of the flood list (head-end
 * replication). Never back to the ingress member; nothing from the overlay
 * back into the overlay (split horizon).
 */
#include "datapath/datapath.h"

void flood_send(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t segment, uint16_t from_member,
		bool from_overlay)
{
	const struct gw_segment *s = &gw.segments[segment];
	unsigned copies = 0;

	for (uint16_t i = 0; i < s->n_members; i++) {
		struct rte_mbuf *c;
		if (s->members[i] == from_member)
			continue;
		c = rte_pktmbuf_copy(m, gw.pool, 0, UINT32_MAX);
		if (c == NULL) {
			ctx->counters->drops[GW_DROP_NO_MBUF]++;
			continue;
		}
		member_tx(ctx, c, s->members[i]);
		copies++;
	}
	if (!from_overlay) {
		for (uint16_t i = 0; i < s->n_flood; i++) {
			struct rte_mbuf *c = rte_pktmbuf_copy(m, gw.pool, 0, UINT32_MAX);
			if (c == NULL) {
				ctx->counters->drops[GW_DROP_NO_MBUF]++;
				continue;
			}
			tunnel_encap_send(ctx, c, segment, s->flood[i]);
			copies++;
		}
	}
	ctx->counters->flood_copies += copies;
	if (copies == 0)
		dp_drop(ctx, m, GW_DROP_NO_DESTINATION);
	else
		rte_pktmbuf_free(m);
}
