/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VXLAN (RFC 7348) and NVGRE (RFC 7637) encapsulation and decapsulation on
 * plain byte buffers. No DPDK here: the gateway hands us pointers into mbufs,
 * the tests and fuzzers hand us arrays.
 *
 * Encap is split in two (STYLE.md rule 3): encap_template_init() runs in the
 * control plane once per remote VTEP and precomputes every byte it can;
 * encap_write() runs per packet and only patches lengths, checksums, entropy
 * and ECN/DSCP.
 */
#ifndef VTEPGW_ENCAP_TUNNEL_H
#define VTEPGW_ENCAP_TUNNEL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tunnel_type {
	TUNNEL_VXLAN = 1,
	TUNNEL_NVGRE = 2,
};

/* RFC 6040 §4.1: normal mode copies the inner ECN field to the outer header;
 * compatibility mode always sends Not-ECT outside. */
enum ecn_mode {
	ECN_MODE_NORMAL = 0,
	ECN_MODE_COMPAT = 1,
};

/* DSCP of the outer header: copied from the inner IP header (non-IP inner
 * frames get 0) or set to a configured value. */
enum dscp_mode {
	DSCP_MODE_COPY = 0,
	DSCP_MODE_SET = 1,
};

union tunnel_addr {
	struct in_addr v4;
	struct in6_addr v6;
};

/* Everything the control plane knows about one remote VTEP of one segment. */
struct tunnel_params {
	enum tunnel_type type;
	int family;	       /* AF_INET or AF_INET6 (outer) */
	uint8_t src_mac[6];    /* our uplink MAC */
	uint8_t dst_mac[6];    /* next hop MAC, from the neighbour table */
	uint16_t outer_vlan;   /* 802.1Q VID on the uplink, 0 = untagged */
	union tunnel_addr src; /* our VTEP address */
	union tunnel_addr dst; /* the remote VTEP */
	uint16_t udp_dst_port; /* VXLAN only; 0 = 4789 (RFC 7348 §5) */
	uint16_t udp_src_min;  /* entropy range; both 0 = 49152..65535 */
	uint16_t udp_src_max;
	uint8_t ttl; /* outer TTL / hop limit; 0 = 64 */
	enum dscp_mode dscp_mode;
	uint8_t dscp; /* used with DSCP_MODE_SET, 0..63 */
	enum ecn_mode ecn_mode;
	uint32_t segment_id; /* VNI (24 bits) or VSID (24 bits) */
	bool nvgre_flow_id;  /* NVGRE: put entropy in the FlowID, else 0 (RFC 7637 §3.2) */
};

/* Longest outer header: Ethernet 14 + 802.1Q 4 + IPv6 40 + UDP 8 + VXLAN 8 = 74. */
#define ENCAP_TEMPLATE_MAX 80

struct encap_template {
	uint8_t bytes[ENCAP_TEMPLATE_MAX]; /* outer headers, lengths/checksums zero */
	uint16_t len;			   /* bytes used in front of the inner frame */
	uint16_t l3_offset;		   /* IPv4/IPv6 header */
	uint16_t l4_offset;		   /* UDP or GRE header */
	uint8_t type;			   /* enum tunnel_type */
	uint8_t family;			   /* AF_INET or AF_INET6 */
	uint8_t ecn_mode;
	uint8_t dscp_mode;
	uint8_t dscp;
	bool nvgre_flow_id;
	uint16_t udp_src_min;
	uint16_t udp_src_max;
	/* IPv4: one's complement sum of the header with total length, TOS and
	 * checksum zero, so encap_write() finishes the checksum with two adds.
	 * IPv6 VXLAN: sum of the pseudo-header addresses, next header, the UDP
	 * destination port and the VXLAN header, for the mandatory UDP checksum
	 * (RFC 6935). Unused for NVGRE over IPv6. */
	uint32_t partial_sum;
};

/* Fill a template. Returns 0, or -EINVAL for a parameter out of range
 * (type, family, segment ID beyond 24 bits, NVGRE VSID reserved, VLAN ID above
 * 4094, UDP source range reversed or starting at 0, DSCP above 63, unknown
 * ECN/DSCP mode, group source MAC, unspecified or multicast VTEP address).
 * Zero udp_dst_port, UDP range and ttl select the defaults. */
int encap_template_init(struct encap_template *tmpl, const struct tunnel_params *params);

/*
 * Write the outer headers for one packet into out[0 .. tmpl->len).
 *   inner_len:  length of the inner Ethernet frame that follows out[tmpl->len]
 *   flow_hash:  entropy from flow_hash_frame() (UDP source port / NVGRE FlowID,
 *               and the IPv6 flow label, RFC 6438)
 *   inner_tos:  the inner IPv4 TOS or IPv6 traffic class (0 for non-IP); its
 *               ECN bits go outside per RFC 6040 §4.1 and DSCP per dscp_mode
 *   inner_sum:  VXLAN over IPv6 only: checksum_partial() over the inner frame
 *               (a folded running sum), for the UDP checksum; ignored otherwise
 *               (UDP checksum 0 over IPv4, RFC 7348 §5; GRE has none)
 * Returns 0, or -EMSGSIZE when the outer packet would exceed 65535 bytes of
 * IP payload (never fragment: the caller drops and counts).
 */
int encap_write(const struct encap_template *tmpl, uint8_t *out, uint32_t inner_len,
		uint32_t flow_hash, uint8_t inner_tos, uint32_t inner_sum);

/* Convenience for a contiguous buffer: frame[0 .. tmpl->len) receives the
 * outer headers, the inner frame is already at frame + tmpl->len. Computes
 * flow hash, inner TOS and (IPv6) payload sum itself. */
int encap_frame(const struct encap_template *tmpl, uint8_t *frame, uint32_t inner_len);

/*
 * Decap verdicts. One X-macro list gives the enum and the counter names, so a
 * new reason cannot be added without a name (STYLE.md rule 4).
 * DECAP_OK and the DECAP_PASS_* verdicts are not drops:
 *   DECAP_PASS_NOT_TUNNEL: addressed to our VTEP address but not VXLAN/NVGRE
 *                          (BGP, ICMP, BFD, another UDP port): for the kernel
 *   DECAP_PASS_NOT_VTEP:   IP to an address that is not our VTEP address
 *   DECAP_PASS_NOT_IP:     ARP, LLDP, anything not IPv4/IPv6
 * Everything else is a drop with its own counter.
 */
#define DECAP_VERDICTS(X)                                 \
	X(OK, "ok")                                       \
	X(PASS_NOT_TUNNEL, "pass_not_tunnel")             \
	X(PASS_NOT_VTEP, "pass_not_vtep")                 \
	X(PASS_NOT_IP, "pass_not_ip")                     \
	X(TRUNCATED_ETHERNET, "truncated_ethernet")       \
	X(TRUNCATED_VLAN, "truncated_vlan")               \
	X(TRUNCATED_IP, "truncated_ip")                   \
	X(IP_VERSION, "ip_bad_version")                   \
	X(IPV4_IHL, "ipv4_bad_ihl")                       \
	X(IPV4_OPTIONS, "ipv4_options")                   \
	X(IPV4_CHECKSUM, "ipv4_bad_checksum")             \
	X(IP_LENGTH, "ip_bad_length")                     \
	X(IP_FRAGMENT, "ip_fragment")                     \
	X(IP_TTL_ZERO, "ip_ttl_zero")                     \
	X(IP_BAD_SOURCE, "ip_bad_source")                 \
	X(TRUNCATED_UDP, "truncated_udp")                 \
	X(UDP_LENGTH, "udp_bad_length")                   \
	X(UDP_CHECKSUM, "udp_bad_checksum")               \
	X(UDP_ZERO_CHECKSUM_V6, "udp_zero_checksum_ipv6") \
	X(TRUNCATED_VXLAN, "truncated_vxlan")             \
	X(VXLAN_NO_I_FLAG, "vxlan_i_flag_clear")          \
	X(VXLAN_RESERVED, "vxlan_reserved_bits")          \
	X(TRUNCATED_GRE, "truncated_gre")                 \
	X(GRE_FLAGS, "nvgre_bad_flags")                   \
	X(GRE_VERSION, "nvgre_bad_version")               \
	X(GRE_PROTOCOL, "nvgre_bad_protocol")             \
	X(NVGRE_RESERVED_VSID, "nvgre_reserved_vsid")     \
	X(TRUNCATED_INNER, "truncated_inner")             \
	X(INNER_VLAN, "inner_vlan_tag")                   \
	X(INNER_BAD_SOURCE, "inner_bad_source_mac")

enum decap_verdict {
#define DECAP_ENUM(name, str) DECAP_##name,
	DECAP_VERDICTS(DECAP_ENUM)
#undef DECAP_ENUM
		DECAP_VERDICT_COUNT
};

/* Counter / log name of a verdict ("ipv4_bad_checksum"). */
const char *decap_verdict_name(enum decap_verdict verdict);

/* False for DECAP_OK and the DECAP_PASS_* verdicts, true for every drop. */
bool decap_verdict_is_drop(enum decap_verdict verdict);

struct decap_policy {
	uint16_t vxlan_udp_port; /* 4789 by default */
	bool vxlan_strict; /* drop reserved bits set, instead of ignoring them (RFC 7348 §5) */
	bool have_v4;
	struct in_addr local_v4; /* our VTEP addresses */
	bool have_v6;
	struct in6_addr local_v6;
	uint8_t local_mac[6]; /* inner source MAC equal to ours is refused (R5) */
};

struct decap_result {
	enum tunnel_type type;
	int family;	       /* outer AF_INET or AF_INET6 */
	union tunnel_addr src; /* the sending VTEP */
	union tunnel_addr dst;
	uint16_t outer_vlan;   /* 802.1Q VID on the uplink, 0 = none */
	uint32_t segment_id;   /* VNI or VSID */
	uint8_t flow_id;       /* NVGRE FlowID */
	uint8_t outer_tos;     /* for the RFC 6040 decap table */
	uint16_t inner_offset; /* inner Ethernet frame starts here */
	uint16_t inner_len;    /* and is this long (outer padding excluded) */
};

/*
 * Parse and validate a frame received on an uplink. Checks run in this order,
 * each with its own verdict: Ethernet/802.1Q length, EtherType (PASS_NOT_IP);
 * IP header present, IP version; destination = our VTEP (else PASS_NOT_VTEP,
 * before the strict checks, so IGMP with options, IPv6 DAD from ::, or
 * fragments to other uplink addresses still reach the kernel); IHL, options,
 * header checksum, lengths against the buffer (trailing Ethernet padding is
 * allowed), fragments (RFC 7348 §4.3), TTL 0, bad sources (multicast,
 * broadcast, unspecified, loopback, our own); then UDP port / GRE (else
 * PASS_NOT_TUNNEL), UDP length (must equal the IP payload) and checksum (0
 * accepted on IPv4 only), tunnel header flags (policies in DESIGN.md), inner
 * Ethernet length, inner 802.1Q/802.1ad, inner source MAC (multicast,
 * broadcast, all-zero, ours).
 * A zero policy->vxlan_udp_port means 4789.
 * `len` is the number of contiguous bytes at `frame`.
 * On DECAP_OK, `result` is filled; on PASS_* verdicts, only family/dst may be.
 */
enum decap_verdict decap_parse(const uint8_t *frame, size_t len, const struct decap_policy *policy,
			       struct decap_result *result);

#endif
