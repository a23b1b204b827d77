# SPDX-License-Identifier: BSD-3-Clause
"""Every case of CONFORMANCE.md. Each registers an ID, the RFC section, what is
sent, what must (not) come out, and the counter that must move."""
import struct
import time

from scapy.all import IP, UDP, Ether, IPv6, Raw, fragment
from scapy.layers.inet6 import IPv6ExtHdrFragment, fragment6
from scapy.utils import checksum

from .framework import WINDOW, Fail, Skip, case, ports_of, vxlan_of, with_marker
from .topology import HOST_IP, PEER_HOST_IP, REMOTE4, REMOTE6
from .netns import run

STATIC_A = "02:cf:aa:00:00:02"  # behind REMOTE4[0] in segment a
STATIC_C = "02:cf:cc:00:00:02"  # behind REMOTE6[0] in segment c
STATIC_T = "02:cf:dd:00:00:02"  # behind REMOTE4[0] in segment t (tagged)


def base_config(config):
    """Static remote MACs the encap cases send to."""
    config.segment("a").static_macs.append((STATIC_A, None, REMOTE4[0]))
    config.segment("c").static_macs.append((STATIC_C, None, REMOTE6[0]))
    config.segment("t").static_macs.append((STATIC_T, None, REMOTE4[0]))
    return config


def segment_ok(ctx, name, what):
    ok, why = ctx.adapter.supports_segment(ctx.config.segment(name))
    if not ok:
        ctx.notes.append("skipped %s (%s)" % (what, why))
    return ok


def encap_one(ctx, port, dst, remote, vni, family=4, size=0, tos=0, inner_kw=None):
    """Send one frame to a remote MAC; return (outer packet, vxlan hdr, inner, expected inner)."""
    mark = ctx.marker()
    src = ctx.mac()
    inner = ctx.inner(src, dst, mark, size=size, tos=tos, **(inner_kw or {}))
    frames = ctx.exchange([(port, inner)])
    out = with_marker(frames, mark)
    ctx.check(out, "nothing came out for a frame from %s to remote MAC %s" % (port, dst))
    ctx.check(len(out) == 1, "%d copies came out (%s), expected one encapsulated copy to %s" % (
        len(out), ",".join(ports_of(out)), remote))
    ctx.check(out[0].port == "ul0", "frame came out on %s instead of the underlay" % out[0].port)
    decoded = vxlan_of(out[0])
    ctx.check(decoded is not None, "underlay copy is not UDP")
    return decoded + (bytes(inner),)


def check_encap(ctx, decoded, remote, vni, family=4):
    pkt, hdr, inner, expected = decoded
    local = ctx.config.vtep6 if family == 6 else ctx.config.vtep4
    net = pkt[IPv6] if family == 6 else pkt[IP]
    ctx.check(net.dst == remote, "outer destination %s, expected remote VTEP %s" % (net.dst, remote))
    ctx.check(net.src == local, "outer source %s, expected our VTEP %s" % (net.src, local))
    ctx.check(pkt[UDP].dport == ctx.config.vxlan_port, "UDP destination port %d, expected %d" % (
        pkt[UDP].dport, ctx.config.vxlan_port))
    ctx.check(len(hdr) == 8, "VXLAN header truncated")
    ctx.check(hdr[0] == 0x08, "VXLAN flags byte 0x%02x, expected 0x08 (I flag only, §5)" % hdr[0])
    ctx.check(hdr[1:4] == b"\0\0\0" and hdr[7] == 0, "VXLAN reserved fields not zero: %s" % hdr.hex())
    got_vni = int.from_bytes(hdr[4:7], "big")
    ctx.check(got_vni == vni, "VNI %d, expected %d" % (got_vni, vni))
    ctx.check(inner == expected, "inner frame changed: sent %s, got %s" % (
        expected[:40].hex(), inner[:40].hex()))


# ---------------------------------------------------------------- VXLAN ----
@case("V1", "RFC 7348 §5, §6.1", "VXLAN encapsulation",
      "frame from an access port (untagged and 802.1Q) to a MAC behind a remote VTEP",
      "one VXLAN packet: outer dst remote VTEP, src our VTEP, UDP dst port, flags 0x08, "
      "reserved 0, VNI of the segment, inner frame unchanged and untagged", "encap")
def v1(ctx):
    before = ctx.counters()
    decoded = encap_one(ctx, "acc0", STATIC_A, REMOTE4[0], 100)
    check_encap(ctx, decoded, REMOTE4[0], 100)
    ctx.counter_moved(before, "encap", seg=ctx.config.segment("a"))
    if segment_ok(ctx, "t", "802.1Q access"):
        decoded = encap_one(ctx, ("acc0", 20), STATIC_T, REMOTE4[0], 500)
        check_encap(ctx, decoded, REMOTE4[0], 500)


def entropy(ctx, family):
    seg, dst, remote = ("c", STATIC_C, REMOTE6[0]) if family == 6 else ("a", STATIC_A, REMOTE4[0])
    sports = {}
    for rnd in range(2):
        for flow in range(16):
            decoded = encap_one(ctx, "acc3" if family == 6 else "acc0", dst, remote,
                                ctx.config.segment(seg).id, family,
                                inner_kw=dict(sport=2000 + flow, ip_src="10.9.1.%d" % flow))
            sports.setdefault(flow, set()).add(decoded[0][UDP].sport)
    for flow, ports in sports.items():
        ctx.check(len(ports) == 1, "flow %d used UDP source ports %s; a flow must keep one" % (
            flow, sorted(ports)))
    distinct = {p for ports in sports.values() for p in ports}
    ctx.check(len(distinct) >= 2, "16 flows all used UDP source port %s (§5: entropy)" % distinct)
    lo, hi = ctx.config.udp_src_min, ctx.config.udp_src_max
    bad = sorted(p for p in distinct if not lo <= p <= hi)
    ctx.check(not bad, "UDP source ports %s outside %d-%d" % (bad, lo, hi))


@case("V2", "RFC 7348 §5", "UDP source port entropy",
      "16 inner flows, each twice, to a remote MAC",
      ">= 2 distinct UDP source ports, one per flow, within 49152-65535", "n/a")
def v2(ctx):
    entropy(ctx, 4)


@case("V3", "RFC 7348 §5; RFC 6935", "outer IP header fields",
      "frames to remote MACs over IPv4 and IPv6 underlays; then with ttl = 42",
      "IPv4: DF set, TTL 64 (then 42), valid header checksum, UDP checksum 0; "
      "IPv6: UDP checksum valid and non-zero", "n/a")
def v3(ctx):
    pkt = encap_one(ctx, "acc0", STATIC_A, REMOTE4[0], 100)[0]
    ip4 = pkt[IP]
    ctx.check(ip4.flags.DF, "DF not set on the outer IPv4 header (never fragment, §4.3)")
    ctx.check(ip4.ttl == ctx.config.ttl, "outer TTL %d, expected %d" % (ip4.ttl, ctx.config.ttl))
    raw = bytes(ip4)[:ip4.ihl * 4]
    ctx.check(checksum(raw) == 0, "outer IPv4 header checksum 0x%04x is wrong" % ip4.chksum)
    ctx.check(pkt[UDP].chksum == 0, "UDP checksum 0x%04x on IPv4, expected 0" % pkt[UDP].chksum)
    if ctx.need("vxlan6", "IPv6 checksum") and segment_ok(ctx, "c", "IPv6 checksum"):
        check_udp6(ctx, encap_one(ctx, "acc3", STATIC_C, REMOTE6[0], 300, 6)[0])
    if ctx.need("ttl_config", "configured TTL"):
        ctx.use_config(ctx.config.copy(ttl=42))
        pkt = encap_one(ctx, "acc0", STATIC_A, REMOTE4[0], 100)[0]
        ctx.check(pkt[IP].ttl == 42, "outer TTL %d with ttl = 42 configured" % pkt[IP].ttl)


def check_udp6(ctx, pkt):
    got = pkt[UDP].chksum
    ctx.check(got != 0, "UDP checksum 0 on IPv6 (RFC 6935 needs a checksum by default)")
    again = IPv6(bytes(pkt[IPv6]))
    again[UDP].chksum = None
    want = IPv6(bytes(again))[UDP].chksum
    ctx.check(got == want, "IPv6 UDP checksum 0x%04x, correct is 0x%04x" % (got, want))


def learn(ctx, port, mac, vlan=0):
    """Make the gateway learn `mac` on access `port` (a broadcast from it)."""
    mark = ctx.marker()
    frame = ctx.inner(mac, "ff:ff:ff:ff:ff:ff", mark)
    ctx.exchange([((port, vlan) if vlan else port, frame)], window=0.1)


def decap_to(ctx, vni, inner_dst, port, family=4, vlan=0, **outer_kw):
    """One VXLAN packet to a MAC on access `port`; returns (frames, marker, inner)."""
    mark = ctx.marker()
    inner = ctx.inner(ctx.mac(), inner_dst, mark)
    frames = ctx.exchange([("ul", ctx.outer(inner, vni, family=family, **outer_kw))])
    return with_marker(frames, mark), bytes(inner)


def expect_delivered(ctx, got, inner, port, vlan=0, what="frame"):
    srv = "srv" + port[3:]
    ctx.check(got, "%s was not delivered on %s" % (what, port))
    ctx.check(ports_of(got) == [srv], "%s came out on %s, expected only %s" % (
        what, ",".join(ports_of(got)), srv))
    want = inner if not vlan else inner[:12] + b"\x81\x00" + vlan.to_bytes(2, "big") + inner[12:]
    ctx.check(got[0].data[:len(want)] == want, "%s delivered changed: want %s got %s" % (
        what, want[:32].hex(), got[0].data[:32].hex()))


def expect_dropped(ctx, got, what):
    ctx.check(not got, "%s was delivered (on %s); it must be dropped" % (what, ",".join(ports_of(got))))


@case("V4", "RFC 7348 §6.1", "VXLAN decapsulation",
      "VXLAN packets (VNI 100 untagged member, VNI 500 802.1Q member) to a MAC learned on acc0",
      "exactly the inner frame on acc0, with the member's VLAN tag", "decap")
def v4(ctx):
    mac = ctx.mac()
    learn(ctx, "acc0", mac)
    before = ctx.counters()
    got, inner = decap_to(ctx, 100, mac, "acc0")
    expect_delivered(ctx, got, inner, "acc0", what="decapsulated frame")
    ctx.counter_moved(before, "decap", seg=ctx.config.segment("a"))
    if segment_ok(ctx, "t", "802.1Q delivery"):
        mac = ctx.mac()
        learn(ctx, "acc0", mac, vlan=20)
        got, inner = decap_to(ctx, 500, mac, "acc0")
        expect_delivered(ctx, got, inner, "acc0", vlan=20, what="decapsulated frame (VLAN 20)")


def probe(ctx, family=4):
    """A valid packet after a robustness case: still delivered (no state change)."""
    ctx.alive()
    mac = ctx.mac()
    got, _ = decap_to(ctx, 100, "ff:ff:ff:ff:ff:ff", "acc0")
    ctx.check(len(got) == 2, "a valid VXLAN packet afterwards reached %s (expected acc0, acc1)"
              % (",".join(ports_of(got)) or "nothing"))
    del mac


@case("V5", "RFC 7348 §5", "reserved bits and the I flag on receipt",
      "VXLAN with a reserved flag bit, reserved fields non-zero; the same in strict mode; "
      "I flag clear", "reserved: delivered (strict: dropped); I clear: dropped",
      "drop.vxlan_header / drop.vxlan_flags")
def v5(ctx):
    variants = [dict(flags=0x0C), dict(reserved1=0x123456), dict(reserved2=0x5A)]
    dropped_by = ctx.differs("reserved_bits_dropped")
    for kw in variants:
        got, inner = decap_to(ctx, 100, "ff:ff:ff:ff:ff:ff", "acc0", **kw)
        if dropped_by:
            expect_dropped(ctx, got, "VXLAN with %s (as documented in %s)" % (kw, dropped_by))
        else:
            ctx.check(len(got) == 2, "VXLAN with %s not delivered to acc0+acc1 (got %s); "
                      "§5: reserved bits are ignored on receipt" % (kw, ports_of(got)))
    before = ctx.counters()
    got, _ = decap_to(ctx, 100, "ff:ff:ff:ff:ff:ff", "acc0", flags=0x00)
    expect_dropped(ctx, got, "VXLAN with the I flag clear")
    ctx.counter_moved(before, "drop.vxlan_flags", seg=ctx.config.segment("a"))
    if ctx.need("strict_mode", "strict mode"):
        ctx.use_config(ctx.config.copy(strict=True))
        for kw in variants:
            before = ctx.counters()
            got, _ = decap_to(ctx, 100, "ff:ff:ff:ff:ff:ff", "acc0", **kw)
            expect_dropped(ctx, got, "VXLAN with %s in strict mode" % kw)
            ctx.counter_moved(before, "drop.vxlan_header", seg=ctx.config.segment("a"))


def not_for_us(ctx, family):
    seg = ctx.config.segment("c" if family == 6 else "a")
    other = "2001:db8::99" if family == 6 else "192.0.2.99"
    for what, kw, counter in (
            ("unknown VNI 999", dict(vni=999), "drop.unknown_vni"),
            ("destination %s" % other, dict(dst=other), "drop.not_our_address"),
            ("UDP port 4790", dict(dport=4790), "drop.udp_port")):
        vni = kw.pop("vni", seg.id)
        before = ctx.counters()
        got, _ = decap_to(ctx, vni, "ff:ff:ff:ff:ff:ff", "acc0", family=family, **kw)
        expect_dropped(ctx, got, "VXLAN with %s" % what)
        ctx.counter_moved(before, counter, seg=seg, family=family)


@case("V6", "RFC 7348 §4, §5", "packets not for this VTEP",
      "VXLAN with an unknown VNI; to another IP address; to another UDP port",
      "nothing delivered", "drop.unknown_vni / drop.not_our_address / drop.udp_port")
def v6(ctx):
    not_for_us(ctx, 4)


def checksums(ctx, family):
    seg = ctx.config.segment("c" if family == 6 else "a")
    port = "acc3" if family == 6 else "acc0"
    before = ctx.counters()
    got, _ = decap_to(ctx, seg.id, "ff:ff:ff:ff:ff:ff", port, family=family, chksum=0xBEEF)
    expect_dropped(ctx, got, "VXLAN with a wrong UDP checksum")
    ctx.counter_moved(before, "drop.udp_checksum", seg=seg, family=family)
    got, _ = decap_to(ctx, seg.id, "ff:ff:ff:ff:ff:ff", port, family=family, chksum=None)
    ctx.check(got, "VXLAN with a correct non-zero UDP checksum was not delivered")
    got, _ = decap_to(ctx, seg.id, "ff:ff:ff:ff:ff:ff", port, family=family, chksum=0)
    if family == 4:
        ctx.check(got, "VXLAN over IPv4 with UDP checksum 0 was not delivered (§5)")
    else:
        expect_dropped(ctx, got, "VXLAN over IPv6 with UDP checksum 0 (RFC 6935 default)")


@case("V7", "RFC 7348 §5; RFC 768", "UDP checksum on receipt",
      "VXLAN with a wrong non-zero UDP checksum; with a correct one; with 0",
      "wrong: dropped; correct and 0 (IPv4): delivered", "drop.udp_checksum")
def v7(ctx):
    checksums(ctx, 4)


@case("V8", "RFC 7348 §5; RFC 6935, 6936", "IPv6 underlay",
      "V1-V7 with IPv6 outer headers (segment VNI 300 on acc3)",
      "as V1-V7; zero UDP checksum dropped", "as V1-V7", needs=("vxlan6",))
def v8(ctx):
    if not segment_ok(ctx, "c", "IPv6 segment"):
        raise Skip(ctx.notes[-1])
    before = ctx.counters()
    decoded = encap_one(ctx, "acc3", STATIC_C, REMOTE6[0], 300, 6)
    check_encap(ctx, decoded, REMOTE6[0], 300, 6)
    ctx.check(decoded[0][IPv6].hlim == ctx.config.ttl, "hop limit %d, expected %d" % (
        decoded[0][IPv6].hlim, ctx.config.ttl))
    check_udp6(ctx, decoded[0])
    ctx.counter_moved(before, "encap", seg=ctx.config.segment("c"))
    entropy(ctx, 6)
    mac = ctx.mac()
    learn(ctx, "acc3", mac)
    got, inner = decap_to(ctx, 300, mac, "acc3", family=6, chksum=None)
    expect_delivered(ctx, got, inner, "acc3", what="frame decapsulated from IPv6")
    got, _ = decap_to(ctx, 300, "ff:ff:ff:ff:ff:ff", "acc3", family=6, chksum=None, flags=0)
    expect_dropped(ctx, got, "IPv6 VXLAN with the I flag clear")
    not_for_us(ctx, 6)
    checksums(ctx, 6)


@case("V9", "RFC 7348 §4.3", "fragments",
      "outer IPv4 (and IPv6) fragments of a VXLAN packet; a 1500-byte frame whose "
      "encapsulation exceeds the uplink MTU", "fragments: nothing delivered; oversize: "
      "nothing on the underlay, never fragmented", "drop.outer_fragment / drop.oversize")
def v9(ctx):
    reassembles = ctx.differs("outer_fragments_reassembled")
    for family in (4, 6):
        if family == 6 and not (ctx.need("vxlan6", "IPv6 fragments")
                                and segment_ok(ctx, "c", "IPv6 fragments")):
            continue
        seg = ctx.config.segment("c" if family == 6 else "a")
        mark = ctx.marker()
        inner = ctx.inner(ctx.mac(), "ff:ff:ff:ff:ff:ff", mark, size=600)
        whole = ctx.outer(inner, seg.id, family=family, chksum=None)
        if family == 4:
            pieces = fragment(whole[IP], fragsize=400)
        else:
            pkt = whole[IPv6]
            pkt = IPv6(src=pkt.src, dst=pkt.dst) / IPv6ExtHdrFragment() / pkt.payload
            pieces = fragment6(pkt, 500)
        eth = Ether(src=whole.src, dst=whole.dst)
        before = ctx.counters()
        got = with_marker(ctx.exchange([("ul", eth / p) for p in pieces]), mark)
        if reassembles:
            ctx.check(got, "IPv%d fragments were not reassembled as documented in %s" % (
                family, reassembles))
        else:
            expect_dropped(ctx, got, "fragmented IPv%d VXLAN" % family)
            ctx.counter_moved(before, "drop.outer_fragment", seg=seg, family=family)
    before = ctx.counters()
    mark = ctx.marker()
    big = ctx.inner(ctx.mac(), STATIC_A, mark, size=1500 - 28)
    frames = ctx.exchange([("acc0", big)])
    out = [f for f in frames if f.port == "ul0" and (mark in f.data or _is_fragment(f))]
    ctx.check(not out, "oversize frame came out on the underlay as %d packet(s) of %s bytes" % (
        len(out), [len(f.data) for f in out]))
    ctx.counter_moved(before, "drop.oversize", seg=ctx.config.segment("a"))


def _is_fragment(frame):
    pkt = Ether(frame.data)
    return IP in pkt and (pkt[IP].flags.MF or pkt[IP].frag)


@case("V10", "RFC 7348 §6.1", "inner 802.1Q tag after decapsulation",
      "VXLAN (VNI 100) whose inner frame carries an 802.1Q tag (VID 20, VID 0)",
      "nothing delivered", "drop.inner_vlan")
def v10(ctx):
    delivered = ctx.differs("inner_vlan_delivered")
    for vid in (20, 0):
        mark = ctx.marker()
        inner = ctx.inner(ctx.mac(), "ff:ff:ff:ff:ff:ff", mark)
        raw = bytes(inner)
        tagged = Ether(raw[:12] + b"\x81\x00" + vid.to_bytes(2, "big") + raw[12:])
        before = ctx.counters()
        got = with_marker(ctx.exchange([("ul", ctx.outer(tagged, 100))]), mark)
        if delivered:
            ctx.check(got, "inner-tagged frame not delivered as documented in %s" % delivered)
        else:
            expect_dropped(ctx, got, "decapsulated frame with inner VID %d" % vid)
            ctx.counter_moved(before, "drop.inner_vlan", seg=ctx.config.segment("a"))


# ---------------------------------------------------------------- NVGRE ----
def _nvgre_needed(ctx):
    if not ctx.adapter.supports("nvgre"):
        raise Skip("%s adapter: no NVGRE (this kernel has no gretap)" % ctx.adapter.name)


def nvgre_outer(ctx, inner, vsid, flow=0, flags=0x2000, proto=0x6558):
    from scapy.all import GRE  # noqa: F401 (scapy layer registration)
    eth = Ether(src=ctx.topo.uplink_peer_mac, dst=ctx.adapter.underlay_mac())
    gre = struct.pack("!HHI", flags, proto, (vsid << 8) | flow)
    return eth / IP(src=REMOTE4[0], dst=ctx.config.vtep4, proto=47) / Raw(gre + bytes(inner))


def nvgre_encap(ctx, inner_kw=None):
    mac = ctx.mac()
    got, _ = decap_nvgre(ctx, mac_src=mac)  # learn mac behind REMOTE4[0]
    mark = ctx.marker()
    inner = ctx.inner(ctx.mac(), mac, mark, **(inner_kw or {}))
    out = with_marker(ctx.exchange([(("acc2", 50), inner)]), mark)
    ctx.check(len(out) == 1 and out[0].port == "ul0", "expected one NVGRE copy on the underlay, "
              "got %s" % ports_of(out))
    pkt = Ether(out[0].data)
    ctx.check(IP in pkt and pkt[IP].proto == 47, "underlay copy is not GRE")
    gre = bytes(pkt[IP].payload)
    return pkt, gre, bytes(inner)


def decap_nvgre(ctx, mac_src=None, dst="ff:ff:ff:ff:ff:ff", vlan_inner=None, **kw):
    mark = ctx.marker()
    inner = ctx.inner(mac_src or ctx.mac(), dst, mark)
    if vlan_inner is not None:
        raw = bytes(inner)
        inner = Ether(raw[:12] + b"\x81\x00" + vlan_inner.to_bytes(2, "big") + raw[12:])
    frames = ctx.exchange([("ul", nvgre_outer(ctx, inner, ctx.config.segment("n").id, **kw))])
    return with_marker(frames, mark), bytes(inner)


@case("N1", "RFC 7637 §3.2, §3.3", "NVGRE encapsulation",
      "802.1Q frame (acc2 VLAN 50) to a MAC behind a remote VTEP",
      "GRE C=0 K=1 S=0, version 0, protocol 0x6558, key VSID<<8|FlowID, inner untagged", "encap",
      needs=("nvgre",))
def n1(ctx):
    _nvgre_needed(ctx)
    pkt, gre, inner = nvgre_encap(ctx)
    flags, proto, key = struct.unpack("!HHI", gre[:8])
    ctx.check(flags == 0x2000, "GRE flags/version 0x%04x, expected 0x2000 (K only)" % flags)
    ctx.check(proto == 0x6558, "GRE protocol 0x%04x, expected 0x6558" % proto)
    ctx.check(key >> 8 == ctx.config.segment("n").id, "VSID 0x%x" % (key >> 8))
    ctx.check(gre[8:] == inner, "inner frame changed or still tagged")


@case("N2", "RFC 7637 §3.2", "NVGRE FlowID", "16 inner flows twice",
      "FlowID stable per flow, >= 2 values; 0 when disabled", "n/a", needs=("nvgre",))
def n2(ctx):
    _nvgre_needed(ctx)
    ids = {}
    for rnd in range(2):
        for flow in range(16):
            _p, gre, _i = nvgre_encap(ctx, dict(sport=3000 + flow))
            ids.setdefault(flow, set()).add(gre[7])
    ctx.check(all(len(v) == 1 for v in ids.values()), "FlowID not stable per flow: %s" % ids)
    ctx.check(len({x for v in ids.values() for x in v}) >= 2, "one FlowID for 16 flows")


@case("N3", "RFC 7637 §3.3", "NVGRE decapsulation", "NVGRE to a MAC learned on acc2 VLAN 50",
      "exact inner frame on acc2 tagged VLAN 50", "decap", needs=("nvgre",))
def n3(ctx):
    _nvgre_needed(ctx)
    mac = ctx.mac()
    learn(ctx, "acc2", mac, vlan=50)
    got, inner = decap_nvgre(ctx, dst=mac)
    expect_delivered(ctx, got, inner, "acc2", vlan=50, what="NVGRE-decapsulated frame")


@case("N4", "RFC 7637 §3.2", "bad GRE headers", "GRE with C, S set, K clear, version 1, "
      "protocol 0x0800", "nothing delivered", "drop.nvgre_header", needs=("nvgre",))
def n4(ctx):
    _nvgre_needed(ctx)
    for what, kw in (("C set", dict(flags=0xA000)), ("S set", dict(flags=0x3000)),
                     ("K clear", dict(flags=0x0000)), ("version 1", dict(flags=0x2001)),
                     ("protocol 0x0800", dict(proto=0x0800))):
        before = ctx.counters()
        got, _ = decap_nvgre(ctx, **kw)
        expect_dropped(ctx, got, "GRE with %s" % what)
        ctx.counter_moved(before, "drop.nvgre_header")


@case("N5", "RFC 7637 §3.3", "inner 802.1Q after NVGRE decap", "NVGRE with an inner tag",
      "nothing delivered", "drop.inner_vlan", needs=("nvgre",))
def n5(ctx):
    _nvgre_needed(ctx)
    before = ctx.counters()
    got, _ = decap_nvgre(ctx, vlan_inner=50)
    expect_dropped(ctx, got, "NVGRE frame with an inner 802.1Q tag")
    ctx.counter_moved(before, "drop.inner_vlan")


@case("N6", "RFC 7637 §3.4", "reserved VSIDs refused", "configurations with VSID 0x000, 0xFFF, "
      "0xFFFFFF", "each file refused with a message; 0x1000 accepted", "n/a",
      needs=("nvgre", "check_config"))
def n6(ctx):
    _nvgre_needed(ctx)
    if not ctx.adapter.supports("check_config"):
        raise Skip("%s adapter cannot check configurations" % ctx.adapter.name)
    for vsid, ok in ((0, False), (0xFFF, False), (0xFFFFFF, False), (0x1000, True)):
        config = ctx.config.copy()
        config.segment("n").id = vsid
        accepted, message = ctx.adapter.check_config(config)
        ctx.check(accepted == ok, "VSID 0x%x %s: %s" % (vsid, "accepted" if accepted else
                                                         "refused", message))


# ---------------------------------------------------------------- ECN ------
ECN = {0: "Not-ECT", 1: "ECT(1)", 2: "ECT(0)", 3: "CE"}


@case("E1", "RFC 6040 §4.1", "ECN and DSCP on encapsulation",
      "inner IPv4 with each ECN codepoint and DSCP 46; then with dscp set to 10",
      "outer ECN = inner ECN; outer DSCP 46 (copy) or 10 (set)", "n/a")
def e1(ctx):
    ce_as_ect0 = ctx.differs("encap_ce_as_ect0")
    for ecn in range(4):
        pkt = encap_one(ctx, "acc0", STATIC_A, REMOTE4[0], 100, tos=(46 << 2) | ecn)[0]
        want = 2 if (ecn == 3 and ce_as_ect0) else ecn
        ctx.check(pkt[IP].tos & 3 == want, "inner %s encapsulated as outer %s, expected %s" % (
            ECN[ecn], ECN[pkt[IP].tos & 3], ECN[want]))
        ctx.check(pkt[IP].tos >> 2 == 46, "outer DSCP %d, inner 46 (copy mode)" % (pkt[IP].tos >> 2))
    if ctx.need("dscp_set", "DSCP set mode"):
        ctx.use_config(ctx.config.copy(dscp_copy=False, dscp=10))
        pkt = encap_one(ctx, "acc0", STATIC_A, REMOTE4[0], 100, tos=(46 << 2) | 1)[0]
        ctx.check(pkt[IP].tos >> 2 == 10, "outer DSCP %d with dscp = 10" % (pkt[IP].tos >> 2))
        ctx.check(pkt[IP].tos & 3 == 1, "outer ECN %s with inner ECT(1)" % ECN[pkt[IP].tos & 3])


@case("E2", "RFC 6040 §4.2", "ECN on decapsulation",
      "outer CE/inner ECT(0); outer CE/inner Not-ECT; outer ECT(1)/inner ECT(0)",
      "inner CE; dropped; inner ECT(1)", "drop.ecn")
def e2(ctx):
    ect1_kept = ctx.differs("decap_ect1_not_propagated")
    for outer, inner, want in ((3, 2, 3), (3, 0, None), (1, 2, 2 if ect1_kept else 1)):
        mark = ctx.marker()
        frame = ctx.inner(ctx.mac(), "ff:ff:ff:ff:ff:ff", mark, tos=inner)
        before = ctx.counters()
        got = with_marker(ctx.exchange([("ul", ctx.outer(frame, 100, tos=outer))]), mark)
        what = "outer %s over inner %s" % (ECN[outer], ECN[inner])
        if want is None:
            expect_dropped(ctx, got, what)
            ctx.counter_moved(before, "drop.ecn", seg=ctx.config.segment("a"))
            continue
        ctx.check(got, "%s not delivered" % what)
        ip4 = Ether(got[0].data)[IP]
        ctx.check(ip4.tos & 3 == want, "%s delivered as inner %s, expected %s" % (
            what, ECN[ip4.tos & 3], ECN[want]))
        ctx.check(checksum(bytes(ip4)[:20]) == 0, "%s: inner IPv4 checksum not updated" % what)


# ---------------------------------------------------------------- bridging -
def copies(frames, mark):
    got = with_marker(frames, mark)
    where = {}
    for f in got:
        if f.port == "ul0":
            dec = vxlan_of(f)
            key = "vtep:%s" % (dec[0][IPv6].dst if IPv6 in dec[0] else dec[0][IP].dst)
        else:
            key = f.port
        where[key] = where.get(key, 0) + 1
    return where


def fdb_has(ctx, seg, mac, where):
    if not ctx.adapter.supports("fdb"):
        return
    table = ctx.adapter.fdb(seg)
    ctx.check(table is not None and table.get(mac) == where, "FDB of segment %s has %s -> %s, "
              "expected %s" % (seg, mac, (table or {}).get(mac), where))


@case("B1", "RFC 7348 §4.1", "local learning", "frame from MAC S on acc0, then frames to S "
      "from acc1 and from a remote VTEP", "S learned on acc0; frames to S only on acc0", "n/a")
def b1(ctx):
    mac = ctx.mac()
    learn(ctx, "acc0", mac)
    fdb_has(ctx, "a", mac, ("port", "acc0"))
    mark = ctx.marker()
    where = copies(ctx.exchange([("acc1", ctx.inner(ctx.mac(), mac, mark))]), mark)
    ctx.check(where == {"srv0": 1}, "frame to learned MAC from acc1 went to %s" % where)
    got, inner = decap_to(ctx, 100, mac, "acc0")
    expect_delivered(ctx, got, inner, "acc0", what="frame from the overlay to a learned MAC")


@case("B2", "RFC 7348 §4.1", "remote learning", "frame from MAC Y via VTEP .3, then a frame "
      "to Y from acc0", "one copy, encapsulated to .3 only", "n/a")
def b2(ctx):
    mac = ctx.mac()
    mark = ctx.marker()
    inner = ctx.inner(mac, "ff:ff:ff:ff:ff:ff", mark)
    ctx.exchange([("ul", ctx.outer(inner, 100, remote=REMOTE4[1]))], window=0.1)
    fdb_has(ctx, "a", mac, ("vtep", REMOTE4[1]))
    mark = ctx.marker()
    where = copies(ctx.exchange([("acc0", ctx.inner(ctx.mac(), mac, mark))]), mark)
    ctx.check(where == {"vtep:" + REMOTE4[1]: 1}, "frame to a MAC learned behind %s went to %s"
              % (REMOTE4[1], where))
    ctx.notes.append("EVPN-controlled variant: see I1")


@case("B3", "RFC 7348 §4.2", "flooding and split horizon",
      "broadcast, unknown unicast and multicast from acc0 and from VTEP .2 (segment a)",
      "from acc0: one copy on acc1, one to each flood-list VTEP, none back; from the overlay: "
      "one copy on acc0 and acc1, nothing back to the overlay", "n/a")
def b3(ctx):
    flood = {"vtep:" + r: 1 for r in ctx.config.segment("a").flood}
    for dst in ("ff:ff:ff:ff:ff:ff", ctx.mac(), "01:00:5e:01:02:03"):
        mark = ctx.marker()
        where = copies(ctx.exchange([("acc0", ctx.inner(ctx.mac(), dst, mark))]), mark)
        want = dict(flood, srv1=1)
        ctx.check(where == want, "flood of %s from acc0 went to %s, expected %s" % (dst, where, want))
        mark = ctx.marker()
        inner = ctx.inner(ctx.mac(), dst, mark)
        where = copies(ctx.exchange([("ul", ctx.outer(inner, 100))]), mark)
        want = {"srv0": 1, "srv1": 1}
        ctx.check(where == want, "flood of %s from the overlay went to %s, expected %s "
                  "(split horizon: never back to the overlay)" % (dst, where, want))


@case("B4", "RFC 7348 §4.1", "MAC moves", "MAC M from acc0, then from acc1, then via VTEP .3",
      "frames to M follow it each time", "mac_moves")
def b4(ctx):
    mac = ctx.mac()
    before = ctx.counters()
    learn(ctx, "acc0", mac)
    learn(ctx, "acc1", mac)
    fdb_has(ctx, "a", mac, ("port", "acc1"))
    got, inner = decap_to(ctx, 100, mac, "acc1")
    expect_delivered(ctx, got, inner, "acc1", what="frame to a MAC moved to acc1")
    mark = ctx.marker()
    ctx.exchange([("ul", ctx.outer(ctx.inner(mac, "ff:ff:ff:ff:ff:ff", mark), 100,
                                   remote=REMOTE4[1]))], window=0.1)
    mark = ctx.marker()
    where = copies(ctx.exchange([("acc0", ctx.inner(ctx.mac(), mac, mark))]), mark)
    ctx.check(where == {"vtep:" + REMOTE4[1]: 1}, "frame to a MAC moved behind %s went to %s" % (
        REMOTE4[1], where))
    ctx.counter_moved(before, "mac_moves", at_least=2)


@case("B5", "RFC 7348 §4.1", "aging", "MAC learned on acc0 with aging 2 s; wait 5 s",
      "entry removed: a frame to it is flooded again", "n/a", needs=("aging",))
def b5(ctx):
    if not ctx.adapter.supports("aging"):
        raise Skip("%s adapter: aging not configurable" % ctx.adapter.name)
    ctx.use_config(ctx.config.copy(mac_aging=2))
    mac = ctx.mac()
    learn(ctx, "acc0", mac)
    mark = ctx.marker()
    where = copies(ctx.exchange([("acc1", ctx.inner(ctx.mac(), mac, mark))]), mark)
    ctx.check(where == {"srv0": 1}, "fresh entry: frame went to %s" % where)
    time.sleep(5)
    mark = ctx.marker()
    where = copies(ctx.exchange([("acc1", ctx.inner(ctx.mac(), mac, mark))]), mark)
    ctx.check(len(where) > 1, "after 5 s with aging 2 s the entry is still used: %s" % where)


@case("B6", "RFC 7348 §4.1", "per-segment MAC limit", "4 new MACs with mac_limit 3",
      "4th not learned, flooded (or dropped), counted; first 3 unharmed", "mac_limit",
      needs=("mac_limit",))
def b6(ctx):
    if not ctx.adapter.supports("mac_limit"):
        raise Skip("%s adapter: no per-segment MAC limit (iproute2 6.1 cannot set the "
                   "bridge's fdb_max_learned)" % ctx.adapter.name)
    config = ctx.config.copy()
    config.segment("a").mac_limit = 3
    ctx.use_config(config)
    before = ctx.counters()
    macs = [ctx.mac() for _ in range(4)]
    for mac in macs:
        learn(ctx, "acc0", mac)
    for mac in macs[:3]:
        got, inner = decap_to(ctx, 100, mac, "acc0")
        expect_delivered(ctx, got, inner, "acc0", what="frame to an entry within the limit")
    got, _ = decap_to(ctx, 100, macs[3], "acc0")
    ctx.check(len(got) == 2, "frame to the MAC beyond the limit went to %s (expected flooded)"
              % ports_of(got))
    ctx.counter_moved(before, "mac_limit")


@case("B7", "RFC 7348 §4", "segment isolation", "same MAC in segments a (acc0) and b (acc2); "
      "broadcasts in each", "each segment delivers to its own port; no frame crosses", "n/a")
def b7(ctx):
    mac = ctx.mac()
    learn(ctx, "acc0", mac)
    learn(ctx, "acc2", mac)
    got, inner = decap_to(ctx, 100, mac, "acc0")
    expect_delivered(ctx, got, inner, "acc0", what="VNI 100 frame to the shared MAC")
    got, inner = decap_to(ctx, 200, mac, "acc2")
    expect_delivered(ctx, got, inner, "acc2", what="VNI 200 frame to the shared MAC")
    mark = ctx.marker()
    where = copies(ctx.exchange([("acc2", ctx.inner(ctx.mac(), "ff:ff:ff:ff:ff:ff", mark))]), mark)
    want = {"vtep:" + r: 1 for r in ctx.config.segment("b").flood}
    ctx.check(where == want, "broadcast in segment b went to %s, expected %s" % (where, want))


# ---------------------------------------------------------------- robustness
def leaked(ctx, frames, src_mac):
    return [f for f in frames if f.port != "ul0" and f.data[6:12] == bytes.fromhex(
        src_mac.replace(":", ""))]


@case("R1", "RFC 7348 §5", "truncated packets",
      "a valid VXLAN packet cut at every offset through outer and inner Ethernet headers, "
      "with original and with adjusted length fields", "nothing delivered; still alive",
      "drop.truncated")
def r1(ctx):
    src = ctx.mac()
    inner = ctx.inner(src, "ff:ff:ff:ff:ff:ff", ctx.marker())
    whole = bytes(ctx.outer(inner, 100))
    headers = 14 + 20 + 8 + 8 + 14
    sends = []
    for cut in range(15, headers):
        sends.append(("ul", Ether(whole[:cut])))
        pkt = Ether(whole[:cut])
        if IP in pkt and cut >= 34:
            ip4 = IP(whole[14:cut])
            ip4.len = cut - 14
            ip4.chksum = None
            if UDP in ip4 and cut >= 42:
                ip4[UDP].len = cut - 34
                ip4[UDP].chksum = 0
            sends.append(("ul", Ether(whole[:14]) / Raw(bytes(ip4)[:cut - 14])))
    before = ctx.counters()
    frames = ctx.exchange(sends, window=0.4)
    bad = leaked(ctx, frames, src)
    ctx.check(not bad, "%d truncated packets were delivered (lengths %s)" % (
        len(bad), [len(f.data) for f in bad]))
    ctx.counter_moved(before, "drop.truncated")
    probe(ctx)


@case("R2", "RFC 791; RFC 768", "inconsistent IPv4/UDP lengths, IHL, options",
      "total length > buffer; total length cutting into VXLAN; UDP length > IP payload; "
      "UDP length < 16; IHL 4; IHL 15; IPv4 options", "nothing delivered; still alive",
      "drop.ip_header")
def r2(ctx):
    options_ok = ctx.differs("outer_ip_options_accepted")
    src = ctx.mac()
    inner = ctx.inner(src, "ff:ff:ff:ff:ff:ff", ctx.marker())
    good = ctx.outer(inner, 100)
    total = len(bytes(good[IP]))

    def variant(**changes):
        pkt = good.copy()
        for layer, field, value in changes["fields"]:
            setattr(pkt[layer], field, value)
        return pkt

    cases = {
        "total length > buffer": variant(fields=[(IP, "len", total + 40)]),
        "total length cuts VXLAN": variant(fields=[(IP, "len", 20 + 8 + 4)]),
        "UDP length > IP payload": variant(fields=[(UDP, "len", total)]),
        "UDP length < 16": variant(fields=[(UDP, "len", 12)]),
        "IHL 4": variant(fields=[(IP, "ihl", 4)]),
        "IHL 15": variant(fields=[(IP, "ihl", 15)]),
    }
    for what, pkt in cases.items():
        before = ctx.counters()
        frames = ctx.exchange([("ul", pkt)])
        bad = leaked(ctx, frames, src)
        ctx.check(not bad, "packet with %s was delivered" % what)
        ctx.counter_moved(before, "drop.ip_header")
    opts = Ether(bytes(good)[:14]) / IP(src=good[IP].src, dst=good[IP].dst,
                                        options=b"\x01\x01\x01\x00") / good[UDP]
    bad = leaked(ctx, ctx.exchange([("ul", opts)]), src)
    if options_ok:
        ctx.check(bad, "IPv4 options packet not delivered as documented in %s" % options_ok)
    else:
        ctx.check(not bad, "packet with IPv4 options was delivered (policy: drop)")
    probe(ctx)


@case("R3", "RFC 791; RFC 1812 §5.3.1", "outer TTL", "VXLAN to us with TTL 0, then TTL 1",
      "TTL 0: dropped; TTL 1: delivered", "drop.ttl")
def r3(ctx):
    ttl0_ok = ctx.differs("outer_ttl0_delivered")
    before = ctx.counters()
    got, _ = decap_to(ctx, 100, "ff:ff:ff:ff:ff:ff", "acc0", ttl=0)
    if ttl0_ok:
        ctx.check(got, "TTL 0 packet not delivered as documented in %s" % ttl0_ok)
    else:
        expect_dropped(ctx, got, "VXLAN with outer TTL 0")
        ctx.counter_moved(before, "drop.ttl")
    got, _ = decap_to(ctx, 100, "ff:ff:ff:ff:ff:ff", "acc0", ttl=1)
    ctx.check(len(got) == 2, "VXLAN with outer TTL 1 to us not delivered (got %s)" % ports_of(got))
    probe(ctx)


@case("R4", "RFC 1122 §3.2.1.3", "bad outer source address",
      "VXLAN from 224.0.0.5, 255.255.255.255, 0.0.0.0 and from our own VTEP address",
      "nothing delivered", "drop.outer_source")
def r4(ctx):
    for source in ("224.0.0.5", "255.255.255.255", "0.0.0.0", ctx.config.vtep4):
        before = ctx.counters()
        got, _ = decap_to(ctx, 100, "ff:ff:ff:ff:ff:ff", "acc0", remote=source)
        expect_dropped(ctx, got, "VXLAN from %s" % source)
        ctx.counter_moved(before, "drop.outer_source")
    probe(ctx)


@case("R5", "IEEE 802.1Q §8.7", "bad inner source MAC",
      "inner source multicast, broadcast, the gateway's own MAC; from the overlay and from acc0",
      "nothing delivered or encapsulated", "drop.inner_source_mac")
def r5(ctx):
    own_ok = ctx.differs("inner_own_mac_forwarded")
    sources = [("multicast", "01:00:5e:00:00:01"), ("broadcast", "ff:ff:ff:ff:ff:ff")]
    sources += [("own MAC", mac) for mac in ctx.adapter.own_macs()]
    for what, src in sources:
        for side in ("ul", "acc0"):
            mark = ctx.marker()
            inner = ctx.inner(src, "ff:ff:ff:ff:ff:ff", mark)
            frame = ctx.outer(inner, 100) if side == "ul" else inner
            before = ctx.counters()
            got = with_marker(ctx.exchange([(side, frame)]), mark)
            if what == "own MAC" and own_ok:
                ctx.check(got, "own-MAC frame not forwarded as documented in %s" % own_ok)
                continue
            expect_dropped(ctx, got, "frame with inner source %s from %s" % (what, side))
            ctx.counter_moved(before, "drop.inner_source_mac")
    probe(ctx)


@case("R6", "DPDK", "multi-segment mbufs", "9000-byte frames both ways with chained mbufs",
      "delivered unchanged", "n/a", needs=("chained_mbufs",))
def r6(ctx):
    if not ctx.adapter.supports("chained_mbufs"):
        raise Skip("%s adapter: multi-segment mbufs are a DPDK property" % ctx.adapter.name)
    raise Skip("needs jumbo uplinks in the topology; not written yet")


# ---------------------------------------------------------------- interop --
@case("I1", "RFC 7432; RFC 8365", "EVPN with a kernel VTEP and FRR",
      "BGP EVPN session; type-2/3 routes; ping 56/1400 both ways; MAC withdrawal",
      "routes both ways, pings answered, MAC withdrawn", "n/a", needs=("control_plane",))
def i1(ctx):
    if not ctx.adapter.supports("control_plane"):
        raise Skip("%s adapter has no BGP EVPN control plane of its own" % ctx.adapter.name)
    raise Skip("EVPN interop topology (FRR in the peer namespace) not written yet")


@case("I2", "RFC 7348", "static flood list with a kernel VTEP",
      "ping 56 and 1400 bytes from the host behind the gateway to the host behind a kernel "
      "VTEP (192.0.2.4) and back", "every ping answered", "encap, decap")
def i2(ctx):
    seg = ctx.config.segment("i")
    before = ctx.counters()
    for size in (56, 1400):
        for ns, target in ((ctx.topo.hst, PEER_HOST_IP), (ctx.topo.peer, HOST_IP)):
            out = run(["ping", "-c2", "-i0.2", "-W1", "-s%d" % size, target], ns=ns, check=False)
            ctx.check(" 0% packet loss" in out or "2 received" in out,
                      "ping -s %d %s from %s failed: %s" % (size, target, ns.split("-")[-1],
                                                            out.strip().splitlines()[-2:]))
    ctx.counter_moved(before, "encap", seg=seg)
    ctx.counter_moved(before, "decap", seg=seg)


@case("I3", "RFC 7637", "NVGRE with an independent peer", "scapy NVGRE VTEP exchanging "
      "frames with the server", "frames delivered both ways", "n/a", needs=("nvgre",))
def i3(ctx):
    _nvgre_needed(ctx)
    mac = ctx.mac()
    got, inner = decap_nvgre(ctx, mac_src=mac)
    ctx.check(got, "NVGRE broadcast from the peer not delivered")
    mark = ctx.marker()
    out = with_marker(ctx.exchange([(("acc2", 50), ctx.inner(ctx.mac(), mac, mark))]), mark)
    ctx.check(out and out[0].port == "ul0", "reply did not reach the NVGRE peer")
