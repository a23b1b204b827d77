/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Byte-exact comparison with scapy's encapsulation of the same inner frames
 * (tests/vectors/make_vectors.py), and decap of scapy's packets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <errno.h>

#include "encap/ecn.h"
#include "encap/entropy.h"
#include "encap_test_util.h"

static void assert_bytes_equal(const char *name, const uint8_t *got, const uint8_t *want,
			       size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (got[i] != want[i]) {
			fail_msg("%s: byte %zu is 0x%02x, scapy has 0x%02x", name, i, got[i],
				 want[i]);
		}
	}
}

static void test_encap_write_matches_scapy(void **state)
{
	(void)state;

	for (size_t i = 0; i < VECTOR_COUNT; i++) {
		const struct encap_vector *v = &encap_vectors[i];
		struct tunnel_params params;
		struct encap_template tmpl;
		uint8_t out[256];

		vector_params(v, &params);
		assert_int_equal(encap_template_init(&tmpl, &params), 0);
		assert_int_equal(tmpl.len + v->inner_len, v->packet_len);
		assert_true(v->packet_len <= sizeof(out));
		memset(out, 0xA5, sizeof(out));
		memcpy(out + tmpl.len, v->inner, v->inner_len);
		uint32_t inner_sum = checksum_partial(v->inner, v->inner_len, 0);
		assert_int_equal(encap_write(&tmpl, out, (uint32_t)v->inner_len, v->flow_hash,
					     frame_inner_tos(v->inner, v->inner_len), inner_sum),
				 0);
		assert_bytes_equal(v->name, out, v->packet, v->packet_len);
		/* Nothing written beyond the frame. */
		assert_int_equal(out[v->packet_len], 0xA5);
	}
}

static void test_ipv6_checksum_zero_is_sent_as_ffff(void **state)
{
	(void)state;
	const struct encap_vector *v = vector_by_name("vxlan_ipv6_checksum_ffff");
	size_t udp = v->packet_len - v->inner_len - 16;

	/* scapy's packet carries 0xFFFF, and encap_write matched it above. */
	assert_int_equal(wire_load_be16(v->packet + udp + 6), 0xFFFF);
}

static void test_decap_scapy_packets(void **state)
{
	(void)state;

	for (size_t i = 0; i < VECTOR_COUNT; i++) {
		const struct encap_vector *v = &encap_vectors[i];
		struct decap_policy policy;
		struct decap_result result;
		union tunnel_addr src;

		vector_policy(v, &policy);
		for (int strict = 0; strict < 2; strict++) {
			policy.vxlan_strict = strict;
			memset(&result, 0xEE, sizeof(result));
			assert_int_equal(decap_parse(v->packet, v->packet_len, &policy, &result),
					 DECAP_OK);
			assert_int_equal(result.type, v->type);
			assert_int_equal(result.family, v->family);
			assert_int_equal(result.segment_id, v->segment_id);
			assert_int_equal(result.outer_vlan, v->outer_vlan);
			assert_int_equal(result.inner_len, v->inner_len);
			assert_memory_equal(v->packet + result.inner_offset, v->inner,
					    v->inner_len);
			vector_addr(v->family, v->src, &src);
			assert_memory_equal(&result.src, &src, v->family == AF_INET ? 4 : 16);
			uint8_t flow_id = v->type == TUNNEL_NVGRE && v->nvgre_flow_id
						  ? entropy_flow_id(v->flow_hash)
						  : 0;
			assert_int_equal(result.flow_id, flow_id);
		}
	}
}

/* encap_frame computes entropy, TOS and the inner sum itself: the result
 * must equal encap_write fed with the same values, and decap cleanly. */
static void test_encap_frame_consistent(void **state)
{
	(void)state;

	for (size_t i = 0; i < VECTOR_COUNT; i++) {
		const struct encap_vector *v = &encap_vectors[i];
		struct tunnel_params params;
		struct encap_template tmpl;
		struct decap_policy policy;
		struct decap_result result;
		uint8_t by_frame[256], by_write[256];

		vector_params(v, &params);
		vector_policy(v, &policy);
		assert_int_equal(encap_template_init(&tmpl, &params), 0);
		memcpy(by_frame + tmpl.len, v->inner, v->inner_len);
		memcpy(by_write + tmpl.len, v->inner, v->inner_len);
		assert_int_equal(encap_frame(&tmpl, by_frame, (uint32_t)v->inner_len), 0);
		assert_int_equal(encap_write(&tmpl, by_write, (uint32_t)v->inner_len,
					     flow_hash_frame(v->inner, v->inner_len),
					     frame_inner_tos(v->inner, v->inner_len),
					     checksum_partial(v->inner, v->inner_len, 0)),
				 0);
		assert_memory_equal(by_frame, by_write, v->packet_len);
		assert_int_equal(decap_parse(by_frame, v->packet_len, &policy, &result), DECAP_OK);
	}
}

/* Never fragment: the largest inner frame that fits 65535 bytes of IP
 * payload is accepted, one byte more is refused (DESIGN.md). */
static void test_encap_refuses_oversize(void **state)
{
	(void)state;

	for (size_t i = 0; i < VECTOR_COUNT; i++) {
		const struct encap_vector *v = &encap_vectors[i];
		struct tunnel_params params;
		struct encap_template tmpl;
		uint8_t out[ENCAP_TEMPLATE_MAX];

		vector_params(v, &params);
		assert_int_equal(encap_template_init(&tmpl, &params), 0);
		/* IPv4 total length counts its header; IPv6 payload length not. */
		uint32_t overhead = (uint32_t)(tmpl.len - tmpl.l3_offset);
		if (v->family == AF_INET6) {
			overhead -= 40;
		}
		uint32_t largest = 65535 - overhead;
		assert_int_equal(encap_write(&tmpl, out, largest, 1, 0, 0), 0);
		assert_int_equal(encap_write(&tmpl, out, largest + 1, 1, 0, 0), -EMSGSIZE);
		assert_int_equal(encap_write(&tmpl, out, UINT32_MAX - 100, 1, 0, 0), -EMSGSIZE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encap_write_matches_scapy),
		cmocka_unit_test(test_ipv6_checksum_zero_is_sent_as_ffff),
		cmocka_unit_test(test_decap_scapy_packets),
		cmocka_unit_test(test_encap_frame_consistent),
		cmocka_unit_test(test_encap_refuses_oversize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
