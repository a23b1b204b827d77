/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EVPN sync through shadow kernel devices (see evpn_shadow.h). The facts it
 * relies on were measured with FRR 8.4.4 (DESIGN.md):
 *  - a static FDB entry on a bridge port is advertised as a type-2 route and
 *    never aged; deleting it withdraws the route;
 *  - zebra's forwarding state is the vxlan netdev's own (NTF_SELF) FDB entry
 *    carrying NDA_DST: a MAC for type-2, 00:00:00:00:00:00 for type-3;
 *  - when a remote VTEP takes over a local MAC, the entry moves to the vxlan
 *    netdev without any delete event for the stub port.
 */
#include "routing/evpn_shadow.h"

#include <errno.h>
#include <linux/neighbour.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "evpn_frr.h"
#include "evpn_link.h"
#include "evpn_table.h"

/* The private mirror is used for requests only; its event socket is never
 * read, so keep what the kernel may queue there small. */
#define EVPN_SHADOW_IDLE_EVENT_BUFFER 4096

enum evpn_device {
	EVPN_DEVICE_BRIDGE,
	EVPN_DEVICE_VXLAN,
	EVPN_DEVICE_STUB,
	EVPN_DEVICE_PEER,
	EVPN_DEVICES,
};

static const char *const device_role[EVPN_DEVICES] = {"br", "vx", "st", "sp"};

struct evpn_segment {
	uint32_t vni;
	int ifindex[EVPN_DEVICES]; /* 0: not known */
	bool added;		   /* by evpn_shadow_segment_add() since open */
};

struct evpn_shadow {
	struct evpn_shadow_ops ops;
	void *arg;
	struct conf_ip vtep;
	uint16_t udp_port;
	char prefix[EVPN_SHADOW_PREFIX_MAX + 1];
	struct evpn_link_socket *links;
	struct netlink_mirror *requests; /* FDB writes and dumps */
	struct evpn_segment *segments;
	size_t n_segments;
	size_t segments_capacity;
	struct evpn_table table; /* current state, in each entry's `kernel` view */
	uint32_t generation;	 /* of the gateway mirror's resync in progress */
	bool resyncing;
	struct evpn_table *scratch; /* during evpn_shadow_reconcile() */
	bool frr_suspect;	    /* the last frr check found entries missing */
	struct evpn_shadow_stats stats;
};

static const uint8_t zero_mac[6];

/* ---- names and segments ------------------------------------------------- */

static void device_name(const struct evpn_shadow *shadow, enum evpn_device device, uint32_t vni,
			char name[IF_NAMESIZE])
{
	snprintf(name, IF_NAMESIZE, "%s%s%u", shadow->prefix, device_role[device], vni);
}

/* Parse `<prefix><role><VNI>`; false when the name is not one of ours. */
static bool parse_device_name(const struct evpn_shadow *shadow, const char *name,
			      enum evpn_device *device, uint32_t *vni)
{
	size_t prefix_length = strlen(shadow->prefix);
	const char *digits;
	char *end;
	unsigned long value;

	if (strncmp(name, shadow->prefix, prefix_length) != 0)
		return false;
	name += prefix_length;
	for (int role = 0; role < EVPN_DEVICES; role++) {
		if (strncmp(name, device_role[role], 2) != 0)
			continue;
		digits = name + 2;
		if (*digits < '1' || *digits > '9')
			return false;
		errno = 0;
		value = strtoul(digits, &end, 10);
		if (*end != '\0' || errno != 0 || value < CONF_VNI_MIN || value > CONF_VNI_MAX)
			return false;
		*device = (enum evpn_device)role;
		*vni = (uint32_t)value;
		return true;
	}
	return false;
}

static struct evpn_segment *segment_by_vni(const struct evpn_shadow *shadow, uint32_t vni)
{
	for (size_t i = 0; i < shadow->n_segments; i++)
		if (shadow->segments[i].vni == vni)
			return &shadow->segments[i];
	return NULL;
}

static struct evpn_segment *segment_by_device(const struct evpn_shadow *shadow,
					      enum evpn_device device, int ifindex)
{
	if (ifindex <= 0)
		return NULL;
	for (size_t i = 0; i < shadow->n_segments; i++)
		if (shadow->segments[i].ifindex[device] == ifindex)
			return &shadow->segments[i];
	return NULL;
}

static struct evpn_segment *segment_get(struct evpn_shadow *shadow, uint32_t vni)
{
	struct evpn_segment *segment = segment_by_vni(shadow, vni);

	if (segment != NULL)
		return segment;
	if (shadow->n_segments == shadow->segments_capacity) {
		size_t capacity = shadow->segments_capacity ? shadow->segments_capacity * 2 : 16;
		struct evpn_segment *grown =
			realloc(shadow->segments, capacity * sizeof(*shadow->segments));

		if (grown == NULL)
			return NULL;
		shadow->segments = grown;
		shadow->segments_capacity = capacity;
	}
	segment = &shadow->segments[shadow->n_segments++];
	memset(segment, 0, sizeof(*segment));
	segment->vni = vni;
	return segment;
}

static void segment_forget(struct evpn_shadow *shadow, struct evpn_segment *segment)
{
	*segment = shadow->segments[--shadow->n_segments];
}

/* ---- reporting ---------------------------------------------------------- */

static void report_remote(struct evpn_shadow *shadow, uint32_t vni, const uint8_t mac[6],
			  const struct conf_ip *vtep, bool add)
{
	if (add)
		shadow->stats.remote_adds++;
	else
		shadow->stats.remote_dels++;
	if (shadow->ops.remote_mac != NULL)
		shadow->ops.remote_mac(shadow->arg, vni, mac, vtep, add);
}

static void report_flood(struct evpn_shadow *shadow, uint32_t vni, const struct conf_ip *vtep,
			 bool add)
{
	if (add)
		shadow->stats.flood_adds++;
	else
		shadow->stats.flood_dels++;
	if (shadow->ops.flood_vtep != NULL)
		shadow->ops.flood_vtep(shadow->arg, vni, vtep, add);
}

static void report_local_lost(struct evpn_shadow *shadow, uint32_t vni, const uint8_t mac[6])
{
	shadow->stats.local_lost++;
	if (shadow->ops.local_mac_lost != NULL)
		shadow->ops.local_mac_lost(shadow->arg, vni, mac);
}

/* ---- kernel FDB writes -------------------------------------------------- */

static int count_write(struct evpn_shadow *shadow, int rc)
{
	if (rc < 0)
		shadow->stats.write_errors++;
	return rc;
}

static int write_local(struct evpn_shadow *shadow, const struct evpn_segment *segment,
		       const uint8_t mac[6])
{
	int rc = netlink_fdb_replace(shadow->requests, segment->ifindex[EVPN_DEVICE_STUB], mac,
				     true, true);

	if (rc < 0)
		return count_write(shadow, rc);
	shadow->stats.local_writes++;
	/* DESIGN.md: after a move back, zebra leaves the remote `self` entry
	 * on the vxlan netdev; the kernel would keep forwarding to the old VTEP
	 * from it. None there is the usual case. */
	rc = netlink_fdb_delete(shadow->requests, segment->ifindex[EVPN_DEVICE_VXLAN], mac, false);
	if (rc == 0)
		shadow->stats.stale_deletes++;
	else if (rc != -ENOENT)
		return count_write(shadow, rc);
	return 0;
}

static int delete_local(struct evpn_shadow *shadow, const struct evpn_segment *segment,
			const uint8_t mac[6])
{
	int rc =
		netlink_fdb_delete(shadow->requests, segment->ifindex[EVPN_DEVICE_STUB], mac, true);

	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return count_write(shadow, rc);
	shadow->stats.local_deletes++;
	return 0;
}

/* ---- devices ------------------------------------------------------------ */

struct device_scan {
	struct evpn_shadow *shadow;
	struct evpn_link_info found[EVPN_DEVICES];
	uint32_t vni; /* only this VNI; 0: every VNI, recorded as segments */
	int rc;
};

static void scan_visit(void *arg, const struct evpn_link_info *link)
{
	struct device_scan *scan = arg;
	enum evpn_device device;
	uint32_t vni;
	struct evpn_segment *segment;

	if (!parse_device_name(scan->shadow, link->name, &device, &vni))
		return;
	if (scan->vni != 0) {
		if (vni == scan->vni)
			scan->found[device] = *link;
		return;
	}
	segment = segment_get(scan->shadow, vni);
	if (segment == NULL) {
		scan->rc = -ENOMEM;
		return;
	}
	segment->ifindex[device] = link->ifindex;
}

static bool vxlan_matches(const struct evpn_shadow *shadow, const struct evpn_link_info *link,
			  uint32_t vni, int bridge)
{
	return link->kind == EVPN_LINK_VXLAN && link->vni == vni &&
	       conf_ip_equal(&link->local, &shadow->vtep) && link->port == shadow->udp_port &&
	       !link->learning && link->master == bridge;
}

static int delete_device(struct evpn_shadow *shadow, struct evpn_link_info *link)
{
	int rc;

	if (link->ifindex == 0)
		return 0;
	rc = evpn_link_delete(shadow->links, link->ifindex);
	if (rc < 0 && rc != -ENODEV)
		return rc;
	shadow->stats.devices_removed++;
	link->ifindex = 0;
	return 0;
}

/* Bring what exists for `vni` to the wanted shape: wrong devices are deleted
 * and created again (zebra re-learns a recreated vxlan netdev in ~0.3 s). */
static int build_devices(struct evpn_shadow *shadow, uint32_t vni, int ifindex[EVPN_DEVICES],
			 bool created[EVPN_DEVICES])
{
	struct device_scan scan = {.shadow = shadow, .vni = vni};
	struct evpn_link_info *found = scan.found;
	char names[EVPN_DEVICES][IF_NAMESIZE];
	int rc;

	for (int device = 0; device < EVPN_DEVICES; device++)
		device_name(shadow, (enum evpn_device)device, vni, names[device]);
	rc = evpn_link_list(shadow->links, scan_visit, &scan);
	if (rc < 0)
		return rc;

	if (found[EVPN_DEVICE_BRIDGE].ifindex != 0 &&
	    found[EVPN_DEVICE_BRIDGE].kind != EVPN_LINK_BRIDGE)
		rc = delete_device(shadow, &found[EVPN_DEVICE_BRIDGE]);
	if (rc == 0 && found[EVPN_DEVICE_VXLAN].ifindex != 0 &&
	    !vxlan_matches(shadow, &found[EVPN_DEVICE_VXLAN], vni,
			   found[EVPN_DEVICE_BRIDGE].ifindex))
		rc = delete_device(shadow, &found[EVPN_DEVICE_VXLAN]);
	/* The stub pair must be one veth pair: deleting either end deletes both. */
	if (rc == 0 &&
	    (found[EVPN_DEVICE_STUB].ifindex != 0 || found[EVPN_DEVICE_PEER].ifindex != 0) &&
	    (found[EVPN_DEVICE_STUB].kind != EVPN_LINK_VETH ||
	     found[EVPN_DEVICE_PEER].kind != EVPN_LINK_VETH ||
	     found[EVPN_DEVICE_STUB].peer != found[EVPN_DEVICE_PEER].ifindex)) {
		rc = delete_device(shadow, &found[EVPN_DEVICE_STUB]);
		if (rc == 0)
			rc = delete_device(shadow, &found[EVPN_DEVICE_PEER]);
	}
	if (rc < 0)
		return rc;

	if (found[EVPN_DEVICE_BRIDGE].ifindex == 0) {
		rc = evpn_link_create_bridge(shadow->links, names[EVPN_DEVICE_BRIDGE]);
		created[EVPN_DEVICE_BRIDGE] = rc == 0;
	}
	if (rc == 0 && found[EVPN_DEVICE_VXLAN].ifindex == 0) {
		rc = evpn_link_create_vxlan(shadow->links, names[EVPN_DEVICE_VXLAN], vni,
					    &shadow->vtep, shadow->udp_port);
		created[EVPN_DEVICE_VXLAN] = rc == 0;
	}
	if (rc == 0 && found[EVPN_DEVICE_STUB].ifindex == 0) {
		rc = evpn_link_create_veth(shadow->links, names[EVPN_DEVICE_STUB],
					   names[EVPN_DEVICE_PEER]);
		created[EVPN_DEVICE_STUB] = created[EVPN_DEVICE_PEER] = rc == 0;
	}
	for (int device = 0; device < EVPN_DEVICES && rc == 0; device++) {
		struct evpn_link_info info;

		rc = evpn_link_get(shadow->links, names[device], &info);
		ifindex[device] = rc == 0 ? info.ifindex : 0;
		if (rc == 0 && !created[device])
			shadow->stats.devices_adopted++;
		if (rc == 0 && created[device])
			shadow->stats.devices_created++;
	}
	return rc;
}

/* Everything about the devices that a `set` makes true, done every time so
 * an adopted device is repaired. Order matters: silence before up, so the
 * kernel never gets the chance to send an IPv6 DAD or router solicitation. */
static int configure_devices(struct evpn_shadow *shadow, const int ifindex[EVPN_DEVICES],
			     const char names[EVPN_DEVICES][IF_NAMESIZE])
{
	int rc = 0;

	for (int device = 0; device < EVPN_DEVICES && rc == 0; device++)
		rc = evpn_link_silence(shadow->links, ifindex[device], names[device]);
	if (rc == 0)
		rc = evpn_link_set_master(shadow->links, ifindex[EVPN_DEVICE_VXLAN],
					  ifindex[EVPN_DEVICE_BRIDGE]);
	if (rc == 0)
		rc = evpn_link_set_master(shadow->links, ifindex[EVPN_DEVICE_STUB],
					  ifindex[EVPN_DEVICE_BRIDGE]);
	/* Nothing is flooded to the vxlan port: the only frames that could
	 * reach it are the kernel's own, and those must never leave as VXLAN. */
	if (rc == 0)
		rc = evpn_link_port_quiet(shadow->links, ifindex[EVPN_DEVICE_VXLAN]);
	if (rc == 0)
		rc = evpn_link_port_quiet(shadow->links, ifindex[EVPN_DEVICE_STUB]);
	for (int device = 0; device < EVPN_DEVICES && rc == 0; device++)
		rc = evpn_link_set_up(shadow->links, ifindex[device]);
	return rc;
}

int evpn_shadow_segment_add(struct evpn_shadow *shadow, uint32_t vni)
{
	char names[EVPN_DEVICES][IF_NAMESIZE];
	int ifindex[EVPN_DEVICES] = {0};
	bool created[EVPN_DEVICES] = {false};
	struct evpn_segment *segment;
	int rc;

	if (shadow == NULL || vni < CONF_VNI_MIN || vni > CONF_VNI_MAX)
		return -EINVAL;
	for (int device = 0; device < EVPN_DEVICES; device++)
		device_name(shadow, (enum evpn_device)device, vni, names[device]);
	rc = build_devices(shadow, vni, ifindex, created);
	if (rc == 0)
		rc = configure_devices(shadow, ifindex, names);
	if (rc < 0)
		goto err;
	segment = segment_get(shadow, vni);
	if (segment == NULL) {
		rc = -ENOMEM;
		goto err;
	}
	memcpy(segment->ifindex, ifindex, sizeof(segment->ifindex));
	segment->added = true;
	return 0;

err:
	/* Undo exactly what this call created; adopted devices stay. */
	for (int device = 0; device < EVPN_DEVICES; device++) {
		struct evpn_link_info info;

		if (created[device] && evpn_link_get(shadow->links, names[device], &info) == 0)
			evpn_link_delete(shadow->links, info.ifindex);
	}
	return rc;
}

struct vni_sweep {
	struct evpn_shadow *shadow;
	uint32_t vni;
};

/* Forget a segment's entries, reporting the remote ones as gone. */
static void forget_vni_entry(void *arg, struct evpn_entry *entry)
{
	struct vni_sweep *sweep = arg;

	if (entry->vni != sweep->vni)
		return;
	if (entry->kind == EVPN_KEY_FLOOD && entry->kernel.remote)
		report_flood(sweep->shadow, entry->vni, &entry->flood, false);
	else if (entry->kind == EVPN_KEY_MAC && entry->kernel.remote)
		report_remote(sweep->shadow, entry->vni, entry->mac, &entry->kernel.vtep, false);
	evpn_table_remove(&sweep->shadow->table, entry);
}

static int delete_segment_devices(struct evpn_shadow *shadow, struct evpn_segment *segment)
{
	int rc = 0;

	/* The veth peer goes with the stub. The bridge last: zebra then sees
	 * the vxlan netdev leave it first, as with ifdown. */
	static const enum evpn_device order[] = {EVPN_DEVICE_VXLAN, EVPN_DEVICE_STUB,
						 EVPN_DEVICE_BRIDGE};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int ifindex = segment->ifindex[order[i]];
		int result;

		if (ifindex == 0)
			continue;
		result = evpn_link_delete(shadow->links, ifindex);
		if (result == 0)
			shadow->stats.devices_removed++;
		else if (result != -ENODEV && rc == 0)
			rc = result;
	}
	if (segment->ifindex[EVPN_DEVICE_STUB] == 0 && segment->ifindex[EVPN_DEVICE_PEER] != 0) {
		int result = evpn_link_delete(shadow->links, segment->ifindex[EVPN_DEVICE_PEER]);

		if (result == 0)
			shadow->stats.devices_removed++;
		else if (result != -ENODEV && rc == 0)
			rc = result;
	}
	return rc;
}

int evpn_shadow_segment_del(struct evpn_shadow *shadow, uint32_t vni)
{
	struct evpn_segment *segment;
	struct vni_sweep sweep = {shadow, vni};
	int rc;

	if (shadow == NULL)
		return -EINVAL;
	segment = segment_by_vni(shadow, vni);
	if (segment == NULL)
		return -ENOENT;
	rc = delete_segment_devices(shadow, segment);
	evpn_table_foreach(&shadow->table, forget_vni_entry, &sweep);
	segment_forget(shadow, segment);
	return rc;
}

int evpn_shadow_destroy_all(struct evpn_shadow *shadow)
{
	int rc = 0;

	if (shadow == NULL)
		return -EINVAL;
	while (shadow->n_segments > 0) {
		int result = evpn_shadow_segment_del(shadow, shadow->segments[0].vni);

		if (result < 0 && rc == 0)
			rc = result;
	}
	return rc;
}

/* Devices with our names whose segment was not added since open. */
static int remove_strays(struct evpn_shadow *shadow)
{
	struct device_scan scan = {.shadow = shadow};
	int rc;

	/* Re-read what exists: devices may have appeared since open. */
	rc = evpn_link_list(shadow->links, scan_visit, &scan);
	if (rc == 0)
		rc = scan.rc;
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < shadow->n_segments;) {
		struct evpn_segment *segment = &shadow->segments[i];

		if (segment->added) {
			i++;
			continue;
		}
		rc = delete_segment_devices(shadow, segment);
		if (rc < 0)
			return rc;
		segment_forget(shadow, segment);
	}
	return 0;
}

int evpn_shadow_vxlan_ifindex(const struct evpn_shadow *shadow, uint32_t vni)
{
	const struct evpn_segment *segment = shadow ? segment_by_vni(shadow, vni) : NULL;

	return segment != NULL && segment->added ? segment->ifindex[EVPN_DEVICE_VXLAN] : 0;
}

int evpn_shadow_stub_ifindex(const struct evpn_shadow *shadow, uint32_t vni)
{
	const struct evpn_segment *segment = shadow ? segment_by_vni(shadow, vni) : NULL;

	return segment != NULL && segment->added ? segment->ifindex[EVPN_DEVICE_STUB] : 0;
}

/* ---- local MACs --------------------------------------------------------- */

static bool mac_is_unicast(const uint8_t mac[6])
{
	return !(mac[0] & 1) && memcmp(mac, zero_mac, 6) != 0;
}

int evpn_shadow_local_add(struct evpn_shadow *shadow, uint32_t vni, const uint8_t mac[6])
{
	struct evpn_segment *segment;
	struct evpn_entry *entry;
	int rc;

	if (shadow == NULL || mac == NULL || !mac_is_unicast(mac))
		return -EINVAL;
	segment = segment_by_vni(shadow, vni);
	if (segment == NULL || !segment->added)
		return -ENOENT;
	entry = evpn_table_get_mac(&shadow->table, vni, mac);
	if (entry == NULL)
		return -ENOMEM;
	/* Forget the remote entry first: the delete event that follows the
	 * stale-entry removal is then not reported as a remote loss. */
	entry->kernel.remote = false;
	rc = write_local(shadow, segment, mac);
	if (rc < 0) {
		if (!entry->kernel.local)
			evpn_table_remove(&shadow->table, entry);
		return rc;
	}
	entry->kernel.local = true;
	return 0;
}

int evpn_shadow_local_del(struct evpn_shadow *shadow, uint32_t vni, const uint8_t mac[6])
{
	struct evpn_segment *segment;
	struct evpn_entry *entry;
	int rc;

	if (shadow == NULL || mac == NULL)
		return -EINVAL;
	segment = segment_by_vni(shadow, vni);
	if (segment == NULL || !segment->added)
		return -ENOENT;
	entry = evpn_table_find_mac(&shadow->table, vni, mac);
	/* A MAC that moved away is no longer on the stub: nothing to delete. */
	if (entry != NULL && !entry->kernel.local && entry->kernel.remote)
		return 0;
	rc = delete_local(shadow, segment, mac);
	if (rc < 0)
		return rc;
	if (entry != NULL) {
		entry->kernel.local = false;
		if (!entry->kernel.remote)
			evpn_table_remove(&shadow->table, entry);
	}
	return 0;
}

/* ---- events ------------------------------------------------------------- */

static void remote_mac_event(struct evpn_shadow *shadow, uint32_t vni, bool add,
			     const uint8_t mac[6], const struct conf_ip *vtep)
{
	struct evpn_entry *entry = evpn_table_find_mac(&shadow->table, vni, mac);

	if (!add) {
		/* Only the entry we reported goes: a late delete of an older
		 * VTEP after a move must not remove the new one. */
		if (entry == NULL || !entry->kernel.remote ||
		    !conf_ip_equal(&entry->kernel.vtep, vtep))
			return;
		entry->kernel.remote = false;
		report_remote(shadow, vni, mac, vtep, false);
		if (!entry->kernel.local)
			evpn_table_remove(&shadow->table, entry);
		return;
	}
	if (entry == NULL)
		entry = evpn_table_get_mac(&shadow->table, vni, mac);
	if (entry == NULL)
		return; /* out of memory: the next reconcile catches up */
	entry->generation = shadow->generation;
	if (entry->kernel.local) {
		/* The kernel moved our static entry to the vxlan netdev. */
		entry->kernel.local = false;
		report_local_lost(shadow, vni, mac);
	}
	if (entry->kernel.remote && conf_ip_equal(&entry->kernel.vtep, vtep))
		return; /* a refresh (zebra replaces entries it already has) */
	entry->kernel.remote = true;
	entry->kernel.vtep = *vtep;
	report_remote(shadow, vni, mac, vtep, true);
}

static void flood_event(struct evpn_shadow *shadow, uint32_t vni, bool add,
			const struct conf_ip *vtep)
{
	struct evpn_entry *entry = evpn_table_find_flood(&shadow->table, vni, vtep);

	if (!add) {
		if (entry == NULL)
			return;
		evpn_table_remove(&shadow->table, entry);
		report_flood(shadow, vni, vtep, false);
		return;
	}
	if (entry == NULL) {
		entry = evpn_table_get_flood(&shadow->table, vni, vtep);
		if (entry == NULL)
			return;
		entry->kernel.remote = true;
		report_flood(shadow, vni, vtep, true);
	}
	entry->generation = shadow->generation;
}

void evpn_shadow_fdb_event(struct evpn_shadow *shadow, bool add, const struct netlink_fdb *fdb)
{
	const struct evpn_segment *segment;

	if (shadow == NULL || fdb == NULL)
		return;
	shadow->stats.events++;
	/* Forwarding state only: the vxlan netdev's own entries with a
	 * destination. The bridge's copies (no NDA_DST) and the stub's
	 * entries (which we wrote) say nothing new. */
	segment = segment_by_device(shadow, EVPN_DEVICE_VXLAN, fdb->ifindex);
	if (segment == NULL || !segment->added || fdb->dst.family == 0) {
		shadow->stats.ignored_events++;
		return;
	}
	if (memcmp(fdb->mac, zero_mac, sizeof(zero_mac)) == 0)
		flood_event(shadow, segment->vni, add, &fdb->dst);
	else if (mac_is_unicast(fdb->mac))
		remote_mac_event(shadow, segment->vni, add, fdb->mac, &fdb->dst);
	else
		shadow->stats.ignored_events++;
}

void evpn_shadow_resync_begin(struct evpn_shadow *shadow)
{
	if (shadow == NULL)
		return;
	shadow->generation++;
	shadow->resyncing = true;
}

static void sweep_unseen(void *arg, struct evpn_entry *entry)
{
	struct evpn_shadow *shadow = arg;

	if (entry->generation == shadow->generation || !entry->kernel.remote)
		return;
	if (entry->kind == EVPN_KEY_FLOOD) {
		struct conf_ip vtep = entry->flood;
		uint32_t vni = entry->vni;

		evpn_table_remove(&shadow->table, entry);
		report_flood(shadow, vni, &vtep, false);
		return;
	}
	entry->kernel.remote = false;
	report_remote(shadow, entry->vni, entry->mac, &entry->kernel.vtep, false);
	if (!entry->kernel.local)
		evpn_table_remove(&shadow->table, entry);
}

void evpn_shadow_resync_end(struct evpn_shadow *shadow)
{
	if (shadow == NULL || !shadow->resyncing)
		return;
	shadow->resyncing = false;
	/* Remote state not dumped again is gone; local MACs are ours and were
	 * not touched by the resync. */
	evpn_table_foreach(&shadow->table, sweep_unseen, shadow);
}

/* ---- reconciliation ----------------------------------------------------- */

/* Dump callback of the private mirror: the kernel's side of each entry. */
static void dump_fdb(void *arg, bool add, const struct netlink_fdb *fdb)
{
	struct evpn_shadow *shadow = arg;
	const struct evpn_segment *segment;
	struct evpn_entry *entry;

	if (!add || shadow->scratch == NULL)
		return;
	segment = segment_by_device(shadow, EVPN_DEVICE_VXLAN, fdb->ifindex);
	if (segment != NULL && segment->added && fdb->dst.family != 0) {
		if (memcmp(fdb->mac, zero_mac, sizeof(zero_mac)) == 0) {
			entry = evpn_table_get_flood(shadow->scratch, segment->vni, &fdb->dst);
			if (entry != NULL)
				entry->kernel.remote = true;
		} else if (mac_is_unicast(fdb->mac)) {
			entry = evpn_table_get_mac(shadow->scratch, segment->vni, fdb->mac);
			if (entry != NULL) {
				entry->kernel.remote = true;
				entry->kernel.vtep = fdb->dst;
			}
		}
		return;
	}
	/* A local MAC: the bridge's static entry on the stub port. The
	 * port's own address (permanent) and multicast lists are not. */
	segment = segment_by_device(shadow, EVPN_DEVICE_STUB, fdb->ifindex);
	if (segment == NULL || !segment->added || fdb->master == 0 ||
	    (fdb->state & NUD_PERMANENT) || !mac_is_unicast(fdb->mac))
		return;
	entry = evpn_table_get_mac(shadow->scratch, segment->vni, fdb->mac);
	if (entry != NULL)
		entry->kernel.local = true;
}

int evpn_shadow_believe(struct evpn_shadow *shadow, const struct evpn_shadow_entry *belief)
{
	struct evpn_entry *entry;

	if (shadow == NULL || belief == NULL || shadow->scratch == NULL)
		return -EINVAL;
	switch (belief->kind) {
	case EVPN_SHADOW_LOCAL_MAC:
	case EVPN_SHADOW_REMOTE_MAC:
		if (!mac_is_unicast(belief->mac))
			return -EINVAL;
		entry = evpn_table_get_mac(shadow->scratch, belief->vni, belief->mac);
		if (entry == NULL)
			return -ENOMEM;
		if (belief->kind == EVPN_SHADOW_LOCAL_MAC) {
			entry->belief.local = true;
		} else {
			entry->belief.remote = true;
			entry->belief.vtep = belief->vtep;
		}
		return 0;
	case EVPN_SHADOW_FLOOD_VTEP:
		if (belief->vtep.family != AF_INET && belief->vtep.family != AF_INET6)
			return -EINVAL;
		entry = evpn_table_get_flood(shadow->scratch, belief->vni, &belief->vtep);
		if (entry == NULL)
			return -ENOMEM;
		entry->belief.remote = true;
		return 0;
	}
	return -EINVAL;
}

struct converge {
	struct evpn_shadow *shadow;
	int rc;
};

/* Decide one entry (see evpn_shadow.h) and record the outcome in the
 * shadow's table. */
static void converge_entry(void *arg, struct evpn_entry *entry)
{
	struct converge *converge = arg;
	struct evpn_shadow *shadow = converge->shadow;
	const struct evpn_segment *segment = segment_by_vni(shadow, entry->vni);
	bool has_segment = segment != NULL && segment->added;
	struct evpn_view now = entry->kernel;
	struct evpn_entry *current;
	int rc = 0;

	if (entry->kind == EVPN_KEY_FLOOD) {
		if (now.remote && !entry->belief.remote)
			report_flood(shadow, entry->vni, &entry->flood, true);
		else if (!now.remote && entry->belief.remote)
			report_flood(shadow, entry->vni, &entry->flood, false);
		if (!now.remote)
			return;
		current = evpn_table_get_flood(&shadow->table, entry->vni, &entry->flood);
	} else {
		if (entry->belief.local && has_segment) {
			if (!now.local && now.remote) {
				report_local_lost(shadow, entry->vni, entry->mac);
			} else if (!now.local || now.remote) {
				/* Missing, or with the stale remote entry beside it. */
				rc = write_local(shadow, segment, entry->mac);
				now.local = rc == 0 || now.local;
			}
		} else if (now.local && has_segment) {
			rc = delete_local(shadow, segment, entry->mac);
			now.local = rc < 0;
		}
		/* While the stub holds the MAC, it is local (write_local removed the
		 * remote entry beside it). */
		if (now.local)
			now.remote = false;
		if (now.remote &&
		    (!entry->belief.remote || !conf_ip_equal(&entry->belief.vtep, &now.vtep)))
			report_remote(shadow, entry->vni, entry->mac, &now.vtep, true);
		else if (!now.remote && entry->belief.remote)
			report_remote(shadow, entry->vni, entry->mac, &entry->belief.vtep, false);
		if (!now.local && !now.remote)
			goto out;
		current = evpn_table_get_mac(&shadow->table, entry->vni, entry->mac);
	}
	if (current == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	current->kernel = now;
	current->generation = shadow->generation;
out:
	if (rc < 0 && converge->rc == 0)
		converge->rc = rc;
}

int evpn_shadow_reconcile(struct evpn_shadow *shadow, int (*walk)(void *walk_arg), void *walk_arg)
{
	struct evpn_table scratch;
	struct converge converge = {.shadow = shadow};
	int rc;

	if (shadow == NULL || shadow->scratch != NULL)
		return -EINVAL;
	rc = remove_strays(shadow);
	if (rc < 0)
		return rc;
	evpn_table_init(&scratch);
	shadow->scratch = &scratch;
	rc = netlink_mirror_dump(shadow->requests);
	if (rc == 0 && walk != NULL)
		rc = walk(walk_arg);
	shadow->scratch = NULL;
	if (rc < 0)
		goto out;
	/* The scratch table now holds both sides; it replaces what was known. */
	evpn_table_clear(&shadow->table);
	evpn_table_foreach(&scratch, converge_entry, &converge);
	rc = converge.rc;
out:
	evpn_table_clear(&scratch);
	return rc;
}

/* ---- FRR recovery ------------------------------------------------------- */

struct type3_check {
	struct evpn_shadow *shadow;
	uint32_t vni;
	unsigned missing;
};

static void check_type3(void *arg, const struct conf_ip *vtep)
{
	struct type3_check *check = arg;

	if (conf_ip_equal(vtep, &check->shadow->vtep))
		return; /* our own route */
	if (evpn_table_find_flood(&check->shadow->table, check->vni, vtep) == NULL)
		check->missing++;
}

int evpn_shadow_frr_readvertise(struct evpn_shadow *shadow, const struct evpn_shadow_frr *frr)
{
	/* `router bgp` without a number enters the default instance. */
	static const char *const toggle[] = {
		"configure terminal",	"router bgp",	     "address-family l2vpn evpn",
		"no advertise-all-vni", "advertise-all-vni", "end",
	};
	int rc;

	if (shadow == NULL)
		return -EINVAL;
	rc = evpn_vtysh(frr, toggle, sizeof(toggle) / sizeof(toggle[0]), NULL);
	if (rc == 0)
		shadow->stats.frr_recoveries++;
	return rc;
}

int evpn_shadow_frr_check(struct evpn_shadow *shadow, const struct evpn_shadow_frr *frr)
{
	unsigned missing = 0;
	int rc;

	if (shadow == NULL)
		return -EINVAL;
	for (size_t i = 0; i < shadow->n_segments; i++) {
		struct type3_check check = {shadow, shadow->segments[i].vni, 0};
		char command[96];
		const char *commands[] = {command};
		char *output;

		if (!shadow->segments[i].added)
			continue;
		snprintf(command, sizeof(command),
			 "show bgp l2vpn evpn route vni %u type multicast json", check.vni);
		rc = evpn_vtysh(frr, commands, 1, &output);
		if (rc < 0)
			return rc;
		evpn_frr_parse_type3(output, check_type3, &check);
		free(output);
		missing += check.missing;
	}
	if (missing == 0) {
		shadow->frr_suspect = false;
		return 0;
	}
	if (!shadow->frr_suspect) {
		shadow->frr_suspect = true; /* maybe in flight: look again next time */
		return 0;
	}
	shadow->frr_suspect = false;
	rc = evpn_shadow_frr_readvertise(shadow, frr);
	return rc < 0 ? rc : 1;
}

/* ---- lifecycle ---------------------------------------------------------- */

const struct evpn_shadow_stats *evpn_shadow_stats(const struct evpn_shadow *shadow)
{
	return &shadow->stats;
}

int evpn_shadow_open(struct evpn_shadow **created, const struct evpn_shadow_ops *ops, void *arg,
		     const struct evpn_shadow_config *config)
{
	static const struct netlink_mirror_ops dump_ops = {.fdb = dump_fdb};
	struct device_scan scan;
	struct evpn_shadow *shadow;
	int rc;

	if (created == NULL || config == NULL ||
	    strnlen(config->prefix, sizeof(config->prefix)) > EVPN_SHADOW_PREFIX_MAX)
		return -EINVAL;
	if (config->vtep_v4.family != AF_INET && config->vtep_v6.family != AF_INET6)
		return -EINVAL;
	shadow = calloc(1, sizeof(*shadow));
	if (shadow == NULL)
		return -ENOMEM;
	if (ops != NULL)
		shadow->ops = *ops;
	shadow->arg = arg;
	shadow->vtep = config->vtep_v4.family == AF_INET ? config->vtep_v4 : config->vtep_v6;
	shadow->udp_port = config->udp_port ? config->udp_port : EVPN_SHADOW_DEFAULT_PORT;
	snprintf(shadow->prefix, sizeof(shadow->prefix), "%s",
		 config->prefix[0] ? config->prefix : EVPN_SHADOW_DEFAULT_PREFIX);
	evpn_table_init(&shadow->table);

	rc = evpn_link_open(&shadow->links);
	if (rc < 0)
		goto err;
	rc = netlink_mirror_open(&shadow->requests, NETLINK_MIRROR_FDB, &dump_ops, shadow);
	if (rc < 0)
		goto err;
	rc = netlink_mirror_set_event_buffer(shadow->requests, EVPN_SHADOW_IDLE_EVENT_BUFFER);
	if (rc < 0)
		goto err;
	/* Devices of a previous run: adopted by segment_add, else strays. */
	memset(&scan, 0, sizeof(scan));
	scan.shadow = shadow;
	rc = evpn_link_list(shadow->links, scan_visit, &scan);
	if (rc == 0)
		rc = scan.rc;
	if (rc < 0)
		goto err;
	*created = shadow;
	return 0;

err:
	evpn_shadow_close(shadow);
	return rc;
}

void evpn_shadow_close(struct evpn_shadow *shadow)
{
	if (shadow == NULL)
		return;
	netlink_mirror_close(shadow->requests);
	evpn_link_close(shadow->links);
	evpn_table_clear(&shadow->table);
	free(shadow->segments);
	free(shadow);
}
