/* engine_track.c — what a scenario asks the engine to keep track of beyond
 * the sockets themselves: the names `accept as` gives to accepted
 * connections, which listener accepted a named client (`expect ...
 * accepted-by`), and segment counts (`expect segments`). Each costs O(1)
 * memory per scenario line and O(1) (or one pass over the counting expects)
 * per event it watches. */
#include "engine_internal.h"

#include <stdlib.h>

bool ps__track_init(ps_engine *e)
{
    const ps_scenario *sc = e->sc;
    uint32_t nn = sc->nsocks ? sc->nsocks : 1;
    e->accept_head = malloc(nn * sizeof *e->accept_head);
    e->accept_next = malloc(nn * sizeof *e->accept_next);
    e->acceptor = malloc(nn * sizeof *e->acceptor);
    uint32_t *tail = malloc(nn * sizeof *tail);
    bool ok = e->accept_head && e->accept_next && e->acceptor && tail;
    for (uint32_t i = 0; ok && i < sc->nsocks; i++)
        e->accept_head[i] = e->accept_next[i] = e->acceptor[i] = tail[i] = PS_NONE;
    /* Accept lines come in time order: chain each listener's names in it. */
    for (uint32_t a = 0; ok && a < sc->nactions; a++) {
        const ps_action *act = &sc->actions[a];
        if (act->kind != PS_ACT_ACCEPT) continue;
        uint32_t l = act->listener, n = act->sock;
        if (tail[l] == PS_NONE) e->accept_head[l] = n;
        else e->accept_next[tail[l]] = n;
        tail[l] = n;
    }
    free(tail);
    uint32_t nseg = 0;
    for (uint32_t i = 0; i < sc->nexpects; i++) {
        nseg += sc->expects[i].kind == PS_EXP_SEGMENTS;
        e->track_acceptor |= sc->expects[i].kind == PS_EXP_ACCEPTED_BY;
    }
    if (ok && nseg) {
        e->seg_expects = malloc(nseg * sizeof *e->seg_expects);
        e->seg_counts = calloc(sc->nexpects, sizeof *e->seg_counts);
        ok = e->seg_expects && e->seg_counts;
        for (uint32_t i = 0; ok && i < sc->nexpects; i++)
            if (sc->expects[i].kind == PS_EXP_SEGMENTS) e->seg_expects[e->nseg_expects++] = i;
    }
    return ok;
}

void ps__track_free(ps_engine *e)
{
    free(e->accept_head);
    free(e->accept_next);
    free(e->acceptor);
    free(e->seg_expects);
    free(e->seg_counts);
}

void ps__accepted(ps_engine *e, uint32_t s)
{
    const ps_socket *sk = &e->socks[s];
    uint32_t l = e->socks[sk->listener].name;
    if (l != PS_NONE && e->accept_head[l] != PS_NONE) {
        uint32_t n = e->accept_head[l];
        e->accept_head[l] = e->accept_next[n];
        ps__name_socket(e, s, n);
    }
    if (!e->track_acceptor) return;
    /* The client's end: the same 4-tuple seen from the other side. */
    ps_time latency;
    uint32_t ch = ps__route(e, sk->host, sk->raddr, &latency);
    if (ch == PS_NONE) return;
    uint32_t c = ps_demux_connection(&e->demux, e->socks, ch, sk->raddr, sk->rport, sk->laddr,
                                     sk->lport);
    if (c != PS_NONE && e->socks[c].name != PS_NONE)
        e->acceptor[e->socks[c].name] = l != PS_NONE ? l : PS_ACCEPTOR_UNNAMED;
}

/* Does segment sg belong to the class an expect counts? */
static bool in_class(const ps_segment *sg, ps_segment_class c)
{
    switch (c) {
    case PS_SEGC_SYN: return (sg->flags & (PS_SYN | PS_ACK)) == PS_SYN;
    case PS_SEGC_SYN_ACK: return (sg->flags & (PS_SYN | PS_ACK)) == (PS_SYN | PS_ACK);
    case PS_SEGC_RST: return (sg->flags & PS_RST) != 0;
    case PS_SEGC_FIN: return (sg->flags & PS_FIN) != 0;
    case PS_SEGC_DATA: return sg->len > 0;
    case PS_SEGC_ANY: return true;
    case PS_SEGC_COUNT: break;
    }
    return false;
}

void ps__count_segment(ps_engine *e, const ps_segment *sg)
{
    /* One pass over the counting expects per segment: paid from the work
     * budget, so a file of many such lines cannot make a run endless. */
    if (!ps_engine_charge(e, e->nseg_expects)) return;
    for (uint32_t k = 0; k < e->nseg_expects; k++) {
        const ps_expect *x = &e->sc->expects[e->seg_expects[k]];
        if (sg->from_host == x->seg_from && sg->to_host == x->seg_to &&
            (!x->seg_sport || sg->src_port == x->seg_sport) &&
            (!x->seg_dport || sg->dst_port == x->seg_dport) &&
            in_class(sg, (ps_segment_class)x->seg_class))
            e->seg_counts[e->seg_expects[k]]++;
    }
}

uint32_t ps_engine_acceptor(const ps_engine *e, uint32_t sock_spec)
{
    return e->acceptor[sock_spec];
}

uint64_t ps_engine_segment_count(const ps_engine *e, uint32_t expect)
{
    return e->seg_counts ? e->seg_counts[expect] : 0;
}
