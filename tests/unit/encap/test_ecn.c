/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 6040 ECN and outer DSCP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "encap/ecn.h"
#include "encap_test_util.h"

/* RFC 6040 §4.2 Figure 4, row by row as printed there (outer columns in the
 * RFC's order Not-ECT, ECT(0), ECT(1), CE); -1 is <drop>. */
static const struct {
	uint8_t inner;
	int forwarded[4];
} rfc6040_figure4[] = {
	{ECN_NOT_ECT, {ECN_NOT_ECT, ECN_NOT_ECT, ECN_NOT_ECT, -1}},
	{ECN_ECT0, {ECN_ECT0, ECN_ECT0, ECN_ECT1, ECN_CE}},
	{ECN_ECT1, {ECN_ECT1, ECN_ECT1, ECN_ECT1, ECN_CE}},
	{ECN_CE, {ECN_CE, ECN_CE, ECN_CE, ECN_CE}},
};
static const uint8_t figure4_outer[4] = {ECN_NOT_ECT, ECN_ECT0, ECN_ECT1, ECN_CE};

static void test_decap_table(void **state)
{
	(void)state;

	for (size_t row = 0; row < 4; row++) {
		for (size_t col = 0; col < 4; col++) {
			assert_int_equal(ecn_decap(figure4_outer[col], rfc6040_figure4[row].inner),
					 rfc6040_figure4[row].forwarded[col]);
		}
	}
	/* Only the ECN bits of a whole TOS byte count. */
	assert_int_equal(ecn_decap(0xB8 | ECN_CE, 0x28 | ECN_ECT0), ECN_CE);
}

static void test_encap_tos(void **state)
{
	(void)state;

	for (uint8_t ecn = 0; ecn < 4; ecn++) {
		uint8_t inner = (uint8_t)(34 << 2 | ecn); /* AF41 */
		/* Normal mode copies ECN (CE included), compatibility sends Not-ECT. */
		assert_int_equal(ecn_encap_tos(inner, ECN_MODE_NORMAL, DSCP_MODE_COPY, 0), inner);
		assert_int_equal(ecn_encap_tos(inner, ECN_MODE_COMPAT, DSCP_MODE_COPY, 0), 34 << 2);
		assert_int_equal(ecn_encap_tos(inner, ECN_MODE_NORMAL, DSCP_MODE_SET, 46),
				 46 << 2 | ecn);
		assert_int_equal(ecn_encap_tos(inner, ECN_MODE_COMPAT, DSCP_MODE_SET, 0), 0);
	}
}

/* A tagged IPv4 frame with a valid header checksum and the given TOS. */
static size_t ipv4_frame(uint8_t *frame, uint8_t tos, bool tagged)
{
	const struct encap_vector *v = vector_by_name("vxlan_ipv4");
	size_t off = 0;

	memcpy(frame, v->inner, 12);
	if (tagged) {
		wire_store_be16(frame + 12, WIRE_ETHERTYPE_VLAN);
		wire_store_be16(frame + 14, 42);
		off = 4;
	}
	memcpy(frame + 12 + off, v->inner + 12, v->inner_len - 12);
	struct wire_ipv4 *ip = (struct wire_ipv4 *)(frame + 14 + off);
	ip->tos = tos;
	wire_store_be16(ip->checksum, 0);
	wire_store_be16(ip->checksum, checksum_ipv4_header(ip, sizeof(*ip)));
	return v->inner_len + off;
}

static void test_decap_frame_ipv4(void **state)
{
	(void)state;
	uint8_t frame[128];

	for (int tagged = 0; tagged < 2; tagged++) {
		size_t ip = 14 + (tagged ? 4 : 0);
		/* E2: outer CE on inner ECT(0) marks the inner packet CE. */
		size_t len = ipv4_frame(frame, 0x28 | ECN_ECT0, tagged);
		assert_int_equal(frame_inner_tos(frame, len), 0x28 | ECN_ECT0);
		assert_int_equal(ecn_decap_frame(frame, len, 0xB8 | ECN_CE), 0);
		assert_int_equal(frame[ip + 1], 0x28 | ECN_CE);
		assert_int_equal(checksum_ipv4_header(frame + ip, 20), 0);
		/* E2: outer CE on Not-ECT cannot be passed on: drop. */
		len = ipv4_frame(frame, 0x28, tagged);
		assert_int_equal(ecn_decap_frame(frame, len, ECN_CE), -1);
		/* E2: outer ECT(1) on inner ECT(0) gives ECT(1). */
		len = ipv4_frame(frame, ECN_ECT0, tagged);
		assert_int_equal(ecn_decap_frame(frame, len, ECN_ECT1), 0);
		assert_int_equal(frame[ip + 1], ECN_ECT1);
		assert_int_equal(checksum_ipv4_header(frame + ip, 20), 0);
	}
}

static void test_decap_frame_ipv6(void **state)
{
	(void)state;
	const struct encap_vector *v = vector_by_name("vxlan_ipv6"); /* inner tc 0x01 */
	uint8_t frame[128];

	memcpy(frame, v->inner, v->inner_len);
	assert_int_equal(frame_inner_tos(frame, v->inner_len), ECN_ECT1);
	assert_int_equal(ecn_decap_frame(frame, v->inner_len, ECN_CE), 0);
	assert_int_equal(frame_inner_tos(frame, v->inner_len), ECN_CE);
	/* Only the ECN bits changed: version, DSCP and flow label intact. */
	assert_memory_equal(frame + 14 + 4, v->inner + 14 + 4, v->inner_len - 18);
	assert_int_equal(frame[14] & 0xF0, 0x60);
	assert_int_equal(wire_load_be32(frame + 14) & 0xFFFFF, 0x12345);

	memcpy(frame, v->inner, v->inner_len);
	frame[15] &= 0xCF; /* Not-ECT */
	assert_int_equal(ecn_decap_frame(frame, v->inner_len, ECN_CE), -1);
}

static void test_decap_frame_not_ip(void **state)
{
	(void)state;
	const struct encap_vector *v = vector_by_name("nvgre_ipv4"); /* ARP */
	uint8_t frame[128];

	memcpy(frame, v->inner, v->inner_len);
	assert_int_equal(frame_inner_tos(frame, v->inner_len), 0);
	assert_int_equal(ecn_decap_frame(frame, v->inner_len, ECN_CE), 0);
	assert_memory_equal(frame, v->inner, v->inner_len);
	/* Short frames are left alone and never read past. */
	for (size_t len = 0; len < 34; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		size_t full = ipv4_frame(frame, ECN_ECT0, false);
		assert_true(full >= len);
		memcpy(copy, frame, len);
		(void)frame_inner_tos(copy, len);
		assert_int_equal(ecn_decap_frame(copy, len, ECN_CE), 0);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decap_table),	   cmocka_unit_test(test_encap_tos),
		cmocka_unit_test(test_decap_frame_ipv4),   cmocka_unit_test(test_decap_frame_ipv6),
		cmocka_unit_test(test_decap_frame_not_ip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
