/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 6040 ECN propagation through the tunnel, and the outer DSCP. */
#include "encap/checksum.h"
#include "encap/ecn.h"
#include "encap/wire.h"

#define ECN_MASK  0x03
#define ECN_DROP  -1
#define DSCP_MASK 0x3F

uint8_t ecn_encap_tos(uint8_t inner_tos, enum ecn_mode ecn_mode, enum dscp_mode dscp_mode,
		      uint8_t dscp)
{
	/* RFC 6040 §4.1: normal mode copies the inner ECN field, CE included;
	 * compatibility mode sends Not-ECT for legacy decapsulators. */
	uint8_t ecn = ecn_mode == ECN_MODE_NORMAL ? (inner_tos & ECN_MASK) : ECN_NOT_ECT;
	uint8_t outer_dscp =
		dscp_mode == DSCP_MODE_SET ? (dscp & DSCP_MASK) : (uint8_t)(inner_tos >> 2);
	return (uint8_t)(outer_dscp << 2 | ecn);
}

/*
 * RFC 6040 §4.2, Figure 4: the ECN field of the forwarded inner header, by
 * [inner][outer]. The combinations the RFC marks (!!!) as currently unused
 * still get the RFC's answer; only outer CE on a Not-ECT inner packet drops,
 * because the congestion signal cannot be passed on.
 */
static const int8_t ecn_decap_table[4][4] = {
	/*                 outer: Not-ECT      ECT(1)       ECT(0)       CE */
	[ECN_NOT_ECT] = {ECN_NOT_ECT, ECN_NOT_ECT, ECN_NOT_ECT, ECN_DROP},
	[ECN_ECT1] = {ECN_ECT1, ECN_ECT1, ECN_ECT1, ECN_CE},
	[ECN_ECT0] = {ECN_ECT0, ECN_ECT1, ECN_ECT0, ECN_CE},
	[ECN_CE] = {ECN_CE, ECN_CE, ECN_CE, ECN_CE},
};

int ecn_decap(uint8_t outer_ecn, uint8_t inner_ecn)
{
	return ecn_decap_table[inner_ecn & ECN_MASK][outer_ecn & ECN_MASK];
}

/* Offset of the IP header after at most one 802.1Q tag, and its EtherType;
 * 0 when the frame is too short to tell. */
static size_t frame_ip_offset(const uint8_t *frame, size_t len, uint16_t *type)
{
	size_t offset = sizeof(struct wire_ethernet);

	if (len < offset) {
		return 0;
	}
	*type = wire_load_be16(frame + 12);
	if (*type == WIRE_ETHERTYPE_VLAN || *type == WIRE_ETHERTYPE_QINQ) {
		if (len < offset + sizeof(struct wire_vlan)) {
			return 0;
		}
		*type = wire_load_be16(frame + offset + 2);
		offset += sizeof(struct wire_vlan);
	}
	return offset;
}

uint8_t frame_inner_tos(const uint8_t *frame, size_t len)
{
	uint16_t type = 0;
	size_t offset = frame_ip_offset(frame, len, &type);

	if (offset == 0) {
		return 0;
	}
	if (type == WIRE_ETHERTYPE_IPV4 && len >= offset + 2 && (frame[offset] >> 4) == 4) {
		return frame[offset + 1];
	}
	if (type == WIRE_ETHERTYPE_IPV6 && len >= offset + 2 && (frame[offset] >> 4) == 6) {
		return wire_ipv6_traffic_class((const struct wire_ipv6 *)(frame + offset));
	}
	return 0;
}

int ecn_decap_frame(uint8_t *frame, size_t len, uint8_t outer_tos)
{
	uint16_t type = 0;
	size_t offset = frame_ip_offset(frame, len, &type);

	if (offset == 0) {
		return 0;
	}
	if (type == WIRE_ETHERTYPE_IPV4 && len >= offset + sizeof(struct wire_ipv4) &&
	    (frame[offset] >> 4) == 4) {
		struct wire_ipv4 *ip = (struct wire_ipv4 *)(frame + offset);
		int ecn = ecn_decap(outer_tos, ip->tos);
		if (ecn < 0) {
			return -1;
		}
		uint8_t tos = (uint8_t)((ip->tos & ~ECN_MASK) | ecn);
		if (tos == ip->tos) {
			return 0;
		}
		/* Incremental update, RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'),
		 * m being the 16-bit word holding version/IHL and TOS. */
		uint16_t old_word = wire_load_be16(&ip->version_ihl);
		uint16_t new_word = (uint16_t)((old_word & 0xFF00) | tos);
		uint32_t sum = (uint16_t)~wire_load_be16(ip->checksum);
		sum += (uint16_t)~old_word;
		sum += new_word;
		ip->tos = tos;
		wire_store_be16(ip->checksum, checksum_finish(sum));
		return 0;
	}
	if (type == WIRE_ETHERTYPE_IPV6 && len >= offset + 2 && (frame[offset] >> 4) == 6) {
		struct wire_ipv6 *ip = (struct wire_ipv6 *)(frame + offset);
		int ecn = ecn_decap(outer_tos, wire_ipv6_traffic_class(ip));
		if (ecn < 0) {
			return -1;
		}
		/* The ECN bits are the low two bits of the traffic class,
		 * bits 4-5 of the second byte. */
		ip->version_class_flow[1] =
			(uint8_t)((ip->version_class_flow[1] & ~(ECN_MASK << 4)) | ecn << 4);
		return 0;
	}
	return 0;
}
