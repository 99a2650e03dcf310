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
echo "### ordoctl stats"
ordoctl stats
