/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ordo - tracepoints.
 *
 * ordo:ordo_genl_op fires once per generic netlink request handled by the
 * module: at the end of every do request and, for dump requests, once when
 * the dump finishes (completed, failed or aborted by closing the socket).
 * Requests rejected by the genetlink core (policy validation, unknown
 * command) never reach the module and do not fire it.
 *
 * ordo:ordo_lc_event fires once per logical clock event of a domain:
 * a stamped datagram sent (the clock after the send event, = ts(m)), a
 * stamped datagram received (not for MSG_PEEK; the clock after the
 * receive event, @from = the sender's node id and, for vectors, @index
 * = the sender's index) and a local event (TICK). @vc is the vector
 * after the event (vector domains; empty otherwise). `ordoctl lclock
 * trace` turns these into a ShiViz log; the eBPF accounting counts them.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ordo

#if !defined(_ORDO_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _ORDO_TRACE_H

#include <linux/tracepoint.h>

#ifndef _ORDO_TRACE_ONCE
#define _ORDO_TRACE_ONCE

#include "lclock.h"

#define ORDO_LC_EV_SEND		0
#define ORDO_LC_EV_RECV		1
#define ORDO_LC_EV_TICK		2

static inline void ordo_trace_copy_vc(u64 *dst, const u64 *vc, u32 n)
{
	if (n)
		memcpy(dst, vc, n * sizeof(*vc));
}
#endif /* _ORDO_TRACE_ONCE */

TRACE_EVENT(ordo_genl_op,
	    TP_PROTO(u8 cmd, bool dump, int err),
	    TP_ARGS(cmd, dump, err),
	    TP_STRUCT__entry(__field(u8, cmd)
			     __field(u8, dump)
			     __field(int, err)),
	    TP_fast_assign(__entry->cmd = cmd;
			   __entry->dump = dump;
			   __entry->err = err;),
	    TP_printk("cmd=%u dump=%u err=%d",
		      __entry->cmd, __entry->dump, __entry->err)
);

TRACE_EVENT(ordo_lc_event,
	    TP_PROTO(const struct ordo_lc_domain *d, u8 event, u32 from,
		     u32 index, u64 clock, u32 clock_c, const u64 *vc,
		     u32 vc_n),
	    TP_ARGS(d, event, from, index, clock, clock_c, vc, vc_n),
	    TP_STRUCT__entry(__field(u32, netns)
			     __field(u32, domain)
			     __field(u32, group)
			     __field(u32, node)
			     __field(u32, self)
			     __field(u32, from)
			     __field(u32, index)
			     __field(u32, clock_c)
			     __field(u64, clock)
			     __field(u8, kind)
			     __field(u8, event)
			     __dynamic_array(u64, vc, vc_n)),
	    TP_fast_assign(__entry->netns = read_pnet(&d->net)->ns.inum;
			   __entry->domain = d->id;
			   __entry->group = d->group;
			   __entry->node = d->node;
			   __entry->self = d->kind == ORDO_WIRE_KIND_VECTOR ?
					   d->clk.vc.self : 0;
			   __entry->from = from;
			   __entry->index = index;
			   __entry->clock_c = clock_c;
			   __entry->clock = clock;
			   __entry->kind = d->kind;
			   __entry->event = event;
			   ordo_trace_copy_vc(__get_dynamic_array(vc), vc,
					      vc_n);),
	    TP_printk("netns=%u domain=%u group=%u kind=%s event=%s node=%u self=%u from=%u index=%u clock=%llu c=%u vc=%s",
		      __entry->netns, __entry->domain, __entry->group,
		      __print_symbolic(__entry->kind,
				       { ORDO_WIRE_KIND_LAMPORT, "lamport" },
				       { ORDO_WIRE_KIND_VECTOR, "vector" },
				       { ORDO_WIRE_KIND_HLC, "hlc" }),
		      __print_symbolic(__entry->event,
				       { ORDO_LC_EV_SEND, "send" },
				       { ORDO_LC_EV_RECV, "recv" },
				       { ORDO_LC_EV_TICK, "tick" }),
		      __entry->node, __entry->self, __entry->from,
		      __entry->index, __entry->clock, __entry->clock_c,
		      __print_array(__get_dynamic_array(vc),
				    __get_dynamic_array_len(vc) / sizeof(u64),
				    sizeof(u64)))
);

#endif /* _ORDO_TRACE_H */

/* This part must be outside protection */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
