/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepgw-frr-config: render FRR's configuration from vtepgw.conf, show it,
 * show what it would change, or apply it to the running FRR with
 * frr-reload.py (no restart). Does nothing when bgp.manage_frr is false.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <conf/model.h>
#include <routing/frr_conf.h>

#define DEFAULT_VTEPGW_CONF "/etc/vtepgw/vtepgw.conf"

enum action {
	ACTION_PRINT,
	ACTION_DIFF,
	ACTION_APPLY,
};

static void usage(FILE *out)
{
	fputs("usage: vtepgw-frr-config [-c vtepgw.conf] [--print | --diff | --apply]\n"
	      "                         [--frr-conf PATH] [--vty-socket DIR] [-N NAME]\n"
	      "  -c, --config PATH     vtepgw configuration (default " DEFAULT_VTEPGW_CONF ")\n"
	      "  -p, --print           write the generated frr.conf to stdout (default)\n"
	      "  -d, --diff            show what --apply would change in the running FRR\n"
	      "  -a, --apply           write --frr-conf atomically and reload FRR with\n"
	      "                        frr-reload.py (no daemon restart)\n"
	      "  -f, --frr-conf PATH   FRR's file (default /etc/frr/frr.conf, or\n"
	      "                        /etc/frr/NAME/frr.conf with -N)\n"
	      "  -s, --vty-socket DIR  directory of the daemons' vty sockets\n"
	      "  -N, --pathspace NAME  FRR started with -N NAME (per-namespace FRR)\n"
	      "      --reload-tool PATH  frr-reload.py (default " FRR_CONF_DEFAULT_RELOAD_TOOL
	      ")\n",
	      out);
}

/* The --test output of frr-reload.py ends with a "Lines To Delete" and a
 * "Lines To Add" section (each underlined with '='), present only when
 * something differs. Each change comes with its context lines
 * ("router bgp N", " address-family ..."), repeated for every change; print
 * them once per run of changes in the same context, marked "-" or "+", and
 * count the changes.
 *
 * One line is left out: vtysh adds its own `hostname <system hostname>` to
 * `show running-config`, which frr-reload.py then offers to delete on every
 * run although no daemon has it; it is not a difference in FRR. */
enum { CONTEXT_DEPTH = 4 };

struct change_printer {
	char sign;
	char context[CONTEXT_DEPTH][256]; /* last line printed at each indent */
	size_t changes;
};

static void print_change(struct change_printer *printer, const char *line, int length, FILE *out)
{
	int indent = 0;

	while (indent < length && line[indent] == ' ')
		indent++;
	if (indent < CONTEXT_DEPTH && (size_t)length < sizeof(printer->context[0])) {
		/* A context line already shown for the previous change. */
		if ((int)strlen(printer->context[indent]) == length &&
		    strncmp(printer->context[indent], line, (size_t)length) == 0)
			return;
		snprintf(printer->context[indent], sizeof(printer->context[0]), "%.*s", length,
			 line);
		for (int deeper = indent + 1; deeper < CONTEXT_DEPTH; deeper++)
			printer->context[deeper][0] = '\0';
	}
	fprintf(out, "  %c %.*s\n", printer->sign, length, line);
	/* Lines that open a context are not changes themselves. */
	if (strncmp(line + indent, "router ", 7) != 0 &&
	    strncmp(line + indent, "address-family ", 15) != 0)
		printer->changes++;
}

static size_t print_changes(const char *report, FILE *out)
{
	struct change_printer printer = {0};
	char vtysh_hostname[128] = "";
	struct utsname system;

	if (uname(&system) == 0)
		snprintf(vtysh_hostname, sizeof(vtysh_hostname), "no hostname %s", system.nodename);
	while (report != NULL && *report != '\0') {
		const char *end = strchrnul(report, '\n');
		int length = (int)(end - report);

		if (length == 15 && strncmp(report, "Lines To Delete", 15) == 0) {
			memset(&printer.context, 0, sizeof(printer.context));
			printer.sign = '-';
		} else if (length == 12 && strncmp(report, "Lines To Add", 12) == 0) {
			memset(&printer.context, 0, sizeof(printer.context));
			printer.sign = '+';
		} else if (printer.sign != 0 && length > 0 && report[0] != '=' &&
			   !((size_t)length == strlen(vtysh_hostname) &&
			     strncmp(report, vtysh_hostname, (size_t)length) == 0)) {
			print_change(&printer, report, length, out);
		}
		report = *end != '\0' ? end + 1 : end;
	}
	return printer.changes;
}

static int run_reload(const struct frr_conf_target *target, const char *path, bool test_only,
		      char **output)
{
	size_t size = 0;
	FILE *report = open_memstream(output, &size);
	int rc;

	if (report == NULL)
		return -errno;
	rc = frr_conf_reload(target, path, test_only, report);
	fclose(report);
	return rc;
}

static int apply(const struct frr_conf_target *target, const char *path, const char *text,
		 size_t length)
{
	char *difference = NULL, *log = NULL;
	int rc;

	rc = frr_conf_write_atomic(path, text, length);
	if (rc < 0) {
		fprintf(stderr, "vtepgw-frr-config: cannot write %s: %s\n", path, strerror(-rc));
		return 1;
	}
	rc = run_reload(target, path, true, &difference);
	if (rc != 0) {
		fprintf(stderr, "vtepgw-frr-config: frr-reload.py --test failed (%d):\n%s", rc,
			difference ? difference : "");
		free(difference);
		return 1;
	}
	printf("%s written\n", path);
	if (print_changes(difference, stdout) == 0) {
		printf("the running FRR already matches it: nothing to change\n");
		free(difference);
		return 0;
	}
	free(difference);
	rc = run_reload(target, path, false, &log);
	if (rc != 0) {
		fprintf(stderr, "vtepgw-frr-config: frr-reload.py --reload failed (%d):\n%s", rc,
			log ? log : "");
		free(log);
		return 1;
	}
	free(log);
	printf("applied with frr-reload.py (no daemon restarted)\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"config", required_argument, NULL, 'c'},
		{"print", no_argument, NULL, 'p'},
		{"diff", no_argument, NULL, 'd'},
		{"apply", no_argument, NULL, 'a'},
		{"frr-conf", required_argument, NULL, 'f'},
		{"vty-socket", required_argument, NULL, 's'},
		{"pathspace", required_argument, NULL, 'N'},
		{"reload-tool", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = DEFAULT_VTEPGW_CONF;
	struct frr_conf_target target = {0};
	struct conf_errors errors = {0};
	struct conf_model *model = NULL;
	enum action action = ACTION_PRINT;
	char default_frr_conf[512];
	char *text = NULL;
	size_t length = 0;
	int option, status = 1;

	while ((option = getopt_long(argc, argv, "c:pdaf:s:N:h", options, NULL)) != -1) {
		switch (option) {
		case 'c':
			config_path = optarg;
			break;
		case 'p':
			action = ACTION_PRINT;
			break;
		case 'd':
			action = ACTION_DIFF;
			break;
		case 'a':
			action = ACTION_APPLY;
			break;
		case 'f':
			target.frr_conf = optarg;
			break;
		case 's':
			target.vty_socket = optarg;
			break;
		case 'N':
			target.pathspace = optarg;
			break;
		case 'r':
			target.reload_tool = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (target.frr_conf == NULL) {
		if (target.pathspace != NULL)
			snprintf(default_frr_conf, sizeof(default_frr_conf), "%s/%s/frr.conf",
				 FRR_CONF_DEFAULT_CONFDIR, target.pathspace);
		else
			snprintf(default_frr_conf, sizeof(default_frr_conf), "%s/frr.conf",
				 FRR_CONF_DEFAULT_CONFDIR);
		target.frr_conf = default_frr_conf;
	}

	if (conf_load(config_path, &model, &errors) < 0) {
		conf_errors_print(&errors, stderr);
		conf_errors_clear(&errors);
		return 1;
	}
	if (!model->bgp.manage_frr) {
		printf("%s: bgp.manage_frr is false: FRR's configuration belongs to the "
		       "operator; nothing generated or changed\n",
		       config_path);
		status = 0;
		goto out;
	}
	text = frr_conf_render_string(model, &length);
	if (text == NULL) {
		fprintf(stderr, "vtepgw-frr-config: cannot render: %s\n", strerror(errno));
		goto out;
	}
	switch (action) {
	case ACTION_PRINT:
		status = fwrite(text, 1, length, stdout) == length ? 0 : 1;
		break;
	case ACTION_DIFF: {
		/* frr-reload.py reads a file: render into a private one. */
		char temporary[] = "/tmp/vtepgw-frr-XXXXXX";
		int fd = mkstemp(temporary);
		char *difference = NULL;
		int rc;

		if (fd < 0 || write(fd, text, length) != (ssize_t)length) {
			fprintf(stderr, "vtepgw-frr-config: cannot write a temporary file\n");
			if (fd >= 0) {
				close(fd);
				unlink(temporary);
			}
			break;
		}
		close(fd);
		rc = run_reload(&target, temporary, true, &difference);
		unlink(temporary);
		if (rc != 0)
			fprintf(stderr, "vtepgw-frr-config: frr-reload.py --test failed (%d):\n%s",
				rc, difference ? difference : "");
		else if (print_changes(difference, stdout) == 0)
			printf("the running FRR already matches %s\n", config_path);
		status = rc == 0 ? 0 : 1;
		free(difference);
		break;
	}
	case ACTION_APPLY:
		status = apply(&target, target.frr_conf, text, length);
		break;
	}
out:
	free(text);
	conf_free(model);
	return status;
}
