#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unload and reload ordo.ko many times. After each load the sysfs files
# are there, after each unload they are gone (checked with shell builtins:
# a process start costs ~70 ms under TCG). On the first two cycles, every
# tenth and the last, the netlink family is checked too: it answers after
# a load, with fresh counters, and after an unload ordoctl reports the
# missing module (exit 2, exact message).
# Needs root and ORDO_KO; leaves the module loaded. Exit: 0 pass, 1 fail,
# 4 skip (kselftest).

ITER=${ITER:-50}
NOT_LOADED="ordo module not loaded (modprobe ordo)"
ksft_skip=4
fail=0

ensure_loaded()
{
	[ -d /sys/module/ordo ] || insmod "$ORDO_KO"
}
trap ensure_loaded EXIT

if [ "$(id -u)" != 0 ] || [ -z "${ORDO_KO:-}" ] || ! command -v ordoctl >/dev/null; then
	echo "1..0 # SKIP needs root, \$ORDO_KO and ordoctl"
	exit $ksft_skip
fi

ensure_loaded || { echo "Bail out! cannot load $ORDO_KO"; exit 1; }
version=$(cat /sys/kernel/ordo/version)

check()	# DESCRIPTION COMMAND...
{
	local what=$1
	shift
	if ! "$@"; then
		echo "# iteration $i: $what failed"
		fail=1
		return 1
	fi
}

# cycle numbers on which ordoctl checks the netlink family as well
full_check()
{
	[ "$i" -le 2 ] || [ $((i % 10)) = 0 ] || [ "$i" = "$ITER" ]
}

unloaded_ok()
{
	local out rc
	[ ! -e /sys/module/ordo ] && [ ! -e /sys/kernel/ordo ] || return 1
	full_check || return 0
	out=$(ordoctl info 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 2 ] && [ "$out" = "$NOT_LOADED" ] ||
		{ echo "# ordoctl: rc=$rc stderr='$out'"; return 1; }
	out=$(ordoctl stats 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 2 ] && [ "$out" = "$NOT_LOADED" ]
}

loaded_ok()
{
	local out v
	read -r v < /sys/kernel/ordo/version || return 1
	[ "$v" = "$version" ] || return 1
	full_check || return 0
	out=$(ordoctl info) || return 1
	grep -qx "version: *$version" <<<"$out" || return 1
	# a fresh module starts with fresh counters
	out=$(ordoctl stats get_info_requests) || return 1
	[ "$out" = "$(printf '%-24s %s' get_info_requests 1)" ] ||
		{ echo "# stats after reload: '$out'"; return 1; }
}

echo "TAP version 13"
echo "1..1"
for ((i = 1; i <= ITER; i++)); do
	check "rmmod" rmmod ordo || break
	check "state after unload" unloaded_ok || break
	check "insmod" insmod "$ORDO_KO" || break
	check "state after load" loaded_ok || break
done

if [ "$fail" = 0 ]; then
	echo "ok 1 load_unload ($ITER cycles)"
	exit 0
fi
echo "not ok 1 load_unload"
exit 1
