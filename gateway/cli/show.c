/* SPDX-License-Identifier: BSD-3-Clause */
#include "show.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"
#include "telemetry_client.h"

int show_collect_rows(const struct vtepctl *ctx, const char *command, const struct json_value *data,
		      const char *name_key, struct show_row **rows, size_t *n_rows)
{
	*rows = NULL;
	*n_rows = 0;
	if (data->type != JSON_OBJECT && data->type != JSON_ARRAY) {
		fprintf(ctx->err,
			"vtepctl: malformed reply to %s: %s instead of an object or array\n",
			command, json_type_name(data->type));
		return VTEPCTL_EXIT_FAILURE;
	}
	struct show_row *out = calloc(data->count + 1, sizeof(*out));
	if (out == NULL) {
		fprintf(ctx->err, "vtepctl: out of memory\n");
		return VTEPCTL_EXIT_FAILURE;
	}
	for (size_t i = 0; i < data->count; i++) {
		const struct json_value *fields;
		const char *name = NULL;
		if (data->type == JSON_OBJECT) {
			name = data->members[i].key;
			fields = data->members[i].value;
		} else {
			fields = data->items[i];
		}
		if (fields->type != JSON_OBJECT) {
			if (name != NULL)
				fprintf(ctx->err, "vtepctl: malformed reply to %s: '%s' is a %s\n",
					command, name, json_type_name(fields->type));
			else
				fprintf(ctx->err,
					"vtepctl: malformed reply to %s: item %zu is a %s\n",
					command, i, json_type_name(fields->type));
			free(out);
			return VTEPCTL_EXIT_FAILURE;
		}
		const char *field_name;
		if (json_get_string(fields, name_key, &field_name) == 0)
			name = field_name;
		if (name == NULL) {
			fprintf(ctx->err, "vtepctl: malformed reply to %s: item %zu has no '%s'\n",
				command, i, name_key);
			free(out);
			return VTEPCTL_EXIT_FAILURE;
		}
		out[i] = (struct show_row){.name = name, .fields = fields};
	}
	*rows = out;
	*n_rows = data->count;
	return VTEPCTL_EXIT_OK;
}

const struct show_row *show_find_row(const struct show_row *rows, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}

const char *show_field_text(const struct show_field *field, const struct json_value *row, char *buf,
			    size_t size)
{
	const struct json_value *v = json_object_get(row, field->key);
	if (v == NULL)
		return "-";
	if (v->type == JSON_STRING)
		return v->string;
	if (v->type == JSON_INTEGER) {
		if (field->kind == SHOW_FIELD_BOOL)
			return v->integer != 0 ? field->true_text : field->false_text;
		snprintf(buf, size, "%s%llu", v->negative ? "-" : "",
			 (unsigned long long)v->integer);
		return buf;
	}
	if (v->type == JSON_BOOLEAN)
		return v->boolean ? field->true_text : field->false_text;
	return "-";
}

void show_field_json(struct json_writer *w, const struct show_field *field,
		     const struct json_value *row)
{
	const struct json_value *v = json_object_get(row, field->key);
	json_key(w, field->key);
	if (v == NULL) {
		json_write_null(w);
		return;
	}
	switch (field->kind) {
	case SHOW_FIELD_STRING:
		if (v->type == JSON_STRING)
			json_write_string(w, v->string);
		else
			json_write_null(w);
		break;
	case SHOW_FIELD_U64:
		if (v->type == JSON_INTEGER && !v->negative)
			json_write_u64(w, v->integer);
		else
			json_write_null(w);
		break;
	case SHOW_FIELD_BOOL:
		if (v->type == JSON_INTEGER)
			json_write_bool(w, v->integer != 0);
		else if (v->type == JSON_BOOLEAN)
			json_write_bool(w, v->boolean);
		else
			json_write_null(w);
		break;
	}
}

static const char *sort_field;

static int compare_rows(const void *a, const void *b)
{
	const struct show_row *ra = a, *rb = b;
	if (sort_field != NULL) {
		uint64_t va = UINT64_MAX, vb = UINT64_MAX;
		json_get_u64(ra->fields, sort_field, &va);
		json_get_u64(rb->fields, sort_field, &vb);
		if (va != vb)
			return va < vb ? -1 : 1;
	}
	return strcmp(ra->name, rb->name);
}

int show_telemetry_table(const struct vtepctl *ctx, const char *command,
			 const struct json_value *data, const char *name_key,
			 const char *name_header, const struct show_field *fields, size_t n_fields,
			 const char *sort_key)
{
	struct show_row *rows;
	size_t n_rows;
	int ret = show_collect_rows(ctx, command, data, name_key, &rows, &n_rows);
	if (ret != VTEPCTL_EXIT_OK)
		return ret;

	struct table_column *columns = calloc(n_fields + 1, sizeof(*columns));
	const char **cells = calloc(n_fields + 1, sizeof(*cells));
	char(*bufs)[24] = calloc(n_fields + 1, sizeof(*bufs));
	struct table *table = NULL;
	ret = VTEPCTL_EXIT_FAILURE;
	if (columns == NULL || cells == NULL || bufs == NULL)
		goto out;
	/* qsort has no context argument; vtepctl is single-threaded. */
	sort_field = sort_key;
	qsort(rows, n_rows, sizeof(*rows), compare_rows);

	if (ctx->json) {
		struct json_writer w;
		json_writer_init(&w, ctx->out);
		json_array_begin(&w);
		for (size_t r = 0; r < n_rows; r++) {
			json_object_begin(&w);
			json_member_string(&w, name_key, rows[r].name);
			for (size_t f = 0; f < n_fields; f++)
				show_field_json(&w, &fields[f], rows[r].fields);
			json_object_end(&w);
		}
		json_array_end(&w);
		json_writer_end(&w);
		ret = VTEPCTL_EXIT_OK;
		goto out;
	}

	columns[0] = (struct table_column){name_header, TABLE_LEFT};
	for (size_t f = 0; f < n_fields; f++)
		columns[f + 1] = (struct table_column){
			fields[f].header,
			fields[f].kind == SHOW_FIELD_U64 ? TABLE_RIGHT : TABLE_LEFT};
	table = table_new(columns, n_fields + 1);
	if (table == NULL)
		goto out;
	for (size_t r = 0; r < n_rows; r++) {
		cells[0] = rows[r].name;
		for (size_t f = 0; f < n_fields; f++)
			cells[f + 1] = show_field_text(&fields[f], rows[r].fields, bufs[f],
						       sizeof(bufs[f]));
		if (table_add_row(table, cells) < 0)
			goto out;
	}
	table_print(table, ctx->out);
	ret = VTEPCTL_EXIT_OK;
out:
	if (ret != VTEPCTL_EXIT_OK && errno == ENOMEM)
		fprintf(ctx->err, "vtepctl: out of memory\n");
	table_free(table);
	free(rows);
	free(columns);
	free(cells);
	free(bufs);
	return ret;
}

int vtepctl_telemetry(const struct vtepctl *ctx, const char *command, bool quiet,
		      struct json_value **data)
{
	struct telemetry_client *client;
	char err[512];
	*data = NULL;
	int ret = telemetry_connect(&client, ctx->socket_path, err, sizeof(err));
	if (ret == -ENOENT || ret == -ECONNREFUSED || ret == -ENOTDIR) {
		/* ECONNREFUSED: a socket file left behind by a daemon that died. */
		if (!quiet)
			fprintf(ctx->err,
				"vtepctl: vtepgw is not running (no telemetry socket at %s)\n",
				ctx->socket_path);
		return VTEPCTL_EXIT_NOT_RUNNING;
	}
	if (ret < 0) {
		fprintf(ctx->err, "vtepctl: %s\n", err);
		return ret == -EACCES ? VTEPCTL_EXIT_NOT_RUNNING : VTEPCTL_EXIT_FAILURE;
	}
	ret = telemetry_query(client, command, data, err, sizeof(err));
	telemetry_close(client);
	if (ret < 0) {
		fprintf(ctx->err, "vtepctl: %s\n", err);
		return VTEPCTL_EXIT_FAILURE;
	}
	return VTEPCTL_EXIT_OK;
}
