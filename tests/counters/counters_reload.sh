#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ordo.ko with the HPET mapped and the RTC edge search running: reload it
# many times, unloading both while the search runs and after it is done;
# load it with counters hidden (counter_disable=) to check ENODEV and with
# hpet_32bit=1 to check the 32-bit mask. The VM runner fails the run on
# any kernel warning. Needs root and ORDO_KO; leaves the module loaded
# with default parameters. Exit: 0 pass, 1 fail, 4 skip (kselftest).

ITER=${ITER:-10}
C=/sys/kernel/ordo/clock
ksft_skip=4
fail=0
n=0

# shellcheck disable=SC2317 # the EXIT trap
reload_default()
{
	[ -d /sys/module/ordo ] && rmmod ordo
	insmod "$ORDO_KO"
}
trap reload_default EXIT

if [ "$(id -u)" != 0 ] || [ -z "${ORDO_KO:-}" ]; then
	echo "1..0 # SKIP needs root and \$ORDO_KO"
	exit $ksft_skip
fi

echo "TAP version 13"
echo "1..7"

result()	# NAME: ok or not ok from $fail, then reset it
{
	n=$((n + 1))
	if [ "$fail" = 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		failed=1
	fi
	fail=0
}

bad()
{
	echo "# $*"
	fail=1
}

expect()	# FILE VALUE
{
	local v
	v=$(cat "$C/$1" 2>&1)
	[ "$v" = "$2" ] || bad "$1: '$v', expected '$2'"
}

# FILE VALUE MESSAGE: the write fails with strerror MESSAGE
expect_write_error()
{
	local out
	out=$({ printf '%s' "$2" >"$C/$1"; } 2>&1) && { bad "write '$2' to $1 succeeded"; return; }
	case "$out" in
	*"$3"*) ;;
	*) bad "write '$2' to $1: '$out', expected '$3'" ;;
	esac
}

load()	# PARAMS...
{
	[ -d /sys/module/ordo ] && { rmmod ordo || bad "rmmod"; }
	insmod "$ORDO_KO" "$@" || bad "insmod $*"
}

# 1: reload cycles, half of them unloading during the RTC edge search
for ((i = 1; i <= ITER; i++)); do
	rmmod ordo || { bad "cycle $i: rmmod"; break; }
	[ -e /sys/kernel/ordo ] && bad "cycle $i: /sys/kernel/ordo still there"
	insmod "$ORDO_KO" || { bad "cycle $i: insmod"; break; }
	if ! a=$(cat $C/counter) || ! b=$(cat $C/counter); then
		bad "cycle $i: counter"
	fi
	[ "$a" != "$b" ] || bad "cycle $i: counter stuck at $a"
	if ((i % 2)); then
		cat $C/rtc_at_load >/dev/null || bad "cycle $i: rtc_at_load"
	fi
done
result "reload $ITER cycles"

# 2: HPET hidden
load counter_disable=hpet
expect sources_available tsc
expect source tsc
expect hpet_hz 0
expect hpet_period_fs 0
expect tsc_hz_measured 0
expect_write_error source hpet "No such device"
expect_write_error calibrate 1 "No such device"
expect_write_error source nonsense "Invalid argument"
cat $C/counter >/dev/null || bad "counter"
result "counter_disable=hpet"

# 3: TSC hidden
load counter_disable=tsc
expect sources_available hpet
expect source hpet
expect_write_error source tsc "No such device"
expect_write_error calibrate 1 "No such device"
result "counter_disable=tsc"

# 4: nothing left: the load fails cleanly
[ -d /sys/module/ordo ] && rmmod ordo
if insmod "$ORDO_KO" counter_disable=tsc,hpet 2>/dev/null; then
	bad "insmod with no counter succeeded"
fi
[ -e /sys/kernel/ordo ] && bad "/sys/kernel/ordo left behind"
result "counter_disable=tsc,hpet fails"

# 5: HPET read as 32 bits
load hpet_32bit=1
printf hpet >$C/source || bad "select hpet"
expect hpet_64bit 0
expect counter_mask 0xffffffff
for ((i = 0; i < 20; i++)); do
	v=$(cat $C/counter)
	((v <= 0xffffffff)) || bad "32-bit counter read $v"
done
result "hpet_32bit=1"

# 6: unload and reload while other tasks read and write the files; their
# errors (ENOENT, ENODEV while the files go) do not matter, the kernel log
# and the final state do
stress()
{
	local end=$((SECONDS + 6)) k=0
	while ((SECONDS < end)); do
		case $((k++ % 4)) in
		0) printf tsc >$C/source ;;
		1) printf hpet >$C/source ;;
		2) printf 1 >$C/calibrate ;;
		3) cat $C/counter $C/rtc $C/rtc_at_load $C/tsc_hz_measured ;;
		esac
	done >/dev/null 2>&1
}
stress & p1=$!
stress & p2=$!
for ((i = 0; i < 4; i++)); do
	sleep 0.3
	rmmod ordo || bad "rmmod under load"
	insmod "$ORDO_KO" || bad "insmod under load"
done
wait $p1 $p2
result "reload while the files are in use"

# 7: back to the defaults
load
expect sources_available "tsc hpet"
cat $C/rtc_at_load >/dev/null || bad "rtc_at_load"
result "default load"

trap - EXIT
exit "${failed:-0}"
