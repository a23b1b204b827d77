#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# R6: multi-segment (chained) mbufs on every path. The daemon runs with
# VTEPGW_TEST_MBUF_DATA_ROOM=512 and net_pcap ports (whose RX chains frames
# larger than one mbuf; net_tap does the same), so a 1400-byte ping is a
# chain of three segments on encap, decap, flood and punt. Output bytes are
# checked: ping verifies its payload, and a flooded 1200-byte broadcast is
# compared byte for byte on the other access port and inside the VXLAN copy.
#
#   srv ns  srv0 10.10.0.1 -- gwacc0 [server0, net_pcap]   gw ns   [uplink0, net_pcap] gwupl -- pupl (peer ns)
#           srv1           -- gwacc1 [server1, net_pcap]           kernel vxlan peer, host 10.10.0.2 behind it
TEST_NAME=chain
. "$(dirname "$0")/lib.sh"

SRV=$(netns_add srv)
GW=$(netns_add gw)
PEER=$(netns_add peer)
HOST=$(netns_add host)
veth_pair "$SRV" srv0 "$GW" gwacc0
veth_pair "$SRV" srv1 "$GW" gwacc1
veth_pair "$GW" gwupl "$PEER" pupl
veth_pair "$PEER" phost "$HOST" hst0
for i in gwacc0 gwacc1 gwupl; do dpdk_owned "$GW" $i; done
dpdk_owned "$SRV" srv1
no_offload "$PEER" pupl
no_offload "$SRV" srv0
ip -n "$SRV" addr add 10.10.0.1/24 dev srv0
ip -n "$HOST" addr add 10.10.0.2/24 dev hst0
ip -n "$SRV" link set srv0 mtu 1450
ip -n "$HOST" link set hst0 mtu 1450
kernel_vxlan_peer "$PEER" 10040

{
	gw_conf_head "10.255.0.1"
	cat <<CONF
ports = (
  { name = "server0"; role = "access"; device = "net_pcap0,iface=gwacc0"; },
  { name = "server1"; role = "access"; device = "net_pcap1,iface=gwacc1"; },
  { name = "uplink0"; role = "uplink"; device = "net_pcap2,iface=gwupl";
    addresses = [ "192.168.100.1/24" ]; }
);
segments = (
  { name = "chain"; vni = 10040;
    members = ( { port = "server0"; }, { port = "server1"; } );
    flood = [ "10.255.0.2" ]; }
);
CONF
} >"$TEST_DIR/gw.conf"
export VTEPGW_TEST_MBUF_DATA_ROOM=512
gw_start "$GW" "$TEST_DIR/gw.conf"
grep -q "mbuf data room 512" "$TEST_DIR/vtepgw.log" || fail "test data room not applied"
ip -n "$GW" route add 10.255.0.2/32 via 192.168.100.2 dev uplink0

capture_start "$PEER" pupl "$TEST_DIR/underlay.pcap" udp port 4789
CAPTURE_DIRECTION=in capture_start "$SRV" srv1 "$TEST_DIR/srv1.pcap"
capture_wait_ready

wait_for 10 ip netns exec "$SRV" ping -c1 -W1 10.10.0.2 || fail "no first ping srv -> host"
# encap and decap with chains (ping checks the echoed payload)
for size in 56 1400; do
	ip netns exec "$SRV" ping -c3 -i0.2 -W2 -s "$size" -p a55a 10.10.0.2 >>"$TEST_DIR/ping.txt" ||
		fail "ping srv -> host, $size bytes"
	ip netns exec "$HOST" ping -c3 -i0.2 -W2 -s "$size" -p 5aa5 10.10.0.1 >>"$TEST_DIR/ping.txt" ||
		fail "ping host -> srv, $size bytes"
done
grep -q "wrong data" "$TEST_DIR/ping.txt" && fail "ping payload corrupted"
# punt (uplink -> TAP) and TAP -> uplink with chains
ip netns exec "$PEER" ping -c3 -i0.2 -W2 -s 1400 -p 3cc3 192.168.100.1 >>"$TEST_DIR/ping.txt" ||
	fail "ping of the uplink address (punt path), 1400 bytes"
# flood a 1200-byte broadcast: to server1 and to the VTEP
ip netns exec "$SRV" "$PY" - >"$TEST_DIR/flood.hex" <<'PY' || fail "scapy send"
from scapy.all import Ether, IP, UDP, Raw, sendp, conf
conf.verb = 0
f = Ether(src="02:00:00:00:40:01", dst="ff:ff:ff:ff:ff:ff") / IP(src="10.10.0.1", dst="10.10.0.255") / \
    UDP(sport=9, dport=9) / Raw(bytes((i * 13) & 0xFF for i in range(1200)))
sendp(f, iface="srv0")
print(bytes(f).hex())
PY
sleep 0.3
capture_stop_all
"$PY" - "$TEST_DIR" <<'PY' || fail "flood check"
import sys
from scapy.all import rdpcap, IP, UDP
d = sys.argv[1]
want = bytes.fromhex(open(d + "/flood.hex").read().strip())
local = [bytes(p) for p in rdpcap(d + "/srv1.pcap")]
assert local.count(want) == 1, "flooded chain not delivered exactly on server1"
enc = [bytes(p[UDP].payload)[8:] for p in rdpcap(d + "/underlay.pcap")
       if IP in p and UDP in p and p[IP].src == "10.255.0.1"]
assert enc.count(want) == 1, "flooded chain not encapsulated exactly"
big = [len(f) for f in enc if len(f) > 1000]
assert big, "no large encapsulated frame"
print("chained ok: %d large encapsulated frames" % len(big))
PY
telemetry_get /vtepgw/drops 'sum(d.values())' >"$TEST_DIR/drops.txt"
telemetry_get /vtepgw/drops '{k: v for k, v in d.items() if v}' >&2
telemetry_get /vtepgw/drops 'd["oversize"] + d["encap_failed"] + d["no_mbuf"] + d["truncated_frame"]' |
	grep -qx 0 || fail "chained frames dropped"
gw_stop
log "PASS"
