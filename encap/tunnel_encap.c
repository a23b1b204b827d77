/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Encapsulation: the control plane builds every outer byte it can once per
 * remote VTEP (encap_template_init); per packet, encap_write copies the
 * template and patches lengths, checksums, entropy and TOS / traffic class.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "encap/checksum.h"
#include "encap/ecn.h"
#include "encap/entropy.h"
#include "encap/tunnel.h"
#include "encap/wire.h"

#define ENCAP_DEFAULT_TTL     64
#define ENCAP_DEFAULT_SRC_MIN 49152 /* IANA dynamic ports, RFC 7348 §5 */
#define ENCAP_DEFAULT_SRC_MAX 65535
#define ENCAP_IP_PAYLOAD_MAX  65535

static int tunnel_addr_usable(int family, const union tunnel_addr *addr)
{
	if (family == AF_INET) {
		const uint8_t *a = (const uint8_t *)&addr->v4;
		/* Unspecified, multicast, reserved and broadcast cannot be a VTEP. */
		return wire_load_be32(a) != 0 && a[0] < 224;
	}
	const uint8_t *a = addr->v6.s6_addr;
	static const uint8_t unspecified[16];
	return memcmp(a, unspecified, sizeof(unspecified)) != 0 && a[0] != 0xFF;
}

static int encap_params_check(const struct tunnel_params *p)
{
	if (p->type != TUNNEL_VXLAN && p->type != TUNNEL_NVGRE) {
		return -EINVAL;
	}
	if (p->family != AF_INET && p->family != AF_INET6) {
		return -EINVAL;
	}
	if (p->segment_id > WIRE_VXLAN_VNI_MAX) {
		return -EINVAL;
	}
	/* RFC 7637 §3.4: VSIDs 0-0xFFF and 0xFFFFFF are reserved. */
	if (p->type == TUNNEL_NVGRE && wire_nvgre_vsid_reserved(p->segment_id)) {
		return -EINVAL;
	}
	if (p->outer_vlan > WIRE_VLAN_VID_MAX) {
		return -EINVAL;
	}
	if (p->udp_src_min > p->udp_src_max || (p->udp_src_min == 0 && p->udp_src_max != 0)) {
		return -EINVAL;
	}
	if (p->dscp > 63 || (p->dscp_mode != DSCP_MODE_COPY && p->dscp_mode != DSCP_MODE_SET)) {
		return -EINVAL;
	}
	if (p->ecn_mode != ECN_MODE_NORMAL && p->ecn_mode != ECN_MODE_COMPAT) {
		return -EINVAL;
	}
	/* A group source MAC would be dropped by every receiver (IEEE 802). */
	if (wire_ether_is_group(p->src_mac)) {
		return -EINVAL;
	}
	if (!tunnel_addr_usable(p->family, &p->src) || !tunnel_addr_usable(p->family, &p->dst)) {
		return -EINVAL;
	}
	return 0;
}

int encap_template_init(struct encap_template *tmpl, const struct tunnel_params *p)
{
	int ret = encap_params_check(p);
	if (ret < 0) {
		return ret;
	}

	memset(tmpl, 0, sizeof(*tmpl));
	uint8_t *b = tmpl->bytes;
	size_t off = 0;

	struct wire_ethernet *eth = (struct wire_ethernet *)b;
	memcpy(eth->dst, p->dst_mac, sizeof(eth->dst));
	memcpy(eth->src, p->src_mac, sizeof(eth->src));
	off = sizeof(*eth);
	uint16_t l3_type = p->family == AF_INET ? WIRE_ETHERTYPE_IPV4 : WIRE_ETHERTYPE_IPV6;
	if (p->outer_vlan != 0) {
		struct wire_vlan *vlan = (struct wire_vlan *)(b + off);
		wire_store_be16(eth->type, WIRE_ETHERTYPE_VLAN);
		wire_store_be16(vlan->tci, p->outer_vlan);
		wire_store_be16(vlan->type, l3_type);
		off += sizeof(*vlan);
	} else {
		wire_store_be16(eth->type, l3_type);
	}

	uint8_t ttl = p->ttl ? p->ttl : ENCAP_DEFAULT_TTL;
	uint8_t protocol = p->type == TUNNEL_VXLAN ? IPPROTO_UDP : IPPROTO_GRE;
	tmpl->l3_offset = (uint16_t)off;
	if (p->family == AF_INET) {
		struct wire_ipv4 *ip = (struct wire_ipv4 *)(b + off);
		ip->version_ihl = 0x45;
		/* RFC 7348 §4.3 / DESIGN.md: never fragment, so DF is set and
		 * the identification is 0 (an atomic datagram, RFC 6864 §4). */
		wire_store_be16(ip->flags_fragment, WIRE_IPV4_DF);
		ip->ttl = ttl;
		ip->protocol = protocol;
		memcpy(ip->src, &p->src.v4, sizeof(ip->src));
		memcpy(ip->dst, &p->dst.v4, sizeof(ip->dst));
		/* TOS, total length and checksum are still zero here. */
		tmpl->partial_sum = checksum_partial(ip, sizeof(*ip), 0);
		off += sizeof(*ip);
	} else {
		struct wire_ipv6 *ip = (struct wire_ipv6 *)(b + off);
		ip->version_class_flow[0] = 0x60;
		ip->next_header = protocol;
		ip->hop_limit = ttl;
		memcpy(ip->src, p->src.v6.s6_addr, sizeof(ip->src));
		memcpy(ip->dst, p->dst.v6.s6_addr, sizeof(ip->dst));
		off += sizeof(*ip);
	}

	tmpl->l4_offset = (uint16_t)off;
	if (p->type == TUNNEL_VXLAN) {
		struct wire_udp *udp = (struct wire_udp *)(b + off);
		wire_store_be16(udp->dst_port, p->udp_dst_port ? p->udp_dst_port : WIRE_VXLAN_PORT);
		off += sizeof(*udp);
		struct wire_vxlan *vxlan = (struct wire_vxlan *)(b + off);
		vxlan->flags = WIRE_VXLAN_FLAG_I;
		wire_store_be32(vxlan->vni_reserved, p->segment_id << 8);
		off += sizeof(*vxlan);
		if (p->family == AF_INET6) {
			/* RFC 6935 / RFC 8200 §8.1: the UDP checksum is mandatory
			 * over IPv6. Sum what never changes: the pseudo-header
			 * addresses and next header, the destination port and the
			 * VXLAN header. */
			const struct wire_ipv6 *ip =
				(const struct wire_ipv6 *)(b + tmpl->l3_offset);
			uint32_t sum = checksum_partial(ip->src, 2 * sizeof(ip->src), 0);
			sum += IPPROTO_UDP;
			sum = checksum_partial(udp, sizeof(*udp) + sizeof(*vxlan), sum);
			tmpl->partial_sum = sum;
		}
	} else {
		struct wire_gre *gre = (struct wire_gre *)(b + off);
		wire_store_be16(gre->flags_version, WIRE_GRE_FLAG_K);
		wire_store_be16(gre->protocol, WIRE_ETHERTYPE_TEB);
		wire_store_be32(gre->key, p->segment_id << 8);
		off += sizeof(*gre);
	}

	tmpl->len = (uint16_t)off;
	tmpl->type = (uint8_t)p->type;
	tmpl->family = (uint8_t)p->family;
	tmpl->ecn_mode = (uint8_t)p->ecn_mode;
	tmpl->dscp_mode = (uint8_t)p->dscp_mode;
	tmpl->dscp = p->dscp;
	tmpl->nvgre_flow_id = p->nvgre_flow_id;
	if (p->udp_src_min == 0) {
		tmpl->udp_src_min = ENCAP_DEFAULT_SRC_MIN;
		tmpl->udp_src_max = ENCAP_DEFAULT_SRC_MAX;
	} else {
		tmpl->udp_src_min = p->udp_src_min;
		tmpl->udp_src_max = p->udp_src_max;
	}
	return 0;
}

int encap_write(const struct encap_template *tmpl, uint8_t *out, uint32_t inner_len,
		uint32_t flow_hash, uint8_t inner_tos, uint32_t inner_sum)
{
	/* Everything after the IP header, then after the L4 header start. */
	/* 64-bit so a huge inner_len cannot wrap past the size check. */
	uint64_t l3_len = (uint64_t)(tmpl->len - tmpl->l3_offset) + inner_len;
	uint32_t l4_len = (uint32_t)(tmpl->len - tmpl->l4_offset) + inner_len;
	uint8_t tos = ecn_encap_tos(inner_tos, (enum ecn_mode)tmpl->ecn_mode,
				    (enum dscp_mode)tmpl->dscp_mode, tmpl->dscp);
	uint8_t *ip = out + tmpl->l3_offset;
	uint8_t *l4 = out + tmpl->l4_offset;

	memcpy(out, tmpl->bytes, tmpl->len);
	if (tmpl->family == AF_INET) {
		if (l3_len > ENCAP_IP_PAYLOAD_MAX) {
			return -EMSGSIZE;
		}
		struct wire_ipv4 *ip4 = (struct wire_ipv4 *)ip;
		ip4->tos = tos;
		wire_store_be16(ip4->total_length, (uint16_t)l3_len);
		uint32_t sum = tmpl->partial_sum + tos + (uint32_t)l3_len;
		wire_store_be16(ip4->checksum, checksum_finish(sum));
	} else {
		uint64_t payload_len = l3_len - sizeof(struct wire_ipv6);
		if (payload_len > ENCAP_IP_PAYLOAD_MAX) {
			return -EMSGSIZE;
		}
		struct wire_ipv6 *ip6 = (struct wire_ipv6 *)ip;
		/* RFC 6438 §4: the flow label carries the inner flow's entropy
		 * too, for routers that balance IPv6 on it. */
		wire_store_be32(ip6->version_class_flow,
				6u << 28 | (uint32_t)tos << 20 |
					(flow_hash & WIRE_IPV6_FLOW_LABEL_MASK));
		wire_store_be16(ip6->payload_length, (uint16_t)payload_len);
	}

	if (tmpl->type == TUNNEL_VXLAN) {
		struct wire_udp *udp = (struct wire_udp *)l4;
		uint16_t src_port =
			entropy_udp_port(flow_hash, tmpl->udp_src_min, tmpl->udp_src_max);
		wire_store_be16(udp->src_port, src_port);
		wire_store_be16(udp->length, (uint16_t)l4_len);
		/* RFC 7348 §5: UDP checksum 0 over IPv4 (the template's zero). */
		if (tmpl->family == AF_INET6) {
			/* The length is in the pseudo-header and the UDP header. */
			/* Each term is below 2^17: the sum cannot overflow. */
			uint32_t sum = tmpl->partial_sum + src_port + 2 * l4_len + inner_sum;
			uint16_t checksum = checksum_finish(sum);
			/* RFC 768 / RFC 8200 §8.1: a computed 0 is sent as 0xFFFF. */
			wire_store_be16(udp->checksum, checksum ? checksum : 0xFFFF);
		}
	} else if (tmpl->nvgre_flow_id) {
		struct wire_gre *gre = (struct wire_gre *)l4;
		gre->key[3] = entropy_flow_id(flow_hash);
	}
	return 0;
}

int encap_frame(const struct encap_template *tmpl, uint8_t *frame, uint32_t inner_len)
{
	const uint8_t *inner = frame + tmpl->len;
	uint32_t inner_sum = 0;

	if (tmpl->family == AF_INET6 && tmpl->type == TUNNEL_VXLAN) {
		inner_sum = checksum_partial(inner, inner_len, 0);
	}
	return encap_write(tmpl, frame, inner_len, flow_hash_frame(inner, inner_len),
			   frame_inner_tos(inner, inner_len), inner_sum);
}
