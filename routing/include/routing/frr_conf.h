/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FRR configuration generated from the vtepgw model, and its application to a
 * running FRR with FRR's own frr-reload.py (no daemon restart).
 *
 * The rendering is deterministic: the same model gives the same bytes, and
 * neighbours are sorted by address, so a change in vtepgw.conf changes only
 * the FRR lines it implies. See docs/frr.md.
 */
#ifndef VTEPGW_ROUTING_FRR_CONF_H
#define VTEPGW_ROUTING_FRR_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <conf/model.h>

/* More paths than this are not mirrored by routing/netlink_mirror.c either. */
#define FRR_CONF_MAXIMUM_PATHS 16

/* Write the frr.conf text for `model` to `out`. Returns 0 or a negative
 * errno (-EINVAL for a NULL argument, -EIO when writing fails). The text
 * names model->source in its header comment. */
int frr_conf_render(const struct conf_model *model, FILE *out);

/* Same into a malloc'ed NUL-terminated string (length in *length when not
 * NULL). Returns NULL and sets errno on failure. */
char *frr_conf_render_string(const struct conf_model *model, size_t *length);

/* Where FRR lives; NULL members take the defaults below. `pathspace` is
 * FRR's -N name (daemons started with `-N NAME` use /var/run/frr/NAME and
 * /etc/frr/NAME); `vty_socket` overrides the socket directory instead. */
struct frr_conf_target {
	const char *frr_conf;	 /* default /etc/frr/frr.conf (or /etc/frr/NAME/frr.conf) */
	const char *vty_socket;	 /* directory of the daemons' .vty sockets */
	const char *pathspace;	 /* FRR -N name */
	const char *reload_tool; /* default /usr/lib/frr/frr-reload.py */
	const char *bindir;	 /* where vtysh is, default /usr/bin */
};

#define FRR_CONF_DEFAULT_RELOAD_TOOL "/usr/lib/frr/frr-reload.py"
#define FRR_CONF_DEFAULT_BINDIR	     "/usr/bin"
#define FRR_CONF_DEFAULT_CONFDIR     "/etc/frr"

/* Replace `path` with `text` atomically: write PATH.tmp.PID in the same
 * directory, fsync, rename. The mode and owner of an existing file are kept
 * (FRR reads its file as user frr). Returns 0 or a negative errno. */
int frr_conf_write_atomic(const char *path, const char *text, size_t length);

/* Run frr-reload.py on `config_path` against the running daemons:
 * `test_only` = --test (show the difference, change nothing), else --reload.
 * The tool's output (what it added and deleted) goes to `report`. Returns the
 * tool's exit status (0 = applied), or a negative errno when it could not
 * be run. */
int frr_conf_reload(const struct frr_conf_target *target, const char *config_path, bool test_only,
		    FILE *report);

#endif
