/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segments and their access members, compiled from the configuration:
 *   - per access port, a VID -> member map (VID 0 = untagged);
 *   - a sorted (type, id) index for the decap path (VNI / VSID -> segment).
 * These are fixed while the daemon runs (reload is a later issue), so workers
 * read them without synchronisation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "control/control.h"

static uint32_t *segment_keys; /* sorted (type << 24 | id) */
static uint16_t *segment_key_index;

static uint32_t segment_key(enum conf_segment_type type, uint32_t id)
{
	return ((uint32_t)type << 24) | (id & 0xFFFFFFu);
}

int segment_index_by_id(const struct gw *g, enum conf_segment_type type, uint32_t id)
{
	uint32_t key = segment_key(type, id);
	int lo = 0, hi = (int)g->n_segments - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (segment_keys[mid] == key)
			return segment_key_index[mid];
		if (segment_keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

int member_index(const struct gw *g, uint16_t segment, uint16_t port_id, uint16_t vlan)
{
	const struct gw_segment *s = &g->segments[segment];

	for (uint16_t i = 0; i < s->n_members; i++) {
		const struct gw_member *m = &g->members[s->members[i]];
		if (m->port_id == port_id && m->vlan == vlan)
			return s->members[i];
	}
	return -1;
}

int segments_build(struct gw *g, char *err, size_t err_size)
{
	const struct conf_model *conf = g->conf;
	size_t n_members = 0;

	for (size_t i = 0; i < conf->n_segments; i++)
		n_members += conf->segments[i].n_members;
	g->n_segments = (uint16_t)conf->n_segments;
	g->segments = rte_zmalloc("segments", sizeof(*g->segments) * (conf->n_segments + 1), 0);
	g->members = rte_zmalloc("members", sizeof(*g->members) * (n_members + 1), 0);
	segment_keys = calloc(conf->n_segments + 1, sizeof(*segment_keys));
	segment_key_index = calloc(conf->n_segments + 1, sizeof(*segment_key_index));
	if (g->segments == NULL || g->members == NULL || segment_keys == NULL ||
	    segment_key_index == NULL)
		goto nomem;

	for (uint16_t p = 0; p < GW_MAX_PORTS; p++)
		for (unsigned v = 0; v < GW_VLAN_COUNT; v++)
			g->ports[p].vlan_member[v] = GW_NO_MEMBER;

	g->n_members = 0;
	for (size_t i = 0; i < conf->n_segments; i++) {
		const struct conf_segment *cs = &conf->segments[i];
		struct gw_segment *s = &g->segments[i];

		snprintf(s->name, sizeof(s->name), "%s", cs->name);
		s->type = cs->type;
		s->id = cs->id;
		s->learning = cs->learning;
		s->limit_action = cs->limit_action;
		s->mac_limit = cs->mac_limit ? cs->mac_limit : conf->gateway.mac_limit;
		s->members =
			rte_zmalloc("segment_members", sizeof(uint16_t) * (cs->n_members + 1), 0);
		if (s->members == NULL)
			goto nomem;
		for (size_t j = 0; j < cs->n_members; j++) {
			const struct conf_member *cm = &cs->members[j];
			int port_id = port_id_by_conf_index(g, (int)cm->port);
			struct gw_member *m = &g->members[g->n_members];

			if (port_id < 0 || g->ports[port_id].kind != GW_PORT_ACCESS) {
				snprintf(
					err, err_size,
					"%s:%d: segment %s: member port is not an open access port",
					conf->source, cm->line, cs->name);
				return -EINVAL;
			}
			if (g->ports[port_id].vlan_member[cm->vlan] != GW_NO_MEMBER) {
				snprintf(err, err_size, "%s:%d: port %s VLAN %u is in two segments",
					 conf->source, cm->line, conf->ports[cm->port].name,
					 cm->vlan);
				return -EINVAL;
			}
			m->segment = (uint16_t)i;
			m->port_id = (uint16_t)port_id;
			m->vlan = cm->vlan;
			g->ports[port_id].vlan_member[cm->vlan] = g->n_members;
			s->members[s->n_members++] = g->n_members;
			g->n_members++;
		}
		segment_keys[i] = segment_key(cs->type, cs->id);
		segment_key_index[i] = (uint16_t)i;
	}
	/* insertion sort: a handful of segments */
	for (size_t i = 1; i < conf->n_segments; i++) {
		for (size_t j = i; j > 0 && segment_keys[j - 1] > segment_keys[j]; j--) {
			uint32_t k = segment_keys[j];
			uint16_t x = segment_key_index[j];
			segment_keys[j] = segment_keys[j - 1];
			segment_key_index[j] = segment_key_index[j - 1];
			segment_keys[j - 1] = k;
			segment_key_index[j - 1] = x;
		}
	}
	return 0;
nomem:
	snprintf(err, err_size, "cannot allocate segment tables");
	return -ENOMEM;
}

void segments_free(struct gw *g)
{
	for (uint16_t i = 0; g->segments != NULL && i < g->n_segments; i++) {
		rte_free(g->segments[i].members);
		rte_free(g->segments[i].flood);
	}
	rte_free(g->segments);
	rte_free(g->members);
	free(segment_keys);
	free(segment_key_index);
	g->segments = NULL;
	g->members = NULL;
	segment_keys = NULL;
	segment_key_index = NULL;
}
