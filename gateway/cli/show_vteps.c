/* SPDX-License-Identifier: BSD-3-Clause */
/* `vtepctl show vteps`: remote VTEPs and how they are reached, from
 * /vtepgw/vteps. */
#include "show.h"

#define VTEPS_COMMAND "/vtepgw/vteps"

static const struct show_field vtep_fields[] = {
	{"resolved", "STATE", SHOW_FIELD_BOOL, "resolved", "unresolved"},
	{"nexthop", "NEXTHOP", SHOW_FIELD_STRING, NULL, NULL},
	{"port", "PORT", SHOW_FIELD_STRING, NULL, NULL},
	{"mac", "MAC", SHOW_FIELD_STRING, NULL, NULL},
	{"tx_packets", "TX-PACKETS", SHOW_FIELD_U64, NULL, NULL},
	{"tx_bytes", "TX-BYTES", SHOW_FIELD_U64, NULL, NULL},
	{"rx_packets", "RX-PACKETS", SHOW_FIELD_U64, NULL, NULL},
	{"rx_bytes", "RX-BYTES", SHOW_FIELD_U64, NULL, NULL},
};

int vtepctl_show_vteps(const struct vtepctl *ctx)
{
	struct json_value *data;
	int ret = vtepctl_telemetry(ctx, VTEPS_COMMAND, false, &data);
	if (ret != VTEPCTL_EXIT_OK)
		return ret;
	ret = show_telemetry_table(ctx, VTEPS_COMMAND, data, "address", "VTEP", vtep_fields,
				   sizeof(vtep_fields) / sizeof(vtep_fields[0]), NULL);
	json_free(data);
	return ret;
}
