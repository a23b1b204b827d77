/* SPDX-License-Identifier: BSD-3-Clause */
/* The segments table of the LMDB store, read once into memory so that
 * `show segments` and `show fdb` can name segments and count their entries. */
#ifndef VTEPGW_CLI_SEGMENT_LIST_H
#define VTEPGW_CLI_SEGMENT_LIST_H

#include <stddef.h>

#include "conf/store.h"

struct segment_row {
	struct store_segment_key key;
	struct store_segment segment;
	size_t fdb_entries;
	size_t flood_vteps;
};

struct segment_list {
	struct segment_row *rows;
	size_t count;
	size_t capacity;
};

/* Read every segment (with FDB and flood counts when `counts`). 0 or a
 * negative errno. */
int segment_list_read(struct store *store, bool counts, struct segment_list *list);
void segment_list_free(struct segment_list *list);
const struct segment_row *segment_list_find_key(const struct segment_list *list,
						const struct store_segment_key *key);
const struct segment_row *segment_list_find_name(const struct segment_list *list, const char *name);

const char *segment_type_name(unsigned type);	      /* "vxlan", "nvgre" */
const char *segment_learning_name(unsigned learning); /* "dataplane", "evpn", "static" */

/* Open the store read-only and print why not on ctx->err. 0 or an exit code. */
struct vtepctl;
int vtepctl_open_store(const struct vtepctl *ctx, struct store **store);

#endif
