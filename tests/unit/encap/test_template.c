/* SPDX-License-Identifier: BSD-3-Clause */
/* encap_template_init: what it refuses, and the defaults it fills in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "encap_test_util.h"

static void base_params(struct tunnel_params *p, const char *vector)
{
	vector_params(vector_by_name(vector), p);
}

static void assert_refused(const struct tunnel_params *p)
{
	struct encap_template tmpl;
	assert_int_equal(encap_template_init(&tmpl, p), -EINVAL);
}

static void test_refusals(void **state)
{
	(void)state;
	struct tunnel_params p;

	base_params(&p, "vxlan_ipv4");
	p.type = 0;
	assert_refused(&p);
	base_params(&p, "vxlan_ipv4");
	p.type = 3;
	assert_refused(&p);
	base_params(&p, "vxlan_ipv4");
	p.family = AF_UNIX;
	assert_refused(&p);
	base_params(&p, "vxlan_ipv4");
	p.segment_id = 0x1000000; /* beyond 24 bits */
	assert_refused(&p);
	base_params(&p, "vxlan_ipv4");
	p.outer_vlan = 4095;
	assert_refused(&p);
	base_params(&p, "vxlan_ipv4");
	p.udp_src_min = 60000;
	p.udp_src_max = 50000;
	assert_refused(&p);
	base_params(&p, "vxlan_ipv4");
	p.udp_src_min = 0;
	p.udp_src_max = 1000; /* port 0 is no source port */
	assert_refused(&p);
	base_params(&p, "vxlan_ipv4");
	p.dscp_mode = DSCP_MODE_SET;
	p.dscp = 64;
	assert_refused(&p);
	base_params(&p, "vxlan_ipv4");
	p.dscp_mode = 7;
	assert_refused(&p);
	base_params(&p, "vxlan_ipv4");
	p.ecn_mode = 7;
	assert_refused(&p);
	base_params(&p, "vxlan_ipv4");
	p.src_mac[0] |= 1;
	assert_refused(&p);
	/* Addresses no VTEP can have. */
	base_params(&p, "vxlan_ipv4");
	p.dst.v4.s_addr = htonl(0xE0000001);
	assert_refused(&p);
	base_params(&p, "vxlan_ipv4");
	p.src.v4.s_addr = 0;
	assert_refused(&p);
	base_params(&p, "vxlan_ipv4");
	p.dst.v4.s_addr = 0xFFFFFFFF;
	assert_refused(&p);
	base_params(&p, "vxlan_ipv6");
	memset(&p.dst.v6, 0, sizeof(p.dst.v6));
	assert_refused(&p);
	base_params(&p, "vxlan_ipv6");
	p.src.v6.s6_addr[0] = 0xFF;
	assert_refused(&p);
}

static void test_nvgre_vsid_range(void **state)
{
	(void)state;
	struct tunnel_params p;
	struct encap_template tmpl;
	static const struct {
		uint32_t vsid;
		int ret;
	} cases[] = {
		{0, -EINVAL},  {0xFFF, -EINVAL},    {0x1000, 0},
		{0xFFFFFE, 0}, {0xFFFFFF, -EINVAL}, {0x1000000, -EINVAL},
	};

	/* N6 / RFC 7637 §3.4. */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		base_params(&p, "nvgre_ipv6");
		p.segment_id = cases[i].vsid;
		assert_int_equal(encap_template_init(&tmpl, &p), cases[i].ret);
	}
	/* VXLAN has no reserved VNI below 2^24. */
	base_params(&p, "vxlan_ipv4");
	p.segment_id = 0;
	assert_int_equal(encap_template_init(&tmpl, &p), 0);
	p.segment_id = 0xFFFFFF;
	assert_int_equal(encap_template_init(&tmpl, &p), 0);
}

static void test_defaults(void **state)
{
	(void)state;
	struct tunnel_params p;
	struct encap_template tmpl;
	uint8_t out[ENCAP_TEMPLATE_MAX];

	base_params(&p, "vxlan_ipv4");
	p.ttl = 0;
	p.udp_dst_port = 0;
	p.udp_src_min = 0;
	p.udp_src_max = 0;
	assert_int_equal(encap_template_init(&tmpl, &p), 0);
	assert_int_equal(tmpl.len, 14 + 20 + 8 + 8);
	assert_int_equal(encap_write(&tmpl, out, 64, 0xFFFFFFFF, 0, 0), 0);
	assert_int_equal(out[14 + 8], 64); /* TTL */
	assert_int_equal(wire_load_be16(out + 14 + 6), WIRE_IPV4_DF);
	assert_int_equal(wire_load_be16(out + 34 + 2), 4789);
	assert_int_equal(wire_load_be16(out + 34), 65535); /* top of 49152-65535 */
	assert_int_equal(encap_write(&tmpl, out, 64, 0, 0, 0), 0);
	assert_int_equal(wire_load_be16(out + 34), 49152);

	/* The longest template fits ENCAP_TEMPLATE_MAX. */
	base_params(&p, "vxlan_ipv6");
	assert_int_equal(encap_template_init(&tmpl, &p), 0);
	assert_int_equal(tmpl.len, 14 + 4 + 40 + 8 + 8);
	base_params(&p, "nvgre_ipv4");
	assert_int_equal(encap_template_init(&tmpl, &p), 0);
	assert_int_equal(tmpl.len, 14 + 4 + 20 + 8);
}

/* N2: without FlowID entropy the key's low byte stays 0 for every flow. */
static void test_nvgre_flow_id_disabled(void **state)
{
	(void)state;
	struct tunnel_params p;
	struct encap_template tmpl;
	uint8_t out[ENCAP_TEMPLATE_MAX];

	base_params(&p, "nvgre_ipv4");
	p.nvgre_flow_id = false;
	assert_int_equal(encap_template_init(&tmpl, &p), 0);
	for (uint32_t h = 1; h < 1000; h += 37) {
		assert_int_equal(encap_write(&tmpl, out, 60, h * 2654435761u, 0, 0), 0);
		assert_int_equal(wire_load_be32(out + tmpl.l4_offset + 4), 0x00ABCD00);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_nvgre_vsid_range),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_nvgre_flow_id_disabled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
