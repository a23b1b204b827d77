/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the `vtepctl --json` output: indented, keys in the order the caller
 * gives them (stable, documented in docs/vtepctl.md), strings escaped per
 * RFC 8259 §7. The writer tracks commas itself so callers only say what comes
 * next.
 */
#ifndef VTEPGW_CLI_JSON_WRITER_H
#define VTEPGW_CLI_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_WRITER_DEPTH_MAX 16

struct json_writer {
	FILE *out;
	int depth;
	bool has_items[JSON_WRITER_DEPTH_MAX]; /* a value was written at this level */
	bool after_key;			       /* the next value follows "key": on the same line */
};

void json_writer_init(struct json_writer *w, FILE *out);
/* Finish the document with a newline. */
void json_writer_end(struct json_writer *w);

void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);

void json_write_string(struct json_writer *w, const char *s); /* NULL writes null */
void json_write_u64(struct json_writer *w, uint64_t value);
void json_write_i64(struct json_writer *w, int64_t value);
void json_write_bool(struct json_writer *w, bool value);
void json_write_null(struct json_writer *w);

/* Shorthands for "key": value inside an object. */
void json_member_string(struct json_writer *w, const char *key, const char *s);
void json_member_u64(struct json_writer *w, const char *key, uint64_t value);
void json_member_bool(struct json_writer *w, const char *key, bool value);
void json_member_null(struct json_writer *w, const char *key);

#endif
