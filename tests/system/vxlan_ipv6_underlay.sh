#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# V8 / issue 3: the VXLAN ping test over an IPv6 underlay, against a Linux
# kernel vxlan peer; vtepctl against the live daemon while traffic runs.
#
#   srv ns            gw ns (vtepgw)                        peer ns                    host ns
#   srv0 10.10.0.1 -- gwacc [access]  [uplink] gwupl -- pupl 2001:db8:100::2/64  br0{vx0,phost} -- hst0 10.10.0.2
#                     TAP "uplink0" 2001:db8:100::1/64        lo 2001:db8:ff::2 (VTEP)
#                     VTEP 2001:db8:ff::1                     vx0 VNI 10020
# The gateway's kernel route to the peer VTEP goes through the TAP twin and
# its next hop is resolved by ND. Checks on the underlay capture: VNI, port
# 4789, a valid non-zero UDP checksum (RFC 6935 / RFC 7348 §5), source ports
# varying with the inner flow.
TEST_NAME=vx6
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
ip -n "$HOST" link set hst0 mtu 1430
ip -n "$SRV" link set srv0 mtu 1430

ip -n "$PEER" addr add 2001:db8:100::2/64 dev pupl nodad
ip -n "$PEER" addr add 2001:db8:ff::2/128 dev lo nodad
ip -n "$PEER" route add 2001:db8:ff::1/128 via 2001:db8:100::1
ip -n "$PEER" link add vx0 type vxlan id 10020 local 2001:db8:ff::2 dstport 4789 nolearning
ip -n "$PEER" link add br0 type bridge
ip -n "$PEER" link set vx0 master br0
ip -n "$PEER" link set phost master br0
ip -n "$PEER" link set vx0 up
ip -n "$PEER" link set br0 up
ip netns exec "$PEER" bridge fdb append 00:00:00:00:00:00 dev vx0 dst 2001:db8:ff::1

{
	gw_conf_head "" "2001:db8:ff::1"
	cat <<CONF
ports = (
  { name = "server0"; role = "access"; device = "net_af_packet0,iface=gwacc"; },
  { name = "uplink0"; role = "uplink"; device = "net_af_packet1,iface=gwupl";
    addresses = [ "2001:db8:100::1/64" ]; }
);
segments = (
  { name = "web6"; vni = 10020; members = ( { port = "server0"; } );
    flood = [ "2001:db8:ff::2" ]; }
);
CONF
} >"$TEST_DIR/gw.conf"

"$VTEPGW" --check-config "$TEST_DIR/gw.conf" >/dev/null || fail "config refused"
gw_start "$GW" "$TEST_DIR/gw.conf"
ip -n "$GW" route add 2001:db8:ff::2/128 via 2001:db8:100::2 dev uplink0

capture_start "$PEER" pupl "$TEST_DIR/underlay.pcap" udp port 4789
capture_wait_ready

wait_for 10 ip netns exec "$SRV" ping -c1 -W1 10.10.0.2 || fail "no first ping srv -> host"
ip -n "$GW" -6 neigh show dev uplink0 | grep -q "2001:db8:100::2 .*lladdr" ||
	fail "next hop not resolved by ND"
for size in 56 1400; do
	ip netns exec "$SRV" ping -c3 -i0.2 -W2 -s "$size" 10.10.0.2 >>"$TEST_DIR/ping.txt" ||
		fail "ping srv -> host, $size bytes"
	ip netns exec "$HOST" ping -c3 -i0.2 -W2 -s "$size" 10.10.0.1 >>"$TEST_DIR/ping.txt" ||
		fail "ping host -> srv, $size bytes"
done
grep rtt "$TEST_DIR/ping.txt" | sed -n '1p;3p' >&2 || true
udp_flows "$SRV" 10.10.0.2 16 || fail "udp flows"

# vtepctl against the live daemon, while a ping runs (issue 3, point 6)
ip netns exec "$SRV" ping -i0.1 -c 30 10.10.0.2 >/dev/null 2>&1 &
PING_PID=$!
if [ -n "${VTEPCTL:-}" ]; then
	sleep 0.6 # let the learned MACs reach LMDB (batches every 500 ms)
	for what in ports segments vteps counters fdb; do
		"$VTEPCTL" -c "$TEST_DIR/gw.conf" show "$what" >"$TEST_DIR/show-$what.txt" \
			2>"$TEST_DIR/vtepctl.err" || fail "vtepctl show $what: $(cat "$TEST_DIR/vtepctl.err")"
		"$VTEPCTL" -c "$TEST_DIR/gw.conf" --json show "$what" >"$TEST_DIR/show-$what.json" \
			2>"$TEST_DIR/vtepctl.err" || fail "vtepctl --json show $what: $(cat "$TEST_DIR/vtepctl.err")"
	done
	grep -q "2001:db8:ff::2 *resolved *2001:db8:100::2 *uplink0" "$TEST_DIR/show-vteps.txt" ||
		fail "show vteps: $(cat "$TEST_DIR/show-vteps.txt")"
	grep -q "^server0 *access" "$TEST_DIR/show-ports.txt" || fail "show ports"
	grep -q "^uplink0 *uplink .* uplink0" "$TEST_DIR/show-ports.txt" || fail "show ports (tap)"
	grep -Eq "^web6 +vxlan +10020 +dataplane +[0-9]+ +8192 +1 +([0-9]+ +){4}[1-9][0-9]*$" \
		"$TEST_DIR/show-segments.txt" || fail "show segments: $(cat "$TEST_DIR/show-segments.txt")"
	UPLINK_MAC=$(ip -n "$GW" -br link show uplink0 | awk '{print $3}')
	grep -q "^uplink0 .* $UPLINK_MAC " "$TEST_DIR/show-ports.txt" || fail "show ports: MAC"
	SRV_MAC=$(ip -n "$SRV" -br link show srv0 | awk '{print $3}')
	grep -q "web6 *$SRV_MAC *local *server0" "$TEST_DIR/show-fdb.txt" ||
		fail "show fdb: $(cat "$TEST_DIR/show-fdb.txt")"
	"$PY" - "$TEST_DIR" "$SRV_MAC" <<'PY' || fail "vtepctl --json disagrees with telemetry"
import json, sys
d, mac = sys.argv[1], sys.argv[2]
load = lambda w: json.load(open("%s/show-%s.json" % (d, w)))
vteps = load("vteps")
v = [x for x in vteps if x["address"] == "2001:db8:ff::2"]
assert v and v[0]["resolved"] in (True, "resolved") and v[0]["tx_packets"] > 0, vteps
ports = {p["name"]: p for p in load("ports")}
assert ports["uplink0"]["tap"] == "uplink0" and ports["server0"]["role"] == "access", ports
assert ports["server0"]["rx_packets"] > 0 and ports["uplink0"]["tx_packets"] > 0, ports
seg = [s for s in load("segments") if s["name"] == "web6"][0]
assert seg["id"] == 10020 and seg["running"] and seg["persisted"] and seg["macs"] >= 2, seg
assert seg["flood_vteps"] == 1 and seg["flood"] >= 1, seg  # the first ARP was flooded
fdb = load("fdb")
assert any(e["mac"] == mac and e["port"] == "server0" and e["kind"] == "local" for e in fdb), fdb
assert any(e["kind"] == "remote" and e["vtep"] == "2001:db8:ff::2" for e in fdb), fdb
c = load("counters")
assert "inner_bad_source_mac" in c["drops"] and c["totals"]["rx_packets"] > 0, c
print("vtepctl ok")
PY
fi
wait "$PING_PID" || fail "ping during vtepctl"
capture_stop_all

"$PY" - "$TEST_DIR/underlay.pcap" <<'PY' || fail "underlay capture check"
import sys
from scapy.all import rdpcap, IPv6, UDP, raw
sports, n = set(), 0
flows = {}
for p in rdpcap(sys.argv[1]):
    if IPv6 not in p or UDP not in p or p[IPv6].src != "2001:db8:ff::1":
        continue
    n += 1
    u = p[UDP]
    assert u.dport == 4789, u.dport
    payload = bytes(u.payload)
    assert payload[0] == 0x08 and payload[1:4] == b"\0\0\0" and payload[7] == 0, payload[:8]
    assert int.from_bytes(payload[4:7], "big") == 10020, "VNI"
    assert u.chksum != 0, "zero UDP checksum over IPv6"
    sent = u.chksum
    c = p[IPv6].copy()
    del c[UDP].chksum
    assert IPv6(raw(c))[UDP].chksum == sent, "bad UDP checksum %#x" % sent
    assert p[IPv6].hlim == 64, p[IPv6].hlim
    assert 49152 <= u.sport <= 65535, u.sport
    sports.add(u.sport)
    inner = payload[8:]
    if len(inner) > 14 + 28 and inner[12:14] == b"\x08\x00" and inner[14 + 9] == 17:
        key = inner[14 + 12:14 + 24]  # addresses + ports
        flows.setdefault(key, set()).add(u.sport)
assert n >= 10, "only %d encapsulated packets from us" % n
assert len(sports) >= 2, "one UDP source port for all flows"
assert len(flows) >= 16 and all(len(s) == 1 for s in flows.values()), flows
print("underlay ok: %d packets, %d source ports, %d udp flows" % (n, len(sports), len(flows)))
PY
telemetry_get /vtepgw/drops 'd["udp_zero_checksum_ipv6"] + d["udp_bad_checksum"]' | grep -qx 0 ||
	fail "the kernel's IPv6 VXLAN was refused"
gw_stop
log "PASS"
