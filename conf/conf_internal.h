/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to conf/: the loading context shared by parse.c (libconfig ->
 * model, one setting at a time) and validate.c (rules that span settings).
 */
#ifndef VTEPGW_CONF_INTERNAL_H
#define VTEPGW_CONF_INTERNAL_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf/model.h"

/* Limits that are ours rather than a protocol's; docs/configuration.md. */
#define CONF_PORT_NAME_MAX 15 /* uplinks get a kernel TAP twin: IFNAMSIZ - 1 */
#define CONF_MTU_MIN	   68 /* RFC 791: every IPv4 host must take 68 octets */
#define CONF_MTU_MAX	   9600
#define CONF_MAC_LIMIT_MAX 1048576u
#define CONF_MAC_AGING_MAX 604800u /* one week */
#define CONF_MBUFS_MIN	   511u
#define CONF_MBUFS_MAX	   16777215u
#define CONF_LCORE_MAX	   1023u
#define CONF_MAP_SIZE_MIN  (1ull << 20)
#define CONF_MAP_SIZE_MAX  (1ull << 40)
#define CONF_TEXT_MAX	   (16u << 20) /* a larger configuration file is a mistake */

/* A port whose role failed to parse: references to it are not checked
 * against a role, so that one mistake is reported once. Never escapes
 * conf_load(), which refuses any file with errors. */
#define CONF_PORT_ROLE_UNKNOWN ((enum conf_port_role)255)

/* All errors are in one file (@include is refused), so line order is
 * file order. */
struct conf_error_entry {
	int line;
	size_t sequence; /* keeps reports on one line in the order found */
	char *text;	 /* "file:line: message" */
};

struct conf_context {
	const char *name; /* file name used when libconfig has none */
	struct conf_error_entry *entries;
	size_t n_entries;
	size_t capacity;
	bool out_of_memory;
	/* An address given but malformed has already been reported; these
	 * keep that one mistake from also showing up as "no vtep_ipv4". */
	bool vtep_v4_given;
	bool vtep_v6_given;
};

void conf_error_at(struct conf_context *ctx, const char *file, int line, const char *format, ...)
	__attribute__((format(printf, 4, 5)));
/* Reports at the line (and file) where `setting` was written. */
void conf_error(struct conf_context *ctx, const config_setting_t *setting, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* Fills `model` from the parsed file; reports every setting-level error. */
void conf_parse(struct conf_context *ctx, const config_t *config, struct conf_model *model);
/* Rules between settings: names, IDs, (port, VLAN) ownership, roles. */
void conf_validate(struct conf_context *ctx, const struct conf_model *model);

/* The name under which DPDK knows a port's device, to find two ports on
 * one device: "0000:03:00.0" for "03:00.0", "net_tap0" for "net_tap0,iface=x". */
void conf_device_identity(const char *device, char *buf, size_t size);

/* Frees everything a model owns and the model itself (NULL is fine). */
void conf_model_release(struct conf_model *model);

#endif
