#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ordo-mutexd under faults (tests/lib/cluster.sh), Documentation/
# ordo-mutexd.rst RELIABILITY and FAILURES:
#
#   loss     netem loss 10% and duplicate 10% on every node, 5 nodes
#            (central, Ricart-Agrawala) and 3 nodes (every algorithm):
#            safety (mutex_check.py history), every entry completes,
#            retransmissions and duplicates counted in status -j, and
#            the datagrams on the wire minus the retransmissions are
#            exactly the fault-free counts (central 3 per entry of a
#            non-coordinator, Ricart-Agrawala 2(N-1), Lamport 3(N-1));
#            every message delivered once (received = sent);
#   restart  Ricart-Agrawala and Lamport: nodes 1 and 2 contend, node 3
#            (not a coordinator) is killed (-9) mid-run, excluded after
#            suspect_ms, restarted: it rejoins (MX_CFG_REJOIN), the
#            others see a new incarnation, and entries of all three
#            nodes complete safely afterwards;
#   partition central: {1 2} | {3} for longer than suspect_ms: the
#            majority keeps its coordinator (node 1) and serves; node 3
#            becomes its own coordinator and serves its local clients
#            (central has no quorum: the documented split); after the
#            heal node 3 learns it was excluded, rejoins as a new
#            incarnation with coordinator 1 and the majority's epoch,
#            and entries of all three nodes complete safely.
#
# Small loads for the VM (TCG): MUTEX_ENTRIES (default 3) sections per
# client. Needs root, ordo.ko (or MUTEX_NO_MODULE=1: libordo stamping),
# ordoctl, ordo-mutexd, python3, tc (netem), nft. Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
check=$here/mutex_check.py
ksft_skip=4
ENTRIES=${MUTEX_ENTRIES:-3}
CLUSTER_PREFIX=ordo-mf
CLUSTER_NET=10.78.0
CLUSTER_PORT=7700
. "${ORDO_ROOT:-$here/../..}/tests/lib/cluster.sh"
MUTEXD=$(command -v ordo-mutexd)
work=$(mktemp -d /tmp/ordo-mxf.XXXXXX)
n=0 failed=0 N=0

if [ "$(id -u)" != 0 ] || { [ ! -d /sys/kernel/ordo ] && [ -z "${MUTEX_NO_MODULE:-}" ]; } ||
   [ -z "$MUTEXD" ] || ! command -v ordoctl >/dev/null ||
   ! command -v python3 >/dev/null || ! command -v tc >/dev/null ||
   ! command -v nft >/dev/null; then
	echo "1..0 # SKIP needs root, ordo.ko, ordoctl, ordo-mutexd, python3, tc and nft"
	exit $ksft_skip
fi

ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

cleanup()
{
	cluster_down
	rm -rf "$work"
}
trap cleanup EXIT

sock() { echo "$CLUSTER_DIR/n$1.sock"; }
lk() { local i=$1; shift; ordoctl lock --socket "$(sock "$i")" "$@"; }
status() { ordoctl -j lock --socket "$(sock "$1")" status >"$work/$2-$1.json"; }
snap()
{
	local i
	for i in $(seq 1 "$N"); do
		status "$i" "$1" || return 1
	done
}
files() { local i; for i in $(seq 1 "$N"); do echo "$work/$1-$i.json"; done; }
get() { python3 "$check" get "$1" "$work/$2.json"; }
expect()
{
	[ "$2" = "$3" ] && return 0
	echo "# $1: $2, expected $3"
	return 1
}

# every daemon answers, has joined and sees every peer alive
ready()
{
	local i
	for i in $(seq 1 "$N"); do
		status "$i" ready 2>/dev/null || return 1
		python3 "$check" alive "$work/ready-$i.json" || return 1
		[ "$(get joining "ready-$i")" = 0 ] || return 1
	done
}

# nothing waits for an acknowledgement any more (every message arrived)
settled()
{
	local i
	for i in $(seq 1 "$N"); do
		status "$i" settle 2>/dev/null || return 1
		[ "$(get unacked "settle-$i")" = 0 ] || return 1
	done
}

# start N [LOCKS]: a fresh cluster of N nodes, one lock per algorithm given
start()
{
	local i L err=0
	N=$1
	shift
	cluster_up "$N" || return 1
	cluster_conf_append <<EOF
[runtime]
heartbeat_ms = 100
suspect_ms = 3000
EOF
	for L in "$@"; do
		printf '\n[lock %s]\nalgorithm = %s\n' "${L%%:*}" "${L#*:}" |
			cluster_conf_append
		# an idle token moves on after idle_ms; at 100 ms (the heartbeat
		# period, which acks it) one is nearly always unacknowledged, and
		# settled() would wait for a moment that seldom comes
		[ "${L#*:}" = ring ] && echo "idle_ms = 1000" | cluster_conf_append
	done
	for i in $(seq 1 "$N"); do
		cluster_start "$i" "$MUTEXD" --foreground --config "$CLUSTER_CONF" \
			--node "$i" --socket "$(sock "$i")" || err=1
	done
	cluster_wait 30 ready || { err=1; tail -n 5 "$CLUSTER_DIR"/n*.log | sed 's/^/# /'; }
	return $err
}

# contend LOCK NODES...: one client per node, ENTRIES sections each,
# appended to $work/hist-LOCK (not truncated: a run may span several calls)
contend()
{
	local L=$1 i rc=0 pids=()
	shift
	for i in "$@"; do
		(
			for e in $(seq 1 "$ENTRIES"); do
				lk "$i" run "$L" --timeout 60000 -- sh -c \
					'echo "begin $ORDO_LOCK_TOKEN $0 $$" >>"$1"; sleep 0.02; echo "end $ORDO_LOCK_TOKEN $0 $$" >>"$1"' \
					"$i" "$work/hist-$L" || exit 1
			done
		) 2>>"$work/err-$L" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || rc=1
	done
	[ "$rc" = 0 ] || sed "s/^/# $L: /" "$work/err-$L" | head -n 5
	return $rc
}

# history LOCK ENTRIES: safety and the number of sections
history()
{
	python3 "$check" history "$work/hist-$1" "$2" >"$work/check-$1" 2>&1
	local rc=$?
	sed 's/^/# /' "$work/check-$1"
	return $rc
}

delta() { echo $(($(python3 "$check" sum "$1" "$2" $(files post)) - $(python3 "$check" sum "$1" "$2" $(files pre)))); }
wire() { echo $(($(python3 "$check" wire "$1" $(files post)) - $(python3 "$check" wire "$1" $(files pre)))); }
node_entries()
{
	echo $(($(python3 "$check" sum "$1" entries "$work/post-$2.json") -
		$(python3 "$check" sum "$1" entries "$work/pre-$2.json")))
}

# lossy LOCK ALGORITHM PER: a contended run under loss; PER: messages per
# entry (0: central, 3 per entry of a node other than the coordinator)
lossy()
{
	local L=$1 A=$2 per=$3 err=0 E=$((N * ENTRIES)) want i coord retx
	: >"$work/hist-$L"
	snap pre || return 1
	contend "$L" $(seq 1 "$N") || err=1
	history "$L" "$E" || err=1
	cluster_wait 30 settled || { err=1; echo "# messages still unacknowledged"; }
	snap post || return 1
	if [ "$per" = 0 ]; then
		coord=$(get coordinator post-1)
		want=0
		for i in $(seq 1 "$N"); do
			[ "$i" = "$coord" ] || want=$((want + 3 * $(node_entries "$L" "$i")))
		done
	else
		want=$((per * E))
	fi
	retx=$(delta "$L" retransmitted)
	expect "$L entries" "$(delta "$L" entries)" "$E" || err=1
	expect "$L messages of the algorithm" "$(delta "$L" sent)" "$want" || err=1
	expect "$L delivered once" "$(delta "$L" received)" "$want" || err=1
	expect "$L on the wire minus retransmissions" $(($(wire "$A") - retx)) "$want" || err=1
	echo "# $L (N=$N): $E entries, $want messages, $(wire "$A") on the wire, $retx retransmitted, $(delta "$L" duplicates) duplicates dropped"
	return $err
}

echo "TAP version 13"
echo "1..9"

# ---------------------------------------------------------------- loss, 5 nodes
err=0
start 5 cs:central ra:ricart-agrawala || err=1
cluster_netem_all loss 10% duplicate 10% || err=1
ok $err "5 daemons up, netem loss 10% duplicate 10% on every node"

err=0
lossy cs central 0 || err=1
lossy ra ricart-agrawala $((2 * (N - 1))) || err=1
snap end5
r5=$(python3 "$check" total retransmitted $(files end5))
d5=$(python3 "$check" total duplicates $(files end5))
echo "# N=5: $r5 retransmissions, $d5 duplicates dropped"
[ "$r5" -gt 0 ] && [ "$d5" -gt 0 ] || err=1
ok $err "loss N=5: central and Ricart-Agrawala safe, complete, counts exact minus retransmissions"

# ---------------------------------------------------------------- loss, 3 nodes
err=0
start 3 cs:central ra:ricart-agrawala lp:lamport rg:ring vt:vote || err=1
cluster_netem_all loss 10% duplicate 10% || err=1
lossy cs central 0 || err=1
lossy ra ricart-agrawala $((2 * (N - 1))) || err=1
lossy lp lamport $((3 * (N - 1))) || err=1
for L in rg vt; do
	: >"$work/hist-$L"
	contend "$L" 1 2 3 || err=1
	history "$L" $((N * ENTRIES)) || err=1
done
snap end3
r3=$(python3 "$check" total retransmitted $(files end3))
echo "# N=3: $r3 retransmissions, $(python3 "$check" total duplicates $(files end3)) duplicates dropped"
[ "$r3" -gt 0 ] || err=1
cluster_netem_clear
ok $err "loss N=3: every algorithm safe and complete; central, RA, Lamport counts exact minus retransmissions"

# ---------------------------------------------------------------- restart
# restart LOCK: nodes 1 and 2 contend; node 3 is killed, excluded and
# restarted mid-run
restart()
{
	local L=$1 err=0 bg inc0 inc1 r0
	: >"$work/hist-$L"
	status 1 r0 || return 1
	r0=$(get peer_restarts r0-1)
	inc0=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["incarnation"])' "$work/r0-1.json")
	ENTRIES=$((ENTRIES * 2)) contend "$L" 1 2 &
	bg=$!
	sleep 0.5
	cluster_kill 3 || err=1
	# excluded: the others go on without it
	cluster_wait 20 sh -c "ordoctl -j lock --socket '$(sock 1)' status | grep -q '\"suspect\"'" ||
		{ err=1; echo "# node 3 not suspected"; }
	cluster_restart 3 || err=1
	cluster_wait 30 ready || { err=1; echo "# node 3 did not rejoin"; }
	status 3 r1 || err=1
	expect "node 3 rejoined" "$(get rejoined r1-3)" 1 || err=1
	status 1 r1 || err=1
	expect "restarts seen by node 1" "$(get peer_restarts r1-1)" $((r0 + 1)) || err=1
	inc1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["incarnation"])' "$work/r1-1.json")
	expect "node 1's own incarnation" "$inc1" "$inc0" || err=1
	wait "$bg" || err=1
	contend "$L" 1 2 3 || err=1
	history "$L" $((2 * 2 * ENTRIES + 3 * ENTRIES)) || err=1
	echo "# $L: node 3 killed and restarted mid-run, rejoined; $((7 * ENTRIES)) sections"
	return $err
}
err=0
restart ra || err=1
ok $err "restart: Ricart-Agrawala, node 3 killed (-9) mid-run and restarted: rejoins, entries resume, safe"
err=0
restart lp || err=1
ok $err "restart: Lamport, node 3 killed (-9) mid-run and restarted: rejoins, entries resume, safe"

# ---------------------------------------------------------------- partition
err=0
status 1 p0 || err=1
status 3 p0 || err=1
e1=$(get epoch p0-1)
j3=$(get rejoins p0-3)
cluster_partition "1 2" "3" || err=1
cluster_wait 20 sh -c "ordoctl -j lock --socket '$(sock 3)' status >'$work/p1-3.json' &&
	python3 '$check' get coordinator '$work/p1-3.json' | grep -qx 3" ||
	{ err=1; echo "# node 3 did not become its own coordinator"; }
cluster_wait 20 sh -c "ordoctl -j lock --socket '$(sock 1)' status | grep -q '\"suspect\"'" ||
	{ err=1; echo "# node 1 does not suspect node 3"; }
lk 2 run cs --timeout 20000 -- true || { err=1; echo "# the majority does not serve"; }
lk 3 run cs --timeout 20000 -- true || { err=1; echo "# node 3 does not serve its own clients"; }
status 1 p1 || err=1
expect "majority coordinator" "$(get coordinator p1-1)" 1 || err=1
expect "majority epoch" "$(get epoch p1-1)" "$e1" || err=1
ok $err "partition {1 2} | {3}: the majority keeps coordinator 1 (epoch $e1) and serves; node 3 is its own coordinator and serves (central: no quorum)"

# node 3 has rejoined (a new incarnation) and joined again
rejoined3()
{
	status 3 p2 2>/dev/null && [ "$(get rejoins p2-3)" = $((j3 + 1)) ] &&
		[ "$(get joining p2-3)" = 0 ]
}
err=0
cluster_heal
cluster_wait 30 rejoined3 || { err=1; echo "# node 3 did not rejoin after the heal"; }
cluster_wait 30 ready || { err=1; echo "# not every node joined after the heal"; }
status 3 p2 || err=1
status 1 p2 || err=1
expect "node 3 rejoins" "$(get rejoins p2-3)" $((j3 + 1)) || err=1
expect "node 3 coordinator" "$(get coordinator p2-3)" 1 || err=1
expect "node 3 epoch" "$(get epoch p2-3)" "$(get epoch p2-1)" || err=1
expect "node 1 epoch" "$(get epoch p2-1)" "$e1" || err=1
expect "node 1 rejoins" "$(get rejoins p2-1)" 0 || err=1
ok $err "heal: node 3 learns it was excluded and rejoins as a new incarnation (coordinator 1, epoch $e1); the majority does not"

err=0
: >"$work/hist-cs"
contend cs 1 2 3 || err=1
history cs $((3 * ENTRIES)) || err=1
ok $err "after the heal: central entries of all three nodes complete, no overlap, tokens increasing"

err=0
for i in 1 2 3; do
	cluster_alive "$i" || { err=1; echo "# node $i died"; }
done
grep -h -i "segfault\|assert\|error:" "$CLUSTER_DIR"/n*.log | head -n 5 | sed 's/^/# /'
ok $err "every daemon still runs"

echo "# $failed failed"
[ "$failed" = 0 ]
