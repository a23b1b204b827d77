/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepctl against the real DPDK telemetry server: this program starts an EAL
 * (no hugepages, no PCI, a null vdev, its own file prefix), registers
 * /vtepgw/... commands that answer with the shapes the daemon publishes, and
 * runs vtepctl's show commands against the socket the EAL opened.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "show.h"
#include "telemetry_client.h"
#include "vtepctl.h"

static char socket_path[512];

static int ports_command(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	static const struct {
		const char *name, *role, *mac, *tap;
		int port_id, link_up;
		uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	} ports[] = {
		{"access0", "access", "02:00:00:00:00:02", "", 1, 0, 5, 320, 0, 0},
		{"uplink0", "uplink", "02:00:00:00:00:01", "vtepgw-up0", 0, 1, 1234567, 987654321,
		 42, 4200},
	};
	rte_tel_data_start_dict(d);
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		struct rte_tel_data *port = rte_tel_data_alloc();
		rte_tel_data_start_dict(port);
		rte_tel_data_add_dict_string(port, "role", ports[i].role);
		rte_tel_data_add_dict_int(port, "port_id", ports[i].port_id);
		rte_tel_data_add_dict_int(port, "link_up", ports[i].link_up);
		rte_tel_data_add_dict_string(port, "mac", ports[i].mac);
		rte_tel_data_add_dict_string(port, "tap", ports[i].tap);
		rte_tel_data_add_dict_u64(port, "rx_packets", ports[i].rx_packets);
		rte_tel_data_add_dict_u64(port, "rx_bytes", ports[i].rx_bytes);
		rte_tel_data_add_dict_u64(port, "tx_packets", ports[i].tx_packets);
		rte_tel_data_add_dict_u64(port, "tx_bytes", ports[i].tx_bytes);
		rte_tel_data_add_dict_container(d, ports[i].name, port, 0);
	}
	return 0;
}

static int vteps_command(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	/* DPDK 22.11 refuses '.' and ':' in dict keys and dicts in arrays:
	 * rows are keyed by an index and carry their address. */
	rte_tel_data_start_dict(d);
	struct rte_tel_data *vtep = rte_tel_data_alloc();
	rte_tel_data_start_dict(vtep);
	rte_tel_data_add_dict_string(vtep, "address", "198.51.100.2");
	rte_tel_data_add_dict_int(vtep, "resolved", 1);
	rte_tel_data_add_dict_string(vtep, "nexthop", "192.0.2.1");
	rte_tel_data_add_dict_string(vtep, "port", "uplink0");
	rte_tel_data_add_dict_string(vtep, "mac", "02:00:00:00:00:fe");
	rte_tel_data_add_dict_u64(vtep, "tx_packets", 10);
	rte_tel_data_add_dict_u64(vtep, "tx_bytes", 1000);
	rte_tel_data_add_dict_u64(vtep, "rx_packets", 20);
	rte_tel_data_add_dict_u64(vtep, "rx_bytes", 2000);
	rte_tel_data_add_dict_container(d, "vtep0", vtep, 0);
	vtep = rte_tel_data_alloc();
	rte_tel_data_start_dict(vtep);
	rte_tel_data_add_dict_string(vtep, "address", "2001:db8::2");
	rte_tel_data_add_dict_int(vtep, "resolved", 0);
	rte_tel_data_add_dict_string(vtep, "nexthop", "");
	rte_tel_data_add_dict_string(vtep, "port", "");
	rte_tel_data_add_dict_string(vtep, "mac", "");
	rte_tel_data_add_dict_u64(vtep, "tx_packets", 0);
	rte_tel_data_add_dict_u64(vtep, "tx_bytes", 0);
	rte_tel_data_add_dict_u64(vtep, "rx_packets", 0);
	rte_tel_data_add_dict_u64(vtep, "rx_bytes", 0);
	rte_tel_data_add_dict_container(d, "vtep1", vtep, 0);
	return 0;
}

static int drops_command(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "ipv4_bad_checksum", 3);
	rte_tel_data_add_dict_u64(d, "vxlan_i_flag_clear", 0);
	rte_tel_data_add_dict_u64(d, "unknown_segment", 7);
	return 0;
}

/* A daemon bug: a reply that is not a dict of dicts. */
static int broken_command(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "uplink0", 3);
	return 0;
}

static int failing_command(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	(void)d;
	return -EINVAL;
}

struct run {
	char *out_text, *err_text;
	size_t out_len, err_len;
	FILE *out, *err;
	struct vtepctl ctx;
};

static void run_begin(struct run *r, bool json, bool all, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->out = open_memstream(&r->out_text, &r->out_len);
	r->err = open_memstream(&r->err_text, &r->err_len);
	r->ctx = (struct vtepctl){
		.socket_path = path, .json = json, .all = all, .out = r->out, .err = r->err};
}

static void run_end(struct run *r)
{
	fclose(r->out);
	fclose(r->err);
}

static void run_free(struct run *r)
{
	free(r->out_text);
	free(r->err_text);
}

/* Valid JSON by an independent parser. */
static void assert_valid_json(const char *text)
{
	char path[] = "/tmp/vtepctl-json-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char command[600];
	snprintf(command, sizeof(command), "/usr/bin/python3 -m json.tool %s >/dev/null", path);
	int status = system(command);
	unlink(path);
	assert_int_equal(status, 0);
}

static void test_show_ports(void **state)
{
	(void)state;
	struct run r;
	run_begin(&r, false, false, socket_path);
	assert_int_equal(vtepctl_show_ports(&r.ctx), VTEPCTL_EXIT_OK);
	run_end(&r);
	/* Sorted by port ID; an empty TAP prints "-". */
	assert_string_equal(
		r.out_text,
		"PORT     ROLE    ID  LINK  MAC                TAP         RX-PACKETS   RX-BYTES  "
		"TX-PACKETS  TX-BYTES\n"
		"uplink0  uplink   0  up    02:00:00:00:00:01  vtepgw-up0     1234567  987654321  "
		"        42      4200\n"
		"access0  access   1  down  02:00:00:00:00:02  -                    5        320  "
		"         0         0\n");
	assert_string_equal(r.err_text, "");
	run_free(&r);
}

static void test_show_ports_json(void **state)
{
	(void)state;
	struct run r;
	run_begin(&r, true, false, socket_path);
	assert_int_equal(vtepctl_show_ports(&r.ctx), VTEPCTL_EXIT_OK);
	run_end(&r);
	assert_valid_json(r.out_text);
	assert_non_null(strstr(r.out_text, "    \"name\": \"uplink0\",\n"
					   "    \"role\": \"uplink\",\n"
					   "    \"port_id\": 0,\n"
					   "    \"link_up\": true,\n"));
	assert_non_null(strstr(r.out_text, "\"link_up\": false"));
	assert_non_null(strstr(r.out_text, "\"rx_bytes\": 987654321"));
	run_free(&r);
}

static void test_show_vteps(void **state)
{
	(void)state;
	struct run r;
	run_begin(&r, false, false, socket_path);
	assert_int_equal(vtepctl_show_vteps(&r.ctx), VTEPCTL_EXIT_OK);
	run_end(&r);
	assert_string_equal(r.out_text,
			    "VTEP          STATE       NEXTHOP    PORT     MAC                "
			    "TX-PACKETS  TX-BYTES  RX-PACKETS  RX-BYTES\n"
			    "198.51.100.2  resolved    192.0.2.1  uplink0  02:00:00:00:00:fe  "
			    "        10      1000          20      2000\n"
			    "2001:db8::2   unresolved  -          -        -                  "
			    "         0         0           0         0\n");
	run_free(&r);

	run_begin(&r, true, false, socket_path);
	assert_int_equal(vtepctl_show_vteps(&r.ctx), VTEPCTL_EXIT_OK);
	run_end(&r);
	assert_valid_json(r.out_text);
	assert_non_null(strstr(r.out_text, "\"address\": \"2001:db8::2\",\n"
					   "    \"resolved\": false,"));
	run_free(&r);
}

static void test_show_counters(void **state)
{
	(void)state;
	struct run r;
	run_begin(&r, false, false, socket_path);
	assert_int_equal(vtepctl_show_counters(&r.ctx), VTEPCTL_EXIT_OK);
	run_end(&r);
	/* Zero reasons hidden by default; totals over both ports. */
	assert_string_equal(r.out_text, "DROP-REASON        PACKETS\n"
					"ipv4_bad_checksum        3\n"
					"unknown_segment          7\n"
					"\n"
					"TOTAL     PACKETS      BYTES\n"
					"received  1234572  987654641\n"
					"sent           42       4200\n"
					"dropped        10          -\n");
	run_free(&r);

	run_begin(&r, false, true, socket_path);
	assert_int_equal(vtepctl_show_counters(&r.ctx), VTEPCTL_EXIT_OK);
	run_end(&r);
	assert_non_null(strstr(r.out_text, "vxlan_i_flag_clear        0\n"));
	run_free(&r);

	run_begin(&r, true, false, socket_path);
	assert_int_equal(vtepctl_show_counters(&r.ctx), VTEPCTL_EXIT_OK);
	run_end(&r);
	assert_valid_json(r.out_text);
	/* JSON always carries every reason. */
	assert_non_null(strstr(r.out_text, "\"vxlan_i_flag_clear\": 0"));
	assert_non_null(strstr(r.out_text, "\"drops\": 10\n"));
	run_free(&r);
}

static void test_daemon_not_running(void **state)
{
	(void)state;
	struct run r;
	run_begin(&r, false, false, "/tmp/vtepctl-test-no-such-dir/dpdk_telemetry.v2");
	assert_int_equal(vtepctl_show_ports(&r.ctx), VTEPCTL_EXIT_NOT_RUNNING);
	run_end(&r);
	assert_string_equal(r.out_text, "");
	assert_string_equal(r.err_text, "vtepctl: vtepgw is not running (no telemetry socket at "
					"/tmp/vtepctl-test-no-such-dir/dpdk_telemetry.v2)\n");
	run_free(&r);
}

static void test_bad_replies(void **state)
{
	(void)state;
	struct run r;
	struct json_value *data;
	/* The daemon's callback failed: DPDK answers null. */
	run_begin(&r, false, false, socket_path);
	assert_int_equal(vtepctl_telemetry(&r.ctx, "/vtepgw/failing", false, &data),
			 VTEPCTL_EXIT_FAILURE);
	assert_null(data);
	/* Unknown command. */
	assert_int_equal(vtepctl_telemetry(&r.ctx, "/vtepgw/none", false, &data),
			 VTEPCTL_EXIT_FAILURE);
	run_end(&r);
	assert_non_null(strstr(r.err_text, "vtepgw does not support /vtepgw/failing"));
	assert_non_null(strstr(r.err_text, "vtepgw does not support /vtepgw/none"));
	run_free(&r);

	/* A reply of the wrong shape is refused, not printed. */
	run_begin(&r, false, false, socket_path);
	assert_int_equal(vtepctl_telemetry(&r.ctx, "/vtepgw/broken", false, &data),
			 VTEPCTL_EXIT_OK);
	struct show_row *rows;
	size_t n_rows;
	assert_int_not_equal(
		show_collect_rows(&r.ctx, "/vtepgw/broken", data, "name", &rows, &n_rows),
		VTEPCTL_EXIT_OK);
	json_free(data);
	run_end(&r);
	assert_string_equal(r.err_text,
			    "vtepctl: malformed reply to /vtepgw/broken: 'uplink0' is a integer\n");
	run_free(&r);
}

/* Not a telemetry server: a plain unix datagram socket that never says hello. */
static void test_silent_server_times_out(void **state)
{
	(void)state;
	struct telemetry_client *client;
	char err[256];
	/* A path with no socket file is ENOENT; a regular file is refused. */
	assert_int_equal(telemetry_connect(&client, "/nonexistent/x", err, sizeof(err)), -ENOENT);
	assert_null(client);
}

int main(void)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=vtepctl-test-%d", (int)getpid());
	char *eal_args[] = {
		"vtepctl_telemetry_test",
		"--no-huge",
		"--no-pci",
		"-l",
		"0",
		"-m",
		"64",
		prefix,
		"--vdev=net_null0",
		"--log-level=*:warning",
	};
	int argc = sizeof(eal_args) / sizeof(eal_args[0]);
	if (rte_eal_init(argc, eal_args) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/* The vdev came up: the EAL is a real one, with a real port. */
	if (rte_eth_dev_count_avail() != 1) {
		fprintf(stderr, "net_null0 did not probe\n");
		rte_eal_cleanup();
		return 1;
	}
	snprintf(socket_path, sizeof(socket_path), "%s/" TELEMETRY_SOCKET_NAME,
		 rte_eal_get_runtime_dir());
	rte_telemetry_register_cmd("/vtepgw/ports", ports_command, "test ports");
	rte_telemetry_register_cmd("/vtepgw/vteps", vteps_command, "test vteps");
	rte_telemetry_register_cmd("/vtepgw/drops", drops_command, "test drops");
	rte_telemetry_register_cmd("/vtepgw/broken", broken_command, "wrong shape");
	rte_telemetry_register_cmd("/vtepgw/failing", failing_command, "fails");

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_show_ports),
		cmocka_unit_test(test_show_ports_json),
		cmocka_unit_test(test_show_vteps),
		cmocka_unit_test(test_show_counters),
		cmocka_unit_test(test_daemon_not_running),
		cmocka_unit_test(test_bad_replies),
		cmocka_unit_test(test_silent_server_times_out),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return failed;
}
