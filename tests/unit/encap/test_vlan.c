/* SPDX-License-Identifier: BSD-3-Clause */
/* 802.1Q push / pop / retag on byte buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "encap/vlan.h"
#include "encap_test_util.h"

static void test_push_pop_round_trip(void **state)
{
	(void)state;
	const struct encap_vector *v = vector_by_name("vxlan_ipv4");
	uint8_t buf[256];
	uint8_t *frame = buf + 16; /* headroom */
	uint16_t tci = 0;

	memcpy(frame, v->inner, v->inner_len);
	assert_int_equal(vlan_frame_tci(frame, v->inner_len), -1);

	uint8_t *tagged = vlan_push(frame, v->inner_len, 0x6000 | 100);
	assert_ptr_equal(tagged, frame - VLAN_TAG_LEN);
	size_t tagged_len = v->inner_len + VLAN_TAG_LEN;
	assert_memory_equal(tagged, v->inner, 12);
	assert_int_equal(wire_load_be16(tagged + 12), WIRE_ETHERTYPE_VLAN);
	assert_int_equal(vlan_frame_tci(tagged, tagged_len), 0x6000 | 100);
	assert_memory_equal(tagged + 16, v->inner + 12, v->inner_len - 12);

	assert_int_equal(vlan_retag(tagged, tagged_len, 200), 0);
	assert_int_equal(vlan_frame_tci(tagged, tagged_len), 200);

	uint8_t *popped = vlan_pop(tagged, tagged_len, &tci);
	assert_ptr_equal(popped, frame);
	assert_int_equal(tci, 200);
	assert_memory_equal(popped, v->inner, v->inner_len);
}

static void test_untagged_and_short(void **state)
{
	(void)state;
	const struct encap_vector *v = vector_by_name("vxlan_ipv4");
	uint8_t buf[256];
	uint16_t tci = 7;

	memcpy(buf + 4, v->inner, v->inner_len);
	assert_null(vlan_pop(buf + 4, v->inner_len, &tci));
	assert_int_equal(tci, 7);
	assert_memory_equal(buf + 4, v->inner, v->inner_len);
	assert_int_equal(vlan_retag(buf + 4, v->inner_len, 5), -EINVAL);
	assert_null(vlan_push(buf + 4, 13, 5));
	/* A TPID without room for the tag is not a tagged frame. */
	wire_store_be16(buf + 4 + 12, WIRE_ETHERTYPE_VLAN);
	assert_int_equal(vlan_frame_tci(buf + 4, 17), -1);
	assert_int_equal(vlan_frame_tci(buf + 4, 18), wire_load_be16(v->inner + 14));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_pop_round_trip),
		cmocka_unit_test(test_untagged_and_short),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
