/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link requests for the EVPN shadow devices over one blocking rtnetlink
 * socket (libmnl), each acknowledged before the next is sent.
 */
#include "evpn_link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define EVPN_LINK_REQUEST_TIMEOUT 5 /* seconds */
#define EVPN_LINK_REQUEST_SIZE	  1024

struct evpn_link_socket {
	struct mnl_socket *socket;
	unsigned int portid;
	uint32_t sequence;
	_Alignas(8)
		uint8_t buffer[32768] /* a dump reply message; the kernel caps them near 32 KiB */;
};

int evpn_link_open(struct evpn_link_socket **created)
{
	struct timeval timeout = {.tv_sec = EVPN_LINK_REQUEST_TIMEOUT};
	struct evpn_link_socket *link_socket = calloc(1, sizeof(*link_socket));
	int rc;

	if (link_socket == NULL)
		return -ENOMEM;
	link_socket->socket = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (link_socket->socket == NULL ||
	    mnl_socket_bind(link_socket->socket, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(link_socket->socket), SOL_SOCKET, SO_RCVTIMEO, &timeout,
		       sizeof(timeout)) < 0)
		goto err;
	link_socket->portid = mnl_socket_get_portid(link_socket->socket);
	link_socket->sequence = (uint32_t)time(NULL);
	*created = link_socket;
	return 0;
err:
	rc = -errno;
	evpn_link_close(link_socket);
	return rc;
}

void evpn_link_close(struct evpn_link_socket *link_socket)
{
	if (link_socket == NULL)
		return;
	if (link_socket->socket != NULL)
		mnl_socket_close(link_socket->socket);
	free(link_socket);
}

/* ---- parsing ------------------------------------------------------------ */

struct attributes {
	const struct nlattr **table;
	uint16_t max;
};

static int collect_attribute(const struct nlattr *attr, void *data)
{
	struct attributes *attributes = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= attributes->max)
		attributes->table[type] = attr;
	return MNL_CB_OK;
}

static void parse_nested(const struct nlattr *nest, const struct nlattr **table, uint16_t max)
{
	struct attributes attributes = {table, max};

	memset(table, 0, (max + 1u) * sizeof(*table));
	if (nest != NULL)
		mnl_attr_parse_nested(nest, collect_attribute, &attributes);
}

static uint32_t attribute_u32_or_zero(const struct nlattr *attr)
{
	if (attr == NULL || mnl_attr_get_payload_len(attr) < sizeof(uint32_t))
		return 0;
	return mnl_attr_get_u32(attr);
}

static void parse_vxlan(const struct nlattr *data, struct evpn_link_info *info)
{
	const struct nlattr *vxlan[IFLA_VXLAN_MAX + 1];

	parse_nested(data, vxlan, IFLA_VXLAN_MAX);
	info->vni = attribute_u32_or_zero(vxlan[IFLA_VXLAN_ID]);
	if (vxlan[IFLA_VXLAN_LOCAL] != NULL &&
	    mnl_attr_get_payload_len(vxlan[IFLA_VXLAN_LOCAL]) == sizeof(struct in_addr)) {
		info->local.family = AF_INET;
		memcpy(&info->local.v4, mnl_attr_get_payload(vxlan[IFLA_VXLAN_LOCAL]),
		       sizeof(struct in_addr));
	} else if (vxlan[IFLA_VXLAN_LOCAL6] != NULL &&
		   mnl_attr_get_payload_len(vxlan[IFLA_VXLAN_LOCAL6]) == sizeof(struct in6_addr)) {
		info->local.family = AF_INET6;
		memcpy(&info->local.v6, mnl_attr_get_payload(vxlan[IFLA_VXLAN_LOCAL6]),
		       sizeof(struct in6_addr));
	}
	if (vxlan[IFLA_VXLAN_PORT] != NULL &&
	    mnl_attr_get_payload_len(vxlan[IFLA_VXLAN_PORT]) >= sizeof(uint16_t))
		info->port = ntohs(mnl_attr_get_u16(vxlan[IFLA_VXLAN_PORT]));
	info->learning = vxlan[IFLA_VXLAN_LEARNING] != NULL &&
			 mnl_attr_get_payload_len(vxlan[IFLA_VXLAN_LEARNING]) >= 1 &&
			 mnl_attr_get_u8(vxlan[IFLA_VXLAN_LEARNING]) != 0;
}

static int parse_link(const struct nlmsghdr *nlh, struct evpn_link_info *info)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attrs[IFLA_MAX + 1] = {0};
	const struct nlattr *linkinfo[IFLA_INFO_MAX + 1];
	struct attributes attributes = {attrs, IFLA_MAX};

	memset(info, 0, sizeof(*info));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi) ||
	    mnl_attr_parse(nlh, sizeof(*ifi), collect_attribute, &attributes) < 0)
		return -EPROTO;
	info->ifindex = ifi->ifi_index;
	info->up = (ifi->ifi_flags & IFF_UP) != 0;
	if (attrs[IFLA_IFNAME] != NULL)
		snprintf(info->name, sizeof(info->name), "%.*s",
			 (int)mnl_attr_get_payload_len(attrs[IFLA_IFNAME]),
			 (const char *)mnl_attr_get_payload(attrs[IFLA_IFNAME]));
	info->master = (int)attribute_u32_or_zero(attrs[IFLA_MASTER]);
	info->peer = (int)attribute_u32_or_zero(attrs[IFLA_LINK]);
	parse_nested(attrs[IFLA_LINKINFO], linkinfo, IFLA_INFO_MAX);
	if (linkinfo[IFLA_INFO_KIND] != NULL) {
		const char *kind = mnl_attr_get_payload(linkinfo[IFLA_INFO_KIND]);
		size_t length = mnl_attr_get_payload_len(linkinfo[IFLA_INFO_KIND]);

		if (strncmp(kind, "bridge", length) == 0 && length >= 6)
			info->kind = EVPN_LINK_BRIDGE;
		else if (strncmp(kind, "vxlan", length) == 0 && length >= 5)
			info->kind = EVPN_LINK_VXLAN;
		else if (strncmp(kind, "veth", length) == 0 && length >= 4)
			info->kind = EVPN_LINK_VETH;
	}
	if (info->kind == EVPN_LINK_VXLAN)
		parse_vxlan(linkinfo[IFLA_INFO_DATA], info);
	return 0;
}

/* ---- requests ----------------------------------------------------------- */

struct request_context {
	void (*visit)(void *arg, const struct evpn_link_info *link);
	void *arg;
};

static int reply_data(const struct nlmsghdr *nlh, void *data)
{
	struct request_context *context = data;
	struct evpn_link_info info;

	if (nlh->nlmsg_type != RTM_NEWLINK || context == NULL || context->visit == NULL)
		return MNL_CB_OK;
	if (parse_link(nlh, &info) == 0)
		context->visit(context->arg, &info);
	return MNL_CB_OK;
}

/* Send and read until the ack or the end of the dump. */
static int request(struct evpn_link_socket *link_socket, struct nlmsghdr *nlh,
		   struct request_context *context)
{
	uint32_t sequence = ++link_socket->sequence;

	nlh->nlmsg_seq = sequence;
	if (mnl_socket_sendto(link_socket->socket, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t received = mnl_socket_recvfrom(link_socket->socket, link_socket->buffer,
						       sizeof(link_socket->buffer));
		int rc;

		if (received < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		rc = mnl_cb_run(link_socket->buffer, (size_t)received, sequence,
				link_socket->portid, reply_data, context);
		if (rc < 0)
			return -errno;
		if (rc == MNL_CB_STOP)
			return 0;
	}
}

static struct nlmsghdr *link_message(uint8_t *buffer, uint16_t type, uint16_t flags, int family,
				     int ifindex)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	memset(buffer, 0, EVPN_LINK_REQUEST_SIZE);
	nlh = mnl_nlmsg_put_header(buffer);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = (uint8_t)family;
	ifi->ifi_index = ifindex;
	return nlh;
}

int evpn_link_list(struct evpn_link_socket *link_socket,
		   void (*visit)(void *arg, const struct evpn_link_info *link), void *arg)
{
	uint8_t buffer[EVPN_LINK_REQUEST_SIZE];
	struct nlmsghdr *nlh = link_message(buffer, RTM_GETLINK, NLM_F_DUMP, AF_UNSPEC, 0);
	struct request_context context = {visit, arg};

	nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
	return request(link_socket, nlh, &context);
}

struct get_context {
	struct evpn_link_info *info;
	bool found;
};

static void get_visit(void *arg, const struct evpn_link_info *link)
{
	struct get_context *context = arg;

	*context->info = *link;
	context->found = true;
}

int evpn_link_get(struct evpn_link_socket *link_socket, const char *name,
		  struct evpn_link_info *info)
{
	uint8_t buffer[EVPN_LINK_REQUEST_SIZE];
	struct nlmsghdr *nlh = link_message(buffer, RTM_GETLINK, 0, AF_UNSPEC, 0);
	struct get_context get = {info, false};
	struct request_context context = {get_visit, &get};
	int rc;

	/* The ack after the reply ends the exchange. */
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	rc = request(link_socket, nlh, &context);
	if (rc < 0)
		return rc;
	return get.found ? 0 : -ENODEV;
}

static int create(struct evpn_link_socket *link_socket, const char *name, const char *kind,
		  void (*put_data)(struct nlmsghdr *nlh, const void *arg), const void *arg)
{
	uint8_t buffer[EVPN_LINK_REQUEST_SIZE];
	struct nlmsghdr *nlh =
		link_message(buffer, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, AF_UNSPEC, 0);
	struct nlattr *linkinfo;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	if (put_data != NULL) {
		struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);

		put_data(nlh, arg);
		mnl_attr_nest_end(nlh, data);
	}
	mnl_attr_nest_end(nlh, linkinfo);
	return request(link_socket, nlh, NULL);
}

int evpn_link_create_bridge(struct evpn_link_socket *link_socket, const char *name)
{
	return create(link_socket, name, "bridge", NULL, NULL);
}

struct vxlan_parameters {
	uint32_t vni;
	const struct conf_ip *local;
	uint16_t port;
};

static void put_vxlan(struct nlmsghdr *nlh, const void *arg)
{
	const struct vxlan_parameters *vxlan = arg;

	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, vxlan->vni);
	if (vxlan->local->family == AF_INET)
		mnl_attr_put(nlh, IFLA_VXLAN_LOCAL, sizeof(vxlan->local->v4), &vxlan->local->v4);
	else
		mnl_attr_put(nlh, IFLA_VXLAN_LOCAL6, sizeof(vxlan->local->v6), &vxlan->local->v6);
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(vxlan->port));
	/* nolearning: remote MACs come from zebra only (RFC 8365 §10.1
	 * replaces data-plane learning with the control plane). */
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 0);
}

int evpn_link_create_vxlan(struct evpn_link_socket *link_socket, const char *name, uint32_t vni,
			   const struct conf_ip *local, uint16_t port)
{
	struct vxlan_parameters vxlan = {vni, local, port};

	if (local == NULL || (local->family != AF_INET && local->family != AF_INET6))
		return -EINVAL;
	return create(link_socket, name, "vxlan", put_vxlan, &vxlan);
}

static void put_veth(struct nlmsghdr *nlh, const void *arg)
{
	struct nlattr *peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, arg);
	mnl_attr_nest_end(nlh, peer);
}

int evpn_link_create_veth(struct evpn_link_socket *link_socket, const char *name,
			  const char *peer_name)
{
	return create(link_socket, name, "veth", put_veth, peer_name);
}

int evpn_link_delete(struct evpn_link_socket *link_socket, int ifindex)
{
	uint8_t buffer[EVPN_LINK_REQUEST_SIZE];

	return request(link_socket, link_message(buffer, RTM_DELLINK, 0, AF_UNSPEC, ifindex), NULL);
}

int evpn_link_set_master(struct evpn_link_socket *link_socket, int ifindex, int master)
{
	uint8_t buffer[EVPN_LINK_REQUEST_SIZE];
	struct nlmsghdr *nlh = link_message(buffer, RTM_NEWLINK, 0, AF_UNSPEC, ifindex);

	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return request(link_socket, nlh, NULL);
}

int evpn_link_set_up(struct evpn_link_socket *link_socket, int ifindex)
{
	uint8_t buffer[EVPN_LINK_REQUEST_SIZE];
	struct nlmsghdr *nlh = link_message(buffer, RTM_NEWLINK, 0, AF_UNSPEC, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return request(link_socket, nlh, NULL);
}

static int disable_ipv6(const char *name)
{
	char path[128];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* a kernel without IPv6 */
	if (write(fd, "1", 1) != 1)
		rc = -errno;
	close(fd);
	return rc;
}

int evpn_link_silence(struct evpn_link_socket *link_socket, int ifindex, const char *name)
{
	uint8_t buffer[EVPN_LINK_REQUEST_SIZE];
	struct nlmsghdr *nlh = link_message(buffer, RTM_NEWLINK, 0, AF_UNSPEC, ifindex);
	struct nlattr *spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	struct nlattr *inet6 = mnl_attr_nest_start(nlh, AF_INET6);
	int rc;

	mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(nlh, inet6);
	mnl_attr_nest_end(nlh, spec);
	rc = request(link_socket, nlh, NULL);
	if (rc == -EAFNOSUPPORT || rc == -EOPNOTSUPP)
		rc = 0;
	if (rc < 0)
		return rc;
	return disable_ipv6(name);
}

int evpn_link_port_quiet(struct evpn_link_socket *link_socket, int ifindex)
{
	uint8_t buffer[EVPN_LINK_REQUEST_SIZE];
	/* AF_BRIDGE RTM_SETLINK reaches the bridge's port settings. */
	struct nlmsghdr *nlh = link_message(buffer, RTM_SETLINK, 0, AF_BRIDGE, ifindex);
	struct nlattr *protinfo = mnl_attr_nest_start(nlh, IFLA_PROTINFO | NLA_F_NESTED);

	mnl_attr_put_u8(nlh, IFLA_BRPORT_LEARNING, 0);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_UNICAST_FLOOD, 0);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_MCAST_FLOOD, 0);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_BCAST_FLOOD, 0);
	mnl_attr_nest_end(nlh, protinfo);
	return request(link_socket, nlh, NULL);
}
