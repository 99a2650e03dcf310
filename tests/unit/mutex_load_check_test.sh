#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The mutual exclusion load checker (tests/mutexload/mutex_load_check.py)
# must accept a correct run and reject doctored ones: the mutexload VM
# suite relies on it, so it must provably be able to fail. A synthetic
# run: 3 nodes, 6 clients (2 per node) x 5 entries, granted round-robin
# (each request overtaken exactly 5 = c*N - 1 times), a 4 ms hold and a
# 6 ms handoff, its shared file and an mx_load -j summary with
# Ricart-Agrawala's exact counts. Each case changes one thing and
# expects exit 1 and a given message. Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
check=$here/mutex_load_check.py
[ -r "$check" ] || check=$here/../mutexload/mutex_load_check.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0

if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs python3"
	exit 4
fi

# make OP [ARG]: $work/h (history), $work/f (shared file), $work/s.json
make_run()
{
	python3 - "$work" "$@" <<'PY'
import json, sys

out, op = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "clean"
C, K, N, MS = 6, 5, 3, 1000000
ents = []
last_rel = {}
for g in range(C * K):
    c = g % C + 1
    grant = 10 * MS * g + 6 * MS
    req = last_rel.get(c, 0) + MS // 10
    rel = grant + 4 * MS
    last_rel[c] = rel
    ents.append([c, (c - 1) % N + 1, g // C + 1, 1000 + g, req, grant, rel])
if op == "overlap":
    ents[7][5] = ents[6][6] - MS          # granted before 6 was released
    ents[7][4] = min(ents[7][4], ents[7][5])
elif op == "token":
    ents[9][3] = ents[8][3]               # not increasing
elif op == "missing":
    del ents[12]
elif op == "wait":
    ents[20][4] = ents[20][5] - 10000 * MS  # waited 10 s
elif op == "strict":
    # client 1's 4th request made before everyone's 3rd round: overtaken
    # 11 times within the time bound
    ents[18][4] = ents[7][5] - MS // 10
    ents[-1][6] += 100 * MS               # H = 104 ms: bound 6 x 110 ms
shared = []
for e in sorted(ents, key=lambda e: e[5]):
    shared.append(f"begin {e[3]} {e[1]} {e[0]}")
    shared.append(f"end {e[3]} {e[1]} {e[0]}")
if op == "interleave":
    shared[10], shared[11] = shared[11], shared[10]
    shared[11], shared[12] = shared[12], shared[11]
elif op == "node":
    shared[14] = shared[14].rsplit(" ", 2)[0] + " 9 " + shared[14].split()[3]
    shared[15] = shared[15].rsplit(" ", 2)[0] + " 9 " + shared[15].split()[3]
with open(f"{out}/h", "w") as f:
    f.write("# synthetic\n")
    for e in ents:
        f.write(" ".join(map(str, e)) + "\n")
with open(f"{out}/f", "w") as f:
    f.write("\n".join(shared) + "\n")
E = C * K
s = dict(algorithm="ricart-agrawala", entries=E, elapsed_s=0.3,
         entries_per_s=100.0, latency_mean_ms=50.0, latency_p99_ms=60.0,
         latency_max_ms=60.0, daemon_entries=E, sent=2 * (N - 1) * E,
         received=2 * (N - 1) * E, opdone_sent=E, messages_per_entry=4.0,
         messages={"REQUEST": 2 * E, "OK": 2 * E})
if op == "counts":
    s["sent"] -= 1
with open(f"{out}/s.json", "w") as f:
    json.dump(s, f)
PY
}

# case NAME OP EXPECT-RC [MESSAGE [EXTRA-ARGS...]]
case_()
{
	local name=$1 op=$2 want=$3 msg=${4:-} out rc
	shift 4
	n=$((n + 1))
	make_run "$op"
	out=$(python3 "$check" check "$work/h" "$work/f" --clients 6 --entries 5 --nodes 3 \
		--fair --summary "$work/s.json" --algorithm ricart-agrawala "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && { [ -z "$msg" ] || echo "$out" | grep -q -- "$msg"; }; then
		echo "ok $n $name"
	else
		echo "$out" | sed 's/^/# /'
		echo "not ok $n $name (exit $rc, expected $want${msg:+ and '$msg'})"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
echo "1..11"
case_ "a correct run passes (5 overtakes = c*N - 1)" clean 0 "(bound 5; 5 counting from the client's request), max wait 55.9 ms (bound 60.0 ms)"
case_ "strict: exactly the bound passes" clean 0 "" --strict --transit-ms 0
case_ "a grant before the previous release: overlap" overlap 1 "overlap: token 1007"
case_ "a token that does not increase" token 1 "token 1008 (client 4) does not increase"
case_ "a request never granted" missing 1 "29 entries granted, expected 30"
case_ "a wait beyond (c*N)(H + G)" wait 1 "beyond the bounded wait"
case_ "11 overtakes, within the time bound: passes" strict 0 "11 counting from the client.s request), max wait 110.1 ms (bound 660.0 ms)"
case_ "11 overtakes with --strict: fails" strict 1 "11 overtakes (bound 5)" --strict --transit-ms 0
case_ "interleaved lines in the shared file" interleave 1 "f:11: interleaved or unmatched: end of token 1005"
case_ "the shared file names another node" node 1 "first difference at section 8"
case_ "Ricart-Agrawala sends one message less than 2(N-1) per entry" counts 1 "sent 119, expected 120"
echo "# $failed failed"
[ "$failed" = 0 ]
