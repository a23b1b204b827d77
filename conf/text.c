/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text forms of addresses shared by conf, routing and the CLI. Parsers are
 * strict (whole string, no surrounding blanks) so that a typo in a
 * configuration file is refused rather than half-read.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "conf/model.h"

int conf_ip_parse(const char *text, struct conf_ip *ip)
{
	struct conf_ip parsed;

	if (text == NULL || ip == NULL)
		return -1;
	memset(&parsed, 0, sizeof(parsed));
	if (inet_pton(AF_INET, text, &parsed.v4) == 1)
		parsed.family = AF_INET;
	else if (inet_pton(AF_INET6, text, &parsed.v6) == 1)
		parsed.family = AF_INET6;
	else
		return -1;
	*ip = parsed;
	return 0;
}

const char *conf_ip_format(const struct conf_ip *ip, char *buf, size_t size)
{
	if (buf == NULL || size == 0)
		return NULL;
	if (ip == NULL || (ip->family != AF_INET && ip->family != AF_INET6)) {
		snprintf(buf, size, "-");
		return buf;
	}
	if (ip->family == AF_INET)
		return inet_ntop(AF_INET, &ip->v4, buf, (socklen_t)size);
	return inet_ntop(AF_INET6, &ip->v6, buf, (socklen_t)size);
}

bool conf_ip_equal(const struct conf_ip *a, const struct conf_ip *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4.s_addr == b->v4.s_addr;
	if (a->family == AF_INET6)
		return memcmp(&a->v6, &b->v6, sizeof(a->v6)) == 0;
	return true; /* both unset */
}

int conf_prefix_parse(const char *text, struct conf_prefix *prefix)
{
	char address[INET6_ADDRSTRLEN];
	struct conf_prefix parsed;
	const char *slash, *digit;
	size_t address_len;
	unsigned len = 0, max;

	if (text == NULL || prefix == NULL)
		return -1;
	slash = strchr(text, '/');
	if (slash == NULL)
		return -1;
	address_len = (size_t)(slash - text);
	if (address_len == 0 || address_len >= sizeof(address))
		return -1;
	memcpy(address, text, address_len);
	address[address_len] = '\0';
	memset(&parsed, 0, sizeof(parsed));
	if (conf_ip_parse(address, &parsed.addr) < 0)
		return -1;
	/* 1 to 3 decimal digits: no sign, no blanks, no "0x". */
	digit = slash + 1;
	if (*digit == '\0' || strlen(digit) > 3)
		return -1;
	for (; *digit != '\0'; digit++) {
		if (!isdigit((unsigned char)*digit))
			return -1;
		len = len * 10 + (unsigned)(*digit - '0');
	}
	max = parsed.addr.family == AF_INET ? 32 : 128;
	if (len > max)
		return -1;
	parsed.len = (uint8_t)len;
	*prefix = parsed;
	return 0;
}

const char *conf_prefix_format(const struct conf_prefix *prefix, char *buf, size_t size)
{
	char address[INET6_ADDRSTRLEN];
	int written;

	if (buf == NULL || size == 0 || prefix == NULL)
		return NULL;
	if (conf_ip_format(&prefix->addr, address, sizeof(address)) == NULL)
		return NULL;
	written = snprintf(buf, size, "%s/%u", address, prefix->len);
	if (written < 0 || (size_t)written >= size)
		return NULL;
	return buf;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Six pairs of hex digits joined by ':' (or all by '-'), e.g. 02:00:5e:10:00:01. */
int conf_mac_parse(const char *text, uint8_t mac[6])
{
	uint8_t parsed[6];
	char separator;
	int i;

	if (text == NULL || mac == NULL || strlen(text) != 17)
		return -1;
	separator = text[2];
	if (separator != ':' && separator != '-')
		return -1;
	for (i = 0; i < 6; i++) {
		const char *pair = text + i * 3;
		int high = hex_value(pair[0]), low = hex_value(pair[1]);

		if (high < 0 || low < 0)
			return -1;
		if (i < 5 && pair[2] != separator)
			return -1;
		parsed[i] = (uint8_t)(high << 4 | low);
	}
	memcpy(mac, parsed, sizeof(parsed));
	return 0;
}

const char *conf_mac_format(const uint8_t mac[6], char *buf, size_t size)
{
	int written;

	if (buf == NULL || size == 0 || mac == NULL)
		return NULL;
	written = snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
			   mac[3], mac[4], mac[5]);
	if (written < 0 || (size_t)written >= size)
		return NULL;
	return buf;
}
