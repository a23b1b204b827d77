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
 */
#include <errno.h>
#include <linux/neighbour.h>
#include <stdio.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "control/control.h"
#include "routing/netlink_mirror.h"

static struct netlink_mirror *vtep_mirror;
static bool vteps_dirty = true;

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
