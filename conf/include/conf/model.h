/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The typed, validated model of one vtepgw configuration file. conf_load()
 * either returns a complete model in which every cross-reference has been
 * checked, or refuses the whole file with every error as `file:line: what`.
 * No DPDK here; `routing/` and `gateway/` both consume this model.
 */
#ifndef VTEPGW_CONF_MODEL_H
#define VTEPGW_CONF_MODEL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_NAME_MAX	32
#define CONF_PATH_MAX	256
#define CONF_DEVICE_MAX 256

/* RFC 7348 §5: 24-bit VNI; we reserve 0. RFC 7637 §3.4: VSIDs 0..0xFFF and
 * 0xFFFFFF are reserved. */
#define CONF_VNI_MIN  1u
#define CONF_VNI_MAX  0xFFFFFFu
#define CONF_VSID_MIN 0x1000u
#define CONF_VSID_MAX 0xFFFFFEu

struct conf_ip {
	int family; /* 0 = not set, AF_INET, AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

struct conf_prefix {
	struct conf_ip addr;
	uint8_t len;
};

enum conf_port_role {
	CONF_PORT_ACCESS,
	CONF_PORT_UPLINK,
};

struct conf_port {
	char name[CONF_NAME_MAX];
	enum conf_port_role role;
	char device[CONF_DEVICE_MAX]; /* PCI address "0000:03:00.0" or vdev "net_af_packet0,iface=x"
				       */
	uint16_t mtu;		      /* L3 MTU of the port; default 1500 */
	bool has_mac;
	uint8_t mac[6];		       /* overrides the device MAC (uplinks and their TAP twins) */
	struct conf_prefix *addresses; /* uplinks: addresses put on the TAP twin */
	size_t n_addresses;
	uint16_t vlan; /* uplinks: 802.1Q VID of the underlay, 0 = untagged */
	int line;
};

enum conf_segment_type {
	CONF_SEGMENT_VXLAN,
	CONF_SEGMENT_NVGRE,
};

enum conf_learning {
	CONF_LEARNING_DATAPLANE, /* learn remote MACs from decapsulated frames */
	CONF_LEARNING_EVPN,	 /* remote MACs and flood lists from BGP EVPN (VXLAN only) */
	CONF_LEARNING_STATIC,	 /* only configured MACs; no learning from the overlay */
};

/* What happens to a frame from a new MAC once the segment is at its limit. */
enum conf_limit_action {
	CONF_LIMIT_FLOOD, /* forward it, do not learn */
	CONF_LIMIT_DROP,  /* drop it and count */
};

struct conf_member {
	size_t port;   /* index into conf_model.ports */
	uint16_t vlan; /* 1..4094, or 0 = untagged */
	int line;
};

struct conf_static_mac {
	uint8_t mac[6];
	bool remote;   /* true: behind `vtep`; false: on member `member` */
	size_t member; /* index into the segment's members */
	struct conf_ip vtep;
	int line;
};

struct conf_segment {
	char name[CONF_NAME_MAX];
	enum conf_segment_type type;
	uint32_t id; /* VNI or VSID */
	struct conf_member *members;
	size_t n_members;
	struct conf_ip *flood; /* remote VTEPs for head-end replication */
	size_t n_flood;
	enum conf_learning learning;
	uint32_t mac_limit; /* 0 = use gateway.mac_limit */
	enum conf_limit_action limit_action;
	struct conf_static_mac *static_macs;
	size_t n_static_macs;
	int line;
};

struct conf_bgp_neighbor {
	struct conf_ip addr;
	uint32_t remote_asn;
	size_t port; /* uplink it is reached through, index into ports */
	bool bfd;
	int line;
};

struct conf_bgp {
	bool enabled;
	uint32_t asn;
	struct in_addr router_id;
	bool evpn;	 /* l2vpn evpn + advertise-all-vni */
	bool manage_frr; /* false: the operator owns FRR's configuration */
	struct conf_bgp_neighbor *neighbors;
	size_t n_neighbors;
	int line;
};

struct conf_gateway {
	char name[CONF_NAME_MAX];
	struct conf_ip vtep_v4; /* source address of IPv4-underlay tunnels */
	struct conf_ip vtep_v6; /* source address of IPv6-underlay tunnels */
	uint16_t vxlan_port;	/* default 4789 */
	uint16_t udp_src_min;	/* default 49152 */
	uint16_t udp_src_max;	/* default 65535 */
	uint8_t ttl;		/* default 64 */
	bool dscp_copy;		/* true: copy inner DSCP; false: set `dscp` */
	uint8_t dscp;
	bool ecn_compat;	       /* RFC 6040 compatibility mode (outer Not-ECT) */
	bool vxlan_strict;	       /* drop VXLAN with reserved bits set */
	bool nvgre_flow_id;	       /* NVGRE FlowID entropy on (default) */
	uint32_t mac_aging;	       /* seconds, default 300; 0 = never age */
	uint32_t mac_limit;	       /* default per-segment limit, default 8192 */
	char lmdb_path[CONF_PATH_MAX]; /* default /var/lib/vtepgw */
	uint64_t lmdb_map_size;	       /* bytes, default 256 MiB */
	int line;
};

struct conf_dpdk {
	char lcores[64]; /* EAL -l argument, e.g. "0-1"; main lcore = first */
	char **eal_args; /* extra EAL arguments, verbatim */
	size_t n_eal_args;
	unsigned mbufs; /* mbuf pool size, default 8191 */
	int line;
};

struct conf_model {
	char *source; /* file it came from */
	struct conf_gateway gateway;
	struct conf_dpdk dpdk;
	struct conf_port *ports;
	size_t n_ports;
	struct conf_segment *segments;
	size_t n_segments;
	struct conf_bgp bgp;
};

/* Errors collected while loading; each is "file:line: message". */
struct conf_errors {
	char **items;
	size_t n;
};

/* Load and validate. Returns 0 and sets *model, or -1 with every error in
 * `errors` (and *model NULL). errors may be NULL; errors are appended to it,
 * sorted by line. `@include` is refused: one file is the whole
 * configuration. */
int conf_load(const char *path, struct conf_model **model, struct conf_errors *errors);
/* Same from a string (tests, fuzzing); `name` stands for the file name. */
int conf_load_string(const char *text, const char *name, struct conf_model **model,
		     struct conf_errors *errors);
void conf_free(struct conf_model *model);

void conf_errors_print(const struct conf_errors *errors, FILE *out);
void conf_errors_clear(struct conf_errors *errors);

/* Human summary printed by `vtepgw --check-config`. */
void conf_print_summary(const struct conf_model *model, FILE *out);

/* Lookups used by the gateway and routing. Return NULL when absent. */
const struct conf_port *conf_port_by_name(const struct conf_model *model, const char *name);
const struct conf_segment *conf_segment_by_name(const struct conf_model *model, const char *name);

/* Text helpers shared by conf, routing and the CLI. */
int conf_ip_parse(const char *text, struct conf_ip *ip); /* 0 or -1 */
const char *conf_ip_format(const struct conf_ip *ip, char *buf, size_t size);
int conf_mac_parse(const char *text, uint8_t mac[6]); /* 0 or -1 */
const char *conf_mac_format(const uint8_t mac[6], char *buf, size_t size);
bool conf_ip_equal(const struct conf_ip *a, const struct conf_ip *b);
/* "10.0.0.1/24", "2001:db8::1/64": the address keeps its host bits. */
int conf_prefix_parse(const char *text, struct conf_prefix *prefix); /* 0 or -1 */
const char *conf_prefix_format(const struct conf_prefix *prefix, char *buf, size_t size);

/* Buffer sizes for the formatters above, with the terminating NUL. */
#define CONF_IP_TEXT_SIZE     46 /* INET6_ADDRSTRLEN */
#define CONF_PREFIX_TEXT_SIZE 50
#define CONF_MAC_TEXT_SIZE    18

#endif
