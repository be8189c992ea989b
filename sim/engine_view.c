/* engine_view.c — read-only views of engine state (engine_view.h) and the
 * words for why a run stopped. */
#include "engine_internal.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

/* ---- views ---- */

ps_run_status ps_engine_status(const ps_engine *e) { return e->status; }

const char *ps_run_status_message(ps_run_status st)
{
    switch (st) {
    case PS_RUN_OK: return "";
    case PS_RUN_LIMIT: return "too many queue steps (the step limit; see --max-steps)";
    case PS_RUN_NOMEM: return "out of memory";
    case PS_RUN_SOCKETS: return "too many sockets alive at once (the limit is 4194304)";
    case PS_RUN_WORK:
        return "too much shell work (the work budget: a command pays for every socket it lists "
               "and every byte it prints)";
    }
    return "stopped";
}
ps_time ps_engine_now(const ps_engine *e) { return e->now; }
ps_time ps_engine_next_time(const ps_engine *e)
{
    return ps_evq_next_time(&e->q);
}
uint64_t ps_engine_steps(const ps_engine *e) { return e->steps; }
uint64_t ps_engine_events(const ps_engine *e) { return e->nevents; }
const ps_scenario *ps_engine_scenario(const ps_engine *e) { return e->sc; }
uint32_t ps_engine_proc_count(const ps_engine *e) { return e->nprocs; }
const ps_proc *ps_engine_proc(const ps_engine *e, uint32_t i) { return &e->procs[i]; }
uint32_t ps_engine_socket_slots(const ps_engine *e) { return e->nsocks; }
const ps_socket *ps_engine_socket(const ps_engine *e, uint32_t i) { return &e->socks[i]; }
uint32_t ps_engine_state_count(const ps_engine *e, uint32_t host, ps_tcp_state st)
{
    PS_ASSERT(host < e->sc->nhosts && st < PS_STATE_COUNT);
    return e->state_count[(size_t)host * PS_STATE_COUNT + st];
}

uint32_t ps_engine_socket_live(const ps_engine *e) { return e->sock_live; }


uint32_t ps_engine_segment_slots(const ps_engine *e) { return e->nsegs; }
const ps_segment *ps_engine_segment(const ps_engine *e, uint32_t i) { return &e->segs[i]; }

uint32_t ps_engine_find_pid(const ps_engine *e, uint32_t host, uint32_t pid)
{
    for (uint32_t i = 0; i < e->nprocs; i++)
        if (e->procs[i].host == host && e->procs[i].pid == pid && e->procs[i].alive) return i;
    return PS_NONE;
}

uint32_t ps_engine_named_socket(const ps_engine *e, uint32_t sock_spec)
{
    return e->named[sock_spec];
}

ps_errno ps_engine_named_error(const ps_engine *e, uint32_t sock_spec)
{
    return (ps_errno)e->named_err[sock_spec];
}

const ps_socket *ps_engine_named_last(const ps_engine *e, uint32_t sock_spec)
{
    uint32_t s = e->named[sock_spec];
    if (s != PS_NONE) return &e->socks[s];
    return e->named_seen[sock_spec] ? &e->named_last[sock_spec] : NULL;
}

ps_port_state ps_engine_port_state(const ps_engine *e, uint32_t host, uint16_t port)
{
    if (!ps_ports_in_use(&e->ports, host, port)) return PS_PORT_FREE;
    for (uint32_t s = ps_ports_owners(&e->ports, host, port); s != PS_NONE; s = e->socks[s].link)
        if (e->socks[s].state == PS_LISTEN) return PS_PORT_LISTENING;
    return PS_PORT_USED;
}

ps_port_state ps_engine_udp_port_state(const ps_engine *e, uint32_t host, uint16_t port)
{
    return ps_ports_owners(&e->udp, host, port) != PS_NONE ? PS_PORT_USED : PS_PORT_FREE;
}

const ps_nat *ps_engine_nat(const ps_engine *e, uint32_t host)
{
    return host < e->sc->nhosts && e->sc->hosts[host].router ? &e->nat[host] : NULL;
}
