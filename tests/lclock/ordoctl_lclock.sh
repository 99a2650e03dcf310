#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ordoctl lclock: domain add (lamport, vector, hlc), list, show, tick, del,
# with and without -j, and its errors (duplicate id, n > 64, bad kind).
# Needs root and ordo.ko loaded; leaves no domain behind.

ksft_skip=4
fail=0
n=0
ordoctl=$(command -v ordoctl)

if [ "$(id -u)" != 0 ] || [ ! -d /sys/kernel/ordo/lclock ] || [ -z "$ordoctl" ]; then
	echo "1..0 # SKIP needs root, ordo.ko and ordoctl"
	exit $ksft_skip
fi

echo "TAP version 13"
echo "1..11"

check()
{
	local name=$1
	shift
	n=$((n + 1))
	if "$@" >/tmp/ordoctl_lclock.out 2>&1; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		sed 's/^/# /' /tmp/ordoctl_lclock.out
		fail=1
	fi
}

cleanup()
{
	for d in 201 202 203; do
		ordoctl lclock domain del $d >/dev/null 2>&1
	done
}
cleanup
trap cleanup EXIT

check "add lamport, vector, hlc" sh -c '
	ordoctl lclock domain add 201 --kind lamport --node 5 &&
	ordoctl lclock domain add 202 --kind vector --n 3 --index 1 --group 9 &&
	ordoctl lclock domain add 203 --kind hlc --max-jump 1000000 --refuse'
check "sysfs lists them" sh -c '
	[ "$(cat /sys/kernel/ordo/lclock/201/kind)" = lamport ] &&
	[ "$(cat /sys/kernel/ordo/lclock/201/node)" = 5 ] &&
	[ "$(cat /sys/kernel/ordo/lclock/202/n)" = 3 ] &&
	[ "$(cat /sys/kernel/ordo/lclock/202/group)" = 9 ] &&
	[ "$(cat /sys/kernel/ordo/lclock/203/refuse)" = 1 ]'
check "tick lamport twice" sh -c '
	ordoctl lclock tick 201 >/dev/null && ordoctl lclock tick 201 &&
	[ "$(cat /sys/kernel/ordo/lclock/201/value)" = 2 ]'
check "tick vector (-j)" sh -c '
	ordoctl -j lclock tick 202 | python3 -c "
import json, sys
d = json.load(sys.stdin)
assert d[\"vector\"] == [0, 1, 0], d
assert d[\"kind\"] == \"vector\" and d[\"index\"] == 1 and d[\"group\"] == 9
"'
check "tick hlc" sh -c '
	ordoctl -j lclock tick 203 | python3 -c "
import json, sys, time
d = json.load(sys.stdin)
assert abs(d[\"value\"] / 1e9 - time.time()) < 60, d
"'
check "domain list" sh -c '
	out=$(ordoctl lclock domain list) && echo "$out" &&
	echo "$out" | grep -q "^201 *lamport" &&
	echo "$out" | grep -q "^202 *vector" &&
	echo "$out" | grep -q "^203 *hlc"'
check "show -j" sh -c '
	ordoctl lclock show -j | python3 -c "
import json, sys
ds = {d[\"domain\"]: d for d in json.load(sys.stdin)}
assert set([201, 202, 203]) <= set(ds), ds
assert ds[201][\"value\"] == 2 and ds[201][\"ticks\"] == 2
assert \"short\" in ds[201][\"dropped\"]
"'
check "show one" sh -c 'ordoctl lclock show 202 | grep -q "value *\[0,1,0\]"'
check "errors: duplicate, n > 64, bad kind, unknown id" sh -c '
	ordoctl lclock domain add 201 --kind hlc 2>&1 | grep -qi "exists" &&
	ordoctl lclock domain add 204 --kind vector --n 65 --index 0 2>&1 | grep -q "1..64" &&
	! ordoctl lclock domain add 204 --kind scalar 2>/dev/null &&
	! ordoctl lclock show 299 2>/dev/null &&
	! ordoctl lclock domain del 299 2>/dev/null'
check "trace: bad options, non-root, no instance left behind" sh -c '
	ordoctl lclock trace --count 0 2>&1 | grep -q "bad count" &&
	ordoctl lclock trace --bogus 2>&1 | grep -q "unknown" &&
	{ ordoctl lclock trace --count; [ $? = 1 ]; } 2>/dev/null &&
	out=$(setpriv --reuid 65534 --regid 65534 --clear-groups ordoctl lclock trace --duration 1 2>&1;
	      echo "exit=$?") && echo "$out" &&
	echo "$out" | grep -q "needs root" && echo "$out" | grep -q "exit=3" &&
	ordoctl lclock trace --duration 0.3 --group 424242 &&
	! ls /sys/kernel/tracing/instances | grep -q ordoctl'
check "del" sh -c '
	ordoctl lclock domain del 201 && ordoctl lclock domain del 202 &&
	ordoctl lclock domain del 203 && [ ! -e /sys/kernel/ordo/lclock/201 ]'
exit $fail
