/* engine.c — the engine's life cycle (new, free, limits) and its event
 * loop: one queued entry per step, actions run, arrivals handed to tcp.c
 * (segments) or udp.c (datagrams, ICMP),
 * invariants asserted in checked builds. Sockets: engine_sock.c;
 * operations: engine_ops.c; views: engine_view.c. */
#include "engine_internal.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

/* ---- life cycle ---- */

ps_engine *ps_engine_new(const ps_scenario *sc, uint64_t seed)
{
    ps_engine *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->sc = sc;
    e->max_steps = PS_DEFAULT_MAX_STEPS;
    e->max_work = PS_DEFAULT_MAX_WORK;
    e->cur_action = PS_NONE;
    e->sock_free = PS_NONE;
    ps_rng_seed(&e->rng, seed);
    ps_evq_init(&e->q);
    ps_ports_init(&e->ports, seed);
    ps_ports_init(&e->udp, seed);
    ps_demux_init(&e->demux);
    ps_table_init(&e->addr_index);
    ps_table_init(&e->link_index);
    ps_table_init(&e->text_index);
    uint32_t nn = sc->nsocks ? sc->nsocks : 1;
    e->state_count = calloc((size_t)(sc->nhosts ? sc->nhosts : 1) * PS_STATE_COUNT, sizeof *e->state_count);
    e->named = malloc(nn * sizeof *e->named);
    e->named_err = calloc(nn, 1);
    e->named_seen = calloc(nn, 1);
    e->named_last = calloc(nn, sizeof *e->named_last);
    e->nat = calloc(sc->nhosts ? sc->nhosts : 1, sizeof *e->nat);
    e->gateway = malloc((sc->nhosts ? sc->nhosts : 1) * sizeof *e->gateway);
    if (!e->state_count || !e->named || !e->named_err || !e->named_seen || !e->named_last ||
        !e->nat || !e->gateway)
        goto fail;
    for (uint32_t h = 0; h < sc->nhosts; h++) {
        ps_nat_init(&e->nat[h], sc->hosts[h].router ? sc->hosts[h].conntrack_max : 0);
        e->nat[h].tracking = sc->hosts[h].router && sc->hosts[h].masquerade;
        e->gateway[h] = PS_NONE;
    }
    for (uint32_t i = 0; i < sc->nforwards; i++) e->nat[sc->forwards[i].router].tracking = true;
    /* The first router in link order a host is inside of (ps_scenario_gateway), in one pass. */
    for (uint32_t l = 0; l < sc->nlinks; l++) {
        uint32_t a = sc->links[l].a, b = sc->links[l].b;
        if (e->gateway[a] == PS_NONE && ps_scenario_inside(sc, b, a)) e->gateway[a] = b;
        if (e->gateway[b] == PS_NONE && ps_scenario_inside(sc, a, b)) e->gateway[b] = a;
    }
    for (uint32_t i = 0; i < sc->nsocks; i++) e->named[i] = PS_NONE;
    if (!ps__track_init(e)) goto fail;
    for (uint32_t h = 0; h < sc->nhosts; h++) {
        for (uint32_t a = 0; a < sc->hosts[h].naddrs; a++)
            if (!ps_table_insert(&e->addr_index, ps_hash64(sc->hosts[h].addrs[a]), h)) goto fail;
        for (uint32_t a = 0; a < sc->hosts[h].naddrs6; a++)
            if (!ps_table_insert(&e->addr_index, ps_hash64(sc->hosts[h].addrs6[a]), h)) goto fail;
    }
    for (uint32_t l = 0; l < sc->nlinks; l++)
        if (!ps_table_insert(&e->link_index, ps_hash64(ps__pair_key(sc->links[l].a, sc->links[l].b)), l))
            goto fail;
    for (uint32_t i = 0; i < sc->nprocs; i++) {
        const ps_proc_spec *ps = &sc->procs[i];
        if (ps_engine_spawn(e, ps->host, ps->name, ps->user, ps->pid) == PS_NONE) goto fail;
    }
    if (!ps__http_init(e)) goto fail;
    /* Actions go in at their times in file order, so ties keep file order. */
    for (uint32_t a = 0; a < sc->nactions; a++)
        if (!ps_evq_push(&e->q, sc->actions[a].t, EVT_PACK(EVT_ACTION, 0, a))) goto fail;
    return e;
fail:
    ps_engine_free(e);
    return NULL;
}

void ps_engine_free(ps_engine *e)
{
    if (!e) return;
    ps_evq_free(&e->q);
    ps_ports_free(&e->ports);
    ps_ports_free(&e->udp);
    ps_demux_free(&e->demux);
    ps_table_free(&e->addr_index);
    ps_table_free(&e->link_index);
    for (uint32_t i = 0; i < e->nprocs; i++) {
        free((char *)e->procs[i].name);
        free((char *)e->procs[i].user);
        free(e->fds[i].bits);
    }
    free(e->procs);
    free(e->fds);
    free(e->socks);
    free(e->segs);
    free(e->seg_free);
    free(e->tw);
    free(e->tw_due);
    free(e->state_count);
    free(e->texts);
    ps_table_free(&e->text_index);
    free(e->named);
    free(e->named_err);
    free(e->named_seen);
    free(e->named_last);
    ps__track_free(e);
    if (e->nat)
        for (uint32_t h = 0; h < e->sc->nhosts; h++) ps_nat_free(&e->nat[h]);
    free(e->nat);
    free(e->gateway);
    ps__http_free(e);
    free(e);
}

void ps_engine_set_sink(ps_engine *e, ps_event_fn fn, void *ctx)
{
    e->sink = fn;
    e->sink_ctx = ctx;
}

void ps_engine_set_max_steps(ps_engine *e, uint64_t max_steps) { e->max_steps = max_steps; }
void ps_engine_set_max_work(ps_engine *e, uint64_t max_work) { e->max_work = max_work; }
uint64_t ps_engine_work(const ps_engine *e) { return e->work; }

bool ps_engine_charge(ps_engine *e, uint64_t n)
{
    if (e->status != PS_RUN_OK) return false;
    if (n > e->max_work - e->work) { /* no overflow: work <= max_work always */
        e->status = PS_RUN_WORK;
        return false;
    }
    e->work += n;
    return true;
}

/* ---- the event loop ---- */

/* The socket options a listen, bind or connect line asks for, as
 * ps_engine_listen and ps_engine_bind take them. */
static unsigned sockopts(const ps_action *act)
{
    return (act->reuseaddr ? PS_SOCK_REUSEADDR : 0u) | (act->reuseport ? PS_SOCK_REUSEPORT : 0u) |
           (act->family == PS_FAM_INET6 ? PS_LISTEN_INET6 : 0u) | (act->v6only ? PS_LISTEN_V6ONLY : 0u);
}

/* The named socket of a send, sendto, close or listen is gone (or never came
 * up): EBADF, reported on the host that created it. */
static void named_gone(ps_engine *e, const ps_action *act, const char *op)
{
    const ps_sock_spec *spec = &e->sc->socks[act->sock];
    ps_event ev = ps__host_event(e, PS_EV_ERROR, e->sc->actions[spec->action].host);
    ev.sock = spec->name;
    ps__fail(e, PS_NONE, &ev, op, PS_EBADF);
}

static void run_action(ps_engine *e, uint32_t a, uint32_t rep)
{
    const ps_action *act = &e->sc->actions[a];
    e->cur_action = a;
    switch (act->kind) {
    case PS_ACT_LISTEN: {
        uint32_t l;
        if (ps_engine_listen(e, act->proc, act->addr, act->port, sockopts(act), act->text, act->sock,
                             &l) == PS_OK &&
            act->serve_parts)
            ps__http_serve(e, l, act->serve_parts);
        break;
    }
    case PS_ACT_BIND:
        ps_engine_bind(e, act->proc, act->addr, act->port, sockopts(act), act->sock, NULL);
        break;
    case PS_ACT_ACCEPT:
        break; /* the name is given when the connection is accepted (engine_track.c) */
    case PS_ACT_CONNECT: {
        uint32_t s;
        ps_errno err = ps_engine_connect_from(e, act->proc, act->addr, act->port, act->from_addr,
                                              act->from_port, sockopts(act), act->sock, &s);
        if (err == PS_OK && act->text) ps_engine_request(e, s, act->text);
        if (rep + 1 < act->repeat &&
            !ps_evq_push(&e->q, ps_time_add(e->now, act->every), EVT_PACK(EVT_ACTION, rep + 1, a)))
            ps__nomem(e);
        break;
    }
    case PS_ACT_SEND:
    case PS_ACT_CLOSE:
    case PS_ACT_LISTEN_SOCK: {
        uint32_t s = e->named[act->sock];
        const char *op = act->kind == PS_ACT_SEND    ? "send"
                         : act->kind == PS_ACT_CLOSE ? "close"
                                                     : "listen";
        if (s == PS_NONE) {
            named_gone(e, act, op);
        } else if (act->kind == PS_ACT_SEND) {
            ps_engine_send(e, s, act->text);
        } else if (act->kind == PS_ACT_LISTEN_SOCK) {
            ps_engine_listen_bound(e, s, act->text);
        } else {
            ps_engine_close(e, s);
        }
        break;
    }
    case PS_ACT_KILL:
        ps_engine_kill(e, act->host, act->pid);
        break;
    case PS_ACT_SAY:
        ps_engine_note(e, PS_EV_SAY, PS_NONE, act->text);
        break;
    case PS_ACT_SHELL:
        /* The engine knows no tools: a command goes to whoever registered
         * (the userland does). Without one, the command is echoed alone. */
        if (e->command_fn == NULL) ps__command_echo(e, act->host, act->text);
        else if (!e->command_fn(e->command_ctx, e, act->host, act->text)) ps__nomem(e);
        break;
    case PS_ACT_UDP_BIND:
        ps_engine_udp_bind(e, act->proc, act->addr, act->port,
                           (act->reuseaddr ? PS_SOCK_REUSEADDR : 0u) |
                               (act->reuseport ? PS_SOCK_REUSEPORT : 0u),
                           act->text, act->sock, NULL);
        break;
    case PS_ACT_UDP_CONNECT:
        ps_engine_udp_connect(e, act->proc, act->addr, act->port, act->from_port,
                              (act->reuseaddr ? PS_SOCK_REUSEADDR : 0u) |
                                  (act->reuseport ? PS_SOCK_REUSEPORT : 0u),
                              act->sock, NULL);
        break;
    case PS_ACT_SENDTO:
        if (e->named[act->sock] == PS_NONE) named_gone(e, act, "sendto");
        else ps_engine_sendto(e, e->named[act->sock], act->addr, act->port, act->text);
        break;
    case PS_ACT_FETCH:
        ps__http_fetch(e, a);
        break;
    case PS_ACT_COUNT:
        break;
    }
    e->cur_action = PS_NONE;
}

#ifdef PS_CHECKS
/* Every structure's invariants at once (O(size)): PS_ASSERTed at steps 1, 2,
 * 4, 8, ..., so checked builds pay O(n log n) in all, not O(n) a step. */
/* The per-state counts add up to the live sockets, and every live socket's
 * (host, state) is counted (no allocation: the check must not change what
 * an allocation-failure test sees). */
static bool counts_valid(const ps_engine *e)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < (size_t)e->sc->nhosts * PS_STATE_COUNT; i++) sum += e->state_count[i];
    if (sum != e->sock_live) return false;
    for (uint32_t s = 0; s < e->nsocks; s++)
        if (e->socks[s].live && e->state_count[(size_t)e->socks[s].host * PS_STATE_COUNT + e->socks[s].state] == 0)
            return false;
    return true;
}

static bool structures_valid(const ps_engine *e)
{
    return counts_valid(e) && ps_evq_valid(&e->q) && ps_table_valid(&e->addr_index) && ps_table_valid(&e->link_index) &&
           ps_ports_valid(&e->ports) && ps_ports_valid(&e->udp) && ps_demux_valid(&e->demux, e->socks);
}
#endif

/* A million connections do not fit in any cache: each arrival's segment,
 * demux slot and socket are misses. Arrivals queued for this same instant
 * are known in advance, so their memory is requested a few steps early,
 * in a pipeline: the segment 6 steps ahead, then (its tuple now cached) its
 * demux slot 4 steps ahead, then (the slot cached) its socket 2 steps
 * ahead. Only hints: results do not depend on them. */
static void prefetch_ahead(const ps_engine *e)
{
    const ps_evq_item *it = ps_evq_peek_ready(&e->q, 6);
    if (it && EVT_KIND(it->data) == EVT_ARRIVE) PS_PREFETCH(&e->segs[EVT_INDEX(it->data)]);
    for (uint32_t ahead = 4; ahead >= 2; ahead -= 2) {
        if (!(it = ps_evq_peek_ready(&e->q, ahead)) || EVT_KIND(it->data) != EVT_ARRIVE) continue;
        const ps_segment *sg = &e->segs[EVT_INDEX(it->data)];
        if (ahead == 4) {
            ps_demux_prefetch(&e->demux, sg->dst_addr, sg->dst_port, sg->src_addr, sg->src_port);
        } else {
            uint32_t s = ps_demux_guess(&e->demux, sg->dst_addr, sg->dst_port, sg->src_addr, sg->src_port);
            if (s != PS_NONE) PS_PREFETCH(&e->socks[s]);
        }
    }
}

bool ps_engine_step(ps_engine *e)
{
    if (e->q.failed) ps__nomem(e);
    if (e->status != PS_RUN_OK || ps_evq_size(&e->q) == 0) return false;
    if (e->steps >= e->max_steps) {
        e->status = PS_RUN_LIMIT;
        return false;
    }
    ps_evq_item it;
    ps_evq_pop(&e->q, &it);
    e->now = it.t;
    e->steps++;
    prefetch_ahead(e);
    switch (EVT_KIND(it.data)) {
    case EVT_ACTION: run_action(e, EVT_INDEX(it.data), EVT_REP(it.data)); break;
    case EVT_ARRIVE:
        if (e->segs[EVT_INDEX(it.data)].flags & (PS_SEG_UDP | PS_SEG_ICMP)) ps__udp_arrive(e, EVT_INDEX(it.data));
        else ps__tcp_arrive(e, EVT_INDEX(it.data));
        break;
    case EVT_TIMEWAIT: ps__tcp_timewait_due(e); break;
    case EVT_HTTP: ps__http_tick(e); break;
    }
    PS_ASSERT((e->steps & (e->steps - 1)) != 0 || structures_valid(e));
    return true;
}

void ps_engine_run_until(ps_engine *e, ps_time t)
{
    while (ps_evq_next_time(&e->q) <= t && ps_engine_step(e)) {}
    if (e->status == PS_RUN_OK && t > e->now) e->now = t;
}

void ps_engine_run(ps_engine *e)
{
    while (ps_engine_step(e)) {}
}
