#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 3, several workers: dpdk.lcores = "0@0,1@1,2@1" (the control lcore
# and two workers on a 2-CPU machine), net_af_packet ports with qpairs=2
# (a PACKET_FANOUT_HASH group of two sockets per port), a kernel vxlan peer.
#
#   s0..s3 ns (servers)     srv ns         gw ns (vtepgw)                 peer ns
#   eth0 10.10.0.1x -- p0..p3 sbr srv0 -- gwacc [server0]
#                                          [uplink0] gwupl -- pupl 192.168.100.2
#                                                   lo 10.255.0.2, br0{vx0, q0..q3}
#   h0..h3 ns (hosts): eth0 10.10.0.2x -- q0..q3 (peer's br0)
# Checks: pings between every server and every host; 32 UDP flows each way,
# every datagram delivered; both workers receive a share of the access
# side's and of the uplink's frames (/vtepgw/stats workerN_rx_packets);
# the segment holds exactly the 8 MACs; no drop; SIGTERM stops cleanly.
TEST_NAME=mworker
. "$(dirname "$0")/lib.sh"

N_PAIRS=4
N_FLOWS=32
DATAGRAMS=5

# quiet_netns NAME: a namespace that sends nothing unasked (no IPv6, no
# IGMP reports from bridges and vxlan devices), so that the segment learns
# exactly the servers' and hosts' MACs.
quiet_netns() {
	local ns
	ns=$(netns_add "$1")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 net.ipv4.igmp_link_local_mcast_reports=0
	echo "$ns"
}

SRV=$(quiet_netns srv)
GW=$(netns_add gw)
PEER=$(quiet_netns peer)
veth_pair "$SRV" srv0 "$GW" gwacc
veth_pair "$GW" gwupl "$PEER" pupl
dpdk_owned "$GW" gwacc
dpdk_owned "$GW" gwupl
no_offload "$PEER" pupl
ip -n "$SRV" link add sbr type bridge
ip -n "$SRV" link set srv0 master sbr
ip -n "$SRV" link set sbr up

ip -n "$PEER" addr add 192.168.100.2/24 dev pupl
ip -n "$PEER" addr add 10.255.0.2/32 dev lo
ip -n "$PEER" route add 10.255.0.1/32 via 192.168.100.1
ip -n "$PEER" link add vx0 type vxlan id 10040 local 10.255.0.2 dstport 4789 nolearning
ip -n "$PEER" link add br0 type bridge
ip -n "$PEER" link set vx0 master br0
ip -n "$PEER" link set vx0 up
ip -n "$PEER" link set br0 up
ip netns exec "$PEER" bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.255.0.1

SERVERS=()
HOSTS=()
for k in $(seq 0 $((N_PAIRS - 1))); do
	s=$(quiet_netns "s$k")
	h=$(quiet_netns "h$k")
	SERVERS+=("$s")
	HOSTS+=("$h")
	veth_pair "$s" eth0 "$SRV" "p$k"
	veth_pair "$h" eth0 "$PEER" "q$k"
	ip -n "$SRV" link set "p$k" master sbr
	ip -n "$PEER" link set "q$k" master br0
	no_offload "$s" eth0 # full UDP checksums: the receiving kernel checks them
	no_offload "$h" eth0
	ip -n "$s" link set eth0 mtu 1450
	ip -n "$h" link set eth0 mtu 1450
	ip -n "$s" addr add "10.10.0.1$k/24" dev eth0
	ip -n "$h" addr add "10.10.0.2$k/24" dev eth0
done

gw_conf_head "10.255.0.1" | sed 's/lcores = "0-1";/lcores = "0@0,1@1,2@1";/' >"$TEST_DIR/gw.conf"
cat >>"$TEST_DIR/gw.conf" <<CONF
ports = (
  { name = "server0"; role = "access"; device = "net_af_packet0,iface=gwacc,qpairs=2"; },
  { name = "uplink0"; role = "uplink"; device = "net_af_packet1,iface=gwupl,qpairs=2";
    addresses = [ "192.168.100.1/24" ]; }
);
segments = (
  { name = "multi"; vni = 10040; members = ( { port = "server0"; } );
    flood = [ "10.255.0.2" ]; learning = "dataplane"; }
);
CONF
grep -q 'lcores = "0@0,1@1,2@1"' "$TEST_DIR/gw.conf" || fail "lcores not set"
"$VTEPGW" --check-config "$TEST_DIR/gw.conf" >/dev/null || fail "config refused"
gw_start "$GW" "$TEST_DIR/gw.conf"
ip -n "$GW" route add 10.255.0.2/32 via 192.168.100.2 dev uplink0
[ "$(telemetry_get /vtepgw/stats 'd["workers"]')" = 2 ] || fail "not 2 workers"

# Every server pings every host and back (ARP everywhere, 8 MACs learned).
wait_for 10 ip netns exec "${SERVERS[0]}" ping -c1 -W1 10.10.0.20 ||
	fail "no first ping s0 -> h0"
pids=()
for k in $(seq 0 $((N_PAIRS - 1))); do
	for j in $(seq 0 $((N_PAIRS - 1))); do
		ip netns exec "${SERVERS[$k]}" ping -q -c3 -i0.2 -W2 "10.10.0.2$j" \
			>>"$TEST_DIR/ping.txt" 2>&1 &
		pids+=($!)
		ip netns exec "${HOSTS[$j]}" ping -q -c3 -i0.2 -W2 "10.10.0.1$k" \
			>>"$TEST_DIR/ping.txt" 2>&1 &
		pids+=($!)
	done
done
for p in "${pids[@]}"; do wait "$p" || fail "a ping failed ($(grep -c ' 0% packet loss' "$TEST_DIR/ping.txt") of ${#pids[@]} ok)"; done

# flows.py recv OUT SECONDS: count datagrams per port 5000..5000+N_FLOWS-1.
# flows.py send K DST_PREFIX: flows i with i % N_PAIRS == K, from port
# 40000+i to DST_PREFIX<K>:5000+i, DATAGRAMS each.
cat >"$TEST_DIR/flows.py" <<PY
import json, select, socket, sys, time
n_flows, n_pairs, datagrams = $N_FLOWS, $N_PAIRS, $DATAGRAMS
if sys.argv[1] == "recv":
    socks = {}
    for i in range(n_flows):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("", 5000 + i))
        socks[s.fileno()] = (s, i)
    counts = {}
    end = time.time() + float(sys.argv[3])
    open(sys.argv[2] + ".ready", "w").close()
    while time.time() < end:
        ready, _, _ = select.select([s for s, _ in socks.values()], [], [], 0.2)
        for s in ready:
            s.recv(2048)
            i = socks[s.fileno()][1]
            counts[i] = counts.get(i, 0) + 1
    json.dump(counts, open(sys.argv[2], "w"))
else:
    k, prefix = int(sys.argv[2]), sys.argv[3]
    for i in range(k, n_flows, n_pairs):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("", 40000 + i))
        for _ in range(datagrams):
            s.sendto(b"flow %d" % i, ("%s%d" % (prefix, k), 5000 + i))
            time.sleep(0.002)
        s.close()
PY

worker_rx() {
	telemetry_get /vtepgw/stats '"%d %d" % (d["worker0_rx_packets"], d["worker1_rx_packets"])'
}

# udp_phase NAME SENDERS RECEIVERS DST_PREFIX: N_FLOWS flows from the
# senders to the receivers; prints "w0 w1", the frames each worker
# received meanwhile.
udp_phase() {
	local name="$1" dst="$4" k before after
	local -n senders="$2" receivers="$3"
	for k in $(seq 0 $((N_PAIRS - 1))); do
		ip netns exec "${receivers[$k]}" "$PY" "$TEST_DIR/flows.py" recv \
			"$TEST_DIR/$name.$k.json" 4 &
	done
	for k in $(seq 0 $((N_PAIRS - 1))); do
		wait_for 5 test -e "$TEST_DIR/$name.$k.json.ready" || fail "$name: receiver $k"
	done
	before=$(worker_rx)
	for k in $(seq 0 $((N_PAIRS - 1))); do
		ip netns exec "${senders[$k]}" "$PY" "$TEST_DIR/flows.py" send "$k" "$dst" &
	done
	for k in $(seq 0 $((N_PAIRS - 1))); do
		wait_for 10 test -e "$TEST_DIR/$name.$k.json" || fail "$name: no result from $k"
	done
	sleep 0.5
	after=$(worker_rx)
	"$PY" - "$TEST_DIR" "$name" "$N_PAIRS" "$N_FLOWS" "$DATAGRAMS" <<'CHECK' || fail "$name: flows lost"
import json, sys
d, name, pairs, flows, datagrams = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
got = {}
for k in range(pairs):
    for i, n in json.load(open("%s/%s.%d.json" % (d, name, k))).items():
        got[int(i)] = got.get(int(i), 0) + n
bad = {i: got.get(i, 0) for i in range(flows) if got.get(i, 0) != datagrams}
assert not bad, "flows not delivered %d times: %s" % (datagrams, bad)
CHECK
	set -- $before $after
	echo "$(($3 - $1)) $(($4 - $2))"
}

# both_workers NAME "W0 W1": each worker received at least 10% of the frames.
both_workers() {
	set -- "$1" $2
	local total=$(($2 + $3))
	[ "$total" -ge $((N_FLOWS * DATAGRAMS)) ] || fail "$1: only $total frames received"
	[ $(($2 * 10)) -ge "$total" ] && [ $(($3 * 10)) -ge "$total" ] ||
		fail "$1: one worker got almost nothing: worker0 $2, worker1 $3"
	log "$1: worker0 $2 frames, worker1 $3 frames"
}

# servers -> hosts: the access port's fanout spreads the flows.
split=$(udp_phase to_hosts SERVERS HOSTS 10.10.0.2)
both_workers "access side (servers -> hosts)" "$split"
# hosts -> servers: the uplink's fanout spreads the VXLAN frames (the peer
# gives every inner flow its own outer UDP source port).
split=$(udp_phase to_servers HOSTS SERVERS 10.10.0.1)
both_workers "uplink side (hosts -> servers)" "$split"

# Learning from both workers converged: the 4 servers and the 4 hosts.
wait_for 3 test "$(telemetry_get /vtepgw/segments 'd["multi"]["macs"]')" = 8 ||
	fail "segment has $(telemetry_get /vtepgw/segments 'd["multi"]["macs"]') MACs, not 8: $(telemetry_get /vtepgw/fdb '" ".join(v["mac"] + "@" + v["dest"] for k, v in d.items() if k != "next")')"
# Nothing dropped but the first frames towards a VTEP still resolving, and
# at most one not_our_mac: one of our own ARP frames (source = the uplink's
# MAC) is sometimes seen back on the uplink's RX, with one worker as well
# (a known issue, not of the worker count).
drops=$(telemetry_get /vtepgw/drops \
	'" ".join("%s=%d" % (k, v) for k, v in sorted(d.items()) if v and k != "vtep_unresolved" and not (k == "not_our_mac" and v <= 1))')
[ -z "$drops" ] || fail "unexpected drops: $drops"
unresolved=$(telemetry_get /vtepgw/drops 'd["vtep_unresolved"]')
[ "$unresolved" -le 20 ] || fail "$unresolved frames dropped as vtep_unresolved"

gw_alive
kill -TERM "$GW_PID"
rc=0
wait "$GW_PID" || rc=$?
GW_PID=""
[ "$rc" -eq 0 ] || fail "vtepgw exited with $rc on SIGTERM"
grep -q "writing learned state" "$TEST_DIR/vtepgw.log" || fail "no orderly stop"
log "PASS"
