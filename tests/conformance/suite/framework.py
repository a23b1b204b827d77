# SPDX-License-Identifier: BSD-3-Clause
"""Case registry, the per-case context, and helpers shared by the cases."""
import itertools
import time

from scapy.all import IP, UDP, VXLAN, Ether, IPv6, Raw, Dot1Q  # noqa: F401

from .netns import capture, drain
from .topology import REMOTE4, REMOTE6

CASES = []
WINDOW = 0.25  # seconds to wait for frames that must (not) come out


class Fail(Exception):
    pass


class Skip(Exception):
    pass


class Case:
    def __init__(self, ident, rfc, title, sends, expects, counter, func, needs=()):
        self.id = ident
        self.rfc = rfc
        self.title = title
        self.sends = sends
        self.expects = expects
        self.counter = counter
        self.func = func
        self.needs = needs


def case(ident, rfc, title, sends, expects, counter, needs=()):
    def register(func):
        CASES.append(Case(ident, rfc, title, sends, expects, counter, func, needs))
        return func
    return register


_macs = itertools.count(1)
_markers = itertools.count(1)


class Context:
    """What a case sees: the topology, the adapter, frame helpers, checks."""

    def __init__(self, runner, case_):
        self.runner = runner
        self.topo = runner.topo
        self.adapter = runner.adapter
        self.case = case_
        self.log = []  # every Frame sent or captured (pcap on failure)
        self.notes = []
        self.checks = 0

    # --- configuration ---------------------------------------------------
    @property
    def config(self):
        return self.runner.config

    def use_config(self, config):
        self.runner.apply(config)

    def need(self, capability, what):
        """Skip `what` (a part of the case) when the adapter lacks it. Returns
        False and records a note; raises Skip if nothing has been checked."""
        if self.adapter.supports(capability):
            return True
        self.notes.append("skipped %s (%s adapter: no %s)" % (what, self.adapter.name, capability))
        return False

    def differs(self, behaviour):
        ident = self.adapter.differs(behaviour)
        if ident:
            self.notes.append("documented difference %s" % ident)
        return ident

    # --- identities --------------------------------------------------------
    @staticmethod
    def mac():
        n = next(_macs)
        return "02:cf:00:%02x:%02x:%02x" % ((n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF)

    def marker(self):
        return ("<%s#%d>" % (self.case.id, next(_markers))).encode()

    # --- frames ------------------------------------------------------------
    def inner(self, src, dst, marker, size=0, tos=0, sport=1024, dport=7, ip_src="10.9.0.1",
              ip_dst="10.9.0.2"):
        payload = marker + b"." * max(0, size - len(marker))
        return Ether(src=src, dst=dst) / IP(src=ip_src, dst=ip_dst, tos=tos) / UDP(
            sport=sport, dport=dport) / Raw(payload)

    def outer(self, inner, vni, remote=None, family=4, flags=0x08, sport=50000, dport=None,
              dst=None, ttl=64, tos=0, chksum="auto", reserved1=0, reserved2=0):
        """A VXLAN packet from a remote VTEP to the gateway, built by scapy.
        chksum: "auto" = 0 over IPv4 and computed over IPv6 (what a
        conforming VTEP sends), None = computed, or a fixed value."""
        if chksum == "auto":
            chksum = None if family == 6 else 0
        dport = self.config.vxlan_port if dport is None else dport
        vx = VXLAN(flags=flags, vni=vni, reserved1=reserved1, reserved2=reserved2)
        eth = Ether(src=self.topo.uplink_peer_mac, dst=self.adapter.underlay_mac())
        if family == 6:
            net = IPv6(src=remote or REMOTE6[0], dst=dst or self.config.vtep6, hlim=ttl, tc=tos)
        else:
            net = IP(src=remote or REMOTE4[0], dst=dst or self.config.vtep4, ttl=ttl, tos=tos)
        udp = UDP(sport=sport, dport=dport)
        if chksum is not None:
            udp.chksum = chksum
        return eth / net / udp / vx / inner

    # --- traffic -----------------------------------------------------------
    def exchange(self, sends, window=WINDOW, expect=None):
        """Send [(port, frame)], where port is an access port name ('acc0'),
        ('acc0', vlan) for a tagged frame, or 'ul' for the underlay. Returns
        every frame captured on every port within `window`; when `expect` is
        given, returns as soon as expect(frames) is true."""
        ports = self.topo.all_ports()
        drain(ports)
        for port, frame in sends:
            if port == "ul":
                target = self.topo.underlay()
            else:
                if isinstance(port, tuple):
                    port, vlan = port
                    raw = bytes(frame)
                    frame = Ether(raw[:12] + b"\x81\x00" + vlan.to_bytes(2, "big") + raw[12:])
                target = self.topo.access(port)
            target.send(frame)
            self.log.append((target.label + "-sent", bytes(frame)))
        frames = capture(ports, window, expect)
        for f in frames:
            self.log.append((f.port, f.data))
        return frames

    def counters(self):
        return self.adapter.counters() if self.adapter.supports("counters") else {}

    def counter_moved(self, before, what, at_least=1, **context):
        """Check a counter moved by at_least; note when the adapter has none."""
        if not self.adapter.supports("counters"):
            return
        keys = self.adapter.counter_keys(what, **context)
        if not keys:
            note = "counter %s: n/a" % what
            if note not in self.notes:
                self.notes.append(note)
            return
        after = self.adapter.counters()
        delta = sum(after.get(k, 0) - before.get(k, 0) for k in keys)
        self.check(delta >= at_least, "counter %s (%s) moved by %d, expected >= %d" % (
            what, "+".join(keys), delta, at_least))

    def check(self, condition, reason):
        self.checks += 1
        if not condition:
            raise Fail(reason)

    def alive(self):
        ok, why = self.adapter.alive()
        self.check(ok, "gateway died: %s" % why)


# --- decoding helpers -------------------------------------------------------
def is_icmp_error(frame):
    """ICMP errors quote the offending packet (and so its marker); they are
    the underlay's business, not a delivered or forwarded copy."""
    data = frame.data
    if data[12:14] == b"\x08\x00" and len(data) > 34 and data[23] == 1:
        return data[14 + (data[14] & 0xF) * 4] in (3, 11, 12)
    if data[12:14] == b"\x86\xdd" and len(data) > 54 and data[20] == 58:
        return data[54] < 128
    return False


def with_marker(frames, marker, port=None):
    return [f for f in frames if marker in f.data and (port is None or f.port == port)
            and not is_icmp_error(f)]


def vxlan_of(frame):
    """(outer scapy packet, vxlan header bytes, inner bytes) or None."""
    pkt = Ether(frame.data)
    if UDP not in pkt:
        return None
    udp = pkt[UDP]
    raw = bytes(udp.payload)
    return pkt, raw[:8], raw[8:]


def ports_of(frames):
    return sorted(f.port for f in frames)
