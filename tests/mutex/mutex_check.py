#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks for tests/mutex (independent of ordo-mutexd's code).

  mutex_check.py history FILE ENTRIES
      FILE has one "begin TOKEN NODE PID" and one "end TOKEN NODE PID"
      line per critical section, appended by the holders themselves: the
      sections must not overlap (each begin is followed by its own end),
      fencing tokens must increase strictly, and there must be ENTRIES.
  mutex_check.py sum LOCK FIELD STATUS.json...
      the sum over nodes of a lock's FIELD in `ordoctl -j lock status`
      ("sent", "opdone_sent", "messages.TOKEN.sent", ...)
  mutex_check.py spread LOCK FIELD STATUS.json...
      max - min of FIELD over the nodes
  mutex_check.py get FIELD STATUS.json
      a top-level field ("malformed", "coordinator", ...)
  mutex_check.py alive STATUS.json
      exit 0 when the node sees every peer alive
  mutex_check.py wire ALGORITHM STATUS.json...
      the sum over nodes of the datagrams of ALGORITHM's protocol sent on
      the wire (every type, retransmissions included)
  mutex_check.py total FIELD STATUS.json...
      the sum over nodes of a top-level field ("retransmitted", ...)
"""
import json
import sys


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def history(path, entries):
    lines = [ln.split() for ln in open(path) if ln.strip()]
    open_cs = None
    last = -1
    done = 0
    for i, f in enumerate(lines, 1):
        if len(f) != 4 or f[0] not in ("begin", "end"):
            fail(f"{path}:{i}: malformed line {' '.join(f)!r}")
        kind, tok, node, pid = f[0], int(f[1]), f[2], f[3]
        if kind == "begin":
            if open_cs is not None:
                fail(f"{path}:{i}: overlap: token {tok} (node {node}) begins "
                     f"inside token {open_cs[0]} (node {open_cs[1]})")
            if tok <= last:
                fail(f"{path}:{i}: token {tok} does not increase (after {last})")
            open_cs = (tok, node, pid)
            last = tok
        else:
            if open_cs != (tok, node, pid):
                fail(f"{path}:{i}: end of token {tok} (node {node}) but the open "
                     f"section is {open_cs}")
            open_cs = None
            done += 1
    if open_cs is not None:
        fail(f"{path}: section of token {open_cs[0]} never ended")
    if done != entries:
        fail(f"{path}: {done} critical sections, expected {entries}")
    print(f"{path}: {done} sections, no overlap, tokens increasing")


def field(lock_status, name):
    v = lock_status
    for part in name.split("."):
        v = v.get(part, 0) if isinstance(v, dict) else 0
    return int(v)


def per_node(lock, name, files):
    out = []
    for p in files:
        st = json.load(open(p))
        ls = [x for x in st["locks"] if x["name"] == lock]
        if not ls:
            fail(f"{p}: no lock {lock}")
        out.append(field(ls[0], name))
    return out


def main():
    if len(sys.argv) < 3:
        fail(__doc__)
    cmd = sys.argv[1]
    if cmd == "history" and len(sys.argv) == 4:
        history(sys.argv[2], int(sys.argv[3]))
    elif cmd == "sum" and len(sys.argv) >= 5:
        print(sum(per_node(sys.argv[2], sys.argv[3], sys.argv[4:])))
    elif cmd == "spread" and len(sys.argv) >= 5:
        v = per_node(sys.argv[2], sys.argv[3], sys.argv[4:])
        print(max(v) - min(v))
    elif cmd == "alive" and len(sys.argv) == 3:
        st = json.load(open(sys.argv[2]))
        sys.exit(0 if all(p["state"] == "alive" for p in st["peers"]) else 1)
    elif cmd == "wire" and len(sys.argv) >= 4:
        n = 0
        for p in sys.argv[3:]:
            for w in json.load(open(p))["wire"]:
                if w["algorithm"] == sys.argv[2]:
                    n += sum(int(t["sent"]) for t in w["messages"].values())
        print(n)
    elif cmd == "total" and len(sys.argv) >= 4:
        print(sum(int(json.load(open(p))[sys.argv[2]]) for p in sys.argv[3:]))
    elif cmd == "get" and len(sys.argv) == 4:
        print(int(json.load(open(sys.argv[3]))[sys.argv[2]]))
    else:
        fail(__doc__)


if __name__ == "__main__":
    main()
