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

/* flood.c: static flood lists (head-end replication). */
int flood_build(struct gw *g, char *err, size_t err_size);

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

/* telemetry.c */
int telemetry_register(struct gw *g);
void telemetry_lock(void);
void telemetry_unlock(void);

/* loop.c: the control loop on the main lcore. */
int control_loop_run(struct gw *g, struct netlink_mirror *mirror);

#endif
