// SPDX-License-Identifier: GPL-2.0
/*
 * libordo runtime: the event loop (ordo_rt.h, Documentation/runtime.rst).
 *
 * epoll for the fds; one timerfd (CLOCK_MONOTONIC, absolute) armed at
 * the earliest deadline of a binary min-heap of timers; one signalfd for
 * the signals asked for. Plain epoll rather than libuv: the stamped
 * socket must be read with recvmsg() and its control messages (libuv's
 * UDP API hides both), and a daemon needs only fds, timers and signals.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "ordo_rt.h"

#define LOOP_EVENTS	64
#define NSEC_PER_MSEC	1000000ULL
#define HEAP_NONE	((size_t)-1)

struct loop_fd {
	struct loop_fd *next;	/* all watched fds; dead ones until reaped */
	int fd;
	bool dead;
	ordo_fd_fn fn;
	void *arg;
};

struct loop_sig {
	int signo;
	ordo_signal_fn fn;
	void *arg;
};

struct ordo_loop {
	int epfd;
	int tfd;		/* the timerfd */
	int sfd;		/* the signalfd, -1 until a signal is added */
	sigset_t sigs;
	struct loop_sig *sig;
	size_t n_sig;
	struct loop_fd *fds;
	bool dispatching;
	struct ordo_timer **heap;
	size_t n_heap, cap_heap;
	uint64_t seq;
	uint64_t armed_ns;	/* what tfd is set to; 0: disarmed */
	bool stop;
	int code;
	/* markers for the loop's own fds in epoll_event.data.ptr */
	struct loop_fd tfd_entry, sfd_entry;
};

uint64_t ordo_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t ordo_now_ms(void)
{
	return ordo_now_ns() / NSEC_PER_MSEC;
}

int ordo_loop_new(struct ordo_loop **lp)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ordo_loop *l;
	int err;

	*lp = NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->sfd = -1;
	l->tfd = -1;
	sigemptyset(&l->sigs);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		goto fail_errno;
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->tfd < 0)
		goto fail_errno;
	l->tfd_entry.fd = l->tfd;
	ev.data.ptr = &l->tfd_entry;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->tfd, &ev))
		goto fail_errno;
	*lp = l;
	return 0;

fail_errno:
	err = -errno;
	ordo_err("event loop: %s", strerror(errno));
	ordo_loop_free(l);
	return err;
}

void ordo_loop_free(struct ordo_loop *l)
{
	struct loop_fd *f, *next;
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n_heap; i++)
		l->heap[i]->heap_idx = HEAP_NONE;
	free(l->heap);
	for (f = l->fds; f; f = next) {
		next = f->next;
		free(f);
	}
	free(l->sig);
	if (l->sfd >= 0)
		close(l->sfd);
	if (l->tfd >= 0)
		close(l->tfd);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l);
}

void ordo_loop_stop(struct ordo_loop *l, int code)
{
	l->stop = true;
	l->code = code;
}

bool ordo_loop_stopped(const struct ordo_loop *l)
{
	return l->stop;
}

/* ---------------------------------------------------------------- fds */

static struct loop_fd *loop_find_fd(struct ordo_loop *l, int fd)
{
	struct loop_fd *f;

	for (f = l->fds; f; f = f->next)
		if (f->fd == fd && !f->dead)
			return f;
	return NULL;
}

int ordo_loop_add_fd(struct ordo_loop *l, int fd, uint32_t events,
		     ordo_fd_fn fn, void *arg)
{
	struct epoll_event ev = { .events = events };
	struct loop_fd *f;

	if (fd < 0 || !fn)
		return -EINVAL;
	if (loop_find_fd(l, fd))
		return -EEXIST;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = fd;
	f->fn = fn;
	f->arg = arg;
	ev.data.ptr = f;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int err = -errno;

		free(f);
		return err;
	}
	f->next = l->fds;
	l->fds = f;
	return 0;
}

int ordo_loop_mod_fd(struct ordo_loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };
	struct loop_fd *f = loop_find_fd(l, fd);

	if (!f)
		return -ENOENT;
	ev.data.ptr = f;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

/* Free the entries deleted while events were being dispatched. */
static void loop_reap(struct ordo_loop *l)
{
	struct loop_fd **pp = &l->fds, *f;

	while ((f = *pp)) {
		if (f->dead) {
			*pp = f->next;
			free(f);
		} else {
			pp = &f->next;
		}
	}
}

int ordo_loop_del_fd(struct ordo_loop *l, int fd)
{
	struct loop_fd *f = loop_find_fd(l, fd);

	if (!f)
		return -ENOENT;
	/* the fd may already be closed: then epoll dropped it itself */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	f->dead = true;
	if (!l->dispatching)
		loop_reap(l);
	return 0;
}

/* ---------------------------------------------------------------- timers */

static bool timer_before(const struct ordo_timer *a, const struct ordo_timer *b)
{
	return a->due_ns < b->due_ns ||
	       (a->due_ns == b->due_ns && a->seq < b->seq);
}

static void heap_set(struct ordo_loop *l, size_t i, struct ordo_timer *t)
{
	l->heap[i] = t;
	t->heap_idx = i;
}

static void heap_up(struct ordo_loop *l, size_t i)
{
	struct ordo_timer *t = l->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!timer_before(t, l->heap[parent]))
			break;
		heap_set(l, i, l->heap[parent]);
		i = parent;
	}
	heap_set(l, i, t);
}

static void heap_down(struct ordo_loop *l, size_t i)
{
	struct ordo_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->n_heap)
			break;
		if (c + 1 < l->n_heap && timer_before(l->heap[c + 1], l->heap[c]))
			c++;
		if (!timer_before(l->heap[c], t))
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static void heap_remove(struct ordo_loop *l, struct ordo_timer *t)
{
	size_t i = t->heap_idx;
	struct ordo_timer *last;

	t->heap_idx = HEAP_NONE;
	last = l->heap[--l->n_heap];
	if (i == l->n_heap)
		return;
	heap_set(l, i, last);
	if (i > 0 && timer_before(last, l->heap[(i - 1) / 2]))
		heap_up(l, i);
	else
		heap_down(l, i);
}

/* Set the timerfd to the earliest deadline (or disarm it). */
static void loop_arm(struct ordo_loop *l)
{
	struct itimerspec its = { 0 };
	uint64_t due = l->n_heap ? l->heap[0]->due_ns : 0;

	if (due == l->armed_ns)
		return;
	if (due) {
		its.it_value.tv_sec = (time_t)(due / 1000000000ULL);
		its.it_value.tv_nsec = (long)(due % 1000000000ULL);
	}
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		l->armed_ns = due;
	else
		ordo_err("event loop: timerfd_settime: %s", strerror(errno));
}

void ordo_timer_init(struct ordo_timer *t, struct ordo_loop *l,
		     ordo_timer_fn fn, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->loop = l;
	t->fn = fn;
	t->arg = arg;
	t->heap_idx = HEAP_NONE;
}

bool ordo_timer_armed(const struct ordo_timer *t)
{
	return t->heap_idx != HEAP_NONE;
}

void ordo_timer_stop(struct ordo_timer *t)
{
	if (!t->loop || t->heap_idx == HEAP_NONE)
		return;
	heap_remove(t->loop, t);
	loop_arm(t->loop);
}

int ordo_timer_start_at(struct ordo_timer *t, uint64_t due_ns,
			uint64_t period_ns)
{
	struct ordo_loop *l = t->loop;

	if (!l || !t->fn)
		return -EINVAL;
	if (t->heap_idx != HEAP_NONE)
		heap_remove(l, t);
	if (l->n_heap == l->cap_heap) {
		size_t cap = l->cap_heap ? 2 * l->cap_heap : 16;
		struct ordo_timer **h = realloc(l->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		l->heap = h;
		l->cap_heap = cap;
	}
	t->due_ns = due_ns ? due_ns : 1;	/* 0 would disarm the timerfd */
	t->period_ns = period_ns;
	t->seq = ++l->seq;
	heap_set(l, l->n_heap++, t);
	heap_up(l, t->heap_idx);
	loop_arm(l);
	return 0;
}

int ordo_timer_start(struct ordo_timer *t, uint64_t delay_ms,
		     uint64_t period_ms)
{
	return ordo_timer_start_at(t, ordo_now_ns() + delay_ms * NSEC_PER_MSEC,
				   period_ms * NSEC_PER_MSEC);
}

/* Run every timer that is due. Returns the number run. */
static int loop_timers(struct ordo_loop *l)
{
	uint64_t now = ordo_now_ns(), expirations;
	int ran = 0;

	/* clear the readiness; the heap says what is due */
	if (read(l->tfd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		ordo_err("event loop: timerfd read: %s", strerror(errno));
	l->armed_ns = 0;	/* expired or about to be re-set */
	while (l->n_heap && l->heap[0]->due_ns <= now && !l->stop) {
		struct ordo_timer *t = l->heap[0];

		heap_remove(l, t);
		if (t->period_ns) {
			uint64_t due = t->due_ns + t->period_ns;

			if (due <= now)	/* skip missed periods */
				due += ((now - due) / t->period_ns + 1) *
				       t->period_ns;
			/* the callback may stop or re-arm it */
			ordo_timer_start_at(t, due, t->period_ns);
		}
		t->fn(l, t, t->arg);
		ran++;
	}
	loop_arm(l);
	return ran;
}

/* ---------------------------------------------------------------- signals */

int ordo_loop_add_signal(struct ordo_loop *l, int signo, ordo_signal_fn fn,
			 void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct loop_sig *sig;
	sigset_t one;
	size_t i;
	int fd;

	if (!fn || signo <= 0 || signo >= NSIG)
		return -EINVAL;
	for (i = 0; i < l->n_sig; i++) {
		if (l->sig[i].signo == signo) {
			l->sig[i].fn = fn;
			l->sig[i].arg = arg;
			return 0;
		}
	}
	sig = realloc(l->sig, (l->n_sig + 1) * sizeof(*sig));
	if (!sig)
		return -ENOMEM;
	l->sig = sig;
	sigemptyset(&one);
	sigaddset(&one, signo);
	if (sigprocmask(SIG_BLOCK, &one, NULL))
		return -errno;
	sigaddset(&l->sigs, signo);
	fd = signalfd(l->sfd, &l->sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (l->sfd < 0) {
		l->sfd = fd;
		l->sfd_entry.fd = fd;
		ev.data.ptr = &l->sfd_entry;
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev))
			return -errno;
	}
	l->sig[l->n_sig].signo = signo;
	l->sig[l->n_sig].fn = fn;
	l->sig[l->n_sig].arg = arg;
	l->n_sig++;
	return 0;
}

static int loop_signals(struct ordo_loop *l)
{
	struct signalfd_siginfo si;
	int ran = 0;
	size_t i;

	while (read(l->sfd, &si, sizeof(si)) == sizeof(si)) {
		for (i = 0; i < l->n_sig; i++) {
			if (l->sig[i].signo == (int)si.ssi_signo) {
				l->sig[i].fn(l, (int)si.ssi_signo,
					     l->sig[i].arg);
				ran++;
				break;
			}
		}
	}
	return ran;
}

static void loop_term(struct ordo_loop *l, int signo, void *arg)
{
	(void)arg;
	ordo_notice("%s: shutting down", strsignal(signo));
	ordo_loop_stop(l, 0);
}

int ordo_loop_stop_on_term(struct ordo_loop *l)
{
	int err = ordo_loop_add_signal(l, SIGTERM, loop_term, NULL);

	return err ? err : ordo_loop_add_signal(l, SIGINT, loop_term, NULL);
}

/* ---------------------------------------------------------------- dispatch */

int ordo_loop_run_once(struct ordo_loop *l, int timeout_ms)
{
	struct epoll_event ev[LOOP_EVENTS];
	int n, i, ran = 0;

	l->stop = false;
	n = epoll_wait(l->epfd, ev, LOOP_EVENTS, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	l->dispatching = true;
	for (i = 0; i < n && !l->stop; i++) {
		struct loop_fd *f = ev[i].data.ptr;

		if (f == &l->tfd_entry) {
			ran += loop_timers(l);
		} else if (f == &l->sfd_entry) {
			ran += loop_signals(l);
		} else if (!f->dead) {
			f->fn(l, f->fd, ev[i].events, f->arg);
			ran++;
		}
	}
	l->dispatching = false;
	loop_reap(l);
	return ran;
}

int ordo_loop_run(struct ordo_loop *l)
{
	int err;

	l->code = 0;
	do {
		err = ordo_loop_run_once(l, -1);
		if (err < 0) {
			ordo_err("event loop: epoll_wait: %s", strerror(-err));
			return err;
		}
	} while (!l->stop);
	return l->code;
}
