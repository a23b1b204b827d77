/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * frr.conf generation: every example configuration renders to its reviewed
 * golden file, the text is accepted by FRR's own parser (vtysh -C), and a
 * change of one neighbour changes only the lines it implies.
 *
 * VTEPGW_UPDATE_GOLDEN=1 rewrites the golden files (review the diff!).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the headers above. */
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conf/model.h>
#include <routing/frr_conf.h>

static const char *examples_dir(void)
{
	const char *dir = getenv("CONF_EXAMPLES");

	return dir != NULL ? dir : "conf/examples";
}

static const char *golden_dir(void)
{
	const char *dir = getenv("FRR_GOLDEN");

	return dir != NULL ? dir : "tests/unit/frr/golden";
}

static char *read_file(const char *path)
{
	FILE *in = fopen(path, "r");
	char *text = NULL;
	size_t size = 0;
	FILE *out;
	char buffer[4096];
	size_t n;

	if (in == NULL)
		return NULL;
	out = open_memstream(&text, &size);
	assert_non_null(out);
	while ((n = fread(buffer, 1, sizeof(buffer), in)) > 0)
		fwrite(buffer, 1, n, out);
	fclose(in);
	fclose(out);
	return text;
}

/* Load `text` under a stable, relative name: the name appears in the
 * generated header, and golden files must not depend on the checkout. */
static char *render_text(const char *text, const char *name)
{
	struct conf_errors errors = {0};
	struct conf_model *model = NULL;
	char *rendered;

	if (conf_load_string(text, name, &model, &errors) < 0) {
		conf_errors_print(&errors, stderr);
		conf_errors_clear(&errors);
		fail_msg("%s does not load", name);
	}
	rendered = frr_conf_render_string(model, NULL);
	assert_non_null(rendered);
	conf_free(model);
	return rendered;
}

static char *render_example(const char *example)
{
	char path[512], name[256];
	char *text, *rendered;

	snprintf(path, sizeof(path), "%s/%s.conf", examples_dir(), example);
	snprintf(name, sizeof(name), "conf/examples/%s.conf", example);
	text = read_file(path);
	assert_non_null(text);
	rendered = render_text(text, name);
	free(text);
	return rendered;
}

/* FRR's own parser, without daemons: vtysh -C (dry run). Skipped when FRR
 * is not installed. */
static void assert_frr_accepts(const char *rendered)
{
	char path[] = "/tmp/vtepgw-frr-test-XXXXXX";
	char command[256];
	int fd, status;

	if (access("/usr/bin/vtysh", X_OK) != 0)
		return;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, rendered, strlen(rendered)), (ssize_t)strlen(rendered));
	close(fd);
	snprintf(command, sizeof(command), "/usr/bin/vtysh -C -f %s >&2", path);
	status = system(command);
	unlink(path);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("vtysh -C refuses the rendered configuration:\n%s", rendered);
}

/* Print the first differing line, so a failure says what changed. */
static void assert_same_text(const char *expected, const char *actual, const char *what)
{
	int line = 1;
	const char *e = expected, *a = actual;

	if (strcmp(expected, actual) == 0)
		return;
	while (*e != '\0' && *e == *a) {
		if (*e == '\n')
			line++;
		e++;
		a++;
	}
	fail_msg("%s differs from its golden file at line %d:\n--- golden\n%.80s\n+++ "
		 "rendered\n%.80s",
		 what, line, e, a);
}

static void check_golden(const char *example)
{
	char *rendered = render_example(example);
	char path[512];
	char *golden;

	snprintf(path, sizeof(path), "%s/%s.frr", golden_dir(), example);
	if (getenv("VTEPGW_UPDATE_GOLDEN") != NULL) {
		FILE *out = fopen(path, "w");

		assert_non_null(out);
		fputs(rendered, out);
		fclose(out);
	}
	golden = read_file(path);
	if (golden == NULL)
		fail_msg("no golden file %s", path);
	assert_same_text(golden, rendered, example);
	assert_frr_accepts(rendered);
	free(golden);
	free(rendered);
}

static void test_golden_evpn_two_uplinks(void **state)
{
	(void)state;
	check_golden("evpn-two-uplinks");
}

static void test_golden_mixed_vxlan_nvgre(void **state)
{
	(void)state;
	check_golden("mixed-vxlan-nvgre");
}

static void test_golden_vxlan_static(void **state)
{
	(void)state;
	check_golden("vxlan-static");
}

/* A line diff (longest common subsequence): the lines only in `before`
 * and only in `after`, each joined with '\n'. Inputs are a few dozen
 * lines. */
struct line_diff {
	char removed[2048];
	char added[2048];
	size_t n_removed, n_added;
};

static size_t split_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;

	for (char *line = strtok(text, "\n"); line != NULL && n < max; line = strtok(NULL, "\n"))
		lines[n++] = line;
	return n;
}

static void diff_lines(const char *before_text, const char *after_text, struct line_diff *diff)
{
	enum { MAX_LINES = 128 };
	char *before_copy = strdup(before_text), *after_copy = strdup(after_text);
	char *before[MAX_LINES], *after[MAX_LINES];
	static unsigned short common[MAX_LINES + 1][MAX_LINES + 1];
	size_t nb, na, i, j;

	assert_non_null(before_copy);
	assert_non_null(after_copy);
	nb = split_lines(before_copy, before, MAX_LINES);
	na = split_lines(after_copy, after, MAX_LINES);
	memset(diff, 0, sizeof(*diff));
	memset(common, 0, sizeof(common));
	for (i = nb; i-- > 0;)
		for (j = na; j-- > 0;)
			common[i][j] = strcmp(before[i], after[j]) == 0
					       ? (unsigned short)(common[i + 1][j + 1] + 1)
				       : common[i + 1][j] > common[i][j + 1] ? common[i + 1][j]
									     : common[i][j + 1];
	i = j = 0;
	while (i < nb || j < na) {
		if (i < nb && j < na && strcmp(before[i], after[j]) == 0) {
			i++;
			j++;
		} else if (j < na && (i == nb || common[i][j + 1] >= common[i + 1][j])) {
			strcat(strcat(diff->added, after[j++]), "\n");
			diff->n_added++;
		} else {
			strcat(strcat(diff->removed, before[i++]), "\n");
			diff->n_removed++;
		}
	}
	free(before_copy);
	free(after_copy);
}

/* Render the evpn example with `from` replaced by `to` in vtepgw.conf. */
static char *render_changed(const char *from, const char *to)
{
	char path[512];
	char *text, *changed, *at, *rendered;

	snprintf(path, sizeof(path), "%s/evpn-two-uplinks.conf", examples_dir());
	text = read_file(path);
	assert_non_null(text);
	at = strstr(text, from);
	assert_non_null(at);
	changed = malloc(strlen(text) + strlen(to) + 1);
	assert_non_null(changed);
	sprintf(changed, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	rendered = render_text(changed, "conf/examples/evpn-two-uplinks.conf");
	free(changed);
	free(text);
	return rendered;
}

static void test_diff_neighbor_remote_as(void **state)
{
	char *before = render_example("evpn-two-uplinks");
	char *after = render_changed("{ address = \"10.0.2.0\"; remote_as = 65000;",
				     "{ address = \"10.0.2.0\"; remote_as = 65002;");
	struct line_diff diff;

	(void)state;
	diff_lines(before, after, &diff);
	assert_string_equal(diff.removed, " neighbor 10.0.2.0 remote-as 65000\n");
	assert_string_equal(diff.added, " neighbor 10.0.2.0 remote-as 65002\n");
	assert_frr_accepts(after);
	free(before);
	free(after);
}

static void test_diff_neighbor_bfd_off(void **state)
{
	char *before = render_example("evpn-two-uplinks");
	char *after =
		render_changed("port = \"spine2\"; bfd = true;", "port = \"spine2\"; bfd = false;");
	struct line_diff diff;

	(void)state;
	diff_lines(before, after, &diff);
	assert_string_equal(diff.removed, " neighbor 10.0.2.0 bfd\n");
	assert_int_equal(diff.n_added, 0);
	free(before);
	free(after);
}

/* A new address for one neighbour: every line naming it, and nothing else. */
static void test_diff_neighbor_address(void **state)
{
	char *before = render_example("evpn-two-uplinks");
	char *after = render_changed("{ address = \"10.0.2.0\";", "{ address = \"10.0.2.2\";");
	struct line_diff diff;

	(void)state;
	diff_lines(before, after, &diff);
	assert_string_equal(diff.removed, " neighbor 10.0.2.0 remote-as 65000\n"
					  " neighbor 10.0.2.0 description uplink spine2\n"
					  " neighbor 10.0.2.0 update-source spine2\n"
					  " neighbor 10.0.2.0 bfd\n"
					  "  neighbor 10.0.2.0 activate\n"
					  "  neighbor 10.0.2.0 activate\n");
	assert_string_equal(diff.added, " neighbor 10.0.2.2 remote-as 65000\n"
					" neighbor 10.0.2.2 description uplink spine2\n"
					" neighbor 10.0.2.2 update-source spine2\n"
					" neighbor 10.0.2.2 bfd\n"
					"  neighbor 10.0.2.2 activate\n"
					"  neighbor 10.0.2.2 activate\n");
	free(before);
	free(after);
}

/* Reordering neighbours in vtepgw.conf changes nothing in FRR. */
static void test_neighbor_order_does_not_matter(void **state)
{
	char *before = render_example("evpn-two-uplinks");
	char *after = render_changed("    { address = \"10.0.1.0\"; remote_as = 65000; port = "
				     "\"spine1\"; bfd = true; },\n"
				     "    { address = \"10.0.2.0\"; remote_as = 65000; port = "
				     "\"spine2\"; bfd = true; }\n",
				     "    { address = \"10.0.2.0\"; remote_as = 65000; port = "
				     "\"spine2\"; bfd = true; },\n"
				     "    { address = \"10.0.1.0\"; remote_as = 65000; port = "
				     "\"spine1\"; bfd = true; }\n");

	(void)state;
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* IPv6 underlay: the VTEP /128 in ipv6 unicast; a link-local neighbour is
 * tied to its uplink with `interface`, a global one with update-source. */
static void test_ipv6_underlay(void **state)
{
	static const char text[] =
		"gateway = { name = \"leaf6\"; vtep_ipv6 = \"2001:db8:ff::1\"; };\n"
		"dpdk = { lcores = \"0-1\"; };\n"
		"ports = (\n"
		"  { name = \"up1\"; role = \"uplink\"; device = \"net_null0\";\n"
		"    addresses = [ \"2001:db8:1::1/127\" ]; },\n"
		"  { name = \"up2\"; role = \"uplink\"; device = \"net_null1\";\n"
		"    addresses = [ \"2001:db8:2::1/127\" ]; }\n"
		");\n"
		"bgp = { asn = 65010; router_id = \"10.255.0.6\";\n"
		"  neighbors = (\n"
		"    { address = \"fe80::2\"; remote_as = 65000; port = \"up2\"; },\n"
		"    { address = \"2001:db8:1::\"; remote_as = 65000; port = \"up1\"; bfd = true; "
		"}\n"
		"  );\n"
		"};\n";
	char *rendered = render_text(text, "ipv6.conf");

	(void)state;
	assert_non_null(strstr(rendered, " address-family ipv6 unicast\n"
					 "  network 2001:db8:ff::1/128\n"
					 "  neighbor 2001:db8:1:: activate\n"
					 "  neighbor fe80::2 activate\n"
					 "  maximum-paths 16\n"));
	assert_null(strstr(rendered, "address-family ipv4 unicast"));
	assert_null(strstr(rendered, "l2vpn evpn"));
	assert_non_null(strstr(rendered, " neighbor fe80::2 interface up2\n"
					 " neighbor fe80::2 remote-as 65000\n"
					 " neighbor fe80::2 description uplink up2\n"));
	assert_null(strstr(rendered, "neighbor fe80::2 update-source"));
	assert_non_null(strstr(rendered, " neighbor 2001:db8:1:: update-source up1\n"
					 " neighbor 2001:db8:1:: bfd\n"));
	assert_frr_accepts(rendered);
	free(rendered);
}

/* Same model, same bytes; NULL arguments are refused, not crashed on. */
static void test_deterministic_and_refuses_null(void **state)
{
	char *first = render_example("evpn-two-uplinks");
	char *second = render_example("evpn-two-uplinks");

	(void)state;
	assert_string_equal(first, second);
	assert_int_equal(frr_conf_render(NULL, stdout), -EINVAL);
	errno = 0;
	assert_null(frr_conf_render_string(NULL, NULL));
	assert_int_equal(errno, EINVAL);
	free(first);
	free(second);
}

static void test_write_atomic_keeps_mode(void **state)
{
	char dir[] = "/tmp/vtepgw-frr-write-XXXXXX";
	char path[256];
	struct stat st;
	char *text;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/frr.conf", dir);
	assert_int_equal(frr_conf_write_atomic(path, "one\n", 4), 0);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(frr_conf_write_atomic(path, "two\n", 4), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	text = read_file(path);
	assert_string_equal(text, "two\n");
	free(text);
	snprintf(path, sizeof(path), "%s/missing/frr.conf", dir);
	assert_int_equal(frr_conf_write_atomic(path, "x", 1), -ENOENT);
	snprintf(path, sizeof(path), "%s/frr.conf", dir);
	unlink(path);
	rmdir(dir);
}

/* The tool with bgp.manage_frr = false: says so and writes nothing. */
static void test_tool_respects_manage_frr_false(void **state)
{
	const char *tool = getenv("VTEPGW_FRR_CONFIG");
	char dir[] = "/tmp/vtepgw-frr-tool-XXXXXX";
	char conf[256], frr[256], command[1024], output[512] = "";
	char *text, *changed, *at;
	FILE *pipe, *out;
	size_t n;

	(void)state;
	if (tool == NULL)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/vtepgw.conf", dir);
	snprintf(frr, sizeof(frr), "%s/frr.conf", dir);
	snprintf(command, sizeof(command), "%s/evpn-two-uplinks.conf", examples_dir());
	text = read_file(command);
	assert_non_null(text);
	at = strstr(text, "manage_frr = true;");
	assert_non_null(at);
	changed = strdup(text);
	memcpy(changed + (at - text), "manage_frr =false;", 18);
	out = fopen(conf, "w");
	assert_non_null(out);
	fputs(changed, out);
	fclose(out);
	snprintf(command, sizeof(command), "%s -c %s --apply --frr-conf %s 2>&1", tool, conf, frr);
	pipe = popen(command, "r");
	assert_non_null(pipe);
	n = fread(output, 1, sizeof(output) - 1, pipe);
	output[n] = '\0';
	assert_int_equal(pclose(pipe), 0);
	assert_non_null(strstr(output, "bgp.manage_frr is false"));
	assert_int_equal(access(frr, F_OK), -1);
	unlink(conf);
	rmdir(dir);
	free(changed);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_evpn_two_uplinks),
		cmocka_unit_test(test_golden_mixed_vxlan_nvgre),
		cmocka_unit_test(test_golden_vxlan_static),
		cmocka_unit_test(test_diff_neighbor_remote_as),
		cmocka_unit_test(test_diff_neighbor_bfd_off),
		cmocka_unit_test(test_diff_neighbor_address),
		cmocka_unit_test(test_neighbor_order_does_not_matter),
		cmocka_unit_test(test_ipv6_underlay),
		cmocka_unit_test(test_deterministic_and_refuses_null),
		cmocka_unit_test(test_write_atomic_keeps_mode),
		cmocka_unit_test(test_tool_respects_manage_frr_false),
	};

	return cmocka_run_group_tests_name("frr_conf", tests, NULL, NULL);
}
