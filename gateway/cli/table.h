/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Human tables of `vtepctl show ...`: a header line in capitals, then one line
 * per row, columns padded to their widest cell and separated by two spaces,
 * numbers right-aligned, no trailing spaces (like `bridge fdb` or FRR's
 * `show` commands). Cells are copied; an empty or NULL cell prints "-".
 */
#ifndef VTEPGW_CLI_TABLE_H
#define VTEPGW_CLI_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum table_align {
	TABLE_LEFT,
	TABLE_RIGHT,
};

struct table_column {
	const char *header;
	enum table_align align;
};

struct table;

/* NULL with errno set on failure. `columns` must outlive the table. */
struct table *table_new(const struct table_column *columns, size_t n_columns);
void table_free(struct table *table);

/* Append a row of n_columns cells. 0 or -ENOMEM. */
int table_add_row(struct table *table, const char *const *cells);
size_t table_rows(const struct table *table);

void table_print(const struct table *table, FILE *out);

/* Formatting helpers for cells. */
const char *table_u64(uint64_t value, char *buf, size_t size);

#endif
