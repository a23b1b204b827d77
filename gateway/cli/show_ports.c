/* SPDX-License-Identifier: BSD-3-Clause */
/* `vtepctl show ports`: the daemon's DPDK ports, from /vtepgw/ports. */
#include "show.h"

#define PORTS_COMMAND "/vtepgw/ports"

static const struct show_field port_fields[] = {
	{"role", "ROLE", SHOW_FIELD_STRING, NULL, NULL},
	{"port_id", "ID", SHOW_FIELD_U64, NULL, NULL},
	{"link_up", "LINK", SHOW_FIELD_BOOL, "up", "down"},
	{"mac", "MAC", SHOW_FIELD_STRING, NULL, NULL},
	{"tap", "TAP", SHOW_FIELD_STRING, NULL, NULL},
	{"rx_packets", "RX-PACKETS", SHOW_FIELD_U64, NULL, NULL},
	{"rx_bytes", "RX-BYTES", SHOW_FIELD_U64, NULL, NULL},
	{"tx_packets", "TX-PACKETS", SHOW_FIELD_U64, NULL, NULL},
	{"tx_bytes", "TX-BYTES", SHOW_FIELD_U64, NULL, NULL},
};

int vtepctl_show_ports(const struct vtepctl *ctx)
{
	struct json_value *data;
	int ret = vtepctl_telemetry(ctx, PORTS_COMMAND, false, &data);
	if (ret != VTEPCTL_EXIT_OK)
		return ret;
	ret = show_telemetry_table(ctx, PORTS_COMMAND, data, "name", "PORT", port_fields,
				   sizeof(port_fields) / sizeof(port_fields[0]), "port_id");
	json_free(data);
	return ret;
}
