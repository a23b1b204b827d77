# SPDX-License-Identifier: BSD-3-Clause
"""An NVGRE VTEP (RFC 7637) written with scapy, independent of vtepgw's
encoder: the peer the kernel cannot be (no gretap here).

nvgre_peer.py respond IFACE GW_MAC LOCAL REMOTE VSID HOST_IP HOST_MAC
    Until SIGTERM: a host HOST_IP/HOST_MAC behind VTEP LOCAL; answers ARP
    requests and ICMP echo requests carried in NVGRE from REMOTE.
nvgre_peer.py ping IFACE GW_MAC LOCAL REMOTE VSID HOST_IP HOST_MAC DST_IP DST_MAC SIZE...
    Sends one encapsulated echo request per SIZE from the host to DST and
    waits for each NVGRE-encapsulated reply (exit 1 if one is missing)."""
import errno
import os
import select
import signal
import socket
import struct
import sys
import time

from scapy.all import ARP, ICMP, IP, Ether, Raw

ETH_P_ALL = 3


def nvgre(gw_mac, local, remote, vsid, inner, flow_id=0x5A):
    """Outer Ethernet/IPv4/GRE with K=1 (0x2000), protocol 0x6558 and the
    key VSID<<8 | FlowID, built by hand from the RFC, not by vtepgw code."""
    gre = struct.pack("!HHI", 0x2000, 0x6558, (vsid << 8) | flow_id)
    return bytes(Ether(dst=gw_mac) / IP(src=local, dst=remote, proto=47, flags="DF") / Raw(gre + inner))


def decap(frame, local, remote, vsid):
    """The inner frame of an NVGRE packet from REMOTE to LOCAL, else None."""
    if len(frame) < 14 + 20 + 8 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 0x0F) * 4
    if frame[14 + 9] != 47 or socket.inet_ntoa(frame[26:30]) != remote:
        return None
    if socket.inet_ntoa(frame[30:34]) != local:
        return None
    flags, proto, key = struct.unpack("!HHI", frame[14 + ihl:14 + ihl + 8])
    if flags != 0x2000 or proto != 0x6558 or key >> 8 != vsid:
        return None
    return frame[14 + ihl + 8:]


def open_socket(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    return s


def receive(s):
    """One received frame; a link flap reports ENETDOWN once, then goes on."""
    while True:
        try:
            frame, addr = s.recvfrom(65535)
        except OSError as e:
            if e.errno == errno.ENETDOWN:
                continue
            raise
        if addr[2] != socket.PACKET_OUTGOING:
            return frame


def respond(s, args):
    gw_mac, local, remote, vsid, host_ip, host_mac = args[:6]
    vsid = int(vsid)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        inner = decap(receive(s), local, remote, vsid)
        if inner is None:
            continue
        p = Ether(inner)
        reply = None
        if ARP in p and p[ARP].op == 1 and p[ARP].pdst == host_ip:
            reply = Ether(src=host_mac, dst=p.src) / ARP(
                op=2, hwsrc=host_mac, psrc=host_ip, hwdst=p[ARP].hwsrc, pdst=p[ARP].psrc)
        elif ICMP in p and p[ICMP].type == 8 and p[IP].dst == host_ip:
            reply = Ether(src=host_mac, dst=p.src) / IP(src=host_ip, dst=p[IP].src) / ICMP(
                type=0, id=p[ICMP].id, seq=p[ICMP].seq) / Raw(bytes(p[ICMP].payload))
        if reply is not None:
            s.send(nvgre(gw_mac, local, remote, vsid, bytes(reply)))


def ping(s, args):
    gw_mac, local, remote, vsid, host_ip, host_mac, dst_ip, dst_mac = args[:8]
    vsid = int(vsid)
    for n, size in enumerate(int(x) for x in args[8:]):
        payload = bytes((i * 7 + n) & 0xFF for i in range(size))
        req = Ether(src=host_mac, dst=dst_mac) / IP(src=host_ip, dst=dst_ip, flags="DF") / ICMP(
            type=8, id=0x4242, seq=n) / Raw(payload)
        sent = time.monotonic()
        s.send(nvgre(gw_mac, local, remote, vsid, bytes(req), flow_id=n))
        deadline = sent + 3
        ok = False
        while not ok and time.monotonic() < deadline:
            if not select.select([s], [], [], 0.2)[0]:
                continue
            inner = decap(receive(s), local, remote, vsid)
            if inner is None:
                continue
            p = Ether(inner)
            ok = (ICMP in p and p[ICMP].type == 0 and p[ICMP].seq == n and
                  p[ICMP].id == 0x4242 and bytes(p[ICMP].payload) == payload)
        if not ok:
            sys.exit("no NVGRE echo reply for %d bytes" % size)
        print("nvgre echo %d bytes: %.3f ms" % (size, (time.monotonic() - sent) * 1000))


def main():
    mode, iface = sys.argv[1], sys.argv[2]
    s = open_socket(iface)
    (respond if mode == "respond" else ping)(s, sys.argv[3:])
    os._exit(0)


if __name__ == "__main__":
    main()
