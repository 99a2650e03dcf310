#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ordo-mutexd under load on test clusters of N = 3 and N = 5 nodes
# (tests/lib/cluster.sh), one lock per algorithm (central, ring,
# ricart-agrawala, lamport, vote). For each N and lock, mx_load runs 20
# client threads, each its own local API session, spread round-robin over
# the nodes (7/7/6 on 3 nodes, 4 each on 5), ENTRIES entries each; in the
# critical section a client appends "begin" and "end" lines with its
# fencing token to one shared file (O_APPEND). mutex_load_check.py checks:
#
#   safety    every entry granted (20 x ENTRIES), no entry granted before
#             the previous one was released, fencing tokens strictly
#             increasing, the shared file never interleaved;
#   fairness  (central, ring, Ricart-Agrawala, Lamport) an entry of a
#             client on a node with c clients is overtaken at most c*N - 1
#             times and waits at most c*N * (H + G) (Documentation/
#             ordo-mutexd.rst, "LOAD AND FAIRNESS"); voting has no such
#             bound: its largest overtake count is printed;
#   counts    the daemons' entries = 20 x ENTRIES; Ricart-Agrawala
#             2(N-1) and Lamport 3(N-1) messages per entry, central 3 per
#             entry of a client on a node other than the coordinator;
#             one operation-done mark per entry (per remote entry for
#             central).
#
# ENTRIES: MUTEX_ENTRIES, else 200 with MUTEX_FULL=1 (the full load of
# issue 5, several minutes per N in the TCG VM), else 25 (make check).
# Needs root, ordo.ko, ordo-mutexd, mx_load (built next to this script),
# python3. Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
check=$here/mutex_load_check.py
LOAD=$here/mx_load
ksft_skip=4
CLIENTS=20
if [ -n "${MUTEX_ENTRIES:-}" ]; then
	ENTRIES=$MUTEX_ENTRIES
elif [ "${MUTEX_FULL:-0}" = 1 ]; then
	ENTRIES=200
else
	ENTRIES=25
fi
LOCKS="cs rg ra lp vt"
declare -A ALGO=([cs]=central [rg]=ring [ra]=ricart-agrawala [lp]=lamport [vt]=vote)
CLUSTER_PREFIX=ordo-ml
CLUSTER_NET=10.81.0
CLUSTER_PORT=7700
. "${ORDO_ROOT:-$here/../..}/tests/lib/cluster.sh"
MUTEXD=$(command -v ordo-mutexd)
work=$(mktemp -d /tmp/ordo-mutexload.XXXXXX)
n=0 failed=0

if [ "$(id -u)" != 0 ] || [ ! -d /sys/kernel/ordo ] || [ -z "$MUTEXD" ] ||
   [ ! -x "$LOAD" ] || ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs root, ordo.ko, ordo-mutexd, mx_load and python3"
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
socks() { local i; for i in $(seq 1 "$N"); do echo "--socket $(sock "$i")"; done; }

# wait_ready: every daemon answers and sees every peer alive
wait_ready()
{
	local t i
	for t in $(seq 1 150); do
		for i in $(seq 1 "$N"); do
			ordoctl -j lock --socket "$(sock "$i")" status >"$work/ready.json" 2>/dev/null ||
				continue 2
			python3 -c 'import json, sys
sys.exit(0 if all(p["state"] == "alive" for p in json.load(open(sys.argv[1]))["peers"]) else 1)' \
				"$work/ready.json" || continue 2
		done
		return 0
	done
	return 1
}

echo "TAP version 13"
echo "1..$((2 * (1 + 5)))"
echo "# $CLIENTS clients x $ENTRIES entries per lock"
t_all=$(date +%s)

for N in 3 5; do
	err=0
	cluster_up "$N" || err=1
	trap cleanup EXIT	# cluster_up set its own
	cluster_conf_append <<EOF
[runtime]
heartbeat_ms = 200
suspect_ms = 15000

[lock cs]
algorithm = central

[lock rg]
algorithm = ring
idle_ms = 200

[lock ra]
algorithm = ricart-agrawala

[lock lp]
algorithm = lamport

[lock vt]
algorithm = vote
EOF
	for i in $(seq 1 "$N"); do
		cluster_start "$i" "$MUTEXD" --foreground --config "$CLUSTER_CONF" \
			--node "$i" --socket "$(sock "$i")" || err=1
	done
	wait_ready || { err=1; tail -n 5 "$CLUSTER_DIR"/n*.log | sed 's/^/# /'; }
	ok $err "N=$N: daemons up, every peer alive"

	E=$((CLIENTS * ENTRIES))
	for L in $LOCKS; do
		err=0
		t0=$(date +%s)
		rm -f "$work/shared-$L" "$work/hist-$L"
		# shellcheck disable=SC2046
		"$LOAD" --lock "$L" $(socks) --clients "$CLIENTS" --entries "$ENTRIES" \
			--timeout 300000 --file "$work/shared-$L" --history "$work/hist-$L" \
			-j >"$work/sum-$L.json" 2>"$work/err-$L" ||
			{ err=1; sed "s/^/# $L: /" "$work/err-$L" | head -n 5; }
		fair=--fair
		[ "$L" = vt ] && fair=
		python3 "$check" check "$work/hist-$L" "$work/shared-$L" --clients "$CLIENTS" \
			--entries "$ENTRIES" --nodes "$N" $fair --summary "$work/sum-$L.json" \
			--algorithm "${ALGO[$L]}" >"$work/check-$L" 2>&1 || err=1
		sed "s/^/# $L: /" "$work/check-$L"
		echo "# N=$N $L: $E entries in $(($(date +%s) - t0)) s"
		[ "$err" = 0 ] || tail -n 3 "$CLUSTER_DIR"/n*.log | sed 's/^/# /'
		what="safe, every request granted"
		[ -n "$fair" ] && what="$what, bounded wait"
		ok $err "N=$N $L: $CLIENTS clients x $ENTRIES entries: $what, exact counts"
	done
	for i in $(seq 1 "$N"); do
		cluster_stop "$i" || true
	done
	cluster_down
done
echo "# total $(($(date +%s) - t_all)) s"
echo "# $failed failed"
[ "$failed" = 0 ]
