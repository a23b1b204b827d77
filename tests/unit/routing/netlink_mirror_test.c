/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The netlink mirror against the real kernel: every test runs in its own
 * network namespace (fresh_namespace), builds state with `ip` and `bridge`,
 * and checks what the mirror reports through its dump, its events and its
 * lookups. Needs root (suite 'system').
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/ip6.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "netlink_test_support.h"

static struct recorder recorder;

static struct netlink_mirror *open_mirror(unsigned what)
{
	struct netlink_mirror *mirror = NULL;

	recorder_reset(&recorder);
	assert_int_equal(netlink_mirror_open(&mirror, what, &recorder_ops, &recorder), 0);
	assert_int_equal(netlink_mirror_dump(mirror), 0);
	return mirror;
}

static void two_links(void)
{
	run("ip link add va type veth peer name vb && ip link add vc type veth peer name vd");
	run("for l in va vb vc vd; do ip link set $l up; done");
	run("ip addr add 10.1.0.1/24 dev va && ip addr add 10.2.0.1/24 dev vc");
	run("ip -6 addr add 2001:db8:1::1/64 dev va nodad && "
	    "ip -6 addr add 2001:db8:2::1/64 dev vc nodad");
}

static const struct netlink_route *lookup(struct netlink_mirror *mirror, const char *addr)
{
	struct conf_ip wanted = ip(addr);

	return netlink_mirror_route_lookup(mirror, &wanted);
}

static void assert_route(const struct netlink_route *route, const char *dst)
{
	struct conf_prefix wanted = prefix(dst);

	assert_non_null(route);
	assert_int_equal(route->dst.len, wanted.len);
	assert_int_equal(route->dst.addr.family, wanted.addr.family);
	assert_memory_equal(&route->dst.addr.v6, &wanted.addr.v6,
			    wanted.addr.family == AF_INET ? 4 : 16);
	assert_int_equal(route->table, RT_TABLE_MAIN);
}

/* The path through `gateway` (NULL: directly connected) on `dev`, or NULL. */
static const struct netlink_nexthop *route_path(const struct netlink_route *route,
						const char *gateway, const char *dev)
{
	struct conf_ip wanted = {0};

	if (gateway != NULL)
		wanted = ip(gateway);
	for (size_t i = 0; i < route->n_paths; i++) {
		const struct netlink_nexthop *path = &route->paths[i];

		if (path->ifindex != ifindex(dev) || path->gateway.family != wanted.family)
			continue;
		if (gateway == NULL ||
		    memcmp(&path->gateway.v6, &wanted.v6, wanted.family == AF_INET ? 4 : 16) == 0)
			return path;
	}
	return NULL;
}

static void test_dump_links_and_addresses(void **state)
{
	struct netlink_mirror *mirror;
	uint8_t mac[6];
	bool seen_va = false, seen_vb = false, seen_v4 = false, seen_v6 = false;

	(void)state;
	two_links();
	run("ip link add br9 type bridge && ip link set vb master br9 && ip link set br9 up");
	run("ip link set vd down");
	mirror = open_mirror(NETLINK_MIRROR_ALL);
	link_mac("va", mac);
	for (size_t i = 0; i < recorder.n_links; i++) {
		const struct netlink_link *link = &recorder.links[i].link;

		if (link->ifindex == ifindex("va")) {
			seen_va = true;
			assert_string_equal(link->name, "va");
			assert_memory_equal(link->mac, mac, 6);
			assert_true(link->up);
			assert_int_equal(link->master, 0);
		}
		if (link->ifindex == ifindex("vb")) {
			seen_vb = true;
			assert_int_equal(link->master, ifindex("br9"));
		}
		/* vd is down, so vc has no carrier. */
		if (link->ifindex == ifindex("vc") || link->ifindex == ifindex("vd"))
			assert_false(link->up);
	}
	assert_true(seen_va && seen_vb);
	for (size_t i = 0; i < recorder.n_addresses; i++) {
		const struct netlink_address *address = &recorder.addresses[i].address;
		struct conf_ip v4 = ip("10.1.0.1"), v6 = ip("2001:db8:1::1");

		if (address->ifindex != ifindex("va"))
			continue;
		if (address->prefix.addr.family == AF_INET) {
			seen_v4 = true;
			assert_int_equal(address->prefix.len, 24);
			assert_memory_equal(&address->prefix.addr.v4, &v4.v4, 4);
		} else if (memcmp(&address->prefix.addr.v6, &v6.v6, 16) == 0) {
			seen_v6 = true;
			assert_int_equal(address->prefix.len, 64);
		}
	}
	assert_true(seen_v4 && seen_v6);

	/* Events: a new link, an address removed, a port leaving its bridge
	 * (which the kernel also reports as an AF_BRIDGE RTM_DELLINK). */
	recorder_reset(&recorder);
	run("ip link add ve type veth peer name vf && ip addr del 10.1.0.1/24 dev va");
	run("ip link set vb nomaster");
	process_pending(mirror);
	bool new_link = false, address_gone = false;
	for (size_t i = 0; i < recorder.n_links; i++) {
		if (recorder.links[i].link.ifindex == ifindex("ve") && recorder.links[i].add)
			new_link = true;
		if (recorder.links[i].link.ifindex == ifindex("vb"))
			assert_true(recorder.links[i].add);
	}
	for (size_t i = 0; i < recorder.n_addresses; i++)
		if (!recorder.addresses[i].add &&
		    recorder.addresses[i].address.ifindex == ifindex("va"))
			address_gone = true;
	assert_true(new_link && address_gone);
	run("ip link del ve");
	process_pending(mirror);
	assert_false(recorder.links[recorder.n_links - 1].add);
	assert_int_equal(netlink_mirror_stats(mirror)->parse_errors, 0);
	netlink_mirror_close(mirror);
}

static void test_dump_routes_lpm_and_ecmp(void **state)
{
	struct netlink_mirror *mirror;
	const struct netlink_route *route;
	const struct netlink_nexthop *path;

	(void)state;
	two_links();
	run("ip route add 10.9.0.0/16 nexthop via 10.1.0.2 dev va weight 1 "
	    "nexthop via 10.2.0.2 dev vc weight 3");
	run("ip route add 10.9.1.0/24 via 10.1.0.2 && ip route add 10.9.1.128/25 via 10.2.0.2");
	run("ip route add default via 10.1.0.254 proto static");
	run("ip route add 10.8.0.0/16 via 10.1.0.2 metric 100 && "
	    "ip route add 10.8.0.0/16 via 10.2.0.2 metric 50");
	run("ip route add blackhole 10.66.0.0/16");
	run("ip route add 10.7.0.0/16 via inet6 fe80::1 dev va");
	run("ip -6 route add 2001:db8:99::/48 via 2001:db8:1::2");
	run("ip -6 route add 2001:db8:aa::/64 nexthop via 2001:db8:1::2 dev va weight 2 "
	    "nexthop via 2001:db8:2::2 dev vc weight 5");
	run("ip route add 10.77.0.0/16 via 10.1.0.2 table 100");
	mirror = open_mirror(NETLINK_MIRROR_ROUTES);

	route = lookup(mirror, "10.9.1.200");
	assert_route(route, "10.9.1.128/25");
	assert_int_equal(route->n_paths, 1);
	assert_non_null(route_path(route, "10.2.0.2", "vc"));
	assert_route(lookup(mirror, "10.9.1.5"), "10.9.1.0/24");

	route = lookup(mirror, "10.9.200.1");
	assert_route(route, "10.9.0.0/16");
	assert_int_equal(route->n_paths, 2);
	assert_int_equal(route->type, RTN_UNICAST);
	path = route_path(route, "10.1.0.2", "va");
	assert_non_null(path);
	assert_int_equal(path->weight, 1);
	path = route_path(route, "10.2.0.2", "vc");
	assert_non_null(path);
	assert_int_equal(path->weight, 3);

	route = lookup(mirror, "192.0.2.1");
	assert_route(route, "0.0.0.0/0");
	assert_int_equal(route->protocol, RTPROT_STATIC);
	assert_non_null(route_path(route, "10.1.0.254", "va"));

	/* Connected route: no gateway. */
	route = lookup(mirror, "10.1.0.77");
	assert_route(route, "10.1.0.0/24");
	assert_int_equal(route->protocol, RTPROT_KERNEL);
	assert_non_null(route_path(route, NULL, "va"));

	/* Same prefix at two metrics: the lower metric wins. */
	route = lookup(mirror, "10.8.1.1");
	assert_route(route, "10.8.0.0/16");
	assert_int_equal(route->priority, 50);
	assert_non_null(route_path(route, "10.2.0.2", "vc"));

	route = lookup(mirror, "10.66.3.3");
	assert_route(route, "10.66.0.0/16");
	assert_int_equal(route->type, RTN_BLACKHOLE);
	assert_int_equal(route->n_paths, 0);

	/* RTA_VIA: an IPv4 route through an IPv6 next hop (RFC 5549). */
	route = lookup(mirror, "10.7.0.1");
	assert_route(route, "10.7.0.0/16");
	assert_non_null(route_path(route, "fe80::1", "va"));

	/* Other tables are not mirrored. */
	assert_route(lookup(mirror, "10.77.0.1"), "0.0.0.0/0");

	route = lookup(mirror, "2001:db8:99:1::5");
	assert_route(route, "2001:db8:99::/48");
	assert_non_null(route_path(route, "2001:db8:1::2", "va"));
	route = lookup(mirror, "2001:db8:aa::1");
	assert_route(route, "2001:db8:aa::/64");
	assert_int_equal(route->n_paths, 2);
	assert_int_equal(route_path(route, "2001:db8:1::2", "va")->weight, 2);
	assert_int_equal(route_path(route, "2001:db8:2::2", "vc")->weight, 5);
	assert_route(lookup(mirror, "2001:db8:1::9"), "2001:db8:1::/64");
	assert_null(lookup(mirror, "2001:db8:ff::1")); /* no IPv6 default route */

	/* The mirror holds exactly the kernel's main table. */
	assert_int_equal(
		netlink_mirror_route_count(mirror),
		atoi(run_output("ip -4 route show table main | grep -c '^[^ \t]'")) +
			atoi(run_output("ip -6 route show table main | grep -c '^[^ \t]'")));
	assert_int_equal(netlink_mirror_stats(mirror)->parse_errors, 0);
	netlink_mirror_close(mirror);
}

static void test_route_events(void **state)
{
	struct netlink_mirror *mirror;
	const struct netlink_route *route;
	size_t before;

	(void)state;
	two_links();
	mirror = open_mirror(NETLINK_MIRROR_ROUTES);
	before = netlink_mirror_route_count(mirror);
	assert_null(lookup(mirror, "10.9.3.3"));

	run("ip route add 10.9.0.0/16 via 10.1.0.2");
	process_pending(mirror);
	assert_true(recorder_route(&recorder, "10.9.0.0/16")->add);
	route = lookup(mirror, "10.9.3.3");
	assert_route(route, "10.9.0.0/16");
	assert_int_equal(route->n_paths, 1);

	/* Replace keeps one route and takes its new next hops. */
	run("ip route replace 10.9.0.0/16 nexthop via 10.1.0.2 dev va "
	    "nexthop via 10.2.0.2 dev vc weight 7");
	process_pending(mirror);
	route = lookup(mirror, "10.9.3.3");
	assert_int_equal(route->n_paths, 2);
	assert_int_equal(route_path(route, "10.2.0.2", "vc")->weight, 7);
	assert_int_equal(netlink_mirror_route_count(mirror), before + 1);
	assert_int_equal(recorder_route(&recorder, "10.9.0.0/16")->route.n_paths, 2);

	/* Delete by metric: the other metric stays. */
	run("ip route add 10.9.0.0/16 via 10.2.0.2 metric 20");
	process_pending(mirror);
	assert_int_equal(lookup(mirror, "10.9.3.3")->priority, 0);
	run("ip route del 10.9.0.0/16 metric 0");
	process_pending(mirror);
	route = lookup(mirror, "10.9.3.3");
	assert_int_equal(route->priority, 20);
	assert_int_equal(route->n_paths, 1);
	run("ip route del 10.9.0.0/16");
	process_pending(mirror);
	assert_false(recorder_route(&recorder, "10.9.0.0/16")->add);
	assert_null(lookup(mirror, "10.9.3.3"));
	assert_int_equal(netlink_mirror_route_count(mirror), before);

	/* IPv6: add, append a next hop, remove one next hop, delete. */
	run("ip -6 route add 2001:db8:aa::/64 via 2001:db8:1::2 dev va");
	process_pending(mirror);
	assert_int_equal(lookup(mirror, "2001:db8:aa::1")->n_paths, 1);
	run("ip -6 route append 2001:db8:aa::/64 via 2001:db8:2::2 dev vc");
	process_pending(mirror);
	route = lookup(mirror, "2001:db8:aa::1");
	assert_int_equal(route->n_paths, 2);
	assert_non_null(route_path(route, "2001:db8:2::2", "vc"));
	run("ip -6 route del 2001:db8:aa::/64 via 2001:db8:1::2 dev va");
	process_pending(mirror);
	route = lookup(mirror, "2001:db8:aa::1");
	assert_int_equal(route->n_paths, 1);
	assert_non_null(route_path(route, "2001:db8:2::2", "vc"));
	run("ip -6 route replace 2001:db8:aa::/64 nexthop via 2001:db8:1::2 dev va "
	    "nexthop via 2001:db8:2::2 dev vc");
	process_pending(mirror);
	assert_int_equal(lookup(mirror, "2001:db8:aa::1")->n_paths, 2);
	run("ip -6 route del 2001:db8:aa::/64");
	process_pending(mirror);
	assert_null(lookup(mirror, "2001:db8:aa::1"));
	assert_int_equal(netlink_mirror_route_count(mirror), before);
	assert_int_equal(netlink_mirror_stats(mirror)->parse_errors, 0);
	netlink_mirror_close(mirror);
}

/* IPv4 routes through an interface that goes down lose that next hop (or
 * vanish) without any route event; the mirror must follow anyway. */
static void test_link_down_updates_ipv4_routes(void **state)
{
	struct netlink_mirror *mirror;
	const struct netlink_route *route;

	(void)state;
	two_links();
	run("ip route add 10.9.0.0/16 nexthop via 10.1.0.2 dev va nexthop via 10.2.0.2 dev vc");
	run("ip route add 10.6.0.0/16 via 10.2.0.2");
	mirror = open_mirror(NETLINK_MIRROR_ROUTES);
	assert_int_equal(lookup(mirror, "10.9.0.1")->n_paths, 2);

	run("ip link set vc down");
	process_pending(mirror);
	route = lookup(mirror, "10.9.0.1");
	assert_int_equal(route->n_paths, 1);
	assert_non_null(route_path(route, "10.1.0.2", "va"));
	assert_null(lookup(mirror, "10.6.0.1"));

	run("ip link set vc up");
	process_pending(mirror);
	assert_int_equal(lookup(mirror, "10.9.0.1")->n_paths, 2);
	netlink_mirror_close(mirror);
}

static bool neighbour_count_matches(void *context)
{
	return netlink_mirror_neighbour_count(context) ==
	       (size_t)atoi(
		       run_output("ip -4 neigh show nud all | grep -vc '^2[23][0-9]\\.' || true")) +
		       (size_t)atoi(
			       run_output("ip -6 neigh show nud all | grep -vc '^ff' || true"));
}

static void test_neighbours(void **state)
{
	struct netlink_mirror *mirror;
	const struct netlink_neighbour *neighbour;
	struct conf_ip v4 = ip("10.1.0.2"), v6 = ip("2001:db8:1::2"), v4b = ip("10.1.0.3");
	uint8_t mac[6];

	(void)state;
	two_links();
	run("ip neigh add 10.1.0.2 lladdr 02:00:00:00:01:02 dev va nud permanent");
	run("ip -6 neigh add 2001:db8:1::2 lladdr 02:00:00:00:01:06 dev va nud permanent");
	mirror = open_mirror(NETLINK_MIRROR_NEIGHBOURS | NETLINK_MIRROR_FDB);

	neighbour = netlink_mirror_neighbour(mirror, ifindex("va"), &v4);
	assert_non_null(neighbour);
	assert_true(neighbour->has_mac);
	mac_parse("02:00:00:00:01:02", mac);
	assert_memory_equal(neighbour->mac, mac, 6);
	assert_int_equal(neighbour->state, NUD_PERMANENT);
	neighbour = netlink_mirror_neighbour(mirror, ifindex("va"), &v6);
	assert_non_null(neighbour);
	mac_parse("02:00:00:00:01:06", mac);
	assert_memory_equal(neighbour->mac, mac, 6);
	assert_null(netlink_mirror_neighbour(mirror, ifindex("vc"), &v4));

	run("ip neigh replace 10.1.0.3 lladdr 02:00:00:00:01:03 dev va nud reachable");
	process_pending(mirror);
	neighbour = netlink_mirror_neighbour(mirror, ifindex("va"), &v4b);
	assert_non_null(neighbour);
	assert_int_equal(neighbour->state, NUD_REACHABLE);
	assert_true(recorder_neighbour(&recorder, ifindex("va"), "10.1.0.3")->add);

	run("ip neigh replace 10.1.0.3 lladdr 02:00:00:00:01:33 dev va nud permanent");
	process_pending(mirror);
	neighbour = netlink_mirror_neighbour(mirror, ifindex("va"), &v4b);
	mac_parse("02:00:00:00:01:33", mac);
	assert_memory_equal(neighbour->mac, mac, 6);
	assert_int_equal(neighbour->state, NUD_PERMANENT);

	run("ip neigh del 10.1.0.2 dev va && ip -6 neigh del 2001:db8:1::2 dev va");
	process_pending(mirror);
	assert_null(netlink_mirror_neighbour(mirror, ifindex("va"), &v4));
	assert_null(netlink_mirror_neighbour(mirror, ifindex("va"), &v6));
	assert_false(recorder_neighbour(&recorder, ifindex("va"), "10.1.0.2")->add);
	assert_false(recorder_neighbour(&recorder, ifindex("va"), "2001:db8:1::2")->add);
	/* Exactly the kernel's neighbours, but for the multicast ones. */
	assert_true(process_until(mirror, neighbour_count_matches, mirror, 3000));
	/* Neighbours never show up as FDB entries (va has FDB entries of its
	 * own: its multicast addresses, `self permanent`). */
	assert_null(recorder_fdb(&recorder, ifindex("va"), "02:00:00:00:01:02"));
	assert_null(recorder_fdb(&recorder, ifindex("va"), "02:00:00:00:01:33"));
	assert_int_equal(netlink_mirror_stats(mirror)->parse_errors, 0);
	netlink_mirror_close(mirror);
}

static void shadow_bridge(void)
{
	run("ip link add br100 type bridge && ip link add vxlan100 type vxlan id 100 "
	    "local 192.0.2.1 dstport 4789 nolearning");
	run("ip link set vxlan100 master br100 && ip link set vxlan100 up && ip link set br100 up");
}

static void test_fdb_dump_and_events(void **state)
{
	struct netlink_mirror *mirror;
	const struct recorded_fdb *entry;
	struct conf_ip vtep = ip("192.0.2.9"), vtep6 = ip("2001:db8:ff::9");

	(void)state;
	shadow_bridge();
	run("ip link add vxlan200 type vxlan id 200 local 2001:db8:ff::1 dstport 4789 nolearning");
	run("bridge fdb append 00:00:00:00:00:00 dev vxlan100 dst 192.0.2.9");
	run("bridge fdb add aa:bb:cc:00:00:01 dev vxlan100 dst 192.0.2.9 self extern_learn");
	mirror = open_mirror(NETLINK_MIRROR_FDB);

	entry = recorder_fdb(&recorder, ifindex("vxlan100"), "00:00:00:00:00:00");
	assert_non_null(entry);
	assert_true(entry->add);
	assert_true(entry->fdb.flags & NTF_SELF);
	assert_int_equal(entry->fdb.dst.family, AF_INET);
	assert_memory_equal(&entry->fdb.dst.v4, &vtep.v4, 4);
	assert_true(entry->fdb.state & (NUD_PERMANENT | NUD_NOARP));
	entry = recorder_fdb(&recorder, ifindex("vxlan100"), "aa:bb:cc:00:00:01");
	assert_non_null(entry);
	assert_true(entry->fdb.flags & NTF_SELF);
	assert_true(entry->fdb.flags & NTF_EXT_LEARNED);
	assert_memory_equal(&entry->fdb.dst.v4, &vtep.v4, 4);
	/* The bridge's own entry for the vxlan port's address. */
	entry = NULL;
	for (size_t i = 0; i < recorder.n_fdbs; i++)
		if (recorder.fdbs[i].fdb.master == ifindex("br100"))
			entry = &recorder.fdbs[i];
	assert_non_null(entry);
	assert_int_equal(entry->fdb.dst.family, 0);

	recorder_reset(&recorder);
	run("bridge fdb add aa:bb:cc:00:00:02 dev vxlan200 dst 2001:db8:ff::9 self extern_learn");
	run("bridge fdb add aa:bb:cc:00:00:02 dev vxlan100 dst 192.0.2.10 self extern_learn");
	process_pending(mirror);
	entry = recorder_fdb(&recorder, ifindex("vxlan200"), "aa:bb:cc:00:00:02");
	assert_non_null(entry);
	assert_true(entry->add);
	assert_int_equal(entry->fdb.dst.family, AF_INET6);
	assert_memory_equal(&entry->fdb.dst.v6, &vtep6.v6, 16);
	assert_true(recorder_fdb(&recorder, ifindex("vxlan100"), "aa:bb:cc:00:00:02")->add);
	run("bridge fdb del aa:bb:cc:00:00:02 dev vxlan100 self");
	process_pending(mirror);
	assert_false(recorder_fdb(&recorder, ifindex("vxlan100"), "aa:bb:cc:00:00:02")->add);
	/* Only the FDB was asked for: no neighbour events. */
	run("ip link add va type veth peer name vb && ip link set va up && ip link set vb up");
	run("ip neigh add 10.1.0.2 lladdr 02:00:00:00:01:02 dev va nud permanent");
	process_pending(mirror);
	assert_int_equal(recorder.n_neighbours, 0);
	assert_int_equal(netlink_mirror_stats(mirror)->parse_errors, 0);
	netlink_mirror_close(mirror);
}

static void test_fdb_replace_and_delete(void **state)
{
	struct netlink_mirror *mirror;
	const struct recorded_fdb *entry;
	uint8_t mac[6];

	(void)state;
	shadow_bridge();
	run("ip link add stub100 type veth peer name stub100p && ip link set stub100 master br100");
	run("ip link set stub100 up && ip link set stub100p up");
	run("bridge fdb add aa:bb:cc:00:00:01 dev vxlan100 dst 192.0.2.9 self extern_learn");
	mirror = open_mirror(NETLINK_MIRROR_FDB);

	mac_parse("02:00:00:00:aa:01", mac);
	assert_int_equal(netlink_fdb_replace(mirror, ifindex("stub100"), mac, true, true), 0);
	assert_non_null(strstr(run_output("bridge fdb show dev stub100"),
			       "02:00:00:00:aa:01 master br100 static"));
	process_pending(mirror);
	entry = recorder_fdb(&recorder, ifindex("stub100"), "02:00:00:00:aa:01");
	assert_non_null(entry);
	assert_true(entry->add);
	assert_int_equal(entry->fdb.master, ifindex("br100"));
	assert_int_equal(entry->fdb.state, NUD_NOARP);

	/* Replace the static entry by a dynamic one: still one entry. */
	assert_int_equal(netlink_fdb_replace(mirror, ifindex("stub100"), mac, true, false), 0);
	const char *shown = run_output("bridge fdb show dev stub100 | grep 02:00:00:00:aa:01");
	assert_null(strstr(shown, "static"));
	assert_non_null(strstr(shown, "master br100"));
	assert_null(strchr(strchr(shown, '\n') + 1, '\n')); /* one line */

	assert_int_equal(netlink_fdb_delete(mirror, ifindex("stub100"), mac, true), 0);
	assert_null(strstr(run_output("bridge fdb show dev stub100"), "02:00:00:00:aa:01"));
	process_pending(mirror);
	assert_false(recorder_fdb(&recorder, ifindex("stub100"), "02:00:00:00:aa:01")->add);
	assert_int_equal(netlink_fdb_delete(mirror, ifindex("stub100"), mac, true), -ENOENT);

	/* The stale `MAC dev vxlan100 self` entry left behind by zebra. */
	mac_parse("aa:bb:cc:00:00:01", mac);
	assert_int_equal(netlink_fdb_delete(mirror, ifindex("vxlan100"), mac, false), 0);
	assert_null(strstr(run_output("bridge fdb show dev vxlan100"), "aa:bb:cc:00:00:01"));
	assert_int_equal(netlink_fdb_replace(mirror, 999999, mac, true, true), -ENODEV);
	netlink_mirror_close(mirror);
}

/* An AF_PACKET socket on `name` that sees frames of `protocol`. */
static int capture_open(const char *name, uint16_t protocol)
{
	struct sockaddr_ll address = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(protocol),
		.sll_ifindex = ifindex(name),
	};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(protocol));

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&address, sizeof(address)), 0);
	return fd;
}

/* Wait up to 3 s for a frame that `match` accepts; its length or 0. */
static size_t capture_wait(int fd, uint8_t *frame, size_t size,
			   bool (*match)(const uint8_t *frame, size_t length))
{
	for (int i = 0; i < 300; i++) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t length;

		if (poll(&pfd, 1, 10) <= 0)
			continue;
		length = recv(fd, frame, size, 0);
		if (length > 0 && match(frame, (size_t)length))
			return (size_t)length;
	}
	return 0;
}

/* ARP over Ethernet (RFC 826): 14-byte Ethernet header, then the ARP body. */
static bool is_arp_request_for_10_3_0_2(const uint8_t *frame, size_t length)
{
	static const uint8_t target[4] = {10, 3, 0, 2};

	return length >= 42 && frame[12] == 0x08 && frame[13] == 0x06 && frame[20] == 0 &&
	       frame[21] == 1 && memcmp(frame + 38, target, 4) == 0;
}

static struct netlink_mirror *resolving_mirror;
static int resolving_ifindex;
static struct conf_ip resolving_addr;

static bool neighbour_reachable(void *context)
{
	const struct netlink_neighbour *neighbour =
		netlink_mirror_neighbour(resolving_mirror, resolving_ifindex, &resolving_addr);

	(void)context;
	return neighbour != NULL && neighbour->has_mac && (neighbour->state & NUD_REACHABLE);
}

static void test_resolve_sends_arp_request(void **state)
{
	const struct netlink_neighbour *neighbour;
	static const uint8_t own_address[4] = {10, 3, 0, 1}, peer_address[4] = {10, 3, 0, 2};
	static const uint8_t arp_reply_header[10] = {0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2};
	uint8_t frame[2048], reply[42], own_mac[6], peer_mac[6];
	int capture;

	(void)state;
	run("ip link add ra type veth peer name rb && ip link set ra up && ip link set rb up");
	run("ip addr add 10.3.0.1/24 dev ra");
	capture = capture_open("rb", ETH_P_ARP);
	resolving_mirror = open_mirror(NETLINK_MIRROR_NEIGHBOURS);
	resolving_ifindex = ifindex("ra");
	resolving_addr = ip("10.3.0.2");
	assert_null(netlink_mirror_neighbour(resolving_mirror, resolving_ifindex, &resolving_addr));

	assert_int_equal(
		netlink_mirror_resolve(resolving_mirror, resolving_ifindex, &resolving_addr), 0);
	/* The kernel's own ARP request, from ra's MAC and address. */
	assert_int_not_equal(
		capture_wait(capture, frame, sizeof(frame), is_arp_request_for_10_3_0_2), 0);
	link_mac("ra", own_mac);
	assert_memory_equal(frame + 6, own_mac, 6);
	assert_memory_equal(frame + 22, own_mac, 6);
	assert_memory_equal(frame + 28, own_address, 4);
	/* The kernel does not announce NONE -> INCOMPLETE, only the outcome. */
	assert_non_null(strstr(run_output("ip neigh show dev ra"), "10.3.0.2 INCOMPLETE"));

	/* Answer it: the neighbour becomes REACHABLE with the answering MAC. */
	mac_parse("02:00:00:00:03:02", peer_mac);
	memcpy(reply, own_mac, 6);
	memcpy(reply + 6, peer_mac, 6);
	memcpy(reply + 12, arp_reply_header, sizeof(arp_reply_header));
	memcpy(reply + 22, peer_mac, 6);
	memcpy(reply + 28, peer_address, 4);
	memcpy(reply + 32, own_mac, 6);
	memcpy(reply + 38, own_address, 4);
	assert_int_equal(send(capture, reply, sizeof(reply), 0), (ssize_t)sizeof(reply));
	assert_true(process_until(resolving_mirror, neighbour_reachable, NULL, 3000));
	neighbour = netlink_mirror_neighbour(resolving_mirror, resolving_ifindex, &resolving_addr);
	assert_memory_equal(neighbour->mac, peer_mac, 6);
	assert_true(
		recorder_neighbour(&recorder, resolving_ifindex, "10.3.0.2")->neighbour.has_mac);

	/* Resolving what is already known is harmless. */
	assert_int_equal(
		netlink_mirror_resolve(resolving_mirror, resolving_ifindex, &resolving_addr), 0);
	assert_int_equal(netlink_mirror_resolve(resolving_mirror, 999999, &resolving_addr),
			 -ENODEV);
	close(capture);
	netlink_mirror_close(resolving_mirror);
}

/* Neighbour solicitation (RFC 4861 §4.3) for 2001:db8:3::2. */
static bool is_solicitation_for_3_2(const uint8_t *frame, size_t length)
{
	struct conf_ip target = ip("2001:db8:3::2");
	struct nd_neighbor_solicit solicit;
	struct ip6_hdr ip6;

	/* Copied out: after the 14-byte Ethernet header nothing is aligned. */
	if (length < 14 + sizeof(ip6) + sizeof(solicit))
		return false;
	memcpy(&ip6, frame + 14, sizeof(ip6));
	memcpy(&solicit, frame + 14 + sizeof(ip6), sizeof(solicit));
	return ip6.ip6_nxt == IPPROTO_ICMPV6 && solicit.nd_ns_type == ND_NEIGHBOR_SOLICIT &&
	       memcmp(&solicit.nd_ns_target, &target.v6, 16) == 0;
}

static void test_resolve_sends_neighbour_solicitation(void **state)
{
	struct netlink_mirror *mirror;
	struct conf_ip target = ip("2001:db8:3::2");
	uint8_t frame[2048];
	int capture;

	(void)state;
	run("ip link add ra type veth peer name rb && sysctl -qw net.ipv6.conf.rb.disable_ipv6=1");
	run("ip link set ra up && ip link set rb up && ip -6 addr add 2001:db8:3::1/64 dev ra "
	    "nodad");
	capture = capture_open("rb", ETH_P_IPV6);
	mirror = open_mirror(NETLINK_MIRROR_NEIGHBOURS);
	assert_int_equal(netlink_mirror_resolve(mirror, ifindex("ra"), &target), 0);
	assert_int_not_equal(capture_wait(capture, frame, sizeof(frame), is_solicitation_for_3_2),
			     0);
	assert_non_null(strstr(run_output("ip -6 neigh show dev ra"), "2001:db8:3::2 INCOMPLETE"));
	close(capture);
	netlink_mirror_close(mirror);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_dump_links_and_addresses, fresh_namespace),
		cmocka_unit_test_setup(test_dump_routes_lpm_and_ecmp, fresh_namespace),
		cmocka_unit_test_setup(test_route_events, fresh_namespace),
		cmocka_unit_test_setup(test_link_down_updates_ipv4_routes, fresh_namespace),
		cmocka_unit_test_setup(test_neighbours, fresh_namespace),
		cmocka_unit_test_setup(test_fdb_dump_and_events, fresh_namespace),
		cmocka_unit_test_setup(test_fdb_replace_and_delete, fresh_namespace),
		cmocka_unit_test_setup(test_resolve_sends_arp_request, fresh_namespace),
		cmocka_unit_test_setup(test_resolve_sends_neighbour_solicitation, fresh_namespace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
