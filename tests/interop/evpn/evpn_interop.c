/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EVPN interop: evpn_shadow in namespace A, with A's own FRR, against a plain
 * Linux VTEP with FRR in namespace B (evpn_interop.sh builds both and runs
 * this program inside A). It plays the gateway: one netlink mirror whose FDB
 * events go to evpn_shadow, and a table of what the callbacks reported.
 * B-side actions and FRR queries go through the shell helpers of
 * frr_topology.sh. Prints the times it measures; exits non-zero on the first
 * failed check.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "routing/evpn_shadow.h"
#include "routing/netlink_mirror.h"

#define VNI	   100
#define MANY_MACS  1000
#define REMOTE_MAX (MANY_MACS + 64)
#define TIMEOUT_MS 30000

static const char *topology_library;

struct remote {
	uint8_t mac[6];
	struct conf_ip vtep;
};

/* What the gateway would hold, built from the callbacks only. */
static struct gateway {
	struct remote remotes[REMOTE_MAX];
	size_t n_remotes;
	struct conf_ip floods[16];
	size_t n_floods;
	unsigned lost;
	uint8_t last_lost[6];
	unsigned remote_adds;
	unsigned remote_dels;
	struct evpn_shadow *shadow;
	struct netlink_mirror *mirror;
} gateway;

static double now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec * 1000.0 + now.tv_nsec / 1e6;
}

static void fail(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	fprintf(stdout, "FAIL: ");
	vfprintf(stdout, format, args);
	fprintf(stdout, "\n");
	va_end(args);
	exit(1);
}

#define CHECK(condition, ...)              \
	do {                               \
		if (!(condition))          \
			fail(__VA_ARGS__); \
	} while (0)

/* Run helpers of frr_topology.sh; returns the exit status, output in `out`. */
static int shell(char *out, size_t out_size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
static int shell(char *out, size_t out_size, const char *format, ...)
{
	char command[8192];
	char script[8192 + 512];
	va_list args;
	FILE *pipe;
	size_t length = 0;

	va_start(args, format);
	vsnprintf(command, sizeof(command), format, args);
	va_end(args);
	snprintf(script, sizeof(script), "bash -c '. %s; %s' 2>/dev/null", topology_library,
		 command);
	pipe = popen(script, "r");
	if (pipe == NULL)
		fail("popen: %s", strerror(errno));
	for (;;) {
		char discard[4096];
		char *into = out != NULL && length + 1 < out_size ? out + length : discard;
		size_t room = out != NULL && length + 1 < out_size ? out_size - 1 - length
								   : sizeof(discard);
		size_t got = fread(into, 1, room, pipe);

		if (got == 0)
			break;
		if (into != discard)
			length += got;
	}
	if (out != NULL)
		out[length] = '\0';
	return pclose(pipe);
}

static void must(const char *command)
{
	int status = shell(NULL, 0, "%s", command);

	CHECK(status == 0, "command failed (%d): %s", status, command);
}

static bool output_has(const char *command, const char *text)
{
	static char output[1 << 20];

	shell(output, sizeof(output), "%s", command);
	return strstr(output, text) != NULL;
}

static struct conf_ip ipv4(const char *text)
{
	struct conf_ip ip = {.family = AF_INET};

	inet_pton(AF_INET, text, &ip.v4);
	return ip;
}

static bool same_ip(const struct conf_ip *a, const struct conf_ip *b)
{
	return a->family == b->family && a->v4.s_addr == b->v4.s_addr;
}

static void mac_of(unsigned index, uint8_t mac[6])
{
	const uint8_t base[6] = {0x02, 0x01, 0, 0, (uint8_t)(index >> 8), (uint8_t)index};

	memcpy(mac, base, 6);
}

static void parse_mac(const char *text, uint8_t mac[6])
{
	unsigned bytes[6];

	sscanf(text, "%x:%x:%x:%x:%x:%x", &bytes[0], &bytes[1], &bytes[2], &bytes[3], &bytes[4],
	       &bytes[5]);
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)bytes[i];
}

/* ---- the gateway's callbacks -------------------------------------------- */

static struct remote *find_remote(const uint8_t mac[6])
{
	for (size_t i = 0; i < gateway.n_remotes; i++)
		if (memcmp(gateway.remotes[i].mac, mac, 6) == 0)
			return &gateway.remotes[i];
	return NULL;
}

static void on_remote_mac(void *arg, uint32_t vni, const uint8_t mac[6], const struct conf_ip *vtep,
			  bool add)
{
	struct remote *remote = find_remote(mac);

	(void)arg;
	CHECK(vni == VNI, "remote MAC for VNI %u", vni);
	if (add) {
		gateway.remote_adds++;
		if (remote == NULL) {
			CHECK(gateway.n_remotes < REMOTE_MAX, "too many remote MACs");
			remote = &gateway.remotes[gateway.n_remotes++];
			memcpy(remote->mac, mac, 6);
		}
		remote->vtep = *vtep;
		return;
	}
	gateway.remote_dels++;
	if (remote != NULL)
		*remote = gateway.remotes[--gateway.n_remotes];
}

static void on_flood_vtep(void *arg, uint32_t vni, const struct conf_ip *vtep, bool add)
{
	(void)arg;
	CHECK(vni == VNI, "flood VTEP for VNI %u", vni);
	for (size_t i = 0; i < gateway.n_floods; i++)
		if (same_ip(&gateway.floods[i], vtep)) {
			if (!add)
				gateway.floods[i] = gateway.floods[--gateway.n_floods];
			return;
		}
	if (add && gateway.n_floods < 16)
		gateway.floods[gateway.n_floods++] = *vtep;
}

static void on_local_mac_lost(void *arg, uint32_t vni, const uint8_t mac[6])
{
	(void)arg;
	CHECK(vni == VNI, "lost MAC for VNI %u", vni);
	gateway.lost++;
	memcpy(gateway.last_lost, mac, 6);
}

static const struct evpn_shadow_ops shadow_ops = {
	.remote_mac = on_remote_mac,
	.flood_vtep = on_flood_vtep,
	.local_mac_lost = on_local_mac_lost,
};

static void mirror_fdb(void *arg, bool add, const struct netlink_fdb *fdb)
{
	(void)arg;
	evpn_shadow_fdb_event(gateway.shadow, add, fdb);
}

static void mirror_resync_begin(void *arg)
{
	(void)arg;
	evpn_shadow_resync_begin(gateway.shadow);
}

static void mirror_resync_end(void *arg)
{
	(void)arg;
	evpn_shadow_resync_end(gateway.shadow);
}

static const struct netlink_mirror_ops mirror_ops = {
	.fdb = mirror_fdb,
	.resync_begin = mirror_resync_begin,
	.resync_end = mirror_resync_end,
};

/* The control thread's loop, until `done` or the timeout. Returns the time
 * it took (ms), or fails. Shell checks are slow: `done` is asked at most
 * every `check_every_ms`. */
static double run_until(bool (*done)(const void *context), const void *context, const char *what)
{
	double start = now_ms(), last_check = 0;

	for (;;) {
		struct pollfd pollfd = {.fd = netlink_mirror_fd(gateway.mirror), .events = POLLIN};
		double now;

		poll(&pollfd, 1, 20);
		CHECK(netlink_mirror_process(gateway.mirror) >= 0, "netlink_mirror_process");
		now = now_ms();
		if (now - last_check >= 20) {
			last_check = now;
			if (done(context))
				return now_ms() - start;
		}
		CHECK(now - start < TIMEOUT_MS, "timed out waiting for %s", what);
	}
}

/* Keep the loop running for `ms` (events keep being handled). */
static void run_for(double ms)
{
	double end = now_ms() + ms;

	while (now_ms() < end) {
		struct pollfd pollfd = {.fd = netlink_mirror_fd(gateway.mirror), .events = POLLIN};

		poll(&pollfd, 1, 20);
		netlink_mirror_process(gateway.mirror);
	}
}

/* ---- conditions --------------------------------------------------------- */

static bool shell_has(const void *context)
{
	const char *const *pair = context; /* command, text */

	return output_has(pair[0], pair[1]);
}

static bool shell_lacks(const void *context)
{
	return !shell_has(context);
}

static bool remote_at(const void *context)
{
	const struct remote *wanted = context;
	const struct remote *remote = find_remote(wanted->mac);

	return remote != NULL && same_ip(&remote->vtep, &wanted->vtep);
}

static bool remote_gone(const void *context)
{
	return find_remote(((const struct remote *)context)->mac) == NULL;
}

static bool flood_has(const void *context)
{
	for (size_t i = 0; i < gateway.n_floods; i++)
		if (same_ip(&gateway.floods[i], context))
			return true;
	return false;
}

static bool remote_count_at_least(const void *context)
{
	return gateway.n_remotes >= *(const size_t *)context;
}

static bool remote_count_zero(const void *context)
{
	(void)context;
	return gateway.n_remotes == 0 && gateway.n_floods == 0;
}

static bool lost_is(const void *context)
{
	return gateway.lost > 0 && memcmp(gateway.last_lost, context, 6) == 0;
}

static double wait_shell(const char *command, const char *text, bool present)
{
	const char *pair[] = {command, text};

	return run_until(present ? shell_has : shell_lacks, pair, command);
}

/* ---- scenario ----------------------------------------------------------- */

static int believe_everything(void *arg)
{
	(void)arg;
	for (size_t i = 0; i < gateway.n_remotes; i++) {
		struct evpn_shadow_entry entry = {.kind = EVPN_SHADOW_REMOTE_MAC, .vni = VNI};
		int rc;

		memcpy(entry.mac, gateway.remotes[i].mac, 6);
		entry.vtep = gateway.remotes[i].vtep;
		rc = evpn_shadow_believe(gateway.shadow, &entry);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < gateway.n_floods; i++) {
		struct evpn_shadow_entry entry = {.kind = EVPN_SHADOW_FLOOD_VTEP, .vni = VNI};
		int rc;

		entry.vtep = gateway.floods[i];
		rc = evpn_shadow_believe(gateway.shadow, &entry);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void open_gateway(void)
{
	struct evpn_shadow_config config = {.vtep_v4 = ipv4("10.99.0.1")};

	CHECK(evpn_shadow_open(&gateway.shadow, &shadow_ops, NULL, &config) == 0,
	      "evpn_shadow_open");
	CHECK(evpn_shadow_segment_add(gateway.shadow, VNI) == 0, "evpn_shadow_segment_add");
	CHECK(evpn_shadow_reconcile(gateway.shadow, believe_everything, NULL) == 0,
	      "evpn_shadow_reconcile");
}

int main(int argc, char **argv)
{
	struct conf_ip vtep_b = ipv4("10.99.0.2");
	struct remote host = {.vtep = ipv4("10.99.0.2")};
	struct evpn_shadow_frr frr = {0};
	char pathspace[64];
	uint8_t local_mac[6], moving_mac[6];
	size_t expected;
	double start, elapsed;
	char batch_path[512];
	FILE *batch;

	if (argc != 3) {
		fprintf(stderr, "usage: %s frr_topology.sh PATHSPACE_OF_A\n", argv[0]);
		return 2;
	}
	topology_library = argv[1];
	snprintf(pathspace, sizeof(pathspace), "%s", argv[2]);
	frr.pathspace = pathspace;
	setvbuf(stdout, NULL, _IOLBF, 0);

	CHECK(netlink_mirror_open(&gateway.mirror, NETLINK_MIRROR_FDB, &mirror_ops, NULL) == 0,
	      "netlink_mirror_open");
	open_gateway();
	CHECK(netlink_mirror_dump(gateway.mirror) == 0, "netlink_mirror_dump");

	elapsed = wait_shell("vty a show bgp l2vpn evpn summary json", "\"Established\"", true);
	printf("bgp established after %.0f ms\n", elapsed);

	/* Type-3 both ways; B's comes back through the flood_vtep callback. */
	elapsed = run_until(flood_has, &vtep_b, "flood VTEP B");
	printf("flood_vtep B after %.0f ms\n", elapsed);
	wait_shell("vty a show bgp l2vpn evpn route type multicast json",
		   "[3]:[0]:[32]:[10.99.0.2]", true);
	wait_shell("vty b show bgp l2vpn evpn route type multicast json",
		   "[3]:[0]:[32]:[10.99.0.1]", true);
	printf("ok type-3 routes both ways\n");

	/* A host behind B talks: B's bridge learns it, zebra advertises it. */
	parse_mac("02:00:00:00:b0:01", host.mac);
	run_for(200);
	CHECK(find_remote(host.mac) == NULL, "host MAC known before the host sent anything");
	start = now_ms();
	/* One ARP request (the address does not answer; ping returns after 1 s). */
	must("ip netns exec ${EVPN_RUN}h ping -c 1 -W 1 192.168.100.9 >/dev/null || true");
	run_until(remote_at, &host, "host MAC of B");
	printf("ok host MAC behind B arrived via remote_mac (< %.0f ms after it sent)\n",
	       now_ms() - start);

	/* A local MAC: B's FRR has the type-2 route, B's kernel forwards to A. */
	parse_mac("02:00:00:00:a0:01", local_mac);
	start = now_ms();
	CHECK(evpn_shadow_local_add(gateway.shadow, VNI, local_mac) == 0, "local_add");
	wait_shell("bridge -n ${EVPN_RUN}b fdb show dev vni100", "02:00:00:00:a0:01 dst 10.99.0.1",
		   true);
	printf("local_add -> B kernel fdb dst A: %.0f ms\n", now_ms() - start);
	CHECK(output_has("vty b show bgp l2vpn evpn route type macip json", "02:00:00:00:a0:01"),
	      "B's FRR has no type-2 route for the local MAC");
	printf("ok B's FRR has the type-2 route\n");

	start = now_ms();
	CHECK(evpn_shadow_local_del(gateway.shadow, VNI, local_mac) == 0, "local_del");
	wait_shell("bridge -n ${EVPN_RUN}b fdb show dev vni100", "02:00:00:00:a0:01", false);
	printf("local_del -> withdrawn from B's kernel: %.0f ms\n", now_ms() - start);
	wait_shell("vty b show bgp l2vpn evpn route type macip json", "02:00:00:00:a0:01", false);
	printf("ok withdrawn from B's FRR\n");

	/* A move: local in A, then appears behind B (higher sequence). */
	parse_mac("02:00:00:00:a0:02", moving_mac);
	CHECK(evpn_shadow_local_add(gateway.shadow, VNI, moving_mac) == 0, "local_add");
	wait_shell("bridge -n ${EVPN_RUN}b fdb show dev vni100", "02:00:00:00:a0:02 dst 10.99.0.1",
		   true);
	start = now_ms();
	must("bridge -n ${EVPN_RUN}b fdb replace 02:00:00:00:a0:02 dev hp100 master static");
	run_until(lost_is, moving_mac, "local_mac_lost");
	printf("ok move reported by local_mac_lost after %.0f ms\n", now_ms() - start);
	{
		struct remote moved = {.vtep = vtep_b};

		memcpy(moved.mac, moving_mac, 6);
		run_until(remote_at, &moved, "moved MAC behind B");
		printf("ok moved MAC now remote behind B\n");
		/* Gone from B: withdrawn, and A's gateway hears it. */
		must("bridge -n ${EVPN_RUN}b fdb del 02:00:00:00:a0:02 dev hp100 master");
		run_until(remote_gone, &moved, "moved MAC withdrawn");
	}

	/* 1,000 MACs behind B, static on its host port: zebra advertises them. */
	snprintf(batch_path, sizeof(batch_path), "%s/fdb-batch",
		 getenv("EVPN_DIR") != NULL ? getenv("EVPN_DIR") : "/tmp");
	batch = fopen(batch_path, "w");
	CHECK(batch != NULL, "batch file");
	for (unsigned i = 0; i < MANY_MACS; i++) {
		uint8_t mac[6];

		mac_of(i, mac);
		fprintf(batch, "fdb add %02x:%02x:%02x:%02x:%02x:%02x dev hp100 master static\n",
			mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	}
	fclose(batch);
	expected = gateway.n_remotes + MANY_MACS;
	start = now_ms();
	must("bridge -n ${EVPN_RUN}b -batch ${EVPN_DIR}/fdb-batch");
	{
		double added = now_ms();

		run_until(remote_count_at_least, &expected, "1,000 MACs of B");
		printf("1000 MACs: last added on B -> last arrived in A: %.0f ms "
		       "(first added -> last arrived: %.0f ms)\n",
		       now_ms() - added, now_ms() - start);
	}
	{
		struct remote last = {.vtep = vtep_b};

		mac_of(MANY_MACS - 1, last.mac);
		CHECK(remote_at(&last), "last MAC with the wrong VTEP");
	}
	printf("ok 1000 MACs arrived with VTEP B, %llu mirror resyncs\n",
	       (unsigned long long)netlink_mirror_stats(gateway.mirror)->resyncs);

	/* vtepgw restarts: a new instance adopts the devices; reconciling with
	 * what the gateway holds changes nothing. */
	{
		unsigned adds = gateway.remote_adds, dels = gateway.remote_dels;

		evpn_shadow_close(gateway.shadow);
		open_gateway();
		CHECK(gateway.remote_adds == adds && gateway.remote_dels == dels,
		      "reconcile after restart reported %u adds, %u dels",
		      gateway.remote_adds - adds, gateway.remote_dels - dels);
		CHECK(evpn_shadow_stats(gateway.shadow)->devices_adopted == 4,
		      "devices not adopted");
		printf("ok vtepgw restart: devices adopted, reconcile converged with no change\n");
	}

	/* All of A's FRR restarts: remote state goes, then comes back. */
	must("frr_stop_daemon a bgpd; frr_stop_daemon a zebra");
	run_until(remote_count_zero, NULL, "remote entries removed by zebra");
	start = now_ms();
	must("frr_start_daemon a zebra; frr_start_daemon a bgpd");
	run_until(remote_count_at_least, &expected, "remote entries after an FRR restart");
	CHECK(flood_has(&vtep_b), "flood VTEP after FRR restart");
	printf("FRR restart in A: %zu remote MACs back after %.0f ms\n", gateway.n_remotes,
	       now_ms() - start);

	/* zebra alone restarts: nothing comes back until advertise-all-vni is
	 * toggled; evpn_shadow_frr_check() notices and does it. */
	must("frr_stop_daemon a zebra");
	run_until(remote_count_zero, NULL, "remote entries removed by zebra");
	start = now_ms();
	must("frr_start_daemon a zebra");
	run_for(5000);
	printf("zebra-only restart: %zu remote MACs back without help after 5 s\n",
	       gateway.n_remotes);
	{
		int first = evpn_shadow_frr_check(gateway.shadow, &frr), second;

		run_for(1000);
		second = evpn_shadow_frr_check(gateway.shadow, &frr);
		if (gateway.n_remotes == 0)
			CHECK(first == 0 && second == 1, "frr_check returned %d then %d", first,
			      second);
		start = now_ms();
	}
	run_until(remote_count_at_least, &expected, "remote entries after the toggle");
	CHECK(flood_has(&vtep_b), "flood VTEP after the toggle");
	printf("ok toggle recovery: %zu remote MACs back %.0f ms after the toggle\n",
	       gateway.n_remotes, now_ms() - start);
	CHECK(evpn_shadow_frr_check(gateway.shadow, &frr) == 0, "frr_check after recovery");

	/* The shadow vxlan netdev never carried a frame. */
	{
		FILE *counter = fopen("/sys/class/net/vgvx100/statistics/tx_packets", "r");
		unsigned long long sent = ~0ull;

		CHECK(counter != NULL && fscanf(counter, "%llu", &sent) == 1, "tx_packets");
		fclose(counter);
		CHECK(sent == 0, "the shadow vxlan netdev transmitted %llu frames", sent);
	}
	printf("ok shadow vxlan netdev sent nothing (tx_packets 0)\n");
	printf("stats: events %llu ignored %llu remote +%llu -%llu flood +%llu -%llu lost %llu "
	       "write errors %llu\n",
	       (unsigned long long)evpn_shadow_stats(gateway.shadow)->events,
	       (unsigned long long)evpn_shadow_stats(gateway.shadow)->ignored_events,
	       (unsigned long long)evpn_shadow_stats(gateway.shadow)->remote_adds,
	       (unsigned long long)evpn_shadow_stats(gateway.shadow)->remote_dels,
	       (unsigned long long)evpn_shadow_stats(gateway.shadow)->flood_adds,
	       (unsigned long long)evpn_shadow_stats(gateway.shadow)->flood_dels,
	       (unsigned long long)evpn_shadow_stats(gateway.shadow)->local_lost,
	       (unsigned long long)evpn_shadow_stats(gateway.shadow)->write_errors);
	evpn_shadow_close(gateway.shadow);
	netlink_mirror_close(gateway.mirror);
	printf("PASS\n");
	return 0;
}
