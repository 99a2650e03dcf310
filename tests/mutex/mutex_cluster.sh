#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ordo-mutexd on a 3-node test cluster (tests/lib/cluster.sh): one lock
# per algorithm (central, ring, ricart-agrawala, lamport, vote).
#
#   safety   2 clients per node, each running ENTRIES critical sections
#            with `ordoctl lock run`; every section appends "begin" and
#            "end" lines with its fencing token to one shared file;
#            mutex_check.py finds no overlap and strictly increasing
#            tokens;
#   counts   from `ordoctl -j lock status` summed over the nodes, exact:
#            central 3 per entry of a non-coordinator node (0 for the
#            coordinator's own), Ricart-Agrawala 2(N-1), Lamport 3(N-1),
#            voting 3(N-1) per uncontended entry, ring one TOKEN per node
#            per circulation; one operation-done marker per entry;
#            nothing lost (sent = received);
#   faults   a holder killed (-9) loses the lock through its session;
#            acquire/release as two commands; --timeout; garbage
#            datagrams and local API packets are counted and the daemon
#            keeps serving; the central coordinator killed (-9): the
#            waiting client gets the lock from the next lowest id.
#
# The load is scaled down for the VM (TCG): MUTEX_ENTRIES (default 4)
# sections per client, 24 per algorithm; the full 20 x 200 load is a
# benchmark's job. Needs root, ordo.ko, ordoctl, ordo-mutexd, python3.
# Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
check=$here/mutex_check.py
ksft_skip=4
N=3
CLIENTS=2			# per node
ENTRIES=${MUTEX_ENTRIES:-4}	# per client
SEQ=6				# sequential entries (vote count)
CLUSTER_PREFIX=ordo-mx
CLUSTER_NET=10.79.0
CLUSTER_PORT=7600
. "${ORDO_ROOT:-$here/../..}/tests/lib/cluster.sh"
MUTEXD=$(command -v ordo-mutexd || command -v mutexd)
work=$(mktemp -d /tmp/ordo-mutex.XXXXXX)
n=0 failed=0

if [ "$(id -u)" != 0 ] || [ ! -d /sys/kernel/ordo ] || [ -z "$MUTEXD" ] ||
   ! command -v ordoctl >/dev/null || ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs root, ordo.ko, ordoctl, ordo-mutexd and python3"
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
# in the background: $! is ordoctl itself
lkx() { local i=$1; shift; exec ordoctl lock --socket "$(sock "$i")" "$@"; }
status() { ordoctl -j lock --socket "$(sock "$1")" status >"$work/$2-$1.json"; }
# snap TAG: every live node's status into $work/TAG-<i>.json
snap()
{
	local i
	for i in $(seq 1 "$N"); do
		cluster_alive "$i" && { status "$i" "$1" || return 1; }
	done
	return 0
}
files() { local i; for i in $(seq 1 "$N"); do echo "$work/$1-$i.json"; done; }
# total LOCK FIELD TAG: sum over the nodes
total() { python3 "$check" sum "$1" "$2" $(files "$3"); }

# wait_ready: every daemon answers and sees every peer alive
wait_ready()
{
	local t i
	for t in $(seq 1 150); do
		for i in $(seq 1 "$N"); do
			status "$i" ready 2>/dev/null || continue 2
			python3 "$check" alive "$work/ready-$i.json" || continue 2
		done
		return 0
	done
	return 1
}

# contend LOCK: CLIENTS x ENTRIES sections per node, all at once
contend()
{
	local L=$1 i c rc=0 pids=()
	: >"$work/hist-$L"
	for i in $(seq 1 "$N"); do
		for c in $(seq 1 "$CLIENTS"); do
			(
				for e in $(seq 1 "$ENTRIES"); do
					lk "$i" run "$L" --timeout 60000 -- sh -c \
						'echo "begin $ORDO_LOCK_TOKEN $0 $$" >>"$1"; sleep 0.02; echo "end $ORDO_LOCK_TOKEN $0 $$" >>"$1"' \
						"$i" "$work/hist-$L" || exit 1
				done
			) 2>>"$work/err-$L" &
			pids+=($!)
		done
	done
	for c in "${pids[@]}"; do
		wait "$c" || rc=1
	done
	[ "$rc" = 0 ] || sed "s/^/# $L: /" "$work/err-$L" | head -n 5
	return $rc
}

# expect WHAT GOT WANT
expect()
{
	[ "$2" = "$3" ] && return 0
	echo "# $1: $2, expected $3"
	return 1
}

echo "TAP version 13"
echo "1..16"

# ---------------------------------------------------------------- set-up
err=0
cluster_up "$N" || err=1
cluster_conf_append <<EOF
[runtime]
heartbeat_ms = 100
suspect_ms = 1500

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
ok $err "$N daemons up, every peer alive"

# ---------------------------------------------------------------- safety
E=$((N * CLIENTS * ENTRIES))
for L in cs rg ra lp vt; do
	t0=$(date +%s)
	snap "pre-$L"
	contend "$L" && python3 "$check" history "$work/hist-$L" "$E" >"$work/check-$L" 2>&1
	rc=$?
	sed 's/^/# /' "$work/check-$L" 2>/dev/null
	echo "# $L: $E sections in $(($(date +%s) - t0))s"
	snap "post-$L"
	ok $rc "safety $L: $E contended sections, no overlap, tokens increasing"
done

# ---------------------------------------------------------------- counts
# delta LOCK FIELD: the sum over the nodes, post minus pre
delta() { echo $(($(total "$1" "$2" "post-$1") - $(total "$1" "$2" "pre-$1"))); }
# entries of node i during the run of LOCK
node_entries()
{
	local a b
	a=$(python3 "$check" sum "$1" entries "$work/pre-$1-$2.json")
	b=$(python3 "$check" sum "$1" entries "$work/post-$1-$2.json")
	echo $((b - a))
}

err=0
coord=$(python3 "$check" get coordinator "$work/post-cs-1.json")
others=0
for i in $(seq 1 "$N"); do
	[ "$i" = "$coord" ] || others=$((others + $(node_entries cs "$i")))
done
expect "central entries" "$(delta cs entries)" "$E" || err=1
expect "central messages" "$(delta cs sent)" $((3 * others)) || err=1
expect "central received" "$(delta cs received)" $((3 * others)) || err=1
expect "central operation-done" "$(delta cs opdone_sent)" "$others" || err=1
echo "# central: $(delta cs sent) messages for $E entries, $others of them from non-coordinators"
ok $err "counts central: 3 per entry of a client other than the coordinator ($((3 * others)))"

err=0
for L in ra lp; do
	per=$((2 * (N - 1)))
	[ "$L" = lp ] && per=$((3 * (N - 1)))
	expect "$L entries" "$(delta $L entries)" "$E" || err=1
	expect "$L messages" "$(delta $L sent)" $((per * E)) || err=1
	expect "$L received" "$(delta $L received)" $((per * E)) || err=1
	expect "$L operation-done" "$(delta $L opdone_sent)" "$E" || err=1
	echo "# $L: $(delta $L sent) messages for $E entries"
done
ok $err "counts Ricart-Agrawala 2(N-1) = $((2 * (N - 1))) and Lamport 3(N-1) = $((3 * (N - 1))) per entry"

# ring: each circulation is one TOKEN per node; the nodes' counts
# differ by at most one (the token is somewhere on its way round). The
# idle token moves every idle_ms (200 ms): the nodes are asked at once,
# not one after the other (one ordoctl call took longer than that on a
# loaded host, and the token moved between the snapshots).
ring_snap()
{
	local i pids=()
	for i in $(seq 1 "$N"); do
		status "$i" ring &
		pids+=($!)
	done
	wait "${pids[@]}"
}
err=1
for t in 1 2 3 4 5 6 7 8 9 10; do
	ring_snap
	spread=$(python3 "$check" spread rg messages.TOKEN.sent $(files ring))
	[ "$spread" -le 1 ] && { err=0; break; }
done
tok=$(total rg messages.TOKEN.sent ring)
echo "# ring: $tok TOKEN messages, $((tok / N)) circulations, spread $spread"
expect "ring entries" "$(delta rg entries)" "$E" || err=1
expect "ring operation-done" "$(delta rg opdone_sent)" "$E" || err=1
[ "$tok" -ge "$E" ] || err=1
ok $err "counts ring: N = $N TOKEN per circulation, one operation-done per entry"

# vote: sequential entries (no contention): 3(N-1) each
snap pre-vseq
err=0
for e in $(seq 1 "$SEQ"); do
	lk $((e % N + 1)) run vt --timeout 30000 -- true || err=1
done
snap post-vseq
vd=$(($(total vt sent post-vseq) - $(total vt sent pre-vseq)))
expect "vote messages" "$vd" $((3 * (N - 1) * SEQ)) || err=1
vo=$(($(total vt opdone_sent post-vseq) - $(total vt opdone_sent pre-vseq)))
expect "vote operation-done" "$vo" "$SEQ" || err=1
echo "# vote: $vd messages for $SEQ uncontended entries; contended run: $(delta vt sent) for $E"
ok $err "counts vote: 3(N-1) = $((3 * (N - 1))) per uncontended entry"

# ---------------------------------------------------------------- faults
# a holder killed: the lock is released through its session
err=0
lkx 2 acquire ra >"$work/acq" 2>&1 &
apid=$!
for t in $(seq 1 100); do
	[ -s "$work/acq" ] && break
	sleep 0.1
done
grep -q '^ra [0-9]' "$work/acq" || { err=1; sed 's/^/# acquire: /' "$work/acq"; }
{ kill -9 "$apid"; wait "$apid"; } 2>/dev/null
lk 3 run ra --timeout 20000 -- true || err=1
status 2 killed
expect "holder after the kill" "$(python3 "$check" sum ra holder_pid "$work/killed-2.json")" 0 || err=1
ok $err "a client killed (-9) while holding a lock: released through its session"

# acquire and release as two commands; --timeout while it is held
err=0
lkx 1 acquire lp >"$work/acq2" 2>&1 &
apid=$!
for t in $(seq 1 100); do
	[ -s "$work/acq2" ] && break
	sleep 0.1
done
out=$(lk 2 run lp --timeout 1000 -- true 2>&1)
rc=$?
[ "$rc" = 3 ] || { err=1; echo "# run --timeout: exit $rc"; }
echo "$out" | grep -q "not granted within" || { err=1; echo "# $out"; }
lk 1 release lp || err=1
wait "$apid" || { err=1; echo "# acquire exited $?"; }
lk 2 run lp --timeout 20000 -- true || err=1
ok $err "acquire holds until 'lock release'; --timeout exits 3 while it is held"

# bad input: one line on stderr, non-zero exit
err=0
out=$(lk 1 run nosuch -- true 2>&1) && err=1
[ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "no lock 'nosuch'" || { err=1; echo "# $out"; }
out=$(lk 1 release cs 2>&1) && err=1
echo "$out" | grep -q "not held" || { err=1; echo "# $out"; }
ordoctl lock --socket "$work/none.sock" status 2>/dev/null && err=1
printf '[node 1]\naddress = 127.0.0.1\nport = 7000\n[lock x]\nalgorithm = paxos\n' >"$work/bad.conf"
out=$("$MUTEXD" --foreground --config "$work/bad.conf" 2>&1) && err=1
echo "$out" | grep -q "bad.conf:5: \[lock x\] algorithm" || { err=1; echo "# $out"; }
ok $err "errors: unknown lock, release of a lock not held, no daemon, bad algorithm (FILE:LINE)"

# garbage datagrams and local API packets: counted, the daemon serves on
err=0
status 1 g0
cluster_exec 2 python3 - "$(cluster_addr 1)" "$CLUSTER_PORT" <<'EOF' || err=1
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for k in range(20):
    s.sendto(os.urandom(1 + 7 * k), (sys.argv[1], int(sys.argv[2])))
EOF
python3 - "$(sock 1)" <<'EOF' || err=1
import socket, sys
for junk in (b"\xff\xff\xff", b"\x0a\x05hello", b"garbage" * 100):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    s.send(junk)
    s.settimeout(5)
    if not s.recv(65536):
        sys.exit(1)
    s.close()
EOF
sleep 0.5
lk 1 run cs --timeout 20000 -- true || err=1
status 1 g1
m0=$(python3 "$check" get malformed "$work/g0-1.json")
m1=$(python3 "$check" get malformed "$work/g1-1.json")
b1=$(python3 "$check" get ipc_bad_requests "$work/g1-1.json")
echo "# malformed datagrams $m0 -> $m1, bad local requests $b1"
[ $((m1 - m0)) -ge 20 ] || err=1
[ "$b1" -ge 3 ] || err=1
cluster_alive 1 || err=1
ok $err "garbage: 20 datagrams and 3 local API packets rejected and counted, the daemon serves on"

# the central coordinator (node 1) killed: node 3 holds the lock, node 2
# waits; the new coordinator (node 2) rebuilds the state and grants it
# after node 3's release
err=0
lkx 3 acquire cs >"$work/acq3" 2>&1 &
apid=$!
for t in $(seq 1 100); do
	[ -s "$work/acq3" ] && break
	sleep 0.1
done
lk 2 run cs --timeout 30000 -- sh -c 'echo "$ORDO_LOCK_TOKEN" >"$1"' x "$work/tok2" \
	2>"$work/run2.err" &
rpid=$!
sleep 1
cluster_kill 1 || err=1
for t in $(seq 1 100); do
	status 2 fail 2>/dev/null &&
		[ "$(python3 "$check" get coordinator "$work/fail-2.json")" = 2 ] && break
	sleep 0.1
done
[ "$(python3 "$check" get coordinator "$work/fail-2.json")" = 2 ] ||
	{ err=1; echo "# node 2 did not take over"; }
sleep 0.5
[ -s "$work/tok2" ] && { err=1; echo "# granted to node 2 while node 3 holds it"; }
lk 3 release cs || err=1
wait "$apid" || err=1
wait "$rpid" || { err=1; sed 's/^/# node 2: /' "$work/run2.err"; }
t3=$(awk '{ print $2 }' "$work/acq3")
t2=$(cat "$work/tok2" 2>/dev/null)
echo "# tokens: node 3 held $t3, node 2 got ${t2:-nothing} after the failover"
[ -n "$t2" ] && [ -n "$t3" ] && [ "$t2" -gt "$t3" ] || err=1
lk 3 run cs --timeout 20000 -- true || err=1
ok $err "central coordinator killed (-9): node 2 takes over, the waiter gets a larger token"

# clean shutdown on SIGTERM: the socket goes away
err=0
cluster_stop 3 || err=1
[ -e "$(sock 3)" ] && err=1
ok $err "SIGTERM: clean shutdown, socket removed"

echo "# $failed failed"
[ "$failed" = 0 ]
