#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ordered multicast log checker (tests/mcast/mcast_check.py) must
# accept real logs and reject doctored ones: it is what the mcast VM
# suite relies on, so it must provably be able to fail.
#
# mcast_total.jsonl and mcast_causal.jsonl are the logs of real runs of
# `ordoctl mcast --log` (3 members on 127.0.0.1, userspace stamping; total:
# 3 messages each; causal: 3 each plus one reply each), all members'
# records in one file. Each case splits them per member, changes one
# thing and expects exit 1 and a given message. Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
check=$here/mcast_check.py
[ -r "$check" ] || check=$here/../mcast/mcast_check.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0

if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs python3"
	exit 4
fi

# doctor FIXTURE OP [ARGS...]: writes $work/m-<node>.log
doctor()
{
	python3 - "$here/$1" "$work" "${@:2}" <<'PY'
import json, sys

fixture, out, op, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
logs = {}
for line in open(fixture):
    r = json.loads(line)
    logs.setdefault(r["node"], []).append(r)

def deliveries(node):
    return [i for i, r in enumerate(logs[node]) if r["ev"] == "deliver"]

def find(node, text):
    return next(i for i in deliveries(node) if logs[node][i]["text"] == text)

if op == "none":
    pass
elif op == "swap":                      # swap deliveries k, k+1 of a member
    for node in [int(args[0])] if args[0] != "all" else list(logs):
        d = deliveries(node)
        k = int(args[1])
        a, b = d[k], d[k + 1]
        logs[node][a], logs[node][b] = logs[node][b], logs[node][a]
elif op == "dup":                       # deliver one message twice
    node, k = int(args[0]), int(args[1])
    i = deliveries(node)[k]
    logs[node].insert(i + 1, dict(logs[node][i]))
elif op == "drop":                      # never deliver it
    node, k = int(args[0]), int(args[1])
    del logs[node][deliveries(node)[k]]
elif op == "ghost":                     # deliver a message nobody sent
    node, k = int(args[0]), int(args[1])
    logs[node][deliveries(node)[k]]["text"] = "never-sent"
elif op == "ts":                        # deliver with another timestamp
    node, k = int(args[0]), int(args[1])
    r = logs[node][deliveries(node)[k]]
    if "ts" in r:
        r["ts"] += 100
    else:
        r["vc"] = [v + 1 for v in r["vc"]]
elif op == "before":                    # deliver text A right before text B
    node, a, b = int(args[0]), args[1], args[2]
    r = logs[node].pop(find(node, a))
    logs[node].insert(find(node, b), r)
elif op == "clock_back":                # the socket clock goes back
    node = int(args[0])
    acks = [r for r in logs[node] if r["ev"] == "rx" and r["verdict"] == "ack"]
    k = acks[len(acks) // 2]["kernel"]
    if "local_vc" in k:
        k["local_vc"][node] = 1
    else:
        k["local"] = 1
elif op == "stamp_low":                 # a datagram stamped below its past
    node = int(args[0])
    for r in logs[node]:
        if r["ev"] == "deliver" and r["from"] != node:
            last = r
    rx = next(x for x in logs[node] if x["ev"] == "rx" and x["i"] == last["rx"])
    for k in (last["kernel"], rx["kernel"]):
        if "vc" in k:
            k["vc"] = [0] * len(k["vc"])
        else:
            k["ts"] = 0
elif op == "garbage":
    logs[0].insert(3, "not json")
else:
    sys.exit("unknown op " + op)
for node, recs in logs.items():
    with open(f"{out}/m-{node}.log", "w") as f:
        for r in recs:
            f.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
PY
}

# case NAME WANT_EXIT WANT_TEXT FIXTURE OP [ARGS...] (checker options: $XARGS)
case_()
{
	local name=$1 want_rc=$2 want=$3 rc
	shift 3
	n=$((n + 1))
	rm -f "$work"/m-*.log
	if ! doctor "$@"; then
		echo "not ok $n $name # could not doctor the logs"
		failed=$((failed + 1))
		return
	fi
	# shellcheck disable=SC2086
	python3 "$check" ${XARGS:-} "$work"/m-*.log >"$work/out" 2>&1
	rc=$?
	if [ "$rc" = "$want_rc" ] && grep -q -- "$want" "$work/out"; then
		echo "ok $n $name"
	else
		echo "not ok $n $name (exit $rc, wanted $want_rc and '$want')"
		sed 's/^/# /' "$work/out"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
echo "1..19"
case_ "total: real logs pass" 0 "^OK" mcast_total.jsonl none
case_ "causal: real logs pass" 0 "^OK" mcast_causal.jsonl none
case_ "total: two deliveries swapped at one member" 1 "total order: delivery" \
	mcast_total.jsonl swap 1 3
case_ "total: the same swap everywhere breaks <ts, sender> order" 1 \
	"delivered before" mcast_total.jsonl swap all 3
case_ "total: a message delivered twice" 1 "twice" mcast_total.jsonl dup 2 4
case_ "total: a message never delivered" 1 "never delivered" mcast_total.jsonl drop 0 5
case_ "total: a message nobody sent" 1 "never sent" mcast_total.jsonl ghost 1 2
case_ "total: delivered with another timestamp" 1 "sent with" mcast_total.jsonl ts 2 1
case_ "total: Lamport socket clock goes back" 1 "not increasing" \
	mcast_total.jsonl clock_back 1
case_ "total: a datagram stamped below its sender's clock" 1 \
	"not above its sender's clock" mcast_total.jsonl stamp_low 0
case_ "causal: a reply delivered before its cause" 1 "causal order" \
	mcast_causal.jsonl before 1 "2.r1>0.1" "0.1"
case_ "causal: per-sender order broken" 1 "causal order" \
	mcast_causal.jsonl before 0 "1.1" "1.r1>0.1"
case_ "causal: a message delivered twice" 1 "twice" mcast_causal.jsonl dup 0 6
case_ "causal: vector socket clock goes back" 1 "not increasing" \
	mcast_causal.jsonl clock_back 2
case_ "causal: delivered with another vector" 1 "sent with" mcast_causal.jsonl ts 1 3
case_ "unreadable log: exit 2" 2 "not JSON" mcast_total.jsonl garbage
XARGS="--min-causal 44 --expect 12 --stamping user --exact data_sent=24" \
	case_ "causal: requirements met" 0 "^OK" mcast_causal.jsonl none
XARGS="--min-causal 45" case_ "causal: too few causal pairs" 1 "too weak" \
	mcast_causal.jsonl none
XARGS="--stamping kernel,user,user --min retransmits=1" \
	case_ "requirements on stamping and counters" 1 "retransmits is 0" \
	mcast_total.jsonl none
[ "$failed" = 0 ]
