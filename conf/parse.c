/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libconfig settings -> struct conf_model, one setting at a time. Every
 * group is checked against the names it may hold, so a typo is an error and
 * never a silently ignored line; every value is checked for type and range.
 * An error is reported and parsing goes on, so that one run shows them all.
 * Rules between settings (duplicates, roles, ownership) are in validate.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_internal.h"

#define WHERE_SIZE 96

/* Result of looking a setting up. */
enum lookup {
	SETTING_BAD = -1, /* present but wrong (already reported), or required and absent */
	SETTING_ABSENT = 0,
	SETTING_FOUND = 1,
};

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number with a fraction";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "true/false";
	case CONFIG_TYPE_ARRAY:
		return "an array [...]";
	case CONFIG_TYPE_LIST:
		return "a list (...)";
	case CONFIG_TYPE_GROUP:
		return "a group {...}";
	}
	return "an unknown type";
}

/* Edit distance, to suggest the setting a typo was meant to be. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t row[33], la = strlen(a), lb = strlen(b), i, j;

	if (la > 32 || lb > 32)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diagonal = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t above = row[j];
			size_t best = diagonal + (a[i - 1] != b[j - 1]);

			if (above + 1 < best)
				best = above + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diagonal = above;
		}
	}
	return row[lb];
}

static void check_known(struct conf_context *ctx, const config_setting_t *group, const char *where,
			const char *const known[])
{
	int i, n = config_setting_length(group);

	for (i = 0; i < n; i++) {
		const config_setting_t *child = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(child);
		const char *closest = NULL;
		size_t best = 3, k;

		if (name == NULL)
			continue;
		for (k = 0; known[k] != NULL; k++) {
			size_t distance;

			if (strcmp(known[k], name) == 0)
				break;
			distance = edit_distance(name, known[k]);
			if (distance < best) {
				best = distance;
				closest = known[k];
			}
		}
		if (known[k] != NULL)
			continue;
		if (closest != NULL)
			conf_error(ctx, child, "%s: unknown setting '%s' (did you mean '%s'?)",
				   where, name, closest);
		else
			conf_error(ctx, child, "%s: unknown setting '%s'", where, name);
	}
}

static enum lookup find(struct conf_context *ctx, const config_setting_t *group, const char *name,
			const char *where, bool required, const config_setting_t **out)
{
	*out = config_setting_get_member(group, name);
	if (*out != NULL)
		return SETTING_FOUND;
	if (required) {
		conf_error(ctx, group, "%s: missing required setting '%s'", where, name);
		return SETTING_BAD;
	}
	return SETTING_ABSENT;
}

static bool is_integer(const config_setting_t *setting)
{
	int type = config_setting_type(setting);

	return type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64;
}

static enum lookup get_string(struct conf_context *ctx, const config_setting_t *group,
			      const char *name, const char *where, bool required, const char **out,
			      const config_setting_t **setting_out)
{
	const config_setting_t *setting;
	enum lookup found = find(ctx, group, name, where, required, &setting);

	if (found != SETTING_FOUND)
		return found;
	if (config_setting_type(setting) != CONFIG_TYPE_STRING) {
		conf_error(ctx, setting, "%s: %s must be a string, not %s", where, name,
			   type_name(config_setting_type(setting)));
		return SETTING_BAD;
	}
	*out = config_setting_get_string(setting);
	if (setting_out != NULL)
		*setting_out = setting;
	return SETTING_FOUND;
}

static enum lookup get_integer(struct conf_context *ctx, const config_setting_t *group,
			       const char *name, const char *where, bool required, long long min,
			       long long max, long long *out)
{
	const config_setting_t *setting;
	enum lookup found = find(ctx, group, name, where, required, &setting);
	long long value;

	if (found != SETTING_FOUND)
		return found;
	if (!is_integer(setting)) {
		conf_error(ctx, setting, "%s: %s must be an integer, not %s", where, name,
			   type_name(config_setting_type(setting)));
		return SETTING_BAD;
	}
	value = config_setting_get_int64(setting);
	if (value < min || value > max) {
		conf_error(ctx, setting, "%s: %s %lld is out of range %lld..%lld", where, name,
			   value, min, max);
		return SETTING_BAD;
	}
	*out = value;
	return SETTING_FOUND;
}

static enum lookup get_bool(struct conf_context *ctx, const config_setting_t *group,
			    const char *name, const char *where, bool *out)
{
	const config_setting_t *setting;
	enum lookup found = find(ctx, group, name, where, false, &setting);

	if (found != SETTING_FOUND)
		return found;
	if (config_setting_type(setting) != CONFIG_TYPE_BOOL) {
		conf_error(ctx, setting, "%s: %s must be true or false, not %s", where, name,
			   type_name(config_setting_type(setting)));
		return SETTING_BAD;
	}
	*out = config_setting_get_bool(setting) != 0;
	return SETTING_FOUND;
}

/* A string that must be one of `choices`; *out is its index. */
static enum lookup get_choice(struct conf_context *ctx, const config_setting_t *group,
			      const char *name, const char *where, const char *const choices[],
			      int *out)
{
	const config_setting_t *setting;
	const char *text;
	char listed[128] = "";
	enum lookup found = get_string(ctx, group, name, where, false, &text, &setting);
	int i;

	if (found != SETTING_FOUND)
		return found;
	for (i = 0; choices[i] != NULL; i++) {
		if (strcmp(text, choices[i]) == 0) {
			*out = i;
			return SETTING_FOUND;
		}
		snprintf(listed + strlen(listed), sizeof(listed) - strlen(listed), "%s\"%s\"",
			 i ? ", " : "", choices[i]);
	}
	conf_error(ctx, setting, "%s: %s must be one of %s, not \"%s\"", where, name, listed, text);
	return SETTING_BAD;
}

/* A list of groups `( {...}, {...} )`, or of scalars (then an array is fine too). */
static enum lookup get_list(struct conf_context *ctx, const config_setting_t *group,
			    const char *name, const char *where, bool required, bool of_groups,
			    const config_setting_t **out)
{
	enum lookup found = find(ctx, group, name, where, required, out);
	int type;

	if (found != SETTING_FOUND)
		return found;
	type = config_setting_type(*out);
	if (type == CONFIG_TYPE_LIST || (!of_groups && type == CONFIG_TYPE_ARRAY))
		return SETTING_FOUND;
	if (of_groups)
		conf_error(ctx, *out, "%s: %s must be a list ( {...}, ... ), not %s", where, name,
			   type_name(type));
	else
		conf_error(ctx, *out, "%s: %s must be a list [ \"...\", ... ], not %s", where, name,
			   type_name(type));
	return SETTING_BAD;
}

/* Names show up in vtepctl output, logs and (for ports) kernel interface
 * names, so keep them to letters, digits, '_', '-' and '.'. */
static bool valid_name(struct conf_context *ctx, const config_setting_t *setting, const char *where,
		       const char *what, const char *name, size_t max)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > max) {
		conf_error(ctx, setting, "%s: %s must be 1 to %zu characters long", where, what,
			   max);
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isalnum(c) && c != '_' && c != '-' && c != '.') {
			conf_error(ctx, setting,
				   "%s: %s \"%s\" may only hold letters, digits, '_', '-' and '.'",
				   where, what, name);
			return false;
		}
	}
	return true;
}

static bool ip_is_unicast(const struct conf_ip *ip)
{
	if (ip->family == AF_INET) {
		uint32_t address = ntohl(ip->v4.s_addr);

		/* 0/8 "this network", 224/4 multicast, 240/4 reserved and broadcast */
		return (address >> 24) != 0 && (address >> 28) < 14;
	}
	if (ip->family == AF_INET6)
		return !IN6_IS_ADDR_UNSPECIFIED(&ip->v6) && !IN6_IS_ADDR_MULTICAST(&ip->v6);
	return false;
}

/* A unicast address of `family` (0: either) written as a string element. */
static bool parse_address(struct conf_context *ctx, const config_setting_t *setting,
			  const char *where, const char *what, int family, struct conf_ip *out)
{
	const char *text;

	if (config_setting_type(setting) != CONFIG_TYPE_STRING) {
		conf_error(ctx, setting, "%s: %s must be a string, not %s", where, what,
			   type_name(config_setting_type(setting)));
		return false;
	}
	text = config_setting_get_string(setting);
	if (conf_ip_parse(text, out) < 0 || (family != 0 && out->family != family)) {
		conf_error(ctx, setting, "%s: %s \"%s\" is not an %s address", where, what, text,
			   family == AF_INET	? "IPv4"
			   : family == AF_INET6 ? "IPv6"
						: "IPv4 or IPv6");
		return false;
	}
	if (!ip_is_unicast(out)) {
		conf_error(ctx, setting, "%s: %s %s is not a unicast address", where, what, text);
		return false;
	}
	return true;
}

/* A unicast MAC: a multicast (I/G bit set, IEEE 802 §8.2) or zero MAC can
 * never be a frame's source, so it cannot be learned or configured. */
static bool parse_unicast_mac(struct conf_context *ctx, const config_setting_t *setting,
			      const char *where, const char *what, uint8_t mac[6])
{
	static const uint8_t zero[6];
	const char *text;

	if (config_setting_type(setting) != CONFIG_TYPE_STRING) {
		conf_error(ctx, setting, "%s: %s must be a string, not %s", where, what,
			   type_name(config_setting_type(setting)));
		return false;
	}
	text = config_setting_get_string(setting);
	if (conf_mac_parse(text, mac) < 0) {
		conf_error(ctx, setting,
			   "%s: %s \"%s\" is not a MAC address like 02:00:00:00:00:01", where, what,
			   text);
		return false;
	}
	if ((mac[0] & 1) || memcmp(mac, zero, sizeof(zero)) == 0) {
		conf_error(ctx, setting, "%s: %s %s is not a unicast MAC address", where, what,
			   text);
		return false;
	}
	return true;
}

/* Strict unsigned decimal: digits only, no sign, no blanks. */
static bool parse_decimal(const char *text, size_t len, unsigned long long max,
			  unsigned long long *out)
{
	unsigned long long value = 0;
	size_t i;

	if (len == 0 || len > 20)
		return false;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)text[i]))
			return false;
		if (value > (max - (unsigned)(text[i] - '0')) / 10)
			return false;
		value = value * 10 + (unsigned)(text[i] - '0');
	}
	*out = value;
	return true;
}

/* PCI address in DPDK's form, "0000:03:00.0" or "03:00.0". */
static bool is_pci_address(const char *device)
{
	const char *p = device;
	size_t i;

	if (strlen(device) == 12) {
		for (i = 0; i < 4; i++)
			if (!isxdigit((unsigned char)p[i]))
				return false;
		if (p[4] != ':')
			return false;
		p += 5;
	}
	if (strlen(p) != 7)
		return false;
	return isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1]) && p[2] == ':' &&
	       isxdigit((unsigned char)p[3]) && isxdigit((unsigned char)p[4]) && p[5] == '.' &&
	       p[6] >= '0' && p[6] <= '7' && (p[3] == '0' || p[3] == '1');
}

/* A DPDK virtual device: "net_<driver><n>" then optional ",key=value". */
static bool is_vdev(const char *device)
{
	const char *p;

	if (strncmp(device, "net_", 4) != 0 || device[4] == '\0' || device[4] == ',')
		return false;
	for (p = device + 4; *p != '\0' && *p != ','; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

void conf_device_identity(const char *device, char *buf, size_t size)
{
	size_t len;

	/* Two ports cannot drive one device: DPDK names a vdev by what comes
	 * before its first ',', and "03:00.0" is "0000:03:00.0". */
	if (is_pci_address(device)) {
		snprintf(buf, size, "%s%s", strlen(device) == 7 ? "0000:" : "", device);
		for (len = 0; buf[len] != '\0'; len++)
			buf[len] = (char)tolower((unsigned char)buf[len]);
		return;
	}
	len = strcspn(device, ",");
	snprintf(buf, size, "%.*s", (int)len, device);
}

static const char *const gateway_settings[] = {
	"name",	     "vtep_ipv4", "vtep_ipv6", "vxlan_port",	"udp_source_ports",
	"ttl",	     "dscp",	  "ecn",       "vxlan_strict",	"nvgre_flow_id",
	"mac_aging", "mac_limit", "lmdb_path", "lmdb_map_size", NULL,
};

static void parse_udp_source_ports(struct conf_context *ctx, const config_setting_t *setting,
				   struct conf_gateway *gateway)
{
	unsigned long long low = 0, high = 0;
	bool ok = false;
	int type = config_setting_type(setting);

	if (type == CONFIG_TYPE_STRING) {
		const char *text = config_setting_get_string(setting);
		const char *dash = strchr(text, '-');

		ok = dash != NULL && parse_decimal(text, (size_t)(dash - text), 65535, &low) &&
		     parse_decimal(dash + 1, strlen(dash + 1), 65535, &high);
	} else if ((type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST) &&
		   config_setting_length(setting) == 2) {
		const config_setting_t *first = config_setting_get_elem(setting, 0);
		const config_setting_t *second = config_setting_get_elem(setting, 1);

		if (is_integer(first) && is_integer(second) &&
		    config_setting_get_int64(first) >= 0 && config_setting_get_int64(second) >= 0) {
			low = (unsigned long long)config_setting_get_int64(first);
			high = (unsigned long long)config_setting_get_int64(second);
			ok = true;
		}
	}
	/* RFC 7348 §5 suggests 49152-65535 for the entropy-carrying source port. */
	if (!ok || low < 1 || high > 65535 || low > high) {
		conf_error(ctx, setting,
			   "gateway: udp_source_ports must be \"MIN-MAX\" or [MIN, MAX] with "
			   "1 <= MIN <= MAX <= 65535");
		return;
	}
	gateway->udp_src_min = (uint16_t)low;
	gateway->udp_src_max = (uint16_t)high;
}

static void parse_map_size(struct conf_context *ctx, const config_setting_t *setting,
			   struct conf_gateway *gateway)
{
	unsigned long long value = 0, unit = 1;
	bool ok = false;

	if (is_integer(setting)) {
		long long number = config_setting_get_int64(setting);

		ok = number >= 0;
		value = (unsigned long long)number;
	} else if (config_setting_type(setting) == CONFIG_TYPE_STRING) {
		const char *text = config_setting_get_string(setting);
		size_t len = strlen(text);

		if (len > 0) {
			switch (text[len - 1]) {
			case 'K':
				unit = 1ull << 10;
				break;
			case 'M':
				unit = 1ull << 20;
				break;
			case 'G':
				unit = 1ull << 30;
				break;
			case 'T':
				unit = 1ull << 40;
				break;
			}
			if (unit > 1)
				len--;
			ok = parse_decimal(text, len, CONF_MAP_SIZE_MAX, &value) &&
			     value <= CONF_MAP_SIZE_MAX / unit;
			value *= unit;
		}
	}
	if (!ok || value < CONF_MAP_SIZE_MIN || value > CONF_MAP_SIZE_MAX) {
		conf_error(ctx, setting,
			   "gateway: lmdb_map_size must be bytes (integer) or a string like "
			   "\"256M\", from 1M to 1T");
		return;
	}
	gateway->lmdb_map_size = value;
}

static void parse_gateway(struct conf_context *ctx, const config_setting_t *root,
			  struct conf_gateway *gateway)
{
	static const char *const ecn_modes[] = {"normal", "compat", NULL};
	const char *where = "gateway", *text;
	const config_setting_t *group, *setting;
	long long number;
	int choice;

	gateway->vxlan_port = 4789; /* RFC 7348 §5: IANA-assigned VXLAN port */
	gateway->udp_src_min = 49152;
	gateway->udp_src_max = 65535;
	gateway->ttl = 64;
	gateway->dscp_copy = true;
	gateway->nvgre_flow_id = true;
	gateway->mac_aging = 300;
	gateway->mac_limit = 8192;
	snprintf(gateway->lmdb_path, sizeof(gateway->lmdb_path), "/var/lib/vtepgw");
	gateway->lmdb_map_size = 256ull << 20;

	group = config_setting_get_member(root, "gateway");
	if (group == NULL) {
		conf_error(ctx, root, "missing required group 'gateway'");
		return;
	}
	gateway->line = (int)config_setting_source_line(group);
	if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
		conf_error(ctx, group, "gateway must be a group {...}, not %s",
			   type_name(config_setting_type(group)));
		return;
	}
	check_known(ctx, group, where, gateway_settings);

	if (get_string(ctx, group, "name", where, true, &text, &setting) == SETTING_FOUND &&
	    valid_name(ctx, setting, where, "name", text, CONF_NAME_MAX - 1))
		snprintf(gateway->name, sizeof(gateway->name), "%s", text);
	if (find(ctx, group, "vtep_ipv4", where, false, &setting) == SETTING_FOUND) {
		ctx->vtep_v4_given = true;
		parse_address(ctx, setting, where, "vtep_ipv4", AF_INET, &gateway->vtep_v4);
	}
	if (find(ctx, group, "vtep_ipv6", where, false, &setting) == SETTING_FOUND) {
		ctx->vtep_v6_given = true;
		parse_address(ctx, setting, where, "vtep_ipv6", AF_INET6, &gateway->vtep_v6);
	}
	if (get_integer(ctx, group, "vxlan_port", where, false, 1, 65535, &number) == SETTING_FOUND)
		gateway->vxlan_port = (uint16_t)number;
	if (find(ctx, group, "udp_source_ports", where, false, &setting) == SETTING_FOUND)
		parse_udp_source_ports(ctx, setting, gateway);
	if (get_integer(ctx, group, "ttl", where, false, 1, 255, &number) == SETTING_FOUND)
		gateway->ttl = (uint8_t)number;
	if (find(ctx, group, "dscp", where, false, &setting) == SETTING_FOUND) {
		if (config_setting_type(setting) == CONFIG_TYPE_STRING &&
		    strcmp(config_setting_get_string(setting), "copy") == 0) {
			gateway->dscp_copy = true;
		} else if (is_integer(setting) && config_setting_get_int64(setting) >= 0 &&
			   config_setting_get_int64(setting) <= 63) {
			/* RFC 2474 §3: a 6-bit codepoint */
			gateway->dscp_copy = false;
			gateway->dscp = (uint8_t)config_setting_get_int64(setting);
		} else {
			conf_error(ctx, setting, "gateway: dscp must be \"copy\" or 0..63");
		}
	}
	if (get_choice(ctx, group, "ecn", where, ecn_modes, &choice) == SETTING_FOUND)
		gateway->ecn_compat = choice == 1;
	get_bool(ctx, group, "vxlan_strict", where, &gateway->vxlan_strict);
	get_bool(ctx, group, "nvgre_flow_id", where, &gateway->nvgre_flow_id);
	if (get_integer(ctx, group, "mac_aging", where, false, 0, CONF_MAC_AGING_MAX, &number) ==
	    SETTING_FOUND)
		gateway->mac_aging = (uint32_t)number;
	if (get_integer(ctx, group, "mac_limit", where, false, 1, CONF_MAC_LIMIT_MAX, &number) ==
	    SETTING_FOUND)
		gateway->mac_limit = (uint32_t)number;
	if (get_string(ctx, group, "lmdb_path", where, false, &text, &setting) == SETTING_FOUND) {
		if (text[0] != '/' || strlen(text) >= sizeof(gateway->lmdb_path))
			conf_error(ctx, setting,
				   "gateway: lmdb_path must be an absolute path shorter than %zu "
				   "characters",
				   sizeof(gateway->lmdb_path));
		else
			snprintf(gateway->lmdb_path, sizeof(gateway->lmdb_path), "%s", text);
	}
	if (find(ctx, group, "lmdb_map_size", where, false, &setting) == SETTING_FOUND)
		parse_map_size(ctx, setting, gateway);
}

/* EAL's -l syntax: "0-1", "0,2,4-5"; ranges ascending. */
static bool valid_lcores(const char *text)
{
	const char *p = text;

	if (*p == '\0')
		return false;
	for (;;) {
		unsigned long long first, last;
		size_t len = strspn(p, "0123456789");

		if (!parse_decimal(p, len, CONF_LCORE_MAX, &first))
			return false;
		p += len;
		last = first;
		if (*p == '-') {
			p++;
			len = strspn(p, "0123456789");
			if (!parse_decimal(p, len, CONF_LCORE_MAX, &last) || last < first)
				return false;
			p += len;
		}
		if (*p == '\0')
			return true;
		if (*p != ',')
			return false;
		p++;
	}
}

static void parse_dpdk(struct conf_context *ctx, const config_setting_t *root,
		       struct conf_dpdk *dpdk)
{
	static const char *const known[] = {"lcores", "eal_args", "mbufs", NULL};
	const char *where = "dpdk", *text;
	const config_setting_t *group, *setting;
	long long number;
	int i, n;

	snprintf(dpdk->lcores, sizeof(dpdk->lcores), "0-1");
	dpdk->mbufs = 8191; /* 2^n - 1: the mempool ring's best size */
	group = config_setting_get_member(root, "dpdk");
	if (group == NULL)
		return;
	dpdk->line = (int)config_setting_source_line(group);
	if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
		conf_error(ctx, group, "dpdk must be a group {...}, not %s",
			   type_name(config_setting_type(group)));
		return;
	}
	check_known(ctx, group, where, known);
	if (get_string(ctx, group, "lcores", where, false, &text, &setting) == SETTING_FOUND) {
		if (strlen(text) >= sizeof(dpdk->lcores) || !valid_lcores(text))
			conf_error(ctx, setting,
				   "dpdk: lcores \"%s\" must be a list of cores and ascending "
				   "ranges like \"0-1\" or \"0,2-3\" (cores 0..%u)",
				   text, CONF_LCORE_MAX);
		else
			snprintf(dpdk->lcores, sizeof(dpdk->lcores), "%s", text);
	}
	if (get_integer(ctx, group, "mbufs", where, false, CONF_MBUFS_MIN, CONF_MBUFS_MAX,
			&number) == SETTING_FOUND)
		dpdk->mbufs = (unsigned)number;
	if (get_list(ctx, group, "eal_args", where, false, false, &setting) != SETTING_FOUND)
		return;
	n = config_setting_length(setting);
	dpdk->eal_args = calloc((size_t)n + 1, sizeof(*dpdk->eal_args));
	if (dpdk->eal_args == NULL) {
		ctx->out_of_memory = true;
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *arg = config_setting_get_elem(setting, (unsigned)i);

		if (config_setting_type(arg) != CONFIG_TYPE_STRING) {
			conf_error(ctx, arg, "dpdk: eal_args[%d] must be a string, not %s", i,
				   type_name(config_setting_type(arg)));
			continue;
		}
		text = config_setting_get_string(arg);
		if (strcmp(text, "-l") == 0 || strcmp(text, "-c") == 0 ||
		    strncmp(text, "--lcores", 8) == 0) {
			conf_error(ctx, arg, "dpdk: eal_args: set cores with dpdk.lcores, not %s",
				   text);
			continue;
		}
		dpdk->eal_args[dpdk->n_eal_args] = strdup(text);
		if (dpdk->eal_args[dpdk->n_eal_args] == NULL) {
			ctx->out_of_memory = true;
			return;
		}
		dpdk->n_eal_args++;
	}
}

static const char *const port_settings[] = {"name", "role",	 "device", "mtu",
					    "mac",  "addresses", "vlan",   NULL};

static void parse_port_addresses(struct conf_context *ctx, const config_setting_t *group,
				 const char *where, struct conf_port *port)
{
	const config_setting_t *list;
	int i, n;

	if (get_list(ctx, group, "addresses", where, false, false, &list) != SETTING_FOUND)
		return;
	if (port->role == CONF_PORT_ACCESS) {
		conf_error(ctx, list,
			   "%s: addresses are only for uplink ports (an access port is a "
			   "layer 2 port of its segments)",
			   where);
		return;
	}
	n = config_setting_length(list);
	port->addresses = calloc((size_t)n + 1, sizeof(*port->addresses));
	if (port->addresses == NULL) {
		ctx->out_of_memory = true;
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *item = config_setting_get_elem(list, (unsigned)i);
		struct conf_prefix *prefix = &port->addresses[port->n_addresses];
		const char *text;

		if (config_setting_type(item) != CONFIG_TYPE_STRING) {
			conf_error(ctx, item, "%s: addresses[%d] must be a string, not %s", where,
				   i, type_name(config_setting_type(item)));
			continue;
		}
		text = config_setting_get_string(item);
		if (conf_prefix_parse(text, prefix) < 0) {
			conf_error(ctx, item,
				   "%s: address \"%s\" is not an address with a prefix length "
				   "like 10.0.0.1/24 or 2001:db8::1/64",
				   where, text);
			continue;
		}
		if (!ip_is_unicast(&prefix->addr)) {
			conf_error(ctx, item, "%s: address %s is not a unicast address", where,
				   text);
			continue;
		}
		port->n_addresses++;
	}
}

static void parse_port(struct conf_context *ctx, const config_setting_t *group, size_t index,
		       struct conf_model *model)
{
	static const char *const roles[] = {"access", "uplink", NULL};
	struct conf_port *port = &model->ports[model->n_ports];
	const config_setting_t *setting;
	char where[WHERE_SIZE];
	const char *text;
	long long number;
	int choice;

	memset(port, 0, sizeof(*port));
	port->mtu = 1500;
	port->line = (int)config_setting_source_line(group);
	snprintf(where, sizeof(where), "ports[%zu]", index);
	if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
		conf_error(ctx, group, "%s must be a group {...}, not %s", where,
			   type_name(config_setting_type(group)));
		return;
	}
	if (get_string(ctx, group, "name", where, true, &text, &setting) == SETTING_FOUND &&
	    valid_name(ctx, setting, where, "name", text, CONF_PORT_NAME_MAX)) {
		snprintf(port->name, sizeof(port->name), "%s", text);
		snprintf(where, sizeof(where), "port '%s'", port->name);
	}
	check_known(ctx, group, where, port_settings);
	port->role = CONF_PORT_ROLE_UNKNOWN;
	if (find(ctx, group, "role", where, true, &setting) == SETTING_FOUND &&
	    get_choice(ctx, group, "role", where, roles, &choice) == SETTING_FOUND)
		port->role = choice == 1 ? CONF_PORT_UPLINK : CONF_PORT_ACCESS;
	if (get_string(ctx, group, "device", where, true, &text, &setting) == SETTING_FOUND) {
		if (strlen(text) >= sizeof(port->device) ||
		    (!is_pci_address(text) && !is_vdev(text)))
			conf_error(ctx, setting,
				   "%s: device \"%s\" must be a PCI address like 0000:03:00.0 or "
				   "a DPDK vdev like \"net_af_packet0,iface=veth1\"",
				   where, text);
		else
			snprintf(port->device, sizeof(port->device), "%s", text);
	}
	if (get_integer(ctx, group, "mtu", where, false, CONF_MTU_MIN, CONF_MTU_MAX, &number) ==
	    SETTING_FOUND)
		port->mtu = (uint16_t)number;
	if (find(ctx, group, "mac", where, false, &setting) == SETTING_FOUND)
		port->has_mac = parse_unicast_mac(ctx, setting, where, "mac", port->mac);
	parse_port_addresses(ctx, group, where, port);
	if (find(ctx, group, "vlan", where, false, &setting) == SETTING_FOUND) {
		if (port->role == CONF_PORT_ACCESS)
			conf_error(ctx, setting,
				   "%s: vlan on a port is the underlay VLAN of an uplink; put "
				   "access VLANs in the segments' members",
				   where);
		else if (get_integer(ctx, group, "vlan", where, false, 1, 4094, &number) ==
			 SETTING_FOUND)
			port->vlan = (uint16_t)number; /* IEEE 802.1Q: 0 and 4095 reserved */
	}
	model->n_ports++;
}

static void parse_ports(struct conf_context *ctx, const config_setting_t *root,
			struct conf_model *model)
{
	const config_setting_t *list;
	int i, n;

	if (get_list(ctx, root, "ports", "configuration", true, true, &list) != SETTING_FOUND)
		return;
	n = config_setting_length(list);
	if (n == 0) {
		conf_error(ctx, list, "ports: at least one port is needed");
		return;
	}
	model->ports = calloc((size_t)n, sizeof(*model->ports));
	if (model->ports == NULL) {
		ctx->out_of_memory = true;
		return;
	}
	for (i = 0; i < n; i++)
		parse_port(ctx, config_setting_get_elem(list, (unsigned)i), (size_t)i, model);
}

static bool find_port(const struct conf_model *model, const char *name, size_t *index)
{
	size_t i;

	for (i = 0; i < model->n_ports; i++) {
		if (model->ports[i].name[0] != '\0' && strcmp(model->ports[i].name, name) == 0) {
			*index = i;
			return true;
		}
	}
	return false;
}

/* A port named in a member, a static MAC or a BGP neighbour. */
static bool resolve_port(struct conf_context *ctx, const config_setting_t *group, const char *where,
			 const struct conf_model *model, size_t *index)
{
	const config_setting_t *setting;
	const char *name;

	if (get_string(ctx, group, "port", where, true, &name, &setting) != SETTING_FOUND)
		return false;
	if (!find_port(model, name, index)) {
		conf_error(ctx, setting, "%s: unknown port '%s'", where, name);
		return false;
	}
	return true;
}

/* ASNs are 32-bit (RFC 6793): an integer (write 4200000000L beyond 2^31 in
 * libconfig), or a string in asplain "4200000000" or asdot "64086.59904". */
static enum lookup get_asn(struct conf_context *ctx, const config_setting_t *group,
			   const char *name, const char *where, uint32_t *out)
{
	const config_setting_t *setting;
	unsigned long long value = 0, high, low;
	enum lookup found = find(ctx, group, name, where, true, &setting);
	bool ok = false;

	if (found != SETTING_FOUND)
		return found;
	if (is_integer(setting)) {
		long long number = config_setting_get_int64(setting);

		ok = number >= 0;
		value = (unsigned long long)number;
	} else if (config_setting_type(setting) == CONFIG_TYPE_STRING) {
		const char *text = config_setting_get_string(setting);
		const char *dot = strchr(text, '.');

		if (dot == NULL) {
			ok = parse_decimal(text, strlen(text), 0xFFFFFFFFull, &value);
		} else if (parse_decimal(text, (size_t)(dot - text), 65535, &high) &&
			   parse_decimal(dot + 1, strlen(dot + 1), 65535, &low)) {
			value = high << 16 | low;
			ok = true;
		}
	}
	/* RFC 7607: AS 0 is reserved; RFC 6793 §9: 23456 is AS_TRANS;
	 * RFC 7300: 4294967295 is reserved. */
	if (!ok || value == 0 || value == 23456 || value >= 0xFFFFFFFFull) {
		conf_error(ctx, setting,
			   "%s: %s must be an AS number 1..4294967294 other than 23456 (AS_TRANS)",
			   where, name);
		return SETTING_BAD;
	}
	*out = (uint32_t)value;
	return SETTING_FOUND;
}

static void parse_neighbor(struct conf_context *ctx, const config_setting_t *group, size_t index,
			   struct conf_model *model)
{
	static const char *const known[] = {"address", "remote_as", "port", "bfd", NULL};
	struct conf_bgp_neighbor *neighbor = &model->bgp.neighbors[model->bgp.n_neighbors];
	const config_setting_t *setting;
	char where[WHERE_SIZE];
	bool ok = true;

	memset(neighbor, 0, sizeof(*neighbor));
	neighbor->line = (int)config_setting_source_line(group);
	snprintf(where, sizeof(where), "bgp neighbors[%zu]", index);
	if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
		conf_error(ctx, group, "%s must be a group {...}, not %s", where,
			   type_name(config_setting_type(group)));
		return;
	}
	check_known(ctx, group, where, known);
	if (find(ctx, group, "address", where, true, &setting) != SETTING_FOUND ||
	    !parse_address(ctx, setting, where, "address", 0, &neighbor->addr))
		ok = false;
	if (get_asn(ctx, group, "remote_as", where, &neighbor->remote_asn) != SETTING_FOUND)
		ok = false;
	if (!resolve_port(ctx, group, where, model, &neighbor->port))
		ok = false;
	get_bool(ctx, group, "bfd", where, &neighbor->bfd);
	if (ok)
		model->bgp.n_neighbors++;
}

static void parse_bgp(struct conf_context *ctx, const config_setting_t *root,
		      struct conf_model *model)
{
	static const char *const known[] = {"asn",	  "router_id", "evpn",
					    "manage_frr", "neighbors", NULL};
	struct conf_bgp *bgp = &model->bgp;
	const config_setting_t *group, *setting, *list;
	const char *where = "bgp";
	struct conf_ip router_id;
	int i, n;

	bgp->manage_frr = true;
	group = config_setting_get_member(root, "bgp");
	if (group == NULL)
		return;
	bgp->line = (int)config_setting_source_line(group);
	if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
		conf_error(ctx, group, "bgp must be a group {...}, not %s",
			   type_name(config_setting_type(group)));
		return;
	}
	bgp->enabled = true;
	check_known(ctx, group, where, known);
	get_asn(ctx, group, "asn", where, &bgp->asn);
	/* RFC 6286 §2.1: the BGP Identifier is a nonzero 32-bit number,
	 * written as an IPv4 address. */
	if (find(ctx, group, "router_id", where, true, &setting) == SETTING_FOUND &&
	    parse_address(ctx, setting, where, "router_id", AF_INET, &router_id))
		bgp->router_id = router_id.v4;
	get_bool(ctx, group, "evpn", where, &bgp->evpn);
	get_bool(ctx, group, "manage_frr", where, &bgp->manage_frr);
	if (get_list(ctx, group, "neighbors", where, false, true, &list) != SETTING_FOUND)
		return;
	n = config_setting_length(list);
	bgp->neighbors = calloc((size_t)n + 1, sizeof(*bgp->neighbors));
	if (bgp->neighbors == NULL) {
		ctx->out_of_memory = true;
		return;
	}
	for (i = 0; i < n; i++)
		parse_neighbor(ctx, config_setting_get_elem(list, (unsigned)i), (size_t)i, model);
}

/* A remote VTEP must be reachable from one of our own source addresses. */
static bool vtep_family_configured(struct conf_context *ctx, const config_setting_t *setting,
				   const char *where, const struct conf_gateway *gateway,
				   const struct conf_ip *vtep)
{
	bool given = vtep->family == AF_INET ? ctx->vtep_v4_given : ctx->vtep_v6_given;
	const struct conf_ip *own = vtep->family == AF_INET ? &gateway->vtep_v4 : &gateway->vtep_v6;
	char text[CONF_IP_TEXT_SIZE];

	conf_ip_format(vtep, text, sizeof(text));
	if (!given) {
		conf_error(ctx, setting, "%s: VTEP %s is %s but gateway.%s is not set", where, text,
			   vtep->family == AF_INET ? "IPv4" : "IPv6",
			   vtep->family == AF_INET ? "vtep_ipv4" : "vtep_ipv6");
		return false;
	}
	if (conf_ip_equal(own, vtep)) {
		conf_error(ctx, setting, "%s: VTEP %s is this gateway's own address", where, text);
		return false;
	}
	return true;
}

static void parse_members(struct conf_context *ctx, const config_setting_t *group,
			  const char *where, const struct conf_model *model,
			  struct conf_segment *segment)
{
	static const char *const known[] = {"port", "vlan", NULL};
	const config_setting_t *list;
	int i, n;

	if (get_list(ctx, group, "members", where, true, true, &list) != SETTING_FOUND)
		return;
	n = config_setting_length(list);
	if (n == 0) {
		conf_error(ctx, list, "%s: members must name at least one port", where);
		return;
	}
	segment->members = calloc((size_t)n, sizeof(*segment->members));
	if (segment->members == NULL) {
		ctx->out_of_memory = true;
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *item = config_setting_get_elem(list, (unsigned)i);
		struct conf_member *member = &segment->members[segment->n_members];
		char member_where[WHERE_SIZE + 32];
		long long vlan = 0;
		bool ok;

		snprintf(member_where, sizeof(member_where), "%s members[%d]", where, i);
		member->line = (int)config_setting_source_line(item);
		if (config_setting_type(item) != CONFIG_TYPE_GROUP) {
			conf_error(ctx, item, "%s must be a group {...}, not %s", member_where,
				   type_name(config_setting_type(item)));
			continue;
		}
		check_known(ctx, item, member_where, known);
		ok = resolve_port(ctx, item, member_where, model, &member->port);
		/* Omitted: untagged. IEEE 802.1Q: VIDs 0 and 4095 are reserved. */
		if (get_integer(ctx, item, "vlan", member_where, false, 1, 4094, &vlan) ==
		    SETTING_BAD)
			ok = false;
		member->vlan = (uint16_t)vlan;
		if (ok)
			segment->n_members++;
	}
}

static void parse_flood(struct conf_context *ctx, const config_setting_t *group, const char *where,
			const struct conf_model *model, struct conf_segment *segment)
{
	const config_setting_t *list;
	int i, n;
	size_t j;

	if (get_list(ctx, group, "flood", where, false, false, &list) != SETTING_FOUND)
		return;
	n = config_setting_length(list);
	segment->flood = calloc((size_t)n + 1, sizeof(*segment->flood));
	if (segment->flood == NULL) {
		ctx->out_of_memory = true;
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *item = config_setting_get_elem(list, (unsigned)i);
		struct conf_ip *vtep = &segment->flood[segment->n_flood];
		bool duplicate = false;

		if (!parse_address(ctx, item, where, "flood VTEP", 0, vtep) ||
		    !vtep_family_configured(ctx, item, where, &model->gateway, vtep))
			continue;
		for (j = 0; j < segment->n_flood; j++)
			duplicate = duplicate || conf_ip_equal(&segment->flood[j], vtep);
		if (duplicate) {
			conf_error(ctx, item, "%s: flood VTEP %s is listed twice", where,
				   config_setting_get_string(item));
			continue;
		}
		segment->n_flood++;
	}
}

static bool find_member(const struct conf_segment *segment, size_t port, uint16_t vlan,
			size_t *index)
{
	size_t i;

	for (i = 0; i < segment->n_members; i++) {
		if (segment->members[i].port == port && segment->members[i].vlan == vlan) {
			*index = i;
			return true;
		}
	}
	return false;
}

static void parse_static_mac(struct conf_context *ctx, const config_setting_t *item,
			     const char *where, const struct conf_model *model,
			     struct conf_segment *segment)
{
	static const char *const known[] = {"mac", "port", "vlan", "vtep", NULL};
	struct conf_static_mac *entry = &segment->static_macs[segment->n_static_macs];
	const config_setting_t *setting, *port_setting, *vtep_setting;
	bool ok = true;

	memset(entry, 0, sizeof(*entry));
	entry->line = (int)config_setting_source_line(item);
	if (config_setting_type(item) != CONFIG_TYPE_GROUP) {
		conf_error(ctx, item, "%s must be a group {...}, not %s", where,
			   type_name(config_setting_type(item)));
		return;
	}
	check_known(ctx, item, where, known);
	if (find(ctx, item, "mac", where, true, &setting) != SETTING_FOUND ||
	    !parse_unicast_mac(ctx, setting, where, "mac", entry->mac))
		ok = false;
	port_setting = config_setting_get_member(item, "port");
	vtep_setting = config_setting_get_member(item, "vtep");
	if ((port_setting != NULL) == (vtep_setting != NULL)) {
		conf_error(ctx, item,
			   "%s: give either port (with vlan if tagged) for a local MAC or vtep "
			   "for a remote one",
			   where);
		return;
	}
	if (vtep_setting != NULL) {
		entry->remote = true;
		if (config_setting_get_member(item, "vlan") != NULL) {
			conf_error(ctx, config_setting_get_member(item, "vlan"),
				   "%s: vlan belongs with port, not with vtep", where);
			ok = false;
		}
		if (!parse_address(ctx, vtep_setting, where, "vtep", 0, &entry->vtep) ||
		    !vtep_family_configured(ctx, vtep_setting, where, &model->gateway,
					    &entry->vtep))
			ok = false;
	} else {
		long long vlan = 0;
		size_t port;

		if (!resolve_port(ctx, item, where, model, &port))
			return;
		if (get_integer(ctx, item, "vlan", where, false, 1, 4094, &vlan) == SETTING_BAD)
			return;
		if (!find_member(segment, port, (uint16_t)vlan, &entry->member)) {
			if (vlan)
				conf_error(ctx, port_setting,
					   "%s: port '%s' vlan %lld is not a member of this "
					   "segment",
					   where, model->ports[port].name, vlan);
			else
				conf_error(ctx, port_setting,
					   "%s: port '%s' untagged is not a member of this "
					   "segment",
					   where, model->ports[port].name);
			return;
		}
	}
	if (ok)
		segment->n_static_macs++;
}

static void parse_segment_id(struct conf_context *ctx, const config_setting_t *group,
			     const char *where, struct conf_segment *segment)
{
	const config_setting_t *vni = config_setting_get_member(group, "vni");
	const config_setting_t *vsid = config_setting_get_member(group, "vsid");
	long long id;

	if (vni != NULL && vsid != NULL) {
		conf_error(ctx, vsid, "%s: set either vni (VXLAN) or vsid (NVGRE), not both",
			   where);
		return;
	}
	if (vni == NULL && vsid == NULL) {
		conf_error(ctx, group, "%s: needs vni (VXLAN) or vsid (NVGRE)", where);
		return;
	}
	if (vni != NULL) {
		/* RFC 7348 §5: 24-bit VNI; 0 is kept out as "no segment". */
		segment->type = CONF_SEGMENT_VXLAN;
		if (get_integer(ctx, group, "vni", where, true, CONF_VNI_MIN, CONF_VNI_MAX, &id) ==
		    SETTING_FOUND)
			segment->id = (uint32_t)id;
		return;
	}
	/* RFC 7637 §3.4: VSIDs 0..0xFFF and 0xFFFFFF are reserved. */
	segment->type = CONF_SEGMENT_NVGRE;
	if (get_integer(ctx, group, "vsid", where, true, CONF_VSID_MIN, CONF_VSID_MAX, &id) ==
	    SETTING_FOUND)
		segment->id = (uint32_t)id;
}

static void parse_segment(struct conf_context *ctx, const config_setting_t *group, size_t index,
			  struct conf_model *model)
{
	static const char *const known[] = {"name",	   "vni",      "vsid",	    "members",
					    "flood",	   "learning", "mac_limit", "limit_action",
					    "static_macs", NULL};
	static const char *const learning[] = {"dataplane", "evpn", "static", NULL};
	static const char *const actions[] = {"flood", "drop", NULL};
	struct conf_segment *segment = &model->segments[model->n_segments];
	const config_setting_t *setting, *list;
	char where[WHERE_SIZE];
	const char *text;
	long long number;
	int choice, i, n;

	memset(segment, 0, sizeof(*segment));
	segment->line = (int)config_setting_source_line(group);
	/* Counted now: it owns its arrays whatever goes wrong below. */
	model->n_segments++;
	snprintf(where, sizeof(where), "segments[%zu]", index);
	if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
		conf_error(ctx, group, "%s must be a group {...}, not %s", where,
			   type_name(config_setting_type(group)));
		return;
	}
	if (get_string(ctx, group, "name", where, true, &text, &setting) == SETTING_FOUND &&
	    valid_name(ctx, setting, where, "name", text, CONF_NAME_MAX - 1)) {
		snprintf(segment->name, sizeof(segment->name), "%s", text);
		snprintf(where, sizeof(where), "segment '%s'", segment->name);
	}
	check_known(ctx, group, where, known);
	parse_segment_id(ctx, group, where, segment);
	parse_members(ctx, group, where, model, segment);
	parse_flood(ctx, group, where, model, segment);
	if (get_choice(ctx, group, "learning", where, learning, &choice) == SETTING_FOUND)
		segment->learning = choice == 1	  ? CONF_LEARNING_EVPN
				    : choice == 2 ? CONF_LEARNING_STATIC
						  : CONF_LEARNING_DATAPLANE;
	if (get_integer(ctx, group, "mac_limit", where, false, 1, CONF_MAC_LIMIT_MAX, &number) ==
	    SETTING_FOUND)
		segment->mac_limit = (uint32_t)number;
	if (get_choice(ctx, group, "limit_action", where, actions, &choice) == SETTING_FOUND)
		segment->limit_action = choice == 1 ? CONF_LIMIT_DROP : CONF_LIMIT_FLOOD;
	if (get_list(ctx, group, "static_macs", where, false, true, &list) != SETTING_FOUND)
		return;
	n = config_setting_length(list);
	segment->static_macs = calloc((size_t)n + 1, sizeof(*segment->static_macs));
	if (segment->static_macs == NULL) {
		ctx->out_of_memory = true;
		return;
	}
	for (i = 0; i < n; i++) {
		char entry_where[WHERE_SIZE + 32];

		snprintf(entry_where, sizeof(entry_where), "%s static_macs[%d]", where, i);
		parse_static_mac(ctx, config_setting_get_elem(list, (unsigned)i), entry_where,
				 model, segment);
	}
}

static void parse_segments(struct conf_context *ctx, const config_setting_t *root,
			   struct conf_model *model)
{
	const config_setting_t *list;
	int i, n;

	if (get_list(ctx, root, "segments", "configuration", false, true, &list) != SETTING_FOUND)
		return;
	n = config_setting_length(list);
	model->segments = calloc((size_t)n + 1, sizeof(*model->segments));
	if (model->segments == NULL) {
		ctx->out_of_memory = true;
		return;
	}
	for (i = 0; i < n; i++)
		parse_segment(ctx, config_setting_get_elem(list, (unsigned)i), (size_t)i, model);
}

void conf_parse(struct conf_context *ctx, const config_t *config, struct conf_model *model)
{
	static const char *const known[] = {"gateway", "dpdk", "ports", "segments", "bgp", NULL};
	const config_setting_t *root = config_root_setting(config);

	check_known(ctx, root, "configuration", known);
	/* Order matters: segments and neighbours refer to ports, flood lists
	 * to the gateway's own addresses. */
	parse_gateway(ctx, root, &model->gateway);
	parse_dpdk(ctx, root, &model->dpdk);
	parse_ports(ctx, root, model);
	parse_bgp(ctx, root, model);
	parse_segments(ctx, root, model);
}
