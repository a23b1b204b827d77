/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small JSON reader (RFC 8259) for the replies of the DPDK telemetry
 * socket. It builds a tree of objects, arrays, strings, integers, booleans
 * and nulls. Numbers with a fraction or an exponent are refused: every value
 * vtepgw publishes is an integer, so a fraction means we talk to something
 * else. Malformed or truncated input is refused with a message that names the
 * byte offset and what was expected; nothing in the input can crash it.
 */
#ifndef VTEPGW_CLI_JSON_READER_H
#define VTEPGW_CLI_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deeper nesting is refused, so hostile input cannot exhaust the stack. */
#define JSON_DEPTH_MAX 32

enum json_type {
	JSON_NULL,
	JSON_BOOLEAN,
	JSON_INTEGER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_value;

struct json_member {
	char *key;
	struct json_value *value;
};

struct json_value {
	enum json_type type;
	bool boolean;
	bool negative; /* integer: sign; `integer` holds the magnitude */
	uint64_t integer;
	char *string;		     /* NUL-terminated; "\u0000" is refused */
	struct json_member *members; /* object, in input order */
	struct json_value **items;   /* array */
	size_t count;		     /* members or items */
};

/*
 * Parse exactly one JSON value in text[0 .. len) (surrounding whitespace
 * allowed). Returns the tree, or NULL with errno set (EINVAL for bad input,
 * ENOMEM) and, when `err` is given, a message such as
 * "offset 12: expected ':' after object key".
 */
struct json_value *json_parse(const char *text, size_t len, char *err, size_t err_size);
void json_free(struct json_value *value);

/* Name of a type for messages ("object", "string", ...). */
const char *json_type_name(enum json_type type);

/* Member `key` of an object, or NULL (also when `object` is not an object). */
const struct json_value *json_object_get(const struct json_value *object, const char *key);

/*
 * Typed member access for the table code. Return 0, -ENOENT when the member
 * is absent, -EINVAL when it has another type (or a negative integer for
 * the unsigned getter).
 */
int json_get_u64(const struct json_value *object, const char *key, uint64_t *out);
int json_get_string(const struct json_value *object, const char *key, const char **out);

#endif
