/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The underlay addresses live on the kernel TAP twins: the kernel answers
 * ARP/ND and ICMP for them and FRR peers from them (DESIGN.md). Our VTEP
 * addresses go on the first uplink's twin as host routes (/32, /128) so the
 * kernel answers ARP for them too. Added over rtnetlink once the link
 * exists; an address already present is fine (a restart).
 * The same list is what the fast path punts to the kernel (not_local).
 */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "control/control.h"

static int address_add(struct mnl_socket *nl, int ifindex, const struct conf_ip *ip, uint8_t len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	unsigned portid = mnl_socket_get_portid(nl);
	uint32_t seq = (uint32_t)time(NULL);
	int ret;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)ip->family;
	ifa->ifa_prefixlen = len;
	ifa->ifa_index = (unsigned)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	/* No duplicate address detection: the address is ours by
	 * configuration and must be usable at once. */
	ifa->ifa_flags = ip->family == AF_INET6 ? IFA_F_NODAD : 0;
	if (ip->family == AF_INET) {
		mnl_attr_put(nlh, IFA_LOCAL, 4, &ip->v4);
		mnl_attr_put(nlh, IFA_ADDRESS, 4, &ip->v4);
	} else {
		mnl_attr_put(nlh, IFA_ADDRESS, 16, &ip->v6);
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret < 0)
		return -errno;
	ret = mnl_cb_run(buf, (size_t)ret, seq, portid, NULL, NULL);
	if (ret < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void local_address_note(struct gw *g, const struct conf_ip *ip)
{
	struct gw_local_address *a;

	if (g->n_local_addresses == GW_MAX_LOCAL_ADDRESSES)
		return;
	a = &g->local_addresses[g->n_local_addresses++];
	a->family = ip->family;
	memset(a->bytes, 0, sizeof(a->bytes));
	memcpy(a->bytes, ip->family == AF_INET ? (const void *)&ip->v4 : (const void *)&ip->v6,
	       ip->family == AF_INET ? 4 : 16);
}

static bool address_is_local(const struct gw *g, const struct conf_ip *ip)
{
	for (unsigned i = 0; i < g->n_local_addresses; i++) {
		const struct gw_local_address *a = &g->local_addresses[i];
		if (a->family == ip->family &&
		    memcmp(a->bytes,
			   ip->family == AF_INET ? (const void *)&ip->v4 : (const void *)&ip->v6,
			   ip->family == AF_INET ? 4 : 16) == 0)
			return true;
	}
	return false;
}

int tap_addresses_apply(struct gw *g, char *err, size_t err_size)
{
	const struct conf_model *conf = g->conf;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int first_tap = -1, ret = 0;

	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, err_size, "cannot open rtnetlink: %s", strerror(errno));
		if (nl != NULL)
			mnl_socket_close(nl);
		return -errno;
	}
	for (uint16_t p = 0; p < GW_MAX_PORTS; p++) {
		const struct gw_port *tap = &g->ports[p];
		const struct conf_port *cp;

		if (tap->kind != GW_PORT_TAP)
			continue;
		if (first_tap < 0)
			first_tap = p;
		cp = &conf->ports[tap->conf_index];
		for (size_t i = 0; i < cp->n_addresses; i++) {
			ret = address_add(nl, tap->tap_ifindex, &cp->addresses[i].addr,
					  cp->addresses[i].len);
			if (ret < 0) {
				snprintf(err, err_size, "%s:%d: port %s: cannot add an address: %s",
					 conf->source, cp->line, cp->name, strerror(-ret));
				goto out;
			}
			local_address_note(g, &cp->addresses[i].addr);
		}
	}
	if (first_tap >= 0) {
		const struct conf_ip *vteps[2] = {&conf->gateway.vtep_v4, &conf->gateway.vtep_v6};
		for (int i = 0; i < 2; i++) {
			if (vteps[i]->family == 0 || address_is_local(g, vteps[i]))
				continue;
			ret = address_add(nl, g->ports[first_tap].tap_ifindex, vteps[i],
					  vteps[i]->family == AF_INET ? 32 : 128);
			if (ret < 0) {
				snprintf(err, err_size, "cannot add the VTEP address to %s: %s",
					 g->ports[first_tap].name, strerror(-ret));
				goto out;
			}
			local_address_note(g, vteps[i]);
		}
	}
out:
	mnl_socket_close(nl);
	return ret;
}
