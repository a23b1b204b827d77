/* SPDX-License-Identifier: BSD-3-Clause */
#include "segment_list.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vtepctl.h"

static int add_segment(const struct store_segment_key *key, const struct store_segment *segment,
		       void *arg)
{
	struct segment_list *list = arg;
	if (list->count == list->capacity) {
		size_t grown = list->capacity ? list->capacity * 2 : 16;
		struct segment_row *rows = realloc(list->rows, grown * sizeof(*rows));
		if (rows == NULL)
			return -ENOMEM;
		list->rows = rows;
		list->capacity = grown;
	}
	struct segment_row *row = &list->rows[list->count++];
	*row = (struct segment_row){.key = *key, .segment = *segment};
	/* The name comes from disk: never trust it to be terminated. */
	row->segment.name[sizeof(row->segment.name) - 1] = '\0';
	return 0;
}

static int count_fdb(const struct store_fdb_record *record, void *arg)
{
	(void)record;
	(*(size_t *)arg)++;
	return 0;
}

static int count_flood(const struct store_segment_key *segment, const struct conf_ip *vtep,
		       enum store_flood_origin origin, void *arg)
{
	(void)segment;
	(void)vtep;
	(void)origin;
	(*(size_t *)arg)++;
	return 0;
}

int segment_list_read(struct store *store, bool counts, struct segment_list *list)
{
	*list = (struct segment_list){0};
	int ret = store_segment_foreach(store, add_segment, list);
	if (ret < 0)
		goto err;
	for (size_t i = 0; counts && i < list->count; i++) {
		struct segment_row *row = &list->rows[i];
		ret = store_fdb_foreach(store, &row->key, count_fdb, &row->fdb_entries);
		if (ret < 0)
			goto err;
		ret = store_flood_foreach(store, &row->key, count_flood, &row->flood_vteps);
		if (ret < 0)
			goto err;
	}
	return 0;
err:
	segment_list_free(list);
	return ret > 0 ? -EIO : ret;
}

void segment_list_free(struct segment_list *list)
{
	free(list->rows);
	*list = (struct segment_list){0};
}

const struct segment_row *segment_list_find_key(const struct segment_list *list,
						const struct store_segment_key *key)
{
	for (size_t i = 0; i < list->count; i++)
		if (list->rows[i].key.type == key->type && list->rows[i].key.id == key->id)
			return &list->rows[i];
	return NULL;
}

const struct segment_row *segment_list_find_name(const struct segment_list *list, const char *name)
{
	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->rows[i].segment.name, name) == 0)
			return &list->rows[i];
	return NULL;
}

const char *segment_type_name(unsigned type)
{
	switch (type) {
	case CONF_SEGMENT_VXLAN:
		return "vxlan";
	case CONF_SEGMENT_NVGRE:
		return "nvgre";
	}
	return "unknown";
}

const char *segment_learning_name(unsigned learning)
{
	switch (learning) {
	case CONF_LEARNING_DATAPLANE:
		return "dataplane";
	case CONF_LEARNING_EVPN:
		return "evpn";
	case CONF_LEARNING_STATIC:
		return "static";
	}
	return "unknown";
}

int vtepctl_open_store(const struct vtepctl *ctx, struct store **store)
{
	char err[256] = "";
	int ret = store_open(store, ctx->lmdb_dir, ctx->lmdb_map_size, true, err, sizeof(err));
	if (ret < 0) {
		fprintf(ctx->err, "vtepctl: cannot read the vtepgw store at %s: %s\n",
			ctx->lmdb_dir, err[0] != '\0' ? err : strerror(-ret));
		return VTEPCTL_EXIT_FAILURE;
	}
	return VTEPCTL_EXIT_OK;
}
