/* engine.h — the discrete-event engine: the public API of sim/.
 *
 * An engine runs one scenario. Everything that happens is an event in a queue
 * ordered by (time, sequence), so events at equal times run in the order they
 * were scheduled and a run is a pure function of (scenario, seed).
 *
 * Readers (trace writers, checker, GUI, shell) see the world two ways:
 *   - as a stream: every observable happening is passed to the sink set with
 *     ps_engine_set_sink() (event.h);
 *   - as state at the current time: hosts, processes, sockets and segments in
 *     flight, through the read-only views below.
 * Nothing outside sim/ writes engine state except through the operations at
 * the end of this file.
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
#include "socket.h"

typedef struct ps_engine ps_engine;

/* ---- read-only views of engine state ---- */

/* ps_socket (one endpoint) lives in socket.h. */


typedef struct ps_segment {
    ps_addr src_addr, dst_addr;
    uint16_t src_port, dst_port;
    uint8_t flags;        /* PS_SYN | PS_ACK ... */
    uint8_t live;         /* 1 while in flight */
    uint32_t seq, ack;    /* TCP sequence and acknowledgement numbers */
    uint32_t len;         /* payload bytes */
    uint32_t from_host;   /* sender host index */
    uint32_t to_host;     /* receiver host index */
    uint32_t id;          /* unique, increasing: a stable order for drawing */
    ps_time sent;         /* when it left */
    ps_time arrives;      /* when it will be delivered */
    const char *payload;  /* the bytes (scenario-owned text), or NULL */
} ps_segment;

typedef struct ps_proc {
    uint32_t host;        /* host index */
    uint32_t pid;
    const char *name;     /* "nginx" */
    const char *user;     /* "root" or another name */
    bool alive;           /* false once killed */
    bool root;            /* user is root: may bind below the unprivileged start */
    uint16_t uid;         /* 0 for root, else 1000, 1001... in order of first appearance */
} ps_proc;

/* ---- life cycle ---- */

/* Creates an engine for sc with the given seed (use sc->seed for the file's).
 * Returns NULL if memory runs out. */
ps_engine *ps_engine_new(const ps_scenario *sc, uint64_t seed);
void ps_engine_free(ps_engine *e);

/* Every event goes to fn(ctx, ev). One sink; NULL turns output off. */
void ps_engine_set_sink(ps_engine *e, ps_event_fn fn, void *ctx);

/* Stops a run after this many queue steps (default PS_DEFAULT_MAX_STEPS), so
 * no scenario can run forever. */
#define PS_DEFAULT_MAX_STEPS 50000000ull
void ps_engine_set_max_steps(ps_engine *e, uint64_t max_steps);

/* ---- running ---- */

typedef enum ps_run_status {
    PS_RUN_OK,      /* nothing wrong (the queue may or may not be empty) */
    PS_RUN_LIMIT,   /* stopped at the step limit */
    PS_RUN_NOMEM,   /* memory ran out: the run stopped, state is consistent */
    PS_RUN_SOCKETS, /* stopped at PS_MAX_LIVE_SOCKETS sockets alive at once */
} ps_run_status;

/* At most this many sockets alive at once (two per connection): room for
 * two million connections, and a bound on a runaway scenario's memory. */
#define PS_MAX_LIVE_SOCKETS (1u << 22)

/* Why a run stopped, in words for a message: "too many events (the step
 * limit)", "out of memory", ... ("" for PS_RUN_OK). */
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

/* ---- state at the current time ---- */

const ps_scenario *ps_engine_scenario(const ps_engine *e);

uint32_t ps_engine_proc_count(const ps_engine *e);
const ps_proc *ps_engine_proc(const ps_engine *e, uint32_t i);
/* The live process with this pid on host, or PS_NONE. */
uint32_t ps_engine_find_pid(const ps_engine *e, uint32_t host, uint32_t pid);

/* Socket slots: 0..count-1; skip slots whose `live` is 0. Slots are reused in
 * a deterministic order, so indices are stable for a given run. */
uint32_t ps_engine_socket_slots(const ps_engine *e);
const ps_socket *ps_engine_socket(const ps_engine *e, uint32_t i);
uint32_t ps_engine_socket_live(const ps_engine *e); /* live sockets right now */
/* The socket a scenario name currently refers to, or PS_NONE (not created
 * yet, or released). */
uint32_t ps_engine_named_socket(const ps_engine *e, uint32_t sock_spec);
/* The error the named socket's creating operation ended with, PS_OK if none;
 * stays readable after the socket is gone. */
ps_errno ps_engine_named_error(const ps_engine *e, uint32_t sock_spec);
/* The 4-tuple and state a named socket had most recently (kept after release,
 * so expectations can compare tuples of connections that have ended). */
const ps_socket *ps_engine_named_last(const ps_engine *e, uint32_t sock_spec);

/* Segments in flight: slots 0..count-1, skip those whose `live` is 0. */
uint32_t ps_engine_segment_slots(const ps_engine *e);
const ps_segment *ps_engine_segment(const ps_engine *e, uint32_t i);

/* What holds host:port right now (ps_port_state in scenario.h). */
ps_port_state ps_engine_port_state(const ps_engine *e, uint32_t host, uint16_t port);

/* ---- operations (what scenario actions and the shell do) ----
 * Each acts at the current time, emits its events and returns PS_OK or the
 * errno it failed with (also emitted as a PS_EV_ERROR event). `name` is a
 * sock-spec index or PS_NONE; `*out` (may be NULL) receives the socket index,
 * or PS_NONE when none was created. */

/* `sockopts`: 0, or PS_SOCK_REUSEADDR and/or PS_SOCK_REUSEPORT (socket.h).
 * `reply` (may be NULL) is the text each accepted connection answers a
 * request with; it must outlive the engine. */
ps_errno ps_engine_listen(ps_engine *e, uint32_t proc, ps_addr addr, uint16_t port,
                          unsigned sockopts, const char *reply, uint32_t name, uint32_t *out);
ps_errno ps_engine_connect(ps_engine *e, uint32_t proc, ps_addr dst, uint16_t dport,
                           uint16_t from_port, uint32_t name, uint32_t *out);
/* Makes a connecting socket a simple web client: once established it sends
 * `text` (which must outlive the engine), and it closes when the answer
 * arrives. */
ps_errno ps_engine_request(ps_engine *e, uint32_t sock, const char *text);
ps_errno ps_engine_send(ps_engine *e, uint32_t sock, const char *text);
ps_errno ps_engine_close(ps_engine *e, uint32_t sock);
ps_errno ps_engine_kill(ps_engine *e, uint32_t host, uint32_t pid);
/* Starts a new process on host (for shell launchers). Returns its index, or
 * PS_NONE if memory ran out or the pid is taken. The engine copies name and
 * user. */
uint32_t ps_engine_spawn(ps_engine *e, uint32_t host, const char *name, const char *user,
                         uint32_t pid);
/* Emits a SHELL or SAY event carrying text (for the shell module and GUI). */
void ps_engine_note(ps_engine *e, ps_event_kind kind, uint32_t host, const char *text);

#endif
