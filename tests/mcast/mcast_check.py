#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mcast_check.py - check the logs of an ordered multicast run.

usage: mcast_check.py [-j] [--json-out FILE] [--expect N] [--min-causal N]
                      [--min STAT=N]... [--exact STAT=N]... [--stamping MODE,...]
                      [--max-errors N] LOG...

Reads the JSON-lines logs that `ordoctl mcast --log FILE` writes (one
file per member) and verifies, independently of libordo (nothing here
uses ordo_mcast.c or ordo_group.c):

  * every member delivered every message that was sent exactly once, and
    nothing that was not sent (messages are identified by sender and
    text), with the timestamp it was sent with;
  * total mode: every member delivered the same sequence, and that
    sequence is ordered by <Lamport ts, sender>;
  * causal order, recomputed from the logs: m happened before m' when
    they were sent in that order by one member, or when the sender of m'
    had delivered m before sending m', transitively. No member may
    deliver m' before a message that happened before it. Total mode:
    <ts, sender> of m is below that of m' (the clock condition). Causal
    mode: the vector timestamp of m' counts exactly what its sender had
    sent and delivered;
  * the socket clocks (the SOL_ORDO control message of every datagram
    read, kernel or userspace stamping): per member, the clock after
    each receive strictly grows (Lamport: local; HLC: (local, local_c);
    vector: the own entry grows, no entry shrinks) and is above the
    received stamp; and a datagram sent after a receive carries a stamp
    above the clock after that receive (the clock condition across
    members).

Requirements on the run itself: --expect (messages sent), --min-causal
(cross-member happened-before pairs: the causal check is not vacuous),
--min/--exact on the transport counters summed over the members (the
"stats" records, e.g. --min retransmits=1), --stamping (each member's
stamping, "kernel" or "user", one for all or one per member).

Prints a summary and every violation (at most --max-errors); -j prints
one JSON object instead, --json-out FILE writes it to FILE as well. Exit status: 0 all checks passed, 1 a check
failed, 2 unreadable or inconsistent logs / usage error.
"""
import argparse
import json
import sys


class LogError(Exception):
    pass


def load(path):
    recs = []
    try:
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    r = json.loads(line)
                except ValueError as e:
                    raise LogError(f"{path}:{lineno}: not JSON: {e}")
                if not isinstance(r, dict) or "ev" not in r:
                    raise LogError(f"{path}:{lineno}: not a log record")
                r["_where"] = f"{path}:{lineno}"
                recs.append(r)
    except OSError as e:
        raise LogError(f"{path}: {e.strerror}")
    starts = [r for r in recs if r["ev"] == "start"]
    if len(starts) != 1:
        raise LogError(f"{path}: {len(starts)} start records (want 1)")
    return starts[0], recs


class Checker:
    def __init__(self, max_errors):
        self.errors = []
        self.max_errors = max_errors
        self.stats = {}

    def fail(self, msg):
        self.errors.append(msg)

    def run(self, paths, expect, min_causal):
        nodes = {}
        for p in paths:
            start, recs = load(p)
            node = start.get("node")
            if not isinstance(node, int) or node in nodes:
                raise LogError(f"{p}: bad or repeated node id {node!r}")
            nodes[node] = (start, recs)
        n = nodes[min(nodes)][0].get("n")
        mode = nodes[min(nodes)][0].get("mode")
        if sorted(nodes) != list(range(len(nodes))) or n != len(nodes):
            raise LogError(f"need the logs of members 0..{n - 1}, got {sorted(nodes)}")
        for node, (start, _) in nodes.items():
            if start.get("n") != n or start.get("mode") != mode:
                raise LogError(f"member {node}: mode/size differ from member 0's")
        if mode not in ("total", "causal"):
            raise LogError(f"unknown mode {mode!r}")
        self.n, self.mode, self.nodes = n, mode, nodes

        self.collect_sends()
        self.check_deliveries(expect)
        if mode == "total":
            self.check_total_order()
        self.check_causal(min_causal)
        self.check_clocks()
        self.collect_stats()

    # ------------------------------------------------------------ messages
    def collect_sends(self):
        self.msgs = {}          # (from, text) -> message
        self.by_sender = {j: [] for j in range(self.n)}
        for node, (_, recs) in self.nodes.items():
            for r in recs:
                if r["ev"] != "send":
                    continue
                if r.get("from") != node:
                    raise LogError(f"{r['_where']}: send from {r.get('from')} in member {node}'s log")
                key = (node, r.get("text"))
                if key in self.msgs:
                    raise LogError(f"{r['_where']}: member {node} sent text {key[1]!r} twice: "
                                   "messages cannot be told apart")
                m = {"from": node, "text": r.get("text"),
                     "idx": len(self.by_sender[node]) + 1,
                     "ts": r.get("ts"), "vc": r.get("vc")}
                if self.mode == "total" and not isinstance(m["ts"], int):
                    raise LogError(f"{r['_where']}: send without a Lamport ts")
                if self.mode == "causal" and (not isinstance(m["vc"], list) or
                                              len(m["vc"]) != self.n):
                    raise LogError(f"{r['_where']}: send without a vector of {self.n}")
                self.msgs[key] = m
                self.by_sender[node].append(m)
        self.total_msgs = len(self.msgs)

    def name(self, m):
        return f"{m['text']!r} from {m['from']}"

    def check_deliveries(self, expect):
        self.seqs = {}
        if expect is not None and self.total_msgs != expect:
            self.fail(f"{self.total_msgs} messages were sent, expected {expect}")
        for node, (_, recs) in self.nodes.items():
            seen = set()
            seq = []
            for r in recs:
                if r["ev"] != "deliver":
                    continue
                key = (r.get("from"), r.get("text"))
                m = self.msgs.get(key)
                if m is None:
                    self.fail(f"member {node} delivered {key[1]!r} from {key[0]}, "
                              f"which was never sent ({r['_where']})")
                    continue
                if key in seen:
                    self.fail(f"member {node} delivered {self.name(m)} twice ({r['_where']})")
                    continue
                seen.add(key)
                if self.mode == "total" and r.get("ts") != m["ts"]:
                    self.fail(f"member {node} delivered {self.name(m)} with ts {r.get('ts')}, "
                              f"sent with {m['ts']}")
                if self.mode == "causal" and r.get("vc") != m["vc"]:
                    self.fail(f"member {node} delivered {self.name(m)} with vector {r.get('vc')}, "
                              f"sent with {m['vc']}")
                seq.append(m)
            missing = [m for k, m in self.msgs.items() if k not in seen]
            for m in missing[:3]:
                self.fail(f"member {node} never delivered {self.name(m)}")
            if len(missing) > 3:
                self.fail(f"member {node} never delivered {len(missing) - 3} more messages")
            self.seqs[node] = seq

    def check_total_order(self):
        ref = self.seqs[0]
        for node in range(1, self.n):
            seq = self.seqs[node]
            for i, (a, b) in enumerate(zip(ref, seq)):
                if a is not b:
                    self.fail(f"total order: delivery {i + 1} is {self.name(a)} at member 0 "
                              f"but {self.name(b)} at member {node}")
                    break
        for i in range(1, len(ref)):
            a, b = ref[i - 1], ref[i]
            if (a["ts"], a["from"]) >= (b["ts"], b["from"]):
                self.fail(f"total order: {self.name(a)} <{a['ts']},{a['from']}> delivered "
                          f"before {self.name(b)} <{b['ts']},{b['from']}>")
                break

    # ------------------------------------------------------------ causality
    def compute_past(self):
        """past[m]: per sender j, the highest index of j's messages that
        happened before m (program order and send-after-deliver)."""
        n = self.n
        know = {x: [0] * n for x in self.nodes}
        cursors = {x: 0 for x in self.nodes}
        events = {x: [r for r in recs if r["ev"] in ("send", "deliver")]
                  for x, (_, recs) in self.nodes.items()}
        past = {}
        progress = True
        while progress:
            progress = False
            for x in self.nodes:
                evs = events[x]
                while cursors[x] < len(evs):
                    r = evs[cursors[x]]
                    m = self.msgs.get((r.get("from"), r.get("text")))
                    if m is None:               # reported already
                        cursors[x] += 1
                        continue
                    if r["ev"] == "send":
                        past[id(m)] = list(know[x])
                        know[x][x] = m["idx"]
                    else:
                        if id(m) not in past:
                            break               # its send comes later
                        know[x] = [max(a, b) for a, b in zip(know[x], past[id(m)])]
                        know[x][m["from"]] = max(know[x][m["from"]], m["idx"])
                    cursors[x] += 1
                    progress = True
        stuck = [x for x in self.nodes if cursors[x] < len(events[x])]
        if stuck:
            x = stuck[0]
            r = events[x][cursors[x]]
            raise LogError(f"{r['_where']}: member {x} delivered {r.get('text')!r} from "
                           f"{r.get('from')} before anyone could have sent it (cyclic logs)")
        return past

    def check_causal(self, min_causal):
        past = self.compute_past()
        n = self.n
        cross = 0
        for m in self.msgs.values():
            p = past[id(m)]
            cross += sum(p[j] for j in range(n) if j != m["from"])
        self.stats["causal_pairs"] = cross
        if min_causal is not None and cross < min_causal:
            self.fail(f"only {cross} cross-member happened-before pairs, "
                      f"wanted at least {min_causal}: the causal check is too weak")

        for node in self.nodes:
            done = [set() for _ in range(n)]
            prefix = [0] * n
            reported = False
            for m in self.seqs[node]:
                p = list(past[id(m)])
                p[m["from"]] = max(p[m["from"]], m["idx"] - 1)
                for j in range(n):
                    if prefix[j] < p[j]:
                        before = self.by_sender[j][prefix[j]]
                        if not reported:
                            self.fail(f"causal order: member {node} delivered {self.name(m)} "
                                      f"before {self.name(before)}, which happened before it")
                            reported = True
                        break
                done[m["from"]].add(m["idx"])
                j = m["from"]
                while prefix[j] + 1 in done[j]:
                    prefix[j] += 1

        # the timestamps agree with happened-before
        for x, (_, recs) in self.nodes.items():
            delivered = [0] * n
            for r in recs:
                m = self.msgs.get((r.get("from"), r.get("text")))
                if m is None or r["ev"] not in ("send", "deliver"):
                    continue
                if r["ev"] == "deliver":
                    if m["from"] != x:
                        delivered[m["from"]] += 1
                    continue
                if self.mode == "causal":
                    want = list(delivered)
                    want[x] = m["idx"]
                    if m["vc"] != want:
                        self.fail(f"member {x} sent {self.name(m)} with vector {m['vc']}; "
                                  f"its log says {want}")
        if self.mode == "total":
            for m in self.msgs.values():
                p = past[id(m)]
                for j in range(n):
                    if p[j]:
                        a = self.by_sender[j][p[j] - 1]
                        if (a["ts"], a["from"]) >= (m["ts"], m["from"]):
                            self.fail(f"clock condition: {self.name(a)} <{a['ts']},{a['from']}> "
                                      f"happened before {self.name(m)} <{m['ts']},{m['from']}>")

    # ------------------------------------------------------------ socket clocks
    @staticmethod
    def local_of(kind, k):
        if kind == "vector":
            return k.get("local_vc")
        if kind == "hlc":
            return (k.get("local"), k.get("local_c"))
        return k.get("local")

    @staticmethod
    def stamp_of(kind, k):
        if kind == "vector":
            return k.get("vc")
        if kind == "hlc":
            return (k.get("ts"), k.get("ts_c"))
        return k.get("ts")

    @staticmethod
    def above(kind, a, b, owner):
        """a is strictly after b for the clock of member owner."""
        if kind == "vector":
            return (len(a) == len(b) and all(x >= y for x, y in zip(a, b))
                    and a[owner] > b[owner])
        return a > b

    def check_clocks(self):
        kinds = {x: s.get("clock") for x, (s, _) in self.nodes.items()}
        if len(set(kinds.values())) != 1:
            raise LogError(f"members use different socket clocks: {kinds}")
        kind = kinds[0]
        if kind not in ("lamport", "vector", "hlc"):
            raise LogError(f"unknown socket clock {kind!r}")
        self.stats["clock"] = kind
        stamping = {x: s.get("stamping") for x, (s, _) in self.nodes.items()}
        self.stats["stamping"] = stamping
        datagrams = 0
        # the clock after the last receive before each send
        after_rx = {}
        for x, (_, recs) in self.nodes.items():
            prev = None
            last_i = 0
            rx_by_i = {}
            for r in recs:
                if r["ev"] == "send":
                    m = self.msgs.get((x, r.get("text")))
                    if m is not None and prev is not None:
                        after_rx[id(m)] = (prev, r["_where"])
                    continue
                if r["ev"] == "deliver" and r.get("from") != x:
                    rx = rx_by_i.get(r.get("rx"))
                    if rx is None or rx.get("from") != r.get("from") or \
                            rx.get("kernel") != r.get("kernel"):
                        self.fail(f"{r['_where']}: the delivery does not match datagram "
                                  f"{r.get('rx')} of the log")
                    continue
                if r["ev"] != "rx":
                    continue
                datagrams += 1
                if r.get("i") != last_i + 1:
                    self.fail(f"{r['_where']}: datagram {r.get('i')} follows {last_i}")
                last_i = r.get("i", last_i + 1)
                rx_by_i[r.get("i")] = r
                k = r.get("kernel")
                if k is None:
                    self.fail(f"{r['_where']}: datagram without a SOL_ORDO control message")
                    continue
                local = self.local_of(kind, k)
                stamp = self.stamp_of(kind, k)
                if kind == "vector" and (not isinstance(local, list) or len(local) != self.n or
                                         not isinstance(stamp, list) or len(stamp) != self.n):
                    self.fail(f"{r['_where']}: vector control message of the wrong size")
                    continue
                if not self.above(kind, local, stamp, x):
                    self.fail(f"{r['_where']}: member {x}'s clock {local} after the receive "
                              f"is not above the stamp {stamp}")
                if prev is not None and not self.above(kind, local, prev, x):
                    self.fail(f"{r['_where']}: member {x}'s socket clock went from {prev} "
                              f"to {local}: not increasing")
                prev = local
        self.stats["datagrams"] = datagrams
        # across members: the stamp of a later send is above
        for y, (_, recs) in self.nodes.items():
            for r in recs:
                if r["ev"] != "deliver" or r.get("from") == y or "kernel" not in r:
                    continue
                m = self.msgs.get((r.get("from"), r.get("text")))
                if m is None or id(m) not in after_rx:
                    continue
                before, where = after_rx[id(m)]
                stamp = self.stamp_of(kind, r["kernel"])
                if not self.above(kind, stamp, before, m["from"]):
                    self.fail(f"{r['_where']}: {self.name(m)} arrived with socket stamp {stamp}, "
                              f"not above its sender's clock {before} before the send ({where})")

    def collect_stats(self):
        tot = {}
        for _, recs in self.nodes.values():
            for r in recs:
                if r["ev"] == "stats":
                    for k, v in r.items():
                        if isinstance(v, int) and k != "node":
                            tot[k] = tot.get(k, 0) + v
        self.stats["transport"] = tot


class Parser(argparse.ArgumentParser):
    def error(self, message):
        """One line on stderr, exit 2."""
        self.exit(2, f"{self.prog}: {message} (try --help)\n")


def main():
    ap = Parser(
        prog="mcast_check.py",
        description="Check the logs of an ordered multicast run (ordoctl mcast --log).",
        epilog="Exit status: 0 passed, 1 a check failed, 2 bad logs or usage.")
    ap.add_argument("logs", nargs="+", metavar="LOG", help="one log per member")
    ap.add_argument("-j", "--json", action="store_true", help="print one JSON object")
    ap.add_argument("--expect", type=int, help="the number of messages that must have been sent")
    ap.add_argument("--min-causal", type=int,
                    help="require at least this many cross-member happened-before pairs")
    ap.add_argument("--min", action="append", default=[], metavar="STAT=N",
                    help="require the transport counter STAT (summed) >= N")
    ap.add_argument("--exact", action="append", default=[], metavar="STAT=N",
                    help="require the transport counter STAT (summed) == N")
    ap.add_argument("--stamping", metavar="MODE[,MODE...]",
                    help="require this stamping (kernel or user), for all or per member")
    ap.add_argument("--json-out", metavar="FILE", help="also write the JSON summary to FILE")
    ap.add_argument("--max-errors", type=int, default=20, help="violations printed (default 20)")
    a = ap.parse_args()

    reqs = []
    for op, items in (("min", a.min), ("exact", a.exact)):
        for it in items:
            k, _, v = it.partition("=")
            if not k or not v.isdigit():
                ap.error(f"--{op} wants STAT=N, not {it!r}")
            reqs.append((op, k, int(v)))

    c = Checker(a.max_errors)
    try:
        c.run(a.logs, a.expect, a.min_causal)
    except LogError as e:
        if a.json:
            print(json.dumps({"ok": False, "error": str(e)}))
        else:
            print(f"mcast_check.py: {e}", file=sys.stderr)
        if a.json_out:
            with open(a.json_out, "w", encoding="utf-8") as f:
                json.dump({"ok": False, "error": str(e)}, f)
        return 2
    t = c.stats.get("transport", {})
    for op, k, v in reqs:
        if k not in t:
            c.fail(f"no transport counter {k!r} in the logs")
        elif op == "min" and t[k] < v:
            c.fail(f"transport counter {k} is {t[k]}, wanted at least {v}")
        elif op == "exact" and t[k] != v:
            c.fail(f"transport counter {k} is {t[k]}, wanted exactly {v}")
    if a.stamping:
        want = a.stamping.split(",")
        if len(want) == 1:
            want = want * c.n
        got = [c.stats["stamping"][x] for x in range(c.n)]
        if got != want:
            c.fail(f"stamping is {','.join(map(str, got))}, wanted {','.join(want)}")
    ok = not c.errors
    out = {"ok": ok, "mode": c.mode, "members": c.n, "messages": c.total_msgs,
           "deliveries": sum(len(s) for s in c.seqs.values()),
           "violations": c.errors[:a.max_errors]}
    out.update(c.stats)
    if a.json_out:
        with open(a.json_out, "w", encoding="utf-8") as f:
            json.dump(out, f, sort_keys=True)
    if a.json:
        print(json.dumps(out, sort_keys=True))
    else:
        print(f"{c.mode}: {c.n} members, {c.total_msgs} messages, "
              f"{sum(len(s) for s in c.seqs.values())} deliveries, "
              f"{c.stats['causal_pairs']} cross-member happened-before pairs, "
              f"{c.stats['datagrams']} datagrams read ({c.stats['clock']} socket clock)")
        if t:
            print("transport: " + ", ".join(f"{k} {t[k]}" for k in (
                "data_sent", "retransmits", "fast_retransmits", "duplicates",
                "out_of_order", "held_back", "acks_sent") if k in t))
        for e in c.errors[:a.max_errors]:
            print(f"FAIL: {e}")
        if len(c.errors) > a.max_errors:
            print(f"FAIL: ... and {len(c.errors) - a.max_errors} more")
        print("OK" if ok else f"{len(c.errors)} violation(s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
