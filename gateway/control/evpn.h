/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BGP EVPN for segments with learning = "evpn" (VXLAN only), through the
 * shadow kernel devices of routing/evpn_shadow.h (DESIGN.md, "EVPN on FRR
 * 8.4"). The control thread is the only caller.
 *
 *  - local MACs of EVPN segments (learned or configured on an access
 *    member) are written into the shadow bridge, so zebra advertises them
 *    as type-2 routes (RFC 7432 §9.2); aging, deletion and moves withdraw;
 *  - remote MACs (type-2) become FDB entries of origin EVPN pointing at the
 *    VTEP, and type-3 routes (RFC 8365 §9) the segment's flood list; a
 *    VTEP is known for decapsulation while an EVPN route names it;
 *  - both are kept in LMDB (origin EVPN), restored at start and
 *    reconciled against what zebra holds;
 *  - every few seconds, when vtepgw manages FRR, a zebra-only restart is
 *    detected and repaired (evpn_shadow_frr_check).
 */
#ifndef VTEPGW_CONTROL_EVPN_H
#define VTEPGW_CONTROL_EVPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway.h"

struct netlink_fdb;

/* How to reach FRR (per-namespace FRR uses -N NAME, as vtepgw-frr-config). */
struct evpn_frr_target {
	const char *pathspace; /* NULL: FRR's default paths */
};

/* True when some segment has learning = "evpn". */
bool evpn_wanted(const struct gw *g);

/* After the netlink mirror's first dump and the LMDB restore, before the
 * workers start: open the shadow, add every EVPN segment, restore EVPN
 * entries from LMDB and reconcile them with the kernel. Returns 0 or a
 * negative errno with a message in `err`. A no-op without EVPN segments. */
int evpn_start(struct gw *g, const struct evpn_frr_target *frr, char *err, size_t err_size);
/* Close the shadow; its kernel devices stay (a restart adopts them). */
void evpn_stop(struct gw *g);

/* The daemon's netlink mirror callbacks, forwarded to the shadow. */
void evpn_mirror_fdb(bool add, const struct netlink_fdb *fdb);
void evpn_mirror_resync_begin(void);
void evpn_mirror_resync_end(void);

/* fdb.c: an entry of `key` changed; `was_local` / `is_local`: whether it
 * pointed (points) at an access member before (after) the change. */
void evpn_fdb_changed(struct gw *g, const struct gw_fdb_key *key, bool was_local, bool is_local);

/* loop.c: timers (FRR recovery check). */
void evpn_tick(struct gw *g, uint64_t now_ms);

/* Render FRR's configuration from the model and apply it (bgp.manage_frr):
 * write frr.conf atomically and, when FRR runs, frr-reload.py it; when FRR
 * does not run yet it reads the file when it starts. Failures are logged,
 * not fatal: forwarding does not depend on it. */
void evpn_frr_config_apply(struct gw *g, const struct evpn_frr_target *frr);

#endif
