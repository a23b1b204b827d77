/* SPDX-License-Identifier: BSD-3-Clause */
/* The netlink mirror's route and neighbour tables; see netlink_table.h. */
#include "netlink_table.h"

#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define TABLE_MIN_BUCKETS 64u

size_t netlink_address_size(int family)
{
	switch (family) {
	case AF_INET:
		return sizeof(struct in_addr);
	case AF_INET6:
		return sizeof(struct in6_addr);
	default:
		return 0;
	}
}

static const uint8_t *ip_bytes(const struct conf_ip *ip)
{
	return ip->family == AF_INET ? (const uint8_t *)&ip->v4 : ip->v6.s6_addr;
}

void netlink_prefix_mask(struct conf_prefix *prefix)
{
	size_t size = netlink_address_size(prefix->addr.family);
	uint8_t *bytes = prefix->addr.family == AF_INET ? (uint8_t *)&prefix->addr.v4
							: prefix->addr.v6.s6_addr;

	for (size_t i = 0; i < size; i++) {
		unsigned first_bit = (unsigned)i * 8;

		if (first_bit >= prefix->len)
			bytes[i] = 0;
		else if (first_bit + 8 > prefix->len)
			bytes[i] &= (uint8_t)(0xffu << (8 - (prefix->len - first_bit)));
	}
}

bool netlink_ip_equal(const struct conf_ip *a, const struct conf_ip *b)
{
	if (a->family != b->family)
		return false;
	return memcmp(ip_bytes(a), ip_bytes(b), netlink_address_size(a->family)) == 0;
}

/* FNV-1a: small keys, control thread only; no need for anything stronger. */
static uint32_t hash_bytes(uint32_t hash, const void *data, size_t size)
{
	const uint8_t *bytes = data;

	for (size_t i = 0; i < size; i++) {
		hash ^= bytes[i];
		hash *= 16777619u;
	}
	return hash;
}

static uint32_t hash_prefix(const struct conf_prefix *prefix)
{
	uint32_t hash = 2166136261u;
	uint8_t family = (uint8_t)prefix->addr.family;

	hash = hash_bytes(hash, &family, sizeof(family));
	hash = hash_bytes(hash, &prefix->len, sizeof(prefix->len));
	return hash_bytes(hash, ip_bytes(&prefix->addr), netlink_address_size(prefix->addr.family));
}

static uint32_t hash_neighbour(int ifindex, const struct conf_ip *addr)
{
	uint32_t hash = 2166136261u;
	uint8_t family = (uint8_t)addr->family;

	hash = hash_bytes(hash, &ifindex, sizeof(ifindex));
	hash = hash_bytes(hash, &family, sizeof(family));
	return hash_bytes(hash, ip_bytes(addr), netlink_address_size(addr->family));
}

static struct table_node *hash_chain(const struct hash_table *hash_table, uint32_t hash)
{
	if (hash_table->n_buckets == 0)
		return NULL;
	return hash_table->buckets[hash & (hash_table->n_buckets - 1)];
}

/* Keeps the load factor at most 1; a failed grow only makes chains longer. */
static void hash_grow(struct hash_table *hash_table)
{
	size_t n_buckets = hash_table->n_buckets ? hash_table->n_buckets * 2 : TABLE_MIN_BUCKETS;
	struct table_node **buckets = calloc(n_buckets, sizeof(*buckets));

	if (buckets == NULL)
		return;
	for (size_t i = 0; i < hash_table->n_buckets; i++) {
		struct table_node *node = hash_table->buckets[i];

		while (node != NULL) {
			struct table_node *next = node->next;
			size_t bucket = node->hash & (n_buckets - 1);

			node->next = buckets[bucket];
			buckets[bucket] = node;
			node = next;
		}
	}
	free(hash_table->buckets);
	hash_table->buckets = buckets;
	hash_table->n_buckets = n_buckets;
}

static int hash_insert(struct hash_table *hash_table, struct table_node *node)
{
	size_t bucket;

	if (hash_table->count >= hash_table->n_buckets)
		hash_grow(hash_table);
	if (hash_table->n_buckets == 0)
		return -1;
	bucket = node->hash & (hash_table->n_buckets - 1);
	node->next = hash_table->buckets[bucket];
	hash_table->buckets[bucket] = node;
	hash_table->count++;
	return 0;
}

static void hash_remove(struct hash_table *hash_table, struct table_node *node)
{
	struct table_node **link = &hash_table->buckets[node->hash & (hash_table->n_buckets - 1)];

	while (*link != NULL && *link != node)
		link = &(*link)->next;
	if (*link == NULL)
		return;
	*link = node->next;
	hash_table->count--;
}

static void hash_foreach(struct hash_table *hash_table,
			 void (*visit)(void *arg, struct table_node *node), void *arg)
{
	for (size_t i = 0; i < hash_table->n_buckets; i++) {
		struct table_node *node = hash_table->buckets[i];

		while (node != NULL) {
			struct table_node *next = node->next;

			visit(arg, node);
			node = next;
		}
	}
}

static void free_node(void *arg, struct table_node *node)
{
	(void)arg;
	free(node);
}

void netlink_table_init(struct netlink_table *table)
{
	memset(table, 0, sizeof(*table));
}

void netlink_table_clear(struct netlink_table *table)
{
	hash_foreach(&table->routes, free_node, NULL);
	hash_foreach(&table->neighbours, free_node, NULL);
	free(table->routes.buckets);
	free(table->neighbours.buckets);
	netlink_table_init(table);
}

static int family_index(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

static bool same_dst(const struct conf_prefix *a, const struct conf_prefix *b)
{
	return a->len == b->len && netlink_ip_equal(&a->addr, &b->addr);
}

struct route_entry *netlink_table_route_find(const struct netlink_table *table,
					     const struct netlink_route *key, int key_ifindex)
{
	uint32_t hash = hash_prefix(&key->dst);

	for (struct table_node *node = hash_chain(&table->routes, hash); node; node = node->next) {
		struct route_entry *entry = (struct route_entry *)node;

		if (node->hash == hash && entry->route.table == key->table &&
		    entry->route.priority == key->priority && entry->key_ifindex == key_ifindex &&
		    same_dst(&entry->route.dst, &key->dst))
			return entry;
	}
	return NULL;
}

struct route_entry *netlink_table_route_put(struct netlink_table *table,
					    const struct netlink_route *route, int key_ifindex)
{
	struct route_entry *entry = netlink_table_route_find(table, route, key_ifindex);

	if (entry != NULL) {
		entry->route = *route;
		return entry;
	}
	entry = calloc(1, sizeof(*entry));
	if (entry == NULL)
		return NULL;
	entry->route = *route;
	entry->key_ifindex = key_ifindex;
	entry->node.hash = hash_prefix(&route->dst);
	if (hash_insert(&table->routes, &entry->node) < 0) {
		free(entry);
		return NULL;
	}
	table->routes_by_length[family_index(route->dst.addr.family)][route->dst.len]++;
	return entry;
}

void netlink_table_route_remove(struct netlink_table *table, struct route_entry *entry)
{
	hash_remove(&table->routes, &entry->node);
	table->routes_by_length[family_index(entry->route.dst.addr.family)][entry->route.dst.len]--;
	free(entry);
}

const struct netlink_route *netlink_table_route_lookup(const struct netlink_table *table,
						       const struct conf_ip *addr)
{
	int max_length = (int)netlink_address_size(addr->family) * 8;
	const uint32_t *by_length;

	if (max_length == 0)
		return NULL;
	by_length = table->routes_by_length[family_index(addr->family)];
	for (int length = max_length; length >= 0; length--) {
		struct conf_prefix prefix = {.addr = *addr, .len = (uint8_t)length};
		const struct netlink_route *best = NULL;
		uint32_t hash;

		if (by_length[length] == 0)
			continue;
		netlink_prefix_mask(&prefix);
		hash = hash_prefix(&prefix);
		for (struct table_node *node = hash_chain(&table->routes, hash); node;
		     node = node->next) {
			const struct route_entry *entry = (const struct route_entry *)node;

			if (node->hash != hash || !same_dst(&entry->route.dst, &prefix))
				continue;
			/* Same prefix at several metrics: the kernel uses the lowest. */
			if (best == NULL || entry->route.priority < best->priority)
				best = &entry->route;
		}
		if (best != NULL)
			return best;
	}
	return NULL;
}

struct neighbour_entry *netlink_table_neighbour_find(const struct netlink_table *table, int ifindex,
						     const struct conf_ip *addr)
{
	uint32_t hash = hash_neighbour(ifindex, addr);

	for (struct table_node *node = hash_chain(&table->neighbours, hash); node;
	     node = node->next) {
		struct neighbour_entry *entry = (struct neighbour_entry *)node;

		if (node->hash == hash && entry->neighbour.ifindex == ifindex &&
		    netlink_ip_equal(&entry->neighbour.addr, addr))
			return entry;
	}
	return NULL;
}

struct neighbour_entry *netlink_table_neighbour_put(struct netlink_table *table,
						    const struct netlink_neighbour *neighbour)
{
	struct neighbour_entry *entry =
		netlink_table_neighbour_find(table, neighbour->ifindex, &neighbour->addr);

	if (entry != NULL) {
		entry->neighbour = *neighbour;
		return entry;
	}
	entry = calloc(1, sizeof(*entry));
	if (entry == NULL)
		return NULL;
	entry->neighbour = *neighbour;
	entry->node.hash = hash_neighbour(neighbour->ifindex, &neighbour->addr);
	if (hash_insert(&table->neighbours, &entry->node) < 0) {
		free(entry);
		return NULL;
	}
	return entry;
}

void netlink_table_neighbour_remove(struct netlink_table *table, struct neighbour_entry *entry)
{
	hash_remove(&table->neighbours, &entry->node);
	free(entry);
}

struct foreach_context {
	void (*visit_route)(void *arg, struct route_entry *entry);
	void (*visit_neighbour)(void *arg, struct neighbour_entry *entry);
	void *arg;
};

static void visit_route_node(void *arg, struct table_node *node)
{
	struct foreach_context *context = arg;

	context->visit_route(context->arg, (struct route_entry *)node);
}

static void visit_neighbour_node(void *arg, struct table_node *node)
{
	struct foreach_context *context = arg;

	context->visit_neighbour(context->arg, (struct neighbour_entry *)node);
}

void netlink_table_route_foreach(struct netlink_table *table,
				 void (*visit)(void *arg, struct route_entry *entry), void *arg)
{
	struct foreach_context context = {.visit_route = visit, .arg = arg};

	hash_foreach(&table->routes, visit_route_node, &context);
}

void netlink_table_neighbour_foreach(struct netlink_table *table,
				     void (*visit)(void *arg, struct neighbour_entry *entry),
				     void *arg)
{
	struct foreach_context context = {.visit_neighbour = visit, .arg = arg};

	hash_foreach(&table->neighbours, visit_neighbour_node, &context);
}
