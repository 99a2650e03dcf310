#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unloading ordo.ko while a process has /dev/ordo_clock open or its page
# mapped. An open descriptor pins the module (fops owner), so rmmod is
# refused ("in use"). A mapping alone does not: the module points the
# mapping at a shmem file of its own (vma->vm_file), so rmmod works while
# the page stays mapped; the process sees the page marked dead (version
# 0) and keeps running, and libordo maps the new module's page after a
# reload. The VM runner fails the run on any kernel warning (bad page
# state, oops).
# Needs root and ORDO_KO; leaves the module loaded.

here=$(cd "$(dirname "$0")" && pwd)
ksft_skip=4
fail=0
n=0
tmp=$(mktemp -d)
pid=

# shellcheck disable=SC2317 # the EXIT trap
cleanup()
{
	touch "$tmp/stop"
	[ -n "$pid" ] && wait "$pid" 2>/dev/null
	[ -d /sys/module/ordo ] || insmod "$ORDO_KO"
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ] || [ -z "${ORDO_KO:-}" ]; then
	echo "1..0 # SKIP needs root and \$ORDO_KO"
	exit $ksft_skip
fi

echo "TAP version 13"
echo "1..4"

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

wait_for()	# FILE PATTERN
{
	local i
	for i in $(seq 100); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

start_mapper()	# [--hold-fd]
{
	rm -f "$tmp/stop" "$tmp/out"
	"$here/clock_mapper" "$@" "$tmp/stop" > "$tmp/out" 2>&1 &
	pid=$!
	wait_for "$tmp/out" mapped || bad "mapper did not map: $(cat "$tmp/out")"
}

stop_mapper()	# EXPECTED-STATUS
{
	local st
	touch "$tmp/stop"
	wait "$pid"
	st=$?
	pid=
	[ "$st" = "$1" ] || bad "mapper exit $st, expected $1: $(cat "$tmp/out")"
	sed 's/^/# mapper: /' "$tmp/out"
}

# 1: the descriptor is open: the module is pinned
start_mapper --hold-fd
if rmmod ordo 2>"$tmp/err"; then
	bad "rmmod succeeded with /dev/ordo_clock open"
	insmod "$ORDO_KO"
else
	grep -q "in use" "$tmp/err" || bad "rmmod: $(cat "$tmp/err")"
fi
stop_mapper 0
result "open descriptor pins the module"

# 2: mapping only (descriptor closed): rmmod works while the page is
# mapped and being read; the mapper sees it marked dead, survives, and
# after a reload ordo_clock_now() works again
start_mapper
rmmod ordo 2>"$tmp/err" || bad "rmmod with the page mapped: $(cat "$tmp/err")"
[ -d /sys/module/ordo ] && bad "module still loaded"
wait_for "$tmp/out" dead || bad "mapper did not see the page die: $(cat "$tmp/out")"
kill -0 "$pid" 2>/dev/null || bad "mapper died"
insmod "$ORDO_KO" || bad "reload failed"
stop_mapper 0
# the old page stays dead; libordo maps the new module's page
grep -q "version 0 now 0 path [12]" "$tmp/out" || bad "mapper: $(tail -n 1 "$tmp/out")"
result "unload with the page mapped; the reader sees it dead and survives"

# 3: several mappers reading while the module is unloaded and reloaded
# three times
for i in 1 2 3; do
	"$here/clock_mapper" "$tmp/stop$i" > "$tmp/out$i" 2>&1 &
	eval "p$i=\$!"
done
for i in 1 2 3; do wait_for "$tmp/out$i" mapped || bad "mapper $i"; done
for i in 1 2 3; do
	rmmod ordo || bad "rmmod $i with 3 mappers"
	insmod "$ORDO_KO" || bad "insmod $i"
done
for i in 1 2 3; do
	touch "$tmp/stop$i"
	eval "wait \$p$i" || bad "mapper $i failed: $(cat "$tmp/out$i")"
	grep -q dead "$tmp/out$i" || bad "mapper $i never saw the page die"
done
result "unload/reload loop under 3 mappers"

# 4: /dev/ptpN held open does not pin ordo: after rmmod the posix clock
# is a zombie and every call fails with ENODEV (no call into the module)
start_mapper --ptp "/dev/ptp$(cat /sys/kernel/ordo/clock/ptp_index)"
rmmod ordo || bad "rmmod with /dev/ptpN open failed"
sleep 0.2
kill -0 "$pid" 2>/dev/null || bad "ptp holder died"
insmod "$ORDO_KO" || bad "reload failed"
stop_mapper 0
grep -q "ptp errno 19" "$tmp/out" || bad "old /dev/ptpN after unload: $(tail -n 1 "$tmp/out")"
result "unload with /dev/ptpN open: ENODEV"

exit ${failed:-0}
