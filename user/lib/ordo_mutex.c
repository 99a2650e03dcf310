// SPDX-License-Identifier: GPL-2.0
/*
 * libordo: ordo-mutexd's local API, client side (ordo_mutex.h).
 */
#include <errno.h>

#include "ordo_mutex.h"

int ordo_mutex_acquire(struct ordo_ipc_client *c, const char *lock,
		       uint32_t timeout_ms, uint64_t *token, uint32_t *node,
		       char *err, size_t errlen)
{
	Ordo__Mutex__AcquireRequest req = ORDO__MUTEX__ACQUIRE_REQUEST__INIT;
	Ordo__Mutex__AcquireReply *rep = NULL;
	int ret;

	req.lock = (char *)lock;
	req.timeout_ms = timeout_ms;
	ret = ordo_ipc_call(c, "mutex.acquire", &req.base,
			    &ordo__mutex__acquire_reply__descriptor,
			    (ProtobufCMessage **)&rep,
			    timeout_ms ? (int)(timeout_ms + ORDO_MUTEX_CALL_SLACK_MS) : -1,
			    err, errlen);
	if (ret)
		return ret;
	*token = rep->token;
	if (node)
		*node = rep->node;
	ordo__mutex__acquire_reply__free_unpacked(rep, NULL);
	return 0;
}

static int lock_call(struct ordo_ipc_client *c, const char *method,
		     const ProtobufCMessage *req, int timeout_ms,
		     uint64_t *token, pid_t *pid, char *err, size_t errlen)
{
	Ordo__Mutex__LockReply *rep = NULL;
	int ret;

	ret = ordo_ipc_call(c, method, req, &ordo__mutex__lock_reply__descriptor,
			    (ProtobufCMessage **)&rep, timeout_ms, err, errlen);
	if (ret)
		return ret;
	if (token)
		*token = rep->token;
	if (pid)
		*pid = rep->pid;
	ordo__mutex__lock_reply__free_unpacked(rep, NULL);
	return 0;
}

int ordo_mutex_release(struct ordo_ipc_client *c, const char *lock,
		       uint64_t *token, pid_t *pid, char *err, size_t errlen)
{
	Ordo__Mutex__ReleaseRequest req = ORDO__MUTEX__RELEASE_REQUEST__INIT;

	req.lock = (char *)lock;
	return lock_call(c, "mutex.release", &req.base,
			 ORDO_MUTEX_CALL_SLACK_MS, token, pid, err, errlen);
}

int ordo_mutex_hold(struct ordo_ipc_client *c, const char *lock,
		    uint64_t *token, pid_t *pid, char *err, size_t errlen)
{
	Ordo__Mutex__HoldRequest req = ORDO__MUTEX__HOLD_REQUEST__INIT;

	req.lock = (char *)lock;
	return lock_call(c, "mutex.hold", &req.base, -1, token, pid, err,
			 errlen);
}

int ordo_mutex_status(struct ordo_ipc_client *c, const char *lock,
		      Ordo__Mutex__StatusReply **rep, int timeout_ms,
		      char *err, size_t errlen)
{
	Ordo__Mutex__StatusRequest req = ORDO__MUTEX__STATUS_REQUEST__INIT;

	req.lock = (char *)(lock ? lock : "");
	*rep = NULL;
	return ordo_ipc_call(c, "mutex.status", &req.base,
			     &ordo__mutex__status_reply__descriptor,
			     (ProtobufCMessage **)rep, timeout_ms, err, errlen);
}
