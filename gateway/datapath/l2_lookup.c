/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Destination lookup inside a segment: a known MAC goes to its member or
 * its VTEP; broadcast, multicast and unknown unicast are flooded. Split
 * horizon: a frame never goes back out of its ingress member, and a frame
 * from the overlay never goes back into the overlay.
 */
#include <string.h>

#include <rte_hash.h>

#include "datapath/datapath.h"

void l2_forward(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t segment, uint16_t from_member)
{
	struct rte_ether_addr dst;
	struct gw_fdb_key key;
	void *data;
	uint64_t dest;
	const uint8_t *h = rte_pktmbuf_read(m, 0, RTE_ETHER_ADDR_LEN, dst.addr_bytes);

	if (h == NULL) {
		dp_drop(ctx, m, GW_DROP_TRUNCATED);
		return;
	}
	memcpy(dst.addr_bytes, h, RTE_ETHER_ADDR_LEN);
	if (rte_is_multicast_ether_addr(&dst)) {
		flood_send(ctx, m, segment, from_member, from_member == GW_NO_MEMBER);
		return;
	}
	key.segment = segment;
	memcpy(key.mac, dst.addr_bytes, 6);
	if (rte_hash_lookup_data(gw.fdb, &key, &data) < 0) {
		flood_send(ctx, m, segment, from_member, from_member == GW_NO_MEMBER);
		return;
	}
	dest = (uint64_t)(uintptr_t)data & GW_DEST_MASK;
	if (GW_DEST_KIND(dest) == GW_DEST_MEMBER) {
		if (GW_DEST_INDEX(dest) == from_member) {
			dp_drop(ctx, m, GW_DROP_SAME_PORT);
			return;
		}
		member_tx(ctx, m, (uint16_t)GW_DEST_INDEX(dest));
		return;
	}
	if (from_member == GW_NO_MEMBER) {
		dp_drop(ctx, m, GW_DROP_SPLIT_HORIZON);
		return;
	}
	tunnel_encap_send(ctx, m, segment, GW_DEST_INDEX(dest));
}
