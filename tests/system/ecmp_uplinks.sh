#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 3, ECMP: two uplinks (two TAP twins) and a kernel ECMP route to the
# remote VTEP, one next hop through each uplink; a kernel vxlan peer.
#
#   srv ns            gw ns (vtepgw)                  peer ns                       host ns
#   srv0 10.10.0.1 -- gwacc [server0]
#                     [uplink0] gwu0 -- r0 192.168.100.2   lo 10.255.0.2, br0{vx0,phost} -- hst0 10.10.0.2
#                     [uplink1] gwu1 -- r1 192.168.101.2
# gw ns: 10.255.0.2/32 nexthop via 192.168.100.2 dev uplink0
#                      nexthop via 192.168.101.2 dev uplink1
# Checks: ping both ways; 32 UDP flows spread over both uplinks (counted
# in captures), every flow always on one uplink.
TEST_NAME=ecmp
. "$(dirname "$0")/lib.sh"

SRV=$(netns_add srv)
GW=$(netns_add gw)
PEER=$(netns_add peer)
HOST=$(netns_add host)
veth_pair "$SRV" srv0 "$GW" gwacc
veth_pair "$GW" gwu0 "$PEER" r0
veth_pair "$GW" gwu1 "$PEER" r1
veth_pair "$PEER" phost "$HOST" hst0
for i in gwacc gwu0 gwu1; do dpdk_owned "$GW" $i; done
no_offload "$PEER" r0
no_offload "$PEER" r1
ip -n "$SRV" addr add 10.10.0.1/24 dev srv0
ip -n "$HOST" addr add 10.10.0.2/24 dev hst0
ip -n "$SRV" link set srv0 mtu 1450
ip -n "$HOST" link set hst0 mtu 1450
ip -n "$PEER" addr add 192.168.100.2/24 dev r0
ip -n "$PEER" addr add 192.168.101.2/24 dev r1
ip -n "$PEER" addr add 10.255.0.2/32 dev lo
ip -n "$PEER" route add 10.255.0.1/32 via 192.168.100.1
ip netns exec "$PEER" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.r1.rp_filter=0
ip -n "$PEER" link add vx0 type vxlan id 10030 local 10.255.0.2 dstport 4789 nolearning
ip -n "$PEER" link add br0 type bridge
ip -n "$PEER" link set vx0 master br0
ip -n "$PEER" link set phost master br0
ip -n "$PEER" link set vx0 up
ip -n "$PEER" link set br0 up
ip netns exec "$PEER" bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.255.0.1

{
	gw_conf_head "10.255.0.1"
	cat <<CONF
ports = (
  { name = "server0"; role = "access"; device = "net_af_packet0,iface=gwacc"; },
  { name = "uplink0"; role = "uplink"; device = "net_af_packet1,iface=gwu0";
    addresses = [ "192.168.100.1/24" ]; },
  { name = "uplink1"; role = "uplink"; device = "net_af_packet2,iface=gwu1";
    addresses = [ "192.168.101.1/24" ]; }
);
segments = (
  { name = "ecmp"; vni = 10030; members = ( { port = "server0"; } );
    flood = [ "10.255.0.2" ]; }
);
CONF
} >"$TEST_DIR/gw.conf"
"$VTEPGW" --check-config "$TEST_DIR/gw.conf" >/dev/null || fail "config refused"
gw_start "$GW" "$TEST_DIR/gw.conf"
ip -n "$GW" route add 10.255.0.2/32 nexthop via 192.168.100.2 dev uplink0 \
	nexthop via 192.168.101.2 dev uplink1

capture_start "$PEER" r0 "$TEST_DIR/r0.pcap" udp port 4789
capture_start "$PEER" r1 "$TEST_DIR/r1.pcap" udp port 4789
capture_wait_ready

wait_for 10 ip netns exec "$SRV" ping -c1 -W1 10.10.0.2 || fail "no first ping srv -> host"
for size in 56 1400; do
	ip netns exec "$SRV" ping -c3 -i0.2 -W2 -s "$size" 10.10.0.2 >>"$TEST_DIR/ping.txt" ||
		fail "ping srv -> host, $size bytes"
	ip netns exec "$HOST" ping -c3 -i0.2 -W2 -s "$size" 10.10.0.1 >>"$TEST_DIR/ping.txt" ||
		fail "ping host -> srv, $size bytes"
done
udp_flows "$SRV" 10.10.0.2 32 || fail "udp flows"
udp_flows "$SRV" 10.10.0.2 32 || fail "udp flows (again)"
capture_stop_all

"$PY" - "$TEST_DIR" <<'PY' || fail "ECMP capture check"
import sys
from scapy.all import rdpcap, IP, UDP, Ether
d = sys.argv[1]
flows = {}
per_uplink = {}
for up in ("r0", "r1"):
    for p in rdpcap("%s/%s.pcap" % (d, up)):
        if IP not in p or p[IP].src != "10.255.0.1" or UDP not in p:
            continue
        inner = Ether(bytes(p[UDP].payload)[8:])
        if UDP in inner and 5000 <= inner[UDP].dport < 5032:
            flows.setdefault(inner[UDP].dport, set()).add(up)
            per_uplink[up] = per_uplink.get(up, 0) + 1
assert len(flows) == 32, "flows seen: %d" % len(flows)
split = [f for f, ups in flows.items() if len(ups) != 1]
assert not split, "flows on both uplinks: %s" % split
n = {up: sum(1 for ups in flows.values() if up in ups) for up in ("r0", "r1")}
assert n["r0"] > 0 and n["r1"] > 0, "all flows on one uplink: %s" % n
print("ecmp ok: flows per uplink %s, packets %s" % (n, per_uplink))
PY
gw_stop
log "PASS"
