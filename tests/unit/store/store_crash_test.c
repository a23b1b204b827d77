/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A writer killed with SIGKILL at a random point (often inside a commit)
 * must leave exactly a committed prefix: after reopening, the entries
 * 0..k-1 are all present and intact and nothing else is. The child reports
 * every commit through a pipe, so the parent knows k_reported <= k <=
 * k_reported + 1 (the child may die between a commit and its report).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>

#include "store_test_util.h"

enum {
	CRASH_ITERATIONS = 20,
	CRASH_MAX_ENTRIES = 1000000, /* never reached: the child is killed first */
	CRASH_MAX_TARGET = 300,	     /* kill after 1..300 reported commits ... */
	CRASH_MAX_DELAY_US = 3000,   /* ... plus 0..3 ms */
};

static const struct store_segment_key crash_segment = {.type = CONF_SEGMENT_VXLAN, .id = 4242};

static void crash_child(const char *path, int report_fd)
{
	struct store_segment segment = {.learning = CONF_LEARNING_DATAPLANE};
	struct store_fdb_record record;
	struct store *store;
	char err[256];

	/* Default options: durable commits, as the daemon runs. */
	if (store_open(&store, path, 64ull << 20, false, err, sizeof(err)) != 0)
		_exit(2);
	snprintf(segment.name, sizeof(segment.name), "crash");
	if (store_segment_put(store, &crash_segment, &segment) != 0)
		_exit(3);
	for (uint32_t seq = 0; seq < CRASH_MAX_ENTRIES; seq++) {
		test_fdb_record(&record, &crash_segment, seq);
		if (store_fdb_put_batch(store, &record, 1) != 0)
			_exit(4);
		if (write(report_fd, &seq, sizeof(seq)) != sizeof(seq))
			_exit(5);
	}
	_exit(6);
}

struct crash_check {
	uint8_t *seen;
	size_t limit;
	size_t n;
	size_t foreign; /* torn, foreign or duplicated entries */
	uint32_t max_seq;
};

static int crash_check_record(const struct store_fdb_record *record, void *arg)
{
	struct crash_check *check = arg;
	long seq = test_fdb_record_seq(record, &crash_segment);

	check->n++;
	if (seq < 0 || (size_t)seq >= check->limit || check->seen[seq]) {
		check->foreign++;
		return 0;
	}
	check->seen[seq] = 1;
	if ((uint32_t)seq > check->max_seq)
		check->max_seq = (uint32_t)seq;
	return 0;
}

/* Reads reports until `target` commits are known or the pipe closes. */
static uint32_t crash_read_reports(int fd, uint32_t reported, uint32_t target)
{
	uint32_t seqs[1024];
	ssize_t got;

	while (reported < target) {
		got = read(fd, seqs, sizeof(seqs));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		/* Each report is one atomic 4-byte write, so reads are whole. */
		assert_int_equal(got % (ssize_t)sizeof(uint32_t), 0);
		for (ssize_t i = 0; i < got / (ssize_t)sizeof(uint32_t); i++) {
			assert_int_equal(seqs[i], reported);
			reported++;
		}
	}
	return reported;
}

static void test_crash_leaves_committed_prefix(void **state)
{
	unsigned int seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	unsigned int reported_plus_one = 0;
	const char *seed_text = getenv("VTEPGW_CRASH_SEED");

	(void)state;
	if (seed_text != NULL)
		seed = (unsigned int)strtoul(seed_text, NULL, 0);
	print_message("seed %u (set VTEPGW_CRASH_SEED to repeat)\n", seed);
	srand(seed);

	for (int iteration = 0; iteration < CRASH_ITERATIONS; iteration++) {
		uint32_t target = 1 + (uint32_t)rand() % CRASH_MAX_TARGET;
		useconds_t delay = (useconds_t)(rand() % (CRASH_MAX_DELAY_US + 1));
		char dir[PATH_MAX], path[PATH_MAX];
		struct store_fdb_record record;
		struct store_fdb_entry entry;
		struct crash_check check = {0};
		struct store *store;
		uint32_t reported;
		int report[2];
		char err[256];
		int status;
		pid_t pid;

		test_dir_make(dir, sizeof(dir), path, sizeof(path));
		assert_int_equal(pipe(report), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(report[0]);
			crash_child(path, report[1]);
		}
		close(report[1]);

		reported = crash_read_reports(report[0], 0, target);
		assert_true(reported >= target); /* reads may take a few more */
		usleep(delay);
		assert_int_equal(kill(pid, SIGKILL), 0);
		reported = crash_read_reports(report[0], reported, UINT32_MAX);
		close(report[0]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGKILL);

		/* Reopen for writing: recovers the writer lock the child held. */
		assert_int_equal(store_open(&store, path, 64ull << 20, false, err, sizeof(err)), 0);
		check.limit = (size_t)reported + 2;
		check.seen = calloc(check.limit, 1);
		assert_non_null(check.seen);
		assert_int_equal(store_fdb_foreach(store, NULL, crash_check_record, &check), 0);

		/* Nothing torn or foreign; k_reported <= k <= k_reported + 1; and
		 * the k entries are exactly 0..k-1. */
		assert_int_equal(check.foreign, 0);
		assert_true(check.n >= reported);
		assert_true(check.n <= (size_t)reported + 1);
		for (size_t i = 0; i < check.n; i++)
			assert_int_equal(check.seen[i], 1);
		if (check.n == (size_t)reported + 1)
			reported_plus_one++;

		/* The store takes writes again. */
		test_fdb_record(&record, &crash_segment, (uint32_t)check.n);
		assert_int_equal(store_fdb_put_batch(store, &record, 1), 0);
		assert_int_equal(store_fdb_get(store, &crash_segment, record.mac, &entry), 0);
		assert_int_equal(entry.last_seen, record.entry.last_seen);

		print_message("iteration %2d: kill at %u reports + %u us; %u reported, "
			      "store holds %zu\n",
			      iteration, target, (unsigned)delay, reported, check.n);
		store_close(store);
		free(check.seen);
		test_dir_remove(dir);
	}
	print_message("%u of %d kills fell between a commit and its report\n", reported_plus_one,
		      CRASH_ITERATIONS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash_leaves_committed_prefix),
	};

	return cmocka_run_group_tests_name("store_crash", tests, NULL, NULL);
}
