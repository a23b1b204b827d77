/* SPDX-License-Identifier: BSD-3-Clause */
/* Command line of vtepctl: options, configuration, dispatch. */
#include "vtepctl.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "conf/model.h"
#include "telemetry_client.h"

#define SOCKET_PATH_MAX 256

static void usage(FILE *out)
{
	fputs("Usage: vtepctl [OPTIONS] show segments|fdb [SEGMENT]|vteps|ports|counters\n"
	      "\n"
	      "Show the state of the vtepgw gateway.\n"
	      "  segments        segments with their persisted state and live counters\n"
	      "  fdb [SEGMENT]   MAC table (all segments, or one by name)\n"
	      "  vteps           remote VTEPs and their next hops (daemon must run)\n"
	      "  ports           DPDK ports (daemon must run)\n"
	      "  counters        drop reasons and totals (daemon must run)\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config FILE    vtepgw configuration (default " VTEPCTL_DEFAULT_CONFIG ")\n"
	      "  -s, --socket PATH    telemetry socket (default from the config's file prefix)\n"
	      "  -d, --lmdb-dir DIR   LMDB store directory (default from the config)\n"
	      "  -j, --json           JSON output\n"
	      "  -a, --all            counters: show zero drop counters too\n"
	      "  -h, --help           this help\n"
	      "Exit status: 0 ok, 1 usage or configuration error, 2 vtepgw not running,\n"
	      "3 other failure. Words may be abbreviated (`vtepctl sh seg`).\n",
	      out);
}

/* Match `word` against `choices` as a unique prefix; returns index or -1. */
static int match_word(const char *word, const char *const *choices, size_t n)
{
	int found = -1;
	size_t len = strlen(word);
	if (len == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(word, choices[i]) == 0)
			return (int)i;
		if (strncmp(word, choices[i], len) == 0) {
			if (found >= 0)
				return -1; /* ambiguous */
			found = (int)i;
		}
	}
	return found;
}

/* The EAL file prefix decides where DPDK puts the telemetry socket. */
static const char *file_prefix_of(const struct conf_model *model)
{
	static const char option[] = "--file-prefix";
	const char *prefix = VTEPCTL_DEFAULT_FILE_PREFIX;
	for (size_t i = 0; i < model->dpdk.n_eal_args; i++) {
		const char *arg = model->dpdk.eal_args[i];
		if (strncmp(arg, option, sizeof(option) - 1) != 0)
			continue;
		if (arg[sizeof(option) - 1] == '=')
			prefix = arg + sizeof(option);
		else if (arg[sizeof(option) - 1] == '\0' && i + 1 < model->dpdk.n_eal_args)
			prefix = model->dpdk.eal_args[++i];
	}
	return prefix;
}

struct cli_paths {
	char socket[SOCKET_PATH_MAX];
	char lmdb_dir[CONF_PATH_MAX];
	uint64_t lmdb_map_size;
};

/*
 * Fill what -s/-d did not give from the configuration. An explicit -c must
 * load; the default file may be absent (defaults then apply) but not broken.
 */
static int resolve_paths(const char *config, bool config_given, const char *socket_opt,
			 const char *lmdb_opt, struct cli_paths *paths, FILE *err)
{
	const char *prefix = VTEPCTL_DEFAULT_FILE_PREFIX;
	struct conf_model *model = NULL;

	snprintf(paths->lmdb_dir, sizeof(paths->lmdb_dir), "%s", VTEPCTL_DEFAULT_LMDB_DIR);
	paths->lmdb_map_size = VTEPCTL_DEFAULT_LMDB_MAP_SIZE;
	bool need_config = socket_opt == NULL || lmdb_opt == NULL || config_given;
	if (need_config && (config_given || access(config, F_OK) == 0)) {
		struct conf_errors errors = {0};
		if (conf_load(config, &model, &errors) < 0) {
			fprintf(err, "vtepctl: cannot use configuration %s:\n", config);
			conf_errors_print(&errors, err);
			conf_errors_clear(&errors);
			return VTEPCTL_EXIT_USAGE;
		}
		conf_errors_clear(&errors);
		prefix = file_prefix_of(model);
		snprintf(paths->lmdb_dir, sizeof(paths->lmdb_dir), "%s", model->gateway.lmdb_path);
		if (model->gateway.lmdb_map_size != 0)
			paths->lmdb_map_size = model->gateway.lmdb_map_size;
	}
	int ret = VTEPCTL_EXIT_OK;
	if (socket_opt != NULL) {
		snprintf(paths->socket, sizeof(paths->socket), "%s", socket_opt);
	} else if (telemetry_socket_path(prefix, paths->socket, sizeof(paths->socket)) < 0) {
		fprintf(err, "vtepctl: file prefix '%s' makes a socket path too long\n", prefix);
		ret = VTEPCTL_EXIT_USAGE;
	}
	if (lmdb_opt != NULL)
		snprintf(paths->lmdb_dir, sizeof(paths->lmdb_dir), "%s", lmdb_opt);
	conf_free(model);
	return ret;
}

enum show_what {
	SHOW_SEGMENTS,
	SHOW_FDB,
	SHOW_VTEPS,
	SHOW_PORTS,
	SHOW_COUNTERS,
};

int vtepctl_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option options[] = {
		{"config", required_argument, NULL, 'c'},
		{"socket", required_argument, NULL, 's'},
		{"lmdb-dir", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{"all", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const verbs[] = {"show"};
	static const char *const objects[] = {"segments", "fdb", "vteps", "ports", "counters"};
	const char *config = VTEPCTL_DEFAULT_CONFIG, *socket_opt = NULL, *lmdb_opt = NULL;
	bool config_given = false;
	struct vtepctl ctx = {.out = out, .err = err};
	int c;

	optind = 0; /* glibc: restart option parsing (vtepctl_main runs in tests) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:s:d:jah", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			config_given = true;
			break;
		case 's':
			socket_opt = optarg;
			break;
		case 'd':
			lmdb_opt = optarg;
			break;
		case 'j':
			ctx.json = true;
			break;
		case 'a':
			ctx.all = true;
			break;
		case 'h':
			usage(out);
			return VTEPCTL_EXIT_OK;
		case ':':
			fprintf(err, "vtepctl: option %s needs an argument\n", argv[optind - 1]);
			usage(err);
			return VTEPCTL_EXIT_USAGE;
		default:
			fprintf(err, "vtepctl: unknown option %s\n", argv[optind - 1]);
			usage(err);
			return VTEPCTL_EXIT_USAGE;
		}
	}
	int n_words = argc - optind;
	char **words = argv + optind;
	if (n_words < 2 || match_word(words[0], verbs, 1) != 0) {
		if (n_words == 0)
			fprintf(err, "vtepctl: missing command\n");
		else if (match_word(words[0], verbs, 1) != 0)
			fprintf(err, "vtepctl: unknown command '%s'\n", words[0]);
		else
			fprintf(err, "vtepctl: show what?\n");
		usage(err);
		return VTEPCTL_EXIT_USAGE;
	}
	int what = match_word(words[1], objects, sizeof(objects) / sizeof(objects[0]));
	if (what < 0) {
		fprintf(err, "vtepctl: unknown or ambiguous object '%s'\n", words[1]);
		usage(err);
		return VTEPCTL_EXIT_USAGE;
	}
	int max_words = what == SHOW_FDB ? 3 : 2;
	if (n_words > max_words) {
		fprintf(err, "vtepctl: unexpected argument '%s'\n", words[max_words]);
		usage(err);
		return VTEPCTL_EXIT_USAGE;
	}

	struct cli_paths paths;
	int ret = resolve_paths(config, config_given, socket_opt, lmdb_opt, &paths, err);
	if (ret != VTEPCTL_EXIT_OK)
		return ret;
	ctx.socket_path = paths.socket;
	ctx.lmdb_dir = paths.lmdb_dir;
	ctx.lmdb_map_size = paths.lmdb_map_size;

	switch ((enum show_what)what) {
	case SHOW_SEGMENTS:
		return vtepctl_show_segments(&ctx);
	case SHOW_FDB:
		return vtepctl_show_fdb(&ctx, n_words == 3 ? words[2] : NULL);
	case SHOW_VTEPS:
		return vtepctl_show_vteps(&ctx);
	case SHOW_PORTS:
		return vtepctl_show_ports(&ctx);
	case SHOW_COUNTERS:
		return vtepctl_show_counters(&ctx);
	}
	return VTEPCTL_EXIT_USAGE;
}
