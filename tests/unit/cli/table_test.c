/* SPDX-License-Identifier: BSD-3-Clause */
/* Human tables and JSON output of vtepctl: exactly what the operator sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_reader.h"
#include "json_writer.h"
#include "table.h"

struct capture {
	char *text;
	size_t len;
	FILE *file;
};

static void capture_open(struct capture *c)
{
	c->text = NULL;
	c->file = open_memstream(&c->text, &c->len);
	assert_non_null(c->file);
}

static const char *capture_close(struct capture *c)
{
	fclose(c->file);
	return c->text;
}

static void test_columns_aligned(void **state)
{
	(void)state;
	static const struct table_column columns[] = {
		{"PORT", TABLE_LEFT},
		{"ID", TABLE_RIGHT},
		{"RX-PACKETS", TABLE_RIGHT},
		{"TAP", TABLE_LEFT},
	};
	struct table *t = table_new(columns, 4);
	assert_non_null(t);
	const char *r1[] = {"uplink0", "0", "123456789012", "vtep-up0"};
	const char *r2[] = {"access10", "12", "7", NULL};
	const char *r3[] = {"a", "3", "", "t"};
	assert_int_equal(table_add_row(t, r1), 0);
	assert_int_equal(table_add_row(t, r2), 0);
	assert_int_equal(table_add_row(t, r3), 0);
	assert_int_equal(table_rows(t), 3);
	struct capture c;
	capture_open(&c);
	table_print(t, c.file);
	table_free(t);
	/* Left columns padded, numbers right-aligned, no trailing blanks,
	 * missing cells "-". */
	assert_string_equal(capture_close(&c), "PORT      ID    RX-PACKETS  TAP\n"
					       "uplink0    0  123456789012  vtep-up0\n"
					       "access10  12             7  -\n"
					       "a          3             -  t\n");
	free(c.text);
}

static void test_empty_table_prints_header(void **state)
{
	(void)state;
	static const struct table_column columns[] = {{"SEGMENT", TABLE_LEFT}, {"MAC", TABLE_LEFT}};
	struct table *t = table_new(columns, 2);
	struct capture c;
	capture_open(&c);
	table_print(t, c.file);
	table_free(t);
	assert_string_equal(capture_close(&c), "SEGMENT  MAC\n");
	free(c.text);
}

static void test_json_writer_roundtrip(void **state)
{
	(void)state;
	struct capture c;
	capture_open(&c);
	struct json_writer w;
	json_writer_init(&w, c.file);
	json_array_begin(&w);
	json_object_begin(&w);
	json_member_string(&w, "name", "quote\" back\\ nl\n ctl\x01");
	json_member_u64(&w, "rx_packets", UINT64_MAX);
	json_member_bool(&w, "link_up", true);
	json_member_null(&w, "tap");
	json_key(&w, "empty");
	json_object_begin(&w);
	json_object_end(&w);
	json_object_end(&w);
	json_object_begin(&w);
	json_object_end(&w);
	json_array_end(&w);
	json_writer_end(&w);
	const char *text = capture_close(&c);
	assert_string_equal(text, "[\n"
				  "  {\n"
				  "    \"name\": \"quote\\\" back\\\\ nl\\n ctl\\u0001\",\n"
				  "    \"rx_packets\": 18446744073709551615,\n"
				  "    \"link_up\": true,\n"
				  "    \"tap\": null,\n"
				  "    \"empty\": {}\n"
				  "  },\n"
				  "  {}\n"
				  "]\n");
	/* What we write, our reader (and so any JSON reader) takes back. */
	char err[128];
	struct json_value *v = json_parse(text, strlen(text), err, sizeof(err));
	assert_non_null(v);
	const char *name;
	assert_int_equal(json_get_string(v->items[0], "name", &name), 0);
	assert_string_equal(name, "quote\" back\\ nl\n ctl\x01");
	json_free(v);
	free(c.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_columns_aligned),
		cmocka_unit_test(test_empty_table_prints_header),
		cmocka_unit_test(test_json_writer_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
