/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the netlink mirror tests: a private network namespace per
 * test, shell commands that must succeed, and a recorder of every callback.
 */
#ifndef VTEPGW_TESTS_NETLINK_TEST_SUPPORT_H
#define VTEPGW_TESTS_NETLINK_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routing/netlink_mirror.h"

#define RECORDER_MAX 512

struct recorded_link {
	bool add;
	struct netlink_link link;
};
struct recorded_address {
	bool add;
	struct netlink_address address;
};
struct recorded_route {
	bool add;
	struct netlink_route route;
};
struct recorded_neighbour {
	bool add;
	struct netlink_neighbour neighbour;
};
struct recorded_fdb {
	bool add;
	struct netlink_fdb fdb;
};

/* Keeps the first RECORDER_MAX events of each kind and counts them all. */
struct recorder {
	struct recorded_link links[RECORDER_MAX];
	size_t n_links;
	struct recorded_address addresses[RECORDER_MAX];
	size_t n_addresses;
	struct recorded_route routes[RECORDER_MAX];
	size_t n_routes;
	struct recorded_neighbour neighbours[RECORDER_MAX];
	size_t n_neighbours;
	struct recorded_fdb fdbs[RECORDER_MAX];
	size_t n_fdbs;
	unsigned resync_begins;
	unsigned resync_ends;
};

extern const struct netlink_mirror_ops recorder_ops;
void recorder_reset(struct recorder *recorder);

/* unshare(CLONE_NEWNET) and bring lo up: cmocka setup, one namespace per test. */
int fresh_namespace(void **state);
/* Run a shell command; fails the test when it does not exit 0. */
void run(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Run a shell command and return its standard output (static buffer). */
const char *run_output(const char *format, ...) __attribute__((format(printf, 1, 2)));

struct conf_ip ip(const char *text);
struct conf_prefix prefix(const char *text); /* "10.0.0.0/8" */
int ifindex(const char *name);
void link_mac(const char *name, uint8_t mac[6]);
void mac_parse(const char *text, uint8_t mac[6]);

/* Process events until `done(context)` or `timeout_ms`; returns done's value. */
bool process_until(struct netlink_mirror *mirror, bool (*done)(void *context), void *context,
		   int timeout_ms);
/* Process what is pending now (events of commands that already returned). */
void process_pending(struct netlink_mirror *mirror);

/* Last recorded event for that object, or NULL. */
const struct recorded_route *recorder_route(const struct recorder *recorder, const char *dst);
const struct recorded_neighbour *recorder_neighbour(const struct recorder *recorder, int ifindex,
						    const char *addr);
const struct recorded_fdb *recorder_fdb(const struct recorder *recorder, int ifindex,
					const char *mac);

#endif
