/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The netlink mirror's own tables (internal to routing/): routes of the main
 * table with a longest-prefix-match lookup, and neighbours by (ifindex, addr).
 * Both are chained hash tables of individually allocated entries, so a
 * pointer handed out stays valid until that entry is replaced or removed.
 *
 * Longest-prefix match hashes the masked address once per prefix length that
 * is actually in use (a per-length counter skips the empty ones), so a lookup
 * costs at most 33 (IPv4) or 129 (IPv6) hash probes and usually a handful.
 */
#ifndef VTEPGW_ROUTING_NETLINK_TABLE_H
#define VTEPGW_ROUTING_NETLINK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routing/netlink_mirror.h"

struct table_node {
	struct table_node *next;
	uint32_t hash;
	uint32_t generation; /* dump that last confirmed it (resync sweep) */
};

struct hash_table {
	struct table_node **buckets;
	size_t n_buckets; /* power of two, or 0 before the first insert */
	size_t count;
};

struct route_entry {
	struct table_node node;
	/* IPv6 keeps routes to the same prefix and metric through different
	 * interfaces apart when they have no gateway (they cannot be ECMP
	 * siblings, RFC 4861 on-link prefixes, fe80::/64 on every link): such a
	 * route is also identified by its interface. 0 for every other route. */
	int key_ifindex;
	struct netlink_route route;
};

struct neighbour_entry {
	struct table_node node;
	struct netlink_neighbour neighbour;
};

struct netlink_table {
	struct hash_table routes;
	struct hash_table neighbours;
	/* Number of routes per (family index, prefix length): 0 = IPv4, 1 = IPv6. */
	uint32_t routes_by_length[2][129];
};

void netlink_table_init(struct netlink_table *table);
void netlink_table_clear(struct netlink_table *table);

/* Prefix lengths valid for the family, address bytes (4 or 16), 0 otherwise. */
size_t netlink_address_size(int family);
/* Zero the host bits of `prefix` beyond its length. */
void netlink_prefix_mask(struct conf_prefix *prefix);
bool netlink_ip_equal(const struct conf_ip *a, const struct conf_ip *b);

/* The route with exactly this identity (family, table, dst, priority, and
 * key_ifindex, see struct route_entry). */
struct route_entry *netlink_table_route_find(const struct netlink_table *table,
					     const struct netlink_route *key, int key_ifindex);
/* Insert or overwrite by identity; returns the stored entry or NULL (ENOMEM). */
struct route_entry *netlink_table_route_put(struct netlink_table *table,
					    const struct netlink_route *route, int key_ifindex);
void netlink_table_route_remove(struct netlink_table *table, struct route_entry *entry);
const struct netlink_route *netlink_table_route_lookup(const struct netlink_table *table,
						       const struct conf_ip *addr);

struct neighbour_entry *netlink_table_neighbour_find(const struct netlink_table *table, int ifindex,
						     const struct conf_ip *addr);
struct neighbour_entry *netlink_table_neighbour_put(struct netlink_table *table,
						    const struct netlink_neighbour *neighbour);
void netlink_table_neighbour_remove(struct netlink_table *table, struct neighbour_entry *entry);

/* Calls `visit` for every entry; `visit` may remove the entry it is given. */
void netlink_table_route_foreach(struct netlink_table *table,
				 void (*visit)(void *arg, struct route_entry *entry), void *arg);
void netlink_table_neighbour_foreach(struct netlink_table *table,
				     void (*visit)(void *arg, struct neighbour_entry *entry),
				     void *arg);

#endif
