// SPDX-License-Identifier: GPL-2.0
/*
 * ordo-mutexd: the entry points shared by the five algorithms. They check
 * the arguments, keep the live set and the counters, call the algorithm
 * and re-arm the caller's timer when the algorithm's next deadline
 * changed. See mutex_algo.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mx_impl.h"

static const struct mx_algo *const mx_algos[] = {
	&mx_central_algo, &mx_ring_algo, &mx_ra_algo, &mx_lamport_algo,
	&mx_vote_algo,
};

const struct mx_algo *mx_algo_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < sizeof(mx_algos) / sizeof(mx_algos[0]); i++) {
		if (!strcmp(mx_algos[i]->name, name))
			return mx_algos[i];
	}
	return NULL;
}

const char *mx_type_name(const struct mx_algo *algo, unsigned int type)
{
	if (!algo || type == 0 || type > algo->ntypes)
		return "?";
	return algo->type_names[type];
}

void mx_send(struct mx_node *nd, uint32_t to, struct mx_msg *m)
{
	m->from = nd->cfg.self;
	nd->st.sent[m->type]++;
	nd->st.sent_total++;
	if (m->flags & MX_F_DONE)
		nd->st.done_sent++;
	nd->ops->send(nd->ctx, to, m);
}

void mx_grant(struct mx_node *nd, uint32_t lock, uint64_t token)
{
	nd->st.grants++;
	nd->ops->granted(nd->ctx, lock, token);
}

/* Tell the caller when the algorithm's next deadline changed. */
static void mx_rearm(struct mx_node *nd)
{
	uint64_t at = nd->algo->deadline(nd), now;

	if (at == nd->timer_at)
		return;
	nd->timer_at = at;
	if (at == MX_NO_TIMER) {
		nd->ops->set_timer(nd->ctx, MX_NO_TIMER);
		return;
	}
	now = mx_now(nd);
	nd->ops->set_timer(nd->ctx, at > now ? at - now : 0);
}

struct mx_node *mx_new(const struct mx_algo *algo, const struct mx_cfg *cfg,
		       const struct mx_ops *ops, void *ctx)
{
	struct mx_node *nd;
	int err;

	if (!algo || !cfg || !ops || !ops->send || !ops->granted ||
	    !ops->now_ms || !ops->rand || !ops->set_timer ||
	    cfg->n == 0 || cfg->n > MX_MAX_NODES || cfg->self >= cfg->n ||
	    cfg->nlocks == 0 || cfg->nlocks > MX_MAX_LOCKS ||
	    cfg->coordinator >= cfg->n || cfg->quorum > cfg->n ||
	    (cfg->quorum && 2 * cfg->quorum <= cfg->n) ||
	    (cfg->flags & ~MX_CFG_REJOIN)) {
		errno = EINVAL;
		return NULL;
	}
	nd = calloc(1, algo->size);
	if (!nd)
		return NULL;
	nd->algo = algo;
	nd->cfg = *cfg;
	nd->ops = ops;
	nd->ctx = ctx;
	nd->all = cfg->n == 64 ? ~0ULL : mx_bit(cfg->n) - 1;
	nd->live = nd->all;
	nd->timer_at = MX_NO_TIMER;
	err = algo->init(nd);
	if (err) {
		algo->fini(nd);
		free(nd);
		errno = -err;
		return NULL;
	}
	mx_rearm(nd);
	return nd;
}

void mx_free(struct mx_node *nd)
{
	if (!nd)
		return;
	nd->algo->fini(nd);
	free(nd);
}

int mx_acquire(struct mx_node *nd, uint32_t lock)
{
	int ret;

	if (lock >= nd->cfg.nlocks)
		return -EINVAL;
	ret = nd->algo->acquire(nd, lock);
	mx_rearm(nd);
	return ret;
}

int mx_release(struct mx_node *nd, uint32_t lock)
{
	int ret;

	if (lock >= nd->cfg.nlocks)
		return -EINVAL;
	ret = nd->algo->release(nd, lock);
	if (ret == 0)
		nd->st.releases++;
	mx_rearm(nd);
	return ret;
}

int mx_input(struct mx_node *nd, const struct mx_msg *m)
{
	int ret;

	if (!m || m->from >= nd->cfg.n || m->from == nd->cfg.self ||
	    m->type == 0 || m->type > nd->algo->ntypes ||
	    m->lock >= nd->cfg.nlocks) {
		nd->st.invalid++;
		return -EINVAL;
	}
	if (!(nd->live & mx_bit(m->from))) {
		nd->st.ignored++;
		return MX_IGNORED;
	}
	nd->st.recv[m->type]++;
	nd->st.recv_total++;
	ret = nd->algo->input(nd, m);
	if (ret == MX_IGNORED)
		nd->st.ignored++;
	else if (ret == -EINVAL)
		nd->st.invalid++;
	mx_rearm(nd);
	return ret;
}

int mx_peer_down(struct mx_node *nd, uint32_t id)
{
	if (id >= nd->cfg.n || id == nd->cfg.self)
		return -EINVAL;
	if (!(nd->live & mx_bit(id)))
		return MX_IGNORED;
	nd->live &= ~mx_bit(id);
	nd->algo->peer_down(nd, id);
	mx_rearm(nd);
	return 0;
}

int mx_peer_up(struct mx_node *nd, uint32_t id)
{
	if (id >= nd->cfg.n || id == nd->cfg.self)
		return -EINVAL;
	if (nd->live & mx_bit(id))
		return MX_IGNORED;
	nd->live |= mx_bit(id);
	nd->algo->peer_up(nd, id);
	mx_rearm(nd);
	return 0;
}

void mx_timer(struct mx_node *nd)
{
	nd->timer_at = MX_NO_TIMER;	/* it fired: arm again if needed */
	nd->algo->timer(nd);
	mx_rearm(nd);
}

int mx_coordinator_changed(struct mx_node *nd, uint32_t id, uint64_t epoch)
{
	int ret;

	if (!nd->algo->coordinator_changed)
		return -EOPNOTSUPP;
	if (id >= nd->cfg.n)
		return -EINVAL;
	ret = nd->algo->coordinator_changed(nd, id, epoch);
	mx_rearm(nd);
	return ret;
}

int mx_reset(struct mx_node *nd)
{
	if (!nd->algo->reset)
		return -EOPNOTSUPP;
	nd->algo->reset(nd);
	mx_rearm(nd);
	return 0;
}

enum mx_lock_state mx_lock_state(const struct mx_node *nd, uint32_t lock)
{
	if (lock >= nd->cfg.nlocks)
		return MX_IDLE;
	return nd->algo->lock_state(nd, lock);
}

const struct mx_stats *mx_stats(const struct mx_node *nd)
{
	return &nd->st;
}

const struct mx_algo *mx_node_algo(const struct mx_node *nd)
{
	return nd->algo;
}

uint64_t mx_live(const struct mx_node *nd)
{
	return nd->live;
}
