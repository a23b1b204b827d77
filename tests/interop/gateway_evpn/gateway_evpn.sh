#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The real vtepgw with BGP EVPN against FRR and a Linux kernel VTEP.
#
#   srv ns            gw ns: vtepgw + FRR (zebra, bgpd)        peer ns: FRR + kernel VTEP     host ns
#   srv0 10.10.0.1 -- gwacc [access]  [uplink] gwupl ------- pupl 192.168.100.2             hst0 10.10.0.2
#                     TAP "uplink0" 192.168.100.1/24           lo 10.255.0.2 (VTEP)            |
#                     VTEP 10.255.0.1, AS 65101                br10010{vni10010, hp10010} -----'
#                     shadow vgbr10010/vgvx10010 (evpn.c)      AS 65000, advertise-all-vni
# The gateway's FRR runs on the generated frr.conf (vtepgw -N writes it); the
# peer is set up the way FRR's documentation sets up a VTEP. Every check is
# something an operator would look at: vtysh, `vtepctl show fdb`, telemetry,
# pings. Times are printed as `RESULT name=value`.
# Usage: gateway_evpn.sh BUILD_DIR (root; skips without FRR).
set -eu

BUILD=$(cd "$1" && pwd)
VTEPGW="$BUILD/gateway/vtepgw"
VTEPCTL="$BUILD/gateway/cli/vtepctl"
HERE="$(cd "$(dirname "$0")" && pwd)"
TELEMETRY="$HERE/../../system/telemetry.py"
FRR_LIBEXEC=/usr/lib/frr
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$FRR_LIBEXEC/zebra" ] || { echo "SKIP: FRR not installed"; exit 77; }

ID="ge$$"
DIR=$(mktemp -d /tmp/vtepgw-gwevpn.XXXXXX)
SRV="${ID}srv" GW="${ID}gw" PEER="${ID}peer" HOST="${ID}host"
GWFRR="${ID}g" PEERFRR="${ID}p" # FRR pathspaces (-N)
PREFIX="gwevpn$$"
VNI=10010
SRV_MAC=02:00:00:00:a0:01
HOST_MAC=02:00:00:00:b0:01
GW_PID=""
T0=$(date +%s%N)

log() { echo "[$(( ($(date +%s%N) - T0) / 1000000 )) ms] $*"; }
fail() {
	log "FAIL: $*"
	tail -n 20 "$DIR/vtepgw.log" 2>/dev/null | sed 's/^/  vtepgw: /'
	exit 1
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

frr_stop() { # $1 = pathspace, $2 = daemon
	local pidfile="/var/run/frr/$1/$2.pid" pid
	[ -f "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$pidfile"
}
frr_start() { # $1 = namespace, $2 = pathspace, $3 = daemon, $4 = config
	ip netns exec "$1" "$FRR_LIBEXEC/$3" -d -N "$2" -f "$4" -i "/var/run/frr/$2/$3.pid" \
		>>"$DIR/$2-$3.out" 2>&1
}
vty() { # $1 = pathspace, then the command
	local ps=$1
	shift
	vtysh -N "$ps" -c "$*" 2>/dev/null
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
	gw_stop
	for ps in "$GWFRR" "$PEERFRR"; do
		frr_stop "$ps" bgpd
		frr_stop "$ps" zebra
		rm -rf "/var/run/frr/$ps" "/etc/frr/$ps"
	done
	for ns in "$SRV" "$GW" "$PEER" "$HOST"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "/var/run/dpdk/$PREFIX"
	if [ -n "${KEEP_TEST_DIR:-}" ]; then
		echo "kept $DIR"
	else
		rm -rf "$DIR"
	fi
	exit "$rc"
}
trap cleanup EXIT

telemetry() { "$PY" "$TELEMETRY" "/var/run/dpdk/$PREFIX/dpdk_telemetry.v2" "$@"; }
# number of MACs in the segment's fast-path FDB
gw_macs() { telemetry /vtepgw/segments "d['web']['macs']" 2>/dev/null || echo -1; }
gw_flood() { telemetry /vtepgw/segments "' '.join(d['web']['flood_vteps'])" 2>/dev/null; }
# `vtepctl show fdb` (LMDB): lines of origin evpn
fdb_evpn_lines() { "$VTEPCTL" -c "$DIR/gw.conf" show fdb 2>/dev/null | grep -c ' evpn' || true; }
wait_for() { # SECONDS CMD...
	local t=$1
	shift
	for _ in $(seq $((t * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
macs_equal() { [ "$(gw_macs)" = "$1" ]; }
macs_at_least() { [ "$(gw_macs)" -ge "$1" ]; }
# wait until the segment holds $1 MACs; prints the milliseconds it took since $2
wait_macs() {
	local want=$1 since=$2 timeout=$3
	for _ in $(seq $((timeout * 20))); do
		if [ "$(gw_macs)" = "$want" ]; then
			echo $(($(now_ms) - since))
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# ---- topology --------------------------------------------------------------
for ns in "$SRV" "$GW" "$PEER" "$HOST"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
pair() { # NS_A IF_A NS_B IF_B
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}
pair "$SRV" srv0 "$GW" gwacc
pair "$GW" gwupl "$PEER" pupl
# DPDK owns gwacc and gwupl: the kernel must stay silent on them.
for ifc in gwacc gwupl; do
	ip netns exec "$GW" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1"
done
ip netns exec "$PEER" ethtool -K pupl tx off >/dev/null 2>&1 || true
ip netns exec "$SRV" sysctl -qw net.ipv6.conf.srv0.disable_ipv6=1
ip -n "$SRV" link set srv0 address $SRV_MAC mtu 1450
ip -n "$SRV" addr add 10.10.0.1/24 dev srv0

ip -n "$PEER" addr add 192.168.100.2/24 dev pupl
ip -n "$PEER" addr add 10.255.0.2/32 dev lo
# The peer VTEP as FRR's documentation sets one up: a bridge, a vxlan netdev
# with learning off (EVPN fills its FDB), a host port.
ip -n "$PEER" link add br$VNI type bridge
ip -n "$PEER" link add vni$VNI type vxlan id $VNI local 10.255.0.2 dstport 4789 nolearning
ip -n "$PEER" link set vni$VNI master br$VNI addrgenmode none
ip -n "$PEER" link set br$VNI addrgenmode none
ip link add hp$VNI netns "$PEER" type veth peer name hst0 netns "$HOST"
ip -n "$PEER" link set hp$VNI master br$VNI
ip netns exec "$HOST" sysctl -qw net.ipv6.conf.hst0.disable_ipv6=1
ip -n "$HOST" link set hst0 address $HOST_MAC mtu 1450
ip -n "$HOST" addr add 10.10.0.2/24 dev hst0
for dev in br$VNI vni$VNI hp$VNI; do ip -n "$PEER" link set "$dev" up; done
ip -n "$HOST" link set hst0 up

# ---- configurations ---------------------------------------------------------
cat >"$DIR/gw.conf" <<CONF
gateway = {
  name = "gwevpn";
  vtep_ipv4 = "10.255.0.1";
  lmdb_path = "$DIR/lmdb";
  lmdb_map_size = "32M";
};
dpdk = {
  lcores = "0-1";
  eal_args = [ "--no-huge", "--no-pci", "-m", "256", "--file-prefix=$PREFIX",
               "--log-level=lib.eal:error" ];
  mbufs = 4095;
};
ports = (
  { name = "server0"; role = "access"; device = "net_af_packet0,iface=gwacc"; },
  { name = "uplink0"; role = "uplink"; device = "net_af_packet1,iface=gwupl";
    addresses = [ "192.168.100.1/24" ]; }
);
segments = (
  { name = "web"; vni = $VNI; members = ( { port = "server0"; } ); learning = "evpn"; }
);
bgp = {
  asn = 65101;
  router_id = "10.255.0.1";
  evpn = true;
  manage_frr = true;
  neighbors = ( { address = "192.168.100.2"; remote_as = 65000; port = "uplink0"; } );
};
CONF
"$VTEPGW" --check-config "$DIR/gw.conf" >/dev/null || fail "configuration refused"

mkdir -p "/etc/frr/$GWFRR" "/etc/frr/$PEERFRR" "/var/run/frr/$GWFRR" "/var/run/frr/$PEERFRR"
# vtepgw writes the gateway's frr.conf; an existing file keeps its owner.
install -o frr -g frr -m 0640 /dev/null "/etc/frr/$GWFRR/frr.conf"
chown frr:frr "/etc/frr/$GWFRR" "/etc/frr/$PEERFRR" "/var/run/frr/$GWFRR" "/var/run/frr/$PEERFRR"
cat >"/etc/frr/$PEERFRR/frr.conf" <<CONF
frr defaults datacenter
hostname peer
log file $DIR/peer-frr.log
router bgp 65000
 bgp router-id 10.255.0.2
 no bgp default ipv4-unicast
 neighbor 192.168.100.1 remote-as 65101
 neighbor 192.168.100.1 timers connect 1
 address-family ipv4 unicast
  network 10.255.0.2/32
  neighbor 192.168.100.1 activate
 exit-address-family
 address-family l2vpn evpn
  neighbor 192.168.100.1 activate
  advertise-all-vni
 exit-address-family
exit
CONF
chown frr:frr "/etc/frr/$PEERFRR/frr.conf"

gw_start() {
	ip netns exec "$GW" "$VTEPGW" -c "$DIR/gw.conf" -N "$GWFRR" >>"$DIR/vtepgw.log" 2>&1 &
	GW_PID=$!
	for _ in $(seq 200); do
		kill -0 "$GW_PID" 2>/dev/null || fail "vtepgw exited at start"
		telemetry /vtepgw/evpn >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "vtepgw did not come up"
}
gw_frr_start() {
	frr_start "$GW" "$GWFRR" zebra "/etc/frr/$GWFRR/frr.conf"
	frr_start "$GW" "$GWFRR" bgpd "/etc/frr/$GWFRR/frr.conf"
}

# vtepgw first: the TAP twin must exist (and stay open) before FRR starts.
gw_start
grep -q "advertise-all-vni" "/etc/frr/$GWFRR/frr.conf" || fail "vtepgw did not write frr.conf"
log "vtepgw up, frr.conf generated"
T_FRR=$(now_ms)
gw_frr_start
frr_start "$PEER" "$PEERFRR" zebra "/etc/frr/$PEERFRR/frr.conf"
frr_start "$PEER" "$PEERFRR" bgpd "/etc/frr/$PEERFRR/frr.conf"

# ---- BGP and type-3 ---------------------------------------------------------
established() { vty "$GWFRR" "show bgp neighbors 192.168.100.2 json" | grep -q '"bgpState":"Established"'; }
wait_for 30 established || fail "BGP not Established"
log "RESULT bgp_established_ms=$(($(now_ms) - T_FRR))"
type3_on() { vty "$1" "show bgp l2vpn evpn route type multicast" | grep -q "\[3\]:\[0\]:\[32\]:\[$2\]"; }
wait_for 20 type3_on "$GWFRR" 10.255.0.2 || fail "gateway FRR has no type-3 route of the peer"
wait_for 20 type3_on "$PEERFRR" 10.255.0.1 || fail "peer FRR has no type-3 route of the gateway"
flood_has_peer() { gw_flood | grep -qw 10.255.0.2; }
wait_for 10 flood_has_peer || fail "peer VTEP not in vtepgw's flood list"
# bgpd holding the route is not yet zebra having written it to the kernel
peer_floods_to_gw() {
	ip netns exec "$PEER" bridge fdb show dev "vni$VNI" | grep -q "00:00:00:00:00:00 dst 10.255.0.1"
}
wait_for 10 peer_floods_to_gw || fail "peer kernel has no flood entry to the gateway"
log "RESULT type3_both_ways_ms=$(($(now_ms) - T_FRR))"

# ---- traffic and type-2 -----------------------------------------------------
ping_ok() { ip netns exec "$1" ping -c1 -W1 -s "$3" -M do "$2" >/dev/null 2>&1; }
wait_for 15 ping_ok "$SRV" 10.10.0.2 56 || fail "no ping server -> host"
for size in 56 1400; do
	ping_ok "$SRV" 10.10.0.2 $size || fail "ping server -> host, $size bytes"
	ping_ok "$HOST" 10.10.0.1 $size || fail "ping host -> server, $size bytes"
done
log "pings both ways at 56 and 1400 bytes"
type2_on() { vty "$1" "show bgp l2vpn evpn route type macip" | grep -qi "\[$2\]"; }
wait_for 10 type2_on "$PEERFRR" $SRV_MAC || fail "server MAC not a type-2 route on the peer"
wait_for 10 type2_on "$GWFRR" $HOST_MAC || fail "host MAC not a type-2 route on the gateway"
host_in_fdb() { "$VTEPCTL" -c "$DIR/gw.conf" show fdb | grep -i "$HOST_MAC" | grep -q evpn; }
wait_for 5 host_in_fdb || fail "host MAC not in vtepctl show fdb with origin evpn"
"$VTEPCTL" -c "$DIR/gw.conf" show fdb | grep -i "$HOST_MAC" | grep -q 10.255.0.2 ||
	fail "host MAC not behind 10.255.0.2"
ip netns exec "$PEER" bridge fdb show dev vni$VNI | grep -qi "$SRV_MAC.*dst 10.255.0.1" ||
	fail "peer kernel has no entry for the server MAC"
log "type-2 both ways; vtepctl shows the host MAC (origin evpn)"

# ---- 1,000 MACs behind the peer ----------------------------------------------
BASE=$(gw_macs) # server + host
for i in $(seq 0 999); do
	printf 'fdb add 02:01:00:00:%02x:%02x dev hp%s master static\n' $((i / 256)) $((i % 256)) $VNI
done >"$DIR/macs.batch"
ip netns exec "$PEER" bridge -batch "$DIR/macs.batch"
T_LAST=$(now_ms)
ms=$(wait_macs $((BASE + 1000)) "$T_LAST" 30) || fail "1,000 MACs not learned (have $(gw_macs))"
log "RESULT many_macs_last_added_to_fast_path_ms=$ms"
sleep 1
[ "$(fdb_evpn_lines)" = 1001 ] || fail "LMDB has $(fdb_evpn_lines) evpn entries, not 1001"

# ---- vtepgw restart: 100 MACs withdrawn meanwhile ---------------------------
gw_stop
for i in $(seq 0 99); do
	printf 'fdb del 02:01:00:00:%02x:%02x dev hp%s master\n' $((i / 256)) $((i % 256)) $VNI
done >"$DIR/del1.batch"
ip netns exec "$PEER" bridge -batch "$DIR/del1.batch"
T_RESTART=$(now_ms)
gw_start
WANT=$((BASE + 900))
ms=$(wait_macs $WANT "$T_RESTART" 40) || fail "after vtepgw restart: $(gw_macs) MACs, want $WANT"
log "RESULT vtepgw_restart_reconverged_ms=$ms"
wait_for 10 ping_ok "$SRV" 10.10.0.2 56 || fail "no ping after vtepgw restart"
sleep 1.5
macs_equal $WANT || fail "after vtepgw restart: $(gw_macs) MACs, want $WANT (stale?)"
[ "$(fdb_evpn_lines)" = 901 ] || fail "after vtepgw restart: LMDB has $(fdb_evpn_lines) evpn entries, want 901"
log "vtepgw restart: no stale entry (fast path and LMDB)"

# ---- FRR restart on the gateway side: 100 more withdrawn meanwhile -----------
frr_stop "$GWFRR" bgpd
frr_stop "$GWFRR" zebra
for i in $(seq 100 199); do
	printf 'fdb del 02:01:00:00:%02x:%02x dev hp%s master\n' $((i / 256)) $((i % 256)) $VNI
done >"$DIR/del2.batch"
ip netns exec "$PEER" bridge -batch "$DIR/del2.batch"
# zebra removed every remote entry on its way out: only the server is left
wait_for 10 macs_equal 1 || fail "FRR stopped: $(gw_macs) MACs left, want 1"
T_RESTART=$(now_ms)
gw_frr_start
WANT=$((BASE + 800))
ms=$(wait_macs $WANT "$T_RESTART" 40) || fail "after FRR restart: $(gw_macs) MACs, want $WANT"
log "RESULT frr_restart_reconverged_ms=$ms"
sleep 1.5
macs_equal $WANT || fail "after FRR restart: $(gw_macs) MACs, want $WANT (stale?)"
[ "$(fdb_evpn_lines)" = 801 ] || fail "after FRR restart: LMDB has $(fdb_evpn_lines) evpn entries, want 801"
wait_for 10 ping_ok "$HOST" 10.10.0.1 56 || fail "no ping after FRR restart"
log "FRR restart: no stale entry"

# ---- zebra-only restart: vtepgw's check toggles advertise-all-vni -------------
frr_stop "$GWFRR" zebra
wait_for 10 macs_equal 1 || fail "zebra stopped: $(gw_macs) MACs left"
T_RESTART=$(now_ms)
frr_start "$GW" "$GWFRR" zebra "/etc/frr/$GWFRR/frr.conf"
ms=$(wait_macs $WANT "$T_RESTART" 30) || fail "after zebra restart: $(gw_macs) MACs, want $WANT"
log "RESULT zebra_restart_recovered_ms=$ms"
[ "$(telemetry /vtepgw/evpn "d['frr_recoveries']")" -ge 1 ] || fail "no recovery counted"

# ---- the host goes away ----------------------------------------------------------
ip netns exec "$PEER" bridge -batch <(sed 's/^fdb add/fdb del/; s/ static$//' "$DIR/macs.batch" | tail -n 800)
wait_for 10 macs_equal 2 || fail "static MACs not withdrawn: $(gw_macs)"
T_GONE=$(now_ms)
ip -n "$PEER" link del hp$VNI
ms=$(wait_macs 1 "$T_GONE" 10) || fail "host MAC not withdrawn: $(gw_macs) MACs"
log "RESULT host_gone_withdrawn_ms=$ms"
sleep 1
"$VTEPCTL" -c "$DIR/gw.conf" show fdb | grep -qi "$HOST_MAC" && fail "host MAC still in vtepctl show fdb"

# ---- silence of the shadow devices ------------------------------------------------
tx=$(ip netns exec "$GW" cat /sys/class/net/vgvx$VNI/statistics/tx_packets)
[ "$tx" = 0 ] || fail "shadow vxlan netdev sent $tx packets"
drops=$(telemetry /vtepgw/evpn "d['remote_refused'] + d['local_errors'] + d['vtep_refused']")
[ "$drops" = 0 ] || fail "evpn refusals: $drops"
log "PASS"
