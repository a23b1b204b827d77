/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the encap unit tests: tunnel parameters and decap policy
 * from a scapy vector, and header fix-ups after a test mutates a packet. */
#ifndef VTEPGW_TESTS_ENCAP_TEST_UTIL_H
#define VTEPGW_TESTS_ENCAP_TEST_UTIL_H

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "encap/checksum.h"
#include "encap/tunnel.h"
#include "encap/wire.h"
#include "encap_vectors.h"

#define VECTOR_COUNT (sizeof(encap_vectors) / sizeof(encap_vectors[0]))

/* The inner source MAC no vector uses: the gateway's own. */
static const uint8_t test_local_mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};

static inline void vector_addr(int family, const char *text, union tunnel_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(family, text, addr) != 1) {
		abort();
	}
}

static inline void vector_params(const struct encap_vector *v, struct tunnel_params *p)
{
	memset(p, 0, sizeof(*p));
	p->type = v->type;
	p->family = v->family;
	memcpy(p->src_mac, v->src_mac, 6);
	memcpy(p->dst_mac, v->dst_mac, 6);
	p->outer_vlan = v->outer_vlan;
	vector_addr(v->family, v->src, &p->src);
	vector_addr(v->family, v->dst, &p->dst);
	p->udp_dst_port = v->udp_dst_port;
	p->udp_src_min = v->udp_src_min;
	p->udp_src_max = v->udp_src_max;
	p->ttl = v->ttl;
	p->dscp_mode = v->dscp_mode;
	p->dscp = v->dscp;
	p->ecn_mode = v->ecn_mode;
	p->segment_id = v->segment_id;
	p->nvgre_flow_id = v->nvgre_flow_id;
}

/* The receiving side of a vector: we are its destination VTEP. */
static inline void vector_policy(const struct encap_vector *v, struct decap_policy *policy)
{
	union tunnel_addr dst;

	memset(policy, 0, sizeof(*policy));
	policy->vxlan_udp_port = v->udp_dst_port ? v->udp_dst_port : WIRE_VXLAN_PORT;
	vector_addr(v->family, v->dst, &dst);
	if (v->family == AF_INET) {
		policy->have_v4 = true;
		policy->local_v4 = dst.v4;
	} else {
		policy->have_v6 = true;
		policy->local_v6 = dst.v6;
	}
	memcpy(policy->local_mac, test_local_mac, 6);
}

static inline const struct encap_vector *vector_by_name(const char *name)
{
	for (size_t i = 0; i < VECTOR_COUNT; i++) {
		if (strcmp(encap_vectors[i].name, name) == 0) {
			return &encap_vectors[i];
		}
	}
	abort();
}

/* Offset of the outer IP header of a vector packet. */
static inline size_t packet_l3_offset(const uint8_t *packet)
{
	return wire_load_be16(packet + 12) == WIRE_ETHERTYPE_VLAN ? 18 : 14;
}

static inline void fix_ipv4_checksum(uint8_t *packet)
{
	struct wire_ipv4 *ip = (struct wire_ipv4 *)(packet + packet_l3_offset(packet));
	wire_store_be16(ip->checksum, 0);
	wire_store_be16(ip->checksum, checksum_ipv4_header(ip, sizeof(*ip)));
}

#endif
