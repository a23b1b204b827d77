#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# `vtepgw --check-config` as an operator sees it: every shipped example is
# accepted with exit 0 and a summary; a file with three distinct mistakes
# prints exactly three `file:line: ...` errors, one per mistake, and exits 1;
# a missing file is one error. No DPDK is touched, so no root is needed.
set -eu
vtepgw=$1
examples=$2
work=$(mktemp -d /tmp/vtepgw-check-config.XXXXXX)
trap 'rm -rf "$work"' EXIT

for f in "$examples"/*.conf; do
	"$vtepgw" --check-config "$f" >"$work/out" 2>&1 || {
		cat "$work/out"
		echo "FAIL: example $f refused"
		exit 1
	}
	grep -q "configuration is valid" "$work/out" || {
		echo "FAIL: no summary for $f"
		exit 1
	}
done

# Line 3: VNI out of range; line 8: unknown port; line 11: VSID reserved
# by RFC 7637 §3.4.
cat >"$work/bad.conf" <<'CONF'
gateway = { name = "gw"; vtep_ipv4 = "10.0.0.1"; };
segments = (
  { name = "a"; vni = 16777216;
    members = ( { port = "p0"; } ); },
  { name = "b"; vni = 20;
    members = (
      { port = "p0"; vlan = 20; },
      { port = "nosuchport"; } ); },
  { name = "c"; vsid = 42;
    members = ( { port = "p0"; vlan = 30; } ); }
);
ports = ( { name = "p0"; role = "access"; device = "net_null0"; } );
CONF
rc=0
"$vtepgw" --check-config "$work/bad.conf" >"$work/out" 2>&1 || rc=$?
cat "$work/out"
[ "$rc" -eq 1 ] || { echo "FAIL: exit status $rc, expected 1"; exit 1; }
n=$(grep -c "^$work/bad.conf:[0-9]*: " "$work/out" || true)
[ "$n" -eq 3 ] || { echo "FAIL: $n file:line errors, expected 3"; exit 1; }
grep -q "^$work/bad.conf:3: .*16777216" "$work/out" || { echo "FAIL: VNI error not on line 3"; exit 1; }
grep -q "^$work/bad.conf:8: .*nosuchport" "$work/out" || { echo "FAIL: port error not on line 8"; exit 1; }
grep -qE "^$work/bad.conf:(9|10): .*42" "$work/out" || { echo "FAIL: VSID error not on line 9/10"; exit 1; }

rc=0
"$vtepgw" --check-config "$work/missing.conf" >"$work/out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "missing.conf" "$work/out" || { echo "FAIL: missing file"; exit 1; }
echo "check_config: ok"
