# SPDX-License-Identifier: BSD-3-Clause
"""FRR daemons (zebra, bgpd) of one network namespace, with their own
pathspace (-N NAME: /etc/frr/NAME, /var/run/frr/NAME) so runs side by side
never share a vty socket or a pid file. Used by I1 (EVPN interop)."""
import json
import os
import shutil
import signal
import subprocess
import time

LIBEXEC = "/usr/lib/frr"


def available():
    return os.access(os.path.join(LIBEXEC, "zebra"), os.X_OK) and shutil.which("vtysh")


class Frr:
    def __init__(self, ns, pathspace, logdir):
        self.ns = ns
        self.pathspace = pathspace
        self.logdir = logdir
        self.etc = "/etc/frr/" + pathspace
        self.run = "/var/run/frr/" + pathspace
        self.conf = os.path.join(self.etc, "frr.conf")
        self.started = []

    def prepare(self, text=None):
        """Directories owned by frr; frr.conf from `text`, or empty for a
        writer that keeps the file's owner (vtepgw's manage_frr)."""
        for path in (self.etc, self.run):
            os.makedirs(path, exist_ok=True)
            shutil.chown(path, "frr", "frr")
        with open(self.conf, "w") as out:
            out.write(text or "")
        os.chmod(self.conf, 0o640)
        shutil.chown(self.conf, "frr", "frr")

    def start(self, daemons=("zebra", "bgpd")):
        for daemon in daemons:
            with open(os.path.join(self.logdir, "%s-%s.out" % (self.pathspace, daemon)), "ab") as log:
                subprocess.run(["ip", "netns", "exec", self.ns, os.path.join(LIBEXEC, daemon), "-d",
                                "-N", self.pathspace, "-f", self.conf, "-i",
                                os.path.join(self.run, daemon + ".pid")],
                               stdout=log, stderr=subprocess.STDOUT, check=True, timeout=20)
            self.started.append(daemon)

    def stop(self):
        """Stop every daemon this pathspace runs and remove its directories."""
        for daemon in ("bgpd", "zebra"):
            pidfile = os.path.join(self.run, daemon + ".pid")
            try:
                with open(pidfile) as f:
                    pid = int(f.read().strip())
            except (OSError, ValueError):
                continue
            try:
                os.kill(pid, signal.SIGTERM)
                for _ in range(50):
                    os.kill(pid, 0)
                    time.sleep(0.1)
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.started = []
        shutil.rmtree(self.run, ignore_errors=True)
        shutil.rmtree(self.etc, ignore_errors=True)

    def vtysh(self, command):
        proc = subprocess.run(["vtysh", "-N", self.pathspace, "-c", command], capture_output=True,
                              text=True, timeout=10)
        return proc.stdout

    def vtysh_json(self, command):
        try:
            return json.loads(self.vtysh(command) or "{}")
        except ValueError:
            return {}
