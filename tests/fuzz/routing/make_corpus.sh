#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Regenerate the seed corpus of fuzz_netlink_feed: real rtnetlink dump
# replies (links, addresses, routes with ECMP, neighbours, bridge FDB of a
# vxlan device) from a throw-away network namespace. Needs root.
set -eu
out=$(cd "$(dirname "$0")" && pwd)/corpus
mkdir -p "$out"
exec unshare -n sh -eu -c '
ip link set lo up
ip link add fz0 type veth peer name fz1
ip link set fz0 up; ip link set fz1 up
ip addr add 10.1.0.1/24 dev fz0
ip -6 addr add 2001:db8::1/64 dev fz0 nodad
ip route add 10.9.0.0/16 nexthop via 10.1.0.2 dev fz0 weight 1 nexthop via 10.1.0.3 dev fz0 weight 3
ip -6 route add 2001:db8:9::/48 via 2001:db8::2 dev fz0
ip neigh add 10.1.0.2 lladdr 02:00:00:00:00:02 dev fz0 nud permanent
ip link add br9 type bridge; ip link set br9 up
ip link add vx9 type vxlan id 9 local 10.1.0.1 dstport 4789 nolearning
ip link set vx9 master br9; ip link set vx9 up
bridge fdb append 00:00:00:00:00:00 dev vx9 dst 10.1.0.9
bridge fdb add 02:00:00:00:00:09 dev vx9 dst 10.1.0.9 self extern_learn
/usr/bin/python3 - "'"$out"'" <<PY
import socket, struct, sys
out = sys.argv[1]
RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH = 18, 22, 26, 30
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
requests = [("link", RTM_GETLINK, 0), ("addr", RTM_GETADDR, 0),
            ("route4", RTM_GETROUTE, socket.AF_INET), ("route6", RTM_GETROUTE, socket.AF_INET6),
            ("neigh", RTM_GETNEIGH, socket.AF_INET), ("fdb", RTM_GETNEIGH, socket.AF_BRIDGE)]
for name, kind, family in requests:
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    body = struct.pack("Bxxx", family) + bytes(12 if kind != RTM_GETNEIGH else 8)
    if kind == RTM_GETROUTE:
        body = struct.pack("BBBBBBBBI", family, 0, 0, 0, 0, 0, 0, 0, 0)
    msg = struct.pack("=IHHII", 16 + len(body), kind, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body
    s.send(msg)
    n = 0
    while True:
        data = s.recv(65536)
        done, off = False, 0
        while off + 16 <= len(data):  # NLMSG_DONE may share a buffer with data
            mlen, mtype = struct.unpack_from("=IH", data, off)
            if mtype == 3 or mlen < 16:
                done = True
                break
            off += (mlen + 3) & ~3
        if off:
            open(f"{out}/{name}-{n}", "wb").write(data[:off])
            n += 1
        if done:
            break
    s.close()
PY
'
