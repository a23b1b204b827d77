/* SPDX-License-Identifier: BSD-3-Clause */
/* Names of the drop reasons: the decap verdicts of encap/tunnel.h, then the
 * gateway's own, from the same X-macro lists as the enum. */
#include "gateway.h"

static const char *const drop_names[GW_DROP_COUNT] = {
#define GW_DROP_NAME(name, str) [GW_DROP_DECAP_##name] = str,
	DECAP_VERDICTS(GW_DROP_NAME)
#undef GW_DROP_NAME
#define GW_DROP_NAME(name, str) [GW_DROP_##name] = str,
		GW_DROPS(GW_DROP_NAME)
#undef GW_DROP_NAME
};

const char *gw_drop_name(enum gw_drop drop)
{
	if ((unsigned)drop >= GW_DROP_COUNT)
		return "unknown";
	return drop_names[drop];
}

bool gw_drop_is_reported(enum gw_drop drop)
{
	return drop != GW_DROP_DECAP_OK && drop != GW_DROP_DECAP_PASS_NOT_TUNNEL &&
	       drop != GW_DROP_DECAP_PASS_NOT_VTEP && drop != GW_DROP_DECAP_PASS_NOT_IP;
}
