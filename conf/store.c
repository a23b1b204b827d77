/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The segment tables in LMDB. One transaction per call: a write is all or
 * nothing, a read sees one snapshot. Only the control thread writes; other
 * threads and processes read at the same time (LMDB's MVCC).
 */
#include <errno.h>
#include <lmdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/store.h"
#include "store_codec.h"

/* meta, segments, fdb, flood, vteps and room for one more in a later schema. */
#define STORE_MAX_DBS	  8
#define STORE_MAX_READERS 256
#define STORE_DIR_MODE	  0750
#define STORE_FILE_MODE	  0640

/*
 * Puts stop this many pages before the end of the map. LMDB never updates a
 * page in place: a delete copies the leaf and branch pages it touches and
 * records the old ones in the free list, so a delete needs free pages too.
 * Keeping 1/32 of the map (at least 32, at most 2048 pages) for deletes lets
 * a full store shrink again.
 */
#define STORE_RESERVE_MIN_PAGES 32
#define STORE_RESERVE_MAX_PAGES 2048

struct store {
	MDB_env *env;
	MDB_dbi meta;
	MDB_dbi segments;
	MDB_dbi fdb;
	MDB_dbi flood;
	MDB_dbi vteps;
	bool read_only;
	size_t put_limit_pages; /* puts are refused when the live pages pass this */
	struct store_stats stats;
};

static void store_error(char *err, size_t err_size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void store_error(char *err, size_t err_size, const char *format, ...)
{
	va_list ap;

	if (err == NULL || err_size == 0)
		return;
	va_start(ap, format);
	vsnprintf(err, err_size, format, ap);
	va_end(ap);
}

/* LMDB returns either a system errno (positive) or its own MDB_* codes. */
static int store_errno(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return 0;
	case MDB_NOTFOUND:
		return -ENOENT;
	case MDB_MAP_FULL:
		return -ENOSPC;
	case MDB_TXN_FULL:
	case MDB_CURSOR_FULL:
		return -E2BIG;
	case MDB_READERS_FULL:
		return -EUSERS;
	case MDB_MAP_RESIZED:
		return -ESTALE;
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
		return -EPROTO;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
		return -EBADMSG;
	default:
		if (rc > 0)
			return -rc;
		return -EIO;
	}
}

static int store_mkdir_parents(const char *dir)
{
	char path[4096];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, STORE_DIR_MODE) < 0 && errno != EEXIST)
			return -errno;
		path[i] = i == len ? '\0' : '/';
	}
	return 0;
}

static size_t store_live_pages(MDB_txn *txn, const struct store *store)
{
	/* dbi 0 is LMDB's free list and 1 its main database. */
	const MDB_dbi dbis[] = {
		0, 1, store->meta, store->segments, store->fdb, store->flood, store->vteps};
	size_t pages = 2; /* the two meta pages */
	MDB_stat stat;

	for (size_t i = 0; i < sizeof(dbis) / sizeof(dbis[0]); i++) {
		if (mdb_stat(txn, dbis[i], &stat) != MDB_SUCCESS)
			continue;
		pages += stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages;
	}
	return pages;
}

static int store_write_begin(struct store *store, MDB_txn **txn)
{
	int rc;

	if (store->read_only) {
		store->stats.read_only_refusals++;
		return -EROFS;
	}
	rc = mdb_txn_begin(store->env, NULL, 0, txn);
	if (rc != MDB_SUCCESS) {
		if (rc == MDB_MAP_FULL)
			store->stats.map_full++;
		else
			store->stats.write_errors++;
		return store_errno(rc);
	}
	return 0;
}

/*
 * Ends a write: commits when `rc` is 0, aborts otherwise. `rc` is either an
 * LMDB code (> 0 or MDB_*) or already a negative errno from our own checks.
 */
static int store_write_end(struct store *store, MDB_txn *txn, int rc, bool grows)
{
	if (rc == MDB_SUCCESS && grows && store_live_pages(txn, store) > store->put_limit_pages)
		rc = MDB_MAP_FULL;
	if (rc == MDB_SUCCESS)
		rc = mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);

	if (rc == MDB_SUCCESS) {
		store->stats.commits++;
		return 0;
	}
	if (rc == MDB_MAP_FULL) {
		store->stats.map_full++;
		return -ENOSPC;
	}
	if (rc == MDB_NOTFOUND || rc == -ENOENT)
		return -ENOENT; /* an absent entry or segment: a refusal, not a failure */
	if (rc == -EINVAL) {
		store->stats.invalid_input++;
		return -EINVAL;
	}
	store->stats.write_errors++;
	/* MDB_* codes are below MDB_KEYEXIST; small negatives are our errnos. */
	if (rc < 0 && rc > MDB_KEYEXIST)
		return rc;
	return store_errno(rc);
}

static int store_read_begin(struct store *store, MDB_txn **txn)
{
	int rc = mdb_txn_begin(store->env, NULL, MDB_RDONLY, txn);

	if (rc == MDB_MAP_RESIZED) {
		/* The writer grew the map since we opened: adopt its size. */
		rc = mdb_env_set_mapsize(store->env, 0);
		if (rc == MDB_SUCCESS)
			rc = mdb_txn_begin(store->env, NULL, MDB_RDONLY, txn);
	}
	return store_errno(rc);
}

static int store_check_schema(MDB_txn *txn, MDB_dbi meta, bool create, const char *dir, char *err,
			      size_t err_size)
{
	MDB_val key = {STORE_META_SCHEMA_KEY_SIZE, (void *)(uintptr_t)STORE_META_SCHEMA_KEY};
	uint8_t version[STORE_META_SCHEMA_SIZE];
	MDB_val value;
	int rc;

	rc = mdb_get(txn, meta, &key, &value);
	if (rc == MDB_NOTFOUND && create) {
		store_put_be32(version, STORE_SCHEMA_VERSION);
		value.mv_size = sizeof(version);
		value.mv_data = version;
		rc = mdb_put(txn, meta, &key, &value, 0);
		if (rc != MDB_SUCCESS) {
			store_error(err, err_size, "%s: cannot record the schema version: %s", dir,
				    mdb_strerror(rc));
			return store_errno(rc);
		}
		return 0;
	}
	if (rc == MDB_NOTFOUND) {
		store_error(err, err_size, "%s: no schema version in the meta table", dir);
		return -EPROTO;
	}
	if (rc != MDB_SUCCESS) {
		store_error(err, err_size, "%s: cannot read the schema version: %s", dir,
			    mdb_strerror(rc));
		return store_errno(rc);
	}
	if (value.mv_size != STORE_META_SCHEMA_SIZE) {
		store_error(err, err_size, "%s: schema version has %zu bytes, expected %d", dir,
			    value.mv_size, STORE_META_SCHEMA_SIZE);
		return -EPROTO;
	}
	if (store_get_be32(value.mv_data) != STORE_SCHEMA_VERSION) {
		store_error(err, err_size,
			    "%s: store has schema version %u, this build reads version %u", dir,
			    store_get_be32(value.mv_data), STORE_SCHEMA_VERSION);
		return -EPROTO;
	}
	return 0;
}

static int store_open_tables(struct store *store, const char *dir, char *err, size_t err_size)
{
	const struct {
		const char *name;
		MDB_dbi *dbi;
	} tables[] = {
		{"segments", &store->segments},
		{"fdb", &store->fdb},
		{"flood", &store->flood},
		{"vteps", &store->vteps},
	};
	unsigned int flags = store->read_only ? 0 : MDB_CREATE;
	MDB_txn *txn;
	int rc;

	rc = mdb_txn_begin(store->env, NULL, store->read_only ? MDB_RDONLY : 0, &txn);
	if (rc != MDB_SUCCESS) {
		store_error(err, err_size, "%s: cannot begin a transaction: %s", dir,
			    mdb_strerror(rc));
		return store_errno(rc);
	}
	/* The schema is checked before any other table is created, so a store
	 * of another version is left exactly as it was. */
	rc = mdb_dbi_open(txn, "meta", flags, &store->meta);
	if (rc == MDB_NOTFOUND) {
		store_error(err, err_size, "%s: not a vtepgw store (no meta table)", dir);
		rc = -EPROTO;
		goto err;
	}
	if (rc != MDB_SUCCESS) {
		store_error(err, err_size, "%s: cannot open table meta: %s", dir, mdb_strerror(rc));
		rc = store_errno(rc);
		goto err;
	}
	rc = store_check_schema(txn, store->meta, !store->read_only, dir, err, err_size);
	if (rc < 0)
		goto err;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		rc = mdb_dbi_open(txn, tables[i].name, flags, tables[i].dbi);
		if (rc != MDB_SUCCESS) {
			store_error(err, err_size, "%s: cannot open table %s: %s", dir,
				    tables[i].name, mdb_strerror(rc));
			rc = rc == MDB_NOTFOUND ? -EPROTO : store_errno(rc);
			goto err;
		}
	}
	/* Committing (even a read transaction) keeps the table handles open. */
	rc = mdb_txn_commit(txn);
	if (rc != MDB_SUCCESS) {
		store_error(err, err_size, "%s: cannot create the tables: %s", dir,
			    mdb_strerror(rc));
		return store_errno(rc);
	}
	return 0;
err:
	mdb_txn_abort(txn);
	return rc;
}

int store_open_options(struct store **result, const struct store_options *options, char *err,
		       size_t err_size)
{
	const char *dir = options->dir;
	unsigned int flags = MDB_NOTLS; /* read transactions may move between threads */
	uint64_t map_size = options->map_size ? options->map_size : STORE_MAP_SIZE_DEFAULT;
	struct store *store;
	char data_path[4096];
	MDB_envinfo info;
	MDB_stat env_stat;
	struct stat st;
	size_t map_pages, reserve;
	int dead_readers;
	int rc;

	*result = NULL;
	if (err != NULL && err_size > 0)
		err[0] = '\0';
	if (dir == NULL || dir[0] == '\0') {
		store_error(err, err_size, "no store directory given");
		return -EINVAL;
	}
	store = calloc(1, sizeof(*store));
	if (store == NULL) {
		store_error(err, err_size, "%s: out of memory", dir);
		return -ENOMEM;
	}
	store->read_only = options->read_only;

	if (store->read_only) {
		/* Readers never create: no directory, no data file. */
		if ((size_t)snprintf(data_path, sizeof(data_path), "%s/data.mdb", dir) >=
		    sizeof(data_path)) {
			store_error(err, err_size, "%s: path too long", dir);
			rc = -ENAMETOOLONG;
			goto err_free;
		}
		if (stat(data_path, &st) < 0) {
			rc = -errno;
			store_error(err, err_size, "%s: no store here: %s", dir, strerror(errno));
			goto err_free;
		}
		flags |= MDB_RDONLY;
	} else {
		rc = store_mkdir_parents(dir);
		if (rc < 0) {
			store_error(err, err_size, "%s: cannot create the directory: %s", dir,
				    strerror(-rc));
			goto err_free;
		}
		if (options->no_sync)
			flags |= MDB_NOSYNC;
	}

	rc = mdb_env_create(&store->env);
	if (rc != MDB_SUCCESS) {
		store_error(err, err_size, "%s: cannot create the environment: %s", dir,
			    mdb_strerror(rc));
		rc = store_errno(rc);
		goto err_free;
	}
	rc = mdb_env_set_maxdbs(store->env, STORE_MAX_DBS);
	if (rc == MDB_SUCCESS)
		rc = mdb_env_set_maxreaders(store->env, STORE_MAX_READERS);
	/* A reader takes the map size from the file, so it never shrinks the map. */
	if (rc == MDB_SUCCESS && !store->read_only)
		rc = mdb_env_set_mapsize(store->env, map_size);
	if (rc != MDB_SUCCESS) {
		store_error(err, err_size, "%s: cannot configure the environment: %s", dir,
			    mdb_strerror(rc));
		rc = store_errno(rc);
		goto err_env;
	}
	rc = mdb_env_open(store->env, dir, flags, STORE_FILE_MODE);
	if (rc != MDB_SUCCESS) {
		store_error(err, err_size, "%s: cannot open the store: %s", dir, mdb_strerror(rc));
		rc = store_errno(rc);
		goto err_env;
	}
	/* A process killed inside a read transaction leaves its reader slot
	 * taken, which pins old pages until someone clears it. (LMDB resets the
	 * whole table only when no process has the environment open.) */
	rc = mdb_reader_check(store->env, &dead_readers);
	if (rc != MDB_SUCCESS) {
		store_error(err, err_size, "%s: cannot clear stale readers: %s", dir,
			    mdb_strerror(rc));
		rc = store_errno(rc);
		goto err_env;
	}
	store->stats.stale_readers_cleared = (uint64_t)dead_readers;
	rc = store_open_tables(store, dir, err, err_size);
	if (rc < 0)
		goto err_env;

	mdb_env_info(store->env, &info);
	mdb_env_stat(store->env, &env_stat);
	map_pages = info.me_mapsize / env_stat.ms_psize;
	reserve = map_pages / 32;
	if (reserve < STORE_RESERVE_MIN_PAGES)
		reserve = STORE_RESERVE_MIN_PAGES;
	if (reserve > STORE_RESERVE_MAX_PAGES)
		reserve = STORE_RESERVE_MAX_PAGES;
	store->put_limit_pages = map_pages > reserve ? map_pages - reserve : 0;

	*result = store;
	return 0;
err_env:
	mdb_env_close(store->env);
err_free:
	free(store);
	return rc;
}

int store_open(struct store **store, const char *dir, uint64_t map_size, bool read_only, char *err,
	       size_t err_size)
{
	const struct store_options options = {
		.dir = dir,
		.map_size = map_size,
		.read_only = read_only,
	};

	return store_open_options(store, &options, err, err_size);
}

void store_close(struct store *store)
{
	if (store == NULL)
		return;
	mdb_env_close(store->env);
	free(store);
}

const struct store_stats *store_stats(const struct store *store)
{
	return &store->stats;
}

/* Writes --------------------------------------------------------------- */

static int store_segment_exists(MDB_txn *txn, const struct store *store,
				const uint8_t key[STORE_SEGMENT_KEY_SIZE])
{
	MDB_val k = {STORE_SEGMENT_KEY_SIZE, (void *)(uintptr_t)key};
	MDB_val v;
	int rc = mdb_get(txn, store->segments, &k, &v);

	return rc == MDB_NOTFOUND ? -ENOENT : rc;
}

int store_segment_put(struct store *store, const struct store_segment_key *key,
		      const struct store_segment *segment)
{
	uint8_t key_bytes[STORE_SEGMENT_KEY_SIZE];
	uint8_t value_bytes[STORE_SEGMENT_VALUE_SIZE];
	MDB_val k = {sizeof(key_bytes), key_bytes};
	MDB_val v = {sizeof(value_bytes), value_bytes};
	MDB_txn *txn;
	int rc;

	rc = store_write_begin(store, &txn);
	if (rc < 0)
		return rc;
	rc = store_segment_key_encode(key, key_bytes);
	if (rc == 0)
		rc = store_segment_value_encode(segment, value_bytes);
	if (rc == 0)
		rc = mdb_put(txn, store->segments, &k, &v, 0);
	return store_write_end(store, txn, rc, true);
}

/* Deletes every key of `dbi` that starts with the segment key. */
static int store_delete_prefix(MDB_txn *txn, MDB_dbi dbi, const uint8_t *prefix)
{
	MDB_cursor *cursor;
	MDB_val k = {STORE_SEGMENT_KEY_SIZE, (void *)(uintptr_t)prefix};
	MDB_val v;
	int rc;

	rc = mdb_cursor_open(txn, dbi, &cursor);
	if (rc != MDB_SUCCESS)
		return rc;
	rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
	while (rc == MDB_SUCCESS) {
		if (k.mv_size < STORE_SEGMENT_KEY_SIZE ||
		    memcmp(k.mv_data, prefix, STORE_SEGMENT_KEY_SIZE) != 0)
			break;
		/* After a delete the cursor stands on the next entry. */
		rc = mdb_cursor_del(cursor, 0);
		if (rc != MDB_SUCCESS)
			break;
		rc = mdb_cursor_get(cursor, &k, &v, MDB_GET_CURRENT);
	}
	mdb_cursor_close(cursor);
	return rc == MDB_NOTFOUND ? MDB_SUCCESS : rc;
}

int store_segment_del(struct store *store, const struct store_segment_key *key)
{
	uint8_t key_bytes[STORE_SEGMENT_KEY_SIZE];
	MDB_val k = {sizeof(key_bytes), key_bytes};
	MDB_txn *txn;
	int rc;

	rc = store_write_begin(store, &txn);
	if (rc < 0)
		return rc;
	rc = store_segment_key_encode(key, key_bytes);
	if (rc == 0)
		rc = mdb_del(txn, store->segments, &k, NULL);
	if (rc == MDB_SUCCESS)
		rc = store_delete_prefix(txn, store->fdb, key_bytes);
	if (rc == MDB_SUCCESS)
		rc = store_delete_prefix(txn, store->flood, key_bytes);
	return store_write_end(store, txn, rc, false);
}

static int store_fdb_key_encode(const struct store_fdb_record *record,
				uint8_t out[STORE_FDB_KEY_SIZE])
{
	int rc = store_segment_key_encode(&record->segment, out);

	if (rc == 0)
		memcpy(out + STORE_SEGMENT_KEY_SIZE, record->mac, 6);
	return rc;
}

int store_fdb_put_batch(struct store *store, const struct store_fdb_record *records, size_t n)
{
	uint8_t key_bytes[STORE_FDB_KEY_SIZE];
	uint8_t value_bytes[STORE_FDB_VALUE_SIZE];
	uint8_t checked[STORE_SEGMENT_KEY_SIZE];
	bool have_checked = false;
	MDB_val k = {sizeof(key_bytes), key_bytes};
	MDB_val v = {sizeof(value_bytes), value_bytes};
	MDB_txn *txn;
	int rc;

	if (n > 0 && records == NULL)
		return -EINVAL;
	rc = store_write_begin(store, &txn);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = store_fdb_key_encode(&records[i], key_bytes);
		if (rc == 0)
			rc = store_fdb_value_encode(&records[i].entry, value_bytes);
		if (rc != 0)
			break;
		/* Batches usually hold one segment: check it once per run. */
		if (!have_checked || memcmp(checked, key_bytes, sizeof(checked)) != 0) {
			rc = store_segment_exists(txn, store, key_bytes);
			if (rc == -ENOENT)
				store->stats.missing_segment++;
			if (rc != 0)
				break;
			memcpy(checked, key_bytes, sizeof(checked));
			have_checked = true;
		}
		rc = mdb_put(txn, store->fdb, &k, &v, 0);
	}
	return store_write_end(store, txn, rc, true);
}

int store_fdb_del_batch(struct store *store, const struct store_fdb_record *records, size_t n)
{
	uint8_t key_bytes[STORE_FDB_KEY_SIZE];
	MDB_val k = {sizeof(key_bytes), key_bytes};
	MDB_txn *txn;
	int rc;

	if (n > 0 && records == NULL)
		return -EINVAL;
	rc = store_write_begin(store, &txn);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = store_fdb_key_encode(&records[i], key_bytes);
		if (rc == 0)
			rc = mdb_del(txn, store->fdb, &k, NULL);
		if (rc == MDB_NOTFOUND)
			rc = 0; /* aging and withdrawals may race: absent is done */
	}
	return store_write_end(store, txn, rc, false);
}

static int store_flood_key_encode(const struct store_segment_key *segment,
				  const struct conf_ip *vtep, uint8_t out[STORE_FLOOD_KEY_SIZE])
{
	int rc = store_segment_key_encode(segment, out);

	if (rc == 0)
		rc = store_address_encode(vtep, false, out + STORE_SEGMENT_KEY_SIZE);
	return rc;
}

int store_flood_put(struct store *store, const struct store_segment_key *segment,
		    const struct conf_ip *vtep, enum store_flood_origin origin)
{
	uint8_t key_bytes[STORE_FLOOD_KEY_SIZE];
	uint8_t value_bytes[STORE_FLOOD_VALUE_SIZE];
	MDB_val k = {sizeof(key_bytes), key_bytes};
	MDB_val v = {sizeof(value_bytes), value_bytes};
	MDB_txn *txn;
	int rc;

	rc = store_write_begin(store, &txn);
	if (rc < 0)
		return rc;
	rc = store_flood_key_encode(segment, vtep, key_bytes);
	if (rc == 0)
		rc = store_flood_value_encode(origin, value_bytes);
	if (rc == 0) {
		rc = store_segment_exists(txn, store, key_bytes);
		if (rc == -ENOENT)
			store->stats.missing_segment++;
	}
	if (rc == 0)
		rc = mdb_put(txn, store->flood, &k, &v, 0);
	return store_write_end(store, txn, rc, true);
}

int store_flood_del(struct store *store, const struct store_segment_key *segment,
		    const struct conf_ip *vtep)
{
	uint8_t key_bytes[STORE_FLOOD_KEY_SIZE];
	MDB_val k = {sizeof(key_bytes), key_bytes};
	MDB_txn *txn;
	int rc;

	rc = store_write_begin(store, &txn);
	if (rc < 0)
		return rc;
	rc = store_flood_key_encode(segment, vtep, key_bytes);
	if (rc == 0)
		rc = mdb_del(txn, store->flood, &k, NULL);
	return store_write_end(store, txn, rc, false);
}

int store_vtep_put(struct store *store, const struct conf_ip *vtep, const struct store_vtep *info)
{
	uint8_t key_bytes[STORE_VTEP_KEY_SIZE];
	uint8_t value_bytes[STORE_VTEP_VALUE_SIZE];
	MDB_val k = {sizeof(key_bytes), key_bytes};
	MDB_val v = {sizeof(value_bytes), value_bytes};
	MDB_txn *txn;
	int rc;

	rc = store_write_begin(store, &txn);
	if (rc < 0)
		return rc;
	rc = store_address_encode(vtep, false, key_bytes);
	if (rc == 0)
		rc = store_vtep_value_encode(info, value_bytes);
	if (rc == 0)
		rc = mdb_put(txn, store->vteps, &k, &v, 0);
	return store_write_end(store, txn, rc, true);
}

int store_vtep_del(struct store *store, const struct conf_ip *vtep)
{
	uint8_t key_bytes[STORE_VTEP_KEY_SIZE];
	MDB_val k = {sizeof(key_bytes), key_bytes};
	MDB_txn *txn;
	int rc;

	rc = store_write_begin(store, &txn);
	if (rc < 0)
		return rc;
	rc = store_address_encode(vtep, false, key_bytes);
	if (rc == 0)
		rc = mdb_del(txn, store->vteps, &k, NULL);
	return store_write_end(store, txn, rc, false);
}

/* Reads ---------------------------------------------------------------- */

/* Called for each entry of a walk; returns 0 to go on, non-zero to stop. */
typedef int (*store_visit_fn)(const MDB_val *key, const MDB_val *value, void *context);

/*
 * Walks `dbi` in one read transaction, from the first key or, with
 * `prefix`, over the keys that start with it. A negative errno from LMDB or
 * a record that does not decode (-EBADMSG) also stops the walk.
 */
static int store_walk(struct store *store, MDB_dbi dbi, const uint8_t *prefix, size_t prefix_size,
		      store_visit_fn visit, void *context)
{
	MDB_cursor *cursor;
	MDB_txn *txn;
	MDB_val k = {prefix_size, (void *)(uintptr_t)prefix};
	MDB_val v;
	int stop = 0;
	int rc;

	rc = store_read_begin(store, &txn);
	if (rc < 0)
		return rc;
	rc = mdb_cursor_open(txn, dbi, &cursor);
	if (rc != MDB_SUCCESS) {
		mdb_txn_abort(txn);
		return store_errno(rc);
	}
	rc = mdb_cursor_get(cursor, &k, &v, prefix != NULL ? MDB_SET_RANGE : MDB_FIRST);
	while (rc == MDB_SUCCESS) {
		if (prefix != NULL &&
		    (k.mv_size < prefix_size || memcmp(k.mv_data, prefix, prefix_size) != 0))
			break;
		stop = visit(&k, &v, context);
		if (stop != 0)
			break;
		rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cursor);
	mdb_txn_abort(txn);
	if (stop != 0)
		return stop;
	return rc == MDB_NOTFOUND ? 0 : store_errno(rc);
}

struct store_segment_visit {
	store_segment_cb cb;
	void *arg;
};

static int store_segment_visit(const MDB_val *k, const MDB_val *v, void *context)
{
	const struct store_segment_visit *visit = context;
	struct store_segment_key key;
	struct store_segment segment;

	if (k->mv_size != STORE_SEGMENT_KEY_SIZE ||
	    store_segment_key_decode(k->mv_data, k->mv_size, &key) < 0 ||
	    store_segment_value_decode(v->mv_data, v->mv_size, &segment) < 0)
		return -EBADMSG;
	return visit->cb(&key, &segment, visit->arg);
}

int store_segment_foreach(struct store *store, store_segment_cb cb, void *arg)
{
	struct store_segment_visit visit = {cb, arg};

	return store_walk(store, store->segments, NULL, 0, store_segment_visit, &visit);
}

struct store_fdb_visit {
	store_fdb_cb cb;
	void *arg;
};

static int store_fdb_visit(const MDB_val *k, const MDB_val *v, void *context)
{
	const struct store_fdb_visit *visit = context;
	struct store_fdb_record record;

	memset(&record, 0, sizeof(record));
	if (k->mv_size != STORE_FDB_KEY_SIZE ||
	    store_segment_key_decode(k->mv_data, k->mv_size, &record.segment) < 0 ||
	    store_fdb_value_decode(v->mv_data, v->mv_size, &record.entry) < 0)
		return -EBADMSG;
	memcpy(record.mac, (const uint8_t *)k->mv_data + STORE_SEGMENT_KEY_SIZE, 6);
	return visit->cb(&record, visit->arg);
}

int store_fdb_foreach(struct store *store, const struct store_segment_key *segment, store_fdb_cb cb,
		      void *arg)
{
	struct store_fdb_visit visit = {cb, arg};
	uint8_t prefix[STORE_SEGMENT_KEY_SIZE];

	if (segment != NULL && store_segment_key_encode(segment, prefix) < 0)
		return -EINVAL;
	return store_walk(store, store->fdb, segment != NULL ? prefix : NULL, sizeof(prefix),
			  store_fdb_visit, &visit);
}

struct store_flood_visit {
	store_flood_cb cb;
	void *arg;
};

static int store_flood_visit(const MDB_val *k, const MDB_val *v, void *context)
{
	const struct store_flood_visit *visit = context;
	struct store_segment_key segment;
	enum store_flood_origin origin;
	struct conf_ip vtep;

	if (k->mv_size != STORE_FLOOD_KEY_SIZE ||
	    store_segment_key_decode(k->mv_data, k->mv_size, &segment) < 0 ||
	    store_address_decode((const uint8_t *)k->mv_data + STORE_SEGMENT_KEY_SIZE, &vtep) < 0 ||
	    vtep.family == 0 || store_flood_value_decode(v->mv_data, v->mv_size, &origin) < 0)
		return -EBADMSG;
	return visit->cb(&segment, &vtep, origin, visit->arg);
}

int store_flood_foreach(struct store *store, const struct store_segment_key *segment,
			store_flood_cb cb, void *arg)
{
	struct store_flood_visit visit = {cb, arg};
	uint8_t prefix[STORE_SEGMENT_KEY_SIZE];

	if (segment != NULL && store_segment_key_encode(segment, prefix) < 0)
		return -EINVAL;
	return store_walk(store, store->flood, segment != NULL ? prefix : NULL, sizeof(prefix),
			  store_flood_visit, &visit);
}

struct store_vtep_visit {
	store_vtep_cb cb;
	void *arg;
};

static int store_vtep_visit(const MDB_val *k, const MDB_val *v, void *context)
{
	const struct store_vtep_visit *visit = context;
	struct store_vtep info;
	struct conf_ip vtep;

	if (k->mv_size != STORE_VTEP_KEY_SIZE || store_address_decode(k->mv_data, &vtep) < 0 ||
	    vtep.family == 0 || store_vtep_value_decode(v->mv_data, v->mv_size, &info) < 0)
		return -EBADMSG;
	return visit->cb(&vtep, &info, visit->arg);
}

int store_vtep_foreach(struct store *store, store_vtep_cb cb, void *arg)
{
	struct store_vtep_visit visit = {cb, arg};

	return store_walk(store, store->vteps, NULL, 0, store_vtep_visit, &visit);
}

int store_fdb_get(struct store *store, const struct store_segment_key *segment,
		  const uint8_t mac[6], struct store_fdb_entry *entry)
{
	uint8_t key_bytes[STORE_FDB_KEY_SIZE];
	MDB_val k = {sizeof(key_bytes), key_bytes};
	MDB_val v;
	MDB_txn *txn;
	int rc;

	if (store_segment_key_encode(segment, key_bytes) < 0)
		return -EINVAL;
	memcpy(key_bytes + STORE_SEGMENT_KEY_SIZE, mac, 6);
	rc = store_read_begin(store, &txn);
	if (rc < 0)
		return rc;
	rc = mdb_get(txn, store->fdb, &k, &v);
	if (rc == MDB_SUCCESS)
		rc = store_fdb_value_decode(v.mv_data, v.mv_size, entry);
	else
		rc = store_errno(rc);
	mdb_txn_abort(txn);
	return rc;
}
