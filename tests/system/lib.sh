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

# gw_conf_head VTEP_IPV4 [VTEP_IPV6]: the gateway and dpdk groups of a test
# configuration (LMDB in the test directory, no hugepages, no PCI).
gw_conf_head() {
	cat <<CONF
gateway = {
  name = "gw-$TEST_NAME";
  ${1:+vtep_ipv4 = \"$1\";}
  ${2:+vtep_ipv6 = \"$2\";}
  mac_aging = 300;
  lmdb_path = "$TEST_DIR/lmdb";
  lmdb_map_size = "16M";
};
dpdk = {
  lcores = "0-1";
  eal_args = [ "--no-huge", "--no-pci", "-m", "256", "--log-level=lib.eal:error",
               "--file-prefix=$DPDK_PREFIX" ];
  mbufs = 4095;
};
CONF
}

# capture_start NS IF FILE [FILTER...]: tcpdump into FILE (received frames
# only with CAPTURE_DIRECTION=in); capture_stop_all ends every capture.
CAPTURE_PIDS=""
capture_start() {
	local ns="$1" ifname="$2" file="$3"
	shift 3
	ip netns exec "$ns" tcpdump -U -q -n ${CAPTURE_DIRECTION:+-Q "$CAPTURE_DIRECTION"} \
		-i "$ifname" -w "$file" "$@" >/dev/null 2>"$file.err" &
	CAPTURE_PIDS="$CAPTURE_PIDS $!"
	CAPTURE_FILES="${CAPTURE_FILES:-} $file"
}
# capture_wait_ready: until every capture says it is listening (tcpdump
# prints that once its filter is attached; a loaded machine, e.g. CI under
# ASan, can take seconds), at most 10 s.
capture_wait_ready() {
	local f ready
	for _ in $(seq 100); do
		ready=1
		for f in ${CAPTURE_FILES:-}; do
			grep -q "listening on" "$f.err" 2>/dev/null || ready=0
		done
		[ $ready -eq 1 ] && break
		sleep 0.1
	done
	[ $ready -eq 1 ] || fail "a capture did not start"
	CAPTURE_FILES=""
	sleep 1 # and the settling time the tests were written with
}
capture_stop_all() {
	sleep 0.5
	for pid in $CAPTURE_PIDS; do kill "$pid" 2>/dev/null || true; done
	for pid in $CAPTURE_PIDS; do wait "$pid" 2>/dev/null || true; done
	CAPTURE_PIDS=""
}

# gw_alive: fail unless the daemon still runs.
gw_alive() {
	kill -0 "$GW_PID" 2>/dev/null || fail "vtepgw died"
}

# uplink_mac NS PORT: MAC of an uplink (its TAP twin carries the same one).
uplink_mac() {
	ip -n "$1" -br link show "$2" | awk '{print $3}'
}

# udp_flows NS DST N: N inner flows (UDP 40000+i -> DST:5000+i), two
# datagrams each, so a test can check that a flow keeps its entropy.
udp_flows() {
	ip netns exec "$1" "$PY" -c "
import socket, sys
for i in range($3):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('', 40000 + i))
    for _ in range(2):
        s.sendto(b'flow %d' % i, ('$2', 5000 + i))
    s.close()
"
}

# kernel_vxlan_peer NS VNI: the Linux kernel VTEP most tests peer with, in NS:
# underlay 192.168.100.2/24 on pupl, VTEP address 10.255.0.2 on lo, a route
# to the gateway's VTEP 10.255.0.1 over the underlay, and vx0 (VNI,
# nolearning) bridged with phost in br0, flooding to the gateway.
kernel_vxlan_peer() {
	local ns=$1 vni=$2
	ip -n "$ns" addr add 192.168.100.2/24 dev pupl
	ip -n "$ns" addr add 10.255.0.2/32 dev lo
	ip -n "$ns" route add 10.255.0.1/32 via 192.168.100.1
	ip -n "$ns" link add vx0 type vxlan id "$vni" local 10.255.0.2 dstport 4789 nolearning
	ip -n "$ns" link add br0 type bridge
	ip -n "$ns" link set vx0 master br0
	ip -n "$ns" link set phost master br0
	ip -n "$ns" link set vx0 up
	ip -n "$ns" link set br0 up
	ip netns exec "$ns" bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.255.0.1
}
