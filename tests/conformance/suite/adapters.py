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
        "K4": ("the bridge is not VLAN-aware here, so a decapsulated frame with an "
               "inner 802.1Q tag is delivered (RFC 7348 §6.1 / policy: drop)", "inner_vlan_delivered"),
        "K5": ("outer IPv4 options are accepted and the packet delivered "
               "(vtepgw policy: drop)", "outer_ip_options_accepted"),
        "K6": ("an outer TTL of 0 addressed to the VTEP is delivered (policy: drop)",
               "outer_ttl0_delivered"),
        "K7": ("an inner source MAC equal to the bridge's own MAC is forwarded "
               "(a warning is logged; policy: drop)", "inner_own_mac_forwarded"),
        "K8": ("the IPv4 UDP checksum of an encapsulated packet is 0 only with "
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


# ---------------------------------------------------------------------------
def _libconfig_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_libconfig_value(v) for v in value) + "]"
    return '"%s"' % str(value).replace("\\", "\\\\").replace('"', '\\"')


def _group(fields, indent="\t"):
    lines = []
    for key, value in fields:
        if isinstance(value, dict):
            lines.append("%s%s = {\n%s%s};" % (indent, key, _group(value.items(), indent + "\t"), indent))
        elif isinstance(value, tuple):
            items = ",\n".join("%s\t{\n%s%s\t}" % (indent, _group(v.items(), indent + "\t\t"), indent)
                               for v in value)
            lines.append("%s%s = (\n%s\n%s);" % (indent, key, items, indent))
        else:
            lines.append("%s%s = %s;" % (indent, key, _libconfig_value(value)))
    return "".join(line + "\n" for line in lines)


def vtepgw_config_text(config, topo, uplink_mac, file_prefix, lmdb_path):
    """The suite's Config as a vtepgw libconfig file (conf/, struct conf_model)."""
    ports = []
    for index, name in enumerate(ACCESS_PORTS + [UPLINK]):
        port = {"name": name, "role": "uplink" if name == UPLINK else "access",
                "device": "net_af_packet%d,iface=%s" % (index, name), "mtu": 1500}
        if name == UPLINK:
            port["mac"] = uplink_mac
            port["addresses"] = ["%s/24" % config.vtep4, "%s/64" % config.vtep6]
        ports.append(port)
    segments = []
    for seg in config.segments:
        entry = {"name": seg.name, "vni" if seg.kind == "vxlan" else "vsid": seg.id,
                 "members": tuple(dict([("port", p)] + ([("vlan", v)] if v else []))
                                  for p, v in seg.members),
                 "flood": list(seg.flood), "learning": seg.learning,
                 "limit_action": seg.limit_action}
        if seg.mac_limit:
            entry["mac_limit"] = seg.mac_limit
        statics = []
        for mac, member, vtep in seg.static_macs:
            if vtep:
                statics.append({"mac": mac, "vtep": vtep})
            else:
                vlan = dict(seg.members).get(member, 0)
                statics.append(dict([("mac", mac), ("port", member)] + ([("vlan", vlan)] if vlan else [])))
        if statics:
            entry["static_macs"] = tuple(statics)
        segments.append(entry)
    text = "# generated by the vtepgw conformance suite (vtepgw adapter)\n"
    text += _group([
        ("gateway", {"name": "conformance", "vtep_ipv4": config.vtep4, "vtep_ipv6": config.vtep6,
                     "vxlan_port": config.vxlan_port,
                     "udp_source_ports": "%d-%d" % (config.udp_src_min, config.udp_src_max),
                     "ttl": config.ttl, "dscp": "copy" if config.dscp_copy else config.dscp,
                     "vxlan_strict": config.strict, "nvgre_flow_id": config.nvgre_flow_id,
                     "mac_aging": config.mac_aging, "mac_limit": config.mac_limit,
                     "lmdb_path": lmdb_path}),
        ("dpdk", {"lcores": "0-1", "eal_args": ["--no-huge", "--no-pci", "-m", "256",
                                                "--file-prefix=%s" % file_prefix]}),
        ("ports", tuple(ports)),
        ("segments", tuple(segments)),
    ], indent="")
    return text


class TelemetryClient:
    """DPDK telemetry v2: SOCK_SEQPACKET, JSON answers to `/command,params`."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(3)
        self.sock.connect(path)
        json.loads(self.sock.recv(16384).decode())  # the greeting: version, pid, max_output_len

    def query(self, command):
        self.sock.send(command.encode())
        return json.loads(self.sock.recv(1 << 20).decode())[command.split(",")[0]]

    def close(self):
        self.sock.close()


def _flatten(prefix, value, out):
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten("%s.%s" % (prefix, key), item, out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            name = item.get("name", index) if isinstance(item, dict) else index
            _flatten("%s.%s" % (prefix, name), item, out)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out[prefix] = value


class VtepgwAdapter(Adapter):
    """vtepgw itself (EXPERIMENTAL until it has run against the daemon): a
    generated libconfig file, `vtepgw -c FILE` in the gateway namespace on
    net_af_packet vdevs, counters from its DPDK telemetry socket."""

    name = "vtepgw"
    capabilities = frozenset({"vxlan6", "tagged", "nvgre", "counters", "strict_mode",
                              "ttl_config", "dscp_set", "aging", "mac_limit", "mac_limit_drop",
                              "check_config"})
    differences = {}
    # Abstract counter -> drop reasons in /vtepgw/drops (names from
    # docs/encap.md; "unknown_vni", "oversize", "ecn_ce_not_ect", "mac_limit"
    # are guesses until the daemon lands). A name the daemon does not report
    # fails the case with "moved by 0", never passes silently.
    DROPS = {
        "drop.vxlan_flags": ["vxlan_i_flag_clear"],
        "drop.vxlan_header": ["vxlan_reserved_bits"],
        "drop.unknown_vni": ["unknown_vni"],
        "drop.not_our_address": ["pass_not_vtep"],
        "drop.udp_port": ["pass_not_tunnel"],
        "drop.udp_checksum": ["udp_bad_checksum", "udp_zero_checksum_ipv6"],
        "drop.outer_fragment": ["ip_fragment"],
        "drop.oversize": ["oversize"],
        "drop.inner_vlan": ["inner_vlan_tag"],
        "drop.ecn": ["ecn_ce_not_ect"],
        "drop.truncated": ["truncated_ethernet", "truncated_ip", "truncated_udp",
                           "truncated_vxlan", "truncated_inner", "ip_bad_length",
                           "udp_bad_length"],
        "drop.ip_header": ["ipv4_bad_ihl", "ipv4_options", "ip_bad_length", "udp_bad_length",
                           "truncated_udp", "truncated_vxlan"],
        "drop.ttl": ["ip_ttl_zero"],
        "drop.outer_source": ["ip_bad_source"],
        "drop.inner_source_mac": ["inner_bad_source_mac"],
        "drop.nvgre_header": ["nvgre_bad_flags", "nvgre_bad_version", "nvgre_bad_protocol"],
        "mac_limit": ["mac_limit"],
    }
    QUERIES = ("/vtepgw/drops", "/vtepgw/ports", "/vtepgw/segments", "/vtepgw/vteps")

    def __init__(self, binary=None):
        self.binary = binary or os.environ.get("VTEPGW") or self._find()
        self.proc = None
        self.topo = None
        self.config = None
        self.prefix = None
        self.workdir = None

    @staticmethod
    def _find():
        here = os.path.dirname(os.path.abspath(__file__))
        top = os.path.normpath(os.path.join(here, "..", "..", ".."))
        for build in ("build", "build-test/gcc", "builddir"):
            path = os.path.join(top, build, "gateway", "vtepgw")
            if os.access(path, os.X_OK):
                return path
        return "vtepgw"

    def underlay_mac(self):
        return ip(self.topo.gw, "-br link show dev %s" % UPLINK).split()[2]

    def own_macs(self):
        return [self.underlay_mac()]

    def _write(self, config):
        self.workdir = self.workdir or "/tmp/%s-vtepgw" % self.topo.prefix
        os.makedirs(os.path.join(self.workdir, "lmdb"), exist_ok=True)
        path = os.path.join(self.workdir, "vtepgw.conf")
        with open(path, "w") as out:
            out.write(vtepgw_config_text(config, self.topo, self.underlay_mac(), self.prefix,
                                         os.path.join(self.workdir, "lmdb")))
        return path

    def check_config(self, config):
        path = self._write(config)
        proc = subprocess.run([self.binary, "-c", path, "--check-config"], capture_output=True,
                              text=True, timeout=20)
        return proc.returncode == 0, (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ""

    def start(self, topo, config):
        self.topo = topo
        self.config = config
        self.prefix = "%s-gw" % topo.prefix
        for name in ACCESS_PORTS + [UPLINK]:
            ip(topo.gw, "addr flush dev %s" % name, check=False)
        path = self._write(config)
        log = open(os.path.join(self.workdir, "vtepgw.log"), "ab")
        self.proc = subprocess.Popen(["ip", "netns", "exec", topo.gw, self.binary, "-c", path],
                                     stdout=log, stderr=subprocess.STDOUT)
        sock = "/var/run/dpdk/%s/dpdk_telemetry.v2" % self.prefix
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AdapterError("vtepgw exited with %d: %s" % (self.proc.returncode, self._tail()))
            try:
                client = TelemetryClient(sock)
                client.query("/vtepgw/ports")
                client.close()
                return
            except (OSError, ValueError, KeyError):
                time.sleep(0.2)
        self.stop()
        raise AdapterError("vtepgw telemetry %s not answering after 30 s: %s" % (sock, self._tail()))

    def _tail(self):
        try:
            with open(os.path.join(self.workdir, "vtepgw.log")) as log:
                return " | ".join(log.read().strip().splitlines()[-3:])
        except OSError:
            return ""

    def alive(self):
        if self.proc is None or self.proc.poll() is not None:
            return False, "vtepgw is not running: %s" % self._tail()
        return True, ""

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def counters(self):
        out = {}
        client = TelemetryClient("/var/run/dpdk/%s/dpdk_telemetry.v2" % self.prefix)
        try:
            for query in self.QUERIES:
                _flatten(query.rsplit("/", 1)[1], client.query(query), out)
        finally:
            client.close()
        return out

    def counter_keys(self, what, seg=None, **_ctx):
        if what in self.DROPS:
            return ["drops." + name for name in self.DROPS[what]]
        if what in ("encap", "decap") and seg is not None:
            return ["segments.%s.%s_packets" % (seg.name, what)]
        if what == "mac_moves":
            return ["segments.a.mac_moves"]
        return None


ADAPTERS = {"kernel": KernelAdapter, "vtepgw": VtepgwAdapter}
