#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The centralized lock's coordinator follows ordo-electd's leader
# ([mutexd] election = GROUP, Documentation/ordo-mutexd.rst, "The
# coordinator"), on 3 nodes that run both daemons (ordo-electd with bully
# group e, ordo-mutexd with a central lock cs):
#
#   alone    ordo-mutexd without ordo-electd: the coordinator is the
#            lowest live id (1), not elected, not subscribed;
#   follow   ordo-electd started on every node: it elects 3 (the highest
#            id) and every ordo-mutexd takes node 3 as coordinator, one
#            epoch everywhere; the requests of nodes 1 and 2 go to node 3;
#   failover node 1 holds cs, node 2 waits, node 3 (both daemons) is
#            killed: ordo-electd elects 2, every ordo-mutexd follows
#            (coordinator 2, elected, one epoch), node 2 is not granted
#            while node 1 holds, then gets a larger token;
#   lost     node 1's ordo-electd stopped: its ordo-mutexd keeps the last
#            leader (2) as coordinator and says it is not subscribed;
#            ordo-electd restarted: subscribed again, still 2;
#   back     node 3 restarted (both daemons): bully, it takes over, every
#            ordo-mutexd follows to coordinator 3 in one epoch; entries of
#            the three nodes are safe, tokens above the old ones;
#   config   [mutexd] election naming no [election NAME] section: the
#            daemon exits 1 with one line naming the key.
#
# Needs root, ordo.ko, ordoctl, ordo-mutexd, ordo-electd, python3. Prints
# TAP.
CLUSTER_PREFIX=ordo-fe
CLUSTER_NET=10.85.0
CLUSTER_PORT=8100
. "$(cd "$(dirname "$0")" && pwd)/mf_lib.sh"
ELECTD=$(command -v ordo-electd)
if [ -z "$ELECTD" ]; then
	echo "1..0 # SKIP needs ordo-electd"
	exit $ksft_skip
fi
declare -A EPID=()

esock() { echo "$CLUSTER_DIR/e$1.sock"; }
mf_node_args() { echo "--set mutexd.election_socket=$(esock "$1")"; }
# estart I / ekill I [SIG]: node I's ordo-electd (beside its ordo-mutexd)
estart()
{
	echo "== $(date +%T.%N) start ordo-electd" >>"$CLUSTER_DIR/e$1.log"
	# not cluster_exec (a function): $! must be the daemon itself
	ip netns exec "$(cluster_ns "$1")" "$ELECTD" --foreground --config "$CLUSTER_CONF" \
		--node "$1" --socket "$(esock "$1")" >>"$CLUSTER_DIR/e$1.log" 2>&1 &
	EPID[$1]=$!
}
ekill()
{
	[ -n "${EPID[$1]:-}" ] || return 0
	kill "-${2:-KILL}" "${EPID[$1]}" 2>/dev/null
	wait "${EPID[$1]}" 2>/dev/null
	unset "EPID[$1]"
}
eleader()
{
	ordoctl leader --socket "$(esock "$1")" show e 2>/dev/null |
		awk '$1 == "e" { sub(/\*$/, "", $3); print $3 }'
}
# follow C: every live ordo-mutexd has coordinator C, elected, subscribed,
# one epoch; every live ordo-electd names C
follow()
{
	local i
	for i in $(live); do
		[ "$(eleader "$i")" = "$1" ] || return 1
	done
	snap fl 2>/dev/null || return 1
	[ "$(q "all(x['coordinator'] == $1 and x['election']['elected'] and x['election']['connected'] and x['election'].get('leader') == $1 for x in S) and len(set(x['epoch'] for x in S)) == 1" $(files fl))" = 1 ]
}
kill_node() { ekill "$1" && kill9 "$1"; }
cleanup_el() { local i; for i in "${!EPID[@]}"; do ekill "$i"; done; }

echo "TAP version 13"
echo "1..6"

# ---------------------------------------------------------------- alone
err=0
start 3 <<CONF || err=1
[runtime]
heartbeat_ms = 100
suspect_ms = 3000

[electd]
join_ms = 8000

[election e]
algorithm = bully
answer_ms = 800
coord_ms = 5000

[mutexd]
election = e

[lock cs]
algorithm = central
CONF
trap 'cleanup_el; cleanup' EXIT
snap a0 || err=1
expect "coordinator, elected, subscribed" \
	"$(q "[(x['coordinator'], x['election']['elected'], x['election']['connected']) for x in S]" $(files a0))" \
	"(1, False, False) (1, False, False) (1, False, False)" || err=1
ok $err "without ordo-electd: the coordinator is the lowest live id (1), not elected"

# ---------------------------------------------------------------- follow
err=0
e0=$(q "s['epoch']" "$work/a0-1.json")
for i in 1 2 3; do
	estart "$i"
done
cluster_wait 60 follow 3 || { err=1; echo "# the nodes do not follow leader 3"; }
e1=$(q "s['epoch']" "$work/fl-1.json")
echo "# ordo-electd elected 3: coordinator 3 on every node, epoch $e0 -> $e1"
lkx 1 acquire cs >"$work/acq1" 2>&1 &
apid=$!
wait_held 1 cs || { err=1; echo "# node 1 did not get cs"; }
lk 2 run cs --timeout 90000 -- sh -c 'echo "$ORDO_LOCK_TOKEN" >"$1"' x "$work/tok2" \
	2>"$work/run2.err" &
rpid=$!
cluster_wait 20 sh -c "ordoctl -j lock --socket '$(sock 2)' status | grep -q '\"waiting\"'" ||
	{ err=1; echo "# node 2 does not wait"; }
status 3 f1 || err=1
status 1 f1 || err=1
expect "REQUESTs received by node 3 (the coordinator)" \
	"$(q "L('cs')['messages']['REQUEST']['received']" "$work/f1-3.json")" 2 || err=1
expect "REQUESTs received by node 1" \
	"$(q "L('cs')['messages']['REQUEST']['received']" "$work/f1-1.json")" 0 || err=1
ok $err "ordo-electd elects 3: every ordo-mutexd follows (coordinator 3, one epoch), the requests go to node 3"

# ---------------------------------------------------------------- failover
err=0
kill_node 3 || err=1
cluster_wait 60 follow 2 || { err=1; echo "# nodes 1, 2 do not follow leader 2"; }
e2=$(q "s['epoch']" "$work/fl-1.json")
sleep 1
[ -s "$work/tok2" ] && { err=1; echo "# node 2 granted while node 1 holds cs"; }
lk 1 release cs || err=1
wait "$apid" || err=1
wait "$rpid" || { err=1; sed 's/^/# node 2: /' "$work/run2.err"; }
t1=$(awk 'NR == 1 { print $2 }' "$work/acq1")
t2=$(cat "$work/tok2" 2>/dev/null)
echo "# node 3 killed: ordo-electd elected 2, coordinator 2 (epoch $e2); node 1 held token $t1, node 2 then got ${t2:-nothing}"
[ -n "$t2" ] && [ -n "$t1" ] && [ "$t2" -gt "$t1" ] || err=1
ok $err "leader and coordinator killed: both daemons move to node 2, the waiter is granted after the release with a larger token"

# ---------------------------------------------------------------- lost
err=0
ekill 1 TERM
lost()
{
	status 1 l1 2>/dev/null &&
		[ "$(q "(s['coordinator'], s['election']['connected'], s['election'].get('leader'), s['election']['elected'])" "$work/l1-1.json")" = "2 False 2 True" ]
}
cluster_wait 20 lost || { err=1; echo "# node 1: $(q "(s['coordinator'], s['election'])" "$work/l1-1.json")"; }
sleep 2
lost || { err=1; echo "# node 1 did not keep coordinator 2"; }
estart 1
cluster_wait 60 follow 2 || { err=1; echo "# node 1 did not subscribe again"; }
ok $err "node 1's ordo-electd stopped: its ordo-mutexd keeps the last leader (2), unsubscribed; restarted: subscribed again"

# ---------------------------------------------------------------- back
err=0
e3=$(q "s['epoch']" "$work/fl-1.json")
restart 3 || err=1
estart 3
cluster_wait 60 ready || { err=1; echo "# node 3's ordo-mutexd did not rejoin"; }
cluster_wait 60 follow 3 || { err=1; echo "# the nodes do not follow leader 3 again"; }
e4=$(q "s['epoch']" "$work/fl-1.json")
echo "# node 3 restarted: bully, it takes over; coordinator 3 on every node, epoch $e3 -> $e4"
[ "$e4" -gt "$e3" ] || { err=1; echo "# the epoch did not grow"; }
printf 'begin %s x 0\nend %s x 0\n' "$t2" "$t2" >"$work/hist-cs"
contend cs 1 2 3 || err=1
history cs $((3 * ENTRIES + 1)) || err=1
ok $err "node 3 restarted: it leads again, every ordo-mutexd follows (coordinator 3, epoch grows), entries of the three nodes safe"

# ---------------------------------------------------------------- config
err=0
"$MUTEXD" --foreground --config "$CLUSTER_CONF" --node 1 --socket "$work/x.sock" \
	--set mutexd.election=nosuch >"$work/cfg.out" 2>&1
rc=$?
sed 's/^/# /' "$work/cfg.out"
expect "exit status" "$rc" 1 || err=1
grep -q "no \[election nosuch\] section" "$work/cfg.out" || err=1
expect "lines" "$(wc -l <"$work/cfg.out")" 1 || err=1
ok $err "[mutexd] election naming no group: exit 1, one line"

[ "$failed" = 0 ]
