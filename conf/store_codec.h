/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The on-disk byte layout of the LMDB tables (docs/lmdb-schema.md). Private
 * to conf/: the rest of the project uses conf/store.h. Every multi-byte
 * integer is big-endian so that keys sort in their natural order and other
 * tools can read values without knowing our ABI. Values are fixed-size and
 * start with a format byte, so a later layout can be told apart.
 */
#ifndef VTEPGW_CONF_STORE_CODEC_H
#define VTEPGW_CONF_STORE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "conf/store.h"

#define STORE_VALUE_FORMAT 1u

#define STORE_META_SCHEMA_KEY	   "schema"
#define STORE_META_SCHEMA_KEY_SIZE 6
#define STORE_META_SCHEMA_SIZE	   4

#define STORE_SEGMENT_KEY_SIZE 4  /* type, 24-bit ID */
#define STORE_ADDRESS_SIZE     17 /* family code, 16 address bytes */
#define STORE_FDB_KEY_SIZE     (STORE_SEGMENT_KEY_SIZE + 6)
#define STORE_FLOOD_KEY_SIZE   (STORE_SEGMENT_KEY_SIZE + STORE_ADDRESS_SIZE)
#define STORE_VTEP_KEY_SIZE    STORE_ADDRESS_SIZE

#define STORE_SEGMENT_VALUE_SIZE 40
#define STORE_FDB_VALUE_SIZE	 68
#define STORE_FLOOD_VALUE_SIZE	 4
#define STORE_VTEP_VALUE_SIZE	 8

/* Address family codes on disk: independent of the platform's AF_* values. */
#define STORE_FAMILY_NONE 0
#define STORE_FAMILY_IPV4 4
#define STORE_FAMILY_IPV6 6

/* Encoders return 0 or -EINVAL (nothing a caller passes crashes them);
 * decoders return 0 or -EBADMSG for a value this build cannot read. */
int store_segment_key_encode(const struct store_segment_key *key,
			     uint8_t out[STORE_SEGMENT_KEY_SIZE]);
int store_segment_key_decode(const uint8_t *in, size_t size, struct store_segment_key *key);

/* `allow_unset`: family 0 is accepted (a value field), not in keys. */
int store_address_encode(const struct conf_ip *ip, bool allow_unset,
			 uint8_t out[STORE_ADDRESS_SIZE]);
int store_address_decode(const uint8_t *in, struct conf_ip *ip);

int store_segment_value_encode(const struct store_segment *segment,
			       uint8_t out[STORE_SEGMENT_VALUE_SIZE]);
int store_segment_value_decode(const uint8_t *in, size_t size, struct store_segment *segment);

int store_fdb_value_encode(const struct store_fdb_entry *entry, uint8_t out[STORE_FDB_VALUE_SIZE]);
int store_fdb_value_decode(const uint8_t *in, size_t size, struct store_fdb_entry *entry);

int store_flood_value_encode(enum store_flood_origin origin, uint8_t out[STORE_FLOOD_VALUE_SIZE]);
int store_flood_value_decode(const uint8_t *in, size_t size, enum store_flood_origin *origin);

int store_vtep_value_encode(const struct store_vtep *info, uint8_t out[STORE_VTEP_VALUE_SIZE]);
int store_vtep_value_decode(const uint8_t *in, size_t size, struct store_vtep *info);

void store_put_be16(uint8_t *p, uint16_t v);
void store_put_be32(uint8_t *p, uint32_t v);
void store_put_be64(uint8_t *p, uint64_t v);
uint16_t store_get_be16(const uint8_t *p);
uint32_t store_get_be32(const uint8_t *p);
uint64_t store_get_be64(const uint8_t *p);

#endif
