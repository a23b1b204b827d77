/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters and tables over DPDK telemetry (socket
 * /var/run/dpdk/<file-prefix>/dpdk_telemetry.v2), read by vtepctl:
 *   /vtepgw/ports     name -> {role, port_id, link_up, mac, tap, rx_/tx_ packets/bytes}
 *   /vtepgw/segments  name -> {type, id, learning, macs, mac_limit, moves, rx_/tx_..., flood}
 *   /vtepgw/vteps     key -> {address, resolved, nexthop, port, mac, tx_/rx_...}
 *   /vtepgw/drops     reason -> count (every reason, zeros included)
 *   /vtepgw/fdb[,OFFSET]  "segment/mac" key -> {segment, mac, dest, origin, age}
 *   /vtepgw/stats     totals: punted, from_tap, flood_copies, learn_ring_drops, ...
 * DPDK 22.11 only accepts [A-Za-z0-9_/] in dict keys, so keys that would
 * hold '.', ':' or '-' have those replaced by '_' and the real value is
 * repeated inside the entry (address, mac, name). It also caps a dict at
 * 256 entries and a reply at 16 KiB: /vtepgw/fdb returns at most
 * FDB_PAGE entries from OFFSET and a "next" entry when more remain.
 * Counters are per lcore and summed here; the sum of concurrently
 * incremented 64-bit counters is approximate by at most a burst.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_telemetry.h>

#include "control/control.h"

#define FDB_PAGE 64

static pthread_mutex_t telemetry_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct gw *tg;

void telemetry_lock(void)
{
	pthread_mutex_lock(&telemetry_mutex);
}

void telemetry_unlock(void)
{
	pthread_mutex_unlock(&telemetry_mutex);
}

static void key_sanitize(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < size; i++) {
		char c = in[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '/';
		out[i] = ok ? c : '_';
	}
	out[i] = '\0';
}

static void io_sum(struct gw_io_counters *sum, size_t offset_kind, size_t index)
{
	unsigned lcore;

	memset(sum, 0, sizeof(*sum));
	for (lcore = 0; lcore < RTE_MAX_LCORE; lcore++) {
		const struct gw_lcore_counters *c = tg->counters[lcore];
		const struct gw_io_counters *io;
		if (c == NULL)
			continue;
		if (offset_kind == 0)
			io = &c->port[index];
		else if (offset_kind == 1)
			io = &c->segment[index];
		else
			io = &c->vtep[index];
		sum->rx.packets += io->rx.packets;
		sum->rx.bytes += io->rx.bytes;
		sum->tx.packets += io->tx.packets;
		sum->tx.bytes += io->tx.bytes;
	}
}

static void io_add(struct rte_tel_data *d, const struct gw_io_counters *io)
{
	rte_tel_data_add_dict_u64(d, "rx_packets", io->rx.packets);
	rte_tel_data_add_dict_u64(d, "rx_bytes", io->rx.bytes);
	rte_tel_data_add_dict_u64(d, "tx_packets", io->tx.packets);
	rte_tel_data_add_dict_u64(d, "tx_bytes", io->tx.bytes);
}

static int cmd_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	for (uint16_t p = 0; p < GW_MAX_PORTS; p++) {
		const struct gw_port *port = &tg->ports[p];
		struct rte_tel_data *e;
		struct rte_eth_link link;
		struct gw_io_counters io;
		char key[CONF_NAME_MAX], mac[RTE_ETHER_ADDR_FMT_SIZE];

		if (port->kind != GW_PORT_ACCESS && port->kind != GW_PORT_UPLINK)
			continue;
		e = rte_tel_data_alloc();
		if (e == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "name", port->name);
		rte_tel_data_add_dict_string(e, "role",
					     port->kind == GW_PORT_UPLINK ? "uplink" : "access");
		rte_tel_data_add_dict_int(e, "port_id", p);
		memset(&link, 0, sizeof(link));
		rte_eth_link_get_nowait(p, &link);
		rte_tel_data_add_dict_int(e, "link_up", link.link_status ? 1 : 0);
		rte_ether_format_addr(mac, sizeof(mac), &port->mac);
		rte_tel_data_add_dict_string(e, "mac", mac);
		rte_tel_data_add_dict_string(
			e, "tap", port->kind == GW_PORT_UPLINK ? tg->ports[port->twin].name : "");
		io_sum(&io, 0, p);
		io_add(e, &io);
		key_sanitize(port->name, key, sizeof(key));
		rte_tel_data_add_dict_container(d, key, e, 0);
	}
	return 0;
}

static const char *learning_name(enum conf_learning l)
{
	switch (l) {
	case CONF_LEARNING_DATAPLANE:
		return "dataplane";
	case CONF_LEARNING_EVPN:
		return "evpn";
	default:
		return "static";
	}
}

static int cmd_segments(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	telemetry_lock();
	for (uint16_t i = 0; i < tg->n_segments; i++) {
		const struct gw_segment *s = &tg->segments[i];
		struct rte_tel_data *e = rte_tel_data_alloc(), *flood = rte_tel_data_alloc();
		struct gw_io_counters io;
		char key[CONF_NAME_MAX];

		if (e == NULL || flood == NULL) {
			rte_tel_data_free(e);
			rte_tel_data_free(flood);
			telemetry_unlock();
			return -ENOMEM;
		}
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "name", s->name);
		rte_tel_data_add_dict_string(e, "type",
					     s->type == CONF_SEGMENT_NVGRE ? "nvgre" : "vxlan");
		rte_tel_data_add_dict_u64(e, "id", s->id);
		rte_tel_data_add_dict_string(e, "learning", learning_name(s->learning));
		rte_tel_data_add_dict_u64(e, "macs", s->n_macs);
		rte_tel_data_add_dict_u64(e, "mac_limit", s->mac_limit);
		rte_tel_data_add_dict_u64(e, "moves", s->moves);
		io_sum(&io, 1, i);
		io_add(e, &io);
		rte_tel_data_start_array(flood, RTE_TEL_STRING_VAL);
		for (uint16_t f = 0; f < s->n_flood; f++) {
			char addr[INET6_ADDRSTRLEN];
			conf_ip_format(&tg->vteps[s->flood[f]].address, addr, sizeof(addr));
			rte_tel_data_add_array_string(flood, addr);
		}
		rte_tel_data_add_dict_container(e, "flood", flood, 0);
		key_sanitize(s->name, key, sizeof(key));
		rte_tel_data_add_dict_container(d, key, e, 0);
	}
	telemetry_unlock();
	return 0;
}

static int cmd_vteps(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	telemetry_lock();
	for (uint32_t i = 0; i < tg->n_vteps && i < RTE_TEL_MAX_DICT_ENTRIES; i++) {
		const struct gw_vtep *v = &tg->vteps[i];
		struct rte_tel_data *e = rte_tel_data_alloc();
		struct gw_io_counters io;
		char addr[INET6_ADDRSTRLEN], key[INET6_ADDRSTRLEN], mac[24];

		if (e == NULL)
			break;
		rte_tel_data_start_dict(e);
		conf_ip_format(&v->address, addr, sizeof(addr));
		rte_tel_data_add_dict_string(e, "address", addr);
		rte_tel_data_add_dict_int(e, "resolved", v->resolved ? 1 : 0);
		if (v->nexthop.family != 0)
			conf_ip_format(&v->nexthop, addr, sizeof(addr));
		else
			addr[0] = '\0';
		rte_tel_data_add_dict_string(e, "nexthop", addr);
		rte_tel_data_add_dict_string(
			e, "port", v->nexthop.family ? tg->ports[v->nexthop_port].name : "");
		conf_mac_format(v->nexthop_mac, mac, sizeof(mac));
		rte_tel_data_add_dict_string(e, "mac", v->resolved ? mac : "");
		io_sum(&io, 2, i);
		io_add(e, &io);
		conf_ip_format(&v->address, addr, sizeof(addr));
		key_sanitize(addr, key, sizeof(key));
		rte_tel_data_add_dict_container(d, key, e, 0);
	}
	telemetry_unlock();
	return 0;
}

static int cmd_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	for (int r = 0; r < GW_DROP_COUNT; r++) {
		uint64_t sum = 0;
		if (!gw_drop_is_reported((enum gw_drop)r))
			continue;
		for (unsigned lcore = 0; lcore < RTE_MAX_LCORE; lcore++)
			if (tg->counters[lcore] != NULL)
				sum += tg->counters[lcore]->drops[r];
		rte_tel_data_add_dict_u64(d, gw_drop_name((enum gw_drop)r), sum);
	}
	return 0;
}

static int cmd_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t punted = 0, from_tap = 0, copies = 0, limit = 0, polls = 0, sleeps = 0;

	(void)cmd, (void)params;
	for (unsigned lcore = 0; lcore < RTE_MAX_LCORE; lcore++) {
		const struct gw_lcore_counters *c = tg->counters[lcore];
		if (c == NULL)
			continue;
		punted += c->punted;
		from_tap += c->from_tap;
		copies += c->flood_copies;
		limit += c->mac_limit_flooded;
		polls += c->polls;
		sleeps += c->idle_sleeps;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "punted_to_tap", punted);
	rte_tel_data_add_dict_u64(d, "from_tap", from_tap);
	rte_tel_data_add_dict_u64(d, "flood_copies", copies);
	rte_tel_data_add_dict_u64(d, "mac_limit_flooded", limit);
	rte_tel_data_add_dict_u64(d, "polls", polls);
	rte_tel_data_add_dict_u64(d, "idle_sleeps", sleeps);
	rte_tel_data_add_dict_u64(d, "workers", tg->n_workers);
	return 0;
}

struct fdb_dump {
	struct rte_tel_data *d;
	unsigned skip;
	unsigned count;
	unsigned index;
	bool more;
};

static const char *origin_name(enum fdb_origin_kind o)
{
	switch (o) {
	case FDB_ORIGIN_STATIC:
		return "static";
	case FDB_ORIGIN_EVPN:
		return "evpn";
	default:
		return "learned";
	}
}

static int fdb_dump_one(const struct fdb_view *view, void *arg)
{
	struct fdb_dump *dump = arg;
	const struct gw_segment *s = &tg->segments[view->key.segment];
	struct rte_tel_data *e;
	char mac[24], key[96], raw[96], dest[80], addr[INET6_ADDRSTRLEN];

	if (dump->index++ < dump->skip)
		return 0;
	if (dump->count == FDB_PAGE) {
		dump->more = true;
		return 1;
	}
	e = rte_tel_data_alloc();
	if (e == NULL)
		return 1;
	conf_mac_format(view->key.mac, mac, sizeof(mac));
	rte_tel_data_start_dict(e);
	rte_tel_data_add_dict_string(e, "segment", s->name);
	rte_tel_data_add_dict_string(e, "mac", mac);
	if (GW_DEST_KIND(view->dest) == GW_DEST_MEMBER) {
		const struct gw_member *m = &tg->members[GW_DEST_INDEX(view->dest)];
		snprintf(dest, sizeof(dest), "%s:%u", tg->ports[m->port_id].name, m->vlan);
	} else {
		conf_ip_format(&tg->vteps[GW_DEST_INDEX(view->dest)].address, addr, sizeof(addr));
		snprintf(dest, sizeof(dest), "vtep:%s", addr);
	}
	rte_tel_data_add_dict_string(e, "dest", dest);
	rte_tel_data_add_dict_string(e, "origin", origin_name(view->origin));
	rte_tel_data_add_dict_u64(e, "age", view->age);
	snprintf(raw, sizeof(raw), "%s/%s", s->name, mac);
	key_sanitize(raw, key, sizeof(key));
	rte_tel_data_add_dict_container(dump->d, key, e, 0);
	dump->count++;
	return 0;
}

static int cmd_fdb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct fdb_dump dump = {.d = d};

	(void)cmd;
	if (params != NULL && *params != '\0')
		dump.skip = (unsigned)strtoul(params, NULL, 10);
	rte_tel_data_start_dict(d);
	telemetry_lock();
	fdb_walk(tg, fdb_dump_one, &dump);
	telemetry_unlock();
	if (dump.more)
		rte_tel_data_add_dict_u64(d, "next", dump.skip + dump.count);
	return 0;
}

int telemetry_register(struct gw *g)
{
	int ret = 0;

	tg = g;
	ret |= rte_telemetry_register_cmd("/vtepgw/ports", cmd_ports,
					  "Ports: role, link, MAC, TAP twin, counters");
	ret |= rte_telemetry_register_cmd(
		"/vtepgw/segments", cmd_segments,
		"Segments: type, id, learning, MACs, counters, flood list");
	ret |= rte_telemetry_register_cmd("/vtepgw/vteps", cmd_vteps,
					  "Remote VTEPs: next hop, resolution, counters");
	ret |= rte_telemetry_register_cmd("/vtepgw/drops", cmd_drops,
					  "Drop counters by reason, summed over lcores");
	ret |= rte_telemetry_register_cmd("/vtepgw/fdb", cmd_fdb,
					  "MAC table, 64 entries per call. Param: offset");
	ret |= rte_telemetry_register_cmd("/vtepgw/stats", cmd_stats,
					  "Punts, TAP frames, flood copies, worker polls");
	return ret ? -EINVAL : 0;
}
