/* SPDX-License-Identifier: BSD-3-Clause */
#include "show.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"

int show_check_dict_of_dicts(const struct vtepctl *ctx, const char *command,
			     const struct json_value *data)
{
	if (data->type != JSON_OBJECT) {
		fprintf(ctx->err, "vtepctl: malformed reply to %s: %s instead of an object\n",
			command, json_type_name(data->type));
		return VTEPCTL_EXIT_FAILURE;
	}
	for (size_t i = 0; i < data->count; i++)
		if (data->members[i].value->type != JSON_OBJECT) {
			fprintf(ctx->err, "vtepctl: malformed reply to %s: '%s' is a %s\n", command,
				data->members[i].key, json_type_name(data->members[i].value->type));
			return VTEPCTL_EXIT_FAILURE;
		}
	return VTEPCTL_EXIT_OK;
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

static int compare_members(const void *a, const void *b)
{
	const struct json_member *ma = *(const struct json_member *const *)a;
	const struct json_member *mb = *(const struct json_member *const *)b;
	if (sort_field != NULL) {
		uint64_t va = UINT64_MAX, vb = UINT64_MAX;
		json_get_u64(ma->value, sort_field, &va);
		json_get_u64(mb->value, sort_field, &vb);
		if (va != vb)
			return va < vb ? -1 : 1;
	}
	return strcmp(ma->key, mb->key);
}

int show_telemetry_table(const struct vtepctl *ctx, const char *command,
			 const struct json_value *data, const char *name_key,
			 const char *name_header, const struct show_field *fields, size_t n_fields,
			 const char *sort_key)
{
	int ret = show_check_dict_of_dicts(ctx, command, data);
	if (ret != VTEPCTL_EXIT_OK)
		return ret;

	const struct json_member **rows = calloc(data->count + 1, sizeof(*rows));
	struct table_column *columns = calloc(n_fields + 1, sizeof(*columns));
	const char **cells = calloc(n_fields + 1, sizeof(*cells));
	char(*bufs)[24] = calloc(n_fields + 1, sizeof(*bufs));
	struct table *table = NULL;
	ret = VTEPCTL_EXIT_FAILURE;
	if (rows == NULL || columns == NULL || cells == NULL || bufs == NULL)
		goto out;
	for (size_t i = 0; i < data->count; i++)
		rows[i] = &data->members[i];
	/* qsort has no context argument; vtepctl is single-threaded. */
	sort_field = sort_key;
	qsort(rows, data->count, sizeof(*rows), compare_members);

	if (ctx->json) {
		struct json_writer w;
		json_writer_init(&w, ctx->out);
		json_array_begin(&w);
		for (size_t r = 0; r < data->count; r++) {
			json_object_begin(&w);
			json_member_string(&w, name_key, rows[r]->key);
			for (size_t f = 0; f < n_fields; f++)
				show_field_json(&w, &fields[f], rows[r]->value);
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
	for (size_t r = 0; r < data->count; r++) {
		cells[0] = rows[r]->key;
		for (size_t f = 0; f < n_fields; f++)
			cells[f + 1] = show_field_text(&fields[f], rows[r]->value, bufs[f],
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
