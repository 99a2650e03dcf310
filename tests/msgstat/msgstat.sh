#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ordo-msgstat on a 2-node test cluster (tests/lib/cluster.sh), with the
# traffic of msgstat_gen (exact, known counts), attached by network
# namespace (each node's eth0: tc clsact ingress and egress):
#
#   counts     per (protocol, type, direction, peer), IPv4 and IPv6, both
#              directions: every datagram once as tx at its sender and
#              once as rx at its receiver; retransmission and
#              operation-done marks; the peer of tx rows from cluster.conf
#   ignored    non-ordo UDP (even starting "ORD") and TCP carrying ordo
#              headers count nothing
#   slots      more keys than the per-CPU slots hold: the rest go to the
#              hash, every key exact
#   malformed  each kind of broken clock or application header is counted
#              by reason and never as a message
#   stamps     kernel-stamped datagrams: the wire count equals the stamp
#              probe's send count at the sender and recv count at the
#              receiver
#   loss       30% netem loss: tx counts every successful send (tc egress
#              comes before the qdisc), rx fewer; retransmissions shown
#   theory     -t ra -N 3 over traffic shaped like 2 RA entries: match
#   intervals  -j --reset 0.5: the reports add up to what was sent; SIGTERM
#              detaches (no filter or clsact qdisc left)
#   cycles     attach and detach 100 times, then exact counts
#   reload     with --no-stamps the wire counters keep counting while
#              ordo.ko is unloaded and loaded again; with the stamp probe
#              attached the module is pinned
#   no root    exits 2 with one line
#
# Needs root, ordo.ko, ordo-msgstat, python3. Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ksft_skip=4
CLUSTER_PREFIX=ordo-ms
CLUSTER_NET=10.77.0
CLUSTER_PORT=7470
. "${ORDO_ROOT:-$here/../..}/tests/lib/cluster.sh"
gen=$here/msgstat_gen
q=$here/msgstat_q.py
work=$(mktemp -d /tmp/ordo-msgstat.XXXXXX)
n=0 failed=0

if [ "$(id -u)" != 0 ] || [ ! -d /sys/kernel/ordo ] || ! command -v ordo-msgstat >/dev/null ||
   ! command -v python3 >/dev/null || [ ! -x "$gen" ]; then
	echo "1..0 # SKIP needs root, ordo.ko, ordo-msgstat, msgstat_gen and python3"
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
	rm -rf "$work"
}
trap cleanup EXIT

# eq FILE EXPR VALUE: the expression over FILE's reports is VALUE
eq()
{
	local got
	got=$(python3 "$q" "$1" "$2" 2>&1)
	[ "$got" = "$3" ] && return 0
	echo "# $2 = $got, expected $3"
	return 1
}

ns() { cluster_ns "$1"; }
v6() { echo "fd77::$1"; }
A=$(cluster_addr 1)
B=$(cluster_addr 2)
MS=(ordo-msgstat -n "$(ns 1)" -n "$(ns 2)")
send() { local i=$1; shift; cluster_exec "$i" "$gen" send --node "$i" "$@"; }

start_servers()
{
	local i
	for i in 1 2; do
		cluster_start "$i" "$gen" serve --node "$i" "$@" || return 1
	done
	for i in 1 2; do
		cluster_wait 10 grep -q ready "$CLUSTER_DIR/n$i.log" || return 1
	done
}

cluster_up 2 || exit 1
for i in 1 2; do
	cluster_exec "$i" ip addr add "$(v6 "$i")/64" dev eth0 nodad || exit 1
done
start_servers --stamp 500 --tcp || { echo "# servers did not start"; exit 1; }

# ------------------------------------------------------------------ counts
err=0
"${MS[@]}" -C "$CLUSTER_CONF" -j --run -- sh -c "
	ip netns exec $(ns 1) $gen send --node 1 --to $B app,3,1,0,7 app,3,2,4,2 app,1,1,2,3 noapp,4 &&
	ip netns exec $(ns 1) $gen send --node 1 --to $(v6 2) app,4,5,0,5 &&
	ip netns exec $(ns 2) $gen send --node 2 --to $A app,5,3,0,4" >"$work/counts.json" || err=1
f=$work/counts.json
eq "$f" "c('mutex_ra', 1, 'tx', 2)" 7 || err=1
eq "$f" "c('mutex_ra', 1, 'rx', 1)" 7 || err=1
eq "$f" "c('mutex_ra', 2, 'tx', 2)" 2 || err=1
eq "$f" "c('mutex_ra', 2, 'tx', 2, field='opdone')" 2 || err=1
eq "$f" "c('mutex_ra', 2, 'rx', 1, field='opdone')" 2 || err=1
eq "$f" "c('mutex_central', 1, 'tx', 2, field='retx')" 3 || err=1
eq "$f" "c('mutex_central', 1, 'rx', 1)" 3 || err=1
eq "$f" "c(cls='noapp', dir='tx', peer=2)" 4 || err=1
eq "$f" "c(cls='noapp', dir='rx', peer=1)" 4 || err=1
# IPv6: the configuration has IPv4 addresses only, so tx has no peer id
eq "$f" "c('mutex_lamport', 5, 'tx', None)" 5 || err=1
eq "$f" "[m['peer_addr'] for m in d['messages'] if m['proto_id'] == 4 and m['dir'] == 'tx']" "['fd77::2']" || err=1
eq "$f" "c('mutex_lamport', 5, 'rx', 1)" 5 || err=1
eq "$f" "c('mutex_vote', 3, 'tx', 1)" 4 || err=1
eq "$f" "c('mutex_vote', 3, 'rx', 2)" 4 || err=1
eq "$f" "(c(dir='tx'), c(dir='rx'), len(d['messages']))" "(25, 25, 12)" || err=1
eq "$f" "(mal('tx'), mal('rx'), st('send'), st('recv'))" "(0, 0, 0, 0)" || err=1
ok $err "counts per (protocol, type, direction, peer): IPv4 and IPv6, retx, opdone, no app header"

# ------------------------------------------------------------------ ignored
err=0
"${MS[@]}" -j --run -- sh -c "
	ip netns exec $(ns 1) $gen send --to $B udp,50 tcp,5 &&
	ip netns exec $(ns 1) $gen send --to $(v6 2) udp,20 &&
	ip netns exec $(ns 1) ping -c 2 -i 0.2 -q $B >/dev/null" >"$work/ign.json" || err=1
eq "$work/ign.json" "(len(d['messages']), mal('tx'), mal('rx'))" "(0, 0, 0)" || err=1
ok $err "non-ordo UDP, TCP with ordo bytes and ICMP count nothing"

# ------------------------------------------------------------------ slots full
# 200 keys per direction, 128 slots per direction: by the pigeonhole at
# least 72 keys per direction share a taken slot and are counted in the
# msgs hash; every key still counts exactly its datagrams
err=0
items=
for t in $(seq 0 199); do items="$items app,1,$t,0,3"; done
"${MS[@]}" -j --run -- ip netns exec "$(ns 1)" "$gen" send --node 1 --to "$B" $items \
	>"$work/slots.json" || err=1
f=$work/slots.json
eq "$f" "(len(d['messages']), c(dir='tx'), c(dir='rx'), mal('tx'), mal('rx'))" "(400, 600, 600, 0, 0)" || err=1
eq "$f" "sorted(set((m['dir'], m['count']) for m in d['messages']))" "[('rx', 3), ('tx', 3)]" || err=1
eq "$f" "len(set(m['type'] for m in d['messages'] if m['dir'] == 'rx'))" 200 || err=1
ok $err "more keys than slots: 200 keys per direction, every one counted exactly"

# ------------------------------------------------------------------ malformed
err=0
kinds="wire_short wire_version wire_kind wire_trunc wire_hdr_len wire_flags app_short app_proto app_flags app_len"
items=
for k in $kinds; do items="$items bad,$k,2"; done
# shellcheck disable=SC2086
"${MS[@]}" -j --run -- ip netns exec "$(ns 1)" "$gen" send --to "$B" $items app,3,1,0,1 \
	>"$work/bad.json" || err=1
f=$work/bad.json
for k in $kinds; do
	eq "$f" "(mal('tx', '$k'), mal('rx', '$k'))" "(2, 2)" || err=1
done
eq "$f" "(mal('tx'), mal('rx'), c(dir='tx'), c(dir='rx'))" "(20, 20, 1, 1)" || err=1
ok $err "malformed ordo datagrams counted by reason, never as messages"

# ------------------------------------------------------------------ stamps
err=0
"${MS[@]}" -j --run -- ip netns exec "$(ns 1)" "$gen" send --node 1 --stamp 500 --to "$B" \
	app,3,1,0,20 noapp,5 >"$work/stamp.json" || err=1
f=$work/stamp.json
eq "$f" "(c(dir='tx'), c(dir='rx'), c('mutex_ra', 1, 'rx', 1), c(cls='noapp', dir='rx', peer=1))" \
	"(25, 25, 20, 5)" || err=1
ns1=$(stat -L -c %i "/run/netns/$(ns 1)") ns2=$(stat -L -c %i "/run/netns/$(ns 2)")
eq "$f" "[(s['send'], s['recv']) for s in d['stamps'] if s['netns'] == $ns1]" "[(25, 0)]" || err=1
eq "$f" "[(s['send'], s['recv']) for s in d['stamps'] if s['netns'] == $ns2]" "[(0, 25)]" || err=1
eq "$f" "(st('send') == c(dir='tx'), st('recv') == c(dir='rx'))" "(True, True)" || err=1
ok $err "stamped datagrams: wire tx = stamp sends, wire rx = stamp receives"

# ------------------------------------------------------------------ loss
err=0
cluster_netem 1 loss 30% || err=1
"${MS[@]}" -j --run -- ip netns exec "$(ns 1)" "$gen" send --node 1 --to "$B" \
	app,3,1,0,100 app,3,1,2,20 >"$work/loss.json" || err=1
cluster_netem_clear
f=$work/loss.json
sent=$(grep -o 'sent [0-9]*' "$work/loss.json" | awk '{ print $2 }')
[ "${sent:-0}" = 120 ] || { echo "# sent: ${sent:-?}"; err=1; }
grep -v '^sent' "$f" >"$f.j"
eq "$f.j" "c('mutex_ra', dir='tx') >= $sent" True || err=1
eq "$f.j" "(c('mutex_ra', dir='tx', field='retx'), c('mutex_ra', dir='rx') < c('mutex_ra', dir='tx'))" \
	"(20, True)" || err=1
ok $err "30% loss: tx >= successful sends ($sent), rx fewer, retransmissions shown"

# ------------------------------------------------------------------ theory
err=0
"${MS[@]}" -j -t ra -N 3 --run -- ip netns exec "$(ns 1)" "$gen" send --node 1 --to "$B" \
	app,3,1,4,2 app,3,2,0,6 >"$work/th.json" || err=1
f=$work/th.json
grep -v '^sent' "$f" >"$f.j"
eq "$f.j" "(d['theory']['messages'], d['theory']['ops'], d['theory']['expected'], d['theory']['per_op'], d['theory']['verdict'])" \
	"(8, 2, 4, 4.0, 'match')" || err=1
"${MS[@]}" -t ra -N 3 --run -- ip netns exec "$(ns 1)" "$gen" send --node 1 --to "$B" \
	app,3,1,4,2 app,3,2,0,7 >"$work/th.txt" || err=1
grep -q "theory mutex_ra N=3: 9 messages (0 retx), 2 operations, 4.50 per operation; 2(N-1) = 4: differs" \
	"$work/th.txt" || { err=1; sed 's/^/# /' "$work/th.txt"; }
ok $err "theory mode: RA, N = 3: 2(N-1) per entry, match and differs"

# ------------------------------------------------------------------ intervals
err=0
clean_tc()
{
	local i
	for i in 1 2; do
		cluster_exec "$i" tc filter show dev eth0 ingress | grep -q . && return 1
		cluster_exec "$i" tc filter show dev eth0 egress | grep -q . && return 1
		cluster_exec "$i" tc qdisc show dev eth0 | grep -q clsact && return 1
	done
	return 0
}
"${MS[@]}" -j --reset 0.5 >"$work/iv.json" &
mpid=$!
cluster_wait 20 test -s "$work/iv.json" || err=1
send 1 --to "$B" app,3,1,0,10 >/dev/null || err=1
sleep 1
send 1 --to "$B" app,3,1,0,10 >/dev/null || err=1
sleep 1
kill -TERM "$mpid"
wait "$mpid" || { echo "# exit status $?"; err=1; }
eq "$work/iv.json" "(sum(c(dir='tx', r=r) for r in reports), sum(c(dir='rx', r=r) for r in reports))" \
	"(20, 20)" || err=1
eq "$work/iv.json" "len(reports) >= 4 and all(r['interval'] > 0.4 for r in reports)" True || err=1
eq "$work/iv.json" "max(m['rate'] for r in reports for m in r['messages']) > 0" True || err=1
clean_tc || { echo "# tc state left behind"; err=1; }
ok $err "interval mode with --reset: reports add up, SIGTERM detaches cleanly"

# ------------------------------------------------------------------ cycles
err=0
for i in $(seq 1 100); do
	ordo-msgstat -n "$(ns 1)" --run -- true >/dev/null 2>"$work/cyc.err" ||
		{ err=1; echo "# cycle $i failed: $(head -n 1 "$work/cyc.err")"; break; }
done
clean_tc || { echo "# tc state left behind"; err=1; }
"${MS[@]}" -j --run -- ip netns exec "$(ns 1)" "$gen" send --node 1 --to "$B" app,3,1,0,5 \
	>"$work/cyc.json" || err=1
grep -v '^sent' "$work/cyc.json" >"$work/cyc.j"
eq "$work/cyc.j" "(c(dir='tx'), c(dir='rx'))" "(5, 5)" || err=1
ok $err "attach and detach 100 times, then exact counts"

# ------------------------------------------------------------------ reload
err=0
cluster_kill 1
cluster_kill 2
start_servers || err=1	# not stamped: they do not hold ordo.ko
# with the stamp probe the module is pinned
ordo-msgstat -n "$(ns 1)" --run -- sh -c 'rmmod ordo 2>/dev/null && exit 1; exit 0' \
	>/dev/null || { echo "# ordo.ko unloaded under the stamp probe"; err=1; }
[ -d /sys/module/ordo ] || { insmod "$ORDO_KO"; err=1; }
"${MS[@]}" --no-stamps -j --run -- sh -c "
	ip netns exec $(ns 1) $gen send --node 1 --to $B app,3,1,0,5 >/dev/null &&
	rmmod ordo && [ ! -d /sys/module/ordo ] &&
	ip netns exec $(ns 1) $gen send --node 1 --to $B app,3,1,0,5 >/dev/null &&
	insmod $ORDO_KO &&
	ip netns exec $(ns 1) $gen send --node 1 --to $B app,3,1,0,5 >/dev/null" \
	>"$work/rl.json" || err=1
[ -d /sys/module/ordo ] || insmod "$ORDO_KO"
eq "$work/rl.json" "(c(dir='tx'), c(dir='rx'))" "(15, 15)" || err=1
ok $err "counters keep working while ordo.ko is unloaded and reloaded"

# ------------------------------------------------------------------ no root
err=0
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		ordo-msgstat -i lo --run -- true >"$work/nr.out" 2>"$work/nr.err"
	rc=$?
	[ "$rc" = 2 ] || { echo "# exit status $rc"; err=1; }
	[ "$(wc -l <"$work/nr.err")" = 1 ] || err=1
	[ -s "$work/nr.out" ] && err=1
	sed 's/^/# /' "$work/nr.err"
	ok $err "without root: one line, exit status 2"
else
	echo "ok $((n += 1)) # SKIP without root: setpriv missing"
fi

echo "# $failed failed"
[ "$failed" = 0 ]
