#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test VM's network tools, through the test-cluster helper
# (tests/lib/cluster.sh) that the distributed suites use: 3 namespaces on
# a bridge, the generated cluster.conf, netem (delay and loss), an
# nftables partition that heals, and daemons started, killed (-9),
# stopped and restarted. Prints TAP.
set -u
ksft_skip=4
if [ "$(id -u)" != 0 ] || [ -z "${ORDO_ROOT:-}" ]; then
	echo "1..0 # SKIP needs root and ORDO_ROOT (the test VM)"
	exit $ksft_skip
fi
CLUSTER_PREFIX=ordo-tb
CLUSTER_NET=10.99.0
. "$ORDO_ROOT/tests/lib/cluster.sh"
n=0 failed=0

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

# rtt FROM TO: the round-trip time of one ping in ms, or nothing
rtt()
{
	cluster_exec "$1" ping -n -q -c 1 -W 2 "$(cluster_addr "$2")" 2>/dev/null |
		sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p'
}

reaches() { [ -n "$(rtt "$1" "$2")" ]; }

echo "TAP version 13"
echo "1..10"

cluster_up 3
ok $? "3 namespaces joined by veth and a bridge"

[ "$(grep -c '^\[node [123]\]$' "$CLUSTER_CONF")" = 3 ] &&
	grep -q "^address = 10.99.0.3$" "$CLUSTER_CONF"
ok $? "cluster.conf lists the nodes"

reaches 1 2 && reaches 1 3 && reaches 3 2
ok $? "the nodes reach each other"

cluster_netem 2 delay 100ms
r=$(rtt 1 2)
# the delay is on node 2's egress: one way, rtt >= 100 ms
[ -n "$r" ] && awk -v r="$r" 'BEGIN { exit !(r >= 100) }'
ok $? "netem delay (rtt ${r:-none} ms)"

cluster_netem 2 loss 100% && ! reaches 1 2 && reaches 1 3
ok $? "netem loss 100% on one node only"
cluster_netem_clear

cluster_partition "1" "2 3" && ! reaches 1 2 && ! reaches 3 1 && reaches 2 3
ok $? "partition {1} | {2,3}: cut both ways, each side whole"

cluster_heal && reaches 1 2 && reaches 3 1
ok $? "partition heals"

cluster_start 2 sleep 600 && cluster_wait 5 cluster_alive 2 &&
	[ "$(cluster_exec 2 readlink /proc/self/ns/net)" = \
	  "$(readlink /proc/"$(cluster_pid 2)"/ns/net)" ]
ok $? "a daemon starts in its node's namespace"

pid=$(cluster_pid 2)
cluster_kill 2 && ! cluster_alive 2 && grep -q "SIGKILL" "$CLUSTER_DIR/n2.log"
ok $? "kill -9"

cluster_restart 2 && cluster_alive 2 && [ "$(cluster_pid 2)" != "$pid" ] &&
	cluster_stop 2 && ! cluster_alive 2 && grep -q "SIGTERM" "$CLUSTER_DIR/n2.log"
ok $? "restart with the same command, then a clean stop (SIGTERM)"

cluster_down
[ "$failed" = 0 ]
