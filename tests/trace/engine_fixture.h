/* engine_fixture.h — shared helpers for tests that run scenarios: parse a
 * scenario from a string (failing the test with its diagnostic), and record
 * the events of a run so tests can ask what happened. Header-only, so each
 * test program stays one file. */
#ifndef PS_ENGINE_FIXTURE_H
#define PS_ENGINE_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine_ops.h"
#include "load.h"

static inline ps_scenario *fixture_parse(const char *text)
{
    ps_diag d;
    ps_scenario *sc = ps_scenario_parse(text, strlen(text), "test.scn", &d);
    if (!sc) {
        char buf[1024];
        fail_msg("%s", ps_diag_format(&d, buf, sizeof buf));
    }
    return sc;
}

#define FIXTURE_MAX_EVENTS 4096

/* A copy of the parts of an event tests look at. */
typedef struct fixture_event {
    ps_event_kind kind;
    ps_time t;
    ps_errno err;
    ps_deliver_to to;
    uint8_t flags;
    uint16_t src_port, dst_port;
    ps_addr src_addr, dst_addr;
    char sock[32];
    char op[16];
    bool ephemeral;
} fixture_event;

typedef struct fixture_log {
    fixture_event ev[FIXTURE_MAX_EVENTS];
    size_t n;
} fixture_log;

static inline void fixture_record(void *ctx, const ps_event *ev)
{
    fixture_log *log = ctx;
    if (log->n == FIXTURE_MAX_EVENTS) return;
    fixture_event *f = &log->ev[log->n++];
    memset(f, 0, sizeof *f);
    f->kind = ev->kind;
    f->t = ev->t;
    f->err = ev->err;
    f->to = ev->to;
    f->flags = ev->flags;
    f->src_port = ev->src_port;
    f->dst_port = ev->dst_port;
    f->src_addr = ev->src_addr;
    f->dst_addr = ev->dst_addr;
    f->ephemeral = ev->ephemeral;
    if (ev->sock) snprintf(f->sock, sizeof f->sock, "%s", ev->sock);
    if (ev->op) snprintf(f->op, sizeof f->op, "%s", ev->op);
}

/* The first recorded event of this kind (and, if sock is not NULL, about
 * that named socket), or NULL. */
static inline const fixture_event *fixture_find(const fixture_log *log, ps_event_kind kind,
                                                const char *sock)
{
    for (size_t i = 0; i < log->n; i++)
        if (log->ev[i].kind == kind && (!sock || strcmp(log->ev[i].sock, sock) == 0))
            return &log->ev[i];
    return NULL;
}

static inline size_t fixture_count(const fixture_log *log, ps_event_kind kind)
{
    size_t c = 0;
    for (size_t i = 0; i < log->n; i++) c += log->ev[i].kind == kind;
    return c;
}

/* A scenario, its engine and the log of its events. */
typedef struct fixture {
    ps_scenario *sc;
    ps_engine *e;
    fixture_log *log;
} fixture;

static inline fixture fixture_start(const char *text)
{
    fixture f;
    f.sc = fixture_parse(text);
    f.e = ps_engine_new(f.sc, f.sc->seed);
    assert_non_null(f.e);
    f.log = calloc(1, sizeof *f.log);
    assert_non_null(f.log);
    ps_engine_set_sink(f.e, fixture_record, f.log);
    return f;
}

static inline void fixture_end(fixture *f)
{
    ps_engine_free(f->e);
    ps_scenario_free(f->sc);
    free(f->log);
}

/* The named socket's current (or last) record. */
static inline const ps_socket *fixture_sock(const fixture *f, const char *name)
{
    uint32_t i = ps_scenario_sock(f->sc, name);
    assert_int_not_equal(i, PS_NONE);
    return ps_engine_named_last(f->e, i);
}

static inline ps_errno fixture_err(const fixture *f, const char *name)
{
    return ps_engine_named_error(f->e, ps_scenario_sock(f->sc, name));
}

#endif
