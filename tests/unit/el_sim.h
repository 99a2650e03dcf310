/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A deterministic discrete-event simulator for the election state
 * machines of user/ordo-electd (electd_algo.h). Time is in ms. Every
 * message takes exactly delay ms (links are FIFO; at equal times events
 * run in the order they were scheduled). Nodes crash (messages to them,
 * and their timers, are lost; messages they sent before stay in flight)
 * and are detected per node when the script says so (es_detect), restart
 * with the (term, leader) their live peers report (what the daemon learns
 * from heartbeats), and may be cut off by a partition (messages across it
 * are dropped). Counters per message type are summed over every node
 * that ever ran.
 */
#ifndef _EL_SIM_H
#define _EL_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "electd_algo.h"

#define ES_MAX_NODES	8
#define ES_MAX_EVENTS	65536

struct es;

struct es_cfg {
	const struct el_algo *algo;
	uint32_t n;
	uint32_t delay;		/* per message, ms (0: 10) */
	uint32_t answer_ms, coord_ms, stagger_ms;
};

struct es *es_new(const struct es_cfg *cfg);
void es_free(struct es *s);
uint64_t es_now(const struct es *s);

/* Start node @i (created, not started yet) now. */
void es_start(struct es *s, uint32_t i);
void es_start_all(struct es *s);
/* Crash node @i now. */
void es_crash(struct es *s, uint32_t i);
/* Node @at's failure detector reports @i down (el_peer_down). */
void es_detect(struct es *s, uint32_t at, uint32_t i);
/* Node @at's failure detector reports @i up again (el_peer_up). */
void es_detect_up(struct es *s, uint32_t at, uint32_t i);
/* Every live node but @i reports @i down. */
void es_detect_all(struct es *s, uint32_t i);
/* Restart @i as a new process: it learns the highest (term, leader) its
 * live peers accept, every live peer reports it up, then it starts. */
void es_restart(struct es *s, uint32_t i);
/* Messages between @side (mask) and the rest are dropped (0: none);
 * every node's detector reports the other side down / back up. */
void es_partition(struct es *s, uint64_t side);
void es_heal(struct es *s);
/* The partition's links work again, but no detector has noticed yet
 * (es_detect_up, es_heal report it): a heal as one node sees it. */
void es_reconnect(struct es *s);
/* One heartbeat round: every live node gets the view of every live,
 * reachable peer (el_peer_view). */
void es_views(struct es *s);
/* Deliver a forged message to @to now (from = m->from). */
int es_inject(struct es *s, uint32_t to, const struct el_msg *m);

/* Run events until the clock reaches @t (inclusive). */
void es_run_until(struct es *s, uint64_t t);
/* Run until nothing is pending or @limit ms passed; returns the time. */
uint64_t es_settle(struct es *s, uint64_t limit);

bool es_alive(const struct es *s, uint32_t i);
struct el_node *es_node(struct es *s, uint32_t i);
/* Every live node accepts @leader and is idle: true. */
bool es_agree(const struct es *s, uint32_t leader);
/* The highest live id. */
uint32_t es_highest(const struct es *s);
/* Messages of @type sent by every node so far (0: all types); ops done. */
uint64_t es_sent(const struct es *s, unsigned int type);
uint64_t es_done(const struct es *s);
uint64_t es_stale(const struct es *s);
uint64_t es_elections(const struct es *s);
/* Reset the message counters (es_sent, es_done, ...). */
void es_mark(struct es *s);
/* When the last leader callback of a live node ran. */
uint64_t es_last_change(const struct es *s);

#endif /* _EL_SIM_H */
