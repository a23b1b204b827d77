/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepgw internal state shared by the control thread (main lcore) and the
 * workers. Ownership rule: the control thread is the only writer of every
 * table below; workers only read, through lock-free rte_hash lookups and
 * RCU-published pointers (QSBR, see control/rcu.c), and report what they
 * learn through `learn_ring`.
 */
#ifndef VTEPGW_GATEWAY_H
#define VTEPGW_GATEWAY_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "conf/model.h"
#include "encap/tunnel.h"

#define GW_MAX_PORTS	       32 /* DPDK port ids, TAP twins included */
#define GW_MAX_WORKERS	       16
#define GW_MAX_VTEPS	       1024
#define GW_MAX_PATHS	       8 /* ECMP next hops used per VTEP */
#define GW_MAX_LOCAL_ADDRESSES 64
#define GW_BURST	       32
#define GW_FDB_CAPACITY	       (1u << 16)
#define GW_LEARN_RING_SIZE     4096
#define GW_VLAN_COUNT	       4096
#define GW_NO_MEMBER	       UINT16_MAX

/*
 * Every drop and exception has one name and one counter (STYLE.md rule 4).
 * The decap verdicts of encap/tunnel.h come first, with their own names; the
 * gateway's own reasons follow.
 */
#define GW_DROPS(X)                           \
	X(UNMAPPED_VLAN, "unmapped_vlan")     \
	X(TRUNCATED, "truncated_frame")       \
	X(NOT_OUR_MAC, "not_our_mac")         \
	X(NOT_LOCAL, "not_local")             \
	X(UNKNOWN_SEGMENT, "unknown_segment") \
	X(UNKNOWN_VTEP, "unknown_vtep")       \
	X(VTEP_UNRESOLVED, "vtep_unresolved") \
	X(ECN_DECAP, "ecn_not_ect_with_ce")   \
	X(OVERSIZE, "oversize")               \
	X(MAC_LIMIT, "mac_limit")             \
	X(SAME_PORT, "same_port")             \
	X(SPLIT_HORIZON, "split_horizon")     \
	X(NO_DESTINATION, "no_destination")   \
	X(ENCAP_FAILED, "encap_failed")       \
	X(NO_MBUF, "no_mbuf")                 \
	X(TX_FULL, "tx_full")                 \
	X(LEARN_RING_FULL, "learn_ring_full") \
	X(PUNT_NO_TAP, "punt_no_tap")

enum gw_drop {
#define GW_DROP_ENUM(name, str) GW_DROP_DECAP_##name,
	DECAP_VERDICTS(GW_DROP_ENUM)
#undef GW_DROP_ENUM
#define GW_DROP_ENUM(name, str) GW_DROP_##name,
		GW_DROPS(GW_DROP_ENUM)
#undef GW_DROP_ENUM
			GW_DROP_COUNT
};

const char *gw_drop_name(enum gw_drop drop);
bool gw_drop_is_reported(enum gw_drop drop); /* false for decap OK / PASS_* */

/* Packets and bytes in one direction. */
struct gw_flow_counter {
	uint64_t packets;
	uint64_t bytes;
};

struct gw_io_counters {
	struct gw_flow_counter rx;
	struct gw_flow_counter tx;
};

/* One per lcore, written only by that lcore; telemetry sums them. */
struct gw_lcore_counters {
	struct gw_io_counters port[GW_MAX_PORTS];
	struct gw_io_counters *segment; /* [n_segments] */
	struct gw_io_counters *vtep;	/* [GW_MAX_VTEPS] */
	uint64_t drops[GW_DROP_COUNT];
	uint64_t punted;
	uint64_t from_tap;
	uint64_t flood_copies;
	uint64_t mac_limit_flooded;
	uint64_t polls;
	uint64_t idle_sleeps;
} __rte_cache_aligned;

enum gw_port_kind {
	GW_PORT_UNUSED = 0,
	GW_PORT_ACCESS,
	GW_PORT_UPLINK,
	GW_PORT_TAP, /* the kernel twin of an uplink */
};

/* Indexed by DPDK port id. */
struct gw_port {
	enum gw_port_kind kind;
	uint16_t port_id;
	int conf_index; /* index into conf_model.ports (for a TAP: of its uplink) */
	uint16_t twin;	/* uplink <-> TAP twin port id */
	uint16_t n_rx_queues;
	uint16_t n_tx_queues;
	uint16_t mtu;		/* L3 MTU */
	uint16_t underlay_vlan; /* uplinks: 802.1Q VID of the underlay, 0 = none */
	struct rte_ether_addr mac;
	char name[CONF_NAME_MAX];     /* config name; TAP: kernel interface name */
	char device[CONF_DEVICE_MAX]; /* DPDK device name (for detach) */
	int tap_ifindex;	      /* TAP: kernel ifindex */
	bool started;
	uint16_t vlan_member[GW_VLAN_COUNT]; /* access: VID (0 = untagged) -> member */
};

/* (access port, VLAN) in one segment. */
struct gw_member {
	uint16_t segment;
	uint16_t port_id;
	uint16_t vlan; /* 0 = untagged */
};

/* What a FDB entry points to, packed into the rte_hash data word so that a
 * lookup costs no further indirection and an update is one atomic store. */
enum gw_dest_kind {
	GW_DEST_MEMBER = 1,
	GW_DEST_VTEP = 2,
};
#define GW_DEST(kind, index) (((uint64_t)(kind) << 32) | (uint32_t)(index))
#define GW_DEST_KIND(dest)   ((uint32_t)((dest) >> 32) & 0xFFFFu)
#define GW_DEST_INDEX(dest)  ((uint32_t)(dest))
/* Set on configured MACs in the hash data word: learning never moves them,
 * so workers need not report conflicts. */
#define GW_DEST_STATIC (1ull << 48)
#define GW_DEST_MASK   (GW_DEST_STATIC - 1)

struct gw_fdb_key {
	uint16_t segment;
	uint8_t mac[6];
} __attribute__((packed));

/* A learned source, from a worker to the control thread. */
struct gw_learn {
	struct gw_fdb_key key;
	uint64_t dest;	     /* GW_DEST_MEMBER, or GW_DEST_VTEP with vtep index */
	struct conf_ip vtep; /* GW_DEST_VTEP of a VTEP not known yet: index UINT32_MAX */
};

/* The compiled forwarding state of one VTEP: published by RCU pointer swap. */
struct gw_vtep_forwarding {
	uint16_t n_paths;
	uint16_t port_id[GW_MAX_PATHS]; /* uplink per path */
	uint16_t n_segments;
	/* templates[segment * n_paths + path] */
	struct encap_template templates[];
};

struct gw_vtep {
	struct conf_ip address;
	bool in_use;
	bool static_flood;		       /* in a static flood list */
	struct gw_vtep_forwarding *forwarding; /* RCU; NULL = unresolved */
	/* control-only state, for telemetry */
	bool resolved;
	struct conf_ip nexthop;
	uint16_t nexthop_port;
	uint8_t nexthop_mac[6];
};

struct gw_segment {
	char name[CONF_NAME_MAX];
	enum conf_segment_type type;
	uint32_t id;
	enum conf_learning learning;
	enum conf_limit_action limit_action;
	uint32_t mac_limit;
	uint16_t *members; /* member indices */
	uint16_t n_members;
	uint16_t *flood; /* vtep indices */
	uint16_t n_flood;
	/* control-maintained */
	uint32_t n_macs;
	uint64_t moves;
	volatile uint8_t at_limit; /* read by workers */
};

struct gw_local_address {
	int family;
	uint8_t bytes[16];
};

/* One worker's receive assignments. */
struct gw_worker {
	unsigned lcore_id;
	unsigned index; /* 0..n_workers-1, also the TX queue and QSBR thread id */
	uint16_t n_rx;
	struct {
		uint16_t port_id;
		uint16_t queue_id;
	} rx[GW_MAX_PORTS * 2];
};

struct gw {
	const struct conf_model *conf;
	struct rte_mempool *pool;
	struct gw_port ports[GW_MAX_PORTS];
	struct gw_member *members;
	uint16_t n_members;
	struct gw_segment *segments;
	uint16_t n_segments;
	struct rte_hash *segment_by_id; /* (type, id) -> segment index; read-only after start */
	struct gw_vtep vteps[GW_MAX_VTEPS];
	uint32_t n_vteps;
	struct rte_hash *vtep_by_address; /* LF: conf_ip -> vtep index */
	struct rte_hash *fdb;		  /* LF: gw_fdb_key -> dest */
	uint32_t *fdb_hit;		  /* [position] = gw_clock when last seen by a worker */
	struct rte_ring *learn_ring;
	struct rte_rcu_qsbr *qsbr;
	struct decap_policy decap_policy;
	struct gw_local_address local_addresses[GW_MAX_LOCAL_ADDRESSES];
	unsigned n_local_addresses;
	struct gw_worker workers[GW_MAX_WORKERS];
	unsigned n_workers;
	struct gw_lcore_counters *counters[RTE_MAX_LCORE];
	volatile uint32_t clock; /* seconds since start, set by the control thread */
	volatile bool stop;
	uint64_t learn_ring_drops;
};

extern struct gw gw;

#endif
