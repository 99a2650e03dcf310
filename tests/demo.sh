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
