#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ordo-mutexd on 5 nodes, one lock per algorithm, partitioned {1 2 3} |
# {4 5} for longer than suspect_ms, then healed (Documentation/
# ordo-mutexd.rst, FAILURES):
#
#   during   each side excludes the other. The majority serves every
#            lock. The minority: central (its own coordinator, node 4),
#            ring (its leader, node 4, regenerates a token of its own),
#            Ricart-Agrawala and Lamport (the others' answers are no
#            longer awaited) serve their clients too: none of them has a
#            quorum, the sides may overlap (the fencing tokens protect a
#            resource); vote does not: 2 coordinators of 5 cannot give a
#            majority, the minority's client waits;
#   heal     the minority learns it was excluded and rejoins as new
#            incarnations (rejoins + 1 on nodes 4 and 5, none on 1-3),
#            with the majority's coordinator (1) and epoch; the vote
#            client that waited is granted; every lock then serves the
#            five nodes safely (mutex_check.py).
#
# MUTEX_ENTRIES (default 1) sections per client. Needs root, ordo.ko,
# ordoctl, ordo-mutexd, python3, nft. Prints TAP.
CLUSTER_PREFIX=ordo-fp
CLUSTER_NET=10.83.0
CLUSTER_PORT=7820
. "$(cd "$(dirname "$0")" && pwd)/mf_lib.sh"
LOCKS="cs rg ra lp vt"

echo "TAP version 13"
echo "1..7"

err=0
start 5 <<EOF || err=1
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
ok $err "5 daemons up"

err=0
snap p0 || err=1
e1=$(q "s['epoch']" "$work/p0-1.json")
cluster_partition "1 2 3" "4 5" || err=1
sees()
{
	status "$1" sees 2>/dev/null &&
		[ "$(q "' '.join(str(p['node']) for p in s['peers'] if p['state'] == 'alive')" "$work/sees-$1.json")" = "$2" ]
}
cluster_wait 20 sees 1 "2 3" || { err=1; echo "# node 1 still sees the minority"; }
cluster_wait 20 sees 4 "5" || { err=1; echo "# node 4 still sees the majority"; }
status 1 p1 || err=1
status 4 p1 || err=1
expect "majority coordinator, epoch" "$(q "(s['coordinator'], s['epoch'])" "$work/p1-1.json")" "1 $e1" || err=1
expect "minority coordinator" "$(q "s['coordinator']" "$work/p1-4.json")" 4 || err=1
ok $err "partition {1 2 3} | {4 5}: each side suspects the other; coordinator 1 (epoch $e1) and 4"

err=0
for L in $LOCKS; do
	lk 2 run "$L" --timeout 30000 -- sh -c 'echo "$ORDO_LOCK_TOKEN" >"$1"' x "$work/maj-$L" ||
		{ err=1; echo "# the majority does not serve $L"; }
done
ok $err "partition: the majority serves every lock"

err=0
for L in cs rg ra lp; do
	lk 5 run "$L" --timeout 30000 -- sh -c 'echo "$ORDO_LOCK_TOKEN" >"$1"' x "$work/min-$L" ||
		{ err=1; echo "# the minority does not serve $L"; }
	echo "# $L: majority token $(cat "$work/maj-$L" 2>/dev/null), minority token $(cat "$work/min-$L" 2>/dev/null)"
done
out=$(lk 5 run vt --timeout 3000 -- true 2>&1)
rc=$?
expect "minority vote entry (exit status)" "$rc" 3 || { err=1; echo "# $out"; }
# a vote client that waits through the heal
lk 4 run vt --timeout 90000 -- sh -c 'echo "$ORDO_LOCK_TOKEN" >"$1"' x "$work/vt4" 2>"$work/vt4.err" &
vpid=$!
sleep 1
status 4 p2 || err=1
expect "node 4's vote state" "$(q "L('vt')['state']" "$work/p2-4.json")" waiting || err=1
ok $err "partition: the minority serves central, ring, Ricart-Agrawala and Lamport (no quorum); vote is not granted there"

err=0
snap h0 || err=1
cluster_heal
rj()
{
	local i
	snap h1 2>/dev/null || return 1
	for i in 4 5; do
		[ "$(q "s['rejoins'] - $(q "s['rejoins']" "$work/h0-$i.json")" "$work/h1-$i.json")" = 1 ] || return 1
	done
}
cluster_wait 40 rj || { err=1; echo "# nodes 4 and 5 did not rejoin"; }
cluster_wait 60 ready || { err=1; echo "# not every node joined after the heal"; }
snap h2 || err=1
for i in 1 2 3; do
	expect "node $i rejoins" "$(q "s['rejoins']" "$work/h2-$i.json")" "$(q "s['rejoins']" "$work/h0-$i.json")" || err=1
done
expect "coordinator and epoch everywhere" \
	"$(q "sorted(set((x['coordinator'], x['epoch']) for x in S))" $(files h2))" "(1, $e1)" || err=1
wait "$vpid" || { err=1; sed 's/^/# vote at node 4: /' "$work/vt4.err"; }
echo "# vote: node 4's client granted after the heal, token $(cat "$work/vt4" 2>/dev/null)"
ok $err "heal: nodes 4 and 5 rejoin as new incarnations with coordinator 1, epoch $e1; the majority keeps its state; the waiting vote client is granted"

err=0
serve_all $((5 * ENTRIES)) 1 2 3 4 5 || err=1
ok $err "after the heal: every algorithm serves the five nodes safely"

err=0
for i in $(seq 1 "$N"); do
	cluster_alive "$i" || { err=1; echo "# node $i died"; }
done
grep -h -i "segfault\|assert\|error:" "$CLUSTER_DIR"/n*.log | head -n 5 | sed 's/^/# /'
ok $err "every daemon still runs"

echo "# $failed failed"
[ "$failed" = 0 ]
