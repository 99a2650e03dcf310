// SPDX-License-Identifier: GPL-2.0
/*
 * Counts ordo.ko's generic netlink operations, per command and result,
 * from the module's tracepoint ordo:ordo_genl_op. The raw tracepoint
 * hands over the TP_PROTO arguments (cmd, dump, err) directly, so the program
 * does not depend on the layout of the module's trace event record,
 * for which the module ships no BTF.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "genl_ops.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GENL_OPS_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} genl_ops SEC(".maps");

SEC("raw_tp/ordo_genl_op")
int BPF_PROG(count_genl_op, u8 cmd, bool dump, int err)
{
	__u32 slot = genl_ops_slot(cmd, err);
	__u64 *cnt;

	cnt = bpf_map_lookup_elem(&genl_ops, &slot);
	if (cnt)
		*cnt += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
