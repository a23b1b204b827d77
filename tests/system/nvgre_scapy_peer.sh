#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# I3 / N1 / N2 / N3: NVGRE against an independent peer. This kernel has no
# gretap, so the peer VTEP is scapy (nvgre_peer.py) with a host behind it.
#
#   srv ns            gw ns (vtepgw)                      peer ns (scapy VTEP 10.255.0.2)
#   srv0 10.10.0.1 -- gwacc [access]  [uplink] gwupl -- pupl 192.168.100.2, lo 10.255.0.2
#                     TAP "uplink0" 192.168.100.1/24       host 10.10.0.2 behind it, VSID 5000
# Checks: ping both ways at 56 and 1400 bytes; the server's frames leave as
# conforming NVGRE (C=0 K=1 S=0, version 0, protocol 0x6558, key VSID<<8 |
# FlowID, inner untagged, FlowID stable per flow and varying between flows);
# NVGRE frames built by scapy reach the server byte for byte.
TEST_NAME=nvgre
. "$(dirname "$0")/lib.sh"

SRV=$(netns_add srv)
GW=$(netns_add gw)
PEER=$(netns_add peer)
VSID=5000
HOST_MAC=02:00:00:00:50:02

veth_pair "$SRV" srv0 "$GW" gwacc
veth_pair "$GW" gwupl "$PEER" pupl
dpdk_owned "$GW" gwacc
dpdk_owned "$GW" gwupl
ip -n "$SRV" addr add 10.10.0.1/24 dev srv0
ip -n "$SRV" link set srv0 mtu 1450
ip -n "$PEER" addr add 192.168.100.2/24 dev pupl
ip -n "$PEER" addr add 10.255.0.2/32 dev lo
ip -n "$PEER" route add 10.255.0.1/32 via 192.168.100.1
# the peer's kernel has no GRE: keep it from answering each packet
ip netns exec "$PEER" sysctl -qw net.ipv4.icmp_ratelimit=100000

{
	gw_conf_head "10.255.0.1"
	cat <<CONF
ports = (
  { name = "server0"; role = "access"; device = "net_af_packet0,iface=gwacc"; },
  { name = "uplink0"; role = "uplink"; device = "net_af_packet1,iface=gwupl";
    addresses = [ "192.168.100.1/24" ]; }
);
segments = (
  { name = "tenant-a"; vsid = $VSID; members = ( { port = "server0"; } );
    flood = [ "10.255.0.2" ]; }
);
CONF
} >"$TEST_DIR/gw.conf"
"$VTEPGW" --check-config "$TEST_DIR/gw.conf" >/dev/null || fail "config refused"
gw_start "$GW" "$TEST_DIR/gw.conf"
ip -n "$GW" route add 10.255.0.2/32 via 192.168.100.2 dev uplink0
GW_MAC=$(uplink_mac "$GW" uplink0)
SRV_MAC=$(ip -n "$SRV" -br link show srv0 | awk '{print $3}')
PEER_ARGS=(pupl "$GW_MAC" 10.255.0.2 10.255.0.1 "$VSID" 10.10.0.2 "$HOST_MAC")

capture_start "$PEER" pupl "$TEST_DIR/underlay.pcap" ip proto 47
CAPTURE_DIRECTION=in capture_start "$SRV" srv0 "$TEST_DIR/server.pcap"
ip netns exec "$PEER" "$PY" "$LIB_DIR/nvgre_peer.py" respond "${PEER_ARGS[@]}" &
capture_wait_ready

wait_for 10 ip netns exec "$SRV" ping -c1 -W1 10.10.0.2 || fail "no first ping srv -> host"
for size in 56 1400; do
	ip netns exec "$SRV" ping -c3 -i0.2 -W2 -s "$size" 10.10.0.2 >>"$TEST_DIR/ping.txt" ||
		fail "ping srv -> host, $size bytes"
done
grep rtt "$TEST_DIR/ping.txt" >&2 || true
ip netns exec "$PEER" "$PY" "$LIB_DIR/nvgre_peer.py" ping "${PEER_ARGS[@]}" 10.10.0.1 "$SRV_MAC" \
	56 1400 >&2 || fail "ping host -> srv over NVGRE"
udp_flows "$SRV" 10.10.0.2 16 || fail "udp flows"

# frames from an independent encoder reach the server exactly
ip netns exec "$PEER" "$PY" -c "
import sys, socket
sys.path.insert(0, '$LIB_DIR')
from nvgre_peer import nvgre
from scapy.all import Ether, IP, UDP, Raw
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('pupl', 0))
for n, size in enumerate((18, 300, 1380)):
    inner = bytes(Ether(src='$HOST_MAC', dst='$SRV_MAC') / IP(src='10.10.0.2', dst='10.10.0.1', tos=0x28) /
                  UDP(sport=7000 + n, dport=9) / Raw((bytes(range(256)) * 6)[:size]))
    s.send(nvgre('$GW_MAC', '10.255.0.2', '10.255.0.1', $VSID, inner, flow_id=n * 40))
    print(inner.hex())
" >"$TEST_DIR/sent.hex" || fail "scapy send"
sleep 0.5
capture_stop_all

"$PY" - "$TEST_DIR" "$VSID" <<'PY' || fail "capture check"
import sys
from scapy.all import rdpcap, IP, UDP, Ether
d, vsid = sys.argv[1], int(sys.argv[2])
n, flows, flow_ids = 0, {}, set()
for p in rdpcap(d + "/underlay.pcap"):
    if IP not in p or p[IP].src != "10.255.0.1" or p[IP].proto != 47:
        continue
    n += 1
    raw = bytes(p[IP].payload)
    flags_ver, proto, key = int.from_bytes(raw[0:2], "big"), raw[2:4], int.from_bytes(raw[4:8], "big")
    assert flags_ver == 0x2000, "GRE flags/version %#06x (want C=0 K=1 S=0 ver 0)" % flags_ver
    assert proto == b"\x65\x58", proto.hex()
    assert key >> 8 == vsid, "VSID %d" % (key >> 8)
    assert p[IP].flags.DF and p[IP].ttl == 64
    inner = Ether(raw[8:])
    assert inner.type != 0x8100, "inner frame tagged"
    if UDP in inner and inner[UDP].dport in range(5000, 5016):
        flows.setdefault((inner[IP].src, inner[IP].dst, inner[UDP].sport, inner[UDP].dport), set()).add(key & 0xFF)
    flow_ids.add(key & 0xFF)
assert n >= 10, "only %d NVGRE packets from us" % n
assert len(flows) == 16, "flows seen: %d" % len(flows)
assert all(len(f) == 1 for f in flows.values()), "FlowID not stable per flow"
assert len({next(iter(f)) for f in flows.values()}) >= 2, "one FlowID for 16 flows"
got = [bytes(p) for p in rdpcap(d + "/server.pcap")]
for line in open(d + "/sent.hex"):
    want = bytes.fromhex(line.strip())
    assert got.count(want) == 1, "scapy's inner frame of %d bytes not delivered exactly once" % len(want)
print("nvgre ok: %d packets, %d flows, %d FlowIDs" % (n, len(flows), len(flow_ids)))
PY
telemetry_get /vtepgw/vteps 'd["10_255_0_2"]["tx_packets"] > 0 and d["10_255_0_2"]["rx_packets"] > 0' |
	grep -q True || fail "VTEP counters"
telemetry_get /vtepgw/drops 'sum(v for k, v in d.items() if k.startswith("nvgre_") or k.startswith("truncated"))' |
	grep -qx 0 || fail "scapy's NVGRE was refused: $(telemetry /vtepgw/drops | tr -d '\n ')"
gw_stop
log "PASS"
