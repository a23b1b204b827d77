/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The segment tables in LMDB: they survive restarts, and other tools
 * (vtepctl, mdb_dump, monitoring) read them while the daemon writes.
 * Only the gateway's control thread writes; the fast path never touches LMDB.
 *
 * Named databases (layouts in docs/lmdb-schema.md; keys in network byte
 * order so that LMDB's byte order is the natural order):
 *   meta          "schema" -> uint32 schema version
 *   segments      (type, id)            -> struct store_segment
 *   fdb           (type, id, MAC)       -> struct store_fdb_entry
 *   flood         (type, id, VTEP addr) -> struct store_flood_entry
 *   vteps         (VTEP addr)           -> struct store_vtep
 */
#ifndef VTEPGW_CONF_STORE_H
#define VTEPGW_CONF_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/model.h"

#define STORE_SCHEMA_VERSION 1u

struct store;

/* A segment is named by its encapsulation and its 24-bit ID. */
struct store_segment_key {
	uint8_t type; /* enum conf_segment_type */
	uint32_t id;
};

struct store_segment {
	char name[CONF_NAME_MAX];
	uint8_t learning; /* enum conf_learning */
	uint32_t mac_limit;
};

enum store_fdb_origin {
	STORE_FDB_STATIC = 0,  /* from the configuration */
	STORE_FDB_LEARNED = 1, /* learned by the fast path (local or data-plane remote) */
	STORE_FDB_EVPN = 2,    /* from BGP EVPN type-2 routes */
};

struct store_fdb_entry {
	bool remote;		  /* false: local port + VLAN; true: behind a remote VTEP */
	char port[CONF_NAME_MAX]; /* local: port name (stable across restarts) */
	uint16_t vlan;		  /* local: 0 = untagged */
	struct conf_ip vtep;	  /* remote: the VTEP */
	uint8_t origin;		  /* enum store_fdb_origin */
	uint64_t last_seen;	  /* seconds since the epoch */
};

struct store_fdb_record {
	struct store_segment_key segment;
	uint8_t mac[6];
	struct store_fdb_entry entry;
};

enum store_flood_origin {
	STORE_FLOOD_STATIC = 0,
	STORE_FLOOD_EVPN = 1, /* from EVPN type-3 (inclusive multicast) routes */
};

struct store_vtep {
	uint8_t origin; /* enum store_flood_origin of the first reference */
	uint32_t refs;	/* segments using it */
};

/* Why the last write failed, and how often writes were refused. */
struct store_stats {
	uint64_t map_full;     /* MDB_MAP_FULL: the write was refused, nothing changed */
	uint64_t write_errors; /* any other write failure */
	uint64_t commits;
	/* Added after the first interface; readers of the fields above are unaffected. */
	uint64_t read_only_refusals;	/* a write on a store opened read-only: -EROFS */
	uint64_t invalid_input;		/* a write refused for a bad key or value: -EINVAL */
	uint64_t missing_segment;	/* an FDB or flood write for an absent segment: -ENOENT */
	uint64_t stale_readers_cleared; /* reader slots of dead processes freed at open */
};

/* 256 MiB, the configuration's default (gateway.lmdb_map_size). */
#define STORE_MAP_SIZE_DEFAULT (256ull << 20)

struct store_options {
	const char *dir;
	uint64_t map_size; /* 0: STORE_MAP_SIZE_DEFAULT; ignored when read_only */
	bool read_only;
	/* Tests only: commits are not flushed to disk (MDB_NOSYNC). A committed
	 * transaction then survives a crash of the process but not of the OS. */
	bool no_sync;
};

/*
 * Open (creating `dir` and the tables if needed) with a map of `map_size`
 * bytes. read_only opens without creating and without a write lock: this is
 * what vtepctl and other readers use while the daemon runs.
 * Returns 0, or a negative errno; on error `*store` is NULL and, when `err`
 * is given, a message is written there.
 * A schema version mismatch is -EPROTO.
 */
int store_open(struct store **store, const char *dir, uint64_t map_size, bool read_only, char *err,
	       size_t err_size);
/* store_open() with every option; store_open() is this with no_sync false. */
int store_open_options(struct store **store, const struct store_options *options, char *err,
		       size_t err_size);
void store_close(struct store *store);
const struct store_stats *store_stats(const struct store *store);

/*
 * Writes. Each call is one transaction: all of it or none of it is committed.
 * Returns 0, -ENOSPC when the map is full (counted in map_full), -EROFS on a
 * read-only store, -EINVAL for a bad key or value, or another negative errno.
 * Puts are refused with -ENOSPC a little before LMDB's own limit so that the
 * space left lets deletes run on a full store (LMDB copies every page a delete
 * touches); see docs/lmdb-schema.md.
 * FDB and flood puts need their segment: -ENOENT when it is absent.
 * Single deletes return -ENOENT when the entry is absent; store_fdb_del_batch
 * skips absent entries. The vteps table is maintained by the caller: deleting
 * a segment or a flood entry does not change a VTEP's refs.
 */
int store_segment_put(struct store *store, const struct store_segment_key *key,
		      const struct store_segment *segment);
/* Deleting a segment also deletes its FDB and flood entries. */
int store_segment_del(struct store *store, const struct store_segment_key *key);

int store_fdb_put_batch(struct store *store, const struct store_fdb_record *records, size_t n);
int store_fdb_del_batch(struct store *store, const struct store_fdb_record *records, size_t n);

int store_flood_put(struct store *store, const struct store_segment_key *segment,
		    const struct conf_ip *vtep, enum store_flood_origin origin);
int store_flood_del(struct store *store, const struct store_segment_key *segment,
		    const struct conf_ip *vtep);

int store_vtep_put(struct store *store, const struct conf_ip *vtep, const struct store_vtep *info);
int store_vtep_del(struct store *store, const struct conf_ip *vtep);

/*
 * Reads, each inside one read transaction (a consistent snapshot).
 * Callbacks return 0 to continue or non-zero to stop; that value is returned.
 * A NULL segment key walks every segment.
 */
typedef int (*store_segment_cb)(const struct store_segment_key *key,
				const struct store_segment *segment, void *arg);
typedef int (*store_fdb_cb)(const struct store_fdb_record *record, void *arg);
typedef int (*store_flood_cb)(const struct store_segment_key *segment, const struct conf_ip *vtep,
			      enum store_flood_origin origin, void *arg);
typedef int (*store_vtep_cb)(const struct conf_ip *vtep, const struct store_vtep *info, void *arg);

int store_segment_foreach(struct store *store, store_segment_cb cb, void *arg);
int store_fdb_foreach(struct store *store, const struct store_segment_key *segment, store_fdb_cb cb,
		      void *arg);
int store_flood_foreach(struct store *store, const struct store_segment_key *segment,
			store_flood_cb cb, void *arg);
int store_vtep_foreach(struct store *store, store_vtep_cb cb, void *arg);

/* Lookups: 0 and the value, -ENOENT, or another negative errno. */
int store_fdb_get(struct store *store, const struct store_segment_key *segment,
		  const uint8_t mac[6], struct store_fdb_entry *entry);

#endif
