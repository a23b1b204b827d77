#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# EVPN interop: evpn_shadow + FRR in namespace A against a Linux VTEP + FRR in
# namespace B (see evpn_interop.c). Needs root and FRR; skips (77) otherwise.
# Usage: evpn_interop.sh DRIVER
set -eu
driver=$1
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
[ -x /usr/lib/frr/zebra ] && [ -x /usr/lib/frr/bgpd ] && command -v vtysh >/dev/null ||
	{ echo "needs FRR"; exit 77; }

# Unique per run: several runs (and other tests) can share the machine.
export EVPN_RUN="ev$$$(head -c 2 /dev/urandom | od -An -tx1 | tr -d ' ')"
export EVPN_DIR=$(mktemp -d "/tmp/$EVPN_RUN.XXXX")
chmod 755 "$EVPN_DIR"
. "$here/frr_topology.sh"

cleanup() {
	status=$?
	topology_destroy
	if [ "$status" != 0 ]; then
		for log in "$EVPN_DIR"/*/frr.log; do
			echo "== $log"; tail -20 "$log" 2>/dev/null || true
		done
	fi
	rm -rf "$EVPN_DIR"
}
trap cleanup EXIT

topology_create
vtep_b_segment 100
frr_start a "$VTEP_A" "$VTEP_B"
frr_start b "$VTEP_B" "$VTEP_A"
ip netns exec "${EVPN_RUN}a" "$driver" "$here/frr_topology.sh" "${EVPN_RUN}a"
