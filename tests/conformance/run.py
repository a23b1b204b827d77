#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Entry point of the conformance suite; see docs/conformance.md."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    from suite.runner import main  # noqa: E402
except ImportError as exc:
    sys.exit("conformance: %s (run with Debian's /usr/bin/python3 and python3-scapy)" % exc)

if __name__ == "__main__":
    sys.exit(main())
