/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A mirror of the kernel's links, addresses, routes (with ECMP next hops),
 * neighbours and bridge FDB, kept over rtnetlink (libmnl). The gateway's
 * control thread owns one: it polls netlink_mirror_fd(), calls
 * netlink_mirror_process(), and gets callbacks for every change. No DPDK.
 *
 * The kernel (and FRR's zebra through it) is the routing authority: vtepgw
 * never runs ARP/ND or a routing protocol of its own (DESIGN.md). To get a
 * neighbour resolved it asks the kernel to do it (netlink_mirror_resolve()).
 */
#ifndef VTEPGW_ROUTING_NETLINK_MIRROR_H
#define VTEPGW_ROUTING_NETLINK_MIRROR_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/model.h"

#define NETLINK_MAX_PATHS 16

struct netlink_mirror;

struct netlink_link {
	int ifindex;
	char name[IF_NAMESIZE];
	uint8_t mac[6];
	bool up;    /* IFF_UP and carrier (IFF_LOWER_UP) */
	int master; /* ifindex of the bridge it is enslaved to, 0 = none */
};

struct netlink_address {
	int ifindex;
	struct conf_prefix prefix;
};

struct netlink_nexthop {
	struct conf_ip gateway; /* family 0 for a directly connected route */
	int ifindex;
	uint8_t weight; /* rtnh_hops + 1, clamped to 255 (the kernel allows 256) */
};

struct netlink_route {
	uint32_t table; /* RT_TABLE_MAIN unless told otherwise */
	struct conf_prefix dst;
	uint8_t protocol;  /* RTPROT_* (RTPROT_BGP = 186 from zebra) */
	uint8_t type;	   /* RTN_UNICAST, RTN_LOCAL, RTN_BLACKHOLE, ... */
	uint32_t priority; /* metric */
	struct netlink_nexthop paths[NETLINK_MAX_PATHS];
	size_t n_paths;
};

struct netlink_neighbour {
	int ifindex;
	struct conf_ip addr;
	uint8_t mac[6];
	bool has_mac;	/* false while INCOMPLETE/FAILED */
	uint16_t state; /* NUD_* */
};

/* AF_BRIDGE neighbour: bridge FDB entries, including zebra's EVPN entries on
 * vxlan netdevs (NTF_SELF with NDA_DST = remote VTEP). */
struct netlink_fdb {
	int ifindex; /* the port or vxlan netdev */
	int master;  /* bridge ifindex, 0 when absent */
	uint8_t mac[6];
	uint16_t vlan;	    /* NDA_VLAN, 0 = none */
	uint32_t vni;	    /* NDA_VNI, 0 = none */
	struct conf_ip dst; /* NDA_DST, family 0 when absent */
	uint8_t flags;	    /* NTF_SELF, NTF_MASTER, NTF_EXT_LEARNED, ... */
	uint16_t state;	    /* NUD_* */
};

/* Every callback may be NULL. `add` is false on deletion. The callbacks run
 * inside netlink_mirror_dump()/netlink_mirror_process(). */
struct netlink_mirror_ops {
	void (*link)(void *arg, bool add, const struct netlink_link *link);
	void (*address)(void *arg, bool add, const struct netlink_address *address);
	void (*route)(void *arg, bool add, const struct netlink_route *route);
	void (*neighbour)(void *arg, bool add, const struct netlink_neighbour *neighbour);
	void (*fdb)(void *arg, bool add, const struct netlink_fdb *fdb);
	/* Called after a resynchronisation (ENOBUFS: events were lost, so the
	 * whole state was dumped again): consumers drop what they did not see
	 * again since `resync_begin`. */
	void (*resync_begin)(void *arg);
	void (*resync_end)(void *arg);
};

/* Which groups to follow. */
#define NETLINK_MIRROR_LINKS	  0x01u
#define NETLINK_MIRROR_ADDRESSES  0x02u
#define NETLINK_MIRROR_ROUTES	  0x04u
#define NETLINK_MIRROR_NEIGHBOURS 0x08u
#define NETLINK_MIRROR_FDB	  0x10u
#define NETLINK_MIRROR_ALL	  0x1fu

struct netlink_mirror_stats {
	uint64_t messages;
	uint64_t resyncs;	   /* ENOBUFS recoveries */
	uint64_t parse_errors;	   /* malformed or unexpected messages skipped */
	uint64_t truncated_routes; /* more than NETLINK_MAX_PATHS next hops: extra ones dropped */
	uint64_t dump_retries;	   /* dumps the kernel interrupted (NLM_F_DUMP_INTR) and redone */
};

/* Subscribe and return a non-blocking mirror. Returns 0 or a negative errno. */
int netlink_mirror_open(struct netlink_mirror **mirror, unsigned what,
			const struct netlink_mirror_ops *ops, void *arg);
void netlink_mirror_close(struct netlink_mirror *mirror);

/* File descriptor to poll for POLLIN. */
int netlink_mirror_fd(const struct netlink_mirror *mirror);

/* Dump the current kernel state through the callbacks (blocking, bounded). */
int netlink_mirror_dump(struct netlink_mirror *mirror);

/* Handle every pending event without blocking; resynchronises by itself after
 * ENOBUFS. Returns the number of messages handled or a negative errno. */
int netlink_mirror_process(struct netlink_mirror *mirror);

const struct netlink_mirror_stats *netlink_mirror_stats(const struct netlink_mirror *mirror);

/* Ask the kernel to resolve `addr` on `ifindex` (ARP/ND through its own
 * stack, NTF_USE); the answer arrives as a neighbour callback. */
int netlink_mirror_resolve(struct netlink_mirror *mirror, int ifindex, const struct conf_ip *addr);

/* Longest-prefix match in the mirrored main table; NULL when no route.
 * The pointer is valid until the next dump/process call. */
const struct netlink_route *netlink_mirror_route_lookup(const struct netlink_mirror *mirror,
							const struct conf_ip *addr);
/* The mirrored neighbour for (ifindex, addr), or NULL. */
const struct netlink_neighbour *netlink_mirror_neighbour(const struct netlink_mirror *mirror,
							 int ifindex, const struct conf_ip *addr);

/* Number of mirrored main-table routes (both families) and neighbours. */
size_t netlink_mirror_route_count(const struct netlink_mirror *mirror);
size_t netlink_mirror_neighbour_count(const struct netlink_mirror *mirror);

/* Set the event socket's receive buffer (bytes). netlink_mirror_open() already
 * asks for a large one; tests shrink it to force ENOBUFS and a resync. */
int netlink_mirror_set_event_buffer(struct netlink_mirror *mirror, int bytes);

/* Handle `size` bytes of netlink messages as if they had arrived on the event
 * socket (tests and fuzzing). Returns the number of messages handled. */
int netlink_mirror_feed(struct netlink_mirror *mirror, const void *buf, size_t size);

/* Bridge FDB writes, used by the EVPN shadow-device sync (routing issue). */
int netlink_fdb_replace(struct netlink_mirror *mirror, int ifindex, const uint8_t mac[6],
			bool master, bool is_static);
int netlink_fdb_delete(struct netlink_mirror *mirror, int ifindex, const uint8_t mac[6],
		       bool master);

#endif
