/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ORDO_NETLINK_H
#define _ORDO_NETLINK_H

#include <linux/ordo.h>
#include <linux/types.h>
#include <net/genetlink.h>

int ordo_genl_init(void);
void ordo_genl_exit(void);

/* The family and its multicast groups (netlink.c). */

extern struct genl_family ordo_genl_family;

enum ordo_genl_mcgrp {
	ORDO_GENL_MCGRP_CLOCK,	/* ORDO_MCGRP_CLOCK */
	ORDO_GENL_MCGRP_LCLOCK,	/* ORDO_MCGRP_LCLOCK */
};

/* clock_netlink.c */
extern const struct nla_policy ordo_clock_set_policy[];
#define ORDO_CLOCK_SET_MAXATTR	ORDO_A_CLOCK_RTC_WRITE
int ordo_clock_get_doit(struct sk_buff *skb, struct genl_info *info);
int ordo_clock_set_doit(struct sk_buff *skb, struct genl_info *info);
/* Multicast CLOCK_NTF only between these (family registered). */
void ordo_clk_ntf_enable(bool on);

/* lclock_netlink.c */
#define ORDO_LC_ADD_MAXATTR	ORDO_A_LCLOCK_GROUP
extern const struct nla_policy ordo_lc_add_policy[];
extern const struct nla_policy ordo_lc_id_policy[];
int ordo_lc_add_doit(struct sk_buff *skb, struct genl_info *info);
int ordo_lc_del_doit(struct sk_buff *skb, struct genl_info *info);
int ordo_lc_get_doit(struct sk_buff *skb, struct genl_info *info);
int ordo_lc_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int ordo_lc_get_dump_done(struct netlink_callback *cb);
int ordo_lc_tick_doit(struct sk_buff *skb, struct genl_info *info);

#endif /* _ORDO_NETLINK_H */
