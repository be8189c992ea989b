/* verify_preflight.c — before `portsim verify` creates anything: does the
 * scenario fit verify's own bounds, and this machine's limits? A scenario
 * that does not is refused with exit 3 and the bound or limit it exceeds
 * (docs/verify.md, "Limits"), instead of failing halfway or showing EMFILE
 * as a disagreement.
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
#include <sys/resource.h>

#include "shell.h"
#include "mem.h"
#include "verify_internal.h"

/* verify's own bounds: the work grows with them (an `ip` run per address,
 * route and link; a root-forked helper per process; a round trip per
 * operation), and beyond them a run would take many minutes. */
#define MAX_HOSTS 256u
#define MAX_LINKS 512u
#define MAX_HELPERS 1024u
#define MAX_SOCKET_OPS 100000u
/* Descriptors besides sockets: a helper's command and message pipes and its
 * epoll (0-2 are in the engine's count too); the parent's 0-2 and the two
 * pipes of an `ip` run or a namespace read. */
#define HELPER_FDS 3u
#define PARENT_FDS 7u

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

/* ps_grow, the new elements zeroed. */
static bool grow_u32(uint32_t **v, uint32_t *cap, uint32_t need)
{
    uint32_t old = *cap;
    if (!ps_grow(v, cap, need, sizeof **v)) return false;
    memset(*v + old, 0, (size_t)(*cap - old) * sizeof **v);
    return true;
}

/* Counts what replay() in verify.c sends to the kernel: one operation per
 * listen, connect, send, close or kill action step, and per listen, connect
 * or kill a shell command does (or connect a page load opens). */
static void dry_event(void *ctx, const ps_event *ev)
{
    dry *d = ctx;
    if (ev->action != PS_NONE && d->step_action == PS_NONE) {
        d->step_action = ev->action;
        ps_action_kind k = d->sc->actions[ev->action].kind;
        d->ops += k != PS_ACT_SAY && !ps_verify_has_subops(k);
    }
    bool shell = ev->action != PS_NONE && ev->action == d->step_action &&
                 ps_verify_has_subops(d->sc->actions[ev->action].kind);
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
        if (next == PS_TIME_NEVER || ps_verify_past_horizon(d->tw_first, next) ||
            ps_verify_udp_entry_expires(d->e, next))
            break;
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

/* The first number in a file, or `fallback`. */
static unsigned long long read_number(const char *path, unsigned long long fallback)
{
    FILE *f = fopen(path, "r");
    unsigned long long v;
    if (!f) return fallback;
    if (fscanf(f, "%llu", &v) != 1) v = fallback;
    fclose(f);
    return v;
}

/* How many more processes the kernel lets this one start: pid_max and
 * threads-max less the tasks that exist (/proc/loadavg's "running/total"),
 * or what this cgroup's pids.max leaves (cgroup v2). */
static unsigned long long processes_left(void)
{
    unsigned long long cap = read_number("/proc/sys/kernel/pid_max", ~0ull);
    unsigned long long tmax = read_number("/proc/sys/kernel/threads-max", ~0ull);
    if (tmax < cap) cap = tmax;
    unsigned long long total = 0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%*s %*s %*s %*u/%llu", &total) != 1) total = 0;
        fclose(f);
    }
    unsigned long long left = cap > total ? cap - total : 0;
    char line[512], path[600];
    f = fopen("/proc/self/cgroup", "r");
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "0::", 3) != 0) continue;
        line[strcspn(line, "\n")] = '\0';
        snprintf(path, sizeof path, "/sys/fs/cgroup%s/pids.max", line + 3);
        unsigned long long max = read_number(path, ~0ull); /* "max" reads as none */
        snprintf(path, sizeof path, "/sys/fs/cgroup%s/pids.current", line + 3);
        unsigned long long cur = read_number(path, 0);
        if (max != ~0ull && (max > cur ? max - cur : 0) < left) left = max > cur ? max - cur : 0;
    }
    if (f) fclose(f);
    return left;
}

bool ps_verify_preflight(const ps_scenario *sc, char *why, size_t n)
{
    /* verify's bounds that the scenario shows without running it */
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
    uint32_t users = other_users(sc);
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
    uint32_t helpers = sc->nprocs, worst = PS_NONE;
    for (uint32_t p = 0; p < d.nprocs; p++) {
        helpers += p >= sc->nprocs && d.peak_fd[p]; /* a program a shell started */
        if (worst == PS_NONE || d.peak_fd[p] > d.peak_fd[worst]) worst = p;
    }
    bool ok = false;
    struct rlimit rl;
    if (!ran) {
        snprintf(why, n, "out of memory while sizing the run");
    } else if (d.ops > MAX_SOCKET_OPS) {
        snprintf(why, n, "the scenario does more socket operations than verify's bound of %u",
                 MAX_SOCKET_OPS);
    } else if (helpers > MAX_HELPERS) {
        snprintf(why, n, "the scenario runs %u processes, verify's bound is %u", helpers, MAX_HELPERS);
    } else if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        snprintf(why, n, "cannot read the descriptor limit (RLIMIT_NOFILE)");
    } else {
        /* Helpers raise their soft limit to the hard one; so does portsim. */
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        unsigned long long limit = rl.rlim_max;
        unsigned long long helper_need =
            worst == PS_NONE ? 0 : (unsigned long long)d.peak_fd[worst] + 1 + HELPER_FDS;
        unsigned long long parent_need = PARENT_FDS + sc->nhosts + 2ull * helpers;
        unsigned long long procs_left = processes_left();
        unsigned long long max_ns = read_number("/proc/sys/user/max_net_namespaces", ~0ull);
        if (rl.rlim_max != RLIM_INFINITY && helper_need > limit) {
            const ps_proc *pr = ps_engine_proc(d.e, worst);
            snprintf(why, n, "needs %llu descriptors, the limit is %llu (RLIMIT_NOFILE: process "
                     "%s %u on %s has up to %u sockets open at once)", helper_need, limit,
                     pr->name, pr->pid, sc->hosts[pr->host].name, d.peak_fd[worst] - 2);
        } else if (rl.rlim_max != RLIM_INFINITY && parent_need > limit) {
            snprintf(why, n, "needs %llu descriptors, the limit is %llu (RLIMIT_NOFILE: portsim "
                     "holds two pipes per helper, %u helpers, and one per host)", parent_need,
                     limit, helpers);
        } else if (helpers + 1ull > procs_left) { /* + one `ip` or namespace read at a time */
            snprintf(why, n, "needs %llu processes, the limit is %llu (what kernel.pid_max, "
                     "kernel.threads-max and the cgroup's pids.max leave free now)",
                     helpers + 1ull, procs_left);
        } else if (sc->nhosts + 1ull > max_ns) {
            snprintf(why, n, "needs %u network namespaces, the limit is %llu "
                     "(user.max_net_namespaces)", sc->nhosts + 1, max_ns);
        } else {
            ok = true;
        }
    }
    if (d.e) ps_engine_free(d.e);
    free(d.touched);
    free(d.peak_fd);
    return ok;
}
