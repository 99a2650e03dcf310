#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo `make run` shows, inside the test VM (tests/vm/run loads
# ordo.ko first).
set -e
echo "### ordo.ko loaded: $(cat /sys/module/ordo/version 2>/dev/null || echo '?')"
echo
echo "### ordoctl info"
ordoctl info
echo
echo "### ordoctl -j info"
ordoctl -j info
echo
echo "### ls /sys/kernel/ordo"
ls -l /sys/kernel/ordo
echo
echo "### ls /sys/kernel/ordo/clock"
COLUMNS=100 ls -C /sys/kernel/ordo/clock
echo
echo "### ordoctl clock show"
ordoctl clock show
echo
echo "### ordoctl clock tt   (unsynchronised: no TrueTime interval yet)"
ordoctl clock tt || true
echo
echo "### a time daemon reports a sync: ordoctl clock sync --stratum 2 --root-delay 2000000 --root-disp 500000"
ordoctl clock sync --stratum 2 --root-delay 2000000 --root-disp 500000
ordoctl clock tt
echo
echo "### ordoctl stats"
ordoctl stats

# ---- mutual exclusion (issue 5): ordo-mutexd on 5 nodes --------------
# Self-contained: tests/bench/mutex/run sets up its own 5-node cluster
# (tests/lib/cluster.sh) and removes it. A quick variant of the benchmark
# (`make bench` runs the full one); ordo-msgstat counts the wire during
# the uncontended runs and prints its theory lines (-t ALGORITHM -N 5:
# messages per entry against the textbook formula).
echo
echo "### mutual exclusion: ordo-mutexd on 5 nodes, every algorithm (tests/bench/mutex/run --quick -N 5 --msgstat)"
tests/bench/mutex/run --quick -N 5 --msgstat || echo "(the mutex demo failed: exit $?)"

# ---- leader election (issue 7): ordo-electd on 5 nodes ---------------
# Self-contained: tests/bench/election/demo sets up its own 5-node cluster
# with a bully and a ring group, kills the leader while `ordoctl leader
# watch` runs, restarts it, and removes the cluster.
echo
echo "### leader election: ordo-electd on 5 nodes, bully and ring (tests/bench/election/demo)"
tests/bench/election/demo || echo "(the election demo failed: exit $?)"
