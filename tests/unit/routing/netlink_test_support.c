/* SPDX-License-Identifier: BSD-3-Clause */
#include "netlink_test_support.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <time.h>

#include <cmocka.h>

static void record_link(void *arg, bool add, const struct netlink_link *link)
{
	struct recorder *recorder = arg;

	if (recorder->n_links < RECORDER_MAX)
		recorder->links[recorder->n_links] = (struct recorded_link){add, *link};
	recorder->n_links++;
}

static void record_address(void *arg, bool add, const struct netlink_address *address)
{
	struct recorder *recorder = arg;

	if (recorder->n_addresses < RECORDER_MAX)
		recorder->addresses[recorder->n_addresses] =
			(struct recorded_address){add, *address};
	recorder->n_addresses++;
}

static void record_route(void *arg, bool add, const struct netlink_route *route)
{
	struct recorder *recorder = arg;

	if (recorder->n_routes < RECORDER_MAX)
		recorder->routes[recorder->n_routes] = (struct recorded_route){add, *route};
	recorder->n_routes++;
}

static void record_neighbour(void *arg, bool add, const struct netlink_neighbour *neighbour)
{
	struct recorder *recorder = arg;

	if (recorder->n_neighbours < RECORDER_MAX)
		recorder->neighbours[recorder->n_neighbours] =
			(struct recorded_neighbour){add, *neighbour};
	recorder->n_neighbours++;
}

static void record_fdb(void *arg, bool add, const struct netlink_fdb *fdb)
{
	struct recorder *recorder = arg;

	if (recorder->n_fdbs < RECORDER_MAX)
		recorder->fdbs[recorder->n_fdbs] = (struct recorded_fdb){add, *fdb};
	recorder->n_fdbs++;
}

static void record_resync_begin(void *arg)
{
	((struct recorder *)arg)->resync_begins++;
}

static void record_resync_end(void *arg)
{
	((struct recorder *)arg)->resync_ends++;
}

const struct netlink_mirror_ops recorder_ops = {
	.link = record_link,
	.address = record_address,
	.route = record_route,
	.neighbour = record_neighbour,
	.fdb = record_fdb,
	.resync_begin = record_resync_begin,
	.resync_end = record_resync_end,
};

void recorder_reset(struct recorder *recorder)
{
	memset(recorder, 0, sizeof(*recorder));
}

int fresh_namespace(void **state)
{
	(void)state;
	/* The previous test's namespace dies with its last reference. */
	if (unshare(CLONE_NEWNET) < 0) {
		perror("unshare(CLONE_NEWNET) (needs root)");
		return -1;
	}
	return system("ip link set lo up") == 0 ? 0 : -1;
}

void run(const char *format, ...)
{
	char command[4096];
	va_list args;
	int status;

	va_start(args, format);
	vsnprintf(command, sizeof(command), format, args);
	va_end(args);
	status = system(command);
	if (status != 0)
		fail_msg("command failed (%d): %s", status, command);
}

const char *run_output(const char *format, ...)
{
	static char output[65536];
	char command[4096];
	size_t length = 0;
	va_list args;
	FILE *pipe;

	va_start(args, format);
	vsnprintf(command, sizeof(command), format, args);
	va_end(args);
	pipe = popen(command, "r");
	assert_non_null(pipe);
	while (length < sizeof(output) - 1) {
		size_t got = fread(output + length, 1, sizeof(output) - 1 - length, pipe);

		if (got == 0)
			break;
		length += got;
	}
	output[length] = '\0';
	assert_int_equal(pclose(pipe), 0);
	return output;
}

struct conf_ip ip(const char *text)
{
	struct conf_ip result = {0};

	if (inet_pton(AF_INET, text, &result.v4) == 1)
		result.family = AF_INET;
	else if (inet_pton(AF_INET6, text, &result.v6) == 1)
		result.family = AF_INET6;
	else
		fail_msg("bad address %s", text);
	return result;
}

struct conf_prefix prefix(const char *text)
{
	char address[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	struct conf_prefix result;

	assert_non_null(slash);
	assert_true((size_t)(slash - text) < sizeof(address));
	memcpy(address, text, (size_t)(slash - text));
	address[slash - text] = '\0';
	result.addr = ip(address);
	result.len = (uint8_t)atoi(slash + 1);
	return result;
}

int ifindex(const char *name)
{
	int index = (int)if_nametoindex(name);

	if (index == 0)
		fail_msg("no interface %s", name);
	return index;
}

void mac_parse(const char *text, uint8_t mac[6])
{
	unsigned bytes[6];

	if (sscanf(text, "%x:%x:%x:%x:%x:%x", &bytes[0], &bytes[1], &bytes[2], &bytes[3], &bytes[4],
		   &bytes[5]) != 6)
		fail_msg("bad mac %s", text);
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)bytes[i];
}

void link_mac(const char *name, uint8_t mac[6])
{
	/* Not /sys/class/net: sysfs still shows the namespace it was mounted in. */
	struct ifreq request = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(request.ifr_name, sizeof(request.ifr_name), "%s", name);
	assert_int_equal(ioctl(fd, SIOCGIFHWADDR, &request), 0);
	memcpy(mac, request.ifr_hwaddr.sa_data, 6);
	close(fd);
}

static long now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

bool process_until(struct netlink_mirror *mirror, bool (*done)(void *context), void *context,
		   int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = {.fd = netlink_mirror_fd(mirror), .events = POLLIN};

		assert_true(netlink_mirror_process(mirror) >= 0);
		if (done(context))
			return true;
		if (now_ms() >= deadline)
			return false;
		poll(&pfd, 1, 20);
	}
}

void process_pending(struct netlink_mirror *mirror)
{
	int handled;

	do {
		handled = netlink_mirror_process(mirror);
		assert_true(handled >= 0);
	} while (handled > 0);
}

static bool prefix_equal(const struct conf_prefix *a, const struct conf_prefix *b)
{
	if (a->len != b->len || a->addr.family != b->addr.family)
		return false;
	if (a->addr.family == AF_INET)
		return a->addr.v4.s_addr == b->addr.v4.s_addr;
	return memcmp(&a->addr.v6, &b->addr.v6, sizeof(a->addr.v6)) == 0;
}

static bool ip_equal(const struct conf_ip *a, const struct conf_ip *b)
{
	struct conf_prefix pa = {.addr = *a}, pb = {.addr = *b};

	return prefix_equal(&pa, &pb);
}

const struct recorded_route *recorder_route(const struct recorder *recorder, const char *dst)
{
	struct conf_prefix wanted = prefix(dst);
	const struct recorded_route *found = NULL;

	for (size_t i = 0; i < recorder->n_routes && i < RECORDER_MAX; i++)
		if (prefix_equal(&recorder->routes[i].route.dst, &wanted))
			found = &recorder->routes[i];
	return found;
}

const struct recorded_neighbour *recorder_neighbour(const struct recorder *recorder, int index,
						    const char *addr)
{
	struct conf_ip wanted = ip(addr);
	const struct recorded_neighbour *found = NULL;

	for (size_t i = 0; i < recorder->n_neighbours && i < RECORDER_MAX; i++)
		if (recorder->neighbours[i].neighbour.ifindex == index &&
		    ip_equal(&recorder->neighbours[i].neighbour.addr, &wanted))
			found = &recorder->neighbours[i];
	return found;
}

const struct recorded_fdb *recorder_fdb(const struct recorder *recorder, int index, const char *mac)
{
	const struct recorded_fdb *found = NULL;
	uint8_t wanted[6];

	mac_parse(mac, wanted);
	for (size_t i = 0; i < recorder->n_fdbs && i < RECORDER_MAX; i++)
		if (recorder->fdbs[i].fdb.ifindex == index &&
		    memcmp(recorder->fdbs[i].fdb.mac, wanted, 6) == 0)
			found = &recorder->fdbs[i];
	return found;
}
