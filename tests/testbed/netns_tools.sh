#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Three network namespaces on a bridge, as the cluster suites build them:
# checks that veth, the bridge, netem (delay and loss) and nftables
# (a drop rule making a partition) work inside the test VM. Prints TAP.
set -u
ns=(ordo-tb1 ordo-tb2 ordo-tb3)
br=ordo-tb-br
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

cleanup()
{
	for x in "${ns[@]}"; do ip netns del "$x" 2>/dev/null; done
	ip link del "$br" 2>/dev/null
}
trap cleanup EXIT

# 64 bytes: prints the round-trip time of one ping in ms, or nothing
rtt()
{
	ip netns exec "$1" ping -n -q -c 1 -W 2 "$2" 2>/dev/null |
		sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p'
}

echo "TAP version 13"
echo "1..7"

ip link add "$br" type bridge && ip link set "$br" up
ok $? "bridge"

err=0
for i in 0 1 2; do
	x=${ns[$i]}
	ip netns add "$x" &&
	ip link add "veth$i" type veth peer name eth0 netns "$x" &&
	ip link set "veth$i" master "$br" up &&
	ip -n "$x" addr add "10.99.0.$((i + 1))/24" dev eth0 &&
	ip -n "$x" link set eth0 up &&
	ip -n "$x" link set lo up || err=1
done
ok $err "three namespaces joined by veth and the bridge"

err=0
for i in 2 3; do
	[ -n "$(rtt ordo-tb1 10.99.0.$i)" ] || err=1
done
ok $err "namespaces reach each other"

ip -n ordo-tb2 link set eth0 up && ip netns exec ordo-tb2 tc qdisc add dev eth0 root netem delay 100ms
r=$(rtt ordo-tb1 10.99.0.2)
# the delay applies one way (ordo-tb2's egress): rtt >= 100 ms
[ -n "$r" ] && awk -v r="$r" 'BEGIN { exit !(r >= 100) }'
ok $? "netem delay (rtt ${r:-none} ms)"

ip netns exec ordo-tb2 tc qdisc change dev eth0 root netem loss 100%
[ -z "$(rtt ordo-tb1 10.99.0.2)" ]
ok $? "netem loss 100%"
ip netns exec ordo-tb2 tc qdisc del dev eth0 root

ip netns exec ordo-tb3 nft -f - <<'NFT'
table inet ordo_partition {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 10.99.0.1 drop
	}
}
NFT
err=$?
[ "$err" = 0 ] && [ -z "$(rtt ordo-tb1 10.99.0.3)" ] && [ -n "$(rtt ordo-tb2 10.99.0.3)" ]
ok $? "nftables partition drops one peer only"

ip netns exec ordo-tb3 nft delete table inet ordo_partition &&
	[ -n "$(rtt ordo-tb1 10.99.0.3)" ]
ok $? "partition heals"

[ "$failed" = 0 ]
