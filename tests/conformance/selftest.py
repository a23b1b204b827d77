#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Test of the suite itself (issue 5 acceptance): a deliberately broken
gateway makes the matching case fail with a clear reason, and the same case
passes when nothing is broken. Breakage is done by configuration of the
kernel adapter (see KernelAdapter.BREAKAGES)."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from suite.adapters import KernelAdapter  # noqa: E402
from suite.framework import CASES  # noqa: E402
from suite.runner import Runner, write_junit  # noqa: E402
from suite.topology import Config  # noqa: E402

# breakage -> (case, text the failure reason must contain)
EXPECTED = [
    (None, "V1", None),
    ("wrong_vni", "V1", "VNI 101, expected 100"),
    ("wrong_port", "V1", "UDP destination port 4790, expected 4789"),
    (None, "B3", None),
    ("flood_back", "B3", "never back to the overlay"),
    ("no_df", "V3", "DF not set"),
]


def main():
    if os.geteuid() != 0:
        print("selftest: must run as root")
        return 77  # meson: skipped
    by_id = {c.id: c for c in CASES}
    failures = 0
    with tempfile.TemporaryDirectory() as pcaps:
        for breakage, ident, needle in EXPECTED:
            config = Config()
            config.break_ = breakage
            runner = Runner(KernelAdapter(), config, pcap_dir=pcaps)
            result = runner.run([by_id[ident]])[0]
            label = "%s with %s" % (ident, breakage or "nothing broken")
            if needle is None:
                ok = result.status == "PASS"
            else:
                ok = (result.status == "FAIL" and needle in result.reason
                      and os.path.exists(os.path.join(pcaps, "%s-ul0.pcap" % ident)))
            print("%s %s: %s %s" % ("ok  " if ok else "FAIL", label, result.status, result.reason))
            failures += not ok
            for name in os.listdir(pcaps):
                os.unlink(os.path.join(pcaps, name))
        junit = os.path.join(pcaps, "j.xml")
        write_junit(junit, "kernel", [result])
        with open(junit) as xml:
            ok = "<failure" in xml.read()
        print("%s JUnit XML records the failure" % ("ok  " if ok else "FAIL"))
        failures += not ok
    print("selftest: %d problem(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
