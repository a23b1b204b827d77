/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MAC table (FDB). Workers read it through a lock-free rte_hash
 * ((segment, MAC) -> destination packed in the data word) and never write
 * it: they report new sources and moves through `learn_ring`, and mark the
 * entries they see in `fdb_hit[position]` (a plain store of the current
 * clock, no lock) so that aging knows what is still alive.
 * The control thread applies learning, counts moves, enforces the
 * per-segment limit, ages entries and hands every change to store_sync for
 * batched LMDB writes. Deleted hash slots are reclaimed after an RCU grace
 * period (rte_hash's QSBR defer queue), so a reader never sees a reused slot.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "control/control.h"

struct fdb_shadow {
	bool used;
	uint8_t origin;
	struct gw_fdb_key key;
	uint64_t dest;
	uint32_t last_seen; /* gw.clock */
};

static struct fdb_shadow *shadow;
static uint32_t shadow_size;

int fdb_init(struct gw *g)
{
	struct rte_hash_parameters params = {
		.name = "fdb",
		.entries = GW_FDB_CAPACITY,
		.key_len = sizeof(struct gw_fdb_key),
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct rte_hash_rcu_config rcu = {
		.v = g->qsbr,
		.mode = RTE_HASH_QSBR_MODE_DQ,
	};

	g->fdb = rte_hash_create(&params);
	if (g->fdb == NULL)
		return -rte_errno;
	if (rte_hash_rcu_qsbr_add(g->fdb, &rcu) != 0)
		goto err;
	shadow_size = (uint32_t)rte_hash_max_key_id(g->fdb) + 1;
	shadow = rte_zmalloc("fdb_shadow", sizeof(*shadow) * shadow_size, 0);
	g->fdb_hit = rte_zmalloc("fdb_hit", sizeof(uint32_t) * shadow_size, RTE_CACHE_LINE_SIZE);
	if (shadow == NULL || g->fdb_hit == NULL)
		goto err;
	return 0;
err:
	fdb_free(g);
	return -ENOMEM;
}

void fdb_free(struct gw *g)
{
	rte_hash_free(g->fdb);
	rte_free(shadow);
	rte_free(g->fdb_hit);
	g->fdb = NULL;
	g->fdb_hit = NULL;
	shadow = NULL;
}

static void segment_limit_update(struct gw_segment *s)
{
	s->at_limit = s->mac_limit != 0 && s->n_macs >= s->mac_limit;
}

int fdb_set(struct gw *g, const struct gw_fdb_key *key, uint64_t dest, enum fdb_origin_kind origin,
	    uint64_t last_seen_epoch)
{
	struct gw_segment *s;
	void *data;
	int pos, ret;

	if (key->segment >= g->n_segments)
		return -EINVAL;
	s = &g->segments[key->segment];
	pos = rte_hash_lookup_data(g->fdb, key, &data);
	if (pos >= 0 && (uint32_t)pos < shadow_size && shadow[pos].used) {
		struct fdb_shadow *e = &shadow[pos];
		if (e->origin == FDB_ORIGIN_STATIC && origin != FDB_ORIGIN_STATIC)
			return -EPERM; /* configured MACs do not move */
		e->last_seen = g->clock;
		if (e->dest == dest && e->origin == origin)
			return 0;
		if (e->dest != dest)
			s->moves++;
		telemetry_lock();
		ret = rte_hash_add_key_data(
			g->fdb, key,
			(void *)(uintptr_t)(dest |
					    (origin == FDB_ORIGIN_STATIC ? GW_DEST_STATIC : 0)));
		if (ret == 0) {
			e->dest = dest;
			e->origin = (uint8_t)origin;
		}
		telemetry_unlock();
		if (ret == 0 && origin != FDB_ORIGIN_EVPN)
			store_sync_fdb_put(g, key, dest, origin, last_seen_epoch);
		return ret;
	}
	if (origin == FDB_ORIGIN_LEARNED && s->at_limit)
		return -ENOSPC;
	telemetry_lock();
	ret = rte_hash_add_key_data(
		g->fdb, key,
		(void *)(uintptr_t)(dest | (origin == FDB_ORIGIN_STATIC ? GW_DEST_STATIC : 0)));
	if (ret == 0)
		pos = rte_hash_lookup(g->fdb, key);
	if (ret == 0 && pos >= 0 && (uint32_t)pos < shadow_size) {
		shadow[pos].used = true;
		shadow[pos].key = *key;
		shadow[pos].dest = dest;
		shadow[pos].origin = (uint8_t)origin;
		shadow[pos].last_seen = g->clock;
		g->fdb_hit[pos] = 0;
		s->n_macs++;
		segment_limit_update(s);
	}
	telemetry_unlock();
	if (ret == 0 && origin != FDB_ORIGIN_EVPN)
		store_sync_fdb_put(g, key, dest, origin, last_seen_epoch);
	return ret;
}

static void fdb_delete_position(struct gw *g, uint32_t pos)
{
	struct fdb_shadow *e = &shadow[pos];
	struct gw_segment *s = &g->segments[e->key.segment];

	telemetry_lock();
	rte_hash_del_key(g->fdb, &e->key);
	e->used = false;
	if (s->n_macs > 0)
		s->n_macs--;
	segment_limit_update(s);
	telemetry_unlock();
	store_sync_fdb_del(g, &e->key);
}

unsigned fdb_drain_learn_ring(struct gw *g)
{
	struct gw_learn batch[64];
	unsigned n, total = 0;

	while ((n = rte_ring_dequeue_burst_elem(g->learn_ring, batch, sizeof(batch[0]), 64, NULL)) >
	       0) {
		for (unsigned i = 0; i < n; i++) {
			uint64_t dest = batch[i].dest;
			if (GW_DEST_KIND(dest) == GW_DEST_VTEP &&
			    GW_DEST_INDEX(dest) == UINT32_MAX) {
				int v = vtep_get_or_add(g, &batch[i].vtep);
				if (v < 0)
					continue;
				dest = GW_DEST(GW_DEST_VTEP, v);
			}
			fdb_set(g, &batch[i].key, dest, FDB_ORIGIN_LEARNED, (uint64_t)time(NULL));
		}
		total += n;
	}
	return total;
}

void fdb_age(struct gw *g)
{
	uint32_t aging = g->conf->gateway.mac_aging;

	for (uint32_t pos = 0; pos < shadow_size; pos++) {
		struct fdb_shadow *e = &shadow[pos];
		uint32_t hit;

		if (!e->used || e->origin != FDB_ORIGIN_LEARNED)
			continue;
		hit = __atomic_load_n(&g->fdb_hit[pos], __ATOMIC_RELAXED);
		if (hit > e->last_seen)
			e->last_seen = hit;
		if (aging != 0 && g->clock - e->last_seen > aging)
			fdb_delete_position(g, pos);
	}
}

int fdb_walk(struct gw *g, fdb_walk_cb cb, void *arg)
{
	for (uint32_t pos = 0; shadow != NULL && pos < shadow_size; pos++) {
		const struct fdb_shadow *e = &shadow[pos];
		struct fdb_view view;
		uint32_t last, hit;
		int ret;

		if (!e->used)
			continue;
		hit = g->fdb_hit[pos];
		last = hit > e->last_seen ? hit : e->last_seen;
		view.key = e->key;
		view.dest = e->dest;
		view.origin = e->origin;
		view.age = g->clock > last ? g->clock - last : 0;
		ret = cb(&view, arg);
		if (ret != 0)
			return ret;
	}
	return 0;
}

int fdb_static_from_config(struct gw *g, char *err, size_t err_size)
{
	const struct conf_model *conf = g->conf;

	for (uint16_t i = 0; i < g->n_segments; i++) {
		const struct conf_segment *cs = &conf->segments[i];
		for (size_t j = 0; j < cs->n_static_macs; j++) {
			const struct conf_static_mac *sm = &cs->static_macs[j];
			struct gw_fdb_key key = {.segment = i};
			uint64_t dest;
			int ret;

			memcpy(key.mac, sm->mac, 6);
			if (sm->remote) {
				int v = vtep_get_or_add(g, &sm->vtep);
				if (v < 0) {
					snprintf(err, err_size, "%s:%d: static MAC: %s",
						 conf->source, sm->line, strerror(-v));
					return v;
				}
				dest = GW_DEST(GW_DEST_VTEP, v);
			} else {
				if (sm->member >= g->segments[i].n_members) {
					snprintf(err, err_size, "%s:%d: static MAC: no such member",
						 conf->source, sm->line);
					return -EINVAL;
				}
				dest = GW_DEST(GW_DEST_MEMBER, g->segments[i].members[sm->member]);
			}
			ret = fdb_set(g, &key, dest, FDB_ORIGIN_STATIC, (uint64_t)time(NULL));
			if (ret < 0) {
				snprintf(err, err_size, "%s:%d: static MAC: %s", conf->source,
					 sm->line, strerror(-ret));
				return ret;
			}
		}
	}
	return 0;
}
