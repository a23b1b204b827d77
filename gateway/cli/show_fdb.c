/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `vtepctl show fdb [SEGMENT]`: the MAC tables, read from the LMDB store in
 * one read transaction. LMDB readers never block the writer, so this works
 * while the daemon learns, and after it stopped (the tables persist).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "json_writer.h"
#include "segment_list.h"
#include "show.h"

static const struct table_column fdb_columns[] = {
	{"SEGMENT", TABLE_LEFT}, {"MAC", TABLE_LEFT},	 {"KIND", TABLE_LEFT}, {"DEST", TABLE_LEFT},
	{"VLAN", TABLE_LEFT},	 {"ORIGIN", TABLE_LEFT}, {"AGE", TABLE_RIGHT},
};
#define FDB_COLUMNS (sizeof(fdb_columns) / sizeof(fdb_columns[0]))

struct fdb_walk {
	const struct vtepctl *ctx;
	const struct segment_list *segments;
	struct table *table;
	struct json_writer json;
	time_t now;
	int error;
};

static const char *origin_name(unsigned origin)
{
	switch (origin) {
	case STORE_FDB_STATIC:
		return "static";
	case STORE_FDB_LEARNED:
		return "learned";
	case STORE_FDB_EVPN:
		return "evpn";
	}
	return "unknown";
}

/* Static entries do not age; learned and EVPN ones show seconds since last
 * seen (0 when the clock stepped back). */
static bool entry_age(const struct store_fdb_entry *entry, time_t now, uint64_t *age)
{
	if (entry->origin == STORE_FDB_STATIC || entry->last_seen == 0)
		return false;
	*age = (uint64_t)now > entry->last_seen ? (uint64_t)now - entry->last_seen : 0;
	return true;
}

static int add_entry(const struct store_fdb_record *record, void *arg)
{
	struct fdb_walk *walk = arg;
	const struct store_fdb_entry *entry = &record->entry;
	const struct segment_row *segment = segment_list_find_key(walk->segments, &record->segment);
	char name[CONF_NAME_MAX + 16], mac[24], vtep[INET6_ADDRSTRLEN + 1], vlan[16], age_text[24];
	char port[CONF_NAME_MAX];
	uint64_t age;
	bool has_age = entry_age(entry, walk->now, &age);

	if (segment != NULL)
		snprintf(name, sizeof(name), "%s", segment->segment.name);
	else /* an entry whose segment row is gone: name it by type and ID */
		snprintf(name, sizeof(name), "%s:%u", segment_type_name(record->segment.type),
			 (unsigned)record->segment.id);
	conf_mac_format(record->mac, mac, sizeof(mac));
	snprintf(port, sizeof(port), "%.*s", (int)sizeof(entry->port) - 1, entry->port);
	if (entry->remote)
		conf_ip_format(&entry->vtep, vtep, sizeof(vtep));

	if (walk->ctx->json) {
		struct json_writer *w = &walk->json;
		json_object_begin(w);
		json_member_string(w, "segment", name);
		json_member_string(w, "type", segment_type_name(record->segment.type));
		json_member_u64(w, "id", record->segment.id);
		json_member_string(w, "mac", mac);
		json_member_string(w, "kind", entry->remote ? "remote" : "local");
		json_member_string(w, "port", entry->remote ? NULL : port);
		if (entry->remote)
			json_member_null(w, "vlan");
		else
			json_member_u64(w, "vlan", entry->vlan);
		json_member_string(w, "vtep", entry->remote ? vtep : NULL);
		json_member_string(w, "origin", origin_name(entry->origin));
		json_member_u64(w, "last_seen", entry->last_seen);
		if (has_age)
			json_member_u64(w, "age", age);
		else
			json_member_null(w, "age");
		json_object_end(w);
		return 0;
	}

	if (!entry->remote && entry->vlan != 0)
		snprintf(vlan, sizeof(vlan), "%u", entry->vlan);
	else
		snprintf(vlan, sizeof(vlan), entry->remote ? "-" : "untagged");
	const char *cells[FDB_COLUMNS] = {
		name,
		mac,
		entry->remote ? "remote" : "local",
		entry->remote ? vtep : port,
		vlan,
		origin_name(entry->origin),
		has_age ? table_u64(age, age_text, sizeof(age_text)) : NULL,
	};
	if (table_add_row(walk->table, cells) < 0) {
		walk->error = -ENOMEM;
		return 1;
	}
	return 0;
}

int vtepctl_show_fdb(const struct vtepctl *ctx, const char *segment_name)
{
	struct store *store = NULL;
	struct segment_list segments = {0};
	struct fdb_walk walk = {.ctx = ctx, .segments = &segments, .now = time(NULL)};
	const struct store_segment_key *only = NULL;
	int ret = vtepctl_open_store(ctx, &store);
	if (ret != VTEPCTL_EXIT_OK)
		return ret;

	ret = segment_list_read(store, false, &segments);
	if (ret < 0) {
		fprintf(ctx->err, "vtepctl: cannot read segments from %s: %s\n", ctx->lmdb_dir,
			strerror(-ret));
		ret = VTEPCTL_EXIT_FAILURE;
		goto out;
	}
	if (segment_name != NULL) {
		const struct segment_row *row = segment_list_find_name(&segments, segment_name);
		if (row == NULL) {
			fprintf(ctx->err, "vtepctl: no segment named '%s'\n", segment_name);
			ret = VTEPCTL_EXIT_USAGE;
			goto out;
		}
		only = &row->key;
	}

	if (ctx->json) {
		json_writer_init(&walk.json, ctx->out);
		json_array_begin(&walk.json);
	} else {
		walk.table = table_new(fdb_columns, FDB_COLUMNS);
		if (walk.table == NULL) {
			fprintf(ctx->err, "vtepctl: out of memory\n");
			ret = VTEPCTL_EXIT_FAILURE;
			goto out;
		}
	}
	int walked = store_fdb_foreach(store, only, add_entry, &walk);
	if (walked < 0 || walk.error < 0) {
		fprintf(ctx->err, "vtepctl: cannot read the FDB from %s: %s\n", ctx->lmdb_dir,
			strerror(walk.error < 0 ? -walk.error : -walked));
		ret = VTEPCTL_EXIT_FAILURE;
		goto out;
	}
	if (ctx->json) {
		json_array_end(&walk.json);
		json_writer_end(&walk.json);
	} else {
		table_print(walk.table, ctx->out);
	}
	ret = VTEPCTL_EXIT_OK;
out:
	table_free(walk.table);
	segment_list_free(&segments);
	store_close(store);
	return ret;
}
