/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration reload on SIGHUP (systemd: ExecReload=kill -HUP $MAINPID).
 * DESIGN.md: a bad file is refused whole with `file:line: what is wrong` and
 * the running state stays as it was; a good one is applied as a difference,
 * without stopping the workers.
 *
 * The signal handler only sets a flag; the control loop calls reload_poll(),
 * so every change is made by the control thread, the only writer of the
 * tables, with the same publication rules as everything else: flood lists are
 * replaced whole and published by RCU (control/flood.c), FDB entries are
 * lock-free rte_hash updates (control/fdb.c), per-segment limits are single
 * aligned stores, and encap templates are recompiled and swapped by RCU
 * pointer (control/vteps.c). Workers never wait.
 *
 * Three steps:
 *   1. conf_load the file; any error refuses the reload.
 *   2. Compare with the running model. Anything that is compiled into the
 *      ports, the EAL, the segment maps or FRR (ports, dpdk, VTEP source
 *      addresses, VXLAN port, LMDB, BGP, segment identity and members)
 *      needs a restart: the whole reload is refused naming the setting.
 *   3. Converge the running tables from the old model to the new one. If a
 *      step fails (out of memory, table full), converge back to the old
 *      model, so the running state is the old one or the new one, never a
 *      mixture.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_telemetry.h>

#include "control/control.h"

#define RELOAD_TEXT_MAX 256

static struct {
	char path[CONF_PATH_MAX];
	struct conf_model *running; /* owned; g->conf points to it */
	volatile sig_atomic_t requested;
	uint64_t ok;
	uint64_t failed;	/* every refusal, the three kinds below included */
	uint64_t invalid;	/* the file did not load (syntax or semantic errors) */
	uint64_t needs_restart; /* a setting that cannot change live */
	uint64_t apply_failed;	/* a table refused a change; rolled back */
	uint64_t last_changes;	/* changes applied by the last successful reload */
	uint64_t last_time;	/* epoch seconds of the last attempt */
	char last_error[RELOAD_TEXT_MAX];
} reload;

void reload_init(const char *path, struct conf_model *model)
{
	snprintf(reload.path, sizeof(reload.path), "%s", path);
	reload.running = model;
}

struct conf_model *reload_running_model(void)
{
	return reload.running;
}

void reload_request(void)
{
	reload.requested = 1; /* async-signal-safe: the control loop does the rest */
}

static void reload_refused(uint64_t *kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reload_refused(uint64_t *kind, const char *fmt, ...)
{
	va_list ap;

	telemetry_lock();
	va_start(ap, fmt);
	vsnprintf(reload.last_error, sizeof(reload.last_error), fmt, ap);
	va_end(ap);
	reload.failed++;
	(*kind)++;
	telemetry_unlock();
}

/* ---- what needs a restart ------------------------------------------------- */

static bool ports_equal(const struct conf_port *a, const struct conf_port *b, const char **what)
{
	if (strcmp(a->name, b->name) != 0)
		*what = "name";
	else if (a->role != b->role)
		*what = "role";
	else if (strcmp(a->device, b->device) != 0)
		*what = "device";
	else if (a->mtu != b->mtu)
		*what = "mtu";
	else if (a->has_mac != b->has_mac || (a->has_mac && memcmp(a->mac, b->mac, 6) != 0))
		*what = "mac";
	else if (a->vlan != b->vlan)
		*what = "vlan";
	else if (a->n_addresses != b->n_addresses)
		*what = "addresses";
	for (size_t i = 0; *what == NULL && i < a->n_addresses; i++)
		if (!conf_ip_equal(&a->addresses[i].addr, &b->addresses[i].addr) ||
		    a->addresses[i].len != b->addresses[i].len)
			*what = "addresses";
	return *what == NULL;
}

static const char *gateway_change(const struct conf_gateway *a, const struct conf_gateway *b)
{
	if (strcmp(a->name, b->name) != 0)
		return "gateway.name"; /* FRR's hostname, written at start */
	if (!conf_ip_equal(&a->vtep_v4, &b->vtep_v4))
		return "gateway.vtep_ipv4";
	if (!conf_ip_equal(&a->vtep_v6, &b->vtep_v6))
		return "gateway.vtep_ipv6";
	if (a->vxlan_port != b->vxlan_port)
		return "gateway.vxlan_port";
	if (a->vxlan_strict != b->vxlan_strict)
		return "gateway.vxlan_strict";
	if (strcmp(a->lmdb_path, b->lmdb_path) != 0)
		return "gateway.lmdb_path";
	if (a->lmdb_map_size != b->lmdb_map_size)
		return "gateway.lmdb_map_size";
	return NULL;
}

static const char *dpdk_change(const struct conf_dpdk *a, const struct conf_dpdk *b)
{
	if (strcmp(a->lcores, b->lcores) != 0)
		return "dpdk.lcores";
	if (a->mbufs != b->mbufs)
		return "dpdk.mbufs";
	if (a->n_eal_args != b->n_eal_args)
		return "dpdk.eal_args";
	for (size_t i = 0; i < a->n_eal_args; i++)
		if (strcmp(a->eal_args[i], b->eal_args[i]) != 0)
			return "dpdk.eal_args";
	return NULL;
}

static const char *bgp_change(const struct conf_bgp *a, const struct conf_bgp *b)
{
	if (a->enabled != b->enabled)
		return "bgp";
	if (a->asn != b->asn)
		return "bgp.asn";
	if (a->router_id.s_addr != b->router_id.s_addr)
		return "bgp.router_id";
	if (a->evpn != b->evpn)
		return "bgp.evpn";
	if (a->manage_frr != b->manage_frr)
		return "bgp.manage_frr";
	if (a->n_neighbors != b->n_neighbors)
		return "bgp.neighbors";
	for (size_t i = 0; i < a->n_neighbors; i++) {
		const struct conf_bgp_neighbor *x = &a->neighbors[i], *y = &b->neighbors[i];
		if (!conf_ip_equal(&x->addr, &y->addr) || x->remote_asn != y->remote_asn ||
		    x->port != y->port || x->bfd != y->bfd)
			return "bgp.neighbors";
	}
	return NULL;
}

static const char *segment_change(const struct conf_segment *a, const struct conf_segment *b)
{
	if (a->type != b->type)
		return "type (vni/vsid)";
	if (a->id != b->id)
		return a->type == CONF_SEGMENT_NVGRE ? "vsid" : "vni";
	if (a->learning != b->learning)
		return "learning";
	if (a->n_members != b->n_members)
		return "members";
	/* Member indices are FDB destinations: same members, same order. */
	for (size_t i = 0; i < a->n_members; i++)
		if (a->members[i].port != b->members[i].port ||
		    a->members[i].vlan != b->members[i].vlan)
			return "members";
	return NULL;
}

/*
 * Whether `next` can replace `running` live. On success, `next`'s segments
 * are reordered to the running order (segment i of the model is segment i
 * of the tables, as segments_build made them). Returns 0, or -EOPNOTSUPP
 * with the reason in `why`.
 */
static int reload_check(const struct conf_model *running, struct conf_model *next, char *why,
			size_t size)
{
	const char *what;

	what = gateway_change(&running->gateway, &next->gateway);
	if (what != NULL) {
		snprintf(why, size, "%s:%d: %s changed: needs a restart", next->source,
			 next->gateway.line, what);
		return -EOPNOTSUPP;
	}
	what = dpdk_change(&running->dpdk, &next->dpdk);
	if (what != NULL) {
		snprintf(why, size, "%s:%d: %s changed: needs a restart", next->source,
			 next->dpdk.line, what);
		return -EOPNOTSUPP;
	}
	if (running->n_ports != next->n_ports) {
		snprintf(why, size, "%s: ports added or removed: needs a restart", next->source);
		return -EOPNOTSUPP;
	}
	for (size_t i = 0; i < next->n_ports; i++) {
		what = NULL;
		if (!ports_equal(&running->ports[i], &next->ports[i], &what)) {
			snprintf(why, size, "%s:%d: port %s: %s changed: needs a restart",
				 next->source, next->ports[i].line, next->ports[i].name, what);
			return -EOPNOTSUPP;
		}
	}
	what = bgp_change(&running->bgp, &next->bgp);
	if (what != NULL) {
		snprintf(why, size, "%s:%d: %s changed: needs a restart", next->source,
			 next->bgp.line, what);
		return -EOPNOTSUPP;
	}
	/* Segments by name: the access maps, the VNI/VSID index, the counters
	 * and the encap templates are sized and indexed by segment. */
	for (size_t i = 0; i < next->n_segments; i++) {
		if (conf_segment_by_name(running, next->segments[i].name) == NULL) {
			snprintf(why, size,
				 "%s:%d: reload: adding/removing segments needs a restart "
				 "(segment %s)",
				 next->source, next->segments[i].line, next->segments[i].name);
			return -EOPNOTSUPP;
		}
	}
	for (size_t i = 0; i < running->n_segments; i++) {
		if (conf_segment_by_name(next, running->segments[i].name) == NULL) {
			snprintf(why, size,
				 "%s: reload: adding/removing segments needs a restart (segment "
				 "%s)",
				 next->source, running->segments[i].name);
			return -EOPNOTSUPP;
		}
	}
	for (size_t i = 0; i < running->n_segments; i++) {
		const struct conf_segment *b =
			conf_segment_by_name(next, running->segments[i].name);
		what = segment_change(&running->segments[i], b);
		if (what != NULL) {
			snprintf(why, size, "%s:%d: segment %s: %s changed: needs a restart",
				 next->source, b->line, b->name, what);
			return -EOPNOTSUPP;
		}
	}
	/* Same set of names: put them in the running order. */
	for (size_t i = 0; i < running->n_segments; i++) {
		for (size_t j = i; j < next->n_segments; j++) {
			if (strcmp(next->segments[j].name, running->segments[i].name) != 0)
				continue;
			if (j != i) {
				struct conf_segment t = next->segments[i];
				next->segments[i] = next->segments[j];
				next->segments[j] = t;
			}
			break;
		}
	}
	return 0;
}

/* ---- converging the tables from one model to another ---------------------- */

static bool flood_listed(const struct conf_segment *cs, const struct conf_ip *vtep)
{
	for (size_t i = 0; i < cs->n_flood; i++)
		if (conf_ip_equal(&cs->flood[i], vtep))
			return true;
	return false;
}

static const struct conf_static_mac *static_mac_find(const struct conf_segment *cs,
						     const uint8_t mac[6])
{
	for (size_t i = 0; i < cs->n_static_macs; i++)
		if (memcmp(cs->static_macs[i].mac, mac, 6) == 0)
			return &cs->static_macs[i];
	return NULL;
}

static bool static_mac_same(const struct conf_static_mac *a, const struct conf_static_mac *b)
{
	if (a->remote != b->remote)
		return false;
	return a->remote ? conf_ip_equal(&a->vtep, &b->vtep) : a->member == b->member;
}

static uint32_t effective_limit(const struct conf_model *model, const struct conf_segment *cs)
{
	return cs->mac_limit ? cs->mac_limit : model->gateway.mac_limit;
}

static void change_log(const struct gw *g, uint16_t seg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void change_log(const struct gw *g, uint16_t seg, const char *fmt, ...)
{
	char text[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	GW_LOG(NOTICE, "reload: segment %s: %s", g->segments[seg].name, text);
}

/*
 * Make the static part of the tables what `to` says, given that they are
 * what `from` says. Every operation tolerates finding its work done, so the
 * same function rolls a half-applied reload back (to and from swapped).
 * Additions come before removals so a VTEP moving between lists or MACs stays
 * known throughout. Returns the number of changes, or -errno at the first
 * table that refused one.
 */
static int converge(struct gw *g, const struct conf_model *from, const struct conf_model *to)
{
	int changes = 0;

	for (uint16_t i = 0; i < g->n_segments; i++) {
		const struct conf_segment *a = &from->segments[i], *b = &to->segments[i];
		char addr[CONF_IP_TEXT_SIZE], mac[CONF_MAC_TEXT_SIZE];

		/* flood VTEPs added */
		for (size_t j = 0; j < b->n_flood; j++) {
			int v, ret;

			if (flood_listed(a, &b->flood[j]))
				continue;
			v = vtep_get_or_add(g, &b->flood[j]);
			if (v < 0)
				return v;
			ret = flood_list_add(g, i, (uint16_t)v);
			if (ret < 0 && ret != -EEXIST)
				return ret;
			store_sync_flood_static(g, i, &b->flood[j], true);
			change_log(g, i, "flood VTEP %s added",
				   conf_ip_format(&b->flood[j], addr, sizeof(addr)));
			changes++;
		}
		/* static MACs added or changed */
		for (size_t j = 0; j < b->n_static_macs; j++) {
			const struct conf_static_mac *sm = &b->static_macs[j];
			const struct conf_static_mac *old = static_mac_find(a, sm->mac);
			struct gw_fdb_key key = {.segment = i};
			uint64_t dest;
			int ret;

			if (old != NULL && static_mac_same(old, sm))
				continue;
			memcpy(key.mac, sm->mac, 6);
			if (sm->remote) {
				int v = vtep_get_or_add(g, &sm->vtep);
				if (v < 0)
					return v;
				dest = GW_DEST(GW_DEST_VTEP, v);
			} else {
				if (sm->member >= g->segments[i].n_members)
					return -EINVAL;
				dest = GW_DEST(GW_DEST_MEMBER, g->segments[i].members[sm->member]);
			}
			ret = fdb_set(g, &key, dest, FDB_ORIGIN_STATIC, (uint64_t)time(NULL));
			if (ret < 0)
				return ret;
			change_log(g, i, "static MAC %s %s",
				   conf_mac_format(sm->mac, mac, sizeof(mac)),
				   old != NULL ? "changed" : "added");
			changes++;
		}
		/* static MACs removed: only while the entry is still ours */
		for (size_t j = 0; j < a->n_static_macs; j++) {
			const struct conf_static_mac *sm = &a->static_macs[j];
			struct gw_fdb_key key = {.segment = i};
			enum fdb_origin_kind origin;
			uint64_t dest;

			if (static_mac_find(b, sm->mac) != NULL)
				continue;
			memcpy(key.mac, sm->mac, 6);
			if (fdb_get(g, &key, &dest, &origin) == 0 && origin == FDB_ORIGIN_STATIC)
				fdb_del(g, &key);
			change_log(g, i, "static MAC %s removed",
				   conf_mac_format(sm->mac, mac, sizeof(mac)));
			changes++;
		}
		/* flood VTEPs removed */
		for (size_t j = 0; j < a->n_flood; j++) {
			int v, ret;

			if (flood_listed(b, &a->flood[j]))
				continue;
			v = vtep_index(g, &a->flood[j]);
			if (v >= 0) {
				ret = flood_list_remove(g, i, (uint16_t)v);
				if (ret < 0 && ret != -ENOENT)
					return ret;
			}
			store_sync_flood_static(g, i, &a->flood[j], false);
			change_log(g, i, "flood VTEP %s removed",
				   conf_ip_format(&a->flood[j], addr, sizeof(addr)));
			changes++;
		}
		/* limits: single aligned stores the workers read as they are */
		struct gw_segment *s = &g->segments[i];
		uint32_t limit = effective_limit(to, b);
		if (s->mac_limit != limit || s->limit_action != b->limit_action) {
			telemetry_lock();
			__atomic_store_n(&s->mac_limit, limit, __ATOMIC_RELAXED);
			__atomic_store_n(&s->limit_action, b->limit_action, __ATOMIC_RELAXED);
			__atomic_store_n(&s->at_limit,
					 s->mac_limit != 0 && s->n_macs >= s->mac_limit,
					 __ATOMIC_RELAXED);
			telemetry_unlock();
			store_sync_segment_put(g, i);
			change_log(g, i, "mac_limit %u, limit_action %s", limit,
				   b->limit_action == CONF_LIMIT_DROP ? "drop" : "flood");
			changes++;
		}
	}
	return changes;
}

/* Settings read by the control thread from g->conf when it needs them
 * (aging period, encap template parameters): count them as changes. */
static int gateway_live_changes(const struct conf_gateway *a, const struct conf_gateway *b)
{
	int changes = 0;

	if (a->mac_aging != b->mac_aging) {
		GW_LOG(NOTICE, "reload: gateway.mac_aging %u -> %u", a->mac_aging, b->mac_aging);
		changes++;
	}
	if (a->mac_limit != b->mac_limit) {
		GW_LOG(NOTICE, "reload: gateway.mac_limit %u -> %u", a->mac_limit, b->mac_limit);
		changes++;
	}
	if (a->udp_src_min != b->udp_src_min || a->udp_src_max != b->udp_src_max ||
	    a->ttl != b->ttl || a->dscp_copy != b->dscp_copy || a->dscp != b->dscp ||
	    a->ecn_compat != b->ecn_compat || a->nvgre_flow_id != b->nvgre_flow_id) {
		GW_LOG(NOTICE, "reload: encapsulation settings changed: recompiling templates");
		changes++;
	}
	return changes;
}

int reload_run(struct gw *g)
{
	struct conf_errors errors = {0};
	struct conf_model *next = NULL, *previous = reload.running;
	char why[RELOAD_TEXT_MAX];
	static bool was_known[GW_MAX_VTEPS];
	int changes, ret;

	reload.last_time = (uint64_t)time(NULL);
	GW_LOG(NOTICE, "reload: reading %s", reload.path);
	if (conf_load(reload.path, &next, &errors) < 0) {
		for (size_t i = 0; i < errors.n; i++)
			GW_LOG(ERR, "reload: %s", errors.items[i]);
		if (errors.n > 0)
			reload_refused(&reload.invalid, "%s", errors.items[0]);
		else
			reload_refused(&reload.invalid, "%s: cannot load: %s", reload.path,
				       strerror(errno));
		GW_LOG(ERR, "reload: refused (%zu error(s)); running configuration unchanged",
		       errors.n);
		conf_errors_clear(&errors);
		return -EINVAL;
	}
	conf_errors_clear(&errors);

	ret = reload_check(previous, next, why, sizeof(why));
	if (ret < 0) {
		GW_LOG(ERR, "reload: refused: %s; running configuration unchanged", why);
		reload_refused(&reload.needs_restart, "%s", why);
		conf_free(next);
		return ret;
	}

	for (uint32_t v = 0; v < GW_MAX_VTEPS; v++)
		was_known[v] = v < g->n_vteps && g->vteps[v].in_use;
	changes = converge(g, previous, next);
	if (changes < 0) {
		ret = changes;
		GW_LOG(ERR, "reload: refused: a table refused a change: %s; rolling back",
		       strerror(-ret));
		if (converge(g, next, previous) < 0)
			GW_LOG(ERR, "reload: rollback incomplete: restart vtepgw to get a "
				    "consistent state");
		vteps_static_recount(g, previous, was_known);
		reload_refused(&reload.apply_failed, "%s: applying failed: %s", reload.path,
			       strerror(-ret));
		conf_free(next);
		return ret;
	}
	changes += gateway_live_changes(&previous->gateway, &next->gateway);

	/* The new model is the running one. Nothing but the control thread
	 * and telemetry (under its lock) reads g->conf; workers never do. */
	telemetry_lock();
	g->conf = next;
	reload.running = next;
	reload.ok++;
	reload.last_changes = (uint64_t)changes;
	reload.last_error[0] = '\0';
	telemetry_unlock();
	vteps_static_recount(g, next, was_known);
	vteps_mark_dirty(); /* new VTEPs resolve, templates follow the settings */
	conf_free(previous);
	GW_LOG(NOTICE, "reload: done, %d change(s) applied", changes);
	return 0;
}

void reload_poll(struct gw *g)
{
	if (!reload.requested)
		return;
	reload.requested = 0;
	reload_run(g);
}

static int cmd_reload(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	telemetry_lock();
	rte_tel_data_add_dict_string(d, "config", reload.path);
	rte_tel_data_add_dict_u64(d, "reload_ok", reload.ok);
	rte_tel_data_add_dict_u64(d, "reload_failed", reload.failed);
	rte_tel_data_add_dict_u64(d, "reload_invalid", reload.invalid);
	rte_tel_data_add_dict_u64(d, "reload_needs_restart", reload.needs_restart);
	rte_tel_data_add_dict_u64(d, "reload_apply_failed", reload.apply_failed);
	rte_tel_data_add_dict_u64(d, "reload_last_changes", reload.last_changes);
	rte_tel_data_add_dict_u64(d, "reload_last_time", reload.last_time);
	/* telemetry strings are limited to RTE_TEL_MAX_STRING_LEN */
	char text[RTE_TEL_MAX_STRING_LEN];
	memcpy(text, reload.last_error, sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	rte_tel_data_add_dict_string(d, "reload_last_error", text);
	telemetry_unlock();
	return 0;
}

int reload_telemetry_register(void)
{
	return rte_telemetry_register_cmd("/vtepgw/reload", cmd_reload,
					  "Configuration reloads (SIGHUP): done, refused, last "
					  "error") != 0
		       ? -EINVAL
		       : 0;
}
