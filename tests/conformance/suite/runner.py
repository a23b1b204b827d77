# SPDX-License-Identifier: BSD-3-Clause
"""Run the cases against one adapter: table, JUnit XML, pcaps of failures."""
import argparse
import os
import signal
import sys
import time
import traceback
from xml.sax.saxutils import escape, quoteattr

from . import cases as case_module
from .adapters import ADAPTERS
from .framework import CASES, Context, Fail, Skip
from .topology import Config, Topology


class Result:
    def __init__(self, case, status, reason, seconds):
        self.case = case
        self.status = status
        self.reason = reason
        self.seconds = seconds


class Runner:
    def __init__(self, adapter, base_config=None, pcap_dir=None, verbose=False):
        self.adapter = adapter
        self.base = case_module.base_config(base_config or Config())
        self.config = None
        self.topo = None
        self.pcap_dir = pcap_dir
        self.verbose = verbose

    def apply(self, config):
        if self.config is not None and self.config.key() == config.key():
            return
        if self.config is not None:
            self.adapter.stop()
        self.config = None
        self.adapter.start(self.topo, config)
        self.config = config

    def run(self, selected):
        results = []
        self.topo = Topology()
        try:
            self.topo.build()
            for case in selected:
                results.append(self.run_case(case))
                if self.verbose:
                    print_row(results[-1])
        finally:
            try:
                if self.config is not None:
                    self.adapter.stop()
            finally:
                self.topo.destroy()
        return results

    def run_case(self, case):
        start = time.monotonic()
        ctx = Context(self, case)
        try:
            self.apply(self.base)
            case.func(ctx)
            notes = "; ".join(ctx.notes)
            status, reason = "PASS", "%d checks%s" % (ctx.checks, "; " + notes if notes else "")
        except Skip as why:
            status, reason = "SKIP", str(why)
        except Fail as why:
            status, reason = "FAIL", str(why)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # a broken adapter or suite bug is a failure, never a pass
            status, reason = "FAIL", "error: %s: %s" % (type(exc).__name__, exc)
            if self.verbose:
                traceback.print_exc()
        if status == "FAIL":
            self.save_pcap(case, ctx)
        return Result(case, status, reason, time.monotonic() - start)

    def save_pcap(self, case, ctx):
        if not self.pcap_dir or not ctx.log:
            return
        from scapy.all import Ether, wrpcap
        os.makedirs(self.pcap_dir, exist_ok=True)
        by_port = {}
        for port, data in ctx.log:
            by_port.setdefault(port, []).append(Ether(data))
        for port, frames in by_port.items():
            wrpcap(os.path.join(self.pcap_dir, "%s-%s.pcap" % (case.id, port)), frames)


def print_row(result, out=sys.stdout):
    out.write("%-4s %-26s %-4s %s\n" % (result.case.id, result.case.rfc[:26], result.status,
                                        result.reason))
    out.flush()


def write_junit(path, adapter, results):
    failures = sum(r.status == "FAIL" for r in results)
    skips = sum(r.status == "SKIP" for r in results)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<testsuite name=%s tests="%d" failures="%d" skipped="%d" time="%.3f">' % (
                 quoteattr("conformance." + adapter), len(results), failures, skips,
                 sum(r.seconds for r in results))]
    for r in results:
        name = quoteattr("%s %s" % (r.case.id, r.case.title))
        lines.append('  <testcase classname=%s name=%s time="%.3f">' % (
            quoteattr("conformance.%s.%s" % (adapter, r.case.id)), name, r.seconds))
        if r.status == "FAIL":
            lines.append('    <failure message=%s>%s</failure>' % (quoteattr(r.reason),
                                                                   escape(describe(r.case))))
        elif r.status == "SKIP":
            lines.append('    <skipped message=%s/>' % quoteattr(r.reason))
        else:
            lines.append('    <system-out>%s</system-out>' % escape(r.reason))
        lines.append('  </testcase>')
    lines.append('</testsuite>')
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")


def describe(case):
    return "%s (%s)\nsends: %s\nexpects: %s\ncounter: %s\n" % (
        case.title, case.rfc, case.sends, case.expects, case.counter)


def select(ids):
    if not ids:
        return list(CASES)
    wanted = [i.strip().upper() for i in ids.split(",") if i.strip()]
    known = {c.id: c for c in CASES}
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise SystemExit("unknown case(s): %s (known: %s)" % (", ".join(unknown),
                                                             ", ".join(known)))
    return [known[i] for i in wanted]


def _terminate(signum, _frame):
    raise KeyboardInterrupt("signal %d" % signum)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="scripts/conformance",
                                     description="vtepgw packet conformance suite")
    parser.add_argument("--adapter", choices=sorted(ADAPTERS), default="kernel")
    parser.add_argument("--cases", help="comma-separated case IDs (default: all)")
    parser.add_argument("--junit", help="write JUnit XML here")
    parser.add_argument("--pcap-dir", help="keep a pcap of each failing case here")
    parser.add_argument("--vtepgw", help="vtepgw binary (vtepgw adapter)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--break", dest="breakage", help=argparse.SUPPRESS)
    parser.add_argument("--skip-unless-root", action="store_true",
                        help="exit 77 (skipped, for meson) instead of failing when not root")
    args = parser.parse_args(argv)
    if args.list:
        for case in CASES:
            print("%-4s %-26s %s\n     sends: %s\n     expects: %s\n     counter: %s" % (
                case.id, case.rfc, case.title, case.sends, case.expects, case.counter))
        return 0
    if os.geteuid() != 0:
        print("scripts/conformance: must run as root (network namespaces, raw sockets)",
              file=sys.stderr)
        return 77 if args.skip_unless_root else 2
    selected = select(args.cases)
    adapter = ADAPTERS[args.adapter](binary=args.vtepgw) if args.adapter == "vtepgw" \
        else ADAPTERS[args.adapter]()
    config = Config()
    config.break_ = args.breakage
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    print("conformance: adapter %s, %d case(s)" % (adapter.name, len(selected)))
    print("%-4s %-26s %-4s %s" % ("ID", "RFC", "", "reason"))
    started = time.monotonic()
    try:
        results = Runner(adapter, config, args.pcap_dir, verbose=True).run(selected)
    except KeyboardInterrupt:
        print("interrupted; topology removed", file=sys.stderr)
        return 130
    counts = {s: sum(r.status == s for r in results) for s in ("PASS", "FAIL", "SKIP")}
    print("%d passed, %d failed, %d skipped in %.1f s" % (
        counts["PASS"], counts["FAIL"], counts["SKIP"], time.monotonic() - started))
    if adapter.differences:
        used = sorted({n.split()[-1] for r in results for n in r.reason.split("; ")
                       if n.startswith("documented difference")})
        for ident in used:
            print("  %s: %s" % (ident, adapter.differences[ident][0]))
    if args.junit:
        write_junit(args.junit, adapter.name, results)
    return 1 if counts["FAIL"] else 0
