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

static inline uint64_t flow_hash_mix(uint64_t hash, uint32_t word)
{
	hash = (hash ^ word) * FLOW_HASH_MULTIPLIER;
	return hash ^ (hash >> 29);
}

static inline uint64_t flow_hash_bytes(uint64_t hash, const uint8_t *p, size_t words)
{
	for (size_t i = 0; i < words; i++) {
		hash = flow_hash_mix(hash, wire_load_be32(p + 4 * i));
	}
	return hash;
}

static inline int flow_has_ports(uint8_t protocol)
{
	return protocol == IPPROTO_TCP || protocol == IPPROTO_UDP || protocol == IPPROTO_SCTP;
}

uint32_t flow_hash_frame(const uint8_t *frame, size_t len)
{
	uint64_t hash = 0;
	size_t offset = sizeof(struct wire_ethernet);

	if (len < offset) {
		return 0;
	}
	/* Destination and source MACs: 12 bytes, three words. */
	hash = flow_hash_bytes(hash, frame, 3);
	uint16_t type = wire_load_be16(frame + 12);
	if (type == WIRE_ETHERTYPE_VLAN || type == WIRE_ETHERTYPE_QINQ) {
		if (len < offset + sizeof(struct wire_vlan)) {
			goto out;
		}
		type = wire_load_be16(frame + offset + 2);
		offset += sizeof(struct wire_vlan);
	}
	hash = flow_hash_mix(hash, type);

	uint8_t protocol;
	size_t l4_offset;
	if (type == WIRE_ETHERTYPE_IPV4) {
		const struct wire_ipv4 *ip = (const struct wire_ipv4 *)(frame + offset);
		if (len < offset + sizeof(*ip)) {
			goto out;
		}
		size_t header_len = (size_t)(ip->version_ihl & 0x0F) * 4;
		protocol = ip->protocol;
		hash = flow_hash_bytes(hash, ip->src, 2);
		hash = flow_hash_mix(hash, protocol);
		/* Only the first fragment carries ports: leave them out of every
		 * fragment so all pieces of one packet take the same path. */
		if (header_len < sizeof(*ip) || (wire_load_be16(ip->flags_fragment) &
						 (WIRE_IPV4_MF | WIRE_IPV4_FRAGMENT_OFFSET))) {
			goto out;
		}
		l4_offset = offset + header_len;
	} else if (type == WIRE_ETHERTYPE_IPV6) {
		const struct wire_ipv6 *ip = (const struct wire_ipv6 *)(frame + offset);
		if (len < offset + sizeof(*ip)) {
			goto out;
		}
		protocol = ip->next_header;
		hash = flow_hash_bytes(hash, ip->src, 8);
		hash = flow_hash_mix(hash, protocol);
		/* Extension headers are not walked: such flows hash on addresses. */
		l4_offset = offset + sizeof(*ip);
	} else {
		goto out;
	}
	if (flow_has_ports(protocol) && len >= l4_offset + 4) {
		hash = flow_hash_mix(hash, wire_load_be32(frame + l4_offset));
	}
out:
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
