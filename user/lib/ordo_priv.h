/* SPDX-License-Identifier: GPL-2.0 */
/* libordo internals shared between its source files; not installed. */
#ifndef LIBORDO_PRIV_H
#define LIBORDO_PRIV_H

#include <stdint.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "libordo.h"

struct nl_msg *ordo_priv_msg_new(struct ordo *h, uint8_t cmd, int flags);
/* A do request: send @msg (consumed), parse the reply, wait for the ACK. */
int ordo_priv_transact(struct ordo *h, struct nl_msg *msg,
		       int (*parse)(struct nlmsghdr *, void *), void *arg);
/* A dump request (@msg made with NLM_F_DUMP): @parse per message. */
int ordo_priv_dump(struct ordo *h, struct nl_msg *msg,
		   int (*parse)(struct nlmsghdr *, void *), void *arg);

#endif /* LIBORDO_PRIV_H */
