/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lost events: with a tiny event socket buffer, a burst of route changes
 * overflows it (ENOBUFS); the mirror must re-dump and end equal to the
 * kernel. Also measures a 10,000-route dump. Needs root (suite 'system').
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "netlink_test_support.h"

#define BURST_ROUTES 10000

static struct recorder recorder;

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Routes 10.50.0.0/32 onwards through va (IPv4) and 2001:db8:50::N (IPv6). */
static void write_batch(const char *path, const char *verb, unsigned first, unsigned count)
{
	FILE *batch = fopen(path, "w");

	assert_non_null(batch);
	for (unsigned i = first; i < first + count; i++) {
		if (i % 2 == 0)
			fprintf(batch, "route %s 10.50.%u.%u/32 via 10.1.0.2\n", verb, i / 256,
				i % 256);
		else
			fprintf(batch, "route %s 2001:db8:50::%x/128 via 2001:db8:1::2\n", verb, i);
	}
	fclose(batch);
}

static size_t kernel_route_count(void)
{
	return (size_t)atoi(run_output("ip -4 route show table main | grep -c '^[^ \t]'")) +
	       (size_t)atoi(run_output("ip -6 route show table main | grep -c '^[^ \t]'"));
}

/* Every burst route is mirrored exactly (present == true) or absent. */
static void assert_burst_routes(struct netlink_mirror *mirror, unsigned first, unsigned count,
				bool present)
{
	for (unsigned i = first; i < first + count; i++) {
		char text[64];
		struct conf_ip addr;
		const struct netlink_route *route;

		if (i % 2 == 0)
			snprintf(text, sizeof(text), "10.50.%u.%u", i / 256, i % 256);
		else
			snprintf(text, sizeof(text), "2001:db8:50::%x", i);
		addr = ip(text);
		route = netlink_mirror_route_lookup(mirror, &addr);
		if (!present) {
			/* Only the connected or default routes may match. */
			assert_true(route == NULL || route->dst.len < (i % 2 == 0 ? 32 : 128));
			continue;
		}
		assert_non_null(route);
		assert_int_equal(route->dst.len, i % 2 == 0 ? 32 : 128);
		assert_int_equal(route->n_paths, 1);
		assert_int_equal(route->paths[0].ifindex, ifindex("va"));
	}
}

static bool drained(void *context)
{
	return netlink_mirror_process(context) == 0;
}

static void test_enobufs_resync(void **state)
{
	struct netlink_mirror *mirror = NULL, *fresh = NULL;
	struct timespec start;
	char path[] = "/tmp/vtepgw-netlink-resync-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	run("ip link add va type veth peer name vb && ip link set va up && ip link set vb up");
	run("ip addr add 10.1.0.1/24 dev va && ip -6 addr add 2001:db8:1::1/64 dev va nodad");
	recorder_reset(&recorder);
	assert_int_equal(netlink_mirror_open(&mirror, NETLINK_MIRROR_ALL, &recorder_ops, &recorder),
			 0);
	assert_int_equal(netlink_mirror_dump(mirror), 0);
	assert_int_equal(netlink_mirror_set_event_buffer(mirror, 4096), 0);

	write_batch(path, "add", 0, BURST_ROUTES);
	clock_gettime(CLOCK_MONOTONIC, &start);
	run("ip -batch %s", path);
	print_message("added %d routes in %.3f s\n", BURST_ROUTES, seconds_since(&start));
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_true(process_until(mirror, drained, mirror, 10000));
	print_message("processed with %llu resync(s) in %.3f s\n",
		      (unsigned long long)netlink_mirror_stats(mirror)->resyncs,
		      seconds_since(&start));
	assert_true(netlink_mirror_stats(mirror)->resyncs >= 1);
	assert_int_equal(recorder.resync_begins, netlink_mirror_stats(mirror)->resyncs);
	assert_int_equal(recorder.resync_ends, netlink_mirror_stats(mirror)->resyncs);
	assert_int_equal(netlink_mirror_route_count(mirror), kernel_route_count());
	assert_burst_routes(mirror, 0, BURST_ROUTES, true);

	/* Delete the first half in a burst: resync must drop what is gone and
	 * report it as deleted. */
	write_batch(path, "del", 0, BURST_ROUTES / 2);
	recorder_reset(&recorder);
	run("ip -batch %s", path);
	assert_true(process_until(mirror, drained, mirror, 10000));
	assert_true(recorder.resync_begins >= 1);
	assert_int_equal(netlink_mirror_route_count(mirror), kernel_route_count());
	assert_burst_routes(mirror, 0, BURST_ROUTES / 2, false);
	assert_burst_routes(mirror, BURST_ROUTES / 2, BURST_ROUTES / 2, true);

	/* Events keep flowing after a resync. */
	recorder_reset(&recorder);
	run("ip route add 10.51.0.0/16 via 10.1.0.2");
	process_pending(mirror);
	assert_non_null(recorder_route(&recorder, "10.51.0.0/16"));
	assert_int_equal(netlink_mirror_route_count(mirror), kernel_route_count());

	/* A separate dump sees the same table, and says how long a dump of
	 * this size takes. */
	assert_int_equal(netlink_mirror_open(&fresh, NETLINK_MIRROR_ROUTES, NULL, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(netlink_mirror_dump(fresh), 0);
	print_message("dumped %zu routes in %.3f s\n", netlink_mirror_route_count(fresh),
		      seconds_since(&start));
	assert_int_equal(netlink_mirror_route_count(fresh), netlink_mirror_route_count(mirror));
	assert_int_equal(netlink_mirror_stats(mirror)->parse_errors, 0);
	netlink_mirror_close(fresh);
	netlink_mirror_close(mirror);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_enobufs_resync, fresh_namespace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
