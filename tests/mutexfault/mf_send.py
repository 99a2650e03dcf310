#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mf_send.py: bad input for ordo-mutexd (tests/mutexfault/mf_input.sh).

  mf_send.py udp ADDR PORT NODE DOMAIN INC FROM_ADDR FROM_PORT CASE...
      one datagram per CASE to ADDR:PORT from FROM_ADDR:FROM_PORT (node
      NODE's address and port, so that the runtime takes it as NODE's) as
      node NODE would send it (a Lamport clock header of DOMAIN, the
      application header, a body), but bad in the way CASE says (see
      udp_case()); INC: the receiver's incarnation (dst) where a case
      needs one
  mf_send.py ipc SOCKET CASE
      one packet on the local API socket; prints the Response's error
      code (0: none) or "closed"

Headers per Documentation/wire-format.rst; protobuf encoded here by hand
(independent of libordo).
"""
import os
import socket
import struct
import sys


def varint(v):
    out = b''
    while True:
        b = v & 0x7f
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def pb(*fields):
    """fields: (number, int) for varints, (number, bytes) for bytes"""
    out = b''
    for num, v in fields:
        if isinstance(v, (bytes, str)):
            v = v.encode() if isinstance(v, str) else v
            out += varint(num << 3 | 2) + varint(len(v)) + v
        else:
            out += varint(num << 3) + varint(v)
    return out


def clock(node, domain, ts=1):
    return struct.pack('>4sBBHIIII Q', b'ORDO', 1, 1, 32, 0, node, domain, 0, ts)


def app(proto, typ, flags, sender, xid, body, body_len=None):
    n = len(body) if body_len is None else body_len
    return struct.pack('>BBBBIII', 1, proto, typ, flags, sender, xid, n) + body


def msg(lock=0, inc=0x1234, seq=1, **kw):
    f = [(1, lock)]
    for k, num in (('ts', 3), ('req', 4), ('token', 5), ('gen', 6)):
        if k in kw:
            f.append((num, kw[k]))
    if inc:
        f.append((8, inc))
    if seq:
        f.append((9, seq))
    return pb(*[x for x in f if x[1]])


# UDP cases: name -> (clock node, app bytes)
def udp_case(case, node, inc):
    x = int.from_bytes(os.urandom(3), 'big')
    cases = {
        # the runtime: malformed
        'app_version': (node, b'\x02' + app(3, 1, 0, node, x, b'')[1:]),
        'app_proto': (node, app(99, 1, 0, node, x, b'')),
        'app_flags': (node, app(3, 1, 0x80, node, x, b'')),
        'app_len': (node, app(3, 1, 0, node, x, b'\x08\x01', body_len=7)),
        'sender': (node, app(3, 1, 0, 77, x, msg())),
        'node': (node + 1, app(3, 1, 0, node, x, msg())),
        # the daemon: bad body (counted as malformed too)
        'garbage_body': (node, app(3, 1, 0, node, x, b'\xff\xff\xff\xff\xff')),
        'no_lock': (node, app(3, 1, 0, node, x, msg(lock=99))),
        'other_algo': (node, app(1, 1, 0, node, x, msg(lock=2))),
        'type0': (node, app(3, 0, 0, node, x, msg(lock=2))),
        'type99': (node, app(3, 99, 0, node, x, msg(lock=2))),
        'no_inc': (node, app(3, 1, 0, node, x, msg(lock=2, inc=0))),
        'no_seq': (node, app(3, 1, 0, node, x, msg(lock=2, seq=0))),
        'hb_garbage': (node, app(0, 1, 0, node, x, b'\xff\xff\xff')),
        # well formed, of an incarnation the receiver never heard: stale
        'forged_inc': (node, app(3, 1, 0, node, x, msg(lock=2, inc=0xdead, seq=1, ts=5, req=1)
                                 + pb((10, inc)))),
        'forged_token': (node, app(2, 1, 0, node, x, msg(lock=1, inc=0xbeef, seq=1, gen=1 << 40,
                                                         req=1 << 40, token=1 << 60)
                                   + pb((10, inc)))),
    }
    return cases[case]


def ipc_case(case):
    return {
        'garbage': b'\xff\xff\xff',
        'not_request': b'\x0a\x05hello',
        'no_method': pb((1, 7)),
        'unknown_method': pb((1, 7), (2, 'mutex.nosuch')),
        'bad_body': pb((1, 7), (2, 'mutex.acquire'), (3, b'\xff\xff\xff')),
        'no_lock_name': pb((1, 7), (2, 'mutex.acquire'), (3, b'')),
        'unknown_lock': pb((1, 7), (2, 'mutex.release'), (3, pb((1, 'nosuch')))),
        'huge': pb((1, 7), (2, 'mutex.status'), (3, b'\x0a' + varint(60000) + b'x' * 60000)),
        'status': pb((1, 7), (2, 'mutex.status')),
    }[case]


def main():
    a = sys.argv
    if a[1] == 'udp':
        addr, port, node, domain, inc = a[2], int(a[3]), int(a[4]), int(a[5]), int(a[6], 16)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((a[7], int(a[8])))
        for case in a[9:]:
            cnode, body = udp_case(case, node, inc)
            s.sendto(clock(cnode, domain) + body, (addr, port))
    elif a[1] == 'ipc':
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(a[2])
        s.send(ipc_case(a[3]))
        s.settimeout(10)
        r = s.recv(1 << 17)
        if not r:
            print('closed')
            return
        # Response: field 2 = Error { sint32 code = 1, message = 2 }
        code, i = 0, 0
        while i < len(r):
            key, i = r[i], i + 1
            num, wt = key >> 3, key & 7
            if wt == 0:
                v, sh = 0, 0
                while True:
                    b, i = r[i], i + 1
                    v |= (b & 0x7f) << sh
                    sh += 7
                    if not b & 0x80:
                        break
            else:
                n, sh = 0, 0
                while True:
                    b, i = r[i], i + 1
                    n |= (b & 0x7f) << sh
                    sh += 7
                    if not b & 0x80:
                        break
                v, i = r[i:i + n], i + n
                if num == 2:
                    code = 1 if v else 0
                    if v and v[0] == 0x08:
                        cv, sh, j = 0, 0, 1
                        while True:
                            b, j = v[j], j + 1
                            cv |= (b & 0x7f) << sh
                            sh += 7
                            if not b & 0x80:
                                break
                        code = (cv >> 1) ^ -(cv & 1)	# sint32: zigzag
        print(code)


main()
