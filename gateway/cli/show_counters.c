/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `vtepctl show counters`: every drop reason the daemon counts (from
 * /vtepgw/drops; names come from the daemon, e.g. the decap verdicts of
 * encap/tunnel.h) and the totals over all ports (from /vtepgw/ports).
 */
#include <stdlib.h>

#include "json_writer.h"
#include "show.h"

#define DROPS_COMMAND "/vtepgw/drops"
#define PORTS_COMMAND "/vtepgw/ports"

struct counter_totals {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, drops;
};

static int sum_ports(const struct vtepctl *ctx, const struct json_value *ports,
		     struct counter_totals *totals)
{
	struct show_row *rows;
	size_t n_rows;
	int ret = show_collect_rows(ctx, PORTS_COMMAND, ports, "name", &rows, &n_rows);
	if (ret != VTEPCTL_EXIT_OK)
		return ret;
	for (size_t i = 0; i < n_rows; i++) {
		const struct json_value *port = rows[i].fields;
		uint64_t v;
		if (json_get_u64(port, "rx_packets", &v) == 0)
			totals->rx_packets += v;
		if (json_get_u64(port, "rx_bytes", &v) == 0)
			totals->rx_bytes += v;
		if (json_get_u64(port, "tx_packets", &v) == 0)
			totals->tx_packets += v;
		if (json_get_u64(port, "tx_bytes", &v) == 0)
			totals->tx_bytes += v;
	}
	free(rows);
	return VTEPCTL_EXIT_OK;
}

static int check_drops(const struct vtepctl *ctx, const struct json_value *drops,
		       struct counter_totals *totals)
{
	if (drops->type != JSON_OBJECT) {
		fprintf(ctx->err, "vtepctl: malformed reply to %s: %s instead of an object\n",
			DROPS_COMMAND, json_type_name(drops->type));
		return VTEPCTL_EXIT_FAILURE;
	}
	for (size_t i = 0; i < drops->count; i++) {
		const struct json_value *v = drops->members[i].value;
		if (v->type != JSON_INTEGER || v->negative) {
			fprintf(ctx->err, "vtepctl: malformed reply to %s: '%s' is not a count\n",
				DROPS_COMMAND, drops->members[i].key);
			return VTEPCTL_EXIT_FAILURE;
		}
		totals->drops += v->integer;
	}
	return VTEPCTL_EXIT_OK;
}

static void print_json(const struct vtepctl *ctx, const struct json_value *drops,
		       const struct counter_totals *totals)
{
	struct json_writer w;
	json_writer_init(&w, ctx->out);
	json_object_begin(&w);
	/* Every reason, zeros included, so scripts find stable keys. */
	json_key(&w, "drops");
	json_object_begin(&w);
	for (size_t i = 0; i < drops->count; i++)
		json_member_u64(&w, drops->members[i].key, drops->members[i].value->integer);
	json_object_end(&w);
	json_key(&w, "totals");
	json_object_begin(&w);
	json_member_u64(&w, "rx_packets", totals->rx_packets);
	json_member_u64(&w, "rx_bytes", totals->rx_bytes);
	json_member_u64(&w, "tx_packets", totals->tx_packets);
	json_member_u64(&w, "tx_bytes", totals->tx_bytes);
	json_member_u64(&w, "drops", totals->drops);
	json_object_end(&w);
	json_object_end(&w);
	json_writer_end(&w);
}

static int print_tables(const struct vtepctl *ctx, const struct json_value *drops,
			const struct counter_totals *totals)
{
	static const struct table_column drop_columns[] = {
		{"DROP-REASON", TABLE_LEFT},
		{"PACKETS", TABLE_RIGHT},
	};
	static const struct table_column total_columns[] = {
		{"TOTAL", TABLE_LEFT},
		{"PACKETS", TABLE_RIGHT},
		{"BYTES", TABLE_RIGHT},
	};
	char a[24], b[24];
	int ret = VTEPCTL_EXIT_FAILURE;
	struct table *drop_table = table_new(drop_columns, 2);
	struct table *total_table = table_new(total_columns, 3);
	if (drop_table == NULL || total_table == NULL)
		goto out;
	for (size_t i = 0; i < drops->count; i++) {
		uint64_t count = drops->members[i].value->integer;
		if (count == 0 && !ctx->all)
			continue;
		const char *cells[] = {drops->members[i].key, table_u64(count, a, sizeof(a))};
		if (table_add_row(drop_table, cells) < 0)
			goto out;
	}
	const char *rx[] = {"received", table_u64(totals->rx_packets, a, sizeof(a)),
			    table_u64(totals->rx_bytes, b, sizeof(b))};
	if (table_add_row(total_table, rx) < 0)
		goto out;
	const char *tx[] = {"sent", table_u64(totals->tx_packets, a, sizeof(a)),
			    table_u64(totals->tx_bytes, b, sizeof(b))};
	if (table_add_row(total_table, tx) < 0)
		goto out;
	const char *dropped[] = {"dropped", table_u64(totals->drops, a, sizeof(a)), "-"};
	if (table_add_row(total_table, dropped) < 0)
		goto out;

	if (table_rows(drop_table) > 0)
		table_print(drop_table, ctx->out);
	else
		fprintf(ctx->out, "No drops%s.\n",
			ctx->all ? " reported" : " (--all shows every reason)");
	fputc('\n', ctx->out);
	table_print(total_table, ctx->out);
	ret = VTEPCTL_EXIT_OK;
out:
	if (ret != VTEPCTL_EXIT_OK)
		fprintf(ctx->err, "vtepctl: out of memory\n");
	table_free(drop_table);
	table_free(total_table);
	return ret;
}

int vtepctl_show_counters(const struct vtepctl *ctx)
{
	struct json_value *drops = NULL, *ports = NULL;
	struct counter_totals totals = {0};
	int ret = vtepctl_telemetry(ctx, DROPS_COMMAND, false, &drops);
	if (ret != VTEPCTL_EXIT_OK)
		return ret;
	ret = vtepctl_telemetry(ctx, PORTS_COMMAND, false, &ports);
	if (ret != VTEPCTL_EXIT_OK)
		goto out;
	ret = check_drops(ctx, drops, &totals);
	if (ret != VTEPCTL_EXIT_OK)
		goto out;
	ret = sum_ports(ctx, ports, &totals);
	if (ret != VTEPCTL_EXIT_OK)
		goto out;
	if (ctx->json)
		print_json(ctx, drops, &totals);
	else
		ret = print_tables(ctx, drops, &totals);
out:
	json_free(drops);
	json_free(ports);
	return ret;
}
