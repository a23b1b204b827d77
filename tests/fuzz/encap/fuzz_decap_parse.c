/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: decap_parse on arbitrary frames, under both VXLAN
 * policies. Whatever the bytes, it must not read past the buffer (ASan), and
 * its answers must be consistent:
 *   - DECAP_OK describes an inner frame inside the buffer, at least an
 *     Ethernet header long, untagged, with a usable source MAC;
 *   - the strict policy only ever turns a frame that passed the VXLAN header
 *     checks (OK or an inner-frame verdict) into VXLAN_RESERVED.
 * Seeds: tests/fuzz/encap/corpus/decap (scapy packets, make_vectors.py).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "encap/ecn.h"
#include "encap/entropy.h"
#include "encap/tunnel.h"
#include "encap/vlan.h"
#include "encap/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)         \
	do {                     \
		if (!(cond)) {   \
			abort(); \
		}                \
	} while (0)

static const uint8_t local_mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};

/* Our VTEP addresses are the destinations of two of the seed vectors. */
static void policy_fixed(struct decap_policy *policy, bool strict)
{
	memset(policy, 0, sizeof(*policy));
	policy->vxlan_udp_port = 4789;
	policy->vxlan_strict = strict;
	policy->have_v4 = true;
	inet_pton(AF_INET, "192.0.2.2", &policy->local_v4);
	policy->have_v6 = true;
	inet_pton(AF_INET6, "2001:db8::2", &policy->local_v6);
	memcpy(policy->local_mac, local_mac, sizeof(local_mac));
}

/* A policy for which the frame's own destination is our address, so every
 * seed reaches the tunnel checks. */
static void policy_from_frame(struct decap_policy *policy, bool strict, const uint8_t *data,
			      size_t size)
{
	size_t l3 = 14;

	policy_fixed(policy, strict);
	if (size >= 18 && wire_load_be16(data + 12) == WIRE_ETHERTYPE_VLAN) {
		l3 = 18;
	}
	if (size >= l3 + sizeof(struct wire_ipv4)) {
		memcpy(&policy->local_v4, data + l3 + 16, 4);
	}
	if (size >= l3 + sizeof(struct wire_ipv6)) {
		memcpy(policy->local_v6.s6_addr, data + l3 + 24, 16);
	}
}

static enum decap_verdict check_one(const uint8_t *data, size_t size,
				    const struct decap_policy *policy)
{
	struct decap_result result;
	enum decap_verdict verdict = decap_parse(data, size, policy, &result);

	FUZZ_CHECK((unsigned)verdict < DECAP_VERDICT_COUNT);
	if (verdict != DECAP_OK) {
		return verdict;
	}
	FUZZ_CHECK((size_t)result.inner_offset + result.inner_len <= size);
	FUZZ_CHECK(result.inner_len >= sizeof(struct wire_ethernet));
	FUZZ_CHECK(result.family == AF_INET || result.family == AF_INET6);
	FUZZ_CHECK(result.segment_id <= 0xFFFFFF);
	if (result.type == TUNNEL_NVGRE) {
		FUZZ_CHECK(!wire_nvgre_vsid_reserved(result.segment_id));
	} else {
		FUZZ_CHECK(result.type == TUNNEL_VXLAN);
	}
	const uint8_t *inner = data + result.inner_offset;
	FUZZ_CHECK(vlan_frame_tci(inner, result.inner_len) < 0);
	FUZZ_CHECK(!wire_ether_is_group(inner + 6));
	FUZZ_CHECK(memcmp(inner + 6, local_mac, 6) != 0);

	/* What the gateway does next with the inner frame must hold too. */
	uint8_t *copy = malloc(result.inner_len);
	FUZZ_CHECK(copy != NULL);
	memcpy(copy, inner, result.inner_len);
	(void)flow_hash_frame(copy, result.inner_len);
	(void)ecn_decap_frame(copy, result.inner_len, result.outer_tos);
	free(copy);
	return verdict;
}

/* Verdicts of the checks after the VXLAN header, which strict mode may pre-empt. */
static bool after_vxlan_header(enum decap_verdict verdict)
{
	return verdict == DECAP_OK || verdict == DECAP_TRUNCATED_INNER ||
	       verdict == DECAP_INNER_VLAN || verdict == DECAP_INNER_BAD_SOURCE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decap_policy lenient, strict;

	(void)flow_hash_frame(data, size);
	(void)frame_inner_tos(data, size);

	policy_fixed(&lenient, false);
	policy_fixed(&strict, true);
	enum decap_verdict a = check_one(data, size, &lenient);
	enum decap_verdict b = check_one(data, size, &strict);
	FUZZ_CHECK(a == b || (after_vxlan_header(a) && b == DECAP_VXLAN_RESERVED));

	policy_from_frame(&lenient, false, data, size);
	policy_from_frame(&strict, true, data, size);
	a = check_one(data, size, &lenient);
	b = check_one(data, size, &strict);
	FUZZ_CHECK(a == b || (after_vxlan_header(a) && b == DECAP_VXLAN_RESERVED));
	return 0;
}
