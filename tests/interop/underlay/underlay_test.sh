#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Underlay interop: the gateway's generated FRR configuration against real
# FRR routers, each FRR in its own network namespace.
#
#             +------ r1 (AS 65000) ------+
#   gw        | spine1            10.0.3/31|
#   AS 65101 -+                            +- vtep (AS 65201), 10.255.0.9/32 on lo
#   10.255.0.1| spine2            10.0.4/31|
#             +------ r2 (AS 65000) ------+
#
# The gateway's FRR runs the file vtepgw-frr-config renders from a vtepgw.conf
# (its uplinks are plain veth ends named like the uplinks, standing in for the
# TAP twins; vtepgw itself is not needed). Checks: sessions Established, the
# remote VTEP address installed as an ECMP route with two next hops (inline,
# no nexthop objects), failover to one path after an uplink failure with and
# without BFD (timed), and frr-reload applying changed and new neighbours
# without restarting bgpd.
#
# Usage: underlay_test.sh BUILD_DIR   (root; FRR 8.4 in /usr/lib/frr)
set -u
BUILD=${1:?usage: underlay_test.sh BUILD_DIR}
TOOL=$BUILD/routing/vtepgw-frr-config
FRR=/usr/lib/frr

if [ "$(id -u)" != 0 ] || [ ! -x $FRR/bgpd ] || [ ! -x $FRR/frr-reload.py ]; then
	echo "SKIP: needs root, FRR and frr-pythontools"
	exit 77
fi

# Unique names, so runs can go beside each other.
P=ul$$
GW=$P-gw R1=$P-r1 R2=$P-r2 VT=$P-vt
NAMESPACES="$GW $R1 $R2 $VT"
WORK=$(mktemp -d /tmp/vtepgw-underlay-XXXXXX)
chmod 755 "$WORK"
FAILED=0

cleanup() {
	for ns in $NAMESPACES; do
		for pidfile in /var/run/frr/$ns/*.pid; do
			[ -r "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
		done
	done
	sleep 0.5
	for ns in $NAMESPACES; do
		for pidfile in /var/run/frr/$ns/*.pid; do
			[ -r "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
		rm -rf "/var/run/frr/$ns"
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	FAILED=1
}
die() {
	echo "FAIL: $*"
	for ns in $GW $R1; do
		echo "--- $ns"
		vty "$ns" 'show bgp summary' 2>&1 | tail -8
	done
	ip -n "$GW" route 2>&1
	exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

vty() { # namespace command...
	local ns=$1
	shift
	local args=()
	for c in "$@"; do args+=(-c "$c"); done
	vtysh --vty_socket "/var/run/frr/$ns" --config_dir "$WORK/$ns" "${args[@]}" 2>/dev/null
}

start_frr() { # namespace daemons...
	local ns=$1
	shift
	mkdir -p "/var/run/frr/$ns"
	chown frr:frr "/var/run/frr/$ns"
	chown -R frr:frr "$WORK/$ns"
	for daemon in "$@"; do
		# -N: every path of this FRR gets the namespace's name
		# (/var/run/frr/NS/: vty sockets, zserv.api, pid files).
		ip netns exec "$ns" $FRR/$daemon -N "$ns" -d -f "$WORK/$ns/frr.conf" \
			-i "/var/run/frr/$ns/$daemon.pid" >"$WORK/$ns/$daemon.log" 2>&1 ||
			die "$daemon in $ns did not start: $(cat "$WORK/$ns/$daemon.log")"
	done
}

established() { # namespace -> number of Established IPv4 unicast sessions
	vty "$1" 'show bgp summary json' |
		jq '[.ipv4Unicast.peers // {} | .[] | select(.state == "Established")] | length' 2>/dev/null ||
		echo 0
}

peer_state() { # namespace peer
	vty "$1" 'show bgp summary json' | jq -r ".ipv4Unicast.peers[\"$2\"].state // \"absent\"" 2>/dev/null
}

paths() { # number of next hops of the gateway's route to the remote VTEP
	ip -n "$GW" -j route show 10.255.0.9/32 2>/dev/null |
		jq 'if length == 0 then 0 elif .[0].nexthops then (.[0].nexthops | length)
		    elif .[0].gateway then 1 else 0 end' 2>/dev/null || echo 0
}

wait_for() { # timeout-seconds command expected -> prints seconds waited, 1 on timeout
	local timeout=$1 expected=$3 start t
	start=$(now)
	while :; do
		[ "$($2)" = "$expected" ] && { elapsed "$start" "$(now)"; return 0; }
		t=$(elapsed "$start" "$(now)")
		awk -v t="$t" -v m="$timeout" 'BEGIN { exit !(t > m) }' && { echo "$t"; return 1; }
		sleep 0.05
	done
}

gw_paths() { paths; }
gw_established() { established "$GW"; }

# --- topology ---------------------------------------------------------------
for ns in $NAMESPACES; do
	ip netns add "$ns" || die "cannot create namespace $ns"
	ip -n "$ns" link set lo up
	mkdir -p "$WORK/$ns"
	: >"$WORK/$ns/vtysh.conf"
done
link() { # ns1 if1 addr1 ns2 if2 addr2
	ip -n "$1" link add "$2" type veth peer name "$5" netns "$4" || die "veth $2/$5"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}
link "$GW" spine1 10.0.1.1/31 "$R1" gw1 10.0.1.0/31
link "$GW" spine2 10.0.2.1/31 "$R2" gw1 10.0.2.0/31
link "$GW" spine3 10.0.5.1/31 "$R1" gw3 10.0.5.0/31
link "$VT" up1 10.0.3.1/31 "$R1" vt1 10.0.3.0/31
link "$VT" up2 10.0.4.1/31 "$R2" vt1 10.0.4.0/31
# The remote VTEP address: on lo (this kernel has no dummy devices).
ip -n "$VT" addr add 10.255.0.9/32 dev lo
ip -n "$GW" addr add 10.255.0.1/32 dev lo

# --- the gateway's configuration: vtepgw.conf -> frr.conf --------------------
write_vtepgw_conf() { # bfd-of-uplinks extra-neighbour-line
	cat >"$WORK/vtepgw.conf" <<EOF
gateway = { name = "gw"; vtep_ipv4 = "10.255.0.1"; };
dpdk = { lcores = "0-1"; };
ports = (
  { name = "spine1"; role = "uplink"; device = "net_af_packet1,iface=spine1";
    addresses = [ "10.0.1.1/31" ]; },
  { name = "spine2"; role = "uplink"; device = "net_af_packet2,iface=spine2";
    addresses = [ "10.0.2.1/31" ]; },
  { name = "spine3"; role = "uplink"; device = "net_af_packet3,iface=spine3";
    addresses = [ "10.0.5.1/31" ]; }
);
bgp = {
  asn = 65101;
  router_id = "10.255.0.1";
  evpn = true;
  neighbors = (
    { address = "10.0.1.0"; remote_as = 65000; port = "spine1"; bfd = $1; },
    { address = "10.0.2.0"; remote_as = 65000; port = "spine2"; bfd = $1; }$2
  );
};
EOF
}
write_vtepgw_conf true ""
$TOOL -c "$WORK/vtepgw.conf" --print >"$WORK/$GW/frr.conf" || die "vtepgw-frr-config --print"

router_conf() { # name asn router-id networks neighbours...
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
		shift 2
	done
	echo " address-family ipv4 unicast"
	[ -n "$network" ] && echo "  network $network"
	echo "  maximum-paths 16"
	echo " exit-address-family"
	echo "exit"
}
router_conf r1 65000 10.255.0.11 "" 10.0.1.1 65101 10.0.5.1 65101 10.0.3.1 65201 >"$WORK/$R1/frr.conf"
router_conf r2 65000 10.255.0.12 "" 10.0.2.1 65101 10.0.4.1 65201 >"$WORK/$R2/frr.conf"
router_conf vtep 65201 10.255.0.9 10.255.0.9/32 10.0.3.0 65000 10.0.4.0 65000 >"$WORK/$VT/frr.conf"

for ns in $R1 $R2 $VT; do
	start_frr "$ns" zebra bfdd bgpd
done
t_start=$(now)
start_frr "$GW" zebra bfdd bgpd
gw_bgpd=$(cat "/var/run/frr/$GW/bgpd.pid")

# --- sessions and ECMP --------------------------------------------------------
t=$(wait_for 60 gw_established 2) || die "gateway sessions not Established after ${t}s"
t_up=$(elapsed "$t_start" "$(now)")
echo "RESULT session_established_s=$t_up (gateway FRR start -> both sessions Established)"
t=$(wait_for 60 gw_paths 2) || die "no ECMP route to the remote VTEP after ${t}s"
echo "RESULT ecmp_installed_s=$(elapsed "$t_start" "$(now)") (gateway FRR start -> 2-path kernel route)"
route=$(ip -n "$GW" -j route show 10.255.0.9/32)
echo "gateway route: $route"
echo "$route" | jq -e '.[0].nhid == null' >/dev/null ||
	fail "route uses a nexthop object although the config says no zebra nexthop kernel enable"
echo "$route" | jq -e '[.[0].nexthops[].dev] | sort == ["spine1", "spine2"]' >/dev/null ||
	fail "ECMP next hops are not spine1 and spine2"
# The remote VTEP learned our VTEP address over both routers as well.
[ "$(ip -n "$VT" -j route show 10.255.0.1/32 | jq '.[0].nexthops | length')" = 2 ] ||
	fail "the remote VTEP has no 2-path route to the gateway's VTEP address"

# --- failover ----------------------------------------------------------------
# A silent failure (the link stays up, frames are lost): both ends of uplink 1
# get a wrong MAC for the other, so nothing arrives. Only BFD or the BGP hold
# timer notice it.
break_uplink1() {
	ip -n "$GW" neigh replace 10.0.1.0 lladdr 02:00:00:de:ad:01 dev spine1 nud permanent
	ip -n "$R1" neigh replace 10.0.1.1 lladdr 02:00:00:de:ad:02 dev gw1 nud permanent
}
repair_uplink1() {
	ip -n "$GW" neigh del 10.0.1.0 dev spine1
	ip -n "$R1" neigh del 10.0.1.1 dev gw1
}
recover() {
	t=$(wait_for 60 gw_paths 2) || die "ECMP not back after ${t}s"
	echo "  (ECMP back after ${t}s)"
}

# BFD sessions come up after BGP (bgpd asks bfdd), with 1 s slow start
# packets while down: break nothing before both are up.
gw_bfd_up() {
	vty "$GW" 'show bfd peers json' | jq '[.[] | select(.status == "up")] | length' 2>/dev/null
}
wait_for 30 gw_bfd_up 2 >/dev/null || die "BFD sessions not up"
echo "RESULT bfd_up_s=$(elapsed "$t_start" "$(now)") (gateway FRR start -> both BFD sessions up)"
break_uplink1
t=$(wait_for 30 gw_paths 1) || die "no failover to one path within ${t}s (BFD)"
echo "RESULT failover_silent_bfd_s=$t (BFD 300 ms x 3)"
awk -v t="$t" 'BEGIN { exit !(t < 1.5) }' || fail "BFD failover took ${t}s"
repair_uplink1
recover

ip -n "$R1" link set gw1 down
t=$(wait_for 30 gw_paths 1) || die "no failover to one path within ${t}s (link down)"
echo "RESULT failover_link_down_s=$t (carrier loss on uplink 1)"
ip -n "$R1" link set gw1 up
recover

# --- reload: BFD off on both uplinks, bgpd keeps running ----------------------
drops() { vty "$1" "show bgp neighbors $2 json" | jq ".[\"$2\"].connectionsDropped"; }
gw_drops=$(drops "$GW" 10.0.1.0) r1_drops=$(drops "$R1" 10.0.1.1)
write_vtepgw_conf false ""
$TOOL -c "$WORK/vtepgw.conf" --apply --frr-conf "$WORK/$GW/frr.conf" \
	--vty-socket "/var/run/frr/$GW" >"$WORK/apply1.log" 2>&1 || {
	cat "$WORK/apply1.log"
	die "vtepgw-frr-config --apply (bfd off)"
}
cat "$WORK/apply1.log"
grep -q -- "neighbor 10.0.1.0 bfd" "$WORK/apply1.log" || fail "apply did not report removing bfd"
[ "$(vty "$GW" 'show running-config' | grep -c ' bfd$')" = 0 ] || fail "bfd still configured"
[ "$(cat "/var/run/frr/$GW/bgpd.pid")" = "$gw_bgpd" ] && kill -0 "$gw_bgpd" ||
	fail "bgpd was restarted by the reload"
sleep 3
# Turning BFD off on our side only: the router, which still asks for BFD,
# sees its BFD session go down and may reset the BGP session (RFC 5882 §3.2
# would have us send AdminDown first). Report it; it is the peer's policy.
echo "INFO bfd off: sessions dropped since: gateway $(($(drops "$GW" 10.0.1.0) - gw_drops))," \
	"router $(($(drops "$R1" 10.0.1.1) - r1_drops))" \
	"(router's last reset: $(vty "$R1" "show bgp neighbors 10.0.1.1 json" | jq -r '.["10.0.1.1"].lastResetDueTo'))"
# A second apply finds nothing to do.
$TOOL -c "$WORK/vtepgw.conf" --apply --frr-conf "$WORK/$GW/frr.conf" \
	--vty-socket "/var/run/frr/$GW" >"$WORK/apply2.log" 2>&1 || die "second apply"
grep -q "nothing to change" "$WORK/apply2.log" || {
	cat "$WORK/apply2.log"
	fail "second apply is not a no-op"
}
recover

break_uplink1
t=$(wait_for 30 gw_paths 1) || die "no failover to one path within ${t}s (hold timer)"
echo "RESULT failover_silent_no_bfd_s=$t (BGP hold timer 9 s, datacenter defaults)"
repair_uplink1
recover

# --- reload: a new neighbour --------------------------------------------------
write_vtepgw_conf false ',
    { address = "10.0.5.0"; remote_as = 65000; port = "spine3"; }'
$TOOL -c "$WORK/vtepgw.conf" --diff --vty-socket "/var/run/frr/$GW" --frr-conf "$WORK/$GW/frr.conf"
start=$(now)
$TOOL -c "$WORK/vtepgw.conf" --apply --frr-conf "$WORK/$GW/frr.conf" \
	--vty-socket "/var/run/frr/$GW" >"$WORK/apply3.log" 2>&1 || {
	cat "$WORK/apply3.log"
	die "vtepgw-frr-config --apply (new neighbour)"
}
echo "apply (new neighbour) took $(elapsed "$start" "$(now)")s"
grep -q -- "+  neighbor 10.0.5.0 remote-as 65000" "$WORK/apply3.log" || fail "apply did not report the new neighbour"
[ "$(cat "/var/run/frr/$GW/bgpd.pid")" = "$gw_bgpd" ] && kill -0 "$gw_bgpd" ||
	fail "bgpd was restarted by the reload"
gw_new_peer() { peer_state "$GW" 10.0.5.0; }
t=$(wait_for 60 gw_new_peer Established) || fail "new neighbour not Established after ${t}s"
echo "RESULT new_neighbour_established_s=$(elapsed "$start" "$(now)")"
t=$(wait_for 30 gw_paths 3) || fail "no 3-path route after the new neighbour (${t}s)"

if [ "$FAILED" = 0 ]; then
	echo "PASS"
	exit 0
fi
exit 1
