/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading: read the text, let libconfig parse it, turn it into the model
 * (parse.c), check the rules between settings (validate.c), and hand back
 * either a complete model or every error found, never both.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include "conf_internal.h"

static void add_error(struct conf_context *ctx, const char *file, int line, const char *format,
		      va_list args)
{
	struct conf_error_entry *entry;
	char *message = NULL, *text = NULL;

	if (ctx->n_entries == ctx->capacity) {
		size_t capacity = ctx->capacity ? ctx->capacity * 2 : 16;
		struct conf_error_entry *grown =
			realloc(ctx->entries, capacity * sizeof(*ctx->entries));

		if (grown == NULL) {
			ctx->out_of_memory = true;
			return;
		}
		ctx->entries = grown;
		ctx->capacity = capacity;
	}
	if (vasprintf(&message, format, args) < 0) {
		ctx->out_of_memory = true;
		return;
	}
	if (asprintf(&text, "%s:%d: %s", file, line, message) < 0) {
		free(message);
		ctx->out_of_memory = true;
		return;
	}
	free(message);
	entry = &ctx->entries[ctx->n_entries];
	entry->line = line;
	entry->sequence = ctx->n_entries;
	entry->text = text;
	ctx->n_entries++;
}

void conf_error_at(struct conf_context *ctx, const char *file, int line, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	add_error(ctx, file != NULL ? file : ctx->name, line, format, args);
	va_end(args);
}

void conf_error(struct conf_context *ctx, const config_setting_t *setting, const char *format, ...)
{
	const char *file = config_setting_source_file(setting);
	int line = (int)config_setting_source_line(setting);
	va_list args;

	/* The root group has no line of its own; name the top of the file. */
	if (line == 0)
		line = 1;
	va_start(args, format);
	add_error(ctx, file != NULL ? file : ctx->name, line, format, args);
	va_end(args);
}

static int compare_entries(const void *a, const void *b)
{
	const struct conf_error_entry *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->sequence != y->sequence)
		return x->sequence < y->sequence ? -1 : 1;
	return 0;
}

/* Moves the collected errors, sorted like a compiler's, into `errors`. */
static void hand_over_errors(struct conf_context *ctx, struct conf_errors *errors)
{
	char **items = NULL;
	size_t i;

	if (ctx->n_entries > 0)
		qsort(ctx->entries, ctx->n_entries, sizeof(*ctx->entries), compare_entries);
	if (errors != NULL && ctx->n_entries > 0) {
		items = realloc(errors->items, (errors->n + ctx->n_entries) * sizeof(*items));
		if (items != NULL)
			errors->items = items;
	}
	for (i = 0; i < ctx->n_entries; i++) {
		if (items != NULL) {
			errors->items[errors->n++] = ctx->entries[i].text;
		} else {
			free(ctx->entries[i].text);
		}
	}
	free(ctx->entries);
	ctx->entries = NULL;
	ctx->n_entries = ctx->capacity = 0;
}

/* libconfig would open any path named by @include, relative to the working
 * directory; a configuration is one self-contained file, so refuse it. The
 * directive is only recognised at the start of a line (libconfig's scanner). */
static void refuse_includes(struct conf_context *ctx, const char *text)
{
	const char *line = text;
	int number = 1;

	while (line != NULL && *line != '\0') {
		const char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "@include", 8) == 0)
			conf_error_at(
				ctx, NULL, number,
				"@include is not supported: keep the configuration in one file");
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
		number++;
	}
}

static int finish(struct conf_context *ctx, struct conf_model *model, struct conf_model **out,
		  struct conf_errors *errors)
{
	if (ctx->out_of_memory)
		conf_error_at(ctx, NULL, 0, "out of memory while loading the configuration");
	if (ctx->n_entries > 0 || ctx->out_of_memory) {
		hand_over_errors(ctx, errors);
		conf_model_release(model);
		*out = NULL;
		return -1;
	}
	hand_over_errors(ctx, errors);
	*out = model;
	return 0;
}

int conf_load_string(const char *text, const char *name, struct conf_model **out,
		     struct conf_errors *errors)
{
	struct conf_context ctx = {.name = name != NULL ? name : "<string>"};
	struct conf_model *model;
	config_t config;

	if (out == NULL || text == NULL) {
		errno = EINVAL;
		return -1;
	}
	*out = NULL;
	model = calloc(1, sizeof(*model));
	if (model == NULL || (model->source = strdup(ctx.name)) == NULL) {
		ctx.out_of_memory = true;
		return finish(&ctx, model, out, errors);
	}
	refuse_includes(&ctx, text);
	if (ctx.n_entries > 0)
		return finish(&ctx, model, out, errors);

	config_init(&config);
	if (config_read_string(&config, text) != CONFIG_TRUE) {
		const char *file = config_error_file(&config);

		conf_error_at(&ctx, file, config_error_line(&config), "%s",
			      config_error_text(&config) ? config_error_text(&config)
							 : "syntax error");
	} else {
		/* Validation runs even after parse errors, so that one run shows
		 * every mistake; settings that failed to parse are left out of
		 * the model, so they are not reported twice. */
		conf_parse(&ctx, &config, model);
		conf_validate(&ctx, model);
	}
	config_destroy(&config);
	return finish(&ctx, model, out, errors);
}

int conf_load(const char *path, struct conf_model **out, struct conf_errors *errors)
{
	struct conf_context ctx = {.name = path};
	struct stat status;
	char *text = NULL;
	size_t length;
	FILE *file;
	int ret;

	if (out == NULL || path == NULL) {
		errno = EINVAL;
		return -1;
	}
	*out = NULL;
	file = fopen(path, "r");
	if (file == NULL) {
		conf_error_at(&ctx, path, 0, "cannot open: %s", strerror(errno));
		goto err;
	}
	if (fstat(fileno(file), &status) < 0) {
		conf_error_at(&ctx, path, 0, "cannot read: %s", strerror(errno));
		goto err;
	}
	if (!S_ISREG(status.st_mode) || (uint64_t)status.st_size > CONF_TEXT_MAX) {
		conf_error_at(&ctx, path, 0, "not a regular file of at most %u bytes",
			      CONF_TEXT_MAX);
		goto err;
	}
	text = malloc((size_t)status.st_size + 1);
	if (text == NULL) {
		conf_error_at(&ctx, path, 0, "out of memory");
		goto err;
	}
	length = fread(text, 1, (size_t)status.st_size, file);
	if (ferror(file)) {
		conf_error_at(&ctx, path, 0, "cannot read: %s", strerror(errno));
		goto err;
	}
	text[length] = '\0';
	if (memchr(text, '\0', length) != NULL) {
		conf_error_at(&ctx, path, 0, "contains a NUL byte: not a text file");
		goto err;
	}
	fclose(file);
	ret = conf_load_string(text, path, out, errors);
	free(text);
	return ret;
err:
	if (file != NULL)
		fclose(file);
	free(text);
	hand_over_errors(&ctx, errors);
	return -1;
}

void conf_model_release(struct conf_model *model)
{
	size_t i;

	if (model == NULL)
		return;
	free(model->source);
	for (i = 0; i < model->dpdk.n_eal_args; i++)
		free(model->dpdk.eal_args[i]);
	free(model->dpdk.eal_args);
	for (i = 0; i < model->n_ports; i++)
		free(model->ports[i].addresses);
	free(model->ports);
	for (i = 0; i < model->n_segments; i++) {
		free(model->segments[i].members);
		free(model->segments[i].flood);
		free(model->segments[i].static_macs);
	}
	free(model->segments);
	free(model->bgp.neighbors);
	free(model);
}

void conf_free(struct conf_model *model)
{
	conf_model_release(model);
}

void conf_errors_print(const struct conf_errors *errors, FILE *out)
{
	size_t i;

	if (errors == NULL)
		return;
	for (i = 0; i < errors->n; i++)
		fprintf(out, "%s\n", errors->items[i]);
}

void conf_errors_clear(struct conf_errors *errors)
{
	size_t i;

	if (errors == NULL)
		return;
	for (i = 0; i < errors->n; i++)
		free(errors->items[i]);
	free(errors->items);
	errors->items = NULL;
	errors->n = 0;
}

const struct conf_port *conf_port_by_name(const struct conf_model *model, const char *name)
{
	size_t i;

	for (i = 0; model != NULL && name != NULL && i < model->n_ports; i++)
		if (strcmp(model->ports[i].name, name) == 0)
			return &model->ports[i];
	return NULL;
}

const struct conf_segment *conf_segment_by_name(const struct conf_model *model, const char *name)
{
	size_t i;

	for (i = 0; model != NULL && name != NULL && i < model->n_segments; i++)
		if (strcmp(model->segments[i].name, name) == 0)
			return &model->segments[i];
	return NULL;
}

static const char *learning_name(enum conf_learning learning)
{
	switch (learning) {
	case CONF_LEARNING_EVPN:
		return "evpn";
	case CONF_LEARNING_STATIC:
		return "static";
	case CONF_LEARNING_DATAPLANE:
		break;
	}
	return "dataplane";
}

static void print_segment(const struct conf_model *model, const struct conf_segment *segment,
			  FILE *out)
{
	char ip[CONF_IP_TEXT_SIZE], mac[CONF_MAC_TEXT_SIZE];
	size_t i;

	fprintf(out, "  %-16s %s %-8u learning %-9s mac-limit %u (%s)\n", segment->name,
		segment->type == CONF_SEGMENT_VXLAN ? "vni " : "vsid", segment->id,
		learning_name(segment->learning),
		segment->mac_limit ? segment->mac_limit : model->gateway.mac_limit,
		segment->limit_action == CONF_LIMIT_DROP ? "then drop" : "then flood");
	for (i = 0; i < segment->n_members; i++) {
		const struct conf_member *member = &segment->members[i];

		if (member->vlan)
			fprintf(out, "    member %s vlan %u\n", model->ports[member->port].name,
				member->vlan);
		else
			fprintf(out, "    member %s untagged\n", model->ports[member->port].name);
	}
	for (i = 0; i < segment->n_flood; i++)
		fprintf(out, "    flood %s\n", conf_ip_format(&segment->flood[i], ip, sizeof(ip)));
	for (i = 0; i < segment->n_static_macs; i++) {
		const struct conf_static_mac *entry = &segment->static_macs[i];

		conf_mac_format(entry->mac, mac, sizeof(mac));
		if (entry->remote) {
			fprintf(out, "    static %s via vtep %s\n", mac,
				conf_ip_format(&entry->vtep, ip, sizeof(ip)));
		} else {
			const struct conf_member *member = &segment->members[entry->member];

			if (member->vlan)
				fprintf(out, "    static %s on %s vlan %u\n", mac,
					model->ports[member->port].name, member->vlan);
			else
				fprintf(out, "    static %s on %s untagged\n", mac,
					model->ports[member->port].name);
		}
	}
}

void conf_print_summary(const struct conf_model *model, FILE *out)
{
	const struct conf_gateway *gateway = &model->gateway;
	char ip[CONF_IP_TEXT_SIZE], ip6[CONF_IP_TEXT_SIZE], text[CONF_PREFIX_TEXT_SIZE];
	size_t i, j;

	fprintf(out, "%s: configuration is valid\n", model->source);
	fprintf(out, "gateway %s: vtep %s / %s, vxlan port %u, udp source %u-%u, ttl %u, ",
		gateway->name, conf_ip_format(&gateway->vtep_v4, ip, sizeof(ip)),
		conf_ip_format(&gateway->vtep_v6, ip6, sizeof(ip6)), gateway->vxlan_port,
		gateway->udp_src_min, gateway->udp_src_max, gateway->ttl);
	if (gateway->dscp_copy)
		fprintf(out, "dscp copy");
	else
		fprintf(out, "dscp %u", gateway->dscp);
	fprintf(out, ", ecn %s%s%s\n", gateway->ecn_compat ? "compat" : "normal",
		gateway->vxlan_strict ? ", vxlan strict" : "",
		gateway->nvgre_flow_id ? ", nvgre flow-id" : "");
	fprintf(out, "  mac aging %us, mac limit %u, lmdb %s (%llu MiB)\n", gateway->mac_aging,
		gateway->mac_limit, gateway->lmdb_path,
		(unsigned long long)(gateway->lmdb_map_size >> 20));
	fprintf(out, "dpdk: lcores %s, %u mbufs, %zu extra EAL arguments\n", model->dpdk.lcores,
		model->dpdk.mbufs, model->dpdk.n_eal_args);
	fprintf(out, "ports (%zu):\n", model->n_ports);
	for (i = 0; i < model->n_ports; i++) {
		const struct conf_port *port = &model->ports[i];

		fprintf(out, "  %-16s %-6s mtu %-5u %s", port->name,
			port->role == CONF_PORT_UPLINK ? "uplink" : "access", port->mtu,
			port->device);
		if (port->vlan)
			fprintf(out, " vlan %u", port->vlan);
		for (j = 0; j < port->n_addresses; j++)
			fprintf(out, " %s",
				conf_prefix_format(&port->addresses[j], text, sizeof(text)));
		fprintf(out, "\n");
	}
	fprintf(out, "segments (%zu):\n", model->n_segments);
	for (i = 0; i < model->n_segments; i++)
		print_segment(model, &model->segments[i], out);
	if (!model->bgp.enabled) {
		fprintf(out, "bgp: off\n");
		return;
	}
	inet_ntop(AF_INET, &model->bgp.router_id, ip, sizeof(ip));
	fprintf(out, "bgp: as %u, router-id %s, evpn %s, frr %s\n", model->bgp.asn, ip,
		model->bgp.evpn ? "on" : "off",
		model->bgp.manage_frr ? "configured by vtepgw" : "left to the operator");
	for (i = 0; i < model->bgp.n_neighbors; i++) {
		const struct conf_bgp_neighbor *neighbor = &model->bgp.neighbors[i];

		fprintf(out, "  neighbor %s remote-as %u via %s%s\n",
			conf_ip_format(&neighbor->addr, ip, sizeof(ip)), neighbor->remote_asn,
			model->ports[neighbor->port].name, neighbor->bfd ? " bfd" : "");
	}
}
