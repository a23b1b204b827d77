/* SPDX-License-Identifier: BSD-3-Clause */
/* Recursive-descent JSON reader; grammar from RFC 8259 §2-§7. */
#include "json_reader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct json_parser {
	const char *text;
	size_t len;
	size_t pos;
	int depth;
	char *err;
	size_t err_size;
	bool failed;
	int error; /* errno of the first failure */
};

static void parser_fail(struct json_parser *p, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void parser_fail(struct json_parser *p, int error, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	p->error = error;
	if (p->err == NULL || p->err_size == 0)
		return;
	int n = snprintf(p->err, p->err_size, "offset %zu: ", p->pos);
	if (n < 0 || (size_t)n >= p->err_size)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->err_size - n, fmt, ap);
	va_end(ap);
}

/* RFC 8259 §2: insignificant whitespace is space, tab, LF and CR only. */
static void skip_whitespace(struct json_parser *p)
{
	while (p->pos < p->len) {
		char c = p->text[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static int peek(struct json_parser *p)
{
	return p->pos < p->len ? (unsigned char)p->text[p->pos] : -1;
}

static const char *describe(int c, char *buf, size_t size)
{
	if (c < 0)
		snprintf(buf, size, "end of input (truncated)");
	else if (c >= 0x20 && c < 0x7f)
		snprintf(buf, size, "'%c'", c);
	else
		snprintf(buf, size, "byte 0x%02x", (unsigned)c);
	return buf;
}

static void fail_expected(struct json_parser *p, const char *what)
{
	char buf[40];
	parser_fail(p, EINVAL, "expected %s, found %s", what, describe(peek(p), buf, sizeof(buf)));
}

static struct json_value *value_new(struct json_parser *p, enum json_type type)
{
	struct json_value *v = calloc(1, sizeof(*v));
	if (v == NULL) {
		parser_fail(p, ENOMEM, "out of memory");
		return NULL;
	}
	v->type = type;
	return v;
}

static struct json_value *parse_value(struct json_parser *p);

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits after "\u"; returns the code unit or -1. */
static long parse_hex4(struct json_parser *p)
{
	long unit = 0;
	for (int i = 0; i < 4; i++) {
		int d = hex_digit(peek(p));
		if (d < 0) {
			fail_expected(p, "a hex digit in \\u escape");
			return -1;
		}
		unit = unit * 16 + d;
		p->pos++;
	}
	return unit;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* RFC 8259 §7. The decoded string is never longer than its escaped form, so
 * one buffer of the remaining input length is enough. */
static char *parse_string_raw(struct json_parser *p)
{
	if (peek(p) != '"') {
		fail_expected(p, "'\"'");
		return NULL;
	}
	p->pos++;
	size_t start = p->pos;
	char *out = malloc(p->len - start + 1);
	if (out == NULL) {
		parser_fail(p, ENOMEM, "out of memory");
		return NULL;
	}
	size_t n = 0;
	for (;;) {
		int c = peek(p);
		if (c < 0) {
			parser_fail(p, EINVAL, "unterminated string (truncated input)");
			goto err;
		}
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c < 0x20) {
			parser_fail(p, EINVAL, "control character 0x%02x inside a string",
				    (unsigned)c);
			goto err;
		}
		if (c != '\\') {
			out[n++] = (char)c;
			p->pos++;
			continue;
		}
		p->pos++;
		c = peek(p);
		p->pos++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			out[n++] = (char)c;
			break;
		case 'b':
			out[n++] = '\b';
			break;
		case 'f':
			out[n++] = '\f';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'u': {
			long unit = parse_hex4(p);
			if (unit < 0)
				goto err;
			uint32_t cp = (uint32_t)unit;
			if (unit >= 0xd800 && unit <= 0xdbff) {
				/* A high surrogate must be followed by "\u" and a low one. */
				if (p->pos + 1 >= p->len || p->text[p->pos] != '\\' ||
				    p->text[p->pos + 1] != 'u') {
					parser_fail(p, EINVAL,
						    "unpaired UTF-16 surrogate in string");
					goto err;
				}
				p->pos += 2;
				long low = parse_hex4(p);
				if (low < 0)
					goto err;
				if (low < 0xdc00 || low > 0xdfff) {
					parser_fail(p, EINVAL,
						    "unpaired UTF-16 surrogate in string");
					goto err;
				}
				cp = 0x10000 + (((uint32_t)unit - 0xd800) << 10) +
				     ((uint32_t)low - 0xdc00);
			} else if (unit >= 0xdc00 && unit <= 0xdfff) {
				parser_fail(p, EINVAL, "unpaired UTF-16 surrogate in string");
				goto err;
			}
			if (cp == 0) {
				parser_fail(p, EINVAL, "\\u0000 inside a string is not supported");
				goto err;
			}
			char buf[4];
			size_t k = utf8_encode(cp, buf);
			memcpy(out + n, buf, k);
			n += k;
			break;
		}
		default:
			p->pos--;
			if (c < 0)
				parser_fail(p, EINVAL, "unterminated string (truncated input)");
			else
				fail_expected(p, "an escape character after '\\'");
			goto err;
		}
	}
	out[n] = '\0';
	return out;
err:
	free(out);
	return NULL;
}

/* RFC 8259 §6, integers only: -?(0|[1-9][0-9]*). */
static struct json_value *parse_number(struct json_parser *p)
{
	bool negative = false;
	if (peek(p) == '-') {
		negative = true;
		p->pos++;
	}
	int c = peek(p);
	if (c < '0' || c > '9') {
		fail_expected(p, "a digit");
		return NULL;
	}
	uint64_t magnitude = 0;
	if (c == '0') {
		p->pos++;
		c = peek(p);
		if (c >= '0' && c <= '9') {
			parser_fail(p, EINVAL, "leading zero in a number");
			return NULL;
		}
	} else {
		while ((c = peek(p)) >= '0' && c <= '9') {
			unsigned digit = (unsigned)(c - '0');
			if (magnitude > (UINT64_MAX - digit) / 10) {
				parser_fail(p, ERANGE, "integer does not fit in 64 bits");
				return NULL;
			}
			magnitude = magnitude * 10 + digit;
			p->pos++;
		}
	}
	if (c == '.' || c == 'e' || c == 'E') {
		parser_fail(p, EINVAL, "only integers are supported, found a fraction or exponent");
		return NULL;
	}
	if (negative && magnitude > (uint64_t)INT64_MAX + 1) {
		parser_fail(p, ERANGE, "integer does not fit in 64 bits");
		return NULL;
	}
	struct json_value *v = value_new(p, JSON_INTEGER);
	if (v == NULL)
		return NULL;
	v->negative = negative && magnitude != 0;
	v->integer = magnitude;
	return v;
}

static bool match_literal(struct json_parser *p, const char *word)
{
	size_t n = strlen(word);
	if (p->len - p->pos < n || memcmp(p->text + p->pos, word, n) != 0) {
		if (p->len - p->pos < n && memcmp(p->text + p->pos, word, p->len - p->pos) == 0)
			parser_fail(p, EINVAL, "truncated literal, expected '%s'", word);
		else
			fail_expected(p, "a value");
		return false;
	}
	p->pos += n;
	return true;
}

static struct json_value *parse_array(struct json_parser *p)
{
	struct json_value *v = value_new(p, JSON_ARRAY);
	if (v == NULL)
		return NULL;
	p->pos++; /* '[' */
	skip_whitespace(p);
	if (peek(p) == ']') {
		p->pos++;
		return v;
	}
	size_t capacity = 0;
	for (;;) {
		skip_whitespace(p);
		struct json_value *item = parse_value(p);
		if (item == NULL)
			goto err;
		if (v->count == capacity) {
			size_t grown = capacity ? capacity * 2 : 8;
			struct json_value **items = realloc(v->items, grown * sizeof(*items));
			if (items == NULL) {
				json_free(item);
				parser_fail(p, ENOMEM, "out of memory");
				goto err;
			}
			v->items = items;
			capacity = grown;
		}
		v->items[v->count++] = item;
		skip_whitespace(p);
		int c = peek(p);
		p->pos++;
		if (c == ']')
			return v;
		if (c != ',') {
			p->pos--;
			fail_expected(p, "',' or ']' in array");
			goto err;
		}
	}
err:
	json_free(v);
	return NULL;
}

static struct json_value *parse_object(struct json_parser *p)
{
	struct json_value *v = value_new(p, JSON_OBJECT);
	if (v == NULL)
		return NULL;
	p->pos++; /* '{' */
	skip_whitespace(p);
	if (peek(p) == '}') {
		p->pos++;
		return v;
	}
	size_t capacity = 0;
	for (;;) {
		skip_whitespace(p);
		if (peek(p) != '"') {
			fail_expected(p, "a string as object key");
			goto err;
		}
		char *key = parse_string_raw(p);
		if (key == NULL)
			goto err;
		skip_whitespace(p);
		if (peek(p) != ':') {
			free(key);
			fail_expected(p, "':' after object key");
			goto err;
		}
		p->pos++;
		skip_whitespace(p);
		struct json_value *member = parse_value(p);
		if (member == NULL) {
			free(key);
			goto err;
		}
		if (v->count == capacity) {
			size_t grown = capacity ? capacity * 2 : 8;
			struct json_member *members = realloc(v->members, grown * sizeof(*members));
			if (members == NULL) {
				free(key);
				json_free(member);
				parser_fail(p, ENOMEM, "out of memory");
				goto err;
			}
			v->members = members;
			capacity = grown;
		}
		v->members[v->count].key = key;
		v->members[v->count].value = member;
		v->count++;
		skip_whitespace(p);
		int c = peek(p);
		p->pos++;
		if (c == '}')
			return v;
		if (c != ',') {
			p->pos--;
			fail_expected(p, "',' or '}' in object");
			goto err;
		}
	}
err:
	json_free(v);
	return NULL;
}

static struct json_value *parse_value(struct json_parser *p)
{
	struct json_value *v = NULL;
	int c = peek(p);

	if (c == '{' || c == '[') {
		if (p->depth >= JSON_DEPTH_MAX) {
			parser_fail(p, EINVAL, "nesting deeper than %d levels", JSON_DEPTH_MAX);
			return NULL;
		}
		p->depth++;
		v = c == '{' ? parse_object(p) : parse_array(p);
		p->depth--;
		return v;
	}
	if (c == '"') {
		char *s = parse_string_raw(p);
		if (s == NULL)
			return NULL;
		v = value_new(p, JSON_STRING);
		if (v == NULL) {
			free(s);
			return NULL;
		}
		v->string = s;
		return v;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(p);
	if (c == 't' || c == 'f') {
		if (!match_literal(p, c == 't' ? "true" : "false"))
			return NULL;
		v = value_new(p, JSON_BOOLEAN);
		if (v != NULL)
			v->boolean = c == 't';
		return v;
	}
	if (c == 'n') {
		if (!match_literal(p, "null"))
			return NULL;
		return value_new(p, JSON_NULL);
	}
	fail_expected(p, "a value");
	return NULL;
}

struct json_value *json_parse(const char *text, size_t len, char *err, size_t err_size)
{
	struct json_parser p = {
		.text = text,
		.len = text == NULL ? 0 : len,
		.err = err,
		.err_size = err_size,
	};
	if (err != NULL && err_size > 0)
		err[0] = '\0';
	skip_whitespace(&p);
	struct json_value *v = parse_value(&p);
	if (v != NULL) {
		skip_whitespace(&p);
		if (p.pos != p.len) {
			fail_expected(&p, "end of input after the value");
			json_free(v);
			v = NULL;
		}
	}
	if (v == NULL)
		errno = p.failed ? p.error : EINVAL;
	return v;
}

void json_free(struct json_value *value)
{
	if (value == NULL)
		return;
	for (size_t i = 0; value->type == JSON_OBJECT && i < value->count; i++) {
		free(value->members[i].key);
		json_free(value->members[i].value);
	}
	for (size_t i = 0; value->type == JSON_ARRAY && i < value->count; i++)
		json_free(value->items[i]);
	free(value->members);
	free(value->items);
	free(value->string);
	free(value);
}

const char *json_type_name(enum json_type type)
{
	switch (type) {
	case JSON_NULL:
		return "null";
	case JSON_BOOLEAN:
		return "boolean";
	case JSON_INTEGER:
		return "integer";
	case JSON_STRING:
		return "string";
	case JSON_ARRAY:
		return "array";
	case JSON_OBJECT:
		return "object";
	}
	return "unknown";
}

const struct json_value *json_object_get(const struct json_value *object, const char *key)
{
	if (object == NULL || object->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < object->count; i++)
		if (strcmp(object->members[i].key, key) == 0)
			return object->members[i].value;
	return NULL;
}

int json_get_u64(const struct json_value *object, const char *key, uint64_t *out)
{
	const struct json_value *v = json_object_get(object, key);
	if (v == NULL)
		return -ENOENT;
	if (v->type != JSON_INTEGER || v->negative)
		return -EINVAL;
	*out = v->integer;
	return 0;
}

int json_get_string(const struct json_value *object, const char *key, const char **out)
{
	const struct json_value *v = json_object_get(object, key);
	if (v == NULL)
		return -ENOENT;
	if (v->type != JSON_STRING)
		return -EINVAL;
	*out = v->string;
	return 0;
}
