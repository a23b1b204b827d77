/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Source learning. A known source at the same place only refreshes its hit
 * stamp (one store, and only when the clock moved, to keep the cache line
 * clean). A new or moved source is reported to the control thread through
 * the learn ring; the control thread updates the table (RCU) and LMDB. At
 * the segment's MAC limit a new source is not reported, and its frame is
 * flooded or dropped per configuration.
 */
#include <string.h>

#include <rte_hash.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "datapath/datapath.h"

bool l2_learn(struct dp_ctx *ctx, uint16_t segment, const struct rte_ether_addr *src, uint64_t dest,
	      const struct conf_ip *vtep_address)
{
	struct gw_fdb_key key;
	struct gw_learn learn;
	void *data;
	int pos;

	if (rte_is_multicast_ether_addr(src) || rte_is_zero_ether_addr(src))
		return true; /* never a source to learn */
	key.segment = segment;
	memcpy(key.mac, src->addr_bytes, 6);
	pos = rte_hash_lookup_data(gw.fdb, &key, &data);
	if (pos >= 0) {
		uint64_t current = (uint64_t)(uintptr_t)data;
		uint32_t clock = gw.clock;
		if ((current & GW_DEST_MASK) == dest || (current & GW_DEST_STATIC)) {
			if (gw.fdb_hit[pos] != clock)
				gw.fdb_hit[pos] = clock;
			return true;
		}
		/* a move: report it (counted by the control thread) */
	} else if (gw.segments[segment].at_limit) {
		if (gw.segments[segment].limit_action == CONF_LIMIT_DROP)
			return false;
		ctx->counters->mac_limit_flooded++;
		return true;
	}
	memset(&learn, 0, sizeof(learn));
	learn.key = key;
	learn.dest = dest;
	if (vtep_address != NULL)
		learn.vtep = *vtep_address;
	if (rte_ring_mp_enqueue_elem(gw.learn_ring, &learn, sizeof(learn)) != 0)
		ctx->counters->drops[GW_DROP_LEARN_RING_FULL]++;
	return true;
}
