#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# I2 / V1 / V2 / V4: a server behind vtepgw and a host behind a Linux kernel
# VXLAN VTEP, static flood lists, no BGP.
#
#   srv ns            gw ns (vtepgw)                      peer ns                 host ns
#   srv0 10.10.0.1 -- gwacc [access]  [uplink] gwupl -- pupl 192.168.100.2   br0{vx0,phost} -- hst0 10.10.0.2
#                     TAP "uplink0" 192.168.100.1/24          lo 10.255.0.2 (VTEP)
#                     VTEP 10.255.0.1                         vx0 VNI 10010
# The underlay: a static route in the gateway's namespace through the TAP
# twin, resolved by the kernel's ARP. Checks: ping both ways at 56 and 1400
# bytes; on the underlay, VNI, UDP port 4789, flags 0x08, and distinct UDP
# source ports for distinct inner flows.
TEST_NAME=vxlan
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

ip -n "$PEER" addr add 192.168.100.2/24 dev pupl
ip -n "$PEER" addr add 10.255.0.2/32 dev lo
ip -n "$PEER" route add 10.255.0.1/32 via 192.168.100.1
ip -n "$PEER" link add vx0 type vxlan id 10010 local 10.255.0.2 dstport 4789 nolearning
ip -n "$PEER" link add br0 type bridge
ip -n "$PEER" link set vx0 master br0
ip -n "$PEER" link set phost master br0
ip -n "$PEER" link set vx0 up
ip -n "$PEER" link set br0 up
ip netns exec "$PEER" bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.255.0.1

cat >"$TEST_DIR/gw.conf" <<CONF
gateway = {
  name = "gw-test";
  vtep_ipv4 = "10.255.0.1";
  mac_aging = 300;
  lmdb_path = "$TEST_DIR/lmdb";
  lmdb_map_size = "16M";
};
dpdk = {
  lcores = "0-1";
  eal_args = [ "--no-huge", "--no-pci", "-m", "256", "--log-level=lib.eal:error" ];
  mbufs = 4095;
};
ports = (
  { name = "server0"; role = "access"; device = "net_af_packet0,iface=gwacc"; },
  { name = "uplink0"; role = "uplink"; device = "net_af_packet1,iface=gwupl";
    addresses = [ "192.168.100.1/24" ]; }
);
segments = (
  { name = "web"; vni = 10010; members = ( { port = "server0"; } );
    flood = [ "10.255.0.2" ]; learning = "dataplane"; }
);
CONF

"$VTEPGW" --check-config "$TEST_DIR/gw.conf" >/dev/null || fail "config refused"
gw_start "$GW" "$TEST_DIR/gw.conf"
ip -n "$GW" link show uplink0 >/dev/null || fail "no TAP twin uplink0"
ip -n "$GW" route add 10.255.0.2/32 via 192.168.100.2 dev uplink0

# capture the underlay on the peer side
ip netns exec "$PEER" tcpdump -U -q -i pupl -w "$TEST_DIR/underlay.pcap" udp port 4789 \
	>/dev/null 2>&1 &
TCPDUMP_PID=$!
sleep 1

wait_for 10 ip netns exec "$SRV" ping -c1 -W1 10.10.0.2 || fail "no first ping srv -> host"
for size in 56 1400; do
	ip netns exec "$SRV" ping -c3 -i0.2 -W2 -s "$size" 10.10.0.2 >"$TEST_DIR/ping.txt" ||
		fail "ping srv -> host, $size bytes"
	ip netns exec "$HOST" ping -c3 -i0.2 -W2 -s "$size" 10.10.0.1 >>"$TEST_DIR/ping.txt" ||
		fail "ping host -> srv, $size bytes"
done
grep -E "rtt" "$TEST_DIR/ping.txt" | head -2 >&2 || true
# 16 distinct UDP flows from the server
for port in $(seq 5000 5015); do
	ip netns exec "$SRV" bash -c "echo flow > /dev/udp/10.10.0.2/$port" || true
done
sleep 1
kill "$TCPDUMP_PID" 2>/dev/null || true
sleep 0.5

"$PY" - "$TEST_DIR/underlay.pcap" <<'PY' || fail "underlay capture check"
import sys
from scapy.all import rdpcap, IP, UDP, VXLAN
sports, n = set(), 0
for p in rdpcap(sys.argv[1]):
    if IP not in p or UDP not in p or p[IP].src != "10.255.0.1":
        continue
    n += 1
    assert p[UDP].dport == 4789, p[UDP].dport
    raw = bytes(p[UDP].payload)
    assert raw[0] == 0x08, "flags %#x" % raw[0]
    assert raw[1:4] == b"\0\0\0" and raw[7] == 0, "reserved bits set"
    assert int.from_bytes(raw[4:7], "big") == 10010, "VNI"
    assert p[IP].flags.DF, "DF not set"
    assert 49152 <= p[UDP].sport <= 65535, p[UDP].sport
    sports.add(p[UDP].sport)
assert n >= 10, "only %d encapsulated packets from us" % n
assert len(sports) >= 2, "one UDP source port for all flows"
print("underlay ok: %d packets, %d source ports" % (n, len(sports)))
PY

# counters: traffic went both ways through the VTEP and the segment
telemetry_get /vtepgw/vteps 'd["10_255_0_2"]["resolved"] == 1 and d["10_255_0_2"]["tx_packets"] > 0 and d["10_255_0_2"]["rx_packets"] > 0' |
	grep -q True || fail "VTEP counters"
telemetry_get /vtepgw/segments 'd["web"]["macs"] >= 2' | grep -q True || fail "MACs not learned"

# V5/V6 robustness: bad VXLAN from the peer is dropped with its own counter
# and the daemon keeps forwarding.
GW_MAC=$(ip -n "$GW" -br link show uplink0 | awk '{print $3}')
drops_before=$(telemetry /vtepgw/drops)
ip netns exec "$PEER" "$PY" - "$GW_MAC" <<'PY' || fail "scapy send"
import sys
from scapy.all import Ether, IP, UDP, VXLAN, sendp, conf
conf.verb = 0
outer = Ether(dst=sys.argv[1]) / IP(src="10.255.0.2", dst="10.255.0.1") / UDP(sport=50000, dport=4789)
inner = Ether(src="02:00:00:00:00:99", dst="ff:ff:ff:ff:ff:ff") / IP() / UDP()
sendp(outer / VXLAN(flags=0x00, vni=10010) / inner, iface="pupl", count=3)   # I flag clear
sendp(outer / VXLAN(vni=77) / inner, iface="pupl", count=2)                  # unknown VNI
sendp(Ether(dst=sys.argv[1]) / IP(src="10.255.0.2", dst="10.255.0.1", ihl=4) / UDP(), iface="pupl", count=1)
PY
sleep 0.5
telemetry_get /vtepgw/drops 'd["vxlan_i_flag_clear"] >= 3 and d["unknown_segment"] >= 2 and d["ipv4_bad_ihl"] >= 1' |
	grep -q True || fail "drop counters did not move: $(telemetry /vtepgw/drops | tr -d '\n ')"
ip netns exec "$SRV" ping -c1 -W2 10.10.0.2 >/dev/null || fail "no forwarding after bad packets"

# Learned MACs survive a restart (LMDB)
gw_stop
gw_start "$GW" "$TEST_DIR/gw.conf"
telemetry_get /vtepgw/segments 'd["web"]["macs"] >= 2' | grep -q True || fail "FDB not restored"
telemetry_get /vtepgw/fdb 'sum(1 for e in d.values() if isinstance(e, dict) and e["origin"] == "learned")' |
	grep -qv '^0$' || fail "no learned entry after restart"
gw_stop
log "PASS"
