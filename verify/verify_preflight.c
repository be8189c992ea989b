/* verify_preflight.c — before `portsim verify` creates anything: does the
 * scenario fit verify's own bounds? A scenario that does not is refused
 * with exit 3 and the bound it exceeds (docs/verify.md, "Limits"), instead
 * of taking many minutes or failing halfway.
 *
 * What a run needs comes from a dry run: the engine runs the scenario alone,
 * up to where the replay would stop (ps_verify_past_horizon), counting the
 * socket operations the kernel would be asked to do and, per process, the
 * most descriptors it has open at once. The engine hands out the lowest free
 * descriptor, as Linux does, so a process's highest descriptor number ever
 * is its peak minus one. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"
#include "verify_internal.h"

/* verify's own bounds: the work grows with them (an `ip` run per address,
 * route and link; a root-forked helper per process; a round trip per
 * operation), and beyond them a run would take many minutes. */
#define MAX_HOSTS 256u
#define MAX_LINKS 512u
#define MAX_HELPERS 1024u
#define MAX_SOCKET_OPS 100000u
typedef struct dry {
    ps_engine *e;
    const ps_scenario *sc;
    uint32_t step_action;
    uint64_t ops;
    ps_time tw_first;
    uint32_t *touched;     /* sockets an event of this step named */
    uint32_t ntouched, captouched;
    uint32_t *peak_fd;     /* per engine process: highest descriptor it held */
    uint32_t nprocs;
    bool nomem;
} dry;

static bool grow_u32(uint32_t **v, uint32_t *cap, uint32_t need)
{
    if (need <= *cap) return true;
    uint32_t n = *cap ? *cap : 64;
    while (n < need) n *= 2;
    uint32_t *nv = realloc(*v, (size_t)n * sizeof *nv);
    if (!nv) return false;
    memset(nv + *cap, 0, (size_t)(n - *cap) * sizeof *nv);
    *v = nv;
    *cap = n;
    return true;
}

/* Counts what replay() in verify.c sends to the kernel: one operation per
 * listen, connect, send, close or kill action step, and per listen, connect
 * or kill a shell command does. */
static void dry_event(void *ctx, const ps_event *ev)
{
    dry *d = ctx;
    if (ev->action != PS_NONE && d->step_action == PS_NONE) {
        d->step_action = ev->action;
        ps_action_kind k = d->sc->actions[ev->action].kind;
        d->ops += k != PS_ACT_SAY && k != PS_ACT_SHELL;
    }
    bool shell = ev->action != PS_NONE && ev->action == d->step_action &&
                 d->sc->actions[ev->action].kind == PS_ACT_SHELL;
    if (shell && (ev->kind == PS_EV_LISTEN || ev->kind == PS_EV_CONNECT || ev->kind == PS_EV_KILL ||
                  (ev->kind == PS_EV_ERROR && ev->socket == PS_NONE && ev->op &&
                   (!strcmp(ev->op, "listen") || !strcmp(ev->op, "connect") || !strcmp(ev->op, "kill")))))
        d->ops++;
    if (ev->kind == PS_EV_SEGMENT && ev->socket != PS_NONE && ev->state == PS_TIME_WAIT &&
        ev->t < d->tw_first)
        d->tw_first = ev->t;
    if (ev->socket == PS_NONE) return;
    if (!grow_u32(&d->touched, &d->captouched, d->ntouched + 1)) d->nomem = true;
    else d->touched[d->ntouched++] = ev->socket;
}

/* After a step: the descriptors of the sockets it touched, now settled. */
static void dry_fds(dry *d)
{
    for (uint32_t i = 0; i < d->ntouched; i++) {
        const ps_socket *sk = ps_engine_socket(d->e, d->touched[i]);
        if (!sk->live || sk->proc == PS_NONE || !sk->fd) continue;
        if (!grow_u32(&d->peak_fd, &d->nprocs, sk->proc + 1)) d->nomem = true;
        else if (sk->fd > d->peak_fd[sk->proc]) d->peak_fd[sk->proc] = sk->fd;
    }
    d->ntouched = 0;
}

/* Runs the scenario in the engine alone as far as the replay would. */
static bool dry_run(dry *d)
{
    d->e = ps_engine_new(d->sc, d->sc->seed);
    if (!d->e) return false;
    ps_shell_attach(d->e);
    ps_engine_set_sink(d->e, dry_event, d);
    for (;;) {
        ps_time next = ps_engine_next_time(d->e);
        if (next == PS_TIME_NEVER || ps_verify_past_horizon(d->tw_first, next)) break;
        d->step_action = PS_NONE;
        bool more = ps_engine_step(d->e);
        dry_fds(d);
        if (!more || d->nomem || d->ops > MAX_SOCKET_OPS) break;
    }
    return !d->nomem;
}

/* Users other than root, each with a uid of its own (UID_PER_RUN). */
static uint32_t other_users(const ps_scenario *sc)
{
    uint32_t n = 0;
    for (uint32_t p = 0; p < sc->nprocs; p++) {
        const char *u = sc->procs[p].user;
        bool first = strcmp(u, "root") != 0;
        for (uint32_t q = 0; first && q < p; q++) first = strcmp(sc->procs[q].user, u) != 0;
        n += first;
    }
    return n;
}

bool ps_verify_preflight(const ps_scenario *sc, char *why, size_t n)
{
    /* verify's bounds that the scenario shows without running it */
    uint32_t users = other_users(sc);
    if (sc->nhosts > MAX_HOSTS) {
        snprintf(why, n, "the scenario has %u hosts, verify's bound is %u", sc->nhosts, MAX_HOSTS);
        return false;
    }
    if (sc->nlinks > MAX_LINKS) {
        snprintf(why, n, "the scenario has %u links, verify's bound is %u", sc->nlinks, MAX_LINKS);
        return false;
    }
    if (sc->nprocs > MAX_HELPERS) {
        snprintf(why, n, "the scenario has %u processes, verify's bound is %u", sc->nprocs, MAX_HELPERS);
        return false;
    }
    if (users > UID_PER_RUN) {
        snprintf(why, n, "the scenario has %u users other than root; verify gives each a uid "
                 "of its own and has %u per run", users, UID_PER_RUN);
        return false;
    }

    dry d;
    memset(&d, 0, sizeof d);
    d.sc = sc;
    d.tw_first = PS_TIME_NEVER;
    bool ran = dry_run(&d);
    uint32_t helpers = sc->nprocs;
    for (uint32_t p = sc->nprocs; p < d.nprocs; p++)
        helpers += d.peak_fd[p] != 0; /* a program a shell started */
    bool ok = false;
    if (!ran) {
        snprintf(why, n, "out of memory while sizing the run");
    } else if (d.ops > MAX_SOCKET_OPS) {
        snprintf(why, n, "the scenario does more socket operations than verify's bound of %u",
                 MAX_SOCKET_OPS);
    } else if (helpers > MAX_HELPERS) {
        snprintf(why, n, "the scenario runs %u processes, verify's bound is %u", helpers, MAX_HELPERS);
    } else {
        ok = true;
    }
    if (d.e) ps_engine_free(d.e);
    free(d.touched);
    free(d.peak_fd);
    return ok;
}
