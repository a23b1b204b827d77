# SPDX-License-Identifier: BSD-3-Clause
"""Minimal DPDK telemetry client: telemetry.py SOCKET CMD [EXPR].
Prints the answer of CMD as JSON, or the value of EXPR evaluated with the
answer bound to `d`."""
import json
import socket
import sys


def query(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    json.loads(s.recv(1024 * 16))  # greeting
    s.send(cmd.encode())
    answer = json.loads(s.recv(1024 * 64))
    s.close()
    return answer[cmd.split(",")[0]]


def main():
    d = query(sys.argv[1], sys.argv[2])
    if d is None:
        sys.exit("%s: unknown command (daemon still starting?)" % sys.argv[2])
    if len(sys.argv) > 3:
        print(eval(sys.argv[3], {}, {"d": d}))
    else:
        print(json.dumps(d, indent=1, sort_keys=True))


main()
