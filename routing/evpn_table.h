/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the EVPN shadow sync has seen or written, per (VNI, MAC) and per
 * (VNI, flood VTEP): a chained hash table. Private to routing/.
 */
#ifndef VTEPGW_ROUTING_EVPN_TABLE_H
#define VTEPGW_ROUTING_EVPN_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/model.h"

enum evpn_key_kind {
	EVPN_KEY_MAC,	/* (vni, mac) */
	EVPN_KEY_FLOOD, /* (vni, vtep) */
};

/* One side of an entry: the kernel's (or the current view) and, during a
 * reconciliation, the gateway's belief. */
struct evpn_view {
	bool local;	     /* MAC on the stub port */
	bool remote;	     /* MAC behind `vtep`, or flood VTEP present */
	struct conf_ip vtep; /* remote MAC: its VTEP */
};

struct evpn_entry {
	struct evpn_entry *next;
	enum evpn_key_kind kind;
	uint32_t vni;
	uint8_t mac[6];
	struct conf_ip flood; /* EVPN_KEY_FLOOD: the VTEP (the key) */
	struct evpn_view kernel;
	struct evpn_view belief;
	uint32_t generation; /* last resync that saw it */
};

struct evpn_table {
	struct evpn_entry **buckets;
	size_t n_buckets;
	size_t count;
};

void evpn_table_init(struct evpn_table *table);
void evpn_table_clear(struct evpn_table *table);
struct evpn_entry *evpn_table_find_mac(const struct evpn_table *table, uint32_t vni,
				       const uint8_t mac[6]);
struct evpn_entry *evpn_table_find_flood(const struct evpn_table *table, uint32_t vni,
					 const struct conf_ip *vtep);
/* Find or insert (zeroed views); NULL when out of memory. */
struct evpn_entry *evpn_table_get_mac(struct evpn_table *table, uint32_t vni, const uint8_t mac[6]);
struct evpn_entry *evpn_table_get_flood(struct evpn_table *table, uint32_t vni,
					const struct conf_ip *vtep);
void evpn_table_remove(struct evpn_table *table, struct evpn_entry *entry);
/* `visit` may remove the entry it is given. */
void evpn_table_foreach(struct evpn_table *table, void (*visit)(void *arg, struct evpn_entry *),
			void *arg);

#endif
