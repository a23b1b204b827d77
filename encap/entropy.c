/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow entropy (RFC 7348 §5, RFC 7637 §3.2). The hash only has to spread
 * flows over the underlay's ECMP paths and stay the same for a flow; it is
 * not a defence against chosen collisions, so a multiply-xorshift mix of the
 * flow fields is enough and costs a few cycles per word.
 */
#include <netinet/in.h>

#include "encap/entropy.h"
#include "encap/wire.h"

#define FLOW_HASH_MULTIPLIER 0x9E3779B97F4A7C15ULL /* 2^64 / golden ratio, odd */

static inline uint64_t flow_hash_mix(uint64_t hash, uint64_t word)
{
	hash = (hash ^ word) * FLOW_HASH_MULTIPLIER;
	return hash ^ (hash >> 29);
}

/* Big-endian 64-bit load, so the hash (and the entropy on the wire) is the
 * same on every host. */
static inline uint64_t flow_load64(const uint8_t *p)
{
	return (uint64_t)wire_load_be32(p) << 32 | wire_load_be32(p + 4);
}

static inline int flow_has_ports(uint8_t protocol)
{
	return protocol == IPPROTO_TCP || protocol == IPPROTO_UDP || protocol == IPPROTO_SCTP;
}

/* The mix is a serial chain of multiplies, so the fields are packed into as
 * few 64-bit words as possible: 3 for IPv4 TCP, 7 for IPv6 TCP. */
uint32_t flow_hash_frame(const uint8_t *frame, size_t len)
{
	size_t offset = sizeof(struct wire_ethernet);

	if (len < offset) {
		return 0;
	}
	uint64_t macs = flow_load64(frame);
	uint64_t macs_tail = wire_load_be32(frame + 8);
	uint16_t type = wire_load_be16(frame + 12);
	if ((type == WIRE_ETHERTYPE_VLAN || type == WIRE_ETHERTYPE_QINQ) &&
	    len >= offset + sizeof(struct wire_vlan)) {
		type = wire_load_be16(frame + offset + 2);
		offset += sizeof(struct wire_vlan);
	}
	uint64_t hash = flow_hash_mix(0, macs);
	hash = flow_hash_mix(hash, macs_tail << 16 | type);

	uint64_t protocol_ports;
	if (type == WIRE_ETHERTYPE_IPV4 && len >= offset + sizeof(struct wire_ipv4)) {
		const struct wire_ipv4 *ip = (const struct wire_ipv4 *)(frame + offset);
		size_t l4_offset = offset + (size_t)(ip->version_ihl & 0x0F) * 4;
		hash = flow_hash_mix(hash, flow_load64(ip->src));
		protocol_ports = (uint64_t)ip->protocol << 32;
		/* Only the first fragment carries ports: leave them out of every
		 * fragment so all pieces of one packet take the same path. */
		if (flow_has_ports(ip->protocol) && l4_offset >= offset + sizeof(*ip) &&
		    len >= l4_offset + 4 &&
		    !(wire_load_be16(ip->flags_fragment) &
		      (WIRE_IPV4_MF | WIRE_IPV4_FRAGMENT_OFFSET))) {
			protocol_ports |= wire_load_be32(frame + l4_offset);
		}
		hash = flow_hash_mix(hash, protocol_ports);
	} else if (type == WIRE_ETHERTYPE_IPV6 && len >= offset + sizeof(struct wire_ipv6)) {
		const struct wire_ipv6 *ip = (const struct wire_ipv6 *)(frame + offset);
		size_t l4_offset = offset + sizeof(*ip);
		hash = flow_hash_mix(hash, flow_load64(ip->src));
		hash = flow_hash_mix(hash, flow_load64(ip->src + 8));
		hash = flow_hash_mix(hash, flow_load64(ip->dst));
		hash = flow_hash_mix(hash, flow_load64(ip->dst + 8));
		protocol_ports = (uint64_t)ip->next_header << 32;
		/* Extension headers are not walked: such flows hash on addresses. */
		if (flow_has_ports(ip->next_header) && len >= l4_offset + 4) {
			protocol_ports |= wire_load_be32(frame + l4_offset);
		}
		hash = flow_hash_mix(hash, protocol_ports);
	}
	return (uint32_t)(hash ^ (hash >> 32));
}

uint16_t entropy_udp_port(uint32_t flow_hash, uint16_t min, uint16_t max)
{
	if (max <= min) {
		return min;
	}
	/* Multiply-shift maps the hash onto the range without a division. */
	uint32_t range = (uint32_t)(max - min) + 1;
	return (uint16_t)(min + (((uint64_t)flow_hash * range) >> 32));
}

uint8_t entropy_flow_id(uint32_t flow_hash)
{
	uint32_t folded = flow_hash ^ (flow_hash >> 16);
	return (uint8_t)(folded ^ (folded >> 8));
}
