/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepctl's LMDB-backed commands against a real store in a temp directory,
 * written through conf/store.h while vtepctl reads it (as the daemon does),
 * and the command line itself: exit codes and messages a user sees.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/store.h"
#include "vtepctl.h"

#define NO_SOCKET "/tmp/vtepctl-store-test-no-daemon/dpdk_telemetry.v2"

struct fixture {
	char dir[64];
	struct store *writer;
	time_t learned_at;
};

struct result {
	int code;
	char *out;
	char *err;
};

static struct result run(struct fixture *f, const char *const *words)
{
	char *argv[16] = {"vtepctl", "-d", f->dir, "-s", NO_SOCKET};
	int argc = 5;
	for (; *words != NULL && argc < 15; words++)
		argv[argc++] = (char *)(uintptr_t)*words;
	argv[argc] = NULL;
	struct result r;
	size_t out_len, err_len;
	FILE *out = open_memstream(&r.out, &out_len);
	FILE *err = open_memstream(&r.err, &err_len);
	r.code = vtepctl_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return r;
}

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

static void assert_valid_json(const char *text)
{
	char path[] = "/tmp/vtepctl-json-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char command[128];
	snprintf(command, sizeof(command), "/usr/bin/python3 -m json.tool %s >/dev/null", path);
	int status = system(command);
	unlink(path);
	assert_int_equal(status, 0);
}

static void put_segment(struct store *s, uint8_t type, uint32_t id, const char *name,
			uint8_t learning)
{
	struct store_segment_key key = {.type = type, .id = id};
	struct store_segment segment = {.learning = learning, .mac_limit = 0};
	snprintf(segment.name, sizeof(segment.name), "%s", name);
	assert_int_equal(store_segment_put(s, &key, &segment), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/vtepctl-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	char err[256];
	assert_int_equal(store_open(&f->writer, f->dir, 16 << 20, false, err, sizeof(err)), 0);

	put_segment(f->writer, CONF_SEGMENT_VXLAN, 100, "blue", CONF_LEARNING_EVPN);
	put_segment(f->writer, CONF_SEGMENT_NVGRE, 0x1001, "green", CONF_LEARNING_DATAPLANE);
	struct conf_ip vtep = {.family = AF_INET};
	inet_pton(AF_INET, "198.51.100.2", &vtep.v4);
	struct store_segment_key blue = {.type = CONF_SEGMENT_VXLAN, .id = 100};
	assert_int_equal(store_flood_put(f->writer, &blue, &vtep, STORE_FLOOD_EVPN), 0);

	f->learned_at = time(NULL) - 30;
	struct store_fdb_record records[3] = {
		{.segment = blue,
		 .mac = {0x02, 0, 0, 0, 0, 0x10},
		 .entry = {.port = "access0",
			   .vlan = 10,
			   .origin = STORE_FDB_LEARNED,
			   .last_seen = (uint64_t)f->learned_at}},
		{.segment = blue,
		 .mac = {0x02, 0, 0, 0, 0, 0x20},
		 .entry = {.remote = true,
			   .vtep = vtep,
			   .origin = STORE_FDB_EVPN,
			   .last_seen = (uint64_t)f->learned_at}},
		{.segment = {.type = CONF_SEGMENT_NVGRE, .id = 0x1001},
		 .mac = {0x02, 0, 0, 0, 0, 0x30},
		 .entry = {.port = "access1", .vlan = 0, .origin = STORE_FDB_STATIC}},
	};
	assert_int_equal(store_fdb_put_batch(f->writer, records, 3), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->writer);
	char command[128];
	snprintf(command, sizeof(command), "rm -rf %s", f->dir);
	if (system(command) != 0)
		fprintf(stderr, "could not remove %s\n", f->dir);
	free(f);
	return 0;
}

/* The age column depends on the clock; accept the second it may tick. */
static bool fdb_table_is(const struct fixture *f, const char *out)
{
	for (int slack = 0; slack <= 2; slack++) {
		char expected[1024];
		long age = (long)(time(NULL) - f->learned_at) - slack;
		snprintf(
			expected, sizeof(expected),
			"SEGMENT  MAC                KIND    DEST          VLAN      ORIGIN   AGE\n"
			"blue     02:00:00:00:00:10  local   access0       10        learned  "
			"%3ld\n"
			"blue     02:00:00:00:00:20  remote  198.51.100.2  -         evpn     "
			"%3ld\n"
			"green    02:00:00:00:00:30  local   access1       untagged  static     "
			"-\n",
			age, age);
		if (strcmp(out, expected) == 0)
			return true;
	}
	print_message("got:\n%s", out);
	return false;
}

static void test_show_fdb_while_writer_open(void **state)
{
	struct fixture *f = *state;
	struct result r = run(f, (const char *const[]){"show", "fdb", NULL});
	assert_int_equal(r.code, VTEPCTL_EXIT_OK);
	assert_true(fdb_table_is(f, r.out));
	assert_string_equal(r.err, "");
	result_free(&r);
}

static void test_show_fdb_one_segment(void **state)
{
	struct fixture *f = *state;
	struct result r = run(f, (const char *const[]){"show", "fdb", "green", NULL});
	assert_int_equal(r.code, VTEPCTL_EXIT_OK);
	assert_string_equal(r.out,
			    "SEGMENT  MAC                KIND   DEST     VLAN      ORIGIN  AGE\n"
			    "green    02:00:00:00:00:30  local  access1  untagged  static    -\n");
	result_free(&r);

	r = run(f, (const char *const[]){"show", "fdb", "purple", NULL});
	assert_int_equal(r.code, VTEPCTL_EXIT_USAGE);
	assert_string_equal(r.err, "vtepctl: no segment named 'purple'\n");
	result_free(&r);
}

static void test_show_fdb_json(void **state)
{
	struct fixture *f = *state;
	struct result r = run(f, (const char *const[]){"--json", "show", "fdb", NULL});
	assert_int_equal(r.code, VTEPCTL_EXIT_OK);
	assert_valid_json(r.out);
	assert_non_null(strstr(r.out, "    \"segment\": \"blue\",\n"
				      "    \"type\": \"vxlan\",\n"
				      "    \"id\": 100,\n"
				      "    \"mac\": \"02:00:00:00:00:20\",\n"
				      "    \"kind\": \"remote\",\n"
				      "    \"port\": null,\n"
				      "    \"vlan\": null,\n"
				      "    \"vtep\": \"198.51.100.2\",\n"
				      "    \"origin\": \"evpn\",\n"));
	assert_non_null(strstr(r.out, "\"age\": null"));
	result_free(&r);
}

static void test_fdb_sees_new_writes(void **state)
{
	struct fixture *f = *state;
	struct store_fdb_record record = {
		.segment = {.type = CONF_SEGMENT_NVGRE, .id = 0x1001},
		.mac = {0x02, 0, 0, 0, 0, 0x31},
		.entry = {.port = "access1", .origin = STORE_FDB_LEARNED, .last_seen = 1},
	};
	assert_int_equal(store_fdb_put_batch(f->writer, &record, 1), 0);
	struct result r = run(f, (const char *const[]){"show", "fdb", "green", NULL});
	assert_int_equal(r.code, VTEPCTL_EXIT_OK);
	assert_non_null(strstr(r.out, "02:00:00:00:00:31"));
	result_free(&r);
	assert_int_equal(store_fdb_del_batch(f->writer, &record, 1), 0);
}

static void test_show_segments_without_daemon(void **state)
{
	struct fixture *f = *state;
	struct result r = run(f, (const char *const[]){"sh", "seg", NULL});
	assert_int_equal(r.code, VTEPCTL_EXIT_OK);
	assert_string_equal(r.out, "SEGMENT  TYPE     ID  LEARNING   MACS  MAC-LIMIT  FLOOD-VTEPS  "
				   "RX-PACKETS  RX-BYTES  TX-PACKETS  TX-BYTES  FLOODED\n"
				   "blue     vxlan   100  evpn          2    default            1  "
				   "         -         -           -         -        -\n"
				   "green    nvgre  4097  dataplane     1    default            0  "
				   "         -         -           -         -        -\n");
	assert_string_equal(r.err, "vtepctl: vtepgw is not running; live counters are not shown\n");
	result_free(&r);

	r = run(f, (const char *const[]){"show", "segments", "--json", NULL});
	assert_int_equal(r.code, VTEPCTL_EXIT_OK);
	assert_valid_json(r.out);
	assert_non_null(strstr(r.out, "\"running\": false,\n    \"rx_packets\": null"));
	result_free(&r);
}

static void test_daemon_commands_without_daemon(void **state)
{
	struct fixture *f = *state;
	static const char *const objects[] = {"ports", "vteps", "counters"};
	for (size_t i = 0; i < 3; i++) {
		struct result r = run(f, (const char *const[]){"show", objects[i], NULL});
		assert_int_equal(r.code, VTEPCTL_EXIT_NOT_RUNNING);
		assert_string_equal(r.out, "");
		assert_string_equal(
			r.err,
			"vtepctl: vtepgw is not running (no telemetry socket at " NO_SOCKET ")\n");
		result_free(&r);
	}
}

static void test_usage_errors(void **state)
{
	struct fixture *f = *state;
	const char *const *const bad[] = {
		(const char *const[]){NULL},
		(const char *const[]){"show", NULL},
		(const char *const[]){"list", "fdb", NULL},
		(const char *const[]){"show", "xyz", NULL},
		(const char *const[]){"show", "ports", "extra", NULL},
		(const char *const[]){"--bogus", "show", "ports", NULL},
		(const char *const[]){"show", "ports", "-c", NULL},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct result r = run(f, bad[i]);
		assert_int_equal(r.code, VTEPCTL_EXIT_USAGE);
		assert_non_null(strstr(r.err, "Usage: vtepctl"));
		result_free(&r);
	}
	struct result r = run(
		f, (const char *const[]){"-c", "/nonexistent/vtepgw.conf", "show", "fdb", NULL});
	assert_int_equal(r.code, VTEPCTL_EXIT_USAGE);
	assert_non_null(strstr(r.err, "cannot use configuration /nonexistent/vtepgw.conf"));
	result_free(&r);

	r = run(f, (const char *const[]){"--help", NULL});
	assert_int_equal(r.code, VTEPCTL_EXIT_OK);
	assert_non_null(strstr(r.out, "Usage: vtepctl"));
	result_free(&r);
}

static void test_missing_store(void **state)
{
	(void)state;
	struct fixture missing = {.dir = "/tmp/vtepctl-store-test-absent"};
	struct result r = run(&missing, (const char *const[]){"show", "fdb", NULL});
	assert_int_equal(r.code, VTEPCTL_EXIT_FAILURE);
	assert_non_null(strstr(
		r.err, "vtepctl: cannot read the vtepgw store at /tmp/vtepctl-store-test-absent"));
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_show_fdb_while_writer_open),
		cmocka_unit_test(test_show_fdb_one_segment),
		cmocka_unit_test(test_show_fdb_json),
		cmocka_unit_test(test_fdb_sees_new_writes),
		cmocka_unit_test(test_show_segments_without_daemon),
		cmocka_unit_test(test_daemon_commands_without_daemon),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_missing_store),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
