/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EVPN through shadow kernel devices, for FRR 8.4 (DESIGN.md, "EVPN on FRR
 * 8.4"). zebra discovers VNIs only from kernel vxlan netdevs and learns local
 * MACs only from the kernel bridge FDB, so each VXLAN segment gets, in the
 * kernel:
 *
 *   <prefix>br<VNI>  a Linux bridge
 *   <prefix>vx<VNI>  vxlan id VNI local VTEP dstport PORT nolearning, in it
 *   <prefix>st<VNI>  a veth end in the bridge: the port local MACs sit on
 *   <prefix>sp<VNI>  its peer, up so the stub has carrier, in no bridge
 *
 * None of them carries data: IPv6 is off on all four, no addresses, and
 * flooding towards the vxlan port is off. Local MACs are written as static
 * entries on the stub port (zebra advertises type-2 routes); remote MACs
 * (RFC 7432 §9.2, type-2) and flood VTEPs (RFC 8365 §9, type-3) come back
 * as netlink FDB events, which the gateway feeds in with
 * evpn_shadow_fdb_event(). Nothing here knows about LMDB or DPDK: the gateway
 * turns the callbacks into its own table operations.
 *
 * This is the whole interface between vtepgw and FRR's EVPN; a zebra dplane
 * plugin can replace it when FRR >= 10.7 is available.
 */
#ifndef VTEPGW_ROUTING_EVPN_SHADOW_H
#define VTEPGW_ROUTING_EVPN_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/model.h"
#include "routing/netlink_mirror.h"

#define EVPN_SHADOW_PREFIX_MAX	   5 /* IFNAMSIZ 16 = prefix + 2 + 8 VNI digits + NUL */
#define EVPN_SHADOW_DEFAULT_PREFIX "vg"
#define EVPN_SHADOW_DEFAULT_PORT   4789 /* RFC 7348 §5 */

struct evpn_shadow;

struct evpn_shadow_config {
	/* The local VTEP; IPv4 is used when both are set (FRR 8.4 EVPN
	 * originates type-3 routes for one VTEP address per VNI). */
	struct conf_ip vtep_v4;
	struct conf_ip vtep_v6;
	uint16_t udp_port;			 /* 0: 4789 */
	char prefix[EVPN_SHADOW_PREFIX_MAX + 1]; /* "": EVPN_SHADOW_DEFAULT_PREFIX */
};

/* The gateway's side. Every callback may be NULL; they run inside
 * evpn_shadow_fdb_event(), evpn_shadow_resync_end() and evpn_shadow_reconcile(). */
struct evpn_shadow_ops {
	/* A type-2 route: MAC lives behind `vtep` (add), or no longer does.
	 * A second add for the same MAC with another VTEP is a move. */
	void (*remote_mac)(void *arg, uint32_t vni, const uint8_t mac[6],
			   const struct conf_ip *vtep, bool add);
	/* A type-3 route: `vtep` takes part in head-end replication for VNI. */
	void (*flood_vtep)(void *arg, uint32_t vni, const struct conf_ip *vtep, bool add);
	/* A MAC we advertised (evpn_shadow_local_add) was taken over by a remote
	 * VTEP with a higher sequence number (RFC 7432 §15.1). It is no longer
	 * local; a remote_mac add for it follows. */
	void (*local_mac_lost)(void *arg, uint32_t vni, const uint8_t mac[6]);
};

struct evpn_shadow_stats {
	uint64_t events;	  /* FDB events handed in */
	uint64_t ignored_events;  /* not on a shadow device, or not forwarding state */
	uint64_t remote_adds;	  /* remote_mac(add) reported */
	uint64_t remote_dels;	  /* remote_mac(del) reported */
	uint64_t flood_adds;	  /* flood_vtep(add) reported */
	uint64_t flood_dels;	  /* flood_vtep(del) reported */
	uint64_t local_lost;	  /* local_mac_lost reported */
	uint64_t local_writes;	  /* local MACs written to the kernel */
	uint64_t local_deletes;	  /* local MACs deleted from the kernel */
	uint64_t stale_deletes;	  /* stale remote entries removed when a MAC became local */
	uint64_t write_errors;	  /* netlink writes the kernel refused */
	uint64_t devices_created; /* shadow netdevs created */
	uint64_t devices_adopted; /* shadow netdevs of a previous run kept */
	uint64_t devices_removed; /* stray or mismatched shadow netdevs deleted */
	uint64_t frr_recoveries;  /* advertise-all-vni toggles (evpn_shadow_frr_check) */
};

/* Open: checks the configuration, opens its own netlink sockets (writes and
 * dumps never disturb the gateway's mirror), and finds shadow devices of a
 * previous run (same prefix): they are adopted by evpn_shadow_segment_add()
 * and the rest removed by evpn_shadow_reconcile(). Returns 0 or a negative
 * errno. */
int evpn_shadow_open(struct evpn_shadow **shadow, const struct evpn_shadow_ops *ops, void *arg,
		     const struct evpn_shadow_config *config);
/* Frees the handle; the kernel devices stay (a restart adopts them and zebra
 * keeps advertising meanwhile). */
void evpn_shadow_close(struct evpn_shadow *shadow);

/* Create (or adopt, when they match) the shadow devices of VNI; idempotent. */
int evpn_shadow_segment_add(struct evpn_shadow *shadow, uint32_t vni);
/* Delete them: zebra withdraws the segment's routes. Its remote MACs and flood
 * VTEPs are reported as deleted. -ENOENT when VNI has no segment. */
int evpn_shadow_segment_del(struct evpn_shadow *shadow, uint32_t vni);
/* Delete every device with our prefix, segments or not (uninstall). */
int evpn_shadow_destroy_all(struct evpn_shadow *shadow);

/* Advertise MAC as local (static on the stub: never aged by the kernel, so
 * the gateway ages it and calls evpn_shadow_local_del). Reclaiming a MAC
 * that was remote also removes the stale remote entry zebra leaves behind. */
int evpn_shadow_local_add(struct evpn_shadow *shadow, uint32_t vni, const uint8_t mac[6]);
/* Withdraw it. Deleting a MAC that is not local is not an error. */
int evpn_shadow_local_del(struct evpn_shadow *shadow, uint32_t vni, const uint8_t mac[6]);

/* Feed every AF_BRIDGE FDB callback of the gateway's netlink mirror here,
 * and its resync_begin/resync_end: after a resync, what was not seen again
 * is reported as deleted. */
void evpn_shadow_fdb_event(struct evpn_shadow *shadow, bool add, const struct netlink_fdb *fdb);
void evpn_shadow_resync_begin(struct evpn_shadow *shadow);
void evpn_shadow_resync_end(struct evpn_shadow *shadow);

/* The shadow devices' ifindexes, e.g. to tell the gateway's mirror events
 * apart; 0 when VNI has no segment. */
int evpn_shadow_vxlan_ifindex(const struct evpn_shadow *shadow, uint32_t vni);
int evpn_shadow_stub_ifindex(const struct evpn_shadow *shadow, uint32_t vni);

/* ---- reconciliation ----------------------------------------------------- */

enum evpn_shadow_entry_kind {
	EVPN_SHADOW_LOCAL_MAC,	/* the gateway advertises it */
	EVPN_SHADOW_REMOTE_MAC, /* the gateway forwards it to `vtep` (origin EVPN) */
	EVPN_SHADOW_FLOOD_VTEP, /* the gateway replicates BUM to `vtep` (origin EVPN) */
};

struct evpn_shadow_entry {
	enum evpn_shadow_entry_kind kind;
	uint32_t vni;
	uint8_t mac[6];	     /* MAC kinds */
	struct conf_ip vtep; /* REMOTE_MAC and FLOOD_VTEP */
};

/* Make the kernel and the gateway agree, after a vtepgw restart or whenever
 * in doubt. `walk` must call evpn_shadow_believe() once for every EVPN entry
 * the gateway holds (e.g. an LMDB cursor) and return 0 or a negative errno.
 * Then, with the kernel FDB dumped:
 *  - local MACs: the gateway decides. Believed ones missing in the kernel are
 *    written, unless the kernel now has the MAC as remote (it moved while we
 *    were away: local_mac_lost); kernel ones not believed are deleted.
 *  - remote MACs and flood VTEPs: zebra decides. Kernel ones the gateway
 *    lacks (or has with another VTEP) are reported as adds, believed ones
 *    the kernel lacks as deletes.
 * Shadow devices of segments not added since open are deleted first.
 * Entries of VNIs without a segment are reported deleted (remote/flood) and
 * ignored (local). */
int evpn_shadow_reconcile(struct evpn_shadow *shadow, int (*walk)(void *walk_arg), void *walk_arg);
int evpn_shadow_believe(struct evpn_shadow *shadow, const struct evpn_shadow_entry *entry);

/* ---- FRR recovery ------------------------------------------------------- */

/* How to reach FRR's vtysh. All NULL: `vtysh` of the default pathspace. */
struct evpn_shadow_frr {
	const char *vtysh;	/* program; NULL: "vtysh" from PATH */
	const char *pathspace;	/* vtysh -N; NULL: none */
	const char *vty_socket; /* vtysh --vty_socket; NULL: none */
	unsigned timeout_ms;	/* per vtysh run; 0: 5000 */
};

/* FRR 8.4: when zebra alone restarts, it removes every remote entry and never
 * gets them back from bgpd (DESIGN.md). Detect it and recover:
 * for each segment, bgpd's type-3 routes of other VTEPs (`show bgp l2vpn evpn
 * route vni N type multicast json`) are compared with the flood entries in
 * the kernel. When some are missing on two consecutive calls (one call's
 * difference may be a route in flight), toggle `advertise-all-vni`, which
 * makes bgpd hand everything to zebra again. Call it every few seconds, or
 * soon after the flood VTEPs of all segments were deleted at once.
 * Returns 1 when it toggled, 0 when in sync (or not yet sure), or a negative
 * errno (vtysh failed). */
int evpn_shadow_frr_check(struct evpn_shadow *shadow, const struct evpn_shadow_frr *frr);
/* The toggle alone. */
int evpn_shadow_frr_readvertise(struct evpn_shadow *shadow, const struct evpn_shadow_frr *frr);

const struct evpn_shadow_stats *evpn_shadow_stats(const struct evpn_shadow *shadow);

#endif
