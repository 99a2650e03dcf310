#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ordo-mutexd on 5 nodes: crashes (kill -9), restarts and a stalled token
# holder, per algorithm (Documentation/ordo-mutexd.rst, FAILURES):
#
#   central  node 3 holds, node 2 waits, the coordinator (node 1) is
#            killed: node 2 becomes coordinator (epoch + 1) on every
#            node, rebuilds the state from the STATEs, grants nothing
#            while node 3 holds, then grants node 2 a larger token;
#            node 1 restarted: it is the lowest live id again, every node
#            agrees on coordinator 1 and one epoch, entries of the five
#            nodes are safe and their tokens above the old ones;
#   ring     node 3 holds the token (in its CS) and is killed: the leader
#            probes, regenerates the token exactly once (regenerations
#            summed over the nodes: +1, and still +1 later), node 4 (the
#            dead node's successor) gets it with a larger token, the ring
#            skips node 3; node 3 restarted: no regeneration; node 4
#            stalled (SIGSTOP) in its CS longer than suspect_ms: the
#            token is regenerated once, the others enter; node 4 resumed
#            with a release pending: node 4 rejoins as a new incarnation;
#            if it passes its old token before it learns its exclusion,
#            the next node drops it (stale: an excluded incarnation), so
#            there is still exactly one regeneration and one token;
#   ra, lamport  node 3 killed mid-run while 1, 2, 4, 5 contend: excluded
#            after suspect_ms, the others go on; restarted: rejoins
#            (MX_CFG_REJOIN), the others count a peer restart; entries
#            of the five nodes safe.
#
# Every history is checked by mutex_check.py (no overlap, tokens
# strictly increasing). MUTEX_ENTRIES (default 1) sections per client.
# Needs root, ordo.ko, ordoctl, ordo-mutexd, python3. Prints TAP.
CLUSTER_PREFIX=ordo-fc
CLUSTER_NET=10.81.0
CLUSTER_PORT=7800
. "$(cd "$(dirname "$0")" && pwd)/mf_lib.sh"

echo "TAP version 13"
echo "1..9"

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
EOF
ok $err "5 daemons up"

# ---------------------------------------------------------------- central
err=0
snap c0 || err=1
e0=$(q "s['epoch']" "$work/c0-2.json")
lkx 3 acquire cs >"$work/acq3" 2>&1 &
apid=$!
wait_held 3 cs || { err=1; echo "# node 3 did not get cs"; }
lk 2 run cs --timeout 60000 -- sh -c 'echo "$ORDO_LOCK_TOKEN" >"$1"' x "$work/tok2" \
	2>"$work/run2.err" &
rpid=$!
cluster_wait 20 sh -c "ordoctl -j lock --socket '$(sock 2)' status | grep -q '\"waiting\"'" ||
	{ err=1; echo "# node 2 does not wait"; }
kill9 1 || err=1
newcoord()
{
	local i
	for i in 2 3 4 5; do
		status "$i" c1 2>/dev/null || return 1
		[ "$(q "(s['coordinator'], s['epoch'])" "$work/c1-$i.json")" = \
			"2 $((e0 + 1))" ] || return 1
	done
}
cluster_wait 20 newcoord || { err=1; echo "# every node should have coordinator 2, epoch $((e0 + 1))"; }
sleep 1
[ -s "$work/tok2" ] && { err=1; echo "# node 2 granted while node 3 holds cs"; }
lk 3 release cs || err=1
wait "$apid" || err=1
wait "$rpid" || { err=1; sed 's/^/# node 2: /' "$work/run2.err"; }
t3=$(awk 'NR == 1 { print $2 }' "$work/acq3")
t2=$(cat "$work/tok2" 2>/dev/null)
echo "# central: node 3 held token $t3; after the coordinator died node 2 got ${t2:-nothing} (epoch $((e0 + 1)))"
[ -n "$t2" ] && [ -n "$t3" ] && [ "$t2" -gt "$t3" ] || err=1
: >"$work/hist-cs"
contend cs 2 3 4 5 || err=1
history cs $((4 * ENTRIES)) || err=1
ok $err "central N=5: coordinator (node 1) killed: node 2 takes over (epoch $((e0 + 1))) and grants the waiter after the holder's release, larger token; safe"

err=0
last=$(tail -n 1 "$work/hist-cs" | awk '{ print $2 }')
restart 1 || err=1
cluster_wait 60 ready || { err=1; echo "# node 1 did not rejoin"; }
agree()
{
	snap c2 2>/dev/null || return 1
	[ "$(q "len(set((x['coordinator'], x['epoch']) for x in S)) == 1 and s['coordinator'] == 1" $(files c2))" = 1 ]
}
cluster_wait 20 agree || { err=1; echo "# the nodes do not agree on coordinator 1"; }
e2=$(q "s['epoch']" "$work/c2-1.json")
echo "# central: node 1 restarted: coordinator 1, epoch $e2 on every node (was $((e0 + 1)))"
[ "$e2" -gt $((e0 + 1)) ] || { err=1; echo "# the epoch did not grow"; }
expect "node 1 rejoined" "$(q "s['rejoined']" "$work/c2-1.json")" 1 || err=1
printf 'begin %s x 0\nend %s x 0\n' "$last" "$last" >"$work/hist-cs"
contend cs 1 2 3 4 5 || err=1
history cs $((5 * ENTRIES + 1)) || err=1
ok $err "central N=5: the coordinator restarted: lowest live id again on every node, epoch grows, entries of all five safe, tokens above the old ones"

# ---------------------------------------------------------------- ring
regen() { q "tot('rg', 'regenerations')" $(files "$1"); }
err=0
snap r0 || err=1
g0=$(regen r0)
lkx 3 acquire rg >"$work/racq3" 2>&1 &
apid=$!
wait_held 3 rg || { err=1; echo "# node 3 did not get the token"; }
lk 4 run rg --timeout 60000 -- sh -c 'echo "$ORDO_LOCK_TOKEN" >"$1"' x "$work/rtok4" \
	2>"$work/rrun4.err" &
rpid=$!
sleep 0.5
kill9 3 || err=1
{ kill "$apid"; wait "$apid"; } 2>/dev/null
wait "$rpid" || { err=1; sed 's/^/# node 4: /' "$work/rrun4.err"; }
t3=$(awk 'NR == 1 { print $2 }' "$work/racq3")
t4=$(cat "$work/rtok4" 2>/dev/null)
echo "# ring: node 3 died holding token $t3; node 4 got ${t4:-nothing}"
[ -n "$t4" ] && [ -n "$t3" ] && [ "$t4" -gt "$t3" ] || err=1
: >"$work/hist-rg"
contend rg 1 2 4 5 || err=1
history rg $((4 * ENTRIES)) || err=1
sleep 2
snap r1 || err=1
expect "regenerations" $(($(regen r1) - g0)) 1 || err=1
ok $err "ring N=5: token holder (node 3) killed: regenerated exactly once, its successor node 4 enters with a larger token, node 3 skipped; safe"

err=0
restart 3 || err=1
cluster_wait 60 ready || { err=1; echo "# node 3 did not rejoin"; }
: >"$work/hist-rg"
contend rg 1 2 3 4 5 || err=1
history rg $((5 * ENTRIES)) || err=1
snap r2 || err=1
expect "regenerations after the restart" $(($(regen r2) - g0)) 1 || err=1
ok $err "ring N=5: node 3 restarted: back in the ring, no new token; safe"

# a stalled holder: its token is "lost", regenerated once, and dropped
# when it turns up
err=0
snap r3 || err=1
g3=$(regen r3)
j4=$(q "s['rejoins']" "$work/r3-4.json")
lkx 4 acquire rg >"$work/racq4" 2>&1 &
apid=$!
wait_held 4 rg || { err=1; echo "# node 4 did not get the token"; }
t4=$(awk 'NR == 1 { print $2 }' "$work/racq4")
p4=$(cluster_pid 4)
kill -STOP "$p4"
cluster_wait 20 sh -c "ordoctl -j lock --socket '$(sock 1)' status | grep -q '\"suspect\"'" ||
	{ err=1; echo "# node 4 not suspected"; }
printf 'begin %s 4 stalled\nend %s 4 stalled\n' "$t4" "$t4" >"$work/hist-rg"
contend rg 1 2 || err=1
lk 4 release rg >/dev/null 2>&1 &
rel=$!
sleep 0.3
status 5 r4 || err=1
kill -CONT "$p4"
wait "$rel"
{ wait "$apid"; } 2>/dev/null
rejoined4() { status 4 r5 2>/dev/null && [ "$(q "s['rejoins']" "$work/r5-4.json")" = $((j4 + 1)) ]; }
cluster_wait 30 rejoined4 || { err=1; echo "# node 4 did not rejoin"; }
cluster_wait 60 ready || { err=1; echo "# not every node joined"; }
snap r5 || err=1
contend rg 1 2 3 4 5 || err=1
history rg $((2 * ENTRIES + 5 * ENTRIES + 1)) || err=1
snap r6 || err=1
expect "regenerations for the stalled holder" $(($(regen r6) - g3)) 1 || err=1
echo "# ring: node 4 stalled with token $t4, excluded, regenerated once; after SIGCONT (release pending) node 5 dropped $(($(q "L('rg')['stale']" "$work/r5-5.json") - $(q "L('rg')['stale']" "$work/r4-5.json"))) stale ring message(s) of node 4 (0: node 4 learned its exclusion first and passed nothing)"
ok $err "ring N=5: holder stalled (SIGSTOP) past suspect_ms: one regeneration, the others enter; resumed, it rejoins and its old token never makes a second one; safe"

# ---------------------------------------------------------------- ra, lamport
peer_kill()
{
	local L=$1 err=0 bg r0
	: >"$work/hist-$L"
	status 1 k0 || return 1
	r0=$(q "s['peer_restarts']" "$work/k0-1.json")
	ENTRIES=$((ENTRIES * 2)) contend "$L" 1 2 4 5 &
	bg=$!
	sleep 0.5
	kill9 3 || err=1
	cluster_wait 20 sh -c "ordoctl -j lock --socket '$(sock 1)' status | grep -q '\"suspect\"'" ||
		{ err=1; echo "# node 3 not suspected"; }
	restart 3 || err=1
	cluster_wait 60 ready || { err=1; echo "# node 3 did not rejoin"; }
	status 3 k1 || err=1
	expect "node 3 rejoined" "$(q "s['rejoined']" "$work/k1-3.json")" 1 || err=1
	status 1 k1 || err=1
	expect "restarts seen by node 1" "$(q "s['peer_restarts']" "$work/k1-1.json")" $((r0 + 1)) || err=1
	wait "$bg" || err=1
	contend "$L" 1 2 3 4 5 || err=1
	history "$L" $((4 * 2 * ENTRIES + 5 * ENTRIES)) || err=1
	return $err
}
err=0
peer_kill ra || err=1
ok $err "ricart-agrawala N=5: node 3 killed (-9) mid-run: excluded, the others go on; restarted: rejoins; safe"
err=0
peer_kill lp || err=1
ok $err "lamport N=5: node 3 killed (-9) mid-run: excluded, the others go on; restarted: rejoins; safe"

err=0
for i in $(seq 1 "$N"); do
	cluster_alive "$i" || { err=1; echo "# node $i died"; }
done
grep -h -i "segfault\|assert\|error:" "$CLUSTER_DIR"/n*.log | head -n 5 | sed 's/^/# /'
ok $err "every daemon still runs"

echo "# $failed failed"
[ "$failed" = 0 ]
