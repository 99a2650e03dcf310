// SPDX-License-Identifier: GPL-2.0
/*
 * ordo-mutexd: distributed mutual exclusion daemon.
 *
 * ENTRY POINT ONLY, for now: the runtime glue will fill this main(). The
 * algorithm cores (mutex_algo.h and mx_*.c: centralized, token ring,
 * Ricart-Agrawala, Lamport, voting) are complete and unit-tested on the
 * host (tests/unit/mx_*_test). The glue reads the [lock NAME] sections of
 * the cluster configuration (ordo_conf_*), opens the node (ordo_rt_open),
 * maps struct mx_msg to the ORDO_APP_PROTO_MUTEX_* bodies and back, turns
 * the failure detector's events into mx_peer_down()/mx_peer_up() and the
 * coordinator into mx_coordinator_changed(), drives mx_timer() from an
 * ordo_timer and serves lock/unlock on the local API (ordo_ipc).
 */
#include <stdio.h>
#include <string.h>

#include "mutex_algo.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: mutexd --help (the daemon is not implemented yet; algorithms: central ring ra lamport vote)\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
