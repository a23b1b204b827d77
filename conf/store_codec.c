/* SPDX-License-Identifier: BSD-3-Clause */
/* Byte layouts of the LMDB tables; docs/lmdb-schema.md is the reference. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "store_codec.h"

void store_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void store_put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

void store_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

uint16_t store_get_be16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

uint32_t store_get_be32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | p[i];
	return v;
}

uint64_t store_get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* A name field is CONF_NAME_MAX bytes, NUL-padded, and always holds a NUL. */
static int store_name_encode(const char *name, uint8_t *out)
{
	size_t len = strnlen(name, CONF_NAME_MAX);

	if (len == CONF_NAME_MAX)
		return -EINVAL;
	memset(out, 0, CONF_NAME_MAX);
	memcpy(out, name, len);
	return 0;
}

static int store_name_decode(const uint8_t *in, char *name)
{
	if (memchr(in, 0, CONF_NAME_MAX) == NULL)
		return -EBADMSG;
	memcpy(name, in, CONF_NAME_MAX);
	return 0;
}

int store_segment_key_encode(const struct store_segment_key *key,
			     uint8_t out[STORE_SEGMENT_KEY_SIZE])
{
	/* RFC 7348 §5 (VNI) and RFC 7637 §3.2 (VSID): both IDs are 24 bits. */
	if (key->type > CONF_SEGMENT_NVGRE || key->id > 0xFFFFFFu)
		return -EINVAL;
	out[0] = key->type;
	out[1] = (uint8_t)(key->id >> 16);
	out[2] = (uint8_t)(key->id >> 8);
	out[3] = (uint8_t)key->id;
	return 0;
}

int store_segment_key_decode(const uint8_t *in, size_t size, struct store_segment_key *key)
{
	if (size < STORE_SEGMENT_KEY_SIZE || in[0] > CONF_SEGMENT_NVGRE)
		return -EBADMSG;
	memset(key, 0, sizeof(*key));
	key->type = in[0];
	key->id = (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
	return 0;
}

int store_address_encode(const struct conf_ip *ip, bool allow_unset,
			 uint8_t out[STORE_ADDRESS_SIZE])
{
	memset(out, 0, STORE_ADDRESS_SIZE);
	switch (ip->family) {
	case AF_INET:
		out[0] = STORE_FAMILY_IPV4;
		memcpy(out + 1, &ip->v4, 4);
		return 0;
	case AF_INET6:
		out[0] = STORE_FAMILY_IPV6;
		memcpy(out + 1, &ip->v6, 16);
		return 0;
	case 0:
		return allow_unset ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

int store_address_decode(const uint8_t *in, struct conf_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	switch (in[0]) {
	case STORE_FAMILY_IPV4:
		ip->family = AF_INET;
		memcpy(&ip->v4, in + 1, 4);
		return 0;
	case STORE_FAMILY_IPV6:
		ip->family = AF_INET6;
		memcpy(&ip->v6, in + 1, 16);
		return 0;
	case STORE_FAMILY_NONE:
		return 0;
	default:
		return -EBADMSG;
	}
}

int store_segment_value_encode(const struct store_segment *segment,
			       uint8_t out[STORE_SEGMENT_VALUE_SIZE])
{
	memset(out, 0, STORE_SEGMENT_VALUE_SIZE);
	if (segment->learning > CONF_LEARNING_STATIC)
		return -EINVAL;
	out[0] = STORE_VALUE_FORMAT;
	out[1] = segment->learning;
	store_put_be32(out + 4, segment->mac_limit);
	return store_name_encode(segment->name, out + 8);
}

int store_segment_value_decode(const uint8_t *in, size_t size, struct store_segment *segment)
{
	if (size != STORE_SEGMENT_VALUE_SIZE || in[0] != STORE_VALUE_FORMAT ||
	    in[1] > CONF_LEARNING_STATIC)
		return -EBADMSG;
	memset(segment, 0, sizeof(*segment));
	segment->learning = in[1];
	segment->mac_limit = store_get_be32(in + 4);
	return store_name_decode(in + 8, segment->name);
}

#define STORE_FDB_FLAG_REMOTE 0x01u

int store_fdb_value_encode(const struct store_fdb_entry *entry, uint8_t out[STORE_FDB_VALUE_SIZE])
{
	int rc;

	memset(out, 0, STORE_FDB_VALUE_SIZE);
	if (entry->origin > STORE_FDB_EVPN || entry->vlan > 4095)
		return -EINVAL;
	/* A remote entry needs its VTEP; a local one its port. */
	if (entry->remote && entry->vtep.family == 0)
		return -EINVAL;
	if (!entry->remote && entry->port[0] == '\0')
		return -EINVAL;
	out[0] = STORE_VALUE_FORMAT;
	out[1] = entry->remote ? STORE_FDB_FLAG_REMOTE : 0;
	out[2] = entry->origin;
	store_put_be16(out + 4, entry->vlan);
	store_put_be64(out + 8, entry->last_seen);
	rc = store_name_encode(entry->port, out + 16);
	if (rc < 0)
		return rc;
	return store_address_encode(&entry->vtep, true, out + 48);
}

int store_fdb_value_decode(const uint8_t *in, size_t size, struct store_fdb_entry *entry)
{
	if (size != STORE_FDB_VALUE_SIZE || in[0] != STORE_VALUE_FORMAT ||
	    (in[1] & ~STORE_FDB_FLAG_REMOTE) != 0 || in[2] > STORE_FDB_EVPN)
		return -EBADMSG;
	memset(entry, 0, sizeof(*entry));
	entry->remote = (in[1] & STORE_FDB_FLAG_REMOTE) != 0;
	entry->origin = in[2];
	entry->vlan = store_get_be16(in + 4);
	entry->last_seen = store_get_be64(in + 8);
	if (store_name_decode(in + 16, entry->port) < 0)
		return -EBADMSG;
	return store_address_decode(in + 48, &entry->vtep);
}

int store_flood_value_encode(enum store_flood_origin origin, uint8_t out[STORE_FLOOD_VALUE_SIZE])
{
	memset(out, 0, STORE_FLOOD_VALUE_SIZE);
	if ((unsigned)origin > STORE_FLOOD_EVPN)
		return -EINVAL;
	out[0] = STORE_VALUE_FORMAT;
	out[1] = (uint8_t)origin;
	return 0;
}

int store_flood_value_decode(const uint8_t *in, size_t size, enum store_flood_origin *origin)
{
	if (size != STORE_FLOOD_VALUE_SIZE || in[0] != STORE_VALUE_FORMAT ||
	    in[1] > STORE_FLOOD_EVPN)
		return -EBADMSG;
	*origin = (enum store_flood_origin)in[1];
	return 0;
}

int store_vtep_value_encode(const struct store_vtep *info, uint8_t out[STORE_VTEP_VALUE_SIZE])
{
	memset(out, 0, STORE_VTEP_VALUE_SIZE);
	if (info->origin > STORE_FLOOD_EVPN)
		return -EINVAL;
	out[0] = STORE_VALUE_FORMAT;
	out[1] = info->origin;
	store_put_be32(out + 4, info->refs);
	return 0;
}

int store_vtep_value_decode(const uint8_t *in, size_t size, struct store_vtep *info)
{
	if (size != STORE_VTEP_VALUE_SIZE || in[0] != STORE_VALUE_FORMAT ||
	    in[1] > STORE_FLOOD_EVPN)
		return -EBADMSG;
	memset(info, 0, sizeof(*info));
	info->origin = in[1];
	info->refs = store_get_be32(in + 4);
	return 0;
}
