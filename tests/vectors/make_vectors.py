#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Reference packets for vtepgw's encap tests, built by scapy.

scapy is the independent encoder: for each vector it builds the outer
Ethernet/802.1Q/IP/UDP+VXLAN or GRE headers around a fixed inner frame, with
checksums computed by scapy itself. The C test builds the same packet with
encap_write() and compares byte for byte.

The entropy fields depend on vtepgw's flow hash, which scapy does not know, so
each vector fixes the flow hash value handed to encap_write() and this script
applies the documented mapping (docs/encap.md) to get the UDP source port,
the NVGRE FlowID and the IPv6 flow label.

Usage:
  make_vectors.py            write tests/vectors/encap_vectors.h and the fuzz
                             seed corpora under tests/fuzz/encap/corpus/
  make_vectors.py --check    regenerate in memory, exit 1 if a committed file
                             differs
Run with Debian's /usr/bin/python3 (python3-scapy).
"""

import argparse
import os
import sys

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import ARP, GRE, Dot1Q, Ether
from scapy.layers.vxlan import VXLAN
from scapy.packet import Raw

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HEADER = os.path.join(HERE, "encap_vectors.h")
DECAP_SEEDS = os.path.join(ROOT, "tests", "fuzz", "encap", "corpus", "decap")
ROUNDTRIP_SEEDS = os.path.join(ROOT, "tests", "fuzz", "encap", "corpus", "roundtrip")

DEFAULT_SRC_MIN = 49152
DEFAULT_SRC_MAX = 65535


def udp_src_port(flow_hash, low, high):
    """entropy_udp_port(): multiply-shift of the 32-bit hash onto [low, high]."""
    return low + ((flow_hash * (high - low + 1)) >> 32)


def flow_id(flow_hash):
    """entropy_flow_id(): XOR of the four bytes of the hash."""
    folded = flow_hash ^ (flow_hash >> 16)
    return (folded ^ (folded >> 8)) & 0xFF


def outer_tos(inner_tos, ecn_compat, dscp_set):
    """RFC 6040 §4.1 normal/compatibility mode, DSCP copied or set."""
    ecn = 0 if ecn_compat else inner_tos & 3
    dscp = dscp_set if dscp_set is not None else inner_tos >> 2
    return dscp << 2 | ecn


INNER_TCP4 = bytes(
    Ether(src="00:11:22:33:44:55", dst="66:77:88:99:aa:bb")
    / IP(src="10.0.0.1", dst="10.0.0.2", tos=0x8A, id=7)
    / TCP(sport=12345, dport=80, flags="S", seq=1000)
    / Raw(b"hello, overlay")
)
# Odd length, so the UDP checksum covers a padded last byte.
INNER_UDP6 = bytes(
    Ether(src="00:11:22:33:44:66", dst="66:77:88:99:aa:cc")
    / IPv6(src="fd00::1", dst="fd00::2", tc=0x01, fl=0x12345)
    / UDP(sport=5353, dport=53)
    / Raw(b"odd-length payload")
)
INNER_ARP = bytes(
    Ether(src="00:11:22:33:44:77", dst="ff:ff:ff:ff:ff:ff")
    / ARP(op=1, hwsrc="00:11:22:33:44:77", psrc="10.1.0.1", pdst="10.1.0.2")
)
INNER_ICMP4 = bytes(
    Ether(src="00:11:22:33:44:88", dst="66:77:88:99:aa:dd")
    / IP(src="10.2.0.1", dst="10.2.0.2", tos=0x03, id=9)
    / ICMP(type=8, id=1, seq=1)
    / Raw(b"ping")
)


def udp6_zero_checksum_inner():
    """An inner frame whose VXLAN/IPv6 UDP checksum computes to 0, which the
    wire must carry as 0xFFFF (RFC 768, RFC 8200 §8.1). Two payload bytes at
    an even offset from the UDP header are chosen to make the sum 0xFFFF."""
    base = bytearray(
        bytes(
            Ether(src="00:11:22:33:44:99", dst="66:77:88:99:aa:ee")
            / IPv6(src="fd00::3", dst="fd00::4")
            / UDP(sport=7, dport=7, chksum=0)
            / Raw(b"\x00\x00tune")
        )
    )
    return base


VECTORS = [
    dict(name="vxlan_ipv4", type="TUNNEL_VXLAN", family="AF_INET",
         src_mac="02:00:00:00:00:01", dst_mac="02:00:00:00:00:02", vlan=0,
         src="192.0.2.1", dst="192.0.2.2", udp_dst=4789, udp_min=0, udp_max=0,
         ttl=64, dscp_set=None, ecn_compat=False, segment=0x123456,
         nvgre_flow_id=False, flow_hash=0x89ABCDEF, inner=INNER_TCP4),
    dict(name="vxlan_ipv6", type="TUNNEL_VXLAN", family="AF_INET6",
         src_mac="02:00:00:00:01:01", dst_mac="02:00:00:00:01:02", vlan=100,
         src="2001:db8::1", dst="2001:db8::2", udp_dst=4789, udp_min=50000,
         udp_max=50999, ttl=32, dscp_set=46, ecn_compat=False, segment=5000,
         nvgre_flow_id=False, flow_hash=0x0BADF00D, inner=INNER_UDP6),
    dict(name="nvgre_ipv4", type="TUNNEL_NVGRE", family="AF_INET",
         src_mac="02:00:00:00:02:01", dst_mac="02:00:00:00:02:02", vlan=200,
         src="198.51.100.1", dst="198.51.100.2", udp_dst=0, udp_min=0, udp_max=0,
         ttl=255, dscp_set=10, ecn_compat=True, segment=0x00ABCD,
         nvgre_flow_id=True, flow_hash=0xDEADBEEF, inner=INNER_ARP),
    dict(name="nvgre_ipv6", type="TUNNEL_NVGRE", family="AF_INET6",
         src_mac="02:00:00:00:03:01", dst_mac="02:00:00:00:03:02", vlan=0,
         src="2001:db8:1::1", dst="2001:db8:2::2", udp_dst=0, udp_min=0,
         udp_max=0, ttl=1, dscp_set=None, ecn_compat=False, segment=0x123456,
         nvgre_flow_id=False, flow_hash=0x13579BDF, inner=INNER_ICMP4),
    dict(name="vxlan_ipv6_checksum_ffff", type="TUNNEL_VXLAN", family="AF_INET6",
         src_mac="02:00:00:00:04:01", dst_mac="02:00:00:00:04:02", vlan=0,
         src="2001:db8::11", dst="2001:db8::12", udp_dst=4789, udp_min=0,
         udp_max=0, ttl=64, dscp_set=None, ecn_compat=False, segment=77,
         nvgre_flow_id=False, flow_hash=0x2468ACE0, inner=None),
]


def tos_of(inner):
    eth = Ether(inner)
    if IP in eth:
        return eth[IP].tos
    if IPv6 in eth:
        return eth[IPv6].tc
    return 0


def build(v):
    low = v["udp_min"] or DEFAULT_SRC_MIN
    high = v["udp_max"] or DEFAULT_SRC_MAX
    h = v["flow_hash"]
    tos = outer_tos(tos_of(v["inner"]), v["ecn_compat"], v["dscp_set"])
    pkt = Ether(src=v["src_mac"], dst=v["dst_mac"])
    if v["vlan"]:
        pkt = pkt / Dot1Q(vlan=v["vlan"])
    if v["family"] == "AF_INET":
        ip = IP(src=v["src"], dst=v["dst"], ttl=v["ttl"], tos=tos, flags="DF", id=0)
    else:
        ip = IPv6(src=v["src"], dst=v["dst"], hlim=v["ttl"], tc=tos, fl=h & 0xFFFFF)
    if v["type"] == "TUNNEL_VXLAN":
        udp = UDP(sport=udp_src_port(h, low, high), dport=v["udp_dst"])
        if v["family"] == "AF_INET":
            udp.chksum = 0  # RFC 7348 §5
        else:
            ip.nh = 17
        tunnel = udp / VXLAN(flags=0x08, vni=v["segment"])
    else:
        fid = flow_id(h) if v["nvgre_flow_id"] else 0
        if v["family"] == "AF_INET":
            ip.proto = 47
        else:
            ip.nh = 47
        tunnel = GRE(key_present=1, proto=0x6558, key=v["segment"] << 8 | fid)
    return bytes(pkt / ip / tunnel / Raw(v["inner"]))


def tune_zero_checksum(v):
    """Fill in the inner frame of the 0xFFFF vector (see udp6_zero_checksum_inner)."""
    inner = udp6_zero_checksum_inner()
    # Offset of the two tunable bytes: end of the inner frame minus "tune".
    pos = len(inner) - 6
    assert pos % 2 == 0
    v["inner"] = bytes(inner)
    pkt = build(v)
    hdr = len(pkt) - len(inner)
    udp_off = hdr - 16
    checksum = int.from_bytes(pkt[udp_off + 6:udp_off + 8], "big")
    # With the word at 0 the sum is ~checksum; adding `checksum` makes it
    # 0xFFFF, whose complement 0 goes on the wire as 0xFFFF.
    inner[pos:pos + 2] = checksum.to_bytes(2, "big")
    v["inner"] = bytes(inner)
    pkt = build(v)
    assert pkt[udp_off + 6:udp_off + 8] == b"\xff\xff", "checksum tuning failed"


def c_bytes(data, indent="\t"):
    lines = []
    for i in range(0, len(data), 12):
        lines.append(indent + ", ".join("0x%02x" % b for b in data[i:i + 12]) + ",")
    return "\n".join(lines)


def c_mac(mac):
    return "{" + ", ".join("0x" + x for x in mac.split(":")) + "}"


def header_text(vectors):
    out = [
        "/* SPDX-License-Identifier: BSD-3-Clause */",
        "/* Generated by tests/vectors/make_vectors.py with scapy; do not edit. */",
        "/* clang-format off */",
        "#ifndef VTEPGW_TESTS_ENCAP_VECTORS_H",
        "#define VTEPGW_TESTS_ENCAP_VECTORS_H",
        "",
        "#include <stdbool.h>",
        "#include <stddef.h>",
        "#include <stdint.h>",
        "#include <sys/socket.h>",
        "",
        '#include "encap/tunnel.h"',
        "",
        "struct encap_vector {",
        "\tconst char *name;",
        "\tenum tunnel_type type;",
        "\tint family;",
        "\tuint8_t src_mac[6];",
        "\tuint8_t dst_mac[6];",
        "\tuint16_t outer_vlan;",
        "\tconst char *src; /* outer addresses, for inet_pton() */",
        "\tconst char *dst;",
        "\tuint16_t udp_dst_port;",
        "\tuint16_t udp_src_min;",
        "\tuint16_t udp_src_max;",
        "\tuint8_t ttl;",
        "\tenum dscp_mode dscp_mode;",
        "\tuint8_t dscp;",
        "\tenum ecn_mode ecn_mode;",
        "\tuint32_t segment_id;",
        "\tbool nvgre_flow_id;",
        "\tuint32_t flow_hash; /* handed to encap_write() */",
        "\tconst uint8_t *inner;",
        "\tsize_t inner_len;",
        "\tconst uint8_t *packet; /* scapy's encapsulated frame */",
        "\tsize_t packet_len;",
        "};",
        "",
    ]
    for v in vectors:
        out.append("static const uint8_t %s_inner[%d] = {" % (v["name"], len(v["inner"])))
        out.append(c_bytes(v["inner"]))
        out.append("};")
        out.append("static const uint8_t %s_packet[%d] = {" % (v["name"], len(v["packet"])))
        out.append(c_bytes(v["packet"]))
        out.append("};")
        out.append("")
    out.append("static const struct encap_vector encap_vectors[] = {")
    for v in vectors:
        out.append("\t{")
        out.append('\t\t.name = "%s",' % v["name"])
        out.append("\t\t.type = %s," % v["type"])
        out.append("\t\t.family = %s," % v["family"])
        out.append("\t\t.src_mac = %s," % c_mac(v["src_mac"]))
        out.append("\t\t.dst_mac = %s," % c_mac(v["dst_mac"]))
        out.append("\t\t.outer_vlan = %d," % v["vlan"])
        out.append('\t\t.src = "%s",' % v["src"])
        out.append('\t\t.dst = "%s",' % v["dst"])
        out.append("\t\t.udp_dst_port = %d," % v["udp_dst"])
        out.append("\t\t.udp_src_min = %d," % v["udp_min"])
        out.append("\t\t.udp_src_max = %d," % v["udp_max"])
        out.append("\t\t.ttl = %d," % v["ttl"])
        if v["dscp_set"] is None:
            out.append("\t\t.dscp_mode = DSCP_MODE_COPY,")
            out.append("\t\t.dscp = 0,")
        else:
            out.append("\t\t.dscp_mode = DSCP_MODE_SET,")
            out.append("\t\t.dscp = %d," % v["dscp_set"])
        out.append("\t\t.ecn_mode = %s," % ("ECN_MODE_COMPAT" if v["ecn_compat"] else "ECN_MODE_NORMAL"))
        out.append("\t\t.segment_id = 0x%06x," % v["segment"])
        out.append("\t\t.nvgre_flow_id = %s," % ("true" if v["nvgre_flow_id"] else "false"))
        out.append("\t\t.flow_hash = 0x%08x," % v["flow_hash"])
        out.append("\t\t.inner = %s_inner," % v["name"])
        out.append("\t\t.inner_len = sizeof(%s_inner)," % v["name"])
        out.append("\t\t.packet = %s_packet," % v["name"])
        out.append("\t\t.packet_len = sizeof(%s_packet)," % v["name"])
        out.append("\t},")
    out.append("};")
    out.append("")
    out.append("#endif")
    return "\n".join(out) + "\n"


def roundtrip_seed(v):
    """Input of fuzz_encap_roundtrip: an 8-byte parameter block, then the inner
    frame (layout in tests/fuzz/encap/fuzz_encap_roundtrip.c)."""
    selector = (
        (1 if v["type"] == "TUNNEL_NVGRE" else 0)
        | (2 if v["family"] == "AF_INET6" else 0)
        | (4 if v["vlan"] else 0)
        | (8 if v["dscp_set"] is not None else 0)
        | (16 if v["ecn_compat"] else 0)
        | (32 if v["nvgre_flow_id"] else 0)
    )
    params = bytes([selector]) + v["segment"].to_bytes(3, "big")
    params += bytes([v["ttl"], v["dscp_set"] or 0]) + v["vlan"].to_bytes(2, "big")
    return params + v["inner"]


def generate():
    vectors = [dict(v) for v in VECTORS]
    files = {}
    for v in vectors:
        if v["inner"] is None:
            tune_zero_checksum(v)
        v["packet"] = build(v)
        files[os.path.join(DECAP_SEEDS, v["name"] + ".bin")] = v["packet"]
        files[os.path.join(ROUNDTRIP_SEEDS, v["name"] + ".bin")] = roundtrip_seed(v)
    files[HEADER] = header_text(vectors).encode()
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed files instead of writing")
    args = parser.parse_args()
    files = generate()
    if args.check:
        stale = []
        for path, data in sorted(files.items()):
            try:
                with open(path, "rb") as f:
                    if f.read() == data:
                        continue
            except FileNotFoundError:
                pass
            stale.append(os.path.relpath(path, ROOT))
        for path in stale:
            print("differs from scapy's output: " + path, file=sys.stderr)
        return 1 if stale else 0
    for path, data in files.items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
