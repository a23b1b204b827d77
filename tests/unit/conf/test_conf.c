/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf: what an operator sees when loading a configuration file. Each
 * validation rule has a test that writes the mistake and checks the one
 * `file:line: message` the operator gets, and that nothing is half-loaded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "conf/model.h"

/* A valid base: gateway on line 1, ports on lines 2-6; tests add from line 7. */
#define GATEWAY_WITH(extra) "gateway = { name = \"gw\"; vtep_ipv4 = \"192.0.2.1\"; " extra " };\n"
#define PORTS                                                                        \
	"ports = (\n"                                                                \
	"  { name = \"acc\"; role = \"access\"; device = \"net_null0\"; },\n"        \
	"  { name = \"acc2\"; role = \"access\"; device = \"0000:03:00.0\"; },\n"    \
	"  { name = \"up\"; role = \"uplink\"; device = \"net_null2\"; addresses = " \
	"[\"10.0.0.1/24\"]; }\n"                                                     \
	");\n"
#define BASE GATEWAY_WITH("") PORTS
/* One segment on line 7. */
#define SEGMENT(body) BASE "segments = ( { name = \"s\"; " body " } );\n"
#define MEMBER	      "members = ( { port = \"acc\"; vlan = 10; } );"

static void print_errors(const struct conf_errors *errors)
{
	size_t i;

	for (i = 0; i < errors->n; i++)
		print_message("  got: %s\n", errors->items[i]);
}

/* Loads `text` as "t.conf" and expects it refused with exactly one error,
 * on `line`, whose message holds `fragment`. */
static void expect_error(const char *text, int line, const char *fragment)
{
	struct conf_errors errors = {0};
	struct conf_model *model = (struct conf_model *)0x1;
	char prefix[32];
	int rc;

	rc = conf_load_string(text, "t.conf", &model, &errors);
	snprintf(prefix, sizeof(prefix), "t.conf:%d: ", line);
	if (errors.n != 1 || strncmp(errors.items[0], prefix, strlen(prefix)) != 0 ||
	    strstr(errors.items[0], fragment) == NULL) {
		print_message("expected one error \"%s...%s\"\n", prefix, fragment);
		print_errors(&errors);
		fail();
	}
	assert_int_equal(rc, -1);
	assert_null(model);
	conf_errors_clear(&errors);
}

static struct conf_model *expect_valid(const char *text)
{
	struct conf_errors errors = {0};
	struct conf_model *model = NULL;

	if (conf_load_string(text, "t.conf", &model, &errors) != 0) {
		print_errors(&errors);
		fail();
	}
	assert_int_equal(errors.n, 0);
	assert_non_null(model);
	return model;
}

static char *example_path(const char *name)
{
	const char *dir = getenv("CONF_EXAMPLES");
	char *path;

	assert_non_null(dir);
	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	return path;
}

static struct conf_model *load_example(const char *name)
{
	struct conf_errors errors = {0};
	struct conf_model *model = NULL;
	char *path = example_path(name);

	if (conf_load(path, &model, &errors) != 0) {
		print_errors(&errors);
		fail();
	}
	free(path);
	assert_non_null(model);
	return model;
}

static void example_vxlan_static(void **state)
{
	struct conf_model *model = load_example("vxlan-static.conf");
	const struct conf_segment *web = conf_segment_by_name(model, "web");
	const struct conf_port *server = conf_port_by_name(model, "server0");
	char text[CONF_IP_TEXT_SIZE];
	FILE *summary;

	(void)state;
	assert_non_null(web);
	assert_non_null(server);
	assert_int_equal(web->type, CONF_SEGMENT_VXLAN);
	assert_int_equal(web->id, 10010);
	assert_int_equal(web->n_members, 1);
	assert_ptr_equal(&model->ports[web->members[0].port], server);
	assert_int_equal(web->members[0].vlan, 10);
	assert_int_equal(web->n_flood, 2);
	assert_string_equal(conf_ip_format(&web->flood[1], text, sizeof(text)), "192.0.2.3");
	assert_int_equal(model->gateway.lmdb_map_size, 256ull << 20);
	assert_false(model->bgp.enabled);
	assert_null(conf_segment_by_name(model, "nope"));
	/* The summary of `vtepgw --check-config` names what was loaded. */
	summary = fopen("/dev/null", "w");
	assert_non_null(summary);
	conf_print_summary(model, summary);
	fclose(summary);
	conf_free(model);
}

static void example_mixed(void **state)
{
	struct conf_model *model = load_example("mixed-vxlan-nvgre.conf");
	const struct conf_segment *tenant_b = conf_segment_by_name(model, "tenant-b");
	const struct conf_port *uplink = conf_port_by_name(model, "uplink0");

	(void)state;
	assert_non_null(tenant_b);
	assert_int_equal(tenant_b->type, CONF_SEGMENT_NVGRE);
	assert_int_equal(tenant_b->id, 6001);
	assert_int_equal(tenant_b->learning, CONF_LEARNING_STATIC);
	assert_int_equal(tenant_b->members[1].vlan, 0); /* untagged */
	assert_int_equal(tenant_b->n_static_macs, 2);
	assert_false(tenant_b->static_macs[0].remote);
	assert_int_equal(tenant_b->static_macs[0].member, 1);
	assert_true(tenant_b->static_macs[1].remote);
	assert_int_equal(tenant_b->static_macs[1].vtep.family, AF_INET6);
	assert_int_equal(conf_segment_by_name(model, "tenant-a")->limit_action, CONF_LIMIT_DROP);
	assert_non_null(uplink);
	assert_int_equal(uplink->vlan, 100);
	assert_int_equal(uplink->n_addresses, 2);
	assert_true(uplink->has_mac);
	assert_int_equal(model->dpdk.n_eal_args, 3);
	assert_string_equal(model->dpdk.eal_args[0], "--no-huge");
	conf_free(model);
}

static void example_evpn(void **state)
{
	struct conf_model *model = load_example("evpn-two-uplinks.conf");

	(void)state;
	assert_true(model->bgp.enabled);
	assert_true(model->bgp.evpn);
	assert_true(model->bgp.manage_frr);
	assert_int_equal(model->bgp.asn, 65101);
	assert_int_equal(model->bgp.n_neighbors, 2);
	assert_string_equal(model->ports[model->bgp.neighbors[1].port].name, "spine2");
	assert_true(model->bgp.neighbors[0].bfd);
	assert_int_equal(conf_segment_by_name(model, "prod")->learning, CONF_LEARNING_EVPN);
	assert_int_equal(conf_segment_by_name(model, "dev")->mac_limit, 512);
	conf_free(model);
}

static void defaults_apply(void **state)
{
	struct conf_model *model = expect_valid(BASE);

	(void)state;
	assert_int_equal(model->gateway.vxlan_port, 4789);
	assert_int_equal(model->gateway.udp_src_min, 49152);
	assert_int_equal(model->gateway.udp_src_max, 65535);
	assert_int_equal(model->gateway.ttl, 64);
	assert_true(model->gateway.dscp_copy);
	assert_false(model->gateway.ecn_compat);
	assert_false(model->gateway.vxlan_strict);
	assert_true(model->gateway.nvgre_flow_id);
	assert_int_equal(model->gateway.mac_aging, 300);
	assert_int_equal(model->gateway.mac_limit, 8192);
	assert_string_equal(model->gateway.lmdb_path, "/var/lib/vtepgw");
	assert_int_equal(model->gateway.lmdb_map_size, 256ull << 20);
	assert_int_equal(model->ports[0].mtu, 1500);
	assert_string_equal(model->dpdk.lcores, "0-1");
	assert_int_equal(model->dpdk.mbufs, 8191);
	conf_free(model);
}

static void gateway_settings_apply(void **state)
{
	struct conf_model *model = expect_valid(
		GATEWAY_WITH("vxlan_port = 8472; udp_source_ports = [1000, 2000]; ttl = 255; "
			     "dscp = 46; ecn = \"compat\"; vxlan_strict = true; nvgre_flow_id = "
			     "false; mac_aging = 0; lmdb_map_size = \"1G\"; vtep_ipv6 = "
			     "\"2001:db8::1\";") PORTS);

	(void)state;
	assert_int_equal(model->gateway.vxlan_port, 8472);
	assert_int_equal(model->gateway.udp_src_min, 1000);
	assert_int_equal(model->gateway.udp_src_max, 2000);
	assert_int_equal(model->gateway.ttl, 255);
	assert_false(model->gateway.dscp_copy);
	assert_int_equal(model->gateway.dscp, 46);
	assert_true(model->gateway.ecn_compat);
	assert_true(model->gateway.vxlan_strict);
	assert_false(model->gateway.nvgre_flow_id);
	assert_int_equal(model->gateway.mac_aging, 0);
	assert_int_equal(model->gateway.lmdb_map_size, 1ull << 30);
	assert_int_equal(model->gateway.vtep_v6.family, AF_INET6);
	conf_free(model);
}

/* Three unrelated mistakes, in a file on disk: three errors, each on its
 * own line, in line order, and nothing loaded. */
static void three_errors_three_lines(void **state)
{
	static const char text[] =
		"gateway = {\n"
		"  name = \"gw\";\n"
		"  vtep_ipv4 = \"192.0.2.1\";\n"
		"  tll = 64;\n" /* 4: typo */
		"};\n"
		"ports = (\n"
		"  { name = \"acc\"; role = \"access\"; device = \"net_null0\";\n"
		"    mtu = 20000; }\n" /* 8: out of range */
		");\n"
		"segments = (\n"
		"  { name = \"s\";\n"
		"    vni = 100;\n"
		"    members = ( { port = \"acc\"; vlan = 10; } );\n"
		"    flood = [ \"192.0.2.500\" ]; }\n" /* 14: bad address */
		");\n";
	char path[] = "/tmp/conf-test-XXXXXX", expected[64];
	struct conf_errors errors = {0};
	struct conf_model *model = (struct conf_model *)0x1;
	static const int lines[] = {4, 8, 14};
	size_t i;
	FILE *file;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	file = fdopen(fd, "w");
	assert_non_null(file);
	fputs(text, file);
	fclose(file);
	assert_int_equal(conf_load(path, &model, &errors), -1);
	unlink(path);
	assert_null(model);
	if (errors.n != 3)
		print_errors(&errors);
	assert_int_equal(errors.n, 3);
	for (i = 0; i < 3; i++) {
		snprintf(expected, sizeof(expected), "%s:%d: ", path, lines[i]);
		assert_memory_equal(errors.items[i], expected, strlen(expected));
	}
	assert_non_null(strstr(errors.items[0], "did you mean 'ttl'"));
	assert_non_null(strstr(errors.items[1], "mtu 20000"));
	assert_non_null(strstr(errors.items[2], "192.0.2.500"));
	conf_errors_clear(&errors);
	assert_int_equal(errors.n, 0);
}

static void syntax_error(void **state)
{
	(void)state;
	expect_error("gateway = {\n  name = \"gw\"\n  ttl = ;\n};\n", 3, "syntax error");
}

static void missing_file(void **state)
{
	struct conf_errors errors = {0};
	struct conf_model *model = NULL;

	(void)state;
	assert_int_equal(conf_load("/nonexistent/vtepgw.conf", &model, &errors), -1);
	assert_int_equal(errors.n, 1);
	assert_string_equal(errors.items[0],
			    "/nonexistent/vtepgw.conf:0: cannot open: No such file or directory");
	conf_errors_clear(&errors);
}

static void include_refused(void **state)
{
	(void)state;
	expect_error(BASE "  @include \"/etc/passwd\"\n", 7, "@include is not supported");
}

static void unknown_setting(void **state)
{
	(void)state;
	expect_error(GATEWAY_WITH("vxaln_port = 4789;") PORTS, 1,
		     "unknown setting 'vxaln_port' (did you mean 'vxlan_port'?)");
	expect_error(SEGMENT("vni = 5; " MEMBER " colour = \"red\";"), 7,
		     "segment 's': unknown setting 'colour'");
	expect_error(BASE "segment = ();\n", 7, "unknown setting 'segment' (did you mean");
}

static void wrong_type(void **state)
{
	(void)state;
	expect_error(GATEWAY_WITH("ttl = \"64\";") PORTS, 1,
		     "ttl must be an integer, not a string");
	expect_error(GATEWAY_WITH("vxlan_strict = 1;") PORTS, 1,
		     "vxlan_strict must be true or false");
	expect_error(BASE "segments = { };\n", 7, "segments must be a list");
	expect_error(SEGMENT("vni = 5; members = ( \"acc\" );"), 7,
		     "members[0] must be a group {...}, not a string");
}

static void missing_required(void **state)
{
	(void)state;
	expect_error(PORTS, 1, "missing required group 'gateway'");
	expect_error("gateway = { vtep_ipv4 = \"192.0.2.1\"; };\n" PORTS, 1,
		     "missing required setting 'name'");
	expect_error(GATEWAY_WITH("") "ports = ( { name = \"a\"; role = \"access\"; } );\n", 2,
		     "port 'a': missing required setting 'device'");
	expect_error(SEGMENT("vni = 5;"), 7, "missing required setting 'members'");
	expect_error(GATEWAY_WITH(""), 1, "missing required setting 'ports'");
}

static void vni_range(void **state)
{
	struct conf_model *model;

	(void)state;
	expect_error(SEGMENT("vni = 0; " MEMBER), 7, "vni 0 is out of range 1..16777215");
	expect_error(SEGMENT("vni = 16777216; " MEMBER), 7, "vni 16777216 is out of range");
	model = expect_valid(SEGMENT("vni = 16777215; " MEMBER));
	assert_int_equal(model->segments[0].id, 16777215);
	conf_free(model);
	model = expect_valid(SEGMENT("vni = 1; " MEMBER));
	conf_free(model);
}

static void vsid_range(void **state)
{
	struct conf_model *model;

	(void)state;
	expect_error(SEGMENT("vsid = 4095; " MEMBER), 7,
		     "vsid 4095 is out of range 4096..16777214");
	expect_error(SEGMENT("vsid = 16777215; " MEMBER), 7, "vsid 16777215 is out of range");
	model = expect_valid(SEGMENT("vsid = 4096; " MEMBER));
	assert_int_equal(model->segments[0].type, CONF_SEGMENT_NVGRE);
	conf_free(model);
	model = expect_valid(SEGMENT("vsid = 16777214; " MEMBER));
	conf_free(model);
}

static void vni_and_vsid(void **state)
{
	(void)state;
	expect_error(SEGMENT("vni = 5; vsid = 5000; " MEMBER), 7, "not both");
	expect_error(SEGMENT(MEMBER), 7, "needs vni (VXLAN) or vsid (NVGRE)");
}

static void duplicate_port_name(void **state)
{
	(void)state;
	expect_error(
		GATEWAY_WITH("") "ports = (\n"
				 "  { name = \"p\"; role = \"access\"; device = \"net_a0\"; },\n"
				 "  { name = \"p\"; role = \"access\"; device = \"net_a1\"; }\n"
				 ");\n",
		4, "port 'p': name already used by the port at line 3");
}

static void duplicate_device(void **state)
{
	(void)state;
	expect_error(
		GATEWAY_WITH(
			"") "ports = (\n"
			    "  { name = \"p\"; role = \"access\"; device = \"0000:03:00.0\"; },\n"
			    "  { name = \"q\"; role = \"access\"; device = \"03:00.0\"; }\n"
			    ");\n",
		4, "device 0000:03:00.0 is already used by port 'p'");
}

static void duplicate_segment_name(void **state)
{
	(void)state;
	expect_error(BASE "segments = (\n"
			  "  { name = \"s\"; vni = 1; members = ( { port = \"acc\"; } ); },\n"
			  "  { name = \"s\"; vni = 2; members = ( { port = \"acc2\"; } ); }\n"
			  ");\n",
		     9, "segment 's': name already used by the segment at line 8");
}

static void duplicate_id(void **state)
{
	struct conf_model *model;

	(void)state;
	expect_error(BASE "segments = (\n"
			  "  { name = \"a\"; vni = 7; members = ( { port = \"acc\"; } ); },\n"
			  "  { name = \"b\"; vni = 7; members = ( { port = \"acc2\"; } ); }\n"
			  ");\n",
		     9, "VNI 7 is already used by segment 'a' (line 8)");
	expect_error(BASE "segments = (\n"
			  "  { name = \"a\"; vsid = 7000; members = ( { port = \"acc\"; } ); },\n"
			  "  { name = \"b\"; vsid = 7000; members = ( { port = \"acc2\"; } ); }\n"
			  ");\n",
		     9, "VSID 7000 is already used by segment 'a'");
	/* VNI 7000 and VSID 7000 are different tunnels. */
	model = expect_valid(
		BASE "segments = (\n"
		     "  { name = \"a\"; vsid = 7000; members = ( { port = \"acc\"; } ); },\n"
		     "  { name = \"b\"; vni = 7000; members = ( { port = \"acc2\"; } ); }\n"
		     ");\n");
	conf_free(model);
}

static void port_vlan_in_two_segments(void **state)
{
	(void)state;
	expect_error(BASE
		     "segments = (\n"
		     "  { name = \"a\"; vni = 1; members = ( { port = \"acc\"; vlan = 5; } ); },\n"
		     "  { name = \"b\"; vni = 2; members = ( { port = \"acc\"; vlan = 5; } ); }\n"
		     ");\n",
		     9, "port 'acc' vlan 5 already belongs to segment 'a' (line 8)");
	expect_error(BASE "segments = (\n"
			  "  { name = \"a\"; vni = 1; members = ( { port = \"acc\"; } ); },\n"
			  "  { name = \"b\"; vni = 2; members = ( { port = \"acc\"; } ); }\n"
			  ");\n",
		     9, "port 'acc' untagged already belongs to segment 'a'");
	expect_error(SEGMENT("vni = 1; members = ( { port = \"acc\"; vlan = 5; }, { port = "
			     "\"acc\"; vlan = 5; } );"),
		     7, "port 'acc' vlan 5 already belongs to segment 's'");
}

static void untagged_and_tagged_on_one_port(void **state)
{
	struct conf_model *model;

	(void)state;
	model = expect_valid(
		BASE "segments = (\n"
		     "  { name = \"a\"; vni = 1; members = ( { port = \"acc\"; } ); },\n"
		     "  { name = \"b\"; vni = 2; members = ( { port = \"acc\"; vlan = 5; } ); }\n"
		     ");\n");
	assert_int_equal(model->segments[0].members[0].vlan, 0);
	assert_int_equal(model->segments[1].members[0].vlan, 5);
	conf_free(model);
}

static void unknown_port(void **state)
{
	(void)state;
	expect_error(SEGMENT("vni = 1; members = ( { port = \"eth9\"; } );"), 7,
		     "unknown port 'eth9'");
}

static void vlan_range(void **state)
{
	(void)state;
	expect_error(SEGMENT("vni = 1; members = ( { port = \"acc\"; vlan = 0; } );"), 7,
		     "vlan 0 is out of range 1..4094");
	expect_error(SEGMENT("vni = 1; members = ( { port = \"acc\"; vlan = 4095; } );"), 7,
		     "vlan 4095 is out of range 1..4094");
	expect_error(GATEWAY_WITH("") "ports = ( { name = \"u\"; role = \"uplink\"; device = "
				      "\"net_a0\"; vlan = 4095; } );\n",
		     2, "vlan 4095 is out of range 1..4094");
}

static void member_on_uplink(void **state)
{
	(void)state;
	expect_error(SEGMENT("vni = 1; members = ( { port = \"up\"; vlan = 3; } );"), 7,
		     "port 'up' is an uplink; segment members must be access ports");
}

static void vlan_on_access_port(void **state)
{
	(void)state;
	expect_error(GATEWAY_WITH("") "ports = ( { name = \"a\"; role = \"access\"; device = "
				      "\"net_a0\"; vlan = 10; } );\n",
		     2, "vlan on a port is the underlay VLAN of an uplink");
}

static void addresses_on_access_port(void **state)
{
	(void)state;
	expect_error(GATEWAY_WITH("") "ports = ( { name = \"a\"; role = \"access\"; device = "
				      "\"net_a0\"; addresses = [\"10.0.0.1/24\"]; } );\n",
		     2, "addresses are only for uplink ports");
}

static void bad_addresses(void **state)
{
	(void)state;
	expect_error("gateway = { name = \"gw\"; vtep_ipv4 = \"10.0.0\"; };\n" PORTS, 1,
		     "vtep_ipv4 \"10.0.0\" is not an IPv4 address");
	expect_error("gateway = { name = \"gw\"; vtep_ipv4 = \"2001:db8::1\"; };\n" PORTS, 1,
		     "is not an IPv4 address");
	expect_error("gateway = { name = \"gw\"; vtep_ipv4 = \"224.0.0.1\"; };\n" PORTS, 1,
		     "224.0.0.1 is not a unicast address");
	expect_error(GATEWAY_WITH("") "ports = ( { name = \"u\"; role = \"uplink\"; device = "
				      "\"net_a0\"; addresses = [\"10.0.0.1/33\"]; } );\n",
		     2, "\"10.0.0.1/33\" is not an address with a prefix length");
	expect_error(GATEWAY_WITH("") "ports = ( { name = \"u\"; role = \"uplink\"; device = "
				      "\"net_a0\"; addresses = [\"10.0.0.1\"]; } );\n",
		     2, "\"10.0.0.1\" is not an address with a prefix length");
	expect_error(GATEWAY_WITH("") "ports = ( { name = \"u\"; role = \"uplink\"; device = "
				      "\"net_a0\"; addresses = [\"2001:db8::1/129\"]; } );\n",
		     2, "is not an address with a prefix length");
}

static void flood_family_needs_vtep(void **state)
{
	struct conf_model *model;

	(void)state;
	expect_error(SEGMENT("vni = 1; " MEMBER " flood = [\"2001:db8::2\"];"), 7,
		     "VTEP 2001:db8::2 is IPv6 but gateway.vtep_ipv6 is not set");
	expect_error(SEGMENT("vni = 1; " MEMBER " flood = [\"192.0.2.1\"];"), 7,
		     "VTEP 192.0.2.1 is this gateway's own address");
	expect_error(SEGMENT("vni = 1; " MEMBER " flood = [\"192.0.2.2\", \"192.0.2.2\"];"), 7,
		     "flood VTEP 192.0.2.2 is listed twice");
	model = expect_valid(GATEWAY_WITH("vtep_ipv6 = \"2001:db8::1\";") PORTS
			     "segments = ( { name = \"s\"; vni = 1; " MEMBER
			     " flood = [\"2001:db8::2\", \"192.0.2.2\"]; } );\n");
	assert_int_equal(model->segments[0].n_flood, 2);
	conf_free(model);
}

static void evpn_on_nvgre(void **state)
{
	(void)state;
	expect_error(SEGMENT("vsid = 5000; " MEMBER " learning = \"evpn\";") "bgp = { asn = 65000; "
									     "router_id = "
									     "\"1.1.1.1\"; evpn "
									     "= true; };\n",
		     7, "learning \"evpn\" is only for VXLAN segments");
}

static void evpn_needs_bgp_evpn(void **state)
{
	struct conf_model *model;

	(void)state;
	expect_error(SEGMENT("vni = 5; " MEMBER " learning = \"evpn\";"), 7,
		     "learning \"evpn\" needs bgp.evpn = true");
	expect_error(SEGMENT("vni = 5; " MEMBER " learning = \"evpn\";") "bgp = { asn = 65000; "
									 "router_id = \"1.1.1.1\"; "
									 "};\n",
		     7, "needs bgp.evpn = true");
	model = expect_valid(
		SEGMENT("vni = 5; " MEMBER " learning = \"evpn\";") "bgp = { asn = "
								    "65000; router_id = "
								    "\"1.1.1.1\"; evpn = "
								    "true; };\n");
	conf_free(model);
}

static void static_mac_rules(void **state)
{
	(void)state;
	expect_error(SEGMENT("vni = 5; " MEMBER
			     " static_macs = ( { mac = \"01:00:5e:00:00:01\"; vtep = "
			     "\"192.0.2.9\"; } );"),
		     7, "mac 01:00:5e:00:00:01 is not a unicast MAC address");
	expect_error(SEGMENT("vni = 5; " MEMBER
			     " static_macs = ( { mac = \"00:00:00:00:00:00\"; vtep = "
			     "\"192.0.2.9\"; } );"),
		     7, "is not a unicast MAC address");
	expect_error(SEGMENT("vni = 5; " MEMBER
			     " static_macs = ( { mac = \"02:00:00:00:00:0g\"; vtep = "
			     "\"192.0.2.9\"; } );"),
		     7, "is not a MAC address like");
	expect_error(SEGMENT("vni = 5; " MEMBER
			     " static_macs = ( { mac = \"02:00:00:00:00:01\"; port = \"acc\"; "
			     "vlan = 11; } );"),
		     7, "port 'acc' vlan 11 is not a member of this segment");
	expect_error(
		SEGMENT("vni = 5; " MEMBER " static_macs = ( { mac = \"02:00:00:00:00:01\"; } );"),
		7, "give either port");
	expect_error(
		SEGMENT("vni = 5; " MEMBER
			" static_macs = ( { mac = \"02:00:00:00:00:01\"; vtep = \"192.0.2.9\"; "
			"}, { mac = \"02:00:00:00:00:01\"; port = \"acc\"; vlan = 10; } );"),
		7, "static MAC 02:00:00:00:00:01 is already configured");
	expect_error(GATEWAY_WITH("") "ports = ( { name = \"u\"; role = \"uplink\"; device = "
				      "\"net_a0\"; mac = \"03:00:00:00:00:01\"; } );\n",
		     2, "mac 03:00:00:00:00:01 is not a unicast MAC address");
}

static void bgp_neighbor_rules(void **state)
{
	struct conf_model *model;

	(void)state;
	expect_error(BASE "bgp = { asn = 65000; router_id = \"1.1.1.1\";\n"
			  "  neighbors = ( { address = \"10.0.0.2\"; remote_as = 65001; port = "
			  "\"acc\"; } ); };\n",
		     8, "bgp neighbor 10.0.0.2: port 'acc' is not an uplink");
	expect_error(BASE "bgp = { asn = 65000; router_id = \"1.1.1.1\";\n"
			  "  neighbors = ( { address = \"10.0.0.2\"; remote_as = 65001; port = "
			  "\"up\"; },\n"
			  "  { address = \"10.0.0.2\"; remote_as = 65001; port = \"up\"; } ); };\n",
		     9, "bgp neighbor 10.0.0.2: already configured at line 8");
	expect_error(BASE "bgp = { asn = 23456; router_id = \"1.1.1.1\"; };\n", 7,
		     "other than 23456 (AS_TRANS)");
	expect_error(BASE "bgp = { asn = 65000; router_id = \"0.0.0.0\"; };\n", 7,
		     "router_id 0.0.0.0 is not a unicast address");
	/* 4-byte ASNs: libconfig's L suffix, asplain and asdot strings. */
	model = expect_valid(BASE "bgp = { asn = 4200000000L; router_id = \"1.1.1.1\";\n"
				  "  neighbors = ( { address = \"10.0.0.2\"; remote_as = \"1.10\"; "
				  "port = \"up\"; bfd = true; } ); };\n");
	assert_int_equal(model->bgp.asn, 4200000000u);
	assert_int_equal(model->bgp.neighbors[0].remote_asn, 65546);
	assert_true(model->bgp.neighbors[0].bfd);
	conf_free(model);
}

static void no_vtep_with_segments(void **state)
{
	(void)state;
	expect_error("gateway = { name = \"gw\"; };\n" PORTS
		     "segments = ( { name = \"s\"; vni = 1; " MEMBER " } );\n",
		     1, "segments need a tunnel source address");
}

static void mtu_range(void **state)
{
	(void)state;
	expect_error(GATEWAY_WITH("") "ports = ( { name = \"a\"; role = \"access\"; device = "
				      "\"net_a0\"; mtu = 67; } );\n",
		     2, "mtu 67 is out of range 68..9600");
	expect_error(GATEWAY_WITH("") "ports = ( { name = \"a\"; role = \"access\"; device = "
				      "\"net_a0\"; mtu = 9601; } );\n",
		     2, "mtu 9601 is out of range 68..9600");
}

static void ttl_range(void **state)
{
	(void)state;
	expect_error(GATEWAY_WITH("ttl = 0;") PORTS, 1, "ttl 0 is out of range 1..255");
	expect_error(GATEWAY_WITH("ttl = 256;") PORTS, 1, "ttl 256 is out of range 1..255");
}

static void udp_source_ports_range(void **state)
{
	(void)state;
	expect_error(GATEWAY_WITH("udp_source_ports = \"60000-50000\";") PORTS, 1,
		     "udp_source_ports must be");
	expect_error(GATEWAY_WITH("udp_source_ports = [0, 100];") PORTS, 1,
		     "udp_source_ports must be");
	expect_error(GATEWAY_WITH("udp_source_ports = \"1000-70000\";") PORTS, 1,
		     "udp_source_ports must be");
	expect_error(GATEWAY_WITH("udp_source_ports = \"1000\";") PORTS, 1,
		     "udp_source_ports must be");
}

static void other_gateway_values(void **state)
{
	(void)state;
	expect_error(GATEWAY_WITH("dscp = 64;") PORTS, 1, "dscp must be \"copy\" or 0..63");
	expect_error(GATEWAY_WITH("ecn = \"off\";") PORTS, 1,
		     "ecn must be one of \"normal\", \"compat\", not \"off\"");
	expect_error(GATEWAY_WITH("lmdb_path = \"var/lib\";") PORTS, 1, "absolute path");
	expect_error(GATEWAY_WITH("lmdb_map_size = \"12X\";") PORTS, 1, "lmdb_map_size must be");
	expect_error(GATEWAY_WITH("mac_limit = 0;") PORTS, 1, "mac_limit 0 is out of range");
	expect_error("gateway = { name = \"g w\"; };\n" PORTS, 1, "may only hold letters");
}

static void dpdk_values(void **state)
{
	(void)state;
	expect_error(BASE "dpdk = { lcores = \"3-1\"; };\n", 7, "lcores \"3-1\" must be");
	expect_error(BASE "dpdk = { eal_args = [\"--lcores\"]; };\n", 7,
		     "set cores with dpdk.lcores");
	expect_error(BASE "dpdk = { mbufs = 10; };\n", 7, "mbufs 10 is out of range");
}

static void bad_device(void **state)
{
	(void)state;
	expect_error(GATEWAY_WITH("") "ports = ( { name = \"a\"; role = \"access\"; device = "
				      "\"eth0\"; } );\n",
		     2, "device \"eth0\" must be a PCI address");
	expect_error(GATEWAY_WITH("") "ports = ( { name = \"a\"; role = \"access\"; device = "
				      "\"0000:03:00.9\"; } );\n",
		     2, "must be a PCI address");
	expect_error(GATEWAY_WITH("") "ports = ( { name = \"a-very-long-port-name\"; role = "
				      "\"access\"; device = \"net_a0\"; } );\n",
		     2, "name must be 1 to 15 characters long");
}

/* One mistake is one error: a port with a bad role is not also reported
 * as "not an uplink" by the neighbour that uses it. */
static void no_cascade(void **state)
{
	(void)state;
	expect_error(
		GATEWAY_WITH("") "ports = ( { name = \"u\"; role = \"upilnk\"; device = "
				 "\"net_a0\"; } );\n"
				 "bgp = { asn = 1; router_id = \"1.1.1.1\"; neighbors = ( { "
				 "address = \"10.0.0.2\"; remote_as = 2; port = \"u\"; } ); };\n",
		2, "role must be one of");
	expect_error("gateway = { name = \"gw\"; vtep_ipv4 = \"bad\"; };\n" PORTS
		     "segments = ( { name = \"s\"; vni = 1; " MEMBER " } );\n",
		     1, "is not an IPv4 address");
}

static void errors_sorted_by_line(void **state)
{
	struct conf_errors errors = {0};
	struct conf_model *model = NULL;

	(void)state;
	/* The duplicate (found late, by validation) sits before the bad TTL. */
	assert_int_equal(conf_load_string(GATEWAY_WITH("") "ports = (\n"
							   "  { name = \"p\"; role = \"access\"; "
							   "device = \"net_a0\"; },\n"
							   "  { name = \"p\"; role = \"access\"; "
							   "device = \"net_a1\"; }\n"
							   ");\n"
							   "dpdk = { mbufs = 1; };\n",
					  "t.conf", &model, &errors),
			 -1);
	assert_int_equal(errors.n, 2);
	assert_memory_equal(errors.items[0], "t.conf:4: ", 10);
	assert_memory_equal(errors.items[1], "t.conf:6: ", 10);
	conf_errors_clear(&errors);
}

static void ip_text_round_trip(void **state)
{
	static const char *const good[] = {"192.0.2.1", "0.0.0.0",   "2001:db8::1",
					   "::",	"fe80::1:2", "::ffff:192.0.2.1"};
	static const char *const bad[] = {
		"",	      "192.0.2",     "192.0.2.256", " 192.0.2.1", "2001:db8::g",
		"1.2.3.4/24", "fe80::1%eth0"};
	char text[CONF_IP_TEXT_SIZE];
	struct conf_ip ip, again;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(conf_ip_parse(good[i], &ip), 0);
		assert_string_equal(conf_ip_format(&ip, text, sizeof(text)), good[i]);
		assert_int_equal(conf_ip_parse(text, &again), 0);
		assert_true(conf_ip_equal(&ip, &again));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(conf_ip_parse(bad[i], &ip), -1);
	assert_int_equal(conf_ip_parse("10.0.0.1", &ip), 0);
	assert_int_equal(conf_ip_parse("10.0.0.2", &again), 0);
	assert_false(conf_ip_equal(&ip, &again));
	assert_int_equal(conf_ip_parse("::a00:1", &again), 0); /* same bits, other family */
	assert_false(conf_ip_equal(&ip, &again));
	memset(&ip, 0, sizeof(ip));
	assert_string_equal(conf_ip_format(&ip, text, sizeof(text)), "-");
	assert_int_equal(conf_ip_parse("2001:db8::1", &ip), 0);
	assert_null(conf_ip_format(&ip, text, 5)); /* too small: no partial text */
}

static void prefix_text_round_trip(void **state)
{
	static const char *const good[] = {"10.0.0.1/24", "0.0.0.0/0", "2001:db8::1/64",
					   "2001:db8::/128"};
	static const char *const bad[] = {"10.0.0.1",	    "10.0.0.1/",    "10.0.0.1/33",
					  "10.0.0.1/-1",    "10.0.0.1/ 8",  "/24",
					  "2001:db8::/129", "10.0.0.1/0008"};
	char text[CONF_PREFIX_TEXT_SIZE];
	struct conf_prefix prefix;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(conf_prefix_parse(good[i], &prefix), 0);
		assert_string_equal(conf_prefix_format(&prefix, text, sizeof(text)), good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(conf_prefix_parse(bad[i], &prefix), -1);
}

static void mac_text_round_trip(void **state)
{
	static const char *const bad[] = {"",
					  "02:00:00:00:00",
					  "02:00:00:00:00:001",
					  "02-00:00:00:00:01",
					  "0x:00:00:00:00:01",
					  "02:00:00:00:00:01 ",
					  "020000000001"};
	char text[CONF_MAC_TEXT_SIZE];
	uint8_t mac[6], again[6];
	size_t i;

	(void)state;
	assert_int_equal(conf_mac_parse("02:AB:cd:00:10:ff", mac), 0);
	assert_string_equal(conf_mac_format(mac, text, sizeof(text)), "02:ab:cd:00:10:ff");
	assert_int_equal(conf_mac_parse(text, again), 0);
	assert_memory_equal(mac, again, 6);
	assert_int_equal(conf_mac_parse("02-ab-cd-00-10-ff", again), 0);
	assert_memory_equal(mac, again, 6);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(conf_mac_parse(bad[i], mac), -1);
	assert_null(conf_mac_format(again, text, 17));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(example_vxlan_static),
		cmocka_unit_test(example_mixed),
		cmocka_unit_test(example_evpn),
		cmocka_unit_test(defaults_apply),
		cmocka_unit_test(gateway_settings_apply),
		cmocka_unit_test(three_errors_three_lines),
		cmocka_unit_test(syntax_error),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(include_refused),
		cmocka_unit_test(unknown_setting),
		cmocka_unit_test(wrong_type),
		cmocka_unit_test(missing_required),
		cmocka_unit_test(vni_range),
		cmocka_unit_test(vsid_range),
		cmocka_unit_test(vni_and_vsid),
		cmocka_unit_test(duplicate_port_name),
		cmocka_unit_test(duplicate_device),
		cmocka_unit_test(duplicate_segment_name),
		cmocka_unit_test(duplicate_id),
		cmocka_unit_test(port_vlan_in_two_segments),
		cmocka_unit_test(untagged_and_tagged_on_one_port),
		cmocka_unit_test(unknown_port),
		cmocka_unit_test(vlan_range),
		cmocka_unit_test(member_on_uplink),
		cmocka_unit_test(vlan_on_access_port),
		cmocka_unit_test(addresses_on_access_port),
		cmocka_unit_test(bad_addresses),
		cmocka_unit_test(flood_family_needs_vtep),
		cmocka_unit_test(evpn_on_nvgre),
		cmocka_unit_test(evpn_needs_bgp_evpn),
		cmocka_unit_test(static_mac_rules),
		cmocka_unit_test(bgp_neighbor_rules),
		cmocka_unit_test(no_vtep_with_segments),
		cmocka_unit_test(mtu_range),
		cmocka_unit_test(ttl_range),
		cmocka_unit_test(udp_source_ports_range),
		cmocka_unit_test(other_gateway_values),
		cmocka_unit_test(dpdk_values),
		cmocka_unit_test(bad_device),
		cmocka_unit_test(no_cascade),
		cmocka_unit_test(errors_sorted_by_line),
		cmocka_unit_test(ip_text_round_trip),
		cmocka_unit_test(prefix_text_round_trip),
		cmocka_unit_test(mac_text_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
