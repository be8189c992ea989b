/* shell_fixture.h — a scenario run with the simulated shell attached, for
 * the userland tests: parse (failing the test with the diagnostic), run to
 * a time, and keep what the shell printed last, the errors seen by errno
 * and the kills. Header-only, so each test program stays one file. */
#ifndef PS_SHELL_FIXTURE_H
#define PS_SHELL_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_ops.h"
#include "load.h"
#include "shell.h"

typedef struct world {
    ps_scenario *sc;
    ps_engine *e;
    char *shell_text;           /* text of the last SHELL event */
    int errors[PS_ERRNO_COUNT]; /* ERROR events seen, by errno */
    int kills;
} world;

static inline void world_sink(void *ctx, const ps_event *ev)
{
    world *w = ctx;
    if (ev->kind == PS_EV_SHELL) {
        free(w->shell_text);
        w->shell_text = strdup(ev->text);
    } else if (ev->kind == PS_EV_ERROR) {
        w->errors[ev->err]++;
    } else if (ev->kind == PS_EV_KILL) {
        w->kills++;
    }
}

/* Parses text and runs it to time ms (in milliseconds). */
static inline world *start(const char *text, unsigned ms)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    ps_diag d;
    w->sc = ps_scenario_parse(text, strlen(text), "test.scn", &d);
    if (!w->sc) {
        char buf[1024];
        fail_msg("%s\n%s", ps_diag_format(&d, buf, sizeof buf), text);
    }
    w->e = ps_engine_new(w->sc, w->sc->seed);
    assert_non_null(w->e);
    ps_engine_set_sink(w->e, world_sink, w);
    ps_shell_attach(w->e);
    ps_engine_run_until(w->e, (ps_time)ms * 1000);
    return w;
}

static inline void finish(world *w)
{
    ps_engine_free(w->e);
    ps_scenario_free(w->sc);
    free(w->shell_text);
    free(w);
}

/* Runs cmd on the scenario's first host and checks the exact output. */
static inline void expect_out(world *w, const char *cmd, const char *want)
{
    char *got = ps_shell_exec(w->e, 0, cmd);
    assert_non_null(got);
    if (strcmp(got, want) != 0)
        print_error("command: %s\n--- want ---\n%s\n--- got ---\n%s\n", cmd, want, got);
    assert_string_equal(got, want);
    free(got);
}

#endif
