#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# B7 / V4 / issue 3: tagged access. This kernel has no VLAN devices, so
# scapy makes the tagged frames. Two VLANs of one access port map to two
# segments (two VNIs); one more access port is an untagged member of the
# second segment; the remote VTEP is scapy.
#
#   srv ns                         gw ns (vtepgw)                    peer ns (scapy VTEP 10.255.0.2)
#   srv0 (VLAN 10 red, 20 blue) -- gwacc0 [server0]  [uplink0] gwupl -- pupl 192.168.100.2
#   srv1 (untagged, blue)       -- gwacc1 [server1]
# Checks: each VLAN leaves with its own VNI, untagged inside; decapsulated
# frames come back byte for byte with their segment's tag; nothing crosses
# between the segments; the same MACs in both segments are two FDB entries
# each (`vtepctl show fdb`).
TEST_NAME=vlan
. "$(dirname "$0")/lib.sh"

SRV=$(netns_add srv)
GW=$(netns_add gw)
PEER=$(netns_add peer)
# The server ports carry only scapy's frames: no IPv6 (router solicitations,
# MLD, DAD), or the kernel's own frames get learned as extra MACs.
ip netns exec "$SRV" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
veth_pair "$SRV" srv0 "$GW" gwacc0
veth_pair "$SRV" srv1 "$GW" gwacc1
veth_pair "$GW" gwupl "$PEER" pupl
for i in gwacc0 gwacc1 gwupl; do dpdk_owned "$GW" $i; done
dpdk_owned "$SRV" srv0
dpdk_owned "$SRV" srv1
ip -n "$PEER" addr add 192.168.100.2/24 dev pupl
ip -n "$PEER" addr add 10.255.0.2/32 dev lo
ip netns exec "$PEER" sysctl -qw net.ipv4.icmp_ratelimit=100000

{
	gw_conf_head "10.255.0.1"
	cat <<CONF
ports = (
  { name = "server0"; role = "access"; device = "net_af_packet0,iface=gwacc0"; },
  { name = "server1"; role = "access"; device = "net_af_packet1,iface=gwacc1"; },
  { name = "uplink0"; role = "uplink"; device = "net_af_packet2,iface=gwupl";
    addresses = [ "192.168.100.1/24" ]; }
);
segments = (
  { name = "red"; vni = 100; members = ( { port = "server0"; vlan = 10; } );
    flood = [ "10.255.0.2" ]; },
  { name = "blue"; vni = 200;
    members = ( { port = "server0"; vlan = 20; }, { port = "server1"; } );
    flood = [ "10.255.0.2" ]; }
);
CONF
} >"$TEST_DIR/gw.conf"
"$VTEPGW" --check-config "$TEST_DIR/gw.conf" >/dev/null || fail "config refused"
gw_start "$GW" "$TEST_DIR/gw.conf"
ip -n "$GW" route add 10.255.0.2/32 via 192.168.100.2 dev uplink0
ip netns exec "$GW" ping -c1 -W2 192.168.100.2 >/dev/null || fail "underlay ping"
wait_for 5 telemetry_get /vtepgw/vteps 'd["10_255_0_2"]["resolved"] == 1 or exit(1)' ||
	fail "VTEP not resolved"
GW_MAC=$(uplink_mac "$GW" uplink0)

capture_start "$PEER" pupl "$TEST_DIR/underlay.pcap" udp port 4789
CAPTURE_DIRECTION=in capture_start "$SRV" srv0 "$TEST_DIR/srv0.pcap"
CAPTURE_DIRECTION=in capture_start "$SRV" srv1 "$TEST_DIR/srv1.pcap"
capture_wait_ready

# M (the server) and R (behind the VTEP) exist in both segments.
M=02:00:00:00:0a:01
R=02:00:00:00:0b:01
ip netns exec "$SRV" "$PY" - "$M" <<'PY' || fail "scapy send (server)"
import sys
from scapy.all import Ether, Dot1Q, IP, UDP, Raw, sendp, conf
conf.verb = 0
m = sys.argv[1]
for vid, tag in ((10, b"red-out"), (20, b"blue-out")):
    sendp(Ether(src=m, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=vid) / IP(src="10.1.0.1", dst="10.1.0.255") /
          UDP(sport=1, dport=2) / Raw(tag), iface="srv0")
PY
sleep 0.3 # learned by the control thread
ip netns exec "$PEER" "$PY" - "$GW_MAC" "$M" "$R" >"$TEST_DIR/sent.txt" <<'PY' || fail "scapy send (peer)"
import sys
from scapy.all import Ether, IP, UDP, VXLAN, Raw, sendp, conf
conf.verb = 0
gw, m, r = sys.argv[1:4]
for vni, dst, tag in ((100, m, b"red-back"), (200, m, b"blue-back"), (200, "ff:ff:ff:ff:ff:ff", b"blue-bcast")):
    inner = Ether(src=r, dst=dst) / IP(src="10.1.0.2", dst="10.1.0.1") / UDP(sport=3, dport=4) / Raw(tag)
    sendp(Ether(dst=gw) / IP(src="10.255.0.2", dst="10.255.0.1") / UDP(sport=50000 + vni, dport=4789) /
          VXLAN(vni=vni) / inner, iface="pupl")
    print(tag.decode(), bytes(inner).hex())
PY
sleep 0.3
capture_stop_all

"$PY" - "$TEST_DIR" <<'PY' || fail "capture check"
import sys
from scapy.all import rdpcap, IP, UDP, Ether, Dot1Q
d = sys.argv[1]
def frames(name):
    return [bytes(p) for p in rdpcap("%s/%s.pcap" % (d, name))]
under = {}
for p in rdpcap(d + "/underlay.pcap"):
    if IP in p and p[IP].src == "10.255.0.1" and UDP in p:
        raw = bytes(p[UDP].payload)
        vni, inner = int.from_bytes(raw[4:7], "big"), raw[8:]
        assert inner[12:14] != b"\x81\x00", "tagged inner frame"
        for tag in (b"red-out", b"blue-out"):
            if inner.endswith(tag):
                under.setdefault(tag, []).append(vni)
assert under.get(b"red-out") == [100], "VLAN 10 left as %s" % under.get(b"red-out")
assert under.get(b"blue-out") == [200], "VLAN 20 left as %s" % under.get(b"blue-out")
sent = dict(line.split() for line in open(d + "/sent.txt"))
srv0, srv1 = frames("srv0"), frames("srv1")
def tagged(hexframe, vid):
    f = bytes.fromhex(hexframe)
    return f[:12] + b"\x81\x00" + vid.to_bytes(2, "big") + f[12:]
assert srv0.count(tagged(sent["red-back"], 10)) == 1, "red frame not back on VLAN 10 exactly"
assert srv0.count(tagged(sent["blue-back"], 20)) == 1, "blue frame not back on VLAN 20 exactly"
assert srv0.count(tagged(sent["blue-bcast"], 20)) == 1, "blue broadcast not on VLAN 20"
assert srv1.count(bytes.fromhex(sent["blue-bcast"])) == 1, "blue broadcast not on server1"
assert srv1.count(bytes.fromhex(sent["red-back"])) + srv1.count(bytes.fromhex(sent["blue-back"])) == 0, \
    "known unicast flooded to server1"
assert not any(f.endswith((b"red-out", b"blue-out")) for f in srv0), "a frame came back to its ingress port"
assert sum(f.endswith(b"blue-out") for f in srv1) == 1, "blue broadcast not flooded to server1"
assert not any(f.endswith(b"red-out") for f in srv1), "red crossed into blue"
for f in srv0:
    if f.endswith((b"red-back",)):
        assert f[14:16] == b"\x00\x0a"
    if f.endswith((b"blue-back", b"blue-bcast")):
        assert f[14:16] == b"\x00\x14", "blue frame with tag %s" % f[14:16].hex()
print("vlan ok")
PY

# two FDB entries per MAC, one per segment
sleep 0.6 # LMDB batch
if [ -n "${VTEPCTL:-}" ]; then
	"$VTEPCTL" -c "$TEST_DIR/gw.conf" show fdb >"$TEST_DIR/fdb.txt" || fail "vtepctl show fdb"
	cat "$TEST_DIR/fdb.txt" >&2
	grep -q "^red *$M *local *server0 *10 " "$TEST_DIR/fdb.txt" || fail "M not in red on VLAN 10"
	grep -q "^blue *$M *local *server0 *20 " "$TEST_DIR/fdb.txt" || fail "M not in blue on VLAN 20"
	grep -q "^red *$R *remote *10.255.0.2 " "$TEST_DIR/fdb.txt" || fail "R not in red"
	grep -q "^blue *$R *remote *10.255.0.2 " "$TEST_DIR/fdb.txt" || fail "R not in blue"
fi
telemetry_get /vtepgw/segments 'd["red"]["macs"] == 2 and d["blue"]["macs"] == 2 and d["red"]["moves"] + d["blue"]["moves"] == 0' |
	grep -q True || fail "segment MAC counts: $(telemetry /vtepgw/segments | tr -d '\n ')"
gw_stop
log "PASS"
