/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IEEE 802.1Q tags on plain byte buffers. Access ports carry untagged or
 * tagged frames while the overlay carries them untagged (RFC 7348 §6.1,
 * RFC 7637 §3.3), so a frame is popped on its way in and pushed or retagged
 * on its way out. The tag sits after the two MAC addresses: push and pop move
 * those 12 bytes by 4 instead of moving the payload, which is why push needs
 * 4 bytes of headroom in front of the frame (an mbuf has them).
 */
#ifndef VTEPGW_ENCAP_VLAN_H
#define VTEPGW_ENCAP_VLAN_H

#include <stddef.h>
#include <stdint.h>

#define VLAN_TAG_LEN 4

/* Tag control information (PCP | DEI | VID) of a frame carrying an 802.1Q
 * C-tag, or -1 when it carries none (or is too short to hold one). */
int vlan_frame_tci(const uint8_t *frame, size_t len);

/* Insert a C-tag with `tci` after the MAC addresses. The 4 bytes before
 * `frame` must be writable. Returns the new start of the frame (frame - 4),
 * now len + 4 bytes long, or NULL when len is below an Ethernet header. */
uint8_t *vlan_push(uint8_t *frame, size_t len, uint16_t tci);

/* Remove the outermost C-tag. Stores its TCI in *tci and returns the new
 * start (frame + 4), now len - 4 bytes long; returns NULL and leaves the
 * frame alone when it carries no C-tag. */
uint8_t *vlan_pop(uint8_t *frame, size_t len, uint16_t *tci);

/* Replace the TCI of a tagged frame in place. Returns 0, or -EINVAL when the
 * frame carries no C-tag. */
int vlan_retag(uint8_t *frame, size_t len, uint16_t tci);

#endif
