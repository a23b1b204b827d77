/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every decap verdict, produced by a packet that deserves it. Each test takes
 * a scapy vector, breaks one thing (fixing the checksums that would otherwise
 * fail first) and checks the verdict the gateway would count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "encap/entropy.h"
#include "encap_test_util.h"

struct packet {
	const struct encap_vector *vector;
	uint8_t bytes[512];
	size_t len;
	size_t l3; /* outer IP header */
	size_t l4; /* UDP or GRE header */
	size_t inner;
	struct decap_policy policy;
};

static void packet_load(struct packet *p, const char *name)
{
	const struct encap_vector *v = vector_by_name(name);

	memset(p, 0, sizeof(*p));
	p->vector = v;
	memcpy(p->bytes, v->packet, v->packet_len);
	p->len = v->packet_len;
	p->l3 = packet_l3_offset(p->bytes);
	p->l4 = p->l3 + (v->family == AF_INET ? 20 : 40);
	p->inner = v->packet_len - v->inner_len;
	vector_policy(v, &p->policy);
}

/* Decap into an exact-size heap copy, so ASan sees any read past len. */
static enum decap_verdict packet_decap_len(const struct packet *p, size_t len)
{
	struct decap_result result;
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, p->bytes, len);
	enum decap_verdict verdict = decap_parse(copy, len, &p->policy, &result);
	if (verdict == DECAP_OK) {
		assert_true((size_t)result.inner_offset + result.inner_len <= len);
	}
	free(copy);
	return verdict;
}

static enum decap_verdict packet_decap(const struct packet *p)
{
	return packet_decap_len(p, p->len);
}

#define assert_verdict(p, expected)                                                       \
	do {                                                                              \
		enum decap_verdict got_ = packet_decap(p);                                \
		if (got_ != (expected)) {                                                 \
			fail_msg("%s: verdict %s, expected %s", (p)->vector->name,        \
				 decap_verdict_name(got_), decap_verdict_name(expected)); \
		}                                                                         \
	} while (0)

static struct wire_ipv4 *packet_ipv4(struct packet *p)
{
	return (struct wire_ipv4 *)(p->bytes + p->l3);
}

static struct wire_ipv6 *packet_ipv6(struct packet *p)
{
	return (struct wire_ipv6 *)(p->bytes + p->l3);
}

/* Recompute the outer UDP checksum over IPv6 after a change. */
static void fix_udp6_checksum(struct packet *p)
{
	struct wire_ipv6 *ip = packet_ipv6(p);
	uint16_t udp_len = wire_load_be16(ip->payload_length);
	uint8_t *udp = p->bytes + p->l4;

	wire_store_be16(udp + 6, 0);
	uint32_t sum = checksum_partial(ip->src, 32, 0) + IPPROTO_UDP + udp_len;
	sum = checksum_partial(udp, udp_len, sum);
	uint16_t checksum = checksum_finish(sum);
	wire_store_be16(udp + 6, checksum ? checksum : 0xFFFF);
}

/* Shorten an IPv4 packet's IP payload to `l4_len`, keeping the buffer. */
static void set_ipv4_payload_len(struct packet *p, size_t l4_len)
{
	wire_store_be16(packet_ipv4(p)->total_length, (uint16_t)(20 + l4_len));
	fix_ipv4_checksum(p->bytes);
}

static void test_names_unique_and_drops_classified(void **state)
{
	(void)state;

	for (int i = 0; i < DECAP_VERDICT_COUNT; i++) {
		const char *name = decap_verdict_name((enum decap_verdict)i);
		assert_non_null(name);
		assert_true(strlen(name) > 0);
		for (int j = 0; j < i; j++) {
			assert_string_not_equal(name, decap_verdict_name((enum decap_verdict)j));
		}
		bool not_drop = i == DECAP_OK || i == DECAP_PASS_NOT_TUNNEL ||
				i == DECAP_PASS_NOT_VTEP || i == DECAP_PASS_NOT_IP;
		assert_int_equal(decap_verdict_is_drop((enum decap_verdict)i), !not_drop);
	}
	assert_string_equal(decap_verdict_name(DECAP_IPV4_CHECKSUM), "ipv4_bad_checksum");
	assert_string_equal(decap_verdict_name(DECAP_VERDICT_COUNT), "unknown");
}

static void test_ok_and_padding(void **state)
{
	(void)state;
	struct packet p;

	packet_load(&p, "vxlan_ipv4");
	assert_verdict(&p, DECAP_OK);
	/* Ethernet padding after the IP packet is not part of the inner frame. */
	memset(p.bytes + p.len, 0, 20);
	p.len += 20;
	struct decap_result result;
	assert_int_equal(decap_parse(p.bytes, p.len, &p.policy, &result), DECAP_OK);
	assert_int_equal(result.inner_len, p.vector->inner_len);
}

static void test_pass_not_ip(void **state)
{
	(void)state;
	struct packet p;

	packet_load(&p, "vxlan_ipv4");
	wire_store_be16(p.bytes + 12, WIRE_ETHERTYPE_ARP);
	assert_verdict(&p, DECAP_PASS_NOT_IP);
	/* A second tag on the uplink is not ours either. */
	packet_load(&p, "vxlan_ipv6");
	wire_store_be16(p.bytes + 16, WIRE_ETHERTYPE_VLAN);
	assert_verdict(&p, DECAP_PASS_NOT_IP);
}

static void test_pass_not_vtep(void **state)
{
	(void)state;
	struct packet p;

	packet_load(&p, "vxlan_ipv4");
	p.policy.local_v4.s_addr = htonl(0xC0000263); /* 192.0.2.99 */
	assert_verdict(&p, DECAP_PASS_NOT_VTEP);
	packet_load(&p, "vxlan_ipv4");
	p.policy.have_v4 = false;
	assert_verdict(&p, DECAP_PASS_NOT_VTEP);
	packet_load(&p, "nvgre_ipv6");
	p.policy.local_v6.s6_addr[15] ^= 1;
	assert_verdict(&p, DECAP_PASS_NOT_VTEP);
	/* Options or fragments to another address are the kernel's business. */
	packet_load(&p, "vxlan_ipv4");
	packet_ipv4(&p)->version_ihl = 0x46;
	p.policy.local_v4.s_addr = htonl(0xC0000263);
	assert_verdict(&p, DECAP_PASS_NOT_VTEP);
}

static void test_pass_not_tunnel(void **state)
{
	(void)state;
	struct packet p;

	/* UDP to another port: BFD, DNS... */
	packet_load(&p, "vxlan_ipv4");
	wire_store_be16(p.bytes + p.l4 + 2, 3784);
	assert_verdict(&p, DECAP_PASS_NOT_TUNNEL);
	/* A non-default VXLAN port makes 4789 just another port. */
	packet_load(&p, "vxlan_ipv4");
	p.policy.vxlan_udp_port = 8472;
	assert_verdict(&p, DECAP_PASS_NOT_TUNNEL);
	/* TCP (BGP) and ICMP to our address. */
	packet_load(&p, "vxlan_ipv4");
	packet_ipv4(&p)->protocol = IPPROTO_TCP;
	fix_ipv4_checksum(p.bytes);
	assert_verdict(&p, DECAP_PASS_NOT_TUNNEL);
	packet_load(&p, "nvgre_ipv6");
	packet_ipv6(&p)->next_header = IPPROTO_ICMPV6;
	assert_verdict(&p, DECAP_PASS_NOT_TUNNEL);
}

static void test_truncated_outer(void **state)
{
	(void)state;
	struct packet p;

	packet_load(&p, "vxlan_ipv4");
	assert_int_equal(packet_decap_len(&p, 0), DECAP_TRUNCATED_ETHERNET);
	assert_int_equal(packet_decap_len(&p, 13), DECAP_TRUNCATED_ETHERNET);
	assert_int_equal(packet_decap_len(&p, 14 + 19), DECAP_TRUNCATED_IP);
	packet_load(&p, "vxlan_ipv6"); /* tagged */
	assert_int_equal(packet_decap_len(&p, 17), DECAP_TRUNCATED_VLAN);
	assert_int_equal(packet_decap_len(&p, 18 + 39), DECAP_TRUNCATED_IP);
}

/* R1: a frame cut anywhere is never delivered, and never read past its end
 * (the copy is exactly `len` bytes, under ASan in CI). */
static void test_truncated_everywhere(void **state)
{
	(void)state;

	for (size_t i = 0; i < VECTOR_COUNT; i++) {
		struct packet p;
		packet_load(&p, encap_vectors[i].name);
		for (size_t len = 0; len < p.len; len++) {
			enum decap_verdict verdict = packet_decap_len(&p, len);
			if (!decap_verdict_is_drop(verdict)) {
				fail_msg("%s cut at %zu: %s", p.vector->name, len,
					 decap_verdict_name(verdict));
			}
		}
	}
}

static void test_ip_version(void **state)
{
	(void)state;
	struct packet p;

	packet_load(&p, "vxlan_ipv4");
	packet_ipv4(&p)->version_ihl = 0x65;
	assert_verdict(&p, DECAP_IP_VERSION);
	packet_load(&p, "vxlan_ipv6");
	packet_ipv6(&p)->version_class_flow[0] = 0x40 | (p.bytes[p.l3] & 0x0F);
	assert_verdict(&p, DECAP_IP_VERSION);
}

static void test_ipv4_ihl_and_options(void **state)
{
	(void)state;
	struct packet p;

	packet_load(&p, "vxlan_ipv4");
	packet_ipv4(&p)->version_ihl = 0x44;
	assert_verdict(&p, DECAP_IPV4_IHL);
	packet_ipv4(&p)->version_ihl = 0x40;
	assert_verdict(&p, DECAP_IPV4_IHL);
	packet_ipv4(&p)->version_ihl = 0x46;
	assert_verdict(&p, DECAP_IPV4_OPTIONS);
	packet_ipv4(&p)->version_ihl = 0x4F;
	assert_verdict(&p, DECAP_IPV4_OPTIONS);
}

static void test_ipv4_checksum(void **state)
{
	(void)state;
	struct packet p;

	packet_load(&p, "nvgre_ipv4");
	packet_ipv4(&p)->checksum[1] ^= 0x01;
	assert_verdict(&p, DECAP_IPV4_CHECKSUM);
	/* A changed TTL without the checksum update is caught the same way. */
	packet_load(&p, "vxlan_ipv4");
	packet_ipv4(&p)->ttl--;
	assert_verdict(&p, DECAP_IPV4_CHECKSUM);
}

static void test_ip_length(void **state)
{
	(void)state;
	struct packet p;

	/* R2: longer than the buffer, shorter than its own header. */
	packet_load(&p, "vxlan_ipv4");
	set_ipv4_payload_len(&p, p.len - p.l4 + 1);
	assert_verdict(&p, DECAP_IP_LENGTH);
	packet_load(&p, "vxlan_ipv4");
	wire_store_be16(packet_ipv4(&p)->total_length, 19);
	fix_ipv4_checksum(p.bytes);
	assert_verdict(&p, DECAP_IP_LENGTH);
	packet_load(&p, "vxlan_ipv6");
	wire_store_be16(packet_ipv6(&p)->payload_length, (uint16_t)(p.len - p.l4 + 1));
	assert_verdict(&p, DECAP_IP_LENGTH);
	packet_load(&p, "nvgre_ipv6");
	wire_store_be16(packet_ipv6(&p)->payload_length, 0xFFFF);
	assert_verdict(&p, DECAP_IP_LENGTH);
}

static void test_ip_fragment(void **state)
{
	(void)state;
	struct packet p;

	/* RFC 7348 §4.3: first fragment (MF), later fragment (offset). */
	packet_load(&p, "vxlan_ipv4");
	wire_store_be16(packet_ipv4(&p)->flags_fragment, WIRE_IPV4_MF);
	fix_ipv4_checksum(p.bytes);
	assert_verdict(&p, DECAP_IP_FRAGMENT);
	packet_load(&p, "nvgre_ipv4");
	wire_store_be16(packet_ipv4(&p)->flags_fragment, 185);
	fix_ipv4_checksum(p.bytes);
	assert_verdict(&p, DECAP_IP_FRAGMENT);
	packet_load(&p, "vxlan_ipv6");
	packet_ipv6(&p)->next_header = WIRE_IPV6_NEXT_FRAGMENT;
	assert_verdict(&p, DECAP_IP_FRAGMENT);
	/* DF clear on an unfragmented packet is fine. */
	packet_load(&p, "vxlan_ipv4");
	wire_store_be16(packet_ipv4(&p)->flags_fragment, 0);
	fix_ipv4_checksum(p.bytes);
	assert_verdict(&p, DECAP_OK);
}

static void test_ttl(void **state)
{
	(void)state;
	struct packet p;

	/* R3: TTL 0 addressed to us drops, TTL 1 is delivered. */
	packet_load(&p, "vxlan_ipv4");
	packet_ipv4(&p)->ttl = 0;
	fix_ipv4_checksum(p.bytes);
	assert_verdict(&p, DECAP_IP_TTL_ZERO);
	packet_ipv4(&p)->ttl = 1;
	fix_ipv4_checksum(p.bytes);
	assert_verdict(&p, DECAP_OK);
	packet_load(&p, "nvgre_ipv6"); /* sent with hop limit 1 */
	assert_verdict(&p, DECAP_OK);
	packet_ipv6(&p)->hop_limit = 0;
	assert_verdict(&p, DECAP_IP_TTL_ZERO);
}

static void test_ip_bad_source(void **state)
{
	(void)state;
	static const uint8_t bad_v4[][4] = {
		{224, 0, 0, 1}, {239, 1, 2, 3}, {255, 255, 255, 255},
		{0, 0, 0, 0},	{127, 0, 0, 1}, {192, 0, 2, 2}, /* our own VTEP address */
	};
	static const uint8_t bad_v6[][16] = {
		{0xff, 0x02, [15] = 1},
		{0},
		{[15] = 1},
		{0x20, 0x01, 0x0d, 0xb8, [15] = 2}, /* ours */
	};
	struct packet p;

	/* R4 */
	for (size_t i = 0; i < sizeof(bad_v4) / sizeof(bad_v4[0]); i++) {
		packet_load(&p, "vxlan_ipv4");
		memcpy(packet_ipv4(&p)->src, bad_v4[i], 4);
		fix_ipv4_checksum(p.bytes);
		assert_verdict(&p, DECAP_IP_BAD_SOURCE);
	}
	for (size_t i = 0; i < sizeof(bad_v6) / sizeof(bad_v6[0]); i++) {
		packet_load(&p, "vxlan_ipv6");
		memcpy(packet_ipv6(&p)->src, bad_v6[i], 16);
		fix_udp6_checksum(&p);
		assert_verdict(&p, DECAP_IP_BAD_SOURCE);
	}
}

static void test_udp_truncated_and_length(void **state)
{
	(void)state;
	struct packet p;

	packet_load(&p, "vxlan_ipv4");
	set_ipv4_payload_len(&p, 7);
	assert_verdict(&p, DECAP_TRUNCATED_UDP);
	/* UDP length must equal the IP payload, in both directions. */
	packet_load(&p, "vxlan_ipv4");
	wire_store_be16(p.bytes + p.l4 + 4, (uint16_t)(wire_load_be16(p.bytes + p.l4 + 4) + 1));
	assert_verdict(&p, DECAP_UDP_LENGTH);
	packet_load(&p, "vxlan_ipv4");
	wire_store_be16(p.bytes + p.l4 + 4, (uint16_t)(wire_load_be16(p.bytes + p.l4 + 4) - 1));
	assert_verdict(&p, DECAP_UDP_LENGTH);
	packet_load(&p, "vxlan_ipv6");
	wire_store_be16(p.bytes + p.l4 + 4, 7);
	assert_verdict(&p, DECAP_UDP_LENGTH);
}

static void test_udp_checksum(void **state)
{
	(void)state;
	struct packet p;

	/* V7: a wrong non-zero checksum drops, on both families. */
	packet_load(&p, "vxlan_ipv4");
	wire_store_be16(p.bytes + p.l4 + 6, 0x1234);
	assert_verdict(&p, DECAP_UDP_CHECKSUM);
	packet_load(&p, "vxlan_ipv6");
	p.bytes[p.inner + 20] ^= 0x40; /* an inner byte changed in flight */
	assert_verdict(&p, DECAP_UDP_CHECKSUM);
	/* A correct non-zero checksum over IPv4 is verified and accepted. */
	packet_load(&p, "vxlan_ipv4");
	{
		struct wire_ipv4 *ip = packet_ipv4(&p);
		uint16_t udp_len = wire_load_be16(p.bytes + p.l4 + 4);
		uint32_t sum = checksum_partial(ip->src, 8, 0) + IPPROTO_UDP + udp_len;
		uint16_t checksum = checksum_finish(checksum_partial(p.bytes + p.l4, udp_len, sum));
		wire_store_be16(p.bytes + p.l4 + 6, checksum ? checksum : 0xFFFF);
	}
	assert_verdict(&p, DECAP_OK);
	/* 0 means "none" on IPv4 (RFC 7348 §5) ... */
	packet_load(&p, "vxlan_ipv4");
	assert_int_equal(wire_load_be16(p.bytes + p.l4 + 6), 0);
	assert_verdict(&p, DECAP_OK);
	/* ... and is refused on IPv6 (RFC 6935 conditions not met). */
	packet_load(&p, "vxlan_ipv6");
	wire_store_be16(p.bytes + p.l4 + 6, 0);
	assert_verdict(&p, DECAP_UDP_ZERO_CHECKSUM_V6);
	/* 0xFFFF, the wire form of a computed 0, verifies. */
	packet_load(&p, "vxlan_ipv6_checksum_ffff");
	assert_verdict(&p, DECAP_OK);
}

static void test_vxlan_header(void **state)
{
	(void)state;
	struct packet p;
	size_t vxlan;

	packet_load(&p, "vxlan_ipv4");
	vxlan = p.l4 + 8;
	/* 15 bytes of UDP: the VXLAN header is cut. */
	set_ipv4_payload_len(&p, 15);
	wire_store_be16(p.bytes + p.l4 + 4, 15);
	assert_verdict(&p, DECAP_TRUNCATED_VXLAN);

	/* V5: I flag clear drops. */
	packet_load(&p, "vxlan_ipv4");
	p.bytes[vxlan] = 0x00;
	assert_verdict(&p, DECAP_VXLAN_NO_I_FLAG);
	p.bytes[vxlan] = 0xF7; /* every bit but I */
	assert_verdict(&p, DECAP_VXLAN_NO_I_FLAG);

	/* V5: reserved bits are ignored by default and dropped when strict. */
	static const size_t reserved_bytes[] = {0, 1, 2, 3, 7};
	for (size_t i = 0; i < sizeof(reserved_bytes) / sizeof(reserved_bytes[0]); i++) {
		packet_load(&p, "vxlan_ipv4");
		p.bytes[vxlan + reserved_bytes[i]] |= reserved_bytes[i] == 0 ? 0x80 : 0x01;
		assert_verdict(&p, DECAP_OK);
		p.policy.vxlan_strict = true;
		assert_verdict(&p, DECAP_VXLAN_RESERVED);
	}
	/* Over IPv6 the checksum covers the change, so fix it first. */
	packet_load(&p, "vxlan_ipv6");
	p.bytes[p.l4 + 8 + 1] = 0x5A;
	fix_udp6_checksum(&p);
	assert_verdict(&p, DECAP_OK);
	p.policy.vxlan_strict = true;
	assert_verdict(&p, DECAP_VXLAN_RESERVED);
}

static void test_gre_header(void **state)
{
	(void)state;
	struct packet p;
	static const uint16_t bad_flags[] = {
		WIRE_GRE_FLAG_K | WIRE_GRE_FLAG_C, /* checksum present */
		WIRE_GRE_FLAG_K | WIRE_GRE_FLAG_S, /* sequence present */
		WIRE_GRE_FLAG_K | WIRE_GRE_FLAG_R, /* RFC 1701 routing */
		WIRE_GRE_FLAG_K | 0x0800,	   /* strict source route */
		WIRE_GRE_FLAG_K | 0x0400,	   /* recursion control */
		0,				   /* K clear: no VSID */
	};

	packet_load(&p, "nvgre_ipv4");
	set_ipv4_payload_len(&p, 7);
	assert_verdict(&p, DECAP_TRUNCATED_GRE);

	for (size_t i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		packet_load(&p, "nvgre_ipv4");
		wire_store_be16(p.bytes + p.l4, bad_flags[i]);
		assert_verdict(&p, DECAP_GRE_FLAGS);
	}
	/* RFC 2784 §2.5: bits 6-12 are ignored on receipt. */
	packet_load(&p, "nvgre_ipv4");
	wire_store_be16(p.bytes + p.l4, WIRE_GRE_FLAG_K | 0x0208);
	assert_verdict(&p, DECAP_OK);

	packet_load(&p, "nvgre_ipv6");
	wire_store_be16(p.bytes + p.l4, WIRE_GRE_FLAG_K | 1);
	assert_verdict(&p, DECAP_GRE_VERSION);

	packet_load(&p, "nvgre_ipv6");
	wire_store_be16(p.bytes + p.l4 + 2, WIRE_ETHERTYPE_IPV4);
	assert_verdict(&p, DECAP_GRE_PROTOCOL);

	/* RFC 7637 §3.4 reserved VSIDs; the edges of the valid range pass. */
	static const struct {
		uint32_t vsid;
		enum decap_verdict verdict;
	} vsids[] = {
		{0, DECAP_NVGRE_RESERVED_VSID},
		{0xFFF, DECAP_NVGRE_RESERVED_VSID},
		{0x1000, DECAP_OK},
		{0xFFFFFE, DECAP_OK},
		{0xFFFFFF, DECAP_NVGRE_RESERVED_VSID},
	};
	for (size_t i = 0; i < sizeof(vsids) / sizeof(vsids[0]); i++) {
		packet_load(&p, "nvgre_ipv4");
		wire_store_be32(p.bytes + p.l4 + 4, vsids[i].vsid << 8 | 0x42);
		assert_verdict(&p, vsids[i].verdict);
	}
}

/* Builds a VXLAN/IPv4 packet around an arbitrary inner frame with the
 * vxlan_ipv4 template (IPv4: no UDP checksum to recompute). */
static void packet_with_inner(struct packet *p, const uint8_t *inner, size_t inner_len)
{
	struct tunnel_params params;
	struct encap_template tmpl;

	packet_load(p, "vxlan_ipv4");
	vector_params(p->vector, &params);
	assert_int_equal(encap_template_init(&tmpl, &params), 0);
	memcpy(p->bytes + tmpl.len, inner, inner_len);
	assert_int_equal(encap_frame(&tmpl, p->bytes, (uint32_t)inner_len), 0);
	p->len = tmpl.len + inner_len;
	p->inner = tmpl.len;
}

static void test_inner_frame(void **state)
{
	(void)state;
	struct packet p;
	uint8_t inner[64];
	const struct encap_vector *v = vector_by_name("vxlan_ipv4");

	packet_with_inner(&p, v->inner, 13);
	assert_verdict(&p, DECAP_TRUNCATED_INNER);
	packet_with_inner(&p, v->inner, 0);
	assert_verdict(&p, DECAP_TRUNCATED_INNER);
	packet_with_inner(&p, v->inner, 14);
	assert_verdict(&p, DECAP_OK);

	/* V10 / N5: an inner 802.1Q (or 802.1ad) tag drops. */
	memcpy(inner, v->inner, sizeof(inner));
	wire_store_be16(inner + 12, WIRE_ETHERTYPE_VLAN);
	packet_with_inner(&p, inner, sizeof(inner));
	assert_verdict(&p, DECAP_INNER_VLAN);
	wire_store_be16(inner + 12, WIRE_ETHERTYPE_QINQ);
	packet_with_inner(&p, inner, sizeof(inner));
	assert_verdict(&p, DECAP_INNER_VLAN);
	packet_load(&p, "nvgre_ipv4");
	wire_store_be16(p.bytes + p.inner + 12, WIRE_ETHERTYPE_VLAN);
	assert_verdict(&p, DECAP_INNER_VLAN);

	/* R5: multicast, broadcast, all-zero or our own source MAC. */
	static const uint8_t bad_sources[][6] = {
		{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		{0x33, 0x33, 0x00, 0x00, 0x00, 0x01}, {0},
		{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}, /* test_local_mac */
	};
	for (size_t i = 0; i < sizeof(bad_sources) / sizeof(bad_sources[0]); i++) {
		memcpy(inner, v->inner, sizeof(inner));
		memcpy(inner + 6, bad_sources[i], 6);
		packet_with_inner(&p, inner, sizeof(inner));
		assert_verdict(&p, DECAP_INNER_BAD_SOURCE);
	}
	/* A broadcast destination is normal (ARP request in nvgre_ipv4). */
	packet_load(&p, "nvgre_ipv4");
	assert_true(wire_ether_is_group(p.bytes + p.inner));
	assert_verdict(&p, DECAP_OK);
}

static void test_outer_vlan_reported(void **state)
{
	(void)state;
	struct packet p;
	struct decap_result result;

	packet_load(&p, "nvgre_ipv4");
	p.bytes[14] |= 0xE0; /* PCP 7 is not part of the VID */
	assert_int_equal(decap_parse(p.bytes, p.len, &p.policy, &result), DECAP_OK);
	assert_int_equal(result.outer_vlan, 200);
	assert_int_equal(result.outer_tos, 10 << 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_unique_and_drops_classified),
		cmocka_unit_test(test_ok_and_padding),
		cmocka_unit_test(test_pass_not_ip),
		cmocka_unit_test(test_pass_not_vtep),
		cmocka_unit_test(test_pass_not_tunnel),
		cmocka_unit_test(test_truncated_outer),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_ip_version),
		cmocka_unit_test(test_ipv4_ihl_and_options),
		cmocka_unit_test(test_ipv4_checksum),
		cmocka_unit_test(test_ip_length),
		cmocka_unit_test(test_ip_fragment),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_ip_bad_source),
		cmocka_unit_test(test_udp_truncated_and_length),
		cmocka_unit_test(test_udp_checksum),
		cmocka_unit_test(test_vxlan_header),
		cmocka_unit_test(test_gre_header),
		cmocka_unit_test(test_inner_frame),
		cmocka_unit_test(test_outer_vlan_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
