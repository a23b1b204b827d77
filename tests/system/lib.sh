# SPDX-License-Identifier: BSD-3-Clause
# Helpers for vtepgw system tests: unique namespaces, a unique DPDK
# --file-prefix, and a cleanup trap that removes everything even on failure.
# Usage: VTEPGW=/path/to/vtepgw . lib.sh
set -eu

TEST_ID="${TEST_NAME:-t}$$"
TEST_DIR="$(mktemp -d /tmp/vtepgw-test.XXXXXX)"
DPDK_PREFIX="vtepgw_${TEST_ID}"
NAMESPACES_FILE="$TEST_DIR/namespaces" # netns_add runs in $(...) subshells
GW_PID=""
PY=/usr/bin/python3
LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { echo "[$TEST_ID] $*" >&2; }
fail() {
	log "FAIL: $*"
	if [ -f "$TEST_DIR/vtepgw.log" ]; then
		log "--- vtepgw log (last 30 lines)"
		tail -n 30 "$TEST_DIR/vtepgw.log" >&2 || true
	fi
	exit 1
}

cleanup() {
	local rc=$?
	set +e
	if [ -n "$GW_PID" ] && kill -0 "$GW_PID" 2>/dev/null; then
		kill -TERM "$GW_PID"
		for _ in $(seq 50); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$GW_PID" 2>/dev/null
	fi
	for ns in $(cat "$NAMESPACES_FILE" 2>/dev/null); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "/var/run/dpdk/$DPDK_PREFIX"
	if [ "$rc" -ne 0 ] && [ -n "${KEEP_TEST_DIR:-}" ]; then
		log "keeping $TEST_DIR"
	else
		rm -rf "$TEST_DIR"
	fi
	exit "$rc"
}
trap cleanup EXIT

# netns_add NAME: create a namespace named NAME-$TEST_ID; prints the name.
netns_add() {
	local ns="$1-$TEST_ID"
	echo "$ns" >>"$NAMESPACES_FILE"
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	echo "$ns"
}

# veth_pair NS_A IF_A NS_B IF_B
veth_pair() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# dpdk_owned NS IF: a veth end handed to DPDK stays silent on the wire:
# no addresses, no IPv6 (DESIGN.md).
dpdk_owned() {
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
	ip -n "$1" addr flush dev "$2"
}

# no_offload NS IF: full checksums on frames a kernel sends through a veth
# (otherwise TCP/UDP checksums may be left for an offload that never comes).
no_offload() {
	ip netns exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1 || true
}

# gw_start NS CONFIG: start vtepgw in NS and wait until its telemetry answers.
gw_start() {
	local ns="$1" conf="$2"
	ip netns exec "$ns" "$VTEPGW" -c "$conf" -- --file-prefix="$DPDK_PREFIX" \
		>"$TEST_DIR/vtepgw.log" 2>&1 &
	GW_PID=$!
	for _ in $(seq 100); do
		kill -0 "$GW_PID" 2>/dev/null || fail "vtepgw exited at start"
		if [ -S "/var/run/dpdk/$DPDK_PREFIX/dpdk_telemetry.v2" ] &&
			telemetry /vtepgw/drops >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	fail "vtepgw did not come up"
}

gw_stop() {
	[ -n "$GW_PID" ] || return 0
	kill -TERM "$GW_PID"
	for _ in $(seq 100); do
		kill -0 "$GW_PID" 2>/dev/null || { wait "$GW_PID" 2>/dev/null || true; GW_PID=""; return 0; }
		sleep 0.1
	done
	fail "vtepgw did not stop on SIGTERM"
}

# telemetry CMD: the JSON answer of a /vtepgw/... command.
telemetry() {
	"$PY" "$LIB_DIR/telemetry.py" "/var/run/dpdk/$DPDK_PREFIX/dpdk_telemetry.v2" "$1"
}

# telemetry_get CMD PYTHON-EXPR: evaluate EXPR on the answer `d`.
telemetry_get() {
	"$PY" "$LIB_DIR/telemetry.py" "/var/run/dpdk/$DPDK_PREFIX/dpdk_telemetry.v2" "$1" "$2"
}

# wait_for SECONDS CMD...: retry CMD until it succeeds.
wait_for() {
	local t="$1"; shift
	for _ in $(seq $((t * 5))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}
