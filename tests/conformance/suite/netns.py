# SPDX-License-Identifier: BSD-3-Clause
"""Network namespaces and raw Ethernet ports inside them.

Packet sockets are opened from inside the namespace (setns on this thread,
then back), so the runner itself stays in the root namespace and one process
talks to every side of the topology without helper subprocesses.
"""
import ctypes
import os
import select
import socket
import struct
import subprocess
import time

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40

_libc = ctypes.CDLL(None, use_errno=True)


class CommandError(RuntimeError):
    pass


def run(args, ns=None, check=True, input_text=None, timeout=20):
    """Run a command (list of str), optionally inside namespace `ns`.
    Returns stdout; raises CommandError with stderr on failure."""
    if ns is not None:
        args = ["ip", "netns", "exec", ns] + list(args)
    proc = subprocess.run(args, capture_output=True, text=True, input=input_text, timeout=timeout)
    if check and proc.returncode != 0:
        raise CommandError("%s: %s" % (" ".join(args), (proc.stderr or proc.stdout).strip()))
    return proc.stdout


def ip(ns, *args, check=True):
    """`ip -n NS ARGS...`; args are split on spaces when given as one string."""
    if len(args) == 1 and isinstance(args[0], str):
        args = args[0].split()
    return run(["ip", "-n", ns] + list(args), check=check)


class InNetns:
    """Context manager: this thread enters namespace `name` and comes back."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.own = os.open("/proc/self/ns/net", os.O_RDONLY)
        target = os.open("/run/netns/" + self.name, os.O_RDONLY)
        try:
            if _libc.setns(target, CLONE_NEWNET) != 0:
                err = ctypes.get_errno()
                raise OSError(err, "setns(%s): %s" % (self.name, os.strerror(err)))
        finally:
            os.close(target)
        return self

    def __exit__(self, *exc):
        try:
            if _libc.setns(self.own, CLONE_NEWNET) != 0:
                err = ctypes.get_errno()
                raise OSError(err, "setns back: %s" % os.strerror(err))
        finally:
            os.close(self.own)
        return False


class Frame:
    """One captured frame: which port, the bytes (802.1Q tag re-inserted)."""

    __slots__ = ("port", "data", "time")

    def __init__(self, port, data, when):
        self.port = port
        self.data = data
        self.time = when

    def __repr__(self):
        return "Frame(%s, %d bytes)" % (self.port, len(self.data))


class Port:
    """A raw AF_PACKET socket bound to `ifname` inside namespace `ns`.

    The kernel strips a received 802.1Q tag into metadata before packet
    sockets see the frame; PACKET_AUXDATA gives it back and we re-insert it so
    the suite always sees the frame as it was on the wire."""

    def __init__(self, ns, ifname, label=None):
        self.ns = ns
        self.ifname = ifname
        self.label = label or ifname
        with InNetns(ns):
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            sock.bind((ifname, 0))
        sock.setblocking(False)
        self.sock = sock

    def fileno(self):
        return self.sock.fileno()

    def send(self, frame):
        data = bytes(frame)
        self.sock.send(data)

    def read_ready(self):
        """Every frame queued now (not waiting); our own transmissions are skipped."""
        frames = []
        while True:
            try:
                data, anc, _flags, addr = self.sock.recvmsg(65535, socket.CMSG_SPACE(32))
            except BlockingIOError:
                return frames
            if addr[2] == PACKET_OUTGOING:
                continue
            for level, kind, payload in anc:
                if level != SOL_PACKET or kind != PACKET_AUXDATA or len(payload) < 20:
                    continue
                status, _l, _s, _mac, _net, tci, tpid = struct.unpack("IIIHHHH", payload[:20])
                if status & TP_STATUS_VLAN_VALID:
                    if not status & TP_STATUS_VLAN_TPID_VALID:
                        tpid = 0x8100
                    data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
            frames.append(Frame(self.label, data, time.monotonic()))

    def close(self):
        self.sock.close()


def capture(ports, window, stop=None):
    """Collect frames from `ports` for `window` seconds, or until stop(frames)
    is true. Returns the list of Frames in arrival order."""
    frames = []
    deadline = time.monotonic() + window
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select(ports, [], [], left)
        for port in ready:
            frames.extend(port.read_ready())
        if stop is not None and stop(frames):
            break
    return frames


def drain(ports):
    for port in ports:
        port.read_ready()
