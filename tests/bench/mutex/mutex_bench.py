#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The table of tests/bench/mutex/run from its results (one JSON object
per line: mx_load's summaries with N, lock and phase, the delays of
mutex_load_check.py, and the transfer time T per N).

  mutex_bench.py [-j] RESULTS.jsonl
"""
import json
import sys

ALGO = {"cs": "central", "rg": "ring", "ra": "ricart-agrawala",
        "lp": "lamport", "vt": "vote"}
ORDER = ["cs", "rg", "ra", "lp", "vt"]


def theory_msgs(lock, n, r):
    """messages per entry by the formula, as (value or None, text)"""
    if r is None:
        return None, "-"
    e = max(r["entries"], 1)
    if lock == "cs":
        v = 3 * r.get("remote_entries", e) / e
        return v, "3" if v == 3 else "3x%.2f" % (v / 3)
    if lock == "rg":
        return None, "N/circ"
    if lock == "ra":
        return 2 * (n - 1), "2(N-1)=%d" % (2 * (n - 1))
    if lock == "lp":
        return 3 * (n - 1), "3(N-1)=%d" % (3 * (n - 1))
    return 3 * (n - 1), "3(N-1)=%d" % (3 * (n - 1)) if r["phase"] == "uncontended" \
        else ">=%d" % (3 * (n - 1))


def notes_delay(lock, n):
    """the notes' delay before entry, in message transfer times, and what
    parallel links give"""
    return {"cs": ("2", "2"), "rg": ("0..%d" % (n - 1), "0..%d" % (n - 1)),
            "ra": ("%d" % (2 * (n - 1)), "2"), "lp": ("%d" % (2 * (n - 1)), "2"),
            "vt": ("-", "2")}[lock]


def main():
    args = sys.argv[1:]
    js = "-j" in args
    args = [a for a in args if a != "-j"]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        sys.exit(1)
    rows = [json.loads(ln) for ln in open(args[0]) if ln.strip()]
    T = {r["N"]: r for r in rows if r["phase"] == "T"}
    by = {(r["N"], r["lock"], r["phase"]): r for r in rows if r["phase"] != "T"}
    out = []
    for n in sorted({r["N"] for r in rows}):
        t = T.get(n, {}).get("T_ms", 0) or 0
        for lock in ORDER:
            u = by.get((n, lock, "uncontended"))
            c = by.get((n, lock, "contended"))
            d = by.get((n, lock, "delay"))
            s = by.get((n, lock, "sync"))
            if not (u or c or d or s):
                continue
            o = dict(algorithm=ALGO[lock], N=n)
            for name, r in (("uncontended", u), ("contended", c)):
                if r is None:
                    continue
                tv, tt = theory_msgs(lock, n, r)
                o[name] = dict(clients=r["clients"], entries=r["entries"],
                               entries_per_s=r["entries_per_s"],
                               latency_mean_ms=r["latency_mean_ms"],
                               latency_p99_ms=r["latency_p99_ms"],
                               messages_per_entry=r["messages_per_entry"],
                               messages=r["messages"], theory=tt,
                               theory_value=tv)
            nd = notes_delay(lock, n)
            o["T_ms"] = t
            o["notes_delay"] = nd[0]
            o["parallel_delay"] = nd[1]
            if d and t:
                de = d["delays"]["entry"]
                o["entry_delay_T"] = dict(mean=de["mean_ms"] / t,
                                          median=de["median_ms"] / t,
                                          min=de["min_ms"] / t,
                                          max=de["max_ms"] / t, n=de["n"])
            if s and t:
                ds = s["delays"]["sync"]
                o["sync_delay_T"] = dict(mean=ds["mean_ms"] / t,
                                         median=ds["median_ms"] / t,
                                         min=ds["min_ms"] / t,
                                         max=ds["max_ms"] / t, n=ds["n"])
            out.append(o)
    if js:
        print(json.dumps(dict(results=out, T={str(k): v for k, v in T.items()}),
                         sort_keys=True))
        return
    print("%-16s %2s | %8s %7s %7s %6s %9s | %8s %7s %7s %6s %9s | %-7s %-13s %-6s" % (
        "algorithm", "N", "1:e/s", "mean", "p99", "msg/e", "theory",
        "20:e/s", "mean", "p99", "msg/e", "theory",
        "notes", "entry/T", "sync/T"))
    print("%-16s %2s | %8s %7s %7s %6s %9s | %8s %7s %7s %6s %9s | %-7s %-13s %-6s" % (
        "", "", "", "ms", "ms", "", "", "", "ms", "ms", "", "", "(bus/par)",
        "med[min-max]", "median"))
    for o in out:
        u = o.get("uncontended", {})
        c = o.get("contended", {})
        ed = o.get("entry_delay_T")
        sd = o.get("sync_delay_T")

        def f(r, k, fmt):
            return fmt % r[k] if k in r else "-"
        print("%-16s %2d | %8s %7s %7s %6s %9s | %8s %7s %7s %6s %9s | %-7s %-13s %-6s" % (
            o["algorithm"], o["N"],
            f(u, "entries_per_s", "%.1f"), f(u, "latency_mean_ms", "%.1f"),
            f(u, "latency_p99_ms", "%.1f"), f(u, "messages_per_entry", "%.2f"),
            u.get("theory", "-"),
            f(c, "entries_per_s", "%.1f"), f(c, "latency_mean_ms", "%.1f"),
            f(c, "latency_p99_ms", "%.1f"), f(c, "messages_per_entry", "%.2f"),
            c.get("theory", "-"),
            "%s/%s" % (o["notes_delay"], o["parallel_delay"]),
            "%.2f[%.1f-%.1f]" % (ed["median"], ed["min"], ed["max"]) if ed else "-",
            "%.2f" % sd["median"] if sd and sd["n"] else "-"))
    for n in sorted(T):
        print("N=%d: T = %.1f ms (ping RTT/2 with netem delay %d ms per egress)" % (
            n, T[n]["T_ms"], T[n]["netem_ms"]))
    print("1: one client on node 2, entries back to back; 20: 20 clients over the "
          "nodes. msg/e from the daemons' counters; ring: N TOKEN per circulation, "
          "per entry it depends on the load.")
    print("entry/T: request to grant of an uncontended request, median [min-max]; "
          "sync/T: a release to the next grant, median (N clients, one per node); "
          "notes: the delay before entry on a shared medium / on parallel links "
          "(medians: a loaded TCG host stalls the VM now and then).")


if __name__ == "__main__":
    main()
