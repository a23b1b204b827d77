/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-process micro-benchmark of the encap library's per-packet functions,
 * the part of the fast path that does not need DPDK: flow_hash_frame (the
 * entropy of RFC 7348 §5 / RFC 7637 §3.2), checksum_partial (the inner sum
 * VXLAN over IPv6 needs, RFC 6935), encap_write and decap_parse, for VXLAN
 * and NVGRE over IPv4 and IPv6, 64 flows of 60-byte inner frames.
 *
 * Usage: encap_stages [TSC_HZ] [ITERATIONS]
 * Prints nanoseconds per call and, with TSC_HZ, cycles per call. Timing is
 * clock_gettime(CLOCK_MONOTONIC) around loops of ITERATIONS calls, the best
 * of five repetitions (the machine is shared). Not a test: it asserts
 * nothing about time; it only refuses to run if a function fails.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "encap/checksum.h"
#include "encap/entropy.h"
#include "encap/tunnel.h"

#define FLOWS	  64
#define INNER_LEN 60
#define REPEATS	  5

struct frames {
	uint8_t inner[FLOWS][INNER_LEN];
	uint8_t outer[FLOWS][ENCAP_TEMPLATE_MAX + INNER_LEN];
	uint32_t hash[FLOWS];
	uint32_t sum[FLOWS];
};

static volatile uint32_t sink;

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Inner frame of flow i: Ethernet, IPv4, UDP, zero payload. */
static void make_inner(uint8_t *f, unsigned i)
{
	static const uint8_t head[] = {
		0x02, 0x00, 0x00, 0x20, 0x00, 0x00,		/* dst: remote host */
		0x02, 0x00, 0x00, 0x10, 0x00, 0x00,		/* src: server */
		0x08, 0x00, 0x45, 0x00, 0x00, 46,   0x00, 0x01, /* IPv4, length 46 */
		0x00, 0x00, 0x40, 0x11, 0x00, 0x00, 10,	  10,	/* TTL 64, UDP */
		0x00, 0x00, 10,	  20,	0x00, 0x01,		/* src 10.10.0.i, dst 10.20.0.1 */
		0x04, 0x00, 0x07, 0xd0, 0x00, 26,   0x00, 0x00, /* UDP 1024+i -> 2000 */
	};

	memset(f, 0, INNER_LEN);
	memcpy(f, head, sizeof(head));
	f[5] = (uint8_t)i;
	f[11] = (uint8_t)i;
	f[29] = (uint8_t)i;
	f[35] = (uint8_t)i;
}

static int setup(struct frames *fr, enum tunnel_type type, int family, struct encap_template *tmpl,
		 struct decap_policy *policy)
{
	struct tunnel_params p = {
		.type = type,
		.family = family,
		.src_mac = {0x02, 0x70, 0x63, 0x61, 0x70, 0x00},
		.dst_mac = {0x02, 0x00, 0x00, 0x00, 0x02, 0x02},
		.segment_id = type == TUNNEL_VXLAN ? 10010 : 6001,
		.nvgre_flow_id = true,
	};

	memset(policy, 0, sizeof(*policy));
	policy->vxlan_udp_port = 4789;
	if (family == AF_INET) {
		inet_pton(AF_INET, "10.255.0.1", &p.src.v4);
		inet_pton(AF_INET, "10.255.0.2", &p.dst.v4);
		policy->have_v4 = true;
		policy->local_v4 = p.dst.v4; /* decap what we sent to the peer */
	} else {
		inet_pton(AF_INET6, "2001:db8:255::1", &p.src.v6);
		inet_pton(AF_INET6, "2001:db8:255::2", &p.dst.v6);
		policy->have_v6 = true;
		policy->local_v6 = p.dst.v6;
	}
	if (encap_template_init(tmpl, &p) != 0)
		return -1;
	for (unsigned i = 0; i < FLOWS; i++) {
		make_inner(fr->inner[i], i);
		fr->hash[i] = flow_hash_frame(fr->inner[i], INNER_LEN);
		fr->sum[i] = checksum_partial(fr->inner[i], INNER_LEN, 0);
		memcpy(fr->outer[i] + tmpl->len, fr->inner[i], INNER_LEN);
		if (encap_write(tmpl, fr->outer[i], INNER_LEN, fr->hash[i], 0, fr->sum[i]) < 0)
			return -1;
	}
	return 0;
}

/* Best-of-REPEATS nanoseconds per call of one stage. */
#define TIME_STAGE(result, iterations, body)                                 \
	do {                                                                 \
		double best_ = 1e30;                                         \
		for (int r_ = 0; r_ < REPEATS; r_++) {                       \
			double t0_ = now_ns();                               \
			for (unsigned long k = 0; k < (iterations); k++) {   \
				unsigned i = (unsigned)(k % FLOWS);          \
				body;                                        \
			}                                                    \
			double t_ = (now_ns() - t0_) / (double)(iterations); \
			if (t_ < best_)                                      \
				best_ = t_;                                  \
		}                                                            \
		(result) = best_;                                            \
	} while (0)

int main(int argc, char **argv)
{
	double tsc_hz = argc > 1 ? strtod(argv[1], NULL) : 0;
	unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000000;
	static struct frames fr;
	static const struct {
		const char *name;
		enum tunnel_type type;
		int family;
	} cases[] = {
		{"vxlan/ipv4", TUNNEL_VXLAN, AF_INET},
		{"vxlan/ipv6", TUNNEL_VXLAN, AF_INET6},
		{"nvgre/ipv4", TUNNEL_NVGRE, AF_INET},
		{"nvgre/ipv6", TUNNEL_NVGRE, AF_INET6},
	};

	printf("%-11s %16s %16s %16s %16s\n", "case", "flow_hash_frame", "checksum_partial",
	       "encap_write", "decap_parse");
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct encap_template tmpl;
		struct decap_policy policy;
		struct decap_result res;
		double hash_ns, sum_ns, encap_ns, decap_ns;

		if (setup(&fr, cases[c].type, cases[c].family, &tmpl, &policy) != 0) {
			fprintf(stderr, "encap_stages: %s: setup failed\n", cases[c].name);
			return 1;
		}
		if (decap_parse(fr.outer[0], tmpl.len + INNER_LEN, &policy, &res) != DECAP_OK) {
			fprintf(stderr, "encap_stages: %s: decap_parse refused our own frame\n",
				cases[c].name);
			return 1;
		}
		TIME_STAGE(hash_ns, n, sink += flow_hash_frame(fr.inner[i], INNER_LEN));
		TIME_STAGE(sum_ns, n, sink += checksum_partial(fr.inner[i], INNER_LEN, 0));
		TIME_STAGE(encap_ns, n,
			   sink += (uint32_t)encap_write(&tmpl, fr.outer[i], INNER_LEN, fr.hash[i],
							 0, fr.sum[i]));
		TIME_STAGE(decap_ns, n,
			   sink += decap_parse(fr.outer[i], tmpl.len + INNER_LEN, &policy, &res));
		if (tsc_hz > 0)
			printf("%-11s %9.1f ns %3.0fc %9.1f ns %3.0fc %9.1f ns %3.0fc %9.1f ns "
			       "%3.0fc\n",
			       cases[c].name, hash_ns, hash_ns * tsc_hz / 1e9, sum_ns,
			       sum_ns * tsc_hz / 1e9, encap_ns, encap_ns * tsc_hz / 1e9, decap_ns,
			       decap_ns * tsc_hz / 1e9);
		else
			printf("%-11s %13.1f ns %13.1f ns %13.1f ns %13.1f ns\n", cases[c].name,
			       hash_ns, sum_ns, encap_ns, decap_ns);
	}
	return 0;
}
