/* SPDX-License-Identifier: BSD-3-Clause */
/* IEEE 802.1Q push / pop / retag on byte buffers. */
#include <errno.h>
#include <string.h>

#include "encap/vlan.h"
#include "encap/wire.h"

#define VLAN_MACS_LEN (2 * WIRE_ETHER_ADDR_LEN)

int vlan_frame_tci(const uint8_t *frame, size_t len)
{
	if (len < sizeof(struct wire_ethernet) + VLAN_TAG_LEN ||
	    wire_load_be16(frame + VLAN_MACS_LEN) != WIRE_ETHERTYPE_VLAN) {
		return -1;
	}
	return wire_load_be16(frame + VLAN_MACS_LEN + 2);
}

uint8_t *vlan_push(uint8_t *frame, size_t len, uint16_t tci)
{
	if (len < sizeof(struct wire_ethernet)) {
		return NULL;
	}
	uint8_t *start = frame - VLAN_TAG_LEN;
	memmove(start, frame, VLAN_MACS_LEN);
	wire_store_be16(start + VLAN_MACS_LEN, WIRE_ETHERTYPE_VLAN);
	wire_store_be16(start + VLAN_MACS_LEN + 2, tci);
	return start;
}

uint8_t *vlan_pop(uint8_t *frame, size_t len, uint16_t *tci)
{
	int found = vlan_frame_tci(frame, len);

	if (found < 0) {
		return NULL;
	}
	*tci = (uint16_t)found;
	memmove(frame + VLAN_TAG_LEN, frame, VLAN_MACS_LEN);
	return frame + VLAN_TAG_LEN;
}

int vlan_retag(uint8_t *frame, size_t len, uint16_t tci)
{
	if (vlan_frame_tci(frame, len) < 0) {
		return -EINVAL;
	}
	wire_store_be16(frame + VLAN_MACS_LEN + 2, tci);
	return 0;
}
