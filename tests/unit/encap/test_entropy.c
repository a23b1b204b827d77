/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow entropy: V2 and N2 of CONFORMANCE.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "encap/entropy.h"
#include "encap_test_util.h"

/* The vxlan_ipv4 inner TCP frame with another source port. */
static size_t tcp_flow(uint8_t *frame, uint16_t sport)
{
	const struct encap_vector *v = vector_by_name("vxlan_ipv4");

	memcpy(frame, v->inner, v->inner_len);
	wire_store_be16(frame + 34, sport);
	return v->inner_len;
}

static size_t count_distinct(const uint32_t *values, size_t n)
{
	size_t distinct = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < i && values[j] != values[i]) {
			j++;
		}
		distinct += j == i;
	}
	return distinct;
}

static void test_ports_spread_over_flows(void **state)
{
	(void)state;
	uint8_t frame[128];
	uint32_t ports[16], flow_ids[16];

	for (int i = 0; i < 16; i++) {
		size_t len = tcp_flow(frame, (uint16_t)(40000 + i));
		uint32_t hash = flow_hash_frame(frame, len);
		ports[i] = entropy_udp_port(hash, 49152, 65535);
		flow_ids[i] = entropy_flow_id(hash);
		assert_in_range(ports[i], 49152, 65535);
	}
	/* V2 asks for >= 2; a hash worth having gives nearly 16. */
	assert_true(count_distinct(ports, 16) >= 12);
	assert_true(count_distinct(flow_ids, 16) >= 8);
}

static void test_each_field_matters(void **state)
{
	(void)state;
	const struct encap_vector *v = vector_by_name("vxlan_ipv4");
	uint8_t frame[128];
	/* Offsets in the inner TCP/IPv4 frame: MACs, EtherType is fixed,
	 * addresses, protocol, ports. */
	static const size_t fields[] = {0, 5, 6, 11, 23, 26, 29, 30, 33, 34, 35, 36, 37};
	uint32_t base = flow_hash_frame(v->inner, v->inner_len);

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		memcpy(frame, v->inner, v->inner_len);
		frame[fields[i]] ^= 0x10;
		assert_int_not_equal(flow_hash_frame(frame, v->inner_len), base);
	}
	/* Same flow, other payload, TTL, TOS: same hash, same path. */
	memcpy(frame, v->inner, v->inner_len);
	frame[v->inner_len - 1] ^= 0xFF;
	frame[22] ^= 0x01; /* TTL */
	frame[15] ^= 0x04; /* TOS */
	frame[38] ^= 0x01; /* TCP sequence number */
	assert_int_equal(flow_hash_frame(frame, v->inner_len), base);
	/* Stable across calls. */
	assert_int_equal(flow_hash_frame(v->inner, v->inner_len), base);
}

static void test_ipv6_ports_and_fragments(void **state)
{
	(void)state;
	const struct encap_vector *v6 = vector_by_name("vxlan_ipv6"); /* inner UDP/IPv6 */
	const struct encap_vector *v4 = vector_by_name("vxlan_ipv4");
	uint8_t frame[128];

	memcpy(frame, v6->inner, v6->inner_len);
	uint32_t base = flow_hash_frame(frame, v6->inner_len);
	frame[14 + 40 + 1] ^= 1; /* UDP source port */
	assert_int_not_equal(flow_hash_frame(frame, v6->inner_len), base);

	/* Every fragment of one IPv4 packet hashes alike: ports left out. */
	memcpy(frame, v4->inner, v4->inner_len);
	wire_store_be16(frame + 20, WIRE_IPV4_MF);
	uint32_t first = flow_hash_frame(frame, v4->inner_len);
	wire_store_be16(frame + 20, 100);
	memset(frame + 34, 0x77, 8); /* a later fragment has payload there */
	assert_int_equal(flow_hash_frame(frame, v4->inner_len), first);
}

static void test_tag_is_looked_past(void **state)
{
	(void)state;
	const struct encap_vector *v = vector_by_name("vxlan_ipv4");
	uint8_t tagged[128], other[128];

	memcpy(tagged, v->inner, 12);
	wire_store_be16(tagged + 12, WIRE_ETHERTYPE_VLAN);
	wire_store_be16(tagged + 14, 10);
	memcpy(tagged + 16, v->inner + 12, v->inner_len - 12);
	memcpy(other, tagged, v->inner_len + 4);
	wire_store_be16(other + 4 + 34, 1); /* inner TCP source port */
	assert_int_not_equal(flow_hash_frame(tagged, v->inner_len + 4),
			     flow_hash_frame(other, v->inner_len + 4));
}

static void test_truncated_frames(void **state)
{
	(void)state;
	const struct encap_vector *v = vector_by_name("vxlan_ipv6");

	for (size_t len = 0; len <= v->inner_len; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, v->inner, len);
		(void)flow_hash_frame(copy, len); /* ASan: no read past len */
		free(copy);
	}
}

static void test_port_range(void **state)
{
	(void)state;
	static const uint32_t hashes[] = {0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF};

	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		assert_in_range(entropy_udp_port(hashes[i], 49152, 65535), 49152, 65535);
		assert_in_range(entropy_udp_port(hashes[i], 1000, 1003), 1000, 1003);
		assert_int_equal(entropy_udp_port(hashes[i], 4789, 4789), 4789);
		assert_in_range(entropy_udp_port(hashes[i], 0, 65535), 0, 65535);
	}
	/* The ends of the range are reached. */
	assert_int_equal(entropy_udp_port(0, 49152, 65535), 49152);
	assert_int_equal(entropy_udp_port(0xFFFFFFFF, 49152, 65535), 65535);
	/* Every port of a small range is used. */
	bool seen[4] = {false};
	for (uint32_t h = 0; h < 64; h++) {
		seen[entropy_udp_port(h * 0x04000000u, 1000, 1003) - 1000] = true;
	}
	assert_true(seen[0] && seen[1] && seen[2] && seen[3]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports_spread_over_flows),
		cmocka_unit_test(test_each_field_matters),
		cmocka_unit_test(test_ipv6_ports_and_fragments),
		cmocka_unit_test(test_tag_is_looked_past),
		cmocka_unit_test(test_truncated_frames),
		cmocka_unit_test(test_port_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
