#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ordo-msgstat against ordo-mutexd (issue 6): the eBPF counts of the
# daemons' own traffic, on a test cluster (tests/lib/cluster.sh) of N = 3
# and N = 5 nodes running one lock per algorithm:
#
#   exact    per algorithm, K entries without faults, ordo-msgstat
#            attached to every node's eth0 (tc, -n per node), at N = 3 one
#            run per algorithm with theory mode (-t PROTO -N N), at N = 5
#            one run for the five (theory mode for Lamport): the eBPF tx
#            and rx totals
#            of the protocol equal the formula exactly (central 3 per
#            entry of a node other than the coordinator, ring N per
#            circulation, Ricart-Agrawala 2(N-1), Lamport 3(N-1), voting
#            3(N-1) for sequential entries) and the daemons' own counters
#            (`ordoctl -j lock status`: the wire datagrams of the
#            protocol, the lock's messages, the operation-done marks);
#            theory mode reports "match" with messages per operation =
#            the formula (ring: "circulations" = K), every entry counted
#            as one operation-done mark; no retransmission;
#   loss     (N = 3) netem loss 20% on every node, Ricart-Agrawala: eBPF
#            tx = the daemons' wire sends (tc egress sees every sent
#            datagram before netem drops it) >= their successful
#            algorithm sends, rx < tx, the retransmissions in the report
#            = the daemons' `retransmitted` > 0, tx - retx = 2(N-1) K, K
#            operation-done marks (a retransmitted mark is not counted
#            again), theory mode "differs" (more than 2(N-1) per entry);
#   cgroup   (N = 3) the daemons run in a cgroup v2; ordo-msgstat -c
#            counts their sockets' traffic: the same exact totals.
#
# The ring lock's idle_ms is 60 s, so that the token moves only when a
# holder releases it (one TOKEN with the operation-done mark per entry,
# entries in ring order: N TOKEN per circulation) and the counts do not
# depend on timing; retransmit_ms is 1.5 s, far above an acknowledgement's
# delay without faults. Needs root, ordo.ko, ordo-msgstat, ordo-mutexd,
# ordoctl, python3, tc. Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ksft_skip=4
CLUSTER_PREFIX=ordo-mm
CLUSTER_NET=10.82.0
CLUSTER_PORT=7900
. "${ORDO_ROOT:-$here/../..}/tests/lib/cluster.sh"
q=$here/msgstat_q.py
mq=$here/mf_q.py
MUTEXD=$(command -v ordo-mutexd)
K=${MSGSTAT_ENTRIES:-3}
CG=/sys/fs/cgroup/ordo-msgstat-mutex
work=$(mktemp -d /tmp/ordo-msm.XXXXXX)
n=0 failed=0 N=0

if [ "$(id -u)" != 0 ] || [ ! -d /sys/kernel/ordo ] || ! command -v ordo-msgstat >/dev/null ||
   [ -z "$MUTEXD" ] || ! command -v ordoctl >/dev/null || ! command -v python3 >/dev/null ||
   ! command -v tc >/dev/null; then
	echo "1..0 # SKIP needs root, ordo.ko, ordo-msgstat, ordo-mutexd, ordoctl, python3 and tc"
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
	echo $$ >/sys/fs/cgroup/cgroup.procs 2>/dev/null
	rmdir "$CG" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

eq()
{
	local got
	got=$(python3 "$q" "$1" "$2" 2>&1)
	[ "$got" = "$3" ] && return 0
	echo "# $2 = $got, expected $3"
	return 1
}
expect()
{
	[ "$2" = "$3" ] && return 0
	echo "# $1: $2, expected $3"
	return 1
}
sock() { echo "$CLUSTER_DIR/n$1.sock"; }
lk() { local i=$1; shift; ordoctl lock --socket "$(sock "$i")" "$@"; }
snap()
{
	local i
	for i in $(seq 1 "$N"); do
		ordoctl -j lock --socket "$(sock "$i")" status >"$work/$1-$i.json" || return 1
	done
}
files() { local i; for i in $(seq 1 "$N"); do echo "$work/$1-$i.json"; done; }
# dq EXPR: EXPR over the daemons' status after (A) minus before (B)
dq() { echo $(($(python3 "$mq" "$1" $(files post)) - $(python3 "$mq" "$1" $(files pre)))); }

ready()
{
	local i
	for i in $(seq 1 "$N"); do
		ordoctl -j lock --socket "$(sock "$i")" status >"$work/ready-$i.json" 2>/dev/null || return 1
		[ "$(python3 "$mq" "all(p['state'] == 'alive' for p in s['peers']) and not s['joining']" \
			"$work/ready-$i.json")" = 1 ] || return 1
	done
}

# start N: the cluster, every daemon inside the cgroup $CG
start()
{
	local i err=0
	N=$1
	cluster_up "$N" || return 1
	trap cleanup EXIT	# cluster_up set its own
	cluster_conf_append <<EOF
[runtime]
heartbeat_ms = 100
suspect_ms = 3000

[mutexd]
retransmit_ms = 1500

[lock rg]
algorithm = ring
idle_ms = 60000

[lock cs]
algorithm = central

[lock ra]
algorithm = ricart-agrawala

[lock lp]
algorithm = lamport

[lock vt]
algorithm = vote
EOF
	# this shell joins the cgroup, so that the daemons start in it (the
	# sysfs of `ip netns exec` has no cgroup2 mount to join it there);
	# only the daemons have UDP sockets
	mkdir -p "$CG" && echo $$ >"$CG/cgroup.procs" || return 1
	for i in $(seq 1 "$N"); do
		cluster_start "$i" "$MUTEXD" --foreground --config "$CLUSTER_CONF" \
			--node "$i" --socket "$(sock "$i")" || err=1
	done
	cluster_wait 60 ready || { err=1; echo "# the cluster did not come up"; }
	return $err
}

# job LOCK NODE...: a script of sequential entries on NODE..., then wait
# until no node has a message unacknowledged; jobadd LOCK NODE...: more
# entries before that wait
jobadd()
{
	local L=$1 i
	shift
	for i in "$@"; do
		echo "ordoctl lock --socket '$(sock "$i")' run $L --timeout 60000 -- true || exit 1"
	done >>"$work/job-entries"
}
job()
{
	local i
	# without arguments: the entries added so far
	if [ $# -gt 0 ]; then
		: >"$work/job-entries"
		jobadd "$@"
	fi
	{
		cat "$work/job-entries"
		echo "for t in \$(seq 1 300); do"
		echo "  u=0"
		for i in $(seq 1 "$N"); do
			echo "  ordoctl -j lock --socket '$(sock "$i")' status | grep -q '\"unacked\":0,' || u=1"
		done
		echo "  [ \$u = 0 ] && exit 0"
		echo "  sleep 0.1"
		echo "done"
		echo "exit 1"
	} >"$work/job.sh"
}

msgstat_tc()
{
	local i args=()
	for i in $(seq 1 "$N"); do
		args+=(-n "$(cluster_ns "$i")")
	done
	ordo-msgstat "${args[@]}" -C "$CLUSTER_CONF" --no-stamps "$@"
}

# measure LOCK ALG PROTO EXPECTED OPS MODE NODE...: K entries (NODE...)
# under ordo-msgstat in MODE (tc or cgroup); EXPECTED messages, OPS
# operation-done marks
measure()
{
	local L=$1 A=$2 P=$3 want=$4 ops=$5 mode=$6 err=0 f
	shift 6
	f=$work/ms-$L-$N-$mode.json
	if [ "$mode" = shared ]; then
		# the entries ran under the shared report $SHARED (pre/post
		# snapshots taken around it)
		f=$SHARED
	else
		job "$L" "$@"
		snap pre || return 1
	fi
	if [ "$mode" = shared ]; then
		:
	elif [ "$mode" = tc ]; then
		msgstat_tc -j -t "$P" -N "$N" --run -- bash "$work/job.sh" >"$f" || err=1
	else
		ordo-msgstat -c "$CG" -C "$CLUSTER_CONF" --no-stamps -j -t "$P" -N "$N" \
			--run -- bash "$work/job.sh" >"$f" || err=1
	fi
	[ "$mode" = shared ] || snap post || return 1
	local tx rx retx od dw ds dr dod dretx
	# one python for every figure (its start-up is slow under TCG)
	read -r tx rx retx od dw ds dr dod dretx < <(python3 - "$f" "$P" "$A" "$L" "$N" "$work" <<'PY'
import json, sys
f, P, A, L, N, work = sys.argv[1:7]
d = [json.loads(x) for x in open(f) if x.startswith('{')][-1]
def c(dir, field='count'):
    return sum(m[field] for m in d['messages'] if m['proto'] == 'mutex_' + P and m['dir'] == dir)
def st(tag):
    return [json.load(open(f"{work}/{tag}-{i}.json")) for i in range(1, int(N) + 1)]
def dsum(fn):
    return sum(fn(x) for x in st('post')) - sum(fn(x) for x in st('pre'))
def lock(x):
    return [y for y in x['locks'] if y['name'] == L][0]
def wire(x):
    return sum(int(t['sent']) for w in x['wire'] if w['algorithm'] == A for t in w['messages'].values())
print(c('tx'), c('rx'), c('tx', 'retx'), c('tx', 'opdone'), dsum(wire),
      dsum(lambda x: lock(x)['sent']), dsum(lambda x: lock(x)['received']),
      dsum(lambda x: lock(x)['opdone_sent']), dsum(lambda x: lock(x)['retransmitted']))
PY
)
	echo "# $A N=$N ($mode): $# entries: eBPF tx $tx rx $rx retx $retx opdone $od; daemons: wire $dw, sent $ds, received $dr, opdone $dod, retransmitted $dretx; formula $want"
	echo "# $(python3 "$q" "$f" "d['theory']")"
	expect "eBPF tx" "$tx" "$want" || err=1
	expect "eBPF rx" "$rx" "$want" || err=1
	expect "daemons' wire sends" "$dw" "$want" || err=1
	expect "daemons' messages sent" "$ds" "$want" || err=1
	expect "daemons' messages received" "$dr" "$want" || err=1
	expect "eBPF retransmissions" "$retx" 0 || err=1
	expect "daemons' retransmissions" "$dretx" 0 || err=1
	expect "eBPF operation-done marks" "$od" "$ops" || err=1
	expect "daemons' operation-done marks" "$dod" "$ops" || err=1
	if [ "$mode" = shared ] && [ "$P" != "$SHARED_P" ]; then
		:	# theory mode was for another protocol
	elif [ "$P" = ring ]; then
		eq "$f" "(d['theory']['verdict'], d['theory']['circulations'], d['theory']['ops'])" \
			"('circulations', $((want / N)).0, $ops)" || err=1
	else
		eq "$f" "(d['theory']['verdict'], d['theory']['messages'], d['theory']['ops'], d['theory']['per_op'] == d['theory']['expected'])" \
			"('match', $want, $ops, True)" || err=1
	fi
	return $err
}

# exact MODE: every algorithm; MODE tc: one ordo-msgstat run (theory
# mode) per algorithm; shared: one run for the five, theory mode for
# $SHARED_P
exact()
{
	local mode=$1 err=0 ring=() seqn=() i c ops
	for i in $(seq 1 "$K"); do
		ring+=($(seq 1 "$N"))
	done
	# the others: K entries round robin from node 2
	for i in $(seq 0 $((K - 1))); do
		seqn+=($((i % N + 2 > N ? i % N + 2 - N : i % N + 2)))
	done
	c=$(python3 "$mq" "s['coordinator']" "$work/ready-1.json")
	ops=0
	for i in "${seqn[@]}"; do
		[ "$i" = "$c" ] || ops=$((ops + 1))
	done
	if [ "$mode" = shared ]; then
		# ring first: entries in ring order from the token's node (node
		# 1, the leader, holds it since the start)
		job rg "${ring[@]}"
		for L in cs ra lp vt; do
			jobadd "$L" "${seqn[@]}"
		done
		job
		SHARED=$work/ms-shared-$N.json
		snap pre || return 1
		msgstat_tc -j -t "$SHARED_P" -N "$N" --run -- bash "$work/job.sh" >"$SHARED" || err=1
		snap post || return 1
		[ "$err" = 0 ] || { ok 1 "N=$N one ordo-msgstat run for the five algorithms"; return; }
	fi
	measure rg ring ring $((N * K)) $((N * K)) "$mode" "${ring[@]}" || err=1
	ok $err "N=$N ring: $K circulations with an entry at every node: eBPF = daemons = N per circulation ($((N * K)) TOKEN)"
	err=0
	measure cs central central $((3 * ops)) "$ops" "$mode" "${seqn[@]}" || err=1
	ok $err "N=$N central: eBPF = daemons = 3 per entry of a node other than the coordinator ($((3 * ops)) for $K entries)"
	err=0
	measure ra ricart-agrawala ra $((2 * (N - 1) * K)) "$K" "$mode" "${seqn[@]}" || err=1
	ok $err "N=$N Ricart-Agrawala: eBPF = daemons = 2(N-1) per entry ($((2 * (N - 1) * K)))"
	err=0
	measure lp lamport lamport $((3 * (N - 1) * K)) "$K" "$mode" "${seqn[@]}" || err=1
	ok $err "N=$N Lamport: eBPF = daemons = 3(N-1) per entry ($((3 * (N - 1) * K)))"
	err=0
	measure vt vote vote $((3 * (N - 1) * K)) "$K" "$mode" "${seqn[@]}" || err=1
	ok $err "N=$N voting: eBPF = daemons = 3(N-1) per sequential entry ($((3 * (N - 1) * K)))"
}

echo "TAP version 13"
echo "1..14"

err=0
start 3 || err=1
ok $err "3 daemons up (in cgroup $CG)"
exact tc

# ------------------------------------------------------------------ cgroup
err=0
measure ra ricart-agrawala ra $((2 * (N - 1) * 4)) 4 cgroup 2 3 1 2 || err=1
ok $err "N=3 cgroup mode (-c): Ricart-Agrawala eBPF = daemons = 2(N-1) per entry, theory: match"

# ------------------------------------------------------------------ loss
err=0
L=10
cluster_netem_all loss 20% || err=1
job ra $(for i in $(seq 1 "$L"); do echo $((i % N + 1)); done)
snap pre || err=1
f=$work/loss.json
msgstat_tc -j -t ra -N "$N" --run -- bash "$work/job.sh" >"$f" || err=1
snap post || err=1
cluster_netem_clear
tx=$(python3 "$q" "$f" "c('mutex_ra', dir='tx')")
rx=$(python3 "$q" "$f" "c('mutex_ra', dir='rx')")
retx=$(python3 "$q" "$f" "c('mutex_ra', dir='tx', field='retx')")
dw=$(dq "wire('ricart-agrawala')")
ds=$(dq "tot('ra', 'sent')")
dretx=$(dq "tot('ra', 'retransmitted')")
echo "# loss 20%, RA N=3, $L entries: eBPF tx $tx rx $rx retx $retx; daemons: wire sends $dw, messages sent $ds, retransmitted $dretx"
echo "# $(python3 "$q" "$f" "d['theory']")"
expect "eBPF tx = daemons' wire sends" "$tx" "$dw" || err=1
[ "$tx" -ge "$ds" ] || { err=1; echo "# eBPF tx below the successful sends"; }
[ "$rx" -lt "$tx" ] || { err=1; echo "# rx not below tx"; }
expect "eBPF retx = daemons' retransmissions" "$retx" "$dretx" || err=1
[ "$retx" -gt 0 ] || { err=1; echo "# no retransmission"; }
expect "tx - retx" $((tx - retx)) $((2 * (N - 1) * L)) || err=1
expect "eBPF operation-done marks (first transmissions)" \
	"$(python3 "$q" "$f" "c('mutex_ra', dir='tx', field='opdone')")" "$L" || err=1
expect "daemons' wire operation-done marks" "$(dq "sum(w['opdone_sent'] for x in S for w in x['wire'] if w['algorithm'] == 'ricart-agrawala')")" "$L" || err=1
# theory: every transmission counts, each operation once: above 2(N-1)
eq "$f" "(d['theory']['messages'], d['theory']['retx'], d['theory']['ops'], d['theory']['verdict'])" \
	"($tx, $retx, $L, 'differs')" || err=1
ok $err "N=3 loss 20% (Ricart-Agrawala): eBPF tx = daemons' sends >= successful sends, rx fewer, retransmissions shown = daemons', tx - retx = 2(N-1) per entry, one operation per entry"

err=0
start 5 || err=1
ok $err "5 daemons up"
SHARED_P=lamport
exact shared

echo "# $failed failed"
[ "$failed" = 0 ]
