/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Remote VTEPs and how to reach them. The kernel owns routing (FRR installs
 * routes into it): for each VTEP we look up the route in the netlink mirror,
 * keep the paths that leave through one of our TAP twins (that is, through
 * its uplink), take each next hop's MAC from the mirrored neighbour table,
 * and precompute one encap template per (segment, path) (STYLE.md rule 3).
 * A next hop without a MAC is handed to the kernel to resolve (ARP/ND on the
 * TAP twin); until then the VTEP is unresolved and its traffic is dropped as
 * `vtep_unresolved`. Any route/neighbour/link/address change re-resolves.
 * The compiled result is published by one pointer store and the old one is
 * freed after an RCU grace period, so traffic never stops for an update.
 *
 * An uplink whose link is down carries no path, whatever the kernel's route
 * says: the TAP twin keeps its carrier (it is ours), so zebra would go on
 * using that next hop until BFD or the BGP hold timer notice (~1 s to 9 s),
 * while every frame hashed to it is lost. The control loop polls the link
 * state of the uplinks (vteps_check_uplinks) and recompiles on a change.
 * Vdevs over a kernel interface (net_af_packet, net_af_xdp: "iface=NAME")
 * always report link up; their carrier comes from the netlink mirror's link
 * events for NAME instead (vteps_kernel_link).
 */
#include <errno.h>
#include <linux/neighbour.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "control/control.h"
#include "routing/netlink_mirror.h"

static struct netlink_mirror *vtep_mirror;
static bool vteps_dirty = true;
/* How many entries of the running configuration (static flood-list entries
 * and static MACs) name each VTEP. A VTEP with static references stays
 * known for decapsulation whatever EVPN does (vtep_forget is a no-op). */
static uint32_t static_refs[GW_MAX_VTEPS];

/* Link state of each uplink: as its PMD reports it, and as the kernel
 * reports the interface under a vdev. TAP twins and access ports are never
 * down here. */
static bool uplink_pmd_down[GW_MAX_PORTS];
static bool uplink_kernel_down[GW_MAX_PORTS];

static bool uplink_down(uint16_t port_id)
{
	return uplink_pmd_down[port_id] || uplink_kernel_down[port_id];
}

void vteps_set_mirror(struct netlink_mirror *mirror)
{
	vtep_mirror = mirror;
}

void vteps_mark_dirty(void)
{
	vteps_dirty = true;
}

static void vtep_key(const struct conf_ip *address, struct conf_ip *key)
{
	memset(key, 0, sizeof(*key));
	key->family = address->family;
	if (address->family == AF_INET)
		key->v4 = address->v4;
	else
		key->v6 = address->v6;
}

int vteps_init(struct gw *g)
{
	struct rte_hash_parameters params = {
		.name = "vteps",
		.entries = GW_MAX_VTEPS * 2,
		.key_len = sizeof(struct conf_ip),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct rte_hash_rcu_config rcu = {
		.v = g->qsbr,
		.mode = RTE_HASH_QSBR_MODE_DQ,
	};

	g->vtep_by_address = rte_hash_create(&params);
	if (g->vtep_by_address == NULL)
		return -rte_errno;
	if (rte_hash_rcu_qsbr_add(g->vtep_by_address, &rcu) != 0) {
		rte_hash_free(g->vtep_by_address);
		g->vtep_by_address = NULL;
		return -EINVAL;
	}
	g->n_vteps = 0;
	return 0;
}

void vteps_free(struct gw *g)
{
	for (uint32_t i = 0; i < g->n_vteps; i++) {
		rte_free(g->vteps[i].forwarding);
		g->vteps[i].forwarding = NULL;
	}
	rte_hash_free(g->vtep_by_address);
	g->vtep_by_address = NULL;
}

int vtep_get_or_add(struct gw *g, const struct conf_ip *address)
{
	struct conf_ip key;
	void *data;
	int ret;

	if (address->family != AF_INET && address->family != AF_INET6)
		return -EAFNOSUPPORT;
	vtep_key(address, &key);
	if (rte_hash_lookup_data(g->vtep_by_address, &key, &data) >= 0)
		return (int)(uintptr_t)data;
	/* A forgotten VTEP (vtep_forget) comes back in its old slot: FDB
	 * entries and counters keep meaning the same address. */
	for (uint32_t i = 0; i < g->n_vteps; i++) {
		if (g->vteps[i].in_use || !conf_ip_equal(&g->vteps[i].address, &key))
			continue;
		ret = rte_hash_add_key_data(g->vtep_by_address, &key, (void *)(uintptr_t)i);
		if (ret < 0)
			return ret;
		g->vteps[i].in_use = true;
		vteps_dirty = true;
		return (int)i;
	}
	if (g->n_vteps == GW_MAX_VTEPS)
		return -ENOSPC;
	struct gw_vtep *v = &g->vteps[g->n_vteps];
	memset(v, 0, sizeof(*v));
	v->address = key;
	v->in_use = true;
	ret = rte_hash_add_key_data(g->vtep_by_address, &key, (void *)(uintptr_t)g->n_vteps);
	if (ret < 0)
		return ret;
	vteps_dirty = true;
	return (int)g->n_vteps++;
}

void vtep_forget(struct gw *g, uint32_t index)
{
	struct gw_vtep *v;

	if (index >= g->n_vteps || !g->vteps[index].in_use || static_refs[index] > 0)
		return;
	v = &g->vteps[index];
	/* Workers that still see the key decapsulate one more frame from it;
	 * the hash reclaims the slot after an RCU grace period. */
	rte_hash_del_key(g->vtep_by_address, &v->address);
	v->in_use = false;
}

int vtep_index(const struct gw *g, const struct conf_ip *address)
{
	struct conf_ip key;
	void *data;

	if (address->family != AF_INET && address->family != AF_INET6)
		return -EAFNOSUPPORT;
	vtep_key(address, &key);
	if (rte_hash_lookup_data(g->vtep_by_address, &key, &data) < 0)
		return -ENOENT;
	return (int)(uintptr_t)data;
}

int vtep_static_acquire(struct gw *g, const struct conf_ip *address)
{
	int v = vtep_get_or_add(g, address);

	if (v >= 0)
		static_refs[v]++;
	return v;
}

static int fdb_mark_vteps(const struct fdb_view *view, void *arg)
{
	bool *named = arg;

	if (GW_DEST_KIND(view->dest) == GW_DEST_VTEP && GW_DEST_INDEX(view->dest) < GW_MAX_VTEPS)
		named[GW_DEST_INDEX(view->dest)] = true;
	return 0;
}

void vteps_static_recount(struct gw *g, const struct conf_model *model, const bool *was_known)
{
	static uint32_t refs[GW_MAX_VTEPS];
	static bool flood[GW_MAX_VTEPS], named[GW_MAX_VTEPS];

	memset(refs, 0, sizeof(refs));
	memset(flood, 0, sizeof(flood));
	memset(named, 0, sizeof(named));
	for (size_t i = 0; i < model->n_segments; i++) {
		const struct conf_segment *cs = &model->segments[i];
		for (size_t j = 0; j < cs->n_flood; j++) {
			int v = vtep_index(g, &cs->flood[j]);
			if (v >= 0) {
				refs[v]++;
				flood[v] = true;
			}
		}
		for (size_t j = 0; j < cs->n_static_macs; j++) {
			int v = cs->static_macs[j].remote ? vtep_index(g, &cs->static_macs[j].vtep)
							  : -1;
			if (v >= 0)
				refs[v]++;
		}
	}
	/* Whatever a flood list (static or EVPN) or a MAC (any origin) names
	 * must stay known for decapsulation. */
	for (uint16_t i = 0; i < g->n_segments; i++) {
		const struct gw_flood_list *list = g->segments[i].flood;
		for (uint16_t f = 0; list != NULL && f < list->n; f++)
			named[list->vteps[f]] = true;
	}
	fdb_walk(g, fdb_mark_vteps, named);
	for (uint32_t v = 0; v < g->n_vteps; v++) {
		/* lost its last static reference, or made known for a change
		 * that was rolled back */
		bool unreferenced = refs[v] == 0 &&
				    (static_refs[v] > 0 || (was_known != NULL && !was_known[v]));

		static_refs[v] = refs[v];
		g->vteps[v].static_flood = flood[v];
		if (unreferenced && g->vteps[v].in_use && !named[v]) {
			char addr[INET6_ADDRSTRLEN];
			vtep_forget(g, v);
			GW_LOG(NOTICE, "vtep %s: no longer configured, unknown for decapsulation",
			       conf_ip_format(&g->vteps[v].address, addr, sizeof(addr)));
		}
	}
}

static int tap_port_by_ifindex(const struct gw *g, int ifindex)
{
	for (uint16_t p = 0; p < GW_MAX_PORTS; p++)
		if (g->ports[p].kind == GW_PORT_TAP && g->ports[p].tap_ifindex == ifindex)
			return p;
	return -1;
}

static bool neighbour_usable(const struct netlink_neighbour *n)
{
	return n != NULL && n->has_mac && !(n->state & (NUD_FAILED | NUD_INCOMPLETE));
}

static void tunnel_params_fill(const struct gw *g, const struct gw_vtep *v,
			       const struct gw_segment *s, const struct gw_port *uplink,
			       const uint8_t dst_mac[6], struct tunnel_params *tp)
{
	const struct conf_gateway *c = &g->conf->gateway;

	memset(tp, 0, sizeof(*tp));
	tp->type = s->type == CONF_SEGMENT_NVGRE ? TUNNEL_NVGRE : TUNNEL_VXLAN;
	tp->family = v->address.family;
	memcpy(tp->src_mac, uplink->mac.addr_bytes, 6);
	memcpy(tp->dst_mac, dst_mac, 6);
	tp->outer_vlan = uplink->underlay_vlan;
	if (v->address.family == AF_INET) {
		tp->src.v4 = c->vtep_v4.v4;
		tp->dst.v4 = v->address.v4;
	} else {
		tp->src.v6 = c->vtep_v6.v6;
		tp->dst.v6 = v->address.v6;
	}
	tp->udp_dst_port = c->vxlan_port;
	tp->udp_src_min = c->udp_src_min;
	tp->udp_src_max = c->udp_src_max;
	tp->ttl = c->ttl;
	tp->dscp_mode = c->dscp_copy ? DSCP_MODE_COPY : DSCP_MODE_SET;
	tp->dscp = c->dscp;
	tp->ecn_mode = c->ecn_compat ? ECN_MODE_COMPAT : ECN_MODE_NORMAL;
	tp->segment_id = s->id;
	tp->nvgre_flow_id = c->nvgre_flow_id;
}

/* Compute what the VTEP's forwarding should be now; NULL when unresolved. */
static struct gw_vtep_forwarding *vtep_compile(struct gw *g, struct gw_vtep *v)
{
	const struct conf_gateway *c = &g->conf->gateway;
	const struct netlink_route *route;
	struct {
		uint16_t port_id;
		uint8_t mac[6];
		struct conf_ip nexthop;
	} paths[GW_MAX_PATHS];
	uint16_t n_paths = 0;

	v->resolved = false;
	if (vtep_mirror == NULL)
		return NULL;
	if ((v->address.family == AF_INET && c->vtep_v4.family != AF_INET) ||
	    (v->address.family == AF_INET6 && c->vtep_v6.family != AF_INET6))
		return NULL; /* no source address of that family */
	route = netlink_mirror_route_lookup(vtep_mirror, &v->address);
	if (route == NULL)
		return NULL;
	for (size_t i = 0; i < route->n_paths && n_paths < GW_MAX_PATHS; i++) {
		const struct netlink_nexthop *nh = &route->paths[i];
		const struct netlink_neighbour *n;
		struct conf_ip gateway = nh->gateway.family ? nh->gateway : v->address;
		int tap = tap_port_by_ifindex(g, nh->ifindex);

		if (tap < 0)
			continue; /* not through one of our uplinks */
		if (uplink_down(g->ports[tap].twin))
			continue; /* its uplink has no link: frames would be lost */
		v->nexthop = gateway;
		v->nexthop_port = g->ports[tap].twin;
		n = netlink_mirror_neighbour(vtep_mirror, nh->ifindex, &gateway);
		if (!neighbour_usable(n)) {
			netlink_mirror_resolve(vtep_mirror, nh->ifindex, &gateway);
			continue;
		}
		paths[n_paths].port_id = g->ports[tap].twin;
		memcpy(paths[n_paths].mac, n->mac, 6);
		paths[n_paths].nexthop = gateway;
		n_paths++;
	}
	if (n_paths == 0)
		return NULL;

	size_t n_templates = (size_t)g->n_segments * n_paths;
	struct gw_vtep_forwarding *f = rte_zmalloc(
		"vtep_forwarding", sizeof(*f) + n_templates * sizeof(struct encap_template), 0);
	if (f == NULL)
		return NULL;
	f->n_paths = n_paths;
	f->n_segments = g->n_segments;
	for (uint16_t p = 0; p < n_paths; p++)
		f->port_id[p] = paths[p].port_id;
	for (uint16_t s = 0; s < g->n_segments; s++) {
		for (uint16_t p = 0; p < n_paths; p++) {
			struct tunnel_params tp;
			tunnel_params_fill(g, v, &g->segments[s], &g->ports[paths[p].port_id],
					   paths[p].mac, &tp);
			if (encap_template_init(&f->templates[s * n_paths + p], &tp) < 0)
				/* a zero-length template makes the worker drop
				 * (encap_failed) */
				f->templates[s * n_paths + p].len = 0;
		}
	}
	v->resolved = true;
	v->nexthop = paths[0].nexthop;
	v->nexthop_port = paths[0].port_id;
	memcpy(v->nexthop_mac, paths[0].mac, 6);
	return f;
}

static void uplink_link_changed(struct gw *g, uint16_t p, bool was_down)
{
	if (uplink_down(p) == was_down)
		return;
	vteps_dirty = true;
	GW_LOG(NOTICE, "uplink %s: link %s", g->ports[p].name, uplink_down(p) ? "down" : "up");
}

void vteps_check_uplinks(struct gw *g)
{
	for (uint16_t p = 0; p < GW_MAX_PORTS; p++) {
		struct rte_eth_link link;
		bool was_down = uplink_down(p);

		if (g->ports[p].kind != GW_PORT_UPLINK || !g->ports[p].started)
			continue;
		/* A PMD that cannot tell is taken as up (the kernel's route
		 * and BFD still decide then). */
		if (rte_eth_link_get_nowait(p, &link) != 0)
			continue;
		uplink_pmd_down[p] = link.link_status == RTE_ETH_LINK_DOWN;
		uplink_link_changed(g, p, was_down);
	}
}

/* Does the uplink's device string name the kernel interface NAME
 * ("...,iface=NAME[,...]")? */
static bool uplink_over_iface(const struct gw *g, uint16_t p, const char *name)
{
	const char *device, *iface;
	size_t length = strlen(name);

	if (g->ports[p].conf_index < 0 || (size_t)g->ports[p].conf_index >= g->conf->n_ports)
		return false;
	device = g->conf->ports[g->ports[p].conf_index].device;
	for (iface = strstr(device, "iface="); iface != NULL; iface = strstr(iface + 1, "iface=")) {
		if ((iface == device || iface[-1] == ',') &&
		    strncmp(iface + 6, name, length) == 0 &&
		    (iface[6 + length] == '\0' || iface[6 + length] == ','))
			return true;
	}
	return false;
}

void vteps_kernel_link(struct gw *g, bool present, const struct netlink_link *link)
{
	if (link->name[0] == '\0')
		return;
	for (uint16_t p = 0; p < GW_MAX_PORTS; p++) {
		bool was_down = uplink_down(p);

		if (g->ports[p].kind != GW_PORT_UPLINK || !uplink_over_iface(g, p, link->name))
			continue;
		uplink_kernel_down[p] = !present || !link->up;
		uplink_link_changed(g, p, was_down);
	}
}

static size_t forwarding_size(const struct gw_vtep_forwarding *f)
{
	return sizeof(*f) + (size_t)f->n_segments * f->n_paths * sizeof(struct encap_template);
}

void vteps_resolve_pending(struct gw *g)
{
	bool changed = false;
	struct gw_vtep_forwarding *old[GW_MAX_VTEPS];
	uint32_t n_old = 0;

	if (!vteps_dirty)
		return;
	vteps_dirty = false;
	telemetry_lock();
	for (uint32_t i = 0; i < g->n_vteps; i++) {
		struct gw_vtep *v = &g->vteps[i];
		struct gw_vtep_forwarding *f = vtep_compile(g, v);
		struct gw_vtep_forwarding *cur = v->forwarding;

		if (f == NULL && cur == NULL)
			continue;
		if (f != NULL && cur != NULL && forwarding_size(f) == forwarding_size(cur) &&
		    memcmp(f, cur, forwarding_size(f)) == 0) {
			rte_free(f);
			continue;
		}
		__atomic_store_n(&v->forwarding, f, __ATOMIC_RELEASE);
		if (cur != NULL)
			old[n_old++] = cur;
		changed = true;
		char addr[INET6_ADDRSTRLEN];
		GW_LOG(INFO, "vtep %s: %s", conf_ip_format(&v->address, addr, sizeof(addr)),
		       f ? "resolved" : "unresolved");
	}
	telemetry_unlock();
	if (changed && n_old > 0) {
		rcu_synchronize(g);
		for (uint32_t i = 0; i < n_old; i++)
			rte_free(old[i]);
	}
}
