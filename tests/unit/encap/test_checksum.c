/* SPDX-License-Identifier: BSD-3-Clause */
/* Internet checksum against a plain word-by-word reference (RFC 1071 §4.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "encap/checksum.h"

/* The slowest obviously right way: 16-bit big-endian words, end-around carry. */
static uint16_t reference_checksum(const uint8_t *buf, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2) {
		sum += (uint32_t)(buf[i] << 8 | buf[i + 1]);
	}
	if (len & 1) {
		sum += (uint32_t)buf[len - 1] << 8;
	}
	while (sum >> 16) {
		sum = (sum & 0xFFFF) + (sum >> 16);
	}
	return (uint16_t)~sum;
}

static void fill_random(uint8_t *buf, size_t len, unsigned seed)
{
	srand(seed);
	for (size_t i = 0; i < len; i++) {
		buf[i] = (uint8_t)rand();
	}
}

static void test_matches_reference_every_length(void **state)
{
	(void)state;
	uint8_t buf[300];

	for (size_t len = 0; len <= sizeof(buf); len++) {
		fill_random(buf, len, (unsigned)len);
		/* Misaligned starts too: the IP header after Ethernet is at 14. */
		for (size_t start = 0; start < 3 && start <= len; start++) {
			assert_int_equal(
				checksum_finish(checksum_partial(buf + start, len - start, 0)),
				reference_checksum(buf + start, len - start));
		}
	}
}

static void test_fragments_at_even_offsets_add_up(void **state)
{
	(void)state;
	uint8_t buf[257];

	fill_random(buf, sizeof(buf), 7);
	uint16_t whole = reference_checksum(buf, sizeof(buf));
	for (size_t split = 0; split <= sizeof(buf); split += 2) {
		uint32_t sum = checksum_partial(buf, split, 0);
		sum = checksum_partial(buf + split, sizeof(buf) - split, sum);
		assert_int_equal(checksum_finish(sum), whole);
	}
}

static void test_all_ones_does_not_overflow(void **state)
{
	(void)state;
	static uint8_t buf[65536];

	for (size_t i = 0; i < sizeof(buf); i++) {
		buf[i] = 0xFF;
	}
	assert_int_equal(checksum_finish(checksum_partial(buf, sizeof(buf), 0xFFFF)),
			 reference_checksum(buf, sizeof(buf)));
}

static void test_ipv4_header_valid_is_zero(void **state)
{
	(void)state;
	/* A header with its checksum filled in, as any host would send it. */
	uint8_t header[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			      0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	uint16_t checksum = checksum_ipv4_header(header, sizeof(header));
	header[10] = (uint8_t)(checksum >> 8);
	header[11] = (uint8_t)checksum;
	assert_int_equal(checksum, 0xb861);
	assert_int_equal(checksum_ipv4_header(header, sizeof(header)), 0);
	header[8] = 0x3f; /* one hop later, without fixing the checksum */
	assert_int_not_equal(checksum_ipv4_header(header, sizeof(header)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_reference_every_length),
		cmocka_unit_test(test_fragments_at_even_offsets_add_up),
		cmocka_unit_test(test_all_ones_does_not_overflow),
		cmocka_unit_test(test_ipv4_header_valid_is_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
