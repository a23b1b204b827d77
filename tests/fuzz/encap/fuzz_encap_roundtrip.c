/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: encapsulate an arbitrary inner frame with arbitrary
 * tunnel parameters, decapsulate it, and get the same frame back.
 *
 * Input: an 8-byte parameter block, then the inner frame.
 *   [0]    bit 0 NVGRE (else VXLAN), bit 1 IPv6 outer, bit 2 outer 802.1Q,
 *          bit 3 DSCP set (else copy), bit 4 ECN compatibility mode,
 *          bit 5 NVGRE FlowID entropy, bit 6 strict VXLAN policy
 *   [1..3] VNI / VSID
 *   [4]    TTL (0 = default)
 *   [5]    DSCP for bit 3
 *   [6..7] outer VLAN ID for bit 2
 * Seeds: tests/fuzz/encap/corpus/roundtrip (make_vectors.py).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "encap/checksum.h"
#include "encap/ecn.h"
#include "encap/entropy.h"
#include "encap/tunnel.h"
#include "encap/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)         \
	do {                     \
		if (!(cond)) {   \
			abort(); \
		}                \
	} while (0)

#define PARAM_LEN 8
#define INNER_MAX 16384

static const uint8_t local_mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};

/* What decap must say about this inner frame, whatever the outer headers. */
static enum decap_verdict expected_inner_verdict(const uint8_t *inner, size_t len)
{
	static const uint8_t zero[6];

	if (len < sizeof(struct wire_ethernet)) {
		return DECAP_TRUNCATED_INNER;
	}
	uint16_t type = wire_load_be16(inner + 12);
	if (type == WIRE_ETHERTYPE_VLAN || type == WIRE_ETHERTYPE_QINQ) {
		return DECAP_INNER_VLAN;
	}
	if ((inner[6] & 1) || memcmp(inner + 6, zero, 6) == 0 ||
	    memcmp(inner + 6, local_mac, 6) == 0) {
		return DECAP_INNER_BAD_SOURCE;
	}
	return DECAP_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[ENCAP_TEMPLATE_MAX + INNER_MAX];
	struct tunnel_params params;
	struct encap_template tmpl;
	struct decap_policy policy;
	struct decap_result result;

	if (size < PARAM_LEN || size - PARAM_LEN > INNER_MAX) {
		return 0;
	}
	const uint8_t *inner = data + PARAM_LEN;
	size_t inner_len = size - PARAM_LEN;
	uint8_t selector = data[0];

	memset(&params, 0, sizeof(params));
	params.type = selector & 1 ? TUNNEL_NVGRE : TUNNEL_VXLAN;
	params.family = selector & 2 ? AF_INET6 : AF_INET;
	memcpy(params.src_mac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(params.dst_mac, "\x02\x00\x00\x00\x00\x02", 6);
	params.outer_vlan = selector & 4 ? wire_load_be16(data + 6) : 0;
	if (params.family == AF_INET) {
		inet_pton(AF_INET, "192.0.2.1", &params.src.v4);
		inet_pton(AF_INET, "192.0.2.2", &params.dst.v4);
	} else {
		inet_pton(AF_INET6, "2001:db8::1", &params.src.v6);
		inet_pton(AF_INET6, "2001:db8::2", &params.dst.v6);
	}
	params.ttl = data[4];
	params.dscp_mode = selector & 8 ? DSCP_MODE_SET : DSCP_MODE_COPY;
	params.dscp = selector & 8 ? data[5] : 0;
	params.ecn_mode = selector & 16 ? ECN_MODE_COMPAT : ECN_MODE_NORMAL;
	params.segment_id = (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
	params.nvgre_flow_id = selector & 32;

	int ret = encap_template_init(&tmpl, &params);
	bool refusable =
		params.outer_vlan > WIRE_VLAN_VID_MAX || params.dscp > 63 ||
		(params.type == TUNNEL_NVGRE && wire_nvgre_vsid_reserved(params.segment_id));
	FUZZ_CHECK(ret == 0 || (ret == -22 && refusable));
	if (ret != 0) {
		return 0;
	}
	FUZZ_CHECK(!refusable);

	memcpy(buf + tmpl.len, inner, inner_len);
	FUZZ_CHECK(encap_frame(&tmpl, buf, (uint32_t)inner_len) == 0);

	memset(&policy, 0, sizeof(policy));
	policy.vxlan_strict = selector & 64;
	policy.have_v4 = params.family == AF_INET;
	policy.local_v4 = params.dst.v4;
	policy.have_v6 = params.family == AF_INET6;
	policy.local_v6 = params.dst.v6;
	memcpy(policy.local_mac, local_mac, 6);

	/* Decap from an exact-size copy so ASan catches reads past the end. */
	size_t total = tmpl.len + inner_len;
	uint8_t *frame = malloc(total);
	FUZZ_CHECK(frame != NULL);
	memcpy(frame, buf, total);
	enum decap_verdict verdict = decap_parse(frame, total, &policy, &result);
	FUZZ_CHECK(verdict == expected_inner_verdict(inner, inner_len));
	if (verdict == DECAP_OK) {
		FUZZ_CHECK(result.type == params.type);
		FUZZ_CHECK(result.family == params.family);
		FUZZ_CHECK(result.segment_id == params.segment_id);
		FUZZ_CHECK(result.outer_vlan == params.outer_vlan);
		FUZZ_CHECK(memcmp(&result.src, &params.src, params.family == AF_INET ? 4 : 16) ==
			   0);
		FUZZ_CHECK(result.inner_offset == tmpl.len && result.inner_len == inner_len);
		FUZZ_CHECK(memcmp(frame + result.inner_offset, inner, inner_len) == 0);
		uint8_t inner_tos = frame_inner_tos(inner, inner_len);
		FUZZ_CHECK(result.outer_tos == ecn_encap_tos(inner_tos, params.ecn_mode,
							     params.dscp_mode, params.dscp));
		uint8_t flow_id = params.type == TUNNEL_NVGRE && params.nvgre_flow_id
					  ? entropy_flow_id(flow_hash_frame(inner, inner_len))
					  : 0;
		FUZZ_CHECK(result.flow_id == flow_id);
		/* RFC 6040: what we encapsulated decapsulates to itself. */
		FUZZ_CHECK(ecn_decap_frame(frame + result.inner_offset, inner_len,
					   result.outer_tos) == 0);
		FUZZ_CHECK(memcmp(frame + result.inner_offset, inner, inner_len) == 0);
	}
	free(frame);
	return 0;
}
