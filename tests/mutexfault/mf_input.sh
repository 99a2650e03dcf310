#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad input on every path into ordo-mutexd (Documentation/ordo-mutexd.rst,
# runtime.rst): 3 nodes, one lock per algorithm; node 3's daemon stopped
# (SIGTERM) and suspected, so that mf_send.py can send from its address
# and port exactly what node 3 would, and worse, to node 1. Each datagram
# is counted exactly where the documentation says (node 1's status -j):
#
#   runtime   random bytes, and a valid clock header followed by an
#             application header with a bad version, protocol, flag or
#             length, an unknown sender, a clock node that is not the
#             sender: `malformed` + 1 each, `bad_body` + 0;
#   body      a valid application header of a mutex protocol followed by
#             a body that does not decode, names an unknown lock or a lock
#             of another algorithm, an unknown type (0, 99), lacks `inc`
#             or `seq`; a heartbeat whose body does not decode:
#             `malformed` + 1 and `bad_body` + 1 each;
#   stale     well-formed messages of an incarnation node 1 never heard
#             (a Ricart-Agrawala request, a ring TOKEN of a huge
#             generation): `stale` + 1 for their lock, nothing delivered
#             (the ring regenerates nothing, its tokens stay below the
#             forged one's generation);
#   local API packets that are not a Request, lack a method, name an
#             unknown method, carry a body that does not decode: an error
#             Response (-EBADMSG, -EOPNOTSUPP) and `ipc_bad_requests` + 1
#             each; a call without lock name, an unknown lock, a 60 kB
#             lock name: an error Response (-EINVAL, -ENOENT), not counted
#             as malformed; a client that connects and leaves at once;
#
# then every lock serves nodes 1 and 2, node 3 restarted rejoins, and every
# lock serves the three nodes safely. Needs root, ordo.ko, ordoctl,
# ordo-mutexd, python3. Prints TAP.
CLUSTER_PREFIX=ordo-fi
CLUSTER_NET=10.85.0
CLUSTER_PORT=7860
. "$(cd "$(dirname "$0")" && pwd)/mf_lib.sh"
send=$here/mf_send.py
LOCKS="cs rg ra lp vt"

echo "TAP version 13"
echo "1..7"

err=0
start 3 <<EOF || err=1
[runtime]
heartbeat_ms = 100
suspect_ms = 3000

[lock cs]
algorithm = central

[lock rg]
algorithm = ring

[lock ra]
algorithm = ricart-agrawala

[lock lp]
algorithm = lamport

[lock vt]
algorithm = vote
EOF
cluster_stop 3 || err=1
DEAD[3]=1
cluster_wait 20 ready || { err=1; echo "# node 3 not suspected"; }
ok $err "3 daemons up; node 3 stopped and suspected"

inc1=
# bad CASE...: node 3 (its address and port) sends each CASE to node 1
bad()
{
	cluster_exec 3 python3 "$send" udp "$(cluster_addr 1)" "$CLUSTER_PORT" 3 4242 "$inc1" \
		"$(cluster_addr 3)" "$CLUSTER_PORT" "$@"
}
# counters of node 1: malformed bad_body stale ipc_bad_requests, then the
# stale count of each lock
counters()
{
	status 1 cnt && q "[s['malformed'], s['bad_body'], s['stale'], s['ipc_bad_requests']] + [L(x)['stale'] for x in '$LOCKS'.split()]" "$work/cnt-1.json"
}
# delta WHAT CASES... EXPECTED: the counters' change over sending CASES
delta()
{
	local what=$1 want=${*: -1} a b got
	a=$(counters) || return 1
	bad "${@:2:$(($# - 2))}" || return 1
	sleep 0.5	# let them arrive
	b=$(counters) || return 1
	got=$(python3 -c 'import sys; a, b = (list(map(int, x.split())) for x in sys.argv[1:3]); print(*[y - x for x, y in zip(a, b)])' "$a" "$b")
	echo "# $what: $got"
	expect "$what (malformed bad_body stale ipc cs rg ra lp vt)" "$got" "$want"
}

err=0
status 1 i0 || err=1
inc1=$(q "s['incarnation']" "$work/i0-1.json")
m0=$(counters)
cluster_exec 3 python3 - "$(cluster_addr 1)" "$CLUSTER_PORT" <<'EOF' || err=1
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for k in range(20):
    s.sendto(os.urandom(1 + 7 * k), (sys.argv[1], int(sys.argv[2])))
EOF
sleep 0.5
m1=$(counters)
echo "# random datagrams: $m0 -> $m1"
expect "random: malformed" $(($(echo "$m1" | cut -d' ' -f1) - $(echo "$m0" | cut -d' ' -f1))) 20 || err=1
delta "bad headers" app_version app_proto app_flags app_len sender node "6 0 0 0 0 0 0 0 0" || err=1
ok $err "runtime: 20 random datagrams and 6 bad headers (app version, proto, flags, length; unknown sender; clock node) counted malformed"

err=0
delta "bad bodies" garbage_body no_lock other_algo type0 type99 no_inc no_seq hb_garbage "8 8 0 0 0 0 0 0 0" || err=1
ok $err "daemon: 8 bad bodies (undecodable, unknown lock, other algorithm, type 0 and 99, no inc, no seq, heartbeat) counted bad_body and malformed"

err=0
snap s0 || err=1
delta "forged incarnation" forged_inc forged_token "0 0 2 0 0 1 1 0 0" || err=1
snap s1 || err=1
expect "ring regenerations" "$(q "tot('rg', 'regenerations')" $(files s1))" "$(q "tot('rg', 'regenerations')" $(files s0))" || err=1
expect "ra messages received" "$(q "tot('ra', 'received')" $(files s1))" "$(q "tot('ra', 'received')" $(files s0))" || err=1
ok $err "daemon: well-formed messages of an unknown incarnation (RA REQUEST, ring TOKEN of a huge generation) dropped as stale, nothing delivered"

err=0
b0=$(q "s['ipc_bad_requests']" "$work/s1-1.json")
for c in garbage:-74 not_request:-74 no_method:-95 unknown_method:-95 bad_body:-74 no_lock_name:-22 unknown_lock:-2 huge:-2 status:0; do
	got=$(python3 "$send" ipc "$(sock 1)" "${c%%:*}") || err=1
	expect "local API ${c%%:*}: error" "$got" "${c#*:}" || err=1
done
python3 - "$(sock 1)" <<'EOF' || err=1
import socket, sys
for k in range(50):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    s.close()
EOF
status 1 s2 || err=1
expect "ipc_bad_requests" $(($(q "s['ipc_bad_requests']" "$work/s2-1.json") - b0)) 5 || err=1
ok $err "local API: 5 malformed packets answered with an error and counted, bad calls answered with their errno, 50 clients that leave at once"

err=0
serve_all $((2 * ENTRIES)) 1 2 || err=1
ok $err "after the bad input: every lock serves nodes 1 and 2 safely (node 3 down)"

err=0
restart 3 || err=1
cluster_wait 60 ready || { err=1; echo "# node 3 did not join"; }
serve_all $((3 * ENTRIES)) 1 2 3 || err=1
for i in 1 2 3; do
	cluster_alive "$i" || { err=1; echo "# node $i died"; }
done
ok $err "node 3 restarted joins; every lock serves the three nodes safely; every daemon runs"

echo "# $failed failed"
[ "$failed" = 0 ]
