/* engine.h — the discrete-event engine: the public API of sim/.
 *
 * An engine runs one scenario. Everything that happens is an event in a queue
 * ordered by (time, sequence), so events at equal times run in the order they
 * were scheduled and a run is a pure function of (scenario, seed).
 *
 * The public API is three headers:
 *   - engine.h (this one): life cycle, running, and the two ways out: the
 *     event sink (every observable happening, event.h) and the command hook
 *     (a scenario's `shell` lines, run by whoever registers: the userland);
 *   - engine_view.h: read-only state at the current time (hosts, processes,
 *     sockets, segments in flight);
 *   - engine_ops.h: the operations through which anything outside sim/
 *     changes engine state (listen, connect, kill, spawn, ...).
 *
 * Going back in time: an engine only moves forward. To show time T again,
 * build a fresh engine from the same scenario and seed and run it to T (or
 * for the same number of steps): runs are deterministic, and for lecture-sized
 * scenarios a re-run costs well under a millisecond.
 *
 * The engine keeps a pointer to the scenario: it must outlive the engine. */
#ifndef PS_ENGINE_H
#define PS_ENGINE_H

#include "event.h"
#include "scenario.h"

typedef struct ps_engine ps_engine;

/* ---- life cycle ---- */

/* Creates an engine for sc with the given seed (use sc->seed for the file's).
 * Returns NULL if memory runs out. */
ps_engine *ps_engine_new(const ps_scenario *sc, uint64_t seed);
void ps_engine_free(ps_engine *e);

/* Every event goes to fn(ctx, ev). One sink; NULL turns output off. */
void ps_engine_set_sink(ps_engine *e, ps_event_fn fn, void *ctx);

/* Runs a scenario's `shell` action: the command line typed on host, at the
 * current time, acting only through engine_ops.h and reporting with
 * ps_engine_note(). Returns false if memory ran out (the run then stops with
 * PS_RUN_NOMEM). Without a hook the engine emits the command alone. */
typedef bool (*ps_command_fn)(void *ctx, ps_engine *e, uint32_t host, const char *cmdline);
void ps_engine_set_command_hook(ps_engine *e, ps_command_fn fn, void *ctx);

/* Stops a run after this many queue steps (default PS_DEFAULT_MAX_STEPS), so
 * no scenario can run forever. A step runs one queued entry (a scenario
 * action, a segment's arrival, a TIME-WAIT expiry) and may emit several
 * ps_events: the limit counts steps, not events (`--max-steps`). */
#define PS_DEFAULT_MAX_STEPS 50000000ull
void ps_engine_set_max_steps(ps_engine *e, uint64_t max_steps);

/* The work budget bounds what one step may cost: a shell command is one
 * step, but `ss -tanp` over half a million sockets is not one step's work.
 * Commands pay a unit for every socket and process they look at and for
 * every byte they print (ps_engine_charge, engine_ops.h); the run stops with
 * PS_RUN_WORK when the budget is spent. The default takes seconds to spend. */
#define PS_DEFAULT_MAX_WORK 200000000ull
void ps_engine_set_max_work(ps_engine *e, uint64_t max_work);
uint64_t ps_engine_work(const ps_engine *e); /* units spent so far */

/* ---- running ---- */

typedef enum ps_run_status {
    PS_RUN_OK,      /* nothing wrong (the queue may or may not be empty) */
    PS_RUN_LIMIT,   /* stopped at the step limit */
    PS_RUN_NOMEM,   /* memory ran out: the run stopped, state is consistent */
    PS_RUN_SOCKETS, /* stopped at PS_MAX_LIVE_SOCKETS sockets alive at once */
    PS_RUN_WORK,    /* stopped when the work budget was spent */
} ps_run_status;

/* At most this many sockets alive at once (two per connection): room for
 * two million connections, and a bound on a runaway scenario's memory. */
#define PS_MAX_LIVE_SOCKETS (1u << 22)

/* Why a run stopped, in words for a message: "too many queue steps (the
 * step limit; ...)", "out of memory", ... ("" for PS_RUN_OK). */
const char *ps_run_status_message(ps_run_status st);

/* Runs the earliest queued event. Returns false when the queue is empty or the
 * run has stopped (see ps_engine_status). */
bool ps_engine_step(ps_engine *e);

/* Runs every event scheduled at or before t, then sets the clock to t. */
void ps_engine_run_until(ps_engine *e, ps_time t);

/* Runs until the queue is empty or the run stops. */
void ps_engine_run(ps_engine *e);

ps_run_status ps_engine_status(const ps_engine *e);
ps_time ps_engine_now(const ps_engine *e);
ps_time ps_engine_next_time(const ps_engine *e); /* PS_TIME_NEVER when idle */
uint64_t ps_engine_steps(const ps_engine *e);     /* queue events run so far */
uint64_t ps_engine_events(const ps_engine *e);    /* ps_events emitted so far */

#endif
