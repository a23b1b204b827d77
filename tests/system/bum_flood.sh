#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# B3 / issue 3: BUM head-end replication and split horizon. One segment with
# three local access members and a flood list of three VTEPs (scapy
# listeners on one peer namespace).
#
#   srv ns  s0,s1,s2 -- gwacc0..2 [server0..2]  gw ns  [uplink0] gwupl -- pupl (peer ns)
#                                                        VTEPs 10.255.0.2, .3, .4 on lo
# Checks: an ARP broadcast (and an unknown unicast) from s0 reaches every
# flood-list VTEP exactly once and s1, s2 exactly once, never s0; a
# broadcast from a VTEP reaches s0, s1, s2 once each and is never
# encapsulated again (split horizon).
TEST_NAME=bum
. "$(dirname "$0")/lib.sh"

SRV=$(netns_add srv)
GW=$(netns_add gw)
PEER=$(netns_add peer)
for i in 0 1 2; do
	veth_pair "$SRV" s$i "$GW" gwacc$i
	dpdk_owned "$GW" gwacc$i
	dpdk_owned "$SRV" s$i
done
veth_pair "$GW" gwupl "$PEER" pupl
dpdk_owned "$GW" gwupl
ip -n "$PEER" addr add 192.168.100.2/24 dev pupl
for v in 2 3 4; do ip -n "$PEER" addr add 10.255.0.$v/32 dev lo; done
ip netns exec "$PEER" sysctl -qw net.ipv4.icmp_ratelimit=100000

{
	gw_conf_head "10.255.0.1"
	cat <<CONF
ports = (
  { name = "server0"; role = "access"; device = "net_af_packet0,iface=gwacc0"; },
  { name = "server1"; role = "access"; device = "net_af_packet1,iface=gwacc1"; },
  { name = "server2"; role = "access"; device = "net_af_packet2,iface=gwacc2"; },
  { name = "uplink0"; role = "uplink"; device = "net_af_packet3,iface=gwupl";
    addresses = [ "192.168.100.1/24" ]; }
);
segments = (
  { name = "bum"; vni = 300;
    members = ( { port = "server0"; }, { port = "server1"; }, { port = "server2"; } );
    flood = [ "10.255.0.2", "10.255.0.3", "10.255.0.4" ]; }
);
CONF
} >"$TEST_DIR/gw.conf"
"$VTEPGW" --check-config "$TEST_DIR/gw.conf" >/dev/null || fail "config refused"
gw_start "$GW" "$TEST_DIR/gw.conf"
for v in 2 3 4; do ip -n "$GW" route add 10.255.0.$v/32 via 192.168.100.2 dev uplink0; done
ip netns exec "$GW" ping -c1 -W2 192.168.100.2 >/dev/null || fail "underlay ping"
wait_for 5 telemetry_get /vtepgw/vteps 'sum(v["resolved"] for v in d.values()) == 3 or exit(1)' ||
	fail "VTEPs not resolved: $(telemetry /vtepgw/vteps | tr -d '\n ')"
GW_MAC=$(uplink_mac "$GW" uplink0)

capture_start "$PEER" pupl "$TEST_DIR/underlay.pcap" udp port 4789
for i in 0 1 2; do CAPTURE_DIRECTION=in capture_start "$SRV" s$i "$TEST_DIR/s$i.pcap"; done
capture_wait_ready

ip netns exec "$SRV" "$PY" - <<'PY' || fail "scapy send (server)"
from scapy.all import Ether, ARP, IP, UDP, Raw, sendp, conf
conf.verb = 0
sendp(Ether(src="02:00:00:00:30:01", dst="ff:ff:ff:ff:ff:ff") /
      ARP(hwsrc="02:00:00:00:30:01", psrc="10.30.0.1", pdst="10.30.0.77"), iface="s0")
sendp(Ether(src="02:00:00:00:30:01", dst="02:00:00:00:99:99") / IP(src="10.30.0.1", dst="10.30.0.99") /
      UDP() / Raw(b"unknown-unicast"), iface="s0")
PY
ip netns exec "$PEER" "$PY" - "$GW_MAC" <<'PY' || fail "scapy send (peer)"
import sys
from scapy.all import Ether, ARP, IP, UDP, VXLAN, sendp, conf
conf.verb = 0
inner = Ether(src="02:00:00:00:30:03", dst="ff:ff:ff:ff:ff:ff") / ARP(
    hwsrc="02:00:00:00:30:03", psrc="10.30.0.3", pdst="10.30.0.88")
sendp(Ether(dst=sys.argv[1]) / IP(src="10.255.0.3", dst="10.255.0.1") / UDP(sport=50001, dport=4789) /
      VXLAN(vni=300) / inner, iface="pupl")
PY
sleep 0.3
capture_stop_all

"$PY" - "$TEST_DIR" <<'PY' || fail "capture check"
import sys
from scapy.all import rdpcap, IP, UDP, Ether, ARP
d = sys.argv[1]
def marker(frame):
    p = Ether(frame)
    if ARP in p:
        return p[ARP].pdst
    return "unknown-unicast" if frame.endswith(b"unknown-unicast") else None
copies = {}
for p in rdpcap(d + "/underlay.pcap"):
    if IP in p and p[IP].src == "10.255.0.1" and UDP in p:
        raw = bytes(p[UDP].payload)
        assert int.from_bytes(raw[4:7], "big") == 300
        copies.setdefault(marker(raw[8:]), []).append(p[IP].dst)
vteps = ["10.255.0.2", "10.255.0.3", "10.255.0.4"]
for m in ("10.30.0.77", "unknown-unicast"):
    assert sorted(copies.get(m, [])) == vteps, "%s replicated to %s" % (m, copies.get(m))
assert "10.30.0.88" not in copies, "overlay broadcast sent back into the overlay: %s" % copies["10.30.0.88"]
local = {i: [marker(bytes(p)) for p in rdpcap("%s/s%d.pcap" % (d, i))] for i in range(3)}
for i in range(3):
    want = {"10.30.0.77": 0 if i == 0 else 1, "unknown-unicast": 0 if i == 0 else 1, "10.30.0.88": 1}
    for m, n in want.items():
        assert local[i].count(m) == n, "s%d got %s %d times" % (i, m, local[i].count(m))
print("bum ok")
PY
telemetry_get /vtepgw/stats 'd["flood_copies"] >= 13' | grep -q True ||
	fail "flood copies: $(telemetry /vtepgw/stats | tr -d '\n ')"
telemetry_get /vtepgw/segments 'd["bum"]["flood"] >= 3' | grep -q True || fail "segment flood count"
gw_stop
log "PASS"
