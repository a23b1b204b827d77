/* SPDX-License-Identifier: BSD-3-Clause */
/* The JSON reader of vtepctl: what DPDK telemetry sends must parse, and
 * anything malformed or cut short must be refused with a message. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_reader.h"

static struct json_value *parse(const char *text)
{
	char err[128];
	struct json_value *v = json_parse(text, strlen(text), err, sizeof(err));
	if (v == NULL)
		print_message("refused: %s\n", err);
	return v;
}

/* Returns the error message for input that must be refused. */
static const char *refuse(const char *text, size_t len)
{
	static char err[128];
	errno = 0;
	struct json_value *v = json_parse(text, len, err, sizeof(err));
	assert_null(v);
	assert_int_not_equal(errno, 0);
	assert_true(strlen(err) > 0);
	return err;
}

static void test_telemetry_hello(void **state)
{
	(void)state;
	struct json_value *v =
		parse("{\"version\": \"DPDK 22.11.11\", \"pid\": 4242, \"max_output_len\": 16384}");
	assert_non_null(v);
	assert_int_equal(v->type, JSON_OBJECT);
	assert_int_equal(v->count, 3);
	const char *version;
	uint64_t pid, max;
	assert_int_equal(json_get_string(v, "version", &version), 0);
	assert_string_equal(version, "DPDK 22.11.11");
	assert_int_equal(json_get_u64(v, "pid", &pid), 0);
	assert_int_equal(pid, 4242);
	assert_int_equal(json_get_u64(v, "max_output_len", &max), 0);
	assert_int_equal(max, 16384);
	assert_int_equal(json_get_u64(v, "absent", &max), -ENOENT);
	assert_int_equal(json_get_u64(v, "version", &max), -EINVAL);
	json_free(v);
}

static void test_nested_reply(void **state)
{
	(void)state;
	/* The shape of /vtepgw/ports: command -> name -> fields. */
	struct json_value *v = parse(
		"{\"/vtepgw/ports\":{\"uplink0\":{\"role\":\"uplink\",\"port_id\":0,\"link_up\":1,"
		"\"rx_packets\":18446744073709551615},\"access0\":{\"role\":\"access\",\"port_id\":"
		"1}"
		"}}");
	assert_non_null(v);
	const struct json_value *ports = json_object_get(v, "/vtepgw/ports");
	assert_non_null(ports);
	assert_int_equal(ports->count, 2);
	assert_string_equal(ports->members[0].key, "uplink0");
	assert_string_equal(ports->members[1].key, "access0");
	const struct json_value *uplink = json_object_get(ports, "uplink0");
	uint64_t rx;
	assert_int_equal(json_get_u64(uplink, "rx_packets", &rx), 0);
	assert_true(rx == UINT64_MAX);
	const char *role;
	assert_int_equal(json_get_string(json_object_get(ports, "access0"), "role", &role), 0);
	assert_string_equal(role, "access");
	json_free(v);
}

static void test_scalars_and_arrays(void **state)
{
	(void)state;
	struct json_value *v = parse(" [ -12, 0, true, false, null, \"\", [], {}, [[1]] ] \n");
	assert_non_null(v);
	assert_int_equal(v->type, JSON_ARRAY);
	assert_int_equal(v->count, 9);
	assert_true(v->items[0]->negative);
	assert_int_equal(v->items[0]->integer, 12);
	assert_false(v->items[1]->negative);
	assert_true(v->items[2]->boolean);
	assert_int_equal(v->items[3]->type, JSON_BOOLEAN);
	assert_false(v->items[3]->boolean);
	assert_int_equal(v->items[4]->type, JSON_NULL);
	assert_string_equal(v->items[5]->string, "");
	assert_int_equal(v->items[6]->count, 0);
	assert_int_equal(v->items[7]->type, JSON_OBJECT);
	assert_int_equal(v->items[8]->items[0]->items[0]->integer, 1);
	json_free(v);
}

static void test_string_escapes(void **state)
{
	(void)state;
	struct json_value *v = parse("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\u20ac\\ud83d\\ude00\"");
	assert_non_null(v);
	assert_string_equal(v->string, "a\"b\\c/d\n\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	json_free(v);
}

static void test_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"   ",
		"{\"a\" 1}",
		"{\"a\":1,}",
		"{a:1}",
		"[1 2]",
		"[1,]",
		"01",
		"-",
		"1.5",
		"1e3",
		"18446744073709551616",
		"-9223372036854775809",
		"tru",
		"nul",
		"True",
		"\"\\x\"",
		"\"\\u12g4\"",
		"\"\\ud800\"",
		"\"\\udc00\"",
		"\"\\u0000\"",
		"\"tab\tinside\"",
		"{} {}",
		"{\"a\":1}}",
		"'single'",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuse(bad[i], strlen(bad[i]));
	/* The message says where and what. */
	assert_string_equal(refuse("{\"a\" 1}", 7),
			    "offset 5: expected ':' after object key, found '1'");
	assert_string_equal(refuse("1.5", 3),
			    "offset 1: only integers are supported, found a fraction or exponent");
	/* An embedded NUL byte is not whitespace. */
	refuse("{}\0", 3);
}

static void test_truncated(void **state)
{
	(void)state;
	/* Every strict prefix of a valid reply is refused and says so. */
	const char *reply =
		"{\"/vtepgw/drops\": {\"ipv4_bad_checksum\": 12, \"name\": \"x\\u00e9\","
		" \"flag\": true, \"list\": [1, null]}}";
	for (size_t len = 0; len < strlen(reply); len++)
		refuse(reply, len);
	assert_string_equal(refuse("{\"a\": \"xy", 9),
			    "offset 9: unterminated string (truncated input)");
	assert_string_equal(
		refuse("{\"a\": [1", 8),
		"offset 8: expected ',' or ']' in array, found end of input (truncated)");
	assert_string_equal(refuse("[tr", 3), "offset 1: truncated literal, expected 'true'");
	struct json_value *v = parse(reply);
	assert_non_null(v);
	json_free(v);
}

static void test_depth_limit(void **state)
{
	(void)state;
	char deep[2 * (JSON_DEPTH_MAX + 1) + 1];
	for (int i = 0; i <= JSON_DEPTH_MAX; i++) {
		deep[i] = '[';
		deep[2 * (JSON_DEPTH_MAX + 1) - 1 - i] = ']';
	}
	deep[sizeof(deep) - 1] = '\0';
	const char *err = refuse(deep, strlen(deep));
	assert_non_null(strstr(err, "nesting deeper than"));
	/* One level less is fine. */
	struct json_value *v = parse(deep + 1);
	assert_null(v);
	deep[sizeof(deep) - 2] = '\0';
	v = parse(deep + 1);
	assert_non_null(v);
	json_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_telemetry_hello),	   cmocka_unit_test(test_nested_reply),
		cmocka_unit_test(test_scalars_and_arrays), cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_malformed),	   cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_depth_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
