/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum (RFC 1071). The sum is accumulated over native-order
 * words, several at a time, and byte-swapped once at the end: RFC 1071 §2(B)
 * shows the one's complement sum is independent of byte order up to that
 * swap. Running sums passed between calls are always in big-endian
 * convention and folded to 16 bits, so callers may add a handful of them in a
 * uint32_t without overflow.
 */
#include <string.h>

#include "encap/checksum.h"

static inline uint32_t checksum_fold(uint64_t sum)
{
	sum = (sum & 0xFFFFFFFF) + (sum >> 32);
	sum = (sum & 0xFFFFFFFF) + (sum >> 32);
	sum = (sum & 0xFFFF) + (sum >> 16);
	sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint32_t)sum;
}

uint32_t checksum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t acc = 0;

	/* Two 32-bit halves per 8 bytes into a 64-bit accumulator: no carry
	 * can be lost below 2^32 iterations. */
	while (len >= 8) {
		uint64_t word;
		memcpy(&word, p, sizeof(word));
		acc += (word & 0xFFFFFFFF) + (word >> 32);
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t word;
		memcpy(&word, p, sizeof(word));
		acc += word;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t word;
		memcpy(&word, p, sizeof(word));
		acc += word;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* An odd last byte is the high byte of a zero-padded word. */
		uint8_t last[2] = {p[0], 0};
		uint16_t word;
		memcpy(&word, last, sizeof(word));
		acc += word;
	}
	uint32_t folded = checksum_fold(acc);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	folded = (uint32_t)__builtin_bswap16((uint16_t)folded);
#endif
	return checksum_fold((uint64_t)folded + sum);
}

uint16_t checksum_finish(uint32_t sum)
{
	return (uint16_t)~checksum_fold(sum);
}

uint16_t checksum_ipv4_header(const void *header, size_t header_len)
{
	return checksum_finish(checksum_partial(header, header_len, 0));
}
