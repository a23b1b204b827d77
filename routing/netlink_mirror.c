/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The netlink mirror: two rtnetlink sockets (libmnl). The event socket is
 * subscribed to the multicast groups and only ever read; the request socket
 * carries dumps, NTF_USE resolutions and FDB writes, so a dump's replies are
 * never interleaved with events. After a dump, replaying the events queued
 * meanwhile converges: each event carries the full state of its object.
 */
#include "routing/netlink_mirror.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "netlink_table.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP (1u << 16) /* linux/if.h; clashes with net/if.h */
#endif

/* DESIGN.md: 1,000 EVPN entries (two messages each) arrive in ~100 ms and
 * overflow a default buffer. 32 MiB holds tens of thousands of messages. */
#define NETLINK_MIRROR_EVENT_BUFFER    (32 << 20)
#define NETLINK_MIRROR_RECEIVE_SIZE    65536 /* >= MNL_SOCKET_DUMP_SIZE */
#define NETLINK_MIRROR_REQUEST_TIMEOUT 5     /* seconds: a dump or ack never takes this long */
#define NETLINK_MIRROR_DUMP_ATTEMPTS   3
/* Receive calls per netlink_mirror_process(); poll is level-triggered, so the
 * rest is handled on the next call instead of starving the control thread. */
#define NETLINK_MIRROR_PROCESS_BUDGET 1024
#define NETLINK_MIRROR_DRAIN_LIMIT    100000

struct netlink_mirror {
	struct mnl_socket *events;
	struct mnl_socket *requests;
	unsigned int request_portid;
	uint32_t sequence;
	unsigned what;
	struct netlink_mirror_ops ops;
	void *arg;
	struct netlink_mirror_stats stats;
	struct netlink_table table;
	uint32_t generation; /* of the dump in progress or last done */
	bool dumping;
	/* An interface went down or up: the kernel flushes (and later revives)
	 * IPv4 routes through it without RTM_DELROUTE/RTM_NEWROUTE; IPv6 does
	 * notify. Re-dump the IPv4 routes after such an event. */
	bool ipv4_routes_stale;
	/* Netlink headers and attributes are 4-byte aligned within it. */
	_Alignas(8) uint8_t buffer[NETLINK_MIRROR_RECEIVE_SIZE];
};

/* ---- attribute parsing ------------------------------------------------- */

/* Collect attributes by type; -1 when one overruns the buffer (libmnl's own
 * iterator silently stops there, and we want such messages counted). */
static int parse_attributes(const void *data, size_t size, const struct nlattr **table,
			    uint16_t max)
{
	const uint8_t *cursor = data;

	memset(table, 0, (max + 1u) * sizeof(*table));
	while (size > 0) {
		const struct nlattr *attr = (const struct nlattr *)cursor;
		size_t step;
		uint16_t type;

		if (size < sizeof(*attr) || attr->nla_len < sizeof(*attr) || attr->nla_len > size)
			return -1;
		type = attr->nla_type & NLA_TYPE_MASK;
		if (type <= max)
			table[type] = attr;
		step = MNL_ALIGN(attr->nla_len);
		if (step >= size)
			break;
		cursor += step;
		size -= step;
	}
	return 0;
}

static int parse_message_attributes(const struct nlmsghdr *nlh, size_t header_size,
				    const struct nlattr **table, uint16_t max)
{
	size_t payload = mnl_nlmsg_get_payload_len(nlh);

	if (payload < header_size)
		return -1;
	header_size = MNL_ALIGN(header_size);
	if (payload <= header_size)
		return parse_attributes(NULL, 0, table, max);
	return parse_attributes((const uint8_t *)mnl_nlmsg_get_payload(nlh) + header_size,
				payload - header_size, table, max);
}

static int attribute_u32(const struct nlattr *attr, uint32_t *value)
{
	if (mnl_attr_get_payload_len(attr) < sizeof(*value))
		return -1;
	memcpy(value, mnl_attr_get_payload(attr), sizeof(*value));
	return 0;
}

/* An address attribute whose size must match `family`. */
static int attribute_ip(const struct nlattr *attr, int family, struct conf_ip *ip)
{
	size_t size = netlink_address_size(family);

	if (size == 0 || mnl_attr_get_payload_len(attr) != size)
		return -1;
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	memcpy(family == AF_INET ? (void *)&ip->v4 : (void *)&ip->v6, mnl_attr_get_payload(attr),
	       size);
	return 0;
}

/* ---- links and addresses ------------------------------------------------ */

static int handle_link(struct netlink_mirror *mirror, const struct nlmsghdr *nlh)
{
	const struct nlattr *attrs[IFLA_MAX + 1];
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct netlink_link link = {0};
	bool add = nlh->nlmsg_type == RTM_NEWLINK;

	if (parse_message_attributes(nlh, sizeof(*ifi), attrs, IFLA_MAX) < 0 || ifi->ifi_index <= 0)
		return -1;
	/* AF_BRIDGE link messages describe bridge ports; the kernel sends an
	 * AF_BRIDGE RTM_DELLINK when a port merely leaves its bridge. */
	if (ifi->ifi_family == AF_BRIDGE)
		return 0;
	link.ifindex = ifi->ifi_index;
	if (attrs[IFLA_IFNAME] != NULL) {
		size_t length = strnlen(mnl_attr_get_payload(attrs[IFLA_IFNAME]),
					mnl_attr_get_payload_len(attrs[IFLA_IFNAME]));

		if (length >= sizeof(link.name))
			return -1;
		memcpy(link.name, mnl_attr_get_payload(attrs[IFLA_IFNAME]), length);
	}
	if (attrs[IFLA_ADDRESS] != NULL &&
	    mnl_attr_get_payload_len(attrs[IFLA_ADDRESS]) == sizeof(link.mac))
		memcpy(link.mac, mnl_attr_get_payload(attrs[IFLA_ADDRESS]), sizeof(link.mac));
	if (attrs[IFLA_MASTER] != NULL) {
		uint32_t master;

		if (attribute_u32(attrs[IFLA_MASTER], &master) < 0)
			return -1;
		link.master = (int)master;
	}
	link.up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_LOWER_UP);
	if (!mirror->dumping && (!add || (ifi->ifi_change & IFF_UP)))
		mirror->ipv4_routes_stale = true;
	if ((mirror->what & NETLINK_MIRROR_LINKS) && mirror->ops.link != NULL)
		mirror->ops.link(mirror->arg, add, &link);
	return 0;
}

static int handle_address(struct netlink_mirror *mirror, const struct nlmsghdr *nlh)
{
	const struct nlattr *attrs[IFA_MAX + 1];
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *local;
	struct netlink_address address = {0};

	if (parse_message_attributes(nlh, sizeof(*ifa), attrs, IFA_MAX) < 0)
		return -1;
	/* IFA_LOCAL is our address; IFA_ADDRESS is the peer on point-to-point
	 * links and equal to IFA_LOCAL elsewhere (IPv6 sends only IFA_ADDRESS). */
	local = attrs[IFA_LOCAL] != NULL ? attrs[IFA_LOCAL] : attrs[IFA_ADDRESS];
	if (local == NULL || attribute_ip(local, ifa->ifa_family, &address.prefix.addr) < 0 ||
	    ifa->ifa_prefixlen > netlink_address_size(ifa->ifa_family) * 8)
		return -1;
	address.ifindex = (int)ifa->ifa_index;
	address.prefix.len = ifa->ifa_prefixlen;
	if (mirror->ops.address != NULL)
		mirror->ops.address(mirror->arg, nlh->nlmsg_type == RTM_NEWADDR, &address);
	return 0;
}

/* ---- routes ------------------------------------------------------------- */

static void add_path(struct netlink_mirror *mirror, struct netlink_route *route,
		     const struct netlink_nexthop *path)
{
	if (route->n_paths == NETLINK_MAX_PATHS) {
		mirror->stats.truncated_routes++;
		return;
	}
	route->paths[route->n_paths++] = *path;
}

/* RTA_GATEWAY (same family as the route) or RTA_VIA (RFC 5549: an IPv4 route
 * through an IPv6 next hop). Absent means directly connected. */
static int parse_gateway(const struct nlattr *gateway, const struct nlattr *via, int family,
			 struct conf_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (gateway != NULL)
		return attribute_ip(gateway, family, ip);
	if (via != NULL) {
		const struct rtvia *rtvia = mnl_attr_get_payload(via);
		size_t length = mnl_attr_get_payload_len(via);
		size_t size;

		if (length < sizeof(*rtvia))
			return -1;
		size = netlink_address_size(rtvia->rtvia_family);
		if (size == 0 || length - sizeof(*rtvia) != size)
			return -1;
		ip->family = rtvia->rtvia_family;
		memcpy(ip->family == AF_INET ? (void *)&ip->v4 : (void *)&ip->v6, rtvia->rtvia_addr,
		       size);
	}
	return 0;
}

static int parse_multipath(struct netlink_mirror *mirror, const struct nlattr *multipath,
			   int family, struct netlink_route *route)
{
	const uint8_t *cursor = mnl_attr_get_payload(multipath);
	size_t size = mnl_attr_get_payload_len(multipath);

	while (size > 0) {
		const struct rtnexthop *rtnh = (const struct rtnexthop *)cursor;
		const struct nlattr *attrs[RTA_MAX + 1];
		struct netlink_nexthop path = {0};
		size_t step;

		if (size < sizeof(*rtnh) || rtnh->rtnh_len < sizeof(*rtnh) || rtnh->rtnh_len > size)
			return -1;
		if (parse_attributes(cursor + RTNH_ALIGN(sizeof(*rtnh)),
				     rtnh->rtnh_len > RTNH_ALIGN(sizeof(*rtnh))
					     ? rtnh->rtnh_len - RTNH_ALIGN(sizeof(*rtnh))
					     : 0,
				     attrs, RTA_MAX) < 0 ||
		    parse_gateway(attrs[RTA_GATEWAY], attrs[RTA_VIA], family, &path.gateway) < 0)
			return -1;
		path.ifindex = rtnh->rtnh_ifindex;
		path.weight = rtnh->rtnh_hops == 255 ? 255 : (uint8_t)(rtnh->rtnh_hops + 1);
		/* A dead next hop (its interface is down) is not used by the kernel. */
		if (!(rtnh->rtnh_flags & RTNH_F_DEAD))
			add_path(mirror, route, &path);
		step = RTNH_ALIGN(rtnh->rtnh_len);
		if (step >= size)
			break;
		cursor += step;
		size -= step;
	}
	return 0;
}

static int parse_route(struct netlink_mirror *mirror, const struct nlmsghdr *nlh,
		       struct netlink_route *route, int *key_ifindex, bool *wanted)
{
	const struct nlattr *attrs[RTA_MAX + 1];
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	memset(route, 0, sizeof(*route));
	*key_ifindex = 0;
	*wanted = false;
	if (parse_message_attributes(nlh, sizeof(*rtm), attrs, RTA_MAX) < 0 ||
	    netlink_address_size(rtm->rtm_family) == 0 ||
	    rtm->rtm_dst_len > netlink_address_size(rtm->rtm_family) * 8)
		return -1;
	route->table = rtm->rtm_table;
	if (attrs[RTA_TABLE] != NULL && attribute_u32(attrs[RTA_TABLE], &route->table) < 0)
		return -1;
	/* Cached exceptions (PMTU, redirects) are not routes. */
	if (route->table != RT_TABLE_MAIN || (rtm->rtm_flags & RTM_F_CLONED))
		return 0;
	route->dst.addr.family = rtm->rtm_family;
	if (attrs[RTA_DST] != NULL &&
	    attribute_ip(attrs[RTA_DST], rtm->rtm_family, &route->dst.addr) < 0)
		return -1;
	route->dst.len = rtm->rtm_dst_len;
	netlink_prefix_mask(&route->dst);
	if (attrs[RTA_PRIORITY] != NULL && attribute_u32(attrs[RTA_PRIORITY], &route->priority) < 0)
		return -1;
	route->protocol = rtm->rtm_protocol;
	route->type = rtm->rtm_type;
	if (attrs[RTA_MULTIPATH] != NULL) {
		if (parse_multipath(mirror, attrs[RTA_MULTIPATH], rtm->rtm_family, route) < 0)
			return -1;
	} else if (attrs[RTA_OIF] != NULL || attrs[RTA_GATEWAY] != NULL || attrs[RTA_VIA] != NULL) {
		struct netlink_nexthop path = {.weight = 1};
		uint32_t oif = 0;

		if ((attrs[RTA_OIF] != NULL && attribute_u32(attrs[RTA_OIF], &oif) < 0) ||
		    parse_gateway(attrs[RTA_GATEWAY], attrs[RTA_VIA], rtm->rtm_family,
				  &path.gateway) < 0)
			return -1;
		path.ifindex = (int)oif;
		if (rtm->rtm_family == AF_INET6 && path.gateway.family == 0)
			*key_ifindex = path.ifindex;
		if (!(rtm->rtm_flags & RTNH_F_DEAD))
			add_path(mirror, route, &path);
	}
	*wanted = true;
	return 0;
}

static bool same_path(const struct netlink_nexthop *a, const struct netlink_nexthop *b)
{
	return a->ifindex == b->ifindex && netlink_ip_equal(&a->gateway, &b->gateway);
}

static struct netlink_nexthop *find_path(struct netlink_route *route,
					 const struct netlink_nexthop *path)
{
	for (size_t i = 0; i < route->n_paths; i++)
		if (same_path(&route->paths[i], path))
			return &route->paths[i];
	return NULL;
}

static void merge_paths(struct netlink_mirror *mirror, struct netlink_route *into,
			const struct netlink_route *from)
{
	for (size_t i = 0; i < from->n_paths; i++) {
		struct netlink_nexthop *existing = find_path(into, &from->paths[i]);

		if (existing != NULL)
			existing->weight = from->paths[i].weight;
		else
			add_path(mirror, into, &from->paths[i]);
	}
}

static void route_changed(struct netlink_mirror *mirror, bool add,
			  const struct netlink_route *route)
{
	if (mirror->ops.route != NULL)
		mirror->ops.route(mirror->arg, add, route);
}

static void route_remove(struct netlink_mirror *mirror, struct route_entry *entry)
{
	struct netlink_route removed = entry->route;

	netlink_table_route_remove(&mirror->table, entry);
	route_changed(mirror, false, &removed);
}

static int handle_new_route(struct netlink_mirror *mirror, const struct nlmsghdr *nlh,
			    const struct netlink_route *route, int key_ifindex)
{
	struct route_entry *entry = netlink_table_route_find(&mirror->table, route, key_ifindex);
	bool appended = mirror->dumping
				? entry != NULL && entry->node.generation == mirror->generation
				: (nlh->nlmsg_flags & NLM_F_APPEND) != 0;

	if (entry != NULL && appended) {
		/* IPv6 may report next hops of one multipath route separately
		 * (`ip -6 route append`); IPv4 appends a second, inactive route
		 * with the same key, so the first one stays. */
		if (route->dst.addr.family != AF_INET6)
			return 0;
		merge_paths(mirror, &entry->route, route);
	} else {
		entry = netlink_table_route_put(&mirror->table, route, key_ifindex);
		if (entry == NULL)
			return -ENOMEM;
	}
	entry->node.generation = mirror->generation;
	route_changed(mirror, true, &entry->route);
	return 0;
}

static void handle_deleted_route(struct netlink_mirror *mirror, const struct netlink_route *route,
				 int key_ifindex)
{
	struct route_entry *entry = netlink_table_route_find(&mirror->table, route, key_ifindex);
	struct netlink_route remaining;
	size_t matched = 0;

	if (entry == NULL)
		return;
	/* IPv6 deletes one next hop of a multipath route at a time when asked
	 * to (`ip -6 route del P via G`); the rest of the route stays. */
	remaining = entry->route;
	remaining.n_paths = 0;
	for (size_t i = 0; i < entry->route.n_paths; i++) {
		bool gone = false;

		for (size_t j = 0; j < route->n_paths; j++)
			gone = gone || same_path(&entry->route.paths[i], &route->paths[j]);
		if (gone)
			matched++;
		else
			remaining.paths[remaining.n_paths++] = entry->route.paths[i];
	}
	if (route->dst.addr.family == AF_INET6 && matched > 0 && remaining.n_paths > 0) {
		entry->route = remaining;
		route_changed(mirror, true, &entry->route);
		return;
	}
	route_remove(mirror, entry);
}

static int handle_route(struct netlink_mirror *mirror, const struct nlmsghdr *nlh)
{
	struct netlink_route route;
	int key_ifindex;
	bool wanted;

	if (parse_route(mirror, nlh, &route, &key_ifindex, &wanted) < 0)
		return -1;
	if (!wanted)
		return 0;
	if (nlh->nlmsg_type == RTM_DELROUTE) {
		handle_deleted_route(mirror, &route, key_ifindex);
		return 0;
	}
	return handle_new_route(mirror, nlh, &route, key_ifindex) < 0 ? -1 : 0;
}

/* ---- neighbours and bridge FDB ------------------------------------------ */

static int handle_neighbour(struct netlink_mirror *mirror, const struct nlmsghdr *nlh,
			    const struct ndmsg *ndm, const struct nlattr *const *attrs)
{
	struct netlink_neighbour neighbour = {0};
	struct neighbour_entry *entry;

	if (!(mirror->what & NETLINK_MIRROR_NEIGHBOURS))
		return 0;
	if (ndm->ndm_flags & NTF_PROXY) /* proxy ARP/ND entries, not neighbours */
		return 0;
	if (attrs[NDA_DST] == NULL ||
	    attribute_ip(attrs[NDA_DST], ndm->ndm_family, &neighbour.addr) < 0)
		return -1;
	/* Multicast "neighbours" (NUD_NOARP, MAC derived from the address,
	 * RFC 1112 §6.4, RFC 2464 §7) are created without any event, so they
	 * could never be mirrored faithfully; nor are they next hops. */
	if ((neighbour.addr.family == AF_INET && IN_MULTICAST(ntohl(neighbour.addr.v4.s_addr))) ||
	    (neighbour.addr.family == AF_INET6 && IN6_IS_ADDR_MULTICAST(&neighbour.addr.v6)))
		return 0;
	neighbour.ifindex = ndm->ndm_ifindex;
	neighbour.state = ndm->ndm_state;
	/* The kernel includes the link-layer address only in NUD_VALID states. */
	if (attrs[NDA_LLADDR] != NULL &&
	    mnl_attr_get_payload_len(attrs[NDA_LLADDR]) == sizeof(neighbour.mac)) {
		memcpy(neighbour.mac, mnl_attr_get_payload(attrs[NDA_LLADDR]),
		       sizeof(neighbour.mac));
		neighbour.has_mac = true;
	}
	entry = netlink_table_neighbour_find(&mirror->table, neighbour.ifindex, &neighbour.addr);
	if (nlh->nlmsg_type == RTM_DELNEIGH) {
		if (entry != NULL)
			netlink_table_neighbour_remove(&mirror->table, entry);
		if (mirror->ops.neighbour != NULL)
			mirror->ops.neighbour(mirror->arg, false, &neighbour);
		return 0;
	}
	entry = netlink_table_neighbour_put(&mirror->table, &neighbour);
	if (entry == NULL)
		return -1;
	entry->node.generation = mirror->generation;
	if (mirror->ops.neighbour != NULL)
		mirror->ops.neighbour(mirror->arg, true, &entry->neighbour);
	return 0;
}

static int handle_fdb(struct netlink_mirror *mirror, const struct nlmsghdr *nlh,
		      const struct ndmsg *ndm, const struct nlattr *const *attrs)
{
	struct netlink_fdb fdb = {0};
	uint32_t value;

	if (!(mirror->what & NETLINK_MIRROR_FDB))
		return 0;
	if (attrs[NDA_LLADDR] == NULL ||
	    mnl_attr_get_payload_len(attrs[NDA_LLADDR]) != sizeof(fdb.mac))
		return -1;
	memcpy(fdb.mac, mnl_attr_get_payload(attrs[NDA_LLADDR]), sizeof(fdb.mac));
	fdb.ifindex = ndm->ndm_ifindex;
	fdb.flags = ndm->ndm_flags;
	fdb.state = ndm->ndm_state;
	if (attrs[NDA_MASTER] != NULL) {
		if (attribute_u32(attrs[NDA_MASTER], &value) < 0)
			return -1;
		fdb.master = (int)value;
	}
	if (attrs[NDA_VLAN] != NULL) {
		if (mnl_attr_get_payload_len(attrs[NDA_VLAN]) < sizeof(fdb.vlan))
			return -1;
		memcpy(&fdb.vlan, mnl_attr_get_payload(attrs[NDA_VLAN]), sizeof(fdb.vlan));
	}
	if (attrs[NDA_VNI] != NULL && attribute_u32(attrs[NDA_VNI], &fdb.vni) < 0)
		return -1;
	/* A vxlan remote: its family is told by its size alone. */
	if (attrs[NDA_DST] != NULL &&
	    attribute_ip(attrs[NDA_DST],
			 mnl_attr_get_payload_len(attrs[NDA_DST]) == sizeof(struct in_addr)
				 ? AF_INET
				 : AF_INET6,
			 &fdb.dst) < 0)
		return -1;
	if (mirror->ops.fdb != NULL)
		mirror->ops.fdb(mirror->arg, nlh->nlmsg_type == RTM_NEWNEIGH, &fdb);
	return 0;
}

static int handle_neighbour_message(struct netlink_mirror *mirror, const struct nlmsghdr *nlh)
{
	const struct nlattr *attrs[NDA_MAX + 1];
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	if (parse_message_attributes(nlh, sizeof(*ndm), attrs, NDA_MAX) < 0)
		return -1;
	switch (ndm->ndm_family) {
	case AF_INET:
	case AF_INET6:
		return handle_neighbour(mirror, nlh, ndm, attrs);
	case AF_BRIDGE:
		return handle_fdb(mirror, nlh, ndm, attrs);
	default:
		return -1;
	}
}

/* ---- dispatch ----------------------------------------------------------- */

static void handle_message(struct netlink_mirror *mirror, const struct nlmsghdr *nlh)
{
	int rc;

	mirror->stats.messages++;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		rc = handle_link(mirror, nlh);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		rc = handle_address(mirror, nlh);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		rc = handle_route(mirror, nlh);
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		rc = handle_neighbour_message(mirror, nlh);
		break;
	case RTM_GETNEIGH: /* application probe requests (app_solicit), not state */
	case NLMSG_NOOP:
		rc = 0;
		break;
	default:
		rc = -1;
		break;
	}
	if (rc < 0)
		mirror->stats.parse_errors++;
}

static int handle_buffer(struct netlink_mirror *mirror, const void *buf, size_t size)
{
	const struct nlmsghdr *nlh = buf;
	int remaining = size > INT32_MAX ? INT32_MAX : (int)size;
	int handled = 0;

	while (mnl_nlmsg_ok(nlh, remaining)) {
		handle_message(mirror, nlh);
		handled++;
		nlh = mnl_nlmsg_next(nlh, &remaining);
	}
	if (remaining > 0) /* a truncated or corrupt header ends the buffer */
		mirror->stats.parse_errors++;
	return handled;
}

/* ---- requests on the request socket ------------------------------------- */

static int request_send(struct netlink_mirror *mirror, struct nlmsghdr *nlh)
{
	nlh->nlmsg_seq = ++mirror->sequence;
	if (mnl_socket_sendto(mirror->requests, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

/* Read replies to request `sequence` until NLMSG_DONE or the ack. Data
 * messages (dump replies) go through handle_message(). */
static int request_receive(struct netlink_mirror *mirror, uint32_t sequence, bool *interrupted)
{
	*interrupted = false;
	for (;;) {
		ssize_t received = mnl_socket_recvfrom(mirror->requests, mirror->buffer,
						       sizeof(mirror->buffer));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)mirror->buffer;
		int remaining;

		if (received < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -ETIMEDOUT;
			return -errno;
		}
		remaining = (int)received;
		for (; mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
			if (nlh->nlmsg_seq != sequence || nlh->nlmsg_pid != mirror->request_portid)
				continue; /* late reply to an abandoned request */
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				*interrupted = true;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *error = mnl_nlmsg_get_payload(nlh);

				if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*error))
					return -EPROTO;
				return error->error; /* 0: the ack */
			}
			handle_message(mirror, nlh);
		}
	}
}

static int request_ack(struct netlink_mirror *mirror, struct nlmsghdr *nlh)
{
	bool interrupted;
	int rc = request_send(mirror, nlh);

	if (rc < 0)
		return rc;
	return request_receive(mirror, nlh->nlmsg_seq, &interrupted);
}

static int dump_one(struct netlink_mirror *mirror, uint16_t type, uint8_t family)
{
	for (int attempt = 0; attempt < NETLINK_MIRROR_DUMP_ATTEMPTS; attempt++) {
		/* Room for the largest family header (ifinfomsg). */
		uint8_t request[MNL_ALIGN(sizeof(struct nlmsghdr)) +
				MNL_ALIGN(sizeof(struct ifinfomsg))];
		struct nlmsghdr *nlh;
		bool interrupted;
		int rc;

		memset(request, 0, sizeof(request));
		nlh = mnl_nlmsg_put_header(request);
		nlh->nlmsg_type = type;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		/* Every family header starts with its family byte. */
		switch (type) {
		case RTM_GETLINK:
			((struct ifinfomsg *)mnl_nlmsg_put_extra_header(nlh,
									sizeof(struct ifinfomsg)))
				->ifi_family = family;
			break;
		case RTM_GETADDR:
			((struct ifaddrmsg *)mnl_nlmsg_put_extra_header(nlh,
									sizeof(struct ifaddrmsg)))
				->ifa_family = family;
			break;
		case RTM_GETROUTE:
			((struct rtmsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg)))
				->rtm_family = family;
			break;
		default:
			((struct ndmsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct ndmsg)))
				->ndm_family = family;
			break;
		}
		rc = request_send(mirror, nlh);
		if (rc < 0)
			return rc;
		rc = request_receive(mirror, nlh->nlmsg_seq, &interrupted);
		/* A kernel without IPv6 refuses the IPv6 dumps: nothing to mirror. */
		if (rc == -EAFNOSUPPORT || rc == -EOPNOTSUPP)
			return 0;
		if (rc < 0 || !interrupted)
			return rc;
		/* The table changed under the dump: redo it for a consistent copy. */
		mirror->stats.dump_retries++;
	}
	return 0; /* still changing: the events queued meanwhile complete it */
}

struct sweep_context {
	struct netlink_mirror *mirror;
	int family; /* 0: all */
};

static void sweep_route(void *arg, struct route_entry *entry)
{
	struct sweep_context *context = arg;

	if (entry->node.generation == context->mirror->generation)
		return;
	if (context->family != 0 && entry->route.dst.addr.family != context->family)
		return;
	route_remove(context->mirror, entry);
}

static void sweep_neighbour(void *arg, struct neighbour_entry *entry)
{
	struct sweep_context *context = arg;
	struct netlink_neighbour removed = entry->neighbour;

	if (entry->node.generation == context->mirror->generation)
		return;
	netlink_table_neighbour_remove(&context->mirror->table, entry);
	if (context->mirror->ops.neighbour != NULL)
		context->mirror->ops.neighbour(context->mirror->arg, false, &removed);
}

int netlink_mirror_dump(struct netlink_mirror *mirror)
{
	static const struct {
		unsigned what;
		uint16_t type;
		uint8_t family;
	} dumps[] = {
		{NETLINK_MIRROR_LINKS, RTM_GETLINK, AF_UNSPEC},
		{NETLINK_MIRROR_ADDRESSES, RTM_GETADDR, AF_INET},
		{NETLINK_MIRROR_ADDRESSES, RTM_GETADDR, AF_INET6},
		{NETLINK_MIRROR_ROUTES, RTM_GETROUTE, AF_INET},
		{NETLINK_MIRROR_ROUTES, RTM_GETROUTE, AF_INET6},
		{NETLINK_MIRROR_NEIGHBOURS, RTM_GETNEIGH, AF_INET},
		{NETLINK_MIRROR_NEIGHBOURS, RTM_GETNEIGH, AF_INET6},
		{NETLINK_MIRROR_FDB, RTM_GETNEIGH, AF_BRIDGE},
	};
	struct sweep_context sweep = {.mirror = mirror};
	int rc = 0;

	mirror->generation++;
	mirror->dumping = true;
	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]) && rc == 0; i++)
		if (mirror->what & dumps[i].what)
			rc = dump_one(mirror, dumps[i].type, dumps[i].family);
	mirror->dumping = false;
	if (rc < 0)
		return rc; /* a partial dump proves nothing gone: keep the tables */
	/* Whatever the dump did not confirm is gone from the kernel. */
	netlink_table_route_foreach(&mirror->table, sweep_route, &sweep);
	netlink_table_neighbour_foreach(&mirror->table, sweep_neighbour, &sweep);
	mirror->ipv4_routes_stale = false;
	return 0;
}

static int refresh_ipv4_routes(struct netlink_mirror *mirror)
{
	struct sweep_context sweep = {.mirror = mirror, .family = AF_INET};
	int rc;

	mirror->ipv4_routes_stale = false;
	if (!(mirror->what & NETLINK_MIRROR_ROUTES))
		return 0;
	mirror->generation++;
	mirror->dumping = true;
	rc = dump_one(mirror, RTM_GETROUTE, AF_INET);
	mirror->dumping = false;
	if (rc < 0)
		return rc;
	netlink_table_route_foreach(&mirror->table, sweep_route, &sweep);
	return 0;
}

/* ---- events ------------------------------------------------------------- */

static int resync(struct netlink_mirror *mirror)
{
	int rc;

	mirror->stats.resyncs++;
	if (mirror->ops.resync_begin != NULL)
		mirror->ops.resync_begin(mirror->arg);
	/* What is queued predates the dump below, which supersedes it. */
	for (int i = 0; i < NETLINK_MIRROR_DRAIN_LIMIT; i++) {
		ssize_t received = recv(mnl_socket_get_fd(mirror->events), mirror->buffer,
					sizeof(mirror->buffer), MSG_DONTWAIT);

		if (received < 0 && errno != ENOBUFS && errno != EINTR)
			break;
	}
	rc = netlink_mirror_dump(mirror);
	if (mirror->ops.resync_end != NULL)
		mirror->ops.resync_end(mirror->arg);
	return rc;
}

int netlink_mirror_process(struct netlink_mirror *mirror)
{
	int handled = 0;

	for (int i = 0; i < NETLINK_MIRROR_PROCESS_BUDGET; i++) {
		ssize_t received =
			mnl_socket_recvfrom(mirror->events, mirror->buffer, sizeof(mirror->buffer));

		if (received < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ENOSPC) { /* a message larger than our buffer */
				mirror->stats.parse_errors++;
				continue;
			}
			if (errno == ENOBUFS) { /* the kernel dropped events */
				int rc = resync(mirror);

				if (rc < 0)
					return rc;
				continue;
			}
			return -errno;
		}
		handled += handle_buffer(mirror, mirror->buffer, (size_t)received);
	}
	if (mirror->ipv4_routes_stale) {
		int rc = refresh_ipv4_routes(mirror);

		if (rc < 0)
			return rc;
	}
	return handled;
}

int netlink_mirror_feed(struct netlink_mirror *mirror, const void *buf, size_t size)
{
	if (mirror == NULL || (buf == NULL && size > 0))
		return -EINVAL;
	if ((uintptr_t)buf % NLMSG_ALIGNTO != 0) { /* headers are read in place */
		if (size > sizeof(mirror->buffer))
			return -EINVAL;
		memcpy(mirror->buffer, buf, size);
		buf = mirror->buffer;
	}
	return handle_buffer(mirror, buf, size);
}

/* ---- writes ------------------------------------------------------------- */

int netlink_mirror_resolve(struct netlink_mirror *mirror, int ifindex, const struct conf_ip *addr)
{
	uint8_t request[256];
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	size_t size;

	if (mirror == NULL || addr == NULL || ifindex <= 0)
		return -EINVAL;
	size = netlink_address_size(addr->family);
	if (size == 0)
		return -EAFNOSUPPORT;
	memset(request, 0, sizeof(request));
	nlh = mnl_nlmsg_put_header(request);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	/* NLM_F_CREATE makes an entry when there is none; NTF_USE then runs
	 * neigh_event_send(), which starts the kernel's own ARP/ND probing. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (uint8_t)addr->family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_flags = NTF_USE;
	mnl_attr_put(nlh, NDA_DST, size,
		     addr->family == AF_INET ? (const void *)&addr->v4 : (const void *)&addr->v6);
	return request_ack(mirror, nlh);
}

static int fdb_request(struct netlink_mirror *mirror, uint16_t type, uint16_t flags, int ifindex,
		       const uint8_t mac[6], bool master, uint16_t state)
{
	uint8_t request[256];
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	if (mirror == NULL || mac == NULL || ifindex <= 0)
		return -EINVAL;
	memset(request, 0, sizeof(request));
	nlh = mnl_nlmsg_put_header(request);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_flags = master ? NTF_MASTER : NTF_SELF;
	ndm->ndm_state = state;
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	return request_ack(mirror, nlh);
}

int netlink_fdb_replace(struct netlink_mirror *mirror, int ifindex, const uint8_t mac[6],
			bool master, bool is_static)
{
	/* `bridge fdb replace ... static` is NUD_NOARP; `dynamic` is NUD_REACHABLE
	 * and ages out (DESIGN.md: vtepgw ages local MACs itself). */
	return fdb_request(mirror, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, ifindex, mac, master,
			   is_static ? NUD_NOARP : NUD_REACHABLE);
}

int netlink_fdb_delete(struct netlink_mirror *mirror, int ifindex, const uint8_t mac[6],
		       bool master)
{
	return fdb_request(mirror, RTM_DELNEIGH, 0, ifindex, mac, master, 0);
}

/* ---- lifecycle and lookups ---------------------------------------------- */

int netlink_mirror_set_event_buffer(struct netlink_mirror *mirror, int bytes)
{
	int fd;

	if (mirror == NULL || bytes <= 0)
		return -EINVAL;
	fd = mnl_socket_get_fd(mirror->events);
	/* SO_RCVBUFFORCE ignores net.core.rmem_max but needs CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) == 0)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) == 0)
		return 0;
	return -errno;
}

static int subscribe(struct netlink_mirror *mirror, unsigned what)
{
	static const struct {
		unsigned what;
		unsigned group;
	} groups[] = {
		/* Routes need link events too: see ipv4_routes_stale. */
		{NETLINK_MIRROR_LINKS | NETLINK_MIRROR_ROUTES, RTNLGRP_LINK},
		{NETLINK_MIRROR_ADDRESSES, RTNLGRP_IPV4_IFADDR},
		{NETLINK_MIRROR_ADDRESSES, RTNLGRP_IPV6_IFADDR},
		{NETLINK_MIRROR_ROUTES, RTNLGRP_IPV4_ROUTE},
		{NETLINK_MIRROR_ROUTES, RTNLGRP_IPV6_ROUTE},
		/* AF_BRIDGE neighbours (the FDB) are sent to the same group. */
		{NETLINK_MIRROR_NEIGHBOURS | NETLINK_MIRROR_FDB, RTNLGRP_NEIGH},
	};

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		int group = (int)groups[i].group;

		if (!(what & groups[i].what))
			continue;
		if (mnl_socket_setsockopt(mirror->events, NETLINK_ADD_MEMBERSHIP, &group,
					  sizeof(group)) < 0)
			return -errno;
	}
	return 0;
}

int netlink_mirror_open(struct netlink_mirror **mirror, unsigned what,
			const struct netlink_mirror_ops *ops, void *arg)
{
	struct timeval timeout = {.tv_sec = NETLINK_MIRROR_REQUEST_TIMEOUT};
	struct netlink_mirror *created;
	int rc;

	if (mirror == NULL || what == 0 || (what & ~NETLINK_MIRROR_ALL))
		return -EINVAL;
	created = calloc(1, sizeof(*created));
	if (created == NULL)
		return -ENOMEM;
	created->what = what;
	if (ops != NULL)
		created->ops = *ops;
	created->arg = arg;
	created->sequence = (uint32_t)time(NULL);
	netlink_table_init(&created->table);

	created->events = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (created->events == NULL || mnl_socket_bind(created->events, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err_errno;
	rc = netlink_mirror_set_event_buffer(created, NETLINK_MIRROR_EVENT_BUFFER);
	if (rc < 0)
		goto err;
	rc = subscribe(created, what);
	if (rc < 0)
		goto err;

	created->requests = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (created->requests == NULL ||
	    mnl_socket_bind(created->requests, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(created->requests), SOL_SOCKET, SO_RCVTIMEO, &timeout,
		       sizeof(timeout)) < 0)
		goto err_errno;
	created->request_portid = mnl_socket_get_portid(created->requests);
	*mirror = created;
	return 0;

err_errno:
	rc = -errno;
err:
	netlink_mirror_close(created);
	return rc;
}

void netlink_mirror_close(struct netlink_mirror *mirror)
{
	if (mirror == NULL)
		return;
	if (mirror->events != NULL)
		mnl_socket_close(mirror->events);
	if (mirror->requests != NULL)
		mnl_socket_close(mirror->requests);
	netlink_table_clear(&mirror->table);
	free(mirror);
}

int netlink_mirror_fd(const struct netlink_mirror *mirror)
{
	return mnl_socket_get_fd(mirror->events);
}

const struct netlink_mirror_stats *netlink_mirror_stats(const struct netlink_mirror *mirror)
{
	return &mirror->stats;
}

const struct netlink_route *netlink_mirror_route_lookup(const struct netlink_mirror *mirror,
							const struct conf_ip *addr)
{
	if (mirror == NULL || addr == NULL)
		return NULL;
	return netlink_table_route_lookup(&mirror->table, addr);
}

const struct netlink_neighbour *netlink_mirror_neighbour(const struct netlink_mirror *mirror,
							 int ifindex, const struct conf_ip *addr)
{
	const struct neighbour_entry *entry;

	if (mirror == NULL || addr == NULL || netlink_address_size(addr->family) == 0)
		return NULL;
	entry = netlink_table_neighbour_find(&mirror->table, ifindex, addr);
	return entry != NULL ? &entry->neighbour : NULL;
}

size_t netlink_mirror_route_count(const struct netlink_mirror *mirror)
{
	return mirror->table.routes.count;
}

size_t netlink_mirror_neighbour_count(const struct netlink_mirror *mirror)
{
	return mirror->table.neighbours.count;
}
