/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path. Frames from an uplink that are not tunnel traffic
 * (ARP, ND, ICMP, BGP, BFD) go to the uplink's kernel TAP twin; frames the
 * kernel (or FRR) sends on the TAP leave through the uplink. The underlay
 * tag, if any, is removed towards the kernel and pushed back outward.
 * The kernel drops TAP frames with bad checksums, and a frame another
 * kernel sent over a veth may carry only a partial (offloaded) TCP/UDP
 * checksum; so TCP/UDP checksums of punted frames are recomputed.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "datapath/datapath.h"

static void l4_checksum_fix(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = m->data_len;
	uint16_t type;

	if (m->nb_segs != 1 || len < RTE_ETHER_HDR_LEN)
		return;
	type = (uint16_t)p[12] << 8 | p[13];
	p += RTE_ETHER_HDR_LEN;
	len -= RTE_ETHER_HDR_LEN;
	if (type == RTE_ETHER_TYPE_IPV4 && len >= sizeof(struct rte_ipv4_hdr)) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;
		uint32_t ihl = (ip->version_ihl & 0x0f) * 4u;
		uint32_t total = rte_be_to_cpu_16(ip->total_length);
		if (ihl < 20 || total > len || total < ihl + 8 ||
		    (rte_be_to_cpu_16(ip->fragment_offset) & 0x3fff) != 0)
			return;
		if (ip->next_proto_id == IPPROTO_TCP && total >= ihl + 20) {
			struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(p + ihl);
			tcp->cksum = 0;
			tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
		} else if (ip->next_proto_id == IPPROTO_UDP) {
			struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(p + ihl);
			if (udp->dgram_cksum != 0) { /* 0 = no checksum (IPv4) */
				udp->dgram_cksum = 0;
				udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
			}
		}
	} else if (type == RTE_ETHER_TYPE_IPV6 && len >= sizeof(struct rte_ipv6_hdr)) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)p;
		uint32_t payload = rte_be_to_cpu_16(ip->payload_len);
		if (payload + sizeof(*ip) > len)
			return;
		if (ip->proto == IPPROTO_TCP && payload >= 20) {
			struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);
			tcp->cksum = 0;
			tcp->cksum = rte_ipv6_udptcp_cksum(ip, tcp);
		} else if (ip->proto == IPPROTO_UDP && payload >= 8) {
			struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
			udp->dgram_cksum = 0;
			udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip, udp);
		}
	}
}

void punt_to_tap(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t uplink_port)
{
	const struct gw_port *uplink = &gw.ports[uplink_port];
	uint16_t tap = uplink->twin;

	if (gw.ports[tap].kind != GW_PORT_TAP) {
		dp_drop(ctx, m, GW_DROP_PUNT_NO_TAP);
		return;
	}
	if (uplink->underlay_vlan != 0 && m->data_len >= RTE_ETHER_HDR_LEN + 4) {
		uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
		if (((uint16_t)p[12] << 8 | p[13]) == RTE_ETHER_TYPE_VLAN) {
			memmove(p + 4, p, 2 * RTE_ETHER_ADDR_LEN);
			rte_pktmbuf_adj(m, 4);
		}
	}
	l4_checksum_fix(m);
	ctx->counters->punted++;
	port_tx_enqueue(ctx, tap, m);
}

void tap_input(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t tap_port)
{
	const struct gw_port *tap = &gw.ports[tap_port];
	const struct gw_port *uplink = &gw.ports[tap->twin];

	ctx->counters->from_tap++;
	if (uplink->underlay_vlan != 0) {
		m->vlan_tci = uplink->underlay_vlan;
		if (rte_vlan_insert(&m) != 0) {
			dp_drop(ctx, m, GW_DROP_NO_MBUF);
			return;
		}
	}
	port_tx_enqueue(ctx, uplink->port_id, m);
}
