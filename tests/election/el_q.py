#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""el_q.py --sums TAG FILE...: prints shell assignments TAG_G_F=N of the
sums over FILE... of every group G's counters F (sent, elections,
opdone_sent, stale, skips, ELECTION, OK, COORDINATOR: sent by type), and
TAG_wire_bully, TAG_wire_ring (datagrams sent on the wire),
TAG_malformed, TAG_ipc_bad_requests: one python run per snapshot.

el_q.py EXPR FILE...: evaluates the Python expression EXPR over the
`ordoctl -j leader status` outputs in FILE... and prints the result
(True/False as 1/0). Names EXPR can use:

  S              the statuses, in the order of the files
  g(s, name)     group NAME of status s (a dict)
  tot(name, f)   the sum of field f of group NAME over S; f may be dotted
                 ("messages.ELECTION.sent")
  wire(alg, f)   the sum over S of the wire counts of algorithm alg
                 ("bully", "ring"): f is "tx", "rx" (every type) or
                 "TYPE.sent" / "TYPE.received"
  leaders(name)  the set of leaders of group NAME over S
"""
import json
import sys


def sums(tag, files):
    S = [json.load(open(f)) for f in files]
    out = {}

    def add(k, v):
        out[k] = out.get(k, 0) + v
    for s in S:
        for g in s.get('groups', []):
            n = g['group']
            for f in ('sent', 'elections', 'opdone_sent', 'stale', 'skips'):
                add('%s_%s_%s' % (tag, n, f), g.get(f, 0))
            for t in ('ELECTION', 'OK', 'COORDINATOR'):
                add('%s_%s_%s' % (tag, n, t),
                    g.get('messages', {}).get(t, {}).get('sent', 0))
        for w in s.get('wire', []):
            add('%s_wire_%s' % (tag, w['algorithm']),
                sum(m['sent'] for m in w['messages'].values()))
        for f in ('malformed', 'ipc_bad_requests'):
            add('%s_%s' % (tag, f), s.get(f, 0))
    for k in sorted(out):
        print('%s=%d' % (k, out[k]))


def main():
    if sys.argv[1] == '--sums':
        sums(sys.argv[2], sys.argv[3:])
        return
    S = [json.load(open(f)) for f in sys.argv[2:]]

    def g(s, name):
        for x in s['groups']:
            if x['group'] == name:
                return x
        raise KeyError(name)

    def get(d, f):
        for k in f.split('.'):
            d = d[k]
        return d

    def tot(name, f):
        return sum(get(g(s, name), f) for s in S)

    def wire(alg, f):
        t = 0
        for s in S:
            for w in s['wire']:
                if w['algorithm'] != alg:
                    continue
                if f in ('tx', 'rx'):
                    k = 'sent' if f == 'tx' else 'received'
                    t += sum(m[k] for m in w['messages'].values())
                else:
                    t += get(w['messages'], f)
        return t

    def leaders(name):
        return sorted(set(g(s, name)['leader'] for s in S), key=str)

    env = {'S': S, 'g': g, 'tot': tot, 'wire': wire, 'leaders': leaders}
    r = eval(sys.argv[1], env)
    if isinstance(r, bool):
        r = int(r)
    print(r)


if __name__ == '__main__':
    main()
