/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow entropy for the outer headers: the VXLAN UDP source port (RFC 7348 §5)
 * and the NVGRE FlowID (RFC 7637 §3.2) come from a hash of the inner flow, so
 * the underlay's ECMP spreads flows while keeping each flow on one path.
 */
#ifndef VTEPGW_ENCAP_ENTROPY_H
#define VTEPGW_ENCAP_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

/* Hash of the inner Ethernet frame: MAC addresses and EtherType, and for
 * IPv4/IPv6 the addresses and protocol, and for TCP/UDP/SCTP the ports (not
 * for fragments). Looks past one 802.1Q tag. Never reads past `len`. */
uint32_t flow_hash_frame(const uint8_t *frame, size_t len);

/* Map a hash into [min, max] (inclusive). */
uint16_t entropy_udp_port(uint32_t flow_hash, uint16_t min, uint16_t max);

/* 8-bit NVGRE FlowID from a hash. */
uint8_t entropy_flow_id(uint32_t flow_hash);

#endif
