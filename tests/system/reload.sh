#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Configuration reload on SIGHUP (docs/gateway.md, "Reload"), with a ping
# running through the whole test (-i 0.02) that must not lose a packet.
#
#   srv ns            gw ns (vtepgw)                      peer ns                 host ns
#   srv0 10.10.0.1 -- gwacc [access]  [uplink] gwupl -- pupl 192.168.100.2   br0{vx0,phost} -- hst0 10.10.0.2
#                     TAP "uplink0" 192.168.100.1/24          lo 10.255.0.2 (kernel VTEP, VNI 10010)
#                     VTEP 10.255.0.1                         lo 10.255.0.3 (second VTEP: captured)
# Steps: (a) a file with a syntax error and one with a semantic error are
# refused with file:line, counted, and change nothing; (b) adding
# 10.255.0.3 to the flood list makes BUM frames reach it and
# /vtepgw/segments list it, and the segment's mac_limit changes live;
# (c) static MACs added, changed and removed, as `vtepctl show fdb` shows;
# (d) a port's mtu change is refused with "needs a restart", and so is a new
# segment on a new VLAN of the access port (segment addition needs a
# restart); the running state is unchanged after each.
TEST_NAME=reload
. "$(dirname "$0")/lib.sh"

SRV=$(netns_add srv)
GW=$(netns_add gw)
PEER=$(netns_add peer)
HOST=$(netns_add host)

veth_pair "$SRV" srv0 "$GW" gwacc
veth_pair "$GW" gwupl "$PEER" pupl
veth_pair "$PEER" phost "$HOST" hst0
dpdk_owned "$GW" gwacc
dpdk_owned "$GW" gwupl
no_offload "$PEER" pupl

ip -n "$SRV" addr add 10.10.0.1/24 dev srv0
ip -n "$HOST" addr add 10.10.0.2/24 dev hst0
ip -n "$HOST" link set hst0 mtu 1450
ip -n "$SRV" link set srv0 mtu 1450

kernel_vxlan_peer "$PEER" 10010
ip -n "$PEER" addr add 10.255.0.3/32 dev lo

# gw_conf FLOOD STATIC_MACS [SEGMENT_EXTRA] [MTU] [EXTRA_SEGMENTS]
gw_conf() {
	gw_conf_head "10.255.0.1"
	cat <<CONF
ports = (
  { name = "server0"; role = "access"; device = "net_af_packet0,iface=gwacc"; mtu = ${4:-1500}; },
  { name = "uplink0"; role = "uplink"; device = "net_af_packet1,iface=gwupl";
    addresses = [ "192.168.100.1/24" ]; }
);
segments = (
  { name = "web"; vni = 10010; members = ( { port = "server0"; } );
    flood = [ $1 ]; learning = "dataplane";
    static_macs = ( $2 ); ${3:-} }${5:-}
);
CONF
}
# write FILE atomically over gw.conf, as an editor or a config manager would
install_conf() {
	cat >"$TEST_DIR/gw.conf.new"
	mv "$TEST_DIR/gw.conf.new" "$TEST_DIR/gw.conf"
}

MACS_START='{ mac = "02:00:00:00:5a:01"; port = "server0"; },
      { mac = "02:00:00:00:5a:02"; vtep = "10.255.0.2"; }'
gw_conf '"10.255.0.2"' "$MACS_START" | install_conf
"$VTEPGW" --check-config "$TEST_DIR/gw.conf" >/dev/null || fail "config refused"
gw_start "$GW" "$TEST_DIR/gw.conf"
for v in 2 3; do ip -n "$GW" route add 10.255.0.$v/32 via 192.168.100.2 dev uplink0; done

wait_for 10 ip netns exec "$SRV" ping -c1 -W1 10.10.0.2 || fail "no first ping srv -> host"
ip netns exec "$SRV" ping -i 0.02 -W 1 10.10.0.2 >"$TEST_DIR/ping.log" 2>&1 &
PING_PID=$!
sleep 0.5

# reload_counter KEY: a field of /vtepgw/reload
reload_counter() {
	telemetry_get /vtepgw/reload "d[\"$1\"]"
}
# hup_and_wait: SIGHUP, then wait until the daemon counted the attempt.
hup_and_wait() {
	local before
	before=$(telemetry_get /vtepgw/reload 'd["reload_ok"] + d["reload_failed"]')
	kill -HUP "$GW_PID"
	wait_for 10 telemetry_get /vtepgw/reload \
		"d[\"reload_ok\"] + d[\"reload_failed\"] > $before or exit(1)" ||
		fail "reload not counted"
	gw_alive
}
flood_vteps() {
	telemetry_get /vtepgw/segments '",".join(sorted(d["web"]["flood_vteps"]))'
}
fdb_static() {
	"$VTEPCTL" -c "$TEST_DIR/gw.conf" show fdb --json | "$PY" -c '
import json, sys
rows = json.load(sys.stdin)
rows = rows.get("fdb", rows) if isinstance(rows, dict) else rows
for r in rows:
    if r["origin"] == "static":
        print(r["mac"], r["kind"], r["port"] or r["vtep"])
' | sort | tr '\n' ';'
}
# live_static: the static entries of the fast path (/vtepgw/fdb)
live_static() {
	telemetry_get /vtepgw/fdb \
		'";".join(sorted(e["mac"] + " " + e["dest"] for e in d.values() if isinstance(e, dict) and e["origin"] == "static")) + ";"'
}
# pcap_bum_count PCAP: encapsulated "reload-bum" copies to 10.255.0.2 and
# to 10.255.0.3 in a capture, as "N2 N3".
pcap_bum_count() {
	"$PY" -c '
import sys
from scapy.all import rdpcap, IP
n = {"10.255.0.2": 0, "10.255.0.3": 0}
try:
    packets = rdpcap(sys.argv[1])
except Exception:
    packets = []
for p in packets:
    if IP in p and p[IP].dst in n and b"reload-bum" in bytes(p):
        n[p[IP].dst] += 1
print(n["10.255.0.2"], n["10.255.0.3"])
' "$1"
}
# bum_copies WANT: send 5 broadcast frames from the server and print how many
# encapsulated copies went to 10.255.0.2 and to 10.255.0.3 ("N2 N3"). The
# capture is known to be listening before anything is sent, and is read until
# it shows WANT (at most 5 s: a loaded machine delays frames and tcpdump),
# then for 0.5 s more so that extra copies are seen too.
bum_copies() {
	local want=$1 pcap="$TEST_DIR/bum.pcap" err="$TEST_DIR/bum.err" pid got
	rm -f "$pcap" "$err"
	ip netns exec "$PEER" tcpdump -U -n -i pupl -w "$pcap" udp port 4789 2>"$err" &
	pid=$!
	for _ in $(seq 50); do grep -q "listening on" "$err" 2>/dev/null && break; sleep 0.1; done
	grep -q "listening on" "$err" || fail "tcpdump did not start"
	ip netns exec "$SRV" "$PY" - <<'PY' || fail "scapy send"
from scapy.all import Ether, IP, UDP, Raw, sendp, conf
conf.verb = 0
sendp(Ether(src="02:00:00:00:b0:01", dst="ff:ff:ff:ff:ff:ff") / IP(src="10.10.0.1", dst="10.10.0.255") /
      UDP(sport=7, dport=7) / Raw(b"reload-bum"), iface="srv0", count=5, inter=0.05)
PY
	for _ in $(seq 25); do
		got=$(pcap_bum_count "$pcap")
		[ "$got" = "$want" ] && break
		sleep 0.2
	done
	sleep 0.5
	kill -INT "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pcap_bum_count "$pcap"
}

STATE0_FLOOD=$(flood_vteps)
STATE0_FDB=$(fdb_static)
[ "$STATE0_FLOOD" = "10.255.0.2" ] || fail "flood list at start: $STATE0_FLOOD"
[ "$STATE0_FDB" = "02:00:00:00:5a:01 local server0;02:00:00:00:5a:02 remote 10.255.0.2;" ] ||
	fail "static MACs at start: $STATE0_FDB"
STATE0_LIVE=$(live_static)
copies=$(bum_copies "5 0")
[ "$copies" = "5 0" ] || fail "BUM copies to .2 and .3 before the reload: $copies, want 5 0"

# (a) syntax error: refused with file:line, nothing changes
cp "$TEST_DIR/gw.conf" "$TEST_DIR/gw.conf.good"
gw_conf '"10.255.0.2", "10.255.0.3"' "$MACS_START" | sed 's/vni = 10010;/vni = 10010 +;/' | install_conf
hup_and_wait
[ "$(reload_counter reload_failed)" -eq 1 ] && [ "$(reload_counter reload_invalid)" -eq 1 ] ||
	fail "syntax error not counted: $(telemetry /vtepgw/reload | tr -d '\n')"
grep -Eq "reload: $TEST_DIR/gw.conf:[0-9]+: " "$TEST_DIR/vtepgw.log" ||
	fail "no file:line error in the log"
reload_counter reload_last_error | grep -q "gw.conf:[0-9]*:" || fail "last error without file:line"
log "syntax error: $(grep -E "reload: $TEST_DIR/gw.conf:[0-9]+:" "$TEST_DIR/vtepgw.log" | head -1 | sed 's/.*reload: //')"

# (a) semantic errors (two of them): refused, both logged, nothing changes
gw_conf '"10.255.0.2", "10.255.0.3", "10.255.0.1"' \
	"$MACS_START, { mac = \"02:00:00:00:5a:09\"; port = \"nosuchport\"; }" | install_conf
hup_and_wait
[ "$(reload_counter reload_failed)" -eq 2 ] && [ "$(reload_counter reload_invalid)" -eq 2 ] ||
	fail "semantic error not counted"
grep -q "own address" "$TEST_DIR/vtepgw.log" || fail "own-address error not logged"
grep -E "reload: $TEST_DIR/gw.conf:[0-9]+: " "$TEST_DIR/vtepgw.log" | grep -q "nosuchport" ||
	fail "unknown-port error not logged with file:line"
[ "$(reload_counter reload_ok)" -eq 0 ] || fail "a bad file was applied"
[ "$(flood_vteps)" = "$STATE0_FLOOD" ] || fail "flood list changed by a refused reload"
[ "$(live_static)" = "$STATE0_LIVE" ] || fail "static MACs changed by a refused reload"

# (b) a second flood VTEP and a new mac_limit, live
gw_conf '"10.255.0.2", "10.255.0.3"' "$MACS_START" 'mac_limit = 77;' | install_conf
hup_and_wait
[ "$(reload_counter reload_ok)" -eq 1 ] || fail "good reload refused: $(reload_counter reload_last_error)"
[ "$(flood_vteps)" = "10.255.0.2,10.255.0.3" ] || fail "flood list after reload: $(flood_vteps)"
telemetry_get /vtepgw/segments 'd["web"]["mac_limit"] == 77' | grep -q True || fail "mac_limit not applied"
wait_for 5 telemetry_get /vtepgw/vteps 'd["10_255_0_3"]["resolved"] == 1 or exit(1)' ||
	fail "10.255.0.3 not resolved"
copies=$(bum_copies "5 5")
[ "$copies" = "5 5" ] || fail "BUM copies to .2 and .3 after adding .3: $copies, want 5 5"
log "(b) 10.255.0.3 added to the flood list: 5 of 5 BUM frames reached it"

# (c) static MACs: 5a:01 removed, 5a:02 moved to 10.255.0.3, 5a:03 and 5a:04 added
MACS_NEXT='{ mac = "02:00:00:00:5a:02"; vtep = "10.255.0.3"; },
      { mac = "02:00:00:00:5a:03"; port = "server0"; },
      { mac = "02:00:00:00:5a:04"; vtep = "10.255.0.3"; }'
gw_conf '"10.255.0.2", "10.255.0.3"' "$MACS_NEXT" 'mac_limit = 77;' | install_conf
hup_and_wait
[ "$(reload_counter reload_ok)" -eq 2 ] || fail "static MAC reload refused: $(reload_counter reload_last_error)"
WANT="02:00:00:00:5a:02 remote 10.255.0.3;02:00:00:00:5a:03 local server0;02:00:00:00:5a:04 remote 10.255.0.3;"
wait_for 5 bash -c "[ \"\$($(declare -f fdb_static); VTEPCTL=$VTEPCTL TEST_DIR=$TEST_DIR PY=$PY fdb_static)\" = \"$WANT\" ]" ||
	fail "vtepctl show fdb after reload: $(fdb_static)"
live_static | grep -q "02:00:00:00:5a:01" && fail "removed static MAC still in the fast path"
[ "$(live_static | tr ';' '\n' | grep -c .)" -eq 3 ] || fail "fast path static MACs: $(live_static)"
log "(c) vtepctl show fdb: $WANT"
STATE_C_FLOOD=$(flood_vteps)
STATE_C_LIVE=$(live_static)

# (d) a port setting: refused, needs a restart, nothing changes
gw_conf '"10.255.0.2"' "$MACS_START" "" 1400 | install_conf
hup_and_wait
[ "$(reload_counter reload_needs_restart)" -eq 1 ] || fail "port change not refused"
grep -q "port server0: mtu changed: needs a restart" "$TEST_DIR/vtepgw.log" ||
	fail "no 'needs a restart' message for the port"
[ "$(flood_vteps)" = "$STATE_C_FLOOD" ] && [ "$(live_static)" = "$STATE_C_LIVE" ] ||
	fail "a refused reload changed the running state"

# (e) a new segment on a new VLAN of the access port: needs a restart
gw_conf '"10.255.0.2", "10.255.0.3"' "$MACS_NEXT" 'mac_limit = 77;' 1500 ',
  { name = "db"; vni = 10020; members = ( { port = "server0"; vlan = 20; } );
    flood = [ "10.255.0.2" ]; }' | install_conf
hup_and_wait
[ "$(reload_counter reload_needs_restart)" -eq 2 ] || fail "segment addition not refused"
grep -q "reload: adding/removing segments needs a restart (segment db)" "$TEST_DIR/vtepgw.log" ||
	fail "no message for the segment addition"
telemetry_get /vtepgw/segments '"db" not in d' | grep -q True || fail "segment db appeared"
[ "$(flood_vteps)" = "$STATE_C_FLOOD" ] && [ "$(live_static)" = "$STATE_C_LIVE" ] ||
	fail "a refused reload changed the running state"

# back to the first file: 10.255.0.3 leaves the flood list and no BUM reaches it
cp "$TEST_DIR/gw.conf.good" "$TEST_DIR/gw.conf"
hup_and_wait
[ "$(reload_counter reload_ok)" -eq 3 ] || fail "reload back refused: $(reload_counter reload_last_error)"
[ "$(flood_vteps)" = "10.255.0.2" ] || fail "flood list after going back: $(flood_vteps)"
[ "$(live_static)" = "$STATE0_LIVE" ] || fail "static MACs after going back: $(live_static)"
copies=$(bum_copies "5 0")
[ "$copies" = "5 0" ] || fail "BUM copies to .2 and .3 after removing .3: $copies, want 5 0"

# the ping ran through everything
sleep 0.3
kill -INT "$PING_PID"
wait "$PING_PID" 2>/dev/null || true
gw_alive
stats=$(grep "packets transmitted" "$TEST_DIR/ping.log") || fail "no ping statistics"
sent=$(echo "$stats" | awk '{print $1}')
received=$(echo "$stats" | awk '{print $4}')
lost=$((sent - received))
log "ping through 7 reloads: $sent sent, $received received, $lost lost"
log "reload counters: $(telemetry /vtepgw/reload | tr -d '\n ')"
# the reply to the last echo may still be on its way when ping is stopped
[ "$lost" -le 1 ] || fail "ping lost $lost of $sent packets"
gw_stop
log "PASS"
