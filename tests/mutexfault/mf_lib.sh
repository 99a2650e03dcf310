# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/mutexfault/mf_lib.sh: what the fault scripts share. Source it
# after setting CLUSTER_PREFIX, CLUSTER_NET and CLUSTER_PORT. It sources
# tests/lib/cluster.sh, checks the prerequisites (SKIP otherwise) and
# defines:
#
#   ok RC TEXT           a TAP line
#   lk I ARGS...         ordoctl lock on node I's socket
#   status I TAG         node I's `ordoctl -j lock status` into $work/TAG-I.json
#   snap TAG             the same for every live node
#   q EXPR FILE...       mf_q.py (see there) over status files
#   files TAG            $work/TAG-1.json ... of the live nodes
#   expect WHAT GOT WANT
#   start N              a fresh cluster of N nodes running ordo-mutexd
#                        with the [runtime]/[mutexd]/[lock] sections read
#                        from stdin, every daemon joined, every peer alive
#                        (a function mf_node_args I, if defined, prints
#                        more arguments for node I's daemon)
#   ready                every live daemon joined and sees every live peer
#   settled              no message waits for an acknowledgement
#   contend LOCK NODE... one client per NODE, ENTRIES sections each,
#                        appended to $work/hist-LOCK
#   history LOCK N       mutex_check.py: N sections, no overlap, tokens up
#   serve_all N NODE...  contend on every lock of $LOCKS at once (one
#                        client per lock and NODE), then history LOCK N
#   wait_held I LOCK     until node I's client holds LOCK
#
# MF_LOGDIR=DIR keeps the daemons' logs and the histories of a failed run
# in DIR/$CLUSTER_PREFIX; MF_VERBOSE=1 runs the daemons with -v.
set -u
here=$(cd "$(dirname "$0")" && pwd)
check=$here/mutex_check.py
ksft_skip=4
ENTRIES=${MUTEX_ENTRIES:-1}
. "${ORDO_ROOT:-$here/../..}/tests/lib/cluster.sh"
MUTEXD=$(command -v ordo-mutexd)
work=$(mktemp -d /tmp/ordo-mf.XXXXXX)
n=0 failed=0 N=0
declare -A DEAD=()

if [ "$(id -u)" != 0 ] || [ ! -d /sys/kernel/ordo ] || [ -z "$MUTEXD" ] ||
   ! command -v ordoctl >/dev/null || ! command -v python3 >/dev/null ||
   ! command -v tc >/dev/null || ! command -v nft >/dev/null; then
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
		[ -n "${CLUSTER_DIR:-}" ] && tail -n 4 "$CLUSTER_DIR"/*.log 2>/dev/null | sed 's/^/#   /'
	fi
}

cleanup()
{
	local j
	for j in $(jobs -p); do
		kill "$j" 2>/dev/null
	done
	# MF_LOGDIR: keep the daemons' logs of a failed run there
	if [ "$failed" != 0 ] && [ -n "${MF_LOGDIR:-}" ] && [ -n "${CLUSTER_DIR:-}" ]; then
		mkdir -p "$MF_LOGDIR/$CLUSTER_PREFIX" &&
			cp "$CLUSTER_DIR"/n*.log "$work"/hist-* "$MF_LOGDIR/$CLUSTER_PREFIX/" 2>/dev/null
	fi
	cluster_down
	rm -rf "$work"
}
trap cleanup EXIT

sock() { echo "$CLUSTER_DIR/n$1.sock"; }
lk() { local i=$1; shift; ordoctl lock --socket "$(sock "$i")" "$@"; }
# in the background: $! is ordoctl itself
lkx() { local i=$1; shift; exec ordoctl lock --socket "$(sock "$i")" "$@"; }
status() { ordoctl -j lock --socket "$(sock "$1")" status >"$work/$2-$1.json"; }
live() { local i; for i in $(seq 1 "$N"); do [ -n "${DEAD[$i]:-}" ] || echo "$i"; done; }
snap()
{
	local i
	for i in $(live); do
		status "$i" "$1" || return 1
	done
}
files() { local i; for i in $(live); do echo "$work/$1-$i.json"; done; }
q() { local e=$1; shift; python3 "$here/mf_q.py" "$e" "$@"; }
expect()
{
	[ "$2" = "$3" ] && return 0
	echo "# $1: $2, expected $3"
	return 1
}

# every live daemon answers, has joined and sees exactly the live nodes
# alive, and up for its algorithms (not excluded: a node excluded at
# start-up rejoins first) (one python for all: its start-up is slow
# under TCG)
ready()
{
	local i
	for i in $(live); do
		status "$i" ready 2>/dev/null || return 1
	done
	[ "$(q "all(not x['joining'] and sorted([p['node'] for p in x['peers'] if p['state'] == 'alive' and not p['down']] + [x['node']]) == [$(live | paste -sd,)] for x in S)" $(files ready))" = 1 ]
}

settled()
{
	local i
	for i in $(live); do
		status "$i" settle 2>/dev/null || return 1
	done
	[ "$(q "sum(x['unacked'] for x in S)" $(files settle))" = 0 ]
}

# kill I / restart I: cluster_kill and cluster_restart, tracking the dead
kill9() { cluster_kill "$1" && DEAD[$1]=1; }
restart() { unset "DEAD[$1]"; cluster_restart "$1"; }

start()
{
	local i err=0
	N=$1
	DEAD=()
	cluster_up "$N" || return 1
	trap cleanup EXIT	# cluster_up set its own
	cluster_conf_append
	for i in $(seq 1 "$N"); do
		# shellcheck disable=SC2046 # mf_node_args: words on purpose
		cluster_start "$i" "$MUTEXD" ${MF_VERBOSE:+-v} --foreground --config "$CLUSTER_CONF" \
			--node "$i" --socket "$(sock "$i")" \
			$(declare -F mf_node_args >/dev/null && mf_node_args "$i") || err=1
	done
	cluster_wait 60 ready || { err=1; echo "# the cluster did not come up"; }
	return $err
}

contend()
{
	local L=$1 i rc=0 pids=()
	shift
	for i in "$@"; do
		(
			for e in $(seq 1 "$ENTRIES"); do
				lk "$i" run "$L" --timeout 90000 -- sh -c \
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

history()
{
	python3 "$check" history "$work/hist-$1" "$2" >"$work/check-$1" 2>&1
	local rc=$?
	sed 's/^/# /' "$work/check-$1"
	return $rc
}

serve_all()
{
	local want=$1 L rc=0 pids=()
	shift
	for L in $LOCKS; do
		: >"$work/hist-$L"
		contend "$L" "$@" >"$work/contend-$L" &
		pids+=($!)
	done
	for L in "${pids[@]}"; do
		wait "$L" || rc=1
	done
	for L in $LOCKS; do
		cat "$work/contend-$L"
		history "$L" "$want" || rc=1
	done
	return $rc
}

held() { status "$1" held 2>/dev/null && [ "$(q "L('$2')['holder_pid'] != 0" "$work/held-$1.json")" = 1 ]; }
wait_held() { cluster_wait "${3:-30}" held "$1" "$2"; }
