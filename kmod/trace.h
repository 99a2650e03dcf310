/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ordo - tracepoints.
 *
 * ordo:ordo_genl_op fires once per generic netlink request handled by the
 * module: at the end of every do request and, for dump requests, once when
 * the dump finishes (completed, failed or aborted by closing the socket).
 * Requests rejected by the genetlink core (policy validation, unknown
 * command) never reach the module and do not fire it.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ordo

#if !defined(_ORDO_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _ORDO_TRACE_H

#include <linux/tracepoint.h>

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

#endif /* _ORDO_TRACE_H */

/* This part must be outside protection */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
