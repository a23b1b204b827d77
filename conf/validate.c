/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rules between settings, checked on the model parse.c built: unique names
 * and IDs, one owner per (port, VLAN), roles of the ports things refer to,
 * and what a segment's learning mode needs. Whatever failed to parse was
 * left out of the model (or left empty), so it is skipped here rather than
 * reported a second time.
 */
#include <stdio.h>
#include <string.h>

#include "conf_internal.h"

static void validate_ports(struct conf_context *ctx, const struct conf_model *model)
{
	char identity[CONF_DEVICE_MAX], other[CONF_DEVICE_MAX];
	size_t i, j;

	for (i = 0; i < model->n_ports; i++) {
		const struct conf_port *port = &model->ports[i];

		for (j = 0; j < i && port->name[0] != '\0'; j++) {
			if (strcmp(model->ports[j].name, port->name) == 0) {
				conf_error_at(ctx, NULL, port->line,
					      "port '%s': name already used by the port at line %d",
					      port->name, model->ports[j].line);
				break;
			}
		}
		if (port->device[0] == '\0')
			continue;
		conf_device_identity(port->device, identity, sizeof(identity));
		for (j = 0; j < i; j++) {
			if (model->ports[j].device[0] == '\0')
				continue;
			conf_device_identity(model->ports[j].device, other, sizeof(other));
			if (strcmp(identity, other) == 0) {
				conf_error_at(ctx, NULL, port->line,
					      "port '%s': device %s is already used by port '%s' "
					      "(line %d)",
					      port->name, identity, model->ports[j].name,
					      model->ports[j].line);
				break;
			}
		}
	}
}

/* Each (port, VLAN) feeds exactly one segment, or a frame arriving there
 * would have two possible segments. An untagged member and tagged members
 * on one port are fine: the 802.1Q tag tells them apart. */
static void validate_members(struct conf_context *ctx, const struct conf_model *model, size_t index)
{
	const struct conf_segment *segment = &model->segments[index];
	size_t m, s, k;

	for (m = 0; m < segment->n_members; m++) {
		const struct conf_member *member = &segment->members[m];
		const struct conf_port *port = &model->ports[member->port];
		bool found = false;

		if (port->role == CONF_PORT_UPLINK) {
			conf_error_at(ctx, NULL, member->line,
				      "segment '%s': port '%s' is an uplink; segment members must "
				      "be access ports",
				      segment->name, port->name);
			continue;
		}
		for (s = 0; s <= index && !found; s++) {
			const struct conf_segment *earlier = &model->segments[s];
			size_t end = s == index ? m : earlier->n_members;

			for (k = 0; k < end && !found; k++) {
				const struct conf_member *other = &earlier->members[k];

				if (other->port != member->port || other->vlan != member->vlan)
					continue;
				found = true;
				if (member->vlan)
					conf_error_at(ctx, NULL, member->line,
						      "segment '%s': port '%s' vlan %u already "
						      "belongs to segment '%s' (line %d)",
						      segment->name, port->name, member->vlan,
						      earlier->name, other->line);
				else
					conf_error_at(ctx, NULL, member->line,
						      "segment '%s': port '%s' untagged already "
						      "belongs to segment '%s' (line %d)",
						      segment->name, port->name, earlier->name,
						      other->line);
			}
		}
	}
}

static void validate_static_macs(struct conf_context *ctx, const struct conf_segment *segment)
{
	char text[CONF_MAC_TEXT_SIZE];
	size_t i, j;

	for (i = 0; i < segment->n_static_macs; i++) {
		for (j = 0; j < i; j++) {
			if (memcmp(segment->static_macs[i].mac, segment->static_macs[j].mac, 6))
				continue;
			conf_error_at(
				ctx, NULL, segment->static_macs[i].line,
				"segment '%s': static MAC %s is already configured at line %d",
				segment->name,
				conf_mac_format(segment->static_macs[i].mac, text, sizeof(text)),
				segment->static_macs[j].line);
			break;
		}
	}
}

static void validate_segments(struct conf_context *ctx, const struct conf_model *model)
{
	size_t i, j;

	for (i = 0; i < model->n_segments; i++) {
		const struct conf_segment *segment = &model->segments[i];
		const char *kind = segment->type == CONF_SEGMENT_VXLAN ? "VNI" : "VSID";

		for (j = 0; j < i && segment->name[0] != '\0'; j++) {
			if (strcmp(model->segments[j].name, segment->name) == 0) {
				conf_error_at(ctx, NULL, segment->line,
					      "segment '%s': name already used by the segment at "
					      "line %d",
					      segment->name, model->segments[j].line);
				break;
			}
		}
		/* VNIs and VSIDs are separate spaces: the tunnel type tells
		 * them apart on the wire. id 0 means it failed to parse. */
		for (j = 0; j < i && segment->id != 0; j++) {
			const struct conf_segment *other = &model->segments[j];

			if (other->type == segment->type && other->id == segment->id) {
				conf_error_at(ctx, NULL, segment->line,
					      "segment '%s': %s %u is already used by segment '%s' "
					      "(line %d)",
					      segment->name, kind, segment->id, other->name,
					      other->line);
				break;
			}
		}
		validate_members(ctx, model, i);
		validate_static_macs(ctx, segment);
		if (segment->learning == CONF_LEARNING_EVPN) {
			/* RFC 8365 defines EVPN for NVGRE too, but FRR, which
			 * speaks BGP for us, only does EVPN over VXLAN. */
			if (segment->type == CONF_SEGMENT_NVGRE)
				conf_error_at(ctx, NULL, segment->line,
					      "segment '%s': learning \"evpn\" is only for VXLAN "
					      "segments; use \"dataplane\" or \"static\" with vsid",
					      segment->name);
			else if (!model->bgp.evpn)
				conf_error_at(
					ctx, NULL, segment->line,
					"segment '%s': learning \"evpn\" needs bgp.evpn = true",
					segment->name);
		}
	}
	if (model->n_segments > 0 && !ctx->vtep_v4_given && !ctx->vtep_v6_given)
		conf_error_at(ctx, NULL, model->gateway.line ? model->gateway.line : 1,
			      "gateway: segments need a tunnel source address: set vtep_ipv4 "
			      "and/or vtep_ipv6");
}

static void validate_bgp(struct conf_context *ctx, const struct conf_model *model)
{
	char text[CONF_IP_TEXT_SIZE];
	size_t i, j;

	for (i = 0; i < model->bgp.n_neighbors; i++) {
		const struct conf_bgp_neighbor *neighbor = &model->bgp.neighbors[i];
		const struct conf_port *port = &model->ports[neighbor->port];

		conf_ip_format(&neighbor->addr, text, sizeof(text));
		if (port->role == CONF_PORT_ACCESS)
			conf_error_at(ctx, NULL, neighbor->line,
				      "bgp neighbor %s: port '%s' is not an uplink; BGP runs over "
				      "uplinks",
				      text, port->name);
		for (j = 0; j < i; j++) {
			if (conf_ip_equal(&model->bgp.neighbors[j].addr, &neighbor->addr)) {
				conf_error_at(ctx, NULL, neighbor->line,
					      "bgp neighbor %s: already configured at line %d",
					      text, model->bgp.neighbors[j].line);
				break;
			}
		}
	}
}

void conf_validate(struct conf_context *ctx, const struct conf_model *model)
{
	validate_ports(ctx, model);
	validate_segments(ctx, model);
	validate_bgp(ctx, model);
}
