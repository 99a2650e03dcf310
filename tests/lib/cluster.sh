# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/lib/cluster.sh - the test-cluster helper: N nodes in network
# namespaces inside the test VM, joined by veth pairs and a bridge, with
# the faults the distributed suites inject. Source it from a suite script
# (bash, root):
#
#   . "$ORDO_ROOT/tests/lib/cluster.sh"
#   cluster_up 5                     # nodes 1..5, cluster.conf written
#   cluster_start 1 ordo-mutexd --foreground --config "$CLUSTER_CONF" --id 1
#   cluster_netem 2 delay 10ms loss 10%
#   cluster_partition "1 2" "3 4 5"; cluster_heal
#   cluster_kill 1; cluster_restart 1
#   cluster_down                     # also on EXIT if cluster_up set the trap
#
# Node i (1-based) lives in netns ${CLUSTER_PREFIX}$i with eth0 =
# $CLUSTER_NET.$i/24, its host end ${CLUSTER_PREFIX}v$i on the bridge
# ${CLUSTER_PREFIX}br. Set CLUSTER_PREFIX, CLUSTER_NET, CLUSTER_PORT
# before cluster_up to run several clusters side by side. Daemons started
# with cluster_start log to $CLUSTER_DIR/n$i.log; cluster_kill sends
# SIGKILL by default (a crash), cluster_stop SIGTERM (a clean shutdown),
# cluster_restart runs the node's last command again. Faults:
#   netem     tc netem on the node's eth0 (its egress: every datagram the
#             node sends crosses it once)
#   partition nftables in every node: a node drops what comes from the
#             other side (both directions are cut, ICMP included)
# Every function returns non-zero and says why on stderr when it fails.

CLUSTER_PREFIX=${CLUSTER_PREFIX:-ordo-c}
CLUSTER_NET=${CLUSTER_NET:-10.88.0}
CLUSTER_PORT=${CLUSTER_PORT:-7400}
CLUSTER_N=0
CLUSTER_DIR=
CLUSTER_CONF=
declare -A CLUSTER_CMD=()

cluster_err()
{
	echo "cluster: $*" >&2
	return 1
}

cluster_ns() { echo "${CLUSTER_PREFIX}$1"; }
cluster_addr() { echo "$CLUSTER_NET.$1"; }

# cluster_up N: the bridge, N namespaces, a cluster.conf listing them
cluster_up()
{
	local n=${1:?cluster_up N} i x
	[ "$n" -ge 1 ] && [ "$n" -le 250 ] || cluster_err "bad node count '$n'" || return
	cluster_down 2>/dev/null
	# leftovers of an earlier run with the same prefix
	ip netns list | awk '{ print $1 }' | grep -E "^${CLUSTER_PREFIX}[0-9]+\$" |
		xargs -r -n 1 ip netns del
	ip link del "${CLUSTER_PREFIX}br" 2>/dev/null
	CLUSTER_N=$n
	CLUSTER_DIR=$(mktemp -d "/tmp/${CLUSTER_PREFIX}.XXXXXX") || return
	CLUSTER_CONF=$CLUSTER_DIR/cluster.conf
	trap cluster_down EXIT
	ip link add "${CLUSTER_PREFIX}br" type bridge &&
		ip link set "${CLUSTER_PREFIX}br" up ||
		cluster_err "cannot create bridge ${CLUSTER_PREFIX}br" || return
	for i in $(seq 1 "$n"); do
		x=$(cluster_ns "$i")
		ip netns add "$x" &&
		ip link add "${CLUSTER_PREFIX}v$i" type veth peer name eth0 netns "$x" &&
		ip link set "${CLUSTER_PREFIX}v$i" master "${CLUSTER_PREFIX}br" up &&
		ip -n "$x" addr add "$(cluster_addr "$i")/24" dev eth0 &&
		ip -n "$x" link set eth0 up &&
		ip -n "$x" link set lo up ||
			cluster_err "cannot set up node $i ($x)" || return
	done
	{
		echo "# written by tests/lib/cluster.sh"
		for i in $(seq 1 "$n"); do
			printf '[node %d]\naddress = %s\nport = %d\n\n' "$i" \
				"$(cluster_addr "$i")" "$CLUSTER_PORT"
		done
	} >"$CLUSTER_CONF"
}

# cluster_conf_append: stdin appended to cluster.conf
cluster_conf_append()
{
	cat >>"$CLUSTER_CONF"
}

# cluster_exec I CMD...: CMD in node I's namespace, in the foreground
cluster_exec()
{
	local i=${1:?cluster_exec I CMD}
	shift
	ip netns exec "$(cluster_ns "$i")" "$@"
}

cluster_pid()
{
	cat "$CLUSTER_DIR/n$1.pid" 2>/dev/null
}

# cluster_alive I: node I's daemon runs
cluster_alive()
{
	local pid
	pid=$(cluster_pid "$1") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# cluster_start I CMD...: CMD in node I's namespace, in the background,
# output appended to $CLUSTER_DIR/nI.log
cluster_start()
{
	local i=${1:?cluster_start I CMD} pid
	shift
	[ "$i" -ge 1 ] && [ "$i" -le "$CLUSTER_N" ] || cluster_err "no node $i" || return
	cluster_alive "$i" && { cluster_err "node $i already runs $(cluster_pid "$i")"; return; }
	CLUSTER_CMD[$i]=$(printf '%q ' "$@")
	echo "== $(date +%T.%N) start: $*" >>"$CLUSTER_DIR/n$i.log"
	ip netns exec "$(cluster_ns "$i")" "$@" >>"$CLUSTER_DIR/n$i.log" 2>&1 &
	pid=$!
	echo "$pid" >"$CLUSTER_DIR/n$i.pid"
}

# cluster_signal I SIG: signal node I's daemon and wait until it is gone
cluster_signal()
{
	local i=$1 sig=$2 pid t
	pid=$(cluster_pid "$i") || cluster_err "node $i was never started" || return
	kill "-$sig" "$pid" 2>/dev/null || return 0
	for t in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && cluster_err "node $i ($pid) survives SIG$sig" && return 1
	wait "$pid" 2>/dev/null
	echo "== $(date +%T.%N) SIG$sig" >>"$CLUSTER_DIR/n$i.log"
	return 0
}

# cluster_kill I [SIG]: a crash (SIGKILL unless SIG is given)
cluster_kill() { cluster_signal "${1:?cluster_kill I}" "${2:-KILL}"; }
# cluster_stop I: a clean shutdown (SIGTERM)
cluster_stop() { cluster_signal "${1:?cluster_stop I}" TERM; }

# cluster_restart I: node I's last command again
cluster_restart()
{
	local i=${1:?cluster_restart I}
	[ -n "${CLUSTER_CMD[$i]:-}" ] || cluster_err "node $i was never started" || return
	cluster_alive "$i" && { cluster_kill "$i" || return; }
	eval "cluster_start $i ${CLUSTER_CMD[$i]}"
}

# cluster_netem I ARGS...: tc netem ARGS on node I's egress
cluster_netem()
{
	local i=${1:?cluster_netem I ARGS}
	shift
	cluster_exec "$i" tc qdisc replace dev eth0 root netem "$@" ||
		cluster_err "netem $* on node $i failed"
}

# cluster_netem_all ARGS...: the same on every node
cluster_netem_all()
{
	local i
	for i in $(seq 1 "$CLUSTER_N"); do
		cluster_netem "$i" "$@" || return
	done
}

# cluster_netem_clear [I]: no netem on node I (every node)
cluster_netem_clear()
{
	local i
	for i in ${1:-$(seq 1 "$CLUSTER_N")}; do
		cluster_exec "$i" tc qdisc del dev eth0 root 2>/dev/null
	done
	return 0
}

# cluster_partition "I J ..." "K L ...": the two sides lose each other
cluster_partition()
{
	local a=${1:?cluster_partition SIDE1 SIDE2} b=${2:?} i j from
	for i in $a $b; do
		from=$b
		[[ " $b " == *" $i "* ]] && from=$a
		{
			echo "table inet ordo_partition {"
			echo "  chain input {"
			echo "    type filter hook input priority 0; policy accept;"
			for j in $from; do
				echo "    ip saddr $(cluster_addr "$j") drop"
			done
			echo "  }"
			echo "}"
		} | cluster_exec "$i" nft -f - ||
			cluster_err "nftables partition on node $i failed" || return
	done
}

# cluster_heal: no partition any more
cluster_heal()
{
	local i
	for i in $(seq 1 "$CLUSTER_N"); do
		cluster_exec "$i" nft delete table inet ordo_partition 2>/dev/null
	done
	return 0
}

# cluster_wait SECONDS CMD...: poll CMD every 0.1 s until it succeeds
cluster_wait()
{
	local secs=${1:?cluster_wait SECONDS CMD} end
	shift
	end=$(awk -v s="$secs" -v n="$EPOCHREALTIME" 'BEGIN { printf "%.3f", n + s }')
	until "$@"; do
		awk -v e="$end" -v n="$EPOCHREALTIME" 'BEGIN { exit !(n > e) }' && return 1
		sleep 0.1
	done
}

# cluster_down: stop every daemon (SIGKILL), remove namespaces and bridge;
# the run directory stays when CLUSTER_KEEP is set
cluster_down()
{
	local i
	for i in $(seq 1 "$CLUSTER_N"); do
		cluster_alive "$i" && cluster_kill "$i"
		ip netns del "$(cluster_ns "$i")" 2>/dev/null
	done
	ip link del "${CLUSTER_PREFIX}br" 2>/dev/null
	if [ -n "$CLUSTER_DIR" ] && [ -z "${CLUSTER_KEEP:-}" ]; then
		rm -rf "$CLUSTER_DIR"
	fi
	CLUSTER_N=0
	CLUSTER_DIR=
	return 0
}
