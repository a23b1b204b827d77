#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Uplink failover of the real vtepgw: two uplinks to two FRR routers give an
# ECMP route towards a remote kernel VTEP; one uplink fails (carrier loss,
# then a silent failure that only BFD notices) while a fast ping runs, and
# the loss window is measured.
#
#   srv ns           gw ns: vtepgw + FRR (zebra bfdd bgpd)    r1/r2 ns: FRR    remote ns: FRR + vxlan  host ns
#   srv0 10.10.0.1 - gwacc [server0]                                             lo 10.255.0.9 (VTEP)
#                    [uplink1] gwu1 10.0.1.1/31 ---- r1gw 10.0.1.0  r1vt 10.0.3.0 - vt1 10.0.3.1
#                    [uplink2] gwu2 10.0.2.1/31 ---- r2gw 10.0.2.0  r2vt 10.0.4.0 - vt2 10.0.4.1
#                    VTEP 10.255.0.1, AS 65101       AS 65000       AS 65000      AS 65201
#                                                                   br0{vx0, phost} -- hst0 10.10.0.2
# The gateway's FRR runs the frr.conf vtepgw writes (-N pathspace) from its
# vtepgw.conf (both neighbours with bfd = true). The remote VTEP is a kernel
# vxlan device with a static flood entry to the gateway's VTEP; its address
# is announced by BGP to both routers.
# Prints `RESULT loss_window_link_down_ms=...` and `RESULT loss_window_bfd_ms=...`.
# Usage: gateway_failover.sh BUILD_DIR (root; skips without FRR).
set -eu

BUILD=$(cd "$1" && pwd)
VTEPGW="$BUILD/gateway/vtepgw"
HERE="$(cd "$(dirname "$0")" && pwd)"
TELEMETRY="$HERE/../../system/telemetry.py"
FRR_LIBEXEC=/usr/lib/frr
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$FRR_LIBEXEC/bfdd" ] || { echo "SKIP: FRR not installed"; exit 77; }

ID="fo$$"
DIR=$(mktemp -d /tmp/vtepgw-failover.XXXXXX)
chmod 755 "$DIR"
SRV="${ID}srv" GW="${ID}gw" R1="${ID}r1" R2="${ID}r2" REMOTE="${ID}rem" HOST="${ID}host"
NAMESPACES="$SRV $GW $R1 $R2 $REMOTE $HOST"
FRR_NAMESPACES="$GW $R1 $R2 $REMOTE" # FRR pathspace (-N) = namespace name
PREFIX="gwfail$$"
PING_INTERVAL_MS=10
GW_PID=""
T0=$(date +%s%N)

log() { echo "[$(( ($(date +%s%N) - T0) / 1000000 )) ms] $*"; }
fail() {
	log "FAIL: $*"
	tail -n 20 "$DIR/vtepgw.log" 2>/dev/null | sed 's/^/  vtepgw: /'
	for ns in $GW $R1; do
		echo "  --- bgp of $ns"
		vty "$ns" "show bgp summary" 2>&1 | tail -6 | sed 's/^/  /'
	done
	ip -n "$GW" route 2>&1 | sed 's/^/  gw route: /'
	exit 1
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

frr_stop_all() {
	local pids="" pid
	for ns in $FRR_NAMESPACES; do
		for pidfile in /var/run/frr/$ns/*.pid; do
			[ -r "$pidfile" ] && pids="$pids $(cat "$pidfile")"
		done
	done
	for pid in $pids; do kill "$pid" 2>/dev/null || true; done
	for _ in $(seq 30); do
		local alive=0
		for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for pid in $pids; do kill -9 "$pid" 2>/dev/null || true; done
}

gw_stop() {
	[ -n "$GW_PID" ] || return 0
	kill -TERM "$GW_PID" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$GW_PID" 2>/dev/null || true
	wait "$GW_PID" 2>/dev/null || true
	GW_PID=""
}

cleanup() {
	local rc=$?
	set +e
	frr_stop_all
	gw_stop
	for ns in $NAMESPACES; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	for ns in $FRR_NAMESPACES; do rm -rf "/var/run/frr/$ns" "/etc/frr/$ns"; done
	rm -rf "/var/run/dpdk/$PREFIX"
	if [ -n "${KEEP_TEST_DIR:-}" ]; then
		echo "kept $DIR"
	else
		rm -rf "$DIR"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

vty() { # namespace command
	vtysh -N "$1" -c "$2" 2>/dev/null
}
frr_start() { # namespace config daemons...
	local ns=$1 conf=$2
	shift 2
	for daemon in "$@"; do
		ip netns exec "$ns" "$FRR_LIBEXEC/$daemon" -d -N "$ns" -f "$conf" \
			-i "/var/run/frr/$ns/$daemon.pid" --log "file:$DIR/frr/$ns-$daemon.log" \
			>>"$DIR/frr/$ns-$daemon.out" 2>&1 ||
			fail "$daemon in $ns did not start"
	done
}
telemetry() { "$PY" "$TELEMETRY" "/var/run/dpdk/$PREFIX/dpdk_telemetry.v2" "$@"; }
wait_for() { # SECONDS CMD...
	local t=$1
	shift
	for _ in $(seq $((t * 20))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

# ---- topology ----------------------------------------------------------------
for ns in $NAMESPACES; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
mkdir "$DIR/frr"
chown frr:frr "$DIR/frr"
for ns in $FRR_NAMESPACES; do
	mkdir -p "/var/run/frr/$ns" "/etc/frr/$ns"
	: >"/etc/frr/$ns/vtysh.conf"
	chown -R frr:frr "/var/run/frr/$ns" "/etc/frr/$ns"
done
pair() { # NS_A IF_A NS_B IF_B
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}
pair "$SRV" srv0 "$GW" gwacc
pair "$GW" gwu1 "$R1" r1gw
pair "$GW" gwu2 "$R2" r2gw
pair "$R1" r1vt "$REMOTE" vt1
pair "$R2" r2vt "$REMOTE" vt2
pair "$REMOTE" phost "$HOST" hst0
# DPDK owns gwacc, gwu1, gwu2: the kernel stays silent on them.
for ifc in gwacc gwu1 gwu2; do
	ip netns exec "$GW" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1"
done
ip netns exec "$R1" ethtool -K r1gw tx off >/dev/null 2>&1 || true
ip netns exec "$R2" ethtool -K r2gw tx off >/dev/null 2>&1 || true
for ns in $R1 $R2 $REMOTE; do
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
done
ip -n "$R1" addr add 10.0.1.0/31 dev r1gw
ip -n "$R1" addr add 10.0.3.0/31 dev r1vt
ip -n "$R2" addr add 10.0.2.0/31 dev r2gw
ip -n "$R2" addr add 10.0.4.0/31 dev r2vt
ip -n "$REMOTE" addr add 10.0.3.1/31 dev vt1
ip -n "$REMOTE" addr add 10.0.4.1/31 dev vt2
ip -n "$REMOTE" addr add 10.255.0.9/32 dev lo
ip -n "$REMOTE" link add vx0 type vxlan id 10030 local 10.255.0.9 dstport 4789 nolearning
ip -n "$REMOTE" link add br0 type bridge
ip -n "$REMOTE" link set vx0 master br0
ip -n "$REMOTE" link set phost master br0
ip -n "$REMOTE" link set vx0 up
ip -n "$REMOTE" link set br0 up
ip netns exec "$REMOTE" bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.255.0.1
ip -n "$SRV" link set srv0 mtu 1450
ip -n "$HOST" link set hst0 mtu 1450
ip -n "$SRV" addr add 10.10.0.1/24 dev srv0
ip -n "$HOST" addr add 10.10.0.2/24 dev hst0

# ---- configurations ------------------------------------------------------------
cat >"$DIR/gw.conf" <<CONF
gateway = {
  name = "gwfailover";
  vtep_ipv4 = "10.255.0.1";
  lmdb_path = "$DIR/lmdb";
  lmdb_map_size = "16M";
};
dpdk = {
  lcores = "0-1";
  eal_args = [ "--no-huge", "--no-pci", "-m", "256", "--file-prefix=$PREFIX",
               "--log-level=lib.eal:error" ];
  mbufs = 4095;
};
ports = (
  { name = "server0"; role = "access"; device = "net_af_packet0,iface=gwacc"; },
  { name = "uplink1"; role = "uplink"; device = "net_af_packet1,iface=gwu1";
    addresses = [ "10.0.1.1/31" ]; },
  { name = "uplink2"; role = "uplink"; device = "net_af_packet2,iface=gwu2";
    addresses = [ "10.0.2.1/31" ]; }
);
segments = (
  { name = "failover"; vni = 10030; members = ( { port = "server0"; } );
    flood = [ "10.255.0.9" ]; }
);
bgp = {
  asn = 65101;
  router_id = "10.255.0.1";
  manage_frr = true;
  neighbors = (
    { address = "10.0.1.0"; remote_as = 65000; port = "uplink1"; bfd = true; },
    { address = "10.0.2.0"; remote_as = 65000; port = "uplink2"; bfd = true; }
  );
};
CONF
"$VTEPGW" --check-config "$DIR/gw.conf" >/dev/null || fail "configuration refused"

router_conf() { # hostname asn router-id network neighbour asn ...
	local name=$1 asn=$2 id=$3 network=$4
	shift 4
	echo "frr defaults datacenter"
	echo "hostname $name"
	echo "ip forwarding"
	echo "router bgp $asn"
	echo " bgp router-id $id"
	echo " bgp bestpath as-path multipath-relax"
	while [ $# -gt 0 ]; do
		echo " neighbor $1 remote-as $2"
		echo " neighbor $1 bfd"
		echo " neighbor $1 timers connect 1"
		shift 2
	done
	echo " address-family ipv4 unicast"
	[ -n "$network" ] && echo "  network $network"
	echo "  maximum-paths 16"
	echo " exit-address-family"
	echo "exit"
}
router_conf r1 65000 10.255.0.11 "" 10.0.1.1 65101 10.0.3.1 65201 >"/etc/frr/$R1/frr.conf"
router_conf r2 65000 10.255.0.12 "" 10.0.2.1 65101 10.0.4.1 65201 >"/etc/frr/$R2/frr.conf"
router_conf remote 65201 10.255.0.9 10.255.0.9/32 10.0.3.0 65000 10.0.4.0 65000 \
	>"/etc/frr/$REMOTE/frr.conf"
# vtepgw writes the gateway's; an existing file keeps its owner.
install -o frr -g frr -m 0640 /dev/null "/etc/frr/$GW/frr.conf"
chown frr:frr /etc/frr/$R1/frr.conf /etc/frr/$R2/frr.conf /etc/frr/$REMOTE/frr.conf

# ---- start: vtepgw first (its TAP twins must exist before FRR) -----------------
ip netns exec "$GW" "$VTEPGW" -c "$DIR/gw.conf" -N "$GW" >"$DIR/vtepgw.log" 2>&1 &
GW_PID=$!
gw_up() { kill -0 "$GW_PID" && telemetry /vtepgw/drops >/dev/null; }
wait_for 20 gw_up || fail "vtepgw did not come up"
grep -q "neighbor 10.0.2.0 bfd" "/etc/frr/$GW/frr.conf" || fail "vtepgw did not write frr.conf"
for ns in $R1 $R2 $REMOTE; do
	frr_start "$ns" "/etc/frr/$ns/frr.conf" zebra bfdd bgpd
done
T_FRR=$(now_ms)
frr_start "$GW" "/etc/frr/$GW/frr.conf" zebra bfdd bgpd

# ---- sessions, BFD, the ECMP route in the kernel and in vtepgw ------------------
established() {
	[ "$(vty "$GW" "show bgp summary json" |
		jq '[.ipv4Unicast.peers // {} | .[] | select(.state == "Established")] | length')" = 2 ]
}
bfd_up() {
	[ "$(vty "$GW" "show bfd peers json" | jq '[.[] | select(.status == "up")] | length')" = 2 ]
}
kernel_paths() {
	ip -n "$GW" -j route show 10.255.0.9/32 |
		jq 'if length == 0 then 0 elif .[0].nexthops then (.[0].nexthops | length) else 1 end'
}
gw_paths() { telemetry /vtepgw/vteps "d['10_255_0_9']['paths']" 2>/dev/null || echo -1; }
gw_resolved() { telemetry /vtepgw/vteps "d['10_255_0_9']['resolved']" 2>/dev/null || echo -1; }
paths_are() { [ "$(gw_paths)" = "$1" ] && [ "$(gw_resolved)" = 1 ]; }

wait_for 40 established || fail "BGP sessions of the gateway not both Established"
log "RESULT bgp_established_ms=$(($(now_ms) - T_FRR))"
wait_for 20 bfd_up || fail "BFD sessions of the gateway not both up"
log "both BFD sessions up"
wait_for 20 paths_are 2 || fail "vtepgw has $(gw_paths) path(s) to 10.255.0.9, not 2 (kernel: $(kernel_paths))"
[ "$(kernel_paths)" = 2 ] || fail "kernel route to 10.255.0.9 has $(kernel_paths) next hops"
ip -n "$GW" -j route show 10.255.0.9/32 | jq -e '[.[0].nexthops[].dev] | sort == ["uplink1", "uplink2"]' \
	>/dev/null || fail "ECMP next hops are not uplink1 and uplink2: $(ip -n "$GW" route show 10.255.0.9/32)"
log "RESULT ecmp_in_vtepgw_ms=$(($(now_ms) - T_FRR)) (FRR start -> 2 paths in vtepgw)"

ping_ok() { ip netns exec "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }
wait_for 15 ping_ok "$SRV" 10.10.0.2 || fail "no ping server -> host"
ping_ok "$HOST" 10.10.0.1 || fail "no ping host -> server"
log "ping server <-> host"

# ---- flows spread over both uplinks (per-port TX counters) -----------------------
port_tx() { telemetry /vtepgw/ports "d['$1']['tx_packets']"; }
udp_flows() { # N flows (UDP 40000+i -> host:5000+i), 4 datagrams each
	ip netns exec "$SRV" "$PY" -c "
import socket
for i in range($1):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('', 40000 + i))
    for _ in range(4):
        s.sendto(b'flow %d' % i, ('10.10.0.2', 5000 + i))
    s.close()
"
}
tx1=$(port_tx uplink1) tx2=$(port_tx uplink2)
udp_flows 32
sleep 0.3
d1=$(($(port_tx uplink1) - tx1)) d2=$(($(port_tx uplink2) - tx2))
log "32 UDP flows x 4: uplink1 sent $d1 frames, uplink2 $d2"
# BGP/BFD frames leave both uplinks too: each uplink must carry well more
# than the few control frames of 0.3 s.
[ "$d1" -ge 16 ] && [ "$d2" -ge 16 ] || fail "flows not spread over both uplinks ($d1/$d2)"

# Which uplink carries the ping flow (server -> host)? That one is failed.
carrier_of_ping() {
	local a b
	a=$(port_tx uplink1) b=$(port_tx uplink2)
	ip netns exec "$SRV" ping -q -c 50 -i 0.01 -W1 10.10.0.2 >/dev/null 2>&1 || true
	a=$(($(port_tx uplink1) - a)) b=$(($(port_tx uplink2) - b))
	if [ "$a" -ge 40 ] && [ "$a" -gt "$b" ]; then echo 1; elif [ "$b" -ge 40 ]; then echo 2; else echo 0; fi
}
UPLINK=$(carrier_of_ping)
[ "$UPLINK" != 0 ] || fail "the ping flow is on neither uplink"
log "the ping flow (server -> host) leaves through uplink$UPLINK;" \
	"the remote VTEP answers via $(ip -n "$REMOTE" route get 10.255.0.1 from 10.255.0.9 |
		grep -o 'dev vt[12]')"
if [ "$UPLINK" = 1 ]; then
	ROUTER=$R1 ROUTER_IF=r1gw GW_IF=uplink1 ROUTER_ADDR=10.0.1.0 GW_ADDR=10.0.1.1
else
	ROUTER=$R2 ROUTER_IF=r2gw GW_IF=uplink2 ROUTER_ADDR=10.0.2.0 GW_ADDR=10.0.2.1
fi

# ---- fast ping across a failure --------------------------------------------------
# fast_ping SECONDS FILE: ping server -> host every 10 ms, -D -O (timestamps,
# report missing replies); runs in the background.
fast_ping() {
	local count=$(($1 * 1000 / PING_INTERVAL_MS))
	ip netns exec "$SRV" ping -D -O -i "$(awk -v i=$PING_INTERVAL_MS 'BEGIN { print i / 1000 }')" -W 1 -c "$count" 10.10.0.2 \
		>"$2" 2>&1 &
	PING_PID=$!
}
# loss_window FILE FAILURE_EPOCH: "LOST_MS LOST SENT OUTAGE_MS RECOVERED" from ping's output.
# LOST_MS = lost x interval (sent - received); OUTAGE_MS = time between the
# last reply before and the first reply after the longest run of lost
# sequence numbers (ping -D timestamps; on a loaded 2-core machine ping also
# stalls now and then, so gaps without loss are not counted); RECOVERED = 1
# when the last 100 sequence numbers all got replies; then the runs of lost
# sequence numbers, each with the time of its last reply before relative to
# the failure (a run far from +0 ms is a loss the failure did not cause).
loss_window() {
	"$PY" - "$1" "$PING_INTERVAL_MS" "$2" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
interval = int(sys.argv[2])
failure = float(sys.argv[3])
replies = sorted((int(s), float(t)) for t, s in
                 re.findall(r"^\[([0-9.]+)\] \d+ bytes from .*icmp_seq=(\d+)", text, re.M))
m = re.search(r"(\d+) packets transmitted, (\d+) received", text)
sent, received = int(m.group(1)), int(m.group(2))
lost = sent - received
outage, run = 0.0, 0
for (s1, t1), (s2, t2) in zip(replies, replies[1:]):
    if s2 - s1 - 1 > run:
        run, outage = s2 - s1 - 1, t2 - t1
seqs = {s for s, _ in replies}
recovered = int(sent > 100 and all(s in seqs for s in range(sent - 100, sent)))
# each run of lost sequence numbers, with when it began relative to the
# failure (the timestamp of the reply before it)
runs, start = [], None
when = dict(replies)
for s in range(1, sent + 2):
    if s <= sent and s not in seqs and start is None:
        start = s
    if (s > sent or s in seqs) and start is not None:
        before = when.get(start - 1)
        runs.append("%d-%d@%+dms" % (start, s - 1,
                    (before - failure) * 1000 if before else -99999))
        start = None
print(lost * interval, lost, sent, int(outage * 1000), recovered, ",".join(runs) or "none")
PY
}

# ---- failure 1: carrier loss on the uplink ----------------------------------------
fast_ping 8 "$DIR/ping-link.txt"
sleep 2
log "link down: $ROUTER_IF in the router"
T_FAIL=$(date +%s.%N)
ip -n "$ROUTER" link set "$ROUTER_IF" down
T_DOWN=$(now_ms)
wait_for 15 paths_are 1 || fail "vtepgw still has $(gw_paths) paths 15 s after the link went down"
log "vtepgw down to 1 path after $(($(now_ms) - T_DOWN)) ms (kernel: $(kernel_paths))"
wait "$PING_PID" || true
read -r ms lost sent outage recovered runs < <(loss_window "$DIR/ping-link.txt" "$T_FAIL")
log "link down: lost $lost of $sent, longest run of lost replies spans $outage ms (lost: $runs)"
echo "RESULT loss_window_link_down_ms=$ms"
echo "RESULT outage_link_down_ms=$outage"
[ "$recovered" = 1 ] || fail "traffic did not recover on the other uplink (link down)"
[ "$outage" -lt 15000 ] || fail "recovery took $outage ms"
ping_ok "$SRV" 10.10.0.2 || fail "no ping over the remaining uplink"
ip -n "$ROUTER" link set "$ROUTER_IF" up
T_UP=$(now_ms)
wait_for 30 established || fail "session over $GW_IF not back"
wait_for 20 bfd_up || fail "BFD over $GW_IF not back"
wait_for 20 paths_are 2 || fail "ECMP not back after the link came up ($(gw_paths) paths)"
log "RESULT ecmp_back_after_link_up_ms=$(($(now_ms) - T_UP))"

# ---- failure 2: silent (frames lost, carrier stays up): only BFD notices ----------
# Wrong permanent neighbour entries on both ends (this kernel has neither tc
# nor netfilter): the gateway encapsulates to a MAC nobody has, the router
# sends BFD/BGP to a MAC the gateway drops (not_our_mac).
fast_ping 8 "$DIR/ping-bfd.txt"
sleep 2
log "silent failure of $GW_IF"
T_FAIL=$(date +%s.%N)
ip -n "$GW" neigh replace "$ROUTER_ADDR" lladdr 02:00:00:de:ad:01 dev "$GW_IF" nud permanent
ip -n "$ROUTER" neigh replace "$GW_ADDR" lladdr 02:00:00:de:ad:02 dev "$ROUTER_IF" nud permanent
T_DOWN=$(now_ms)
wait_for 15 paths_are 1 || fail "vtepgw still has $(gw_paths) paths 15 s after the silent failure"
log "vtepgw down to 1 path after $(($(now_ms) - T_DOWN)) ms"
wait "$PING_PID" || true
read -r ms lost sent outage recovered runs < <(loss_window "$DIR/ping-bfd.txt" "$T_FAIL")
log "silent failure: lost $lost of $sent, longest run of lost replies spans $outage ms (lost: $runs)"
echo "RESULT loss_window_bfd_ms=$ms"
echo "RESULT outage_bfd_ms=$outage"
[ "$recovered" = 1 ] || fail "traffic did not recover on the other uplink (silent failure)"
[ "$outage" -lt 15000 ] || fail "recovery took $outage ms"
ip -n "$GW" neigh del "$ROUTER_ADDR" dev "$GW_IF"
ip -n "$ROUTER" neigh del "$GW_ADDR" dev "$ROUTER_IF"
T_UP=$(now_ms)
wait_for 30 bfd_up || fail "BFD over $GW_IF not back after the repair"
wait_for 20 paths_are 2 || fail "ECMP not back after the repair ($(gw_paths) paths)"
log "RESULT ecmp_back_after_repair_ms=$(($(now_ms) - T_UP))"
ping_ok "$SRV" 10.10.0.2 || fail "no ping after the repair"
kill -0 "$GW_PID" || fail "vtepgw died"
log "PASS"
