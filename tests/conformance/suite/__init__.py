# SPDX-License-Identifier: BSD-3-Clause
"""vtepgw packet conformance suite (RFC 7348, RFC 7637, RFC 6040).

scapy is the independent reference encoder/decoder; the device under test is
reached through an adapter (suite.adapters) so the same cases run against the
Linux kernel's vxlan implementation and against vtepgw.
"""
