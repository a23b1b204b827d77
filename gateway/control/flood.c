/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flood lists: for each segment, the remote VTEPs that get one copy of every
 * broadcast, unknown-unicast and multicast frame (head-end replication,
 * RFC 7348 §4.2 without multicast underlay; RFC 8365 §9 with EVPN type-3).
 * Built from the static lists of the configuration at start.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_malloc.h>

#include "control/control.h"

int flood_build(struct gw *g, char *err, size_t err_size)
{
	const struct conf_model *conf = g->conf;

	for (uint16_t i = 0; i < g->n_segments; i++) {
		const struct conf_segment *cs = &conf->segments[i];
		struct gw_segment *s = &g->segments[i];

		s->flood = rte_zmalloc("flood", sizeof(uint16_t) * (cs->n_flood + 1), 0);
		if (s->flood == NULL) {
			snprintf(err, err_size, "cannot allocate flood lists");
			return -ENOMEM;
		}
		for (size_t j = 0; j < cs->n_flood; j++) {
			int v = vtep_get_or_add(g, &cs->flood[j]);
			if (v < 0) {
				snprintf(err, err_size,
					 "%s:%d: segment %s: cannot add flood VTEP: %s",
					 conf->source, cs->line, cs->name, strerror(-v));
				return v;
			}
			g->vteps[v].static_flood = true;
			s->flood[s->n_flood++] = (uint16_t)v;
		}
	}
	return 0;
}
