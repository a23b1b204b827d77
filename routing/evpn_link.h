/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Netlink link operations for the EVPN shadow devices (libmnl): create a
 * bridge, a vxlan netdev, a veth pair; enslave, bring up, silence; delete;
 * and list links. Private to routing/.
 */
#ifndef VTEPGW_ROUTING_EVPN_LINK_H
#define VTEPGW_ROUTING_EVPN_LINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf/model.h"

struct evpn_link_socket;

enum evpn_link_kind {
	EVPN_LINK_OTHER,
	EVPN_LINK_BRIDGE,
	EVPN_LINK_VXLAN,
	EVPN_LINK_VETH,
};

struct evpn_link_info {
	int ifindex;
	char name[IF_NAMESIZE];
	enum evpn_link_kind kind;
	int master;	      /* 0: none */
	int peer;	      /* veth: IFLA_LINK, the peer's ifindex (0 when unknown) */
	bool up;	      /* IFF_UP */
	uint32_t vni;	      /* vxlan: IFLA_VXLAN_ID */
	struct conf_ip local; /* vxlan: IFLA_VXLAN_LOCAL(6) */
	uint16_t port;	      /* vxlan: host order */
	bool learning;	      /* vxlan: IFLA_VXLAN_LEARNING */
};

int evpn_link_open(struct evpn_link_socket **socket);
void evpn_link_close(struct evpn_link_socket *socket);

/* Call `visit` for every link of the namespace. */
int evpn_link_list(struct evpn_link_socket *socket,
		   void (*visit)(void *arg, const struct evpn_link_info *link), void *arg);
/* The link called `name`: 0 and *info, or -ENODEV. */
int evpn_link_get(struct evpn_link_socket *socket, const char *name, struct evpn_link_info *info);

int evpn_link_create_bridge(struct evpn_link_socket *socket, const char *name);
int evpn_link_create_vxlan(struct evpn_link_socket *socket, const char *name, uint32_t vni,
			   const struct conf_ip *local, uint16_t port);
int evpn_link_create_veth(struct evpn_link_socket *socket, const char *name, const char *peer_name);
int evpn_link_delete(struct evpn_link_socket *socket, int ifindex);

int evpn_link_set_master(struct evpn_link_socket *socket, int ifindex, int master);
int evpn_link_set_up(struct evpn_link_socket *socket, int ifindex);
/* No IPv6 link-local address (addrgenmode none) and, when the sysctl exists,
 * IPv6 disabled: the device then never originates a frame. */
int evpn_link_silence(struct evpn_link_socket *socket, int ifindex, const char *name);
/* Bridge port flags: no learning, no flooding of unknown unicast, multicast or
 * broadcast to it. */
int evpn_link_port_quiet(struct evpn_link_socket *socket, int ifindex);

#endif
