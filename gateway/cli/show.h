/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the show_*.c files: one telemetry dict of dicts -> a table. */
#ifndef VTEPGW_CLI_SHOW_H
#define VTEPGW_CLI_SHOW_H

#include <stddef.h>

#include "json_reader.h"
#include "table.h"
#include "vtepctl.h"

enum show_field_kind {
	SHOW_FIELD_STRING,
	SHOW_FIELD_U64,
	SHOW_FIELD_BOOL, /* telemetry sends 0/1; JSON output says false/true */
};

struct show_field {
	const char *key;    /* in the telemetry reply and in --json output */
	const char *header; /* in the human table */
	enum show_field_kind kind;
	const char *true_text; /* SHOW_FIELD_BOOL in the human table */
	const char *false_text;
};

/*
 * Print `data` (rows as in show_collect_rows) as a table whose
 * first column is the name, or as a JSON array of objects whose first key is
 * `name_key`. Rows come sorted by `sort_key` (a u64 field) or, when NULL, by
 * name. Missing fields print "-" (null in JSON). Returns an exit code.
 */
int show_telemetry_table(const struct vtepctl *ctx, const char *command,
			 const struct json_value *data, const char *name_key,
			 const char *name_header, const struct show_field *fields, size_t n_fields,
			 const char *sort_key);

/*
 * One row of a telemetry table. DPDK 22.11 accepts only [A-Za-z0-9_/] in
 * dict keys and refuses dicts inside arrays, so names with '.', ':' or '-'
 * (addresses, MACs, many port and segment names) cannot be keys. A row is a
 * dict member; its name is its `name_key` string field when it has one
 * ({"vtep0": {"address": "2001:db8::2", ...}}), else its key
 * ({"uplink0": {...}}). An array of such dicts (possible in later DPDK
 * releases) reads the same way.
 */
struct show_row {
	const char *name;
	const struct json_value *fields;
};

/* Collect the rows of `data` in reply order (free *rows). Prints why a reply
 * has the wrong shape and returns an exit code. */
int show_collect_rows(const struct vtepctl *ctx, const char *command, const struct json_value *data,
		      const char *name_key, struct show_row **rows, size_t *n_rows);
const struct show_row *show_find_row(const struct show_row *rows, size_t n, const char *name);

/* One cell of a field (buf holds numbers). */
const char *show_field_text(const struct show_field *field, const struct json_value *row, char *buf,
			    size_t size);
/* One "key": value member of a field in --json output. */
struct json_writer;
void show_field_json(struct json_writer *w, const struct show_field *field,
		     const struct json_value *row);

#endif
