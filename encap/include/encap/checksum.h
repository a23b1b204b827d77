/* SPDX-License-Identifier: BSD-3-Clause */
/* Internet checksum (RFC 1071) helpers, usable across buffer fragments. */
#ifndef VTEPGW_ENCAP_CHECKSUM_H
#define VTEPGW_ENCAP_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add `len` bytes at `buf` to a running 32-bit one's complement sum.
 * Fragments must be fed at even offsets except the last one. */
uint32_t checksum_partial(const void *buf, size_t len, uint32_t sum);

/* Fold a running sum to 16 bits and complement it (network byte order value
 * ready to store with a big-endian write). */
uint16_t checksum_finish(uint32_t sum);

/* Checksum of an IPv4 header (RFC 791), the stored checksum field included:
 * 0 means valid. */
uint16_t checksum_ipv4_header(const void *header, size_t header_len);

#endif
