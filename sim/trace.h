/* trace.h — writers that turn the engine's event stream into text for
 * people or JSON Lines for tools (the design's trace contract).
 *
 * A ps_trace is a sink: pass ps_trace_event and the trace to
 * ps_engine_set_sink(). Output depends only on the events, so equal runs give
 * equal bytes. */
#ifndef PS_TRACE_H
#define PS_TRACE_H

#include <stdio.h>

#include "event.h"
#include "scenario.h"

typedef enum ps_trace_format {
    PS_TRACE_TEXT,  /* one aligned line per event (shell output indented below) */
    PS_TRACE_JSONL, /* one JSON object per line */
    PS_TRACE_NONE,  /* nothing: for benchmarks and pure checks */
} ps_trace_format;

/* Parses "text", "jsonl" or "none". */
bool ps_trace_format_parse(const char *s, ps_trace_format *out);

typedef struct ps_trace {
    FILE *out;              /* where lines go */
    ps_trace_format format;
    int host_width;         /* width of the host column (text) */
} ps_trace;

/* Prepares a writer for sc; the text format writes a header line now. */
void ps_trace_init(ps_trace *t, FILE *out, ps_trace_format format, const ps_scenario *sc,
                   uint64_t seed);
/* The sink: writes one event. */
void ps_trace_event(void *trace, const ps_event *ev);

/* Writes s as a JSON string literal (with quotes and escapes). */
void ps_json_string(FILE *out, const char *s);

#endif
