/* playback.h — the lecture's time machine: records the whole run once (every
 * event, its trace line, captions and errors), keeps the current time, plays,
 * pauses, changes speed, steps to the next or previous event, and keeps an
 * engine positioned at the current time for the picture.
 *
 * The engine only runs forward; going back re-runs a fresh engine from the
 * same scenario and seed (runs are deterministic). No SDL here.
 *
 * Commands typed live in the GUI terminal are "injected": the playback keeps
 * its own bounded list of (time, host, command line), never touching the
 * scenario, and every run it makes (the recording, each re-run to a time,
 * pv_playback_replay) applies them the same way: run the engine to the
 * command's time, then ps_shell_run() it, in time order (typed order at
 * equal times). So stepping back before a command undoes it, and stepping
 * forward again redoes it, deterministically. */
#ifndef PV_PLAYBACK_H
#define PV_PLAYBACK_H

#include <stdbool.h>
#include <stddef.h>

#include "engine_ops.h"
#include "layout.h"

#define PV_REC_NONE UINT32_MAX
#define PV_MAX_RECORDED 4000000u          /* events kept from one run */
#define PV_MAX_LOG_BYTES (96u << 20)      /* trace text kept for the log */
#define PV_MAX_STEPS 20000000ull         /* queue steps one run may take */
#define PV_BASE_RATE 25.0                 /* sim us per real ms at x1: 1 ms = 40 ms */

#define PV_MAX_INJECTED 256u            /* commands typed live in one session */
#define PV_INJECT_LINE_MAX 256u         /* bytes of one typed command, NUL included */

/* Where a recorded event came from: decides whether a command typed at its
 * time can be saved as an `at` line that replays the same (see
 * pv_playback_inject_time). */
enum { PV_SRC_ACTION, PV_SRC_RUN, PV_SRC_TYPED };

/* One recorded event (the parts the panels need). */
typedef struct pv_rec {
    ps_time t;
    uint32_t host, socket;
    union {
        uint32_t segment; /* SEGMENT, DELIVER: the in-flight segment */
        uint32_t port;    /* ERROR: the port concerned, 0 if none */
    };
    uint32_t line;      /* its trace line's offset in log, or PV_REC_NONE */
    uint32_t text;      /* SAY caption / SHELL "$ command\noutput" / ERROR summary
                           offset in strs, or PV_REC_NONE; an ERROR's summary is
                           followed by its short label */
    uint32_t last_say;  /* index of the latest SAY at or before this event */
    uint32_t last_err;  /* index of the latest ERROR at or before this event */
    uint32_t last_shell; /* index of the latest SHELL at or before this event */
    uint8_t kind, err, to;
    uint8_t src;        /* PV_SRC_ACTION: a scenario line's first run; PV_SRC_RUN:
                           scheduled by the run (arrivals, timers, repeats);
                           PV_SRC_TYPED: caused by an injected command */
} pv_rec;

/* A command typed in the GUI terminal: `line` runs on `host` at `t`, after
 * every event at or before t. */
typedef struct pv_inject {
    ps_time t;
    uint32_t host;
    char line[PV_INJECT_LINE_MAX];
} pv_inject;

typedef enum pv_inject_status {
    PV_INJECT_OK,
    PV_INJECT_EMPTY,    /* nothing but blanks: nothing recorded */
    PV_INJECT_TOO_LONG, /* PV_INJECT_LINE_MAX or more bytes */
    PV_INJECT_BAD_HOST,
    PV_INJECT_FULL,     /* PV_MAX_INJECTED commands already */
    PV_INJECT_NOMEM,    /* the re-run ran out of memory: the command was dropped */
} pv_inject_status;

typedef struct pv_playback {
    const ps_scenario *sc;  /* not owned; must outlive the playback */
    pv_rec *ev;
    size_t nev;
    uint32_t cap;
    char *log;              /* all trace lines, '\n'-separated */
    size_t log_len;
    char *strs;             /* captions and error summaries, NUL-separated */
    size_t strs_len;
    uint32_t strs_cap;
    pv_axis axis;           /* timeline positions */
    ps_time end;            /* time of the last event */
    ps_time now;
    double carry;           /* sub-microsecond remainder while playing */
    bool playing;
    int speed;              /* rate = PV_BASE_RATE * 2^speed */
    bool truncated;         /* the recording hit a limit */
    ps_engine *eng;         /* positioned at now (NULL if memory ran out) */
    size_t eng_applied;     /* injected commands eng has run */
    pv_inject *inj;         /* typed commands by time, then typed order (owned) */
    size_t ninj;            /* <= PV_MAX_INJECTED */
} pv_playback;

/* Records a full run of sc. False if memory runs out. */
bool pv_playback_open(pv_playback *pb, const ps_scenario *sc);
void pv_playback_close(pv_playback *pb);

/* Moves to time t (clamped to [0, end]), re-running when going back. */
void pv_playback_seek(pv_playback *pb, ps_time t);
/* Advances by real_ms of wall time when playing; quiet gaps go faster. */
void pv_playback_tick(pv_playback *pb, double real_ms);
/* dir > 0: the next event time; dir < 0: the previous one. Pauses. */
void pv_playback_step(pv_playback *pb, int dir);
void pv_playback_set_speed(pv_playback *pb, int speed);
double pv_playback_rate(const pv_playback *pb);
/* "x1", "x4", "x1/2" */
void pv_playback_speed_str(const pv_playback *pb, char *buf, size_t n);

/* How many events happened at or before now (the current one is n-1). */
size_t pv_playback_count(const pv_playback *pb);
/* The latest caption at or before now, or NULL. */
const char *pv_playback_caption(const pv_playback *pb);
/* The latest error at or before now, while it is the news: within `window`
 * of it, or until a later caption moves the lesson on. NULL otherwise. */
/* The latest shell command (a SHELL event) at or before now, while no newer
 * caption has replaced it: what the lesson's own terminal shows. NULL if
 * none. */
const pv_rec *pv_playback_script(const pv_playback *pb);
const pv_rec *pv_playback_error(const pv_playback *pb, ps_time window);
/* Event i's first trace line, copied into buf. */
const char *pv_playback_line(const pv_playback *pb, size_t i, char *buf, size_t n);
/* The same line for the event log, the decision first: a delivery reads
 * "deliver  to listener nginx[812] web · 192.0.2.10:50674 -> ...:443 SYN". */
const char *pv_playback_log_line(const pv_playback *pb, size_t i, char *buf, size_t n);
const char *pv_playback_str(const pv_playback *pb, uint32_t off);
/* An ERROR's short label for the door it concerns: "✗ node 8402: EADDRINUSE". */
const char *pv_playback_error_label(const pv_playback *pb, const pv_rec *e);
/* pv_demux_fn: where demux sends segment `slot` arriving at `arrives`. */
uint8_t pv_playback_demux(void *pb, uint32_t slot, ps_time arrives);

/* ---- commands typed live ---- */

/* The time a command typed at t runs at: t itself, unless the run has
 * events at t that the run itself scheduled (an arrival, a timer). A
 * scenario `at t` line runs before those, so the command moves on by 1 us
 * at a time until it would not: then saving it as an `at` line replays
 * exactly what the terminal showed. */
ps_time pv_playback_inject_time(const pv_playback *pb, ps_time t);

/* Records `line` typed on host at the current time (moved on as
 * pv_playback_inject_time says), re-records the whole run with it, and
 * moves to its time, paused. *output (if output is not NULL and the status
 * is OK) receives what the command printed, "" for nothing; the caller
 * frees it. Any other status leaves the session as it was. */
pv_inject_status pv_playback_inject(pv_playback *pb, uint32_t host, const char *line, char **output);

/* Drops every typed command and re-records the scenario alone. */
bool pv_playback_clear_injected(pv_playback *pb);

/* Runs e, a fresh engine for pb->sc (or one advanced by this function
 * only), to time t, running the typed commands due on the way; *applied
 * counts the commands e has run (start at 0). t = PS_TIME_NEVER: to the end. */
void pv_playback_advance(const pv_playback *pb, ps_engine *e, ps_time t, size_t *applied);

/* Runs the whole session (the scenario and the typed commands) on a fresh
 * engine, every event to fn(ctx, ev): e.g. a trace writer or the pcap
 * writer. Returns the run's end status (PS_RUN_NOMEM if no engine). */
ps_run_status pv_playback_replay(const pv_playback *pb, ps_event_fn fn, void *ctx);

#endif
