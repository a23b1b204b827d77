/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LMDB synchronisation. Only the control thread writes LMDB. FDB changes
 * are queued here and committed in batches (one transaction per batch,
 * store_fdb_put_batch / store_fdb_del_batch): when a batch fills up, every
 * second from the control loop, and at shutdown. At start the segments and
 * flood lists of the configuration are written, and learned MACs are
 * restored (configured MACs come from the configuration, EVPN MACs from FRR).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "control/control.h"

#define STORE_BATCH 256

static struct store *store;
static struct store_fdb_record put_batch[STORE_BATCH];
static size_t n_put;
static struct store_fdb_record del_batch[STORE_BATCH];
static size_t n_del;
static bool restoring;

int store_sync_open(struct gw *g, char *err, size_t err_size)
{
	const struct conf_gateway *c = &g->conf->gateway;
	char msg[256] = "";
	int ret = store_open(&store, c->lmdb_path, c->lmdb_map_size, false, msg, sizeof(msg));

	if (ret < 0) {
		snprintf(err, err_size, "cannot open LMDB at %s: %s", c->lmdb_path,
			 msg[0] ? msg : strerror(-ret));
		store = NULL;
	}
	return ret;
}

void store_sync_close(struct gw *g)
{
	(void)g;
	if (store != NULL)
		store_close(store);
	store = NULL;
}

static void record_fill(struct gw *g, const struct gw_fdb_key *key, uint64_t dest,
			enum fdb_origin_kind origin, uint64_t last_seen, struct store_fdb_record *r)
{
	const struct gw_segment *s = &g->segments[key->segment];

	memset(r, 0, sizeof(*r));
	r->segment.type = (uint8_t)s->type;
	r->segment.id = s->id;
	memcpy(r->mac, key->mac, 6);
	r->entry.origin = (uint8_t)origin;
	r->entry.last_seen = last_seen;
	if (GW_DEST_KIND(dest) == GW_DEST_MEMBER) {
		const struct gw_member *m = &g->members[GW_DEST_INDEX(dest)];
		snprintf(r->entry.port, sizeof(r->entry.port), "%s", g->ports[m->port_id].name);
		r->entry.vlan = m->vlan;
	} else {
		r->entry.remote = true;
		r->entry.vtep = g->vteps[GW_DEST_INDEX(dest)].address;
	}
}

int store_sync_flush(struct gw *g)
{
	int ret = 0, r;

	(void)g;
	if (store == NULL)
		return 0;
	if (n_put > 0) {
		r = store_fdb_put_batch(store, put_batch, n_put);
		if (r < 0) {
			GW_LOG(WARNING, "LMDB: cannot write %zu FDB entries: %s", n_put,
			       strerror(-r));
			ret = r;
		}
		n_put = 0;
	}
	if (n_del > 0) {
		r = store_fdb_del_batch(store, del_batch, n_del);
		if (r < 0 && r != -ENOENT) {
			GW_LOG(WARNING, "LMDB: cannot delete %zu FDB entries: %s", n_del,
			       strerror(-r));
			ret = r;
		}
		n_del = 0;
	}
	return ret;
}

void store_sync_fdb_put(struct gw *g, const struct gw_fdb_key *key, uint64_t dest,
			enum fdb_origin_kind origin, uint64_t last_seen_epoch)
{
	if (store == NULL || restoring)
		return;
	if (n_put == STORE_BATCH)
		store_sync_flush(g);
	record_fill(g, key, dest, origin, last_seen_epoch, &put_batch[n_put++]);
}

void store_sync_fdb_del(struct gw *g, const struct gw_fdb_key *key)
{
	struct store_fdb_record *r;

	if (store == NULL)
		return;
	/* a pending put of the same MAC must not resurrect it */
	for (size_t i = 0; i < n_put; i++) {
		if (put_batch[i].segment.id == g->segments[key->segment].id &&
		    put_batch[i].segment.type == g->segments[key->segment].type &&
		    memcmp(put_batch[i].mac, key->mac, 6) == 0)
			put_batch[i] = put_batch[--n_put], i--;
	}
	if (n_del == STORE_BATCH)
		store_sync_flush(g);
	r = &del_batch[n_del++];
	memset(r, 0, sizeof(*r));
	r->segment.type = (uint8_t)g->segments[key->segment].type;
	r->segment.id = g->segments[key->segment].id;
	memcpy(r->mac, key->mac, 6);
}

static int restore_one(const struct store_fdb_record *r, void *arg)
{
	struct gw *g = arg;
	struct gw_fdb_key key;
	uint64_t dest;
	int seg;

	if (r->entry.origin != STORE_FDB_LEARNED)
		return 0;
	seg = segment_index_by_id(g, (enum conf_segment_type)r->segment.type, r->segment.id);
	if (seg < 0)
		return 0; /* segment no longer configured */
	key.segment = (uint16_t)seg;
	memcpy(key.mac, r->mac, 6);
	if (r->entry.remote) {
		int v = vtep_get_or_add(g, &r->entry.vtep);
		if (v < 0)
			return 0;
		dest = GW_DEST(GW_DEST_VTEP, v);
	} else {
		const struct conf_port *cp = conf_port_by_name(g->conf, r->entry.port);
		int port_id, member;
		if (cp == NULL)
			return 0;
		port_id = port_id_by_conf_index(g, (int)(cp - g->conf->ports));
		if (port_id < 0)
			return 0;
		member = member_index(g, (uint16_t)seg, (uint16_t)port_id, r->entry.vlan);
		if (member < 0)
			return 0;
		dest = GW_DEST(GW_DEST_MEMBER, member);
	}
	/* A restored entry gets a fresh aging period: the time the daemon was
	 * down says nothing about whether the host is still there. */
	fdb_set(g, &key, dest, FDB_ORIGIN_LEARNED, r->entry.last_seen);
	return 0;
}

int store_sync_restore(struct gw *g)
{
	const struct conf_model *conf = g->conf;
	unsigned before = 0, after = 0;
	int ret;

	if (store == NULL)
		return 0;
	for (uint16_t i = 0; i < g->n_segments; i++) {
		const struct conf_segment *cs = &conf->segments[i];
		struct store_segment_key key = {.type = (uint8_t)cs->type, .id = cs->id};
		struct store_segment seg;
		memset(&seg, 0, sizeof(seg));
		snprintf(seg.name, sizeof(seg.name), "%s", cs->name);
		seg.learning = (uint8_t)cs->learning;
		seg.mac_limit = g->segments[i].mac_limit;
		store_segment_put(store, &key, &seg);
		for (size_t j = 0; j < cs->n_flood; j++)
			store_flood_put(store, &key, &cs->flood[j], STORE_FLOOD_STATIC);
	}
	for (uint16_t i = 0; i < g->n_segments; i++)
		before += g->segments[i].n_macs;
	restoring = true;
	ret = store_fdb_foreach(store, NULL, restore_one, g);
	restoring = false;
	for (uint16_t i = 0; i < g->n_segments; i++)
		after += g->segments[i].n_macs;
	GW_LOG(NOTICE, "restored %u learned MAC(s) from LMDB", after - before);
	return ret;
}

static int put_learned(const struct fdb_view *view, void *arg)
{
	struct gw *g = arg;

	if (view->origin == FDB_ORIGIN_LEARNED || view->origin == FDB_ORIGIN_STATIC)
		store_sync_fdb_put(g, &view->key, view->dest, view->origin,
				   (uint64_t)time(NULL) - view->age);
	return 0;
}

int store_sync_all_fdb(struct gw *g)
{
	if (store == NULL)
		return 0;
	store_sync_flush(g);
	fdb_walk(g, put_learned, g);
	return store_sync_flush(g);
}
