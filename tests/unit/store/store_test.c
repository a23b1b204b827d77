/* SPDX-License-Identifier: BSD-3-Clause */
/* The LMDB store, against real LMDB environments in private directories. */
#include <errno.h>
#include <lmdb.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "store_test_util.h"

struct fixture {
	char dir[PATH_MAX];
	char path[PATH_MAX];
	struct store *store;
};

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	assert_non_null(f);
	test_dir_make(f->dir, sizeof(f->dir), f->path, sizeof(f->path));
	assert_int_equal(store_open(&f->store, f->path, 0, false, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->store);
	test_dir_remove(f->dir);
	free(f);
	return 0;
}

static void put_segment(struct store *store, uint8_t type, uint32_t id, const char *name)
{
	struct store_segment_key key = test_segment_key(type, id);
	struct store_segment segment = {.learning = CONF_LEARNING_DATAPLANE, .mac_limit = id};

	snprintf(segment.name, sizeof(segment.name), "%s", name);
	assert_int_equal(store_segment_put(store, &key, &segment), 0);
}

/* Segments ------------------------------------------------------------- */

struct segment_list {
	size_t n;
	struct store_segment_key keys[16];
	struct store_segment values[16];
	size_t stop_after; /* 0: never stop */
};

static int collect_segment(const struct store_segment_key *key, const struct store_segment *segment,
			   void *arg)
{
	struct segment_list *list = arg;

	if (list->n < 16) {
		list->keys[list->n] = *key;
		list->values[list->n] = *segment;
	}
	list->n++;
	return list->stop_after != 0 && list->n == list->stop_after ? 42 : 0;
}

static void test_segments_put_update_delete_walk(void **state)
{
	struct fixture *f = *state;
	struct store_segment_key key = test_segment_key(CONF_SEGMENT_VXLAN, 100);
	struct store_segment segment = {.learning = CONF_LEARNING_EVPN, .mac_limit = 77};
	struct segment_list list = {0};

	put_segment(f->store, CONF_SEGMENT_NVGRE, 0x1000, "tenant-nvgre");
	put_segment(f->store, CONF_SEGMENT_VXLAN, 100, "blue");
	put_segment(f->store, CONF_SEGMENT_VXLAN, 5, "red");
	put_segment(f->store, CONF_SEGMENT_VXLAN, 0xFFFFFF, "max");

	/* Keys are big-endian: the walk is in (type, ID) order. */
	assert_int_equal(store_segment_foreach(f->store, collect_segment, &list), 0);
	assert_int_equal(list.n, 4);
	assert_int_equal(list.keys[0].id, 5);
	assert_string_equal(list.values[0].name, "red");
	assert_int_equal(list.keys[1].id, 100);
	assert_int_equal(list.keys[2].id, 0xFFFFFF);
	assert_int_equal(list.keys[3].type, CONF_SEGMENT_NVGRE);
	assert_int_equal(list.keys[3].id, 0x1000);
	assert_string_equal(list.values[3].name, "tenant-nvgre");
	assert_int_equal(list.values[3].mac_limit, 0x1000);

	/* A put replaces the segment. */
	snprintf(segment.name, sizeof(segment.name), "blue-evpn");
	assert_int_equal(store_segment_put(f->store, &key, &segment), 0);
	memset(&list, 0, sizeof(list));
	assert_int_equal(store_segment_foreach(f->store, collect_segment, &list), 0);
	assert_int_equal(list.n, 4);
	assert_string_equal(list.values[1].name, "blue-evpn");
	assert_int_equal(list.values[1].learning, CONF_LEARNING_EVPN);
	assert_int_equal(list.values[1].mac_limit, 77);

	/* The callback's non-zero value stops the walk and is returned. */
	memset(&list, 0, sizeof(list));
	list.stop_after = 2;
	assert_int_equal(store_segment_foreach(f->store, collect_segment, &list), 42);
	assert_int_equal(list.n, 2);

	assert_int_equal(store_segment_del(f->store, &key), 0);
	assert_int_equal(store_segment_del(f->store, &key), -ENOENT);
	memset(&list, 0, sizeof(list));
	assert_int_equal(store_segment_foreach(f->store, collect_segment, &list), 0);
	assert_int_equal(list.n, 3);
	assert_int_equal(store_stats(f->store)->write_errors, 0);
}

static void test_segments_refuse_bad_input(void **state)
{
	struct fixture *f = *state;
	struct store_segment_key too_big = test_segment_key(CONF_SEGMENT_VXLAN, 0x1000000);
	struct store_segment_key bad_type = test_segment_key(7, 1);
	struct store_segment_key good = test_segment_key(CONF_SEGMENT_VXLAN, 1);
	struct store_segment segment = {.learning = CONF_LEARNING_STATIC};
	struct store_segment unterminated;
	struct segment_list list = {0};

	memset(&unterminated, 'x', sizeof(unterminated));
	unterminated.learning = 0;
	assert_int_equal(store_segment_put(f->store, &too_big, &segment), -EINVAL);
	assert_int_equal(store_segment_put(f->store, &bad_type, &segment), -EINVAL);
	assert_int_equal(store_segment_put(f->store, &good, &unterminated), -EINVAL);
	segment.learning = 9;
	assert_int_equal(store_segment_put(f->store, &good, &segment), -EINVAL);
	assert_int_equal(store_stats(f->store)->invalid_input, 4);
	assert_int_equal(store_segment_foreach(f->store, collect_segment, &list), 0);
	assert_int_equal(list.n, 0);
}

/* FDB ------------------------------------------------------------------ */

struct fdb_list {
	size_t n;
	struct store_fdb_record records[64];
};

static int collect_fdb(const struct store_fdb_record *record, void *arg)
{
	struct fdb_list *list = arg;

	if (list->n < 64)
		list->records[list->n] = *record;
	list->n++;
	return 0;
}

static void test_fdb_put_get_delete_walk(void **state)
{
	struct fixture *f = *state;
	struct store_segment_key blue = test_segment_key(CONF_SEGMENT_VXLAN, 100);
	struct store_segment_key green = test_segment_key(CONF_SEGMENT_NVGRE, 0x2000);
	struct store_fdb_record records[6];
	struct store_fdb_entry entry;
	struct fdb_list list = {0};

	put_segment(f->store, CONF_SEGMENT_VXLAN, 100, "blue");
	put_segment(f->store, CONF_SEGMENT_NVGRE, 0x2000, "green");
	/* Out of order on purpose, both kinds of entry, v4 and v6 VTEPs. */
	test_fdb_record(&records[0], &blue, 9);
	test_fdb_record(&records[1], &blue, 2);
	test_fdb_record(&records[2], &green, 4);
	test_fdb_record(&records[3], &blue, 5);
	records[3].entry.vtep = test_ip("2001:db8::5");
	test_fdb_record(&records[4], &green, 3);
	test_fdb_record(&records[5], &blue, 0);
	records[5].entry.vlan = 0; /* untagged */
	assert_int_equal(store_fdb_put_batch(f->store, records, 6), 0);

	assert_int_equal(store_fdb_get(f->store, &blue, records[3].mac, &entry), 0);
	assert_true(entry.remote);
	assert_int_equal(entry.vtep.family, AF_INET6);
	assert_memory_equal(&entry.vtep.v6, &records[3].entry.vtep.v6, 16);
	assert_int_equal(entry.origin, STORE_FDB_EVPN);
	assert_int_equal(entry.last_seen, 1700000005ull);
	assert_int_equal(store_fdb_get(f->store, &blue, records[1].mac, &entry), 0);
	assert_false(entry.remote);
	assert_string_equal(entry.port, "port2");
	assert_int_equal(entry.vlan, 2);
	assert_int_equal(entry.vtep.family, 0);
	/* The same MAC in another segment is another entry. */
	assert_int_equal(store_fdb_get(f->store, &green, records[1].mac, &entry), -ENOENT);

	/* A segment's walk sees only its entries, in MAC order. */
	assert_int_equal(store_fdb_foreach(f->store, &blue, collect_fdb, &list), 0);
	assert_int_equal(list.n, 4);
	assert_int_equal(test_fdb_record_seq(&list.records[0], &blue), 0);
	assert_int_equal(test_fdb_record_seq(&list.records[1], &blue), 2);
	assert_int_equal(list.records[2].entry.vtep.family, AF_INET6);
	assert_int_equal(test_fdb_record_seq(&list.records[3], &blue), 9);
	memset(&list, 0, sizeof(list));
	assert_int_equal(store_fdb_foreach(f->store, NULL, collect_fdb, &list), 0);
	assert_int_equal(list.n, 6);
	assert_int_equal(list.records[5].segment.type, CONF_SEGMENT_NVGRE);

	/* Batch delete, absent entries included, is one transaction. */
	assert_int_equal(store_fdb_del_batch(f->store, records, 2), 0);
	assert_int_equal(store_fdb_del_batch(f->store, records, 3), 0);
	assert_int_equal(store_fdb_get(f->store, &blue, records[0].mac, &entry), -ENOENT);
	assert_int_equal(store_fdb_get(f->store, &green, records[2].mac, &entry), -ENOENT);
	memset(&list, 0, sizeof(list));
	assert_int_equal(store_fdb_foreach(f->store, NULL, collect_fdb, &list), 0);
	assert_int_equal(list.n, 3);
	assert_int_equal(store_stats(f->store)->write_errors, 0);
}

static void test_fdb_batch_is_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	struct store_segment_key blue = test_segment_key(CONF_SEGMENT_VXLAN, 100);
	struct store_segment_key absent = test_segment_key(CONF_SEGMENT_VXLAN, 200);
	struct store_fdb_record records[3];
	struct fdb_list list = {0};

	put_segment(f->store, CONF_SEGMENT_VXLAN, 100, "blue");
	test_fdb_record(&records[0], &blue, 1);
	test_fdb_record(&records[1], &blue, 2);
	test_fdb_record(&records[2], &blue, 3);

	/* A remote entry without a VTEP is refused, and takes the batch with it. */
	records[2].entry.vtep.family = 0;
	assert_int_equal(store_fdb_put_batch(f->store, records, 3), -EINVAL);
	/* A local entry needs its port. */
	test_fdb_record(&records[2], &blue, 4);
	records[2].entry.port[0] = '\0';
	assert_int_equal(store_fdb_put_batch(f->store, records, 3), -EINVAL);
	assert_int_equal(store_stats(f->store)->invalid_input, 2);
	/* An entry for a segment that does not exist is refused. */
	test_fdb_record(&records[2], &absent, 4);
	assert_int_equal(store_fdb_put_batch(f->store, records, 3), -ENOENT);
	assert_int_equal(store_stats(f->store)->missing_segment, 1);

	assert_int_equal(store_fdb_foreach(f->store, NULL, collect_fdb, &list), 0);
	assert_int_equal(list.n, 0);
	assert_int_equal(store_fdb_put_batch(f->store, records, 2), 0);
	assert_int_equal(store_fdb_put_batch(f->store, records, 0), 0);
	assert_int_equal(store_fdb_foreach(f->store, NULL, collect_fdb, &list), 0);
	assert_int_equal(list.n, 2);
}

/* Flood lists and VTEPs ------------------------------------------------ */

struct flood_list {
	size_t n;
	struct store_segment_key segments[16];
	struct conf_ip vteps[16];
	enum store_flood_origin origins[16];
};

static int collect_flood(const struct store_segment_key *segment, const struct conf_ip *vtep,
			 enum store_flood_origin origin, void *arg)
{
	struct flood_list *list = arg;

	if (list->n < 16) {
		list->segments[list->n] = *segment;
		list->vteps[list->n] = *vtep;
		list->origins[list->n] = origin;
	}
	list->n++;
	return 0;
}

static void test_flood_put_delete_walk(void **state)
{
	struct fixture *f = *state;
	struct store_segment_key blue = test_segment_key(CONF_SEGMENT_VXLAN, 100);
	struct store_segment_key absent = test_segment_key(CONF_SEGMENT_VXLAN, 101);
	struct conf_ip v6 = test_ip("2001:db8::1");
	struct conf_ip v4b = test_ip("192.0.2.20");
	struct conf_ip v4a = test_ip("192.0.2.3");
	struct conf_ip unset = {0};
	struct flood_list list = {0};

	put_segment(f->store, CONF_SEGMENT_VXLAN, 100, "blue");
	assert_int_equal(store_flood_put(f->store, &blue, &v6, STORE_FLOOD_EVPN), 0);
	assert_int_equal(store_flood_put(f->store, &blue, &v4b, STORE_FLOOD_STATIC), 0);
	assert_int_equal(store_flood_put(f->store, &blue, &v4a, STORE_FLOOD_STATIC), 0);
	assert_int_equal(store_flood_put(f->store, &absent, &v4a, STORE_FLOOD_STATIC), -ENOENT);
	assert_int_equal(store_flood_put(f->store, &blue, &unset, STORE_FLOOD_STATIC), -EINVAL);
	assert_int_equal(store_flood_put(f->store, &blue, &v4a, (enum store_flood_origin)5),
			 -EINVAL);

	/* IPv4 before IPv6, addresses in numeric order. */
	assert_int_equal(store_flood_foreach(f->store, &blue, collect_flood, &list), 0);
	assert_int_equal(list.n, 3);
	assert_true(conf_ip_equal_bytes(&list.vteps[0], &v4a));
	assert_true(conf_ip_equal_bytes(&list.vteps[1], &v4b));
	assert_true(conf_ip_equal_bytes(&list.vteps[2], &v6));
	assert_int_equal(list.origins[2], STORE_FLOOD_EVPN);
	assert_int_equal(list.origins[0], STORE_FLOOD_STATIC);
	assert_int_equal(list.segments[2].id, 100);

	assert_int_equal(store_flood_del(f->store, &blue, &v4b), 0);
	assert_int_equal(store_flood_del(f->store, &blue, &v4b), -ENOENT);
	memset(&list, 0, sizeof(list));
	assert_int_equal(store_flood_foreach(f->store, NULL, collect_flood, &list), 0);
	assert_int_equal(list.n, 2);
}

struct vtep_list {
	size_t n;
	struct conf_ip vteps[16];
	struct store_vtep infos[16];
};

static int collect_vtep(const struct conf_ip *vtep, const struct store_vtep *info, void *arg)
{
	struct vtep_list *list = arg;

	if (list->n < 16) {
		list->vteps[list->n] = *vtep;
		list->infos[list->n] = *info;
	}
	list->n++;
	return 0;
}

static void test_vteps_put_update_delete_walk(void **state)
{
	struct fixture *f = *state;
	struct conf_ip a = test_ip("198.51.100.7");
	struct conf_ip b = test_ip("2001:db8::7");
	struct store_vtep info = {.origin = STORE_FLOOD_EVPN, .refs = 1};
	struct vtep_list list = {0};

	assert_int_equal(store_vtep_put(f->store, &b, &info), 0);
	info.origin = STORE_FLOOD_STATIC;
	assert_int_equal(store_vtep_put(f->store, &a, &info), 0);
	info.refs = 70000;
	assert_int_equal(store_vtep_put(f->store, &a, &info), 0);
	assert_int_equal(store_vtep_foreach(f->store, collect_vtep, &list), 0);
	assert_int_equal(list.n, 2);
	assert_true(conf_ip_equal_bytes(&list.vteps[0], &a));
	assert_int_equal(list.infos[0].refs, 70000);
	assert_int_equal(list.infos[0].origin, STORE_FLOOD_STATIC);
	assert_true(conf_ip_equal_bytes(&list.vteps[1], &b));
	assert_int_equal(list.infos[1].origin, STORE_FLOOD_EVPN);

	assert_int_equal(store_vtep_del(f->store, &b), 0);
	assert_int_equal(store_vtep_del(f->store, &b), -ENOENT);
	memset(&list, 0, sizeof(list));
	assert_int_equal(store_vtep_foreach(f->store, collect_vtep, &list), 0);
	assert_int_equal(list.n, 1);
}

static void test_segment_delete_cascades(void **state)
{
	struct fixture *f = *state;
	struct store_segment_key blue = test_segment_key(CONF_SEGMENT_VXLAN, 100);
	struct store_segment_key next = test_segment_key(CONF_SEGMENT_VXLAN, 101);
	struct store_segment_key prev = test_segment_key(CONF_SEGMENT_VXLAN, 99);
	struct conf_ip vtep = test_ip("192.0.2.1");
	struct store_vtep info = {.origin = STORE_FLOOD_STATIC, .refs = 3};
	struct store_fdb_record records[30];
	struct fdb_list fdb = {0};
	struct flood_list flood = {0};
	struct vtep_list vteps = {0};

	put_segment(f->store, CONF_SEGMENT_VXLAN, 99, "prev");
	put_segment(f->store, CONF_SEGMENT_VXLAN, 100, "blue");
	put_segment(f->store, CONF_SEGMENT_VXLAN, 101, "next");
	for (uint32_t i = 0; i < 30; i++)
		test_fdb_record(&records[i], i % 3 == 0 ? &prev : i % 3 == 1 ? &blue : &next, i);
	assert_int_equal(store_fdb_put_batch(f->store, records, 30), 0);
	assert_int_equal(store_flood_put(f->store, &prev, &vtep, STORE_FLOOD_STATIC), 0);
	assert_int_equal(store_flood_put(f->store, &blue, &vtep, STORE_FLOOD_STATIC), 0);
	assert_int_equal(store_flood_put(f->store, &next, &vtep, STORE_FLOOD_STATIC), 0);
	assert_int_equal(store_vtep_put(f->store, &vtep, &info), 0);

	assert_int_equal(store_segment_del(f->store, &blue), 0);
	assert_int_equal(store_fdb_foreach(f->store, &blue, collect_fdb, &fdb), 0);
	assert_int_equal(fdb.n, 0);
	assert_int_equal(store_flood_foreach(f->store, &blue, collect_flood, &flood), 0);
	assert_int_equal(flood.n, 0);
	/* Neighbouring segments keep theirs; the VTEP table is the caller's. */
	assert_int_equal(store_fdb_foreach(f->store, NULL, collect_fdb, &fdb), 0);
	assert_int_equal(fdb.n, 20);
	for (size_t i = 0; i < fdb.n; i++)
		assert_int_not_equal(fdb.records[i].segment.id, 100);
	assert_int_equal(store_flood_foreach(f->store, NULL, collect_flood, &flood), 0);
	assert_int_equal(flood.n, 2);
	assert_int_equal(store_vtep_foreach(f->store, collect_vtep, &vteps), 0);
	assert_int_equal(vteps.n, 1);
	/* The segment can come back empty. */
	put_segment(f->store, CONF_SEGMENT_VXLAN, 100, "blue");
	memset(&fdb, 0, sizeof(fdb));
	assert_int_equal(store_fdb_foreach(f->store, &blue, collect_fdb, &fdb), 0);
	assert_int_equal(fdb.n, 0);
}

/* Map full ------------------------------------------------------------- */

static size_t count_fdb(struct store *store)
{
	struct fdb_list list = {0};

	assert_int_equal(store_fdb_foreach(store, NULL, collect_fdb, &list), 0);
	return list.n;
}

static void test_map_full_refuses_and_recovers(void **state)
{
	struct fixture *f = *state;
	struct store_segment_key blue = test_segment_key(CONF_SEGMENT_VXLAN, 100);
	struct store_fdb_record record;
	struct store_fdb_record batch[64];
	struct store_fdb_entry entry;
	const struct store_stats *stats;
	char err[256];
	uint32_t stored = 0;
	int rc = 0;

	store_close(f->store);
	test_dir_remove(f->dir);
	test_dir_make(f->dir, sizeof(f->dir), f->path, sizeof(f->path));
	assert_int_equal(store_open(&f->store, f->path, 256 * 1024, false, err, sizeof(err)), 0);
	stats = store_stats(f->store);
	put_segment(f->store, CONF_SEGMENT_VXLAN, 100, "blue");

	while (stored < 100000) {
		test_fdb_record(&record, &blue, stored);
		rc = store_fdb_put_batch(f->store, &record, 1);
		if (rc != 0)
			break;
		stored++;
	}
	assert_int_equal(rc, -ENOSPC);
	print_message("256 KiB map: %u single-entry puts before -ENOSPC\n", stored);
	assert_true(stored > 300);
	assert_int_equal(stats->map_full, 1);
	assert_int_equal(stats->write_errors, 0);

	/* Everything committed before is intact; the refused entry is absent. */
	assert_int_equal(count_fdb(f->store), stored);
	assert_int_equal(store_fdb_get(f->store, &blue, record.mac, &entry), -ENOENT);
	test_fdb_record(&record, &blue, stored - 1);
	assert_int_equal(store_fdb_get(f->store, &blue, record.mac, &entry), 0);
	assert_int_equal(entry.last_seen, record.entry.last_seen);

	/* A batch is refused whole. */
	for (uint32_t i = 0; i < 64; i++)
		test_fdb_record(&batch[i], &blue, stored + i);
	assert_int_equal(store_fdb_put_batch(f->store, batch, 64), -ENOSPC);
	assert_int_equal(stats->map_full, 2);
	assert_int_equal(count_fdb(f->store), stored);

	/* Deletes work on the full store, one by one and in a batch ... */
	for (uint32_t i = 0; i < 10; i++) {
		test_fdb_record(&record, &blue, i);
		assert_int_equal(store_fdb_del_batch(f->store, &record, 1), 0);
	}
	for (uint32_t run = 0; run < 3; run++) {
		for (uint32_t i = 0; i < 64; i++)
			test_fdb_record(&batch[i], &blue, 10 + run * 64 + i);
		assert_int_equal(store_fdb_del_batch(f->store, batch, 64), 0);
	}
	assert_int_equal(count_fdb(f->store), stored - 202);
	/* ... and make room for new writes (about four leaf pages were freed). */
	for (uint32_t i = 0; i < 64; i++)
		test_fdb_record(&batch[i], &blue, stored + i);
	assert_int_equal(store_fdb_put_batch(f->store, batch, 64), 0);
	assert_int_equal(count_fdb(f->store), stored - 202 + 64);
	assert_int_equal(stats->map_full, 2);
	assert_int_equal(stats->write_errors, 0);

	/* What was committed survives a reopen. */
	store_close(f->store);
	assert_int_equal(store_open(&f->store, f->path, 256 * 1024, false, err, sizeof(err)), 0);
	assert_int_equal(count_fdb(f->store), stored - 202 + 64);
}

static void test_map_full_inside_one_transaction(void **state)
{
	struct fixture *f = *state;
	struct store_segment_key blue = test_segment_key(CONF_SEGMENT_VXLAN, 100);
	enum { N = 20000 };
	struct store_fdb_record *records = calloc(N, sizeof(*records));
	char err[256];

	/* A batch far larger than the map fails inside LMDB itself. */
	assert_non_null(records);
	store_close(f->store);
	assert_int_equal(store_open(&f->store, f->path, 256 * 1024, false, err, sizeof(err)), 0);
	put_segment(f->store, CONF_SEGMENT_VXLAN, 100, "blue");
	for (uint32_t i = 0; i < N; i++)
		test_fdb_record(&records[i], &blue, i);
	assert_int_equal(store_fdb_put_batch(f->store, records, N), -ENOSPC);
	assert_int_equal(store_stats(f->store)->map_full, 1);
	assert_int_equal(count_fdb(f->store), 0);
	assert_int_equal(store_fdb_put_batch(f->store, records, 100), 0);
	assert_int_equal(count_fdb(f->store), 100);
	free(records);
}

/* Read-only and schema ------------------------------------------------- */

static void test_read_only_reads_and_refuses_writes(void **state)
{
	struct fixture *f = *state;
	struct store_segment_key blue = test_segment_key(CONF_SEGMENT_VXLAN, 100);
	struct store_segment segment = {.learning = CONF_LEARNING_STATIC};
	struct conf_ip vtep = test_ip("192.0.2.1");
	struct store_vtep info = {.refs = 1};
	struct store_fdb_record record;
	struct store_fdb_entry entry;
	struct segment_list list = {0};
	struct store *reader;
	char missing[PATH_MAX + 16];
	char err[256];
	struct stat st;

	put_segment(f->store, CONF_SEGMENT_VXLAN, 100, "blue");
	test_fdb_record(&record, &blue, 8);
	assert_int_equal(store_fdb_put_batch(f->store, &record, 1), 0);

	/* A reader opens beside the writer. */
	assert_int_equal(store_open(&reader, f->path, 0, true, err, sizeof(err)), 0);
	assert_int_equal(store_segment_foreach(reader, collect_segment, &list), 0);
	assert_int_equal(list.n, 1);
	assert_int_equal(store_fdb_get(reader, &blue, record.mac, &entry), 0);
	assert_string_equal(entry.port, "port8");

	assert_int_equal(store_segment_put(reader, &blue, &segment), -EROFS);
	assert_int_equal(store_segment_del(reader, &blue), -EROFS);
	assert_int_equal(store_fdb_put_batch(reader, &record, 1), -EROFS);
	assert_int_equal(store_fdb_del_batch(reader, &record, 1), -EROFS);
	assert_int_equal(store_flood_put(reader, &blue, &vtep, STORE_FLOOD_STATIC), -EROFS);
	assert_int_equal(store_flood_del(reader, &blue, &vtep), -EROFS);
	assert_int_equal(store_vtep_put(reader, &vtep, &info), -EROFS);
	assert_int_equal(store_vtep_del(reader, &vtep), -EROFS);
	assert_int_equal(store_stats(reader)->read_only_refusals, 8);
	assert_int_equal(store_stats(reader)->commits, 0);
	store_close(reader);
	assert_int_equal(store_fdb_get(f->store, &blue, record.mac, &entry), 0);

	/* A reader never creates a store. */
	snprintf(missing, sizeof(missing), "%s/absent", f->dir);
	assert_int_equal(store_open(&reader, missing, 0, true, err, sizeof(err)), -ENOENT);
	assert_null(reader);
	assert_non_null(strstr(err, "absent"));
	assert_int_equal(stat(missing, &st), -1);
}

static void set_raw_schema(const char *path, uint32_t version)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi meta;
	uint8_t bytes[4] = {(uint8_t)(version >> 24), (uint8_t)(version >> 16),
			    (uint8_t)(version >> 8), (uint8_t)version};
	MDB_val key = {6, (void *)(uintptr_t) "schema"};
	MDB_val value = {4, bytes};

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 8), 0);
	assert_int_equal(mdb_env_open(env, path, 0, 0640), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
	assert_int_equal(mdb_put(txn, meta, &key, &value, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void test_schema_mismatch_is_refused(void **state)
{
	struct fixture *f = *state;
	struct store *store;
	char err[256];

	put_segment(f->store, CONF_SEGMENT_VXLAN, 100, "blue");
	store_close(f->store);
	f->store = NULL;

	set_raw_schema(f->path, STORE_SCHEMA_VERSION + 1);
	assert_int_equal(store_open(&store, f->path, 0, false, err, sizeof(err)), -EPROTO);
	assert_null(store);
	assert_non_null(strstr(err, "schema version 2"));
	assert_int_equal(store_open(&store, f->path, 0, true, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "schema version 2"));

	/* Nothing was changed by the refusal: the right version opens again. */
	set_raw_schema(f->path, STORE_SCHEMA_VERSION);
	assert_int_equal(store_open(&f->store, f->path, 0, false, err, sizeof(err)), 0);
	assert_int_equal(
		store_segment_foreach(f->store, collect_segment, &(struct segment_list){0}), 0);
}

static void test_not_a_store_is_refused(void **state)
{
	struct fixture *f = *state;
	char other[PATH_MAX + 16];
	struct store *store;
	MDB_env *env;
	char err[256];

	/* An LMDB environment that is not ours. */
	snprintf(other, sizeof(other), "%s/other", f->dir);
	assert_int_equal(mkdir(other, 0750), 0);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_open(env, other, 0, 0640), 0);
	mdb_env_close(env);
	assert_int_equal(store_open(&store, other, 0, true, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "not a vtepgw store"));
}

/* Concurrent reader ---------------------------------------------------- */

enum { READER_ENTRIES = 300, READER_GENERATIONS = 150 };

struct snapshot {
	size_t n;
	uint64_t generation;
	bool mixed;
};

static int check_snapshot(const struct store_fdb_record *record, void *arg)
{
	struct snapshot *snapshot = arg;

	if (snapshot->n == 0)
		snapshot->generation = record->entry.last_seen;
	else if (record->entry.last_seen != snapshot->generation)
		snapshot->mixed = true;
	/* Widen the window in which the writer commits during our walk. */
	if (snapshot->n == READER_ENTRIES / 2)
		usleep(200);
	snapshot->n++;
	return 0;
}

struct reader_result {
	uint32_t snapshots;
	uint32_t bad;
	uint32_t generations_seen;
};

/* The child: opens the store read-only, walks it until told to stop. */
static void reader_child(const char *path, int ready_fd, int stop_fd, int result_fd)
{
	struct store_segment_key blue = test_segment_key(CONF_SEGMENT_VXLAN, 100);
	struct reader_result result = {0};
	struct pollfd stop = {.fd = stop_fd, .events = POLLIN};
	uint64_t last_generation = 0;
	struct store *store;
	char err[256];
	int rc;

	if (store_open(&store, path, 0, true, err, sizeof(err)) != 0)
		_exit(2);
	if (write(ready_fd, "r", 1) != 1)
		_exit(3);
	while (poll(&stop, 1, 0) == 0) {
		struct snapshot snapshot = {0};

		rc = store_fdb_foreach(store, &blue, check_snapshot, &snapshot);
		result.snapshots++;
		/* Every snapshot holds a whole generation: all entries, one stamp. */
		if (rc != 0 || snapshot.mixed || (snapshot.n != 0 && snapshot.n != READER_ENTRIES))
			result.bad++;
		if (snapshot.n != 0 && snapshot.generation != last_generation) {
			result.generations_seen++;
			last_generation = snapshot.generation;
		}
	}
	store_close(store);
	if (write(result_fd, &result, sizeof(result)) != sizeof(result))
		_exit(4);
	_exit(0);
}

static void test_reader_sees_whole_transactions(void **state)
{
	struct fixture *f = *state;
	struct store_segment_key blue = test_segment_key(CONF_SEGMENT_VXLAN, 100);
	struct store_fdb_record *records = calloc(READER_ENTRIES, sizeof(*records));
	struct reader_result result;
	int ready[2], stop[2], out[2];
	char byte;
	pid_t pid;
	int status;

	assert_non_null(records);
	put_segment(f->store, CONF_SEGMENT_VXLAN, 100, "blue");
	/* LMDB forbids using an environment across fork(): close ours first;
	 * the child opens its own. */
	store_close(f->store);
	f->store = NULL;
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(stop), 0);
	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		reader_child(f->path, ready[1], stop[0], out[1]);
	assert_int_equal(read(ready[0], &byte, 1), 1);

	assert_int_equal(store_open(&f->store, f->path, 0, false, NULL, 0), 0);
	for (uint32_t generation = 1; generation <= READER_GENERATIONS; generation++) {
		for (uint32_t i = 0; i < READER_ENTRIES; i++) {
			test_fdb_record(&records[i], &blue, i);
			records[i].entry.last_seen = generation;
		}
		assert_int_equal(store_fdb_put_batch(f->store, records, READER_ENTRIES), 0);
		/* Every tenth generation deletes everything first, in its own
		 * transaction: readers may see the empty table, never half. */
		if (generation % 10 == 0)
			assert_int_equal(store_fdb_del_batch(f->store, records, READER_ENTRIES), 0);
	}
	assert_int_equal(write(stop[1], "s", 1), 1);
	assert_int_equal(read(out[0], &result, sizeof(result)), sizeof(result));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	print_message("reader: %u snapshots, %u generations seen, %u inconsistent\n",
		      result.snapshots, result.generations_seen, result.bad);
	assert_true(result.snapshots > 0);
	assert_int_equal(result.bad, 0);
	for (int i = 0; i < 2; i++) {
		close(ready[i]);
		close(stop[i]);
		close(out[i]);
	}
	free(records);
}

/* Stale readers -------------------------------------------------------- */

struct reader_slots {
	char pid[32];
	int matches;
};

static int count_reader_slot(const char *line, void *arg)
{
	struct reader_slots *slots = arg;
	char first[32];

	/* Lines are "pid thread txnid"; the first line is a header. */
	if (sscanf(line, "%31s", first) == 1 && strcmp(first, slots->pid) == 0)
		slots->matches++;
	return 0;
}

static int reader_slots_of(const char *path, pid_t pid)
{
	struct reader_slots slots = {0};
	MDB_env *env;

	snprintf(slots.pid, sizeof(slots.pid), "%d", (int)pid);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 8), 0);
	assert_int_equal(mdb_env_open(env, path, MDB_RDONLY, 0640), 0);
	assert_true(mdb_reader_list(env, count_reader_slot, &slots) >= 0);
	mdb_env_close(env);
	return slots.matches;
}

static int stuck_reader(const struct store_segment_key *key, const struct store_segment *segment,
			void *arg)
{
	int fd = *(const int *)arg;

	(void)key;
	(void)segment;
	if (write(fd, "r", 1) != 1)
		_exit(3);
	for (;;)
		pause();
	return 0;
}

static void test_stale_reader_is_cleared_at_open(void **state)
{
	struct fixture *f = *state;
	int ready[2], hold[2];
	pid_t holder, reader;
	char byte;
	int status;

	put_segment(f->store, CONF_SEGMENT_VXLAN, 100, "blue");
	store_close(f->store);
	f->store = NULL;
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(hold), 0);

	/* The daemon's stand-in keeps the environment open throughout. */
	holder = fork();
	assert_true(holder >= 0);
	if (holder == 0) {
		struct store *daemon;

		if (store_open(&daemon, f->path, 0, false, NULL, 0) != 0)
			_exit(2);
		if (write(ready[1], "h", 1) != 1 || read(hold[0], &byte, 1) != 1)
			_exit(3);
		store_close(daemon);
		_exit(0);
	}
	assert_int_equal(read(ready[0], &byte, 1), 1);

	/* Killed inside its read transaction, a reader leaves its slot. */
	reader = fork();
	assert_true(reader >= 0);
	if (reader == 0) {
		struct store *store;

		if (store_open(&store, f->path, 0, true, NULL, 0) != 0)
			_exit(2);
		store_segment_foreach(store, stuck_reader, &ready[1]);
		_exit(4);
	}
	assert_int_equal(read(ready[0], &byte, 1), 1);
	assert_int_equal(kill(reader, SIGKILL), 0);
	assert_int_equal(waitpid(reader, &status, 0), reader);
	assert_int_equal(reader_slots_of(f->path, reader), 1);

	/* The next open, a reader's too, frees it. */
	assert_int_equal(store_open(&f->store, f->path, 0, true, NULL, 0), 0);
	assert_int_equal(store_stats(f->store)->stale_readers_cleared, 1);
	store_close(f->store);
	f->store = NULL;
	assert_int_equal(reader_slots_of(f->path, reader), 0);

	assert_int_equal(write(hold[1], "q", 1), 1);
	assert_int_equal(waitpid(holder, &status, 0), holder);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	for (int i = 0; i < 2; i++) {
		close(ready[i]);
		close(hold[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define STORE_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)
		STORE_TEST(test_segments_put_update_delete_walk),
		STORE_TEST(test_segments_refuse_bad_input),
		STORE_TEST(test_fdb_put_get_delete_walk),
		STORE_TEST(test_fdb_batch_is_all_or_nothing),
		STORE_TEST(test_flood_put_delete_walk),
		STORE_TEST(test_vteps_put_update_delete_walk),
		STORE_TEST(test_segment_delete_cascades),
		STORE_TEST(test_map_full_refuses_and_recovers),
		STORE_TEST(test_map_full_inside_one_transaction),
		STORE_TEST(test_read_only_reads_and_refuses_writes),
		STORE_TEST(test_schema_mismatch_is_refused),
		STORE_TEST(test_not_a_store_is_refused),
		STORE_TEST(test_reader_sees_whole_transactions),
		STORE_TEST(test_stale_reader_is_cleared_at_open),
#undef STORE_TEST
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
