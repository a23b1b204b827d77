/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Malformed and unexpected rtnetlink messages fed to the mirror
 * (netlink_mirror_feed): each is skipped and counted in parse_errors, never
 * applied, never a crash. Also the LPM table on 10,000 routes. No root needed:
 * the mirror is opened but never dumps.
 */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "netlink_test_support.h"

static struct recorder recorder;
static _Alignas(8) uint8_t message[8192];

static int open_mirror(void **state)
{
	struct netlink_mirror *mirror = NULL;

	recorder_reset(&recorder);
	if (netlink_mirror_open(&mirror, NETLINK_MIRROR_ALL, &recorder_ops, &recorder) < 0)
		return -1;
	*state = mirror;
	return 0;
}

static int close_mirror(void **state)
{
	netlink_mirror_close(*state);
	return 0;
}

static struct nlmsghdr *route_message(uint16_t type, const char *dst, uint8_t dst_len,
				      uint32_t priority)
{
	struct conf_ip addr = ip(dst);
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	memset(message, 0, sizeof(message));
	nlh = mnl_nlmsg_put_header(message);
	nlh->nlmsg_type = type;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)addr.family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BGP;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, addr.family == AF_INET ? 4 : 16, &addr.v6);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, priority);
	return nlh;
}

static size_t feed(struct netlink_mirror *mirror, const struct nlmsghdr *nlh)
{
	return (size_t)netlink_mirror_feed(mirror, nlh, nlh->nlmsg_len);
}

static uint64_t parse_errors(struct netlink_mirror *mirror)
{
	return netlink_mirror_stats(mirror)->parse_errors;
}

static void test_valid_route_is_applied(void **state)
{
	struct netlink_mirror *mirror = *state;
	struct nlmsghdr *nlh = route_message(RTM_NEWROUTE, "10.20.0.0", 16, 0);
	struct conf_ip gateway = ip("10.1.0.2"), addr = ip("10.20.1.1");
	const struct netlink_route *route;

	mnl_attr_put(nlh, RTA_GATEWAY, 4, &gateway.v4);
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	assert_int_equal(feed(mirror, nlh), 1);
	assert_int_equal(parse_errors(mirror), 0);
	route = netlink_mirror_route_lookup(mirror, &addr);
	assert_non_null(route);
	assert_int_equal(route->protocol, RTPROT_BGP);
	assert_int_equal(route->n_paths, 1);
	assert_int_equal(route->paths[0].ifindex, 7);
	assert_int_equal(route->paths[0].weight, 1);
	assert_int_equal(recorder.n_routes, 1);
}

static void test_malformed_routes_are_counted(void **state)
{
	struct netlink_mirror *mirror = *state;
	struct nlmsghdr *nlh;
	struct nlattr *multipath;
	struct rtnexthop *rtnh;
	uint64_t errors = 0;

	/* Prefix longer than the address. */
	assert_int_equal(feed(mirror, route_message(RTM_NEWROUTE, "10.0.0.0", 33, 0)), 1);
	assert_int_equal(parse_errors(mirror), ++errors);
	/* Gateway of the wrong size. */
	nlh = route_message(RTM_NEWROUTE, "10.0.0.0", 8, 0);
	mnl_attr_put(nlh, RTA_GATEWAY, 3, "abc");
	feed(mirror, nlh);
	assert_int_equal(parse_errors(mirror), ++errors);
	/* IPv6 destination in an IPv4 route. */
	nlh = route_message(RTM_NEWROUTE, "2001:db8::", 32, 0);
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_family = AF_INET;
	feed(mirror, nlh);
	assert_int_equal(parse_errors(mirror), ++errors);
	/* An attribute claiming more bytes than the message has. */
	nlh = route_message(RTM_NEWROUTE, "10.0.0.0", 8, 0);
	((struct nlattr *)((uint8_t *)mnl_nlmsg_get_payload(nlh) + MNL_ALIGN(sizeof(struct rtmsg))))
		->nla_len = 200;
	feed(mirror, nlh);
	assert_int_equal(parse_errors(mirror), ++errors);
	/* A next hop claiming more bytes than RTA_MULTIPATH has. */
	nlh = route_message(RTM_NEWROUTE, "10.0.0.0", 8, 0);
	multipath = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	rtnh = mnl_nlmsg_get_payload_tail(nlh);
	memset(rtnh, 0, sizeof(*rtnh));
	rtnh->rtnh_len = 100;
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*rtnh));
	mnl_attr_nest_end(nlh, multipath);
	feed(mirror, nlh);
	assert_int_equal(parse_errors(mirror), ++errors);
	/* Shorter than struct rtmsg. */
	nlh = route_message(RTM_NEWROUTE, "10.0.0.0", 8, 0);
	nlh->nlmsg_len = MNL_ALIGN(sizeof(struct nlmsghdr)) + 4;
	feed(mirror, nlh);
	assert_int_equal(parse_errors(mirror), ++errors);
	/* A message type the mirror never subscribed to. */
	nlh = route_message(RTM_NEWRULE, "10.0.0.0", 8, 0);
	feed(mirror, nlh);
	assert_int_equal(parse_errors(mirror), ++errors);
	/* A header whose length runs past the buffer: nothing is handled. */
	nlh = route_message(RTM_NEWROUTE, "10.0.0.0", 8, 0);
	assert_int_equal(netlink_mirror_feed(mirror, nlh, nlh->nlmsg_len - 8), 0);
	assert_int_equal(parse_errors(mirror), ++errors);

	assert_int_equal(netlink_mirror_route_count(mirror), 0);
	assert_int_equal(recorder.n_routes, 0);
}

static void test_too_many_paths_are_truncated(void **state)
{
	struct netlink_mirror *mirror = *state;
	struct nlmsghdr *nlh = route_message(RTM_NEWROUTE, "10.30.0.0", 16, 0);
	struct nlattr *multipath = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	struct conf_ip addr = ip("10.30.0.1");
	const struct netlink_route *route;

	for (int i = 0; i < NETLINK_MAX_PATHS + 4; i++) {
		struct rtnexthop *rtnh = mnl_nlmsg_get_payload_tail(nlh);
		uint8_t gateway[4] = {10, 1, 0, (uint8_t)(i + 1)};

		memset(rtnh, 0, sizeof(*rtnh));
		rtnh->rtnh_ifindex = 3;
		rtnh->rtnh_hops = (uint8_t)(i == 0 ? 255 : i);
		nlh->nlmsg_len += MNL_ALIGN(sizeof(*rtnh));
		mnl_attr_put(nlh, RTA_GATEWAY, 4, gateway);
		rtnh->rtnh_len =
			(uint16_t)((uint8_t *)mnl_nlmsg_get_payload_tail(nlh) - (uint8_t *)rtnh);
	}
	mnl_attr_nest_end(nlh, multipath);
	feed(mirror, nlh);
	assert_int_equal(parse_errors(mirror), 0);
	assert_int_equal(netlink_mirror_stats(mirror)->truncated_routes, 4);
	route = netlink_mirror_route_lookup(mirror, &addr);
	assert_non_null(route);
	assert_int_equal(route->n_paths, NETLINK_MAX_PATHS);
	assert_int_equal(route->paths[0].weight, 255); /* 256 does not fit */
	assert_int_equal(route->paths[5].weight, 6);
	assert_int_equal(route->paths[15].gateway.v4.s_addr, htonl(0x0a010010));
}

static void test_malformed_neighbours_are_counted(void **state)
{
	struct netlink_mirror *mirror = *state;
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	/* An IPv4 neighbour without NDA_DST. */
	memset(message, 0, sizeof(message));
	nlh = mnl_nlmsg_put_header(message);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET;
	ndm->ndm_ifindex = 2;
	mnl_attr_put(nlh, NDA_LLADDR, 6, "\x02\0\0\0\0\x01");
	feed(mirror, nlh);
	assert_int_equal(parse_errors(mirror), 1);
	/* An FDB entry whose MAC is 4 bytes long. */
	memset(message, 0, sizeof(message));
	nlh = mnl_nlmsg_put_header(message);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	ndm->ndm_ifindex = 2;
	mnl_attr_put(nlh, NDA_LLADDR, 4, "\x02\0\0\0");
	feed(mirror, nlh);
	assert_int_equal(parse_errors(mirror), 2);
	/* A neighbour of an unknown family. */
	ndm->ndm_family = 99;
	feed(mirror, nlh);
	assert_int_equal(parse_errors(mirror), 3);
	assert_int_equal(recorder.n_neighbours + recorder.n_fdbs, 0);
	assert_int_equal(netlink_mirror_neighbour_count(mirror), 0);
}

/* Random bytes behind valid headers of every type the mirror handles. */
static void test_random_messages_never_crash(void **state)
{
	static const uint16_t types[] = {RTM_NEWLINK,  RTM_DELLINK,  RTM_NEWADDR,
					 RTM_DELADDR,  RTM_NEWROUTE, RTM_DELROUTE,
					 RTM_NEWNEIGH, RTM_DELNEIGH, NLMSG_ERROR};
	struct netlink_mirror *mirror = *state;
	uint64_t messages = netlink_mirror_stats(mirror)->messages;

	srand(7);
	for (int i = 0; i < 20000; i++) {
		struct nlmsghdr *nlh;
		size_t length = (size_t)(rand() % 200);

		memset(message, 0, sizeof(message));
		nlh = mnl_nlmsg_put_header(message);
		nlh->nlmsg_type = types[rand() % (int)(sizeof(types) / sizeof(types[0]))];
		for (size_t j = 0; j < length; j++)
			message[sizeof(*nlh) + j] = (uint8_t)rand();
		/* Mostly plausible families so the parsers get past the header. */
		message[sizeof(*nlh)] = (uint8_t[]){AF_INET, AF_INET6, AF_BRIDGE, 0}[rand() % 4];
		nlh->nlmsg_len = (uint32_t)(sizeof(*nlh) + length);
		assert_int_equal(netlink_mirror_feed(mirror, nlh, nlh->nlmsg_len), 1);
	}
	assert_int_equal(netlink_mirror_stats(mirror)->messages, messages + 20000);
	assert_true(parse_errors(mirror) > 0);
}

static void test_lpm_on_10000_routes(void **state)
{
	struct netlink_mirror *mirror = *state;
	struct timespec start, end;
	double seconds;

	for (unsigned i = 0; i < 10000; i++) {
		char dst[32];

		snprintf(dst, sizeof(dst), "10.%u.%u.0", i / 256, i % 256);
		feed(mirror, route_message(RTM_NEWROUTE, dst, 24, 0));
		snprintf(dst, sizeof(dst), "2001:db8:%x::", i);
		feed(mirror, route_message(RTM_NEWROUTE, dst, 48, 0));
	}
	feed(mirror, route_message(RTM_NEWROUTE, "10.0.0.0", 8, 0));
	feed(mirror, route_message(RTM_NEWROUTE, "10.1.2.128", 25, 0));
	assert_int_equal(netlink_mirror_route_count(mirror), 20002);
	assert_int_equal(parse_errors(mirror), 0);

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (unsigned i = 0; i < 10000; i++) {
		char text[64];
		struct conf_ip addr;
		const struct netlink_route *route;

		snprintf(text, sizeof(text), "10.%u.%u.200", i / 256, i % 256);
		addr = ip(text);
		route = netlink_mirror_route_lookup(mirror, &addr);
		assert_non_null(route);
		assert_int_equal(route->dst.len, i == 258 ? 25 : 24);
		snprintf(text, sizeof(text), "2001:db8:%x:1::1", i);
		addr = ip(text);
		route = netlink_mirror_route_lookup(mirror, &addr);
		assert_non_null(route);
		assert_int_equal(route->dst.len, 48);
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
	print_message("20000 lookups in %.3f ms\n", seconds * 1e3);

	/* 10.200.0.0/24 does not exist (10000 / 256 = 39): the /8 matches. */
	struct conf_ip outside = ip("10.200.0.1");
	assert_int_equal(netlink_mirror_route_lookup(mirror, &outside)->dst.len, 8);
	for (unsigned i = 0; i < 10000; i++) {
		char dst[32];

		snprintf(dst, sizeof(dst), "10.%u.%u.0", i / 256, i % 256);
		feed(mirror, route_message(RTM_DELROUTE, dst, 24, 0));
	}
	assert_int_equal(netlink_mirror_route_count(mirror), 10002);
	struct conf_ip inside = ip("10.3.3.3");
	assert_int_equal(netlink_mirror_route_lookup(mirror, &inside)->dst.len, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_valid_route_is_applied, open_mirror,
						close_mirror),
		cmocka_unit_test_setup_teardown(test_malformed_routes_are_counted, open_mirror,
						close_mirror),
		cmocka_unit_test_setup_teardown(test_too_many_paths_are_truncated, open_mirror,
						close_mirror),
		cmocka_unit_test_setup_teardown(test_malformed_neighbours_are_counted, open_mirror,
						close_mirror),
		cmocka_unit_test_setup_teardown(test_random_messages_never_crash, open_mirror,
						close_mirror),
		cmocka_unit_test_setup_teardown(test_lpm_on_10000_routes, open_mirror,
						close_mirror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
