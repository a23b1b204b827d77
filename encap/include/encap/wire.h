/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wire layouts of the headers vtepgw builds and parses, as byte arrays in
 * network (big-endian) order. Every struct has alignment 1, so a struct
 * pointer may sit anywhere in a frame (an IPv4 header after Ethernet is only
 * 2-byte aligned); multi-byte fields are read and written only through the
 * wire_load_* / wire_store_* accessors below, never as native integers.
 */
#ifndef VTEPGW_ENCAP_WIRE_H
#define VTEPGW_ENCAP_WIRE_H

#include <stdint.h>

static inline uint16_t wire_load_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t wire_load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void wire_store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wire_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* EtherTypes (IEEE 802.3, IANA). */
#define WIRE_ETHERTYPE_IPV4 0x0800
#define WIRE_ETHERTYPE_ARP  0x0806
#define WIRE_ETHERTYPE_VLAN 0x8100 /* IEEE 802.1Q C-tag */
#define WIRE_ETHERTYPE_QINQ 0x88A8 /* IEEE 802.1ad S-tag */
#define WIRE_ETHERTYPE_IPV6 0x86DD
#define WIRE_ETHERTYPE_TEB  0x6558 /* Transparent Ethernet Bridging (NVGRE payload) */

#define WIRE_ETHER_ADDR_LEN 6

struct wire_ethernet {
	uint8_t dst[WIRE_ETHER_ADDR_LEN];
	uint8_t src[WIRE_ETHER_ADDR_LEN];
	uint8_t type[2];
};

/* The 4 bytes an 802.1Q tag inserts after the source MAC: the TPID sits in
 * wire_ethernet.type, then the tag control information and the real type. */
struct wire_vlan {
	uint8_t tci[2]; /* PCP (3) | DEI (1) | VID (12) */
	uint8_t type[2];
};

#define WIRE_VLAN_VID_MASK 0x0FFF
#define WIRE_VLAN_VID_MAX  4094 /* 4095 is reserved (IEEE 802.1Q Table 9-2) */

/* Group bit: multicast and broadcast MACs (IEEE 802 §8.2). */
static inline int wire_ether_is_group(const uint8_t *mac)
{
	return mac[0] & 0x01;
}

/* IPv4 (RFC 791). */
struct wire_ipv4 {
	uint8_t version_ihl;
	uint8_t tos;
	uint8_t total_length[2];
	uint8_t id[2];
	uint8_t flags_fragment[2];
	uint8_t ttl;
	uint8_t protocol;
	uint8_t checksum[2];
	uint8_t src[4];
	uint8_t dst[4];
};

#define WIRE_IPV4_DF		  0x4000
#define WIRE_IPV4_MF		  0x2000
#define WIRE_IPV4_FRAGMENT_OFFSET 0x1FFF

/* IPv6 (RFC 8200). */
struct wire_ipv6 {
	uint8_t version_class_flow[4]; /* version (4) | traffic class (8) | flow label (20) */
	uint8_t payload_length[2];
	uint8_t next_header;
	uint8_t hop_limit;
	uint8_t src[16];
	uint8_t dst[16];
};

#define WIRE_IPV6_FLOW_LABEL_MASK 0x000FFFFF
#define WIRE_IPV6_NEXT_FRAGMENT	  44

static inline uint8_t wire_ipv6_traffic_class(const struct wire_ipv6 *h)
{
	return (uint8_t)((h->version_class_flow[0] & 0x0F) << 4 | h->version_class_flow[1] >> 4);
}

/* UDP (RFC 768). */
struct wire_udp {
	uint8_t src_port[2];
	uint8_t dst_port[2];
	uint8_t length[2];
	uint8_t checksum[2];
};

/*
 * VXLAN header (RFC 7348 §5):
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |R|R|R|R|I|R|R|R|            Reserved                           |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                VXLAN Network Identifier (VNI) |   Reserved    |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * I must be 1 for a valid VNI; the R bits are sent as 0 and ignored on
 * receipt. Carried over UDP, destination port 4789.
 */
struct wire_vxlan {
	uint8_t flags;
	uint8_t reserved1[3];
	uint8_t vni_reserved[4]; /* VNI (24) | reserved (8) */
};

#define WIRE_VXLAN_FLAG_I  0x08
#define WIRE_VXLAN_PORT	   4789
#define WIRE_VXLAN_VNI_MAX 0xFFFFFF

static inline uint32_t wire_vxlan_vni(const struct wire_vxlan *h)
{
	return wire_load_be32(h->vni_reserved) >> 8;
}

/* Any reserved bit set, flags included. */
static inline int wire_vxlan_reserved_set(const struct wire_vxlan *h)
{
	return (h->flags & ~WIRE_VXLAN_FLAG_I) | h->reserved1[0] | h->reserved1[1] |
	       h->reserved1[2] | h->vni_reserved[3];
}

/*
 * NVGRE header (RFC 7637 §3.2), a GRE header (RFC 2784, key from RFC 2890):
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |0| |1|0|   Reserved0     | Ver |   Protocol Type 0x6558        |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |               Virtual Subnet ID (VSID)        |    FlowID     |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * C (bit 0) = 0, K (bit 2) = 1, S (bit 3) = 0, version 0. The key field
 * holds the 24-bit VSID and an 8-bit FlowID for ECMP entropy.
 */
struct wire_gre {
	uint8_t flags_version[2];
	uint8_t protocol[2];
	uint8_t key[4]; /* present only with K = 1, which NVGRE requires */
};

#define WIRE_GRE_FLAG_C		 0x8000
#define WIRE_GRE_FLAG_R		 0x4000 /* RFC 1701 routing present, reserved in RFC 2784 */
#define WIRE_GRE_FLAG_K		 0x2000
#define WIRE_GRE_FLAG_S		 0x1000
#define WIRE_GRE_VERSION_MASK	 0x0007
#define WIRE_NVGRE_VSID_MAX	 0xFFFFFF
#define WIRE_NVGRE_VSID_MIN	 0x001000 /* 0..0xFFF reserved (RFC 7637 §3.4) */
#define WIRE_NVGRE_VSID_RESERVED 0xFFFFFF /* reserved for vendor use (RFC 7637 §3.4) */

static inline uint32_t wire_gre_vsid(const struct wire_gre *h)
{
	return wire_load_be32(h->key) >> 8;
}

static inline uint8_t wire_gre_flow_id(const struct wire_gre *h)
{
	return h->key[3];
}

static inline int wire_nvgre_vsid_reserved(uint32_t vsid)
{
	return vsid < WIRE_NVGRE_VSID_MIN || vsid >= WIRE_NVGRE_VSID_RESERVED;
}

_Static_assert(sizeof(struct wire_ethernet) == 14, "Ethernet header is 14 bytes");
_Static_assert(sizeof(struct wire_vlan) == 4, "802.1Q tag is 4 bytes");
_Static_assert(sizeof(struct wire_ipv4) == 20, "IPv4 header is 20 bytes");
_Static_assert(sizeof(struct wire_ipv6) == 40, "IPv6 header is 40 bytes");
_Static_assert(sizeof(struct wire_udp) == 8, "UDP header is 8 bytes");
_Static_assert(sizeof(struct wire_vxlan) == 8, "VXLAN header is 8 bytes");
_Static_assert(sizeof(struct wire_gre) == 8, "NVGRE header is 8 bytes");

#endif
