/* playback.c — recording a run and moving through it (see playback.h). The
 * trace lines come from the trace formatter itself (trace.h), collected in
 * a growing string, so the log shows exactly what `portsim run` prints. */
#include "playback.h"
#include "mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"
#include "trace.h"
#include "units.h"

typedef struct recorder {
    pv_playback *pb;
    ps_trace trace;
    ps_sbuf log;        /* the text trace so far */
    bool nomem;
    size_t typing;      /* 1 + index of the typed command running now, 0: none */
    size_t capture;     /* the typed command whose output to keep, SIZE_MAX: none */
    char *output;       /* its output (owned until handed over) */
} recorder;

static uint32_t store_str(pv_playback *pb, const char *s)
{
    size_t n = strlen(s) + 1;
    if (pb->strs_len + n > UINT32_MAX - 1) return PV_REC_NONE;
    if (!ps_grow(&pb->strs, &pb->strs_cap, pb->strs_len + n, 1)) return PV_REC_NONE;
    memcpy(pb->strs + pb->strs_len, s, n);
    pb->strs_len += n;
    return (uint32_t)(pb->strs_len - n);
}

/* "EADDRINUSE: listen on :3000 failed (laptop, next 9001)" */
static uint32_t store_error(pv_playback *pb, const ps_event *ev)
{
    char where[PS_ENDPOINT_STRLEN + 8] = "", buf[256];
    if (ev->has_dst) {
        char ep[PS_ENDPOINT_STRLEN];
        snprintf(where, sizeof where, " to %s",
                 ps_sc_endpoint_str(pb->sc, ev->dst_addr, ev->family == PS_FAM_INET6, ev->dst_port, ep));
    } else if (ev->port) {
        snprintf(where, sizeof where, " on :%u", (unsigned)ev->port);
    }
    char who[64] = "";
    if (ev->proc) snprintf(who, sizeof who, ", %s %u", ev->proc, (unsigned)ev->pid);
    snprintf(buf, sizeof buf, "%s: %s%s failed (%s%s)", ps_errno_name(ev->err), ev->op ? ev->op : "operation",
             where, ev->host_name ? ev->host_name : "?", who);
    uint32_t off = store_str(pb, buf);
    if (ev->proc) snprintf(buf, sizeof buf, "✗ %s %u: %s", ev->proc, (unsigned)ev->pid, ps_errno_name(ev->err));
    else snprintf(buf, sizeof buf, "✗ %s", ps_errno_name(ev->err));
    return off != PV_REC_NONE && store_str(pb, buf) != PV_REC_NONE ? off : PV_REC_NONE;
}

static bool grow(pv_playback *pb) { return ps_grow(&pb->ev, &pb->cap, pb->nev + 1, sizeof *pb->ev); }

static void record(void *ctx, const ps_event *ev)
{
    recorder *r = ctx;
    pv_playback *pb = r->pb;
    if (pb->nev >= PV_MAX_RECORDED || !grow(pb)) {
        pb->truncated = true;
        return;
    }
    pv_rec *x = &pb->ev[pb->nev];
    size_t prev = pb->nev ? pb->nev - 1 : 0;
    memset(x, 0, sizeof *x);
    x->t = ev->t;
    x->kind = (uint8_t)ev->kind;
    x->host = ev->host;
    x->socket = ev->socket;
    if (ev->kind == PS_EV_ERROR) x->port = ev->port;
    else x->segment = ev->segment;
    x->err = (uint8_t)ev->err;
    x->to = (uint8_t)ev->to;
    x->text = PV_REC_NONE;
    x->last_say = pb->nev ? pb->ev[prev].last_say : PV_REC_NONE;
    x->last_err = pb->nev ? pb->ev[prev].last_err : PV_REC_NONE;
    x->last_shell = pb->nev ? pb->ev[prev].last_shell : PV_REC_NONE;
    if (ev->kind == PS_EV_SHELL && ev->text) {
        x->text = store_str(pb, ev->text);
        x->last_shell = (uint32_t)pb->nev;
    } else if (ev->kind == PS_EV_SAY && ev->text) {
        x->text = store_str(pb, ev->text);
        x->last_say = (uint32_t)pb->nev;
    } else if (ev->kind == PS_EV_ERROR) {
        x->text = store_error(pb, ev);
        x->last_err = (uint32_t)pb->nev;
    }
    const ps_scenario *sc = pb->sc;
    if (r->typing) x->src = PV_SRC_TYPED;
    else if (ev->action != PS_NONE && ev->action < sc->nactions && sc->actions[ev->action].t == ev->t)
        x->src = PV_SRC_ACTION;
    else x->src = PV_SRC_RUN;
    if (r->typing && r->typing - 1 == r->capture && ev->kind == PS_EV_SHELL && !r->output) {
        /* "$ COMMAND\nOUTPUT": keep what follows the first line */
        const char *nl = ev->text ? strchr(ev->text, '\n') : NULL;
        r->output = strdup(nl ? nl + 1 : "");
        if (!r->output) r->nomem = true;
    }
    x->line = PV_REC_NONE;
    if (r->log.len < PV_MAX_LOG_BYTES) {
        x->line = (uint32_t)r->log.len;
        ps_trace_event(&r->trace, ev);
    }
    pb->nev++;
}

static ps_engine *fresh_engine(const pv_playback *pb)
{
    ps_engine *e = ps_engine_new(pb->sc, pb->sc->seed);
    if (e) {
        ps_engine_set_max_steps(e, PV_MAX_STEPS);
        ps_shell_attach(e);
    }
    return e;
}

static void advance(const pv_playback *pb, ps_engine *e, ps_time t, size_t *applied, recorder *r)
{
    while (*applied < pb->ninj && pb->inj[*applied].t <= t) {
        const pv_inject *in = &pb->inj[*applied];
        ps_engine_run_until(e, in->t);
        if (ps_engine_status(e) != PS_RUN_OK) return;
        if (r) r->typing = *applied + 1;
        bool ran = ps_shell_run(e, in->host, in->line);
        if (r) r->typing = 0;
        if (!ran) {
            if (r) r->nomem = true;
            return;
        }
        ++*applied;
    }
    if (t == PS_TIME_NEVER) ps_engine_run(e);
    else ps_engine_run_until(e, t);
}

void pv_playback_advance(const pv_playback *pb, ps_engine *e, ps_time t, size_t *applied)
{
    advance(pb, e, t, applied, NULL);
}

ps_run_status pv_playback_replay(const pv_playback *pb, ps_event_fn fn, void *ctx)
{
    ps_engine *e = fresh_engine(pb);
    if (!e) return PS_RUN_NOMEM;
    ps_engine_set_sink(e, fn, ctx);
    size_t applied = 0;
    advance(pb, e, PS_TIME_NEVER, &applied, NULL);
    ps_run_status st = ps_engine_status(e);
    ps_engine_free(e);
    return st;
}

/* (Re-)records the whole run: the scenario and the typed commands. Keeps
 * the output of typed command `capture` in *output. The engine for seeking
 * starts afresh at 0. False if memory ran out. */
static bool record_run(pv_playback *pb, size_t capture, char **output)
{
    ps_engine_free(pb->eng);
    pb->eng = NULL;
    pb->eng_applied = 0;
    free(pb->ev);
    free(pb->log);
    free(pb->strs);
    pb->ev = NULL;
    pb->log = pb->strs = NULL;
    pb->nev = pb->cap = pb->log_len = pb->strs_len = pb->strs_cap = 0;
    pb->truncated = false;
    const ps_scenario *sc = pb->sc;
    recorder r = { .pb = pb, .capture = capture };
    ps_trace_init(&r.trace, PS_TRACE_TEXT, sc, sc->seed, ps_trace_to_sbuf, &r.log);
    ps_engine *e = fresh_engine(pb);
    if (!e) {
        ps_trace_free(&r.trace);
        ps_sbuf_free(&r.log);
        return false;
    }
    ps_engine_set_sink(e, record, &r);
    size_t applied = 0;
    advance(pb, e, PS_TIME_NEVER, &applied, &r);
    if (ps_engine_status(e) != PS_RUN_OK) pb->truncated = true;
    ps_engine_free(e);
    ps_trace_free(&r.trace);
    if (r.log.failed || r.trace.nomem) r.nomem = true;
    pb->log = r.log.s;
    pb->log_len = r.log.s ? r.log.len : 0;
    pv_axis_init(&pb->axis);
    for (size_t i = 0; i < pb->nev; i++) pv_axis_add(&pb->axis, pb->ev[i].t);
    pb->end = pb->nev ? pb->ev[pb->nev - 1].t : 0;
    pb->eng = fresh_engine(pb);
    if (output) *output = r.output;
    else free(r.output);
    return pb->eng != NULL && !r.nomem;
}

bool pv_playback_open(pv_playback *pb, const ps_scenario *sc)
{
    memset(pb, 0, sizeof *pb);
    pb->sc = sc;
    return record_run(pb, SIZE_MAX, NULL);
}

void pv_playback_close(pv_playback *pb)
{
    ps_engine_free(pb->eng);
    free(pb->ev);
    free(pb->log);
    free(pb->strs);
    free(pb->inj);
    memset(pb, 0, sizeof *pb);
}

void pv_playback_seek(pv_playback *pb, ps_time t)
{
    if (t > pb->end) t = pb->end;
    if (!pb->eng || t < ps_engine_now(pb->eng)) {
        ps_engine_free(pb->eng);
        pb->eng = fresh_engine(pb);
        pb->eng_applied = 0;
        if (!pb->eng) return;
    }
    advance(pb, pb->eng, t, &pb->eng_applied, NULL);
    pb->now = t;
}

double pv_playback_rate(const pv_playback *pb)
{
    return PV_BASE_RATE * ldexp(1.0, pb->speed);
}

void pv_playback_set_speed(pv_playback *pb, int speed)
{
    pb->speed = speed < -6 ? -6 : speed > 12 ? 12 : speed;
}

void pv_playback_speed_str(const pv_playback *pb, char *buf, size_t n)
{
    if (pb->speed >= 0) snprintf(buf, n, "×%d", 1 << pb->speed);
    else snprintf(buf, n, "×1/%d", 1 << -pb->speed);
}

void pv_playback_tick(pv_playback *pb, double real_ms)
{
    if (!pb->playing) return;
    double rate = pv_playback_rate(pb);
    ps_time gap;
    if (pv_axis_in_gap(&pb->axis, pb->now, &gap)) rate = fmax(rate, (double)gap / 1200.0);
    double adv = rate * real_ms + pb->carry;
    ps_time step = (ps_time)adv;
    pb->carry = adv - (double)step;
    ps_time t = pb->now + step;
    if (t >= pb->end) {
        t = pb->end;
        pb->playing = false;
    }
    pv_playback_seek(pb, t);
}

/* First event index with time > t. */
static size_t upper_bound(const pv_playback *pb, ps_time t)
{
    size_t lo = 0, hi = pb->nev;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (pb->ev[mid].t <= t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

size_t pv_playback_count(const pv_playback *pb)
{
    return upper_bound(pb, pb->now);
}

void pv_playback_step(pv_playback *pb, int dir)
{
    pb->playing = false;
    pb->carry = 0;
    size_t n = pv_playback_count(pb);
    if (dir > 0) {
        if (n < pb->nev) pv_playback_seek(pb, pb->ev[n].t);
        return;
    }
    /* the latest event time strictly before now; 0 if none */
    size_t i = n;
    while (i > 0 && pb->ev[i - 1].t >= pb->now) i--;
    pv_playback_seek(pb, i > 0 ? pb->ev[i - 1].t : 0);
}

const char *pv_playback_log_line(const pv_playback *pb, size_t i, char *buf, size_t n)
{
    char line[512];
    pv_playback_line(pb, i, line, sizeof line);
    const char *kind = i < pb->nev && pb->ev[i].kind == PS_EV_DELIVER ? strstr(line, " deliver ") : NULL;
    const char *to = kind ? strstr(kind, " to ") : NULL;
    if (!to) {
        snprintf(buf, n, "%s", line);
        return buf;
    }
    const char *addr = kind + strlen(" deliver ");
    while (*addr == ' ') addr++;
    snprintf(buf, n, "%.*s%s · %.*s", (int)(addr - line), line, to + 1, (int)(to - addr), addr);
    return buf;
}

const char *pv_playback_str(const pv_playback *pb, uint32_t off)
{
    return off != PV_REC_NONE && off < pb->strs_len ? pb->strs + off : NULL;
}

const char *pv_playback_error_label(const pv_playback *pb, const pv_rec *e)
{
    const char *s = e->kind == PS_EV_ERROR ? pv_playback_str(pb, e->text) : NULL;
    return s ? s + strlen(s) + 1 : NULL;
}

const char *pv_playback_caption(const pv_playback *pb)
{
    size_t n = pv_playback_count(pb);
    if (n == 0 || pb->ev[n - 1].last_say == PV_REC_NONE) return NULL;
    return pv_playback_str(pb, pb->ev[pb->ev[n - 1].last_say].text);
}

const pv_rec *pv_playback_script(const pv_playback *pb)
{
    size_t n = pv_playback_count(pb);
    if (n == 0 || pb->ev[n - 1].last_shell == PV_REC_NONE) return NULL;
    const pv_rec *sh = &pb->ev[pb->ev[n - 1].last_shell];
    uint32_t say = pb->ev[n - 1].last_say;
    if (sh->text == PV_REC_NONE || (say != PV_REC_NONE && pb->ev[say].t > sh->t)) return NULL;
    return sh;
}

const pv_rec *pv_playback_error(const pv_playback *pb, ps_time window)
{
    size_t n = pv_playback_count(pb);
    if (n == 0 || pb->ev[n - 1].last_err == PV_REC_NONE) return NULL;
    const pv_rec *e = &pb->ev[pb->ev[n - 1].last_err];
    uint32_t say = pb->ev[n - 1].last_say;
    bool newer_caption = say != PV_REC_NONE && pb->ev[say].t > e->t;
    return pb->now - e->t <= window || !newer_caption ? e : NULL;
}

const char *pv_playback_line(const pv_playback *pb, size_t i, char *buf, size_t n)
{
    buf[0] = '\0';
    if (i >= pb->nev || pb->ev[i].line == PV_REC_NONE || pb->ev[i].line >= pb->log_len) return buf;
    const char *s = pb->log + pb->ev[i].line;
    const char *nl = memchr(s, '\n', pb->log_len - pb->ev[i].line);
    size_t len = nl ? (size_t)(nl - s) : strlen(s);
    if (len >= n) len = n - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}

uint8_t pv_playback_demux(void *ctx, uint32_t slot, ps_time arrives)
{
    const pv_playback *pb = ctx;
    for (size_t i = upper_bound(pb, arrives - 1); i < pb->nev && pb->ev[i].t == arrives; i++)
        if ((pb->ev[i].kind == PS_EV_DELIVER || pb->ev[i].kind == PS_EV_UDP_DELIVER) && pb->ev[i].segment == slot)
            return pb->ev[i].to;
    return PV_TO_UNKNOWN;
}

/* ---- commands typed live ---- */

/* First event index with time >= t. */
static size_t lower_bound(const pv_playback *pb, ps_time t)
{
    return t == 0 ? 0 : upper_bound(pb, t - 1);
}

ps_time pv_playback_inject_time(const pv_playback *pb, ps_time t)
{
    for (size_t i = lower_bound(pb, t); i < pb->nev && pb->ev[i].t <= t; i++) {
        if (pb->ev[i].t < t) continue; /* t moved on past this one */
        if (pb->ev[i].src == PV_SRC_RUN) t++;
    }
    return t;
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t') return false;
    return true;
}

pv_inject_status pv_playback_inject(pv_playback *pb, uint32_t host, const char *line, char **output)
{
    if (output) *output = NULL;
    if (!line || blank(line)) return PV_INJECT_EMPTY;
    if (strlen(line) >= PV_INJECT_LINE_MAX) return PV_INJECT_TOO_LONG;
    if (!pb->sc || host >= pb->sc->nhosts) return PV_INJECT_BAD_HOST;
    if (pb->ninj >= PV_MAX_INJECTED) return PV_INJECT_FULL;
    if (!pb->inj && !(pb->inj = calloc(PV_MAX_INJECTED, sizeof *pb->inj))) return PV_INJECT_NOMEM;
    ps_time t = pv_playback_inject_time(pb, pb->now);
    size_t at = pb->ninj;
    while (at > 0 && pb->inj[at - 1].t > t) at--;
    memmove(&pb->inj[at + 1], &pb->inj[at], (pb->ninj - at) * sizeof *pb->inj);
    pv_inject *in = &pb->inj[at];
    in->t = t;
    in->host = host;
    snprintf(in->line, sizeof in->line, "%s", line);
    pb->ninj++;
    char *out = NULL;
    if (!record_run(pb, at, &out)) {
        free(out);
        memmove(&pb->inj[at], &pb->inj[at + 1], (pb->ninj - at - 1) * sizeof *pb->inj);
        pb->ninj--;
        record_run(pb, SIZE_MAX, NULL);
        pv_playback_seek(pb, pb->now);
        return PV_INJECT_NOMEM;
    }
    pb->playing = false;
    pb->carry = 0;
    pv_playback_seek(pb, t);
    if (output) *output = out ? out : strdup("");
    else free(out);
    return PV_INJECT_OK;
}

bool pv_playback_clear_injected(pv_playback *pb)
{
    pb->ninj = 0;
    bool ok = record_run(pb, SIZE_MAX, NULL);
    pv_playback_seek(pb, pb->now);
    return ok;
}
