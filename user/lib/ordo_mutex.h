/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libordo: a client of ordo-mutexd's local API (user/lib/proto/mutex.proto,
 * Documentation/ordo-mutexd.rst "LOCAL API"), over an ordo_ipc_client
 * session (ordo_rt.h). `ordoctl lock` and the load generator of
 * tests/mutexload use it.
 *
 * A lock belongs to the session that acquired it: closing the session
 * (ordo_ipc_disconnect(), or the process's end) releases it. Calls on
 * one session are sequential; separate sessions share nothing, so
 * threads may each use their own.
 *
 * Every call returns 0 or a negative errno value: the daemon's error code
 * with @err (@errlen bytes, may be NULL) set to its message, or
 * ordo_ipc_call()'s -ETIMEDOUT, -ECONNRESET, -EBADMSG.
 */
#ifndef ORDO_MUTEX_H
#define ORDO_MUTEX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ordo_rt.h"
#include "mutex.pb-c.h"

/* the daemon's default socket and the variable that overrides it */
#define ORDO_MUTEX_SOCKET	ORDO_IPC_DIR "/mutexd.sock"
#define ORDO_MUTEX_SOCKET_ENV	"ORDO_MUTEXD_SOCKET"
/* added to an acquire's own timeout for the call's */
#define ORDO_MUTEX_CALL_SLACK_MS	5000

/*
 * Wait for @lock (@timeout_ms 0: forever; else the daemon answers
 * -ETIMEDOUT after it). *@token gets the fencing token, *@node (may be
 * NULL) the granting node's id.
 */
int ordo_mutex_acquire(struct ordo_ipc_client *c, const char *lock,
		       uint32_t timeout_ms, uint64_t *token, uint32_t *node,
		       char *err, size_t errlen);
/*
 * Release @lock, held by this session (or, as root or the same user, by
 * another session of this node). *@token and *@pid (may be NULL): the
 * released grant's token and holder. -ENOLCK: not held on this node.
 */
int ordo_mutex_release(struct ordo_ipc_client *c, const char *lock,
		       uint64_t *token, pid_t *pid, char *err, size_t errlen);
/* Wait until @lock, held by this session, is released (by anyone). */
int ordo_mutex_hold(struct ordo_ipc_client *c, const char *lock,
		    uint64_t *token, pid_t *pid, char *err, size_t errlen);
/* The daemon's status (@lock NULL or "": every lock); free *@rep with
 * ordo__mutex__status_reply__free_unpacked(*rep, NULL). */
int ordo_mutex_status(struct ordo_ipc_client *c, const char *lock,
		      Ordo__Mutex__StatusReply **rep, int timeout_ms,
		      char *err, size_t errlen);

#endif /* ORDO_MUTEX_H */
