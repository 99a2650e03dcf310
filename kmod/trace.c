// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - tracepoint instantiation.  The only file defining
 * CREATE_TRACE_POINTS.
 */

#define CREATE_TRACE_POINTS
#include "trace.h"
