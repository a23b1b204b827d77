/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: every configured port is opened from its `device` string (a vdev
 * such as "net_af_packet0,iface=veth1" is probed here; a PCI address was
 * allow-listed on the EAL command line), configured with one TX queue per
 * worker and up to one RX queue per worker (RSS when there are several),
 * and started. Each uplink gets a kernel TAP twin (net_tap) carrying the
 * uplink's MAC: the kernel and FRR see the underlay through it (DESIGN.md).
 * The TAP stays open for the daemon's whole life: a TAP without a process
 * holding it has no carrier, and zebra then withdraws everything.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "control/control.h"

int port_id_by_conf_index(const struct gw *g, int conf_index)
{
	for (uint16_t p = 0; p < GW_MAX_PORTS; p++) {
		const struct gw_port *port = &g->ports[p];
		if ((port->kind == GW_PORT_ACCESS || port->kind == GW_PORT_UPLINK) &&
		    port->conf_index == conf_index)
			return p;
	}
	return -1;
}

/* The DPDK device name is the device string up to the first comma. */
static void device_name(const char *device, char *name, size_t size)
{
	size_t n = strcspn(device, ",");

	if (n >= size)
		n = size - 1;
	memcpy(name, device, n);
	name[n] = '\0';
}

static int device_open(const char *device, uint16_t *port_id, bool *probed)
{
	char name[CONF_DEVICE_MAX];
	int ret;

	device_name(device, name, sizeof(name));
	*probed = false;
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	ret = rte_dev_probe(device);
	if (ret == -1)
		return -ENODEV; /* some drivers return -1, not an errno */
	if (ret < 0)
		return ret;
	*probed = true;
	if (rte_eth_dev_get_port_by_name(name, port_id) != 0)
		return -ENODEV;
	return 0;
}

static int port_configure(struct gw *g, uint16_t port_id, uint16_t want_rx, char *err,
			  size_t err_size, const char *what)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf eth_conf;
	struct gw_port *port = &g->ports[port_id];
	uint16_t n_rx, n_tx = (uint16_t)g->n_workers;
	int ret;

	ret = rte_eth_dev_info_get(port_id, &info);
	if (ret < 0) {
		snprintf(err, err_size, "%s: cannot query the device: %s", what, strerror(-ret));
		return ret;
	}
	if (info.max_tx_queues < n_tx) {
		snprintf(err, err_size,
			 "%s: the device has %u TX queue(s), vtepgw needs one per worker (%u); "
			 "e.g. add qpairs=%u to a net_af_packet device",
			 what, info.max_tx_queues, n_tx, n_tx);
		return -EINVAL;
	}
	n_rx = want_rx < info.max_rx_queues ? want_rx : info.max_rx_queues;
	if (n_rx == 0)
		n_rx = 1;
	memset(&eth_conf, 0, sizeof(eth_conf));
	if (n_rx > 1 && info.flow_type_rss_offloads != 0) {
		eth_conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		eth_conf.rx_adv_conf.rss_conf.rss_hf =
			info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP);
	} else if (n_rx > 1) {
		n_rx = 1;
	}
	/* Chained mbufs must work on every path (R6): accept them when the
	 * device can produce or send them. */
	eth_conf.rxmode.offloads = info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER;
	eth_conf.txmode.offloads = info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	ret = rte_eth_dev_configure(port_id, n_rx, n_tx, &eth_conf);
	if (ret < 0) {
		snprintf(err, err_size, "%s: cannot configure the device: %s", what,
			 strerror(-ret));
		return ret;
	}
	if (port->mtu != 0) {
		ret = rte_eth_dev_set_mtu(port_id, port->mtu);
		if (ret < 0 && ret != -ENOTSUP)
			GW_LOG(WARNING, "%s: cannot set MTU %u: %s", what, port->mtu,
			       strerror(-ret));
	}
	for (uint16_t q = 0; q < n_rx; q++) {
		ret = rte_eth_rx_queue_setup(port_id, q, 1024, rte_eth_dev_socket_id(port_id), NULL,
					     g->pool);
		if (ret < 0) {
			snprintf(err, err_size, "%s: cannot set up RX queue %u: %s", what, q,
				 strerror(-ret));
			return ret;
		}
	}
	for (uint16_t q = 0; q < n_tx; q++) {
		ret = rte_eth_tx_queue_setup(port_id, q, 1024, rte_eth_dev_socket_id(port_id),
					     NULL);
		if (ret < 0) {
			snprintf(err, err_size, "%s: cannot set up TX queue %u: %s", what, q,
				 strerror(-ret));
			return ret;
		}
	}
	ret = rte_eth_dev_start(port_id);
	if (ret < 0) {
		snprintf(err, err_size, "%s: cannot start the device: %s", what, strerror(-ret));
		return ret;
	}
	port->started = true;
	port->n_rx_queues = n_rx;
	port->n_tx_queues = n_tx;
	/* Access ports carry every server MAC; uplinks are filtered by us
	 * (not_our_mac) so that the drop is counted. */
	rte_eth_promiscuous_enable(port_id);
	rte_eth_allmulticast_enable(port_id);
	return 0;
}

static int tap_twin_open(struct gw *g, uint16_t uplink_id, char *err, size_t err_size)
{
	struct gw_port *uplink = &g->ports[uplink_id];
	char device[CONF_DEVICE_MAX], ifname[IF_NAMESIZE], what[64];
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	uint16_t tap_id;
	bool probed;
	int ret;

	snprintf(ifname, sizeof(ifname), "%s", uplink->name);
	rte_ether_format_addr(mac, sizeof(mac), &uplink->mac);
	snprintf(device, sizeof(device), "net_tap_vtepgw%u,iface=%s,mac=%s", uplink_id, ifname,
		 mac);
	snprintf(what, sizeof(what), "port %s: TAP twin %s", uplink->name, ifname);
	ret = device_open(device, &tap_id, &probed);
	if (ret < 0) {
		snprintf(err, err_size, "%s: cannot create it: %s", what, strerror(-ret));
		return ret;
	}
	if (tap_id >= GW_MAX_PORTS) {
		snprintf(err, err_size, "%s: too many ports", what);
		return -ENOSPC;
	}
	struct gw_port *tap = &g->ports[tap_id];
	tap->kind = GW_PORT_TAP;
	tap->port_id = tap_id;
	tap->conf_index = uplink->conf_index;
	tap->twin = uplink_id;
	tap->mtu = uplink->mtu;
	tap->mac = uplink->mac;
	snprintf(tap->name, sizeof(tap->name), "%s", ifname);
	device_name(device, tap->device, sizeof(tap->device));
	uplink->twin = tap_id;
	ret = port_configure(g, tap_id, 1, err, err_size, what);
	if (ret < 0)
		return ret;
	tap->tap_ifindex = (int)if_nametoindex(ifname);
	if (tap->tap_ifindex == 0) {
		snprintf(err, err_size, "%s: no kernel interface after start", what);
		return -ENODEV;
	}
	return 0;
}

int ports_open(struct gw *g, char *err, size_t err_size)
{
	const struct conf_model *conf = g->conf;

	for (uint16_t p = 0; p < GW_MAX_PORTS; p++)
		g->ports[p].conf_index = -1;
	for (size_t i = 0; i < conf->n_ports; i++) {
		const struct conf_port *cp = &conf->ports[i];
		struct gw_port *port;
		char what[CONF_DEVICE_MAX + 2 * CONF_NAME_MAX + 64];
		uint16_t port_id;
		bool probed;
		int ret;

		snprintf(what, sizeof(what), "%s:%d: port %s (%s)", conf->source, cp->line,
			 cp->name, cp->device);
		ret = device_open(cp->device, &port_id, &probed);
		if (ret < 0) {
			snprintf(err, err_size, "%s: cannot open the device: %s", what,
				 strerror(-ret));
			return ret;
		}
		if (port_id >= GW_MAX_PORTS || g->ports[port_id].kind != GW_PORT_UNUSED) {
			snprintf(err, err_size, "%s: device already used or too many ports", what);
			return -EBUSY;
		}
		port = &g->ports[port_id];
		port->kind = cp->role == CONF_PORT_UPLINK ? GW_PORT_UPLINK : GW_PORT_ACCESS;
		port->port_id = port_id;
		port->conf_index = (int)i;
		port->mtu = cp->mtu ? cp->mtu : 1500;
		port->underlay_vlan = cp->role == CONF_PORT_UPLINK ? cp->vlan : 0;
		snprintf(port->name, sizeof(port->name), "%s", cp->name);
		device_name(cp->device, port->device, sizeof(port->device));
		if (cp->has_mac) {
			memcpy(port->mac.addr_bytes, cp->mac, 6);
			ret = rte_eth_dev_default_mac_addr_set(port_id, &port->mac);
			if (ret < 0)
				GW_LOG(WARNING, "%s: cannot set MAC: %s", what, strerror(-ret));
		}
		rte_eth_macaddr_get(port_id, &port->mac);
		if (port->kind == GW_PORT_UPLINK) {
			ret = tap_twin_open(g, port_id, err, err_size);
			if (ret < 0)
				return ret;
		}
		ret = port_configure(g, port_id, (uint16_t)g->n_workers, err, err_size, what);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void ports_close(struct gw *g)
{
	/* TAP twins last: FRR keeps its carrier as long as possible. */
	for (int pass = 0; pass < 2; pass++) {
		for (uint16_t p = 0; p < GW_MAX_PORTS; p++) {
			struct gw_port *port = &g->ports[p];
			if (port->kind == GW_PORT_UNUSED ||
			    (port->kind == GW_PORT_TAP) != (pass == 1))
				continue;
			if (port->started)
				rte_eth_dev_stop(p);
			rte_eth_dev_close(p);
			port->started = false;
			port->kind = GW_PORT_UNUSED;
		}
	}
}
