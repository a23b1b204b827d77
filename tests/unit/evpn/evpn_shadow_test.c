/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * evpn_shadow against the real kernel, each test in its own network
 * namespace: the shadow devices it creates, adopts and removes, the FDB
 * entries it writes, and how kernel FDB events (read by a real netlink
 * mirror) become callbacks. zebra's part is played by `bridge fdb` writing
 * the same entries zebra writes; the FRR interop test runs zebra itself.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/neighbour.h>

#include "routing/evpn_shadow.h"
#include "evpn_frr.h" /* routing/ private: the vtysh output parser */
#include "netlink_test_support.h"

#define EVENTS_MAX 64

struct shadow_event {
	char what[16]; /* "remote+", "remote-", "flood+", "flood-", "lost" */
	uint32_t vni;
	uint8_t mac[6];
	struct conf_ip vtep;
};

struct shadow_recorder {
	struct shadow_event events[EVENTS_MAX];
	size_t n_events;
};

static void record(struct shadow_recorder *recorder, const char *what, uint32_t vni,
		   const uint8_t *mac, const struct conf_ip *vtep)
{
	struct shadow_event *event;

	if (recorder->n_events == EVENTS_MAX)
		return;
	event = &recorder->events[recorder->n_events++];
	memset(event, 0, sizeof(*event));
	snprintf(event->what, sizeof(event->what), "%s", what);
	event->vni = vni;
	if (mac != NULL)
		memcpy(event->mac, mac, 6);
	if (vtep != NULL)
		event->vtep = *vtep;
}

static void on_remote_mac(void *arg, uint32_t vni, const uint8_t mac[6], const struct conf_ip *vtep,
			  bool add)
{
	record(arg, add ? "remote+" : "remote-", vni, mac, vtep);
}

static void on_flood_vtep(void *arg, uint32_t vni, const struct conf_ip *vtep, bool add)
{
	record(arg, add ? "flood+" : "flood-", vni, NULL, vtep);
}

static void on_local_mac_lost(void *arg, uint32_t vni, const uint8_t mac[6])
{
	record(arg, "lost", vni, mac, NULL);
}

static const struct evpn_shadow_ops shadow_ops = {
	.remote_mac = on_remote_mac,
	.flood_vtep = on_flood_vtep,
	.local_mac_lost = on_local_mac_lost,
};

/* The gateway's side: its netlink mirror's FDB events go to the shadow. */
static void mirror_fdb(void *arg, bool add, const struct netlink_fdb *fdb)
{
	evpn_shadow_fdb_event(arg, add, fdb);
}

static void mirror_resync_begin(void *arg)
{
	evpn_shadow_resync_begin(arg);
}

static void mirror_resync_end(void *arg)
{
	evpn_shadow_resync_end(arg);
}

static const struct netlink_mirror_ops gateway_mirror_ops = {
	.fdb = mirror_fdb,
	.resync_begin = mirror_resync_begin,
	.resync_end = mirror_resync_end,
};

struct fixture {
	struct shadow_recorder recorder;
	struct evpn_shadow *shadow;
	struct netlink_mirror *mirror;
};

static struct evpn_shadow *open_shadow(struct shadow_recorder *recorder)
{
	struct evpn_shadow_config config = {.vtep_v4 = ip("10.1.1.1")};
	struct evpn_shadow *shadow = NULL;

	assert_int_equal(evpn_shadow_open(&shadow, &shadow_ops, recorder, &config), 0);
	return shadow;
}

static int setup(void **state)
{
	struct fixture *fixture;

	if (fresh_namespace(state) < 0)
		return -1;
	run("ip link add ul0 type veth peer name ul1 && ip addr add 10.1.1.1/24 dev ul0 && "
	    "ip link set ul0 up && ip link set ul1 up");
	fixture = calloc(1, sizeof(*fixture));
	fixture->shadow = open_shadow(&fixture->recorder);
	assert_int_equal(netlink_mirror_open(&fixture->mirror, NETLINK_MIRROR_FDB,
					     &gateway_mirror_ops, fixture->shadow),
			 0);
	*state = fixture;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fixture = *state;

	netlink_mirror_close(fixture->mirror);
	evpn_shadow_close(fixture->shadow);
	free(fixture);
	return 0;
}

static bool has_text(const char *haystack, const char *needle)
{
	return strstr(haystack, needle) != NULL;
}

static const struct shadow_event *find_event(const struct shadow_recorder *recorder,
					     const char *what, const char *mac, const char *vtep)
{
	uint8_t wanted_mac[6] = {0};
	struct conf_ip wanted_vtep = {0};

	if (mac != NULL)
		mac_parse(mac, wanted_mac);
	if (vtep != NULL)
		wanted_vtep = ip(vtep);
	for (size_t i = 0; i < recorder->n_events; i++) {
		const struct shadow_event *event = &recorder->events[i];

		if (strcmp(event->what, what) != 0)
			continue;
		if (mac != NULL && memcmp(event->mac, wanted_mac, 6) != 0)
			continue;
		if (vtep != NULL && (event->vtep.family != AF_INET ||
				     event->vtep.v4.s_addr != wanted_vtep.v4.s_addr))
			continue;
		return event;
	}
	return NULL;
}

static void test_segment_devices(void **state)
{
	struct fixture *fixture = *state;
	const char *text;
	int vxlan;

	assert_int_equal(evpn_shadow_segment_add(fixture->shadow, 100), 0);
	text = run_output("ip -d link show vgvx100");
	assert_true(has_text(text, "vxlan id 100 local 10.1.1.1"));
	assert_true(has_text(text, "dstport 4789 nolearning"));
	assert_true(has_text(text, "master vgbr100"));
	assert_true(has_text(text, "addrgenmode none"));
	assert_true(has_text(run_output("ip link show vgst100"), "master vgbr100"));
	assert_true(has_text(run_output("ip link show vgst100"), "state UP"));
	assert_true(has_text(run_output("ip link show vgsp100"), "state UP"));
	assert_false(has_text(run_output("ip link show vgsp100"), "master"));
	assert_true(has_text(run_output("ip link show vgbr100"), "state UP"));
	/* Silent: nothing is flooded to the vxlan port, no IPv6 on any of them. */
	text = run_output("bridge -d link show dev vgvx100");
	assert_true(has_text(text, "flood off"));
	assert_true(has_text(text, "mcast_flood off"));
	assert_true(has_text(text, "bcast_flood off"));
	assert_string_equal(run_output("cat /proc/sys/net/ipv6/conf/vgsp100/disable_ipv6"), "1\n");
	assert_string_equal(run_output("cat /proc/sys/net/ipv6/conf/vgbr100/disable_ipv6"), "1\n");
	assert_string_equal(run_output("ip -6 addr show dev vgbr100"), "");
	assert_int_equal(evpn_shadow_vxlan_ifindex(fixture->shadow, 100), ifindex("vgvx100"));
	assert_int_equal(evpn_shadow_stub_ifindex(fixture->shadow, 100), ifindex("vgst100"));

	/* Idempotent: the same devices stay. */
	vxlan = ifindex("vgvx100");
	assert_int_equal(evpn_shadow_segment_add(fixture->shadow, 100), 0);
	assert_int_equal(ifindex("vgvx100"), vxlan);
	assert_int_equal(evpn_shadow_stats(fixture->shadow)->devices_created, 4);

	assert_int_equal(evpn_shadow_segment_del(fixture->shadow, 100), 0);
	assert_string_equal(run_output("ip -o link show | grep -c ' vg' || true"), "0\n");
	assert_int_equal(evpn_shadow_segment_del(fixture->shadow, 100), -ENOENT);
	assert_int_equal(evpn_shadow_segment_add(fixture->shadow, 0), -EINVAL);
}

static void test_adopt_and_remove_strays(void **state)
{
	struct fixture *fixture = *state;
	struct evpn_shadow *again;
	int vxlan100;

	assert_int_equal(evpn_shadow_segment_add(fixture->shadow, 100), 0);
	assert_int_equal(evpn_shadow_segment_add(fixture->shadow, 200), 0);
	vxlan100 = ifindex("vgvx100");
	/* A vxlan netdev of a previous run with the wrong VTEP address. */
	run("ip link add vgbr300 type bridge && "
	    "ip link add vgvx300 type vxlan id 300 local 10.9.9.9 dstport 4789 && "
	    "ip link set vgvx300 master vgbr300");

	/* vtepgw restarts: the devices stay, the new run adopts them. */
	again = open_shadow(&fixture->recorder);
	assert_int_equal(evpn_shadow_segment_add(again, 100), 0);
	assert_int_equal(evpn_shadow_segment_add(again, 300), 0);
	assert_int_equal(ifindex("vgvx100"), vxlan100);
	assert_int_equal(evpn_shadow_stats(again)->devices_adopted, 4 + 1);
	assert_true(has_text(run_output("ip -d link show vgvx300"), "local 10.1.1.1"));
	assert_true(has_text(run_output("ip -d link show vgvx300"), "nolearning"));
	/* Segment 200 is no longer configured: reconciling removes it. */
	assert_int_equal(evpn_shadow_reconcile(again, NULL, NULL), 0);
	assert_string_equal(run_output("ip -o link show | grep -c 'vg..200' || true"), "0\n");
	assert_true(has_text(run_output("ip link show vgvx100"), "vgvx100"));
	assert_true(has_text(run_output("ip link show vgst300"), "vgst300"));
	evpn_shadow_close(again);
}

static void test_local_mac(void **state)
{
	struct fixture *fixture = *state;
	uint8_t mac[6];

	mac_parse("02:00:00:00:00:01", mac);
	assert_int_equal(evpn_shadow_segment_add(fixture->shadow, 100), 0);
	assert_int_equal(evpn_shadow_local_add(fixture->shadow, 100, mac), 0);
	assert_true(has_text(run_output("bridge fdb show dev vgst100"),
			     "02:00:00:00:00:01 master vgbr100 static"));
	assert_int_equal(evpn_shadow_local_del(fixture->shadow, 100, mac), 0);
	assert_false(has_text(run_output("bridge fdb show dev vgst100"), "02:00:00:00:00:01"));
	assert_int_equal(evpn_shadow_local_del(fixture->shadow, 100, mac), 0);

	/* Reclaiming a MAC zebra had as remote removes its stale entry. */
	run("bridge fdb add 02:00:00:00:00:01 dev vgvx100 self dst 10.1.1.2 extern_learn");
	assert_int_equal(evpn_shadow_local_add(fixture->shadow, 100, mac), 0);
	assert_false(has_text(run_output("bridge fdb show dev vgvx100"), "02:00:00:00:00:01"));
	assert_true(has_text(run_output("bridge fdb show dev vgst100"), "02:00:00:00:00:01"));
	assert_int_equal(evpn_shadow_stats(fixture->shadow)->stale_deletes, 1);

	assert_int_equal(evpn_shadow_local_add(fixture->shadow, 999, mac), -ENOENT);
	mac_parse("01:00:5e:00:00:01", mac);
	assert_int_equal(evpn_shadow_local_add(fixture->shadow, 100, mac), -EINVAL);
}

static bool has_events(void *context)
{
	struct fixture *fixture = context;

	return fixture->recorder.n_events > 0;
}

static void wait_events(struct fixture *fixture)
{
	fixture->recorder.n_events = 0;
	process_until(fixture->mirror, has_events, fixture, 2000);
	process_pending(fixture->mirror);
}

static void test_remote_events(void **state)
{
	struct fixture *fixture = *state;
	uint8_t mac[6];

	assert_int_equal(evpn_shadow_segment_add(fixture->shadow, 100), 0);
	process_pending(fixture->mirror);

	/* Type-3 from zebra: the all-zero MAC with the remote VTEP. */
	fixture->recorder.n_events = 0;
	run("bridge fdb append 00:00:00:00:00:00 dev vgvx100 dst 10.1.1.2 self permanent");
	wait_events(fixture);
	assert_non_null(find_event(&fixture->recorder, "flood+", NULL, "10.1.1.2"));
	assert_int_equal(fixture->recorder.events[0].vni, 100);

	/* Type-2: zebra's entry; the bridge's master copy (no dst) is ignored. */
	run("bridge fdb add 02:00:00:00:00:02 dev vgvx100 self dst 10.1.1.2 extern_learn");
	wait_events(fixture);
	assert_non_null(find_event(&fixture->recorder, "remote+", "02:00:00:00:00:02", "10.1.1.2"));
	assert_int_equal(fixture->recorder.n_events, 1);

	/* It moves to another VTEP, then goes. */
	run("bridge fdb replace 02:00:00:00:00:02 dev vgvx100 self dst 10.1.1.3 extern_learn");
	wait_events(fixture);
	assert_non_null(find_event(&fixture->recorder, "remote+", "02:00:00:00:00:02", "10.1.1.3"));
	run("bridge fdb del 02:00:00:00:00:02 dev vgvx100 self");
	wait_events(fixture);
	assert_non_null(find_event(&fixture->recorder, "remote-", "02:00:00:00:00:02", "10.1.1.3"));

	/* A MAC we advertised shows up behind a remote VTEP: it was taken over. */
	mac_parse("02:00:00:00:00:03", mac);
	assert_int_equal(evpn_shadow_local_add(fixture->shadow, 100, mac), 0);
	process_pending(fixture->mirror);
	run("bridge fdb add 02:00:00:00:00:03 dev vgvx100 self dst 10.1.1.2 extern_learn");
	wait_events(fixture);
	assert_non_null(find_event(&fixture->recorder, "lost", "02:00:00:00:00:03", NULL));
	assert_non_null(find_event(&fixture->recorder, "remote+", "02:00:00:00:00:03", "10.1.1.2"));
	assert_string_equal(fixture->recorder.events[0].what, "lost");

	/* A resync that no longer sees the flood entry reports it gone. */
	fixture->recorder.n_events = 0;
	run("bridge fdb del 00:00:00:00:00:00 dev vgvx100 self dst 10.1.1.2");
	evpn_shadow_resync_begin(fixture->shadow);
	evpn_shadow_fdb_event(fixture->shadow, true,
			      &(struct netlink_fdb){.ifindex = ifindex("vgvx100"),
						    .mac = {2, 0, 0, 0, 0, 3},
						    .dst = ip("10.1.1.2"),
						    .flags = NTF_SELF});
	evpn_shadow_resync_end(fixture->shadow);
	assert_non_null(find_event(&fixture->recorder, "flood-", NULL, "10.1.1.2"));
	assert_int_equal(fixture->recorder.n_events, 1);
}

/* What the gateway believes, as its LMDB walk would hand it over. */
static const struct evpn_shadow_entry beliefs[] = {
	{EVPN_SHADOW_REMOTE_MAC, 100, {2, 0, 0, 0, 0, 0x11}, {.family = 0}}, /* vtep set below */
	{EVPN_SHADOW_REMOTE_MAC, 100, {2, 0, 0, 0, 0, 0x12}, {.family = 0}},
	{EVPN_SHADOW_FLOOD_VTEP, 100, {0}, {.family = 0}},
	{EVPN_SHADOW_LOCAL_MAC, 100, {2, 0, 0, 0, 0, 0x14}, {.family = 0}},
};

static int walk_beliefs(void *arg)
{
	struct evpn_shadow *shadow = arg;
	const char *vteps[] = {"10.1.1.9", "10.1.1.2", "10.1.1.7", NULL};

	for (size_t i = 0; i < sizeof(beliefs) / sizeof(beliefs[0]); i++) {
		struct evpn_shadow_entry entry = beliefs[i];
		int rc;

		if (vteps[i] != NULL)
			entry.vtep = ip(vteps[i]);
		rc = evpn_shadow_believe(shadow, &entry);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void test_reconcile(void **state)
{
	struct fixture *fixture = *state;
	const char *text;

	assert_int_equal(evpn_shadow_segment_add(fixture->shadow, 100), 0);
	/* The kernel (zebra) has: flood 10.1.1.2, MAC ::11 behind 10.1.1.2,
	 * and a local MAC ::13 the gateway no longer has. */
	run("bridge fdb append 00:00:00:00:00:00 dev vgvx100 dst 10.1.1.2 self permanent && "
	    "bridge fdb add 02:00:00:00:00:11 dev vgvx100 self dst 10.1.1.2 extern_learn && "
	    "bridge fdb add 02:00:00:00:00:13 dev vgst100 master static");
	/* The gateway believes ::11 is behind 10.1.1.9, ::12 behind 10.1.1.2,
	 * flood to 10.1.1.7, and ::14 local. */
	fixture->recorder.n_events = 0;
	assert_int_equal(evpn_shadow_reconcile(fixture->shadow, walk_beliefs, fixture->shadow), 0);

	assert_non_null(find_event(&fixture->recorder, "remote+", "02:00:00:00:00:11", "10.1.1.2"));
	assert_non_null(find_event(&fixture->recorder, "remote-", "02:00:00:00:00:12", "10.1.1.2"));
	assert_non_null(find_event(&fixture->recorder, "flood+", NULL, "10.1.1.2"));
	assert_non_null(find_event(&fixture->recorder, "flood-", NULL, "10.1.1.7"));
	assert_int_equal(fixture->recorder.n_events, 4);
	text = run_output("bridge fdb show dev vgst100");
	assert_true(has_text(text, "02:00:00:00:00:14 master vgbr100 static"));
	assert_false(has_text(text, "02:00:00:00:00:13"));

	/* Converged: a second pass with the new beliefs changes nothing. */
	fixture->recorder.n_events = 0;
	assert_int_equal(evpn_shadow_reconcile(fixture->shadow, NULL, NULL), 0);
	/* No beliefs now: everything remote is reported as new, the local MAC
	 * the gateway no longer claims is withdrawn. */
	assert_int_equal(fixture->recorder.n_events, 2);
	assert_false(has_text(run_output("bridge fdb show dev vgst100"), "02:00:00:00:00:14"));
}

static void record_type3(void *arg, const struct conf_ip *vtep)
{
	record(arg, "flood+", 0, NULL, vtep);
}

static int parse_type3(const char *json, struct shadow_recorder *recorder)
{
	return evpn_frr_parse_type3(json, record_type3, recorder);
}

static void test_parse_type3(void **state)
{
	/* The shape of FRR 8.4's `show bgp l2vpn evpn route vni 100 type
	 * multicast json`, trimmed: one valid best route of each VTEP and one
	 * invalid route. */
	static const char json[] =
		"{\"[3]:[0]:[32]:[10.99.0.1]\":{\"prefix\":\"[3]:[0]:[32]:[10.99.0.1]\","
		"\"prefixLen\":352,\"paths\":[[{\"valid\":true,\"bestpath\":true,"
		"\"routeType\":3,\"ip\":\"10.99.0.1\"}]]},"
		"\"[3]:[0]:[32]:[10.99.0.2]\":{\"prefix\":\"[3]:[0]:[32]:[10.99.0.2]\","
		"\"prefixLen\":352,\"paths\":[[{\"valid\":true,\"bestpath\":true,"
		"\"routeType\":3,\"ip\":\"10.99.0.2\"}]]},"
		"\"[3]:[0]:[32]:[10.99.0.3]\":{\"prefix\":\"[3]:[0]:[32]:[10.99.0.3]\","
		"\"paths\":[[{\"valid\":false,\"routeType\":3}]]},"
		"\"[3]:[0]:[128]:[2001:db8::1]\":{\"prefix\":\"[3]:[0]:[128]:[2001:db8::1]\","
		"\"paths\":[[{\"valid\":true,\"bestpath\":true}]]}}";
	struct shadow_recorder recorder = {0};

	(void)state;
	assert_int_equal(parse_type3(json, &recorder), 3);
	assert_non_null(find_event(&recorder, "flood+", NULL, "10.99.0.1"));
	assert_non_null(find_event(&recorder, "flood+", NULL, "10.99.0.2"));
	assert_null(find_event(&recorder, "flood+", NULL, "10.99.0.3"));
	assert_int_equal(recorder.events[2].vtep.family, AF_INET6);
	assert_int_equal(parse_type3("", &recorder), 0);
	assert_int_equal(parse_type3("\"prefix\":\"[3]:[0", &recorder), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_segment_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_and_remove_strays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_mac, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconcile, setup, teardown),
		cmocka_unit_test(test_parse_type3),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
