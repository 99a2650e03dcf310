/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by genl_ops.bpf.c and its loaders: the layout of the per-CPU
 * counters of ordo.ko's generic netlink operations.
 */
#ifndef __ORDO_GENL_OPS_H
#define __ORDO_GENL_OPS_H

/* Slots per command: handled successfully, or with an error. */
enum genl_ops_result {
	GENL_OPS_OK,
	GENL_OPS_ERR,
	GENL_OPS_NR_RESULTS,
};

/* Commands are small integers (enum ordo_cmd); larger ones share a slot. */
#define GENL_OPS_MAX_CMD	63
#define GENL_OPS_SLOTS		((GENL_OPS_MAX_CMD + 1) * GENL_OPS_NR_RESULTS)

static inline unsigned int genl_ops_slot(unsigned int cmd, int err)
{
	if (cmd > GENL_OPS_MAX_CMD)
		cmd = GENL_OPS_MAX_CMD;
	return cmd * GENL_OPS_NR_RESULTS + (err ? GENL_OPS_ERR : GENL_OPS_OK);
}

#endif /* __ORDO_GENL_OPS_H */
