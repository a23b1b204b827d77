/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `vtepctl show segments`: the segments table of the LMDB store (what is
 * configured and persisted), merged with the live counters of
 * /vtepgw/segments when the daemon runs. Without the daemon the persisted
 * part is still shown and the live columns print "-".
 */
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"
#include "segment_list.h"
#include "show.h"

#define SEGMENTS_COMMAND "/vtepgw/segments"

/* Live columns, in table order; keys of /vtepgw/segments and of --json. */
static const char *const live_counters[] = {
	"rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "flood",
};
#define N_LIVE (sizeof(live_counters) / sizeof(live_counters[0]))

/* One line of output: a persisted segment, a live one, or both. */
struct merged_segment {
	const char *name;
	const char *type;
	uint64_t id;
	const char *learning;
	bool has_mac_limit;
	uint64_t mac_limit;
	bool has_macs;
	uint64_t macs;
	bool persisted;
	uint64_t flood_vteps;
	const struct json_value *live; /* NULL when the daemon does not report it */
};

static void merge_live(struct merged_segment *m, const struct json_value *live)
{
	m->live = live;
	if (live == NULL)
		return;
	const char *s;
	uint64_t v;
	if (json_get_u64(live, "macs", &v) == 0) {
		m->has_macs = true;
		m->macs = v;
	}
	/* The daemon reports the limit in force (gateway default resolved). */
	if (json_get_u64(live, "mac_limit", &v) == 0) {
		m->has_mac_limit = true;
		m->mac_limit = v;
	}
	if (m->learning == NULL && json_get_string(live, "learning", &s) == 0)
		m->learning = s;
}

static void print_json(const struct vtepctl *ctx, const struct merged_segment *rows, size_t n,
		       bool running)
{
	struct json_writer w;
	json_writer_init(&w, ctx->out);
	json_array_begin(&w);
	for (size_t i = 0; i < n; i++) {
		const struct merged_segment *m = &rows[i];
		json_object_begin(&w);
		json_member_string(&w, "name", m->name);
		json_member_string(&w, "type", m->type);
		json_member_u64(&w, "id", m->id);
		json_member_string(&w, "learning", m->learning);
		if (m->has_mac_limit)
			json_member_u64(&w, "mac_limit", m->mac_limit);
		else
			json_member_null(&w, "mac_limit");
		if (m->has_macs)
			json_member_u64(&w, "macs", m->macs);
		else
			json_member_null(&w, "macs");
		if (m->persisted)
			json_member_u64(&w, "flood_vteps", m->flood_vteps);
		else
			json_member_null(&w, "flood_vteps");
		json_member_bool(&w, "persisted", m->persisted);
		json_member_bool(&w, "running", running && m->live != NULL);
		for (size_t c = 0; c < N_LIVE; c++) {
			uint64_t v;
			if (json_get_u64(m->live, live_counters[c], &v) == 0)
				json_member_u64(&w, live_counters[c], v);
			else
				json_member_null(&w, live_counters[c]);
		}
		json_object_end(&w);
	}
	json_array_end(&w);
	json_writer_end(&w);
}

static int print_table(const struct vtepctl *ctx, const struct merged_segment *rows, size_t n)
{
	static const struct table_column columns[] = {
		{"SEGMENT", TABLE_LEFT},      {"TYPE", TABLE_LEFT},
		{"ID", TABLE_RIGHT},	      {"LEARNING", TABLE_LEFT},
		{"MACS", TABLE_RIGHT},	      {"MAC-LIMIT", TABLE_RIGHT},
		{"FLOOD-VTEPS", TABLE_RIGHT}, {"RX-PACKETS", TABLE_RIGHT},
		{"RX-BYTES", TABLE_RIGHT},    {"TX-PACKETS", TABLE_RIGHT},
		{"TX-BYTES", TABLE_RIGHT},    {"FLOODED", TABLE_RIGHT},
	};
	_Static_assert(sizeof(columns) / sizeof(columns[0]) == 7 + N_LIVE, "live columns");
	struct table *table = table_new(columns, sizeof(columns) / sizeof(columns[0]));
	if (table == NULL) {
		fprintf(ctx->err, "vtepctl: out of memory\n");
		return VTEPCTL_EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++) {
		const struct merged_segment *m = &rows[i];
		char id[24], macs[24], limit[24], flood[24], live[N_LIVE][24];
		const char *cells[7 + N_LIVE] = {
			m->name,
			m->type,
			table_u64(m->id, id, sizeof(id)),
			m->learning,
			m->has_macs ? table_u64(m->macs, macs, sizeof(macs)) : NULL,
			m->has_mac_limit ? table_u64(m->mac_limit, limit, sizeof(limit))
					 : "default",
			m->persisted ? table_u64(m->flood_vteps, flood, sizeof(flood)) : NULL,
		};
		for (size_t c = 0; c < N_LIVE; c++) {
			uint64_t v;
			if (json_get_u64(m->live, live_counters[c], &v) == 0)
				cells[7 + c] = table_u64(v, live[c], sizeof(live[c]));
		}
		if (table_add_row(table, cells) < 0) {
			table_free(table);
			fprintf(ctx->err, "vtepctl: out of memory\n");
			return VTEPCTL_EXIT_FAILURE;
		}
	}
	table_print(table, ctx->out);
	table_free(table);
	return VTEPCTL_EXIT_OK;
}

int vtepctl_show_segments(const struct vtepctl *ctx)
{
	struct store *store = NULL;
	struct segment_list list = {0};
	struct json_value *live = NULL;
	struct show_row *live_rows = NULL;
	size_t n_live = 0;
	struct merged_segment *rows = NULL;
	bool have_store = false;
	int ret;

	/* Live state is optional here: a stopped daemon still has segments. */
	ret = vtepctl_telemetry(ctx, SEGMENTS_COMMAND, true, &live);
	if (ret == VTEPCTL_EXIT_OK) {
		ret = show_collect_rows(ctx, SEGMENTS_COMMAND, live, "name", &live_rows, &n_live);
		if (ret != VTEPCTL_EXIT_OK)
			goto out;
	} else if (ret != VTEPCTL_EXIT_NOT_RUNNING) {
		goto out;
	}
	bool running = live != NULL;

	if (vtepctl_open_store(ctx, &store) == VTEPCTL_EXIT_OK) {
		ret = segment_list_read(store, true, &list);
		if (ret < 0) {
			fprintf(ctx->err, "vtepctl: cannot read segments from %s: %s\n",
				ctx->lmdb_dir, strerror(-ret));
			ret = VTEPCTL_EXIT_FAILURE;
			goto out;
		}
		have_store = true;
	}
	if (!have_store && !running) {
		fprintf(ctx->err, "vtepctl: vtepgw is not running either; nothing to show\n");
		ret = VTEPCTL_EXIT_FAILURE;
		goto out;
	}
	if (!running && !ctx->json)
		fprintf(ctx->err, "vtepctl: vtepgw is not running; live counters are not shown\n");

	rows = calloc(list.count + n_live + 1, sizeof(*rows));
	if (rows == NULL) {
		fprintf(ctx->err, "vtepctl: out of memory\n");
		ret = VTEPCTL_EXIT_FAILURE;
		goto out;
	}
	size_t n = 0;
	for (size_t i = 0; i < list.count; i++) {
		const struct segment_row *r = &list.rows[i];
		struct merged_segment *m = &rows[n++];
		*m = (struct merged_segment){
			.name = r->segment.name,
			.type = segment_type_name(r->key.type),
			.id = r->key.id,
			.learning = segment_learning_name(r->segment.learning),
			.has_mac_limit = r->segment.mac_limit != 0,
			.mac_limit = r->segment.mac_limit,
			.has_macs = true,
			.macs = r->fdb_entries,
			.persisted = true,
			.flood_vteps = r->flood_vteps,
		};
		const struct show_row *lr = show_find_row(live_rows, n_live, r->segment.name);
		merge_live(m, lr == NULL ? NULL : lr->fields);
	}
	/* Segments the daemon runs but the store does not have (yet). */
	for (size_t i = 0; i < n_live; i++) {
		const struct show_row *lr = &live_rows[i];
		if (segment_list_find_name(&list, lr->name) != NULL)
			continue;
		struct merged_segment *m = &rows[n++];
		*m = (struct merged_segment){.name = lr->name};
		json_get_string(lr->fields, "type", &m->type);
		json_get_u64(lr->fields, "id", &m->id);
		merge_live(m, lr->fields);
	}

	if (ctx->json)
		print_json(ctx, rows, n, running);
	else
		ret = print_table(ctx, rows, n);
	ret = ctx->json ? VTEPCTL_EXIT_OK : ret;
out:
	free(rows);
	free(live_rows);
	json_free(live);
	segment_list_free(&list);
	store_close(store);
	return ret;
}
