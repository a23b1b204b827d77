/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Decapsulation checks for frames received on an uplink. Each check reads
 * only bytes an earlier check proved present, so no path reads past `len`;
 * each failure returns its own verdict, which the gateway counts by name.
 */
#include <string.h>
#include <sys/socket.h>

#include "encap/checksum.h"
#include "encap/tunnel.h"
#include "encap/wire.h"

#define DECAP_DEFAULT_VXLAN_PORT WIRE_VXLAN_PORT

static const char *const decap_verdict_names[DECAP_VERDICT_COUNT] = {
#define DECAP_NAME(name, str) [DECAP_##name] = str,
	DECAP_VERDICTS(DECAP_NAME)
#undef DECAP_NAME
};

const char *decap_verdict_name(enum decap_verdict verdict)
{
	if ((unsigned)verdict >= DECAP_VERDICT_COUNT) {
		return "unknown";
	}
	return decap_verdict_names[verdict];
}

bool decap_verdict_is_drop(enum decap_verdict verdict)
{
	return (unsigned)verdict > DECAP_PASS_NOT_IP;
}

/* RFC 1122 §3.2.1.3 and RFC 1112 §4: these can never be a packet's source. */
static bool ipv4_source_bad(const uint8_t *src, const struct decap_policy *policy)
{
	/* 0/8 "this network", 127/8 loopback, 224/4 multicast, 240/4 reserved
	 * and limited broadcast, and our own VTEP address (a loop). */
	return src[0] == 0 || src[0] == 127 || src[0] >= 224 ||
	       memcmp(src, &policy->local_v4, sizeof(policy->local_v4)) == 0;
}

/* RFC 4291 §2.5.2, §2.5.3, §2.7: unspecified, loopback and multicast are
 * never sources; nor is our own VTEP address. */
static bool ipv6_source_bad(const uint8_t *src, const struct decap_policy *policy)
{
	static const uint8_t zero[15];

	if (src[0] == 0xFF) {
		return true;
	}
	if (memcmp(src, zero, sizeof(zero)) == 0 && (src[15] == 0 || src[15] == 1)) {
		return true;
	}
	return memcmp(src, policy->local_v6.s6_addr, sizeof(policy->local_v6.s6_addr)) == 0;
}

/* Inner Ethernet: RFC 7348 §6.1 and RFC 7637 §3.3 carry untagged frames only;
 * a group or zero source MAC, or ours, must never be learned. */
static enum decap_verdict decap_inner(const uint8_t *frame, size_t inner_off, size_t inner_len,
				      const struct decap_policy *policy,
				      struct decap_result *result)
{
	static const uint8_t zero_mac[WIRE_ETHER_ADDR_LEN];

	if (inner_len < sizeof(struct wire_ethernet)) {
		return DECAP_TRUNCATED_INNER;
	}
	const struct wire_ethernet *eth = (const struct wire_ethernet *)(frame + inner_off);
	uint16_t type = wire_load_be16(eth->type);
	if (type == WIRE_ETHERTYPE_VLAN || type == WIRE_ETHERTYPE_QINQ) {
		return DECAP_INNER_VLAN;
	}
	if (wire_ether_is_group(eth->src) || memcmp(eth->src, zero_mac, sizeof(zero_mac)) == 0 ||
	    memcmp(eth->src, policy->local_mac, sizeof(policy->local_mac)) == 0) {
		return DECAP_INNER_BAD_SOURCE;
	}
	result->inner_offset = (uint16_t)inner_off;
	result->inner_len = (uint16_t)inner_len;
	return DECAP_OK;
}

/*
 * The IP payload [l4_off, l4_off + l4_len) is inside the buffer (checked by
 * the caller). `addresses` are the source and destination addresses of the
 * IP header, for the UDP pseudo-header (summed only when the checksum is set).
 */
static enum decap_verdict decap_l4(const uint8_t *frame, size_t l4_off, size_t l4_len,
				   uint8_t protocol, const uint8_t *addresses, size_t addresses_len,
				   const struct decap_policy *policy, struct decap_result *result)
{
	if (protocol == IPPROTO_UDP) {
		if (l4_len < sizeof(struct wire_udp)) {
			return DECAP_TRUNCATED_UDP;
		}
		const struct wire_udp *udp = (const struct wire_udp *)(frame + l4_off);
		uint16_t vxlan_port =
			policy->vxlan_udp_port ? policy->vxlan_udp_port : DECAP_DEFAULT_VXLAN_PORT;
		if (wire_load_be16(udp->dst_port) != vxlan_port) {
			return DECAP_PASS_NOT_TUNNEL;
		}
		/* The UDP length must cover exactly the IP payload. */
		uint16_t udp_len = wire_load_be16(udp->length);
		if (udp_len != l4_len) {
			return DECAP_UDP_LENGTH;
		}
		if (wire_load_be16(udp->checksum) == 0) {
			/* RFC 7348 §5 allows 0 over IPv4; over IPv6 it is only
			 * allowed under RFC 6936's conditions, which vtepgw does
			 * not negotiate (DESIGN.md). */
			if (result->family == AF_INET6) {
				return DECAP_UDP_ZERO_CHECKSUM_V6;
			}
		} else {
			uint32_t sum = checksum_partial(addresses, addresses_len, 0);
			sum = checksum_partial(udp, udp_len, sum + IPPROTO_UDP + udp_len);
			if (checksum_finish(sum) != 0) {
				return DECAP_UDP_CHECKSUM;
			}
		}
		if (udp_len < sizeof(struct wire_udp) + sizeof(struct wire_vxlan)) {
			return DECAP_TRUNCATED_VXLAN;
		}
		const struct wire_vxlan *vxlan = (const struct wire_vxlan *)(udp + 1);
		if (!(vxlan->flags & WIRE_VXLAN_FLAG_I)) {
			return DECAP_VXLAN_NO_I_FLAG;
		}
		/* RFC 7348 §5: reserved bits are ignored on receipt, unless the
		 * operator asked for strict checking. */
		if (policy->vxlan_strict && wire_vxlan_reserved_set(vxlan)) {
			return DECAP_VXLAN_RESERVED;
		}
		result->type = TUNNEL_VXLAN;
		result->segment_id = wire_vxlan_vni(vxlan);
		result->flow_id = 0;
		return decap_inner(frame, l4_off + sizeof(*udp) + sizeof(*vxlan),
				   udp_len - sizeof(*udp) - sizeof(*vxlan), policy, result);
	}
	if (protocol == IPPROTO_GRE) {
		if (l4_len < sizeof(struct wire_gre)) {
			return DECAP_TRUNCATED_GRE;
		}
		const struct wire_gre *gre = (const struct wire_gre *)(frame + l4_off);
		uint16_t flags_version = wire_load_be16(gre->flags_version);
		/* RFC 7637 §3.2: C = 0, K = 1, S = 0. RFC 2784 §2.5: bits 1-5
		 * (R, K, S, s, Recur in RFC 1701) non-zero are discarded; bits
		 * 6-12 are ignored on receipt. */
		if ((flags_version & 0xFC00) != WIRE_GRE_FLAG_K) {
			return DECAP_GRE_FLAGS;
		}
		if (flags_version & WIRE_GRE_VERSION_MASK) {
			return DECAP_GRE_VERSION;
		}
		if (wire_load_be16(gre->protocol) != WIRE_ETHERTYPE_TEB) {
			return DECAP_GRE_PROTOCOL;
		}
		uint32_t vsid = wire_gre_vsid(gre);
		if (wire_nvgre_vsid_reserved(vsid)) {
			return DECAP_NVGRE_RESERVED_VSID;
		}
		result->type = TUNNEL_NVGRE;
		result->segment_id = vsid;
		result->flow_id = wire_gre_flow_id(gre);
		return decap_inner(frame, l4_off + sizeof(*gre), l4_len - sizeof(*gre), policy,
				   result);
	}
	return DECAP_PASS_NOT_TUNNEL;
}

static enum decap_verdict decap_ipv4(const uint8_t *frame, size_t l3_off, size_t len,
				     const struct decap_policy *policy, struct decap_result *result)
{
	size_t avail = len - l3_off;

	if (avail < sizeof(struct wire_ipv4)) {
		return DECAP_TRUNCATED_IP;
	}
	const struct wire_ipv4 *ip = (const struct wire_ipv4 *)(frame + l3_off);
	if (ip->version_ihl >> 4 != 4) {
		return DECAP_IP_VERSION;
	}
	result->family = AF_INET;
	memcpy(&result->dst.v4, ip->dst, sizeof(ip->dst));
	/* Not for our VTEP address: the kernel decides (IGMP with options,
	 * fragments to an uplink address are legitimate there). */
	if (!policy->have_v4 || memcmp(ip->dst, &policy->local_v4, sizeof(ip->dst)) != 0) {
		return DECAP_PASS_NOT_VTEP;
	}
	unsigned ihl = ip->version_ihl & 0x0F;
	if (ihl < 5) {
		return DECAP_IPV4_IHL;
	}
	/* Our peers send no options; refusing them keeps the payload at a
	 * fixed offset and drops source-routed tricks. */
	if (ihl > 5) {
		return DECAP_IPV4_OPTIONS;
	}
	if (checksum_ipv4_header(ip, sizeof(*ip)) != 0) {
		return DECAP_IPV4_CHECKSUM;
	}
	/* Bytes beyond the total length are Ethernet padding and are fine. */
	uint16_t total_len = wire_load_be16(ip->total_length);
	if (total_len < sizeof(*ip) || total_len > avail) {
		return DECAP_IP_LENGTH;
	}
	/* RFC 7348 §4.3: a VTEP may discard fragments; vtepgw always does. */
	if (wire_load_be16(ip->flags_fragment) & (WIRE_IPV4_MF | WIRE_IPV4_FRAGMENT_OFFSET)) {
		return DECAP_IP_FRAGMENT;
	}
	if (ip->ttl == 0) {
		return DECAP_IP_TTL_ZERO;
	}
	if (ipv4_source_bad(ip->src, policy)) {
		return DECAP_IP_BAD_SOURCE;
	}
	memcpy(&result->src.v4, ip->src, sizeof(ip->src));
	result->outer_tos = ip->tos;
	return decap_l4(frame, l3_off + sizeof(*ip), total_len - sizeof(*ip), ip->protocol, ip->src,
			2 * sizeof(ip->src), policy, result);
}

static enum decap_verdict decap_ipv6(const uint8_t *frame, size_t l3_off, size_t len,
				     const struct decap_policy *policy, struct decap_result *result)
{
	size_t avail = len - l3_off;

	if (avail < sizeof(struct wire_ipv6)) {
		return DECAP_TRUNCATED_IP;
	}
	const struct wire_ipv6 *ip = (const struct wire_ipv6 *)(frame + l3_off);
	if (ip->version_class_flow[0] >> 4 != 6) {
		return DECAP_IP_VERSION;
	}
	result->family = AF_INET6;
	memcpy(result->dst.v6.s6_addr, ip->dst, sizeof(ip->dst));
	if (!policy->have_v6 || memcmp(ip->dst, policy->local_v6.s6_addr, sizeof(ip->dst)) != 0) {
		return DECAP_PASS_NOT_VTEP;
	}
	uint16_t payload_len = wire_load_be16(ip->payload_length);
	if (payload_len > avail - sizeof(*ip)) {
		return DECAP_IP_LENGTH;
	}
	/* RFC 7348 §4.3; a fragment header is the only extension header we
	 * look for: others leave next_header != UDP/GRE and go to the kernel. */
	if (ip->next_header == WIRE_IPV6_NEXT_FRAGMENT) {
		return DECAP_IP_FRAGMENT;
	}
	if (ip->hop_limit == 0) {
		return DECAP_IP_TTL_ZERO;
	}
	if (ipv6_source_bad(ip->src, policy)) {
		return DECAP_IP_BAD_SOURCE;
	}
	memcpy(result->src.v6.s6_addr, ip->src, sizeof(ip->src));
	result->outer_tos = wire_ipv6_traffic_class(ip);
	return decap_l4(frame, l3_off + sizeof(*ip), payload_len, ip->next_header, ip->src,
			2 * sizeof(ip->src), policy, result);
}

enum decap_verdict decap_parse(const uint8_t *frame, size_t len, const struct decap_policy *policy,
			       struct decap_result *result)
{
	size_t l3_off = sizeof(struct wire_ethernet);

	if (len < l3_off) {
		return DECAP_TRUNCATED_ETHERNET;
	}
	uint16_t type = wire_load_be16(frame + 12);
	result->outer_vlan = 0;
	if (type == WIRE_ETHERTYPE_VLAN) {
		if (len < l3_off + sizeof(struct wire_vlan)) {
			return DECAP_TRUNCATED_VLAN;
		}
		const struct wire_vlan *vlan = (const struct wire_vlan *)(frame + l3_off);
		result->outer_vlan = wire_load_be16(vlan->tci) & WIRE_VLAN_VID_MASK;
		type = wire_load_be16(vlan->type);
		l3_off += sizeof(*vlan);
	}
	if (type == WIRE_ETHERTYPE_IPV4) {
		return decap_ipv4(frame, l3_off, len, policy, result);
	}
	if (type == WIRE_ETHERTYPE_IPV6) {
		return decap_ipv6(frame, l3_off, len, policy, result);
	}
	return DECAP_PASS_NOT_IP;
}
