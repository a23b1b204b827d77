/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 6040 ECN handling for tunnels, and DSCP of the outer header. */
#ifndef VTEPGW_ENCAP_ECN_H
#define VTEPGW_ENCAP_ECN_H

#include <stddef.h>
#include <stdint.h>

#include "encap/tunnel.h"

#define ECN_NOT_ECT 0x0
#define ECN_ECT1    0x1
#define ECN_ECT0    0x2
#define ECN_CE	    0x3

/* Outer TOS / traffic class byte for an inner TOS byte (RFC 6040 §4.1). */
uint8_t ecn_encap_tos(uint8_t inner_tos, enum ecn_mode ecn_mode, enum dscp_mode dscp_mode,
		      uint8_t dscp);

/* RFC 6040 §4.2 decapsulation table. Returns the new inner ECN field (0..3),
 * or -1 when the combination must be dropped (outer CE, inner Not-ECT). */
int ecn_decap(uint8_t outer_ecn, uint8_t inner_ecn);

/* TOS / traffic class of the IP packet inside an Ethernet frame (after at
 * most one 802.1Q tag); 0 when the frame is not IP or is too short. */
uint8_t frame_inner_tos(const uint8_t *frame, size_t len);

/* Apply ecn_decap() to the IP header inside `frame` in place, fixing the IPv4
 * header checksum incrementally. Returns 0, or -1 when the frame must be
 * dropped. Non-IP frames are left alone and return 0. */
int ecn_decap_frame(uint8_t *frame, size_t len, uint8_t outer_tos);

#endif
