/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BGP EVPN for learning = "evpn" segments: the gateway's side of
 * routing/evpn_shadow.h. What zebra writes into the shadow vxlan netdevs
 * (remote MACs, flood VTEPs) becomes FDB entries and flood-list entries of
 * origin EVPN; what the fast path learns on access ports is written into the
 * shadow bridges for zebra to advertise. See docs/evpn.md, "The gateway".
 *
 * Flood lists of EVPN segments change while the workers run: each change
 * publishes a new list and frees the old one after an RCU grace period
 * (control/flood.c), so a worker always replicates to one consistent list.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_telemetry.h>

#include "control/control.h"
#include "control/evpn.h"
#include "routing/evpn_shadow.h"
#include "routing/frr_conf.h"
#include "routing/netlink_mirror.h"

#define EVPN_FRR_CHECK_MS 5000 /* zebra-only restart detection */

/* Refusals and oddities, each counted (STYLE.md rule 4). */
struct evpn_counters {
	uint64_t remote_installed;    /* type-2 -> FDB entry (new or moved) */
	uint64_t remote_withdrawn;    /* FDB entry removed on withdrawal */
	uint64_t remote_refused;      /* fdb_set refused (a configured MAC, table full) */
	uint64_t flood_added;	      /* type-3 -> flood list */
	uint64_t flood_removed;	      /* flood-list entry removed on withdrawal */
	uint64_t unknown_vni;	      /* callback for a VNI that is not an EVPN segment */
	uint64_t vtep_refused;	      /* VTEP table full or bad address */
	uint64_t local_lost;	      /* local MAC taken over by a remote VTEP */
	uint64_t local_errors;	      /* evpn_shadow_local_add/del failed */
	uint64_t frr_recoveries;      /* advertise-all-vni toggled */
	uint64_t frr_check_errors;    /* vtysh failed */
	uint64_t restored_remote;     /* EVPN FDB entries restored from LMDB */
	uint64_t restored_flood;      /* EVPN flood entries restored from LMDB */
	uint64_t frr_config_applied;  /* frr.conf written (and reloaded when FRR ran) */
	uint64_t frr_config_failures; /* rendering, writing or reloading failed */
};

static struct {
	struct gw *g;
	struct evpn_shadow *shadow;
	struct evpn_shadow_frr frr;
	char pathspace[64];
	bool manage_frr;
	bool *segment_is_evpn;	     /* [n_segments] */
	uint8_t *flood_is_evpn;	     /* [n_segments * GW_MAX_VTEPS] */
	uint32_t refs[GW_MAX_VTEPS]; /* EVPN FDB entries + flood entries naming it */
	bool owned[GW_MAX_VTEPS];    /* made known by EVPN (forgotten at refs 0) */
	bool in_callback;	     /* inside a shadow callback: no re-entry */
	uint64_t last_frr_check;
	struct evpn_counters counters;
} evpn;

bool evpn_wanted(const struct gw *g)
{
	for (uint16_t i = 0; i < g->n_segments; i++)
		if (g->segments[i].learning == CONF_LEARNING_EVPN &&
		    g->segments[i].type == CONF_SEGMENT_VXLAN)
			return true;
	return false;
}

static int evpn_segment(const struct gw *g, uint32_t vni)
{
	int seg = segment_index_by_id(g, CONF_SEGMENT_VXLAN, vni);

	if (seg < 0 || !evpn.segment_is_evpn[seg])
		return -1;
	return seg;
}

static void vtep_normalize(const struct conf_ip *in, struct conf_ip *out)
{
	memset(out, 0, sizeof(*out));
	out->family = in->family;
	if (in->family == AF_INET)
		out->v4 = in->v4;
	else
		out->v6 = in->v6;
}

/* The VTEP's index, creating it (known for decapsulation from now on). */
static int vtep_acquire(struct gw *g, const struct conf_ip *address)
{
	struct conf_ip key;
	void *data;
	bool known;
	int v;

	vtep_normalize(address, &key);
	known = key.family != 0 && rte_hash_lookup_data(g->vtep_by_address, &key, &data) >= 0;
	v = vtep_get_or_add(g, &key);
	if (v < 0) {
		evpn.counters.vtep_refused++;
		return v;
	}
	if (!known)
		evpn.owned[v] = true;
	evpn.refs[v]++;
	return v;
}

/* Drop one reference; a VTEP only EVPN knew becomes unknown again (decap
 * from it drops as unknown_vtep) when no route names it any more. */
static void vtep_release(struct gw *g, uint32_t v)
{
	if (v >= GW_MAX_VTEPS || evpn.refs[v] == 0)
		return;
	if (--evpn.refs[v] == 0 && evpn.owned[v]) {
		evpn.owned[v] = false;
		vtep_forget(g, v);
	}
}

static void remote_apply(struct gw *g, int seg, const uint8_t mac[6], const struct conf_ip *vtep,
			 bool add)
{
	struct gw_fdb_key key = {.segment = (uint16_t)seg};
	enum fdb_origin_kind origin;
	uint64_t dest;
	bool have;
	int v, ret;

	memcpy(key.mac, mac, 6);
	have = fdb_get(g, &key, &dest, &origin) == 0;
	if (!add) {
		if (!have || origin != FDB_ORIGIN_EVPN || GW_DEST_KIND(dest) != GW_DEST_VTEP ||
		    !conf_ip_equal(&g->vteps[GW_DEST_INDEX(dest)].address, vtep))
			return; /* not ours, or an older VTEP's late withdrawal */
		fdb_del(g, &key);
		vtep_release(g, GW_DEST_INDEX(dest));
		evpn.counters.remote_withdrawn++;
		return;
	}
	v = vtep_acquire(g, vtep);
	if (v < 0)
		return;
	if (have && origin == FDB_ORIGIN_EVPN && dest == GW_DEST(GW_DEST_VTEP, v)) {
		vtep_release(g, (uint32_t)v); /* already there */
		return;
	}
	ret = fdb_set(g, &key, GW_DEST(GW_DEST_VTEP, v), FDB_ORIGIN_EVPN, (uint64_t)time(NULL));
	if (ret < 0) {
		char text[24];
		evpn.counters.remote_refused++;
		GW_LOG(WARNING, "evpn: VNI %u MAC %s: not installed: %s", g->segments[seg].id,
		       conf_mac_format(mac, text, sizeof(text)), strerror(-ret));
		vtep_release(g, (uint32_t)v);
		return;
	}
	if (have && origin == FDB_ORIGIN_EVPN && GW_DEST_KIND(dest) == GW_DEST_VTEP)
		vtep_release(g, GW_DEST_INDEX(dest)); /* moved between VTEPs */
	evpn.counters.remote_installed++;
}

static void flood_apply(struct gw *g, int seg, const struct conf_ip *vtep, bool add)
{
	struct gw_segment *s = &g->segments[seg];
	uint8_t *is_evpn = &evpn.flood_is_evpn[(size_t)seg * GW_MAX_VTEPS];
	struct store_segment_key segment_key = {.type = (uint8_t)s->type, .id = s->id};
	int v;

	if (add) {
		v = vtep_acquire(g, vtep);
		if (v < 0)
			return;
		int ret = flood_list_add(g, (uint16_t)seg, (uint16_t)v);
		if (ret == -EEXIST) { /* already EVPN's, or configured: nothing to add */
			vtep_release(g, (uint32_t)v);
			return;
		}
		if (ret < 0) {
			vtep_release(g, (uint32_t)v);
			evpn.counters.vtep_refused++;
			return;
		}
		is_evpn[v] = 1;
		store_sync_flood_put(g, &segment_key, vtep);
		evpn.counters.flood_added++;
		return;
	}
	struct conf_ip key;
	void *data;
	vtep_normalize(vtep, &key);
	if (rte_hash_lookup_data(g->vtep_by_address, &key, &data) < 0)
		return;
	v = (int)(uintptr_t)data;
	if (!is_evpn[v])
		return; /* configured, or never added */
	if (flood_list_remove(g, (uint16_t)seg, (uint16_t)v) == -ENOMEM) {
		/* keep it listed (and referenced) rather than lose track */
		evpn.counters.vtep_refused++;
		return;
	}
	is_evpn[v] = 0;
	store_sync_flood_del(g, &segment_key, vtep);
	vtep_release(g, (uint32_t)v);
	evpn.counters.flood_removed++;
}

/* ---- shadow callbacks ----------------------------------------------------- */

static void on_remote_mac(void *arg, uint32_t vni, const uint8_t mac[6], const struct conf_ip *vtep,
			  bool add)
{
	struct gw *g = arg;
	int seg = evpn_segment(g, vni);

	if (seg < 0) {
		evpn.counters.unknown_vni++;
		return;
	}
	evpn.in_callback = true;
	remote_apply(g, seg, mac, vtep, add);
	evpn.in_callback = false;
}

static void on_flood_vtep(void *arg, uint32_t vni, const struct conf_ip *vtep, bool add)
{
	struct gw *g = arg;
	int seg = evpn_segment(g, vni);

	if (seg < 0) {
		evpn.counters.unknown_vni++;
		return;
	}
	flood_apply(g, seg, vtep, add);
}

/* RFC 7432 §15.1: a remote VTEP advertised the MAC with a higher sequence
 * number. The fast path keeps its local entry until the remote_mac add that
 * follows replaces it (an instant later, from the same netlink batch). */
static void on_local_mac_lost(void *arg, uint32_t vni, const uint8_t mac[6])
{
	char text[24];

	(void)arg;
	evpn.counters.local_lost++;
	GW_LOG(INFO, "evpn: VNI %u MAC %s moved to a remote VTEP", vni,
	       conf_mac_format(mac, text, sizeof(text)));
}

static const struct evpn_shadow_ops shadow_ops = {
	.remote_mac = on_remote_mac,
	.flood_vtep = on_flood_vtep,
	.local_mac_lost = on_local_mac_lost,
};

void evpn_mirror_fdb(bool add, const struct netlink_fdb *fdb)
{
	if (evpn.shadow != NULL)
		evpn_shadow_fdb_event(evpn.shadow, add, fdb);
}

void evpn_mirror_resync_begin(void)
{
	if (evpn.shadow != NULL)
		evpn_shadow_resync_begin(evpn.shadow);
}

void evpn_mirror_resync_end(void)
{
	if (evpn.shadow != NULL)
		evpn_shadow_resync_end(evpn.shadow);
}

/* ---- local MACs ------------------------------------------------------------ */

void evpn_fdb_changed(struct gw *g, const struct gw_fdb_key *key, bool was_local, bool is_local)
{
	uint32_t vni;
	int ret = 0;

	/* Inside a callback the change came from zebra (a remote MAC replaced
	 * a local one that zebra already moved away): nothing to tell it. */
	if (evpn.shadow == NULL || evpn.in_callback || was_local == is_local ||
	    key->segment >= g->n_segments || !evpn.segment_is_evpn[key->segment])
		return;
	vni = g->segments[key->segment].id;
	if (is_local)
		ret = evpn_shadow_local_add(evpn.shadow, vni, key->mac);
	else
		ret = evpn_shadow_local_del(evpn.shadow, vni, key->mac);
	if (ret < 0) {
		char text[24];
		evpn.counters.local_errors++;
		GW_LOG(WARNING, "evpn: VNI %u MAC %s: cannot %s: %s", vni,
		       conf_mac_format(key->mac, text, sizeof(text)),
		       is_local ? "advertise" : "withdraw", strerror(-ret));
	}
}

/* ---- start: LMDB restore and reconciliation -------------------------------- */

struct restored {
	int seg;
	bool flood;
	uint8_t mac[6];
	struct conf_ip vtep;
};

struct restore_list {
	struct gw *g;
	struct restored *items;
	size_t n, size;
};

static int restore_push(struct restore_list *list, const struct restored *item)
{
	if (list->n == list->size) {
		size_t size = list->size ? list->size * 2 : 256;
		struct restored *items = realloc(list->items, size * sizeof(*items));
		if (items == NULL)
			return -ENOMEM;
		list->items = items;
		list->size = size;
	}
	list->items[list->n++] = *item;
	return 0;
}

static int restore_fdb_record(const struct store_fdb_record *r, void *arg)
{
	struct restore_list *list = arg;
	struct restored item = {.flood = false};

	if (r->entry.origin != STORE_FDB_EVPN || !r->entry.remote ||
	    r->segment.type != CONF_SEGMENT_VXLAN)
		return 0;
	item.seg = evpn_segment(list->g, r->segment.id);
	if (item.seg < 0)
		return 0;
	memcpy(item.mac, r->mac, 6);
	item.vtep = r->entry.vtep;
	return restore_push(list, &item);
}

static int restore_flood_record(const struct store_segment_key *segment, const struct conf_ip *vtep,
				enum store_flood_origin origin, void *arg)
{
	struct restore_list *list = arg;
	struct restored item = {.flood = true};

	if (origin != STORE_FLOOD_EVPN || segment->type != CONF_SEGMENT_VXLAN)
		return 0;
	item.seg = evpn_segment(list->g, segment->id);
	if (item.seg < 0)
		return 0;
	item.vtep = *vtep;
	return restore_push(list, &item);
}

/* What LMDB held at the last run goes back into the fast path first, so
 * traffic to remote MACs resumes at once; the reconciliation then lets
 * zebra correct it. LMDB is read into memory first: applying an entry may
 * write LMDB, which must not happen inside the read transaction. */
static int restore_from_store(struct gw *g)
{
	struct restore_list list = {.g = g};
	int ret;

	ret = store_sync_fdb_foreach(g, restore_fdb_record, &list);
	if (ret == 0)
		ret = store_sync_flood_foreach(g, restore_flood_record, &list);
	if (ret < 0) {
		free(list.items);
		return ret;
	}
	evpn.in_callback = true;
	for (size_t i = 0; i < list.n; i++) {
		const struct restored *item = &list.items[i];
		if (item->flood) {
			flood_apply(g, item->seg, &item->vtep, true);
			evpn.counters.restored_flood++;
		} else {
			remote_apply(g, item->seg, item->mac, &item->vtep, true);
			evpn.counters.restored_remote++;
		}
	}
	evpn.in_callback = false;
	free(list.items);
	return 0;
}

static int believe_fdb(const struct fdb_view *view, void *arg)
{
	struct gw *g = arg;
	struct evpn_shadow_entry entry = {0};

	if (!evpn.segment_is_evpn[view->key.segment])
		return 0;
	entry.vni = g->segments[view->key.segment].id;
	memcpy(entry.mac, view->key.mac, 6);
	if (GW_DEST_KIND(view->dest) == GW_DEST_MEMBER) {
		entry.kind = EVPN_SHADOW_LOCAL_MAC;
	} else if (view->origin == FDB_ORIGIN_EVPN) {
		entry.kind = EVPN_SHADOW_REMOTE_MAC;
		entry.vtep = g->vteps[GW_DEST_INDEX(view->dest)].address;
	} else {
		return 0;
	}
	return evpn_shadow_believe(evpn.shadow, &entry);
}

static int believe_all(void *arg)
{
	struct gw *g = arg;
	int ret = fdb_walk(g, believe_fdb, g);

	for (uint16_t seg = 0; ret == 0 && seg < g->n_segments; seg++) {
		const struct gw_segment *s = &g->segments[seg];
		const uint8_t *is_evpn = &evpn.flood_is_evpn[(size_t)seg * GW_MAX_VTEPS];

		if (!evpn.segment_is_evpn[seg])
			continue;
		for (uint16_t i = 0; ret == 0 && i < s->flood->n; i++) {
			struct evpn_shadow_entry entry = {
				.kind = EVPN_SHADOW_FLOOD_VTEP,
				.vni = s->id,
			};
			if (!is_evpn[s->flood->vteps[i]])
				continue;
			entry.vtep = g->vteps[s->flood->vteps[i]].address;
			ret = evpn_shadow_believe(evpn.shadow, &entry);
		}
	}
	return ret;
}

static int cmd_evpn(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct evpn_shadow_stats *s;

	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	telemetry_lock(); /* evpn_stop() closes the shadow under it */
#define EVPN_U64(name, value) rte_tel_data_add_dict_u64(d, name, value)
	EVPN_U64("enabled", evpn.shadow != NULL);
	EVPN_U64("remote_installed", evpn.counters.remote_installed);
	EVPN_U64("remote_withdrawn", evpn.counters.remote_withdrawn);
	EVPN_U64("remote_refused", evpn.counters.remote_refused);
	EVPN_U64("flood_added", evpn.counters.flood_added);
	EVPN_U64("flood_removed", evpn.counters.flood_removed);
	EVPN_U64("unknown_vni", evpn.counters.unknown_vni);
	EVPN_U64("vtep_refused", evpn.counters.vtep_refused);
	EVPN_U64("local_lost", evpn.counters.local_lost);
	EVPN_U64("local_errors", evpn.counters.local_errors);
	EVPN_U64("frr_recoveries", evpn.counters.frr_recoveries);
	EVPN_U64("frr_check_errors", evpn.counters.frr_check_errors);
	EVPN_U64("restored_remote", evpn.counters.restored_remote);
	EVPN_U64("restored_flood", evpn.counters.restored_flood);
	EVPN_U64("frr_config_applied", evpn.counters.frr_config_applied);
	EVPN_U64("frr_config_failures", evpn.counters.frr_config_failures);
	if (evpn.shadow != NULL) {
		s = evpn_shadow_stats(evpn.shadow);
		EVPN_U64("shadow_events", s->events);
		EVPN_U64("shadow_ignored_events", s->ignored_events);
		EVPN_U64("shadow_local_writes", s->local_writes);
		EVPN_U64("shadow_local_deletes", s->local_deletes);
		EVPN_U64("shadow_write_errors", s->write_errors);
		EVPN_U64("shadow_devices_created", s->devices_created);
		EVPN_U64("shadow_devices_adopted", s->devices_adopted);
	}
#undef EVPN_U64
	telemetry_unlock();
	return 0;
}

int evpn_start(struct gw *g, const struct evpn_frr_target *frr, char *err, size_t err_size)
{
	const struct conf_gateway *c = &g->conf->gateway;
	struct evpn_shadow_config config = {
		.vtep_v4 = c->vtep_v4,
		.vtep_v6 = c->vtep_v6,
		.udp_port = c->vxlan_port,
	};
	int ret;

	evpn.g = g;
	rte_telemetry_register_cmd("/vtepgw/evpn", cmd_evpn,
				   "EVPN: routes installed and withdrawn, shadow-device counters");
	if (!evpn_wanted(g))
		return 0;
	evpn.segment_is_evpn = calloc(g->n_segments, sizeof(bool));
	evpn.flood_is_evpn = calloc((size_t)g->n_segments * GW_MAX_VTEPS, 1);
	if (evpn.segment_is_evpn == NULL || evpn.flood_is_evpn == NULL) {
		snprintf(err, err_size, "evpn: out of memory");
		ret = -ENOMEM;
		goto err;
	}
	for (uint16_t i = 0; i < g->n_segments; i++)
		evpn.segment_is_evpn[i] = g->segments[i].learning == CONF_LEARNING_EVPN &&
					  g->segments[i].type == CONF_SEGMENT_VXLAN;
	ret = evpn_shadow_open(&evpn.shadow, &shadow_ops, g, &config);
	if (ret < 0) {
		snprintf(err, err_size, "evpn: cannot open the shadow devices: %s", strerror(-ret));
		evpn.shadow = NULL;
		goto err;
	}
	for (uint16_t i = 0; i < g->n_segments; i++) {
		if (!evpn.segment_is_evpn[i])
			continue;
		ret = evpn_shadow_segment_add(evpn.shadow, g->segments[i].id);
		if (ret < 0) {
			snprintf(err, err_size,
				 "evpn: segment %s: cannot create VNI %u devices: %s",
				 g->segments[i].name, g->segments[i].id, strerror(-ret));
			goto err;
		}
	}
	ret = restore_from_store(g);
	if (ret < 0) {
		snprintf(err, err_size, "evpn: cannot read EVPN entries from LMDB: %s",
			 strerror(-ret));
		goto err;
	}
	ret = evpn_shadow_reconcile(evpn.shadow, believe_all, g);
	if (ret < 0) {
		snprintf(err, err_size, "evpn: reconciliation with the kernel failed: %s",
			 strerror(-ret));
		goto err;
	}
	evpn.manage_frr = g->conf->bgp.manage_frr;
	if (frr != NULL && frr->pathspace != NULL) {
		snprintf(evpn.pathspace, sizeof(evpn.pathspace), "%s", frr->pathspace);
		evpn.frr.pathspace = evpn.pathspace;
	}
	GW_LOG(NOTICE,
	       "evpn: %" PRIu64 " remote MAC(s) and %" PRIu64
	       " flood VTEP(s) restored, then reconciled with zebra's",
	       evpn.counters.restored_remote, evpn.counters.restored_flood);
	return 0;
err:
	evpn_stop(g);
	return ret;
}

void evpn_stop(struct gw *g)
{
	(void)g;
	telemetry_lock();
	if (evpn.shadow != NULL)
		evpn_shadow_close(evpn.shadow);
	evpn.shadow = NULL;
	telemetry_unlock();
	free(evpn.segment_is_evpn);
	free(evpn.flood_is_evpn);
	evpn.segment_is_evpn = NULL;
	evpn.flood_is_evpn = NULL;
}

void evpn_tick(struct gw *g, uint64_t now_ms)
{
	int ret;

	(void)g;
	if (evpn.shadow == NULL || !evpn.manage_frr ||
	    now_ms - evpn.last_frr_check < EVPN_FRR_CHECK_MS)
		return;
	evpn.last_frr_check = now_ms;
	/* Blocks the control loop for the vtysh runs (~0.1 s per segment);
	 * the learn ring absorbs what the workers report meanwhile. */
	ret = evpn_shadow_frr_check(evpn.shadow, &evpn.frr);
	if (ret == 1) {
		evpn.counters.frr_recoveries++;
		GW_LOG(NOTICE, "evpn: zebra lost bgpd's routes (zebra restarted?): "
			       "advertise-all-vni toggled");
	} else if (ret < 0) {
		evpn.counters.frr_check_errors++;
	}
}

/* ---- FRR configuration ------------------------------------------------------- */

void evpn_frr_config_apply(struct gw *g, const struct evpn_frr_target *frr)
{
	const struct conf_model *conf = g->conf;
	struct frr_conf_target target = {0};
	char path[PATH_MAX], socket[PATH_MAX];
	char *text, *report = NULL;
	size_t length, report_size = 0;
	FILE *out;
	int ret;

	if (!conf->bgp.enabled || !conf->bgp.manage_frr)
		return;
	target.pathspace = frr != NULL ? frr->pathspace : NULL;
	if (target.pathspace != NULL) {
		snprintf(path, sizeof(path), "%s/%s/frr.conf", FRR_CONF_DEFAULT_CONFDIR,
			 target.pathspace);
		snprintf(socket, sizeof(socket), "/var/run/frr/%s/zebra.vty", target.pathspace);
	} else {
		snprintf(path, sizeof(path), "%s/frr.conf", FRR_CONF_DEFAULT_CONFDIR);
		snprintf(socket, sizeof(socket), "/var/run/frr/zebra.vty");
	}
	target.frr_conf = path;
	text = frr_conf_render_string(conf, &length);
	if (text == NULL) {
		evpn.counters.frr_config_failures++;
		GW_LOG(WARNING, "frr: cannot render frr.conf: %s", strerror(errno));
		return;
	}
	ret = frr_conf_write_atomic(path, text, length);
	free(text);
	if (ret < 0) {
		evpn.counters.frr_config_failures++;
		GW_LOG(WARNING, "frr: cannot write %s: %s", path, strerror(-ret));
		return;
	}
	if (access(socket, F_OK) != 0) {
		evpn.counters.frr_config_applied++;
		GW_LOG(NOTICE, "frr: wrote %s; FRR is not running, it reads it when it starts",
		       path);
		return;
	}
	out = open_memstream(&report, &report_size);
	ret = frr_conf_reload(&target, path, false, out != NULL ? out : stderr);
	if (out != NULL)
		fclose(out);
	if (ret == 0) {
		evpn.counters.frr_config_applied++;
		GW_LOG(NOTICE, "frr: wrote %s and applied it with frr-reload.py", path);
	} else {
		evpn.counters.frr_config_failures++;
		GW_LOG(WARNING, "frr: frr-reload.py of %s failed (%d): %s", path, ret,
		       report != NULL ? report : "");
	}
	free(report);
}
