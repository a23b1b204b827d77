/* SPDX-License-Identifier: BSD-3-Clause */
#include "json_writer.h"

#include <inttypes.h>

void json_writer_init(struct json_writer *w, FILE *out)
{
	*w = (struct json_writer){.out = out};
}

void json_writer_end(struct json_writer *w)
{
	fputc('\n', w->out);
}

static void indent(struct json_writer *w)
{
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->out);
}

/* Comma and line break before any value or key at the current level. */
static void before_item(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (w->has_items[w->depth])
			fputc(',', w->out);
		fputc('\n', w->out);
		indent(w);
	}
	if (w->depth < JSON_WRITER_DEPTH_MAX)
		w->has_items[w->depth] = true;
}

static void open_container(struct json_writer *w, char c)
{
	before_item(w);
	fputc(c, w->out);
	w->depth++;
	if (w->depth < JSON_WRITER_DEPTH_MAX)
		w->has_items[w->depth] = false;
}

static void close_container(struct json_writer *w, char c)
{
	bool had_items = w->depth < JSON_WRITER_DEPTH_MAX && w->has_items[w->depth];
	w->depth--;
	if (had_items) {
		fputc('\n', w->out);
		indent(w);
	}
	fputc(c, w->out);
}

void json_object_begin(struct json_writer *w)
{
	open_container(w, '{');
}

void json_object_end(struct json_writer *w)
{
	close_container(w, '}');
}

void json_array_begin(struct json_writer *w)
{
	open_container(w, '[');
}

void json_array_end(struct json_writer *w)
{
	close_container(w, ']');
}

static void write_escaped(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
		switch (*c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*c < 0x20)
				fprintf(out, "\\u%04x", *c);
			else
				fputc(*c, out);
		}
	}
	fputc('"', out);
}

void json_key(struct json_writer *w, const char *key)
{
	before_item(w);
	write_escaped(w->out, key);
	fputs(": ", w->out);
	w->after_key = true;
}

void json_write_string(struct json_writer *w, const char *s)
{
	if (s == NULL) {
		json_write_null(w);
		return;
	}
	before_item(w);
	write_escaped(w->out, s);
}

void json_write_u64(struct json_writer *w, uint64_t value)
{
	before_item(w);
	fprintf(w->out, "%" PRIu64, value);
}

void json_write_i64(struct json_writer *w, int64_t value)
{
	before_item(w);
	fprintf(w->out, "%" PRId64, value);
}

void json_write_bool(struct json_writer *w, bool value)
{
	before_item(w);
	fputs(value ? "true" : "false", w->out);
}

void json_write_null(struct json_writer *w)
{
	before_item(w);
	fputs("null", w->out);
}

void json_member_string(struct json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	json_write_string(w, s);
}

void json_member_u64(struct json_writer *w, const char *key, uint64_t value)
{
	json_key(w, key);
	json_write_u64(w, value);
}

void json_member_bool(struct json_writer *w, const char *key, bool value)
{
	json_key(w, key);
	json_write_bool(w, value);
}

void json_member_null(struct json_writer *w, const char *key)
{
	json_key(w, key);
	json_write_null(w);
}
