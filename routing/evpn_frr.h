/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Talking to FRR through vtysh (fork/exec, no shell), and reading the bits of
 * its JSON output the EVPN shadow sync needs. Private to routing/.
 */
#ifndef VTEPGW_ROUTING_EVPN_FRR_H
#define VTEPGW_ROUTING_EVPN_FRR_H

#include <stddef.h>

#include "conf/model.h"
#include "routing/evpn_shadow.h"

/* Run vtysh with one `-c` per command. On success *output (may be NULL when
 * not wanted) holds its standard output, NUL-terminated, to be freed by the
 * caller. Returns 0, -ETIMEDOUT, -ECHILD (vtysh exited non-zero: FRR refused
 * a command or is not running), or another negative errno. */
int evpn_vtysh(const struct evpn_shadow_frr *frr, const char *const *commands, size_t n_commands,
	       char **output);

/* Call `visit` for each valid best type-3 route (RFC 7432 §7.3) in the output
 * of `show bgp l2vpn evpn route vni N type multicast json`, with its
 * originating router's IP. Returns the number of routes visited. */
int evpn_frr_parse_type3(const char *json, void (*visit)(void *arg, const struct conf_ip *vtep),
			 void *arg);

#endif
