/* trace.h — the formatter that turns the engine's event stream into text
 * for people or JSON Lines for tools. These bytes are a contract: course
 * CI compares them with golden traces, so a change here is a format change.
 *
 * A ps_trace is a sink: pass ps_trace_event and the trace to
 * ps_engine_set_sink(). Each event is formatted into the trace's buffer and
 * handed, one line at a time, to a writer the caller chooses: a FILE
 * (ps_trace_to_file), a growing string (ps_trace_to_sbuf), or its own (the
 * checker's bounded capture). Output depends only on the events, so equal
 * runs give equal bytes. */
#ifndef PS_TRACE_H
#define PS_TRACE_H

#include "event.h"
#include "sbuf.h"
#include "scenario.h"

typedef enum ps_trace_format {
    PS_TRACE_TEXT,  /* one aligned line per event (shell output indented below) */
    PS_TRACE_JSONL, /* one JSON object per line */
    PS_TRACE_NONE,  /* nothing: for benchmarks and pure checks */
} ps_trace_format;

/* Parses "text", "jsonl" or "none". */
bool ps_trace_format_parse(const char *s, ps_trace_format *out);

/* Receives formatted bytes (whole lines). */
typedef void (*ps_trace_write_fn)(void *ctx, const char *bytes, size_t n);

typedef struct ps_trace {
    ps_sbuf buf;             /* the line being formatted */
    ps_trace_write_fn write; /* where lines go */
    void *ctx;               /* the writer's own argument */
    ps_trace_format format;
    int host_width;          /* width of the host column (text) */
    bool nomem;              /* a line was lost: memory ran out formatting it */
    const ps_scenario *sc;   /* its IPv6 addresses, for writing them */
} ps_trace;

/* Prepares a formatter for sc writing through write(ctx, ...); the text
 * format writes its header line now. Free it with ps_trace_free(). */
void ps_trace_init(ps_trace *t, ps_trace_format format, const ps_scenario *sc, uint64_t seed,
                   ps_trace_write_fn write, void *ctx);
void ps_trace_free(ps_trace *t);
/* The sink: formats one event and writes it. */
void ps_trace_event(void *trace, const ps_event *ev);

/* Writers: ctx is a FILE * (errors stay in the FILE for the caller to
 * check), or a ps_sbuf * that collects the whole trace. */
void ps_trace_to_file(void *file, const char *bytes, size_t n);
void ps_trace_to_sbuf(void *sbuf, const char *bytes, size_t n);

/* Appends s as a JSON string literal (with quotes and escapes). */
void ps_json_string(ps_sbuf *out, const char *s);

#endif
