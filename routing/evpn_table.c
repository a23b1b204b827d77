/* SPDX-License-Identifier: BSD-3-Clause */
#include "evpn_table.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define EVPN_TABLE_MIN_BUCKETS 64

/* FNV-1a over the key fields. */
static uint64_t hash_bytes(uint64_t hash, const void *data, size_t size)
{
	const uint8_t *bytes = data;

	for (size_t i = 0; i < size; i++) {
		hash ^= bytes[i];
		hash *= 1099511628211ull;
	}
	return hash;
}

static uint64_t hash_key(enum evpn_key_kind kind, uint32_t vni, const uint8_t mac[6],
			 const struct conf_ip *vtep)
{
	uint64_t hash = hash_bytes(14695981039346656037ull, &kind, sizeof(kind));

	hash = hash_bytes(hash, &vni, sizeof(vni));
	if (kind == EVPN_KEY_MAC)
		return hash_bytes(hash, mac, 6);
	hash = hash_bytes(hash, &vtep->family, sizeof(vtep->family));
	return vtep->family == AF_INET ? hash_bytes(hash, &vtep->v4, sizeof(vtep->v4))
				       : hash_bytes(hash, &vtep->v6, sizeof(vtep->v6));
}

static uint64_t hash_entry(const struct evpn_entry *entry)
{
	return hash_key(entry->kind, entry->vni, entry->mac, &entry->flood);
}

void evpn_table_init(struct evpn_table *table)
{
	memset(table, 0, sizeof(*table));
}

void evpn_table_clear(struct evpn_table *table)
{
	for (size_t i = 0; i < table->n_buckets; i++) {
		struct evpn_entry *entry = table->buckets[i];

		while (entry != NULL) {
			struct evpn_entry *next = entry->next;

			free(entry);
			entry = next;
		}
	}
	free(table->buckets);
	evpn_table_init(table);
}

static bool matches(const struct evpn_entry *entry, enum evpn_key_kind kind, uint32_t vni,
		    const uint8_t mac[6], const struct conf_ip *vtep)
{
	if (entry->kind != kind || entry->vni != vni)
		return false;
	return kind == EVPN_KEY_MAC ? memcmp(entry->mac, mac, 6) == 0
				    : conf_ip_equal(&entry->flood, vtep);
}

static struct evpn_entry *find(const struct evpn_table *table, enum evpn_key_kind kind,
			       uint32_t vni, const uint8_t mac[6], const struct conf_ip *vtep)
{
	if (table->n_buckets == 0)
		return NULL;
	for (struct evpn_entry *entry =
		     table->buckets[hash_key(kind, vni, mac, vtep) % table->n_buckets];
	     entry != NULL; entry = entry->next)
		if (matches(entry, kind, vni, mac, vtep))
			return entry;
	return NULL;
}

struct evpn_entry *evpn_table_find_mac(const struct evpn_table *table, uint32_t vni,
				       const uint8_t mac[6])
{
	return find(table, EVPN_KEY_MAC, vni, mac, NULL);
}

struct evpn_entry *evpn_table_find_flood(const struct evpn_table *table, uint32_t vni,
					 const struct conf_ip *vtep)
{
	return find(table, EVPN_KEY_FLOOD, vni, NULL, vtep);
}

static int grow(struct evpn_table *table)
{
	size_t n_buckets = table->n_buckets ? table->n_buckets * 2 : EVPN_TABLE_MIN_BUCKETS;
	struct evpn_entry **buckets = calloc(n_buckets, sizeof(*buckets));

	if (buckets == NULL)
		return -1;
	for (size_t i = 0; i < table->n_buckets; i++) {
		struct evpn_entry *entry = table->buckets[i];

		while (entry != NULL) {
			struct evpn_entry *next = entry->next;
			size_t bucket = hash_entry(entry) % n_buckets;

			entry->next = buckets[bucket];
			buckets[bucket] = entry;
			entry = next;
		}
	}
	free(table->buckets);
	table->buckets = buckets;
	table->n_buckets = n_buckets;
	return 0;
}

static struct evpn_entry *get(struct evpn_table *table, enum evpn_key_kind kind, uint32_t vni,
			      const uint8_t mac[6], const struct conf_ip *vtep)
{
	struct evpn_entry *entry = find(table, kind, vni, mac, vtep);
	size_t bucket;

	if (entry != NULL)
		return entry;
	if (table->count >= table->n_buckets && grow(table) < 0 && table->n_buckets == 0)
		return NULL;
	entry = calloc(1, sizeof(*entry));
	if (entry == NULL)
		return NULL;
	entry->kind = kind;
	entry->vni = vni;
	if (kind == EVPN_KEY_MAC)
		memcpy(entry->mac, mac, 6);
	else
		entry->flood = *vtep;
	bucket = hash_entry(entry) % table->n_buckets;
	entry->next = table->buckets[bucket];
	table->buckets[bucket] = entry;
	table->count++;
	return entry;
}

struct evpn_entry *evpn_table_get_mac(struct evpn_table *table, uint32_t vni, const uint8_t mac[6])
{
	return get(table, EVPN_KEY_MAC, vni, mac, NULL);
}

struct evpn_entry *evpn_table_get_flood(struct evpn_table *table, uint32_t vni,
					const struct conf_ip *vtep)
{
	return get(table, EVPN_KEY_FLOOD, vni, NULL, vtep);
}

void evpn_table_remove(struct evpn_table *table, struct evpn_entry *entry)
{
	struct evpn_entry **link = &table->buckets[hash_entry(entry) % table->n_buckets];

	while (*link != NULL && *link != entry)
		link = &(*link)->next;
	if (*link == NULL)
		return;
	*link = entry->next;
	table->count--;
	free(entry);
}

void evpn_table_foreach(struct evpn_table *table, void (*visit)(void *arg, struct evpn_entry *),
			void *arg)
{
	for (size_t i = 0; i < table->n_buckets; i++) {
		struct evpn_entry *entry = table->buckets[i];

		while (entry != NULL) {
			struct evpn_entry *next = entry->next;

			visit(arg, entry);
			entry = next;
		}
	}
}
