/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the store tests: private directories and records. */
#ifndef VTEPGW_TESTS_STORE_TEST_UTIL_H
#define VTEPGW_TESTS_STORE_TEST_UTIL_H

#include <arpa/inet.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/store.h"

static inline const char *test_tmpdir_base(void)
{
	const char *base = getenv("TMPDIR");

	return base != NULL && base[0] != '\0' ? base : "/tmp";
}

/* A fresh directory under $TMPDIR; `sub` receives `<dir>/store`, which the
 * store creates itself. */
static inline void test_dir_make(char *dir, size_t dir_size, char *sub, size_t sub_size)
{
	static const char pattern[] = "/vtepgw-store-XXXXXX";
	static const char store[] = "/store";
	const char *base = test_tmpdir_base();
	size_t base_len = strlen(base);
	size_t dir_len = base_len + sizeof(pattern) - 1;

	if (dir_len + 1 > dir_size || dir_len + sizeof(store) > sub_size)
		abort();
	memcpy(dir, base, base_len);
	memcpy(dir + base_len, pattern, sizeof(pattern));
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	memcpy(sub, dir, dir_len);
	memcpy(sub + dir_len, store, sizeof(store));
}

static int test_dir_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void test_dir_remove(const char *dir)
{
	nftw(dir, test_dir_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline struct conf_ip test_ip(const char *text)
{
	struct conf_ip ip;

	memset(&ip, 0, sizeof(ip));
	if (inet_pton(AF_INET, text, &ip.v4) == 1)
		ip.family = AF_INET;
	else if (inet_pton(AF_INET6, text, &ip.v6) == 1)
		ip.family = AF_INET6;
	else
		abort();
	return ip;
}

static inline struct store_segment_key test_segment_key(uint8_t type, uint32_t id)
{
	struct store_segment_key key;

	memset(&key, 0, sizeof(key));
	key.type = type;
	key.id = id;
	return key;
}

/* conf_ip_equal lives in conf/text.c, which this test does not depend on. */
static inline bool conf_ip_equal_bytes(const struct conf_ip *a, const struct conf_ip *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return memcmp(&a->v4, &b->v4, 4) == 0;
	return a->family != AF_INET6 || memcmp(&a->v6, &b->v6, 16) == 0;
}

/* An FDB record whose every field is derived from `seq`, so a reader can
 * tell an intact record from a torn or foreign one. */
static inline void test_fdb_record(struct store_fdb_record *record,
				   const struct store_segment_key *segment, uint32_t seq)
{
	memset(record, 0, sizeof(*record));
	record->segment = *segment;
	record->mac[0] = 0x02;
	record->mac[1] = 0x00;
	record->mac[2] = (uint8_t)(seq >> 24);
	record->mac[3] = (uint8_t)(seq >> 16);
	record->mac[4] = (uint8_t)(seq >> 8);
	record->mac[5] = (uint8_t)seq;
	if (seq % 2 == 0) {
		record->entry.remote = false;
		snprintf(record->entry.port, sizeof(record->entry.port), "port%u", seq);
		record->entry.vlan = (uint16_t)(seq % 4095);
		record->entry.origin = STORE_FDB_LEARNED;
	} else {
		record->entry.remote = true;
		record->entry.vtep.family = AF_INET;
		record->entry.vtep.v4.s_addr = htonl(0x0a000000u | (seq & 0xFFFFFFu));
		record->entry.origin = STORE_FDB_EVPN;
	}
	record->entry.last_seen = 1700000000ull + seq;
}

/* The sequence number a record was made from, or -1 if it is not one. */
static inline long test_fdb_record_seq(const struct store_fdb_record *record,
				       const struct store_segment_key *segment)
{
	struct store_fdb_record expected;
	uint32_t seq;

	if (record->mac[0] != 0x02 || record->mac[1] != 0x00)
		return -1;
	seq = (uint32_t)record->mac[2] << 24 | (uint32_t)record->mac[3] << 16 |
	      (uint32_t)record->mac[4] << 8 | record->mac[5];
	test_fdb_record(&expected, segment, seq);
	if (record->segment.type != expected.segment.type ||
	    record->segment.id != expected.segment.id ||
	    record->entry.remote != expected.entry.remote ||
	    strcmp(record->entry.port, expected.entry.port) != 0 ||
	    record->entry.vlan != expected.entry.vlan ||
	    record->entry.vtep.family != expected.entry.vtep.family ||
	    memcmp(&record->entry.vtep.v4, &expected.entry.vtep.v4, 4) != 0 ||
	    record->entry.origin != expected.entry.origin ||
	    record->entry.last_seen != expected.entry.last_seen)
		return -1;
	return (long)seq;
}

#endif
