/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access classification: (port, VLAN) -> segment member. The 802.1Q tag is
 * removed on ingress (frames inside a VXLAN/NVGRE segment are untagged,
 * RFC 7348 §6.1, RFC 7637 §3.3) and pushed again on egress per membership.
 * A VID (or untagged frame) that maps to no segment is dropped and counted.
 */
#include <string.h>

#include <rte_ether.h>

#include "datapath/datapath.h"

void access_input(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t port_id)
{
	const struct gw_port *port = &gw.ports[port_id];
	struct rte_ether_addr src;
	uint8_t head[RTE_ETHER_HDR_LEN + 4];
	const uint8_t *h;
	uint16_t vid = 0, member_index;
	bool tagged = false;

	h = rte_pktmbuf_read(m, 0, RTE_ETHER_HDR_LEN, head);
	if (h == NULL) {
		dp_drop(ctx, m, GW_DROP_TRUNCATED);
		return;
	}
	if (((uint16_t)h[12] << 8 | h[13]) == RTE_ETHER_TYPE_VLAN) {
		h = rte_pktmbuf_read(m, 0, RTE_ETHER_HDR_LEN + 4, head);
		if (h == NULL) {
			dp_drop(ctx, m, GW_DROP_TRUNCATED);
			return;
		}
		vid = ((uint16_t)h[14] << 8 | h[15]) & 0x0FFF;
		tagged = true;
	}
	member_index = port->vlan_member[vid];
	if (member_index == GW_NO_MEMBER) {
		dp_drop(ctx, m, GW_DROP_UNMAPPED_VLAN);
		return;
	}
	memcpy(src.addr_bytes, h + 6, 6);
	if (tagged) {
		/* Move the MAC addresses over the tag; the first segment must
		 * hold them (R6: a shorter first segment is truncated input). */
		if (m->data_len < RTE_ETHER_HDR_LEN + 4) {
			dp_drop(ctx, m, GW_DROP_TRUNCATED);
			return;
		}
		uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
		memmove(data + 4, data, 2 * RTE_ETHER_ADDR_LEN);
		rte_pktmbuf_adj(m, 4);
	}

	const struct gw_member *member = &gw.members[member_index];
	struct gw_io_counters *seg = &ctx->counters->segment[member->segment];
	seg->rx.packets++;
	seg->rx.bytes += m->pkt_len;
	if (!l2_learn(ctx, member->segment, &src, GW_DEST(GW_DEST_MEMBER, member_index), NULL)) {
		dp_drop(ctx, m, GW_DROP_MAC_LIMIT);
		return;
	}
	l2_forward(ctx, m, member->segment, member_index);
}
