#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mf_q.py EXPR STATUS.json...: evaluates the Python expression EXPR over
`ordoctl -j lock status` outputs and prints the result (tests/mutexfault).
Names EXPR can use:

  s            the first file's status (a dict), S the list of them all
  L(name, st=s)  the lock NAME's entry of status st
  tot(name, field)   the sum over every file of the lock's FIELD
                     ("sent", "messages.TOKEN.sent", ...)
  wire(alg, dir='sent')  the sum over every file of the datagrams of ALG
                     ("central", "ring", ...) on the wire (every type)
"""
import json
import sys


def main():
    S = [json.load(open(p)) for p in sys.argv[2:]]
    s = S[0] if S else {}

    def L(name, st=None):
        st = s if st is None else st
        for x in st['locks']:
            if x['name'] == name:
                return x
        raise KeyError(name)

    def field(d, name):
        for part in name.split('.'):
            d = d.get(part, 0) if isinstance(d, dict) else 0
        return d

    def tot(name, f):
        return sum(int(field(L(name, st), f)) for st in S)

    def wire(alg, dir='sent'):
        n = 0
        for st in S:
            for w in st['wire']:
                if w['algorithm'] == alg:
                    n += sum(int(t[dir]) for t in w['messages'].values())
        return n

    r = eval(sys.argv[1], {'s': s, 'S': S, 'L': L, 'tot': tot, 'wire': wire})
    if isinstance(r, bool):
        r = int(r)
    if isinstance(r, (list, tuple)):
        r = ' '.join(str(x) for x in r)
    print(r)


main()
