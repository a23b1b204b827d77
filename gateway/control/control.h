/* SPDX-License-Identifier: BSD-3-Clause */
/* The control thread's tables: one file per table in gateway/control/. */
#ifndef VTEPGW_CONTROL_H
#define VTEPGW_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include <rte_errno.h>
#include <rte_log.h>

#include "conf/store.h"
#include "gateway.h"

struct netlink_mirror;
struct netlink_link;

#define GW_LOG(level, fmt, ...) RTE_LOG(level, USER1, "vtepgw: " fmt "\n", ##__VA_ARGS__)

/* rcu.c: QSBR variable the workers report to; synchronize before freeing
 * anything a worker may still read. */
int rcu_init(struct gw *g);
void rcu_synchronize(struct gw *g);
void rcu_free(struct gw *g);

/* ports.c: probe, configure and start every port and the TAP twins. */
int ports_open(struct gw *g, char *err, size_t err_size);
void ports_close(struct gw *g);
int port_id_by_conf_index(const struct gw *g, int conf_index); /* -1 when absent */
/* tap_addresses.c: put the uplink's addresses (and our VTEP addresses) on
 * its TAP twin over rtnetlink. */
int tap_addresses_apply(struct gw *g, char *err, size_t err_size);

/* segments.c: segments, members, access VLAN maps, VNI/VSID lookup. */
int segments_build(struct gw *g, char *err, size_t err_size);
void segments_free(struct gw *g);
int segment_index_by_id(const struct gw *g, enum conf_segment_type type, uint32_t id);
int member_index(const struct gw *g, uint16_t segment, uint16_t port_id, uint16_t vlan);

/* vteps.c: remote VTEPs, their next hops and encap templates. */
int vteps_init(struct gw *g);
void vteps_free(struct gw *g);
int vtep_get_or_add(struct gw *g, const struct conf_ip *address); /* index or -errno */
void vteps_set_mirror(struct netlink_mirror *mirror);
void vteps_mark_dirty(void);
void vteps_resolve_pending(struct gw *g);
/* Poll the uplinks' link state; a change re-resolves every VTEP. */
void vteps_check_uplinks(struct gw *g);
/* A mirrored kernel link changed: the carrier of an uplink whose vdev sits
 * on it (net_af_packet, net_af_xdp "iface="). */
void vteps_kernel_link(struct gw *g, bool present, const struct netlink_link *link);
/* The VTEP is no longer known for decapsulation (its slot and index stay,
 * and vtep_get_or_add of the same address brings it back). */
void vtep_forget(struct gw *g, uint32_t index);
/* Index of a known VTEP, -ENOENT or -EAFNOSUPPORT; never adds one. */
int vtep_index(const struct gw *g, const struct conf_ip *address);
/* vtep_get_or_add for an entry of the configuration (static flood list or
 * static MAC): counts a static reference, so that vtep_forget leaves it. */
int vtep_static_acquire(struct gw *g, const struct conf_ip *address);
/* After a reload: recount the static references from `model` and forget
 * the VTEPs that lost their last one (or that were not known before the
 * reload, was_known[index], may be NULL) and that no flood list or MAC
 * names any more. Control thread only. */
void vteps_static_recount(struct gw *g, const struct conf_model *model, const bool *was_known);

/* flood.c: static flood lists (head-end replication). */
int flood_build(struct gw *g, char *err, size_t err_size);
/* Replace the segment's flood list with one more / one fewer VTEP; the old
 * list is freed after an RCU grace period. 0, -EEXIST / -ENOENT, -ENOSPC
 * (GW_MAX_VTEPS reached) or -ENOMEM. Control thread only. */
int flood_list_add(struct gw *g, uint16_t segment, uint16_t vtep);
int flood_list_remove(struct gw *g, uint16_t segment, uint16_t vtep);
bool flood_list_contains(const struct gw_segment *segment, uint16_t vtep);
void flood_free(struct gw *g);

/* fdb.c: the MAC table. */
enum fdb_origin_kind {
	FDB_ORIGIN_STATIC = STORE_FDB_STATIC,
	FDB_ORIGIN_LEARNED = STORE_FDB_LEARNED,
	FDB_ORIGIN_EVPN = STORE_FDB_EVPN,
};
int fdb_init(struct gw *g);
void fdb_free(struct gw *g);
int fdb_set(struct gw *g, const struct gw_fdb_key *key, uint64_t dest, enum fdb_origin_kind origin,
	    uint64_t last_seen_epoch);
unsigned fdb_drain_learn_ring(struct gw *g);
int fdb_get(struct gw *g, const struct gw_fdb_key *key, uint64_t *dest,
	    enum fdb_origin_kind *origin);		 /* 0 or -ENOENT */
int fdb_del(struct gw *g, const struct gw_fdb_key *key); /* 0 or -ENOENT */
void fdb_age(struct gw *g);
struct fdb_view {
	struct gw_fdb_key key;
	uint64_t dest;
	enum fdb_origin_kind origin;
	uint32_t age; /* seconds since last seen */
};
typedef int (*fdb_walk_cb)(const struct fdb_view *view, void *arg);
int fdb_walk(struct gw *g, fdb_walk_cb cb, void *arg);
int fdb_static_from_config(struct gw *g, char *err, size_t err_size);

/* store_sync.c: LMDB, written by the control thread in batches. */
int store_sync_open(struct gw *g, char *err, size_t err_size);
int store_sync_restore(struct gw *g);
void store_sync_fdb_put(struct gw *g, const struct gw_fdb_key *key, uint64_t dest,
			enum fdb_origin_kind origin, uint64_t last_seen_epoch);
void store_sync_fdb_del(struct gw *g, const struct gw_fdb_key *key);
int store_sync_flush(struct gw *g);
int store_sync_all_fdb(struct gw *g); /* shutdown: write every learned entry */
void store_sync_close(struct gw *g);
/* EVPN (origin STORE_FLOOD_EVPN) flood entries, one transaction each, and
 * read-only walks of what LMDB holds. */
void store_sync_flood_put(struct gw *g, const struct store_segment_key *segment,
			  const struct conf_ip *vtep);
void store_sync_flood_del(struct gw *g, const struct store_segment_key *segment,
			  const struct conf_ip *vtep);
/* Reload: the segment record (its MAC limit) and static flood entries. */
void store_sync_segment_put(struct gw *g, uint16_t segment);
void store_sync_flood_static(struct gw *g, uint16_t segment, const struct conf_ip *vtep, bool add);
int store_sync_fdb_foreach(struct gw *g, store_fdb_cb cb, void *arg);
int store_sync_flood_foreach(struct gw *g, store_flood_cb cb, void *arg);

/* telemetry.c */
int telemetry_register(struct gw *g);
void telemetry_lock(void);
void telemetry_unlock(void);

/* reload.c: SIGHUP re-reads the configuration file and applies the
 * difference (docs/gateway.md, "Reload"). reload_request is
 * async-signal-safe; the control loop calls reload_poll. */
void reload_init(const char *path, struct conf_model *model);
struct conf_model *reload_running_model(void); /* owned; free at exit */
void reload_request(void);
void reload_poll(struct gw *g);
int reload_run(struct gw *g); /* 0, -EINVAL, -EOPNOTSUPP or the table's -errno */
int reload_telemetry_register(void);

/* loop.c: the control loop on the main lcore. */
int control_loop_run(struct gw *g, struct netlink_mirror *mirror);

#endif
