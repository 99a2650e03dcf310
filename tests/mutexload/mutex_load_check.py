#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks of tests/mutexload over mx_load's output (independent of
ordo-mutexd's and libordo's code).

  mutex_load_check.py check HISTORY SHARED --clients C --entries K
                      --nodes N [--fair [--strict]] [--transit-ms MS] [--json]
                      [--summary JSON --algorithm ALGORITHM]
      HISTORY: mx_load --history, one line per entry
          client node entry token t_req t_grant t_rel   (ns)
      SHARED: mx_load --file, "begin TOKEN NODE CLIENT" and "end ..."
      lines appended by the holders (O_APPEND).
      Safety: C x K entries, each client's entries 1..K (every request
      granted); in grant order no entry is granted before the previous
      one was released, tokens strictly increase; the shared file has one
      begin/end pair per entry, never interleaved, tokens increasing, the
      same (token, node, client) as the history.
      Fairness (--fair, the bounded-wait algorithms): the wait of an
      entry of a client on a node with c clients is at most
      (c*N) * (H + G), H the longest critical section and G the longest
      time from the lock becoming free for an entry to its grant, both
      measured in the run: at most c*N - 1 overtakes (grants to other
      clients between its request and its grant), each a hold and a
      handoff, then its own handoff (Documentation/ordo-mutexd.rst,
      "LOAD AND FAIRNESS"). The overtakes are printed against c*N - 1,
      counted from --transit-ms (default G) after the client's request:
      the moment it can have reached the other nodes, which the client
      cannot see. --strict asserts them too, which holds only when holds
      are longer than message transfers: a request in flight can be
      overtaken more.
      Prints the figures (max overtakes, max wait, bounds); --json: as
      one JSON object.
      --summary (mx_load -j): the daemons' counters, exactly: grants =
      C x K; Ricart-Agrawala 2(N-1) and Lamport 3(N-1) messages sent
      and received per entry, central 3 per entry of a client on a node
      other than node 1 (the coordinator); one operation-done mark per
      entry (central: per remote entry, ring: per entry).
  mutex_load_check.py delays HISTORY
      JSON: the entry delay (request to grant) and the synchronization
      delay (a release to the next grant, when that one was already
      waiting), mean, median (the lower one), min and max in ms.
"""
import argparse
import bisect
import json
import sys


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def read_history(path):
    ents = []
    for i, ln in enumerate(open(path), 1):
        if not ln.strip() or ln.startswith("#"):
            continue
        f = ln.split()
        if len(f) != 7:
            fail(f"{path}:{i}: malformed line {ln.strip()!r}")
        c, node, k, tok, tq, tg, tr = (int(x) for x in f)
        if not tq <= tg <= tr:
            fail(f"{path}:{i}: times out of order: request {tq}, grant {tg}, release {tr}")
        ents.append(dict(client=c, node=node, k=k, token=tok, req=tq,
                         grant=tg, rel=tr))
    return ents


def check_shared(path, expect):
    """expect: the history's (token, node, client) in grant order"""
    lines = [ln.split() for ln in open(path) if ln.strip()]
    open_cs = None
    last = -1
    seen = []
    for i, f in enumerate(lines, 1):
        if len(f) != 4 or f[0] not in ("begin", "end"):
            fail(f"{path}:{i}: malformed or interleaved line {' '.join(f)!r}")
        kind, who = f[0], (int(f[1]), int(f[2]), int(f[3]))
        if kind == "begin":
            if open_cs is not None:
                fail(f"{path}:{i}: interleaved: token {who[0]} (node {who[1]} "
                     f"client {who[2]}) begins inside token {open_cs[0]}")
            if who[0] <= last:
                fail(f"{path}:{i}: token {who[0]} does not increase (after {last})")
            open_cs = who
            last = who[0]
        else:
            if open_cs != who:
                fail(f"{path}:{i}: interleaved or unmatched: end of token "
                     f"{who[0]} but the open section is {open_cs}")
            seen.append(who)
            open_cs = None
    if open_cs is not None:
        fail(f"{path}: section of token {open_cs[0]} never ended")
    if seen != expect:
        n = next((j for j, (a, b) in enumerate(zip(seen, expect)) if a != b),
                 min(len(seen), len(expect)))
        fail(f"{path}: {len(seen)} sections, the history {len(expect)}; "
             f"first difference at section {n + 1}: "
             f"{seen[n] if n < len(seen) else None} vs "
             f"{expect[n] if n < len(expect) else None}")


def check(a):
    ents = read_history(a.history)
    want = a.clients * a.entries
    if len(ents) != want:
        fail(f"{a.history}: {len(ents)} entries granted, expected {want}")
    per = {}
    for e in ents:
        per.setdefault(e["client"], []).append(e["k"])
    if sorted(per) != list(range(1, a.clients + 1)):
        fail(f"{a.history}: clients {sorted(per)}, expected 1..{a.clients}")
    for c, ks in per.items():
        if sorted(ks) != list(range(1, a.entries + 1)):
            fail(f"{a.history}: client {c} has entries {sorted(ks)[:5]}..., "
                 f"expected 1..{a.entries}")
    ents.sort(key=lambda e: e["grant"])
    for p, e in zip(ents, ents[1:]):
        if e["grant"] < p["rel"]:
            fail(f"overlap: token {e['token']} (client {e['client']}) granted "
                 f"{(p['rel'] - e['grant']) / 1e6:.3f} ms before token "
                 f"{p['token']} (client {p['client']}) was released")
        if e["token"] <= p["token"]:
            fail(f"token {e['token']} (client {e['client']}) does not increase "
                 f"(after {p['token']})")
    check_shared(a.shared, [(e["token"], e["node"], e["client"]) for e in ents])

    # fairness: overtakes and waits
    nodes = sorted({e["node"] for e in ents})
    if len(nodes) != a.nodes:
        fail(f"{a.history}: clients on nodes {nodes}, expected {a.nodes} nodes")
    cnode = {}
    for c in per:
        n = next(e["node"] for e in ents if e["client"] == c)
        cnode[n] = cnode.get(n, 0) + 1
    grants = [e["grant"] for e in ents]
    H = max(e["rel"] - e["grant"] for e in ents)
    G = 0
    for p, e in zip([None] + ents, ents):
        free = e["req"] if p is None else max(p["rel"], e["req"])
        G = max(G, e["grant"] - free)
    # a request counts as made once it can have reached the other nodes:
    # --transit-ms after the client's clock read, by default G (every
    # remote grant needs at least one message transfer, so G is the
    # longest transfer seen in the run, scheduling included)
    transit = G if a.transit_ms is None else a.transit_ms * 1e6
    worst = {}
    bad = []
    for i, e in enumerate(ents):
        # grants to others after the request (once it reached the daemon,
        # at most transit after t_req), before this one
        lo = bisect.bisect_right(grants, e["req"] + transit)
        ov = max(0, i - lo)
        raw = i - bisect.bisect_right(grants, e["req"])
        wait = e["grant"] - e["req"]
        b = cnode[e["node"]] * a.nodes - 1
        w = worst.setdefault(e["node"], dict(clients=cnode[e["node"]],
                                             bound=b, overtakes=0, wait_ms=0.0))
        w["overtakes"] = max(w["overtakes"], ov)
        w["overtakes_raw"] = max(w.get("overtakes_raw", 0), raw)
        w["wait_ms"] = max(w["wait_ms"], wait / 1e6)
        tb = (b + 1) * (H + G)
        w["wait_bound_ms"] = tb / 1e6
        if a.fair and (wait > tb or (a.strict and ov > b)):
            bad.append(f"client {e['client']} (node {e['node']}) entry {e['k']}: "
                       f"{ov} overtakes (bound {b}), waited {wait / 1e6:.1f} ms "
                       f"(bound {tb / 1e6:.1f} ms)")
    res = dict(entries=len(ents), hold_max_ms=H / 1e6, free_to_grant_max_ms=G / 1e6,
               transit_ms=transit / 1e6,
               nodes={str(n): worst[n] for n in nodes},
               max_overtakes=max(w["overtakes"] for w in worst.values()),
               max_wait_ms=max(w["wait_ms"] for w in worst.values()),
               elapsed_s=(ents[-1]["rel"] - min(e["req"] for e in ents)) / 1e9)
    if a.json:
        print(json.dumps(res, sort_keys=True))
    else:
        print(f"{len(ents)} entries of {a.clients} clients: no overlap, tokens "
              f"increasing, shared file not interleaved, every request granted")
        for n in nodes:
            w = worst[n]
            print(f"node {n}: {w['clients']} clients, max {w['overtakes']} overtakes "
                  f"(bound {w['bound']}; {w['overtakes_raw']} counting from the "
                  f"client's request), max wait {w['wait_ms']:.1f} ms "
                  f"(bound {w['wait_bound_ms']:.1f} ms)")
        print(f"longest hold H {H / 1e6:.2f} ms, longest free-to-grant G {G / 1e6:.2f} ms, "
              f"overtakes counted from {transit / 1e6:.2f} ms after a request")
    if bad:
        fail(f"{len(bad)} entries beyond the bounded wait, e.g. " + "; ".join(bad[:3]))
    if a.summary:
        counts(a, ents)


def counts(a, ents):
    """the daemons' counters in mx_load's summary against the formulas"""
    s = json.load(open(a.summary))
    n, e = a.nodes, len(ents)
    remote = sum(1 for x in ents if x["node"] != 1)	# node 1: the coordinator
    print("%d entries in %.1f s (%.1f/s), latency mean %.1f ms p99 %.1f ms max %.1f ms, "
          "%.2f messages/entry %s" % (
              s["entries"], s["elapsed_s"], s["entries_per_s"], s["latency_mean_ms"],
              s["latency_p99_ms"], s["latency_max_ms"], s["messages_per_entry"],
              " ".join("%s=%d" % kv for kv in sorted(s["messages"].items()))))
    want = {"daemon_entries": e}
    if a.algorithm == "central":
        want.update(sent=3 * remote, received=3 * remote, opdone_sent=remote)
    elif a.algorithm == "ricart-agrawala":
        want.update(sent=2 * (n - 1) * e, received=2 * (n - 1) * e, opdone_sent=e)
    elif a.algorithm == "lamport":
        want.update(sent=3 * (n - 1) * e, received=3 * (n - 1) * e, opdone_sent=e)
    elif a.algorithm == "ring":
        want.update(opdone_sent=e)
    if s["algorithm"] != a.algorithm:
        fail(f"{a.summary}: algorithm {s['algorithm']}, expected {a.algorithm}")
    wrong = [f"{k} {s[k]}, expected {v}" for k, v in want.items() if s[k] != v]
    if wrong:
        fail(f"{a.algorithm} counts: " + "; ".join(wrong))


def stats(v):
    if not v:
        return dict(n=0, mean_ms=0.0, median_ms=0.0, min_ms=0.0, max_ms=0.0)
    v = sorted(v)
    return dict(n=len(v), mean_ms=sum(v) / len(v) / 1e6,
                median_ms=v[(len(v) - 1) // 2] / 1e6, min_ms=v[0] / 1e6,
                max_ms=v[-1] / 1e6)


def delays(a):
    ents = sorted(read_history(a.history), key=lambda e: e["grant"])
    entry = [e["grant"] - e["req"] for e in ents]
    sync = [e["grant"] - p["rel"] for p, e in zip(ents, ents[1:])
            if e["req"] < p["rel"]]
    print(json.dumps(dict(entry=stats(entry), sync=stats(sync)), sort_keys=True))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("history")
    c.add_argument("shared")
    c.add_argument("--clients", type=int, required=True)
    c.add_argument("--entries", type=int, required=True)
    c.add_argument("--nodes", type=int, required=True)
    c.add_argument("--fair", action="store_true")
    c.add_argument("--strict", action="store_true")
    c.add_argument("--transit-ms", type=float, default=None)
    c.add_argument("--json", action="store_true")
    c.add_argument("--summary", help="mx_load -j output: check the counts")
    c.add_argument("--algorithm", default="")
    d = sub.add_parser("delays")
    d.add_argument("history")
    a = ap.parse_args()
    if a.cmd == "check":
        check(a)
    else:
        delays(a)


if __name__ == "__main__":
    main()
