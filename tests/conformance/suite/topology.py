# SPDX-License-Identifier: BSD-3-Clause
"""The test topology and the gateway configuration the cases are written for.

    srv ns: srv0..srv3 ---- acc0..acc3 :gw ns: upl0 ---- ul0 [ulbr] ul ns
    hst ns: hst0 (10.0.0.1) ---- acc4   :      |            ulp0 ---- pu0 peer ns
                                                         (kernel VTEP 192.0.2.4,
                                                          host 10.0.0.2 on its bridge)
The gateway namespace holds only the ports; the adapter fills it. The
underlay namespace owns the remote VTEP addresses (.2, .3, ::2, ::3) on a
bridge so the gateway resolves them with real ARP/ND; scapy injects outer
packets on ul0 and captures what the gateway sends there.
"""
import copy
import os
import socket

from .netns import InNetns, Port, ip, run

VTEP4 = "192.0.2.1"
VTEP6 = "2001:db8::1"
REMOTE4 = ["192.0.2.2", "192.0.2.3"]
REMOTE6 = ["2001:db8::2", "2001:db8::3"]
PEER4 = "192.0.2.4"
HOST_IP = "10.0.0.1"
PEER_HOST_IP = "10.0.0.2"
ACCESS_PORTS = ["acc0", "acc1", "acc2", "acc3", "acc4"]
UPLINK = "upl0"


class Segment:
    def __init__(self, name, kind, ident, members, flood, learning="dataplane"):
        self.name = name
        self.kind = kind  # "vxlan" or "nvgre"
        self.id = ident  # VNI or VSID
        self.members = members  # list of (port, vlan); vlan 0 = untagged
        self.flood = flood  # list of remote VTEP addresses
        self.learning = learning  # dataplane | static
        self.mac_limit = 0  # 0 = gateway default
        self.limit_action = "flood"
        self.static_macs = []  # (mac, port or None, vtep or None)

    def tagged(self):
        return any(vlan for _p, vlan in self.members)


class Config:
    """What the gateway is told; adapters translate it to their own form."""

    def __init__(self):
        self.vtep4 = VTEP4
        self.vtep6 = VTEP6
        self.vxlan_port = 4789
        self.udp_src_min = 49152
        self.udp_src_max = 65535
        self.ttl = 64
        self.dscp_copy = True
        self.dscp = 0
        self.strict = False
        self.nvgre_flow_id = True
        self.mac_aging = 300
        self.mac_limit = 8192
        self.segments = [
            Segment("a", "vxlan", 100, [("acc0", 0), ("acc1", 0)], list(REMOTE4)),
            Segment("b", "vxlan", 200, [("acc2", 0)], [REMOTE4[0]]),
            Segment("c", "vxlan", 300, [("acc3", 0)], list(REMOTE6)),
            Segment("t", "vxlan", 500, [("acc0", 20), ("acc1", 20)], [REMOTE4[0]]),
            Segment("n", "nvgre", 0x5000, [("acc2", 50), ("acc3", 50)], list(REMOTE4)),
            Segment("i", "vxlan", 400, [("acc4", 0)], [PEER4]),
        ]
        # Deliberate breakage for the self-test: each key tells an adapter to
        # misbehave in a known way (see adapters.KernelAdapter.BREAKAGES).
        self.break_ = None

    def segment(self, name):
        for seg in self.segments:
            if seg.name == name:
                return seg
        raise KeyError(name)

    def copy(self, **changes):
        new = copy.deepcopy(self)
        for key, value in changes.items():
            setattr(new, key, value)
        return new

    def key(self):
        """A value that is equal for equal configurations (restart decision)."""
        return repr(sorted((k, repr(v.__dict__) if isinstance(v, list) else repr(v))
                           for k, v in self.__dict__.items() if k != "segments")) + repr(
            [s.__dict__ for s in self.segments])


def mac_of(ns, ifname):
    return ip(ns, "-br link show dev %s" % ifname).split()[2]


class Topology:
    def __init__(self, prefix=None):
        self.prefix = prefix or "cf%d" % os.getpid()
        self.srv = self.prefix + "-srv"
        self.gw = self.prefix + "-gw"
        self.ul = self.prefix + "-ul"
        self.hst = self.prefix + "-hst"
        self.peer = self.prefix + "-peer"
        self.namespaces = [self.srv, self.gw, self.ul, self.hst, self.peer]
        self.created = []
        self.ports = {}
        self.sinks = []

    # --- build / destroy -------------------------------------------------
    def build(self):
        for ns in self.namespaces:
            run(["ip", "netns", "add", ns])
            self.created.append(ns)
            ip(ns, "link set lo up")
        for ns in (self.srv, self.gw, self.ul, self.peer):
            # Keep the kernel quiet on the wire: no IPv6 autoconf chatter
            # unless an address is explicitly configured (sysctl below).
            run(["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"], ns=ns)
            run(["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"], ns=ns)
        for i in range(4):
            ip(self.gw, "link add acc%d type veth peer name srv%d netns %s" % (i, i, self.srv))
        ip(self.gw, "link add acc4 type veth peer name hst0 netns %s" % self.hst)
        ip(self.gw, "link add upl0 type veth peer name ul0 netns %s" % self.ul)
        ip(self.ul, "link add ulp0 type veth peer name pu0 netns %s" % self.peer)
        for i in range(4):
            ip(self.srv, "link set srv%d up" % i)
        for name in ACCESS_PORTS + [UPLINK]:
            ip(self.gw, "link set %s up" % name)
        # The underlay: remote VTEP addresses on a bridge.
        run(["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0"], ns=self.ul)
        ip(self.ul, "link add ulbr type bridge")
        run(["sysctl", "-qw", "net.ipv6.conf.ulbr.disable_ipv6=0"], ns=self.ul)
        run(["sysctl", "-qw", "net.ipv6.conf.ulbr.accept_dad=0"], ns=self.ul)
        for name in ("ul0", "ulp0"):
            ip(self.ul, "link set %s master ulbr up" % name)
        ip(self.ul, "link set ulbr up")
        for addr in REMOTE4:
            ip(self.ul, "addr add %s/24 dev ulbr" % addr)
        for addr in REMOTE6:
            ip(self.ul, "addr add %s/64 dev ulbr nodad" % addr)
        # Hold the VXLAN port and GRE open in the underlay so its kernel
        # swallows what the gateway sends to .2/.3 instead of answering with
        # ICMP unreachables that would pollute the captures.
        with InNetns(self.ul):
            for port in (4789, 4790):
                sink = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                sink.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                sink.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sink.bind(("::", port))
                self.sinks.append(sink)
            self.sinks.append(socket.socket(socket.AF_INET, socket.SOCK_RAW, 47))
        # A host behind the gateway (interop ping) and a kernel peer VTEP.
        ip(self.hst, "link set hst0 up")
        ip(self.hst, "addr add %s/24 dev hst0" % HOST_IP)
        ip(self.peer, "link set pu0 up")
        ip(self.peer, "addr add %s/24 dev pu0" % PEER4)
        ip(self.peer, "link add pbr type bridge")
        ip(self.peer, "link add pvx type vxlan id 400 local %s dstport 4789 nolearning" % PEER4)
        ip(self.peer, "link set pvx master pbr up")
        ip(self.peer, "link set pbr up")
        ip(self.peer, "addr add %s/24 dev pbr" % PEER_HOST_IP)
        run(["bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "pvx", "dst", VTEP4], ns=self.peer)
        # The gateway's uplink: no checksum offload so captured checksums are
        # the ones on the wire.
        run(["ethtool", "-K", UPLINK, "tx", "off"], ns=self.gw)
        for i in range(4):
            self.ports["srv%d" % i] = Port(self.srv, "srv%d" % i)
        self.ports["ul0"] = Port(self.ul, "ul0")
        self.uplink_peer_mac = mac_of(self.ul, "ulbr")
        self.server_macs = {"acc%d" % i: mac_of(self.srv, "srv%d" % i) for i in range(4)}

    def destroy(self):
        for port in self.ports.values():
            port.close()
        self.ports = {}
        for sink in self.sinks:
            sink.close()
        self.sinks = []
        for ns in reversed(self.created):
            run(["ip", "netns", "del", ns], check=False)
        self.created = []

    # --- helpers for cases -----------------------------------------------
    def access(self, port):
        """Scapy-side Port wired to gateway access port `port` (acc0..acc3)."""
        return self.ports["srv" + port[3:]]

    def underlay(self):
        return self.ports["ul0"]

    def all_ports(self):
        return list(self.ports.values())
