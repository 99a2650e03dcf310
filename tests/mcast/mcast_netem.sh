#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Ordered multicast across 4 network namespaces joined by veth and a
# bridge, with netem on every member's veth end (delay 10ms +-5ms,
# reordering, duplication, 10% loss): each member runs `ordoctl mcast`
# and multicasts K messages concurrently; mcast_check.py (which does not
# use libordo) then checks the logs: same sequence everywhere (total),
# exactly once, causal order recomputed from the logs, socket clocks
# never going backward. Cases: total, causal with reactions (causal
# chains), causal with member 3 stamping in userspace among kernel
# stampers, the message count without netem, and ordoctl's errors.
# Needs root, ordo.ko and ordoctl; prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
check=$here/mcast_check.py
ksft_skip=4
NM=4
K=${MCAST_K:-25}		# messages per member
REACT=${MCAST_REACT:-5}		# causal: replies per member
NETEM="delay 10ms 5ms reorder 25% duplicate 5% loss 10%"
CLUSTER_PREFIX=ordo-mc
CLUSTER_NET=10.78.0
. "${ORDO_ROOT:-$here/../..}/tests/lib/cluster.sh"
work=$(mktemp -d /tmp/ordo-mcast.XXXXXX)
n=0 failed=0

if [ "$(id -u)" != 0 ] || [ ! -d /sys/kernel/ordo/lclock ] ||
   ! command -v ordoctl >/dev/null || ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs root, ordo.ko, ordoctl and python3"
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

# member i is node i + 1 of the test cluster
ns_of() { cluster_ns $(($1 + 1)); }

cleanup()
{
	cluster_down
	rm -rf "$work"
}
trap cleanup EXIT

peers()
{
	local i
	for i in $(seq 0 $((NM - 1))); do
		printf -- '--peer %d=%s:%d ' "$i" "$(cluster_addr $((i + 1)))" "$1"
	done
}

# run CASE PORT ARGS...: every member runs ordoctl mcast ARGS (member 3
# adds $M3_ARGS) with its log in $work/CASE-<i>.log; the status of the
# slowest member; elapsed time in $elapsed
run()
{
	local name=$1 port=$2 i rc=0 t0 pids=()
	shift 2
	t0=$(date +%s.%N)
	for i in $(seq 0 $((NM - 1))); do
		local extra=
		[ "$i" = 3 ] && extra=${M3_ARGS:-}
		# shellcheck disable=SC2046,SC2086
		ip netns exec "$(ns_of "$i")" ordoctl -j mcast --id "$i" $(peers "$port") \
			--log "$work/$name-$i.log" --timeout 45000 "$@" $extra \
			>"$work/$name-$i.out" 2>"$work/$name-$i.err" &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { rc=$?; echo "# $name: member $i exited $rc: $(head -c 300 "$work/$name-$i.err")"; }
	done
	elapsed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	return $rc
}

# verify CASE CHECKER_ARGS...: the checker on the logs (its summary as
# TAP comments); on failure, the end of the members' stderr
verify()
{
	local name=$1 rc i t0=$EPOCHREALTIME
	shift
	python3 "$check" "$@" "$work/$name"-[0-3].log >"$work/$name.check" 2>&1
	rc=$?
	sed 's/^/# /' "$work/$name.check"
	echo "# checked in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s"
	if [ "$rc" != 0 ]; then
		for i in 0 1 2 3; do
			tail -n 3 "$work/$name-$i.err" | sed "s/^/# member $i: /"
		done
	fi
	return $rc
}

echo "TAP version 13"
echo "1..7"

# ---------------------------------------------------------------- testbed
err=0
# shellcheck disable=SC2086
{ cluster_up "$NM" && cluster_netem_all $NETEM; } || err=1
trap cleanup EXIT
ok $err "4 namespaces on a bridge, netem on every member: $NETEM"

# ---------------------------------------------------------------- total
# --wait-peers: every member is up before the first message (losses at
# start-up would be repaired too, but would blur the counters)
M3_ARGS= run total 7101 --mode total --count "$K" --interval 20 --wait-peers \
	--until-delivered $((NM * K)) --kernel-stamping
rc=$?
echo "# total: $((NM * K)) messages in ${elapsed}s"
verify total --expect $((NM * K)) --stamping kernel --min retransmits=1 \
	--min duplicates=1 && [ "$rc" = 0 ]
ok $? "total order: $((NM * K)) messages, same sequence at every member, repaired losses and duplicates"

# ---------------------------------------------------------------- causal
want=$((NM * (K + REACT)))
M3_ARGS= run causal 7102 --mode causal --count "$K" --interval 20 --wait-peers \
	--react "$REACT" --until-delivered "$want" --kernel-stamping
rc=$?
echo "# causal: $want messages in ${elapsed}s"
verify causal --expect "$want" --stamping kernel --min-causal $((NM * K)) \
	--min retransmits=1 --min held_back=1 && [ "$rc" = 0 ]
ok $? "causal order: $want messages with reactions, held back and delivered in causal order"

# ---------------------------------------------------------------- mixed stamping
k2=$((K / 2))
want=$((NM * (k2 + 2)))
M3_ARGS=--user-stamping run mixed 7103 --mode causal --count "$k2" --interval 20 \
	--wait-peers --react 2 --until-delivered "$want"
rc=$?
echo "# mixed: $want messages in ${elapsed}s"
verify mixed --expect "$want" --stamping kernel,kernel,kernel,user && [ "$rc" = 0 ]
ok $? "causal order with member 3 stamping in userspace among kernel stampers"

# ---------------------------------------------------------------- no loss: N(N-1) per multicast
cluster_netem_clear
k3=5
M3_ARGS= run plain 7104 --mode total --count "$k3" --wait-peers \
	--until-delivered $((NM * k3))
rc=$?
echo "# no netem: $((NM * k3)) multicasts in ${elapsed}s"
verify plain --expect $((NM * k3)) --exact data_sent=$((NM * k3 * NM * (NM - 1))) &&
	[ "$rc" = 0 ]
ok $? "without loss a multicast costs N(N-1) = $((NM * (NM - 1))) datagrams"

# ---------------------------------------------------------------- ordoctl mcast errors
# every bad invocation: exit 1 and exactly one line on stderr
err=0
p="--peer 0=10.78.0.1:7105 --peer 1=10.78.0.2:7105"
for args in "--id 0 $p" "--mode fifo --id 0 $p" "--mode total --id 2 $p" \
	"--mode total --id 0 --peer 0=10.78.0.1:1 --peer 0=10.78.0.1:2" \
	"--mode total --id 0 --peer 1=10.78.0.1:1" "--mode total --id 0 $p --count x" \
	"--mode total --id 0 $p --bogus"; do
	# shellcheck disable=SC2086
	ordoctl mcast $args >/dev/null 2>"$work/err"
	rc=$?
	if [ "$rc" != 1 ] || [ "$(wc -l <"$work/err")" != 1 ]; then
		echo "# 'ordoctl mcast $args': exit $rc, stderr: $(cat "$work/err")"
		err=1
	fi
done
ordoctl mcast --help | grep -q -- '--until-delivered' || err=1
ok $err "ordoctl mcast: usage errors exit 1 with one line on stderr; --help"

# ---------------------------------------------------------------- clean exit on SIGTERM, stdin
# alone (member 1 is not there), a line from stdin is multicast but
# never delivered: it waits for member 1's acknowledgement
mkfifo "$work/in"
ip netns exec "$(ns_of 0)" ordoctl mcast --mode total --id 0 \
	--peer 0=10.78.0.1:7106 --peer 1=10.78.0.2:7106 --stdin --log "$work/sig.log" \
	<"$work/in" >"$work/sig.out" 2>&1 &
pid=$!
exec 3>"$work/in"
echo hello >&3
sleep 1
kill -TERM "$pid"
wait "$pid"
rc=$?
exec 3>&-
err=0
[ "$rc" = 0 ] || { echo "# exit $rc: $(cat "$work/sig.out")"; err=1; }
grep -q '"ev":"send".*"text":"hello"' "$work/sig.log" || err=1
grep -q '"ev":"deliver"' "$work/sig.log" && err=1
grep -q '"ev":"stats".*"pending":1' "$work/sig.log" || err=1
ok $err "ordoctl mcast --stdin multicasts a line; exits 0 on SIGTERM and logs its counters"

[ "$failed" = 0 ]
