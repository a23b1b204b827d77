/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flood lists: for each segment, the remote VTEPs that get one copy of every
 * broadcast, unknown-unicast and multicast frame (head-end replication,
 * RFC 7348 §4.2 without multicast underlay; RFC 8365 §9 with EVPN type-3).
 * Built from the static lists of the configuration at start; EVPN segments
 * change theirs at run time through flood_list_add/remove (control/evpn.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "control/control.h"

static struct gw_flood_list *flood_list_alloc(uint16_t n)
{
	struct gw_flood_list *list =
		rte_zmalloc("flood", sizeof(*list) + sizeof(list->vteps[0]) * n, 0);
	if (list != NULL)
		list->n = n;
	return list;
}

/* Publish `list` as the segment's flood list and free the previous one once
 * no worker can still be walking it. The telemetry lock keeps the telemetry
 * thread, which reads the list too, off the pointer while it changes. */
static void flood_list_publish(struct gw *g, struct gw_segment *s, struct gw_flood_list *list)
{
	struct gw_flood_list *old;

	telemetry_lock();
	old = s->flood;
	__atomic_store_n(&s->flood, list, __ATOMIC_RELEASE);
	telemetry_unlock();
	rcu_synchronize(g);
	rte_free(old);
}

bool flood_list_contains(const struct gw_segment *s, uint16_t vtep)
{
	for (uint16_t i = 0; s->flood != NULL && i < s->flood->n; i++) {
		if (s->flood->vteps[i] == vtep)
			return true;
	}
	return false;
}

int flood_list_add(struct gw *g, uint16_t segment, uint16_t vtep)
{
	struct gw_segment *s = &g->segments[segment];
	uint16_t n = s->flood != NULL ? s->flood->n : 0;
	struct gw_flood_list *list;

	if (flood_list_contains(s, vtep))
		return -EEXIST;
	if (n >= GW_MAX_VTEPS)
		return -ENOSPC;
	list = flood_list_alloc((uint16_t)(n + 1));
	if (list == NULL)
		return -ENOMEM;
	if (n > 0)
		memcpy(list->vteps, s->flood->vteps, sizeof(list->vteps[0]) * n);
	list->vteps[n] = vtep;
	flood_list_publish(g, s, list);
	return 0;
}

int flood_list_remove(struct gw *g, uint16_t segment, uint16_t vtep)
{
	struct gw_segment *s = &g->segments[segment];
	struct gw_flood_list *list;
	uint16_t kept = 0;

	if (!flood_list_contains(s, vtep))
		return -ENOENT;
	list = flood_list_alloc((uint16_t)(s->flood->n - 1));
	if (list == NULL)
		return -ENOMEM;
	for (uint16_t i = 0; i < s->flood->n; i++) {
		if (s->flood->vteps[i] != vtep)
			list->vteps[kept++] = s->flood->vteps[i];
	}
	flood_list_publish(g, s, list);
	return 0;
}

void flood_free(struct gw *g)
{
	for (uint16_t i = 0; g->segments != NULL && i < g->n_segments; i++) {
		rte_free(g->segments[i].flood);
		g->segments[i].flood = NULL;
	}
}

int flood_build(struct gw *g, char *err, size_t err_size)
{
	const struct conf_model *conf = g->conf;

	for (uint16_t i = 0; i < g->n_segments; i++) {
		const struct conf_segment *cs = &conf->segments[i];
		struct gw_segment *s = &g->segments[i];

		/* Before the workers run: no grace period needed. */
		s->flood = flood_list_alloc((uint16_t)cs->n_flood);
		if (s->flood == NULL) {
			snprintf(err, err_size, "cannot allocate flood lists");
			return -ENOMEM;
		}
		for (size_t j = 0; j < cs->n_flood; j++) {
			int v = vtep_static_acquire(g, &cs->flood[j]);
			if (v < 0) {
				snprintf(err, err_size,
					 "%s:%d: segment %s: cannot add flood VTEP: %s",
					 conf->source, cs->line, cs->name, strerror(-v));
				return v;
			}
			g->vteps[v].static_flood = true;
			s->flood->vteps[j] = (uint16_t)v;
		}
	}
	return 0;
}
