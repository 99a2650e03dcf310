#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""msgstat_q.py FILE EXPR: evaluates the Python expression EXPR over the
reports ordo-msgstat -j wrote to FILE (the lines that start with "{") and
prints the result. Names EXPR can use:

  d                  the last report
  reports            every report
  c(proto=, type=, dir=, peer=, cls=, field='count', r=d)
                     the sum of FIELD over the rows of report r that match
                     every given criterion (proto by name or number; peer
                     None matches rows whose peer is unknown, use peer=ANY
                     for any)
  mal(dir, reason)   malformed count of a reason ("wire_version"), or the
                     total of dir when reason is None
  st(event)          stamps_total[event]
"""
import json
import sys

ANY = object()


def main():
    # other lines (the output of the command of --run) are skipped
    reports = [json.loads(line) for line in open(sys.argv[1])
               if line.startswith('{')]
    d = reports[-1] if reports else {}

    def c(proto=ANY, type=ANY, dir=ANY, peer=ANY, cls=ANY, field='count', r=None):
        r = d if r is None else r
        s = 0
        for m in r.get('messages', []):
            if proto is not ANY and proto not in (m['proto'], m['proto_id']):
                continue
            if type is not ANY and m['type'] != type:
                continue
            if dir is not ANY and m['dir'] != dir:
                continue
            if peer is not ANY and m['peer'] != peer:
                continue
            if cls is not ANY and m['class'] != cls:
                continue
            s += m[field]
        return s

    def mal(dir, reason=None):
        if reason is None:
            return d['totals'][dir]['malformed']
        return d['malformed'][dir].get(reason, 0)

    def st(event):
        return d['stamps_total'][event]

    print(eval(sys.argv[2], {'d': d, 'reports': reports, 'c': c, 'mal': mal,
                             'st': st, 'ANY': ANY}))


main()
