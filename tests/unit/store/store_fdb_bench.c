/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Throughput of store_fdb_put_batch: entries per second for batches of 1, 64
 * and 1024 entries, with durable commits (the default) and without sync.
 * Prints numbers only; nothing is asserted on time.
 */
#include <errno.h>
#include <time.h>

#include "store_test_util.h"

static double seconds_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static int bench_one(size_t batch, size_t total, bool no_sync)
{
	struct store_segment_key key = test_segment_key(CONF_SEGMENT_VXLAN, 100);
	struct store_segment segment = {.learning = CONF_LEARNING_DATAPLANE};
	struct store_options options = {.map_size = 1ull << 30, .no_sync = no_sync};
	struct store_fdb_record *records = calloc(batch, sizeof(*records));
	char dir[PATH_MAX], path[PATH_MAX], err[256];
	struct store *store;
	double start, elapsed;
	int rc;

	if (records == NULL)
		return -ENOMEM;
	test_dir_make(dir, sizeof(dir), path, sizeof(path));
	options.dir = path;
	rc = store_open_options(&store, &options, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	snprintf(segment.name, sizeof(segment.name), "bench");
	rc = store_segment_put(store, &key, &segment);
	start = seconds_now();
	for (size_t done = 0; rc == 0 && done < total; done += batch) {
		for (size_t i = 0; i < batch; i++)
			test_fdb_record(&records[i], &key, (uint32_t)(done + i));
		rc = store_fdb_put_batch(store, records, batch);
	}
	elapsed = seconds_now() - start;
	if (rc == 0)
		printf("batch %4zu %-8s %8zu entries in %6.3f s: %10.0f entries/s, %8.0f "
		       "commits/s\n",
		       batch, no_sync ? "no-sync" : "durable", total, elapsed,
		       (double)total / elapsed, (double)total / (double)batch / elapsed);
	store_close(store);
out:
	test_dir_remove(dir);
	free(records);
	return rc;
}

int main(void)
{
	const struct {
		size_t batch;
		size_t total;
	} runs[] = {{1, 2000}, {64, 64 * 500}, {1024, 1024 * 200}};
	int rc = 0;

	printf("store_fdb_put_batch on %s (new keys, one segment)\n", test_tmpdir_base());
	for (int no_sync = 0; no_sync <= 1; no_sync++)
		for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]) && rc == 0; i++)
			rc = bench_one(runs[i].batch, runs[i].total, no_sync);
	return rc == 0 ? 0 : 1;
}
