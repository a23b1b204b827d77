/* SPDX-License-Identifier: BSD-3-Clause */
#include "table.h"

#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct table {
	const struct table_column *columns;
	size_t n_columns;
	char **cells; /* rows * n_columns */
	size_t n_rows;
	size_t capacity; /* rows */
};

struct table *table_new(const struct table_column *columns, size_t n_columns)
{
	if (columns == NULL || n_columns == 0) {
		errno = EINVAL;
		return NULL;
	}
	struct table *table = calloc(1, sizeof(*table));
	if (table == NULL)
		return NULL;
	table->columns = columns;
	table->n_columns = n_columns;
	return table;
}

void table_free(struct table *table)
{
	if (table == NULL)
		return;
	for (size_t i = 0; i < table->n_rows * table->n_columns; i++)
		free(table->cells[i]);
	free(table->cells);
	free(table);
}

int table_add_row(struct table *table, const char *const *cells)
{
	if (table->n_rows == table->capacity) {
		size_t grown = table->capacity ? table->capacity * 2 : 16;
		char **bigger = realloc(table->cells, grown * table->n_columns * sizeof(*bigger));
		if (bigger == NULL)
			return -ENOMEM;
		table->cells = bigger;
		table->capacity = grown;
	}
	char **row = table->cells + table->n_rows * table->n_columns;
	for (size_t c = 0; c < table->n_columns; c++) {
		const char *cell = cells[c] == NULL || cells[c][0] == '\0' ? "-" : cells[c];
		row[c] = strdup(cell);
		if (row[c] == NULL) {
			while (c-- > 0)
				free(row[c]);
			return -ENOMEM;
		}
	}
	table->n_rows++;
	return 0;
}

size_t table_rows(const struct table *table)
{
	return table->n_rows;
}

static void print_line(const struct table *table, const char *const *cells, const size_t *widths,
		       FILE *out)
{
	for (size_t c = 0; c < table->n_columns; c++) {
		bool last = c + 1 == table->n_columns;
		int width = (int)widths[c];
		if (table->columns[c].align == TABLE_RIGHT)
			fprintf(out, "%*s", width, cells[c]);
		else if (last)
			fputs(cells[c], out);
		else
			fprintf(out, "%-*s", width, cells[c]);
		if (!last)
			fputs("  ", out);
	}
	fputc('\n', out);
}

void table_print(const struct table *table, FILE *out)
{
	size_t *widths = calloc(table->n_columns, sizeof(*widths));
	const char **headers = calloc(table->n_columns, sizeof(*headers));
	if (widths == NULL || headers == NULL) {
		free(widths);
		free(headers);
		fputs("vtepctl: out of memory\n", out);
		return;
	}
	for (size_t c = 0; c < table->n_columns; c++) {
		headers[c] = table->columns[c].header;
		widths[c] = strlen(headers[c]);
	}
	for (size_t r = 0; r < table->n_rows; r++)
		for (size_t c = 0; c < table->n_columns; c++) {
			size_t len = strlen(table->cells[r * table->n_columns + c]);
			if (len > widths[c])
				widths[c] = len;
		}
	print_line(table, headers, widths, out);
	for (size_t r = 0; r < table->n_rows; r++)
		print_line(table, (const char *const *)(table->cells + r * table->n_columns),
			   widths, out);
	free(widths);
	free(headers);
}

const char *table_u64(uint64_t value, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64, value);
	return buf;
}
