/* playback.h — the lecture's time machine: records the whole run once (every
 * event, its trace line, captions and errors), keeps the current time, plays,
 * pauses, changes speed, steps to the next or previous event, and keeps an
 * engine positioned at the current time for the picture.
 *
 * The engine only runs forward; going back re-runs a fresh engine from the
 * same scenario and seed (runs are deterministic). No SDL here. */
#ifndef PV_PLAYBACK_H
#define PV_PLAYBACK_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "layout.h"

#define PV_REC_NONE UINT32_MAX
#define PV_MAX_RECORDED 4000000u          /* events kept from one run */
#define PV_MAX_LOG_BYTES (96u << 20)      /* trace text kept for the log */
#define PV_BASE_RATE 25.0                 /* sim us per real ms at x1: 1 ms = 40 ms */

/* One recorded event (the parts the panels need). */
typedef struct pv_rec {
    ps_time t;
    uint32_t host, socket, segment;
    uint32_t line;      /* its trace line's offset in log, or PV_REC_NONE */
    uint32_t text;      /* SAY caption / ERROR summary offset in strs, or PV_REC_NONE */
    uint32_t last_say;  /* index of the latest SAY at or before this event */
    uint32_t last_err;  /* index of the latest ERROR at or before this event */
    uint8_t kind, err, to;
} pv_rec;

typedef struct pv_playback {
    const ps_scenario *sc;  /* not owned; must outlive the playback */
    pv_rec *ev;
    size_t nev, cap;
    char *log;              /* all trace lines, '\n'-separated */
    size_t log_len;
    char *strs;             /* captions and error summaries, NUL-separated */
    size_t strs_len, strs_cap;
    pv_axis axis;           /* timeline positions */
    ps_time end;            /* time of the last event */
    ps_time now;
    double carry;           /* sub-microsecond remainder while playing */
    bool playing;
    int speed;              /* rate = PV_BASE_RATE * 2^speed */
    bool truncated;         /* the recording hit a limit */
    ps_engine *eng;         /* positioned at now (NULL if memory ran out) */
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
const pv_rec *pv_playback_error(const pv_playback *pb, ps_time window);
/* Event i's first trace line, copied into buf. */
const char *pv_playback_line(const pv_playback *pb, size_t i, char *buf, size_t n);
const char *pv_playback_str(const pv_playback *pb, uint32_t off);
/* pv_demux_fn: where demux sends segment `slot` arriving at `arrives`. */
uint8_t pv_playback_demux(void *pb, uint32_t slot, ps_time arrives);

#endif
