# SPDX-License-Identifier: BSD-3-Clause
"""Adapters: how the suite drives one implementation under test.

An adapter turns the suite's Config (suite.topology) into the implementation's
own configuration inside the gateway namespace, reports its counters, and says
what it can and cannot do (capabilities) and where it knowingly differs from
the RFCs / vtepgw policy (differences). Cases consult both: a missing
capability is a SKIP with the reason; a documented difference is checked as
documented (the case fails if the implementation stops behaving as documented).
"""
import json
import os
import re
import signal
import socket
import subprocess
import time

from .netns import CommandError, InNetns, ip, run
from .topology import ACCESS_PORTS, UPLINK


class AdapterError(RuntimeError):
    pass


class Adapter:
    name = "abstract"
    # Capability names used by the cases:
    #   vxlan6 tagged nvgre counters fdb strict_mode ttl_config dscp_set
    #   aging mac_limit mac_limit_drop check_config chained_mbufs control_plane
    capabilities = frozenset()
    # id -> (short text, behaviour key). Cases look behaviours up with differs().
    differences = {}

    def start(self, topo, config):
        raise NotImplementedError

    def stop(self):
        raise NotImplementedError

    def counters(self):
        """Flat dict name -> integer of everything the implementation counts."""
        return {}

    def counter_keys(self, what, **context):
        """Keys of counters() that count `what` (an abstract name such as
        'encap' or 'drop.unknown_vni'), or None when it has no such counter."""
        return None

    def supports(self, capability):
        return capability in self.capabilities

    def differs(self, behaviour):
        """The documented difference id for `behaviour`, or None."""
        for ident, (_text, key) in self.differences.items():
            if key == behaviour:
                return ident
        return None

    def supports_segment(self, seg):
        return True, ""

    def underlay_mac(self):
        raise NotImplementedError

    def own_macs(self):
        return []

    def fdb(self, segment):
        """{mac: ("port", name) | ("vtep", address)} or None if unknown."""
        return None

    def alive(self):
        return True, ""

    def check_config(self, config):
        """(accepted, message) for a configuration, without starting."""
        raise AdapterError("%s cannot check configurations" % self.name)


# ---------------------------------------------------------------------------
class KernelAdapter(Adapter):
    """The Linux kernel's vxlan driver and bridge as the gateway: one bridge
    and one vxlan netdev per segment, flood list as all-zero FDB entries."""

    name = "kernel"
    capabilities = frozenset({"vxlan6", "counters", "fdb", "ttl_config", "dscp_set", "aging",
                              "strict_mode"})
    differences = {
        "K1": ("VXLAN with reserved flag/VNI bits set is always dropped (the kernel "
               "behaves as vtepgw's strict mode; RFC 7348 §5 says ignore them)", "reserved_bits_dropped"),
        "K2": ("received outer IPv4/IPv6 fragments are reassembled and delivered "
               "(RFC 7348 §4.3 / vtepgw policy: drop)", "outer_fragments_reassembled"),
        "K3": ("inner CE is encapsulated as outer ECT(0) (RFC 3168 full-functionality); "
               "RFC 6040 normal mode copies CE", "encap_ce_as_ect0"),
        "K5": ("the bridge is not VLAN-aware here, so a decapsulated frame with an "
               "inner 802.1Q tag is delivered (RFC 7348 §6.1 / policy: drop)", "inner_vlan_delivered"),
        "K6": ("outer IPv4 options are accepted and the packet delivered "
               "(vtepgw policy: drop)", "outer_ip_options_accepted"),
        "K7": ("an outer TTL of 0 addressed to the VTEP is delivered (policy: drop)",
               "outer_ttl0_delivered"),
        "K8": ("an inner source MAC equal to the bridge's own MAC is forwarded "
               "(a warning is logged; policy: drop)", "inner_own_mac_forwarded"),
        "K9": ("the IPv4 UDP checksum of an encapsulated packet is 0 only with "
               "`noudpcsum` (set by the adapter); not a difference on the wire", None),
    }

    BREAKAGES = {
        "wrong_vni": "segment VNIs are configured +1 on the kernel device",
        "wrong_port": "the vxlan destination port is 4790 instead of the configured port",
        "flood_back": "hairpin on the vxlan bridge ports: overlay floods go back to the overlay",
        "no_df": "DF is not set on the outer IPv4 header",
    }

    def __init__(self):
        self.topo = None
        self.config = None
        self.devices = []

    @staticmethod
    def vxdev(seg):
        return "vx%d" % seg.id

    @staticmethod
    def brdev(seg):
        return "br%d" % seg.id

    def supports_segment(self, seg):
        if seg.kind != "vxlan":
            return False, "kernel adapter: this kernel has no gretap, so no NVGRE"
        if seg.tagged():
            return False, ("kernel adapter: no 802.1Q on this kernel (no VLAN devices, no "
                           "bridge vlan_filtering, no tc classifiers)")
        return True, ""

    def start(self, topo, config):
        self.topo = topo
        self.config = config
        gw = topo.gw
        sysctl = lambda k: run(["sysctl", "-qw", k], ns=gw)
        sysctl("net.ipv4.ip_forward=0")
        sysctl("net.ipv6.conf.%s.disable_ipv6=0" % UPLINK)
        sysctl("net.ipv6.conf.%s.accept_dad=0" % UPLINK)
        ip(gw, "addr add %s/24 dev %s" % (config.vtep4, UPLINK))
        ip(gw, "addr add %s/64 dev %s nodad" % (config.vtep6, UPLINK))
        brk = config.break_
        port = 4790 if brk == "wrong_port" else config.vxlan_port
        for seg in config.segments:
            ok, _why = self.supports_segment(seg)
            if not ok:
                continue
            six = ":" in seg.flood[0] if seg.flood else False
            local = config.vtep6 if six else config.vtep4
            vni = seg.id + 1 if brk == "wrong_vni" else seg.id
            br, vx = self.brdev(seg), self.vxdev(seg)
            ip(gw, "link add %s type bridge ageing_time %d" % (br, config.mac_aging * 100))
            self.devices.append(br)
            args = ("link add %s type vxlan id %d local %s dstport %d srcport %d %d ttl %d "
                    "ageing %d" % (vx, vni, local, port, config.udp_src_min, config.udp_src_max,
                                   config.ttl, config.mac_aging))
            args += " tos inherit" if config.dscp_copy else " tos 0x%02x" % (config.dscp << 2)
            if not six:
                args += " noudpcsum df %s" % ("unset" if brk == "no_df" else "set")
            if seg.learning != "dataplane":
                args += " nolearning"
            ip(gw, args)
            self.devices.append(vx)
            ip(gw, "link set %s mtu 1500" % vx)
            ip(gw, "link set %s master %s up" % (vx, br))
            if brk == "flood_back":
                run(["bridge", "link", "set", "dev", vx, "hairpin", "on"], ns=gw)
            for member, _vlan in seg.members:
                ip(gw, "link set %s master %s" % (member, br))
            ip(gw, "link set %s up" % br)
            for remote in seg.flood:
                run(["bridge", "fdb", "append", "00:00:00:00:00:00", "dev", vx, "dst", remote], ns=gw)
            for mac, member, vtep in seg.static_macs:
                if vtep:
                    run(["bridge", "fdb", "add", mac, "dev", vx, "dst", vtep, "self", "permanent"], ns=gw)
                    run(["bridge", "fdb", "add", mac, "dev", vx, "master", "static"], ns=gw)
                else:
                    run(["bridge", "fdb", "add", mac, "dev", member, "master", "static"], ns=gw)
        # Resolve the remote VTEPs once so the first encapsulated packet of a
        # case is not queued behind ARP/ND.
        for seg in config.segments:
            for remote in seg.flood:
                run(["ping", "-c1", "-W1", remote], ns=gw, check=False)

    def stop(self):
        if not self.topo:
            return
        gw = self.topo.gw
        for dev in reversed(self.devices):
            ip(gw, "link del %s" % dev, check=False)
        self.devices = []
        ip(gw, "addr flush dev %s" % UPLINK, check=False)
        ip(gw, "neigh flush dev %s" % UPLINK, check=False)
        for name in ACCESS_PORTS:
            ip(gw, "link set %s nomaster" % name, check=False)

    def underlay_mac(self):
        return self.topo and ip(self.topo.gw, "-br link show dev %s" % UPLINK).split()[2]

    def own_macs(self):
        return [ip(self.topo.gw, "-br link show dev %s" % self.brdev(self.config.segment("a"))).split()[2]]

    def counters(self):
        gw = self.topo.gw
        out = {}
        for link in json.loads(ip(gw, "-s -s -j link show")):
            for direction in ("rx", "tx"):
                for key, value in link.get("stats64", {}).get(direction, {}).items():
                    out["link.%s.%s_%s" % (link["ifname"], direction, key)] = value
        text = run(["cat", "/proc/net/snmp", "/proc/net/snmp6"], ns=gw)
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if ":" in line and i + 1 < len(lines) and lines[i + 1].split(":")[0] == line.split(":")[0]:
                if line.split()[1].isdigit():
                    continue
                names = line.split()[1:]
                values = lines[i + 1].split()[1:]
                proto = line.split(":")[0]
                for name, value in zip(names, values):
                    out["snmp.%s.%s" % (proto, name)] = int(value)
            elif len(line.split()) == 2 and line.split()[1].lstrip("-").isdigit():
                out["snmp6.%s" % line.split()[0]] = int(line.split()[1])
        return out

    def counter_keys(self, what, seg=None, family=4, **_ctx):
        vx = "link.%s" % self.vxdev(seg) if seg is not None else None
        six = family == 6
        table = {
            "encap": vx and [vx + ".tx_packets"],
            "decap": vx and [vx + ".rx_packets"],
            "drop.vxlan_header": vx and [vx + ".rx_errors"],
            "drop.udp_checksum": ["snmp6.Udp6InCsumErrors"] if six else ["snmp.Udp.InCsumErrors"],
            "drop.not_our_address": ["snmp6.Ip6InAddrErrors"] if six else ["snmp.Ip.InAddrErrors"],
            "drop.udp_port": ["snmp6.Udp6NoPorts"] if six else ["snmp.Udp.NoPorts"],
            "drop.ecn": vx and [vx + ".rx_frame_errors"],
        }
        return table.get(what)

    def fdb(self, segment):
        seg = self.config.segment(segment)
        br, vx = self.brdev(seg), self.vxdev(seg)
        out = {}
        for entry in json.loads(run(["bridge", "-j", "fdb", "show", "br", br], ns=self.topo.gw)):
            if "permanent" in entry.get("state", "") and entry.get("ifname") != vx:
                continue
            if entry.get("mac") == "00:00:00:00:00:00":
                continue
            if entry.get("ifname") == vx:
                if "dst" in entry:
                    out[entry["mac"]] = ("vtep", entry["dst"])
            elif "master" in entry or entry.get("master") == br or True:
                out.setdefault(entry["mac"], ("port", entry["ifname"]))
        return out
ADAPTERS = {"kernel": KernelAdapter}
