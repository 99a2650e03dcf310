#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ordo PHC driven by testptp (kernel selftests) and linuxptp's
# phc_ctl: capabilities, get/set, time shift, frequency, system offset.
# The PHC carries UTC, so right after a set from the system clock its
# offset from CLOCK_REALTIME is near 0. Restores the PHC's offset from
# CLOCK_REALTIME (to within a few ms) and a zero frequency at the end.
# Needs root and ordo.ko loaded.

here=$(cd "$(dirname "$0")" && pwd)
C=/sys/kernel/ordo/clock
ksft_skip=4
fail=0
n=0
testptp=$here/testptp
phc_ctl=$(command -v phc_ctl || echo /usr/sbin/phc_ctl)

if [ "$(id -u)" != 0 ] || [ ! -r $C/ptp_index ]; then
	echo "1..0 # SKIP needs root and ordo.ko"
	exit $ksft_skip
fi
idx=$(cat $C/ptp_index)
dev=/dev/ptp$idx
if [ "$idx" -lt 0 ] || [ ! -c "$dev" ]; then
	echo "1..0 # SKIP no ordo PTP clock"
	exit $ksft_skip
fi

echo "TAP version 13"
echo "1..8"

result()
{
	n=$((n + 1))
	if [ "$fail" = 0 ]; then echo "ok $n $1"; else echo "not ok $n $1"; failed=1; fi
	fail=0
}

bad()
{
	echo "# $*"
	fail=1
}

# PHC - CLOCK_REALTIME in ns, the median of 9 testptp -k samples
offset()
{
	"$testptp" -d "$dev" -k 9 |
		sed -n 's/^system\/phc clock time offset is \(-\{0,1\}[0-9]*\) ns$/\1/p' |
		sort -n | sed -n 5p | awk '{ printf "%.0f\n", -$1 }'
}

near()	# VALUE WANT TOLERANCE MESSAGE
{
	local d=$(($1 - $2))
	[ ${d#-} -le "$3" ] || bad "$4: $1, expected $2 +- $3"
}

off0=$(offset)
[ -n "$off0" ] || { echo "# testptp -k failed"; off0=0; }
echo "# PHC - CLOCK_REALTIME at start: $off0 ns"

# shellcheck disable=SC2317 # the EXIT trap
restore()
{
	"$testptp" -d "$dev" -f 0 >/dev/null
	"$testptp" -d "$dev" -s >/dev/null
	POSIXLY_CORRECT=1 "$phc_ctl" "$dev" adj "$(awk -v o="$off0" 'BEGIN { printf "%.9f", o / 1e9 }')" >/dev/null 2>&1
}
trap restore EXIT

# 1: capabilities
out=$("$testptp" -d "$dev" -c)
echo "$out" | grep -q '^  500000 maximum frequency adjustment (ppb)$' || bad "max_adj: $out"
echo "$out" | grep -q '^  0 programmable alarms$' || bad "alarms: $out"
echo "$out" | grep -q '^  0 programmable pins$' || bad "pins: $out"
[ "$(cat /sys/class/ptp/ptp"$idx"/clock_name)" = ordo ] || bad "clock_name"
result "testptp -c"

# 2: get, set (-T), set from the system clock (-s)
out=$("$testptp" -d "$dev" -g)
s=$(echo "$out" | sed -n 's/^clock time: \([0-9]*\)\..*/\1/p')
[ -n "$s" ] || bad "testptp -g: $out"
near "${s:-0}" "$(date +%s)" 2 "PHC is UTC: seconds"
out=$("$testptp" -d "$dev" -T 2000000000)
echo "$out" | grep -q "set time okay" || bad "testptp -T: $out"
s=$("$testptp" -d "$dev" -g | sed -n 's/^clock time: \([0-9]*\)\..*/\1/p')
near "${s:-0}" 2000000000 2 "after -T 2000000000"
out=$("$testptp" -d "$dev" -s)
echo "$out" | grep -q "set time okay" || bad "testptp -s: $out"
near "$(offset)" 0 10000000 "offset after -s"
result "testptp -g, -T, -s"

# 3: time shift
o1=$(offset)
out=$("$testptp" -d "$dev" -t 10)
echo "$out" | grep -q "time shift okay" || bad "testptp -t: $out"
o2=$(offset)
near $((o2 - o1)) 10000000000 10000000 "shift by -t 10"
"$testptp" -d "$dev" -t -10 | grep -q "time shift okay" || bad "testptp -t -10"
near "$(offset)" "$o1" 10000000 "shift back"
result "testptp -t"

# 4: frequency
out=$("$testptp" -d "$dev" -f 100000)
echo "$out" | grep -q "frequency adjustment okay" || bad "testptp -f: $out"
if [ -r $C/freq_ppb ]; then
	[ "$(cat $C/freq_ppb)" = 100000 ] || bad "freq_ppb $(cat $C/freq_ppb)"
fi
out=$("$testptp" -d "$dev" -f 600000 2>&1)
echo "$out" | grep -q "clock_adjtime: Numerical result out of range" || bad "testptp -f 600000: $out"
"$testptp" -d "$dev" -f 0 | grep -q "frequency adjustment okay" || bad "testptp -f 0"
result "testptp -f"

# 5: system offset samples
out=$("$testptp" -d "$dev" -k 5)
echo "$out" | grep -q "system and phc clock time offset request okay" || bad "testptp -k: $out"
[ "$(echo "$out" | grep -c 'phc    time')" = 5 ] || bad "testptp -k: samples"
result "testptp -k"

# 6: phc_ctl get / set / cmp
out=$("$phc_ctl" "$dev" set 2>&1) || bad "phc_ctl set: $out"
out=$("$phc_ctl" "$dev" get 2>&1) || bad "phc_ctl get: $out"
s=$(echo "$out" | sed -n 's/.*clock time is \([0-9]*\)\..*/\1/p')
near "${s:-0}" "$(date +%s)" 2 "phc_ctl get: $out"
out=$("$phc_ctl" "$dev" cmp 2>&1) || bad "phc_ctl cmp: $out"
o=$(echo "$out" | sed -En 's/.*offset from CLOCK_REALTIME is (approximately )?(-?[0-9]+)ns.*/\2/p')
[ -n "$o" ] || bad "phc_ctl cmp: $out"
near "${o:-999999999}" 0 10000000 "phc_ctl cmp after set"
out=$("$phc_ctl" "$dev" set 1500000000.5 get 2>&1) || bad "phc_ctl set 1500000000.5: $out"
echo "$out" | grep -q "clock time is 15000000" || bad "phc_ctl get after set: $out"
result "phc_ctl set, get, cmp"

# 7: phc_ctl adj
"$phc_ctl" "$dev" set >/dev/null 2>&1
o1=$(offset)
out=$("$phc_ctl" "$dev" adj 0.5 2>&1) || bad "phc_ctl adj: $out"
near $(($(offset) - o1)) 500000000 10000000 "phc_ctl adj 0.5"
result "phc_ctl adj"

# 8: phc_ctl freq
out=$("$phc_ctl" "$dev" freq 100 2>&1) || bad "phc_ctl freq 100: $out"
# phc_ctl truncates 100 ppb to 6553 scaled ppm = 99.99 ppb
if [ -r $C/freq_ppb ]; then
	f=$(cat $C/freq_ppb)
	[ "$f" = 99 ] || [ "$f" = 100 ] || bad "freq_ppb $f after phc_ctl freq 100"
fi
out=$("$phc_ctl" "$dev" freq 2>&1) || bad "phc_ctl freq: $out"
echo "$out" | grep -Eq "frequency offset is (99\.9|100\.0)" || bad "phc_ctl freq readback: $out"
# phc_ctl exits 0 even when the adjustment fails: check the message
out=$("$phc_ctl" "$dev" freq 600000 2>&1)
echo "$out" | grep -q "failed to adjust the clock: Numerical result out of range" ||
	bad "phc_ctl freq 600000: $out"
"$phc_ctl" "$dev" freq 0 >/dev/null 2>&1 || bad "phc_ctl freq 0"
result "phc_ctl freq"

exit ${failed:-0}
